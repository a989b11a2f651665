//! Releases on timeout paths (PL002), over the IR's CFG and the flows' dataflow.
//!
//! The **timeout region** of a body is the set of blocks reached only through a
//! timeout edge: a forward must-analysis (joins intersect) over the CFG, solved by the
//! dataflow framework. Timeout edges are the `Err`/`None` side of a switch on a timeout
//! call's result (`timeout(..).await`, `recv_timeout`, `wait_timeout`), the branch of a
//! comparison where the current or elapsed time passed a bound (`t.elapsed() > ttl`,
//! `now >= deadline`), the `true` side of a timeout predicate (`timed_out()`,
//! `is_expired()`), and a `select!` branch whose future is a timer. A whole body is in
//! the region when its name says it is a timeout path (`timeout_words`; never a test's
//! name, [`pairlint_base::ir::Body::test`]), when it is a
//! closure bound to such a name or passed to such a call, or when it is made inside
//! its parent's region. Library timing APIs come from the std model
//! ([`crate::types::std_model::TIMING_FNS`]), never from here.
//!
//! A **release** in the region gives a user-bound item of shared state up for the next
//! requester: its owner field set to `None`, its lock flag to `false`, its status to a
//! free state (`release_states`), a release call on it (`release_calls`), or the item
//! pushed back onto a shared positional queue. Deleting it, inserting it into a keyed
//! map, freeing a scalar (`slot.id`), dropping a guard, marking it expired: none is.
//!
//! A crate helper that releases outside its own region (itself, or through a bounded
//! chain of the helpers it calls) has a **release summary**: a
//! call to it on a timeout path is reported once per release site, at the first such
//! call, with the other timeout callers and the release inside as labels. An argument
//! that is an enum variant selects the helper's arms: a release in an arm that variant
//! never reaches is not reported.

use super::{field_type, named, peel_item, unwrap_shared, Ctx, Solved};
use crate::dataflow::{reverse_postorder, solve, Analysis, Location, Provenance};
use crate::types::infer::BodyTypes;
use crate::types::std_model::{timing_fn, timing_method, Timing, TIME_TYPES, TIMING_METHODS};
use crate::types::user_bound::is_user_bound_item;
use pairlint_base::finding::Span;
use pairlint_base::ir::{
    AggregateKind, BinOp, BlockId, Body, BodyId, BodyKind, Call, Callee, Const, Operand, Place, Projection, Rvalue,
    Stmt, Terminator, UnOp,
};
use pairlint_base::vocab::List;
use std::collections::{BTreeMap, HashMap};

/// One PL002 finding: a release on a timeout path, with the flow as labels.
#[derive(Debug, Clone)]
pub struct Release {
    pub file: usize,
    pub span: Span,
    pub message: String,
    /// (file, span, message): the timeout edge, the release, the item's origin.
    pub labels: Vec<(usize, Span, String)>,
    /// Found in the body itself (not through a helper's summary).
    pub direct: bool,
}

/// A release site found in a body (before the finding is made).
#[derive(Debug, Clone)]
struct Site {
    block: BlockId,
    span: Span,
    /// What is released, as written (`img.locked_by`, `img`).
    target: String,
    /// "sets the owner field `locked_by` to `None`"...
    how: String,
    /// Where the item comes from: (span, "fetched by key from shared `self.images`").
    origin: Option<(Span, String)>,
    /// Through helpers it calls: the path to the release, as (file, span, label).
    steps: Vec<(usize, Span, String)>,
}

/// The timeout region of a body: per block, the reason it is in the region (an index
/// into `reasons`), if it is.
#[derive(Clone)]
struct Region {
    blocks: Vec<Option<u32>>,
    reasons: Vec<(Span, String)>,
}

impl Region {
    fn reason(&self, block: BlockId) -> Option<&(Span, String)> {
        let k = (*self.blocks.get(block.index())?)?;
        self.reasons.get(k as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    Pass,
    /// The edge enters the region (reason index).
    Gen(u32),
    /// The same, on an arm of a timed wait's result: it does not undo a `Kill`.
    GenWait(u32),
    /// The edge is a timed wait's arm other than its named timeout arm
    /// (`Disconnected`, or the `_` that dispatches to it).
    Kill,
}

/// Where a block stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    Outside,
    Inside(u32),
    /// On a non-timeout arm of a timed wait (see [`Mark::Kill`]).
    NotTimedOut,
}

/// The must-analysis: `None` unreached, else where the block stands; joins intersect.
struct RegionAnalysis {
    /// Edge marks by the terminator's address.
    marks: HashMap<usize, Vec<Mark>>,
    entry: Option<u32>,
}

impl Analysis for RegionAnalysis {
    type Domain = Option<At>;

    fn entry(&self, _body: &Body) -> Self::Domain {
        Some(self.entry.map_or(At::Outside, At::Inside))
    }

    fn bottom(&self) -> Self::Domain {
        None
    }

    fn join(&self, into: &mut Self::Domain, other: &Self::Domain) -> bool {
        let joined = match (*into, *other) {
            (_, None) => return false,
            (None, Some(b)) => b,
            (Some(At::Inside(a)), Some(At::Inside(b))) => At::Inside(a.min(b)),
            (Some(At::NotTimedOut), _) | (_, Some(At::NotTimedOut)) => At::NotTimedOut,
            (Some(_), Some(_)) => At::Outside,
        };
        let changed = Some(joined) != *into;
        *into = Some(joined);
        changed
    }

    fn transfer_stmt(&self, _state: &mut Self::Domain, _stmt: &Stmt, _location: Location) {}

    fn transfer_edge(&self, state: &Self::Domain, term: &Terminator, successor_index: usize) -> Self::Domain {
        let mark = self
            .marks
            .get(&(term as *const Terminator as usize))
            .and_then(|m| m.get(successor_index))
            .copied()
            .unwrap_or(Mark::Pass);
        let at = (*state)?;
        Some(match (at, mark) {
            (_, Mark::Pass)
            | (At::Inside(_), Mark::Gen(_) | Mark::GenWait(_))
            | (At::NotTimedOut, Mark::GenWait(_)) => at,
            (_, Mark::Gen(k) | Mark::GenWait(k)) => At::Inside(k),
            (_, Mark::Kill) => At::NotTimedOut,
        })
    }
}

/// Every PL002 finding of the crate.
pub(super) fn releases(cx: &Ctx<'_>) -> Vec<Release> {
    let mut out = Vec::new();
    let mut regions: BTreeMap<(usize, BodyId), Option<Region>> = BTreeMap::new();
    // Helper release sites reached from timeout callers: (file, helper, site start) →
    // (site, helper name, callers (file, call span, caller name, reason)).
    type Callers = Vec<(usize, Span, String, (Span, String))>;
    let mut via_helpers: BTreeMap<(usize, BodyId, usize), (Site, String, Callers)> = BTreeMap::new();
    let mut summaries: BTreeMap<(usize, BodyId), Vec<Site>> = BTreeMap::new();
    for (fi, file) in cx.files.iter().enumerate() {
        for bi in 0..file.ir.bodies.len() {
            let id = BodyId::new(bi);
            let Some(region) = region_of(cx, fi, id, &mut regions).cloned() else { continue };
            let body = &file.ir.bodies[bi];
            let empty = BodyTypes::default();
            let types = cx.types[fi].get(bi).unwrap_or(&empty);
            let in_region = |b: BlockId| region.blocks.get(b.index()).copied().flatten().is_some();
            let calls = cx.calls_for(fi, id);
            // The dataflow runs only for a region with a statement that can release.
            let solved = if may_release_in(cx, body, in_region) { cx.solve(fi, id, &calls) } else { None };
            let found = solved.as_ref().map(|solved| sites(cx, solved, types, in_region)).unwrap_or_default();
            for site in found {
                let mut labels = Vec::new();
                if let Some((span, why)) = region.reason(site.block) {
                    labels.push((fi, *span, why.clone()));
                }
                labels.push((fi, site.span, site.how.clone()));
                if let Some((span, origin)) = &site.origin {
                    labels.push((fi, *span, origin.clone()));
                }
                out.push(Release {
                    file: fi,
                    span: site.span,
                    message: format!(
                        "timeout path releases `{}` for anyone to take instead of deleting it",
                        site.target
                    ),
                    labels,
                    direct: true,
                });
            }
            // Calls on the timeout path to helpers that release.
            for block in body.block_ids() {
                let Some(reason) = region.reason(block) else { continue };
                for stmt in &body.block(block).stmts {
                    let Rvalue::Call(call) = &stmt.value else { continue };
                    let Some(target) = cx.resolve_helper(call, types) else { continue };
                    if target == (fi, id) {
                        continue;
                    }
                    if let std::collections::btree_map::Entry::Vacant(slot) = summaries.entry(target) {
                        slot.insert(helper_sites(cx, target, &mut regions, &mut Vec::new()));
                    }
                    let helper_sites = &summaries[&target];
                    if helper_sites.is_empty() {
                        continue;
                    }
                    let helper_body = &cx.ir(target.0).bodies[target.1.index()];
                    let reachable = reachable_with(helper_body, &variant_args(body, call));
                    let helper_name = super::short(&helper_body.qualified).to_string();
                    for site in helper_sites {
                        if !reachable.get(site.block.index()).copied().unwrap_or(false) {
                            continue;
                        }
                        let entry = via_helpers
                            .entry((target.0, target.1, site.span.byte_start))
                            .or_insert_with(|| (site.clone(), helper_name.clone(), Vec::new()));
                        entry.2.push((fi, call.span, super::short(&body.qualified).to_string(), reason.clone()));
                    }
                }
            }
        }
    }
    for ((hf, _, _), (site, helper, mut callers)) in via_helpers {
        callers.sort_by_key(|(f, s, ..)| (*f, s.byte_start));
        callers.dedup_by_key(|(f, s, ..)| (*f, s.byte_start));
        let Some((file, span, _, reason)) = callers.first().cloned() else { continue };
        let mut labels = vec![(file, reason.0, reason.1.clone())];
        labels.push((file, span, format!("calls `{helper}` on the timeout path")));
        labels.push((hf, site.span, format!("inside `{helper}`: {}", site.how)));
        if let Some((origin_span, origin)) = &site.origin {
            labels.push((hf, *origin_span, format!("inside `{helper}`: {origin}")));
        }
        labels.extend(site.steps.iter().cloned());
        for (f, s, caller, _) in callers.iter().skip(1) {
            labels.push((*f, *s, format!("`{caller}` calls it on a timeout path too")));
        }
        out.push(Release {
            file,
            span,
            message: format!(
                "timeout path calls `{helper}`, which releases `{}` for anyone to take instead of deleting it",
                site.target
            ),
            labels,
            direct: false,
        });
    }
    out.sort_by_key(|r| (r.file, r.span.byte_start));
    out.dedup_by_key(|r| (r.file, r.span.byte_start));
    // A dependency's own releases are its findings, when it is linted itself.
    out.retain(|r| r.file < cx.own);
    out
}

/// The release sites of a helper outside its own timeout region (those are reported
/// where they are).
fn helper_sites(
    cx: &Ctx<'_>,
    (file, id): (usize, BodyId),
    regions: &mut BTreeMap<(usize, BodyId), Option<Region>>,
    visiting: &mut Vec<(usize, BodyId)>,
) -> Vec<Site> {
    let own: Vec<bool> =
        region_of(cx, file, id, regions).map(|r| r.blocks.iter().map(Option::is_some).collect()).unwrap_or_default();
    let outside = |b: BlockId| !own.get(b.index()).copied().unwrap_or(false);
    let empty = BodyTypes::default();
    let types = cx.types[file].get(id.index()).unwrap_or(&empty);
    let Some(body) = cx.ir(file).bodies.get(id.index()) else { return Vec::new() };
    let calls = cx.calls_for(file, id);
    let solved = if may_release_in(cx, body, outside) { cx.solve(file, id, &calls) } else { None };
    let mut out = solved.as_ref().map(|solved| sites(cx, solved, types, outside)).unwrap_or_default();
    // Helpers it calls that release (a bounded chain, no cycles): the release is
    // reached through its call here.
    if visiting.len() >= HELPER_DEPTH {
        return out;
    }
    visiting.push((file, id));
    for block in body.block_ids().filter(|&b| outside(b)) {
        for stmt in &body.block(block).stmts {
            let Rvalue::Call(call) = &stmt.value else { continue };
            let Some(target) = cx.resolve_helper(call, types) else { continue };
            if visiting.contains(&target) {
                continue;
            }
            let inner = helper_sites(cx, target, regions, visiting);
            let inner_body = &cx.ir(target.0).bodies[target.1.index()];
            let reachable = reachable_with(inner_body, &variant_args(body, call));
            let name = super::short(&inner_body.qualified);
            if let Some(site) = inner.iter().find(|s| reachable.get(s.block.index()).copied().unwrap_or(false)) {
                out.push(Site {
                    block,
                    span: call.span,
                    target: site.target.clone(),
                    how: format!("calls `{name}`, which releases `{}`", site.target),
                    origin: None,
                    steps: std::iter::once((target.0, site.span, format!("inside `{name}`: {}", site.how)))
                        .chain(site.origin.iter().map(|(span, o)| (target.0, *span, format!("inside `{name}`: {o}"))))
                        .chain(site.steps.iter().cloned())
                        .collect(),
                });
            }
        }
    }
    visiting.pop();
    out
}

/// How deep a chain of helpers is followed to a release.
const HELPER_DEPTH: usize = 4;

/// The region of a body, memoized (a closure's depends on its parent's).
fn region_of<'r>(
    cx: &Ctx<'_>,
    file: usize,
    id: BodyId,
    regions: &'r mut BTreeMap<(usize, BodyId), Option<Region>>,
) -> Option<&'r Region> {
    if !regions.contains_key(&(file, id)) {
        let region = compute_region(cx, file, id, regions);
        regions.insert((file, id), region);
    }
    regions.get(&(file, id)).and_then(Option::as_ref)
}

fn compute_region(
    cx: &Ctx<'_>,
    file: usize,
    id: BodyId,
    regions: &mut BTreeMap<(usize, BodyId), Option<Region>>,
) -> Option<Region> {
    let body = cx.ir(file).bodies.get(id.index())?;
    let defs = Defs { body, last: std::cell::OnceCell::new() };
    let types = LazyTypes { cx, file, body: id, defs: &defs };
    let mut reasons: Vec<(Span, String)> = Vec::new();
    let mut entry = None;
    // The whole body, by its name or where it is made.
    let name = super::short(&body.qualified);
    match body.kind {
        // A test's name (`expired_reservation_is_released`) describes the test, not a
        // timeout path (tests are only here with `--include-tests`).
        BodyKind::Fn { .. } => {
            if !body.test && cx.vocab.mentions(List::TimeoutWords, name) {
                let span = cx.func(file, id).map(|f| f.name_span).unwrap_or_else(|| name_span(body));
                reasons.push((span, format!("timeout path `{name}`")));
                entry = Some(0);
            }
        }
        BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent } => {
            if let Some(why) = made_as_timeout(cx, file, parent, id, regions) {
                reasons.push(why);
                entry = Some(0);
            }
        }
    }
    let mut marks: HashMap<usize, Vec<Mark>> = HashMap::new();
    for block in body.block_ids() {
        let bb = body.block(block);
        let edge = edge_marks(cx, body, types, &bb.term, bb.term_span, &mut reasons);
        if let Some(m) = edge {
            marks.insert(&bb.term as *const Terminator as usize, m);
        }
    }
    if entry.is_none() && marks.is_empty() {
        return None;
    }
    let results = solve(RegionAnalysis { marks, entry }, body);
    let blocks: Vec<Option<u32>> = body
        .block_ids()
        .map(|b| match results.entry_state(b) {
            Some(At::Inside(k)) => Some(*k),
            _ => None,
        })
        .collect();
    // The region only: blocks the solver never reached stay outside.
    let reached: std::collections::BTreeSet<BlockId> = reverse_postorder(body).into_iter().collect();
    let blocks: Vec<Option<u32>> =
        blocks.into_iter().enumerate().map(|(i, k)| k.filter(|_| reached.contains(&BlockId::new(i)))).collect();
    blocks.iter().any(Option::is_some).then_some(Region { blocks, reasons })
}

/// The span of a fn's name: its first line (the body's span starts at the item).
fn name_span(body: &Body) -> Span {
    let mut span = body.span;
    span.byte_end = span.byte_start;
    span
}

/// A closure or async block is a timeout path when the local it is bound to or the
/// call it is passed to is named so (`let on_expiry = || ..`, `on_timeout(|| ..)`), or
/// when it is made on its parent's timeout path.
fn made_as_timeout(
    cx: &Ctx<'_>,
    file: usize,
    parent: BodyId,
    id: BodyId,
    regions: &mut BTreeMap<(usize, BodyId), Option<Region>>,
) -> Option<(Span, String)> {
    let parent_body = cx.ir(file).bodies.get(parent.index())?;
    let mut made_at = None;
    let mut bound = Vec::new();
    for block in parent_body.block_ids() {
        for stmt in &parent_body.block(block).stmts {
            if stmt.value == Rvalue::Closure(id) {
                made_at = Some(block);
                if let Some(l) = stmt.dest.base_local() {
                    bound.push(l);
                    if let Some(name) = &parent_body.local(l).name {
                        if cx.vocab.mentions(List::TimeoutWords, name) {
                            return Some((stmt.span, format!("timeout callback `{name}`")));
                        }
                    }
                }
            }
        }
    }
    for stmt in parent_body.blocks.iter().flat_map(|b| &b.stmts) {
        let Rvalue::Call(call) = &stmt.value else { continue };
        let passes = call.args.iter().any(|a| matches!(a, Operand::Place(p) if p.projections.is_empty() && p.base_local().is_some_and(|l| bound.contains(&l))));
        let name = call.callee.name();
        if passes && cx.vocab.mentions(List::TimeoutWords, name) {
            return Some((call.span, format!("passed to `{name}`, a timeout callback")));
        }
    }
    let made_at = made_at?;
    let region = region_of(cx, file, parent, regions)?;
    region.reason(made_at).cloned()
}

/// The marks of a terminator's edges, if one is a timeout edge (or leaves one).
fn edge_marks(
    cx: &Ctx<'_>,
    body: &Body,
    types: LazyTypes<'_, '_>,
    term: &Terminator,
    span: Span,
    reasons: &mut Vec<(Span, String)>,
) -> Option<Vec<Mark>> {
    let mut reason = |text: String| {
        reasons.push((span, text));
        Mark::Gen((reasons.len() - 1) as u32)
    };
    match term {
        Terminator::SwitchBool { cond, .. } => {
            let (then_times_out, why) = timed_out_side(cx, body, types, cond, 0)?;
            let gen = reason(why);
            Some(if then_times_out { vec![gen, Mark::Pass] } else { vec![Mark::Pass, gen] })
        }
        Terminator::SwitchVariant { scrutinee, targets, otherwise } => {
            let local = scrutinee.base_local()?;
            let def = types.defs.of(local);
            // `select!`: the branches of the futures that are timers.
            if let Some(Rvalue::Opaque(futures)) = def.map(|s| &s.value) {
                if targets.iter().all(|(t, _)| t.starts_with("branch")) {
                    let mut marks = Vec::new();
                    let mut any = false;
                    for (t, _) in targets {
                        let k: usize = t.trim_start_matches("branch").parse().unwrap_or(usize::MAX);
                        let future = futures.get(k);
                        let timer = future.and_then(|f| timing_of(cx, types, f, 0, true));
                        if matches!(timer, Some(Timing::Timer | Timing::Timeout)) {
                            any = true;
                            // The label points at the timer where it is made.
                            let made = match future {
                                Some(Operand::Place(p)) => {
                                    p.base_local().and_then(|l| types.defs.of(l)).map(|s| s.span)
                                }
                                _ => None,
                            };
                            reasons.push((
                                made.unwrap_or(span),
                                "the timer's branch of `select!`: the time ran out".into(),
                            ));
                            marks.push(Mark::Gen((reasons.len() - 1) as u32));
                        } else {
                            marks.push(Mark::Pass);
                        }
                    }
                    if otherwise.is_some() {
                        marks.push(Mark::Pass);
                    }
                    return any.then_some(marks);
                }
                return None;
            }
            if timing_of(cx, types, &Operand::Place(Place::local(local)), 0, false) != Some(Timing::Timeout) {
                return None;
            }
            let timeout_arm = |v: &str| cx.vocab.mentions(List::TimeoutWords, v);
            let has_timeout_arm = targets.iter().any(|(v, _)| timeout_arm(v));
            let all_success = targets.iter().all(|(v, _)| v == "Ok" || v == "Some");
            let mut marks = Vec::new();
            let mut any = false;
            for (v, _) in targets {
                let mark = if timeout_arm(v) || (!has_timeout_arm && (v == "Err" || v == "None")) {
                    any = true;
                    match reason(format!("the `{v}` arm of a timed wait: the time ran out")) {
                        Mark::Gen(k) => Mark::GenWait(k),
                        other => other,
                    }
                } else if has_timeout_arm && v != "Ok" && v != "Some" {
                    Mark::Kill
                } else {
                    Mark::Pass
                };
                marks.push(mark);
            }
            if otherwise.is_some() {
                if all_success && !has_timeout_arm {
                    any = true;
                    marks.push(match reason("the failing side of a timed wait: the time ran out".into()) {
                        Mark::Gen(k) => Mark::GenWait(k),
                        other => other,
                    });
                } else if has_timeout_arm {
                    marks.push(Mark::Kill);
                } else {
                    marks.push(Mark::Pass);
                }
            }
            any.then_some(marks)
        }
        _ => None,
    }
}

/// For a branch condition: whether its `true` side is the one where the time ran out
/// (`Some((true, ..))`), its `false` side (`Some((false, ..))`), or neither is.
fn timed_out_side(
    cx: &Ctx<'_>,
    body: &Body,
    types: LazyTypes<'_, '_>,
    cond: &Operand,
    depth: usize,
) -> Option<(bool, String)> {
    if depth > 8 {
        return None;
    }
    let Operand::Place(place) = cond else { return None };
    if !place.projections.is_empty() {
        return None;
    }
    let stmt = types.defs.of(place.base_local()?)?;
    match &stmt.value {
        Rvalue::Use(op) => timed_out_side(cx, body, types, op, depth + 1),
        Rvalue::UnaryOp(UnOp::Not, op) => timed_out_side(cx, body, types, op, depth + 1).map(|(s, w)| (!s, w)),
        Rvalue::BinaryOp(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), a, b) => {
            let mut late_a = is_late(cx, body, types, a);
            let mut late_b = is_late(cx, body, types, b);
            if !late_a && !late_b {
                // Neither side is the clock by how it was made or named: the side that
                // is not a deadline-named bound (`expires_at`, `deadline`) is.
                let (bound_a, bound_b) = (is_bound(cx, body, a), is_bound(cx, body, b));
                late_a = bound_b && !bound_a;
                late_b = bound_a && !bound_b;
            }
            if late_a == late_b || !(is_time(cx, types, a) || is_time(cx, types, b)) {
                return None;
            }
            let greater = matches!(op, BinOp::Gt | BinOp::Ge);
            Some((late_a == greater, "the branch where the deadline has passed".into()))
        }
        Rvalue::Call(call) => {
            let name = call.callee.name();
            let receiver_timing = call.receiver.as_ref().and_then(|r| timing_of(cx, types, r, depth + 1, false));
            match (name, receiver_timing) {
                ("is_err", Some(Timing::Timeout)) => Some((true, "the timed wait failed: the time ran out".into())),
                ("is_ok", Some(Timing::Timeout)) => Some((false, "the timed wait failed: the time ran out".into())),
                _ => {
                    let receiver = call.receiver.as_ref().and_then(|r| type_name(cx, types, r));
                    let flag = timing_method(receiver.as_deref(), name) == Some(Timing::TimedOut);
                    let predicate = matches!(call.callee, Callee::Method(_))
                        && cx.vocab.mentions(List::TimeoutWords, name)
                        && pairlint_base::vocab::words(name)
                            .first()
                            .is_some_and(|w| matches!(w.as_str(), "is" | "has" | "timed" | "expired"));
                    (flag || predicate).then(|| (true, format!("`{name}()` is true: the time ran out")))
                }
            }
        }
        _ => None,
    }
}

/// The value is the current time or a time elapsed: the side of a comparison that
/// grows.
fn is_late(cx: &Ctx<'_>, body: &Body, types: LazyTypes<'_, '_>, op: &Operand) -> bool {
    if matches!(timing_of(cx, types, op, 0, false), Some(Timing::Now | Timing::Elapsed)) {
        return true;
    }
    // A value named `now` (a parameter, a field, a binding of an event's payload).
    place_name(body, op).is_some_and(|n| pairlint_base::vocab::words(&n).iter().any(|w| w == "now"))
}

/// The value is named as a time bound: a deadline, an expiry, a time-to-live
/// (`timeout_words`), or `until`.
fn is_bound(cx: &Ctx<'_>, body: &Body, op: &Operand) -> bool {
    place_name(body, op).is_some_and(|n| {
        cx.vocab.mentions(List::TimeoutWords, &n) || pairlint_base::vocab::words(&n).iter().any(|w| w == "until")
    })
}

/// The name of a place: its last field, else its local's name.
fn place_name(body: &Body, op: &Operand) -> Option<String> {
    let Operand::Place(place) = op else { return None };
    match place.projections.iter().rev().find_map(|p| match p {
        Projection::Field(f) => Some(f.clone()),
        _ => None,
    }) {
        Some(f) => Some(f),
        None => place.base_local().and_then(|l| body.locals.get(l.index())?.name.clone()),
    }
}

/// The value is a point or span of time (by its type), or a timing call's result.
fn is_time(cx: &Ctx<'_>, types: LazyTypes<'_, '_>, op: &Operand) -> bool {
    if timing_of(cx, types, op, 0, false).is_some() {
        return true;
    }
    let Operand::Place(place) = op else { return false };
    match cx.place_type(place, types.get()) {
        Some(t) => t.name().is_some_and(|n| TIME_TYPES.contains(&n.rsplit("::").next().unwrap_or(n))),
        // An untyped value named as a time (`now`, a deadline field) counts when the
        // other side is typed or timed.
        None => false,
    }
}

/// The last segment of a value's type name, if the model types it.
fn type_name(cx: &Ctx<'_>, types: LazyTypes<'_, '_>, op: &Operand) -> Option<String> {
    let Operand::Place(place) = op else { return None };
    let ty = unwrap_shared(&cx.place_type(place, types.get())?);
    let (name, _) = named(&ty)?;
    Some(name.rsplit("::").next().unwrap_or(name).to_string())
}

/// The assignment that makes a local (the last one written, for a temporary the only).
fn def_of(body: &Body, local: pairlint_base::ir::LocalId) -> Option<&Stmt> {
    body.blocks
        .iter()
        .rev()
        .flat_map(|b| b.stmts.iter().rev())
        .find(|s| s.dest.base_local() == Some(local) && s.dest.projections.is_empty())
}

/// [`def_of`] for every local of one body at once, built on first use: the region's
/// tests follow definitions from every branch condition, and searching the body
/// for each was quadratic in its size (most of PL002's time on large bodies).
struct Defs<'b> {
    body: &'b Body,
    /// Per local, the (block, statement) of its last whole assignment in block order.
    last: std::cell::OnceCell<Vec<Option<(usize, usize)>>>,
}

impl<'b> Defs<'b> {
    fn of(&self, local: pairlint_base::ir::LocalId) -> Option<&'b Stmt> {
        let last = self.last.get_or_init(|| {
            let mut last: Vec<Option<(usize, usize)>> = Vec::new();
            for (bi, block) in self.body.blocks.iter().enumerate() {
                for (si, stmt) in block.stmts.iter().enumerate() {
                    let Some(l) = stmt.dest.base_local().filter(|_| stmt.dest.projections.is_empty()) else {
                        continue;
                    };
                    if last.len() <= l.index() {
                        last.resize(l.index() + 1, None);
                    }
                    last[l.index()] = Some((bi, si));
                }
            }
            last
        });
        let (bi, si) = (*last.get(local.index())?)?;
        self.body.blocks.get(bi)?.stmts.get(si)
    }
}

/// What a value means in time, following its definition through moves, awaits,
/// references and wrappers (`Box::pin(sleep(..).fuse())`). `future` allows the names
/// that are timers only as a `select!` future (`interval.tick()`).
fn timing_of(cx: &Ctx<'_>, types: LazyTypes<'_, '_>, op: &Operand, depth: usize, future: bool) -> Option<Timing> {
    if depth > 12 {
        return None;
    }
    let Operand::Place(place) = op else { return None };
    let stmt = types.defs.of(place.base_local()?)?;
    match &stmt.value {
        Rvalue::Use(op) | Rvalue::Await(op) => timing_of(cx, types, op, depth + 1, future),
        Rvalue::Ref { place, .. } => timing_of(cx, types, &Operand::Place(place.clone()), depth + 1, future),
        Rvalue::Call(call) => {
            let name = call.callee.name();
            let found = match &call.callee {
                Callee::Path(segments) => {
                    let resolver = cx.tables.resolver(cx.scopes[types.file], &[], None);
                    timing_fn(&resolver.fn_path(segments))
                }
                Callee::Method(_) => {
                    // The receiver's type is asked (inferring the body) only for a
                    // method the timing table names.
                    let receiver = call
                        .receiver
                        .as_ref()
                        .filter(|_| TIMING_METHODS.iter().any(|(_, m, ..)| *m == name))
                        .and_then(|r| type_name(cx, types, r));
                    timing_method(receiver.as_deref(), name)
                        .or_else(|| (future && receiver.is_none() && name == "tick").then_some(Timing::Timer))
                }
                _ => None,
            };
            if found.is_some() {
                return found;
            }
            // Wrappers and adapters of a future or a result keep its meaning.
            match name {
                "pin" | "new" if matches!(call.callee, Callee::Path(ref s) if s.len() >= 2 && s[s.len() - 2] == "Box") => {
                    timing_of(cx, types, call.args.first()?, depth + 1, future)
                }
                "fuse" | "boxed" | "into_future" | "as_mut" | "unwrap" | "expect" => {
                    timing_of(cx, types, call.receiver.as_ref()?, depth + 1, future)
                }
                "pin" => timing_of(cx, types, call.args.first()?, depth + 1, future),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A body's types, inferred only when a timeout test needs them: most bodies have no
/// timing call or time-typed comparison, and typing every body of a crate cost more
/// than the rest of PL002's analysis.
#[derive(Clone, Copy)]
struct LazyTypes<'c, 'a> {
    cx: &'c Ctx<'a>,
    file: usize,
    body: BodyId,
    /// The same body's definitions.
    defs: &'c Defs<'c>,
}

impl<'c> LazyTypes<'c, '_> {
    fn get(&self) -> &'c BodyTypes {
        const NO_TYPES: &BodyTypes = &BodyTypes { locals: Vec::new(), ret: crate::types::ty::Type::Unknown };
        self.cx.types[self.file].get(self.body.index()).unwrap_or(NO_TYPES)
    }
}

/// The release sites of a solved body in the blocks `keep` selects.
fn sites(cx: &Ctx<'_>, solved: &Solved<'_>, types: &BodyTypes, keep: impl Fn(BlockId) -> bool) -> Vec<Site> {
    let body = solved.body;
    let mut out = Vec::new();
    for block in body.block_ids() {
        if !keep(block) {
            continue;
        }
        for (i, stmt) in body.block(block).stmts.iter().enumerate() {
            let location = Location::new(block, i);
            if let Some(site) = release_at(cx, solved, types, location, stmt) {
                out.push(site);
            }
        }
    }
    out
}

/// What a statement would release, by its shape alone (before the dataflow says whether
/// the place is a user-bound item of shared state).
enum Shape<'s> {
    /// `img.locked_by = None`, `img.locked = false`, `img.status = Status::Available`:
    /// `object`'s `field` is freed, as `how` says.
    Freed { object: Place, field: String, how: String },
    /// `img.unlock()`: a release call on the item.
    ReleaseCall { name: &'s str, receiver: &'s Place, call: &'s Call },
    /// `queue.push_back(img)`: a requeue call on a collection.
    Requeue { name: &'s str, receiver: &'s Place, call: &'s Call },
    /// `UPDATE jobs SET locked_by = NULL ..` through sqlx: rows of a shared table freed.
    SqlUpdate { table: String, how: String, call: &'s Call },
}

fn release_shape<'s>(cx: &Ctx<'_>, stmt: &'s Stmt) -> Option<Shape<'s>> {
    match &stmt.value {
        Rvalue::Use(_) | Rvalue::Aggregate { .. } => {
            let (Projection::Field(field), object) = split_last_field(&stmt.dest)? else { return None };
            let how = freed(cx, &field, &stmt.value)?;
            Some(Shape::Freed { object, field, how })
        }
        Rvalue::Call(call) => {
            if let Some(query) = cx.sqlx_query(call) {
                let is_owner = |c: &str| cx.owners.is_owner_field(c);
                let is_flag = |c: &str| cx.vocab.is(List::LockFlags, c);
                let is_free = |s: &str| cx.vocab.entries(List::ReleaseStates).iter().any(|e| e.eq_ignore_ascii_case(s));
                let (_, how) = crate::stores::sqlx::update_release(&query.shape, &is_owner, &is_flag, &is_free)?;
                return Some(Shape::SqlUpdate { table: query.shape.table.clone()?, how, call });
            }
            let (Callee::Method(name), Some(Operand::Place(receiver))) = (&call.callee, &call.receiver) else {
                return None;
            };
            if cx.vocab.is(List::ReleaseCalls, name) {
                Some(Shape::ReleaseCall { name, receiver, call })
            } else if cx.vocab.is(List::RequeueCalls, name) {
                Some(Shape::Requeue { name, receiver, call })
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether a block that `keep` selects has a statement of a release's shape. Bodies
/// without one are not solved.
fn may_release_in(cx: &Ctx<'_>, body: &Body, keep: impl Fn(BlockId) -> bool) -> bool {
    body.block_ids()
        .filter(|&b| keep(b))
        .flat_map(|b| &body.block(b).stmts)
        .any(|stmt| release_shape(cx, stmt).is_some())
}

/// The statement releases a user-bound item of shared state.
fn release_at(cx: &Ctx<'_>, solved: &Solved<'_>, types: &BodyTypes, location: Location, stmt: &Stmt) -> Option<Site> {
    let body = solved.body;
    match release_shape(cx, stmt)? {
        Shape::Freed { object, field, how } => {
            let origin = shared_item(cx, solved, types, &object, location)?;
            Some(Site {
                block: location.block,
                span: stmt.span,
                target: format!("{}.{field}", place_text(body, &object)),
                how,
                origin: Some(origin),
                steps: Vec::new(),
            })
        }
        Shape::ReleaseCall { name, receiver, call } => {
            let origin = shared_item(cx, solved, types, receiver, location)?;
            Some(Site {
                block: location.block,
                span: call.span,
                target: place_text(body, receiver),
                how: format!("calls `{name}()` on the item, giving it up"),
                origin: Some(origin),
                steps: Vec::new(),
            })
        }
        Shape::Requeue { name, receiver, call } => requeue(cx, solved, types, location, call, receiver, name),
        Shape::SqlUpdate { table, how, call } => Some(Site {
            block: location.block,
            span: call.span,
            target: format!("sql:{table}"),
            how,
            origin: None,
            steps: Vec::new(),
        }),
    }
}

/// `queue.push_back(item)`: a user-bound item put onto a shared positional queue.
fn requeue(
    cx: &Ctx<'_>,
    solved: &Solved<'_>,
    types: &BodyTypes,
    location: Location,
    call: &Call,
    receiver: &Place,
    name: &str,
) -> Option<Site> {
    let body = solved.body;
    let queue = unwrap_shared(&cx.place_type(receiver, types)?);
    let (queue_name, _) = named(&queue)?;
    let queue_name = queue_name.rsplit("::").next().unwrap_or(queue_name);
    let positional = cx.vocab.is(List::QueueTypes, queue_name) || queue_name.ends_with("Sender");
    if !positional || cx.vocab.is(List::MapTypes, queue_name) {
        return None;
    }
    let state = solved.provenance.state_before(location);
    let roots = solved.provenance.analysis.place(&state, receiver, location);
    let coll = roots.iter().find_map(|r| shared_coll(cx, solved, r, 0))?;
    let Some(Operand::Place(arg)) = call.args.first() else { return None };
    let item_ty = peel_item(&cx.place_type(arg, types)?);
    if !is_user_bound_item(&item_ty, &cx.tables, &cx.owners) {
        return None;
    }
    let values = solved.provenance.analysis.place(&state, arg, location);
    let origin = values.iter().find_map(|p| origin_of(cx, solved, p)).or_else(|| {
        let local = arg.base_local()?;
        values
            .iter()
            .any(|p| matches!(p, Provenance::Param(_)))
            .then(|| (body.local(local).span, "the item, a requester's, given to this fn".to_string()))
    });
    Some(Site {
        block: location.block,
        span: call.span,
        target: place_text(body, arg),
        how: format!("`{name}` puts the item back onto shared `{coll}`, where anyone's next take gets it"),
        origin,
        steps: Vec::new(),
    })
}

/// The value assigned frees the field: `None` for an owner field, `false` for a lock
/// flag, a free state (`release_states`) for any field. Returns how, for the label.
fn freed(cx: &Ctx<'_>, field: &str, value: &Rvalue) -> Option<String> {
    let variant = match value {
        Rvalue::Use(Operand::Const(Const::Path(p))) => Some(p.rsplit("::").next().unwrap_or(p).to_string()),
        Rvalue::Aggregate { kind: AggregateKind::Variant(path), fields } if fields.is_empty() => path.last().cloned(),
        _ => None,
    };
    if cx.owners.is_owner_field(field) && variant.as_deref() == Some("None") {
        return Some(format!("sets the owner field `{field}` to `None`, so the item is nobody's"));
    }
    if cx.vocab.is(List::LockFlags, field) && matches!(value, Rvalue::Use(Operand::Const(Const::Bool(false)))) {
        return Some(format!("sets the lock flag `{field}` to `false`, so the item is free to take"));
    }
    let variant = variant?;
    (variant != "None" && cx.vocab.is(List::ReleaseStates, &variant))
        .then(|| format!("sets `{field}` to `{variant}`, putting the item back up for grabs"))
}

/// `(place minus its last field, that field)`.
fn split_last_field(place: &Place) -> Option<(Projection, Place)> {
    let mut object = place.clone();
    let last = object.projections.pop()?;
    matches!(last, Projection::Field(_)).then_some((last, object))
}

/// The object is a user-bound item of shared state: its origin, for the label.
fn shared_item(
    cx: &Ctx<'_>,
    solved: &Solved<'_>,
    types: &BodyTypes,
    object: &Place,
    location: Location,
) -> Option<(Span, String)> {
    let state = solved.provenance.state_before(location);
    let values = solved.provenance.analysis.place(&state, object, location);
    let typed = cx.place_type(object, types).or_else(|| values.iter().find_map(|p| cx.term_type(solved, p)))?;
    if !is_user_bound_item(&peel_item(&typed), &cx.tables, &cx.owners) {
        return None;
    }
    values.iter().find_map(|p| origin_of(cx, solved, p))
}

/// Where an item of shared state comes from: an element of a shared collection, or a
/// slot of shared state.
fn origin_of(cx: &Ctx<'_>, solved: &Solved<'_>, p: &Provenance) -> Option<(Span, String)> {
    match p {
        Provenance::Element { of, site, how } => {
            let coll = shared_coll(cx, solved, of, 0)?;
            let span = match cx.site_stmt(solved, *site) {
                Some((_, s)) => match &s.value {
                    Rvalue::Call(c) => c.span,
                    _ => s.span,
                },
                None => solved.body.span,
            };
            let how = match how {
                crate::dataflow::Selection::Positional => "taken by position",
                crate::dataflow::Selection::Keyed(_) => "fetched by key",
                crate::dataflow::Selection::At(_) => "taken at an index",
                crate::dataflow::Selection::Predicate(_) => "selected",
            };
            Some((span, format!("the item, {how} from shared `{coll}`")))
        }
        Provenance::PartOf { whole, field } => {
            // A field of an element (`entry.1`) is the element's; a slot of shared
            // state (`self.current`) is an item of it.
            if let Some(found) = origin_of(cx, solved, whole) {
                let ty = cx.term_type(solved, whole).and_then(|t| field_type(&cx.tables, &t, field));
                return (!ty.as_ref().is_some_and(super::is_scalar)).then_some(found);
            }
            let (text, shared) = cx.describe(solved, p, 0)?;
            shared.then(|| (cx.first_read(solved, p).unwrap_or(solved.body.span), format!("the item, shared `{text}`")))
        }
        _ => None,
    }
}

/// The shared collection a term names, read through `IntoIterator::into_iter(..)`
/// (a `for` loop's iterator).
fn shared_coll(cx: &Ctx<'_>, solved: &Solved<'_>, of: &Provenance, depth: usize) -> Option<String> {
    if let Some(found) = cx.shared_coll(solved, of) {
        return Some(found);
    }
    let Provenance::CallResult(site) = of else { return None };
    let (_, stmt) = cx.site_stmt(solved, *site)?;
    let Rvalue::Call(call) = &stmt.value else { return None };
    if depth > 4 || !matches!(&call.callee, Callee::Path(s) if s.last().is_some_and(|l| l == "into_iter")) {
        return None;
    }
    let state = cx.state_here(solved, *site)?;
    let values = solved.provenance.analysis.operand(&state, call.args.first()?, *site);
    values.iter().find_map(|v| shared_coll(cx, solved, v, depth + 1))
}

/// A place as written: the local's name, then its fields.
fn place_text(body: &Body, place: &Place) -> String {
    let mut text = match &place.base {
        pairlint_base::ir::PlaceBase::Local(l) => {
            body.locals.get(l.index()).and_then(|x| x.name.clone()).unwrap_or_else(|| "the item".into())
        }
        pairlint_base::ir::PlaceBase::Static(path) => path.clone(),
    };
    for p in &place.projections {
        match p {
            Projection::Field(f) => {
                text.push('.');
                text.push_str(f);
            }
            Projection::Index(_) | Projection::ConstIndex(_) => text.push_str("[..]"),
            Projection::Deref | Projection::Variant(_) => {}
        }
    }
    text
}

/// The enum variants a call passes, by the callee's parameter index (IR: `self` is 0).
fn variant_args(body: &Body, call: &Call) -> Vec<(usize, String)> {
    let offset = usize::from(call.receiver.is_some());
    let mut out = Vec::new();
    for (i, arg) in call.args.iter().enumerate() {
        let variant = match arg {
            Operand::Const(Const::Path(p)) => Some(p.rsplit("::").next().unwrap_or(p).to_string()),
            Operand::Place(place) if place.projections.is_empty() => {
                place.base_local().and_then(|l| def_of(body, l)).and_then(|s| match &s.value {
                    Rvalue::Aggregate { kind: AggregateKind::Variant(path), .. } if path.len() >= 2 => {
                        path.last().cloned()
                    }
                    Rvalue::Use(Operand::Const(Const::Path(p))) if p.contains("::") => {
                        Some(p.rsplit("::").next().unwrap_or(p).to_string())
                    }
                    _ => None,
                })
            }
            _ => None,
        };
        if let Some(v) = variant {
            out.push((i + offset, v));
        }
    }
    out
}

/// The blocks of a helper reachable when its parameters hold the given variants: a
/// switch on such a parameter follows only the matching arm (or its `_`).
fn reachable_with(body: &Body, variants: &[(usize, String)]) -> Vec<bool> {
    let mut seen = vec![false; body.blocks.len()];
    if body.blocks.is_empty() {
        return seen;
    }
    let mut stack = vec![BlockId::new(0)];
    seen[0] = true;
    while let Some(b) = stack.pop() {
        let term = &body.block(b).term;
        let next: Vec<BlockId> = match term {
            Terminator::SwitchVariant { scrutinee, targets, otherwise } if scrutinee.projections.is_empty() => {
                let chosen =
                    scrutinee.base_local().and_then(|l| variants.iter().find(|(p, _)| *p == l.index()).map(|(_, v)| v));
                match chosen {
                    Some(v) => {
                        let arm: Vec<BlockId> = targets
                            .iter()
                            .filter(|(t, _)| t.rsplit("::").next().unwrap_or(t) == v)
                            .map(|(_, b)| *b)
                            .collect();
                        if arm.is_empty() {
                            otherwise.map(|o| vec![o]).unwrap_or_else(|| term.successors())
                        } else {
                            arm
                        }
                    }
                    None => term.successors(),
                }
            }
            _ => term.successors(),
        };
        for n in next {
            if let Some(s) = seen.get_mut(n.index()) {
                if !*s {
                    *s = true;
                    stack.push(n);
                }
            }
        }
    }
    seen
}
