//! Per crate: the type environment from every file's facts, call resolution between
//! the crate's fns, per-fn summaries iterated to a fixpoint, and the questions the
//! rules ask (is this take from a shared queue, is this output checked...).

use pairlint_base::finding::Span;
use pairlint_base::model::*;
use pairlint_base::vocab::List as VocabList;
use pairlint_base::vocab::Vocabulary;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A fn of the crate: (file index, fn index in that file).
pub type FnId = usize;

/// A place inside another fn that explains a call-site finding ("inside
/// `next_image`: taken from the head of `self.queue`").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub file: usize,
    pub span: Span,
    pub message: String,
}

/// Which value of a call: its receiver or one of its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Receiver,
    Arg(usize),
}

/// What a fn does, as seen from its callers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Returns an item taken by position from shared state, unchecked (and the
    /// collection, as shown in messages).
    pub returns_positional: Option<(Vec<Step>, String, bool)>,
    /// Returns a user-bound item looked up in shared state, unchecked.
    pub returns_keyed: Option<(Vec<Step>, String, bool)>,
    /// Outputs these parameters without checking them.
    pub outputs: BTreeMap<Slot, Vec<Step>>,
    /// Checks these parameters against a requester (and fails when they do not match).
    pub checks: BTreeSet<Slot>,
}

/// How the rules see a value's origin.
#[derive(Debug, Clone)]
pub enum Class {
    /// Taken by position from a shared collection (the collection as shown in
    /// messages, with its backticks: "`self.queue`"); `typed` when the collection's
    /// type came from the code rather than the method name.
    Positional {
        steps: Vec<Step>,
        coll: String,
        typed: bool,
    },
    /// Looked up by key/predicate or iterated in shared state.
    Keyed {
        user_bound: bool,
        steps: Vec<Step>,
        coll: String,
        typed: bool,
    },
    Other,
}

/// An output as the rules see it, after resolving calls into the crate's fns.
#[derive(Debug, Clone)]
pub struct EffectiveOutput {
    pub span: Span,
    pub at: Point,
    pub origins: Vec<OriginId>,
    pub steps: Vec<Step>,
    pub what: String,
    pub is_return: bool,
}

pub struct CrateModel<'a> {
    pub files: &'a [&'a FileFacts],
    pub vocab: &'a Vocabulary,
    structs: HashMap<&'a str, &'a StructDef>,
    aliases: HashMap<&'a str, &'a Ty>,
    statics: HashMap<&'a str, &'a Ty>,
    fns: Vec<(usize, usize)>,
    resolved: Vec<Vec<Option<FnId>>>,
    has_callers: Vec<bool>,
    pub summaries: Vec<Summary>,
    /// The fixpoint stopped at its bound before settling.
    pub fixpoint_bound_hit: bool,
}

/// Rounds of summary propagation before the fixpoint gives up (and says so).
pub const FIXPOINT_BOUND: usize = 64;
const STRIP_BOUND: usize = 16;

impl<'a> CrateModel<'a> {
    pub fn new(files: &'a [&'a FileFacts], vocab: &'a Vocabulary) -> Self {
        let mut structs = HashMap::new();
        let mut aliases = HashMap::new();
        let mut statics = HashMap::new();
        let mut fns = Vec::new();
        for (fi, file) in files.iter().enumerate() {
            for s in &file.structs {
                structs.entry(s.name.as_str()).or_insert(s);
            }
            for (n, t) in &file.aliases {
                aliases.entry(n.as_str()).or_insert(t);
            }
            for (n, t) in &file.statics {
                statics.entry(n.as_str()).or_insert(t);
            }
            for i in 0..file.fns.len() {
                fns.push((fi, i));
            }
        }
        let mut model = CrateModel {
            files,
            vocab,
            structs,
            aliases,
            statics,
            resolved: Vec::new(),
            has_callers: vec![false; fns.len()],
            summaries: vec![Summary::default(); fns.len()],
            fns,
            fixpoint_bound_hit: false,
        };
        model.resolve_calls();
        model.fixpoint();
        model
    }

    pub fn fn_ids(&self) -> std::ops::Range<FnId> {
        0..self.fns.len()
    }

    pub fn func(&self, f: FnId) -> &'a FnFacts {
        let (fi, i) = self.fns[f];
        &self.files[fi].fns[i]
    }

    pub fn file_of(&self, f: FnId) -> usize {
        self.fns[f].0
    }

    pub fn has_callers(&self, f: FnId) -> bool {
        self.has_callers[f]
    }

    pub fn callee(&self, f: FnId, call: CallId) -> Option<FnId> {
        self.resolved[f].get(call).copied().flatten()
    }

    // ---- call resolution -------------------------------------------------------

    fn resolve_calls(&mut self) {
        // Candidates indexed by (name, impl type), so resolving a call costs the size
        // of its own candidate group, not of every same-named fn in the crate (a crate
        // with thousands of `new`s would otherwise make this quadratic).
        let mut by_name_ty: HashMap<&str, HashMap<&str, Vec<FnId>>> = HashMap::new();
        let mut free_by_name: HashMap<&str, Vec<FnId>> = HashMap::new();
        // Per name: the fns with a receiver (at most two kept: uniqueness is all `pick` asks).
        let mut methods_by_name: HashMap<&str, Vec<FnId>> = HashMap::new();
        for f in 0..self.fns.len() {
            let func = self.func(f);
            match func.self_ty.as_deref() {
                Some(ty) => by_name_ty.entry(func.name.as_str()).or_default().entry(ty).or_default().push(f),
                None => free_by_name.entry(func.name.as_str()).or_default().push(f),
            }
            if func.has_self {
                let m = methods_by_name.entry(func.name.as_str()).or_default();
                if m.len() < 2 {
                    m.push(f);
                }
            }
        }
        let group = |name: &str, ty: Option<&str>| -> &[FnId] {
            let found = match ty {
                Some(ty) => by_name_ty.get(name).and_then(|m| m.get(ty)),
                None => free_by_name.get(name),
            };
            found.map(Vec::as_slice).unwrap_or(&[])
        };
        let mut resolved = Vec::with_capacity(self.fns.len());
        for f in 0..self.fns.len() {
            let func = self.func(f);
            let file = self.file_of(f);
            let mut per_call = Vec::with_capacity(func.calls.len());
            for call in &func.calls {
                let name = call.callee.name();
                let target = match &call.callee {
                    Callee::Method { on_self: true, .. } => {
                        pick(group(name, func.self_ty.as_deref()), |g| self.func(g).has_self)
                    }
                    Callee::Method { .. } => {
                        // The receiver's type, when the code says it, picks the impl.
                        let recv_ty =
                            call.receiver_place.as_ref().and_then(|p| self.place_ty(func, p)).and_then(|t| match self
                                .strip(&t)
                            {
                                Ty::Path { name, .. } => Some(name),
                                _ => None,
                            });
                        match recv_ty {
                            Some(t) => pick(group(name, Some(t.as_str())), |g| self.func(g).has_self),
                            None => pick(methods_by_name.get(name).map(Vec::as_slice).unwrap_or(&[]), |_| true),
                        }
                    }
                    Callee::Path(segs) if segs.len() >= 2 => {
                        let ty = &segs[segs.len() - 2];
                        let ty = if ty == "Self" { func.self_ty.clone().unwrap_or_default() } else { ty.clone() };
                        pick(group(name, Some(ty.as_str())), |_| true).or_else(|| pick(group(name, None), |_| true))
                    }
                    Callee::Path(_) => pick(group(name, None), |g| self.file_of(g) == file)
                        .or_else(|| pick(group(name, None), |_| true)),
                };
                // A fn calling itself is not its own caller for entry-point purposes.
                if let Some(g) = target {
                    if g != f {
                        self.has_callers[g] = true;
                    }
                }
                per_call.push(target);
            }
            resolved.push(per_call);
        }
        self.resolved = resolved;
    }

    // ---- types -------------------------------------------------------------------

    /// Looks through references, aliases and wrappers (Arc, Mutex, Option...).
    pub fn strip(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        for _ in 0..STRIP_BOUND {
            ty = match ty {
                Ty::Ref(inner) => *inner,
                Ty::Path { ref name, ref args } if self.vocab.is(VocabList::WrapperTypes, name) && !args.is_empty() => {
                    args[0].clone()
                }
                Ty::Path { ref name, ref args } if args.is_empty() && self.aliases.contains_key(name.as_str()) => {
                    (*self.aliases[name.as_str()]).clone()
                }
                other => return other,
            };
        }
        ty
    }

    fn field_ty(&self, ty: &Ty, field: &str) -> Option<Ty> {
        let Ty::Path { name, .. } = self.strip(ty) else {
            return None;
        };
        let def = self.structs.get(name.as_str())?;
        def.fields.iter().find(|(n, _)| n == field).map(|(_, t)| t.clone())
    }

    fn root_ty(&self, f: &FnFacts, root: &Root) -> Option<Ty> {
        match root {
            Root::SelfValue => f.self_ty.as_ref().map(|n| Ty::Path { name: n.clone(), args: Vec::new() }),
            Root::Param(i) => f.params.get(*i).map(|p| p.ty.clone()),
            Root::Static(n) => self.statics.get(n.as_str()).map(|t| (*t).clone()),
        }
    }

    /// The type at a place, unstripped, if the code says it.
    pub fn place_ty(&self, f: &FnFacts, place: &Place) -> Option<Ty> {
        let mut ty = self.root_ty(f, &place.root)?;
        for field in &place.fields {
            ty = self.field_ty(&ty, field)?;
        }
        Some(ty)
    }

    /// (is queue-like, element type) of a collection type.
    fn collection(&self, ty: &Ty) -> Option<(bool, Ty)> {
        self.collection_at(ty, 0)
    }

    fn collection_at(&self, ty: &Ty, depth: usize) -> Option<(bool, Ty)> {
        let stripped = self.strip(ty);
        // A newtype over a collection (`struct Spool(VecDeque<Image>)`, used through
        // `Deref`) is that collection.
        if let Ty::Path { name, .. } = &stripped {
            if let Some(def) = self.structs.get(name.as_str()) {
                if let [(field, inner)] = def.fields.as_slice() {
                    if field == "0" && depth < STRIP_BOUND {
                        return self.collection_at(inner, depth + 1);
                    }
                }
            }
        }
        match stripped {
            Ty::Path { name, args } if self.vocab.is(VocabList::QueueTypes, &name) => {
                Some((true, args.first().cloned().unwrap_or(Ty::Unknown)))
            }
            Ty::Path { name, args } if self.vocab.is(VocabList::MapTypes, &name) => {
                Some((false, args.last().cloned().unwrap_or(Ty::Unknown)))
            }
            Ty::Slice(t) => Some((true, *t)),
            _ => None,
        }
    }

    /// The type's struct has an owner-like field.
    pub fn user_bound(&self, ty: &Ty) -> bool {
        let Ty::Path { name, .. } = self.strip(ty) else {
            return false;
        };
        self.structs
            .get(name.as_str())
            .is_some_and(|d| d.fields.iter().any(|(n, _)| self.vocab.is(VocabList::OwnerFields, n)))
    }

    /// The type is a struct of this crate that nothing ties to a person: no owner-like
    /// field, and neither its name nor a field's name names a person or session.
    pub fn fungible(&self, ty: &Ty) -> bool {
        let Ty::Path { name, .. } = self.strip(ty) else {
            return false;
        };
        let Some(def) = self.structs.get(name.as_str()) else {
            return false;
        };
        !self.vocab.mentions(VocabList::IdentityNames, &name)
            && !def.fields.iter().any(|(n, _)| {
                self.vocab.is(VocabList::OwnerFields, n) || self.vocab.mentions(VocabList::IdentityNames, n)
            })
    }

    /// The place is shared between requesters (not a per-session struct's own field,
    /// not a by-value parameter).
    pub fn place_shared(&self, f: &FnFacts, place: &Place) -> bool {
        // A clone of anything but a shared pointer is a private copy.
        for &k in &place.clones {
            let sub = Place {
                root: place.root.clone(),
                fields: place.fields[..k.min(place.fields.len())].to_vec(),
                clones: Vec::new(),
                text: String::new(),
            };
            let shared_ptr = self.place_ty(f, &sub).is_some_and(|t| {
                let t = match t {
                    Ty::Ref(inner) => *inner,
                    other => other,
                };
                matches!(&t, Ty::Path { name, .. } if matches!(name.as_str(), "Arc" | "Rc" | "State" | "Data" | "Extension" | "Sender" | "UnboundedSender"))
            });
            if !shared_ptr {
                return false;
            }
        }
        match &place.root {
            Root::Static(_) => true,
            Root::Param(i) => f.params.get(*i).is_some_and(|p| match &p.ty {
                Ty::Ref(_) => true,
                Ty::Path { name, .. } => {
                    matches!(name.as_str(), "Arc" | "Rc" | "State" | "Data" | "Extension" | "Mutex" | "RwLock")
                }
                _ => false,
            }),
            Root::SelfValue => {
                if place.fields.is_empty() {
                    return false;
                }
                let session = f.self_ty.as_deref().is_some_and(|t| self.vocab.mentions(VocabList::IdentityNames, t));
                if !session {
                    return true;
                }
                // A session's own fields are its own, unless shared through Arc/Mutex.
                let Some(self_ty) = self.root_ty(f, &Root::SelfValue) else {
                    return false;
                };
                self.field_ty(&self_ty, &place.fields[0]).is_some_and(|t| {
                    matches!(&t, Ty::Path { name, .. } if matches!(name.as_str(), "Arc" | "Mutex" | "RwLock" | "Rc"))
                })
            }
        }
    }

    // ---- origins -----------------------------------------------------------------

    pub fn classify(&self, f: FnId, o: OriginId) -> Class {
        let func = self.func(f);
        let Some(origin) = func.origins.get(o) else {
            return Class::Other;
        };
        match &origin.kind {
            OriginKind::Access { place, kind, .. } => {
                if !self.place_shared(func, place) {
                    return Class::Other;
                }
                let coll = self.place_ty(func, place).and_then(|t| self.collection(&t));
                let steps = Vec::new();
                // A pool of interchangeable things (buffers, connections, recycled
                // request objects) is not a queue of people's items.
                let fungible = coll.as_ref().is_some_and(|(_, elem)| self.fungible(elem));
                if fungible && matches!(kind, AccessKind::PositionalStrong | AccessKind::PositionalWeak) {
                    return Class::Other;
                }
                match kind {
                    AccessKind::PositionalStrong if coll.as_ref().is_none_or(|(q, _)| *q) => {
                        Class::Positional { steps, coll: format!("`{}`", place.text), typed: coll.is_some() }
                    }
                    AccessKind::PositionalWeak if coll.as_ref().is_some_and(|(q, _)| *q) => {
                        Class::Positional { steps, coll: format!("`{}`", place.text), typed: true }
                    }
                    AccessKind::Ref => {
                        let ty = self.place_ty(func, place);
                        if ty.as_ref().is_some_and(|t| self.user_bound(t)) {
                            Class::Keyed { user_bound: true, steps, coll: format!("`{}`", place.text), typed: true }
                        } else {
                            Class::Other
                        }
                    }
                    AccessKind::Keyed | AccessKind::Iter => {
                        let user_bound = coll.as_ref().is_some_and(|(_, elem)| self.user_bound(elem));
                        Class::Keyed { user_bound, steps, coll: format!("`{}`", place.text), typed: coll.is_some() }
                    }
                    _ => Class::Other,
                }
            }
            OriginKind::Call(c) => {
                let Some(g) = self.callee(f, *c) else {
                    return Class::Other;
                };
                let s = &self.summaries[g];
                let name = &self.func(g).name;
                if let Some((steps, coll, typed)) = &s.returns_positional {
                    return Class::Positional {
                        steps: steps.clone(),
                        coll: format!("{coll} (via `{name}`)"),
                        typed: *typed,
                    };
                }
                if let Some((steps, coll, typed)) = &s.returns_keyed {
                    return Class::Keyed {
                        user_bound: true,
                        steps: steps.clone(),
                        coll: format!("{coll} (via `{name}`)"),
                        typed: *typed,
                    };
                }
                Class::Other
            }
            _ => Class::Other,
        }
    }

    /// The origin is (by type) a user-bound item.
    pub fn origin_user_bound(&self, f: FnId, o: OriginId) -> bool {
        let func = self.func(f);
        match func.origins.get(o).map(|x| &x.kind) {
            Some(OriginKind::Param(i)) => func.params.get(*i).is_some_and(|p| self.user_bound(&p.ty)),
            Some(OriginKind::SelfValue) => {
                func.self_ty.as_ref().is_some_and(|t| self.user_bound(&Ty::Path { name: t.clone(), args: vec![] }))
            }
            Some(OriginKind::Typed(t)) => self.user_bound(t),
            Some(OriginKind::Access { .. }) | Some(OriginKind::Call(_)) => {
                matches!(self.classify(f, o), Class::Keyed { user_bound: true, .. })
                    || matches!(self.classify(f, o), Class::Positional { .. }) && self.access_elem_user_bound(f, o)
            }
            None => false,
        }
    }

    fn access_elem_user_bound(&self, f: FnId, o: OriginId) -> bool {
        let func = self.func(f);
        let Some(OriginKind::Access { place, .. }) = func.origins.get(o).map(|x| &x.kind) else {
            return false;
        };
        self.place_ty(func, place).and_then(|t| self.collection(&t)).is_some_and(|(_, e)| self.user_bound(&e))
    }

    // ---- checks ------------------------------------------------------------------

    /// Origins a guard checks, including those checked by crate helpers it calls.
    fn guard_origins(&self, f: FnId, g: &Guard) -> BTreeSet<OriginId> {
        let func = self.func(f);
        let mut out: BTreeSet<OriginId> = g.origins.iter().copied().collect();
        for &c in &g.calls {
            let Some(h) = self.callee(f, c) else { continue };
            let call = &func.calls[c];
            for slot in &self.summaries[h].checks {
                match slot {
                    Slot::Receiver => out.extend(call.receiver.iter().copied()),
                    Slot::Arg(i) => {
                        if let Some(a) = call.args.get(*i) {
                            out.extend(a.iter().copied());
                        }
                    }
                }
            }
        }
        out
    }

    /// A requester check on `o` dominates the point.
    pub fn checked(&self, f: FnId, o: OriginId, at: &Point) -> bool {
        self.func(f)
            .guards
            .iter()
            .filter(|g| g.scope != u32::MAX && g.seq < at.seq && at.scopes.contains(&g.scope))
            .any(|g| self.guard_origins(f, g).contains(&o))
    }

    // ---- outputs ----------------------------------------------------------------

    /// Outputs of the fn after resolving calls into crate fns; returns count only for
    /// fns nobody in the crate calls (their callers see the value instead).
    pub fn outputs(&self, f: FnId) -> Vec<EffectiveOutput> {
        let func = self.func(f);
        let mut out = Vec::new();
        for o in &func.outputs {
            match &o.kind {
                OutputKind::Return => {
                    if !self.has_callers(f) {
                        out.push(EffectiveOutput {
                            span: o.span,
                            at: o.at.clone(),
                            origins: o.origins.clone(),
                            steps: Vec::new(),
                            what: "returned to the requester here".into(),
                            is_return: true,
                        });
                    }
                }
                OutputKind::Call(name) => {
                    let mut origins = o.origins.clone();
                    if let Some(c) = o.call {
                        if let Some(h) = self.callee(f, c) {
                            let summary = &self.summaries[h];
                            // The helper's own outputs are added below with their path.
                            if !summary.outputs.is_empty() {
                                continue;
                            }
                            // Its name says it outputs; what it checks inside is not output unchecked.
                            let call = &func.calls[c];
                            for slot in &summary.checks {
                                let checked = match slot {
                                    Slot::Receiver => call.receiver.clone(),
                                    Slot::Arg(i) => call.args.get(*i).cloned().unwrap_or_default(),
                                };
                                origins.retain(|x| !checked.contains(x));
                            }
                        }
                    }
                    out.push(EffectiveOutput {
                        span: o.span,
                        at: o.at.clone(),
                        origins,
                        steps: Vec::new(),
                        what: format!("output by `{name}` here"),
                        is_return: false,
                    });
                }
            }
        }
        for (c, call) in func.calls.iter().enumerate() {
            let Some(h) = self.callee(f, c) else { continue };
            for (slot, steps) in &self.summaries[h].outputs {
                let origins = match slot {
                    Slot::Receiver => call.receiver.clone(),
                    Slot::Arg(i) => call.args.get(*i).cloned().unwrap_or_default(),
                };
                if origins.is_empty() {
                    continue;
                }
                out.push(EffectiveOutput {
                    span: call.span,
                    at: call.at.clone(),
                    origins,
                    steps: steps.clone(),
                    what: format!("output through `{}` here", self.func(h).name),
                    is_return: false,
                });
            }
        }
        out
    }

    // ---- summaries ---------------------------------------------------------------

    /// Summaries to a fixpoint, in rounds over every fn in order (each round sees the
    /// summaries updated earlier in it). A fn is summarised again only when one of its
    /// callees' summaries changed since it was last summarised: its summary depends on
    /// nothing else, and summarising it again with unchanged inputs gives what it
    /// already has, so skipping it changes nothing but the time.
    fn fixpoint(&mut self) {
        let n = self.fns.len();
        let callees: Vec<Vec<FnId>> = (0..n)
            .map(|f| {
                let mut c: Vec<FnId> = self.resolved[f].iter().flatten().copied().collect();
                c.sort_unstable();
                c.dedup();
                c
            })
            .collect();
        let mut tick: u64 = 0;
        let mut changed_at = vec![0u64; n];
        let mut computed_at: Vec<Option<u64>> = vec![None; n];
        for _ in 0..FIXPOINT_BOUND {
            let mut changed = false;
            for f in 0..n {
                let stale = match computed_at[f] {
                    None => true,
                    Some(at) => callees[f].iter().any(|&g| changed_at[g] > at),
                };
                if !stale {
                    continue;
                }
                computed_at[f] = Some(tick);
                let s = self.summarise(f);
                if s != self.summaries[f] {
                    self.summaries[f] = s;
                    tick += 1;
                    changed_at[f] = tick;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
        self.fixpoint_bound_hit = true;
    }

    fn step(&self, f: FnId, span: Span, message: String) -> Step {
        Step { file: self.file_of(f), span, message }
    }

    fn summarise(&self, f: FnId) -> Summary {
        let func = self.func(f);
        let prev = &self.summaries[f];
        let mut s = Summary::default();
        let name = &func.name;
        let param_slot = |o: OriginId| match func.origins.get(o).map(|x| &x.kind) {
            Some(OriginKind::Param(i)) => Some(Slot::Arg(*i)),
            Some(OriginKind::SelfValue) => Some(Slot::Receiver),
            _ => None,
        };
        for out in func.outputs.iter().filter(|o| o.kind == OutputKind::Return) {
            for &o in &out.origins {
                if self.checked(f, o, &out.at) {
                    continue;
                }
                match self.classify(f, o) {
                    Class::Positional { mut steps, coll, typed } if s.returns_positional.is_none() => {
                        if steps.is_empty() {
                            let origin = &func.origins[o];
                            steps.push(self.step(
                                f,
                                origin.span,
                                format!("inside `{name}`: taken by position from shared {coll}"),
                            ));
                        }
                        s.returns_positional = Some((steps, coll, typed));
                    }
                    Class::Keyed { user_bound: true, mut steps, coll, typed } if s.returns_keyed.is_none() => {
                        if steps.is_empty() {
                            let origin = &func.origins[o];
                            steps.push(self.step(
                                f,
                                origin.span,
                                format!("inside `{name}`: looked up in shared {coll}"),
                            ));
                        }
                        s.returns_keyed = Some((steps, coll, typed));
                    }
                    _ => {}
                }
            }
        }
        // Outputs of parameters (named outputs not resolved elsewhere, and helpers).
        for out in self.outputs(f).into_iter().filter(|o| !o.is_return) {
            for &o in &out.origins {
                let Some(slot) = param_slot(o) else { continue };
                if self.checked(f, o, &out.at) || s.outputs.contains_key(&slot) {
                    continue;
                }
                let mut steps = vec![self.step(f, out.span, format!("inside `{name}`: {}", out.what))];
                steps.extend(out.steps.iter().cloned());
                s.outputs.insert(slot, steps);
            }
        }
        for g in &func.guards {
            for o in self.guard_origins(f, g) {
                if let Some(slot) = param_slot(o) {
                    s.checks.insert(slot);
                }
            }
        }
        // Summaries only grow, and a fact once found keeps its first explanation, so
        // every round either adds something or changes nothing: the fixpoint terminates.
        if prev.returns_positional.is_some() {
            s.returns_positional = prev.returns_positional.clone();
        }
        if prev.returns_keyed.is_some() {
            s.returns_keyed = prev.returns_keyed.clone();
        }
        for (k, v) in &prev.outputs {
            s.outputs.insert(*k, v.clone());
        }
        s.checks.extend(prev.checks.iter().copied());
        s
    }
}

/// The single candidate that satisfies `keep`, if exactly one does.
fn pick(cands: &[FnId], keep: impl Fn(FnId) -> bool) -> Option<FnId> {
    let mut it = cands.iter().copied().filter(|&g| keep(g));
    let first = it.next()?;
    if it.next().is_some() {
        None
    } else {
        Some(first)
    }
}
