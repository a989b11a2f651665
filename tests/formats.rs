//! The machine formats checked against their real consumers: SARIF against the official
//! 2.1.0 schema and GitHub code scanning's needs, GitHub workflow commands against the
//! runner's escaping, rustc-json through `cargo_metadata`'s message parser (what
//! rust-analyzer uses), plus `--with-cargo-check` on a real crate and the exit codes,
//! which must not depend on the format.

mod common;
use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::Message;
use common::{dir_with, run, run_env, Out};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------
// Inputs and helpers

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(manifest_dir().join(path)).unwrap()
}

/// The same handler unsuppressed; `{PAD}` is replaced to move it around.
const FLAWED_KIOSK: &str = r#"{PAD}pub struct PrintImage {
    pub applicant: u64,
    pub pdf: Vec<u8>,
}

pub struct Kiosk {
    queue: std::sync::Mutex<std::collections::VecDeque<PrintImage>>,
}

impl Kiosk {
    pub fn print(&self, card_id: u64) -> Option<PrintImage> {
        self.queue.lock().unwrap().pop_front() /* é {CTRL} */
    }
}
"#;

fn kiosk(pad: &str, ctrl: &str) -> String {
    FLAWED_KIOSK.replace("{PAD}", pad).replace("{CTRL}", ctrl)
}

/// A suppression that suppresses nothing (an `unused-suppression` warning).
const STALE_SUPPRESSION: &str =
    "// pairlint: allow(PL002) no longer needed\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";

/// Does not parse.
/// A syntax error in a fn with a requester parameter and a take: a file the pre-pass parses (a file
/// that cannot contribute is only lexed; tests/hardness.rs covers that case).
const SYNTAX_ERROR: &str =
    "pub fn ok() {}\n\npub fn broken(user: &str, q: &mut Q) {\n    let x = ;\n    q.pop_front();\n}\n";

/// Several rules (PL001 with a label in another file, PL002, PL003, the unused-suppression
/// meta warning), a suppressed PL001, and a control character on a flagged line.
fn multi_rule_dir() -> TempDir {
    dir_with(&[
        ("shop/Cargo.toml", fixture("fixtures/PL001/pos_cross_file_helper/Cargo.toml")),
        ("shop/src/lib.rs", fixture("fixtures/PL001/pos_cross_file_helper/src/lib.rs")),
        ("shop/src/helpers.rs", fixture("fixtures/PL001/pos_cross_file_helper/src/helpers.rs")),
        ("timeout.rs", fixture("fixtures/PL002/pos_condvar_wait_timeout.rs")),
        ("warn.rs", fixture("fixtures/PL003/pos_keyed_get_print_no_check.rs")),
        ("suppressed.rs", common::suppressed_kiosk()),
        ("stale.rs", STALE_SUPPRESSION.to_string()),
        ("kiosk.rs", kiosk("", "\u{1b}[31m\u{7}")),
    ])
}

const MULTI_PATHS: &[&str] = &["shop", "timeout.rs", "warn.rs", "suppressed.rs", "stale.rs", "kiosk.rs"];

fn with_paths<'a>(args: &[&'a str], paths: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(paths).copied().collect()
}

// ---------------------------------------------------------------------------------------
// SARIF

fn sarif_of(dir: &Path, paths: &[&str]) -> (Out, Value) {
    let out = run(dir, &with_paths(&["--format", "sarif"], paths));
    let value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"));
    (out, value)
}

fn sarif_validator() -> jsonschema::Validator {
    let path = manifest_dir().join("../shared/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("official schema at {}: {e}", path.display())),
    )
    .unwrap();
    // Draft 4, as the schema declares; the crate is built without its HTTP and file
    // resolvers, so nothing is fetched (the schema's refs are all internal).
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official schema compiles offline")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

// GitHub rejects uploads that do not match the official schema; validate ours against it.
#[test]
fn sarif_validates_against_official_schema() {
    let dir = multi_rule_dir();
    let (out, sarif) = sarif_of(dir.path(), MULTI_PATHS);
    assert_eq!(out.code, 1, "{out:?}");
    let validator = sarif_validator();
    let errors = schema_errors(&validator, &sarif);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // The validator really checks: a wrong level and a missing version are both caught.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken.as_object_mut().unwrap().remove("version");
    assert!(schema_errors(&validator, &broken).len() >= 2, "validator rejects a broken log");

    // A file that could not be linted becomes a tool notification, also schema-valid.
    let dir = dir_with(&[("broken.rs", SYNTAX_ERROR.to_string()), ("kiosk.rs", kiosk("", ""))]);
    let (out, sarif) = sarif_of(dir.path(), &["broken.rs", "kiosk.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    let errors = schema_errors(&validator, &sarif);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "broken.rs");
    assert_eq!(note["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
}

// The fields GitHub code scanning reads: rules with help, results resolving to rules,
// relative locations under %SRCROOT%, fingerprints, related locations, suppressions.
#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let dir = multi_rule_dir();
    let (_, sarif) = sarif_of(dir.path(), MULTI_PATHS);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().ends_with("sarif-schema-2.1.0.json"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "pairlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in pairlint::rules::RULES.iter().map(|r| r.code) {
        assert!(ids.contains(&code), "rule {code} listed");
    }
    assert!(ids.contains(&"unused-suppression") && ids.contains(&"invalid-suppression"));
    for r in rules {
        for field in ["name", "helpUri"] {
            assert!(r[field].as_str().is_some_and(|s| !s.is_empty()), "{}: {field}", r["id"]);
        }
        for field in ["shortDescription", "fullDescription"] {
            assert!(r[field]["text"].as_str().is_some_and(|s| !s.is_empty()), "{}: {field}", r["id"]);
        }
        assert!(r["help"]["text"].as_str().is_some_and(|s| s.len() > 40), "{}: help.text", r["id"]);
        assert!(r["help"]["markdown"].as_str().is_some(), "{}: help.markdown", r["id"]);
        assert!(["error", "warning"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
        assert!(!r["properties"]["tags"].as_array().unwrap().is_empty());
    }
    let pl001 = rules.iter().find(|r| r["id"] == "PL001").unwrap();
    assert_eq!(pl001["help"]["markdown"], pairlint::rules::find("PL001").unwrap().doc, "help is the rule doc");
    assert_eq!(pl001["shortDescription"]["text"], pairlint::rules::find("PL001").unwrap().summary);

    let results = runs[0]["results"].as_array().unwrap();
    let mut result_rules = BTreeSet::new();
    let mut prints = BTreeSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex resolves to ruleId");
        result_rules.insert(id);
        assert!(["error", "warning"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let phys = &r["locations"][0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains(':'), "relative URI: {uri}");
        assert!(dir.path().join(uri).is_file(), "URI {uri} names a file under the root");
        assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(phys["region"][key].as_u64().unwrap() >= 1, "{key}");
        }
        let print = r["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap();
        assert!(prints.insert(print.to_string()), "fingerprints are unique: {print}");
        if let Some(related) = r["relatedLocations"].as_array() {
            let ids: BTreeSet<u64> = related.iter().map(|l| l["id"].as_u64().unwrap()).collect();
            assert_eq!(ids.len(), related.len(), "related location ids are unique");
            assert!(related.iter().all(|l| !l["message"]["text"].as_str().unwrap().is_empty()));
            let flow = r["codeFlows"][0]["threadFlows"][0]["locations"].as_array().unwrap();
            assert_eq!(flow.len(), related.len() + 1, "labels then the primary location");
            assert_eq!(
                flow.last().unwrap()["location"]["physicalLocation"]["region"]["startLine"],
                phys["region"]["startLine"]
            );
        }
    }
    let expected: BTreeSet<&str> = ["PL001", "PL002", "PL003", "unused-suppression"].into();
    assert_eq!(result_rules, expected);

    // The cross-file PL001 has a related location in the helper file.
    let cross = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/src/lib.rs")
        .expect("the cross-file finding");
    assert!(cross["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["physicalLocation"]["artifactLocation"]["uri"] == "shop/src/helpers.rs"));

    // The suppressed finding is a result with an in-source suppression and its reason.
    let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 1, "one suppressed result");
    assert_eq!(suppressed[0]["ruleId"], "PL001");
    assert_eq!(suppressed[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "suppressed.rs");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(suppressed[0]["suppressions"][0]["justification"], "one image per kiosk session here");

    // Source quoted in snippets never carries control characters.
    let text = serde_json::to_string(&sarif).unwrap();
    assert!(!text.contains("\\u001b") && !text.contains("\\u0007"), "control characters sanitized");
    let kiosk = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "kiosk.rs")
        .unwrap();
    let snippet = kiosk["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].as_str().unwrap();
    // Replaced byte for byte (`?`), so the snippet's spans still point at the same code.
    assert!(snippet.contains("pop_front") && snippet.contains("?[31m?"), "{snippet}");
}

// Alerts must survive unrelated edits: code added above a finding or re-indentation must
// not change its fingerprint, while a different flagged line must.
#[test]
fn sarif_fingerprint_is_stable_under_unrelated_edits() {
    let print_of = |text: String| {
        let dir = dir_with(&[("kiosk.rs", text)]);
        let (_, sarif) = sarif_of(dir.path(), &["kiosk.rs"]);
        let r = &sarif["runs"][0]["results"][0];
        (
            r["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap().to_string(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap(),
        )
    };
    let (base, line) = print_of(kiosk("", ""));
    let (moved, moved_line) = print_of(kiosk("use std::fmt;\n\n// a new comment\n\n", ""));
    assert_ne!(line, moved_line, "the finding moved");
    assert_eq!(base, moved, "same fingerprint after lines were added above");
    let (reindented, _) = print_of(kiosk("", "").replace("        self.queue", "\tself.queue"));
    assert_eq!(base, reindented, "indentation does not matter");
    let (changed, _) = print_of(kiosk("", "changed"));
    assert_ne!(base, changed, "a different flagged line is a different result");
    assert!(base.ends_with(":1"), "first occurrence: {base}");
}

// ---------------------------------------------------------------------------------------
// GitHub workflow commands

/// Parses one workflow command the way the Actions runner does: `::name k=v,k=v::data`,
/// then unescapes. Returns (name, properties, data).
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line.strip_prefix("::").expect("a command");
    let end = rest.find("::").expect("command end");
    let (info, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    let unescape_data = |s: &str| s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%");
    let unescape_prop = |s: &str| {
        s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape_prop(v))
        })
        .collect();
    (name.to_string(), props, unescape_data(data))
}

// Hostile file names and messages (`::`, `%`, newlines, commas) must round-trip through
// the runner's parser and never start a second command.
#[test]
fn github_commands_survive_hostile_paths_and_messages() {
    use pairlint::finding::{Confidence, Finding, Label, Location, Severity, Span};
    let hostile_path = PathBuf::from("src/a,b::c%0A\nd.rs");
    let hostile_message = "bad ::error file=x::pwned\r\n::warning::100% %0A, done";
    let span = Span { line: 3, column: 5, end_line: 3, end_column: 9, byte_start: 0, byte_end: 0 };
    let finding = Finding {
        rule: "PL001",
        name: "head-of-queue-for-requester",
        severity: Severity::Error,
        confidence: Confidence::High,
        item: "Kiosk::print".into(),
        location: Location { file: hostile_path.clone(), span },
        message: hostile_message.into(),
        help: "fix, it: now".into(),
        labels: vec![Label {
            location: Location { file: "other.rs".into(), span },
            message: "label\n::notice::x".into(),
        }],
    };
    let mut warning = finding.clone();
    warning.severity = Severity::Warning;
    warning.location.span = Span { line: 4, column: 2, end_line: 6, end_column: 3, ..span };
    let report = pairlint::engine::Report { findings: vec![finding, warning], files: 1, ..Default::default() };
    let out = pairlint::output::github::render(&report);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "one line per finding plus the summary:\n{out}");
    assert!(!lines[2].starts_with("::") && lines[2].starts_with("pairlint: 1 file checked"));
    let (name, props, data) = parse_command(lines[0]);
    assert_eq!(name, "error");
    assert_eq!(props["file"], hostile_path.to_str().unwrap());
    assert_eq!(props["line"], "3");
    assert_eq!(props["endLine"], "3");
    assert_eq!(props["col"], "5");
    assert_eq!(props["endColumn"], "9");
    assert_eq!(props["title"], "PL001 head-of-queue-for-requester (high confidence)");
    assert!(data.starts_with(hostile_message), "{data:?}");
    assert!(data.contains("\nhelp: fix, it: now") && data.contains("\nnote: other.rs:3:5: label\n::notice::x"));
    let (name, props, _) = parse_command(lines[1]);
    assert_eq!(name, "warning");
    assert_eq!((props["line"].as_str(), props["endLine"].as_str()), ("4", "6"));
    assert!(!props.contains_key("col"), "no columns on a multi-line annotation");
}

// File errors are annotations too, at their position, and fail the step.
#[test]
fn github_file_error_is_an_error_annotation() {
    let dir = dir_with(&[("broken.rs", SYNTAX_ERROR.to_string())]);
    let out = run(dir.path(), &["--format", "github", "broken.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    let (name, props, data) = parse_command(out.stdout.lines().next().unwrap());
    assert_eq!(name, "error");
    assert_eq!(props["file"], "broken.rs");
    assert_eq!(props["line"], "4");
    assert!(!data.is_empty());
}

// GitHub shows 10 annotations per level; the step summary must list all findings, append
// to what other steps wrote, and a failure to write it must not change the exit code.
#[test]
fn github_step_summary_lists_every_finding() {
    let files: Vec<(String, String)> = (0..12).map(|i| (format!("k{i:02}.rs"), kiosk("", ""))).collect();
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let dir = dir_with(&files);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let env = BTreeMap::from([("GITHUB_STEP_SUMMARY", summary.clone().into_os_string())]);
    let out = run_env(dir.path(), &["--format", "github", "."], &env);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("::error ")).count(), 12);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("previous step\n### pairlint"), "appended:\n{text}");
    let rows = text.lines().filter(|l| l.starts_with("| error | PL001")).count();
    assert_eq!(rows, 12, "every finding in the table:\n{text}");

    // Unwritable summary (a directory): reported on stderr, same exit code and stdout.
    let env = BTreeMap::from([("GITHUB_STEP_SUMMARY", dir.path().as_os_str().to_owned())]);
    let failed = run_env(dir.path(), &["--format", "github", "."], &env);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert_eq!(failed.stdout, out.stdout);
    assert!(failed.stderr.contains("cannot append the step summary"), "{failed:?}");
}

// ---------------------------------------------------------------------------------------
// rustc-json

fn messages(stdout: &str) -> Vec<Message> {
    Message::parse_stream(stdout.as_bytes()).map(|m| m.expect("readable")).collect()
}

// rust-analyzer and other cargo-aware tools read these messages with cargo_metadata; every
// field they use must be present and agree with the JSON format's positions.
#[test]
fn rustc_json_parses_with_cargo_metadata() {
    let dir = multi_rule_dir();
    let out = run(dir.path(), &with_paths(&["--message-format=json"], MULTI_PATHS));
    assert_eq!(out.code, 1, "{out:?}");
    let json_out = run(dir.path(), &with_paths(&["--format", "json"], MULTI_PATHS));
    let json: Value = serde_json::from_str(&json_out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();

    let msgs = messages(&out.stdout);
    assert!(!msgs.iter().any(|m| matches!(m, Message::TextLine(_))), "every line is a cargo message:\n{}", out.stdout);
    let Some(Message::BuildFinished(done)) = msgs.last() else { panic!("ends with build-finished: {:?}", msgs.last()) };
    assert!(!done.success, "error-level findings fail the build");
    let compiler: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(compiler.len(), findings.len(), "one message per finding");
    assert_eq!(msgs.len(), compiler.len() + 1);

    for (msg, f) in compiler.iter().zip(findings) {
        let d = &msg.message;
        assert!(!msg.target.name.is_empty() && !msg.package_id.repr.is_empty());
        let code = d.code.as_ref().expect("code");
        assert_eq!(code.code, f["rule"].as_str().unwrap());
        if let Some(rule) = pairlint::rules::find(&code.code) {
            assert_eq!(code.explanation.as_deref(), Some(rule.doc), "explanation is the rule doc");
        }
        let level = if f["severity"] == "error" { DiagnosticLevel::Error } else { DiagnosticLevel::Warning };
        assert_eq!(d.level, level);
        assert_eq!(d.message, f["message"].as_str().unwrap());
        let primary = &d.spans[0];
        assert!(primary.is_primary && d.spans.iter().filter(|s| s.is_primary).count() == 1);
        assert_eq!(primary.file_name, f["file"].as_str().unwrap());
        assert_eq!(primary.line_start as u64, f["line"].as_u64().unwrap());
        assert_eq!(primary.column_start as u64, f["column"].as_u64().unwrap());
        assert_eq!(primary.line_end as u64, f["end_line"].as_u64().unwrap());
        assert_eq!(primary.column_end as u64, f["end_column"].as_u64().unwrap());
        assert!(primary.suggested_replacement.is_none() && primary.expansion.is_none());
        // The byte range and the highlighted characters name the same source text.
        let source = std::fs::read_to_string(dir.path().join(&primary.file_name)).unwrap();
        if primary.line_start == primary.line_end && primary.byte_end > primary.byte_start {
            let by_bytes = &source[primary.byte_start as usize..primary.byte_end as usize];
            let line = &primary.text[0];
            let by_chars: String = line
                .text
                .chars()
                .skip(line.highlight_start - 1)
                .take(line.highlight_end - line.highlight_start)
                .collect();
            assert_eq!(by_bytes, by_chars, "bytes and 1-based char columns agree");
        }
        assert!(primary.text.iter().all(|l| !l.text.chars().any(|c| c.is_control() && c != '\t')));
        // Labels are secondary spans with their text.
        let labels = f["labels"].as_array().unwrap();
        for span in d.spans.iter().skip(1) {
            assert!(!span.is_primary && span.label.is_some());
        }
        assert!(d.spans.len() >= labels.len(), "every label is a span");
        // Help is a child at level help.
        assert_eq!(d.children.len(), 1);
        assert_eq!(d.children[0].level, DiagnosticLevel::Help);
        assert_eq!(d.children[0].message, f["help"].as_str().unwrap());
        let rendered = d.rendered.as_deref().expect("rendered");
        assert!(rendered.contains(f["rule"].as_str().unwrap()) && !rendered.contains('\u{1b}'));
    }
    // A label in another file is a secondary span in that file.
    assert!(compiler.iter().any(|m| m
        .message
        .spans
        .iter()
        .any(|s| !s.is_primary && s.file_name == "shop/src/helpers.rs")));
}

// Columns are 1-based character offsets and bytes are bytes, as rustc's; a non-ASCII
// character before the span tells them apart.
#[test]
fn rustc_json_columns_count_characters() {
    let text = kiosk("", "").replace("        self.queue", "/*é*/   self.queue");
    let dir = dir_with(&[("kiosk.rs", text.clone())]);
    let out = run(dir.path(), &["--message-format=json", "kiosk.rs"]);
    let msgs = messages(&out.stdout);
    let Message::CompilerMessage(m) = &msgs[0] else { panic!("{out:?}") };
    let span = &m.message.spans[0];
    let line = text.lines().nth(span.line_start - 1).unwrap();
    let at = line.find("pop_front").expect("the take is the primary span");
    let line_start = text.lines().take(span.line_start - 1).map(|l| l.len() + 1).sum::<usize>();
    assert_eq!(span.column_start, line[..at].chars().count() + 1, "1-based character column");
    assert_eq!(span.byte_start as usize - line_start, at, "byte offset");
    assert_ne!(span.column_start - 1, at, "é makes characters and bytes differ");
}

// The human snippet header (`[file:line:col]`) must name the same column as every other
// format; miette's default counts bytes, which differs on non-ASCII lines.
#[test]
fn human_header_columns_count_characters() {
    let text = kiosk("", "").replace("        self.queue", "/*é*/   self.queue");
    let dir = dir_with(&[("kiosk.rs", text)]);
    let json = run(dir.path(), &["--format", "json", "kiosk.rs"]).json();
    let (line, column) = (&json["findings"][0]["line"], &json["findings"][0]["column"]);
    let human = run(dir.path(), &["--color", "never", "kiosk.rs"]);
    assert!(human.stdout.contains(&format!("[kiosk.rs:{line}:{column}]")), "{human:?}");
}

/// A tiny crate with no dependencies: a type error for the compiler and the incident's
/// flaw for pairlint.
fn tiny_crate() -> TempDir {
    dir_with(&[
        (
            "Cargo.toml",
            "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n".to_string(),
        ),
        ("src/lib.rs", kiosk("pub fn broken() -> u32 {\n    \"not a number\"\n}\n\n", "")),
    ])
}

// The rust-analyzer override runs this instead of `cargo check`: the compiler's errors and
// pairlint's findings must both arrive, ended by one build-finished that says failure.
#[test]
fn with_cargo_check_merges_compiler_and_pairlint_messages() {
    let dir = tiny_crate();
    let env = BTreeMap::from([("CARGO", std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))]);
    let out = run_env(dir.path(), &["pairlint", "--message-format=json", "--with-cargo-check"], &env);
    assert_eq!(out.code, 1, "{out:?}");
    let msgs = messages(&out.stdout);
    assert!(!msgs.iter().any(|m| matches!(m, Message::TextLine(_))), "{out:?}");
    let finished: Vec<bool> = msgs
        .iter()
        .filter_map(|m| match m {
            Message::BuildFinished(b) => Some(b.success),
            _ => None,
        })
        .collect();
    assert_eq!(finished, vec![false], "exactly one build-finished, failed: {out:?}");
    assert!(matches!(msgs.last(), Some(Message::BuildFinished(_))), "and it is last");
    let codes: Vec<(String, DiagnosticLevel)> = msgs
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => {
                Some((c.message.code.as_ref().map(|c| c.code.clone()).unwrap_or_default(), c.message.level))
            }
            _ => None,
        })
        .collect();
    assert!(codes.contains(&("E0308".into(), DiagnosticLevel::Error)), "rustc's type error: {codes:?}");
    assert!(codes.contains(&("PL001".into(), DiagnosticLevel::Error)), "pairlint's finding: {codes:?}");
    // The compiler's message comes first, as it would from `cargo check`.
    let first_pl = codes.iter().position(|(c, _)| c == "PL001").unwrap();
    let rustc = codes.iter().position(|(c, _)| c == "E0308").unwrap();
    assert!(rustc < first_pl);
}

// Asking to run cargo check in a format that cannot carry its messages is a usage error.
#[test]
fn with_cargo_check_needs_rustc_json() {
    let dir = dir_with(&[("kiosk.rs", kiosk("", ""))]);
    let out = run(dir.path(), &["--format", "sarif", "--with-cargo-check", "kiosk.rs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--with-cargo-check needs"), "{out:?}");
    assert!(out.stdout.is_empty());
}

// ---------------------------------------------------------------------------------------
// Exit codes: the same in every format

const ALL_FORMATS: &[&str] = &["human", "json", "sarif", "github", "rustc-json"];

// CI gates on the exit code, so switching formats must never turn a failure into a pass.
#[test]
fn exit_codes_are_the_same_in_every_format() {
    let warn = dir_with(&[("warn.rs", fixture("fixtures/PL003/pos_keyed_get_print_no_check.rs"))]);
    let err = dir_with(&[("kiosk.rs", kiosk("", ""))]);
    let broken = dir_with(&[("broken.rs", SYNTAX_ERROR.to_string()), ("kiosk.rs", kiosk("", ""))]);
    for format in ALL_FORMATS {
        let code = |dir: &TempDir, extra: &[&str]| {
            let mut args = vec!["--format", format, "--color", "never"];
            args.extend(extra);
            args.push(".");
            run(dir.path(), &args).code
        };
        assert_eq!(code(&warn, &[]), 0, "{format}: warnings pass");
        assert_eq!(code(&warn, &["--deny-warnings"]), 1, "{format}: --deny-warnings fails on a warning");
        assert_eq!(code(&warn, &["--deny-warnings", "--exit-zero"]), 0, "{format}: --exit-zero");
        assert_eq!(code(&err, &[]), 1, "{format}: errors fail");
        assert_eq!(code(&err, &["--exit-zero"]), 0, "{format}: --exit-zero passes findings");
        assert_eq!(code(&broken, &[]), 2, "{format}: unparsable file");
        assert_eq!(code(&broken, &["--exit-zero"]), 2, "{format}: --exit-zero keeps 2 for errors");
    }
}

// The rustc-json stream's verdict follows the same rule as the exit code.
#[test]
fn rustc_json_build_finished_follows_deny_warnings() {
    let warn = dir_with(&[("warn.rs", fixture("fixtures/PL003/pos_keyed_get_print_no_check.rs"))]);
    let success = |extra: &[&str]| {
        let mut args = vec!["--message-format=json"];
        args.extend(extra);
        args.push("warn.rs");
        let out = run(warn.path(), &args);
        match messages(&out.stdout).last() {
            Some(Message::BuildFinished(b)) => b.success,
            other => panic!("{other:?}"),
        }
    };
    assert!(success(&[]), "a warning alone does not fail the build");
    assert!(!success(&["--deny-warnings"]), "with --deny-warnings it does");
}

// ---------------------------------------------------------------------------------------
// Analysis bounds are said, not silent

// The helper-summary fixpoint stops at a bound; a report cut short by it must say so in
// every format (a CI log or an editor would otherwise show "clean" with no hint).
#[test]
fn fixpoint_bound_is_reported_in_every_format() {
    // 80 helpers, each defined before the one it calls: every round of the fixpoint
    // carries the pop one step up the chain, so settling needs more than the 8 rounds.
    let mut src = String::from(
        "use std::collections::VecDeque;\npub struct Job { pub owner_id: u64 }\n\
         pub struct Server { queue: std::sync::Mutex<VecDeque<Job>> }\nimpl Server {\n\
         \x20   pub fn print(&self, user_id: u64) -> Option<Job> { self.step_0() }\n",
    );
    for i in 0..80 {
        src.push_str(&format!("    fn step_{i}(&self) -> Option<Job> {{ self.step_{}() }}\n", i + 1));
    }
    src.push_str("    fn step_80(&self) -> Option<Job> { self.queue.lock().unwrap().pop_front() }\n}\n");
    let dir = dir_with(&[("chain.rs", src)]);
    let out = run(dir.path(), &["--format", "json", "chain.rs"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let notes = &json["notes"];
    assert!(notes[0].as_str().is_some_and(|n| n.contains("bound of 8 rounds")), "{out:?}");
    let out = run(dir.path(), &["--format", "sarif", "chain.rs"]);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(notes.as_array().unwrap().iter().any(|n| n["level"] == "note"), "{notes}");
    let errors = schema_errors(&sarif_validator(), &sarif);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let out = run(dir.path(), &["--format", "github", "chain.rs"]);
    assert!(out.stdout.contains("::notice title=pairlint::"), "{out:?}");
    let out = run(dir.path(), &["--color", "never", "chain.rs"]);
    assert!(out.stdout.contains("note:") && out.stdout.contains("bound of 8"), "{out:?}");
    // A chain that settles in time gives no note.
    let short = dir_with(&[("ok.rs", fixture("fixtures/PL003/pos_keyed_get_print_no_check.rs"))]);
    let out = run(short.path(), &["--format", "json", "ok.rs"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(json.get("notes").is_none(), "{out:?}");
}
