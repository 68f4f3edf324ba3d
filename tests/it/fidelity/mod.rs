//! Fidelity: corsprobe's verdicts against real Chromium, scenario by scenario.
//!
//! - `fidelity_chromium_confirms_recorded_corpus` runs every scenario of
//!   `tests/conformance/*.toml` in one headless Chromium and asserts that Chromium still
//!   answers what the corpus recorded. With `CORSPROBE_RECORD=1` it rewrites the recorded
//!   answers instead and prints what changed.
//! - `fidelity_corsprobe_matches_chromium` (in `compare`) runs corsprobe against the same
//!   kind of server and asserts it gives Chromium's recorded answer.
//!
//! Chromium is found through `CORSPROBE_CHROMIUM` (set by `scripts/test.sh`) or
//! `/usr/bin/chromium`. Without it the Chromium test fails under `CI=true` and is skipped
//! loudly otherwise.

/// Writes a line to stderr past libtest's output capture, so the Chromium version, the timing
/// and any skip notice appear in every test run's output.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod cdp;
mod chromium;
mod compare;
mod corpus;
mod server;

use std::collections::HashSet;
use std::time::Instant;

use corpus::{Outcome, Recorded, Scenario};
use server::Server;

pub(crate) fn all_scenarios() -> Vec<(std::path::PathBuf, corpus::CorpusFile)> {
    let files = corpus::load_all();
    let mut seen = HashSet::new();
    for (p, f) in &files {
        for s in &f.scenarios {
            assert!(
                !s.id.is_empty() && s.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "{}: scenario id {:?} must be [A-Za-z0-9-]+",
                p.display(),
                s.id
            );
            assert!(
                seen.insert(s.id.clone()),
                "{}: duplicate scenario id {}",
                p.display(),
                s.id
            );
        }
    }
    files
}

fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[test]
fn fidelity_corpus_is_large_and_well_formed() {
    let files = all_scenarios();
    let n: usize = files.iter().map(|(_, f)| f.scenarios.len()).sum();
    assert!(
        n >= 200,
        "the conformance corpus has {n} scenarios, fewer than 200"
    );
    for (p, f) in &files {
        for s in &f.scenarios {
            assert!(
                ["app", "sandboxed"].contains(&s.page.as_str())
                    && ["api", "app", "other"].contains(&s.target.as_str())
                    && ["omit", "same-origin", "include"].contains(&s.credentials.as_str())
                    && ["cors", "no-cors", "same-origin"].contains(&s.mode.as_str()),
                "{}: scenario {} has an unknown page/target/credentials/mode",
                p.display(),
                s.id
            );
        }
        // The canonical writer must round-trip every file, so re-recording only changes answers.
        let text = corpus::render(f);
        let back: corpus::CorpusFile = toml::from_str(&text).expect("rendered corpus parses");
        assert_eq!(back.scenarios.len(), f.scenarios.len());
        for (a, b) in f.scenarios.iter().zip(&back.scenarios) {
            assert_eq!(
                a.chromium,
                b.chromium,
                "{}: {} does not round-trip",
                p.display(),
                a.id
            );
            assert_eq!((&a.preflight, &a.actual), (&b.preflight, &b.actual));
        }
    }
}

fn diff_outcome(kind: &str, old: Option<&Outcome>, new: Option<&Outcome>, out: &mut Vec<String>) {
    let d = Outcome::default();
    let (o, n) = (old.unwrap_or(&d), new.unwrap_or(&d));
    if old.is_some() != new.is_some() {
        out.push(format!(
            "    {kind}: {} -> {}",
            old.is_some(),
            new.is_some()
        ));
    }
    let mut f = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("    {kind}.{name}:\n      - {a}\n      + {b}"));
        }
    };
    f("blocked", o.blocked.to_string(), n.blocked.to_string());
    f("script", o.script.clone(), n.script.clone());
    f(
        "cors_error",
        format!("{:?}", o.cors_error),
        format!("{:?}", n.cors_error),
    );
    f(
        "failed_parameter",
        format!("{:?}", o.failed_parameter),
        format!("{:?}", n.failed_parameter),
    );
    f(
        "console",
        format!("{:?}", o.console),
        format!("{:?}", n.console),
    );
    f(
        "net_error",
        format!("{:?}", o.net_error),
        format!("{:?}", n.net_error),
    );
    f(
        "readable_headers",
        format!("{:?}", o.readable_headers),
        format!("{:?}", n.readable_headers),
    );
}

/// Field-by-field differences between a recorded answer and a fresh one.
pub(crate) fn diff_recorded(old: Option<&Recorded>, new: &Recorded) -> Vec<String> {
    let mut out = Vec::new();
    let Some(old) = old else {
        out.push("    (no recorded answer)".into());
        return out;
    };
    if old.requests != new.requests {
        out.push(format!(
            "    requests:\n      - {:?}\n      + {:?}",
            old.requests, new.requests
        ));
    }
    if old.xhr_requests != new.xhr_requests {
        out.push(format!(
            "    xhr_requests:\n      - {:?}\n      + {:?}",
            old.xhr_requests, new.xhr_requests
        ));
    }
    if old.preflight != new.preflight {
        out.push(format!(
            "    preflight:\n      - {:?}\n      + {:?}",
            old.preflight, new.preflight
        ));
    }
    diff_outcome("fetch", Some(&old.fetch), Some(&new.fetch), &mut out);
    diff_outcome("xhr", old.xhr.as_ref(), new.xhr.as_ref(), &mut out);
    out
}

#[test]
fn fidelity_chromium_confirms_recorded_corpus() {
    let Some(exe) = chromium::chromium_path() else {
        let msg = "Chromium not found (set CORSPROBE_CHROMIUM or install Debian's chromium; \
                   scripts/test.sh does both)";
        if is_ci() {
            panic!("{msg}: under CI=true the fidelity test cannot be skipped");
        }
        say!("\n!!!!!!!! SKIPPING fidelity_chromium_confirms_recorded_corpus: {msg} !!!!!!!!\n");
        return;
    };
    let record = std::env::var("CORSPROBE_RECORD").is_ok_and(|v| v == "1");
    let mut files = all_scenarios();
    let scenarios: Vec<&Scenario> = files.iter().flat_map(|(_, f)| &f.scenarios).collect();

    let srv = Server::start();
    for s in &scenarios {
        srv.set_plan(&s.id, chromium::plan(&srv, s));
    }
    let started = Instant::now();
    let mut browser = cdp::Browser::launch(
        &exe,
        &["--host-resolver-rules=MAP *.test 127.0.0.1".to_string()],
    );
    let version = browser.version();
    let fresh = chromium::run_all(&mut browser, &srv, &scenarios);
    if std::env::var("CORSPROBE_DUMP_EVENTS").is_ok() {
        for e in &browser.events {
            println!("EVENT {e}");
        }
    }
    drop(browser);
    let secs = started.elapsed().as_secs_f64();
    say!(
        "fidelity: {} ({}), {} scenarios in {secs:.1}s ({:.1}/s)",
        version,
        exe.display(),
        scenarios.len(),
        scenarios.len() as f64 / secs
    );

    let mut report = Vec::new();
    for (path, file) in &mut files {
        let mut changed = false;
        for s in &mut file.scenarios {
            let new = &fresh[&s.id];
            let d = diff_recorded(s.chromium.as_ref(), new);
            if !d.is_empty() {
                report.push(format!(
                    "  {} [{}]\n{}",
                    s.id,
                    path.file_name().unwrap_or_default().to_string_lossy(),
                    d.join("\n")
                ));
                s.chromium = Some(new.clone());
                changed = true;
            }
        }
        if record && changed {
            std::fs::write(&*path, corpus::render(file)).expect("rewrite corpus file");
        }
    }
    if record {
        say!(
            "fidelity: re-recorded with {version}: {} scenario(s) changed{}\n{}",
            report.len(),
            if report.is_empty() { "" } else { ":" },
            report.join("\n")
        );
        return;
    }
    assert!(
        report.is_empty(),
        "Chromium ({version}) no longer gives the recorded answer for {} scenario(s) \
         (re-record with CORSPROBE_RECORD=1 cargo test --test it fidelity, then review the diff):\n{}",
        report.len(),
        report.join("\n")
    );
}
