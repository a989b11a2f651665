//! pairlint: finds unsafe queue-pairing, code that hands one person's item to another.
//!
//! The library does all the work; `main.rs` only turns process arguments into a call
//! of [`cli::run`]. See ARCHITECTURE.md for the data flow.

pub mod analysis;
pub mod atomic;
pub mod baseline;
pub mod cache;
pub mod cargo_check;
pub mod cli;
pub mod config;
pub mod demo;
pub mod diff;
pub mod discover;
pub mod engine;
pub mod expect;
pub mod extract;
pub mod finding;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod lexcheck;
pub mod lsp;
pub mod model;
pub mod output;
pub mod panics;
pub mod prefilter;
pub mod reference;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod terminal;
pub mod vocab;
