//! The human printer: readable at a glance, ✔/✘ per request, the reason and the console
//! message; the transcript with `-v`. Colour only when asked (the CLI decides: terminal and no
//! `NO_COLOR`).

use std::io::{self, Write};

use super::wire::{RequestResult, WireExchange};
use crate::fetch::Outcome;

/// Printer options.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colours.
    pub color: bool,
    /// Print transcripts.
    pub verbose: bool,
}

struct Paint(bool);
impl Paint {
    fn c(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        self.c("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.c("31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.c("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.c("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.c("1", s)
    }
}

/// Extra columns for matrix runs.
#[derive(Clone, Debug, Default)]
pub struct RowContext {
    /// `expected allow` etc.
    pub expectation: Option<String>,
    /// Whether the outcome met the expectation.
    pub as_expected: Option<bool>,
    /// Route label.
    pub label: Option<String>,
}

/// Prints one request result.
pub fn print_result(
    w: &mut dyn Write,
    r: &RequestResult,
    ctx: &RowContext,
    opts: HumanOptions,
) -> io::Result<()> {
    let p = Paint(opts.color);
    let mark = match (r.outcome, ctx.as_expected) {
        (_, Some(false)) => p.red("✘"),
        (Outcome::Allowed, _) => p.green("✔"),
        (Outcome::NotSent, _) => p.yellow("◌"),
        (Outcome::Error, _) => p.yellow("!"),
        (Outcome::Blocked, Some(true)) => p.green("✘"),
        (Outcome::Blocked, _) => p.red("✘"),
    };
    let outcome = match r.outcome {
        Outcome::Allowed => p.green("allowed"),
        Outcome::Blocked => p.red("blocked"),
        Outcome::NotSent => p.yellow("preflight only"),
        Outcome::Error => p.yellow("error"),
    };
    let target = ctx.label.clone().unwrap_or_else(|| r.url.clone());
    write!(
        w,
        "{mark} {} {} {} from {} {}",
        outcome,
        p.bold(&r.method),
        target,
        r.origin,
        p.dim(&format!("[{}]", r.credentials))
    )?;
    if let Some(e) = &ctx.expectation {
        let s = match ctx.as_expected {
            Some(false) => p.red(&format!("(expected {e})")),
            _ => p.dim(&format!("(expected {e})")),
        };
        write!(w, " {s}")?;
    }
    writeln!(w)?;
    if let Some(e) = &r.cors_error {
        writeln!(w, "    {} {}", p.bold(e), r.reason.as_deref().unwrap_or(""))?;
    } else if let Some(reason) = &r.reason {
        writeln!(w, "    {reason}")?;
    }
    if let Some(m) = &r.console_message {
        writeln!(w, "    {} {}", p.dim("console:"), m)?;
    }
    if let Some(c) = &r.preflight_cache {
        if opts.verbose || c.chrome_seconds >= 600 {
            writeln!(
                w,
                "    {} Chrome {} s, Firefox {} s, Safari {} s (Access-Control-Max-Age: {})",
                p.dim("preflight cached:"),
                c.chrome_seconds,
                c.firefox_seconds,
                c.safari_seconds,
                c.max_age_header.as_deref().unwrap_or("absent")
            )?;
        }
    }
    for warn in &r.warnings {
        writeln!(w, "    {} {}", p.yellow("warning:"), warn.message)?;
    }
    if opts.verbose {
        if !r.readable_headers.is_empty() {
            writeln!(
                w,
                "    {} {}",
                p.dim("script can read:"),
                r.readable_headers.join(", ")
            )?;
        }
        if r.hops.is_empty() {
            for hop in r.preflight.iter().chain(r.actual.iter()) {
                print_exchange(w, hop, &p)?;
            }
        } else {
            for hop in &r.hops {
                print_exchange(w, hop, &p)?;
            }
        }
    }
    Ok(())
}

fn print_exchange(w: &mut dyn Write, e: &WireExchange, p: &Paint) -> io::Result<()> {
    writeln!(
        w,
        "    {} {} {}  {}",
        p.dim(">"),
        e.request.method,
        e.request.url,
        p.dim(&format!("({})", e.kind))
    )?;
    for (n, v) in &e.request.headers {
        writeln!(w, "    {} {n}: {v}", p.dim(">"))?;
    }
    match (&e.response, &e.error) {
        (Some(r), _) => {
            writeln!(
                w,
                "    {} {} {}  {}",
                p.dim("<"),
                r.version,
                r.status,
                p.dim(&format!("{:.1} ms", e.timings.total_ms))
            )?;
            for (n, v) in &r.headers {
                writeln!(w, "    {} {n}: {v}", p.dim("<"))?;
            }
            if !r.body_prefix.is_empty() {
                let body: String = r.body_prefix.chars().take(200).collect();
                writeln!(w, "    {} {}", p.dim("<"), p.dim(&body.replace('\n', " ")))?;
            }
        }
        (None, Some(err)) => writeln!(w, "    {} {}", p.red("! transport error:"), err.message)?,
        (None, None) => {}
    }
    Ok(())
}
