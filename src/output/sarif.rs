//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (`upload-sarif`) and other
//! SARIF viewers. One run; rules from the registry (plus the suppression meta warnings),
//! one result per finding, suppressed findings as results with an `inSource`
//! suppression, file errors as tool execution notifications.

use super::human::sanitize;
use super::path_string;
use crate::engine::{Report, INVALID_SUPPRESSION, UNUSED_SUPPRESSION};
use crate::finding::{Finding, Location, Severity};
use crate::rules::{self, Rule};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The `$schema` the document declares: the OASIS errata01 schema, the same document
/// as the `id` inside the official schema file.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base every relative artifact URI is resolved against; GitHub resolves it to
/// the repository checkout.
pub const SRCROOT: &str = "%SRCROOT%";

/// Lines longer than this are not quoted in snippets (generated or minified code).
const MAX_SNIPPET_LINE: usize = 400;

/// A rule as SARIF describes it: the registry's four, plus the two meta warnings the
/// engine emits about suppression comments, so every result's ruleId resolves.
struct RuleEntry {
    id: &'static str,
    name: &'static str,
    level: Severity,
    short: &'static str,
    full: String,
    doc: String,
    help_uri: String,
    tags: &'static [&'static str],
}

fn repository() -> &'static str {
    env!("CARGO_PKG_REPOSITORY")
}

/// The first paragraph under `## What it does`, joined into one line.
fn what_it_does(doc: &str) -> String {
    let section = doc.split("## What it does").nth(1).unwrap_or(doc);
    let paragraph = section.trim_start().split("\n\n").next().unwrap_or("");
    paragraph.lines().map(str::trim).filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join(" ")
}

fn registry_entry(rule: &Rule) -> RuleEntry {
    RuleEntry {
        id: rule.code,
        name: rule.name,
        level: rule.default_severity,
        short: rule.summary,
        full: what_it_does(rule.doc),
        doc: rule.doc.to_string(),
        help_uri: format!("{}/blob/main/rules/{}.md", repository(), rule.code),
        // CWE-488: "Exposure of Data Element to Wrong Session", which is what every
        // pairlint rule is about.
        tags: &["security", "correctness", "external/cwe/cwe-488"],
    }
}

fn meta_entry(id: &'static str, short: &'static str, full: &str) -> RuleEntry {
    RuleEntry {
        id,
        name: id,
        level: Severity::Warning,
        short,
        full: full.to_string(),
        doc: format!(
            "# {id}\n\n{full}\n\nSuppression comments are written `// pairlint: allow(PL001) reason` on \
             the line of the finding, the line above it, or before the item (`fn`, `impl`, `mod`) \
             that holds it."
        ),
        help_uri: format!("{}#suppression", repository()),
        tags: &["maintainability"],
    }
}

fn rule_entries() -> Vec<RuleEntry> {
    let mut entries: Vec<RuleEntry> = rules::RULES.iter().map(|r| registry_entry(r)).collect();
    entries.push(meta_entry(
        UNUSED_SUPPRESSION,
        "a suppression comment suppresses nothing",
        "A `// pairlint: allow(...)` comment that silenced no finding: the code it covered \
         changed, or it names the wrong rule. Remove it or fix the rule code.",
    ));
    entries.push(meta_entry(
        INVALID_SUPPRESSION,
        "a `pairlint:` comment does not parse",
        "A comment starting with `pairlint:` that is not a valid suppression, so it \
         suppresses nothing.",
    ));
    entries
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_json(r: &RuleEntry) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.short},
        "fullDescription": {"text": r.full},
        "help": {"text": r.doc, "markdown": r.doc},
        "helpUri": r.help_uri,
        "defaultConfiguration": {"level": level(r.level)},
        "properties": {"tags": r.tags},
    })
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/`
/// percent-encoded, so spaces, `#`, `%` or `?` in a file name stay part of the path.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact_location(file: &Path) -> Value {
    let shown = path_string(file);
    if file.is_absolute() {
        // A file outside the workspace root (given on the command line): no base.
        let path = if shown.starts_with('/') { shown } else { format!("/{shown}") };
        json!({"uri": format!("file://{}", uri_path(&path))})
    } else {
        json!({"uri": uri_path(&shown), "uriBaseId": SRCROOT})
    }
}

/// The source lines a location covers, if the file's text is known.
fn covered_lines<'a>(report: &'a Report, loc: &Location) -> Option<Vec<&'a str>> {
    let text = report.sources.get(&loc.file)?;
    let first = loc.span.line.max(1) as usize;
    let last = loc.span.end_line.max(loc.span.line).max(1) as usize;
    let lines: Vec<&str> =
        text.lines().skip(first - 1).take(last - first + 1).map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    (!lines.is_empty()).then_some(lines)
}

fn region(loc: &Location, snippet: Option<&[&str]>) -> Value {
    let s = &loc.span;
    let start_line = s.line.max(1);
    let start_column = s.column.max(1);
    let end_line = s.end_line.max(start_line);
    let mut end_column = s.end_column.max(1);
    if end_line == start_line {
        end_column = end_column.max(start_column);
    }
    let mut r = json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    });
    if let Some(lines) = snippet {
        if lines.iter().all(|l| l.len() <= MAX_SNIPPET_LINE) {
            r["snippet"] = json!({"text": sanitize(&lines.join("\n"))});
        }
    }
    r
}

fn physical_location(report: &Report, loc: &Location, with_snippet: bool) -> Value {
    let lines = if with_snippet { covered_lines(report, loc) } else { None };
    json!({
        "artifactLocation": artifact_location(&loc.file),
        "region": region(loc, lines.as_deref()),
    })
}

/// 64-bit XXH3 of the parts, each followed by a 0 byte: the hash the cache already
/// uses, and, unlike std's hashers, a published function whose value is fixed across
/// builds and platforms, which a fingerprint stored by GitHub across runs needs.
fn fingerprint_hash(parts: &[&str]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.digest()
}

/// What identifies a finding across edits: its rule, its file and the text of its
/// primary line(s) with all whitespace dropped. Not the line number, so inserting
/// code above a finding does not make it a new alert.
fn fingerprint_key(report: &Report, f: &Finding) -> (String, String, String) {
    let text = covered_lines(report, &f.location)
        .map(|lines| lines.iter().map(|l| l.split_whitespace().collect::<String>()).collect::<Vec<_>>().join("\n"))
        // No source text (should not happen): the message is the next most stable thing.
        .unwrap_or_else(|| f.message.clone());
    (f.rule.to_string(), path_string(&f.location.file), text)
}

/// `primaryLocationLineHash` for every result, in result order: the hash of the key
/// plus the occurrence index of that key in the file, as `HEX:N` (CodeQL's shape).
fn fingerprints(report: &Report, results: &[(&Finding, Option<&str>)]) -> Vec<String> {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    results
        .iter()
        .map(|(f, _)| {
            let key = fingerprint_key(report, f);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            format!("{:016x}:{}", fingerprint_hash(&[&key.0, &key.1, &key.2]), n)
        })
        .collect()
}

fn result_json(
    report: &Report,
    f: &Finding,
    suppression: Option<&str>,
    fingerprint: &str,
    rule_index: &BTreeMap<&str, usize>,
) -> Value {
    let message = if f.help.is_empty() { f.message.clone() } else { format!("{}\nhelp: {}", f.message, f.help) };
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": sanitize(&message)},
        "locations": [{"physicalLocation": physical_location(report, &f.location, true)}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
        "properties": {"confidence": f.confidence},
    });
    if let Some(i) = rule_index.get(f.rule) {
        result["ruleIndex"] = json!(i);
    }
    if !f.labels.is_empty() {
        let related: Vec<Value> = f
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical_location(report, &l.location, false),
                    "message": {"text": sanitize(&l.message)},
                })
            })
            .collect();
        result["relatedLocations"] = Value::Array(related);
        // The path a reader follows: where the requester and the item come from, then
        // the place the finding is about.
        let mut steps: Vec<Value> = f
            .labels
            .iter()
            .map(|l| {
                json!({"location": {
                    "physicalLocation": physical_location(report, &l.location, false),
                    "message": {"text": sanitize(&l.message)},
                }})
            })
            .collect();
        steps.push(json!({"location": {
            "physicalLocation": physical_location(report, &f.location, false),
            "message": {"text": sanitize(&f.message)},
        }}));
        result["codeFlows"] = json!([{"threadFlows": [{"locations": steps}]}]);
    }
    if let Some(reason) = suppression {
        result["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
    }
    result
}

/// The report as a SARIF 2.1.0 log.
pub fn to_value(report: &Report) -> Value {
    let entries = rule_entries();
    let rule_index: BTreeMap<&str, usize> = entries.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    // Findings and suppressed findings in one location order, so a finding keeps its
    // occurrence index (and so its fingerprint) when it is suppressed or unsuppressed.
    let mut results: Vec<(&Finding, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s.reason.as_str()))))
        .collect();
    results.sort_by(|a, b| (&a.0.location, a.0.rule).cmp(&(&b.0.location, b.0.rule)));
    let prints = fingerprints(report, &results);
    let results: Vec<Value> =
        results.iter().zip(&prints).map(|((f, why), print)| result_json(report, f, *why, print, &rule_index)).collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut physical = json!({"artifactLocation": artifact_location(&e.file)});
            if e.line > 0 {
                physical["region"] = json!({"startLine": e.line, "startColumn": e.column.max(1)});
            }
            json!({
                "level": "error",
                "message": {"text": sanitize(&e.message)},
                "locations": [{"physicalLocation": physical}],
            })
        })
        .chain(report.notes.iter().map(|n| json!({"level": "note", "message": {"text": sanitize(n)}})))
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pairlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": repository(),
                "rules": entries.iter().map(rule_json).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            // Our columns count Unicode scalar values, like rustc's; SARIF's default
            // is UTF-16 code units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    // Paths with spaces or `#` must stay one valid relative URI, or GitHub drops the location.
    #[test]
    fn uri_path_encodes_reserved_bytes() {
        assert_eq!(uri_path("src/a b#c%.rs"), "src/a%20b%23c%25.rs");
        assert_eq!(uri_path("src/é.rs"), "src/%C3%A9.rs");
        assert_eq!(uri_path("src/lib.rs"), "src/lib.rs");
    }

    // The fingerprint hash must never change between builds or platforms.
    #[test]
    fn fingerprint_hash_is_the_published_function() {
        // XXH3-64 of the empty input is 2d06800538d394c2 (xxHash's own sanity vector).
        assert_eq!(xxhash_rust::xxh3::Xxh3::new().digest(), 0x2d06_8005_38d3_94c2);
        assert_eq!(fingerprint_hash(&["a"]), xxhash_rust::xxh3::xxh3_64(b"a\0"));
        assert_ne!(fingerprint_hash(&["ab", "c"]), fingerprint_hash(&["a", "bc"]));
    }

    // Every rule doc has a "What it does" paragraph; the SARIF fullDescription is it.
    #[test]
    fn full_description_is_first_paragraph() {
        for r in rules::RULES {
            let full = what_it_does(r.doc);
            assert!(full.len() > 40 && !full.contains('\n'), "{}: {full}", r.code);
        }
    }
}
