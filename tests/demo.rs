//! The demo is also a self-test: the flawed reference server must show exactly the
//! findings written in it (rule + line), the fixed one none, at any simulation size.

use pairlint::demo;
use pairlint::expect::expectations;
use pairlint::reference::sim::SimParams;
use pairlint::reference::{FIXED_SOURCE, FLAWED_PATH, FLAWED_SOURCE};
use std::path::Path;

fn small() -> SimParams {
    SimParams { requests: 4_000, ..SimParams::default() }
}

// The four incident mechanisms are each reported at their own line, and nothing else.
#[test]
fn flawed_variant_shows_exactly_its_expected_findings() {
    let outcome = demo::run(&small());
    let expected = expectations(FLAWED_SOURCE);
    let rules: Vec<&str> = expected.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(rules.len(), 4, "flawed.rs marks one site per mechanism: {expected:?}");
    for rule in ["PL001", "PL002", "PL003", "PL004"] {
        assert!(rules.contains(&rule), "flawed.rs has no {rule} site");
    }
    let found: std::collections::BTreeSet<(u32, String)> = outcome
        .flawed
        .findings
        .iter()
        .map(|f| {
            assert_eq!(f.location.file, Path::new(FLAWED_PATH));
            (f.location.span.line, f.rule.to_string())
        })
        .collect();
    assert_eq!(found, expected);
    assert!(outcome.mismatches.is_empty(), "{:?}", outcome.mismatches);
}

// The fixed variant is the safe design; a finding there would be a false positive.
#[test]
fn fixed_variant_has_no_findings() {
    let outcome = demo::run(&small());
    assert!(expectations(FIXED_SOURCE).is_empty());
    assert!(outcome.fixed.findings.is_empty(), "{:?}", outcome.fixed.findings);
    assert!(outcome.fixed.errors.is_empty());
}

// The CLI's demo exits 0 on success and its JSON carries both variants.
#[test]
fn demo_command_exits_zero_with_json() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let args = ["cargo-pairlint", "demo", "--requests", "3000", "--format", "json"].map(Into::into).to_vec();
    let code = pairlint::cli::run(args, Path::new("."), &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["lint"]["flawed"]["summary"]["findings"], 4);
    assert_eq!(v["lint"]["fixed"]["summary"]["findings"], 0);
    assert_eq!(v["simulation"][1]["variant"], "fixed");
    assert_eq!(v["simulation"][1]["wrong_person"], 0);
    assert!(v["simulation"][0]["wrong_person"].as_u64().unwrap() > 0);
}

// Bad demo parameters are a usage error, not a panic.
#[test]
fn demo_rejects_zero_requests() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let args = ["cargo-pairlint", "demo", "--requests", "0"].map(Into::into).to_vec();
    assert_eq!(pairlint::cli::run(args, Path::new("."), &mut out, &mut err), 2);
}
