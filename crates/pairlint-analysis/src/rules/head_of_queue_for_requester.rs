//! PL001 head-of-queue-for-requester: a per-requester fn takes an item from a shared
//! queue by position and hands it out (or returns it) without checking it is the
//! requester's. Case Z of the incident: creation order assumed to equal arrival order.

use super::{flow_labels, identity_label, Claims, Models, RawFinding, Rule};
use crate::flows::How;
use std::collections::BTreeSet;
use pairlint_base::finding::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "PL001",
    name: "head-of-queue-for-requester",
    default_severity: Severity::Error,
    summary: "an item taken by position from a shared queue is handed to a requester unchecked",
    doc: include_str!("../../../../rules/PL001.md"),
    precedence: 20,
    check,
};

fn check(models: &Models, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for flow in &models.flows.fns {
        let mut reported = BTreeSet::new();
        for sink in &flow.sinks {
            for &(t, checked) in &sink.items {
                let take = &flow.takes[t];
                if checked || take.how != How::Positional || reported.contains(&t) {
                    continue;
                }
                if claims.takes.contains(&(take.file, take.span.byte_start)) {
                    continue;
                }
                reported.insert(t);
                claims.takes.insert((take.file, take.span.byte_start));
                claims.outputs.insert((flow.file, sink.span.byte_start));
                let mut labels = vec![(take.file, take.span, format!("taken by position from shared {}", take.coll))];
                labels.extend(take.steps.iter().cloned());
                labels.extend(flow_labels(flow, t, take.span, sink.span));
                labels.extend(identity_label(flow));
                labels.push((flow.file, sink.span, format!("{}, with no requester check before it", sink.what)));
                labels.extend(sink.steps.iter().cloned());
                out.push(RawFinding {
                    rule: &RULE,
                    confidence: if take.typed { Confidence::High } else { Confidence::Medium },
                    file: take.file,
                    span: take.span,
                    message: format!(
                        "item taken by position from shared {} is handed to the requester without checking it is theirs",
                        take.coll
                    ),
                    help: "look the item up by the requester's ticket and compare its owner with the requester before handing it out".into(),
                    labels,
                });
            }
        }
    }
}
