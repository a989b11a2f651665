//! The pre-pass: one rustc_lexer pass per file decides whether the file can contribute
//! to any finding; files that cannot are not parsed by syn.
//!
//! Conservative by construction (a test proves it changes no finding):
//! - a **seed** file holds some ingredient a finding starts from: a requester word
//!   (identity, request name or type suffix), a timeout word or clock call, a handler
//!   attribute or extractor parameter type, or a `pairlint` comment;
//! - every file that **calls** a fn defined in a seed file is kept (whether a fn has
//!   callers decides whether its return value counts as an output);
//! - every file that **defines** a name (fn, type, static, const) mentioned by a kept
//!   file is kept, to a fixpoint: helpers, struct definitions and aliases are resolved
//!   by name, and a skipped definition could make an ambiguous call look unique.
//!
//! What is lost: a skipped file is not parsed, so its syntax errors are not reported.

use crate::lexcheck::NestingCounter;
use crate::vocab::Vocabulary;
use rustc_lexer::{tokenize, FrontmatterAllowed, TokenKind};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What the pre-pass learns of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Deepest nesting and the byte offset where it is reached (see [`crate::lexcheck`]).
    pub nesting: (usize, usize),
    /// The file holds an ingredient a finding can start from.
    pub seed: bool,
    /// Names of the fns, types, statics and consts it defines.
    pub defines: Vec<String>,
    /// Every identifier it mentions (sorted, distinct).
    pub mentions: Vec<String>,
    /// The first token-level error (unbalanced delimiter, unterminated literal or
    /// comment, a character Rust does not allow), with its byte offset: reported for a
    /// file that is skipped, since syn never sees it.
    pub syntax_error: Option<(usize, String)>,
}

/// Clock calls and timeout patterns the extractor recognises by exact name or
/// substring (see `extract::flow`), beyond the `timeout_words` vocabulary.
const CLOCK_NAMES: &[&str] = &["now", "sleep", "sleep_until", "tick", "interval", "timeout", "elapsed"];
const TIMEOUT_SUBSTRINGS: &[&str] = &["Timeout", "Elapsed", "TimedOut"];

/// Keywords after which the next identifier is a definition's name.
const DEFINING: &[&str] = &["fn", "struct", "enum", "union", "trait", "type", "static", "const"];

/// Lexes `text` once: nesting, seed ingredients, definitions and mentions.
pub fn scan(text: &str, vocab: &Vocabulary) -> Scan {
    let offset = rustc_lexer::strip_shebang(text).unwrap_or(0);
    let body = &text[offset..];
    let mut nesting = NestingCounter::new();
    let mut mentions: HashSet<&str> = HashSet::new();
    let mut defines: HashSet<&str> = HashSet::new();
    let mut attr_idents: HashSet<&str> = HashSet::new();
    let mut param_idents: HashSet<&str> = HashSet::new();

    let mut pos = 0usize;
    let mut depth = 0usize;
    // Significant tokens just before the current one: (kind, text).
    let mut prev: Option<(TokenKind, &str)> = None;
    let mut prev2: Option<(TokenKind, &str)> = None;
    let mut defining = false;
    // `#[` opened at this delimiter depth.
    let mut attr_depth: Option<usize> = None;
    // After `fn name`: waiting for its parameter list (Some(depth) once inside it).
    let mut awaiting_params = false;
    let mut params_depth: Option<usize> = None;
    // Angle brackets open in the generics between a fn's name and its parameters.
    let mut fn_angles = 0usize;

    let mut syntax_error: Option<(usize, String)> = None;
    let mut open: Vec<(TokenKind, usize)> = Vec::new();

    let mut tokens = tokenize(body, FrontmatterAllowed::No).peekable();
    while let Some(token) = tokens.next() {
        let start = pos;
        pos += token.len as usize;
        let kind = token.kind;
        nesting.token(kind, tokens.peek().map(|t| t.kind), offset + start);
        if syntax_error.is_none() {
            syntax_error = token_error(kind, start, &mut open).map(|m| (offset + start, m));
        }
        if matches!(kind, TokenKind::Whitespace | TokenKind::LineComment { .. } | TokenKind::BlockComment { .. }) {
            continue;
        }
        let tok = &body[start..pos];
        match kind {
            TokenKind::Ident | TokenKind::RawIdent => {
                let name = tok.trim_start_matches("r#");
                mentions.insert(name);
                if attr_depth.is_some() {
                    attr_idents.insert(name);
                }
                if params_depth.is_some() {
                    param_idents.insert(name);
                }
                if DEFINING.contains(&name) {
                    defining = true;
                } else if defining && !matches!(name, "ref" | "mut" | "unsafe" | "async" | "extern") {
                    defines.insert(name);
                    defining = false;
                    awaiting_params = prev.is_some_and(|(_, t)| t == "fn");
                    fn_angles = 0;
                }
            }
            TokenKind::OpenBracket if matches!(prev, Some((TokenKind::Pound, _))) => {
                depth += 1;
                attr_depth.get_or_insert(depth);
                defining = false;
            }
            TokenKind::OpenBracket
                if matches!(prev, Some((TokenKind::Bang, _))) && matches!(prev2, Some((TokenKind::Pound, _))) =>
            {
                depth += 1;
                attr_depth.get_or_insert(depth);
                defining = false;
            }
            TokenKind::OpenParen | TokenKind::OpenBrace | TokenKind::OpenBracket => {
                depth += 1;
                if kind == TokenKind::OpenParen && awaiting_params && fn_angles == 0 && params_depth.is_none() {
                    params_depth = Some(depth);
                }
                awaiting_params = awaiting_params && kind != TokenKind::OpenBrace;
                defining = false;
            }
            TokenKind::CloseParen | TokenKind::CloseBrace | TokenKind::CloseBracket => {
                if attr_depth == Some(depth) {
                    attr_depth = None;
                }
                if params_depth == Some(depth) {
                    params_depth = None;
                    awaiting_params = false;
                }
                depth = depth.saturating_sub(1);
                defining = false;
            }
            TokenKind::Semi => {
                awaiting_params = false;
                defining = false;
            }
            TokenKind::Lt if awaiting_params => fn_angles += 1,
            TokenKind::Gt if awaiting_params && !matches!(prev, Some((TokenKind::Minus, _))) => {
                fn_angles = fn_angles.saturating_sub(1);
            }
            TokenKind::Literal { .. } if defining => {
                // `extern "C" fn name`.
            }
            _ => defining = false,
        }
        prev2 = prev;
        prev = Some((kind, tok));
    }

    if syntax_error.is_none() {
        if let Some(&(kind, at)) = open.last() {
            syntax_error = Some((offset + at, format!("this {} is never closed", delimiter_name(kind))));
        }
    }
    let seed = text.contains("pairlint")
        || attr_idents.iter().any(|n| vocab.is("handler_attributes", n))
        || param_idents.iter().any(|n| vocab.is("handler_extractors", n))
        || mentions.iter().any(|n| is_seed_word(n, vocab));
    let mut mentions: Vec<String> = mentions.into_iter().map(str::to_owned).collect();
    mentions.sort_unstable();
    let mut defines: Vec<String> = defines.into_iter().map(str::to_owned).collect();
    defines.sort_unstable();
    Scan { nesting: nesting.max, seed, defines, mentions, syntax_error }
}

/// The token-level error a token makes, given the delimiters open before it (which
/// this keeps up to date).
fn token_error(kind: TokenKind, start: usize, open: &mut Vec<(TokenKind, usize)>) -> Option<String> {
    use rustc_lexer::LiteralKind::*;
    use TokenKind::*;
    match kind {
        OpenParen | OpenBrace | OpenBracket => {
            open.push((kind, start));
            None
        }
        CloseParen | CloseBrace | CloseBracket => {
            let want = match kind {
                CloseParen => OpenParen,
                CloseBrace => OpenBrace,
                _ => OpenBracket,
            };
            match open.pop() {
                Some((k, _)) if k == want => None,
                Some((k, _)) => Some(format!("mismatched closing delimiter (the open one is a {})", delimiter_name(k))),
                None => Some("unexpected closing delimiter".into()),
            }
        }
        BlockComment { terminated: false, .. } => Some("unterminated block comment".into()),
        Literal { kind, .. } => match kind {
            Str { terminated: false }
            | ByteStr { terminated: false }
            | CStr { terminated: false }
            | Char { terminated: false }
            | Byte { terminated: false } => Some("unterminated literal".into()),
            RawStr { n_hashes: None } | RawByteStr { n_hashes: None } | RawCStr { n_hashes: None } => {
                Some("invalid raw string literal".into())
            }
            _ => None,
        },
        Unknown | InvalidIdent => Some("unknown start of token".into()),
        _ => None,
    }
}

fn delimiter_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::OpenParen => "`(`",
        TokenKind::OpenBracket => "`[`",
        _ => "`{`",
    }
}

/// An identifier that can make a fn per-requester or a timeout path.
fn is_seed_word(name: &str, vocab: &Vocabulary) -> bool {
    if CLOCK_NAMES.contains(&name) || TIMEOUT_SUBSTRINGS.iter().any(|s| name.contains(s)) {
        return true;
    }
    vocab.mentions("identity_names", name)
        || vocab.mentions("timeout_words", name)
        || vocab.mentions("request_names", name)
        || vocab.is("request_names", name)
        || (vocab.ends_with("request_type_suffixes", name) && !name.is_empty())
}

/// Which files to parse, given every file's scan: seeds, the callers of what seeds
/// define, and the definitions of everything kept files mention, to a fixpoint.
pub fn select(scans: &[Option<&Scan>]) -> Vec<bool> {
    let mut keep = vec![false; scans.len()];
    let mut definers: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mentioners: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, scan) in scans.iter().enumerate() {
        let Some(scan) = scan else { continue };
        for d in &scan.defines {
            definers.entry(d).or_default().push(i);
        }
    }
    let mut work = Vec::new();
    for (i, scan) in scans.iter().enumerate() {
        if scan.is_some_and(|s| s.seed) {
            keep[i] = true;
            work.push(i);
        }
    }
    // Callers of anything a seed defines.
    let seed_defines: HashSet<&str> =
        work.iter().filter_map(|&i| scans[i]).flat_map(|s| s.defines.iter().map(String::as_str)).collect();
    if !seed_defines.is_empty() {
        for (i, scan) in scans.iter().enumerate() {
            let Some(scan) = scan else { continue };
            for m in &scan.mentions {
                if seed_defines.contains(m.as_str()) {
                    mentioners.entry(m).or_default().push(i);
                }
            }
        }
        for files in mentioners.values() {
            for &i in files {
                if !keep[i] {
                    keep[i] = true;
                    work.push(i);
                }
            }
        }
    }
    // Definitions of everything kept files mention, to a fixpoint.
    while let Some(i) = work.pop() {
        let Some(scan) = scans[i] else { continue };
        for m in &scan.mentions {
            if let Some(files) = definers.get(m.as_str()) {
                for &j in files {
                    if !keep[j] {
                        keep[j] = true;
                        work.push(j);
                    }
                }
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_of(text: &str) -> Scan {
        scan(text, &Vocabulary::default())
    }

    // The pre-pass is only as good as its definitions and mentions: check both.
    #[test]
    fn finds_definitions_mentions_and_seeds() {
        let s = scan_of(
            "pub struct Queue { items: Vec<u8> }\nfn take(q: &Queue) -> u8 { q.items[0] }\nstatic ref GLOBAL: u8 = 1;",
        );
        assert_eq!(s.defines, ["GLOBAL", "Queue", "take"]);
        assert!(s.mentions.contains(&"items".to_string()));
        assert!(!s.seed, "no requester or timeout ingredient");
        assert!(scan_of("fn print(user_id: u64) {}").seed);
        assert!(scan_of("fn f() { if Instant::now() > t {} }").seed);
        assert!(scan_of("#[get(\"/\")] async fn index() {}").seed);
        assert!(scan_of("fn f(p: Path<u32>) {}").seed, "extractor parameter");
        assert!(!scan_of("fn f() -> Path { todo!() }").seed, "extractor outside parameters");
        assert!(scan_of("fn f<F: Fn(u8)>(f: F, q: Query<u8>) {}").seed, "parameters after generics");
        assert_eq!(scan_of("const unsafe fn g() {}").defines, ["g"]);
        assert_eq!(scan_of("fn f() { (1, 2] }").syntax_error.map(|e| e.0), Some(14));
        assert_eq!(scan_of("fn f() {\n  let s = \"open").syntax_error.map(|e| e.0), Some(19));
        assert_eq!(scan_of("fn f() { g(1) ").syntax_error.map(|e| e.0), Some(7));
        assert!(scan_of("fn f() { g([1], {2}) }").syntax_error.is_none());
        assert!(scan_of("// pairlint: allow(PL001) reason\nfn f() {}").seed);
    }

    // Helpers reached from a seed, callers of a seed's fns and types they name are all kept.
    #[test]
    fn selection_follows_definitions_and_callers() {
        let seed = scan_of("fn serve(user: u64) -> Item { next_item() }");
        let helper = scan_of("fn next_item() -> Item { QUEUE.pop() }");
        let ty = scan_of("struct Item { a: u8 }\nstatic QUEUE: Q = Q;");
        let caller = scan_of("fn main() { serve(1); }");
        let unrelated = scan_of("fn other() -> u8 { 1 }");
        let keep = select(&[Some(&seed), Some(&helper), Some(&ty), Some(&caller), Some(&unrelated), None]);
        assert_eq!(keep, [true, true, true, true, false, false]);
    }
}
