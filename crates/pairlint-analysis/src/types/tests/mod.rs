//! Tests of the type model, with a small builder for IR bodies and signatures.

mod builder;
mod infer;
mod resolve;
mod std_model;
mod user_bound;
