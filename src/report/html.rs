//! The HTML report: one self-contained file (inline CSS, no script, no network at view time).
//!
//! A summary at the top, then per probe file a matrix: one row per route and method, one
//! column per origin and credentials mode, each cell coloured by the browser's verdict
//! (allowed, blocked, preflight only, could not probe) and outlined when it was not as
//! expected. Each cell links to its exchange panel (`#ex-N`, shown with CSS `:target`): the
//! browser's console message and reason, then every hop, preflight and actual, with the headers
//! as sent and as received (secrets already redacted by [`super::wire`]).
//!
//! Pure over a `Write`. Stable hooks for tests and user styling: `table.matrix`, `a.cell`
//! (`data-outcome`, `href="#ex-N"`), `section.exchange#ex-N`.

use std::io::{self, Write};

use super::junit::xml_escape as esc;
use super::wire::{path_and_query, RowStatus, RunRow, WireExchange};

const CSS: &str = r#"
:root{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1f24;background:#fff}
body{margin:1.5rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .3rem}
h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#57606a;font-size:.9rem}
.summary{display:flex;gap:.6rem;flex-wrap:wrap;margin:1rem 0}
.summary div{padding:.5rem .8rem;border-radius:.4rem;min-width:6rem}
.summary b{display:block;font-size:1.4rem}
table.matrix{border-collapse:collapse;font-size:.9rem}
table.matrix th,table.matrix td{border:1px solid #d0d7de;padding:0}
table.matrix th{background:#f6f8fa;padding:.3rem .5rem;text-align:left;font-weight:600}
table.matrix th.col{font-weight:500;font-size:.8rem;max-width:11rem;word-break:break-all}
a.cell{display:block;padding:.35rem .6rem;text-decoration:none;color:inherit;min-width:6rem}
a.cell small{display:block;font-size:.72rem;opacity:.8}
a.cell .exp{font-size:.72rem;opacity:.8}
.allowed{background:#dafbe1}.blocked{background:#ffebe9}.not_sent{background:#fff8c5}.error{background:#eaeef2}
td.unexpected{outline:3px solid #cf222e;outline-offset:-3px}
td.empty{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f6f8fa 4px,#f6f8fa 8px)}
section.exchange{display:none;border:1px solid #d0d7de;border-radius:.4rem;padding:.8rem 1rem;margin:1rem 0}
section.exchange:target{display:block}
.console{font-family:ui-monospace,Menlo,Consolas,monospace;background:#fff1f0;border-left:4px solid #cf222e;padding:.4rem .6rem;white-space:pre-wrap}
.hop h4{margin:.8rem 0 .3rem;font-size:.95rem}
.hop table{border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;margin-bottom:.4rem}
.hop td{padding:.1rem .5rem;vertical-align:top;border-bottom:1px solid #eaeef2;word-break:break-all}
.hop td.n{color:#0550ae;white-space:nowrap}
.hop .dir{color:#57606a;font-size:.8rem}
.warn{color:#9a6700}
"#;

fn outcome_label(o: &str) -> &'static str {
    match o {
        "allowed" => "✔ allowed",
        "blocked" => "✘ blocked",
        "not_sent" => "◐ preflight only",
        _ => "⚠ could not probe",
    }
}

fn headers_table(w: &mut dyn Write, headers: &[(String, String)]) -> io::Result<()> {
    writeln!(w, "<table>")?;
    for (n, v) in headers {
        writeln!(
            w,
            r#"<tr><td class="n">{}</td><td>{}</td></tr>"#,
            esc(n),
            esc(v)
        )?;
    }
    writeln!(w, "</table>")
}

fn hop(w: &mut dyn Write, i: usize, h: &WireExchange) -> io::Result<()> {
    writeln!(
        w,
        r#"<div class="hop" data-kind="{}"><h4>{}. {} — {} {}</h4>"#,
        h.kind,
        i + 1,
        h.kind,
        esc(&h.request.method),
        esc(&h.request.url)
    )?;
    writeln!(w, r#"<div class="dir">sent</div>"#)?;
    headers_table(w, &h.request.headers)?;
    match (&h.response, &h.error) {
        (Some(r), _) => {
            writeln!(
                w,
                r#"<div class="dir">received: {} {}</div>"#,
                esc(&r.version),
                r.status
            )?;
            headers_table(w, &r.headers)?;
        }
        (None, Some(e)) => writeln!(
            w,
            r#"<div class="dir">no response: {:?}: {}</div>"#,
            e.kind,
            esc(&e.message)
        )?,
        (None, None) => {}
    }
    writeln!(w, "</div>")
}

fn panel(w: &mut dyn Write, idx: usize, row: &RunRow) -> io::Result<()> {
    let r = &row.result;
    writeln!(
        w,
        r#"<section class="exchange" id="ex-{idx}"><h3>{}</h3>"#,
        esc(&row.title())
    )?;
    let expect = row
        .expect
        .map(|e| format!(", expected {}", format!("{e:?}").to_lowercase()))
        .unwrap_or_default();
    writeln!(
        w,
        r#"<p><b class="{}">{}</b>{}{}</p>"#,
        r.outcome.as_str(),
        outcome_label(r.outcome.as_str()),
        esc(&expect),
        match row.as_expected {
            Some(false) => " — <b>not as expected</b>",
            _ => "",
        }
    )?;
    if let Some(m) = &r.console_message {
        writeln!(w, r#"<div class="console">{}</div>"#, esc(m))?;
    }
    if let Some(reason) = &r.reason {
        writeln!(w, "<p>{}</p>", esc(reason))?;
    }
    if let Some(e) = &r.cors_error {
        let fp = r
            .failed_parameter
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!(" (failed parameter <code>{}</code>)", esc(p)))
            .unwrap_or_default();
        writeln!(w, "<p>DevTools CorsError <code>{}</code>{fp}</p>", esc(e))?;
    }
    if let Some(c) = &r.preflight_cache {
        writeln!(
            w,
            "<p>Preflight cached: Chromium {} s, Firefox {} s, Safari {} s (Access-Control-Max-Age: {})</p>",
            c.chrome_seconds,
            c.firefox_seconds,
            c.safari_seconds,
            esc(c.max_age_header.as_deref().unwrap_or("absent"))
        )?;
    }
    for wn in &r.warnings {
        writeln!(
            w,
            r#"<p class="warn">{}: {}</p>"#,
            esc(&wn.code),
            esc(&wn.message)
        )?;
    }
    for (i, h) in r.hops.iter().enumerate() {
        hop(w, i, h)?;
    }
    if r.hops.is_empty() {
        writeln!(w, "<p>Nothing was sent.</p>")?;
    }
    writeln!(w, "</section>")
}

/// Writes the report. `title` heads the page; `meta` is one line under it.
pub fn write_html(w: &mut dyn Write, title: &str, meta: &str, rows: &[RunRow]) -> io::Result<()> {
    writeln!(
        w,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{}</title><style>{CSS}</style></head><body>"#,
        esc(title)
    )?;
    writeln!(w, "<h1>{}</h1>", esc(title))?;
    writeln!(w, r#"<p class="meta">{}</p>"#, esc(meta))?;
    let count = |o: &str| {
        rows.iter()
            .filter(|r| r.result.outcome.as_str() == o)
            .count()
    };
    let unexpected = rows.iter().filter(|r| r.as_expected == Some(false)).count();
    let failing = rows
        .iter()
        .filter(|r| r.status() != RowStatus::Passed)
        .count();
    writeln!(w, r#"<div class="summary" id="summary">"#)?;
    writeln!(w, r#"<div><b>{}</b>requests</div>"#, rows.len())?;
    for (o, label) in [
        ("allowed", "allowed"),
        ("blocked", "blocked"),
        ("not_sent", "preflight only"),
        ("error", "could not probe"),
    ] {
        writeln!(w, r#"<div class="{o}"><b>{}</b>{label}</div>"#, count(o))?;
    }
    writeln!(
        w,
        r#"<div><b>{unexpected}</b>not as expected</div><div><b>{failing}</b>failing</div>"#
    )?;
    writeln!(w, "</div>")?;

    let mut suites: Vec<&str> = Vec::new();
    for r in rows {
        if !suites.contains(&r.suite.as_str()) {
            suites.push(&r.suite);
        }
    }
    for suite in suites {
        let idx: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].suite == suite)
            .collect();
        let mut lines: Vec<(String, String)> = Vec::new();
        let mut cols: Vec<(String, String)> = Vec::new();
        for &i in &idx {
            let r = &rows[i].result;
            let line = (rows[i].route.clone(), r.method.clone());
            let col = (r.origin.clone(), r.credentials.clone());
            if !lines.contains(&line) {
                lines.push(line);
            }
            if !cols.contains(&col) {
                cols.push(col);
            }
        }
        writeln!(w, "<h2>{}</h2>", esc(suite))?;
        writeln!(
            w,
            r#"<table class="matrix" data-suite="{}"><thead><tr><th>route</th>"#,
            esc(suite)
        )?;
        for (o, c) in &cols {
            writeln!(
                w,
                r#"<th class="col">{}<br><small>credentials {}</small></th>"#,
                esc(o),
                esc(c)
            )?;
        }
        writeln!(w, "</tr></thead><tbody>")?;
        for (route, method) in &lines {
            writeln!(w, "<tr><th>{} {}</th>", esc(method), esc(route))?;
            for (o, c) in &cols {
                let hit = idx.iter().copied().find(|&i| {
                    let r = &rows[i].result;
                    &rows[i].route == route
                        && &r.method == method
                        && &r.origin == o
                        && &r.credentials == c
                });
                match hit {
                    Some(i) => {
                        let row = &rows[i];
                        let r = &row.result;
                        let unexpected = if row.as_expected == Some(false) {
                            " unexpected"
                        } else {
                            ""
                        };
                        let verdict = match (row.as_expected, row.expect) {
                            (Some(true), Some(e)) => format!(
                                "{} <span class=\"exp\">(expected {})</span>",
                                outcome_label(r.outcome.as_str()),
                                format!("{e:?}").to_lowercase()
                            ),
                            (Some(false), Some(e)) => format!(
                                "{} <span class=\"exp\">(expected {}!)</span>",
                                outcome_label(r.outcome.as_str()),
                                format!("{e:?}").to_lowercase()
                            ),
                            _ => outcome_label(r.outcome.as_str()).to_string(),
                        };
                        let detail = r
                            .cors_error
                            .clone()
                            .or_else(|| r.network_error.as_ref().map(|e| format!("{:?}", e.kind)))
                            .unwrap_or_else(|| path_and_query(&r.url));
                        writeln!(
                            w,
                            r##"<td class="{o}{unexpected}"><a class="cell" href="#ex-{i}" data-outcome="{o}" title="{}">{verdict}<small>{}</small></a></td>"##,
                            esc(r.console_message.as_deref().unwrap_or("")),
                            esc(&detail),
                            o = r.outcome.as_str(),
                        )?;
                    }
                    None => writeln!(w, r#"<td class="empty"></td>"#)?,
                }
            }
            writeln!(w, "</tr>")?;
        }
        writeln!(w, "</tbody></table>")?;
        for &i in &idx {
            panel(w, i, &rows[i])?;
        }
    }
    writeln!(w, "</body></html>")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fetch::{
        BrowserProfile, Fetch, HeaderList, IncomingResponse, Origin, PageRequest, Step,
    };
    use crate::probe::Transcript;
    use crate::report::wire::RequestResult;

    /// A blocked GET whose response carries markup in its allowed origin.
    pub(crate) fn blocked_row(origin: &str) -> RunRow {
        // Invariant: literal, valid origin.
        let req = PageRequest::new(
            "https://api.example.com/items",
            Origin::parse(origin).expect("valid origin"),
        );
        let mut f = Fetch::new(req.clone(), BrowserProfile::default());
        let Step::Send(_) = f.start() else {
            panic!("a GET is sent")
        };
        let mut h = HeaderList::new();
        h.append("Access-Control-Allow-Origin", "https://<b>x</b>.example");
        let Step::Done(v) = f.receive(&IncomingResponse {
            status: 200,
            headers: h,
        }) else {
            panic!("one exchange")
        };
        RunRow {
            suite: "s".into(),
            route: "/items".into(),
            origin_source: "listed".into(),
            expect: None,
            as_expected: None,
            result: RequestResult::new(&req, &v, &Transcript::default()),
        }
    }

    #[test]
    fn html_matrix_has_one_cell_per_origin_and_escapes_server_text() {
        let rows = vec![
            blocked_row("https://a.example"),
            blocked_row("https://b.example"),
        ];
        let mut out = Vec::new();
        write_html(&mut out, "t <1>", "m", &rows).expect("renders");
        let html = String::from_utf8(out).expect("utf-8");
        assert_eq!(html.matches(r#"<a class="cell""#).count(), 2);
        assert_eq!(html.matches(r#"<section class="exchange""#).count(), 2);
        assert!(html.contains(r##"href="#ex-1""##) && html.contains(r#"id="ex-1""#));
        assert!(!html.contains("<b>x</b>"), "server text must be escaped");
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("<title>t &lt;1&gt;</title>"));
        assert!(!html.contains("<script"));
    }
}
