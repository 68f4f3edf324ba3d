//! HTTP API (API Gateway v2, protocolType HTTP) configuration, shaped like the `apigatewayv2`
//! JSON (`GetApi`, `GetRoutes`, `GetIntegrations`, `GetAuthorizers`, `GetStages`,
//! `GetDeployments`; <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/>).
//!
//! The CORS configuration is API-level (`corsConfiguration`,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>). A stage with
//! `autoDeploy` serves the draft; otherwise it serves its deployment's snapshot.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An HTTP API with its draft definition, deployments and stages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpApi {
    /// `apiId`.
    pub api_id: String,
    /// Name.
    pub name: String,
    /// `protocolType`: `HTTP` (WEBSOCKET is not modelled).
    pub protocol_type: String,
    /// The current (draft) definition.
    #[serde(flatten)]
    pub draft: HttpApiDefinition,
    /// Deployments (snapshots).
    pub deployments: Vec<HttpDeployment>,
    /// Stages.
    pub stages: Vec<HttpStage>,
}

/// Everything about an HTTP API that a deployment snapshots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpApiDefinition {
    /// `corsConfiguration`; `None` when CORS is not configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_configuration: Option<CorsConfiguration>,
    /// Routes.
    pub routes: Vec<Route>,
    /// Integrations.
    pub integrations: Vec<HttpIntegration>,
    /// Authorizers.
    pub authorizers: Vec<HttpAuthorizer>,
}

/// `corsConfiguration` (CloudFormation `AWS::ApiGatewayV2::Api Cors`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CorsConfiguration {
    /// `allowOrigins`: exact origins, `*`, or scheme wildcards `https://*` / `http://*`.
    pub allow_origins: Vec<String>,
    /// `allowMethods`.
    pub allow_methods: Vec<String>,
    /// `allowHeaders`.
    pub allow_headers: Vec<String>,
    /// `exposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `maxAge` in seconds (−1…86400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i32>,
    /// `allowCredentials`.
    pub allow_credentials: bool,
}

impl CorsConfiguration {
    /// The `Access-Control-Allow-Origin` value API Gateway returns for `origin`, or `None` when
    /// the origin is not allowed. Rules (http-api-cors.html, aws-and-peers.md §A.2): `*` allows any
    /// origin and is returned as `*`; `https://*` / `http://*` allow any origin of that scheme and
    /// echo it; otherwise one exact match is echoed. Origins are compared ASCII
    /// case-insensitively (scheme and host are case-insensitive; **(unverified)** for AWS).
    pub fn allow_origin_for(&self, origin: &str) -> Option<String> {
        for allowed in &self.allow_origins {
            let allowed = allowed.trim();
            if allowed == "*" {
                return Some("*".into());
            }
            if let Some(scheme) = allowed.strip_suffix("://*") {
                if let Some((s, rest)) = origin.split_once("://") {
                    if s.eq_ignore_ascii_case(scheme) && !rest.is_empty() {
                        return Some(origin.into());
                    }
                }
                continue;
            }
            if allowed.eq_ignore_ascii_case(origin) {
                return Some(origin.into());
            }
        }
        None
    }

    /// Validation API Gateway applies on `CreateApi`/`UpdateApi` (400 BadRequestException).
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.allow_credentials && self.allow_origins.iter().any(|o| o.trim() == "*") {
            // aws/aws-cdk #9076: the service rejects this combination when written.
            problems.push("allow-credentials is not supported if 'allow-origin' is *".into());
        }
        if let Some(age) = self.max_age {
            if !(-1..=86400).contains(&age) {
                problems.push(format!("maxAge {age} is outside -1..86400"));
            }
        }
        problems
    }
}

/// A route (`GetRoutes` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Route {
    /// Route id.
    pub route_id: String,
    /// `routeKey`: `GET /items/{id}`, `ANY /{proxy+}`, `OPTIONS /x`, or `$default`.
    pub route_key: String,
    /// `authorizationType`: NONE, JWT, CUSTOM, AWS_IAM.
    pub authorization_type: HttpAuthorizationType,
    /// `authorizerId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// `apiKeyRequired` (WebSocket only in AWS; kept for shape fidelity, ignored for HTTP APIs).
    pub api_key_required: bool,
    /// `target`: `integrations/{integrationId}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// HTTP API route `authorizationType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HttpAuthorizationType {
    /// Open route.
    #[default]
    None,
    /// JWT authorizer.
    Jwt,
    /// Lambda authorizer.
    Custom,
    /// SigV4.
    AwsIam,
}

/// An integration (`GetIntegrations` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpIntegration {
    /// Integration id.
    pub integration_id: String,
    /// `integrationType`: `AWS_PROXY` or `HTTP_PROXY`.
    pub integration_type: String,
    /// `integrationUri`; keys the simulated [`super::Backends`].
    pub integration_uri: String,
    /// `payloadFormatVersion`: `1.0` or `2.0`.
    pub payload_format_version: String,
    /// `timeoutInMillis` (up to 30000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_millis: Option<u32>,
}

/// An authorizer (`GetAuthorizers` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpAuthorizer {
    /// Authorizer id.
    pub authorizer_id: String,
    /// Name.
    pub name: String,
    /// `authorizerType`: `JWT` or `REQUEST`.
    pub authorizer_type: String,
    /// `identitySource`, e.g. `["$request.header.Authorization"]`.
    pub identity_source: Vec<String>,
}

/// A deployment snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpDeployment {
    /// `deploymentId`.
    pub deployment_id: String,
    /// What was deployed.
    pub snapshot: HttpApiDefinition,
}

/// A stage (`GetStages` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpStage {
    /// `stageName`; `$default` serves from the base URL without a stage segment.
    pub stage_name: String,
    /// `autoDeploy`: serve the draft.
    pub auto_deploy: bool,
    /// `deploymentId` (ignored when `autoDeploy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// Stage variables.
    pub stage_variables: BTreeMap<String, String>,
}

impl HttpApi {
    /// A new HTTP API with an auto-deployed `$default` stage.
    pub fn new(api_id: &str, name: &str) -> Self {
        HttpApi {
            api_id: api_id.into(),
            name: name.into(),
            protocol_type: "HTTP".into(),
            stages: vec![HttpStage {
                stage_name: "$default".into(),
                auto_deploy: true,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// Adds a route `route_key` targeting a new proxy integration to `uri`; returns the route.
    pub fn add_route(&mut self, route_key: &str, integration_type: &str, uri: &str) -> &mut Route {
        let integration_id = format!("i{}", self.draft.integrations.len());
        self.draft.integrations.push(HttpIntegration {
            integration_id: integration_id.clone(),
            integration_type: integration_type.into(),
            integration_uri: uri.into(),
            payload_format_version: "2.0".into(),
            timeout_in_millis: None,
        });
        let route_id = format!("r{}", self.draft.routes.len());
        self.draft.routes.push(Route {
            route_id,
            route_key: route_key.into(),
            target: Some(format!("integrations/{integration_id}")),
            ..Default::default()
        });
        let last = self.draft.routes.len() - 1;
        &mut self.draft.routes[last]
    }

    /// Validation the control plane applies when the configuration is written.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let defs = std::iter::once(&self.draft).chain(self.deployments.iter().map(|d| &d.snapshot));
        for def in defs {
            if let Some(cors) = &def.cors_configuration {
                problems.extend(cors.validate());
            }
        }
        problems.dedup();
        problems
    }

    /// The stage named `name`.
    pub fn stage(&self, name: &str) -> Option<&HttpStage> {
        self.stages.iter().find(|s| s.stage_name == name)
    }

    /// What stage `name` serves: the draft with `autoDeploy`, else its deployment's snapshot.
    pub fn deployed(&self, stage: &str) -> Option<&HttpApiDefinition> {
        let stage = self.stage(stage)?;
        if stage.auto_deploy {
            return Some(&self.draft);
        }
        let id = stage.deployment_id.as_deref()?;
        self.deployments
            .iter()
            .find(|d| d.deployment_id == id)
            .map(|d| &d.snapshot)
    }

    /// `CreateDeployment` + point `stage` at it (creating a manual-deploy stage if needed).
    pub fn deploy(&mut self, stage: &str, deployment_id: &str) {
        self.deployments.push(HttpDeployment {
            deployment_id: deployment_id.into(),
            snapshot: self.draft.clone(),
        });
        match self.stages.iter_mut().find(|s| s.stage_name == stage) {
            Some(s) => s.deployment_id = Some(deployment_id.into()),
            None => self.stages.push(HttpStage {
                stage_name: stage.into(),
                deployment_id: Some(deployment_id.into()),
                ..Default::default()
            }),
        }
    }
}

impl HttpApiDefinition {
    /// The integration a route targets.
    pub fn integration_for(&self, route: &Route) -> Option<&HttpIntegration> {
        let id = route.target.as_deref()?.strip_prefix("integrations/")?;
        self.integrations.iter().find(|i| i.integration_id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors(origins: &[&str], credentials: bool) -> CorsConfiguration {
        CorsConfiguration {
            allow_origins: origins.iter().map(|s| s.to_string()).collect(),
            allow_credentials: credentials,
            ..Default::default()
        }
    }

    #[test]
    fn cors_allow_origin_exact_match_is_echoed_and_scheme_or_port_differences_are_not() {
        let c = cors(&["https://app.example.com"], false);
        assert_eq!(
            c.allow_origin_for("https://app.example.com").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(c.allow_origin_for("http://app.example.com"), None);
        assert_eq!(c.allow_origin_for("https://app.example.com:3000"), None);
        assert_eq!(c.allow_origin_for("https://app.example.com/"), None);
    }

    #[test]
    fn cors_allow_origin_star_returns_star_and_scheme_wildcard_echoes() {
        assert_eq!(
            cors(&["*"], false)
                .allow_origin_for("https://x.test")
                .as_deref(),
            Some("*")
        );
        let c = cors(&["https://*"], false);
        assert_eq!(
            c.allow_origin_for("https://x.test").as_deref(),
            Some("https://x.test")
        );
        assert_eq!(c.allow_origin_for("http://x.test"), None);
    }

    #[test]
    fn cors_validate_rejects_star_with_credentials() {
        assert_eq!(
            cors(&["*"], true).validate(),
            vec!["allow-credentials is not supported if 'allow-origin' is *".to_string()]
        );
        assert!(cors(&["https://a.test"], true).validate().is_empty());
    }

    #[test]
    fn http_api_manual_stage_serves_its_deployment_not_the_draft() {
        let mut api = HttpApi::new("h1", "demo");
        api.add_route("GET /items", "AWS_PROXY", "fn");
        api.deploy("prod", "d1");
        api.draft.cors_configuration = Some(cors(&["https://a.test"], false));
        assert!(api
            .deployed("prod")
            .is_some_and(|d| d.cors_configuration.is_none()));
        assert!(api
            .deployed("$default")
            .is_some_and(|d| d.cors_configuration.is_some()));
    }
}
