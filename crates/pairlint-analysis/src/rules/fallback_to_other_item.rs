//! PL004 fallback-to-other-item: when the lookup of the requester's own item misses,
//! the code takes another item by position instead of reporting the miss. Case X of
//! the incident: the next resident's certificate printed when yours was gone.

use super::{identity_label, step_labels, Claims, RawFinding, Rule};
use crate::analysis::{Class, CrateModel};
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

fn check(model: &CrateModel, claims: &mut Claims, out: &mut Vec<RawFinding>) {
    for f in model.fn_ids() {
        let func = model.func(f);
        if !func.per_requester {
            continue;
        }
        let file = model.file_of(f);
        for (o, origin) in func.origins.iter().enumerate() {
            let Some(lookups) = &origin.fallback_of else { continue };
            let Class::Positional { steps, coll, typed } = model.classify(f, o) else {
                continue;
            };
            let Some((lookup, lookup_coll, lookup_typed)) = lookups.iter().find_map(|&l| match model.classify(f, l) {
                Class::Keyed { coll, typed: lookup_typed, .. } => Some((l, coll, lookup_typed)),
                _ => None,
            }) else {
                continue;
            };
            claims.takes.insert((f, o));
            let mut labels = vec![
                (file, origin.span, format!("takes another item from {coll} instead")),
                (file, func.origins[lookup].span, format!("the requester's own item is looked up in {lookup_coll}")),
            ];
            labels.extend(step_labels(&steps));
            labels.extend(identity_label(model, f));
            out.push(RawFinding {
                rule: &RULE,
                confidence: if typed && lookup_typed { Confidence::High } else { Confidence::Medium },
                file,
                span: origin.span,
                message: format!("when the requester's own item is missing, another item is taken from {coll}"),
                help: "report the miss to the requester (for example `Err(Expired)`) instead of serving someone else's item".into(),
                labels,
            });
        }
    }
}
