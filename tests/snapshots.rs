//! Snapshots of the human and JSON output for one fixed multi-rule input (a cross-file
//! PL001 and a PL002), so any change to what users read is reviewed deliberately.

use std::ffi::OsString;
use std::path::Path;

/// The input: a mini-crate whose finding has a label in another file, plus a single file.
const INPUT: &[&str] = &["fixtures/PL001/pos_cross_file_helper", "fixtures/PL002/pos_condvar_wait_timeout.rs"];

/// Runs the CLI in the crate root on INPUT with `extra` flags; returns (exit code, stdout).
fn run(extra: &[&str]) -> (i32, String) {
    let mut argv: Vec<OsString> = vec!["cargo-pairlint".into()];
    argv.extend(extra.iter().map(OsString::from));
    argv.extend(INPUT.iter().map(OsString::from));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = pairlint::cli::run(argv, Path::new(env!("CARGO_MANIFEST_DIR")), &mut stdout, &mut stderr);
    let stderr = String::from_utf8(stderr).unwrap();
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    (code, String::from_utf8(stdout).unwrap())
}

// The human report (miette snippets, labels in other files, help, summary) is the main UI.
#[test]
fn human_output() {
    let (code, out) = run(&["check", "--color", "never"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains('\u{1b}'), "no escape codes with --color never");
    assert!(!out.contains(env!("CARGO_MANIFEST_DIR")), "paths are relative, so the snapshot is machine-independent");
    insta::assert_snapshot!("human_multi_rule", out);
}

// The JSON report is what CI integrations parse; its content must be stable.
#[test]
fn json_output() {
    let (code, out) = run(&["--format", "json"]);
    assert_eq!(code, 1, "{out}");
    // Valid JSON, one document.
    let _: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert!(!out.contains(env!("CARGO_MANIFEST_DIR")), "paths are relative");
    insta::assert_snapshot!("json_multi_rule", out);
}

// Same input, same bytes: output order must not depend on hashing or file-system order.
#[test]
fn output_is_deterministic() {
    let first = run(&["--format", "json"]);
    for _ in 0..3 {
        assert_eq!(run(&["--format", "json"]), first);
    }
    let human = run(&["--color", "never"]);
    assert_eq!(run(&["--color", "never"]), human);
}
