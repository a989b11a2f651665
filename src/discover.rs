//! What to lint: the crates of a Cargo workspace (via `cargo metadata`) or the files
//! and directories named on the command line, each expanded to its module tree.

use crate::finding::FileError;
use rustc_lexer::{FrontmatterAllowed, LiteralKind, TokenKind};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One crate's worth of files: rules that look across files (helpers, struct
/// definitions) look within one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateUnit {
    pub name: String,
    pub root_dir: PathBuf,
    /// Absolute (from `cargo metadata`) or as given on the command line; sorted, deduped.
    pub files: Vec<PathBuf>,
}

/// Everything found, plus the problems met on the way (a missing module file, an
/// unreadable file). Those do not stop discovery: the rest is still linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub workspace_root: PathBuf,
    pub crates: Vec<CrateUnit>,
    /// A `line`/`column` of 0 means the problem concerns the whole file.
    pub errors: Vec<FileError>,
}

/// Discovery of a workspace failed as a whole: there is nothing to lint.
#[derive(Debug)]
pub enum DiscoverError {
    /// `cargo` could not be started.
    CargoNotRun { cargo: String, error: std::io::Error },
    /// `cargo metadata` ran and failed (not a Cargo project, broken manifest...).
    CargoFailed { status: String, stderr: String },
    /// Its output was not the JSON we expect.
    BadMetadata(String),
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::CargoNotRun { cargo, error } => {
                write!(f, "could not run `{cargo} metadata`: {error}")
            }
            DiscoverError::CargoFailed { status, stderr } => {
                write!(f, "`cargo metadata` failed ({status})")?;
                // cargo quotes manifests: indent and sanitise each line, so nothing in
                // them can start an output line or reach the terminal as an escape.
                let stderr = stderr.trim();
                if !stderr.is_empty() {
                    write!(f, ":")?;
                    for line in stderr.lines() {
                        write!(f, "\n  {}", crate::terminal::sanitize_line(line))?;
                    }
                }
                Ok(())
            }
            DiscoverError::BadMetadata(message) => {
                write!(f, "could not understand `cargo metadata` output: {message}")
            }
        }
    }
}

impl std::error::Error for DiscoverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiscoverError::CargoNotRun { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl miette::Diagnostic for DiscoverError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("pairlint::discover"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = match self {
            DiscoverError::CargoNotRun { .. } => "is cargo installed and on PATH?",
            DiscoverError::CargoFailed { .. } => "run inside a Cargo workspace, or pass files or directories to lint",
            DiscoverError::BadMetadata(_) => return None,
        };
        Some(Box::new(help))
    }
}

// Only the fields of `cargo metadata` we use; serde ignores the rest, so newer cargo
// versions adding fields do not break us.
#[derive(Deserialize)]
struct Metadata {
    workspace_root: PathBuf,
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    src_path: PathBuf,
    #[allow(dead_code)] // kept to document the schema; all kinds are linted alike
    kind: Vec<String>,
}

/// How discovery treats links out of the tree being linted.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscoverOptions {
    /// Follow symlinks (and `#[path]` modules) that lead outside the crate or directory
    /// being linted. Off by default: a pull request could link to `/etc` or to
    /// another checkout, and pairlint must not read it unless asked.
    pub follow_external: bool,
}

/// Lints the workspace containing `start_dir`, as Cargo sees it: one unit per member
/// package, made of the module trees of all its targets.
pub fn discover_workspace(start_dir: &Path) -> Result<Discovery, DiscoverError> {
    discover_workspace_with(start_dir, DiscoverOptions::default())
}

/// [`discover_workspace`] with options.
pub fn discover_workspace_with(start_dir: &Path, opts: DiscoverOptions) -> Result<Discovery, DiscoverError> {
    // Under `cargo pairlint`, CARGO names the cargo that invoked us: use the same one.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(&cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(start_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| DiscoverError::CargoNotRun { cargo: cargo.clone(), error })?;
    if !output.status.success() {
        return Err(DiscoverError::CargoFailed {
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let metadata: Metadata =
        serde_json::from_slice(&output.stdout).map_err(|e| DiscoverError::BadMetadata(e.to_string()))?;
    Ok(discover_from_metadata(metadata, opts))
}

fn discover_from_metadata(metadata: Metadata, opts: DiscoverOptions) -> Discovery {
    use rayon::prelude::*;
    // Packages are independent: walk them in parallel, keep cargo's order.
    let parts: Vec<(Option<CrateUnit>, Vec<FileError>)> = metadata
        .packages
        .into_par_iter()
        .map(|package| {
            let mut errors = Vec::new();
            let Some(root_dir) = package.manifest_path.parent().map(Path::to_path_buf) else {
                return (None, errors);
            };
            let mut walker = ModWalker::new(&root_dir, &mut errors, opts);
            for target in &package.targets {
                walker.add_root(&target.src_path);
            }
            let files = walker.finish();
            (Some(CrateUnit { name: package.name, root_dir, files }), errors)
        })
        .collect();
    let mut errors = Vec::new();
    let mut crates = Vec::new();
    for (unit, errs) in parts {
        crates.extend(unit);
        errors.extend(errs);
    }
    Discovery { workspace_root: metadata.workspace_root, crates, errors }
}

/// Lints what the command line names: each file is its own one-file crate, a directory
/// with a `Cargo.toml` is a crate, any other directory is walked for `.rs` files.
/// The paths are discovered in parallel (on the current rayon pool: the caller's
/// `engine::on_pool` worker count, or rayon's global pool), each into its own
/// `Discovery`, concatenated in the order the paths were given.
pub fn discover_paths(paths: &[PathBuf]) -> Discovery {
    discover_paths_with(paths, DiscoverOptions::default())
}

/// [`discover_paths`] with options.
pub fn discover_paths_with(paths: &[PathBuf], opts: DiscoverOptions) -> Discovery {
    use rayon::prelude::*;
    // Each path is discovered on its own (in parallel on the caller's rayon pool: the
    // module scan reads every file), then the parts are joined in command-line order.
    let parts: Vec<Discovery> = paths.par_iter().map(|p| discover_one_path(p, opts)).collect();
    let mut discovery = Discovery {
        workspace_root: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        crates: Vec::new(),
        errors: Vec::new(),
    };
    for part in parts {
        discovery.crates.extend(part.crates);
        discovery.errors.extend(part.errors);
    }
    discovery
}

fn discover_one_path(path: &PathBuf, opts: DiscoverOptions) -> Discovery {
    let mut discovery = Discovery { workspace_root: PathBuf::new(), crates: Vec::new(), errors: Vec::new() };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                format!("cannot read: {e}")
            };
            discovery.errors.push(whole_file_error(path, message));
            return discovery;
        }
    };
    if meta.is_dir() {
        if path.join("Cargo.toml").is_file() {
            add_cargo_dir(path, &mut discovery, opts);
        } else {
            add_walked_dir(path, &mut discovery, opts);
        }
    } else if meta.is_file() {
        let name = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        discovery.crates.push(CrateUnit { name, root_dir, files: vec![path.clone()] });
    } else {
        // A FIFO or device would block or never end: never open one.
        discovery.errors.push(whole_file_error(path, "not a regular file".to_string()));
    }
    discovery
}

fn whole_file_error(path: &Path, message: String) -> FileError {
    FileError { file: path.to_path_buf(), line: 0, column: 0, message }
}

fn dir_name(dir: &Path) -> String {
    // `.` and `..` have no file name: ask the file system for the real one.
    dir.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .or_else(|| fs::canonicalize(dir).ok().and_then(|p| p.file_name().map(|s| s.to_string_lossy().into_owned())))
        .unwrap_or_else(|| dir.display().to_string())
}

/// A directory holding a `Cargo.toml`: its targets' module trees, found the way Cargo
/// auto-discovers targets plus any explicit `path =` in the manifest.
fn add_cargo_dir(dir: &Path, discovery: &mut Discovery, opts: DiscoverOptions) {
    let manifest_path = dir.join("Cargo.toml");
    let mut name = dir_name(dir);
    let mut roots: Vec<PathBuf> = Vec::new();
    match read_regular(&manifest_path) {
        Ok(text) => match toml::from_str::<toml::Table>(&text) {
            Ok(manifest) => {
                if let Some(n) = manifest.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()) {
                    name = n.to_string();
                }
                let explicit = |key: &str| -> Vec<PathBuf> {
                    let paths = |t: &toml::Value| t.get("path").and_then(|p| p.as_str()).map(|p| dir.join(p));
                    match manifest.get(key) {
                        Some(toml::Value::Array(items)) => items.iter().filter_map(paths).collect(),
                        Some(table @ toml::Value::Table(_)) => paths(table).into_iter().collect(),
                        _ => Vec::new(),
                    }
                };
                for key in ["lib", "bin", "example", "test", "bench"] {
                    roots.extend(explicit(key));
                }
                if let Some(build) = manifest.get("package").and_then(|p| p.get("build")).and_then(|b| b.as_str()) {
                    roots.push(dir.join(build));
                }
            }
            Err(e) => {
                let (line, column) = e.span().map_or((0, 0), |span| line_column(&text, span.start));
                discovery.errors.push(FileError {
                    file: manifest_path.clone(),
                    line,
                    column,
                    message: format!("invalid Cargo.toml: {}", e.message()),
                });
            }
        },
        Err(message) => discovery.errors.push(whole_file_error(&manifest_path, message)),
    }
    // Cargo's target auto-discovery.
    for default in ["src/lib.rs", "src/main.rs", "build.rs"] {
        roots.push(dir.join(default));
    }
    for auto_dir in ["src/bin", "examples", "tests", "benches"] {
        let Ok(entries) = fs::read_dir(dir.join(auto_dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter_map(|p| {
                if p.extension().is_some_and(|e| e == "rs") {
                    Some(p)
                } else if p.is_dir() {
                    Some(p.join("main.rs"))
                } else {
                    None
                }
            })
            .collect();
        found.sort();
        roots.extend(found);
    }
    roots.retain(|r| r.is_file());

    if roots.is_empty() {
        // A crate with an unusual layout (or a virtual manifest): lint what is there.
        add_walked_dir(dir, discovery, opts);
        if let Some(unit) = discovery.crates.iter_mut().find(|u| u.root_dir == dir) {
            unit.name = name;
        }
        return;
    }
    let mut walker = ModWalker::new(dir, &mut discovery.errors, opts);
    for root in &roots {
        walker.add_root(root);
    }
    let files = walker.finish();
    discovery.crates.push(CrateUnit { name, root_dir: dir.to_path_buf(), files });
}

/// A directory that is not a crate: every `.rs` file under it, skipping `target/`,
/// hidden entries and nested crates (which become units of their own).
fn add_walked_dir(dir: &Path, discovery: &mut Discovery, opts: DiscoverOptions) {
    let canonical_root = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut nested_crates = Vec::new();
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter().filter_entry(|entry| {
        if entry.depth() == 0 {
            return true;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') {
            return false;
        }
        if entry.file_type().is_dir() {
            if name == "target" {
                return false;
            }
            if entry.path().join("Cargo.toml").is_file() {
                nested_crates.push(entry.path().to_path_buf());
                return false;
            }
        }
        true
    });
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                discovery.errors.push(whole_file_error(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_file() || (file_type.is_symlink() && symlink_is_regular_inside(path, &canonical_root, opts)) {
            files.push(path.to_path_buf());
        }
    }
    if !files.is_empty() {
        files.sort();
        files.dedup();
        discovery.crates.push(CrateUnit { name: dir_name(dir), root_dir: dir.to_path_buf(), files });
    }
    for nested in nested_crates {
        add_cargo_dir(&nested, discovery, opts);
    }
}

/// A symlink is followed only to a regular file inside the tree being linted, so a
/// link to `/dev/zero` or to another project is never read.
fn symlink_is_regular_inside(path: &Path, canonical_root: &Path, opts: DiscoverOptions) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    meta.is_file()
        && (opts.follow_external || fs::canonicalize(path).is_ok_and(|target| target.starts_with(canonical_root)))
}

/// Reads a file only after checking it is a regular file (after following links).
fn read_regular(path: &Path) -> Result<String, String> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err("not a regular file".to_string()),
        Err(e) => return Err(format!("cannot read: {e}")),
    }
    fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))
}

/// 1-based line and char column of a byte offset.
fn line_column(text: &str, byte: usize) -> (u32, u32) {
    let byte = byte.min(text.len());
    let before = text.get(..byte).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

/// Follows `mod` declarations from root files, collecting every file of one crate.
struct ModWalker<'a> {
    canonical_root: PathBuf,
    files: Vec<PathBuf>,
    /// Files already visited, by [`file_identity`] (what a canonical path would name,
    /// for one stat instead of a readlink per path component): a `#[path]` cycle or two
    /// targets sharing a module must not loop or duplicate.
    seen: HashSet<FileIdentity>,
    /// Directories already resolved: whether their canonical path is inside the root.
    dirs_inside: HashMap<PathBuf, bool>,
    errors: &'a mut Vec<FileError>,
    opts: DiscoverOptions,
}

impl<'a> ModWalker<'a> {
    fn new(root_dir: &Path, errors: &'a mut Vec<FileError>, opts: DiscoverOptions) -> Self {
        ModWalker {
            canonical_root: fs::canonicalize(root_dir).unwrap_or_else(|_| root_dir.to_path_buf()),
            files: Vec::new(),
            seen: HashSet::new(),
            dirs_inside: HashMap::new(),
            errors,
            opts,
        }
    }

    /// A crate root owns its directory: its `mod x;` live next to it.
    fn add_root(&mut self, root: &Path) {
        match fs::metadata(root) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                self.errors.push(whole_file_error(root, "not a regular file".to_string()));
                return;
            }
            Err(e) => {
                self.errors.push(whole_file_error(root, format!("cannot read crate root: {e}")));
                return;
            }
        }
        if !self.inside_root(root) {
            return;
        }
        let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        self.walk(root.to_path_buf(), dir);
    }

    /// The file's real location is inside the root. A file that is not a symlink lives
    /// in its directory, so only directories are canonicalized (once each); a symlinked
    /// file is resolved on its own.
    fn inside_root(&mut self, path: &Path) -> bool {
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        self.inside_root_as(path, is_link)
    }

    /// [`Self::inside_root`] when the caller has already seen whether `path` is a symlink.
    fn inside_root_as(&mut self, path: &Path, is_link: bool) -> bool {
        if self.opts.follow_external {
            return true;
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if is_link || path.file_name().is_none() {
            return fs::canonicalize(path).is_ok_and(|p| p.starts_with(&self.canonical_root));
        }
        if let Some(&inside) = self.dirs_inside.get(dir) {
            return inside;
        }
        let inside = fs::canonicalize(dir).is_ok_and(|p| p.starts_with(&self.canonical_root));
        self.dirs_inside.insert(dir.to_path_buf(), inside);
        inside
    }

    /// Visits `file` (whose child modules live in `mod_dir`) and everything it declares.
    /// A work list rather than recursion: a deep module tree cannot blow the stack.
    fn walk(&mut self, file: PathBuf, mod_dir: PathBuf) {
        let mut work = vec![(file, mod_dir)];
        while let Some((file, mod_dir)) = work.pop() {
            // One stat serves both the identity and the regular-file check.
            let meta = fs::metadata(&file);
            if !self.seen.insert(file_identity(&file, meta.as_ref().ok())) {
                continue;
            }
            let read = match meta {
                Ok(meta) if meta.is_file() => fs::read_to_string(&file).map_err(|e| format!("cannot read: {e}")),
                Ok(_) => Err("not a regular file".to_string()),
                Err(e) => Err(format!("cannot read: {e}")),
            };
            let text = match read {
                Ok(text) => text,
                Err(message) => {
                    self.errors.push(whole_file_error(&file, message));
                    continue;
                }
            };
            self.files.push(file.clone());
            let file_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
            // Most files declare no module: skip lexing them (a cheap, conservative text test).
            let decls = if may_declare_modules(&text) { scan_mod_decls(&text) } else { Vec::new() };
            for decl in decls {
                let inline_dir = decl.inline_path.iter().fold(mod_dir.clone(), |dir, seg| dir.join(seg));
                // rustc: a `#[path]` outside inline modules is relative to the declaring
                // file's directory; inside them, to the module directory plus the inline
                // path. A file loaded through `#[path]` then owns its own directory.
                // `#[cfg_attr(unix, path = "unix.rs")]`: follow every alternative that exists
                // (each is compiled for some target); fall back to the usual lookup.
                let base = if decl.inline_path.is_empty() { &file_dir } else { &inline_dir };
                let cfg_targets: Vec<PathBuf> =
                    decl.cfg_paths.iter().map(|rel| base.join(rel)).filter(|p| p.is_file()).collect();
                for target in &cfg_targets {
                    if self.inside_root(target) {
                        let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
                        work.push((target.clone(), dir));
                    }
                }
                let candidates: Vec<(PathBuf, PathBuf)> = match &decl.path_attr {
                    Some(rel) => {
                        let base = if decl.inline_path.is_empty() { &file_dir } else { &inline_dir };
                        let target = base.join(rel);
                        let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
                        vec![(target, dir)]
                    }
                    None => {
                        let child_dir = inline_dir.join(&decl.name);
                        vec![
                            (inline_dir.join(format!("{}.rs", decl.name)), child_dir.clone()),
                            (child_dir.join("mod.rs"), child_dir),
                        ]
                    }
                };
                let existing: Vec<(&(PathBuf, PathBuf), fs::Metadata)> =
                    candidates.iter().filter_map(|c| fs::symlink_metadata(&c.0).ok().map(|m| (c, m))).collect();
                let Some(((target, child_dir), lmeta)) = existing.first() else {
                    if !cfg_targets.is_empty() {
                        continue;
                    }
                    self.errors.push(FileError {
                        file: file.clone(),
                        line: decl.line,
                        column: decl.column,
                        message: format!("file not found for module `{}`", decl.name),
                    });
                    continue;
                };
                if existing.len() > 1 {
                    self.errors.push(FileError {
                        file: file.clone(),
                        line: decl.line,
                        column: decl.column,
                        message: format!(
                            "file for module `{}` found at both `{}` and `{}`",
                            decl.name,
                            existing[0].0 .0.display(),
                            existing[1].0 .0.display()
                        ),
                    });
                }
                let is_link = lmeta.file_type().is_symlink();
                // Only a symlink needs a second stat to see what it points at.
                let meta = if is_link { fs::metadata(target) } else { Ok(lmeta.clone()) };
                match meta {
                    Ok(meta) if meta.is_file() => {}
                    Ok(_) => {
                        self.errors.push(FileError {
                            file: file.clone(),
                            line: decl.line,
                            column: decl.column,
                            message: format!(
                                "file for module `{}` is not a regular file: {}",
                                decl.name,
                                target.display()
                            ),
                        });
                        continue;
                    }
                    // A dangling symlink: as good as missing.
                    Err(_) => {
                        self.errors.push(FileError {
                            file: file.clone(),
                            line: decl.line,
                            column: decl.column,
                            message: format!("file not found for module `{}`", decl.name),
                        });
                        continue;
                    }
                }
                // Files outside the package (a `#[path]` into a sibling crate, a symlink
                // elsewhere) belong to someone else's lint run.
                if self.inside_root_as(target, is_link) {
                    work.push((target.clone(), child_dir.clone()));
                }
            }
        }
    }

    fn finish(mut self) -> Vec<PathBuf> {
        self.files.sort();
        self.files.dedup();
        self.files
    }
}

/// What makes two paths the same file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileIdentity {
    Inode(u64, u64),
    Path(PathBuf),
}

/// Device and inode (one stat, following links) where the platform has them; else the
/// canonical path. A file that cannot be stat'ed is identified by its path as given.
fn file_identity(file: &Path, meta: Option<&fs::Metadata>) -> FileIdentity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Some(meta) = meta {
            return FileIdentity::Inode(meta.dev(), meta.ino());
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    FileIdentity::Path(fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()))
}

/// A `mod name;` declaration found by the token scan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ModDecl {
    name: String,
    /// The value of a `#[path = "..."]` attribute on it.
    path_attr: Option<String>,
    /// `#[cfg_attr(cond, path = "...")]` values: alternatives for different targets.
    cfg_paths: Vec<String>,
    /// Directory segments of the inline modules (`mod a { mod b { mod name; } }`)
    /// around it: their names, or their own `#[path]` values.
    inline_path: Vec<String>,
    /// Position of the `mod` keyword.
    line: u32,
    column: u32,
}

/// A significant token: comments and whitespace are dropped before scanning, so a
/// `mod x;` in a comment or a string never counts.
struct Tok<'t> {
    kind: TokenKind,
    text: &'t str,
    start: usize,
}

/// False only when the text cannot hold an out-of-line `mod name;` declaration: no
/// `mod` word followed (after spaces) by a name and then `;`. Anything unusual after
/// `mod` (a comment, a raw identifier, a `#[path]` attribute is irrelevant here) counts
/// as "may", so the full token scan decides.
fn may_declare_modules(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    for at in memchr::memmem::find_iter(bytes, b"mod") {
        if at > 0 && is_ident(bytes[at - 1]) {
            continue;
        }
        let mut i = at + 3;
        if i < bytes.len() && is_ident(bytes[i]) {
            continue;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && !is_ident(bytes[i]) {
            // `mod /* c */ x;`, `mod r#x;`... or not a declaration: let the lexer see.
            if bytes[i] == b'/' || bytes[i] == b'r' {
                return true;
            }
            continue;
        }
        while i < bytes.len() && (is_ident(bytes[i]) || bytes[i] == b'#') {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b';' || bytes[i] == b'/' {
            return true;
        }
    }
    false
}

/// Finds out-of-line `mod` declarations with a token scan: far cheaper than a full
/// parse, and it still works on files syn cannot parse.
fn scan_mod_decls(text: &str) -> Vec<ModDecl> {
    // A shebang line is not Rust; frontmatter is disallowed since this is a module file.
    let offset = rustc_lexer::strip_shebang(text).unwrap_or(0);
    let body = &text[offset..];
    let mut toks = Vec::new();
    let mut pos = 0usize;
    for token in rustc_lexer::tokenize(body, FrontmatterAllowed::No) {
        let start = pos;
        pos += token.len as usize;
        match token.kind {
            TokenKind::Whitespace | TokenKind::LineComment { .. } | TokenKind::BlockComment { .. } => {}
            kind => toks.push(Tok { kind, text: &body[start..pos], start: offset + start }),
        }
    }

    let mut decls = Vec::new();
    let mut depth = 0usize;
    // (segment, brace depth inside the inline module)
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut pending_path: Option<String> = None;
    let mut pending_cfg: Vec<String> = Vec::new();
    let mut i = 0usize;
    while i < toks.len() {
        let tok = &toks[i];
        match tok.kind {
            TokenKind::Pound => {
                let inner = matches!(toks.get(i + 1).map(|t| t.kind), Some(TokenKind::Bang));
                let open = if inner { i + 2 } else { i + 1 };
                if matches!(toks.get(open).map(|t| t.kind), Some(TokenKind::OpenBracket)) {
                    let close = matching_close(&toks, open);
                    if !inner {
                        if let Some(path) = path_attribute(&toks[open + 1..close]) {
                            pending_path = Some(path);
                        }
                        pending_cfg.extend(cfg_attr_paths(&toks[open + 1..close]));
                    }
                    i = close + 1;
                    continue;
                }
                pending_path = None;
                pending_cfg.clear();
            }
            TokenKind::Ident if tok.text == "pub" => {
                // Visibility between attributes and `mod` keeps the pending `#[path]`.
                if matches!(toks.get(i + 1).map(|t| t.kind), Some(TokenKind::OpenParen)) {
                    i = matching_close(&toks, i + 1) + 1;
                    continue;
                }
            }
            TokenKind::Ident if tok.text == "macro_rules" => {
                // A macro definition's body is not code: `mod $name;` there declares nothing.
                let mut j = i + 1;
                while j < toks.len()
                    && !matches!(toks[j].kind, TokenKind::OpenBrace | TokenKind::OpenParen | TokenKind::OpenBracket)
                {
                    j += 1;
                }
                pending_path = None;
                pending_cfg.clear();
                i = if j < toks.len() { matching_close(&toks, j) + 1 } else { j };
                continue;
            }
            TokenKind::Ident if tok.text == "mod" => {
                let name = toks.get(i + 1).and_then(|t| match t.kind {
                    TokenKind::Ident => Some(t.text.to_string()),
                    TokenKind::RawIdent => Some(t.text.trim_start_matches("r#").to_string()),
                    _ => None,
                });
                if let Some(name) = name {
                    match toks.get(i + 2).map(|t| t.kind) {
                        Some(TokenKind::Semi) => {
                            let (line, column) = line_column(text, tok.start);
                            decls.push(ModDecl {
                                name,
                                path_attr: pending_path.take(),
                                cfg_paths: std::mem::take(&mut pending_cfg),
                                inline_path: inline.iter().map(|(s, _)| s.clone()).collect(),
                                line,
                                column,
                            });
                            i += 3;
                            continue;
                        }
                        Some(TokenKind::OpenBrace) => {
                            depth += 1;
                            inline.push((pending_path.take().unwrap_or(name), depth));
                            i += 3;
                            continue;
                        }
                        _ => {}
                    }
                }
                pending_path = None;
                pending_cfg.clear();
            }
            TokenKind::OpenBrace => {
                depth += 1;
                pending_path = None;
                pending_cfg.clear();
            }
            TokenKind::CloseBrace => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                pending_path = None;
                pending_cfg.clear();
            }
            _ => {
                pending_path = None;
                pending_cfg.clear();
            }
        }
        i += 1;
    }
    decls
}

/// Index of the token closing the group opened at `open` (or the last token if the
/// file ends first). All bracket kinds are counted together, which is enough for
/// well-formed code and never loops on broken code.
fn matching_close(toks: &[Tok<'_>], open: usize) -> usize {
    let mut level = 0usize;
    for (j, tok) in toks.iter().enumerate().skip(open) {
        match tok.kind {
            TokenKind::OpenBrace | TokenKind::OpenParen | TokenKind::OpenBracket => level += 1,
            TokenKind::CloseBrace | TokenKind::CloseParen | TokenKind::CloseBracket => {
                level = level.saturating_sub(1);
                if level == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len().saturating_sub(1)
}

/// `cfg_attr(cond, path = "...")` (the tokens inside `#[...]`) -> the path strings.
fn cfg_attr_paths(inside: &[Tok<'_>]) -> Vec<String> {
    if !inside.first().is_some_and(|t| t.kind == TokenKind::Ident && t.text == "cfg_attr") {
        return Vec::new();
    }
    inside.windows(3).filter_map(path_attribute).collect()
}

/// `path = "..."` (the tokens inside `#[...]`) -> the path string.
fn path_attribute(inside: &[Tok<'_>]) -> Option<String> {
    match inside {
        [name, eq, lit] if name.kind == TokenKind::Ident && name.text == "path" && eq.kind == TokenKind::Eq => {
            string_value(lit)
        }
        _ => None,
    }
}

/// The value of a (raw) string literal token, with the common escapes undone.
fn string_value(tok: &Tok<'_>) -> Option<String> {
    let TokenKind::Literal { kind, suffix_start } = tok.kind else {
        return None;
    };
    let lit = tok.text.get(..suffix_start as usize)?;
    match kind {
        LiteralKind::Str { terminated: true } => {
            let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            }
            Some(out)
        }
        LiteralKind::RawStr { n_hashes: Some(n) } => {
            let hashes = "#".repeat(n as usize);
            let inner = lit
                .strip_prefix('r')?
                .strip_prefix(hashes.as_str())?
                .strip_prefix('"')?
                .strip_suffix(hashes.as_str())?
                .strip_suffix('"')?;
            Some(inner.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The text test may only ever say "no" when the token scan would find nothing.
    #[test]
    fn module_text_test_is_conservative() {
        for text in [
            "mod a;",
            "pub mod a ;",
            "#[path = \"x.rs\"]\nmod a;",
            "mod /* c */ a;",
            "mod r#a;",
            "mod a // c\n;",
            "mod tests { mod inner; }",
            "mod a",
        ] {
            assert!(may_declare_modules(text), "{text:?}");
        }
        for text in ["fn modify() {}", "mod tests { fn f() {} }", "// no modules\nfn f() { let model = 1; }"] {
            assert!(!may_declare_modules(text), "{text:?}");
            assert!(scan_mod_decls(text).is_empty());
        }
    }

    fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    /// File paths of a unit relative to `root`, with `/`, for readable assertions.
    fn rel_files(unit: &CrateUnit, root: &Path) -> Vec<String> {
        unit.files.iter().map(|f| f.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")).collect()
    }

    fn crate_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "Cargo.toml", "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n");
        dir
    }

    #[test]
    fn scan_finds_decls_and_skips_comments_strings_macros() {
        let text = r##"
// mod in_comment;
/* mod in_block; */
const S: &str = "mod in_string;";
const R: &str = r#"mod in_raw;"#;
macro_rules! m { ($n:ident) => { mod $n; mod literal_in_macro; } }
pub(crate) mod real;
#[cfg(test)]
#[path = "other/place.rs"]
pub mod moved;
mod inline {
    mod nested;
    #[path = "x"] mod renamed { mod deep; }
}
mod after;
"##;
        let decls = scan_mod_decls(text);
        let names: Vec<_> = decls.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, vec!["real", "moved", "nested", "deep", "after"]);
        assert_eq!(decls[1].path_attr.as_deref(), Some("other/place.rs"));
        assert_eq!(decls[2].inline_path, vec!["inline"]);
        assert_eq!(decls[3].inline_path, vec!["inline", "x"]);
        assert!(decls[4].inline_path.is_empty());
        assert_eq!((decls[0].line, decls[0].column), (7, 12));
    }

    #[test]
    fn module_tree_of_a_crate_dir() {
        let dir = crate_dir();
        let root = dir.path();
        write(
            root,
            "src/lib.rs",
            "mod a;\nmod b;\npub mod inline { pub mod c; }\n#[path = \"gen/out.rs\"]\nmod generated;\n",
        );
        write(root, "src/a.rs", "mod child;\n");
        write(root, "src/a/child.rs", "// leaf\n");
        write(root, "src/b/mod.rs", "mod sub;\n");
        write(root, "src/b/sub.rs", "");
        write(root, "src/inline/c.rs", "");
        write(root, "src/gen/out.rs", "mod helper;\n");
        // A #[path] file owns its directory, like mod.rs.
        write(root, "src/gen/helper.rs", "");
        write(root, "src/unused.rs", "");
        write(root, "src/main.rs", "fn main() {}\n");
        write(root, "src/bin/tool.rs", "mod shared;\n");
        write(root, "src/bin/shared.rs", "");
        write(root, "tests/it.rs", "");
        let d = discover_paths(&[root.to_path_buf()]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.crates[0].name, "demo");
        assert_eq!(
            rel_files(&d.crates[0], root),
            vec![
                "src/a/child.rs",
                "src/a.rs",
                "src/b/mod.rs",
                "src/b/sub.rs",
                "src/bin/shared.rs",
                "src/bin/tool.rs",
                "src/gen/helper.rs",
                "src/gen/out.rs",
                "src/inline/c.rs",
                "src/lib.rs",
                "src/main.rs",
                "tests/it.rs",
            ]
        );
    }

    #[test]
    fn path_attribute_inside_inline_module_of_non_mod_rs_file() {
        let dir = crate_dir();
        let root = dir.path();
        write(root, "src/lib.rs", "mod a;\n");
        write(root, "src/a.rs", "mod inner {\n    #[path = \"p.rs\"] mod q;\n}\n#[path = \"top.rs\"] mod t;\n");
        // Inside an inline module: relative to a/inner/. Outside: relative to src/.
        write(root, "src/a/inner/p.rs", "");
        write(root, "src/top.rs", "");
        let d = discover_paths(&[root.to_path_buf()]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(rel_files(&d.crates[0], root), vec!["src/a/inner/p.rs", "src/a.rs", "src/lib.rs", "src/top.rs"]);
    }

    // mio picks per-OS files with `cfg_attr(.., path = ..)`: every alternative that
    // exists is linted, and the usual `selector.rs` is not demanded.
    #[test]
    fn cfg_attr_path_alternatives_are_followed() {
        let dir = crate_dir();
        let root = dir.path();
        write(
            root,
            "src/lib.rs",
            "#[cfg_attr(unix, path = \"sel/epoll.rs\")]\n#[cfg_attr(windows, path = \"sel/iocp.rs\")]\nmod selector;\n",
        );
        write(root, "src/sel/epoll.rs", "");
        write(root, "src/sel/iocp.rs", "");
        let d = discover_paths(&[root.to_path_buf()]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(rel_files(&d.crates[0], root), vec!["src/lib.rs", "src/sel/epoll.rs", "src/sel/iocp.rs"]);
    }

    #[test]
    fn missing_module_file_is_reported_at_the_mod() {
        let dir = crate_dir();
        let root = dir.path();
        let lib = write(
            root,
            "src/lib.rs",
            "//! doc\nmod present;\n\n  pub mod absent;\nfn f() { let s = \"mod nope;\"; }\n",
        );
        write(root, "src/present.rs", "");
        let d = discover_paths(&[root.to_path_buf()]);
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        let e = &d.errors[0];
        assert_eq!(e.file, lib);
        assert_eq!((e.line, e.column), (4, 7));
        assert_eq!(e.message, "file not found for module `absent`");
        assert_eq!(rel_files(&d.crates[0], root), vec!["src/lib.rs", "src/present.rs"]);
    }

    #[test]
    fn path_cycles_terminate() {
        let dir = crate_dir();
        let root = dir.path();
        write(root, "src/lib.rs", "#[path = \"lib.rs\"] mod again;\nmod a;\n");
        write(root, "src/a.rs", "#[path = \"lib.rs\"] mod back;\n");
        let d = discover_paths(&[root.to_path_buf()]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(rel_files(&d.crates[0], root), vec!["src/a.rs", "src/lib.rs"]);
    }

    #[test]
    fn directory_walk_skips_target_hidden_and_nested_crates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a.rs", "");
        write(root, "sub/b.rs", "mod not_followed;\n");
        write(root, "sub/notes.txt", "");
        write(root, "target/debug/gen.rs", "");
        write(root, ".hidden/c.rs", "");
        write(root, "sub/.d.rs", "");
        write(root, "inner/Cargo.toml", "[package]\nname = \"inner\"\n");
        write(root, "inner/src/lib.rs", "");
        let d = discover_paths(&[root.to_path_buf()]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.crates.len(), 2);
        assert_eq!(rel_files(&d.crates[0], root), vec!["a.rs", "sub/b.rs"]);
        assert_eq!(d.crates[1].name, "inner");
        assert_eq!(rel_files(&d.crates[1], root), vec!["inner/src/lib.rs"]);
    }

    #[test]
    fn single_files_are_their_own_units_and_missing_paths_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "case_one.rs", "mod x;\n");
        let b = write(dir.path(), "case_two.rs", "");
        let missing = dir.path().join("nope.rs");
        let d = discover_paths(&[a.clone(), b.clone(), missing.clone()]);
        assert_eq!(d.crates.len(), 2);
        assert_eq!(d.crates[0].name, "case_one");
        assert_eq!(d.crates[0].files, vec![a]);
        assert_eq!(d.crates[1].files, vec![b]);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].file, missing);
    }

    #[test]
    fn crate_dir_without_roots_is_walked() {
        let dir = crate_dir();
        write(dir.path(), "lib/x.rs", "");
        let d = discover_paths(&[dir.path().to_path_buf()]);
        assert_eq!(d.crates.len(), 1);
        assert_eq!(d.crates[0].name, "demo");
        assert_eq!(rel_files(&d.crates[0], dir.path()), vec!["lib/x.rs"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_outside_and_fifos_are_skipped() {
        let outside = tempfile::tempdir().unwrap();
        let secret = write(outside.path(), "secret.rs", "");
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.rs", "");
        std::os::unix::fs::symlink(&secret, dir.path().join("link.rs")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.rs"), dir.path().join("inside.rs")).unwrap();
        let fifo = dir.path().join("pipe.rs");
        let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        let d = discover_paths(&[dir.path().to_path_buf()]);
        assert_eq!(rel_files(&d.crates[0], dir.path()), vec!["a.rs", "inside.rs"]);
        if made {
            let d = discover_paths(std::slice::from_ref(&fifo));
            assert!(d.crates.is_empty());
            assert_eq!(d.errors[0].message, "not a regular file");
        }
    }

    #[test]
    fn metadata_json_is_followed() {
        let dir = crate_dir();
        let root = dir.path();
        write(root, "src/lib.rs", "mod m;\n");
        write(root, "src/m.rs", "");
        let json = serde_json::json!({
            "workspace_root": root,
            "packages": [{
                "name": "demo",
                "manifest_path": root.join("Cargo.toml"),
                "targets": [{"src_path": root.join("src/lib.rs"), "kind": ["lib"], "name": "demo"}],
                "version": "0.1.0"
            }],
            "version": 1
        });
        let metadata: Metadata = serde_json::from_value(json).unwrap();
        let d = discover_from_metadata(metadata, DiscoverOptions::default());
        assert!(d.errors.is_empty());
        assert_eq!(rel_files(&d.crates[0], root), vec!["src/lib.rs", "src/m.rs"]);
    }

    #[test]
    fn discover_workspace_runs_cargo() {
        let dir = crate_dir();
        write(dir.path(), "src/lib.rs", "mod m;\n");
        write(dir.path(), "src/m.rs", "");
        match discover_workspace(dir.path()) {
            Ok(d) => {
                assert_eq!(d.crates.len(), 1);
                assert_eq!(d.crates[0].files.len(), 2);
            }
            // No cargo on this machine: nothing to check, but it must be an error value.
            Err(DiscoverError::CargoNotRun { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
        let empty = tempfile::tempdir().unwrap();
        assert!(discover_workspace(empty.path()).is_err());
    }
}
