//! CP002 `missing-options-method` (runbook Diagnosis case 2).
//!
//! ## What it finds
//! Preflights that reach no OPTIONS handler: a REST resource without an `OPTIONS` method
//! (403 `MissingAuthenticationTokenException`), or an HTTP API without a CorsConfiguration and
//! without an `OPTIONS` route (404 `{"message":"Not Found"}`).
//!
//! ## Why the browser blocks
//! The preflight answer has neither an ok status nor `Access-Control-Allow-Origin`, so the CORS
//! check fails before the actual request is sent (`PreflightMissingAllowOriginHeader`).
//!
//! ## Typical AWS causes
//! "Enable CORS" run on the parent resource only (it is not recursive); a new resource added after
//! CORS was set up; an HTTP API created without `CorsConfiguration`.
//!
//! ## Evidence used
//! The probe's preflight (status, `x-amzn-ErrorType`, `apigw-requestid`); playbook steps 2, 5 and
//! 6: the resource's methods (`has_options`), the HTTP API's `cors`.
//!
//! ## The fix
//! REST: add the MOCK `OPTIONS` method with the three `Access-Control-Allow-*` mappings, then
//! deploy. HTTP: set `CorsConfiguration` on the API.
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>,
//! aws-and-peers.md §A.1, §A.2, story 11.

use super::{enable_cors_cli, err, first_origin};
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP002",
    name: "missing-options-method",
    runbook_case: Some(RunbookCase::Case(2)),
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut rest = Finding::new(
        META,
        "REST resources have no OPTIONS method: preflights get 403 Missing Authentication Token",
    )
    .specificity(70);
    let mut http = Finding::new(
        META,
        "HTTP API has no CORS configuration: preflights are routed like any request and get 404",
    )
    .specificity(70);
    let mut resource_id = None;
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !o.failed_at_preflight() || !err(o).starts_with("Preflight") {
            continue;
        }
        let Some(p) = &o.preflight else { continue };
        match (p.flavor(), p.gateway_response_type()) {
            (Flavor::Rest, Some("MISSING_AUTHENTICATION_TOKEN")) => {
                if cx.rest().is_some() {
                    let Some(res) = cx.rest_resource(o) else {
                        continue;
                    };
                    if res.has_options || res.methods.iter().any(|m| m.http_method == "ANY") {
                        continue;
                    }
                    let verbs: Vec<&str> =
                        res.methods.iter().map(|m| m.http_method.as_str()).collect();
                    rest.add_evidence(EvidenceItem::Config {
                        subject: format!("resource {} ({})", res.path, res.id),
                        excerpt: format!("methods: {} (no OPTIONS)", verbs.join(", ")),
                    });
                    resource_id.get_or_insert_with(|| res.id.clone());
                    rest.confidence = Confidence::High;
                } else {
                    rest.confirm("REST configuration (GetResources embed=methods): no OPTIONS method on the resource");
                }
                cx.add_obs(&mut rest, i);
            }
            (Flavor::Http, _) if p.status == Some(404) => {
                match cx.http() {
                    Some(h) if h.cors.value().is_some() => continue,
                    Some(h) => {
                        http.add_evidence(EvidenceItem::Config {
                            subject: format!("HTTP API {}", h.id),
                            excerpt: "CorsConfiguration: absent".into(),
                        });
                        http.confidence = Confidence::High;
                    }
                    None => {
                        http.confirm("HTTP API configuration (GetApi): CorsConfiguration absent")
                    }
                }
                cx.add_obs(&mut http, i);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if !rest.explains.is_empty() {
        let origin = first_origin(&rest);
        let rid = resource_id.unwrap_or_else(|| "<resource-id>".into());
        rest.fix = Fix {
            explanation: "Add an OPTIONS method (MOCK integration, request template {\"statusCode\": 200}) answering Access-Control-Allow-Origin, -Methods and -Headers on every listed resource, then deploy the stage.".into(),
            aws_cli: enable_cors_cli(cx, &rid, &origin),
            cloudformation_sam: "SAM: Globals.Api.Cors: {AllowOrigin: \"'ORIGIN'\", AllowMethods: \"'GET,POST,OPTIONS'\", AllowHeaders: \"'Content-Type,Authorization'\"}; CloudFormation: an AWS::ApiGateway::Method with HttpMethod: OPTIONS, Integration.Type: MOCK per resource".into(),
            cdk: "new apigateway.RestApi(this, 'Api', { defaultCorsPreflightOptions: { allowOrigins: ['ORIGIN'], allowHeaders: ['Content-Type', 'Authorization'] } }) (or resource.addCorsPreflight({...}) per resource)".into(),
            terraform: "aws_api_gateway_method \"options\" { http_method = \"OPTIONS\", authorization = \"NONE\" } + aws_api_gateway_integration { type = \"MOCK\" } + method/integration responses with the Access-Control-Allow-* response_parameters (or the squidfunk/api-gateway-enable-cors module)".into(),
        };
        out.push(rest);
    }
    if !http.explains.is_empty() {
        let origin = first_origin(&http);
        http.fix = Fix {
            explanation: "Set the API-level CorsConfiguration: API Gateway then answers preflights itself and adds the headers to every response.".into(),
            aws_cli: format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowOrigins={origin},AllowMethods=GET,POST,PUT,DELETE,OPTIONS,AllowHeaders=content-type,authorization", cx.api_id()),
            cloudformation_sam: "AWS::ApiGatewayV2::Api CorsConfiguration: {AllowOrigins: [ORIGIN], AllowMethods: [...], AllowHeaders: [...]} (SAM: AWS::Serverless::HttpApi CorsConfiguration)".into(),
            cdk: "new apigwv2.HttpApi(this, 'Api', { corsPreflight: { allowOrigins: ['ORIGIN'], allowMethods: [apigwv2.CorsHttpMethod.ANY], allowHeaders: ['content-type', 'authorization'] } })".into(),
            terraform: "aws_apigatewayv2_api { cors_configuration { allow_origins = [\"ORIGIN\"] allow_methods = [\"*\"] allow_headers = [\"content-type\", \"authorization\"] } }".into(),
        };
        out.push(http);
    }
    out
}
