//! Renames: local bindings and struct fields whose names are not vocabulary words get
//! neutral new names. The vocabulary is what the rules are documented to read names
//! for, so names in it (and new names in it) are left out; every other name is the
//! author's choice and must not change a finding.

use super::base::{edit_case, is_vocabulary_name, parse_all, Case, Edit, Lines, Rewritten};
use pairlint::vocab::Vocabulary;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// A new name not in the vocabulary and not already used in the case.
fn fresh(stem: &str, k: usize, case: &Case, vocab: &Vocabulary) -> String {
    let name = format!("{stem}_{k}");
    assert!(!is_vocabulary_name(vocab, &name), "fresh name {name} is a vocabulary word");
    assert!(case.files.iter().all(|f| !f.text.contains(&name)), "fresh name {name} already occurs");
    name
}

/// Idents of every binding in a pattern.
#[derive(Default)]
struct Bindings(BTreeSet<String>);

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }
}

/// What a fn body binds and what it must not rename, without entering nested items
/// (they are fns of their own).
#[derive(Default)]
struct BodyNames {
    bound: BTreeSet<String>,
    /// Closure parameters (they may shadow a local of the same name) and names called
    /// as fns.
    protected: BTreeSet<String>,
    /// Text of string literals in macros, where `{name}` may capture a local.
    macro_strings: String,
}

impl<'ast> Visit<'ast> for BodyNames {
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_local(&mut self, l: &'ast syn::Local) {
        let mut b = Bindings::default();
        b.visit_pat(&l.pat);
        self.bound.extend(b.0);
        visit::visit_local(self, l);
    }
    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        let mut b = Bindings::default();
        b.visit_pat(&a.pat);
        self.bound.extend(b.0);
        visit::visit_arm(self, a);
    }
    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        let mut b = Bindings::default();
        b.visit_pat(&e.pat);
        self.bound.extend(b.0);
        visit::visit_expr_let(self, e);
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        let mut b = Bindings::default();
        b.visit_pat(&e.pat);
        self.bound.extend(b.0);
        visit::visit_expr_for_loop(self, e);
    }
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let mut b = Bindings::default();
        c.inputs.iter().for_each(|p| b.visit_pat(p));
        self.protected.extend(b.0);
        visit::visit_expr_closure(self, c);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            if let Some(id) = p.path.get_ident() {
                self.protected.insert(id.to_string());
            }
        }
        visit::visit_expr_call(self, c);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.macro_strings.push_str(&m.tokens.to_string());
    }
}

/// Edits renaming the given locals in one fn body (nested items excluded).
struct RenameLocals<'a, 't> {
    lines: &'a Lines<'t>,
    names: &'a BTreeMap<String, String>,
    edits: Vec<Edit>,
}

impl RenameLocals<'_, '_> {
    fn tokens(&mut self, tokens: TokenStream) {
        let mut after_dot = false;
        for tt in tokens {
            match &tt {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if !after_dot => {
                    if let Some(new) = self.names.get(&id.to_string()) {
                        self.edits.push(Edit::replace(self.lines.range(id.span()), new.clone()));
                    }
                }
                _ => {}
            }
            after_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
        }
    }
}

impl<'ast> Visit<'ast> for RenameLocals<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        if let Some(new) = self.names.get(&p.ident.to_string()) {
            self.edits.push(Edit::replace(self.lines.range(p.ident.span()), new.clone()));
        }
        visit::visit_pat_ident(self, p);
    }
    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        if let (None, Some(id)) = (&e.qself, e.path.get_ident()) {
            if let Some(new) = self.names.get(&id.to_string()) {
                self.edits.push(Edit::replace(self.lines.range(id.span()), new.clone()));
            }
        }
    }
    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        // `S { name }` keeps its field: `S { name: new }`.
        if let (None, syn::Member::Named(id)) = (&f.colon_token, &f.member) {
            if let Some(new) = self.names.get(&id.to_string()) {
                self.edits.push(Edit::replace(self.lines.range(id.span()), format!("{id}: {new}")));
                return;
            }
        }
        visit::visit_field_value(self, f);
    }
    fn visit_field_pat(&mut self, f: &'ast syn::FieldPat) {
        // `S { ref name, .. }` becomes `S { name: ref new, .. }`.
        if let (None, syn::Member::Named(id), syn::Pat::Ident(p)) = (&f.colon_token, &f.member, &*f.pat) {
            if let Some(new) = self.names.get(&id.to_string()) {
                let range = self.lines.range(f.pat.span());
                let text = &self.lines.text()[range.clone()];
                let prefix = &text[..text.len() - p.ident.to_string().len()];
                self.edits.push(Edit::replace(range, format!("{id}: {prefix}{new}")));
                return;
            }
        }
        visit::visit_field_pat(self, f);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
    }
}

/// Every fn with a body, nested ones included: (parameters, body).
#[derive(Default)]
struct Fns<'ast> {
    fns: Vec<(&'ast syn::Signature, &'ast syn::Block)>,
}

impl<'ast> Visit<'ast> for Fns<'ast> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.fns.push((&f.sig, &f.block));
        visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.fns.push((&f.sig, &f.block));
        visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.fns.push((&f.sig, b));
        }
        visit::visit_trait_item_fn(self, f);
    }
}

/// Fn names declared anywhere in the case: a local of that name could be confused with
/// a fn used as a value.
fn fn_names(files: &[syn::File]) -> BTreeSet<String> {
    let mut fns = Fns::default();
    files.iter().for_each(|f| fns.visit_file(f));
    fns.fns.iter().map(|(sig, _)| sig.ident.to_string()).collect()
}

/// Locals (let, match, if-let, for bindings; not parameters) renamed to `local_N`.
pub fn rename_locals(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let vocab = Vocabulary::default();
    let taken = fn_names(parsed);
    let mut k = 0;
    let mut edits = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        let mut fns = Fns::default();
        fns.visit_file(file);
        let mut file_edits = Vec::new();
        for (sig, block) in fns.fns {
            let mut params = Bindings::default();
            for input in &sig.inputs {
                if let syn::FnArg::Typed(t) = input {
                    params.visit_pat(&t.pat);
                }
            }
            let mut body = BodyNames::default();
            body.visit_block(block);
            let mut names = BTreeMap::new();
            for name in &body.bound {
                let keep = params.0.contains(name)
                    || body.protected.contains(name)
                    || taken.contains(name)
                    || body.macro_strings.contains(&format!("{{{name}"))
                    || !name.starts_with(|c: char| c.is_ascii_lowercase())
                    || is_vocabulary_name(&vocab, name);
                if !keep {
                    k += 1;
                    names.insert(name.clone(), fresh("local", k, case, &vocab));
                }
            }
            if names.is_empty() {
                continue;
            }
            let mut r = RenameLocals { lines: &lines, names: &names, edits: Vec::new() };
            r.visit_block(block);
            file_edits.extend(r.edits);
        }
        edits.insert(i, file_edits);
    }
    edit_case(case, edits)
}

/// The struct (by name) of a struct literal or pattern path, `Self` as written.
fn struct_name(path: &syn::Path) -> String {
    path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

/// Field accesses, literals and patterns naming candidate fields, by field name. A
/// literal or pattern of a struct the case does not define (or that lacks the field)
/// makes the name unsafe to rename: it may be another type's field.
struct FieldUses<'a, 't> {
    lines: &'a Lines<'t>,
    /// Candidate field name -> the case's structs declaring it.
    owners: &'a BTreeMap<String, BTreeSet<String>>,
    edits: BTreeMap<String, Vec<(std::ops::Range<usize>, Shape)>>,
    unsafe_names: BTreeSet<String>,
}

/// How an occurrence is rewritten: the name alone, or a shorthand that gains a colon.
#[derive(Clone, Copy)]
enum Shape {
    Name,
    /// `S { name }` -> `S { new: name }`.
    Shorthand,
}

impl FieldUses<'_, '_> {
    fn struct_field(&mut self, path: &syn::Path, member: &syn::Member, shorthand: bool) {
        let syn::Member::Named(id) = member else { return };
        let name = id.to_string();
        let Some(owners) = self.owners.get(&name) else { return };
        let s = struct_name(path);
        if s != "Self" && !owners.contains(&s) {
            self.unsafe_names.insert(name);
            return;
        }
        let shape = if shorthand { Shape::Shorthand } else { Shape::Name };
        self.edits.entry(name).or_default().push((self.lines.range(id.span()), shape));
    }

    fn tokens(&mut self, tokens: TokenStream) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        for (k, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if k > 0 => {
                    let after_dot = matches!(&tts[k - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let is_call = matches!(tts.get(k + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                    let name = id.to_string();
                    if after_dot && !is_call && self.owners.contains_key(&name) {
                        self.edits.entry(name).or_default().push((self.lines.range(id.span()), Shape::Name));
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for FieldUses<'_, '_> {
    fn visit_field(&mut self, f: &'ast syn::Field) {
        if let Some(id) = &f.ident {
            if self.owners.contains_key(&id.to_string()) {
                self.edits.entry(id.to_string()).or_default().push((self.lines.range(id.span()), Shape::Name));
            }
        }
        visit::visit_field(self, f);
    }
    fn visit_expr_field(&mut self, e: &'ast syn::ExprField) {
        if let syn::Member::Named(id) = &e.member {
            if self.owners.contains_key(&id.to_string()) {
                self.edits.entry(id.to_string()).or_default().push((self.lines.range(id.span()), Shape::Name));
            }
        }
        visit::visit_expr_field(self, e);
    }
    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        for f in &e.fields {
            self.struct_field(&e.path, &f.member, f.colon_token.is_none());
            self.visit_expr(&f.expr);
        }
        if let Some(rest) = &e.rest {
            self.visit_expr(rest);
        }
    }
    fn visit_pat_struct(&mut self, p: &'ast syn::PatStruct) {
        for f in &p.fields {
            self.struct_field(&p.path, &f.member, f.colon_token.is_none());
            self.visit_pat(&f.pat);
        }
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
    }
}

/// Fields of the case's structs whose names are not vocabulary words renamed to
/// `field_N` at their declaration, every `.name` access, and every literal and
/// pattern. Structs deriving serde traits keep their fields (the name is data there).
pub fn rename_fields(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let vocab = Vocabulary::default();
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut keep = BTreeSet::new();
    for file in parsed {
        for item in &file.items {
            let syn::Item::Struct(s) = item else { continue };
            let serde = s.attrs.iter().any(|a| {
                let t = quote::quote!(#a).to_string();
                t.contains("Serialize") || t.contains("Deserialize")
            });
            for f in &s.fields {
                let Some(id) = &f.ident else { continue };
                let name = id.to_string();
                // `start`/`end` are also std's `Range` fields, reached by the same syntax.
                if serde || is_vocabulary_name(&vocab, &name) || name == "start" || name == "end" {
                    keep.insert(name);
                } else {
                    owners.entry(name).or_default().insert(s.ident.to_string());
                }
            }
        }
    }
    owners.retain(|name, _| !keep.contains(name));
    let mut per_file = Vec::new();
    let mut unsafe_names = BTreeSet::new();
    for (src, file) in case.files.iter().zip(parsed) {
        let lines = Lines::new(&src.text);
        let mut uses =
            FieldUses { lines: &lines, owners: &owners, edits: BTreeMap::new(), unsafe_names: BTreeSet::new() };
        uses.visit_file(file);
        unsafe_names.extend(uses.unsafe_names);
        per_file.push(uses.edits);
    }
    let new_names: BTreeMap<&String, String> = owners
        .keys()
        .filter(|n| !unsafe_names.contains(*n))
        .enumerate()
        .map(|(k, n)| (n, fresh("field", k + 1, case, &vocab)))
        .collect();
    let mut edits = BTreeMap::new();
    for (i, file_edits) in per_file.into_iter().enumerate() {
        let mut out = Vec::new();
        for (name, sites) in file_edits {
            let Some(new) = new_names.get(&name) else { continue };
            for (range, shape) in sites {
                out.push(match shape {
                    Shape::Name => Edit::replace(range, new.clone()),
                    Shape::Shorthand => Edit::replace(range, format!("{new}: {name}")),
                });
            }
        }
        edits.insert(i, out);
    }
    edit_case(case, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::metamorphic::base::rewrite_in_place as rewrite;

    #[test]
    fn locals_are_renamed_but_not_params_vocabulary_or_closure_params() {
        let src = "fn f(q: &Q, card: Card) -> Out {
    let next = q.pop();
    let owner = next.owner;
    let Some(img) = next else { return Out::None };
    let v = q.iter().map(|img| img.id).count();
    let s = S { pdf, next };
    if let S { ref next, .. } = s { println!(\"{}\", next.len()) }
    Out::Img(img, card, owner, v)
}
";
        let want = "fn f(q: &Q, card: Card) -> Out {
    let local_1 = q.pop();
    let owner = local_1.owner;
    let Some(img) = local_1 else { return Out::None };
    let local_3 = q.iter().map(|img| img.id).count();
    let local_2 = S { pdf, next: local_1 };
    if let S { next: ref local_1, .. } = local_2 { println!(\"{}\", local_1.len()) }
    Out::Img(img, card, owner, local_3)
}
";
        assert_eq!(rewrite(rename_locals, src).unwrap(), want);
        assert!(rewrite(rename_locals, "fn f(x: u8) -> u8 { x }").is_none());
    }

    #[test]
    fn fields_are_renamed_everywhere_unless_vocabulary_or_foreign() {
        let src = "struct Img { applicant: u64, pdf: Vec<u8>, size: usize }
fn f(i: Img) -> usize {
    let Img { pdf, .. } = &i;
    let j = Img { applicant: 1, pdf: pdf.clone(), size: i.size };
    dbg!(j.pdf.len());
    Other { size: 3 };
    j.size
}
";
        let want = "struct Img { applicant: u64, field_1: Vec<u8>, size: usize }
fn f(i: Img) -> usize {
    let Img { field_1: pdf, .. } = &i;
    let j = Img { applicant: 1, field_1: pdf.clone(), size: i.size };
    dbg!(j.field_1.len());
    Other { size: 3 };
    j.size
}
";
        assert_eq!(rewrite(rename_fields, src).unwrap(), want);
    }
}
