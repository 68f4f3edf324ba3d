//! Interim stand-in for `corsprobe check --format json` built from the library (engine +
//! transport), used only while the binary has no `check` subcommand, or when
//! `CORSPROBE_FIDELITY_VIA=lib` asks for it. It produces the fields of the check JSON
//! contract that the comparison reads.

use std::net::SocketAddr;

use corsprobe::fetch::{BrowserProfile, HeaderList, Origin, PageRequest};
use corsprobe::probe::run::{probe_one, HostLimits, Politeness, Safety};
use corsprobe::probe::transport::{Transport, TransportConfig};
use serde_json::{json, Value};

pub struct Args<'a> {
    pub url: String,
    pub origin: &'a str,
    pub method: &'a str,
    pub headers: Vec<(String, String)>,
    pub credentials: &'a str,
    pub mode: &'a str,
    pub redirect: Option<&'a str>,
    pub body: Option<String>,
    pub resolve: Vec<(String, u16)>,
}

pub fn check(a: Args<'_>) -> Result<Value, String> {
    let origin = Origin::parse(a.origin).map_err(|e| format!("origin: {e:?}"))?;
    let mut req = PageRequest::new(a.url.clone(), origin);
    req.method = a.method.to_string();
    let mut h = HeaderList::new();
    for (n, v) in &a.headers {
        h.append(n.clone(), v.clone());
    }
    req.headers = h;
    req.credentials = a.credentials.parse().map_err(|_| "credentials")?;
    req.mode = a.mode.parse().map_err(|_| "mode")?;
    if let Some(r) = a.redirect {
        req.redirect = r.parse().map_err(|_| "redirect")?;
    }
    req.body = a.body.map(String::into_bytes);
    req.cookies = Some(format!("{}={}", super::chromium::COOKIE.0, super::chromium::COOKIE.1));
    let config = TransportConfig {
        resolve: a
            .resolve
            .iter()
            .map(|(h, p)| (h.clone(), *p, SocketAddr::from(([127, 0, 0, 1], *p))))
            .collect(),
        ..TransportConfig::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let probed = rt.block_on(async {
        let transport = Transport::new(config).map_err(|e| format!("{e:?}"))?;
        let limits = HostLimits::new(Politeness { rate_per_host: None, ..Politeness::default() });
        Ok::<_, String>(
            probe_one(&transport, &limits, req, BrowserProfile::default(), &Safety { allow_unsafe: true }).await,
        )
    })?;
    let v = &probed.verdict;
    Ok(json!({
        "blocked": v.blocked(),
        "cors_error": v.cors_error().map(|e| e.name()),
        "failed_parameter": v.failed_parameter(),
        "console_messages": {"fetch": v.console.fetch, "xhr": v.console.xhr},
        "readable_headers": v.readable_headers,
        "preflight": Value::Null,
    }))
}
