//! The crate analysis ([`analysis::CrateModel`]: types, call resolution, summaries)
//! and the rules that query it ([`rules`]). Works on extracted facts only: this crate
//! cannot depend on a syntax crate, so "analysis never sees syntax" is a build error to
//! break, not a convention.
//!
//! [`dataflow`] is the analysis core v2's dataflow layer over the typed per-body IR
//! (`pairlint_base::ir`): a generic solver, provenance and the owner-checked fact;
//! [`flows`] reads per-body takes, outputs and checks off it for the rules.

pub mod analysis;
pub mod dataflow;
pub mod flows;
pub mod rules;
pub mod stores;
pub mod types;
