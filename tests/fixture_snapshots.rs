//! The human rendering of every fixture case, snapshotted: what a user reads for each
//! firing and non-firing case (message, spans, labels, help, summary), so a change to
//! any of it, or to a known false positive's shape, is reviewed deliberately.
//! tests/fixtures.rs checks only the rule and line of each finding.
//!
//! One snapshot per case in `tests/snapshots/fixtures/`, named after the case's path
//! under `fixtures/` (`PL001/pos_static_queue` is `PL001__pos_static_queue.snap`).
//! Create or update them with `INSTA_UPDATE=always cargo test --test fixture_snapshots`
//! and read the diff.

mod common;
use common::{fixture_cases, fixture_config, manifest_dir, relative_sources};
use pairlint::engine::lint_crate;
use pairlint::output::human;
use pairlint::output::HumanOptions;
use pairlint::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Where the snapshots live, relative to this file (insta's convention).
const SNAPSHOT_DIR: &str = "snapshots/fixtures";

/// What `--color never` renders, at the default width: the same bytes on every machine
/// and terminal.
const PLAIN: HumanOptions = HumanOptions { color: false, width: 100, verbose: false };

/// `fixtures/PL001/pos_static_queue.rs` -> `PL001/pos_static_queue` (insta turns the `/`
/// into `__` in the file name).
fn snapshot_name(case: &Path) -> String {
    let under = case.strip_prefix("fixtures").unwrap_or(case);
    under.to_string_lossy().trim_end_matches(".rs").replace('\\', "/")
}

// Negative cases are snapshotted too: a false positive appears there as a new finding.
#[test]
fn every_fixture_case_renders_as_its_snapshot() {
    let cases = fixture_cases();
    assert!(cases.len() >= 72, "expected at least 9+9 cases per rule, found {}", cases.len());
    let vocab = Vocabulary::default();
    let absolute = manifest_dir().to_string_lossy().into_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(SNAPSHOT_DIR);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut failed = Vec::new();
    for (case, files) in &cases {
        let sources = relative_sources(files);
        let report = lint_crate(&sources, &fixture_config(&sources), &vocab);
        let rendered = human::render(&report, &PLAIN);
        assert!(!rendered.contains('\u{1b}'), "{}: escape codes without colour", case.display());
        assert!(!rendered.contains(&absolute), "{}: an absolute path in the rendering", case.display());
        settings.set_description(case.to_string_lossy());
        // Each mismatch is collected rather than ending the loop, so one run shows (and
        // with INSTA_UPDATE writes) every changed case.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(snapshot_name(case), rendered));
        }));
        if outcome.is_err() {
            failed.push(case.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} fixture renderings differ from their snapshots:\n{}",
        failed.len(),
        failed.join("\n")
    );

    // A snapshot whose case was renamed or deleted would otherwise linger unchecked.
    let expected: BTreeSet<String> =
        cases.iter().map(|(case, _)| format!("{}.snap", snapshot_name(case).replace('/', "__"))).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(SNAPSHOT_DIR);
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".snap") && !expected.contains(name))
        .collect();
    assert!(stale.is_empty(), "snapshots without a fixture case in {}: {stale:?}", dir.display());
}
