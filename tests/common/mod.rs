//! Helpers shared by the integration tests: running pairlint (in-process through
//! `pairlint::cli`, or the real binary with a time limit) and building temporary trees.
//! Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The incident's flawed print handler: pops the head of a shared queue for a card
/// holder (PL001 at `pop_front`, line 12).
pub const FLAWED_KIOSK: &str = r#"pub struct PrintImage {
    pub applicant: u64,
    pub pdf: Vec<u8>,
}

pub struct Kiosk {
    queue: std::sync::Mutex<std::collections::VecDeque<PrintImage>>,
}

impl Kiosk {
    pub fn print(&self, card_id: u64) -> Option<PrintImage> {
        self.queue.lock().unwrap().pop_front()
    }
}
"#;

/// [`FLAWED_KIOSK`] with its take suppressed, with a reason.
pub fn suppressed_kiosk() -> String {
    let take = "        self.queue.lock().unwrap().pop_front()";
    assert!(FLAWED_KIOSK.contains(take), "FLAWED_KIOSK still pops the head");
    FLAWED_KIOSK.replace(take, &format!("        // pairlint: allow(PL001) one image per kiosk session here\n{take}"))
}

/// What one run of pairlint gave.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

impl std::fmt::Debug for Out {
    // Clipped: a failing assertion on a huge output should still be readable.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clip = |s: &str| s.chars().take(4000).collect::<String>();
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, clip(&self.stdout), clip(&self.stderr))
    }
}

/// Runs the CLI in-process in `cwd` with `env` as its whole environment (the program
/// name is added to `args`).
pub fn run_env(cwd: &Path, args: &[&str], env: &BTreeMap<&str, OsString>) -> Out {
    let mut argv: Vec<OsString> = vec!["cargo-pairlint".into()];
    argv.extend(args.iter().map(OsString::from));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let lookup = |key: &str| env.get(key).cloned();
    let code = pairlint::cli::run_with_env(argv, cwd, &lookup, &mut stdout, &mut stderr);
    Out {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the CLI in-process in `cwd`, with the process's environment.
pub fn run(cwd: &Path, args: &[&str]) -> Out {
    let mut argv: Vec<OsString> = vec!["cargo-pairlint".into()];
    argv.extend(args.iter().map(OsString::from));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = pairlint::cli::run(argv, cwd, &mut stdout, &mut stderr);
    Out {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary in `cwd` with extra `env`, killing it (and failing the test) after
/// `limit`; any exit code outside 0/1/2 fails the test too.
pub fn run_bin_env(cwd: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-pairlint"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("PAIRLINT_INJECT_PANIC")
        // The cache goes where cargo puts the tree's target directory; a
        // `CARGO_TARGET_DIR` of whoever runs the tests would move it out of the tree.
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("binary starts");
    // Drain the pipes on threads, so a big output cannot block the child.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pairlint {args:?} did not finish within {limit:?} (hung)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8(out_thread.join().expect("stdout reader")).expect("stdout is UTF-8");
    let stderr = String::from_utf8(err_thread.join().expect("stderr reader")).expect("stderr is UTF-8");
    let code = status.code().unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{stderr}"));
    let out = Out { code, stdout, stderr };
    assert!(matches!(out.code, 0..=2), "exit code outside the 0/1/2 contract: {out:?}");
    out
}

/// Runs the binary in `cwd` (two minutes at most).
pub fn run_bin(cwd: &Path, args: &[&str]) -> Out {
    run_bin_env(cwd, args, &[], Duration::from_secs(120))
}

/// Writes `bytes` at `dir/rel`, making directories; returns the path.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a file path has a parent")).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A temp dir holding the given (relative path, contents) files.
pub fn dir_with<T: AsRef<[u8]>>(files: &[(&str, T)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// Every `.rs` file under `dir`, sorted.
pub fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// The crate root, where `fixtures/` lives.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture case, in path order: a single `.rs` file or a mini-crate directory
/// directly under `fixtures/PL00N/`, as (the case's path relative to the crate root, its
/// `.rs` files).
pub fn fixture_cases() -> Vec<(PathBuf, Vec<PathBuf>)> {
    let root = manifest_dir().join("fixtures");
    let mut cases = Vec::new();
    let mut rule_dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    rule_dirs.sort();
    for dir in rule_dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            let case = entry.strip_prefix(manifest_dir()).unwrap().to_path_buf();
            if entry.is_dir() {
                cases.push((case, rs_files(&entry)));
            } else if entry.extension().is_some_and(|x| x == "rs") {
                cases.push((case, vec![entry]));
            }
        }
    }
    cases
}

/// The given files as in-memory sources named by their path relative to the crate root
/// (`fixtures/...`), so reports and renderings never hold a machine's absolute path.
pub fn relative_sources(files: &[PathBuf]) -> Vec<pairlint::engine::SourceFile> {
    files
        .iter()
        .map(|p| pairlint::engine::SourceFile {
            path: p.strip_prefix(manifest_dir()).unwrap().to_path_buf(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

/// The directive a fixture writes (a line of its own, in any of its files) to be
/// linted as `--include-tests` lints it: test code included.
pub const INCLUDE_TESTS_DIRECTIVE: &str = "// pairlint-fixture: --include-tests";

/// The configuration a fixture case is linted with: the default, plus what its
/// directives ask for ([`INCLUDE_TESTS_DIRECTIVE`]).
pub fn fixture_config(sources: &[pairlint::engine::SourceFile]) -> pairlint::config::Config {
    let mut config = pairlint::config::Config::default();
    config.include_tests = sources.iter().any(|s| s.text.lines().any(|l| l.trim() == INCLUDE_TESTS_DIRECTIVE));
    config
}
