//! Step 4: CloudWatch metrics for the API at one-minute resolution, through `aws-sdk-cloudwatch`.
//!
//! REST APIs publish `4XXError`, `5XXError` and `Count` under the dimensions `ApiName` and
//! `Stage`; HTTP APIs publish `4xx`, `5xx` and `Count` under `ApiId` and `Stage`. This module
//! reads them with one paginated `GetMetricData` call and marks the minutes where errors rose. It
//! must not judge whether a rise is CORS-related; the diagnosis joins it with the logs.
//!
//! The crate is pinned to 1.99.0, the last release that speaks awsQuery: from 1.100.0 the crate
//! only speaks Smithy RPC v2 CBOR, which moto (the test oracle) does not implement.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::evidence::{
    ApiIdentity, ApiKind, Collected, ErrorRise, Failure, MetricPoint, MetricSeries, MetricsEvidence,
};
use super::{classify, rfc3339, Clients, Window};

/// One-minute points.
pub const PERIOD_SECONDS: i32 = 60;

/// The metric names and dimensions for an API kind.
pub fn metric_plan(
    api: &ApiIdentity,
    stage: &str,
) -> Result<(Vec<&'static str>, BTreeMap<String, String>), Failure> {
    let mut dims = BTreeMap::new();
    dims.insert("Stage".to_string(), stage.to_string());
    match api.kind {
        ApiKind::Rest => {
            let name = api.name.clone().ok_or_else(|| {
                Failure::skipped("the REST API's name is unknown; its metrics are keyed by ApiName")
            })?;
            dims.insert("ApiName".to_string(), name);
            Ok((vec!["4XXError", "5XXError", "Count"], dims))
        }
        ApiKind::Http | ApiKind::WebSocket => {
            dims.insert("ApiId".to_string(), api.id.clone());
            Ok((vec!["4xx", "5xx", "Count"], dims))
        }
    }
}

/// Reads the API's error and request counts over the window.
pub async fn collect(
    clients: &Clients,
    api: &ApiIdentity,
    stage: &str,
    window: Window,
) -> Collected<MetricsEvidence> {
    let (names, dims) = match metric_plan(api, stage) {
        Ok(p) => p,
        Err(f) => return Collected::not_collected(f),
    };
    let dimensions: Vec<Dimension> = dims
        .iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    let mut req = clients
        .cloudwatch
        .get_metric_data()
        .start_time(window.start_time())
        .end_time(window.end_time());
    for (i, name) in names.iter().enumerate() {
        let metric = Metric::builder()
            .namespace("AWS/ApiGateway")
            .metric_name(*name)
            .set_dimensions(Some(dimensions.clone()))
            .build();
        let stat = MetricStat::builder()
            .metric(metric)
            .period(PERIOD_SECONDS)
            .stat("Sum")
            .build();
        req = req.metric_data_queries(
            MetricDataQuery::builder()
                .id(format!("m{i}"))
                .metric_stat(stat)
                .return_data(true)
                .build(),
        );
    }
    let mut points: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    let mut pages = req.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                return Collected::not_collected(classify(&e, "cloudwatch:GetMetricData", "*"))
            }
        };
        for r in page.metric_data_results() {
            let Some(idx) = r
                .id()
                .and_then(|id| id.strip_prefix('m'))
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(name) = names.get(idx) else { continue };
            let series = points.entry((*name).to_string()).or_default();
            for (t, v) in r.timestamps().iter().zip(r.values()) {
                *series.entry(t.secs()).or_insert(0.0) += v;
            }
        }
    }
    let series: Vec<MetricSeries> = names
        .iter()
        .map(|name| MetricSeries {
            metric_name: (*name).to_string(),
            stat: "Sum".to_string(),
            points: points
                .get(*name)
                .map(|p| {
                    p.iter()
                        .map(|(t, v)| MetricPoint {
                            timestamp: rfc3339(&aws_smithy_types::DateTime::from_secs(*t)),
                            value: *v,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let error_rises = error_rises(&series);
    Collected::present(MetricsEvidence {
        namespace: "AWS/ApiGateway".to_string(),
        dimensions: dims,
        period_seconds: PERIOD_SECONDS,
        series,
        error_rises,
    })
}

/// The minutes where an error metric (`4XXError`, `5XXError`, `4xx`, `5xx`) is above zero and
/// above the point before it.
pub fn error_rises(series: &[MetricSeries]) -> Vec<ErrorRise> {
    let mut out = Vec::new();
    for s in series.iter().filter(|s| s.metric_name != "Count") {
        let mut previous = 0.0;
        for p in &s.points {
            if p.value > 0.0 && p.value > previous {
                out.push(ErrorRise {
                    metric_name: s.metric_name.clone(),
                    timestamp: p.timestamp.clone(),
                    value: p.value,
                    previous,
                });
            }
            previous = p.value;
        }
    }
    out.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then(a.metric_name.cmp(&b.metric_name))
    });
    out
}
