//! PL002 timeout-releases-ownership: a timeout path gives up an item's ownership
//! (unlocks it, clears its owner, requeues it) instead of deleting it, so the next
//! requester can take it. Case Y of the incident.

use super::{step_labels, Claims, Models, RawFinding, Rule};
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
    let model = models.crate_model;
    for f in model.fn_ids() {
        let func = model.func(f);
        let file = model.file_of(f);
        let context = (file, func.name_span, format!("timeout path `{}`", func.name));
        for r in &func.releases {
            if !(r.in_timeout || func.is_timeout) || !model.release_counts(f, r) {
                continue;
            }
            let mut labels = vec![(file, r.span, format!("releases `{}`", r.target_text))];
            if func.is_timeout {
                labels.push(context.clone());
            }
            out.push(RawFinding {
                rule: &RULE,
                confidence: if model.release_typed(f, r) { Confidence::High } else { Confidence::Medium },
                file,
                span: r.span,
                message: format!("timeout path releases `{}` for anyone to take instead of deleting it", r.target_text),
                help:
                    "on timeout, remove the item and tell its requester; releasing it lets the next requester take it"
                        .into(),
                labels,
            });
        }
        for (c, call) in func.calls.iter().enumerate() {
            if !(call.in_timeout || func.is_timeout) {
                continue;
            }
            let Some(h) = model.callee(f, c) else { continue };
            let helper = model.func(h);
            // A helper that is a timeout path itself reports its own releases.
            if helper.is_timeout || h == f {
                continue;
            }
            let Some(steps) = &model.summaries[h].releases else {
                continue;
            };
            let mut labels = vec![(file, call.span, format!("calls `{}` on a timeout path", helper.name))];
            if func.is_timeout {
                labels.push(context.clone());
            }
            labels.extend(step_labels(steps));
            out.push(RawFinding {
                rule: &RULE,
                confidence: Confidence::Medium,
                file,
                span: call.span,
                message: format!("timeout path calls `{}`, which releases an item for anyone to take", helper.name),
                help:
                    "on timeout, remove the item and tell its requester; releasing it lets the next requester take it"
                        .into(),
                labels,
            });
        }
    }
}
