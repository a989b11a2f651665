//! PL003 output-without-requester-check: a per-requester fn outputs a user-bound item
//! fetched from shared state (by key or reference) without a dominating check that it
//! belongs to the requester. The incident's missing print-time check.

use super::{flow_labels, identity_label, Claims, Models, RawFinding, Rule};
use crate::flows::How;
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

fn check(models: &Models, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for flow in &models.flows.fns {
        for sink in &flow.sinks {
            // An output that carries an item a more specific rule reported (the
            // fallback of PL004) is that rule's.
            if claims.outputs.contains(&(flow.file, sink.span.byte_start))
                || sink.items.iter().any(|&(t, _)| {
                    let take = &flow.takes[t];
                    claims.takes.contains(&(take.file, take.span.byte_start))
                })
            {
                continue;
            }
            let found = sink.items.iter().find(|&&(t, checked)| {
                let take = &flow.takes[t];
                !checked
                    && take.user_bound
                    && take.how != How::Positional
                    && !claims.takes.contains(&(take.file, take.span.byte_start))
            });
            let Some(&(t, _)) = found else { continue };
            let take = &flow.takes[t];
            claims.outputs.insert((flow.file, sink.span.byte_start));
            let mut labels = vec![
                (flow.file, sink.span, format!("{}, with no requester check before it", sink.what)),
                (take.file, take.span, format!("user-bound item fetched from shared {}", take.coll)),
            ];
            labels.extend(take.steps.iter().cloned());
            labels.extend(flow_labels(flow, t, take.span, sink.span));
            labels.extend(identity_label(flow));
            labels.extend(sink.steps.iter().cloned());
            // PL003 only fires when the item's type is known to be user-bound.
            out.push(RawFinding {
                rule: &RULE,
                confidence: Confidence::High,
                file: flow.file,
                span: sink.span,
                message: format!("item from shared {} is output without checking it belongs to the requester", take.coll),
                help: "compare the item's owner with the requester's identity, and leave (return an error) on a mismatch, before this output".into(),
                labels,
            });
        }
    }
}
