//! Name resolution: a name means what its scope's `use` says.

use super::builder::{import, kiosk, model, strukt, written};
use crate::types::facts::{AliasSig, CrateSigs, Import, ScopeId};
use crate::types::std_model::{call_effect, CallName, Effect};
use crate::types::tables::TypeTables;
use crate::types::ty::Type;

fn resolve_in(imports: Vec<Import>, text: &str) -> Type {
    let tables = TypeTables::build(&CrateSigs { scopes: vec![imports], ..CrateSigs::default() });
    tables.resolver(ScopeId(0), &[], None).resolve(&written(text))
}

#[test]
fn imports_tell_axum_path_from_std_path() {
    let axum = resolve_in(vec![import("axum::extract::Path")], "Path<u64>");
    let std = resolve_in(vec![import("std::path::Path")], "&Path");
    assert_eq!(axum, Type::named("axum::extract::Path", vec![Type::named("u64", vec![])]));
    assert_eq!(std, Type::reference(Type::named("std::path::Path", vec![])));
    // With no import it is nobody's `Path`.
    assert_eq!(resolve_in(vec![], "Path"), Type::Unresolved { name: "Path".into(), args: vec![] });
    // A renaming import: `use axum::extract::Path as AxPath`.
    let renamed = Import { alias: "AxPath".into(), path: vec!["axum".into(), "extract".into(), "Path".into()] };
    assert_eq!(resolve_in(vec![renamed], "AxPath").name(), Some("axum::extract::Path"));
}

// Which `Mutex` a field holds decides how it locks: std's gives a Result, tokio's a
// future of the guard.
#[test]
fn imports_pick_the_library_family() {
    let std = resolve_in(vec![import("std::sync::Mutex")], "Mutex<Job>");
    let tokio = resolve_in(vec![import("tokio::sync::Mutex")], "Mutex<Job>");
    assert_eq!(std.name(), Some("std::Mutex"));
    assert_eq!(tokio.name(), Some("tokio::Mutex"));
    let std_lock = call_effect(&std, CallName::Method("lock"), 0).unwrap().result;
    let tokio_lock = call_effect(&tokio, CallName::Method("lock"), 0).unwrap().result;
    assert_eq!(std_lock.name(), Some("Result"));
    assert_eq!(tokio_lock.name(), Some("Future"));
    // A module import and a path through it; a glob import; `core::` as `std::`.
    assert_eq!(resolve_in(vec![import("std::sync::mpsc")], "mpsc::Receiver<u8>").name(), Some("std::mpsc::Receiver"));
    assert_eq!(resolve_in(vec![import("std::collections::*")], "VecDeque<u8>").name(), Some("VecDeque"));
    assert_eq!(resolve_in(vec![], "core::cell::RefCell<u8>").name(), Some("RefCell"));
    assert_eq!(resolve_in(vec![], "Option<u8>").name(), Some("Option"));
}

#[test]
fn crate_items_shadow_the_prelude_and_aliases_expand() {
    let mut sigs = CrateSigs {
        scopes: vec![vec![import("std::sync::Arc"), import("std::sync::Mutex"), import("std::collections::VecDeque")]],
        structs: vec![strukt("Job", &[("owner", "u64")]), strukt("Option", &[])],
        ..CrateSigs::default()
    };
    sigs.aliases.push(AliasSig {
        scope: ScopeId(0),
        name: "Queue".into(),
        generics: vec![],
        ty: written("Arc<Mutex<VecDeque<Job>>>"),
    });
    let tables = TypeTables::build(&sigs);
    let resolver = tables.resolver(ScopeId(0), &[], None);
    assert_eq!(resolver.resolve(&written("Option")), Type::named("crate::Option", vec![]));
    assert_eq!(resolver.resolve(&written("Queue")), model("Arc<std::Mutex<VecDeque<J>>>"));
    // A cycle of aliases stays unknown instead of looping.
    let mut cyclic = CrateSigs::default();
    for (name, to) in [("A", "B"), ("B", "A")] {
        cyclic.aliases.push(AliasSig { scope: ScopeId(0), name: name.into(), generics: vec![], ty: written(to) });
    }
    let tables = TypeTables::build(&cyclic);
    assert!(tables.resolver(ScopeId(0), &[], None).resolve(&written("A")).has_unknown());
}

// `impl Iterator<Item = Job>` and `dyn Iterator<Item = Job>` give their element type.
#[test]
fn impl_and_dyn_iterator_bounds_give_the_element() {
    let tables = kiosk();
    let resolver = tables.resolver(ScopeId(0), &[], None);
    for text in ["impl Iterator<Item = Job> + Send", "Box<dyn Iterator<Item = Job>>"] {
        let next = call_effect(&resolver.resolve(&written(text)), CallName::Method("next"), 0).unwrap();
        assert_eq!((next.effect, next.result), (Effect::TakesPositional, model("Option<J>")), "{text}");
    }
}

// `T::Item` with `T: Iterator<Item = Job>` is `Job`; `Self::Item` is not modelled.
#[test]
fn associated_types_through_bounds_only() {
    let tables = kiosk();
    let generics = [super::builder::generic("T", &["Iterator<Item = Job>"])];
    let resolver = tables.resolver(ScopeId(0), &generics, Some(&model("J")));
    assert_eq!(resolver.resolve(&written("Option<T::Item>")), model("Option<J>"));
    assert_eq!(resolver.resolve(&written("T::Output")), Type::Unknown);
    assert_eq!(resolver.resolve(&written("Self::Item")), Type::Unknown);
    assert_eq!(resolver.resolve(&written("Self")), model("J"));
}

// Today's facts (last segments only) already feed the tables.
#[test]
fn todays_struct_facts_build_tables() {
    use pairlint_base::model::{StructDef, Ty};
    let job = StructDef {
        name: "Job".into(),
        fields: vec![("owner".into(), Ty::Path { name: "UserId".into(), args: vec![] })],
    };
    let tables = TypeTables::build(&CrateSigs::from_facts(&[job], &[], &[]));
    assert_eq!(tables.field(&model("J"), "owner"), Some(Type::Unresolved { name: "UserId".into(), args: vec![] }));
    assert_eq!(tables.field(&model("J"), "pages"), None);
}
