//! The request a page makes, as the Fetch standard models it: modes, credentials, initiator.
//! Spec: <https://fetch.spec.whatwg.org/#requests>.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::headers::HeaderList;
use super::origin::Origin;

/// Fetch "request mode".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RequestMode {
    /// `cors` (fetch() and XHR default).
    #[default]
    Cors,
    /// `no-cors`: opaque responses, no CORS check.
    NoCors,
    /// `same-origin`: cross-origin URLs are a network error.
    SameOrigin,
}

/// Fetch "credentials mode".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsMode {
    /// `omit`.
    Omit,
    /// `same-origin` (fetch() default; XHR without `withCredentials`).
    #[default]
    SameOrigin,
    /// `include` (`credentials: 'include'`, XHR `withCredentials = true`).
    Include,
}

/// Fetch "response tainting".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseTainting {
    /// Same-origin response: everything readable except `Set-Cookie`.
    Basic,
    /// CORS response: safelisted and exposed headers readable.
    Cors,
    /// Opaque (`no-cors`): nothing readable.
    Opaque,
}

/// Fetch "redirect mode".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// Follow redirects (default).
    #[default]
    Follow,
    /// Redirects are a network error.
    Error,
    /// Redirects produce an opaque-redirect response.
    Manual,
}

/// A cookie's `SameSite` attribute: whether a cross-site fetch() carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CookieSameSite {
    /// Sent on cross-site requests (must also be `Secure` in Chrome).
    None,
    /// Chrome's default when the attribute is absent: same-site requests and top-level
    /// navigations only, so never on a cross-site fetch().
    #[default]
    Lax,
    /// Same-site requests only.
    Strict,
}

/// Which API the page used; it changes Chromium's console wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Initiator {
    /// `fetch()`.
    #[default]
    Fetch,
    /// `XMLHttpRequest`.
    Xhr,
}

macro_rules! kebab_enum_str {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// The kebab-case name used in flags, files and JSON.
            pub fn as_str(self) -> &'static str { match self { $(<$t>::$v => $s),* } }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($s => Ok(<$t>::$v),)* _ => Err(format!(
                    "`{}` is not one of: {}", s, [$($s),*].join(", "))) }
            }
        }
    };
}
kebab_enum_str!(RequestMode { Cors => "cors", NoCors => "no-cors", SameOrigin => "same-origin" });
kebab_enum_str!(CredentialsMode { Omit => "omit", SameOrigin => "same-origin", Include => "include" });
kebab_enum_str!(RedirectMode { Follow => "follow", Error => "error", Manual => "manual" });
kebab_enum_str!(CookieSameSite { None => "none", Lax => "lax", Strict => "strict" });
kebab_enum_str!(Initiator { Fetch => "fetch", Xhr => "xhr" });
kebab_enum_str!(ResponseTainting { Basic => "basic", Cors => "cors", Opaque => "opaque" });

/// The request as page script makes it: `fetch(url, {method, headers, credentials, mode, body})`
/// from a document whose origin is `origin`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// The URL passed to fetch()/open().
    pub url: String,
    /// The method as script wrote it (normalized by the engine).
    pub method: String,
    /// Headers script set, in the order it set them.
    pub headers: HeaderList,
    /// The page's origin.
    pub origin: Origin,
    /// Request mode.
    pub mode: RequestMode,
    /// Credentials mode.
    pub credentials: CredentialsMode,
    /// Redirect mode.
    pub redirect: RedirectMode,
    /// fetch() or XHR.
    pub initiator: Initiator,
    /// The body script sends, if any (only its presence and size matter to the engine).
    pub body: Option<Vec<u8>>,
    /// Fetch "use-CORS-preflight flag" (XHR upload listeners, streaming bodies).
    pub use_cors_preflight: bool,
    /// Cookies the browser holds for the target URL's host, sent when credentials apply.
    pub cookies: Option<String>,
    /// The SameSite attribute of those cookies (Chrome's default for cookies without one: Lax).
    pub cookie_same_site: CookieSameSite,
    /// The page URL, for `Referer` (defaults to the origin's root).
    pub referrer: Option<String>,
}

impl PageRequest {
    /// A `GET` fetch() with default modes.
    pub fn new(url: impl Into<String>, origin: Origin) -> Self {
        PageRequest {
            url: url.into(),
            method: "GET".into(),
            headers: HeaderList::new(),
            origin,
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
            initiator: Initiator::Fetch,
            body: None,
            use_cors_preflight: false,
            cookies: None,
            cookie_same_site: CookieSameSite::Lax,
            referrer: None,
        }
    }
}
