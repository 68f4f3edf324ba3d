//! The CORS-preflight cache's lifetime rules per browser: how long a browser keeps a preflight
//! answer, which is why a fixed API can look broken (or a broken one fine) for a while.
//!
//! Spec: <https://fetch.spec.whatwg.org/#cors-preflight-cache> ("max-age … UA-defined limit",
//! default 5). Chromium `services/network/cors/preflight_result.cc` (cap 7200 s, parse failure ⇒
//! 5 s, negative ⇒ 0); Firefox `nsCORSListenerProxy.cpp` (digits only, cap 86400 s, anything
//! else ⇒ not cached); WebKit `CrossOriginPreflightResultCache.cpp` (cap 600 s).

use serde::{Deserialize, Serialize};

use super::headers::{trim_http_whitespace, HeaderList};

/// A browser whose rules corsprobe can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BrowserFamily {
    /// Chromium / Chrome / Edge (the reference).
    #[default]
    Chrome,
    /// Firefox.
    Firefox,
    /// Safari (WebKit).
    Safari,
}

impl std::str::FromStr for BrowserFamily {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "chrome" | "chromium" | "edge" => Ok(BrowserFamily::Chrome),
            "firefox" => Ok(BrowserFamily::Firefox),
            "safari" | "webkit" => Ok(BrowserFamily::Safari),
            _ => Err(format!("`{s}` is not one of: chrome, firefox, safari")),
        }
    }
}

/// Default max-age when the header is absent: 5 seconds in the spec and every engine.
pub const DEFAULT_MAX_AGE: u64 = 5;
/// Chromium's cap (`kMaxTimeout`, 2 hours).
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;
/// Firefox's cap (24 hours).
pub const FIREFOX_MAX_AGE_CAP: u64 = 86400;
/// WebKit's cap (10 minutes).
pub const SAFARI_MAX_AGE_CAP: u64 = 600;

/// How long each browser keeps a preflight answer, from the `Access-Control-Max-Age` lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightCacheLifetime {
    /// The header as received (lines joined with `, `), or null when absent.
    pub max_age_header: Option<String>,
    /// Seconds Chromium keeps the answer (0: not reused).
    pub chrome_seconds: u64,
    /// Seconds Firefox keeps it (0: not cached).
    pub firefox_seconds: u64,
    /// Seconds Safari keeps it.
    pub safari_seconds: u64,
}

impl PreflightCacheLifetime {
    /// Seconds for one browser.
    pub fn seconds(&self, browser: BrowserFamily) -> u64 {
        match browser {
            BrowserFamily::Chrome => self.chrome_seconds,
            BrowserFamily::Firefox => self.firefox_seconds,
            BrowserFamily::Safari => self.safari_seconds,
        }
    }
}

/// Computes each browser's lifetime from a preflight response's headers.
pub fn preflight_cache_lifetime(headers: &HeaderList) -> PreflightCacheLifetime {
    let header = headers.get("access-control-max-age");
    PreflightCacheLifetime {
        chrome_seconds: chromium_seconds(header.as_deref()),
        firefox_seconds: firefox_seconds(headers),
        safari_seconds: webkit_seconds(header.as_deref()),
        max_age_header: header,
    }
}

/// Chromium: `base::StringToInt64` on the normalized value; failure ⇒ 5 s; clamp to [0, 7200].
fn chromium_seconds(value: Option<&str>) -> u64 {
    match value.and_then(parse_int64_strict) {
        Some(v) if v <= 0 => 0,
        Some(v) => (v as u64).min(CHROMIUM_MAX_AGE_CAP),
        None => DEFAULT_MAX_AGE,
    }
}

/// WebKit: `parseIntegerAllowingTrailingJunk`-like; failure ⇒ 5 s; negative ⇒ 0; cap 600 s.
fn webkit_seconds(value: Option<&str>) -> u64 {
    match value.and_then(parse_int64_strict) {
        Some(v) if v <= 0 => 0,
        Some(v) => (v as u64).min(SAFARI_MAX_AGE_CAP),
        None => DEFAULT_MAX_AGE,
    }
}

/// Firefox: absent ⇒ 5 s; one line of digits only ⇒ that value capped at 86400; anything else
/// (several lines, a sign, a fraction) ⇒ not cached.
fn firefox_seconds(headers: &HeaderList) -> u64 {
    let lines: Vec<&str> = headers.values("access-control-max-age").collect();
    match lines.as_slice() {
        [] => DEFAULT_MAX_AGE,
        [one] => {
            let v = trim_http_whitespace(one);
            if v.is_empty() {
                return DEFAULT_MAX_AGE;
            }
            if !v.bytes().all(|b| b.is_ascii_digit()) {
                return 0;
            }
            v.parse::<u64>()
                .map(|n| n.min(FIREFOX_MAX_AGE_CAP))
                .unwrap_or(FIREFOX_MAX_AGE_CAP)
        }
        _ => 0,
    }
}

/// `base::StringToInt64`: optional sign then digits, nothing else, no surrounding whitespace.
fn parse_int64_strict(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().or_else(|| {
        if s.starts_with('-') {
            Some(i64::MIN)
        } else {
            Some(i64::MAX)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetime(lines: &[&str]) -> (u64, u64, u64) {
        let mut h = HeaderList::new();
        for l in lines {
            h.append("Access-Control-Max-Age", *l);
        }
        let l = preflight_cache_lifetime(&h);
        (l.chrome_seconds, l.firefox_seconds, l.safari_seconds)
    }

    // browser-cors.md §4 edge case 33 and §1(g).
    #[test]
    fn max_age_per_browser() {
        assert_eq!(lifetime(&[]), (5, 5, 5));
        assert_eq!(lifetime(&["86400"]), (7200, 86400, 600));
        assert_eq!(lifetime(&["600"]), (600, 600, 600));
        assert_eq!(lifetime(&["0"]), (0, 0, 0));
        assert_eq!(lifetime(&["-1"]), (0, 0, 0));
        assert_eq!(lifetime(&["600.5"]), (5, 0, 5));
        assert_eq!(lifetime(&["600", "600"]), (5, 0, 5));
        assert_eq!(lifetime(&["99999999999999999999"]), (7200, 86400, 600));
    }
}
