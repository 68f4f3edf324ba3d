//! The engine with hand-built inputs: one test per case (probe only, or with a hand-written piece
//! of evidence), the primary/contributing choice, grouping, determinism, the catalogue's doc
//! sections, and a golden human report.

use corsprobe::aws::evidence::{
    ApiChangeEvent, ApiConfiguration, ApiIdentity, ApiKind, CloudTrailEvidence, Collected,
    ConsoleErrorGroup, CorsConfiguration, DeploymentEvidence, DeploymentFacts, DriftChange,
    DriftItem, ErrorRise, Evidence, HttpApiConfig, LogFindings, MetricsEvidence, RestApiConfig,
    RestIntegration, RestMethod, RestResource, StageFacts,
};
use corsprobe::aws::{ApiRef, AwsTarget, Window};
use corsprobe::diagnose::{diagnose, Finding, Hop, Input, Observation, Role};

const O: &str = "https://app.example.com";
const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/prod";

fn obs(
    route: &str,
    method: &str,
    err: Option<&str>,
    preflight: Option<Hop>,
    actual: Option<Hop>,
) -> Observation {
    let at = |h: Option<Hop>| {
        h.map(|mut h| {
            h.url = format!("{URL}{route}");
            h
        })
    };
    let (preflight, actual) = (at(preflight), at(actual));
    Observation {
        route: route.into(),
        url: format!("{URL}{route}"),
        method: method.into(),
        origin: O.into(),
        credentials: "omit".into(),
        blocked: err.is_some(),
        cors_error: err.map(str::to_string),
        console_message: err.map(|e| format!("blocked by CORS policy ({e})")),
        preflight,
        actual,
        ..Default::default()
    }
}

fn rest(status: u16, headers: &[(&str, &str)], body: &str) -> Hop {
    let mut h: Vec<(&str, &str)> = vec![("x-amzn-RequestId", "r-1")];
    h.extend_from_slice(headers);
    Hop::new("GET", URL, status, &h, body)
}

fn pre(status: u16, headers: &[(&str, &str)], body: &str) -> Hop {
    let mut h = rest(status, headers, body);
    h.method = "OPTIONS".into();
    h
}

fn http(status: u16, headers: &[(&str, &str)], body: &str) -> Hop {
    let mut h: Vec<(&str, &str)> = vec![("apigw-requestid", "r-2")];
    h.extend_from_slice(headers);
    Hop::new("OPTIONS", URL, status, &h, body)
}

const MAT: (&str, &str) = ("x-amzn-ErrorType", "MissingAuthenticationTokenException");
const MAT_BODY: &str = "{\"message\":\"Missing Authentication Token\"}";

fn run(observations: Vec<Observation>, evidence: Option<Evidence>) -> Vec<Finding> {
    diagnose(&Input {
        observations,
        evidence,
    })
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|x| x.code).collect()
}

fn primary<'a>(f: &'a [Finding], code: &str) -> &'a Finding {
    f.iter()
        .find(|x| x.code == code && x.role == Role::Primary)
        .unwrap_or_else(|| panic!("no primary {code} in {:?}", codes(f)))
}

fn evidence(config: ApiConfiguration) -> Evidence {
    let target = AwsTarget {
        api: ApiRef::Id("abc123".into()),
        stage: "prod".into(),
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: None,
        window: Window {
            start: 1_700_000_000,
            end: 1_700_003_600,
        },
        request_ids: Vec::new(),
        app_log_groups: Vec::new(),
    };
    let kind = match config {
        ApiConfiguration::Rest(_) => ApiKind::Rest,
        ApiConfiguration::Http(_) => ApiKind::Http,
    };
    let api = ApiIdentity {
        id: "abc123".into(),
        name: Some("shop".into()),
        kind,
        created: None,
    };
    let mut ev = Evidence::new(&target, "us-east-1", &api);
    ev.existence.stage = Collected::present(StageFacts {
        name: "prod".into(),
        ..Default::default()
    });
    ev.configuration = Collected::present(config);
    ev
}

fn method(verb: &str, itype: &str) -> RestMethod {
    RestMethod {
        http_method: verb.into(),
        authorization_type: Some("NONE".into()),
        integration: Some(RestIntegration {
            integration_type: Some(itype.into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn rest_config(resources: Vec<RestResource>) -> ApiConfiguration {
    ApiConfiguration::Rest(RestApiConfig {
        id: "abc123".into(),
        resources,
        gateway_responses: Collected::present(Vec::new()),
        ..Default::default()
    })
}

fn resource(path: &str, methods: Vec<RestMethod>) -> RestResource {
    RestResource {
        id: format!("res{}", path.len()),
        path: path.into(),
        has_options: methods.iter().any(|m| m.http_method == "OPTIONS"),
        methods,
    }
}

fn http_config(cors: Option<CorsConfiguration>) -> ApiConfiguration {
    ApiConfiguration::Http(HttpApiConfig {
        id: "abc123".into(),
        name: None,
        protocol_type: Some("HTTP".into()),
        api_endpoint: None,
        disable_execute_api_endpoint: false,
        cors: cors
            .map(Collected::present)
            .unwrap_or_else(|| Collected::absent("no CorsConfiguration")),
        routes: Collected::present(Vec::new()),
        integrations: Collected::present(Vec::new()),
        authorizers: Collected::present(Vec::new()),
    })
}

fn change(name: &str, at: &str, error: Option<&str>) -> ApiChangeEvent {
    ApiChangeEvent {
        event_time: at.into(),
        event_name: name.into(),
        username: Some("alice".into()),
        cors_relevant: true,
        error_code: error.map(str::to_string),
        ..Default::default()
    }
}

fn no_options(route: &str) -> Observation {
    obs(
        route,
        "POST",
        Some("PreflightMissingAllowOriginHeader"),
        Some(pre(403, &[MAT], MAT_BODY)),
        None,
    )
}

#[test]
fn diagnose_cp002_probe_only_missing_options_is_low_confidence_with_confirmation() {
    let f = run(vec![no_options("/items")], None);
    let x = primary(&f, "CP002");
    assert_eq!(format!("{:?}", x.confidence), "Low");
    assert!(!x.confirm_with.is_empty());
}

#[test]
fn diagnose_cp002_with_configuration_is_high_confidence_and_groups_routes() {
    let ev = evidence(rest_config(vec![
        resource("/a", vec![method("POST", "AWS_PROXY")]),
        resource("/b", vec![method("POST", "AWS_PROXY")]),
    ]));
    let f = run(vec![no_options("/a"), no_options("/b")], Some(ev));
    let x = primary(&f, "CP002");
    assert_eq!(x.routes.len(), 2);
    assert_eq!(format!("{:?}", x.confidence), "High");
    assert_eq!(f.iter().filter(|x| x.code == "CP002").count(), 1);
}

#[test]
fn diagnose_cp002_does_not_fire_when_the_draft_has_options() {
    let ev = evidence(rest_config(vec![resource(
        "/a",
        vec![method("OPTIONS", "MOCK"), method("POST", "AWS_PROXY")],
    )]));
    let f = run(vec![no_options("/a")], Some(ev));
    assert!(!codes(&f).contains(&"CP002"), "{:?}", codes(&f));
}

#[test]
fn diagnose_cp104_drift_on_the_route_is_primary() {
    let mut opt = method("OPTIONS", "MOCK");
    if let Some(i) = opt.integration.as_mut() {
        i.integration_responses
            .push(corsprobe::aws::evidence::IntegrationResponse {
                status_code: "200".into(),
                response_parameters: [(
                    "method.response.header.Access-Control-Allow-Origin".to_string(),
                    "'*'".to_string(),
                )]
                .into(),
                ..Default::default()
            });
    }
    let mut ev = evidence(rest_config(vec![resource(
        "/a",
        vec![opt, method("POST", "AWS_PROXY")],
    )]));
    ev.deployment = Collected::present(DeploymentEvidence {
        stage_deployment: Collected::present(DeploymentFacts {
            id: "d1".into(),
            created: Some("2026-11-26T00:00:00Z".into()),
            ..Default::default()
        }),
        drift: Collected::present(vec![DriftItem {
            path: "/a".into(),
            http_method: "OPTIONS".into(),
            change: DriftChange::NotDeployed,
        }]),
        ..Default::default()
    });
    let f = run(vec![no_options("/a")], Some(ev));
    assert_eq!(primary(&f, "CP104").routes[0].route, "/a");
}

#[test]
fn diagnose_cp101_groups_by_gateway_response_type() {
    let throttled = |r: &str| {
        obs(
            r,
            "GET",
            Some("MissingAllowOriginHeader"),
            None,
            Some(rest(
                429,
                &[("x-amzn-ErrorType", "TooManyRequestsException")],
                "{\"message\":\"Too Many Requests\"}",
            )),
        )
    };
    let f = run(vec![throttled("/a"), throttled("/b")], None);
    let x = primary(&f, "CP101");
    assert!(x.title.contains("THROTTLED"), "{}", x.title);
    assert_eq!(x.routes.len(), 2);
}

#[test]
fn diagnose_cp102_probe_only_preflight_401() {
    let o = obs(
        "/a",
        "POST",
        Some("PreflightMissingAllowOriginHeader"),
        Some(pre(
            401,
            &[("x-amzn-ErrorType", "UnauthorizedException")],
            "{\"message\":\"Unauthorized\"}",
        )),
        None,
    );
    primary(&run(vec![o], None), "CP102");
}

#[test]
fn diagnose_cp103_probe_only_preflight_403_forbidden() {
    let o = obs(
        "/a",
        "POST",
        Some("PreflightMissingAllowOriginHeader"),
        Some(pre(
            403,
            &[("x-amzn-ErrorType", "ForbiddenException")],
            "{\"message\":\"Forbidden\"}",
        )),
        None,
    );
    primary(&run(vec![o], None), "CP103");
}

#[test]
fn diagnose_cp004_and_cp113_split_far_and_near_origins() {
    let far = obs(
        "/a",
        "POST",
        Some("PreflightAllowOriginMismatch"),
        Some(pre(
            200,
            &[("Access-Control-Allow-Origin", "http://localhost:3000")],
            "",
        )),
        None,
    );
    let near = obs(
        "/b",
        "POST",
        Some("PreflightAllowOriginMismatch"),
        Some(pre(
            200,
            &[("Access-Control-Allow-Origin", "https://app.example.com/")],
            "",
        )),
        None,
    );
    let f = run(vec![far, near], None);
    assert_eq!(primary(&f, "CP004").routes[0].route, "/a");
    let n = primary(&f, "CP113");
    assert_eq!(n.routes[0].route, "/b");
    assert!(n.title.contains("trailing slash"), "{}", n.title);
}

#[test]
fn diagnose_cp113_http_names_the_configured_origin_that_differs_by_scheme() {
    let mut o = obs(
        "/a",
        "POST",
        Some("PreflightMissingAllowOriginHeader"),
        Some(http(204, &[], "")),
        None,
    );
    o.origin = "http://app.example.com".into();
    let ev = evidence(http_config(Some(CorsConfiguration {
        allow_origins: vec![O.into()],
        ..Default::default()
    })));
    let f = run(vec![o], Some(ev));
    assert!(primary(&f, "CP113").title.contains("by scheme"));
}

#[test]
fn diagnose_cp005_names_the_missing_header() {
    let mut o = obs(
        "/a",
        "POST",
        Some("HeaderDisallowedByPreflightResponse"),
        Some(pre(
            200,
            &[
                ("Access-Control-Allow-Origin", O),
                ("Access-Control-Allow-Headers", "Content-Type"),
            ],
            "",
        )),
        None,
    );
    o.request_headers = vec!["content-type".into(), "x-trace-id".into()];
    let f = run(vec![o], None);
    assert!(primary(&f, "CP005").title.contains("x-trace-id"));
}

#[test]
fn diagnose_cp006_probe_only_and_cp105_with_proxy_configuration() {
    let o = || {
        obs(
            "/a",
            "POST",
            Some("MissingAllowOriginHeader"),
            Some(pre(200, &[("Access-Control-Allow-Origin", O)], "")),
            Some(rest(200, &[], "{}")),
        )
    };
    primary(&run(vec![o()], None), "CP006");
    let ev = evidence(rest_config(vec![resource(
        "/a",
        vec![method("OPTIONS", "MOCK"), method("POST", "AWS_PROXY")],
    )]));
    let f = run(vec![o()], Some(ev));
    primary(&f, "CP105");
    assert!(!codes(&f).contains(&"CP006"));
}

#[test]
fn diagnose_cp007_credentials() {
    let mut o = obs(
        "/a",
        "GET",
        Some("InvalidAllowCredentials"),
        None,
        Some(rest(200, &[("Access-Control-Allow-Origin", O)], "")),
    );
    o.credentials = "include".into();
    primary(&run(vec![o], None), "CP007");
}

#[test]
fn diagnose_cp106_and_cp107_tell_two_lines_from_one_list() {
    let two = obs(
        "/a",
        "GET",
        Some("MultipleAllowOriginValues"),
        None,
        Some(rest(
            200,
            &[
                ("Access-Control-Allow-Origin", O),
                ("Access-Control-Allow-Origin", O),
            ],
            "",
        )),
    );
    let list = obs(
        "/b",
        "GET",
        Some("MultipleAllowOriginValues"),
        None,
        Some(rest(
            200,
            &[("Access-Control-Allow-Origin", "https://a.com,https://b.com")],
            "",
        )),
    );
    let f = run(vec![two, list], None);
    assert_eq!(primary(&f, "CP106").routes[0].route, "/a");
    assert_eq!(primary(&f, "CP107").routes[0].route, "/b");
}

#[test]
fn diagnose_cp108_needs_binary_media_types_and_cp109_takes_the_rest() {
    let o = || {
        obs(
            "/a",
            "POST",
            Some("PreflightMissingAllowOriginHeader"),
            Some(pre(
                500,
                &[("x-amzn-ErrorType", "InternalServerErrorException")],
                "{\"message\":\"Internal server error\"}",
            )),
            None,
        )
    };
    primary(&run(vec![o()], None), "CP109");
    let mut cfg = RestApiConfig {
        id: "abc123".into(),
        binary_media_types: vec!["*/*".into()],
        ..Default::default()
    };
    cfg.resources = vec![resource("/a", vec![method("OPTIONS", "MOCK")])];
    let f = run(vec![o()], Some(evidence(ApiConfiguration::Rest(cfg))));
    primary(&f, "CP108");
    assert!(!codes(&f).contains(&"CP109"));
}

#[test]
fn diagnose_cp110_http_preflight_401() {
    let o = obs(
        "/a",
        "POST",
        Some("PreflightInvalidStatus"),
        Some(http(
            401,
            &[("Access-Control-Allow-Origin", O)],
            "{\"message\":\"Unauthorized\"}",
        )),
        None,
    );
    primary(&run(vec![o], None), "CP110");
}

#[test]
fn diagnose_cp111_wildcard_with_credentials() {
    let o = obs(
        "/a",
        "GET",
        Some("WildcardOriginNotAllowed"),
        None,
        Some(rest(200, &[("Access-Control-Allow-Origin", "*")], "")),
    );
    primary(&run(vec![o], None), "CP111");
}

#[test]
fn diagnose_cp112_missing_route_is_primary_and_cp101_contributes() {
    let o = obs(
        "/nope",
        "GET",
        Some("MissingAllowOriginHeader"),
        None,
        Some(rest(403, &[MAT], MAT_BODY)),
    );
    let f = run(vec![o], None);
    primary(&f, "CP112");
    assert!(f
        .iter()
        .any(|x| x.code == "CP101" && x.role == Role::Contributing));
}

#[test]
fn diagnose_cp001_and_cp003_time_and_who() {
    let mut ev = evidence(rest_config(vec![resource(
        "/a",
        vec![method("POST", "AWS_PROXY")],
    )]));
    ev.metrics = Collected::present(MetricsEvidence {
        error_rises: vec![ErrorRise {
            metric_name: "4XXError".into(),
            timestamp: "2026-11-26T01:05:00Z".into(),
            value: 7.0,
            previous: 0.0,
        }],
        ..Default::default()
    });
    ev.cloudtrail = Collected::present(CloudTrailEvidence {
        events: vec![
            change("DeleteMethod", "2026-11-26T01:00:00Z", None),
            change("CreateDeployment", "2026-11-26T01:01:00Z", None),
        ],
        ..Default::default()
    });
    let f = run(vec![no_options("/a")], Some(ev));
    let c1 = f.iter().find(|x| x.code == "CP001").expect("CP001");
    assert_eq!(c1.role, Role::Contributing);
    let c3 = f.iter().find(|x| x.code == "CP003").expect("CP003");
    assert!(c3.title.contains("alice"), "{}", c3.title);
    assert_eq!(format!("{:?}", c3.confidence), "High");
    primary(&f, "CP002");
}

#[test]
fn diagnose_cp114_console_errors_after_the_fix() {
    let mut ev = evidence(rest_config(vec![resource(
        "/a",
        vec![method("POST", "AWS_PROXY")],
    )]));
    ev.cloudtrail = Collected::present(CloudTrailEvidence {
        events: vec![change(
            "PutIntegrationResponse",
            "2026-11-26T01:00:00Z",
            None,
        )],
        ..Default::default()
    });
    ev.application_logs = vec![Collected::present(LogFindings {
        log_group: "/frontend".into(),
        console_errors: vec![ConsoleErrorGroup {
            browser: "chromium".into(),
            origin: Some(O.into()),
            url: Some(format!("{URL}/a")),
            count: 3,
            first_seen: "2026-11-26T00:50:00Z".into(),
            last_seen: "2026-11-26T01:20:00Z".into(),
            ..Default::default()
        }],
        ..Default::default()
    })];
    let ok = obs(
        "/a",
        "POST",
        None,
        Some(pre(
            200,
            &[
                ("Access-Control-Allow-Origin", O),
                ("Access-Control-Max-Age", "7200"),
            ],
            "",
        )),
        Some(rest(200, &[("Access-Control-Allow-Origin", O)], "")),
    );
    let f = run(vec![ok], Some(ev));
    assert_eq!(codes(&f), vec!["CP114"]);
}

#[test]
fn diagnose_fallback_takes_what_no_case_explains() {
    let o = obs(
        "/a",
        "POST",
        Some("PreflightDisallowedRedirect"),
        Some(pre(302, &[("Location", "/x")], "")),
        None,
    );
    let f = run(vec![o], None);
    let x = primary(&f, "CP008");
    assert_eq!(
        serde_json::to_value(x.runbook_case).ok(),
        Some(serde_json::json!("fallback"))
    );
}

#[test]
fn diagnose_allowed_and_network_errors_give_no_findings() {
    let mut net = obs("/a", "GET", None, None, None);
    net.network_error = true;
    let ok = obs(
        "/b",
        "GET",
        None,
        None,
        Some(rest(200, &[("Access-Control-Allow-Origin", O)], "")),
    );
    assert!(run(vec![net, ok], None).is_empty());
}

#[test]
fn diagnose_output_is_deterministic_whatever_the_input_order() {
    let a = vec![
        no_options("/a"),
        obs(
            "/b",
            "GET",
            Some("WildcardOriginNotAllowed"),
            None,
            Some(rest(200, &[("Access-Control-Allow-Origin", "*")], "")),
        ),
        no_options("/c"),
    ];
    let mut b = a.clone();
    b.reverse();
    let ja = serde_json::to_string(&run(a, None)).unwrap_or_default();
    let jb = serde_json::to_string(&run(b, None)).unwrap_or_default();
    assert_eq!(ja, jb);
}

#[test]
fn diagnose_catalogue_codes_are_unique_and_every_case_file_has_the_fixed_doc_sections() {
    let cat = corsprobe::diagnose::cases::catalogue();
    let mut seen = std::collections::BTreeSet::new();
    for m in &cat {
        assert!(seen.insert(m.code), "duplicate {}", m.code);
    }
    let runbook: Vec<_> = cat.iter().filter_map(|m| m.runbook_case).collect();
    assert_eq!(runbook.len(), 8, "runbook cases 1-7 and the fallback");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnose/cases");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("cases dir") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n == "mod.rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("read");
        for section in [
            "## What it finds",
            "## Why the browser blocks",
            "## Typical AWS causes",
            "## Evidence used",
            "## The fix",
            "## References",
        ] {
            assert!(text.contains(section), "{} lacks {section}", path.display());
        }
        assert!(
            cat.iter()
                .any(|m| text.contains(&format!("code: \"{}\"", m.code))),
            "{}",
            path.display()
        );
    }
    assert_eq!(files, cat.len(), "one file per case");
}

#[test]
fn diagnose_human_report_matches_golden() {
    let mut ev = evidence(rest_config(vec![resource(
        "/items",
        vec![method("POST", "AWS_PROXY")],
    )]));
    ev.cloudtrail = Collected::present(CloudTrailEvidence {
        events: vec![
            change("DeleteMethod", "2026-11-26T01:00:00Z", None),
            change("CreateDeployment", "2026-11-26T01:01:00Z", None),
        ],
        ..Default::default()
    });
    let throttled = obs(
        "/orders",
        "GET",
        Some("MissingAllowOriginHeader"),
        None,
        Some(rest(
            429,
            &[("x-amzn-ErrorType", "TooManyRequestsException")],
            "{\"message\":\"Too Many Requests\"}",
        )),
    );
    let f = run(vec![no_options("/items"), throttled], Some(ev));
    let mut out = Vec::new();
    corsprobe::report::findings::write_findings(&mut out, &f).expect("write");
    let got = String::from_utf8_lossy(&out).into_owned();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/diagnose.txt");
    if std::env::var_os("CORSPROBE_BLESS").is_some() {
        std::fs::write(&path, &got).expect("write golden");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "re-bless with CORSPROBE_BLESS=1");
}

#[test]
fn diagnose_cp101_forbidden_on_a_stage_with_a_web_acl_is_waf() {
    let mut ev = evidence(rest_config(vec![resource(
        "/a",
        vec![method("GET", "AWS_PROXY")],
    )]));
    ev.existence.stage = Collected::present(StageFacts {
        name: "prod".into(),
        web_acl_arn: Some("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1".into()),
        ..Default::default()
    });
    let o = obs(
        "/a",
        "GET",
        Some("MissingAllowOriginHeader"),
        None,
        Some(rest(
            403,
            &[("x-amzn-ErrorType", "ForbiddenException")],
            "{\"message\":\"Forbidden\"}",
        )),
    );
    let f = run(vec![o], Some(ev));
    assert!(primary(&f, "CP101").title.contains("WAF_FILTERED"));
}
