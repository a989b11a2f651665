//! Signatures extracted from small files, compared with types in the model's text form.

use crate::extract::extract_file;
use pairlint_base::sigs::{FileSigs, FnSig, GenericParam, Import, ScopeId, SelfKind, WrittenTy};
use pairlint_base::vocab::Vocabulary;
use std::path::Path;

fn sigs_of(text: &str) -> FileSigs {
    extract_file(Path::new("src/lib.rs"), text, &Vocabulary::default()).expect("parses").sigs
}

fn w(text: &str) -> WrittenTy {
    WrittenTy::parse(text).unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

fn generic(name: &str, bounds: &[&str]) -> GenericParam {
    GenericParam { name: name.into(), bounds: bounds.iter().map(|b| w(b)).collect() }
}

fn import(alias: &str, path: &str) -> Import {
    Import { alias: alias.into(), path: path.split("::").map(str::to_owned).collect() }
}

fn fn_named<'s>(sigs: &'s FileSigs, name: &str) -> &'s FnSig {
    sigs.fns.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no fn `{name}` in {:#?}", sigs.fns))
}

#[test]
fn struct_fields_keep_full_paths_and_generics_take_where_clauses() {
    let sigs = sigs_of(
        "struct Server<T: Clone, Q = ()> where Q: Iterator<Item = T> + Send, Vec<T>: Default {
             queue: std::sync::Arc<tokio::sync::Mutex<VecDeque<T>>>,
             cb: fn(&mut T, u8) -> !,
             each: Box<dyn Fn(&T) -> bool + Send + 'static>,
             raw: *const T,
             arr: [u8; 4],
         }
         struct Id(pub u64, &'static str);",
    );
    let server = &sigs.structs[0];
    assert_eq!(server.name, "Server");
    assert_eq!(server.generics, vec![generic("T", &["Clone"]), generic("Q", &["Iterator<Item = T>", "Send"])]);
    let fields: Vec<(&str, WrittenTy)> = vec![
        ("queue", w("std::sync::Arc<tokio::sync::Mutex<VecDeque<T>>>")),
        ("cb", w("fn(&mut T, u8) -> !")),
        ("each", w("Box<dyn Fn(&T) -> bool + Send>")),
        // A raw pointer is nothing the model reads: unknown, not a reference.
        ("raw", WrittenTy::Infer),
        ("arr", w("[u8]")),
    ];
    assert_eq!(server.fields, fields.into_iter().map(|(n, t)| (n.to_owned(), t)).collect::<Vec<_>>());
    assert_eq!(sigs.structs[1].fields, vec![("0".into(), w("u64")), ("1".into(), w("&str"))]);
}

#[test]
fn enums_keep_tuple_and_struct_variants() {
    let sigs = sigs_of("enum Slot<J> { Free, Held(J, u32), Lent { to: UserId, job: Option<J> } }");
    let slot = &sigs.enums[0];
    assert_eq!((slot.name.as_str(), slot.generics.clone()), ("Slot", vec![generic("J", &[])]));
    let variants: Vec<(&str, Vec<(String, WrittenTy)>)> =
        slot.variants.iter().map(|v| (v.name.as_str(), v.fields.clone())).collect();
    assert_eq!(
        variants,
        vec![
            ("Free", vec![]),
            ("Held", vec![("0".into(), w("J")), ("1".into(), w("u32"))]),
            ("Lent", vec![("to".into(), w("UserId")), ("job".into(), w("Option<J>"))]),
        ]
    );
}

#[test]
fn traits_keep_associated_type_bounds_and_method_signatures() {
    let sigs = sigs_of(
        "trait Store<K>: Send where K: Eq {
             type Item: Clone + Into<Job>;
             type Iter<'a>: Iterator<Item = &'a Self::Item> where Self: 'a;
             fn take(&mut self, key: &K) -> Option<Self::Item>;
             async fn wait(self: std::sync::Arc<Self>) -> <Self as Store<K>>::Item { todo!() }
             fn make<S>() -> Self where S: Into<K>;
         }",
    );
    let store = &sigs.traits[0];
    assert_eq!(store.generics, vec![generic("K", &["Eq"])]);
    assert_eq!(
        store.assoc_types,
        vec![generic("Item", &["Clone", "Into<Job>"]), generic("Iter", &["Iterator<Item = &Self::Item>"])]
    );
    let [take, wait, make] = &store.methods[..] else { panic!("{:#?}", store.methods) };
    assert_eq!(take.trait_name.as_deref(), Some("Store"));
    assert_eq!((take.self_ty.clone(), take.receiver), (None, Some(SelfKind::RefMut)));
    assert_eq!(take.params, vec![("key".into(), w("&K"))]);
    assert_eq!(take.ret, w("Option<Self::Item>"));
    assert_eq!(take.generics, vec![generic("K", &["Eq"])]);
    assert_eq!((wait.receiver, wait.is_async, wait.ret.clone()), (Some(SelfKind::Value), true, w("Self::Item")));
    assert_eq!(make.generics, vec![generic("K", &["Eq"]), generic("S", &["Into<K>"])]);
    assert_eq!((make.receiver, make.ret.clone()), (None, w("Self")));
    // Trait declarations' methods are the trait's, not free fns.
    assert!(sigs.fns.is_empty(), "{:#?}", sigs.fns);
}

#[test]
fn impl_methods_carry_the_self_type_trait_and_impl_generics_first() {
    let sigs = sigs_of(
        "impl<T: Send> Queue<T> {
             pub async fn pop(&self) -> Option<T> { None }
             fn new() -> Self { todo!() }
         }
         impl<T> Iterator for Queue<T> where T: Clone {
             type Item = T;
             fn next<'a>(&'a mut self) -> Option<T> { None }
         }
         fn free((a, b): (u8, u8), mut c: impl Iterator<Item = Job>) {}",
    );
    let pop = fn_named(&sigs, "pop");
    assert_eq!(pop.self_ty, Some(w("Queue<T>")));
    assert_eq!((pop.trait_name.clone(), pop.receiver, pop.is_async), (None, Some(SelfKind::Ref), true));
    assert_eq!((pop.generics.clone(), pop.ret.clone()), (vec![generic("T", &["Send"])], w("Option<T>")));
    assert_eq!(fn_named(&sigs, "new").receiver, None);
    let next = fn_named(&sigs, "next");
    assert_eq!(next.trait_name.as_deref(), Some("Iterator"));
    assert_eq!((next.receiver, next.generics.clone()), (Some(SelfKind::RefMut), vec![generic("T", &["Clone"])]));
    let free = fn_named(&sigs, "free");
    assert_eq!((free.self_ty.clone(), free.ret.clone(), free.is_async), (None, WrittenTy::unit(), false));
    assert_eq!(free.params, vec![("_".into(), w("(u8, u8)")), ("c".into(), w("impl Iterator<Item = Job>"))]);
}

#[test]
fn imports_renamed_globbed_and_grouped_per_module() {
    let sigs = sigs_of(
        "use axum::extract::Path as AxPath;
         use std::{collections::*, sync::{self, Arc}, io::Result as IoResult};
         use ::tokio::sync::Mutex;
         extern crate alloc as core_alloc;
         struct Top(AxPath<u64>);
         mod inner {
             use std::path::Path;
             pub struct Req { pub path: &'static Path }
             mod deeper { pub fn f() {} }
         }",
    );
    assert_eq!(sigs.scopes.len(), 3);
    let top = &sigs.scopes[0];
    assert_eq!((top.module.clone(), top.parent), (Vec::<String>::new(), None));
    assert_eq!(
        top.imports,
        vec![
            import("AxPath", "axum::extract::Path"),
            import("*", "std::collections"),
            import("sync", "std::sync"),
            import("Arc", "std::sync::Arc"),
            import("IoResult", "std::io::Result"),
            import("Mutex", "tokio::sync::Mutex"),
            import("core_alloc", "alloc"),
        ]
    );
    assert_eq!(
        (sigs.scopes[1].module.clone(), sigs.scopes[1].imports.clone()),
        (vec!["inner".to_owned()], vec![import("Path", "std::path::Path")])
    );
    assert_eq!(sigs.scopes[2].module, vec!["inner".to_owned(), "deeper".to_owned()]);
    assert!(sigs.scopes[2].imports.is_empty());
    let scope_of = |name: &str| sigs.structs.iter().find(|s| s.name == name).map(|s| s.scope);
    assert_eq!((scope_of("Top"), scope_of("Req")), (Some(ScopeId(0)), Some(ScopeId(1))));
    assert_eq!(fn_named(&sigs, "f").scope, ScopeId(2));
}

#[test]
fn fn_bodies_with_imports_are_scopes_under_their_module() {
    let sigs = sigs_of(
        "use std::sync::Mutex;
         fn outer() {
             use tokio::sync::Mutex;
             struct Local(Mutex<u8>);
         }
         fn plain() { struct Other(u8); }",
    );
    assert_eq!(sigs.scopes.len(), 2);
    assert_eq!(sigs.scopes[1].parent, Some(ScopeId(0)));
    assert_eq!(sigs.scopes[1].imports, vec![import("Mutex", "tokio::sync::Mutex")]);
    let scope_of = |name: &str| sigs.structs.iter().find(|s| s.name == name).map(|s| s.scope);
    assert_eq!((scope_of("Local"), scope_of("Other")), (Some(ScopeId(1)), Some(ScopeId(0))));
}

#[test]
fn statics_consts_aliases_and_lazy_globals() {
    let sigs = sigs_of(
        "static QUEUE: std::sync::Mutex<Vec<Job>> = todo!();
         const LIMIT: usize = 4;
         const _: () = ();
         type Shared<T> = std::sync::Arc<parking_lot::Mutex<T>>;
         thread_local! { static CURRENT: RefCell<Option<Job>> = RefCell::new(None); }
         extern \"C\" { static ERRNO: i32; fn getpid() -> i32; }",
    );
    let statics: Vec<(&str, WrittenTy)> = sigs.statics.iter().map(|(_, n, t)| (n.as_str(), t.clone())).collect();
    assert_eq!(
        statics,
        vec![
            ("QUEUE", w("std::sync::Mutex<Vec<Job>>")),
            ("LIMIT", w("usize")),
            ("CURRENT", w("RefCell<Option<Job>>")),
            ("ERRNO", w("i32")),
        ]
    );
    let alias = &sigs.aliases[0];
    assert_eq!((alias.name.as_str(), alias.generics.clone()), ("Shared", vec![generic("T", &[])]));
    assert_eq!(alias.ty, w("std::sync::Arc<parking_lot::Mutex<T>>"));
    assert_eq!(fn_named(&sigs, "getpid").ret, w("i32"));
}

#[test]
fn qualified_paths_and_unmodelled_forms() {
    let sigs = sigs_of(
        "fn f<T: Iterator>(a: <T as Iterator>::Item, b: <Vec<T> as IntoIterator>::Item, c: _, d: m!(), e: &(dyn Send)) {}",
    );
    let params: Vec<WrittenTy> = fn_named(&sigs, "f").params.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(params, vec![w("T::Item"), WrittenTy::Infer, WrittenTy::Infer, WrittenTy::Infer, w("&dyn Send")]);
}
