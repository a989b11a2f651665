//! The crate analysis ([`analysis::CrateModel`]: types, call resolution, summaries)
//! and the rules that query it ([`rules`]). Works on extracted facts only: this crate
//! cannot depend on a syntax crate, so "analysis never sees syntax" is a build error to
//! break, not a convention.

pub mod analysis;
pub mod rules;
pub mod types;
