//! Runs the engine on every fixture and checks the inline `//~ PL00N` expectations
//! both ways: every expectation found, nothing unexpected reported.

mod common;
use common::{fixture_cases, relative_sources};
use pairlint::config::Config;
use pairlint::engine::{lint_crate, SourceFile};
use pairlint::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    let report = lint_crate(&sources, &Config::default(), &Vocabulary::default());
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
    assert!(problems.is_empty(), "{} fixture problems:\n{}", problems.len(), problems.join("\n"));
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
