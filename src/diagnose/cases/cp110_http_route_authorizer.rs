//! CP110 `http-route-authorizer-catches-preflight` (beyond the runbook; its fallback's "HTTP API
//! vs REST API CORS behavior differences" and "authorizer CORS handling").
//!
//! ## What it finds
//! HTTP API preflights that reach an `ANY /…` or `$default` route guarded by a JWT/Lambda/IAM
//! authorizer and are rejected (401/403).
//!
//! ## Why the browser blocks
//! The preflight carries no token, so the authorizer answers 401 `{"message":"Unauthorized"}`;
//! even with CORS headers added, a non-2XX preflight fails ("does not have HTTP ok status").
//!
//! ## Typical AWS causes
//! A catch-all `ANY /{proxy+}` or `$default` route with an authorizer and no CorsConfiguration
//! (or a configuration that still lets the route catch OPTIONS).
//!
//! ## Evidence used
//! The preflight's 401/403 with `apigw-requestid`; the routes, their authorization types, the
//! CorsConfiguration (steps 2, 5).
//!
//! ## The fix
//! Configure CORS on the API, or add an `OPTIONS /{proxy+}` route without an authorizer (with an
//! integration).
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>
//! ("$default route and authorizer"), anomalyco/sst #5493, aws/serverless-application-model #1603;
//! aws-and-peers.md §A.2, story 9.

use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP110",
    name: "http-route-authorizer-catches-preflight",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "An HTTP API catch-all route (ANY or $default) with an authorizer answers the preflights with 401",
    )
    .specificity(85);
    let mut route_key: Option<String> = None;
    for i in cx.failing() {
        let o = &cx.obs[i];
        let Some(p) = o.preflight.as_ref().filter(|_| o.failed_at_preflight()) else {
            continue;
        };
        if p.flavor() != Flavor::Http || !matches!(p.status, Some(401 | 403)) {
            continue;
        }
        if cx.http().is_some() {
            let Some(r) = cx.http_route(o, "OPTIONS") else {
                continue;
            };
            let auth = r
                .authorization_type
                .clone()
                .unwrap_or_else(|| "NONE".into());
            let catch_all = r.route_key == "$default" || r.route_key.starts_with("ANY ");
            if auth == "NONE" || !catch_all {
                continue;
            }
            f.add_evidence(EvidenceItem::Config {
                subject: format!("route {}", r.route_key),
                excerpt: format!(
                    "authorizationType = {auth}{}",
                    r.authorizer_id
                        .as_deref()
                        .map(|a| format!(", authorizerId = {a}"))
                        .unwrap_or_default()
                ),
            });
            route_key.get_or_insert_with(|| r.route_key.clone());
            f.confidence = Confidence::High;
        } else {
            f.confidence = Confidence::Low;
            f.confirm("the HTTP API routes (GetRoutes): an ANY or $default route with an authorizer, and no OPTIONS route");
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    if let Some(h) = cx.http() {
        f.add_evidence(EvidenceItem::Config {
            subject: format!("HTTP API {}", h.id),
            excerpt: match h.cors.value() {
                Some(c) => format!("CorsConfiguration AllowOrigins {:?}", c.allow_origins),
                None => "CorsConfiguration: absent".into(),
            },
        });
    }
    let api = cx.api_id();
    f.fix = Fix {
        explanation: "Add an OPTIONS /{proxy+} route without an authorizer (it needs an integration), or configure CORS on the API so API Gateway answers preflights before routing.".into(),
        aws_cli: format!("aws apigatewayv2 create-route --api-id {api} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target integrations/<integration-id>"),
        cloudformation_sam: "AWS::ApiGatewayV2::Route {RouteKey: 'OPTIONS /{proxy+}', AuthorizationType: NONE, Target: integrations/ID} (SAM HttpApi: CorsConfiguration)".into(),
        cdk: "httpApi.addRoutes({ path: '/{proxy+}', methods: [apigwv2.HttpMethod.OPTIONS], integration }) without an authorizer, or corsPreflight on the HttpApi".into(),
        terraform: "aws_apigatewayv2_route { route_key = \"OPTIONS /{proxy+}\" authorization_type = \"NONE\" target = \"integrations/${aws_apigatewayv2_integration.x.id}\" }".into(),
    };
    vec![f]
}
