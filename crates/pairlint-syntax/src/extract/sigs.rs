//! Item signatures as written, for the type model: [`FileSigs`] (structs, enums,
//! aliases, fns, methods, traits, statics and consts, each with its scope, and the
//! `use` imports of every scope).
//!
//! Types are converted from syn's tree node by node ([`written_ty`]), never printed
//! back to tokens. What the type model has no form for (raw pointers, macros in type
//! position, `typeof`) becomes [`WrittenTy::Infer`], which it reads as unknown.

use pairlint_base::sigs::{
    AliasSig, EnumSig, FileSigs, FnSig, GenericParam, Import, ScopeId, ScopeSig, SelfKind, StructSig, TraitSig,
    VariantSig, WrittenTy,
};

/// A new scope for an inline `mod name` written in `parent`: it sees only its own
/// imports.
pub(crate) fn push_module(sigs: &mut FileSigs, parent: ScopeId, name: &syn::Ident) -> ScopeId {
    let mut module = sigs.scopes.get(parent.0 as usize).map(|s| s.module.clone()).unwrap_or_default();
    module.push(name.to_string());
    push_scope(sigs, ScopeSig { module, parent: None, imports: Vec::new() })
}

/// A new scope for a fn body written in `parent` when the body has `use` items: its
/// imports first, then its parent's. Bodies without imports stay in their parent's
/// scope, so most files have one scope per module.
pub(crate) fn push_body(sigs: &mut FileSigs, parent: ScopeId, block: &syn::Block) -> Option<ScopeId> {
    let has_use = block.stmts.iter().any(|s| matches!(s, syn::Stmt::Item(syn::Item::Use(_))));
    if !has_use {
        return None;
    }
    let module = sigs.scopes.get(parent.0 as usize).map(|s| s.module.clone()).unwrap_or_default();
    Some(push_scope(sigs, ScopeSig { module, parent: Some(parent), imports: Vec::new() }))
}

fn push_scope(sigs: &mut FileSigs, scope: ScopeSig) -> ScopeId {
    sigs.scopes.push(scope);
    ScopeId(sigs.scopes.len() as u32 - 1)
}

/// Records the signature of one item written in `scope` (not the items nested in it:
/// the caller walks inline modules and fn bodies, with their own scopes).
pub(crate) fn record_item(sigs: &mut FileSigs, scope: ScopeId, item: &syn::Item) {
    match item {
        syn::Item::Use(u) => {
            let mut imports = Vec::new();
            use_tree(&u.tree, &mut Vec::new(), &mut imports);
            if let Some(s) = sigs.scopes.get_mut(scope.0 as usize) {
                s.imports.extend(imports);
            }
        }
        syn::Item::ExternCrate(e) => {
            // `extern crate foo as bar;` names `foo` `bar`; without a rename the crate's
            // own name already reads as its path.
            if let (Some(s), Some((_, alias))) = (sigs.scopes.get_mut(scope.0 as usize), &e.rename) {
                let krate = if e.ident == "self" { "crate".to_owned() } else { e.ident.to_string() };
                s.imports.push(Import { alias: alias.to_string(), path: vec![krate] });
            }
        }
        syn::Item::Struct(s) => sigs.structs.push(StructSig {
            scope,
            name: s.ident.to_string(),
            generics: generics(&s.generics, &[]),
            fields: fields(&s.fields),
        }),
        syn::Item::Enum(e) => sigs.enums.push(EnumSig {
            scope,
            name: e.ident.to_string(),
            generics: generics(&e.generics, &[]),
            variants: e
                .variants
                .iter()
                .map(|v| VariantSig { name: v.ident.to_string(), fields: fields(&v.fields) })
                .collect(),
        }),
        syn::Item::Type(t) => sigs.aliases.push(AliasSig {
            scope,
            name: t.ident.to_string(),
            generics: generics(&t.generics, &[]),
            ty: written_ty(&t.ty),
        }),
        syn::Item::Static(s) => sigs.statics.push((scope, s.ident.to_string(), written_ty(&s.ty))),
        syn::Item::Const(c) if c.ident != "_" => sigs.statics.push((scope, c.ident.to_string(), written_ty(&c.ty))),
        syn::Item::Fn(f) => sigs.fns.push(fn_sig(scope, &f.sig, None, None, &[])),
        syn::Item::Impl(imp) => {
            let self_ty = written_ty(&imp.self_ty);
            let trait_name =
                imp.trait_.as_ref().and_then(|(_, path, _)| path.segments.last()).map(|s| s.ident.to_string());
            let outer = generics(&imp.generics, &[]);
            for it in &imp.items {
                if let syn::ImplItem::Fn(f) = it {
                    sigs.fns.push(fn_sig(scope, &f.sig, Some(self_ty.clone()), trait_name.clone(), &outer));
                }
            }
        }
        syn::Item::Trait(tr) => {
            let name = tr.ident.to_string();
            let own = generics(&tr.generics, &[]);
            let mut assoc_types = Vec::new();
            let mut methods = Vec::new();
            for it in &tr.items {
                match it {
                    syn::TraitItem::Type(t) => assoc_types.push(GenericParam {
                        name: t.ident.to_string(),
                        bounds: t.bounds.iter().filter_map(bound).collect(),
                    }),
                    syn::TraitItem::Fn(f) => methods.push(fn_sig(scope, &f.sig, None, Some(name.clone()), &own)),
                    _ => {}
                }
            }
            assoc_types.shrink_to_fit();
            methods.shrink_to_fit();
            sigs.traits.push(TraitSig { scope, name, generics: own, assoc_types, methods });
        }
        syn::Item::ForeignMod(m) => {
            for it in &m.items {
                match it {
                    syn::ForeignItem::Fn(f) => sigs.fns.push(fn_sig(scope, &f.sig, None, None, &[])),
                    syn::ForeignItem::Static(s) => sigs.statics.push((scope, s.ident.to_string(), written_ty(&s.ty))),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// A global declared by `lazy_static!` or `thread_local!` (the type as written, not
/// the `LocalKey` around it).
pub(crate) fn record_lazy_static(sigs: &mut FileSigs, scope: ScopeId, name: String, ty: &syn::Type) {
    sigs.statics.push((scope, name, written_ty(ty)));
}

/// Named fields by name, tuple fields as `0`, `1`...
fn fields(fields: &syn::Fields) -> Vec<(String, WrittenTy)> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string), written_ty(&f.ty)))
        .collect()
}

/// The type parameters of `g` after `outer`'s (an impl's or trait's), each with its
/// inline bounds and the `where` clauses that bound it by name. Lifetime and const
/// parameters are not types the model reads; `where` clauses on other types
/// (`Vec<T>: Debug`, `T::Item: Clone`) bound no parameter and are dropped.
fn generics(g: &syn::Generics, outer: &[GenericParam]) -> Vec<GenericParam> {
    let mut params = outer.to_vec();
    let own = params.len();
    for p in g.type_params() {
        params.push(GenericParam { name: p.ident.to_string(), bounds: p.bounds.iter().filter_map(bound).collect() });
    }
    let Some(clause) = &g.where_clause else {
        return shrunk(params);
    };
    for pred in &clause.predicates {
        let syn::WherePredicate::Type(pred) = pred else {
            continue;
        };
        let syn::Type::Path(bounded) = &pred.bounded_ty else {
            continue;
        };
        let Some(name) = bounded.path.get_ident().filter(|_| bounded.qself.is_none()) else {
            continue;
        };
        // The fn's own parameter shadows the impl's of the same name.
        if let Some(i) = (own..params.len()).chain(0..own).find(|&i| name == &params[i].name) {
            params[i].bounds.extend(pred.bounds.iter().filter_map(bound));
        }
    }
    shrunk(params)
}

/// Generics without the spare capacity of lists grown by pushing.
fn shrunk(mut params: Vec<GenericParam>) -> Vec<GenericParam> {
    for p in &mut params {
        p.bounds.shrink_to_fit();
    }
    params.shrink_to_fit();
    params
}

/// A trait bound as a path type (`Iterator<Item = Job>`, `Fn(A) -> R`); lifetimes and
/// `?Sized` bound nothing the model reads.
fn bound(b: &syn::TypeParamBound) -> Option<WrittenTy> {
    match b {
        syn::TypeParamBound::Trait(t) if matches!(t.modifier, syn::TraitBoundModifier::None) => Some(path_ty(&t.path)),
        _ => None,
    }
}

fn bounds(list: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>) -> Vec<WrittenTy> {
    let mut bounds: Vec<WrittenTy> = list.iter().filter_map(bound).collect();
    bounds.shrink_to_fit();
    bounds
}

fn fn_sig(
    scope: ScopeId,
    sig: &syn::Signature,
    self_ty: Option<WrittenTy>,
    trait_name: Option<String>,
    outer: &[GenericParam],
) -> FnSig {
    let mut receiver = None;
    let mut params = Vec::new();
    for arg in &sig.inputs {
        match arg {
            syn::FnArg::Receiver(r) => {
                receiver = Some(match &*r.ty {
                    syn::Type::Reference(rf) if rf.mutability.is_some() => SelfKind::RefMut,
                    syn::Type::Reference(_) => SelfKind::Ref,
                    // `self`, `self: Box<Self>`, `self: Arc<Self>`: taken by value.
                    _ => SelfKind::Value,
                });
            }
            syn::FnArg::Typed(t) => params.push((pat_name(&t.pat), written_ty(&t.ty))),
        }
    }
    params.shrink_to_fit();
    FnSig {
        scope,
        name: sig.ident.to_string(),
        self_ty,
        trait_name,
        generics: generics(&sig.generics, outer),
        receiver,
        params,
        ret: match &sig.output {
            syn::ReturnType::Default => WrittenTy::unit(),
            syn::ReturnType::Type(_, ty) => written_ty(ty),
        },
        is_async: sig.asyncness.is_some(),
    }
}

/// A parameter's name when its pattern is one binding (`x`, `mut x`, `&x`), else `_`.
fn pat_name(pat: &syn::Pat) -> String {
    match pat {
        syn::Pat::Ident(p) => p.ident.to_string(),
        syn::Pat::Reference(r) => pat_name(&r.pat),
        syn::Pat::Paren(p) => pat_name(&p.pat),
        _ => "_".to_owned(),
    }
}

/// The names a `use` tree brings in, under `prefix`: `a::{b::C as D, e::*, self}`.
fn use_tree(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Import>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            // `use a::b::{self}` imports `b` itself.
            if let Some(last) = prefix.last() {
                out.push(Import { alias: last.clone(), path: prefix.clone() });
            }
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut path = prefix.clone();
            path.push(name.clone());
            out.push(Import { alias: name, path });
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push(Import { alias: r.rename.to_string(), path });
        }
        syn::UseTree::Glob(_) => out.push(Import { alias: "*".to_owned(), path: prefix.clone() }),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_tree(t, prefix, out);
            }
        }
    }
}

/// A syntax type as written: full paths, generic arguments, `Name = Ty` bindings,
/// references with their mutability, `dyn`/`impl` bounds, fn pointers, `!`. Lifetimes
/// and array lengths are dropped; forms the model has no shape for are
/// [`WrittenTy::Infer`].
pub fn written_ty(ty: &syn::Type) -> WrittenTy {
    match ty {
        syn::Type::Path(p) => match &p.qself {
            None => path_ty(&p.path),
            Some(q) => qualified_path_ty(q, &p.path),
        },
        syn::Type::Reference(r) => {
            WrittenTy::Ref { mutable: r.mutability.is_some(), inner: Box::new(written_ty(&r.elem)) }
        }
        syn::Type::Slice(s) => WrittenTy::Slice(Box::new(written_ty(&s.elem))),
        syn::Type::Array(a) => WrittenTy::Slice(Box::new(written_ty(&a.elem))),
        syn::Type::Tuple(t) => WrittenTy::Tuple(t.elems.iter().map(written_ty).collect()),
        syn::Type::Never(_) => WrittenTy::Never,
        syn::Type::TraitObject(t) => WrittenTy::Dyn(bounds(&t.bounds)),
        syn::Type::ImplTrait(t) => WrittenTy::Impl(bounds(&t.bounds)),
        syn::Type::BareFn(f) => WrittenTy::Fn {
            params: f.inputs.iter().map(|a| written_ty(&a.ty)).collect(),
            ret: Box::new(match &f.output {
                syn::ReturnType::Default => WrittenTy::unit(),
                syn::ReturnType::Type(_, ty) => written_ty(ty),
            }),
        },
        syn::Type::Paren(p) => written_ty(&p.elem),
        syn::Type::Group(g) => written_ty(&g.elem),
        // `_`, raw pointers (not references: nothing is known of what they point at),
        // macros, and forms syn keeps as tokens.
        _ => WrittenTy::Infer,
    }
}

/// A path with the arguments and bindings of all its segments (`Fn(A) -> R` gives
/// `A` as an argument and `R` as the `Output` binding, as the model's text form does).
fn path_ty(path: &syn::Path) -> WrittenTy {
    let mut segments = Vec::with_capacity(path.segments.len());
    let mut args = Vec::new();
    let mut bindings = Vec::new();
    for seg in &path.segments {
        segments.push(seg.ident.to_string());
        match &seg.arguments {
            syn::PathArguments::None => {}
            syn::PathArguments::AngleBracketed(a) => {
                for arg in &a.args {
                    match arg {
                        syn::GenericArgument::Type(t) => args.push(written_ty(t)),
                        syn::GenericArgument::AssocType(b) => bindings.push((b.ident.to_string(), written_ty(&b.ty))),
                        // Lifetimes, const arguments and `Item: Bound` constraints.
                        _ => {}
                    }
                }
            }
            syn::PathArguments::Parenthesized(p) => {
                args.extend(p.inputs.iter().map(written_ty));
                let ret = match &p.output {
                    syn::ReturnType::Default => WrittenTy::unit(),
                    syn::ReturnType::Type(_, ty) => written_ty(ty),
                };
                bindings.push(("Output".to_owned(), ret));
            }
        }
    }
    // Lists grown by pushing start at four entries; most paths have one argument or
    // none, and a crate's sigs are all held at once.
    args.shrink_to_fit();
    bindings.shrink_to_fit();
    WrittenTy::Path { segments, args, bindings }
}

/// `<T as Trait>::Item` is written as `T::Item` (what the model reads as `T`'s bound's
/// binding); a qualified self that is not a plain name (`<Vec<T> as Trait>::X`) is not
/// modelled.
fn qualified_path_ty(qself: &syn::QSelf, path: &syn::Path) -> WrittenTy {
    let syn::Type::Path(owner) = &*qself.ty else {
        return WrittenTy::Infer;
    };
    let Some(owner) = owner.path.get_ident().filter(|_| owner.qself.is_none()) else {
        return WrittenTy::Infer;
    };
    let rest =
        syn::Path { leading_colon: None, segments: path.segments.iter().skip(qself.position).cloned().collect() };
    match path_ty(&rest) {
        WrittenTy::Path { mut segments, args, bindings } if !segments.is_empty() => {
            segments.insert(0, owner.to_string());
            WrittenTy::Path { segments, args, bindings }
        }
        _ => WrittenTy::Infer,
    }
}

#[cfg(test)]
mod tests;
