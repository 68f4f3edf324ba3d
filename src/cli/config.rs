//! Resolved configuration: flags validated and turned into engine and transport settings, once.

use std::net::SocketAddr;
use std::time::Duration;

use super::args::{CheckArgs, NetArgs};
use crate::fetch::{
    BrowserProfile, CredentialsMode, Initiator, Origin, PageRequest, RedirectMode, RequestMode,
};
use crate::probe::{Expect, Politeness, ProbeSuite, Safety, TransportConfig};

/// Network configuration.
#[derive(Clone, Debug)]
pub struct NetConfig {
    /// Transport.
    pub transport: TransportConfig,
    /// Politeness.
    pub politeness: Politeness,
    /// Safety.
    pub safety: Safety,
    /// Browser profile.
    pub profile: BrowserProfile,
}

/// `check` configuration.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    /// The page request.
    pub request: PageRequest,
    /// Network.
    pub net: NetConfig,
    /// Expectation.
    pub expect: Option<Expect>,
}

/// Parses `HOST:PORT:ADDR` (ADDR may be `[v6]`).
pub fn parse_resolve(s: &str) -> Result<(String, u16, SocketAddr), String> {
    let mut parts = s.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("--resolve `{s}`: expected HOST:PORT:ADDR"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("--resolve `{s}`: `{port}` is not a port"))?;
    let ip: std::net::IpAddr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| format!("--resolve `{s}`: `{addr}` is not an IP address"))?;
    Ok((host.to_ascii_lowercase(), port, SocketAddr::new(ip, port)))
}

/// Network flags → configuration. `suite_rate` is the probe files' rate limit, if any.
pub fn net_config(a: &NetArgs, suite_rate: Option<f64>) -> Result<NetConfig, String> {
    let resolve = a
        .resolve
        .iter()
        .map(|r| parse_resolve(r))
        .collect::<Result<Vec<_>, _>>()?;
    if !(a.connect_timeout > 0.0 && a.timeout > 0.0) {
        return Err("timeouts must be positive".into());
    }
    let rate = if a.no_rate_limit {
        None
    } else {
        a.rate_limit
            .or(suite_rate)
            .or(Some(10.0))
            .filter(|r| *r > 0.0)
    };
    let mut profile = BrowserProfile::default();
    if let Some(ua) = &a.user_agent {
        profile.user_agent = ua.clone();
    }
    Ok(NetConfig {
        transport: TransportConfig {
            connect_timeout: Duration::from_secs_f64(a.connect_timeout),
            read_timeout: Duration::from_secs_f64(a.timeout),
            resolve,
            insecure: a.insecure,
            cacert: a.cacert.clone(),
            http2: !a.no_http2,
            ..TransportConfig::default()
        },
        politeness: Politeness {
            rate_per_host: rate,
            concurrency_per_host: if a.no_rate_limit {
                a.concurrency.max(64)
            } else {
                a.concurrency.max(1)
            },
        },
        safety: Safety {
            allow_unsafe: a.allow_unsafe,
        },
        profile,
    })
}

/// Parses `Name: value`.
pub fn parse_header(h: &str) -> Result<(String, String), String> {
    let Some((n, v)) = h.split_once(':') else {
        return Err(format!("--header `{h}`: expected 'Name: value'"));
    };
    let n = n.trim();
    if !crate::fetch::headers::is_token(n) {
        return Err(format!("--header `{h}`: `{n}` is not a header name"));
    }
    Ok((n.to_string(), v.trim_start_matches([' ', '\t']).to_string()))
}

/// `check` flags → configuration. `har_text` is the `--har` file's content, read by the caller.
/// Imported requests (`--from-curl`, `--har`) come first; flags given alongside override them
/// (`--origin`, `-X`, `--credentials`, `--mode`, `--initiator`, `--cookie`, `--data`) or add to
/// them (`-H`). The import's notes are returned for the user.
pub fn check_config(
    a: &CheckArgs,
    har_text: Option<&str>,
) -> Result<(CheckConfig, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut req = if let Some(cmd) = &a.from_curl {
        let (captured, n) =
            crate::import::curl::parse_curl(cmd).map_err(|e| format!("--from-curl: {e}"))?;
        notes.extend(n);
        let imported = crate::import::rebuild(&captured, a.origin.as_deref())
            .map_err(|e| format!("--from-curl: {e}"))?;
        notes.extend(imported.notes);
        if !imported.dropped.is_empty() {
            notes.push(format!(
                "dropped headers the browser adds itself: {}",
                imported.dropped.join(", ")
            ));
        }
        imported.request
    } else if let Some(text) = har_text {
        let sel = crate::import::har::EntrySelector {
            index: a.entry,
            url_contains: a.url_contains.clone(),
        };
        let (index, captured) =
            crate::import::har::parse_har(text, &sel).map_err(|e| format!("--har: {e}"))?;
        notes.push(format!(
            "HAR entry {index}: {} {}",
            captured.method, captured.url
        ));
        let imported = crate::import::rebuild(&captured, a.origin.as_deref())
            .map_err(|e| format!("--har: {e}"))?;
        notes.extend(imported.notes);
        if !imported.dropped.is_empty() {
            notes.push(format!(
                "dropped headers the browser adds itself: {}",
                imported.dropped.join(", ")
            ));
        }
        imported.request
    } else {
        let (Some(url), Some(origin)) = (&a.url, &a.origin) else {
            return Err("a URL and --origin are needed (or --from-curl / --har)".into());
        };
        let origin = Origin::parse(origin).map_err(|e| format!("--origin: {e}"))?;
        PageRequest::new(url.clone(), origin)
    };
    if let Some(m) = &a.method {
        req.method = m.clone();
    }
    for h in &a.headers {
        let (n, v) = parse_header(h)?;
        req.headers.append(n, v);
    }
    if let Some(c) = &a.credentials {
        req.credentials = c
            .parse::<CredentialsMode>()
            .map_err(|e| format!("--credentials: {e}"))?;
    }
    if let Some(m) = &a.mode {
        req.mode = m
            .parse::<RequestMode>()
            .map_err(|e| format!("--mode: {e}"))?;
    }
    if let Some(i) = &a.initiator {
        req.initiator = i
            .parse::<Initiator>()
            .map_err(|e| format!("--initiator: {e}"))?;
    }
    req.redirect = a
        .redirect
        .parse::<RedirectMode>()
        .map_err(|e| format!("--redirect: {e}"))?;
    if let Some(d) = &a.data {
        req.body = Some(d.clone().into_bytes());
    }
    if let Some(c) = &a.cookie {
        req.cookies = Some(c.clone());
    }
    if let Some(ss) = &a.cookie_samesite {
        req.cookie_same_site = ss
            .parse::<crate::fetch::request::CookieSameSite>()
            .map_err(|e| format!("--cookie-samesite: {e}"))?;
    }
    req.use_cors_preflight = a.force_preflight;
    let expect = match a.expect.as_deref() {
        None => None,
        Some("allow") => Some(Expect::Allow),
        Some("block") => Some(Expect::Block),
        Some(o) => return Err(format!("--expect: `{o}` is not one of: allow, block")),
    };
    Ok((
        CheckConfig {
            request: req,
            net: net_config(&a.net, None)?,
            expect,
        },
        notes,
    ))
}

/// Points a suite at another base URL, keeping each route's path.
pub fn rebase(suite: &mut ProbeSuite, base: &url::Url) {
    let old = suite.target.as_str().trim_end_matches('/').to_string();
    let new = base.as_str().trim_end_matches('/').to_string();
    for r in &mut suite.routes {
        let s = r.url.as_str();
        if let Some(rest) = s.strip_prefix(&old) {
            if let Ok(u) = url::Url::parse(&format!("{new}{rest}")) {
                r.url = u;
            }
        }
    }
    suite.target = base.clone();
}
