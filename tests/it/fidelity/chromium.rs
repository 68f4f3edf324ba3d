//! Runs corpus scenarios in real Chromium and reads its answer from the DevTools protocol.
//!
//! Per scenario: fetch() (run `f`) and, for a subset, XMLHttpRequest (run `x`) from a page
//! of the scenario's origin; then `Network.loadingFailed.corsErrorStatus`, the console
//! message (`Log.entryAdded`, source `javascript`, category `cors`), what script observed,
//! and the requests as the scenario server received them.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use super::cdp::Browser;
use super::corpus::{Outcome, Recorded, Resp, Scenario};
use super::server::{Plan, Received, Reply, Server};

/// The cookie the browser holds for the API hosts (`--cookie` for corsprobe).
pub const COOKIE: (&str, &str) = ("sid", "42");

/// Placeholder values for one scenario.
pub struct Vars {
    pub app: String,
    pub api: String,
    pub other: String,
    pub origin: String,
}

impl Vars {
    pub fn new(srv: &Server, s: &Scenario) -> Vars {
        let app = srv.origin("app");
        let origin = if s.page == "sandboxed" {
            "null".to_string()
        } else {
            app.clone()
        };
        Vars {
            app,
            api: srv.origin("api"),
            other: srv.origin("other"),
            origin,
        }
    }

    fn hp(o: &str) -> &str {
        o.trim_start_matches("http://")
    }

    fn port(o: &str) -> &str {
        o.rsplit(':').next().unwrap_or_default()
    }

    /// Expands `{origin}`, `{app}`, `{api}`, `{other}`, `{*_hp}` (host:port), `{*_port}` and
    /// `{id}`; `{run}` is left to the server.
    pub fn expand(&self, s: &str, id: &str) -> String {
        s.replace("{origin}", &self.origin)
            .replace("{app_hp}", Self::hp(&self.app))
            .replace("{api_hp}", Self::hp(&self.api))
            .replace("{other_hp}", Self::hp(&self.other))
            .replace("{app_port}", Self::port(&self.app))
            .replace("{api_port}", Self::port(&self.api))
            .replace("{other_port}", Self::port(&self.other))
            .replace("{app}", &self.app)
            .replace("{api}", &self.api)
            .replace("{other}", &self.other)
            .replace("{id}", id)
    }

    /// The inverse of `expand` for observed text: ports and run letters become placeholders.
    pub fn normalize(&self, s: &str, id: &str) -> String {
        let mut out = s
            .replace(&self.app, "{app}")
            .replace(&self.api, "{api}")
            .replace(&self.other, "{other}")
            .replace(Self::hp(&self.app), "{app_hp}")
            .replace(Self::hp(&self.api), "{api_hp}")
            .replace(Self::hp(&self.other), "{other_hp}")
            .replace(&format!(":{}", Self::port(&self.app)), ":{app_port}")
            .replace(&format!(":{}", Self::port(&self.api)), ":{api_port}")
            .replace(&format!(":{}", Self::port(&self.other)), ":{other_port}");
        for run in ["f", "x", "c", "d"] {
            out = out.replace(&format!("/{run}/{id}"), &format!("/{{run}}/{id}"));
        }
        out
    }

    pub fn url(&self, s: &Scenario, run: &str) -> String {
        let base = match s.target.as_str() {
            "app" => &self.app,
            "other" => &self.other,
            _ => &self.api,
        };
        let base = match &s.url_userinfo {
            Some(ui) => base.replacen("http://", &format!("http://{ui}@"), 1),
            None => base.clone(),
        };
        format!("{base}/{run}/{}", s.id)
    }
}

pub fn plan(srv: &Server, s: &Scenario) -> Plan {
    let v = Vars::new(srv, s);
    let conv = |r: &Resp| Reply {
        status: r.status,
        headers: r.headers.iter().map(|h| v.expand(h, &s.id)).collect(),
        body: r.body.clone().unwrap_or_default(),
    };
    Plan {
        preflight: s.preflight.iter().map(conv).collect(),
        actual: s.actual.iter().map(conv).collect(),
    }
}

/// Names of headers script set, split from `Name: value`.
pub fn header_pairs(s: &Scenario) -> Vec<(String, String)> {
    s.headers
        .iter()
        .map(|h| {
            let (n, v) = h.split_once(':').unwrap_or((h, ""));
            (n.trim().to_string(), v.trim_start().to_string())
        })
        .collect()
}

/// Requests as the server received them, in the corpus' compact form:
/// `METHOD host/hop origin=<Origin or -> [+authorization] [+cookie]`.
pub fn request_lines(v: &Vars, id: &str, got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| {
            let origin = r
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("origin"))
                .map(|(_, o)| v.normalize(o, id))
                .unwrap_or_else(|| "-".into());
            let has = |name: &str| r.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
            let mut line = format!("{} {}/{} origin={}", r.method, r.host, r.hop, origin);
            // Credentials on the wire: never on preflights, dropped on cross-origin redirects.
            for (h, tag) in [("authorization", " +authorization"), ("cookie", " +cookie")] {
                if has(h) {
                    line.push_str(tag);
                }
            }
            line
        })
        .collect()
}

/// The first preflight's header lines as received; `User-Agent`'s value is elided.
pub fn preflight_lines(v: &Vars, id: &str, got: &[Received]) -> Vec<[String; 2]> {
    got.iter()
        .find(|r| r.method == "OPTIONS")
        .map(|r| {
            r.headers
                .iter()
                .map(|(n, val)| {
                    let val = if n.eq_ignore_ascii_case("user-agent") {
                        "{ua}".into()
                    } else {
                        v.normalize(val, id)
                    };
                    [n.clone(), val]
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Finds `(run, id)` of a URL on one of the scenario hosts.
fn run_and_id(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://")?;
    let rest = rest.split_once('@').map(|(_, r)| r).unwrap_or(rest);
    let (_, path) = rest.split_once('/')?;
    let mut segs = path.split(['/', '?']);
    let run = segs.next()?;
    let id = segs.next()?;
    if !matches!(run, "f" | "x") || id.is_empty() {
        return None;
    }
    Some((run.to_string(), id.to_string()))
}

/// URLs quoted or embedded in a console message.
fn urls_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http://") {
        let tail = &rest[i..];
        let end = tail.find(['\'', ' ', '"']).unwrap_or(tail.len());
        out.push(tail[..end].trim_end_matches('.'));
        rest = &tail[end..];
    }
    out
}

#[derive(Default)]
struct Observed {
    cors: Option<(String, String)>,
    /// From `Audits.issueAdded` (CorsIssue): covers refusals made in the renderer, which
    /// never reach `Network.loadingFailed` (e.g. `DisallowedByMode`).
    issue: Option<(String, String)>,
    net_error: Option<String>,
    console: Option<String>,
    /// Console messages of other sources (`security`), when no CORS message exists.
    other_console: Option<String>,
}

/// Runs every scenario (fetch, and XHR where eligible) and returns Chromium's answers by id.
pub fn run_all(
    b: &mut Browser,
    srv: &Server,
    scenarios: &[&Scenario],
) -> HashMap<String, Recorded> {
    let mut sessions: HashMap<&str, String> = HashMap::new();
    for page in ["app", "sandboxed"] {
        let url = if page == "app" {
            format!("{}/", srv.origin("app"))
        } else {
            format!("{}/sandboxed", srv.origin("app"))
        };
        sessions.insert(page, b.open_page(&url));
    }
    // A cookie (SameSite unset: Lax by default) on the page host and the API host, so the wire
    // shows when credentials are sent; none on `other`, as `corsprobe --cookie` stands for the
    // cookies of the target URL's host only.
    for host in ["app.example.test", "api.example.test"] {
        b.call(
            Some(&sessions["app"]),
            "Network.setCookie",
            json!({"name": COOKIE.0, "value": COOKIE.1, "domain": host, "path": "/"}),
        );
    }
    b.events.clear();
    let mut script: HashMap<(String, String), Value> = HashMap::new();
    for page in ["app", "sandboxed"] {
        let mut specs = Vec::new();
        for s in scenarios.iter().filter(|s| s.page == page) {
            let v = Vars::new(srv, s);
            let headers: Vec<[String; 2]> =
                header_pairs(s).into_iter().map(|(n, v)| [n, v]).collect();
            let body = s.body.as_ref().map(|b| v.expand(b, &s.id));
            for (run, kind) in [("f", "fetch"), ("x", "xhr")] {
                if kind == "xhr" && !s.xhr_eligible() {
                    continue;
                }
                specs.push(json!({
                    "key": [run, s.id], "kind": kind, "url": v.url(s, run), "method": s.method,
                    "headers": headers, "credentials": s.credentials, "mode": s.mode,
                    "body": body, "repeat": s.repeat.unwrap_or(1), "redirect": s.redirect,
                    "upload": s.xhr_upload.unwrap_or(false),
                    "then": s.then.as_ref().map(|t| json!({"credentials": t.credentials, "query": t.query})),
                }));
            }
        }
        for chunk in specs.chunks(48) {
            let arr = Value::Array(chunk.to_vec());
            let res = b.eval_await(&sessions[page], &format!("window.__corsprobeRun({arr})"));
            for (spec, r) in chunk
                .iter()
                .zip(res.as_array().expect("runner returns an array"))
            {
                let key = (
                    spec["key"][0].as_str().unwrap_or_default().to_string(),
                    spec["key"][1].as_str().unwrap_or_default().to_string(),
                );
                script.insert(key, r[0].clone());
            }
        }
    }
    // Console messages and loadingFailed may trail the script's view slightly.
    b.drain(Duration::from_millis(300), Duration::from_secs(3));

    let mut url_of: HashMap<String, String> = HashMap::new();
    let mut observed: HashMap<(String, String), Observed> = HashMap::new();
    for e in &b.events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" if p["initiator"]["type"] != "preflight" => {
                let id = p["requestId"].as_str().unwrap_or_default().to_string();
                let url = p["request"]["url"].as_str().unwrap_or_default().to_string();
                url_of.entry(id).or_insert(url);
            }
            "Network.loadingFailed" => {
                let Some(url) = p["requestId"].as_str().and_then(|r| url_of.get(r)) else {
                    continue;
                };
                let Some(key) = run_and_id(url) else { continue };
                let o = observed.entry(key).or_default();
                if o.net_error.is_none() {
                    o.net_error = p["errorText"].as_str().map(str::to_string);
                }
                if let Some(st) = p.get("corsErrorStatus") {
                    if o.cors.is_none() {
                        o.cors = Some((
                            st["corsError"].as_str().unwrap_or_default().to_string(),
                            st["failedParameter"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        ));
                    }
                }
            }
            "Audits.issueAdded" => {
                let d = &p["issue"]["details"]["corsIssueDetails"];
                if p["issue"]["code"] != "CorsIssue" || d["isWarning"] == true {
                    continue;
                }
                let Some(key) = d["request"]["url"].as_str().and_then(run_and_id) else {
                    continue;
                };
                let o = observed.entry(key).or_default();
                if o.issue.is_none() {
                    let st = &d["corsErrorStatus"];
                    o.issue = Some((
                        st["corsError"].as_str().unwrap_or_default().to_string(),
                        st["failedParameter"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ));
                }
            }
            "Log.entryAdded" => {
                let entry = &p["entry"];
                let text = entry["text"].as_str().unwrap_or_default();
                if entry["source"] == "security" {
                    if let Some(key) = urls_in(text).into_iter().find_map(run_and_id) {
                        let o = observed.entry(key).or_default();
                        if o.other_console.is_none() {
                            o.other_console = Some(text.trim_end().to_string());
                        }
                    }
                    continue;
                }
                if entry["source"] != "javascript" {
                    continue;
                }
                if entry["category"] != "cors" && !text.starts_with("Fetch API cannot load") {
                    continue;
                }
                if let Some(key) = urls_in(text).into_iter().find_map(run_and_id) {
                    let o = observed.entry(key).or_default();
                    if o.console.is_none() {
                        o.console = Some(text.to_string());
                    }
                }
            }
            _ => {}
        }
    }

    let mut out = HashMap::new();
    for s in scenarios {
        let v = Vars::new(srv, s);
        let mut outcome = |run: &str| -> Option<Outcome> {
            let key = (run.to_string(), s.id.clone());
            let r = script.get(&key)?;
            let obs = observed.remove(&key).unwrap_or_default();
            Some(make_outcome(&v, &s.id, r, obs))
        };
        let fetch = outcome("f").expect("every scenario has a fetch run");
        let xhr = outcome("x");
        let got = srv.received("f", &s.id);
        out.insert(
            s.id.clone(),
            Recorded {
                requests: request_lines(&v, &s.id, &got),
                preflight: preflight_lines(&v, &s.id, &got),
                fetch,
                xhr,
                xhr_requests: if s.xhr_upload.unwrap_or(false) {
                    request_lines(&v, &s.id, &srv.received("x", &s.id))
                } else {
                    Vec::new()
                },
            },
        );
    }
    out
}

fn make_outcome(v: &Vars, id: &str, r: &Value, obs: Observed) -> Outcome {
    let ok = r["ok"].as_bool().unwrap_or(false);
    let ty = r["type"].as_str().unwrap_or_default();
    let script = if ok {
        format!("{} {}", ty, r["status"])
    } else {
        v.normalize(r["error"].as_str().unwrap_or("error"), id)
    };
    let mut readable: Vec<String> = r["headers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    readable.sort();
    readable.dedup();
    let (cors_error, failed_parameter) = match obs.cors.or(obs.issue) {
        Some((e, p)) => (Some(e), Some(v.normalize(&p, id))),
        None => (None, None),
    };
    Outcome {
        blocked: !ok || ty.starts_with("opaque"),
        script,
        cors_error,
        failed_parameter,
        console: obs
            .console
            .or(obs.other_console)
            .map(|c| v.normalize(&c, id)),
        net_error: obs.net_error,
        readable_headers: readable,
    }
}

pub fn chromium_path() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("CORSPROBE_CHROMIUM") {
        if !p.is_empty() && Path::new(&p).exists() {
            return Some(p.into());
        }
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .map(Into::into)
}
