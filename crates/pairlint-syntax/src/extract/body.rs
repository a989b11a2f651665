//! The fn-body walker: follows values through one fn (closures included) and records
//! takes, lookups, outputs, guards and calls with their place in the
//! control flow.

use super::flow;
use super::{ty_of, type_name};
use crate::span::SpanOfSyntax;
use pairlint_base::finding::Span;
use pairlint_base::model::*;
use pairlint_base::source::LineIndex;
use pairlint_base::vocab::List as VocabList;
use pairlint_base::vocab::Vocabulary;
use std::collections::{BTreeSet, HashMap};
use syn::spanned::Spanned;

/// Deeper expressions than this are not followed (the file was already refused by
/// the nesting bound if it was hostile; this protects the walker's own stack).
const MAX_DEPTH: u32 = 256;

/// What an expression evaluates to, as far as the rules care.
#[derive(Debug, Clone, Default)]
struct Val {
    origins: BTreeSet<OriginId>,
    /// Identifies the requester (`user_id`, `req.card_id`).
    identity: bool,
    /// Computed from something that identifies the requester, through any call
    /// (`self.can_view(c, member)` where `member` was looked up by the user id).
    touches_identity: bool,
    /// A place in (maybe shared) state this value still is (`self.queue.lock()`).
    place: Option<PlaceVal>,
    /// Origins this value checks against the requester (a bool or a filtered lookup).
    checks: BTreeSet<OriginId>,
    check_calls: BTreeSet<CallId>,
    /// The condition is true when the check fails (`!=`, `!ok`, `is_err()`).
    negated: bool,
}

#[derive(Debug, Clone)]
struct PlaceVal {
    place: Place,
    /// An iterator over the place's items (`.iter()`).
    iter: bool,
    /// The iterator is filtered by a predicate (so `.next()` is not positional).
    filtered: bool,
}

impl Val {
    fn union(mut self, other: Val) -> Val {
        self.origins.extend(other.origins);
        self.identity |= other.identity;
        self.touches_identity |= other.touches_identity || other.identity;
        self.checks.extend(other.checks);
        self.check_calls.extend(other.check_calls);
        self.place = None;
        self
    }
    fn plain(origins: BTreeSet<OriginId>) -> Val {
        Val { origins, ..Val::default() }
    }
    fn touches(&self) -> bool {
        self.identity || self.touches_identity
    }
    fn is_check(&self) -> bool {
        !self.checks.is_empty() || !self.check_calls.is_empty()
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
    let name = sig.ident.to_string();
    let mut w = Walker {
        vocab,
        idx,
        f: FnFacts {
            name,
            self_ty: self_ty.map(str::to_owned),
            has_self: sig.receiver().is_some(),
            name_span: idx.span(sig.ident.span()),
            // Set by the item walker, which knows the enclosing modules.
            qualified: String::new(),
            span: Span::default(),
            params: Vec::new(),
            per_requester: false,
            identity: None,
            origins: Vec::new(),
            outputs: Vec::new(),
            guards: Vec::new(),
            calls: Vec::new(),
            bindings: Vec::new(),
        },
        env: vec![HashMap::new()],
        scopes: vec![0],
        next_scope: 1,
        seq: 0,
        fallback: None,
        closure_param: None,
        keyed: HashMap::new(),
        returns_value: !matches!(sig.output, syn::ReturnType::Default),
        depth: 0,
    };
    let handler_attr = attrs.iter().any(|a| {
        a.path().segments.last().is_some_and(|s| vocab.is(VocabList::HandlerAttributes, &s.ident.to_string()))
    });
    w.f.per_requester = handler_attr;
    if let (Some(recv), Some(ty)) = (sig.receiver(), self_ty) {
        let origin = w.origin(OriginKind::SelfValue, idx.span(recv.span()));
        let session = vocab.mentions(VocabList::IdentityNames, ty);
        if session {
            w.f.per_requester = true;
            w.f.identity.get_or_insert((idx.span(recv.span()), "self".to_string()));
        }
        w.bind(
            "self",
            Val {
                origins: [origin].into(),
                place: Some(PlaceVal {
                    place: Place { root: Root::SelfValue, fields: Vec::new(), clones: Vec::new(), text: "self".into() },
                    iter: false,
                    filtered: false,
                }),
                ..Val::default()
            },
        );
    }
    for input in &sig.inputs {
        let syn::FnArg::Typed(pt) = input else { continue };
        w.param(pt);
    }
    if w.f.identity.is_some() {
        w.f.per_requester = true;
    }
    w.fn_body(block);
    if w.f.identity.is_some() {
        w.f.per_requester = true;
    }
    w.f
}

struct Walker<'a> {
    vocab: &'a Vocabulary,
    idx: &'a LineIndex<'a>,
    f: FnFacts,
    env: Vec<HashMap<String, Val>>,
    scopes: Vec<u32>,
    next_scope: u32,
    seq: u32,
    /// Inside the fallback of a lookup that missed: the lookup's origins.
    fallback: Option<Vec<OriginId>>,
    /// The value a closure's parameters stand for (the receiver of `map`, `find`...).
    closure_param: Option<Val>,
    /// Keyed lookups of the same place by the same key are the same item.
    keyed: HashMap<String, OriginId>,
    returns_value: bool,
    depth: u32,
}

impl Walker<'_> {
    // ---- bookkeeping -------------------------------------------------------------

    fn span(&self, s: proc_macro2::Span) -> Span {
        self.idx.span(s)
    }

    fn point(&mut self) -> Point {
        self.seq += 1;
        Point { seq: self.seq, scopes: self.scopes.clone() }
    }

    fn origin(&mut self, kind: OriginKind, span: Span) -> OriginId {
        let at = self.point();
        self.f.origins.push(Origin { kind, span, at, fallback_of: self.fallback.clone() });
        self.f.origins.len() - 1
    }

    fn bind(&mut self, name: &str, val: Val) {
        if let Some(frame) = self.env.last_mut() {
            frame.insert(name.to_string(), val);
        }
    }

    fn lookup(&self, name: &str) -> Option<&Val> {
        self.env.iter().rev().find_map(|f| f.get(name))
    }

    fn enter_scope(&mut self) -> u32 {
        let id = self.next_scope;
        self.next_scope += 1;
        self.scopes.push(id);
        self.env.push(HashMap::new());
        id
    }

    fn leave_scope(&mut self) {
        self.scopes.pop();
        self.env.pop();
    }

    fn current_scope(&self) -> u32 {
        *self.scopes.last().unwrap_or(&0)
    }

    /// Records that `val`'s checks guard what follows in `scope`, at `node`'s span.
    /// Takes the node, not its span: `Spanned::span()` prints the node back to tokens,
    /// which is wasted on the many values that check nothing.
    fn guard(&mut self, scope: u32, val: &Val, node: &impl Spanned) {
        if !val.is_check() {
            return;
        }
        self.seq += 1;
        let span = self.span(node.span());
        self.f.guards.push(Guard {
            scope,
            seq: self.seq,
            origins: val.checks.iter().copied().collect(),
            calls: val.check_calls.iter().copied().collect(),
            span,
        });
    }

    /// The span of a call to a path, `c.span()`, from its first and last tokens when
    /// the call starts with the path (no attributes, no `<T as Trait>::`): the same
    /// positions without printing the call and its arguments back to tokens.
    fn call_span(&self, c: &syn::ExprCall, p: &syn::ExprPath) -> Span {
        let first = match (&p.path.leading_colon, p.path.segments.first()) {
            (Some(colons), _) => Some(colons.spans[0]),
            (None, Some(seg)) => Some(seg.ident.span()),
            (None, None) => None,
        };
        match first {
            Some(first) if c.attrs.is_empty() && p.attrs.is_empty() && p.qself.is_none() => {
                LineIndex::join(self.span(first), self.span(c.paren_token.span.close()))
            }
            _ => self.span(c.span()),
        }
    }

    /// The code of a node as written (whitespace runs folded to one space, so a key
    /// split over lines reads and compares as one line), sliced from the source by its
    /// span: labels quote what the user wrote, not a re-printed token stream.
    fn text(&self, node: &impl Spanned) -> String {
        let span = self.span(node.span());
        let written = self.idx.text().get(span.byte_start..span.byte_end).unwrap_or("");
        written.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    // ---- signature ---------------------------------------------------------------

    fn param(&mut self, pt: &syn::PatType) {
        let ty = ty_of(&pt.ty);
        let tname = type_name(&pt.ty).unwrap_or_default();
        let span = self.span(pt.span());
        let index = self.f.params.len();
        let excluded = self.vocab.is(VocabList::IdentityExcludeTypes, &tname);
        let extractor = self.vocab.is(VocabList::HandlerExtractors, &tname);
        let request_ty = self.vocab.ends_with(VocabList::RequestTypeSuffixes, &tname) && !tname.is_empty();
        let mut names = Vec::new();
        collect_pat_idents(&pt.pat, &mut names);
        let pname = names.first().cloned().unwrap_or_else(|| "_".into());
        let by_name = names
            .iter()
            .any(|n| self.vocab.mentions(VocabList::IdentityNames, n) || self.vocab.is(VocabList::RequestNames, n));
        let by_type = self.vocab.mentions(VocabList::IdentityNames, &tname) || request_ty;
        // `State(state)` / `web::Data<..>` are shared state, not the requester.
        let is_identity = !excluded && (by_name || by_type || (extractor && !is_shared_wrapper(&tname)));
        if extractor {
            self.f.per_requester = true;
        }
        if is_identity {
            self.f.identity.get_or_insert((span, pname.clone()));
        }
        self.f.params.push(Param { name: pname, ty, span, is_identity });
        let origin = self.origin(OriginKind::Param(index), span);
        for n in names {
            let text = n.clone();
            self.bind(
                &n,
                Val {
                    origins: [origin].into(),
                    identity: is_identity,
                    place: Some(PlaceVal {
                        place: Place { root: Root::Param(index), fields: Vec::new(), clones: Vec::new(), text },
                        iter: false,
                        filtered: false,
                    }),
                    ..Val::default()
                },
            );
        }
    }

    // ---- bodies ------------------------------------------------------------------

    fn fn_body(&mut self, block: &syn::Block) {
        let tail = self.returns_value;
        self.block_stmts(&block.stmts, tail);
    }

    fn block(&mut self, block: &syn::Block, tail: bool) -> Val {
        self.enter_scope();
        let v = self.block_stmts(&block.stmts, tail);
        self.leave_scope();
        v
    }

    fn block_stmts(&mut self, stmts: &[syn::Stmt], tail: bool) -> Val {
        let mut last = Val::default();
        for (i, stmt) in stmts.iter().enumerate() {
            let is_last = i + 1 == stmts.len();
            last = self.stmt(stmt, tail && is_last);
        }
        last
    }

    fn stmt(&mut self, stmt: &syn::Stmt, tail: bool) -> Val {
        match stmt {
            syn::Stmt::Local(local) => {
                self.local(local);
                Val::default()
            }
            // A block's final expression is its value (closures, `let x = { .. }`); it
            // is the fn's return value only in the body's tail position.
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
            // let-else: the else runs when the lookup missed, and always leaves.
            let saved = self.fallback.clone();
            if !v.origins.is_empty() && !flow::is_failure_pattern(&local.pat) {
                self.fallback = Some(v.origins.iter().copied().collect());
            }
            self.enter_scope();
            self.expr(diverge);
            self.leave_scope();
            self.fallback = saved;
            let scope = self.current_scope();
            self.guard(scope, &v, &local);
            v.checks.clear();
            v.check_calls.clear();
        }
        if let syn::Pat::Type(pt) = &local.pat {
            let ty = ty_of(&pt.ty);
            let span = self.span(pt.span());
            let o = self.origin(OriginKind::Typed(ty), span);
            v.origins.insert(o);
        }
        self.bind_pat(&local.pat, v);
    }

    fn bind_pat(&mut self, pat: &syn::Pat, val: Val) {
        let mut names = Vec::new();
        collect_pat_idents(pat, &mut names);
        // Destructuring hands each binding a part of the value: keep origins and
        // identity, but a binding is no longer the place itself unless it is the whole.
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
        if !val.origins.is_empty() {
            let span = self.span(pat.span());
            let name = names.join(", ");
            self.f.bindings.push(Binding { name, span, origins: val.origins.iter().copied().collect() });
        }
        for n in names {
            let mut v = val.clone();
            if !whole && first_of_tuple.as_deref() != Some(n.as_str()) {
                v.place = None;
            }
            self.bind(&n, v);
        }
    }

    /// An expression in tail position: its value is returned from the fn.
    fn expr_at(&mut self, e: &syn::Expr, tail: bool) -> Val {
        match e {
            syn::Expr::If(i) => self.if_expr(i, tail),
            syn::Expr::Match(m) => self.match_expr(m, tail),
            syn::Expr::Block(b) => self.block(&b.block, tail),
            syn::Expr::Unsafe(b) => self.block(&b.block, tail),
            syn::Expr::Paren(p) => self.expr_at(&p.expr, tail),
            _ => {
                let v = self.expr(e);
                if tail {
                    self.emit_return(e, &v);
                }
                v
            }
        }
    }

    fn emit_return(&mut self, e: &syn::Expr, v: &Val) {
        if v.origins.is_empty() && !v.is_check() {
            return;
        }
        let at = self.point();
        let span = self.span(e.span());
        // An item selected by a requester check (`find(|i| i.owner == user)`) is checked
        // by construction.
        self.f.outputs.push(Output {
            kind: OutputKind::Return,
            span,
            origins: v.origins.difference(&v.checks).copied().collect(),
            at,
            call: None,
        });
        if v.is_check() {
            // A bool fn that returns a check is a check helper.
            self.f.guards.push(Guard {
                scope: u32::MAX,
                seq: self.seq,
                origins: v.checks.iter().copied().collect(),
                calls: v.check_calls.iter().copied().collect(),
                span,
            });
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
                let member = match &f.member {
                    syn::Member::Named(id) => id.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                let identity = base.identity || self.vocab.mentions(VocabList::IdentityNames, &member);
                let place = base.place.map(|mut p| {
                    p.place.fields.push(member.clone());
                    p.place.text = format!("{}.{}", p.place.text, member);
                    p.iter = false;
                    p.filtered = false;
                    p
                });
                let mut origins = base.origins;
                if let Some(p) = &place {
                    // The field may hold a user-bound item by reference (`self.current`).
                    let span = self.span(f.span());
                    let o = self.origin(
                        OriginKind::Access { place: p.place.clone(), method: member.clone(), kind: AccessKind::Ref },
                        span,
                    );
                    origins.insert(o);
                }
                Val { origins, identity, touches_identity: base.touches_identity, place, ..Val::default() }
            }
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Binary(b) => self.binary(b),
            Expr::Unary(u) => {
                let mut v = self.expr(&u.expr);
                match u.op {
                    syn::UnOp::Not(_) => {
                        v.negated = !v.negated;
                        v.place = None;
                    }
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
                // `check(..)?` and `lookup.filter(check).ok_or(e)?` leave on failure.
                let scope = self.current_scope();
                self.guard(scope, &v, &t);
                v.checks.clear();
                v.check_calls.clear();
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
                let c = self.expr(&w.cond);
                let scope = self.current_scope();
                if !c.negated {
                    self.guard(scope, &c, &w.cond);
                }
                self.block(&w.body, false);
                self.leave_scope();
                Val::default()
            }
            Expr::ForLoop(fl) => {
                let it = self.expr(&fl.expr);
                self.enter_scope();
                let mut item = Val::plain(it.origins.clone());
                if let Some(p) = it.place {
                    let span = self.span(fl.expr.span());
                    let o = self.origin(
                        OriginKind::Access { place: p.place, method: "iter".into(), kind: AccessKind::Iter },
                        span,
                    );
                    item.origins.insert(o);
                }
                self.bind_pat(&fl.pat, item);
                self.block(&fl.body, false);
                self.leave_scope();
                Val::default()
            }
            Expr::Let(l) => {
                // Only reached inside conditions (`if let`, `while let`, let-chains):
                // bindings go to the enclosing condition scope.
                let v = self.expr(&l.expr);
                self.bind_pat(&l.pat, v.clone());
                let mut c = Val { checks: v.checks, check_calls: v.check_calls, ..Val::default() };
                c.negated = flow::is_failure_pattern(&l.pat);
                c
            }
            Expr::Closure(c) => self.closure(c),
            Expr::Return(r) => {
                if let Some(inner) = &r.expr {
                    let v = self.expr(inner);
                    if self.returns_value {
                        self.emit_return(inner, &v);
                    }
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
                return v.clone();
            }
        }
        // A SCREAMING_CASE path is a static or global (`QUEUE`, `crate::PENDING`).
        let last = p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if last.len() > 1 && last.chars().all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit()) {
            return Val {
                place: Some(PlaceVal {
                    place: Place {
                        root: Root::Static(last.clone()),
                        fields: Vec::new(),
                        clones: Vec::new(),
                        text: last,
                    },
                    iter: false,
                    filtered: false,
                }),
                ..Val::default()
            };
        }
        Val::default()
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Val {
        use syn::BinOp::*;
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        match b.op {
            Eq(_) | Ne(_) => {
                let mut checks = BTreeSet::new();
                // One side is (part of) the item, the other identifies the requester.
                if r.identity {
                    checks.extend(l.origins.difference(&r.origins).copied());
                }
                if l.identity {
                    checks.extend(r.origins.difference(&l.origins).copied());
                }
                let mut v = Val { checks, touches_identity: l.touches() || r.touches(), ..Val::default() };
                v.negated = matches!(b.op, Ne(_));
                v
            }
            And(_) | Or(_) => {
                let negated = l.negated && r.negated;
                let touches_identity = l.touches() || r.touches();
                let mut v = Val { checks: l.checks, check_calls: l.check_calls, touches_identity, ..Val::default() };
                v.checks.extend(r.checks);
                v.check_calls.extend(r.check_calls);
                v.negated = negated;
                v
            }
            Lt(_) | Le(_) | Gt(_) | Ge(_) => Val::default(),
            _ => Val::plain(l.origins.union(&r.origins).copied().collect()),
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
                if self.lookup(&name).is_some() {
                    for frame in self.env.iter_mut().rev() {
                        if let Some(slot) = frame.get_mut(&name) {
                            *slot = rhs;
                            break;
                        }
                    }
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
        let Some(p) = base.place else {
            return Val::plain(base.origins.union(&key.origins).copied().collect());
        };
        let span = self.span(i.span());
        let o = if is_zero(&i.index) {
            self.origin(
                OriginKind::Access { place: p.place.clone(), method: "[0]".into(), kind: AccessKind::PositionalWeak },
                span,
            )
        } else {
            self.keyed_origin(p.place.clone(), "[]", &i.index, span)
        };
        // `self.slots[i].locked = false` writes into the shared item in place.
        let mut place = p;
        place.place.text = format!("{}[{}]", place.place.text, self.text(&i.index));
        Val { origins: [o].into(), place: Some(place), ..Val::default() }
    }

    fn keyed_origin(&mut self, place: Place, method: &str, key: &syn::Expr, span: Span) -> OriginId {
        let key_text = format!("{}|{}", place.text, self.text(key));
        if let Some(&o) = self.keyed.get(&key_text) {
            return o;
        }
        let o = self.origin(OriginKind::Access { place, method: method.into(), kind: AccessKind::Keyed }, span);
        self.keyed.insert(key_text, o);
        o
    }

    fn closure(&mut self, c: &syn::ExprClosure) -> Val {
        let param_val = self.closure_param.take().unwrap_or_default();
        self.enter_scope();
        for input in &c.inputs {
            let mut v = Val::plain(param_val.origins.clone());
            let mut names = Vec::new();
            collect_pat_idents(input, &mut names);
            if let syn::Pat::Type(pt) = input {
                let ty = ty_of(&pt.ty);
                let tname = type_name(&pt.ty).unwrap_or_default();
                let span = self.span(pt.span());
                let o = self.origin(OriginKind::Typed(ty), span);
                v.origins.insert(o);
                if self.vocab.mentions(VocabList::IdentityNames, &tname)
                    && !self.vocab.is(VocabList::IdentityExcludeTypes, &tname)
                {
                    v.identity = true;
                }
            }
            if names.iter().any(|n| self.vocab.mentions(VocabList::IdentityNames, n)) {
                v.identity = true;
            }
            // A closure that is an iteration step (`members.all(|member| ..)`) is handed
            // each element in turn: its parameter names an element, not the requester.
            if v.identity && param_val.origins.is_empty() {
                let span = self.span(input.span());
                self.f.identity.get_or_insert((span, names.first().cloned().unwrap_or_default()));
            }
            self.bind_pat(input, v);
        }
        let saved_returns = self.returns_value;
        self.returns_value = false;
        let v = self.expr(&c.body);
        self.returns_value = saved_returns;
        self.leave_scope();
        v
    }

    // ---- calls -------------------------------------------------------------------

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> Val {
        let name = m.method.to_string();
        let recv = self.expr(&m.receiver);
        // From the method name to the closing parenthesis, the last token of the call
        // (what `m.span()` ends with, without printing the receiver chain).
        let call_span = LineIndex::join(self.span(m.method.span()), self.span(m.paren_token.span.close()));
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
            let mut v = recv;
            if matches!(n, "clone" | "cloned" | "to_owned") {
                if let Some(p) = &mut v.place {
                    p.place.clones.push(p.place.fields.len());
                }
            }
            return v;
        }
        // `condvar.wait_timeout(guard, d)` hands the same guard back.
        if matches!(n, "wait" | "wait_timeout" | "wait_while" | "wait_timeout_while") && !m.args.is_empty() {
            let args = self.args(&m.args);
            return Val { place: args[0].place.clone(), origins: args[0].origins.clone(), ..Val::default() };
        }
        if matches!(n, "unwrap" | "expect" | "unwrap_unchecked") {
            self.args(&m.args);
            let scope = self.current_scope();
            // A panic on a failed check leaves the path.
            self.guard(scope, &recv, &m);
            return Val { checks: BTreeSet::new(), check_calls: BTreeSet::new(), ..recv };
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
            let Some(p) = recv.place.clone() else { return recv };
            let o = self.origin(
                OriginKind::Access { place: p.place.clone(), method: name.clone(), kind: AccessKind::Keyed },
                call_span,
            );
            let item = Val::plain([o].into());
            let pred = self.with_closure_param(item, &m.args);
            let mut checks = pred.checks;
            // A predicate computed from the requester selects the requester's item.
            if pred.touches_identity {
                checks.insert(o);
            }
            let mut v = Val { origins: [o].into(), checks, check_calls: pred.check_calls, ..Val::default() };
            if n == "filter" || n == "skip_while" || n == "take_while" {
                v.place = Some(PlaceVal { place: p.place, iter: true, filtered: true });
            }
            return v;
        }
        // Positional takes.
        let zero_arg = m.args.len() == 1 && is_zero(&m.args[0]);
        let positional = if n == "next" && m.args.is_empty() {
            recv.place
                .as_ref()
                .map(|p| if p.filtered { None } else { Some(AccessKind::PositionalWeak) })
                .unwrap_or(None)
        } else if self.vocab.is(VocabList::StrongPositionalTakes, n) {
            Some(AccessKind::PositionalStrong)
        } else if (matches!(n, "remove" | "swap_remove" | "get" | "get_mut") && zero_arg)
            || (self.vocab.is(VocabList::PositionalTakes, n) && recv.place.as_ref().is_some_and(|p| !p.iter))
        {
            Some(AccessKind::PositionalWeak)
        } else {
            None
        };
        if let (Some(kind), Some(p)) = (positional, &recv.place) {
            if n == "next" && p.filtered {
                return recv;
            }
            let place = p.place.clone();
            self.args(&m.args);
            let o = self.origin(OriginKind::Access { place, method: name.clone(), kind }, call_span);
            return Val::plain([o].into());
        }
        if n == "next" {
            if let Some(p) = &recv.place {
                if p.filtered {
                    return Val { place: None, ..recv };
                }
            }
        }
        // Keyed lookups.
        if self.vocab.is(VocabList::KeyedLookups, n) && !m.args.is_empty() {
            if let Some(p) = recv.place.clone() {
                if !p.iter {
                    let args = self.args(&m.args);
                    let o = self.keyed_origin(p.place, n, &m.args[0], call_span);
                    // Looked up by the requester's identity: the requester's own record.
                    let by_identity = args.first().is_some_and(Val::touches);
                    return Val { origins: [o].into(), touches_identity: by_identity, ..Val::default() };
                }
            }
        }
        // On `self` a no-argument `take` is the crate's own method (self is no
        // `Option`), resolved like any other call.
        let on_self = matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if n == "take" && m.args.is_empty() && !on_self {
            return recv;
        }
        // Pushing an item back onto a shared queue.
        if self.vocab.is(VocabList::RequeueCalls, n) && recv.place.is_some() && !m.args.is_empty() {
            let args = self.args(&m.args);
            let item = args.last().cloned().unwrap_or_default();
            // `tx.send(item)` is also an output.
            if self.vocab.starts_with(VocabList::OutputCalls, n) {
                let origins: Vec<OriginId> = item.origins.iter().copied().collect();
                self.output_call(name.clone(), call_span, origins, None);
            }
            return Val::default();
        }
        if self.vocab.starts_with(VocabList::ReleaseCalls, n) {
            self.args(&m.args);
            return Val::default();
        }
        if matches!(n, "is_err" | "is_none") {
            let mut v = recv;
            v.negated = !v.negated;
            v.place = None;
            v.origins.clear();
            return v;
        }
        if matches!(n, "is_ok" | "is_some") {
            return Val { checks: recv.checks, check_calls: recv.check_calls, ..Val::default() };
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
        if FALLBACK.contains(&n) && !recv.origins.is_empty() {
            let saved = self.fallback.replace(recv.origins.iter().copied().collect());
            let args = self.args(&m.args);
            self.fallback = saved;
            let mut v = recv;
            v.place = None;
            for a in args {
                v.origins.extend(a.origins);
            }
            return v;
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
            let r = self.with_closure_param(Val::plain(recv.origins.clone()), &m.args);
            let touches_identity = recv.touches() || r.touches();
            let mut v =
                Val { origins: recv.origins.clone(), identity: recv.identity, touches_identity, ..Val::default() };
            v.origins.extend(r.origins);
            v.checks = recv.checks.union(&r.checks).copied().collect();
            v.check_calls = recv.check_calls.union(&r.check_calls).copied().collect();
            if matches!(n, "any" | "all" | "is_some_and" | "is_ok_and") {
                v.origins.clear();
            }
            return v;
        }

        // Everything else: maybe an output, a check, or a crate fn.
        let args = self.args(&m.args);
        self.finish_call(Callee::Method { name: name.clone(), on_self }, call_span, Some(recv), args)
    }

    fn with_closure_param(&mut self, param: Val, args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) -> Val {
        let mut out = Val::default();
        for a in args {
            if matches!(a, syn::Expr::Closure(_)) {
                self.closure_param = Some(param.clone());
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
        let segs: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let last = segs.last().cloned().unwrap_or_default();
        // `Arc::clone(&x)` is `x`.
        if last == "clone" && segs.len() == 2 && c.args.len() == 1 {
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
        let call_span = self.call_span(c, p);
        self.finish_call(Callee::Path(segs), call_span, None, args)
    }

    fn output_call(&mut self, name: String, span: Span, origins: Vec<OriginId>, call: Option<CallId>) {
        if origins.is_empty() {
            return;
        }
        let at = self.point();
        self.f.outputs.push(Output { kind: OutputKind::Call(name), span, origins, at, call });
    }

    fn finish_call(&mut self, callee: Callee, call_span: Span, recv: Option<Val>, args: Vec<Val>) -> Val {
        let name = callee.name().to_string();
        let id = self.f.calls.len();
        let result = self.origin(OriginKind::Call(id), call_span);
        let recv_origins: Vec<OriginId> =
            recv.as_ref().map(|r| r.origins.iter().copied().collect()).unwrap_or_default();
        let at = Point { seq: self.seq, scopes: self.scopes.clone() };
        let receiver_place = recv.as_ref().and_then(|r| r.place.as_ref()).map(|p| p.place.clone());
        self.f.calls.push(Call {
            callee,
            receiver_place,
            span: call_span,
            receiver: recv_origins.clone(),
            args: args.iter().map(|a| a.origins.iter().copied().collect()).collect(),
            args_identity: args.iter().map(|a| a.identity).collect(),
            at,
            result,
        });
        let mut all: BTreeSet<OriginId> = recv_origins.iter().copied().collect();
        for a in &args {
            all.extend(a.origins.iter().copied());
        }
        if self.vocab.starts_with(VocabList::OutputCalls, &name) {
            let checked: BTreeSet<OriginId> =
                args.iter().chain(recv.iter()).flat_map(|a| a.checks.iter().copied()).collect();
            self.output_call(name.clone(), call_span, all.difference(&checked).copied().collect(), Some(id));
        }
        let touches = args.iter().any(Val::touches) || recv.as_ref().is_some_and(Val::touches);
        let mut v = Val { origins: all.clone(), touches_identity: touches, ..Val::default() };
        v.origins.insert(result);
        v.check_calls.insert(id);
        if self.vocab.starts_with(VocabList::CheckCalls, &name) {
            let identity = args.iter().any(|a| a.identity) || recv.as_ref().is_some_and(|r| r.identity);
            if identity {
                let mut checked = BTreeSet::new();
                for a in args.iter().chain(recv.iter()) {
                    if !a.identity {
                        checked.extend(a.origins.iter().copied());
                    }
                }
                v.checks = checked;
            }
        }
        // `req.user_id()` identifies the requester like the field would.
        if self.vocab.mentions(VocabList::IdentityNames, &name) && recv.as_ref().is_some_and(|r| r.identity) {
            v.identity = true;
        }
        v
    }

    // ---- branches ----------------------------------------------------------------

    fn if_expr(&mut self, i: &syn::ExprIf, tail: bool) -> Val {
        // The condition's bindings (`if let Some(x) = ..`) live in the then-branch.
        self.enter_scope();
        let mut fallback = None;
        let c = if let syn::Expr::Let(l) = &*i.cond {
            let v = self.expr(&l.expr);
            self.bind_pat(&l.pat, Val { checks: BTreeSet::new(), check_calls: BTreeSet::new(), ..v.clone() });
            if flow::is_success_pattern(&l.pat) && !v.origins.is_empty() {
                fallback = Some(v.origins.iter().copied().collect::<Vec<_>>());
            }
            Val {
                checks: v.checks,
                check_calls: v.check_calls,
                negated: flow::is_failure_pattern(&l.pat),
                ..Val::default()
            }
        } else {
            self.expr(&i.cond)
        };
        let then_scope = self.enter_scope();
        if !c.negated {
            self.guard(then_scope, &c, &i.cond);
        }
        let mut v = self.block_stmts(&i.then_branch.stmts, tail);
        self.leave_scope();
        self.leave_scope();
        let then_leaves = flow::block_leaves(&i.then_branch)
            || (i.else_branch.is_some()
                && matches!(i.then_branch.stmts.last(), Some(syn::Stmt::Expr(e, None)) if flow::is_failure_value(e)));
        if let Some((_, els)) = &i.else_branch {
            let saved_f = self.fallback.clone();
            if fallback.is_some() {
                self.fallback = fallback;
            }
            let else_scope = self.enter_scope();
            if c.negated {
                self.guard(else_scope, &c, &i.cond);
            }
            let ev = self.expr_at(els, tail);
            self.leave_scope();
            self.fallback = saved_f;
            v = v.union(ev);
            // Reaching what follows means the passing branch ran.
            if (c.negated && then_leaves) || (!c.negated && flow::branch_fails(els)) {
                let scope = self.current_scope();
                self.guard(scope, &c, &i.cond);
            }
        } else if c.negated && then_leaves {
            let scope = self.current_scope();
            self.guard(scope, &c, &i.cond);
        }
        v.place = None;
        v.checks.clear();
        v.check_calls.clear();
        v
    }

    fn match_expr(&mut self, m: &syn::ExprMatch, tail: bool) -> Val {
        let scrut = self.expr(&m.expr);
        let has_success_arm = m.arms.iter().any(|a| flow::is_success_pattern(&a.pat));
        let mut v = Val::default();
        let mut some_arm_leaves = false;
        for arm in &m.arms {
            let failure =
                flow::is_failure_pattern(&arm.pat) || (has_success_arm && matches!(arm.pat, syn::Pat::Wild(_)));
            let saved_f = self.fallback.clone();
            if failure && !scrut.origins.is_empty() {
                self.fallback = Some(scrut.origins.iter().copied().collect());
            }
            let arm_scope = self.enter_scope();
            if flow::is_success_pattern(&arm.pat) || matches!(&arm.pat, syn::Pat::Lit(_)) {
                self.guard(arm_scope, &scrut, &arm.pat);
            }
            self.bind_pat(
                &arm.pat,
                Val { checks: BTreeSet::new(), check_calls: BTreeSet::new(), negated: false, ..scrut.clone() },
            );
            if let Some((_, g)) = &arm.guard {
                let gv = self.expr(g);
                if !gv.negated {
                    self.guard(arm_scope, &gv, &g);
                }
            }
            let av = self.expr_at(&arm.body, tail);
            self.leave_scope();
            self.fallback = saved_f;
            if flow::branch_fails(&arm.body) {
                some_arm_leaves = true;
            }
            v = v.union(av);
        }
        if some_arm_leaves {
            let scope = self.current_scope();
            self.guard(scope, &scrut, &m.expr);
        }
        v.place = None;
        v.checks.clear();
        v.check_calls.clear();
        v
    }

    // ---- macros ------------------------------------------------------------------

    fn mac(&mut self, mac: &syn::Macro) -> Val {
        let name = flow::macro_name(mac);
        match name.as_str() {
            "assert" | "ensure" => {
                if let Some(args) = flow::macro_exprs(mac) {
                    if let Some(first) = args.first() {
                        let c = self.expr(first);
                        if !c.negated {
                            let scope = self.current_scope();
                            self.guard(scope, &c, &mac);
                        }
                    }
                    self.exprs(args.iter().skip(1));
                }
                Val::default()
            }
            "assert_eq" | "assert_ne" => {
                if let Some(args) = flow::macro_exprs(mac) {
                    if args.len() >= 2 {
                        let l = self.expr(&args[0]);
                        let r = self.expr(&args[1]);
                        let mut checks = BTreeSet::new();
                        if r.identity {
                            checks.extend(l.origins.difference(&r.origins).copied());
                        }
                        if l.identity {
                            checks.extend(r.origins.difference(&l.origins).copied());
                        }
                        if name == "assert_eq" {
                            let scope = self.current_scope();
                            self.guard(scope, &Val { checks, ..Val::default() }, &mac);
                        }
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
                self.bind_pat(&pat, v.clone());
                let mut out = Val::default();
                if let Some(g) = guard {
                    let gv = self.expr(&g);
                    out.checks = gv.checks;
                    out.check_calls = gv.check_calls;
                }
                self.leave_scope();
                out
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
