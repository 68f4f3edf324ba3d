//! The Fetch standard's CORS rules, as Chromium implements them: pure, no I/O, no clock.
//!
//! Step comments quote the Fetch Standard at whatwg/fetch `fetch.bs`
//! 586cd2a44c2a865b37c166dc0740f3fb8bb220d6 (after "Review Draft June 2026"). Where Chromium
//! departs from the standard, the code follows Chromium and says so; the standard's view is
//! reported as a warning.
//!
//! Entry point: [`Fetch`], a sans-I/O state machine: [`Fetch::start`] returns the first request
//! to send, [`Fetch::receive`] the next one or the [`Verdict`].

pub mod browsers;
pub mod cache;
pub mod cors_check;
pub mod error;
pub mod expose;
pub mod headers;
pub mod machine;
pub mod messages;
pub mod method;
pub mod mime;
pub mod origin;
pub mod preflight;
pub mod request;
pub mod verdict;

pub use cache::{BrowserFamily, PreflightCacheLifetime};
pub use error::{CorsError, CorsFailure};
pub use headers::HeaderList;
pub use machine::{
    BrowserProfile, Fetch, IncomingResponse, OutgoingRequest, Step, CHROMIUM_VERSION,
};
pub use origin::Origin;
pub use request::{
    CredentialsMode, Initiator, PageRequest, RedirectMode, RequestMode, ResponseTainting,
};
pub use verdict::{ExchangeKind, Failure, NetworkErrorKind, Outcome, Refusal, Verdict, Warning};
