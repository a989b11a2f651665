//! Confidence: high when the code's types decided, medium when a name did; and
//! `--min-confidence high` gates on high only.

use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut argv: Vec<std::ffi::OsString> = vec!["cargo-pairlint".into()];
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = pairlint::cli::run(argv, dir, &mut out, &mut err);
    (code, serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null))
}

const TYPED: &str = "use std::collections::VecDeque;
pub struct Img { pub owner_id: u64 }
pub struct Server { queue: VecDeque<Img> }
impl Server {
    pub fn next_for(&mut self, user_id: u64) -> Option<Img> { self.queue.pop_front() }
}
";

// `queue`'s type comes from a crate we cannot see: only the method name says "queue".
const UNTYPED: &str = "pub struct Server { queue: external::Spool }
impl Server {
    pub fn next_for(&mut self, user_id: u64) -> Option<external::Img> { self.queue.pop_front() }
}
";

// A take from a declared VecDeque is high confidence; from an unknown type, medium.
#[test]
fn confidence_follows_type_knowledge() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("typed.rs"), TYPED).unwrap();
    std::fs::write(dir.path().join("untyped.rs"), UNTYPED).unwrap();
    let (code, json) = run(dir.path(), &["--format", "json", "typed.rs", "untyped.rs"]);
    assert_eq!(code, 1);
    let by_file: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["confidence"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        by_file,
        [("typed.rs".to_string(), "high".to_string()), ("untyped.rs".to_string(), "medium".to_string())]
    );
}

// CI can gate on high-confidence findings only.
#[test]
fn min_confidence_high_drops_medium_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("untyped.rs"), UNTYPED).unwrap();
    let (code, json) = run(dir.path(), &["--format", "json", "--min-confidence", "high", "untyped.rs"]);
    assert_eq!(code, 0, "{json}");
    assert!(json["findings"].as_array().unwrap().is_empty());
}

// A call chain longer than the fixpoint bound terminates and says that it stopped.
#[test]
fn fixpoint_bound_is_reported_and_terminates() {
    let mut src = String::from("use std::collections::VecDeque;\npub struct Img { pub owner_id: u64 }\n");
    src.push_str("pub fn f0(user_id: u64, q: &mut VecDeque<Img>) -> Option<Img> { let _ = user_id; f1(q) }\n");
    for i in 1..100 {
        src.push_str(&format!("fn f{i}(q: &mut VecDeque<Img>) -> Option<Img> {{ f{}(q) }}\n", i + 1));
    }
    src.push_str("fn f100(q: &mut VecDeque<Img>) -> Option<Img> { q.pop_front() }\n");
    let sources = vec![pairlint::engine::SourceFile { path: "chain.rs".into(), text: src }];
    let report = pairlint::engine::lint_crate(
        &sources,
        &pairlint::config::Config::default(),
        &pairlint::vocab::Vocabulary::default(),
    );
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(report.notes[0].contains("bound"), "{:?}", report.notes);
}
