//! CP001 `error-rise-with-preflight-failures` (runbook Diagnosis case 1).
//!
//! ## What it finds
//! When the API's 4XX (or 5XX) errors rose, and the access-log lines of failing preflights
//! (OPTIONS with 4XX/5XX) at those times: the "when" that the other cases' "why" explains.
//!
//! ## Why the browser blocks
//! A failing preflight blocks the actual request; the metric rise dates the start of the failures.
//!
//! ## Typical AWS causes
//! A deployment, a configuration change, or a new front end calling the API (see CP003).
//!
//! ## Evidence used
//! CloudWatch `4XXError`/`5XXError` (`4xx`/`5xx`) error rises (step 4), access-log lines
//! (step 3).
//!
//! ## The fix
//! The fix of the primary finding for the same routes; this finding gives the time to look at.
//!
//! ## References
//! The runbook, Diagnosis 1; <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html>.

use crate::aws::evidence::LineKind;
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP001",
    name: "error-rise-with-preflight-failures",
    runbook_case: Some(RunbookCase::Case(1)),
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(ev) = cx.ev else { return Vec::new() };
    let Some(metrics) = ev.metrics.value() else {
        return Vec::new();
    };
    if metrics.error_rises.is_empty() {
        return Vec::new();
    }
    let lines: Vec<EvidenceItem> = ev
        .access_logs
        .value()
        .map(|lf| {
            lf.lines
                .iter()
                .filter(|l| {
                    l.kinds.contains(&LineKind::Preflight)
                        && (l.kinds.contains(&LineKind::ClientError)
                            || l.kinds.contains(&LineKind::ServerError))
                })
                .take(5)
                .map(|l| EvidenceItem::LogLine {
                    log_group: lf.log_group.clone(),
                    timestamp: l.timestamp.clone(),
                    message: l.message.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let first = &metrics.error_rises[0];
    let mut f = Finding::new(
        META,
        format!(
            "{} rose at {} and the access logs show failing preflights at that time",
            first.metric_name, first.timestamp
        ),
    )
    .specificity(5)
    .confidence(if lines.is_empty() {
        Confidence::Low
    } else {
        Confidence::High
    });
    for r in metrics.error_rises.iter().take(5) {
        f.add_evidence(EvidenceItem::MetricRise {
            metric: r.metric_name.clone(),
            timestamp: r.timestamp.clone(),
            value: r.value,
            previous: r.previous,
        });
    }
    if lines.is_empty() {
        f.title = format!("{} rose at {}", first.metric_name, first.timestamp);
        f.confirm("access logs (stage accessLogSettings) to see whether the errors are preflight failures");
    }
    for l in lines {
        f.add_evidence(l);
    }
    for i in cx.failing() {
        if cx.obs[i].failed_at_preflight() {
            cx.add_obs(&mut f, i);
        }
    }
    f.fix = Fix {
        explanation: "A timeline, not a cause: apply the fix of the primary finding for these routes; changes made just before the rise are listed by CP003.".into(),
        aws_cli: format!("aws cloudwatch get-metric-data (namespace AWS/ApiGateway, 4XXError, ApiName/Stage {}) around {}", cx.stage(), first.timestamp),
        cloudformation_sam: "-".into(),
        cdk: "-".into(),
        terraform: "-".into(),
    };
    vec![f]
}
