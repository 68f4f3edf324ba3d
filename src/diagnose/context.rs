//! What every case reads: the observations (one per probed page request, reduced to what the
//! diagnosis needs) and the AWS evidence, with the lookups the cases share (the REST resource or
//! HTTP route a request reached, the gateway response type a response shows).
//!
//! Pure data and pure functions; it must not decide a diagnosis (the cases do).

use crate::aws::evidence::{
    ApiConfiguration, CorsConfiguration, Evidence, HttpApiConfig, HttpRoute, LogFindings,
    RestApiConfig, RestMethod, RestResource,
};
use crate::fetch::Outcome;
use crate::report::wire::{RequestResult, WireExchange};

use super::finding::{BrowserView, EvidenceItem, Finding};
use super::Input;

/// One exchange as the diagnosis sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hop {
    /// `OPTIONS`, `GET`…
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// The response status; `None` when no response came.
    pub status: Option<u16>,
    /// Response header lines in wire order.
    pub headers: Vec<(String, String)>,
    /// The first bytes of the body.
    pub body: String,
}

impl Hop {
    /// A hop with a response (for hand-built inputs).
    pub fn new(method: &str, url: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        Hop {
            method: method.into(),
            url: url.into(),
            status: Some(status),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }

    fn from_wire(w: &WireExchange) -> Self {
        Hop {
            method: w.request.method.clone(),
            url: w.request.url.clone(),
            status: w.response.as_ref().map(|r| r.status),
            headers: w
                .response
                .as_ref()
                .map(|r| r.headers.clone())
                .unwrap_or_default(),
            body: w
                .response
                .as_ref()
                .map(|r| r.body_prefix.clone())
                .unwrap_or_default(),
        }
    }

    /// Every value of a header (one per line), case-insensitive name.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `x-amzn-ErrorType`, without the `:…` suffix AWS sometimes appends.
    pub fn error_type(&self) -> Option<&str> {
        self.header("x-amzn-errortype")
            .map(|v| v.split(':').next().unwrap_or(v).trim())
    }

    /// Whether the response carries any `Access-Control-Allow-Origin`.
    pub fn has_allow_origin(&self) -> bool {
        self.header("access-control-allow-origin").is_some()
    }

    /// Which API Gateway flavour answered, from the request-id headers.
    pub fn flavor(&self) -> Flavor {
        if self.header("apigw-requestid").is_some() {
            Flavor::Http
        } else if self.header("x-amzn-requestid").is_some()
            || self.header("x-amz-apigw-id").is_some()
        {
            Flavor::Rest
        } else {
            Flavor::Unknown
        }
    }

    /// The `message` of a JSON error body (`{"message":"Unauthorized"}`).
    pub fn message(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(self.body.trim()).ok()?;
        v.get("message")
            .or_else(|| v.get("Message"))
            .and_then(|m| m.as_str())
            .map(str::to_string)
    }

    /// The gateway response type this response shows, when API Gateway generated it (not the
    /// integration): from `x-amzn-ErrorType`, the status and the message (re:Post "troubleshoot
    /// 403", aws-and-peers.md §A.1, §C).
    pub fn gateway_response_type(&self) -> Option<&'static str> {
        let status = self.status?;
        if status < 400 {
            return None;
        }
        let message = self.message().unwrap_or_default();
        let by_type = match self.error_type() {
            Some("MissingAuthenticationTokenException") => Some("MISSING_AUTHENTICATION_TOKEN"),
            Some("UnauthorizedException") => Some("UNAUTHORIZED"),
            Some("AccessDeniedException") => Some("ACCESS_DENIED"),
            Some("ForbiddenException") => Some("INVALID_API_KEY"),
            Some("TooManyRequestsException") => Some("THROTTLED"),
            Some("LimitExceededException") => Some("QUOTA_EXCEEDED"),
            Some("ExpiredTokenException") => Some("EXPIRED_TOKEN"),
            Some("InvalidSignatureException" | "IncompleteSignatureException") => {
                Some("INVALID_SIGNATURE")
            }
            Some("NotFoundException") => Some("RESOURCE_NOT_FOUND"),
            Some("BadRequestException") => Some("BAD_REQUEST_BODY"),
            Some("InternalServerErrorException") => Some(if status == 500 {
                "API_CONFIGURATION_ERROR"
            } else {
                "DEFAULT_5XX"
            }),
            _ => None,
        };
        if by_type.is_some() {
            return by_type;
        }
        match self.flavor() {
            Flavor::Rest => Some(match (status, message.as_str()) {
                (504, _) => "INTEGRATION_TIMEOUT",
                (415, _) => "UNSUPPORTED_MEDIA_TYPE",
                (413, _) => "REQUEST_TOO_LARGE",
                (s, "Internal server error") if s >= 500 => "DEFAULT_5XX",
                (_, "Forbidden") => "INVALID_API_KEY",
                _ => return None,
            }),
            Flavor::Http => Some(match (status, message.as_str()) {
                (401, "Unauthorized") => "UNAUTHORIZED",
                (403, "Forbidden") => "ACCESS_DENIED",
                (404, "Not Found") => "RESOURCE_NOT_FOUND",
                (429, _) => "THROTTLED",
                (503, "Service Unavailable") | (504, _) => "INTEGRATION_TIMEOUT",
                (500, "Internal Server Error") => "DEFAULT_5XX",
                _ => return None,
            }),
            Flavor::Unknown => None,
        }
    }

    /// The status line and the header lines that matter to CORS, for evidence (request ids are
    /// left out: they change on every run).
    pub fn evidence(&self, exchange: &str) -> EvidenceItem {
        let headers = self
            .headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k.starts_with("access-control-") || k == "x-amzn-errortype"
            })
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let path = url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| self.url.clone());
        EvidenceItem::Probe {
            exchange: exchange.into(),
            request: format!("{} {path}", self.method),
            status: self.status,
            headers,
        }
    }
}

/// The API Gateway flavour a response came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// REST API (`x-amzn-RequestId`, `x-amz-apigw-id`).
    Rest,
    /// HTTP API (`apigw-requestid`).
    Http,
    /// Not API Gateway, or not recognisable.
    Unknown,
}

/// One probed page request, reduced to what the diagnosis reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// The route template the request was made for (`/items/{id}`).
    pub route: String,
    /// The URL.
    pub url: String,
    /// The page's method.
    pub method: String,
    /// The page origin.
    pub origin: String,
    /// `omit`, `same-origin` or `include`.
    pub credentials: String,
    /// Whether the browser blocks it (a CORS failure, not a network error).
    pub blocked: bool,
    /// Whether the request could not be probed at all.
    pub network_error: bool,
    /// Chromium's CorsError.
    pub cors_error: Option<String>,
    /// Chromium's console message.
    pub console_message: Option<String>,
    /// The preflight exchange.
    pub preflight: Option<Hop>,
    /// The last actual exchange.
    pub actual: Option<Hop>,
    /// Lower-case names of the non-safelisted headers the page set (as the preflight asked).
    pub request_headers: Vec<String>,
    /// Seconds Chromium keeps this preflight answer (`None`: no preflight or not cacheable).
    pub preflight_cache_seconds: Option<u64>,
}

impl Observation {
    /// From a request result of `run`/`check` and its route template.
    pub fn from_result(route: &str, r: &RequestResult) -> Self {
        let request_headers = r
            .preflight
            .as_ref()
            .and_then(|p| {
                p.request
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("access-control-request-headers"))
            })
            .map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Observation {
            route: route.to_string(),
            url: r.url.clone(),
            method: r.method.clone(),
            origin: r.origin.clone(),
            credentials: r.credentials.clone(),
            blocked: r.outcome == Outcome::Blocked,
            network_error: r.outcome == Outcome::Error,
            cors_error: r.cors_error.clone(),
            console_message: r.console_message.clone(),
            preflight: r.preflight.as_ref().map(Hop::from_wire),
            actual: r.actual.as_ref().map(Hop::from_wire),
            request_headers,
            preflight_cache_seconds: r
                .preflight_cache
                .as_ref()
                .map(|c| c.chrome_seconds)
                .filter(|s| *s > 0),
        }
    }

    /// Whether the browser blocked this request at the preflight.
    pub fn failed_at_preflight(&self) -> bool {
        self.cors_error.as_deref().is_some_and(|e| {
            crate::fetch::CorsError::from_name(e).is_some_and(crate::fetch::CorsError::is_preflight)
        })
    }

    /// The hop the browser failed on: the preflight for preflight errors, else the actual.
    pub fn failing_hop(&self) -> Option<&Hop> {
        if self.failed_at_preflight() {
            self.preflight.as_ref()
        } else {
            self.actual.as_ref()
        }
    }

    /// The URL's path.
    pub fn path(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| self.url.clone())
    }

    /// The browser's view.
    pub fn browser(&self) -> BrowserView {
        BrowserView {
            cors_error: self.cors_error.clone(),
            console_message: self.console_message.clone(),
        }
    }
}

/// The input with shared lookups.
#[derive(Debug)]
pub struct Context<'a> {
    /// The observations.
    pub obs: &'a [Observation],
    /// The evidence, when collected.
    pub ev: Option<&'a Evidence>,
}

impl<'a> Context<'a> {
    /// Wraps an input.
    pub fn new(input: &'a Input) -> Self {
        Context {
            obs: &input.observations,
            ev: input.evidence.as_ref(),
        }
    }

    /// Indexes of the requests the browser blocked (CORS failures; network errors are not).
    pub fn failing(&self) -> impl Iterator<Item = usize> + '_ {
        self.obs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.blocked && !o.network_error)
            .map(|(i, _)| i)
    }

    /// The blocked requests whose preflight failed at an API of `flavor`: (index, request,
    /// preflight hop).
    pub fn failing_preflights(
        &self,
        flavor: Flavor,
    ) -> impl Iterator<Item = (usize, &'a Observation, &'a Hop)> + '_ {
        self.failing().filter_map(move |i| {
            let o = &self.obs[i];
            let p = o.preflight.as_ref().filter(|_| o.failed_at_preflight())?;
            (p.flavor() == flavor).then_some((i, o, p))
        })
    }

    /// The REST configuration, when collected.
    pub fn rest(&self) -> Option<&'a RestApiConfig> {
        match self.ev?.configuration.value()? {
            ApiConfiguration::Rest(r) => Some(r),
            ApiConfiguration::Http(_) => None,
        }
    }

    /// The HTTP API configuration, when collected.
    pub fn http(&self) -> Option<&'a HttpApiConfig> {
        match self.ev?.configuration.value()? {
            ApiConfiguration::Http(h) => Some(h),
            ApiConfiguration::Rest(_) => None,
        }
    }

    /// The HTTP API's CorsConfiguration, when collected and present.
    pub fn http_cors(&self) -> Option<&'a CorsConfiguration> {
        self.http()?.cors.value()
    }

    /// The API id, or a placeholder for fix commands.
    pub fn api_id(&self) -> String {
        self.ev
            .map(|e| e.target.api_id.clone())
            .unwrap_or_else(|| "<api-id>".into())
    }

    /// The stage, or a placeholder.
    pub fn stage(&self) -> String {
        self.ev
            .map(|e| e.target.stage.clone())
            .unwrap_or_else(|| "<stage>".into())
    }

    /// The path of a request inside the API: the URL path without the leading segments that
    /// select the stage (and a mount or base path before it).
    pub fn api_paths(&self, o: &Observation) -> Vec<String> {
        let path = o.path();
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut out = Vec::new();
        if let Some(stage) = self.ev.map(|e| e.target.stage.as_str()) {
            if let Some(i) = segs.iter().position(|s| *s == stage) {
                out.push(format!("/{}", segs[i + 1..].join("/")));
            }
        }
        for k in 0..segs.len().min(3) {
            out.push(format!("/{}", segs[k..].join("/")));
        }
        out.dedup();
        out
    }

    /// The REST resource a request reached (its most specific matching template).
    pub fn rest_resource(&self, o: &Observation) -> Option<&'a RestResource> {
        let rest = self.rest()?;
        for path in self.api_paths(o) {
            let best = rest
                .resources
                .iter()
                .filter(|r| template_matches(&r.path, &path))
                .max_by_key(|r| template_specificity(&r.path));
            if best.is_some() {
                return best;
            }
        }
        None
    }

    /// The REST method `verb` (or ANY) on a resource.
    pub fn rest_method(res: &'a RestResource, verb: &str) -> Option<&'a RestMethod> {
        res.methods
            .iter()
            .find(|m| m.http_method.eq_ignore_ascii_case(verb))
            .or_else(|| res.methods.iter().find(|m| m.http_method == "ANY"))
    }

    /// The HTTP API route a request with method `verb` reaches (exact, ANY, greedy, `$default`).
    pub fn http_route(&self, o: &Observation, verb: &str) -> Option<&'a HttpRoute> {
        let routes = self.http()?.routes.value()?;
        let mut best: Option<(u32, &HttpRoute)> = None;
        for path in self.api_paths(o) {
            for r in routes {
                let score = if r.route_key == "$default" {
                    1
                } else {
                    let Some((m, tpl)) = r.route_key.split_once(' ') else {
                        continue;
                    };
                    if !template_matches(tpl, &path) {
                        continue;
                    }
                    let method_score = if m.eq_ignore_ascii_case(verb) {
                        2
                    } else if m == "ANY" {
                        1
                    } else {
                        continue;
                    };
                    10 + template_specificity(tpl) * 4 + method_score
                };
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, r));
                }
            }
        }
        best.map(|(_, r)| r)
    }

    /// Adds an observation to a finding: route, origin, credentials, browser view, probe
    /// evidence of the failing hop (once per route), and that the finding explains it.
    pub fn add_obs(&self, f: &mut Finding, i: usize) {
        let Some(o) = self.obs.get(i) else { return };
        let new_route = !f
            .routes
            .iter()
            .any(|r| r.method == o.method && r.route == o.route);
        f.add_route(&o.method, &o.route);
        f.origins.push(o.origin.clone());
        f.credentials.push(o.credentials.clone());
        if f.browser.is_none() && o.blocked {
            f.browser = Some(o.browser());
        }
        if o.blocked {
            f.explains.push(i);
        }
        if new_route {
            if let Some(p) = &o.preflight {
                f.add_evidence(p.evidence("preflight"));
            }
            if !o.failed_at_preflight() {
                if let Some(a) = &o.actual {
                    f.add_evidence(a.evidence("actual"));
                }
            }
        }
    }

    /// Every log source with lines: access, execution and application logs.
    pub fn logs(&self) -> Vec<&'a LogFindings> {
        let Some(ev) = self.ev else { return Vec::new() };
        let mut out: Vec<&LogFindings> = Vec::new();
        out.extend(ev.access_logs.value());
        out.extend(ev.execution_logs.value());
        out.extend(ev.application_logs.iter().filter_map(|c| c.value()));
        out
    }

    /// Log lines (any source) whose message contains `needle`, as evidence (at most `max`).
    pub fn log_evidence(&self, needle: &str, max: usize) -> Vec<EvidenceItem> {
        let mut out = Vec::new();
        for lf in self.logs() {
            for l in &lf.lines {
                if out.len() >= max {
                    return out;
                }
                if l.message.contains(needle) {
                    out.push(EvidenceItem::LogLine {
                        log_group: lf.log_group.clone(),
                        timestamp: l.timestamp.clone(),
                        message: l.message.clone(),
                    });
                }
            }
        }
        out
    }
}

/// Whether an API Gateway path template (`/items/{id}`, `/{proxy+}`) matches a concrete path.
pub fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let p: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for (i, seg) in t.iter().enumerate() {
        if seg.starts_with('{') && seg.ends_with("+}") {
            return p.len() > i;
        }
        let Some(actual) = p.get(i) else { return false };
        let param = seg.starts_with('{') && seg.ends_with('}');
        if !param && seg != actual {
            return false;
        }
    }
    t.len() == p.len()
}

/// Literal segments count more than parameters; greedy parameters least.
fn template_specificity(template: &str) -> u32 {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.ends_with("+}") {
                0
            } else if s.starts_with('{') {
                2
            } else {
                3
            }
        })
        .sum()
}
