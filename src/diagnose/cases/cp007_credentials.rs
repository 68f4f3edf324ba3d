//! CP007 `credentials-not-allowed` (runbook Diagnosis case 7).
//!
//! ## What it finds
//! Requests made with credentials (`credentials: 'include'`, `withCredentials`) whose answer has
//! no `Access-Control-Allow-Credentials: true`.
//!
//! ## Why the browser blocks
//! For a credentialed request the browser also requires `Access-Control-Allow-Credentials` to be
//! exactly `true` (`InvalidAllowCredentials` / `PreflightInvalidAllowCredentials`).
//!
//! ## Typical AWS causes
//! HTTP API `AllowCredentials` left false; REST mappings without
//! `Access-Control-Allow-Credentials`; a Lambda returning only the origin header.
//!
//! ## Evidence used
//! The credentials mode and the received header; HTTP `AllowCredentials`, REST mappings (step 2);
//! browser console errors in application logs (step 7).
//!
//! ## The fix
//! Return `Access-Control-Allow-Credentials: true` (with an exact origin, never `*`).
//!
//! ## References
//! <https://fetch.spec.whatwg.org/#cors-check>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>.

use super::{err, first_origin, redeploy_cli};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP007",
    name: "credentials-not-allowed",
    runbook_case: Some(RunbookCase::Case(7)),
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "Credentialed requests get no Access-Control-Allow-Credentials: true",
    )
    .specificity(70)
    .confidence(Confidence::Medium);
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !matches!(
            err(o),
            "InvalidAllowCredentials" | "PreflightInvalidAllowCredentials"
        ) {
            continue;
        }
        cx.add_obs(&mut f, i);
        if let Some(c) = cx.http_cors() {
            f.add_evidence(EvidenceItem::Config {
                subject: "HTTP API CorsConfiguration".into(),
                excerpt: format!("AllowCredentials = {:?}", c.allow_credentials),
            });
            f.confidence = Confidence::High;
        } else if cx.rest().is_some() {
            f.confidence = Confidence::High;
        } else {
            f.confirm("HTTP API AllowCredentials / REST Access-Control-Allow-Credentials mappings");
        }
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    for lf in cx.logs() {
        for g in &lf.console_errors {
            if g.reason
                .as_deref()
                .is_some_and(|r| r.to_ascii_lowercase().contains("credentials"))
            {
                f.add_evidence(EvidenceItem::LogLine {
                    log_group: lf.log_group.clone(),
                    timestamp: g.last_seen.clone(),
                    message: format!(
                        "{} console errors from {} for {}: {}",
                        g.count,
                        g.origin.as_deref().unwrap_or("?"),
                        g.url.as_deref().unwrap_or("?"),
                        g.reason.as_deref().unwrap_or("")
                    ),
                });
            }
        }
    }
    let origin = first_origin(&f);
    f.fix = if cx.http().is_some() {
        Fix {
            explanation: format!("Set AllowCredentials=true with the exact origin {origin} (never *)."),
            aws_cli: format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowOrigins={origin},AllowCredentials=true", cx.api_id()),
            cloudformation_sam: format!("CorsConfiguration: {{AllowOrigins: [{origin}], AllowCredentials: true}}"),
            cdk: format!("corsPreflight: {{ allowOrigins: ['{origin}'], allowCredentials: true }}"),
            terraform: format!("cors_configuration {{ allow_origins = [\"{origin}\"] allow_credentials = true }}"),
        }
    } else {
        Fix {
            explanation: "Map Access-Control-Allow-Credentials: 'true' on the OPTIONS and actual responses (Lambda proxy: return it from the function), with an exact origin.".into(),
            aws_cli: format!("aws apigateway update-integration-response --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS --status-code 200 --patch-operations \"op=add,path=/responseParameters/method.response.header.Access-Control-Allow-Credentials,value='true'\"\n{}", cx.api_id(), redeploy_cli(cx)),
            cloudformation_sam: "SAM: Cors.AllowCredentials: true; CloudFormation: method.response.header.Access-Control-Allow-Credentials: \"'true'\"".into(),
            cdk: "defaultCorsPreflightOptions: { allowCredentials: true, allowOrigins: ['ORIGIN'] }".into(),
            terraform: "\"method.response.header.Access-Control-Allow-Credentials\" = \"'true'\"".into(),
        }
    };
    vec![f]
}
