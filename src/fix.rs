//! `--add-suppressions REASON`: writes a `// pairlint: allow(PL00N) REASON` line above
//! the primary line of every reported finding, for adopting pairlint on a codebase
//! whose existing findings are accepted for now. Every edit is checked before it is
//! written: the file still parses and each new comment covers its finding.

use crate::atomic::write_atomic;
use crate::config::is_rule_code;
use crate::engine::Report;
use crate::extract;
use crate::suppress;
use crate::vocab::Vocabulary;
use rustc_lexer::{FrontmatterAllowed, TokenKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What `add_suppressions` did, one line per change or refusal, for stderr.
#[derive(Debug, Default)]
pub struct FixOutcome {
    pub added: Vec<String>,
    pub skipped: Vec<String>,
    pub files_changed: usize,
}

/// A reason must be one non-empty line of printable text: it becomes the rest of a
/// line comment.
pub fn validate_reason(reason: &str) -> Result<(), String> {
    if reason.trim().is_empty() {
        return Err("--add-suppressions needs a reason (why these findings are accepted)".into());
    }
    if reason.contains(['\n', '\r']) {
        return Err("--add-suppressions: the reason must be a single line".into());
    }
    if reason.chars().any(char::is_control) {
        return Err("--add-suppressions: the reason contains control characters".into());
    }
    Ok(())
}

/// Adds suppression comments for the findings of `report`. Files are read from
/// `root.join(path)` and must still hold the text that was linted.
pub fn add_suppressions(report: &Report, root: &Path, reason: &str, vocab: &Vocabulary) -> FixOutcome {
    let mut outcome = FixOutcome::default();
    let mut by_file: BTreeMap<&PathBuf, BTreeMap<u32, BTreeSet<&'static str>>> = BTreeMap::new();
    for f in &report.findings {
        let shown = crate::output::path_string(&f.location.file);
        if !is_rule_code(f.rule) {
            outcome.skipped.push(format!(
                "{shown}:{}: {} is not a rule a comment can allow; fix it by hand",
                f.location.span.line, f.rule
            ));
            continue;
        }
        by_file.entry(&f.location.file).or_default().entry(f.location.span.line).or_default().insert(f.rule);
    }
    for (file, lines) in by_file {
        let shown = crate::output::path_string(file);
        let Some(linted) = report.sources.get(file) else {
            outcome.skipped.push(format!("{shown}: its text is not available; left unchanged"));
            continue;
        };
        match fix_file(&root.join(file), file, linted, &lines, reason, vocab, &mut outcome) {
            Ok(true) => outcome.files_changed += 1,
            Ok(false) => {}
            Err(e) => outcome.skipped.push(format!("{shown}: {e}; left unchanged")),
        }
    }
    outcome
}

/// Edits one file. Ok(false) when nothing needed adding.
fn fix_file(
    disk_path: &Path,
    file: &Path,
    linted: &str,
    lines: &BTreeMap<u32, BTreeSet<&'static str>>,
    reason: &str,
    vocab: &Vocabulary,
    outcome: &mut FixOutcome,
) -> Result<bool, String> {
    let shown = crate::output::path_string(file);
    let bytes = std::fs::read(disk_path).map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest.to_string()),
        None => ("", text),
    };
    if text != linted {
        return Err("changed since it was linted".into());
    }
    let starts = line_starts(&text);
    let tokens = tokens(&text);
    let (existing, _) = suppress::scan(&text);
    let crlf_file = text.contains("\r\n");
    // (offset, inserted text, finding line in the original text).
    let mut inserts: Vec<(usize, String, u32)> = Vec::new();
    for (&line, rules) in lines {
        let Some(&start) = starts.get(line.saturating_sub(1) as usize) else {
            outcome.skipped.push(format!("{shown}:{line}: no such line"));
            continue;
        };
        if let Some(kind) = inside_token(&tokens, start) {
            outcome.skipped.push(format!(
                "{shown}:{line} ({}): the line starts inside {kind}, where a comment would be text; suppress it by hand",
                join(rules)
            ));
            continue;
        }
        // Rules already allowed by the directive lines right above (kept, not repeated).
        let mut above: BTreeSet<&str> = BTreeSet::new();
        let mut l = line - 1;
        while l >= 1 {
            let Some(c) = existing.iter().find(|c| c.line == l && c.own_line && whole_line(&text, &starts, c)) else {
                break;
            };
            above.extend(c.rules.iter().map(String::as_str));
            l -= 1;
        }
        let missing: Vec<&str> = rules.iter().copied().filter(|r| !above.contains(r)).collect();
        if missing.is_empty() {
            outcome.skipped.push(format!("{shown}:{line}: already has a suppression for {}", join(rules)));
            continue;
        }
        let line_text = &text[start..starts.get(line as usize).copied().unwrap_or(text.len())];
        let indent: String = line_text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let eol = if line_text.ends_with("\r\n") || (!line_text.ends_with('\n') && crlf_file) { "\r\n" } else { "\n" };
        let comment = format!("{indent}// pairlint: allow({}) {reason}{eol}", missing.join(", "));
        inserts.push((start, comment, line));
    }
    if inserts.is_empty() {
        return Ok(false);
    }
    let mut edited = text.clone();
    for (offset, comment, _) in inserts.iter().rev() {
        edited.insert_str(*offset, comment);
    }
    verify(file, &text, &edited, &inserts, vocab)?;
    let mut out = String::with_capacity(bom.len() + edited.len());
    out.push_str(bom);
    out.push_str(&edited);
    write_atomic(disk_path, out.as_bytes()).map_err(|e| format!("cannot write: {e}"))?;
    for (_, comment, line) in &inserts {
        outcome.added.push(format!("{shown}:{line}: added `{}`", comment.trim()));
    }
    Ok(true)
}

/// The edit must keep a parsing file parsing, and every new comment must be a
/// directive that covers its finding's (shifted) line.
fn verify(
    file: &Path,
    before: &str,
    after: &str,
    inserts: &[(usize, String, u32)],
    vocab: &Vocabulary,
) -> Result<(), String> {
    // Every item, test code included: a finding may be in a test (`--include-tests`).
    let all = extract::ExtractOptions { include_tests: true, test_file: false };
    let parsed_before = extract::extract_file_with(file, before, vocab, all).is_ok();
    let items = match extract::extract_file_with(file, after, vocab, all) {
        Ok(facts) => facts.item_lines,
        Err(e) if parsed_before => {
            return Err(format!("the edit would not parse ({}:{}: {})", e.line, e.column, e.message));
        }
        Err(_) => Vec::new(),
    };
    let (found, _) = suppress::scan(after);
    for (i, (_, _, line)) in inserts.iter().enumerate() {
        // `i` comments were inserted above this one's line, which moves by i + 1.
        let comment_line = line + i as u32;
        let finding_line = comment_line + 1;
        let covers = found.iter().any(|c| {
            c.line == comment_line && {
                let (lo, hi) = suppress::covered_lines_in(after, c, &items);
                (lo..=hi).contains(&finding_line)
            }
        });
        if !covers {
            return Err(format!("the comment for line {line} would not cover it"));
        }
    }
    Ok(())
}

fn join(rules: &BTreeSet<&str>) -> String {
    rules.iter().copied().collect::<Vec<_>>().join(", ")
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&s| s < text.len() || s == 0)
        .collect()
}

/// A directive comment that is all that its line holds (besides indentation).
fn whole_line(text: &str, starts: &[usize], c: &suppress::SuppressionComment) -> bool {
    let end = starts.get(c.line as usize).copied().unwrap_or(text.len());
    text.get(c.byte_end..end).is_some_and(|rest| rest.trim().is_empty())
}

/// Tokens as (start, end, kind).
fn tokens(text: &str) -> Vec<(usize, usize, TokenKind)> {
    let mut pos = 0;
    rustc_lexer::tokenize(text, FrontmatterAllowed::No)
        .map(|t| {
            let start = pos;
            pos += t.len as usize;
            (start, pos, t.kind)
        })
        .collect()
}

/// What a token running across `offset` (a line start) is, when a comment inserted
/// there would not be a comment: a string literal or a block comment.
fn inside_token(tokens: &[(usize, usize, TokenKind)], offset: usize) -> Option<&'static str> {
    let i = tokens.partition_point(|(start, _, _)| *start < offset);
    let (start, end, kind) = tokens.get(i.checked_sub(1)?)?;
    if !(*start < offset && offset < *end) {
        return None;
    }
    match kind {
        TokenKind::Whitespace => None,
        TokenKind::BlockComment { .. } => Some("a block comment"),
        TokenKind::Literal { .. } => Some("a string literal"),
        _ => Some("a token"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_must_be_one_printable_line() {
        assert!(validate_reason("legacy, tracked in #12").is_ok());
        assert!(validate_reason("  ").is_err());
        assert!(validate_reason("a\nb").is_err());
        assert!(validate_reason("a\rb").is_err());
        assert!(validate_reason("a\u{1b}[31m").is_err());
    }

    #[test]
    fn line_starts_inside_strings_and_block_comments_are_found() {
        let text = "let a = \"x\ny\";\nlet b = r#\"\nz\"#;\n/* c\nd */ let e = 1;\nlet f = 2;\n";
        let toks = tokens(text);
        let starts = line_starts(text);
        let kinds: Vec<_> = starts.iter().map(|&s| inside_token(&toks, s)).collect();
        assert_eq!(
            kinds,
            vec![None, Some("a string literal"), None, Some("a string literal"), None, Some("a block comment"), None]
        );
    }
}
