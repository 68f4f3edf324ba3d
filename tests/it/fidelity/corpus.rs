//! The conformance corpus: scenarios as data in `tests/conformance/*.toml`.
//!
//! Loads scenario files, and writes them back in one canonical layout when Chromium's
//! answers are re-recorded. Knows nothing about Chromium or corsprobe.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CorpusFile {
    #[serde(default)]
    pub about: Option<String>,
    #[serde(rename = "scenario", default)]
    pub scenarios: Vec<Scenario>,
}

fn d_get() -> String {
    "GET".into()
}
fn d_api() -> String {
    "api".into()
}
fn d_app() -> String {
    "app".into()
}
fn d_same_origin() -> String {
    "same-origin".into()
}
fn d_cors() -> String {
    "cors".into()
}
fn d_200() -> u16 {
    200
}

/// One browser request and the server's dictated answers.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    /// Rules of browser-cors.md this scenario exercises (e.g. `§1c8`, `§4.1`).
    #[serde(default)]
    pub covers: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// `app` (http://app.example.test:P) or `sandboxed` (same URL, CSP sandbox: origin `null`).
    #[serde(default = "d_app")]
    pub page: String,
    /// Host the request goes to: `api`, `app` (same origin) or `other`.
    #[serde(default = "d_api")]
    pub target: String,
    /// `user:pass` put in the request URL itself.
    #[serde(default)]
    pub url_userinfo: Option<String>,
    #[serde(default = "d_get")]
    pub method: String,
    /// `Name: value` as script sets them.
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default = "d_same_origin")]
    pub credentials: String,
    #[serde(default = "d_cors")]
    pub mode: String,
    #[serde(default)]
    pub body: Option<String>,
    /// fetch()'s redirect mode (`follow` when absent); XHR always follows.
    #[serde(default)]
    pub redirect: Option<String>,
    /// The XHR run registers an upload listener (use-CORS-preflight flag); corsprobe is then
    /// also run with `--initiator xhr --force-preflight` and compared with the XHR answer.
    #[serde(default)]
    pub xhr_upload: Option<bool>,
    /// Also run with XMLHttpRequest (default: when mode is cors and credentials is not omit).
    #[serde(default)]
    pub xhr: Option<bool>,
    /// Send the same request this many times in a row (preflight cache scenarios).
    #[serde(default)]
    pub repeat: Option<u32>,
    /// A second request right after (preflight cache keys): other credentials and/or a query.
    #[serde(default)]
    pub then: Option<Then>,
    /// Responses to OPTIONS, by hop.
    #[serde(default)]
    pub preflight: Vec<Resp>,
    /// Responses to the request itself, by hop.
    #[serde(default)]
    pub actual: Vec<Resp>,
    #[serde(default)]
    pub chromium: Option<Recorded>,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Then {
    #[serde(default)]
    pub credentials: Option<String>,
    /// Query string (without `?`) added to the URL.
    #[serde(default)]
    pub query: Option<String>,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resp {
    #[serde(default = "d_200")]
    pub status: u16,
    /// Raw header lines, written byte for byte (placeholders expanded).
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub body: Option<String>,
}

/// Chromium's answer, as recorded (ports and run letters replaced by placeholders).
#[derive(Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// Requests the server received for the fetch() run: `METHOD host hop`.
    #[serde(default)]
    pub requests: Vec<String>,
    /// The first preflight as received, header lines in wire order.
    #[serde(default)]
    pub preflight: Vec<[String; 2]>,
    pub fetch: Outcome,
    #[serde(default)]
    pub xhr: Option<Outcome>,
    /// Requests received for the XHR run (recorded for `xhr_upload` scenarios only).
    #[serde(default)]
    pub xhr_requests: Vec<String>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub blocked: bool,
    /// What script saw: `cors 200`, `opaque 0`, `basic 200`, `xhr 200`, or the error text.
    pub script: String,
    #[serde(default)]
    pub cors_error: Option<String>,
    #[serde(default)]
    pub failed_parameter: Option<String>,
    #[serde(default)]
    pub console: Option<String>,
    /// `Network.loadingFailed.errorText` (e.g. `net::ERR_FAILED`), when the load failed.
    #[serde(default)]
    pub net_error: Option<String>,
    #[serde(default)]
    pub readable_headers: Vec<String>,
}

impl Scenario {
    pub fn xhr_eligible(&self) -> bool {
        self.xhr
            .unwrap_or(self.mode == "cors" && self.credentials != "omit" && self.redirect.is_none())
    }
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

pub fn load_all() -> Vec<(PathBuf, CorpusFile)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("read tests/conformance")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read corpus file");
            let f: CorpusFile =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, f)
        })
        .collect()
}

// ---- canonical writer -------------------------------------------------------------------

fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let one = format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    );
    if one.len() <= 90 {
        return one;
    }
    let mut s = String::from("[\n");
    for i in items {
        let _ = writeln!(s, "  {},", q(i));
    }
    s.push(']');
    s
}

fn resp(out: &mut String, table: &str, r: &Resp) {
    let _ = writeln!(out, "[[{table}]]");
    let _ = writeln!(out, "status = {}", r.status);
    if !r.headers.is_empty() {
        let _ = writeln!(out, "headers = {}", list(&r.headers));
    }
    if let Some(b) = &r.body {
        let _ = writeln!(out, "body = {}", q(b));
    }
}

fn outcome(out: &mut String, table: &str, o: &Outcome) {
    let _ = writeln!(out, "[{table}]");
    let _ = writeln!(out, "blocked = {}", o.blocked);
    let _ = writeln!(out, "script = {}", q(&o.script));
    if let Some(v) = &o.cors_error {
        let _ = writeln!(out, "cors_error = {}", q(v));
    }
    if let Some(v) = &o.failed_parameter {
        let _ = writeln!(out, "failed_parameter = {}", q(v));
    }
    if let Some(v) = &o.console {
        let _ = writeln!(out, "console = {}", q(v));
    }
    if let Some(v) = &o.net_error {
        let _ = writeln!(out, "net_error = {}", q(v));
    }
    let _ = writeln!(out, "readable_headers = {}", list(&o.readable_headers));
}

pub fn render(f: &CorpusFile) -> String {
    let mut out = String::new();
    if let Some(a) = &f.about {
        let _ = writeln!(out, "about = {}", q(a));
    }
    for s in &f.scenarios {
        out.push('\n');
        out.push_str("[[scenario]]\n");
        let _ = writeln!(out, "id = {}", q(&s.id));
        if !s.covers.is_empty() {
            let _ = writeln!(out, "covers = {}", list(&s.covers));
        }
        if let Some(n) = &s.note {
            let _ = writeln!(out, "note = {}", q(n));
        }
        if s.page != "app" {
            let _ = writeln!(out, "page = {}", q(&s.page));
        }
        if s.target != "api" {
            let _ = writeln!(out, "target = {}", q(&s.target));
        }
        if let Some(u) = &s.url_userinfo {
            let _ = writeln!(out, "url_userinfo = {}", q(u));
        }
        if s.method != "GET" {
            let _ = writeln!(out, "method = {}", q(&s.method));
        }
        if !s.headers.is_empty() {
            let _ = writeln!(out, "headers = {}", list(&s.headers));
        }
        if s.credentials != "same-origin" {
            let _ = writeln!(out, "credentials = {}", q(&s.credentials));
        }
        if s.mode != "cors" {
            let _ = writeln!(out, "mode = {}", q(&s.mode));
        }
        if let Some(b) = &s.body {
            let _ = writeln!(out, "body = {}", q(b));
        }
        if let Some(r) = &s.redirect {
            let _ = writeln!(out, "redirect = {}", q(r));
        }
        if let Some(x) = s.xhr_upload {
            let _ = writeln!(out, "xhr_upload = {x}");
        }
        if let Some(x) = s.xhr {
            let _ = writeln!(out, "xhr = {x}");
        }
        if let Some(r) = s.repeat {
            let _ = writeln!(out, "repeat = {r}");
        }
        if let Some(t) = &s.then {
            let mut parts = Vec::new();
            if let Some(c) = &t.credentials {
                parts.push(format!("credentials = {}", q(c)));
            }
            if let Some(qs) = &t.query {
                parts.push(format!("query = {}", q(qs)));
            }
            let _ = writeln!(out, "then = {{ {} }}", parts.join(", "));
        }
        for r in &s.preflight {
            resp(&mut out, "scenario.preflight", r);
        }
        for r in &s.actual {
            resp(&mut out, "scenario.actual", r);
        }
        if let Some(c) = &s.chromium {
            out.push_str("[scenario.chromium]\n");
            let _ = writeln!(out, "requests = {}", list(&c.requests));
            if !c.preflight.is_empty() {
                out.push_str("preflight = [\n");
                for [n, v] in &c.preflight {
                    let _ = writeln!(out, "  [{}, {}],", q(n), q(v));
                }
                out.push_str("]\n");
            }
            if !c.xhr_requests.is_empty() {
                let _ = writeln!(out, "xhr_requests = {}", list(&c.xhr_requests));
            }
            outcome(&mut out, "scenario.chromium.fetch", &c.fetch);
            if let Some(x) = &c.xhr {
                outcome(&mut out, "scenario.chromium.xhr", x);
            }
        }
    }
    out
}
