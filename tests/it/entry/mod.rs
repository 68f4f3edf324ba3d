//! The everyday entry points (issue 6), end to end with real consumers: JUnit XML read by
//! junitparser, the exporter scraped by a real Prometheus and linted by promtool, the HTML report
//! rendered in headless Chromium, HARs captured from headless Chromium, completions parsed by
//! bash, metrics published to moto's CloudWatch.
//!
//! Tools are found through environment variables set by `scripts/test.sh` (`CORSPROBE_PYTHON`,
//! `CORSPROBE_PROMETHEUS`, `CORSPROBE_PROMTOOL`, `CORSPROBE_CHROMIUM`, `CORSPROBE_NODE`) or on
//! the PATH. A missing tool fails the test under `CI=true` and skips it loudly otherwise.

mod cloudwatch;
mod conveniences;
mod formats;
mod import;
mod replay;
mod serve;

use std::path::PathBuf;

/// A tool, or `None` (skip) when it is missing outside CI.
pub fn tool(env: &str, names: &[&str]) -> Option<PathBuf> {
    let found = std::env::var_os(env)
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            names.iter().find_map(|n| {
                let p = PathBuf::from(n);
                if p.is_absolute() {
                    return p.is_file().then_some(p);
                }
                std::env::var_os("PATH").and_then(|path| {
                    std::env::split_paths(&path)
                        .map(|d| d.join(n))
                        .find(|c| c.is_file())
                })
            })
        });
    if found.is_none() {
        let why = format!(
            "{} not found (set {env} or run scripts/test.sh)",
            names.join(" / ")
        );
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("required under CI=true: {why}");
        }
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipping: {why}");
    }
    found
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "corsprobe-entry-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create scratch dir");
    d
}

/// A probe file for a harness server: two routes, two origins, two credentials modes.
pub fn probe_file(dir: &std::path::Path, base: &str) -> PathBuf {
    let p = dir.join("shop.toml");
    std::fs::write(
        &p,
        format!(
            r#"name = "shop"
target = "{base}"
origins = ["http://app.example.test", "http://evil.example.test"]
credentials = ["omit", "include"]

[safety]
allow_unsafe = true

[[route]]
path = "/items"
methods = ["GET"]
expect_origins = {{ "http://app.example.test" = "allow", "http://evil.example.test" = "block" }}

[[route]]
path = "/orders"
methods = ["PUT"]
content_type = "application/json"
"#
        ),
    )
    .expect("write probe file");
    p
}

/// The scripted API behind [`probe_file`]: `/items` reflects only app.example.test (with
/// credentials); `/orders` answers its preflight 403 without CORS headers (API Gateway with an
/// authorizer on OPTIONS).
pub fn shop_server() -> crate::harness::Server {
    use crate::harness::{Reply, Server};
    Server::start(vec![
        (
            Some("GET"),
            "/items",
            Reply::new(
                "200 OK",
                &[
                    "Access-Control-Allow-Origin: http://app.example.test",
                    "Access-Control-Allow-Credentials: true",
                    "Vary: Origin",
                    "Content-Type: application/json",
                ],
            )
            .body("[]"),
        ),
        (
            Some("OPTIONS"),
            "/orders",
            Reply::new("403 Forbidden", &["Content-Type: application/json"])
                .body("{\"message\":\"Missing Authentication Token\"}"),
        ),
    ])
}
