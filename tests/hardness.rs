//! Hostile and odd inputs: pairlint must never crash, hang or lose a finding, whatever
//! it is given. Runs the real binary (with a watchdog, so a hang fails the test instead
//! of stalling CI) where the process exit code or signal matters, and the library
//! in-process elsewhere.

mod common;
use common::{run_bin, run_bin_env, write, FLAWED_KIOSK};
use pairlint::config::Config;
use pairlint::discover::{CrateUnit, Discovery};
use pairlint::engine::{lint_crate, lint_discovery, SourceFile};
use pairlint::vocab::Vocabulary;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::TempDir;

fn errors_of(json: &Value) -> Vec<(String, u64, String)> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn finding_files(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The line of the `pop_front` in FLAWED_KIOSK.KIOSK.
const POP_LINE: u64 = 12;

// ---------------------------------------------------------------------------------------
// Odd file contents

// Encodings, line endings, empty files, NUL bytes and huge lines are everyday input: each
// must be linted normally or reported with a clear message, never crash or vanish.
#[test]
fn odd_encodings_and_contents_are_linted_or_reported() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "not_utf8.rs", b"fn a() {}\n  \xff\xfe\n");
    write(d, "bom.rs", format!("\u{feff}{FLAWED_KIOSK}").as_bytes());
    write(d, "crlf.rs", FLAWED_KIOSK.replace('\n', "\r\n").as_bytes());
    write(d, "empty.rs", b"");
    write(d, "nul.rs", b"fn a() {}\n\0\n");
    let long = format!("pub const S: &str = \"{}\";\n{FLAWED_KIOSK}", "a".repeat(100_000));
    write(d, "long_line.rs", long.as_bytes());
    let names = ["not_utf8.rs", "bom.rs", "crlf.rs", "empty.rs", "nul.rs", "long_line.rs"];
    let mut args = vec!["--format", "json", "--no-cache"];
    args.extend(names);
    let out = run_bin(d, &args);
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let errors = errors_of(&json);
    assert!(
        errors.iter().any(|(f, line, m)| f == "not_utf8.rs" && *line == 2 && m.contains("not UTF-8")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|(f, line, _)| f == "nul.rs" && *line == 2), "{errors:?}");
    assert_eq!(errors.len(), 2, "only the two broken files are errors: {errors:?}");
    let findings = finding_files(&json);
    for f in ["bom.rs", "crlf.rs"] {
        assert!(findings.contains(&(f.into(), "PL001".into(), POP_LINE)), "{f}: {findings:?}");
    }
    assert!(findings.contains(&("long_line.rs".into(), "PL001".into(), POP_LINE + 1)), "{findings:?}");
    // Human output of the same run renders without trouble and never quotes the long line.
    let mut args = vec!["--color", "never", "--no-cache"];
    args.extend(names);
    let human = run_bin(d, &args);
    assert_eq!(human.code, 2);
    assert!(human.stdout.contains("not UTF-8") && human.stdout.contains("PL001"), "{human:?}");
    assert!(!human.stdout.contains(&"a".repeat(1000)), "the 100,000-char line is not quoted");
}

// A 50 MB file (generated or hostile) must be refused quickly with a message, not parsed
// into gigabytes of syntax tree.
#[test]
fn fifty_megabyte_file_is_refused_with_a_message() {
    let dir = TempDir::new().unwrap();
    let line = "pub fn f() -> u32 { 1 + 2 + 3 }\n";
    let big = line.repeat(50_000_000 / line.len() + 1);
    write(dir.path(), "big.rs", big.as_bytes());
    write(dir.path(), "kiosk.rs", FLAWED_KIOSK.as_bytes());
    let start = Instant::now();
    let out = run_bin(dir.path(), &["--format", "json", "--no-cache", "big.rs", "kiosk.rs"]);
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let errors = errors_of(&json);
    assert!(errors.iter().any(|(f, _, m)| f == "big.rs" && m.contains("too large")), "{errors:?}");
    assert_eq!(finding_files(&json), [("kiosk.rs".to_string(), "PL001".to_string(), POP_LINE)]);
}

// ---------------------------------------------------------------------------------------
// Odd files

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

// Opening a FIFO blocks until someone writes: pairlint must never open one, whether it
// is named on the command line, found by walking, or declared as a module.
#[test]
fn fifos_are_never_opened() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "walk/kiosk.rs", FLAWED_KIOSK.as_bytes());
    mkfifo(&d.join("walk/pipe.rs"));
    write(d, "krate/Cargo.toml", b"[package]\nname = \"krate\"\nversion = \"0.1.0\"\n");
    write(d, "krate/src/lib.rs", format!("mod pipe;\n{FLAWED_KIOSK}").as_bytes());
    mkfifo(&d.join("krate/src/pipe.rs"));
    mkfifo(&d.join("named.rs"));

    let out = run_bin(d, &["--format", "json", "--no-cache", "walk", "krate", "named.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let errors = errors_of(&json);
    assert!(errors.iter().any(|(f, _, m)| f == "named.rs" && m.contains("not a regular file")), "{errors:?}");
    assert!(errors.iter().any(|(f, _, m)| f == "krate/src/lib.rs" && m.contains("not a regular file")), "{errors:?}");
    let files: Vec<String> = finding_files(&json).into_iter().map(|f| f.0).collect();
    assert_eq!(files, ["krate/src/lib.rs", "walk/kiosk.rs"]);
}

// A symlink cycle must end the walk, not loop; a link pointing out of the tree is not
// followed, so code outside the project is never read.
#[cfg(unix)]
#[test]
fn symlink_loops_terminate_and_external_links_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = TempDir::new().unwrap();
    write(outside.path(), "secret.rs", FLAWED_KIOSK.as_bytes());
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "tree/kiosk.rs", FLAWED_KIOSK.as_bytes());
    symlink(d.join("tree/b.rs"), d.join("tree/a.rs")).unwrap();
    symlink(d.join("tree/a.rs"), d.join("tree/b.rs")).unwrap();
    symlink(d.join("tree"), d.join("tree/loop")).unwrap();
    symlink(outside.path().join("secret.rs"), d.join("tree/external.rs")).unwrap();
    symlink(outside.path(), d.join("tree/outside_dir")).unwrap();
    // A module declared through an external link is not followed either.
    write(d, "krate/Cargo.toml", b"[package]\nname = \"krate\"\nversion = \"0.1.0\"\n");
    write(d, "krate/src/lib.rs", b"mod external;\npub fn f() {}\n");
    symlink(outside.path().join("secret.rs"), d.join("krate/src/external.rs")).unwrap();

    let out = run_bin(d, &["--format", "json", "--no-cache", "tree", "krate"]);
    let json = out.json();
    let files: Vec<String> = finding_files(&json).into_iter().map(|f| f.0).collect();
    assert_eq!(files, ["tree/kiosk.rs"], "{out:?}");
    assert!(!out.stdout.contains("secret"), "{out:?}");

    // Asked to, pairlint follows both external links (the loops still terminate).
    let out = run_bin(d, &["--format", "json", "--no-cache", "--follow-external-symlinks", "tree", "krate"]);
    let json = out.json();
    let mut files: Vec<String> = finding_files(&json).into_iter().map(|f| f.0).collect();
    files.sort();
    files.dedup();
    assert_eq!(files, ["krate/src/external.rs", "tree/external.rs", "tree/kiosk.rs"], "{out:?}");
}

// An unreadable file is reported and the rest still linted. Root reads anything, so as
// root the file is simply linted (and that is checked instead).
#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let locked = write(d, "locked.rs", FLAWED_KIOSK.as_bytes());
    write(d, "kiosk.rs", FLAWED_KIOSK.as_bytes());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&locked).is_ok();
    let out = run_bin(d, &["--format", "json", "--no-cache", "locked.rs", "kiosk.rs"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    let json = out.json();
    let files: Vec<String> = finding_files(&json).into_iter().map(|f| f.0).collect();
    if readable_anyway {
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(files, ["kiosk.rs", "locked.rs"]);
    } else {
        assert_eq!(out.code, 2, "{out:?}");
        assert!(errors_of(&json).iter().any(|(f, _, m)| f == "locked.rs" && m.contains("cannot read")));
        assert_eq!(files, ["kiosk.rs"]);
    }
}

// A file deleted between discovery and reading (a checkout switching branches under us)
// is reported, and the crate's other files are still linted.
#[test]
fn file_vanishing_after_discovery_is_reported() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let kiosk = write(d, "kiosk.rs", FLAWED_KIOSK.as_bytes());
    let gone = write(d, "gone.rs", b"pub fn f() {}\n");
    let discovery = Discovery {
        workspace_root: d.to_path_buf(),
        crates: vec![CrateUnit {
            name: "k".into(),
            root_dir: d.to_path_buf(),
            files: vec![gone.clone(), kiosk],
            deps: Vec::new(),
            dep_names: Vec::new(),
            binary_only: false,
            test_files: Vec::new(),
        }],
        ..Discovery::default()
    };
    std::fs::remove_file(&gone).unwrap();
    let report = lint_discovery(&discovery, &Config::default());
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].file, Path::new("gone.rs"));
    assert!(report.errors[0].message.contains("cannot read"), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].location.file, Path::new("kiosk.rs"));
}

// ---------------------------------------------------------------------------------------
// Panics

// One file crashing the analysis must cost that file only: an internal error naming it
// (exit 2), every other finding in every format, and no panic spew on stderr.
#[test]
fn injected_panic_is_reported_and_other_findings_survive() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "boom.rs", b"pub fn helper() -> u32 { 1 }\n");
    write(d, "kiosk.rs", FLAWED_KIOSK.as_bytes());
    let env = [("PAIRLINT_INJECT_PANIC", "boom.rs")];
    let limit = Duration::from_secs(60);
    let json_out =
        run_bin_env(d, &["--format", "json", "--no-cache", "--no-prefilter", "boom.rs", "kiosk.rs"], &env, limit);
    let human_out = run_bin_env(d, &["--no-cache", "--no-prefilter", "boom.rs", "kiosk.rs"], &env, limit);
    let json = json_out.json();
    if cfg!(debug_assertions) {
        assert_eq!(json_out.code, 2, "{json_out:?}");
        let errors = errors_of(&json);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "boom.rs");
        assert!(errors[0].2.contains("internal error"), "{errors:?}");
        assert!(errors[0].2.contains("injected panic for boom.rs"), "the payload is kept: {errors:?}");
        assert!(human_out.stdout.contains("internal error"), "{human_out:?}");
        assert_eq!(human_out.code, 2);
    } else {
        // Release builds compile the injection out.
        assert_eq!(json_out.code, 1, "{json_out:?}");
    }
    assert_eq!(finding_files(&json), [("kiosk.rs".to_string(), "PL001".to_string(), POP_LINE)]);
    assert!(human_out.stdout.contains("PL001 head-of-queue-for-requester"), "{human_out:?}");
    for out in [&json_out, &human_out] {
        assert!(!out.stderr.contains("panicked at"), "no panic spew: {out:?}");
    }
    // The machine formats carry both the finding and (debug builds) the internal error.
    for format in ["sarif", "github", "rustc-json"] {
        let out =
            run_bin_env(d, &["--format", format, "--no-cache", "--no-prefilter", "boom.rs", "kiosk.rs"], &env, limit);
        assert!(out.stdout.contains("PL001"), "{format}: {out:?}");
        if cfg!(debug_assertions) {
            assert_eq!(out.code, 2, "{format}: {out:?}");
            assert!(out.stdout.contains("internal error") && out.stdout.contains("boom.rs"), "{format}: {out:?}");
        }
        assert!(!out.stderr.contains("panicked at"), "{format}: no panic spew: {out:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Nesting

/// Files nested 5,000 deep in each way syn recurses.
fn deep_files() -> Vec<(&'static str, String)> {
    let n = 5_000;
    vec![
        ("parens.rs", format!("fn a() -> u32 {{ {}1{} }}\n", "(".repeat(n), ")".repeat(n))),
        ("blocks.rs", format!("fn a() {{ {}{} }}\n", "{".repeat(n), "}".repeat(n))),
        ("generics.rs", format!("type A = {}u8{};\n", "Vec<".repeat(n), ">".repeat(n))),
        ("nots.rs", format!("fn a() -> bool {{ {}true }}\n", "!".repeat(n))),
        ("refs.rs", format!("fn a() {{ let x = {}1; }}\n", "&".repeat(n))),
    ]
}

// syn would overflow the stack on these and abort the whole process; each must instead be
// one "nesting too deep" error, with the other file's finding intact, on 1 or 2 workers.
#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let mut names = Vec::new();
    for (name, text) in deep_files() {
        write(d, name, text.as_bytes());
        names.push(name);
    }
    write(d, "kiosk.rs", FLAWED_KIOSK.as_bytes());
    names.push("kiosk.rs");
    for jobs in ["1", "2"] {
        let mut args = vec!["--format", "json", "--no-cache", "-j", jobs];
        args.extend(&names);
        let out = run_bin(d, &args);
        assert_eq!(out.code, 2, "{out:?}");
        let json = out.json();
        let errors = errors_of(&json);
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors.iter().all(|(_, _, m)| m.contains("nesting too deep")), "{errors:?}");
        assert_eq!(finding_files(&json), [("kiosk.rs".to_string(), "PL001".to_string(), POP_LINE)]);
    }
}

// In-process callers (tests, editors) run on small thread stacks; the library must move
// the parse onto its own big-stack workers, so nesting just under the bound still parses.
#[test]
fn nesting_just_under_the_bound_parses_in_process() {
    let depth = pairlint::lexcheck::NESTING_LIMIT - 8;
    let text = format!("fn a() -> u32 {{ {}1{} }}\n{FLAWED_KIOSK}", "(".repeat(depth), ")".repeat(depth));
    let sources = vec![SourceFile { path: "deep.rs".into(), text }];
    let report = lint_crate(&sources, &Config::default(), &Vocabulary::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1);
    // And the deep files refused in-process too, without a crash.
    let deep: Vec<SourceFile> =
        deep_files().into_iter().map(|(name, text)| SourceFile { path: name.into(), text }).collect();
    let report = lint_crate(&deep, &Config::default(), &Vocabulary::default());
    assert_eq!(report.errors.len(), 5);
}

// ---------------------------------------------------------------------------------------
// Terminal and CI-log safety

// A file can carry an escape sequence or a `::error::` line (a GitHub workflow command);
// neither may reach the start of an output line or the terminal, from the text or the name.
#[cfg(unix)]
#[test]
fn escapes_and_workflow_commands_cannot_be_injected() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let evil_text = format!("// \x1b[31mred\x1b[0m \u{202e}reversed\n::error::pwned\n{FLAWED_KIOSK}");
    // `::error::pwned` outside a fn is a syntax error, so that line is quoted in the
    // error's snippet; the evil file name carries a finding; quoted.rs quotes an OSC
    // title sequence in a finding's snippet.
    write(d, "evil.rs", evil_text.as_bytes());
    let evil_name = "name\x1b[31m\n::error::pwned.rs";
    write(d, evil_name, FLAWED_KIOSK.as_bytes());
    let quoted =
        format!("{}\n::warning::pwned\n", FLAWED_KIOSK.replace("pop_front()", "pop_front() /* \x1b]0;title\x07 */"));
    write(d, "quoted.rs", quoted.as_bytes());
    for args in [
        vec!["--color", "never", "--no-cache", "--no-prefilter", "evil.rs", evil_name, "quoted.rs"],
        vec!["--color", "never", "--no-cache", "--no-prefilter", "."],
    ] {
        let out = run_bin(d, &args);
        assert_eq!(out.code, 2, "{out:?}");
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!text.contains('\x1b'), "{stream} carries an escape: {out:?}");
            assert!(!text.contains('\x07') && !text.contains('\u{202e}'), "{stream}: {out:?}");
            for line in text.lines() {
                assert!(!line.trim_start().starts_with("::"), "{stream} line starts a workflow command: {line:?}");
            }
        }
        assert!(out.stdout.contains("PL001"), "{out:?}");
    }
    // JSON escapes control characters, so the document stays one valid value.
    let out = run_bin(d, &["--format", "json", "--no-cache", "evil.rs", evil_name]);
    let json = out.json();
    assert!(!out.stdout.contains('\x1b'));
    assert!(finding_files(&json).iter().any(|f| f.0 == evil_name), "{out:?}");
}

// ---------------------------------------------------------------------------------------
// Configuration and cache files

// A broken or hostile pairlint.toml is a clear configuration error (exit 2), never a crash.
#[test]
fn malformed_config_is_a_clear_error() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", b"[rules]\nPL001 = \"de".to_vec()),
        ("binary", b"\x00\xff\xfe[rules\x00]\n".to_vec()),
        ("deep arrays", format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        ("deep tables", format!("x = {}1{}\n", "{a = ".repeat(50_000), "}".repeat(50_000)).into_bytes()),
        ("escape in key", b"[rules]\n\"\x1b[31m::error::x\" = \"deny\"\n".to_vec()),
    ];
    for (what, bytes) in cases {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "pairlint.toml", &bytes);
        write(dir.path(), "kiosk.rs", FLAWED_KIOSK.as_bytes());
        let out = run_bin(dir.path(), &["--no-cache", "kiosk.rs"]);
        assert_eq!(out.code, 2, "{what}: {out:?}");
        assert!(out.stderr.contains("pairlint.toml"), "{what}: names the file: {out:?}");
        assert!(!out.stderr.contains('\x1b'), "{what}: {out:?}");
        assert!(out.stderr.lines().all(|l| !l.trim_start().starts_with("::")), "{what}: {out:?}");
    }
}

/// The entries (`facts/`, `crates/`) of the cache under `root`; beside them is only
/// the size record (`pairlint::cache::USAGE_FILE`).
fn cache_entries(root: &Path) -> Vec<PathBuf> {
    ["facts", "crates"]
        .iter()
        .flat_map(|sub| walkdir::WalkDir::new(root.join("target/pairlint").join(sub)))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect()
}

// The cache must give the same findings warm as cold, follow edits, and shrug off entries
// that are truncated, garbage or hostile by rebuilding them.
#[test]
fn cache_is_transparent_and_survives_corruption() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "kiosk.rs", FLAWED_KIOSK.as_bytes());
    write(d, "other.rs", b"pub fn helper(x: u32) -> u32 { x + 1 }\n");
    let args = ["--format", "json", "kiosk.rs", "other.rs"];
    let cold = run_bin(d, &args);
    assert_eq!(cold.code, 1, "{cold:?}");
    let entries = cache_entries(d);
    // kiosk.rs and other.rs are named separately, so each is a crate: 2 file entries, 2 crate entries.
    assert_eq!(entries.len(), 4, "{entries:?}");
    let warm = run_bin(d, &args);
    assert_eq!(warm.stdout, cold.stdout, "a warm run reports exactly what a cold one does");

    // Corrupt every entry (truncated, garbage, or a sound entry stored under another
    // key); the next run ignores and rebuilds them all.
    let foreign = std::fs::read(&entries[0]).unwrap();
    for (i, e) in entries.iter().enumerate() {
        let bad: Vec<u8> = match i % 3 {
            0 => b"{\"format\":1,\"key\":\"".to_vec(),
            1 => b"\x00\x01garbage\xff".to_vec(),
            _ => foreign.clone(),
        };
        std::fs::write(e, bad).unwrap();
    }
    let rebuilt = run_bin(d, &args);
    assert_eq!(rebuilt.stdout, cold.stdout);
    for e in cache_entries(d) {
        let (format, key) = pairlint::cache::entry_header(&std::fs::read(&e).unwrap()).expect("rebuilt entries parse");
        assert_eq!(format, pairlint::cache::FORMAT);
        assert!(e.to_string_lossy().contains(&key), "rebuilt under its own key: {e:?}");
    }

    // An edit is seen: the fixed file has no finding.
    write(d, "kiosk.rs", FLAWED_KIOSK.replace("pop_front()", "front().cloned().map(|_| unreachable!())").as_bytes());
    let edited = run_bin(d, &args);
    assert_ne!(edited.stdout, cold.stdout);

    // A syntax error is cached like facts: a warm run reports it again, at the same place.
    write(d, "broken.rs", b"pub fn f() { let x = ; }\n");
    let first = run_bin(d, &["--format", "json", "broken.rs"]);
    let again = run_bin(d, &["--format", "json", "broken.rs"]);
    assert_eq!(first.code, 2, "{first:?}");
    assert_eq!(again.stdout, first.stdout, "{again:?}");

    // A cache directory that is a file is no reason to fail.
    std::fs::remove_dir_all(d.join("target")).unwrap();
    write(d, "target", b"not a directory");
    let blocked = run_bin(d, &args);
    assert_eq!(blocked.stdout, edited.stdout, "{blocked:?}");
}

// No temporary file is ever left next to a cache entry (writes are atomic renames).
#[test]
fn cache_writes_leave_no_temporary_files() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for i in 0..20 {
        write(d, &format!("f{i}.rs"), format!("pub fn f{i}() {{}}\n").as_bytes());
    }
    let out = run_bin(d, &["--format", "json", "."]);
    assert_eq!(out.code, 0, "{out:?}");
    let entries = cache_entries(d);
    assert_eq!(entries.len(), 21, "20 files and the crate");
    // Entries are `.bin` (files) and `.json` (crates); a temporary is `.<name>.<pid>.<n>.tmp`.
    assert!(entries.iter().all(|e| e.extension().is_some_and(|x| x == "bin" || x == "json")), "{entries:?}");
}

// The cache lives in the target directory cargo reports, so `build.target-dir` in
// `.cargo/config.toml` moves it too (no stray `target/` in a project that builds
// elsewhere).
#[test]
fn cache_follows_cargos_build_target_dir() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[package]\nname = \"moved\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write(d, "src/lib.rs", "pub fn f() {}\n");
    write(d, ".cargo/config.toml", "[build]\ntarget-dir = \"build-out\"\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-pairlint"))
        .args(["check", "--format", "json"])
        .current_dir(d)
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO", std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let moved: Vec<_> = walkdir::WalkDir::new(d.join("build-out/pairlint"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != pairlint::cache::USAGE_FILE)
        .collect();
    assert_eq!(moved.len(), 2, "one file entry and the crate's: {moved:?}");
    assert!(!d.join("target").exists(), "nothing written under target/");
}
