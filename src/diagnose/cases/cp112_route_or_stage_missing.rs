//! CP112 `route-or-stage-missing` (beyond the runbook; playbook step 1).
//!
//! ## What it finds
//! Requests answered "this does not exist": REST 403 `MissingAuthenticationTokenException`
//! ("Missing Authentication Token"), HTTP API 404 `{"message":"Not Found"}`. With the
//! configuration it says which: the stage does not exist, no resource or route matches the path,
//! the method is not defined, or the route exists and is deployed but the URL reaches another
//! stage (a custom domain's base-path mapping pointing at an old stage).
//!
//! ## Why the browser blocks
//! The 403/404 is a gateway response without `Access-Control-Allow-Origin`; the page sees a CORS
//! error instead of "wrong URL".
//!
//! ## Typical AWS causes
//! A wrong stage or path in the front end's configuration; a route deleted or never deployed; a
//! base-path mapping to the wrong stage; a missing trailing path segment.
//!
//! ## Evidence used
//! The response (status, `x-amzn-ErrorType`); the stage (step 1); the resources and routes
//! (steps 2, 6) and the route list.
//!
//! ## The fix
//! Call the right URL, or create the route/stage (and deploy), or fix the base-path mapping.
//!
//! ## References
//! <https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden>, pulumi/pulumi-cloud
//! #521, ustaxcourt/ef-cms PR #572; aws-and-peers.md §A.1 "Requests to a missing method or
//! resource", stories 11 and 15.

use std::collections::BTreeMap;

use super::redeploy_cli;
use crate::diagnose::context::{Context, Flavor};
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP112",
    name: "route-or-stage-missing",
    runbook_case: None,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    StageMissing,
    NoResource,
    NoMethod,
    ElsewhereMapped,
    Unknown,
}

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut groups: BTreeMap<Why, Finding> = BTreeMap::new();
    let stage_absent = cx
        .ev
        .is_some_and(|e| matches!(e.existence.stage, crate::aws::Collected::Absent { .. }));
    for i in cx.failing() {
        let o = &cx.obs[i];
        let preflight = o.failed_at_preflight();
        let Some(hop) = o.failing_hop() else { continue };
        let missing = match hop.flavor() {
            Flavor::Rest => hop.gateway_response_type() == Some("MISSING_AUTHENTICATION_TOKEN"),
            Flavor::Http => {
                hop.status == Some(404) && hop.message().as_deref() == Some("Not Found")
            }
            Flavor::Unknown => false,
        };
        if !missing {
            continue;
        }
        let verb = if preflight {
            "OPTIONS"
        } else {
            o.method.as_str()
        };
        let why = if stage_absent {
            Why::StageMissing
        } else if cx.rest().is_some() {
            match cx.rest_resource(o) {
                None => Why::NoResource,
                // Preflights to an existing resource are CP002 (no OPTIONS) or CP104 (not deployed).
                Some(_) if preflight => continue,
                Some(res) if Context::rest_method(res, verb).is_none() => Why::NoMethod,
                Some(_) => {
                    let undeployed = cx.ev.and_then(|e| e.deployment.value()).is_some_and(|d| {
                        !d.changes_since_deployment.is_empty()
                            || d.drift.value().is_some_and(|v| !v.is_empty())
                    });
                    if undeployed {
                        continue;
                    }
                    Why::ElsewhereMapped
                }
            }
        } else if cx.http().is_some() {
            match cx.http_route(o, verb) {
                None if preflight && cx.http_cors().is_none() => continue, // CP002
                None => Why::NoResource,
                Some(_) => Why::ElsewhereMapped,
            }
        } else {
            if preflight {
                continue; // probe only: CP002 covers preflights
            }
            Why::Unknown
        };
        let stage = cx.stage();
        let f = groups.entry(why).or_insert_with(|| {
            let (title, spec, conf) = match why {
                Why::StageMissing => (format!("Stage {stage} does not exist: every request gets Missing Authentication Token / Not Found"), 75, Confidence::High),
                Why::NoResource => ("No resource or route matches the requested path: API Gateway answers as for a missing route".to_string(), 70, Confidence::High),
                Why::NoMethod => ("The resource exists but not this method: API Gateway answers Missing Authentication Token".to_string(), 70, Confidence::High),
                Why::ElsewhereMapped => (format!("The route exists and is deployed in stage {stage}, but the probed URL does not reach it: the base URL or custom-domain base-path mapping points at another stage"), 70, Confidence::Medium),
                Why::Unknown => ("The URL reaches no route or stage (403 Missing Authentication Token / 404 Not Found)".to_string(), 55, Confidence::Low),
            };
            let mut f = Finding::new(META, title).specificity(spec).confidence(conf);
            if why == Why::Unknown {
                f.confirm("the API's stages and resources/routes (GetStage, GetResources) to tell a wrong path from a missing method or stage");
            }
            if why == Why::ElsewhereMapped {
                f.confirm("the custom domain's base-path mappings (aws apigateway get-base-path-mappings --domain-name …)");
            }
            f
        });
        cx.add_obs(f, i);
        match why {
            Why::StageMissing => {
                if let Some(crate::aws::Collected::Absent { reason }) =
                    cx.ev.map(|e| &e.existence.stage)
                {
                    f.add_evidence(EvidenceItem::Config {
                        subject: format!("stage {stage}"),
                        excerpt: reason.clone(),
                    });
                }
            }
            Why::NoResource | Why::NoMethod => {
                if let Some(routes) = cx.ev.and_then(|e| e.routes.value()) {
                    let list: Vec<String> = routes
                        .iter()
                        .map(|r| format!("{} {}", r.method, r.path_template))
                        .collect();
                    f.add_evidence(EvidenceItem::Config {
                        subject: "routes in the configuration".into(),
                        excerpt: list.join(", "),
                    });
                }
            }
            Why::ElsewhereMapped => {
                if let Some(res) = cx.rest_resource(o) {
                    f.add_evidence(EvidenceItem::Config {
                        subject: format!("resource {}", res.path),
                        excerpt: format!(
                            "methods: {}",
                            res.methods
                                .iter()
                                .map(|m| m.http_method.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
            }
            Why::Unknown => {}
        }
    }
    groups
        .into_iter()
        .map(|(why, mut f)| {
            let api = cx.api_id();
            f.fix = match why {
                Why::StageMissing => Fix {
                    explanation: "Point the client at an existing stage, or create and deploy the stage.".into(),
                    aws_cli: format!("aws apigateway get-stages --rest-api-id {api}\n{}", redeploy_cli(&*cx)),
                    cloudformation_sam: "AWS::ApiGateway::Stage (SAM: StageName) matching the URL the front end calls".into(),
                    cdk: "deployOptions: { stageName: 'STAGE' } on the RestApi".into(),
                    terraform: "aws_api_gateway_stage { stage_name = \"STAGE\" }".into(),
                },
                Why::ElsewhereMapped => Fix {
                    explanation: "Make the base URL reach the stage that has the route: fix the custom domain's base-path mapping (or the front end's base URL).".into(),
                    aws_cli: format!("aws apigateway get-base-path-mappings --domain-name <domain>\naws apigateway update-base-path-mapping --domain-name <domain> --base-path '(none)' --patch-operations op=replace,path=/stage,value={}", cx.stage()),
                    cloudformation_sam: "AWS::ApiGateway::BasePathMapping Stage: the stage with the route (SAM: Domain.BasePath)".into(),
                    cdk: "domain.addBasePathMapping(api, { stage: api.deploymentStage })".into(),
                    terraform: "aws_api_gateway_base_path_mapping { stage_name = aws_api_gateway_stage.STAGE.stage_name }".into(),
                },
                _ => Fix {
                    explanation: "Call an existing route, or create the resource and method the page needs (with its OPTIONS method) and deploy.".into(),
                    aws_cli: format!("aws apigateway get-resources --rest-api-id {api} --embed methods\n{}", redeploy_cli(&*cx)),
                    cloudformation_sam: "AWS::ApiGateway::Resource + AWS::ApiGateway::Method for the path (SAM: an Events: Api entry with Path/Method)".into(),
                    cdk: "api.root.resourceForPath('/path').addMethod('GET', integration)".into(),
                    terraform: "aws_api_gateway_resource + aws_api_gateway_method for the path".into(),
                },
            };
            f
        })
        .collect()
}
