//! Collectors against a real moto server: REST and HTTP APIs created through the SDK, read back.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types::{
    AuthorizerType, GatewayResponseType, IntegrationType, Op, PatchOperation,
};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use corsprobe::aws::evidence::{
    ApiConfiguration, ApiKind, Collected, Evidence, FailureKind, LineKind,
};
use corsprobe::aws::{self, ApiRef, AwsTarget, Window};

use super::harness::{clients, moto, now, sdk_config, unique};

fn target(id: &str, stage: &str) -> AwsTarget {
    AwsTarget {
        api: ApiRef::Id(id.to_string()),
        stage: stage.to_string(),
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: None,
        window: Window {
            start: now() - 3600,
            end: now() + 120,
        },
        request_ids: Vec::new(),
        app_log_groups: Vec::new(),
    }
}

/// Creates the REST fixture: OPTIONS /items (MOCK, the console's empty-template trap), GET /items
/// (Cognito, a 500 response without CORS), GET and POST /items/{id} (Lambda proxy), a DEFAULT_4XX
/// gateway response with CORS, a deployment to `prod` with access logs. Returns (id, name, lambda fn).
pub async fn make_rest_api(c: &aws::Clients, access_group: &str) -> (String, String, String) {
    let gw = &c.apigateway;
    let name = unique("rest");
    let function = unique("items-fn");
    let api = gw
        .create_rest_api()
        .name(&name)
        .send()
        .await
        .expect("create_rest_api");
    let id = api.id().expect("id").to_string();
    let res = gw
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get_resources");
    let root = res
        .items()
        .iter()
        .find(|r| r.path() == Some("/"))
        .and_then(|r| r.id())
        .expect("root")
        .to_string();
    let items = gw
        .create_resource()
        .rest_api_id(&id)
        .parent_id(&root)
        .path_part("items")
        .send()
        .await
        .expect("items");
    let items = items.id().expect("id").to_string();
    let one = gw
        .create_resource()
        .rest_api_id(&id)
        .parent_id(&items)
        .path_part("{id}")
        .send()
        .await
        .expect("{id}");
    let one = one.id().expect("id").to_string();
    let auth = gw
        .create_authorizer()
        .rest_api_id(&id)
        .name("cognito")
        .r#type(AuthorizerType::CognitoUserPools)
        .provider_arns("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc")
        .identity_source("method.request.header.Authorization")
        .send()
        .await
        .expect("authorizer");
    let auth = auth.id().expect("id").to_string();

    let h = |n: &str| format!("method.response.header.Access-Control-Allow-{n}");
    // OPTIONS /items: what console "Enable CORS" creates, including the empty template.
    gw.put_method()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("OPTIONS")
        .authorization_type("NONE")
        .send()
        .await
        .expect("put_method");
    gw.put_integration()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("OPTIONS")
        .r#type(IntegrationType::Mock)
        .request_templates("application/json", "{\"statusCode\": 200}")
        .send()
        .await
        .expect("put_integration");
    gw.put_method_response()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("OPTIONS")
        .status_code("200")
        .response_parameters(h("Origin"), false)
        .response_parameters(h("Methods"), false)
        .response_parameters(h("Headers"), false)
        .send()
        .await
        .expect("put_method_response");
    gw.put_integration_response()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("OPTIONS")
        .status_code("200")
        .response_parameters(h("Origin"), "'https://app.example.com'")
        .response_parameters(h("Methods"), "'GET,OPTIONS'")
        .response_parameters(h("Headers"), "'Content-Type,Authorization'")
        .response_templates("application/json", "")
        .send()
        .await
        .expect("put_integration_response with an empty template (repaired client)");
    // GET /items: Cognito, 200 with CORS, 500 without.
    gw.put_method()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("GET")
        .authorization_type("COGNITO_USER_POOLS")
        .authorizer_id(&auth)
        .send()
        .await
        .expect("put_method GET");
    gw.put_integration()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("GET")
        .r#type(IntegrationType::Mock)
        .send()
        .await
        .expect("integration");
    for status in ["200", "500"] {
        let mut mr = gw
            .put_method_response()
            .rest_api_id(&id)
            .resource_id(&items)
            .http_method("GET")
            .status_code(status);
        if status == "200" {
            mr = mr.response_parameters(h("Origin"), false);
        }
        mr.send().await.expect("method response");
        let mut ir = gw
            .put_integration_response()
            .rest_api_id(&id)
            .resource_id(&items)
            .http_method("GET")
            .status_code(status);
        ir = if status == "200" {
            ir.response_parameters(h("Origin"), "'https://app.example.com'")
        } else {
            ir.selection_pattern("5\\d{2}")
        };
        ir.send().await.expect("integration response");
    }
    // GET and POST /items/{id}: Lambda proxy, no OPTIONS.
    for verb in ["GET", "POST"] {
        gw.put_method()
            .rest_api_id(&id)
            .resource_id(&one)
            .http_method(verb)
            .authorization_type("NONE")
            .send()
            .await
            .expect("put_method");
        gw.put_integration()
            .rest_api_id(&id)
            .resource_id(&one)
            .http_method(verb)
            .r#type(IntegrationType::AwsProxy)
            .integration_http_method("POST")
            .uri(format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"))
            .send()
            .await
            .expect("put_integration proxy");
    }
    gw.put_gateway_response()
        .rest_api_id(&id)
        .response_type(GatewayResponseType::Default4Xx)
        .response_parameters("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")
        .send()
        .await
        .expect("gateway response");
    gw.create_deployment()
        .rest_api_id(&id)
        .stage_name("prod")
        .send()
        .await
        .expect("deployment");
    gw.update_stage()
        .rest_api_id(&id)
        .stage_name("prod")
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Replace)
                .path("/accessLogSettings/destinationArn")
                .value(format!(
                    "arn:aws:logs:us-east-1:123456789012:log-group:{access_group}"
                ))
                .build(),
        )
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Replace)
                .path("/accessLogSettings/format")
                .value("{\"requestId\":\"$context.requestId\"}")
                .build(),
        )
        .send()
        .await
        .expect("update_stage");
    (id, name, function)
}

pub async fn put_lines(c: &aws::Clients, group: &str, lines: &[&str]) {
    c.logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .expect("create_log_group");
    c.logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name("s1")
        .send()
        .await
        .expect("stream");
    let t = now() * 1000 - 60_000;
    let mut req = c
        .logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("s1");
    for (i, l) in lines.iter().enumerate() {
        req = req.log_events(
            InputLogEvent::builder()
                .timestamp(t + i as i64)
                .message(*l)
                .build()
                .expect("event"),
        );
    }
    req.send().await.expect("put_log_events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_rest_api_in_moto_collects_every_step_including_null_templates() {
    let Some(url) = moto() else { return };
    let c = clients(&url).await;
    let access_group = unique("/access");
    let (id, name, function) = make_rest_api(&c, &access_group).await;

    // The trap is real: the SDK without the repair cannot read these resources.
    let plain = aws_sdk_apigateway::Client::new(
        &sdk_config(&url, aws_config::retry::RetryConfig::disabled()).await,
    );
    let err = plain
        .get_resources()
        .rest_api_id(&id)
        .embed("methods")
        .send()
        .await
        .expect_err("dense map trap");
    let text = format!(
        "{}",
        aws_smithy_types::error::display::DisplayErrorContext(&err)
    );
    assert!(
        text.contains("dense map cannot contain null values"),
        "{text}"
    );

    put_lines(&c, &access_group, &[
        r#"{"requestId":"req-probe-1","httpMethod":"OPTIONS","resourcePath":"/items/{id}","status":"403","responseType":"MISSING_AUTHENTICATION_TOKEN"}"#,
        r#"{"requestId":"r2","httpMethod":"GET","resourcePath":"/items","status":"200"}"#,
    ])
    .await;
    put_lines(&c, &format!("API-Gateway-Execution-Logs_{id}/prod"), &[
        "(exec-1) HTTP Method: OPTIONS, Resource Path: /items",
        "(exec-1) Method response headers: {Access-Control-Allow-Origin=https://app.example.com}",
        "(exec-1) Method completed with status: 200",
        "(exec-2) Execution failed due to configuration error: Unable to transform request",
        "(exec-2) Method completed with status: 500",
    ])
    .await;
    put_lines(&c, &format!("/aws/lambda/{function}"), &[
        "Access to fetch at 'https://api.example.com/prod/items' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Access to fetch at 'https://api.example.com/prod/items' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/prod/items. (Reason: CORS header 'Access-Control-Allow-Origin' missing). Status code: 403.",
        "Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 403",
        "INFO handled request",
    ])
    .await;
    let dims = [
        Dimension::builder().name("ApiName").value(&name).build(),
        Dimension::builder().name("Stage").value("prod").build(),
    ];
    let mut put = c.cloudwatch.put_metric_data().namespace("AWS/ApiGateway");
    for (ago, v) in [(300, 0.0), (240, 7.0)] {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("4XXError")
                .set_dimensions(Some(dims.to_vec()))
                .timestamp(aws_smithy_types::DateTime::from_secs(
                    (now() - ago) / 60 * 60,
                ))
                .value(v)
                .build(),
        );
    }
    put.send().await.expect("put_metric_data");

    let mut t = target(&id, "prod");
    t.request_ids = vec!["req-probe-1".into()];
    let ev = aws::collect(&t, &c).await.expect("collect");

    // Step 1.
    let api = ev.existence.api.clone().expect("api");
    assert_eq!(
        (api.kind, api.name.as_deref()),
        (ApiKind::Rest, Some(name.as_str()))
    );
    let stage = ev.existence.stage.value().expect("stage");
    assert!(stage.deployment_id.is_some());
    assert_eq!(
        stage
            .access_log
            .as_ref()
            .and_then(|a| a.destination_arn.clone()),
        Some(format!(
            "arn:aws:logs:us-east-1:123456789012:log-group:{access_group}"
        ))
    );
    assert!(
        matches!(ev.existence.health, Collected::NotCollected { .. }),
        "moto has no Health API"
    );

    // Steps 2, 5, 6.
    let Some(ApiConfiguration::Rest(rest)) = ev.configuration.value() else {
        panic!("REST configuration: {:?}", ev.configuration)
    };
    let paths: Vec<&str> = rest.resources.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/", "/items", "/items/{id}"]);
    let items = &rest.resources[1];
    assert!(items.has_options);
    assert!(!rest.resources[2].has_options);
    let options = items
        .methods
        .iter()
        .find(|m| m.http_method == "OPTIONS")
        .expect("OPTIONS");
    let ir = &options
        .integration
        .as_ref()
        .expect("integration")
        .integration_responses[0];
    assert_eq!(
        ir.response_templates,
        BTreeMap::from([("application/json".to_string(), String::new())]),
        "null read as empty"
    );
    assert_eq!(
        ir.response_parameters
            .get("method.response.header.Access-Control-Allow-Origin")
            .map(String::as_str),
        Some("'https://app.example.com'")
    );
    let get = items
        .methods
        .iter()
        .find(|m| m.http_method == "GET")
        .expect("GET");
    assert_eq!(
        get.authorization_type.as_deref(),
        Some("COGNITO_USER_POOLS")
    );
    assert!(get.authorizer_id.is_some());
    let gr = rest.gateway_responses.value().expect("gateway responses");
    assert!(gr.iter().any(|g| g.response_type == "DEFAULT_4XX"
        && g.response_parameters
            .get("gatewayresponse.header.Access-Control-Allow-Origin")
            .map(String::as_str)
            == Some("'*'")));
    assert_eq!(rest.authorizers.value().map(Vec::len), Some(1));
    let mc = ev.method_cors.value().expect("method cors");
    let get_cors = mc
        .iter()
        .find(|m| m.path == "/items" && m.http_method == "GET")
        .expect("GET /items");
    assert_eq!(get_cors.missing_allow_origin_on, vec!["500"]);
    assert!(mc
        .iter()
        .find(|m| m.path == "/items/{id}")
        .is_some_and(|m| m.headers_from_backend));

    // Step 3: access logs, with the probe's own request.
    let access = ev.access_logs.value().expect("access logs");
    assert_eq!(access.counts.get("Preflight"), Some(&1));
    assert_eq!(access.counts.get("GatewayResponse"), Some(&1));
    assert_eq!(access.probe_lines.get("req-probe-1").map(Vec::len), Some(1));

    // Step 4: metrics.
    let metrics = ev.metrics.value().expect("metrics");
    assert_eq!(metrics.dimensions.get("ApiName"), Some(&name));
    assert!(
        metrics
            .error_rises
            .iter()
            .any(|r| r.metric_name == "4XXError" && r.value == 7.0),
        "{metrics:?}"
    );

    // Step 7: application logs of the Lambda integration, console errors grouped.
    assert_eq!(ev.application_logs.len(), 1);
    let app = ev.application_logs[0].value().expect("application logs");
    let chromium = app
        .console_errors
        .iter()
        .find(|g| g.browser == "chromium")
        .expect("chromium");
    assert_eq!(
        (chromium.count, chromium.origin.as_deref()),
        (2, Some("https://app.example.com"))
    );
    assert!(app.console_errors.iter().any(|g| g.browser == "firefox"));
    assert!(app.console_errors.iter().any(|g| g.browser == "safari"));
    assert_eq!(app.lines.len(), 4, "the unrelated line is not kept");

    // Step 8: deployment; moto's export has no integration extensions.
    let dep = ev.deployment.value().expect("deployment");
    assert_eq!(
        dep.stage_deployment.value().map(|d| d.id.clone()),
        stage.deployment_id.clone()
    );
    assert_eq!(
        dep.export.value().map(|e| e.has_integration_extensions),
        Some(false)
    );

    // Step 9: execution logs.
    let exec = ev.execution_logs.value().expect("execution logs");
    assert!(exec
        .lines
        .iter()
        .any(|l| l.kinds.contains(&LineKind::CorsHeaders)
            && l.request_id.as_deref() == Some("exec-1")));
    assert!(exec
        .lines
        .iter()
        .any(|l| l.kinds.contains(&LineKind::ExecutionFailure)));

    // CloudTrail: moto has no LookupEvents.
    match &ev.cloudtrail {
        Collected::NotCollected { why } => assert_eq!(why.kind, FailureKind::NotSupported),
        other => panic!("{other:?}"),
    }

    // Routes.
    let routes: Vec<(String, String)> = ev
        .routes
        .value()
        .expect("routes")
        .iter()
        .map(|r| (r.method.clone(), r.sample_path.clone()))
        .collect();
    assert_eq!(
        routes,
        [
            ("GET".into(), "/items".into()),
            ("GET".into(), "/items/1".into()),
            ("POST".into(), "/items/1".into())
        ]
    );

    assert!(
        !ev.window.extended,
        "errors rose: the window stays one hour"
    );

    // The JSON contract round-trips.
    let json = serde_json::to_string(&ev).expect("json");
    assert_eq!(serde_json::from_str::<Evidence>(&json).expect("parse"), ev);
}

/// Creates the HTTP API fixture: CORS with credentials, a JWT authorizer, `GET /items/{id}` and
/// `$default` behind it, an unauthenticated `OPTIONS /items/{id}`, a `$default` auto-deploy stage.
pub async fn make_http_api(c: &aws::Clients) -> String {
    use aws_sdk_apigatewayv2::types::{
        AuthorizationType, AuthorizerType, Cors, IntegrationType, JwtConfiguration, ProtocolType,
    };
    let v2 = &c.apigatewayv2;
    let api = v2
        .create_api()
        .name(unique("http"))
        .protocol_type(ProtocolType::Http)
        .cors_configuration(
            Cors::builder()
                .allow_origins("https://app.example.com")
                .allow_methods("GET")
                .allow_headers("authorization")
                .expose_headers("x-request-id")
                .allow_credentials(true)
                .max_age(600)
                .build(),
        )
        .send()
        .await
        .expect("create_api");
    let id = api.api_id().expect("id").to_string();
    let auth = v2
        .create_authorizer()
        .api_id(&id)
        .name("jwt")
        .authorizer_type(AuthorizerType::Jwt)
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            JwtConfiguration::builder()
                .audience("aud")
                .issuer("https://issuer.example.com")
                .build(),
        )
        .send()
        .await
        .expect("authorizer");
    let auth = auth.authorizer_id().expect("id").to_string();
    let integ = v2
        .create_integration()
        .api_id(&id)
        .integration_type(IntegrationType::AwsProxy)
        .integration_uri("arn:aws:lambda:us-east-1:123456789012:function:http-fn")
        .payload_format_version("2.0")
        .send()
        .await
        .expect("integration");
    let target = format!("integrations/{}", integ.integration_id().expect("id"));
    for (key, jwt) in [
        ("GET /items/{id}", true),
        ("OPTIONS /items/{id}", false),
        ("$default", true),
    ] {
        let mut r = v2.create_route().api_id(&id).route_key(key).target(&target);
        r = if jwt {
            r.authorization_type(AuthorizationType::Jwt)
                .authorizer_id(&auth)
        } else {
            r.authorization_type(AuthorizationType::None)
        };
        r.send().await.expect("route");
    }
    v2.create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .expect("stage");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_http_api_in_moto_collects_cors_routes_and_authorizers() {
    let Some(url) = moto() else { return };
    let c = clients(&url).await;
    let id = make_http_api(&c).await;
    let ev = aws::collect(&target(&id, "$default"), &c)
        .await
        .expect("collect");

    assert_eq!(
        ev.existence.api.as_ref().map(|a| a.kind),
        Some(ApiKind::Http)
    );
    assert_eq!(
        ev.existence.stage.value().and_then(|s| s.auto_deploy),
        Some(true)
    );
    let Some(ApiConfiguration::Http(http)) = ev.configuration.value() else {
        panic!("{:?}", ev.configuration)
    };
    let cors = http.cors.value().expect("cors");
    assert_eq!(cors.allow_origins, ["https://app.example.com"]);
    assert_eq!(
        (cors.allow_credentials, cors.max_age),
        (Some(true), Some(600))
    );
    assert_eq!(cors.expose_headers, ["x-request-id"]);
    let keys: Vec<&str> = http
        .routes
        .value()
        .expect("routes")
        .iter()
        .map(|r| r.route_key.as_str())
        .collect();
    assert_eq!(keys, ["$default", "GET /items/{id}", "OPTIONS /items/{id}"]);
    // moto has no GetAuthorizers: read one by one through the routes' ids.
    let auths = http.authorizers.value().expect("authorizers");
    assert_eq!(
        auths[0].jwt_issuer.as_deref(),
        Some("https://issuer.example.com")
    );
    assert_eq!(auths[0].authorizer_type.as_deref(), Some("JWT"));
    // moto has no HTTP API deployments.
    let dep = ev.deployment.value().expect("deployment");
    assert!(matches!(dep.deployments, Collected::NotCollected { .. }));
    assert!(matches!(ev.execution_logs, Collected::Absent { .. }));
    assert!(matches!(ev.method_cors, Collected::Absent { .. }));
    let metrics = ev.metrics.value().expect("metrics");
    assert_eq!(metrics.dimensions.get("ApiId"), Some(&id));
    assert_eq!(
        metrics
            .series
            .iter()
            .map(|s| s.metric_name.as_str())
            .collect::<Vec<_>>(),
        ["4xx", "5xx", "Count"]
    );
    let routes: Vec<(String, String, String)> = ev
        .routes
        .value()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path_template.clone(),
                r.sample_path.clone(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("ANY".into(), "$default".into(), "/".into()),
            ("GET".into(), "/items/{id}".into(), "/items/1".into())
        ]
    );
    assert_eq!(
        ev.application_logs.len(),
        1,
        "the Lambda integration's group is read"
    );
    assert!(
        ev.window.extended,
        "nothing correlated: the runbook's 2-hour extension applies"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_unknown_api_in_moto_is_no_such_api() {
    let Some(url) = moto() else { return };
    let c = clients(&url).await;
    match aws::collect(&target("doesnotexist", "prod"), &c).await {
        Err(aws::CollectError::NoSuchApi { api, .. }) => assert_eq!(api, "doesnotexist"),
        other => panic!("{other:?}"),
    }
}
