//! The dataflow's oracles over the type model: [`TypedCalls`] answers "what does this
//! call do to the values it is given" from the std model (through inference, so a
//! receiver's type decides, not its method's name), and [`VocabChecks`] answers "is
//! this call a requester check" from the vocabulary's check calls and the callee's
//! return type.

use crate::dataflow::{
    solve, CallEffect, CallModel, CheckEffect, CheckModel, CheckOutcome, HelperReturns, Location, NameCallModel,
    Provenance, ProvenanceAnalysis, SelectBy, Slot, StoreRead,
};
use crate::stores::sqlx::{sqlx_query, RowSelect, SqlxQuery, FETCH_METHODS};
use crate::types::facts::ScopeId;
use crate::types::infer::{call_effect_at, BodyTypes};
use crate::types::std_model::{CallName, Effect, Source, StdModel};
use crate::types::tables::TypeTables;
use crate::types::ty::Type;
use crate::types::user_bound::OwnerVocab;
use pairlint_base::ir::{Body, BodyId, Call, Callee, FileIr, LocalId, Operand, Terminator};
use pairlint_base::vocab::{List, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};

/// The std model's effects, as the provenance analysis wants them. Calls the model does
/// not resolve (crate fns, unknown receivers) are unknown: their results are
/// [`crate::dataflow::Provenance::CallResult`]s, which the flows layer reads through
/// the callee's summary.
pub struct TypedCalls<'a> {
    pub file: &'a FileIr,
    pub body: BodyId,
    pub types: &'a BodyTypes,
    pub captures: &'a [Type],
    pub tables: &'a TypeTables,
    pub scope: ScopeId,
    pub vocab: &'a Vocabulary,
    /// The inferred types of every body of the file (closures are read through).
    pub file_types: &'a crate::types::infer::FileTypes<'a>,
    /// How many closures deep this model reads.
    pub depth: usize,
    /// Call effects already computed, shared by every model of the crate.
    pub effects_memo: &'a std::cell::RefCell<std::collections::HashMap<usize, CallEffect>>,
    /// Closures already read, by what they were given (the solver asks again on every
    /// pass over the calling statement).
    pub closure_memo: std::cell::RefCell<BTreeMap<ClosureKey, Option<BTreeSet<Provenance>>>>,
    /// The crate's helper summaries, read as transfer functions at their call sites.
    pub helpers: Option<&'a dyn HelperSummaries>,
    /// Which names are owner-like (SQL columns are read with the same words as fields).
    pub owners: &'a OwnerVocab,
}

/// The crate helpers' summaries, as the call model reads them.
pub trait HelperSummaries {
    /// What the crate fn `call` resolves to returns, in terms of its parameters.
    fn helper_returns(&self, call: &Call, types: &BodyTypes) -> Option<HelperReturns>;
}

/// A closure and what its captures and argument held.
pub type ClosureKey = (BodyId, BTreeMap<LocalId, BTreeSet<Provenance>>, BTreeSet<Provenance>);

impl TypedCalls<'_> {
    /// The std model's effect for a method whose receiver place the tables can type.
    fn receiver_typed_effect(&self, call: &Call) -> Option<CallEffect> {
        let Callee::Method(name) = &call.callee else { return None };
        let Some(Operand::Place(place)) = &call.receiver else { return None };
        let ty = super::place_type(self.tables, place, self.types)?;
        let model = StdModel::get();
        let mut step = ty;
        for _ in 0..8 {
            if let Some(effect) = model.call_effect(&step, CallName::Method(name), call.args.len()) {
                return Some(translate(effect.effect, effect.from, call));
            }
            step = super::unwrap_one(&step)?;
        }
        None
    }

    /// Whether a crate method of this name could be the one called: any trait method
    /// (a trait may be implemented for anything), or an inherent one when the
    /// receiver's type is not known at all (it may be the crate's type). An inherent
    /// method of a crate type never applies to another crate's type.
    fn crate_method_may_apply(&self, name: &str, call: &Call) -> bool {
        let methods = self.tables.methods_named(name);
        if methods.iter().any(|m| m.trait_name.is_some()) {
            return true;
        }
        if methods.is_empty() {
            return false;
        }
        let Some(Operand::Place(place)) = &call.receiver else { return true };
        match super::place_type(self.tables, place, self.types).map(|t| super::unwrap_shared(&t)) {
            None | Some(Type::Unknown) => true,
            Some(_) => false,
        }
    }

    /// The receiver's type is unknown to the model (so a name is all there is).
    fn receiver_unknown(&self, call: &Call) -> bool {
        let Some(Operand::Place(place)) = &call.receiver else {
            return matches!(call.receiver, Some(Operand::Capture(_)));
        };
        match super::place_type(self.tables, place, self.types) {
            None => true,
            // A type of another crate the std model does not describe is as unknown
            // to the model as no type at all.
            Some(t) => match super::unwrap_shared(&t) {
                // `impl Into<UserId>`, `T: Borrow<K>`: only the bound's trait is known.
                Type::Unknown | Type::Unresolved { .. } | Type::Opaque { .. } | Type::Param(_) => true,
                t @ Type::Named { .. } => {
                    self.tables.struct_info(&t).is_none()
                        && self.tables.enum_info(&t).is_none()
                        && t.name().is_some_and(|n| StdModel::get().family_of_path(n).is_none() && n.contains("::"))
                }
                _ => false,
            },
        }
    }
}

impl TypedCalls<'_> {
    /// A method of a receiver the model cannot type: the vocabulary's lists decide
    /// (they are configurable, and documented in `rules/vocabulary.toml`); only strong
    /// positional takes count (`first()` on an unknown type may be anything's), and
    /// the std combinators keep their meaning.
    fn by_name(&self, name: &str, call: &Call, body: &Body) -> CallEffect {
        let has_arg = !call.args.is_empty();
        match name {
            "unwrap_or_else" | "or_else" if has_arg => return CallEffect::ReceiverOrElse(0),
            "unwrap_or" | "or" if has_arg => return CallEffect::ReceiverOrArgument(0),
            _ => {}
        }
        if self.vocab.is(List::StrongPositionalTakes, name) {
            return CallEffect::ElementOfReceiver(SelectBy::Positional);
        }
        if has_arg && self.vocab.is(List::KeyedLookups, name) {
            return match name {
                "find" | "find_map" => CallEffect::ElementOfReceiver(SelectBy::Predicate { predicate: 0 }),
                "position" => CallEffect::IndexInReceiver(SelectBy::Predicate { predicate: 0 }),
                _ => CallEffect::ElementOfReceiver(SelectBy::Keyed { key: 0 }),
            };
        }
        match NameCallModel.effect(call, body) {
            // Weak positional names (`first`, `next`) say nothing about an unknown type.
            CallEffect::ElementOfReceiver(SelectBy::Positional) => CallEffect::Unknown,
            other => other,
        }
    }
}

/// How deep closures are read through inside each other (`map(|a| a.map(|b| ..))`).
const MAX_CLOSURE_DEPTH: usize = 4;

impl TypedCalls<'_> {
    /// The call's sqlx query (see [`crate::stores::sqlx`]); a bare `query(..)` only
    /// when the crate has no fn of that name.
    pub fn sqlx_query(&self, call: &Call) -> Option<SqlxQuery> {
        let bare = match &call.callee {
            Callee::Path(segments) if segments.len() == 1 => self.tables.fns_named(&segments[0]).is_empty(),
            _ => false,
        };
        sqlx_query(call, bare)
    }

    /// The sqlx query a method's receiver was made by (`query_as!(..).fetch_one(..)`,
    /// or through a local assigned once).
    fn receiver_query(&self, call: &Call, body: &Body) -> Option<SqlxQuery> {
        let Some(Operand::Place(place)) = &call.receiver else { return None };
        let local = place.base_local().filter(|_| place.projections.is_empty())?;
        let mut defs = body.blocks.iter().flat_map(|b| &b.stmts).filter(|s| s.dest.base_local() == Some(local));
        let def = defs.next()?;
        if defs.next().is_some() || !def.dest.projections.is_empty() {
            return None;
        }
        match &def.value {
            pairlint_base::ir::Rvalue::Call(query) => self.sqlx_query(query),
            _ => None,
        }
    }
}

impl CallModel for TypedCalls<'_> {
    fn store_read(&self, call: &Call, _body: &Body) -> Option<StoreRead> {
        let query = self.sqlx_query(call)?;
        let is_owner = |c: &str| self.owners.is_owner_field(c);
        let store = Provenance::Static(query.store()?);
        Some(match query.row_select(call.args.len(), &is_owner)? {
            RowSelect::Keyed { arg, column, .. } => {
                StoreRead { of: Provenance::part_of(store, &column), by: SelectBy::Keyed { key: arg } }
            }
            RowSelect::Positional => StoreRead { of: store, by: SelectBy::Positional },
        })
    }

    fn helper_returns(&self, call: &Call, _body: &Body) -> Option<HelperReturns> {
        self.helpers?.helper_returns(call, self.types)
    }

    fn effect(&self, call: &Call, body: &Body) -> CallEffect {
        // A call's effect depends on the call alone (the types are fixed), and the
        // solver and the flows ask again for every pass: keyed by the call's address in
        // the crate's IR, which does not move while the crate is analysed.
        let key = call as *const Call as usize;
        if let Some(known) = self.effects_memo.borrow().get(&key) {
            return *known;
        }
        let effect = self.effect_of(call, body);
        self.effects_memo.borrow_mut().insert(key, effect);
        effect
    }

    fn closure_result(
        &self,
        closure: BodyId,
        captures: &BTreeMap<LocalId, BTreeSet<Provenance>>,
        argument: &BTreeSet<Provenance>,
    ) -> Option<BTreeSet<Provenance>> {
        if self.depth >= MAX_CLOSURE_DEPTH {
            return None;
        }
        let key = (closure, captures.clone(), argument.clone());
        if let Some(known) = self.closure_memo.borrow().get(&key) {
            return known.clone();
        }
        let result = self.read_closure(closure, captures, argument);
        self.closure_memo.borrow_mut().insert(key, result.clone());
        result
    }
}

impl TypedCalls<'_> {
    fn read_closure(
        &self,
        closure: BodyId,
        captures: &BTreeMap<LocalId, BTreeSet<Provenance>>,
        argument: &BTreeSet<Provenance>,
    ) -> Option<BTreeSet<Provenance>> {
        let body = self.file.bodies.get(closure.index())?;
        if body.params == 0 {
            return None;
        }
        let calls = TypedCalls {
            file: self.file,
            body: closure,
            types: self.file_types.get(closure.index())?,
            captures: &self.types.locals,
            tables: self.tables,
            scope: self.scope,
            vocab: self.vocab,
            file_types: self.file_types,
            depth: self.depth + 1,
            closure_memo: Default::default(),
            effects_memo: self.effects_memo,
            helpers: self.helpers,
            owners: self.owners,
        };
        let results = solve(ProvenanceAnalysis::new(body, &calls).with_captures(captures.clone()), body);
        let param = Provenance::ClosureParam(LocalId::new(0));
        let mut out = BTreeSet::new();
        for block in body.block_ids() {
            let bb = body.block(block);
            let Terminator::Return(op) = &bb.term else { continue };
            let location = Location::new(block, bb.stmts.len());
            let state = results.state_before(location);
            for p in results.analysis.operand(&state, op, location) {
                for a in argument {
                    out.insert(p.substitute(&param, a));
                }
            }
        }
        Some(out)
    }
}

impl TypedCalls<'_> {
    fn effect_of(&self, call: &Call, body: &Body) -> CallEffect {
        if let Callee::Method(name) = &call.callee {
            // Running a query: its row (or an `Option` of it) is what the query
            // selected. `fetch_all`'s rows are a list, not one person's item (a post's
            // comments by its id are usually public, or guarded at the post), and
            // `execute` gives a count.
            if (FETCH_METHODS.contains(&name.as_str()) || name == "execute")
                && self.receiver_query(call, body).is_some()
            {
                return if name == "execute" || name == "fetch_all" {
                    CallEffect::Fresh
                } else {
                    CallEffect::ReturnsReceiver
                };
            }
        }
        if let Callee::Macro(name) = &call.callee {
            // `format!` renders its arguments into the value it makes; the other
            // macros the lowering keeps (printing, assertions) give `()`.
            return if name == "format" || name == "format_args" { CallEffect::Arguments } else { CallEffect::Fresh };
        }
        match call_effect_at(self.file, self.body, self.types, self.captures, call, self.tables, self.scope) {
            Some(effect) => translate(effect.effect, effect.from, call),
            // A method nothing resolved (the receiver's type is unknown: a library
            // type the model lacks, an unannotated closure parameter) and that no
            // crate type declares: library semantics by name. A crate method of that
            // name (`collect`, `take` on a crate type) is never taken for std's.
            // Inference could not type the receiver, but its place can be typed
            // through the struct tables (a field behind a framework's state wrapper).
            None if self.receiver_typed_effect(call).is_some() => {
                self.receiver_typed_effect(call).unwrap_or(CallEffect::Unknown)
            }
            None => match &call.callee {
                // Response builders that carry their argument (`.json(img)`,
                // `Json::from(img)`), as the vocabulary's output wrappers name them.
                Callee::Method(_) | Callee::Path(_)
                    if !call.args.is_empty()
                        && self.vocab.is(List::OutputWrappers, call.callee.name())
                        && self.tables.methods_named(call.callee.name()).is_empty()
                        && self.tables.fns_named(call.callee.name()).is_empty() =>
                {
                    CallEffect::ReturnsArgument(0)
                }
                Callee::Method(name) if self.receiver_unknown(call) && !self.crate_method_may_apply(name, call) => {
                    self.by_name(name, call, body)
                }
                _ => CallEffect::Unknown,
            },
        }
    }
}

fn translate(effect: Effect, from: Source, call: &Call) -> CallEffect {
    let on_receiver = from == Source::Receiver && call.receiver.is_some();
    match effect {
        Effect::TakesPositional if on_receiver => CallEffect::ElementOfReceiver(SelectBy::Positional),
        Effect::TakesKeyed if on_receiver => CallEffect::ElementOfReceiver(SelectBy::Keyed { key: 0 }),
        Effect::SelectsByPredicate if on_receiver => {
            CallEffect::ElementOfReceiver(SelectBy::Predicate { predicate: call.args.len().saturating_sub(1) })
        }
        Effect::IndexOfSelected if on_receiver => {
            CallEffect::IndexInReceiver(SelectBy::Predicate { predicate: call.args.len().saturating_sub(1) })
        }
        Effect::LookThrough => match from {
            Source::Receiver if call.receiver.is_some() => CallEffect::ReturnsReceiver,
            Source::Arg(i) => CallEffect::ReturnsArgument(usize::from(i)),
            Source::Receiver => CallEffect::Unknown,
        },
        Effect::MapsValue if on_receiver => CallEffect::MapReceiver(call.args.len().saturating_sub(1)),
        Effect::Or if on_receiver => CallEffect::ReceiverOrArgument(0),
        Effect::OrElse if on_receiver => CallEffect::ReceiverOrElse(call.args.len().saturating_sub(1)),
        // `send(item)`'s own result is a `Result<(), _>`, never the item again.
        Effect::Fresh | Effect::Output | Effect::Stores | Effect::Swaps => CallEffect::Fresh,
        _ => CallEffect::Unknown,
    }
}

/// Check helpers named by the vocabulary's `check_calls` (`verify_owner`,
/// `authorize`...). The checked operand is the first one that is not the requester's
/// identity (the caller passes which operands are); how a mismatch is reported comes
/// from the callee's return type when the crate declares it.
pub struct VocabChecks<'a> {
    pub vocab: &'a Vocabulary,
    pub tables: &'a TypeTables,
}

impl CheckModel for VocabChecks<'_> {
    fn check_effect(&self, call: &Call, _body: &Body) -> Option<CheckEffect> {
        if matches!(call.callee, Callee::Macro(_) | Callee::Value(_)) {
            return None;
        }
        let name = call.callee.name();
        if !self.vocab.starts_with(List::CheckCalls, name) {
            return None;
        }
        let declared = match &call.callee {
            Callee::Method(_) => self.tables.methods_named(name),
            _ => self.tables.fns_named(name),
        };
        let outcome = match declared.first().map(|f| f.ret.clone()) {
            Some(Type::Named { name, .. }) if name == "bool" => CheckOutcome::ReturnsBool,
            Some(Type::Tuple(t)) if t.is_empty() => CheckOutcome::Panics,
            _ => CheckOutcome::ReturnsResult,
        };
        // `img.verify(&user)`: the receiver is checked; `verify(&img, &user)` the first
        // argument, `session.authorize(&img)` (a session knows its requester) too.
        let checked = match (&call.callee, &call.receiver) {
            (Callee::Method(_), Some(_)) if call.args.len() == 1 => Slot::Receiver,
            _ => Slot::Arg(0),
        };
        let identity = match checked {
            Slot::Receiver => Some(Slot::Arg(0)),
            Slot::Arg(_) if call.args.len() >= 2 => Some(Slot::Arg(1)),
            Slot::Arg(_) => None,
        };
        Some(CheckEffect { checked, identity, outcome })
    }
}
