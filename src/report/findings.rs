//! The human rendering of findings: each finding leads with its one-line cause and the fix, then
//! the routes, the browser's view and the evidence. Pure over a `Write`.

use std::io::{self, Write};

use crate::diagnose::finding::{Confidence, EvidenceItem, Finding, Role};

/// Writes the findings (or a line saying there are none).
pub fn write_findings(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        writeln!(
            out,
            "No findings: every probed request behaved as the browser needs."
        )?;
        return Ok(());
    }
    for f in findings {
        write_finding(out, f)?;
    }
    let primary = findings.iter().filter(|f| f.role == Role::Primary).count();
    writeln!(
        out,
        "{} finding(s): {primary} primary, {} contributing",
        findings.len(),
        findings.len() - primary
    )
}

fn write_finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    let runbook = f.runbook_case.map(|r| format!(", {r}")).unwrap_or_default();
    let role = match f.role {
        Role::Primary => "primary",
        Role::Contributing => "contributing",
    };
    let conf = match f.confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    };
    writeln!(
        out,
        "{} {} ({role}, {conf} confidence{runbook})",
        f.code, f.name
    )?;
    writeln!(out, "  cause: {}", f.title)?;
    writeln!(out, "  fix:   {}", f.fix.explanation)?;
    for line in f.fix.aws_cli.lines() {
        writeln!(out, "         $ {line}")?;
    }
    if !f.routes.is_empty() {
        let routes: Vec<String> = f
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.route))
            .collect();
        writeln!(out, "  routes: {}", routes.join(", "))?;
    }
    if !f.origins.is_empty() {
        writeln!(
            out,
            "  origins: {}; credentials: {}",
            f.origins.join(", "),
            f.credentials.join(", ")
        )?;
    }
    if let Some(b) = &f.browser {
        if let Some(e) = &b.cors_error {
            writeln!(out, "  browser: {e}")?;
        }
    }
    if !f.evidence.is_empty() {
        writeln!(out, "  evidence:")?;
        for e in &f.evidence {
            writeln!(out, "    - {}", evidence_line(e))?;
        }
    }
    for c in &f.confirm_with {
        writeln!(out, "  would confirm: {c}")?;
    }
    if f.fix.cloudformation_sam != "-" && !f.fix.cloudformation_sam.is_empty() {
        writeln!(out, "  CloudFormation/SAM: {}", f.fix.cloudformation_sam)?;
        writeln!(out, "  CDK: {}", f.fix.cdk)?;
        writeln!(out, "  Terraform: {}", f.fix.terraform)?;
    }
    writeln!(out)
}

fn evidence_line(e: &EvidenceItem) -> String {
    match e {
        EvidenceItem::Probe {
            exchange,
            request,
            status,
            headers,
        } => {
            let status = status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "no response".into());
            if headers.is_empty() {
                format!("{exchange} {request} → {status} (no CORS headers)")
            } else {
                format!("{exchange} {request} → {status}; {}", headers.join("; "))
            }
        }
        EvidenceItem::Config { subject, excerpt } => format!("config {subject}: {excerpt}"),
        EvidenceItem::LogLine {
            log_group,
            timestamp,
            message,
        } => format!("log {log_group} {timestamp}: {message}"),
        EvidenceItem::MetricRise {
            metric,
            timestamp,
            value,
            previous,
        } => format!("metric {metric} rose to {value} at {timestamp} (from {previous})"),
        EvidenceItem::CloudTrail {
            event_time,
            event_name,
            who,
            source_ip,
            error_code,
        } => format!(
            "CloudTrail {event_time} {event_name} by {}{}{}",
            who.as_deref().unwrap_or("unknown"),
            source_ip
                .as_deref()
                .map(|s| format!(" from {s}"))
                .unwrap_or_default(),
            error_code
                .as_deref()
                .map(|c| format!(" (failed: {c})"))
                .unwrap_or_default()
        ),
        EvidenceItem::Deployment { detail } => format!("deployment: {detail}"),
    }
}
