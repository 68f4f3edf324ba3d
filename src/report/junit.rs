//! JUnit XML for CI: one `<testsuite>` per probe file, one `<testcase>` per page request.
//!
//! The shape is the one JUnit consumers agree on (Jenkins, GitLab, GitHub test reporters,
//! junitparser): `<testsuites>` › `<testsuite name tests failures errors skipped time>` ›
//! `<testcase classname name time>` with at most one `<failure message type>` (a CORS finding:
//! message = the browser's console message, type = the CorsError, text = the reason and the
//! exchange) or `<error message type>` (could not probe: type = the network error class). A
//! request that passed still carries its console message and transcript in `<system-out>`
//! when it was blocked as expected.
//!
//! Pure over a `Write`; the verdict rule is [`RunRow::status`], the same as the exit code's.

use std::io::{self, Write};

use super::wire::{RowStatus, RunRow, WireExchange};

/// Escapes text for XML 1.0 content and attributes; characters XML 1.0 cannot carry
/// (C0 controls other than tab, CR, LF) become `\u{XX}` so nothing is silently lost.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:02X}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn secs(ms: f64) -> String {
    format!("{:.3}", ms / 1000.0)
}

/// The exchange as text: request line and headers as sent, status and headers as received.
pub fn exchange_text(e: &WireExchange) -> String {
    let mut s = format!("{} {} {}\n", e.kind, e.request.method, e.request.url);
    for (n, v) in &e.request.headers {
        s.push_str(&format!("  > {n}: {v}\n"));
    }
    match (&e.response, &e.error) {
        (Some(r), _) => {
            s.push_str(&format!("  < {} {}\n", r.version, r.status));
            for (n, v) in &r.headers {
                s.push_str(&format!("  < {n}: {v}\n"));
            }
        }
        (None, Some(err)) => s.push_str(&format!("  ! {:?}: {}\n", err.kind, err.message)),
        (None, None) => {}
    }
    s
}

fn details(row: &RunRow) -> String {
    let r = &row.result;
    let mut s = String::new();
    if let Some(reason) = &r.reason {
        s.push_str(&format!("reason: {reason}\n"));
    }
    if let Some(e) = &r.cors_error {
        s.push_str(&format!("cors_error: {e}\n"));
    }
    if let Some(m) = &r.console_message {
        s.push_str(&format!("console: {m}\n"));
    }
    if let Some(e) = row.expect {
        s.push_str(&format!("expected: {}\n", format!("{e:?}").to_lowercase()));
    }
    s.push_str(&format!("outcome: {}\n", r.outcome.as_str()));
    for h in &r.hops {
        s.push('\n');
        s.push_str(&exchange_text(h));
    }
    s
}

/// Writes the report. `suites` names each probe file in order (rows of unknown suites are
/// grouped after them); `name` is the `<testsuites name>`.
pub fn write_junit(
    w: &mut dyn Write,
    name: &str,
    suites: &[String],
    rows: &[RunRow],
    properties: &[(&str, String)],
) -> io::Result<()> {
    let mut order: Vec<String> = suites.to_vec();
    for r in rows {
        if !order.contains(&r.suite) {
            order.push(r.suite.clone());
        }
    }
    let count = |rs: &[&RunRow], st: RowStatus| rs.iter().filter(|r| r.status() == st).count();
    let all: Vec<&RunRow> = rows.iter().collect();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="{}" tests="{}" failures="{}" errors="{}" time="{}">"#,
        xml_escape(name),
        rows.len(),
        count(&all, RowStatus::Failed),
        count(&all, RowStatus::Error),
        secs(rows.iter().map(RunRow::total_ms).sum()),
    )?;
    for suite in &order {
        let rs: Vec<&RunRow> = rows.iter().filter(|r| &r.suite == suite).collect();
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="0" time="{}">"#,
            xml_escape(suite),
            rs.len(),
            count(&rs, RowStatus::Failed),
            count(&rs, RowStatus::Error),
            secs(rs.iter().map(|r| r.total_ms()).sum()),
        )?;
        if !properties.is_empty() {
            writeln!(w, "    <properties>")?;
            for (k, v) in properties {
                writeln!(
                    w,
                    r#"      <property name="{}" value="{}"/>"#,
                    xml_escape(k),
                    xml_escape(v)
                )?;
            }
            writeln!(w, "    </properties>")?;
        }
        for row in rs {
            write_case(w, row)?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

fn write_case(w: &mut dyn Write, row: &RunRow) -> io::Result<()> {
    let r = &row.result;
    write!(
        w,
        r#"    <testcase classname="{}" name="{}" time="{}""#,
        xml_escape(&format!("{}.{}", row.suite, row.route)),
        xml_escape(&row.title()),
        secs(row.total_ms()),
    )?;
    let body = xml_escape(&details(row));
    match row.status() {
        RowStatus::Passed => {
            writeln!(w, ">")?;
            writeln!(w, "      <system-out>{body}</system-out>")?;
        }
        RowStatus::Failed => {
            let message = r
                .console_message
                .clone()
                .or_else(|| r.reason.clone())
                .unwrap_or_else(|| {
                    format!(
                        "{} but expected {}",
                        r.outcome.as_str(),
                        row.expect
                            .map(|e| format!("{e:?}").to_lowercase())
                            .unwrap_or_default()
                    )
                });
            let kind = r
                .cors_error
                .clone()
                .or_else(|| r.refusal.clone())
                .unwrap_or_else(|| format!("unexpected-{}", r.outcome.as_str()));
            writeln!(w, ">")?;
            writeln!(
                w,
                r#"      <failure message="{}" type="{}">{body}</failure>"#,
                xml_escape(&message),
                xml_escape(&kind)
            )?;
        }
        RowStatus::Error => {
            let message = r.reason.clone().unwrap_or_else(|| "could not probe".into());
            let kind = r
                .network_error
                .as_ref()
                .and_then(|e| serde_json::to_value(e.kind).ok())
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_else(|| "network".into());
            writeln!(w, ">")?;
            writeln!(
                w,
                r#"      <error message="{}" type="{}">{body}</error>"#,
                xml_escape(&message),
                xml_escape(&kind)
            )?;
        }
    }
    writeln!(w, "    </testcase>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_handles_markup_quotes_and_controls() {
        assert_eq!(
            xml_escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_escape("a\u{1}b\tc"), "a\\u{01}b\tc");
    }
}
