//! `run --save` and `judge`: secrets never reach the file, re-judging opens no socket, and
//! Firefox's and Safari's documented differences show up.

use std::process::Command;

use super::scratch;
use crate::harness::{Reply, Server};

const COOKIE: &str = "sid=s3cr3t-cookie-value";
const TOKEN: &str = "Bearer tok3n-abc.def";

fn server() -> Server {
    let allow = |methods: &str| -> Vec<String> {
        vec![
            "Access-Control-Allow-Origin: http://app.example.test".into(),
            "Access-Control-Allow-Credentials: true".into(),
            format!("Access-Control-Allow-Methods: {methods}"),
            "Access-Control-Allow-Headers: authorization, content-type".into(),
            "Access-Control-Max-Age: 86400".into(),
        ]
    };
    let refs = |v: &[String]| -> Reply {
        let r: Vec<&str> = v.iter().map(String::as_str).collect();
        Reply::new("204 No Content", &r)
    };
    Server::start(vec![
        (Some("OPTIONS"), "/cached", refs(&allow("PUT"))),
        (
            Some("PUT"),
            "/cached",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: http://app.example.test",
                    "Access-Control-Allow-Credentials: true",
                    "Set-Cookie: sid=rotated-secret; Path=/; HttpOnly",
                ],
            ),
        ),
        (
            Some("OPTIONS"),
            "/orders",
            Reply::new("403 Forbidden", &["Content-Type: application/json"]),
        ),
    ])
}

fn judge(file: &std::path::Path, browser: &str) -> (i32, serde_json::Value) {
    crate::harness::corsprobe_json(&[
        "judge",
        file.to_str().unwrap_or_default(),
        "--browser",
        browser,
        "--format",
        "json",
    ])
}

fn by_path<'a>(v: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    v["results"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["url"].as_str().is_some_and(|u| u.ends_with(path)))
        })
        .unwrap_or_else(|| panic!("no result for {path}: {v}"))
}

fn codes(r: &serde_json::Value) -> Vec<String> {
    r["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn replay_saved_run_is_redacted_and_rejudged_offline_per_browser() {
    let s = server();
    let dir = scratch("replay");
    let probes = dir.join("account.toml");
    std::fs::write(
        &probes,
        format!(
            r#"name = "account"
target = "{}"
origins = ["http://app.example.test"]
credentials = ["include"]

[auth]
cookie_env = "ENTRY_TEST_COOKIE"
authorization_env = "ENTRY_TEST_TOKEN"
cookie_samesite = "none"

[safety]
allow_unsafe = true

[[route]]
path = "/cached"
methods = ["PUT"]
content_type = "application/json"

[[route]]
path = "/orders"
methods = ["PUT"]
"#,
            s.url("")
        ),
    )
    .expect("write probes");
    let saved = dir.join("saved.json");
    let out = Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .args([
            "run",
            probes.to_str().unwrap_or_default(),
            "--no-rate-limit",
            "--format",
            "json",
            "--save",
        ])
        .arg(&saved)
        .env("ENTRY_TEST_COOKIE", COOKIE)
        .env("ENTRY_TEST_TOKEN", TOKEN)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The secrets went on the wire…
    let got = s.received();
    assert!(got.iter().any(|r| r.header("cookie") == Some(COOKIE)));
    assert!(got.iter().any(|r| r.header("authorization") == Some(TOKEN)));
    // …but not into the saved file.
    let text = std::fs::read_to_string(&saved).expect("saved file");
    for secret in ["s3cr3t-cookie-value", "tok3n-abc.def", "rotated-secret"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the saved file"
        );
    }
    let doc: serde_json::Value = serde_json::from_str(&text).expect("saved JSON");
    assert_eq!(doc["schema"], "corsprobe.saved/v1");
    assert_eq!(doc["requests"].as_array().map(Vec::len), Some(2));

    let before = s.received().len();
    let (code, chrome) = judge(&saved, "chrome");
    assert_eq!(code, 1);
    assert_eq!(s.received().len(), before, "judge must not send anything");
    for path in ["/cached", "/orders"] {
        let (a, b) = (by_path(&run, path), by_path(&chrome, path));
        for k in [
            "outcome",
            "cors_error",
            "console_message",
            "preflight_cache",
        ] {
            assert_eq!(a[k], b[k], "{path} {k}");
        }
        assert!(codes(b).iter().all(|c| c != "changed-since-saved"));
    }
    assert_eq!(by_path(&chrome, "/cached")["outcome"], "allowed");
    assert_eq!(
        by_path(&chrome, "/cached")["preflight_cache"]["chrome_seconds"],
        7200
    );

    let (_, safari) = judge(&saved, "safari");
    let orders = by_path(&safari, "/orders");
    assert_eq!(orders["outcome"], "blocked");
    assert_eq!(
        orders["console_message"],
        "Preflight response is not successful. Status code: 403"
    );
    assert!(codes(orders).contains(&"safari-status-first".to_string()));
    let cached = by_path(&safari, "/cached");
    assert!(codes(cached).contains(&"preflight-cache-lifetime".to_string()));
    let msg = cached["warnings"]
        .as_array()
        .and_then(|a| a.iter().find(|w| w["code"] == "preflight-cache-lifetime"))
        .and_then(|w| w["message"].as_str())
        .unwrap_or_default();
    assert!(
        msg.starts_with("Safari keeps this preflight answer 600 s, Chromium 7200 s"),
        "{msg}"
    );

    let (_, firefox) = judge(&saved, "firefox");
    let orders = by_path(&firefox, "/orders");
    assert!(
        orders["console_message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Cross-Origin Request Blocked:")),
        "{orders}"
    );
    assert!(!codes(orders).contains(&"safari-status-first".to_string()));
    assert_eq!(s.received().len(), before, "judge must not send anything");
}

#[test]
fn replay_edited_transcript_cannot_be_judged() {
    let s = server();
    let dir = scratch("replay-edit");
    let probes = dir.join("p.toml");
    std::fs::write(
        &probes,
        format!(
            "name = \"p\"\ntarget = \"{}\"\norigins = [\"http://app.example.test\"]\n[safety]\nallow_unsafe = true\n[[route]]\npath = \"/orders\"\nmethods = [\"PUT\"]\n",
            s.url("")
        ),
    )
    .expect("write");
    let saved = dir.join("saved.json");
    let out = crate::harness::corsprobe(&[
        "run",
        probes.to_str().unwrap_or_default(),
        "--no-rate-limit",
        "--save",
        saved.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&saved).expect("saved");
    let edited = text
        .replace("OPTIONS", "GET")
        .replacen("\"preflight\"", "\"actual\"", 1);
    std::fs::write(&saved, edited).expect("edit");
    let (code, v) = judge(&saved, "chrome");
    assert_eq!(code, 2, "{v}");
    let r = &v["results"][0];
    assert_eq!(r["outcome"], "error");
    assert!(
        r["reason"]
            .as_str()
            .is_some_and(|m| m.contains("does not hold")),
        "{r}"
    );
    std::fs::write(&saved, "{\"schema\":\"other\"}").expect("write");
    assert_eq!(
        crate::harness::corsprobe(&["judge", saved.to_str().unwrap_or_default()])
            .status
            .code(),
        Some(2)
    );
}
