//! Every output format snapshotted on one shared set of findings, so any change to what
//! users or their tools read is reviewed deliberately, and the formats can be compared
//! side by side on the same input. Each format's consumers are checked in
//! tests/formats.rs; this file pins the bytes.
//!
//! The set, run through the CLI in-process in a temporary root (so every path is
//! relative to it): the flawed reference service (`domain.rs` + `flawed.rs`, one crate:
//! PL001-PL004), a mini-crate whose finding has a label in another file, a suppressed
//! finding, an unused suppression (a warning) and a file that does not parse.

mod common;
use common::{dir_with, manifest_dir, rs_files, run_env, Out};
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

/// A suppression that suppresses nothing (an `unused-suppression` warning).
const STALE_SUPPRESSION: &str =
    "// pairlint: allow(PL002) no longer needed\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";

/// A syntax error in a fn that the engine has to parse (a requester parameter and a take).
const SYNTAX_ERROR: &str =
    "pub fn ok() {}\n\npub fn broken(user: &str, q: &mut Q) {\n    let x = ;\n    q.pop_front();\n}\n";

/// The cross-file mini-crate: PL001 in `src/lib.rs`, its take inside `src/helpers.rs`.
const CROSS_FILE_CRATE: &str = "fixtures/PL001/pos_cross_file_helper";

/// The paths given on the command line, in this order.
const PATHS: &[&str] = &["service", "shop", "suppressed.rs", "stale.rs", "broken.rs"];

/// Stands for the temporary root wherever a format prints an absolute path (rustc-json's
/// `package_id` and `manifest_path`).
const ROOT: &str = "[ROOT]";

fn shared_findings_dir() -> TempDir {
    let reference = manifest_dir().join("crates/pairlint-reference/src");
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut files: Vec<(String, String)> = vec![
        (
            "service/Cargo.toml".into(),
            "[package]\nname = \"service\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".into(),
        ),
        ("service/src/lib.rs".into(), "pub mod domain;\npub mod flawed;\n".into()),
        ("service/src/domain.rs".into(), read(&reference.join("domain.rs"))),
        ("service/src/flawed.rs".into(), read(&reference.join("flawed.rs"))),
        ("suppressed.rs".into(), common::suppressed_kiosk()),
        ("stale.rs".into(), STALE_SUPPRESSION.into()),
        ("broken.rs".into(), SYNTAX_ERROR.into()),
    ];
    let shop = manifest_dir().join(CROSS_FILE_CRATE);
    for file in rs_files(&shop).into_iter().chain([shop.join("Cargo.toml")]) {
        let rel = file.strip_prefix(&shop).unwrap().to_string_lossy().replace('\\', "/");
        files.push((format!("shop/{rel}"), read(&file)));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
    dir_with(&files)
}

/// Runs `check --no-cache <extra> PATHS` in a fresh copy of the set, with an empty
/// environment (no `GITHUB_STEP_SUMMARY` to append to); returns the run with the root's
/// absolute path replaced by [`ROOT`].
fn check(extra: &[&str]) -> Out {
    let dir = shared_findings_dir();
    let mut args = vec!["check", "--no-cache"];
    args.extend(extra);
    args.extend(PATHS);
    let out = run_env(dir.path(), &args, &BTreeMap::new());
    assert!(out.stderr.is_empty(), "unexpected stderr: {out:?}");
    // A file that does not parse makes every format's run incomplete: exit 2.
    assert_eq!(out.code, 2, "{out:?}");
    let mut stdout = out.stdout.clone();
    let roots = [dir.path().to_path_buf(), dir.path().canonicalize().unwrap()];
    for root in roots.iter().rev() {
        stdout = stdout.replace(&root.to_string_lossy().into_owned(), ROOT);
    }
    for absolute in [manifest_dir().to_string_lossy().into_owned(), std::env::temp_dir().to_string_lossy().into_owned()]
    {
        assert!(!stdout.contains(&absolute), "an absolute path ({absolute}) is left in the output:\n{stdout}");
    }
    assert!(!stdout.contains('\u{1b}'), "no escape codes in any format");
    Out { stdout, ..out }
}

// The human report (miette snippets, labels in other files, help, file errors, the
// summary with the suppressed count) is the main UI.
#[test]
fn human_output() {
    let out = check(&["--color", "never"]);
    insta::assert_snapshot!("human", out.stdout);
}

// The JSON report is what CI integrations parse; its content must be stable.
#[test]
fn json_output() {
    let out = check(&["--format", "json"]);
    let _: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    insta::assert_snapshot!("json", out.stdout);
}

// SARIF is what code scanning uploads. Each rule's `help` is its whole doc page
// (tests/formats.rs checks that), redacted here so rewording a doc does not touch the
// format's snapshot.
#[test]
fn sarif_output() {
    let out = check(&["--format", "sarif"]);
    let mut sarif: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"].as_array_mut().expect("a rules array") {
        let id = rule["id"].as_str().expect("a rule id").to_string();
        let Some(registered) = pairlint::rules::find(&id) else { continue };
        for field in ["text", "markdown"] {
            assert_eq!(rule["help"][field], registered.doc, "{id}: help.{field} is the rule doc");
            rule["help"][field] = format!("[rules/{id}.md]").into();
        }
    }
    let text = serde_json::to_string_pretty(&sarif).unwrap();
    insta::assert_snapshot!("sarif", text);
}

// GitHub workflow commands: the annotations a pull request shows.
#[test]
fn github_output() {
    let out = check(&["--format", "github"]);
    insta::assert_snapshot!("github", out.stdout);
}

// The cargo message stream editors and rust-analyzer read (`rendered` is the human
// rendering of each finding alone). Kept byte for byte, one message a line (`reason`
// first, as cargo writes it), except each rule's `code.explanation`: its whole doc page,
// redacted like SARIF's help.
#[test]
fn rustc_json_output() {
    let mut stream = check(&["--format", "rustc-json"]).stdout;
    for line in stream.lines() {
        let _: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    for rule in pairlint::rules::RULES {
        let explanation = format!("\"explanation\":{}", serde_json::Value::from(rule.doc));
        stream = stream.replace(&explanation, &format!("\"explanation\":\"[rules/{}.md]\"", rule.code));
    }
    assert!(!stream.contains("## What it does"), "every explanation is redacted");
    insta::assert_snapshot!("rustc_json", stream);
}

// Same input, same bytes: output order must not depend on hashing, threads or
// file-system order.
#[test]
fn output_is_deterministic() {
    for format in ["json", "human"] {
        let first = check(&["--format", format]).stdout;
        for _ in 0..2 {
            assert_eq!(check(&["--format", format]).stdout, first, "{format} differs between runs");
        }
    }
}
