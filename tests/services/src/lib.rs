//! Empty: this package only exists to resolve and vendor the services listed in Cargo.toml.
