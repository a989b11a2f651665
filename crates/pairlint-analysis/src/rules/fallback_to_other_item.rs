//! PL004 fallback-to-other-item: when the lookup of the requester's own item misses,
//! the code takes another item by position instead of reporting the miss. Case X of
//! the incident: the next resident's certificate printed when yours was gone.

use super::{identity_label, Claims, Models, RawFinding, Rule};
use crate::flows::How;
use pairlint_base::finding::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "PL004",
    name: "fallback-to-other-item",
    default_severity: Severity::Error,
    summary: "when the requester's own item is missing, another item is taken instead",
    doc: include_str!("../../../../rules/PL004.md"),
    precedence: 10,
    check,
};

fn check(models: &Models, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for flow in &models.flows.fns {
        for take in &flow.takes {
            let Some((lookup_span, lookup_coll)) = &take.on_miss_of else { continue };
            if take.how != How::Positional || !claims.takes.insert((take.file, take.span.byte_start)) {
                continue;
            }
            let mut labels = vec![
                (take.file, take.span, format!("takes another item from {} instead", take.coll)),
                (flow.file, *lookup_span, format!("the requester's own item is looked up in {lookup_coll}")),
            ];
            labels.extend(take.steps.iter().cloned());
            labels.extend(identity_label(flow));
            out.push(RawFinding {
                rule: &RULE,
                confidence: if take.typed { Confidence::High } else { Confidence::Medium },
                file: take.file,
                span: take.span,
                message: format!("when the requester's own item is missing, another item is taken from {}", take.coll),
                help: "report the miss to the requester (for example `Err(Expired)`) instead of serving someone else's item".into(),
                labels,
            });
        }
    }
}
