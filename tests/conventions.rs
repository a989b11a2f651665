//! Project conventions that no compiler checks: every rule documented in the same
//! shape, listed in the README, covered by positive and negative fixtures, and
//! reporting messages in one style.

mod common;
use common::rs_files;
use pairlint::config::Config;
use pairlint::engine::{lint_crate, SourceFile};
use pairlint::finding::Severity;
use pairlint::rules::RULES;
use pairlint::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn level_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The headings every rule doc has, in this order.
const HEADINGS: &[&str] =
    &["## What it does", "## Why is this bad?", "## Example", "## Configuration", "## Known limitations"];

// Codes are how users configure and suppress rules; two rules sharing one would be ambiguous.
#[test]
fn rule_codes_and_names_are_unique_and_well_formed() {
    let codes: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
    let names: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
    assert_eq!(codes.len(), RULES.len(), "duplicate rule code");
    assert_eq!(names.len(), RULES.len(), "duplicate rule name");
    for (i, r) in RULES.iter().enumerate() {
        assert_eq!(r.code, format!("PL{:03}", i + 1), "codes are PL001.. in registry order");
        assert!(
            !r.name.is_empty() && r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: name `{}` is kebab-case",
            r.code,
            r.name
        );
        assert!(!r.summary.is_empty(), "{} has a summary", r.code);
    }
    // Precedence decides which rule claims a flow first: a tie would make that depend
    // on code order by accident.
    let precedences: BTreeSet<u32> = RULES.iter().map(|r| r.precedence).collect();
    assert_eq!(precedences.len(), RULES.len(), "two rules share a precedence");
    // The config and suppression parsers accept exactly the registered codes.
    assert_eq!(pairlint::config::rule_codes().into_iter().collect::<BTreeSet<_>>(), codes);
}

// `explain` prints these files, so each must describe its rule in the agreed shape and agree with the registry.
#[test]
fn rule_docs_have_title_level_and_headings() {
    let mut problems = Vec::new();
    for r in RULES {
        let path = root().join("rules").join(format!("{}.md", r.code));
        let text = read(&path);
        assert_eq!(r.doc, text, "{}: the registry embeds rules/{}.md", r.code, r.code);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let title = format!("# {} {}", r.code, r.name);
        if lines.first() != Some(&title.as_str()) {
            problems.push(format!("{}: first line should be `{title}`, is {:?}", r.code, lines.first()));
        }
        let level = format!("Default level: {}", level_word(r.default_severity));
        if !lines.contains(&level.as_str()) {
            problems.push(format!("{}: missing line `{level}`", r.code));
        }
        let mut last = 0;
        for h in HEADINGS {
            match lines.iter().position(|l| l == h) {
                None => problems.push(format!("{}: missing heading `{h}`", r.code)),
                Some(at) if at < last => problems.push(format!("{}: heading `{h}` out of order", r.code)),
                Some(at) => last = at,
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Fixture cases of a rule directory: (case name, its .rs files).
fn cases(rule_dir: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(rule_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", rule_dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if entry.is_dir() {
            out.push((name, rs_files(&entry)));
        } else if entry.extension().is_some_and(|x| x == "rs") {
            out.push((name.trim_end_matches(".rs").to_string(), vec![entry]));
        }
    }
    out
}

// A rule without positive and negative fixtures is neither shown to fire nor shown to stay quiet.
#[test]
fn each_rule_has_positive_and_negative_fixtures() {
    let mut problems = Vec::new();
    for r in RULES {
        let dir = root().join("fixtures").join(r.code);
        if !dir.is_dir() {
            problems.push(format!("{}: no directory fixtures/{}", r.code, r.code));
            continue;
        }
        let cases = cases(&dir);
        for prefix in ["pos_", "neg_"] {
            if !cases.iter().any(|(name, _)| name.starts_with(prefix)) {
                problems.push(format!("{}: no {prefix} case in fixtures/{}", r.code, r.code));
            }
        }
        for (name, files) in &cases {
            if !(name.starts_with("pos_") || name.starts_with("neg_")) {
                problems.push(format!("{}: case `{name}` is neither pos_ nor neg_", r.code));
            }
            if files.is_empty() {
                problems.push(format!("{}: case `{name}` has no .rs file", r.code));
            }
            // A positive case must expect its own rule somewhere; a negative case must not.
            let marker = format!("//~ {}", r.code);
            let expects_own = files.iter().any(|f| read(f).contains(&marker));
            if name.starts_with("pos_") && !expects_own {
                problems.push(format!("{}: positive case `{name}` has no `{marker}`", r.code));
            }
            if name.starts_with("neg_") && expects_own {
                problems.push(format!("{}: negative case `{name}` expects `{marker}`", r.code));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// Messages follow rustc/clippy style (lowercase start, no trailing period) so output reads consistently.
#[test]
fn finding_messages_are_lowercase_without_trailing_period() {
    let vocab = Vocabulary::default();
    let config = Config::default();
    let mut checked = 0;
    let mut problems = Vec::new();
    for r in RULES {
        for (name, files) in cases(&root().join("fixtures").join(r.code)) {
            if !name.starts_with("pos_") {
                continue;
            }
            let sources: Vec<SourceFile> = files
                .iter()
                .map(|p| SourceFile { path: p.strip_prefix(root()).unwrap().to_path_buf(), text: read(p) })
                .collect();
            let report = lint_crate(&sources, &config, &vocab);
            for f in &report.findings {
                checked += 1;
                let m = &f.message;
                let where_ = format!("{}:{} {}", f.location.file.display(), f.location.span.line, f.rule);
                match m.chars().next() {
                    None => problems.push(format!("{where_}: empty message")),
                    Some(c) if c.is_uppercase() => problems.push(format!("{where_}: starts uppercase: {m:?}")),
                    _ => {}
                }
                if m.ends_with('.') {
                    problems.push(format!("{where_}: ends with a period: {m:?}"));
                }
                if m.trim() != m || m.contains('\n') {
                    problems.push(format!("{where_}: stray whitespace or newline: {m:?}"));
                }
            }
        }
    }
    assert!(checked >= RULES.len(), "the positive fixtures produced only {checked} findings");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The README table row a rule must have: `| PL001 | head-of-queue-for-requester | error | `,
/// followed by a non-empty summary cell and a closing `|`.
fn readme_row_prefix(code: &str, name: &str, level: &str) -> String {
    format!("| {code} | {name} | {level} | ")
}

// The README rules table is what newcomers read first; it must list every rule with its real level.
#[test]
fn readme_lists_every_rule() {
    let path = root().join("README.md");
    assert!(path.exists(), "README.md is missing");
    let text = read(&path);
    let mut problems = Vec::new();
    for r in RULES {
        let prefix = readme_row_prefix(r.code, r.name, level_word(r.default_severity));
        let row = text.lines().map(str::trim).find(|l| l.starts_with(&prefix));
        match row {
            None => problems.push(format!("README.md has no row starting `{prefix}`")),
            Some(row) => {
                let rest = &row[prefix.len()..];
                let summary = rest.strip_suffix('|').map(str::trim);
                if summary.is_none_or(|s| s.is_empty() || s.contains('|')) {
                    problems.push(format!("README.md row for {} lacks a summary cell: `{row}`", r.code));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The crates below `cargo-pairlint` and the syntax crates none of them may reach.
/// "Analysis never sees syntax" and "the reference service does not depend on the
/// linter" are properties of the dependency graph; `cargo tree` (all edge kinds, dev
/// and build included) is what checks them.
#[test]
fn crate_graph_keeps_syntax_out_of_the_analysis_and_the_linter_out_of_the_service() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = |package: &str| -> BTreeSet<String> {
        let out = std::process::Command::new(&cargo)
            .args(["tree", "--offline", "--prefix", "none", "--format", "{p}", "-e", "all", "-p", package])
            .current_dir(root())
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "cargo tree -p {package}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .map(str::to_string)
            .collect()
    };
    let analysis = tree("pairlint-analysis");
    assert!(analysis.contains("pairlint-base"), "the tree was read: {analysis:?}");
    for syntax in ["syn", "quote", "proc-macro2", "ra-ap-rustc_lexer", "pairlint-syntax"] {
        assert!(!analysis.contains(syntax), "pairlint-analysis reaches {syntax}: {analysis:?}");
    }
    let reference = tree("pairlint-reference");
    for linter in ["pairlint-base", "pairlint-syntax", "pairlint-analysis", "cargo-pairlint"] {
        assert!(!reference.contains(linter), "pairlint-reference depends on {linter}");
    }
}
