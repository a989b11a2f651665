//! Rewrites of how a check or a shared state is written: a check moved into the block
//! that binds the item, a match guard turned into an `if` inside the arm, and shared
//! state passed as a by-value struct of `Arc`s instead of behind one `Arc`.

use super::base::{edit_case, parse_all, Case, Edit, Lines, Rewritten};
use proc_macro2::TokenStream;
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// The one identifier a pattern binds (`img`, `mut img`, `Some(img)`), with its
/// mutability, or `None` if it binds none or several.
fn single_binding(pat: &syn::Pat) -> Option<(String, bool)> {
    #[derive(Default)]
    struct B(Vec<(String, bool)>);
    impl<'ast> Visit<'ast> for B {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.ident.to_string().starts_with(|c: char| c.is_ascii_lowercase()) {
                self.0.push((p.ident.to_string(), p.mutability.is_some()));
            }
            visit::visit_pat_ident(self, p);
        }
    }
    let mut b = B::default();
    b.visit_pat(pat);
    match b.0.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

fn mentions(tokens: TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(id) => id == name,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}

/// The block leaves the enclosing path: it ends in `return`, `break`, `continue` or a
/// panicking macro.
fn diverges(block: &syn::Block) -> bool {
    let Some(last) = block.stmts.last() else { return false };
    let expr = match last {
        syn::Stmt::Expr(e, _) => e,
        syn::Stmt::Macro(m) => {
            return m.mac.path.get_ident().is_some_and(|i| ["panic", "unreachable", "bail"].contains(&&*i.to_string()))
        }
        _ => return false,
    };
    match expr {
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
        syn::Expr::Macro(m) => {
            m.mac.path.get_ident().is_some_and(|i| ["panic", "unreachable", "bail"].contains(&&*i.to_string()))
        }
        _ => false,
    }
}

struct BoundBlocks<'a, 't> {
    lines: &'a Lines<'t>,
    edits: Vec<Edit>,
}

impl<'ast> Visit<'ast> for BoundBlocks<'_, '_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        for pair in block.stmts.windows(2) {
            let (syn::Stmt::Local(local), syn::Stmt::Expr(syn::Expr::If(check), _)) = (&pair[0], &pair[1]) else {
                continue;
            };
            let Some((name, mutable)) = single_binding(&local.pat) else { continue };
            if local.init.is_none()
                || !local.attrs.is_empty()
                || check.else_branch.is_some()
                || !diverges(&check.then_branch)
                || !mentions(check.cond.to_token_stream(), &name)
            {
                continue;
            }
            let outer = if mutable { format!("mut {name}") } else { name.clone() };
            self.edits.push(Edit::insert(self.lines.start(local.let_token.span), format!("let {outer} = {{ ")));
            self.edits.push(Edit::insert(self.lines.end(check.span()), format!(" {name} }};")));
        }
        visit::visit_block(self, block);
    }
}

/// `let img = INIT; if CHECK(img) { return .. }` becomes
/// `let img = { let img = INIT; if CHECK(img) { return .. } img };`: the check now
/// sits in the block whose value is bound, and still dominates every later use.
pub fn check_into_bound_block(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        let mut v = BoundBlocks { lines: &lines, edits: Vec::new() };
        v.visit_file(file);
        edits.insert(i, v.edits);
    }
    edit_case(case, edits)
}

/// The pattern's tokens with every binding replaced by `_` (`Some(ref x)` reads
/// `Some(_)`), as text, to test that the next arm's pattern catches everything the
/// guarded one does. Bindings are the lowercase identifiers that are not path
/// segments; `ref` and `mut` go with them.
fn wildcarded(tokens: TokenStream) -> String {
    use proc_macro2::{Group, Ident, TokenTree};
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let is_colons = |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let mut out = TokenStream::new();
    for (k, tt) in tts.iter().enumerate() {
        let tt = match tt {
            TokenTree::Group(g) => TokenTree::Group(Group::new(g.delimiter(), wildcarded(g.stream()).parse().unwrap())),
            TokenTree::Ident(id) if id == "ref" || id == "mut" => continue,
            TokenTree::Ident(id)
                if id.to_string().starts_with(|c: char| c.is_ascii_lowercase())
                    && !is_colons(tts.get(k + 1))
                    && !(k > 0 && is_colons(tts.get(k - 1))) =>
            {
                TokenTree::Ident(Ident::new("_", id.span()))
            }
            other => other.clone(),
        };
        out.extend([tt]);
    }
    out.to_string()
}

struct Guards<'a, 't> {
    lines: &'a Lines<'t>,
    edits: Vec<Edit>,
}

impl<'ast> Visit<'ast> for Guards<'_, '_> {
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        for pair in m.arms.windows(2) {
            let (arm, next) = (&pair[0], &pair[1]);
            let Some((if_token, guard)) = &arm.guard else { continue };
            if next.guard.is_some() {
                continue;
            }
            let next_pat = next.pat.to_token_stream().to_string();
            if next_pat != "_" && next_pat != wildcarded(arm.pat.to_token_stream()) {
                continue;
            }
            // The fallback is copied into the arm, on the arm's line: only a one-line
            // expression without macros, and, when the scrutinee is a place the arm's
            // pattern may move from, without a mention of that place.
            let fallback = &self.lines.text()[self.lines.range(next.body.span())];
            let place = matches!(&*m.expr, syn::Expr::Path(_) | syn::Expr::Field(_) | syn::Expr::Unary(_));
            let scrutinee = m.expr.to_token_stream().to_string();
            let root = scrutinee.split(['.', ' ']).find(|w| !w.is_empty() && *w != "*").unwrap_or_default();
            if fallback.contains('\n') || fallback.contains('!') || place && mentions(next.body.to_token_stream(), root)
            {
                continue;
            }
            let guard_text = &self.lines.text()[self.lines.range(guard.span())];
            let body = self.lines.range(arm.body.span());
            self.edits.push(Edit::replace(self.lines.start(if_token.span)..self.lines.end(guard.span()), ""));
            self.edits.push(Edit::insert(body.start, format!("if {guard_text} {{ ")));
            self.edits.push(Edit::insert(body.end, format!(" }} else {{ {fallback} }}")));
        }
        visit::visit_expr_match(self, m);
    }
}

/// `PAT if GUARD => BODY, NEXT => FALLBACK` becomes
/// `PAT => if GUARD { BODY } else { FALLBACK }, NEXT => FALLBACK` when NEXT catches
/// every value PAT does (`_`, or PAT with its bindings as `_`): bind first, check after.
pub fn match_guard_then_bind(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        let mut v = Guards { lines: &lines, edits: Vec::new() };
        v.visit_file(file);
        edits.insert(i, v.edits);
    }
    edit_case(case, edits)
}

/// `Arc<S>` types (and the `Arc` path as written) where `S` is a struct of the case.
struct ArcOf<'a, 't> {
    lines: &'a Lines<'t>,
    structs: &'a [String],
    /// (range of `Arc<S>`, `S`, the Arc path text).
    found: Vec<(std::ops::Range<usize>, String, String)>,
    literals: Vec<String>,
}

impl<'ast> Visit<'ast> for ArcOf<'_, '_> {
    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        let last = t.path.segments.last().unwrap();
        if last.ident == "Arc" && t.qself.is_none() {
            if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                if let [syn::GenericArgument::Type(syn::Type::Path(inner))] =
                    a.args.iter().collect::<Vec<_>>().as_slice()
                {
                    if let Some(s) =
                        inner.path.get_ident().map(ToString::to_string).filter(|s| self.structs.contains(s))
                    {
                        let arc_path = &self.lines.text()
                            [self.lines.start(t.path.segments[0].ident.span())..self.lines.end(last.ident.span())];
                        self.found.push((self.lines.range(t.span()), s, arc_path.to_string()));
                        return;
                    }
                }
            }
        }
        visit::visit_type_path(self, t);
    }
    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        self.literals.push(e.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default());
        visit::visit_expr_struct(self, e);
    }
}

/// Shared state behind one `Arc` (`State<Arc<AppState>>`, `state: Arc<AppState>`)
/// becomes a `Clone` struct of `Arc`s passed by value: every field `F` of the struct
/// becomes `Arc<F>`, and every `Arc<AppState>` becomes `AppState`. Field accesses read
/// the same through auto-deref; cases that build the struct or use `Arc`'s own API
/// on it (`Arc::clone`, `Arc::new`) are left alone.
pub fn arc_state_by_value(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let all_text: String = case.files.iter().map(|f| f.text.as_str()).collect();
    if ["Arc::clone", "Arc::new", "Arc::ptr_eq", "Arc::strong_count"].iter().any(|n| all_text.contains(n)) {
        return None;
    }
    let mut structs = Vec::new();
    for file in parsed {
        for item in &file.items {
            if let syn::Item::Struct(s) = item {
                if s.generics.params.is_empty() && matches!(s.fields, syn::Fields::Named(_)) {
                    structs.push(s.ident.to_string());
                }
            }
        }
    }
    let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let mut wrapped: BTreeMap<String, String> = BTreeMap::new();
    let mut literals = Vec::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        let mut v = ArcOf { lines: &lines, structs: &structs, found: Vec::new(), literals: Vec::new() };
        v.visit_file(file);
        literals.extend(v.literals);
        for (range, s, arc) in v.found {
            edits.entry(i).or_default().push(Edit::replace(range, s.clone()));
            wrapped.insert(s, arc);
        }
    }
    if wrapped.keys().any(|s| literals.contains(s)) {
        return None;
    }
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        for item in &file.items {
            let syn::Item::Struct(s) = item else { continue };
            let Some(arc) = wrapped.get(&s.ident.to_string()) else { continue };
            let derives_clone = s.attrs.iter().any(|a| {
                a.path().is_ident("derive")
                    && a.to_token_stream().to_string().split([' ', ',', '(', ')']).any(|w| w == "Clone")
            });
            let file_edits = edits.entry(i).or_default();
            if !derives_clone {
                let first = match &s.vis {
                    syn::Visibility::Inherited => s.struct_token.span,
                    vis => vis.span(),
                };
                file_edits.push(Edit::insert(lines.start(first), "#[derive(Clone)] "));
            }
            for f in &s.fields {
                if matches!(&f.ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|l| l.ident == "Arc")) {
                    continue;
                }
                let ty = lines.range(f.ty.span());
                file_edits.push(Edit::insert(ty.start, format!("{arc}<")));
                file_edits.push(Edit::insert(ty.end, ">"));
            }
        }
    }
    edit_case(case, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::metamorphic::base::rewrite_in_place as rewrite;

    #[test]
    fn check_moves_into_the_binding_block() {
        let src = "fn f(&self, card: Card) -> Result<Img, E> {
    let Some(mut img) = self.q.pop() else { return Err(E::Gone) };
    if img.owner != card {
        return Err(E::NotYours);
    }
    let other = 1;
    if card.0 > 2 { return Err(E::Big); }
    Ok(img)
}
";
        let want = "fn f(&self, card: Card) -> Result<Img, E> {
    let mut img = { let Some(mut img) = self.q.pop() else { return Err(E::Gone) };
    if img.owner != card {
        return Err(E::NotYours);
    } img };
    let other = 1;
    if card.0 > 2 { return Err(E::Big); }
    Ok(img)
}
";
        assert_eq!(rewrite(check_into_bound_block, src).unwrap(), want);
    }

    #[test]
    fn guard_becomes_an_if_in_the_arm() {
        let src = "fn f(pins: &Pins, card: Card, pin: Pin) -> Result<(), E> {
    match pins.get(&card) {
        None => Err(E::Unknown),
        Some(registered) if *registered == pin => Ok(()),
        Some(_) => Err(E::WrongPin),
    }
}
";
        let want = src.replace(
            "Some(registered) if *registered == pin => Ok(()),",
            "Some(registered)  => if *registered == pin { Ok(()) } else { Err(E::WrongPin) },",
        );
        assert_eq!(rewrite(match_guard_then_bind, src).unwrap(), want);
        let place = src.replace("pins.get(&card)", "*pins").replace("E::WrongPin", "pins.err()");
        assert!(rewrite(match_guard_then_bind, &place).is_none());
        let narrower = src.replace("Some(_) => Err(E::WrongPin)", "Some(Pin(0)) => Err(E::WrongPin), _ => Ok(())");
        assert!(rewrite(match_guard_then_bind, &narrower).is_none());
    }

    #[test]
    fn arc_state_becomes_a_struct_of_arcs() {
        let src = "use std::sync::{Arc, Mutex};
pub struct AppState {
    pub queue: Mutex<VecDeque<Img>>,
}
pub async fn print(State(state): State<Arc<AppState>>, card: Card) -> Option<Img> {
    state.queue.lock().unwrap().pop_front()
}
";
        let want = "use std::sync::{Arc, Mutex};
#[derive(Clone)] pub struct AppState {
    pub queue: Arc<Mutex<VecDeque<Img>>>,
}
pub async fn print(State(state): State<AppState>, card: Card) -> Option<Img> {
    state.queue.lock().unwrap().pop_front()
}
";
        assert_eq!(rewrite(arc_state_by_value, src).unwrap(), want);
        let built = format!("{src}fn mk() -> Arc<AppState> {{ Arc::new(AppState {{ queue: Mutex::default() }}) }}\n");
        assert!(rewrite(arc_state_by_value, &built).is_none());
    }
}
