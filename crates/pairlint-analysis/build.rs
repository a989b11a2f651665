//! Generates the rule registry from `src/rules/`: one `mod` per rule file and `RULES`,
//! each file's `static RULE`, sorted by code. A rule is declared once, in its file;
//! nothing else lists the rules. Reads only this crate's own files.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("src/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut rules: Vec<(String, String)> = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable directory entry").path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.extension().is_none_or(|x| x != "rs") || module == "mod" {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        // The code orders the registry; a rule file without a declaration is a build error.
        let code = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("code: \"").and_then(|rest| rest.split('"').next()))
            .unwrap_or_else(|| panic!("{} declares no `static RULE` with a `code: \"..\"` line", path.display()));
        rules.push((code.to_string(), module.to_string()));
    }
    rules.sort();
    let mut out = String::new();
    // Included from OUT_DIR, so each module names its file by absolute path.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    for (_, module) in &rules {
        let file = Path::new(&manifest_dir).join(dir).join(format!("{module}.rs"));
        writeln!(out, "#[path = {:?}]\nmod {module};", file.display().to_string()).unwrap();
    }
    out.push_str("\n/// Every rule, in code order (generated from the files of `src/rules/`).\npub static RULES: &[&Rule] = &[\n");
    for (_, module) in &rules {
        writeln!(out, "    &{module}::RULE,").unwrap();
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_registry.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
