//! REST APIs (API Gateway v1) through `aws-sdk-apigateway`: identifying the API (steps 1, 5), its
//! resources, methods, integrations, gateway responses and authorizers (steps 2, 6), the stage
//! (step 1) and deployed-against-draft (step 8).
//!
//! It also owns the null-template repair ([`null_template_repair`]): API Gateway returns `null`
//! for empty templates inside `responseTemplates` maps (what console "Enable CORS" creates), and
//! the SDK's dense-map deserializer then rejects the whole response ("dense map cannot contain
//! null values"). It must not diagnose; it only records what AWS says.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types as t;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;

use super::evidence::{
    ApiConfiguration, ApiIdentity, ApiKind, Collected, DeploymentEvidence, DeploymentFacts,
    DriftChange, DriftItem, ExportFacts, Failure, GatewayResponse, IntegrationResponse,
    MethodResponse, MethodSettingFacts, MethodSnapshot, RestApiConfig, RestAuthorizer,
    RestIntegration, RestMethod, RestResource, StageFacts,
};
use super::{apigw_arn, classify, rfc3339, ApiRef, Clients, CollectError, FailureKind};

// ---------------------------------------------------------------------------------------------
// The null-template repair.
//
// Chosen approach: wrap the HTTP client of the API Gateway client only, buffer each JSON response
// body, and replace `null` values inside template/model maps with `""` before the SDK
// deserializes it. Why this one:
// - an interceptor's `modify_before_deserialization` sees the body before it is read, as a
//   stream, and interceptor hooks are synchronous, so it cannot buffer it without a custom body
//   type; the connector wrapper is an ordinary async function around the real transport;
// - the raw-body fallback (parse `SdkError::raw()` with serde on the dense-map error) works but
//   needs a second, hand-written decoder for every REST shape we read; with the repair, one SDK
//   code path reads every response, and the SDK's own retries, signing and timeouts still apply;
// - `""` (not removing the key) keeps the fact that the template exists: AWS writes an empty
//   template as `null`, so `""` is its faithful value.
// ---------------------------------------------------------------------------------------------

/// Map-valued fields whose values are strings in API Gateway's model and may come back `null`.
const STRING_MAP_FIELDS: &[&str] = &[
    "responseTemplates",
    "requestTemplates",
    "responseModels",
    "requestModels",
];

/// Rewrites a JSON body so that `null` values inside template and model maps become `""`.
/// Returns `None` when nothing needed repair (or the body is not JSON).
pub fn repair_null_templates(body: &[u8]) -> Option<Vec<u8>> {
    if !body.windows(4).any(|w| w == b"null") {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    repair_value(&mut value, false, &mut changed);
    if changed {
        serde_json::to_vec(&value).ok()
    } else {
        None
    }
}

fn repair_value(v: &mut serde_json::Value, in_string_map: bool, changed: &mut bool) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if in_string_map && child.is_null() {
                    *child = serde_json::Value::String(String::new());
                    *changed = true;
                } else {
                    repair_value(child, STRING_MAP_FIELDS.contains(&k.as_str()), changed);
                }
            }
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .for_each(|c| repair_value(c, false, changed)),
        _ => {}
    }
}

#[derive(Debug)]
struct NullRepairClient(SharedHttpClient);

#[derive(Debug)]
struct NullRepairConnector(SharedHttpConnector);

impl HttpClient for NullRepairClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(NullRepairConnector(
            self.0.http_connector(settings, components),
        ))
    }
}

impl HttpConnector for NullRepairConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move {
            let mut response = inner.call(request).await?;
            let body = response.take_body();
            let bytes = body.collect().await.map_err(ConnectorError::io)?.to_bytes();
            let repaired = repair_null_templates(&bytes);
            if repaired.is_some() {
                response.headers_mut().remove("content-length");
            }
            *response.body_mut() = match repaired {
                Some(fixed) => SdkBody::from(fixed),
                None => SdkBody::from(bytes),
            };
            Ok(response)
        })
    }
}

/// Wraps an HTTP client so that API Gateway's `null` templates reach the SDK as `""`.
pub fn null_template_repair(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(NullRepairClient(inner))
}

// ---------------------------------------------------------------------------------------------
// Identifying the API.
// ---------------------------------------------------------------------------------------------

/// Finds the API by id (REST first, then HTTP/WebSocket) or by unique name.
pub async fn resolve_api(clients: &Clients, api: &ApiRef) -> Result<ApiIdentity, CollectError> {
    let region = clients.region.clone();
    match api {
        ApiRef::Id(id) => {
            let rest_err = match clients
                .apigateway
                .get_rest_api()
                .rest_api_id(id)
                .send()
                .await
            {
                Ok(out) => {
                    return Ok(ApiIdentity {
                        id: id.clone(),
                        name: out.name().map(str::to_string),
                        kind: ApiKind::Rest,
                        created: out.created_date().map(rfc3339),
                    })
                }
                Err(e) => classify(
                    &e,
                    "apigateway:GET",
                    &apigw_arn(&region, &format!("/restapis/{id}")),
                ),
            };
            match clients.apigatewayv2.get_api().api_id(id).send().await {
                Ok(out) => Ok(ApiIdentity {
                    id: id.clone(),
                    name: out.name().map(str::to_string),
                    kind: match out.protocol_type().map(|p| p.as_str()) {
                        Some("WEBSOCKET") => ApiKind::WebSocket,
                        _ => ApiKind::Http,
                    },
                    created: out.created_date().map(rfc3339),
                }),
                Err(e) => {
                    let v2_err = classify(
                        &e,
                        "apigateway:GET",
                        &apigw_arn(&region, &format!("/apis/{id}")),
                    );
                    if rest_err.kind == FailureKind::NotFound
                        && v2_err.kind == FailureKind::NotFound
                    {
                        Err(CollectError::NoSuchApi {
                            api: id.clone(),
                            region,
                        })
                    } else if rest_err.kind != FailureKind::NotFound {
                        Err(CollectError::Lookup(rest_err))
                    } else {
                        Err(CollectError::Lookup(v2_err))
                    }
                }
            }
        }
        ApiRef::Name(name) => {
            let mut found = Vec::new();
            let mut pages = clients
                .apigateway
                .get_rest_apis()
                .limit(500)
                .into_paginator()
                .items()
                .send();
            while let Some(item) = pages.next().await {
                let api = item.map_err(|e| {
                    CollectError::Lookup(classify(
                        &e,
                        "apigateway:GET",
                        &apigw_arn(&region, "/restapis"),
                    ))
                })?;
                if api.name() == Some(name.as_str()) {
                    found.push(ApiIdentity {
                        id: api.id().unwrap_or_default().to_string(),
                        name: Some(name.clone()),
                        kind: ApiKind::Rest,
                        created: api.created_date().map(rfc3339),
                    });
                }
            }
            let mut token: Option<String> = None;
            loop {
                let out = clients
                    .apigatewayv2
                    .get_apis()
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| {
                        CollectError::Lookup(classify(
                            &e,
                            "apigateway:GET",
                            &apigw_arn(&region, "/apis"),
                        ))
                    })?;
                for api in out.items() {
                    if api.name() == Some(name.as_str()) {
                        found.push(ApiIdentity {
                            id: api.api_id().unwrap_or_default().to_string(),
                            name: Some(name.clone()),
                            kind: match api.protocol_type().map(|p| p.as_str()) {
                                Some("WEBSOCKET") => ApiKind::WebSocket,
                                _ => ApiKind::Http,
                            },
                            created: api.created_date().map(rfc3339),
                        });
                    }
                }
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            match found.len() {
                0 => Err(CollectError::NoSuchApi {
                    api: name.clone(),
                    region,
                }),
                1 => Ok(found.remove(0)),
                _ => Err(CollectError::AmbiguousName {
                    name: name.clone(),
                    ids: found.into_iter().map(|a| a.id).collect(),
                }),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Collecting.
// ---------------------------------------------------------------------------------------------

/// What the collector found (the same shape for both API types).
pub type RestCollected = super::ApiCollected;

/// Places the findings into the evidence.
pub use super::fill_api as fill;

/// Reads a REST API's configuration, stage and deployment, with independent calls concurrent.
pub async fn collect_rest(clients: &Clients, api: &ApiIdentity, stage: &str) -> RestCollected {
    let c = &clients.apigateway;
    let id = api.id.as_str();
    let arn = |p: &str| apigw_arn(&clients.region, &format!("/restapis/{id}{p}"));

    let rest_api = async {
        c.get_rest_api()
            .rest_api_id(id)
            .send()
            .await
            .map_err(|e| classify(&e, "apigateway:GET", &arn("")))
    };
    let resources = async {
        let mut out = Vec::new();
        let mut pages = c
            .get_resources()
            .rest_api_id(id)
            .embed("methods")
            .limit(500)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            out.push(item.map_err(|e| classify(&e, "apigateway:GET", &arn("/resources")))?);
        }
        Ok::<_, Failure>(out)
    };
    let gateway_responses = async {
        let mut out = Vec::new();
        let mut position: Option<String> = None;
        loop {
            let page = c
                .get_gateway_responses()
                .rest_api_id(id)
                .limit(500)
                .set_position(position.clone())
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/gatewayresponses")))?;
            out.extend(page.items().iter().map(gateway_response));
            position = page.position().map(str::to_string);
            if position.is_none() || page.items().is_empty() {
                break;
            }
        }
        out.sort_by(|a, b| a.response_type.cmp(&b.response_type));
        Ok::<_, Failure>(out)
    };
    let authorizers = async {
        let mut out = Vec::new();
        let mut position: Option<String> = None;
        loop {
            let page = c
                .get_authorizers()
                .rest_api_id(id)
                .limit(500)
                .set_position(position.clone())
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/authorizers")))?;
            out.extend(page.items().iter().map(|a| RestAuthorizer {
                id: a.id().unwrap_or_default().to_string(),
                name: a.name().map(str::to_string),
                authorizer_type: a.r#type().map(|t| t.as_str().to_string()),
                identity_source: a.identity_source().map(str::to_string),
                authorizer_uri: a.authorizer_uri().map(str::to_string),
                provider_arns: a.provider_arns().to_vec(),
                result_ttl_seconds: a.authorizer_result_ttl_in_seconds(),
            }));
            position = page.position().map(str::to_string);
            if position.is_none() || page.items().is_empty() {
                break;
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok::<_, Failure>(out)
    };
    let stage_call = async {
        c.get_stage()
            .rest_api_id(id)
            .stage_name(stage)
            .send()
            .await
            .map_err(|e| classify(&e, "apigateway:GET", &arn(&format!("/stages/{stage}"))))
    };
    let deployments = async {
        let mut out = Vec::new();
        let mut pages = c
            .get_deployments()
            .rest_api_id(id)
            .limit(500)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            let d = item.map_err(|e| classify(&e, "apigateway:GET", &arn("/deployments")))?;
            out.push(deployment_facts(
                d.id(),
                d.created_date(),
                d.description(),
                d.api_summary(),
            ));
        }
        out.sort_by(|a, b| b.created.cmp(&a.created));
        Ok::<_, Failure>(out)
    };
    let export = async {
        c.get_export()
            .rest_api_id(id)
            .stage_name(stage)
            .export_type("swagger")
            .parameters("extensions", "apigateway")
            .accepts("application/json")
            .send()
            .await
            .map_err(|e| {
                classify(
                    &e,
                    "apigateway:GET",
                    &arn(&format!("/stages/{stage}/exports/swagger")),
                )
            })
    };

    let (rest_api, resources, gateway_responses, authorizers, stage_out, deployments, export) = tokio::join!(
        rest_api,
        resources,
        gateway_responses,
        authorizers,
        stage_call,
        deployments,
        export
    );

    let config = match (rest_api, resources) {
        (Ok(api_out), Ok(resources)) => {
            let mut resources: Vec<RestResource> = resources.iter().map(rest_resource).collect();
            resources.sort_by(|a, b| a.path.cmp(&b.path));
            Collected::present(ApiConfiguration::Rest(RestApiConfig {
                id: id.to_string(),
                name: api_out.name().map(str::to_string),
                binary_media_types: api_out.binary_media_types().to_vec(),
                api_key_source: api_out.api_key_source().map(|s| s.as_str().to_string()),
                endpoint_types: api_out
                    .endpoint_configuration()
                    .map(|e| e.types().iter().map(|t| t.as_str().to_string()).collect())
                    .unwrap_or_default(),
                disable_execute_api_endpoint: api_out.disable_execute_api_endpoint(),
                resources,
                gateway_responses: match gateway_responses {
                    Ok(v) if v.is_empty() => Collected::absent(
                        "no gateway responses: every one is AWS's default, without CORS headers",
                    ),
                    Ok(v) => Collected::present(v),
                    Err(f) => Collected::not_collected(f),
                },
                authorizers: match authorizers {
                    Ok(v) if v.is_empty() => Collected::absent("no authorizers"),
                    Ok(v) => Collected::present(v),
                    Err(f) => Collected::not_collected(f),
                },
            }))
        }
        (Err(f), _) | (_, Err(f)) => Collected::not_collected(f),
    };

    let (stage_facts, stage_dep_id) = match stage_out {
        Ok(s) => {
            let facts = stage_facts(&s);
            let dep = facts.deployment_id.clone();
            (Collected::present(facts), dep)
        }
        Err(f) if f.kind == FailureKind::NotFound => (
            Collected::absent(format!("stage {stage:?} does not exist on REST API {id}")),
            None,
        ),
        Err(f) => (Collected::not_collected(f), None),
    };

    let stage_deployment = match &stage_dep_id {
        None => match &stage_facts {
            Collected::Present { .. } => Collected::absent("the stage points at no deployment"),
            Collected::Absent { reason } => Collected::absent(reason.clone()),
            Collected::NotCollected { why } => Collected::not_collected(why.clone()),
        },
        Some(dep_id) => match c
            .get_deployment()
            .rest_api_id(id)
            .deployment_id(dep_id)
            .embed("apisummary")
            .send()
            .await
        {
            Ok(d) => Collected::present(deployment_facts(
                d.id(),
                d.created_date(),
                d.description(),
                d.api_summary(),
            )),
            Err(e) => {
                let f = classify(
                    &e,
                    "apigateway:GET",
                    &arn(&format!("/deployments/{dep_id}")),
                );
                if f.kind == FailureKind::NotFound {
                    Collected::absent(format!("deployment {dep_id} does not exist"))
                } else {
                    Collected::not_collected(f)
                }
            }
        },
    };

    let deployment = build_deployment_evidence(&config, stage_deployment, deployments, export);
    RestCollected {
        config,
        stage: stage_facts,
        deployment,
    }
}

fn build_deployment_evidence(
    config: &Collected<ApiConfiguration>,
    stage_deployment: Collected<DeploymentFacts>,
    deployments: Result<Vec<DeploymentFacts>, Failure>,
    export: Result<aws_sdk_apigateway::operation::get_export::GetExportOutput, Failure>,
) -> Collected<DeploymentEvidence> {
    let draft = match config.value() {
        Some(ApiConfiguration::Rest(r)) => Some(r),
        _ => None,
    };
    let export_json: Option<serde_json::Value> = export
        .as_ref()
        .ok()
        .and_then(|o| o.body())
        .and_then(|b| serde_json::from_slice(b.as_ref()).ok());
    let export_facts = match (&export, &export_json) {
        (Ok(_), Some(json)) => Collected::present(export_facts(json)),
        (Ok(_), None) => Collected::not_collected(Failure::other("the stage export was not JSON")),
        (Err(f), _) => Collected::not_collected(f.clone()),
    };
    let newer_than_stage = match (&stage_deployment, &deployments) {
        (Collected::Present { value: live }, Ok(all)) => all
            .iter()
            .filter(|d| d.created > live.created && d.id != live.id)
            .map(|d| d.id.clone())
            .collect(),
        _ => Vec::new(),
    };
    let drift = match (stage_deployment.value(), draft) {
        (Some(live), Some(draft)) if live.api_summary.is_some() || export_json.as_ref().is_some_and(export_has_integrations) => {
            let mut items = summary_drift(live, draft);
            match &export_json {
                Some(json) if export_has_integrations(json) => items.extend(export_cors_drift(json, draft)),
                _ => {}
            }
            Collected::present(items)
        }
        (Some(_), Some(_)) => Collected::not_collected(Failure::skipped(
            "neither the deployment's apiSummary nor the export's integration extensions were returned",
        )),
        (None, _) => Collected::not_collected(Failure::skipped("no live deployment to compare")),
        (_, None) => Collected::not_collected(Failure::skipped("the draft configuration was not collected")),
    };
    Collected::present(DeploymentEvidence {
        stage_deployment,
        deployments: match deployments {
            Ok(v) if v.is_empty() => Collected::absent("the API has never been deployed"),
            Ok(v) => Collected::present(v),
            Err(f) => Collected::not_collected(f),
        },
        newer_than_stage,
        drift,
        export: export_facts,
        changes_since_deployment: Vec::new(),
    })
}

/// Compares a deployment's `apiSummary` with the draft's methods.
pub fn summary_drift(live: &DeploymentFacts, draft: &RestApiConfig) -> Vec<DriftItem> {
    let mut items = Vec::new();
    let Some(summary) = &live.api_summary else {
        return items;
    };
    for res in &draft.resources {
        let deployed = summary.get(&res.path);
        for m in &res.methods {
            match deployed.and_then(|d| d.get(&m.http_method)) {
                None => items.push(DriftItem {
                    path: res.path.clone(),
                    http_method: m.http_method.clone(),
                    change: DriftChange::NotDeployed,
                }),
                Some(snap) => {
                    if snap.authorization_type != m.authorization_type {
                        items.push(DriftItem {
                            path: res.path.clone(),
                            http_method: m.http_method.clone(),
                            change: DriftChange::Authorization {
                                deployed: snap.authorization_type.clone(),
                                draft: m.authorization_type.clone(),
                            },
                        });
                    }
                    if snap.api_key_required != m.api_key_required {
                        items.push(DriftItem {
                            path: res.path.clone(),
                            http_method: m.http_method.clone(),
                            change: DriftChange::ApiKeyRequired {
                                deployed: snap.api_key_required,
                                draft: m.api_key_required,
                            },
                        });
                    }
                }
            }
        }
    }
    for (path, methods) in summary {
        for verb in methods.keys() {
            let in_draft = draft
                .resources
                .iter()
                .any(|r| &r.path == path && r.methods.iter().any(|m| &m.http_method == verb));
            if !in_draft {
                items.push(DriftItem {
                    path: path.clone(),
                    http_method: verb.clone(),
                    change: DriftChange::DeletedInDraft,
                });
            }
        }
    }
    items
}

fn export_has_integrations(json: &serde_json::Value) -> bool {
    json.get("paths")
        .and_then(|p| p.as_object())
        .is_some_and(|paths| {
            paths.values().any(|ops| {
                ops.as_object().is_some_and(|ops| {
                    ops.values()
                        .any(|op| op.get("x-amazon-apigateway-integration").is_some())
                })
            })
        })
}

fn export_facts(json: &serde_json::Value) -> ExportFacts {
    let paths = json
        .get("paths")
        .and_then(|p| p.as_object())
        .map(|paths| {
            paths
                .iter()
                .map(|(path, ops)| {
                    let mut verbs: Vec<String> = ops
                        .as_object()
                        .map(|o| {
                            o.keys()
                                .filter(|k| !k.starts_with("x-") && *k != "parameters")
                                .map(|k| verb_of(k))
                                .collect()
                        })
                        .unwrap_or_default();
                    verbs.sort();
                    (path.clone(), verbs)
                })
                .collect()
        })
        .unwrap_or_default();
    ExportFacts {
        export_type: if json.get("openapi").is_some() {
            "oas30"
        } else {
            "swagger"
        }
        .to_string(),
        has_integration_extensions: export_has_integrations(json),
        paths,
    }
}

fn verb_of(key: &str) -> String {
    if key == "x-amazon-apigateway-any-method" {
        "ANY".to_string()
    } else {
        key.to_ascii_uppercase()
    }
}

/// Compares the CORS header mappings of the deployed export's integration responses with the
/// draft's.
pub fn export_cors_drift(json: &serde_json::Value, draft: &RestApiConfig) -> Vec<DriftItem> {
    type Key = (String, String, String, String);
    let mut deployed: BTreeMap<Key, String> = BTreeMap::new();
    if let Some(paths) = json.get("paths").and_then(|p| p.as_object()) {
        for (path, ops) in paths {
            for (verb, op) in ops.as_object().into_iter().flatten() {
                let responses = op
                    .pointer("/x-amazon-apigateway-integration/responses")
                    .and_then(|r| r.as_object());
                for (_pattern, resp) in responses.into_iter().flatten() {
                    let status = resp
                        .get("statusCode")
                        .and_then(|s| s.as_str())
                        .unwrap_or_default()
                        .to_string();
                    for (k, v) in resp
                        .get("responseParameters")
                        .and_then(|p| p.as_object())
                        .into_iter()
                        .flatten()
                    {
                        if let Some(h) = super::evidence::cors_header_of(k) {
                            deployed.insert(
                                (path.clone(), verb_of(verb), status.clone(), h.to_string()),
                                v.as_str().unwrap_or_default().to_string(),
                            );
                        }
                    }
                }
            }
        }
    }
    let mut draft_map: BTreeMap<Key, String> = BTreeMap::new();
    for res in &draft.resources {
        for m in &res.methods {
            for ir in m.integration.iter().flat_map(|i| &i.integration_responses) {
                for (k, v) in &ir.response_parameters {
                    if let Some(h) = super::evidence::cors_header_of(k) {
                        draft_map.insert(
                            (
                                res.path.clone(),
                                m.http_method.clone(),
                                ir.status_code.clone(),
                                h.to_string(),
                            ),
                            v.clone(),
                        );
                    }
                }
            }
        }
    }
    let keys: std::collections::BTreeSet<&Key> = deployed.keys().chain(draft_map.keys()).collect();
    keys.into_iter()
        .filter(|k| deployed.get(*k) != draft_map.get(*k))
        .map(|k| DriftItem {
            path: k.0.clone(),
            http_method: k.1.clone(),
            change: DriftChange::CorsMapping {
                status_code: k.2.clone(),
                header: k.3.clone(),
                deployed: deployed.get(k).cloned(),
                draft: draft_map.get(k).cloned(),
            },
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SDK shapes → evidence shapes.
// ---------------------------------------------------------------------------------------------

fn sorted<V: Clone>(m: Option<&std::collections::HashMap<String, V>>) -> BTreeMap<String, V> {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn rest_resource(r: &t::Resource) -> RestResource {
    let mut methods: Vec<RestMethod> = r
        .resource_methods()
        .map(|m| m.values().map(rest_method).collect())
        .unwrap_or_default();
    methods.sort_by(|a, b| a.http_method.cmp(&b.http_method));
    RestResource {
        id: r.id().unwrap_or_default().to_string(),
        path: r.path().unwrap_or_default().to_string(),
        has_options: methods.iter().any(|m| m.http_method == "OPTIONS"),
        methods,
    }
}

fn rest_method(m: &t::Method) -> RestMethod {
    let mut method_responses: Vec<MethodResponse> = m
        .method_responses()
        .map(|rs| {
            rs.values()
                .map(|r| MethodResponse {
                    status_code: r.status_code().unwrap_or_default().to_string(),
                    response_parameters: sorted(r.response_parameters()),
                })
                .collect()
        })
        .unwrap_or_default();
    method_responses.sort_by(|a, b| a.status_code.cmp(&b.status_code));
    RestMethod {
        http_method: m.http_method().unwrap_or_default().to_string(),
        authorization_type: m.authorization_type().map(str::to_string),
        authorizer_id: m.authorizer_id().map(str::to_string),
        authorization_scopes: m.authorization_scopes().to_vec(),
        api_key_required: m.api_key_required().unwrap_or(false),
        method_responses,
        integration: m.method_integration().map(rest_integration),
    }
}

fn rest_integration(i: &t::Integration) -> RestIntegration {
    let mut integration_responses: Vec<IntegrationResponse> = i
        .integration_responses()
        .map(|rs| {
            rs.values()
                .map(|r| IntegrationResponse {
                    status_code: r.status_code().unwrap_or_default().to_string(),
                    selection_pattern: r.selection_pattern().map(str::to_string),
                    response_parameters: sorted(r.response_parameters()),
                    response_templates: sorted(r.response_templates()),
                    content_handling: r.content_handling().map(|c| c.as_str().to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    integration_responses.sort_by(|a, b| a.status_code.cmp(&b.status_code));
    RestIntegration {
        integration_type: i.r#type().map(|t| t.as_str().to_string()),
        http_method: i.http_method().map(str::to_string),
        uri: i.uri().map(str::to_string),
        passthrough_behavior: i.passthrough_behavior().map(str::to_string),
        content_handling: i.content_handling().map(|c| c.as_str().to_string()),
        request_templates: sorted(i.request_templates()),
        integration_responses,
    }
}

fn gateway_response(g: &t::GatewayResponse) -> GatewayResponse {
    GatewayResponse {
        response_type: g
            .response_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        status_code: g.status_code().map(str::to_string),
        response_parameters: sorted(g.response_parameters()),
        response_templates: sorted(g.response_templates()),
        default_response: g.default_response(),
    }
}

fn stage_facts(s: &aws_sdk_apigateway::operation::get_stage::GetStageOutput) -> StageFacts {
    StageFacts {
        name: s.stage_name().unwrap_or_default().to_string(),
        deployment_id: s.deployment_id().map(str::to_string),
        auto_deploy: None,
        last_deployment_status_message: None,
        access_log: s
            .access_log_settings()
            .map(|a| super::evidence::AccessLogSettings {
                destination_arn: a.destination_arn().map(str::to_string),
                format: a.format().map(str::to_string),
            }),
        method_settings: s
            .method_settings()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            MethodSettingFacts {
                                logging_level: v.logging_level().map(str::to_string),
                                metrics_enabled: v.metrics_enabled(),
                                data_trace_enabled: v.data_trace_enabled(),
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        detailed_metrics_enabled: None,
        web_acl_arn: s.web_acl_arn().map(str::to_string),
        variables: sorted(s.variables()),
        created: s.created_date().map(rfc3339),
        last_updated: s.last_updated_date().map(rfc3339),
    }
}

type ApiSummary =
    std::collections::HashMap<String, std::collections::HashMap<String, t::MethodSnapshot>>;

fn deployment_facts(
    id: Option<&str>,
    created: Option<&aws_smithy_types::DateTime>,
    description: Option<&str>,
    summary: Option<&ApiSummary>,
) -> DeploymentFacts {
    DeploymentFacts {
        id: id.unwrap_or_default().to_string(),
        created: created.map(rfc3339),
        description: description.map(str::to_string),
        status: None,
        auto_deployed: None,
        api_summary: summary.map(|s| {
            s.iter()
                .map(|(path, methods)| {
                    (
                        path.clone(),
                        methods
                            .iter()
                            .map(|(verb, snap)| {
                                (
                                    verb.clone(),
                                    MethodSnapshot {
                                        authorization_type: snap
                                            .authorization_type()
                                            .map(str::to_string),
                                        api_key_required: snap.api_key_required(),
                                    },
                                )
                            })
                            .collect(),
                    )
                })
                .collect()
        }),
    }
}
