//! Provenance: for every place, what its value may be derived from (a parameter, an
//! element taken from a collection, a part of another value, a call's result...). A
//! may-analysis over def-use: the rules ask "is this output the item taken at the
//! head of `self.queue`?" and "which value did this owner field belong to?".
//!
//! Lattice: a map from tracked places ([`PlacePath`]: a local and the field names
//! written under it) to sets of [`Provenance`], ordered pointwise by inclusion; join is
//! union, bottom is the empty map. Provenance terms are built from the body's finite
//! parameters, statics, field names, call sites and closures and are cut at
//! [`MAX_DEPTH`] (deeper terms become [`Provenance::Unknown`]), so the lattice is finite
//! and the solver terminates.
//!
//! Transfer: an assignment replaces the destination's set (a strong update; writing a
//! local forgets what was tracked under its fields) with the value's provenance:
//! - moves, copies, references, `.await`, single-payload wrapping (`Some(x)`, `Ok(x)`)
//!   and reads of a variant's payload (`(x as Some).0`) keep it;
//! - a field read is [`Provenance::PartOf`] the value read from (a field of an element
//!   is not the element), unless the field itself was written (`t.0 = x`, `S { f: x }`),
//!   in which case it is what was written there;
//! - an index is an element: `v[0]` positional, `m[k]` keyed by `k`'s provenance;
//! - arithmetic and opaque expressions are [`Provenance::Derived`]; comparisons,
//!   negations and literals are [`Provenance::Fresh`];
//! - a call asks the [`CallModel`] (the type model's API data, or the
//!   [`NameCallModel`] stand-in). Each value-creating call site is named by its
//!   [`Location`], so two pops from one queue are two different items.
//!
//! Transfers are monotone: every output set is a union over the elements of the input
//! sets. Known imprecision: a site inside a loop names the values of every iteration
//! with one term, and aliasing through `&mut` is not tracked (a write through `*r`
//! updates `r`'s own fields only).

use super::framework::{Analysis, Location};
use super::liveness::TempLiveness;
use pairlint_base::ir::{
    AggregateKind, BinOp, Body, BodyId, BodyKind, Call, Callee, Const, LocalId, Operand, Place, PlaceBase, Projection,
    Rvalue, Stmt, Terminator, UnOp,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Deeper provenance terms are cut to [`Provenance::Unknown`] (keeps the lattice finite:
/// `node = node.next` in a loop would otherwise grow a term per iteration).
pub const MAX_DEPTH: usize = 8;

/// A place that may hold more than this many different values holds "unknown": a
/// widening that keeps large bodies (builders with hundreds of joins, loops over
/// nested collections) linear. `{Unknown}` is then the top of a place's values: a join
/// with it stays it. What is unknown is never an item, so widening loses findings,
/// never adds one.
pub const MAX_VALUES: usize = 32;

fn widen(set: BTreeSet<Provenance>) -> BTreeSet<Provenance> {
    if set.len() > MAX_VALUES {
        BTreeSet::from([Provenance::Unknown])
    } else {
        set
    }
}

fn is_widened(set: &BTreeSet<Provenance>) -> bool {
    set.len() == 1 && set.contains(&Provenance::Unknown)
}

/// What a value may be derived from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provenance {
    /// The value of a fn parameter (`self` included), or of something only moved,
    /// wrapped or looked through from it.
    Param(LocalId),
    /// A closure's own parameter (kept apart from the enclosing fn's parameters, which
    /// captured values refer to).
    ClosureParam(LocalId),
    /// A captured local of the enclosing body whose provenance was not supplied.
    Captured(LocalId),
    /// A static, const or global, by its path.
    Static(String),
    /// A new value unrelated to any other: a literal, a comparison, a constructor.
    Fresh,
    /// The result of a call the call model knows nothing about.
    CallResult(Location),
    /// A closure or async block value.
    Closure(BodyId),
    /// An element taken from a collection: the item itself.
    Element { of: Box<Provenance>, how: Selection, site: Location },
    /// The index of an element in a collection (`position(pred)`), usable as a key.
    IndexOf { of: Box<Provenance>, how: Selection, site: Location },
    /// A field of a value: a part of it, not the value itself.
    PartOf { whole: Box<Provenance>, field: String },
    /// A value computed from another (arithmetic, a cast, an opaque expression).
    Derived(Box<Provenance>),
    /// A term cut at [`MAX_DEPTH`].
    Unknown,
}

/// How an element was chosen from its collection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Selection {
    /// By position (`pop_front`, `recv`, `[0]`): whichever item is there.
    Positional,
    /// By a key, with the key's provenance (`get(&ticket)`, `remove(id)`, `m[k]`).
    Keyed(Box<Provenance>),
    /// Only in a helper's summary: by position, at an index the helper was given as
    /// this parameter term (`fn take_at(&mut self, i: usize) { self.q.remove(i) }`). At
    /// a call site it is what the argument makes it: keyed by an index a predicate
    /// found (`position`), else positional.
    At(Box<Provenance>),
    /// By a predicate (`find`, `filter`, `position`), with the closure body when the
    /// predicate is a closure of this file. For `filter` the term stands for the
    /// selected elements as a whole; `next()` on it takes one of them by position.
    Predicate(Option<BodyId>),
}

impl Provenance {
    /// This term with `from` replaced by `to` wherever it occurs (a closure's
    /// parameter by the value it was called with).
    pub fn substitute(&self, from: &Provenance, to: &Provenance) -> Provenance {
        if self == from {
            return to.clone();
        }
        match self {
            Provenance::Element { of, how, site } => {
                let how = match how {
                    Selection::Keyed(key) => Selection::Keyed(Box::new(key.substitute(from, to))),
                    other => other.clone(),
                };
                Provenance::element(of.substitute(from, to), how, *site)
            }
            Provenance::IndexOf { of, how, site } => {
                Provenance::IndexOf { of: Box::new(of.substitute(from, to)), how: how.clone(), site: *site }.bounded()
            }
            Provenance::PartOf { whole, field } => Provenance::part_of(whole.substitute(from, to), field),
            Provenance::Derived(inner) => Provenance::derived(inner.substitute(from, to)),
            other => other.clone(),
        }
    }

    /// Nesting depth of the term (leaves are 1).
    pub fn depth(&self) -> usize {
        match self {
            Provenance::Element { of, how, .. } | Provenance::IndexOf { of, how, .. } => {
                let key_depth = match how {
                    Selection::Keyed(key) => key.depth(),
                    _ => 0,
                };
                1 + of.depth().max(key_depth)
            }
            Provenance::PartOf { whole: inner, .. } | Provenance::Derived(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// Whether the term names a value created at `site` (so re-running `site`, in a
    /// loop, makes a new value that facts about the old one must not cover).
    pub fn mentions_site(&self, site: Location) -> bool {
        match self {
            Provenance::CallResult(at) => *at == site,
            Provenance::Element { of, how, site: at } | Provenance::IndexOf { of, how, site: at } => {
                *at == site || of.mentions_site(site) || matches!(how, Selection::Keyed(k) if k.mentions_site(site))
            }
            Provenance::PartOf { whole: inner, .. } | Provenance::Derived(inner) => inner.mentions_site(site),
            _ => false,
        }
    }

    /// `self` if within [`MAX_DEPTH`], else [`Provenance::Unknown`].
    fn bounded(self) -> Provenance {
        if self.depth() > MAX_DEPTH {
            Provenance::Unknown
        } else {
            self
        }
    }

    pub fn part_of(whole: Provenance, field: &str) -> Provenance {
        if whole == Provenance::Unknown {
            // A part of an unknown value is just as unknown (and a cut chain stays cut).
            return Provenance::Unknown;
        }
        Provenance::PartOf { whole: Box::new(whole), field: field.to_string() }.bounded()
    }

    pub fn derived(from: Provenance) -> Provenance {
        match from {
            // A value computed from a computed value is still just "computed from".
            Provenance::Derived(_) | Provenance::Fresh | Provenance::Unknown => from,
            other => Provenance::Derived(Box::new(other)).bounded(),
        }
    }

    pub fn element(of: Provenance, how: Selection, site: Location) -> Provenance {
        Provenance::Element { of: Box::new(of), how, site }.bounded()
    }

    /// Whether the term is built only from parameters, statics and fresh values (what
    /// a helper's summary can say of its return in terms of its arguments); a
    /// collection read from none of them (a local one, a call's result) is not.
    pub fn is_transferable(&self) -> bool {
        match self {
            Provenance::Param(_) | Provenance::Static(_) | Provenance::Fresh | Provenance::Unknown => true,
            Provenance::Element { of, how, .. } | Provenance::IndexOf { of, how, .. } => {
                of.is_transferable()
                    && !matches!(**of, Provenance::Fresh | Provenance::Unknown)
                    && match how {
                        Selection::Keyed(key) | Selection::At(key) => key.is_transferable(),
                        _ => true,
                    }
            }
            Provenance::PartOf { whole, .. } | Provenance::Derived(whole) => whole.is_transferable(),
            _ => false,
        }
    }

    /// A helper's returned term at one of its call sites: its parameters replaced by
    /// what the call passes (`params[i]`, the receiver first for a method), and every
    /// element it takes made at the call (`site`), as if the helper were inlined.
    /// A predicate's closure is the helper's, not the caller's: it is kept unnamed.
    pub fn instantiate(&self, params: &[BTreeSet<Provenance>], site: Location) -> BTreeSet<Provenance> {
        let each = |inner: &Provenance| inner.instantiate(params, site);
        match self {
            Provenance::Param(l) => params.get(l.index()).cloned().unwrap_or_default(),
            Provenance::Element { of, how, .. } | Provenance::IndexOf { of, how, .. } => {
                let hows: Vec<Selection> = match how {
                    Selection::Keyed(key) => keyed_selections(each(key)),
                    Selection::At(index) => {
                        let (found, other): (BTreeSet<Provenance>, BTreeSet<Provenance>) =
                            each(index).into_iter().partition(|p| matches!(p, Provenance::IndexOf { .. }));
                        let mut hows: Vec<Selection> =
                            found.into_iter().map(|k| Selection::Keyed(Box::new(k))).collect();
                        if hows.is_empty() || !other.is_empty() {
                            hows.push(Selection::Positional);
                        }
                        hows
                    }
                    Selection::Predicate(_) => vec![Selection::Predicate(None)],
                    Selection::Positional => vec![Selection::Positional],
                };
                let index = matches!(self, Provenance::IndexOf { .. });
                let mut out = BTreeSet::new();
                for of in each(of) {
                    for how in &hows {
                        out.insert(if index {
                            Provenance::IndexOf { of: Box::new(of.clone()), how: how.clone(), site }.bounded()
                        } else {
                            Provenance::element(of.clone(), how.clone(), site)
                        });
                    }
                }
                out
            }
            Provenance::PartOf { whole, field } => {
                each(whole).into_iter().map(|w| Provenance::part_of(w, field)).collect()
            }
            Provenance::Derived(inner) => each(inner).into_iter().map(Provenance::derived).collect(),
            Provenance::Static(_) | Provenance::Fresh => BTreeSet::from([self.clone()]),
            _ => BTreeSet::from([Provenance::Unknown]),
        }
    }
}

/// What a crate helper returns, as a function of its arguments (from its summary): the
/// returned terms over its parameters, and whether it may also return something the
/// terms do not describe (then the call's own [`Provenance::CallResult`] stands for it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HelperReturns {
    pub values: BTreeSet<Provenance>,
    pub opaque: bool,
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Param(l) => write!(f, "param {l}"),
            Provenance::ClosureParam(l) => write!(f, "closure param {l}"),
            Provenance::Captured(l) => write!(f, "captured {l}"),
            Provenance::Static(path) => write!(f, "static {path}"),
            Provenance::Fresh => f.write_str("fresh"),
            Provenance::CallResult(at) => write!(f, "call@{at}"),
            Provenance::Closure(body) => write!(f, "closure {body}"),
            Provenance::Element { of, how, site } => write!(f, "element({of}, {how})@{site}"),
            Provenance::IndexOf { of, how, site } => write!(f, "index({of}, {how})@{site}"),
            Provenance::PartOf { whole, field } => write!(f, "{whole}.{field}"),
            Provenance::Derived(from) => write!(f, "derived({from})"),
            Provenance::Unknown => f.write_str("unknown"),
        }
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selection::Positional => f.write_str("positional"),
            Selection::At(index) => write!(f, "at {index}"),
            Selection::Keyed(key) => write!(f, "keyed by {key}"),
            Selection::Predicate(Some(body)) => write!(f, "predicate {body}"),
            Selection::Predicate(None) => f.write_str("predicate"),
        }
    }
}

/// Which operand of a call chooses an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectBy {
    Positional,
    /// The key is argument `key`.
    Keyed {
        key: usize,
    },
    /// The predicate is argument `predicate`.
    Predicate {
        predicate: usize,
    },
}

/// What a call does to provenance, as the call model knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEffect {
    /// Returns an element of the receiver (possibly wrapped: `Option<T>`, `&T`).
    ElementOfReceiver(SelectBy),
    /// Returns the index of an element of the receiver (`position`).
    IndexInReceiver(SelectBy),
    /// Returns the receiver itself, looked through (`lock`, `unwrap`, `clone`, `map_err`).
    ReturnsReceiver,
    /// Returns its `i`-th argument, looked through (`Box::new(x)`, `identity(x)`).
    ReturnsArgument(usize),
    /// Returns what its `i`-th argument (a closure) makes of the receiver's value
    /// (`opt.map(|img| img.pdf)`), read through the closure by the call model.
    MapReceiver(usize),
    /// Returns something built from all its arguments (`format!("{}", img.name)`).
    Arguments,
    /// Returns the receiver or, on a miss, its `i`-th argument (`unwrap_or(x)`).
    ReceiverOrArgument(usize),
    /// Returns the receiver or, on a miss, what its `i`-th argument (a closure) makes:
    /// a value of the call's own site ([`Provenance::CallResult`]), which the flows
    /// layer reads through the closure (`unwrap_or_else(|| q.pop_front())`).
    ReceiverOrElse(usize),
    /// Returns a value unrelated to its inputs (`len`, `is_some`, `count`).
    Fresh,
    /// Nothing is known: the result is a [`Provenance::CallResult`] of its own.
    Unknown,
}

/// The oracle for calls. The type model (std/tokio/... APIs as data, and the crate's
/// own fn summaries) implements it; [`NameCallModel`] stands in for tests.
pub trait CallModel {
    fn effect(&self, call: &Call, body: &Body) -> CallEffect;

    /// What the closure `closure` returns when its captured locals hold `captures`
    /// and its first parameter holds `argument`; `None` when the model cannot say
    /// (the result is then the call's own [`Provenance::CallResult`]).
    /// What a crate helper the call resolves to returns, in terms of its parameters
    /// (its summary as a transfer function); `None` when there is no such summary.
    fn helper_returns(&self, _call: &Call, _body: &Body) -> Option<HelperReturns> {
        None
    }

    fn closure_result(
        &self,
        _closure: BodyId,
        _captures: &BTreeMap<LocalId, BTreeSet<Provenance>>,
        _argument: &BTreeSet<Provenance>,
    ) -> Option<BTreeSet<Provenance>> {
        None
    }

    /// A read of a row from a store outside the process (a SQL query): the store's
    /// collection term and how the row is chosen; `None` when the call is no such read.
    fn store_read(&self, _call: &Call, _body: &Body) -> Option<StoreRead> {
        None
    }
}

/// A call that reads an element of a store outside the process (see
/// [`CallModel::store_read`]): the store as a collection term (a static, or its index
/// by an owner column as a field of it) and the selection over the call's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRead {
    pub of: Provenance,
    pub by: SelectBy,
}

/// A stand-in [`CallModel`] that decides by method name alone, for tests and until the
/// type model lands. It knows nothing of receiver types, so it is wrong for user types
/// that reuse these names; do not ship rules on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NameCallModel;

impl CallModel for NameCallModel {
    fn effect(&self, call: &Call, _body: &Body) -> CallEffect {
        let Callee::Method(name) = &call.callee else {
            return CallEffect::Unknown;
        };
        let has_arg = !call.args.is_empty();
        match name.as_str() {
            "pop_front" | "pop_back" | "pop" | "recv" | "try_recv" | "front" | "back" | "first" | "last" | "next" => {
                CallEffect::ElementOfReceiver(SelectBy::Positional)
            }
            "get" | "get_mut" | "remove" if has_arg => CallEffect::ElementOfReceiver(SelectBy::Keyed { key: 0 }),
            "find" | "filter" if has_arg => CallEffect::ElementOfReceiver(SelectBy::Predicate { predicate: 0 }),
            "position" if has_arg => CallEffect::IndexInReceiver(SelectBy::Predicate { predicate: 0 }),
            "lock" | "read" | "write" | "unwrap" | "expect" | "map_err" | "clone" | "as_ref" | "as_mut" | "await"
            | "ok_or" | "ok_or_else" | "iter" | "iter_mut" | "borrow" | "borrow_mut" | "unwrap_or_default"
            | "cloned" | "copied" | "to_owned" | "into_inner" | "into" | "to_string" | "as_str" | "as_deref" => {
                CallEffect::ReturnsReceiver
            }
            "count" | "len" | "is_some" | "is_none" | "is_ok" | "is_err" | "is_empty" => CallEffect::Fresh,
            _ => CallEffect::Unknown,
        }
    }
}

/// A tracked place: a local and the field names under it (derefs and variant payloads
/// are looked through, indexes are not tracked).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlacePath {
    pub local: LocalId,
    pub fields: Vec<String>,
}

impl PlacePath {
    pub fn local(local: LocalId) -> Self {
        PlacePath { local, fields: Vec::new() }
    }

    /// The tracked path a write to `place` updates, if any (writes through an index
    /// and to statics are not tracked).
    pub fn of_written(place: &Place) -> Option<PlacePath> {
        let local = place.base_local()?;
        let mut fields = Vec::new();
        let mut after_variant = false;
        for projection in &place.projections {
            match projection {
                Projection::Deref => {}
                Projection::Variant(_) => after_variant = true,
                // A variant's payload field is the payload: `(x as Some).0` is `x`'s value.
                Projection::Field(_) if after_variant => after_variant = false,
                Projection::Field(name) => fields.push(name.clone()),
                Projection::ConstIndex(_) | Projection::Index(_) => return None,
            }
        }
        Some(PlacePath { local, fields })
    }

    fn starts_with(&self, prefix: &PlacePath) -> bool {
        self.local == prefix.local && self.fields.starts_with(&prefix.fields)
    }
}

/// The provenance state: what every tracked place may hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProvenanceState {
    places: BTreeMap<PlacePath, BTreeSet<Provenance>>,
}

impl ProvenanceState {
    /// What `local` itself may hold (empty if it was never assigned on any path).
    pub fn of_local(&self, local: LocalId) -> BTreeSet<Provenance> {
        self.places.get(&PlacePath::local(local)).cloned().unwrap_or_default()
    }

    /// Every tracked place with its provenance (for debugging and snapshots).
    pub fn places(&self) -> impl Iterator<Item = (&PlacePath, &BTreeSet<Provenance>)> {
        self.places.iter()
    }

    /// What reading `path` gives: the tracked value of its longest tracked prefix, with
    /// the remaining fields as parts of it.
    pub fn read_path(&self, path: &PlacePath) -> BTreeSet<Provenance> {
        for tracked_len in (0..=path.fields.len()).rev() {
            let prefix = PlacePath { local: path.local, fields: path.fields[..tracked_len].to_vec() };
            if let Some(set) = self.places.get(&prefix) {
                return set
                    .iter()
                    .map(|p| {
                        path.fields[tracked_len..].iter().fold(p.clone(), |whole, f| Provenance::part_of(whole, f))
                    })
                    .collect();
            }
        }
        BTreeSet::new()
    }

    /// A strong update: `path` now holds `value`, and nothing tracked under it survives.
    /// What each local holds as a whole: the captures a closure made here sees.
    pub fn locals(&self) -> BTreeMap<LocalId, BTreeSet<Provenance>> {
        self.places
            .iter()
            .filter(|(path, _)| path.fields.is_empty())
            .map(|(path, set)| (path.local, set.clone()))
            .collect()
    }

    fn write(&mut self, path: PlacePath, value: BTreeSet<Provenance>) {
        self.places.retain(|tracked, _| !tracked.starts_with(&path));
        self.places.insert(path, widen(value));
    }
}

/// The provenance may-analysis of one body.
pub struct ProvenanceAnalysis<'a> {
    body: &'a Body,
    calls: &'a dyn CallModel,
    /// For a closure or async block: what the enclosing body's captured locals hold
    /// where it was created. Missing captures are [`Provenance::Captured`].
    captures: BTreeMap<LocalId, BTreeSet<Provenance>>,
    /// Temporaries are dropped from the state where they die (see [`TempLiveness`]).
    liveness: std::rc::Rc<TempLiveness>,
}

impl<'a> ProvenanceAnalysis<'a> {
    pub fn new(body: &'a Body, calls: &'a dyn CallModel) -> Self {
        ProvenanceAnalysis {
            body,
            calls,
            captures: BTreeMap::new(),
            liveness: std::rc::Rc::new(TempLiveness::new(body)),
        }
    }

    /// Which temporaries are live where (shared with the analyses run after this one).
    pub fn liveness(&self) -> &std::rc::Rc<TempLiveness> {
        &self.liveness
    }

    /// The analysis of a closure or async block whose captured locals hold `captures`.
    pub fn with_captures(mut self, captures: BTreeMap<LocalId, BTreeSet<Provenance>>) -> Self {
        self.captures = captures;
        self
    }

    pub fn body(&self) -> &'a Body {
        self.body
    }

    pub fn call_model(&self) -> &'a dyn CallModel {
        self.calls
    }

    pub fn call_effect(&self, call: &Call) -> CallEffect {
        self.calls.effect(call, self.body)
    }

    /// What `operand` may hold in `state`; `location` names the reading statement
    /// (an index read there is an element taken there).
    pub fn operand(&self, state: &ProvenanceState, operand: &Operand, location: Location) -> BTreeSet<Provenance> {
        match operand {
            Operand::Place(place) => self.place(state, place, location),
            Operand::Const(_) => BTreeSet::from([Provenance::Fresh]),
            Operand::Capture(local) => {
                self.captures.get(local).cloned().unwrap_or_else(|| BTreeSet::from([Provenance::Captured(*local)]))
            }
        }
    }

    /// What reading `place` may give in `state`.
    pub fn place(&self, state: &ProvenanceState, place: &Place, location: Location) -> BTreeSet<Provenance> {
        let (mut current, mut path) = match &place.base {
            PlaceBase::Local(local) => (state.of_local(*local), Some(PlacePath::local(*local))),
            PlaceBase::Static(name) => (BTreeSet::from([Provenance::Static(name.clone())]), None),
        };
        let mut after_variant = false;
        for projection in &place.projections {
            match projection {
                Projection::Deref => {}
                Projection::Variant(_) => after_variant = true,
                Projection::Field(_) if after_variant => after_variant = false,
                Projection::Field(name) => {
                    let tracked = path.as_mut().and_then(|path| {
                        path.fields.push(name.clone());
                        state.places.get(path)
                    });
                    current = match tracked {
                        Some(written) => written.clone(),
                        None => current.into_iter().map(|whole| Provenance::part_of(whole, name)).collect(),
                    };
                }
                Projection::ConstIndex(_) => {
                    path = None;
                    current = elements(current, &[Selection::Positional], location);
                }
                Projection::Index(key) => {
                    path = None;
                    let keys = keyed_selections(state.of_local(*key));
                    current = elements(current, &keys, location);
                }
            }
        }
        current
    }

    /// The provenance of an assignment's value, and what it writes under the
    /// destination's fields (aggregates with several fields).
    fn rvalue(&self, state: &ProvenanceState, value: &Rvalue, location: Location) -> RvalueProvenance {
        let whole = |set| RvalueProvenance { whole: set, fields: Vec::new() };
        // A moved or wrapped value keeps what was written under its fields (`view =
        // ResultView { name: item.name, .. }; Ok(Json(view))` still carries `name`).
        let moved = |op: &Operand, set| RvalueProvenance { whole: set, fields: tracked_under(state, op, &[]) };
        let fresh = || BTreeSet::from([Provenance::Fresh]);
        match value {
            Rvalue::Use(op) | Rvalue::Await(op) => moved(op, self.operand(state, op, location)),
            Rvalue::Ref { place, .. } => {
                let op = Operand::Place(place.clone());
                moved(&op, self.place(state, place, location))
            }
            Rvalue::Call(call) => whole(self.call(state, call, location)),
            Rvalue::Aggregate { kind: AggregateKind::Variant(_) | AggregateKind::Struct(_), fields }
                if fields.len() == 1 =>
            {
                // `Some(x)`, `Ok(x)`, newtype wrappers (`Json(x)`, `Wrapper { inner: x }`):
                // still `x`.
                moved(&fields[0].1, self.operand(state, &fields[0].1, location))
            }
            Rvalue::Aggregate { fields, .. } => RvalueProvenance {
                whole: fresh(),
                fields: fields
                    .iter()
                    .enumerate()
                    .flat_map(|(i, (name, op))| {
                        let name = name.clone().unwrap_or_else(|| i.to_string());
                        let mut out = vec![(vec![name.clone()], self.operand(state, op, location))];
                        out.extend(tracked_under(state, op, std::slice::from_ref(&name)));
                        out
                    })
                    .collect(),
            },
            Rvalue::BinaryOp(BinOp::Other, a, b) => {
                let mut set = self.operand(state, a, location);
                set.extend(self.operand(state, b, location));
                whole(set.into_iter().map(Provenance::derived).collect())
            }
            Rvalue::BinaryOp(..) | Rvalue::UnaryOp(UnOp::Not, _) => whole(fresh()),
            Rvalue::UnaryOp(UnOp::Neg, op) => {
                whole(self.operand(state, op, location).into_iter().map(Provenance::derived).collect())
            }
            Rvalue::Closure(body) => whole(BTreeSet::from([Provenance::Closure(*body)])),
            Rvalue::Opaque(ops) if ops.is_empty() => whole(fresh()),
            Rvalue::Opaque(ops) => {
                whole(ops.iter().flat_map(|op| self.operand(state, op, location)).map(Provenance::derived).collect())
            }
        }
    }

    fn call(&self, state: &ProvenanceState, call: &Call, location: Location) -> BTreeSet<Provenance> {
        let receiver = || match &call.receiver {
            Some(op) => self.operand(state, op, location),
            None => BTreeSet::new(),
        };
        let argument = |i: usize| match call.args.get(i) {
            Some(op) => self.operand(state, op, location),
            None => BTreeSet::new(),
        };
        let selections = |by: SelectBy| match by {
            // `v.remove(i)` with `i` from `position(pred)`: the element the predicate
            // found, keyed by that index; a literal or computed index is a position.
            SelectBy::Positional if !call.args.is_empty() => {
                let (found, other): (BTreeSet<Provenance>, BTreeSet<Provenance>) =
                    argument(0).into_iter().partition(|p| matches!(p, Provenance::IndexOf { .. }));
                let mut selections: Vec<Selection> = found.into_iter().map(|k| Selection::Keyed(Box::new(k))).collect();
                if selections.is_empty() || !other.is_empty() {
                    selections.push(Selection::Positional);
                }
                selections
            }
            SelectBy::Positional => vec![Selection::Positional],
            SelectBy::Keyed { key } => keyed_selections(argument(key)),
            SelectBy::Predicate { predicate } => {
                let closures: Vec<Selection> = argument(predicate)
                    .into_iter()
                    .filter_map(|p| match p {
                        Provenance::Closure(body) => Some(Selection::Predicate(Some(body))),
                        _ => None,
                    })
                    .collect();
                if closures.is_empty() {
                    vec![Selection::Predicate(None)]
                } else {
                    closures
                }
            }
        };
        if let Some(read) = self.calls.store_read(call, self.body) {
            let how = match read.by {
                SelectBy::Keyed { key } => keyed_selections(argument(key)),
                _ => vec![Selection::Positional],
            };
            return elements(BTreeSet::from([read.of]), &how, location);
        }
        match self.call_effect(call) {
            CallEffect::ElementOfReceiver(by) => elements(receiver(), &selections(by), location),
            CallEffect::IndexInReceiver(by) => {
                let elements = elements(receiver(), &selections(by), location);
                elements
                    .into_iter()
                    .map(|e| match e {
                        Provenance::Element { of, how, site } => Provenance::IndexOf { of, how, site },
                        other => other,
                    })
                    .collect()
            }
            CallEffect::ReturnsReceiver => receiver(),
            CallEffect::ReturnsArgument(i) => argument(i),
            CallEffect::Arguments => {
                let set: BTreeSet<Provenance> = (0..call.args.len()).flat_map(argument).collect();
                if set.is_empty() {
                    BTreeSet::from([Provenance::Fresh])
                } else {
                    set
                }
            }
            CallEffect::MapReceiver(i) => {
                let captures = state.locals();
                let value = receiver();
                let mut out = BTreeSet::new();
                for p in argument(i) {
                    let Provenance::Closure(body) = p else { continue };
                    match self.calls.closure_result(body, &captures, &value) {
                        Some(set) => out.extend(set),
                        None => {
                            out.insert(Provenance::CallResult(location));
                        }
                    }
                }
                if out.is_empty() {
                    out.insert(Provenance::CallResult(location));
                }
                out
            }
            CallEffect::ReceiverOrArgument(i) => {
                let mut set = receiver();
                set.extend(argument(i));
                set
            }
            CallEffect::ReceiverOrElse(i) => {
                // A closure with a parameter gets the miss (`|e| e.into_inner()` on a
                // poisoned lock): read through it; one without (`|| q.pop_front()`)
                // makes a value of this call's own, which the flows layer reads.
                let mut set = receiver();
                let captures = state.locals();
                let through = argument(i).into_iter().find_map(|p| match p {
                    Provenance::Closure(body) => self.calls.closure_result(body, &captures, &set),
                    _ => None,
                });
                match through {
                    Some(values) => set.extend(values),
                    None => {
                        set.insert(Provenance::CallResult(location));
                    }
                }
                set
            }
            CallEffect::Fresh => BTreeSet::from([Provenance::Fresh]),
            CallEffect::Unknown => {
                // A crate helper with a summary: what it returns, given these arguments.
                let Some(returns) = self.calls.helper_returns(call, self.body) else {
                    return BTreeSet::from([Provenance::CallResult(location)]);
                };
                let params: Vec<BTreeSet<Provenance>> =
                    call.receiver.iter().chain(&call.args).map(|op| self.operand(state, op, location)).collect();
                let mut out: BTreeSet<Provenance> =
                    returns.values.iter().flat_map(|t| t.instantiate(&params, location)).collect();
                if returns.opaque || out.is_empty() {
                    out.insert(Provenance::CallResult(location));
                }
                out
            }
        }
    }

    /// The state after `stmt` (a convenience for callers that need one step).
    pub fn after(&self, state: &ProvenanceState, stmt: &Stmt, location: Location) -> ProvenanceState {
        let mut next = state.clone();
        self.transfer_stmt(&mut next, stmt, location);
        next
    }
}

/// An rvalue's provenance: the value's own, and per field for aggregates.
struct RvalueProvenance {
    whole: BTreeSet<Provenance>,
    /// Field paths under the destination and what they hold.
    fields: Vec<(Vec<String>, BTreeSet<Provenance>)>,
}

/// What is tracked under the fields of the place `op` reads, as paths below `prefix`
/// (for a copy of it to the destination).
fn tracked_under(state: &ProvenanceState, op: &Operand, prefix: &[String]) -> Vec<(Vec<String>, BTreeSet<Provenance>)> {
    let Operand::Place(place) = op else { return Vec::new() };
    let Some(source) = PlacePath::of_written(place) else { return Vec::new() };
    state
        .places
        .iter()
        .filter(|(path, _)| path.fields.len() > source.fields.len() && path.starts_with(&source))
        .map(|(path, set)| {
            let mut fields = prefix.to_vec();
            fields.extend(path.fields[source.fields.len()..].iter().cloned());
            (fields, set.clone())
        })
        .collect()
}

/// One selection per key provenance (a key of unknown provenance still selects by key).
fn keyed_selections(keys: BTreeSet<Provenance>) -> Vec<Selection> {
    if keys.is_empty() {
        return vec![Selection::Keyed(Box::new(Provenance::Unknown))];
    }
    keys.into_iter().map(|key| Selection::Keyed(Box::new(key))).collect()
}

/// The elements taken at `site` from any of `collections` by any of `selections`. A
/// collection of unknown provenance still gives an element: that the value is an item
/// is what matters most.
fn elements(collections: BTreeSet<Provenance>, selections: &[Selection], site: Location) -> BTreeSet<Provenance> {
    let collections = if collections.is_empty() { BTreeSet::from([Provenance::Unknown]) } else { collections };
    let mut out = BTreeSet::new();
    for of in &collections {
        for how in selections {
            out.insert(Provenance::element(of.clone(), how.clone(), site));
        }
    }
    out
}

impl Analysis for ProvenanceAnalysis<'_> {
    type Domain = ProvenanceState;

    fn entry(&self, body: &Body) -> ProvenanceState {
        let mut state = ProvenanceState::default();
        for i in 0..body.params as usize {
            let local = LocalId::new(i);
            let param = match body.kind {
                BodyKind::Closure { .. } => Provenance::ClosureParam(local),
                _ => Provenance::Param(local),
            };
            state.write(PlacePath::local(local), BTreeSet::from([param]));
        }
        state
    }

    fn bottom(&self) -> ProvenanceState {
        ProvenanceState::default()
    }

    fn join(&self, into: &mut ProvenanceState, other: &ProvenanceState) -> bool {
        // A field tracked on one side only is read on the other side as a part of its
        // parent, so the join keeps both possibilities.
        // In place: most joins add little or nothing, and rebuilding the map each time
        // dominated large bodies.
        let mut changed = false;
        let only_mine: Vec<PlacePath> =
            into.places.keys().filter(|path| !other.places.contains_key(*path)).cloned().collect();
        let mut updates: Vec<(PlacePath, BTreeSet<Provenance>)> = Vec::new();
        for (path, theirs) in &other.places {
            match into.places.get(path) {
                Some(mine) if is_widened(mine) => {}
                Some(mine) => {
                    if !theirs.is_subset(mine) {
                        let joined = if is_widened(theirs) {
                            BTreeSet::from([Provenance::Unknown])
                        } else {
                            widen(mine.union(theirs).cloned().collect())
                        };
                        updates.push((path.clone(), joined));
                    }
                }
                None => {
                    let mine = into.read_path(path);
                    let joined = if is_widened(&mine) || is_widened(theirs) {
                        BTreeSet::from([Provenance::Unknown])
                    } else {
                        widen(mine.union(theirs).cloned().collect())
                    };
                    updates.push((path.clone(), joined));
                }
            }
        }
        for path in only_mine {
            let theirs = other.read_path(&path);
            let Some(mine) = into.places.get(&path) else { continue };
            if is_widened(mine) || theirs.is_subset(mine) {
                continue;
            }
            let joined = if is_widened(&theirs) {
                BTreeSet::from([Provenance::Unknown])
            } else {
                widen(mine.union(&theirs).cloned().collect())
            };
            updates.push((path, joined));
        }
        for (path, set) in updates {
            if into.places.get(&path) != Some(&set) {
                into.places.insert(path, set);
                changed = true;
            }
        }
        changed
    }

    fn transfer_stmt(&self, state: &mut ProvenanceState, stmt: &Stmt, location: Location) {
        let value = self.rvalue(state, &stmt.value, location);
        let Some(dest) = PlacePath::of_written(&stmt.dest) else {
            return;
        };
        state.write(dest.clone(), value.whole);
        for (fields, set) in value.fields {
            let mut path = dest.clone();
            path.fields.extend(fields);
            state.write(path, set);
        }
    }

    fn transfer_edge(&self, state: &ProvenanceState, term: &Terminator, successor: usize) -> ProvenanceState {
        let Some(&target) = term.successors().get(successor) else { return state.clone() };
        ProvenanceState {
            places: state
                .places
                .iter()
                .filter(|(path, _)| !self.liveness.dead_at_entry(target, path.local))
                .map(|(path, set)| (path.clone(), set.clone()))
                .collect(),
        }
    }
}

/// Whether `op` is a literal `true`/`false`.
pub(crate) fn const_bool(op: &Operand) -> Option<bool> {
    match op {
        Operand::Const(Const::Bool(b)) => Some(*b),
        _ => None,
    }
}
