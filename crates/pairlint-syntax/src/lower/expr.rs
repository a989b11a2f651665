//! Expressions, blocks, statements and control flow.
//!
//! `expr_into` lowers an expression into a destination; `operand` and `place` are the
//! two views callers need (a value to read, a location to project from), and only make
//! a temporary when the expression is not already one. `cond` lowers a condition
//! straight into branches, so `a && b`, `a || b` and let chains short-circuit.

use super::{is_capitalized, is_screaming, path_segments, Dest, LoopCx, Lowerer};
use crate::extract::ty_of;
use pairlint_base::finding::Span;
use pairlint_base::ir::*;
use pairlint_base::model::Ty;
use pairlint_base::source::LineIndex;
use syn::spanned::Spanned;
use syn::Expr;

/// What a path expression names.
enum PathValue {
    Place(Place),
    Const(Const),
    /// A single lowercase name not in scope (a fn item, or a name from a macro).
    Unknown,
}

/// Methods whose result is an Option, for choosing `?`'s variants when the body's
/// return type is not written (closures, async blocks).
const OPTION_METHODS: &[&str] = &[
    "ok",
    "get",
    "get_mut",
    "first",
    "last",
    "pop",
    "pop_front",
    "pop_back",
    "next",
    "find",
    "position",
    "parent",
    "strip_prefix",
    "strip_suffix",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "front",
    "back",
];

impl Lowerer<'_> {
    // ---- blocks and statements ----

    /// The value of a block, lowered in a scope of its own.
    pub(super) fn block_operand(&mut self, block: &syn::Block) -> Operand {
        self.push_scope();
        let (body, tail) = split_tail(&block.stmts);
        for stmt in body {
            self.stmt(stmt);
        }
        let value = match tail {
            Some(Tail::Expr(e)) => self.operand(e),
            Some(Tail::Macro(m)) => {
                let t = self.temp(self.sp(m.delimiter.span().close()));
                self.macro_into(m, &Dest::Place(Place::local(t)));
                Operand::Place(Place::local(t))
            }
            None => Operand::Const(Const::Unit),
        };
        self.pop_scope();
        value
    }

    /// Lowers a block with its tail's value going to `dest`.
    pub(super) fn block_into(&mut self, block: &syn::Block, dest: &Dest) {
        self.push_scope();
        let (body, tail) = split_tail(&block.stmts);
        for stmt in body {
            self.stmt(stmt);
        }
        match tail {
            Some(Tail::Expr(e)) => self.expr_into(e, dest),
            Some(Tail::Macro(m)) => self.macro_into(m, dest),
            None => self.assign_unit(dest, self.sp(block.brace_token.span.close())),
        }
        self.pop_scope();
    }

    fn assign_unit(&mut self, dest: &Dest, span: Span) {
        if let Dest::Place(place) = dest {
            self.push_stmt(place.clone(), Rvalue::Use(Operand::Const(Const::Unit)), span);
        }
    }

    pub(super) fn stmt(&mut self, stmt: &syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.let_stmt(local),
            syn::Stmt::Item(item) => self.nested_item(item),
            syn::Stmt::Expr(e, _) => self.expr_into(e, &Dest::Ignore),
            syn::Stmt::Macro(m) => self.macro_into(&m.mac, &Dest::Ignore),
        }
    }

    fn let_stmt(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, ty_of(&pt.ty)),
            pat => (pat, Ty::Unknown),
        };
        let Some(init) = &local.init else {
            self.declare_names(pat, ty);
            return;
        };
        if let (syn::Pat::Ident(pi), None) = (pat, &init.diverge) {
            if pi.subpat.is_none() && pi.by_ref.is_none() && !is_capitalized(&pi.ident.to_string()) {
                // The new local enters scope after its initializer: `let x = x.clone()`
                // reads the old `x`.
                let name = pi.ident.to_string();
                let id = self.new_local(Some(name.clone()), ty, self.sp(pi.ident.span()));
                self.expr_into(&init.expr, &Dest::Place(Place::local(id)));
                self.declare(name, id);
                return;
            }
        }
        let place = self.place(&init.expr);
        let mut names = Vec::new();
        match &init.diverge {
            Some((else_token, else_expr)) => {
                let else_bb = self.new_block();
                self.bind(pat, place, Some(else_bb), &mut names);
                let matched = self.current();
                // The else branch must leave (the compiler checks it is `!`); its end is
                // a stop, so nothing flows from it into the code after the `let`.
                self.switch_to(else_bb);
                self.expr_into(else_expr, &Dest::Ignore);
                self.terminate(Terminator::Diverge, self.sp(else_token.span));
                self.switch_to(matched);
            }
            None => self.bind(pat, place, None, &mut names),
        }
        // The written type is the whole value's: a binding has it only when it is the
        // whole value (`let x: T = .. else {..}`), not a part or a reference to it.
        if let (syn::Pat::Ident(syn::PatIdent { by_ref: None, subpat: None, .. }), [(_, id)]) = (pat, names.as_slice())
        {
            if let Some(local) = self.frame().locals.get_mut(id.index()) {
                local.ty = ty;
            }
        }
        self.declare_all(names);
    }

    /// `let x: T;` and other uninitialized lets: the names exist, unassigned.
    fn declare_names(&mut self, pat: &syn::Pat, ty: Ty) {
        let mut names = Vec::new();
        collect_idents(pat, &mut names);
        let single = names.len() == 1;
        for ident in names {
            let id = self.new_local(
                Some(ident.to_string()),
                if single { ty.clone() } else { Ty::Unknown },
                self.sp(ident.span()),
            );
            self.declare(ident.to_string(), id);
        }
    }

    pub(super) fn declare_all(&mut self, names: Vec<(String, LocalId)>) {
        for (name, id) in names {
            self.declare(name, id);
        }
    }

    // ---- operands and places ----

    /// The expression as an operand: places and constants as they are, anything else
    /// evaluated into a temporary.
    pub(super) fn operand(&mut self, e: &Expr) -> Operand {
        match e {
            Expr::Lit(l) => Operand::Const(lit_const(&l.lit)),
            Expr::Paren(p) => self.operand(&p.expr),
            Expr::Group(g) => self.operand(&g.expr),
            Expr::Tuple(t) if t.elems.is_empty() => Operand::Const(Const::Unit),
            Expr::Path(p) => match self.path_value(p) {
                PathValue::Place(place) => Operand::Place(place),
                PathValue::Const(c) => Operand::Const(c),
                PathValue::Unknown => Operand::Place(self.assign_temp(Rvalue::Opaque(Vec::new()), anchor(e))),
            },
            Expr::Field(_) | Expr::Index(_) | Expr::Try(_) => Operand::Place(self.place(e)),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => Operand::Place(self.place(e)),
            _ => {
                let t = self.temp(self.sp(anchor(e)));
                self.expr_into(e, &Dest::Place(Place::local(t)));
                Operand::Place(Place::local(t))
            }
        }
    }

    /// The expression as a place: place expressions (`self.jobs`, `v[0]`, `*x`, the
    /// value of `?`) as written, anything else evaluated into a temporary.
    pub(super) fn place(&mut self, e: &Expr) -> Place {
        if !self.descend() {
            return self.assign_temp(Rvalue::Opaque(Vec::new()), anchor(e));
        }
        let place = self.place_unguarded(e);
        self.ascend();
        place
    }

    fn place_unguarded(&mut self, e: &Expr) -> Place {
        match e {
            Expr::Paren(p) => self.place(&p.expr),
            Expr::Group(g) => self.place(&g.expr),
            Expr::Path(p) => match self.path_value(p) {
                PathValue::Place(place) => place,
                PathValue::Const(c) => self.assign_temp(Rvalue::Use(Operand::Const(c)), anchor(e)),
                PathValue::Unknown => self.assign_temp(Rvalue::Opaque(Vec::new()), anchor(e)),
            },
            Expr::Field(f) => self.place(&f.base).project(Projection::Field(member_name(&f.member))),
            Expr::Index(i) => {
                let base = self.place(&i.expr);
                let projection = match &*i.index {
                    Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => match n.base10_parse::<u64>() {
                        Ok(n) => Projection::ConstIndex(n),
                        Err(_) => self.index_local(&i.index),
                    },
                    index => self.index_local(index),
                };
                base.project(projection)
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.place(&u.expr).project(Projection::Deref),
            Expr::Try(t) => self.try_place(t),
            _ => {
                let t = self.temp(self.sp(anchor(e)));
                self.expr_into(e, &Dest::Place(Place::local(t)));
                Place::local(t)
            }
        }
    }

    fn index_local(&mut self, index: &Expr) -> Projection {
        let value = self.operand(index);
        if let Operand::Place(Place { base: PlaceBase::Local(id), projections }) = &value {
            if projections.is_empty() {
                return Projection::Index(*id);
            }
        }
        let span = self.sp(anchor(index));
        let t = self.temp(span);
        self.push_stmt(Place::local(t), Rvalue::Use(value), span);
        Projection::Index(t)
    }

    fn assign_temp(&mut self, value: Rvalue, at: proc_macro2::Span) -> Place {
        let span = self.sp(at);
        let t = self.temp(span);
        self.push_stmt(Place::local(t), value, span);
        Place::local(t)
    }

    fn path_value(&mut self, p: &syn::ExprPath) -> PathValue {
        let segments = path_segments(&p.path);
        if p.qself.is_some() {
            return PathValue::Const(Const::Path(segments.join("::")));
        }
        let Some(last) = segments.last() else {
            return PathValue::Unknown;
        };
        if let [name] = segments.as_slice() {
            let span = self.sp(p.path.segments[0].ident.span());
            if let Some(id) = self.resolve(name, span) {
                return PathValue::Place(Place::local(id));
            }
            if is_screaming(name) {
                return PathValue::Place(Place { base: PlaceBase::Static(name.clone()), projections: Vec::new() });
            }
            if is_capitalized(name) {
                return PathValue::Const(Const::Path(name.clone()));
            }
            return PathValue::Unknown;
        }
        if is_screaming(last) {
            return PathValue::Place(Place { base: PlaceBase::Static(segments.join("::")), projections: Vec::new() });
        }
        PathValue::Const(Const::Path(segments.join("::")))
    }

    // ---- expressions ----

    /// Lowers `e` with its value going to `dest`.
    pub(super) fn expr_into(&mut self, e: &Expr, dest: &Dest) {
        if !self.descend() {
            return self.assign(dest, Rvalue::Opaque(Vec::new()), self.sp(anchor(e)));
        }
        self.expr_kind_into(e, dest);
        self.ascend();
    }

    fn expr_kind_into(&mut self, e: &Expr, dest: &Dest) {
        let at = anchor(e);
        let span = self.sp(at);
        match e {
            Expr::Paren(p) => self.expr_into(&p.expr, dest),
            Expr::Group(g) => self.expr_into(&g.expr, dest),
            Expr::Lit(_) | Expr::Path(_) | Expr::Field(_) | Expr::Index(_) | Expr::Try(_) => {
                let value = self.operand(e);
                if let Dest::Place(place) = dest {
                    self.push_stmt(place.clone(), Rvalue::Use(value), span);
                }
            }
            Expr::Unary(u) => {
                let op = match u.op {
                    syn::UnOp::Not(_) => UnOp::Not,
                    syn::UnOp::Neg(_) => UnOp::Neg,
                    _ => {
                        let value = self.operand(e);
                        if let Dest::Place(place) = dest {
                            self.push_stmt(place.clone(), Rvalue::Use(value), span);
                        }
                        return;
                    }
                };
                let value = self.operand(&u.expr);
                self.assign(dest, Rvalue::UnaryOp(op, value), span);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => self.bool_into(e, dest, span),
            Expr::Binary(b) => self.binary_into(b, dest, span),
            Expr::Let(_) => self.bool_into(e, dest, span),
            Expr::Assign(a) => {
                self.assignment(&a.left, &a.right);
                self.assign_unit(dest, span);
            }
            Expr::Call(c) => self.call_into(c, dest, span),
            Expr::MethodCall(m) => self.method_chain_into(m, dest),
            Expr::Macro(m) => self.macro_into(&m.mac, dest),
            Expr::Reference(r) => {
                let place = self.place(&r.expr);
                self.assign(dest, Rvalue::Ref { place, mutable: r.mutability.is_some() }, span);
            }
            Expr::RawAddr(r) => {
                let place = self.place(&r.expr);
                let mutable = matches!(r.mutability, syn::PointerMutability::Mut(_));
                self.assign(dest, Rvalue::Ref { place, mutable }, span);
            }
            Expr::Struct(s) => {
                let mut fields: Vec<(Option<String>, Operand)> =
                    s.fields.iter().map(|f| (Some(member_name(&f.member)), self.operand(&f.expr))).collect();
                if let Some(rest) = &s.rest {
                    fields.push((Some("..".into()), self.operand(rest)));
                }
                let kind = self.aggregate_kind(&s.path);
                self.assign(dest, Rvalue::Aggregate { kind, fields }, span);
            }
            Expr::Tuple(t) if t.elems.is_empty() => self.assign_unit(dest, span),
            Expr::Tuple(t) => {
                let fields = t.elems.iter().map(|e| (None, self.operand(e))).collect();
                self.assign(dest, Rvalue::Aggregate { kind: AggregateKind::Tuple, fields }, span);
            }
            Expr::Array(a) => {
                let fields = a.elems.iter().map(|e| (None, self.operand(e))).collect();
                self.assign(dest, Rvalue::Aggregate { kind: AggregateKind::Array, fields }, span);
            }
            Expr::Repeat(r) => {
                let ops = vec![self.operand(&r.expr), self.operand(&r.len)];
                self.assign(dest, Rvalue::Opaque(ops), span);
            }
            Expr::Cast(c) => {
                let op = self.operand(&c.expr);
                self.assign(dest, Rvalue::Opaque(vec![op]), span);
            }
            Expr::Range(r) => {
                let ops = [&r.start, &r.end].into_iter().flatten().map(|e| self.operand(e)).collect();
                self.assign(dest, Rvalue::Opaque(ops), span);
            }
            Expr::Await(a) => {
                let op = self.operand(&a.base);
                self.assign(dest, Rvalue::Await(op), span);
            }
            Expr::Block(b) => match &b.label {
                Some(label) => self.labelled_block(label, &b.block, dest),
                None => self.block_into(&b.block, dest),
            },
            Expr::Unsafe(u) => self.block_into(&u.block, dest),
            Expr::Const(c) => self.block_into(&c.block, dest),
            Expr::If(i) => self.if_into(i, dest),
            Expr::Match(m) => self.match_into(m, dest),
            Expr::Loop(l) => self.loop_into(l, dest),
            Expr::While(w) => self.while_into(w, dest),
            Expr::ForLoop(f) => self.for_into(f, dest),
            Expr::Break(b) => self.break_expr(b, span),
            Expr::Continue(c) => {
                let label = c.label.as_ref().map(|l| l.ident.to_string());
                match self.loop_target(label.as_deref()).and_then(|cx| cx.continue_to) {
                    Some(target) => self.leave(Terminator::Goto(target), span),
                    None => self.leave(Terminator::Diverge, span),
                }
            }
            Expr::Return(r) => {
                let value = match &r.expr {
                    Some(e) => self.operand(e),
                    None => Operand::Const(Const::Unit),
                };
                self.leave(Terminator::Return(value), span);
            }
            Expr::Closure(c) => self.closure_into(c, dest),
            Expr::Async(a) => self.async_into(a, dest),
            Expr::Yield(y) => {
                let ops = y.expr.iter().map(|e| self.operand(e)).collect();
                self.assign(dest, Rvalue::Opaque(ops), span);
            }
            // Try blocks (unstable), inline asm, `_`, verbatim tokens: not modelled.
            _ => self.assign(dest, Rvalue::Opaque(Vec::new()), span),
        }
    }

    /// A method call and the method calls it is called on (`a.iter().map(f).collect()`),
    /// lowered iterating down the receivers, so a long chain does not deepen the stack.
    fn method_chain_into(&mut self, m: &syn::ExprMethodCall, dest: &Dest) {
        let mut chain = vec![m];
        let mut base = &*m.receiver;
        while let Expr::MethodCall(inner) = base {
            chain.push(inner);
            base = &inner.receiver;
        }
        let mut receiver = match sqlx_query_fn(base) {
            Some((c, segments, row)) => {
                let (call, at) = self.sqlx_query_call(c, segments, row, &mut chain);
                if chain.is_empty() {
                    // The whole chain was a query with its binds.
                    return self.assign(dest, Rvalue::Call(call), at);
                }
                let t = self.temp(at);
                self.push_stmt(Place::local(t), Rvalue::Call(call), at);
                Operand::Place(Place::local(t))
            }
            None => self.operand(base),
        };
        while let Some(call) = chain.pop() {
            let at = self.sp(call.method.span());
            let args = call.args.iter().map(|a| self.operand(a)).collect();
            let span = LineIndex::join(at, self.sp(call.paren_token.span.close()));
            let callee = Callee::Method(call.method.to_string());
            let value = Rvalue::Call(Call { callee, receiver: Some(receiver), args, span });
            if chain.is_empty() {
                return self.assign(dest, value, at);
            }
            let t = self.temp(at);
            self.push_stmt(Place::local(t), value, at);
            receiver = Operand::Place(Place::local(t));
        }
    }

    /// `sqlx::query_as::<_, Job>(SQL).bind(a).bind(b)` as one call, like the macro
    /// `query_as!(Job, SQL, a, b)` (the row type first, as a path; then the SQL text;
    /// then the binds), so the analysis reads every form of a query the same way. The
    /// binds are taken off the front of `chain` (innermost call last).
    fn sqlx_query_call(
        &mut self,
        c: &syn::ExprCall,
        segments: Vec<String>,
        row: Option<String>,
        chain: &mut Vec<&syn::ExprMethodCall>,
    ) -> (Call, Span) {
        let start = self.sp(anchor(&c.func));
        let mut end = self.sp(c.paren_token.span.close());
        let mut args: Vec<Operand> = row.map(|r| Operand::Const(Const::Path(r))).into_iter().collect();
        args.extend(c.args.iter().map(|a| self.operand(a)));
        while let Some(bind) = chain.last().filter(|m| m.method == "bind" && m.args.len() == 1) {
            args.push(self.operand(&bind.args[0]));
            end = self.sp(bind.paren_token.span.close());
            chain.pop();
        }
        let span = LineIndex::join(start, end);
        (Call { callee: Callee::Path(segments), receiver: None, args, span }, start)
    }

    /// Plain binary operators. A left-nested chain (`a + b + c + ..`) is lowered
    /// iterating down its left spine, so a long chain does not deepen the stack.
    fn binary_into(&mut self, b: &syn::ExprBinary, dest: &Dest, span: Span) {
        if is_compound_assign(&b.op) {
            let place = self.place(&b.left);
            let right = self.operand(&b.right);
            self.push_stmt(place.clone(), Rvalue::BinaryOp(BinOp::Other, Operand::Place(place), right), span);
            return self.assign_unit(dest, span);
        }
        let mut spine = vec![b];
        let mut leftmost = &*b.left;
        while let Expr::Binary(inner) = leftmost {
            if is_compound_assign(&inner.op) || matches!(inner.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) {
                break;
            }
            spine.push(inner);
            leftmost = &inner.left;
        }
        let mut acc = self.operand(leftmost);
        while let Some(level) = spine.pop() {
            let right = self.operand(&level.right);
            let value = Rvalue::BinaryOp(bin_op(&level.op), acc, right);
            if spine.is_empty() {
                return self.assign(dest, value, span);
            }
            let at = self.sp(anchor(&level.left));
            let t = self.temp(at);
            self.push_stmt(Place::local(t), value, at);
            acc = Operand::Place(Place::local(t));
        }
    }

    /// A boolean value computed by branches (`let ok = a && b;`): true and false are
    /// assigned on the two edges of the condition.
    fn bool_into(&mut self, e: &Expr, dest: &Dest, span: Span) {
        let (yes, no) = (self.new_block(), self.new_block());
        self.cond(e, yes, no);
        let mut ends = Vec::new();
        for (block, value) in [(yes, true), (no, false)] {
            self.switch_to(block);
            if let Dest::Place(place) = dest {
                self.push_stmt(place.clone(), Rvalue::Use(Operand::Const(Const::Bool(value))), span);
            }
            ends.push((block, span));
        }
        self.join(ends);
    }

    /// `left = right`: the right side goes straight into the left place. A tuple on
    /// the left (destructuring assignment) takes the right side's fields.
    fn assignment(&mut self, left: &Expr, right: &Expr) {
        match left {
            Expr::Infer(_) => self.expr_into(right, &Dest::Ignore),
            Expr::Tuple(t) => {
                let value = self.place(right);
                for (i, elem) in t.elems.iter().enumerate() {
                    let part = value.project(Projection::Field(i.to_string()));
                    if !matches!(elem, Expr::Infer(_)) {
                        let place = self.place(elem);
                        self.push_stmt(place, Rvalue::Use(Operand::Place(part)), self.sp(anchor(elem)));
                    }
                }
            }
            _ => {
                let place = self.place(left);
                self.expr_into(right, &Dest::Place(place));
            }
        }
    }

    fn call_into(&mut self, c: &syn::ExprCall, dest: &Dest, span: Span) {
        // A path call's span starts at its first segment (`helpers::next_image(..)`,
        // `PrintOutcome::Printed(..)`), as labels quote it.
        let start = match &*c.func {
            Expr::Path(p) if p.qself.is_none() => p.path.segments.first().map_or(span, |s| self.sp(s.ident.span())),
            _ => span,
        };
        let call_span = LineIndex::join(start, self.sp(c.paren_token.span.close()));
        let callee = match &*c.func {
            Expr::Path(p) => {
                let segments = path_segments(&p.path);
                let local = match (segments.as_slice(), &p.qself) {
                    ([name], None) => self.resolve(name, span),
                    _ => None,
                };
                match local {
                    Some(id) => Callee::Value(Operand::Place(Place::local(id))),
                    None if p.qself.is_none()
                        && segments.last().is_some_and(|s| is_capitalized(s) && !is_screaming(s)) =>
                    {
                        let kind = self.aggregate_kind(&p.path);
                        let fields = c.args.iter().map(|a| (None, self.operand(a))).collect();
                        // The whole constructor (`Printed(image)`), as a label quotes it.
                        return self.assign(dest, Rvalue::Aggregate { kind, fields }, call_span);
                    }
                    None => Callee::Path(segments),
                }
            }
            func => Callee::Value(self.operand(func)),
        };
        let args = c.args.iter().map(|a| self.operand(a)).collect();
        self.assign(dest, Rvalue::Call(Call { callee, receiver: None, args, span: call_span }), span);
    }

    /// What a constructor path builds: an enum variant (`Some`, `Err`, `Enum::V`,
    /// a variant declared in this file) or a struct (the rest).
    fn aggregate_kind(&self, path: &syn::Path) -> AggregateKind {
        let segments = path_segments(path);
        let is_variant = match segments.as_slice() {
            [.., enum_name, _] => is_capitalized(enum_name),
            [name] => {
                matches!(name.as_str(), "Some" | "None" | "Ok" | "Err")
                    || self.known.variants.contains(name) && !self.known.structs.contains(name)
            }
            [] => false,
        };
        if is_variant {
            AggregateKind::Variant(segments)
        } else {
            AggregateKind::Struct(segments.last().cloned().unwrap_or_default())
        }
    }

    // ---- control flow ----

    /// Lowers a condition into a branch to `then` or `otherwise`: `&&` and `||`
    /// short-circuit, `let` patterns test and bind (their names go to the current
    /// scope, which the caller opened for the branch).
    pub(super) fn cond(&mut self, e: &Expr, then: BlockId, otherwise: BlockId) {
        if !self.descend() {
            let unknown = self.assign_temp(Rvalue::Opaque(Vec::new()), anchor(e));
            let term = Terminator::SwitchBool { cond: Operand::Place(unknown), then, otherwise };
            return self.terminate(term, self.sp(anchor(e)));
        }
        self.cond_unguarded(e, then, otherwise);
        self.ascend();
    }

    fn cond_unguarded(&mut self, e: &Expr, then: BlockId, otherwise: BlockId) {
        match e {
            Expr::Paren(p) => self.cond(&p.expr, then, otherwise),
            Expr::Group(g) => self.cond(&g.expr, then, otherwise),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                // `((a && b) && c)` is `a && b && c`: the left spine of one operator is
                // walked iteratively, each operand getting its own test in order.
                let is_and = matches!(b.op, syn::BinOp::And(_));
                let same = |e: &Expr| match e {
                    Expr::Binary(inner) => match inner.op {
                        syn::BinOp::And(_) => is_and,
                        syn::BinOp::Or(_) => !is_and,
                        _ => false,
                    },
                    _ => false,
                };
                let mut operands = vec![&*b.right];
                let mut leftmost = &*b.left;
                while let Expr::Binary(inner) = leftmost {
                    if !same(leftmost) {
                        break;
                    }
                    operands.push(&inner.right);
                    leftmost = &inner.left;
                }
                operands.push(leftmost);
                while let Some(operand) = operands.pop() {
                    if operands.is_empty() {
                        return self.cond(operand, then, otherwise);
                    }
                    let next = self.new_block();
                    if is_and {
                        self.cond(operand, next, otherwise);
                    } else {
                        self.cond(operand, then, next);
                    }
                    self.switch_to(next);
                }
            }
            Expr::Let(l) => {
                let place = self.place(&l.expr);
                let mut names = Vec::new();
                self.bind(&l.pat, place, Some(otherwise), &mut names);
                self.declare_all(names);
                self.goto(then, self.sp(l.let_token.span));
            }
            _ => {
                let value = self.operand(e);
                let span = self.sp(anchor(e));
                self.terminate(Terminator::SwitchBool { cond: value, then, otherwise }, span);
            }
        }
    }

    /// Ends each of `ends` with a goto to a new block, which becomes current.
    pub(super) fn join(&mut self, ends: Vec<(BlockId, Span)>) {
        let join = self.new_block();
        for (block, span) in ends {
            self.switch_to(block);
            self.goto(join, span);
        }
        self.switch_to(join);
    }

    /// `if`/`else if`/`else`, iterating down the `else if` chain so a long chain does
    /// not deepen the stack.
    fn if_into(&mut self, first: &syn::ExprIf, dest: &Dest) {
        let mut ends = Vec::new();
        let mut current = first;
        loop {
            let (then_bb, else_bb) = (self.new_block(), self.new_block());
            self.push_scope();
            self.cond(&current.cond, then_bb, else_bb);
            self.switch_to(then_bb);
            self.block_into(&current.then_branch, dest);
            ends.push((self.current(), self.sp(current.then_branch.brace_token.span.close())));
            self.pop_scope();
            self.switch_to(else_bb);
            match current.else_branch.as_ref().map(|(_, e)| strip_parens(e)) {
                Some(Expr::If(next)) => current = next,
                Some(other) => {
                    self.expr_into(other, dest);
                    ends.push((self.current(), self.sp(anchor(other))));
                    break;
                }
                None => {
                    let span = self.sp(current.if_token.span);
                    self.assign_unit(dest, span);
                    ends.push((self.current(), span));
                    break;
                }
            }
        }
        self.join(ends);
    }

    fn labelled_block(&mut self, label: &syn::Label, block: &syn::Block, dest: &Dest) {
        let exit = self.new_block();
        self.frame().loops.push(LoopCx {
            label: Some(label.name.ident.to_string()),
            break_to: exit,
            continue_to: None,
            dest: dest.clone(),
        });
        self.block_into(block, dest);
        self.goto(exit, self.sp(block.brace_token.span.close()));
        self.frame().loops.pop();
        self.switch_to(exit);
    }

    fn loop_into(&mut self, l: &syn::ExprLoop, dest: &Dest) {
        let span = self.sp(l.loop_token.span);
        let head = self.new_block();
        self.goto(head, span);
        let exit = self.new_block();
        self.switch_to(head);
        self.in_loop(&l.label, head, exit, dest.clone(), &l.body);
        self.switch_to(exit);
    }

    /// Lowers a loop body with `break`/`continue` targets, ending in a back edge.
    fn in_loop(&mut self, label: &Option<syn::Label>, head: BlockId, exit: BlockId, dest: Dest, body: &syn::Block) {
        self.frame().loops.push(LoopCx {
            label: label.as_ref().map(|l| l.name.ident.to_string()),
            break_to: exit,
            continue_to: Some(head),
            dest,
        });
        self.block_into(body, &Dest::Ignore);
        self.goto(head, self.sp(body.brace_token.span.close()));
        self.frame().loops.pop();
    }

    fn while_into(&mut self, w: &syn::ExprWhile, dest: &Dest) {
        let span = self.sp(w.while_token.span);
        let head = self.new_block();
        self.goto(head, span);
        self.switch_to(head);
        let (body_bb, exit) = (self.new_block(), self.new_block());
        self.push_scope();
        self.cond(&w.cond, body_bb, exit);
        self.switch_to(body_bb);
        self.in_loop(&w.label, head, exit, Dest::Ignore, &w.body);
        self.pop_scope();
        self.switch_to(exit);
        self.assign_unit(dest, span);
    }

    /// `for pat in it { body }` as `iter = IntoIterator::into_iter(it)`, then a loop
    /// on `iter.next()` switching on Some (bind, run the body) and None (exit).
    fn for_into(&mut self, f: &syn::ExprForLoop, dest: &Dest) {
        let span = self.sp(f.for_token.span);
        let iterable = self.operand(&f.expr);
        let iter = self.temp(span);
        let into_iter = Call {
            callee: Callee::Path(vec!["IntoIterator".into(), "into_iter".into()]),
            receiver: None,
            args: vec![iterable],
            span: self.sp(f.in_token.span),
        };
        self.push_stmt(Place::local(iter), Rvalue::Call(into_iter), span);
        let head = self.new_block();
        self.goto(head, span);
        self.switch_to(head);
        let next = self.temp(span);
        let call = Call {
            callee: Callee::Method("next".into()),
            receiver: Some(Operand::Place(Place::local(iter))),
            args: Vec::new(),
            span: self.sp(f.in_token.span),
        };
        self.push_stmt(Place::local(next), Rvalue::Call(call), span);
        let (body_bb, exit) = (self.new_block(), self.new_block());
        self.terminate(
            Terminator::SwitchVariant {
                scrutinee: Place::local(next),
                targets: vec![("Some".into(), body_bb), ("None".into(), exit)],
                otherwise: None,
            },
            span,
        );
        self.switch_to(body_bb);
        self.push_scope();
        let item =
            Place::local(next).project(Projection::Variant("Some".into())).project(Projection::Field("0".into()));
        let mut names = Vec::new();
        self.bind(&f.pat, item, None, &mut names);
        self.declare_all(names);
        self.in_loop(&f.label, head, exit, Dest::Ignore, &f.body);
        self.pop_scope();
        self.switch_to(exit);
        self.assign_unit(dest, span);
    }

    fn loop_target(&mut self, label: Option<&str>) -> Option<&LoopCx> {
        self.frame().loops.iter().rev().find(|cx| match label {
            Some(label) => cx.label.as_deref() == Some(label),
            // An unlabelled `break` or `continue` leaves the innermost loop, never a
            // labelled block.
            None => cx.continue_to.is_some(),
        })
    }

    fn break_expr(&mut self, b: &syn::ExprBreak, span: Span) {
        let label = b.label.as_ref().map(|l| l.ident.to_string());
        let target = self.loop_target(label.as_deref()).map(|cx| (cx.break_to, cx.dest.clone()));
        match (target, &b.expr) {
            (Some((to, dest)), Some(value)) => {
                self.expr_into(value, &dest);
                self.leave(Terminator::Goto(to), span);
            }
            (Some((to, _)), None) => self.leave(Terminator::Goto(to), span),
            (None, value) => {
                if let Some(value) = value {
                    self.expr_into(value, &Dest::Ignore);
                }
                self.leave(Terminator::Diverge, span);
            }
        }
    }

    /// `?`: a switch on the operand's variant; the error edge returns `Err(From::from(e))`
    /// (or `None`), the success edge continues with the payload, which is the place
    /// this returns (`(_3 as Ok).0`).
    fn try_place(&mut self, t: &syn::ExprTry) -> Place {
        let span = self.sp(t.question_token.span);
        let value = self.place(&t.expr);
        let option = self.try_is_option(&t.expr);
        let (ok, err) = if option { ("Some", "None") } else { ("Ok", "Err") };
        let (ok_bb, err_bb) = (self.new_block(), self.new_block());
        self.terminate(
            Terminator::SwitchVariant {
                scrutinee: value.clone(),
                targets: vec![(ok.into(), ok_bb), (err.into(), err_bb)],
                otherwise: None,
            },
            span,
        );
        self.switch_to(err_bb);
        if option {
            self.terminate(Terminator::Return(Operand::Const(Const::Path("None".into()))), span);
        } else {
            let error = value.project(Projection::Variant("Err".into())).project(Projection::Field("0".into()));
            let converted = self.temp(span);
            let from = Call {
                callee: Callee::Path(vec!["From".into(), "from".into()]),
                receiver: None,
                args: vec![Operand::Place(error)],
                span,
            };
            self.push_stmt(Place::local(converted), Rvalue::Call(from), span);
            let returned = self.temp(span);
            let value = Rvalue::Aggregate {
                kind: AggregateKind::Variant(vec!["Err".into()]),
                fields: vec![(None, Operand::Place(Place::local(converted)))],
            };
            self.push_stmt(Place::local(returned), value, span);
            self.terminate(Terminator::Return(Operand::Place(Place::local(returned))), span);
        }
        self.switch_to(ok_bb);
        value.project(Projection::Variant(ok.into())).project(Projection::Field("0".into()))
    }

    /// Whether `?` works on an Option here: the body's written return type decides;
    /// without one (closures, async blocks), the method producing the operand does.
    fn try_is_option(&mut self, operand: &Expr) -> bool {
        match &self.frame().ret {
            Ty::Path { name, .. } if name == "Option" => true,
            Ty::Unknown => match strip_parens(operand) {
                Expr::MethodCall(m) => OPTION_METHODS.contains(&m.method.to_string().as_str()),
                _ => false,
            },
            _ => false,
        }
    }

    // ---- nested bodies ----

    fn closure_into(&mut self, c: &syn::ExprClosure, dest: &Dest) {
        let at = self.sp(c.or1_token.span);
        let span = self.sp(c.span());
        let mut start = self.nested_start(false, span);
        if let syn::ReturnType::Type(_, ty) = &c.output {
            start.ret = ty_of(ty);
        }
        let id = self.push_frame(start);
        let mut pending = Vec::new();
        for input in &c.inputs {
            let (pat, ty) = match input {
                syn::Pat::Type(pt) => (&*pt.pat, ty_of(&pt.ty)),
                pat => (pat, Ty::Unknown),
            };
            if let Some(local) = self.param(pat, ty) {
                pending.push((local, pat));
            }
        }
        self.bind_params(pending);
        let value = self.operand(&c.body);
        self.terminate(Terminator::Return(value), self.sp(anchor(&c.body)));
        self.pop_frame();
        self.assign(dest, Rvalue::Closure(id), at);
    }

    fn async_into(&mut self, a: &syn::ExprAsync, dest: &Dest) {
        let at = self.sp(a.async_token.span);
        let span = LineIndex::join(at, self.sp(a.block.brace_token.span.close()));
        let start = self.nested_start(true, span);
        let id = self.push_frame(start);
        let value = self.block_operand(&a.block);
        self.terminate(Terminator::Return(value), self.sp(a.block.brace_token.span.close()));
        self.pop_frame();
        self.assign(dest, Rvalue::Closure(id), at);
    }

    /// Declares a parameter local: named after a plain binding, or a temporary that
    /// [`Lowerer::bind_params`] destructures once all parameters exist (parameters
    /// are the first locals).
    pub(super) fn param(&mut self, pat: &syn::Pat, ty: Ty) -> Option<LocalId> {
        match pat {
            syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                let name = pi.ident.to_string();
                let id = self.new_local(Some(name.clone()), ty, self.sp(pi.ident.span()));
                self.declare(name, id);
                None
            }
            pat => Some(self.new_local(None, ty, self.sp(super::pattern::pat_anchor(pat)))),
        }
    }

    pub(super) fn bind_params(&mut self, pending: Vec<(LocalId, &syn::Pat)>) {
        let frame = self.frame();
        frame.params = frame.locals.len() as u32;
        for (local, pat) in pending {
            let mut names = Vec::new();
            self.bind(pat, Place::local(local), None, &mut names);
            self.declare_all(names);
        }
    }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitXorAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}

fn bin_op(op: &syn::BinOp) -> BinOp {
    use syn::BinOp as B;
    match op {
        B::Eq(_) => BinOp::Eq,
        B::Ne(_) => BinOp::Ne,
        B::Lt(_) => BinOp::Lt,
        B::Le(_) => BinOp::Le,
        B::Gt(_) => BinOp::Gt,
        B::Ge(_) => BinOp::Ge,
        _ => BinOp::Other,
    }
}

/// The last statement of a block when it is its value.
enum Tail<'a> {
    Expr(&'a Expr),
    Macro(&'a syn::Macro),
}

fn split_tail(stmts: &[syn::Stmt]) -> (&[syn::Stmt], Option<Tail<'_>>) {
    match stmts.split_last() {
        Some((syn::Stmt::Expr(e, None), body)) => (body, Some(Tail::Expr(e))),
        Some((syn::Stmt::Macro(m), body)) if m.semi_token.is_none() => (body, Some(Tail::Macro(&m.mac))),
        _ => (stmts, None),
    }
}

pub(super) fn strip_parens(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            _ => return e,
        }
    }
}

fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(id) => id.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}

pub(super) fn lit_const(lit: &syn::Lit) -> Const {
    match lit {
        syn::Lit::Bool(b) => Const::Bool(b.value),
        syn::Lit::Int(i) => Const::Int(i.base10_digits().to_owned()),
        syn::Lit::Str(s) => Const::Str(s.value()),
        other => Const::Other(quote::ToTokens::to_token_stream(other).to_string()),
    }
}

/// Identifiers a pattern binds (for lets without initializer).
fn collect_idents<'p>(pat: &'p syn::Pat, out: &mut Vec<&'p syn::Ident>) {
    match pat {
        syn::Pat::Ident(pi) => {
            if !is_capitalized(&pi.ident.to_string()) {
                out.push(&pi.ident);
            }
            if let Some((_, sub)) = &pi.subpat {
                collect_idents(sub, out);
            }
        }
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_idents(p, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_idents(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_idents(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| collect_idents(p, out)),
        syn::Pat::Reference(r) => collect_idents(&r.pat, out),
        syn::Pat::Paren(p) => collect_idents(&p.pat, out),
        syn::Pat::Type(t) => collect_idents(&t.pat, out),
        syn::Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                collect_idents(first, out);
            }
        }
        _ => {}
    }
}

/// A token of the expression to place its statements on (cheap: one token, where
/// `Spanned::span` would print the whole expression back to tokens).
pub(super) fn anchor(e: &Expr) -> proc_macro2::Span {
    match e {
        Expr::MethodCall(m) => m.method.span(),
        Expr::Call(c) => anchor(&c.func),
        Expr::Path(p) => p.path.segments.last().map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => id.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        Expr::Lit(l) => l.lit.span(),
        // The operator, not the left operand: anchoring on an operand would walk down
        // a long chain once per level.
        Expr::Binary(b) => b.op.span(),
        Expr::Unary(u) => u.op.span(),
        Expr::If(i) => i.if_token.span,
        Expr::Match(m) => m.match_token.span,
        Expr::Macro(m) => m.mac.path.segments.last().map_or(m.mac.bang_token.span, |s| s.ident.span()),
        Expr::Try(t) => t.question_token.span,
        Expr::Await(a) => a.await_token.span,
        Expr::Return(r) => r.return_token.span,
        Expr::Reference(r) => r.and_token.span,
        Expr::RawAddr(r) => r.and_token.span,
        Expr::Block(b) => b.block.brace_token.span.open(),
        Expr::Unsafe(u) => u.unsafe_token.span,
        Expr::Const(c) => c.const_token.span,
        Expr::Closure(c) => c.or1_token.span,
        Expr::Async(a) => a.async_token.span,
        Expr::Struct(s) => s.path.segments.last().map_or(s.brace_token.span.open(), |s| s.ident.span()),
        Expr::Tuple(t) => t.paren_token.span.open(),
        Expr::Array(a) => a.bracket_token.span.open(),
        Expr::Repeat(r) => r.bracket_token.span.open(),
        Expr::Index(i) => i.bracket_token.span.open(),
        Expr::Paren(p) => p.paren_token.span.open(),
        Expr::Group(g) => anchor(&g.expr),
        Expr::Assign(a) => a.eq_token.span,
        Expr::Break(b) => b.break_token.span,
        Expr::Continue(c) => c.continue_token.span,
        Expr::Loop(l) => l.loop_token.span,
        Expr::While(w) => w.while_token.span,
        Expr::ForLoop(f) => f.for_token.span,
        Expr::Let(l) => l.let_token.span,
        Expr::Cast(c) => c.as_token.span,
        Expr::Yield(y) => y.yield_token.span,
        Expr::Infer(i) => i.underscore_token.span,
        Expr::TryBlock(t) => t.try_token.span,
        other => other.span(),
    }
}

/// A call of sqlx's query functions with the SQL text as a literal (`sqlx::query(..)`,
/// `query_as::<_, Job>(..)`, `sqlx::query_scalar(..)`): the call, its path, and the
/// row type a `query_as` turbofish names.
fn sqlx_query_fn(e: &Expr) -> Option<(&syn::ExprCall, Vec<String>, Option<String>)> {
    let Expr::Call(c) = e else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    if p.qself.is_some() {
        return None;
    }
    let segments = path_segments(&p.path);
    let name = match segments.as_slice() {
        [first, .., last] if first == "sqlx" => last,
        [only] => only,
        _ => return None,
    };
    if !matches!(name.as_str(), "query" | "query_as" | "query_scalar") {
        return None;
    }
    if !matches!(c.args.first(), Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(_), .. }))) {
        return None;
    }
    let row = match (name.as_str(), &p.path.segments.last()?.arguments) {
        ("query_as", syn::PathArguments::AngleBracketed(generics)) => match generics.args.last() {
            Some(syn::GenericArgument::Type(ty)) if !matches!(ty, syn::Type::Infer(_)) => {
                Some(quote::ToTokens::to_token_stream(ty).to_string().split_whitespace().collect())
            }
            _ => None,
        },
        _ => None,
    };
    Some((c, segments, row))
}
