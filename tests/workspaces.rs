//! Whole workspaces (issue #12): a crate is read with the workspace crates it depends on
//! by path, so a handler in `api` returning a note that a lookup in `db` fetched is one
//! flow. The workspaces under tests/workspaces carry inline `//~` expectations, checked
//! both ways; and the same handler linted without its dependency finds nothing, which
//! shows the finding comes from reading the crates together.

use pairlint::config::Config;
use pairlint::discover;
use pairlint::engine::{lint_crate, lint_discovery, SourceFile};
use pairlint::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workspaces").join(name)
}

/// (file relative to the workspace, line, rule) of every `//~` under `root`.
fn expectations(root: &Path) -> BTreeSet<(PathBuf, u32, String)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .flat_map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            pairlint::expect::expectations(&text).into_iter().map(move |(l, r)| (rel.clone(), l, r))
        })
        .collect()
}

#[test]
fn a_lookup_in_a_path_dependency_is_one_flow_with_its_handler() {
    let root = workspace("notes");
    let discovery = discover::discover_workspace(&root).expect("cargo metadata");
    let api = discovery.crates.iter().find(|c| c.name == "notes-api").expect("api unit");
    let db = discovery.crates.iter().position(|c| c.name == "notes-db").expect("db unit");
    assert_eq!(api.deps, vec![db], "api depends on db by path");
    assert_eq!(api.dep_names, vec!["db".to_string()], "db is named by its [lib] name");

    let report = lint_discovery(&discovery, &Config::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let found: BTreeSet<(PathBuf, u32, String)> =
        report.findings.iter().map(|f| (f.location.file.clone(), f.location.span.line, f.rule.to_string())).collect();
    let expected = expectations(&root);
    assert!(!expected.is_empty());
    assert_eq!(found, expected, "findings against the inline expectations");
    // Each file is linted once: db's files are context for api, not api's files.
    assert_eq!(report.files, 3);
    // The path inside the dependency is a label, quoted from db's file.
    let finding = &report.findings[0];
    assert!(finding.labels.iter().any(|l| l.location.file.starts_with("db")), "{:?}", finding.labels);
    assert!(report.sources.keys().any(|p| p.starts_with("db")), "the dependency's text is kept for quoting");
}

#[test]
fn the_same_handler_without_its_dependency_finds_nothing() {
    let root = workspace("notes");
    let file = root.join("api/src/lib.rs");
    let sources = vec![SourceFile { path: file.clone(), text: std::fs::read_to_string(&file).unwrap() }];
    let report = lint_crate(&sources, &Config::default(), &Vocabulary::default());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
