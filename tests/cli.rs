//! End-to-end tests of the command line: exit codes, subcommands, configuration,
//! suppression comments, workspace discovery and the JSON schema. Most run
//! `pairlint::cli::run` in-process; a few run the real binary for the process exit code.

mod common;
use common::{dir_with, run, run_bin, Out, FLAWED_KIOSK};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------
// Inputs

/// The fixed handler: keyed by ticket, and the applicant is checked before returning.
const FIXED_KIOSK: &str = r#"pub struct PrintImage {
    pub applicant: u64,
    pub pdf: Vec<u8>,
}

pub struct Kiosk {
    images: std::sync::Mutex<std::collections::HashMap<u64, PrintImage>>,
}

impl Kiosk {
    pub fn print(&self, card_id: u64, ticket: u64) -> Option<PrintImage> {
        let mut images = self.images.lock().unwrap();
        let img = images.remove(&ticket)?;
        if img.applicant != card_id {
            return None;
        }
        Some(img)
    }
}
"#;

/// The same flaw in a free fn taking the shared queue by reference.
const FLAWED_FREE_FN: &str = r#"pub fn print_for(
    queue: &std::sync::Mutex<std::collections::VecDeque<PrintImage>>,
    card_id: u64,
) -> Option<PrintImage> {
    let img = queue.lock().unwrap().pop_front();
    img
}

pub struct PrintImage {
    pub applicant: u64,
    pub pdf: Vec<u8>,
}
"#;

/// Nothing queue-like at all.
const CLEAN: &str = "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";

/// A PL003 case (warning by default): keyed lookup printed without an owner check.
const WARNING_ONLY: &str = r#"use std::collections::HashMap;
use std::sync::Mutex;

pub struct PrintImage {
    pub applicant: CardId,
    pub pdf: Vec<u8>,
}

pub struct PrintCommand {
    pub ticket: Ticket,
    pub card_id: CardId,
}

pub struct PrintServer {
    images: Mutex<HashMap<Ticket, PrintImage>>,
    printer: Printer,
}

impl PrintServer {
    pub fn handle(&self, cmd: PrintCommand) -> Result<(), PrintError> {
        let images = self.images.lock().unwrap();
        let img = images.get(&cmd.ticket).ok_or(PrintError::Expired)?;
        self.printer.print(&img.pdf)?;
        Ok(())
    }
}
"#;

/// Does not parse: `let x = ;`.
/// A syntax error in a fn with a requester parameter and a positional take.
const SYNTAX_ERROR: &str =
    "pub fn ok() {}\n\npub fn broken(user: &str, q: &mut Q) {\n    let x = ;\n    q.pop_front();\n}\n";

// ---------------------------------------------------------------------------------------
// Helpers

fn findings(json: &Value) -> &Vec<Value> {
    json["findings"].as_array().expect("findings is an array")
}

fn rules_of(json: &Value) -> Vec<String> {
    findings(json).iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

/// 1-based (line, char column) of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..at].chars().count() as u64 + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------
// Exit codes

// A clean crate must not fail CI.
#[test]
fn clean_file_exits_0() {
    let dir = dir_with(&[("clean.rs", CLEAN)]);
    let out = run(dir.path(), &["--color", "never", "clean.rs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("1 file checked: 0 errors, 0 warnings"), "{out:?}");
}

// An error-level finding is what makes CI fail.
#[test]
fn error_finding_exits_1() {
    let dir = dir_with(&[("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--color", "never", "kiosk.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("PL001"), "{out:?}");
}

// Warnings pass by default, and fail only when the user asks with --deny-warnings.
#[test]
fn warning_exits_0_and_1_with_deny_warnings() {
    let dir = dir_with(&[("server.rs", WARNING_ONLY)]);
    let out = run(dir.path(), &["--format", "json", "server.rs"]);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert_eq!(rules_of(&json), vec!["PL003"], "{out:?}");
    assert_eq!(findings(&json)[0]["severity"], "warning");

    let out = run(dir.path(), &["--format", "json", "--deny-warnings", "server.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
}

// A file that cannot be parsed must not pass silently as "clean".
#[test]
fn syntax_error_exits_2() {
    let dir = dir_with(&[("bad.rs", SYNTAX_ERROR)]);
    let out = run(dir.path(), &["--color", "never", "bad.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
}

// Every file is parsed, so every syntax error is reported. `--prefilter` and
// `--no-prefilter` (the removed lexer pre-pass's flags) are still accepted and change
// nothing: scripts written for the version that had them keep working.
#[test]
fn every_syntax_error_is_reported_and_old_prefilter_flags_change_nothing() {
    let seedless = "pub fn add(a: u32, b: u32) -> u32 {\n    let c = ;\n    a + b\n}\n";
    let dir = dir_with(&[("bad.rs", seedless), ("unbalanced.rs", "pub fn f() {\n    (1\n}\n")]);
    let plain = run(dir.path(), &["--format", "json", "bad.rs"]);
    assert_eq!(plain.code, 2, "{plain:?}");
    for flag in ["--prefilter", "--no-prefilter"] {
        let out = run(dir.path(), &["--format", "json", flag, "bad.rs"]);
        assert_eq!((out.code, &out.stdout), (plain.code, &plain.stdout), "{flag}");
    }
    let out = run(dir.path(), &["--format", "json", "unbalanced.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.contains("unbalanced.rs"), "{out:?}");
}

// One unparsable file must not hide the findings of the others, and its error must say where.
#[test]
fn syntax_error_next_to_flawed_file_human() {
    let dir = dir_with(&[("bad.rs", SYNTAX_ERROR), ("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--color", "never", "bad.rs", "kiosk.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    let (line, col) = position_of(SYNTAX_ERROR, "= ;");
    let expected = format!("bad.rs:{line}:{}", col + 2);
    assert!(out.stdout.contains(&expected), "expected {expected} in {out:?}");
    assert!(out.stdout.contains("PL001"), "the other file's finding is reported: {out:?}");
    let (pop_line, _) = position_of(FLAWED_KIOSK, "pop_front");
    assert!(out.stdout.contains(&format!("kiosk.rs:{pop_line}:")), "{out:?}");
}

// Same as above for machine consumers: JSON keeps both the finding and the located error.
#[test]
fn syntax_error_next_to_flawed_file_json() {
    let dir = dir_with(&[("bad.rs", SYNTAX_ERROR), ("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--format", "json", "bad.rs", "kiosk.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{out:?}");
    let (line, col) = position_of(SYNTAX_ERROR, "= ;");
    assert_eq!(errors[0]["file"], "bad.rs");
    assert_eq!(errors[0]["line"], line);
    assert_eq!(errors[0]["column"], col + 2);
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
    assert_eq!(rules_of(&json), vec!["PL001"]);
    assert_eq!(findings(&json)[0]["file"], "kiosk.rs");
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["findings"], 1);
}

// `cargo pairlint` runs the binary as `cargo-pairlint pairlint ...`; the real process exit code matters to CI.
#[test]
fn binary_exit_codes_and_cargo_subcommand_argument() {
    let dir = dir_with(&[("kiosk.rs", FLAWED_KIOSK), ("clean.rs", CLEAN), ("bad.rs", SYNTAX_ERROR)]);
    let out = run_bin(dir.path(), &["pairlint", "--format", "json", "kiosk.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(rules_of(&out.json()), vec!["PL001"]);

    let out = run_bin(dir.path(), &["pairlint", "check", "clean.rs"]);
    assert_eq!(out.code, 0, "{out:?}");

    let out = run_bin(dir.path(), &["pairlint", "bad.rs"]);
    assert_eq!(out.code, 2, "{out:?}");

    let out = run_bin(dir.path(), &["pairlint", "rules"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("PL004"), "{out:?}");
}

// Invoked directly (not through cargo), the binary works without the `pairlint` argument too.
#[test]
fn binary_without_cargo_argument() {
    let dir = dir_with(&[("kiosk.rs", FLAWED_KIOSK)]);
    let out = run_bin(dir.path(), &["check", "--color", "never", "kiosk.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("PL001 head-of-queue-for-requester"), "{out:?}");
}

// ---------------------------------------------------------------------------------------
// rules / explain

// `rules` is how users discover codes and levels; all four must be listed correctly.
#[test]
fn rules_lists_all_codes_names_levels() {
    let dir = TempDir::new().unwrap();
    let out = run(dir.path(), &["rules"]);
    assert_eq!(out.code, 0, "{out:?}");
    for (code, name, level) in [
        ("PL001", "head-of-queue-for-requester", "error"),
        ("PL002", "timeout-releases-ownership", "error"),
        ("PL003", "output-without-requester-check", "warning"),
        ("PL004", "fallback-to-other-item", "error"),
    ] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code))
            .unwrap_or_else(|| panic!("no line for {code}: {out:?}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&words[1..3], &[name, level], "line: {line}");
    }
}

// `explain` must print the rule's documentation verbatim, not a stale copy.
#[test]
fn explain_prints_rule_doc_exactly() {
    let dir = TempDir::new().unwrap();
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/PL001.md")).unwrap();
    let out = run(dir.path(), &["explain", "PL001"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, doc);
}

// A mistyped code must fail loudly and tell the user which codes exist.
#[test]
fn explain_unknown_rule_exits_2_naming_known_codes() {
    let dir = TempDir::new().unwrap();
    let out = run(dir.path(), &["explain", "PL999"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("PL999"), "{out:?}");
    for code in ["PL001", "PL002", "PL003", "PL004"] {
        assert!(out.stderr.contains(code), "{code} missing: {out:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Configuration

/// Runs on the flawed kiosk with `pairlint.toml` = `config`, expecting a config error
/// that names the file and contains each of `offending`.
fn assert_bad_config(config: &str, offending: &[&str]) {
    let dir = dir_with(&[("pairlint.toml", config), ("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--color", "never", "kiosk.rs"]);
    assert_eq!(out.code, 2, "config {config:?}: {out:?}");
    assert!(out.stderr.contains("pairlint.toml"), "config {config:?}: {out:?}");
    for text in offending {
        assert!(out.stderr.contains(text), "config {config:?}: {text:?} missing: {out:?}");
    }
    assert!(!out.stdout.contains("PL001 head-of-queue"), "nothing is linted with a bad config: {out:?}");
}

// A typo in a key must not be silently ignored.
#[test]
fn config_unknown_key_exits_2() {
    assert_bad_config("exclud = [\"x.rs\"]\n", &["exclud"]);
}

// A misspelt rule code would otherwise configure nothing.
#[test]
fn config_unknown_rule_exits_2() {
    assert_bad_config("[rules]\nPL009 = \"deny\"\n", &["PL009"]);
}

// An unknown level must be rejected, not treated as a default.
#[test]
fn config_wrong_level_exits_2() {
    assert_bad_config("[rules]\nPL001 = \"loud\"\n", &["loud"]);
}

// A value of the wrong type must be reported at the key.
#[test]
fn config_wrong_type_exits_2() {
    assert_bad_config("exclude = 3\n", &["exclude", "3"]);
}

// `allow` is how a team turns a rule off.
#[test]
fn config_allow_silences_rule() {
    let dir = dir_with(&[("pairlint.toml", "[rules]\nPL001 = \"allow\"\n"), ("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--format", "json", "kiosk.rs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(findings(&out.json()).is_empty(), "{out:?}");
}

// `deny` promotes a warning rule to an error that fails CI.
#[test]
fn config_deny_makes_warning_an_error() {
    let dir = dir_with(&[("pairlint.toml", "[rules]\nPL003 = \"deny\"\n"), ("server.rs", WARNING_ONLY)]);
    let out = run(dir.path(), &["--format", "json", "server.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
    let json = out.json();
    assert_eq!(rules_of(&json), vec!["PL003"]);
    assert_eq!(findings(&json)[0]["severity"], "error");
}

// Excluded files (generated code, the bundled flawed reference) must not be linted.
#[test]
fn config_exclude_skips_file() {
    let files = [("src/skip.rs", FLAWED_KIOSK), ("src/ok.rs", CLEAN)];
    // Without the exclude, skip.rs fails the run: the exclusion below is what hides it.
    let dir = dir_with(&files);
    let out = run(dir.path(), &["--format", "json", "src"]);
    assert_eq!(out.code, 1, "{out:?}");

    let dir = dir_with(&[files[0], files[1], ("pairlint.toml", "exclude = [\"src/skip.rs\"]\n")]);
    let out = run(dir.path(), &["--format", "json", "src"]);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert!(findings(&json).is_empty(), "{out:?}");
    assert_eq!(json["summary"]["files"], 1, "{out:?}");
}

// ---------------------------------------------------------------------------------------
// Suppression

/// FLAWED_KIOSK with `line` inserted before the line containing `before`.
fn insert_before(before: &str, line: &str) -> String {
    let mut out = String::new();
    for l in FLAWED_KIOSK.lines() {
        if l.contains(before) {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn lint_text_json(text: &str) -> (Out, Value) {
    let dir = dir_with(&[("kiosk.rs", text)]);
    let out = run(dir.path(), &["--format", "json", "kiosk.rs"]);
    let json = out.json();
    (out, json)
}

/// Asserts the PL001 finding was suppressed (and nothing else reported).
fn assert_suppressed(text: &str) {
    let (out, json) = lint_text_json(text);
    assert_eq!(out.code, 0, "{text}\n{out:?}");
    assert!(findings(&json).is_empty(), "{text}\n{out:?}");
    assert_eq!(json["summary"]["suppressed"], 1, "{text}\n{out:?}");
}

// The documented way to accept a finding: a comment on the line above.
#[test]
fn suppression_on_line_above() {
    assert_suppressed(&insert_before("pop_front", "        // pairlint: allow(PL001) one session per kiosk here"));
}

// A trailing comment on the finding's own line also suppresses.
#[test]
fn suppression_trailing_same_line() {
    let text = FLAWED_KIOSK.replace(".pop_front()\n", ".pop_front() // pairlint: allow(PL001) one session per kiosk\n");
    assert_suppressed(&text);
}

// A comment before a free fn covers the whole fn, not only its first line.
#[test]
fn suppression_before_free_fn_covers_item() {
    let text = format!("// pairlint: allow(PL001) single-user kiosk\n{FLAWED_FREE_FN}");
    // Without the comment the fn is flagged on a line below its signature.
    let (out, json) = lint_text_json(FLAWED_FREE_FN);
    assert_eq!(rules_of(&json), vec!["PL001"], "{out:?}");
    assert!(findings(&json)[0]["line"].as_u64().unwrap() > 2, "{out:?}");
    assert_suppressed(&text);
}

// A comment before a method (an fn inside an impl) covers the whole method.
#[test]
fn suppression_before_method_covers_item() {
    assert_suppressed(&insert_before("pub fn print", "    // pairlint: allow(PL001) single-user kiosk"));
}

// A comment before an impl covers every method in it.
#[test]
fn suppression_before_impl_covers_item() {
    assert_suppressed(&insert_before("impl Kiosk", "// pairlint: allow(PL001) single-user kiosk"));
}

// A stale suppression hides future findings; it must be reported.
#[test]
fn unused_suppression_is_warned() {
    let text = format!("// pairlint: allow(PL002) nothing to suppress\n{CLEAN}");
    let (out, json) = lint_text_json(&text);
    assert_eq!(out.code, 0, "warnings do not fail the run: {out:?}");
    let f = findings(&json);
    assert_eq!(f.len(), 1, "{out:?}");
    assert_eq!(f[0]["rule"], "unused-suppression");
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(f[0]["line"], 1);
    assert_eq!(json["summary"]["suppressed"], 0);
}

// Text that only looks like a directive (in a string literal) must not hide a real bug.
#[test]
fn suppression_in_string_literal_does_not_suppress() {
    let text = insert_before("pop_front", "        let _note = \"// pairlint: allow(PL001)\";");
    let (out, json) = lint_text_json(&text);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(rules_of(&json), vec!["PL001"], "{out:?}");
    assert_eq!(json["summary"]["suppressed"], 0);
}

// ---------------------------------------------------------------------------------------
// Workspace mode (the project's done-criterion)

// `cargo pairlint` with no paths must find the incident's bug in a real cargo project, and pass once it is fixed.
#[test]
fn workspace_mode_flags_flawed_kiosk_then_passes_fixed() {
    let dir = dir_with(&[
        ("Cargo.toml", "[package]\nname = \"kiosk-service\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("src/lib.rs", "mod kiosk;\n"),
        ("src/kiosk.rs", FLAWED_KIOSK),
    ]);
    let out = run(dir.path(), &["--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let json = out.json();
    assert_eq!(rules_of(&json), vec!["PL001"], "{out:?}");
    let f = &findings(&json)[0];
    let (line, column) = position_of(FLAWED_KIOSK, "pop_front");
    assert_eq!(f["file"], "src/kiosk.rs", "relative to the workspace root: {out:?}");
    assert_eq!(f["line"], line);
    assert_eq!(f["column"], column);
    assert_eq!(json["summary"]["files"], 2, "lib.rs and kiosk.rs: {out:?}");

    // Human output names the same place.
    let human = run(dir.path(), &["--color", "never"]);
    assert_eq!(human.code, 1, "{human:?}");
    assert!(human.stdout.contains(&format!("src/kiosk.rs:{line}:{column}")), "{human:?}");

    std::fs::write(dir.path().join("src/kiosk.rs"), FIXED_KIOSK).unwrap();
    let out = run(dir.path(), &["--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert!(findings(&json).is_empty(), "{out:?}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{out:?}");
}

// ---------------------------------------------------------------------------------------
// JSON schema

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().map(String::as_str).collect()
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

// The JSON shape is a documented contract for CI tools: exactly these keys, 1-based positions.
#[test]
fn json_has_documented_shape_and_positions() {
    let dir = dir_with(&[("kiosk.rs", FLAWED_KIOSK)]);
    let out = run(dir.path(), &["--format", "json", "kiosk.rs"]);
    assert_eq!(out.code, 1, "{out:?}");
    let json = out.json();
    assert_eq!(keys(&json), set(&["version", "findings", "errors", "summary"]));
    assert_eq!(json["version"], 1);
    assert_eq!(
        keys(&json["summary"]),
        set(&[
            "files",
            "findings",
            "errors",
            "suppressed",
            "not_linted",
            "not_compiled",
            "test_targets",
            "excluded",
            "unreadable",
            "generated_modules",
            "test_items"
        ])
    );
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["findings"], 1);
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["suppressed"], 0);
    assert!(json["errors"].as_array().unwrap().is_empty());

    let f = findings(&json);
    assert_eq!(f.len(), 1, "{out:?}");
    let f = &f[0];
    assert_eq!(
        keys(f),
        set(&[
            "rule",
            "name",
            "severity",
            "confidence",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "help",
            "labels",
        ])
    );
    assert_eq!(f["rule"], "PL001");
    assert_eq!(f["name"], "head-of-queue-for-requester");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "kiosk.rs");
    assert!(!f["message"].as_str().unwrap().is_empty());
    assert!(!f["help"].as_str().unwrap().is_empty());

    let (line, column) = position_of(FLAWED_KIOSK, "pop_front");
    assert_eq!(f["line"], line);
    assert_eq!(f["column"], column);
    assert_eq!(f["end_line"], line);
    let end = f["end_column"].as_u64().unwrap();
    assert!(
        end >= column + "pop_front".len() as u64 && end <= column + "pop_front()".len() as u64,
        "end_column {end} should close the `pop_front()` call starting at {column}"
    );

    let labels = f["labels"].as_array().unwrap();
    assert!(!labels.is_empty(), "a PL001 finding explains itself with labels: {out:?}");
    let line_count = FLAWED_KIOSK.lines().count() as u64;
    for l in labels {
        assert_eq!(keys(l), set(&["file", "line", "column", "end_line", "end_column", "message"]));
        assert_eq!(l["file"], "kiosk.rs");
        let (line, col) = (l["line"].as_u64().unwrap(), l["column"].as_u64().unwrap());
        let (end_line, end_col) = (l["end_line"].as_u64().unwrap(), l["end_column"].as_u64().unwrap());
        assert!(line >= 1 && col >= 1, "1-based: {l}");
        assert!(line <= line_count && end_line <= line_count, "within the file: {l}");
        assert!((end_line, end_col) >= (line, col), "ordered: {l}");
        assert!(!l["message"].as_str().unwrap().is_empty());
    }
    // The requester identity is labelled at the `card_id` parameter.
    let (id_line, _) = position_of(FLAWED_KIOSK, "card_id: u64");
    assert!(
        labels.iter().any(|l| l["line"] == id_line && l["message"].as_str().unwrap().contains("card_id")),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Usage

// The help text is user documentation; changes to it should be deliberate.
#[test]
fn help_output_snapshot() {
    let dir = TempDir::new().unwrap();
    let out = run(dir.path(), &["--help"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    insta::assert_snapshot!("help", out.stdout);
}

// An unknown flag is a usage error (exit 2), not a lint result.
#[test]
fn unknown_flag_exits_2() {
    let dir = TempDir::new().unwrap();
    let out = run(dir.path(), &["--frobnicate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--frobnicate"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}
