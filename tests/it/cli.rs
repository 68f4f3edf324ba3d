//! End-to-end tests of `corsprobe check` and `corsprobe run` against real loopback servers.

use crate::harness::{corsprobe, corsprobe_json, json_headers, Reply, Server};

const O: &str = "http://app.example.test";

fn check(server: &Server, path: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let url = server.url(path);
    let mut args = vec![
        "check",
        url.as_str(),
        "--origin",
        O,
        "--format",
        "json",
        "--no-rate-limit",
    ];
    args.extend_from_slice(extra);
    corsprobe_json(&args)
}

#[test]
fn check_duplicate_allow_origin_lines_are_recorded_in_wire_order_and_block() {
    let s = Server::start(vec![(
        None,
        "/dup",
        Reply::new(
            "200 OK",
            &[
                "Access-Control-Allow-Origin: http://app.example.test",
                "X-Between: 1",
                "access-control-allow-origin: http://app.example.test",
            ],
        ),
    )]);
    let (code, v) = check(&s, "/dup", &[]);
    assert_eq!(code, 1);
    assert_eq!(v["cors_error"], "MultipleAllowOriginValues");
    assert_eq!(
        v["failed_parameter"],
        "http://app.example.test, http://app.example.test"
    );
    let h = json_headers(&v["actual"], "response");
    let names: Vec<&str> = h.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[..3],
        &[
            "Access-Control-Allow-Origin",
            "X-Between",
            "access-control-allow-origin"
        ]
    );
}

#[test]
fn check_preflight_sent_exactly_as_chromium_builds_it() {
    let s = Server::start(vec![
        (
            Some("OPTIONS"),
            "/items",
            Reply::new(
                "204 No Content",
                &[
                    "Access-Control-Allow-Origin: http://app.example.test",
                    "Access-Control-Allow-Methods: PUT",
                    "Access-Control-Allow-Headers: content-type,x-b,x-a",
                ],
            ),
        ),
        (
            Some("PUT"),
            "/items",
            Reply::new(
                "200 OK",
                &["Access-Control-Allow-Origin: http://app.example.test"],
            ),
        ),
    ]);
    let (code, v) = check(
        &s,
        "/items",
        &[
            "-X",
            "put",
            "-H",
            "X-B: 1",
            "-H",
            "Content-Type: application/json",
            "-H",
            "x-a: 2",
            "-H",
            "Authorization: Bearer secret-token",
            "--cookie",
            "sid=abc",
            "--credentials",
            "omit",
            "--allow-unsafe",
        ],
    );
    assert_eq!(code, 1, "{v}");
    // Authorization is not in Access-Control-Allow-Headers.
    assert_eq!(v["cors_error"], "HeaderDisallowedByPreflightResponse");
    assert_eq!(v["failed_parameter"], "authorization");
    let got = s.received();
    let pre = &got[0];
    assert_eq!(pre.method, "OPTIONS");
    assert_eq!(pre.header("Access-Control-Request-Method"), Some("PUT"));
    assert_eq!(
        pre.header("Access-Control-Request-Headers"),
        Some("authorization,content-type,x-a,x-b")
    );
    assert_eq!(pre.header("Accept"), Some("*/*"));
    assert_eq!(pre.header("Origin"), Some(O));
    assert_eq!(
        pre.header("Authorization"),
        None,
        "never credentials on a preflight"
    );
    assert_eq!(
        pre.header("Cookie"),
        None,
        "never credentials on a preflight"
    );
    assert_eq!(
        pre.header("X-B"),
        None,
        "author headers are not copied to the preflight"
    );
    assert_eq!(got.len(), 1, "blocked after the preflight");
    // Secrets never printed.
    let text = v.to_string();
    assert!(!text.contains("secret-token"), "{text}");
}

#[test]
fn check_unsafe_method_is_held_back_by_default() {
    let s = Server::start(vec![
        (
            Some("OPTIONS"),
            "/x",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: *",
                    "Access-Control-Allow-Methods: DELETE",
                ],
            ),
        ),
        (
            Some("DELETE"),
            "/x",
            Reply::new("200 OK", &["Access-Control-Allow-Origin: *"]),
        ),
    ]);
    let (code, v) = check(&s, "/x", &["-X", "DELETE"]);
    assert_eq!(code, 0);
    assert_eq!(v["outcome"], "not_sent");
    assert!(v["actual"].is_null());
    assert_eq!(
        s.received()
            .iter()
            .map(|r| r.method.as_str())
            .collect::<Vec<_>>(),
        vec!["OPTIONS"]
    );
    let (code, v) = check(&s, "/x", &["-X", "DELETE", "--allow-unsafe"]);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("allowed")));
}

#[test]
fn check_cross_origin_redirect_taints_origin_and_drops_credentials() {
    let b = Server::start(vec![(
        None,
        "/final",
        Reply::new(
            "200 OK",
            &[
                "Access-Control-Allow-Origin: null",
                "Access-Control-Allow-Credentials: true",
            ],
        ),
    )]);
    let loc = format!("Location: http://127.0.0.1:{}/final", b.addr.port());
    let a = Server::start(vec![(
        None,
        "/start",
        Reply::new(
            "302 Found",
            &[
                loc.as_str(),
                "Access-Control-Allow-Origin: http://app.example.test",
                "Access-Control-Allow-Credentials: true",
            ],
        ),
    )]);
    let (code, v) = check(
        &a,
        "/start",
        &[
            "--credentials",
            "include",
            "--cookie",
            "sid=1",
            "--cookie-samesite",
            "none",
            "-H",
            "Accept: application/json",
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"], "allowed");
    let a_req = &a.received()[0];
    assert_eq!(a_req.header("Cookie"), Some("sid=1"));
    let b_req = &b.received()[0];
    assert_eq!(
        b_req.header("Origin"),
        Some("null"),
        "tainted origin after a cross-origin redirect"
    );
    assert_eq!(
        b_req.header("Cookie"),
        None,
        "cookies never follow a redirect to another host"
    );
}

#[test]
fn check_redirected_preflight_is_an_error_even_with_allow_origin() {
    let s = Server::start(vec![(
        Some("OPTIONS"),
        "/api",
        Reply::new(
            "301 Moved Permanently",
            &["Location: /api/", "Access-Control-Allow-Origin: *"],
        ),
    )]);
    let (code, v) = check(&s, "/api", &["-H", "X-Custom: 1"]);
    assert_eq!(code, 1);
    assert_eq!(v["cors_error"], "PreflightDisallowedRedirect");
    assert_eq!(v["console_message"], format!("Access to fetch at '{}' from origin '{O}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.", s.url("/api")));
}

#[test]
fn check_timeout_is_a_network_error_not_cors() {
    let mut slow = Reply::new("200 OK", &["Access-Control-Allow-Origin: *"]);
    slow.delay = Some(std::time::Duration::from_secs(3));
    let s = Server::start(vec![(None, "/slow", slow)]);
    let (code, v) = check(&s, "/slow", &["--timeout", "0.3"]);
    assert_eq!(code, 2);
    assert_eq!(v["outcome"], "error");
    assert!(v["cors_error"].is_null());
    assert_eq!(v["network_error"]["kind"], "timeout");
}

#[test]
fn check_connection_refused_is_classified() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let url = format!("http://127.0.0.1:{port}/");
    let (code, v) = corsprobe_json(&["check", &url, "--origin", O, "--format", "json"]);
    assert_eq!(code, 2);
    assert_eq!(v["network_error"]["kind"], "connect");
}

#[test]
fn check_chunked_bodies_and_keep_alive_reuse() {
    let mut r = Reply::new(
        "200 OK",
        &[
            "Access-Control-Allow-Origin: *",
            "Access-Control-Expose-Headers: X-Total",
            "X-Total: 3",
        ],
    )
    .body("hello chunked world");
    r.chunked = true;
    let s = Server::start(vec![
        (
            Some("OPTIONS"),
            "/c",
            Reply::new(
                "204 No Content",
                &[
                    "Access-Control-Allow-Origin: *",
                    "Access-Control-Allow-Headers: x-k",
                ],
            ),
        ),
        (Some("GET"), "/c", r),
    ]);
    let (code, v) = check(&s, "/c", &["-H", "X-K: 1"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["actual"]["response"]["body_prefix"],
        "hello chunked world"
    );
    assert_eq!(v["readable_headers"], serde_json::json!(["x-total"]));
    let got = s.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].conn, got[1].conn,
        "the actual request reuses the preflight's connection"
    );
    assert_eq!(v["actual"]["timings"]["reused"], true);
}

#[test]
fn check_resolve_keeps_host_name() {
    let s = Server::start(vec![(
        None,
        "/r",
        Reply::new(
            "200 OK",
            &["Access-Control-Allow-Origin: http://app.example.test"],
        ),
    )]);
    let url = format!("http://api.example.test:{}/r", s.addr.port());
    let resolve = format!("api.example.test:{}:127.0.0.1", s.addr.port());
    let (code, v) = corsprobe_json(&[
        "check",
        &url,
        "--origin",
        O,
        "--resolve",
        &resolve,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        s.received()[0].header("Host"),
        Some(format!("api.example.test:{}", s.addr.port()).as_str())
    );
}

#[test]
fn check_human_output_shows_reason_and_console_message() {
    let s = Server::start(vec![(
        None,
        "/h",
        Reply::new(
            "403 Forbidden",
            &["x-amzn-ErrorType: MissingAuthenticationTokenException"],
        ),
    )]);
    let url = s.url("/h");
    let out = corsprobe(&[
        "check",
        &url,
        "--origin",
        O,
        "-H",
        "Content-Type: application/json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.starts_with("✘ blocked GET "), "{text}");
    assert!(text.contains("PreflightMissingAllowOriginHeader the preflight response (status 404) has no Access-Control-Allow-Origin header") || text.contains("PreflightMissingAllowOriginHeader the preflight response (status 403)"), "{text}");
    assert!(text.contains("console: Access to fetch at"), "{text}");
}

#[test]
fn check_bad_input_exits_2_with_clear_error() {
    let out = corsprobe(&[
        "check",
        "http://127.0.0.1:1/",
        "--origin",
        "https://app.example.com/login",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "corsprobe: --origin: `https://app.example.com/login` is not an origin: it has a path, query or fragment (did you mean `https://app.example.com`?)");
}

#[test]
fn run_probe_file_errors_name_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("corsprobe-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.toml");
    std::fs::write(&f, "target = \"http://127.0.0.1:1\"\norigins = [\"https://a.com\"]\n\n[[route]]\npath = \"/x\"\nmethods = [\"GET\"]\nexpect = \"maybe\"\n").unwrap();
    let out = corsprobe(&["run", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "corsprobe: {}:7: expect: unknown variant `maybe`, expected `allow` or `block`",
            f.display()
        )),
        "{err}"
    );
}

#[test]
fn run_matrix_reports_expectations_and_exit_code() {
    let s = Server::start(vec![
        (
            Some("OPTIONS"),
            "/prod/ok",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: https://app.example.com",
                    "Access-Control-Allow-Headers: content-type",
                    "Vary: Origin",
                ],
            ),
        ),
        (
            Some("GET"),
            "/prod/ok",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: https://app.example.com",
                    "Vary: Origin",
                ],
            ),
        ),
    ]);
    let dir = std::env::temp_dir().join(format!("corsprobe-it-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("p.toml");
    std::fs::write(&f, format!("target = \"{}\"\norigins = [\"https://app.example.com\"]\nvariants = [\"sibling\"]\n\n[[route]]\npath = \"/ok\"\ncontent_type = \"application/json\"\nexpect = \"allow\"\nexpect_origins = {{ \"https://evil.example.com\" = \"block\" }}\n", s.url("/prod"))).unwrap();
    let (code, v) = corsprobe_json(&[
        "run",
        f.to_str().unwrap(),
        "--format",
        "json",
        "--no-rate-limit",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["total"], 2);
    assert_eq!(v["results"][0]["origin"], "https://app.example.com");
    assert_eq!(v["results"][0]["outcome"], "allowed");
    assert_eq!(v["results"][1]["origin"], "https://evil.example.com");
    assert_eq!(
        v["results"][1]["cors_error"],
        "PreflightAllowOriginMismatch"
    );
    assert_eq!(v["results"][1]["as_expected"], true);
}

#[test]
fn shipped_probe_files_all_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("probes");
    let env = |_: &str| Some("test-value".to_string());
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let src = std::fs::read_to_string(&p).unwrap();
            let suite = corsprobe::probe::suite::parse_suite(&p, &src, &env)
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
            assert!(
                !corsprobe::probe::plan(&suite).is_empty(),
                "{} plans nothing",
                p.display()
            );
            n += 1;
        }
    }
    assert!(n >= 3, "expected several shipped probe files, found {n}");
}
