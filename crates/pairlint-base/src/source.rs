//! Source text and the one place where positions become [`Span`]s.

use crate::finding::Span;

/// Line starts of one file's text, for turning proc-macro2 line/column pairs into
/// byte offsets and 1-based character columns.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex { text, line_starts }
    }

    /// Byte offset of a 1-based line and 0-based character column (proc-macro2's
    /// convention). Positions past the end clamp to the end of the text.
    pub fn offset(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        // Most lines are ASCII up to the column: then characters are bytes.
        if rest.as_bytes().get(..char_col).is_some_and(|b| b.is_ascii()) {
            return start + char_col;
        }
        rest.char_indices().nth(char_col).map(|(i, _)| start + i).unwrap_or(self.text.len())
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }

    /// Byte offset of the start of the line holding `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset.min(self.text.len())) - 1;
        self.line_starts[line]
    }

    /// A [`Span`] from 1-based lines and 0-based character columns (proc-macro2's
    /// convention) of its start and end. The syntax crate feeds syn's spans through this.
    pub fn span_between(&self, start: (usize, usize), end: (usize, usize)) -> Span {
        let byte_start = self.offset(start.0, start.1);
        let byte_end = self.offset(end.0, end.1).max(byte_start);
        Span {
            line: start.0 as u32,
            column: start.1 as u32 + 1,
            end_line: end.0 as u32,
            end_column: end.1 as u32 + 1,
            byte_start,
            byte_end,
        }
    }

    /// A span covering two spans (from the start of `a` to the end of `b`).
    pub fn join(a: Span, b: Span) -> Span {
        Span {
            line: a.line,
            column: a.column,
            end_line: b.end_line,
            end_column: b.end_column,
            byte_start: a.byte_start,
            byte_end: b.byte_end.max(a.byte_start),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The ASCII fast path must give what counting characters gives, at the end of a
    // line, at the end of the text, past it, and after multi-byte characters.
    #[test]
    fn ascii_fast_path_agrees_with_char_counting() {
        let text = "ab\ncé d\nxyz";
        let idx = LineIndex::new(text);
        for line in 1..=4 {
            for col in 0..8 {
                let slow = idx.line_starts.get(line - 1).map_or(text.len(), |&start| {
                    text[start..].char_indices().nth(col).map(|(i, _)| start + i).unwrap_or(text.len())
                });
                assert_eq!(idx.offset(line, col), slow, "line {line} col {col}");
            }
        }
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "fn a() {}\nlet é = 1; x\n";
        let idx = LineIndex::new(text);
        let off = idx.offset(2, 11);
        assert_eq!(&text[off..off + 1], "x");
        assert_eq!(idx.line_col(off), (2, 12));
    }
}
