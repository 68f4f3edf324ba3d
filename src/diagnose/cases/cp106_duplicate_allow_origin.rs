//! CP106 `duplicate-allow-origin` (beyond the runbook).
//!
//! ## What it finds
//! Responses with two `Access-Control-Allow-Origin` header lines: API Gateway (a mapping or the
//! HTTP API configuration) and the backend both add one, or a Lambda adapter fills both `headers`
//! and `multiValueHeaders`.
//!
//! ## Why the browser blocks
//! Two lines are combined into one value `a, b`, which is never a single origin
//! (`MultipleAllowOriginValues`: "contains multiple values … but only one is allowed").
//!
//! ## Typical AWS causes
//! awslabs/aws-lambda-go-api-proxy filling both header maps (PR #73); a backend behind an
//! `HTTP` integration adding CORS while the integration response maps it too; a CDN adding it.
//!
//! ## Evidence used
//! The duplicated lines on the wire; the method's integration type (step 6).
//!
//! ## The fix
//! Let exactly one layer add the header: remove it from the backend (or from the mapping).
//!
//! ## References
//! awslabs/aws-lambda-go-api-proxy PR #73, glassechidna/serverlessish #3; aws-and-peers.md story 13.

use super::err;
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP106",
    name: "duplicate-allow-origin",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "Two Access-Control-Allow-Origin lines: the gateway and the backend (or headers and multiValueHeaders) both add one",
    )
    .specificity(80)
    .confidence(Confidence::Medium);
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !err(o).ends_with("MultipleAllowOriginValues") {
            continue;
        }
        let Some(h) = o.failing_hop() else { continue };
        if h.values("access-control-allow-origin").count() < 2 {
            continue;
        }
        cx.add_obs(&mut f, i);
        if let Some(res) = cx.rest_resource(o) {
            let verb = if o.failed_at_preflight() {
                "OPTIONS"
            } else {
                o.method.as_str()
            };
            if let Some(m) = Context::rest_method(res, verb) {
                let t = m
                    .integration
                    .as_ref()
                    .and_then(|i| i.integration_type.clone())
                    .unwrap_or_default();
                f.add_evidence(EvidenceItem::Config {
                    subject: format!("{} {}", m.http_method, res.path),
                    excerpt: format!(
                        "integration type {t}{}",
                        if t.ends_with("_PROXY") {
                            " (the backend's headers pass through unchanged)"
                        } else {
                            ""
                        }
                    ),
                });
                f.confidence = Confidence::High;
            }
        }
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    f.fix = Fix {
        explanation: "Make one layer own CORS: for Lambda proxy return the header once (headers OR multiValueHeaders, not both); with an HTTP API CorsConfiguration, remove it from the backend.".into(),
        aws_cli: "Backend code change (no API Gateway call); if the integration response also maps the header: aws apigateway update-integration-response ... --patch-operations op=remove,path=/responseParameters/method.response.header.Access-Control-Allow-Origin".into(),
        cloudformation_sam: "Keep Cors in one place: either the SAM Cors setting with a backend that sends no CORS headers, or the backend alone".into(),
        cdk: "Either defaultCorsPreflightOptions/corsPreflight or the handler's headers, not both".into(),
        terraform: "Remove the duplicate mapping from aws_api_gateway_integration_response, or the header from the backend".into(),
    };
    vec![f]
}
