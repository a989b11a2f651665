//! Metamorphic suite: semantics-preserving rewrites of every fixture case and of the
//! reference service must leave the findings unchanged (same rules, same lines once
//! the rewrite's line shift is applied). The rewriters live in `tests/metamorphic/`,
//! each a `fn(&Case) -> Option<Rewritten>` that edits source text at syn spans, so
//! every untouched line keeps its text and the line map stays exact.
//!
//! The analysis does not pass all of them today. `tests/metamorphic/known_differences.txt`
//! lists every (rewrite, case) pair that differs; the test fails on a pair that differs
//! and is not listed (a regression) and on a listed pair that no longer differs (an
//! improvement: take it off the list). To rewrite the list from today's results:
//!
//! ```sh
//! PAIRLINT_BLESS=1 cargo test --test metamorphic
//! ```
//!
//! To read what a rewrite produced, `PAIRLINT_META_DUMP=DIR` writes every rewritten
//! case under `DIR/<rewrite>/<case>/`.

// The rewriters, in `tests/metamorphic/` (an inline module, so its files sit in the
// directory named after this test).
mod common;

mod metamorphic {
    pub mod base;
    pub mod cases;
    pub mod helpers;
    pub mod items;
    pub mod locks;
    pub mod rename;
    pub mod shapes;
    pub mod sql;
}

use metamorphic::base::{Case, Rewrite, Rewritten};
use metamorphic::{cases, helpers, items, locks, rename, shapes, sql};
use pairlint::engine::{lint_crate, SourceFile};
use pairlint::vocab::Vocabulary;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every rewrite, with the fewest cases it must apply to: about four fifths of what it
/// applies to today (never under 3), so a fixture can be added or reworded without
/// touching this table, but a rewriter that silently stops matching (a fixture
/// reworded, a syn upgrade) fails instead of passing vacuously.
const REWRITES: &[Rewrite] = &[
    Rewrite { name: "lock-expect", apply: locks::lock_expect, min_cases: 50 },
    Rewrite { name: "lock-into-inner", apply: locks::lock_into_inner, min_cases: 50 },
    Rewrite { name: "lock-map-err", apply: locks::lock_map_err, min_cases: 21 },
    Rewrite { name: "lock-parking-lot", apply: locks::lock_parking_lot, min_cases: 47 },
    Rewrite { name: "check-into-bound-block", apply: shapes::check_into_bound_block, min_cases: 8 },
    Rewrite { name: "match-guard-then-bind", apply: shapes::match_guard_then_bind, min_cases: 3 },
    Rewrite { name: "arc-state-by-value", apply: shapes::arc_state_by_value, min_cases: 6 },
    Rewrite { name: "rename-locals", apply: rename::rename_locals, min_cases: 72 },
    Rewrite { name: "rename-fields", apply: rename::rename_fields, min_cases: 83 },
    Rewrite { name: "unused-method-collect", apply: items::unused_method_collect, min_cases: 84 },
    Rewrite { name: "unused-method-next", apply: items::unused_method_next, min_cases: 84 },
    Rewrite { name: "unused-method-count", apply: items::unused_method_count, min_cases: 84 },
    Rewrite { name: "unused-method-take", apply: items::unused_method_take, min_cases: 84 },
    Rewrite { name: "extract-helper-same-file", apply: helpers::extract_helper_same_file, min_cases: 22 },
    Rewrite { name: "extract-helper-module", apply: helpers::extract_helper_child_module, min_cases: 20 },
    Rewrite { name: "inline-helper", apply: helpers::inline_helper, min_cases: 8 },
    Rewrite { name: "reorder-items", apply: items::reorder_items, min_cases: 84 },
    Rewrite { name: "reorder-methods", apply: items::reorder_methods, min_cases: 7 },
    Rewrite { name: "split-types-module", apply: items::split_types_module, min_cases: 84 },
    Rewrite { name: "split-code-module", apply: items::split_code_module, min_cases: 84 },
    Rewrite { name: "extract-query-helper", apply: sql::extract_query_helper, min_cases: 9 },
    Rewrite { name: "owner-predicate-to-check", apply: sql::owner_predicate_to_check, min_cases: 3 },
];

const KNOWN: &str = "tests/metamorphic/known_differences.txt";

/// What a lint run said, as comparable keys: findings `(file, line, rule)` and file
/// errors `(file, line)`.
#[derive(Default)]
struct Outcome {
    findings: BTreeSet<(PathBuf, u32, String)>,
    errors: BTreeSet<(PathBuf, u32)>,
}

fn lint(files: &[SourceFile]) -> Outcome {
    let report = lint_crate(files, &common::fixture_config(files), &Vocabulary::default());
    Outcome {
        findings: report
            .findings
            .iter()
            .map(|f| (f.location.file.clone(), f.location.span.line, f.rule.to_string()))
            .collect(),
        errors: report.errors.iter().map(|e| (e.file.clone(), e.line)).collect(),
    }
}

/// How the rewritten case's outcome differs from the original's moved through the
/// line map: findings lost (named by their original place), findings gained (by their
/// new place), and file errors that changed.
#[derive(Debug, Default)]
struct Diff {
    lost: Vec<String>,
    gained: Vec<String>,
    errors: Option<String>,
}

impl Diff {
    /// One line for the known-differences list, or `None` when nothing differs.
    fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.lost.is_empty() {
            parts.push(format!("lost {}", self.lost.join(",")));
        }
        if !self.gained.is_empty() {
            parts.push(format!("gained {}", self.gained.join(",")));
        }
        parts.extend(self.errors.clone());
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

fn difference(before: &Outcome, rewritten: &Rewritten, after: &Outcome) -> Diff {
    let short = |f: &Path| f.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let mut moved = BTreeSet::new();
    let mut diff = Diff::default();
    for (file, line, rule) in &before.findings {
        let (new_file, new_line) = rewritten.map.map(file, *line);
        let key = (new_file, new_line, rule.clone());
        if !after.findings.contains(&key) {
            diff.lost.push(format!("{rule}@{}:{line}", short(file)));
        }
        moved.insert(key);
    }
    diff.gained = after
        .findings
        .difference(&moved)
        .map(|(file, line, rule)| format!("{rule}@{}:{line}(new)", short(file)))
        .collect();
    let moved_errors: BTreeSet<(PathBuf, u32)> = before.errors.iter().map(|(f, l)| rewritten.map.map(f, *l)).collect();
    if moved_errors != after.errors {
        diff.errors = Some(format!("file errors {} -> {}", before.errors.len(), after.errors.len()));
    }
    diff
}

/// `(rewrite, case)` pairs of the checked-in list.
fn known_differences(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let rewrite = words.next().unwrap().to_string();
            let case = words.next().unwrap_or_else(|| panic!("{KNOWN}: no case path in `{l}`")).to_string();
            (rewrite, case)
        })
        .collect()
}

fn render_known(found: &BTreeMap<(String, String), String>) -> String {
    let mut out = String::from(
        "# (rewrite, case) pairs whose findings differ today after a semantics-preserving\n\
         # rewrite: rewrite name, case, what differed (`lost RULE@file:line` at the original\n\
         # line; `gained RULE@file:line(new)` at the line in the rewritten code).\n\
         # Checked both ways by tests/metamorphic.rs. Regenerate with:\n\
         #   PAIRLINT_BLESS=1 cargo test --test metamorphic\n",
    );
    for ((rewrite, case), what) in found {
        out.push_str(&format!("{rewrite} {case} {what}\n"));
    }
    out
}

fn dump(dir: PathBuf, rewritten: &Rewritten) {
    for f in &rewritten.files {
        let path = dir.join(f.path.file_name().unwrap());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(path, &f.text).unwrap();
    }
}

#[test]
fn rewrites_preserve_findings() {
    let started = std::time::Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases: Vec<Case> = cases::all();
    assert!(cases.len() >= 80, "expected every fixture case and both reference variants, found {}", cases.len());

    let mut broken = Vec::new();
    let mut found: BTreeMap<(String, String), String> = BTreeMap::new();
    // Per rewrite: cases it applied to, differed on, lost findings on, gained them
    // on; findings in the cases it applied to, and how many of them it lost.
    let mut stats = vec![[0usize; 6]; REWRITES.len()];
    let mut checked = 0;
    for case in &mut cases {
        let before = lint(&case.files);
        // Every rewrite of the case first, then the lints: the parsed trees are shared
        // by the rewrites and must not outlive them (see `base::parse_all`).
        let rewritten: Vec<Option<Rewritten>> = REWRITES.iter().map(|r| (r.apply)(case)).collect();
        case.parsed.take();
        for ((rewrite, stat), rewritten) in REWRITES.iter().zip(&mut stats).zip(rewritten) {
            let Some(rewritten) = rewritten else { continue };
            stat[0] += 1;
            checked += 1;
            // A rewrite that does not parse is a bug in the rewriter, never a finding.
            for f in &rewritten.files {
                if let Err(e) = syn::parse_file(&f.text) {
                    broken.push(format!("{} on {}: {} does not parse: {e}", rewrite.name, case.name, f.path.display()));
                }
            }
            if let Some(dir) = std::env::var_os("PAIRLINT_META_DUMP") {
                dump(Path::new(&dir).join(rewrite.name).join(&case.name), &rewritten);
            }
            let after = lint(&rewritten.files);
            let diff = difference(&before, &rewritten, &after);
            stat[4] += before.findings.len();
            stat[5] += diff.lost.len();
            if let Some(what) = diff.describe() {
                stat[1] += 1;
                stat[2] += usize::from(!diff.lost.is_empty());
                stat[3] += usize::from(!diff.gained.is_empty());
                found.insert((rewrite.name.to_string(), case.name.clone()), what);
            }
        }
    }
    let mut per_rewrite = Vec::new();
    for (rewrite, [applied, differing, losing, gaining, findings, lost]) in REWRITES.iter().zip(&stats) {
        if *applied < rewrite.min_cases {
            broken.push(format!(
                "{} applied to {applied} cases, fewer than {}: has it stopped matching?",
                rewrite.name, rewrite.min_cases
            ));
        }
        per_rewrite.push(format!(
            "  {:<24} applied to {applied:>3} cases, {differing:>3} differ: {losing} lose findings ({lost} of their \
             {findings} findings lost), {gaining} gain findings",
            rewrite.name
        ));
    }

    // Written straight to stderr, past the test harness's capture, so the headline
    // figures show in every run's output.
    let _ = writeln!(
        std::io::stderr(),
        "metamorphic: {} rewrites, {} cases, {checked} (rewrite, case) pairs checked, {} differing ({:.1} s)\n{}",
        REWRITES.len(),
        cases.len(),
        found.len(),
        started.elapsed().as_secs_f64(),
        per_rewrite.join("\n")
    );
    assert!(broken.is_empty(), "rewriter bugs:\n{}", broken.join("\n"));

    let known_path = root.join(KNOWN);
    if std::env::var_os("PAIRLINT_BLESS").is_some() {
        std::fs::write(&known_path, render_known(&found)).unwrap();
        return;
    }
    let known = known_differences(&std::fs::read_to_string(&known_path).unwrap_or_default());
    let now: BTreeSet<(String, String)> = found.keys().cloned().collect();
    let regressions: Vec<String> = now.difference(&known).map(|k| format!("  {} {} {}", k.0, k.1, found[k])).collect();
    let fixed: Vec<String> = known.difference(&now).map(|(r, c)| format!("  {r} {c}")).collect();
    assert!(
        regressions.is_empty() && fixed.is_empty(),
        "findings changed under semantics-preserving rewrites, against {KNOWN}\n\
         differing, not listed (regressions):\n{}\n\
         listed, no longer differing (improvements: remove them, or bless):\n{}\n\
         to accept today's results: PAIRLINT_BLESS=1 cargo test --test metamorphic",
        regressions.join("\n"),
        fixed.join("\n")
    );
}

#[test]
fn known_differences_list_reads_pairs_and_skips_comments() {
    let text = "# comment\n\nlock-map-err fixtures/PL001/a.rs lost PL001@a.rs:3\n  reorder-items reference/flawed gained PL003@flawed.rs:9(new)\n";
    let pairs: Vec<(String, String)> = known_differences(text).into_iter().collect();
    assert_eq!(
        pairs,
        [
            ("lock-map-err".to_string(), "fixtures/PL001/a.rs".to_string()),
            ("reorder-items".to_string(), "reference/flawed".to_string())
        ]
    );
    let mut found = BTreeMap::new();
    found.insert(pairs[0].clone(), "lost PL001@a.rs:3".to_string());
    assert_eq!(known_differences(&render_known(&found)).into_iter().collect::<Vec<_>>(), pairs[..1]);
}

#[test]
fn difference_compares_findings_after_the_line_shift() {
    let file = PathBuf::from("src/lib.rs");
    let before = Outcome { findings: [(file.clone(), 3, "PL001".to_string())].into(), errors: BTreeSet::new() };
    let mut map = metamorphic::base::LineMap::default();
    map.set_lines(&file, &[1, 2, 5, 6]);
    let rewritten = Rewritten { files: Vec::new(), map };
    let same = Outcome { findings: [(file.clone(), 5, "PL001".to_string())].into(), errors: BTreeSet::new() };
    assert_eq!(difference(&before, &rewritten, &same).describe(), None);
    let moved = Outcome { findings: [(file.clone(), 3, "PL001".to_string())].into(), errors: BTreeSet::new() };
    assert_eq!(
        difference(&before, &rewritten, &moved).describe().as_deref(),
        Some("lost PL001@lib.rs:3; gained PL001@lib.rs:3(new)")
    );
}
