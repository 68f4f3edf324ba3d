//! The pure parts of the collectors: the null-template repair, log-line classification, console
//! message parsing, route samples, time parsing.

use corsprobe::aws::apigateway::repair_null_templates;
use corsprobe::aws::cloudwatchlogs::{
    classify_line, lambda_function_of, log_group_from_arn, parse_console_error, request_id_of,
};
use corsprobe::aws::evidence::LineKind;
use corsprobe::aws::{parse_time, routes::sample_value};

#[test]
fn aws_null_template_repair_fills_nulls_in_template_maps_only() {
    let body = br#"{"statusCode":"200","responseTemplates":{"application/json":null},"responseParameters":{"a":"'x'"},"other":null}"#;
    let fixed: serde_json::Value =
        serde_json::from_slice(&repair_null_templates(body).expect("repaired")).expect("json");
    assert_eq!(fixed["responseTemplates"]["application/json"], "");
    assert!(
        fixed["other"].is_null(),
        "nulls outside template maps are left alone"
    );
    assert_eq!(
        repair_null_templates(br#"{"responseTemplates":{"application/json":"{}"}}"#),
        None
    );
    assert_eq!(repair_null_templates(b"<html>null</html>"), None);
}

#[test]
fn aws_console_messages_of_three_browsers_are_parsed() {
    let c = parse_console_error("Access to fetch at 'https://a.example/x' from origin 'https://app.example' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.").expect("chromium");
    assert_eq!(
        (c.browser, c.origin.as_deref(), c.url.as_deref()),
        (
            "chromium",
            Some("https://app.example"),
            Some("https://a.example/x")
        )
    );
    assert!(c.reason.as_deref().is_some_and(|r| r.contains("wildcard")));
    let f = parse_console_error("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://a.example/x. (Reason: CORS header 'Access-Control-Allow-Origin' missing). Status code: 403.").expect("firefox");
    assert_eq!(
        (f.browser, f.url.as_deref()),
        ("firefox", Some("https://a.example/x"))
    );
    assert_eq!(
        f.reason.as_deref(),
        Some("CORS header 'Access-Control-Allow-Origin' missing")
    );
    let s = parse_console_error("[Error] Origin https://app.example is not allowed by Access-Control-Allow-Origin. Status code: 401").expect("safari");
    assert_eq!(
        (s.browser, s.origin.as_deref()),
        ("safari", Some("https://app.example"))
    );
    let s2 = parse_console_error(
        "Fetch API cannot load https://a.example/x due to access control checks.",
    )
    .expect("safari");
    assert_eq!(s2.url.as_deref(), Some("https://a.example/x"));
    assert_eq!(parse_console_error("GET /items 200"), None);
}

#[test]
fn aws_log_lines_are_classified() {
    assert_eq!(
        classify_line(
            r#"{"httpMethod":"OPTIONS","status":403,"responseType":"MISSING_AUTHENTICATION_TOKEN"}"#
        ),
        [
            LineKind::Preflight,
            LineKind::ClientError,
            LineKind::GatewayResponse
        ]
    );
    assert_eq!(
        classify_line("(abc) Method completed with status: 502"),
        [LineKind::ServerError]
    );
    assert_eq!(
        classify_line("1.2.3.4 - - [26/Nov/2026] \"OPTIONS /prod/items HTTP/1.1\" 403 42"),
        [LineKind::Preflight, LineKind::ClientError]
    );
    assert_eq!(
        classify_line(
            "(abc) Execution failed due to configuration error: Malformed Lambda proxy response"
        ),
        [LineKind::ExecutionFailure]
    );
    assert!(classify_line("INFO all good").is_empty());
    assert_eq!(
        request_id_of("(8d41-aa) Starting execution").as_deref(),
        Some("8d41-aa")
    );
    assert_eq!(
        request_id_of(r#"{"requestId":"r-1"}"#).as_deref(),
        Some("r-1")
    );
}

#[test]
fn aws_arns_name_log_groups_and_functions() {
    assert_eq!(
        log_group_from_arn("arn:aws:logs:us-east-1:1:log-group:/api/access:*").as_deref(),
        Some("/api/access")
    );
    assert_eq!(
        lambda_function_of("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:fn-a:live/invocations").as_deref(),
        Some("fn-a")
    );
    assert_eq!(lambda_function_of("https://backend.example.com"), None);
}

#[test]
fn aws_route_samples_and_times() {
    assert_eq!(sample_value("userId", false), "1");
    assert_eq!(
        sample_value("uuid", false),
        "00000000-0000-4000-8000-000000000000"
    );
    assert_eq!(sample_value("proxy", true), "corsprobe/sample");
    assert_eq!(sample_value("slug", false), "sample");
    assert_eq!(parse_time("2h", 10_000), Ok(2_800));
    assert_eq!(parse_time("2026-11-26T00:00:00Z", 0), Ok(1_795_651_200));
    assert!(parse_time("yesterday", 0).is_err());
}
