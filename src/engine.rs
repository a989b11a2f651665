//! The lint pipeline: read files, extract facts per file, analyse per crate, run the
//! rules, then apply levels and suppressions. Knows nothing of output formats.

use crate::cache::{Cache, CrateResult, Entry, Key, StoredFinding};
use crate::config::Requesters;
use crate::config::{Config, Level};
use crate::discover::{Discovery, NotLinted};
use crate::extract;
use crate::finding::{Confidence, FileError, Finding, Label, Location, Severity, Span};
use crate::lexcheck;
use crate::model::FileFacts;
use crate::panics;
use crate::rules::{self, RawFinding};
use crate::source::LineIndex;
use crate::suppress;
use crate::vocab::Vocabulary;
use pairlint_analysis::flows::{CrateFlows, FlowOptions};
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One file to lint: its path as reported and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

pub use pairlint_base::report::{Coverage, Report, Suppressed};

/// Texts that stand in for files on disk (an editor's unsaved buffers), by the path
/// discovery gives the file.
pub type Overlay = HashMap<PathBuf, String>;

/// How a run is carried out. No option changes what is found: `--no-cache` and
/// `--jobs` only trade time and memory (the overlay changes the input, not the run).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads.
    pub jobs: usize,
    /// Reuse per-file results from an earlier run.
    pub cache: Option<Cache>,
    /// Files read from memory instead of disk. Their results are cached by content
    /// like any other file's.
    pub overlay: Option<Arc<Overlay>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { jobs: default_jobs(), cache: None, overlay: None }
    }
}

/// One worker per available core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Worker stack size. syn parses recursively (about a frame per nesting level, and
/// debug frames are large); with the lexer's nesting bound this leaves a wide margin,
/// and costs only address space until used.
pub const WORKER_STACK_BYTES: usize = 64 << 20;

/// The worker pool for `jobs` threads, built once per process and size.
fn pool(jobs: usize) -> Option<Arc<ThreadPool>> {
    static POOLS: Mutex<Vec<(usize, Arc<ThreadPool>)>> = Mutex::new(Vec::new());
    let jobs = jobs.max(1);
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = pools.iter().find(|(j, _)| *j == jobs) {
        return Some(p.clone());
    }
    let built = ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK_BYTES)
        .thread_name(|i| format!("pairlint-worker-{i}"))
        .build()
        .ok()?;
    let built = Arc::new(built);
    pools.push((jobs, built.clone()));
    Some(built)
}

/// Runs `f` on the worker pool (or, if no thread can be started, right here): rayon
/// work inside `f` (discovery, extraction) then uses `jobs` threads with big stacks.
pub fn on_pool<T: Send>(jobs: usize, f: impl FnOnce() -> T + Send) -> T {
    match pool(jobs) {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Stage timings of one run on stderr, when `PAIRLINT_TIMING` is set (profiling: the
/// language server's latency benchmark, `tests/bench/lsp_latency.sh`, reads them). The
/// line is written when the stopwatch is dropped, so early returns report too.
pub struct Stopwatch {
    what: &'static str,
    start: std::time::Instant,
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Stopwatch {
    /// A running stopwatch, or `None` when timings are off.
    pub fn start(what: &'static str) -> Option<Stopwatch> {
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if !*ON.get_or_init(|| std::env::var_os("PAIRLINT_TIMING").is_some_and(|v| !v.is_empty() && v != "0")) {
            return None;
        }
        let now = std::time::Instant::now();
        Some(Stopwatch { what, start: now, last: now, laps: Vec::new() })
    }

    /// Ends the stage called `stage`.
    pub fn lap(watch: &mut Option<Stopwatch>, stage: &'static str) {
        if let Some(w) = watch {
            let now = std::time::Instant::now();
            w.laps.push((stage, now - w.last));
            w.last = now;
        }
    }
}

impl Drop for Stopwatch {
    fn drop(&mut self) {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let laps: Vec<String> = self.laps.iter().map(|(stage, d)| format!("{stage} {:.1}", ms(*d))).collect();
        eprintln!("pairlint timing: {}: {} ms; total {:.1} ms", self.what, laps.join(", "), ms(self.start.elapsed()));
    }
}

/// Lints every crate of a discovery, reading files from disk.
pub fn lint_discovery(discovery: &Discovery, config: &Config) -> Report {
    lint_discovery_with(discovery, config, &RunOptions::default())
}

/// [`lint_discovery`] with explicit run options. Crates overlap: `jobs` lanes each take
/// the next crate in discovery order and lint it (its files in parallel, then its
/// analysis), so while one crate's analysis runs on one thread the other threads read,
/// pre-scan and extract the next crate. At most `jobs` crates are in flight, so memory
/// holds that many crates' texts and facts at a time. Each crate's report goes into its
/// own slot and the slots are merged in discovery order, so the report is the same
/// whatever the thread count.
pub fn lint_discovery_with(discovery: &Discovery, config: &Config, opts: &RunOptions) -> Report {
    let vocab = Vocabulary::new(&config.vocabulary);
    // Discovery's errors name files as found; show them like every other path.
    let errors = discovery
        .errors
        .iter()
        .map(|e| FileError { file: display_path(&discovery.workspace_root, &e.file), ..e.clone() })
        .collect();
    let mut report = Report { errors, ..Report::default() };
    // What discovery left out; a whole-file error on a `.rs` file (one that vanished,
    // a FIFO, an unreadable module file) is a file not linted.
    let root = &discovery.workspace_root;
    for (file, reason) in &discovery.not_linted {
        let list = match reason {
            NotLinted::NotCompiled => &mut report.coverage.not_compiled,
            NotLinted::TestTarget => &mut report.coverage.test_targets,
        };
        list.push(display_path(root, file));
    }
    report.coverage.unreadable = discovery
        .errors
        .iter()
        .filter(|e| e.line == 0 && e.file.extension().is_some_and(|x| x == "rs"))
        .map(|e| &e.file)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    for note in &discovery.notes {
        if matches!(note, crate::discover::DiscoveryNote::Generated(_)) {
            report.coverage.generated_modules += 1;
        }
        report.notes.push(note.text(root));
    }
    let crates = &discovery.crates;
    let slots: Vec<Mutex<Option<Report>>> = crates.iter().map(|_| Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let lane = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(unit) = crates.get(i) else { break };
        let crate_report = lint_unit(discovery, unit, config, &vocab, opts);
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(crate_report);
    };
    on_pool(opts.jobs, || {
        rayon::scope(|s| {
            for _ in 0..opts.jobs.max(1) {
                s.spawn(|_| lane());
            }
        })
    });
    for slot in slots {
        if let Some(r) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            report.merge(r);
        }
    }
    report.sort();
    report
}

/// Reads one crate's files (in parallel; an overlaid file from memory) and lints them;
/// read errors join its report.
fn lint_unit(
    discovery: &Discovery,
    unit: &crate::discover::CrateUnit,
    config: &Config,
    vocab: &Vocabulary,
    opts: &RunOptions,
) -> Report {
    let files = &unit.files;
    // (path as shown, path on disk)
    type Shown<'a> = Vec<(PathBuf, &'a PathBuf)>;
    let mut watch = Stopwatch::start("read");
    let (excluded, files): (Shown<'_>, Shown<'_>) = files
        .iter()
        .map(|file| (display_path(&discovery.workspace_root, file), file))
        .partition(|(shown, _)| config.is_excluded(shown));
    let read: Vec<Result<SourceFile, FileError>> = files
        .par_iter()
        .map(|(shown, file)| {
            let text = match opts.overlay.as_ref().and_then(|overlay| overlay.get(*file)) {
                Some(text) => Ok(text.clone()),
                None => read_source_file(file),
            };
            text.map(|text| SourceFile { path: shown.clone(), text }).map_err(|mut e| {
                e.file = shown.clone();
                e
            })
        })
        .collect();
    let mut errors = Vec::new();
    let mut sources = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(src) => sources.push(src),
            Err(e) => errors.push(e),
        }
    }
    Stopwatch::lap(&mut watch, "files");
    drop(watch);
    let mut report = Report { errors, ..Report::default() };
    report.coverage.unreadable = report.errors.len();
    report.coverage.excluded = excluded.into_iter().map(|(shown, _)| shown).collect();
    // The workspace crates it depends on by path, read with it for types and helpers
    // (their own problems are reported when they are linted as crates themselves).
    let context = Context {
        sources: unit
            .deps
            .iter()
            .filter_map(|&d| discovery.crates.get(d))
            .flat_map(|dep| &dep.files)
            .collect::<Vec<_>>()
            .par_iter()
            .filter_map(|file| {
                let text = match opts.overlay.as_ref().and_then(|overlay| overlay.get(*file)) {
                    Some(text) => text.clone(),
                    None => read_source_file(file).ok()?,
                };
                Some(SourceFile { path: display_path(&discovery.workspace_root, file), text })
            })
            .collect(),
        crates: unit.dep_names.clone(),
    };
    let info = UnitInfo {
        binary_only: unit.binary_only,
        test_files: unit.test_files.iter().map(|f| display_path(&discovery.workspace_root, f)).collect(),
    };
    report.merge(lint_sources(&sources, &context, config, vocab, opts, &info));
    report
}

/// Code read with a crate but not linted as part of it: the files of the workspace
/// crates it depends on by path, and those crates' names.
#[derive(Debug, Default)]
pub struct Context {
    pub sources: Vec<SourceFile>,
    pub crates: Vec<String>,
}

/// Counts the files of `sources` that an error kept from being analysed (every error
/// of the per-crate pipeline is about one file), and sets `files` and `unreadable` so
/// that together they are the crate's files.
fn count_failed(report: &mut Report, sources: &[SourceFile]) {
    let failed: std::collections::BTreeSet<&Path> = report.errors.iter().map(|e| e.file.as_path()).collect();
    let failed = sources.iter().filter(|s| failed.contains(s.path.as_path())).count();
    report.files = sources.len() - failed;
    report.coverage.unreadable = failed;
}

/// The path as users should see it: relative to the workspace root when inside it.
pub fn display_path(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| file.to_path_buf())
}

/// Files bigger than this are refused with a message: real source files are far
/// smaller, and a generated blob would cost seconds and hundreds of megabytes of
/// syntax tree for nothing a person wrote.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads a regular file as UTF-8 text (a BOM is dropped). Never opens FIFOs or devices.
pub fn read_source(path: &Path) -> Result<String, String> {
    read_source_file(path).map_err(|e| {
        if e.line > 0 {
            format!("{}:{}: {}", e.line, e.column, e.message)
        } else {
            e.message
        }
    })
}

/// [`read_source`], with a position when the problem has one (the first byte that is
/// not UTF-8).
pub fn read_source_file(path: &Path) -> Result<String, FileError> {
    use std::io::Read;
    let err = |line: u32, column: u32, message: String| FileError { file: path.to_path_buf(), line, column, message };
    let meta = std::fs::metadata(path).map_err(|e| err(0, 0, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(err(0, 0, "not a regular file; skipped".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(0, 0, too_large(meta.len())));
    }
    let mut file = open_nonblocking(path).map_err(|e| err(0, 0, format!("cannot read: {e}")))?;
    // The file may have been swapped for a FIFO or device since the check above; the
    // open did not block (O_NONBLOCK), and this check sees what was really opened.
    let opened = file.metadata().map_err(|e| err(0, 0, format!("cannot read: {e}")))?;
    if !opened.is_file() {
        return Err(err(0, 0, "not a regular file; skipped".into()));
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| err(0, 0, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(0, 0, too_large(bytes.len() as u64)));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Everything before the bad byte is valid UTF-8, so it can be counted in chars.
            let before = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
            let (line, column) = LineIndex::new(before).line_col(valid);
            return Err(err(
                line,
                column,
                format!("not UTF-8 (invalid byte 0x{:02x} at byte offset {valid}); skipped", bytes[valid]),
            ));
        }
    };
    Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
}

fn too_large(len: u64) -> String {
    format!(
        "file too large ({:.1} MB; pairlint reads files up to {} MB); skipped",
        len as f64 / 1e6,
        MAX_FILE_BYTES >> 20
    )
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Lints one crate given as in-memory sources (what the demo, the tests and the
/// language server use).
pub fn lint_crate(sources: &[SourceFile], config: &Config, vocab: &Vocabulary) -> Report {
    lint_crate_with(sources, config, vocab, &RunOptions::default())
}

/// [`lint_crate`] with explicit run options.
pub fn lint_crate_with(sources: &[SourceFile], config: &Config, vocab: &Vocabulary, opts: &RunOptions) -> Report {
    let info = UnitInfo { binary_only: binary_only_by_paths(sources), ..UnitInfo::default() };
    on_pool(opts.jobs, || lint_sources(sources, &Context::default(), config, vocab, opts, &info))
}

/// What discovery knows of a crate beyond its files (for sources linted alone: what
/// their paths say).
#[derive(Debug, Default)]
struct UnitInfo {
    /// [`crate::discover::CrateUnit::binary_only`].
    binary_only: bool,
    /// [`crate::discover::CrateUnit::test_files`], as shown.
    test_files: std::collections::HashSet<PathBuf>,
}

/// Whether sources given without a manifest (tests, fixtures) are a binary-only crate:
/// a `main.rs` or a file of `src/bin/`, and no `lib.rs`. Discovery asks cargo instead
/// ([`crate::discover::CrateUnit::binary_only`]).
pub fn binary_only_by_paths(sources: &[SourceFile]) -> bool {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let in_src_bin =
        |p: &Path| p.parent().is_some_and(|d| name(d) == "bin" && d.parent().is_some_and(|s| name(s) == "src"));
    let bin = sources.iter().any(|s| name(&s.path) == "main.rs" || in_src_bin(&s.path));
    bin && !sources.iter().any(|s| name(&s.path) == "lib.rs")
}

/// What the nesting check (or the cache) made of one file before parsing.
struct PrePass {
    key: Option<Key>,
    nesting: (usize, usize),
    /// From the cache.
    facts: Option<Result<Arc<FileFacts>, FileError>>,
    /// The nesting was measured now, so the cache entry needs writing.
    fresh: bool,
    /// The nesting check itself panicked.
    panicked: Option<String>,
}

/// The per-crate pipeline; runs on a worker thread (see [`on_pool`]).
fn lint_sources(
    own_sources: &[SourceFile],
    context: &Context,
    config: &Config,
    vocab: &Vocabulary,
    opts: &RunOptions,
    info: &UnitInfo,
) -> Report {
    let binary_only = info.binary_only;
    let mut report = Report { files: own_sources.len(), ..Report::default() };
    // The crate's files, then its context's: one pipeline reads them all; only the
    // crate's own get errors, findings and suppressions.
    let all: Vec<SourceFile>;
    let sources: &[SourceFile] = if context.sources.is_empty() {
        own_sources
    } else {
        all = own_sources.iter().chain(&context.sources).cloned().collect();
        &all
    };
    let own_paths: std::collections::BTreeSet<&Path> = own_sources.iter().map(|s| s.path.as_path()).collect();
    let cache = opts.cache.as_ref();
    let mut watch = Stopwatch::start("crate");

    // 0. With a cache: if no file of the crate changed, reuse the crate's result.
    let extract_opts = |src: &SourceFile| crate::extract::ExtractOptions {
        test_file: info.test_files.contains(&src.path),
        ..config.extract_options()
    };
    let keys: Vec<Option<Key>> =
        sources.par_iter().map(|src| cache.map(|c| c.facts_key(&src.text, extract_opts(src)))).collect();
    let crate_key = cache.map(|c| {
        let files: Vec<(&Path, Key)> =
            sources.iter().zip(&keys).filter_map(|(s, k)| k.map(|k| (s.path.as_path(), k))).collect();
        let kind = if binary_only { "binary-only;" } else { "" };
        c.crate_key(&files, &format!("{}{kind}", config.results_key()))
    });
    Stopwatch::lap(&mut watch, "keys");
    if let (Some(c), Some(k)) = (cache, crate_key) {
        if let Some(hit) = c.get_crate(k, &keys).and_then(|r| crate_report(r, sources, own_sources)) {
            Stopwatch::lap(&mut watch, "crate-cache-hit");
            return hit;
        }
    }
    Stopwatch::lap(&mut watch, "crate-cache-miss");

    // 1. The nesting check (or its cached result), every file in parallel.
    let pre: Vec<PrePass> = sources
        .par_iter()
        .zip(keys.par_iter())
        .map(|(src, &key)| {
            if let (Some(c), Some(k)) = (cache, key) {
                if let Some(entry) = c.get(k, &src.path) {
                    return PrePass { key, nesting: entry.nesting, facts: entry.facts, fresh: false, panicked: None };
                }
            }
            match panics::catch(|| lexcheck::max_nesting(&src.text)) {
                Ok(nesting) => PrePass { key, nesting, facts: None, fresh: true, panicked: None },
                Err(message) => PrePass { key, nesting: (0, 0), facts: None, fresh: false, panicked: Some(message) },
            }
        })
        .collect();
    Stopwatch::lap(&mut watch, "nesting/cache-get");

    // 2. Refuse what is nested too deep.
    let mut parse = vec![true; sources.len()];
    for (i, (src, p)) in sources.iter().zip(&pre).enumerate() {
        if let Some(message) = &p.panicked {
            report.errors.push(internal_error(&src.path, message));
            parse[i] = false;
        } else if p.nesting.0 > lexcheck::NESTING_LIMIT {
            let (line, column) = LineIndex::new(&src.text).line_col(p.nesting.1);
            report.errors.push(FileError {
                file: src.path.clone(),
                line,
                column,
                message: format!(
                    "nesting too deep ({} levels; pairlint reads at most {}); skipped",
                    p.nesting.0,
                    lexcheck::NESTING_LIMIT
                ),
            });
            parse[i] = false;
        }
    }

    // 3. Parse and extract the chosen files in parallel; trees die on the worker.
    // Per file: not parsed, or the facts / parse error, or the panic's message.
    type Extracted = Option<Result<Result<Arc<FileFacts>, FileError>, String>>;
    let extracted: Vec<Extracted> = sources
        .par_iter()
        .zip(pre.into_par_iter())
        .zip(parse.par_iter())
        .map(|((src, p), &wanted)| {
            let wanted = wanted && p.panicked.is_none();
            let (result, fresh_facts) = match (wanted, p.facts) {
                (false, _) => (None, false),
                (true, Some(facts)) => (Some(Ok(facts)), false),
                (true, None) => {
                    let r = panics::catch(|| {
                        panics::maybe_inject(&src.path);
                        extract::extract_file_with(&src.path, &src.text, vocab, extract_opts(src)).map(Arc::new)
                    });
                    (Some(r), true)
                }
            };
            if let (Some(c), Some(k)) = (cache, p.key) {
                // Cache what was computed now; a panic is never cached.
                let facts = match &result {
                    Some(Ok(r)) => Some(r.clone()),
                    _ => None,
                };
                let panicked = matches!(result, Some(Err(_)));
                if (p.fresh || fresh_facts) && !panicked {
                    c.put(k, &Entry { nesting: p.nesting, facts });
                }
            }
            result
        })
        .collect();

    Stopwatch::lap(&mut watch, "extract");

    let mut facts: Vec<Arc<FileFacts>> = Vec::new();
    let mut texts: Vec<&SourceFile> = Vec::new();
    for (src, r) in sources.iter().zip(extracted) {
        match r {
            None => {}
            Some(Ok(Ok(f))) => {
                facts.push(f);
                texts.push(src);
            }
            Some(Ok(Err(e))) => report.errors.push(e),
            Some(Err(message)) => report.errors.push(internal_error(&src.path, &message)),
        }
    }

    // A context file's problems are its own crate's to report.
    report.errors.retain(|e| own_paths.contains(e.file.as_path()));
    // Own files come first, so the crate's facts are a prefix.
    let own = texts.iter().take_while(|t| own_paths.contains(t.path.as_path())).count();

    // 4. The crate-level analysis and the rules.
    let facts: Vec<&FileFacts> = facts.iter().map(Arc::as_ref).collect();
    report.coverage.test_items = facts[..own].iter().map(|f| f.test_items.len()).sum();
    // Code a build script writes is pasted in by a macro pairlint does not expand.
    for f in &facts[..own] {
        for (line, what) in &f.generated {
            report
                .notes
                .push(format!("not linted: {what} in {}:{line} is generated by the build script", f.path.display()));
            report.coverage.generated_modules += 1;
        }
    }
    let requesters = match config.requesters.unwrap_or_default() {
        Requesters::Always => true,
        Requesters::Never => false,
        // (A server entry point in a workspace crate it depends on counts: a binary
        // that runs a server library serves people.)
        Requesters::Auto => !binary_only || facts.iter().any(|f| f.server_entry.is_some()),
    };
    let would_serve = facts[..own].iter().any(|f| f.fns.iter().any(|g| g.per_requester));
    if !requesters && config.requesters != Some(Requesters::Never) && would_serve {
        let first = texts.first().map(|s| s.path.display().to_string()).unwrap_or_default();
        report.notes.push(format!(
            "the crate containing {first} is a binary with no server entry point: it serves no one but its user, \
             so no fn is per-requester (PL001, PL003, PL004 off); `requesters = \"always\"` turns them on"
        ));
    }
    let raw = panics::catch(|| {
        let flows = CrateFlows::with_context(&facts, own, &context.crates, vocab, FlowOptions { requesters });
        (rules::run(&rules::Models { flows: &flows }), flows.summary_bound_hit)
    });
    let raw = match raw {
        Ok((raw, bound_hit)) => {
            if bound_hit {
                let first = texts.first().map(|s| s.path.display().to_string()).unwrap_or_default();
                report.notes.push(format!(
                    "the crate containing {first}: helper summaries stopped at the bound of {} rounds before settling; \
                     effects of deeply chained helpers may be missed",
                    pairlint_analysis::flows::SUMMARY_ROUNDS
                ));
            }
            raw
        }
        Err(message) => {
            let path = texts.first().map(|s| s.path.clone()).unwrap_or_default();
            report
                .errors
                .push(internal_error(&path, &format!("in the analysis of the crate containing this file: {message}")));
            Vec::new()
        }
    };
    Stopwatch::lap(&mut watch, "analysis");
    let mut findings: Vec<Finding> = raw.iter().filter_map(|r| to_finding(r, &facts, config)).collect();
    apply_suppressions(&mut findings, &mut report, &texts[..own], &facts[..own], config);
    for f in findings.iter_mut().chain(report.suppressed.iter_mut().map(|s| &mut s.finding)) {
        f.item = enclosing_item(&facts, &f.location);
    }
    report.findings.extend(findings);

    // 5. Keep the text only of files the report points into (renderers quote them).
    let mut quoted: std::collections::BTreeSet<&Path> = std::collections::BTreeSet::new();
    for f in &report.findings {
        quoted.insert(&f.location.file);
        quoted.extend(f.labels.iter().map(|l| l.location.file.as_path()));
    }
    quoted.extend(report.errors.iter().map(|e| e.file.as_path()));
    let mut kept_sources = BTreeMap::new();
    for src in sources {
        if quoted.contains(src.path.as_path()) {
            kept_sources.insert(src.path.clone(), src.text.clone());
        }
    }
    report.sources = kept_sources;
    count_failed(&mut report, own_sources);
    report.sort();
    Stopwatch::lap(&mut watch, "report");
    if let (Some(c), Some(k)) = (cache, crate_key) {
        // A run that hit an internal error is not worth repeating from the cache.
        if !report.errors.iter().any(|e| e.message.starts_with("internal error")) {
            c.put_crate(
                k,
                &CrateResult {
                    findings: report.findings.iter().map(StoredFinding::from_finding).collect(),
                    suppressed: report
                        .suppressed
                        .iter()
                        .map(|s| (StoredFinding::from_finding(&s.finding), s.reason.clone()))
                        .collect(),
                    errors: report.errors.clone(),
                    notes: report.notes.clone(),
                    test_items: report.coverage.test_items,
                    generated: report.coverage.generated_modules,
                },
            );
        }
    }
    Stopwatch::lap(&mut watch, "crate-cache-put");
    report
}

/// The qualified path of the innermost fn whose span holds `loc` (by line and
/// column, so suppression warnings without byte offsets get one too).
fn enclosing_item(facts: &[&FileFacts], loc: &Location) -> String {
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

/// A report rebuilt from a cached crate result (`None` if the entry names a rule this
/// build does not know).
fn crate_report(result: CrateResult, sources: &[SourceFile], own_sources: &[SourceFile]) -> Option<Report> {
    let findings = result.findings.iter().map(StoredFinding::to_finding).collect::<Option<Vec<_>>>()?;
    let suppressed = result
        .suppressed
        .iter()
        .map(|(f, reason)| f.to_finding().map(|finding| Suppressed { finding, reason: reason.clone() }))
        .collect::<Option<Vec<_>>>()?;
    let mut quoted: std::collections::BTreeSet<&Path> = std::collections::BTreeSet::new();
    for f in &findings {
        quoted.insert(&f.location.file);
        quoted.extend(f.labels.iter().map(|l| l.location.file.as_path()));
    }
    quoted.extend(result.errors.iter().map(|e| e.file.as_path()));
    let sources_kept = sources
        .iter()
        .filter(|s| quoted.contains(s.path.as_path()))
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    let mut report = Report {
        findings,
        suppressed,
        errors: result.errors,
        notes: result.notes,
        files: own_sources.len(),
        sources: sources_kept,
        ..Report::default()
    };
    report.coverage.test_items = result.test_items;
    report.coverage.generated_modules = result.generated;
    count_failed(&mut report, own_sources);
    report.sort();
    Some(report)
}

fn internal_error(path: &Path, message: &str) -> FileError {
    FileError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("internal error: pairlint panicked while analysing this file: {message} (please report it)"),
    }
}

fn to_finding(raw: &RawFinding, facts: &[&FileFacts], config: &Config) -> Option<Finding> {
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
    facts: &[&FileFacts],
    config: &Config,
) {
    let mut kept = Vec::new();
    let mut scanned = Vec::new();
    for (src, f) in texts.iter().zip(facts) {
        // A directive starts with `pairlint`; most files have none, so skip their lexing.
        if !src.text.contains("pairlint") {
            continue;
        }
        let (comments, errors) = suppress::scan(&src.text);
        for e in errors {
            kept.push(meta_warning(INVALID_SUPPRESSION, &src.path, e.line, e.column, e.column, e.message.clone()));
        }
        let covered: Vec<(u32, u32)> =
            comments.iter().map(|c| suppress::covered_lines_in(&src.text, c, &f.item_lines)).collect();
        scanned.push((src.path.clone(), comments, covered, vec![false; 0], &f.test_items));
    }
    for (_, comments, _, used, _) in scanned.iter_mut() {
        *used = vec![false; comments.len()];
    }
    for finding in findings.drain(..) {
        let mut reason = None;
        for (path, comments, covered, used, _) in scanned.iter_mut() {
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
    for (path, comments, _, used, tests) in &scanned {
        for (c, used) in comments.iter().zip(used) {
            let live = c.rules.iter().any(|r| config.level(r) != Some(Level::Allow));
            // A suppression in (or right above) test code that was left out has
            // nothing to suppress in this run, but is not stale.
            let in_tests = tests.iter().any(|&(lo, hi)| (lo.saturating_sub(1)..=hi).contains(&c.line));
            if !used && live && !in_tests {
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
