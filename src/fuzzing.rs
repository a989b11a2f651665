//! The fuzzing entry point, shared by the cargo-fuzz target (`fuzz/`) and the stable
//! replay example (`examples/fuzz_replay.rs`): arbitrary bytes through the whole
//! pipeline (lexer checks, parse, extraction, crate analysis, rules, every output format).
//!
//! Unlike the CLI, a caught panic is re-raised here: the fuzzer must see it. The
//! pre-pass is also checked differentially: with and without it, the findings must be
//! the same, since the pre-pass may only skip files that cannot matter.

use crate::config::Config;
use crate::engine::{lint_crate_with, RunOptions, SourceFile};
use crate::output::{self, HumanOptions};
use crate::vocab::Vocabulary;

/// Splits the input into files at this line, so cross-file analysis gets fuzzed too.
pub const FILE_SEPARATOR: &str = "\n//--- next file\n";

/// Lints `data` (as UTF-8, lossily) and panics on anything that breaks a contract.
pub fn check_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let sources: Vec<SourceFile> = text
        .split(FILE_SEPARATOR)
        .take(8)
        .enumerate()
        .map(|(i, t)| SourceFile { path: format!("f{i}.rs").into(), text: t.to_string() })
        .collect();
    let config = Config::default();
    let vocab = Vocabulary::default();
    let run = |jobs| {
        let opts = RunOptions { jobs, cache: None, overlay: None };
        lint_crate_with(&sources, &config, &vocab, &opts)
    };
    let report = run(1);
    if let Some(e) = report.errors.iter().find(|e| e.message.contains("internal error")) {
        panic!("{}: {}", e.file.display(), e.message);
    }
    let parallel = run(2);
    assert_eq!(report.findings, parallel.findings, "the worker count changed the findings");
    let json = output::json::render(&report);
    serde_json::from_str::<serde_json::Value>(&json).expect("JSON output parses");
    let human = output::human::render(&report, &HumanOptions::default());
    assert!(human.contains("pairlint: "), "human output has its summary");
    let sarif = output::sarif::render(&report);
    serde_json::from_str::<serde_json::Value>(&sarif).expect("SARIF output parses");
    // No line of an annotation stream may start a workflow command the report did not make.
    for line in output::github::render(&report).lines() {
        assert!(
            !line.starts_with("::")
                || line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "github output line {line:?}"
        );
    }
    let packages = output::rustc_json::Packages(vec![output::rustc_json::Package {
        name: "fuzz".into(),
        manifest_dir: ".".into(),
        files: sources.iter().map(|s| s.path.clone()).collect(),
    }]);
    for line in output::rustc_json::render_messages(&report, &packages, &HumanOptions::default()).lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each rustc-json line parses");
    }
    let code = output::exit_code(&report, false);
    assert!((0..=2).contains(&code));
}
