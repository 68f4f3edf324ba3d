//! CP005 `preflight-answer-incomplete` (runbook Diagnosis case 5).
//!
//! ## What it finds
//! An OPTIONS method that answers, but not with everything the preflight needs: the requested
//! method missing from `Access-Control-Allow-Methods`, a requested header (a custom `X-Trace-Id`,
//! `Authorization`) missing from `Access-Control-Allow-Headers`, no `Access-Control-Allow-Origin`
//! on a 2XX answer, or a 4XX answer no more specific case explains.
//!
//! ## Why the browser blocks
//! The preflight response must include `Access-Control-Allow-Origin`, `-Methods` and `-Headers`
//! covering the actual request; otherwise the actual request is never sent
//! (`MethodDisallowedByPreflightResponse`, `HeaderDisallowedByPreflightResponse`).
//!
//! ## Typical AWS causes
//! The console's default header list (`Content-Type,X-Amz-Date,Authorization,X-Api-Key,
//! X-Amz-Security-Token`) without the front end's custom headers; a CDK `allowHeaders` list missing
//! tracing headers; developers sending `Access-Control-Allow-Origin` as a request header.
//!
//! ## Evidence used
//! The preflight request's `Access-Control-Request-*` and the answer's `Access-Control-Allow-*`;
//! the OPTIONS integration response mappings (step 6); access logs of OPTIONS 4XX (step 3).
//!
//! ## The fix
//! Add the missing method or header to the OPTIONS mapping (REST) or `AllowMethods` /
//! `AllowHeaders` (HTTP), redeploy.
//!
//! ## References
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch>, serverless/serverless #4037,
//! ten24group/fw24 PR #332; aws-and-peers.md story 12.

use super::{err, redeploy_cli};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix, RunbookCase};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP005",
    name: "preflight-answer-incomplete",
    runbook_case: Some(RunbookCase::Case(5)),
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut f = Finding::new(
        META,
        "The OPTIONS answer does not allow what the page requests",
    )
    .specificity(60);
    let mut generic = Finding::new(META, "Preflights get a 4XX answer without the CORS headers")
        .specificity(25)
        .confidence(Confidence::Low);
    generic.catch_all = true;
    generic.confirm("access logs of the OPTIONS requests ($context.error.responseType) and the OPTIONS method configuration (step 6)");
    let mut missing_headers: Vec<String> = Vec::new();
    let mut missing_methods: Vec<String> = Vec::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        let Some(p) = &o.preflight else { continue };
        let e = err(o);
        let allow_headers: Vec<String> = p
            .values("access-control-allow-headers")
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_ascii_lowercase())
            .collect();
        match e {
            "HeaderDisallowedByPreflightResponse" | "InvalidAllowHeadersPreflightResponse" => {
                for h in &o.request_headers {
                    if !allow_headers.iter().any(|a| a == h || a == "*")
                        && !missing_headers.contains(h)
                    {
                        missing_headers.push(h.clone());
                    }
                }
            }
            "MethodDisallowedByPreflightResponse" | "InvalidAllowMethodsPreflightResponse" => {
                if !missing_methods.contains(&o.method) {
                    missing_methods.push(o.method.clone());
                }
            }
            "PreflightMissingAllowOriginHeader"
                if p.status.is_some_and(|s| s < 300)
                    && p.flavor() != crate::diagnose::context::Flavor::Http => {}
            "PreflightInvalidStatus" | "PreflightMissingAllowOriginHeader"
                if p.status.is_some_and(|s| (400..500).contains(&s)) =>
            {
                // Any 4XX preflight; more specific cases win when they apply.
                cx.add_obs(&mut generic, i);
                continue;
            }
            _ => continue,
        }
        cx.add_obs(&mut f, i);
        if let Some(res) = cx.rest_resource(o) {
            if let Some(m) = res.methods.iter().find(|m| m.http_method == "OPTIONS") {
                for ir in m.integration.iter().flat_map(|i| &i.integration_responses) {
                    for (k, v) in &ir.response_parameters {
                        if k.to_ascii_lowercase().contains("access-control-allow-") {
                            f.add_evidence(EvidenceItem::Config {
                                subject: format!(
                                    "OPTIONS {} integration response {}",
                                    res.path, ir.status_code
                                ),
                                excerpt: format!("{k} = {v}"),
                            });
                        }
                    }
                }
            }
            f.confidence = Confidence::High;
        } else if let Some(c) = cx.http_cors() {
            f.add_evidence(EvidenceItem::Config {
                subject: "HTTP API CorsConfiguration".into(),
                excerpt: format!(
                    "AllowMethods {:?}, AllowHeaders {:?}",
                    c.allow_methods, c.allow_headers
                ),
            });
            f.confidence = Confidence::High;
        } else {
            f.confidence = f.confidence.max(Confidence::Medium);
        }
    }
    for e in cx.log_evidence("OPTIONS", 3) {
        if !f.explains.is_empty() {
            f.add_evidence(e);
        }
    }
    let mut out = Vec::new();
    if !generic.explains.is_empty() {
        generic.fix = Fix {
            explanation: "Make OPTIONS answer 200 with Access-Control-Allow-Origin, -Methods and -Headers: no authorizer, no API key, a MOCK integration.".into(),
            aws_cli: format!("aws apigateway get-method --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS", cx.api_id()),
            cloudformation_sam: "an OPTIONS AWS::ApiGateway::Method with AuthorizationType NONE and a MOCK integration".into(),
            cdk: "defaultCorsPreflightOptions on the RestApi".into(),
            terraform: "aws_api_gateway_method \"options\" { authorization = \"NONE\" } with a MOCK integration".into(),
        };
        out.push(generic);
    }
    if f.explains.is_empty() {
        return out;
    }
    if !missing_headers.is_empty() {
        f.title = format!(
            "Access-Control-Allow-Headers does not list {}: the preflight refuses the request",
            missing_headers.join(", ")
        );
    } else if !missing_methods.is_empty() {
        f.title = format!(
            "Access-Control-Allow-Methods does not list {}",
            missing_methods.join(", ")
        );
    } else {
        f.title = "Preflights are answered 2XX without Access-Control-Allow-Origin".into();
    }
    let headers = if missing_headers.is_empty() {
        "content-type,authorization".to_string()
    } else {
        format!("content-type,authorization,{}", missing_headers.join(","))
    };
    let methods = if missing_methods.is_empty() {
        "GET,POST,PUT,PATCH,DELETE,OPTIONS".to_string()
    } else {
        format!("GET,POST,OPTIONS,{}", missing_methods.join(","))
    };
    f.fix = if cx.http().is_some() {
        Fix {
            explanation: "Add the missing headers/methods to the API's CorsConfiguration.".into(),
            aws_cli: format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowHeaders={headers},AllowMethods={methods}", cx.api_id()),
            cloudformation_sam: format!("CorsConfiguration: {{AllowHeaders: [{headers}], AllowMethods: [{methods}]}}"),
            cdk: format!("corsPreflight: {{ allowHeaders: [{headers}] }}"),
            terraform: format!("cors_configuration {{ allow_headers = [{headers}] allow_methods = [{methods}] }}"),
        }
    } else {
        Fix {
            explanation: "Add the missing headers/methods to the OPTIONS integration response's Access-Control-Allow-Headers / -Methods mapping, then redeploy.".into(),
            aws_cli: format!("aws apigateway update-integration-response --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS --status-code 200 --patch-operations \"op=replace,path=/responseParameters/method.response.header.Access-Control-Allow-Headers,value='{headers}'\"\n{}", cx.api_id(), redeploy_cli(cx)),
            cloudformation_sam: format!("SAM: Cors.AllowHeaders: \"'{headers}'\"; CloudFormation: method.response.header.Access-Control-Allow-Headers: \"'{headers}'\""),
            cdk: format!("defaultCorsPreflightOptions: {{ allowHeaders: ['{}'] }}", headers.replace(',', "', '")),
            terraform: format!("\"method.response.header.Access-Control-Allow-Headers\" = \"'{headers}'\""),
        }
    };
    out.push(f);
    out
}
