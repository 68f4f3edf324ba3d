//! CP114 `stale-preflight-cache` (beyond the runbook).
//!
//! ## What it finds
//! Requests that pass now, while browsers kept reporting CORS errors for the same origin and URL
//! after the configuration was changed: clients still act on an earlier answer, kept for up to
//! `Access-Control-Max-Age` (Chromium caps it at 2 hours).
//!
//! ## Why the browser blocks
//! A browser reuses a cached preflight answer until it expires and does not ask again; users who
//! loaded the page before the fix keep failing until then (or until they reload).
//!
//! ## Typical AWS causes
//! A large `MaxAge` (HTTP API up to 86400) or `Access-Control-Max-Age` mapping; a fix deployed
//! while users had the app open.
//!
//! ## Evidence used
//! Browser console CORS errors in application logs (step 7), the fix's CloudTrail event or the
//! stage's deployment time (step 8), the preflight's max-age as received.
//!
//! ## The fix
//! Nothing to change in the API: wait out the max-age or reload; keep `MaxAge` short while
//! rolling out CORS changes.
//!
//! ## References
//! <https://fetch.spec.whatwg.org/#http-access-control-max-age>, Chromium
//! `services/network/cors/preflight_result.cc` (kMaxCacheAge 2 h).

use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP114",
    name: "stale-preflight-cache",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Some(ev) = cx.ev else { return Vec::new() };
    // When the configuration last changed: the newest CORS-relevant CloudTrail write, or the
    // stage's deployment.
    let fix_time = ev
        .cloudtrail
        .value()
        .and_then(|t| {
            t.events
                .iter()
                .rev()
                .find(|e| e.cors_relevant && e.error_code.is_none())
        })
        .map(|e| (e.event_time.clone(), Some(e)))
        .or_else(|| {
            ev.deployment
                .value()
                .and_then(|d| d.stage_deployment.value())
                .and_then(|d| d.created.clone())
                .map(|t| (t, None))
        });
    let Some((fixed_at, event)) = fix_time else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for lf in cx.logs() {
        for g in &lf.console_errors {
            if g.last_seen.as_str() <= fixed_at.as_str() {
                continue;
            }
            let Some(url) = &g.url else { continue };
            let Some(o) = cx.obs.iter().find(|o| {
                !o.blocked
                    && !o.network_error
                    && (url.starts_with(&o.url)
                        || o.url.ends_with(&o.path()) && url.ends_with(&o.path()))
                    && g.origin.as_deref().is_none_or(|x| x == o.origin)
            }) else {
                continue;
            };
            let max_age = o
                .preflight
                .as_ref()
                .and_then(|p| p.header("access-control-max-age"))
                .map(str::to_string);
            let seconds = o.preflight_cache_seconds.unwrap_or(5);
            let mut f = Finding::new(
                META,
                format!(
                    "Fixed at {fixed_at}, but browsers kept reporting CORS errors until {}: clients still use an earlier answer (kept up to {seconds} s)",
                    g.last_seen
                ),
            )
            .confidence(Confidence::Medium);
            f.add_route(&o.method, &o.route);
            f.origins.push(o.origin.clone());
            f.credentials.push(o.credentials.clone());
            f.add_evidence(EvidenceItem::LogLine {
                log_group: lf.log_group.clone(),
                timestamp: g.last_seen.clone(),
                message: format!(
                    "{} {} console errors from {} for {} between {} and {}{}",
                    g.count,
                    g.browser,
                    g.origin.as_deref().unwrap_or("?"),
                    url,
                    g.first_seen,
                    g.last_seen,
                    g.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
            });
            if let Some(e) = event {
                f.add_evidence(EvidenceItem::CloudTrail {
                    event_time: e.event_time.clone(),
                    event_name: e.event_name.clone(),
                    who: e.username.clone().or_else(|| e.user_arn.clone()),
                    source_ip: e.source_ip.clone(),
                    error_code: None,
                });
            }
            if let Some(p) = &o.preflight {
                f.add_evidence(p.evidence("preflight"));
            }
            f.add_evidence(EvidenceItem::Deployment {
                detail: format!(
                    "the probe's request from {} passes now; Access-Control-Max-Age {}",
                    o.origin,
                    max_age.as_deref().unwrap_or("absent (Chromium: 5 s)")
                ),
            });
            f.fix = Fix {
                explanation: format!("Nothing to change in the API: clients recover when their cached answer expires ({seconds} s) or on reload. Keep MaxAge short (e.g. 300) while changing CORS."),
                aws_cli: if cx.http().is_some() {
                    format!("aws apigatewayv2 update-api --api-id {} --cors-configuration MaxAge=300", cx.api_id())
                } else {
                    "Lower the Access-Control-Max-Age mapping on the OPTIONS integration response (e.g. '300'), then redeploy".into()
                },
                cloudformation_sam: "CorsConfiguration.MaxAge: 300 (SAM Cors.MaxAge)".into(),
                cdk: "corsPreflight/defaultCorsPreflightOptions: { maxAge: Duration.minutes(5) }".into(),
                terraform: "cors_configuration { max_age = 300 }".into(),
            };
            out.push(f);
        }
    }
    out
}
