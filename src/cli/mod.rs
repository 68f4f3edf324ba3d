//! The command line: flags → configuration → probes → report → exit code (decided once, here).
//!
//! Exit codes: 0 every outcome as expected (allowed, where nothing is expected); 1 some request
//! blocked or not as expected; 2 could not probe (bad input, network failure).

pub mod args;
pub mod config;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::fetch::{Outcome, CHROMIUM_VERSION};
use crate::probe::{probe_one, HostLimits, PlannedProbe, Safety, Transport};
use crate::report::human::{print_result, HumanOptions, RowContext};
use crate::report::wire::RequestResult;
use args::{Cli, Command, Format, OutArgs};

/// `corsprobe --version` text.
pub fn version_string() -> &'static str {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (follows Chromium 148.0.7778.167 CORS behaviour)"
    )
}

/// Exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything as expected.
    Ok = 0,
    /// Some request blocked or unexpected.
    Findings = 1,
    /// Could not probe.
    Error = 2,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let _ = CHROMIUM_VERSION;
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("corsprobe: cannot start the async runtime: {e}");
            return Status::Error.into();
        }
    };
    let status = rt.block_on(async move {
        match cli.command {
            Command::Check(a) => cmd_check(*a).await,
            Command::Run(a) => cmd_run(a).await,
            Command::Demo(a) => cmd_demo(a).await,
            Command::Emulator(a) => cmd_emulator(a).await,
        }
    });
    status.into()
}

fn color_enabled(out: &OutArgs) -> bool {
    match out.color.as_str() {
        "always" => true,
        "never" => false,
        _ => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> Status {
    eprintln!("corsprobe: {msg}");
    Status::Error
}

async fn cmd_check(a: args::CheckArgs) -> Status {
    let cfg = match config::check_config(&a) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let transport = match Transport::new(cfg.net.transport.clone()) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let limits = HostLimits::new(cfg.net.politeness.clone());
    let probed = probe_one(
        &transport,
        &limits,
        cfg.request.clone(),
        cfg.net.profile.clone(),
        &cfg.net.safety,
    )
    .await;
    let mut result = RequestResult::new(&cfg.request, &probed.verdict, &probed.transcript);
    result.schema = Some("corsprobe.check/v1");
    let as_expected = cfg
        .expect
        .map(|e| matches_expectation(e, probed.verdict.outcome));
    let mut out = std::io::stdout().lock();
    let _ = match a.out.format {
        Format::Json | Format::Jsonl => serde_json::to_writer_pretty(&mut out, &result)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Human => {
            let ctx = RowContext {
                expectation: cfg.expect.map(|e| format!("{e:?}").to_lowercase()),
                as_expected,
                label: None,
            };
            print_result(
                &mut out,
                &result,
                &ctx,
                HumanOptions {
                    color: color_enabled(&a.out),
                    verbose: a.out.verbose,
                },
            )
        }
    };
    status_of(probed.verdict.outcome, cfg.expect)
}

fn matches_expectation(e: crate::probe::Expect, o: Outcome) -> bool {
    match e {
        crate::probe::Expect::Allow => matches!(o, Outcome::Allowed | Outcome::NotSent),
        crate::probe::Expect::Block => o == Outcome::Blocked,
    }
}

fn status_of(o: Outcome, expect: Option<crate::probe::Expect>) -> Status {
    match (o, expect) {
        (Outcome::Error, _) => Status::Error,
        (o, Some(e)) => {
            if matches_expectation(e, o) {
                Status::Ok
            } else {
                Status::Findings
            }
        }
        (Outcome::Blocked, None) => Status::Findings,
        _ => Status::Ok,
    }
}

pub use crate::report::wire::RunRow;

/// Runs planned probes concurrently (within per-host politeness) and returns rows in plan order.
pub async fn execute(
    plans: Vec<PlannedProbe>,
    net: &config::NetConfig,
    progress: bool,
    on_row: &mut dyn FnMut(&RunRow),
) -> Result<Vec<RunRow>, String> {
    let transport = Arc::new(Transport::new(net.transport.clone()).map_err(|e| e.to_string())?);
    let limits = Arc::new(HostLimits::new(net.politeness.clone()));
    let total = plans.len();
    let global = Arc::new(tokio::sync::Semaphore::new(256));
    let mut set = tokio::task::JoinSet::new();
    for (i, p) in plans.into_iter().enumerate() {
        let transport = transport.clone();
        let limits = limits.clone();
        let profile = net.profile.clone();
        let safety = Safety {
            allow_unsafe: net.safety.allow_unsafe || p.allow_unsafe,
        };
        let global = global.clone();
        set.spawn(async move {
            let _permit = global.acquire_owned().await;
            let probed = probe_one(&transport, &limits, p.request.clone(), profile, &safety).await;
            let result = RequestResult::new(&p.request, &probed.verdict, &probed.transcript);
            let as_expected = p
                .expect
                .map(|e| matches_expectation(e, probed.verdict.outcome));
            (
                i,
                RunRow {
                    suite: p.suite,
                    route: p.route,
                    origin_source: p.origin_source,
                    expect: p.expect,
                    as_expected,
                    result,
                },
            )
        });
    }
    let mut rows: Vec<Option<RunRow>> = (0..total).map(|_| None).collect();
    let mut done = 0usize;
    let mut stderr = std::io::stderr();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, row)) => {
                on_row(&row);
                rows[i] = Some(row);
            }
            Err(e) => return Err(format!("a probe task failed: {e}")),
        }
        done += 1;
        if progress && (done % 16 == 0 || done == total) {
            let width = 30;
            let filled = done * width / total.max(1);
            let _ = write!(
                stderr,
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            if done == total {
                let _ = write!(stderr, "\r{}\r", " ".repeat(width + 24));
            }
        }
    }
    Ok(rows.into_iter().flatten().collect())
}

/// Exit status of a run.
pub fn run_status(rows: &[RunRow]) -> Status {
    rows.iter()
        .map(|r| status_of(r.result.outcome, r.expect))
        .max()
        .unwrap_or(Status::Ok)
}

async fn cmd_run(a: args::RunArgs) -> Status {
    let env = |k: &str| std::env::var(k).ok();
    let mut suites = match crate::probe::load_paths(&a.paths, &env) {
        Ok(s) => s,
        Err(errs) => {
            for e in errs {
                eprintln!("corsprobe: {e}");
            }
            return Status::Error;
        }
    };
    if let Some(base) = &a.base_url {
        match url::Url::parse(base) {
            Ok(u) => {
                for s in &mut suites {
                    config::rebase(s, &u);
                }
            }
            Err(e) => return fail(format!("--base-url `{base}`: {e}")),
        }
    }
    let net = match config::net_config(
        &a.net,
        suites.iter().filter_map(|s| s.rate_limit).reduce(f64::min),
    ) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let plans: Vec<PlannedProbe> = suites.iter().flat_map(crate::probe::plan).collect();
    run_and_report(
        plans,
        &net,
        &a.out,
        suites
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.path.display().to_string(),
                    s.target.to_string(),
                )
            })
            .collect(),
    )
    .await
}

/// Executes plans and prints them in the chosen format; returns the exit status.
pub async fn run_and_report(
    plans: Vec<PlannedProbe>,
    net: &config::NetConfig,
    out: &OutArgs,
    suites: Vec<(String, String, String)>,
) -> Status {
    let progress =
        out.format != Format::Jsonl && std::io::stderr().is_terminal() && plans.len() > 20;
    let jsonl = out.format == Format::Jsonl;
    let mut on_row = |row: &RunRow| {
        if jsonl {
            if let Ok(s) = serde_json::to_string(row) {
                println!("{s}");
            }
        }
    };
    let rows = match execute(plans, net, progress, &mut on_row).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let status = run_status(&rows);
    let mut stdout = std::io::stdout().lock();
    match out.format {
        Format::Jsonl => {}
        Format::Json => {
            let doc = serde_json::json!({
                "schema": "corsprobe.run/v1",
                "chromium": CHROMIUM_VERSION,
                "suites": suites.iter().map(|(n, f, t)| serde_json::json!({"name": n, "file": f, "target": t})).collect::<Vec<_>>(),
                "summary": summary(&rows),
                "results": rows,
            });
            let _ = serde_json::to_writer_pretty(&mut stdout, &doc);
            let _ = writeln!(stdout);
        }
        Format::Human => {
            let opts = HumanOptions {
                color: color_enabled(out),
                verbose: out.verbose,
            };
            let mut last_suite = String::new();
            for row in &rows {
                if row.suite != last_suite {
                    let _ = writeln!(stdout, "\n{}", row.suite);
                    last_suite = row.suite.clone();
                }
                let ctx = RowContext {
                    expectation: row.expect.map(|e| format!("{e:?}").to_lowercase()),
                    as_expected: row.as_expected,
                    label: Some(path_of(&row.result.url)),
                };
                let _ = print_result(&mut stdout, &row.result, &ctx, opts);
            }
            let s = summary(&rows);
            let _ = writeln!(
                stdout,
                "\n{} requests: {} allowed, {} blocked, {} preflight only (unsafe method held back), {} errors; {} not as expected",
                s["total"], s["allowed"], s["blocked"], s["not_sent"], s["errors"], s["unexpected"]
            );
        }
    }
    status
}

fn path_of(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(x) => {
            let mut p = x.path().to_string();
            if let Some(q) = x.query() {
                p.push('?');
                p.push_str(q);
            }
            p
        }
        Err(_) => u.to_string(),
    }
}

fn summary(rows: &[RunRow]) -> serde_json::Value {
    let count = |o: Outcome| rows.iter().filter(|r| r.result.outcome == o).count();
    serde_json::json!({
        "total": rows.len(),
        "allowed": count(Outcome::Allowed),
        "blocked": count(Outcome::Blocked),
        "not_sent": count(Outcome::NotSent),
        "errors": count(Outcome::Error),
        "unexpected": rows.iter().filter(|r| r.as_expected == Some(false)).count(),
    })
}

/// The demo's probe file, embedded so `corsprobe demo` works from any directory.
pub const DEMO_PROBES: &str = include_str!("../../probes/demo.toml");

async fn cmd_demo(a: args::DemoArgs) -> Status {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let handle = match crate::emulator::serve_demo(addr).await {
        Ok(h) => h,
        Err(e) => return fail(format!("cannot start the demo emulator: {e}")),
    };
    let base = handle.base_url();
    let env = |k: &str| std::env::var(k).ok();
    let mut suite = match crate::probe::suite::parse_suite(
        std::path::Path::new("probes/demo.toml"),
        DEMO_PROBES,
        &env,
    ) {
        Ok(s) => s,
        Err(e) => return fail(format!("embedded demo probe file: {e:?}")),
    };
    let Ok(base_url) = url::Url::parse(&base) else {
        return fail(format!("emulator address {base} is not a URL"));
    };
    config::rebase(&mut suite, &base_url);
    if a.out.format == Format::Human {
        println!("corsprobe demo: API Gateway emulator on {base} (loopback only), probing {} routes from {}", suite.routes.len(), crate::emulator::demo::DEMO_ORIGIN);
    }
    let net = match config::net_config(&demo_net_args(), None) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let plans = crate::probe::plan(&suite);
    let status = run_and_report(
        plans,
        &net,
        &a.out,
        vec![(suite.name.clone(), "probes/demo.toml".into(), base.clone())],
    )
    .await;
    handle.shutdown().await;
    status
}

fn demo_net_args() -> args::NetArgs {
    args::NetArgs {
        resolve: Vec::new(),
        cacert: None,
        insecure: false,
        connect_timeout: 5.0,
        timeout: 10.0,
        rate_limit: None,
        no_rate_limit: true,
        concurrency: 8,
        no_http2: true,
        user_agent: None,
        allow_unsafe: true,
    }
}

async fn cmd_emulator(a: args::EmulatorArgs) -> Status {
    let addr: std::net::SocketAddr = match a.listen.parse() {
        Ok(x) => x,
        Err(e) => return fail(format!("--listen `{}`: {e}", a.listen)),
    };
    let handle = match crate::emulator::serve_demo(addr).await {
        Ok(h) => h,
        Err(e) => return fail(format!("cannot start the emulator: {e}")),
    };
    eprintln!(
        "corsprobe emulator: serving the demo APIs on {} (Ctrl-C to stop)",
        handle.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Status::Ok
}
