//! The seeded faults. Names say the fault; the §A.6 story numbers are in each doc line.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::Command;

use aws_sdk_apigateway::types::{AuthorizerType, IntegrationType, Op, PatchOperation};
use aws_sdk_apigatewayv2::types::{
    AuthorizationType as V2Auth, Cors, IntegrationType as V2Int, ProtocolType,
};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use corsprobe::apigw::{
    bridge, Api, AuthorizerBehavior, Backend, Backends, Emulation, HostedApi, LambdaProxyResponse,
};
use corsprobe::aws::{self, evidence::ApiConfiguration, ApiRef, AwsTarget, Clients, Window};
use serde_json::{json, Value};

use crate::aws::harness::{clients, moto, now, unique, MockAws, MockResponse};

const O: &str = "https://app.example.com";
const H: &str = "method.response.header.Access-Control-Allow-";

fn lambda_uri(f: &str) -> String {
    format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{f}/invocations")
}

/// A REST API being built in moto.
struct Rest<'a> {
    c: &'a Clients,
    id: String,
    name: String,
    res: BTreeMap<String, String>,
}

impl<'a> Rest<'a> {
    async fn new(c: &'a Clients) -> Rest<'a> {
        let name = unique("diag");
        let api = c
            .apigateway
            .create_rest_api()
            .name(&name)
            .send()
            .await
            .expect("create_rest_api");
        let id = api.id().expect("id").to_string();
        let items = c
            .apigateway
            .get_resources()
            .rest_api_id(&id)
            .send()
            .await
            .expect("get_resources");
        let root = items
            .items()
            .iter()
            .find(|r| r.path() == Some("/"))
            .and_then(|r| r.id())
            .expect("root")
            .to_string();
        let mut res = BTreeMap::new();
        res.insert("/".to_string(), root);
        Rest { c, id, name, res }
    }

    async fn res(&mut self, path: &str) -> String {
        if let Some(id) = self.res.get(path) {
            return id.clone();
        }
        let (parent, part) = path.rsplit_once('/').expect("path");
        let parent = if parent.is_empty() {
            "/".to_string()
        } else {
            parent.to_string()
        };
        let pid = Box::pin(self.res(&parent)).await;
        let r = self
            .c
            .apigateway
            .create_resource()
            .rest_api_id(&self.id)
            .parent_id(pid)
            .path_part(part)
            .send()
            .await
            .expect("create_resource");
        let id = r.id().expect("id").to_string();
        self.res.insert(path.to_string(), id.clone());
        id
    }

    async fn method(
        &mut self,
        path: &str,
        verb: &str,
        auth: &str,
        authorizer: Option<&str>,
        api_key: bool,
    ) -> String {
        let rid = self.res(path).await;
        let mut m = self
            .c
            .apigateway
            .put_method()
            .rest_api_id(&self.id)
            .resource_id(&rid)
            .http_method(verb)
            .authorization_type(auth)
            .api_key_required(api_key);
        if let Some(a) = authorizer {
            m = m.authorizer_id(a);
        }
        m.send().await.expect("put_method");
        rid
    }

    /// A MOCK integration answering `status` with the given `Access-Control-Allow-*` literals.
    async fn mock(
        &mut self,
        path: &str,
        verb: &str,
        template: &str,
        status: &str,
        headers: &[(&str, &str)],
    ) {
        let rid = self.res(path).await;
        let gw = &self.c.apigateway;
        gw.put_integration()
            .rest_api_id(&self.id)
            .resource_id(&rid)
            .http_method(verb)
            .r#type(IntegrationType::Mock)
            .request_templates("application/json", template)
            .send()
            .await
            .expect("put_integration");
        let mut mr = gw
            .put_method_response()
            .rest_api_id(&self.id)
            .resource_id(&rid)
            .http_method(verb)
            .status_code(status);
        let mut ir = gw
            .put_integration_response()
            .rest_api_id(&self.id)
            .resource_id(&rid)
            .http_method(verb)
            .status_code(status);
        for (k, v) in headers {
            mr = mr.response_parameters(format!("{H}{k}"), false);
            ir = ir.response_parameters(format!("{H}{k}"), format!("'{v}'"));
        }
        mr.send().await.expect("method response");
        ir.send().await.expect("integration response");
    }

    /// What the console's "Enable CORS" creates on `path`.
    async fn cors_options(&mut self, path: &str, origin: &str, headers: &str) {
        self.method(path, "OPTIONS", "NONE", None, false).await;
        self.mock(
            path,
            "OPTIONS",
            "{\"statusCode\": 200}",
            "200",
            &[
                ("Origin", origin),
                ("Methods", "GET,POST,PUT,DELETE,OPTIONS"),
                ("Headers", headers),
            ],
        )
        .await;
    }

    async fn proxy(&mut self, path: &str, verb: &str, function: &str) -> String {
        let rid = self.method(path, verb, "NONE", None, false).await;
        let uri = lambda_uri(function);
        self.c
            .apigateway
            .put_integration()
            .rest_api_id(&self.id)
            .resource_id(&rid)
            .http_method(verb)
            .r#type(IntegrationType::AwsProxy)
            .integration_http_method("POST")
            .uri(&uri)
            .send()
            .await
            .expect("proxy integration");
        uri
    }

    async fn deploy(&self, stage: &str) {
        self.c
            .apigateway
            .create_deployment()
            .rest_api_id(&self.id)
            .stage_name(stage)
            .send()
            .await
            .expect("create_deployment");
    }

    async fn authorizer(&self) -> String {
        let a = self
            .c
            .apigateway
            .create_authorizer()
            .rest_api_id(&self.id)
            .name("token")
            .r#type(AuthorizerType::Token)
            .authorizer_uri(lambda_uri("authz"))
            .identity_source("method.request.header.Authorization")
            .send()
            .await
            .expect("authorizer");
        a.id().expect("id").to_string()
    }
}

/// An HTTP API in moto with a `$default` auto-deploy stage.
async fn http_api(
    c: &Clients,
    cors: Option<Cors>,
    routes: &[(&str, Option<&str>)],
) -> (String, Option<String>) {
    let mut b = c
        .apigatewayv2
        .create_api()
        .name(unique("diag-http"))
        .protocol_type(ProtocolType::Http);
    if let Some(cors) = cors {
        b = b.cors_configuration(cors);
    }
    let api = b.send().await.expect("create_api");
    let id = api.api_id().expect("id").to_string();
    let integ = c
        .apigatewayv2
        .create_integration()
        .api_id(&id)
        .integration_type(V2Int::AwsProxy)
        .integration_uri(lambda_uri("http-fn"))
        .payload_format_version("2.0")
        .send()
        .await
        .expect("integration");
    let target = format!("integrations/{}", integ.integration_id().expect("id"));
    let mut authorizer = None;
    for (key, auth) in routes {
        let mut r = c
            .apigatewayv2
            .create_route()
            .api_id(&id)
            .route_key(*key)
            .target(&target);
        if let Some(kind) = auth {
            let a = match &authorizer {
                Some(a) => a,
                None => {
                    let made = c
                        .apigatewayv2
                        .create_authorizer()
                        .api_id(&id)
                        .name("jwt")
                        .authorizer_type(aws_sdk_apigatewayv2::types::AuthorizerType::Jwt)
                        .identity_source("$request.header.Authorization")
                        .send()
                        .await
                        .expect("authorizer");
                    authorizer.insert(made.authorizer_id().expect("id").to_string())
                }
            };
            r = r
                .authorization_type(V2Auth::from(*kind))
                .authorizer_id(a.clone());
        }
        r.send().await.expect("create_route");
    }
    c.apigatewayv2
        .create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .expect("stage");
    (id, authorizer)
}

async fn evidence(c: &Clients, id: &str, stage: &str) -> aws::Evidence {
    let target = AwsTarget {
        api: ApiRef::Id(id.into()),
        stage: stage.into(),
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: None,
        window: Window {
            start: now() - 3600,
            end: now() + 60,
        },
        request_ids: Vec::new(),
        app_log_groups: Vec::new(),
    };
    aws::collect(&target, c).await.expect("collect")
}

async fn put_lines(c: &Clients, group: &str, lines: &[String]) {
    let _ = c.logs.create_log_group().log_group_name(group).send().await;
    let _ = c
        .logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name("s1")
        .send()
        .await;
    let t = now() * 1000 - 30_000;
    let mut req = c
        .logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("s1");
    for (i, l) in lines.iter().enumerate() {
        req = req.log_events(
            InputLogEvent::builder()
                .timestamp(t + i as i64)
                .message(l)
                .build()
                .expect("event"),
        );
    }
    req.send().await.expect("put_log_events");
}

/// A loopback endpoint that forwards every AWS call to moto, except CloudTrail `LookupEvents`,
/// which it answers with `events` (moto has no CloudTrail lookups).
async fn trail_proxy(moto_url: &str, events: Vec<Value>) -> MockAws {
    let upstream = moto_url.trim_start_matches("http://").to_string();
    MockAws::start(move |req| {
        if req
            .header("x-amz-target")
            .is_some_and(|t| t.contains("LookupEvents"))
        {
            return MockResponse::json(200, json!({ "Events": events }));
        }
        forward(&upstream, req)
    })
    .await
}

fn forward(upstream: &str, req: &crate::aws::harness::MockRequest) -> MockResponse {
    // Under load moto sometimes leaves a connection unanswered: time out and try again.
    let mut last = forward_once(upstream, req);
    for _ in 0..3 {
        if last.is_ok() {
            break;
        }
        last = forward_once(upstream, req);
    }
    last.unwrap_or_else(|e| MockResponse::error(502, "ProxyError", &e))
}

fn forward_once(
    upstream: &str,
    req: &crate::aws::harness::MockRequest,
) -> Result<MockResponse, String> {
    use std::time::Duration;
    let addr: std::net::SocketAddr = upstream.parse().map_err(|_| "address".to_string())?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let mut head = format!("{} {} HTTP/1.0\r\n", req.method, req.path);
    for (k, v) in &req.headers {
        if k != "connection" && k != "content-length" && k != "expect" {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        req.body.len()
    ));
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(&req.body))
        .map_err(|e| format!("write: {e}"))?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| format!("read: {e}"))?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(n)) = resp.parse(&buf) else {
        return Err("parse".into());
    };
    Ok(MockResponse {
        status: resp.code.unwrap_or(500),
        headers: resp
            .headers
            .iter()
            .filter(|h| {
                !matches!(
                    h.name.to_ascii_lowercase().as_str(),
                    "content-length" | "transfer-encoding" | "connection"
                )
            })
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: buf[n..].to_vec(),
    })
}

fn trail_event(name: &str, key: &str, api: &str, at: i64, error: Option<&str>) -> Value {
    let mut detail = json!({
        "eventName": name,
        "readOnly": false,
        "userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice"},
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "aws-cli/2",
        "requestParameters": {key: api},
    });
    if let Some(e) = error {
        detail["errorCode"] = json!(e);
    }
    json!({
        "EventId": format!("{name}-{at}"),
        "EventName": name,
        "ReadOnly": "false",
        "EventTime": at,
        "EventSource": "apigateway.amazonaws.com",
        "Username": "alice",
        "CloudTrailEvent": detail.to_string(),
    })
}

/// Serves `api` on a loopback emulator under mount `m`; returns the handle.
async fn serve(api: Api, backends: Backends) -> corsprobe::emulator::EmulatorHandle {
    let emulation = Emulation {
        apis: vec![HostedApi {
            mount: "m".into(),
            api,
        }],
        backends,
    };
    corsprobe::emulator::serve(emulation, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator")
}

/// Runs the real binary: `corsprobe diagnose … --format json`.
async fn diagnose(
    endpoint: &str,
    api_id: &str,
    stage: &str,
    base: &str,
    extra: &[&str],
) -> (i32, Value) {
    let mut args: Vec<String> = [
        "diagnose",
        "--api-id",
        api_id,
        "--stage",
        stage,
        "--region",
        "us-east-1",
        "--endpoint-url",
        endpoint,
        "--base-url",
        base,
        "--format",
        "json",
        "--allow-unsafe",
        "--no-rate-limit",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if !extra.contains(&"--origin") {
        args.extend(["--origin".to_string(), O.to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_corsprobe"))
            .args(&args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .output()
            .expect("run corsprobe")
    })
    .await
    .expect("join");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Asserts a finding with `code`, `runbook_case` and at least these routes.
fn expect_finding(v: &Value, code: &str, runbook: Value, routes: &[(&str, &str)]) -> Value {
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    let summary: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["code"], f["runbook_case"], f["role"], f["routes"]
            )
        })
        .collect();
    let f = findings
        .iter()
        .find(|f| {
            f["code"] == code
                && routes.iter().all(|(m, r)| {
                    f["routes"]
                        .as_array()
                        .is_some_and(|rs| rs.iter().any(|x| x["method"] == *m && x["route"] == *r))
                })
        })
        .unwrap_or_else(|| {
            panic!(
                "no {code} finding with routes {routes:?}; got:\n{}",
                summary.join("\n")
            )
        })
        .clone();
    assert_eq!(f["runbook_case"], runbook, "{code}");
    assert!(
        f["evidence"].as_array().is_some_and(|e| !e.is_empty()),
        "{code} has no evidence: {f}"
    );
    assert!(
        f["fix"]["aws_cli"].as_str().is_some_and(|s| !s.is_empty()),
        "{code} has no fix"
    );
    f
}

fn rest_model(ev: &aws::Evidence) -> Api {
    bridge::from_evidence(ev).expect("configuration collected")
}

fn proxy_backend(uri: &str, r: LambdaProxyResponse) -> Backends {
    let mut b = Backends::default();
    b.integrations
        .insert(uri.to_string(), Backend::LambdaProxy(r));
    b
}

macro_rules! moto_or_skip {
    () => {
        match moto() {
            Some(u) => u,
            None => return,
        }
    };
}

/// A REST fault served from the collected configuration; returns (moto url, api id, JSON).
async fn run_rest(r: &Rest<'_>, url: &str, backends: Backends, extra: &[&str]) -> (i32, Value) {
    let ev = evidence(r.c, &r.id, "prod").await;
    let h = serve(rest_model(&ev), backends).await;
    let base = format!("{}/m/prod", h.base_url());
    let out = diagnose(url, &r.id, "prod", &base, extra).await;
    h.shutdown().await;
    out
}

async fn run_http(
    c: &Clients,
    id: &str,
    url: &str,
    backends: Backends,
    extra: &[&str],
) -> (i32, Value) {
    let ev = evidence(c, id, "$default").await;
    assert!(matches!(
        ev.configuration.value(),
        Some(ApiConfiguration::Http(_))
    ));
    let h = serve(bridge::from_evidence(&ev).expect("config"), backends).await;
    let base = format!("{}/m", h.base_url());
    let out = diagnose(url, id, "$default", &base, extra).await;
    h.shutdown().await;
    out
}

fn ok_headers() -> LambdaProxyResponse {
    LambdaProxyResponse::ok(&[("Access-Control-Allow-Origin", O)])
}

// ---- the faults -------------------------------------------------------------------------------

/// Story 11: a resource without an OPTIONS method (runbook 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_rest_no_options_method_is_cp002() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/items", "POST", "items").await;
    r.deploy("prod").await;
    let (code, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    assert_eq!(code, 1);
    let f = expect_finding(&v, "CP002", json!(2), &[("POST", "/items")]);
    assert_eq!(f["role"], "primary");
    assert_eq!(f["confidence"], "high");
}

/// One misconfiguration on three routes is one finding listing them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_three_routes_without_options_are_one_finding() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let mut b = Backends::default();
    for p in ["/a", "/b", "/c"] {
        let uri = r.proxy(p, "POST", "abc").await;
        b.integrations
            .insert(uri, Backend::LambdaProxy(ok_headers()));
    }
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, b, &[]).await;
    expect_finding(
        &v,
        "CP002",
        json!(2),
        &[("POST", "/a"), ("POST", "/b"), ("POST", "/c")],
    );
    let n = v["findings"]
        .as_array()
        .map(|f| f.iter().filter(|x| x["code"] == "CP002").count());
    assert_eq!(n, Some(1));
}

/// Story 1: Lambda proxy backend forgets Access-Control-Allow-Origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_lambda_proxy_without_headers_is_cp105() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", O, "Content-Type").await;
    let uri = r.proxy("/items", "POST", "forgets").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(
        &r,
        &url,
        proxy_backend(&uri, LambdaProxyResponse::ok(&[])),
        &[],
    )
    .await;
    expect_finding(&v, "CP105", Value::Null, &[("POST", "/items")]);
}

/// Story 2: an authorizer rejects; the UNAUTHORIZED gateway response has no CORS headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_authorizer_401_without_cors_is_cp101() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let a = r.authorizer().await;
    let rid = r.method("/private", "GET", "CUSTOM", Some(&a), false).await;
    let _ = rid;
    r.mock(
        "/private",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, Backends::default(), &[]).await;
    let f = expect_finding(&v, "CP101", Value::Null, &[("GET", "/private")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("UNAUTHORIZED")),
        "{f}"
    );
}

/// Story 2 (variant): the authorizer denies a token: ACCESS_DENIED 403 hidden behind CORS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_authorizer_deny_403_is_cp101_access_denied() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let a = r.authorizer().await;
    r.cors_options("/private", O, "Content-Type,Authorization")
        .await;
    r.method("/private", "GET", "CUSTOM", Some(&a), false).await;
    r.mock(
        "/private",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let mut b = Backends::default();
    b.authorizers.insert(a.clone(), AuthorizerBehavior::Deny);
    let dir = std::env::temp_dir().join(unique("probe"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("p.toml");
    std::fs::write(&file, format!("target = \"http://placeholder/\"\norigins = [\"{O}\"]\n[safety]\nallow_unsafe = true\n[[route]]\npath = \"/private\"\nmethods = [\"GET\"]\nheaders = {{ \"Authorization\" = \"Bearer t\" }}\n")).expect("probe file");
    let (_, v) = run_rest(&r, &url, b, &[file.to_str().expect("path")]).await;
    let f = expect_finding(&v, "CP101", Value::Null, &[("GET", "/private")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("ACCESS_DENIED")),
        "{f}"
    );
}

/// Story 3: an authorizer on the OPTIONS method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_authorizer_on_options_is_cp102() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let a = r.authorizer().await;
    r.method("/items", "OPTIONS", "CUSTOM", Some(&a), false)
        .await;
    r.mock(
        "/items",
        "OPTIONS",
        "{\"statusCode\": 200}",
        "200",
        &[
            ("Origin", O),
            ("Methods", "POST,OPTIONS"),
            ("Headers", "Content-Type"),
        ],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    let f = expect_finding(&v, "CP102", Value::Null, &[("POST", "/items")]);
    assert_eq!(f["confidence"], "high");
}

/// Story 4: apiKeyRequired on OPTIONS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_api_key_on_options_is_cp103() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "OPTIONS", "NONE", None, true).await;
    r.mock(
        "/items",
        "OPTIONS",
        "{\"statusCode\": 200}",
        "200",
        &[
            ("Origin", O),
            ("Methods", "POST,OPTIONS"),
            ("Headers", "Content-Type"),
        ],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    expect_finding(&v, "CP103", Value::Null, &[("POST", "/items")]);
}

/// Story 5: OPTIONS added to the draft after the deployment, never deployed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_fixed_but_not_deployed_is_cp104() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let old = evidence(&c, &r.id, "prod").await;
    r.cors_options("/items", O, "Content-Type").await; // the fix, not deployed
    let new = evidence(&c, &r.id, "prod").await;
    let (Some(ApiConfiguration::Rest(new_cfg)), Some(ApiConfiguration::Rest(old_cfg))) =
        (new.configuration.value(), old.configuration.value())
    else {
        panic!("REST configuration")
    };
    let api = Api::Rest(bridge::rest_api(new_cfg, "prod", Some(old_cfg)));
    let h = serve(api, proxy_backend(&uri, ok_headers())).await;
    let t = now() + 5;
    let proxy = trail_proxy(
        &url,
        vec![
            trail_event("CreateDeployment", "restApiId", &r.id, t - 3000, None),
            trail_event("PutMethod", "restApiId", &r.id, t, None),
            trail_event("PutIntegrationResponse", "restApiId", &r.id, t, None),
        ],
    )
    .await;
    let (_, v) = diagnose(
        &proxy.url,
        &r.id,
        "prod",
        &format!("{}/m/prod", h.base_url()),
        &[],
    )
    .await;
    let f = expect_finding(&v, "CP104", Value::Null, &[("POST", "/items")]);
    assert_eq!(f["role"], "primary");
    assert!(f["evidence"].to_string().contains("PutMethod"), "{f}");
}

/// Story 6: binaryMediaTypes */* breaks the MOCK OPTIONS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_binary_media_types_is_cp108() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    // AWS reads the type from the path; moto appends the value: give both.
    c.apigateway
        .update_rest_api()
        .rest_api_id(&r.id)
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Add)
                .path("/binaryMediaTypes/*~1*")
                .value("*/*")
                .build(),
        )
        .send()
        .await
        .expect("update_rest_api");
    r.cors_options("/upload", O, "Content-Type").await;
    let uri = r.proxy("/upload", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    expect_finding(&v, "CP108", Value::Null, &[("POST", "/upload")]);
}

/// Story 7: several origins written into one static header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_origins_in_one_header_is_cp107() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options(
        "/items",
        "https://app.example.com,https://admin.example.com",
        "Content-Type",
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    expect_finding(&v, "CP107", Value::Null, &[("POST", "/items")]);
}

/// Story 8: HTTP API AllowCredentials with AllowOrigins * was rejected; * stays, credentials fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_http_wildcard_with_credentials_is_cp111() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let cors = Cors::builder()
        .allow_origins("*")
        .allow_methods("*")
        .allow_headers("content-type")
        .build();
    let (id, _) = http_api(&c, Some(cors), &[("POST /items", None)]).await;
    let mut b = Backends::default();
    b.integrations.insert(
        lambda_uri("http-fn"),
        Backend::LambdaProxy(LambdaProxyResponse::ok(&[])),
    );
    let ev = evidence(&c, &id, "$default").await;
    let h = serve(bridge::from_evidence(&ev).expect("config"), b).await;
    let proxy = trail_proxy(
        &url,
        vec![trail_event(
            "UpdateApi",
            "apiId",
            &id,
            now() - 600,
            Some("BadRequestException"),
        )],
    )
    .await;
    let (_, v) = diagnose(
        &proxy.url,
        &id,
        "$default",
        &format!("{}/m", h.base_url()),
        &["--credentials", "include"],
    )
    .await;
    let f = expect_finding(&v, "CP111", Value::Null, &[("POST", "/items")]);
    assert!(
        f["evidence"].to_string().contains("BadRequestException"),
        "{f}"
    );
}

/// Story 9: HTTP API ANY /{proxy+} with a JWT authorizer catches the preflight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_http_any_route_authorizer_is_cp110() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let cors = Cors::builder()
        .allow_origins(O)
        .allow_methods("*")
        .allow_headers("content-type")
        .build();
    let (id, _) = http_api(&c, Some(cors), &[("ANY /{proxy+}", Some("JWT"))]).await;
    let probe = std::env::temp_dir().join(unique("probe-http"));
    std::fs::create_dir_all(&probe).expect("tmp");
    let file = probe.join("p.toml");
    std::fs::write(&file, format!("target = \"http://placeholder/\"\norigins = [\"{O}\"]\n[safety]\nallow_unsafe = true\n[[route]]\npath = \"/orders\"\nmethods = [\"POST\"]\nheaders = {{ \"Content-Type\" = \"application/json\" }}\n")).expect("probe file");
    let (_, v) = run_http(
        &c,
        &id,
        &url,
        Backends::default(),
        &[file.to_str().expect("path")],
    )
    .await;
    expect_finding(&v, "CP110", Value::Null, &[("POST", "/orders")]);
}

/// Story 10: a Lambda crash (502) has no CORS headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_lambda_crash_502_is_cp101_default_5xx() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/crash", "GET", "crashes").await;
    r.deploy("prod").await;
    let mut b = Backends::default();
    b.integrations.insert(
        uri,
        Backend::Crash {
            error_message: "boom".into(),
        },
    );
    let (_, v) = run_rest(&r, &url, b, &[]).await;
    let f = expect_finding(&v, "CP101", Value::Null, &[("GET", "/crash")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("DEFAULT_5XX")),
        "{f}"
    );
}

/// Story 11: a route that does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_missing_route_is_cp112() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "GET", "NONE", None, false).await;
    r.mock(
        "/items",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let dir = std::env::temp_dir().join(unique("probe"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("p.toml");
    std::fs::write(&file, format!("target = \"http://placeholder/\"\norigins = [\"{O}\"]\n[[route]]\npath = \"/itemz\"\nmethods = [\"GET\"]\n")).expect("probe file");
    let (_, v) = run_rest(
        &r,
        &url,
        Backends::default(),
        &[file.to_str().expect("path")],
    )
    .await;
    let f = expect_finding(&v, "CP112", Value::Null, &[("GET", "/itemz")]);
    assert_eq!(f["role"], "primary");
}

/// Story 12: a custom request header missing from Access-Control-Allow-Headers (runbook 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_custom_header_not_allowed_is_cp005() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", O, "Content-Type").await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let dir = std::env::temp_dir().join(unique("probe"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("p.toml");
    std::fs::write(&file, format!("target = \"http://placeholder/\"\norigins = [\"{O}\"]\n[safety]\nallow_unsafe = true\n[[route]]\npath = \"/items\"\nmethods = [\"POST\"]\nheaders = {{ \"Content-Type\" = \"application/json\", \"X-Trace-Id\" = \"t1\" }}\n")).expect("probe file");
    let (_, v) = run_rest(
        &r,
        &url,
        proxy_backend(&uri, ok_headers()),
        &[file.to_str().expect("path")],
    )
    .await;
    let f = expect_finding(&v, "CP005", json!(5), &[("POST", "/items")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("x-trace-id")),
        "{f}"
    );
}

/// Story 13: duplicate Access-Control-Allow-Origin (headers + multiValueHeaders).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_duplicate_allow_origin_is_cp106() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/items", "GET", "adapter").await;
    r.deploy("prod").await;
    let mut resp = ok_headers();
    resp.multi_value_headers
        .insert("Access-Control-Allow-Origin".into(), vec![O.into()]);
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, resp), &[]).await;
    expect_finding(&v, "CP106", Value::Null, &[("GET", "/items")]);
}

/// Story 14: the MOCK OPTIONS request template has no statusCode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_mock_template_without_status_is_cp109() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "OPTIONS", "NONE", None, false).await;
    r.mock(
        "/items",
        "OPTIONS",
        "{}",
        "200",
        &[
            ("Origin", O),
            ("Methods", "POST,OPTIONS"),
            ("Headers", "Content-Type"),
        ],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    expect_finding(&v, "CP109", Value::Null, &[("POST", "/items")]);
}

/// Story 15: the base URL (a custom domain's base-path mapping) reaches an old stage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_base_path_mapped_to_old_stage_is_cp112() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/", "GET", "NONE", None, false).await;
    r.mock("/", "GET", "{\"statusCode\": 200}", "200", &[("Origin", O)])
        .await;
    r.deploy("old").await;
    let old = evidence(&c, &r.id, "old").await;
    r.method("/items", "GET", "NONE", None, false).await;
    r.mock(
        "/items",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let Api::Rest(mut api) = rest_model(&ev) else {
        panic!("rest")
    };
    if let Some(ApiConfiguration::Rest(old_cfg)) = old.configuration.value() {
        api.deployments.push(corsprobe::apigw::rest::Deployment {
            id: "old".into(),
            description: None,
            snapshot: bridge::rest_definition(old_cfg),
        });
        api.stages.push(corsprobe::apigw::rest::Stage {
            stage_name: "old".into(),
            deployment_id: "old".into(),
            ..Default::default()
        });
    }
    let h = serve(Api::Rest(api), Backends::default()).await;
    // The "custom domain" maps to stage old, the team believes it serves prod.
    let (_, v) = diagnose(&url, &r.id, "prod", &format!("{}/m/old", h.base_url()), &[]).await;
    let f = expect_finding(&v, "CP112", Value::Null, &[("GET", "/items")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("base-path mapping")),
        "{f}"
    );
}

/// THROTTLED gateway response without CORS headers (stage throttling, burst 0).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_throttled_429_is_cp101() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "GET", "NONE", None, false).await;
    r.mock(
        "/items",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let Api::Rest(mut api) = rest_model(&ev) else {
        panic!("rest")
    };
    // Stage throttling is not part of the collected evidence; set it on the served stage.
    api.stages[0].method_settings.insert(
        "*/*".into(),
        corsprobe::apigw::rest::MethodSetting {
            throttling_burst_limit: Some(0),
            throttling_rate_limit: Some(0.0),
        },
    );
    let h = serve(Api::Rest(api), Backends::default()).await;
    let (_, v) = diagnose(
        &url,
        &r.id,
        "prod",
        &format!("{}/m/prod", h.base_url()),
        &[],
    )
    .await;
    let f = expect_finding(&v, "CP101", Value::Null, &[("GET", "/items")]);
    assert!(
        f["title"].as_str().is_some_and(|t| t.contains("THROTTLED")),
        "{f}"
    );
}

/// INTEGRATION_TIMEOUT (504) without CORS headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_integration_timeout_504_is_cp101() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/slow", "GET", "slow").await;
    r.deploy("prod").await;
    let mut b = Backends::default();
    b.integrations.insert(uri, Backend::Timeout);
    let (_, v) = run_rest(&r, &url, b, &[]).await;
    let f = expect_finding(&v, "CP101", Value::Null, &[("GET", "/slow")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("INTEGRATION_TIMEOUT")),
        "{f}"
    );
}

/// A stage that does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_stage_missing_is_cp112() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "GET", "NONE", None, false).await;
    r.mock(
        "/items",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let h = serve(rest_model(&ev), Backends::default()).await;
    let (_, v) = diagnose(&url, &r.id, "dev", &format!("{}/m/dev", h.base_url()), &[]).await;
    let f = expect_finding(&v, "CP112", Value::Null, &[("GET", "/items")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("Stage dev does not exist")),
        "{f}"
    );
}

/// Runbook 4: the static origin was left at the dev server's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_origin_not_allowed_is_cp004() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", "http://localhost:3000", "Content-Type")
        .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    expect_finding(&v, "CP004", json!(4), &[("POST", "/items")]);
}

/// An origin configured with a trailing slash: names the nearest configured origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_origin_trailing_slash_is_cp113() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", "https://app.example.com/", "Content-Type")
        .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    let f = expect_finding(&v, "CP113", Value::Null, &[("POST", "/items")]);
    assert!(
        f["title"]
            .as_str()
            .is_some_and(|t| t.contains("https://app.example.com/ by trailing slash")),
        "{f}"
    );
}

/// HTTP API allowing the origin on another port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_http_origin_port_is_cp113() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let cors = Cors::builder()
        .allow_origins("https://app.example.com:8443")
        .allow_methods("*")
        .allow_headers("content-type")
        .build();
    let (id, _) = http_api(&c, Some(cors), &[("POST /items", None)]).await;
    let (_, v) = run_http(&c, &id, &url, Backends::default(), &[]).await;
    let f = expect_finding(&v, "CP113", Value::Null, &[("POST", "/items")]);
    assert!(
        f["title"].as_str().is_some_and(|t| t.contains("by port")),
        "{f}"
    );
}

/// Runbook 2 for HTTP APIs: no CorsConfiguration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_http_without_cors_is_cp002() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let (id, _) = http_api(&c, None, &[("POST /items", None)]).await;
    let (_, v) = run_http(&c, &id, &url, Backends::default(), &[]).await;
    expect_finding(&v, "CP002", json!(2), &[("POST", "/items")]);
}

/// Runbook 6: PUT's integration response does not map the header, GET's does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_method_specific_mapping_is_cp006() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", O, "Content-Type").await;
    r.method("/items", "GET", "NONE", None, false).await;
    r.mock(
        "/items",
        "GET",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    r.method("/items", "PUT", "NONE", None, false).await;
    r.mock("/items", "PUT", "{\"statusCode\": 200}", "200", &[])
        .await;
    r.deploy("prod").await;
    let (_, v) = run_rest(&r, &url, Backends::default(), &[]).await;
    let f = expect_finding(&v, "CP006", json!(6), &[("PUT", "/items")]);
    assert!(!f["routes"].to_string().contains("\"GET\""), "{f}");
}

/// Runbook 7: credentialed requests, AllowCredentials false.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_http_credentials_not_allowed_is_cp007() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let cors = Cors::builder()
        .allow_origins(O)
        .allow_methods("*")
        .allow_headers("content-type")
        .build();
    let (id, _) = http_api(&c, Some(cors), &[("POST /items", None)]).await;
    let (_, v) = run_http(
        &c,
        &id,
        &url,
        Backends::default(),
        &["--credentials", "include"],
    )
    .await;
    expect_finding(&v, "CP007", json!(7), &[("POST", "/items")]);
}

/// Runbook 1: 4XXError rose and the access logs show failing preflights.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_error_rise_with_preflight_failures_is_cp001() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let group = unique("/access");
    c.apigateway
        .update_stage()
        .rest_api_id(&r.id)
        .stage_name("prod")
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Replace)
                .path("/accessLogSettings/destinationArn")
                .value(format!(
                    "arn:aws:logs:us-east-1:123456789012:log-group:{group}"
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
    let lines: Vec<String> = (0..3).map(|i| format!("{{\"requestId\":\"r{i}\",\"httpMethod\":\"OPTIONS\",\"resourcePath\":\"/items\",\"status\":\"403\",\"responseType\":\"MISSING_AUTHENTICATION_TOKEN\"}}")).collect();
    put_lines(&c, &group, &lines).await;
    let dims = [
        Dimension::builder().name("ApiName").value(&r.name).build(),
        Dimension::builder().name("Stage").value("prod").build(),
    ];
    let t = now() - 300;
    let mut put = c.cloudwatch.put_metric_data().namespace("AWS/ApiGateway");
    for (dt, v) in [(-120, 0.0), (0, 7.0)] {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name("4XXError")
                .set_dimensions(Some(dims.to_vec()))
                .timestamp(aws_smithy_types::DateTime::from_secs(t + dt))
                .value(v)
                .build(),
        );
    }
    put.send().await.expect("put_metric_data");
    let (_, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    let f = expect_finding(&v, "CP001", json!(1), &[("POST", "/items")]);
    assert_eq!(f["role"], "contributing");
    expect_finding(&v, "CP002", json!(2), &[("POST", "/items")]);
}

/// Runbook 3: a deployment after DeleteMethod(OPTIONS) made the removal live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_deployment_removed_cors_is_cp003() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let h = serve(rest_model(&ev), proxy_backend(&uri, ok_headers())).await;
    let t = now() - 900;
    let proxy = trail_proxy(
        &url,
        vec![
            trail_event("DeleteMethod", "restApiId", &r.id, t, None),
            trail_event("CreateDeployment", "restApiId", &r.id, t + 10, None),
        ],
    )
    .await;
    let (_, v) = diagnose(
        &proxy.url,
        &r.id,
        "prod",
        &format!("{}/m/prod", h.base_url()),
        &[],
    )
    .await;
    let f = expect_finding(&v, "CP003", json!(3), &[("POST", "/items")]);
    assert!(f["evidence"].to_string().contains("alice"), "{f}");
}

/// Browsers kept reporting errors after the fix: stale preflight answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_errors_after_fix_are_cp114() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "OPTIONS", "NONE", None, false).await;
    r.mock(
        "/items",
        "OPTIONS",
        "{\"statusCode\": 200}",
        "200",
        &[
            ("Origin", O),
            ("Methods", "POST,OPTIONS"),
            ("Headers", "Content-Type"),
            ("Max-Age", "7200"),
        ],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fixed").await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let h = serve(rest_model(&ev), proxy_backend(&uri, ok_headers())).await;
    let base = format!("{}/m/prod", h.base_url());
    let group = unique("/frontend");
    put_lines(&c, &group, &[format!("Access to fetch at '{base}/items' from origin '{O}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.")]).await;
    let proxy = trail_proxy(
        &url,
        vec![trail_event(
            "PutIntegrationResponse",
            "restApiId",
            &r.id,
            now() - 120,
            None,
        )],
    )
    .await;
    let (_, v) = diagnose(&proxy.url, &r.id, "prod", &base, &["--log-group", &group]).await;
    expect_finding(&v, "CP114", Value::Null, &[("POST", "/items")]);
}

/// The runbook's fallback: a preflight answered 302 fits no case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fault_unexplained_is_fallback() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.method("/items", "OPTIONS", "NONE", None, false).await;
    r.mock(
        "/items",
        "OPTIONS",
        "{\"statusCode\": 302}",
        "302",
        &[("Origin", O)],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (code, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    assert_eq!(code, 1);
    expect_finding(&v, "CP008", json!("fallback"), &[("POST", "/items")]);
}

/// No findings: exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_healthy_api_exits_0_without_findings() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    r.cors_options("/items", O, "Content-Type").await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let (code, v) = run_rest(&r, &url, proxy_backend(&uri, ok_headers()), &[]).await;
    assert_eq!(v["findings"], json!([]), "{v}");
    assert_eq!(code, 0);
}

/// Without AWS evidence (`--no-aws`) the same fault is diagnosed from the probe alone, with low
/// confidence and the evidence that would confirm it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_no_aws_diagnoses_from_the_probe_with_low_confidence() {
    let url = moto_or_skip!();
    let c = clients(&url).await;
    let mut r = Rest::new(&c).await;
    let a = r.authorizer().await;
    r.method("/items", "OPTIONS", "CUSTOM", Some(&a), false)
        .await;
    r.mock(
        "/items",
        "OPTIONS",
        "{\"statusCode\": 200}",
        "200",
        &[("Origin", O)],
    )
    .await;
    let uri = r.proxy("/items", "POST", "fn").await;
    r.deploy("prod").await;
    let ev = evidence(&c, &r.id, "prod").await;
    let h = serve(rest_model(&ev), proxy_backend(&uri, ok_headers())).await;
    let dir = std::env::temp_dir().join(unique("probe"));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("p.toml");
    std::fs::write(&file, format!("target = \"http://placeholder/\"\norigins = [\"{O}\"]\n[[route]]\npath = \"/items\"\nmethods = [\"POST\"]\nheaders = {{ \"Content-Type\" = \"application/json\" }}\n")).expect("probe file");
    let (code, v) = diagnose(
        "http://127.0.0.1:9",
        &r.id,
        "prod",
        &format!("{}/m/prod", h.base_url()),
        &["--no-aws", file.to_str().expect("path")],
    )
    .await;
    assert_eq!(code, 1);
    assert_eq!(v["evidence_collected"], false);
    let f = expect_finding(&v, "CP102", Value::Null, &[("POST", "/items")]);
    assert_eq!(f["confidence"], "low");
    assert!(
        f["confirm_with"].as_array().is_some_and(|c| !c.is_empty()),
        "{f}"
    );
}

/// An API id that does not exist: exit 2, nothing probed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_unknown_api_exits_2() {
    let url = moto_or_skip!();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_corsprobe"))
            .args([
                "diagnose",
                "--api-id",
                "nosuchapi",
                "--stage",
                "prod",
                "--region",
                "us-east-1",
                "--endpoint-url",
                &url,
                "--origin",
                O,
            ])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .output()
            .expect("run corsprobe")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuchapi"));
}
