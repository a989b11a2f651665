//! Flows (analysis core v2): per fn body, which items taken from shared collections
//! reach which outputs, and whether they were owner-checked on every path there.
//!
//! Data flow: every file's IR (lowered by the syntax crate from the same parse as the
//! facts) → type inference ([`crate::types::infer`]) → provenance with the std model's
//! call effects ([`calls::TypedCalls`]) → the owner-check must-analysis → [`FnFlow`]s:
//! the shared takes of the body, the outputs (sinks) with the items they carry, and
//! whether each was checked there. Crate helpers are read through summaries computed
//! bottom-up to a fixpoint. What a helper returns is a transfer function: its returned
//! provenance terms over its parameters (unchecked items, parts, the parameters
//! themselves), instantiated by the provenance analysis at each call with the
//! arguments' provenance, so a helper and its body inlined give the same flows. The
//! rest is read at the call's own result: "returns an item it took from a shared
//! collection", "returns a lookup that can miss", "outputs its parameter `i`",
//! "checks its parameter `i`".
//!
//! Invariants:
//! - "Is this the item?" is asked of provenance and types: a field of an item is its
//!   content unless its type is a scalar (an id, a count); a value computed from an
//!   item (`Derived`), an index, a call's unrelated result, an `Err` payload are not
//!   the item.
//! - Sharedness is decided by the path from the collection to its root: a static, a
//!   reference or shared-pointer parameter, or any lock, `Arc` or channel on the way.
//!   A session type's own fields are its own.
//! - Checks are must-facts of the dataflow: a check on one branch does not cover the
//!   other, a check in a bound block or a match guard covers what follows.
//!
//! Who is a requester (`per_requester`) and which parameters are the requester's
//! identity still come from the extractor's facts ([`pairlint_base::model::FnFacts`]);
//! the real-services work replaces that with handler registration and authentication.

pub mod calls;
pub mod release;

use crate::dataflow::{
    solve, Bodies, CheckInputs, CheckVocabulary, OwnerCheck, Provenance, ProvenanceAnalysis, Results, Selection,
};
use crate::dataflow::{CheckEffect, CheckModel, CheckOutcome, CheckState, Slot};
use crate::types::facts::{CrateSigs, ScopeId};
use crate::types::infer::{BodyTypes, FileTypes};
use crate::types::std_model::StdModel;
use crate::types::tables::TypeTables;
use crate::types::ty::Type;
use crate::types::user_bound::{is_user_bound_item, is_user_bound_item_keyed, OwnerVocab};
use calls::{TypedCalls, VocabChecks};
use pairlint_base::finding::Span;
use pairlint_base::ir::{
    AggregateKind, Body, BodyId, BodyKind, Call, Callee, FileIr, LocalId, Operand, PlaceBase, Rvalue, Terminator,
};
use pairlint_base::model::FileFacts;
use pairlint_base::vocab::{List, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use crate::dataflow::Location;

/// How an item was chosen from its collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum How {
    /// Whichever item is at the head (`pop_front`, `recv`, `first`, `[0]`).
    Positional,
    /// By a key (`get(&ticket)`, `remove(id)`).
    Keyed,
    /// By a predicate (`find(|j| ..)`).
    Predicate,
}

/// A take of an item from a shared collection, in this body or inside a helper it calls.
#[derive(Debug, Clone)]
pub struct Take {
    pub file: usize,
    /// The call (or index) that takes the item; for a helper, the helper's call.
    pub span: Span,
    pub how: How,
    /// The collection as written (`self.queue`), with the helper named when via one.
    pub coll: String,
    /// The element type is known (from the type model).
    pub typed: bool,
    /// The element type is a user-bound item (an owner-like field).
    pub user_bound: bool,
    /// Inside helpers: (file, span, message) labels showing the path.
    pub steps: Vec<(usize, Span, String)>,
    /// The take sits on the miss path of a keyed lookup: the lookup's span.
    pub on_miss_of: Option<(Span, String)>,
}

/// One output of a body and the items that reach it.
#[derive(Debug, Clone)]
pub struct Sink {
    pub span: Span,
    /// "returned to the caller", "passed to `print`"...
    pub what: String,
    /// Indexes into [`FnFlow::takes`], each with whether it was owner-checked here.
    pub items: Vec<(usize, bool)>,
    /// Inside helpers: the path to the output.
    pub steps: Vec<(usize, Span, String)>,
}

/// What the rules read about one fn (or closure) body.
#[derive(Debug, Clone)]
pub struct FnFlow {
    pub file: usize,
    pub body: BodyId,
    pub name: String,
    pub per_requester: bool,
    /// The requester identity's span and name, for labels.
    pub identity: Option<(Span, String)>,
    pub takes: Vec<Take>,
    pub sinks: Vec<Sink>,
    /// `let` bindings the takes flow through: (take index, span, name).
    pub bindings: Vec<(usize, Span, String)>,
}

/// Labels that show a path inside helpers: (file, span, message).
pub type Steps = Vec<(usize, Span, String)>;

/// A helper's unchecked take, as its callers see it: how, from which collection,
/// typed, user-bound, and the path inside it.
type ReturnedTake = (How, String, bool, bool, Steps);

/// An output a call makes: what it is, the operands output, the path inside helpers.
type CallSink = (String, Vec<Operand>, Steps);

/// A helper's summary, read at its call sites.
#[derive(Debug, Clone, Default, PartialEq)]
struct Summary {
    /// It returns an item taken from a shared collection, unchecked on some path:
    /// (how, collection, typed, user_bound, steps).
    returns_take: Option<ReturnedTake>,
    /// Parameters (IR indexes) that reach an output inside it, with the output's steps.
    outputs_params: BTreeMap<usize, Vec<(usize, Span, String)>>,
    /// What it returns in terms of its parameters (a transfer function, substituted at
    /// each call site as if the helper were inlined): the returned values built only
    /// from parameters and statics, items unchecked where returned. `opaque` when some
    /// return is something else (read through the fields below at the call).
    returns: crate::dataflow::HelperReturns,
    /// For labels: the path inside it to each kind of take its terms return.
    returns_steps: BTreeMap<How, Steps>,
    /// It returns an item it looked up by key or predicate in a shared collection,
    /// checked or not: its `None`/`Err` is that lookup's miss (a helper that looks the
    /// requester's item up and checks it is still a lookup that can miss).
    returns_lookup: Option<String>,
    /// It checks its parameter (IR index) against the requester identity (a parameter
    /// or none: a session that knows its requester), reporting a mismatch so.
    checks: Option<(usize, Option<usize>, CheckOutcome)>,
}

/// Bounded so a pathological call graph cannot loop; real crates settle in 2-4 rounds.
pub const SUMMARY_ROUNDS: usize = 8;

/// The flows of every fn body of a crate.
pub struct CrateFlows {
    pub fns: Vec<FnFlow>,
    /// Releases on timeout paths (PL002), see [`release`].
    pub releases: Vec<release::Release>,
    /// Helper summaries were still changing after [`SUMMARY_ROUNDS`] rounds (a chain of
    /// helpers deeper than that): flows through its far end may be missed.
    pub summary_bound_hit: bool,
}

struct Ctx<'a> {
    files: &'a [&'a FileFacts],
    /// `files[..own]` are the crate's; the rest its workspace dependencies' (context).
    own: usize,
    vocab: &'a Vocabulary,
    /// [`FlowOptions::requesters`].
    requesters: bool,
    tables: std::rc::Rc<TypeTables>,
    owners: OwnerVocab,
    scopes: Vec<ScopeId>,
    types: Vec<FileTypes<'a>>,
    /// (file, body) → index into the old facts' fns (for per-requester and identity).
    facts_of: BTreeMap<(usize, BodyId), usize>,
    /// Helpers by name: (file, body) of every fn body named so.
    by_name: BTreeMap<String, Vec<(usize, BodyId)>>,
    /// Methods by (name, last segment of the self type): a method call resolves in one
    /// lookup, not a scan of every method of that name (a crate with thousands of
    /// types that share method names would make that quadratic).
    by_method: std::collections::HashMap<(String, String), Vec<(usize, BodyId)>>,
    summaries: BTreeMap<(usize, BodyId), Summary>,
    /// Fn bodies some call of the crate resolves to: their callers see what they return.
    called: std::collections::BTreeSet<(usize, BodyId)>,
    /// Fns called only from bodies the flows do not analyse (by path): not entry points.
    entry_excluded: std::collections::BTreeSet<(usize, BodyId)>,
    /// The crate's request-extractor types (authentication guards such as a
    /// `Headers` that implements `FromRequest`), by the last segment of their name: a
    /// parameter of one is built from the request, so it is the requester's own.
    guards: std::collections::BTreeSet<String>,
    /// What each closure's captures hold where it is made (solving its parent once).
    captures_memo: std::cell::RefCell<BTreeMap<(usize, BodyId), Captures>>,
    /// Call effects by the call's address (see `TypedCalls::effect`).
    effects_memo: std::cell::RefCell<std::collections::HashMap<usize, crate::dataflow::CallEffect>>,
}

/// Captured locals and what they hold.
type Captures = BTreeMap<LocalId, std::collections::BTreeSet<Provenance>>;

/// What the flows take from outside the crate's files.
#[derive(Debug, Clone, Copy)]
pub struct FlowOptions {
    /// Whether any fn may serve a requester. Off for a program that serves no one but
    /// its user (a binary-only crate with no server entry point, unless configured):
    /// then no fn is per-requester, and only PL002 (which needs none) can report.
    pub requesters: bool,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions { requesters: true }
    }
}

impl CrateFlows {
    pub fn new(files: &[&FileFacts], vocab: &Vocabulary) -> CrateFlows {
        CrateFlows::with_context(files, files.len(), &[], vocab, FlowOptions::default())
    }

    pub fn with_options(files: &[&FileFacts], vocab: &Vocabulary, opts: FlowOptions) -> CrateFlows {
        CrateFlows::with_context(files, files.len(), &[], vocab, opts)
    }

    /// The flows of the crate whose files are `files[..own]`, read together with the
    /// files after them: the crates of the workspace it depends on by path, named
    /// `local_crates` (`db` for `db::notes::by_id`). Their types and helpers count as
    /// the crate's own (a handler in `api` calling a lookup in `db` is one flow), but
    /// only the crate's own fns are entry points and only its own files get findings:
    /// each dependency gets its findings when it is linted as a crate itself.
    pub fn with_context(
        files: &[&FileFacts],
        own: usize,
        local_crates: &[String],
        vocab: &Vocabulary,
        opts: FlowOptions,
    ) -> CrateFlows {
        let own = own.min(files.len());
        let crate_dir = crate_dir(&files[..own]);
        // A dependency's files get module paths within their own crate (the directory
        // above their `src`), so their `super::`/`crate::` paths resolve as written.
        let dirs: Vec<std::path::PathBuf> = files
            .iter()
            .enumerate()
            .map(|(i, f)| if i < own { crate_dir.clone() } else { dir_above_src(&f.path) })
            .collect();
        let mut sigs = CrateSigs::from_file_dirs(files.iter().copied().zip(dirs.iter().map(|d| d.as_path())));
        // A crate given as loose files (paths mode, fixtures) has its first file as its
        // root, whatever its name: its module path is the crate's, not one named after it.
        let is_root_name = |f: &&FileFacts| f.path.file_stem().is_some_and(|s| s == "lib" || s == "main");
        if !files.iter().any(is_root_name) {
            if let Some(stem) = files.first().and_then(|f| f.path.file_stem()).map(|s| s.to_string_lossy().into_owned())
            {
                for module in &mut sigs.modules {
                    if module.first() == Some(&stem) {
                        module.remove(0);
                    }
                }
            }
        }
        let mut tables = TypeTables::build(&sigs);
        tables.set_local_crates(local_crates);
        let tables = std::rc::Rc::new(tables);
        let scopes: Vec<ScopeId> = (0..files.len()).map(|i| sigs.files.get(i).copied().unwrap_or_default()).collect();
        let timing = std::env::var_os("PAIRLINT_TIMING").is_some_and(|v| !v.is_empty() && v != "0");
        let started = std::time::Instant::now();
        // Types are inferred on first use, one fn (with its closures) at a time: the
        // flows and summaries read only the fns reachable from requester fns.
        let types: Vec<FileTypes<'_>> =
            files.iter().enumerate().map(|(i, f)| FileTypes::new(&f.ir, tables.clone(), scopes[i])).collect();
        let mut facts_of = BTreeMap::new();
        let mut by_name: BTreeMap<String, Vec<(usize, BodyId)>> = BTreeMap::new();
        let mut by_method: std::collections::HashMap<(String, String), Vec<(usize, BodyId)>> = Default::default();
        // A fn's facts and its IR body come from the same syn item: same start.
        for (fi, file) in files.iter().enumerate() {
            let by_start: std::collections::HashMap<usize, usize> =
                file.ir.bodies.iter().enumerate().map(|(i, b)| (b.span.byte_start, i)).collect();
            for (i, func) in file.fns.iter().enumerate() {
                if let Some(&body) = by_start.get(&func.span.byte_start) {
                    facts_of.insert((fi, BodyId::new(body)), i);
                }
            }
        }
        for (fi, file) in files.iter().enumerate() {
            for (i, body) in file.ir.bodies.iter().enumerate() {
                if matches!(body.kind, BodyKind::Fn { .. }) {
                    let name = body.qualified.rsplit("::").next().unwrap_or(&body.qualified).to_string();
                    if let BodyKind::Fn { self_ty: Some(t), .. } = &body.kind {
                        let key = (name.clone(), t.rsplit("::").next().unwrap_or(t).to_string());
                        by_method.entry(key).or_default().push((fi, BodyId::new(i)));
                    }
                    by_name.entry(name).or_default().push((fi, BodyId::new(i)));
                }
            }
        }
        let guards = tables.request_extractors().iter().map(|n| short(n).to_string()).collect();
        let mut cx = Ctx {
            files,
            own,
            vocab,
            requesters: opts.requesters,
            tables,
            guards,
            owners: OwnerVocab::new(vocab),
            scopes,
            types,
            facts_of,
            by_name,
            by_method,
            summaries: BTreeMap::new(),
            called: Default::default(),
            entry_excluded: Default::default(),
            captures_memo: Default::default(),
            effects_memo: Default::default(),
        };
        // The fns the flows can reach: every per-requester fn, then, transitively, the
        // crate fns their calls resolve to (with the closures nested in each). Only these
        // are typed and summarised: a summary is read only through a call from a body
        // that is itself analysed, so the rest of the crate could not change a finding.
        let mut queue: Vec<(usize, BodyId)> = Vec::new();
        for (fi, file) in files.iter().enumerate().take(own) {
            for (bi, body) in file.ir.bodies.iter().enumerate() {
                let id = BodyId::new(bi);
                // (A closure with facts of its own is reached through its fn.)
                if cx.func(fi, id).is_some_and(|f| f.per_requester || f.params.iter().any(|p| cx.is_guard(p))) {
                    queue.push((fi, if matches!(body.kind, BodyKind::Fn { .. }) { id } else { cx.root(fi, id) }));
                }
            }
        }
        queue.sort();
        queue.dedup();
        let mut reached: std::collections::BTreeSet<(usize, BodyId)> = queue.iter().copied().collect();
        // Who calls whom (a closure's calls are its fn's), for the summaries' worklist.
        let mut callers: BTreeMap<(usize, BodyId), std::collections::BTreeSet<(usize, BodyId)>> = BTreeMap::new();
        while let Some((fi, root)) = queue.pop() {
            for &id in std::iter::once(&root).chain(cx.types[fi].nested(root)) {
                let body = &files[fi].ir.bodies[id.index()];
                let Some(types) = cx.types[fi].get(id.index()) else { continue };
                for stmt in body.blocks.iter().flat_map(|b| &b.stmts) {
                    if let Rvalue::Call(call) = &stmt.value {
                        if let Some(target) = cx.resolve_helper(call, types) {
                            callers.entry(target).or_default().insert((fi, root));
                            if reached.insert(target) {
                                queue.push(target);
                            }
                        }
                    }
                }
            }
        }
        cx.called = callers.keys().copied().collect();
        // A fn called from code the flows do not analyse is still a helper, not an entry
        // point: its return goes to that caller, not to a requester. Those callers are
        // not typed; a call by path resolves without types (a method call needs its
        // receiver's type and is not seen here).
        let untyped = BodyTypes::default();
        for (fi, file) in files.iter().enumerate() {
            for (bi, body) in file.ir.bodies.iter().enumerate() {
                if reached.contains(&(fi, cx.root(fi, BodyId::new(bi)))) {
                    continue;
                }
                for stmt in body.blocks.iter().flat_map(|b| &b.stmts) {
                    if let Rvalue::Call(call @ Call { callee: Callee::Path(_), .. }) = &stmt.value {
                        if let Some(target) = cx.resolve_helper(call, &untyped) {
                            cx.entry_excluded.insert(target);
                        }
                    }
                }
            }
        }
        let typed = started.elapsed();
        // Summaries bottom-up, to a fixpoint or `SUMMARY_ROUNDS` (a returned term may replace
        // an opaque result as a callee sharpens, so summaries do not only grow).
        // Only what some call reads needs a summary, and after the first round only a
        // fn one of whose callees' summaries changed is summarised again.
        let mut dirty: std::collections::BTreeSet<(usize, BodyId)> = cx
            .called
            .iter()
            .copied()
            .filter(|(fi, id)| matches!(files[*fi].ir.bodies[id.index()].kind, BodyKind::Fn { .. }))
            .filter(|&(fi, id)| cx.may_have_summary(fi, id))
            .collect();
        let mut summary_bound_hit = false;
        for round in 0..SUMMARY_ROUNDS {
            let mut next = std::collections::BTreeSet::new();
            for &(fi, id) in &dirty {
                let summary = cx.summarize(fi, id);
                if cx.summaries.get(&(fi, id)) != Some(&summary) {
                    cx.summaries.insert((fi, id), summary);
                    for &caller in callers.get(&(fi, id)).into_iter().flatten() {
                        if cx.called.contains(&caller) {
                            next.insert(caller);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            // Out of rounds with summaries still changing: say so (the engine notes it).
            summary_bound_hit = round + 1 == SUMMARY_ROUNDS;
            dirty = next;
        }
        let summarised = started.elapsed();
        let mut fns = Vec::new();
        for (fi, file) in files.iter().enumerate().take(own) {
            for bi in 0..file.ir.bodies.len() {
                let id = BodyId::new(bi);
                let root = cx.root(fi, id);
                let of = if cx.func(fi, id).is_some() { id } else { root };
                if cx.is_requester(fi, of) {
                    fns.push(cx.flow(fi, id));
                }
            }
        }
        let flowed = started.elapsed();
        let releases = release::releases(&cx);
        if timing {
            // Stage timings of the flows, beside the engine's (`PAIRLINT_TIMING`).
            eprintln!(
                "pairlint timing: flows: types+calls {:.1}, summaries {:.1} ({} called fns), flows {:.1} ms ({} fns), releases {:.1} ms",
                typed.as_secs_f64() * 1e3,
                (summarised - typed).as_secs_f64() * 1e3,
                cx.called.len(),
                (flowed - summarised).as_secs_f64() * 1e3,
                fns.len(),
                (started.elapsed() - flowed).as_secs_f64() * 1e3,
            );
        }
        CrateFlows { fns, releases, summary_bound_hit }
    }
}

/// The crate's directory: the common parent of its files, above `src/`.
/// The directory above the last `src` in a file's path (its crate's directory), else
/// the file's own directory.
fn dir_above_src(path: &Path) -> std::path::PathBuf {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.file_name().is_some_and(|n| n == "src") {
            return d.parent().map(Path::to_path_buf).unwrap_or_default();
        }
        dir = d.parent();
    }
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn crate_dir(files: &[&FileFacts]) -> std::path::PathBuf {
    let mut dir: Option<std::path::PathBuf> = None;
    for f in files {
        let parent = f.path.parent().unwrap_or(Path::new("")).to_path_buf();
        dir = Some(match dir {
            None => parent,
            Some(d) => {
                let mut common = std::path::PathBuf::new();
                for (a, b) in d.components().zip(parent.components()) {
                    if a != b {
                        break;
                    }
                    common.push(a.as_os_str());
                }
                common
            }
        });
    }
    let dir = dir.unwrap_or_default();
    match dir.file_name() {
        Some(n) if n == "src" => dir.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => dir,
    }
}

/// What one body's analysis holds while its flow is read off.
struct Solved<'b> {
    file: usize,
    body: &'b Body,
    /// This body, then the bodies it is nested in, up to the fn (parameters and
    /// captured call sites name things of the enclosing bodies).
    chain: Vec<BodyId>,
    /// The requester's identity parameters of the fn at the end of `chain` (see
    /// [`Ctx::identity_params`]), computed once per solved body.
    identity: Vec<(LocalId, bool)>,
    provenance: Results<'b, ProvenanceAnalysis<'b>>,
    checks: Results<'b, OwnerCheck>,
}

/// Check helpers: the crate's own (from their summaries), else the vocabulary's.
struct HelperChecks<'c> {
    cx: &'c Ctx<'c>,
    types: Option<&'c BodyTypes>,
    vocab: VocabChecks<'c>,
}

impl CheckModel for HelperChecks<'_> {
    fn check_effect(&self, call: &Call, body: &Body) -> Option<CheckEffect> {
        if let Some(summary) = self.types.and_then(|t| self.cx.helper_summary(call, t)) {
            let (checked, identity, outcome) = summary.checks?;
            let slot = |param: usize| match (call.receiver.is_some(), param) {
                (true, 0) => Slot::Receiver,
                (true, p) => Slot::Arg(p - 1),
                (false, p) => Slot::Arg(p),
            };
            return Some(CheckEffect { checked: slot(checked), identity: identity.map(slot), outcome });
        }
        self.vocab.check_effect(call, body)
    }
}

impl Ctx<'_> {
    fn ir(&self, file: usize) -> &FileIr {
        &self.files[file].ir
    }

    fn func(&self, file: usize, body: BodyId) -> Option<&pairlint_base::model::FnFacts> {
        let i = *self.facts_of.get(&(file, body))?;
        self.files[file].fns.get(i)
    }

    /// Whether the fn serves one requester. The extractor decides by names; a
    /// parameter it counted for its type's name alone (`Path`, a web extractor's name)
    /// does not count when the type model resolves that type to the standard library
    /// (`std::path::Path` is a directory, not a request's path): then the fn serves a
    /// requester only for another reason (another identity or extractor parameter, a
    /// session receiver).
    fn is_requester(&self, file: usize, body: BodyId) -> bool {
        let Some(func) = self.func(file, body) else { return false };
        if !self.requesters {
            return false;
        }
        // An authentication guard's parameter says who is asking, whatever the fn's name.
        let guarded = func.params.iter().any(|p| self.is_guard(p));
        if !func.per_requester {
            return guarded;
        }
        let offset = usize::from(func.has_self);
        let types = self.types[file].get(body.index());
        let counted = |p: &pairlint_base::model::Param| {
            p.is_identity || self.vocab.is(List::HandlerExtractors, &written_type_name(&p.ty))
        };
        let std_typed = |i: usize, p: &pairlint_base::model::Param| {
            let by_name =
                self.vocab.mentions(List::IdentityNames, &p.name) || self.vocab.is(List::RequestNames, &p.name);
            let resolved = types.map(|t| t.local(LocalId::new(i + offset)).peel_refs().clone());
            !by_name
                && resolved
                    .as_ref()
                    .and_then(Type::name)
                    .is_some_and(|n| ["std::", "core::", "alloc::"].iter().any(|prefix| n.starts_with(prefix)))
        };
        let demoted = func.params.iter().enumerate().any(|(i, p)| counted(p) && std_typed(i, p));
        if !demoted {
            return true;
        }
        let session =
            func.self_ty.as_deref().is_some_and(|t| func.has_self && self.vocab.mentions(List::IdentityNames, t));
        session || guarded || func.params.iter().enumerate().any(|(i, p)| counted(p) && !std_typed(i, p))
    }

    /// The identity a finding's label names: the extractor's choice, unless the flows
    /// know better (an authentication guard says who is asking; a request payload such
    /// as `Form<UploadData>` does not).
    fn identity_label(
        &self,
        file: usize,
        root: BodyId,
        func: &pairlint_base::model::FnFacts,
    ) -> Option<(Span, String)> {
        let offset = usize::from(func.has_self);
        let params = self.identity_params(file, root);
        let from_params = |pick: &dyn Fn(&pairlint_base::model::Param) -> bool| {
            params.iter().find_map(|(l, _)| {
                let p = func.params.get(l.index().checked_sub(offset)?)?;
                pick(p).then(|| (p.span, p.name.clone()))
            })
        };
        if let Some(guard) = from_params(&|p| self.is_guard(p)) {
            return Some(guard);
        }
        func.identity.clone()
    }

    /// A parameter of one of the crate's request-extractor types.
    fn is_guard(&self, p: &pairlint_base::model::Param) -> bool {
        !self.guards.is_empty() && self.guards.contains(&written_type_name(&p.ty))
    }

    /// Whether a guard type carries the identity in a field (`Headers { user, device }`:
    /// only `headers.user` says who is asking) rather than being the identity itself
    /// (`AuthUser(Uuid)`, `Claims { sub, exp }`).
    fn guard_is_request(&self, p: &pairlint_base::model::Param) -> bool {
        let name = written_type_name(&p.ty);
        self.tables
            .struct_info(&Type::named(&format!("crate::{name}"), Vec::new()))
            .is_some_and(|info| info.fields.iter().any(|(f, _)| self.vocab.mentions(List::IdentityNames, f)))
    }

    /// The IR indexes of the identity parameters, and whether each is a request (only
    /// its identity-named fields identify the requester).
    fn identity_params(&self, file: usize, body: BodyId) -> Vec<(LocalId, bool)> {
        let Some(func) = self.func(file, body) else { return Vec::new() };
        let offset = usize::from(func.has_self);
        func.params
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let tname = match &p.ty {
                    pairlint_base::model::Ty::Path { name, .. } => name.clone(),
                    pairlint_base::model::Ty::Ref(inner) => match &**inner {
                        pairlint_base::model::Ty::Path { name, .. } => name.clone(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                // A web extractor is the requester's only when it says who they are
                // (`Path(id)` is a lookup key, not an identity).
                let named = self.vocab.mentions(List::IdentityNames, &p.name)
                    || self.vocab.mentions(List::IdentityNames, &tname)
                    || self.vocab.is(List::RequestNames, &p.name)
                    || self.vocab.ends_with(List::RequestTypeSuffixes, &tname) && !tname.is_empty();
                if self.is_guard(p) {
                    return Some((i, p, None));
                }
                (p.is_identity && named).then_some((i, p, Some(tname)))
            })
            .map(|(i, p, tname)| {
                let request = match tname {
                    None => self.guard_is_request(p),
                    Some(tname) => {
                        self.vocab.ends_with(List::RequestTypeSuffixes, &tname) && !tname.is_empty()
                            || self.vocab.is(List::RequestNames, &p.name)
                    }
                };
                (LocalId::new(i + offset), request)
            })
            .collect()
    }

    /// The call model for one body of `file` (a closure's captures typed as its
    /// parent's locals), sharing the crate's memo of call effects.
    fn calls_for(&self, file: usize, body: BodyId) -> TypedCalls<'_> {
        const NO_TYPES: &BodyTypes = &BodyTypes { locals: Vec::new(), ret: Type::Unknown };
        let types = self.types[file].get(body.index()).unwrap_or(NO_TYPES);
        let captures = match self.ir(file).bodies.get(body.index()).map(|b| &b.kind) {
            Some(BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent }) => {
                self.types[file].get(parent.index()).map(|t| t.locals.as_slice()).unwrap_or(&[])
            }
            _ => &[],
        };
        TypedCalls {
            file: self.ir(file),
            body,
            types,
            captures,
            tables: &self.tables,
            scope: self.scopes[file],
            vocab: self.vocab,
            file_types: &self.types[file],
            depth: 0,
            closure_memo: Default::default(),
            effects_memo: &self.effects_memo,
            helpers: Some(self),
            owners: &self.owners,
        }
    }

    /// The fn a body is nested in (itself for a fn).
    fn root(&self, file: usize, id: BodyId) -> BodyId {
        self.types[file].root(id)
    }

    /// The body and the bodies it is nested in, up to its fn.
    fn chain(&self, file: usize, id: BodyId) -> Vec<BodyId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(body) = self.ir(file).bodies.get(current.index()) {
            match body.kind {
                BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent } if chain.len() < 16 => {
                    chain.push(parent);
                    current = parent;
                }
                _ => break,
            }
        }
        chain
    }

    /// What a closure's captured locals hold where the closure is created.
    fn captures(&self, file: usize, id: BodyId, parent: BodyId) -> Captures {
        if let Some(known) = self.captures_memo.borrow().get(&(file, id)) {
            return known.clone();
        }
        let out = self.compute_captures(file, id, parent);
        self.captures_memo.borrow_mut().insert((file, id), out.clone());
        out
    }

    fn compute_captures(&self, file: usize, id: BodyId, parent: BodyId) -> Captures {
        let mut out = BTreeMap::new();
        let parent_body = &self.ir(file).bodies[parent.index()];
        let calls = self.calls_for(file, parent);
        let Some(solved) = self.solve(file, parent, &calls) else { return out };
        for block in parent_body.block_ids() {
            for (i, stmt) in parent_body.block(block).stmts.iter().enumerate() {
                if stmt.value == Rvalue::Closure(id) {
                    let location = Location::new(block, i);
                    let state = solved.provenance.state_before(location);
                    let body = &self.ir(file).bodies[id.index()];
                    for b in body.block_ids() {
                        for st in &body.block(b).stmts {
                            if let Rvalue::Use(Operand::Capture(l)) = &st.value {
                                let values = solved.provenance.analysis.operand(
                                    &state,
                                    &Operand::Place(pairlint_base::ir::Place::local(*l)),
                                    location,
                                );
                                out.insert(*l, values);
                            }
                        }
                    }
                    return out;
                }
            }
        }
        out
    }

    fn solve<'b>(&'b self, file: usize, id: BodyId, calls: &'b TypedCalls<'b>) -> Option<Solved<'b>> {
        let ir = self.ir(file);
        let body = ir.bodies.get(id.index())?;
        let chain = self.chain(file, id);
        let mut analysis = ProvenanceAnalysis::new(body, calls);
        if let Some(&parent) = chain.get(1) {
            analysis = analysis.with_captures(self.captures(file, id, parent));
        }
        let provenance = solve(analysis, body);
        let root = *chain.last().unwrap_or(&id);
        let identity = self.identity_params(file, root);
        let vocab = self.vocab;
        let owners = &self.owners;
        let is_owner_field = move |name: &str| owners.is_owner_field(name);
        let is_identity = |p: &Provenance| is_identity(p, &identity, vocab);
        let types = self.types[file].get(id.index());
        let checks_model =
            HelperChecks { cx: self, types, vocab: VocabChecks { vocab: self.vocab, tables: &self.tables } };
        let inputs = CheckInputs {
            bodies: ir as &dyn Bodies,
            checks: &checks_model,
            vocabulary: CheckVocabulary { is_owner_field: &is_owner_field, is_identity: &is_identity },
        };
        let checks = solve(OwnerCheck::new(&provenance, inputs), body);
        Some(Solved { file, body, chain, identity, provenance, checks })
    }

    /// Reads the flow of one body off its solved analyses.
    fn flow(&self, file: usize, id: BodyId) -> FnFlow {
        let body = &self.ir(file).bodies[id.index()];
        let root = self.root(file, id);
        // A closure or async block acts for its fn's requester (a spawned task, a
        // callback); its own parameters are not the requester's.
        let func = self.func(file, id).or_else(|| self.func(file, root));
        let mut flow = FnFlow {
            file,
            body: id,
            name: body.qualified.rsplit("::").next().unwrap_or(&body.qualified).to_string(),
            per_requester: self.is_requester(file, if self.func(file, id).is_some() { id } else { root }),
            identity: func.and_then(|f| self.identity_label(file, root, f)),
            takes: Vec::new(),
            sinks: Vec::new(),
            bindings: Vec::new(),
        };
        let empty = BodyTypes::default();
        let types = self.types[file].get(id.index()).unwrap_or(&empty);
        let calls = self.calls_for(file, id);
        let Some(solved) = self.solve(file, id, &calls) else { return flow };
        let mut take_index: BTreeMap<Provenance, usize> = BTreeMap::new();
        let is_fn = matches!(body.kind, BodyKind::Fn { .. });
        for block in body.block_ids() {
            let bb = body.block(block);
            for (i, stmt) in bb.stmts.iter().enumerate() {
                let location = Location::new(block, i);
                if let Rvalue::Call(call) = &stmt.value {
                    for (what, operands, steps) in self.call_sinks(call, types) {
                        self.add_sink(&solved, &mut flow, &mut take_index, location, call.span, what, &operands, steps);
                    }
                }
            }
            if let Terminator::Return(op) = &bb.term {
                // A helper's callers see what it returns (through its summary); only
                // what an entry point returns leaves the program.
                if is_fn
                    && !self.called.contains(&(file, id))
                    && !self.entry_excluded.contains(&(file, id))
                    && returned_variant(body, block, op).as_deref() != Some("Err")
                {
                    for (location, span, value) in return_values(body, block, op) {
                        self.add_sink(
                            &solved,
                            &mut flow,
                            &mut take_index,
                            location,
                            span,
                            "returned to the requester".into(),
                            std::slice::from_ref(&value),
                            Vec::new(),
                        );
                    }
                }
            }
        }
        // Bindings the items flow through, for labels.
        for (block_id, bb) in body.blocks.iter().enumerate() {
            for (i, stmt) in bb.stmts.iter().enumerate() {
                let Some(local) = stmt.dest.base_local() else { continue };
                if !stmt.dest.projections.is_empty() {
                    continue;
                }
                let Some(name) = &body.local(local).name else { continue };
                let location = Location::new(pairlint_base::ir::BlockId::new(block_id), i + 1);
                let state = solved.provenance.state_before(location);
                let values = state.of_local(local);
                for p in &values {
                    // A positional take on a keyed lookup's miss path, bound to the same
                    // name as that lookup's hit (`let parcel = mine.or_else(||
                    // queue.pop_front())`), stands in for the requester's own item
                    // whatever is done with it next (a locker opened by its number is
                    // handed over too). A take on the miss path kept apart from the
                    // lookup's value is not this.
                    if !take_index.contains_key(p) && self.may_be_fallback(&solved, p) {
                        if let Some(take) = self.item_of(&solved, p).and_then(|item| self.take_of(&solved, &item)) {
                            let replaces_hit = take.how == How::Positional
                                && take.on_miss_of.as_ref().is_some_and(|(lookup, _)| {
                                    values.iter().any(|v| {
                                        v != p && self.keyed_lookup(&solved, v).is_some_and(|(s, _)| s == *lookup)
                                    })
                                });
                            if replaces_hit {
                                take_index.insert(p.clone(), flow.takes.len());
                                flow.takes.push(take);
                            }
                        }
                    }
                    if let Some(&t) = take_index.get(p) {
                        flow.bindings.push((t, body.local(local).span, name.clone()));
                    }
                }
            }
        }
        flow.bindings.sort_by_key(|(t, s, _)| (*t, s.byte_start));
        flow.bindings.dedup();
        flow
    }

    /// The outputs a call makes: (what, operands, steps).
    fn call_sinks(&self, call: &Call, types: &BodyTypes) -> Vec<CallSink> {
        let mut out = Vec::new();
        let name = call.callee.name();
        if name.is_empty() {
            return out;
        }
        // A crate helper that outputs its parameters.
        if let Some(summary) = self.helper_summary(call, types) {
            let offset = usize::from(call.receiver.is_some());
            for (param, steps) in &summary.outputs_params {
                let operand = if *param == 0 && offset == 1 {
                    call.receiver.clone()
                } else {
                    call.args.get(param - offset).cloned()
                };
                if let Some(op) = operand {
                    out.push((format!("passed to `{name}`, which outputs it"), vec![op], steps.clone()));
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
        let is_output = self.vocab.starts_with(List::OutputCalls, &name.to_lowercase());
        if is_output && !call.args.is_empty() {
            out.push((format!("passed to `{name}`"), call.args.clone(), Vec::new()));
        }
        out
    }

    /// The summary of the crate fn a call resolves to. A path call resolves by name
    /// (its last segments when several fns share it); a method call by its receiver's
    /// inferred type: a method of a type the model does not know is never guessed by
    /// name (`self.printer.print(..)` is not the crate's own `print`).
    fn helper_summary(&self, call: &Call, types: &BodyTypes) -> Option<&Summary> {
        self.summaries.get(&self.resolve_helper(call, types)?)
    }

    /// The crate fn body a call resolves to (see [`Ctx::helper_summary`]).
    fn resolve_helper(&self, call: &Call, types: &BodyTypes) -> Option<(usize, BodyId)> {
        let target = match &call.callee {
            Callee::Path(segments) => {
                let candidates = self.by_name.get(segments.last()?)?;
                // The qualifier as written, joined once (not once per candidate).
                let tail =
                    (candidates.len() >= 2 && segments.len() >= 2).then(|| segments[segments.len() - 2..].join("::"));
                let matching: Vec<&(usize, BodyId)> = candidates
                    .iter()
                    .filter(|(f, b)| {
                        tail.as_ref()
                            .is_none_or(|tail| self.ir(*f).bodies[b.index()].qualified.ends_with(tail.as_str()))
                    })
                    .collect();
                (matching.len() == 1).then(|| *matching[0])?
            }
            Callee::Method(name) => {
                let receiver = match call.receiver.as_ref()? {
                    Operand::Place(place) => self.place_type(place, types)?,
                    _ => return None,
                };
                let receiver = unwrap_shared(&receiver);
                let implementor;
                let type_name = match &receiver {
                    // `dyn Spool` / `impl Spool`: the trait's one implementation in the
                    // crate, if it has exactly one.
                    Type::Opaque { bounds, .. } => {
                        let impls: Vec<String> = self
                            .tables
                            .methods_named(name)
                            .iter()
                            .filter(|info| {
                                info.trait_name.as_deref().is_some_and(|t| {
                                    let t = t.rsplit("::").next().unwrap_or(t);
                                    bounds.iter().any(|b| b.trait_name.rsplit("::").next() == Some(t))
                                })
                            })
                            .filter_map(|info| info.self_ty.as_ref()?.name().map(str::to_string))
                            .collect();
                        if impls.len() != 1 {
                            return None;
                        }
                        implementor = impls[0].clone();
                        implementor.as_str()
                    }
                    other => other.name()?,
                };
                let type_name = type_name.rsplit("::").next().unwrap_or(type_name);
                match self.by_method.get(&(name.clone(), type_name.to_string()))?.as_slice() {
                    [only] => *only,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(target)
    }

    fn place_type(&self, place: &pairlint_base::ir::Place, types: &BodyTypes) -> Option<Type> {
        place_type(&self.tables, place, types)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_sink(
        &self,
        solved: &Solved<'_>,
        flow: &mut FnFlow,
        take_index: &mut BTreeMap<Provenance, usize>,
        location: Location,
        span: Span,
        what: String,
        operands: &[Operand],
        steps: Vec<(usize, Span, String)>,
    ) {
        let state = solved.provenance.state_before(location);
        let check_state = solved.checks.state_before(location);
        let mut items = Vec::new();
        for op in operands {
            let mut values = solved.provenance.analysis.operand(&state, op, location);
            // A value built around the item (`Response { body: img }`, `Json(img)`)
            // carries it: its written fields are read too.
            if let Operand::Place(place) = op {
                if let (Some(local), true) = (place.base_local(), place.projections.is_empty()) {
                    for (path, set) in state.places() {
                        if path.local == local && !path.fields.is_empty() {
                            values.extend(set.iter().cloned());
                        }
                    }
                }
            }
            for p in values {
                let Some(item) = self.item_of(solved, &p) else { continue };
                let checked = self.checked_here(solved, check_state.as_ref(), &item);
                let Some(take) = self.take_of(solved, &item) else { continue };
                let index = *take_index.entry(item.clone()).or_insert_with(|| {
                    flow.takes.push(take);
                    flow.takes.len() - 1
                });
                items.push((index, checked));
            }
        }
        items.sort();
        items.dedup();
        if !items.is_empty() {
            flow.sinks.push(Sink { span, what, items, steps });
        }
    }

    /// A cheap test before [`Ctx::take_of`] for a bound value: a positional element, or
    /// the result of a call that may take one (a fallback closure's, a helper's).
    fn may_be_fallback(&self, solved: &Solved<'_>, p: &Provenance) -> bool {
        match p {
            Provenance::Element { how: Selection::Positional, .. } => true,
            Provenance::CallResult(site) => {
                let Some((body, stmt)) = self.site_stmt(solved, *site) else { return false };
                let Rvalue::Call(call) = &stmt.value else { return false };
                matches!(solved.provenance.analysis.call_effect(call), crate::dataflow::CallEffect::ReceiverOrElse(_))
                    || self.types[solved.file]
                        .get(body.index())
                        .and_then(|t| self.helper_summary(call, t))
                        .is_some_and(|summary| matches!(summary.returns_take, Some((How::Positional, ..))))
            }
            _ => false,
        }
    }

    /// Whether `item` is the requester's at a point whose check state is `state`
    /// (`None`: no path reaches it): owner-checked on every path, or theirs by how it
    /// was chosen. Outputs and helper summaries both ask this, so a helper returning
    /// `members.get(&user_id)` is no more a finding than the same code inline.
    fn checked_here(&self, solved: &Solved<'_>, state: Option<&CheckState>, item: &Provenance) -> bool {
        state.is_none_or(|s| s.is_checked(item))
            || self.selected_for_requester(solved, item)
            || self.keyed_by_owner(solved, item)
    }

    /// The item was looked up by the requester's identity under an owner's name
    /// (`members.get(&user_id)`, `by_card.get(&cmd.card_id)`): a map keyed by its
    /// owners gives each requester their own entry. A ticket or id that only names
    /// the item (`images.get(&cmd.ticket)`) is not this: holding one proves nothing.
    fn keyed_by_owner(&self, solved: &Solved<'_>, item: &Provenance) -> bool {
        let Provenance::Element { how: Selection::Keyed(key), of, .. } = item else { return false };
        if !is_identity(key, &solved.identity, self.vocab) {
            return false;
        }
        // A table read by a column (`WHERE owner_id = $1`): the column is the key's name.
        // A column that names an identity (`WHERE token = $1`, `username`) bound to the
        // requester's identity is their own row too (their session, their account).
        if let Some(column) = store_column(of) {
            return self.owners.is_owner_field(column) || self.vocab.is(List::IdentityNames, column);
        }
        let name = match &**key {
            Provenance::Param(l) | Provenance::Captured(l) => self.param_name(solved, *l),
            Provenance::PartOf { field, .. } => field.clone(),
            _ => return false,
        };
        self.owners.is_owner_field(&name)
    }

    /// The item was chosen by a predicate computed from the requester: its closure
    /// uses the requester's identity or a record looked up by it (a permission check
    /// on the requester's own member record). It is selected for them, not someone's
    /// taken at random. (A closure captures only what it reads.)
    fn selected_for_requester(&self, solved: &Solved<'_>, item: &Provenance) -> bool {
        let Provenance::Element { how: Selection::Predicate(Some(closure)), .. } = item else { return false };
        let Some(&parent) = solved.chain.first() else { return false };
        let identity = &solved.identity;
        let from_requester = |p: &Provenance| {
            let mut current = p;
            loop {
                if is_identity(current, identity, self.vocab) {
                    return true;
                }
                match current {
                    Provenance::Element { how: Selection::Keyed(key), .. } => {
                        return is_identity(key, identity, self.vocab)
                    }
                    Provenance::PartOf { whole, .. } | Provenance::Derived(whole) => current = whole,
                    _ => return false,
                }
            }
        };
        self.captures(solved.file, *closure, parent).values().flatten().any(from_requester)
    }

    /// The item a value is or carries: the value itself if it is an element (or a
    /// helper's take), or the element whose content field it is.
    fn item_of(&self, solved: &Solved<'_>, p: &Provenance) -> Option<Provenance> {
        match p {
            Provenance::Element { .. } => Some(p.clone()),
            Provenance::CallResult(_) => Some(p.clone()),
            Provenance::PartOf { whole, field } => {
                let Some(item) = self.item_of(solved, whole) else {
                    // A slot of shared state holding a user-bound item (`self.current`,
                    // `self.held.take()`) is an item fetched from shared state.
                    return self.is_shared_slot(solved, p).then(|| p.clone());
                };
                // `slot.id`, `job.len`: a scalar is not the item's content.
                let ty = self.term_type(solved, whole).and_then(|t| item_field_type(&self.tables, &t, field));
                match ty {
                    Some(t) if is_scalar(&t) => None,
                    Some(_) => Some(item),
                    None if id_like(field) => None,
                    None => Some(item),
                }
            }
            _ => None,
        }
    }

    /// The term is a field of shared state whose type is (an `Option` of) a
    /// user-bound item.
    fn is_shared_slot(&self, solved: &Solved<'_>, p: &Provenance) -> bool {
        let Some(ty) = self.term_type(solved, p) else { return false };
        let item = peel_item(&ty);
        is_user_bound_item(&item, &self.tables, &self.owners)
            && !self.holds_shared_state(&item)
            && self.describe(solved, p, 0).is_some_and(|(_, shared)| shared)
    }

    /// A struct with a field of shared state (an `Arc`, a lock, a channel, maybe in an
    /// `Option`) is a component of the service (a database handle that knows its
    /// owner), not a person's item sitting in a slot.
    fn holds_shared_state(&self, ty: &Type) -> bool {
        self.tables.struct_info(ty).is_some_and(|info| {
            info.fields.iter().any(|(_, f)| {
                let f = match named(f) {
                    Some((n, [inner])) if n.rsplit("::").next() == Some("Option") => inner,
                    _ => f,
                };
                is_shared_type(f)
            })
        })
    }

    /// The first statement of the body that reads the value `p` (for a label's span).
    fn first_read(&self, solved: &Solved<'_>, p: &Provenance) -> Option<Span> {
        let body = solved.body;
        for block in crate::dataflow::reverse_postorder(body) {
            for (i, stmt) in body.block(block).stmts.iter().enumerate() {
                let location = Location::new(block, i);
                let state = solved.provenance.state_before(location);
                let operands: Vec<Operand> = match &stmt.value {
                    Rvalue::Use(op) => vec![op.clone()],
                    Rvalue::Ref { place, .. } => vec![Operand::Place(place.clone())],
                    Rvalue::Call(call) => call.receiver.iter().cloned().collect(),
                    _ => Vec::new(),
                };
                if operands.iter().any(|op| solved.provenance.analysis.operand(&state, op, location).contains(p)) {
                    return Some(match &stmt.value {
                        Rvalue::Call(call) => call.span,
                        _ => stmt.span,
                    });
                }
            }
        }
        None
    }

    /// The type of a provenance term, where the tables know it.
    fn term_type(&self, solved: &Solved<'_>, p: &Provenance) -> Option<Type> {
        match p {
            Provenance::Param(l) => {
                let root = *solved.chain.last()?;
                Some(self.types[solved.file].get(root.index())?.local(*l).clone())
            }
            Provenance::Static(path) => self.tables.static_type(path).cloned(),
            Provenance::PartOf { whole, field } => {
                let whole = self.term_type(solved, whole)?;
                item_field_type(&self.tables, &whole, field)
            }
            Provenance::Element { site, of, .. } => {
                let (body, stmt) = self.site_stmt(solved, *site)?;
                let local = stmt.dest.base_local()?;
                let ty = self.types[solved.file].get(body.index())?.local(local).clone();
                if !ty.is_unknown() {
                    return Some(ty);
                }
                // Made at a crate helper's call (its summary's element): what the
                // helper is declared to return, when the caller's inference did not
                // type the call (a fn of another module).
                if let Rvalue::Call(call) = &stmt.value {
                    let resolved =
                        self.types[solved.file].get(body.index()).and_then(|t| self.resolve_helper(call, t)).is_some();
                    let declared = match &call.callee {
                        Callee::Path(_) => self.tables.fns_named(call.callee.name()),
                        Callee::Method(name) => self.tables.methods_named(name),
                        _ => &[],
                    };
                    if let ([info], true) = (declared, resolved) {
                        if !info.ret.is_unknown() {
                            return Some(info.ret.clone());
                        }
                    }
                }
                // A query's row: the type `query_as` names.
                if let Some(row) = self.store_query_at(solved, *site).and_then(|q| q.row) {
                    let segments: Vec<String> = row.split("::").map(str::to_string).collect();
                    let written =
                        pairlint_base::sigs::WrittenTy::Path { segments, args: Vec::new(), bindings: Vec::new() };
                    let ty = self.tables.resolver(self.scopes[solved.file], &[], None).resolve(&written);
                    return Some(ty).filter(|t| !t.is_unknown());
                }
                // The call's result was not typed (a receiver behind a wrapper the
                // model lacks): the collection's element type, if its type is known.
                self.term_type(solved, of).and_then(|coll| element_type(&coll))
            }
            Provenance::CallResult(site) => {
                let (body, stmt) = self.site_stmt(solved, *site)?;
                let local = stmt.dest.base_local()?;
                Some(self.types[solved.file].get(body.index())?.local(local).clone())
            }
            _ => None,
        }
        .filter(|t| !t.is_unknown())
    }

    /// The sqlx query made at `site`, if the statement there is one.
    fn store_query_at(&self, solved: &Solved<'_>, site: Location) -> Option<crate::stores::sqlx::SqlxQuery> {
        let (_, stmt) = self.site_stmt(solved, site)?;
        let Rvalue::Call(call) = &stmt.value else { return None };
        self.sqlx_query(call)
    }

    /// The call's sqlx query; a bare `query(..)` only when the crate has no fn so named.
    fn sqlx_query(&self, call: &Call) -> Option<crate::stores::sqlx::SqlxQuery> {
        let bare = match &call.callee {
            Callee::Path(segments) if segments.len() == 1 => self.tables.fns_named(&segments[0]).is_empty(),
            _ => false,
        };
        crate::stores::sqlx::sqlx_query(call, bare)
    }

    /// The statement that created the values of `site`: in this body or, for values
    /// captured from an enclosing one, the nearest enclosing body whose statement there
    /// makes values (a call or an index). (Locations do not name their body; see the
    /// module doc.)
    fn site_stmt<'s>(&'s self, solved: &Solved<'_>, site: Location) -> Option<(BodyId, &'s pairlint_base::ir::Stmt)> {
        let ir = self.ir(solved.file);
        solved.chain.iter().find_map(|&b| {
            let stmt = ir.bodies.get(b.index())?.blocks.get(site.block.index())?.stmts.get(site.statement)?;
            let creates = matches!(&stmt.value, Rvalue::Call(_))
                || matches!(&stmt.value, Rvalue::Use(Operand::Place(p)) | Rvalue::Ref { place: p, .. }
                    if p.projections.iter().any(|x| matches!(x, pairlint_base::ir::Projection::Index(_) | pairlint_base::ir::Projection::ConstIndex(_))));
            creates.then_some((b, stmt))
        })
    }

    /// `State(state): State<..>`: the name a pattern parameter's field is bound to.
    fn destructured_name(&self, solved: &Solved<'_>, l: LocalId, field: &str) -> Option<String> {
        let root = solved.chain.last().copied()?;
        let body = self.ir(solved.file).bodies.get(root.index())?;
        if body.locals.get(l.index())?.name.is_some() {
            return None;
        }
        body.blocks.iter().flat_map(|b| &b.stmts).find_map(|stmt| match &stmt.value {
            Rvalue::Use(Operand::Place(place))
                if place.base_local() == Some(l)
                    && place.projections == [pairlint_base::ir::Projection::Field(field.to_string())] =>
            {
                body.locals.get(stmt.dest.base_local()?.index())?.name.clone()
            }
            _ => None,
        })
    }

    /// The provenance state before `site`, if the site is a statement of this body (a
    /// site captured from an enclosing body has no state here).
    fn state_here(&self, solved: &Solved<'_>, site: Location) -> Option<crate::dataflow::ProvenanceState> {
        let (body, _) = self.site_stmt(solved, site)?;
        if Some(&body) != solved.chain.first() {
            return None;
        }
        Some(solved.provenance.state_before(site))
    }

    /// The local's name in the fn the parameters belong to.
    fn param_name(&self, solved: &Solved<'_>, l: LocalId) -> String {
        let root = solved.chain.last().copied().unwrap_or(BodyId::new(0));
        self.ir(solved.file)
            .bodies
            .get(root.index())
            .and_then(|b| b.locals.get(l.index()))
            .and_then(|x| x.name.clone())
            .unwrap_or_else(|| l.to_string())
    }

    /// The take an item term stands for, if it was taken from a shared collection.
    fn take_of(&self, solved: &Solved<'_>, item: &Provenance) -> Option<Take> {
        let file = solved.file;
        match item {
            Provenance::Element { of, how, site } => {
                let how = match how {
                    Selection::Positional | Selection::At(_) => How::Positional,
                    Selection::Keyed(_) => How::Keyed,
                    Selection::Predicate(_) => How::Predicate,
                };
                let coll = self.shared_coll(solved, of)?;
                let (site_body, stmt) = self.site_stmt(solved, *site)?;
                let span = match &stmt.value {
                    Rvalue::Call(call) => call.span,
                    _ => stmt.span,
                };
                // Taken inside a crate helper, read through its summary at the call.
                let helper = match &stmt.value {
                    Rvalue::Call(call) => self.types[file]
                        .get(site_body.index())
                        .and_then(|t| self.helper_summary(call, t))
                        .map(|summary| (call.callee.name(), summary)),
                    _ => None,
                };
                let via = helper.map(|(name, _)| format!(" (via `{name}`)")).unwrap_or_default();
                let elem = self.term_type(solved, item).map(|t| peel_item(&t));
                // A field holding the collection's key is the item's own key (`ticket`
                // in a map keyed by tickets), not its owner.
                let key = self.term_type(solved, of).map(|t| unwrap_shared(&t)).and_then(|t| match how {
                    How::Keyed => named(&t).and_then(|(_, args)| args.first().cloned()),
                    _ => None,
                });
                let mut user_bound = elem
                    .as_ref()
                    .is_some_and(|t| is_user_bound_item_keyed(t, key.as_ref(), &self.tables, &self.owners));
                if store_name(of).is_some() {
                    // A row of a table is someone's when its type has an owner field or,
                    // with no type, the query lists an owner column; other rows (a
                    // public table, settings) are nobody's in particular.
                    if elem.is_none() {
                        let is_owner = |c: &str| self.owners.is_owner_field(c);
                        user_bound =
                            self.store_query_at(solved, *site).is_some_and(|q| q.lists_owner_column(&is_owner));
                    }
                    if !user_bound {
                        return None;
                    }
                }
                if how == How::Positional && elem.as_ref().is_some_and(|t| self.fungible(t)) {
                    return None;
                }
                let steps = helper
                    .and_then(|(_, summary)| {
                        summary.returns_steps.get(&how).or_else(|| summary.returns_steps.values().next())
                    })
                    .cloned()
                    .unwrap_or_default();
                Some(Take {
                    file,
                    span,
                    how,
                    coll: format!("`{coll}`{via}"),
                    typed: elem.is_some(),
                    user_bound,
                    steps,
                    on_miss_of: self.miss_context(solved, *site).or_else(|| self.eager_fallback(solved, item)),
                })
            }
            Provenance::PartOf { .. } => {
                let (coll, _) = self.describe(solved, item, 0)?;
                Some(Take {
                    file,
                    span: self.first_read(solved, item)?,
                    how: How::Keyed,
                    coll: format!("`{coll}`"),
                    typed: true,
                    user_bound: true,
                    steps: Vec::new(),
                    on_miss_of: None,
                })
            }
            Provenance::CallResult(site) => {
                let (body, stmt) = self.site_stmt(solved, *site)?;
                let Rvalue::Call(call) = &stmt.value else { return None };
                if let Some(take) = self.fallback_closure_take(solved, *site, call) {
                    return Some(take);
                }
                let summary = self.helper_summary(call, self.types[solved.file].get(body.index())?)?;
                let (how, coll, typed, user_bound, steps) = summary.returns_take.clone()?;
                let name = call.callee.name();
                Some(Take {
                    file,
                    span: call.span,
                    how,
                    coll: format!("{coll} (via `{name}`)"),
                    typed,
                    user_bound,
                    steps,
                    on_miss_of: self.miss_context(solved, *site).or_else(|| self.eager_fallback(solved, item)),
                })
            }
            _ => None,
        }
    }

    /// `lookup.unwrap_or_else(|| queue.pop_front())`: the item the fallback closure
    /// takes, which runs only when the receiver missed; the take is the closure's,
    /// on the miss path of the receiver's keyed lookup.
    fn fallback_closure_take(&self, solved: &Solved<'_>, site: Location, call: &Call) -> Option<Take> {
        let state = self.state_here(solved, site)?;
        let closure = call.args.iter().find_map(|op| {
            solved.provenance.analysis.operand(&state, op, site).into_iter().find_map(|p| match p {
                Provenance::Closure(b) => Some(b),
                _ => None,
            })
        })?;
        let receiver = call.receiver.as_ref()?;
        let lookup = solved
            .provenance
            .analysis
            .operand(&state, receiver, site)
            .iter()
            .find_map(|v| self.keyed_lookup(solved, v));
        let file = solved.file;
        let calls = self.calls_for(file, closure);
        let inner = self.solve(file, closure, &calls)?;
        let body = inner.body;
        for block in body.block_ids() {
            let bb = body.block(block);
            let Terminator::Return(op) = &bb.term else { continue };
            let location = Location::new(block, bb.stmts.len());
            let inner_state = inner.provenance.state_before(location);
            for p in inner.provenance.analysis.operand(&inner_state, op, location) {
                let Some(item) = self.item_of(&inner, &p) else { continue };
                let Some(mut take) = self.take_of(&inner, &item) else { continue };
                if take.how == How::Positional && take.on_miss_of.is_none() {
                    take.on_miss_of = lookup.clone();
                }
                return Some(take);
            }
        }
        None
    }

    /// The collection a term names, as text, if it is shared between requesters.
    fn shared_coll(&self, solved: &Solved<'_>, of: &Provenance) -> Option<String> {
        let (text, shared) = self.describe(solved, of, 0)?;
        shared.then_some(text)
    }

    /// (text, shared) of a collection term.
    fn describe(&self, solved: &Solved<'_>, p: &Provenance, depth: usize) -> Option<(String, bool)> {
        if depth > 8 {
            return None;
        }
        match p {
            Provenance::Static(path) => Some((path.clone(), true)),
            // A table's index by a column is the table.
            Provenance::PartOf { whole, .. } if store_column(p).is_some() => self.describe(solved, whole, depth + 1),
            Provenance::Param(l) => {
                let name = self.param_name(solved, *l);
                let ty = self.term_type(solved, p);
                let root = solved.chain.last().copied().unwrap_or(BodyId::new(0));
                let written_ref = self
                    .ir(solved.file)
                    .bodies
                    .get(root.index())
                    .and_then(|b| b.locals.get(l.index()))
                    .is_some_and(|x| matches!(x.ty, pairlint_base::model::Ty::Ref(_)));
                // A request extractor's value (an authentication guard) is built for this
                // request: the requester's own, not state shared between requesters.
                // So is the requester's identity itself (`Extension(auth)` that a
                // middleware put there): the requester's own, never someone else's item.
                let guard =
                    ty.as_ref().and_then(|t| t.peel_refs().name()).is_some_and(|n| self.guards.contains(short(n)))
                        || solved.identity.iter().any(|(id, _)| id == l);
                let shared = match &ty {
                    _ if guard => false,
                    Some(Type::Ref { .. }) => !(name == "self" && self.session_self(solved)),
                    Some(t) => is_shared_type(t),
                    None => written_ref,
                };
                Some((name, shared))
            }
            Provenance::PartOf { whole, field } => {
                if let Provenance::Param(l) = &**whole {
                    if let Some(name) = self.destructured_name(solved, *l, field) {
                        let shared = self.describe(solved, whole, depth + 1).is_some_and(|(_, s)| s)
                            || self.term_type(solved, p).as_ref().is_some_and(is_shared_type);
                        return Some((name, shared));
                    }
                }
                let (text, whole_shared) = self.describe(solved, whole, depth + 1)?;
                let field_ty = self.term_type(solved, p);
                let shared = whole_shared || field_ty.as_ref().is_some_and(is_shared_type);
                Some((format!("{text}.{field}"), shared))
            }
            Provenance::Element { of, .. } => {
                let (text, shared) = self.describe(solved, of, depth + 1)?;
                Some((format!("{text}[..]"), shared))
            }
            Provenance::CallResult(site) => {
                // An accessor (`self.queue()`) on a shared receiver gives shared state.
                let (_, stmt) = self.site_stmt(solved, *site)?;
                let Rvalue::Call(call) = &stmt.value else { return None };
                let Callee::Method(name) = &call.callee else { return None };
                let receiver = call.receiver.as_ref()?;
                let state = self.state_here(solved, *site)?;
                let roots = solved.provenance.analysis.operand(&state, receiver, *site);
                let root = roots.iter().find_map(|r| self.describe(solved, r, depth + 1))?;
                Some((format!("{}.{name}()", root.0), root.1))
            }
            _ => None,
        }
    }

    /// `self` is a per-session value (its type's name mentions a person or session):
    /// its own fields are not shared unless behind a lock or `Arc`.
    fn session_self(&self, solved: &Solved<'_>) -> bool {
        let root = solved.chain.last().copied().unwrap_or(BodyId::new(0));
        match &self.ir(solved.file).bodies[root.index()].kind {
            BodyKind::Fn { self_ty: Some(t), .. } => self.vocab.mentions(List::IdentityNames, t),
            _ => false,
        }
    }

    /// A struct of the crate that nothing ties to a person: a pool of interchangeable
    /// things (buffers, connections), not a queue of people's items.
    fn fungible(&self, ty: &Type) -> bool {
        // Plain values (a number, bytes of a random code) are nobody's.
        if is_scalar(ty) || matches!(ty, Type::Slice(inner) if is_scalar(inner)) {
            return true;
        }
        let Some(info) = self.tables.struct_info(ty) else { return false };
        let name = ty.name().unwrap_or("");
        !self.vocab.mentions(List::IdentityNames, name.rsplit("::").next().unwrap_or(name))
            && !info
                .fields
                .iter()
                .any(|(n, _)| self.owners.is_owner_field(n) || self.vocab.mentions(List::IdentityNames, n))
    }

    /// `lookup.or(queue.pop())`: the item is the argument of a call that uses it only
    /// when its receiver, a keyed lookup, missed (though it was taken either way).
    fn eager_fallback(&self, solved: &Solved<'_>, item: &Provenance) -> Option<(Span, String)> {
        let body = solved.body;
        for block in body.block_ids() {
            for (i, stmt) in body.block(block).stmts.iter().enumerate() {
                let Rvalue::Call(call) = &stmt.value else { continue };
                let crate::dataflow::CallEffect::ReceiverOrArgument(arg) = solved.provenance.analysis.call_effect(call)
                else {
                    continue;
                };
                let location = Location::new(block, i);
                let state = solved.provenance.state_before(location);
                let Some(op) = call.args.get(arg) else { continue };
                if !solved.provenance.analysis.operand(&state, op, location).contains(item) {
                    continue;
                }
                let receiver = call.receiver.as_ref()?;
                if let Some(lookup) = solved
                    .provenance
                    .analysis
                    .operand(&state, receiver, location)
                    .iter()
                    .find_map(|v| self.keyed_lookup(solved, v))
                {
                    return Some(lookup);
                }
            }
        }
        None
    }

    /// If the take at `site` runs only after a keyed lookup missed, that lookup: every
    /// path from the entry to the take's block leaves a switch on a keyed lookup by
    /// its miss edge (`None`, `Err`). Paths join where a failed match guard dispatches
    /// again (`Some(x) if x.owner == me => x, None => queue.pop_front()`), so each
    /// predecessor of a join must lead back to a miss.
    fn miss_context(&self, solved: &Solved<'_>, site: Location) -> Option<(Span, String)> {
        // Only a take of this body has a path in this body's graph.
        self.state_here(solved, site)?;
        let preds = predecessors(solved.body);
        let mut memo = BTreeMap::new();
        self.miss_before(solved, &preds, site.block, &mut memo, &mut 0)
    }

    /// The keyed lookup whose miss edge every path into `block` comes through.
    fn miss_before(
        &self,
        solved: &Solved<'_>,
        preds: &[Vec<pairlint_base::ir::BlockId>],
        block: pairlint_base::ir::BlockId,
        memo: &mut BTreeMap<pairlint_base::ir::BlockId, Option<(Span, String)>>,
        budget: &mut usize,
    ) -> Option<(Span, String)> {
        if let Some(known) = memo.get(&block) {
            return known.clone();
        }
        *budget += 1;
        if *budget > 64 {
            return None;
        }
        // A block reached again before it is decided is on a loop: not a miss path.
        memo.insert(block, None);
        let body = solved.body;
        let p = preds.get(block.index())?;
        let mut found = None;
        for &pred in p {
            let bb = body.block(pred);
            let mut here = None;
            if let Terminator::SwitchVariant { scrutinee, targets, otherwise } = &bb.term {
                let on_miss = targets.iter().any(|(v, b)| *b == block && (v == "None" || v == "Err"))
                    || (*otherwise == Some(block) && targets.iter().all(|(v, _)| v == "Some" || v == "Ok"));
                if on_miss {
                    let location = Location::new(pred, bb.stmts.len());
                    let state = solved.provenance.state_before(location);
                    let values = solved.provenance.analysis.place(&state, scrutinee, location);
                    here = values.iter().find_map(|v| self.keyed_lookup(solved, v));
                }
            }
            let here = match here {
                Some(lookup) => lookup,
                None => self.miss_before(solved, preds, pred, memo, budget)?,
            };
            found.get_or_insert(here);
        }
        memo.insert(block, found.clone());
        found
    }

    /// The keyed lookup a value comes from: an element taken by key from a shared
    /// collection, or a crate helper's keyed take.
    fn keyed_lookup(&self, solved: &Solved<'_>, v: &Provenance) -> Option<(Span, String)> {
        match v {
            Provenance::Element { how: Selection::Keyed(_) | Selection::Predicate(_), of, site }
            | Provenance::IndexOf { of, site, .. } => {
                let coll = self.shared_coll(solved, of)?;
                let (_, stmt) = self.site_stmt(solved, *site)?;
                let span = if let Rvalue::Call(c) = &stmt.value { c.span } else { stmt.span };
                Some((span, format!("`{coll}`")))
            }
            Provenance::CallResult(site) => {
                let (body, stmt) = self.site_stmt(solved, *site)?;
                let Rvalue::Call(call) = &stmt.value else { return None };
                let summary = self.helper_summary(call, self.types[solved.file].get(body.index())?)?;
                match (&summary.returns_take, &summary.returns_lookup) {
                    (Some((How::Keyed | How::Predicate, coll, ..)), _) | (_, Some(coll)) => {
                        Some((call.span, coll.clone()))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether the fn can have a non-empty summary: it returns a value (an item, a
    /// check's `bool` or `Result`), or it calls an output or a crate fn (which may
    /// output its parameters). A fn returning `()` that does neither has nothing to
    /// tell its callers, and most of a crate's called fns are such.
    fn may_have_summary(&self, file: usize, id: BodyId) -> bool {
        let body = &self.ir(file).bodies[id.index()];
        let returns_unit = match &body.ret {
            pairlint_base::model::Ty::Unknown => true,
            pairlint_base::model::Ty::Tuple(parts) => parts.is_empty(),
            _ => false,
        };
        if !returns_unit {
            return true;
        }
        let empty = BodyTypes::default();
        // The fn and the closures inside it.
        let bodies = self
            .ir(file)
            .bodies
            .iter()
            .enumerate()
            .filter(|(_, b)| b.span.byte_start >= body.span.byte_start && b.span.byte_end <= body.span.byte_end)
            .filter(|(i, _)| self.root(file, BodyId::new(*i)) == id);
        for (i, b) in bodies {
            let types = self.types[file].get(i).unwrap_or(&empty);
            for stmt in b.blocks.iter().flat_map(|bb| &bb.stmts) {
                let Rvalue::Call(call) = &stmt.value else { continue };
                let name = call.callee.name();
                if self.vocab.starts_with(List::OutputCalls, &name.to_lowercase())
                    || self.resolve_helper(call, types).is_some()
                {
                    return true;
                }
            }
        }
        false
    }

    /// Whether the fn is a check helper: for a parameter `p`, every `true` (bool), every
    /// `Ok` (with some `Err`), or every return (it panics otherwise) has `p` checked.
    fn check_summary(
        &self,
        file: usize,
        id: BodyId,
        solved: &Solved<'_>,
    ) -> Option<(usize, Option<usize>, CheckOutcome)> {
        let body = solved.body;
        let params = body.params as usize;
        let identity = self.identity_params(file, id).first().map(|(l, _)| l.index());
        let mut returns = Vec::new();
        for block in body.block_ids() {
            let bb = body.block(block);
            let Terminator::Return(op) = &bb.term else { continue };
            let location = Location::new(block, bb.stmts.len());
            let Some(state) = solved.checks.state_before(location) else { continue };
            let variant = returned_variant(body, block, op);
            returns.push((op.clone(), state, variant));
        }
        if returns.is_empty() {
            return None;
        }
        for p in 0..params {
            if Some(p) == identity {
                continue;
            }
            let value = Provenance::Param(LocalId::new(p));
            // The condition each return's value carries (a bool, or an `Ok`/`Err`).
            let condition = |op: &Operand, state: &CheckState| {
                let local = match op {
                    Operand::Place(place) if place.projections.is_empty() => place.base_local(),
                    _ => None,
                };
                local.and_then(|l| state.conditions.get(&l).cloned())
            };
            let checked_when_true = |kind: crate::dataflow::ConditionKind| {
                returns.iter().all(|(op, state, _)| {
                    condition(op, state).is_some_and(|c| {
                        c.kind == kind && c.when_true.as_ref().is_none_or(|facts| facts.contains(&value))
                    })
                })
            };
            if checked_when_true(crate::dataflow::ConditionKind::Bool) {
                return Some((p, identity, CheckOutcome::ReturnsBool));
            }
            let result_checked = checked_when_true(crate::dataflow::ConditionKind::Result);
            let can_fail =
                returns.iter().any(|(op, state, _)| condition(op, state).is_some_and(|c| c.when_false.is_some()));
            if result_checked && can_fail {
                return Some((p, identity, CheckOutcome::ReturnsResult));
            }
            let oks: Vec<_> = returns.iter().filter(|(_, _, v)| v.as_deref() != Some("Err")).collect();
            let has_err = oks.len() < returns.len();
            if !oks.is_empty() && oks.iter().all(|(_, state, _)| state.is_checked(&value)) {
                let outcome = if has_err { CheckOutcome::ReturnsResult } else { CheckOutcome::Panics };
                return Some((p, identity, outcome));
            }
        }
        None
    }

    /// A fn's summary from its flow.
    fn summarize(&self, file: usize, id: BodyId) -> Summary {
        let body = &self.ir(file).bodies[id.index()];
        let empty = BodyTypes::default();
        let types = self.types[file].get(id.index()).unwrap_or(&empty);
        let calls = self.calls_for(file, id);
        let Some(solved) = self.solve(file, id, &calls) else { return Summary::default() };
        let mut summary = Summary { checks: self.check_summary(file, id, &solved), ..Summary::default() };
        for block in body.block_ids() {
            let bb = body.block(block);
            // What it returns (an `Err`'s payload is never the item).
            let returned = match &bb.term {
                Terminator::Return(op) if returned_variant(body, block, op).as_deref() != Some("Err") => Some(op),
                _ => None,
            };
            if let Some(op) = returned {
                let location = Location::new(block, bb.stmts.len());
                let state = solved.provenance.state_before(location);
                let check_state = solved.checks.state_before(location);
                let values = solved.provenance.analysis.operand(&state, op, location);
                let checked = |p: &Provenance| {
                    self.item_of(&solved, p).is_some_and(|i| self.checked_here(&solved, check_state.as_ref(), &i))
                };
                // Unchecked and built from the parameters: the callers see it as their
                // own take, made at the call. One site makes one value: the same
                // element seen through a collection the summary cannot name (a
                // poisoned lock's `into_inner`) is that value, not another.
                let transferable: BTreeSet<Provenance> =
                    values.iter().filter(|p| p.is_transferable() && !checked(p)).cloned().collect();
                let sites: BTreeSet<Location> = transferable.iter().filter_map(element_site).collect();
                for p in values {
                    if transferable.contains(&p) {
                        summary.returns.values.insert(self.index_from_param(&solved, &p));
                        if let Some(take) = self.item_of(&solved, &p).and_then(|i| self.take_of(&solved, &i)) {
                            let steps = inside_steps(file, &body.qualified, &take);
                            summary.returns_steps.entry(take.how).or_insert(steps);
                        }
                        continue;
                    }
                    if element_site(&p).is_some_and(|s| sites.contains(&s)) {
                        continue;
                    }
                    let Some(item) = self.item_of(&solved, &p) else { continue };
                    let checked = checked(&p);
                    // The call's own result stands for what the terms cannot say, when
                    // its callers have something to read of it (a take, a lookup that
                    // can miss); anything else (an error's payload, a computed value)
                    // is no item to them.
                    let lookup = self.keyed_lookup(&solved, &item);
                    if lookup.is_none() && (checked || self.take_of(&solved, &item).is_none()) {
                        continue;
                    }
                    summary.returns.opaque = true;
                    if summary.returns_lookup.is_none() {
                        summary.returns_lookup = lookup.map(|(_, coll)| coll);
                    }
                    if checked {
                        continue;
                    }
                    if let Some(take) = self.take_of(&solved, &item) {
                        let steps = inside_steps(file, &body.qualified, &take);
                        let better = match &summary.returns_take {
                            None => true,
                            Some((how, ..)) => take.how < *how,
                        };
                        if better {
                            summary.returns_take =
                                Some((take.how, take.coll.clone(), take.typed, take.user_bound, steps));
                        }
                    }
                }
            }
            // Parameters that reach an output (one walk of the block, not a replay of
            // it per call).
            if !bb
                .stmts
                .iter()
                .any(|st| matches!(&st.value, Rvalue::Call(call) if !self.call_sinks(call, types).is_empty()))
            {
                continue;
            }
            solved.provenance.walk_block(block, |location, state, stmt| {
                let Rvalue::Call(call) = &stmt.value else { return };
                for (what, operands, steps) in self.call_sinks(call, types) {
                    for op in &operands {
                        for p in solved.provenance.analysis.operand(state, op, location) {
                            if let Some(param) = param_root(&p) {
                                if param.index() < body.params as usize {
                                    let mut s = steps.clone();
                                    s.insert(0, (file, call.span, format!("`{}`: {what}", short(&body.qualified))));
                                    summary.outputs_params.entry(param.index()).or_insert(s);
                                }
                            }
                        }
                    }
                }
            });
        }
        // Only parameters' elements and parts are worth substituting: a helper that
        // returns nothing but fresh values keeps its call's own result.
        if !summary
            .returns
            .values
            .iter()
            .any(|v| !matches!(v, Provenance::Fresh | Provenance::Static(_) | Provenance::Unknown))
        {
            summary.returns = crate::dataflow::HelperReturns::default();
        }
        summary
    }
}

impl Ctx<'_> {
    /// A returned element taken by position at an index the helper was given
    /// (`self.q.remove(i)`), as [`Selection::At`] that parameter, so each call site
    /// decides what the index is (a `position()` found by a predicate is a key).
    fn index_from_param(&self, solved: &Solved<'_>, p: &Provenance) -> Provenance {
        match p {
            Provenance::Element { of, how: Selection::Positional, site } => {
                let Some(Rvalue::Call(call)) = solved
                    .body
                    .blocks
                    .get(site.block.index())
                    .and_then(|b| b.stmts.get(site.statement))
                    .map(|s| &s.value)
                else {
                    return p.clone();
                };
                let Some(index) = call.args.first() else { return p.clone() };
                let state = solved.provenance.state_before(*site);
                let values = solved.provenance.analysis.operand(&state, index, *site);
                match values.into_iter().find(|v| param_root(v).is_some()) {
                    Some(param) => {
                        Provenance::Element { of: of.clone(), how: Selection::At(Box::new(param)), site: *site }
                    }
                    None => p.clone(),
                }
            }
            Provenance::PartOf { whole, field } => Provenance::part_of(self.index_from_param(solved, whole), field),
            _ => p.clone(),
        }
    }
}

impl calls::HelperSummaries for Ctx<'_> {
    fn helper_returns(&self, call: &Call, types: &BodyTypes) -> Option<crate::dataflow::HelperReturns> {
        let summary = self.helper_summary(call, types)?;
        (!summary.returns.values.is_empty()).then(|| summary.returns.clone())
    }
}

fn short(qualified: &str) -> &str {
    qualified.rsplit("::").next().unwrap_or(qualified)
}

/// The last segment of a written parameter type's name (through one reference).
fn written_type_name(ty: &pairlint_base::model::Ty) -> String {
    match ty {
        pairlint_base::model::Ty::Path { name, .. } => name.rsplit("::").next().unwrap_or(name).to_string(),
        pairlint_base::model::Ty::Ref(inner) => written_type_name(inner),
        _ => String::new(),
    }
}

/// The labels that show a take inside a helper (`inside `take`: taken by position
/// from shared `self.queue``), then the path inside the helpers it calls.
fn inside_steps(file: usize, helper: &str, take: &Take) -> Steps {
    let how = match take.how {
        How::Positional => "taken by position",
        How::Keyed => "fetched by key",
        How::Predicate => "selected by a predicate",
    };
    let mut steps = vec![(file, take.span, format!("inside `{}`: {how} from shared {}", short(helper), take.coll))];
    steps.extend(take.steps.iter().cloned());
    steps
}

/// The site of the element a value is or is a part of.
fn element_site(p: &Provenance) -> Option<Location> {
    match p {
        Provenance::Element { site, .. } => Some(*site),
        Provenance::PartOf { whole, .. } => element_site(whole),
        _ => None,
    }
}

/// The store a collection term names (`sql:<table>`, or its index by a column).
fn store_name(p: &Provenance) -> Option<&str> {
    match p {
        Provenance::Static(name) if crate::stores::sqlx::is_store_name(name) => Some(name),
        Provenance::PartOf { whole, .. } => match &**whole {
            Provenance::Static(name) if crate::stores::sqlx::is_store_name(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// The column a store's collection term is indexed by (`WHERE owner_id = $1`).
fn store_column(p: &Provenance) -> Option<&str> {
    match p {
        Provenance::PartOf { whole, field } if store_name(whole).is_some() => Some(field),
        _ => None,
    }
}

/// The parameter a value is or was read from (through fields and wrappers).
fn param_root(p: &Provenance) -> Option<LocalId> {
    match p {
        Provenance::Param(l) => Some(*l),
        Provenance::PartOf { whole, .. } => param_root(whole),
        _ => None,
    }
}

/// Whether a value identifies the requester: an identity parameter (a request's only
/// through its identity-named fields), or such a field of one.
fn is_identity(p: &Provenance, identity: &[(LocalId, bool)], vocab: &Vocabulary) -> bool {
    // `Json(req): Json<Request>`: the pattern's `.0` is the parameter's value itself.
    if let Provenance::PartOf { whole, field } = p {
        if let Provenance::PartOf { whole: inner, field: zero } = &**whole {
            if zero == "0" && matches!(&**inner, Provenance::Param(_) | Provenance::Captured(_)) {
                return is_identity(
                    &Provenance::PartOf { whole: inner.clone(), field: field.clone() },
                    identity,
                    vocab,
                );
            }
        }
    }
    match p {
        Provenance::Param(l) | Provenance::Captured(l) => identity.iter().any(|(id, request)| id == l && !request),
        // Of an identity value (`user: AuthUser`), the fields that identify it (`user.id`,
        // `claims.user_id`); of a request, only identity-named ones (`cmd.card_id`, not
        // `cmd.ticket_no`... unless named so). Other fields (`user.name`) are not.
        Provenance::PartOf { whole, field } => match &**whole {
            Provenance::Param(l) | Provenance::Captured(l) => identity.iter().any(|(id, request)| {
                id == l
                    && (vocab.mentions(List::IdentityNames, field)
                        || (!request && (field == "0" || field == "id" || field == "uuid" || field.ends_with("_id"))))
            }),
            // Of a person inside a request or guard (`headers.user`), any field
            // (`headers.user.uuid`, whatever the crate calls its key): only an owner
            // comparison or a lookup key reads a value as the identity, and neither is
            // made with a person's non-identifying field in practice.
            inner => is_identity(inner, identity, vocab),
        },
        _ => false,
    }
}

fn deref(t: &Type) -> Type {
    let mut t = t.peel_refs().clone();
    let model = StdModel::get();
    for _ in 0..4 {
        match model.deref(&t) {
            Some(inner) => t = inner.peel_refs().clone(),
            None => break,
        }
    }
    t
}

/// The type of a place from its local's inferred type and the struct tables (fields
/// are looked up through references, shared pointers, locks and guards).
pub(crate) fn place_type(tables: &TypeTables, place: &pairlint_base::ir::Place, types: &BodyTypes) -> Option<Type> {
    let mut ty = match &place.base {
        PlaceBase::Local(l) => types.local(*l).clone(),
        PlaceBase::Static(path) => tables.static_type(path)?.clone(),
    };
    for projection in &place.projections {
        ty = match projection {
            pairlint_base::ir::Projection::Field(f) => field_type(tables, &ty, f)?,
            pairlint_base::ir::Projection::Deref => deref(&ty),
            _ => return None,
        };
    }
    (!ty.is_unknown()).then_some(ty)
}

/// The element type of a collection type, from the std model's index entries
/// (`VecDeque<T>[usize]` is `T`, `HashMap<K, V>[&K]` is `V`).
fn element_type(coll: &Type) -> Option<Type> {
    // Autoderef as an index expression does (`Vec<T>` indexes as `[T]`).
    let mut coll = unwrap_shared(coll);
    let model = StdModel::get();
    for _ in 0..4 {
        if let Some(found) = model.method_here(&coll, "[]", 1) {
            let found = found.finish(&[Type::Unknown]).result;
            return (!found.is_unknown()).then_some(found);
        }
        coll = model.deref(&coll)?.peel_refs().clone();
    }
    None
}

/// A field's type: a crate struct's field (through references, pointers and locks),
/// or the payload `.0` of a library newtype the tables do not know (`State(s)`,
/// `Path(id)`, `Json(body)`): its first type argument.
fn field_type(tables: &TypeTables, ty: &Type, field: &str) -> Option<Type> {
    let inner = ty.peel_refs();
    if let Some(found) = tables.field(inner, field) {
        return Some(found);
    }
    if field == "0" && tables.struct_info(inner).is_none() {
        if let Some(arg) = inner.args().first() {
            return Some(arg.clone());
        }
    }
    tables.field(&unwrap_shared(ty), field)
}

/// A field's type, of the value itself or else of the item inside it: an element's
/// term has its call's type (`Option<&Job>` from `front()`), and a field read of it is
/// of the payload (`(x as Some).0` is looked through by provenance).
fn item_field_type(tables: &TypeTables, ty: &Type, field: &str) -> Option<Type> {
    field_type(tables, ty, field).or_else(|| field_type(tables, &peel_item(ty), field))
}

/// A named type's name and arguments, resolved or not (an unresolved `Mutex` is still
/// a lock to look through; the std model decides what it may mean where it matters).
fn named(t: &Type) -> Option<(&str, &[Type])> {
    match t {
        Type::Named { name, args } | Type::Unresolved { name, args } => Some((name, args)),
        _ => None,
    }
}

/// One step inside a reference or a framework's shared-state wrapper the std model
/// does not know (`web::Data<T>`, `State<T>`, `Extension<T>`).
pub(crate) fn unwrap_one(t: &Type) -> Option<Type> {
    if let Type::Ref { inner, .. } = t {
        return Some((**inner).clone());
    }
    let (name, args) = named(t)?;
    let last = name.rsplit("::").next().unwrap_or(name);
    match (last, args.first()) {
        ("State" | "Data" | "Extension", Some(inner)) => Some(inner.clone()),
        _ => None,
    }
}

/// The value inside references, shared pointers, locks and their guards.
pub(crate) fn unwrap_shared(t: &Type) -> Type {
    let mut t = t.peel_refs().clone();
    for _ in 0..8 {
        let Some((name, args)) = named(&t) else { break };
        let family = StdModel::get().family_of_path(name).unwrap_or(name);
        let last = family.rsplit("::").next().unwrap_or(family);
        let wraps = matches!(
            last,
            "Arc"
                | "Rc"
                | "Box"
                | "Mutex"
                | "RwLock"
                | "RefCell"
                | "MutexGuard"
                | "RwLockReadGuard"
                | "RwLockWriteGuard"
                | "Ref"
                | "RefMut"
                | "State"
                | "Data"
                | "Extension"
                | "LazyLock"
                | "LazyCell"
                | "Lazy"
        );
        match args.first() {
            Some(inner) if wraps => t = inner.peel_refs().clone(),
            _ => break,
        }
    }
    t
}

/// The item inside `Option<&T>`, `Result<T, E>`, references, pointers and guards.
fn peel_item(t: &Type) -> Type {
    let mut t = unwrap_shared(t);
    for _ in 0..4 {
        let Some((name, args)) = named(&t) else { break };
        let family = StdModel::get().family_of_path(name).unwrap_or(name);
        match (family, args.first()) {
            // An async helper's call is a future of what it returns.
            ("Option" | "Result" | "Future", Some(inner)) => t = unwrap_shared(inner),
            _ => break,
        }
    }
    deref(&t)
}

fn is_scalar(t: &Type) -> bool {
    let t = t.peel_refs();
    match t {
        Type::Named { name, args } if args.is_empty() => matches!(
            name.as_str(),
            "bool"
                | "char"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
                | "f32"
                | "f64"
                | "uuid::Uuid"
                | "Uuid"
        ),
        Type::Tuple(t) => t.is_empty(),
        _ => false,
    }
}

/// A field that names an identifier or a count, when its type is not known.
fn id_like(field: &str) -> bool {
    field == "id" || field.ends_with("_id") || matches!(field, "len" | "count" | "created_at" | "seq")
}

/// Types that make what is reached through them shared between requesters: shared
/// pointers, locks, channels, concurrent maps, and web frameworks' shared-state
/// extractors.
fn is_shared_type(t: &Type) -> bool {
    let t = t.peel_refs();
    let Some((name, _)) = named(t) else { return false };
    let family = StdModel::get().family_of_path(name).unwrap_or(name);
    let last = family.rsplit("::").next().unwrap_or(family);
    matches!(
        last,
        "Arc"
            | "Rc"
            | "Mutex"
            | "RwLock"
            | "MutexGuard"
            | "RwLockReadGuard"
            | "RwLockWriteGuard"
            | "Receiver"
            | "UnboundedReceiver"
            | "Sender"
            | "UnboundedSender"
            | "DashMap"
            | "State"
            | "Data"
            | "Extension"
    )
}

/// The variant (`Ok`, `Err`...) the returned value was built as in its block.
fn returned_variant(body: &Body, block: pairlint_base::ir::BlockId, op: &Operand) -> Option<String> {
    let Operand::Place(place) = op else { return None };
    let local = place.base_local()?;
    body.block(block)
        .stmts
        .iter()
        .rev()
        .find(|s| s.dest.base_local() == Some(local) && s.dest.projections.is_empty())
        .and_then(|s| match &s.value {
            Rvalue::Aggregate { kind: AggregateKind::Variant(path), .. } => path.last().cloned(),
            _ => None,
        })
}

/// Where a returned value is made: a temporary (a tail expression, a `match` whose
/// arms each give the value) at each statement that assigns it, so a finding points at
/// the arm that returns the item; a named local or constant at the `return`. Each is
/// (the point just after the value is made, its span, the operand to read there).
fn return_values(body: &Body, block: pairlint_base::ir::BlockId, op: &Operand) -> Vec<(Location, Span, Operand)> {
    let at_return = || {
        let bb = body.block(block);
        let span = return_span(body, block, op).unwrap_or(bb.term_span);
        vec![(Location::new(block, bb.stmts.len()), span, op.clone())]
    };
    let Operand::Place(place) = op else { return at_return() };
    let Some(local) = place.base_local() else { return at_return() };
    if !place.projections.is_empty() || body.local(local).name.is_some() {
        return at_return();
    }
    let mut out = Vec::new();
    for b in body.block_ids() {
        for (i, stmt) in body.block(b).stmts.iter().enumerate() {
            let is_err = matches!(&stmt.value, Rvalue::Aggregate { kind: AggregateKind::Variant(path), .. }
                if path.last().is_some_and(|v| v == "Err"));
            if stmt.dest.base_local() == Some(local) && stmt.dest.projections.is_empty() && !is_err {
                out.push((Location::new(b, i + 1), stmt.span, op.clone()));
            }
        }
    }
    if out.is_empty() {
        return at_return();
    }
    out
}

/// The span of the value a `return` gives, if a statement of the block built it.
fn return_span(body: &Body, block: pairlint_base::ir::BlockId, op: &Operand) -> Option<Span> {
    let Operand::Place(place) = op else { return None };
    let local = place.base_local()?;
    body.block(block).stmts.iter().rev().find(|s| s.dest.base_local() == Some(local)).map(|s| s.span)
}

fn predecessors(body: &Body) -> Vec<Vec<pairlint_base::ir::BlockId>> {
    let mut preds = vec![Vec::new(); body.blocks.len()];
    for b in body.block_ids() {
        for s in body.block(b).term.successors() {
            if let Some(p) = preds.get_mut(s.index()) {
                p.push(b);
            }
        }
    }
    preds
}
