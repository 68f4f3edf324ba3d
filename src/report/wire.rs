//! The JSON contract. These types are what `--format json` prints; change them only with a
//! schema version bump (`corsprobe.check/v1`, `corsprobe.run/v1`).
//!
//! A request result (the `check` output, and each element of `run`'s `results`):
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema` | string | `corsprobe.check/v1` (check only) |
//! | `url`, `method`, `origin`, `credentials`, `mode`, `initiator` | string | the page request |
//! | `outcome` | string | `allowed`, `blocked`, `not_sent` (actual held back for safety), `error` (could not probe) |
//! | `blocked` | bool | the browser blocks it (also true for `error`) |
//! | `cors_error` | string/null | Chromium's DevTools `CorsError` name |
//! | `failed_parameter` | string/null | Chromium's `failedParameter` |
//! | `console_message` | string/null | Chromium's console text for the chosen initiator |
//! | `console_messages` | object | `fetch`, `xhr`, `firefox`, `safari` texts (null when allowed) |
//! | `reason` | string/null | one-line explanation |
//! | `refusal` | string/null | why the browser refused before/outside CORS (mixed content, …) |
//! | `network_error` | object/null | `{kind, message}` when the transport failed |
//! | `preflight` | object/null | `{request: {method, url, headers}, response: {status, headers} or null}`; headers are `[name, value]` pairs in wire order |
//! | `actual` | object/null | same shape, the last actual exchange; null when not sent |
//! | `hops` | array | every exchange in order, same shape |
//! | `exchanges` | number | HTTP exchanges sent |
//! | `readable_headers` | array | lowercase names script can read |
//! | `preflight_cache` | object/null | `{max_age_header, chrome_seconds, firefox_seconds, safari_seconds}` |
//! | `warnings` | array | `{code, message}` |
//! | `dropped_headers` | array | headers script set that the browser dropped |

use serde::Serialize;

use crate::fetch::verdict::{ConsoleMessages, Failure};
use crate::fetch::{HeaderList, Outcome, PageRequest, PreflightCacheLifetime, Verdict, Warning};
use crate::probe::{Exchange, Transcript};

/// Redacts secrets from a header value: `Authorization`, `Cookie`, `Set-Cookie`, API keys and
/// anything that looks like a token keeps only its scheme and a length.
pub fn redact_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let secret = matches!(
        lower.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
            | "x-api-key"
            | "x-amz-security-token"
    ) || lower.contains("token")
        || lower.contains("secret")
        || lower.contains("api-key")
        || lower.contains("apikey")
        || lower.contains("password");
    if !secret {
        return value.to_string();
    }
    if lower == "authorization" || lower == "proxy-authorization" {
        if let Some((scheme, rest)) = value.split_once(' ') {
            return format!("{scheme} <redacted {} bytes>", rest.len());
        }
    }
    if lower == "cookie" || lower == "set-cookie" {
        let names: Vec<&str> = value
            .split(';')
            .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.trim()))
            .take(if lower == "cookie" { usize::MAX } else { 1 })
            .collect();
        return format!(
            "{} <redacted>",
            names
                .iter()
                .map(|n| format!("{n}="))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    format!("<redacted {} bytes>", value.len())
}

/// Header pairs with secrets redacted.
pub fn redacted_pairs(h: &HeaderList) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| (n.to_string(), redact_header(n, v)))
        .collect()
}

/// Redacts userinfo and secret-looking query parameters in a URL.
pub fn redact_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username("redacted");
                let _ = url.set_password(None);
            }
            if url.query().is_some() {
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| {
                        let kl = k.to_ascii_lowercase();
                        let secret = [
                            "token",
                            "key",
                            "secret",
                            "password",
                            "signature",
                            "sig",
                            "auth",
                        ]
                        .iter()
                        .any(|s| kl.contains(s));
                        (
                            k.into_owned(),
                            if secret {
                                "redacted".to_string()
                            } else {
                                v.into_owned()
                            },
                        )
                    })
                    .collect();
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            url.to_string()
        }
        Err(_) => u.to_string(),
    }
}

/// `{method, url, headers}`.
#[derive(Serialize, Debug, Clone)]
pub struct WireRequest {
    /// Method.
    pub method: String,
    /// URL (secrets redacted).
    pub url: String,
    /// Header lines in wire order (secrets redacted).
    pub headers: Vec<(String, String)>,
}

/// `{status, headers}`.
#[derive(Serialize, Debug, Clone)]
pub struct WireResponse {
    /// Status.
    pub status: u16,
    /// HTTP version.
    pub version: String,
    /// Header lines in wire order (secrets redacted).
    pub headers: Vec<(String, String)>,
    /// The first bytes of the body.
    pub body_prefix: String,
}

/// One exchange.
#[derive(Serialize, Debug, Clone)]
pub struct WireExchange {
    /// `preflight` or `actual`.
    pub kind: &'static str,
    /// Request as sent.
    pub request: WireRequest,
    /// Response, null on transport failure.
    pub response: Option<WireResponse>,
    /// Transport failure.
    pub error: Option<WireNetworkError>,
    /// Timings in ms.
    pub timings: crate::probe::transport::Timings,
}

/// A transport failure.
#[derive(Serialize, Debug, Clone)]
pub struct WireNetworkError {
    /// `dns`, `connect`, `tls`, `timeout`, `io`, `protocol`.
    pub kind: crate::fetch::NetworkErrorKind,
    /// Detail.
    pub message: String,
}

impl WireExchange {
    /// From a transcript exchange.
    pub fn from_exchange(e: &Exchange) -> Self {
        WireExchange {
            kind: match e.kind {
                crate::fetch::ExchangeKind::Preflight => "preflight",
                crate::fetch::ExchangeKind::Actual => "actual",
            },
            request: WireRequest {
                method: e.request.method.clone(),
                url: redact_url(&e.request.url),
                headers: redacted_pairs(&e.request.headers),
            },
            response: e.response.as_ref().map(|r| WireResponse {
                status: r.status,
                version: r.version.clone(),
                headers: redacted_pairs(&r.headers),
                body_prefix: r.body_prefix.clone(),
            }),
            error: e.error.as_ref().map(|x| WireNetworkError {
                kind: x.kind,
                message: x.message.clone(),
            }),
            timings: e.timings.clone(),
        }
    }
}

/// The result of one page request (the `check` JSON object).
#[derive(Serialize, Debug, Clone)]
pub struct RequestResult {
    /// Schema id (check only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'static str>,
    /// URL script passed.
    pub url: String,
    /// Method as written.
    pub method: String,
    /// Page origin.
    pub origin: String,
    /// Credentials mode.
    pub credentials: String,
    /// Request mode.
    pub mode: String,
    /// fetch or xhr.
    pub initiator: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Blocked.
    pub blocked: bool,
    /// Chromium CorsError.
    pub cors_error: Option<String>,
    /// Chromium failed parameter.
    pub failed_parameter: Option<String>,
    /// Chromium console message for this initiator.
    pub console_message: Option<String>,
    /// Every console message.
    pub console_messages: ConsoleMessages,
    /// One-line reason.
    pub reason: Option<String>,
    /// Refusal code.
    pub refusal: Option<String>,
    /// Transport failure.
    pub network_error: Option<WireNetworkError>,
    /// Preflight exchange.
    pub preflight: Option<WireExchange>,
    /// Last actual exchange.
    pub actual: Option<WireExchange>,
    /// Every exchange in order (preflights, actual requests, redirect hops).
    pub hops: Vec<WireExchange>,
    /// Number of HTTP exchanges sent.
    pub exchanges: usize,
    /// Headers script can read.
    pub readable_headers: Vec<String>,
    /// Preflight cache lifetimes.
    pub preflight_cache: Option<PreflightCacheLifetime>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Dropped headers.
    pub dropped_headers: Vec<String>,
}

impl RequestResult {
    /// Builds the wire object.
    pub fn new(req: &PageRequest, verdict: &Verdict, transcript: &Transcript) -> Self {
        let console_message = match req.initiator {
            crate::fetch::Initiator::Fetch => verdict.console.fetch.clone(),
            crate::fetch::Initiator::Xhr => verdict.console.xhr.clone(),
        };
        let (refusal, network_error) = match &verdict.failure {
            Some(Failure::Refused { refusal }) => (
                Some(
                    serde_json::to_value(refusal)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                ),
                None,
            ),
            Some(Failure::Network { kind, detail, .. }) => (
                None,
                Some(WireNetworkError {
                    kind: *kind,
                    message: detail.clone(),
                }),
            ),
            _ => (None, None),
        };
        RequestResult {
            schema: None,
            url: redact_url(&req.url),
            method: req.method.clone(),
            origin: req.origin.serialize(),
            credentials: req.credentials.as_str().into(),
            mode: req.mode.as_str().into(),
            initiator: req.initiator.as_str().into(),
            outcome: verdict.outcome,
            blocked: verdict.blocked(),
            cors_error: verdict.cors_error().map(|e| e.name().to_string()),
            failed_parameter: verdict.failed_parameter().map(devtools_text),
            console_message,
            console_messages: verdict.console.clone(),
            reason: super::reason(verdict),
            refusal,
            network_error,
            preflight: transcript.preflight().map(WireExchange::from_exchange),
            actual: transcript.actual().map(WireExchange::from_exchange),
            hops: transcript
                .exchanges
                .iter()
                .map(WireExchange::from_exchange)
                .collect(),
            exchanges: transcript.exchanges.len(),
            readable_headers: verdict.readable_headers.clone(),
            preflight_cache: verdict
                .preflight
                .as_ref()
                .and_then(|p| p.result.as_ref())
                .map(|r| r.lifetime.clone()),
            warnings: verdict.warnings.clone(),
            dropped_headers: verdict.dropped_headers.clone(),
        }
    }
}

/// One row of a matrix run (`run`'s `results` elements, and each `--format jsonl` line).
#[derive(Serialize, Debug, Clone)]
pub struct RunRow {
    /// Suite name.
    pub suite: String,
    /// Route template.
    pub route: String,
    /// How the origin was derived.
    pub origin_source: String,
    /// Expectation.
    pub expect: Option<crate::probe::Expect>,
    /// Whether it was met (null without expectation).
    pub as_expected: Option<bool>,
    /// The request result.
    #[serde(flatten)]
    pub result: RequestResult,
}

/// How a row counts in CI reports: the same rule as the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    /// Allowed (or blocked as expected, or only the preflight sent and passed).
    Passed,
    /// Blocked without an expectation, or not as expected.
    Failed,
    /// Could not probe (network failure): not a CORS result.
    Error,
}

impl RunRow {
    /// Passed, failed or error, as the exit code counts it.
    pub fn status(&self) -> RowStatus {
        match (self.result.outcome, self.as_expected) {
            (Outcome::Error, _) => RowStatus::Error,
            (_, Some(false)) => RowStatus::Failed,
            (_, Some(true)) => RowStatus::Passed,
            (Outcome::Blocked, None) => RowStatus::Failed,
            _ => RowStatus::Passed,
        }
    }

    /// Milliseconds spent on the wire, all hops.
    pub fn total_ms(&self) -> f64 {
        self.result.hops.iter().map(|h| h.timings.total_ms).sum()
    }

    /// `GET /path from https://a.example (credentials include)`.
    pub fn title(&self) -> String {
        format!(
            "{} {} from {} (credentials {})",
            self.result.method,
            path_and_query(&self.result.url),
            self.result.origin,
            self.result.credentials
        )
    }
}

/// The path and query of a URL (the URL itself when it does not parse).
pub fn path_and_query(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(x) => {
            let mut p = x.path().to_string();
            if let Some(q) = x.query() {
                p.push('?');
                p.push_str(q);
            }
            p
        }
        Err(_) => u.to_string(),
    }
}

/// A header value as DevTools spells it. The engine holds header bytes isomorphic-decoded (one
/// char per byte, as the Fetch standard does); DevTools decodes the same bytes as UTF-8, so
/// `failedParameter` reads `http://äpp…` where the console message escapes the bytes
/// (`\u00C3\u00A4`). Chromium 148, fidelity scenario `raw-acao-non-ascii`.
fn devtools_text(value: &str) -> String {
    if value.is_ascii() || value.chars().any(|c| c as u32 > 0xFF) {
        return value.to_string();
    }
    let bytes: Vec<u8> = value.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_secrets() {
        assert_eq!(
            redact_header("Authorization", "Bearer abc.def"),
            "Bearer <redacted 7 bytes>"
        );
        assert_eq!(
            redact_header("Cookie", "sid=123; theme=dark"),
            "sid=; theme= <redacted>"
        );
        assert_eq!(redact_header("X-Api-Key", "k123"), "<redacted 4 bytes>");
        assert_eq!(
            redact_header("Content-Type", "application/json"),
            "application/json"
        );
        assert_eq!(
            redact_url("https://u:p@x.com/a?token=1&b=2"),
            "https://redacted@x.com/a?token=redacted&b=2"
        );
    }
}
