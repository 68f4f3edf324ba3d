//! Flags, one-to-one with clap (the "low" arguments). Validation and resolution into
//! configuration happen in [`super::config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// An active, browser-emulating CORS prober for HTTP APIs (AWS API Gateway first).
#[derive(Parser, Debug)]
#[command(name = "corsprobe", version = super::version_string(), about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Reproduce one browser request and judge it as Chromium would.
    Check(Box<CheckArgs>),
    /// Run probe files (routes × methods × origins × credentials modes).
    Run(RunArgs),
    /// Probe a built-in local API that reproduces API Gateway's CORS behaviour (no AWS needed).
    Demo(DemoArgs),
    /// Serve the built-in API Gateway emulator on loopback (for benchmarks and experiments).
    #[command(hide = true)]
    Emulator(EmulatorArgs),
    /// Collect the runbook's AWS evidence for an API and stage (configuration, logs, metrics, CloudTrail).
    Evidence(super::evidence::EvidenceArgs),
    /// Probe an API's routes, collect the AWS evidence, and say why the browser blocks (with the fix).
    Diagnose(Box<super::diagnose::DiagnoseArgs>),
}

/// Output format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable at a glance.
    Human,
    /// One JSON document (stable schema).
    Json,
    /// One JSON object per request, as each completes.
    Jsonl,
}

/// Flags shared by every command that sends requests.
#[derive(Args, Debug, Clone)]
pub struct NetArgs {
    /// Send requests for HOST:PORT to ADDR (as curl's --resolve), keeping the host name.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Extra PEM file of trusted CA certificates.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Accept any TLS certificate.
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Connect timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Response timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Requests per second per host.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,
    /// Turn the per-host rate limit off.
    #[arg(long)]
    pub no_rate_limit: bool,
    /// Concurrent requests per host.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
    /// Do not offer HTTP/2 over TLS.
    #[arg(long)]
    pub no_http2: bool,
    /// User-Agent to send (default: Chrome's).
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// Send state-changing actual requests (POST, PUT, PATCH, DELETE); by default only their
    /// preflight is sent and judged.
    #[arg(long)]
    pub allow_unsafe: bool,
}

/// Output flags.
#[derive(Args, Debug, Clone)]
pub struct OutArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Show every exchange (headers as sent and received).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
}

/// `corsprobe check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The URL the page requests.
    pub url: String,
    /// The page's origin (scheme://host[:port]), or `null` for sandboxed/file:// pages.
    #[arg(long, short = 'o')]
    pub origin: String,
    /// Request method as script writes it (case matters: `patch` stays `patch`).
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// A header script sets, 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Credentials mode (fetch default: same-origin; XHR withCredentials = include).
    #[arg(long, default_value = "same-origin")]
    pub credentials: String,
    /// Cookies the browser holds for the URL's host ('k=v; k2=v2'), sent when credentials apply.
    #[arg(long)]
    pub cookie: Option<String>,
    /// SameSite attribute of those cookies: lax (Chrome's default when absent), strict, none.
    /// Lax and strict cookies are not sent on cross-site requests.
    #[arg(long, value_name = "none|lax|strict", default_value = "lax")]
    pub cookie_samesite: String,
    /// Request mode: cors, no-cors, same-origin.
    #[arg(long, default_value = "cors")]
    pub mode: String,
    /// fetch or xhr (changes the console wording).
    #[arg(long, default_value = "fetch")]
    pub initiator: String,
    /// Redirect mode: follow, error, manual.
    #[arg(long, default_value = "follow")]
    pub redirect: String,
    /// Request body.
    #[arg(long, short = 'd')]
    pub data: Option<String>,
    /// Force a preflight (XHR upload listeners, streaming bodies).
    #[arg(long)]
    pub force_preflight: bool,
    /// Expected outcome: allow or block (exit 1 when not met).
    #[arg(long)]
    pub expect: Option<String>,
    /// Network flags.
    #[command(flatten)]
    pub net: NetArgs,
    /// Output flags.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `corsprobe run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Probe files or folders of them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Replace every suite's target base URL (e.g. a staging host or a local emulator).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Network flags.
    #[command(flatten)]
    pub net: NetArgs,
    /// Output flags.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `corsprobe demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output flags.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `corsprobe emulator`.
#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:9799")]
    pub listen: String,
}
