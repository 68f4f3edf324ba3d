//! CP107 `several-origins-in-one-header` (beyond the runbook).
//!
//! ## What it finds
//! One `Access-Control-Allow-Origin` line listing several origins (`https://a.com,https://b.com`,
//! `origin,*`).
//!
//! ## Why the browser blocks
//! The header holds exactly one origin or `*`; a list is reported as "contains multiple values"
//! (`MultipleAllowOriginValues`).
//!
//! ## Typical AWS causes
//! Serverless/SAM configurations with several origins written into a REST static mapping; events
//! with different `cors` settings producing `'origin,*'`; CDK REST returning only the first origin.
//!
//! ## Evidence used
//! The received header; the static mapping in the integration response (step 6).
//!
//! ## The fix
//! A REST static mapping can hold one origin: use one, echo the request's origin from a Lambda, or
//! move to an HTTP API whose `AllowOrigins` list is matched per request.
//!
//! ## References
//! serverless/serverless #2476 and #3324, aws/aws-cdk #30453; aws-and-peers.md story 7.

use super::{err, redeploy_cli};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP107",
    name: "several-origins-in-one-header",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "Access-Control-Allow-Origin lists several origins in one value; it may hold only one",
    )
    .specificity(80)
    .confidence(Confidence::Medium);
    let mut value = String::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !err(o).ends_with("MultipleAllowOriginValues") {
            continue;
        }
        let Some(h) = o.failing_hop() else { continue };
        let values: Vec<&str> = h.values("access-control-allow-origin").collect();
        if values.len() != 1 {
            continue;
        }
        value = values[0].to_string();
        cx.add_obs(&mut f, i);
        if let Some(res) = cx.rest_resource(o) {
            for m in &res.methods {
                for ir in m.integration.iter().flat_map(|i| &i.integration_responses) {
                    for (k, v) in &ir.response_parameters {
                        if k.eq_ignore_ascii_case(
                            "method.response.header.Access-Control-Allow-Origin",
                        ) && v.contains(',')
                        {
                            f.add_evidence(EvidenceItem::Config {
                                subject: format!(
                                    "{} {} integration response {}",
                                    m.http_method, res.path, ir.status_code
                                ),
                                excerpt: format!("{k} = {v}"),
                            });
                            f.confidence = Confidence::High;
                        }
                    }
                }
            }
        }
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    let first = value.split(',').next().unwrap_or("").trim().to_string();
    f.fix = Fix {
        explanation: format!("Map a single origin (e.g. '{first}'), or echo the request's Origin after checking it against an allow-list in a Lambda, or use an HTTP API AllowOrigins list."),
        aws_cli: format!("aws apigateway update-integration-response --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS --status-code 200 --patch-operations \"op=replace,path=/responseParameters/method.response.header.Access-Control-Allow-Origin,value='{first}'\"\n{}", cx.api_id(), redeploy_cli(cx)),
        cloudformation_sam: format!("SAM Cors.AllowOrigin: \"'{first}'\" (one origin per static value)"),
        cdk: "RestApi: echo the origin from the handler; or apigwv2.HttpApi corsPreflight.allowOrigins: [...] (matched per request)".into(),
        terraform: format!("\"method.response.header.Access-Control-Allow-Origin\" = \"'{first}'\""),
    };
    vec![f]
}
