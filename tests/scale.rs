//! The speed features change nothing that is found: the lexer pre-pass, the worker
//! count and the cache are invisible in the report.

use pairlint::config::Config;
use pairlint::engine::{lint_crate_with, Report, RunOptions, SourceFile};
use pairlint::finding::{FileError, Finding};
use pairlint::vocab::Vocabulary;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
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
    let reference = root().join("src/reference");
    for variant in ["flawed.rs", "fixed.rs"] {
        let files = [reference.join("domain.rs"), reference.join(variant)];
        out.push((variant.into(), sources(&files)));
    }
    out.push(("pairlint src".into(), sources(&rs_files(&root().join("src")))));
    out
}

fn lint(sources: &[SourceFile], prefilter: bool, jobs: usize) -> Report {
    let opts = RunOptions { jobs, prefilter, cache: None };
    lint_crate_with(sources, &Config::default(), &Vocabulary::default(), &opts)
}

fn outcome(r: &Report) -> (Vec<Finding>, Vec<FileError>, usize) {
    (r.findings.clone(), r.errors.clone(), r.suppressed.len())
}

// The pre-pass skips parsing files; if it ever skipped one that mattered, a finding would
// silently disappear (or appear). Every fixture and the reference service must agree.
#[test]
fn prefilter_changes_no_finding() {
    let mut compared = 0;
    let mut with_findings = 0;
    for (name, srcs) in crates() {
        let on = lint(&srcs, true, 2);
        let off = lint(&srcs, false, 2);
        assert_eq!(outcome(&on), outcome(&off), "{name}: the pre-pass changed the report");
        compared += 1;
        with_findings += usize::from(!off.findings.is_empty());
    }
    assert!(compared > 50 && with_findings > 20, "{compared} crates, {with_findings} with findings");
}

// The pre-pass must actually skip something, or it is only overhead.
#[test]
fn prefilter_skips_files_that_cannot_contribute() {
    let srcs = vec![
        SourceFile {
            path: "kiosk.rs".into(),
            text:
                "pub fn print(q: &std::collections::VecDeque<u8>, user_id: u64) -> Option<u8> { q.front().copied() }\n"
                    .into(),
        },
        SourceFile {
            path: "math.rs".into(),
            // Unparsable, but nothing a finding could start from: skipped, so not reported.
            text: "pub fn add(a: u32, b: u32) -> u32 { let c = ; a + b }\n".into(),
        },
    ];
    assert!(lint(&srcs, true, 1).errors.is_empty());
    assert_eq!(lint(&srcs, false, 1).errors.len(), 1);
}

// Parallel extraction must not reorder or change anything: 1, 2 and 4 workers agree.
#[test]
fn worker_count_changes_nothing() {
    let srcs = sources(&rs_files(&root().join("fixtures")));
    let one = lint(&srcs, true, 1);
    assert!(!one.findings.is_empty());
    for jobs in [2, 4] {
        assert_eq!(outcome(&one), outcome(&lint(&srcs, true, jobs)), "{jobs} workers");
    }
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
    for rule in ["PL001", "PL002", "PL003", "PL004"] {
        let mut cases: Vec<PathBuf> =
            std::fs::read_dir(root().join("fixtures").join(rule)).unwrap().map(|e| e.unwrap().path()).collect();
        cases.sort();
        paths.extend(cases);
    }
    paths.push(root().join("src/reference"));
    paths.push(root().join("src"));
    let discovery = pairlint::discover::discover_paths(&paths);
    assert!(discovery.crates.len() > 50, "{} crates", discovery.crates.len());
    let run = |jobs: usize| {
        let r = lint_discovery_with(&discovery, &Config::default(), &RunOptions { jobs, prefilter: true, cache: None });
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
