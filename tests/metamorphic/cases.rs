//! The inputs every rewrite is tried on: each fixture case (a single file or a
//! mini-crate) and both variants of the reference service, read from disk.

use super::base::Case;
use pairlint::engine::SourceFile;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Reads files into sources keyed by their path relative to the package, the form
/// findings report.
fn sources(paths: &[PathBuf]) -> Vec<SourceFile> {
    paths
        .iter()
        .map(|p| SourceFile {
            path: p.strip_prefix(manifest_dir()).unwrap().to_path_buf(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

fn fixture_cases() -> Vec<Case> {
    let root = manifest_dir().join("fixtures");
    let mut cases = Vec::new();
    let mut rule_dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    rule_dirs.sort();
    for dir in rule_dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            let name = entry.strip_prefix(manifest_dir()).unwrap().to_string_lossy().into_owned();
            if entry.is_dir() {
                let mut paths = Vec::new();
                rs_files(&entry, &mut paths);
                let files = sources(&paths);
                let root =
                    files.iter().position(|f| f.path.ends_with("src/lib.rs")).expect("mini-crate has src/lib.rs");
                let module_dir = files[root].path.parent().unwrap().to_path_buf();
                cases.push(Case { name, files, root, module_dir, parsed: OnceCell::new() });
            } else if entry.extension().is_some_and(|x| x == "rs") {
                let files = sources(&[entry]);
                // A single-file fixture is linted as a crate by itself, so it is a crate
                // root: its `mod x;` would be a sibling file.
                let module_dir = files[0].path.parent().unwrap().to_path_buf();
                cases.push(Case { name, files, root: 0, module_dir, parsed: OnceCell::new() });
            }
        }
    }
    cases
}

/// The reference service's directory: `src/reference` today, possibly
/// `crates/pairlint-reference/src` after the workspace split.
fn reference_dir() -> PathBuf {
    ["src/reference", "crates/pairlint-reference/src"]
        .iter()
        .map(|d| manifest_dir().join(d))
        .find(|d| d.join("flawed.rs").is_file())
        .expect("reference service sources (flawed.rs) not found")
}

/// Both variants linted as the demo lints them: the domain module plus the variant.
fn reference_cases() -> Vec<Case> {
    let dir = reference_dir();
    ["flawed", "fixed"]
        .iter()
        .map(|variant| {
            let files = sources(&[dir.join("domain.rs"), dir.join(format!("{variant}.rs"))]);
            // The variant is the module `reference::<variant>`, so its child modules
            // live in a directory named after it.
            let module_dir = files[1].path.with_extension("");
            Case { name: format!("reference/{variant}"), files, root: 1, module_dir, parsed: OnceCell::new() }
        })
        .collect()
}

pub fn all() -> Vec<Case> {
    let mut cases = fixture_cases();
    cases.extend(reference_cases());
    cases
}
