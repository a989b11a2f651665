//! `cargo pairlint lsp`: a Language Server on stdin/stdout that lints open Rust files
//! as the user types, with their crate, and publishes the findings as diagnostics.
//!
//! One thread, one loop: messages are handled in order; edits are debounced
//! ([`DEBOUNCE`]) so a burst of keystrokes costs one analysis of the latest text.
//! Transport and JSON-RPC framing are `lsp-server`'s (rust-analyzer's scaffold), the
//! protocol types `lsp-types`'.

mod actions;
mod diagnostics;
mod position;
mod workspace;

pub use position::Encoding;

use crate::engine;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionOrCommand, CodeActionProviderCapability, Diagnostic, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, PublishDiagnosticsParams,
    Registration, RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentIdentifier,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};
use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the text must stay unchanged before it is analysed.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Runs the server on stdin/stdout until the client says `exit`. Returns the process
/// exit code: 0 after `shutdown` then `exit`, 1 otherwise (as the protocol asks).
pub fn run_stdio() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("pairlint lsp: {message}");
            1
        }
    };
    drop(connection);
    // The reader thread ends at `exit` or end of input; a malformed frame ends it too
    // (there is no request id to answer), which is reported here.
    if let Err(e) = io_threads.join() {
        eprintln!("pairlint lsp: {e}");
        return 1;
    }
    code
}

/// Serves one client over `connection` (stdio, or `Connection::memory()` in tests):
/// the initialize handshake, then messages until `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(e) => {
            let message = format!("invalid initialize params: {e}");
            let _ =
                connection.sender.send(Response::new_err(id, ErrorCode::InvalidParams as i32, message.clone()).into());
            return Err(message);
        }
    };
    let encoding =
        Encoding::negotiate(params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo { name: "pairlint".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
    let mut server = Server::new(connection, encoding);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watch {
        server.register_file_watchers();
    }
    server.run()
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        // Whole documents: full text cannot drift out of sync, and sending a file costs
        // little next to linting it.
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The part of `CodeActionParams` we use. The client's `context.diagnostics` are not
/// read (our own published copies are), so a client sending them incomplete still
/// gets its quick fix rather than an invalid-params error.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeActionQuery {
    text_document: TextDocumentIdentifier,
    range: lsp_types::Range,
}

/// An open document: the client's text, which wins over the file on disk.
struct Document {
    text: String,
    version: i32,
    /// [`workspace::module_lines`] of `text`: when an edit changes it, the crate's
    /// module tree may have changed and is discovered again.
    modules: u128,
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    documents: HashMap<Url, Document>,
    /// The crates' file lists, kept between edits.
    workspace: workspace::Workspace,
    /// Documents changed and waiting for the debounce deadline.
    pending: HashMap<Url, Instant>,
    /// What is currently shown in the client, by file: for code actions, hovers, and
    /// for clearing files whose findings went away.
    published: HashMap<Url, Vec<Diagnostic>>,
    /// Per analysed scope (crate directory), the files it last published findings
    /// for: the next analysis of that scope clears those that have none left. Kept per
    /// scope so a crate nested in another's directory is never cleared by the outer one.
    published_by_scope: HashMap<PathBuf, BTreeSet<Url>>,
    /// The configuration files on which an error is shown.
    config_errors: BTreeSet<Url>,
    next_request: i32,
}

/// Files whose change means the configuration (or the module tree) may have changed.
fn is_config_file(path: &Path) -> bool {
    matches!(path.file_name().and_then(|n| n.to_str()), Some("Cargo.toml" | "pairlint.toml"))
}

fn is_rust_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, encoding: Encoding) -> Self {
        Server {
            connection,
            encoding,
            documents: HashMap::new(),
            workspace: workspace::Workspace::default(),
            pending: HashMap::new(),
            published: HashMap::new(),
            published_by_scope: HashMap::new(),
            config_errors: BTreeSet::new(),
            next_request: 0,
        }
    }

    fn run(&mut self) -> Result<(), String> {
        loop {
            let deadline = self.pending.values().min().copied();
            let message = match deadline {
                Some(deadline) => {
                    match self.connection.receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(message) => Some(message),
                        Err(e) if e.is_timeout() => None,
                        Err(_) => return Err("the client closed the connection without `exit`".into()),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Err("the client closed the connection without `exit`".into()),
                },
            };
            match message {
                Some(Message::Request(request)) => {
                    if self.connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    self.on_request(request);
                }
                Some(Message::Notification(notification)) => {
                    if notification.method == lsp_types::notification::Exit::METHOD {
                        return Err("`exit` without `shutdown`".into());
                    }
                    self.on_notification(notification);
                }
                // Answers to our registerCapability request: nothing to do either way.
                Some(Message::Response(_)) => {}
                None => {}
            }
            self.analyse_due();
        }
    }

    fn send(&self, message: Message) {
        // Fails only when the client is gone; the loop notices that on its next read.
        let _ = self.connection.sender.send(message);
    }

    /// Asks the client to report changes of configuration and Rust files made outside
    /// the editor (git checkout, another tool).
    fn register_file_watchers(&mut self) {
        // `.cargo/config.toml` can move the target directory, where the cache goes.
        let watchers = ["**/Cargo.toml", "**/pairlint.toml", "**/*.rs", "**/.cargo/config.toml", "**/.cargo/config"]
            .into_iter()
            .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None })
            .collect();
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "pairlint-watched-files".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
            }],
        };
        self.next_request += 1;
        let id = RequestId::from(format!("pairlint-{}", self.next_request));
        self.send(Request::new(id, RegisterCapability::METHOD.into(), params).into());
    }

    fn on_request(&mut self, request: Request) {
        let id = request.id.clone();
        // A bug in a handler answers this request with an error; the server stays up.
        let response = catch_unwind(AssertUnwindSafe(|| self.answer(request))).unwrap_or_else(|_| {
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "internal error: pairlint panicked (please report it)".into(),
            )
        });
        self.send(response.into());
    }

    fn answer(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        match method.as_str() {
            CodeActionRequest::METHOD => match serde_json::from_value::<CodeActionQuery>(params) {
                Ok(params) => Response::new_ok(id, self.code_actions(&params)),
                Err(e) => invalid_params(id, &method, e),
            },
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(params) {
                Ok(params) => Response::new_ok(id, self.hover(&params)),
                Err(e) => invalid_params(id, &method, e),
            },
            _ => Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unhandled method `{method}`")),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        let Notification { method, params } = notification;
        // Notifications cannot be answered: a malformed one is logged (the client shows
        // stderr in its log) and otherwise ignored.
        macro_rules! parse {
            ($ty:ty) => {
                match serde_json::from_value::<$ty>(params) {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("pairlint lsp: ignoring `{method}` with invalid params: {e}");
                        return;
                    }
                }
            };
        }
        match method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p = parse!(DidOpenTextDocumentParams);
                let doc = p.text_document;
                let modules = workspace::module_lines(&doc.text);
                self.documents.insert(doc.uri.clone(), Document { text: doc.text, version: doc.version, modules });
                self.pending.remove(&doc.uri);
                self.analyse(&doc.uri);
            }
            DidChangeTextDocument::METHOD => {
                let p = parse!(DidChangeTextDocumentParams);
                let Some(doc) = self.documents.get_mut(&p.text_document.uri) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        // We asked for full text; apply a ranged change anyway rather than lose it.
                        Some(range) => {
                            let start = position::offset(&doc.text, range.start, self.encoding);
                            let end = position::offset(&doc.text, range.end, self.encoding).max(start);
                            doc.text.replace_range(start..end, &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                let modules = workspace::module_lines(&doc.text);
                if modules != doc.modules {
                    doc.modules = modules;
                    self.workspace.forget();
                }
                self.pending.insert(p.text_document.uri, Instant::now() + DEBOUNCE);
            }
            DidSaveTextDocument::METHOD => {
                let p = parse!(DidSaveTextDocumentParams);
                let uri = p.text_document.uri;
                // Saved files may be new modules, or declare some: discover again.
                self.workspace.forget();
                let is_config = uri.to_file_path().is_ok_and(|path| is_config_file(&path));
                if is_config {
                    self.analyse_all_open();
                } else if self.documents.contains_key(&uri) {
                    self.pending.remove(&uri);
                    self.analyse(&uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                let p = parse!(DidCloseTextDocumentParams);
                let uri = p.text_document.uri;
                self.documents.remove(&uri);
                self.pending.remove(&uri);
                // The file on disk may differ from the closed buffer: show its state.
                if uri.to_file_path().is_ok_and(|path| path.is_file() && is_rust_file(&path)) {
                    self.analyse(&uri);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let _ = parse!(DidChangeWatchedFilesParams);
                // Files were created, deleted or renamed outside the editor.
                self.workspace.forget();
                self.analyse_all_open();
            }
            _ => {}
        }
    }

    fn code_actions(&self, params: &CodeActionQuery) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(doc) = self.documents.get(uri) else {
            return Vec::new();
        };
        // Our own published diagnostics, not the client's copies: they carry our codes
        // even if the client dropped fields.
        let mut seen = BTreeSet::new();
        self.published
            .get(uri)
            .into_iter()
            .flatten()
            .filter(|d| actions::shares_line(&d.range, &params.range))
            // One action per rule and line: two findings of one rule there need one comment.
            .filter(|d| seen.insert((diagnostics::rule_code(d), d.range.start.line)))
            .filter_map(|d| actions::suppress_action(uri, &doc.text, d))
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let diagnostics = self.published.get(&at.text_document.uri)?;
        let value = actions::hover_text(diagnostics, at.position)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
            range: None,
        })
    }

    fn analyse_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Url> =
            self.pending.iter().filter(|(_, deadline)| **deadline <= now).map(|(uri, _)| uri.clone()).collect();
        for uri in due {
            self.pending.remove(&uri);
            self.analyse(&uri);
        }
    }

    /// Re-lints every crate with an open document (configuration changed, or files
    /// changed on disk); one analysis per crate.
    fn analyse_all_open(&mut self) {
        self.pending.clear();
        let mut scopes = BTreeSet::new();
        let mut uris: Vec<Url> = self.documents.keys().cloned().collect();
        uris.sort();
        for uri in uris {
            let Ok(path) = uri.to_file_path() else { continue };
            if !is_rust_file(&path) {
                continue;
            }
            let scope = workspace::crate_dir_of(&path).unwrap_or_else(|| path.clone());
            if scopes.insert(scope) {
                self.analyse(&uri);
            }
        }
    }

    /// Lints the crate of `uri` with every open buffer in place, and publishes the
    /// diagnostics of each of its files (an empty list where findings went away).
    fn analyse(&mut self, uri: &Url) {
        let Ok(path) = uri.to_file_path() else { return };
        if !is_rust_file(&path) {
            return;
        }
        let overlay: engine::Overlay =
            self.documents.iter().filter_map(|(u, d)| Some((u.to_file_path().ok()?, d.text.clone()))).collect();
        let analysis = self.workspace.analyse(&path, Arc::new(overlay), self.encoding);
        let mut diagnostics = analysis.diagnostics;
        let now_with_findings: BTreeSet<Url> = diagnostics.keys().cloned().collect();
        let before = self.published_by_scope.insert(analysis.scope, now_with_findings.clone()).unwrap_or_default();
        // New lists for files with findings, empty ones for files whose findings went
        // away, and for open documents of this crate (so the client knows they were
        // analysed, and an earlier scope's findings on them are replaced).
        let open_here = analysis.files.into_iter().filter(|u| self.documents.contains_key(u));
        let targets: BTreeSet<Url> = now_with_findings.into_iter().chain(before).chain(open_here).collect();
        for target in targets {
            let list = diagnostics.remove(&target).unwrap_or_default();
            self.publish(target, list);
        }
        self.publish_config_error(analysis.config_error, &analysis.config_files);
    }

    fn publish_config_error(&mut self, error: Option<(Url, Diagnostic)>, config_files: &[Url]) {
        for file in config_files {
            let is_new_error = error.as_ref().is_some_and(|(u, _)| u == file);
            if !is_new_error && self.config_errors.remove(file) {
                self.publish_raw(file.clone(), Vec::new(), None);
            }
        }
        if let Some((uri, diagnostic)) = error {
            self.config_errors.insert(uri.clone());
            self.publish_raw(uri, vec![diagnostic], None);
        }
    }

    fn publish(&mut self, uri: Url, diagnostics: Vec<Diagnostic>) {
        let version = self.documents.get(&uri).map(|d| d.version);
        self.publish_raw(uri.clone(), diagnostics.clone(), version);
        if diagnostics.is_empty() {
            self.published.remove(&uri);
        } else {
            self.published.insert(uri, diagnostics);
        }
    }

    fn publish_raw(&self, uri: Url, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        self.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into());
    }
}

fn invalid_params(id: RequestId, method: &str, error: serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, format!("invalid params for `{method}`: {error}"))
}
