//! Diagnosis: from "the browser says blocked by CORS policy" to "this is why, here is the proof,
//! run this to fix it".
//!
//! A rule engine in the style of ruff: [`cases`] holds one file per case, each with a stable code
//! (`CP001`…) and a doc comment in fixed sections. [`diagnose`] runs every case over an [`Input`]
//! (the probe's observations and, when collected, the AWS [`Evidence`]), then decides for each
//! failing request which finding is its primary cause (the most specific one) and marks the rest
//! contributing. One misconfiguration affecting many routes is one finding listing them.
//!
//! This module is pure: no I/O, no clock, no AWS. It must not send or collect anything; the
//! `diagnose` command ([`crate::cli`]) does, and hands the results in.

pub mod cases;
pub mod context;
pub mod finding;

pub use context::{Context, Hop, Observation};
pub use finding::{
    BrowserView, CaseMeta, Confidence, EvidenceItem, Finding, Fix, Role, RouteRef, RunbookCase,
};

use crate::aws::evidence::Evidence;

/// What the diagnosis reads.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// One observation per probed page request.
    pub observations: Vec<Observation>,
    /// The AWS evidence, when collected (`None` with `--no-aws` or without credentials).
    pub evidence: Option<Evidence>,
}

/// Runs every case and returns the findings, sorted: primary before contributing, then by code,
/// then by first route.
pub fn diagnose(input: &Input) -> Vec<Finding> {
    let cx = Context::new(input);
    let mut findings: Vec<Finding> = Vec::new();
    for case in cases::ALL {
        findings.extend((case.check)(&cx));
    }
    // The runbook's fallback takes the failing requests no other case explains.
    let explained: std::collections::BTreeSet<usize> = findings
        .iter()
        .flat_map(|f| f.explains.iter().copied())
        .collect();
    let unexplained: Vec<usize> = cx.failing().filter(|i| !explained.contains(i)).collect();
    findings.extend(cases::fallback::check_unexplained(&cx, &unexplained));

    for f in &mut findings {
        f.normalize();
        // The browser view of the first explained request in a stable order.
        let first = f
            .explains
            .iter()
            .filter_map(|&i| cx.obs.get(i))
            .min_by(|a, b| {
                (&a.route, &a.method, &a.origin, &a.credentials).cmp(&(
                    &b.route,
                    &b.method,
                    &b.origin,
                    &b.credentials,
                ))
            });
        if let Some(o) = first {
            f.browser = Some(o.browser());
        }
    }
    // Primary: for each failing request, the most specific finding explaining it (ties: the
    // lower code, so the choice is deterministic).
    let mut primary = vec![false; findings.len()];
    for i in cx.failing() {
        let best = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.explains.contains(&i))
            .max_by(|(_, a), (_, b)| {
                a.specificity
                    .cmp(&b.specificity)
                    .then_with(|| b.code.cmp(a.code))
            })
            .map(|(k, _)| k);
        if let Some(k) = best {
            primary[k] = true;
        }
    }
    for (f, p) in findings.iter_mut().zip(primary) {
        f.role = if p { Role::Primary } else { Role::Contributing };
    }
    findings.retain(|f| !(f.catch_all && f.role == Role::Contributing));
    findings.sort_by(|a, b| {
        a.role
            .cmp(&b.role)
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.routes.cmp(&b.routes))
            .then_with(|| a.title.cmp(&b.title))
    });
    findings
}
