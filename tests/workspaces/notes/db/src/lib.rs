//! The repository: people's notes in a shared store, looked up by the note's id.
pub mod notes;

pub use notes::{Note, Store};
