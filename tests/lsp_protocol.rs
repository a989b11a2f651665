//! The language server driven in-process over `lsp_server::Connection::memory()`, as an
//! editor would: initialize, open the flawed sample crate's file, read the published
//! diagnostics, edit it to the fixed version, ask for code actions and hovers, shut
//! down. The sample crate is `tests/lsp/sample/` (shared with the Neovim test),
//! copied to a temp dir so the test owns its files.

use lsp_server::{Connection, Message, Notification, Request, RequestId, ResponseError};
use lsp_types::{Diagnostic, Position, PublishDiagnosticsParams, Range, Url};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(20);

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/sample")
}

/// A copy of the sample crate: Cargo.toml, src/lib.rs (flawed), src/helpers.rs.
fn sample_crate() -> TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs", "src/helpers.rs"] {
        std::fs::copy(sample_dir().join(file), tmp.path().join(file)).unwrap();
    }
    tmp
}

fn flawed_text() -> String {
    std::fs::read_to_string(sample_dir().join("src/lib.rs")).unwrap()
}

fn fixed_text() -> String {
    std::fs::read_to_string(sample_dir().join("lib_fixed.rs")).unwrap()
}

/// The client side of a running server.
struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
    initialize_result: Value,
}

impl Client {
    /// Starts a server on a thread and does the initialize handshake with `capabilities`.
    fn start(capabilities: Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || pairlint::lsp::serve(&server_side));
        let mut client =
            Client { connection: client_side, server: Some(server), next_id: 0, initialize_result: Value::Null };
        let result =
            client.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": capabilities }));
        client.initialize_result = result.expect("initialize succeeds");
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.to_string(), params);
        self.connection.sender.send(n.into()).unwrap();
    }

    /// Sends a request and returns its result or error, skipping notifications on the way.
    fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let r = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(r.into()).unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.connection.receiver.recv_timeout(left) {
                Ok(Message::Response(resp)) if resp.id == id => return resp.response_result,
                Ok(_) => {}
                Err(e) => panic!("no response to {method}: {e}"),
            }
        }
    }

    /// Waits for the next publishDiagnostics for `uri` (others are skipped).
    fn diagnostics_for(&self, uri: &Url) -> PublishDiagnosticsParams {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.connection.receiver.recv_timeout(left) {
                Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                    let p: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
                    if &p.uri == uri {
                        return p;
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("no diagnostics for {uri}: {e}"),
            }
        }
    }

    fn open(&self, uri: &Url, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "rust", "version": 1, "text": text } }),
        );
    }

    fn change(&self, uri: &Url, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// shutdown + exit; the server thread must then end cleanly.
    fn shutdown(mut self) {
        let resp = self.request("shutdown", Value::Null);
        assert!(resp.is_ok(), "shutdown answered without error");
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().expect("server thread did not panic");
        assert_eq!(result, Ok(()), "server ends cleanly after shutdown + exit");
    }
}

fn utf16_client() -> Value {
    json!({})
}

fn utf8_client() -> Value {
    json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })
}

fn lib_uri(dir: &Path) -> Url {
    Url::from_file_path(dir.join("src/lib.rs")).unwrap()
}

fn the_pl001(params: &PublishDiagnosticsParams) -> Diagnostic {
    let pl001: Vec<&Diagnostic> = params
        .diagnostics
        .iter()
        .filter(|d| d.code == Some(lsp_types::NumberOrString::String("PL001".into())))
        .collect();
    assert_eq!(pl001.len(), 1, "one PL001 in {:#?}", params.diagnostics);
    pl001[0].clone()
}

// The core editor loop: findings appear on open with exact UTF-16 ranges and cross-file labels, and vanish when the buffer is fixed.
#[test]
fn open_flawed_then_fix_unsaved_buffer() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let client = Client::start(utf16_client());
    assert_eq!(client.initialize_result["capabilities"]["positionEncoding"], "utf-16");

    client.open(&uri, &flawed_text());
    let published = client.diagnostics_for(&uri);
    assert_eq!(published.version, Some(1));
    let d = the_pl001(&published);
    // `helpers::next_image(&self.queue)` on line 21: 28 characters precede it, among
    // them 受付 (1 UTF-16 unit each) and 🎫 (2 units), so it starts at unit 29.
    assert_eq!(d.range, Range::new(Position::new(20, 29), Position::new(20, 61)));
    assert_eq!(d.severity, Some(lsp_types::DiagnosticSeverity::ERROR));
    assert_eq!(d.source.as_deref(), Some("pairlint"));
    let href = d.code_description.as_ref().expect("rule doc link").href.clone();
    assert!(href.path().ends_with("/PL001.md"), "{href}");
    assert!(d.data.as_ref().unwrap()["help"].as_str().unwrap().contains("requester"));
    let related = d.related_information.as_ref().expect("labels as related information");
    let helpers_uri = Url::from_file_path(dir.path().join("src/helpers.rs")).unwrap();
    let inside_helper =
        related.iter().find(|r| r.location.uri == helpers_uri).expect("a label in helpers.rs, with its own URI");
    assert_eq!(inside_helper.location.range, Range::new(Position::new(6, 26), Position::new(6, 37)));
    assert!(inside_helper.message.contains("next_image"), "{}", inside_helper.message);
    assert!(related.iter().any(|r| r.location.uri == uri && r.message.contains("requester identity")));

    // Two quick edits: debounced into one analysis of the latest text (the fixed one).
    let started = Instant::now();
    client.change(&uri, 2, &flawed_text().replace("card: u64", "card:  u64"));
    client.change(&uri, 3, &fixed_text());
    let published = client.diagnostics_for(&uri);
    assert!(started.elapsed() >= pairlint::lsp::DEBOUNCE, "analysis waited for the debounce");
    assert_eq!(published.version, Some(3), "the latest text was analysed");
    assert!(published.diagnostics.is_empty(), "{:#?}", published.diagnostics);
    // The file on disk is untouched: the unsaved buffer was analysed.
    assert_eq!(std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(), flawed_text());
    client.shutdown();
}

// The quick fix must produce a comment that really suppresses the finding, at the right place.
#[test]
fn code_action_inserts_a_suppression_that_silences_the_finding() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let mut client = Client::start(utf16_client());
    client.open(&uri, &flawed_text());
    let d = the_pl001(&client.diagnostics_for(&uri));

    let resp = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d.range, "context": { "diagnostics": [d] } }),
    );
    let actions = resp.expect("code actions");
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "suppress PL001 here");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = &actions[0]["edit"]["changes"][uri.as_str()];
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": 20, "character": 0 }, "end": { "line": 20, "character": 0 } })
    );
    let inserted = edits[0]["newText"].as_str().unwrap();
    assert!(inserted.starts_with("        // pairlint: allow(PL001) "), "{inserted:?}");

    // Apply it as the client would: the finding is suppressed, nothing else appears.
    let flawed = flawed_text();
    let mut lines: Vec<&str> = flawed.lines().collect();
    lines.insert(20, inserted.trim_end_matches('\n'));
    let mut edited = lines.join("\n");
    edited.push('\n');
    client.change(&uri, 2, &edited);
    let published = client.diagnostics_for(&uri);
    assert!(published.diagnostics.is_empty(), "{:#?}", published.diagnostics);

    // The hover over the finding (before the fix) carried the rule's help; now nothing is there.
    let resp = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 21, "character": 30 } }),
    );
    assert_eq!(resp.unwrap(), Value::Null);
    client.shutdown();
}

// The hover is where a user reads the fix; it must name the rule and carry the help text.
#[test]
fn hover_shows_rule_and_help() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let mut client = Client::start(utf16_client());
    client.open(&uri, &flawed_text());
    client.diagnostics_for(&uri);
    let resp = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 20, "character": 35 } }),
    );
    let value = resp.unwrap()["contents"]["value"].as_str().unwrap().to_string();
    assert!(value.contains("PL001 head-of-queue-for-requester"), "{value}");
    assert!(value.contains("help: look the item up by the requester's ticket"), "{value}");
    client.shutdown();
}

// A client that offers UTF-8 gets byte columns; on this line they differ from UTF-16 ones.
#[test]
fn utf8_negotiation_changes_columns_on_non_ascii_line() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let client = Client::start(utf8_client());
    assert_eq!(client.initialize_result["capabilities"]["positionEncoding"], "utf-8");
    client.open(&uri, &flawed_text());
    let d = the_pl001(&client.diagnostics_for(&uri));
    // 28 characters precede the span: 受付 are 3 bytes each, 🎫 is 4: 28 + 4 + 3 = 35.
    assert_eq!(d.range, Range::new(Position::new(20, 35), Position::new(20, 67)));
    let line = flawed_text().lines().nth(20).unwrap().to_string();
    assert_eq!(&line[35..67], "helpers::next_image(&self.queue)");
    client.shutdown();
}

// Configuration edits must apply without restarting the editor: here PL001 turned into a warning, then back.
#[test]
fn config_changes_apply_without_restart() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let client = Client::start(utf16_client());
    client.open(&uri, &flawed_text());
    let d = the_pl001(&client.diagnostics_for(&uri));
    assert_eq!(d.severity, Some(lsp_types::DiagnosticSeverity::ERROR));

    std::fs::write(dir.path().join("pairlint.toml"), "[rules]\nPL001 = \"warn\"\n").unwrap();
    let toml_uri = Url::from_file_path(dir.path().join("pairlint.toml")).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": toml_uri, "type": 1 }] }));
    let d = the_pl001(&client.diagnostics_for(&uri));
    assert_eq!(d.severity, Some(lsp_types::DiagnosticSeverity::WARNING));

    // An invalid configuration is shown on the config file, at the bad value.
    std::fs::write(dir.path().join("pairlint.toml"), "[rules]\nPL001 = \"loud\"\n").unwrap();
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": toml_uri } }));
    let on_toml = client.diagnostics_for(&toml_uri);
    assert_eq!(on_toml.diagnostics.len(), 1);
    assert_eq!(on_toml.diagnostics[0].range.start, Position::new(1, 8));
    assert!(on_toml.diagnostics[0].message.contains("loud"), "{}", on_toml.diagnostics[0].message);
    client.shutdown();
}

// Bad input from a client must get an error response and leave the server serving, never crash it.
#[test]
fn malformed_and_unknown_requests_get_errors() {
    let dir = sample_crate();
    let uri = lib_uri(dir.path());
    let mut client = Client::start(utf16_client());
    let resp = client.request("textDocument/codeAction", json!({ "textDocument": 42 }));
    assert_eq!(resp.expect_err("an error").code, lsp_server::ErrorCode::InvalidParams as i32);
    let resp = client.request("textDocument/definition", json!({}));
    assert_eq!(resp.expect_err("an error").code, lsp_server::ErrorCode::MethodNotFound as i32);
    // A malformed notification is ignored; the server still works afterwards.
    client.notify("textDocument/didOpen", json!({ "textDocument": "nope" }));
    client.open(&uri, &flawed_text());
    the_pl001(&client.diagnostics_for(&uri));
    client.shutdown();
}

// The Neovim snippet in docs/editors.md must be the file the Neovim test runs, or the tested setup and the documented one drift apart.
#[test]
fn documented_neovim_snippet_is_the_tested_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(root.join("tests/lsp/nvim-config.lua")).unwrap();
    let doc = std::fs::read_to_string(root.join("docs/editors.md")).unwrap();
    assert!(
        doc.contains(&format!("```lua\n{config}```")),
        "docs/editors.md must quote tests/lsp/nvim-config.lua verbatim in a ```lua block"
    );
}

// Findings live where the crate puts them, not only in the edited file: an edit in helpers.rs must clear lib.rs's finding.
#[test]
fn editing_one_file_clears_findings_in_another() {
    let dir = sample_crate();
    let lib = lib_uri(dir.path());
    let helpers = Url::from_file_path(dir.path().join("src/helpers.rs")).unwrap();
    let helpers_text = std::fs::read_to_string(dir.path().join("src/helpers.rs")).unwrap();
    let client = Client::start(utf16_client());
    client.open(&helpers, &helpers_text);
    // lib.rs is not open, yet its finding (which depends on helpers.rs) is published.
    the_pl001(&client.diagnostics_for(&lib));
    // The helper stops taking by position (unsaved edit): lib.rs's finding is cleared.
    client.change(&helpers, 2, &helpers_text.replace("queue.lock().unwrap().pop_front()", "None"));
    let published = client.diagnostics_for(&lib);
    assert!(published.diagnostics.is_empty(), "{:#?}", published.diagnostics);
    assert_eq!(published.version, None, "lib.rs is not open, so no version");
    client.shutdown();
}
