//! `corsprobe evidence`: collect the runbook's playbook evidence for one API and stage, and print
//! it (human: one section per playbook step; JSON: the [`Evidence`] struct).
//!
//! This module owns the command's flags, their validation into an [`AwsTarget`], the runtime, the
//! human rendering and the exit code (0 when evidence was collected, even partially; 2 when it
//! could not run at all). It must not collect anything itself: `crate::aws` does.

use std::io::Write;
use std::process::ExitCode;

use super::Status;
use crate::aws::evidence::{ApiConfiguration, Collected, Evidence, LogFindings};
use crate::aws::{self, ApiRef, AwsTarget, Window};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One section per playbook step.
    Human,
    /// The evidence as JSON (the input of the diagnosis).
    Json,
}

/// `corsprobe evidence` flags.
#[derive(Clone, Debug, clap::Args)]
pub struct EvidenceArgs {
    /// The API id (REST restApiId or HTTP apiId).
    #[arg(
        long,
        required_unless_present = "api_name",
        conflicts_with = "api_name"
    )]
    pub api_id: Option<String>,
    /// The API's name, when the id is not known (must be unique in the region).
    #[arg(long)]
    pub api_name: Option<String>,
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
    /// Window start: RFC 3339, epoch seconds, or a duration ago (`90m`, `2h`). Default: 1h ago.
    #[arg(long)]
    pub since: Option<String>,
    /// Window end: RFC 3339, epoch seconds, or a duration ago. Default: now.
    #[arg(long)]
    pub until: Option<String>,
    /// A request id of the probe's own requests to find in the logs (repeatable).
    #[arg(long = "request-id")]
    pub request_ids: Vec<String>,
    /// An extra log group with application logs (repeatable).
    #[arg(long = "log-group")]
    pub log_groups: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

impl EvidenceArgs {
    /// Validates the flags into a target, with `now` in epoch seconds.
    pub fn to_target(&self, now: i64) -> Result<AwsTarget, String> {
        let api = match (&self.api_id, &self.api_name) {
            (Some(id), _) if !id.trim().is_empty() => ApiRef::Id(id.trim().to_string()),
            (None, Some(name)) if !name.trim().is_empty() => ApiRef::Name(name.trim().to_string()),
            _ => return Err("give --api-id or --api-name".to_string()),
        };
        if self.stage.trim().is_empty() {
            return Err("--stage must not be empty".to_string());
        }
        let end = match &self.until {
            Some(t) => aws::parse_time(t, now)?,
            None => now,
        };
        let start = match &self.since {
            Some(t) => aws::parse_time(t, now)?,
            None => end - 3600,
        };
        if start >= end {
            return Err(format!("--since must be before --until ({start} >= {end})"));
        }
        Ok(AwsTarget {
            api,
            stage: self.stage.trim().to_string(),
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            window: Window { start, end },
            request_ids: self.request_ids.clone(),
            app_log_groups: self.log_groups.clone(),
        })
    }
}

/// Runs the command on its own runtime (for callers outside one).
pub fn run(args: &EvidenceArgs) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run_async(args)).into(),
        Err(e) => {
            eprintln!("corsprobe evidence: cannot start the async runtime: {e}");
            Status::Error.into()
        }
    }
}

/// Runs the command: `Ok` when evidence was collected (even partially), `Error` when it could
/// not run at all.
pub async fn run_async(args: &EvidenceArgs) -> Status {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let target = match args.to_target(now) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("corsprobe evidence: {e}");
            return Status::Error;
        }
    };
    let conf = aws::load_sdk_config(&target).await;
    let clients = aws::Clients::from_sdk_config(&conf);
    let evidence = match aws::collect(&target, &clients).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("corsprobe evidence: {e}");
            return Status::Error;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &evidence)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Human => write_human(&evidence, &mut out),
    };
    match written {
        Ok(()) => Status::Ok,
        Err(e) => {
            eprintln!("corsprobe evidence: cannot write the output: {e}");
            Status::Error
        }
    }
}

fn status<T>(c: &Collected<T>) -> String {
    match c {
        Collected::Present { .. } => "present".to_string(),
        Collected::Absent { reason } => format!("absent: {reason}"),
        Collected::NotCollected { why } => format!("not collected: {why}"),
    }
}

fn write_logs(w: &mut dyn Write, label: &str, c: &Collected<LogFindings>) -> std::io::Result<()> {
    match c {
        Collected::Present { value: f } => {
            writeln!(
                w,
                "  {label}: {} ({}; {} events read{})",
                f.log_group,
                f.source,
                f.events_scanned,
                if f.truncated { ", truncated" } else { "" }
            )?;
            for (k, n) in &f.counts {
                writeln!(w, "    {k}: {n}")?;
            }
            for line in f.lines.iter().take(10) {
                writeln!(w, "    {} {}", line.timestamp, line.message)?;
            }
            for g in &f.console_errors {
                writeln!(
                    w,
                    "    console ({}): {} x origin {} url {}: {}",
                    g.browser,
                    g.count,
                    g.origin.as_deref().unwrap_or("?"),
                    g.url.as_deref().unwrap_or("?"),
                    g.reason.as_deref().unwrap_or("")
                )?;
            }
            for (id, lines) in &f.probe_lines {
                writeln!(w, "    probe request {id}: {} lines", lines.len())?;
            }
            Ok(())
        }
        other => writeln!(w, "  {label}: {}", status(other)),
    }
}

/// Prints the evidence, one section per playbook step.
pub fn write_human(ev: &Evidence, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "corsprobe evidence: API {} stage {} in {} ({} to {}{})",
        ev.target.api_id,
        ev.target.stage,
        ev.target.region,
        ev.window.start,
        ev.window.end,
        if ev.window.extended {
            ", extended to 2h"
        } else {
            ""
        }
    )?;

    writeln!(w, "\n1. API exists, stage deployed, service health")?;
    if let Some(api) = &ev.existence.api {
        writeln!(
            w,
            "  API: {} {:?} ({:?})",
            api.id,
            api.name.as_deref().unwrap_or(""),
            api.kind
        )?;
    }
    match &ev.existence.stage {
        Collected::Present { value: s } => writeln!(
            w,
            "  stage {}: deployment {}{}",
            s.name,
            s.deployment_id.as_deref().unwrap_or("(none)"),
            s.auto_deploy
                .map_or(String::new(), |a| format!(", autoDeploy {a}"))
        )?,
        other => writeln!(w, "  stage: {}", status(other))?,
    }
    match &ev.existence.health {
        Collected::Present { value } => {
            for e in value {
                writeln!(
                    w,
                    "  health: {} {} {}",
                    e.event_type_code.as_deref().unwrap_or("?"),
                    e.status.as_deref().unwrap_or("?"),
                    e.start.as_deref().unwrap_or("")
                )?;
            }
        }
        other => writeln!(w, "  health: {}", status(other))?,
    }

    writeln!(w, "\n2. CORS configuration")?;
    match &ev.configuration {
        Collected::Present {
            value: ApiConfiguration::Http(h),
        } => match &h.cors {
            Collected::Present { value: c } => {
                writeln!(w, "  HTTP API CorsConfiguration: origins {:?} methods {:?} headers {:?} expose {:?} credentials {:?} maxAge {:?}", c.allow_origins, c.allow_methods, c.allow_headers, c.expose_headers, c.allow_credentials, c.max_age)?;
            }
            other => writeln!(w, "  HTTP API CorsConfiguration: {}", status(other))?,
        },
        Collected::Present {
            value: ApiConfiguration::Rest(r),
        } => {
            let with = r.resources.iter().filter(|x| x.has_options).count();
            writeln!(
                w,
                "  REST API: {} of {} resources have OPTIONS; binaryMediaTypes {:?}",
                with,
                r.resources.len(),
                r.binary_media_types
            )?;
            match &r.gateway_responses {
                Collected::Present { value } => {
                    for g in value {
                        let cors: Vec<&String> = g
                            .response_parameters
                            .keys()
                            .filter(|k| k.to_ascii_lowercase().contains("access-control-"))
                            .collect();
                        writeln!(
                            w,
                            "  gateway response {} ({}): CORS headers {:?}",
                            g.response_type,
                            g.status_code.as_deref().unwrap_or("default"),
                            cors
                        )?;
                    }
                }
                other => writeln!(w, "  gateway responses: {}", status(other))?,
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\n3. Access logs")?;
    write_logs(w, "access logs", &ev.access_logs)?;

    writeln!(w, "\n4. CloudWatch metrics (1-minute)")?;
    match &ev.metrics {
        Collected::Present { value: m } => {
            for s in &m.series {
                let total: f64 = s.points.iter().map(|p| p.value).sum::<f64>() + 0.0;
                writeln!(
                    w,
                    "  {} {:?}: {} points, sum {}",
                    s.metric_name,
                    m.dimensions,
                    s.points.len(),
                    total
                )?;
            }
            for r in &m.error_rises {
                writeln!(
                    w,
                    "  rise: {} {} -> {} at {}",
                    r.metric_name, r.previous, r.value, r.timestamp
                )?;
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\n5. API type")?;
    match &ev.configuration {
        Collected::Present {
            value: ApiConfiguration::Rest(_),
        } => writeln!(
            w,
            "  REST API: CORS is per resource (OPTIONS method + header mappings on every response)"
        )?,
        Collected::Present {
            value: ApiConfiguration::Http(h),
        } => {
            writeln!(
                w,
                "  HTTP API ({}): CORS is API-level; routes:",
                h.protocol_type.as_deref().unwrap_or("HTTP")
            )?;
            for r in h.routes.value().into_iter().flatten() {
                writeln!(
                    w,
                    "    {} auth {}{}",
                    r.route_key,
                    r.authorization_type.as_deref().unwrap_or("NONE"),
                    r.authorizer_id
                        .as_deref()
                        .map_or(String::new(), |a| format!(" ({a})"))
                )?;
            }
            writeln!(w, "  authorizers: {}", status(&h.authorizers))?;
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\n6. Methods and CORS header mappings")?;
    match &ev.method_cors {
        Collected::Present { value } => {
            for m in value {
                let mut notes = Vec::new();
                if m.headers_from_backend {
                    notes.push("proxy: headers must come from the backend".to_string());
                }
                if !m.missing_allow_origin_on.is_empty() {
                    notes.push(format!(
                        "no Access-Control-Allow-Origin on {:?}",
                        m.missing_allow_origin_on
                    ));
                }
                if let Some(a) = &m.options_authorization {
                    notes.push(format!("OPTIONS authorization {a}"));
                }
                if m.options_api_key_required {
                    notes.push("OPTIONS requires an API key".to_string());
                }
                writeln!(
                    w,
                    "  {} {} ({}){}{}",
                    m.http_method,
                    m.path,
                    m.integration_type.as_deref().unwrap_or("no integration"),
                    if notes.is_empty() { "" } else { ": " },
                    notes.join("; ")
                )?;
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\n7. Application logs")?;
    if ev.application_logs.is_empty() {
        writeln!(w, "  absent: no Lambda integrations and no --log-group")?;
    }
    for a in &ev.application_logs {
        write_logs(w, "application logs", a)?;
    }

    writeln!(w, "\n8. Deployment against draft")?;
    match &ev.deployment {
        Collected::Present { value: d } => {
            match &d.stage_deployment {
                Collected::Present { value } => writeln!(
                    w,
                    "  stage deployment {} created {}",
                    value.id,
                    value.created.as_deref().unwrap_or("?")
                )?,
                other => writeln!(w, "  stage deployment: {}", status(other))?,
            }
            writeln!(
                w,
                "  deployments: {}",
                match &d.deployments {
                    Collected::Present { value } => format!("{}", value.len()),
                    other => status(other),
                }
            )?;
            if !d.newer_than_stage.is_empty() {
                writeln!(
                    w,
                    "  newer deployments not on the stage: {:?}",
                    d.newer_than_stage
                )?;
            }
            match &d.drift {
                Collected::Present { value } if value.is_empty() => writeln!(w, "  drift: none")?,
                Collected::Present { value } => {
                    for i in value {
                        writeln!(w, "  drift: {} {} {:?}", i.http_method, i.path, i.change)?;
                    }
                }
                other => writeln!(w, "  drift: {}", status(other))?,
            }
            writeln!(
                w,
                "  export: {}",
                match &d.export {
                    Collected::Present { value } => format!(
                        "{} (integration extensions: {})",
                        value.export_type, value.has_integration_extensions
                    ),
                    other => status(other),
                }
            )?;
            for c in &d.changes_since_deployment {
                writeln!(
                    w,
                    "  changed after deployment: {} {} by {}",
                    c.event_time,
                    c.event_name,
                    c.username.as_deref().unwrap_or("?")
                )?;
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\n9. Execution logs")?;
    write_logs(w, "execution logs", &ev.execution_logs)?;

    writeln!(w, "\nCloudTrail (API changes in the window)")?;
    match &ev.cloudtrail {
        Collected::Present { value } => {
            for e in &value.events {
                writeln!(
                    w,
                    "  {} {} by {}{}",
                    e.event_time,
                    e.event_name,
                    e.username
                        .as_deref()
                        .or(e.user_arn.as_deref())
                        .unwrap_or("?"),
                    if e.cors_relevant {
                        " [CORS-relevant]"
                    } else {
                        ""
                    }
                )?;
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }

    writeln!(w, "\nRoutes")?;
    match &ev.routes {
        Collected::Present { value } => {
            for r in value {
                writeln!(
                    w,
                    "  {} {} (sample {})",
                    r.method, r.path_template, r.sample_path
                )?;
            }
        }
        other => writeln!(w, "  {}", status(other))?,
    }
    Ok(())
}
