//! The type model of the analysis core v2: types as data, a typed model of library
//! APIs, and light inference over the per-body IR, so that "is this the user-bound
//! item?" is a question about a value's type rather than its name.
//!
//! - [`facts`]: the inputs, as written (structs, enums, aliases, fn/method/trait
//!   signatures with generics and bounds, `use` imports per scope), as the extractor
//!   fills them per file, and the crate's assembled from them.
//! - [`ty`]: [`ty::Type`], the resolved type; pattern binding and substitution.
//! - [`std_model`]: the ONE table of library APIs (std, tokio, parking_lot,
//!   crossbeam, flume, async-channel, dashmap), with each call's [`std_model::Effect`],
//!   and [`std_model::call_effect`] for the dataflow's call model.
//! - [`tables`]: the crate's items resolved ([`tables::TypeTables`]) and name
//!   resolution through imports ([`tables::Resolver`]).
//! - [`infer`]: a type per local of an IR body.
//! - [`user_bound`]: owner-like fields by word segments, identity newtypes, and
//!   which types carry a user-bound item.
//!
//! Invariants:
//! - Unknown is never guessed. What the tables and the std model do not determine is
//!   [`ty::Type::Unknown`], and anything computed from an unknown stays unknown (an
//!   unbound pattern variable substitutes to unknown; conflicting assignments make a
//!   local unknown). A name no import, crate item or prelude entry resolves stays
//!   [`ty::Type::Unresolved`]; the std model answers for it only where every library
//!   family of that name that has the method agrees.
//! - The std model's table is the only place library types, methods and fns are
//!   named: inference, user-boundness and the call model all ask it (`*`, `[]` and
//!   `.await` are table entries too).
//! - A name means what its scope's `use` says: `Path` imported from `axum::extract` is
//!   not `std::path::Path`, and `Mutex` from `tokio::sync` locks through `.await`.
//! - No syntax: this module reads facts and IR only (the crate has no syntax
//!   dependency).
//!
//! Known limitations (each gives unknown, never a wrong type):
//! - The extracted signatures keep whole paths, but IR locals' written types
//!   (`ir::Local::ty`, a `model::Ty`) keep a path's last segment only, so
//!   `let p: std::path::Path` resolves like a bare `Path`.
//! - Paths relative to a module (`model::Job` without an import) are not crate items
//!   unless they start with `crate`/`self`/`super`: [`facts::CrateSigs::modules`] has
//!   each scope's module path, but the tables do not read it yet.
//! - Associated types are followed only through a bound's binding (`T::Item` with
//!   `T: Iterator<Item = Job>`); `Self::Item` is unknown.
//! - `collect`, `sum` and integer literals take the destination's type: unknown
//!   unless the local's type is written.
//! - An any-receiver entry (`clone`) answers on a guard (a `MutexGuard` is not
//!   `Clone`; rustc would autoderef to the guarded value's `clone`).
//! - Macros (`format!`, `vec!`) are unknown.

pub mod facts;
pub mod infer;
pub mod std_model;
pub mod tables;
pub mod ty;
pub mod user_bound;

#[cfg(test)]
mod tests;
