//! CP101 `gateway-response-without-cors` (beyond the runbook).
//!
//! ## What it finds
//! An error API Gateway generated itself (UNAUTHORIZED, ACCESS_DENIED,
//! MISSING_AUTHENTICATION_TOKEN, THROTTLED, INTEGRATION_TIMEOUT, DEFAULT_4XX, DEFAULT_5XX,
//! WAF_FILTERED, …) whose gateway response carries no `Access-Control-Allow-Origin`. One finding
//! per response type, listing every route that showed it.
//!
//! ## Why the browser blocks
//! Without `Access-Control-Allow-Origin` the browser hides the response from script, so the page
//! sees "blocked by CORS policy" instead of the 401, 429 or 504 that really happened.
//!
//! ## Typical AWS causes
//! Gateway responses are not touched by "Enable CORS" unless the DEFAULT 4XX/5XX boxes are ticked;
//! an authorizer rejecting a token, throttling, a WAF rule, an integration timeout or a Lambda
//! crash ("Malformed Lambda proxy response", 502) then surface as CORS errors.
//!
//! ## Evidence used
//! The actual response's status, `x-amzn-ErrorType` and body; the API's gateway responses (step
//! 2); execution-log lines of the failure (step 9).
//!
//! ## The fix
//! Add `gatewayresponse.header.Access-Control-Allow-Origin` (and -Headers) to DEFAULT_4XX and
//! DEFAULT_5XX (or to the one type), redeploy; then fix the real error the browser now shows.
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html>,
//! aws/chalice #960, serverless/serverless #3191, serverless/serverless #4037; aws-and-peers.md
//! §A.1 "Gateway responses", stories 2 and 10.

use std::collections::BTreeMap;

use super::{first_origin, redeploy_cli};
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP101",
    name: "gateway-response-without-cors",
    runbook_case: None,
};

fn fallback_of(t: &str, status: u16) -> &'static str {
    if t == "DEFAULT_5XX" || status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    }
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut groups: BTreeMap<&'static str, Finding> = BTreeMap::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if o.failed_at_preflight() {
            continue;
        }
        let Some(a) = &o.actual else { continue };
        let (Some(t), Some(status)) = (a.gateway_response_type(), a.status) else {
            continue;
        };
        // A 403 Forbidden on a stage with a web ACL is WAF's answer, not a missing API key.
        let waf = cx
            .ev
            .and_then(|e| e.existence.stage.value())
            .is_some_and(|s| s.web_acl_arn.is_some());
        let t = if t == "INVALID_API_KEY" && waf {
            "WAF_FILTERED"
        } else {
            t
        };
        if a.has_allow_origin() || a.flavor() != Flavor::Rest {
            continue;
        }
        let message = a.message().unwrap_or_default();
        let f = groups.entry(t).or_insert_with(|| {
            let mut f = Finding::new(
                META,
                format!(
                    "The {t} gateway response has no CORS headers: the browser hides the real {status} \"{message}\" behind a CORS error"
                ),
            )
            // A missing route is explained more precisely by CP112.
            .specificity(if t == "MISSING_AUTHENTICATION_TOKEN" { 30 } else { 60 });
            f.confidence = if a.error_type().is_some() { Confidence::Medium } else { Confidence::Low };
            f
        });
        cx.add_obs(f, i);
        if let Some(rest) = cx.rest() {
            if let Some(responses) = rest.gateway_responses.value() {
                let fb = fallback_of(t, status);
                let mut lines = Vec::new();
                for want in [t, fb] {
                    match responses.iter().find(|g| g.response_type == want) {
                        Some(g) => {
                            let acao = g.response_parameters.iter().find(|(k, _)| {
                                k.eq_ignore_ascii_case(
                                    "gatewayresponse.header.Access-Control-Allow-Origin",
                                )
                            });
                            lines.push(match acao {
                                Some((_, v)) => {
                                    format!("{want}: Access-Control-Allow-Origin = {v}")
                                }
                                None => format!("{want}: no Access-Control-Allow-Origin"),
                            });
                        }
                        None => lines.push(format!(
                            "{want}: not customised (AWS default, no CORS headers)"
                        )),
                    }
                }
                lines.dedup();
                f.add_evidence(EvidenceItem::Config {
                    subject: "gateway responses".into(),
                    excerpt: lines.join("; "),
                });
                f.confidence = Confidence::High;
            } else {
                f.confirm("gateway responses (GetGatewayResponses)");
            }
        } else {
            f.confirm("gateway responses (GetGatewayResponses): no Access-Control-Allow-Origin on this type nor on DEFAULT_4XX/DEFAULT_5XX");
        }
        let needle = match t {
            "DEFAULT_5XX" => Some("Malformed Lambda proxy response"),
            "INTEGRATION_TIMEOUT" => Some("timed out"),
            "UNAUTHORIZED" | "ACCESS_DENIED" => Some("authorizer"),
            "THROTTLED" => Some("throttl"),
            _ => None,
        };
        if let Some(n) = needle {
            for e in cx.log_evidence(n, 3) {
                f.add_evidence(e);
            }
        }
    }
    groups
        .into_iter()
        .map(|(t, mut f)| {
            let origin = first_origin(&f);
            let target = if matches!(t, "DEFAULT_4XX" | "DEFAULT_5XX") { t.to_string() } else { format!("{t} (or DEFAULT_4XX/DEFAULT_5XX for every type)") };
            f.fix = Fix {
                explanation: format!("Add CORS headers to the {target} gateway response so the browser shows the real error, redeploy, then fix the error itself."),
                aws_cli: format!(
                    "aws apigateway put-gateway-response --rest-api-id {} --response-type {t} --response-parameters '{{\"gatewayresponse.header.Access-Control-Allow-Origin\":\"'\"'\"'{origin}'\"'\"'\",\"gatewayresponse.header.Access-Control-Allow-Headers\":\"'\"'\"'Content-Type,Authorization'\"'\"'\"}}'\n{}",
                    cx.api_id(),
                    redeploy_cli(cx)
                ),
                cloudformation_sam: format!("AWS::ApiGateway::GatewayResponse {{ResponseType: {t}, ResponseParameters: {{gatewayresponse.header.Access-Control-Allow-Origin: \"'ORIGIN'\"}}}} (SAM: Api GatewayResponses: {{{t}: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'ORIGIN'\"}}}}}}}})"),
                cdk: format!("api.addGatewayResponse('{t}', {{ type: apigateway.ResponseType.{t}, responseHeaders: {{ 'Access-Control-Allow-Origin': \"'ORIGIN'\" }} }})"),
                terraform: format!("aws_api_gateway_gateway_response {{ response_type = \"{t}\" response_parameters = {{ \"gatewayresponse.header.Access-Control-Allow-Origin\" = \"'ORIGIN'\" }} }}"),
            };
            f
        })
        .collect()
}
