//! Deterministic mutation test: every fixture and reference source, truncated at several
//! points and with single tokens deleted (fixed seeds, a bounded number per file), must
//! lint without a panic (caught or not), give valid JSON, render as human output and
//! keep the exit-code contract. Broken code is what pairlint sees mid-edit in editors
//! and in half-finished pull requests.

mod common;
use common::rs_files;
use pairlint::config::Config;
use pairlint::engine::{lint_crate, SourceFile};
use pairlint::output::{self, HumanOptions};
use pairlint::vocab::Vocabulary;
use std::path::{Path, PathBuf};

const TRUNCATIONS_PER_FILE: usize = 5;
const DELETIONS_PER_FILE: usize = 6;

/// A small, fixed pseudo-random sequence (64-bit LCG): the same mutants on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = rs_files(&root.join("fixtures"));
    files.extend(rs_files(&root.join("crates/pairlint-reference/src")));
    files.sort();
    files
}

/// Byte ranges of the significant tokens (no whitespace or comments).
fn token_ranges(text: &str) -> Vec<(usize, usize)> {
    use rustc_lexer::{tokenize, FrontmatterAllowed, TokenKind};
    let mut out = Vec::new();
    let mut pos = 0;
    for t in tokenize(text, FrontmatterAllowed::No) {
        let end = pos + t.len as usize;
        if !matches!(t.kind, TokenKind::Whitespace | TokenKind::LineComment { .. } | TokenKind::BlockComment { .. }) {
            out.push((pos, end));
        }
        pos = end;
    }
    out
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutants(text: &str, seed: u64) -> Vec<(String, String)> {
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    for i in 0..TRUNCATIONS_PER_FILE {
        let at = floor_char_boundary(text, rng.next(text.len() + 1));
        out.push((format!("truncated#{i} at byte {at}"), text[..at].to_string()));
    }
    let tokens = token_ranges(text);
    for i in 0..DELETIONS_PER_FILE.min(tokens.len()) {
        let (s, e) = tokens[rng.next(tokens.len())];
        out.push((format!("deletion#{i} of {:?} at byte {s}", &text[s..e]), format!("{}{}", &text[..s], &text[e..])));
    }
    out
}

// Every mutant must be linted or reported: no panic, valid JSON, exit code 0, 1 or 2.
#[test]
fn mutated_sources_never_crash() {
    let config = Config::default();
    let vocab = Vocabulary::default();
    let files = inputs();
    assert!(files.len() > 50, "found only {} inputs", files.len());
    let mut checked = 0;
    let mut problems = Vec::new();
    for (n, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        for (what, mutant) in mutants(&text, 0x5eed_0000 + n as u64) {
            let sources = vec![SourceFile { path: PathBuf::from("mutant.rs"), text: mutant }];
            let result = std::panic::catch_unwind(|| {
                let report = lint_crate(&sources, &config, &vocab);
                let json = output::json::render(&report);
                let human = output::human::render(&report, &HumanOptions::default());
                (report, json, human)
            });
            let where_ = format!("{} ({what})", path.display());
            let Ok((report, json, human)) = result else {
                problems.push(format!("{where_}: panicked"));
                continue;
            };
            checked += 1;
            if let Some(e) = report.errors.iter().find(|e| e.message.contains("internal error")) {
                problems.push(format!("{where_}: {}", e.message));
            }
            if serde_json::from_str::<serde_json::Value>(&json).is_err() {
                problems.push(format!("{where_}: invalid JSON"));
            }
            if !human.contains("pairlint: ") {
                problems.push(format!("{where_}: human output lacks its summary"));
            }
            let code = output::exit_code(&report, false);
            if !(0..=2).contains(&code) {
                problems.push(format!("{where_}: exit code {code}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(checked > 500, "only {checked} mutants checked");
}
