// pairlint real-world corpus: this package only exists so that `cargo vendor` can fetch
// the exact versions pinned in Cargo.toml. It is never built; see run.sh and TRIAGE.md.
