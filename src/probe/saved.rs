//! Saved runs (`corsprobe run --save FILE`) and their offline re-judging (`corsprobe judge`).
//!
//! A saved run is one JSON document, schema `corsprobe.saved/v1`: per page request the request
//! as script made it and every exchange as it went on the wire, with secrets redacted
//! (`Authorization`, `Cookie`, `Set-Cookie`, API keys and token-like headers keep their scheme
//! and length; secret-looking query parameters become `redacted` in the request URL, in every
//! hop URL and in `Location` headers alike, so redirect chains still line up on replay).
//! Redaction never changes a verdict: the engine looks at header names and at the values of
//! safelisted headers only, none of which is a secret.
//!
//! Re-judging feeds the recorded responses to a fresh engine ([`super::replay`]); no socket
//! is opened. Pure: reading and writing the file is the caller's business.

use serde::{Deserialize, Serialize};

use super::run::{replay, Safety, Transcript};
use super::suite::Expect;
use crate::fetch::{BrowserProfile, HeaderList, Outcome, PageRequest, Verdict};
use crate::report::wire::{redact_header, redact_url};

/// Schema id of a saved run.
pub const SAVED_SCHEMA: &str = "corsprobe.saved/v1";

/// A saved run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedRun {
    /// `corsprobe.saved/v1`.
    pub schema: String,
    /// The Chromium version whose rules judged it when it was saved.
    pub chromium: String,
    /// `[name, file, target]` per probe file.
    pub suites: Vec<(String, String, String)>,
    /// Page requests in plan order.
    pub requests: Vec<SavedRequest>,
}

/// One page request and its transcript.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedRequest {
    /// Suite name.
    pub suite: String,
    /// Route template.
    pub route: String,
    /// How the origin was derived.
    pub origin_source: String,
    /// Expectation.
    pub expect: Option<Expect>,
    /// Whether state-changing actual requests were allowed.
    pub allow_unsafe: bool,
    /// The request as script made it (secrets redacted).
    pub request: PageRequest,
    /// What went on the wire (secrets redacted).
    pub transcript: Transcript,
    /// The outcome when it was saved.
    pub outcome: Outcome,
}

fn redact_headers(h: &HeaderList) -> HeaderList {
    HeaderList(
        h.iter()
            .map(|(n, v)| {
                let v = if n.eq_ignore_ascii_case("location") {
                    redact_location(v)
                } else {
                    redact_header(n, v)
                };
                (n.to_string(), v)
            })
            .collect(),
    )
}

/// A `Location` value may be relative; only absolute URLs carry query secrets we can rewrite
/// without knowing the base.
fn redact_location(v: &str) -> String {
    if url::Url::parse(v).is_ok() {
        redact_url(v)
    } else {
        v.to_string()
    }
}

/// A request and its transcript, secrets redacted.
pub fn redacted(req: &PageRequest, transcript: &Transcript) -> (PageRequest, Transcript) {
    let mut r = req.clone();
    r.url = redact_url(&r.url);
    r.headers = redact_headers(&r.headers);
    r.cookies = r.cookies.as_deref().map(|c| redact_header("cookie", c));
    r.referrer = r.referrer.as_deref().map(redact_url);
    let mut t = transcript.clone();
    for e in &mut t.exchanges {
        e.request.url = redact_url(&e.request.url);
        e.request.headers = redact_headers(&e.request.headers);
        if let Some(resp) = &mut e.response {
            resp.headers = redact_headers(&resp.headers);
        }
    }
    (r, t)
}

/// Why a saved request could not be re-judged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JudgeError {
    /// The engine asked for an exchange the transcript does not hold.
    #[error("the engine would send a request the saved transcript does not hold (saved by a different corsprobe, or edited)")]
    TranscriptMismatch,
}

/// Re-judges one saved request by Chromium's rules, offline.
pub fn rejudge(s: &SavedRequest, profile: &BrowserProfile) -> Result<Verdict, JudgeError> {
    let safety = Safety {
        allow_unsafe: s.allow_unsafe,
    };
    replay(s.request.clone(), profile.clone(), &s.transcript, &safety)
        .ok_or(JudgeError::TranscriptMismatch)
}

/// Parses a saved run, checking its schema.
pub fn parse_saved(text: &str) -> Result<SavedRun, String> {
    let run: SavedRun = serde_json::from_str(text).map_err(|e| format!("not a saved run: {e}"))?;
    if run.schema != SAVED_SCHEMA {
        return Err(format!("schema `{}` is not `{SAVED_SCHEMA}`", run.schema));
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{ExchangeKind, Origin};
    use crate::probe::run::Exchange;
    use crate::probe::transport::{ReceivedResponse, SentRequest, Timings};

    fn exchange(
        kind: ExchangeKind,
        url: &str,
        req_h: &[(&str, &str)],
        status: u16,
        resp_h: &[(&str, &str)],
    ) -> Exchange {
        let mut rq = HeaderList::new();
        for (n, v) in req_h {
            rq.append(*n, *v);
        }
        let mut rs = HeaderList::new();
        for (n, v) in resp_h {
            rs.append(*n, *v);
        }
        Exchange {
            kind,
            request: SentRequest {
                method: "GET".into(),
                url: url.into(),
                headers: rq,
                body_len: 0,
            },
            response: Some(ReceivedResponse {
                version: "HTTP/1.1".into(),
                status,
                headers: rs,
                body_prefix: String::new(),
                body_len: 0,
            }),
            error: None,
            timings: Timings::default(),
        }
    }

    #[test]
    fn saved_request_is_redacted_and_still_replays_through_a_redirect() {
        // Invariant: literal, valid origin.
        let origin = Origin::parse("https://app.example.com").expect("valid origin");
        let mut req = PageRequest::new("https://api.example.com/a?token=s3cret&x=1", origin);
        req.headers.append("Authorization", "Bearer abc.def");
        req.credentials = crate::fetch::CredentialsMode::Include;
        req.cookies = Some("sid=42".into());
        let acao = ("Access-Control-Allow-Origin", "https://app.example.com");
        let acac = ("Access-Control-Allow-Credentials", "true");
        let t = Transcript {
            exchanges: vec![
                exchange(
                    ExchangeKind::Preflight,
                    "https://api.example.com/a?token=s3cret&x=1",
                    &[],
                    204,
                    &[
                        acao,
                        acac,
                        ("Access-Control-Allow-Headers", "authorization"),
                    ],
                ),
                exchange(
                    ExchangeKind::Actual,
                    "https://api.example.com/a?token=s3cret&x=1",
                    &[("Authorization", "Bearer abc.def"), ("Cookie", "sid=42")],
                    302,
                    &[
                        acao,
                        acac,
                        ("Location", "https://api.example.com/b?sig=zzz"),
                    ],
                ),
                // The preflight cache is keyed by URL: the redirect target needs its own.
                exchange(
                    ExchangeKind::Preflight,
                    "https://api.example.com/b?sig=zzz",
                    &[],
                    204,
                    &[
                        acao,
                        acac,
                        ("Access-Control-Allow-Headers", "authorization"),
                    ],
                ),
                exchange(
                    ExchangeKind::Actual,
                    "https://api.example.com/b?sig=zzz",
                    &[],
                    200,
                    &[acao, acac, ("Set-Cookie", "sid=43; Path=/")],
                ),
            ],
        };
        let (r, t2) = redacted(&req, &t);
        let text = serde_json::to_string(&(&r, &t2)).expect("serializable");
        for secret in ["s3cret", "abc.def", "sid=42", "zzz", "sid=43"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        let saved = SavedRequest {
            suite: "s".into(),
            route: "/a".into(),
            origin_source: "listed".into(),
            expect: None,
            allow_unsafe: false,
            request: r,
            transcript: t2,
            outcome: Outcome::Allowed,
        };
        let original = replay(req, BrowserProfile::default(), &t, &Safety::default());
        let v = rejudge(&saved, &BrowserProfile::default()).expect("replays");
        assert_eq!(Some(v.outcome), original.map(|o| o.outcome));
        assert_eq!(v.outcome, Outcome::Allowed);
        assert_eq!(v.redirects, 1);
    }

    #[test]
    fn saved_run_with_wrong_schema_is_refused() {
        let e = parse_saved(
            r#"{"schema":"corsprobe.run/v1","chromium":"1","suites":[],"requests":[]}"#,
        )
        .unwrap_err();
        assert!(e.contains("corsprobe.saved/v1"), "{e}");
    }
}
