//! Findings and file errors: the plain data every rule produces and every output consumes.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How a finding is reported: an error fails the run (exit 1), a warning fails it
/// only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    Warning,
    Error,
}

/// How sure pairlint is: high when the code's types decided (the collection's type,
/// the item's struct), medium when a name heuristic did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Confidence {
    Medium,
    High,
}

/// A source range, 1-based lines and columns (columns count characters, as rustc's
/// do), plus the byte range for renderers that need offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A place in a file: which file and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Relative to the workspace root, or as given on the command line.
    pub file: PathBuf,
    pub span: Span,
}

/// A secondary span with its explanation ("taken from the head of shared queue ...").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub location: Location,
    pub message: String,
    pub help: String,
    pub labels: Vec<Label>,
    /// The qualified path of the fn holding the primary span (`kiosk::Server::print`),
    /// empty outside fns. Baselines fingerprint by it instead of line numbers; it is
    /// not part of the JSON output.
    pub item: String,
}

/// A file that could not be read, parsed or analysed. The run goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FileError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}
