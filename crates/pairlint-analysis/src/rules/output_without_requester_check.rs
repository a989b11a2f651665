//! PL003 output-without-requester-check: a per-requester fn outputs a user-bound item
//! fetched from shared state (by key or reference) without a dominating check that it
//! belongs to the requester. The incident's missing print-time check.

use super::{flow_labels, identity_label, step_labels, Claims, RawFinding, Rule};
use crate::analysis::{Class, CrateModel};
use pairlint_base::finding::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "PL003",
    name: "output-without-requester-check",
    default_severity: Severity::Warning,
    summary: "a user-bound item from shared state is output without checking it is the requester's",
    doc: include_str!("../../../../rules/PL003.md"),
    precedence: 30,
    check,
};

fn check(model: &CrateModel, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for f in model.fn_ids() {
        let func = model.func(f);
        if !func.per_requester {
            continue;
        }
        let file = model.file_of(f);
        for output in model.outputs(f) {
            if claims.outputs.contains(&(f, output.span.line, output.span.byte_start))
                || output.origins.iter().any(|&o| claims.takes.contains(&(f, o)))
            {
                continue;
            }
            let found = output.origins.iter().find_map(|&o| match model.classify(f, o) {
                Class::Keyed { user_bound: true, steps, coll, typed: _ } if !model.checked(f, o, &output.at) => {
                    Some((o, steps, coll))
                }
                _ => None,
            });
            let Some((o, steps, coll)) = found else { continue };
            claims.outputs.insert((f, output.span.line, output.span.byte_start));
            let mut labels = vec![
                (file, output.span, format!("{}, with no requester check before it", output.what)),
                (file, func.origins[o].span, format!("user-bound item fetched from shared {coll}")),
            ];
            labels.extend(step_labels(&steps));
            labels.extend(flow_labels(model, f, o, func.origins[o].span, output.span));
            labels.extend(identity_label(model, f));
            labels.extend(step_labels(&output.steps));
            // PL003 only fires when the item's struct is known to be user-bound.
            out.push(RawFinding {
                rule: &RULE,
                confidence: Confidence::High,
                file,
                span: output.span,
                message: format!("item from shared {coll} is output without checking it belongs to the requester"),
                help: "compare the item's owner with the requester's identity, and leave (return an error) on a mismatch, before this output".into(),
                labels,
            });
        }
    }
}
