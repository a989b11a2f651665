//! The inputs every rewrite is tried on: each fixture case (a single file or a
//! mini-crate) and both variants of the reference service, read from disk.

use super::base::Case;
use crate::common;
use std::cell::OnceCell;

/// Every fixture case (tests/common enumerates them for every test binary), with its
/// crate root and the directory its `mod x;` items resolve in.
fn fixture_cases() -> Vec<Case> {
    common::fixture_cases()
        .into_iter()
        .map(|(case, paths)| {
            let name = case.to_string_lossy().into_owned();
            let files = common::relative_sources(&paths);
            if paths.len() == 1 && case.extension().is_some_and(|x| x == "rs") {
                // A single-file fixture is linted as a crate by itself, so it is a crate
                // root: its `mod x;` would be a sibling file.
                let module_dir = files[0].path.parent().unwrap().to_path_buf();
                return Case { name, files, root: 0, module_dir, parsed: OnceCell::new() };
            }
            let root = files
                .iter()
                .position(|f| f.path.ends_with("src/lib.rs"))
                .or_else(|| files.iter().position(|f| f.path.ends_with("src/main.rs")))
                .expect("mini-crate has src/lib.rs or src/main.rs");
            let module_dir = files[root].path.parent().unwrap().to_path_buf();
            Case { name, files, root, module_dir, parsed: OnceCell::new() }
        })
        .collect()
}

/// Both variants linted as the demo lints them: the domain module plus the variant.
fn reference_cases() -> Vec<Case> {
    let dir = common::manifest_dir().join("crates/pairlint-reference/src");
    ["flawed", "fixed"]
        .iter()
        .map(|variant| {
            let files = common::relative_sources(&[dir.join("domain.rs"), dir.join(format!("{variant}.rs"))]);
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
