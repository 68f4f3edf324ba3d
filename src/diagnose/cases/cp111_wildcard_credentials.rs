//! CP111 `wildcard-with-credentials` (beyond the runbook).
//!
//! ## What it finds
//! Credentialed requests answered with `Access-Control-Allow-Origin: *`, and HTTP API updates
//! that tried `AllowCredentials: true` with `AllowOrigins: ["*"]` (rejected with 400, leaving the
//! old configuration live).
//!
//! ## Why the browser blocks
//! `*` is not allowed for credentialed requests (`WildcardOriginNotAllowed`); the origin must be
//! echoed exactly.
//!
//! ## Typical AWS causes
//! A Lambda returning `*` with `Access-Control-Allow-Credentials: true`; CDK
//! `allowOrigins: Cors.ALL_ORIGINS` with `allowCredentials: true` (HTTP APIs reject it at deploy).
//!
//! ## Evidence used
//! The received header and the credentials mode; HTTP `AllowOrigins`/`AllowCredentials`; failed
//! `UpdateApi` CloudTrail events (diagnosis 3).
//!
//! ## The fix
//! List the exact origins (or echo the request's origin) and allow credentials.
//!
//! ## References
//! <https://fetch.spec.whatwg.org/#cors-protocol-and-credentials>, aws/aws-cdk #9076;
//! aws-and-peers.md §A.2, story 8.

use super::{err, first_origin};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP111",
    name: "wildcard-with-credentials",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "Credentialed requests get Access-Control-Allow-Origin: * (a wildcard is never allowed with credentials)",
    )
    .specificity(80)
    .confidence(Confidence::High);
    for i in cx.failing() {
        let o = &cx.obs[i];
        if matches!(
            err(o),
            "WildcardOriginNotAllowed" | "PreflightWildcardOriginNotAllowed"
        ) {
            cx.add_obs(&mut f, i);
        }
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    if let Some(c) = cx.http_cors() {
        f.add_evidence(EvidenceItem::Config {
            subject: "HTTP API CorsConfiguration".into(),
            excerpt: format!(
                "AllowOrigins {:?}, AllowCredentials {:?}",
                c.allow_origins, c.allow_credentials
            ),
        });
    }
    if let Some(trail) = cx.ev.and_then(|e| e.cloudtrail.value()) {
        for e in trail
            .events
            .iter()
            .filter(|e| e.error_code.is_some() && e.event_name == "UpdateApi")
        {
            f.add_evidence(EvidenceItem::CloudTrail {
                event_time: e.event_time.clone(),
                event_name: e.event_name.clone(),
                who: e.username.clone().or_else(|| e.user_arn.clone()),
                source_ip: e.source_ip.clone(),
                error_code: e.error_code.clone(),
            });
        }
    }
    let origin = first_origin(&f);
    f.fix = Fix {
        explanation: format!("Replace * with the exact origin {origin} (or echo the request's Origin from the backend) and send Access-Control-Allow-Credentials: true. HTTP APIs reject AllowCredentials with AllowOrigins *."),
        aws_cli: if cx.http().is_some() {
            format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowOrigins={origin},AllowCredentials=true", cx.api_id())
        } else {
            "Return the request's Origin (not *) from the backend, or map a static 'ORIGIN' on the OPTIONS/actual integration responses; then redeploy".into()
        },
        cloudformation_sam: format!("CorsConfiguration: {{AllowOrigins: [{origin}], AllowCredentials: true}}"),
        cdk: format!("corsPreflight: {{ allowOrigins: ['{origin}'], allowCredentials: true }} (not Cors.ALL_ORIGINS)"),
        terraform: format!("cors_configuration {{ allow_origins = [\"{origin}\"] allow_credentials = true }}"),
    };
    vec![f]
}
