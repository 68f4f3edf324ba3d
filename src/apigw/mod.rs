//! Plain-data model of an API Gateway configuration: REST APIs (v1, `aws-sdk-apigateway`) and
//! HTTP APIs (v2, `aws-sdk-apigatewayv2`), plus the simulated backends behind their integrations.
//!
//! This module owns shapes only: no I/O, no AWS SDK, no HTTP. Field names follow the AWS REST API
//! JSON (`camelCase`, e.g. `binaryMediaTypes`, `responseParameters`) so that a `GetResources`,
//! `GetGatewayResponses` or `GetApi` answer maps onto it field by field, and serde round-trips it.
//!
//! - [`rest`]: `RestApi` with its *draft* definition (what `GetResources` returns now) and its
//!   deployments (immutable snapshots). A stage points at one deployment: what a stage serves is
//!   `stage → deployment → snapshot`, never the draft. This is how "fixed in the configuration but
//!   not deployed" is represented (AWS: "you must deploy or redeploy before the change takes effect",
//!   <https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html>).
//! - [`http`]: `HttpApi` (protocolType HTTP) with its `corsConfiguration`, routes, integrations,
//!   authorizers, stages (with `autoDeploy`) and deployments.
//! - [`backend`]: **not AWS configuration**. Test and demo data describing how the thing behind an
//!   integration behaves (a Lambda proxy returning given headers, a backend adding its own
//!   `Access-Control-Allow-Origin`, a crash, a timeout). Keyed by the integration's `uri`.
//!
//! The emulator ([`crate::emulator`]) serves an [`Emulation`]: a list of hosted APIs and the backends.
//! Later the AWS collectors produce [`rest::RestApi`] / [`http::HttpApi`] values, so that what the
//! emulator serves follows from the configuration the collectors read.

pub mod backend;
pub mod bridge;
pub mod http;
pub mod rest;

use serde::{Deserialize, Serialize};

pub use backend::{AuthorizerBehavior, Backend, Backends, LambdaProxyResponse};
pub use http::{CorsConfiguration, HttpApi};
pub use rest::{GatewayResponseType, RestApi};

/// One API Gateway API of either flavour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Api {
    /// API Gateway v1 REST API.
    Rest(RestApi),
    /// API Gateway v2 HTTP API.
    Http(HttpApi),
}

impl Api {
    /// The API's id (`restApiId` / `apiId`), used in `{id}.execute-api.{region}.amazonaws.com`.
    pub fn id(&self) -> &str {
        match self {
            Api::Rest(a) => &a.id,
            Api::Http(a) => &a.api_id,
        }
    }

    /// The API's name.
    pub fn name(&self) -> &str {
        match self {
            Api::Rest(a) => &a.name,
            Api::Http(a) => &a.name,
        }
    }
}

/// An API as the emulator hosts it: the configuration plus the path prefix it is mounted under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostedApi {
    /// First path segment that selects this API on a shared loopback port (`/{mount}/{stage}/...`).
    /// Requests whose `Host` is `{id}.execute-api.{region}.amazonaws.com` reach the API without it.
    pub mount: String,
    /// The AWS configuration.
    pub api: Api,
}

/// Everything one emulator process serves: the APIs and the simulated backends behind them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Emulation {
    /// Hosted APIs; mounts must be unique.
    pub apis: Vec<HostedApi>,
    /// Simulated integration backends and authorizer decisions (test data, not AWS configuration).
    #[serde(default)]
    pub backends: Backends,
}

impl Emulation {
    /// Checks what API Gateway itself would reject when the configuration is written, and what
    /// the emulator needs (unique mounts). Returns one message per problem.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut mounts = std::collections::BTreeSet::new();
        for hosted in &self.apis {
            if hosted.mount.is_empty() || hosted.mount.contains('/') {
                problems.push(format!(
                    "mount {:?}: must be one non-empty path segment",
                    hosted.mount
                ));
            }
            if !mounts.insert(hosted.mount.as_str()) {
                problems.push(format!("mount {:?}: used twice", hosted.mount));
            }
            if let Api::Http(api) = &hosted.api {
                problems.extend(
                    api.validate()
                        .into_iter()
                        .map(|p| format!("{}: {p}", hosted.mount)),
                );
            }
        }
        problems
    }
}
