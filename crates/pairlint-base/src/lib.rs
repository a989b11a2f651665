//! pairlint's plain data, shared by every other crate: [`finding`] (findings, spans,
//! file errors), [`model`] (the facts extraction makes of a file), [`sigs`] (its item
//! signatures as written, for the type model), [`report`] (what a run found), [`vocab`]
//! (the words the rules match), [`source`] (byte offsets to lines and columns) and
//! [`expect`] (the `//~ PL00N` expectations of test inputs).
//!
//! Nothing here knows syntax or analysis: it is data and the functions that read it.

pub mod expect;
pub mod finding;
pub mod ir;
pub mod model;
pub mod report;
pub mod sigs;
pub mod source;
pub mod vocab;
