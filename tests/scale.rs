//! The speed features change nothing that is found: the lexer pre-pass, the worker
//! count and the cache are invisible in the report.

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

fn crate_of(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files.iter().map(|(p, t)| SourceFile { path: PathBuf::from(p), text: t.to_string() }).collect()
}

/// Lints with and without the pre-pass; they must agree on findings (meta warnings
/// included) and suppressions. Returns the run without it.
fn same_with_and_without(name: &str, srcs: &[SourceFile]) -> Report {
    let on = lint(srcs, true, 1);
    let off = lint(srcs, false, 1);
    assert_eq!(on.findings, off.findings, "{name}: the pre-pass changed the findings");
    assert_eq!(on.suppressed.len(), off.suppressed.len(), "{name}: the pre-pass changed the suppressions");
    off
}

const KIOSK: &str = "pub struct PrintServer { queue: Mutex<VecDeque<Image>>, printer: Printer }
impl PrintServer {
    pub fn print_for(&self, card: CardId) -> Result<(), PrintError> {
        let img = helpers::next_image(&self.queue).ok_or(PrintError::Empty)?;
        self.printer.print(&img.pdf)
    }
}
";
const HELPERS: &str = "pub(crate) fn next_image(queue: &Mutex<VecDeque<Image>>) -> Option<Image> {
    queue.lock().unwrap().pop_front()
}
";
/// Unparsable, and nothing a finding could come from: skipped with the pre-pass.
const BROKEN: &str = "pub fn add(a: u32, b: u32) -> u32 { let c = ; a + b }\n";

// The pre-pass must follow a call chain into a file with no requester word at all.
#[test]
fn prefilter_keeps_a_seedless_helper_on_a_call_chain() {
    let srcs = crate_of(&[("lib.rs", KIOSK), ("helpers.rs", HELPERS), ("math.rs", BROKEN)]);
    let off = same_with_and_without("seedless helper", &srcs);
    assert_eq!(off.findings.len(), 1, "{:?}", off.findings);
    assert!(lint(&srcs, true, 1).errors.is_empty(), "math.rs was parsed, so the pre-pass skipped nothing");
}

// `first()` is a take only when the field's type, defined in another (seedless) file,
// says queue; without that file the finding would vanish.
#[test]
fn prefilter_keeps_the_struct_typing_a_queue_field() {
    let counter = "impl Counter {
    pub fn show(&self, resident: &ResidentId, screen: &mut Screen) {
        let first = self.pending.first();
        if let Some(cert) = first { screen.render(&cert.text); }
    }
}
";
    let types = "pub struct Counter { pending: Vec<Certificate> }\npub struct Certificate { pub issued_to: ResidentId, pub text: String }\n";
    let srcs = crate_of(&[("counter.rs", counter), ("types.rs", types), ("math.rs", BROKEN)]);
    let off = same_with_and_without("queue field type", &srcs);
    assert_eq!(off.findings.len(), 1, "{:?}", off.findings);
}

// A same-named method in an unrelated file makes an untyped call ambiguous (no
// finding); skipping that file would make the call resolve and invent a finding.
#[test]
fn prefilter_keeps_a_namesake_that_makes_a_call_ambiguous() {
    let kiosk = "impl Kiosk {
    pub fn print_for(&self, card: CardId) {
        let spool = spool_of();
        let img = spool.next_image();
        self.printer.print(&img);
    }
}
";
    let spool = "impl Spool { pub fn next_image(&self) -> Option<Image> { self.queue.lock().unwrap().pop_front() } }\n";
    let other = "impl Gallery { pub fn next_image(&self) -> u8 { 1 } }\n";
    let unique = crate_of(&[("kiosk.rs", kiosk), ("spool.rs", spool)]);
    assert_eq!(same_with_and_without("unique", &unique).findings.len(), 1, "the control case must find it");
    let ambiguous = crate_of(&[("kiosk.rs", kiosk), ("spool.rs", spool), ("gallery.rs", other)]);
    assert!(same_with_and_without("ambiguous", &ambiguous).findings.is_empty());
}

// A caller in a seedless file makes a per-requester fn's return no output of its own.
#[test]
fn prefilter_keeps_a_seedless_caller() {
    let take =
        "pub fn next_for(user: u64, q: &Mutex<VecDeque<Item>>) -> Option<Item> { q.lock().unwrap().pop_front() }\n";
    let caller = "fn run(q: &Mutex<VecDeque<Item>>) { let _ = next_for(1, q); }\n";
    let alone = crate_of(&[("take.rs", take)]);
    assert_eq!(same_with_and_without("no caller", &alone).findings.len(), 1, "the control case must find it");
    let called = crate_of(&[("take.rs", take), ("main.rs", caller)]);
    assert!(same_with_and_without("caller", &called).findings.is_empty());
}

// A suppression in a file nothing else needs still gets its unused-suppression warning.
#[test]
fn prefilter_keeps_a_seedless_suppression() {
    let stale = "// pairlint: allow(PL001) the queue is gone\nfn tidy(v: &mut Vec<u8>) { v.clear(); }\n";
    let srcs = crate_of(&[("lib.rs", KIOSK), ("helpers.rs", HELPERS), ("stale.rs", stale)]);
    let off = same_with_and_without("stale suppression", &srcs);
    assert!(off.findings.iter().any(|f| f.rule == "unused-suppression" || f.message.contains("suppresses nothing")));
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
    paths.push(root().join("crates/pairlint-reference/src"));
    paths.push(root().join("src"));
    for name in ["pairlint-base", "pairlint-syntax", "pairlint-analysis"] {
        paths.push(root().join("crates").join(name).join("src"));
    }
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
