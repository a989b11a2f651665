//! The generic forward dataflow solver: an [`Analysis`] says what a state is and how
//! statements and edges change it; [`solve`] runs a worklist in reverse postorder to the
//! fixpoint and keeps the state at every block entry ([`Results`]).
//!
//! Edges have their own transfer function so a branch can refine the state: the passing
//! edge of `if img.owner == user` learns a fact that the failing edge does not.

use pairlint_base::ir::{BlockId, Body, Stmt, Terminator};
use std::collections::BTreeSet;

/// A program point: before statement `statement` of `block`; `statement ==
/// stmts.len()` is before the terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub block: BlockId,
    pub statement: usize,
}

impl Location {
    pub fn new(block: BlockId, statement: usize) -> Self {
        Location { block, statement }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.block, self.statement)
    }
}

/// A forward dataflow analysis over one [`Body`].
///
/// The solver relies on two properties, which every implementation must keep:
/// - `join` is a least upper bound of a lattice of finite height (so a block's entry
///   state can change only finitely often), and `bottom` is its least element;
/// - the transfer functions are monotone (a larger input never gives a smaller output).
///
/// Together they make the worklist terminate at the least fixpoint. A may-analysis
/// (union) and a must-analysis (intersection) differ only in `join` and `bottom`; a
/// must-analysis needs an explicit "unreached" bottom (an `Option`'s `None`), since its
/// empty set is the *top* of the lattice and would weaken every join it takes part in.
pub trait Analysis {
    type Domain: Clone + PartialEq;

    /// The state on entry to `bb0`.
    fn entry(&self, body: &Body) -> Self::Domain;

    /// The state of a block no edge has reached yet.
    fn bottom(&self) -> Self::Domain;

    /// `into := into ⊔ other`; returns whether `into` changed.
    fn join(&self, into: &mut Self::Domain, other: &Self::Domain) -> bool;

    /// The effect of one statement. `location` identifies the statement (call sites
    /// name the values they create by it).
    fn transfer_stmt(&self, state: &mut Self::Domain, stmt: &Stmt, location: Location);

    /// The state that flows along the `successor_index`-th edge of `term` (the order
    /// of [`Terminator::successors`]), given the state before the terminator.
    fn transfer_edge(&self, state: &Self::Domain, term: &Terminator, successor_index: usize) -> Self::Domain;
}

/// Blocks reachable from `bb0`, in reverse postorder (every block before its successors,
/// except along back edges). Unreachable blocks are not listed: the solver never runs
/// them, so their states stay `bottom` and never reach a join.
pub fn reverse_postorder(body: &Body) -> Vec<BlockId> {
    if body.blocks.is_empty() {
        return Vec::new();
    }
    let mut visited = vec![false; body.blocks.len()];
    let mut postorder = Vec::with_capacity(body.blocks.len());
    // An explicit stack of (block, next successor to visit): bodies can be deep.
    let mut stack: Vec<(BlockId, Vec<BlockId>, usize)> = Vec::new();
    let entry = BlockId::new(0);
    visited[0] = true;
    stack.push((entry, body.block(entry).term.successors(), 0));
    while let Some((block, successors, next)) = stack.last_mut() {
        if let Some(&succ) = successors.get(*next) {
            *next += 1;
            // Successors outside the body (a malformed lowering) are ignored.
            if succ.index() < visited.len() && !visited[succ.index()] {
                visited[succ.index()] = true;
                let succs = body.block(succ).term.successors();
                stack.push((succ, succs, 0));
            }
        } else {
            postorder.push(*block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

/// The fixpoint of an analysis on one body: the state at every block's entry.
pub struct Results<'body, A: Analysis> {
    pub analysis: A,
    pub body: &'body Body,
    entry_states: Vec<A::Domain>,
}

/// How often one block is re-run before the solver stops re-queuing it.
pub const MAX_VISITS: usize = 64;

/// Runs `analysis` on `body` to its fixpoint.
///
/// The worklist is ordered by reverse postorder position, so a block is processed after
/// its forward predecessors; a back edge that changes a loop header re-queues it.
pub fn solve<A: Analysis>(analysis: A, body: &Body) -> Results<'_, A> {
    let mut entry_states: Vec<A::Domain> = (0..body.blocks.len()).map(|_| analysis.bottom()).collect();
    let order = reverse_postorder(body);
    if order.is_empty() {
        return Results { analysis, body, entry_states };
    }
    let mut rank = vec![usize::MAX; body.blocks.len()];
    for (position, block) in order.iter().enumerate() {
        rank[block.index()] = position;
    }
    // bb0 may also be a loop header, so its entry state is joined into, never replaced.
    let entry = analysis.entry(body);
    analysis.join(&mut entry_states[0], &entry);
    let mut worklist: BTreeSet<usize> = (0..order.len()).collect();
    let mut visits = vec![0usize; body.blocks.len()];
    while let Some(position) = worklist.pop_first() {
        let block = order[position];
        // A safety valve, not the termination argument (that is monotonicity on a
        // finite lattice): a block re-run this often stops being re-queued, and the
        // states stay where they are (an approximation, reported as no finding).
        visits[block.index()] += 1;
        if visits[block.index()] > MAX_VISITS {
            continue;
        }
        let data = body.block(block);
        let mut state = entry_states[block.index()].clone();
        for (i, stmt) in data.stmts.iter().enumerate() {
            analysis.transfer_stmt(&mut state, stmt, Location::new(block, i));
        }
        for (i, succ) in data.term.successors().into_iter().enumerate() {
            if succ.index() >= entry_states.len() {
                continue;
            }
            let on_edge = analysis.transfer_edge(&state, &data.term, i);
            if analysis.join(&mut entry_states[succ.index()], &on_edge) {
                worklist.insert(rank[succ.index()]);
            }
        }
    }
    Results { analysis, body, entry_states }
}

impl<A: Analysis> Results<'_, A> {
    /// The state on entry to `block` (`bottom` if no path from `bb0` reaches it).
    pub fn entry_state(&self, block: BlockId) -> &A::Domain {
        &self.entry_states[block.index()]
    }

    /// The state just before `location` (before its statement, or before the
    /// terminator when `location.statement` is the block's statement count).
    pub fn state_before(&self, location: Location) -> A::Domain {
        // A location of another body (a caller's mistake) is a point no path reaches,
        // not a panic.
        let (Some(entry), Some(block)) =
            (self.entry_states.get(location.block.index()), self.body.blocks.get(location.block.index()))
        else {
            return self.analysis.bottom();
        };
        let mut state = entry.clone();
        let stmts = &block.stmts;
        for (i, stmt) in stmts.iter().enumerate().take(location.statement) {
            self.analysis.transfer_stmt(&mut state, stmt, Location::new(location.block, i));
        }
        state
    }

    /// The state before `block`'s terminator.
    pub fn state_before_terminator(&self, block: BlockId) -> A::Domain {
        self.state_before(Location::new(block, self.body.block(block).stmts.len()))
    }

    /// Calls `visit(location, state before it, statement)` for every statement of
    /// `block` in order, applying each transfer once (cheaper than `state_before` for
    /// every statement). Returns the state before the terminator.
    pub fn walk_block(&self, block: BlockId, mut visit: impl FnMut(Location, &A::Domain, &Stmt)) -> A::Domain {
        let mut state = self.entry_state(block).clone();
        for (i, stmt) in self.body.block(block).stmts.iter().enumerate() {
            let location = Location::new(block, i);
            visit(location, &state, stmt);
            self.analysis.transfer_stmt(&mut state, stmt, location);
        }
        state
    }
}
