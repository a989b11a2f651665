//! PL001 head-of-queue-for-requester: a per-requester fn takes an item from a shared
//! queue by position and hands it out (or returns it) without checking it is the
//! requester's. Case Z of the incident: creation order assumed to equal arrival order.

use super::{flow_labels, identity_label, step_labels, Claims, RawFinding, Rule};
use crate::analysis::{Class, CrateModel};
use pairlint_base::finding::{Confidence, Severity};
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    code: "PL001",
    name: "head-of-queue-for-requester",
    default_severity: Severity::Error,
    summary: "an item taken by position from a shared queue is handed to a requester unchecked",
    doc: include_str!("../../../../rules/PL001.md"),
    precedence: 20,
    check,
};

fn check(model: &CrateModel, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for f in model.fn_ids() {
        let func = model.func(f);
        if !func.per_requester {
            continue;
        }
        let mut reported = BTreeSet::new();
        for output in model.outputs(f) {
            for &o in &output.origins {
                if reported.contains(&o) || claims.takes.contains(&(f, o)) {
                    continue;
                }
                let Class::Positional { steps, coll, typed } = model.classify(f, o) else {
                    continue;
                };
                if model.checked(f, o, &output.at) {
                    continue;
                }
                reported.insert(o);
                claims.takes.insert((f, o));
                claims.outputs.insert((f, output.span.line, output.span.byte_start));
                let origin = &func.origins[o];
                let file = model.file_of(f);
                let mut labels = vec![(file, origin.span, format!("taken by position from shared {coll}"))];
                labels.extend(step_labels(&steps));
                labels.extend(flow_labels(model, f, o, origin.span, output.span));
                labels.extend(identity_label(model, f));
                labels.push((file, output.span, format!("{}, with no requester check before it", output.what)));
                labels.extend(step_labels(&output.steps));
                out.push(RawFinding {
                    rule: &RULE,
                    confidence: if typed { Confidence::High } else { Confidence::Medium },
                    file,
                    span: origin.span,
                    message: format!("item taken by position from shared {coll} is handed to the requester without checking it is theirs"),
                    help: "look the item up by the requester's ticket and compare its owner with the requester before handing it out".into(),
                    labels,
                });
            }
        }
    }
}
