//! Methods: normalization, CORS-safelisted methods, forbidden methods.
//! Spec: <https://fetch.spec.whatwg.org/#methods>.

/// Fetch "normalize" a method: "If method is a byte-case-insensitive match for `DELETE`, `GET`,
/// `HEAD`, `OPTIONS`, `POST`, or `PUT`, byte-uppercase it." Nothing else (`patch` stays `patch`).
pub fn normalize_method(method: &str) -> String {
    const NORMALIZED: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    for m in NORMALIZED {
        if method.eq_ignore_ascii_case(m) {
            return (*m).to_string();
        }
    }
    method.to_string()
}

/// Fetch "CORS-safelisted method": `GET`, `HEAD`, or `POST` (exact, after normalization).
pub fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Fetch "forbidden method": a byte-case-insensitive match for `CONNECT`, `TRACE`, or `TRACK`.
pub fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
}

/// True for a method token (RFC 9110 `token`).
pub fn is_method(method: &str) -> bool {
    super::headers::is_token(method)
}

/// Methods that change state on the server, which corsprobe holds back unless allowed.
pub fn is_state_changing(method: &str) -> bool {
    !matches!(
        method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "OPTIONS"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_method_uppercases_only_the_six() {
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("put"), "PUT");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("PaTcH"), "PaTcH");
    }

    #[test]
    fn safelisted_methods_are_exact() {
        assert!(is_cors_safelisted_method("POST"));
        assert!(!is_cors_safelisted_method("post"));
        assert!(!is_cors_safelisted_method("PUT"));
        assert!(is_forbidden_method("trace"));
    }
}
