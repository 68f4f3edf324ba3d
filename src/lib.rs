//! corsprobe: an active, browser-emulating CORS prober for HTTP APIs.
//!
//! Data flows one way (see `../shared/conventions.md` in the design notes and the README):
//!
//! ```text
//! argv → cli::Args → RunConfig → probe::suite (probes/*.toml)
//!      → fetch (pure: which requests a browser sends, and what it decides)
//!      → probe::transport (edge: what went on the wire, hop by hop)
//!      → report (pure over a Write: human, JSON)
//! ```
//!
//! - [`fetch`] is the Fetch standard as Chromium implements it, with no I/O.
//! - [`probe`] plans, sends and records.
//! - [`report`] renders results; its `wire` module is the JSON contract.
//! - [`apigw`] is the plain-data API Gateway configuration model (REST and HTTP APIs, deployments).
//! - [`emulator`] is a loopback API that reproduces API Gateway's observable CORS behaviour.
//! - [`diagnose`] joins probe results and AWS evidence into findings (one file per case).
//! - [`import`] rebuilds page requests from DevTools exports ("Copy as cURL", HAR).
//! - [`serve`] is the Prometheus exporter (`corsprobe serve`).
//! - [`cli`] maps flags to configuration and decides the exit code.

pub mod apigw;
pub mod aws;
pub mod cli;
pub mod diagnose;
pub mod emulator;
pub mod fetch;
pub mod import;
pub mod probe;
pub mod report;
pub mod serve;
