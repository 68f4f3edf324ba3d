//! Header lists and the Fetch standard's header predicates: forbidden request headers,
//! CORS-safelisted request headers (with their value rules), CORS-unsafe request-header names,
//! CORS-safelisted response-header names, and `#token` list parsing.
//!
//! Spec: <https://fetch.spec.whatwg.org/#terminology-headers>. Chromium: `services/network/public/cpp/cors/cors.cc`
//! (`IsCorsSafelistedHeader`, `CorsUnsafeNotForbiddenRequestHeaderNames`) and `net/http/http_util.cc`
//! (`IsSafeHeader`).

use serde::{Deserialize, Serialize};

/// A header list in wire order, names as written (case preserved), duplicates kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderList(pub Vec<(String, String)>);

impl HeaderList {
    /// An empty list.
    pub fn new() -> Self {
        HeaderList(Vec::new())
    }

    /// A list from `(name, value)` pairs, in order.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        HeaderList(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// Appends a header line.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Replaces every line of `name` by one line (kept at the first line's position).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.0[i].1 = value;
                let mut k = 0;
                self.0.retain(|(n, _)| {
                    let keep = k <= i || !n.eq_ignore_ascii_case(name);
                    k += 1;
                    keep
                });
            }
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// Removes every line of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// True if a line of `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Every value of `name`, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Number of lines of `name`.
    pub fn count(&self, name: &str) -> usize {
        self.values(name).count()
    }

    /// Fetch "get" a header: every line's value, whitespace-trimmed, joined with `", "`
    /// (Chromium's `GetNormalizedHeader`). `None` when absent.
    pub fn get(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for v in self.values(name) {
            let v = trim_http_whitespace(v);
            match &mut out {
                None => out = Some(v.to_string()),
                Some(s) => {
                    s.push_str(", ");
                    s.push_str(v);
                }
            }
        }
        out
    }

    /// Iterates over the lines.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no lines.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Strips leading and trailing HTTP whitespace (SP, HTAB, CR, LF).
pub fn trim_http_whitespace(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
}

/// RFC 9110 `tchar`.
pub fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 9110 token: one or more tchar.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Fetch "extract header list values" for a `#token` list, as Chromium parses
/// `Access-Control-Allow-Methods` / `-Headers`: split on commas, trim whitespace, skip empty
/// elements; any element that is not a token fails the whole parse (`None`).
pub fn parse_token_list(value: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for part in value.split(',') {
        let item = trim_http_whitespace(part);
        if item.is_empty() {
            continue;
        }
        if !is_token(item) {
            return None;
        }
        out.push(item.to_string());
    }
    Some(out)
}

/// Fetch "forbidden request-header", plus Chromium's `User-Agent` (crbug 571722).
///
/// Spec: "A header (name, value) is forbidden request-header if these steps return true: 1. If
/// name is a byte-case-insensitive match for one of: … return true. 2. If name when
/// byte-lowercased starts with `proxy-` or `sec-`, then return true. 3. If name is a
/// byte-case-insensitive match for one of `X-HTTP-Method`, `X-HTTP-Method-Override`,
/// `X-Method-Override`, then: … if any method in values is a forbidden method, return true."
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    const FORBIDDEN: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        // Chromium only: net/http/http_util.cc kForbiddenHeaderFields.
        "user-agent",
    ];
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN.contains(&lower.as_str()) {
        return true;
    }
    if lower.starts_with("proxy-") || lower.starts_with("sec-") {
        return true;
    }
    if matches!(
        lower.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) {
        return value
            .split(',')
            .any(|m| super::method::is_forbidden_method(trim_http_whitespace(m)));
    }
    false
}

/// Fetch "CORS-unsafe request-header byte": "a byte byte for which one of the following is true:
/// byte is less than 0x20 and is not 0x09 HT; byte is 0x22 ("), 0x28 (left parenthesis), 0x29
/// (right parenthesis), 0x3A (:), 0x3C (<), 0x3E (>), 0x3F (?), 0x40 (@), 0x5B ([), 0x5C (\),
/// 0x5D (]), 0x7B ({), 0x7D (}), or 0x7F DEL."
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09) || b"\"():<>?@[\\]{}\x7f".contains(&b)
}

/// Fetch "CORS-safelisted request-header", with Chromium's extra client-hint names.
///
/// Spec steps: "1. If value's length is greater than 128, then return false. 2. Byte-lowercase
/// name and switch on the result: `accept` … `accept-language`, `content-language` …
/// `content-type` … `range` … Otherwise: Return false."
pub fn is_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    // Step 1.
    if value.len() > 128 {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        // "If value contains a CORS-unsafe request-header byte, then return false."
        "accept" => !value.bytes().any(is_cors_unsafe_request_header_byte),
        // "If value contains a byte that is not in the range 0x30 (0) to 0x39 (9), inclusive, is
        // not in the range 0x41 (A) to 0x5A (Z), inclusive, is not in the range 0x61 (a) to 0x7A
        // (z), inclusive, and is not 0x20 SP, 0x2A (*), 0x2C (,), 0x2D (-), 0x2E (.), 0x3B (;), or
        // 0x3D (=), then return false."
        "accept-language" | "content-language" => value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        // "If value contains a CORS-unsafe request-header byte, then return false. Let mimeType be
        // the result of parsing the result of isomorphic decoding value. If mimeType is failure,
        // then return false. If mimeType's essence is not "application/x-www-form-urlencoded",
        // "multipart/form-data", or "text/plain", then return false."
        "content-type" => {
            if value.bytes().any(is_cors_unsafe_request_header_byte) {
                return false;
            }
            match super::mime::parse_mime_type(value) {
                Some(m) => matches!(
                    m.essence().as_str(),
                    "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                ),
                None => false,
            }
        }
        // "If the result of parsing a single range header value given value and false is failure,
        // then return false. If the result's first item is null, then return false."
        "range" => is_simple_range_header_value(value),
        // Chromium-only safelisted client hints (cors.cc `safe_names`), value-validated.
        "device-memory" | "dpr" | "width" | "viewport-width" | "rtt" | "downlink" => {
            is_chromium_numeric_hint(value)
        }
        "save-data" => value == "on",
        "ect" => matches!(value, "slow-2g" | "2g" | "3g" | "4g"),
        "intervention" => true,
        _ => false,
    }
}

fn is_chromium_numeric_hint(value: &str) -> bool {
    // Chromium accepts a decimal number (digits with at most one '.').
    let v = value;
    !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && v.bytes().filter(|&b| b == b'.').count() <= 1
        && v.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// Fetch "parse a single range header value" with allowWhitespace false, requiring a non-null
/// first item: `bytes=N-` or `bytes=N-M` with N <= M.
fn is_simple_range_header_value(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = rest.split_once('-') else {
        return false;
    };
    if start.is_empty() || !start.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if !end.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if end.is_empty() {
        return true;
    }
    match (start.parse::<u128>(), end.parse::<u128>()) {
        (Ok(s), Ok(e)) => s <= e,
        _ => false,
    }
}

/// Fetch "CORS-unsafe request-header names" over a header list, in list order, restricted to non-forbidden headers as Chromium's
/// `CorsUnsafeNotForbiddenRequestHeaderNames` does. Names are byte-lowercased and deduplicated.
///
/// Spec: "1. Let unsafeNames be a new list. 2. Let potentiallyUnsafeNames be a new list. 3. Let
/// safelistValueSize be 0. 4. For each header of headers: if header is not a CORS-safelisted
/// request-header, append header's name to unsafeNames; otherwise append it to
/// potentiallyUnsafeNames and increase safelistValueSize by header's value's length. 5. If
/// safelistValueSize is greater than 1024, then for each name of potentiallyUnsafeNames, append
/// name to unsafeNames. 6. Return the result of convert header names to a sorted-lowercase set
/// with unsafeNames."
pub fn cors_unsafe_request_header_names(headers: &HeaderList) -> Vec<String> {
    let mut unsafe_names: Vec<String> = Vec::new();
    let mut potentially_unsafe: Vec<String> = Vec::new();
    let mut safelist_value_size = 0usize;
    for (name, value) in headers.iter() {
        if is_forbidden_request_header(name, value) {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if is_cors_safelisted_request_header(name, value) {
            safelist_value_size += value.len();
            potentially_unsafe.push(lower);
        } else {
            unsafe_names.push(lower);
        }
    }
    if safelist_value_size > 1024 {
        unsafe_names.extend(potentially_unsafe);
    }
    let mut out: Vec<String> = Vec::new();
    for n in unsafe_names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Fetch "convert header names to a sorted-lowercase set": the value of
/// `Access-Control-Request-Headers`.
pub fn sorted_lowercase_set(names: &[String]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    v.sort();
    v.dedup();
    v
}

/// Fetch "CORS-safelisted response-header name": readable by script on any CORS response.
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: &[&str] = &[
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Fetch "forbidden response-header name": never readable by script.
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// Fetch "CORS non-wildcard request-header name": `Authorization`, which `*` in
/// `Access-Control-Allow-Headers` does not cover (the spec's view; Chromium still lets it pass).
pub fn is_cors_non_wildcard_request_header_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs)
    }

    // Tables derived from the Fetch standard's examples and web-platform-tests
    // fetch/api/cors/cors-preflight-not-cors-safelisted.any.js and
    // fetch/api/headers/header-values-normalize / cors-safelisted-request-header tests.
    #[test]
    fn safelisted_request_header_value_rules() {
        let cases: &[(&str, &str, bool)] = &[
            ("Accept", "application/json", true),
            ("Accept", "text/html(", false),
            ("Accept", &"a".repeat(129), false),
            ("Accept", &"a".repeat(128), true),
            ("Accept-Language", "en-US,en;q=0.9", true),
            ("Accept-Language", "en_US", false),
            ("Content-Language", "de-DE", true),
            ("Content-Type", "text/plain", true),
            ("Content-Type", "text/plain;charset=UTF-8", true),
            (
                "Content-Type",
                "application/x-www-form-urlencoded;charset=UTF-8",
                true,
            ),
            ("Content-Type", "multipart/form-data; boundary=----x", true),
            ("Content-Type", "application/json", false),
            ("Content-Type", "text/plain; foo=\"bar\"", false),
            ("Content-Type", "application/json, text/plain", false),
            ("Content-Type", "text/plain, application/json", false),
            ("Content-Type", "TEXT/PLAIN", true),
            ("Range", "bytes=0-99", true),
            ("Range", "bytes=0-", true),
            ("Range", "bytes=-500", false),
            ("Range", "bytes=0-1,5-9", false),
            ("Range", "bytes= 0-99", false),
            ("Range", "bytes=10-5", false),
            ("X-Custom", "1", false),
            ("DPR", "2.0", true),
            ("Save-Data", "on", true),
            ("ECT", "5g", false),
        ];
        for (n, v, want) in cases {
            assert_eq!(is_cors_safelisted_request_header(n, v), *want, "{n}: {v}");
        }
    }

    /// web-platform-tests `fetch/api/cors/resources/not-cors-safelisted.json` at commit
    /// c7dd2a7df9d48602bd6780972511f02b14972ec7 (used by
    /// `cors-preflight-not-cors-safelisted.any.js`): every pair must trigger a preflight.
    #[test]
    fn wpt_not_cors_safelisted_pairs_need_a_preflight() {
        let long = "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678";
        let long_param = "text/plain; long=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901";
        let pairs: &[(&str, &str)] = &[
            ("accept", "\""),
            ("accept", long),
            ("accept-language", "\u{1}"),
            ("accept-language", "@"),
            ("authorization", "basics"),
            ("content-language", "\u{1}"),
            ("content-language", "@"),
            ("content-type", "text/html"),
            ("content-type", long_param),
            ("last-event-id", "\""),
            ("last-event-id", long),
            ("range", "bytes 0-"),
            ("test", "hi"),
        ];
        for (n, v) in pairs {
            assert!(!is_cors_safelisted_request_header(n, v), "{n}: {v:?}");
            assert_eq!(
                cors_unsafe_request_header_names(&list(&[(n, v)])),
                vec![n.to_string()],
                "{n}"
            );
        }
    }

    #[test]
    fn unsafe_names_skip_forbidden_and_keep_request_order() {
        let h = list(&[
            ("X-B", "1"),
            ("Content-Type", "application/json"),
            ("Cookie", "a=b"),
            ("User-Agent", "x"),
            ("x-a", "2"),
        ]);
        assert_eq!(
            cors_unsafe_request_header_names(&h),
            vec!["x-b", "content-type", "x-a"]
        );
        assert_eq!(
            sorted_lowercase_set(&cors_unsafe_request_header_names(&h)),
            vec!["content-type", "x-a", "x-b"]
        );
    }

    #[test]
    fn unsafe_names_1024_byte_rule() {
        let v = "a".repeat(100);
        let mut h = HeaderList::new();
        for _ in 0..11 {
            h.append("Accept", v.clone());
        }
        assert_eq!(cors_unsafe_request_header_names(&h), vec!["accept"]);
    }

    #[test]
    fn forbidden_request_headers() {
        for n in [
            "Cookie",
            "Host",
            "Origin",
            "Sec-Fetch-Mode",
            "Proxy-Authorization",
            "User-Agent",
        ] {
            assert!(is_forbidden_request_header(n, "x"), "{n}");
        }
        assert!(is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "TRACE"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "PATCH"
        ));
        assert!(!is_forbidden_request_header("Authorization", "Bearer x"));
    }

    #[test]
    fn token_list_parsing() {
        assert_eq!(parse_token_list("GET, PUT").unwrap(), vec!["GET", "PUT"]);
        assert_eq!(parse_token_list("GET ,  PUT").unwrap(), vec!["GET", "PUT"]);
        assert_eq!(parse_token_list("GET,,PUT").unwrap(), vec!["GET", "PUT"]);
        assert_eq!(parse_token_list("").unwrap(), Vec::<String>::new());
        assert!(parse_token_list("GET PUT").is_none());
        assert!(parse_token_list("GET;PUT").is_none());
    }

    #[test]
    fn get_joins_duplicate_lines() {
        let h = list(&[("ACAO", " a "), ("X", "1"), ("acao", "b")]);
        assert_eq!(h.get("Acao").as_deref(), Some("a, b"));
        assert_eq!(h.get("missing"), None);
    }
}
