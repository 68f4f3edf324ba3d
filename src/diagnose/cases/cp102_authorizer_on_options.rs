//! CP102 `authorizer-on-options` (beyond the runbook; its fallback's "authorizer CORS handling").
//!
//! ## What it finds
//! A REST `OPTIONS` method with `authorizationType` other than `NONE` (a Lambda or Cognito
//! authorizer, or IAM): every preflight is rejected with 401/403.
//!
//! ## Why the browser blocks
//! Browsers never send credentials (`Authorization`, cookies) on a preflight, so the authorizer
//! always rejects it; the 401/403 has no `Access-Control-Allow-Origin` and no ok status.
//!
//! ## Typical AWS causes
//! A default authorizer propagated to the generated OPTIONS method: SAM `DefaultAuthorizer`
//! (fix `AddDefaultAuthorizerToCorsPreflight: false`), CDK `defaultMethodOptions`, an OpenAPI
//! global `security` block.
//!
//! ## Evidence used
//! The preflight's 401 `UnauthorizedException` / 403 `AccessDeniedException`; the OPTIONS
//! method's `authorizationType` and `authorizerId` (playbook step 6).
//!
//! ## The fix
//! Set the OPTIONS method's authorization to `NONE` and redeploy.
//!
//! ## References
//! aws/serverless-application-model #717, aws/aws-cdk #8615 (PR #22402),
//! open-constructs/cdk-serverless #372; aws-and-peers.md §A.1 "Authorizers on OPTIONS", story 3.

use super::redeploy_cli;
use crate::aws::evidence::RestResource;
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP102",
    name: "authorizer-on-options",
    runbook_case: None,
};

fn options_auth(res: &RestResource) -> Option<(String, Option<String>)> {
    let m = res.methods.iter().find(|m| m.http_method == "OPTIONS")?;
    let t = m.authorization_type.clone().filter(|t| t != "NONE")?;
    Some((t, m.authorizer_id.clone()))
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "An authorizer guards the OPTIONS method: preflights carry no credentials and are rejected",
    )
    .specificity(80);
    let mut resource_id = None;
    for (i, o, p) in cx.failing_preflights(Flavor::Rest) {
        let gw = p.gateway_response_type();
        if cx.rest().is_some() {
            let Some(res) = cx.rest_resource(o) else {
                continue;
            };
            let Some((t, id)) = options_auth(res) else {
                continue;
            };
            f.add_evidence(EvidenceItem::Config {
                subject: format!("OPTIONS {} ({})", res.path, res.id),
                excerpt: format!(
                    "authorizationType = {t}{}",
                    id.map(|a| format!(", authorizerId = {a}"))
                        .unwrap_or_default()
                ),
            });
            resource_id.get_or_insert_with(|| res.id.clone());
            f.confidence = Confidence::High;
        } else if matches!(gw, Some("UNAUTHORIZED" | "ACCESS_DENIED")) {
            f.confirm("REST configuration: the OPTIONS method's authorizationType (GetMethod)");
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
        explanation: "Remove the authorizer from every OPTIONS method (authorizationType NONE); keep it on the actual methods. Redeploy.".into(),
        aws_cli: format!(
            "aws apigateway update-method --rest-api-id {} --resource-id {rid} --http-method OPTIONS --patch-operations op=replace,path=/authorizationType,value=NONE\n{}",
            cx.api_id(),
            redeploy_cli(cx)
        ),
        cloudformation_sam: "SAM: Auth: {DefaultAuthorizer: ..., AddDefaultAuthorizerToCorsPreflight: false}; CloudFormation: AuthorizationType: NONE on the OPTIONS AWS::ApiGateway::Method".into(),
        cdk: "Do not put the authorizer in defaultMethodOptions, or use defaultCorsPreflightOptions (CDK ≥ 2.47 keeps preflights open); resource.addMethod('OPTIONS', ..., { authorizationType: apigateway.AuthorizationType.NONE })".into(),
        terraform: "aws_api_gateway_method \"options\" { http_method = \"OPTIONS\" authorization = \"NONE\" }".into(),
    };
    vec![f]
}
