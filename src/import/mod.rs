//! From DevTools to a terminal: rebuilds the page request a browser made from what DevTools
//! exports, "Copy as cURL" ([`curl`], Chrome's and Firefox's bash and Windows cmd flavours) and
//! HAR files ([`har`]).
//!
//! What the browser sent is more than what script asked for. The rebuild keeps the method, the
//! URL, the body and the headers script set, and turns the rest into the page request's
//! settings ([`rebuild`]):
//!
//! - the page's origin from `Origin`, else from `Referer`;
//! - the credentials mode from cookies (`Cookie`, curl `-b`): `include` when the browser sent
//!   them (and the cookies count as `SameSite=None`, since they were sent), `same-origin`
//!   otherwise (the fetch default);
//! - the request mode from `Sec-Fetch-Mode`;
//! - headers the browser adds by itself are dropped and listed: `User-Agent`, `Accept-Encoding`,
//!   `Accept-Language`, `Referer`, `Origin`, `Cookie`, `Connection`, `Host`, `Content-Length`,
//!   `Priority`, `sec-ch-ua*`, `sec-fetch-*`, HTTP/2 pseudo-headers, `Accept: */*` (the fetch
//!   default), and `Pragma`/`Cache-Control: no-cache` when both come together (DevTools'
//!   "Disable cache");
//! - a copied preflight (`OPTIONS` with `Access-Control-Request-Method`) is turned back into the
//!   request it was for: that method, and the listed headers with placeholder values.
//!
//! Pure: no I/O, no network. Failures are [`ImportError`] values.

pub mod curl;
pub mod har;

use crate::fetch::{CredentialsMode, HeaderList, Initiator, Origin, PageRequest, RequestMode};

/// Why an import failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The cURL command line could not be split into words.
    #[error("cannot read the cURL command: {0}")]
    Syntax(String),
    /// Not a `curl` command.
    #[error("not a curl command (it starts with `{0}`)")]
    NotCurl(String),
    /// No URL in the command or entry.
    #[error("no URL found")]
    NoUrl,
    /// Neither `Origin` nor `Referer` names the page.
    #[error("the request carries neither Origin nor Referer: pass --origin")]
    NoOrigin,
    /// The page origin does not parse.
    #[error("page origin `{0}` is not an origin")]
    BadOrigin(String),
    /// The HAR file does not parse.
    #[error("not a HAR file: {0}")]
    Har(String),
    /// No HAR entry matches, or several do and none was chosen.
    #[error("{0}")]
    Entry(String),
}

/// A request as DevTools recorded it, before rebuilding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    /// Method as sent.
    pub method: String,
    /// URL.
    pub url: String,
    /// Header lines as sent (browser-added ones included).
    pub headers: Vec<(String, String)>,
    /// Cookies sent outside the header list (curl `-b`, HAR `cookies`).
    pub cookies: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// XMLHttpRequest rather than fetch (HAR `_resourceType: xhr`).
    pub xhr: bool,
}

/// The rebuilt page request and what was dropped to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The page request.
    pub request: PageRequest,
    /// Header names the browser added by itself (dropped), lowercase, in order.
    pub dropped: Vec<String>,
    /// Things worth telling the user (stable wording, one line each).
    pub notes: Vec<String>,
}

const BROWSER_ADDED: &[&str] = &[
    "user-agent",
    "accept-encoding",
    "accept-language",
    "referer",
    "origin",
    "cookie",
    "connection",
    "host",
    "content-length",
    "priority",
    "dnt",
    "te",
    "upgrade-insecure-requests",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
];

fn browser_added(name: &str, value: &str) -> bool {
    let l = name.to_ascii_lowercase();
    BROWSER_ADDED.contains(&l.as_str())
        || l.starts_with(':')
        || l.starts_with("sec-ch-ua")
        || l.starts_with("sec-fetch-")
        || (l == "accept" && value.trim() == "*/*")
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Rebuilds the page request. `origin` overrides the one found in the request.
pub fn rebuild(c: &Captured, origin: Option<&str>) -> Result<Imported, ImportError> {
    if c.url.is_empty() {
        return Err(ImportError::NoUrl);
    }
    let mut notes = Vec::new();
    let origin_text = match origin {
        Some(o) => o.to_string(),
        None => match (header(&c.headers, "origin"), header(&c.headers, "referer")) {
            (Some(o), _) => o.to_string(),
            (None, Some(r)) => match url::Url::parse(r) {
                Ok(u) => {
                    let o = Origin::of_url(&u).serialize();
                    notes.push(format!("page origin {o} taken from Referer {r}"));
                    o
                }
                Err(_) => return Err(ImportError::BadOrigin(r.to_string())),
            },
            (None, None) => return Err(ImportError::NoOrigin),
        },
    };
    let page_origin =
        Origin::parse(&origin_text).map_err(|_| ImportError::BadOrigin(origin_text.clone()))?;

    let disable_cache = header(&c.headers, "pragma").is_some_and(|v| v == "no-cache")
        && header(&c.headers, "cache-control").is_some_and(|v| v == "no-cache");
    if disable_cache {
        notes.push(
            "Pragma and Cache-Control: no-cache dropped (DevTools' \"Disable cache\" adds them)"
                .into(),
        );
    }

    let mut method = c.method.clone();
    let mut headers = HeaderList::new();
    let mut dropped = Vec::new();
    let preflight_for = header(&c.headers, "access-control-request-method")
        .filter(|_| c.method.eq_ignore_ascii_case("OPTIONS"));
    if let Some(m) = preflight_for {
        method = m.trim().to_string();
        notes.push(format!(
            "this is a preflight: rebuilt the {method} request it was sent for"
        ));
        if let Some(list) = header(&c.headers, "access-control-request-headers") {
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let value = if name == "content-type" {
                    "application/json"
                } else {
                    "x"
                };
                headers.append(name, value);
            }
        }
    }
    for (n, v) in &c.headers {
        let l = n.to_ascii_lowercase();
        let drop = browser_added(n, v)
            || (disable_cache && (l == "pragma" || l == "cache-control"))
            || preflight_for.is_some();
        if drop {
            if !dropped.contains(&l) {
                dropped.push(l);
            }
        } else {
            headers.append(n.clone(), v.clone());
        }
    }

    let cookies = c
        .cookies
        .clone()
        .or_else(|| header(&c.headers, "cookie").map(String::from));
    let mut req = PageRequest::new(c.url.clone(), page_origin);
    req.method = method;
    req.headers = headers;
    req.body = if preflight_for.is_some() {
        None
    } else {
        c.body.clone().map(String::into_bytes)
    };
    req.credentials = if cookies.is_some() {
        CredentialsMode::Include
    } else {
        CredentialsMode::SameOrigin
    };
    if cookies.is_some() {
        // The browser did send them, so they were SameSite=None or the request same-site.
        req.cookie_same_site = crate::fetch::request::CookieSameSite::None;
        notes.push("cookies were sent: credentials mode include".into());
    }
    req.cookies = cookies;
    if let Some(m) = header(&c.headers, "sec-fetch-mode") {
        match m.parse::<RequestMode>() {
            Ok(mode) => req.mode = mode,
            Err(_) => notes.push(format!(
                "Sec-Fetch-Mode `{m}` is not a fetch() mode (a navigation?): judged as cors"
            )),
        }
    }
    if let Some(r) = header(&c.headers, "referer") {
        req.referrer = Some(r.to_string());
    }
    if c.xhr {
        req.initiator = Initiator::Xhr;
    }
    Ok(Imported {
        request: req,
        dropped,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(method: &str, headers: &[(&str, &str)]) -> Captured {
        Captured {
            method: method.into(),
            url: "https://api.example.com/items".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Captured::default()
        }
    }

    #[test]
    fn rebuild_origin_from_referer_when_origin_absent() {
        let i = rebuild(
            &cap(
                "GET",
                &[("Referer", "https://app.example.com/shop/cart?x=1")],
            ),
            None,
        )
        .expect("rebuilds");
        assert_eq!(i.request.origin.serialize(), "https://app.example.com");
        assert!(i.request.headers.is_empty());
        assert_eq!(i.dropped, vec!["referer"]);
    }

    #[test]
    fn rebuild_without_origin_or_referer_asks_for_origin() {
        assert_eq!(
            rebuild(&cap("GET", &[("X-A", "1")]), None).unwrap_err(),
            ImportError::NoOrigin
        );
        assert!(rebuild(&cap("GET", &[]), Some("https://a.example")).is_ok());
    }

    #[test]
    fn rebuild_copied_preflight_becomes_the_actual_request() {
        let i = rebuild(
            &cap(
                "OPTIONS",
                &[
                    ("Origin", "https://app.example.com"),
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "content-type,x-trace"),
                    ("Sec-Fetch-Mode", "cors"),
                ],
            ),
            None,
        )
        .expect("rebuilds");
        assert_eq!(i.request.method, "PUT");
        let names: Vec<&str> = i.request.headers.iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["content-type", "x-trace"]);
    }

    #[test]
    fn rebuild_disable_cache_pair_is_dropped_but_script_cache_control_kept() {
        let both = rebuild(
            &cap(
                "GET",
                &[
                    ("Origin", "https://a.example"),
                    ("Pragma", "no-cache"),
                    ("Cache-Control", "no-cache"),
                ],
            ),
            None,
        )
        .expect("rebuilds");
        assert!(both.request.headers.is_empty());
        let one = rebuild(
            &cap(
                "GET",
                &[
                    ("Origin", "https://a.example"),
                    ("Cache-Control", "no-cache"),
                ],
            ),
            None,
        )
        .expect("rebuilds");
        assert_eq!(one.request.headers.len(), 1);
    }
}
