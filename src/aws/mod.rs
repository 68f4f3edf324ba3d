//! AWS evidence: the runbook's playbook steps, collected through the AWS SDK for Rust.
//!
//! This module owns the edge between corsprobe and AWS: loading one shared `SdkConfig` for an
//! [`AwsTarget`], building the service clients ([`Clients`]), turning SDK errors into structured
//! [`Failure`]s ("not collected: missing permission apigateway:GET on arn:…"), and running every
//! collector concurrently ([`collect`]). Each submodule wraps one SDK crate and returns plain data
//! from [`evidence`]; "absent" and "not collected (why)" are explicit ([`Collected`]).
//!
//! It must not diagnose (that is the pure diagnosis engine's job, issue 5), print, or touch the
//! probe transport. Nothing here panics on what AWS returns.

pub mod apigateway;
pub mod apigatewayv2;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod cloudwatchlogs;
pub mod evidence;
pub mod health;
pub mod routes;
pub mod synthetics;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

pub use evidence::{Collected, Evidence, Failure, FailureKind};

/// Which API the user named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiRef {
    /// The API id (REST `restApiId` or HTTP `apiId`), e.g. `a1b2c3d4e5`.
    Id(String),
    /// The API's name, resolved by listing REST and HTTP APIs; must be unique.
    Name(String),
}

/// The time window the logs, metrics and CloudTrail collectors look at (inclusive start,
/// exclusive end), in epoch seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Start, seconds since the epoch.
    pub start: i64,
    /// End, seconds since the epoch.
    pub end: i64,
}

impl Window {
    /// The runbook's default: the last hour, ending `now`.
    pub fn last_hour(now: i64) -> Self {
        Self {
            start: now - 3600,
            end: now,
        }
    }

    /// The runbook's fallback ("if no correlation is found: extend analysis to 2 hours"):
    /// the same end, a start two hours before it.
    pub fn extended_to_two_hours(self) -> Self {
        Self {
            start: self.start.min(self.end - 7200),
            end: self.end,
        }
    }

    /// The start as an SDK timestamp.
    pub fn start_time(&self) -> DateTime {
        DateTime::from_secs(self.start)
    }

    /// The end as an SDK timestamp.
    pub fn end_time(&self) -> DateTime {
        DateTime::from_secs(self.end)
    }
}

/// Formats an SDK timestamp as RFC 3339 (`2026-11-26T01:02:03Z`), the one time format of the
/// evidence.
pub fn rfc3339(t: &DateTime) -> String {
    t.fmt(Format::DateTime)
        .unwrap_or_else(|_| format!("{}s", t.secs()))
}

/// Parses `--since`/`--until` values: RFC 3339 (`2026-11-26T01:00:00Z`), epoch seconds, or a
/// duration before `now` (`90m`, `2h`, `1d`, `45s`).
pub fn parse_time(input: &str, now: i64) -> Result<i64, String> {
    let s = input.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    if let Some((num, unit)) = s.char_indices().last().map(|(i, c)| (&s[..i], c)) {
        if let Ok(n) = num.parse::<i64>() {
            let mult = match unit {
                's' => Some(1),
                'm' => Some(60),
                'h' => Some(3600),
                'd' => Some(86400),
                _ => None,
            };
            if let Some(m) = mult {
                return Ok(now - n * m);
            }
        }
    }
    DateTime::from_str(s, Format::DateTime)
        .map(|t| t.secs())
        .map_err(|_| format!("not a time: {input:?} (want RFC 3339, epoch seconds, or 30m/2h/1d)"))
}

/// Everything the collectors need to know about what to look at.
#[derive(Clone, Debug)]
pub struct AwsTarget {
    /// The API, by id or name.
    pub api: ApiRef,
    /// The stage name (`prod`, `$default`).
    pub stage: String,
    /// The region; `None` uses the default chain (environment, profile).
    pub region: Option<String>,
    /// A named profile from the shared config files.
    pub profile: Option<String>,
    /// One endpoint for every service, as the AWS CLI's `--endpoint-url` (local stand-ins).
    pub endpoint_url: Option<String>,
    /// The time window for logs, metrics and CloudTrail.
    pub window: Window,
    /// Request ids of the probe's own requests (`x-amzn-RequestId`, `apigw-requestid`), whose
    /// exact log lines should be found.
    pub request_ids: Vec<String>,
    /// Extra log groups with application logs (e.g. where a frontend ships console errors).
    pub app_log_groups: Vec<String>,
}

/// The SDK clients, built once from one `SdkConfig` and shared by reference.
#[derive(Clone, Debug)]
pub struct Clients {
    /// API Gateway (REST APIs), with the null-template repair in its HTTP client.
    pub apigateway: aws_sdk_apigateway::Client,
    /// API Gateway v2 (HTTP APIs).
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    /// CloudWatch metrics.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// AWS Health (its endpoint lives in us-east-1 for the `aws` partition).
    pub health: aws_sdk_health::Client,
    /// The region the collectors query (used in ARNs and in the Health filter).
    pub region: String,
    /// Pause between CloudTrail `LookupEvents` calls (the API allows 2 per second).
    pub cloudtrail_pause: Duration,
}

impl Clients {
    /// Builds every client from one config. `http_client` is the transport under the SDK (the
    /// test harness passes its own; `None` keeps the config's).
    pub fn from_sdk_config(conf: &SdkConfig) -> Self {
        let base = conf.http_client();
        let apigw_conf = {
            let mut b = aws_sdk_apigateway::config::Builder::from(conf);
            if let Some(inner) = base {
                b = b.http_client(apigateway::null_template_repair(inner));
            }
            b.build()
        };
        // The Health API is served from us-east-1 in the `aws` partition (its global endpoint);
        // a local stand-in gets the same region, which it ignores.
        let health_conf = aws_sdk_health::config::Builder::from(conf)
            .region(Region::new(health_region(
                conf.region().map(|r| r.as_ref()).unwrap_or("us-east-1"),
            )))
            .build();
        Self {
            apigateway: aws_sdk_apigateway::Client::from_conf(apigw_conf),
            apigatewayv2: aws_sdk_apigatewayv2::Client::new(conf),
            cloudwatch: aws_sdk_cloudwatch::Client::new(conf),
            logs: aws_sdk_cloudwatchlogs::Client::new(conf),
            cloudtrail: aws_sdk_cloudtrail::Client::new(conf),
            health: aws_sdk_health::Client::from_conf(health_conf),
            region: conf.region().map(|r| r.to_string()).unwrap_or_default(),
            cloudtrail_pause: Duration::from_millis(500),
        }
    }
}

/// The region that serves the AWS Health API for a region's partition.
fn health_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-northwest-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// The HTTPS client under every SDK client: hyper 1 with rustls 0.23 on the `ring` provider
/// (the one the probe transport uses), so no aws-lc C library is built.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Loads the shared config: the default credential chain (environment, profiles, SSO, web
/// identity, container and instance metadata), the region, the profile, `--endpoint-url`, and a
/// standard retry policy whose exponential backoff handles throttling.
pub async fn load_sdk_config(target: &AwsTarget) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(500))
                .with_max_backoff(Duration::from_secs(10)),
        );
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &target.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &target.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Why the evidence command could not run at all (exit code 2); everything else is data.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No REST, HTTP or WebSocket API has this id or name in the region.
    #[error("no API Gateway API {api} in region {region}")]
    NoSuchApi {
        /// The id or name asked for.
        api: String,
        /// The region searched.
        region: String,
    },
    /// More than one API has this name.
    #[error("the name {name:?} matches several APIs: {ids:?}; pass --api-id")]
    AmbiguousName {
        /// The name asked for.
        name: String,
        /// The matching ids.
        ids: Vec<String>,
    },
    /// The API could not be looked up at all (credentials, permissions, network).
    #[error("could not look up the API: {0}")]
    Lookup(Failure),
}

/// Turns an SDK error into a structured [`Failure`]. `action` is the IAM action the call needs
/// (`apigateway:GET`), `resource` the ARN it was made on.
pub fn classify<E>(err: &SdkError<E, HttpResponse>, action: &str, resource: &str) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().map(str::to_owned);
    let message = err.message().map(str::to_owned);
    let status = err.raw_response().map(|r| r.status().as_u16());
    let kind = match err {
        SdkError::TimeoutError(_) => FailureKind::Unreachable,
        SdkError::DispatchFailure(d) => {
            if d.is_timeout() || d.is_io() {
                FailureKind::Unreachable
            } else {
                FailureKind::Credentials
            }
        }
        SdkError::ConstructionFailure(_) => FailureKind::Credentials,
        _ => kind_from(code.as_deref(), status),
    };
    // One line: AWS's message or code; for a non-AWS answer (an HTML error page from a stand-in),
    // the status and the first words of the SDK's explanation, never the whole response dump.
    let detail = message.clone().or_else(|| code.clone()).unwrap_or_else(|| {
        let full = aws_smithy_types::error::display::DisplayErrorContext(err).to_string();
        let short: String = full
            .split(" (")
            .next()
            .unwrap_or_default()
            .chars()
            .take(160)
            .collect();
        match status {
            Some(s) => format!("HTTP {s}, not an AWS error response: {short}"),
            None => short,
        }
    });
    let text = match kind {
        FailureKind::MissingPermission => {
            format!("missing permission {action} on {resource}")
        }
        FailureKind::Credentials => format!("no usable AWS credentials: {detail}"),
        FailureKind::Throttled => {
            format!("throttled calling {action} on {resource}, retries exhausted")
        }
        FailureKind::NotFound => format!("{resource} does not exist"),
        FailureKind::NotSupported => format!("{action} not available here: {detail}"),
        FailureKind::Unreachable => format!("could not reach the AWS endpoint: {detail}"),
        FailureKind::Other | FailureKind::Skipped => {
            format!("{action} on {resource} failed: {detail}")
        }
    };
    Failure {
        kind,
        message: text,
        action: Some(action.into()),
        resource: Some(resource.into()),
        code,
        http_status: status,
    }
}

fn kind_from(code: Option<&str>, status: Option<u16>) -> FailureKind {
    match code.unwrap_or_default() {
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnauthorizedException"
        | "AuthorizationError" => FailureKind::MissingPermission,
        "ExpiredTokenException"
        | "ExpiredToken"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "MissingAuthenticationToken" => FailureKind::Credentials,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => FailureKind::Throttled,
        "NotFoundException" | "ResourceNotFoundException" | "TrailNotFoundException" => {
            FailureKind::NotFound
        }
        "SubscriptionRequiredException"
        | "UnsupportedOperationException"
        | "OperationNotPermittedException" => FailureKind::NotSupported,
        _ => match status {
            Some(403) => FailureKind::MissingPermission,
            Some(404) => FailureKind::NotFound,
            Some(429) => FailureKind::Throttled,
            // moto answers an unimplemented action with an HTML 500 page.
            Some(500 | 501) if code.is_none() => FailureKind::NotSupported,
            _ => FailureKind::Other,
        },
    }
}

/// `arn:aws:apigateway:{region}::/restapis/{id}`-style resource ARNs for permission messages.
pub fn apigw_arn(region: &str, path: &str) -> String {
    format!("arn:aws:apigateway:{region}::{path}")
}

/// Collects every playbook step's evidence. Independent calls run concurrently; a failing call
/// becomes `NotCollected` in its place and the run goes on. Fails only when the API itself
/// cannot be found or looked up.
pub async fn collect(target: &AwsTarget, clients: &Clients) -> Result<Evidence, CollectError> {
    let api = apigateway::resolve_api(clients, &target.api).await?;
    let mut ev = Evidence::new(target, &clients.region, &api);

    match api.kind {
        evidence::ApiKind::Rest => {
            let rest = apigateway::collect_rest(clients, &api, &target.stage);
            let health = health::collect(clients, target.window);
            let trail = cloudtrail::collect(clients, &api.id, target.window);
            let (rest, health, trail) = tokio::join!(rest, health, trail);
            ev.existence.health = health;
            ev.cloudtrail = trail;
            apigateway::fill(&mut ev, rest);
        }
        evidence::ApiKind::Http | evidence::ApiKind::WebSocket => {
            let http = apigatewayv2::collect_http(clients, &api, &target.stage);
            let health = health::collect(clients, target.window);
            let trail = cloudtrail::collect(clients, &api.id, target.window);
            let (http, health, trail) = tokio::join!(http, health, trail);
            ev.existence.health = health;
            ev.cloudtrail = trail;
            apigatewayv2::fill(&mut ev, http);
        }
    }
    ev.routes = routes::discover(&ev.configuration);
    ev.method_cors = evidence::method_cors(&ev.configuration);

    collect_window(clients, target, &api, &mut ev).await;
    // The runbook's fallback: "if no correlation is found: extend analysis to 2 hours".
    let extended = target.window.extended_to_two_hours();
    if extended != target.window && !ev.has_signal() {
        let wider = AwsTarget {
            window: extended,
            ..target.clone()
        };
        collect_window(clients, &wider, &api, &mut ev).await;
        ev.window = evidence::window_summary(extended, true);
    }
    ev.link_changes_to_deployment();
    Ok(ev)
}

/// The window-dependent collectors: metrics and logs.
async fn collect_window(
    clients: &Clients,
    target: &AwsTarget,
    api: &evidence::ApiIdentity,
    ev: &mut Evidence,
) {
    let metrics = cloudwatch::collect(clients, api, &target.stage, target.window);
    let logs = cloudwatchlogs::collect(clients, target, api, ev);
    let (metrics, logs) = tokio::join!(metrics, logs);
    ev.metrics = metrics;
    ev.access_logs = logs.access;
    ev.execution_logs = logs.execution;
    ev.application_logs = logs.application;
}

/// What an API collector (REST or HTTP) found, before it is placed into the [`Evidence`].
#[derive(Debug)]
pub struct ApiCollected {
    /// Steps 2, 5 and 6.
    pub config: Collected<evidence::ApiConfiguration>,
    /// Step 1.
    pub stage: Collected<evidence::StageFacts>,
    /// Step 8.
    pub deployment: Collected<evidence::DeploymentEvidence>,
}

/// Places an API collector's findings into the evidence.
pub fn fill_api(ev: &mut Evidence, found: ApiCollected) {
    ev.configuration = found.config;
    ev.existence.stage = found.stage;
    ev.deployment = found.deployment;
}
