//! The only crate that sees Rust syntax: [`extract`] parses a file with syn and reduces
//! it to [`pairlint_base::model::FileFacts`]; [`lexcheck`] measures the nesting bound
//! with rustc_lexer tokens; [`context`] finds test code (left out unless asked for),
//! build-script includes and server entry points; [`lower`] builds the per-body IR of
//! analysis core v2.
//!
//! Syntax trees never leave this crate: each is dropped, and proc-macro2's span table
//! invalidated, before the next file is parsed.

pub mod context;
pub mod extract;
pub mod lexcheck;
pub mod lower;
mod span;
