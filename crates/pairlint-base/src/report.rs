//! What a run found, ready for any output format: findings, suppressed findings, file
//! errors, notes and the sources renderers quote. Lives in the base crate so that
//! outputs, gating and editors depend on the data, not on the engine that made it.

use crate::finding::{FileError, Finding, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    /// Adds another report's findings, errors, notes, files and sources.
    pub fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.files += other.files;
        self.sources.extend(other.sources);
    }
    /// Orders findings by location then rule, and errors, so output never depends on timing.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| (&a.location, a.rule).cmp(&(&b.location, b.rule)));
        self.errors.sort();
    }
}
