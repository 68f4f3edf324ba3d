//! Chromium's `network::mojom::CorsError`, named as the DevTools protocol spells it
//! (`Network.CorsError`), and the failure record a CORS check produces.
//!
//! Chromium: `services/network/public/mojom/cors.mojom`; CDP: `Network.CorsErrorStatus`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A CORS error as Chromium's DevTools protocol names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum CorsError {
    DisallowedByMode,
    InvalidResponse,
    WildcardOriginNotAllowed,
    MissingAllowOriginHeader,
    MultipleAllowOriginValues,
    InvalidAllowOriginValue,
    AllowOriginMismatch,
    InvalidAllowCredentials,
    CorsDisabledScheme,
    PreflightInvalidStatus,
    PreflightDisallowedRedirect,
    PreflightWildcardOriginNotAllowed,
    PreflightMissingAllowOriginHeader,
    PreflightMultipleAllowOriginValues,
    PreflightInvalidAllowOriginValue,
    PreflightAllowOriginMismatch,
    PreflightInvalidAllowCredentials,
    InvalidAllowMethodsPreflightResponse,
    InvalidAllowHeadersPreflightResponse,
    MethodDisallowedByPreflightResponse,
    HeaderDisallowedByPreflightResponse,
    RedirectContainsCredentials,
    InsecureLocalNetwork,
    InvalidLocalNetworkAccess,
    LocalNetworkAccessPermissionDenied,
    NoCorsRedirectModeNotFollow,
}

impl CorsError {
    /// Every variant, for tables and documentation.
    pub const ALL: &'static [CorsError] = &[
        CorsError::DisallowedByMode,
        CorsError::InvalidResponse,
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
        CorsError::CorsDisabledScheme,
        CorsError::PreflightInvalidStatus,
        CorsError::PreflightDisallowedRedirect,
        CorsError::PreflightWildcardOriginNotAllowed,
        CorsError::PreflightMissingAllowOriginHeader,
        CorsError::PreflightMultipleAllowOriginValues,
        CorsError::PreflightInvalidAllowOriginValue,
        CorsError::PreflightAllowOriginMismatch,
        CorsError::PreflightInvalidAllowCredentials,
        CorsError::InvalidAllowMethodsPreflightResponse,
        CorsError::InvalidAllowHeadersPreflightResponse,
        CorsError::MethodDisallowedByPreflightResponse,
        CorsError::HeaderDisallowedByPreflightResponse,
        CorsError::RedirectContainsCredentials,
        CorsError::InsecureLocalNetwork,
        CorsError::InvalidLocalNetworkAccess,
        CorsError::LocalNetworkAccessPermissionDenied,
        CorsError::NoCorsRedirectModeNotFollow,
    ];

    /// The DevTools protocol name, e.g. `PreflightMissingAllowOriginHeader`.
    pub fn name(self) -> &'static str {
        use CorsError::*;
        match self {
            DisallowedByMode => "DisallowedByMode",
            InvalidResponse => "InvalidResponse",
            WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            MissingAllowOriginHeader => "MissingAllowOriginHeader",
            MultipleAllowOriginValues => "MultipleAllowOriginValues",
            InvalidAllowOriginValue => "InvalidAllowOriginValue",
            AllowOriginMismatch => "AllowOriginMismatch",
            InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsDisabledScheme => "CorsDisabledScheme",
            PreflightInvalidStatus => "PreflightInvalidStatus",
            PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            InvalidAllowMethodsPreflightResponse => "InvalidAllowMethodsPreflightResponse",
            InvalidAllowHeadersPreflightResponse => "InvalidAllowHeadersPreflightResponse",
            MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            RedirectContainsCredentials => "RedirectContainsCredentials",
            InsecureLocalNetwork => "InsecureLocalNetwork",
            InvalidLocalNetworkAccess => "InvalidLocalNetworkAccess",
            LocalNetworkAccessPermissionDenied => "LocalNetworkAccessPermissionDenied",
            NoCorsRedirectModeNotFollow => "NoCorsRedirectModeNotFollow",
        }
    }

    /// Parses a DevTools name.
    pub fn from_name(name: &str) -> Option<CorsError> {
        CorsError::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// True for the errors raised while checking the preflight response.
    pub fn is_preflight(self) -> bool {
        use CorsError::*;
        matches!(
            self,
            PreflightInvalidStatus
                | PreflightDisallowedRedirect
                | PreflightWildcardOriginNotAllowed
                | PreflightMissingAllowOriginHeader
                | PreflightMultipleAllowOriginValues
                | PreflightInvalidAllowOriginValue
                | PreflightAllowOriginMismatch
                | PreflightInvalidAllowCredentials
                | InvalidAllowMethodsPreflightResponse
                | InvalidAllowHeadersPreflightResponse
                | MethodDisallowedByPreflightResponse
                | HeaderDisallowedByPreflightResponse
        )
    }

    /// The preflight twin of an access-check error (`MissingAllowOriginHeader` →
    /// `PreflightMissingAllowOriginHeader`), as Chromium maps `CheckAccess` results for preflights.
    pub fn for_preflight(self) -> CorsError {
        use CorsError::*;
        match self {
            WildcardOriginNotAllowed => PreflightWildcardOriginNotAllowed,
            MissingAllowOriginHeader => PreflightMissingAllowOriginHeader,
            MultipleAllowOriginValues => PreflightMultipleAllowOriginValues,
            InvalidAllowOriginValue => PreflightInvalidAllowOriginValue,
            AllowOriginMismatch => PreflightAllowOriginMismatch,
            InvalidAllowCredentials => PreflightInvalidAllowCredentials,
            other => other,
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed CORS check: the error and Chromium's `failed_parameter` (the observed value that
/// failed, e.g. the `Access-Control-Allow-Origin` value, or `""`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsFailure {
    /// Chromium's CorsError.
    pub error: CorsError,
    /// Chromium's `CorsErrorStatus.failed_parameter`.
    pub failed_parameter: String,
}

impl CorsFailure {
    /// A failure with a parameter.
    pub fn new(error: CorsError, failed_parameter: impl Into<String>) -> Self {
        CorsFailure {
            error,
            failed_parameter: failed_parameter.into(),
        }
    }
}
