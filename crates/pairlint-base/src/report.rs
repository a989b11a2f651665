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
    /// The `.rs` files under the linted paths that were not linted, and why.
    pub coverage: Coverage,
    /// Findings left out because a `--baseline` records them (None: no baseline used).
    pub baselined: Option<usize>,
    /// Findings left out because no span of theirs is on a line the diff of
    /// `--new-from-rev`/`--new-from-patch` adds or changes (None: no diff used).
    pub outside_diff: Option<usize>,
}

/// What was not linted, by reason. With [`Report::files`] (the files linted) it accounts
/// for every `.rs` file under the linted paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// No target compiles them (display paths, sorted).
    pub not_compiled: Vec<PathBuf>,
    /// Only test, example or bench targets compile them (without `--include-tests`).
    pub test_targets: Vec<PathBuf>,
    /// Left out by the configuration's `exclude`.
    pub excluded: Vec<PathBuf>,
    /// Could not be read or analysed (each has its error in [`Report::errors`]).
    pub unreadable: usize,
    /// `mod x;` declarations whose file a build script writes (each has a note).
    pub generated_modules: usize,
    /// Test items inside linted files that were left out (`#[cfg(test)]` modules,
    /// `#[test]` fns... without `--include-tests`), outermost ones only. Items, not
    /// files: not part of [`Coverage::not_linted`].
    pub test_items: usize,
}

impl Coverage {
    /// Files not linted, for every reason: the summary's "N files not linted".
    pub fn not_linted(&self) -> usize {
        self.not_compiled.len() + self.test_targets.len() + self.excluded.len() + self.unreadable
    }

    /// Adds another crate's counts.
    pub fn merge(&mut self, other: Coverage) {
        self.not_compiled.extend(other.not_compiled);
        self.test_targets.extend(other.test_targets);
        self.excluded.extend(other.excluded);
        self.unreadable += other.unreadable;
        self.generated_modules += other.generated_modules;
        self.test_items += other.test_items;
    }

    /// Sorts and dedups the path lists, so output never depends on timing.
    pub fn sort(&mut self) {
        for list in [&mut self.not_compiled, &mut self.test_targets, &mut self.excluded] {
            list.sort();
            list.dedup();
        }
    }
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
        self.coverage.merge(other.coverage);
    }
    /// Orders findings by location then rule, and errors, so output never depends on timing.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| (&a.location, a.rule).cmp(&(&b.location, b.rule)));
        self.errors.sort();
        self.coverage.sort();
    }
}
