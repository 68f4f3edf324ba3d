//! CP113 `origin-near-miss` (beyond the runbook; a precise form of case 4).
//!
//! ## What it finds
//! The page origin differs from a configured origin only by scheme (`http` vs `https`), port
//! (`:3000`), a trailing slash or letter case; the finding names that nearest configured origin.
//!
//! ## Why the browser blocks
//! An origin is scheme + host + port serialized without a path; `https://app.example.com/` or
//! `http://app.example.com` never equals `https://app.example.com`, so the check fails
//! (`AllowOriginMismatch`, or no header at all from an HTTP API).
//!
//! ## Typical AWS causes
//! Origins copied from the address bar with the trailing slash; a dev server's port; a site
//! served over both http and https.
//!
//! ## Evidence used
//! The page origin and the received `Access-Control-Allow-Origin`; the configured origins
//! (HTTP `AllowOrigins`, REST mappings; step 2).
//!
//! ## The fix
//! Write the origin exactly as the browser sends it (`scheme://host[:port]`), or add the variant.
//!
//! ## References
//! <https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>;
//! runbook Diagnosis case 4 ("including protocol and port").

use std::collections::BTreeMap;

use super::cp004_origin_not_allowed::{configured_origins, near_miss, origin_rejected};
use crate::diagnose::context::Context;
use crate::diagnose::finding::{CaseMeta, Confidence, EvidenceItem, Finding, Fix};

/// Identity.
pub const META: CaseMeta = CaseMeta {
    code: "CP113",
    name: "origin-near-miss",
    runbook_case: None,
};

/// The check.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, String), Finding> = BTreeMap::new();
    for i in cx.failing() {
        let o = &cx.obs[i];
        if !origin_rejected(cx, o) {
            continue;
        }
        let Some((nearest, why)) = near_miss(&o.origin, &configured_origins(cx, o)) else {
            continue;
        };
        let f = groups
            .entry((o.origin.clone(), nearest.clone()))
            .or_insert_with(|| {
                let mut f = Finding::new(
                    META,
                    format!(
                        "Origin {} differs from the configured {nearest} by {why}",
                        o.origin
                    ),
                )
                .specificity(80)
                .confidence(if cx.ev.is_some() {
                    Confidence::High
                } else {
                    Confidence::Medium
                });
                f.add_evidence(EvidenceItem::Config {
                    subject: "nearest configured origin".into(),
                    excerpt: format!("{nearest} (page origin {}; differs by {why})", o.origin),
                });
                if cx.ev.is_none() {
                    f.confirm(
                        "the configured origins (CorsConfiguration.AllowOrigins or REST mappings)",
                    );
                }
                f
            });
        cx.add_obs(f, i);
    }
    groups
        .into_iter()
        .map(|((origin, nearest), mut f)| {
            let http = cx.http().is_some()
                || f.explains.iter().filter_map(|&i| cx.obs.get(i)).any(|o| {
                    o.failing_hop()
                        .is_some_and(|h| h.flavor() == crate::diagnose::context::Flavor::Http)
                });
            f.fix = Fix {
                explanation: format!("Allow exactly {origin} (as the browser serializes it) instead of, or next to, {nearest}."),
                aws_cli: if http {
                    format!("aws apigatewayv2 update-api --api-id {} --cors-configuration AllowOrigins={origin}", cx.api_id())
                } else {
                    format!("aws apigateway update-integration-response --rest-api-id {} --resource-id <resource-id> --http-method OPTIONS --status-code 200 --patch-operations \"op=replace,path=/responseParameters/method.response.header.Access-Control-Allow-Origin,value='{origin}'\"\n{}", cx.api_id(), super::redeploy_cli(cx))
                },
                cloudformation_sam: format!("AllowOrigins: [{origin}] (HTTP) / AllowOrigin: \"'{origin}'\" (SAM REST Cors)"),
                cdk: format!("allowOrigins: ['{origin}']"),
                terraform: format!("allow_origins = [\"{origin}\"] (HTTP) / \"method.response.header.Access-Control-Allow-Origin\" = \"'{origin}'\" (REST)"),
            };
            f
        })
        .collect()
}
