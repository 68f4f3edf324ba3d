//! Rendering results: the JSON contract ([`wire`]) and the human printer ([`human`]). Printers
//! are pure over a `Write`; nothing here touches the network.

pub mod findings;
pub mod html;
pub mod human;
pub mod junit;
pub mod wire;

use crate::fetch::verdict::{Failure, Refusal};
use crate::fetch::{CorsError, ExchangeKind, Verdict};

/// A one-line, plain-language reason for a verdict (null when allowed).
pub fn reason(v: &Verdict) -> Option<String> {
    let f = v.failure.as_ref()?;
    Some(match f {
        Failure::Cors {
            cors_error,
            failed_parameter,
            during,
            status,
        } => {
            let status = status.map(|s| format!(" (status {s})")).unwrap_or_default();
            let what = match during {
                ExchangeKind::Preflight => "the preflight response",
                ExchangeKind::Actual => "the response",
            };
            use CorsError::*;
            match cors_error {
                MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => format!("{what}{status} has no Access-Control-Allow-Origin header"),
                WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => format!("{what}{status} allows origin `*`, which browsers refuse for credentialed requests"),
                MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!("{what}{status} has several Access-Control-Allow-Origin values (`{failed_parameter}`); exactly one is allowed"),
                InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!("{what}{status} has an Access-Control-Allow-Origin value that is not an origin: `{failed_parameter}`"),
                AllowOriginMismatch | PreflightAllowOriginMismatch => format!("{what}{status} allows origin `{failed_parameter}`, which is not this page's origin"),
                InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!("{what}{status} must say `Access-Control-Allow-Credentials: true` for a credentialed request; it says `{failed_parameter}`"),
                PreflightInvalidStatus => format!("the preflight response{status} is not a 2xx"),
                PreflightDisallowedRedirect => format!("the preflight was redirected{status}; preflights may not redirect"),
                InvalidAllowMethodsPreflightResponse => "the preflight's Access-Control-Allow-Methods does not parse as a list of tokens".into(),
                InvalidAllowHeadersPreflightResponse => "the preflight's Access-Control-Allow-Headers does not parse as a list of tokens".into(),
                MethodDisallowedByPreflightResponse => format!("method `{failed_parameter}` is not in the preflight's Access-Control-Allow-Methods (compared case-sensitively)"),
                HeaderDisallowedByPreflightResponse => format!("request header `{failed_parameter}` is not in the preflight's Access-Control-Allow-Headers"),
                RedirectContainsCredentials => "a redirect Location carries a username or password".into(),
                other => other.name().to_string(),
            }
        }
        Failure::Refused { refusal } => match refusal {
            Refusal::InvalidUrl => "the URL does not parse".into(),
            Refusal::UrlHasCredentials => "fetch() refuses URLs with a username or password".into(),
            Refusal::ForbiddenMethod => "the method is forbidden or not a token".into(),
            Refusal::MethodNotAllowedInNoCors => {
                "no-cors mode allows only GET, HEAD and POST".into()
            }
            Refusal::UnsupportedScheme => "only http and https URLs can be fetched".into(),
            Refusal::MixedContent => {
                "an https page may not fetch an http URL (mixed content); this is not a CORS error"
                    .into()
            }
            Refusal::SameOriginModeCrossOrigin => {
                "mode 'same-origin' forbids cross-origin URLs".into()
            }
            Refusal::TooManyRedirects => "more than 20 redirects".into(),
            Refusal::OpaqueResponse => "mode 'no-cors' gives script an opaque response: status 0, no headers, no body (not a CORS error)".into(),
            Refusal::OpaqueRedirect => "redirect: 'manual' gives script an opaque-redirect response: status 0, nothing readable".into(),
            Refusal::RedirectWithEmbeddedCredentials => "fetch() refuses to follow a redirect to a URL with a username or password".into(),
            Refusal::RedirectModeError => "redirect: 'error' and the server redirected".into(),
            Refusal::InvalidRedirect => "the redirect Location is not an http(s) URL".into(),
            Refusal::SameOriginModeRedirectCrossOrigin => {
                "mode 'same-origin' forbids following a redirect to another origin".into()
            }
            Refusal::NoCorsRedirectModeNotFollow => {
                "no-cors mode requires redirect: 'follow'".into()
            }
        },
        Failure::Network {
            kind,
            detail,
            during,
        } => format!(
            "could not probe: {} during the {} ({detail})",
            serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            match during {
                ExchangeKind::Preflight => "preflight",
                ExchangeKind::Actual => "request",
            }
        ),
        Failure::HeldBack { reason } => reason.clone(),
    })
}
