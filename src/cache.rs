//! A content-addressed cache of per-file results in `pairlint/` under the target
//! directory cargo names for the workspace (see [`dir_for`]): the nesting measure and the extracted
//! [`FileFacts`] (or the file's parse error), keyed by the file's content, the
//! pairlint build and the vocabulary. Nothing else goes in, so a hit is exactly what a
//! fresh extraction would give.
//!
//! File entries are postcard (compact: facts are several times the source size as
//! JSON), crate entries JSON. An entry is trusted only if it parses and names the key
//! asked for; anything else
//! (truncated, corrupt, written by another build or for other content) is ignored and
//! rewritten. Entries are written with [`crate::atomic::write_atomic_unsynced`], so a
//! reader never sees half of one.
//!
//! Where: [`dir_for`], the one rule every entry point (CLI workspace mode, paths mode,
//! the language server) follows. How big: after a run that wrote entries,
//! [`Cache::evict`] deletes the least recently used ones (by modification time, which a
//! hit refreshes when it is older than [`TOUCH_AFTER`]) once the directory holds more
//! than its bound ([`MAX_BYTES`] unless configured). It scans the directory only when
//! the size recorded in [`USAGE_FILE`] plus what was written since passes the bound.

use crate::atomic::write_atomic_unsynced as write_atomic;
use crate::finding::{Confidence, FileError, Finding, Label, Location, Severity, Span};
use crate::model::FileFacts;
use crate::vocab::Vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use xxhash_rust::xxh3::{xxh3_128, Xxh3};

/// Bump when the entry layout changes.
pub const FORMAT: u32 = 9;
/// Entries bigger than this are not read (a hostile or broken cache cannot make us
/// allocate without bound).
const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// The size the cache directory may reach before [`Cache::evict`] deletes entries
/// (the README's "Cache" section documents it). The 33 MB benchmark corpus fills about
/// 30 MB.
pub const MAX_BYTES: u64 = 256 << 20;
/// A hit refreshes its entry's modification time (the age eviction goes by) only when
/// it is older than this: one write of metadata per entry per hour at most, so a warm
/// run stays a run of reads.
pub const TOUCH_AFTER: Duration = Duration::from_secs(3600);

/// Where the cache of a run rooted at `root` lives: `pairlint/` in the target
/// directory cargo resolves for it (`target_directory`, from `cargo metadata`, which
/// honours `CARGO_TARGET_DIR` and `build.target-dir` in `.cargo/config.toml`), else,
/// when cargo could not answer (no manifest above `root`, cargo missing),
/// [`Cache::default_dir`]. Every entry point chooses the directory through this.
pub fn dir_for(root: &Path, target_directory: Option<&Path>) -> PathBuf {
    match target_directory {
        Some(target) => target.join("pairlint"),
        None => Cache::default_dir(root),
    }
}

/// Where entries live and what, besides content, keys them.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    context: u128,
    /// File entries also kept in memory, for a long-lived process (the language
    /// server): a run after an edit then decodes nothing from disk. Shared by clones.
    memory: Option<Arc<Memory>>,
    /// The bytes of the entries written since the last [`Cache::evict`]: the directory
    /// only grows by writes, so a run that wrote nothing has nothing to evict. Shared
    /// by clones.
    written: Arc<AtomicU64>,
}

/// The in-memory file entries and the run (generation) each was last used in.
#[derive(Debug, Default)]
struct Memory {
    entries: Mutex<HashMap<Key, (Entry, u64)>>,
    generation: AtomicU64,
}

impl Memory {
    fn get(&self, key: Key) -> Option<Entry> {
        let generation = self.generation.load(Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (entry, used) = entries.get_mut(&key)?;
        *used = generation;
        Some(entry.clone())
    }

    fn insert(&self, key: Key, entry: Entry) {
        let generation = self.generation.load(Ordering::Relaxed);
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (entry, generation));
    }
}

/// The cached result of one file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Deepest nesting and where (see [`crate::lexcheck`]).
    pub nesting: (usize, usize),
    /// `None` when the file was nested too deep to parse. Shared: an entry kept in
    /// memory hands out its facts without copying them.
    pub facts: Option<Result<Arc<FileFacts>, FileError>>,
}

#[derive(Deserialize)]
struct Stored {
    format: u32,
    key: String,
    entry: StoredEntry,
}

/// [`Entry`] as stored (serde's encoding of a `Result` of references is that of the
/// `Result` of values, so [`EntryRef`] writes what this reads).
#[derive(Deserialize)]
struct StoredEntry {
    nesting: (usize, usize),
    facts: Option<Result<FileFacts, FileError>>,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    nesting: (usize, usize),
    facts: Option<Result<&'a FileFacts, &'a FileError>>,
}

/// The cache key of one file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(u128);

impl Key {
    fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

impl Cache {
    /// The location when cargo names no target directory (see [`dir_for`]):
    /// `$CARGO_TARGET_DIR/pairlint`, else `<root>/target/pairlint`.
    pub fn default_dir(workspace_root: &Path) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    workspace_root.join(dir)
                }
            }
            _ => workspace_root.join("target"),
        }
        .join("pairlint")
    }

    /// A cache in `dir` for results made with `vocab` by this build of pairlint.
    pub fn new(dir: PathBuf, vocab: &Vocabulary) -> Self {
        let mut context = String::new();
        context.push_str(env!("CARGO_PKG_VERSION"));
        context.push('\n');
        context.push_str(&build_id());
        context.push('\n');
        context.push_str(&vocab.fingerprint());
        Cache { dir: dir.join("facts"), context: xxh3_128(context.as_bytes()), memory: None, written: Arc::default() }
    }

    /// This cache, keeping file entries in memory too (see [`Cache::end_run`]).
    pub fn in_memory(mut self) -> Self {
        self.memory = Some(Arc::default());
        self
    }

    /// Whether `other` stores in the same place under the same keys (same directory,
    /// build and vocabulary), so one may stand for the other.
    pub fn same_keys(&self, other: &Cache) -> bool {
        self.dir == other.dir && self.context == other.context
    }

    /// Ends a run: in-memory entries that the run did not use are dropped (they stay
    /// on disk), so memory holds about one crate's entries however long the process
    /// lives and however many edits made new ones.
    pub fn end_run(&self) {
        if let Some(memory) = &self.memory {
            let generation = memory.generation.fetch_add(1, Ordering::Relaxed);
            memory.entries.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, (_, used)| *used == generation);
        }
    }

    pub fn key(&self, text: &str) -> Key {
        let mut hasher = Xxh3::new();
        hasher.update(&self.context.to_le_bytes());
        hasher.update(text.as_bytes());
        Key(hasher.digest128())
    }

    /// The key of a file's entry: its content and what extraction keeps (test code
    /// kept or cut gives other facts, so another key).
    pub fn facts_key(&self, text: &str, opts: crate::extract::ExtractOptions) -> Key {
        if !opts.include_tests {
            return self.key(text);
        }
        let mut hasher = Xxh3::new();
        hasher.update(&self.context.to_le_bytes());
        hasher.update(if opts.test_file { b"include-tests;test-file\0".as_slice() } else { b"include-tests\0" });
        hasher.update(text.as_bytes());
        Key(hasher.digest128())
    }

    fn path(&self, key: Key) -> PathBuf {
        let hex = key.hex();
        self.dir.join(&hex[..2]).join(format!("{hex}.bin"))
    }

    /// The entry for `key`, if one is stored and sound. The facts' paths are set to
    /// `path` (the same content may live at several paths).
    pub fn get(&self, key: Key, path: &Path) -> Option<Entry> {
        let mut entry = match &self.memory {
            Some(memory) => match memory.get(key) {
                Some(entry) => entry,
                None => {
                    let entry = self.get_stored(key)?;
                    memory.insert(key, entry.clone());
                    entry
                }
            },
            None => self.get_stored(key)?,
        };
        match &mut entry.facts {
            // Copied only when the same content is asked for under another path.
            Some(Ok(facts)) if facts.path != path => Arc::make_mut(facts).path = path.to_path_buf(),
            Some(Err(e)) => e.file = path.to_path_buf(),
            _ => {}
        }
        Some(entry)
    }

    /// The entry stored on disk for `key`, if sound.
    fn get_stored(&self, key: Key) -> Option<Entry> {
        let file = self.path(key);
        let meta = std::fs::metadata(&file).ok()?;
        if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
            return None;
        }
        let bytes = std::fs::read(&file).ok()?;
        let stored: Stored = postcard::from_bytes(&bytes).ok()?;
        if stored.format != FORMAT || stored.key != key.hex() {
            return None;
        }
        touch_if_stale(&file, &meta);
        let StoredEntry { nesting, facts } = stored.entry;
        Some(Entry { nesting, facts: facts.map(|r| r.map(Arc::new)) })
    }

    /// Stores an entry. Failing to write (read-only target, full disk) only costs the
    /// next run time, so it is not an error.
    pub fn put(&self, key: Key, entry: &Entry) {
        if let Some(memory) = &self.memory {
            memory.insert(key, entry.clone());
        }
        let facts = entry.facts.as_ref().map(|r| r.as_ref().map(Arc::as_ref));
        let stored = StoredRef { format: FORMAT, key: key.hex(), entry: EntryRef { nesting: entry.nesting, facts } };
        if let Ok(bytes) = postcard::to_allocvec(&stored) {
            if write_atomic(&self.path(key), &bytes).is_ok() {
                self.written.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
        }
    }
}

/// A whole crate's result: when no file of a crate changed (same paths, same content
/// keys, same levels), its findings are reused without scanning or analysing anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrateResult {
    pub findings: Vec<StoredFinding>,
    pub suppressed: Vec<(StoredFinding, String)>,
    pub errors: Vec<FileError>,
    pub notes: Vec<String>,
    /// Test items left out of the crate's files (the summary counts them).
    #[serde(default)]
    pub test_items: usize,
    /// Build-script includes in them (each has its note).
    #[serde(default)]
    pub generated: usize,
}

/// A [`Finding`] with its rule code as data (the live type borrows static names).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFinding {
    rule: String,
    severity: Severity,
    confidence: Confidence,
    item: String,
    file: PathBuf,
    span: Span,
    message: String,
    help: String,
    labels: Vec<(PathBuf, Span, String)>,
}

impl StoredFinding {
    pub fn from_finding(f: &Finding) -> Self {
        StoredFinding {
            rule: f.rule.to_string(),
            severity: f.severity,
            confidence: f.confidence,
            item: f.item.clone(),
            file: f.location.file.clone(),
            span: f.location.span,
            message: f.message.clone(),
            help: f.help.clone(),
            labels: f.labels.iter().map(|l| (l.location.file.clone(), l.location.span, l.message.clone())).collect(),
        }
    }

    /// Back to a [`Finding`]; `None` for a rule this build does not know (a foreign or
    /// forged entry, treated as a miss).
    pub fn to_finding(&self) -> Option<Finding> {
        let (rule, name): (&'static str, &'static str) = match crate::rules::find(&self.rule) {
            Some(r) if r.code == self.rule => (r.code, r.name),
            _ => match self.rule.as_str() {
                crate::engine::UNUSED_SUPPRESSION => {
                    (crate::engine::UNUSED_SUPPRESSION, crate::engine::UNUSED_SUPPRESSION)
                }
                crate::engine::INVALID_SUPPRESSION => {
                    (crate::engine::INVALID_SUPPRESSION, crate::engine::INVALID_SUPPRESSION)
                }
                _ => return None,
            },
        };
        Some(Finding {
            rule,
            name,
            severity: self.severity,
            confidence: self.confidence,
            item: self.item.clone(),
            location: Location { file: self.file.clone(), span: self.span },
            message: self.message.clone(),
            help: self.help.clone(),
            labels: self
                .labels
                .iter()
                .map(|(file, span, message)| Label {
                    location: Location { file: file.clone(), span: *span },
                    message: message.clone(),
                })
                .collect(),
        })
    }
}

#[derive(Deserialize)]
struct StoredCrate {
    format: u32,
    key: String,
    result: CrateResult,
}

#[derive(Serialize)]
struct StoredCrateRef<'a> {
    format: u32,
    key: String,
    result: &'a CrateResult,
}

impl Cache {
    /// The key of a crate: its files (reported path and content key, in order) and the
    /// rule levels of the configuration.
    pub fn crate_key(&self, files: &[(&Path, Key)], levels: &str) -> Key {
        let mut hasher = Xxh3::new();
        hasher.update(&self.context.to_le_bytes());
        hasher.update(levels.as_bytes());
        for (path, key) in files {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(&[0]);
            hasher.update(&key.0.to_le_bytes());
        }
        Key(hasher.digest128())
    }

    fn crate_path(&self, key: Key) -> PathBuf {
        self.dir.with_file_name("crates").join(format!("{}.json", key.hex()))
    }

    /// The stored result of the crate keyed `key`, whose files have the content keys
    /// `files`. A hit refreshes the age of the crate entry and, with it, of the file
    /// entries (which a crate hit does not read), so an unchanged crate's entries are
    /// not evicted as unused.
    pub fn get_crate(&self, key: Key, files: &[Option<Key>]) -> Option<CrateResult> {
        let file = self.crate_path(key);
        let meta = std::fs::metadata(&file).ok()?;
        if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
            return None;
        }
        let stored: StoredCrate = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        if stored.format != FORMAT || stored.key != key.hex() {
            return None;
        }
        if touch_if_stale(&file, &meta) {
            for key in files.iter().flatten() {
                let _ = touch(&self.path(*key));
            }
        }
        Some(stored.result)
    }

    pub fn put_crate(&self, key: Key, result: &CrateResult) {
        let stored = StoredCrateRef { format: FORMAT, key: key.hex(), result };
        if let Ok(bytes) = serde_json::to_vec(&stored) {
            if write_atomic(&self.crate_path(key), &bytes).is_ok() {
                self.written.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
        }
    }

    /// Bounds the directory after a run: if entries were written since the last call
    /// and the cache holds more than `max_bytes`, deletes the least recently used
    /// entries (see [`evict_dir`]). A run that wrote nothing costs nothing here; one
    /// that wrote reads and rewrites [`USAGE_FILE`], the size at the last scan plus
    /// the writes since, and scans only when that passes `max_bytes` (or the file is
    /// missing or unreadable: a cache from before it, or a first run). The estimate
    /// only errs high (an entry rewritten in place, one deleted by hand counts until
    /// the next scan), which costs an early scan, never an unbounded cache; writes of
    /// two runs at the same moment may lose one increment.
    pub fn evict(&self, max_bytes: u64) -> std::io::Result<Evicted> {
        let written = self.written.swap(0, Ordering::Relaxed);
        let Some(root) = self.dir.parent().filter(|_| written > 0) else {
            return Ok(Evicted::default());
        };
        let usage = root.join(USAGE_FILE);
        let recorded = std::fs::read_to_string(&usage).ok().and_then(|text| text.trim().parse::<u64>().ok());
        let (evicted, left) = match recorded.map(|r| r.saturating_add(written)) {
            Some(estimate) if estimate <= max_bytes => (Evicted { estimate, ..Evicted::default() }, estimate),
            _ => {
                let evicted = evict_dir(root, max_bytes)?;
                (evicted, evicted.found - evicted.deleted_bytes)
            }
        };
        write_atomic(&usage, format!("{left}\n").as_bytes())?;
        Ok(evicted)
    }
}

/// The file in a cache directory that records the entries' size at the last scan
/// plus what was written since (decimal bytes), so most runs need no scan.
pub const USAGE_FILE: &str = "usage";

/// What [`evict_dir`] found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evicted {
    /// Without a scan (see [`Cache::evict`]): the estimated size, under the bound.
    pub estimate: u64,
    /// With a scan: the bytes of the entries found before deleting.
    pub found: u64,
    pub deleted_files: usize,
    pub deleted_bytes: u64,
}

/// If the regular files under `root`'s `facts/` and `crates/` (a cache directory as
/// [`Cache::new`] lays it out; nothing else is looked at or deleted) take more than
/// `max_bytes`, deletes them oldest first (by modification time, then path) until they
/// take at most 80% of it, so the next runs do not evict again at once. Entries of
/// other pairlint builds or vocabularies are never hit, so they are the oldest and go
/// first; so do temporary files that a killed run left. An entry that vanished
/// meanwhile (another run evicting) is skipped. Errors reading a directory or deleting
/// a file are returned only when nothing could be done; the cache is never needed for
/// a correct run, so callers warn at most.
pub fn evict_dir(root: &Path, max_bytes: u64) -> std::io::Result<Evicted> {
    let mut files: Vec<(SystemTime, PathBuf, u64)> = Vec::new();
    let mut first_error = None;
    for sub in ["facts", "crates"] {
        for item in walkdir::WalkDir::new(root.join(sub)).follow_links(false).max_depth(2) {
            let item = match item {
                Ok(item) => item,
                // A cache that does not exist yet holds nothing.
                Err(e) if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) => continue,
                Err(e) => {
                    first_error.get_or_insert(std::io::Error::other(e));
                    continue;
                }
            };
            if !item.file_type().is_file() {
                continue;
            }
            if let Ok(meta) = item.metadata() {
                let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                files.push((mtime, item.into_path(), meta.len()));
            }
        }
    }
    let found: u64 = files.iter().map(|f| f.2).sum();
    let mut evicted = Evicted { found, ..Evicted::default() };
    if found <= max_bytes {
        return match first_error {
            Some(e) if files.is_empty() => Err(e),
            _ => Ok(evicted),
        };
    }
    let goal = max_bytes / 5 * 4;
    files.sort();
    let mut left = found;
    for (_, path, len) in files {
        if left <= goal {
            break;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                left -= len;
                evicted.deleted_files += 1;
                evicted.deleted_bytes += len;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => left -= len,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if evicted.deleted_files == 0 => Err(e),
        _ => Ok(evicted),
    }
}

/// Sets `file`'s modification time to now if `meta` (its metadata) says it is older
/// than [`TOUCH_AFTER`]; whether it tried. Failing (a read-only cache) is harmless.
fn touch_if_stale(file: &Path, meta: &std::fs::Metadata) -> bool {
    let stale = meta.modified().ok().and_then(|t| t.elapsed().ok()).is_none_or(|age| age > TOUCH_AFTER);
    if stale {
        let _ = touch(file);
    }
    stale
}

/// Sets `file`'s modification time to now, without following a symlink (a cache
/// directory someone else wrote into must not make us touch files elsewhere).
fn touch(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let handle = options.open(file)?;
    if !handle.metadata()?.is_file() {
        return Ok(());
    }
    handle.set_modified(SystemTime::now())
}

/// The format and key a stored file entry (postcard) or crate entry (JSON) names, for
/// inspecting a cache directory; `None` if the bytes are neither.
pub fn entry_header(bytes: &[u8]) -> Option<(u32, String)> {
    #[derive(Deserialize)]
    struct Header {
        format: u32,
        key: String,
    }
    if let Ok((h, _)) = postcard::take_from_bytes::<Header>(bytes) {
        if h.key.len() == 32 && h.key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some((h.format, h.key));
        }
    }
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    Some((u32::try_from(v["format"].as_u64()?).ok()?, v["key"].as_str()?.to_string()))
}

#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    key: String,
    entry: EntryRef<'a>,
}

/// Identifies this build of pairlint beyond its version number (development builds
/// share a version but not an extractor): the executable's size and modification time.
fn build_id() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{mtime}", m.len())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry { nesting: (1, 7), facts: Some(Ok(Arc::default())) }
    }

    // A hit must come back with the asking file's path, since content is shared across paths.
    #[test]
    fn round_trip_sets_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default());
        let key = cache.key("fn f() {}");
        assert!(cache.get(key, Path::new("a.rs")).is_none());
        cache.put(key, &entry());
        let got = cache.get(key, Path::new("b.rs")).expect("hit");
        assert_eq!(got.facts.unwrap().unwrap().path, Path::new("b.rs"));
    }

    // Corrupt, truncated or foreign entries are misses, never trusted.
    #[test]
    fn corrupt_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default());
        let key = cache.key("fn f() {}");
        cache.put(key, &entry());
        let file = cache.path(key);
        let good = std::fs::read(&file).unwrap();
        std::fs::write(&file, &good[..good.len() / 2]).unwrap();
        assert!(cache.get(key, Path::new("a.rs")).is_none(), "truncated");
        std::fs::write(&file, b"\x00\xff garbage").unwrap();
        assert!(cache.get(key, Path::new("a.rs")).is_none(), "garbage");
        // An entry stored under another key (a copied file) is foreign.
        let other = cache.key("fn g() {}");
        cache.put(other, &entry());
        std::fs::copy(cache.path(other), &file).unwrap();
        assert!(cache.get(key, Path::new("a.rs")).is_none(), "foreign");
        // Another vocabulary is another context, so other keys.
        let mut extra = std::collections::BTreeMap::new();
        extra.insert("identity_names".to_string(), vec!["kiosk".to_string()]);
        let other_vocab = Cache::new(dir.path().to_path_buf(), &Vocabulary::new(&extra));
        assert_ne!(other_vocab.key("fn f() {}"), key);
    }

    // The language server's memory layer answers without the disk, and forgets what a
    // run did not use (the disk still has it).
    #[test]
    fn memory_layer_keeps_what_the_last_run_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default()).in_memory();
        let key = cache.key("fn f() {}");
        cache.put(key, &entry());
        std::fs::remove_file(cache.path(key)).unwrap();
        assert!(cache.get(key, Path::new("a.rs")).is_some(), "from memory");
        cache.end_run();
        assert!(cache.clone().get(key, Path::new("a.rs")).is_some(), "used in the run that ended, kept");
        cache.end_run();
        cache.end_run();
        assert!(cache.get(key, Path::new("a.rs")).is_none(), "unused in the last run, dropped");
    }

    fn age(path: &Path, secs_ago: u64) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(secs_ago)).unwrap();
    }

    fn mtime_age(path: &Path) -> Duration {
        std::fs::metadata(path).unwrap().modified().unwrap().elapsed().unwrap_or_default()
    }

    // Over the bound, the oldest entries go until 80% of it is left; files beside
    // `facts/` and `crates/` are never looked at.
    #[test]
    fn eviction_deletes_oldest_down_to_four_fifths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("facts/ab")).unwrap();
        std::fs::create_dir_all(root.join("crates")).unwrap();
        let mut entries = Vec::new();
        for i in 0..10u64 {
            let path = if i % 2 == 0 {
                root.join(format!("facts/ab/{i:02}.bin"))
            } else {
                root.join(format!("crates/{i:02}.json"))
            };
            std::fs::write(&path, [0u8; 100]).unwrap();
            // Entry 0 is the oldest, 9 the newest.
            age(&path, 10_000 - i * 100);
            entries.push(path);
        }
        let bystander = root.join("keep.txt");
        std::fs::write(&bystander, [0u8; 5000]).unwrap();
        age(&bystander, 1_000_000);

        let under = evict_dir(root, 1000).unwrap();
        assert_eq!(under, Evicted { found: 1000, ..Evicted::default() }, "at the bound: nothing");

        let evicted = evict_dir(root, 500).unwrap();
        assert_eq!(evicted, Evicted { found: 1000, deleted_files: 6, deleted_bytes: 600, estimate: 0 });
        let left: Vec<bool> = entries.iter().map(|p| p.exists()).collect();
        assert_eq!(left, [false, false, false, false, false, false, true, true, true, true], "the six oldest went");
        assert!(bystander.exists());
        // A directory that does not exist yet is an empty cache.
        assert_eq!(evict_dir(&root.join("none"), 0).unwrap(), Evicted::default());
    }

    // Only a run that wrote scans the directory; a hit on an old entry makes it young.
    #[test]
    fn evict_after_writes_only_and_hits_refresh_age() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default());
        assert_eq!(cache.evict(0).unwrap(), Evicted::default(), "nothing written");
        let (old, used) = (cache.key("fn old() {}"), cache.key("fn used() {}"));
        cache.put(old, &entry());
        cache.put(used, &entry());
        age(&cache.path(old), 2 * 86_400);
        age(&cache.path(used), 86_400);
        assert!(cache.get(used, Path::new("a.rs")).is_some());
        assert!(mtime_age(&cache.path(used)) < Duration::from_secs(60), "a hit on an old entry touches it");
        let size = std::fs::metadata(cache.path(old)).unwrap().len();
        // Room for one entry: the one not used since goes.
        let evicted = cache.clone().evict(size * 3 / 2).unwrap();
        assert_eq!(evicted.deleted_files, 1);
        assert!(!cache.path(old).exists() && cache.path(used).exists());
        assert_eq!(cache.evict(0).unwrap(), Evicted::default(), "nothing written since the last eviction");
    }

    // The usage file spares the scan while the recorded size plus the writes since
    // stay under the bound; past it, a scan finds what others put there.
    #[test]
    fn usage_file_decides_when_to_scan() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default());
        cache.put(cache.key("fn a() {}"), &entry());
        let first = cache.evict(1 << 20).unwrap();
        assert!(first.found > 0 && first.estimate == 0, "no usage file yet: a scan, {first:?}");
        let usage = || std::fs::read_to_string(dir.path().join(USAGE_FILE)).unwrap().trim().parse::<u64>().unwrap();
        assert_eq!(usage(), first.found);
        // 100 KiB that no write of ours accounts for, older than anything.
        let junk = dir.path().join("crates/junk.json");
        std::fs::create_dir_all(dir.path().join("crates")).unwrap();
        std::fs::write(&junk, vec![0u8; 100 << 10]).unwrap();
        age(&junk, 86_400);
        cache.put(cache.key("fn b() {}"), &entry());
        let second = cache.evict(64 << 10).unwrap();
        assert!(second.found == 0 && second.estimate > first.found, "under the bound by the estimate: {second:?}");
        assert!(junk.exists());
        assert_eq!(usage(), second.estimate);
        let newest = cache.key("fn c() {}");
        cache.put(newest, &entry());
        let third = cache.evict(second.estimate).unwrap();
        assert!(third.found > 100 << 10, "past the bound by the estimate: a scan, {third:?}");
        assert!(!junk.exists() && cache.path(newest).exists(), "oldest first");
        assert_eq!(usage(), third.found - third.deleted_bytes);
    }

    // A crate hit reads no file entry, so it refreshes its files' entries with its own.
    #[test]
    fn crate_hit_refreshes_its_file_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), &Vocabulary::default());
        let file = cache.key("fn f() {}");
        cache.put(file, &entry());
        let krate = cache.crate_key(&[(Path::new("a.rs"), file)], "");
        let result = CrateResult {
            findings: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            test_items: 0,
            generated: 0,
        };
        cache.put_crate(krate, &result);
        age(&cache.path(file), 86_400);
        age(&cache.crate_path(krate), 86_400);
        assert!(cache.get_crate(krate, &[Some(file)]).is_some());
        assert!(mtime_age(&cache.crate_path(krate)) < Duration::from_secs(60));
        assert!(mtime_age(&cache.path(file)) < Duration::from_secs(60));
        // A fresh crate entry is not rewritten on every hit (nor are its files).
        age(&cache.path(file), 86_400);
        assert!(cache.get_crate(krate, &[Some(file)]).is_some());
        assert!(mtime_age(&cache.path(file)) > Duration::from_secs(3600));
    }

    // A symlinked entry is read (the cache trusts content, not files) but never touched:
    // the link's target is not ours.
    #[cfg(unix)]
    #[test]
    fn touch_does_not_follow_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"x").unwrap();
        age(&target, 86_400);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(touch(&link).is_err());
        assert!(mtime_age(&target) > Duration::from_secs(3600));
    }
}
