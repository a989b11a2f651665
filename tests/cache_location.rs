//! Where the cache lands. Every entry point (the CLI in workspace mode, in paths mode,
//! the language server) puts it in `pairlint/` under the target directory cargo names
//! for the workspace, so `build.target-dir` in `.cargo/config.toml` and
//! `CARGO_TARGET_DIR` move it, and the three share one cache. The binary runs with a
//! controlled environment (no inherited `CARGO_TARGET_DIR`), the server over stdio.

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIB: &str = "pub fn first(queue: &mut Vec<u32>) -> Option<u32> {\n    queue.pop()\n}\n";

/// A workspace with one member, `app`, whose `.cargo/config.toml` moves the target
/// directory to `build-out/`.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let write = |rel: &str, text: &str| {
        let path = ws.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("Cargo.toml", "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n");
    write("app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write("app/src/lib.rs", LIB);
    write(".cargo/config.toml", "[build]\ntarget-dir = \"build-out\"\n");
    tmp
}

fn binary(cwd: &Path, args: &[&str], target_dir: Option<&Path>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-pairlint"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("PAIRLINT_INJECT_PANIC");
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd
}

fn check(cwd: &Path, args: &[&str], target_dir: Option<&Path>) {
    let out = binary(cwd, args, target_dir).stdin(Stdio::null()).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The number of file entries and crate entries in the cache directory `dir`.
fn entries(dir: &Path) -> (usize, usize) {
    let count = |sub: &str, ext: &str| {
        walkdir::WalkDir::new(dir.join(sub))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
            .count()
    };
    (count("facts", "bin"), count("crates", "json"))
}

fn assert_cache_in(ws: &Path, cache: &Path, what: &str) {
    assert_eq!(entries(cache), (1, 1), "{what}: one file entry and one crate entry in {}", cache.display());
    assert!(!ws.join("target").exists(), "{what}: nothing under the default target/");
}

// `build.target-dir` decides for the CLI in both modes, wherever it is run from.
#[test]
fn cli_honours_build_target_dir_in_both_modes() {
    let tmp = workspace();
    let ws = tmp.path();
    let cache = ws.join("build-out/pairlint");
    for (cwd, args, what) in [
        (ws.to_path_buf(), &["check", "--format", "json"][..], "workspace mode"),
        (ws.join("app"), &["check", "--format", "json"][..], "workspace mode from a member"),
        (ws.to_path_buf(), &["check", "--format", "json", "app/src/lib.rs"][..], "paths mode, a file"),
        (ws.to_path_buf(), &["check", "--format", "json", "app"][..], "paths mode, a package"),
        (ws.join("app"), &["check", "--format", "json", "src"][..], "paths mode, a plain directory"),
    ] {
        let _ = std::fs::remove_dir_all(&cache);
        check(&cwd, args, None);
        assert_cache_in(ws, &cache, what);
    }
    // `--no-cache` writes nothing anywhere.
    let _ = std::fs::remove_dir_all(ws.join("build-out"));
    check(ws, &["check", "--format", "json", "--no-cache", "app/src/lib.rs"], None);
    assert!(!ws.join("build-out").exists() && !ws.join("target").exists());
}

// CARGO_TARGET_DIR wins over the config file, as it does for cargo.
#[test]
fn cli_honours_cargo_target_dir_over_the_config() {
    let tmp = workspace();
    let ws = tmp.path();
    let elsewhere = tempfile::tempdir().unwrap();
    for args in [&["check", "--format", "json"][..], &["check", "--format", "json", "app/src/lib.rs"][..]] {
        let _ = std::fs::remove_dir_all(elsewhere.path().join("pairlint"));
        check(ws, args, Some(elsewhere.path()));
        assert_eq!(entries(&elsewhere.path().join("pairlint")), (1, 1), "{args:?}");
        assert!(!ws.join("build-out").exists() && !ws.join("target").exists(), "{args:?}");
    }
}

// Outside any cargo project (no manifest above) the cache is `./target/pairlint`.
#[test]
fn loose_files_cache_in_the_current_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(dir.ancestors().all(|d| !d.join("Cargo.toml").exists()), "the temp dir is in no cargo project");
    std::fs::write(dir.join("loose.rs"), LIB).unwrap();
    check(dir, &["check", "--format", "json", "loose.rs"], None);
    assert_eq!(entries(&dir.join("target/pairlint")), (1, 1));
}

/// Writes one LSP message to the server's stdin.
fn send(stdin: &mut impl std::io::Write, message: Message) {
    message.write(stdin).unwrap();
}

// The language server puts a crate's cache where the CLI does, and the CLI then hits it.
#[test]
fn language_server_honours_build_target_dir() {
    let tmp = workspace();
    let ws = tmp.path();
    let lib = ws.join("app/src/lib.rs");
    let uri = lsp_types::Url::from_file_path(&lib).unwrap();
    let mut child =
        binary(ws, &["lsp"], None).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read on a thread so a silent server fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Ok(Some(message)) = Message::read(&mut reader) {
            if tx.send(message).is_err() {
                break;
            }
        }
    });
    let wait_for = |done: &dyn Fn(&Message) -> bool, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(m) if done(&m) => return m,
                Ok(_) => {}
                Err(e) => panic!("no {what}: {e}"),
            }
        }
    };
    let init = json!({ "processId": null, "rootUri": null, "capabilities": {} });
    send(&mut stdin, Request::new(RequestId::from(1), "initialize".into(), init).into());
    wait_for(&|m| matches!(m, Message::Response(r) if r.id == RequestId::from(1)), "initialize response");
    send(&mut stdin, Notification::new("initialized".into(), json!({})).into());
    let open = json!({ "textDocument": { "uri": uri, "languageId": "rust", "version": 1, "text": LIB } });
    send(&mut stdin, Notification::new("textDocument/didOpen".into(), open).into());
    let published = |m: &Message| {
        matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == Value::String(uri.to_string()))
    };
    wait_for(&published, "diagnostics");
    send(&mut stdin, Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    wait_for(&|m| matches!(m, Message::Response(r) if r.id == RequestId::from(2)), "shutdown response");
    send(&mut stdin, Notification::new("exit".into(), Value::Null).into());
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "server exits cleanly: {status}");

    let cache: PathBuf = ws.join("build-out/pairlint");
    assert_cache_in(ws, &cache, "language server");
    // The CLI finds the server's entries: a crate hit writes nothing new.
    let before = std::fs::metadata(cache.join("crates")).unwrap().modified().unwrap();
    check(ws, &["check", "--format", "json"], None);
    assert_cache_in(ws, &cache, "CLI after the language server");
    assert_eq!(std::fs::metadata(cache.join("crates")).unwrap().modified().unwrap(), before);
}

// After a run that wrote entries, a cache over the configured bound loses its oldest
// entries (another build's, here) down to 80% of it, and keeps the run's own.
#[test]
fn cli_trims_the_cache_to_the_configured_bound() {
    let tmp = workspace();
    let ws = tmp.path();
    std::fs::write(ws.join("pairlint.toml"), "cache-max-mib = 1\n").unwrap();
    let cache = ws.join("build-out/pairlint");
    std::fs::create_dir_all(cache.join("crates")).unwrap();
    let old: Vec<PathBuf> = (0..8).map(|i| cache.join(format!("crates/{i:032x}.json"))).collect();
    for (i, path) in old.iter().enumerate() {
        std::fs::write(path, vec![b' '; 256 << 10]).unwrap();
        let file = std::fs::File::options().write(true).open(path).unwrap();
        let ago = Duration::from_secs(86_400 * (10 - i as u64));
        file.set_modified(std::time::SystemTime::now() - ago).unwrap();
    }
    check(ws, &["check", "--format", "json"], None);
    assert_eq!(entries(&cache).0, 1, "the run's file entry stays");
    let kept: Vec<bool> = old.iter().map(|p| p.exists()).collect();
    // 2 MiB of old entries plus the run's: down to 0.8 MiB, so the five oldest go.
    assert_eq!(kept, [false, false, false, false, false, true, true, true]);
    // A run that only hits writes nothing, so it does not even scan the cache: what
    // others put there waits for the next run that writes.
    let junk = cache.join("crates/junk.json");
    std::fs::write(&junk, vec![b' '; 2 << 20]).unwrap();
    check(ws, &["check", "--format", "json"], None);
    assert!(junk.exists() && old[5].exists());
}
