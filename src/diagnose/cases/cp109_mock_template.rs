//! CP109 `mock-options-failing` (beyond the runbook).
//!
//! ## What it finds
//! Preflights answered 500 by a REST API: the OPTIONS MOCK integration cannot produce a status
//! because its request template is missing or has no `statusCode` ("statusCode should be an
//! integer which defined in request template"). Without the configuration this is also where a
//! preflight 500 of unknown cause lands.
//!
//! ## Why the browser blocks
//! A 500 preflight has no ok status and no CORS headers (`PreflightMissingAllowOriginHeader`).
//!
//! ## Typical AWS causes
//! A MOCK integration created without `requestTemplates: {"application/json": "{\"statusCode\": 200}"}`;
//! templates for another content type; `passthroughBehavior` letting an empty body through.
//!
//! ## Evidence used
//! The preflight's 500; the OPTIONS integration's request templates (step 6); execution logs
//! (step 9).
//!
//! ## The fix
//! Give the OPTIONS MOCK integration the `{"statusCode": 200}` template, redeploy.
//!
//! ## References
//! aws-amplify/amplify-js #3007; aws-and-peers.md §A.4, story 14.

use super::cp108_binary_media_types::binary_catches_preflight;
use super::redeploy_cli;
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP109",
    name: "mock-options-failing",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "The OPTIONS MOCK integration fails with 500: its request template yields no statusCode",
    )
    .specificity(75);
    let mut resource_id = None;
    for (i, o, p) in cx.failing_preflights(Flavor::Rest) {
        if p.status != Some(500) {
            continue;
        }
        if let Some(rest) = cx.rest() {
            if binary_catches_preflight(&rest.binary_media_types) {
                continue; // CP108
            }
            let Some(res) = cx.rest_resource(o) else {
                continue;
            };
            let Some(m) = res.methods.iter().find(|m| m.http_method == "OPTIONS") else {
                continue;
            };
            let Some(integ) = &m.integration else {
                continue;
            };
            let template = integ.request_templates.get("application/json");
            if template.is_some_and(|t| t.contains("statusCode")) {
                continue;
            }
            f.add_evidence(EvidenceItem::Config {
                subject: format!("OPTIONS {} integration", res.path),
                excerpt: format!(
                    "type {}, requestTemplates {:?}",
                    integ.integration_type.as_deref().unwrap_or("?"),
                    integ.request_templates
                ),
            });
            resource_id.get_or_insert_with(|| res.id.clone());
            f.confidence = Confidence::High;
        } else {
            f.title =
                "The OPTIONS method fails with 500 (MOCK template or binaryMediaTypes)".into();
            f.specificity = 50;
            f.confirm("the OPTIONS integration's requestTemplates and the API's binaryMediaTypes (CP108), and the execution log line of the preflight");
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    for e in cx.log_evidence("statusCode should be an integer", 3) {
        f.add_evidence(e);
    }
    let rid = resource_id.unwrap_or_else(|| "<resource-id>".into());
    f.fix = Fix {
        explanation: "Give the OPTIONS MOCK integration the request template {\"statusCode\": 200} for application/json (passthroughBehavior NEVER or WHEN_NO_MATCH), then redeploy.".into(),
        aws_cli: format!("aws apigateway update-integration --rest-api-id {} --resource-id {rid} --http-method OPTIONS --patch-operations 'op=add,path=/requestTemplates/application~1json,value={{\"statusCode\": 200}}'\n{}", cx.api_id(), redeploy_cli(cx)),
        cloudformation_sam: "Integration: {Type: MOCK, RequestTemplates: {application/json: '{\"statusCode\": 200}'}}".into(),
        cdk: "new apigateway.MockIntegration({ requestTemplates: { 'application/json': '{\"statusCode\": 200}' } })".into(),
        terraform: "aws_api_gateway_integration { type = \"MOCK\" request_templates = { \"application/json\" = jsonencode({ statusCode = 200 }) } }".into(),
    };
    vec![f]
}
