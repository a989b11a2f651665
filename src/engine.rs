//! The lint pipeline: read files, extract facts per file, analyse per crate, run the
//! rules, then apply levels and suppressions. Knows nothing of output formats.

use crate::analysis::CrateModel;
use crate::config::{Config, Level};
use crate::discover::Discovery;
use crate::extract;
use crate::finding::{Confidence, FileError, Finding, Label, Location, Severity, Span};
use crate::lexcheck;
use crate::model::FileFacts;
use crate::rules::{self, RawFinding};
use crate::source::LineIndex;
use crate::suppress;
use crate::vocab::Vocabulary;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// One file to lint: its path as reported and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// A finding silenced by a suppression comment, with the comment's reason.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}

/// Everything a run found, ready for any output format.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub errors: Vec<FileError>,
    /// Things the user should know about the run itself (an analysis bound was hit).
    pub notes: Vec<String>,
    pub files: usize,
    /// File texts by reported path, for renderers that quote source.
    pub sources: BTreeMap<PathBuf, String>,
    /// Findings left out because a `--baseline` records them (None: no baseline used).
    pub baselined: Option<usize>,
    /// Findings left out because no span of theirs is on a line the diff of
    /// `--new-from-rev`/`--new-from-patch` adds or changes (None: no diff used).
    pub outside_diff: Option<usize>,
}

impl Report {
    pub fn error_count(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    pub fn warning_count(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
    fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.files += other.files;
        self.sources.extend(other.sources);
    }
    fn sort(&mut self) {
        self.findings.sort_by(|a, b| (&a.location, a.rule).cmp(&(&b.location, b.rule)));
        self.errors.sort();
    }
}

/// Lints every crate of a discovery, reading files from disk.
pub fn lint_discovery(discovery: &Discovery, config: &Config) -> Report {
    let vocab = Vocabulary::new(&config.vocabulary);
    let mut report = Report { errors: discovery.errors.clone(), ..Report::default() };
    for unit in &discovery.crates {
        let mut sources = Vec::new();
        for file in &unit.files {
            let shown = display_path(&discovery.workspace_root, file);
            if config.is_excluded(&shown) {
                continue;
            }
            match read_source(file) {
                Ok(text) => sources.push(SourceFile { path: shown, text }),
                Err(message) => report.errors.push(FileError { file: shown, line: 0, column: 0, message }),
            }
        }
        report.merge(lint_crate(&sources, config, &vocab));
    }
    report.sort();
    report
}

/// The path as users should see it: relative to the workspace root when inside it.
pub fn display_path(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| file.to_path_buf())
}

/// Reads a regular file as UTF-8 text (a BOM is dropped). Never opens FIFOs or devices.
pub fn read_source(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file; skipped".into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
}

/// Lints one crate given as in-memory sources (what the demo, the tests and the
/// language server use).
pub fn lint_crate(sources: &[SourceFile], config: &Config, vocab: &Vocabulary) -> Report {
    let mut report = Report { files: sources.len(), ..Report::default() };
    let mut facts: Vec<FileFacts> = Vec::new();
    let mut texts: Vec<&SourceFile> = Vec::new();
    for src in sources {
        report.sources.insert(src.path.clone(), src.text.clone());
        let (depth, at) = lexcheck::max_nesting(&src.text);
        if depth > lexcheck::NESTING_LIMIT {
            let (line, column) = LineIndex::new(&src.text).line_col(at);
            report.errors.push(FileError {
                file: src.path.clone(),
                line,
                column,
                message: format!(
                    "nesting too deep ({depth} levels; pairlint reads at most {})",
                    lexcheck::NESTING_LIMIT
                ),
            });
            continue;
        }
        let extracted = catch_unwind(AssertUnwindSafe(|| extract::extract_file(&src.path, &src.text, vocab)));
        match extracted {
            Ok(Ok(f)) => {
                facts.push(f);
                texts.push(src);
            }
            Ok(Err(e)) => report.errors.push(e),
            Err(_) => report.errors.push(internal_error(&src.path)),
        }
    }
    let raw = catch_unwind(AssertUnwindSafe(|| {
        let model = CrateModel::new(&facts, vocab);
        (rules::run(&model), model.fixpoint_bound_hit)
    }));
    let raw = match raw {
        Ok((raw, bound_hit)) => {
            if bound_hit {
                let first = texts.first().map(|s| s.path.display().to_string()).unwrap_or_default();
                report.notes.push(format!(
                    "the crate containing {first}: helper summaries stopped at the bound of {} rounds before settling; \
                     effects of deeply chained helpers may be missed",
                    crate::analysis::FIXPOINT_BOUND
                ));
            }
            raw
        }
        Err(_) => {
            let path = texts.first().map(|s| s.path.clone()).unwrap_or_default();
            report.errors.push(internal_error(&path));
            Vec::new()
        }
    };
    let mut findings: Vec<Finding> = raw.iter().filter_map(|r| to_finding(r, &facts, config)).collect();
    apply_suppressions(&mut findings, &mut report, &texts, &facts, config);
    for f in findings.iter_mut().chain(report.suppressed.iter_mut().map(|s| &mut s.finding)) {
        f.item = enclosing_item(&facts, &f.location);
    }
    report.findings.extend(findings);
    report.sort();
    report
}

/// The qualified path of the innermost fn whose span holds `loc` (by line and
/// column, so suppression warnings without byte offsets get one too).
fn enclosing_item(facts: &[FileFacts], loc: &Location) -> String {
    let s = loc.span;
    facts
        .iter()
        .filter(|f| f.path == loc.file)
        .flat_map(|f| &f.fns)
        .filter(|f| {
            (f.span.line, f.span.column) <= (s.line, s.column)
                && (s.end_line, s.end_column) <= (f.span.end_line, f.span.end_column)
        })
        .max_by_key(|f| (f.span.line, f.span.column))
        .map(|f| f.qualified.clone())
        .unwrap_or_default()
}

fn internal_error(path: &Path) -> FileError {
    FileError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: "internal error: pairlint panicked while analysing this file (please report it)".into(),
    }
}

fn to_finding(raw: &RawFinding, facts: &[FileFacts], config: &Config) -> Option<Finding> {
    let severity = match config.level(raw.rule.code) {
        Some(Level::Allow) => return None,
        Some(Level::Warn) => Severity::Warning,
        Some(Level::Deny) => Severity::Error,
        None => raw.rule.default_severity,
    };
    let path = |i: usize| facts.get(i).map(|f| f.path.clone()).unwrap_or_default();
    Some(Finding {
        rule: raw.rule.code,
        name: raw.rule.name,
        severity,
        confidence: raw.confidence,
        location: Location { file: path(raw.file), span: raw.span },
        message: raw.message.clone(),
        help: raw.help.clone(),
        item: String::new(),
        labels: raw
            .labels
            .iter()
            .map(|(f, span, message)| Label {
                location: Location { file: path(*f), span: *span },
                message: message.clone(),
            })
            .collect(),
    })
}

/// Code of the warning for a suppression comment that silenced nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
/// Code of the warning for a `pairlint:` comment that does not parse.
pub const INVALID_SUPPRESSION: &str = "invalid-suppression";

fn apply_suppressions(
    findings: &mut Vec<Finding>,
    report: &mut Report,
    texts: &[&SourceFile],
    facts: &[FileFacts],
    config: &Config,
) {
    let mut kept = Vec::new();
    let mut scanned = Vec::new();
    for (src, f) in texts.iter().zip(facts) {
        let (comments, errors) = suppress::scan(&src.text);
        for e in errors {
            kept.push(meta_warning(INVALID_SUPPRESSION, &src.path, e.line, e.column, e.column, e.message.clone()));
        }
        let covered: Vec<(u32, u32)> =
            comments.iter().map(|c| suppress::covered_lines_in(&src.text, c, &f.item_lines)).collect();
        scanned.push((src.path.clone(), comments, covered, vec![false; 0]));
    }
    for (_, comments, _, used) in scanned.iter_mut() {
        *used = vec![false; comments.len()];
    }
    for finding in findings.drain(..) {
        let mut reason = None;
        for (path, comments, covered, used) in scanned.iter_mut() {
            if *path != finding.location.file {
                continue;
            }
            for (i, c) in comments.iter().enumerate() {
                let (lo, hi) = covered[i];
                if c.rules.iter().any(|r| r == finding.rule) && (lo..=hi).contains(&finding.location.span.line) {
                    used[i] = true;
                    reason.get_or_insert(c.reason.clone());
                }
            }
        }
        match reason {
            Some(reason) => report.suppressed.push(Suppressed { finding, reason }),
            None => kept.push(finding),
        }
    }
    for (path, comments, _, used) in &scanned {
        for (c, used) in comments.iter().zip(used) {
            let live = c.rules.iter().any(|r| config.level(r) != Some(Level::Allow));
            if !used && live {
                kept.push(meta_warning(
                    UNUSED_SUPPRESSION,
                    path,
                    c.line,
                    c.column,
                    c.end_column,
                    format!("suppression of {} suppresses nothing", c.rules.join(", ")),
                ));
            }
        }
    }
    *findings = kept;
}

fn meta_warning(code: &'static str, path: &Path, line: u32, column: u32, end_column: u32, message: String) -> Finding {
    Finding {
        rule: code,
        name: code,
        severity: Severity::Warning,
        confidence: Confidence::High,
        location: Location {
            file: path.to_path_buf(),
            span: Span { line, column, end_line: line, end_column: end_column.max(column), byte_start: 0, byte_end: 0 },
        },
        message,
        help: if code == UNUSED_SUPPRESSION {
            "remove the comment, or fix the rule code it names".into()
        } else {
            "write it as `// pairlint: allow(PL001) reason`".into()
        },
        labels: Vec::new(),
        item: String::new(),
    }
}
