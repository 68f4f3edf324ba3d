//! The Prometheus text exposition format (version 0.0.4) for probe results and for the
//! exporter itself. Pure: rows in, text out.
//!
//! `/probe` series (one probe file per scrape, blackbox_exporter style):
//!
//! | metric | labels | meaning |
//! |---|---|---|
//! | `corsprobe_probe_success` | | 1 when every request was as expected (or allowed, when nothing is expected) |
//! | `corsprobe_probe_duration_seconds` | | wall time of the whole probe |
//! | `corsprobe_probe_requests` | `outcome` | requests per outcome (`allowed`, `blocked`, `not_sent`, `error`) |
//! | `corsprobe_request_allowed` | `route, method, origin, credentials` | 1 when the browser lets script read the response (or, preflight only, would send it) |
//! | `corsprobe_request_as_expected` | same | 1 when the outcome met the expectation (or allowed without one) |
//! | `corsprobe_request_cors_error` | same + `cors_error` | 1 for the DevTools CorsError of a blocked request |
//! | `corsprobe_request_network_error` | same + `kind` | 1 when the request could not be probed |
//! | `corsprobe_request_status_code` | same + `exchange` | HTTP status of the preflight and of the (last) actual response |
//! | `corsprobe_request_duration_seconds` | same + `exchange, phase` | `dns`, `connect`, `tls`, `ttfb`, `total` per exchange |
//! | `corsprobe_request_preflight_max_age_seconds` | same + `browser` | how long each browser caches the preflight answer |

use std::fmt::Write as _;

use crate::report::wire::{RowStatus, RunRow, WireExchange};

/// Escapes a label value: backslash, double quote and newline.
pub fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "NaN".into()
    }
}

struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    samples: Vec<(String, String)>,
}

impl Family {
    fn new(name: &'static str, kind: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            kind,
            samples: Vec::new(),
        }
    }
    fn push(&mut self, labels: &[(&str, &str)], value: f64) {
        let l = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
            .collect::<Vec<_>>()
            .join(",");
        let l = if l.is_empty() { l } else { format!("{{{l}}}") };
        self.samples.push((l, num(value)));
    }
    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind);
        for (l, v) in &self.samples {
            let _ = writeln!(out, "{}{l} {v}", self.name);
        }
    }
}

/// Renders one probe's results. `duration` is the probe's wall time in seconds.
pub fn render_probe(rows: &[RunRow], duration: f64) -> String {
    let success = !rows.is_empty() && rows.iter().all(|r| r.status() == RowStatus::Passed);
    let mut f_success = Family::new(
        "corsprobe_probe_success",
        "gauge",
        "Whether every request of the probe was as expected.",
    );
    f_success.push(&[], if success { 1.0 } else { 0.0 });
    let mut f_duration = Family::new(
        "corsprobe_probe_duration_seconds",
        "gauge",
        "How long the probe took, in seconds.",
    );
    f_duration.push(&[], duration);
    let mut f_requests = Family::new(
        "corsprobe_probe_requests",
        "gauge",
        "Requests of the probe, by browser outcome.",
    );
    for o in ["allowed", "blocked", "not_sent", "error"] {
        let n = rows
            .iter()
            .filter(|r| r.result.outcome.as_str() == o)
            .count();
        f_requests.push(&[("outcome", o)], n as f64);
    }
    let mut f_allowed = Family::new(
        "corsprobe_request_allowed",
        "gauge",
        "Whether the browser lets script read the response (1) or blocks it (0).",
    );
    let mut f_expected = Family::new(
        "corsprobe_request_as_expected",
        "gauge",
        "Whether the outcome met the probe file's expectation (allowed, without one).",
    );
    let mut f_cors = Family::new(
        "corsprobe_request_cors_error",
        "gauge",
        "The DevTools CorsError of a blocked request.",
    );
    let mut f_net = Family::new(
        "corsprobe_request_network_error",
        "gauge",
        "The request could not be probed (not a CORS result).",
    );
    let mut f_status = Family::new(
        "corsprobe_request_status_code",
        "gauge",
        "HTTP status of the preflight and of the last actual response.",
    );
    let mut f_phase = Family::new(
        "corsprobe_request_duration_seconds",
        "gauge",
        "Time per exchange and phase (dns, connect, tls, ttfb, total), in seconds.",
    );
    let mut f_max_age = Family::new(
        "corsprobe_request_preflight_max_age_seconds",
        "gauge",
        "How long each browser caches the preflight answer, in seconds.",
    );
    for r in rows {
        let res = &r.result;
        let base = [
            ("route", r.route.as_str()),
            ("method", res.method.as_str()),
            ("origin", res.origin.as_str()),
            ("credentials", res.credentials.as_str()),
        ];
        let with = |extra: &[(&'static str, &str)]| -> Vec<(&str, String)> {
            base.iter()
                .map(|(k, v)| (*k, v.to_string()))
                .chain(extra.iter().map(|(k, v)| (*k, v.to_string())))
                .collect()
        };
        let push = |f: &mut Family, labels: Vec<(&str, String)>, v: f64| {
            let l: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
            f.push(&l, v);
        };
        let allowed = matches!(res.outcome.as_str(), "allowed" | "not_sent");
        push(&mut f_allowed, with(&[]), if allowed { 1.0 } else { 0.0 });
        push(
            &mut f_expected,
            with(&[]),
            if r.status() == RowStatus::Passed {
                1.0
            } else {
                0.0
            },
        );
        if let Some(e) = &res.cors_error {
            push(&mut f_cors, with(&[("cors_error", e)]), 1.0);
        }
        if let Some(e) = &res.network_error {
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            push(&mut f_net, with(&[("kind", &kind)]), 1.0);
        }
        let exchanges: [(&str, Option<&WireExchange>); 2] = [
            ("preflight", res.preflight.as_ref()),
            ("actual", res.actual.as_ref()),
        ];
        for (kind, ex) in exchanges {
            let Some(ex) = ex else { continue };
            if let Some(resp) = &ex.response {
                push(
                    &mut f_status,
                    with(&[("exchange", kind)]),
                    f64::from(resp.status),
                );
            }
            let t = &ex.timings;
            for (phase, ms) in [
                ("dns", t.dns_ms),
                ("connect", t.connect_ms),
                ("tls", t.tls_ms),
                ("ttfb", t.ttfb_ms),
                ("total", t.total_ms),
            ] {
                push(
                    &mut f_phase,
                    with(&[("exchange", kind), ("phase", phase)]),
                    ms / 1000.0,
                );
            }
        }
        if let Some(c) = &res.preflight_cache {
            for (b, s) in [
                ("chrome", c.chrome_seconds),
                ("firefox", c.firefox_seconds),
                ("safari", c.safari_seconds),
            ] {
                push(&mut f_max_age, with(&[("browser", b)]), s as f64);
            }
        }
    }
    let mut out = String::new();
    for f in [
        &f_success,
        &f_duration,
        &f_requests,
        &f_allowed,
        &f_expected,
        &f_cors,
        &f_net,
        &f_status,
        &f_phase,
        &f_max_age,
    ] {
        if !f.samples.is_empty() {
            f.write(&mut out);
        }
    }
    out
}

/// The exporter's own counters.
#[derive(Clone, Debug, Default)]
pub struct ExporterStats {
    /// `(probe, success)` → probes run.
    pub probes: std::collections::BTreeMap<(String, bool), u64>,
    /// Requests refused (`unknown probe`, `target not allowed`, bad request), by reason.
    pub refused: std::collections::BTreeMap<String, u64>,
    /// Scheduled rounds completed.
    pub scheduled_runs: u64,
    /// Unix time of each probe's last run.
    pub last_run: std::collections::BTreeMap<String, f64>,
}

/// Renders `/metrics`.
pub fn render_exporter(stats: &ExporterStats, loaded: &[String]) -> String {
    let mut out = String::new();
    let mut info = Family::new(
        "corsprobe_exporter_build_info",
        "gauge",
        "corsprobe version and the Chromium version whose CORS behaviour it follows.",
    );
    info.push(
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("chromium", crate::fetch::CHROMIUM_VERSION),
        ],
        1.0,
    );
    info.write(&mut out);
    let mut probes = Family::new(
        "corsprobe_exporter_probes_loaded",
        "gauge",
        "Probe files loaded.",
    );
    probes.push(&[], loaded.len() as f64);
    probes.write(&mut out);
    let mut runs = Family::new(
        "corsprobe_exporter_probe_runs_total",
        "counter",
        "Probe runs, by probe and result.",
    );
    for ((p, ok), n) in &stats.probes {
        runs.push(
            &[
                ("probe", p),
                ("result", if *ok { "success" } else { "failure" }),
            ],
            *n as f64,
        );
    }
    runs.write(&mut out);
    let mut refused = Family::new(
        "corsprobe_exporter_refused_total",
        "counter",
        "Requests refused, by reason.",
    );
    for (r, n) in &stats.refused {
        refused.push(&[("reason", r)], *n as f64);
    }
    refused.write(&mut out);
    let mut sched = Family::new(
        "corsprobe_exporter_scheduled_runs_total",
        "counter",
        "Scheduled rounds completed (--interval).",
    );
    sched.push(&[], stats.scheduled_runs as f64);
    sched.write(&mut out);
    let mut last = Family::new(
        "corsprobe_exporter_last_run_timestamp_seconds",
        "gauge",
        "Unix time of each probe's last run.",
    );
    for (p, t) in &stats.last_run {
        last.push(&[("probe", p)], *t);
    }
    last.write(&mut out);
    out
}

/// `--allow-target` patterns: `*` matches a run of characters other than `/`, `?`, `#` and `@`
/// (so it stays inside one host label run or one path segment), `**` matches anything;
/// everything else matches itself. Match against a parsed, re-serialized URL.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = &p[2..];
                (0..=t.len()).any(|i| go(rest, &t[i..]))
            }
            Some(b'*') => {
                let rest = &p[1..];
                let mut i = 0;
                loop {
                    if go(rest, &t[i..]) {
                        return true;
                    }
                    match t.get(i) {
                        Some(c) if !b"/?#@".contains(c) => i += 1,
                        _ => return false,
                    }
                }
            }
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn glob_matches_stars_only() {
        assert!(glob_match(
            "https://*.example.com/*",
            "https://api.example.com/prod"
        ));
        assert!(!glob_match(
            "https://*.example.com/*",
            "https://evil.com/?x=.example.com/"
        ));
        assert!(!glob_match(
            "https://*.example.com/*",
            "https://evil.com#.example.com/"
        ));
        assert!(!glob_match(
            "https://*.example.com/*",
            "https://api.example.com/a/b"
        ));
        assert!(glob_match(
            "https://*.example.com/**",
            "https://api.example.com/a/b?c"
        ));
        assert!(glob_match("http://127.0.0.1:*", "http://127.0.0.1:8080"));
        assert!(!glob_match("http://127.0.0.1:*", "http://127.0.0.2:8080"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn empty_probe_is_not_a_success() {
        let t = render_probe(&[], 0.5);
        assert!(t.contains("corsprobe_probe_success 0\n"), "{t}");
        assert!(t.contains("corsprobe_probe_duration_seconds 0.5\n"), "{t}");
    }

    #[test]
    fn metrics_series_for_a_blocked_row() {
        let rows = vec![crate::report::html::tests::blocked_row("https://a.example")];
        let text = crate::serve::metrics::render_probe(&rows, 0.25);
        assert!(text.contains("corsprobe_probe_success 0\n"), "{text}");
        assert!(text.contains(r#"corsprobe_request_allowed{route="/items",method="GET",origin="https://a.example",credentials="same-origin"} 0"#), "{text}");
        assert!(
            text.contains(r#"cors_error="InvalidAllowOriginValue"} 1"#),
            "{text}"
        );
        // Every family has HELP and TYPE once.
        for fam in ["corsprobe_probe_success", "corsprobe_request_cors_error"] {
            assert_eq!(text.matches(&format!("# TYPE {fam} ")).count(), 1);
        }
    }
}
