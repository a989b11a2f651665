//! The owner-checked must-fact: which values are known, on every path to a point, to
//! have been compared with the requester's identity in a way whose failing outcome
//! leaves (`if img.owner != user { return Err(..) }`, `check_owner(&img, &user)?`, or an
//! element chosen by `find(|s| s.owner == user)`).
//!
//! Lattice: states are ordered by *reverse* inclusion of their facts (knowing less is
//! higher), so the join is intersection. Its bottom is `None`, "unreached": vacuously
//! every fact holds there (the full set of facts, the top of the powerset), and it is
//! the identity of the join, so a block no path reaches (or the edge a literal
//! condition never takes) never weakens a merge. Join intersects, so a check on one branch only does not survive the merge, and `a || b`
//! lowered as branches is handled soundly without special cases: the passing block is
//! reached by two edges and keeps only what both establish. Checked values are
//! [`Provenance`] terms (from the provenance analysis), so a fact established on `img`
//! also holds for `Some(img)`, `img.clone()`, or a reference to it.
//!
//! Transfer:
//! - a statement `c = Eq(a, b)` / `Ne(a, b)`, where one side is an owner-like field of
//!   exactly one value `v` and the other derives only from the requester identity (the
//!   caller's vocabulary decides both), records a [`Condition`] on `c`: "if true (for
//!   `Eq`; false for `Ne`), `v` is checked". `!c`, copies and look-through calls carry
//!   conditions; any other write of `c` drops its condition;
//! - the edge of a `SwitchBool` on `c` (or of a `SwitchVariant` on a checking call's
//!   `Result`: the `Ok` edge) adds the condition's values; the edge a constant condition
//!   never takes is unreached;
//! - a check helper ([`CheckModel`]) either records a condition on its result (bool or
//!   `Result`) or, when it panics on failure, checks its argument at once;
//! - a predicate selection whose closure returns true only when its parameter passed
//!   such a comparison checks the element it selects;
//! - a statement that creates values (a call site, an index) drops every fact about the
//!   values its previous execution created. The must-join already guarantees this (the
//!   path on which the site runs for the first time knows nothing of its values), so it
//!   is a guard that keeps the invariant local and visible.
//!
//! Known imprecision (sound, but it loses checks): a comparison whose owner side may be
//! the owner field of several values proves nothing; a check inside a predicate
//! closure counts only on the closure's first parameter itself (not `|(i, s)|`).
//! Known unsoundness, shared with the provenance abstraction: a value kept from an
//! earlier loop iteration has the same name as the current iteration's value.
//!
//! Every transfer is monotone (adding facts to the input only adds facts to the
//! output), and the facts are drawn from the finite provenance terms of the body, so
//! the solver terminates.

use super::framework::{reverse_postorder, solve, Analysis, Location, Results};
use super::liveness::TempLiveness;
use super::provenance::{const_bool, CallEffect, Provenance, ProvenanceAnalysis, ProvenanceState, Selection};
use pairlint_base::ir::{
    AggregateKind, BinOp, Body, BodyId, Call, FileIr, LocalId, Operand, Place, Projection, Rvalue, Stmt, Terminator,
    UnOp,
};
use std::collections::{BTreeMap, BTreeSet};

/// How deep predicate closures are analysed inside each other (a guard against a
/// malformed lowering whose closures refer to themselves).
const MAX_CLOSURE_NESTING: usize = 4;

/// Bodies by id, for the closures a body refers to.
pub trait Bodies {
    fn body(&self, id: BodyId) -> Option<&Body>;
}

impl Bodies for FileIr {
    fn body(&self, id: BodyId) -> Option<&Body> {
        self.bodies.get(id.index())
    }
}

impl Bodies for Vec<Body> {
    fn body(&self, id: BodyId) -> Option<&Body> {
        self.get(id.index())
    }
}

/// The words that make a comparison a requester check; the vocabulary decides them.
#[derive(Clone, Copy)]
pub struct CheckVocabulary<'v> {
    /// Is a field with this name an owner-like field (`owner`, `applicant`, `locked_by`)?
    pub is_owner_field: &'v dyn Fn(&str) -> bool,
    /// Does a value of this provenance identify the requester (`user`, `cmd.card_id`)?
    pub is_identity: &'v dyn Fn(&Provenance) -> bool,
}

/// Which operand of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Receiver,
    Arg(usize),
}

/// How a check helper reports a mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// It panics (or never returns): after the call, the value is checked.
    Panics,
    /// It returns `true` when the value belongs to the requester.
    ReturnsBool,
    /// It returns `Ok` when the value belongs to the requester.
    ReturnsResult,
}

/// What a check helper does, from its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckEffect {
    /// The operand whose owner is checked.
    pub checked: Slot,
    /// The operand holding the requester identity; `None` when the helper finds the
    /// requester itself (a session method).
    pub identity: Option<Slot>,
    pub outcome: CheckOutcome,
}

/// The oracle for check helpers (the crate's fn summaries and the vocabulary's
/// `check_calls` implement it).
pub trait CheckModel {
    fn check_effect(&self, call: &Call, body: &Body) -> Option<CheckEffect>;
}

/// A [`CheckModel`] that knows no check helpers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCheckHelpers;

impl CheckModel for NoCheckHelpers {
    fn check_effect(&self, _call: &Call, _body: &Body) -> Option<CheckEffect> {
        None
    }
}

/// Values checked in one outcome of a condition; `None` when that outcome cannot
/// happen (a literal `false` is never true), which vacuously checks everything.
pub type Facts = Option<BTreeSet<Provenance>>;

/// What is known if a local holding a bool (or a checking call's `Result`) turns out
/// true (`Ok`) or false (`Err`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub kind: ConditionKind,
    pub when_true: Facts,
    pub when_false: Facts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    /// A `bool`: branched on by `SwitchBool`.
    Bool,
    /// A `Result` of a check helper: `Ok` is true, branched on by `SwitchVariant`.
    Result,
}

impl Condition {
    fn passing(kind: ConditionKind, checked: BTreeSet<Provenance>) -> Self {
        Condition { kind, when_true: Some(checked), when_false: Some(BTreeSet::new()) }
    }

    fn negated(&self) -> Self {
        Condition { kind: self.kind, when_true: self.when_false.clone(), when_false: self.when_true.clone() }
    }

    fn constant(value: bool) -> Self {
        let (when_true, when_false) = if value { (Some(BTreeSet::new()), None) } else { (None, Some(BTreeSet::new())) };
        Condition { kind: ConditionKind::Bool, when_true, when_false }
    }

    /// Facts that hold on both paths: intersection, with `None` as the top.
    fn join(&self, other: &Condition) -> Option<Condition> {
        (self.kind == other.kind).then(|| Condition {
            kind: self.kind,
            when_true: meet_facts(&self.when_true, &other.when_true),
            when_false: meet_facts(&self.when_false, &other.when_false),
        })
    }

    fn forget_site(&mut self, site: Location) {
        for facts in [&mut self.when_true, &mut self.when_false].into_iter().flatten() {
            facts.retain(|p| !p.mentions_site(site));
        }
    }
}

fn meet_facts(a: &Facts, b: &Facts) -> Facts {
    match (a, b) {
        (None, other) | (other, None) => other.clone(),
        (Some(a), Some(b)) => Some(a.intersection(b).cloned().collect()),
    }
}

/// The state of a reached point: the checked values, and the pending conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckState {
    pub checked: BTreeSet<Provenance>,
    pub conditions: BTreeMap<LocalId, Condition>,
}

impl CheckState {
    /// Is the value `p` itself checked? So are an element taken by an index that a
    /// checked predicate found in the same collection (`v.remove(v.iter().position(pred)?)`)
    /// and an element taken from a checked predicate's selection
    /// (`v.iter().filter(pred).next()`).
    pub fn is_checked(&self, p: &Provenance) -> bool {
        if self.checked.contains(p) {
            return true;
        }
        match p {
            Provenance::Element { of, how: Selection::Keyed(key), .. } => {
                matches!(&**key, Provenance::IndexOf { of: indexed, .. } if indexed == of) && self.checked.contains(key)
            }
            Provenance::Element { of, how: Selection::Positional, .. } => {
                matches!(&**of, Provenance::Element { how: Selection::Predicate(_), .. }) && self.checked.contains(of)
            }
            _ => false,
        }
    }

    /// Is `p` checked, or a part of a checked value (`img.pdf` after `img` was checked)?
    pub fn is_checked_or_part_of_checked(&self, p: &Provenance) -> bool {
        match p {
            _ if self.is_checked(p) => true,
            Provenance::PartOf { whole, .. } => self.is_checked_or_part_of_checked(whole),
            _ => false,
        }
    }

    fn forget_site(&mut self, site: Location) {
        self.checked.retain(|p| !p.mentions_site(site));
        for condition in self.conditions.values_mut() {
            condition.forget_site(site);
        }
    }
}

/// What a statement does to the check state, computed once from the provenance results.
#[derive(Debug, Clone, Default)]
struct StmtEffect {
    /// The local the statement overwrites as a whole (its condition is replaced).
    dest: Option<LocalId>,
    condition: ConditionSource,
    /// Values checked as soon as the statement ran.
    checks_now: BTreeSet<Provenance>,
}

#[derive(Debug, Clone, Default)]
enum ConditionSource {
    #[default]
    None,
    New(Condition),
    /// A literal bool: on its side it carries what is checked where it is assigned,
    /// so a bool materialised on each branch (`matches!(.., Some(c) if c == user)`,
    /// `let ok = if .. { true } else { false }`) keeps what each branch knew when the
    /// branches join.
    Constant(bool),
    /// `Ok(..)` (true) or `Err(..)` (false), the same for a `Result`.
    ResultConstant(bool),
    /// The condition of another local, negated or not (`!c`, `c`, `c.map_err(..)`).
    CopyOf {
        local: LocalId,
        negate: bool,
    },
}

/// The owner-check must-analysis of one body.
pub struct OwnerCheck {
    effects: BTreeMap<Location, StmtEffect>,
    /// Conditions held by dead temporaries are dropped on edges (see [`TempLiveness`]).
    liveness: std::rc::Rc<TempLiveness>,
}

/// The models and vocabulary the analysis consults.
#[derive(Clone, Copy)]
pub struct CheckInputs<'a> {
    pub bodies: &'a dyn Bodies,
    pub checks: &'a dyn CheckModel,
    pub vocabulary: CheckVocabulary<'a>,
}

impl OwnerCheck {
    /// Prepares the analysis from the body's solved provenance.
    pub fn new(provenance: &Results<'_, ProvenanceAnalysis<'_>>, inputs: CheckInputs<'_>) -> Self {
        Self::nested(provenance, inputs, 0)
    }

    fn nested(provenance: &Results<'_, ProvenanceAnalysis<'_>>, inputs: CheckInputs<'_>, nesting: usize) -> Self {
        let body = provenance.body;
        let mut effects = BTreeMap::new();
        let classifier = Classifier { provenance: &provenance.analysis, inputs, nesting };
        for block in reverse_postorder(body) {
            provenance.walk_block(block, |location, state, stmt| {
                effects.insert(location, classifier.effect(state, stmt, location));
            });
        }
        OwnerCheck { effects, liveness: provenance.analysis.liveness().clone() }
    }
}

/// Computes statement effects from the provenance state before each statement.
struct Classifier<'p, 'a, 'i> {
    provenance: &'p ProvenanceAnalysis<'a>,
    inputs: CheckInputs<'i>,
    nesting: usize,
}

impl Classifier<'_, '_, '_> {
    fn effect(&self, state: &ProvenanceState, stmt: &Stmt, location: Location) -> StmtEffect {
        let dest = stmt.dest.projections.is_empty().then(|| stmt.dest.base_local()).flatten();
        let mut effect = StmtEffect { dest, ..StmtEffect::default() };
        let operand = |op: &Operand| self.provenance.operand(state, op, location);
        match &stmt.value {
            Rvalue::BinaryOp(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
                let checked = self.compared_with_identity(&operand(a), &operand(b));
                if let Some(checked) = checked {
                    let condition = Condition::passing(ConditionKind::Bool, checked);
                    effect.condition =
                        ConditionSource::New(if *op == BinOp::Eq { condition } else { condition.negated() });
                }
            }
            Rvalue::UnaryOp(UnOp::Not, Operand::Place(place)) => {
                if let Some(local) = bare_local(place) {
                    effect.condition = ConditionSource::CopyOf { local, negate: true };
                }
            }
            Rvalue::UnaryOp(UnOp::Not, op) => {
                if let Some(value) = const_bool(op) {
                    effect.condition = ConditionSource::Constant(!value);
                }
            }
            Rvalue::Use(op) | Rvalue::Await(op) => match (op, const_bool(op)) {
                (_, Some(value)) => effect.condition = ConditionSource::Constant(value),
                (Operand::Place(place), None) => {
                    if let Some(local) = bare_local(place) {
                        effect.condition = ConditionSource::CopyOf { local, negate: false };
                    }
                }
                _ => {}
            },
            Rvalue::Call(call) => self.call_effect(state, stmt, call, location, &mut effect),
            // `Ok(..)` / `Err(..)` built on one branch and returned after a join: like
            // a literal bool, each side carries what was checked where it was built.
            Rvalue::Aggregate { kind: AggregateKind::Variant(path), .. } => match path.last().map(String::as_str) {
                Some("Ok") => effect.condition = ConditionSource::ResultConstant(true),
                Some("Err") => effect.condition = ConditionSource::ResultConstant(false),
                _ => {}
            },
            _ => {}
        }
        effect
    }

    fn call_effect(
        &self,
        state: &ProvenanceState,
        stmt: &Stmt,
        call: &Call,
        location: Location,
        effect: &mut StmtEffect,
    ) {
        let body = self.provenance.body();
        if let Some(check) = self.inputs.checks.check_effect(call, body) {
            let slot = |slot: Slot| match slot {
                Slot::Receiver => call.receiver.as_ref(),
                Slot::Arg(i) => call.args.get(i),
            };
            let provenance = |op: Option<&Operand>| match op {
                Some(op) => self.provenance.operand(state, op, location),
                None => BTreeSet::new(),
            };
            // One value, or the one value a single take made (see `same_take`).
            let operand = provenance(slot(check.checked));
            let checked = (operand.len() == 1 || same_take(&operand)).then_some(operand);
            let identity_ok = match check.identity {
                Some(identity) => self.is_identity(&provenance(slot(identity))),
                None => true,
            };
            if let (Some(checked), true) = (checked, identity_ok) {
                match check.outcome {
                    CheckOutcome::Panics => {
                        effect.checks_now.extend(checked);
                    }
                    CheckOutcome::ReturnsBool => {
                        effect.condition = ConditionSource::New(Condition::passing(ConditionKind::Bool, checked));
                    }
                    CheckOutcome::ReturnsResult => {
                        effect.condition = ConditionSource::New(Condition::passing(ConditionKind::Result, checked));
                    }
                }
                return;
            }
        }
        match self.provenance.call_effect(call) {
            CallEffect::ReturnsReceiver => {
                // `check(..).map_err(..)?`, `ok.clone()`: the outcome is the receiver's.
                if let Some(local) = call.receiver.as_ref().and_then(operand_local) {
                    effect.condition = ConditionSource::CopyOf { local, negate: false };
                }
            }
            CallEffect::ElementOfReceiver(_) | CallEffect::IndexInReceiver(_) => {
                let after = self.provenance.after(state, stmt, location);
                let selected = self.provenance.place(&after, &stmt.dest, location);
                for value in selected {
                    let (Provenance::Element { how: Selection::Predicate(Some(closure)), site, .. }
                    | Provenance::IndexOf { how: Selection::Predicate(Some(closure)), site, .. }) = &value
                    else {
                        continue;
                    };
                    if *site == location && self.predicate_checks_its_argument(*closure, state) {
                        effect.checks_now.insert(value);
                    }
                }
            }
            _ => {}
        }
    }

    /// If one side is an owner-like field of exactly one value and the other side is
    /// the requester identity, that value.
    fn compared_with_identity(
        &self,
        a: &BTreeSet<Provenance>,
        b: &BTreeSet<Provenance>,
    ) -> Option<BTreeSet<Provenance>> {
        let owner_of = |side: &BTreeSet<Provenance>| -> Option<BTreeSet<Provenance>> {
            // Every possible value must be an owner field of the same value: if the side
            // may be `x.owner` or `y.owner`, the comparison proves nothing about either.
            // Terms that differ only in the key of one take (`remove(&t)` where `t` had
            // two origins) name the one value that call made: all are checked.
            let owners: BTreeSet<Provenance> = side.iter().map(|p| self.owner_field_of(p)).collect::<Option<_>>()?;
            if owners.len() == 1 || same_take(&owners) {
                Some(owners)
            } else {
                None
            }
        };
        if let (Some(value), true) = (owner_of(a), self.is_identity(b)) {
            return Some(value);
        }
        if let (Some(value), true) = (owner_of(b), self.is_identity(a)) {
            return Some(value);
        }
        None
    }

    /// The value an owner-like field was read from: `img` for `img.owner` and for
    /// `img.owner.id` (fields read from the owner field are still the owner).
    fn owner_field_of(&self, p: &Provenance) -> Option<Provenance> {
        let Provenance::PartOf { whole, field } = p else {
            return None;
        };
        if (self.inputs.vocabulary.is_owner_field)(field) {
            return Some((**whole).clone());
        }
        self.owner_field_of(whole)
    }

    /// Whether every value the side may hold identifies the requester.
    fn is_identity(&self, side: &BTreeSet<Provenance>) -> bool {
        !side.is_empty() && side.iter().all(|p| (self.inputs.vocabulary.is_identity)(p))
    }

    /// Whether the closure `id` returns true only when its first parameter's owner
    /// matched the requester. Its captures are resolved in `parent_state`, so a
    /// captured `user` is the parent's identity.
    fn predicate_checks_its_argument(&self, id: BodyId, parent_state: &ProvenanceState) -> bool {
        if self.nesting >= MAX_CLOSURE_NESTING {
            return false;
        }
        let Some(closure) = self.inputs.bodies.body(id) else {
            return false;
        };
        if closure.params == 0 {
            return false;
        }
        let captures = parent_state.locals();
        let analysis = ProvenanceAnalysis::new(closure, self.provenance.call_model()).with_captures(captures);
        let provenance = solve(analysis, closure);
        let checks = solve(OwnerCheck::nested(&provenance, self.inputs, self.nesting + 1), closure);
        let parameter = Provenance::ClosureParam(LocalId::new(0));
        reverse_postorder(closure).into_iter().all(|block| {
            let Terminator::Return(returned) = &closure.block(block).term else {
                return true;
            };
            let Some(state) = checks.state_before_terminator(block) else {
                return true;
            };
            if state.is_checked(&parameter) {
                return true;
            }
            let when_true = match (const_bool(returned), operand_local(returned)) {
                (Some(false), _) => return true,
                (None, Some(local)) => state.conditions.get(&local).map(|c| c.when_true.clone()),
                _ => None,
            };
            match when_true {
                Some(None) => true,
                Some(Some(facts)) => facts.contains(&parameter),
                None => false,
            }
        })
    }
}

/// Whether every term is an element made by one and the same take: one call site
/// makes one value each time it runs, whatever its collection or key may have been
/// (`lock().unwrap_or_else(|e| e.into_inner())` gives the guard two origins).
fn same_take(terms: &BTreeSet<Provenance>) -> bool {
    let mut sites = terms.iter().map(|p| match p {
        Provenance::Element { site, .. } => Some(site),
        _ => None,
    });
    let Some(Some(first)) = sites.next() else { return false };
    sites.all(|s| s == Some(first))
}

/// The local a place is, if it is a whole local (conditions live on whole locals).
fn bare_local(place: &Place) -> Option<LocalId> {
    if place.projections.iter().all(|p| *p == Projection::Deref) {
        place.base_local()
    } else {
        None
    }
}

fn operand_local(op: &Operand) -> Option<LocalId> {
    match op {
        Operand::Place(place) => bare_local(place),
        _ => None,
    }
}

impl Analysis for OwnerCheck {
    type Domain = Option<CheckState>;

    fn entry(&self, _body: &Body) -> Option<CheckState> {
        Some(CheckState::default())
    }

    fn bottom(&self) -> Option<CheckState> {
        None
    }

    fn join(&self, into: &mut Option<CheckState>, other: &Option<CheckState>) -> bool {
        let Some(other) = other else {
            return false;
        };
        let Some(current) = into else {
            *into = Some(other.clone());
            return true;
        };
        let checked: BTreeSet<Provenance> = current.checked.intersection(&other.checked).cloned().collect();
        let conditions: BTreeMap<LocalId, Condition> = current
            .conditions
            .iter()
            .filter_map(|(local, mine)| {
                let theirs = other.conditions.get(local)?;
                Some((*local, mine.join(theirs)?))
            })
            .collect();
        let joined = CheckState { checked, conditions };
        let changed = joined != *current;
        *current = joined;
        changed
    }

    fn transfer_stmt(&self, state: &mut Option<CheckState>, _stmt: &Stmt, location: Location) {
        let Some(state) = state else {
            return;
        };
        state.forget_site(location);
        let Some(effect) = self.effects.get(&location) else {
            return;
        };
        if let Some(dest) = effect.dest {
            let condition = match &effect.condition {
                ConditionSource::None => None,
                ConditionSource::New(condition) => Some(condition.clone()),
                ConditionSource::Constant(value) | ConditionSource::ResultConstant(value) => {
                    let mut condition = Condition::constant(*value);
                    if matches!(effect.condition, ConditionSource::ResultConstant(_)) {
                        condition.kind = ConditionKind::Result;
                    }
                    for facts in [&mut condition.when_true, &mut condition.when_false].into_iter().flatten() {
                        facts.clone_from(&state.checked);
                    }
                    Some(condition)
                }
                ConditionSource::CopyOf { local, negate } => {
                    state.conditions.get(local).map(|c| if *negate { c.negated() } else { c.clone() })
                }
            };
            match condition {
                Some(condition) => state.conditions.insert(dest, condition),
                None => state.conditions.remove(&dest),
            };
        }
        state.checked.extend(effect.checks_now.iter().cloned());
    }

    fn transfer_edge(&self, state: &Option<CheckState>, term: &Terminator, successor: usize) -> Option<CheckState> {
        let state = state.as_ref()?;
        let outcome = match term {
            Terminator::SwitchBool { cond, .. } => {
                if let Some(value) = const_bool(cond) {
                    // The edge a literal condition never takes is unreached.
                    let taken = value == (successor == 0);
                    return taken.then(|| state.clone());
                }
                operand_local(cond).and_then(|local| {
                    let condition = state.conditions.get(&local).filter(|c| c.kind == ConditionKind::Bool)?;
                    Some(if successor == 0 { &condition.when_true } else { &condition.when_false })
                })
            }
            Terminator::SwitchVariant { scrutinee, targets, .. } => bare_local(scrutinee).and_then(|local| {
                let condition = state.conditions.get(&local).filter(|c| c.kind == ConditionKind::Result)?;
                let variant = |name: &str| name.rsplit("::").next().unwrap_or(name).to_string();
                let names: Vec<String> = targets.iter().map(|(name, _)| variant(name)).collect();
                let taken = match names.get(successor) {
                    Some(name) => name.clone(),
                    // The `otherwise` edge is the variant not listed, when exactly one is.
                    None => match names.as_slice() {
                        [only] if only == "Ok" => "Err".to_string(),
                        [only] if only == "Err" => "Ok".to_string(),
                        _ => return None,
                    },
                };
                match taken.as_str() {
                    "Ok" => Some(&condition.when_true),
                    "Err" => Some(&condition.when_false),
                    _ => None,
                }
            }),
            _ => None,
        };
        let mut next = state.clone();
        if let Some(&target) = term.successors().get(successor) {
            next.conditions.retain(|local, _| !self.liveness.dead_at_entry(target, *local));
        }
        match outcome {
            Some(None) => return None,
            Some(Some(facts)) => next.checked.extend(facts.iter().cloned()),
            None => {}
        }
        Some(next)
    }
}
