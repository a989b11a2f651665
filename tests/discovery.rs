//! The discovery matrix: cargo layouts built in temporary directories, each linted in
//! workspace mode (no paths, run from the directory) and in paths mode (the directory
//! given), asserting the exact set of linted files, that every target `cargo metadata`
//! reports (tests, examples and benches aside) is in it, and that the summary accounts
//! for every `.rs` file under the directory: linted or "not linted" with a reason.

mod common;

use common::{run, write};
use pairlint::discover::{self, DiscoverOptions, Discovery, NotLinted};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tempfile::TempDir;

const LIB: &str = "pub fn f() {}\n";

fn package(name: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
}

fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// `/`-separated, relative to `root` (as given when outside it).
fn rel(root: &Path, file: &Path) -> String {
    let root = root.canonicalize().unwrap();
    let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/")
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn linted(d: &Discovery, root: &Path) -> BTreeSet<String> {
    d.crates.iter().flat_map(|c| &c.files).map(|f| rel(root, f)).collect()
}

fn not_linted(d: &Discovery, root: &Path) -> BTreeMap<String, NotLinted> {
    d.not_linted.iter().map(|(f, why)| (rel(root, f), *why)).collect()
}

fn workspace_mode(root: &Path, opts: DiscoverOptions) -> Discovery {
    discover::discover_workspace_with(root, opts).unwrap_or_else(|e| panic!("cargo metadata failed: {e}"))
}

fn paths_mode(root: &Path, opts: DiscoverOptions) -> Discovery {
    discover::discover_paths_with(&[root.to_path_buf()], opts)
}

/// Discovers `root` both ways; they must agree (files linted, not linted, no errors).
/// Returns the workspace-mode discovery.
fn discover_both(root: &Path, opts: DiscoverOptions) -> Discovery {
    let ws = workspace_mode(root, opts);
    let paths = paths_mode(root, opts);
    assert!(ws.errors.is_empty(), "workspace mode: {:?}", ws.errors);
    assert!(paths.errors.is_empty(), "paths mode: {:?}", paths.errors);
    assert_eq!(linted(&ws, root), linted(&paths, root), "both modes lint the same files");
    assert_eq!(not_linted(&ws, root), not_linted(&paths, root), "both modes leave out the same files");
    ws
}

/// Every target cargo reports for the workspace at `root` (tests, examples and benches
/// only with `include_tests`) is linted: asked of cargo through the `cargo_metadata`
/// crate, independently of pairlint.
fn assert_cargo_targets_linted(root: &Path, linted: &BTreeSet<String>, include_tests: bool) {
    let metadata = cargo_metadata::MetadataCommand::new().no_deps().current_dir(root).exec().unwrap();
    for package in &metadata.packages {
        for target in &package.targets {
            let test_like = target.is_test() || target.is_example() || target.is_bench();
            if test_like && !include_tests {
                continue;
            }
            let src = rel(root, target.src_path.as_std_path());
            assert!(linted.contains(&src), "target `{}` ({src}) not linted: {linted:?}", target.name);
        }
    }
}

/// `.rs` files under `root` outside hidden directories and `target/`.
fn rs_files_to_account(root: &Path) -> usize {
    common::rs_files(root)
        .iter()
        .filter(|f| {
            f.strip_prefix(root).unwrap().components().all(|c| {
                let c = c.as_os_str().to_string_lossy();
                !c.starts_with('.') && c != "target"
            })
        })
        .count()
}

/// Runs the CLI (`args` then `--format json --no-cache`) in `root`; the JSON summary
/// must account for every `.rs` file under `root`, and its reasons must add up.
fn assert_summary_accounts_for_every_file(root: &Path, args: &[&str]) -> Value {
    let mut argv = vec!["check", "--format", "json", "--no-cache"];
    argv.extend(args);
    let out = run(root, &argv);
    assert!(out.stderr.is_empty(), "{out:?}");
    let json = out.json();
    let s = &json["summary"];
    let n = |key: &str| s[key].as_u64().unwrap_or_else(|| panic!("summary.{key} missing: {s}"));
    assert_eq!(n("files") + n("not_linted"), rs_files_to_account(root) as u64, "{out:?}");
    assert_eq!(n("not_linted"), n("not_compiled") + n("test_targets") + n("excluded") + n("unreadable"), "{s}");
    json
}

fn notes(json: &Value) -> Vec<String> {
    json["notes"].as_array().map_or_else(Vec::new, |a| a.iter().map(|n| n.as_str().unwrap().to_string()).collect())
}

// The minimal repro, first half: a virtual workspace lints its members.
#[test]
fn virtual_workspace_lints_every_member() {
    let dir = tree(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\nresolver = \"2\"\n"),
        ("crates/a/Cargo.toml", &package("a")),
        ("crates/a/src/lib.rs", "mod inner;\n"),
        ("crates/a/src/inner.rs", LIB),
        ("crates/b/Cargo.toml", &package("b")),
        ("crates/b/src/main.rs", "mod cli;\nfn main() {}\n"),
        ("crates/b/src/cli.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    let expected =
        set(&["crates/a/src/inner.rs", "crates/a/src/lib.rs", "crates/b/src/cli.rs", "crates/b/src/main.rs"]);
    assert_eq!(linted(&d, root), expected);
    assert_eq!(d.crates.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
    assert!(d.not_linted.is_empty(), "{:?}", d.not_linted);
    assert_cargo_targets_linted(root, &expected, false);
    let json = assert_summary_accounts_for_every_file(root, &[]);
    assert_eq!(json["summary"]["files"], 4);
}

// The minimal repro, second half: root `examples/` and `tests/` in a virtual
// workspace used to make the directory look like a package (1 file checked, every
// member ignored). cargo builds no target from them: they are accounted as not compiled.
#[test]
fn virtual_workspace_with_root_examples_and_tests_still_lints_members() {
    let dir = tree(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\nresolver = \"2\"\n"),
        ("crates/a/Cargo.toml", &package("a")),
        ("crates/a/src/lib.rs", "mod inner;\n"),
        ("crates/a/src/inner.rs", LIB),
        ("crates/b/Cargo.toml", &package("b")),
        ("crates/b/src/lib.rs", LIB),
        ("examples/demo.rs", "fn main() {}\n"),
        ("tests/it.rs", LIB),
        ("benches/speed.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    let expected = set(&["crates/a/src/inner.rs", "crates/a/src/lib.rs", "crates/b/src/lib.rs"]);
    assert_eq!(linted(&d, root), expected);
    let left: BTreeMap<String, NotLinted> = [
        ("benches/speed.rs".to_string(), NotLinted::NotCompiled),
        ("examples/demo.rs".to_string(), NotLinted::NotCompiled),
        ("tests/it.rs".to_string(), NotLinted::NotCompiled),
    ]
    .into();
    assert_eq!(not_linted(&d, root), left);
    assert_cargo_targets_linted(root, &expected, true);
    for args in [&[][..], &["."][..]] {
        let json = assert_summary_accounts_for_every_file(root, args);
        assert_eq!(json["summary"]["files"], 3, "{args:?}");
        assert_eq!(json["summary"]["not_compiled"], 3, "{args:?}");
    }
    // The human summary says it, and --verbose names the files.
    let out = run(root, &["check", "--no-cache", "--color", "never", "--verbose", "."]);
    assert!(out.stdout.contains("3 files checked"), "{out:?}");
    assert!(out.stdout.contains("3 files not linted"), "{out:?}");
    assert!(out.stdout.contains("note: not linted, no target compiles it: examples/demo.rs"), "{out:?}");
}

// A root that is both a package and a workspace reaches its members; its own tests are
// a test target, left out (and counted) unless --include-tests.
#[test]
fn package_and_workspace_root_lints_its_members() {
    let dir = tree(&[
        ("Cargo.toml", &format!("{}\n[workspace]\nmembers = [\"crates/x\"]\n", package("app"))),
        ("src/main.rs", "mod run;\nfn main() {}\n"),
        ("src/run.rs", LIB),
        ("tests/it.rs", "mod helper;\n"),
        ("tests/helper.rs", LIB),
        ("crates/x/Cargo.toml", &package("x")),
        ("crates/x/src/lib.rs", LIB),
        ("crates/x/examples/try_it.rs", "fn main() {}\n"),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    let expected = set(&["crates/x/src/lib.rs", "src/main.rs", "src/run.rs"]);
    assert_eq!(linted(&d, root), expected);
    let left: BTreeMap<String, NotLinted> = [
        ("crates/x/examples/try_it.rs".to_string(), NotLinted::TestTarget),
        ("tests/helper.rs".to_string(), NotLinted::TestTarget),
        ("tests/it.rs".to_string(), NotLinted::TestTarget),
    ]
    .into();
    assert_eq!(not_linted(&d, root), left);
    assert_cargo_targets_linted(root, &expected, false);
    let json = assert_summary_accounts_for_every_file(root, &[]);
    assert_eq!(json["summary"]["test_targets"], 3);
    let out = run(root, &["check", "--no-cache", "--color", "never"]);
    assert!(
        out.stdout.contains(
            "note: 3 files in test, bench and example targets and test modules not linted (use --include-tests)"
        ),
        "{out:?}"
    );

    // With --include-tests every file is linted.
    let opts = DiscoverOptions { include_tests: true, ..DiscoverOptions::default() };
    let d = discover_both(root, opts);
    let all = set(&[
        "crates/x/examples/try_it.rs",
        "crates/x/src/lib.rs",
        "src/main.rs",
        "src/run.rs",
        "tests/helper.rs",
        "tests/it.rs",
    ]);
    assert_eq!(linted(&d, root), all);
    assert!(d.not_linted.is_empty());
    assert_cargo_targets_linted(root, &all, true);
    let json = assert_summary_accounts_for_every_file(root, &["--include-tests"]);
    assert_eq!(json["summary"]["files"], 6);
}

// A workspace inside a workspace (a `fuzz/` with its own `[workspace]`) is its own
// build: not linted with the outer one, but named in a note; given as a path, it is.
#[test]
fn nested_workspace_is_named_not_linted_and_lintable_as_a_path() {
    let dir = tree(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"core\"]\nresolver = \"2\"\n"),
        ("core/Cargo.toml", &package("core-lib")),
        ("core/src/lib.rs", LIB),
        ("fuzz/Cargo.toml", &format!("{}\n[workspace]\n", package("fuzz"))),
        ("fuzz/src/main.rs", "mod target;\nfn main() {}\n"),
        ("fuzz/src/target.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    assert_eq!(linted(&d, root), set(&["core/src/lib.rs"]));
    let left: BTreeMap<String, NotLinted> = [
        ("fuzz/src/main.rs".to_string(), NotLinted::NotCompiled),
        ("fuzz/src/target.rs".to_string(), NotLinted::NotCompiled),
    ]
    .into();
    assert_eq!(not_linted(&d, root), left);
    let json = assert_summary_accounts_for_every_file(root, &[]);
    let notes = notes(&json);
    assert!(notes.iter().any(|n| n.starts_with("2 files under fuzz not linted")), "{notes:?}");

    let fuzz = root.join("fuzz");
    let d = discover_both(&fuzz, DiscoverOptions::default());
    assert_eq!(linted(&d, &fuzz), set(&["src/main.rs", "src/target.rs"]));
}

// `members = ["crates/*"]` with `exclude`: the excluded package is not built with the
// workspace, so it is not linted (and the note names it).
#[test]
fn globbed_members_and_excluded_members() {
    let dir = tree(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/old\"]\ndefault-members = [\"crates/one\"]\nresolver = \"2\"\n",
        ),
        ("crates/one/Cargo.toml", &package("one")),
        ("crates/one/src/lib.rs", LIB),
        ("crates/two/Cargo.toml", &package("two")),
        ("crates/two/src/lib.rs", "pub mod deep;\n"),
        ("crates/two/src/deep/mod.rs", "mod deeper;\n"),
        ("crates/two/src/deep/deeper.rs", LIB),
        ("crates/old/Cargo.toml", &package("old")),
        ("crates/old/src/lib.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    // default-members narrows `cargo build`, not `cargo build --workspace`: all members.
    let expected = set(&[
        "crates/one/src/lib.rs",
        "crates/two/src/deep/deeper.rs",
        "crates/two/src/deep/mod.rs",
        "crates/two/src/lib.rs",
    ]);
    assert_eq!(linted(&d, root), expected);
    let left: BTreeMap<String, NotLinted> = [("crates/old/src/lib.rs".to_string(), NotLinted::NotCompiled)].into();
    assert_eq!(not_linted(&d, root), left);
    assert_cargo_targets_linted(root, &expected, false);
    let json = assert_summary_accounts_for_every_file(root, &[]);
    assert!(notes(&json).iter().any(|n| n.starts_with("1 file under crates/old not linted")), "{json}");
}

// Path dependencies: inside the root they are linted (a member by cargo's rule, or a
// package asked of cargo on its own); outside it they are named, not linted.
#[test]
fn path_dependencies_inside_and_outside_the_root() {
    let top = TempDir::new().unwrap();
    let t = top.path();
    let deps = "[dependencies]\nutil = { path = \"util\" }\nshared = { path = \"../shared\" }\n";
    write(t, "app/Cargo.toml", format!("{}{deps}", package("app")));
    write(t, "app/src/lib.rs", LIB);
    write(t, "app/util/Cargo.toml", format!("{}[dependencies]\nleaf = {{ path = \"../leaf\" }}\n", package("util")));
    write(t, "app/util/src/lib.rs", "mod helpers;\n");
    write(t, "app/util/src/helpers.rs", LIB);
    write(t, "app/leaf/Cargo.toml", package("leaf"));
    write(t, "app/leaf/src/lib.rs", LIB);
    write(t, "shared/Cargo.toml", package("shared"));
    write(t, "shared/src/lib.rs", LIB);
    let root = t.join("app");
    let d = discover_both(&root, DiscoverOptions::default());
    assert_eq!(linted(&d, &root), set(&["leaf/src/lib.rs", "src/lib.rs", "util/src/helpers.rs", "util/src/lib.rs"]));
    assert_eq!(d.crates.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["app", "util", "leaf"]);
    assert!(d.not_linted.is_empty(), "{:?}", d.not_linted);
    let json = assert_summary_accounts_for_every_file(&root, &[]);
    assert_eq!(
        notes(&json),
        vec!["path dependency `shared` at ../shared not linted: outside the root; pass it as a path".to_string()]
    );

    // In a workspace, a path dependency under the root is a member even when unlisted.
    write(t, "ws/Cargo.toml", "[workspace]\nmembers = [\"crates/a\"]\nresolver = \"2\"\n");
    write(t, "ws/crates/a/Cargo.toml", format!("{}[dependencies]\nh = {{ path = \"../../libs/h\" }}\n", package("a")));
    write(t, "ws/crates/a/src/lib.rs", LIB);
    write(t, "ws/libs/h/Cargo.toml", package("h"));
    write(t, "ws/libs/h/src/lib.rs", LIB);
    let ws = t.join("ws");
    let d = discover_both(&ws, DiscoverOptions::default());
    assert_eq!(linted(&d, &ws), set(&["crates/a/src/lib.rs", "libs/h/src/lib.rs"]));
    assert_summary_accounts_for_every_file(&ws, &[]);
}

// `#[path]`, inline modules and `cfg_attr(.., path)` alternatives are followed in every
// target of a package found through cargo.
#[test]
fn path_inline_and_cfg_attr_modules() {
    let dir = tree(&[
        ("Cargo.toml", &package("mods")),
        (
            "src/lib.rs",
            "#[path = \"platform/any.rs\"]\nmod platform;\npub mod outer {\n    pub mod nested;\n}\n\
             #[cfg_attr(unix, path = \"sys/unix.rs\")]\n#[cfg_attr(windows, path = \"sys/windows.rs\")]\nmod sys;\n",
        ),
        ("src/platform/any.rs", "mod child;\n"),
        ("src/platform/child.rs", LIB),
        ("src/outer/nested.rs", LIB),
        ("src/sys/unix.rs", LIB),
        ("src/sys/windows.rs", LIB),
        ("src/stray.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    let expected = set(&[
        "src/lib.rs",
        "src/outer/nested.rs",
        "src/platform/any.rs",
        "src/platform/child.rs",
        "src/sys/unix.rs",
        "src/sys/windows.rs",
    ]);
    assert_eq!(linted(&d, root), expected);
    assert_eq!(not_linted(&d, root), [("src/stray.rs".to_string(), NotLinted::NotCompiled)].into());
    assert_cargo_targets_linted(root, &expected, false);
    assert_summary_accounts_for_every_file(root, &[]);
}

// A module written by the build script (`mod version;`, no `version.rs` yet) is a note
// naming the module, not an error: one file, nothing wrong with the project, exit 0.
// Without a build script the missing file is an error at the `mod`.
#[test]
fn build_script_generated_module_is_a_note_not_an_error() {
    let dir = tree(&[
        ("Cargo.toml", &package("gen")),
        ("build.rs", "fn main() {}\n"),
        ("src/lib.rs", "//! doc\n\nmod version;\nmod real;\n"),
        ("src/real.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    assert_eq!(linted(&d, root), set(&["build.rs", "src/lib.rs", "src/real.rs"]));
    for args in [&[][..], &["."][..]] {
        let json = assert_summary_accounts_for_every_file(root, args);
        assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
        assert_eq!(json["summary"]["generated_modules"], 1);
        assert_eq!(json["summary"]["not_linted"], 0);
        assert_eq!(
            notes(&json),
            vec!["not linted: module `version` in src/lib.rs:3 is generated by build.rs".to_string()]
        );
    }
    assert_eq!(run(root, &["check", "--no-cache"]).code, 0);

    // `package.build` names another build script: the same.
    let custom = tree(&[
        ("Cargo.toml", &package("gen2").replace("edition", "build = \"tools/gen.rs\"\nedition")),
        ("tools/gen.rs", "fn main() {}\n"),
        ("src/lib.rs", "mod version;\n"),
    ]);
    let json = assert_summary_accounts_for_every_file(custom.path(), &[]);
    assert_eq!(notes(&json), vec!["not linted: module `version` in src/lib.rs:1 is generated by tools/gen.rs"]);

    let plain = tree(&[("Cargo.toml", &package("plain")), ("src/lib.rs", "mod version;\n")]);
    let out = run(plain.path(), &["check", "--format", "json", "--no-cache"]);
    assert_eq!(out.code, 2, "{out:?}");
    let errors = out.json()["errors"].clone();
    assert_eq!(errors[0]["file"], "src/lib.rs");
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(1), Some(1)));
    assert_eq!(errors[0]["message"], "file not found for module `version`");
}

// Build-script output pasted in by a macro or named by a `#[path]` under `OUT_DIR` is a
// note, never an error, and is never looked for in the source tree (a stale `other.rs`
// beside the declaration is not the module). The build script is never run: this one
// would panic.
#[test]
fn build_script_includes_and_out_dir_paths_are_notes() {
    let dir = tree(&[
        ("Cargo.toml", &package("genc")),
        ("build.rs", "fn main() { panic!(\"pairlint must never run build scripts\"); }\n"),
        (
            "src/lib.rs",
            "include!(concat!(env!(\"OUT_DIR\"), \"/consts.rs\"));\n\
             pub mod proto {\n    tonic::include_proto!(\"print.v1\");\n}\n\
             pub mod gen {\n    include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\n}\n\
             #[path = concat!(env!(\"OUT_DIR\"), \"/other.rs\")]\nmod other;\n\
             pub const N: &str = include!(\"n.txt\");\n",
        ),
        ("src/other.rs", "pub fn stale() {}\n"),
    ]);
    let root = dir.path();
    let out = run(root, &["check", "--format", "json", "--no-cache"]);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    assert_eq!(json["summary"]["generated_modules"], 4, "{json}");
    let mut got = notes(&json);
    got.sort();
    assert_eq!(
        got,
        vec![
            "not linted: `include!` of `$OUT_DIR/consts.rs` in src/lib.rs:1 is generated by the build script",
            "not linted: `include!` of `$OUT_DIR/gen.rs` in src/lib.rs:6 is generated by the build script",
            "not linted: `include_proto!(\"print.v1\")` in src/lib.rs:3 is generated by the build script",
            "not linted: module `other` in src/lib.rs:9 is generated by build.rs",
        ]
    );
    // The stale file no target compiles is accounted for as such.
    assert_eq!(json["summary"]["not_compiled"], 1, "{json}");
    let human = run(root, &["check", "--no-cache", "--color", "never"]);
    assert!(human.stdout.contains("note: not linted: `include_proto!(\"print.v1\")` in src/lib.rs:3"), "{human:?}");
}

// `#[cfg(test)] mod tests;` is test code: its file (and what it declares) is left out
// and counted with the test targets, unless --include-tests; a `cfg(any(test,
// feature = ..))` module is production code.
#[test]
fn test_module_files_are_test_code() {
    let dir = tree(&[
        ("Cargo.toml", &package("tm")),
        (
            "src/lib.rs",
            "pub fn f() {}\n#[cfg(test)]\nmod tests;\n#[cfg(all(test, unix))]\nmod unix_tests;\n\
             #[cfg(any(test, feature = \"testing\"))]\npub mod testing;\n\
             #[cfg(test)]\nmod inline {\n    mod nested;\n}\n",
        ),
        ("src/tests.rs", "mod deeper;\n#[test]\nfn t() {}\n"),
        ("src/tests/deeper.rs", LIB),
        ("src/unix_tests.rs", LIB),
        ("src/testing.rs", LIB),
        ("src/inline/nested.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    assert_eq!(linted(&d, root), set(&["src/lib.rs", "src/testing.rs"]));
    let left: BTreeMap<String, NotLinted> =
        ["src/inline/nested.rs", "src/tests.rs", "src/tests/deeper.rs", "src/unix_tests.rs"]
            .iter()
            .map(|f| (f.to_string(), NotLinted::TestTarget))
            .collect();
    assert_eq!(not_linted(&d, root), left);
    let json = assert_summary_accounts_for_every_file(root, &[]);
    assert_eq!(json["summary"]["test_targets"], 4);
    // `mod tests;` leads to a file, counted as a file; the inline module is an item.
    assert_eq!(json["summary"]["test_items"], 1, "{json}");

    let opts = DiscoverOptions { include_tests: true, ..DiscoverOptions::default() };
    let d = discover_both(root, opts);
    assert_eq!(linted(&d, root).len(), 6);
    assert!(not_linted(&d, root).is_empty());
}

// A command-line tool (a binary-only package, no server entry point) has no requesters:
// its `user` is a name on the command line. A note says so; `requesters = "always"`
// turns them back on, and `requesters = "never"` turns them off for a library too. A
// library, or a binary that listens, has them.
#[test]
fn binary_only_crates_without_a_server_have_no_requesters() {
    const POP: &str = "use std::collections::VecDeque;\nuse std::sync::Mutex;\n\
        pub struct Job { pub owner: String, pub data: Vec<u8> }\n\
        pub fn print_next(q: &Mutex<VecDeque<Job>>, user: &str) -> Option<Job> {\n    q.lock().unwrap().pop_front()\n}\n";
    let findings = |dir: &Path, args: &[&str]| {
        let mut argv = vec!["check", "--format", "json", "--no-cache"];
        argv.extend(args);
        let out = run(dir, &argv);
        let json = out.json();
        let rules: Vec<String> =
            json["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
        (rules, notes(&json))
    };
    let cli = tree(&[("Cargo.toml", &package("tool")), ("src/main.rs", &format!("{POP}fn main() {{}}\n"))]);
    let (rules, notes) = findings(cli.path(), &[]);
    assert!(rules.is_empty(), "{rules:?}");
    assert!(notes.iter().any(|n| n.contains("is a binary with no server entry point")), "{notes:?}");
    // A test that binds a socket does not make the tool a server.
    write(
        cli.path(),
        "src/main.rs",
        format!("{POP}fn main() {{}}\n#[test]\nfn t() {{ std::net::TcpListener::bind(\"0:0\"); }}\n"),
    );
    assert!(findings(cli.path(), &[]).0.is_empty());
    assert!(findings(cli.path(), &["--include-tests"]).0.is_empty());
    write(cli.path(), "pairlint.toml", "requesters = \"always\"\n");
    let (rules, notes) = findings(cli.path(), &[]);
    assert_eq!(rules, ["PL001"]);
    assert!(notes.is_empty(), "{notes:?}");

    let server = tree(&[
        ("Cargo.toml", &package("srv")),
        ("src/main.rs", &format!("{POP}fn main() {{ let _ = std::net::TcpListener::bind(\"0.0.0.0:80\"); }}\n")),
    ]);
    assert_eq!(findings(server.path(), &[]).0, ["PL001"]);

    let lib = tree(&[("Cargo.toml", &package("lib")), ("src/lib.rs", POP), ("src/main.rs", "fn main() {}\n")]);
    assert_eq!(findings(lib.path(), &[]).0, ["PL001"]);
    write(lib.path(), "pairlint.toml", "requesters = \"never\"\n");
    let (rules, notes) = findings(lib.path(), &[]);
    assert!(rules.is_empty() && notes.is_empty(), "{rules:?} {notes:?}");
}

// With --include-tests, the files only test code compiles (a test target, a
// `#[cfg(test)] mod tests;` file) are linted as tests: a fn there is never a timeout
// path by its name, whatever its attributes. The production `on_timeout` still is.
#[test]
fn names_in_test_files_are_not_timeout_paths() {
    const STORE: &str = "use std::collections::HashMap;\nuse std::sync::Mutex;\n\
        pub struct PrintImage { pub locked_by: Option<u64>, pub pdf: Vec<u8> }\n\
        pub struct Store { pub images: Mutex<HashMap<u64, PrintImage>> }\n";
    const RELEASE: &str = "(store: &Store, ticket: u64) {\n    if let Some(img) = store.images.lock().unwrap().get_mut(&ticket) {\n        img.locked_by = None;\n    }\n}\n";
    let dir = tree(&[
        ("Cargo.toml", &package("store")),
        ("src/lib.rs", &format!("{STORE}#[cfg(test)]\nmod tests;\npub fn on_timeout{RELEASE}")),
        ("src/tests.rs", &format!("use super::*;\nfn expire_stale{RELEASE}")),
        ("tests/it.rs", &format!("use store::*;\nfn on_timeout_helper{RELEASE}")),
    ]);
    let lines = |args: &[&str]| {
        let mut argv = vec!["check", "--format", "json", "--no-cache"];
        argv.extend(args);
        let json = run(dir.path(), &argv).json();
        let mut found: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}:{}:{}", f["file"].as_str().unwrap(), f["line"], f["rule"].as_str().unwrap()))
            .collect();
        found.sort();
        (found, json["summary"]["files"].as_u64())
    };
    assert_eq!(lines(&[]), (vec!["src/lib.rs:9:PL002".to_string()], Some(1)));
    assert_eq!(lines(&["--include-tests"]), (vec!["src/lib.rs:9:PL002".to_string()], Some(3)));
    let d = discover_both(dir.path(), DiscoverOptions { include_tests: true, ..DiscoverOptions::default() });
    let tests: BTreeSet<String> = d.crates.iter().flat_map(|c| &c.test_files).map(|f| rel(dir.path(), f)).collect();
    assert_eq!(tests, set(&["src/tests.rs", "tests/it.rs"]));
}

// `autobins = false` with an explicit `[[bin]]`: only what the manifest names is built,
// so `src/main.rs` and the other `src/bin/` file are not compiled.
#[test]
fn autobins_false_with_explicit_bin() {
    let dir = tree(&[
        (
            "Cargo.toml",
            &format!(
                "{}autobins = false\n\n[[bin]]\nname = \"tool\"\npath = \"src/bin/tool.rs\"\n",
                package("bins").replace("edition = \"2021\"\n", "")
            ),
        ),
        ("src/lib.rs", LIB),
        ("src/main.rs", "fn main() {}\n"),
        ("src/bin/tool.rs", "mod opts;\nfn main() {}\n"),
        ("src/bin/opts.rs", LIB),
        ("src/bin/other.rs", "fn main() {}\n"),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    let expected = set(&["src/bin/opts.rs", "src/bin/tool.rs", "src/lib.rs"]);
    assert_eq!(linted(&d, root), expected);
    let left: BTreeMap<String, NotLinted> =
        [("src/bin/other.rs".to_string(), NotLinted::NotCompiled), ("src/main.rs".to_string(), NotLinted::NotCompiled)]
            .into();
    assert_eq!(not_linted(&d, root), left);
    assert_cargo_targets_linted(root, &expected, false);
    assert_summary_accounts_for_every_file(root, &[]);
}

// A file no target compiles is counted, listed with --verbose, and excluded files are
// counted apart.
#[test]
fn file_no_target_compiles_and_excluded_files_are_counted() {
    let dir = tree(&[
        (
            "Cargo.toml",
            &format!("{}\n[package.metadata.pairlint]\nexclude = [\"src/generated.rs\"]\n", package("stray")),
        ),
        ("src/lib.rs", "mod generated;\n"),
        ("src/generated.rs", LIB),
        ("src/old_module.rs", LIB),
    ]);
    let root = dir.path();
    let d = discover_both(root, DiscoverOptions::default());
    assert_eq!(linted(&d, root), set(&["src/generated.rs", "src/lib.rs"]));
    let json = assert_summary_accounts_for_every_file(root, &[]);
    let s = &json["summary"];
    assert_eq!((s["files"].as_u64(), s["excluded"].as_u64(), s["not_compiled"].as_u64()), (Some(1), Some(1), Some(1)));
    let out = run(root, &["check", "--no-cache", "--color", "never"]);
    assert!(
        out.stdout.contains("note: 1 file not linted: no target compiles them (list them with --verbose)"),
        "{out:?}"
    );
    assert!(out.stdout.contains("note: 1 file excluded by the configuration"), "{out:?}");
    assert!(out.stdout.contains("1 file checked") && out.stdout.contains("2 files not linted"), "{out:?}");
    let verbose = run(root, &["check", "--no-cache", "--color", "never", "-v"]);
    assert!(verbose.stdout.contains("note: not linted, no target compiles it: src/old_module.rs"), "{verbose:?}");
}

// A manifest cargo rejects is an error naming it, and the other paths are still linted.
#[test]
fn rejected_manifest_is_an_error_and_other_paths_go_on() {
    let dir = tree(&[
        ("bad/Cargo.toml", "[package]\nname = \"bad\"\nversion = \"not a version\"\n"),
        ("bad/src/lib.rs", LIB),
        ("good/Cargo.toml", &package("good")),
        ("good/src/lib.rs", LIB),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "--no-cache", "bad", "good"]);
    assert_eq!(out.code, 2, "{out:?}");
    let json = out.json();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json}");
    assert_eq!(errors[0]["file"], "bad/Cargo.toml");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.starts_with("`cargo metadata` failed: ") && !message.contains('\n'), "{message}");
    assert_eq!(json["summary"]["files"], 1, "good/src/lib.rs is linted: {json}");
}

// The real 800k-line workspace, as a layout: ~30 members under `crates/` by glob, plus
// root `examples/` and `tests/` (which used to make pairlint lint only those 18 files).
#[test]
fn large_virtual_workspace_with_root_examples_lints_every_member() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "Cargo.toml", "[workspace]\nmembers = [\"crates/*\", \"tools/xtask\"]\nresolver = \"2\"\n");
    let mut expected = BTreeSet::new();
    for i in 0..30 {
        let name = format!("member-{i:02}");
        let base = format!("crates/{name}");
        write(root, &format!("{base}/Cargo.toml"), package(&name));
        write(root, &format!("{base}/src/lib.rs"), "pub mod api;\nmod store;\n");
        write(root, &format!("{base}/src/api.rs"), "pub mod v1;\n");
        write(root, &format!("{base}/src/api/v1.rs"), LIB);
        write(root, &format!("{base}/src/store/mod.rs"), LIB);
        write(root, &format!("{base}/tests/integration.rs"), LIB);
        for f in ["src/lib.rs", "src/api.rs", "src/api/v1.rs", "src/store/mod.rs"] {
            expected.insert(format!("{base}/{f}"));
        }
    }
    write(root, "tools/xtask/Cargo.toml", package("xtask"));
    write(root, "tools/xtask/src/main.rs", "fn main() {}\n");
    expected.insert("tools/xtask/src/main.rs".to_string());
    for i in 0..9 {
        write(root, &format!("examples/example_{i}.rs"), "fn main() {}\n");
        write(root, &format!("tests/suite_{i}.rs"), LIB);
    }
    write(root, "target/debug/build/out.rs", LIB);

    let d = discover_both(root, DiscoverOptions::default());
    assert_eq!(d.crates.len(), 31);
    assert_eq!(linted(&d, root), expected);
    assert_cargo_targets_linted(root, &expected, false);
    let reasons: BTreeMap<NotLinted, usize> = d.not_linted.iter().fold(BTreeMap::new(), |mut m, (_, why)| {
        *m.entry(*why).or_default() += 1;
        m
    });
    assert_eq!(reasons, [(NotLinted::NotCompiled, 18), (NotLinted::TestTarget, 30)].into());
    for args in [&[][..], &["."][..]] {
        let json = assert_summary_accounts_for_every_file(root, args);
        assert_eq!(json["summary"]["files"], expected.len() as u64, "{args:?}");
    }
    // From inside a member, workspace mode still lints the whole workspace.
    let inside = root.join("crates/member-07");
    let out = run(&inside, &["check", "--format", "json", "--no-cache"]);
    assert_eq!(out.json()["summary"]["files"], expected.len() as u64, "{out:?}");
}

// A file given as a path is linted alone, whatever crate it lies in: nothing else is
// under that path, so nothing is "not linted".
#[test]
fn single_file_path_is_linted_on_its_own() {
    let dir = tree(&[("Cargo.toml", &package("one")), ("src/lib.rs", LIB), ("src/loose.rs", LIB)]);
    let out = run(dir.path(), &["check", "--format", "json", "--no-cache", "src/loose.rs"]);
    assert_eq!(out.json()["summary"]["files"], 1, "{out:?}");
    assert_eq!(out.json()["summary"]["not_linted"], 0, "{out:?}");
}

// A file that cannot be read or parsed is linted by no one: it counts as not linted
// (and unreadable), not as checked, and it is an error (exit 2).
#[test]
fn unreadable_and_unparsable_files_count_as_not_linted() {
    let dir =
        tree(&[("Cargo.toml", &package("broken")), ("src/lib.rs", "mod bad;\nmod bytes;\n"), ("src/bad.rs", "fn (")]);
    write(dir.path(), "src/bytes.rs", b"pub fn f() {}\n\xff\n");
    let json = assert_summary_accounts_for_every_file(dir.path(), &[]);
    let s = &json["summary"];
    assert_eq!((s["files"].as_u64(), s["unreadable"].as_u64(), s["not_linted"].as_u64()), (Some(1), Some(2), Some(2)));
    let files: BTreeSet<&str> =
        json["errors"].as_array().unwrap().iter().map(|e| e["file"].as_str().unwrap()).collect();
    assert_eq!(files, BTreeSet::from(["src/bad.rs", "src/bytes.rs"]));
    assert_eq!(run(dir.path(), &["check", "--no-cache"]).code, 2);
    // A crate result taken from the cache (second run) counts the same.
    let cached: Vec<Value> =
        (0..2).map(|_| run(dir.path(), &["check", "--format", "json"]).json()["summary"].clone()).collect();
    assert_eq!(cached[0], json["summary"]);
    assert_eq!(cached[1], json["summary"]);
}

// A tree's `rust-toolchain.toml` never chooses the cargo that describes it: rustup's
// proxy would try to run (or install) the named toolchain, and a `path = ..` toolchain
// would be a program of the tree's own. Run without `CARGO`, as a direct
// `cargo-pairlint` is, so the proxy on the PATH is what discovery would reach.
#[test]
fn a_trees_rust_toolchain_file_does_not_choose_the_cargo() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    std::fs::write(d.join("Cargo.toml"), "[package]\nname = \"pinned\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::create_dir_all(d.join("src")).unwrap();
    std::fs::write(d.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    std::fs::write(d.join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.2.3-not-a-toolchain\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-pairlint"))
        .args(["check", "--format", "json", "--no-cache", "."])
        .current_dir(d)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1, "{json}");
}

// `cargo metadata` on a tree must not run a program the tree names: a `.cargo/config.toml`
// with `build.rustc` and `build.rustc-wrapper` pointing at the tree's own scripts is
// read by cargo, and nothing of it may run (pairlint is safe on untrusted pull requests).
#[cfg(unix)]
#[test]
fn a_trees_cargo_config_runs_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    std::fs::write(d.join("Cargo.toml"), "[package]\nname = \"hostile\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::create_dir_all(d.join("src")).unwrap();
    std::fs::write(d.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    std::fs::create_dir_all(d.join(".cargo")).unwrap();
    let marker = d.join("ran");
    for script in ["rustc.sh", "wrapper.sh"] {
        let path = d.join(script);
        std::fs::write(&path, format!("#!/bin/sh\ntouch '{}'\nexec \"$@\"\n", marker.display())).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        d.join(".cargo/config.toml"),
        format!(
            "[build]\nrustc = \"{}\"\nrustc-wrapper = \"{}\"\n",
            d.join("rustc.sh").display(),
            d.join("wrapper.sh").display()
        ),
    )
    .unwrap();
    for args in
        [&["check", "--format", "json", "--no-cache"][..], &["check", "--format", "json", "--no-cache", "."][..]]
    {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-pairlint"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(!marker.exists(), "a program named by the tree's cargo config ran");
}
