//! The crate analysis and the rules that query it ([`rules`]). Works on extracted facts
//! and the IR only: this crate
//! cannot depend on a syntax crate, so "analysis never sees syntax" is a build error to
//! break, not a convention.
//!
//! [`dataflow`] is the analysis core v2's dataflow layer over the typed per-body IR
//! (`pairlint_base::ir`): a generic solver, provenance and the owner-checked fact;
//! [`types`] infers types from the crate's signatures and a std model kept as data;
//! [`flows`] reads per-body takes, outputs, checks and timeout-path releases off the
//! dataflow for the rules; [`stores`] reads what SQL statements do to tables.

pub mod dataflow;
pub mod flows;
pub mod rules;
pub mod stores;
pub mod types;
