//! `corsprobe serve`: the exposition linted by promtool, scraped by a real Prometheus (started on
//! loopback with a generated configuration) and read back through Prometheus's HTTP API; never an
//! open proxy; scheduled runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{probe_file, scratch, shop_server, tool};

/// A child process killed (by its id) when dropped.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the exporter on a free loopback port; returns it and its address.
fn exporter(args: &[&str]) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--no-rate-limit"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn exporter");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("exporter printed nothing"));
    let addr = first
        .split("listening on http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    (Proc(child), addr)
}

/// GET over a fresh connection: (status, body).
fn get(addr: &str, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("read");
    let status = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn promtool_check(text: &str) -> Option<()> {
    let promtool = tool("CORSPROBE_PROMTOOL", &["promtool"])?;
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed promtool");
    let out = child.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

fn sample<'a>(text: &'a str, series: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|r| r.strip_prefix(' ')))
}

#[test]
fn serve_probe_endpoint_lints_clean_and_refuses_foreign_targets() {
    let s = shop_server();
    let dir = scratch("serve");
    probe_file(&dir, &s.url(""));
    let (_ex, addr) = exporter(&[
        "--probes",
        dir.to_str().unwrap_or_default(),
        "--allow-target",
        "http://localhost:*/**",
    ]);
    assert_eq!(get(&addr, "/-/healthy"), (200, "Healthy\n".to_string()));

    let (code, body) = get(&addr, "/probe?probe=shop");
    assert_eq!(code, 200, "{body}");
    promtool_check(&body);
    assert_eq!(sample(&body, "corsprobe_probe_success"), Some("0"));
    assert_eq!(
        sample(
            &body,
            r#"corsprobe_request_allowed{route="/items",method="GET",origin="http://app.example.test",credentials="include"}"#
        ),
        Some("1")
    );
    assert_eq!(
        sample(
            &body,
            r#"corsprobe_request_cors_error{route="/items",method="GET",origin="http://evil.example.test",credentials="omit",cors_error="AllowOriginMismatch"}"#
        ),
        Some("1")
    );
    assert_eq!(
        sample(
            &body,
            r#"corsprobe_request_status_code{route="/orders",method="PUT",origin="http://app.example.test",credentials="omit",exchange="preflight"}"#
        ),
        Some("403")
    );
    assert_eq!(
        sample(&body, r#"corsprobe_probe_requests{outcome="blocked"}"#),
        Some("6")
    );
    assert!(body.contains(r#"corsprobe_request_duration_seconds{route="/items",method="GET",origin="http://app.example.test",credentials="omit",exchange="actual",phase="total"}"#));

    // Never an open proxy: unknown probes and foreign targets are refused without a request.
    let before = s.received().len();
    assert_eq!(get(&addr, "/probe?probe=nope").0, 400);
    assert_eq!(get(&addr, "/probe").0, 400);
    let other = format!("/probe?probe=shop&target={}", "http://127.0.0.1:1/");
    assert_eq!(get(&addr, &other).0, 403);
    assert_eq!(
        get(&addr, "/probe?probe=shop&target=file:///etc/passwd").0,
        403
    );
    assert_eq!(s.received().len(), before, "a refused probe sent something");
    // An allowed pattern re-targets the probe.
    let port = s.addr.port();
    let (code, body) = get(
        &addr,
        &format!("/probe?probe=shop&target=http://localhost:{port}/"),
    );
    assert_eq!(code, 200, "{body}");
    assert!(s.received().len() > before);

    let (code, dbg) = get(&addr, "/probe?probe=shop&debug=true");
    assert_eq!(code, 200);
    assert!(dbg.contains("preflight OPTIONS http://127.0.0.1:"), "{dbg}");
    assert!(dbg.contains("Metrics that would have been returned:\n# HELP corsprobe_probe_success"));

    let (code, own) = get(&addr, "/metrics");
    assert_eq!(code, 200);
    promtool_check(&own);
    assert_eq!(
        sample(
            &own,
            r#"corsprobe_exporter_probe_runs_total{probe="shop",result="failure"}"#
        ),
        Some("3")
    );
    assert_eq!(
        sample(
            &own,
            r#"corsprobe_exporter_refused_total{reason="target_not_allowed"}"#
        ),
        Some("2")
    );
    assert_eq!(get(&addr, "/nope").0, 404);
}

#[test]
fn serve_is_scraped_by_a_real_prometheus() {
    let Some(prometheus) = tool("CORSPROBE_PROMETHEUS", &["prometheus"]) else {
        return;
    };
    let s = shop_server();
    let dir = scratch("prom");
    let probes = dir.join("probes");
    std::fs::create_dir_all(&probes).expect("mkdir");
    probe_file(&probes, &s.url(""));
    let (_ex, addr) = exporter(&["--probes", probes.to_str().unwrap_or_default()]);
    let prom_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            r#"global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: corsprobe
    metrics_path: /probe
    params:
      probe: [shop]
    static_configs:
      - targets: ['{addr}']
  - job_name: corsprobe_exporter
    static_configs:
      - targets: ['{addr}']
"#
        ),
    )
    .expect("write config");
    let prom_addr = format!("127.0.0.1:{prom_port}");
    let _prom = Proc(
        Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={prom_addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn prometheus"),
    );
    let query = |q: &str| -> serde_json::Value {
        let enc: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        match TcpStream::connect(&prom_addr) {
            Ok(_) => {
                let (code, body) = get(&prom_addr, &format!("/api/v1/query?query={enc}"));
                if code == 200 {
                    serde_json::from_str(&body).unwrap_or_default()
                } else {
                    serde_json::Value::Null
                }
            }
            Err(_) => serde_json::Value::Null,
        }
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut allowed = serde_json::Value::Null;
    while Instant::now() < deadline {
        allowed = query("corsprobe_request_allowed");
        if allowed["data"]["result"]
            .as_array()
            .is_some_and(|a| a.len() == 8)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let results = allowed["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        results.len(),
        8,
        "Prometheus did not scrape 8 series: {allowed}"
    );
    for r in &results {
        let m = &r["metric"];
        assert_eq!(m["job"], "corsprobe");
        let value = r["value"][1].as_str().unwrap_or_default();
        let expect = if m["route"] == "/items" && m["origin"] == "http://app.example.test" {
            "1"
        } else {
            "0"
        };
        assert_eq!(value, expect, "{m}");
    }
    let success = query("corsprobe_probe_success{job=\"corsprobe\"}");
    assert_eq!(success["data"]["result"][0]["value"][1], "0", "{success}");
    let cors = query("sum by (cors_error) (corsprobe_request_cors_error)");
    let mut by_error: Vec<(String, String)> = cors["data"]["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["metric"]["cors_error"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        r["value"][1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    by_error.sort();
    assert_eq!(
        by_error,
        vec![
            ("AllowOriginMismatch".to_string(), "2".to_string()),
            (
                "PreflightMissingAllowOriginHeader".to_string(),
                "4".to_string()
            )
        ]
    );
    let mut up = query("up");
    while Instant::now() < deadline && up["data"]["result"].as_array().map(Vec::len) != Some(2) {
        std::thread::sleep(Duration::from_millis(300));
        up = query("up");
    }
    assert_eq!(
        up["data"]["result"].as_array().map(Vec::len),
        Some(2),
        "{up}"
    );
    assert!(
        up["data"]["result"]
            .as_array()
            .is_some_and(|a| a.iter().all(|r| r["value"][1] == "1")),
        "{up}"
    );
    let info = query("corsprobe_exporter_build_info");
    assert_eq!(
        info["data"]["result"][0]["metric"]["chromium"],
        corsprobe::fetch::CHROMIUM_VERSION
    );
}

#[test]
fn serve_interval_serves_the_last_scheduled_results() {
    let s = shop_server();
    let dir = scratch("interval");
    probe_file(&dir, &s.url(""));
    let (_ex, addr) = exporter(&[
        "--probes",
        dir.to_str().unwrap_or_default(),
        "--interval",
        "1",
    ]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = (0, String::new());
    while Instant::now() < deadline {
        last = get(&addr, "/probe?probe=shop");
        if last.0 == 200 {
            break;
        }
        assert_eq!(last.0, 503, "{}", last.1);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(last.0, 200, "{}", last.1);
    // Scrapes do not probe: only the schedule does.
    let sent = s.received().len();
    for _ in 0..3 {
        assert_eq!(get(&addr, "/probe?probe=shop").0, 200);
    }
    assert!(s.received().len() - sent <= 12, "scrapes triggered probes");
    std::thread::sleep(Duration::from_millis(2200));
    let (_, own) = get(&addr, "/metrics");
    let runs: f64 = sample(&own, "corsprobe_exporter_scheduled_runs_total")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert!(runs >= 2.0, "{own}");
}
