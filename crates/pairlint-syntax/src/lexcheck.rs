//! Cheap token-level checks made with rustc_lexer before a file is parsed.

use rustc_lexer::{tokenize, FrontmatterAllowed, TokenKind};

/// Files nested deeper than this are refused: syn's recursive descent (and our own
/// walkers) would need a stack proportional to the depth, and a hostile file could
/// otherwise abort the whole process with a stack overflow.
pub const NESTING_LIMIT: usize = 256;

/// Tracks nesting token by token: `(`, `[`, `{`, generic angle brackets, and runs of
/// prefix operators (`!!!!x`, `&&&&x`, `--x`), each of which syn parses with one level
/// of recursion.
///
/// Angle brackets cannot be told from comparisons by the lexer, so every `<` counts
/// (except `<=`, `<-`) and `>` closes one (except in `->`, `=>`, `>=`); the count of
/// the current delimiter level is reset at `;`, `{`, `}` and `=>`, so comparisons
/// never accumulate past a statement. Over-counting is harmless (the bound is far
/// below what overflows the worker stack); under-counting a hostile file is what the
/// reset points must not allow, and real nesting never crosses them.
#[derive(Debug, Default)]
pub struct NestingCounter {
    /// Angle-bracket count per open delimiter (index 0 is the file level).
    angles: Vec<usize>,
    delims: usize,
    angle_sum: usize,
    prefix_run: usize,
    prev: Option<TokenKind>,
    /// The deepest nesting seen and the byte offset where it was first reached.
    pub max: (usize, usize),
}

impl NestingCounter {
    pub fn new() -> Self {
        NestingCounter { angles: vec![0], ..NestingCounter::default() }
    }

    fn reset_angles(&mut self) {
        if let Some(a) = self.angles.last_mut() {
            self.angle_sum -= *a;
            *a = 0;
        }
    }

    fn note(&mut self, pos: usize) {
        let depth = self.delims + self.angle_sum + self.prefix_run;
        if depth > self.max.0 {
            self.max = (depth, pos);
        }
    }

    /// Feeds one token (whitespace and comments included; they are skipped) starting
    /// at byte `pos`; `next` is the kind of the token right after it, if any.
    pub fn token(&mut self, kind: TokenKind, next: Option<TokenKind>, pos: usize) {
        use TokenKind::*;
        if matches!(kind, Whitespace | LineComment { .. } | BlockComment { .. }) {
            return;
        }
        let prev = self.prev.replace(kind);
        // A prefix operator is one after which an operand must follow: at the start
        // of an expression, i.e. not after a value.
        let after_value = matches!(
            prev,
            Some(
                Ident | RawIdent | Literal { .. } | Lifetime { .. } | CloseParen | CloseBracket | CloseBrace | Question
            )
        );
        if matches!(kind, Bang | Minus | Star | And) && !after_value {
            self.prefix_run += 1;
            self.note(pos);
            return;
        }
        self.prefix_run = 0;
        match kind {
            OpenParen | OpenBrace | OpenBracket => {
                if kind == OpenBrace {
                    self.reset_angles();
                }
                self.delims += 1;
                self.angles.push(0);
                self.note(pos);
            }
            CloseParen | CloseBrace | CloseBracket => {
                if self.angles.len() > 1 {
                    let a = self.angles.pop().unwrap_or(0);
                    self.angle_sum -= a;
                }
                self.delims = self.delims.saturating_sub(1);
                if kind == CloseBrace {
                    self.reset_angles();
                }
            }
            Semi => self.reset_angles(),
            Lt if !matches!(next, Some(Eq | Minus)) => {
                if let Some(a) = self.angles.last_mut() {
                    *a += 1;
                    self.angle_sum += 1;
                }
                self.note(pos);
            }
            Gt => match prev {
                Some(Eq) => self.reset_angles(),
                Some(Minus) => {}
                _ if next == Some(Eq) => {}
                _ => {
                    if let Some(a) = self.angles.last_mut() {
                        if *a > 0 {
                            *a -= 1;
                            self.angle_sum -= 1;
                        }
                    }
                }
            },
            _ => {}
        }
    }
}

/// The deepest nesting in the text (see [`NestingCounter`]) and the byte offset where
/// it is first reached.
pub fn max_nesting(text: &str) -> (usize, usize) {
    let mut counter = NestingCounter::new();
    let mut pos = 0usize;
    let mut tokens = tokenize(text, FrontmatterAllowed::No).peekable();
    while let Some(token) = tokens.next() {
        let next = tokens.peek().map(|t| t.kind);
        counter.token(token.kind, next, pos);
        pos += token.len as usize;
    }
    counter.max
}

#[cfg(test)]
mod tests {
    use super::*;

    // Strings and comments are not code: brackets inside them must not count.
    #[test]
    fn counts_delimiters_but_not_inside_strings_or_comments() {
        assert_eq!(max_nesting("fn a() { (1, [2]) }").0, 3);
        assert_eq!(max_nesting("fn a() { \"((((\"; /* [[[[ */ }").0, 1);
    }

    // The lexer pass itself must not recurse, or it would overflow on the files it guards against.
    #[test]
    fn deep_text_is_measured_without_recursion() {
        let text = format!("fn a() {{ {}1{} }}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(max_nesting(&text).0, 100_001);
    }

    // syn recurses once per generic level, so generics count like brackets.
    #[test]
    fn generics_count_and_close() {
        assert_eq!(max_nesting("type A = Vec<Vec<Vec<u8>>>;").0, 3);
        let deep = format!("type A = {}u8{};", "Vec<".repeat(1000), ">".repeat(1000));
        assert_eq!(max_nesting(&deep).0, 1000);
        // `->` and `=>` and `>=` do not close anything.
        assert_eq!(max_nesting("fn f() -> Option<u8> { match x { _ => 1 } }").0, 2);
    }

    // Real code compares a lot; comparisons must not pile up into a false "too deep".
    #[test]
    fn comparisons_do_not_accumulate() {
        let text = "fn f(a: u8, b: u8) -> bool { if a < b { return true; } a < b }\n".repeat(1000);
        assert!(max_nesting(&text).0 < 5, "{}", max_nesting(&text).0);
        let guards = format!("fn f(x: u8) {{ match x {{ {} _ => {{}} }} }}", "a if a < 3 => {}\n".repeat(500));
        assert!(max_nesting(&guards).0 < 5);
    }

    // `!!!!x` and `&&&&x` recurse in syn just like parentheses.
    #[test]
    fn prefix_operator_runs_count() {
        assert_eq!(max_nesting(&format!("fn f() {{ let a = {}x; }}", "!".repeat(500))).0, 501);
        // Binary operators after a value are not prefix runs.
        assert!(max_nesting(&"fn f() { a - b * c & d; }".repeat(100)).0 < 3);
    }
}
