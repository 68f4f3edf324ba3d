//! The CORS check of a response (actual or preflight), in Chromium's order.
//!
//! Spec "CORS check" (<https://fetch.spec.whatwg.org/#cors-check>):
//! "1. Let origin be the result of getting `Access-Control-Allow-Origin` from response's header
//! list. 2. If origin is null, then return failure. 3. If request's credentials mode is not
//! "include" and origin is `*`, then return success. 4. If the result of byte-serializing a request
//! origin with request is not origin, then return failure. 5. If request's credentials mode is not
//! "include", then return success. 6. Let credentials be the result of getting
//! `Access-Control-Allow-Credentials` from response's header list. 7. If credentials is `true`,
//! then return success. 8. Return failure."
//!
//! Chromium (`services/network/public/cpp/cors/cors.cc`, `CheckAccessInternal`) refines the
//! failure into distinct errors; that order is reproduced here.

use super::error::{CorsError, CorsFailure};
use super::headers::HeaderList;
use super::request::CredentialsMode;

/// Runs the CORS check. `serialized_origin` is the byte-serialized request origin (`null` when
/// opaque or redirect-tainted). Errors are the non-preflight variants; the preflight check maps
/// them with [`CorsError::for_preflight`].
pub fn cors_check(
    headers: &HeaderList,
    serialized_origin: &str,
    credentials: CredentialsMode,
) -> Result<(), CorsFailure> {
    // Step 1-2: "If origin is null, then return failure."
    let Some(allow_origin) = headers.get("access-control-allow-origin") else {
        return Err(CorsFailure::new(CorsError::MissingAllowOriginHeader, ""));
    };
    // Step 3: wildcard without credentials succeeds; Chromium reports the credentialed case as
    // its own error.
    if allow_origin == "*" {
        if credentials == CredentialsMode::Include {
            return Err(CorsFailure::new(CorsError::WildcardOriginNotAllowed, ""));
        }
        return Ok(());
    }
    // Step 4: byte-exact comparison with the serialized origin.
    if allow_origin != serialized_origin {
        // Chromium: a value with a space or comma is reported as multiple values.
        if allow_origin.contains([' ', ',']) {
            return Err(CorsFailure::new(
                CorsError::MultipleAllowOriginValues,
                allow_origin,
            ));
        }
        if allow_origin == "null" {
            return Err(CorsFailure::new(
                CorsError::AllowOriginMismatch,
                allow_origin,
            ));
        }
        // Chromium: `GURL(value).is_valid()`; the WHATWG URL parser stands in for GURL.
        if !is_valid_url_for_allow_origin(&allow_origin) {
            return Err(CorsFailure::new(
                CorsError::InvalidAllowOriginValue,
                allow_origin,
            ));
        }
        return Err(CorsFailure::new(
            CorsError::AllowOriginMismatch,
            allow_origin,
        ));
    }
    // Step 5.
    if credentials != CredentialsMode::Include {
        return Ok(());
    }
    // Steps 6-8: `Access-Control-Allow-Credentials` must be exactly `true`.
    let allow_credentials = headers.get("access-control-allow-credentials");
    match allow_credentials.as_deref() {
        Some("true") => Ok(()),
        other => Err(CorsFailure::new(
            CorsError::InvalidAllowCredentials,
            other.unwrap_or("").to_string(),
        )),
    }
}

/// Approximates Chromium's `GURL::is_valid()` for an `Access-Control-Allow-Origin` value: the
/// value must parse as an absolute URL with a scheme; a bare host (`app.example.com`) or the
/// empty string does not.
fn is_valid_url_for_allow_origin(value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    match url::Url::parse(value) {
        Ok(u) => {
            // GURL rejects special-scheme URLs with an empty host, as does the URL parser.
            !(matches!(u.scheme(), "http" | "https" | "ws" | "wss" | "ftp") && u.host().is_none())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialsMode::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs)
    }

    fn err(
        pairs: &[(&str, &str)],
        origin: &str,
        c: CredentialsMode,
    ) -> Option<(CorsError, String)> {
        cors_check(&h(pairs), origin, c)
            .err()
            .map(|f| (f.error, f.failed_parameter))
    }

    const O: &str = "https://app.example.com";

    // browser-cors.md §4 edge cases 1-11 (and WPT fetch/api/cors/cors-origin.any.js).
    #[test]
    fn cors_check_edge_cases() {
        use CorsError::*;
        let acao = "Access-Control-Allow-Origin";
        let acac = "Access-Control-Allow-Credentials";
        assert_eq!(
            err(&[], O, SameOrigin),
            Some((MissingAllowOriginHeader, "".into()))
        );
        assert_eq!(err(&[(acao, O)], O, SameOrigin), None);
        assert_eq!(
            err(&[(acao, "https://app.example.com/")], O, SameOrigin),
            Some((AllowOriginMismatch, "https://app.example.com/".into()))
        );
        assert_eq!(
            err(&[(acao, "https://APP.example.com")], O, Omit),
            Some((AllowOriginMismatch, "https://APP.example.com".into()))
        );
        assert_eq!(
            err(&[(acao, "https://app.example.com:443")], O, Omit),
            Some((AllowOriginMismatch, "https://app.example.com:443".into()))
        );
        assert_eq!(
            err(&[(acao, "app.example.com")], O, Omit),
            Some((InvalidAllowOriginValue, "app.example.com".into()))
        );
        assert_eq!(
            err(&[(acao, "")], O, Omit),
            Some((InvalidAllowOriginValue, "".into()))
        );
        assert_eq!(
            err(&[(acao, "null")], O, Omit),
            Some((AllowOriginMismatch, "null".into()))
        );
        assert_eq!(
            err(&[(acao, "null")], "null", Include),
            Some((InvalidAllowCredentials, "".into()))
        );
        assert_eq!(
            err(&[(acao, "null"), (acac, "true")], "null", Include),
            None
        );
        assert_eq!(
            err(&[(acao, "https://a.com, https://b.com")], O, Omit),
            Some((
                MultipleAllowOriginValues,
                "https://a.com, https://b.com".into()
            ))
        );
        assert_eq!(
            err(&[(acao, O), (acao, O)], O, Omit),
            Some((MultipleAllowOriginValues, format!("{O}, {O}")))
        );
        assert_eq!(
            err(&[(acao, "*"), (acac, "true")], O, Include),
            Some((WildcardOriginNotAllowed, "".into()))
        );
        assert_eq!(err(&[(acao, "*")], O, SameOrigin), None);
        assert_eq!(err(&[(acao, "*")], O, Omit), None);
        for bad in ["True", "TRUE", "1", "yes"] {
            assert_eq!(
                err(&[(acao, O), (acac, bad)], O, Include),
                Some((InvalidAllowCredentials, bad.into()))
            );
        }
        assert_eq!(
            err(&[(acao, O)], O, Include),
            Some((InvalidAllowCredentials, "".into()))
        );
        assert_eq!(err(&[(acao, O), (acac, " true ")], O, Include), None);
        assert_eq!(
            err(&[(acao, O), (acac, "true"), (acac, "true")], O, Include),
            Some((InvalidAllowCredentials, "true, true".into()))
        );
    }
}
