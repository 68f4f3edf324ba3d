//! `corsprobe evidence` as a binary against moto, end to end.

use std::process::Command;

use super::harness::{clients, moto, unique};
use super::moto::{make_http_api, make_rest_api};

fn evidence(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .arg("evidence")
        .args(args)
        .args(["--region", "us-east-1", "--endpoint-url", url])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .expect("run corsprobe")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_evidence_command_against_moto_prints_every_step() {
    let Some(url) = moto() else { return };
    let c = clients(&url).await;
    let (rest_id, _, _) = make_rest_api(&c, &unique("/cli-access")).await;
    let http_id = make_http_api(&c).await;

    let out = evidence(
        &url,
        &["--api-id", &rest_id, "--stage", "prod", "--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["configuration"]["status"], "present");
    assert_eq!(json["configuration"]["value"]["kind"], "rest");
    assert_eq!(json["cloudtrail"]["status"], "not_collected");

    let out = evidence(&url, &["--api-id", &http_id, "--stage", "$default"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "\n1. ",
        "\n2. ",
        "\n3. ",
        "\n4. ",
        "\n5. ",
        "\n6. ",
        "\n7. ",
        "\n8. ",
        "\n9. ",
        "\nCloudTrail",
        "\nRoutes",
    ] {
        assert!(text.contains(section), "missing {section:?} in:\n{text}");
    }
    assert!(
        text.contains("HTTP API CorsConfiguration: origins [\"https://app.example.com\"]"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_evidence_command_unknown_api_exits_2() {
    let Some(url) = moto() else { return };
    let out = evidence(&url, &["--api-id", "nosuchapi", "--stage", "prod"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API Gateway API nosuchapi"));
}

#[test]
fn aws_evidence_command_bad_window_exits_2() {
    let out = evidence(
        "http://127.0.0.1:9",
        &[
            "--api-id", "x", "--stage", "prod", "--since", "1h", "--until", "2h",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
