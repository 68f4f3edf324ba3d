//! REST API (API Gateway v1) configuration, shaped like the `apigateway` REST API's JSON
//! (`GetRestApi`, `GetResources?embed=methods`, `GetAuthorizers`, `GetGatewayResponses`,
//! `GetStage`, `GetDeployment`; <https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html>).
//!
//! The draft ([`RestApiDefinition`], flattened into [`RestApi`]) is what the control plane returns
//! now; a [`Deployment`] is an immutable snapshot of it, and a [`Stage`] serves one deployment.
//! Everything that "requires redeploy" per the developer guide (methods, integrations, integration
//! responses, gateway responses, authorizers, resources, binaryMediaTypes) lives in the snapshot;
//! stage settings (variables, throttling) live on the stage and apply at once
//! (awsdocs `doc_source/updating-api.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A REST API with its draft definition, deployments and stages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RestApi {
    /// `restApiId`.
    pub id: String,
    /// API name.
    pub name: String,
    /// The current (draft) definition, as the control plane returns it now.
    #[serde(flatten)]
    pub draft: RestApiDefinition,
    /// Deployments: immutable snapshots of the definition.
    pub deployments: Vec<Deployment>,
    /// Stages, each pointing at a deployment.
    pub stages: Vec<Stage>,
}

/// Everything about a REST API that a deployment snapshots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RestApiDefinition {
    /// `binaryMediaTypes`, e.g. `["*/*"]` or `["image/png"]`.
    pub binary_media_types: Vec<String>,
    /// `apiKeySource`: where API keys are read from.
    pub api_key_source: ApiKeySource,
    /// The resource tree (each resource names its parent).
    pub resources: Vec<Resource>,
    /// Authorizers (`GetAuthorizers`).
    pub authorizers: Vec<Authorizer>,
    /// Customised gateway responses (`GetGatewayResponses`; only non-default ones need be listed).
    pub gateway_responses: Vec<GatewayResponse>,
}

/// `apiKeySource`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiKeySource {
    /// Key read from the `x-api-key` header.
    #[default]
    Header,
    /// Key returned by a Lambda authorizer (`usageIdentifierKey`).
    Authorizer,
}

/// A resource (`GetResources` item): one node of the path tree.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resource {
    /// Resource id.
    pub id: String,
    /// Parent resource id; `None` for the root `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Last path segment: a literal, `{param}` or `{proxy+}`; `None` for the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_part: Option<String>,
    /// Full path, e.g. `/items/{id}`.
    pub path: String,
    /// Methods keyed by HTTP method (`GET`, `OPTIONS`, `ANY`, …), as `embed=methods` returns them.
    pub resource_methods: BTreeMap<String, Method>,
}

/// `authorizationType` of a method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizationType {
    /// Open method.
    #[default]
    None,
    /// Lambda (TOKEN or REQUEST) authorizer.
    Custom,
    /// SigV4-signed requests.
    AwsIam,
    /// Amazon Cognito user pool authorizer.
    CognitoUserPools,
}

/// A method (`GetMethod`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Method {
    /// `GET`, `OPTIONS`, `ANY`, …
    pub http_method: String,
    /// `authorizationType`.
    pub authorization_type: AuthorizationType,
    /// `authorizerId` for CUSTOM / COGNITO_USER_POOLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// `apiKeyRequired`.
    pub api_key_required: bool,
    /// Declared method responses keyed by status code.
    pub method_responses: BTreeMap<String, MethodResponse>,
    /// `methodIntegration`; `None` when no integration is set (API Gateway refuses to deploy that,
    /// the emulator answers 500).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_integration: Option<Integration>,
}

/// A method response: declares which headers an integration response may map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MethodResponse {
    /// Status code, e.g. `"200"`.
    pub status_code: String,
    /// `method.response.header.X` → required flag.
    pub response_parameters: BTreeMap<String, bool>,
}

/// Integration `type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntegrationType {
    /// Answered by API Gateway from the request template's `statusCode`.
    #[default]
    Mock,
    /// Lambda proxy: the function's response is the HTTP response; no integration responses.
    AwsProxy,
    /// HTTP proxy: the backend's response is passed through; no integration responses.
    HttpProxy,
    /// Non-proxy AWS service / Lambda custom integration.
    Aws,
    /// Non-proxy HTTP integration.
    Http,
}

impl IntegrationType {
    /// Proxy integrations have no integration responses: the backend's headers are the answer.
    pub fn is_proxy(self) -> bool {
        matches!(self, IntegrationType::AwsProxy | IntegrationType::HttpProxy)
    }
}

/// `contentHandling`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContentHandling {
    /// Base64-decode to a binary blob.
    ConvertToBinary,
    /// Base64-encode binary to text; the fix for MOCK OPTIONS under `binaryMediaTypes: */*`.
    ConvertToText,
}

/// A method's integration (`GetIntegration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Integration {
    /// Integration type.
    #[serde(rename = "type")]
    pub integration_type: IntegrationType,
    /// Method used towards the backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    /// Backend URI (Lambda invocation ARN, HTTP URL); keys the simulated [`super::Backends`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// `passthroughBehavior`: WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough_behavior: Option<String>,
    /// `contentHandling` of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<ContentHandling>,
    /// `timeoutInMillis` (50 to 29000 by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_millis: Option<u32>,
    /// Content type → mapping template, e.g. `application/json` → `{"statusCode": 200}`.
    pub request_templates: BTreeMap<String, String>,
    /// Integration responses keyed by status code.
    pub integration_responses: BTreeMap<String, IntegrationResponse>,
}

/// An integration response (`GetIntegrationResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IntegrationResponse {
    /// Method response status this maps to.
    pub status_code: String,
    /// Regex over the backend status (HTTP) or Lambda `errorMessage`; `None` is the default
    /// response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_pattern: Option<String>,
    /// `method.response.header.X` → `'static'` literal or a mapping expression
    /// (`integration.response.header.Y`, `method.request.header.Y`, `stageVariables.z`).
    pub response_parameters: BTreeMap<String, String>,
    /// Content type → body template.
    pub response_templates: BTreeMap<String, String>,
    /// `contentHandling` of the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<ContentHandling>,
}

/// Authorizer `type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizerType {
    /// Lambda authorizer fed with one header (the identity source).
    #[default]
    Token,
    /// Lambda authorizer fed with request parameters.
    Request,
    /// Cognito user pool.
    CognitoUserPools,
}

/// An authorizer (`GetAuthorizers` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Authorizer {
    /// Authorizer id (methods' `authorizerId`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub authorizer_type: AuthorizerType,
    /// `identitySource`, e.g. `method.request.header.Authorization` (comma-separated for REQUEST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_source: Option<String>,
    /// Lambda authorizer URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_uri: Option<String>,
}

/// Gateway response types
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum GatewayResponseType {
    AccessDenied,
    ApiConfigurationError,
    AuthorizerConfigurationError,
    AuthorizerFailure,
    BadRequestParameters,
    BadRequestBody,
    #[serde(rename = "DEFAULT_4XX")]
    Default4xx,
    #[serde(rename = "DEFAULT_5XX")]
    Default5xx,
    ExpiredToken,
    IntegrationFailure,
    IntegrationTimeout,
    InvalidApiKey,
    InvalidSignature,
    MissingAuthenticationToken,
    QuotaExceeded,
    RequestTooLarge,
    ResourceNotFound,
    Throttled,
    Unauthorized,
    UnsupportedMediaType,
    WafFiltered,
}

impl GatewayResponseType {
    /// Default status code per the supported-gateway-response-types table; `None` for the
    /// DEFAULT_* fallbacks (their status is the one of the response they stand in for).
    pub fn default_status(self) -> Option<u16> {
        use GatewayResponseType::*;
        Some(match self {
            AccessDenied | ExpiredToken | InvalidApiKey | InvalidSignature => 403,
            MissingAuthenticationToken | WafFiltered => 403,
            ApiConfigurationError | AuthorizerConfigurationError | AuthorizerFailure => 500,
            BadRequestParameters | BadRequestBody => 400,
            IntegrationFailure | IntegrationTimeout => 504,
            QuotaExceeded | Throttled => 429,
            RequestTooLarge => 413,
            ResourceNotFound => 404,
            Unauthorized => 401,
            UnsupportedMediaType => 415,
            Default4xx | Default5xx => return None,
        })
    }

    /// The DEFAULT_4XX / DEFAULT_5XX type this one falls back to when it is not customised.
    pub fn fallback(self) -> GatewayResponseType {
        match self.default_status() {
            Some(s) if s >= 500 => GatewayResponseType::Default5xx,
            Some(_) => GatewayResponseType::Default4xx,
            None => self,
        }
    }

    /// `$context.error.message` API Gateway uses for this type. Texts observed on real
    /// responses (aws-and-peers.md §A.1, §A.4); the ones marked so in the emulator docs are
    /// unverified.
    pub fn message(self) -> &'static str {
        use GatewayResponseType::*;
        match self {
            MissingAuthenticationToken => "Missing Authentication Token",
            Unauthorized => "Unauthorized",
            AccessDenied => "User is not authorized to access this resource",
            InvalidApiKey | WafFiltered => "Forbidden",
            Throttled => "Too Many Requests",
            QuotaExceeded => "Limit Exceeded",
            IntegrationTimeout => "Endpoint request timed out",
            ResourceNotFound => "Not Found",
            RequestTooLarge => "Request Too Long",
            UnsupportedMediaType => "Unsupported Media Type",
            BadRequestBody | BadRequestParameters => "Invalid request",
            ExpiredToken => "The security token included in the request is expired",
            InvalidSignature => "Invalid signature",
            ApiConfigurationError
            | AuthorizerConfigurationError
            | AuthorizerFailure
            | IntegrationFailure
            | Default5xx => "Internal server error",
            Default4xx => "Bad Request",
        }
    }

    /// `x-amzn-ErrorType` header value, where known.
    pub fn error_type(self) -> Option<&'static str> {
        use GatewayResponseType::*;
        Some(match self {
            MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Unauthorized => "UnauthorizedException",
            AccessDenied => "AccessDeniedException",
            InvalidApiKey | WafFiltered => "ForbiddenException",
            Throttled => "TooManyRequestsException",
            QuotaExceeded => "LimitExceededException",
            ExpiredToken => "ExpiredTokenException",
            InvalidSignature => "InvalidSignatureException",
            ResourceNotFound => "NotFoundException",
            BadRequestBody | BadRequestParameters => "BadRequestException",
            ApiConfigurationError
            | AuthorizerConfigurationError
            | AuthorizerFailure
            | IntegrationFailure
            | Default5xx => "InternalServerErrorException",
            IntegrationTimeout | RequestTooLarge | UnsupportedMediaType | Default4xx => {
                return None
            }
        })
    }
}

/// A gateway response (`GetGatewayResponse`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayResponse {
    /// Which failure this customises.
    pub response_type: GatewayResponseType,
    /// Status override, e.g. `"401"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// `gatewayresponse.header.X` → `'static'` or `method.request.header.Y`, …
    #[serde(default)]
    pub response_parameters: BTreeMap<String, String>,
    /// Content type → body template, e.g. `{"message":$context.error.messageString}`.
    #[serde(default)]
    pub response_templates: BTreeMap<String, String>,
    /// `defaultResponse`: true when not customised.
    #[serde(default)]
    pub default_response: bool,
}

impl GatewayResponse {
    /// A customised gateway response of the given type with `gatewayresponse.header.*` literals.
    pub fn with_headers(response_type: GatewayResponseType, headers: &[(&str, &str)]) -> Self {
        GatewayResponse {
            response_type,
            status_code: None,
            response_parameters: headers
                .iter()
                .map(|(k, v)| (format!("gatewayresponse.header.{k}"), format!("'{v}'")))
                .collect(),
            response_templates: BTreeMap::new(),
            default_response: false,
        }
    }
}

/// A deployment: an immutable snapshot of the definition at `CreateDeployment` time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Deployment {
    /// Deployment id.
    pub id: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What was deployed.
    pub snapshot: RestApiDefinition,
}

/// Per-method stage settings (`methodSettings["{resourcePath}/{httpMethod}"]`, or `*/*`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MethodSetting {
    /// `throttlingBurstLimit`; 0 rejects every request with THROTTLED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_burst_limit: Option<i64>,
    /// `throttlingRateLimit` (requests per second).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_rate_limit: Option<f64>,
}

/// A stage (`GetStage`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Stage {
    /// Stage name: the first path segment of the invoke URL.
    pub stage_name: String,
    /// The deployment it serves.
    pub deployment_id: String,
    /// Stage variables.
    pub variables: BTreeMap<String, String>,
    /// Method settings keyed `*/*` or `/{resource path}/{METHOD}` (AWS escapes `/` as `~1` in
    /// patch paths, not in this map).
    pub method_settings: BTreeMap<String, MethodSetting>,
}

impl RestApi {
    /// A new API with an empty draft containing only the root resource.
    pub fn new(id: &str, name: &str) -> Self {
        let mut api = RestApi {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        };
        api.draft.resources.push(Resource {
            id: format!("{id}-root"),
            path: "/".into(),
            ..Default::default()
        });
        api
    }

    /// Returns the draft resource at `path`, creating it and any missing ancestors (as a chain
    /// of `CreateResource` calls would).
    pub fn resource_mut(&mut self, path: &str) -> &mut Resource {
        self.draft.resource_mut(&self.id, path)
    }

    /// `CreateDeployment`: snapshots the draft under `deployment_id` and points `stage` at it
    /// (creating the stage if needed). Returns the deployment id.
    pub fn deploy(&mut self, stage: &str, deployment_id: &str) -> String {
        self.deployments.push(Deployment {
            id: deployment_id.into(),
            description: None,
            snapshot: self.draft.clone(),
        });
        match self.stages.iter_mut().find(|s| s.stage_name == stage) {
            Some(s) => s.deployment_id = deployment_id.into(),
            None => self.stages.push(Stage {
                stage_name: stage.into(),
                deployment_id: deployment_id.into(),
                ..Default::default()
            }),
        }
        deployment_id.into()
    }

    /// The stage named `name`.
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.stage_name == name)
    }

    /// What stage `name` serves: its deployment's snapshot. `None` when the stage does not exist
    /// or names an unknown deployment.
    pub fn deployed(&self, stage: &str) -> Option<&RestApiDefinition> {
        let stage = self.stage(stage)?;
        self.deployments
            .iter()
            .find(|d| d.id == stage.deployment_id)
            .map(|d| &d.snapshot)
    }
}

impl RestApiDefinition {
    /// See [`RestApi::resource_mut`].
    pub fn resource_mut(&mut self, api_id: &str, path: &str) -> &mut Resource {
        let path = normalize_path(path);
        if let Some(i) = self.resources.iter().position(|r| r.path == path) {
            return &mut self.resources[i];
        }
        if path == "/" {
            self.resources.push(Resource {
                id: format!("{api_id}-root"),
                path: "/".into(),
                ..Default::default()
            });
        } else {
            let (parent_path, part) = match path.rfind('/') {
                Some(0) => ("/".to_string(), &path[1..]),
                Some(i) => (path[..i].to_string(), &path[i + 1..]),
                None => ("/".to_string(), path.as_str()),
            };
            let parent_id = self.resource_mut(api_id, &parent_path).id.clone();
            let id = format!("{api_id}-r{}", self.resources.len());
            self.resources.push(Resource {
                id,
                parent_id: Some(parent_id),
                path_part: Some(part.to_string()),
                path: path.clone(),
                resource_methods: BTreeMap::new(),
            });
        }
        let last = self.resources.len() - 1;
        &mut self.resources[last]
    }

    /// The gateway response customised for `t`, if any (ignoring entries still marked default).
    pub fn gateway_response(&self, t: GatewayResponseType) -> Option<&GatewayResponse> {
        self.gateway_responses.iter().find(|g| g.response_type == t)
    }

    /// The authorizer with id `id`.
    pub fn authorizer(&self, id: &str) -> Option<&Authorizer> {
        self.authorizers.iter().find(|a| a.id == id)
    }
}

fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}")
    }
}

impl Method {
    /// An open method with the given integration.
    pub fn new(http_method: &str, integration: Integration) -> Self {
        Method {
            http_method: http_method.into(),
            method_integration: Some(integration),
            ..Default::default()
        }
    }
}

impl Integration {
    /// A MOCK integration with the console's request template (`{"statusCode": 200}`) and one
    /// default integration response mapping the given headers as static `'...'` literals, which
    /// is what the console's "Enable CORS" creates
    /// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html>).
    pub fn mock_cors(headers: &[(&str, &str)]) -> Self {
        let mut response = IntegrationResponse {
            status_code: "200".into(),
            ..Default::default()
        };
        for (k, v) in headers {
            response
                .response_parameters
                .insert(format!("method.response.header.{k}"), format!("'{v}'"));
        }
        let mut integration = Integration {
            integration_type: IntegrationType::Mock,
            passthrough_behavior: Some("WHEN_NO_MATCH".into()),
            ..Default::default()
        };
        integration
            .request_templates
            .insert("application/json".into(), "{\"statusCode\": 200}".into());
        integration
            .integration_responses
            .insert("200".into(), response);
        integration
    }

    /// A proxy integration (`AWS_PROXY` or `HTTP_PROXY`) to `uri`.
    pub fn proxy(integration_type: IntegrationType, uri: &str) -> Self {
        Integration {
            integration_type,
            http_method: Some("POST".into()),
            uri: Some(uri.into()),
            ..Default::default()
        }
    }
}

impl Method {
    /// The OPTIONS method the console's "Enable CORS" creates: MOCK integration, method response
    /// 200 declaring the headers, integration response mapping them to static literals.
    pub fn cors_options(headers: &[(&str, &str)]) -> Self {
        let mut method = Method::new("OPTIONS", Integration::mock_cors(headers));
        let declared = headers
            .iter()
            .map(|(k, _)| (format!("method.response.header.{k}"), false))
            .collect();
        method.method_responses.insert(
            "200".into(),
            MethodResponse {
                status_code: "200".into(),
                response_parameters: declared,
            },
        );
        method
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_api_deploy_snapshots_draft_so_later_edits_are_not_served() {
        let mut api = RestApi::new("a1", "demo");
        api.resource_mut("/items").resource_methods.insert(
            "GET".into(),
            Method::new("GET", Integration::proxy(IntegrationType::AwsProxy, "fn")),
        );
        api.deploy("prod", "d1");
        api.resource_mut("/items").resource_methods.insert(
            "OPTIONS".into(),
            Method::cors_options(&[("Access-Control-Allow-Origin", "*")]),
        );
        let deployed = api.deployed("prod").map(|d| d.resources.len());
        assert_eq!(deployed, Some(2));
        let served = api
            .deployed("prod")
            .and_then(|d| d.resources.iter().find(|r| r.path == "/items"));
        assert!(served.is_some_and(|r| !r.resource_methods.contains_key("OPTIONS")));
        assert!(api.deployed("dev").is_none());
    }

    #[test]
    fn rest_api_json_uses_aws_field_names_and_round_trips() {
        let mut api = RestApi::new("a1", "demo");
        api.draft.binary_media_types.push("*/*".into());
        api.resource_mut("/a/{id}").resource_methods.insert(
            "OPTIONS".into(),
            Method::cors_options(&[("Access-Control-Allow-Origin", "*")]),
        );
        api.draft
            .gateway_responses
            .push(GatewayResponse::with_headers(
                GatewayResponseType::Default4xx,
                &[("Access-Control-Allow-Origin", "*")],
            ));
        let json = serde_json::to_string(&api).unwrap_or_default();
        for needle in [
            "\"binaryMediaTypes\":[\"*/*\"]",
            "\"pathPart\":\"{id}\"",
            "\"method.response.header.Access-Control-Allow-Origin\":\"'*'\"",
            "\"responseType\":\"DEFAULT_4XX\"",
            "\"gatewayresponse.header.Access-Control-Allow-Origin\":\"'*'\"",
            "\"type\":\"MOCK\"",
        ] {
            assert!(json.contains(needle), "{needle} not in {json}");
        }
        let back: Result<RestApi, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(api));
    }

    #[test]
    fn gateway_response_types_fall_back_by_status_class() {
        assert_eq!(
            GatewayResponseType::Unauthorized.fallback(),
            GatewayResponseType::Default4xx
        );
        assert_eq!(
            GatewayResponseType::IntegrationTimeout.fallback(),
            GatewayResponseType::Default5xx
        );
        assert_eq!(GatewayResponseType::Throttled.default_status(), Some(429));
    }
}
