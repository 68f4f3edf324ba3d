//! corsprobe against Chromium: every corpus scenario through the real `corsprobe check`
//! binary (its own transport, against the same kind of scenario server, `--resolve` for the
//! `*.test` host names), compared with Chromium's recorded answer, which
//! `fidelity_chromium_confirms_recorded_corpus` re-confirms against a live Chromium in the
//! same test run.
//!
//! Compared: blocked; CorsError name; failed parameter; console message for fetch() and
//! XMLHttpRequest; readable response headers; the requests the server received (method,
//! host, hop, Origin); and the preflight's header lines, except those in
//! [`DELIBERATE_PREFLIGHT_DIFFERENCES`].
//!
//! Flags the binary does not offer (`--data`, `--cookie`, `--redirect`) are detected from
//! `corsprobe check --help`; a scenario that needs a missing one is listed as not expressible.

use std::collections::HashSet;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use super::chromium::{self, header_pairs, preflight_lines, request_lines, Vars};
use super::corpus::Scenario;
use super::server::Server;

/// Preflight header lines Chromium sends that corsprobe deliberately does not reproduce
/// exactly, with the reason. Everything else must match name for name, value for value.
pub const DELIBERATE_PREFLIGHT_DIFFERENCES: &[(&str, &str)] = &[
    ("user-agent", "corsprobe sends its own Chrome-like User-Agent (overridable); the exact Chromium build string is not a CORS input"),
    ("accept-encoding", "added by Chromium's network stack, not by the CORS preflight builder; depends on the build's decoders (Debian's Chromium: `gzip, deflate`)"),
    ("accept-language", "added by Chromium's network stack from the profile's language preferences, not by CORS"),
    ("connection", "hop-by-hop connection management of the network stack (`keep-alive`), not a CORS input"),
];

/// Disagreements known and not yet resolved: (scenario, compared field, why). Each entry must
/// still occur (a stale entry fails the test), so this list is exactly the open work.
pub const KNOWN_MISMATCHES: &[(&str, &str, &str)] = &[];

fn deliberate(name: &str) -> bool {
    DELIBERATE_PREFLIGHT_DIFFERENCES
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
}

fn check_help() -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .args(["check", "--help"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn non_empty(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty()).map(str::to_string)
}

/// `[name, value]` pairs from corsprobe's JSON header lists.
fn json_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some((
                        p.get(0)?.as_str()?.to_string(),
                        p.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn comparable_preflight(lines: &[[String; 2]]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = lines
        .iter()
        .filter(|[n, _]| !deliberate(n))
        .map(|[n, val]| (n.to_ascii_lowercase(), val.clone()))
        .collect();
    v.sort();
    v
}

/// The console text corsprobe must print for a Chromium outcome.
///
/// - A CORS (or security) console message: that text, word for word.
/// - No console message, and script got an exception from the API itself (`TypeError:
///   Failed to execute 'fetch' on 'Window': …`): that exception's message. Chromium logs it
///   only when the promise rejection goes unhandled; corsprobe reports it as the reason.
/// - Otherwise none (see [`console_as_compared`] for network errors).
fn expected_console(o: &super::corpus::Outcome) -> Option<String> {
    if o.console.is_some() {
        return o.console.clone();
    }
    let (name, rest) = o.script.split_once(": ")?;
    (name.ends_with("Error") && rest.starts_with("Failed to execute")).then(|| rest.to_string())
}

/// Network failures without a CORS message: Chromium writes no console entry of its own
/// (only `Failed to load resource: net::ERR_…`); DevTools' console view shows the failed
/// request as `METHOD URL net::ERR_…`, which corsprobe prints. Such a message counts as
/// "no message" when it names the same net error Chromium's `Network.loadingFailed` gave.
fn console_as_compared(o: &super::corpus::Outcome, got: Option<String>) -> Option<String> {
    match (&o.console, &o.net_error, &got) {
        (None, Some(err), Some(m)) if !err.is_empty() && m.ends_with(&format!(" {err}")) => None,
        _ => got,
    }
}

/// Runs one scenario through `corsprobe check` and lists every disagreement with Chromium.
fn compare_one(srv: &Server, s: &Scenario, help: &str) -> Result<Vec<(String, String)>, String> {
    let rec = s.chromium.as_ref().ok_or("no recorded Chromium answer")?;
    let v = Vars::new(srv, s);
    let j = run_binary(srv, s, &v, help, "c")?;
    let mut d = Vec::new();
    let mut eq = |what: &str, chromium: String, corsprobe: String| {
        if chromium != corsprobe {
            d.push((
                what.to_string(),
                format!("    {what}:\n      chromium:  {chromium}\n      corsprobe: {corsprobe}"),
            ));
        }
    };
    let f = &rec.fetch;
    eq(
        "blocked",
        f.blocked.to_string(),
        j["blocked"]
            .as_bool()
            .map(|b| b.to_string())
            .unwrap_or("?".into()),
    );
    eq(
        "cors_error",
        format!("{:?}", f.cors_error),
        format!("{:?}", j["cors_error"].as_str()),
    );
    // Chromium reports "" when an error has no parameter; corsprobe may say null.
    eq(
        "failed_parameter",
        format!("{:?}", non_empty(f.failed_parameter.as_deref())),
        format!(
            "{:?}",
            non_empty(j["failed_parameter"].as_str()).map(|p| v.normalize(&p, &s.id))
        ),
    );
    let msg = |k: &str| {
        j["console_messages"][k]
            .as_str()
            .map(|m| v.normalize(m, &s.id))
    };
    eq(
        "console (fetch)",
        format!("{:?}", expected_console(f)),
        format!("{:?}", console_as_compared(f, msg("fetch"))),
    );
    // With an upload listener Chromium's XHR is a different request: compared below (run `d`).
    if let Some(x) = rec.xhr.as_ref().filter(|_| !s.xhr_upload.unwrap_or(false)) {
        eq(
            "console (xhr)",
            format!("{:?}", expected_console(x)),
            format!("{:?}", console_as_compared(x, msg("xhr"))),
        );
    }
    if !f.blocked {
        let mut got: Vec<String> = j["readable_headers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        got.sort();
        got.dedup();
        eq(
            "readable_headers",
            format!("{:?}", f.readable_headers),
            format!("{got:?}"),
        );
    }
    let received = srv.received("c", &s.id);
    // corsprobe sends one page request; Chromium's follow-up requests are its own record.
    if s.repeat.unwrap_or(1) == 1 && s.then.is_none() {
        eq(
            "requests received",
            format!("{:?}", rec.requests),
            format!("{:?}", request_lines(&v, &s.id, &received)),
        );
    }
    let sent_preflight = preflight_lines(&v, &s.id, &received);
    eq(
        "preflight header lines",
        format!("{:?}", comparable_preflight(&rec.preflight)),
        format!("{:?}", comparable_preflight(&sent_preflight)),
    );
    // corsprobe's transcript must say what went on the wire.
    if let Some(pf) = j["preflight"].as_object() {
        let reported: Vec<[String; 2]> = json_pairs(&pf["request"]["headers"])
            .into_iter()
            .map(|(n, val)| {
                [
                    n.clone(),
                    if n.eq_ignore_ascii_case("user-agent") {
                        "{ua}".into()
                    } else {
                        v.normalize(&val, &s.id)
                    },
                ]
            })
            .collect();
        let wire: HashSet<(String, String)> = sent_preflight
            .iter()
            .map(|[n, v]| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        let missing: Vec<_> = reported
            .iter()
            .map(|[n, v]| (n.to_ascii_lowercase(), v.clone()))
            .filter(|p| !wire.contains(p) && p.0 != "host")
            .collect();
        if !missing.is_empty() {
            d.push(("transcript".into(), format!("    transcript: preflight headers reported but not received by the server: {missing:?}")));
        }
    }
    if s.xhr_upload.unwrap_or(false) {
        if let Some(x) = &rec.xhr {
            let j = run_binary(srv, s, &v, help, "d")?;
            let got = request_lines(&v, &s.id, &srv.received("d", &s.id));
            let pairs = [
                (
                    "xhr-upload blocked",
                    x.blocked.to_string(),
                    j["blocked"].to_string(),
                ),
                (
                    "xhr-upload cors_error",
                    format!("{:?}", x.cors_error),
                    format!("{:?}", j["cors_error"].as_str()),
                ),
                (
                    "xhr-upload console",
                    format!("{:?}", expected_console(x)),
                    format!(
                        "{:?}",
                        console_as_compared(
                            x,
                            j["console_messages"]["xhr"]
                                .as_str()
                                .map(|m| v.normalize(m, &s.id))
                        )
                    ),
                ),
                (
                    "xhr-upload requests received",
                    format!("{:?}", rec.xhr_requests),
                    format!("{got:?}"),
                ),
            ];
            for (what, a, b) in pairs {
                if a != b {
                    d.push((
                        what.to_string(),
                        format!("    {what}:\n      chromium:  {a}\n      corsprobe: {b}"),
                    ));
                }
            }
        }
    }
    Ok(d)
}

#[test]
fn fidelity_corsprobe_matches_chromium() {
    let help = check_help().expect("`corsprobe check --help` must succeed");
    let files = super::all_scenarios();
    let scenarios: Vec<&Scenario> = files.iter().flat_map(|(_, f)| &f.scenarios).collect();
    let srv = Server::start();
    for s in &scenarios {
        srv.set_plan(&s.id, chromium::plan(&srv, s));
    }
    let started = std::time::Instant::now();
    type Diffs = Result<Vec<(String, String)>, String>;
    let results: Mutex<Vec<(usize, String, Diffs)>> = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|sc| {
        for _ in 0..3 {
            sc.spawn(|| loop {
                let i = {
                    let mut n = next.lock().expect("index lock");
                    *n += 1;
                    *n - 1
                };
                let Some(s) = scenarios.get(i) else { break };
                let r = compare_one(&srv, s, &help);
                results
                    .lock()
                    .expect("results lock")
                    .push((i, s.id.clone(), r));
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|r| r.0);
    let mut report = Vec::new();
    let mut known = Vec::new();
    let mut used = HashSet::new();
    let mut not_run = Vec::new();
    for (_, id, r) in &results {
        match r {
            Ok(d) => {
                let mut unexpected = Vec::new();
                for (field, text) in d {
                    match KNOWN_MISMATCHES.iter().find(|k| k.0 == id && k.1 == field) {
                        Some(k) => {
                            used.insert((k.0, k.1));
                            known.push(format!("  {id} / {field}: {}", k.2));
                        }
                        None => unexpected.push(text.clone()),
                    }
                }
                if !unexpected.is_empty() {
                    report.push(format!("  {id}\n{}", unexpected.join("\n")));
                }
            }
            Err(e) if e.contains("cannot be expressed") => not_run.push(format!("  {id}: {e}")),
            Err(e) => report.push(format!("  {id}: {e}")),
        }
    }
    let stale: Vec<String> = KNOWN_MISMATCHES
        .iter()
        .filter(|k| !used.contains(&(k.0, k.1)))
        .map(|k| format!("  {} / {}", k.0, k.1))
        .collect();
    say!(
        "fidelity: corsprobe vs Chromium: {} scenarios in {:.1}s: {} disagree, {} known disagreements, {} not expressible",
        results.len(),
        started.elapsed().as_secs_f64(),
        report.len(),
        known.len(),
        not_run.len()
    );
    if !known.is_empty() {
        say!(
            "fidelity: KNOWN corsprobe-vs-Chromium disagreements (to be resolved):\n{}",
            known.join("\n")
        );
    }
    if !not_run.is_empty() {
        say!(
            "fidelity: not expressible with `corsprobe check`:\n{}",
            not_run.join("\n")
        );
    }
    assert!(
        stale.is_empty(),
        "these KNOWN_MISMATCHES no longer occur; remove them from tests/it/fidelity/compare.rs:\n{}",
        stale.join("\n")
    );
    assert!(
        report.is_empty(),
        "corsprobe disagrees with Chromium on {} scenario(s):\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Runs `corsprobe check` for scenario `s` as run `run` (`c`: as fetch(); `d`: as an XHR with
/// an upload listener, i.e. `--initiator xhr --force-preflight`).
fn run_binary(
    srv: &Server,
    s: &Scenario,
    v: &Vars,
    help: &str,
    run: &str,
) -> Result<Value, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_corsprobe"));
    // `--flag=value` throughout: values may start with `-` (e.g. a multipart body `--xyz--`).
    cmd.arg("check")
        .arg(v.url(s, run))
        .arg(format!("--origin={}", v.origin))
        .arg(format!("--method={}", s.method));
    for (n, val) in header_pairs(s) {
        cmd.arg(format!("--header={n}: {val}"));
    }
    cmd.args([
        "--credentials",
        &s.credentials,
        "--mode",
        &s.mode,
        "--initiator",
        if run == "d" { "xhr" } else { "fetch" },
    ]);
    // XHR sets its upload listener flag (hence use-CORS-preflight) only when there is a body
    // to upload (XHR send() step 11); Chromium agrees (scenario `xhr-upload-get`).
    if run == "d"
        && s.body.is_some()
        && !matches!(s.method.to_ascii_uppercase().as_str(), "GET" | "HEAD")
    {
        cmd.arg("--force-preflight");
    }
    for host in ["app", "api", "other"] {
        let o = srv.origin(host);
        let hp = o.trim_start_matches("http://");
        cmd.arg("--resolve").arg(format!("{hp}:127.0.0.1"));
    }
    cmd.args(["--format", "json", "--no-rate-limit"]);
    // Our own loopback server: let corsprobe send the actual request whatever its method,
    // as the browser does.
    if help.contains("--allow-unsafe") {
        cmd.arg("--allow-unsafe");
    }
    if help.contains("--cookie") {
        cmd.arg("--cookie").arg(format!(
            "{}={}",
            super::chromium::COOKIE.0,
            super::chromium::COOKIE.1
        ));
    }
    if let Some(b) = &s.body {
        if help.contains("--data") {
            cmd.arg(format!("--data={}", v.expand(b, &s.id)));
        }
    }
    if let Some(r) = &s.redirect {
        if !help.contains("--redirect") {
            return Err(format!(
                "redirect mode {r:?} cannot be expressed with `corsprobe check`"
            ));
        }
        cmd.args(["--redirect", r]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run corsprobe: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let j: Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "corsprobe exited {:?} without a JSON verdict ({e}): {}{}",
            out.status.code(),
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;

    Ok(j)
}
