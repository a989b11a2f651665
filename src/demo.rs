//! `cargo pairlint demo`: runs the reference issuance service under simulated load in
//! both variants, then lints both variants' own source (the very files compiled into
//! this binary) and checks the findings against the `//~` expectations written in them.

use crate::config::Config;
use crate::engine::{lint_crate, Report, SourceFile};
use crate::expect::expectations;
use crate::reference::sim::{self, Mechanism, SimParams, SimReport, Variant};
use crate::reference::{DOMAIN_PATH, DOMAIN_SOURCE, FIXED_PATH, FIXED_SOURCE, FLAWED_PATH, FLAWED_SOURCE};
use crate::vocab::Vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What the demo found: both simulations, both lint reports, and whether every
/// expectation held.
pub struct DemoOutcome {
    pub params: SimParams,
    pub runs: Vec<SimReport>,
    pub flawed: Report,
    pub fixed: Report,
    /// Expectations written in the flawed source that were not reported, and findings
    /// that were not expected, as `file:line: rule` strings.
    pub mismatches: Vec<String>,
}

impl DemoOutcome {
    /// The demo's self-test: lint findings exactly as expected, and the fixed server
    /// never printed for the wrong resident while the flawed one did.
    pub fn ok(&self) -> bool {
        self.mismatches.is_empty()
            && self.runs.iter().all(|r| match r.variant {
                Variant::Fixed => r.printed_wrong == 0,
                Variant::Flawed => r.printed_wrong > 0,
            })
    }
}

fn lint_variant(path: &str, text: &str) -> Report {
    let sources = vec![
        SourceFile { path: PathBuf::from(DOMAIN_PATH), text: DOMAIN_SOURCE.to_string() },
        SourceFile { path: PathBuf::from(path), text: text.to_string() },
    ];
    lint_crate(&sources, &Config::default(), &Vocabulary::default())
}

fn mismatches(report: &Report, path: &str, text: &str) -> Vec<String> {
    let expected: BTreeSet<(u32, String)> = expectations(text);
    let found: BTreeSet<(u32, String)> = report
        .findings
        .iter()
        .filter(|f| f.location.file == Path::new(path))
        .map(|f| (f.location.span.line, f.rule.to_string()))
        .collect();
    let mut out = Vec::new();
    for (line, rule) in expected.difference(&found) {
        out.push(format!("{path}:{line}: expected {rule}, not reported"));
    }
    for (line, rule) in found.difference(&expected) {
        out.push(format!("{path}:{line}: {rule} reported, not expected"));
    }
    for f in report.findings.iter().filter(|f| f.location.file != Path::new(path)) {
        out.push(format!("{}:{}: {} reported, not expected", f.location.file.display(), f.location.span.line, f.rule));
    }
    for e in &report.errors {
        out.push(format!("{}:{}:{}: {}", e.file.display(), e.line, e.column, e.message));
    }
    out
}

/// Runs the whole demo.
pub fn run(params: &SimParams) -> DemoOutcome {
    let runs = Variant::ALL.iter().map(|&v| sim::run(params, v)).collect();
    let flawed = lint_variant(FLAWED_PATH, FLAWED_SOURCE);
    let fixed = lint_variant(FIXED_PATH, FIXED_SOURCE);
    let mut all = mismatches(&flawed, FLAWED_PATH, FLAWED_SOURCE);
    all.extend(mismatches(&fixed, FIXED_PATH, FIXED_SOURCE));
    DemoOutcome { params: params.clone(), runs, flawed, fixed, mismatches: all }
}

/// The parameters line and the simulation table.
pub fn simulation_table(outcome: &DemoOutcome) -> String {
    let p = &outcome.params;
    let mut out = format!(
        "simulation: seed {}, {} requests, {} kiosks ({} on old firmware), timeout {} ms, latency {}±{} ms, \
         {:.1}% reordered, {:.1}% late\n\n",
        p.seed,
        p.requests,
        p.kiosks,
        p.legacy_kiosks,
        p.timeout_ms,
        p.mean_latency_ms,
        p.jitter_ms,
        p.reorder_fraction * 100.0,
        p.late_fraction * 100.0
    );
    out.push_str("variant  requests  printed  wrong-person  expired-and-reported  wrong by X / Y / Z / unchecked\n");
    for r in &outcome.runs {
        out.push_str(&format!(
            "{:<8} {:>8} {:>8} {:>13} {:>21}  {} / {} / {} / {}\n",
            r.variant.name(),
            r.requests,
            r.printed,
            r.printed_wrong,
            r.expired_reported,
            r.wrong_by(Mechanism::X),
            r.wrong_by(Mechanism::Y),
            r.wrong_by(Mechanism::Z),
            r.wrong_by(Mechanism::Unchecked),
        ));
    }
    out
}

/// The demo as one JSON document (the lint part in the same shape as `--format json`).
pub fn to_json(outcome: &DemoOutcome) -> serde_json::Value {
    let runs: Vec<serde_json::Value> = outcome
        .runs
        .iter()
        .map(|r| {
            serde_json::json!({
                "variant": r.variant.name(),
                "seed": r.seed,
                "requests": r.requests,
                "printed": r.printed,
                "wrong_person": r.printed_wrong,
                "expired_reported": r.expired_reported,
                "wrong_by_mechanism": {
                    "X": r.wrong_by(Mechanism::X),
                    "Y": r.wrong_by(Mechanism::Y),
                    "Z": r.wrong_by(Mechanism::Z),
                    "unchecked": r.wrong_by(Mechanism::Unchecked),
                },
            })
        })
        .collect();
    serde_json::json!({
        "simulation": runs,
        "lint": {
            "flawed": crate::output::json::to_value(&outcome.flawed),
            "fixed": crate::output::json::to_value(&outcome.fixed),
        },
        "mismatches": outcome.mismatches,
        "ok": outcome.ok(),
    })
}
