//! CP003 `deployment-changed-cors` (runbook Diagnosis case 3).
//!
//! ## What it finds
//! CloudTrail changes to the API that can add, remove or break CORS (DeleteMethod,
//! Put/Update/DeleteIntegrationResponse, DeleteGatewayResponse, PutRestApi imports, UpdateApi,
//! DeleteCorsConfiguration…) followed by a deployment, in the window before the errors: who did
//! it and when.
//!
//! ## Why the browser blocks
//! The deployment made the changed configuration live; the browser now gets answers without
//! the CORS headers it got before.
//!
//! ## Typical AWS causes
//! An OpenAPI re-import (`PutRestApi` mode overwrite) dropping the OPTIONS methods; infrastructure
//! code rewriting integration responses; a hand edit in the console followed by "Deploy API".
//!
//! ## Evidence used
//! CloudTrail `LookupEvents` for `apigateway.amazonaws.com` (diagnosis 3), metric rises (step 4).
//!
//! ## The fix
//! Restore the removed settings (or roll the stage back to the previous deployment), then find
//! the pipeline step that removes them.
//!
//! ## References
//! The runbook, Diagnosis 3; <https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html>;
//! aws-and-peers.md §A.5.

use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP003",
    name: "deployment-changed-cors",
    runbook_case: Some(RunbookCase::Case(3)),
};

const BREAKING: &[&str] = &[
    "DeleteMethod",
    "DeleteMethodResponse",
    "DeleteIntegration",
    "DeleteIntegrationResponse",
    "UpdateIntegrationResponse",
    "PutIntegrationResponse",
    "UpdateMethod",
    "PutMethod",
    "DeleteGatewayResponse",
    "UpdateGatewayResponse",
    "PutRestApi",
    "ImportRestApi",
    "UpdateRestApi",
    "DeleteResource",
    "UpdateApi",
    "DeleteCorsConfiguration",
    "ReimportApi",
    "ImportApi",
    "DeleteRoute",
    "UpdateRoute",
];

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(ev) = cx.ev else { return Vec::new() };
    let Some(trail) = ev.cloudtrail.value() else {
        return Vec::new();
    };
    // Errors a configuration change does not cause (throttling, timeouts, crashes, rejected
    // tokens) are left out.
    let failing: Vec<usize> = cx
        .failing()
        .filter(|&i| {
            let gw = cx.obs[i]
                .failing_hop()
                .and_then(|h| h.gateway_response_type());
            !matches!(
                gw,
                Some(
                    "THROTTLED"
                        | "QUOTA_EXCEEDED"
                        | "INTEGRATION_TIMEOUT"
                        | "DEFAULT_5XX"
                        | "UNAUTHORIZED"
                        | "ACCESS_DENIED"
                        | "EXPIRED_TOKEN"
                )
            )
        })
        .collect();
    if failing.is_empty() {
        return Vec::new();
    }
    let changes: Vec<_> = trail
        .events
        .iter()
        .filter(|e| e.error_code.is_none() && BREAKING.contains(&e.event_name.as_str()))
        .collect();
    let Some(deploy) = trail.events.iter().rev().find(|e| {
        e.error_code.is_none()
            && (e.event_name == "CreateDeployment" || e.event_name == "UpdateStage")
            && changes.iter().any(|c| c.event_time <= e.event_time)
    }) else {
        return Vec::new();
    };
    let before: Vec<_> = changes
        .iter()
        .filter(|c| c.event_time <= deploy.event_time)
        .collect();
    let who = deploy
        .username
        .clone()
        .or_else(|| deploy.user_arn.clone())
        .unwrap_or_else(|| "unknown".into());
    let mut f = Finding::new(
        META,
        format!(
            "{} at {} by {who} made {} CORS-relevant change(s) live ({})",
            deploy.event_name,
            deploy.event_time,
            before.len(),
            before
                .iter()
                .map(|e| e.event_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .specificity(20);
    for e in before.iter().map(|e| **e).chain(std::iter::once(deploy)) {
        f.add_evidence(EvidenceItem::CloudTrail {
            event_time: e.event_time.clone(),
            event_name: e.event_name.clone(),
            who: e.username.clone().or_else(|| e.user_arn.clone()),
            source_ip: e.source_ip.clone(),
            error_code: e.error_code.clone(),
        });
    }
    let rise_after = ev.metrics.value().and_then(|m| {
        m.error_rises
            .iter()
            .find(|r| r.timestamp.as_str() >= deploy.event_time.as_str())
    });
    if let Some(r) = rise_after {
        f.add_evidence(EvidenceItem::MetricRise {
            metric: r.metric_name.clone(),
            timestamp: r.timestamp.clone(),
            value: r.value,
            previous: r.previous,
        });
        f.confidence = Confidence::High;
    } else {
        f.confidence = Confidence::Medium;
        f.confirm("a 4XXError/5XXError rise right after the deployment (CloudWatch metrics)");
    }
    for i in failing {
        cx.add_obs(&mut f, i);
    }
    let prior = ev
        .deployment
        .value()
        .and_then(|d| d.deployments.value())
        .and_then(|ds| ds.get(1))
        .map(|d| d.id.clone())
        .unwrap_or_else(|| "<previous-deployment-id>".into());
    f.fix = Fix {
        explanation: "Roll the stage back to the previous deployment to stop the errors now, then restore the removed CORS settings in the source of truth (template, OpenAPI file) and redeploy.".into(),
        aws_cli: format!("aws apigateway update-stage --rest-api-id {} --stage-name {} --patch-operations op=replace,path=/deploymentId,value={prior}", cx.api_id(), cx.stage()),
        cloudformation_sam: "Restore the OPTIONS methods/CORS mappings in the template (an OpenAPI import in overwrite mode drops what the file lacks)".into(),
        cdk: "Restore defaultCorsPreflightOptions / the removed integration response mappings".into(),
        terraform: "Restore the removed aws_api_gateway_* CORS resources; pin aws_api_gateway_stage.deployment_id to the known-good deployment meanwhile".into(),
    };
    vec![f]
}
