//! A content-addressed cache of per-file results under `target/pairlint/` (or
//! `$CARGO_TARGET_DIR/pairlint/`): the nesting measure and the extracted
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

use crate::atomic::write_atomic_unsynced as write_atomic;
use crate::finding::{Confidence, FileError, Finding, Label, Location, Severity, Span};
use crate::model::FileFacts;
use crate::vocab::Vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use xxhash_rust::xxh3::{xxh3_128, Xxh3};

/// Bump when the entry layout changes.
pub const FORMAT: u32 = 5;
/// Entries bigger than this are not read (a hostile or broken cache cannot make us
/// allocate without bound).
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// Where entries live and what, besides content, keys them.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    context: u128,
    /// File entries also kept in memory, for a long-lived process (the language
    /// server): a run after an edit then decodes nothing from disk. Shared by clones.
    memory: Option<Arc<Memory>>,
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
    /// The default location for a workspace: `$CARGO_TARGET_DIR/pairlint`, else
    /// `<root>/target/pairlint`.
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
        Cache { dir: dir.join("facts"), context: xxh3_128(context.as_bytes()), memory: None }
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
            let _ = write_atomic(&self.path(key), &bytes);
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

    pub fn get_crate(&self, key: Key) -> Option<CrateResult> {
        let file = self.crate_path(key);
        let meta = std::fs::metadata(&file).ok()?;
        if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
            return None;
        }
        let stored: StoredCrate = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        (stored.format == FORMAT && stored.key == key.hex()).then_some(stored.result)
    }

    pub fn put_crate(&self, key: Key, result: &CrateResult) {
        let stored = StoredCrateRef { format: FORMAT, key: key.hex(), result };
        if let Ok(bytes) = serde_json::to_vec(&stored) {
            let _ = write_atomic(&self.crate_path(key), &bytes);
        }
    }
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
}
