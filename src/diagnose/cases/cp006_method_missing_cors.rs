//! CP006 `method-missing-cors-mapping` (runbook Diagnosis case 6).
//!
//! ## What it finds
//! CORS errors specific to some methods: the actual response of a non-proxy method lacks
//! `Access-Control-Allow-Origin` because its integration response (for that status) does not map
//! it, while other methods work.
//!
//! ## Why the browser blocks
//! The preflight passes, but the actual response has no `Access-Control-Allow-Origin`
//! (`MissingAllowOriginHeader`), so script cannot read it.
//!
//! ## Typical AWS causes
//! "Enable CORS" adds the mapping to the 200 response of the selected methods only; a method
//! added later, or a non-200 integration response (400, 500 selection patterns) set up by hand.
//!
//! ## Evidence used
//! The actual response; per method, which integration responses map the header (step 6,
//! `method_cors.missing_allow_origin_on`); step 9 execution logs.
//!
//! ## The fix
//! Declare the header in the method response and map it in the integration response, for each
//! listed method and status; redeploy.
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html>,
//! <https://repost.aws/knowledge-center/api-gateway-cors-errors>; aws-and-peers.md §A.1.

use super::{err, first_origin, redeploy_cli};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP006",
    name: "method-missing-cors-mapping",
    runbook_case: Some(crate::diagnose::RunbookCase::Case(6)),
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "Some methods' integration responses do not map Access-Control-Allow-Origin",
    )
    .specificity(65);
    let mut resource_id = None;
    let mut status_code = "200".to_string();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if err(o) != "MissingAllowOriginHeader" {
            continue;
        }
        let Some(a) = &o.actual else { continue };
        if a.gateway_response_type().is_some() {
            continue;
        }
        if cx.rest().is_some() {
            let Some(res) = cx.rest_resource(o) else {
                continue;
            };
            let Some(m) = Context::rest_method(res, &o.method) else {
                continue;
            };
            let Some(integ) = &m.integration else {
                continue;
            };
            if integ
                .integration_type
                .as_deref()
                .is_some_and(|t| t.ends_with("_PROXY"))
            {
                continue;
            }
            let status = a.status.map(|s| s.to_string()).unwrap_or_default();
            let ir = integ
                .integration_responses
                .iter()
                .find(|r| r.status_code == status)
                .or_else(|| {
                    integ
                        .integration_responses
                        .iter()
                        .find(|r| r.selection_pattern.is_none())
                });
            let mapped = ir.is_some_and(|r| {
                r.response_parameters.keys().any(|k| {
                    k.eq_ignore_ascii_case("method.response.header.Access-Control-Allow-Origin")
                })
            });
            if mapped {
                continue;
            }
            let others: Vec<String> = res
                .methods
                .iter()
                .filter(|x| x.http_method != m.http_method && x.http_method != "OPTIONS")
                .filter(|x| {
                    x.integration.as_ref().is_some_and(|i| {
                        i.integration_responses.iter().any(|r| {
                            r.response_parameters.keys().any(|k| {
                                k.eq_ignore_ascii_case(
                                    "method.response.header.Access-Control-Allow-Origin",
                                )
                            })
                        })
                    })
                })
                .map(|x| x.http_method.clone())
                .collect();
            f.add_evidence(EvidenceItem::Config {
                subject: format!(
                    "{} {} integration response {status}",
                    m.http_method, res.path
                ),
                excerpt: format!(
                    "no method.response.header.Access-Control-Allow-Origin mapping{}",
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" (mapped on {})", others.join(", "))
                    }
                ),
            });
            resource_id.get_or_insert_with(|| res.id.clone());
            status_code = status;
            f.confidence = Confidence::High;
        } else {
            f.confirm("REST configuration: the method's integration type and integration responses (proxy integrations: CP105, the backend must send the header)");
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    let origin = first_origin(&f);
    let method = f
        .routes
        .first()
        .map(|r| r.method.clone())
        .unwrap_or_else(|| "GET".into());
    let rid = resource_id.unwrap_or_else(|| "<resource-id>".into());
    let api = cx.api_id();
    f.fix = Fix {
        explanation: "Declare Access-Control-Allow-Origin on each listed method response and map it in the matching integration response (every status the page reads), then redeploy.".into(),
        aws_cli: format!(
            "aws apigateway update-method-response --rest-api-id {api} --resource-id {rid} --http-method {method} --status-code {status_code} --patch-operations op=add,path=/responseParameters/method.response.header.Access-Control-Allow-Origin,value=false\n\
             aws apigateway update-integration-response --rest-api-id {api} --resource-id {rid} --http-method {method} --status-code {status_code} --patch-operations \"op=add,path=/responseParameters/method.response.header.Access-Control-Allow-Origin,value='{origin}'\"\n{}",
            redeploy_cli(cx)
        ),
        cloudformation_sam: "AWS::ApiGateway::Method MethodResponses[].ResponseParameters: {method.response.header.Access-Control-Allow-Origin: true} and Integration.IntegrationResponses[].ResponseParameters: {method.response.header.Access-Control-Allow-Origin: \"'ORIGIN'\"}".into(),
        cdk: "integrationResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': \"'ORIGIN'\" } }] and methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': true } }]".into(),
        terraform: "aws_api_gateway_method_response { response_parameters = { \"method.response.header.Access-Control-Allow-Origin\" = true } } + aws_api_gateway_integration_response { response_parameters = { \"method.response.header.Access-Control-Allow-Origin\" = \"'ORIGIN'\" } }".into(),
    };
    vec![f]
}
