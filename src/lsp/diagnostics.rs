//! A lint report as LSP diagnostics, grouped by file URI: one diagnostic per finding
//! (labels become related information) and per file that could not be analysed.

use super::position::{Encoding, Lines};
use crate::engine::Report;
use crate::finding::{FileError, Finding, Severity};
use crate::rules;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `Diagnostic.source` of everything pairlint publishes.
pub const SOURCE: &str = "pairlint";
/// Code of a file pairlint could not read or parse (the rest of the crate is still linted).
pub const FILE_ERROR: &str = "file-error";
/// Code of an invalid configuration, published on the configuration file.
pub const CONFIG_ERROR: &str = "config-error";

/// The diagnostics of one analysis, by file. Report paths are relative to `root` (or
/// absolute); texts for position conversion come from the report itself.
pub fn from_report(report: &Report, root: &Path, encoding: Encoding) -> BTreeMap<Url, Vec<Diagnostic>> {
    let mut out: BTreeMap<Url, Vec<Diagnostic>> = BTreeMap::new();
    let texts: HashMap<&Path, Lines<'_>> =
        report.sources.iter().map(|(path, text)| (path.as_path(), Lines::new(text))).collect();
    let empty = Lines::new("");
    let lines_of = |path: &Path| texts.get(path).unwrap_or(&empty);
    for finding in &report.findings {
        let Some(uri) = file_uri(root, &finding.location.file) else {
            continue;
        };
        let diagnostic = finding_diagnostic(finding, root, encoding, &lines_of);
        out.entry(uri).or_default().push(diagnostic);
    }
    for error in &report.errors {
        let Some(uri) = file_uri(root, &error.file) else {
            continue;
        };
        let diagnostic = file_error_diagnostic(error, lines_of(&error.file), encoding);
        out.entry(uri).or_default().push(diagnostic);
    }
    out
}

/// The `file://` URI of a report path.
pub fn file_uri(root: &Path, path: &Path) -> Option<Url> {
    Url::from_file_path(absolute(root, path)).ok()
}

fn absolute(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

fn finding_diagnostic<'a>(
    finding: &Finding,
    root: &Path,
    encoding: Encoding,
    lines_of: &dyn Fn(&Path) -> &'a Lines<'a>,
) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .labels
        .iter()
        .filter_map(|label| {
            let uri = file_uri(root, &label.location.file)?;
            let range = lines_of(&label.location.file).range(&label.location.span, encoding);
            Some(DiagnosticRelatedInformation { location: Location::new(uri, range), message: label.message.clone() })
        })
        .collect();
    Diagnostic {
        range: lines_of(&finding.location.file).range(&finding.location.span, encoding),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: rule_doc_uri(finding.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        // Clients show `message`; the fix lives here (and in the hover), as the human
        // output's `help:` line.
        data: Some(json!({ "rule": finding.rule, "name": finding.name, "help": finding.help })),
    }
}

fn file_error_diagnostic(error: &FileError, lines: &Lines<'_>, encoding: Encoding) -> Diagnostic {
    let start = lines.position(error.line, error.column, encoding);
    Diagnostic {
        range: lsp_types::Range::new(start, start),
        // Information, not error: while typing, a half-written file fails to parse on
        // every pause, and rustc/rust-analyzer already report the syntax error itself.
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String(FILE_ERROR.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: format!("pairlint could not analyse this file: {}", error.message),
        related_information: None,
        tags: None,
        data: None,
    }
}

/// The rule code of a diagnostic pairlint published for a rule (not for a file or
/// config error, nor another tool's diagnostic).
pub fn rule_code(diagnostic: &Diagnostic) -> Option<&'static str> {
    if diagnostic.source.as_deref() != Some(SOURCE) {
        return None;
    }
    match &diagnostic.code {
        Some(NumberOrString::String(code)) => rules::find(code).map(|r| r.code),
        _ => None,
    }
}

/// Hover text for one of our rule diagnostics: the rule, the message and the fix.
pub fn hover_markdown(diagnostic: &Diagnostic) -> Option<String> {
    let rule = rules::find(rule_code(diagnostic)?)?;
    let help = diagnostic.data.as_ref().and_then(|d| d.get("help")).and_then(|h| h.as_str()).unwrap_or("");
    let mut text = format!("**{} {}**: {}\n\n{}", rule.code, rule.name, rule.summary, diagnostic.message);
    if !help.is_empty() {
        text.push_str(&format!("\n\nhelp: {help}"));
    }
    if let Some(uri) = rule_doc_uri(rule.code) {
        text.push_str(&format!("\n\n[rule documentation]({uri}) (or `cargo pairlint explain {}`)", rule.code));
    }
    Some(text)
}

/// Where a rule's documentation is, as a `file://` URI editors can open: the
/// `rules/PL00N.md` of the source tree this binary was built from when it is still
/// there unchanged (`cargo install --path`/`--git` keep it), else a copy of the
/// embedded doc written once to the user's cache directory. None if neither works.
pub fn rule_doc_uri(code: &str) -> Option<Url> {
    static URIS: OnceLock<HashMap<&'static str, Url>> = OnceLock::new();
    URIS.get_or_init(|| {
        rules::RULES
            .iter()
            .filter_map(|rule| doc_file(rule).and_then(|p| Url::from_file_path(p).ok()).map(|u| (rule.code, u)))
            .collect()
    })
    .get(code)
    .cloned()
}

fn doc_file(rule: &rules::Rule) -> Option<PathBuf> {
    let name = format!("{}.md", rule.code);
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(&name);
    if std::fs::read_to_string(&built_from).is_ok_and(|text| text == rule.doc) {
        return Some(built_from);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = cache.join("pairlint").join(env!("CARGO_PKG_VERSION")).join("rules");
    let copy = dir.join(&name);
    if std::fs::read_to_string(&copy).is_ok_and(|text| text == rule.doc) {
        return Some(copy);
    }
    // Through the cache writer like every other file (it makes the directories): two
    // editors starting at once never see half a doc.
    crate::atomic::write_atomic_unsynced(&copy, rule.doc.as_bytes()).ok()?;
    Some(copy)
}
