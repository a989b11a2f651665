//! PL002 timeout-releases-ownership: a timeout path gives up an item's ownership
//! (unlocks it, clears its owner, requeues it) instead of deleting it, so the next
//! requester can take it. Case Y of the incident.
//!
//! A query over [`crate::flows::release`]: the timeout region of each body (from its
//! CFG), the releases of user-bound items of shared state in it, and the helpers a
//! timeout path calls that release (one finding per release site).

use super::{Claims, Models, RawFinding, Rule};
use pairlint_base::finding::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "PL002",
    name: "timeout-releases-ownership",
    default_severity: Severity::Error,
    summary: "a timeout path releases an item's ownership instead of deleting it",
    doc: include_str!("../../../../rules/PL002.md"),
    precedence: 40,
    check,
};

fn check(models: &Models, _claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for release in &models.flows.releases {
        out.push(RawFinding {
            rule: &RULE,
            // Found in the body itself, by types: high; through a helper: medium.
            confidence: if release.direct { Confidence::High } else { Confidence::Medium },
            file: release.file,
            span: release.span,
            message: release.message.clone(),
            help: "on timeout, remove the item and tell its requester; releasing it lets the next requester take it"
                .into(),
            labels: release.labels.clone(),
        });
    }
}
