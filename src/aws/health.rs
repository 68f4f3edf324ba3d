//! Step 1 (service health): AWS Health events for API Gateway in the API's region, through
//! `aws-sdk-health`.
//!
//! The Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; without one
//! AWS answers `SubscriptionRequiredException` and this collector degrades to "not collected"
//! with that note. It must not judge the events; it lists those overlapping the window.

use aws_sdk_health::types::EventFilter;

use super::evidence::{Collected, FailureKind, HealthEvent};
use super::{classify, rfc3339, Clients, Window};

/// Reads API Gateway health events for the region that overlap the window.
pub async fn collect(clients: &Clients, window: Window) -> Collected<Vec<HealthEvent>> {
    let filter = EventFilter::builder()
        .services("APIGATEWAY")
        .regions(clients.region.clone())
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = match clients
            .health
            .describe_events()
            .filter(filter.clone())
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(p) => p,
            Err(e) => {
                let mut f = classify(&e, "health:DescribeEvents", "*");
                if f.code.as_deref() == Some("SubscriptionRequiredException") {
                    f.kind = FailureKind::NotSupported;
                    f.message = "the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; \
                                 check https://health.aws.amazon.com/health/status by hand"
                        .to_string();
                }
                return Collected::not_collected(f);
            }
        };
        for e in page.events() {
            let starts_before_end = e.start_time().is_none_or(|s| s.secs() < window.end);
            let ends_after_start = e.end_time().is_none_or(|t| t.secs() >= window.start);
            if starts_before_end && ends_after_start {
                out.push(HealthEvent {
                    arn: e.arn().map(str::to_string),
                    event_type_code: e.event_type_code().map(str::to_string),
                    status: e.status_code().map(|s| s.as_str().to_string()),
                    region: e.region().map(str::to_string),
                    start: e.start_time().map(rfc3339),
                    end: e.end_time().map(rfc3339),
                });
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if out.is_empty() {
        Collected::absent("no AWS Health events for API Gateway in the region during the window")
    } else {
        Collected::present(out)
    }
}
