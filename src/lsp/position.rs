//! Positions: pairlint's 1-based line and character columns to LSP positions, whose
//! `character` counts UTF-16 code units unless the client negotiated UTF-8 bytes.

use crate::finding::Span;
use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit of `Position.character` agreed with the client at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8: only when the client offers `"utf-8"` in `general.positionEncodings`.
    Utf8,
    /// UTF-16 code units: the protocol's default, which every client must support.
    Utf16,
}

impl Encoding {
    /// UTF-8 if the client offers it (it is what pairlint's byte offsets are in, so no
    /// conversion can go wrong), else the mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The name announced in `ServerCapabilities.positionEncoding`.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// One file's lines (without `\n` or a trailing `\r`), for converting many positions.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        Lines { lines }
    }

    /// The text of a 0-based line; empty past the end.
    pub fn line(&self, index: u32) -> &'a str {
        self.lines.get(index as usize).copied().unwrap_or("")
    }

    /// The LSP position of a 1-based line and 1-based character column. Line 0 (a
    /// problem with the whole file) maps to the file start; columns past the end of the
    /// line clamp to its end.
    pub fn position(&self, line: u32, column: u32, encoding: Encoding) -> Position {
        if line == 0 {
            return Position::new(0, 0);
        }
        let text = self.line(line - 1);
        let chars = column.saturating_sub(1) as usize;
        let character = text.chars().take(chars).map(|c| encoding.units(c)).sum();
        Position::new(line - 1, character)
    }

    /// The LSP range of a finding's span.
    pub fn range(&self, span: &Span, encoding: Encoding) -> Range {
        let start = self.position(span.line, span.column, encoding);
        let end = self.position(span.end_line.max(span.line), span.end_column, encoding);
        let end = if end < start { start } else { end };
        Range::new(start, end)
    }
}

/// The byte offset in `text` of an LSP position (for incremental edits). A character
/// inside a multi-unit character, or past the line end, clamps to the next boundary or
/// the line end; a line past the end clamps to the end of the text.
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let mut units = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= position.character {
            return line_start + i;
        }
        units += encoding.units(c);
    }
    line_end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `é` is 2 bytes and 1 UTF-16 unit; `🎫` is 4 bytes and 2 UTF-16 units (a surrogate pair).
    const LINE: &str = "    let x = /* é🎫 */ q.pop_front();";

    fn span_of(needle: &str) -> Span {
        let byte = LINE.find(needle).unwrap();
        let column = LINE[..byte].chars().count() as u32 + 1;
        Span {
            line: 2,
            column,
            end_line: 2,
            end_column: column + needle.chars().count() as u32,
            byte_start: 0,
            byte_end: 0,
        }
    }

    // Columns after non-ASCII text differ per encoding; a client would underline the wrong text otherwise.
    #[test]
    fn columns_after_non_ascii_text_follow_the_encoding() {
        let text = format!("fn f() {{\n{LINE}\n}}\n");
        let lines = Lines::new(&text);
        let span = span_of("q.pop_front()");
        // 21 characters precede `q`: 22 UTF-16 units (the emoji is two), 25 bytes (é 2, 🎫 4).
        assert_eq!(span.column, 22);
        let r16 = lines.range(&span, Encoding::Utf16);
        assert_eq!((r16.start, r16.end), (Position::new(1, 22), Position::new(1, 35)));
        let r8 = lines.range(&span, Encoding::Utf8);
        assert_eq!((r8.start, r8.end), (Position::new(1, 25), Position::new(1, 38)));
        // Both positions land on the same byte when converted back.
        let byte = text.find("q.pop").unwrap();
        assert_eq!(offset(&text, r16.start, Encoding::Utf16), byte);
        assert_eq!(offset(&text, r8.start, Encoding::Utf8), byte);
    }

    // ASCII-only lines must give identical columns in both encodings (the common case stays exact).
    #[test]
    fn ascii_lines_agree_in_both_encodings() {
        let lines = Lines::new("ab\r\ncdef\n");
        let span = Span { line: 2, column: 2, end_line: 2, end_column: 4, ..Span::default() };
        assert_eq!(lines.range(&span, Encoding::Utf8), lines.range(&span, Encoding::Utf16));
        assert_eq!(lines.range(&span, Encoding::Utf16), Range::new(Position::new(1, 1), Position::new(1, 3)));
        // The `\r` of a CRLF line is not part of the line: a column past it clamps.
        assert_eq!(lines.position(1, 99, Encoding::Utf16), Position::new(0, 2));
        // Line 0 is "the whole file".
        assert_eq!(lines.position(0, 0, Encoding::Utf16), Position::new(0, 0));
    }

    // Only an explicit UTF-8 offer switches encodings; the protocol's default is UTF-16.
    #[test]
    fn negotiation_prefers_offered_utf8_else_utf16() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])), Encoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
    }

    // A position in the middle of a surrogate pair, or past the end, must not panic or split a char.
    #[test]
    fn offsets_clamp_to_char_boundaries() {
        let text = "🎫x\nab";
        assert_eq!(offset(text, Position::new(0, 1), Encoding::Utf16), 4);
        assert_eq!(offset(text, Position::new(0, 2), Encoding::Utf16), 4);
        assert_eq!(offset(text, Position::new(0, 3), Encoding::Utf16), 5);
        assert_eq!(offset(text, Position::new(0, 50), Encoding::Utf16), 5);
        assert_eq!(offset(text, Position::new(1, 1), Encoding::Utf8), 7);
        assert_eq!(offset(text, Position::new(9, 0), Encoding::Utf8), text.len());
    }
}
