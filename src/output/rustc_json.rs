//! `--format rustc-json` (also `--message-format=json`): cargo's JSON message stream,
//! one `compiler-message` per finding or file error with the diagnostic shaped as
//! rustc's `--error-format=json`, then one `build-finished`. This is what editors
//! (rust-analyzer's `check.overrideCommand`) and cargo-aware tools parse.

use super::human::{render_file_error, render_finding, sanitize};
use super::path_string;
use super::HumanOptions;
use crate::engine::Report;
use crate::finding::{FileError, Finding, Location, Severity, Span};
use crate::rules;
use crate::source::LineIndex;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A package the messages can be attributed to: cargo puts its id, manifest and target
/// on every message, and parsers require them.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    /// The directory holding `Cargo.toml` (absolute in workspace mode).
    pub manifest_dir: PathBuf,
    /// Its files, as the report shows them.
    pub files: Vec<PathBuf>,
}

/// The packages of the run, to fill each message's `package_id` and `target`.
#[derive(Debug, Clone, Default)]
pub struct Packages(pub Vec<Package>);

impl Packages {
    /// The package that compiles `file`; none (not another package's) when no package
    /// lists it, so a message is never attributed to the wrong crate.
    fn of(&self, file: &Path) -> Option<&Package> {
        self.0.iter().find(|p| p.files.iter().any(|f| f == file))
    }
}

fn package_fields(packages: &Packages, file: &Path) -> (String, String, Value) {
    let fallback = Package { name: "pairlint-input".into(), manifest_dir: PathBuf::from("."), files: Vec::new() };
    let p = packages.of(file).unwrap_or(&fallback);
    let dir = path_string(&p.manifest_dir);
    // The conventional library root; outputs never touch the file system to check.
    let src_path = p.manifest_dir.join("src/lib.rs");
    // Cargo's target names use `_` where package names use `-`.
    let target_name = p.name.replace('-', "_");
    (
        format!("path+file://{dir}#{}", p.name),
        format!("{dir}/Cargo.toml"),
        json!({
            "kind": ["lib"],
            "crate_types": ["lib"],
            "name": target_name,
            "src_path": path_string(&src_path),
            "edition": "2021",
            "doc": true,
            "doctest": true,
            "test": true,
        }),
    )
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Byte range of a span; spans made from a line/column only (the suppression
/// warnings) carry no bytes, so they are computed from the text.
fn byte_range(text: Option<&str>, span: &Span) -> (usize, usize) {
    match text {
        Some(t) if span.byte_start == 0 && span.byte_end == 0 && span.line > 0 => {
            let idx = LineIndex::new(t);
            let start = idx.offset(span.line as usize, span.column.saturating_sub(1) as usize);
            let end = idx.offset(span.end_line.max(span.line) as usize, span.end_column.saturating_sub(1) as usize);
            (start, end.max(start))
        }
        _ => (span.byte_start, span.byte_end.max(span.byte_start)),
    }
}

/// rustc's `text`: every line the span touches, with the highlighted character range
/// (1-based, end exclusive).
fn span_lines(text: Option<&str>, span: &Span) -> Vec<Value> {
    let Some(text) = text else { return Vec::new() };
    let first = span.line.max(1);
    let last = span.end_line.max(first);
    text.lines()
        .enumerate()
        .skip(first as usize - 1)
        .take((last - first + 1) as usize)
        .map(|(i, line)| {
            let n = i as u32 + 1;
            let line = sanitize(line.strip_suffix('\r').unwrap_or(line));
            let width = line.chars().count() as u32 + 1;
            let start = if n == first { span.column.max(1) } else { 1 };
            let end = if n == last { span.end_column.max(1) } else { width };
            json!({"text": line, "highlight_start": start, "highlight_end": end.max(start)})
        })
        .collect()
}

fn span_json(report: &Report, loc: &Location, is_primary: bool, label: Option<&str>) -> Value {
    let text = report.sources.get(&loc.file).map(String::as_str);
    let s = &loc.span;
    let (byte_start, byte_end) = byte_range(text, s);
    let line_start = s.line.max(1);
    let line_end = s.end_line.max(line_start);
    let column_start = s.column.max(1);
    let column_end = if line_end == line_start { s.end_column.max(column_start) } else { s.end_column.max(1) };
    json!({
        "file_name": path_string(&loc.file),
        "byte_start": byte_start,
        "byte_end": byte_end,
        "line_start": line_start,
        "line_end": line_end,
        "column_start": column_start,
        "column_end": column_end,
        "is_primary": is_primary,
        "text": span_lines(text, s),
        "label": label.map(sanitize),
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}

fn help_child(help: &str) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": sanitize(help),
        "code": null,
        "level": "help",
        "spans": [],
        "children": [],
        "rendered": null,
    })
}

fn finding_diagnostic(f: &Finding, report: &Report, opts: &HumanOptions) -> Value {
    // A label on the primary span itself becomes the primary span's label.
    let primary_label = f.labels.iter().find(|l| l.location == f.location).map(|l| l.message.as_str());
    let mut spans = vec![span_json(report, &f.location, true, primary_label)];
    spans.extend(
        f.labels
            .iter()
            .filter(|l| l.location != f.location)
            .map(|l| span_json(report, &l.location, false, Some(&l.message))),
    );
    let explanation = rules::find(f.rule).map(|r| r.doc);
    let children: Vec<Value> = if f.help.is_empty() { Vec::new() } else { vec![help_child(&f.help)] };
    json!({
        "$message_type": "diagnostic",
        "message": sanitize(&f.message),
        "code": {"code": f.rule, "explanation": explanation},
        "level": level(f.severity),
        "spans": spans,
        "children": children,
        "rendered": render_finding(f, report, opts),
    })
}

fn error_diagnostic(e: &FileError, report: &Report, opts: &HumanOptions) -> Value {
    let spans = if e.line > 0 {
        let loc = Location {
            file: e.file.clone(),
            span: Span {
                line: e.line,
                column: e.column.max(1),
                end_line: e.line,
                end_column: e.column.max(1),
                byte_start: 0,
                byte_end: 0,
            },
        };
        vec![span_json(report, &loc, true, None)]
    } else {
        Vec::new()
    };
    json!({
        "$message_type": "diagnostic",
        "message": format!("pairlint could not lint this file: {}", sanitize(&e.message)),
        "code": null,
        "level": "error",
        "spans": spans,
        "children": [],
        "rendered": render_file_error(e, report, opts),
    })
}

fn compiler_message(packages: &Packages, file: &Path, message: Value) -> String {
    let (package_id, manifest_path, target) = package_fields(packages, file);
    // Written by hand so that `reason` comes first, as in cargo's own output (serde_json
    // objects sort their keys); line-oriented tools match on that prefix.
    format!(
        "{{\"reason\":\"compiler-message\",\"package_id\":{},\"manifest_path\":{},\"target\":{},\"message\":{}}}\n",
        Value::from(package_id),
        Value::from(manifest_path),
        target,
        message
    )
}

/// One `compiler-message` line per file error and finding (no `build-finished`).
pub fn render_messages(report: &Report, packages: &Packages, opts: &HumanOptions) -> String {
    // `rendered` is shown by editors as plain text: never colour it.
    let opts = &HumanOptions { color: false, ..*opts };
    let mut out = String::new();
    for e in &report.errors {
        out.push_str(&compiler_message(packages, &e.file, error_diagnostic(e, report, opts)));
    }
    for f in &report.findings {
        out.push_str(&compiler_message(packages, &f.location.file, finding_diagnostic(f, report, opts)));
    }
    out
}

/// The stream's last line.
pub fn build_finished(success: bool) -> String {
    format!("{{\"reason\":\"build-finished\",\"success\":{success}}}\n")
}
