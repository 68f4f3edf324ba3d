//! Shell completions (loaded into a real bash and exercised), man pages (rendered by groff with
//! warnings on), and `--version`.

use std::process::Command;

use super::{scratch, tool};
use crate::harness::corsprobe;

#[test]
fn completions_bash_script_completes_subcommands_and_flags() {
    let Some(bash) = tool("CORSPROBE_BASH", &["bash"]) else {
        return;
    };
    let out = corsprobe(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = scratch("completions");
    let script = dir.join("corsprobe.bash");
    std::fs::write(&script, &out.stdout).expect("write");
    let complete = |words: &str, cword: usize| -> String {
        let run = Command::new(&bash)
            .arg("-c")
            .arg(format!(
                "source '{}' && complete -p corsprobe && COMP_WORDS=({words}) && COMP_CWORD={cword} && COMP_LINE='{words}' && COMP_POINT=${{#COMP_LINE}} && _corsprobe corsprobe \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .expect("run bash");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    let subs = complete("corsprobe ju", 1);
    assert!(subs.contains("-F _corsprobe corsprobe"), "{subs}");
    assert!(subs.lines().any(|l| l == "judge"), "{subs}");
    let flags = complete("corsprobe check --from", 2);
    assert!(flags.lines().any(|l| l == "--from-curl"), "{flags}");
    let formats = complete("corsprobe run --format ''", 3);
    for f in ["human", "json", "jsonl", "junit", "html"] {
        assert!(formats.lines().any(|l| l == f), "{f} missing: {formats}");
    }
}

#[test]
fn man_pages_render_without_groff_warnings() {
    let Some(groff) = tool("CORSPROBE_GROFF", &["groff"]) else {
        return;
    };
    let dir = scratch("man");
    let out = corsprobe(&["man", "--out-dir", dir.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    pages.sort();
    for p in [
        "corsprobe.1",
        "corsprobe-check.1",
        "corsprobe-judge.1",
        "corsprobe-serve.1",
    ] {
        assert!(pages.contains(&p.to_string()), "{p} missing: {pages:?}");
    }
    assert!(
        !pages.iter().any(|p| p.contains("emulator")),
        "hidden command documented"
    );
    let render = Command::new(&groff)
        .args(["-man", "-Tutf8", "-ww"])
        .arg(dir.join("corsprobe-serve.1"))
        .output()
        .expect("run groff");
    assert!(render.status.success());
    let warnings = String::from_utf8_lossy(&render.stderr);
    assert!(warnings.trim().is_empty(), "groff warnings:\n{warnings}");
    // Undo grotty's overstriking (bold is `c\bc`, underline `_\bc`).
    let mut text = String::new();
    for c in String::from_utf8_lossy(&render.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert!(text.contains("allow-target"), "{text}");
    let top = corsprobe(&["man"]);
    assert!(String::from_utf8_lossy(&top.stdout).contains(".TH corsprobe 1"));
}

#[test]
fn version_names_the_chromium_it_follows() {
    let out = corsprobe(&["--version"]);
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(
        v.contains(&format!("Chromium {}", corsprobe::fetch::CHROMIUM_VERSION)),
        "{v}"
    );
}
