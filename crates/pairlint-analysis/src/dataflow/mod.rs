//! The dataflow layer of analysis core v2: analyses over one IR [`Body`] (see
//! `pairlint_base::ir`), solved to a fixpoint.
//!
//! - [`framework`]: the [`Analysis`] trait (state lattice, statement and edge transfer)
//!   and the worklist solver [`solve`], which keeps the state at every block entry.
//! - [`provenance`]: a may-analysis of what every place is derived from (a parameter,
//!   an element of a collection taken by position, key or predicate, a part of a
//!   value...), with calls described by a pluggable [`CallModel`].
//! - [`owner_check`]: a must-analysis of which values were compared with the
//!   requester's identity on every path, such that a mismatch leaves; it reads the
//!   provenance results and consults a [`CheckModel`] and a [`CheckVocabulary`].
//!
//! [`analyze_body`] runs both on one body. Nothing here knows names of std APIs or
//! vocabulary words: they come in through the models, so the type model and the
//! vocabulary can change without touching the solver.

pub mod framework;
pub mod liveness;
pub mod owner_check;
pub mod provenance;

#[cfg(test)]
mod tests;

pub use framework::{reverse_postorder, solve, Analysis, Location, Results};
pub use owner_check::{
    Bodies, CheckEffect, CheckInputs, CheckModel, CheckOutcome, CheckState, CheckVocabulary, Condition, ConditionKind,
    NoCheckHelpers, OwnerCheck, Slot,
};
pub use provenance::{
    CallEffect, CallModel, HelperReturns, NameCallModel, PlacePath, Provenance, ProvenanceAnalysis, ProvenanceState,
    SelectBy, Selection, StoreRead,
};

use pairlint_base::ir::{Body, Operand};
use std::collections::BTreeSet;

/// Everything the dataflow layer knows about one body.
pub struct BodyFacts<'a> {
    pub provenance: Results<'a, ProvenanceAnalysis<'a>>,
    pub checks: Results<'a, OwnerCheck>,
}

/// Runs the provenance and owner-check analyses on `body`. `inputs.bodies` must hold
/// the closures `body` creates (predicate closures are analysed on demand).
pub fn analyze_body<'a>(body: &'a Body, calls: &'a dyn CallModel, inputs: CheckInputs<'_>) -> BodyFacts<'a> {
    let provenance = solve(ProvenanceAnalysis::new(body, calls), body);
    let checks = solve(OwnerCheck::new(&provenance, inputs), body);
    BodyFacts { provenance, checks }
}

impl BodyFacts<'_> {
    /// What `operand` may hold just before `location`.
    pub fn provenance_at(&self, location: Location, operand: &Operand) -> BTreeSet<Provenance> {
        let state = self.provenance.state_before(location);
        self.provenance.analysis.operand(&state, operand, location)
    }

    /// The check state just before `location`; `None` if no path reaches it.
    pub fn checks_at(&self, location: Location) -> Option<CheckState> {
        self.checks.state_before(location)
    }

    /// Whether the value of `operand` is, on every path to `location`, an owner-checked
    /// value (the item itself, not a part of one). Unreachable points are vacuously
    /// checked; an operand of unknown provenance is not.
    pub fn is_checked_at(&self, location: Location, operand: &Operand) -> bool {
        let Some(state) = self.checks_at(location) else {
            return true;
        };
        let values = self.provenance_at(location, operand);
        !values.is_empty() && values.iter().all(|p| state.is_checked(p))
    }
}
