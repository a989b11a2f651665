//! Terminal and CI-log safety for text that comes from linted files (source quoted in
//! snippets, file names, messages that quote code): a hostile file must not be able to
//! drive the reader's terminal (escape sequences), reorder what they see (bidi
//! overrides) or inject a CI workflow command (a line starting with `::`).

/// Replaces control characters (ESC, CSI, carriage returns, NUL...) and bidirectional
/// overrides with `?`, one per byte, so byte offsets into the text stay valid for the
/// spans that point into it. Newlines and tabs are kept: this is for multi-line text.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            // A CRLF file's `\r` reads best as nothing visible.
            let fill = if c == '\r' { ' ' } else { '?' };
            out.extend(std::iter::repeat_n(fill, c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// For text that must stay on one line (file names, messages): like [`sanitize`], and
/// newlines and tabs become spaces, so nothing from a file can start an output line.
pub fn sanitize_line(text: &str) -> String {
    sanitize(text).replace(['\n', '\t'], " ")
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// The Unicode bidirectional formatting characters ("Trojan Source", CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    // Escapes must vanish but offsets must not move, or labels would point at the wrong code.
    #[test]
    fn escapes_are_replaced_byte_for_byte() {
        let text = "let a = \"\x1b[31m\"; // \u{202E}evil\r\n::error::x";
        let clean = sanitize(text);
        assert_eq!(clean.len(), text.len());
        assert!(!clean.contains('\x1b') && !clean.contains('\u{202E}') && !clean.contains('\r'));
        assert!(clean.contains("::error::x"), "multi-line text keeps its lines");
        assert!(!sanitize_line("a\n::error::x").contains('\n'));
    }

    // C1 controls (U+009B is a one-character CSI on some terminals) are two bytes in UTF-8.
    #[test]
    fn c1_controls_are_replaced() {
        assert_eq!(sanitize("a\u{9b}31mb"), "a??31mb");
    }
}
