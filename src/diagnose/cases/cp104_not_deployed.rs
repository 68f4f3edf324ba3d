//! CP104 `fixed-but-not-deployed` (beyond the runbook; playbook step 8).
//!
//! ## What it finds
//! The draft configuration would let the request through (an OPTIONS method with the CORS
//! mappings, an `Access-Control-Allow-Origin` mapping, an HTTP API CorsConfiguration allowing the
//! origin) but the stage still serves an older deployment: the probe sees the old behaviour.
//!
//! ## Why the browser blocks
//! What the browser receives is the deployed snapshot, not the draft; the snapshot lacks the
//! CORS answer, so the check fails as before the fix.
//!
//! ## Typical AWS causes
//! A console change without "Deploy API"; Terraform not re-creating `aws_api_gateway_deployment`
//! (no `triggers`); an HTTP API stage without `autoDeploy`.
//!
//! ## Evidence used
//! The probe; the draft (steps 2, 6); the stage's deployment, the drift between it and the draft,
//! and the CloudTrail changes made after it (step 8, diagnosis 3).
//!
//! ## The fix
//! Create a deployment for the stage (and make future changes redeploy).
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html>,
//! hashicorp/terraform-provider-aws #162; aws-and-peers.md §A.1 "Deployment model", story 5.

use super::{err, redeploy_cli};
use crate::aws::evidence::{DriftChange, RestMethod};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP104",
    name: "fixed-but-not-deployed",
    runbook_case: None,
};

fn maps_allow_origin(m: &RestMethod) -> bool {
    m.integration.as_ref().is_some_and(|i| {
        matches!(
            i.integration_type.as_deref(),
            Some("AWS_PROXY" | "HTTP_PROXY")
        ) || i.integration_responses.iter().any(|r| {
            r.response_parameters.keys().any(|k| {
                k.eq_ignore_ascii_case("method.response.header.Access-Control-Allow-Origin")
            })
        })
    })
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(ev) = cx.ev else { return Vec::new() };
    let dep = ev.deployment.value();
    let stage = ev.existence.stage.value();
    let mut f = Finding::new(
        META,
        format!(
            "The CORS fix is in the configuration but not deployed: stage {} still serves an older deployment",
            ev.target.stage
        ),
    )
    .specificity(90);
    let mut strong = false;
    for i in cx.failing() {
        let o = &cx.obs[i];
        let preflight = o.failed_at_preflight();
        let verb = if preflight {
            "OPTIONS"
        } else {
            o.method.as_str()
        };
        let draft_would_pass = if let Some(res) = cx.rest_resource(o) {
            Context::rest_method(res, verb).is_some_and(|m| {
                maps_allow_origin(m)
                    && m.authorization_type
                        .as_deref()
                        .is_none_or(|t| t == "NONE" || !preflight)
                    && !(preflight && m.api_key_required)
            })
        } else if let Some(cors) = cx.http_cors() {
            stage.is_some_and(|s| s.auto_deploy == Some(false))
                && cors
                    .allow_origins
                    .iter()
                    .any(|a| a == "*" || a.eq_ignore_ascii_case(&o.origin))
                && err(o).contains("AllowOrigin")
        } else {
            false
        };
        if !draft_would_pass {
            continue;
        }
        // A drift item on this route proves it; changes after the deployment make it likely.
        let drift: Vec<String> = dep
            .and_then(|d| d.drift.value())
            .map(|items| {
                items
                    .iter()
                    .filter(|d| {
                        cx.rest_resource(o).is_some_and(|r| r.path == d.path)
                            && (d.http_method.eq_ignore_ascii_case(verb) || d.http_method == "ANY")
                    })
                    .map(|d| match &d.change {
                        DriftChange::NotDeployed => format!(
                            "{} {}: in the draft only, not deployed",
                            d.http_method, d.path
                        ),
                        other => format!("{} {}: {:?}", d.http_method, d.path, other),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let changes = dep
            .map(|d| d.changes_since_deployment.as_slice())
            .unwrap_or_default();
        let newer = dep
            .map(|d| d.newer_than_stage.as_slice())
            .unwrap_or_default();
        if drift.is_empty() && changes.is_empty() && newer.is_empty() {
            continue;
        }
        strong |= !drift.is_empty() || !changes.is_empty();
        for d in drift {
            f.add_evidence(EvidenceItem::Deployment { detail: d });
        }
        for c in changes {
            f.add_evidence(EvidenceItem::CloudTrail {
                event_time: c.event_time.clone(),
                event_name: c.event_name.clone(),
                who: c.username.clone().or_else(|| c.user_arn.clone()),
                source_ip: c.source_ip.clone(),
                error_code: c.error_code.clone(),
            });
        }
        if !newer.is_empty() {
            f.add_evidence(EvidenceItem::Deployment {
                detail: format!(
                    "deployments newer than the stage's, never switched to: {}",
                    newer.join(", ")
                ),
            });
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    if let Some(live) = dep.and_then(|d| d.stage_deployment.value()) {
        f.add_evidence(EvidenceItem::Deployment {
            detail: format!(
                "stage {} serves deployment {} created {}",
                ev.target.stage,
                live.id,
                live.created.as_deref().unwrap_or("(unknown)")
            ),
        });
    }
    f.confidence = if strong {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let http = cx.http().is_some();
    f.fix = Fix {
        explanation: "Deploy the stage so it serves the current configuration; make deployments follow configuration changes.".into(),
        aws_cli: if http {
            format!("aws apigatewayv2 create-deployment --api-id {} --stage-name {}", cx.api_id(), cx.stage())
        } else {
            redeploy_cli(cx)
        },
        cloudformation_sam: "CloudFormation: a new AWS::ApiGateway::Deployment (change its logical id) on every API change; SAM and HTTP APIs (AutoDeploy: true) redeploy by themselves".into(),
        cdk: "RestApi deploy: true (the default) redeploys on change; for imported APIs call deployment.addToLogicalId(hashOfConfiguration)".into(),
        terraform: "aws_api_gateway_deployment { triggers = { redeployment = sha1(jsonencode([aws_api_gateway_method.options, aws_api_gateway_integration_response.options])) } lifecycle { create_before_destroy = true } }".into(),
    };
    vec![f]
}
