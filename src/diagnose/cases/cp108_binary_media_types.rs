//! CP108 `binary-media-types-break-mock` (beyond the runbook).
//!
//! ## What it finds
//! A REST API whose `binaryMediaTypes` match the preflight (typically `*/*`) while the OPTIONS
//! MOCK integration has no `contentHandling: CONVERT_TO_TEXT`: every preflight fails with 500.
//!
//! ## Why the browser blocks
//! The MOCK's request template cannot be applied to a "binary" body ("Execution failed due to
//! configuration error: Unable to transform request"); the 500 has no CORS headers and no ok
//! status.
//!
//! ## Typical AWS causes
//! `binaryMediaTypes: ['*/*']` added for file uploads or images (Chalice, serverless plugins).
//!
//! ## Evidence used
//! The preflight's 500 `InternalServerErrorException`; `binaryMediaTypes` and the OPTIONS
//! integration's `contentHandling` (steps 2, 6); the execution-log line (step 9).
//!
//! ## The fix
//! Set `contentHandling: CONVERT_TO_TEXT` on each OPTIONS integration (or narrow
//! `binaryMediaTypes`), redeploy.
//!
//! ## References
//! aws/chalice #1310, clebert/aws-simple #167, squidfunk/terraform-aws-api-gateway-enable-cors #10;
//! aws-and-peers.md story 6.

use super::redeploy_cli;
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP108",
    name: "binary-media-types-break-mock",
    runbook_case: None,
};

/// Whether `binaryMediaTypes` make a preflight (which has no Content-Type) binary.
pub(crate) fn binary_catches_preflight(types: &[String]) -> bool {
    types.iter().any(|t| t == "*/*")
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(rest) = cx.rest() else {
        return Vec::new();
    };
    if !binary_catches_preflight(&rest.binary_media_types) {
        return Vec::new();
    }
    let mut f = Finding::new(
        META,
        "binaryMediaTypes */* makes the MOCK OPTIONS fail with 500 (Unable to transform request)",
    )
    .specificity(85)
    .confidence(Confidence::High);
    f.add_evidence(EvidenceItem::Config {
        subject: format!("REST API {}", rest.id),
        excerpt: format!("binaryMediaTypes = {:?}", rest.binary_media_types),
    });
    let mut resource_id = None;
    for (i, o, p) in cx.failing_preflights(Flavor::Rest) {
        if p.status.is_none_or(|s| s < 500) {
            continue;
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
        if integ.integration_type.as_deref() != Some("MOCK")
            || integ.content_handling.as_deref() == Some("CONVERT_TO_TEXT")
        {
            continue;
        }
        f.add_evidence(EvidenceItem::Config {
            subject: format!("OPTIONS {} integration", res.path),
            excerpt: format!(
                "type MOCK, contentHandling {}",
                integ.content_handling.as_deref().unwrap_or("(none)")
            ),
        });
        resource_id.get_or_insert_with(|| res.id.clone());
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    for e in cx.log_evidence("Unable to transform request", 3) {
        f.add_evidence(e);
    }
    let rid = resource_id.unwrap_or_else(|| "<resource-id>".into());
    f.fix = Fix {
        explanation: "Set contentHandling CONVERT_TO_TEXT on every OPTIONS MOCK integration (or list only the real binary types instead of */*), then redeploy.".into(),
        aws_cli: format!("aws apigateway update-integration --rest-api-id {} --resource-id {rid} --http-method OPTIONS --patch-operations op=replace,path=/contentHandling,value=CONVERT_TO_TEXT\n{}", cx.api_id(), redeploy_cli(cx)),
        cloudformation_sam: "OPTIONS AWS::ApiGateway::Method Integration.ContentHandling: CONVERT_TO_TEXT (or BinaryMediaTypes without */*)".into(),
        cdk: "new apigateway.MockIntegration({ contentHandling: apigateway.ContentHandling.CONVERT_TO_TEXT, ... }) for OPTIONS".into(),
        terraform: "aws_api_gateway_integration \"options\" { type = \"MOCK\" content_handling = \"CONVERT_TO_TEXT\" }".into(),
    };
    vec![f]
}
