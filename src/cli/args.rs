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
    /// Re-judge a saved run (`run --save`) offline, by Chromium's, Firefox's or Safari's rules.
    Judge(JudgeArgs),
    /// Prometheus exporter: run loaded probes on scrape (`/probe?probe=NAME`) or on a schedule.
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write one page per subcommand into a folder.
    Man(ManArgs),
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
    /// One JSON object per line, one line per request as each completes (completion order).
    Jsonl,
    /// JUnit XML: one test case per request (failures carry the console message).
    Junit,
    /// One self-contained HTML page: the route × origin × credentials matrix.
    Html,
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
    /// Also write the HTML report to FILE (beside the chosen format).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write the JUnit XML report to FILE (beside the chosen format).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// `corsprobe check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The URL the page requests (not with --from-curl or --har).
    #[arg(required_unless_present_any = ["from_curl", "har"], conflicts_with_all = ["from_curl", "har"])]
    pub url: Option<String>,
    /// Rebuild the request from a DevTools "Copy as cURL" command (Chrome or Firefox, bash or cmd).
    #[arg(long, value_name = "COMMAND", conflicts_with = "har")]
    pub from_curl: Option<String>,
    /// Rebuild the request from an entry of a HAR file (DevTools "Save all as HAR").
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// With --har: the entry's index in log.entries (0-based).
    #[arg(long, value_name = "N", requires = "har")]
    pub entry: Option<usize>,
    /// With --har: the first fetch/XHR entry whose URL contains S.
    #[arg(long, value_name = "S", requires = "har", conflicts_with = "entry")]
    pub url_contains: Option<String>,
    /// The page's origin (`scheme://host[:port]`), or `null` for sandboxed/file:// pages. With
    /// --from-curl or --har it defaults to the request's Origin or Referer.
    #[arg(long, short = 'o', required_unless_present_any = ["from_curl", "har"])]
    pub origin: Option<String>,
    /// Request method as script writes it (case matters: `patch` stays `patch`) [default: GET].
    #[arg(long, short = 'X')]
    pub method: Option<String>,
    /// A header script sets, 'Name: value' (repeatable; added to an imported request's).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Credentials mode: omit, same-origin, include (fetch default: same-origin; XHR
    /// withCredentials = include; imported requests: include when cookies were sent).
    #[arg(long)]
    pub credentials: Option<String>,
    /// Cookies the browser holds for the URL's host ('k=v; k2=v2'), sent when credentials apply.
    #[arg(long)]
    pub cookie: Option<String>,
    /// SameSite attribute of those cookies: lax (Chrome's default when absent), strict, none.
    /// Lax and strict cookies are not sent on cross-site requests. [default: lax; none for an
    /// imported request that carried cookies, since the browser did send them]
    #[arg(long, value_name = "none|lax|strict")]
    pub cookie_samesite: Option<String>,
    /// Request mode: cors, no-cors, same-origin [default: cors].
    #[arg(long)]
    pub mode: Option<String>,
    /// fetch or xhr (changes the console wording) [default: fetch].
    #[arg(long)]
    pub initiator: Option<String>,
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
    /// Save every request and its transcript to FILE (secrets redacted) for `corsprobe judge`.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Publish per-probe-file metrics to CloudWatch under NAMESPACE, as a Synthetics canary
    /// does: SuccessPercent, Duration, Failed, Error, dimension ProbeName.
    #[arg(long, value_name = "NAMESPACE")]
    pub publish_cloudwatch: Option<String>,
    /// With --publish-cloudwatch: AWS region.
    #[arg(long, env = "AWS_REGION", requires = "publish_cloudwatch")]
    pub aws_region: Option<String>,
    /// With --publish-cloudwatch: AWS profile.
    #[arg(long, env = "AWS_PROFILE", requires = "publish_cloudwatch")]
    pub aws_profile: Option<String>,
    /// With --publish-cloudwatch: endpoint URL (a VPC endpoint, or a local mock).
    #[arg(long, env = "AWS_ENDPOINT_URL", requires = "publish_cloudwatch")]
    pub aws_endpoint_url: Option<String>,
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

/// `corsprobe judge`.
#[derive(Args, Debug)]
pub struct JudgeArgs {
    /// A file written by `corsprobe run --save`.
    pub file: PathBuf,
    /// Whose rules: chrome (the engine's), firefox or safari (their documented differences).
    #[arg(long, default_value = "chrome")]
    pub browser: String,
    /// Output flags.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `corsprobe serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9798")]
    pub listen: String,
    /// Probe files or folders of them; `/probe?probe=NAME` runs the one named NAME.
    #[arg(long = "probes", value_name = "PATH", required = true)]
    pub probes: Vec<PathBuf>,
    /// Also allow `/probe?probe=NAME&target=URL` for targets matching PATTERN (`*` matches any
    /// run of characters; repeatable). Without it only the probe files' own targets are probed.
    #[arg(long, value_name = "PATTERN")]
    pub allow_target: Vec<String>,
    /// Run every probe file every SECS seconds and serve the last results (instead of probing on
    /// each scrape).
    #[arg(long, value_name = "SECS")]
    pub interval: Option<f64>,
    /// Network flags.
    #[command(flatten)]
    pub net: NetArgs,
}

/// `corsprobe completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// Shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `corsprobe man`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write corsprobe.1 and corsprobe-SUBCOMMAND.1 into DIR instead of printing corsprobe.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `corsprobe emulator`.
#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:9799")]
    pub listen: String,
}
