//! `corsprobe serve`: a Prometheus exporter in the style of blackbox_exporter.
//!
//! Endpoints (GET):
//!
//! - `/probe?probe=NAME` runs the loaded probe file named NAME (its `name`, or its file stem) and
//!   answers with its series ([`metrics::render_probe`]); `&target=URL` points it at another base
//!   URL, only when URL matches an `--allow-target` pattern or is the file's own target (the
//!   exporter must never become an open proxy); `&debug=true` answers with the transcript of
//!   every request and the series that would have been returned.
//! - `/metrics`: the exporter's own series ([`metrics::render_exporter`]).
//! - `/-/healthy`: `Healthy`.
//! - `/`: the loaded probes.
//!
//! With `--interval SECS` every probe file runs on that schedule and `/probe` serves the last
//! results (503 until the first round finished); without it each scrape runs the probe.
//!
//! The HTTP side is deliberately small: one request per connection (`Connection: close`), a
//! 16 KiB head limit, a 10 s read timeout, GET and HEAD only.

pub mod metrics;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::cli::args::ServeArgs;
use crate::cli::config::{self, NetConfig};
use crate::cli::{execute, Executed, Status};
use crate::probe::ProbeSuite;
use metrics::ExporterStats;

const MAX_HEAD: usize = 16 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One probe file's last results.
#[derive(Clone)]
struct Last {
    executed: Executed,
    duration: f64,
}

struct Exporter {
    suites: Vec<ProbeSuite>,
    net: NetConfig,
    allow: Vec<String>,
    scheduled: bool,
    stats: Mutex<ExporterStats>,
    last: Mutex<BTreeMap<String, Last>>,
}

/// An HTTP answer.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Answer {
    fn text(status: u16, body: impl Into<String>) -> Answer {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
    fn metrics(body: String) -> Answer {
        Answer {
            status: 200,
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Exporter {
    fn refuse(&self, reason: &str, status: u16, msg: String) -> Answer {
        *lock(&self.stats)
            .refused
            .entry(reason.to_string())
            .or_default() += 1;
        Answer::text(status, msg)
    }

    async fn run_suite(&self, suite: &ProbeSuite) -> Result<Last, String> {
        let start = Instant::now();
        let plans = crate::probe::plan(suite);
        let mut net = self.net.clone();
        net.safety.allow_unsafe |= suite.allow_unsafe;
        let executed = execute(plans, &net, false, true, &mut |_| {}).await?;
        let last = Last {
            executed,
            duration: start.elapsed().as_secs_f64(),
        };
        let rows = &last.executed.rows;
        let ok = !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.status() == crate::report::wire::RowStatus::Passed);
        let mut st = lock(&self.stats);
        *st.probes.entry((suite.name.clone(), ok)).or_default() += 1;
        st.last_run.insert(suite.name.clone(), now_unix());
        Ok(last)
    }

    async fn probe(&self, query: &str) -> Answer {
        let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let Some(name) = params.get("probe") else {
            return self.refuse(
                "bad_request",
                400,
                "probe parameter is missing: /probe?probe=NAME".into(),
            );
        };
        let Some(suite) = self.suites.iter().find(|s| &s.name == name) else {
            return self.refuse(
                "unknown_probe",
                400,
                format!(
                    "unknown probe `{name}`; loaded: {}",
                    self.suites
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        };
        let debug = params.get("debug").is_some_and(|v| v == "true");
        let mut suite = suite.clone();
        let mut overridden = false;
        if let Some(t) = params.get("target") {
            let Ok(u) = url::Url::parse(t) else {
                return self.refuse("bad_request", 400, format!("target `{t}` is not a URL"));
            };
            if !matches!(u.scheme(), "http" | "https") {
                return self.refuse(
                    "target_not_allowed",
                    403,
                    format!("target `{u}` is not http(s)"),
                );
            }
            let same =
                u.as_str().trim_end_matches('/') == suite.target.as_str().trim_end_matches('/');
            if !same {
                if !self
                    .allow
                    .iter()
                    .any(|p| metrics::glob_match(p, u.as_str()))
                {
                    return self.refuse(
                        "target_not_allowed",
                        403,
                        format!("target `{u}` is not the probe's own and matches no --allow-target pattern"),
                    );
                }
                config::rebase(&mut suite, &u);
                overridden = true;
            }
        }
        let last = if self.scheduled && !overridden {
            match lock(&self.last).get(&suite.name).cloned() {
                Some(l) => l,
                None => {
                    return Answer::text(
                        503,
                        format!(
                            "no results for `{}` yet: the first scheduled round is running",
                            suite.name
                        ),
                    )
                }
            }
        } else {
            match self.run_suite(&suite).await {
                Ok(l) => l,
                Err(e) => return Answer::text(500, format!("probe failed: {e}")),
            }
        };
        let rows = &last.executed.rows;
        let body = metrics::render_probe(rows, last.duration);
        if !debug {
            return Answer::metrics(body);
        }
        let mut text = format!(
            "Probe {} against {} ({} requests, {:.3} s)\n",
            suite.name,
            suite.target,
            rows.len(),
            last.duration
        );
        for r in rows {
            text.push_str(&format!(
                "\n== {}: {}\n",
                r.title(),
                r.result.outcome.as_str()
            ));
            if let Some(m) = &r.result.console_message {
                text.push_str(&format!("console: {m}\n"));
            }
            if let Some(m) = &r.result.reason {
                text.push_str(&format!("reason: {m}\n"));
            }
            for h in &r.result.hops {
                text.push_str(&crate::report::junit::exchange_text(h));
            }
        }
        text.push_str("\nMetrics that would have been returned:\n");
        text.push_str(&body);
        Answer::text(200, text)
    }

    async fn answer(&self, method: &str, target: &str) -> Answer {
        if method != "GET" && method != "HEAD" {
            return self.refuse("bad_request", 405, "only GET and HEAD".into());
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        match path {
            "/probe" => self.probe(query).await,
            "/metrics" => {
                let names: Vec<String> = self.suites.iter().map(|s| s.name.clone()).collect();
                Answer::metrics(metrics::render_exporter(&lock(&self.stats), &names))
            }
            "/-/healthy" => Answer::text(200, "Healthy\n"),
            "/" => Answer {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: format!(
                    "<!DOCTYPE html><html><head><title>corsprobe exporter</title></head><body><h1>corsprobe exporter</h1><ul>{}</ul><p><a href=\"/metrics\">metrics</a></p></body></html>",
                    self.suites
                        .iter()
                        .map(|s| {
                            let n = crate::report::junit::xml_escape(&s.name);
                            let q: String = url::form_urlencoded::byte_serialize(s.name.as_bytes()).collect();
                            format!("<li><a href=\"/probe?probe={q}\">{n}</a> (<a href=\"/probe?probe={q}&amp;debug=true\">debug</a>)</li>")
                        })
                        .collect::<String>()
                ),
            },
            _ => Answer::text(404, "not found\n"),
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

async fn connection(mut stream: TcpStream, ex: Arc<Exporter>) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head = loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                break Ok((
                    req.method.unwrap_or("").to_string(),
                    req.path.unwrap_or("/").to_string(),
                ))
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => break Err(431),
            Ok(httparse::Status::Partial) => {}
            Err(_) => break Err(400),
        }
        match tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let (answer, head_only) = match head {
        Ok((m, t)) => (ex.answer(&m, &t).await, m == "HEAD"),
        Err(s) => (Answer::text(s, "bad request\n"), false),
    };
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        reason_phrase(answer.status),
        answer.content_type,
        answer.body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(answer.body.as_bytes());
    }
    let _ = stream.write_all(&out).await;
    let _ = stream.shutdown().await;
}

/// `corsprobe serve`.
pub async fn cmd_serve(a: ServeArgs) -> Status {
    let env = |k: &str| std::env::var(k).ok();
    let suites = match crate::probe::load_paths(&a.probes, &env) {
        Ok(s) => s,
        Err(errs) => {
            for e in errs {
                eprintln!("corsprobe: {e}");
            }
            return Status::Error;
        }
    };
    let mut names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        eprintln!("corsprobe: two probe files have the same name; names must be unique for /probe?probe=NAME");
        return Status::Error;
    }
    let net = match config::net_config(
        &a.net,
        suites.iter().filter_map(|s| s.rate_limit).reduce(f64::min),
    ) {
        // Probe files that all turned the rate limit off (`rate_limit = 0`) run unlimited
        // unless --rate-limit says otherwise (net_config would fall back to its default).
        Ok(mut n)
            if a.net.rate_limit.is_none() && suites.iter().all(|s| s.rate_limit.is_none()) =>
        {
            n.politeness.rate_per_host = None;
            n
        }
        Ok(n) => n,
        Err(e) => {
            eprintln!("corsprobe: {e}");
            return Status::Error;
        }
    };
    let interval = match a.interval {
        Some(s) if s.is_finite() && s >= 1.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            eprintln!("corsprobe: --interval {s}: at least 1 second");
            return Status::Error;
        }
        None => None,
    };
    let listener = match TcpListener::bind(&a.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("corsprobe: cannot listen on {}: {e}", a.listen);
            return Status::Error;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("corsprobe: {e}");
            return Status::Error;
        }
    };
    let ex = Arc::new(Exporter {
        suites,
        net,
        allow: a.allow_target.clone(),
        scheduled: interval.is_some(),
        stats: Mutex::new(ExporterStats::default()),
        last: Mutex::new(BTreeMap::new()),
    });
    eprintln!(
        "corsprobe serve: listening on http://{addr} ({} probe files: {})",
        ex.suites.len(),
        ex.suites
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(every) = interval {
        let ex = ex.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                for suite in &ex.suites {
                    match ex.run_suite(suite).await {
                        Ok(l) => {
                            lock(&ex.last).insert(suite.name.clone(), l);
                        }
                        Err(e) => eprintln!("corsprobe: scheduled run of {}: {e}", suite.name),
                    }
                }
                lock(&ex.stats).scheduled_runs += 1;
            }
        });
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Status::Ok,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let ex = ex.clone();
                tokio::spawn(async move { connection(stream, ex).await });
            }
        }
    }
}
