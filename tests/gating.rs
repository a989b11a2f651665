//! Gating pull requests: baselines (`--baseline`, `--write-baseline`), diff gating
//! (`--new-from-rev`, `--new-from-patch`) and `--add-suppressions`, end to end through
//! `pairlint::cli::run` on temporary workspaces and git repositories.

mod common;
use common::{run, write, Out, FLAWED_KIOSK};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------
// Inputs

const CARGO_TOML: &str = "[package]\nname = \"kiosk\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

/// A second flawed method, appended to the impl to make a new finding.
const NEW_FLAW: &str = r#"
impl Kiosk {
    pub fn reprint(&self, card_id: u64) -> Option<PrintImage> {
        self.queue.lock().unwrap().pop_front()
    }
}
"#;

/// A PL003 case (a warning by default): keyed lookup printed without an owner check.
const WARNING: &str = r#"use std::collections::HashMap;
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

/// The cross-file case: `print_for` is flagged at the call of `helpers::next_image`,
/// with a label inside the helper (in another file) where the head is popped.
const LIB_WITH_HELPER: &str = r#"mod helpers;

use std::collections::VecDeque;
use std::sync::Mutex;

pub struct PrintImage {
    pub applicant: CardId,
    pub pdf: Vec<u8>,
}

pub struct PrintServer {
    queue: Mutex<VecDeque<PrintImage>>,
    printer: Printer,
}

impl PrintServer {
    pub fn print_for(&self, card: CardId) -> Result<(), PrintError> {
        let img = helpers::next_image(&self.queue).ok_or(PrintError::Empty)?;
        self.printer.print(&img.pdf)
    }
}

pub fn unrelated(a: u32) -> u32 {
    a + 1
}
"#;

const HELPERS: &str = r#"use crate::PrintImage;
use std::collections::VecDeque;
use std::sync::Mutex;

pub(crate) fn next_image(queue: &Mutex<VecDeque<PrintImage>>) -> Option<PrintImage> {
    queue.lock().unwrap().pop_front()
}
"#;

// ---------------------------------------------------------------------------------------
// Helpers

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

fn workspace(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// (rule, file, line) of every reported finding.
fn reported(out: &Out) -> Vec<(String, String, u64)> {
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() as u64 + 1
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A git repository with one commit of `files`, user configured locally.
fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Pairlint Test"]);
    git(dir.path(), &["config", "user.email", "test@example.invalid"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "flawed service"]);
    dir
}

// ---------------------------------------------------------------------------------------
// Baselines

// The core promise of a baseline: known findings stay quiet across unrelated edits,
// while new findings and edits to a known finding's line are reported.
#[test]
fn baseline_survives_inserted_lines_and_reports_new_and_changed_findings() {
    let dir = workspace(&[("src/lib.rs", FLAWED_KIOSK)]);
    let w = run(dir.path(), &["--write-baseline", "pairlint-baseline.json"]);
    assert_eq!(w.code, 0, "{w:?}");
    assert!(w.stderr.contains("wrote 1 finding(s)"), "{w:?}");

    // 20 lines inserted above the finding: it moves, but stays baselined.
    let padding: String = (0..20).map(|i| format!("// note {i}\n")).collect();
    let moved = FLAWED_KIOSK.replace("impl Kiosk {", &format!("{padding}impl Kiosk {{"));
    write(dir.path(), "src/lib.rs", &moved);
    let out = run(dir.path(), &["--baseline", "pairlint-baseline.json", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(reported(&out).is_empty(), "{out:?}");
    assert_eq!(out.json()["summary"]["baselined"], 1, "{out:?}");
    let human = run(dir.path(), &["--baseline", "pairlint-baseline.json", "--color", "never"]);
    assert!(human.stdout.ends_with("0 suppressed, 1 baselined\n"), "{human:?}");

    // A new finding is reported; the old one is still baselined.
    let with_new = format!("{moved}{NEW_FLAW}");
    write(dir.path(), "src/lib.rs", &with_new);
    let out = run(dir.path(), &["--baseline", "pairlint-baseline.json", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let new_line = line_of(&with_new, "pub fn reprint") + 1;
    assert_eq!(reported(&out), vec![("PL001".into(), "src/lib.rs".into(), new_line)], "{out:?}");
    assert_eq!(out.json()["summary"]["baselined"], 1);

    // Changing the baselined finding's line reports it again.
    let changed = moved.replace(
        "        self.queue.lock().unwrap().pop_front()",
        "        self.queue.lock().expect(\"poisoned\").pop_front()",
    );
    assert_ne!(changed, moved);
    write(dir.path(), "src/lib.rs", &changed);
    let out = run(dir.path(), &["--baseline", "pairlint-baseline.json", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(reported(&out).len(), 1, "{out:?}");
    assert_eq!(out.json()["summary"]["baselined"], 0);

    // Fixed: nothing reported, nothing baselined.
    write(dir.path(), "src/lib.rs", "pub fn add(a: u32) -> u32 {\n    a + 1\n}\n");
    let out = run(dir.path(), &["--baseline", "pairlint-baseline.json", "--format", "json"]);
    assert_eq!((out.code, out.json()["summary"]["baselined"].clone()), (0, Value::from(0)), "{out:?}");
}

// The baseline format is a contract with CI caches and reviewers: versioned,
// fingerprinted by item and code, with counts, and written without leftovers.
#[test]
fn write_baseline_records_versioned_fingerprints_with_counts() {
    let twice = FLAWED_KIOSK.replace(
        "        self.queue.lock().unwrap().pop_front()\n",
        "        if card_id == 0 {\n            return self.queue.lock().unwrap().pop_front();\n        }\n        return self.queue.lock().unwrap().pop_front();\n",
    );
    let dir = workspace(&[("src/lib.rs", "mod kiosk;\n"), ("src/kiosk.rs", &twice)]);
    let out = run(dir.path(), &["--write-baseline", "ci/baseline.json"]);
    assert_ne!(out.code, 0, "the directory does not exist yet: {out:?}");
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    let out = run(dir.path(), &["--write-baseline", "ci/baseline.json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let written: Value = serde_json::from_str(&read(dir.path(), "ci/baseline.json")).unwrap();
    assert_eq!(written["version"], 1);
    assert_eq!(written["pairlint"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        written["findings"],
        serde_json::json!([{
            "rule": "PL001",
            "file": "src/kiosk.rs",
            "item": "Kiosk::print",
            "code": "return self.queue.lock().unwrap().pop_front();",
            "count": 2
        }]),
        "{written:#}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path().join("ci")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec!["baseline.json"], "no temp file left behind");

    // A third copy exceeds the recorded count and is reported.
    let thrice = twice.replace(
        "        if card_id == 0 {",
        "        if card_id == 1 {\n            return self.queue.lock().unwrap().pop_front();\n        }\n        if card_id == 0 {",
    );
    write(dir.path(), "src/kiosk.rs", &thrice);
    let out = run(dir.path(), &["--baseline", "ci/baseline.json", "--format", "json"]);
    assert_eq!(reported(&out).len(), 1, "{out:?}");
    assert_eq!(out.json()["summary"]["baselined"], 2);
}

// Inline modules are part of the item path, so the same fn name in two modules is
// two different fingerprints.
#[test]
fn item_path_includes_inline_modules() {
    let text = format!("pub mod front {{\n{FLAWED_KIOSK}}}\n");
    let dir = workspace(&[("src/lib.rs", &text)]);
    assert_eq!(run(dir.path(), &["--write-baseline", "b.json"]).code, 0);
    let written: Value = serde_json::from_str(&read(dir.path(), "b.json")).unwrap();
    assert_eq!(written["findings"][0]["item"], "front::Kiosk::print", "{written:#}");
}

// A corrupt baseline must stop CI with a pointer to the problem, never pass silently.
#[test]
fn malformed_truncated_or_hostile_baselines_exit_2_naming_file_and_position() {
    let dir = workspace(&[("src/lib.rs", FLAWED_KIOSK)]);
    let cases: &[(&str, &str, &str)] = &[
        ("truncated", "{\"version\": 1,\n\"pairlint\": \"0.1.0\",\n\"findings\": [", "truncated JSON"),
        ("garbage", "not json at all", "1:2: malformed JSON"),
        ("shape", "{\"version\":1,\"pairlint\":\"x\",\"findings\":[{\"rule\":\"PL001\"}]}", "not a pairlint baseline"),
        ("unknown-key", "{\"version\":1,\"pairlint\":\"x\",\"findings\":[],\"extra\":0}", "unknown field `extra`"),
        ("deep", &"[".repeat(50_000), "1:1: not a pairlint baseline"),
        ("version", "{\"version\":7,\"pairlint\":\"x\",\"findings\":[]}", "unsupported baseline version 7"),
    ];
    for (name, text, expected) in cases {
        let file = format!("{name}.json");
        write(dir.path(), &file, text);
        let out = run(dir.path(), &["--baseline", &file]);
        assert_eq!(out.code, 2, "{name}: {out:?}");
        assert!(out.stderr.contains(&format!("baseline {}", dir.path().join(&file).display())), "{name}: {out:?}");
        assert!(out.stderr.contains(expected), "{name}: expected {expected:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{name}: nothing linted on a bad baseline: {out:?}");
    }
    let out = run(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("missing.json: cannot read"), "{out:?}");
}

// Levels and --deny-warnings apply to what is left after filtering.
#[test]
fn deny_warnings_and_levels_apply_after_the_baseline() {
    let dir = workspace(&[("src/lib.rs", WARNING)]);
    assert_eq!(run(dir.path(), &["--deny-warnings"]).code, 1);
    assert_eq!(run(dir.path(), &["--write-baseline", "b.json"]).code, 0);
    let out = run(dir.path(), &["--baseline", "b.json", "--deny-warnings"]);
    assert_eq!(out.code, 0, "the only warning is baselined: {out:?}");
    // Deny in config does not resurrect a baselined finding either.
    write(dir.path(), "Cargo.toml", format!("{CARGO_TOML}\n[package.metadata.pairlint.rules]\nPL003 = \"deny\"\n"));
    let out = run(dir.path(), &["--baseline", "b.json"]);
    assert_eq!(out.code, 0, "{out:?}");
    // A file that cannot be parsed is never baselined away, and no baseline is written.
    // (A requester parameter: the pre-pass parses the file, so the syntax error is seen.)
    write(dir.path(), "src/lib.rs", "pub fn broken(user: &str, q: &mut Q) { let x = ; q.pop_front(); }\n");
    assert_eq!(run(dir.path(), &["--baseline", "b.json"]).code, 2);
    let out = run(dir.path(), &["--write-baseline", "b2.json"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not writing baseline"), "{out:?}");
    assert!(!dir.path().join("b2.json").exists());
}

// ---------------------------------------------------------------------------------------
// Diff gating

fn helper_repo() -> TempDir {
    repo(&[("Cargo.toml", CARGO_TOML), ("src/lib.rs", LIB_WITH_HELPER), ("src/helpers.rs", HELPERS)])
}

// A PR that touches other code must not fail on an old finding.
#[test]
fn new_from_rev_ignores_findings_on_untouched_lines() {
    let dir = helper_repo();
    assert_eq!(run(dir.path(), &["--format", "json"]).code, 1, "the finding exists");
    write(dir.path(), "src/lib.rs", LIB_WITH_HELPER.replace("a + 1", "a + 2"));
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(reported(&out).is_empty(), "{out:?}");
    assert_eq!(out.json()["summary"]["outside_diff"], 1);
    let human = run(dir.path(), &["--new-from-rev", "HEAD", "--color", "never"]);
    assert!(human.stdout.ends_with("0 suppressed, 1 outside the diff\n"), "{human:?}");
}

// The cross-file case: the PR edits only the helper, and the finding at the call
// site in another file is reported because its label lies on the changed line.
#[test]
fn new_from_rev_reports_a_finding_whose_helper_label_changed() {
    let dir = helper_repo();
    write(
        dir.path(),
        "src/helpers.rs",
        HELPERS.replace("queue.lock().unwrap().pop_front()", "queue.lock().expect(\"lock\").pop_front()"),
    );
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let call_line = line_of(LIB_WITH_HELPER, "helpers::next_image(");
    assert_eq!(reported(&out), vec![("PL001".into(), "src/lib.rs".into(), call_line)], "{out:?}");

    // The same change as a patch file gives the same answer, without git.
    let patch = git(dir.path(), &["diff", "HEAD"]);
    write(dir.path(), "../pr.patch", &patch);
    let out_patch = run(dir.path(), &["--new-from-patch", "../pr.patch", "--format", "json"]);
    assert_eq!(out_patch.code, 1, "{out_patch:?}");
    assert_eq!(reported(&out_patch), reported(&out));

    // Committed changes count too: diff against the parent commit.
    git(dir.path(), &["commit", "-qam", "tweak helper"]);
    let out = run(dir.path(), &["--new-from-rev", "HEAD~1", "--format", "json"]);
    assert_eq!(reported(&out).len(), 1, "{out:?}");
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--format", "json"]);
    assert!(reported(&out).is_empty(), "nothing changed since HEAD: {out:?}");
}

/// The fixed handler: keyed by ticket, owner checked before the image is returned.
const CHECKED: &str = r#"pub struct PrintImage {
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

// The classic way a pairing bug is introduced: a PR deletes the owner check. No span
// of the new finding is on a changed line, but the deletion lies between its spans.
#[test]
fn new_from_rev_reports_a_finding_caused_by_deleting_a_check() {
    let dir = repo(&[("Cargo.toml", CARGO_TOML), ("src/lib.rs", CHECKED)]);
    assert_eq!(run(dir.path(), &["--deny-warnings"]).code, 0, "clean before the PR");
    let unchecked = CHECKED.replace("        if img.applicant != card_id {\n            return None;\n        }\n", "");
    write(dir.path(), "src/lib.rs", &unchecked);
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--format", "json", "--deny-warnings"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(reported(&out).len(), 1, "{out:?}");
    let patch = git(dir.path(), &["diff", "--unified=0"]);
    write(dir.path(), "../del.patch", &patch);
    let out = run(dir.path(), &["--new-from-patch", "../del.patch", "--format", "json"]);
    assert_eq!(reported(&out).len(), 1, "{out:?}");
}

// A finding on an added line of a new (untracked) file is new.
#[test]
fn new_from_rev_counts_untracked_files_as_new() {
    let dir = repo(&[("Cargo.toml", CARGO_TOML), ("src/lib.rs", "mod kiosk;\n")]);
    write(dir.path(), "src/kiosk.rs", FLAWED_KIOSK);
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(reported(&out).len(), 1, "{out:?}");
}

// Diff paths are relative to the repository root; findings to the workspace root.
#[test]
fn new_from_rev_maps_paths_when_the_workspace_is_a_subdirectory() {
    let dir = repo(&[
        ("README.md", "monorepo\n"),
        ("services/kiosk/Cargo.toml", CARGO_TOML),
        ("services/kiosk/src/lib.rs", LIB_WITH_HELPER),
        ("services/kiosk/src/helpers.rs", HELPERS),
    ]);
    let ws = dir.path().join("services/kiosk");
    let out = run(&ws, &["--new-from-rev", "HEAD", "--format", "json"]);
    assert_eq!((out.code, reported(&out).len()), (0, 0), "{out:?}");
    write(&ws, "src/helpers.rs", HELPERS.replace("pop_front()", "pop_front() // head"));
    let out = run(&ws, &["--new-from-rev", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(reported(&out)[0].1, "src/lib.rs", "{out:?}");
    // Paths mode from inside the subdirectory maps the same way.
    let out = run(&ws, &["--new-from-rev", "HEAD", "--format", "json", "src"]);
    assert_eq!(reported(&out).len(), 1, "{out:?}");
}

// Bad revisions and missing repositories are setup errors (exit 2), not "no findings".
#[test]
fn new_from_rev_errors_exit_2() {
    let dir = helper_repo();
    let out = run(dir.path(), &["--new-from-rev", "no-such-branch"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("unknown revision `no-such-branch`"), "{out:?}");
    let out = run(dir.path(), &["--new-from-rev", "--output=/tmp/x"]);
    assert_eq!(out.code, 2, "option-looking revisions are refused: {out:?}");

    let not_repo = workspace(&[("src/lib.rs", FLAWED_KIOSK)]);
    // A precondition, not a skip: if the temp dir sat inside a repository this test
    // could not say anything, so it fails loudly instead.
    let inside_repo = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(not_repo.path())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(!inside_repo, "the temp dir {} is inside a git repository", not_repo.path().display());
    let out = run(not_repo.path(), &["--new-from-rev", "HEAD"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("needs a git repository"), "{out:?}");
    assert!(out.stderr.contains("not a git repository"), "git's reason is summarized: {out:?}");
    // The two diff sources exclude each other.
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--new-from-patch", "x.patch"]);
    assert_eq!(out.code, 2, "{out:?}");
}

// A broken patch must not silently gate everything away.
#[test]
fn new_from_patch_rejects_malformed_patches() {
    let dir = helper_repo();
    write(dir.path(), "bad.patch", "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,2 +1,5 @@\n+only one line\n");
    let out = run(dir.path(), &["--new-from-patch", "bad.patch"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("bad.patch") && out.stderr.contains("truncated"), "{out:?}");
}

// Diff gating and --deny-warnings: the exit code only sees what is reported.
#[test]
fn deny_warnings_applies_after_diff_filtering() {
    let dir = repo(&[("Cargo.toml", CARGO_TOML), ("src/lib.rs", WARNING)]);
    assert_eq!(run(dir.path(), &["--deny-warnings"]).code, 1);
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--deny-warnings"]);
    assert_eq!(out.code, 0, "{out:?}");
}

// ---------------------------------------------------------------------------------------
// --add-suppressions

/// `text` with every line holding `// pairlint: allow(` removed.
fn without_directives(text: &str) -> String {
    text.split_inclusive('\n').filter(|l| !l.contains("// pairlint: allow(")).collect()
}

// Adopting pairlint on a legacy codebase: one command silences what exists, the code
// still parses and is otherwise byte-for-byte unchanged, and a re-run is clean.
#[test]
fn add_suppressions_silences_every_finding_and_changes_nothing_else() {
    let two_rules = r#"
impl PrintServer {
    pub fn handle_again(&self, cmd: PrintCommand) -> Result<(), PrintError> {
        let images = self.images.lock().unwrap();
        let img = images.get(&cmd.ticket).ok_or(PrintError::Expired)?;
        self.printer.print(&img.pdf)?;
        Ok(())
    }
}
"#;
    let warning = format!("{WARNING}{two_rules}");
    let dir = workspace(&[
        ("src/lib.rs", "mod kiosk;\nmod server;\n"),
        ("src/kiosk.rs", FLAWED_KIOSK),
        ("src/server.rs", &warning),
    ]);
    let before = run(dir.path(), &["--format", "json"]);
    let count = reported(&before).len();
    assert!(count >= 3, "{before:?}");

    let out = run(dir.path(), &["--add-suppressions", "legacy, tracked in #42", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(reported(&out).is_empty(), "{out:?}");
    assert_eq!(out.json()["summary"]["suppressed"], count);
    assert!(
        out.stderr.contains("src/kiosk.rs:12: added `// pairlint: allow(PL001) legacy, tracked in #42`"),
        "{out:?}"
    );

    let kiosk = read(dir.path(), "src/kiosk.rs");
    assert!(
        kiosk.contains("        // pairlint: allow(PL001) legacy, tracked in #42\n        self.queue"),
        "same indentation as the line: {kiosk}"
    );
    assert_eq!(without_directives(&kiosk), FLAWED_KIOSK);
    assert_eq!(without_directives(&read(dir.path(), "src/server.rs")), warning);

    // A second run has nothing to add and reports no unused suppressions.
    let again = run(dir.path(), &["--add-suppressions", "legacy", "--format", "json", "--deny-warnings"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("added 0 suppression comment(s)"), "{again:?}");
    assert_eq!(read(dir.path(), "src/kiosk.rs"), kiosk);
}

// Windows checkouts: the inserted line keeps CRLF, and tabs indent like the line.
#[test]
fn add_suppressions_keeps_crlf_and_indentation() {
    let crlf = FLAWED_KIOSK.replace("        self.queue", "\t\tself.queue").replace('\n', "\r\n");
    let dir = workspace(&[("src/lib.rs", &crlf)]);
    let out = run(dir.path(), &["--add-suppressions", "legacy"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = read(dir.path(), "src/lib.rs");
    assert!(text.contains("\r\n\t\t// pairlint: allow(PL001) legacy\r\n\t\tself.queue"), "{text:?}");
    assert!(!text.replace("\r\n", "").contains('\n'), "no bare LF introduced: {text:?}");
    assert_eq!(without_directives(&text), crlf);
}

// A comment inserted inside a multi-line string would be text, not a suppression.
#[test]
fn add_suppressions_skips_lines_that_start_inside_a_string() {
    let text = FLAWED_KIOSK.replace(
        "    pub fn print(&self, card_id: u64) -> Option<PrintImage> {\n        self.queue.lock().unwrap().pop_front()\n",
        "    pub fn show(&self, card_id: u64) -> String {\n        format!(\"head:\n{:?}\", self.queue.lock().unwrap().pop_front().map(|i| i.pdf))\n",
    );
    let dir = workspace(&[("src/lib.rs", &text)]);
    let before = run(dir.path(), &["--format", "json"]);
    assert_eq!(reported(&before).len(), 1, "{before:?}");
    let out = run(dir.path(), &["--add-suppressions", "legacy", "--format", "json"]);
    assert_eq!(out.code, 1, "the finding remains: {out:?}");
    assert!(out.stderr.contains("starts inside a string literal"), "{out:?}");
    assert_eq!(read(dir.path(), "src/lib.rs"), text, "file untouched");
}

// The reason becomes the rest of a line comment: empty or multi-line is refused
// before anything is written.
#[test]
fn add_suppressions_refuses_empty_or_multiline_reasons() {
    let dir = workspace(&[("src/lib.rs", FLAWED_KIOSK)]);
    for reason in ["", "   ", "two\nlines", "cr\rhere"] {
        let out = run(dir.path(), &["--add-suppressions", reason]);
        assert_eq!(out.code, 2, "{reason:?}: {out:?}");
        assert!(out.stderr.contains("--add-suppressions"), "{out:?}");
        assert_eq!(read(dir.path(), "src/lib.rs"), FLAWED_KIOSK);
    }
}

// With a diff gate, only the PR's findings get suppression comments.
#[test]
fn add_suppressions_only_touches_reported_findings() {
    let dir = helper_repo();
    let out = run(dir.path(), &["--new-from-rev", "HEAD", "--add-suppressions", "legacy"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(read(dir.path(), "src/lib.rs"), LIB_WITH_HELPER, "nothing reported, nothing added");
}
