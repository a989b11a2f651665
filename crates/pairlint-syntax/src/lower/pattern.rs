//! Patterns and `match`.
//!
//! A pattern is lowered against a place: enum-variant patterns become a
//! `SwitchVariant` on the place, bindings become assignments from its projections
//! (`x = (_1 as Some).0`), literals an `Eq` test, anything else refutable (ranges,
//! slice lengths, macros) a switch on an opaque reading of the place. A failed test
//! goes to the caller's `fail` block; `fail: None` means an irrefutable context (`let`,
//! parameters, `for`), where no test is made and a tuple-struct pattern destructures a
//! struct.
//!
//! Variant or struct? A path with two or more segments whose next-to-last is
//! capitalized (`Enum::V`, `Self::V`) is a variant; one segment is a variant when it is
//! `Some`/`None`/`Ok`/`Err` or declared as a variant in this file, a struct when declared
//! as a struct here; otherwise a refutable `Name(..)` is taken for a variant (tuple
//! variants brought in by `use Enum::*` are common) and `Name { .. }` for a struct.

use super::expr::lit_const;
use super::{is_capitalized, is_screaming, path_segments, Dest, Lowerer};
use pairlint_base::finding::Span;
use pairlint_base::ir::*;
use syn::spanned::Spanned;
use syn::Pat;

/// A match arm's pattern as the dispatch sees it.
enum ArmShape<'p> {
    /// Every alternative is an enum variant: (variant name, alternative).
    Variants(Vec<(String, &'p Pat)>),
    /// Anything else: the arm is the dispatch's `otherwise` and tests by itself.
    Other,
}

impl Lowerer<'_> {
    /// Binds `pat` against `place`, testing it when `fail` is given. Bindings are
    /// pushed to `names` (not yet in scope); an or-pattern's alternatives share them.
    /// On return the current block is the one where the pattern matched.
    pub(super) fn bind(&mut self, pat: &Pat, place: Place, fail: Option<BlockId>, names: &mut Vec<(String, LocalId)>) {
        if !self.descend() {
            if let Some(fail) = fail {
                self.test_opaque(&place, fail, self.sp(pat_anchor(pat)));
            }
            return;
        }
        self.bind_unguarded(pat, place, fail, names);
        self.ascend();
    }

    fn bind_unguarded(&mut self, pat: &Pat, place: Place, fail: Option<BlockId>, names: &mut Vec<(String, LocalId)>) {
        let span = self.sp(pat_anchor(pat));
        match pat {
            Pat::Ident(pi) => {
                let name = pi.ident.to_string();
                if pi.subpat.is_none() && pi.by_ref.is_none() && pi.mutability.is_none() && is_capitalized(&name) {
                    // `None`, `Ready`, `MAX`: a path, not a binding.
                    if let Some(fail) = fail {
                        if is_screaming(&name) {
                            let value =
                                Operand::Place(Place { base: PlaceBase::Static(name), projections: Vec::new() });
                            self.test_eq(place, value, fail, span);
                        } else if !self.known.structs.contains(&name) {
                            self.test_variant(&place, name, fail, span);
                        }
                    }
                    return;
                }
                let id = match names.iter().find(|(n, _)| *n == name) {
                    Some(&(_, id)) => id,
                    None => {
                        let id = self.new_local(Some(name.clone()), pairlint_base::model::Ty::Unknown, span);
                        names.push((name, id));
                        id
                    }
                };
                let value = match pi.by_ref {
                    Some(_) => Rvalue::Ref { place: place.clone(), mutable: pi.mutability.is_some() },
                    None => Rvalue::Use(Operand::Place(place.clone())),
                };
                self.push_stmt(Place::local(id), value, span);
                if let Some((_, sub)) = &pi.subpat {
                    self.bind(sub, place, fail, names);
                }
            }
            Pat::Wild(_) | Pat::Rest(_) => {}
            Pat::Lit(l) => {
                if let Some(fail) = fail {
                    self.test_eq(place, Operand::Const(lit_const(&l.lit)), fail, span);
                }
            }
            Pat::Path(p) => {
                let Some(fail) = fail else {
                    return;
                };
                let segments = path_segments(&p.path);
                match self.variant_name(&p.path, true) {
                    Some(variant) if p.qself.is_none() => self.test_variant(&place, variant, fail, span),
                    _ => {
                        let base = if segments.last().is_some_and(|s| is_screaming(s)) {
                            Operand::Place(Place {
                                base: PlaceBase::Static(segments.join("::")),
                                projections: Vec::new(),
                            })
                        } else {
                            Operand::Const(Const::Path(segments.join("::")))
                        };
                        self.test_eq(place, base, fail, span);
                    }
                }
            }
            Pat::TupleStruct(_) | Pat::Struct(_) => {
                let inner = match (fail, self.variant_of(pat, fail.is_some())) {
                    (Some(fail), Some(variant)) => {
                        self.test_variant(&place, variant.clone(), fail, span);
                        place.project(Projection::Variant(variant))
                    }
                    _ => place,
                };
                self.bind_fields(pat, inner, fail, names);
            }
            Pat::Tuple(t) => self.bind_seq(t.elems.iter(), &place, fail, names, |i| Projection::Field(i.to_string())),
            Pat::Slice(s) => {
                let only_rest = s.elems.len() == 1 && matches!(s.elems.first(), Some(Pat::Rest(_)));
                if let (Some(fail), false) = (fail, only_rest) {
                    // The length test is not modelled: an opaque condition on the place.
                    self.test_opaque(&place, fail, span);
                }
                self.bind_seq(s.elems.iter(), &place, fail, names, |i| Projection::ConstIndex(i as u64));
            }
            Pat::Reference(r) => self.bind(&r.pat, place.project(Projection::Deref), fail, names),
            Pat::Paren(p) => self.bind(&p.pat, place, fail, names),
            Pat::Type(t) => self.bind(&t.pat, place, fail, names),
            Pat::Or(o) => match fail {
                // An irrefutable or-pattern binds the same names in every alternative;
                // the first one says where they come from.
                None => {
                    if let Some(first) = o.cases.first() {
                        self.bind(first, place, None, names);
                    }
                }
                Some(fail) => {
                    let mut ends = Vec::new();
                    let count = o.cases.len();
                    for (i, case) in o.cases.iter().enumerate() {
                        let next = if i + 1 == count { fail } else { self.new_block() };
                        self.bind(case, place.clone(), Some(next), names);
                        ends.push((self.current(), span));
                        self.switch_to(next);
                    }
                    self.join(ends);
                }
            },
            _ => {
                if let Some(fail) = fail {
                    self.test_opaque(&place, fail, span);
                }
            }
        }
    }

    /// The fields of a tuple-struct or struct pattern, read from `inner` (the place
    /// itself for a struct, its variant downcast for a variant).
    fn bind_fields(&mut self, pat: &Pat, inner: Place, fail: Option<BlockId>, names: &mut Vec<(String, LocalId)>) {
        match pat {
            Pat::TupleStruct(ts) => {
                self.bind_seq(ts.elems.iter(), &inner, fail, names, |i| Projection::Field(i.to_string()))
            }
            Pat::Struct(ps) => {
                for field in &ps.fields {
                    let name = match &field.member {
                        syn::Member::Named(id) => id.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    self.bind(&field.pat, inner.project(Projection::Field(name)), fail, names);
                }
            }
            Pat::Paren(p) => self.bind_fields(&p.pat, inner, fail, names),
            _ => {}
        }
    }

    /// Positional sub-patterns; those after a `..` have no known position and read an
    /// opaque value of the whole place.
    fn bind_seq<'p>(
        &mut self,
        elems: impl Iterator<Item = &'p Pat>,
        place: &Place,
        fail: Option<BlockId>,
        names: &mut Vec<(String, LocalId)>,
        projection: impl Fn(usize) -> Projection,
    ) {
        let mut after_rest = false;
        for (i, elem) in elems.enumerate() {
            let is_rest = matches!(elem, Pat::Rest(_))
                || matches!(elem, Pat::Ident(pi) if matches!(pi.subpat.as_ref().map(|(_, p)| &**p), Some(Pat::Rest(_))));
            if is_rest {
                after_rest = true;
                if let Pat::Ident(_) = elem {
                    // `rest @ ..` binds the remaining part: the whole place stands for it.
                    self.bind(elem, place.clone(), fail, names);
                }
                continue;
            }
            let part = if after_rest {
                let span = self.sp(pat_anchor(elem));
                let t = self.temp(span);
                self.push_stmt(Place::local(t), Rvalue::Opaque(vec![Operand::Place(place.clone())]), span);
                Place::local(t)
            } else {
                place.project(projection(i))
            };
            self.bind(elem, part, fail, names);
        }
    }

    fn test_variant(&mut self, place: &Place, variant: String, fail: BlockId, span: Span) {
        let matched = self.new_block();
        let term = Terminator::SwitchVariant {
            scrutinee: place.clone(),
            targets: vec![(variant, matched)],
            otherwise: Some(fail),
        };
        self.terminate(term, span);
        self.switch_to(matched);
    }

    fn test_eq(&mut self, place: Place, value: Operand, fail: BlockId, span: Span) {
        let t = self.temp(span);
        self.push_stmt(Place::local(t), Rvalue::BinaryOp(BinOp::Eq, Operand::Place(place), value), span);
        self.test_bool(t, fail, span);
    }

    fn test_opaque(&mut self, place: &Place, fail: BlockId, span: Span) {
        let t = self.temp(span);
        self.push_stmt(Place::local(t), Rvalue::Opaque(vec![Operand::Place(place.clone())]), span);
        self.test_bool(t, fail, span);
    }

    fn test_bool(&mut self, cond: LocalId, fail: BlockId, span: Span) {
        let matched = self.new_block();
        let term = Terminator::SwitchBool { cond: Operand::Place(Place::local(cond)), then: matched, otherwise: fail };
        self.terminate(term, span);
        self.switch_to(matched);
    }

    /// The variant a pattern's top level tests, if it is an enum-variant pattern.
    fn variant_of(&self, pat: &Pat, refutable: bool) -> Option<String> {
        match pat {
            Pat::Ident(pi) => {
                let name = pi.ident.to_string();
                let unit_variant = pi.subpat.is_none()
                    && pi.by_ref.is_none()
                    && pi.mutability.is_none()
                    && is_capitalized(&name)
                    && !is_screaming(&name)
                    && !self.known.structs.contains(&name);
                unit_variant.then_some(name)
            }
            Pat::Path(p) if p.qself.is_none() => self.variant_name(&p.path, true),
            Pat::TupleStruct(ts) if ts.qself.is_none() => self.variant_name(&ts.path, refutable),
            Pat::Struct(ps) if ps.qself.is_none() => self.variant_name(&ps.path, false),
            Pat::Paren(p) => self.variant_of(&p.pat, refutable),
            _ => None,
        }
    }

    /// The variant a pattern path names (its last segment), or None for a struct or
    /// const. `unknown_is_variant` decides a single segment this file does not declare.
    fn variant_name(&self, path: &syn::Path, unknown_is_variant: bool) -> Option<String> {
        let segments = path_segments(path);
        let last = segments.last()?;
        if !is_capitalized(last) || is_screaming(last) {
            return None;
        }
        let variant = match segments.as_slice() {
            [.., enum_name, _] => is_capitalized(enum_name),
            [name] if matches!(name.as_str(), "Some" | "None" | "Ok" | "Err") => true,
            [name] if name == "Self" || self.known.structs.contains(name) => false,
            [name] if self.known.variants.contains(name) => true,
            _ => unknown_is_variant,
        };
        variant.then(|| last.clone())
    }

    /// Whether matching `pat` can fail at all (so its binder needs a failure edge).
    pub(super) fn can_fail_pattern(&self, pat: &Pat) -> bool {
        self.can_fail(pat, true)
    }

    /// Whether matching `pat` can fail after its top-level variant matched (`top` is
    /// false) or at all (`top` is true).
    fn can_fail(&self, pat: &Pat, top: bool) -> bool {
        match pat {
            Pat::Ident(pi) => {
                (top && self.variant_of(pat, true).is_some())
                    || (pi.subpat.is_none() && is_screaming(&pi.ident.to_string()))
                    || pi.subpat.as_ref().is_some_and(|(_, sub)| self.can_fail(sub, true))
            }
            Pat::Wild(_) | Pat::Rest(_) => false,
            Pat::TupleStruct(ts) => {
                (top && self.variant_of(pat, true).is_some()) || ts.elems.iter().any(|p| self.can_fail(p, true))
            }
            Pat::Struct(ps) => {
                (top && self.variant_of(pat, true).is_some()) || ps.fields.iter().any(|f| self.can_fail(&f.pat, true))
            }
            Pat::Tuple(t) => t.elems.iter().any(|p| self.can_fail(p, true)),
            Pat::Reference(r) => self.can_fail(&r.pat, true),
            Pat::Paren(p) => self.can_fail(&p.pat, top),
            Pat::Type(t) => self.can_fail(&t.pat, top),
            Pat::Slice(s) => !(s.elems.len() == 1 && matches!(s.elems.first(), Some(Pat::Rest(_)))),
            // A unit variant cannot fail once its variant matched; a const always can.
            Pat::Path(_) => top || self.variant_of(pat, true).is_none(),
            Pat::Lit(_) | Pat::Range(_) | Pat::Or(_) => true,
            _ => true,
        }
    }

    /// `match`: one `SwitchVariant` dispatches on the scrutinee's variant to the first
    /// arm naming each variant (the first arm that is not all variants is `otherwise`).
    /// An arm whose sub-patterns or guard fail goes to a new dispatch over the arms
    /// after it, so a failed guard falls through to the next arm that can match.
    pub(super) fn match_into(&mut self, m: &syn::ExprMatch, dest: &Dest) {
        let span = self.sp(m.match_token.span);
        let scrutinee = self.place(&m.expr);
        let shapes: Vec<ArmShape> = m.arms.iter().map(|arm| self.arm_shape(&arm.pat)).collect();
        let entries: Vec<Vec<BlockId>> = shapes
            .iter()
            .map(|shape| match shape {
                ArmShape::Variants(alts) => alts.iter().map(|_| self.new_block()).collect(),
                ArmShape::Other => vec![self.new_block()],
            })
            .collect();
        self.dispatch(&scrutinee, &shapes, &entries, 0, span);
        let mut ends = Vec::new();
        for (j, arm) in m.arms.iter().enumerate() {
            let arm_span = self.sp(pat_anchor(&arm.pat));
            let can_fail = arm.guard.is_some()
                || match &shapes[j] {
                    ArmShape::Variants(alts) => alts.iter().any(|(_, alt)| self.can_fail(alt, false)),
                    ArmShape::Other => self.can_fail(&arm.pat, true),
                };
            let fail = can_fail.then(|| self.new_block());
            self.push_scope();
            let mut names = Vec::new();
            match &shapes[j] {
                ArmShape::Variants(alts) => {
                    let mut alt_ends = Vec::new();
                    for ((variant, alt), &entry) in alts.iter().zip(&entries[j]) {
                        self.switch_to(entry);
                        let inner = scrutinee.project(Projection::Variant(variant.clone()));
                        self.bind_fields(alt, inner, fail, &mut names);
                        alt_ends.push((self.current(), arm_span));
                    }
                    if alt_ends.len() > 1 {
                        self.join(alt_ends);
                    }
                }
                ArmShape::Other => {
                    if let Some(&entry) = entries[j].first() {
                        self.switch_to(entry);
                    }
                    self.bind(&arm.pat, scrutinee.clone(), fail, &mut names);
                }
            }
            self.declare_all(names);
            if let (Some((_, guard)), Some(fail)) = (&arm.guard, fail) {
                let body = self.new_block();
                self.cond(guard, body, fail);
                self.switch_to(body);
            }
            self.expr_into(&arm.body, dest);
            ends.push((self.current(), self.sp(super::expr::anchor(&arm.body))));
            self.pop_scope();
            if let Some(fail) = fail {
                self.switch_to(fail);
                self.dispatch(&scrutinee, &shapes, &entries, j + 1, arm_span);
            }
        }
        if m.arms.is_empty() {
            // `match x {}` on an empty type: nothing follows.
            let dead = self.new_block();
            self.switch_to(dead);
            return;
        }
        self.join(ends);
    }

    fn arm_shape<'p>(&self, pat: &'p Pat) -> ArmShape<'p> {
        let alts: Vec<&Pat> = match pat {
            Pat::Or(o) => o.cases.iter().collect(),
            pat => vec![pat],
        };
        let variants: Option<Vec<(String, &Pat)>> =
            alts.iter().map(|alt| self.variant_of(alt, true).map(|v| (v, *alt))).collect();
        match variants {
            Some(variants) => ArmShape::Variants(variants),
            None => ArmShape::Other,
        }
    }

    /// Ends the current block with a switch to the arms from `from` on.
    fn dispatch(&mut self, scrutinee: &Place, shapes: &[ArmShape], entries: &[Vec<BlockId>], from: usize, span: Span) {
        let mut targets: Vec<(String, BlockId)> = Vec::new();
        let mut otherwise = None;
        for (shape, arm_entries) in shapes.iter().zip(entries).skip(from) {
            match shape {
                ArmShape::Variants(alts) => {
                    for ((variant, _), &entry) in alts.iter().zip(arm_entries) {
                        if !targets.iter().any(|(v, _)| v == variant) {
                            targets.push((variant.clone(), entry));
                        }
                    }
                }
                ArmShape::Other => {
                    otherwise = arm_entries.first().copied();
                    break;
                }
            }
        }
        let term = match (targets.is_empty(), otherwise) {
            (true, Some(entry)) => Terminator::Goto(entry),
            // No arm is left: the match is exhaustive, so this is never reached.
            (true, None) => Terminator::Diverge,
            (false, otherwise) => Terminator::SwitchVariant { scrutinee: scrutinee.clone(), targets, otherwise },
        };
        self.terminate(term, span);
    }
}

/// One token of a pattern to place its statements on.
pub(super) fn pat_anchor(pat: &Pat) -> proc_macro2::Span {
    let last_ident = |path: &syn::Path| path.segments.last().map(|s| s.ident.span());
    match pat {
        Pat::Ident(pi) => pi.ident.span(),
        Pat::Path(p) => last_ident(&p.path).unwrap_or_else(|| p.span()),
        Pat::TupleStruct(t) => last_ident(&t.path).unwrap_or(t.paren_token.span.open()),
        Pat::Struct(s) => last_ident(&s.path).unwrap_or(s.brace_token.span.open()),
        Pat::Lit(l) => l.lit.span(),
        Pat::Wild(w) => w.underscore_token.span,
        Pat::Rest(r) => r.dot2_token.spans[0],
        Pat::Tuple(t) => t.paren_token.span.open(),
        Pat::Slice(s) => s.bracket_token.span.open(),
        Pat::Reference(r) => r.and_token.span,
        Pat::Paren(p) => p.paren_token.span.open(),
        Pat::Type(t) => pat_anchor(&t.pat),
        Pat::Or(o) => o.cases.first().map_or_else(|| o.span(), pat_anchor),
        other => other.span(),
    }
}
