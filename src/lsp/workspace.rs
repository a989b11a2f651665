//! Which crate an open file belongs to, and linting that crate through the engine (with
//! its cache) with the editor's unsaved buffers in place of the files on disk.

use super::diagnostics::{self, CONFIG_ERROR, SOURCE};
use super::position::{Encoding, Lines};
use crate::cache::Cache;
use crate::config::{self, Config, ConfigError};
use crate::discover::{self, CrateUnit, Discovery};
use crate::engine::{self, Overlay, Report, RunOptions};
use crate::source::LineIndex;
use crate::vocab::Vocabulary;
use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Range, Url};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The nearest directory at or above `file`'s directory holding a `Cargo.toml`.
pub fn crate_dir_of(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).find(|dir| dir.join("Cargo.toml").is_file()).map(Path::to_path_buf)
}

/// Where configuration is read from, as `cargo pairlint` reads it from the workspace
/// root: the nearest directory at or above `crate_dir` whose `Cargo.toml` has a
/// `[workspace]` table, else the crate itself.
pub fn config_root_of(crate_dir: &Path) -> PathBuf {
    let is_workspace = |dir: &Path| {
        engine::read_source(&dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
            .is_some_and(|manifest| manifest.contains_key("workspace"))
    };
    crate_dir.ancestors().find(|dir| is_workspace(dir)).unwrap_or(crate_dir).to_path_buf()
}

/// One crate analysed: its diagnostics by file, and what to tell the client besides.
pub struct Analysis {
    /// The directory whose files this analysis covers (the crate, or a lone file's dir).
    pub scope: PathBuf,
    /// Every file the analysis looked at (including ones without diagnostics), so the
    /// caller can clear diagnostics that went away.
    pub files: Vec<Url>,
    pub diagnostics: std::collections::BTreeMap<Url, Vec<Diagnostic>>,
    /// The configuration file and its error, when the configuration is invalid (the
    /// crate is then linted with the default configuration).
    pub config_error: Option<(Url, Diagnostic)>,
    /// The configuration file(s) this analysis read, to clear a fixed error.
    pub config_files: Vec<Url>,
}

/// What the server keeps between analyses: the crates discovery found under each
/// crate directory. Discovery runs `cargo metadata` and scans the module tree, which
/// an edit inside a function cannot change, so it is redone only after [`forget`]
/// (a save, files changed on disk, a changed `mod` line: see [`module_lines`]).
///
/// [`forget`]: Workspace::forget
#[derive(Default)]
pub struct Workspace {
    discovered: HashMap<PathBuf, Vec<CrateUnit>>,
    /// Per configuration root, its cache, with the file entries of the last analysis
    /// kept in memory.
    caches: HashMap<PathBuf, Cache>,
    /// Per configuration root, the target directory cargo names for it (`None`: cargo
    /// could not answer), asked again after [`Workspace::forget`] like the file lists.
    target_dirs: HashMap<PathBuf, Option<PathBuf>>,
    /// When the cache was last trimmed: at most every [`EVICT_EVERY`], not per edit.
    last_evict: Option<Instant>,
}

/// How often the server trims a cache it wrote to (a scan of the cache directory).
const EVICT_EVERY: Duration = Duration::from_secs(300);

impl Workspace {
    /// Drops every remembered file list: the next analysis of each crate discovers again.
    pub fn forget(&mut self) {
        self.discovered.clear();
        self.target_dirs.clear();
    }

    /// Lints the crate of `file` (a lone file if no `Cargo.toml` is above it) through
    /// the engine, with the cache under the workspace's target directory, reading files
    /// from disk except those in `overlay` (absolute path -> unsaved text).
    /// Configuration is re-read every time: it is two small files, and this is how edits
    /// to it take effect without restarting the server.
    pub fn analyse(&mut self, file: &Path, overlay: Arc<Overlay>, encoding: Encoding) -> Analysis {
        let mut watch = engine::Stopwatch::start("lsp");
        let crate_dir = crate_dir_of(file);
        let (scope, root, mut paths, binary_only) = match &crate_dir {
            Some(dir) => {
                let root = config_root_of(dir);
                // The crate's files and where its cache goes (`cache::dir_for`, as the
                // CLI chooses it), each asked of cargo once until forgotten, together.
                let (crates, target) = rayon::join(
                    || {
                        (!self.discovered.contains_key(dir)).then(|| {
                            // The editor lints whatever file is open, test code included.
                            let opts = discover::DiscoverOptions { include_tests: true, ..Default::default() };
                            discover::discover_paths_with(std::slice::from_ref(dir), opts).crates
                        })
                    },
                    || (!self.target_dirs.contains_key(&root)).then(|| discover::target_directory(&root)),
                );
                if let Some(target) = target {
                    self.target_dirs.insert(root.clone(), target);
                }
                let crates = self.discovered.entry(dir.clone()).or_insert_with(|| crates.unwrap_or_default());
                // Only the crate holding the file: the directory may be a whole workspace
                // (a file in a virtual workspace's root `examples/` is in no crate at all).
                let (files, binary_only) = match crates.iter().find(|c| c.files.iter().any(|f| f == file)) {
                    Some(unit) => (unit.files.clone(), unit.binary_only),
                    None => {
                        (crates.iter().filter(|c| c.root_dir == *dir).flat_map(|c| c.files.clone()).collect(), false)
                    }
                };
                (dir.clone(), root, files, binary_only)
            }
            None => {
                let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
                (dir.clone(), dir, Vec::new(), false)
            }
        };
        engine::Stopwatch::lap(&mut watch, "discover");
        // A file not (yet) in the module tree, e.g. before its `mod x;` is written, is
        // still linted with the crate so the editor shows something for it.
        if !paths.iter().any(|p| p == file) {
            paths.push(file.to_path_buf());
        }
        let files: Vec<Url> = paths.iter().filter_map(|path| Url::from_file_path(path).ok()).collect();
        // A file deleted since discovery is left out, not reported: the next discovery
        // will not list it.
        paths.retain(|path| overlay.contains_key(path) || path.exists());
        let config_files: Vec<Url> = ["Cargo.toml", "pairlint.toml"]
            .iter()
            .filter_map(|name| Url::from_file_path(root.join(name)).ok())
            .collect();
        // Test items inside a file (`#[cfg(test)]`, `#[test]`) are left out as the CLI
        // leaves them out by default: the editor shows what CI fails on, and the two
        // share the cache's entries.
        let (config, config_error) = match config::load_config(&root) {
            Ok(config) => (config, None),
            Err(e) => (Config::default(), config_error_diagnostic(&e, &root, encoding)),
        };
        let vocab = Vocabulary::new(&config.vocabulary);
        let unit = CrateUnit {
            name: String::new(),
            root_dir: scope.clone(),
            files: paths,
            deps: Vec::new(),
            dep_names: Vec::new(),
            binary_only,
            test_files: Vec::new(),
        };
        let discovery = Discovery { workspace_root: root.clone(), crates: vec![unit], ..Discovery::default() };
        // A lone file gets no cache: it is quick to lint, and its directory is nobody's
        // workspace to write a `target/` into.
        let cache = crate_dir.is_some().then(|| {
            let target = self.target_dirs.get(&root).cloned().flatten();
            let cache = Cache::new(crate::cache::dir_for(&root, target.as_deref()), &vocab);
            match self.caches.get(&root) {
                // Same build and vocabulary: keep the entries already in memory.
                Some(kept) if kept.same_keys(&cache) => kept.clone(),
                _ => {
                    let cache = cache.in_memory();
                    self.caches.insert(root.clone(), cache.clone());
                    cache
                }
            }
        });
        let opts = RunOptions { cache: cache.clone(), overlay: Some(overlay), ..RunOptions::default() };
        engine::Stopwatch::lap(&mut watch, "config");
        let report: Report = engine::lint_discovery_with(&discovery, &config, &opts);
        if let Some(cache) = &cache {
            cache.end_run();
            if self.last_evict.is_none_or(|at| at.elapsed() >= EVICT_EVERY) {
                self.last_evict = Some(Instant::now());
                if let Err(e) = cache.evict(config.cache_bound()) {
                    eprintln!("pairlint lsp: could not trim the cache: {e}");
                }
            }
        }
        engine::Stopwatch::lap(&mut watch, "engine");
        let diagnostics = diagnostics::from_report(&report, &root, encoding);
        engine::Stopwatch::lap(&mut watch, "diagnostics");
        Analysis { scope, files, diagnostics, config_error, config_files }
    }
}

/// A fingerprint of the lines of `text` that can change a crate's module tree: `mod`
/// declarations and `#[path]` attributes, over-approximated as every line holding the
/// word `mod` or `path`. An edit that leaves it unchanged keeps the crate's file list.
pub fn module_lines(text: &str) -> u128 {
    let is_ident = |c: char| c == '_' || c.is_alphanumeric();
    let has_word = |line: &str, word: &str| {
        line.match_indices(word)
            .any(|(at, _)| !line[..at].ends_with(is_ident) && !line[at + word.len()..].starts_with(is_ident))
    };
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for line in text.lines().filter(|line| has_word(line, "mod") || has_word(line, "path")) {
        hasher.update(line.trim().as_bytes());
        hasher.update(b"\n");
    }
    hasher.digest128()
}

/// An invalid configuration as a diagnostic on the file it is in, at the offending key.
fn config_error_diagnostic(error: &ConfigError, root: &Path, encoding: Encoding) -> Option<(Url, Diagnostic)> {
    // The error names its file through miette's source; fall back to the manifest.
    let file = miette::Diagnostic::source_code(error)
        .zip(error.span())
        .and_then(|(source, span)| source.read_span(&(span.start, 0).into(), 0, 0).ok())
        .and_then(|contents| contents.name().map(PathBuf::from))
        .unwrap_or_else(|| root.join("Cargo.toml"));
    let text = engine::read_source(&file).unwrap_or_default();
    let range = match error.span() {
        Some(span) => {
            let index = LineIndex::new(&text);
            let lines = Lines::new(&text);
            let (l0, c0) = index.line_col(span.start);
            let (l1, c1) = index.line_col(span.end);
            Range::new(lines.position(l0, c0, encoding), lines.position(l1, c1, encoding))
        }
        None => Range::default(),
    };
    let uri = Url::from_file_path(&file).ok()?;
    let diagnostic = Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(CONFIG_ERROR.to_string())),
        source: Some(SOURCE.to_string()),
        message: format!("invalid pairlint configuration (linting with defaults): {}", error.message()),
        ..Diagnostic::default()
    };
    Some((uri, diagnostic))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Config lives at the workspace root, not in each member crate; reading the wrong Cargo.toml would ignore it.
    #[test]
    fn config_root_is_the_enclosing_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        std::fs::write(ws.join("Cargo.toml"), "[workspace]\nmembers = [\"member\"]\n").unwrap();
        let member = ws.join("member");
        std::fs::create_dir_all(member.join("src")).unwrap();
        std::fs::write(member.join("Cargo.toml"), "[package]\nname = \"m\"\n").unwrap();
        let file = member.join("src/lib.rs");
        assert_eq!(crate_dir_of(&file).as_deref(), Some(member.as_path()));
        assert_eq!(config_root_of(&member), ws);
        let alone = tempfile::tempdir().unwrap();
        std::fs::write(alone.path().join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        assert_eq!(config_root_of(alone.path()), alone.path());
    }

    fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn names(analysis: &Analysis, root: &Path) -> Vec<String> {
        let mut names: Vec<String> = analysis
            .files
            .iter()
            .filter_map(|u| u.to_file_path().ok())
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        names.sort();
        names
    }

    // The editor lints the open file's crate only (not the whole workspace a root
    // directory holds), test code included; a file in no crate is linted alone.
    #[test]
    fn analysis_covers_the_open_files_crate_with_its_tests() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        let package = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        write(ws, "Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n");
        write(ws, "a/Cargo.toml", &package("a"));
        let lib = write(ws, "a/src/lib.rs", "mod m;\n");
        write(ws, "a/src/m.rs", "");
        let test = write(ws, "a/tests/it.rs", "");
        write(ws, "b/Cargo.toml", &package("b"));
        write(ws, "b/src/lib.rs", "");
        let example = write(ws, "examples/demo.rs", "fn main() {}\n");
        let mut workspace = Workspace::default();
        let mut analyse = |file: &Path| workspace.analyse(file, Arc::default(), Encoding::Utf16);
        let a = analyse(&lib);
        assert_eq!(names(&a, ws), vec!["a/src/lib.rs", "a/src/m.rs", "a/tests/it.rs"]);
        assert_eq!(names(&analyse(&test), ws), names(&a, ws));
        assert_eq!(names(&analyse(&example), ws), vec!["examples/demo.rs"]);
    }

    // Between edits the crate's file list is the one discovered before: a module added
    // on disk is seen only once the server forgets it (save, watched-file change).
    #[test]
    fn file_list_is_kept_until_forgotten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, "Cargo.toml", "[package]\nname = \"k\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        let lib = write(dir, "src/lib.rs", "");
        let mut workspace = Workspace::default();
        assert_eq!(names(&workspace.analyse(&lib, Arc::default(), Encoding::Utf16), dir), vec!["src/lib.rs"]);
        write(dir, "src/lib.rs", "mod added;\n");
        write(dir, "src/added.rs", "");
        assert_eq!(names(&workspace.analyse(&lib, Arc::default(), Encoding::Utf16), dir), vec!["src/lib.rs"]);
        workspace.forget();
        let after = workspace.analyse(&lib, Arc::default(), Encoding::Utf16);
        assert_eq!(names(&after, dir), vec!["src/added.rs", "src/lib.rs"]);
    }

    // Only lines that can declare or place a module count; the words must stand alone.
    #[test]
    fn module_lines_change_only_with_module_declarations() {
        let base = module_lines("mod a;\nfn f() { let x = 1; }\n");
        assert_eq!(base, module_lines("mod a;\nfn f() { let x = 2; }\n"));
        assert_eq!(base, module_lines("mod a;\nfn f() { let model = modulo(1); }\n"));
        assert_ne!(base, module_lines("mod b;\nfn f() { let x = 1; }\n"));
        assert_ne!(base, module_lines("mod a;\n#[path = \"x.rs\"]\nfn f() { let x = 1; }\n"));
    }

    // A crate's results are cached under its target directory, as the CLI's are; a lone
    // file's directory gets no `target/`.
    #[test]
    fn only_crates_get_a_cache_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let lone = write(tmp.path(), "lone.rs", "fn f() {}\n");
        let mut workspace = Workspace::default();
        workspace.analyse(&lone, Arc::default(), Encoding::Utf16);
        assert!(!tmp.path().join("target").exists());
        let krate = tempfile::tempdir().unwrap();
        write(krate.path(), "Cargo.toml", "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        let lib = write(krate.path(), "src/lib.rs", "fn f() {}\n");
        workspace.analyse(&lib, Arc::default(), Encoding::Utf16);
        // Where cargo puts the crate's target directory: `target/`, or
        // `$CARGO_TARGET_DIR` when the test runs with one (tests/cache_location.rs
        // drives the server with a controlled environment).
        let target = discover::target_directory(krate.path()).expect("cargo answers");
        assert!(target.join("pairlint/crates").is_dir(), "{}", target.display());
    }
}
