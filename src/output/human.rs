//! Human output: every finding rendered by miette with its source snippet, labels and
//! help, then a summary line.

use super::{path_string, HumanOptions};
use crate::engine::Report;
use crate::finding::{Confidence, FileError, Finding, Location, Severity};
use crate::source::LineIndex;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// A named source whose span contents count columns in characters, as every other
/// output does. miette's own `SourceCode` for text counts bytes, so the snippet header
/// (`[file:line:col]`) disagreed with the JSON on lines with non-ASCII text.
#[derive(Debug)]
struct CharColumns(NamedSource<String>);

impl CharColumns {
    fn new(name: String, text: String) -> Self {
        CharColumns(NamedSource::new(name, text))
    }
    fn with_language(self, language: &str) -> Self {
        CharColumns(self.0.with_language(language))
    }
}

impl miette::SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self.0.read_span(span, before, after)?;
        let text = self.0.inner().as_str();
        let start = contents.span().offset().min(text.len());
        let line_start = text.as_bytes()[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = text.get(line_start..start).map_or(contents.column(), |t| t.chars().count());
        let mut fixed = miette::MietteSpanContents::new_named(
            contents.name().unwrap_or_default().to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        );
        if let Some(language) = contents.language() {
            fixed = fixed.with_language(language);
        }
        Ok(Box::new(fixed))
    }
}

/// A finding or file error shaped for miette.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<CharColumns>,
    labels: Vec<LabeledSpan>,
    /// Labels in other files, each shown with its own snippet.
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

pub use crate::terminal::sanitize;
use crate::terminal::sanitize_line;

/// A path as shown to people: `/`-separated, on one line, with no control characters
/// (a file name can hold an escape sequence or a newline).
fn shown(path: &std::path::Path) -> String {
    sanitize_line(&path_string(path))
}

/// Labels more than this many lines from the primary span are shown separately.
const MAX_LABEL_DISTANCE: u32 = 6;

/// Lines longer than this are not quoted: a snippet of a minified or generated line
/// says nothing the position does not.
const MAX_QUOTED_LINE: usize = 400;

fn quotable(text: &str, line: u32) -> bool {
    text.lines().nth(line.saturating_sub(1) as usize).is_none_or(|l| l.len() <= MAX_QUOTED_LINE)
}

fn span_of(text: &str, loc: &Location) -> SourceSpan {
    let start = loc.span.byte_start.min(text.len());
    let end = loc.span.byte_end.clamp(start, text.len());
    if start == 0 && end == 0 && loc.span.line > 1 {
        // Spans made from a line/column only (suppression warnings).
        let idx = LineIndex::new(text);
        let s = idx.offset(loc.span.line as usize, loc.span.column.saturating_sub(1) as usize);
        let e =
            idx.offset(loc.span.end_line.max(loc.span.line) as usize, loc.span.end_column.saturating_sub(1) as usize);
        return SourceSpan::from((s, e.saturating_sub(s)));
    }
    SourceSpan::from((start, end - start))
}

fn finding_diag(f: &Finding, report: &Report) -> Rendered {
    let text = report.sources.get(&f.location.file).filter(|t| quotable(t, f.location.span.line)).map(|t| sanitize(t));
    let mut labels = Vec::new();
    let mut related = Vec::new();
    let mut primary_labelled = false;
    for l in &f.labels {
        // A label far from the primary span (the fn signature above a long body) gets
        // its own snippet instead of stretching the main one over the whole fn.
        let near = l.location.span.line.abs_diff(f.location.span.line) <= MAX_LABEL_DISTANCE;
        let same_file = l.location.file == f.location.file && near;
        if same_file {
            if let Some(t) = &text {
                let is_primary = l.location.span == f.location.span;
                primary_labelled |= is_primary;
                let span = span_of(t, &l.location);
                labels.push(if is_primary {
                    LabeledSpan::new_primary_with_span(Some(sanitize_line(&l.message)), span)
                } else {
                    LabeledSpan::new_with_span(Some(sanitize_line(&l.message)), span)
                });
            }
        } else if let Some(other) = report.sources.get(&l.location.file) {
            let other = sanitize(other);
            let span = span_of(&other, &l.location);
            related.push(Rendered {
                message: format!(
                    "{} ({}:{}:{})",
                    sanitize_line(&l.message),
                    shown(&l.location.file),
                    l.location.span.line,
                    l.location.span.column
                ),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                labels: vec![LabeledSpan::new_primary_with_span(Some(sanitize_line(&l.message)), span)],
                source: Some(CharColumns::new(shown(&l.location.file), other)),
                related: Vec::new(),
            });
        }
    }
    if !primary_labelled {
        if let Some(t) = &text {
            labels.insert(0, LabeledSpan::new_primary_with_span(Some(f.name.to_string()), span_of(t, &f.location)));
        }
    }
    Rendered {
        message: sanitize_line(&f.message),
        code: Some(if f.rule == f.name {
            f.rule.to_string()
        } else {
            let confidence = match f.confidence {
                Confidence::High => "high",
                Confidence::Medium => "medium",
            };
            format!("{} {} (confidence: {confidence})", f.rule, f.name)
        }),
        severity: match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: Some(sanitize_line(&f.help)),
        source: text.map(|t| CharColumns::new(shown(&f.location.file), t).with_language("Rust")),
        labels,
        related,
    }
}

fn error_diag(e: &FileError, report: &Report) -> Rendered {
    let text = report.sources.get(&e.file).filter(|t| e.line > 0 && quotable(t, e.line)).map(|t| sanitize(t));
    let labels = text
        .as_ref()
        .map(|t| {
            let idx = LineIndex::new(t);
            let off = idx.offset(e.line as usize, e.column.saturating_sub(1) as usize);
            vec![LabeledSpan::new_primary_with_span(Some("here".into()), SourceSpan::from((off, 0)))]
        })
        .unwrap_or_default();
    let position = if e.line > 0 { format!(":{}:{}", e.line, e.column) } else { String::new() };
    Rendered {
        message: format!("{}{}: {}", shown(&e.file), position, sanitize_line(&e.message)),
        code: None,
        severity: miette::Severity::Error,
        help: None,
        source: text.map(|t| CharColumns::new(shown(&e.file), t)),
        labels,
        related: Vec::new(),
    }
}

fn handler(opts: &HumanOptions) -> GraphicalReportHandler {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_context_lines(1)
}

/// Renders one miette diagnostic (config errors, usage errors) the same way.
pub fn render_diagnostic(diag: &dyn Diagnostic, opts: &HumanOptions) -> String {
    let mut out = String::new();
    if handler(opts).render_report(&mut out, diag).is_err() {
        out = format!("{diag}\n");
    }
    out
}

pub fn render(report: &Report, opts: &HumanOptions) -> String {
    let handler = handler(opts);
    let mut out = String::new();
    for e in &report.errors {
        let _ = handler.render_report(&mut out, &error_diag(e, report));
        out.push('\n');
    }
    for f in &report.findings {
        let _ = handler.render_report(&mut out, &finding_diag(f, report));
        out.push('\n');
    }
    for note in &report.notes {
        out.push_str(&format!("note: {}\n", sanitize(note)));
    }
    out.push_str(&coverage_notes(report, opts));
    out.push_str(&summary_line(report));
    out
}

/// What was left out and why, one note per reason (each file with `--verbose` for files
/// no target compiles), so "N files not linted" in the summary is never a mystery.
pub fn coverage_notes(report: &Report, opts: &HumanOptions) -> String {
    let c = &report.coverage;
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    let mut out = String::new();
    if !c.test_targets.is_empty() {
        out.push_str(&format!(
            "note: {} in test, bench and example targets and test modules not linted (use --include-tests)\n",
            files(c.test_targets.len())
        ));
    }
    if c.test_items > 0 {
        out.push_str(&format!(
            "note: {} in linted files not linted: `#[cfg(test)]` items and `#[test]` fns (use --include-tests)\n",
            if c.test_items == 1 { "1 test item".to_string() } else { format!("{} test items", c.test_items) }
        ));
    }
    if !c.not_compiled.is_empty() {
        if opts.verbose {
            for file in &c.not_compiled {
                out.push_str(&format!("note: not linted, no target compiles it: {}\n", shown(file)));
            }
        } else {
            out.push_str(&format!(
                "note: {} not linted: no target compiles them (list them with --verbose)\n",
                files(c.not_compiled.len())
            ));
        }
    }
    if !c.excluded.is_empty() {
        out.push_str(&format!("note: {} excluded by the configuration\n", files(c.excluded.len())));
    }
    out
}

/// `pairlint: 3 files checked: 1 error, 0 warnings, 0 files not linted, 0 suppressed`
/// (then `, 2 baselined` / `, 4 outside the diff` when those filters were used)
pub fn summary_line(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "pairlint: {} checked: {}, {}, {} not linted, {} suppressed",
        plural(report.files, "file"),
        plural(report.error_count(), "error"),
        plural(report.warning_count(), "warning"),
        plural(report.coverage.not_linted(), "file"),
        report.suppressed.len()
    );
    // Gating counts appear only when the gate was asked for.
    if let Some(n) = report.baselined {
        line.push_str(&format!(", {n} baselined"));
    }
    if let Some(n) = report.outside_diff {
        line.push_str(&format!(", {n} outside the diff"));
    }
    line.push('\n');
    line
}

/// One finding rendered alone (what `rustc-json` puts in `rendered`).
pub fn render_finding(finding: &Finding, report: &Report, opts: &HumanOptions) -> String {
    let mut out = String::new();
    let _ = handler(opts).render_report(&mut out, &finding_diag(finding, report));
    out
}

/// One file error rendered alone.
pub fn render_file_error(error: &FileError, report: &Report, opts: &HumanOptions) -> String {
    let mut out = String::new();
    let _ = handler(opts).render_report(&mut out, &error_diag(error, report));
    out
}
