//! CI formats: JUnit XML read back by a real consumer (junitparser), jsonl streamed one object
//! per request as each completes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{probe_file, scratch, shop_server, tool};
use crate::harness::{corsprobe, Reply, Server};

/// Reads a JUnit file with junitparser and returns what it understood.
const JUNIT_READER: &str = r#"
import json, sys
from junitparser import JUnitXml, TestSuite
xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
cases = []
for s in suites:
    for c in s:
        cases.append({
            "suite": s.name, "classname": c.classname, "name": c.name, "time": c.time,
            "results": [{"tag": r._tag, "message": r.message, "type": r.type, "text": r.text}
                        for r in c.result],
            "system_out": c.system_out,
        })
print(json.dumps({"name": xml.name, "tests": xml.tests, "failures": xml.failures,
                  "errors": xml.errors, "cases": cases}))
"#;

fn junitparser(path: &std::path::Path) -> Option<serde_json::Value> {
    let py = tool("CORSPROBE_PYTHON", &["python3"])?;
    let out = Command::new(&py)
        .args(["-c", JUNIT_READER])
        .arg(path)
        .output()
        .expect("run python");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("No module named 'junitparser'") {
            tool("CORSPROBE_JUNITPARSER_MISSING", &[])?;
        }
        panic!("junitparser rejected the report:\n{err}");
    }
    Some(serde_json::from_slice(&out.stdout).expect("reader prints JSON"))
}

#[test]
fn junit_run_report_is_read_by_junitparser_with_failures_carrying_console_message() {
    let s = shop_server();
    let dir = scratch("junit");
    let probes = probe_file(&dir, &s.url(""));
    let out = corsprobe(&[
        "run",
        probes.to_str().unwrap_or_default(),
        "--no-rate-limit",
        "--format",
        "junit",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.join("report.xml");
    std::fs::write(&file, &out.stdout).expect("write report");
    let Some(v) = junitparser(&file) else { return };
    assert_eq!(v["name"], "corsprobe run");
    assert_eq!(v["tests"], 8);
    assert_eq!(v["failures"], 4);
    assert_eq!(v["errors"], 0);
    let cases = v["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 8);
    for c in cases {
        assert_eq!(c["suite"], "shop");
        let name = c["name"].as_str().unwrap_or_default();
        let results = c["results"].as_array().expect("results");
        if name.starts_with("PUT /orders") {
            assert_eq!(results.len(), 1, "{c}");
            let f = &results[0];
            assert_eq!(f["tag"], "failure");
            assert_eq!(f["type"], "PreflightMissingAllowOriginHeader");
            let msg = f["message"].as_str().unwrap_or_default();
            assert!(
                msg.starts_with("Access to fetch at 'http://127.0.0.1:")
                    && msg.ends_with("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
                "{msg}"
            );
            let text = f["text"].as_str().unwrap_or_default();
            assert!(text.contains("reason: the preflight response (status 403) has no Access-Control-Allow-Origin header"), "{text}");
            assert!(
                text.contains("preflight OPTIONS http://127.0.0.1:"),
                "{text}"
            );
            assert!(
                text.contains("> Access-Control-Request-Method: PUT"),
                "{text}"
            );
        } else {
            // /items: allowed from app, blocked as expected from evil: both pass.
            assert!(results.is_empty(), "{c}");
            assert!(name.starts_with("GET /items from http://"), "{name}");
            let out = c["system_out"].as_str().unwrap_or_default();
            if name.contains("evil") {
                assert!(out.contains("cors_error: AllowOriginMismatch"), "{out}");
            }
        }
        assert!(c["time"].as_f64().is_some_and(|t| t >= 0.0), "{c}");
    }
}

#[test]
fn junit_check_network_failure_is_an_error_not_a_failure() {
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let dir = scratch("junit-err");
    let url = format!("http://127.0.0.1:{port}/x");
    let out = corsprobe(&[
        "check",
        &url,
        "--origin",
        "http://app.example.test",
        "--format",
        "junit",
        "--connect-timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let file = dir.join("check.xml");
    std::fs::write(&file, &out.stdout).expect("write");
    let Some(v) = junitparser(&file) else { return };
    assert_eq!(
        (
            v["tests"].as_u64(),
            v["failures"].as_u64(),
            v["errors"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    let r = &v["cases"][0]["results"][0];
    assert_eq!(r["tag"], "error");
    assert_eq!(r["type"], "connect");
}

#[test]
fn junit_side_file_beside_human_output() {
    let s = shop_server();
    let dir = scratch("junit-side");
    let probes = probe_file(&dir, &s.url(""));
    let file = dir.join("side.xml");
    let out = corsprobe(&[
        "run",
        probes.to_str().unwrap_or_default(),
        "--no-rate-limit",
        "--junit",
        file.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("8 requests: 2 allowed, 6 blocked"));
    let Some(v) = junitparser(&file) else { return };
    assert_eq!(v["tests"], 8);
}

#[test]
fn jsonl_streams_one_object_per_request_as_each_completes() {
    let s = Server::start(vec![
        (
            None,
            "/fast",
            Reply::new("200 OK", &["Access-Control-Allow-Origin: *"]),
        ),
        (None, "/slow", {
            let mut r = Reply::new("200 OK", &["Access-Control-Allow-Origin: *"]);
            r.delay = Some(Duration::from_millis(1500));
            r
        }),
    ]);
    let dir = scratch("jsonl");
    let p = dir.join("two.toml");
    // The slow route comes first in plan order: the fast one must still be printed first.
    std::fs::write(
        &p,
        format!(
            "name = \"two\"\ntarget = \"{}\"\norigins = [\"http://app.example.test\"]\n[[route]]\npath = \"/slow\"\nmethods = [\"GET\"]\n[[route]]\npath = \"/fast\"\nmethods = [\"GET\"]\n",
            s.url("")
        ),
    )
    .expect("write");
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .args([
            "run",
            p.to_str().unwrap_or_default(),
            "--no-rate-limit",
            "--format",
            "jsonl",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    let mut first_at = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read line");
        first_at.get_or_insert(start.elapsed());
        lines.push(line);
    }
    let status = child.wait().expect("wait");
    let total = start.elapsed();
    assert_eq!(status.code(), Some(0));
    assert_eq!(lines.len(), 2, "{lines:?}");
    let objs: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert!(objs.iter().all(|o| o.is_object() && o["suite"] == "two"));
    assert!(
        objs[0]["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/fast"),
        "{}",
        objs[0]
    );
    assert!(objs[1]["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/slow"));
    let first_at = first_at.unwrap_or(total);
    assert!(
        first_at < Duration::from_millis(1200) && total >= Duration::from_millis(1500),
        "first line after {first_at:?}, exit after {total:?}"
    );
}

#[test]
fn html_report_renders_in_chromium_with_every_cell_opening_its_exchange() {
    let s = shop_server();
    let dir = scratch("html");
    let probes = probe_file(&dir, &s.url(""));
    let report = dir.join("report.html");
    let out = corsprobe(&[
        "run",
        probes.to_str().unwrap_or_default(),
        "--no-rate-limit",
        "--format",
        "json",
        "--html",
        report.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(&report).expect("report written");
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("http-equiv"));
    let Some(chromium) = tool("CORSPROBE_CHROMIUM", &["chromium", "/usr/bin/chromium"]) else {
        return;
    };
    let Some(node) = tool("CORSPROBE_NODE", &["node"]) else {
        return;
    };
    let png = dir.join("report.png");
    let run = Command::new(node)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/entry/cdp.mjs"
        ))
        .arg("html")
        .arg(&chromium)
        .arg(&report)
        .arg(&png)
        .output()
        .expect("run node");
    assert!(
        run.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON from cdp.mjs");
    assert_eq!(v["title"], "corsprobe run");
    assert_eq!(v["tables"], 1);
    assert_eq!(v["panels"], 8);
    assert_eq!(
        v["requests"],
        serde_json::json!([]),
        "the report fetched something"
    );
    let summary = v["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("8\nrequests")
            && summary.contains("2\nallowed")
            && summary.contains("6\nblocked"),
        "{summary:?}"
    );
    let cells = v["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 8, "route × origin × credentials");
    let mut blocked = 0;
    for c in cells {
        let href = c["href"].as_str().unwrap_or_default();
        assert_eq!(Some(&href[1..]), c["target"].as_str(), "{c}");
        assert_eq!(c["displayed"], true, "{href} did not open");
        assert!(c["hops"].as_u64().is_some_and(|n| n >= 1), "{c}");
        let text = c["text"].as_str().unwrap_or_default();
        assert!(text.contains("sent") && text.contains("received"), "{text}");
        if c["outcome"] == "blocked" {
            blocked += 1;
            assert!(c["td"].as_str().unwrap_or_default().contains("blocked"));
            assert!(text.contains("has been blocked by CORS policy"), "{text}");
        }
    }
    assert_eq!(blocked, 6);
    let shot = std::fs::read(&png).expect("screenshot");
    assert!(
        shot.starts_with(b"\x89PNG\r\n\x1a\n") && shot.len() > 10_000,
        "{} bytes",
        shot.len()
    );
}
