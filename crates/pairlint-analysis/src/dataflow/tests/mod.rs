//! Dataflow tests on hand-built bodies. Each test's comment shows the Rust the body
//! stands for; parameter `_0` is the collection (or `self`), `_1` the requester `user`.

mod builder;

use super::provenance::MAX_DEPTH;
use super::*;
use builder::*;
use pairlint_base::ir::{BlockId, BodyId, Call, Callee, LocalId, Rvalue};
use std::collections::BTreeSet;

fn is_owner_field(name: &str) -> bool {
    matches!(name, "owner" | "applicant")
}

/// The requester is parameter `_1` (`user`) or its `card_id` field.
fn is_identity(p: &Provenance) -> bool {
    match p {
        Provenance::Param(local) => local.0 == 1,
        Provenance::PartOf { whole, field } => **whole == Provenance::Param(LocalId(1)) && field == "card_id",
        _ => false,
    }
}

/// Check helpers of `(item, user)`: `check_owner` returns `Ok` when `item` is the
/// user's, `is_owner` returns `true`, `assert_owner` panics otherwise.
struct CheckOwnerHelpers;

impl CheckModel for CheckOwnerHelpers {
    fn check_effect(&self, call: &Call, _body: &Body) -> Option<CheckEffect> {
        let Callee::Path(path) = &call.callee else { return None };
        let outcome = match path.last()?.as_str() {
            "check_owner" => CheckOutcome::ReturnsResult,
            "is_owner" => CheckOutcome::ReturnsBool,
            "assert_owner" => CheckOutcome::Panics,
            _ => return None,
        };
        Some(CheckEffect { checked: Slot::Arg(0), identity: Some(Slot::Arg(1)), outcome })
    }
}

/// Analyses `bodies[0]` with the test vocabulary and the name-based call model.
fn analyze(bodies: &Vec<Body>) -> BodyFacts<'_> {
    let inputs = CheckInputs {
        bodies,
        checks: &CheckOwnerHelpers,
        vocabulary: CheckVocabulary { is_owner_field: &is_owner_field, is_identity: &is_identity },
    };
    analyze_body(&bodies[0], &NameCallModel, inputs)
}

fn param(i: u32) -> Provenance {
    Provenance::Param(LocalId(i))
}

fn positional(of: Provenance, site: Location) -> Provenance {
    Provenance::element(of, Selection::Positional, site)
}

fn set<const N: usize>(items: [Provenance; N]) -> BTreeSet<Provenance> {
    BTreeSet::from(items)
}

/// The checked set before `location` (panics if unreachable: tests ask reached points).
fn checked(facts: &BodyFacts<'_>, location: Location) -> BTreeSet<Provenance> {
    facts.checks_at(location).expect("location is reachable").checked
}

// fn serve(q, user) -> Item {
//     let img = q.pop_front();
//     if img.owner != user { return Err(NotYours) }
//     img
// }
#[test]
fn early_return_on_ne_checks_the_item_after_it() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (q, user) = (p[0], p[1]);
    let (leave, pass) = (b.block(), b.block());
    let take = b.here();
    let img = b.let_("img", method(q, "pop_front", vec![]));
    let mismatch = b.let_("mismatch", ne(img.field("owner"), user));
    b.branch(mismatch, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let output = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let item = positional(param(0), take);
    assert_eq!(facts.provenance_at(output, &op(img)), set([item.clone()]));
    assert_eq!(checked(&facts, output), set([item]));
    assert!(facts.is_checked_at(output, &op(img)));
    // Before the comparison the item is not checked yet.
    assert!(!facts.is_checked_at(Location::new(BlockId(0), 1), &op(img)));
}

// let img = q.pop_front();
// if !(img.owner == user) { return }
// img
#[test]
fn negated_eq_with_early_return_checks_like_ne() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (leave, pass) = (b.block(), b.block());
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    let same = b.let_("same", eq(img.field("owner"), p[1]));
    let differs = b.let_("differs", not(same));
    b.branch(differs, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let output = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    assert!(facts.is_checked_at(output, &op(img)));
    // The leaving edge learns nothing.
    assert_eq!(checked(&facts, Location::new(leave, 0)), BTreeSet::new());
}

// let img = q.pop_front();
// if flag { if img.owner != user { return } }
// img   // checked on one path only
#[test]
fn a_check_on_one_branch_does_not_dominate_the_merge() {
    let (mut b, p) = BodyBuilder::function(&["q", "user", "flag"]);
    let (checking, skipping, leave, checked_path, merge) = (b.block(), b.block(), b.block(), b.block(), b.block());
    let take = b.here();
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    b.branch(p[2], checking, skipping);
    b.at(checking);
    let mismatch = b.let_("mismatch", ne(img.field("owner"), p[1]));
    b.branch(mismatch, leave, checked_path);
    b.at(leave).diverge();
    b.at(checked_path).goto(merge);
    b.at(skipping).goto(merge);
    b.at(merge);
    let output = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let item = positional(param(0), take);
    assert_eq!(checked(&facts, Location::new(checked_path, 0)), set([item]));
    assert_eq!(checked(&facts, output), BTreeSet::new());
    assert!(!facts.is_checked_at(output, &op(img)));
}

/// `if <first> || <second> { return img } else { panic }` lowered as branches; returns
/// the checked set in the passing block.
fn checked_after_or(
    first: fn(LocalId, LocalId, LocalId) -> Rvalue,
    second: fn(LocalId, LocalId, LocalId) -> Rvalue,
) -> BTreeSet<Provenance> {
    let (mut b, p) = BodyBuilder::function(&["q", "user", "admin"]);
    let (try_second, pass, fail) = (b.block(), b.block(), b.block());
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    let c1 = b.let_("c1", first(img, p[1], p[2]));
    b.branch(c1, pass, try_second);
    b.at(try_second);
    let c2 = b.let_("c2", second(img, p[1], p[2]));
    b.branch(c2, pass, fail);
    b.at(fail).diverge();
    b.at(pass).ret(img);
    let bodies = vec![b.finish()];
    let facts = analyze(&bodies);
    checked(&facts, Location::new(pass, 0))
}

#[test]
fn or_passes_only_when_both_passing_edges_check() {
    let owner_is_user = |img: LocalId, user, _| eq(img.field("owner"), user);
    let applicant_is_user = |img: LocalId, user, _| eq(img.field("applicant"), user);
    let owner_is_admin = |img: LocalId, _, admin| eq(img.field("owner"), admin);
    let site = Location::new(BlockId(0), 0);
    let item = positional(param(0), site);
    // `img.owner == user || img.owner == admin`: the admin edge passes unchecked.
    assert_eq!(checked_after_or(owner_is_user, owner_is_admin), BTreeSet::new());
    assert_eq!(checked_after_or(owner_is_admin, owner_is_user), BTreeSet::new());
    // `img.owner == user || img.applicant == user`: both passing edges check `img`.
    assert_eq!(checked_after_or(owner_is_user, applicant_is_user), set([item]));
}

// let img = { let inner = q.pop_front(); if inner.owner != user { return } inner };
// send(img)
#[test]
fn a_check_inside_a_block_expression_holds_for_the_value_it_yields() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (leave, pass) = (b.block(), b.block());
    let inner = b.let_("inner", method(p[0], "pop_front", vec![]));
    let mismatch = b.let_("mismatch", ne(inner.field("owner"), p[1]));
    b.branch(mismatch, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let img = b.let_("img", use_(inner));
    let send = b.here();
    b.let_("sent", call("send", vec![op(img)]));
    b.ret(true);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    assert!(facts.is_checked_at(send, &op(img)));
}

// match q.pop_front() {
//     Some(img) if img.owner == user => send(img),
//     _ => {}
// }
#[test]
fn a_match_guard_checks_the_binding_in_its_arm_only() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (some, guarded, rest) = (b.block(), b.block(), b.block());
    let head = b.let_("head", method(p[0], "pop_front", vec![]));
    b.switch_variant(head, &[("Some", some)], Some(rest));
    b.at(some);
    let guard = b.let_("guard", eq(head.payload("Some").field("owner"), p[1]));
    b.branch(guard, guarded, rest);
    b.at(guarded);
    let img = b.let_("img", use_(head.payload("Some")));
    let send = b.here();
    b.let_("sent", call("send", vec![op(img)]));
    b.ret(true);
    b.at(rest);
    let other_arm = b.here();
    b.ret(false);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let item = positional(param(0), Location::new(BlockId(0), 0));
    assert_eq!(facts.provenance_at(send, &op(img)), set([item.clone()]));
    assert!(facts.is_checked_at(send, &op(img)));
    assert_eq!(checked(&facts, other_arm), BTreeSet::new());
}

// let slot = slots.get(&ticket);
// if slot.owner != user { return }
// let id = slot.id;
#[test]
fn a_check_on_a_field_marks_the_element_and_other_fields_are_parts_of_it() {
    let (mut b, p) = BodyBuilder::function(&["slots", "user", "ticket"]);
    let (leave, pass) = (b.block(), b.block());
    let key = b.let_("key", ref_(p[2]));
    let take = b.here();
    let slot = b.let_("slot", method(p[0], "get", vec![op(key)]));
    let mismatch = b.let_("mismatch", ne(slot.deref().field("owner"), p[1]));
    b.branch(mismatch, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let id = b.let_("id", use_(slot.deref().field("id")));
    let end = b.here();
    b.ret(id);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let element = Provenance::element(param(0), Selection::Keyed(Box::new(param(2))), take);
    assert_eq!(checked(&facts, end), set([element.clone()]));
    assert_eq!(facts.provenance_at(end, &op(id)), set([Provenance::part_of(element, "id")]));
    // `slot.id` is a part of the checked element, not the element.
    assert!(!facts.is_checked_at(end, &op(id)));
    assert!(facts.is_checked_at(end, &op(slot)));
    let state = facts.checks_at(end).unwrap();
    assert!(facts.provenance_at(end, &op(id)).iter().all(|p| state.is_checked_or_part_of_checked(p)));
}

// let head = self.queue.lock().unwrap().pop_front();
// let by_key = self.images.get(&cmd.ticket);
// let found = self.slots.iter().find(|s| s.ready);
// let by_index = self.slots[0];
#[test]
fn positional_keyed_and_predicate_elements() {
    let (mut b, p) = BodyBuilder::function(&["self", "cmd"]);
    let (this, cmd) = (p[0], p[1]);
    let guard = b.let_("guard", method(this.deref().field("queue"), "lock", vec![]));
    let queue = b.let_("queue", method(guard, "unwrap", vec![]));
    let pop = b.here();
    let head = b.let_("head", method(queue, "pop_front", vec![]));
    let key = b.let_("key", ref_(cmd.field("ticket")));
    let get = b.here();
    let by_key = b.let_("by_key", method(this.deref().field("images"), "get", vec![op(key)]));
    let predicate = b.let_("predicate", closure(BodyId(1)));
    let iter = b.let_("iter", method(this.deref().field("slots"), "iter", vec![]));
    let find = b.here();
    let found = b.let_("found", method(iter, "find", vec![op(predicate)]));
    let index = b.here();
    let by_index = b.let_("by_index", use_(this.deref().field("slots").at_const(0)));
    let end = b.here();
    b.ret(true);
    let (mut c, s) = BodyBuilder::closure(BodyId(0), &["s"]);
    c.ret(s[0].deref().field("ready"));
    let bodies = vec![b.finish(), c.finish()];

    let facts = analyze(&bodies);
    let field = |name| Provenance::part_of(param(0), name);
    let at = |local| facts.provenance_at(end, &op(local));
    assert_eq!(at(head), set([positional(field("queue"), pop)]));
    let ticket = Provenance::part_of(param(1), "ticket");
    assert_eq!(at(by_key), set([Provenance::element(field("images"), Selection::Keyed(Box::new(ticket)), get)]));
    let chosen = Selection::Predicate(Some(BodyId(1)));
    assert_eq!(at(found), set([Provenance::element(field("slots"), chosen, find)]));
    assert_eq!(at(by_index), set([positional(field("slots"), index)]));
    // A predicate that compares no owner checks nothing.
    assert_eq!(checked(&facts, end), BTreeSet::new());
}

// let item = rx.recv();                  // positional
// let wrapped = Some(item);
// let inner = wrapped.unwrap().clone();
// let done = inner.await.map_err(into_err).expect("sent");
// let (pair_item, n) = (done, 3);
#[test]
fn provenance_survives_wrapping_unwrapping_clone_await_and_map_err() {
    let (mut b, p) = BodyBuilder::function(&["rx"]);
    let recv = b.here();
    let item = b.let_("item", method(p[0], "recv", vec![]));
    let wrapped = b.let_("wrapped", some(item));
    let unwrapped = b.let_("unwrapped", method(wrapped, "unwrap", vec![]));
    let cloned = b.let_("cloned", method(unwrapped, "clone", vec![]));
    let awaited = b.let_("awaited", await_(cloned));
    let mapped = b.let_("mapped", method(awaited, "map_err", vec![int(0)]));
    let done = b.let_("done", method(mapped, "expect", vec![int(0)]));
    let payload = b.let_("payload", use_(wrapped.payload("Some")));
    let pair = b.let_("pair", tuple(vec![op(done), int(3)]));
    let first = b.let_("first", use_(pair.field("0")));
    let len = b.let_("len", method(done, "len", vec![]));
    let unknown = b.here();
    let other = b.let_("other", method(done, "frobnicate", vec![]));
    let end = b.here();
    b.ret(true);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let item_value = set([positional(param(0), recv)]);
    for local in [item, wrapped, unwrapped, cloned, awaited, mapped, done, payload, first] {
        assert_eq!(facts.provenance_at(end, &op(local)), item_value, "{local}");
    }
    assert_eq!(facts.provenance_at(end, &op(pair)), set([Provenance::Fresh]));
    assert_eq!(facts.provenance_at(end, &op(len)), set([Provenance::Fresh]));
    assert_eq!(facts.provenance_at(end, &op(other)), set([Provenance::CallResult(unknown)]));
}

// loop {
//     let img = q.pop_front();
//     if img.owner != user { continue }   // back edge
//     return img;
// }
#[test]
fn a_loop_converges_and_a_check_before_continue_does_not_leak_into_the_header() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (header, done) = (b.block(), b.block());
    b.goto(header);
    b.at(header);
    let take = b.here();
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    let mismatch = b.let_("mismatch", ne(img.field("owner"), p[1]));
    b.branch(mismatch, header, done);
    b.at(done);
    let output = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let item = positional(param(0), take);
    // The back edge is the failing edge: nothing checked arrives at the header.
    assert_eq!(checked(&facts, Location::new(header, 0)), BTreeSet::new());
    assert_eq!(checked(&facts, output), set([item.clone()]));
    // Provenance at the header: `img` from an earlier iteration, by the same site.
    assert_eq!(facts.provenance.entry_state(header).of_local(img), set([item]));
}

// let img = q.pop_front();
// if img.owner != user { return }
// if false { goto merge }; if !true { goto merge }; /* dead: */ { goto merge }
// merge: img
#[test]
fn unreachable_predecessors_do_not_weaken_a_must_join() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (leave, pass, dead, never, also_never, merge) =
        (b.block(), b.block(), b.block(), b.block(), b.block(), b.block());
    let take = b.here();
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    let mismatch = b.let_("mismatch", ne(img.field("owner"), p[1]));
    b.branch(mismatch, leave, pass);
    b.at(leave).diverge();
    b.at(pass).branch(false, never, also_never);
    b.at(never).goto(merge);
    // `let impossible = !true; if impossible { goto merge }`: a known-false local.
    b.at(also_never);
    let impossible = b.let_("impossible", not(true));
    b.branch(impossible, never, merge);
    b.at(dead).goto(merge);
    b.at(merge);
    let output = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    assert_eq!(checked(&facts, output), set([positional(param(0), take)]));
    assert_eq!(facts.checks_at(Location::new(dead, 0)), None);
    assert_eq!(facts.checks_at(Location::new(never, 0)), None);
}

/// `let found = slots.iter().find(|s| <predicate>)` with the closure as `bodies[1]`.
fn find_with(predicate: impl FnOnce(&mut BodyBuilder, LocalId, LocalId)) -> (bool, BTreeSet<Provenance>) {
    let (mut b, p) = BodyBuilder::function(&["slots", "user"]);
    let closure_value = b.let_("pred", closure(BodyId(1)));
    let iter = b.let_("iter", method(p[0], "iter", vec![]));
    let find = b.here();
    let found = b.let_("found", method(iter, "find", vec![op(closure_value)]));
    let end = b.here();
    b.ret(found);
    let (mut c, s) = BodyBuilder::closure(BodyId(0), &["s"]);
    predicate(&mut c, s[0], p[1]);
    let bodies = vec![b.finish(), c.finish()];
    let facts = analyze(&bodies);
    let item = Provenance::element(param(0), Selection::Predicate(Some(BodyId(1))), find);
    (facts.is_checked_at(end, &op(found)), checked(&facts, end).into_iter().filter(|p| *p == item).collect())
}

#[test]
fn a_predicate_comparing_the_owner_with_the_captured_requester_checks_the_found_element() {
    // `|s| s.owner == user`
    let (is_checked, _) = find_with(|c, s, user| {
        let same = c.let_("same", eq(s.deref().deref().field("owner"), capture(user)));
        c.ret(same);
    });
    assert!(is_checked);
    // `|s| s.owner == s.previous_owner`: no requester.
    let (is_checked, facts) = find_with(|c, s, _| {
        let same = c.let_("same", eq(s.deref().field("owner"), s.deref().field("previous_owner")));
        c.ret(same);
    });
    assert!(!is_checked);
    assert_eq!(facts, BTreeSet::new());
    // `|s| if s.owner != user { return false } s.ready`: checked on the only returning path.
    let (is_checked, _) = find_with(|c, s, user| {
        let (reject, accept) = (c.block(), c.block());
        let differs = c.let_("differs", ne(s.deref().field("owner"), capture(user)));
        c.branch(differs, reject, accept);
        c.at(reject).ret(false);
        c.at(accept).ret(s.deref().field("ready"));
    });
    assert!(is_checked);
    // `|s| s.ready && s.owner == user` as a value: `false` on one path, the comparison
    // on the other; a literal `false` is never true, so true means the owner matched.
    let (is_checked, _) = find_with(|c, s, user| {
        let (compare, no, out) = (c.block(), c.block(), c.block());
        let result = c.local("result");
        c.branch(s.deref().field("ready"), compare, no);
        c.at(compare).assign(result, eq(s.deref().field("owner"), capture(user)));
        c.goto(out);
        c.at(no).assign(result, use_(false));
        c.goto(out);
        c.at(out).ret(result);
    });
    assert!(is_checked);
    // `|s| s.ready || s.owner == user`: the `ready` edge accepts anyone's slot.
    let (is_checked, _) = find_with(|c, s, user| {
        let (yes, compare, out) = (c.block(), c.block(), c.block());
        let result = c.local("result");
        c.branch(s.deref().field("ready"), yes, compare);
        c.at(yes).assign(result, use_(true));
        c.goto(out);
        c.at(compare).assign(result, eq(s.deref().field("owner"), capture(user)));
        c.goto(out);
        c.at(out).ret(result);
    });
    assert!(!is_checked);
}

// let ticket = cmd.card_id;
// let img = images.remove(&key);
// check_owner(&img, &cmd.card_id)?;
// send(img)
#[test]
fn a_check_helper_checks_its_argument_on_the_ok_edge() {
    let (mut b, p) = BodyBuilder::function(&["images", "cmd", "key"]);
    let (ok, err) = (b.block(), b.block());
    let take = b.here();
    let img = b.let_("img", method(p[0], "remove", vec![op(p[2])]));
    let img_ref = b.let_("img_ref", ref_(img));
    let card = b.let_("card", ref_(p[1].field("card_id")));
    let result = b.let_("result", call("auth::check_owner", vec![op(img_ref), op(card)]));
    let mapped = b.let_("mapped", method(result, "map_err", vec![int(0)]));
    b.switch_variant(mapped, &[("Ok", ok)], Some(err));
    b.at(err).ret(false);
    b.at(ok);
    let send = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let element = Provenance::element(param(0), Selection::Keyed(Box::new(param(2))), take);
    assert_eq!(checked(&facts, send), set([element]));
    assert_eq!(checked(&facts, Location::new(err, 0)), BTreeSet::new());
}

// A helper whose identity argument is not the requester checks nothing.
#[test]
fn a_check_helper_against_someone_else_checks_nothing() {
    let (mut b, p) = BodyBuilder::function(&["images", "cmd", "other"]);
    let (ok, err) = (b.block(), b.block());
    let img = b.let_("img", method(p[0], "pop", vec![]));
    let result = b.let_("result", call("check_owner", vec![op(img), op(p[2])]));
    b.switch_variant(result, &[("Ok", ok), ("Err", err)], None);
    b.at(err).ret(false);
    b.at(ok);
    let send = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    assert_eq!(checked(&facts, send), BTreeSet::new());
}

// let i = slots.iter().position(|s| s.owner == user).unwrap();
// let slot = slots.remove(i);      // checked: the index was found by the requester check
// let other = slots.remove(j);     // not checked
// let looked_up = slots[i];        // an element keyed by that index, read by indexing
#[test]
fn an_element_removed_at_a_checked_position_is_checked() {
    let (mut b, p) = BodyBuilder::function(&["slots", "user", "j"]);
    let predicate = b.let_("pred", closure(BodyId(1)));
    let iter = b.let_("iter", method(p[0], "iter", vec![]));
    let position = b.here();
    let found = b.let_("found", method(iter, "position", vec![op(predicate)]));
    let index = b.let_("index", method(found, "unwrap", vec![]));
    let slot = b.let_("slot", method(p[0], "remove", vec![op(index)]));
    let other = b.let_("other", method(p[0], "remove", vec![op(p[2])]));
    let read = b.here();
    let looked_up = b.let_("looked_up", use_(p[0].at_index(index)));
    let end = b.here();
    b.ret(slot);
    let (mut c, s) = BodyBuilder::closure(BodyId(0), &["s"]);
    let same = c.let_("same", eq(s[0].deref().field("owner"), capture(p[1])));
    c.ret(same);
    let bodies = vec![b.finish(), c.finish()];

    let facts = analyze(&bodies);
    let found_index =
        Provenance::IndexOf { of: Box::new(param(0)), how: Selection::Predicate(Some(BodyId(1))), site: position };
    assert_eq!(checked(&facts, end), set([found_index.clone()]));
    assert!(facts.is_checked_at(end, &op(slot)));
    assert!(!facts.is_checked_at(end, &op(other)));
    let keyed = Provenance::element(param(0), Selection::Keyed(Box::new(found_index)), read);
    assert_eq!(facts.provenance_at(end, &op(looked_up)), set([keyed]));
    assert!(facts.is_checked_at(end, &op(looked_up)));
}

// let mut node = list.head;
// while more { node = node.next }
// The provenance `head.next.next...` would grow forever; terms are cut at MAX_DEPTH.
#[test]
fn a_loop_growing_a_field_chain_converges_at_the_depth_cap() {
    let (mut b, p) = BodyBuilder::function(&["list", "more"]);
    let (header, body, done) = (b.block(), b.block(), b.block());
    let node = b.let_("node", use_(p[0].field("head")));
    b.goto(header);
    b.at(header).branch(p[1], body, done);
    b.at(body).assign(node, use_(node.field("next")));
    b.goto(header);
    b.at(done);
    let end = b.here();
    b.ret(node);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let values = facts.provenance_at(end, &op(node));
    // head, head.next, ... up to the cap, then Unknown.
    assert_eq!(values.len(), MAX_DEPTH);
    assert!(values.contains(&Provenance::Unknown));
    assert!(values.contains(&Provenance::part_of(param(0), "head")));
    assert!(values.iter().all(|p| p.depth() <= MAX_DEPTH));
}

// let mine = slots.iter().filter(|s| s.owner == user).next();   // checked
// let any = slots.iter().filter(|s| s.ready).next();             // not checked
// let head = slots.iter().next();                                 // positional, not checked
#[test]
fn the_next_element_of_a_checked_filter_is_checked() {
    let (mut b, p) = BodyBuilder::function(&["slots", "user"]);
    let by_owner = b.let_("by_owner", closure(BodyId(1)));
    let by_ready = b.let_("by_ready", closure(BodyId(2)));
    let iter = b.let_("iter", method(p[0], "iter", vec![]));
    let filter = b.here();
    let filtered = b.let_("filtered", method(iter, "filter", vec![op(by_owner)]));
    let mine = b.let_("mine", method(filtered, "next", vec![]));
    let ready = b.let_("ready", method(iter, "filter", vec![op(by_ready)]));
    let any = b.let_("any", method(ready, "next", vec![]));
    let next = b.here();
    let head = b.let_("head", method(iter, "next", vec![]));
    let end = b.here();
    b.ret(mine);
    let (mut owner_check, s) = BodyBuilder::closure(BodyId(0), &["s"]);
    let same = owner_check.let_("same", eq(s[0].deref().field("owner"), capture(p[1])));
    owner_check.ret(same);
    let (mut ready_check, s) = BodyBuilder::closure(BodyId(0), &["s"]);
    ready_check.ret(s[0].deref().field("ready"));
    let bodies = vec![b.finish(), owner_check.finish(), ready_check.finish()];

    let facts = analyze(&bodies);
    let selected = Provenance::element(param(0), Selection::Predicate(Some(BodyId(1))), filter);
    assert_eq!(checked(&facts, end), set([selected]));
    assert!(facts.is_checked_at(end, &op(mine)));
    assert!(!facts.is_checked_at(end, &op(any)));
    assert_eq!(facts.provenance_at(end, &op(head)), set([positional(param(0), next)]));
    assert!(!facts.is_checked_at(end, &op(head)));
}

// let img = if flag { q.pop_front() } else { m.get(k) };
// if img.owner != user { return }   // `img` may be either item: proves nothing
#[test]
fn provenance_joins_by_union_and_an_ambiguous_owner_side_checks_nothing() {
    let (mut b, p) = BodyBuilder::function(&["q", "user", "flag", "m", "k"]);
    let (then, otherwise, merge, leave, pass) = (b.block(), b.block(), b.block(), b.block(), b.block());
    let img = b.local("img");
    b.branch(p[2], then, otherwise);
    b.at(then);
    let pop = b.here();
    b.assign(img, method(p[0], "pop_front", vec![]));
    b.goto(merge);
    b.at(otherwise);
    let get = b.here();
    b.assign(img, method(p[3], "get", vec![op(p[4])]));
    b.goto(merge);
    b.at(merge);
    let mismatch = b.let_("mismatch", ne(img.field("owner"), p[1]));
    b.branch(mismatch, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let end = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let keyed = Provenance::element(param(3), Selection::Keyed(Box::new(param(4))), get);
    assert_eq!(facts.provenance_at(end, &op(img)), set([positional(param(0), pop), keyed]));
    assert_eq!(checked(&facts, end), BTreeSet::new());
}

// let mut pair = holder;                 // its fields are not tracked
// if flag { pair.0 = m.get(k) } else { }  // (and the mirror: written in the else branch)
// pair.0                                  // either value
#[test]
fn a_field_written_on_one_branch_keeps_both_values_after_the_join() {
    for written_in_then in [true, false] {
        let (mut b, p) = BodyBuilder::function(&["holder", "flag", "m", "k"]);
        let (then, otherwise, merge) = (b.block(), b.block(), b.block());
        let pair = b.let_("pair", use_(p[0]));
        b.branch(p[1], then, otherwise);
        b.at(if written_in_then { then } else { otherwise });
        let get = b.here();
        b.assign(pair.field("0"), method(p[2], "get", vec![op(p[3])]));
        b.goto(merge);
        b.at(if written_in_then { otherwise } else { then }).goto(merge);
        b.at(merge);
        let end = b.here();
        b.ret(pair.field("0"));
        let bodies = vec![b.finish()];

        let facts = analyze(&bodies);
        let keyed = Provenance::element(param(2), Selection::Keyed(Box::new(param(3))), get);
        let untouched = Provenance::part_of(param(0), "0");
        assert_eq!(facts.provenance_at(end, &op(pair.field("0"))), set([untouched, keyed]), "{written_in_then}");
    }
}

// let img = q.pop_front();
// if !is_owner(&img, &user) { return }      // a bool helper, negated
// let other = q.pop_front();
// assert_owner(&other, &user);              // a panicking helper
// let third = q.pop_front();
// check_owner(&third, &user).await?         // an async Result helper
#[test]
fn bool_panicking_and_async_check_helpers() {
    let (mut b, p) = BodyBuilder::function(&["q", "user"]);
    let (leave, pass, ok) = (b.block(), b.block(), b.block());
    let first_pop = b.here();
    let img = b.let_("img", method(p[0], "pop_front", vec![]));
    let img_ref = b.let_("img_ref", ref_(img));
    let owned = b.let_("owned", call("is_owner", vec![op(img_ref), op(p[1])]));
    let not_owned = b.let_("not_owned", not(owned));
    b.branch(not_owned, leave, pass);
    b.at(leave).diverge();
    b.at(pass);
    let second_pop = b.here();
    let other = b.let_("other", method(p[0], "pop_front", vec![]));
    let before_assert = b.here();
    b.let_("asserted", call("assert_owner", vec![op(other), op(p[1])]));
    let third_pop = b.here();
    let third = b.let_("third", method(p[0], "pop_front", vec![]));
    let future = b.let_("future", call("check_owner", vec![op(third), op(p[1])]));
    let result = b.let_("result", await_(future));
    b.switch_variant(result, &[("Result::Ok", ok)], Some(leave));
    b.at(ok);
    let end = b.here();
    b.ret(img);
    let bodies = vec![b.finish()];

    let facts = analyze(&bodies);
    let value = |site| positional(param(0), site);
    assert_eq!(checked(&facts, before_assert), set([value(first_pop)]));
    assert_eq!(checked(&facts, Location::new(leave, 0)), BTreeSet::new());
    assert_eq!(checked(&facts, end), set([value(first_pop), value(second_pop), value(third_pop)]));
}

// match cmd { b"A" | b"B" => user, _ => cmd }: each literal's comparison is a
// temporary read once by its switch; past it, no state carries it (a match on
// hundreds of literals made every block's state that large), while named locals stay.
#[test]
fn temporaries_die_after_their_last_read() {
    let (mut b, p) = BodyBuilder::function(&["cmd", "user"]);
    let (cmd, user) = (p[0], p[1]);
    let (second, yes, no) = (b.block(), b.block(), b.block());
    let kept = b.let_("kept", use_(user));
    let first_eq = b.temp();
    b.assign(first_eq, eq(cmd, int(1)));
    b.branch(first_eq, yes, second);
    b.at(second);
    let second_eq = b.temp();
    b.assign(second_eq, eq(cmd, int(2)));
    b.branch(second_eq, yes, no);
    b.at(yes);
    let at_yes = b.here();
    b.ret(kept);
    b.at(no).ret(cmd);
    let bodies = vec![b.finish()];

    let liveness = liveness::TempLiveness::new(&bodies[0]);
    assert!(liveness.dead_at_entry(BlockId(0), first_eq), "assigned before it is read");
    assert!(!liveness.dead_at_entry(second, cmd), "parameters are never dropped");
    assert!(liveness.dead_at_entry(second, first_eq), "read only by bb0's switch");
    assert!(liveness.dead_at_entry(yes, first_eq) && liveness.dead_at_entry(yes, second_eq));
    assert!(!liveness.dead_at_entry(yes, kept), "named locals are never dropped");

    let facts = analyze(&bodies);
    let state = facts.provenance.state_before(at_yes);
    let tracked: Vec<LocalId> = state.places().map(|(path, _)| path.local).collect();
    assert!(!tracked.contains(&first_eq) && !tracked.contains(&second_eq), "{tracked:?}");
    assert_eq!(facts.provenance_at(at_yes, &op(kept)), set([param(1)]));
    let conditions = facts.checks_at(at_yes).expect("reached").conditions;
    assert!(!conditions.contains_key(&first_eq) && !conditions.contains_key(&second_eq));
}

// A helper's summary as a transfer function: `fn take_at(&self, i) { self.queue.remove(i) }`
// returns `element(param 0 .queue, at param 1)`. Called as `s.take_at(idx)` with `idx`
// from `position(pred)`, it is the element the predicate found, keyed by that index,
// taken at the call; called with a plain number it is a positional take.
#[test]
fn a_helper_return_is_instantiated_with_the_call_arguments() {
    let helper_site = Location::new(BlockId::new(0), 0);
    let call_site = Location::new(BlockId::new(3), 1);
    let template =
        Provenance::element(Provenance::part_of(param(0), "queue"), Selection::At(Box::new(param(1))), helper_site);
    let server = param(0);
    let found = Provenance::IndexOf {
        of: Box::new(Provenance::part_of(server.clone(), "queue")),
        how: Selection::Predicate(Some(BodyId::new(1))),
        site: Location::new(BlockId::new(0), 4),
    };
    let by_index = template.instantiate(&[set([server.clone()]), set([found.clone()])], call_site);
    assert_eq!(
        by_index,
        set([Provenance::element(
            Provenance::part_of(server.clone(), "queue"),
            Selection::Keyed(Box::new(found)),
            call_site
        )])
    );
    let by_number = template.instantiate(&[set([server.clone()]), set([Provenance::Fresh])], call_site);
    assert_eq!(by_number, set([positional(Provenance::part_of(server, "queue"), call_site)]));
    // A term over something other than parameters and statics cannot be instantiated.
    assert!(
        !Provenance::element(Provenance::CallResult(helper_site), Selection::Positional, helper_site).is_transferable()
    );
}
