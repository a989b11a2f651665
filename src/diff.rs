//! Diff gating (`--new-from-rev`, `--new-from-patch`): which lines a change adds,
//! modifies or deletes, from a unified diff, and which findings touch them. A finding
//! counts as new when, in some file, a changed line or a deletion lies within the lines
//! its spans cover there (from its first to its last span). So a change to a helper in
//! another file still surfaces the finding it causes at the call site (the helper
//! holds a label), and so does deleting the owner check between a take and its output
//! (no span is on a changed line then, but the deletion is between two of them).

use crate::engine::Report;
use crate::finding::Finding;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// Lines a diff adds or changes, per file (paths relative to the repository root).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChangedLines {
    pub lines: BTreeMap<PathBuf, BTreeSet<u32>>,
    /// Deletion points per file: `n` means lines were removed between new lines `n`
    /// and `n + 1` (0: before the first line).
    pub deletions: BTreeMap<PathBuf, BTreeSet<u32>>,
    /// Files that are new as a whole and not in the diff (untracked files).
    pub whole_files: BTreeSet<PathBuf>,
}

impl ChangedLines {
    /// True when a line of `first..=last` of `file` (repository-relative) changed, or
    /// lines were deleted between two of them.
    pub fn touches(&self, file: &Path, first: u32, last: u32) -> bool {
        let last = last.max(first);
        if self.whole_files.contains(file) {
            return true;
        }
        let changed = self.lines.get(file).is_some_and(|set| set.range(first..=last).next().is_some());
        let deleted = self.deletions.get(file).is_some_and(|set| set.range(first..last).next().is_some());
        changed || deleted
    }
}

/// Parses a unified diff (`git diff`, `diff -u`, with or without context lines) into
/// the new-side line numbers of its `+` lines. Errors name the diff line.
pub fn parse_unified(text: &str) -> Result<ChangedLines, String> {
    let mut out = ChangedLines::default();
    let mut file: Option<PathBuf> = None;
    // Lines still expected in the current hunk (old side, new side).
    let (mut old_left, mut new_left) = (0u64, 0u64);
    let mut new_line = 0u64;
    // A hunk needs a file header before it (`+++ /dev/null` counts: a deletion).
    let mut seen_header = false;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if old_left > 0 || new_left > 0 {
            // Inside a hunk: count lines so a body line such as `+++ x` is never
            // taken for a header.
            match line.as_bytes().first() {
                Some(b'+') => {
                    if new_left == 0 {
                        return Err(format!("line {n}: more added lines than the hunk header says"));
                    }
                    if let (Some(f), Ok(l)) = (&file, u32::try_from(new_line)) {
                        out.lines.entry(f.clone()).or_default().insert(l);
                    }
                    new_line += 1;
                    new_left -= 1;
                }
                Some(b'-') => {
                    if old_left == 0 {
                        return Err(format!("line {n}: more removed lines than the hunk header says"));
                    }
                    if let (Some(f), Ok(l)) = (&file, u32::try_from(new_line.saturating_sub(1))) {
                        out.deletions.entry(f.clone()).or_default().insert(l);
                    }
                    old_left -= 1;
                }
                Some(b' ') | None => {
                    if old_left == 0 || new_left == 0 {
                        return Err(format!("line {n}: more context lines than the hunk header says"));
                    }
                    old_left -= 1;
                    new_left -= 1;
                    new_line += 1;
                }
                Some(b'\\') => {} // "\ No newline at end of file"
                _ => {
                    return Err(format!(
                        "line {n}: hunk ends early (expected {old_left} old and {new_left} new lines more)"
                    ))
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("+++ ") {
            file = new_side_path(rest).map_err(|e| format!("line {n}: {e}"))?;
            seen_header = true;
        } else if line.starts_with("@@ ") {
            let (old_count, new_start, new_count) =
                hunk_header(line).ok_or_else(|| format!("line {n}: malformed hunk header `{}`", shorten(line)))?;
            if !seen_header {
                return Err(format!("line {n}: hunk before any `+++` file header"));
            }
            old_left = old_count;
            new_left = new_count;
            // `+c,0` names the line *after which* lines were removed.
            new_line = if new_count == 0 { new_start + 1 } else { new_start };
        }
        // Anything else (diff --git, index, ---, rename from/to, mode lines, prose
        // around a mailed patch) carries no line numbers.
    }
    if old_left > 0 || new_left > 0 {
        return Err(format!(
            "the diff ends inside a hunk ({old_left} old and {new_left} new lines missing): truncated?"
        ));
    }
    Ok(out)
}

fn shorten(line: &str) -> String {
    line.chars().take(80).collect()
}

/// `@@ -a[,b] +c[,d] @@ ...` -> (b, c, d); a missing count is 1.
fn hunk_header(line: &str) -> Option<(u64, u64, u64)> {
    let rest = line.strip_prefix("@@ -")?;
    let end = rest.find(" @@")?;
    let (old, new) = rest[..end].split_once(" +")?;
    let range = |r: &str| -> Option<(u64, u64)> {
        match r.split_once(',') {
            Some((s, c)) => Some((s.parse().ok()?, c.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = range(old)?;
    let (new_start, new_count) = range(new)?;
    Some((old_count, new_start, new_count))
}

/// The path of a `+++ ` header: `b/src/x.rs`, `"b/sp\303\251cial.rs"` (git quotes
/// unusual names), or `/dev/null` (a deleted file: None). A trailing tab and
/// timestamp (`diff -u`) is dropped.
fn new_side_path(rest: &str) -> Result<Option<PathBuf>, String> {
    let rest = rest.trim_end_matches('\r');
    let name = if rest.starts_with('"') {
        unquote(rest)?
    } else {
        rest.split('\t').next().unwrap_or(rest).trim_end().to_string()
    };
    if name == "/dev/null" {
        return Ok(None);
    }
    let name = name.strip_prefix("b/").unwrap_or(&name);
    let path = PathBuf::from(name);
    if path.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(format!("file path `{}` leaves the repository", shorten(name)));
    }
    Ok(Some(path))
}

/// Undoes git's C-style quoting of a path (`"a\tb\303\251"`).
fn unquote(s: &str) -> Result<String, String> {
    let bad = || format!("malformed quoted path {}", shorten(s));
    let inner = s.strip_prefix('"').ok_or_else(bad)?;
    let mut bytes = Vec::new();
    let mut chars = inner.bytes();
    loop {
        match chars.next().ok_or_else(bad)? {
            b'"' => break,
            b'\\' => match chars.next().ok_or_else(bad)? {
                b'n' => bytes.push(b'\n'),
                b't' => bytes.push(b'\t'),
                b'"' => bytes.push(b'"'),
                b'\\' => bytes.push(b'\\'),
                d @ b'0'..=b'7' => {
                    let mut v = u32::from(d - b'0');
                    for _ in 0..2 {
                        let d = chars.next().ok_or_else(bad)?;
                        if !(b'0'..=b'7').contains(&d) {
                            return Err(bad());
                        }
                        v = v * 8 + u32::from(d - b'0');
                    }
                    bytes.push(u8::try_from(v).map_err(|_| bad())?);
                }
                other => bytes.push(other),
            },
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("quoted path {} is not UTF-8", shorten(s)))
}

/// The repository holding `dir` and the lines changed since `rev` (the working tree
/// against `rev`, plus untracked files as wholly new). Errors summarize git's.
pub fn from_git(dir: &Path, rev: &str) -> Result<(PathBuf, ChangedLines), String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("--new-from-rev: `{rev}` is not a revision"));
    }
    let top = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--new-from-rev needs a git repository: {e}"))?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let spec = format!("{rev}^{{commit}}");
    git(dir, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])
        .map_err(|_| format!("--new-from-rev: unknown revision `{rev}` in {}", top.display()))?;
    // Explicit prefixes and flags so user configuration (noprefix, relative, external
    // diff tools, colour) cannot change the text we parse.
    let diff = git(
        &top,
        &[
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-relative",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--end-of-options",
            rev,
            "--",
        ],
    )?;
    let mut changed = parse_unified(&diff).map_err(|e| format!("cannot read `git diff` output: {e}"))?;
    let untracked = git(&top, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    changed.whole_files.extend(untracked.split('\0').filter(|s| !s.is_empty()).map(PathBuf::from));
    Ok((top, changed))
}

/// The root of the git repository holding `dir`, or `dir` itself outside one (what a
/// patch's paths are taken relative to).
pub fn repo_root(dir: &Path) -> PathBuf {
    git(dir, &["rev-parse", "--show-toplevel"])
        .map(|top| PathBuf::from(top.trim_end_matches(['\n', '\r'])))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// Runs git in `dir`; a failure becomes git's first stderr line.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("git failed");
        return Err(format!("git {}: {}", args.first().copied().unwrap_or(""), first.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Maps reported paths (relative to `root`, or absolute) to paths relative to the
/// repository root `top`, resolving symlinks so `/tmp` vs `/private/tmp` style
/// differences do not matter.
struct PathMap<'a> {
    root: &'a Path,
    top: PathBuf,
    cache: BTreeMap<PathBuf, Option<PathBuf>>,
}

impl PathMap<'_> {
    fn repo_relative(&mut self, file: &Path) -> Option<PathBuf> {
        if let Some(hit) = self.cache.get(file) {
            return hit.clone();
        }
        let abs = self.root.join(file);
        let abs = abs.canonicalize().unwrap_or(abs);
        let rel = abs.strip_prefix(&self.top).ok().map(Path::to_path_buf);
        self.cache.insert(file.to_path_buf(), rel.clone());
        rel
    }

    /// Does the change touch `finding`: per file, the lines from its first to its last
    /// span there.
    fn touches(&mut self, changed: &ChangedLines, finding: &Finding) -> bool {
        let mut ranges: BTreeMap<&Path, (u32, u32)> = BTreeMap::new();
        let spans = std::iter::once(&finding.location).chain(finding.labels.iter().map(|l| &l.location));
        for loc in spans {
            let (lo, hi) = (loc.span.line, loc.span.end_line.max(loc.span.line));
            let r = ranges.entry(&loc.file).or_insert((lo, hi));
            *r = (r.0.min(lo), r.1.max(hi));
        }
        ranges
            .into_iter()
            .any(|(file, (lo, hi))| self.repo_relative(file).is_some_and(|rel| changed.touches(&rel, lo, hi)))
    }
}

/// Keeps the findings the change touches (see the module doc); counts the rest in
/// `report.outside_diff`. `root` is what reported paths are relative to; `top` the
/// repository root the diff's paths are relative to.
pub fn apply(report: &mut Report, changed: &ChangedLines, root: &Path, top: &Path) {
    let mut map =
        PathMap { root, top: top.canonicalize().unwrap_or_else(|_| top.to_path_buf()), cache: BTreeMap::new() };
    let findings = std::mem::take(&mut report.findings);
    let before = findings.len();
    let kept: Vec<Finding> = findings.into_iter().filter(|f| map.touches(changed, f)).collect();
    report.outside_diff = Some(report.outside_diff.unwrap_or(0) + before - kept.len());
    report.findings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(c: &ChangedLines, f: &str) -> Vec<u32> {
        c.lines.get(Path::new(f)).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }

    #[test]
    fn zero_context_hunks() {
        let d = "diff --git a/src/a.rs b/src/a.rs\nindex 1..2 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -3 +3 @@ fn f()\n-old\n+new\n@@ -10,0 +11,2 @@\n+x\n+y\n@@ -20,2 +21,0 @@\n-gone\n-gone\n";
        let c = parse_unified(d).unwrap();
        assert_eq!(lines(&c, "src/a.rs"), vec![3, 11, 12]);
    }

    #[test]
    fn deletions_are_points_between_new_lines() {
        // Zero context: `+13,0` = removed after new line 13.
        let c = parse_unified("+++ b/a.rs\n@@ -14,3 +13,0 @@\n-a\n-b\n-c\n").unwrap();
        assert_eq!(c.deletions[Path::new("a.rs")].iter().copied().collect::<Vec<_>>(), vec![13]);
        assert!(c.touches(Path::new("a.rs"), 11, 14), "deleted between lines 11 and 14");
        assert!(!c.touches(Path::new("a.rs"), 14, 20), "deleted before the range");
        assert!(!c.touches(Path::new("a.rs"), 13, 13), "a one-line range has no inside");
        // With context the same deletion is found after the context lines.
        let c = parse_unified("+++ b/a.rs\n@@ -11,6 +11,3 @@\n x\n x\n x\n-a\n-b\n-c\n").unwrap();
        assert_eq!(c.deletions[Path::new("a.rs")].iter().copied().collect::<Vec<_>>(), vec![13]);
        assert!(c.lines.is_empty());
    }

    #[test]
    fn context_lines_are_not_changes_and_plus_plus_body_lines_are_not_headers() {
        let d = "--- a/x.rs\n+++ b/x.rs\n@@ -1,3 +1,4 @@\n ctx\n+++ added line that looks like a header\n ctx\n ctx\n";
        let c = parse_unified(d).unwrap();
        assert_eq!(lines(&c, "x.rs"), vec![2]);
        assert_eq!(c.lines.len(), 1);
    }

    #[test]
    fn renames_new_deleted_and_quoted_files() {
        let d = "diff --git a/old.rs b/new.rs\nsimilarity index 90%\nrename from old.rs\nrename to new.rs\n--- a/old.rs\n+++ b/new.rs\n@@ -2 +2 @@\n-a\n+b\n\
diff --git a/n.rs b/n.rs\nnew file mode 100644\n--- /dev/null\n+++ b/n.rs\n@@ -0,0 +1,2 @@\n+1\n+2\n\
diff --git a/d.rs b/d.rs\ndeleted file mode 100644\n--- a/d.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\
--- \"a/sp\\303\\251cial.rs\"\n+++ \"b/sp\\303\\251cial.rs\"\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n";
        let c = parse_unified(d).unwrap();
        assert_eq!(lines(&c, "new.rs"), vec![2]);
        assert_eq!(lines(&c, "n.rs"), vec![1, 2]);
        assert_eq!(lines(&c, "spécial.rs"), vec![1]);
        assert!(!c.lines.contains_key(Path::new("d.rs")));
    }

    #[test]
    fn malformed_and_truncated_diffs_are_errors_with_a_line() {
        let e = parse_unified("+++ b/a.rs\n@@ -1 +1,3 @@\n+a\n").unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = parse_unified("+++ b/a.rs\n@@ -x +1 @@\n").unwrap_err();
        assert!(e.starts_with("line 2: malformed hunk header"), "{e}");
        let e = parse_unified("@@ -1 +1 @@\n-a\n+b\n").unwrap_err();
        assert!(e.contains("before any `+++`"), "{e}");
        let e = parse_unified("+++ b/../../etc/passwd\n").unwrap_err();
        assert!(e.contains("leaves the repository"), "{e}");
    }

    #[test]
    fn crlf_diff_and_diff_u_timestamps() {
        let d =
            "--- a.rs\t2024-01-01 00:00:00\r\n+++ a.rs\t2024-01-02 00:00:00\r\n@@ -1,2 +1,2 @@\r\n x\r\n-y\r\n+z\r\n";
        let c = parse_unified(d).unwrap();
        assert_eq!(lines(&c, "a.rs"), vec![2]);
    }
}
