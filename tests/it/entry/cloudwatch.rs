//! `run --publish-cloudwatch`: Synthetics-style metrics land in (moto's) CloudWatch.

use std::process::Command;

use aws_sdk_cloudwatch::types::Statistic;

use super::{probe_file, scratch, shop_server};
use crate::aws::harness::{clients, moto, unique};

#[tokio::test(flavor = "multi_thread")]
async fn cloudwatch_publish_puts_success_percent_per_probe_file() {
    let Some(endpoint) = moto() else { return };
    let s = shop_server();
    let dir = scratch("cw");
    let probes = probe_file(&dir, &s.url(""));
    let namespace = unique("corsprobe-test");
    let out = Command::new(env!("CARGO_BIN_EXE_corsprobe"))
        .args([
            "run",
            probes.to_str().unwrap_or_default(),
            "--no-rate-limit",
            "--format",
            "json",
        ])
        .args([
            "--publish-cloudwatch",
            &namespace,
            "--aws-region",
            "us-east-1",
        ])
        .args(["--aws-endpoint-url", &endpoint])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("published 4 data points"), "{err}");

    let c = clients(&endpoint).await;
    let listed = c
        .cloudwatch
        .list_metrics()
        .namespace(&namespace)
        .send()
        .await
        .expect("list_metrics");
    let mut names: Vec<String> = listed
        .metrics()
        .iter()
        .filter(|m| {
            m.dimensions()
                .iter()
                .any(|d| d.name() == Some("ProbeName") && d.value() == Some("shop"))
        })
        .filter_map(|m| m.metric_name().map(String::from))
        .collect();
    names.sort();
    assert_eq!(names, ["Duration", "Error", "Failed", "SuccessPercent"]);

    let now = std::time::SystemTime::now();
    let stat = |metric: &'static str| {
        let c = c.cloudwatch.clone();
        let ns = namespace.clone();
        async move {
            c.get_metric_statistics()
                .namespace(ns)
                .metric_name(metric)
                .dimensions(
                    aws_sdk_cloudwatch::types::Dimension::builder()
                        .name("ProbeName")
                        .value("shop")
                        .build(),
                )
                .start_time((now - std::time::Duration::from_secs(600)).into())
                .end_time((now + std::time::Duration::from_secs(600)).into())
                .period(60)
                .statistics(Statistic::Maximum)
                .send()
                .await
                .expect("get_metric_statistics")
                .datapoints()
                .iter()
                .filter_map(|d| d.maximum())
                .fold(f64::NAN, f64::max)
        }
    };
    // /items: 4 as expected; /orders: 4 blocked without an expectation.
    assert_eq!(stat("SuccessPercent").await, 50.0);
    assert_eq!(stat("Failed").await, 4.0);
    assert_eq!(stat("Error").await, 0.0);
    assert!(stat("Duration").await > 0.0);
}
