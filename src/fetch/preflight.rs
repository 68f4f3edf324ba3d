//! The CORS-preflight fetch: whether one is needed, the request Chromium builds, and the check of
//! its response in Chromium's order.
//!
//! Spec: "CORS-preflight fetch" (<https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>).
//! Chromium: `services/network/cors/preflight_controller.cc` (`CreatePreflightRequest`,
//! `CheckPreflightResult`) and `preflight_result.cc` (`EnsureAllowedCrossOriginMethod`,
//! `EnsureAllowedCrossOriginHeaders`).

use serde::{Deserialize, Serialize};

use super::cache::{preflight_cache_lifetime, PreflightCacheLifetime};
use super::cors_check::cors_check;
use super::error::{CorsError, CorsFailure};
use super::headers::{
    cors_unsafe_request_header_names, is_cors_non_wildcard_request_header_name, parse_token_list,
    HeaderList,
};
use super::method::is_cors_safelisted_method;
use super::request::CredentialsMode;

/// Why a request needs a preflight (Chromium's NetLog reasons).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    DisallowedMethod {
        /// The method.
        method: String,
    },
    /// Some request headers are not CORS-safelisted.
    DisallowedHeader {
        /// Their lowercase names.
        headers: Vec<String>,
    },
    /// The use-CORS-preflight flag (XHR upload listeners, streaming bodies).
    ForcedPreflight,
}

/// Fetch main fetch: "request's use-CORS-preflight flag is set, or request's unsafe-request flag
/// is set and either request's method is not a CORS-safelisted method or CORS-unsafe request-header
/// names with request's header list is not empty" ⇒ CORS-preflight fetch.
pub fn needs_preflight(
    method: &str,
    headers: &HeaderList,
    use_cors_preflight: bool,
) -> Vec<PreflightReason> {
    let mut reasons = Vec::new();
    if use_cors_preflight {
        reasons.push(PreflightReason::ForcedPreflight);
    }
    if !is_cors_safelisted_method(method) {
        reasons.push(PreflightReason::DisallowedMethod {
            method: method.to_string(),
        });
    }
    let unsafe_names = cors_unsafe_request_header_names(headers);
    if !unsafe_names.is_empty() {
        reasons.push(PreflightReason::DisallowedHeader {
            headers: unsafe_names,
        });
    }
    reasons
}

/// What a successful preflight established (a Chromium `PreflightResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightResult {
    /// `Access-Control-Allow-Methods` items, case preserved.
    pub methods: Vec<String>,
    /// `Access-Control-Allow-Headers` items, lowercased.
    pub headers: Vec<String>,
    /// Whether the entry is credentialed.
    pub credentials: bool,
    /// How long each browser caches it.
    pub lifetime: PreflightCacheLifetime,
}

/// A non-blocking observation made while checking a preflight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightNote {
    /// Stable code.
    pub code: &'static str,
    /// Human text.
    pub message: String,
}

/// Checks a preflight response in Chromium's order (browser-cors.md §1(c), c1–c16). `redirected`
/// is true when the response is a redirect the network stack would follow (3xx with a Location).
#[allow(clippy::too_many_arguments)]
pub fn preflight_check(
    status: u16,
    headers: &HeaderList,
    redirected: bool,
    serialized_origin: &str,
    credentials: CredentialsMode,
    method: &str,
    request_headers: &HeaderList,
    notes: &mut Vec<PreflightNote>,
) -> Result<PreflightResult, CorsFailure> {
    // c1: "PreflightLoader::HandleRedirect": a redirect fails at once, before any header check.
    if redirected {
        return Err(CorsFailure::new(CorsError::PreflightDisallowedRedirect, ""));
    }
    // c2–c9: CheckAccess with the *actual* request's credentials mode. Spec note: "The CORS check
    // is done on request rather than preflight to ensure the correct credentials mode is used."
    cors_check(headers, serialized_origin, credentials).map_err(|f| CorsFailure {
        error: f.error.for_preflight(),
        failed_parameter: f.failed_parameter,
    })?;
    // c10: Spec step 7: "If a CORS check for request and response returns success and response's
    // status is an ok status" — Chromium checks the status after the access check.
    if !(200..=299).contains(&status) {
        return Err(CorsFailure::new(CorsError::PreflightInvalidStatus, ""));
    }
    // c12: Spec 7.1: "Let methods be the result of extracting header list values given
    // `Access-Control-Allow-Methods` and response's header list." 7.3: "If either methods or
    // headerNames is failure, return a network error."
    let methods = match headers.get("access-control-allow-methods") {
        Some(v) => parse_token_list(&v)
            .ok_or_else(|| CorsFailure::new(CorsError::InvalidAllowMethodsPreflightResponse, ""))?,
        None => Vec::new(),
    };
    // c13: same for `Access-Control-Allow-Headers`; Chromium stores them lowercased.
    let allowed_headers: Vec<String> = match headers.get("access-control-allow-headers") {
        Some(v) => parse_token_list(&v)
            .ok_or_else(|| CorsFailure::new(CorsError::InvalidAllowHeadersPreflightResponse, ""))?
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        None => Vec::new(),
    };
    let include = credentials == CredentialsMode::Include;
    // c15: Spec 7.5: "If request's method is not in methods, request's method is not a
    // CORS-safelisted method, and request's credentials mode is "include" or methods does not
    // contain `*`, then return a network error." Comparison is case-sensitive.
    let method_ok = methods.iter().any(|m| m == method)
        || is_cors_safelisted_method(method)
        || (!include && methods.iter().any(|m| m == "*"));
    if !method_ok {
        return Err(CorsFailure::new(
            CorsError::MethodDisallowedByPreflightResponse,
            method,
        ));
    }
    // c16: Spec 7.6: "If one of request's header list's names is a CORS non-wildcard request-header
    // name and is not a byte-case-insensitive match for an item in headerNames, then return a
    // network error." Chromium leaves `kCorsNonWildcardRequestHeadersSupport` off: `*` covers
    // Authorization; we follow Chromium and report the spec's view.
    let unsafe_names = cors_unsafe_request_header_names(request_headers);
    let wildcard = !include && allowed_headers.iter().any(|h| h == "*");
    if wildcard {
        if let Some(auth) = unsafe_names
            .iter()
            .find(|n| is_cors_non_wildcard_request_header_name(n))
        {
            if !allowed_headers.iter().any(|h| h == auth) {
                notes.push(PreflightNote {
                    code: "authorization-covered-by-wildcard",
                    message: "Authorization is allowed only through `Access-Control-Allow-Headers: *`. \
                              Chromium and Firefox still accept this, but the Fetch standard does not \
                              (\"CORS non-wildcard request-header name\"): list `Authorization` explicitly \
                              before browsers enforce it."
                        .to_string(),
                });
            }
        }
    } else {
        // Spec 7.7: "For each unsafeName of the CORS-unsafe request-header names with request's
        // header list: if unsafeName is not a byte-case-insensitive match for an item in
        // headerNames and request's credentials mode is "include" or headerNames does not contain
        // `*`, return a network error." Chromium reports the first missing name in sorted
        // (byte) order, not in request order: Chromium 148 names `x-alpha` for headers set as
        // `X-Zed`, `X-Alpha` (fidelity scenario `pf-acah-first-missing-request-order`).
        for name in &crate::fetch::headers::sorted_lowercase_set(&unsafe_names) {
            if !allowed_headers.iter().any(|h| h == name) {
                return Err(CorsFailure::new(
                    CorsError::HeaderDisallowedByPreflightResponse,
                    name.clone(),
                ));
            }
        }
    }
    Ok(PreflightResult {
        methods,
        headers: allowed_headers,
        credentials: include,
        lifetime: preflight_cache_lifetime(headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialsMode::*;

    const O: &str = "https://app.example.com";

    fn h(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs)
    }

    fn check(
        status: u16,
        resp: &[(&str, &str)],
        creds: CredentialsMode,
        method: &str,
        req: &[(&str, &str)],
    ) -> Result<(), (CorsError, String)> {
        let mut notes = Vec::new();
        preflight_check(
            status,
            &h(resp),
            false,
            O,
            creds,
            method,
            &h(req),
            &mut notes,
        )
        .map(|_| ())
        .map_err(|f| (f.error, f.failed_parameter))
    }

    // browser-cors.md §4 edge cases 12-20, 26, 39 (WPT fetch/api/cors/cors-preflight-*.any.js).
    #[test]
    fn preflight_check_edge_cases() {
        use CorsError::*;
        let acao = ("Access-Control-Allow-Origin", O);
        // 39: 200 without ACAO.
        assert_eq!(
            check(200, &[], Omit, "PUT", &[]),
            Err((PreflightMissingAllowOriginHeader, "".into()))
        );
        // 26 / 3.3: 404 without ACAO reports the origin first.
        assert_eq!(
            check(404, &[], Omit, "PUT", &[]),
            Err((PreflightMissingAllowOriginHeader, "".into()))
        );
        assert_eq!(
            check(404, &[acao], Omit, "PUT", &[]),
            Err((PreflightInvalidStatus, "".into()))
        );
        assert_eq!(
            check(
                204,
                &[acao, ("Access-Control-Allow-Methods", "PUT")],
                Omit,
                "PUT",
                &[]
            ),
            Ok(())
        );
        // 13: lowercase patch stays lowercase.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "PATCH")],
                Omit,
                "patch",
                &[]
            ),
            Err((MethodDisallowedByPreflightResponse, "patch".into()))
        );
        // 14.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "put")],
                Omit,
                "PUT",
                &[]
            ),
            Err((MethodDisallowedByPreflightResponse, "PUT".into()))
        );
        // 15.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "GET,,PUT")],
                Omit,
                "PUT",
                &[]
            ),
            Ok(())
        );
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "GET PUT")],
                Omit,
                "PUT",
                &[]
            ),
            Err((InvalidAllowMethodsPreflightResponse, "".into()))
        );
        // 16.
        assert_eq!(
            check(
                200,
                &[acao],
                Omit,
                "POST",
                &[("Content-Type", "application/json")]
            ),
            Err((HeaderDisallowedByPreflightResponse, "content-type".into()))
        );
        // 17.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "*")],
                Omit,
                "PUT",
                &[]
            ),
            Ok(())
        );
        assert_eq!(
            check(
                200,
                &[
                    acao,
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Methods", "*")
                ],
                Include,
                "PUT",
                &[]
            ),
            Err((MethodDisallowedByPreflightResponse, "PUT".into()))
        );
        // 18.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Headers", "Content-Type")],
                Omit,
                "POST",
                &[("content-type", "application/json")]
            ),
            Ok(())
        );
        // 19.
        assert_eq!(
            check(
                200,
                &[
                    acao,
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Headers", "*")
                ],
                Include,
                "GET",
                &[("X-Custom", "1")]
            ),
            Err((HeaderDisallowedByPreflightResponse, "x-custom".into()))
        );
        // 20: Chromium passes Authorization under `*` without credentials, with a note.
        let mut notes = Vec::new();
        let r = preflight_check(
            200,
            &h(&[acao, ("Access-Control-Allow-Headers", "*")]),
            false,
            O,
            Omit,
            "GET",
            &h(&[("Authorization", "Bearer x")]),
            &mut notes,
        );
        assert!(r.is_ok());
        assert_eq!(notes[0].code, "authorization-covered-by-wildcard");
        // 12: credentialed preflight needs ACAC.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Methods", "PUT")],
                Include,
                "PUT",
                &[]
            ),
            Err((PreflightInvalidAllowCredentials, "".into()))
        );
        // Invalid ACAH.
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Headers", "x-a;x-b")],
                Omit,
                "GET",
                &[("x-a", "1")]
            ),
            Err((InvalidAllowHeadersPreflightResponse, "".into()))
        );
        // First missing header in sorted order, as Chromium reports it (fidelity scenario
        // `pf-acah-first-missing-request-order`).
        assert_eq!(
            check(
                200,
                &[acao, ("Access-Control-Allow-Headers", "x-a")],
                Omit,
                "GET",
                &[("X-Z", "1"), ("x-a", "1"), ("X-B", "2")]
            ),
            Err((HeaderDisallowedByPreflightResponse, "x-b".into()))
        );
    }

    #[test]
    fn preflight_redirect_fails_before_headers() {
        let mut notes = Vec::new();
        let r = preflight_check(
            301,
            &h(&[("Access-Control-Allow-Origin", O)]),
            true,
            O,
            Omit,
            "PUT",
            &h(&[]),
            &mut notes,
        );
        assert_eq!(r.unwrap_err().error, CorsError::PreflightDisallowedRedirect);
    }

    #[test]
    fn needs_preflight_reasons() {
        assert!(needs_preflight("GET", &h(&[("Accept", "application/json")]), false).is_empty());
        assert_eq!(needs_preflight("PUT", &h(&[]), false).len(), 1);
        assert_eq!(
            needs_preflight("POST", &h(&[("Content-Type", "application/json")]), false),
            vec![PreflightReason::DisallowedHeader {
                headers: vec!["content-type".into()]
            }]
        );
        assert_eq!(
            needs_preflight("GET", &h(&[]), true),
            vec![PreflightReason::ForcedPreflight]
        );
    }
}
