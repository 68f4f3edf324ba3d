//! The command line: flags → configuration → probes → report → exit code (decided once, here).
//!
//! Exit codes: 0 every outcome as expected (allowed, where nothing is expected); 1 some request
//! blocked or not as expected; 2 could not probe (bad input, network failure).

pub mod args;
pub mod config;
pub mod diagnose;
pub mod evidence;

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
            Command::Evidence(a) => evidence::run_async(&a).await,
            Command::Diagnose(a) => diagnose::run_async(&a).await,
            Command::Judge(a) => cmd_judge(a),
            Command::Serve(a) => crate::serve::cmd_serve(a).await,
            Command::Completions(a) => cmd_completions(a),
            Command::Man(a) => cmd_man(a),
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
    let har_text = match &a.har {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => return fail(format!("--har {}: {e}", p.display())),
        },
        None => None,
    };
    let (cfg, notes) = match config::check_config(&a, har_text.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    for n in &notes {
        eprintln!("corsprobe: {n}");
    }
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
    let row = RunRow {
        suite: "check".into(),
        route: crate::report::wire::path_and_query(&result.url),
        origin_source: "listed".into(),
        expect: cfg.expect,
        as_expected,
        result: result.clone(),
    };
    let status = status_of(probed.verdict.outcome, cfg.expect);
    let rows = [row];
    if let Err(e) = write_side_files(&a.out, "corsprobe check", &[], &rows) {
        return fail(e);
    }
    let mut out = std::io::stdout().lock();
    let written = match a.out.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &result)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Jsonl => serde_json::to_writer(&mut out, &result)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Junit | Format::Html => {
            render_rows(&mut out, a.out.format, "corsprobe check", &[], &rows)
        }
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
    if let Err(e) = written {
        return fail(format!("cannot write the report: {e}"));
    }
    status
}

/// Renders rows as JUnit or HTML (the formats shared by `check`, `run` and `judge`).
fn render_rows(
    w: &mut dyn Write,
    format: Format,
    title: &str,
    suites: &[String],
    rows: &[RunRow],
) -> std::io::Result<()> {
    match format {
        Format::Junit => crate::report::junit::write_junit(
            w,
            title,
            suites,
            rows,
            &[("chromium", CHROMIUM_VERSION.to_string())],
        ),
        _ => crate::report::html::write_html(
            w,
            title,
            &format!(
                "corsprobe {} — verdicts as Chromium {CHROMIUM_VERSION} decides them",
                env!("CARGO_PKG_VERSION")
            ),
            rows,
        ),
    }
}

/// `--html FILE` and `--junit FILE`.
fn write_side_files(
    out: &OutArgs,
    title: &str,
    suites: &[String],
    rows: &[RunRow],
) -> Result<(), String> {
    for (path, format) in [(&out.html, Format::Html), (&out.junit, Format::Junit)] {
        if let Some(p) = path {
            let mut buf = Vec::new();
            render_rows(&mut buf, format, title, suites, rows)
                .and_then(|_| std::fs::write(p, &buf))
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
    }
    Ok(())
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
    keep_rows: bool,
    on_row: &mut (dyn FnMut(&RunRow) + Send),
) -> Result<Executed, String> {
    let transport = Arc::new(Transport::new(net.transport.clone()).map_err(|e| e.to_string())?);
    let limits = Arc::new(HostLimits::new(net.politeness.clone()));
    let total = plans.len();
    // At most `max_in_flight` probe tasks exist at a time, so memory stays flat however large
    // the matrix is (per-host limits still apply inside).
    let max_in_flight = (net.politeness.concurrency_per_host * 4).clamp(8, 512);
    let mut set = tokio::task::JoinSet::new();
    let mut pending = plans.into_iter().enumerate();
    type Done = (usize, RunRow, Option<crate::probe::saved::SavedRequest>);
    let spawn_next = |set: &mut tokio::task::JoinSet<Done>,
                      next: Option<(usize, PlannedProbe)>|
     -> bool {
        let Some((i, p)) = next else { return false };
        let transport = transport.clone();
        let limits = limits.clone();
        let profile = net.profile.clone();
        let safety = Safety {
            allow_unsafe: net.safety.allow_unsafe || p.allow_unsafe,
        };
        set.spawn(async move {
            let probed = probe_one(&transport, &limits, p.request.clone(), profile, &safety).await;
            let result = RequestResult::new(&p.request, &probed.verdict, &probed.transcript);
            let as_expected = p
                .expect
                .map(|e| matches_expectation(e, probed.verdict.outcome));
            // The redacted transcript, for --save and the exporter's debug page.
            let saved = keep_rows.then(|| {
                let (request, transcript) =
                    crate::probe::saved::redacted(&p.request, &probed.transcript);
                crate::probe::saved::SavedRequest {
                    suite: p.suite.clone(),
                    route: p.route.clone(),
                    origin_source: p.origin_source.clone(),
                    expect: p.expect,
                    allow_unsafe: safety.allow_unsafe,
                    request,
                    transcript,
                    outcome: probed.verdict.outcome,
                }
            });
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
                saved,
            )
        });
        true
    };
    for _ in 0..max_in_flight {
        if !spawn_next(&mut set, pending.next()) {
            break;
        }
    }
    let mut rows: Vec<Option<RunRow>> = if keep_rows {
        (0..total).map(|_| None).collect()
    } else {
        Vec::new()
    };
    let mut saved: Vec<Option<crate::probe::saved::SavedRequest>> = if keep_rows {
        (0..total).map(|_| None).collect()
    } else {
        Vec::new()
    };
    let mut tally = Tally::default();
    let mut done = 0usize;
    let mut stderr = std::io::stderr();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, row, s)) => {
                spawn_next(&mut set, pending.next());
                on_row(&row);
                tally.add(&row);
                if keep_rows {
                    rows[i] = Some(row);
                    saved[i] = s;
                }
            }
            Err(e) => return Err(format!("a probe task failed: {e}")),
        }
        done += 1;
        if progress && (done.is_multiple_of(16) || done == total) {
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
    Ok(Executed {
        rows: rows.into_iter().flatten().collect(),
        saved: saved.into_iter().flatten().collect(),
        tally,
    })
}

/// What a run produced: the rows (when kept) and the counts.
#[derive(Clone, Debug)]
pub struct Executed {
    /// Rows in plan order (empty when not kept).
    pub rows: Vec<RunRow>,
    /// Each row's request and transcript, secrets redacted (empty when rows are not kept); for
    /// `--save` and the exporter's debug page.
    pub saved: Vec<crate::probe::saved::SavedRequest>,
    /// Counts and exit status.
    pub tally: Tally,
}

/// Counts over a run, kept even when rows are streamed and dropped.
#[derive(Default, Debug, Clone, serde::Serialize)]
pub struct Tally {
    /// Requests.
    pub total: usize,
    /// Allowed.
    pub allowed: usize,
    /// Blocked.
    pub blocked: usize,
    /// Preflight only.
    pub not_sent: usize,
    /// Could not probe.
    pub errors: usize,
    /// Not as expected.
    pub unexpected: usize,
    /// HTTP exchanges sent.
    pub exchanges: usize,
    #[serde(skip)]
    status: Option<Status>,
}

impl Tally {
    /// Counts over finished rows.
    pub fn of_rows(rows: &[RunRow]) -> Tally {
        let mut t = Tally::default();
        for r in rows {
            t.add(r);
        }
        t
    }

    fn add(&mut self, row: &RunRow) {
        self.total += 1;
        match row.result.outcome {
            Outcome::Allowed => self.allowed += 1,
            Outcome::Blocked => self.blocked += 1,
            Outcome::NotSent => self.not_sent += 1,
            Outcome::Error => self.errors += 1,
        }
        if row.as_expected == Some(false) {
            self.unexpected += 1;
        }
        self.exchanges += row.result.exchanges;
        let st = status_of(row.result.outcome, row.expect);
        self.status = Some(self.status.map_or(st, |s| s.max(st)));
    }

    /// Exit status.
    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Ok)
    }
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
        // Every file turned politeness off (`rate_limit = 0`): off. Otherwise the strictest.
        if !suites.is_empty() && suites.iter().all(|s| s.rate_limit.is_none()) {
            Some(0.0)
        } else {
            suites.iter().filter_map(|s| s.rate_limit).reduce(f64::min)
        },
    ) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let plans: Vec<PlannedProbe> = suites.iter().flat_map(crate::probe::plan).collect();
    let publish = a
        .publish_cloudwatch
        .as_ref()
        .map(|ns| crate::aws::synthetics::Destination {
            namespace: ns.clone(),
            region: a.aws_region.clone(),
            profile: a.aws_profile.clone(),
            endpoint_url: a.aws_endpoint_url.clone(),
        });
    run_and_report(
        plans,
        &net,
        &a.out,
        RunExtras {
            save: a.save.as_deref(),
            publish: publish.as_ref(),
        },
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

/// What a run does besides reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunExtras<'a> {
    /// `--save FILE`: the redacted transcripts, for `corsprobe judge`.
    pub save: Option<&'a std::path::Path>,
    /// `--publish-cloudwatch NAMESPACE`.
    pub publish: Option<&'a crate::aws::synthetics::Destination>,
}

/// Executes plans and prints them in the chosen format; returns the exit status.
pub async fn run_and_report(
    plans: Vec<PlannedProbe>,
    net: &config::NetConfig,
    out: &OutArgs,
    extras: RunExtras<'_>,
    suites: Vec<(String, String, String)>,
) -> Status {
    let save = extras.save;
    let progress =
        out.format != Format::Jsonl && std::io::stderr().is_terminal() && plans.len() > 20;
    let jsonl = out.format == Format::Jsonl;
    // jsonl streams rows and keeps none, unless a saved file or a side report needs them.
    let keep_rows = !jsonl
        || save.is_some()
        || extras.publish.is_some()
        || out.html.is_some()
        || out.junit.is_some();
    let mut on_row = |row: &RunRow| {
        if jsonl {
            if let Ok(s) = serde_json::to_string(row) {
                // One line per request as it completes, flushed so a pipe sees it at once.
                let mut o = std::io::stdout().lock();
                let _ = writeln!(o, "{s}");
                let _ = o.flush();
            }
        }
    };
    let started = std::time::Instant::now();
    let executed = match execute(plans, net, progress, keep_rows, &mut on_row).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let tally = &executed.tally;
    if std::env::var_os("CORSPROBE_STATS").is_some() {
        eprintln!(
            "corsprobe stats: {} requests, {} HTTP exchanges in {:.3} s = {:.0} exchanges/s",
            tally.total,
            tally.exchanges,
            elapsed,
            tally.exchanges as f64 / elapsed.max(1e-9)
        );
    }
    if let Some(path) = save {
        let doc = crate::probe::saved::SavedRun {
            schema: crate::probe::saved::SAVED_SCHEMA.into(),
            chromium: CHROMIUM_VERSION.into(),
            suites: suites.clone(),
            requests: executed.saved.clone(),
        };
        let written = serde_json::to_vec_pretty(&doc)
            .map_err(std::io::Error::other)
            .and_then(|b| std::fs::write(path, b));
        if let Err(e) = written {
            return fail(format!("--save {}: {e}", path.display()));
        }
    }
    let status = report_rows(&executed.rows, tally, out, "corsprobe run", &suites);
    if let Some(dest) = extras.publish {
        let points = crate::aws::synthetics::plan(&executed.rows);
        match crate::aws::synthetics::publish(dest, &points).await {
            Ok(n) => eprintln!(
                "corsprobe: published {n} data points to CloudWatch namespace {}",
                dest.namespace
            ),
            // The probe results stand; a failed publication is still "could not do the job".
            Err(e) => return fail(format!("--publish-cloudwatch: {e}")).max(status),
        }
    }
    status
}

/// Prints finished rows in the chosen format (jsonl rows are printed as they complete, by the
/// caller) and writes the side files; returns the exit status.
pub fn report_rows(
    rows: &[RunRow],
    tally: &Tally,
    out: &OutArgs,
    title: &str,
    suites: &[(String, String, String)],
) -> Status {
    let status = tally.status();
    let suite_names: Vec<String> = suites.iter().map(|(n, _, _)| n.clone()).collect();
    if let Err(e) = write_side_files(out, title, &suite_names, rows) {
        return fail(e);
    }
    let mut stdout = std::io::stdout().lock();
    let written = match out.format {
        Format::Jsonl => Ok(()),
        Format::Junit | Format::Html => {
            render_rows(&mut stdout, out.format, title, &suite_names, rows)
        }
        Format::Json => {
            let doc = serde_json::json!({
                "schema": "corsprobe.run/v1",
                "chromium": CHROMIUM_VERSION,
                "suites": suites.iter().map(|(n, f, t)| serde_json::json!({"name": n, "file": f, "target": t})).collect::<Vec<_>>(),
                "summary": tally,
                "results": rows,
            });
            serde_json::to_writer_pretty(&mut stdout, &doc)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(stdout))
        }
        Format::Human => {
            let opts = HumanOptions {
                color: color_enabled(out),
                verbose: out.verbose,
            };
            let mut last_suite = String::new();
            let mut r = Ok(());
            for row in rows {
                if row.suite != last_suite {
                    let _ = writeln!(stdout, "\n{}", row.suite);
                    last_suite = row.suite.clone();
                }
                let ctx = RowContext {
                    expectation: row.expect.map(|e| format!("{e:?}").to_lowercase()),
                    as_expected: row.as_expected,
                    label: Some(path_of(&row.result.url)),
                };
                r = r.and(print_result(&mut stdout, &row.result, &ctx, opts));
            }
            let s = tally;
            r.and(writeln!(
                stdout,
                "\n{} requests: {} allowed, {} blocked, {} preflight only (unsafe method held back), {} errors; {} not as expected",
                s.total, s.allowed, s.blocked, s.not_sent, s.errors, s.unexpected
            ))
        }
    };
    if let Err(e) = written {
        return fail(format!("cannot write the report: {e}"));
    }
    status
}

fn cmd_judge(a: args::JudgeArgs) -> Status {
    let browser = match a.browser.parse::<crate::fetch::BrowserFamily>() {
        Ok(b) => b,
        Err(e) => return fail(format!("--browser: {e}")),
    };
    let text = match std::fs::read_to_string(&a.file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", a.file.display())),
    };
    let saved = match crate::probe::saved::parse_saved(&text) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", a.file.display())),
    };
    let rows: Vec<RunRow> = saved
        .requests
        .iter()
        .map(|s| judge_row(s, browser))
        .collect();
    if a.out.format == Format::Jsonl {
        let mut o = std::io::stdout().lock();
        for r in &rows {
            if let Ok(line) = serde_json::to_string(r) {
                let _ = writeln!(o, "{line}");
            }
        }
    }
    let title = format!(
        "corsprobe judge --browser {}",
        a.browser.to_ascii_lowercase()
    );
    report_rows(&rows, &Tally::of_rows(&rows), &a.out, &title, &saved.suites)
}

/// Re-judges one saved request for one browser (offline) into a report row.
pub fn judge_row(
    s: &crate::probe::saved::SavedRequest,
    browser: crate::fetch::BrowserFamily,
) -> RunRow {
    let profile = crate::fetch::BrowserProfile::default();
    let mut result = match crate::probe::saved::rejudge(s, &profile) {
        Ok(v) => {
            let mut r = RequestResult::new(&s.request, &v, &s.transcript);
            let view = crate::fetch::browsers::view(browser, &s.request, &v);
            r.console_message = view.console_message;
            r.warnings.extend(view.differences);
            if view.outcome.is_none() {
                r.outcome = Outcome::Error;
                r.blocked = true;
                r.reason = Some(format!("cannot judge for {browser:?} offline: it would send a preflight the saved transcript lacks"));
            }
            if r.outcome != s.outcome {
                r.warnings.push(crate::fetch::Warning::new(
                    "changed-since-saved",
                    format!(
                        "saved as {}, judged now as {}",
                        s.outcome.as_str(),
                        r.outcome.as_str()
                    ),
                ));
            }
            r
        }
        Err(e) => {
            let v = crate::fetch::Verdict {
                outcome: Outcome::Error,
                failure: None,
                initial_url: s.request.url.clone(),
                final_url: s.request.url.clone(),
                redirects: 0,
                response_tainting: None,
                status: None,
                readable_headers: Vec::new(),
                preflight: None,
                dropped_headers: Vec::new(),
                warnings: Vec::new(),
                console: Default::default(),
            };
            let mut r = RequestResult::new(&s.request, &v, &s.transcript);
            r.reason = Some(e.to_string());
            r
        }
    };
    result.schema = None;
    let as_expected = s.expect.map(|e| matches_expectation(e, result.outcome));
    RunRow {
        suite: s.suite.clone(),
        route: s.route.clone(),
        origin_source: s.origin_source.clone(),
        expect: s.expect,
        as_expected,
        result,
    }
}

fn cmd_completions(a: args::CompletionsArgs) -> Status {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "corsprobe", &mut buf);
    let mut o = std::io::stdout().lock();
    match o.write_all(&buf).and_then(|_| o.flush()) {
        Ok(()) => Status::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => fail(e),
    }
}

fn cmd_man(a: args::ManArgs) -> Status {
    let cmd = <Cli as clap::CommandFactory>::command();
    if let Some(dir) = &a.out_dir {
        return match std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(cmd, dir)) {
            Ok(()) => Status::Ok,
            Err(e) => fail(format!("--out-dir {}: {e}", dir.display())),
        };
    }
    let mut buf = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cmd).render(&mut buf) {
        return fail(format!("cannot render the man page: {e}"));
    }
    let mut o = std::io::stdout().lock();
    match o.write_all(&buf).and_then(|_| o.flush()) {
        Ok(()) => Status::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => fail(e),
    }
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
        plans.clone(),
        &net,
        &a.out,
        RunExtras::default(),
        vec![(suite.name.clone(), "probes/demo.toml".into(), base.clone())],
    )
    .await;
    if a.out.format == Format::Human {
        // Probe-only diagnoses of the same requests (no AWS evidence in the demo).
        if let Ok(executed) = execute(plans, &net, false, true, &mut |_| {}).await {
            let input = crate::diagnose::Input {
                observations: executed
                    .rows
                    .iter()
                    .map(|r| crate::diagnose::Observation::from_result(&r.route, &r.result))
                    .collect(),
                evidence: None,
            };
            let findings = crate::diagnose::diagnose(&input);
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(
                stdout,
                "\nFindings (probe only, no AWS evidence: `corsprobe diagnose` adds it)\n"
            );
            let _ = crate::report::findings::write_findings(&mut stdout, &findings);
        }
    }
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
