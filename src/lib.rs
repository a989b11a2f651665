//! pairlint: finds unsafe queue-pairing, code that hands one person's item to another.
//!
//! The library does all the work; `main.rs` only turns process arguments into a call
//! of [`cli::run`]. See ARCHITECTURE.md for the crates and the data flow. This crate
//! (`cargo-pairlint`) holds discovery, the engine, the cache, configuration, gating,
//! the outputs, the language server and the CLI; the data, the syntax layer, the
//! analysis and the reference service are crates of their own, re-exported here under
//! the module names the rest of this crate and its users know.

pub use pairlint_analysis::{flows, rules};
pub use pairlint_base::{expect, finding, model, report, source, vocab};
pub use pairlint_reference as reference;
pub use pairlint_syntax::{extract, lexcheck};

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
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod lsp;
pub mod output;
pub mod panics;
pub mod suppress;
pub mod terminal;
