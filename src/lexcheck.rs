//! Cheap token-level checks made with rustc_lexer before a file is parsed.

use rustc_lexer::{tokenize, FrontmatterAllowed, TokenKind};

/// Files nested deeper than this are refused: syn's recursive descent (and our own
/// walkers) would need a stack proportional to the depth, and a hostile file could
/// otherwise abort the whole process with a stack overflow.
pub const NESTING_LIMIT: usize = 256;

/// The deepest nesting of `(`, `[` and `{` in the text, and the byte offset where it
/// is first reached.
pub fn max_nesting(text: &str) -> (usize, usize) {
    let mut depth = 0usize;
    let mut max = (0usize, 0usize);
    let mut pos = 0usize;
    for token in tokenize(text, FrontmatterAllowed::No) {
        match token.kind {
            TokenKind::OpenParen | TokenKind::OpenBrace | TokenKind::OpenBracket => {
                depth += 1;
                if depth > max.0 {
                    max = (depth, pos);
                }
            }
            TokenKind::CloseParen | TokenKind::CloseBrace | TokenKind::CloseBracket => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        pos += token.len as usize;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_delimiters_but_not_inside_strings_or_comments() {
        assert_eq!(max_nesting("fn a() { (1, [2]) }").0, 3);
        assert_eq!(max_nesting("fn a() { \"((((\"; /* [[[[ */ }").0, 1);
    }

    #[test]
    fn deep_text_is_measured_without_recursion() {
        let text = format!("fn a() {{ {}1{} }}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(max_nesting(&text).0, 100_001);
    }
}
