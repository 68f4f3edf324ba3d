//! The finding: what one diagnosis case concluded, with the browser's view, the AWS evidence that
//! confirms it, a confidence and the fix. These types are the `findings` of
//! `corsprobe diagnose --format json` (schema `corsprobe.diagnose/v1`); change them only with a
//! schema version bump.
//!
//! This module owns the shapes and the small builder cases use to group failing requests into one
//! finding per misconfiguration. It must not decide anything (the cases do) or print (the
//! reports do).

use std::collections::BTreeSet;

use serde::{Serialize, Serializer};

/// Which Diagnosis case of the runbook (`../shared/seed/runbook.md`) a finding implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunbookCase {
    /// Diagnosis case 1 to 7.
    Case(u8),
    /// The runbook's closing paragraph ("If no correlation is found: …").
    Fallback,
}

impl Serialize for RunbookCase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RunbookCase::Case(n) => s.serialize_u8(*n),
            RunbookCase::Fallback => s.serialize_str("fallback"),
        }
    }
}

impl std::fmt::Display for RunbookCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunbookCase::Case(n) => write!(f, "runbook case {n}"),
            RunbookCase::Fallback => f.write_str("runbook fallback"),
        }
    }
}

/// A case's fixed identity: its stable code, its runbook case, its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseMeta {
    /// Stable code (`CP001`); never reused.
    pub code: &'static str,
    /// Kebab-case name (`missing-options-method`).
    pub name: &'static str,
    /// The runbook case, `None` beyond the runbook.
    pub runbook_case: Option<RunbookCase>,
}

/// How sure the diagnosis is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// From the probe alone (response shapes, `x-amzn-ErrorType`, statuses).
    Low,
    /// The probe plus part of the AWS evidence.
    Medium,
    /// The probe and the AWS configuration (or logs) agree.
    High,
}

/// Whether the finding is the primary cause of at least one failing request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The most specific explanation of at least one failing request.
    Primary,
    /// Adds to a primary cause (a timeline, a second problem on the same requests).
    Contributing,
}

/// A route and method the finding applies to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RouteRef {
    /// The verb of the page's request (`POST`), or of the configuration (`OPTIONS`, `ANY`).
    pub method: String,
    /// The route template (`/items/{id}`) or the probed path.
    pub route: String,
}

/// What the browser shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrowserView {
    /// Chromium's DevTools `CorsError`.
    pub cors_error: Option<String>,
    /// Chromium's console message.
    pub console_message: Option<String>,
}

/// One piece of evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceItem {
    /// What the probe saw on the wire.
    Probe {
        /// `preflight` or `actual`.
        exchange: String,
        /// `OPTIONS /prod/items`.
        request: String,
        /// The status, when a response came.
        status: Option<u16>,
        /// The response header lines that matter (`x-amzn-ErrorType: …`, `Access-Control-…`).
        headers: Vec<String>,
    },
    /// An excerpt of the API's configuration (collected, or as the probe implies it).
    Config {
        /// What it is (`OPTIONS /items integration response 200`).
        subject: String,
        /// The excerpt (`method.response.header.Access-Control-Allow-Origin = '*'`).
        excerpt: String,
    },
    /// A log line.
    LogLine {
        /// The log group.
        log_group: String,
        /// RFC 3339.
        timestamp: String,
        /// The message.
        message: String,
    },
    /// A minute where an error metric rose.
    MetricRise {
        /// `4XXError`, `5xx`…
        metric: String,
        /// RFC 3339.
        timestamp: String,
        /// The value.
        value: f64,
        /// The value the minute before.
        previous: f64,
    },
    /// A CloudTrail event: who changed what, when.
    CloudTrail {
        /// RFC 3339.
        event_time: String,
        /// `CreateDeployment`, `PutMethod`…
        event_name: String,
        /// Who (user name or ARN).
        who: Option<String>,
        /// From where.
        source_ip: Option<String>,
        /// The error code when the call failed.
        error_code: Option<String>,
    },
    /// The deployment the stage serves, against the draft.
    Deployment {
        /// What differs or what was seen.
        detail: String,
    },
}

/// The fix, in each tool's words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What to change, in words.
    pub explanation: String,
    /// An exact AWS CLI command (or sequence), with the API id and stage filled in when known.
    pub aws_cli: String,
    /// The CloudFormation/SAM setting.
    pub cloudformation_sam: String,
    /// The CDK setting.
    pub cdk: String,
    /// The Terraform setting.
    pub terraform: String,
}

/// One diagnosis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable case code (`CP002`).
    pub code: &'static str,
    /// Case name (`missing-options-method`).
    pub name: &'static str,
    /// Runbook case: 1…7, `"fallback"`, or null beyond the runbook.
    pub runbook_case: Option<RunbookCase>,
    /// One-line cause.
    pub title: String,
    /// Primary or contributing.
    pub role: Role,
    /// How sure.
    pub confidence: Confidence,
    /// Affected routes and methods, sorted.
    pub routes: Vec<RouteRef>,
    /// Affected page origins, sorted.
    pub origins: Vec<String>,
    /// Affected credentials modes, sorted.
    pub credentials: Vec<String>,
    /// What the browser shows (the first affected request's).
    pub browser: Option<BrowserView>,
    /// The proof.
    pub evidence: Vec<EvidenceItem>,
    /// Evidence that would confirm the finding but was not available.
    pub confirm_with: Vec<String>,
    /// The fix.
    pub fix: Fix,
    /// Indexes of the failing observations this finding explains (engine bookkeeping).
    #[serde(skip)]
    pub explains: Vec<usize>,
    /// How specific the explanation is: for each failing request the highest wins (primary).
    #[serde(skip)]
    pub specificity: u8,
    /// A catch-all: dropped when other findings explain all its requests (engine bookkeeping).
    #[serde(skip)]
    pub catch_all: bool,
}

impl Finding {
    /// A finding of `meta` with a title; routes and evidence are added with the builder methods.
    pub fn new(meta: CaseMeta, title: impl Into<String>) -> Self {
        Finding {
            code: meta.code,
            name: meta.name,
            runbook_case: meta.runbook_case,
            title: title.into(),
            role: Role::Contributing,
            confidence: Confidence::Low,
            routes: Vec::new(),
            origins: Vec::new(),
            credentials: Vec::new(),
            browser: None,
            evidence: Vec::new(),
            confirm_with: Vec::new(),
            fix: Fix::default(),
            explains: Vec::new(),
            specificity: 0,
            catch_all: false,
        }
    }

    /// Adds a route (kept sorted and unique).
    pub fn route(mut self, method: &str, route: &str) -> Self {
        self.add_route(method, route);
        self
    }

    /// Adds a route in place.
    pub fn add_route(&mut self, method: &str, route: &str) {
        let r = RouteRef {
            method: method.to_string(),
            route: route.to_string(),
        };
        if let Err(i) = self.routes.binary_search(&r) {
            self.routes.insert(i, r);
        }
    }

    /// Adds evidence, skipping an exact duplicate.
    pub fn add_evidence(&mut self, item: EvidenceItem) {
        if !self.evidence.contains(&item) {
            self.evidence.push(item);
        }
    }

    /// Adds a "would confirm it" note, skipping duplicates.
    pub fn confirm(&mut self, what: impl Into<String>) {
        let what = what.into();
        if !self.confirm_with.contains(&what) {
            self.confirm_with.push(what);
        }
    }

    /// Sets the confidence.
    pub fn confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    /// Sets the specificity.
    pub fn specificity(mut self, s: u8) -> Self {
        self.specificity = s;
        self
    }

    /// Sets the fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = fix;
        self
    }

    /// Sorts and deduplicates the lists that must be deterministic.
    pub fn normalize(&mut self) {
        let dedup = |v: &mut Vec<String>| {
            let set: BTreeSet<String> = v.drain(..).collect();
            v.extend(set);
        };
        dedup(&mut self.origins);
        dedup(&mut self.credentials);
        dedup(&mut self.confirm_with);
        let rank = |e: &EvidenceItem| match e {
            EvidenceItem::Config { .. } => 0,
            EvidenceItem::Deployment { .. } => 1,
            EvidenceItem::CloudTrail { .. } => 2,
            EvidenceItem::MetricRise { .. } => 3,
            EvidenceItem::LogLine { .. } => 4,
            EvidenceItem::Probe { .. } => 5,
        };
        let mut keyed: Vec<(u8, String, EvidenceItem)> = self
            .evidence
            .drain(..)
            .map(|e| (rank(&e), serde_json::to_string(&e).unwrap_or_default(), e))
            .collect();
        keyed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        self.evidence = keyed.into_iter().map(|(_, _, e)| e).collect();
        self.explains.sort_unstable();
        self.explains.dedup();
    }
}
