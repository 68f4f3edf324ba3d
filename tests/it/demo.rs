//! `corsprobe demo`: the report is the product, so it is checked against the emulator's own
//! table of expected browser outcomes and against a golden file.

use crate::harness::{corsprobe, corsprobe_json};

#[test]
fn demo_json_matches_every_expected_browser_outcome() {
    let (code, v) = corsprobe_json(&["demo", "--format", "json"]);
    assert_eq!(code, 0, "{v}");
    let rows = corsprobe::emulator::demo::demo_routes();
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), rows.len());
    for (row, res) in rows.iter().zip(results) {
        let url = res["url"].as_str().unwrap_or("");
        assert!(url.ends_with(row.path), "{url} vs {}", row.path);
        assert_eq!(res["method"], row.method);
        assert_eq!(res["origin"], row.origin);
        assert_eq!(res["blocked"], row.blocked, "{} {}", row.method, row.path);
        assert_eq!(
            res["cors_error"].as_str(),
            row.cors_error,
            "{} {}",
            row.method,
            row.path
        );
        assert_eq!(
            res["preflight"]["response"]["status"]
                .as_u64()
                .map(|s| s as u16),
            row.preflight_status,
            "{} {} preflight",
            row.method,
            row.path
        );
        assert_eq!(
            res["actual"]["response"]["status"]
                .as_u64()
                .map(|s| s as u16),
            row.actual_status,
            "{} {} actual",
            row.method,
            row.path
        );
    }
}

#[test]
fn demo_human_report_matches_golden() {
    let out = corsprobe(&["demo"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    // Redact the ephemeral port.
    let re_port = |s: &str| {
        let mut o = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("127.0.0.1:") {
            o.push_str(&rest[..i + 10]);
            rest = &rest[i + 10..];
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            o.push_str("PORT");
            rest = &rest[digits..];
        }
        o.push_str(rest);
        o
    };
    let got = re_port(&text);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/demo.txt");
    if std::env::var_os("CORSPROBE_BLESS").is_some() {
        std::fs::write(&path, &got).expect("write golden");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  - {a}\n  + {b}", i + 1))
            .collect();
        panic!("demo report differs from tests/golden/demo.txt (re-bless with CORSPROBE_BLESS=1):\n{}\n(lines: want {}, got {})", diff.join("\n"), want.lines().count(), got.lines().count());
    }
}
