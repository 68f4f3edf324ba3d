//! Which response headers page script can read.
//!
//! Spec: "CORS-filtered response" (<https://fetch.spec.whatwg.org/#concept-filtered-response-cors>):
//! "a filtered response whose type is "cors" and header list excludes any headers in internal
//! response's header list whose name is not a CORS-safelisted response-header name, given
//! internal response's CORS-exposed header-name list." Chromium: Blink `cors.cc`
//! (`ExtractCorsExposedHeaderNamesList`): an invalid token discards the whole list.

use super::headers::{
    is_forbidden_response_header_name, parse_token_list, HeaderList,
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES,
};
use super::request::{CredentialsMode, ResponseTainting};

/// Lowercase, sorted, deduplicated names of the headers of `headers` that script can read (the
/// order `Headers` iteration uses).
pub fn readable_response_headers(
    headers: &HeaderList,
    tainting: ResponseTainting,
    credentials: CredentialsMode,
) -> Vec<String> {
    let mut names: Vec<String> = match tainting {
        ResponseTainting::Opaque => Vec::new(),
        ResponseTainting::Basic => headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .filter(|n| !is_forbidden_response_header_name(n))
            .collect(),
        ResponseTainting::Cors => {
            let exposed: Vec<String> = headers
                .get("access-control-expose-headers")
                .and_then(|v| parse_token_list(&v))
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.to_ascii_lowercase())
                .collect();
            // "If request's credentials mode is not "include" and headerNames contains `*`, then
            // set response's CORS-exposed header-name list to all unique header names in
            // response's header list."
            let all = credentials != CredentialsMode::Include && exposed.iter().any(|n| n == "*");
            headers
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .filter(|n| !is_forbidden_response_header_name(n))
                .filter(|n| {
                    all || CORS_SAFELISTED_RESPONSE_HEADER_NAMES.contains(&n.as_str())
                        || exposed.iter().any(|e| e == n)
                })
                .collect()
        }
    };
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs)
    }

    // browser-cors.md §4 edge case 36 (WPT fetch/api/cors/cors-expose-star.sub.any.js).
    #[test]
    fn expose_headers_rules() {
        let base = [
            ("Content-Type", "text/plain"),
            ("X-Total-Count", "3"),
            ("X-Other", "1"),
            ("Set-Cookie", "a=b"),
        ];
        let mut with = base.to_vec();
        with.push(("Access-Control-Expose-Headers", "X-Total-Count"));
        assert_eq!(
            readable_response_headers(&h(&with), ResponseTainting::Cors, CredentialsMode::Omit),
            vec!["content-type", "x-total-count"]
        );
        let mut star = base.to_vec();
        star.push(("Access-Control-Expose-Headers", "*"));
        assert_eq!(
            readable_response_headers(
                &h(&star),
                ResponseTainting::Cors,
                CredentialsMode::SameOrigin
            ),
            vec![
                "access-control-expose-headers",
                "content-type",
                "x-other",
                "x-total-count"
            ]
        );
        assert_eq!(
            readable_response_headers(&h(&star), ResponseTainting::Cors, CredentialsMode::Include),
            vec!["content-type"]
        );
        let mut bad = base.to_vec();
        bad.push(("Access-Control-Expose-Headers", "X-Total-Count; X-Other"));
        assert_eq!(
            readable_response_headers(&h(&bad), ResponseTainting::Cors, CredentialsMode::Omit),
            vec!["content-type"]
        );
        assert!(readable_response_headers(
            &h(&base),
            ResponseTainting::Opaque,
            CredentialsMode::Omit
        )
        .is_empty());
    }
}
