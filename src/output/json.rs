//! `--format json`: one JSON document on stdout, in the documented version-1 shape.

use super::path_string;
use crate::engine::Report;
use crate::finding::{Finding, Location};
use serde_json::{json, Value};

fn location(loc: &Location) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("file".into(), json!(path_string(&loc.file)));
    m.insert("line".into(), json!(loc.span.line));
    m.insert("column".into(), json!(loc.span.column));
    m.insert("end_line".into(), json!(loc.span.end_line));
    m.insert("end_column".into(), json!(loc.span.end_column));
    m
}

fn finding(f: &Finding) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("rule".into(), json!(f.rule));
    m.insert("name".into(), json!(f.name));
    m.insert("severity".into(), json!(f.severity));
    m.insert("confidence".into(), json!(f.confidence));
    m.extend(location(&f.location));
    m.insert("message".into(), json!(f.message));
    m.insert("help".into(), json!(f.help));
    let labels: Vec<Value> = f
        .labels
        .iter()
        .map(|l| {
            let mut lm = location(&l.location);
            lm.insert("message".into(), json!(l.message));
            Value::Object(lm)
        })
        .collect();
    m.insert("labels".into(), Value::Array(labels));
    Value::Object(m)
}

/// The report as the version-1 JSON document.
pub fn to_value(report: &Report) -> Value {
    let mut doc = json!({
        "version": 1,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": report.errors.iter().map(|e| json!({
            "file": path_string(&e.file),
            "line": e.line,
            "column": e.column,
            "message": e.message,
        })).collect::<Vec<_>>(),
        "summary": {
            "files": report.files,
            "findings": report.findings.len(),
            "errors": report.errors.len(),
            "suppressed": report.suppressed.len(),
            // Every `.rs` file under the linted paths is in `files` (linted) or in
            // `not_linted`, which is the sum of the four counts after it.
            "not_linted": report.coverage.not_linted(),
            "not_compiled": report.coverage.not_compiled.len(),
            "test_targets": report.coverage.test_targets.len(),
            "excluded": report.coverage.excluded.len(),
            "unreadable": report.coverage.unreadable,
            "generated_modules": report.coverage.generated_modules,
            // Items, not files: not part of `not_linted`.
            "test_items": report.coverage.test_items,
        }
    });
    // Present only when `--baseline` / `--new-from-*` were used, so plain runs keep
    // the exact version-1 shape.
    let gates = [("baselined", report.baselined), ("outside_diff", report.outside_diff)];
    for (key, n) in gates {
        if let (Some(n), Some(summary)) = (n, doc["summary"].as_object_mut()) {
            summary.insert(key.into(), json!(n));
        }
    }
    // Notes about the run itself (an analysis bound was hit), only when there are some.
    if !report.notes.is_empty() {
        doc["notes"] = json!(report.notes);
    }
    doc
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
