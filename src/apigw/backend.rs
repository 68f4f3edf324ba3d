//! Simulated backends: how the Lambda function or HTTP server behind an integration behaves, and
//! what a Lambda authorizer decides. **This is test and demo data, not AWS configuration**: the
//! AWS collectors never produce it; tests and the demo write it next to a configuration so that the
//! emulator can play the whole request path.
//!
//! Backends are keyed by the integration's `uri` (REST) or `integrationUri` (HTTP API); authorizer
//! behaviours by authorizer id. A missing backend behaves as a Lambda that returns 200 `{}` with
//! no headers (the most common real setup: a function that forgets CORS headers).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Placeholder in a simulated backend's header value that is replaced by the request's `Origin`
/// (the header is left out when the request has none): a backend that echoes the origin.
pub const ORIGIN_PLACEHOLDER: &str = "{origin}";

/// All simulated backends of an emulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Backends {
    /// Integration URI → behaviour.
    pub integrations: BTreeMap<String, Backend>,
    /// Authorizer id → decision for requests that do carry the identity source.
    pub authorizers: BTreeMap<String, AuthorizerBehavior>,
}

/// What the backend behind an integration does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "behavior", rename_all = "camelCase")]
pub enum Backend {
    /// A Lambda function returning a proxy-integration response object
    /// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>).
    LambdaProxy(LambdaProxyResponse),
    /// An HTTP server answering with this status, these header lines (in order, duplicates kept)
    /// and body.
    Http {
        /// Status code.
        status: u16,
        /// Header lines.
        #[serde(default)]
        headers: Vec<(String, String)>,
        /// Body.
        #[serde(default)]
        body: String,
    },
    /// The function throws (unhandled error): proxy integrations answer 502; non-proxy Lambda
    /// integrations select an integration response by matching `errorMessage`.
    Crash {
        /// Lambda `errorMessage`.
        #[serde(default)]
        error_message: String,
    },
    /// The function returns something that is not a proxy response object: 502
    /// ("Malformed Lambda proxy response" in the execution log).
    MalformedProxyResponse,
    /// The backend does not answer within the integration timeout: 504 INTEGRATION_TIMEOUT.
    /// The emulator answers at once instead of waiting 29 s.
    Timeout,
}

impl Default for Backend {
    fn default() -> Self {
        Backend::LambdaProxy(LambdaProxyResponse {
            status_code: 200,
            body: "{}".into(),
            ..Default::default()
        })
    }
}

/// A Lambda proxy response object (payload format 1.0: `headers` and `multiValueHeaders` are both
/// returned by API Gateway, so a name in both yields duplicate header lines,
/// awslabs/aws-lambda-go-api-proxy PR #73).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LambdaProxyResponse {
    /// `statusCode`.
    pub status_code: u16,
    /// `headers`.
    pub headers: BTreeMap<String, String>,
    /// `multiValueHeaders`.
    pub multi_value_headers: BTreeMap<String, Vec<String>>,
    /// `body`.
    pub body: String,
    /// `isBase64Encoded`.
    pub is_base64_encoded: bool,
}

impl LambdaProxyResponse {
    /// A 200 JSON response with the given `headers`.
    pub fn ok(headers: &[(&str, &str)]) -> Self {
        let mut h: BTreeMap<String, String> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        h.entry("Content-Type".into())
            .or_insert_with(|| "application/json".into());
        LambdaProxyResponse {
            status_code: 200,
            headers: h,
            body: "{\"ok\":true}".into(),
            ..Default::default()
        }
    }
}

/// What a Lambda authorizer decides for a request that carries its identity source (a request
/// without it is rejected with 401 before the authorizer runs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum AuthorizerBehavior {
    /// Any token is accepted.
    #[default]
    Allow,
    /// A policy with `Deny`: 403 ACCESS_DENIED.
    Deny,
    /// Only these identity-source values are accepted; others raise `Unauthorized` (401).
    AllowTokens {
        /// Accepted values, compared exactly.
        tokens: Vec<String>,
    },
}
