//! `corsprobe diagnose`: discover the API's routes (or read a probe file), probe each route as
//! `run` does, collect the AWS evidence as `evidence` does, and report the findings of the pure
//! diagnosis engine ([`crate::diagnose`]).
//!
//! This module owns the command's flags, the wiring between the three steps, the JSON envelope
//! and the exit code: 1 when there are findings, 0 when there are none, 2 when it could not run.
//! It must not diagnose (the engine does) nor collect (`crate::aws` does).

use std::io::Write;
use std::path::PathBuf;

use super::args::NetArgs;
use super::{config, execute, Status};
use crate::aws::evidence::{ApiKind, Evidence};
use crate::aws::{self, ApiRef, AwsTarget, CollectError, Window};
use crate::diagnose::{self, Input, Observation};
use crate::fetch::{CredentialsMode, Origin, PageRequest};
use crate::probe::PlannedProbe;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each finding: cause, fix, evidence.
    Human,
    /// `corsprobe.diagnose/v1`.
    Json,
}

/// `corsprobe diagnose` flags.
#[derive(Clone, Debug, clap::Args)]
pub struct DiagnoseArgs {
    /// The API id (REST restApiId or HTTP apiId).
    #[arg(long)]
    pub api_id: String,
    /// The stage name (`prod`, `$default`).
    #[arg(long)]
    pub stage: String,
    /// The AWS region (default: the environment's or the profile's).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    /// A named profile from the shared AWS config files.
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (a local stand-in such as moto).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Send the probes to this base URL (a custom domain, a local emulator) instead of the
    /// execute-api URL of the stage.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The page origin(s) to probe from (repeatable).
    #[arg(long = "origin", required = true)]
    pub origins: Vec<String>,
    /// Credentials modes to probe with (`omit`, `same-origin`, `include`; repeatable).
    #[arg(long = "credentials", default_value = "omit")]
    pub credentials: Vec<String>,
    /// A probe file to use instead of the routes discovered from the configuration.
    pub probe_file: Option<PathBuf>,
    /// An extra log group with application logs, e.g. shipped browser console errors (repeatable).
    #[arg(long = "log-group")]
    pub log_groups: Vec<String>,
    /// Do not call AWS: diagnose from the probe alone.
    #[arg(long)]
    pub no_aws: bool,
    /// Window start for logs, metrics and CloudTrail (RFC 3339, epoch seconds, `2h`). Default 1h ago.
    #[arg(long)]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Network flags.
    #[command(flatten)]
    pub net: NetArgs,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Runs the command, printing to stdout.
pub async fn run_async(args: &DiagnoseArgs) -> Status {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(args, &mut out).await
}

/// Runs the command, writing the report to `out` (the binary's entry, usable by tests).
pub async fn run_to(args: &DiagnoseArgs, out: &mut dyn Write) -> Status {
    match run_inner(args, out).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("corsprobe diagnose: {e}");
            Status::Error
        }
    }
}

async fn run_inner(args: &DiagnoseArgs, out: &mut dyn Write) -> Result<Status, String> {
    let now = now_secs();
    let origins: Vec<Origin> = args
        .origins
        .iter()
        .map(|o| Origin::parse(o).map_err(|e| format!("--origin `{o}`: {e}")))
        .collect::<Result<_, _>>()?;
    let credentials: Vec<CredentialsMode> = args
        .credentials
        .iter()
        .map(|c| {
            c.parse::<CredentialsMode>()
                .map_err(|e| format!("--credentials: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let start = match &args.since {
        Some(s) => aws::parse_time(s, now)?,
        None => now - 3600,
    };

    // 1. Evidence (unless --no-aws); without credentials the diagnosis goes on from the probe.
    let mut note = None;
    let evidence: Option<Evidence> = if args.no_aws {
        note = Some("--no-aws: diagnosed from the probe alone".to_string());
        None
    } else {
        let target = AwsTarget {
            api: ApiRef::Id(args.api_id.clone()),
            stage: args.stage.clone(),
            region: args.region.clone(),
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            window: Window {
                start,
                end: now + 60,
            },
            request_ids: Vec::new(),
            app_log_groups: args.log_groups.clone(),
        };
        let conf = aws::load_sdk_config(&target).await;
        let clients = aws::Clients::from_sdk_config(&conf);
        match aws::collect(&target, &clients).await {
            Ok(ev) => Some(ev),
            Err(e @ (CollectError::NoSuchApi { .. } | CollectError::AmbiguousName { .. })) => {
                return Err(e.to_string())
            }
            Err(e) => {
                note = Some(format!(
                    "no AWS evidence ({e}): diagnosed from the probe alone"
                ));
                None
            }
        }
    };
    if let Some(n) = &note {
        eprintln!("corsprobe diagnose: {n}");
    }

    // 2. Routes: the probe file, or the routes the configuration has.
    let net = config::net_config(&args.net, None)?;
    let plans = match &args.probe_file {
        Some(path) => {
            let env = |k: &str| std::env::var(k).ok();
            let mut suites =
                crate::probe::load_paths(std::slice::from_ref(path), &env).map_err(|errs| {
                    errs.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })?;
            if let Some(base) = &args.base_url {
                let u = url::Url::parse(base).map_err(|e| format!("--base-url `{base}`: {e}"))?;
                for s in &mut suites {
                    config::rebase(s, &u);
                }
            }
            suites.iter().flat_map(crate::probe::plan).collect()
        }
        None => {
            let Some(ev) = &evidence else {
                return Err("no routes to probe: give a probe file, or let corsprobe read the API's routes from AWS".into());
            };
            discovered_plans(args, ev, &origins, &credentials)?
        }
    };
    if plans.is_empty() {
        return Err("no routes to probe".into());
    }

    // 3. Probe, as `run` does.
    let executed = execute(plans, &net, false, true, &mut |_| {}).await?;
    let observations: Vec<Observation> = executed
        .rows
        .iter()
        .map(|r| Observation::from_result(&r.route, &r.result))
        .collect();
    let blocked = observations.iter().filter(|o| o.blocked).count();
    let total = observations.len();

    // 4. Diagnose (pure) and report.
    let input = Input {
        observations,
        evidence,
    };
    let findings = diagnose::diagnose(&input);
    let written = match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "schema": "corsprobe.diagnose/v1",
                "api_id": args.api_id,
                "stage": args.stage,
                "evidence_collected": input.evidence.is_some(),
                "note": note,
                "requests": total,
                "blocked": blocked,
                "findings": findings,
            });
            serde_json::to_writer_pretty(&mut *out, &doc)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out))
        }
        Format::Human => writeln!(
            out,
            "corsprobe diagnose: API {} stage {}: {total} requests probed, {blocked} blocked; AWS evidence {}\n",
            args.api_id,
            args.stage,
            if input.evidence.is_some() { "collected" } else { "not collected" }
        )
        .and_then(|_| crate::report::findings::write_findings(out, &findings)),
    };
    written.map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(if findings.is_empty() {
        Status::Ok
    } else {
        Status::Findings
    })
}

/// The page requests a single-page app makes to each discovered route: `GET` as a simple
/// request; other methods with a JSON body (which needs a preflight). `ANY` is probed as GET and
/// POST.
fn discovered_plans(
    args: &DiagnoseArgs,
    ev: &Evidence,
    origins: &[Origin],
    credentials: &[CredentialsMode],
) -> Result<Vec<PlannedProbe>, String> {
    let routes = ev
        .routes
        .value()
        .ok_or("the API's routes could not be read; give a probe file")?;
    let http = ev
        .existence
        .api
        .as_ref()
        .is_some_and(|a| a.kind == ApiKind::Http);
    let base = match &args.base_url {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => {
            let region = ev.target.region.clone();
            let host = format!("https://{}.execute-api.{region}.amazonaws.com", args.api_id);
            if http && args.stage == "$default" {
                host
            } else {
                format!("{host}/{}", args.stage)
            }
        }
    };
    let mut plans = Vec::new();
    for r in routes {
        let path = if r.path_template == "$default" {
            "/".to_string()
        } else {
            r.sample_path.clone()
        };
        let verbs: Vec<&str> = match r.method.as_str() {
            "ANY" | "$default" | "" => vec!["GET", "POST"],
            "OPTIONS" | "HEAD" => continue,
            m => vec![m],
        };
        for verb in verbs {
            for origin in origins {
                for creds in credentials {
                    let mut req = PageRequest::new(format!("{base}{path}"), origin.clone());
                    req.method = verb.to_string();
                    if verb != "GET" {
                        req.headers.append("Content-Type", "application/json");
                        req.body = Some(b"{}".to_vec());
                    }
                    req.credentials = *creds;
                    plans.push(PlannedProbe {
                        suite: "diagnose".into(),
                        route: r.path_template.clone(),
                        request: req,
                        origin_source: "listed".into(),
                        expect: None,
                        allow_unsafe: args.net.allow_unsafe,
                    });
                }
            }
        }
    }
    Ok(plans)
}
