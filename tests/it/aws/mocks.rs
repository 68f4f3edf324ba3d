//! Collectors against a recording loopback mock, for what moto lacks: CloudTrail lookups, HTTP
//! API deployments and authorizer listing, advanced log filter patterns, and AWS's error paths
//! (AccessDenied, throttling, expired credentials).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use corsprobe::aws::evidence::{ApiConfiguration, Collected, FailureKind};
use corsprobe::aws::{self, cloudtrail, cloudwatchlogs, ApiRef, AwsTarget, Window};
use serde_json::json;

use super::harness::{clients, now, sdk_config, MockAws, MockResponse};

fn target(id: &str) -> AwsTarget {
    AwsTarget {
        api: ApiRef::Id(id.into()),
        stage: "prod".into(),
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: None,
        window: Window {
            start: now() - 3600,
            end: now(),
        },
        request_ids: Vec::new(),
        app_log_groups: Vec::new(),
    }
}

fn trail_event(
    name: &str,
    api_key: &str,
    api: &str,
    at: i64,
    read_only: bool,
) -> serde_json::Value {
    let detail = json!({
        "eventName": name,
        "readOnly": read_only,
        "userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice"},
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "aws-cli/2",
        "requestParameters": {api_key: api},
    });
    json!({
        "EventId": format!("{name}-{at}"),
        "EventName": name,
        "ReadOnly": if read_only { "true" } else { "false" },
        "EventTime": at,
        "EventSource": "apigateway.amazonaws.com",
        "Username": "alice",
        "CloudTrailEvent": detail.to_string(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_cloudtrail_lookup_pages_and_keeps_this_apis_writes() {
    let t0 = now() - 1200;
    let mock = MockAws::start(move |req| {
        assert_eq!(req.method, "POST");
        assert_eq!(req.header("x-amz-target"), Some("CloudTrail_20131101.LookupEvents"));
        if req.text().contains("\"NextToken\":\"p2\"") {
            MockResponse::json(200, json!({"Events": [trail_event("DeleteGatewayResponse", "restApiId", "abc123", t0 + 300, false)]}))
        } else {
            MockResponse::json(200, json!({"NextToken": "p2", "Events": [
                trail_event("PutIntegrationResponse", "restApiId", "abc123", t0 + 100, false),
                trail_event("GetRestApi", "restApiId", "abc123", t0 + 150, true),
                trail_event("UpdateStage", "restApiId", "other99", t0 + 160, false),
                trail_event("CreateDeployment", "restApiId", "abc123", t0, false),
            ]}))
        }
    })
    .await;
    let c = clients(&mock.url).await;
    let got = cloudtrail::collect(
        &c,
        "abc123",
        Window {
            start: now() - 3600,
            end: now(),
        },
    )
    .await;
    let trail = got.value().expect("present");
    let names: Vec<&str> = trail.events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CreateDeployment",
            "PutIntegrationResponse",
            "DeleteGatewayResponse"
        ]
    );
    assert!(trail
        .events
        .iter()
        .all(|e| e.cors_relevant && e.username.as_deref() == Some("alice")));
    assert_eq!(
        trail.events[0].user_arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!((trail.other_api_events, trail.pages), (1, 2));
    let reqs = mock.received();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json body");
        assert_eq!(
            body["LookupAttributes"],
            json!([{"AttributeKey": "EventSource", "AttributeValue": "apigateway.amazonaws.com"}])
        );
        assert_eq!(body["MaxResults"], json!(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_cloudtrail_throttled_once_retries_with_backoff() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockAws::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            MockResponse::error(400, "ThrottlingException", "Rate exceeded")
        } else {
            MockResponse::json(200, json!({"Events": [trail_event("CreateDeployment", "restApiId", "abc123", now() - 60, false)]}))
        }
    })
    .await;
    let retry = RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5));
    let c = aws::Clients::from_sdk_config(&sdk_config(&mock.url, retry).await);
    let got = cloudtrail::collect(
        &c,
        "abc123",
        Window {
            start: now() - 3600,
            end: now(),
        },
    )
    .await;
    assert_eq!(got.value().map(|t| t.events.len()), Some(1), "{got:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_cloudtrail_throttled_always_is_not_collected_throttled() {
    let mock =
        MockAws::start(|_| MockResponse::error(400, "ThrottlingException", "Rate exceeded")).await;
    let retry = RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(5));
    let c = aws::Clients::from_sdk_config(&sdk_config(&mock.url, retry).await);
    match cloudtrail::collect(
        &c,
        "abc123",
        Window {
            start: now() - 3600,
            end: now(),
        },
    )
    .await
    {
        Collected::NotCollected { why } => assert_eq!(why.kind, FailureKind::Throttled),
        other => panic!("{other:?}"),
    }
}

/// A REST API whose resources the caller may not read: the run goes on, and the gap says which
/// permission is missing on which ARN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_access_denied_on_resources_is_not_collected_with_the_permission() {
    let mock = MockAws::start(|req| {
        let path = req.path.split('?').next().unwrap_or_default();
        match path {
            "/restapis/abc" => MockResponse::json(200, json!({"id": "abc", "name": "shop"})),
            "/restapis/abc/resources" => {
                MockResponse::error(403, "AccessDeniedException", "User is not authorized")
            }
            "/restapis/abc/stages/prod" => {
                MockResponse::json(200, json!({"stageName": "prod", "deploymentId": "d1"}))
            }
            _ => MockResponse::error(404, "NotFoundException", "nope"),
        }
    })
    .await;
    let c = clients(&mock.url).await;
    let ev = aws::collect(&target("abc"), &c)
        .await
        .expect("partial evidence");
    match &ev.configuration {
        Collected::NotCollected { why } => {
            assert_eq!(why.kind, FailureKind::MissingPermission);
            assert_eq!(why.message, "missing permission apigateway:GET on arn:aws:apigateway:us-east-1::/restapis/abc/resources");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ev.existence
            .stage
            .value()
            .and_then(|s| s.deployment_id.clone())
            .as_deref(),
        Some("d1")
    );
    assert!(matches!(ev.routes, Collected::NotCollected { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_expired_credentials_cannot_look_up_the_api() {
    let mock = MockAws::start(|_| {
        MockResponse::error(
            403,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
    })
    .await;
    let c = clients(&mock.url).await;
    match aws::collect(&target("abc"), &c).await {
        Err(aws::CollectError::Lookup(f)) => {
            assert_eq!(f.kind, FailureKind::Credentials);
            assert!(f.message.contains("expired"), "{}", f.message);
        }
        other => panic!("{other:?}"),
    }
}

/// What moto lacks for HTTP APIs: GetAuthorizers and deployments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_http_api_deployments_and_authorizer_list_from_mock() {
    let mock = MockAws::start(|req| {
        let path = req.path.split('?').next().unwrap_or_default();
        match path {
            "/v2/apis/h1" => MockResponse::json(200, json!({"apiId": "h1", "name": "web", "protocolType": "HTTP",
                "corsConfiguration": {"allowOrigins": ["https://app.example.com"], "allowCredentials": false}})),
            "/v2/apis/h1/routes" => MockResponse::json(200, json!({"items": [
                {"routeId": "r1", "routeKey": "ANY /{proxy+}", "authorizationType": "JWT", "authorizerId": "a1", "target": "integrations/i1"}]})),
            "/v2/apis/h1/integrations" => MockResponse::json(200, json!({"items": [
                {"integrationId": "i1", "integrationType": "HTTP_PROXY", "integrationUri": "https://backend.example.com"}]})),
            "/v2/apis/h1/authorizers" => MockResponse::json(200, json!({"items": [
                {"authorizerId": "a1", "name": "jwt", "authorizerType": "JWT", "identitySource": ["$request.header.Authorization"],
                 "jwtConfiguration": {"issuer": "https://issuer.example.com", "audience": ["aud"]}}]})),
            "/v2/apis/h1/stages/prod" => MockResponse::json(200, json!({"stageName": "prod", "deploymentId": "d2", "autoDeploy": false})),
            "/v2/apis/h1/deployments" => MockResponse::json(200, json!({"items": [
                {"deploymentId": "d1", "createdDate": "2026-11-20T10:00:00Z", "deploymentStatus": "DEPLOYED"},
                {"deploymentId": "d2", "createdDate": "2026-11-21T10:00:00Z", "deploymentStatus": "DEPLOYED"},
                {"deploymentId": "d3", "createdDate": "2026-11-22T10:00:00Z", "deploymentStatus": "DEPLOYED"}]})),
            "/v2/apis/h1/deployments/d2" => MockResponse::json(200, json!({"deploymentId": "d2", "createdDate": "2026-11-21T10:00:00Z", "deploymentStatus": "DEPLOYED"})),
            _ => MockResponse::error(404, "NotFoundException", "nope"),
        }
    })
    .await;
    let c = clients(&mock.url).await;
    let ev = aws::collect(&target("h1"), &c).await.expect("evidence");
    let Some(ApiConfiguration::Http(http)) = ev.configuration.value() else {
        panic!("{:?}", ev.configuration)
    };
    assert_eq!(
        http.authorizers.value().map(|a| a[0].jwt_audience.clone()),
        Some(vec!["aud".to_string()])
    );
    let dep = ev.deployment.value().expect("deployment");
    assert_eq!(
        dep.stage_deployment.value().map(|d| d.id.as_str()),
        Some("d2")
    );
    assert_eq!(dep.newer_than_stage, ["d3"]);
    assert_eq!(dep.deployments.value().map(Vec::len), Some(3));
    let r = &ev.routes.value().expect("routes")[0];
    assert_eq!(
        (r.method.as_str(), r.sample_path.as_str()),
        ("ANY", "/corsprobe/sample")
    );
}

/// Application logs are narrowed server-side with an OR pattern (which moto does not implement)
/// and the probe's own request ids with a quoted-term pattern.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_log_filter_patterns_are_sent_and_lines_classified() {
    let mock = MockAws::start(|req| {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let pattern = body["filterPattern"].as_str().unwrap_or_default().to_string();
        let events = if pattern.starts_with("?\"req-") {
            json!([{"timestamp": 1_700_000_000_000i64, "logStreamName": "s", "message": "{\"requestId\":\"req-2\",\"status\":\"403\"}"}])
        } else {
            json!([{"timestamp": 1_700_000_000_000i64, "logStreamName": "s",
                    "message": "Access to XMLHttpRequest at 'https://api.example.com/x' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."}])
        };
        MockResponse::json(200, json!({"events": events}))
    })
    .await;
    let c = clients(&mock.url).await;
    let ids = vec!["req-1".to_string(), "req-2".to_string()];
    let got = cloudwatchlogs::scan_group(
        &c.logs,
        "frontend-console".into(),
        "--log-group".into(),
        Some(cloudwatchlogs::CONSOLE_PATTERN.into()),
        Window {
            start: 1_699_999_000,
            end: 1_700_000_100,
        },
        &ids,
    )
    .await;
    let f = got.value().expect("present");
    assert_eq!(
        f.console_errors[0].origin.as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(
        f.console_errors[0].url.as_deref(),
        Some("https://api.example.com/x")
    );
    assert_eq!(f.probe_lines.get("req-2").map(Vec::len), Some(1));
    let patterns: Vec<String> = mock
        .received()
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap_or_default()
                ["filterPattern"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        patterns,
        [
            cloudwatchlogs::CONSOLE_PATTERN.to_string(),
            "?\"req-1\" ?\"req-2\"".to_string()
        ]
    );
    let first: serde_json::Value =
        serde_json::from_slice(&mock.received()[0].body).unwrap_or_default();
    assert_eq!(
        (first["startTime"].as_i64(), first["endTime"].as_i64()),
        (Some(1_699_999_000_000), Some(1_700_000_100_000))
    );
}
