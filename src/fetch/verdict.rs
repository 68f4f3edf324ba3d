//! What the browser decided, and why: the output of the engine.

use serde::{Deserialize, Serialize};

use super::error::CorsError;
use super::preflight::{PreflightReason, PreflightResult};
use super::request::ResponseTainting;

/// The outcome of one page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The browser hands the response to script.
    Allowed,
    /// The browser refuses the request or hides the response from script.
    Blocked,
    /// The preflight was judged but the actual request was held back (safety).
    NotSent,
    /// The request could not be probed (DNS, connect, TLS, timeout): not a CORS result.
    Error,
}

impl Outcome {
    /// `allowed`, `blocked`, `not_sent`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Blocked => "blocked",
            Outcome::NotSent => "not_sent",
            Outcome::Error => "error",
        }
    }
}

/// Which exchange of a page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// The CORS-preflight `OPTIONS` request.
    Preflight,
    /// The actual request (or one of its redirect hops).
    Actual,
}

/// A transport failure class; never a CORS result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkErrorKind {
    /// Name resolution failed.
    Dns,
    /// TCP connect refused or unreachable.
    Connect,
    /// TLS handshake or certificate failure.
    Tls,
    /// Connect or read timed out.
    Timeout,
    /// The connection was reset or closed early.
    Io,
    /// The peer did not speak valid HTTP.
    Protocol,
}

impl NetworkErrorKind {
    /// Chromium's closest `net::ERR_*` name.
    pub fn net_error(self) -> &'static str {
        match self {
            NetworkErrorKind::Dns => "net::ERR_NAME_NOT_RESOLVED",
            NetworkErrorKind::Connect => "net::ERR_CONNECTION_REFUSED",
            NetworkErrorKind::Tls => "net::ERR_CERT_AUTHORITY_INVALID",
            NetworkErrorKind::Timeout => "net::ERR_TIMED_OUT",
            NetworkErrorKind::Io => "net::ERR_CONNECTION_RESET",
            NetworkErrorKind::Protocol => "net::ERR_INVALID_HTTP_RESPONSE",
        }
    }
}

/// Why a request the browser refused outright (no CORS error) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The URL did not parse.
    InvalidUrl,
    /// `fetch('https://user:pass@…')`: TypeError at Request construction.
    UrlHasCredentials,
    /// CONNECT, TRACE, TRACK, or not a method token.
    ForbiddenMethod,
    /// A non-simple method in `no-cors` mode.
    MethodNotAllowedInNoCors,
    /// Scheme other than http(s).
    UnsupportedScheme,
    /// An https page requesting an http URL that is not potentially trustworthy.
    MixedContent,
    /// `mode: 'same-origin'` with a cross-origin URL.
    SameOriginModeCrossOrigin,
    /// More than 20 redirects.
    TooManyRedirects,
    /// A redirect with `redirect: 'error'`.
    RedirectModeError,
    /// A redirect to a non-HTTP(S) URL or an unparsable Location.
    InvalidRedirect,
    /// `mode: 'same-origin'` and a redirect to another origin (Chromium: a security console
    /// message, no CorsError).
    SameOriginModeRedirectCrossOrigin,
    /// `mode: 'no-cors'` with a redirect mode other than `follow` (renderer-side; DevTools
    /// reports `NoCorsRedirectModeNotFollow`).
    NoCorsRedirectModeNotFollow,
    /// `mode: 'no-cors'` to another origin: the response is opaque (status 0, no headers, no
    /// body); script cannot read it, and no console error is printed.
    OpaqueResponse,
    /// `redirect: 'manual'`: an opaque-redirect response (status 0); nothing is readable.
    OpaqueRedirect,
    /// fetch() redirected to a URL with a username or password on a request that is not CORS:
    /// Chromium fails it without a console message (DevTools issue
    /// RequestedSubresourceWithEmbeddedCredentials).
    RedirectWithEmbeddedCredentials,
}

impl Refusal {
    /// The CorsError DevTools reports for a refusal made in the renderer (`Audits.issueAdded`,
    /// CorsIssue), if any: Chromium 148 reports `DisallowedByMode` for a cross-origin
    /// `same-origin`-mode request (fidelity scenario `mode-same-origin-cross`) and
    /// `NoCorsRedirectModeNotFollow` (scenario `redir-no-cors-manual`).
    pub fn cors_error(self) -> Option<CorsError> {
        match self {
            Refusal::SameOriginModeCrossOrigin => Some(CorsError::DisallowedByMode),
            Refusal::NoCorsRedirectModeNotFollow => Some(CorsError::NoCorsRedirectModeNotFollow),
            _ => None,
        }
    }
}

/// Why the request failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Failure {
    /// A CORS check failed.
    Cors {
        /// Chromium's CorsError.
        cors_error: CorsError,
        /// Chromium's failed parameter.
        failed_parameter: String,
        /// Which exchange failed.
        during: ExchangeKind,
        /// Status of the response that failed, if any.
        status: Option<u16>,
    },
    /// The browser refused before or outside CORS.
    Refused {
        /// Why.
        refusal: Refusal,
    },
    /// A transport failure.
    Network {
        /// Class.
        kind: NetworkErrorKind,
        /// Detail from the transport.
        detail: String,
        /// Which exchange failed.
        during: ExchangeKind,
    },
    /// Held back by corsprobe's safety rules.
    HeldBack {
        /// Why.
        reason: String,
    },
}

/// A non-blocking observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable kebab-case code.
    pub code: String,
    /// Human text.
    pub message: String,
}

impl Warning {
    /// New warning.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Warning {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// What each browser prints to the console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConsoleMessages {
    /// Chromium, request made with fetch().
    pub fetch: Option<String>,
    /// Chromium, request made with XMLHttpRequest.
    pub xhr: Option<String>,
    /// Firefox.
    pub firefox: Option<String>,
    /// Safari.
    pub safari: Option<String>,
}

/// The preflight part of a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightVerdict {
    /// Why a preflight was needed.
    pub reasons: Vec<PreflightReason>,
    /// What it established, when it passed.
    pub result: Option<PreflightResult>,
}

/// The browser's decision on one page request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Allowed, blocked, not sent, or error.
    pub outcome: Outcome,
    /// Why, when not allowed.
    pub failure: Option<Failure>,
    /// The URL script passed.
    pub initial_url: String,
    /// The last URL requested (after redirects).
    pub final_url: String,
    /// Redirects followed.
    pub redirects: u32,
    /// How the response was filtered (null when none reached script).
    pub response_tainting: Option<ResponseTainting>,
    /// Status script sees (0 for opaque responses).
    pub status: Option<u16>,
    /// Lowercase names of the response headers script can read.
    pub readable_headers: Vec<String>,
    /// The preflight, when one was needed.
    pub preflight: Option<PreflightVerdict>,
    /// Headers script set that the browser silently dropped.
    pub dropped_headers: Vec<String>,
    /// Non-blocking observations.
    pub warnings: Vec<Warning>,
    /// Console messages.
    pub console: ConsoleMessages,
}

impl Verdict {
    /// True unless allowed or not sent.
    pub fn blocked(&self) -> bool {
        matches!(self.outcome, Outcome::Blocked | Outcome::Error)
    }

    /// The CorsError, when a CORS check failed.
    pub fn cors_error(&self) -> Option<CorsError> {
        match &self.failure {
            Some(Failure::Cors { cors_error, .. }) => Some(*cors_error),
            Some(Failure::Refused { refusal }) => refusal.cors_error(),
            _ => None,
        }
    }

    /// Chromium's failed parameter, when a CORS check failed.
    pub fn failed_parameter(&self) -> Option<&str> {
        match &self.failure {
            Some(Failure::Cors {
                failed_parameter, ..
            }) => Some(failed_parameter),
            Some(Failure::Refused { refusal }) if refusal.cors_error().is_some() => Some(""),
            _ => None,
        }
    }
}
