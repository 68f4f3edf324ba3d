//! The bridge from what the AWS collectors read ([`crate::aws::evidence`]) to this configuration
//! model, so that the emulator serves exactly what the collectors saw: "what is served follows
//! from the configuration".
//!
//! The evidence holds the *draft* (`RestApiConfig`, `HttpApiConfig`) and what the stage serves in
//! terms of differences (`DeploymentEvidence::drift`). [`from_evidence`] rebuilds the draft and a
//! deployment snapshot (the draft with the drift undone), and points the stage at it.
//! [`rest_api`] / [`http_api`] take an explicit deployed configuration instead (a configuration
//! read before later, undeployed edits).
//!
//! Pure conversion; fields the model has but the evidence lacks (stage throttling, integration
//! timeouts) keep their defaults.

use std::collections::BTreeMap;

use super::http::{
    CorsConfiguration as ModelCors, HttpApi, HttpApiDefinition, HttpAuthorizationType,
    HttpAuthorizer, HttpDeployment, HttpIntegration, HttpStage, Route,
};
use super::rest::{
    ApiKeySource, AuthorizationType, Authorizer, AuthorizerType, ContentHandling, Deployment,
    GatewayResponse, GatewayResponseType, Integration, IntegrationResponse, IntegrationType,
    Method, MethodResponse, Resource, RestApi, RestApiDefinition, Stage,
};
use super::Api;
use crate::aws::evidence::{
    ApiConfiguration, DriftChange, Evidence, HttpApiConfig, RestApiConfig, RestMethod,
};

fn upper<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_ascii_uppercase())).ok()
}

fn integration_type(s: Option<&str>) -> IntegrationType {
    match s.unwrap_or("MOCK") {
        "AWS_PROXY" => IntegrationType::AwsProxy,
        "HTTP_PROXY" => IntegrationType::HttpProxy,
        "AWS" => IntegrationType::Aws,
        "HTTP" => IntegrationType::Http,
        _ => IntegrationType::Mock,
    }
}

fn method(m: &RestMethod) -> Method {
    Method {
        http_method: m.http_method.clone(),
        authorization_type: m
            .authorization_type
            .as_deref()
            .and_then(upper::<AuthorizationType>)
            .unwrap_or_default(),
        authorizer_id: m.authorizer_id.clone(),
        api_key_required: m.api_key_required,
        method_responses: m
            .method_responses
            .iter()
            .map(|r| {
                (
                    r.status_code.clone(),
                    MethodResponse {
                        status_code: r.status_code.clone(),
                        response_parameters: r.response_parameters.clone(),
                    },
                )
            })
            .collect(),
        method_integration: m.integration.as_ref().map(|i| Integration {
            integration_type: integration_type(i.integration_type.as_deref()),
            http_method: i.http_method.clone(),
            uri: i.uri.clone(),
            passthrough_behavior: i.passthrough_behavior.clone(),
            content_handling: i
                .content_handling
                .as_deref()
                .and_then(upper::<ContentHandling>),
            timeout_in_millis: None,
            request_templates: i.request_templates.clone(),
            integration_responses: i
                .integration_responses
                .iter()
                .map(|r| {
                    (
                        r.status_code.clone(),
                        IntegrationResponse {
                            status_code: r.status_code.clone(),
                            selection_pattern: r.selection_pattern.clone(),
                            response_parameters: r.response_parameters.clone(),
                            response_templates: r.response_templates.clone(),
                            content_handling: r
                                .content_handling
                                .as_deref()
                                .and_then(upper::<ContentHandling>),
                        },
                    )
                })
                .collect(),
        }),
    }
}

/// A REST configuration as read by the collectors → the model's definition.
pub fn rest_definition(c: &RestApiConfig) -> RestApiDefinition {
    RestApiDefinition {
        binary_media_types: c.binary_media_types.clone(),
        api_key_source: match c.api_key_source.as_deref() {
            Some("AUTHORIZER") => ApiKeySource::Authorizer,
            _ => ApiKeySource::Header,
        },
        resources: c
            .resources
            .iter()
            .map(|r| Resource {
                id: r.id.clone(),
                parent_id: None,
                path_part: r
                    .path
                    .rsplit('/')
                    .next()
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
                path: r.path.clone(),
                resource_methods: r
                    .methods
                    .iter()
                    .map(|m| (m.http_method.clone(), method(m)))
                    .collect(),
            })
            .collect(),
        authorizers: c
            .authorizers
            .value()
            .map(|v| {
                v.iter()
                    .map(|a| Authorizer {
                        id: a.id.clone(),
                        name: a.name.clone().unwrap_or_default(),
                        authorizer_type: a
                            .authorizer_type
                            .as_deref()
                            .and_then(upper::<AuthorizerType>)
                            .unwrap_or_default(),
                        identity_source: a.identity_source.clone(),
                        authorizer_uri: a.authorizer_uri.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        gateway_responses: c
            .gateway_responses
            .value()
            .map(|v| {
                v.iter()
                    .filter_map(|g| {
                        Some(GatewayResponse {
                            response_type: upper::<GatewayResponseType>(&g.response_type)?,
                            status_code: g.status_code.clone(),
                            response_parameters: g.response_parameters.clone(),
                            response_templates: g.response_templates.clone(),
                            default_response: g.default_response,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A REST API with `draft` as its draft and `deployed` (default: the draft) deployed to `stage`
/// as deployment `live`.
pub fn rest_api(draft: &RestApiConfig, stage: &str, deployed: Option<&RestApiConfig>) -> RestApi {
    let snapshot = rest_definition(deployed.unwrap_or(draft));
    RestApi {
        id: draft.id.clone(),
        name: draft.name.clone().unwrap_or_default(),
        draft: rest_definition(draft),
        deployments: vec![Deployment {
            id: "live".into(),
            description: None,
            snapshot,
        }],
        stages: vec![Stage {
            stage_name: stage.into(),
            deployment_id: "live".into(),
            ..Default::default()
        }],
    }
}

/// An HTTP API configuration → the model's definition.
pub fn http_definition(c: &HttpApiConfig) -> HttpApiDefinition {
    HttpApiDefinition {
        cors_configuration: c.cors.value().map(|x| ModelCors {
            allow_origins: x.allow_origins.clone(),
            allow_methods: x.allow_methods.clone(),
            allow_headers: x.allow_headers.clone(),
            expose_headers: x.expose_headers.clone(),
            max_age: x.max_age,
            allow_credentials: x.allow_credentials.unwrap_or(false),
        }),
        routes: c
            .routes
            .value()
            .map(|v| {
                v.iter()
                    .map(|r| Route {
                        route_id: r.route_id.clone().unwrap_or_default(),
                        route_key: r.route_key.clone(),
                        authorization_type: r
                            .authorization_type
                            .as_deref()
                            .and_then(upper::<HttpAuthorizationType>)
                            .unwrap_or_default(),
                        authorizer_id: r.authorizer_id.clone(),
                        api_key_required: r.api_key_required,
                        target: r.target.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        integrations: c
            .integrations
            .value()
            .map(|v| {
                v.iter()
                    .map(|i| HttpIntegration {
                        integration_id: i.integration_id.clone(),
                        integration_type: i.integration_type.clone().unwrap_or_default(),
                        integration_uri: i.integration_uri.clone().unwrap_or_default(),
                        payload_format_version: i
                            .payload_format_version
                            .clone()
                            .unwrap_or_else(|| "2.0".into()),
                        timeout_in_millis: None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        authorizers: c
            .authorizers
            .value()
            .map(|v| {
                v.iter()
                    .map(|a| HttpAuthorizer {
                        authorizer_id: a.authorizer_id.clone(),
                        name: a.name.clone().unwrap_or_default(),
                        authorizer_type: a.authorizer_type.clone().unwrap_or_default(),
                        identity_source: a.identity_source.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// An HTTP API with `draft` as its draft; `deployed` (default: the draft) is what `stage` serves.
pub fn http_api(draft: &HttpApiConfig, stage: &str, deployed: Option<&HttpApiConfig>) -> HttpApi {
    HttpApi {
        api_id: draft.id.clone(),
        name: draft.name.clone().unwrap_or_default(),
        protocol_type: "HTTP".into(),
        draft: http_definition(draft),
        deployments: vec![HttpDeployment {
            deployment_id: "live".into(),
            snapshot: http_definition(deployed.unwrap_or(draft)),
        }],
        stages: vec![HttpStage {
            stage_name: stage.into(),
            auto_deploy: deployed.is_none(),
            deployment_id: Some("live".into()),
            stage_variables: BTreeMap::new(),
        }],
    }
}

/// The API the evidence describes, with the stage serving the draft minus the recorded drift
/// (methods only in the draft are left out of the snapshot; authorization, API-key and CORS
/// mapping differences take their deployed values). `None` when the configuration was not
/// collected.
pub fn from_evidence(ev: &Evidence) -> Option<Api> {
    let stage = ev.target.stage.as_str();
    match ev.configuration.value()? {
        ApiConfiguration::Rest(c) => {
            let mut deployed = c.clone();
            if let Some(drift) = ev.deployment.value().and_then(|d| d.drift.value()) {
                for d in drift {
                    let Some(res) = deployed.resources.iter_mut().find(|r| r.path == d.path) else {
                        continue;
                    };
                    match &d.change {
                        DriftChange::NotDeployed => {
                            res.methods.retain(|m| m.http_method != d.http_method);
                            res.has_options =
                                res.methods.iter().any(|m| m.http_method == "OPTIONS");
                        }
                        DriftChange::DeletedInDraft => {}
                        DriftChange::Authorization { deployed: v, .. } => {
                            for m in res
                                .methods
                                .iter_mut()
                                .filter(|m| m.http_method == d.http_method)
                            {
                                m.authorization_type = v.clone();
                            }
                        }
                        DriftChange::ApiKeyRequired { deployed: v, .. } => {
                            for m in res
                                .methods
                                .iter_mut()
                                .filter(|m| m.http_method == d.http_method)
                            {
                                m.api_key_required = *v;
                            }
                        }
                        DriftChange::CorsMapping {
                            status_code,
                            header,
                            deployed: v,
                            ..
                        } => {
                            let key = format!("method.response.header.{header}");
                            for m in res
                                .methods
                                .iter_mut()
                                .filter(|m| m.http_method == d.http_method)
                            {
                                for ir in m
                                    .integration
                                    .iter_mut()
                                    .flat_map(|i| i.integration_responses.iter_mut())
                                    .filter(|r| &r.status_code == status_code)
                                {
                                    match v {
                                        Some(v) => {
                                            ir.response_parameters.insert(key.clone(), v.clone());
                                        }
                                        None => {
                                            ir.response_parameters.remove(&key);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Some(Api::Rest(rest_api(c, stage, Some(&deployed))))
        }
        ApiConfiguration::Http(c) => {
            let auto = ev
                .existence
                .stage
                .value()
                .and_then(|s| s.auto_deploy)
                .unwrap_or(true);
            let mut api = http_api(c, stage, None);
            if let Some(s) = api.stages.first_mut() {
                s.auto_deploy = auto;
            }
            Some(Api::Http(api))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::evidence::{
        ApiIdentity, ApiKind, Collected, DeploymentEvidence, DriftItem, IntegrationResponse,
        RestIntegration, RestResource,
    };
    use crate::aws::{ApiRef, AwsTarget, Window};

    fn options() -> RestMethod {
        RestMethod {
            http_method: "OPTIONS".into(),
            authorization_type: Some("CUSTOM".into()),
            authorizer_id: Some("au1".into()),
            integration: Some(RestIntegration {
                integration_type: Some("MOCK".into()),
                content_handling: Some("CONVERT_TO_TEXT".into()),
                integration_responses: vec![IntegrationResponse {
                    status_code: "200".into(),
                    response_parameters: [(
                        "method.response.header.Access-Control-Allow-Origin".to_string(),
                        "'*'".to_string(),
                    )]
                    .into(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn evidence(drift: Vec<DriftItem>) -> Evidence {
        let target = AwsTarget {
            api: ApiRef::Id("a1".into()),
            stage: "prod".into(),
            region: None,
            profile: None,
            endpoint_url: None,
            window: Window { start: 0, end: 1 },
            request_ids: Vec::new(),
            app_log_groups: Vec::new(),
        };
        let api = ApiIdentity {
            id: "a1".into(),
            name: None,
            kind: ApiKind::Rest,
            created: None,
        };
        let mut ev = Evidence::new(&target, "us-east-1", &api);
        ev.configuration = Collected::present(ApiConfiguration::Rest(RestApiConfig {
            id: "a1".into(),
            binary_media_types: vec!["*/*".into()],
            resources: vec![RestResource {
                id: "r1".into(),
                path: "/items".into(),
                has_options: true,
                methods: vec![options()],
            }],
            ..Default::default()
        }));
        ev.deployment = Collected::present(DeploymentEvidence {
            drift: Collected::present(drift),
            ..Default::default()
        });
        ev
    }

    #[test]
    fn bridge_rest_method_fields_map_onto_the_model() {
        let Some(Api::Rest(api)) = from_evidence(&evidence(Vec::new())) else {
            panic!("a REST API")
        };
        let served = api.deployed("prod").cloned().unwrap_or_default();
        assert_eq!(served.binary_media_types, vec!["*/*".to_string()]);
        let m = &served.resources[0].resource_methods["OPTIONS"];
        assert_eq!(m.authorization_type, AuthorizationType::Custom);
        assert_eq!(m.authorizer_id.as_deref(), Some("au1"));
        let i = m.method_integration.clone().unwrap_or_default();
        assert_eq!(i.integration_type, IntegrationType::Mock);
        assert_eq!(i.content_handling, Some(ContentHandling::ConvertToText));
        assert_eq!(
            i.integration_responses["200"].response_parameters
                ["method.response.header.Access-Control-Allow-Origin"],
            "'*'"
        );
    }

    #[test]
    fn bridge_drift_not_deployed_leaves_the_method_out_of_what_the_stage_serves() {
        let drift = vec![DriftItem {
            path: "/items".into(),
            http_method: "OPTIONS".into(),
            change: DriftChange::NotDeployed,
        }];
        let Some(Api::Rest(api)) = from_evidence(&evidence(drift)) else {
            panic!("a REST API")
        };
        assert!(api.draft.resources[0]
            .resource_methods
            .contains_key("OPTIONS"));
        let served = api
            .deployed("prod")
            .map(|d| d.resources[0].resource_methods.len());
        assert_eq!(served, Some(0));
    }
}
