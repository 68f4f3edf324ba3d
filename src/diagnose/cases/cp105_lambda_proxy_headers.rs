//! CP105 `proxy-backend-missing-headers` (beyond the runbook).
//!
//! ## What it finds
//! Methods with a proxy integration (`AWS_PROXY` Lambda, `HTTP_PROXY`) whose backend answers
//! without `Access-Control-Allow-Origin` while the preflight passes.
//!
//! ## Why the browser blocks
//! With a proxy integration API Gateway adds nothing to the backend's response: the function
//! must return the header. Without it the browser hides the response
//! (`MissingAllowOriginHeader`), even though the OPTIONS mock answered correctly.
//!
//! ## Typical AWS causes
//! Serverless `cors: true`, SAM `Cors` and the console's "Enable CORS" only create the MOCK
//! OPTIONS; the Lambda code never adds the header.
//!
//! ## Evidence used
//! The actual response (2XX/4XX from the backend, no ACAO); the method's integration type
//! (step 6).
//!
//! ## The fix
//! Return `Access-Control-Allow-Origin` (and `-Credentials` if needed) from the function on every
//! response, errors included.
//!
//! ## References
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html> ("Enabling CORS
//! support for Lambda or HTTP proxy integrations"), serverless/serverless #4681,
//! aws/aws-sam-cli #2611, aws/aws-cdk #16876; aws-and-peers.md story 1.

use super::{err, first_origin};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP105",
    name: "proxy-backend-missing-headers",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "The proxy integration's backend does not return Access-Control-Allow-Origin",
    )
    .specificity(70)
    .confidence(Confidence::High);
    let mut functions = Vec::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if err(o) != "MissingAllowOriginHeader" {
            continue;
        }
        let Some(a) = &o.actual else { continue };
        if a.gateway_response_type().is_some() {
            continue;
        }
        let Some(res) = cx.rest_resource(o) else {
            continue;
        };
        let Some(m) = Context::rest_method(res, &o.method) else {
            continue;
        };
        let Some(integ) = &m.integration else {
            continue;
        };
        let Some(t) = integ
            .integration_type
            .as_deref()
            .filter(|t| t.ends_with("_PROXY"))
        else {
            continue;
        };
        f.add_evidence(EvidenceItem::Config {
            subject: format!("{} {}", m.http_method, res.path),
            excerpt: format!(
                "integration type {t}{} (no integration responses: the backend must send the headers)",
                integ.uri.as_deref().map(|u| format!(", uri {u}")).unwrap_or_default()
            ),
        });
        if let Some(u) = &integ.uri {
            functions.push(u.clone());
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    let origin = first_origin(&f);
    f.fix = Fix {
        explanation: format!("Return the CORS headers from the backend on every response (errors too), e.g. headers: {{'Access-Control-Allow-Origin': '{origin}'}} in the Lambda proxy response."),
        aws_cli: "No API Gateway setting adds headers to a proxy response: change the function code, then `aws lambda update-function-code --function-name <fn> --zip-file fileb://function.zip`".into(),
        cloudformation_sam: "SAM Cors/Globals.Api.Cors covers OPTIONS only; the function must still return the header (or switch to an HTTP API with CorsConfiguration, which adds it)".into(),
        cdk: "defaultCorsPreflightOptions covers OPTIONS only; return 'Access-Control-Allow-Origin' from the handler (or use apigwv2.HttpApi corsPreflight, which adds it)".into(),
        terraform: "No resource argument fixes it for AWS_PROXY/HTTP_PROXY: the backend must return the header (aws_lambda_function code)".into(),
    };
    vec![f]
}
