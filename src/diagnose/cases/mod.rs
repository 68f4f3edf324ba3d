//! The catalogue: one file per diagnosis case, each a stable code and a `check` over the
//! [`Context`]. Codes `CP001`…`CP008` are the runbook's Diagnosis cases 1–7 and its fallback;
//! `CP101`… go beyond the runbook (aws-and-peers.md §A.6, §C). Codes are never reused.
//!
//! Every case file starts with a doc comment in the same sections: what it finds, why the
//! browser blocks, typical AWS causes, evidence used, the fix, references.

use super::context::Context;
use super::finding::{CaseMeta, Finding};

pub mod cp001_error_rise;
pub mod cp002_missing_options;
pub mod cp003_deployment_changed_cors;
pub mod cp004_origin_not_allowed;
pub mod cp005_preflight_incomplete;
pub mod cp006_method_missing_cors;
pub mod cp007_credentials;
pub mod cp101_gateway_response;
pub mod cp102_authorizer_on_options;
pub mod cp103_api_key_on_options;
pub mod cp104_not_deployed;
pub mod cp105_lambda_proxy_headers;
pub mod cp106_duplicate_allow_origin;
pub mod cp107_origins_in_one_header;
pub mod cp108_binary_media_types;
pub mod cp109_mock_template;
pub mod cp110_http_route_authorizer;
pub mod cp111_wildcard_credentials;
pub mod cp112_route_or_stage_missing;
pub mod cp113_origin_near_miss;
pub mod cp114_stale_preflight_cache;
pub mod fallback;

/// A case: its identity and its check.
#[derive(Clone, Copy)]
pub struct Case {
    /// Code, name, runbook case.
    pub meta: CaseMeta,
    /// The check (pure).
    pub check: fn(&Context<'_>) -> Vec<Finding>,
}

/// Every case but the fallback (which runs last, over what no other case explained).
pub const ALL: &[Case] = &[
    Case {
        meta: cp001_error_rise::META,
        check: cp001_error_rise::check,
    },
    Case {
        meta: cp002_missing_options::META,
        check: cp002_missing_options::check,
    },
    Case {
        meta: cp003_deployment_changed_cors::META,
        check: cp003_deployment_changed_cors::check,
    },
    Case {
        meta: cp004_origin_not_allowed::META,
        check: cp004_origin_not_allowed::check,
    },
    Case {
        meta: cp005_preflight_incomplete::META,
        check: cp005_preflight_incomplete::check,
    },
    Case {
        meta: cp006_method_missing_cors::META,
        check: cp006_method_missing_cors::check,
    },
    Case {
        meta: cp007_credentials::META,
        check: cp007_credentials::check,
    },
    Case {
        meta: cp101_gateway_response::META,
        check: cp101_gateway_response::check,
    },
    Case {
        meta: cp102_authorizer_on_options::META,
        check: cp102_authorizer_on_options::check,
    },
    Case {
        meta: cp103_api_key_on_options::META,
        check: cp103_api_key_on_options::check,
    },
    Case {
        meta: cp104_not_deployed::META,
        check: cp104_not_deployed::check,
    },
    Case {
        meta: cp105_lambda_proxy_headers::META,
        check: cp105_lambda_proxy_headers::check,
    },
    Case {
        meta: cp106_duplicate_allow_origin::META,
        check: cp106_duplicate_allow_origin::check,
    },
    Case {
        meta: cp107_origins_in_one_header::META,
        check: cp107_origins_in_one_header::check,
    },
    Case {
        meta: cp108_binary_media_types::META,
        check: cp108_binary_media_types::check,
    },
    Case {
        meta: cp109_mock_template::META,
        check: cp109_mock_template::check,
    },
    Case {
        meta: cp110_http_route_authorizer::META,
        check: cp110_http_route_authorizer::check,
    },
    Case {
        meta: cp111_wildcard_credentials::META,
        check: cp111_wildcard_credentials::check,
    },
    Case {
        meta: cp112_route_or_stage_missing::META,
        check: cp112_route_or_stage_missing::check,
    },
    Case {
        meta: cp113_origin_near_miss::META,
        check: cp113_origin_near_miss::check,
    },
    Case {
        meta: cp114_stale_preflight_cache::META,
        check: cp114_stale_preflight_cache::check,
    },
];

/// Every case's identity, the fallback included, in code order (for documentation and tests).
pub fn catalogue() -> Vec<CaseMeta> {
    let mut v: Vec<CaseMeta> = ALL.iter().map(|c| c.meta).collect();
    v.push(fallback::META);
    v.sort_by_key(|m| m.code);
    v
}

/// The CORS error of an observation, or "".
pub(crate) fn err(o: &super::Observation) -> &str {
    o.cors_error.as_deref().unwrap_or("")
}

/// `aws apigateway create-deployment` for the context's API and stage.
pub(crate) fn redeploy_cli(cx: &Context<'_>) -> String {
    format!(
        "aws apigateway create-deployment --rest-api-id {} --stage-name {}",
        cx.api_id(),
        cx.stage()
    )
}

/// The OPTIONS method the console's "Enable CORS" creates, as AWS CLI calls.
pub(crate) fn enable_cors_cli(cx: &Context<'_>, resource_id: &str, origin: &str) -> String {
    let api = cx.api_id();
    format!(
        "aws apigateway put-method --rest-api-id {api} --resource-id {resource_id} --http-method OPTIONS --authorization-type NONE\n\
         aws apigateway put-method-response --rest-api-id {api} --resource-id {resource_id} --http-method OPTIONS --status-code 200 --response-parameters '{{\"method.response.header.Access-Control-Allow-Origin\":false,\"method.response.header.Access-Control-Allow-Methods\":false,\"method.response.header.Access-Control-Allow-Headers\":false}}'\n\
         aws apigateway put-integration --rest-api-id {api} --resource-id {resource_id} --http-method OPTIONS --type MOCK --request-templates '{{\"application/json\":\"{{\\\"statusCode\\\": 200}}\"}}'\n\
         aws apigateway put-integration-response --rest-api-id {api} --resource-id {resource_id} --http-method OPTIONS --status-code 200 --response-parameters '{{\"method.response.header.Access-Control-Allow-Origin\":\"'\"'\"'{origin}'\"'\"'\",\"method.response.header.Access-Control-Allow-Methods\":\"'\"'\"'GET,POST,PUT,PATCH,DELETE,OPTIONS'\"'\"'\",\"method.response.header.Access-Control-Allow-Headers\":\"'\"'\"'Content-Type,Authorization,X-Api-Key'\"'\"'\"}}'\n\
         {}",
        redeploy_cli(cx)
    )
}

/// The first page origin of a finding's requests, for fix commands.
pub(crate) fn first_origin(f: &Finding) -> String {
    f.origins
        .iter()
        .min()
        .cloned()
        .unwrap_or_else(|| "https://app.example.com".into())
}
