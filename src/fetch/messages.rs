//! Console messages, word for word, as each browser prints them.
//!
//! Chromium: `third_party/blink/renderer/platform/loader/cors/cors_error_string.cc`
//! (`GetErrorStringForConsoleMessage`, late-2025 text) and renderer fetch errors
//! (`fetch_manager.cc`). Firefox: `dom/locales/en-US/chrome/security/security.properties`.
//! WebKit: `CrossOriginAccessControl.cpp`, `ThreadableLoader.cpp`.

use super::error::CorsError;
use super::headers::{parse_token_list, trim_http_whitespace, HeaderList};
use super::request::Initiator;
use super::verdict::{ConsoleMessages, ExchangeKind, Failure, Refusal};

/// Everything the message renderers need.
#[derive(Clone, Debug)]
pub struct MessageContext<'a> {
    /// Page origin, serialized (`null` for opaque).
    pub origin: &'a str,
    /// The URL script passed.
    pub initial_url: &'a str,
    /// The last URL requested.
    pub final_url: &'a str,
    /// Request method as sent.
    pub method: &'a str,
    /// The failure.
    pub failure: &'a Failure,
    /// The failing response, if any.
    pub response: Option<(u16, &'a HeaderList)>,
    /// CORS-unsafe request-header names (request order), for Firefox's sorted report.
    pub unsafe_headers: &'a [String],
    /// Request headers as script set them (WebKit reports names as written).
    pub request_headers: &'a HeaderList,
}

/// Renders every browser's message for a failure.
pub fn console_messages(ctx: &MessageContext<'_>) -> ConsoleMessages {
    ConsoleMessages {
        fetch: chromium(ctx, Initiator::Fetch),
        xhr: chromium(ctx, Initiator::Xhr),
        firefox: firefox(ctx),
        safari: safari(ctx, Initiator::Fetch),
    }
}

/// Chromium `EncodeHint`: non-printable or non-ASCII characters become `\uXXXX`.
fn encode_hint(hint: &str) -> String {
    let mut out = String::with_capacity(hint.len());
    for c in hint.chars() {
        if (' '..='~').contains(&c) {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{:04X}", unit));
            }
        }
    }
    out
}

/// Chromium's reason text for a CorsError (`{REASON}` in browser-cors.md §2.2).
pub fn chromium_reason(error: CorsError, hint: &str, initiator: Initiator) -> String {
    use CorsError::*;
    let hint = encode_hint(hint);
    const NOCORS: &str = " Have the server send the header with a valid value.";
    const XHR_CREDS: &str = " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";
    let fetch = initiator == Initiator::Fetch;
    let xhr = initiator == Initiator::Xhr;
    match error {
        DisallowedByMode => "Cross origin requests are not allowed by request mode.".into(),
        InvalidResponse => "The response is invalid.".into(),
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => format!(
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.{}",
            if xhr { XHR_CREDS } else { "" }
        ),
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.".into()
        }
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one is allowed.{}",
            if fetch { NOCORS } else { "" }
        ),
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
            "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'.{}",
            if fetch { NOCORS } else { "" }
        ),
        AllowOriginMismatch | PreflightAllowOriginMismatch => format!(
            "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the supplied origin.{}",
            if fetch { NOCORS } else { "" }
        ),
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!(
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' which must be 'true' when the request's credentials mode is 'include'.{}",
            if xhr { XHR_CREDS } else { "" }
        ),
        // Chromium 148 lists the schemes sorted (fidelity scenario `redir-to-ftp`).
        CorsDisabledScheme => "Cross origin requests are only supported for protocol schemes: chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app.".into(),
        PreflightInvalidStatus => "It does not have HTTP ok status.".into(),
        PreflightDisallowedRedirect => "Redirect is not allowed for a preflight request.".into(),
        InvalidAllowMethodsPreflightResponse => {
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".into()
        }
        InvalidAllowHeadersPreflightResponse => {
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".into()
        }
        MethodDisallowedByPreflightResponse => format!(
            "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        HeaderDisallowedByPreflightResponse => format!(
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight response."
        ),
        RedirectContainsCredentials => format!(
            "Redirect location '{hint}' contains a username and password, which is disallowed for cross-origin requests."
        ),
        InsecureLocalNetwork => "The request client is not a secure context and the resource is in more-private address space `loopback`.".into(),
        InvalidLocalNetworkAccess => "Request had a target IP address space of `unknown` yet the resource is in address space `loopback`.".into(),
        LocalNetworkAccessPermissionDenied => "Permission was denied for this request to access the `loopback` address space.".into(),
        NoCorsRedirectModeNotFollow => "Request mode is \"no-cors\" but the redirect mode is not \"follow\".".into(),
    }
}

/// True when Chromium prefixes the reason with "Response to preflight request doesn't pass access
/// control check: ".
fn chromium_has_preflight_prefix(error: CorsError) -> bool {
    use CorsError::*;
    matches!(
        error,
        PreflightWildcardOriginNotAllowed
            | PreflightMissingAllowOriginHeader
            | PreflightMultipleAllowOriginValues
            | PreflightInvalidAllowOriginValue
            | PreflightAllowOriginMismatch
            | PreflightInvalidAllowCredentials
            | PreflightInvalidStatus
            | PreflightDisallowedRedirect
    )
}

/// Chromium's console message for a failure.
pub fn chromium(ctx: &MessageContext<'_>, initiator: Initiator) -> Option<String> {
    let kind = match initiator {
        Initiator::Fetch => "fetch",
        Initiator::Xhr => "XMLHttpRequest",
    };
    match ctx.failure {
        Failure::Cors {
            cors_error,
            failed_parameter,
            ..
        } => {
            let redirected = if ctx.initial_url != ctx.final_url {
                format!("(redirected from '{}') ", ctx.initial_url)
            } else {
                String::new()
            };
            let prefix = if chromium_has_preflight_prefix(*cors_error) {
                "Response to preflight request doesn't pass access control check: "
            } else {
                ""
            };
            Some(format!(
                "Access to {kind} at '{}' {redirected}from origin '{}' has been blocked by CORS policy: {prefix}{}",
                ctx.final_url,
                ctx.origin,
                chromium_reason(*cors_error, failed_parameter, initiator)
            ))
        }
        // XMLHttpRequest accepts a URL with credentials: nothing to print for it.
        Failure::Refused {
            refusal: Refusal::UrlHasCredentials,
        } if initiator == Initiator::Xhr => None,
        // Opaque responses and the embedded-credentials redirect print nothing.
        Failure::Refused {
            refusal:
                Refusal::OpaqueResponse
                | Refusal::OpaqueRedirect
                | Refusal::RedirectWithEmbeddedCredentials,
        } => None,
        Failure::Refused { refusal } => Some(chromium_refusal(ctx, *refusal, initiator)),
        Failure::Network { kind, .. } => Some(format!(
            "{} {} {}",
            ctx.method,
            ctx.final_url,
            kind.net_error()
        )),
        Failure::HeldBack { .. } => None,
    }
}

fn chromium_refusal(ctx: &MessageContext<'_>, refusal: Refusal, initiator: Initiator) -> String {
    let api = match initiator {
        Initiator::Fetch => "Failed to execute 'fetch' on 'Window'",
        Initiator::Xhr => "Failed to execute 'open' on 'XMLHttpRequest'",
    };
    let loader = match initiator {
        Initiator::Fetch => "Fetch API cannot load",
        Initiator::Xhr => "XMLHttpRequest cannot load",
    };
    match refusal {
        Refusal::InvalidUrl => format!("{api}: Failed to parse URL from {}", ctx.initial_url),
        Refusal::UrlHasCredentials => format!(
            "{api}: Request cannot be constructed from a URL that includes credentials: {}",
            ctx.initial_url
        ),
        Refusal::ForbiddenMethod => format!("{api}: '{}' HTTP method is unsupported.", ctx.method),
        Refusal::MethodNotAllowedInNoCors => {
            format!("{api}: '{}' is unsupported in no-cors mode.", ctx.method)
        }
        Refusal::UnsupportedScheme => {
            let scheme = ctx.final_url.split(':').next().unwrap_or("");
            format!("{loader} {}. URL scheme \"{scheme}\" is not supported.", ctx.final_url)
        }
        Refusal::MixedContent => format!(
            "Mixed Content: The page at '{}/' was loaded over HTTPS, but requested an insecure resource '{}'. This request has been blocked; the content must be served over HTTPS.",
            ctx.origin, ctx.final_url
        ),
        Refusal::SameOriginModeCrossOrigin => format!(
            "{loader} {}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {}.",
            ctx.final_url, ctx.origin
        ),
        Refusal::TooManyRedirects => {
            format!("{} {} net::ERR_TOO_MANY_REDIRECTS", ctx.method, ctx.final_url)
        }
        Refusal::RedirectModeError => format!("{} {} net::ERR_FAILED", ctx.method, ctx.final_url),
        Refusal::InvalidRedirect => {
            format!("{} {} net::ERR_UNSAFE_REDIRECT", ctx.method, ctx.final_url)
        }
        // Chromium 148 (fidelity scenario `mode-same-origin-redirect-cross`); the page URL is
        // taken as the origin's root, as for `Referer`.
        Refusal::SameOriginModeRedirectCrossOrigin => format!(
            "Unsafe attempt to load URL {} from frame with URL {}/. Domains, protocols and ports must match.",
            ctx.final_url, ctx.origin
        ),
        Refusal::NoCorsRedirectModeNotFollow => format!(
            "{loader} {}. Request mode is \"no-cors\" but the redirect mode is not \"follow\".",
            ctx.final_url
        ),
        // Never printed (see `chromium`); kept total for callers that render a text anyway.
        Refusal::OpaqueResponse | Refusal::OpaqueRedirect | Refusal::RedirectWithEmbeddedCredentials => {
            String::new()
        }
    }
}

const FF_PREFIX: &str =
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at";

/// Firefox's console message (security.properties), derived from Firefox's own order where it
/// differs from Chromium's.
pub fn firefox(ctx: &MessageContext<'_>) -> Option<String> {
    let url = ctx.final_url;
    let status = ctx
        .response
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| "(null)".into());
    let acao_lines = ctx
        .response
        .map(|(_, h)| h.count("access-control-allow-origin"))
        .unwrap_or(0);
    let header = |name: &str| {
        ctx.response
            .and_then(|(_, h)| h.get(name))
            .unwrap_or_default()
    };
    let reason = match ctx.failure {
        Failure::Cors {
            cors_error,
            failed_parameter,
            ..
        } => {
            use CorsError::*;
            match cors_error {
                MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                    format!("CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}.")
                }
                MultipleAllowOriginValues | PreflightMultipleAllowOriginValues if acao_lines > 1 => {
                    "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).".to_string()
                }
                MultipleAllowOriginValues
                | PreflightMultipleAllowOriginValues
                | InvalidAllowOriginValue
                | PreflightInvalidAllowOriginValue
                | AllowOriginMismatch
                | PreflightAllowOriginMismatch => format!(
                    "CORS header ‘Access-Control-Allow-Origin’ does not match ‘{failed_parameter}’)."
                ),
                WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                    return Some(format!(
                        "{FF_PREFIX} ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
                    ))
                }
                InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
                    "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).".to_string()
                }
                PreflightInvalidStatus => {
                    format!("CORS preflight response did not succeed). Status code: {status}.")
                }
                PreflightDisallowedRedirect => "CORS request external redirect not allowed).".into(),
                InvalidAllowMethodsPreflightResponse => format!(
                    "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Methods’).",
                    first_invalid_token(&header("access-control-allow-methods"))
                ),
                InvalidAllowHeadersPreflightResponse => format!(
                    "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Headers’).",
                    first_invalid_token(&header("access-control-allow-headers"))
                ),
                MethodDisallowedByPreflightResponse => {
                    "Did not find method in CORS header ‘Access-Control-Allow-Methods’).".into()
                }
                HeaderDisallowedByPreflightResponse => {
                    // Firefox reports the first missing name in sorted order.
                    let allowed: Vec<String> = parse_token_list(&header("access-control-allow-headers"))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|h| h.to_ascii_lowercase())
                        .collect();
                    let mut sorted = ctx.unsafe_headers.to_vec();
                    sorted.sort();
                    let name = sorted
                        .into_iter()
                        .find(|n| !allowed.contains(n))
                        .unwrap_or_else(|| failed_parameter.clone());
                    format!("header ‘{name}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).")
                }
                CorsDisabledScheme => "CORS request not http).".into(),
                _ => format!("CORS request did not succeed). Status code: {status}."),
            }
        }
        Failure::Network { .. } => "CORS request did not succeed). Status code: (null).".into(),
        Failure::Refused {
            refusal: Refusal::UnsupportedScheme,
        } => "CORS request not http).".into(),
        Failure::Refused {
            refusal: Refusal::MixedContent,
        } => return Some(format!("Blocked loading mixed active content “{url}”")),
        Failure::Refused {
            refusal: Refusal::OpaqueResponse | Refusal::OpaqueRedirect,
        } => return None,
        Failure::Refused { .. } => "CORS request did not succeed). Status code: (null).".into(),
        Failure::HeldBack { .. } => return None,
    };
    Some(format!("{FF_PREFIX} {url}. (Reason: {reason}"))
}

fn first_invalid_token(value: &str) -> String {
    value
        .split(',')
        .map(trim_http_whitespace)
        .find(|t| !t.is_empty() && !super::headers::is_token(t))
        .unwrap_or("")
        .to_string()
}

/// Safari's specific description followed by its generic line.
pub fn safari(ctx: &MessageContext<'_>, initiator: Initiator) -> Option<String> {
    use CorsError::*;
    let status = ctx.response.map(|(s, _)| s).unwrap_or(0);
    let desc = match ctx.failure {
        Failure::Cors {
            cors_error,
            failed_parameter,
            during,
            ..
        } => {
            // WebKit checks a preflight's status first, including redirects.
            if *during == ExchangeKind::Preflight && !(200..=299).contains(&status) && status != 0 {
                format!("Preflight response is not successful. Status code: {status}")
            } else {
                match cors_error {
                    WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.".into()
                    }
                    MultipleAllowOriginValues | PreflightMultipleAllowOriginValues
                        if failed_parameter.contains(',') =>
                    {
                        "Access-Control-Allow-Origin cannot contain more than one origin.".into()
                    }
                    MissingAllowOriginHeader
                    | PreflightMissingAllowOriginHeader
                    | MultipleAllowOriginValues
                    | PreflightMultipleAllowOriginValues
                    | InvalidAllowOriginValue
                    | PreflightInvalidAllowOriginValue
                    | AllowOriginMismatch
                    | PreflightAllowOriginMismatch => format!(
                        "Origin {} is not allowed by Access-Control-Allow-Origin. Status code: {status}",
                        ctx.origin
                    ),
                    InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
                        "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\".".into()
                    }
                    InvalidAllowMethodsPreflightResponse => format!(
                        "Header Access-Control-Allow-Methods has an invalid value: {}",
                        ctx.response.and_then(|(_, h)| h.get("access-control-allow-methods")).unwrap_or_default()
                    ),
                    InvalidAllowHeadersPreflightResponse => format!(
                        "Header Access-Control-Allow-Headers has an invalid value: {}",
                        ctx.response.and_then(|(_, h)| h.get("access-control-allow-headers")).unwrap_or_default()
                    ),
                    MethodDisallowedByPreflightResponse => {
                        format!("Method {failed_parameter} is not allowed by Access-Control-Allow-Methods.")
                    }
                    HeaderDisallowedByPreflightResponse => {
                        let name = ctx
                            .request_headers
                            .iter()
                            .map(|(n, _)| n)
                            .find(|n| n.eq_ignore_ascii_case(failed_parameter))
                            .unwrap_or(failed_parameter);
                        format!("Request header field {name} is not allowed by Access-Control-Allow-Headers.")
                    }
                    RedirectContainsCredentials => {
                        format!("redirection URL {} has credentials", ctx.final_url)
                    }
                    _ => "Cross-origin request blocked.".into(),
                }
            }
        }
        Failure::Network {
            during: ExchangeKind::Preflight,
            ..
        } => "CORS-preflight request was blocked".into(),
        Failure::Refused {
            refusal: Refusal::OpaqueResponse | Refusal::OpaqueRedirect,
        } => return None,
        Failure::Network { .. } | Failure::Refused { .. } => "Load failed".into(),
        Failure::HeldBack { .. } => return None,
    };
    let generic = match initiator {
        Initiator::Fetch => format!(
            "Fetch API cannot load {} due to access control checks.",
            ctx.final_url
        ),
        Initiator::Xhr => format!(
            "XMLHttpRequest cannot load {} due to access control checks.",
            ctx.final_url
        ),
    };
    Some(format!("{desc}\n{generic}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(
        failure: &'a Failure,
        headers: &'a HeaderList,
        empty: &'a [String],
    ) -> MessageContext<'a> {
        MessageContext {
            origin: "https://app.example.com",
            initial_url: "https://api.example.com/v1/items",
            final_url: "https://api.example.com/v1/items",
            method: "GET",
            failure,
            response: Some((200, headers)),
            unsafe_headers: empty,
            request_headers: headers,
        }
    }

    // Examples from browser-cors.md §2.2 (late-2025 text).
    #[test]
    fn chromium_preflight_missing_allow_origin() {
        let f = Failure::Cors {
            cors_error: CorsError::PreflightMissingAllowOriginHeader,
            failed_parameter: String::new(),
            during: ExchangeKind::Preflight,
            status: Some(403),
        };
        let h = HeaderList::new();
        let m = chromium(&ctx(&f, &h, &[]), Initiator::Fetch).unwrap();
        assert_eq!(m, "Access to fetch at 'https://api.example.com/v1/items' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    }

    #[test]
    fn chromium_xhr_header_disallowed_has_no_prefix() {
        let f = Failure::Cors {
            cors_error: CorsError::HeaderDisallowedByPreflightResponse,
            failed_parameter: "x-api-key".into(),
            during: ExchangeKind::Preflight,
            status: Some(200),
        };
        let h = HeaderList::new();
        let m = chromium(&ctx(&f, &h, &[]), Initiator::Xhr).unwrap();
        assert_eq!(m, "Access to XMLHttpRequest at 'https://api.example.com/v1/items' from origin 'https://app.example.com' has been blocked by CORS policy: Request header field x-api-key is not allowed by Access-Control-Allow-Headers in preflight response.");
    }

    #[test]
    fn encode_hint_escapes_non_printable() {
        assert_eq!(encode_hint("a\tb\u{e9}"), "a\\u0009b\\u00E9");
    }
}
