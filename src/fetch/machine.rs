//! The browser's fetch, hop by hop, as a sans-I/O state machine.
//!
//! [`Fetch::start`] returns the first request to send; [`Fetch::receive`] takes each response
//! and returns the next request or the [`Verdict`]. The caller does the I/O, so a verdict can be
//! recomputed from a saved transcript by feeding the same responses again.
//!
//! Spec: "main fetch" (<https://fetch.spec.whatwg.org/#main-fetch>), "HTTP fetch",
//! "HTTP-redirect fetch" and "CORS-preflight fetch". Chromium: `CorsURLLoader`
//! (`services/network/cors/cors_url_loader.cc`).

use url::Url;

use super::cors_check::cors_check;
use super::error::{CorsError, CorsFailure};
use super::expose::readable_response_headers;
use super::headers::{
    cors_unsafe_request_header_names, is_forbidden_request_header, sorted_lowercase_set, HeaderList,
};
use super::messages::{console_messages, MessageContext};
use super::method::{is_forbidden_method, is_method, normalize_method};
use super::origin::{is_loopback_host, is_potentially_trustworthy_url, Origin};
use super::preflight::{needs_preflight, preflight_check, PreflightResult};
use super::request::{
    CookieSameSite, CredentialsMode, Initiator, PageRequest, RedirectMode, RequestMode,
    ResponseTainting,
};
use super::verdict::{
    ExchangeKind, Failure, NetworkErrorKind, Outcome, PreflightVerdict, Refusal, Verdict, Warning,
};

/// The Chromium build whose behaviour the engine follows.
pub const CHROMIUM_VERSION: &str = "148.0.7778.167";

/// The browser being emulated: what it adds to every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserProfile {
    /// `User-Agent` value.
    pub user_agent: String,
    /// `Accept-Language` value (none when empty).
    pub accept_language: String,
}

impl Default for BrowserProfile {
    fn default() -> Self {
        BrowserProfile {
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                         Chrome/148.0.0.0 Safari/537.36"
                .to_string(),
            accept_language: "en-US,en;q=0.9".to_string(),
        }
    }
}

/// A request the engine wants sent, exactly as it must go on the wire (the transport adds only
/// the framing headers `Host`, `Connection` and `Content-Length`, and records them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// Preflight or actual.
    pub kind: ExchangeKind,
    /// Method.
    pub method: String,
    /// Absolute URL.
    pub url: Url,
    /// Header lines, in order.
    pub headers: HeaderList,
    /// Body.
    pub body: Option<Vec<u8>>,
}

/// What came back (status and header lines in wire order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingResponse {
    /// Status code.
    pub status: u16,
    /// Header lines in wire order.
    pub headers: HeaderList,
}

/// What to do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Send this request and call [`Fetch::receive`] (or [`Fetch::network_error`]).
    Send(OutgoingRequest),
    /// Finished.
    Done(Box<Verdict>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    New,
    AwaitingPreflight,
    AwaitingActual,
    Finished,
}

/// One page request being fetched.
#[derive(Debug)]
pub struct Fetch {
    req: PageRequest,
    profile: BrowserProfile,
    state: State,
    initial_url: String,
    current_url: Option<Url>,
    method: String,
    headers: HeaderList,
    body: Option<Vec<u8>>,
    tainted: bool,
    cors_flag: bool,
    redirects: u32,
    url_list: Vec<Url>,
    dropped: Vec<String>,
    warnings: Vec<Warning>,
    preflight: Option<PreflightVerdict>,
    preflight_cache: Vec<(String, PreflightResult)>,
    cookie_origin: Option<Origin>,
}

/// Fetch "request-body-header name".
const REQUEST_BODY_HEADERS: &[&str] = &[
    "content-encoding",
    "content-language",
    "content-location",
    "content-type",
];

impl Fetch {
    /// Prepares a fetch; nothing is sent until [`Fetch::start`].
    pub fn new(req: PageRequest, profile: BrowserProfile) -> Fetch {
        Fetch {
            initial_url: req.url.clone(),
            method: req.method.clone(),
            body: req.body.clone(),
            req,
            profile,
            state: State::New,
            current_url: None,
            headers: HeaderList::new(),
            tainted: false,
            cors_flag: false,
            redirects: 0,
            url_list: Vec::new(),
            dropped: Vec::new(),
            warnings: Vec::new(),
            preflight: None,
            preflight_cache: Vec::new(),
            cookie_origin: None,
        }
    }

    /// The page request.
    pub fn request(&self) -> &PageRequest {
        &self.req
    }

    /// Checks the request as the `Request` constructor and main fetch do, then returns the first
    /// request to send (the preflight, when one is needed) or an immediate verdict.
    pub fn start(&mut self) -> Step {
        debug_assert_eq!(self.state, State::New);
        // Request constructor: "Let parsedURL be the result of parsing input with baseURL. If
        // parsedURL is failure, then throw a TypeError."
        let mut url = match Url::parse(&self.req.url) {
            Ok(u) => u,
            Err(_) => return self.refuse(Refusal::InvalidUrl),
        };
        let has_credentials = !url.username().is_empty() || url.password().is_some();
        // XMLHttpRequest open() accepts a URL with credentials (it takes them as the request's
        // username and password) and Chromium 148 completes such a CORS XHR (fidelity scenarios
        // `url-userinfo-cross-origin`, `url-userinfo-same-origin`); the request URL goes
        // without them.
        if has_credentials && self.req.initiator == Initiator::Xhr {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        self.initial_url = url.to_string();
        self.current_url = Some(url.clone());
        self.url_list.push(url.clone());
        // fetch(): "If parsedURL includes credentials, then throw a TypeError."
        if has_credentials && self.req.initiator == Initiator::Fetch {
            return self.refuse(Refusal::UrlHasCredentials);
        }
        // "If method is not a method or method is a forbidden method, then throw a TypeError."
        if !is_method(&self.req.method) || is_forbidden_method(&self.req.method) {
            return self.refuse(Refusal::ForbiddenMethod);
        }
        // "Normalize method."
        self.method = normalize_method(&self.req.method);
        if self.method != self.req.method && self.method.eq_ignore_ascii_case(&self.req.method) {
            self.warnings.push(Warning::new(
                "method-normalized",
                format!("`{}` is sent as `{}` (Fetch normalizes DELETE, GET, HEAD, OPTIONS, POST and PUT)", self.req.method, self.method),
            ));
        } else if self.method != self.method.to_ascii_uppercase() {
            self.warnings.push(Warning::new(
                "method-not-normalized",
                format!("`{}` is sent as written: browsers uppercase only DELETE, GET, HEAD, OPTIONS, POST and PUT, and Access-Control-Allow-Methods is compared case-sensitively", self.method),
            ));
        }
        // "If this's request's mode is "no-cors": if this's request's method is not a
        // CORS-safelisted method, then throw a TypeError."
        if self.req.mode == RequestMode::NoCors
            && !matches!(self.method.as_str(), "GET" | "HEAD" | "POST")
        {
            return self.refuse(Refusal::MethodNotAllowedInNoCors);
        }
        // Main fetch: "request's mode is "no-cors": if request's redirect mode is not "follow",
        // then return a network error." Chromium refuses in the renderer (fetch_manager.cc),
        // before anything is sent.
        if self.req.mode == RequestMode::NoCors && self.req.redirect != RedirectMode::Follow {
            return self.refuse(Refusal::NoCorsRedirectModeNotFollow);
        }
        // Headers "append": forbidden request-headers are silently ignored (guard "request").
        for (name, value) in self.req.headers.iter() {
            if is_forbidden_request_header(name, value) {
                self.dropped.push(name.to_string());
                continue;
            }
            // Guard "request-no-cors": only no-CORS-safelisted request-headers survive.
            if self.req.mode == RequestMode::NoCors && !is_no_cors_safelisted(name, value) {
                self.dropped.push(name.to_string());
                continue;
            }
            self.headers.append(name, value);
        }
        if !self.dropped.is_empty() {
            self.warnings.push(Warning::new(
                "forbidden-header-dropped",
                format!(
                    "the browser silently drops {} set by script: {}",
                    if self.dropped.len() == 1 {
                        "this header"
                    } else {
                        "these headers"
                    },
                    self.dropped.join(", ")
                ),
            ));
        }
        self.cookie_origin = Some(Origin::of_url(&url));
        // Main fetch step 12, scheme fetch: only HTTP(S) is fetched over the network.
        if !matches!(url.scheme(), "http" | "https") {
            return self.refuse(Refusal::UnsupportedScheme);
        }
        // Mixed Content §4.3: a secure page may not fetch an a priori insecure URL; loopback
        // URLs are potentially trustworthy and pass (as in Chromium).
        if self.req.origin.scheme() == Some("https") && !is_potentially_trustworthy_url(&url) {
            return self.refuse(Refusal::MixedContent);
        }
        self.local_network_warning(&url);
        let same_origin = self.req.origin.same_origin(&Origin::of_url(&url));
        // Main fetch step 12 switch: same origin ⇒ basic; mode same-origin ⇒ network error;
        // mode no-cors ⇒ opaque; otherwise set the CORS flag and run HTTP fetch.
        if !same_origin {
            match self.req.mode {
                RequestMode::SameOrigin => return self.refuse(Refusal::SameOriginModeCrossOrigin),
                RequestMode::NoCors => {}
                RequestMode::Cors => self.cors_flag = true,
            }
        }
        self.next_request()
    }

    /// Feeds the response to the request last returned; returns what to do next.
    pub fn receive(&mut self, response: &IncomingResponse) -> Step {
        match self.state {
            State::AwaitingPreflight => self.on_preflight_response(response),
            State::AwaitingActual => self.on_actual_response(response),
            State::New | State::Finished => self.finish_with(
                Outcome::Error,
                Some(Failure::Network {
                    kind: NetworkErrorKind::Protocol,
                    detail: "response received with no request outstanding".into(),
                    during: ExchangeKind::Actual,
                }),
                None,
                None,
            ),
        }
    }

    /// The request last returned failed in the transport.
    pub fn network_error(&mut self, kind: NetworkErrorKind, detail: impl Into<String>) -> Step {
        let during = if self.state == State::AwaitingPreflight {
            ExchangeKind::Preflight
        } else {
            ExchangeKind::Actual
        };
        self.finish_with(
            Outcome::Error,
            Some(Failure::Network {
                kind,
                detail: detail.into(),
                during,
            }),
            None,
            None,
        )
    }

    /// The caller decided not to send the actual request (safety): ends with `not_sent`.
    pub fn hold_back(&mut self, reason: impl Into<String>) -> Verdict {
        match self.finish_with(
            Outcome::NotSent,
            Some(Failure::HeldBack {
                reason: reason.into(),
            }),
            None,
            None,
        ) {
            Step::Done(v) => *v,
            Step::Send(_) => unreachable!("finish_with always returns Done"),
        }
    }

    fn serialized_origin(&self) -> String {
        // Fetch "byte-serializing a request origin": "null" when redirect-tainted.
        if self.tainted {
            "null".into()
        } else {
            self.req.origin.serialize()
        }
    }

    fn credentials_apply(&self, url: &Url) -> bool {
        match self.req.credentials {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => {
                !self.tainted && self.req.origin.same_origin(&Origin::of_url(url))
            }
            CredentialsMode::Omit => false,
        }
    }

    fn current(&self) -> Url {
        // Invariant: set in start() before any request is planned.
        self.current_url
            .clone()
            .unwrap_or_else(|| Url::parse("about:blank").expect("static URL"))
    }

    /// Decides between a preflight and the actual request for the current URL.
    fn next_request(&mut self) -> Step {
        let url = self.current();
        if self.cors_flag {
            let reasons = needs_preflight(&self.method, &self.headers, self.req.use_cors_preflight);
            if !reasons.is_empty() {
                if self.preflight.is_none() {
                    self.preflight = Some(PreflightVerdict {
                        reasons,
                        result: None,
                    });
                }
                if !self.preflight_cache_matches(&url) {
                    self.state = State::AwaitingPreflight;
                    return Step::Send(self.preflight_request(&url));
                }
            }
        }
        self.state = State::AwaitingActual;
        Step::Send(self.actual_request(&url))
    }

    fn preflight_cache_matches(&self, url: &Url) -> bool {
        let include = self.req.credentials == CredentialsMode::Include;
        self.preflight_cache.iter().any(|(u, r)| {
            u == url.as_str()
                && (r.credentials || !include)
                && (r.methods.contains(&self.method)
                    || matches!(self.method.as_str(), "GET" | "HEAD" | "POST"))
                && cors_unsafe_request_header_names(&self.headers)
                    .iter()
                    .all(|n| r.headers.iter().any(|h| h == n))
        })
    }

    fn sec_fetch_site(&self) -> &'static str {
        // Fetch Metadata: compare the initiator with every URL in the chain.
        let origin = &self.req.origin;
        if self
            .url_list
            .iter()
            .all(|u| origin.same_origin(&Origin::of_url(u)))
        {
            "same-origin"
        } else if self
            .url_list
            .iter()
            .all(|u| origin.same_site(&Origin::of_url(u)))
        {
            "same-site"
        } else {
            "cross-site"
        }
    }

    fn referrer(&self, url: &Url) -> Option<String> {
        // Default policy strict-origin-when-cross-origin.
        if self.req.origin.is_opaque() {
            return None;
        }
        if self.req.origin.scheme() == Some("https") && !is_potentially_trustworthy_url(url) {
            return None;
        }
        let page = self
            .req
            .referrer
            .clone()
            .unwrap_or_else(|| format!("{}/", self.req.origin.serialize()));
        if self.req.origin.same_origin(&Origin::of_url(url)) {
            Some(page)
        } else {
            Some(format!("{}/", self.req.origin.serialize()))
        }
    }

    fn accept_encoding(url: &Url) -> &'static str {
        if url.scheme() == "https" {
            "gzip, deflate, br, zstd"
        } else {
            "gzip, deflate"
        }
    }

    /// Fetch "CORS-preflight fetch" steps 1-5, as Chromium's `CreatePreflightRequest` builds it.
    fn preflight_request(&self, url: &Url) -> OutgoingRequest {
        let mut h = HeaderList::new();
        // "2. Append (`Accept`, `*/*`) to preflight's header list."
        h.append("Accept", "*/*");
        // "3. Append (`Access-Control-Request-Method`, request's method)."
        h.append("Access-Control-Request-Method", self.method.clone());
        // "4. Let headers be the CORS-unsafe request-header names with request's header list.
        // 5. If headers is not empty: let value be the items in headers separated from each other
        // by `,`." — "This intentionally does not use combine, as 0x20 following 0x2C is not the
        // way this was implemented."
        let unsafe_names = sorted_lowercase_set(&cors_unsafe_request_header_names(&self.headers));
        if !unsafe_names.is_empty() {
            h.append("Access-Control-Request-Headers", unsafe_names.join(","));
        }
        h.append("Origin", self.serialized_origin());
        h.append("User-Agent", self.profile.user_agent.clone());
        // Chromium's preflight builder sets `Sec-Fetch-Mode: cors` unconditionally (seen on the
        // wire for plain-http, non-loopback URLs: fidelity scenario `trig-x-custom`); the network
        // stack adds Site/Dest only for potentially trustworthy URLs (sec_header_helpers.cc).
        h.append("Sec-Fetch-Mode", "cors");
        if is_potentially_trustworthy_url(url) {
            h.append("Sec-Fetch-Site", self.sec_fetch_site());
            h.append("Sec-Fetch-Dest", "empty");
        }
        if let Some(r) = self.referrer(url) {
            h.append("Referer", r);
        }
        h.append("Accept-Encoding", Self::accept_encoding(url));
        if !self.profile.accept_language.is_empty() {
            h.append("Accept-Language", self.profile.accept_language.clone());
        }
        // Never credentials: no Cookie, no Authorization, no author headers.
        OutgoingRequest {
            kind: ExchangeKind::Preflight,
            method: "OPTIONS".into(),
            url: url.clone(),
            headers: h,
            body: None,
        }
    }

    fn actual_request(&mut self, url: &Url) -> OutgoingRequest {
        let mut h = HeaderList::new();
        for (n, v) in self.headers.iter() {
            h.append(n, v);
        }
        h.append("User-Agent", self.profile.user_agent.clone());
        if !self.headers.contains("accept") {
            h.append("Accept", "*/*");
        }
        // Fetch "append a request `Origin` header": for CORS requests, and for any request whose
        // method is neither GET nor HEAD.
        if self.cors_flag || !matches!(self.method.as_str(), "GET" | "HEAD") {
            h.append("Origin", self.serialized_origin());
        }
        if is_potentially_trustworthy_url(url) {
            h.append("Sec-Fetch-Site", self.sec_fetch_site());
            h.append("Sec-Fetch-Mode", self.req.mode.as_str());
            h.append("Sec-Fetch-Dest", "empty");
        }
        if let Some(r) = self.referrer(url) {
            h.append("Referer", r);
        }
        h.append("Accept-Encoding", Self::accept_encoding(url));
        if !self.headers.contains("accept-language") && !self.profile.accept_language.is_empty() {
            h.append("Accept-Language", self.profile.accept_language.clone());
        }
        // Cookies go only with credentials, and only to the origin of the URL they were given
        // for: never to another origin after a redirect (stricter than a browser's host-only
        // cookie scope, on purpose).
        if let Some(cookie) = self.req.cookies.clone() {
            if self.credentials_apply(url)
                && self.cookie_origin.as_ref() == Some(&Origin::of_url(url))
            {
                // SameSite: Lax (Chrome's default) and Strict cookies stay home on cross-site
                // requests; an opaque origin is cross-site to everything.
                let same_site = self.req.origin.same_site(&Origin::of_url(url));
                if self.req.cookie_same_site == CookieSameSite::None || same_site {
                    h.append("Cookie", cookie);
                } else if !self
                    .warnings
                    .iter()
                    .any(|w| w.code == "cookie-withheld-samesite")
                {
                    self.warnings.push(Warning::new(
                        "cookie-withheld-samesite",
                        format!(
                            "the cookie is not sent: this request is cross-site from {} and SameSite={} cookies (Chrome's default when the attribute is absent is Lax) only go with same-site requests; a cookie meant for cross-site APIs needs `SameSite=None; Secure` (then pass --cookie-samesite none)",
                            self.req.origin.serialize(),
                            self.req.cookie_same_site.as_str()
                        ),
                    ));
                }
            }
        }
        OutgoingRequest {
            kind: ExchangeKind::Actual,
            method: self.method.clone(),
            url: url.clone(),
            headers: h,
            body: self.body.clone(),
        }
    }

    fn on_preflight_response(&mut self, resp: &IncomingResponse) -> Step {
        let url = self.current();
        let redirected = is_redirect_status(resp.status) && resp.headers.contains("location");
        let mut notes = Vec::new();
        let checked = preflight_check(
            resp.status,
            &resp.headers,
            redirected,
            &self.serialized_origin(),
            self.req.credentials,
            &self.method,
            &self.headers,
            &mut notes,
        );
        for n in notes {
            self.warnings.push(Warning::new(n.code, n.message));
        }
        match checked {
            Err(f) => self.fail_cors(f, ExchangeKind::Preflight, resp),
            Ok(result) => {
                if result.lifetime.chrome_seconds == 0 {
                    self.warnings.push(Warning::new(
                        "preflight-not-cached",
                        "Access-Control-Max-Age makes browsers send a preflight before every request",
                    ));
                }
                self.preflight_cache.push((url.to_string(), result.clone()));
                if let Some(p) = &mut self.preflight {
                    p.result = Some(result);
                }
                self.state = State::AwaitingActual;
                Step::Send(self.actual_request(&url))
            }
        }
    }

    fn on_actual_response(&mut self, resp: &IncomingResponse) -> Step {
        let location = resp.headers.get("location");
        if is_redirect_status(resp.status) && location.is_some() {
            return self.on_redirect(resp, location.unwrap_or_default());
        }
        if self.req.mode == RequestMode::NoCors && self.cors_flag_for_no_cors() {
            return self.finish_allowed(ResponseTainting::Opaque, resp);
        }
        if self.cors_flag {
            // HTTP fetch step 4.4: "If request's response tainting is "cors" and a CORS check for
            // request and response returns failure, then return a network error."
            if let Err(f) = cors_check(
                &resp.headers,
                &self.serialized_origin(),
                self.req.credentials,
            ) {
                return self.fail_cors(f, ExchangeKind::Actual, resp);
            }
            self.vary_origin_warning(resp);
            return self.finish_allowed(ResponseTainting::Cors, resp);
        }
        self.finish_allowed(ResponseTainting::Basic, resp)
    }

    fn cors_flag_for_no_cors(&self) -> bool {
        // In no-cors mode a cross-origin (or tainted) response is opaque.
        self.tainted
            || self
                .url_list
                .iter()
                .any(|u| !self.req.origin.same_origin(&Origin::of_url(u)))
    }

    fn on_redirect(&mut self, resp: &IncomingResponse, location: String) -> Step {
        let current = self.current();
        // Chromium OnReceiveRedirect: with the CORS flag, the redirect response itself must pass
        // the CORS check (spec HTTP fetch 4.4 runs before HTTP-redirect fetch).
        if self.cors_flag {
            if let Err(f) = cors_check(
                &resp.headers,
                &self.serialized_origin(),
                self.req.credentials,
            ) {
                return self.fail_cors(f, ExchangeKind::Actual, resp);
            }
        }
        match self.req.redirect {
            // "error": "Set response to a network error."
            RedirectMode::Error => return self.refuse(Refusal::RedirectModeError),
            // "manual": an opaque-redirect filtered response.
            RedirectMode::Manual => {
                return self.finish_opaque(Refusal::OpaqueRedirect, resp);
            }
            RedirectMode::Follow => {}
        }
        // HTTP-redirect fetch 3: "Let locationURL be actualResponse's location URL given request's
        // current URL's fragment. If locationURL is failure, return a network error."
        let Ok(new_url) = current.join(&location) else {
            return self.refuse(Refusal::InvalidRedirect);
        };
        // 5: "If locationURL's scheme is not an HTTP(S) scheme, then return a network error."
        // Chromium: a CORS request redirected to a scheme outside its CORS-enabled list fails
        // with CorsDisabledScheme (fidelity scenario `redir-to-ftp`); `data:` is in that list
        // and fails as net::ERR_UNSAFE_REDIRECT instead (scenario `redir-to-data`).
        if !matches!(new_url.scheme(), "http" | "https") {
            const CORS_ENABLED: &[&str] = &[
                "chrome",
                "chrome-extension",
                "chrome-untrusted",
                "data",
                "http",
                "https",
                "isolated-app",
            ];
            if self.req.mode == RequestMode::Cors && !CORS_ENABLED.contains(&new_url.scheme()) {
                self.current_url = Some(new_url.clone());
                self.url_list.push(new_url);
                return self.fail_cors(
                    CorsFailure::new(CorsError::CorsDisabledScheme, ""),
                    ExchangeKind::Actual,
                    resp,
                );
            }
            return self.refuse(Refusal::InvalidRedirect);
        }
        // 6: "If request's redirect count is 20, then return a network error."
        if self.redirects >= 20 {
            self.current_url = Some(new_url);
            return self.refuse(Refusal::TooManyRedirects);
        }
        // 7: "Increase request's redirect count by 1."
        self.redirects += 1;
        let has_credentials = !new_url.username().is_empty() || new_url.password().is_some();
        let new_origin = Origin::of_url(&new_url);
        // 8: "If request's mode is "cors", locationURL includes credentials, and request's origin
        // is not same origin with locationURL's origin, then return a network error."
        // 9: "If request's response tainting is "cors" and locationURL includes credentials, then
        // return a network error." (Chromium CheckRedirectLocation also counts the taint.)
        if (self.req.mode == RequestMode::Cors
            && has_credentials
            && (self.tainted || !self.req.origin.same_origin(&new_origin)))
            || (self.cors_flag && has_credentials)
        {
            // The Location is not followed: Chromium's message names the URL that redirected,
            // without "(redirected from …)" (fidelity scenario `redir-userinfo-same-host`).
            return self.fail_cors(
                CorsFailure::new(CorsError::RedirectContainsCredentials, ""),
                ExchangeKind::Actual,
                resp,
            );
        }
        // Chromium (fetch() only) refuses to follow a redirect to a URL with embedded credentials
        // even when it is not a CORS request (fidelity `redir-same-origin-request-userinfo`);
        // XMLHttpRequest follows it.
        if has_credentials && self.req.initiator == Initiator::Fetch {
            self.current_url = Some(new_url);
            return self.refuse(Refusal::RedirectWithEmbeddedCredentials);
        }
        // Main fetch on the redirected request: "request's mode is "same-origin"" and the URL is
        // not same origin ⇒ network error. Chromium stops before sending it (fidelity scenario
        // `mode-same-origin-redirect-cross`).
        if self.req.mode == RequestMode::SameOrigin && !self.req.origin.same_origin(&new_origin) {
            self.current_url = Some(new_url);
            return self.refuse(Refusal::SameOriginModeRedirectCrossOrigin);
        }
        // Taint: "If locationURL's origin is not same origin with request's current URL's origin
        // and request's origin is not same origin with request's current URL's origin, then set
        // request's tainted origin flag."
        let current_origin = Origin::of_url(&current);
        if !new_origin.same_origin(&current_origin) && !self.req.origin.same_origin(&current_origin)
        {
            self.tainted = true;
        }
        // 12: method rewriting. "If one of the following is true: internalResponse's status is 301
        // or 302 and request's method is `POST`; internalResponse's status is 303 and request's
        // method is not `GET` or `HEAD` — then: set request's method to `GET` and request's body
        // to null; for each headerName of request-body-header name, delete headerName."
        if ((resp.status == 301 || resp.status == 302) && self.method == "POST")
            || (resp.status == 303 && !matches!(self.method.as_str(), "GET" | "HEAD"))
        {
            self.method = "GET".into();
            self.body = None;
            for name in REQUEST_BODY_HEADERS {
                self.headers.remove(name);
            }
        }
        // 13: "If request's current URL's origin is not same origin with locationURL's origin,
        // then for each headerName of CORS non-wildcard request-header name, delete headerName
        // from request's header list."
        if !current_origin.same_origin(&new_origin) && self.headers.contains("authorization") {
            self.headers.remove("authorization");
            self.warnings.push(Warning::new(
                "authorization-dropped-on-redirect",
                format!("the redirect to {} leaves the origin, so the Authorization header is not sent there", new_origin.serialize()),
            ));
        }
        self.current_url = Some(new_url.clone());
        self.url_list.push(new_url.clone());
        // Main fetch again (recursive): once CORS, stays CORS; a cross-origin hop sets it.
        if self.req.mode == RequestMode::Cors
            && (!self.req.origin.same_origin(&new_origin) || self.tainted)
        {
            self.cors_flag = true;
        }
        self.next_request()
    }

    fn finish_allowed(&mut self, tainting: ResponseTainting, resp: &IncomingResponse) -> Step {
        let readable = readable_response_headers(&resp.headers, tainting, self.req.credentials);
        let status = if tainting == ResponseTainting::Opaque {
            0
        } else {
            resp.status
        };
        if tainting == ResponseTainting::Opaque {
            return self.finish_opaque(Refusal::OpaqueResponse, resp);
        }
        self.finish_with(
            Outcome::Allowed,
            None,
            Some(tainting),
            Some((status, readable)),
        )
    }

    /// An opaque or opaque-redirect response: the fetch succeeds, but script can read nothing
    /// (Chromium hands it status 0), so corsprobe reports it as blocked, with no CORS error.
    fn finish_opaque(&mut self, refusal: Refusal, _resp: &IncomingResponse) -> Step {
        self.finish_inner(
            Outcome::Blocked,
            Some(Failure::Refused { refusal }),
            Some(ResponseTainting::Opaque),
            Some((0, Vec::new())),
            None,
        )
    }

    fn fail_cors(&mut self, f: CorsFailure, during: ExchangeKind, resp: &IncomingResponse) -> Step {
        let failure = Failure::Cors {
            cors_error: f.error,
            failed_parameter: f.failed_parameter,
            during,
            status: Some(resp.status),
        };
        self.finish_inner(Outcome::Blocked, Some(failure), None, None, Some(resp))
    }

    fn refuse(&mut self, refusal: Refusal) -> Step {
        self.finish_with(
            Outcome::Blocked,
            Some(Failure::Refused { refusal }),
            None,
            None,
        )
    }

    fn finish_with(
        &mut self,
        outcome: Outcome,
        failure: Option<Failure>,
        tainting: Option<ResponseTainting>,
        readable: Option<(u16, Vec<String>)>,
    ) -> Step {
        self.finish_inner(outcome, failure, tainting, readable, None)
    }

    fn finish_inner(
        &mut self,
        outcome: Outcome,
        failure: Option<Failure>,
        tainting: Option<ResponseTainting>,
        readable: Option<(u16, Vec<String>)>,
        resp: Option<&IncomingResponse>,
    ) -> Step {
        self.state = State::Finished;
        let final_url = self
            .current_url
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| self.req.url.clone());
        let console = match &failure {
            Some(f) => {
                let unsafe_names = cors_unsafe_request_header_names(&self.headers);
                let origin = self.req.origin.serialize();
                let ctx = MessageContext {
                    origin: &origin,
                    initial_url: &self.initial_url,
                    final_url: &final_url,
                    method: &self.method,
                    failure: f,
                    response: resp.map(|r| (r.status, &r.headers)),
                    unsafe_headers: &unsafe_names,
                    request_headers: &self.headers,
                };
                console_messages(&ctx)
            }
            None => Default::default(),
        };
        let (status, readable_headers) = match readable {
            Some((s, r)) => (Some(s), r),
            None => (None, Vec::new()),
        };
        Step::Done(Box::new(Verdict {
            outcome,
            failure,
            initial_url: self.initial_url.clone(),
            final_url,
            redirects: self.redirects,
            response_tainting: tainting,
            status,
            readable_headers,
            preflight: self.preflight.clone(),
            dropped_headers: self.dropped.clone(),
            warnings: std::mem::take(&mut self.warnings),
            console,
        }))
    }

    fn vary_origin_warning(&mut self, resp: &IncomingResponse) {
        // Fetch "CORS protocol and HTTP caches": an origin-dependent ACAO needs `Vary: Origin`.
        let acao = resp
            .headers
            .get("access-control-allow-origin")
            .unwrap_or_default();
        if acao != "*" {
            let varies = resp
                .headers
                .values("vary")
                .flat_map(|v| v.split(','))
                .any(|t| {
                    let t = t.trim();
                    t.eq_ignore_ascii_case("origin") || t == "*"
                });
            if !varies {
                self.warnings.push(Warning::new(
                    "missing-vary-origin",
                    "Access-Control-Allow-Origin names the origin but the response lacks `Vary: Origin`: an HTTP cache or CDN may serve this answer to another origin",
                ));
            }
        }
    }

    fn local_network_warning(&mut self, url: &Url) {
        // Chromium's Local Network Access (M142+): a public page reaching a loopback or private
        // address needs a user permission that HTTP cannot show.
        // Loopback targets are local development or corsprobe's own emulator: only private
        // addresses written in the URL are flagged.
        let target_local = url.host_str().is_some_and(is_private_ip);
        let page_local = self
            .req
            .origin
            .host()
            .is_some_and(|h| is_loopback_host(h) || is_private_ip(h));
        if target_local && !page_local && !self.req.origin.is_opaque() {
            self.warnings.push(Warning::new(
                "local-network-access",
                "a page on a public origin requesting a private address needs Chrome's Local Network Access permission (M142+), which corsprobe cannot observe",
            ));
        }
    }
}

fn is_private_ip(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_private())
}

/// Statuses the network stack follows as redirects.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Fetch "no-CORS-safelisted request-header": `Accept`, `Accept-Language`, `Content-Language`,
/// `Content-Type`, each also CORS-safelisted.
fn is_no_cors_safelisted(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "accept" | "accept-language" | "content-language" | "content-type"
    ) && super::headers::is_cors_safelisted_request_header(name, value)
}
