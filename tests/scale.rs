//! The speed features change nothing that is found: the worker count and crates
//! overlapping on workers are invisible in the report (the cache: tests/hardness.rs).

mod common;
use common::rs_files;
use pairlint::config::Config;
use pairlint::engine::{lint_crate_with, Report, RunOptions, SourceFile};
use pairlint::finding::{FileError, Finding};
use pairlint::vocab::Vocabulary;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sources(files: &[PathBuf]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|p| SourceFile {
            path: p.strip_prefix(root()).unwrap_or(p).to_path_buf(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

/// The crates to compare: every fixture case, all fixtures as one crate (many more
/// names shared across files), the reference service's two variants, and pairlint's own
/// source (real code with helpers spread over many files).
fn crates() -> Vec<(String, Vec<SourceFile>)> {
    let fixtures = root().join("fixtures");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&fixtures).unwrap() {
        let rule = rule.unwrap().path();
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            let files = if case.is_dir() { rs_files(&case) } else { vec![case.clone()] };
            out.push((case.display().to_string(), sources(&files)));
        }
    }
    out.push(("all fixtures".into(), sources(&rs_files(&fixtures))));
    let reference = root().join("crates/pairlint-reference/src");
    for variant in ["flawed.rs", "fixed.rs"] {
        let files = [reference.join("domain.rs"), reference.join(variant)];
        out.push((variant.into(), sources(&files)));
    }
    // The root crate with the workspace's other crates, as one crate: more files, more
    // shared names than any one of them.
    let mut own = rs_files(&root().join("src"));
    own.extend(rs_files(&root().join("crates")));
    out.push(("pairlint src".into(), sources(&own)));
    out
}

fn lint(sources: &[SourceFile], jobs: usize) -> Report {
    let opts = RunOptions { jobs, cache: None, overlay: None };
    lint_crate_with(sources, &Config::default(), &Vocabulary::default(), &opts)
}

fn outcome(r: &Report) -> (Vec<Finding>, Vec<FileError>, usize) {
    (r.findings.clone(), r.errors.clone(), r.suppressed.len())
}

#[test]
fn worker_count_changes_nothing() {
    let mut with_findings = 0;
    for (name, srcs) in crates() {
        let one = lint(&srcs, 1);
        assert_eq!(outcome(&one), outcome(&lint(&srcs, 2)), "{name}: 2 workers changed the report");
        with_findings += usize::from(!one.findings.is_empty());
    }
    assert!(with_findings > 20, "{with_findings} crates with findings");
    let srcs = sources(&rs_files(&root().join("fixtures")));
    let one = lint(&srcs, 1);
    assert!(!one.findings.is_empty());
    assert_eq!(outcome(&one), outcome(&lint(&srcs, 4)), "4 workers");
}

// Crates overlap on the worker pool (one lane per worker); if a slower crate could
// finish after a faster one and land earlier or later in the report, the output would
// depend on timing. Every fixture case is its own crate here (plus the reference
// service and pairlint's source), so there are many crates in flight; the whole report
// (findings, errors, suppressions with reasons, notes, in order) must be the same for
// 1, 2 and 4 workers.
#[test]
fn crate_overlap_changes_nothing() {
    use pairlint::engine::lint_discovery_with;
    let mut paths = Vec::new();
    let mut rules: Vec<PathBuf> =
        std::fs::read_dir(root().join("fixtures")).unwrap().map(|e| e.unwrap().path()).collect();
    rules.sort();
    for rule in rules {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(rule).unwrap().map(|e| e.unwrap().path()).collect();
        cases.sort();
        paths.extend(cases);
    }
    paths.push(root().join("crates/pairlint-reference/src"));
    paths.push(root().join("src"));
    for name in ["pairlint-base", "pairlint-syntax", "pairlint-analysis"] {
        paths.push(root().join("crates").join(name).join("src"));
    }
    let discovery = pairlint::discover::discover_paths(&paths);
    assert!(discovery.crates.len() > 50, "{} crates", discovery.crates.len());
    let run = |jobs: usize| {
        let r = lint_discovery_with(&discovery, &Config::default(), &RunOptions { jobs, cache: None, overlay: None });
        let suppressed: Vec<(Finding, String)> =
            r.suppressed.iter().map(|s| (s.finding.clone(), s.reason.clone())).collect();
        (r.findings, r.errors, suppressed, r.notes, r.files)
    };
    let one = run(1);
    assert!(one.0.len() > 20, "{} findings", one.0.len());
    for jobs in [2, 4] {
        assert!(one == run(jobs), "{jobs} workers changed the report");
    }
}
