//! CP008 `no-correlation` (the runbook's fallback paragraph).
//!
//! ## What it finds
//! Requests the browser blocks that no other case explains. It records what the runbook asks for
//! next: the analysis window extended to two hours, the exact origin comparison, the HTTP vs REST
//! differences, and the authorizer's CORS handling.
//!
//! ## Why the browser blocks
//! As the browser's CorsError says; the cause is not one of the catalogued configurations.
//!
//! ## Typical AWS causes
//! A CDN or proxy in front of API Gateway rewriting headers, a private API reached the wrong way,
//! a backend answering differently per request.
//!
//! ## Evidence used
//! The probe's failure; the window (extended to 2 hours when nothing correlated); the API type.
//!
//! ## The fix
//! Follow the runbook's fallback steps listed in the finding.
//!
//! ## References
//! The runbook, closing paragraph of Diagnosis.

use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP008",
    name: "no-correlation",
    runbook_case: Some(RunbookCase::Fallback),
};

/// The check, over the failing requests no other case explained.
pub fn check_unexplained(cx: &Context<'_>, unexplained: &[usize]) -> Vec<Finding> {
    if unexplained.is_empty() {
        return Vec::new();
    }
    let mut f = Finding::new(
        META,
        "No diagnosis case explains these blocked requests; follow the runbook's fallback",
    )
    .confidence(Confidence::Low);
    for &i in unexplained {
        cx.add_obs(&mut f, i);
    }
    if let Some(ev) = cx.ev {
        f.add_evidence(EvidenceItem::Deployment {
            detail: format!(
                "window {} – {}{}",
                ev.window.start,
                ev.window.end,
                if ev.window.extended {
                    " (extended to 2 hours: nothing correlated in the last hour)"
                } else {
                    ""
                }
            ),
        });
        if let Some(api) = &ev.existence.api {
            f.add_evidence(EvidenceItem::Config {
                subject: format!("API {}", api.id),
                excerpt: format!("type {:?}", api.kind),
            });
        }
    } else {
        f.confirm("the AWS evidence (run without --no-aws, with credentials): configuration, logs, metrics, CloudTrail");
    }
    f.fix = Fix {
        explanation: "Runbook fallback: extend the analysis to 2 hours (--since 2h); verify the front end's origin matches the configured origins exactly; check HTTP API vs REST API CORS differences (HTTP APIs answer preflights from CorsConfiguration, REST APIs need OPTIONS methods); examine the authorizer's CORS handling on authenticated endpoints.".into(),
        aws_cli: format!("corsprobe evidence --api-id {} --stage {} --since 2h", cx.api_id(), cx.stage()),
        cloudformation_sam: "-".into(),
        cdk: "-".into(),
        terraform: "-".into(),
    };
    vec![f]
}
