//! Runs the engine on every fixture and checks the inline `//~ PL00N` expectations
//! both ways: every expectation found, nothing unexpected reported.
//!
//! Some fixtures state what a careful reviewer expects where the engine is still wrong
//! (issue #11). Their problems are listed, one per line, in
//! `tests/fixtures/known_failures.txt`, a ratchet checked both ways: a problem not listed
//! fails the test (a regression), and so does a listed one that no longer occurs (an
//! improvement: delete its line). To rewrite the list from today's results:
//!
//! ```sh
//! PAIRLINT_BLESS=1 cargo test --test fixtures
//! ```

mod common;
use common::{fixture_cases, fixture_config, relative_sources};
use pairlint::engine::{lint_crate, SourceFile};
use pairlint::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const KNOWN: &str = "tests/fixtures/known_failures.txt";

const KNOWN_HEADER: &str = "\
# Fixture problems the engine has today, exactly as tests/fixtures.rs reports them:
# expectations a careful reviewer states that the engine misses, findings it should
# not make. Checked both ways: a problem not listed fails, a listed one that no
# longer occurs fails too (delete its line). Regenerate with:
#   PAIRLINT_BLESS=1 cargo test --test fixtures
";

/// The listed problems: every line that is neither blank nor a comment.
fn known_failures(text: &str) -> BTreeSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

/// (file, line, rule) triples expected by the `//~` comments of the given sources.
fn expectations(sources: &[SourceFile]) -> BTreeSet<(PathBuf, u32, String)> {
    sources
        .iter()
        .flat_map(|src| pairlint::expect::expectations(&src.text).into_iter().map(|(l, r)| (src.path.clone(), l, r)))
        .collect()
}

/// Each fixture case's files (tests/common enumerates the cases).
fn cases() -> Vec<Vec<PathBuf>> {
    fixture_cases().into_iter().map(|(_, files)| files).collect()
}

pub fn check_case(files: &[PathBuf]) -> Vec<String> {
    let sources = relative_sources(files);
    let expected = expectations(&sources);
    let report = lint_crate(&sources, &fixture_config(&sources), &Vocabulary::default());
    let mut problems: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{}:{}:{}: error: {}", e.file.display(), e.line, e.column, e.message))
        .collect();
    let found: BTreeSet<(PathBuf, u32, String)> =
        report.findings.iter().map(|f| (f.location.file.clone(), f.location.span.line, f.rule.to_string())).collect();
    for (file, line, rule) in expected.difference(&found) {
        problems.push(format!("{}:{line}: missed expected {rule}", file.display()));
    }
    for (file, line, rule) in found.difference(&expected) {
        let msg = report
            .findings
            .iter()
            .find(|f| f.location.file == *file && f.location.span.line == *line && f.rule == rule)
            .map(|f| f.message.clone())
            .unwrap_or_default();
        problems.push(format!("{}:{line}: unexpected {rule}: {msg}", file.display()));
    }
    problems
}

#[test]
fn every_fixture_expectation_holds_both_ways() {
    let cases = cases();
    assert!(cases.len() >= 72, "expected at least 9+9 cases per rule, found {}", cases.len());
    let mut problems = Vec::new();
    let mut expectations_seen = 0;
    for case in &cases {
        let sources: Vec<SourceFile> =
            case.iter().map(|p| SourceFile { path: p.clone(), text: std::fs::read_to_string(p).unwrap() }).collect();
        expectations_seen += expectations(&sources).len();
        problems.extend(check_case(case));
    }
    assert!(expectations_seen >= 36, "too few expectations: {expectations_seen}");

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN);
    let now: BTreeSet<String> = problems.into_iter().collect();
    if std::env::var_os("PAIRLINT_BLESS").is_some() {
        let lines: String = now.iter().map(|p| format!("{p}\n")).collect();
        std::fs::write(&path, format!("{KNOWN_HEADER}{lines}")).unwrap();
        return;
    }
    let known = known_failures(&std::fs::read_to_string(&path).unwrap_or_default());
    let new: Vec<&String> = now.difference(&known).collect();
    let stale: Vec<&String> = known.difference(&now).collect();
    assert!(
        new.is_empty() && stale.is_empty(),
        "fixture problems against {KNOWN}\n\
         {} not listed (regressions, or a new fixture):\n{}\n\
         {} listed, no longer occurring (the engine got better: delete these lines):\n{}\n\
         to accept today's results: PAIRLINT_BLESS=1 cargo test --test fixtures",
        new.len(),
        new.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"),
        stale.len(),
        stale.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"),
    );
}

#[test]
fn known_failures_list_skips_comments_and_blank_lines() {
    let text = format!("{KNOWN_HEADER}\n  fixtures/PL001/a.rs:3: missed expected PL001\n# x\n");
    let known: Vec<String> = known_failures(&text).into_iter().collect();
    assert_eq!(known, ["fixtures/PL001/a.rs:3: missed expected PL001"]);
}

#[test]
fn each_rule_has_positive_and_negative_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in ["PL001", "PL002", "PL003", "PL004"] {
        let names: Vec<String> = std::fs::read_dir(root.join(rule))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let pos = names.iter().filter(|n| n.starts_with("pos_")).count();
        let neg = names.iter().filter(|n| n.starts_with("neg_")).count();
        assert!(pos >= 8 && neg >= 8, "{rule}: {pos} positive and {neg} negative cases");
    }
}
