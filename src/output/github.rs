//! `--format github`: GitHub Actions workflow commands (`::error file=..::message`), one
//! line per finding or file error, so each becomes an annotation on the pull request,
//! then a plain summary line. Because GitHub shows only 10 annotations of each level
//! per step, [`step_summary`] renders every finding as a Markdown table for the
//! `GITHUB_STEP_SUMMARY` file.

use super::human::{sanitize, summary_line};
use super::path_string;
use crate::engine::Report;
use crate::finding::{FileError, Finding, Severity};
use std::io::Write;
use std::path::Path;

/// Escapes a command's data (the message after `::`), as the runner unescapes it:
/// `%`, CR and LF. Other control characters (terminal escapes) become U+FFFD.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`): as data, plus `:` and `,`, which
/// would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: &str, properties: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = properties.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    format!("::{level} {}::{}\n", props.join(","), escape_data(message))
}

fn level_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn title(f: &Finding) -> String {
    if f.rule == f.name {
        f.rule.to_string()
    } else {
        let confidence = match f.confidence {
            crate::finding::Confidence::High => "high",
            crate::finding::Confidence::Medium => "medium",
        };
        format!("{} {} ({confidence} confidence)", f.rule, f.name)
    }
}

/// The annotation text: the message, the fix, and where the labels point (an
/// annotation shows one place; the labels may be in other files).
fn body(f: &Finding) -> String {
    let mut text = f.message.clone();
    if !f.help.is_empty() {
        text.push_str(&format!("\nhelp: {}", f.help));
    }
    for l in &f.labels {
        text.push_str(&format!(
            "\nnote: {}:{}:{}: {}",
            path_string(&l.location.file),
            l.location.span.line,
            l.location.span.column,
            l.message
        ));
    }
    text
}

fn finding_command(f: &Finding) -> String {
    let s = &f.location.span;
    let mut props = vec![
        ("file", path_string(&f.location.file)),
        ("line", s.line.max(1).to_string()),
        ("endLine", s.end_line.max(s.line).max(1).to_string()),
    ];
    // GitHub accepts columns only for single-line annotations.
    if s.end_line <= s.line {
        props.push(("col", s.column.max(1).to_string()));
        props.push(("endColumn", s.end_column.max(s.column).max(1).to_string()));
    }
    props.push(("title", title(f)));
    command(level_word(f.severity), &props, &body(f))
}

fn error_command(e: &FileError) -> String {
    let mut props = vec![("file", path_string(&e.file))];
    if e.line > 0 {
        props.push(("line", e.line.to_string()));
        props.push(("col", e.column.max(1).to_string()));
    }
    props.push(("title", "pairlint: file not linted".to_string()));
    command("error", &props, &e.message)
}

/// The workflow commands for every file error and finding, then the summary line
/// (plain text, not a command).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.errors {
        out.push_str(&error_command(e));
    }
    for f in &report.findings {
        out.push_str(&finding_command(f));
    }
    for note in &report.notes {
        out.push_str(&command("notice", &[("title", "pairlint".to_string())], note));
    }
    out.push_str(&summary_line(report));
    out
}

/// Makes text safe inside one Markdown table cell: no line breaks, no `|`, no HTML.
fn cell(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// A Markdown section listing every file error and finding, for `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(report: &Report) -> String {
    let mut out = String::from("### pairlint\n\n");
    out.push_str(&cell(summary_line(report).trim_end()));
    out.push_str("\n\n");
    if report.errors.is_empty() && report.findings.is_empty() {
        out.push_str("No findings.\n\n");
        return out;
    }
    out.push_str("| Level | Rule | Location | Message |\n|---|---|---|---|\n");
    for e in &report.errors {
        let at =
            if e.line > 0 { format!("{}:{}:{}", path_string(&e.file), e.line, e.column) } else { path_string(&e.file) };
        out.push_str(&format!("| error | (file not linted) | {} | {} |\n", cell(&at), cell(&e.message)));
    }
    for f in &report.findings {
        let at = format!("{}:{}:{}", path_string(&f.location.file), f.location.span.line, f.location.span.column);
        let message = if f.help.is_empty() { f.message.clone() } else { format!("{}\nhelp: {}", f.message, f.help) };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            level_word(f.severity),
            cell(&title(f)),
            cell(&at),
            cell(&message)
        ));
    }
    out.push('\n');
    out
}

/// Appends [`step_summary`] to the file at `path` (GitHub's `GITHUB_STEP_SUMMARY`),
/// keeping what earlier steps wrote.
pub fn append_step_summary(path: &Path, report: &Report) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    file.write_all(step_summary(report).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The runner unescapes `%25` last, so `%` must be escaped first or `%0A` in a message
    // would turn into a real line break.
    #[test]
    fn data_escapes_percent_before_line_breaks() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a::b, c"), "a::b, c", "data keeps `:` and `,`");
    }

    // A `:` or `,` in a path would end the property value and corrupt the annotation.
    #[test]
    fn property_escapes_colon_and_comma() {
        assert_eq!(escape_property("C:/a,b%\n.rs"), "C%3A/a%2Cb%25%0A.rs");
    }

    // A terminal escape in a file name must not reach the log viewer.
    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(escape_data("a\u{1b}[31mb"), "a\u{fffd}[31mb");
    }

    // A `|` or newline in a message would break the Markdown table row.
    #[test]
    fn markdown_cell_stays_one_cell() {
        assert_eq!(cell("a|b\nc<d>"), "a\\|b<br>c&lt;d&gt;");
    }
}
