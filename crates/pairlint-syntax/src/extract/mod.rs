//! Per file: parse with syn and reduce the tree to [`FileFacts`]. The tree is dropped
//! before this returns; nothing downstream sees syntax.

mod body;
mod flow;
mod sigs;

pub use sigs::written_ty;

use crate::span::SpanOfSyntax;
use pairlint_base::finding::FileError;
use pairlint_base::model::{FileFacts, FnFacts, StructDef, Ty};
use pairlint_base::sigs::{ScopeId, ScopeSig};
use pairlint_base::source::LineIndex;
use pairlint_base::vocab::Vocabulary;
use std::path::Path;
use syn::spanned::Spanned;

/// What extraction keeps. Part of what a file's facts depend on (the cache keys them
/// by it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Keep test code (`#[cfg(test)]` items, `#[test]` fns: see [`crate::context`]).
    /// Without it, test items are cut from the tree before any walk and only their
    /// line ranges are kept ([`FileFacts::test_items`]); with it, they are extracted
    /// and their IR bodies marked [`pairlint_base::ir::Body::test`].
    pub include_tests: bool,
    /// The whole file is test code (a file of a test target, a `#[cfg(test)] mod x;`
    /// file: discovery knows): with `include_tests`, every body is marked a test.
    pub test_file: bool,
}

/// Parses one file and extracts its facts, test code left out. A syntax error is
/// returned as a [`FileError`] naming the position; it never panics on bad input.
pub fn extract_file(path: &Path, text: &str, vocab: &Vocabulary) -> Result<FileFacts, FileError> {
    extract_file_with(path, text, vocab, ExtractOptions::default())
}

/// [`extract_file`] with explicit options.
pub fn extract_file_with(
    path: &Path,
    text: &str,
    vocab: &Vocabulary,
    opts: ExtractOptions,
) -> Result<FileFacts, FileError> {
    let idx = LineIndex::new(text);
    let mut file = match syn::parse_file(text) {
        Ok(file) => file,
        Err(err) => {
            let start = err.span().start();
            return Err(FileError {
                file: path.to_path_buf(),
                line: start.line as u32,
                column: start.column as u32 + 1,
                message: format!("could not parse: {err}"),
            });
        }
    };
    let mut facts = FileFacts { path: path.to_path_buf(), ..FileFacts::default() };
    let tests = crate::context::test_items(&mut file, &idx, !opts.include_tests);
    facts.server_entry = crate::context::server_entry(&file, text, &idx);
    facts.sigs.scopes.push(ScopeSig::default());
    let mut cx = ItemCx { vocab, idx: &idx, facts: &mut facts, path: Vec::new(), scope: ScopeId(0) };
    cx.items(&file.items, None);
    facts.ir = crate::lower::lower_file(&file, &idx);
    if opts.include_tests {
        // Kept, but known as tests: a test's name is never a timeout path.
        for body in &mut facts.ir.bodies {
            body.test =
                opts.test_file || tests.iter().any(|t| (t.byte_start..t.byte_end).contains(&body.span.byte_start));
        }
    } else {
        facts.test_items = tests.iter().map(|t| (t.line, t.end_line)).collect();
    }
    drop(file);
    // The span table proc-macro2 keeps per thread holds every parsed file's text;
    // this file's spans are converted already, so let it go.
    proc_macro2::extra::invalidate_current_thread_spans();
    facts.shrink();
    Ok(facts)
}

struct ItemCx<'a> {
    vocab: &'a Vocabulary,
    idx: &'a LineIndex<'a>,
    facts: &'a mut FileFacts,
    /// Names of the enclosing inline `mod`s and fns, outermost first.
    path: Vec<String>,
    /// The scope items are written in (an index into the file's sigs' scopes).
    scope: ScopeId,
}

impl ItemCx<'_> {
    fn items(&mut self, items: &[syn::Item], self_ty: Option<&str>) {
        for item in items {
            self.item(item, self_ty);
        }
    }

    /// Records an item's line range from its first and last tokens. (`Spanned::span()`
    /// on a whole item prints the item back to tokens, a cost proportional to its size
    /// paid again for every nested item; the two end tokens are enough.)
    fn item_lines(&mut self, (first_tok, last_tok): (proc_macro2::Span, proc_macro2::Span), attrs: &[syn::Attribute]) {
        let s = self.idx.span(first_tok);
        let e = self.idx.span(last_tok);
        let first = attrs.iter().map(|a| self.idx.span(a.pound_token.span).line).min().unwrap_or(s.line);
        self.facts.item_lines.push((first.min(s.line), e.end_line));
    }

    fn item(&mut self, item: &syn::Item, self_ty: Option<&str>) {
        sigs::record_item(&mut self.facts.sigs, self.scope, item);
        match item {
            syn::Item::Fn(f) => {
                let ends = (vis_or(&f.vis, sig_start(&f.sig)), f.block.brace_token.span.close());
                self.item_lines(ends, &f.attrs);
                let facts = body::extract_fn(self.vocab, self.idx, &f.sig, &f.attrs, &f.block, None);
                self.push_fn(facts, None, ends, &f.attrs, &f.block);
            }
            syn::Item::Impl(imp) => {
                let first =
                    imp.defaultness.map(|t| t.span).or(imp.unsafety.map(|t| t.span)).unwrap_or(imp.impl_token.span);
                self.item_lines((first, imp.brace_token.span.close()), &imp.attrs);
                let ty = type_name(&imp.self_ty);
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        let first = vis_or(&f.vis, f.defaultness.map(|t| t.span).unwrap_or_else(|| sig_start(&f.sig)));
                        let ends = (first, f.block.brace_token.span.close());
                        self.item_lines(ends, &f.attrs);
                        let facts = body::extract_fn(self.vocab, self.idx, &f.sig, &f.attrs, &f.block, ty.as_deref());
                        self.push_fn(facts, ty.as_deref(), ends, &f.attrs, &f.block);
                    }
                }
            }
            syn::Item::Trait(tr) => {
                let first = vis_or(
                    &tr.vis,
                    tr.unsafety.map(|t| t.span).or(tr.auto_token.map(|t| t.span)).unwrap_or(tr.trait_token.span),
                );
                self.item_lines((first, tr.brace_token.span.close()), &tr.attrs);
                for it in &tr.items {
                    if let syn::TraitItem::Fn(f) = it {
                        let last = match (&f.default, &f.semi_token) {
                            (Some(block), _) => block.brace_token.span.close(),
                            (None, Some(semi)) => semi.span,
                            (None, None) => f.sig.span(),
                        };
                        self.item_lines((sig_start(&f.sig), last), &f.attrs);
                        if let Some(block) = &f.default {
                            let facts = body::extract_fn(self.vocab, self.idx, &f.sig, &f.attrs, block, None);
                            let trait_name = tr.ident.to_string();
                            self.push_fn(facts, Some(&trait_name), (sig_start(&f.sig), last), &f.attrs, block);
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                let first = vis_or(&m.vis, m.unsafety.map(|t| t.span).unwrap_or(m.mod_token.span));
                let last = match (&m.content, &m.semi) {
                    (Some((brace, _)), _) => brace.span.close(),
                    (None, Some(semi)) => semi.span,
                    (None, None) => m.ident.span(),
                };
                self.item_lines((first, last), &m.attrs);
                if let Some((_, items)) = &m.content {
                    self.path.push(m.ident.to_string());
                    let outer = self.scope;
                    self.scope = sigs::push_module(&mut self.facts.sigs, outer, &m.ident);
                    self.items(items, self_ty);
                    self.scope = outer;
                    self.path.pop();
                }
            }
            syn::Item::Struct(s) => {
                let last = match (&s.semi_token, &s.fields) {
                    (Some(semi), _) => semi.span,
                    (None, syn::Fields::Named(named)) => named.brace_token.span.close(),
                    (None, syn::Fields::Unnamed(unnamed)) => unnamed.paren_token.span.close(),
                    (None, syn::Fields::Unit) => s.ident.span(),
                };
                self.item_lines((vis_or(&s.vis, s.struct_token.span), last), &s.attrs);
                let fields = s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.ident.as_ref().map_or_else(|| i.to_string(), |id| id.to_string()), ty_of(&f.ty)))
                    .collect();
                self.facts.structs.push(StructDef { name: s.ident.to_string(), fields });
            }
            syn::Item::Enum(e) => {
                self.item_lines((vis_or(&e.vis, e.enum_token.span), e.brace_token.span.close()), &e.attrs);
                // An enum whose variants carry owner-like fields is user-bound too.
                let fields = e
                    .variants
                    .iter()
                    .flat_map(|v| v.fields.iter())
                    .filter_map(|f| f.ident.as_ref().map(|id| (id.to_string(), ty_of(&f.ty))))
                    .collect();
                self.facts.structs.push(StructDef { name: e.ident.to_string(), fields });
            }
            syn::Item::Type(t) => {
                self.item_lines((vis_or(&t.vis, t.type_token.span), t.semi_token.span), &t.attrs);
                self.facts.aliases.push((t.ident.to_string(), ty_of(&t.ty)));
            }
            syn::Item::Static(s) => {
                self.item_lines((vis_or(&s.vis, s.static_token.span), s.semi_token.span), &s.attrs);
                self.facts.statics.push((s.ident.to_string(), ty_of(&s.ty)));
            }
            syn::Item::Const(c) => {
                self.item_lines((vis_or(&c.vis, c.const_token.span), c.semi_token.span), &c.attrs);
            }
            syn::Item::Macro(m) => {
                let first = match (&m.mac.path.leading_colon, m.mac.path.segments.first()) {
                    (Some(colon), _) => colon.spans[0],
                    (None, Some(seg)) => seg.ident.span(),
                    (None, None) => m.mac.bang_token.span,
                };
                let last = m.semi_token.map_or_else(|| m.mac.delimiter.span().close(), |t| t.span);
                self.item_lines((first, last), &m.attrs);
                if let Some(what) = crate::context::generated_include(m) {
                    self.facts.generated.push((self.idx.span(first).line, what));
                }
                self.lazy_static(m);
            }
            _ => {}
        }
    }

    /// `lazy_static! { static ref NAME: Ty = ...; }` and `thread_local!` declare globals.
    fn lazy_static(&mut self, m: &syn::ItemMacro) {
        let tokens: Vec<proc_macro2::TokenTree> = m.mac.tokens.clone().into_iter().collect();
        for (i, tt) in tokens.iter().enumerate() {
            let proc_macro2::TokenTree::Ident(id) = tt else {
                continue;
            };
            if id != "static" {
                continue;
            }
            let mut j = i + 1;
            if matches!(tokens.get(j), Some(proc_macro2::TokenTree::Ident(r)) if r == "ref") {
                j += 1;
            }
            let Some(proc_macro2::TokenTree::Ident(name)) = tokens.get(j) else {
                continue;
            };
            // The type runs from after ':' to '='.
            let ty_tokens: proc_macro2::TokenStream = tokens
                .iter()
                .skip(j + 2)
                .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == '='))
                .cloned()
                .collect();
            let ty = match syn::parse2::<syn::Type>(ty_tokens) {
                Ok(ty) => {
                    sigs::record_lazy_static(&mut self.facts.sigs, self.scope, name.to_string(), &ty);
                    ty_of(&ty)
                }
                Err(_) => Ty::Unknown,
            };
            self.facts.statics.push((name.to_string(), ty));
        }
    }

    /// Records a fn with its qualified path and span, then the items nested in its body
    /// (fns of their own, qualified under this fn: `Server::print::helper`).
    /// Records a fn's facts under its qualified path. Its span runs from its first
    /// attribute (or first token) to its closing brace: the whole fn, attributes included.
    fn push_fn(
        &mut self,
        mut facts: FnFacts,
        owner: Option<&str>,
        (first_tok, last_tok): (proc_macro2::Span, proc_macro2::Span),
        attrs: &[syn::Attribute],
        block: &syn::Block,
    ) {
        let mut path = self.path.clone();
        path.extend(owner.map(str::to_owned));
        path.push(facts.name.clone());
        facts.qualified = path.join("::");
        // Inner attributes (`#![..]`) sit inside the body, so take the earliest token.
        let first = attrs
            .iter()
            .map(|a| a.pound_token.span)
            .chain([first_tok])
            .min_by_key(|s| (s.start().line, s.start().column))
            .unwrap_or(first_tok);
        facts.span = LineIndex::join(self.idx.span(first), self.idx.span(last_tok));
        self.facts.fns.push(facts);
        let outer = std::mem::replace(&mut self.path, path);
        self.nested_items(block);
        self.path = outer;
    }

    /// Items declared inside fn bodies are fns of their own.
    /// A body with `use` items of its own is a scope of its own.
    fn nested_items(&mut self, block: &syn::Block) {
        let outer = self.scope;
        if let Some(scope) = sigs::push_body(&mut self.facts.sigs, outer, block) {
            self.scope = scope;
        }
        for stmt in &block.stmts {
            if let syn::Stmt::Item(item) = stmt {
                self.item(item, None);
            }
        }
        self.scope = outer;
    }
}

/// The span of `vis` if written, else `otherwise` (the item's first token after it).
fn vis_or(vis: &syn::Visibility, otherwise: proc_macro2::Span) -> proc_macro2::Span {
    match vis {
        syn::Visibility::Public(p) => p.span,
        syn::Visibility::Restricted(r) => r.pub_token.span,
        syn::Visibility::Inherited => otherwise,
    }
}

/// The first token of a signature (`const`, `async`, `unsafe`, `extern` or `fn`).
fn sig_start(sig: &syn::Signature) -> proc_macro2::Span {
    sig.constness
        .map(|t| t.span)
        .or(sig.asyncness.map(|t| t.span))
        .or(sig.unsafety.map(|t| t.span))
        .or(sig.abi.as_ref().map(|a| a.extern_token.span))
        .unwrap_or(sig.fn_token.span)
}

/// The last segment of a type's path (`crate::a::Server<T>` -> `Server`).
pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

/// Reduces a syntax type to [`Ty`].
pub(crate) fn ty_of(ty: &syn::Type) -> Ty {
    match ty {
        syn::Type::Path(p) => {
            let Some(seg) = p.path.segments.last() else {
                return Ty::Unknown;
            };
            let args = match &seg.arguments {
                syn::PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(ty_of(t)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Ty::Path { name: seg.ident.to_string(), args }
        }
        syn::Type::Reference(r) => Ty::Ref(Box::new(ty_of(&r.elem))),
        syn::Type::Slice(s) => Ty::Slice(Box::new(ty_of(&s.elem))),
        syn::Type::Array(a) => Ty::Slice(Box::new(ty_of(&a.elem))),
        syn::Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(ty_of).collect()),
        syn::Type::Paren(p) => ty_of(&p.elem),
        syn::Type::Group(g) => ty_of(&g.elem),
        _ => Ty::Unknown,
    }
}
