//! The evidence: plain serde data, one field per playbook step (see the runbook), that the pure
//! diagnosis engine consumes and `corsprobe evidence --format json` prints.
//!
//! This module owns the data shapes and the few pure derivations over them (per-method CORS
//! mapping coverage, changes since the live deployment). It must not call AWS: collectors in the
//! sibling modules fill it. Every fact that may be missing says why, through [`Collected`]:
//! `present`, `absent` (AWS answered and the thing does not exist, often the diagnosis), or
//! `not_collected` (we could not ask, with the reason).
//!
//! Field order follows the runbook's playbook: 1 existence/health, 2+5 configuration and type,
//! 3 access logs, 4 metrics, 6 method CORS, 7 application logs, 8 deployment, 9 execution logs,
//! then CloudTrail (diagnosis 3) and route discovery.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AwsTarget, Window};

/// A fact that may be present, absent, or not collected (and why).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Collected<T> {
    /// AWS answered with this value.
    Present {
        /// The value.
        value: T,
    },
    /// AWS answered, and the thing does not exist.
    Absent {
        /// What is missing, in words ("no accessLogSettings on stage prod").
        reason: String,
    },
    /// We could not ask.
    NotCollected {
        /// Why.
        why: Failure,
    },
}

impl<T> Collected<T> {
    /// A present value.
    pub fn present(value: T) -> Self {
        Collected::Present { value }
    }

    /// An explicit absence.
    pub fn absent(reason: impl Into<String>) -> Self {
        Collected::Absent {
            reason: reason.into(),
        }
    }

    /// Not collected, with the failure.
    pub fn not_collected(why: Failure) -> Self {
        Collected::NotCollected { why }
    }

    /// The value, if present.
    pub fn value(&self) -> Option<&T> {
        match self {
            Collected::Present { value } => Some(value),
            _ => None,
        }
    }

    /// The value, mutably, if present.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Collected::Present { value } => Some(value),
            _ => None,
        }
    }
}

impl<T> Default for Collected<T> {
    fn default() -> Self {
        Collected::NotCollected {
            why: Failure::skipped("not attempted"),
        }
    }
}

/// What kind of failure kept a fact from being collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The caller lacks an IAM permission (AccessDenied).
    MissingPermission,
    /// No, expired or invalid credentials.
    Credentials,
    /// Throttled, and the retries with backoff were exhausted.
    Throttled,
    /// The resource the call targets does not exist.
    NotFound,
    /// The API is not available here (no support plan for Health, a stand-in without it).
    NotSupported,
    /// The endpoint could not be reached.
    Unreachable,
    /// Not attempted (does not apply, or skipped on purpose).
    Skipped,
    /// Anything else; `message` has AWS's words.
    Other,
}

/// Why a fact was not collected, with what AWS said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The class of failure.
    pub kind: FailureKind,
    /// One line for humans: "missing permission apigateway:GET on arn:aws:apigateway:…".
    pub message: String,
    /// The IAM action the call needs, when known.
    pub action: Option<String>,
    /// The resource ARN or name the call was made on, when known.
    pub resource: Option<String>,
    /// AWS's error code, when there was one.
    pub code: Option<String>,
    /// The HTTP status of the error response, when there was one.
    pub http_status: Option<u16>,
}

impl Failure {
    /// A fact that was not attempted, with the reason.
    pub fn skipped(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Skipped,
            message: message.into(),
            action: None,
            resource: None,
            code: None,
            http_status: None,
        }
    }

    /// A failure of another kind with a message only (e.g. an unparseable response).
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Other,
            message: message.into(),
            ..Self::skipped("")
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// REST (API Gateway v1) or HTTP/WebSocket (v2): CORS works differently in each (step 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// A REST API: CORS is OPTIONS methods plus header mappings, per resource.
    Rest,
    /// An HTTP API: CORS is one API-level CorsConfiguration.
    Http,
    /// A WebSocket API (no CORS; recorded so it is not mistaken for a missing API).
    WebSocket,
}

/// The API as identified (step 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiIdentity {
    /// The API id.
    pub id: String,
    /// Its name (REST metrics are keyed by it).
    pub name: Option<String>,
    /// REST or HTTP.
    pub kind: ApiKind,
    /// When it was created (RFC 3339).
    pub created: Option<String>,
}

/// What the evidence is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// The API id.
    pub api_id: String,
    /// The stage.
    pub stage: String,
    /// The region.
    pub region: String,
    /// `--endpoint-url`, when a stand-in was used.
    pub endpoint_url: Option<String>,
    /// The probe's own request ids that were looked up in the logs.
    pub request_ids: Vec<String>,
}

/// The time window, as RFC 3339.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowSummary {
    /// Start (inclusive).
    pub start: String,
    /// End (exclusive).
    pub end: String,
    /// True when the runbook's 2-hour extension was applied because nothing correlated.
    pub extended: bool,
}

/// Step 1: the API exists, the stage exists and points at a deployment, service health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ExistenceEvidence {
    /// The API (always present: without it the command exits 2).
    pub api: Option<ApiIdentity>,
    /// The stage and its settings.
    pub stage: Collected<StageFacts>,
    /// AWS Health events for API Gateway in the region overlapping the window.
    pub health: Collected<Vec<HealthEvent>>,
}

/// A stage (REST or HTTP).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct StageFacts {
    /// The stage name.
    pub name: String,
    /// The deployment the stage serves; `None` means nothing is deployed to it.
    pub deployment_id: Option<String>,
    /// HTTP APIs: whether every change deploys itself.
    pub auto_deploy: Option<bool>,
    /// HTTP APIs with auto-deploy: the last deployment's status message.
    pub last_deployment_status_message: Option<String>,
    /// Access log destination and format; `None` means access logging is off.
    pub access_log: Option<AccessLogSettings>,
    /// REST: method settings by `{resource_path}/{method}` (`*/*` for all): logging and metrics.
    pub method_settings: BTreeMap<String, MethodSettingFacts>,
    /// HTTP: detailed (per-route) metrics on the default route settings.
    pub detailed_metrics_enabled: Option<bool>,
    /// A WAF web ACL attached to the stage.
    pub web_acl_arn: Option<String>,
    /// Stage variables.
    pub variables: BTreeMap<String, String>,
    /// Created (RFC 3339).
    pub created: Option<String>,
    /// Last updated (RFC 3339).
    pub last_updated: Option<String>,
}

/// A stage's access-log settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogSettings {
    /// The log group ARN.
    pub destination_arn: Option<String>,
    /// The `$context` format.
    pub format: Option<String>,
}

/// REST method settings that matter for evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodSettingFacts {
    /// OFF, ERROR or INFO (execution logs).
    pub logging_level: Option<String>,
    /// Detailed CloudWatch metrics (per method and resource).
    pub metrics_enabled: bool,
    /// Full request/response data in execution logs.
    pub data_trace_enabled: bool,
}

/// An AWS Health event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthEvent {
    /// The event ARN.
    pub arn: Option<String>,
    /// E.g. `AWS_APIGATEWAY_OPERATIONAL_ISSUE`.
    pub event_type_code: Option<String>,
    /// open, closed or upcoming.
    pub status: Option<String>,
    /// The region.
    pub region: Option<String>,
    /// Start (RFC 3339).
    pub start: Option<String>,
    /// End (RFC 3339).
    pub end: Option<String>,
}

/// Steps 2 and 5: the API's type and its type-specific configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiConfiguration {
    /// A REST API.
    Rest(RestApiConfig),
    /// An HTTP (or WebSocket) API.
    Http(HttpApiConfig),
}

/// A REST API's CORS-relevant configuration, as the draft (current, maybe undeployed) has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct RestApiConfig {
    /// The id.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// `binaryMediaTypes` (`*/*` breaks MOCK OPTIONS without CONVERT_TO_TEXT).
    pub binary_media_types: Vec<String>,
    /// HEADER or AUTHORIZER.
    pub api_key_source: Option<String>,
    /// EDGE, REGIONAL or PRIVATE.
    pub endpoint_types: Vec<String>,
    /// Whether the execute-api endpoint is disabled.
    pub disable_execute_api_endpoint: bool,
    /// Every resource with its methods, sorted by path.
    pub resources: Vec<RestResource>,
    /// Gateway responses (only those customised on moto; all types on AWS).
    pub gateway_responses: Collected<Vec<GatewayResponse>>,
    /// Authorizers.
    pub authorizers: Collected<Vec<RestAuthorizer>>,
}

/// A REST resource (a path) with its methods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct RestResource {
    /// The resource id.
    pub id: String,
    /// The full path template (`/items/{id}`).
    pub path: String,
    /// Whether an OPTIONS method exists (no OPTIONS: preflights get 403 Missing Authentication Token).
    pub has_options: bool,
    /// Methods sorted by verb.
    pub methods: Vec<RestMethod>,
}

/// A REST method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct RestMethod {
    /// The verb (`GET`, `OPTIONS`, `ANY`).
    pub http_method: String,
    /// NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS (anything but NONE on OPTIONS breaks preflights).
    pub authorization_type: Option<String>,
    /// The authorizer, for CUSTOM and COGNITO_USER_POOLS.
    pub authorizer_id: Option<String>,
    /// OAuth scopes.
    pub authorization_scopes: Vec<String>,
    /// Whether an API key is required (true on OPTIONS breaks preflights).
    pub api_key_required: bool,
    /// Declared method responses, sorted by status.
    pub method_responses: Vec<MethodResponse>,
    /// The integration; `None` means the method has none.
    pub integration: Option<RestIntegration>,
}

/// A declared method response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct MethodResponse {
    /// The status code.
    pub status_code: String,
    /// Declared headers: `method.response.header.X` → required.
    pub response_parameters: BTreeMap<String, bool>,
}

/// A REST integration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct RestIntegration {
    /// MOCK, HTTP, HTTP_PROXY, AWS or AWS_PROXY.
    pub integration_type: Option<String>,
    /// The backend method.
    pub http_method: Option<String>,
    /// The backend URI (a Lambda invocation ARN for Lambda).
    pub uri: Option<String>,
    /// WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER.
    pub passthrough_behavior: Option<String>,
    /// CONVERT_TO_TEXT or CONVERT_TO_BINARY.
    pub content_handling: Option<String>,
    /// Request templates by content type (MOCK: `{"statusCode": 200}`).
    pub request_templates: BTreeMap<String, String>,
    /// Integration responses, sorted by status; empty for proxy integrations.
    pub integration_responses: Vec<IntegrationResponse>,
}

/// A REST integration response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct IntegrationResponse {
    /// The method response status it maps to.
    pub status_code: String,
    /// The selection regex (`None`: the default response).
    pub selection_pattern: Option<String>,
    /// Header mappings: `method.response.header.X` → `'static'` or an expression.
    pub response_parameters: BTreeMap<String, String>,
    /// Templates by content type. An empty template, which AWS returns as `null`, is `""`.
    pub response_templates: BTreeMap<String, String>,
    /// CONVERT_TO_TEXT or CONVERT_TO_BINARY.
    pub content_handling: Option<String>,
}

/// A gateway response (what API Gateway sends when it answers itself: 401, 403, 429, 5XX…).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct GatewayResponse {
    /// DEFAULT_4XX, UNAUTHORIZED, MISSING_AUTHENTICATION_TOKEN…
    pub response_type: String,
    /// The status code, when overridden.
    pub status_code: Option<String>,
    /// Header mappings: `gatewayresponse.header.X` → value.
    pub response_parameters: BTreeMap<String, String>,
    /// Templates by content type.
    pub response_templates: BTreeMap<String, String>,
    /// True for AWS's untouched default.
    pub default_response: bool,
}

/// A REST authorizer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct RestAuthorizer {
    /// The id.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// TOKEN, REQUEST or COGNITO_USER_POOLS.
    pub authorizer_type: Option<String>,
    /// E.g. `method.request.header.Authorization`.
    pub identity_source: Option<String>,
    /// The Lambda authorizer URI.
    pub authorizer_uri: Option<String>,
    /// Cognito user pool ARNs.
    pub provider_arns: Vec<String>,
    /// Result cache TTL.
    pub result_ttl_seconds: Option<i32>,
}

/// An HTTP API's CORS-relevant configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpApiConfig {
    /// The id.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// HTTP or WEBSOCKET.
    pub protocol_type: Option<String>,
    /// `https://{id}.execute-api.{region}.amazonaws.com`.
    pub api_endpoint: Option<String>,
    /// Whether the default endpoint is disabled.
    pub disable_execute_api_endpoint: bool,
    /// The CorsConfiguration; absent means API Gateway routes OPTIONS like any other method.
    pub cors: Collected<CorsConfiguration>,
    /// Routes sorted by route key.
    pub routes: Collected<Vec<HttpRoute>>,
    /// Integrations sorted by id.
    pub integrations: Collected<Vec<HttpIntegration>>,
    /// Authorizers sorted by id.
    pub authorizers: Collected<Vec<HttpAuthorizer>>,
}

/// An HTTP API's CorsConfiguration, field by field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CorsConfiguration {
    /// AllowOrigins.
    pub allow_origins: Vec<String>,
    /// AllowMethods.
    pub allow_methods: Vec<String>,
    /// AllowHeaders.
    pub allow_headers: Vec<String>,
    /// ExposeHeaders.
    pub expose_headers: Vec<String>,
    /// AllowCredentials.
    pub allow_credentials: Option<bool>,
    /// MaxAge, seconds.
    pub max_age: Option<i32>,
}

/// An HTTP API route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HttpRoute {
    /// The id.
    pub route_id: Option<String>,
    /// `GET /items/{id}`, `ANY /{proxy+}`, `$default`.
    pub route_key: String,
    /// NONE, JWT, AWS_IAM or CUSTOM.
    pub authorization_type: Option<String>,
    /// The authorizer.
    pub authorizer_id: Option<String>,
    /// Scopes.
    pub authorization_scopes: Vec<String>,
    /// API key required.
    pub api_key_required: bool,
    /// `integrations/{id}`.
    pub target: Option<String>,
}

/// An HTTP API integration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HttpIntegration {
    /// The id.
    pub integration_id: String,
    /// AWS_PROXY, HTTP_PROXY, MOCK…
    pub integration_type: Option<String>,
    /// The URI (Lambda ARN or URL).
    pub integration_uri: Option<String>,
    /// `1.0` or `2.0`.
    pub payload_format_version: Option<String>,
}

/// An HTTP API authorizer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HttpAuthorizer {
    /// The id.
    pub authorizer_id: String,
    /// The name.
    pub name: Option<String>,
    /// JWT or REQUEST.
    pub authorizer_type: Option<String>,
    /// Identity sources (`$request.header.Authorization`).
    pub identity_source: Vec<String>,
    /// JWT issuer.
    pub jwt_issuer: Option<String>,
    /// JWT audiences.
    pub jwt_audience: Vec<String>,
}

/// Step 6: per method (REST) or route (HTTP), whether the CORS headers can reach the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct MethodCors {
    /// The path template (`/items`), or the HTTP route key.
    pub path: String,
    /// The verb.
    pub http_method: String,
    /// MOCK, AWS_PROXY…
    pub integration_type: Option<String>,
    /// Proxy integrations have no integration responses: the backend must send the headers.
    pub headers_from_backend: bool,
    /// Per integration response: which `Access-Control-*` headers are mapped, and to what.
    pub responses: Vec<ResponseCors>,
    /// Statuses of integration responses that map no `Access-Control-Allow-Origin`.
    pub missing_allow_origin_on: Vec<String>,
    /// Non-NONE authorization on an OPTIONS method (preflights carry no credentials).
    pub options_authorization: Option<String>,
    /// API key required on an OPTIONS method.
    pub options_api_key_required: bool,
}

/// The CORS headers one integration response maps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ResponseCors {
    /// The status.
    pub status_code: String,
    /// The selection pattern.
    pub selection_pattern: Option<String>,
    /// `Access-Control-Allow-Origin` → `'*'`, etc. (header name → mapping value).
    pub mapped: BTreeMap<String, String>,
    /// Headers mapped in the integration response but not declared in the method response.
    pub undeclared: Vec<String>,
}

/// Step 8: what the stage serves against the draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct DeploymentEvidence {
    /// The deployment the stage points at.
    pub stage_deployment: Collected<DeploymentFacts>,
    /// All deployments, newest first.
    pub deployments: Collected<Vec<DeploymentFacts>>,
    /// Deployments newer than the stage's (made but never switched to).
    pub newer_than_stage: Vec<String>,
    /// Differences between the deployed snapshot and the draft.
    pub drift: Collected<Vec<DriftItem>>,
    /// The stage's export (REST `get_export`, swagger with apigateway extensions).
    pub export: Collected<ExportFacts>,
    /// CloudTrail changes after the stage's deployment was created (not live yet).
    pub changes_since_deployment: Vec<ApiChangeEvent>,
}

/// A deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct DeploymentFacts {
    /// The id.
    pub id: String,
    /// Created (RFC 3339).
    pub created: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// HTTP: PENDING, FAILED or DEPLOYED.
    pub status: Option<String>,
    /// HTTP: made by auto-deploy.
    pub auto_deployed: Option<bool>,
    /// REST `embed=apisummary`: path → verb → (authorizationType, apiKeyRequired) as deployed;
    /// `None` when the answer carried no summary (HTTP APIs, list calls, moto).
    pub api_summary: Option<BTreeMap<String, BTreeMap<String, MethodSnapshot>>>,
}

/// A method as a deployment captured it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MethodSnapshot {
    /// The authorization type.
    pub authorization_type: Option<String>,
    /// API key required.
    pub api_key_required: bool,
}

/// One difference between what is deployed and the draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftItem {
    /// The path.
    pub path: String,
    /// The verb.
    pub http_method: String,
    /// What differs.
    pub change: DriftChange,
}

/// The kinds of drift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftChange {
    /// The method exists in the draft only (e.g. an OPTIONS added but not deployed).
    NotDeployed,
    /// The method is deployed but deleted from the draft.
    DeletedInDraft,
    /// Authorization differs.
    Authorization {
        /// Deployed.
        deployed: Option<String>,
        /// Draft.
        draft: Option<String>,
    },
    /// apiKeyRequired differs.
    ApiKeyRequired {
        /// Deployed.
        deployed: bool,
        /// Draft.
        draft: bool,
    },
    /// A CORS header mapping differs (from the export's integration extensions).
    CorsMapping {
        /// Status code of the integration response.
        status_code: String,
        /// The header.
        header: String,
        /// Deployed value (`None`: not mapped).
        deployed: Option<String>,
        /// Draft value.
        draft: Option<String>,
    },
}

/// What the stage export contained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ExportFacts {
    /// `swagger` or `oas30`.
    pub export_type: String,
    /// Whether `x-amazon-apigateway-integration` extensions were present (moto omits them).
    pub has_integration_extensions: bool,
    /// Path → verbs in the deployed definition.
    pub paths: BTreeMap<String, Vec<String>>,
}

/// Step 4: CloudWatch metrics at one-minute resolution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct MetricsEvidence {
    /// `AWS/ApiGateway`.
    pub namespace: String,
    /// The dimensions used (`ApiName`+`Stage` for REST, `ApiId`+`Stage` for HTTP).
    pub dimensions: BTreeMap<String, String>,
    /// Seconds per point.
    pub period_seconds: i32,
    /// One series per metric, points in time order.
    pub series: Vec<MetricSeries>,
    /// Minutes where an error metric rose above the minute before (or above zero at start).
    pub error_rises: Vec<ErrorRise>,
}

/// A metric's points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct MetricSeries {
    /// `4XXError`, `5XXError`, `Count`, `4xx`, `5xx`.
    pub metric_name: String,
    /// `Sum`.
    pub stat: String,
    /// Points in time order.
    pub points: Vec<MetricPoint>,
}

/// One point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    /// RFC 3339.
    pub timestamp: String,
    /// The value.
    pub value: f64,
}

/// A minute where errors rose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorRise {
    /// The metric.
    pub metric_name: String,
    /// RFC 3339.
    pub timestamp: String,
    /// The value that minute.
    pub value: f64,
    /// The value the point before (0 when none).
    pub previous: f64,
}

/// What one log group showed (steps 3, 7 and 9).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct LogFindings {
    /// The log group name.
    pub log_group: String,
    /// Why this group was read ("stage accessLogSettings", "Lambda integration", "--log-group").
    pub source: String,
    /// The CloudWatch filter pattern sent (`None`: every event in the window).
    pub filter_pattern: Option<String>,
    /// How many events were read.
    pub events_scanned: usize,
    /// True when the scan stopped at its cap before the window ended.
    pub truncated: bool,
    /// Relevant lines (preflights, 4XX/5XX, gateway errors, CORS headers, console errors), capped.
    pub lines: Vec<LogLine>,
    /// Counts by line kind.
    pub counts: BTreeMap<String, usize>,
    /// Browser console CORS errors grouped by origin and URL.
    pub console_errors: Vec<ConsoleErrorGroup>,
    /// The lines of the probe's own requests, by request id.
    pub probe_lines: BTreeMap<String, Vec<LogLine>>,
}

/// A log line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct LogLine {
    /// RFC 3339.
    pub timestamp: String,
    /// The stream.
    pub stream: Option<String>,
    /// The message, trimmed.
    pub message: String,
    /// The request id, when the line names one.
    pub request_id: Option<String>,
    /// What made the line relevant.
    pub kinds: Vec<LineKind>,
}

/// Why a line is relevant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// An OPTIONS (preflight) request.
    Preflight,
    /// A 4XX status.
    ClientError,
    /// A 5XX status.
    ServerError,
    /// A gateway error response type (`$context.error.responseType`, "Gateway response type").
    GatewayResponse,
    /// `Access-Control-*` headers in a response.
    CorsHeaders,
    /// Execution failed (configuration error, malformed proxy response…).
    ExecutionFailure,
    /// A browser console CORS error.
    ConsoleCors,
    /// One of the probe's own requests.
    ProbeRequest,
}

/// Console CORS errors with the same browser, origin and URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ConsoleErrorGroup {
    /// chromium, firefox or safari.
    pub browser: String,
    /// The page origin the message names (Firefox names none).
    pub origin: Option<String>,
    /// The resource URL the message names.
    pub url: Option<String>,
    /// The reason clause, when the message has one.
    pub reason: Option<String>,
    /// How many lines.
    pub count: usize,
    /// First seen (RFC 3339).
    pub first_seen: String,
    /// Last seen (RFC 3339).
    pub last_seen: String,
}

/// A CloudTrail event about the API (diagnosis 3: who changed what, when).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiChangeEvent {
    /// RFC 3339.
    pub event_time: String,
    /// `CreateDeployment`, `PutIntegrationResponse`, `UpdateApi`…
    pub event_name: String,
    /// The event id.
    pub event_id: Option<String>,
    /// Who (CloudTrail's Username).
    pub username: Option<String>,
    /// Who (userIdentity.arn).
    pub user_arn: Option<String>,
    /// From where.
    pub source_ip: Option<String>,
    /// With what.
    pub user_agent: Option<String>,
    /// Whether the event name is one that can add, remove or break CORS or change what is live.
    pub cors_relevant: bool,
    /// The error code if the call failed.
    pub error_code: Option<String>,
    /// The call's request parameters.
    pub request_parameters: serde_json::Value,
}

/// CloudTrail's view of the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct CloudTrailEvidence {
    /// Write events about this API, oldest first.
    pub events: Vec<ApiChangeEvent>,
    /// Events of other APIs skipped, by count.
    pub other_api_events: usize,
    /// Pages read.
    pub pages: u32,
    /// True when the page cap stopped the scan.
    pub truncated: bool,
}

/// A route later commands can probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DiscoveredRoute {
    /// The verb (`ANY` for any).
    pub method: String,
    /// The template (`/items/{id}`), or `$default`.
    pub path_template: String,
    /// A concrete path with sample values (`/items/1`).
    pub sample_path: String,
    /// Path parameters with the sample used.
    pub path_parameters: Vec<PathParameter>,
    /// The authorization type.
    pub authorization_type: Option<String>,
}

/// A path parameter and the sample value chosen for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PathParameter {
    /// The name (`id`, `proxy`).
    pub name: String,
    /// Greedy (`{proxy+}`).
    pub greedy: bool,
    /// The sample value.
    pub sample: String,
}

/// Every playbook step's evidence for one API and stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The JSON contract version.
    pub schema_version: u32,
    /// What was looked at.
    pub target: TargetSummary,
    /// When.
    pub window: WindowSummary,
    /// Step 1: the API, the stage, service health.
    pub existence: ExistenceEvidence,
    /// Steps 2 and 5: the API type and its CORS configuration.
    pub configuration: Collected<ApiConfiguration>,
    /// Step 3: access logs.
    pub access_logs: Collected<LogFindings>,
    /// Step 4: metrics.
    pub metrics: Collected<MetricsEvidence>,
    /// Step 6: per-method CORS header coverage.
    pub method_cors: Collected<Vec<MethodCors>>,
    /// Step 7: application logs (Lambda integrations and the groups the user named).
    pub application_logs: Vec<Collected<LogFindings>>,
    /// Step 8: deployed against draft.
    pub deployment: Collected<DeploymentEvidence>,
    /// Step 9: execution logs (REST only).
    pub execution_logs: Collected<LogFindings>,
    /// Diagnosis 3: CloudTrail changes in the window.
    pub cloudtrail: Collected<CloudTrailEvidence>,
    /// Every route with sample path values.
    pub routes: Collected<Vec<DiscoveredRoute>>,
}

impl Evidence {
    /// An empty record for an identified API; collectors fill the rest.
    pub fn new(target: &AwsTarget, region: &str, api: &ApiIdentity) -> Self {
        Self {
            schema_version: 1,
            target: TargetSummary {
                api_id: api.id.clone(),
                stage: target.stage.clone(),
                region: region.to_string(),
                endpoint_url: target.endpoint_url.clone(),
                request_ids: target.request_ids.clone(),
            },
            window: window_summary(target.window, false),
            existence: ExistenceEvidence {
                api: Some(api.clone()),
                ..Default::default()
            },
            configuration: Collected::default(),
            access_logs: Collected::default(),
            metrics: Collected::default(),
            method_cors: Collected::default(),
            application_logs: Vec::new(),
            deployment: Collected::default(),
            execution_logs: Collected::default(),
            cloudtrail: Collected::default(),
            routes: Collected::default(),
        }
    }

    /// Whether the window showed anything to correlate: an error rise, or a relevant log line.
    pub fn has_signal(&self) -> bool {
        let rises = self
            .metrics
            .value()
            .is_some_and(|m| !m.error_rises.is_empty());
        let lines = |c: &Collected<LogFindings>| c.value().is_some_and(|f| !f.lines.is_empty());
        rises
            || lines(&self.access_logs)
            || lines(&self.execution_logs)
            || self.application_logs.iter().any(lines)
    }

    /// Copies the CloudTrail events newer than the stage's deployment into the deployment
    /// evidence (changes that are not live yet).
    pub fn link_changes_to_deployment(&mut self) {
        let (Some(dep), Some(trail)) = (self.deployment.value_mut(), self.cloudtrail.value())
        else {
            return;
        };
        let Some(created) = dep.stage_deployment.value().and_then(|d| d.created.clone()) else {
            return;
        };
        dep.changes_since_deployment = trail
            .events
            .iter()
            .filter(|e| {
                e.cors_relevant && e.event_time > created && e.event_name != "CreateDeployment"
            })
            .cloned()
            .collect();
    }
}

/// A window as RFC 3339.
pub fn window_summary(w: Window, extended: bool) -> WindowSummary {
    WindowSummary {
        start: super::rfc3339(&w.start_time()),
        end: super::rfc3339(&w.end_time()),
        extended,
    }
}

/// The `Access-Control-*` header named by a `method.response.header.X` key, if it is one.
pub fn cors_header_of(param: &str) -> Option<&str> {
    let name = param.strip_prefix("method.response.header.")?;
    name.to_ascii_lowercase()
        .starts_with("access-control-")
        .then_some(name)
}

/// Step 6, derived from the configuration: for each REST method, which integration responses
/// map which CORS headers; for each HTTP route, that the API-level configuration applies.
pub fn method_cors(config: &Collected<ApiConfiguration>) -> Collected<Vec<MethodCors>> {
    let rest = match config {
        Collected::Present {
            value: ApiConfiguration::Rest(rest),
        } => rest,
        Collected::Present {
            value: ApiConfiguration::Http(_),
        } => {
            return Collected::absent(
                "HTTP API: CORS headers come from the API-level CorsConfiguration, not per route",
            );
        }
        Collected::Absent { reason } => return Collected::absent(reason.clone()),
        Collected::NotCollected { why } => return Collected::not_collected(why.clone()),
    };
    let mut out = Vec::new();
    for res in &rest.resources {
        for m in &res.methods {
            let integration_type = m
                .integration
                .as_ref()
                .and_then(|i| i.integration_type.clone());
            let proxy = matches!(
                integration_type.as_deref(),
                Some("AWS_PROXY" | "HTTP_PROXY")
            );
            let mut responses = Vec::new();
            let mut missing = Vec::new();
            for ir in m.integration.iter().flat_map(|i| &i.integration_responses) {
                let mapped: BTreeMap<String, String> = ir
                    .response_parameters
                    .iter()
                    .filter_map(|(k, v)| cors_header_of(k).map(|h| (h.to_string(), v.clone())))
                    .collect();
                let declared = m
                    .method_responses
                    .iter()
                    .find(|r| r.status_code == ir.status_code);
                let undeclared = ir
                    .response_parameters
                    .keys()
                    .filter(|k| cors_header_of(k).is_some())
                    .filter(|k| !declared.is_some_and(|d| d.response_parameters.contains_key(*k)))
                    .filter_map(|k| cors_header_of(k).map(str::to_string))
                    .collect();
                if !mapped
                    .keys()
                    .any(|h| h.eq_ignore_ascii_case("access-control-allow-origin"))
                {
                    missing.push(ir.status_code.clone());
                }
                responses.push(ResponseCors {
                    status_code: ir.status_code.clone(),
                    selection_pattern: ir.selection_pattern.clone(),
                    mapped,
                    undeclared,
                });
            }
            let is_options = m.http_method == "OPTIONS";
            out.push(MethodCors {
                path: res.path.clone(),
                http_method: m.http_method.clone(),
                integration_type,
                headers_from_backend: proxy,
                responses,
                missing_allow_origin_on: missing,
                options_authorization: m
                    .authorization_type
                    .clone()
                    .filter(|a| is_options && a != "NONE"),
                options_api_key_required: is_options && m.api_key_required,
            });
        }
    }
    Collected::present(out)
}
