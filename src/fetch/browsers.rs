//! Other browsers' view of a Chromium verdict: the documented rules where Firefox and Safari
//! decide or report differently (design notes `browser-cors.md` §3.3), applied to a verdict the
//! engine reached by Chromium's rules. Pure; used by `corsprobe judge --browser`.
//!
//! What differs, per browser, and what this module does about it:
//!
//! | rule | Chromium | Firefox | Safari | here |
//! |---|---|---|---|---|
//! | preflight cache cap / invalid max-age | 7200 s / 5 s | 86400 s / not cached | 600 s / 5 s | lifetime per browser ([`super::cache`]), difference noted |
//! | preflight non-2xx without ACAO | reason: missing ACAO (origin checked first) | missing ACAO | reason: status (status checked first) | Safari's reason and message use the status |
//! | preflight 3xx | "Redirect is not allowed" before header checks | external redirect | "not successful. Status code: 30x" | Safari reports the status |
//! | client-hint headers (`DPR`, `Width`, `Viewport-Width`, `Device-Memory`, `RTT`, `Downlink`, `ECT`, `Save-Data`, `Intervention`) set by script | safelisted when valid: no preflight | unsafe: preflight | unsafe: preflight | cannot be judged offline when Chromium sent no preflight |
//! | `User-Agent` set by script | silently dropped | kept, unsafe: preflight | unverified | cannot be judged offline (Firefox) when Chromium sent no preflight |
//! | several ACAO values / lines | MultipleAllowOriginValues | mismatch / multiple | "more than one origin" | message per browser (already rendered by [`super::messages`]) |
//! | missing header reported | first in request order | first in sorted order | first in header-map order | message per browser |
//!
//! Everything else (wildcards and credentials, `Authorization` under `ACAH: *`, method
//! comparison, exposure) is decided alike in the three engines.

use serde::Serialize;

use super::cache::BrowserFamily;
use super::error::CorsError;
use super::request::PageRequest;
use super::verdict::{ExchangeKind, Failure, Outcome, Verdict, Warning};

/// Client-hint request headers Chromium safelists (and Firefox and Safari do not).
pub const CHROMIUM_ONLY_SAFELISTED: &[&str] = &[
    "dpr",
    "width",
    "viewport-width",
    "device-memory",
    "rtt",
    "downlink",
    "ect",
    "save-data",
    "intervention",
];

/// One browser's view of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrowserView {
    /// The browser.
    pub browser: BrowserFamily,
    /// Its outcome; `None` when it would send a request Chromium did not (cannot be judged from
    /// a Chromium transcript).
    pub outcome: Option<Outcome>,
    /// Its console message (null when allowed).
    pub console_message: Option<String>,
    /// How long it caches the preflight answer, when a preflight passed.
    pub preflight_cache_seconds: Option<u64>,
    /// Where it differs from Chromium, with stable codes.
    pub differences: Vec<Warning>,
}

/// Applies `browser`'s documented differences to a Chromium verdict for `req`.
pub fn view(browser: BrowserFamily, req: &PageRequest, v: &Verdict) -> BrowserView {
    let lifetime = v
        .preflight
        .as_ref()
        .and_then(|p| p.result.as_ref())
        .map(|r| r.lifetime.clone());
    let mut out = BrowserView {
        browser,
        outcome: Some(v.outcome),
        console_message: match browser {
            BrowserFamily::Chrome => match req.initiator {
                super::request::Initiator::Fetch => v.console.fetch.clone(),
                super::request::Initiator::Xhr => v.console.xhr.clone(),
            },
            BrowserFamily::Firefox => v.console.firefox.clone(),
            BrowserFamily::Safari => v.console.safari.clone(),
        },
        preflight_cache_seconds: lifetime.as_ref().map(|l| l.seconds(browser)),
        differences: Vec::new(),
    };
    if browser == BrowserFamily::Chrome {
        return out;
    }
    let name = match browser {
        BrowserFamily::Firefox => "Firefox",
        _ => "Safari",
    };

    // Preflight cache lifetime.
    if let Some(l) = &lifetime {
        let theirs = l.seconds(browser);
        if theirs != l.chrome_seconds {
            out.differences.push(Warning::new(
                "preflight-cache-lifetime",
                format!(
                    "{name} keeps this preflight answer {theirs} s, Chromium {} s (Access-Control-Max-Age: {})",
                    l.chrome_seconds,
                    l.max_age_header.as_deref().unwrap_or("absent")
                ),
            ));
        }
    }

    // Headers Chromium safelists or drops but the other engine would preflight.
    let no_preflight = v.preflight.is_none();
    if no_preflight && req.mode == super::request::RequestMode::Cors {
        let mut extra: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| CHROMIUM_ONLY_SAFELISTED.contains(&n.to_ascii_lowercase().as_str()))
            .map(|(n, _)| n.to_string())
            .collect();
        if browser == BrowserFamily::Firefox {
            extra.extend(
                req.headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
                    .map(|(n, _)| n.to_string()),
            );
        }
        if !extra.is_empty() && !matches!(v.outcome, Outcome::Error) {
            out.outcome = None;
            out.differences.push(Warning::new(
                "needs-preflight",
                format!(
                    "{name} would send a preflight for {} (Chromium safelists or drops it and sent none), so this request cannot be judged from the saved transcript",
                    extra.join(", ")
                ),
            ));
        }
    }

    // Safari checks the preflight's status before its headers.
    if browser == BrowserFamily::Safari {
        if let Some(Failure::Cors {
            cors_error,
            during: ExchangeKind::Preflight,
            status: Some(status),
            ..
        }) = &v.failure
        {
            let not_2xx = !(200..300).contains(status);
            if not_2xx && *cors_error != CorsError::PreflightInvalidStatus {
                out.differences.push(Warning::new(
                    "safari-status-first",
                    format!(
                        "Safari checks the preflight status before its CORS headers: it reports status {status} where Chromium reports {}",
                        cors_error.name()
                    ),
                ));
                out.console_message = Some(format!(
                    "Preflight response is not successful. Status code: {status}"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{BrowserProfile, Fetch, HeaderList, IncomingResponse, Origin, Step};

    fn judge(req: PageRequest, responses: &[(u16, &[(&str, &str)])]) -> Verdict {
        let mut f = Fetch::new(req, BrowserProfile::default());
        let mut step = f.start();
        let mut i = 0;
        loop {
            match step {
                Step::Done(v) => return *v,
                Step::Send(_) => {
                    let (status, hs) = responses[i];
                    i += 1;
                    let mut h = HeaderList::new();
                    for (n, v) in hs {
                        h.append(*n, *v);
                    }
                    step = f.receive(&IncomingResponse { status, headers: h });
                }
            }
        }
    }

    fn req(method: &str, headers: &[(&str, &str)]) -> PageRequest {
        // Invariant: a literal, valid origin.
        let mut r = PageRequest::new(
            "https://api.example.com/items",
            Origin::parse("https://app.example.com").expect("valid origin"),
        );
        r.method = method.into();
        for (n, v) in headers {
            r.headers.append(*n, *v);
        }
        r
    }

    #[test]
    fn safari_reports_preflight_status_first() {
        let r = req("PUT", &[]);
        let v = judge(r.clone(), &[(404, &[])]);
        assert_eq!(v.outcome, Outcome::Blocked);
        let chrome = view(BrowserFamily::Chrome, &r, &v);
        assert!(chrome.differences.is_empty());
        let safari = view(BrowserFamily::Safari, &r, &v);
        assert_eq!(safari.outcome, Some(Outcome::Blocked));
        assert_eq!(safari.differences[0].code, "safari-status-first");
        assert_eq!(
            safari.console_message.as_deref(),
            Some("Preflight response is not successful. Status code: 404")
        );
        let firefox = view(BrowserFamily::Firefox, &r, &v);
        assert!(firefox.differences.is_empty());
    }

    #[test]
    fn max_age_caps_differ_per_browser() {
        let r = req("PUT", &[]);
        let pre: &[(&str, &str)] = &[
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "86400"),
        ];
        let act: &[(&str, &str)] = &[("Access-Control-Allow-Origin", "https://app.example.com")];
        let v = judge(r.clone(), &[(204, pre), (200, act)]);
        assert_eq!(v.outcome, Outcome::Allowed);
        let s = view(BrowserFamily::Safari, &r, &v);
        assert_eq!(s.preflight_cache_seconds, Some(600));
        assert_eq!(s.differences[0].code, "preflight-cache-lifetime");
        let f = view(BrowserFamily::Firefox, &r, &v);
        assert_eq!(f.preflight_cache_seconds, Some(86400));
        assert_eq!(
            view(BrowserFamily::Chrome, &r, &v).preflight_cache_seconds,
            Some(7200)
        );
    }

    #[test]
    fn client_hint_header_cannot_be_judged_for_firefox() {
        let r = req("GET", &[("DPR", "2")]);
        let v = judge(
            r.clone(),
            &[(
                200,
                &[("Access-Control-Allow-Origin", "https://app.example.com")],
            )],
        );
        assert_eq!(v.outcome, Outcome::Allowed);
        assert!(v.preflight.is_none());
        assert_eq!(
            view(BrowserFamily::Chrome, &r, &v).outcome,
            Some(Outcome::Allowed)
        );
        let f = view(BrowserFamily::Firefox, &r, &v);
        assert_eq!(f.outcome, None);
        assert_eq!(f.differences[0].code, "needs-preflight");
    }
}
