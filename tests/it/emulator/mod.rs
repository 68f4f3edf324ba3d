//! The API Gateway emulator over real loopback HTTP: the demo's behaviours line by line, and
//! behaviours that must follow from the configuration model (gateway responses, deployments).

mod client;

use std::net::SocketAddr;

use corsprobe::apigw::rest::{GatewayResponse, Integration, IntegrationType, Method};
use corsprobe::apigw::{
    Api, CorsConfiguration, Emulation, GatewayResponseType, HostedApi, HttpApi, RestApi,
};
use corsprobe::emulator::demo::{demo_routes, DEMO_ORIGIN};
use corsprobe::emulator::{serve, serve_demo, EmulatorError, EmulatorHandle};

use client::{preflight, request, send, Conn};

const O: &str = DEMO_ORIGIN;

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn demo() -> EmulatorHandle {
    serve_demo(loopback())
        .await
        .expect("demo emulator starts on loopback")
}

fn post_json(path: &str, origin: &str) -> String {
    request(
        "POST",
        path,
        &[
            ("Origin", origin),
            ("Content-Type", "application/json"),
            ("Content-Length", "2"),
        ],
    ) + "{}"
}

#[tokio::test]
async fn emulator_demo_routes_answer_with_the_documented_statuses() {
    let emu = demo().await;
    let mut conn = Conn::open(emu.addr).await;
    for route in demo_routes() {
        let names: Vec<&str> = route.request_headers.iter().map(|(k, _)| *k).collect();
        if let Some(expected) = route.preflight_status {
            let reply = conn
                .send(&preflight(route.path, route.origin, route.method, &names))
                .await;
            assert_eq!(
                reply.status, expected,
                "preflight {} {}: {reply:?}",
                route.path, route.reproduces
            );
        }
        if let Some(expected) = route.actual_status {
            let mut headers: Vec<(&str, &str)> = vec![("Origin", route.origin)];
            headers.extend_from_slice(route.request_headers);
            if route.credentials == "include" {
                headers.push(("Cookie", "session=demo"));
            }
            let reply = conn
                .send(&request(route.method, route.path, &headers))
                .await;
            assert_eq!(
                reply.status, expected,
                "{} {} {}: {reply:?}",
                route.method, route.path, route.reproduces
            );
        }
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_rest_missing_options_is_403_missing_authentication_token_without_cors() {
    let emu = demo().await;
    let reply = send(
        emu.addr,
        &preflight("/rest/prod/no-options", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.body, r#"{"message":"Missing Authentication Token"}"#);
    assert_eq!(
        reply.one("x-amzn-ErrorType"),
        Some("MissingAuthenticationTokenException")
    );
    assert_eq!(reply.one("Content-Type"), Some("application/json"));
    assert_eq!(reply.one("x-amzn-RequestId").map(str::len), Some(36));
    assert!(reply
        .one("x-amz-apigw-id")
        .is_some_and(|v| v.ends_with('=')));
    assert!(reply.one("Date").is_some_and(|d| d.ends_with(" GMT")));
    assert_eq!(reply.all("Access-Control-Allow-Origin"), Vec::<&str>::new());
    // Unknown stage and unknown API are answered the same way.
    for path in ["/rest/dev/healthy", "/nosuchapi/prod/x", "/"] {
        let reply = send(emu.addr, &request("GET", path, &[("Origin", O)])).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (403, r#"{"message":"Missing Authentication Token"}"#),
            "{path}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_rest_mock_options_maps_static_literals_without_quotes() {
    let emu = demo().await;
    let reply = send(
        emu.addr,
        &preflight("/rest/prod/healthy", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.one("Access-Control-Allow-Origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        reply.one("Access-Control-Allow-Methods"),
        Some("GET,POST,OPTIONS")
    );
    assert_eq!(
        reply.one("Access-Control-Allow-Headers"),
        Some("Content-Type,Authorization,X-Api-Key")
    );
    assert_eq!(reply.one("x-amzn-ErrorType"), None);
    let multi = send(
        emu.addr,
        &preflight("/rest/prod/multi-origin", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(
        multi.one("Access-Control-Allow-Origin"),
        Some("https://app.example.com,https://admin.example.com")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_rest_proxy_returns_backend_headers_including_duplicates() {
    let emu = demo().await;
    let reply = send(
        emu.addr,
        &request("GET", "/rest/prod/double-origin", &[("Origin", O)]),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.all("access-control-allow-origin"),
        vec!["*", "https://app.example.com"]
    );
    let forgot = send(emu.addr, &post_json("/rest/prod/forgot-headers", O)).await;
    assert_eq!(forgot.status, 200);
    assert_eq!(
        forgot.all("access-control-allow-origin"),
        Vec::<&str>::new()
    );
    let wildcard = send(
        emu.addr,
        &request("GET", "/rest/prod/wildcard-credentials", &[("Origin", O)]),
    )
    .await;
    assert_eq!(wildcard.one("Access-Control-Allow-Origin"), Some("*"));
    assert_eq!(
        wildcard.one("Access-Control-Allow-Credentials"),
        Some("true")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_rest_gateway_errors_carry_only_configured_headers() {
    let emu = demo().await;
    let wrong = [("Origin", O), ("Authorization", "Bearer wrong")];
    let reply = send(emu.addr, &request("GET", "/rest/prod/private", &wrong)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
    assert_eq!(reply.one("x-amzn-ErrorType"), Some("UnauthorizedException"));
    assert_eq!(reply.one("Access-Control-Allow-Origin"), None);

    let readable = send(emu.addr, &request("GET", "/gwcors/prod/private", &wrong)).await;
    assert_eq!(readable.status, 401);
    assert_eq!(readable.one("Access-Control-Allow-Origin"), Some("*"));

    let ok = [("Origin", O), ("Authorization", "Bearer demo-token")];
    assert_eq!(
        send(emu.addr, &request("GET", "/rest/prod/private", &ok))
            .await
            .status,
        200
    );

    // A preflight never carries the token: an authorizer on OPTIONS answers 401.
    let options = send(
        emu.addr,
        &preflight(
            "/rest/prod/authorized-options",
            O,
            "POST",
            &["content-type"],
        ),
    )
    .await;
    assert_eq!(
        (options.status, options.one("x-amzn-ErrorType")),
        (401, Some("UnauthorizedException"))
    );

    let key = send(
        emu.addr,
        &preflight(
            "/rest/prod/api-key-options",
            O,
            "POST",
            &["content-type", "x-api-key"],
        ),
    )
    .await;
    assert_eq!(
        (key.status, key.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    assert_eq!(key.one("x-amzn-ErrorType"), Some("ForbiddenException"));

    let throttled = send(
        emu.addr,
        &request("GET", "/rest/prod/throttled", &[("Origin", O)]),
    )
    .await;
    assert_eq!(
        (throttled.status, throttled.body.as_str()),
        (429, r#"{"message":"Too Many Requests"}"#)
    );
    assert_eq!(
        throttled.one("x-amzn-ErrorType"),
        Some("TooManyRequestsException")
    );

    let slow = send(
        emu.addr,
        &request("GET", "/rest/prod/slow", &[("Origin", O)]),
    )
    .await;
    assert_eq!(
        (slow.status, slow.body.as_str()),
        (504, r#"{"message":"Endpoint request timed out"}"#)
    );

    let crash = send(
        emu.addr,
        &request("GET", "/rest/prod/crash", &[("Origin", O)]),
    )
    .await;
    assert_eq!(
        (crash.status, crash.body.as_str()),
        (502, r#"{"message":"Internal server error"}"#)
    );
    assert_eq!(
        crash.one("x-amzn-ErrorType"),
        Some("InternalServerErrorException")
    );
    for r in [&reply, &options, &key, &throttled, &slow, &crash] {
        assert_eq!(r.one("Access-Control-Allow-Origin"), None);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_rest_binary_media_types_break_mock_options_unless_convert_to_text() {
    let emu = demo().await;
    let broken = send(
        emu.addr,
        &preflight("/binary/prod/items", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(
        (broken.status, broken.body.as_str()),
        (500, r#"{"message":"Internal server error"}"#)
    );
    let fixed = send(
        emu.addr,
        &preflight("/binary/prod/fixed", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(fixed.status, 200);
    assert_eq!(fixed.one("Access-Control-Allow-Origin"), Some(O));
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_http_api_answers_preflight_itself_and_echoes_only_allowed_origins() {
    let emu = demo().await;
    let reply = send(
        emu.addr,
        &preflight("/http/items", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.names(),
        vec![
            "date",
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-max-age",
            "connection",
            "apigw-requestid"
        ]
    );
    assert_eq!(reply.one("access-control-allow-origin"), Some(O));
    assert_eq!(
        reply.one("access-control-allow-methods"),
        Some("GET,POST,PUT,DELETE")
    );
    assert_eq!(reply.one("access-control-max-age"), Some("300"));
    assert_eq!(reply.body, "");
    for other in [
        "http://app.example.com",
        "https://app.example.com:3000",
        "https://app.example.com/",
    ] {
        let reply = send(
            emu.addr,
            &preflight("/http/items", other, "POST", &["content-type"]),
        )
        .await;
        assert_eq!(reply.status, 204, "{other}");
        assert_eq!(reply.one("access-control-allow-origin"), None, "{other}");
    }
    // Actual response: the backend's own `*` is replaced by the configured answer.
    let actual = send(emu.addr, &post_json("/http/items", O)).await;
    assert_eq!(actual.status, 200);
    assert_eq!(actual.all("access-control-allow-origin"), vec![O]);
    assert_eq!(actual.one("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        actual.one("access-control-expose-headers"),
        Some("x-request-id")
    );
    assert!(actual.one("apigw-requestid").is_some());
    assert_eq!(actual.one("x-amzn-RequestId"), None);
    // Without Origin no CORS headers at all.
    let plain = send(emu.addr, &request("GET", "/http/items", &[])).await;
    assert_eq!(plain.all("access-control-allow-origin"), Vec::<&str>::new());
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_http_api_any_route_with_jwt_authorizer_swallows_preflight() {
    let emu = demo().await;
    let reply = send(
        emu.addr,
        &preflight("/httpauth/orders", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
    let none = send(
        emu.addr,
        &preflight("/httpnocors/items", O, "POST", &["content-type"]),
    )
    .await;
    assert_eq!(
        (none.status, none.body.as_str()),
        (404, r#"{"message":"Not Found"}"#)
    );
    emu.shutdown().await;
}

fn one_rest_api(api: RestApi) -> Emulation {
    Emulation {
        apis: vec![HostedApi {
            mount: "api".into(),
            api: Api::Rest(api),
        }],
        backends: Default::default(),
    }
}

fn private_api() -> RestApi {
    let mut api = RestApi::new("abc123", "model");
    api.draft
        .authorizers
        .push(corsprobe::apigw::rest::Authorizer {
            id: "a1".into(),
            identity_source: Some("method.request.header.Authorization".into()),
            ..Default::default()
        });
    let mut get = Method::new("GET", Integration::proxy(IntegrationType::AwsProxy, "fn"));
    get.authorization_type = corsprobe::apigw::rest::AuthorizationType::Custom;
    get.authorizer_id = Some("a1".into());
    api.resource_mut("/things")
        .resource_methods
        .insert("GET".into(), get);
    api
}

#[tokio::test]
async fn emulator_gateway_response_headers_follow_the_deployed_model() {
    let mut api = private_api();
    api.deploy("prod", "d1");
    let emu = serve(one_rest_api(api.clone()), loopback())
        .await
        .expect("serve");
    let get = request("GET", "/api/prod/things", &[("Origin", O)]);
    let before = send(emu.addr, &get).await;
    assert_eq!(
        (before.status, before.one("Access-Control-Allow-Origin")),
        (401, None)
    );

    // Fix in the draft only: still served without CORS headers.
    let mut fixed = GatewayResponse::with_headers(GatewayResponseType::Unauthorized, &[]);
    fixed.response_parameters.insert(
        "gatewayresponse.header.Access-Control-Allow-Origin".into(),
        "method.request.header.Origin".into(),
    );
    fixed
        .response_parameters
        .insert("gatewayresponse.header.Vary".into(), "'Origin'".into());
    fixed.status_code = Some("401".into());
    api.draft.gateway_responses.push(fixed);
    emu.update(one_rest_api(api.clone())).expect("update");
    assert_eq!(
        send(emu.addr, &get)
            .await
            .one("Access-Control-Allow-Origin"),
        None
    );

    // Deployed: the origin is echoed from the request, the literal is unquoted.
    api.deploy("prod", "d2");
    emu.update(one_rest_api(api.clone())).expect("update");
    let after = send(emu.addr, &get).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.one("Access-Control-Allow-Origin"), Some(O));
    assert_eq!(after.one("Vary"), Some("Origin"));
    assert_eq!(after.one("x-amzn-ErrorType"), Some("UnauthorizedException"));

    // DEFAULT_4XX covers the other 4XX types (here MISSING_AUTHENTICATION_TOKEN) with its status.
    api.draft
        .gateway_responses
        .push(GatewayResponse::with_headers(
            GatewayResponseType::Default4xx,
            &[("Access-Control-Allow-Origin", "*")],
        ));
    api.deploy("prod", "d3");
    emu.update(one_rest_api(api)).expect("update");
    let missing = send(
        emu.addr,
        &request("OPTIONS", "/api/prod/things", &[("Origin", O)]),
    )
    .await;
    assert_eq!(
        (missing.status, missing.one("Access-Control-Allow-Origin")),
        (403, Some("*"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_options_added_but_not_deployed_is_not_served() {
    let mut api = private_api();
    api.deploy("prod", "d1");
    api.resource_mut("/things").resource_methods.insert(
        "OPTIONS".into(),
        Method::cors_options(&[("Access-Control-Allow-Origin", "*")]),
    );
    let emu = serve(one_rest_api(api.clone()), loopback())
        .await
        .expect("serve");
    let pre = preflight("/api/prod/things", O, "GET", &["authorization"]);
    assert_eq!(send(emu.addr, &pre).await.status, 403);
    api.deploy("prod", "d2");
    emu.update(one_rest_api(api)).expect("update");
    let reply = send(emu.addr, &pre).await;
    assert_eq!(
        (reply.status, reply.one("Access-Control-Allow-Origin")),
        (200, Some("*"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_routes_execute_api_host_names_to_the_api_id() {
    let emu = demo().await;
    let raw = "GET /prod/healthy HTTP/1.1\r\nHost: demorest01.execute-api.us-east-1.amazonaws.com\r\nOrigin: https://app.example.com\r\n\r\n";
    let reply = send(emu.addr, raw).await;
    assert_eq!(
        (reply.status, reply.one("Access-Control-Allow-Origin")),
        (200, Some(O))
    );
    let raw = "OPTIONS /items HTTP/1.1\r\nHost: demohttp01.execute-api.eu-west-1.amazonaws.com:443\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n\r\n";
    assert_eq!(send(emu.addr, raw).await.status, 204);
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_keeps_connections_alive_and_answers_pipelined_requests_in_order() {
    let emu = demo().await;
    let mut conn = Conn::open(emu.addr).await;
    let both = request("GET", "/rest/prod/healthy", &[]) + &request("GET", "/rest/prod/crash", &[]);
    conn.write(both.as_bytes()).await;
    assert_eq!(conn.read(false).await.status, 200);
    assert_eq!(conn.read(false).await.status, 502);
    // REST APIs do not answer HEAD with GET: no HEAD method means 403, and no body is sent.
    let head = conn.send(&request("HEAD", "/rest/prod/healthy", &[])).await;
    assert_eq!((head.status, head.body.as_str()), (403, ""));
    assert_eq!(head.one("Content-Length"), Some("42"));
    assert_eq!(
        conn.send(&request("GET", "/rest/prod/throttled", &[]))
            .await
            .status,
        429
    );
    conn.write(request("GET", "/rest/prod/healthy", &[("Connection", "close")]).as_bytes())
        .await;
    assert_eq!(conn.read(false).await.status, 200);
    assert!(conn.closed().await);
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_malformed_requests_get_400_and_the_server_keeps_serving() {
    let emu = demo().await;
    for raw in [
        "GARBAGE\r\n\r\n",
        "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
        "GET /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        "GET x HTTP/1.1\r\n\r\n",
    ] {
        let mut conn = Conn::open(emu.addr).await;
        let reply = conn.send(raw).await;
        assert_eq!(reply.status, 400, "{raw:?}");
        assert!(conn.closed().await);
    }
    let mut conn = Conn::open(emu.addr).await;
    let chunked = conn
        .send("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await;
    assert_eq!(chunked.status, 501);
    assert_eq!(
        send(emu.addr, &request("GET", "/rest/prod/healthy", &[]))
            .await
            .status,
        200
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_refuses_non_loopback_and_invalid_configurations() {
    let any = SocketAddr::from(([0, 0, 0, 0], 0));
    assert!(matches!(
        serve(Emulation::default(), any).await,
        Err(EmulatorError::NonLoopback(_))
    ));

    let mut api = HttpApi::new("h1", "bad");
    api.draft.cors_configuration = Some(CorsConfiguration {
        allow_origins: vec!["*".into()],
        allow_credentials: true,
        ..Default::default()
    });
    let bad = Emulation {
        apis: vec![HostedApi {
            mount: "h".into(),
            api: Api::Http(api),
        }],
        backends: Default::default(),
    };
    match serve(bad, loopback()).await {
        Err(EmulatorError::InvalidConfiguration(problems)) => {
            assert_eq!(
                problems,
                vec!["h: allow-credentials is not supported if 'allow-origin' is *".to_string()]
            )
        }
        other => panic!("expected InvalidConfiguration, got {other:?}"),
    }
}
