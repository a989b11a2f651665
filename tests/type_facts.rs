//! The type model fed by the extractor: source text is extracted file by file, the
//! files' signatures are assembled into the crate's (`CrateSigs::from_files`), and the
//! type tables resolve names the way each module's `use`s say. (Here, not in the
//! analysis crate: that crate may not depend on the syntax crate, even for tests.)

use pairlint::extract::extract_file;
use pairlint::model::FileFacts;
use pairlint::vocab::Vocabulary;
use pairlint_analysis::types::facts::{CrateSigs, ScopeId};
use pairlint_analysis::types::infer::infer_body;
use pairlint_analysis::types::std_model::{call_effect, CallName};
use pairlint_analysis::types::tables::TypeTables;
use pairlint_analysis::types::ty::Type;
use pairlint_base::finding::Span;
use pairlint_base::ir::{
    BasicBlock, Body, BodyId, BodyKind, Call, Callee, FileIr, Local, LocalId, Operand, Place, Projection, Rvalue, Stmt,
    Terminator,
};
use pairlint_base::model::Ty;
use std::path::Path;

const LIB: &str = "
mod api;
mod fs;
pub struct Job { pub owner: u64 }
pub mod server {
    use tokio::sync::Mutex;
    use std::collections::VecDeque;
    pub struct Server { pub queue: Mutex<VecDeque<crate::Job>> }
    impl Server {
        pub async fn pop(&self) -> Option<crate::Job> { None }
    }
}
";

const API: &str = "
use axum::extract::Path;
pub struct Req { pub id: Path<u64> }
pub async fn show(Path(id): Path<u64>) -> String { String::new() }
";

const FS: &str = "
use std::path::Path as FsPath;
pub fn open(p: &FsPath) -> std::io::Result<()> {
    use std::sync::Mutex;
    struct Cache(Mutex<u8>);
    Ok(())
}
";

fn crate_sigs() -> CrateSigs {
    let vocab = Vocabulary::default();
    let files: Vec<FileFacts> = [("/w/app/src/lib.rs", LIB), ("/w/app/src/api.rs", API), ("/w/app/src/fs/mod.rs", FS)]
        .into_iter()
        .map(|(path, text)| extract_file(Path::new(path), text, &vocab).expect("parses"))
        .collect();
    CrateSigs::from_files(&files, Path::new("/w/app"))
}

fn named(name: &str, args: Vec<Type>) -> Type {
    Type::named(name, args)
}

#[test]
fn each_module_resolves_path_through_its_own_imports() {
    let sigs = crate_sigs();
    let tables = TypeTables::build(&sigs);
    let req = named("crate::Req", vec![]);
    assert_eq!(tables.field(&req, "id"), Some(named("axum::extract::Path", vec![named("u64", vec![])])));
    let open = &tables.fns_named("open")[0];
    assert_eq!(open.params, vec![Type::reference(named("std::path::Path", vec![]))]);
    let show = &tables.fns_named("show")[0];
    assert_eq!(show.params, vec![named("axum::extract::Path", vec![named("u64", vec![])])]);
    // An async fn's call gives a future of what it returns.
    assert_eq!(show.ret.name(), Some("Future"));
}

#[test]
fn scopes_are_numbered_across_files_with_module_paths() {
    let sigs = crate_sigs();
    // lib.rs: the file and `server`; api.rs; fs/mod.rs and the body of `open`.
    let modules: Vec<String> = sigs.modules.iter().map(|m| m.join("::")).collect();
    assert_eq!(modules, ["", "server", "api", "fs", "fs"]);
    assert_eq!(sigs.files, [ScopeId(0), ScopeId(2), ScopeId(3)]);
    assert_eq!(sigs.scope_of(2, ScopeId(1)), ScopeId(4));
    // The body's imports come first, then its module's.
    let aliases: Vec<&str> = sigs.scopes[4].iter().map(|i| i.alias.as_str()).collect();
    assert_eq!(aliases, ["Mutex", "FsPath"]);
    let cache = sigs.structs.iter().find(|s| s.name == "Cache").expect("Cache");
    assert_eq!(cache.scope, ScopeId(4));
    let server = sigs.fns.iter().find(|f| f.name == "pop").expect("pop");
    assert_eq!(server.scope, ScopeId(1));
}

// Which `Mutex` a field holds decides how it locks: the `server` module imports
// tokio's, so `self.queue.lock()` is a future of tokio's guard, and the body of `open`
// imports std's, whose lock gives a `Result`.
#[test]
fn imported_mutexes_lock_as_their_library_says() {
    let sigs = crate_sigs();
    let tables = TypeTables::build(&sigs);
    let queue = tables.field(&named("crate::Server", vec![]), "queue").expect("queue");
    assert_eq!(queue.name(), Some("tokio::Mutex"));
    let cache = tables.field(&named("crate::Cache", vec![]), "0").expect("Cache.0");
    let std_lock = call_effect(&cache, CallName::Method("lock"), 0).expect("std lock");
    assert_eq!(std_lock.result.name(), Some("Result"));

    // `let guard = self.queue.lock();` in `Server::pop`, inferred through the method's
    // extracted signature (the receiver's type) and the tokio field.
    let span = Span { line: 1, column: 1, end_line: 1, end_column: 2, byte_start: 0, byte_end: 1 };
    let local = |name: &str| Local { name: Some(name.into()), ty: Ty::Unknown, span };
    let receiver = Place::local(LocalId(0)).project(Projection::Field("queue".into()));
    let body = Body {
        kind: BodyKind::Fn { self_ty: Some("Server".into()), is_async: true },
        qualified: "server::Server::pop".into(),
        span,
        params: 1,
        locals: vec![local("self"), local("guard")],
        blocks: vec![BasicBlock {
            stmts: vec![Stmt {
                dest: Place::local(LocalId(1)),
                value: Rvalue::Call(Call {
                    callee: Callee::Method("lock".into()),
                    receiver: Some(Operand::Place(receiver)),
                    args: vec![],
                    span,
                }),
                span,
            }],
            term: Terminator::Diverge,
            term_span: span,
        }],
        ret: Ty::Unknown,
        test: false,
    };
    let file = FileIr { bodies: vec![body] };
    let types = infer_body(&file, BodyId(0), &tables, sigs.scope_of(0, ScopeId(1)));
    // `&self`, from the extracted receiver kind.
    assert_eq!(types.locals[0], Type::reference(named("crate::Server", vec![])));
    let guard = named("tokio::MutexGuard", vec![named("VecDeque", vec![named("crate::Job", vec![])])]);
    assert_eq!(types.locals[1], named("Future", vec![guard]));
}
