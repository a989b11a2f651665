//! The rewriter's common ground: the cases (fixtures and the reference service), text
//! edits placed by syn spans, and the line map that lets findings before and after a
//! rewrite be compared "after the shift".

use pairlint::engine::SourceFile;
use pairlint::vocab::Vocabulary;
use proc_macro2::{LineColumn, Span};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One lint input: the files of one crate, as `lint_crate` takes them.
#[derive(Clone, Debug)]
pub struct Case {
    /// Stable name used in `known_differences.txt` (a fixture's path, or
    /// `reference/flawed` and `reference/fixed`, which do not depend on where the
    /// reference service's sources live).
    pub name: String,
    pub files: Vec<SourceFile>,
    /// Index in `files` of the crate root (or, for the reference service, of the
    /// variant module): the file that splits and extractions add modules to.
    pub root: usize,
    /// Where a `mod x;` declared in the root file looks for `x.rs`.
    pub module_dir: PathBuf,
    /// The files parsed, once for all rewrites (see [`parse_all`]).
    pub parsed: OnceCell<Option<Vec<syn::File>>>,
}

impl Case {
    pub fn root_file(&self) -> &SourceFile {
        &self.files[self.root]
    }

    /// A case made of the given files, for the rewriters' unit tests.
    pub fn inline(files: &[(&str, &str)]) -> Case {
        let files: Vec<SourceFile> =
            files.iter().map(|(p, t)| SourceFile { path: PathBuf::from(p), text: t.to_string() }).collect();
        let module_dir = files[0].path.parent().unwrap_or(Path::new("")).to_path_buf();
        Case { name: "inline".into(), files, root: 0, module_dir, parsed: OnceCell::new() }
    }
}

/// Where every line of the original files went: `(file, line)` to `(file, line)`.
/// Files without an entry kept every line in place.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineMap {
    files: BTreeMap<PathBuf, Vec<(PathBuf, u32)>>,
}

impl LineMap {
    /// Records that `file`'s lines went to `to[line - 1]`.
    pub fn set_file(&mut self, file: &Path, to: Vec<(PathBuf, u32)>) {
        self.files.insert(file.to_path_buf(), to);
    }

    /// Records a same-file move given as the new line of each old line.
    pub fn set_lines(&mut self, file: &Path, to: &[u32]) {
        self.set_file(file, to.iter().map(|&l| (file.to_path_buf(), l)).collect());
    }

    pub fn map(&self, file: &Path, line: u32) -> (PathBuf, u32) {
        match self.files.get(file).and_then(|lines| lines.get(line as usize - 1)) {
            Some(to) => to.clone(),
            None => (file.to_path_buf(), line),
        }
    }
}

/// A rewrite's result: the case's files after it (possibly more of them) and where
/// each original line went.
#[derive(Clone, Debug)]
pub struct Rewritten {
    pub files: Vec<SourceFile>,
    pub map: LineMap,
}

/// A named rewrite. `None` means it does not apply to that case.
pub struct Rewrite {
    pub name: &'static str,
    pub apply: fn(&Case) -> Option<Rewritten>,
    /// The vacuity guard: fewer applicable cases fail the suite.
    pub min_cases: usize,
}

/// Replace `range` (bytes of the original text) with `text`.
#[derive(Clone, Debug)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit { range: at..at, text: text.into() }
    }
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit { range, text: text.into() }
    }
}

/// Byte offsets of line starts, to turn proc-macro2 line/column (column in chars)
/// into byte offsets.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    pub fn offset(&self, at: LineColumn) -> usize {
        let start = self.starts[at.line - 1];
        self.text[start..].char_indices().nth(at.column).map_or(self.text.len(), |(i, _)| start + i)
    }

    pub fn start(&self, span: Span) -> usize {
        self.offset(span.start())
    }

    pub fn end(&self, span: Span) -> usize {
        self.offset(span.end())
    }

    pub fn range(&self, span: Span) -> Range<usize> {
        self.start(span)..self.end(span)
    }
}

/// Applies non-overlapping edits and gives, per original line, its new line: a line
/// outside every edit moves with the text around it; a line starting inside a
/// replaced range goes where the replacement starts.
pub fn apply_edits(text: &str, mut edits: Vec<Edit>) -> (String, Vec<u32>) {
    // Stable: insertions at one offset keep the order the rewriter gave them.
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    for pair in edits.windows(2) {
        assert!(pair[0].range.end <= pair[1].range.start, "overlapping edits {:?} and {:?}", pair[0], pair[1]);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    // (old start, old end, new start, new end) of each edit, for the line map.
    let mut placed = Vec::with_capacity(edits.len());
    for e in &edits {
        out.push_str(&text[at..e.range.start]);
        let new_start = out.len();
        out.push_str(&e.text);
        placed.push((e.range.start, e.range.end, new_start, out.len()));
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    let new_lines = Lines::new(&out);
    let new_line_of = |offset: usize| new_lines.starts.partition_point(|&s| s <= offset) as u32;
    let map = Lines::new(text)
        .starts
        .iter()
        .map(|&old| {
            // Edits are sorted, so the last one ending at or before `old` carries the
            // whole shift accumulated before it.
            let mut new = old;
            for &(start, end, new_start, new_end) in &placed {
                if start < old && old < end {
                    new = new_start;
                    break;
                }
                if end <= old {
                    new = old - end + new_end;
                }
            }
            new_line_of(new)
        })
        .collect();
    (out, map)
}

/// Edits some files of a case in place (line-preserving or not); other files are kept.
pub fn edit_case(case: &Case, mut edits: BTreeMap<usize, Vec<Edit>>) -> Option<Rewritten> {
    edits.retain(|_, e| !e.is_empty());
    if edits.is_empty() {
        return None;
    }
    let mut map = LineMap::default();
    let mut files = case.files.clone();
    for (i, e) in edits {
        let (text, lines) = apply_edits(&case.files[i].text, e);
        map.set_lines(&case.files[i].path, &lines);
        files[i].text = text;
    }
    Some(Rewritten { files, map })
}

/// The case's files parsed, or `None` if one does not parse (then no rewrite applies).
/// Parsed once per case: the trees' spans are only valid on this thread until something
/// invalidates proc-macro2's span table (the engine does, on the threads it parses
/// on), so the suite runs every rewrite of a case before it lints any of them, and
/// then drops the trees.
pub fn parse_all(case: &Case) -> Option<&[syn::File]> {
    case.parsed.get_or_init(|| case.files.iter().map(|f| syn::parse_file(&f.text).ok()).collect()).as_deref()
}

/// Names the rules match against the vocabulary: renaming one of them changes what
/// the documented heuristics see, so renames leave them alone and never produce one.
pub fn is_vocabulary_name(vocab: &Vocabulary, name: &str) -> bool {
    pairlint::vocab::List::ALL.into_iter().any(|k| vocab.is(k, name) || vocab.mentions(k, name))
}

/// Applies `f` to a one-file crate holding `text`: the rewritten text and, for each
/// original line, its line after the rewrite. The rewrites' unit tests start here.
pub fn rewrite_one_file(f: fn(&Case) -> Option<Rewritten>, text: &str) -> Option<(String, Vec<u32>)> {
    let case = Case::inline(&[("src/lib.rs", text)]);
    let out = f(&case)?;
    let lines = (1..=Lines::new(text).count() as u32).map(|l| out.map.map(case.files[0].path.as_path(), l).1);
    Some((out.files[0].text.clone(), lines.collect()))
}

/// [`rewrite_one_file`] for rewrites that keep every line where it was (renames, edits
/// within a line): asserts that, and gives the text.
pub fn rewrite_in_place(f: fn(&Case) -> Option<Rewritten>, text: &str) -> Option<String> {
    let (rewritten, lines) = rewrite_one_file(f, text)?;
    let identity: Vec<u32> = (1..=lines.len() as u32).collect();
    assert_eq!(lines, identity, "the rewrite keeps every line in place");
    Some(rewritten)
}
