//! The bundled reference service: a certificate issuance server for convenience-store
//! kiosks, in a flawed and a fixed variant, and a load simulation that drives either.
//!
//! In March 2023 a municipal certificate service printed other residents' certificates
//! at kiosks. [`flawed::FlawedServer`] reconstructs the design behind it as four
//! distinct code sites: print commands paired with images by queue order (Z, PL001),
//! a timeout handler that releases the applicant's lock instead of deleting the image
//! (Y, PL002), printing the next image when the resident's own is missing (X, PL004),
//! and no check at print time that the image is the requester's (PL003).
//! [`fixed::FixedServer`] keys images by ticket, deletes them on timeout, reports a
//! missing image and checks the applicant before printing.
//!
//! pairlint's self-test lints [`FLAWED_SOURCE`] (expecting exactly the four findings
//! marked in it) and [`FIXED_SOURCE`] (expecting none); [`sim::run`] shows what the
//! four sites do under load. Lint each together with [`DOMAIN_SOURCE`], as one crate:
//! `PrintImage` (the user-bound item, with its `applicant` and `locked_by` fields) is
//! declared there, and without it the output-without-check site (PL003) cannot be seen.

pub mod domain;
pub mod fixed;
pub mod flawed;
pub mod sim;

/// Source text of the flawed server.
pub const FLAWED_SOURCE: &str = include_str!("flawed.rs");

/// Source text of the fixed server.
pub const FIXED_SOURCE: &str = include_str!("fixed.rs");

/// Path of the flawed server in the crate (excluded from pairlint's run on its own source).
pub const FLAWED_PATH: &str = "crates/pairlint-reference/src/flawed.rs";

/// Path of the fixed server in the crate.
pub const FIXED_PATH: &str = "crates/pairlint-reference/src/fixed.rs";

/// Source text of the domain types both servers use.
pub const DOMAIN_SOURCE: &str = include_str!("domain.rs");

/// Path of the domain types in the crate.
pub const DOMAIN_PATH: &str = "crates/pairlint-reference/src/domain.rs";
