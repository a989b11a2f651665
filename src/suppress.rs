//! Suppression comments (`// pairlint: allow(PL001) reason`): finding them with the
//! Rust lexer, so look-alikes inside string literals never count, and working out which
//! lines each one covers.

use crate::config::{is_rule_code, rule_codes};
use crate::source::LineIndex;
use rustc_lexer::{FrontmatterAllowed, TokenKind};

/// One well-formed `pairlint: allow(...)` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionComment {
    /// Rule codes, as written (validated against the known codes).
    pub rules: Vec<String>,
    /// Free text after the closing parenthesis, trimmed; empty when none was given.
    pub reason: String,
    /// 1-based line of the comment start.
    pub line: u32,
    /// 1-based column (in chars) of the comment start.
    pub column: u32,
    /// 1-based exclusive column (in chars) of the comment end, on the line where the
    /// comment ends (a block comment may span lines).
    pub end_column: u32,
    pub byte_start: usize,
    /// Exclusive; a line comment's trailing `\r` is not included.
    pub byte_end: usize,
    /// True if nothing but whitespace precedes the comment on its line.
    pub own_line: bool,
}

/// A comment that tries to be a directive but is malformed. The caller reports it as a
/// warning-level file problem, so a typo never silently suppresses nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionError {
    /// 1-based line of the offending text.
    pub line: u32,
    /// 1-based column (in chars) of the offending text.
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for SuppressionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for SuppressionError {}

/// A plain (non-doc) comment token, with the byte range of its body (between `//` or
/// `/*` and `*/`).
struct CommentToken {
    start: usize,
    end: usize,
    body_start: usize,
    body_end: usize,
}

/// Plain comments only: doc comments are documentation (and often *describe* the
/// directive syntax), so they never suppress anything.
fn plain_comments(text: &str) -> Vec<CommentToken> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    for token in rustc_lexer::tokenize(text, FrontmatterAllowed::No) {
        let start = pos;
        pos += token.len as usize;
        match token.kind {
            TokenKind::LineComment { doc_style: None } => {
                let mut end = pos;
                // rustc_lexer stops a line comment at `\n`, so a CRLF file leaves the `\r`.
                if text[start..end].ends_with('\r') {
                    end -= 1;
                }
                out.push(CommentToken { start, end, body_start: start + 2, body_end: end });
            }
            TokenKind::BlockComment { doc_style: None, terminated } => {
                let body_end = if terminated { pos - 2 } else { pos };
                out.push(CommentToken { start, end: pos, body_start: (start + 2).min(body_end), body_end });
            }
            _ => {}
        }
    }
    out
}

/// Finds every suppression directive in `text`, and every malformed one.
pub fn scan(text: &str) -> (Vec<SuppressionComment>, Vec<SuppressionError>) {
    let index = LineIndex::new(text);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for comment in plain_comments(text) {
        let body = &text[comment.body_start..comment.body_end];
        match parse_directive(body) {
            Parsed::NotADirective => {}
            Parsed::Malformed { offset, message } => {
                let (line, column) = index.line_col(comment.body_start + offset);
                errors.push(SuppressionError { line, column, message });
            }
            Parsed::Directive { rules, reason } => {
                let (line, column) = index.line_col(comment.start);
                let (_, end_column) = index.line_col(comment.end);
                let line_start = index.line_start(comment.start);
                let own_line = text[line_start..comment.start].trim().is_empty();
                found.push(SuppressionComment {
                    rules,
                    reason,
                    line,
                    column,
                    end_column,
                    byte_start: comment.start,
                    byte_end: comment.end,
                    own_line,
                });
            }
        }
    }
    (found, errors)
}

enum Parsed {
    NotADirective,
    /// `offset` is a byte offset into the comment body, where the problem is.
    Malformed {
        offset: usize,
        message: String,
    },
    Directive {
        rules: Vec<String>,
        reason: String,
    },
}

/// Parses a comment body. Only a body that starts (after whitespace) with `pairlint`
/// and a colon is a directive attempt; anything else is an ordinary comment, so prose
/// that merely mentions pairlint is left alone.
fn parse_directive(body: &str) -> Parsed {
    let skip_ws = |from: usize| -> usize { from + body[from..].len() - body[from..].trim_start().len() };
    let mut pos = skip_ws(0);
    let Some(rest) = body[pos..].strip_prefix("pairlint") else {
        return Parsed::NotADirective;
    };
    // `pairlintfoo:` is a different word.
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return Parsed::NotADirective;
    }
    pos = skip_ws(pos + "pairlint".len());
    if !body[pos..].starts_with(':') {
        return Parsed::NotADirective;
    }
    pos = skip_ws(pos + 1);
    let malformed = |offset: usize, message: String| Parsed::Malformed { offset, message };

    let word_len =
        body[pos..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(body.len() - pos);
    let word = &body[pos..pos + word_len];
    if word != "allow" {
        let shown = if word.is_empty() {
            body[pos..].chars().next().map_or(String::new(), String::from)
        } else {
            word.to_string()
        };
        return malformed(
            pos,
            if shown.trim().is_empty() {
                "empty pairlint directive: expected `allow(PL00N) reason`".to_string()
            } else {
                format!("unknown pairlint directive `{shown}`: expected `allow(PL00N) reason`")
            },
        );
    }
    pos = skip_ws(pos + word_len);
    if !body[pos..].starts_with('(') {
        return malformed(pos, "expected `(` after `pairlint: allow`, as in `allow(PL001) reason`".to_string());
    }
    let open = pos;
    let Some(close_rel) = body[open..].find(')') else {
        return malformed(open, "missing `)` in `pairlint: allow(...)`".to_string());
    };
    let close = open + close_rel;
    let mut rules = Vec::new();
    let mut item_start = open + 1;
    for item in body[open + 1..close].split(',') {
        let lead = item.len() - item.trim_start().len();
        let code = item.trim();
        let offset = item_start + lead;
        item_start += item.len() + 1;
        if code.is_empty() {
            // A trailing comma is harmless; an empty list is caught below.
            continue;
        }
        if !is_rule_code(code) {
            return malformed(
                offset,
                format!("unknown rule `{code}` in pairlint suppression (known: {})", rule_codes().join(", ")),
            );
        }
        if !rules.iter().any(|r| r == code) {
            rules.push(code.to_string());
        }
    }
    if rules.is_empty() {
        return malformed(open, "`pairlint: allow()` names no rule".to_string());
    }
    // Block comments may span lines: fold the reason onto one line for reports.
    let reason = body[close + 1..].split_whitespace().collect::<Vec<_>>().join(" ");
    Parsed::Directive { rules, reason }
}

/// The inclusive line range a directive covers. A trailing comment covers its own
/// line. An own-line comment covers its line and the next one, and when an item (its
/// range starting at its first attribute or doc line) starts on that next line, the
/// whole item. This variant has no source text, so "next line" is `line + 1`; see
/// [`covered_lines_in`] to skip blank lines, further comments and multi-line block
/// comments first.
pub fn covered_lines(comment: &SuppressionComment, items: &[(u32, u32)]) -> (u32, u32) {
    if !comment.own_line {
        return (comment.line, comment.line);
    }
    cover_from(comment.line, comment.line + 1, items)
}

/// Like [`covered_lines`], but uses `text` (the file the comment was scanned from) to
/// find the next line holding code: blank lines, plain comments (a stack of
/// suppressions) and the rest of a multi-line block comment are skipped. Doc comments
/// and attributes count as code, since item ranges start at them.
pub fn covered_lines_in(text: &str, comment: &SuppressionComment, items: &[(u32, u32)]) -> (u32, u32) {
    if !comment.own_line {
        return (comment.line, comment.line);
    }
    let index = LineIndex::new(text);
    let mut pos = 0usize;
    let mut next = None;
    for token in rustc_lexer::tokenize(text, FrontmatterAllowed::No) {
        let start = pos;
        pos += token.len as usize;
        if start < comment.byte_end {
            continue;
        }
        match token.kind {
            TokenKind::Whitespace
            | TokenKind::LineComment { doc_style: None }
            | TokenKind::BlockComment { doc_style: None, .. } => {}
            _ => {
                next = Some(index.line_col(start).0);
                break;
            }
        }
    }
    // Nothing but comments follow: the directive still covers the line after it.
    let (end_line, _) = index.line_col(comment.byte_end);
    let next = next.unwrap_or(end_line + 1);
    cover_from(comment.line, next, items)
}

fn cover_from(line: u32, next: u32, items: &[(u32, u32)]) -> (u32, u32) {
    // Several items may start on one line (`#[cfg(test)] mod t { fn f() {} }`): the
    // outermost (last-ending) one is the one the comment sits before.
    let item_end = items.iter().filter(|(first, _)| *first == next).map(|(_, last)| *last).max();
    (line, item_end.map_or(next, |end| end.max(next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> SuppressionComment {
        let (found, errors) = scan(text);
        assert!(errors.is_empty(), "unexpected errors: {errors:?}");
        assert_eq!(found.len(), 1, "expected one directive in {text:?}: {found:?}");
        found.into_iter().next().unwrap()
    }

    fn one_error(text: &str) -> SuppressionError {
        let (found, errors) = scan(text);
        assert!(found.is_empty(), "unexpected directives: {found:?}");
        assert_eq!(errors.len(), 1, "expected one error in {text:?}: {errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn line_comment_with_reason() {
        let text = "fn f() {}\n    // pairlint: allow(PL001) the queue holds one user's jobs\n";
        let c = one(text);
        assert_eq!(c.rules, vec!["PL001"]);
        assert_eq!(c.reason, "the queue holds one user's jobs");
        assert_eq!((c.line, c.column), (2, 5));
        assert!(c.own_line);
        assert_eq!(&text[c.byte_start..c.byte_end], text.lines().nth(1).unwrap().trim());
        assert_eq!(c.end_column as usize, text.lines().nth(1).unwrap().len() + 1);
    }

    #[test]
    fn several_codes_and_whitespace() {
        let c = one("//pairlint:allow(PL001,PL003)\n");
        assert_eq!(c.rules, vec!["PL001", "PL003"]);
        assert_eq!(c.reason, "");
        let c = one("//   pairlint  :  allow ( PL002 , PL004 , )   why not  \n");
        assert_eq!(c.rules, vec!["PL002", "PL004"]);
        assert_eq!(c.reason, "why not");
    }

    #[test]
    fn trailing_comment_is_not_own_line() {
        let c = one("let x = q.pop_front(); // pairlint: allow(PL001) single user\n");
        assert!(!c.own_line);
        assert_eq!(c.column, 24);
        assert_eq!(covered_lines(&c, &[(1, 5)]), (1, 1));
    }

    #[test]
    fn directive_in_string_literal_is_ignored() {
        let text = r###"
fn f() {
    let a = "// pairlint: allow(PL001)";
    let b = r#"/* pairlint: allow(PL002) */"#;
    let c = b"// pairlint: allow(PL003)";
    let d = r"
// pairlint: allow(PL004)
";
}
"###;
        let (found, errors) = scan(text);
        assert!(found.is_empty(), "{found:?}");
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn malformed_in_string_is_not_an_error() {
        let (found, errors) = scan("let s = \"// pairlint: alow(PL001)\";");
        assert!(found.is_empty() && errors.is_empty());
    }

    #[test]
    fn block_comments() {
        let c = one("fn f() { /* pairlint: allow(PL003) checked upstream */ g(); }\n");
        assert_eq!(c.rules, vec!["PL003"]);
        assert_eq!(c.reason, "checked upstream");
        assert!(!c.own_line);
        let text = "/*\n  pairlint: allow(PL002)\n  released on purpose\n*/\nfn sweep() {}\n";
        let c = one(text);
        assert_eq!(c.reason, "released on purpose");
        assert_eq!((c.line, c.column, c.end_column), (1, 1, 3));
        assert!(c.own_line);
        // The comment ends on line 4, so the item on line 5 is what it sits before.
        assert_eq!(covered_lines_in(text, &c, &[(5, 5)]), (1, 5));
    }

    #[test]
    fn doc_comments_are_not_directives() {
        let (found, errors) =
            scan("/// pairlint: allow(PL001)\n//! pairlint: alow(x)\n/** pairlint: allow(PL001) */\nfn f() {}\n");
        assert!(found.is_empty() && errors.is_empty());
    }

    #[test]
    fn prose_mentioning_pairlint_is_ignored() {
        let (found, errors) = scan("// pairlint flags this, see docs\n// pairlinter: allow(x)\n");
        assert!(found.is_empty() && errors.is_empty());
    }

    #[test]
    fn crlf_text() {
        let text = "fn a() {}\r\n// pairlint: allow(PL001) reason\r\nfn b() {}\r\n";
        let c = one(text);
        assert_eq!(c.line, 2);
        assert_eq!(c.reason, "reason");
        assert_eq!(&text[c.byte_start..c.byte_end], "// pairlint: allow(PL001) reason");
        assert!(c.own_line);
        assert_eq!(covered_lines(&c, &[(3, 3)]), (2, 3));
    }

    #[test]
    fn non_ascii_before_comment_counts_chars() {
        let text = "let café = \"日本\"; // pairlint: allow(PL001) ok\n";
        let c = one(text);
        assert_eq!(c.column, 18);
        assert_eq!(text[..c.byte_start].chars().count() + 1, c.column as usize);
        assert_eq!(c.end_column as usize, text.trim_end().chars().count() + 1);
    }

    #[test]
    fn malformed_directives() {
        let e = one_error("// pairlint: alow(PL001) typo\n");
        assert!(e.message.contains("`alow`"), "{}", e.message);
        assert_eq!((e.line, e.column), (1, 14));

        let e = one_error("fn f() {}\n  // pairlint: allow(PL009)\n");
        assert!(e.message.contains("unknown rule `PL009`"), "{}", e.message);
        assert_eq!((e.line, e.column), (2, 22));

        let e = one_error("// pairlint: allow PL001\n");
        assert!(e.message.contains("expected `(`"), "{}", e.message);

        let e = one_error("// pairlint: allow(PL001\n");
        assert!(e.message.contains("missing `)`"), "{}", e.message);

        let e = one_error("// pairlint: allow()\n");
        assert!(e.message.contains("names no rule"), "{}", e.message);

        let e = one_error("// pairlint:\n");
        assert!(e.message.contains("empty"), "{}", e.message);

        let e = one_error("/* pairlint: allow(pl001) */");
        assert!(e.message.contains("unknown rule `pl001`"), "{}", e.message);
    }

    #[test]
    fn own_line_covers_next_line_or_item() {
        let text = "// pairlint: allow(PL001) r\nlet x = 1;\n";
        let c = one(text);
        assert_eq!(covered_lines(&c, &[]), (1, 2));
        // An item starting on the next line (its first attribute) is covered whole;
        // the outermost item wins when several start there.
        assert_eq!(covered_lines(&c, &[(2, 9), (2, 4), (5, 7)]), (1, 9));
        // An item further away is not.
        assert_eq!(covered_lines(&c, &[(3, 9)]), (1, 2));
    }

    #[test]
    fn covered_lines_in_skips_blank_and_comment_lines() {
        let text = "// pairlint: allow(PL001) r\n\n// pairlint: allow(PL003) s\n// note\n#[inline]\nfn f() {\n}\n";
        let (found, _) = scan(text);
        assert_eq!(found.len(), 2);
        let items = [(5, 7)];
        assert_eq!(covered_lines_in(text, &found[0], &items), (1, 7));
        assert_eq!(covered_lines_in(text, &found[1], &items), (3, 7));
        // Without the text only the very next line is considered.
        assert_eq!(covered_lines(&found[0], &items), (1, 2));
    }

    #[test]
    fn unterminated_block_comment_does_not_panic() {
        let (found, _) = scan("/* pairlint: allow(PL001) never closed");
        assert_eq!(found.len(), 1);
        let (found, errors) = scan("/*");
        assert!(found.is_empty() && errors.is_empty());
    }
}
