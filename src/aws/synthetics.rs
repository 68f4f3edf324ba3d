//! `corsprobe run --publish-cloudwatch NAMESPACE`: per probe file, the metrics a CloudWatch
//! Synthetics canary publishes (`SuccessPercent`, `Duration`, `Failed`, `Error`), with the
//! dimension `ProbeName` (the probe file's name), through `PutMetricData`. Alarms and dashboards
//! built for canaries then work for corsprobe runs too.
//!
//! [`plan`] is pure (rows → data points); [`publish`] is the edge (one `PutMetricData` call per
//! probe file, at most 1000 data points each, well within the API's limit).

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};

use crate::report::wire::{RowStatus, RunRow};

/// One data point.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Probe file name (dimension `ProbeName`).
    pub probe: String,
    /// Metric name.
    pub metric: &'static str,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: StandardUnit,
}

/// Rows → data points, per probe file in first-seen order:
/// `SuccessPercent` (Percent: requests as expected, or allowed when nothing is expected),
/// `Duration` (Milliseconds: time on the wire, all exchanges), `Failed` (Count: CORS findings),
/// `Error` (Count: could not probe).
pub fn plan(rows: &[RunRow]) -> Vec<Point> {
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        if !names.contains(&r.suite.as_str()) {
            names.push(&r.suite);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let rs: Vec<&RunRow> = rows.iter().filter(|r| r.suite == name).collect();
        let count = |s: RowStatus| rs.iter().filter(|r| r.status() == s).count() as f64;
        let total = rs.len() as f64;
        let point = |metric, value, unit| Point {
            probe: name.to_string(),
            metric,
            value,
            unit,
        };
        out.push(point(
            "SuccessPercent",
            100.0 * count(RowStatus::Passed) / total.max(1.0),
            StandardUnit::Percent,
        ));
        out.push(point(
            "Duration",
            rs.iter().map(|r| r.total_ms()).sum(),
            StandardUnit::Milliseconds,
        ));
        out.push(point(
            "Failed",
            count(RowStatus::Failed),
            StandardUnit::Count,
        ));
        out.push(point("Error", count(RowStatus::Error), StandardUnit::Count));
    }
    out
}

/// Where to publish.
#[derive(Clone, Debug, Default)]
pub struct Destination {
    /// Namespace.
    pub namespace: String,
    /// Region (else the default chain's).
    pub region: Option<String>,
    /// Profile.
    pub profile: Option<String>,
    /// Endpoint URL (tests, VPC endpoints).
    pub endpoint_url: Option<String>,
}

/// Publishes the points; returns how many were accepted, or the SDK error's text.
pub async fn publish(dest: &Destination, points: &[Point]) -> Result<usize, String> {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).http_client(super::https_client());
    if let Some(p) = &dest.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &dest.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &dest.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let conf = loader.load().await;
    let client = aws_sdk_cloudwatch::Client::new(&conf);
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let mut sent = 0;
    let mut probes: Vec<&str> = Vec::new();
    for p in points {
        if !probes.contains(&p.probe.as_str()) {
            probes.push(&p.probe);
        }
    }
    for probe in probes {
        let mut put = client.put_metric_data().namespace(&dest.namespace);
        let mut n = 0;
        for p in points.iter().filter(|p| p.probe == probe) {
            put = put.metric_data(
                MetricDatum::builder()
                    .metric_name(p.metric)
                    .dimensions(
                        Dimension::builder()
                            .name("ProbeName")
                            .value(&p.probe)
                            .build(),
                    )
                    .timestamp(now)
                    .value(p.value)
                    .unit(p.unit.clone())
                    .build(),
            );
            n += 1;
        }
        put.send().await.map_err(|e| {
            let detail = aws_smithy_types::error::display::DisplayErrorContext(&e);
            format!("PutMetricData for {probe}: {detail}")
        })?;
        sent += n;
    }
    Ok(sent)
}
