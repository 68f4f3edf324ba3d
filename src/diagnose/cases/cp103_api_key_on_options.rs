//! CP103 `api-key-on-options` (beyond the runbook).
//!
//! ## What it finds
//! A REST `OPTIONS` method with `apiKeyRequired: true`: every preflight gets 403
//! `{"message":"Forbidden"}`.
//!
//! ## Why the browser blocks
//! A preflight carries only `Origin`, `Access-Control-Request-Method` and
//! `Access-Control-Request-Headers`, never `x-api-key`; the 403 has no CORS headers and no ok
//! status.
//!
//! ## Typical AWS causes
//! SAM `Auth.ApiKeyRequired: true` applied to the generated preflight (fix
//! `AddApiKeyRequiredToCorsPreflight: false`), OpenAPI-wide `x-amazon-apigateway-api-key-source`
//! with security on every operation.
//!
//! ## Evidence used
//! The preflight's 403 `ForbiddenException`; the OPTIONS method's `apiKeyRequired` (step 6).
//!
//! ## The fix
//! Set `apiKeyRequired` to false on OPTIONS and redeploy.
//!
//! ## References
//! aws/serverless-application-model #1786 (PR #2981), aws/aws-sam-cli #3735; aws-and-peers.md §A.1
//! "API keys required on OPTIONS", story 4.

use super::redeploy_cli;
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP103",
    name: "api-key-on-options",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "The OPTIONS method requires an API key: preflights never carry x-api-key and get 403 Forbidden",
    )
    .specificity(80);
    let mut resource_id = None;
    for (i, o, p) in cx.failing_preflights(Flavor::Rest) {
        if cx.rest().is_some() {
            let Some(res) = cx.rest_resource(o) else {
                continue;
            };
            let Some(m) = res.methods.iter().find(|m| m.http_method == "OPTIONS") else {
                continue;
            };
            if !m.api_key_required || m.authorization_type.as_deref().is_some_and(|t| t != "NONE") {
                continue;
            }
            f.add_evidence(EvidenceItem::Config {
                subject: format!("OPTIONS {} ({})", res.path, res.id),
                excerpt: "apiKeyRequired = true".into(),
            });
            resource_id.get_or_insert_with(|| res.id.clone());
            f.confidence = Confidence::High;
        } else if p.gateway_response_type() == Some("INVALID_API_KEY") {
            f.confirm("REST configuration: apiKeyRequired on the OPTIONS method (GetMethod); a WAF rule also answers 403 Forbidden");
        } else {
            continue;
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    let rid = resource_id.unwrap_or_else(|| "<resource-id>".into());
    f.fix = Fix {
        explanation: "Stop requiring an API key on OPTIONS (keep it on the actual methods), then redeploy.".into(),
        aws_cli: format!(
            "aws apigateway update-method --rest-api-id {} --resource-id {rid} --http-method OPTIONS --patch-operations op=replace,path=/apiKeyRequired,value=false\n{}",
            cx.api_id(),
            redeploy_cli(cx)
        ),
        cloudformation_sam: "SAM: Auth: {ApiKeyRequired: true, AddApiKeyRequiredToCorsPreflight: false}; CloudFormation: ApiKeyRequired: false on the OPTIONS AWS::ApiGateway::Method".into(),
        cdk: "resource.addCorsPreflight({...}) creates OPTIONS without apiKeyRequired; do not set apiKeyRequired in defaultMethodOptions".into(),
        terraform: "aws_api_gateway_method \"options\" { http_method = \"OPTIONS\" api_key_required = false }".into(),
    };
    vec![f]
}
