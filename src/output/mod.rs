//! Output formats. Each format turns a finished [`Report`] into text; none of them
//! analyses anything.

pub mod github;
pub mod human;
pub mod json;
pub mod rustc_json;
pub mod sarif;

use crate::engine::Report;
use crate::finding::Severity;

/// How to render human output.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    /// List each file not compiled by any target (`--verbose`), not only their count.
    pub verbose: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions { color: false, width: 100, verbose: false }
    }
}

/// The process exit code for a report, whatever the output format: 2 when a file could
/// not be linted, 1 when an error-level finding remains (warnings too with
/// `deny_warnings`), else 0.
pub fn exit_code(report: &Report, deny_warnings: bool) -> i32 {
    if !report.errors.is_empty() {
        2
    } else if report.findings.iter().any(|f| f.severity == Severity::Error || deny_warnings) {
        1
    } else {
        0
    }
}

/// `--exit-zero`: findings no longer fail the run (1 becomes 0), but a file that could
/// not be linted, a usage or a configuration error still does (2), because then the
/// report is incomplete rather than negative.
pub fn with_exit_zero(code: i32, exit_zero: bool) -> i32 {
    if exit_zero && code == 1 {
        0
    } else {
        code
    }
}

/// Paths always print with `/`, whatever the platform, so outputs are comparable.
pub(crate) fn path_string(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
