//! CP004 `origin-not-allowed` (runbook Diagnosis case 4).
//!
//! ## What it finds
//! CORS is configured, but the page's origin is not one of the allowed origins: the response
//! names another origin (`AllowOriginMismatch`), or an HTTP API answers without
//! `Access-Control-Allow-Origin` because the origin is not in `AllowOrigins`. Near misses (scheme,
//! port, trailing slash) are CP113.
//!
//! ## Why the browser blocks
//! The browser compares `Access-Control-Allow-Origin` with the page origin byte for byte
//! (scheme, host and port); any other value, or none, fails the check.
//!
//! ## Typical AWS causes
//! A static `'http://localhost:3000'` mapping left from development; a new front-end domain not
//! added to `AllowOrigins`; a REST static mapping that can hold one origin only.
//!
//! ## Evidence used
//! The `Access-Control-Allow-Origin` received; the configured origins (HTTP `AllowOrigins`,
//! REST integration-response mappings; steps 2 and 6).
//!
//! ## The fix
//! Add the page origin to the allowed origins (HTTP API), or map it (REST; echo the request's
//! origin from a Lambda when several are needed).
//!
//! ## References
//! <https://fetch.spec.whatwg.org/#cors-check>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>;
//! aws-and-peers.md §A.2.

use std::collections::BTreeSet;

use super::{err, redeploy_cli};
use crate::diagnose::context::{Context, Observation};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP004",
    name: "origin-not-allowed",
    runbook_case: Some(RunbookCase::Case(4)),
};

/// Whether the observation failed because its origin is not an allowed one.
pub(crate) fn origin_rejected(cx: &Context<'_>, o: &Observation) -> bool {
    let e = err(o);
    if e == "AllowOriginMismatch" || e == "PreflightAllowOriginMismatch" {
        return true;
    }
    let missing = e == "PreflightMissingAllowOriginHeader" || e == "MissingAllowOriginHeader";
    let ok_status = o
        .failing_hop()
        .and_then(|h| h.status)
        .is_some_and(|s| s < 400);
    let http_answered = o
        .failing_hop()
        .is_some_and(|h| h.flavor() == crate::diagnose::context::Flavor::Http);
    missing
        && ok_status
        && match cx.http_cors() {
            Some(c) => !c
                .allow_origins
                .iter()
                .any(|a| a == "*" || a.eq_ignore_ascii_case(&o.origin)),
            // Probe only: an HTTP API answering 2XX without the header did not allow the origin.
            None => cx.ev.is_none() && http_answered,
        }
}

/// The origins the configuration (or the response) allows, as written.
pub(crate) fn configured_origins(cx: &Context<'_>, o: &Observation) -> Vec<String> {
    let mut out = BTreeSet::new();
    if let Some(c) = cx.http_cors() {
        out.extend(c.allow_origins.iter().cloned());
    }
    if let Some(res) = cx.rest_resource(o) {
        for m in &res.methods {
            for ir in m.integration.iter().flat_map(|i| &i.integration_responses) {
                for (k, v) in &ir.response_parameters {
                    if k.eq_ignore_ascii_case("method.response.header.Access-Control-Allow-Origin")
                        && v.starts_with('\'')
                    {
                        out.insert(v.trim_matches('\'').to_string());
                    }
                }
            }
        }
    }
    if let Some(v) = o
        .failing_hop()
        .and_then(|h| h.header("access-control-allow-origin"))
    {
        out.insert(v.to_string());
    }
    // Origins the same route allowed for other probed origins.
    for other in cx.obs.iter().filter(|x| x.route == o.route && !x.blocked) {
        for h in other.preflight.iter().chain(other.actual.iter()) {
            if let Some(v) = h.header("access-control-allow-origin") {
                out.insert(v.to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// The configured origin the page origin nearly matches, and how they differ (scheme, port,
/// trailing slash, case).
pub(crate) fn near_miss(origin: &str, configured: &[String]) -> Option<(String, &'static str)> {
    let split = |s: &str| -> Option<(String, String, Option<String>)> {
        let (scheme, rest) = s.split_once("://")?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
                (h, Some(p.to_string()))
            }
            _ => (rest, None),
        };
        Some((scheme.to_ascii_lowercase(), host.to_ascii_lowercase(), port))
    };
    let (os, oh, op) = split(origin)?;
    for c in configured {
        if c == origin || c == "*" || c.ends_with("://*") {
            continue;
        }
        let Some((cs, ch, cp)) = split(c) else {
            continue;
        };
        if ch != oh {
            continue;
        }
        let why = if cs != os {
            "scheme"
        } else if cp != op {
            "port"
        } else if c.ends_with('/') {
            "trailing slash"
        } else {
            "letter case"
        };
        return Some((c.clone(), why));
    }
    None
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f =
        Finding::new(META, "The page origin is not among the allowed origins").specificity(70);
    let mut seen = BTreeSet::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !origin_rejected(cx, o) {
            continue;
        }
        let configured = configured_origins(cx, o);
        if near_miss(&o.origin, &configured).is_some() {
            continue; // CP113
        }
        if seen.insert(configured.join(", ")) {
            f.add_evidence(EvidenceItem::Config {
                subject: "allowed origins".into(),
                excerpt: if configured.is_empty() {
                    "(none seen)".into()
                } else {
                    configured.join(", ")
                },
            });
        }
        cx.add_obs(&mut f, i);
    }
    if f.explains.is_empty() {
        return Vec::new();
    }
    f.title = format!(
        "The page origin {} is not among the allowed origins",
        f.origins
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    );
    f.confidence = if cx.ev.is_some() {
        Confidence::High
    } else {
        Confidence::Medium
    };
    if cx.ev.is_none() {
        f.confirm("the configured origins (HTTP API CorsConfiguration.AllowOrigins or the REST integration-response mappings)");
    }
    let origin = super::first_origin(&f);
    f.fix = if cx.http().is_some() {
        Fix {
            explanation: format!("Add {origin} to the API's AllowOrigins (exactly: scheme, host and port, no path or trailing slash)."),
            aws_cli: format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowOrigins={origin}", cx.api_id()),
            cloudformation_sam: format!("AWS::ApiGatewayV2::Api CorsConfiguration.AllowOrigins: [{origin}]"),
            cdk: format!("corsPreflight: {{ allowOrigins: ['{origin}'] }}"),
            terraform: format!("cors_configuration {{ allow_origins = [\"{origin}\"] }}"),
        }
    } else {
        Fix {
            explanation: format!("Map Access-Control-Allow-Origin to '{origin}' on the OPTIONS and actual methods (a static mapping holds one origin; echo the request's Origin from a Lambda for several), then redeploy."),
            aws_cli: format!("aws apigateway update-integration-response --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS --status-code 200 --patch-operations \"op=replace,path=/responseParameters/method.response.header.Access-Control-Allow-Origin,value='{origin}'\"\n{}", cx.api_id(), redeploy_cli(cx)),
            cloudformation_sam: format!("SAM: Cors.AllowOrigin: \"'{origin}'\"; CloudFormation: IntegrationResponses ResponseParameters method.response.header.Access-Control-Allow-Origin: \"'{origin}'\""),
            cdk: format!("defaultCorsPreflightOptions: {{ allowOrigins: ['{origin}'] }}"),
            terraform: format!("aws_api_gateway_integration_response {{ response_parameters = {{ \"method.response.header.Access-Control-Allow-Origin\" = \"'{origin}'\" }} }}"),
        }
    };
    vec![f]
}
