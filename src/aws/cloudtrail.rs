//! Diagnosis 3: who changed the API when, from CloudTrail `LookupEvents` through
//! `aws-sdk-cloudtrail`.
//!
//! One lookup attribute is allowed per call, so the query is `EventSource =
//! apigateway.amazonaws.com` over the window, and events are kept client-side when their request
//! parameters name this API (`restApiId` for REST, `apiId` for HTTP). `LookupEvents` allows 2
//! requests per second per account and region: pages are paced ([`Clients::cloudtrail_pause`])
//! and throttling retries with the SDK's backoff. It must not judge the changes.

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

use super::evidence::{ApiChangeEvent, CloudTrailEvidence, Collected};
use super::{classify, rfc3339, Clients, Window};

/// Pages read at most (50 events each).
pub const MAX_PAGES: u32 = 40;

/// Event names that can add, remove or break CORS, or change what is live.
pub const CORS_RELEVANT_EVENTS: &[&str] = &[
    // REST methods and integrations.
    "PutMethod",
    "UpdateMethod",
    "DeleteMethod",
    "PutMethodResponse",
    "UpdateMethodResponse",
    "DeleteMethodResponse",
    "PutIntegration",
    "UpdateIntegration",
    "DeleteIntegration",
    "PutIntegrationResponse",
    "UpdateIntegrationResponse",
    "DeleteIntegrationResponse",
    // Gateway responses.
    "PutGatewayResponse",
    "UpdateGatewayResponse",
    "DeleteGatewayResponse",
    // Structure.
    "CreateResource",
    "DeleteResource",
    "UpdateResource",
    "PutRestApi",
    "ImportRestApi",
    "UpdateRestApi",
    "CreateAuthorizer",
    "UpdateAuthorizer",
    "DeleteAuthorizer",
    // What is live.
    "CreateDeployment",
    "UpdateStage",
    "CreateStage",
    "DeleteStage",
    "CreateBasePathMapping",
    "UpdateBasePathMapping",
    "DeleteBasePathMapping",
    // HTTP APIs.
    "UpdateApi",
    "DeleteCorsConfiguration",
    "ImportApi",
    "ReimportApi",
    "CreateRoute",
    "UpdateRoute",
    "DeleteRoute",
    "CreateApiMapping",
    "UpdateApiMapping",
    "DeleteApiMapping",
];

/// Reads the API Gateway write events about `api_id` in the window, oldest first.
pub async fn collect(
    clients: &Clients,
    api_id: &str,
    window: Window,
) -> Collected<CloudTrailEvidence> {
    let attr = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventSource)
        .attribute_value("apigateway.amazonaws.com")
        .build();
    let attr = match attr {
        Ok(a) => a,
        Err(e) => return Collected::not_collected(super::Failure::other(e.to_string())),
    };
    let mut ev = CloudTrailEvidence::default();
    let mut token: Option<String> = None;
    loop {
        if ev.pages > 0 {
            tokio::time::sleep(clients.cloudtrail_pause).await;
        }
        let page = clients
            .cloudtrail
            .lookup_events()
            .lookup_attributes(attr.clone())
            .start_time(window.start_time())
            .end_time(window.end_time())
            .max_results(50)
            .set_next_token(token.clone())
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                return Collected::not_collected(classify(&e, "cloudtrail:LookupEvents", "*"))
            }
        };
        ev.pages += 1;
        for e in page.events() {
            let detail: serde_json::Value = e
                .cloud_trail_event()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(serde_json::Value::Null);
            if e.read_only() == Some("true")
                || detail.get("readOnly").and_then(|r| r.as_bool()) == Some(true)
            {
                continue;
            }
            let params = detail
                .get("requestParameters")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let about = ["restApiId", "apiId"]
                .iter()
                .any(|k| params.get(*k).and_then(|v| v.as_str()) == Some(api_id));
            if !about {
                ev.other_api_events += 1;
                continue;
            }
            let name = e.event_name().unwrap_or_default().to_string();
            ev.events.push(ApiChangeEvent {
                event_time: e.event_time().map(rfc3339).unwrap_or_default(),
                cors_relevant: CORS_RELEVANT_EVENTS.contains(&name.as_str()),
                event_name: name,
                event_id: e.event_id().map(str::to_string),
                username: e.username().map(str::to_string),
                user_arn: detail
                    .pointer("/userIdentity/arn")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                source_ip: detail
                    .get("sourceIPAddress")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                user_agent: detail
                    .get("userAgent")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                error_code: detail
                    .get("errorCode")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                request_parameters: params,
            });
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
        if ev.pages >= MAX_PAGES {
            ev.truncated = true;
            break;
        }
    }
    ev.events.sort_by(|a, b| a.event_time.cmp(&b.event_time));
    if ev.events.is_empty() {
        return Collected::absent("no API Gateway write events about this API in the window (CloudTrail delivers within about 5 minutes)");
    }
    Collected::present(ev)
}
