//! Lowering from syn to the per-body IR ([`pairlint_base::ir`]): every fn, method,
//! nested fn, closure and async block of a file becomes a [`Body`], a control-flow
//! graph over locals and places.
//!
//! The builder works like rustc's MIR building, simplified: expressions are lowered
//! into a destination place (so `let job = { ..; job.clone() }` assigns the block's
//! tail straight to `job`), conditions into branches (`&&` and `||` short-circuit),
//! patterns into variant switches plus assignments from the scrutinee's projections.
//! Names are resolved by lexical scope; a closure or async block reads a local of its
//! parent through a local of its own assigned `capture _N` at its entry, so captured
//! values can still be projected (`capture self` then `_1.user`).
//!
//! Choices the listing shows:
//! - `?` switches on `Ok`/`Err` (or `Some`/`None` when the body returns an Option, or,
//!   without a written return type, when the operand comes from an Option-returning
//!   method such as `get` or `pop`); the error edge returns `Err(From::from(e))`.
//! - Variant names are a pattern path's last segment (`Status::Ready` is `Ready`): the
//!   scrutinee's type names the enum.
//! - `for p in it` is `IntoIterator::into_iter(it)` then a loop on `.next()`.
//! - Closures and async blocks are `{closure#N}` / `{async#N}` under their parent.
//! - Paths: a name in scope is its local, SCREAMING_CASE names and paths are statics,
//!   other capitalized paths constants, an unknown lowercase name an opaque value.
//!
//! Not modelled (opaque, with the operands read): casts, ranges, `[x; n]`, try blocks,
//! `yield`, `_` and verbatim expressions, unknown macros (no operands), range patterns,
//! slice-length tests, tuple and slice positions after `..`.
//!
//! The lowering never panics on any input: what it does not model becomes
//! [`Rvalue::Opaque`]. Code after `return`, `break` or a diverging macro goes to a
//! fresh block without predecessors (kept, unreachable). Long `else if`, operator and
//! method chains are iterated; other recursion is bounded by `MAX_DEPTH`.
//!
//! `expr` lowers expressions and control flow, `pattern` patterns and `match`, `macros`
//! the macros the rules care about (formatting, assertions, `select!`, `join!`,
//! `matches!`).

mod expr;
mod macros;
mod pattern;
#[cfg(test)]
mod tests;

use crate::extract::{ty_of, type_name};
use crate::span::SpanOfSyntax;
use pairlint_base::finding::Span;
use pairlint_base::ir::*;
use pairlint_base::model::Ty;
use pairlint_base::source::LineIndex;
use std::collections::HashSet;

/// Lowers every body of a parsed file, in source order of their start.
pub fn lower_file(file: &syn::File, idx: &LineIndex) -> FileIr {
    let mut lowerer = Lowerer { idx, known: KnownNames::of(file), bodies: Vec::new(), frames: Vec::new(), depth: 0 };
    lowerer.items(&file.items, &[]);
    lowerer.finish()
}

/// Parses and lowers a file's text (for tests and tools; the engine parses once).
pub fn lower_text(text: &str) -> Result<FileIr, String> {
    let file = syn::parse_file(text).map_err(|e| format!("could not parse: {e}"))?;
    let idx = LineIndex::new(text);
    let ir = lower_file(&file, &idx);
    drop(file);
    proc_macro2::extra::invalidate_current_thread_spans();
    Ok(ir)
}

/// Checks a body's internal consistency: at least one block, every successor a block
/// of the body, every local named by a place or operand one of its locals, parameters
/// among the locals. (Captures name the parent's locals; [`validate_file`] checks them.)
pub fn validate(body: &Body) -> Result<(), String> {
    let fail = |what: String| Err(format!("{}: {what}", body.qualified));
    if body.blocks.is_empty() {
        return fail("no blocks".into());
    }
    if body.params as usize > body.locals.len() {
        return fail(format!("{} params but {} locals", body.params, body.locals.len()));
    }
    let local_ok = |id: LocalId| id.index() < body.locals.len();
    let place_ok = |place: &Place| {
        place.base_local().is_none_or(local_ok)
            && place.projections.iter().all(|p| match p {
                Projection::Index(id) => local_ok(*id),
                _ => true,
            })
    };
    let operand_ok = |op: &Operand| match op {
        Operand::Place(place) => place_ok(place),
        Operand::Const(_) | Operand::Capture(_) => true,
    };
    for id in body.block_ids() {
        let block = body.block(id);
        for stmt in &block.stmts {
            let ok = place_ok(&stmt.dest)
                && match &stmt.value {
                    Rvalue::Use(op) | Rvalue::UnaryOp(_, op) | Rvalue::Await(op) => operand_ok(op),
                    Rvalue::Ref { place, .. } => place_ok(place),
                    Rvalue::Call(call) => {
                        call.receiver.iter().chain(&call.args).all(operand_ok)
                            && match &call.callee {
                                Callee::Value(op) => operand_ok(op),
                                _ => true,
                            }
                    }
                    Rvalue::Aggregate { fields, .. } => fields.iter().all(|(_, op)| operand_ok(op)),
                    Rvalue::BinaryOp(_, a, b) => operand_ok(a) && operand_ok(b),
                    Rvalue::Closure(_) => true,
                    Rvalue::Opaque(ops) => ops.iter().all(operand_ok),
                };
            if !ok {
                return fail(format!("{id}: local out of range in `{} = {}`", stmt.dest, stmt.value));
            }
        }
        let term_ok = match &block.term {
            Terminator::SwitchBool { cond, .. } => operand_ok(cond),
            Terminator::SwitchVariant { scrutinee, .. } => place_ok(scrutinee),
            Terminator::Return(op) => operand_ok(op),
            Terminator::Goto(_) | Terminator::Diverge => true,
        };
        if !term_ok {
            return fail(format!("{id}: local out of range in `{}`", block.term));
        }
        if let Some(bad) = block.term.successors().into_iter().find(|b| b.index() >= body.blocks.len()) {
            return fail(format!("{id}: successor {bad} out of range"));
        }
    }
    Ok(())
}

/// [`validate`] on every body, plus the links between bodies: closure values and
/// parents name bodies of the file, and captures name locals of the parent.
pub fn validate_file(ir: &FileIr) -> Result<(), String> {
    for body in &ir.bodies {
        validate(body)?;
        let parent = match body.kind {
            BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent } => ir.bodies.get(parent.index()),
            BodyKind::Fn { .. } => None,
        };
        if !matches!(body.kind, BodyKind::Fn { .. }) && parent.is_none() {
            return Err(format!("{}: parent out of range", body.qualified));
        }
        for stmt in body.blocks.iter().flat_map(|b| &b.stmts) {
            match &stmt.value {
                Rvalue::Closure(id) if id.index() >= ir.bodies.len() => {
                    return Err(format!("{}: closure {id} out of range", body.qualified));
                }
                Rvalue::Use(Operand::Capture(id)) if parent.is_none_or(|p| id.index() >= p.locals.len()) => {
                    return Err(format!("{}: capture {id} out of the parent's range", body.qualified));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Type and variant names declared in the file, which tell a struct pattern
/// (`Job { owner, .. }`, destructured in place) from an enum variant (`Small(x)`, a
/// switch) when the path has one segment.
#[derive(Default)]
struct KnownNames {
    structs: HashSet<String>,
    variants: HashSet<String>,
}

impl KnownNames {
    fn of(file: &syn::File) -> Self {
        let mut known = KnownNames::default();
        known.collect(&file.items);
        known
    }

    fn collect(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    self.structs.insert(s.ident.to_string());
                }
                syn::Item::Enum(e) => self.variants.extend(e.variants.iter().map(|v| v.ident.to_string())),
                syn::Item::Mod(syn::ItemMod { content: Some((_, items)), .. }) => self.collect(items),
                _ => {}
            }
        }
    }
}

struct Lowerer<'a> {
    idx: &'a LineIndex<'a>,
    known: KnownNames,
    /// Filled as bodies finish; a body's slot is reserved when it starts, so ids are
    /// handed out before the body's closures are lowered.
    bodies: Vec<Option<Body>>,
    /// The bodies being lowered, innermost last (a closure sits above its parent).
    frames: Vec<Frame>,
    /// How deep the lowering's recursion is (expressions, places, conditions,
    /// patterns), across bodies. Past [`MAX_DEPTH`] the rest is opaque.
    depth: u32,
}

/// Deeper syntax than this is lowered as opaque. The engine's nesting bound refuses
/// most hostile files first, but it does not count every kind of nesting (long
/// operator chains are iterated, other chains are not); this keeps the lowering's own
/// stack bounded whatever the input.
const MAX_DEPTH: u32 = 256;

/// A body under construction.
struct Frame {
    id: BodyId,
    kind: BodyKind,
    qualified: String,
    /// The path items nested in this body are qualified under (a closure's is its fn's).
    item_path: Vec<String>,
    span: Span,
    params: u32,
    ret: Ty,
    locals: Vec<Local>,
    blocks: Vec<BlockData>,
    current: BlockId,
    /// Names in scope, innermost scope last; a later entry shadows an earlier one.
    scopes: Vec<Vec<(String, LocalId)>>,
    loops: Vec<LoopCx>,
    /// Locals of this body that hold a parent's local: (own, parent's, first use).
    captures: Vec<(LocalId, LocalId, Span)>,
    closures: u32,
    async_blocks: u32,
}

struct BlockData {
    stmts: Vec<Stmt>,
    term: Option<(Terminator, Span)>,
}

/// A loop or labelled block `break` and `continue` can leave.
struct LoopCx {
    label: Option<String>,
    break_to: BlockId,
    /// None for a labelled block, which `continue` cannot name.
    continue_to: Option<BlockId>,
    dest: Dest,
}

/// Where an expression's value goes.
#[derive(Clone, Debug)]
enum Dest {
    Place(Place),
    /// Evaluated for its effects (`foo();`, an `if` statement).
    Ignore,
}

/// The start of a new body: everything that is not lowered from its block.
struct BodyStart {
    kind: BodyKind,
    qualified: String,
    item_path: Vec<String>,
    span: Span,
    ret: Ty,
}

impl<'a> Lowerer<'a> {
    fn finish(self) -> FileIr {
        // Bodies are numbered as they are reached; the IR lists them in source order of
        // their start, so renumber (a stable sort keeps a parent before a closure
        // starting at the same token).
        let mut bodies: Vec<Body> = self.bodies.into_iter().flatten().collect();
        let mut order: Vec<usize> = (0..bodies.len()).collect();
        order.sort_by_key(|&i| bodies[i].span.byte_start);
        let mut new_id = vec![BodyId::new(0); bodies.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = BodyId::new(new);
        }
        let remap = |id: &mut BodyId| {
            if let Some(new) = new_id.get(id.index()) {
                *id = *new;
            }
        };
        for body in &mut bodies {
            if let BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent } = &mut body.kind {
                remap(parent);
            }
            for stmt in body.blocks.iter_mut().flat_map(|b| &mut b.stmts) {
                if let Rvalue::Closure(id) = &mut stmt.value {
                    remap(id);
                }
            }
        }
        let mut slots: Vec<Option<Body>> = bodies.into_iter().map(Some).collect();
        FileIr { bodies: order.iter().filter_map(|&i| slots[i].take()).collect() }
    }

    /// Enters one level of recursion, unless that would pass [`MAX_DEPTH`].
    fn descend(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    fn ascend(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn sp(&self, span: proc_macro2::Span) -> Span {
        self.idx.span(span)
    }

    // ---- items ----

    fn items(&mut self, items: &[syn::Item], path: &[String]) {
        for item in items {
            self.item(item, path);
        }
    }

    fn item(&mut self, item: &syn::Item, path: &[String]) {
        match item {
            syn::Item::Fn(f) => {
                let first = item_start(&f.attrs, &f.vis, &f.sig);
                self.fn_item(&f.sig, &f.block, None, path, first);
            }
            syn::Item::Impl(imp) => {
                let owner = type_name(&imp.self_ty);
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        let first = item_start(&f.attrs, &f.vis, &f.sig);
                        self.fn_item(&f.sig, &f.block, owner.as_deref(), path, first);
                    }
                }
            }
            syn::Item::Trait(tr) => {
                let owner = tr.ident.to_string();
                for it in &tr.items {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(block) = &f.default {
                            let first = item_start(&f.attrs, &syn::Visibility::Inherited, &f.sig);
                            self.fn_item(&f.sig, block, Some(&owner), path, first);
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    let mut inner = path.to_vec();
                    inner.push(m.ident.to_string());
                    self.items(items, &inner);
                }
            }
            _ => {}
        }
    }

    fn fn_item(
        &mut self,
        sig: &syn::Signature,
        block: &syn::Block,
        owner: Option<&str>,
        path: &[String],
        first: proc_macro2::Span,
    ) {
        let mut item_path = path.to_vec();
        item_path.extend(owner.map(str::to_owned));
        item_path.push(sig.ident.to_string());
        let ret = match &sig.output {
            syn::ReturnType::Type(_, ty) => ty_of(ty),
            syn::ReturnType::Default => Ty::Unknown,
        };
        let start = BodyStart {
            kind: BodyKind::Fn { self_ty: owner.map(str::to_owned), is_async: sig.asyncness.is_some() },
            qualified: item_path.join("::"),
            item_path,
            span: LineIndex::join(self.sp(first), self.sp(block.brace_token.span.close())),
            ret,
        };
        self.push_frame(start);
        let mut pending = Vec::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => {
                    let ty = match (&r.colon_token, owner) {
                        (Some(_), _) => ty_of(&r.ty),
                        (None, Some(owner)) => {
                            let named = Ty::Path { name: owner.to_owned(), args: Vec::new() };
                            if r.reference.is_some() {
                                Ty::Ref(Box::new(named))
                            } else {
                                named
                            }
                        }
                        (None, None) => Ty::Unknown,
                    };
                    let span = self.sp(r.self_token.span);
                    let id = self.new_local(Some("self".into()), ty, span);
                    self.declare("self".into(), id);
                }
                syn::FnArg::Typed(pt) => {
                    if let Some(local) = self.param(&pt.pat, ty_of(&pt.ty)) {
                        pending.push((local, &*pt.pat));
                    }
                }
            }
        }
        self.bind_params(pending);
        let span = self.sp(block.brace_token.span.close());
        let value = self.block_operand(block);
        self.terminate(Terminator::Return(value), span);
        self.pop_frame();
    }

    /// Items declared inside a body are bodies of their own, qualified under the
    /// enclosing fn (`Server::print::helper`), like the extractor's `FnFacts::qualified`.
    fn nested_item(&mut self, item: &syn::Item) {
        let path = self.frame().item_path.clone();
        // A nested fn sees none of the enclosing locals: its frame is a fn frame, where
        // name resolution stops.
        self.item(item, &path);
    }

    // ---- frames ----

    fn push_frame(&mut self, start: BodyStart) -> BodyId {
        let id = BodyId::new(self.bodies.len());
        self.bodies.push(None);
        self.frames.push(Frame {
            id,
            kind: start.kind,
            qualified: start.qualified,
            item_path: start.item_path,
            span: start.span,
            params: 0,
            ret: start.ret,
            locals: Vec::new(),
            blocks: vec![BlockData { stmts: Vec::new(), term: None }],
            current: BlockId::new(0),
            scopes: vec![Vec::new()],
            loops: Vec::new(),
            captures: Vec::new(),
            closures: 0,
            async_blocks: 0,
        });
        id
    }

    fn pop_frame(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let mut blocks: Vec<BasicBlock> = frame
            .blocks
            .into_iter()
            .map(|b| {
                // Every block the builder opens is terminated; a leftover one could only
                // come from a lowering bug, and a stop is the sound reading of it.
                let (term, term_span) = b.term.unwrap_or((Terminator::Diverge, frame.span));
                BasicBlock { stmts: b.stmts, term, term_span }
            })
            .collect();
        // Captured values are read when the closure is made: assign them at entry.
        let captures = frame.captures.iter().map(|&(own, parent, span)| Stmt {
            dest: Place::local(own),
            value: Rvalue::Use(Operand::Capture(parent)),
            span,
        });
        if let Some(entry) = blocks.first_mut() {
            entry.stmts.splice(0..0, captures);
        }
        let body = Body {
            kind: frame.kind,
            qualified: frame.qualified,
            span: frame.span,
            params: frame.params,
            locals: frame.locals,
            blocks,
            ret: frame.ret,
            test: false,
        };
        if let Some(slot) = self.bodies.get_mut(frame.id.index()) {
            *slot = Some(body);
        }
    }

    fn frame(&mut self) -> &mut Frame {
        // Every lowering call runs inside a frame; the fallback keeps a caller bug from
        // panicking (its output lands in a body nobody reads).
        if self.frames.is_empty() {
            self.push_frame(BodyStart {
                kind: BodyKind::Fn { self_ty: None, is_async: false },
                qualified: String::new(),
                item_path: Vec::new(),
                span: Span::default(),
                ret: Ty::Unknown,
            });
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    // ---- locals and scopes ----

    fn new_local(&mut self, name: Option<String>, ty: Ty, span: Span) -> LocalId {
        let frame = self.frame();
        frame.locals.push(Local { name, ty, span });
        LocalId::new(frame.locals.len() - 1)
    }

    fn temp(&mut self, span: Span) -> LocalId {
        self.new_local(None, Ty::Unknown, span)
    }

    fn declare(&mut self, name: String, id: LocalId) {
        if let Some(scope) = self.frame().scopes.last_mut() {
            scope.push((name, id));
        }
    }

    fn push_scope(&mut self) {
        self.frame().scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        let frame = self.frame();
        if frame.scopes.len() > 1 {
            frame.scopes.pop();
        }
    }

    /// The local a name refers to in the innermost body: its own, or a capture local
    /// made for a local of an enclosing closure's or async block's parent.
    fn resolve(&mut self, name: &str, span: Span) -> Option<LocalId> {
        let top = self.frames.len().checked_sub(1)?;
        self.resolve_in(top, name, span)
    }

    fn resolve_in(&mut self, frame: usize, name: &str, span: Span) -> Option<LocalId> {
        let f = self.frames.get(frame)?;
        if let Some(&(_, id)) = f.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name) {
            return Some(id);
        }
        if matches!(f.kind, BodyKind::Fn { .. }) || frame == 0 {
            return None;
        }
        let parent = self.resolve_in(frame - 1, name, span)?;
        let f = &mut self.frames[frame];
        f.locals.push(Local { name: Some(name.to_owned()), ty: Ty::Unknown, span });
        let own = LocalId::new(f.locals.len() - 1);
        f.captures.push((own, parent, span));
        // In the outermost scope, so the closure's own `let`s shadow it.
        if let Some(scope) = f.scopes.first_mut() {
            scope.push((name.to_owned(), own));
        }
        Some(own)
    }

    // ---- blocks ----

    fn new_block(&mut self) -> BlockId {
        let frame = self.frame();
        frame.blocks.push(BlockData { stmts: Vec::new(), term: None });
        BlockId::new(frame.blocks.len() - 1)
    }

    fn switch_to(&mut self, block: BlockId) {
        self.frame().current = block;
    }

    fn current(&mut self) -> BlockId {
        self.frame().current
    }

    fn push_stmt(&mut self, dest: Place, value: Rvalue, span: Span) {
        let frame = self.frame();
        let current = frame.current.index();
        if let Some(block) = frame.blocks.get_mut(current) {
            block.stmts.push(Stmt { dest, value, span });
        }
    }

    /// Ends the current block. The builder always moves to another block right after,
    /// so a block is terminated once; a second terminator is dropped.
    fn terminate(&mut self, term: Terminator, span: Span) {
        let frame = self.frame();
        let current = frame.current.index();
        if let Some(block) = frame.blocks.get_mut(current) {
            if block.term.is_none() {
                block.term = Some((term, span));
            }
        }
    }

    fn goto(&mut self, target: BlockId, span: Span) {
        self.terminate(Terminator::Goto(target), span);
    }

    /// Ends the current block with `term` and continues in a fresh block without
    /// predecessors (code after `return`, `break`, `panic!`).
    fn leave(&mut self, term: Terminator, span: Span) {
        self.terminate(term, span);
        let dead = self.new_block();
        self.switch_to(dead);
    }

    /// Assigns `value` to `dest`, or to a fresh temporary when the value is ignored.
    fn assign(&mut self, dest: &Dest, value: Rvalue, span: Span) {
        let place = match dest {
            Dest::Place(place) => place.clone(),
            Dest::Ignore => Place::local(self.temp(span)),
        };
        self.push_stmt(place, value, span);
    }

    /// The start of a closure's or async block's body, defined in the current body:
    /// `parent::{closure#N}` or `parent::{async#N}`, numbered per parent in the order
    /// they are reached.
    fn nested_start(&mut self, async_block: bool, span: Span) -> BodyStart {
        let frame = self.frame();
        let parent = frame.id;
        let (counter, label, kind) = if async_block {
            (&mut frame.async_blocks, "async", BodyKind::AsyncBlock { parent })
        } else {
            (&mut frame.closures, "closure", BodyKind::Closure { parent })
        };
        let n = *counter;
        *counter += 1;
        BodyStart {
            kind,
            qualified: format!("{}::{{{label}#{n}}}", frame.qualified),
            item_path: frame.item_path.clone(),
            span,
            ret: Ty::Unknown,
        }
    }
}

/// The first token of a fn item: its first attribute, visibility or signature token.
fn item_start(attrs: &[syn::Attribute], vis: &syn::Visibility, sig: &syn::Signature) -> proc_macro2::Span {
    let sig_start = sig
        .constness
        .map(|t| t.span)
        .or(sig.asyncness.map(|t| t.span))
        .or(sig.unsafety.map(|t| t.span))
        .or(sig.abi.as_ref().map(|a| a.extern_token.span))
        .unwrap_or(sig.fn_token.span);
    let vis_start = match vis {
        syn::Visibility::Public(p) => p.span,
        syn::Visibility::Restricted(r) => r.pub_token.span,
        syn::Visibility::Inherited => sig_start,
    };
    attrs
        .iter()
        .map(|a| a.pound_token.span)
        .chain([vis_start])
        .min_by_key(|s| (s.start().line, s.start().column))
        .unwrap_or(vis_start)
}

/// A name written in SCREAMING_CASE (a static or const): `QUEUE`, `MAX_JOBS`.
fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.len() > 1
}

/// A name starting with an uppercase letter (a type, variant or const).
fn is_capitalized(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_uppercase())
}

/// The segments of a path as written, without generic arguments.
fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}
