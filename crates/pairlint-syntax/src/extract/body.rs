//! A fn's facts: its signature (parameters, which of them identify the requester) and
//! whether it serves one requester. The rules read bodies through the IR
//! (`crate::lower`); what is left here of the old body walk is the one fact the flows
//! still take from the extractor: a closure parameter that names the requester
//! (`move |user: User| ..` handed to a router or a spawn) makes its fn a requester fn.
//!
//! Which closures count is decided by the walker below, which follows values only as
//! far as "does this value carry anything tracked" (a parameter, a field of one, an item
//! taken or looked up, a call's result), because a closure handed an element of such a
//! value (`items.map(|user| ..)`) is an iteration step, not the requester. Its answers
//! are those of the full walker core v1 used (same order, same depth bound, same
//! scopes); the rest of that walker (origins, outputs, guards, calls, bindings) had no
//! reader left once the rules moved to the IR, and was dropped. Most bodies have no
//! closure whose parameter could name the requester: a syntactic pre-check
//! ([`may_bind_identity`]) skips the walk for them, which is most of what it cost.

use super::flow;
use super::{ty_of, type_name};
use crate::span::SpanOfSyntax;
use pairlint_base::finding::Span;
use pairlint_base::model::*;
use pairlint_base::source::LineIndex;
use pairlint_base::vocab::List as VocabList;
use pairlint_base::vocab::Vocabulary;
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Deeper expressions than this are not followed (the file was already refused by
/// the nesting bound if it was hostile; this protects the walker's own stack).
const MAX_DEPTH: u32 = 256;

/// What an expression evaluates to, as far as closure identities care.
#[derive(Debug, Clone, Copy, Default)]
struct Val {
    /// Carries something tracked (a parameter, an item, a call's result...).
    origins: bool,
    /// Still is a place in (maybe shared) state (`self.queue.lock()`).
    place: Option<PlaceVal>,
}

#[derive(Debug, Clone, Copy)]
struct PlaceVal {
    /// An iterator over the place's items (`.iter()`).
    iter: bool,
    /// The iterator is filtered by a predicate (so `.next()` is not positional).
    filtered: bool,
}

impl PlaceVal {
    const WHOLE: PlaceVal = PlaceVal { iter: false, filtered: false };
}

impl Val {
    fn union(mut self, other: Val) -> Val {
        self.origins |= other.origins;
        self.place = None;
        self
    }
    fn plain(origins: bool) -> Val {
        Val { origins, place: None }
    }
    /// A value that is a tracked place itself (`self`, a parameter).
    fn place() -> Val {
        Val { origins: true, place: Some(PlaceVal::WHOLE) }
    }
}

pub(super) fn extract_fn(
    vocab: &Vocabulary,
    idx: &LineIndex,
    sig: &syn::Signature,
    attrs: &[syn::Attribute],
    block: &syn::Block,
    self_ty: Option<&str>,
) -> FnFacts {
    let mut f = FnFacts {
        name: sig.ident.to_string(),
        self_ty: self_ty.map(str::to_owned),
        has_self: sig.receiver().is_some(),
        name_span: idx.span(sig.ident.span()),
        // Set by the item walker, which knows the enclosing modules.
        qualified: String::new(),
        span: Span::default(),
        params: Vec::new(),
        per_requester: false,
        identity: None,
    };
    f.per_requester = attrs.iter().any(|a| {
        a.path().segments.last().is_some_and(|s| vocab.is(VocabList::HandlerAttributes, &s.ident.to_string()))
    });
    let mut env = HashMap::new();
    if let (Some(recv), Some(ty)) = (sig.receiver(), self_ty) {
        if vocab.mentions(VocabList::IdentityNames, ty) {
            f.per_requester = true;
            f.identity.get_or_insert((idx.span(recv.span()), "self".to_string()));
        }
        env.insert("self".to_string(), Val::place());
    }
    for input in &sig.inputs {
        let syn::FnArg::Typed(pt) = input else { continue };
        for name in param(vocab, idx, &mut f, pt) {
            env.insert(name, Val::place());
        }
    }
    // The walk can only add an identity, and only the first one found is kept.
    if f.identity.is_none() && may_bind_identity(vocab, block) {
        let mut w = Walker { vocab, idx, identity: &mut f.identity, env: vec![env], closure_param: None, depth: 0 };
        w.block_stmts(&block.stmts, !matches!(sig.output, syn::ReturnType::Default));
    }
    if f.identity.is_some() {
        f.per_requester = true;
    }
    f
}

/// Records a parameter (and the requester identity, if it is one); returns the names
/// it binds.
fn param(vocab: &Vocabulary, idx: &LineIndex, f: &mut FnFacts, pt: &syn::PatType) -> Vec<String> {
    let ty = ty_of(&pt.ty);
    let tname = type_name(&pt.ty).unwrap_or_default();
    let span = idx.span(pt.span());
    let excluded = vocab.is(VocabList::IdentityExcludeTypes, &tname);
    let extractor = vocab.is(VocabList::HandlerExtractors, &tname);
    let request_ty = vocab.ends_with(VocabList::RequestTypeSuffixes, &tname) && !tname.is_empty();
    let mut names = Vec::new();
    collect_pat_idents(&pt.pat, &mut names);
    let pname = names.first().cloned().unwrap_or_else(|| "_".into());
    let by_name =
        names.iter().any(|n| vocab.mentions(VocabList::IdentityNames, n) || vocab.is(VocabList::RequestNames, n));
    let by_type = vocab.mentions(VocabList::IdentityNames, &tname) || request_ty;
    // `State(state)` / `web::Data<..>` are shared state, not the requester.
    let is_identity = !excluded && (by_name || by_type || (extractor && !is_shared_wrapper(&tname)));
    if extractor {
        f.per_requester = true;
    }
    if is_identity {
        f.identity.get_or_insert((span, pname.clone()));
    }
    f.params.push(Param { name: pname, ty, span, is_identity });
    names
}

/// Whether a closure parameter names the requester (by its name, or by its written
/// type unless that type is excluded), with the names it binds.
fn closure_input_identity(vocab: &Vocabulary, input: &syn::Pat, names: &mut Vec<String>) -> bool {
    collect_pat_idents(input, names);
    let by_type = match input {
        syn::Pat::Type(pt) => {
            let tname = type_name(&pt.ty).unwrap_or_default();
            vocab.mentions(VocabList::IdentityNames, &tname) && !vocab.is(VocabList::IdentityExcludeTypes, &tname)
        }
        _ => false,
    };
    by_type || names.iter().any(|n| vocab.mentions(VocabList::IdentityNames, n))
}

/// Whether the body could give a closure identity: it has a closure (outside nested
/// items, which are fns of their own) with a parameter that names the requester, or a
/// macro whose tokens hold a `|` and an identifier naming the requester (the walker
/// parses some macro bodies, and a closure there is written with both). A superset of
/// what the walker can find, so skipping the walk when it says no changes nothing.
fn may_bind_identity(vocab: &Vocabulary, block: &syn::Block) -> bool {
    struct Scan<'a> {
        vocab: &'a Vocabulary,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Scan<'_> {
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            if !self.found {
                let mut names = Vec::new();
                self.found = c.inputs.iter().any(|input| {
                    names.clear();
                    closure_input_identity(self.vocab, input, &mut names)
                });
            }
            if !self.found {
                syn::visit::visit_expr_closure(self, c);
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if !self.found && has_bar(&m.tokens) {
                self.found = names_identity(self.vocab, &m.tokens);
            }
        }
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            if !self.found {
                syn::visit::visit_expr(self, e);
            }
        }
    }
    fn has_bar(tokens: &proc_macro2::TokenStream) -> bool {
        tokens.clone().into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Punct(p) => p.as_char() == '|',
            proc_macro2::TokenTree::Group(g) => has_bar(&g.stream()),
            _ => false,
        })
    }
    fn names_identity(vocab: &Vocabulary, tokens: &proc_macro2::TokenStream) -> bool {
        tokens.clone().into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(id) => vocab.mentions(VocabList::IdentityNames, &id.to_string()),
            proc_macro2::TokenTree::Group(g) => names_identity(vocab, &g.stream()),
            _ => false,
        })
    }
    let mut scan = Scan { vocab, found: false };
    scan.visit_block(block);
    scan.found
}

struct Walker<'a> {
    vocab: &'a Vocabulary,
    idx: &'a LineIndex<'a>,
    identity: &'a mut Option<(Span, String)>,
    env: Vec<HashMap<String, Val>>,
    /// The value a closure's parameters stand for (the receiver of `map`, `find`...).
    closure_param: Option<Val>,
    depth: u32,
}

impl Walker<'_> {
    // ---- bookkeeping -------------------------------------------------------------

    fn bind(&mut self, name: &str, val: Val) {
        if let Some(frame) = self.env.last_mut() {
            frame.insert(name.to_string(), val);
        }
    }

    fn lookup(&self, name: &str) -> Option<&Val> {
        self.env.iter().rev().find_map(|f| f.get(name))
    }

    fn enter_scope(&mut self) {
        self.env.push(HashMap::new());
    }

    fn leave_scope(&mut self) {
        self.env.pop();
    }

    // ---- bodies ------------------------------------------------------------------

    fn block(&mut self, block: &syn::Block, tail: bool) -> Val {
        self.enter_scope();
        let v = self.block_stmts(&block.stmts, tail);
        self.leave_scope();
        v
    }

    /// `tail`: the block's value is the fn's. (Only the depth bound sees the
    /// difference: a tail's branches are followed without a depth step.)
    fn block_stmts(&mut self, stmts: &[syn::Stmt], tail: bool) -> Val {
        let mut last = Val::default();
        for (i, stmt) in stmts.iter().enumerate() {
            last = self.stmt(stmt, tail && i + 1 == stmts.len());
        }
        last
    }

    fn stmt(&mut self, stmt: &syn::Stmt, tail: bool) -> Val {
        match stmt {
            syn::Stmt::Local(local) => {
                self.local(local);
                Val::default()
            }
            // A block's final expression is its value (closures, `let x = { .. }`).
            syn::Stmt::Expr(e, None) if tail => self.expr_at(e, true),
            syn::Stmt::Expr(e, None) => self.expr(e),
            syn::Stmt::Expr(e, Some(_)) => {
                self.expr(e);
                Val::default()
            }
            syn::Stmt::Macro(m) => {
                self.mac(&m.mac);
                Val::default()
            }
            syn::Stmt::Item(_) => Val::default(),
        }
    }

    fn local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            self.bind_pat(&local.pat, Val::default());
            return;
        };
        let mut v = self.expr(&init.expr);
        if let Some((_, diverge)) = &init.diverge {
            self.enter_scope();
            self.expr(diverge);
            self.leave_scope();
        }
        if let syn::Pat::Type(_) = &local.pat {
            // A local with a written type is tracked by that type.
            v.origins = true;
        }
        self.bind_pat(&local.pat, v);
    }

    fn bind_pat(&mut self, pat: &syn::Pat, val: Val) {
        let mut names = Vec::new();
        collect_pat_idents(pat, &mut names);
        self.bind_names(pat, names, val);
    }

    fn bind_names(&mut self, pat: &syn::Pat, names: Vec<String>, val: Val) {
        // Destructuring hands each binding a part of the value: a binding is no longer
        // the place itself unless it is the whole.
        let whole = matches!(pat, syn::Pat::Ident(_) | syn::Pat::Type(_));
        // `let (guard, res) = cv.wait_timeout(guard, d)?`: the first element is the guard.
        let first_of_tuple = match pat {
            syn::Pat::Tuple(t) => t.elems.first().and_then(|p| {
                let mut n = Vec::new();
                collect_pat_idents(p, &mut n);
                n.first().cloned()
            }),
            _ => None,
        };
        for n in names {
            let mut v = val;
            if !whole && first_of_tuple.as_deref() != Some(n.as_str()) {
                v.place = None;
            }
            self.bind(&n, v);
        }
    }

    /// An expression in tail position (no depth step for its branches, as in the
    /// walker this one keeps the answers of).
    fn expr_at(&mut self, e: &syn::Expr, tail: bool) -> Val {
        match e {
            syn::Expr::If(i) => self.if_expr(i, tail),
            syn::Expr::Match(m) => self.match_expr(m, tail),
            syn::Expr::Block(b) => self.block(&b.block, tail),
            syn::Expr::Unsafe(b) => self.block(&b.block, tail),
            syn::Expr::Paren(p) => self.expr_at(&p.expr, tail),
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &syn::Expr) -> Val {
        if self.depth > MAX_DEPTH {
            return Val::default();
        }
        self.depth += 1;
        let v = self.expr_inner(e);
        self.depth -= 1;
        v
    }

    fn exprs<'e>(&mut self, es: impl IntoIterator<Item = &'e syn::Expr>) -> Val {
        let mut v = Val::default();
        for e in es {
            let x = self.expr(e);
            v = v.union(x);
        }
        v
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> Val {
        use syn::Expr;
        match e {
            Expr::Path(p) => self.path_expr(p),
            Expr::Field(f) => {
                let base = self.expr(&f.base);
                // The field of a place may hold an item by reference (`self.current`).
                let place = base.place.map(|_| PlaceVal::WHOLE);
                Val { origins: base.origins || place.is_some(), place }
            }
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Binary(b) => self.binary(b),
            Expr::Unary(u) => {
                let mut v = self.expr(&u.expr);
                match u.op {
                    syn::UnOp::Not(_) => v.place = None,
                    syn::UnOp::Neg(_) => v = Val::default(),
                    _ => {}
                }
                v
            }
            Expr::Reference(r) => self.expr(&r.expr),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Await(a) => self.expr(&a.base),
            Expr::Cast(c) => self.expr(&c.expr),
            Expr::Try(t) => {
                let mut v = self.expr(&t.expr);
                v.place = None;
                v
            }
            Expr::Assign(a) => {
                self.assign(a);
                Val::default()
            }
            Expr::Index(i) => self.index(i),
            Expr::If(i) => self.if_expr(i, false),
            Expr::Match(m) => self.match_expr(m, false),
            Expr::Block(b) => self.block(&b.block, false),
            Expr::Unsafe(b) => self.block(&b.block, false),
            Expr::Async(b) => self.block(&b.block, false),
            Expr::TryBlock(b) => self.block(&b.block, false),
            Expr::Const(b) => self.block(&b.block, false),
            Expr::Loop(l) => {
                self.block(&l.body, false);
                Val::default()
            }
            Expr::While(w) => {
                self.enter_scope();
                self.expr(&w.cond);
                self.block(&w.body, false);
                self.leave_scope();
                Val::default()
            }
            Expr::ForLoop(fl) => {
                let it = self.expr(&fl.expr);
                self.enter_scope();
                // Iterating a place hands out its items.
                self.bind_pat(&fl.pat, Val::plain(it.origins || it.place.is_some()));
                self.block(&fl.body, false);
                self.leave_scope();
                Val::default()
            }
            Expr::Let(l) => {
                // Only reached inside conditions (`if let`, `while let`, let-chains):
                // bindings go to the enclosing condition scope.
                let v = self.expr(&l.expr);
                self.bind_pat(&l.pat, v);
                Val::default()
            }
            Expr::Closure(c) => self.closure(c),
            Expr::Return(r) => {
                if let Some(inner) = &r.expr {
                    self.expr(inner);
                }
                Val::default()
            }
            Expr::Break(b) => {
                if let Some(inner) = &b.expr {
                    self.expr(inner);
                }
                Val::default()
            }
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Struct(s) => {
                let mut v = self.exprs(s.fields.iter().map(|f| &f.expr));
                if let Some(rest) = &s.rest {
                    v = v.union(self.expr(rest));
                }
                v
            }
            Expr::Tuple(t) => self.exprs(t.elems.iter()),
            Expr::Array(a) => self.exprs(a.elems.iter()),
            Expr::Repeat(r) => self.expr(&r.expr),
            Expr::Range(r) => {
                let mut v = Val::default();
                if let Some(s) = &r.start {
                    v = v.union(self.expr(s));
                }
                if let Some(s) = &r.end {
                    v = v.union(self.expr(s));
                }
                Val::plain(v.origins)
            }
            Expr::Yield(y) => {
                if let Some(inner) = &y.expr {
                    self.expr(inner);
                }
                Val::default()
            }
            _ => Val::default(),
        }
    }

    fn path_expr(&mut self, p: &syn::ExprPath) -> Val {
        if p.qself.is_none() && p.path.segments.len() == 1 {
            let name = p.path.segments[0].ident.to_string();
            if let Some(v) = self.lookup(&name) {
                return *v;
            }
        }
        // A SCREAMING_CASE path is a static or global (`QUEUE`, `crate::PENDING`).
        let last = p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if last.len() > 1 && last.chars().all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit()) {
            return Val { origins: false, place: Some(PlaceVal::WHOLE) };
        }
        Val::default()
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Val {
        use syn::BinOp::*;
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        match b.op {
            // Comparisons and conditions are checks, not values.
            Eq(_) | Ne(_) | And(_) | Or(_) | Lt(_) | Le(_) | Gt(_) | Ge(_) => Val::default(),
            _ => Val::plain(l.origins || r.origins),
        }
    }

    fn assign(&mut self, a: &syn::ExprAssign) {
        let rhs = self.expr(&a.right);
        match &*a.left {
            syn::Expr::Field(f) => {
                self.expr(&f.base);
            }
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                // `x = expr` rebinds the local to the new value.
                let name = p.path.segments[0].ident.to_string();
                if let Some(slot) = self.env.iter_mut().rev().find_map(|frame| frame.get_mut(&name)) {
                    *slot = rhs;
                }
            }
            other => {
                self.expr(other);
            }
        }
    }

    fn index(&mut self, i: &syn::ExprIndex) -> Val {
        let base = self.expr(&i.expr);
        let key = self.expr(&i.index);
        match base.place {
            // An element of a place (`self.slots[i]`) is an item, and still in place.
            Some(p) => Val { origins: true, place: Some(p) },
            None => Val::plain(base.origins || key.origins),
        }
    }

    fn closure(&mut self, c: &syn::ExprClosure) -> Val {
        let param_val = self.closure_param.take().unwrap_or_default();
        self.enter_scope();
        for input in &c.inputs {
            let mut names = Vec::new();
            let identity = closure_input_identity(self.vocab, input, &mut names);
            // A written type is tracked by that type.
            let v = Val::plain(param_val.origins || matches!(input, syn::Pat::Type(_)));
            // A closure that is an iteration step (`members.all(|member| ..)`) is handed
            // each element in turn: its parameter names an element, not the requester.
            if identity && !param_val.origins {
                let span = self.idx.span(input.span());
                self.identity.get_or_insert_with(|| (span, names.first().cloned().unwrap_or_default()));
            }
            self.bind_names(input, names, v);
        }
        let v = self.expr(&c.body);
        self.leave_scope();
        v
    }

    // ---- calls -------------------------------------------------------------------

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> Val {
        let name = m.method.to_string();
        let recv = self.expr(&m.receiver);
        let n = name.as_str();

        // Locks, unwraps and conversions keep the place and the item.
        const PASSTHROUGH: &[&str] = &[
            "lock",
            "read",
            "write",
            "try_lock",
            "try_read",
            "try_write",
            "borrow",
            "borrow_mut",
            "as_ref",
            "as_mut",
            "as_deref",
            "as_deref_mut",
            "clone",
            "cloned",
            "copied",
            "to_owned",
            "to_string",
            "into",
            "as_str",
            "deref",
            "deref_mut",
            "get_ref",
            "into_inner",
            "lock_owned",
            "as_slice",
            "as_mut_slice",
            "by_ref",
            "blocking_lock",
            "upgradable_read",
            "load",
        ];
        if PASSTHROUGH.contains(&n) && m.args.is_empty() {
            return recv;
        }
        // `condvar.wait_timeout(guard, d)` hands the same guard back.
        if matches!(n, "wait" | "wait_timeout" | "wait_while" | "wait_timeout_while") && !m.args.is_empty() {
            let args = self.args(&m.args);
            return Val { place: args[0].place, origins: args[0].origins };
        }
        if matches!(n, "unwrap" | "expect" | "unwrap_unchecked") {
            self.args(&m.args);
            return recv;
        }
        if n == "get_mut" && m.args.is_empty() {
            return recv;
        }
        const ITER: &[&str] = &["iter", "iter_mut", "into_iter", "drain", "values", "values_mut", "lock_iter"];
        if ITER.contains(&n) {
            self.args(&m.args);
            let mut v = recv;
            if let Some(p) = &mut v.place {
                p.iter = true;
            }
            return v;
        }
        const PREDICATE: &[&str] =
            &["find", "filter", "position", "find_map", "filter_map", "skip_while", "take_while", "rposition"];
        if PREDICATE.contains(&n) && recv.place.as_ref().is_some_and(|p| p.iter) {
            // The predicate's closure is handed the items.
            self.with_closure_param(Val::plain(true), &m.args);
            let place = if n == "filter" || n == "skip_while" || n == "take_while" {
                Some(PlaceVal { iter: true, filtered: true })
            } else {
                None
            };
            return Val { origins: true, place };
        }
        // Positional takes.
        let zero_arg = m.args.len() == 1 && is_zero(&m.args[0]);
        let positional = if n == "next" && m.args.is_empty() {
            recv.place.is_some_and(|p| !p.filtered)
        } else {
            self.vocab.is(VocabList::StrongPositionalTakes, n)
                || (matches!(n, "remove" | "swap_remove" | "get" | "get_mut") && zero_arg)
                || (self.vocab.is(VocabList::PositionalTakes, n) && recv.place.as_ref().is_some_and(|p| !p.iter))
        };
        if let (true, Some(p)) = (positional, &recv.place) {
            if n == "next" && p.filtered {
                return recv;
            }
            self.args(&m.args);
            return Val::plain(true);
        }
        if n == "next" && recv.place.is_some_and(|p| p.filtered) {
            return Val { place: None, ..recv };
        }
        // Keyed lookups.
        if self.vocab.is(VocabList::KeyedLookups, n) && !m.args.is_empty() && recv.place.is_some_and(|p| !p.iter) {
            self.args(&m.args);
            return Val::plain(true);
        }
        // On `self` a no-argument `take` is the crate's own method (self is no
        // `Option`), resolved like any other call.
        let on_self = matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if n == "take" && m.args.is_empty() && !on_self {
            return recv;
        }
        // Pushing an item back onto a shared queue; releases.
        if (self.vocab.is(VocabList::RequeueCalls, n) && recv.place.is_some() && !m.args.is_empty())
            || self.vocab.starts_with(VocabList::ReleaseCalls, n)
        {
            self.args(&m.args);
            return Val::default();
        }
        // Tests of a result: a check, not a value.
        if matches!(n, "is_err" | "is_none" | "is_ok" | "is_some") {
            return Val::default();
        }
        const NO_VALUE: &[&str] =
            &["len", "is_empty", "contains", "contains_key", "capacity", "elapsed", "starts_with", "ends_with"];
        if NO_VALUE.contains(&n) {
            self.args(&m.args);
            return Val::default();
        }
        // Fallbacks after a lookup that missed.
        const FALLBACK: &[&str] =
            &["or_else", "unwrap_or_else", "or", "unwrap_or", "map_or_else", "or_insert_with", "get_or_insert_with"];
        if FALLBACK.contains(&n) && recv.origins {
            self.args(&m.args);
            return Val::plain(true);
        }
        // Combinators: closures see the receiver's item.
        const COMBINATORS: &[&str] = &[
            "map",
            "and_then",
            "filter",
            "inspect",
            "map_err",
            "ok_or",
            "ok_or_else",
            "then",
            "for_each",
            "any",
            "all",
            "is_some_and",
            "is_ok_and",
            "and",
            "flatten",
            "ok",
            "err",
            "take_if",
        ];
        if COMBINATORS.contains(&n) {
            let r = self.with_closure_param(Val::plain(recv.origins), &m.args);
            if matches!(n, "any" | "all" | "is_some_and" | "is_ok_and") {
                return Val::default();
            }
            return Val::plain(recv.origins || r.origins);
        }

        // Everything else: a call, whose result is tracked.
        self.args(&m.args);
        Val::plain(true)
    }

    fn with_closure_param(&mut self, param: Val, args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) -> Val {
        let mut out = Val::default();
        for a in args {
            if matches!(a, syn::Expr::Closure(_)) {
                self.closure_param = Some(param);
            }
            let v = self.expr(a);
            self.closure_param = None;
            out = out.union(v);
        }
        out
    }

    fn args(&mut self, args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) -> Vec<Val> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    fn call(&mut self, c: &syn::ExprCall) -> Val {
        let syn::Expr::Path(p) = &*c.func else {
            let f = self.expr(&c.func);
            let args = self.args(&c.args);
            return args.into_iter().fold(Val::plain(f.origins), Val::union);
        };
        let last = p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        // `Arc::clone(&x)` is `x`.
        if last == "clone" && p.path.segments.len() == 2 && c.args.len() == 1 {
            return self.expr(&c.args[0]);
        }
        if last == "drop" {
            self.args(&c.args);
            return Val::default();
        }
        // Constructors and wrappers (`Ok(x)`, `Json(x)`, `Outcome::Printed(x)`,
        // `Box::new(x)`) carry their arguments.
        let is_ctor = last.chars().next().is_some_and(char::is_uppercase) || last == "new" || last == "from";
        let args = self.args(&c.args);
        if is_ctor
            && !self.vocab.starts_with(VocabList::OutputCalls, &last)
            && !self.vocab.starts_with(VocabList::CheckCalls, &last)
        {
            return args.into_iter().fold(Val::default(), Val::union);
        }
        // A call: its result is tracked.
        Val::plain(true)
    }

    // ---- branches ----------------------------------------------------------------

    fn if_expr(&mut self, i: &syn::ExprIf, tail: bool) -> Val {
        // The condition's bindings (`if let Some(x) = ..`) live in the then-branch.
        self.enter_scope();
        if let syn::Expr::Let(l) = &*i.cond {
            let v = self.expr(&l.expr);
            self.bind_pat(&l.pat, v);
        } else {
            self.expr(&i.cond);
        }
        self.enter_scope();
        let mut v = self.block_stmts(&i.then_branch.stmts, tail);
        self.leave_scope();
        self.leave_scope();
        if let Some((_, els)) = &i.else_branch {
            self.enter_scope();
            let ev = self.expr_at(els, tail);
            self.leave_scope();
            v = v.union(ev);
        }
        v.place = None;
        v
    }

    fn match_expr(&mut self, m: &syn::ExprMatch, tail: bool) -> Val {
        let scrut = self.expr(&m.expr);
        let mut v = Val::default();
        for arm in &m.arms {
            self.enter_scope();
            self.bind_pat(&arm.pat, scrut);
            if let Some((_, g)) = &arm.guard {
                self.expr(g);
            }
            let av = self.expr_at(&arm.body, tail);
            self.leave_scope();
            v = v.union(av);
        }
        v.place = None;
        v
    }

    // ---- macros ------------------------------------------------------------------

    fn mac(&mut self, mac: &syn::Macro) -> Val {
        let name = flow::macro_name(mac);
        match name.as_str() {
            "assert" | "ensure" => {
                if let Some(args) = flow::macro_exprs(mac) {
                    if let Some(first) = args.first() {
                        self.expr(first);
                    }
                    self.exprs(args.iter().skip(1));
                }
                Val::default()
            }
            "assert_eq" | "assert_ne" => {
                if let Some(args) = flow::macro_exprs(mac) {
                    if args.len() >= 2 {
                        self.expr(&args[0]);
                        self.expr(&args[1]);
                    }
                }
                Val::default()
            }
            "matches" => {
                let Some((e, pat, guard)) = flow::matches_parts(mac) else {
                    return Val::default();
                };
                let v = self.expr(&e);
                self.enter_scope();
                self.bind_pat(&pat, v);
                if let Some(g) = guard {
                    self.expr(&g);
                }
                self.leave_scope();
                Val::default()
            }
            "select" => {
                let Some(branches) = flow::select_branches(mac) else {
                    return Val::default();
                };
                let mut out = Val::default();
                for b in branches {
                    let fv = b.future.as_ref().map(|f| self.expr(f)).unwrap_or_default();
                    self.enter_scope();
                    if let Some(p) = &b.pat {
                        self.bind_pat(p, fv);
                    }
                    let hv = self.expr(&b.handler);
                    self.leave_scope();
                    out = out.union(hv);
                }
                out
            }
            _ => {
                if let Some(args) = flow::macro_exprs(mac) {
                    self.exprs(args.iter())
                } else if let Some(stmts) = flow::macro_stmts(mac) {
                    self.enter_scope();
                    let v = self.block_stmts(&stmts, false);
                    self.leave_scope();
                    v
                } else {
                    Val::default()
                }
            }
        }
    }
}

fn is_shared_wrapper(tname: &str) -> bool {
    matches!(tname, "State" | "Data" | "Arc" | "Rc")
}

pub(super) fn collect_pat_idents(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(id) => {
            out.push(id.ident.to_string());
            if let Some((_, sub)) = &id.subpat {
                collect_pat_idents(sub, out);
            }
        }
        syn::Pat::Type(t) => collect_pat_idents(&t.pat, out),
        syn::Pat::Reference(r) => collect_pat_idents(&r.pat, out),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_pat_idents(p, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_pat_idents(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_pat_idents(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| collect_pat_idents(p, out)),
        syn::Pat::Or(o) => o.cases.iter().for_each(|p| collect_pat_idents(p, out)),
        syn::Pat::Paren(p) => collect_pat_idents(&p.pat, out),
        _ => {}
    }
}

fn is_zero(e: &syn::Expr) -> bool {
    matches!(e, syn::Expr::Lit(l) if matches!(&l.lit, syn::Lit::Int(i) if i.base10_digits() == "0"))
}
