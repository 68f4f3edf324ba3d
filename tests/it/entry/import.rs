//! `check --from-curl` (Chrome and Firefox, bash and cmd) and `check --har` (a HAR captured from
//! real headless Chromium through the DevTools protocol): the rebuilt request goes on the wire as
//! the browser sent it.

use std::process::Command;

use super::{scratch, tool};
use crate::harness::{corsprobe_json, Received, Reply, Server};

fn api() -> Server {
    Server::start(vec![
        (
            Some("OPTIONS"),
            "/prod/items/42",
            Reply::new(
                "204 No Content",
                &[
                    "Access-Control-Allow-Origin: https://app.example.com",
                    "Access-Control-Allow-Credentials: true",
                    "Access-Control-Allow-Methods: PUT",
                    "Access-Control-Allow-Headers: content-type, x-trace-id",
                ],
            ),
        ),
        (
            Some("PUT"),
            "/prod/items/42",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: https://app.example.com",
                    "Access-Control-Allow-Credentials: true",
                ],
            ),
        ),
    ])
}

fn chrome_bash(url: &str) -> String {
    format!(
        r#"curl '{url}' \
  -X 'PUT' \
  -H 'accept: */*' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'sid=42; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/' \
  -H 'sec-ch-ua: "Chromium";v="148", "Not/A)Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: cross-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36' \
  -H 'x-trace-id: abc123' \
  --data-raw $'{{"note":"it\'s 100%"}}'"#
    )
}

fn chrome_cmd(url: &str) -> String {
    format!(
        r#"curl ^"{url}^" ^
  -X ^"PUT^" ^
  -H ^"accept: */*^" ^
  -H ^"accept-language: en-US,en;q=0.9^" ^
  -H ^"content-type: application/json^" ^
  -b ^"sid=42; theme=dark^" ^
  -H ^"origin: https://app.example.com^" ^
  -H ^"priority: u=1, i^" ^
  -H ^"referer: https://app.example.com/^" ^
  -H ^"sec-ch-ua: ^\^"Chromium^\^";v=^\^"148^\^", ^\^"Not/A)Brand^\^";v=^\^"24^\^"^" ^
  -H ^"sec-fetch-dest: empty^" ^
  -H ^"sec-fetch-mode: cors^" ^
  -H ^"sec-fetch-site: cross-site^" ^
  -H ^"user-agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36^" ^
  -H ^"x-trace-id: abc123^" ^
  --data-raw ^"^{{^\^"note^\^":^\^"it's 100^%^\^"^}}^""#
    )
}

fn firefox_bash(url: &str) -> String {
    format!(
        r#"curl '{url}' -X PUT -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' -H 'x-trace-id: abc123' -H 'Origin: https://app.example.com' -H 'Connection: keep-alive' -H 'Referer: https://app.example.com/' -H 'Cookie: sid=42; theme=dark' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: cross-site' -H 'Priority: u=0' --data-raw $'{{"note":"it\'s 100%"}}'"#
    )
}

fn firefox_cmd(url: &str) -> String {
    format!(
        r#"curl ^"{url}^" -X PUT -H ^"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0^" -H ^"Accept: */*^" -H ^"Accept-Language: en-US,en;q=0.5^" -H ^"Accept-Encoding: gzip, deflate, br, zstd^" -H ^"Content-Type: application/json^" -H ^"x-trace-id: abc123^" -H ^"Origin: https://app.example.com^" -H ^"Connection: keep-alive^" -H ^"Referer: https://app.example.com/^" -H ^"Cookie: sid=42; theme=dark^" -H ^"Sec-Fetch-Dest: empty^" -H ^"Sec-Fetch-Mode: cors^" -H ^"Sec-Fetch-Site: cross-site^" -H ^"Priority: u=0^" --data-raw ^"^{{^\^"note^\^":^\^"it's 100^%^\^"^}}^""#
    )
}

/// The headers that matter, lowercase names, in wire order.
fn cors_relevant(r: &Received) -> Vec<(String, String)> {
    r.headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .filter(|(n, _)| {
            matches!(
                n.as_str(),
                "origin"
                    | "access-control-request-method"
                    | "access-control-request-headers"
                    | "content-type"
                    | "x-trace-id"
                    | "cookie"
                    | "content-length"
            )
        })
        .collect()
}

#[test]
fn import_curl_chrome_and_firefox_bash_and_cmd_send_the_same_requests() {
    type Sent = Vec<(String, String, Vec<(String, String)>)>;
    let mut seen: Vec<(String, Sent)> = Vec::new();
    for (flavour, make) in [
        ("chrome bash", chrome_bash as fn(&str) -> String),
        ("chrome cmd", chrome_cmd),
        ("firefox bash", firefox_bash),
        ("firefox cmd", firefox_cmd),
    ] {
        let s = api();
        let cmd = make(&s.url("/prod/items/42"));
        let (code, v) = corsprobe_json(&[
            "check",
            "--from-curl",
            &cmd,
            "--allow-unsafe",
            "--no-rate-limit",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{flavour}: {v}");
        assert_eq!(v["outcome"], "allowed", "{flavour}");
        assert_eq!(v["origin"], "https://app.example.com", "{flavour}");
        assert_eq!(v["credentials"], "include", "{flavour}");
        let got: Vec<_> = s
            .received()
            .iter()
            .map(|r| (r.method.clone(), r.path.clone(), cors_relevant(r)))
            .collect();
        assert_eq!(got.len(), 2, "{flavour}: {got:?}");
        seen.push((flavour.to_string(), got));
    }
    let (_, first) = &seen[0];
    let pre = &first[0].2;
    assert_eq!(first[0].0, "OPTIONS");
    assert!(pre.contains(&("access-control-request-method".into(), "PUT".into())));
    assert!(pre.contains(&(
        "access-control-request-headers".into(),
        "content-type,x-trace-id".into()
    )));
    let actual = &first[1].2;
    assert!(actual.contains(&("cookie".into(), "sid=42; theme=dark".into())));
    assert!(actual.contains(&("x-trace-id".into(), "abc123".into())));
    // {"note":"it's 100%"} is 20 bytes.
    assert!(
        actual.contains(&("content-length".into(), "20".into())),
        "{actual:?}"
    );
    for (flavour, got) in &seen[1..] {
        assert_eq!(got, first, "{flavour} differs from chrome bash");
    }
}

#[test]
fn import_curl_without_origin_needs_the_origin_flag() {
    let s = api();
    let out =
        crate::harness::corsprobe(&["check", "--from-curl", &format!("curl '{}'", s.url("/x"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --origin"));
    assert!(s.received().is_empty());
}

/// Captures a HAR from headless Chromium: a page served on `page_port` calls the API with
/// fetch() (JSON body, a custom header, credentials: 'include', a cookie held for the API host).
/// Returns the HAR text, or `None` (skip) without Chromium or Node outside CI.
pub fn capture_har(api_base: &str, page_port: u16, dir: &std::path::Path) -> Option<String> {
    let chromium = tool("CORSPROBE_CHROMIUM", &["chromium", "/usr/bin/chromium"])?;
    let node = tool("CORSPROBE_NODE", &["node"])?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/entry/cdp.mjs");
    let har = dir.join("captured.har");
    let out = Command::new(node)
        .arg(script)
        .arg("har")
        .arg(&chromium)
        .arg(api_base)
        .arg(page_port.to_string())
        .arg(&har)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "HAR capture failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(std::fs::read_to_string(&har).expect("HAR written"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[test]
fn import_har_from_real_chromium_replays_what_chromium_sent() {
    let page_port = free_port();
    let page = format!("http://127.0.0.1:{page_port}");
    let acao = format!("Access-Control-Allow-Origin: {page}");
    let s = Server::start(vec![
        (
            Some("OPTIONS"),
            "/prod/items",
            Reply::new(
                "204 No Content",
                &[
                    &acao,
                    "Access-Control-Allow-Credentials: true",
                    "Access-Control-Allow-Methods: POST",
                    "Access-Control-Allow-Headers: content-type, x-trace-id",
                ],
            ),
        ),
        (
            Some("POST"),
            "/prod/items",
            Reply::new(
                "201 Created",
                &[&acao, "Access-Control-Allow-Credentials: true"],
            )
            .body("{}"),
        ),
    ]);
    let dir = scratch("har");
    let Some(har) = capture_har(&s.url(""), page_port, &dir) else {
        return;
    };
    let by_chromium = s.received();
    let methods: Vec<&str> = by_chromium.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "POST"], "what Chromium sent");
    let v: serde_json::Value = serde_json::from_str(&har).expect("HAR is JSON");
    let types: Vec<&str> = v["log"]["entries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["_resourceType"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        types.contains(&"fetch") && types.contains(&"preflight"),
        "{types:?}"
    );
    let file = dir.join("captured.har");

    let (code, v) = corsprobe_json(&[
        "check",
        "--har",
        file.to_str().unwrap_or_default(),
        "--url-contains",
        "/prod/items",
        "--allow-unsafe",
        "--no-rate-limit",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"], "allowed");
    assert_eq!(v["method"], "POST");
    assert_eq!(v["origin"], page.as_str());
    assert_eq!(v["credentials"], "include");
    let by_corsprobe = s.received()[2..].to_vec();
    let methods: Vec<&str> = by_corsprobe.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "POST"], "what corsprobe sent");
    for (c, p) in by_chromium.iter().zip(&by_corsprobe) {
        assert_eq!(
            cors_relevant(c),
            cors_relevant(p),
            "{} as Chromium and corsprobe sent it",
            c.method
        );
    }
    assert_eq!(by_corsprobe[1].header("cookie"), Some("sid=42"));
}
