//! The rule registry and the order rules run in. Each rule is one file; what they
//! share (flow, dominance, summaries) lives in `analysis`.

mod fallback_to_other_item;
mod head_of_queue_for_requester;
mod output_without_requester_check;
mod timeout_releases_ownership;

use crate::analysis::{CrateModel, FnId, Step};
use pairlint_base::finding::{Confidence, Severity, Span};
use pairlint_base::model::OriginId;
use std::collections::BTreeSet;

/// A rule's identity and documentation. The doc is the Markdown file in `rules/`:
/// `explain` prints it, SARIF carries it, the README table is checked against it.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
}

pub const PL001: Rule = Rule {
    code: "PL001",
    name: "head-of-queue-for-requester",
    default_severity: Severity::Error,
    summary: "an item taken by position from a shared queue is handed to a requester unchecked",
    doc: include_str!("../../../../rules/PL001.md"),
};
pub const PL002: Rule = Rule {
    code: "PL002",
    name: "timeout-releases-ownership",
    default_severity: Severity::Error,
    summary: "a timeout path releases an item's ownership instead of deleting it",
    doc: include_str!("../../../../rules/PL002.md"),
};
pub const PL003: Rule = Rule {
    code: "PL003",
    name: "output-without-requester-check",
    default_severity: Severity::Warning,
    summary: "a user-bound item from shared state is output without checking it is the requester's",
    doc: include_str!("../../../../rules/PL003.md"),
};
pub const PL004: Rule = Rule {
    code: "PL004",
    name: "fallback-to-other-item",
    default_severity: Severity::Error,
    summary: "when the requester's own item is missing, another item is taken instead",
    doc: include_str!("../../../../rules/PL004.md"),
};

/// Every rule, in code order.
pub const RULES: &[&Rule] = &[&PL001, &PL002, &PL003, &PL004];

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// A finding before paths, levels and suppressions are applied.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub rule: &'static Rule,
    pub confidence: Confidence,
    pub file: usize,
    pub span: Span,
    pub message: String,
    pub help: String,
    /// (file index, span, message)
    pub labels: Vec<(usize, Span, String)>,
}

/// What earlier (more specific) rules already reported, so that one flow gives one
/// finding: PL004 over PL001 over PL003.
#[derive(Default)]
pub struct Claims {
    pub takes: BTreeSet<(FnId, OriginId)>,
    pub outputs: BTreeSet<(FnId, u32, usize)>,
}

/// Runs every rule over the crate.
pub fn run(model: &CrateModel) -> Vec<RawFinding> {
    let mut claims = Claims::default();
    let mut out = Vec::new();
    fallback_to_other_item::check(model, &mut claims, &mut out);
    head_of_queue_for_requester::check(model, &mut claims, &mut out);
    output_without_requester_check::check(model, &mut claims, &mut out);
    timeout_releases_ownership::check(model, &mut out);
    out.sort_by_key(|f| (f.file, f.span.byte_start, f.rule.code));
    out.dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule.code == b.rule.code);
    out
}

/// Labels that show a call-site finding's path inside helpers.
fn step_labels(steps: &[Step]) -> Vec<(usize, Span, String)> {
    steps.iter().map(|s| (s.file, s.span, s.message.clone())).collect()
}

/// "flows into `img`" at the bindings that carry the item between its take and its
/// output (at most three, in order).
fn flow_labels(model: &CrateModel, f: FnId, o: OriginId, from: Span, to: Span) -> Vec<(usize, Span, String)> {
    let file = model.file_of(f);
    model
        .func(f)
        .bindings
        .iter()
        // From the take's line (the `let` binding it) up to the output.
        .filter(|b| b.origins.contains(&o) && b.span.line >= from.line && b.span.byte_end <= to.byte_start)
        .take(3)
        .map(|b| (file, b.span, format!("flows into `{}`", b.name)))
        .collect()
}

/// "requester identity `cmd`" at the fn's identity, if it has one.
fn identity_label(model: &CrateModel, f: FnId) -> Option<(usize, Span, String)> {
    let func = model.func(f);
    func.identity.as_ref().map(|(span, name)| (model.file_of(f), *span, format!("requester identity `{name}`")))
}
