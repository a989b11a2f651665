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

/// The code of a rule doc's `## Example` section: the blocks before `Use instead:` show
/// what the rule flags, the blocks after it the fix.
#[derive(Debug, Default)]
struct DocExample {
    flagged: Vec<String>,
    fixed: Vec<String>,
}

fn doc_example(doc: &str) -> DocExample {
    let mut example = DocExample::default();
    let mut in_section = false;
    let mut after_fix_marker = false;
    let mut block: Option<String> = None;
    for line in doc.lines() {
        if let Some(code) = block.as_mut() {
            if line.trim_start().starts_with("```") {
                let code = block.take().unwrap_or_default();
                if after_fix_marker { &mut example.fixed } else { &mut example.flagged }.push(code);
            } else {
                code.push_str(line);
                code.push('\n');
            }
        } else if line.starts_with("## ") {
            in_section = line == "## Example";
        } else if in_section && line.trim_start().starts_with("```") {
            block = Some(String::new());
        } else if in_section && line.trim() == "Use instead:" {
            after_fix_marker = true;
        }
    }
    example
}

/// The messages a rule doc quotes as what its rule prints: its `> ` blockquote lines.
fn quoted_messages(doc: &str) -> Vec<&str> {
    doc.lines().filter_map(|line| line.strip_prefix("> ")).map(str::trim_end).collect()
}

// A doc's quoted message drifts silently when a rule's wording changes; linting the doc's
// own example keeps the page (what `explain` prints, what SARIF's help carries) honest.
#[test]
fn rule_docs_quote_what_their_examples_print() {
    let (config, vocab) = (Config::default(), Vocabulary::default());
    let mut problems = Vec::new();
    for r in RULES {
        let example = doc_example(r.doc);
        let quoted = quoted_messages(r.doc);
        if example.flagged.is_empty() || example.fixed.is_empty() || quoted.is_empty() {
            problems.push(format!(
                "{}: the doc needs a flagged example, a `Use instead:` example and a `> ` quoted message",
                r.code
            ));
            continue;
        }
        // Each block is linted on its own, as a one-file crate: the example must be complete.
        let lint = |code: &str, what: &str| {
            let path = PathBuf::from(format!("rules/{}.md ({what} example)", r.code));
            lint_crate(&[SourceFile { path, text: code.to_string() }], &config, &vocab)
        };
        let mut printed = BTreeSet::new();
        for code in &example.flagged {
            let report = lint(code, "flagged");
            if !report.errors.is_empty() || !report.findings.iter().any(|f| f.rule == r.code) {
                problems
                    .push(format!("{}: the flagged example gives no {} finding: {:?}", r.code, r.code, report.errors));
            }
            for f in &report.findings {
                printed.insert(f.message.clone());
                if f.rule != r.code {
                    problems.push(format!("{}: the flagged example also gives {}: {}", r.code, f.rule, f.message));
                } else if !quoted.contains(&f.message.as_str()) {
                    problems
                        .push(format!("{}: the doc does not quote what the example prints:\n> {}", r.code, f.message));
                }
            }
        }
        for quote in &quoted {
            if !printed.contains(*quote) {
                problems.push(format!("{}: the doc quotes a message its example does not print:\n> {quote}", r.code));
            }
        }
        for code in &example.fixed {
            let report = lint(code, "fixed");
            for f in &report.findings {
                problems.push(format!("{}: the fixed example gives {}: {}", r.code, f.rule, f.message));
            }
            for e in &report.errors {
                problems.push(format!("{}: the fixed example does not parse: {}", r.code, e.message));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
