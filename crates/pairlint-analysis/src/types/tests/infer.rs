//! Inference on small hand-built bodies.

use super::builder::*;
use crate::types::facts::ScopeId;
use crate::types::infer::{infer_body, infer_file, merge};
use crate::types::tables::TypeTables;
use crate::types::ty::Type;
use pairlint_base::ir::{BodyId, FileIr, Operand, Projection, Rvalue};
use pairlint_base::model::Ty;

fn job() -> Type {
    Type::named("crate::Job", vec![])
}

fn infer_one(tables: &TypeTables, body: pairlint_base::ir::Body) -> Vec<Type> {
    infer_body(&FileIr { bodies: vec![body] }, BodyId(0), tables, ScopeId(0)).locals
}

// `let q = self.queue.lock().unwrap(); let head = q.pop_front(); let job = head?;`:
// the field's written type flows through the std lock, the guard's deref and the
// variant payload `?` reads.
#[test]
fn a_locked_queue_pop_through_question_mark() {
    let mut b = BodyBuilder::method_of("Server", "take");
    let this = b.param("self", None);
    let lock = b.let_("lock", method(Operand::Place(field(local(this), "queue")), "lock", vec![]));
    let q = b.let_("q", method(op(lock), "unwrap", vec![]));
    let head = b.let_("head", method(op(q), "pop_front", vec![]));
    let item = b.let_("job", Rvalue::Use(payload(local(head), "Some")));
    let len = b.let_("len", method(op(q), "len", vec![]));
    let types = infer_one(&kiosk(), b.build());
    assert_eq!(types[this as usize], Type::named("crate::Server", vec![]));
    assert_eq!(types[lock as usize].name(), Some("Result"));
    assert_eq!(types[q as usize], model("std::MutexGuard<VecDeque<J>>"));
    assert_eq!(types[head as usize], model("Option<J>"));
    assert_eq!(types[item as usize], job());
    assert_eq!(types[len as usize], model("usize"));
}

// `self.jobs.iter().filter(|j| ..).next()` types the closure's `j` as `&&Job` (the
// adapter's `&T` of an `Iter<&Job>`); `map(|j| j.id)` learns its element from the
// closure's return.
#[test]
fn closures_get_their_parameter_types_from_the_adapter() {
    let mut b = BodyBuilder::method_of("Server", "mine");
    let this = b.param("self", None);
    let iter = b.let_("iter", method(Operand::Place(field(local(this), "jobs")), "iter", vec![]));
    let pred = b.let_("pred", Rvalue::Closure(BodyId(1)));
    let filtered = b.let_("filtered", method(op(iter), "filter", vec![op(pred)]));
    let first = b.let_("first", method(op(filtered), "next", vec![]));
    let iter2 = b.let_("iter2", method(Operand::Place(field(local(this), "jobs")), "iter", vec![]));
    let get_id = b.let_("get_id", Rvalue::Closure(BodyId(2)));
    let ids = b.let_("ids", method(op(iter2), "map", vec![op(get_id)]));
    let parent = b.build();

    let mut c = BodyBuilder::closure(0);
    let j = c.param("j", None);
    let owner = c.let_("owner", Rvalue::Use(Operand::Place(field(local(j), "owner"))));
    let filter_closure = c.ret(Operand::Const(pairlint_base::ir::Const::Bool(true)));

    let mut d = BodyBuilder::closure(0);
    let j2 = d.param("j", None);
    let id = d.let_("id", Rvalue::Use(Operand::Place(field(local(j2).project(Projection::Deref), "id"))));
    let map_closure = d.ret(op(id));

    let file = FileIr { bodies: vec![parent, filter_closure, map_closure] };
    let all = infer_file(&file, &kiosk(), ScopeId(0));
    let types = &all[0].locals;
    assert_eq!(types[iter as usize], model("Iter<&J>"));
    assert_eq!(types[filtered as usize], model("Iter<&J>"));
    assert_eq!(types[first as usize], model("Option<&J>"));
    assert_eq!(all[1].locals[j as usize], model("&&J"));
    assert_eq!(all[1].locals[owner as usize], model("U"));
    assert_eq!(types[pred as usize], Type::Fn { params: vec![model("&&J")], ret: Box::new(model("bool")) });
    assert_eq!(all[2].locals[j2 as usize], model("&J"));
    assert_eq!(types[ids as usize], model("Iter<u64>"));
}

// `fn f<I: Iterator<Item = Job>>(it: I)` and `fn g(it: impl Iterator<Item = Job>)`:
// the bound gives the element.
#[test]
fn generic_and_impl_trait_bounds_give_the_element() {
    let mut sigs = kiosk_sigs();
    let mut f = sig("f", None, &[("it", "I")], "()");
    f.generics.push(generic("I", &["Iterator<Item = Job>"]));
    sigs.fns.push(f);
    sigs.fns.push(sig("g", None, &[("it", "impl Iterator<Item = Job>")], "()"));
    let mut h = sig("h", None, &[("s", "S")], "()");
    h.generics.push(generic("S", &["std::ops::Deref<Target = Job>"]));
    sigs.fns.push(h);
    let tables = TypeTables::build(&sigs);
    for name in ["f", "g"] {
        let mut b = BodyBuilder::func(name);
        let it = b.param("it", Some(fact_ty("I")));
        let next = b.let_("next", method(op(it), "next", vec![]));
        assert_eq!(infer_one(&tables, b.build())[next as usize], model("Option<J>"), "{name}");
    }
    let mut b = BodyBuilder::func("h");
    let s = b.param("s", None);
    let owner = b.let_("owner", Rvalue::Use(Operand::Place(field(local(s), "owner"))));
    assert_eq!(infer_one(&tables, b.build())[owner as usize], model("U"));
}

#[test]
fn aggregates_await_and_crate_signatures() {
    let mut sigs = kiosk_sigs();
    sigs.scopes[0].push(import("tokio::sync::Mutex"));
    sigs.scopes[0].retain(|i| i.path.first().map(String::as_str) != Some("std") || i.alias != "Mutex");
    sigs.structs.push(strukt("Shared", &[("state", "Arc<Mutex<VecDeque<Job>>>")]));
    sigs.fns.push(sig("next_job", Some("Server"), &[], "Option<Job>"));
    let mut fetch = sig("fetch", None, &[("id", "UserId")], "Job");
    fetch.is_async = true;
    sigs.fns.push(fetch);
    let tables = TypeTables::build(&sigs);

    let mut b = BodyBuilder::method_of("Shared", "run");
    let this = b.param("self", None);
    let j = b.param("j", Some(fact_ty("Job")));
    let some = b.let_("some", variant("Some", vec![op(j)]));
    let ok = b.let_("ok", variant("Ok", vec![op(j)]));
    let fut = b.let_("fut", method(Operand::Place(field(local(this), "state")), "lock", vec![]));
    let guard = b.let_("guard", Rvalue::Await(op(fut)));
    let head = b.let_("head", method(op(guard), "pop_front", vec![]));
    let pending = b.let_("pending", path_call("fetch", vec![int("1")]));
    let fetched = b.let_("fetched", Rvalue::Await(op(pending)));
    let slot = b.let_("slot", Rvalue::Ref { place: local(some), mutable: true });
    let taken = b.let_("taken", path_call("std::mem::take", vec![op(slot)]));
    // `take` wants `&mut T`: given the Option itself it binds nothing.
    let wrong = b.let_("wrong", path_call("std::mem::take", vec![op(some)]));
    let types = infer_one(&tables, b.build());
    assert_eq!(types[some as usize], model("Option<J>"));
    assert_eq!(types[ok as usize], model("Result<J, ?>"));
    assert_eq!(types[fut as usize], model("Future<tokio::MutexGuard<VecDeque<J>>>"));
    assert_eq!(types[guard as usize], model("tokio::MutexGuard<VecDeque<J>>"));
    assert_eq!(types[head as usize], model("Option<J>"));
    assert_eq!(types[fetched as usize], job());
    assert_eq!(types[taken as usize], model("Option<J>"));
    assert_eq!(types[wrong as usize], Type::Unknown);

    let mut b = BodyBuilder::method_of("Server", "serve");
    let this = b.param("self", None);
    let next = b.let_("next", method(op(this), "next_job", vec![]));
    assert_eq!(infer_one(&tables, b.build())[next as usize], model("Option<J>"));
}

// Unknown stays unknown: an unmodelled method, a name nothing resolves, an integer
// literal; and a local given two different known types is unknown, not the first.
#[test]
fn unknown_is_never_guessed() {
    let tables = kiosk();
    let mut b = BodyBuilder::func("f");
    let j = b.param("j", Some(fact_ty("Job")));
    let p = b.param("p", Some(fact_ty("Printer")));
    let mystery = b.let_("mystery", method(op(j), "frobnicate", vec![]));
    let printed = b.let_("printed", method(op(p), "pop_front", vec![]));
    let n = b.let_("n", Rvalue::Use(int("3")));
    let both = b.let_("both", Rvalue::Use(op(j)));
    b.assign(both, Rvalue::Use(Operand::Place(field(local(j), "id"))));
    let types = infer_one(&tables, b.build());
    assert_eq!(types[mystery as usize], Type::Unknown);
    assert_eq!(types[printed as usize], Type::Unknown);
    assert_eq!(types[n as usize], Type::Unknown);
    assert_eq!(types[both as usize], Type::Unknown);
    // Merging only fills holes.
    assert_eq!(merge(&model("Option<?>"), &model("Option<J>")), Some(model("Option<J>")));
    assert_eq!(merge(&model("Option<J>"), &model("Option<U>")), None);
}

#[test]
fn struct_literals_and_enum_payloads() {
    let mut sigs = kiosk_sigs();
    sigs.enums.push(crate::types::facts::EnumSig {
        scope: ScopeId(0),
        name: "Slot".into(),
        generics: vec![],
        variants: vec![crate::types::facts::VariantSig {
            name: "Held".into(),
            fields: vec![("0".into(), written("Job"))],
        }],
    });
    sigs.structs.retain(|s| s.name != "Slot");
    let tables = TypeTables::build(&sigs);
    let mut b = BodyBuilder::func("f");
    let j = b.param("j", Some(fact_ty("Job")));
    let slot = b.let_("slot", variant("Slot::Held", vec![op(j)]));
    let inner = b.let_("inner", Rvalue::Use(payload(local(slot), "Held")));
    let lit = b.let_(
        "lit",
        Rvalue::Aggregate {
            kind: pairlint_base::ir::AggregateKind::Struct("Job".into()),
            fields: vec![(Some("id".into()), int("1"))],
        },
    );
    let types = infer_one(&tables, b.build());
    assert_eq!(types[slot as usize], Type::named("crate::Slot", vec![]));
    assert_eq!(types[inner as usize], job());
    assert_eq!(types[lit as usize], job());
}

// A trait's declared method answers for `&dyn Trait`, `impl Trait` and `T: Trait`.
#[test]
fn trait_methods_through_dyn_impl_and_bounds() {
    let mut sigs = kiosk_sigs();
    let mut next_item = sig("next_item", None, &[], "Option<Job>");
    next_item.receiver = Some(crate::types::facts::SelfKind::Ref);
    sigs.traits.push(crate::types::facts::TraitSig {
        scope: ScopeId(0),
        name: "Source".into(),
        generics: vec![],
        assoc_types: vec![],
        methods: vec![next_item],
    });
    sigs.fns.push(sig("a", None, &[("q", "&dyn Source")], "()"));
    sigs.fns.push(sig("b", None, &[("q", "impl Source")], "()"));
    let mut c = sig("c", None, &[("q", "&Q")], "()");
    c.generics.push(generic("Q", &["Source"]));
    sigs.fns.push(c);
    sigs.fns.push(sig("d", None, &[("q", "&Job")], "()"));
    let tables = TypeTables::build(&sigs);
    for (name, expected) in
        [("a", model("Option<J>")), ("b", model("Option<J>")), ("c", model("Option<J>")), ("d", Type::Unknown)]
    {
        let mut b = BodyBuilder::func(name);
        let q = b.param("q", None);
        let item = b.let_("item", method(op(q), "next_item", vec![]));
        assert_eq!(infer_one(&tables, b.build())[item as usize], expected, "{name}");
    }
}

// `VecDeque::pop_front(&mut q)` is the method; a written type stands against a
// conflicting assignment.
#[test]
fn methods_called_by_path_and_written_types_stand() {
    let tables = kiosk();
    let mut b = BodyBuilder::func("f");
    let q = b.param("q", Some(fact_ty("VecDeque<Job>")));
    let r = b.let_("r", Rvalue::Ref { place: local(q), mutable: true });
    let head = b.let_("head", path_call("VecDeque::pop_front", vec![op(r)]));
    let n = b.typed_local("n", fact_ty("u64"));
    b.assign(n, Rvalue::Use(op(head)));
    let types = infer_one(&tables, b.build());
    assert_eq!(types[head as usize], model("Option<J>"));
    assert_eq!(types[n as usize], model("u64"));
}

// A closure's captures have the enclosing body's types, including ones that body
// learns after the closure's definition in an earlier pass.
#[test]
fn captures_see_the_enclosing_types() {
    let mut b = BodyBuilder::method_of("Server", "mine");
    let this = b.param("self", None);
    let pred = b.let_("pred", Rvalue::Closure(BodyId(1)));
    let me = b.let_("me", Rvalue::Use(Operand::Place(field(field(local(this), "by_owner"), "missing"))));
    let owner = b.let_("owner", Rvalue::Use(Operand::Place(field(local(this), "jobs"))));
    let iter = b.let_("iter", method(op(owner), "iter", vec![]));
    let found = b.let_("found", method(op(iter), "find", vec![op(pred)]));
    let parent = b.build();
    let mut c = BodyBuilder::closure(0);
    let _j = c.param("j", None);
    let seen = c.let_("seen", Rvalue::Use(Operand::Capture(pairlint_base::ir::LocalId(owner))));
    let unknown = c.let_("unknown", Rvalue::Use(Operand::Capture(pairlint_base::ir::LocalId(me))));
    let closure = c.ret(Operand::Const(pairlint_base::ir::Const::Bool(true)));
    let all = infer_file(&FileIr { bodies: vec![parent, closure] }, &kiosk(), ScopeId(0));
    assert_eq!(all[0].locals[found as usize], model("Option<&J>"));
    assert_eq!(all[1].locals[seen as usize], model("Vec<J>"));
    // `by_owner.missing` is no field of a HashMap: unknown in both bodies.
    assert_eq!(all[1].locals[unknown as usize], Type::Unknown);
}

// The call model's question on an inferred body: the library call's effect, none for
// the crate's own methods (their summaries answer).
#[test]
fn call_effects_of_an_inferred_body() {
    use crate::types::infer::call_effect_at;
    use crate::types::std_model::{Effect, Source};
    use pairlint_base::ir::{Call, Callee};
    let mut sigs = kiosk_sigs();
    sigs.fns.push(sig("next_job", Some("Server"), &[], "Option<Job>"));
    sigs.scopes[0].push(import("std::sync::mpsc::Sender"));
    let tables = TypeTables::build(&sigs);
    let mut b = BodyBuilder::method_of("Server", "f");
    let this = b.param("self", None);
    let tx = b.param("tx", Some(fact_ty("Sender<Job>")));
    let lock = b.let_("lock", method(Operand::Place(field(local(this), "queue")), "lock", vec![]));
    let q = b.let_("q", method(op(lock), "unwrap", vec![]));
    let body = b.build();
    let file = FileIr { bodies: vec![body] };
    let types = infer_body(&file, BodyId(0), &tables, ScopeId(0));
    let call = |receiver: u32, name: &str, args: Vec<Operand>| Call {
        callee: Callee::Method(name.into()),
        receiver: Some(op(receiver)),
        args,
        span: span(),
    };
    let effect = |c: &Call| call_effect_at(&file, BodyId(0), &types, &[], c, &tables, ScopeId(0));
    let pop = effect(&call(q, "pop_front", vec![])).unwrap();
    assert_eq!((pop.effect, pop.from, pop.result), (Effect::TakesPositional, Source::Receiver, model("Option<J>")));
    let send = effect(&call(tx, "send", vec![op(q)])).unwrap();
    assert_eq!((send.effect, send.from), (Effect::Output, Source::Arg(0)));
    assert_eq!(effect(&call(this, "next_job", vec![])), None);
    assert_eq!(effect(&call(this, "frobnicate", vec![])), None);
}

// `timeout(d, rx.recv()).await?` with `use tokio::time::timeout`: the imported fn, the
// future's output inside `Result<_, Elapsed>`, and `?` reading the `Ok` payload.
#[test]
fn an_imported_timeout_around_a_receive() {
    let mut sigs = kiosk_sigs();
    sigs.scopes[0].push(import("tokio::time::timeout"));
    sigs.scopes[0].push(import("tokio::sync::mpsc"));
    sigs.scopes[0].push(import("std::time::Duration"));
    let tables = TypeTables::build(&sigs);
    let mut b = BodyBuilder::func("wait");
    let rx = b.param("rx", None);
    let d = b.param("d", Some(fact_ty("Duration")));
    let recv = b.let_("recv", method(op(rx), "recv", vec![]));
    let timed = b.let_("timed", path_call("timeout", vec![op(d), op(recv)]));
    let outcome = b.let_("outcome", Rvalue::Await(op(timed)));
    let received = b.let_("received", Rvalue::Use(payload(local(outcome), "Ok")));
    let elapsed = b.let_("elapsed", Rvalue::Use(payload(local(outcome), "Err")));
    let mut body = b.build();
    // `rx: &mut mpsc::Receiver<Job>`, as the extractor would write it keeping the path.
    let receiver = Ty::Path { name: "mpsc::Receiver".into(), args: vec![fact_ty("Job")] };
    body.locals[rx as usize].ty = Ty::Ref(Box::new(receiver));
    let types = infer_one(&tables, body);
    assert_eq!(types[recv as usize], model("Future<Option<J>>"));
    assert_eq!(types[timed as usize], model("Future<Result<Option<J>, tokio::Elapsed>>"));
    assert_eq!(types[received as usize], model("Option<J>"));
    assert_eq!(types[elapsed as usize], model("tokio::Elapsed"));
}
