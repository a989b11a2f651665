//! Light type inference over an IR [`Body`]: a type per local where the tables and the
//! std model determine one, [`Type::Unknown`] where they do not.
//!
//! Sources, in order of trust: the written type of a local (a parameter, `let x: T`),
//! the fn's signature from the tables (richer: generics, bounds, full paths), then the
//! values assigned to it: field projections through the struct tables, method and fn
//! results through the crate's signatures and the std model (autoderef interleaving
//! both, as rustc's method probe does), `Some`/`Ok`/struct aggregates, variant payloads
//! (so `?` and `if let Some(x)` type their bindings), `.await`, and closures, whose
//! parameter types come from the adapter they are passed to (`iter().filter(|j| ..)`
//! gives `j: &T`) and whose return type gives the adapter's output (`map`).
//!
//! Assignments are merged per local: a later assignment may fill an unknown part
//! (`Option<?>` then `Option<Job>`), never replace a known one; two different known
//! types make the local unknown for good. Passes repeat until nothing changes (bounded:
//! each pass can only make types more known or conflicted).

use super::facts::{ScopeId, SelfKind, WrittenTy};
use super::std_model::{CallEffect, StdModel};
use super::tables::{FnInfo, Generic, Resolver, TypeTables};
use super::ty::{Bindings, Type};
use pairlint_base::ir::{
    AggregateKind, BinOp, Body, BodyId, BodyKind, Call, Callee, Const, FileIr, LocalId, Operand, Place, PlaceBase,
    Projection, Rvalue, Terminator, UnOp,
};
use pairlint_base::model::Ty;
use std::collections::{HashMap, HashSet};

/// Passes over a body before giving up on a fixpoint; each pass only adds knowledge,
/// and chains in real bodies settle in two or three.
const MAX_PASSES: usize = 8;
/// How many deref steps field and method lookups follow.
const AUTODEREF_LIMIT: usize = 8;
/// Closures nest rarely; this bounds a pathological file.
const MAX_CLOSURE_DEPTH: usize = 8;

/// The inferred types of one body's locals, indexed by [`LocalId`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodyTypes {
    pub locals: Vec<Type>,
    /// The type the body returns (joined over its `return`s).
    pub ret: Type,
}

impl BodyTypes {
    pub fn local(&self, id: LocalId) -> &Type {
        self.locals.get(id.index()).unwrap_or(&Type::Unknown)
    }
}

/// Infers the types of every body of one file, whose imports are `scope`'s. Closures
/// and async blocks are inferred where they are used, with the parameter types their
/// use gives; the ones never used get their written types only.
pub fn infer_file(file: &FileIr, tables: &TypeTables, scope: ScopeId) -> Vec<BodyTypes> {
    let mut inference = Inference { file, tables, scope, closures: HashMap::new(), depth: 0 };
    let mut out: Vec<Option<BodyTypes>> = vec![None; file.bodies.len()];
    for (i, body) in file.bodies.iter().enumerate() {
        if matches!(body.kind, BodyKind::Fn { .. }) {
            out[i] = Some(inference.infer(BodyId::new(i), &[], &[]));
        }
    }
    for (i, slot) in out.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = Some(match inference.closures.get(&BodyId::new(i)) {
                Some((_, _, types)) => types.clone(),
                None => inference.infer(BodyId::new(i), &[], &[]),
            });
        }
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

/// Infers one fn and the closures and async blocks nested in it (`nested`, each with
/// this fn as the root of its chain): the same types [`infer_file`] gives those bodies,
/// for a caller that needs only some fns of a file.
pub fn infer_fn(file: &FileIr, root: BodyId, nested: &[BodyId], tables: &TypeTables, scope: ScopeId) -> Vec<BodyTypes> {
    let mut inference = Inference { file, tables, scope, closures: HashMap::new(), depth: 0 };
    let root_types = inference.infer(root, &[], &[]);
    let mut out = vec![root_types];
    for &id in nested {
        out.push(match inference.closures.get(&id) {
            Some((_, _, types)) => types.clone(),
            None => inference.infer(id, &[], &[]),
        });
    }
    out
}

/// The types of a file's bodies, inferred on first use one fn at a time (with the
/// closures and async blocks nested in it, as [`infer_fn`]), so an analysis that reads
/// only some fns of a crate pays only for those. `get` answers what [`infer_file`]'s
/// vector would hold at that index.
pub struct FileTypes<'a> {
    file: &'a FileIr,
    tables: std::rc::Rc<TypeTables>,
    scope: ScopeId,
    /// Per body: the fn it is nested in (itself for a fn).
    root: Vec<BodyId>,
    /// Per fn: the bodies nested in it.
    nested: HashMap<BodyId, Vec<BodyId>>,
    cells: Vec<std::cell::OnceCell<BodyTypes>>,
}

impl<'a> FileTypes<'a> {
    pub fn new(file: &'a FileIr, tables: std::rc::Rc<TypeTables>, scope: ScopeId) -> FileTypes<'a> {
        let mut root: Vec<BodyId> = (0..file.bodies.len()).map(BodyId::new).collect();
        let mut nested: HashMap<BodyId, Vec<BodyId>> = HashMap::new();
        for (i, body) in file.bodies.iter().enumerate() {
            // Parents come before their closures (source order of starts), so a
            // parent's root is known; the bound keeps a malformed file finite.
            if let BodyKind::Closure { parent } | BodyKind::AsyncBlock { parent } = body.kind {
                if parent.index() < i {
                    root[i] = root[parent.index()];
                    nested.entry(root[i]).or_default().push(BodyId::new(i));
                }
            }
        }
        let cells = (0..file.bodies.len()).map(|_| std::cell::OnceCell::new()).collect();
        FileTypes { file, tables, scope, root, nested, cells }
    }

    /// The fn a body is nested in (itself for a fn).
    pub fn root(&self, id: BodyId) -> BodyId {
        self.root.get(id.index()).copied().unwrap_or(id)
    }

    /// The closures and async blocks nested in the fn `root`.
    pub fn nested(&self, root: BodyId) -> &[BodyId] {
        self.nested.get(&root).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The types of body `index` (None past the file's bodies).
    pub fn get(&self, index: usize) -> Option<&BodyTypes> {
        let cell = self.cells.get(index)?;
        if let Some(types) = cell.get() {
            return Some(types);
        }
        let root = self.root[index];
        let inner = self.nested(root);
        let inferred = infer_fn(self.file, root, inner, &self.tables, self.scope);
        for (id, types) in std::iter::once(&root).chain(inner).zip(inferred) {
            // A cell set already (none is, the group is inferred once) keeps its value.
            let _ = self.cells[id.index()].set(types);
        }
        // A body outside its root's group (a malformed parent link) is inferred alone.
        Some(cell.get_or_init(|| infer_body(self.file, BodyId::new(index), &self.tables, self.scope)))
    }
}

/// Infers one body (a fn; closures inside it are inferred as they are used).
pub fn infer_body(file: &FileIr, body: BodyId, tables: &TypeTables, scope: ScopeId) -> BodyTypes {
    Inference { file, tables, scope, closures: HashMap::new(), depth: 0 }.infer(body, &[], &[])
}

/// The std model's effect of one call of an inferred body, resolved as inference
/// resolves it (imports, autoderef interleaving crate methods, closures' types): what
/// the dataflow's call model asks. None for crate fns and methods (their summaries
/// answer) and for calls nothing resolves. `captures` are the enclosing body's types
/// when `body` is a closure or async block.
pub fn call_effect_at(
    file: &FileIr,
    body: BodyId,
    types: &BodyTypes,
    captures: &[Type],
    call: &Call,
    tables: &TypeTables,
    scope: ScopeId,
) -> Option<CallEffect> {
    let mut inference = Inference { file, tables, scope, closures: HashMap::new(), depth: 0 };
    let ir = file.bodies.get(body.index())?;
    let generics = inference.signature(ir).map(|s| s.generics.clone()).unwrap_or_default();
    let closure_of = closure_locals(ir);
    let mut frame = Frame {
        locals: types.locals.clone(),
        conflicted: HashSet::new(),
        written: (0..types.locals.len()).collect(),
        captures,
        generics,
        closure_of,
    };
    let outcome = match &call.callee {
        Callee::Method(name) => {
            let receiver = inference.operand(&frame, call.receiver.as_ref()?);
            inference.method_outcome(&mut frame, &receiver, name, &call.args)
        }
        Callee::Path(segments) => inference.path_outcome(&mut frame, segments, &call.args),
        Callee::Macro(_) | Callee::Value(_) => CallOutcome::Unknown,
    };
    match outcome {
        CallOutcome::Library(effect) => Some(effect),
        CallOutcome::Crate(_) | CallOutcome::Unknown => None,
    }
}

struct Inference<'a> {
    file: &'a FileIr,
    tables: &'a TypeTables,
    scope: ScopeId,
    /// Closures inferred so far, with the parameter types they were given and the
    /// enclosing body's locals they saw (a later pass may know more of them).
    closures: HashMap<BodyId, (Vec<Type>, Vec<Type>, BodyTypes)>,
    depth: usize,
}

/// The state of one body's inference.
struct Frame<'b> {
    locals: Vec<Type>,
    conflicted: HashSet<usize>,
    /// Locals whose type was written (or given by the signature or the adapter): an
    /// assignment may fill its holes, but a conflicting one does not replace it.
    written: HashSet<usize>,
    /// The enclosing bodies' locals, for captures.
    captures: &'b [Type],
    generics: Vec<Generic>,
    /// Locals holding a closure or async block.
    closure_of: HashMap<usize, BodyId>,
}

impl Inference<'_> {
    fn resolver(&self, self_ty: Option<&Type>) -> Resolver<'_> {
        self.tables.resolver(self.scope, &[], self_ty)
    }

    /// The signature of a fn body, found by name and impl type.
    fn signature(&self, body: &Body) -> Option<&FnInfo> {
        let BodyKind::Fn { self_ty, .. } = &body.kind else {
            return None;
        };
        let name = body.qualified.rsplit("::").next()?;
        let mut found = match self_ty {
            Some(owner) => {
                let owner = owner.rsplit("::").next().unwrap_or(owner);
                self.tables.methods_of(name, owner).collect::<Vec<_>>()
            }
            None => self.tables.fns_named(name).iter().collect(),
        };
        (found.len() == 1).then(|| found.remove(0))
    }

    fn infer(&mut self, id: BodyId, seeds: &[Type], captures: &[Type]) -> BodyTypes {
        let Some(body) = self.file.bodies.get(id.index()) else {
            return BodyTypes::default();
        };
        let signature = self.signature(body).cloned();
        let self_ty = match (&body.kind, &signature) {
            (_, Some(sig)) => sig.self_ty.clone(),
            (BodyKind::Fn { self_ty: Some(name), .. }, None) => {
                Some(self.resolver(None).resolve(&WrittenTy::named(name.rsplit("::").next().unwrap_or(name))))
            }
            _ => None,
        };
        let resolver = self.resolver(self_ty.as_ref());
        let mut locals: Vec<Type> = body
            .locals
            .iter()
            .map(|l| if l.ty == Ty::Unknown { Type::Unknown } else { resolver.resolve(&WrittenTy::from(&l.ty)) })
            .collect();
        let params = body.params as usize;
        if let Some(sig) = &signature {
            // The signature's types are resolved with the fn's generics and full paths.
            let has_self = sig.receiver.is_some();
            if let (Some(kind), Some(self_ty), Some(slot)) = (sig.receiver, &sig.self_ty, locals.first_mut()) {
                *slot = match kind {
                    SelfKind::Value => self_ty.clone(),
                    SelfKind::Ref => Type::reference(self_ty.clone()),
                    SelfKind::RefMut => Type::Ref { mutable: true, inner: Box::new(self_ty.clone()) },
                };
            }
            for (i, ty) in sig.params.iter().enumerate() {
                if let Some(slot) =
                    locals.get_mut(i + usize::from(has_self)).filter(|_| i + usize::from(has_self) < params)
                {
                    *slot = ty.clone();
                }
            }
        } else if let (Some(self_ty), Some(first)) = (&self_ty, body.locals.first()) {
            // Without the signature the receiver's reference kind is not known; field
            // and method lookups autoderef, so the owned type answers the same.
            if params > 0 && first.name.as_deref() == Some("self") && locals[0].is_unknown() {
                locals[0] = self_ty.clone();
            }
        }
        for (i, seed) in seeds.iter().enumerate().take(params) {
            if locals[i].is_unknown() {
                locals[i] = seed.clone();
            }
        }
        let closure_of = closure_locals(body);
        let written = locals.iter().enumerate().filter(|(_, t)| !t.is_unknown()).map(|(i, _)| i).collect();
        let generics = signature.map(|s| s.generics).unwrap_or_default();
        let mut frame = Frame { locals, conflicted: HashSet::new(), written, captures, generics, closure_of };
        for _ in 0..MAX_PASSES {
            let before = frame.locals.clone();
            for block in &body.blocks {
                for stmt in &block.stmts {
                    let value = self.rvalue(&mut frame, &stmt.value);
                    if let (Some(local), true) = (stmt.dest.base_local(), stmt.dest.projections.is_empty()) {
                        frame.assign(local.index(), value);
                    }
                }
            }
            if frame.locals == before {
                break;
            }
        }
        let mut ret: Option<Type> = None;
        for block in &body.blocks {
            if let Terminator::Return(op) = &block.term {
                let ty = self.operand(&frame, op);
                ret = Some(match ret {
                    None => ty,
                    Some(prev) => merge(&prev, &ty).unwrap_or(Type::Unknown),
                });
            }
        }
        BodyTypes { locals: frame.locals, ret: ret.unwrap_or(Type::Unknown) }
    }

    fn operand(&self, frame: &Frame<'_>, op: &Operand) -> Type {
        match op {
            Operand::Place(place) => self.place(frame, place),
            Operand::Const(c) => self.constant(c),
            Operand::Capture(id) => frame.captures.get(id.index()).cloned().unwrap_or(Type::Unknown),
        }
    }

    fn constant(&self, c: &Const) -> Type {
        let model = StdModel::get();
        match c {
            Const::Bool(_) => Type::named("bool", vec![]),
            Const::Str(_) => Type::reference(Type::named("str", vec![])),
            Const::Unit => Type::unit(),
            // An integer literal's type is whatever the context makes it.
            Const::Int(_) | Const::Other(_) => Type::Unknown,
            Const::Path(path) => {
                let segments: Vec<String> = path.split("::").map(str::to_owned).collect();
                let Some((variant, owner)) = segments.split_last() else {
                    return Type::Unknown;
                };
                if owner.is_empty() {
                    if let Some(ty) = model.variant_type(variant, &[]) {
                        return ty;
                    }
                    return self
                        .tables
                        .enum_with_variant(variant)
                        .map(|e| crate_type(&e.name, e.generics.len()))
                        .unwrap_or(Type::Unknown);
                }
                match self.resolver(None).resolve(&WrittenTy::Path {
                    segments: owner.to_vec(),
                    args: vec![],
                    bindings: vec![],
                }) {
                    ty if self.tables.enum_info(&ty).is_some() => ty,
                    _ => Type::Unknown,
                }
            }
        }
    }

    /// A place's type: the base's, then each projection (fields and indexes autoderef).
    fn place(&self, frame: &Frame<'_>, place: &Place) -> Type {
        let mut ty = match &place.base {
            PlaceBase::Local(id) => frame.locals.get(id.index()).cloned().unwrap_or(Type::Unknown),
            PlaceBase::Static(path) => self.tables.static_type(path).cloned().unwrap_or(Type::Unknown),
        };
        let model = StdModel::get();
        let mut variant: Option<&str> = None;
        for projection in &place.projections {
            ty = match (projection, variant.take()) {
                (Projection::Field(field), Some(v)) => self.variant_field(&ty, v, field),
                (Projection::Variant(v), _) => {
                    variant = Some(v);
                    continue;
                }
                (_, Some(_)) => Type::Unknown,
                (Projection::Field(field), None) => self.autoderef(frame, &ty, |t| self.tables.field(t, field)),
                (Projection::ConstIndex(_) | Projection::Index(_), None) => {
                    self.autoderef(frame, &ty, |t| model.method_here(t, "[]", 1).map(|m| m.finish(&[]).result))
                }
                (Projection::Deref, None) => self.deref_step(&frame.expose(&ty)).unwrap_or(Type::Unknown),
            };
            if ty.is_unknown() {
                return ty;
            }
        }
        if variant.is_some() {
            return Type::Unknown;
        }
        ty
    }

    fn variant_field(&self, ty: &Type, variant: &str, field: &str) -> Type {
        let index = field.parse::<usize>().ok();
        if let Some(payload) = StdModel::get().variant_payload(ty, variant) {
            return index.and_then(|i| payload.get(i).cloned()).unwrap_or(Type::Unknown);
        }
        self.tables
            .variant_fields(ty, variant)
            .and_then(|fields| fields.into_iter().find(|(n, _)| n == field).map(|(_, t)| t))
            .unwrap_or(Type::Unknown)
    }

    /// The first deref step of `ty` where `find` answers.
    fn autoderef(&self, frame: &Frame<'_>, ty: &Type, find: impl Fn(&Type) -> Option<Type>) -> Type {
        let mut step = frame.expose(ty);
        for _ in 0..AUTODEREF_LIMIT {
            if let Some(found) = find(&step) {
                return found;
            }
            match self.deref_step(&step) {
                Some(next) if !next.is_unknown() => step = frame.expose(&next),
                _ => break,
            }
        }
        Type::Unknown
    }

    /// One deref step: the std model's, else the crate's own `Deref` impl for the type
    /// (`impl Deref for Line { type Target = String }`, read from its `deref` method).
    fn deref_step(&self, ty: &Type) -> Option<Type> {
        if let Some(next) = StdModel::get().deref_step(ty) {
            return Some(next);
        }
        if !matches!(ty, Type::Named { .. }) {
            return None;
        }
        self.tables
            .methods_named("deref")
            .iter()
            .filter(|info| info.trait_name.as_deref().is_some_and(|t| t.ends_with("Deref")))
            .find_map(|info| {
                let mut bindings = Bindings::new();
                let self_ty = info.self_ty.as_ref()?;
                self_ty.bind(ty, &mut bindings).then(|| info.ret.peel_refs().substitute(&bindings))
            })
    }

    fn rvalue(&mut self, frame: &mut Frame<'_>, value: &Rvalue) -> Type {
        match value {
            Rvalue::Use(op) => self.operand(frame, op),
            Rvalue::Ref { place, mutable } => {
                Type::Ref { mutable: *mutable, inner: Box::new(self.place(frame, place)) }
            }
            Rvalue::Call(call) => self.call(frame, call),
            Rvalue::Aggregate { kind, fields } => {
                let types: Vec<Type> = fields.iter().map(|(_, op)| self.operand(frame, op)).collect();
                match kind {
                    AggregateKind::Tuple => Type::Tuple(types),
                    AggregateKind::Array => {
                        let first = types.first().cloned().unwrap_or(Type::Unknown);
                        let same = types.iter().all(|t| t == &first);
                        Type::Slice(Box::new(if same { first } else { Type::Unknown }))
                    }
                    AggregateKind::Struct(name) => {
                        let ty = self.resolver(None).resolve(&WrittenTy::named(name));
                        let Some(info) = self.tables.struct_info(&ty) else {
                            return Type::Unknown;
                        };
                        // A generic struct's arguments come from the fields given.
                        let mut bindings = Bindings::new();
                        for ((field, _), actual) in fields.iter().zip(&types) {
                            let declared = field.as_ref().and_then(|f| info.fields.iter().find(|(n, _)| n == f));
                            if let Some((_, declared)) = declared {
                                declared.bind(actual, &mut bindings);
                            }
                        }
                        let args = info
                            .generics
                            .iter()
                            .map(|g| bindings.get(&g.name).cloned().unwrap_or(Type::Unknown))
                            .collect();
                        crate_type_with(&info.name, args)
                    }
                    AggregateKind::Variant(path) => self.variant_value(path, fields, &types),
                }
            }
            Rvalue::BinaryOp(op, _, _) => match op {
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Type::named("bool", vec![]),
                BinOp::Other => Type::Unknown,
            },
            Rvalue::UnaryOp(op, operand) => match (op, self.operand(frame, operand)) {
                (UnOp::Not, ty) if ty.name() == Some("bool") => ty,
                (UnOp::Neg, ty) => ty,
                _ => Type::Unknown,
            },
            Rvalue::Closure(child) => {
                let seeds = self.closures.get(child).map(|(seeds, _, _)| seeds.clone()).unwrap_or_default();
                self.closure_type(frame, *child, &seeds)
            }
            Rvalue::Await(op) => {
                let ty = self.operand(frame, op);
                self.method_on(frame, &ty, ".await", &[]).unwrap_or(Type::Unknown)
            }
            Rvalue::Opaque(_) => Type::Unknown,
        }
    }

    fn variant_value(&self, path: &[String], fields: &[(Option<String>, Operand)], types: &[Type]) -> Type {
        let Some((variant, owner)) = path.split_last() else {
            return Type::Unknown;
        };
        if owner.is_empty() {
            if let Some(ty) = StdModel::get().variant_type(variant, types) {
                return ty;
            }
        }
        let info = if owner.is_empty() {
            self.tables.enum_with_variant(variant)
        } else {
            let owner_ty = self.resolver(None).resolve(&WrittenTy::Path {
                segments: owner.to_vec(),
                args: vec![],
                bindings: vec![],
            });
            self.tables.enum_info(&owner_ty)
        };
        let Some(info) = info else {
            return Type::Unknown;
        };
        let mut bindings = Bindings::new();
        if let Some((_, declared)) = info.variants.iter().find(|(n, _)| n == variant) {
            for (i, ((name, _), actual)) in fields.iter().zip(types).enumerate() {
                let key = name.clone().unwrap_or_else(|| i.to_string());
                if let Some((_, d)) = declared.iter().find(|(n, _)| *n == key) {
                    d.bind(actual, &mut bindings);
                }
            }
        }
        let args = info.generics.iter().map(|g| bindings.get(&g.name).cloned().unwrap_or(Type::Unknown)).collect();
        crate_type_with(&info.name, args)
    }

    /// A closure's or async block's type, inferring its body with these parameter
    /// types (cached per seed list).
    fn closure_type(&mut self, frame: &Frame<'_>, child: BodyId, seeds: &[Type]) -> Type {
        let Some(body) = self.file.bodies.get(child.index()) else {
            return Type::Unknown;
        };
        let types = match self.closures.get(&child) {
            Some((cached, seen, types)) if cached.as_slice() == seeds && seen == &frame.locals => types.clone(),
            _ if self.depth >= MAX_CLOSURE_DEPTH => return Type::Unknown,
            _ => {
                self.depth += 1;
                let types = self.infer(child, seeds, &frame.locals);
                self.depth -= 1;
                self.closures.insert(child, (seeds.to_vec(), frame.locals.clone(), types.clone()));
                types
            }
        };
        match body.kind {
            BodyKind::AsyncBlock { .. } => Type::named("Future", vec![types.ret]),
            _ => Type::Fn {
                params: types.locals.iter().take(body.params as usize).cloned().collect(),
                ret: Box::new(types.ret),
            },
        }
    }

    fn call(&mut self, frame: &mut Frame<'_>, call: &Call) -> Type {
        match &call.callee {
            Callee::Method(name) => {
                let Some(receiver) = &call.receiver else {
                    return Type::Unknown;
                };
                let receiver = self.operand(frame, receiver);
                self.method_call(frame, &receiver, name, &call.args)
            }
            Callee::Path(segments) => self.path_call(frame, segments, &call.args),
            Callee::Value(callee) => match self.operand(frame, callee) {
                Type::Fn { ret, .. } => *ret,
                _ => Type::Unknown,
            },
            Callee::Macro(_) => Type::Unknown,
        }
    }

    /// A method call: crate methods and std entries, step by step along autoderef.
    fn method_outcome(&mut self, frame: &mut Frame<'_>, receiver: &Type, name: &str, args: &[Operand]) -> CallOutcome {
        let model = StdModel::get();
        let mut step = frame.expose(receiver);
        for _ in 0..AUTODEREF_LIMIT {
            if step.is_unknown() {
                return CallOutcome::Unknown;
            }
            if let Some(ret) = self.crate_method(frame, &step, name, args) {
                return CallOutcome::Crate(ret);
            }
            if let Some(matched) = model.method_here(&step, name, args.len()) {
                let arg_types = self.arg_types(frame, args, |i| matched.closure_params(i));
                return CallOutcome::Library(matched.finish(&arg_types));
            }
            step = match self.deref_step(&step) {
                Some(next) => frame.expose(&next),
                None => return CallOutcome::Unknown,
            };
        }
        CallOutcome::Unknown
    }

    fn method_call(&mut self, frame: &mut Frame<'_>, receiver: &Type, name: &str, args: &[Operand]) -> Type {
        self.method_outcome(frame, receiver, name, args).result()
    }

    fn method_on(&mut self, frame: &mut Frame<'_>, ty: &Type, name: &str, args: &[Operand]) -> Option<Type> {
        Some(self.method_call(frame, ty, name, args)).filter(|t| !t.is_unknown())
    }

    /// Argument types; a closure argument is inferred with the parameter types the
    /// callee gives it.
    fn arg_types(
        &mut self,
        frame: &mut Frame<'_>,
        args: &[Operand],
        closure_params: impl Fn(usize) -> Option<Vec<Type>>,
    ) -> Vec<Type> {
        let mut types = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            let closure = match arg {
                Operand::Place(p) if p.projections.is_empty() => {
                    p.base_local().and_then(|l| frame.closure_of.get(&l.index()).copied())
                }
                _ => None,
            };
            let ty = match (closure, closure_params(i)) {
                (Some(child), Some(seeds)) => {
                    let ty = self.closure_type(frame, child, &seeds);
                    if let Some(local) = arg.place_local() {
                        frame.assign(local, ty.clone());
                    }
                    ty
                }
                _ => self.operand(frame, arg),
            };
            types.push(ty);
        }
        types
    }

    /// A crate method on exactly this type: an impl's method whose self type matches,
    /// or a trait's method when the type is bounded by that trait.
    fn crate_method(&mut self, frame: &mut Frame<'_>, ty: &Type, name: &str, args: &[Operand]) -> Option<Type> {
        let mut results = Vec::new();
        for info in self.tables.methods_named(name) {
            if info.receiver.is_none() || info.params.len() != args.len() {
                continue;
            }
            let mut bindings = Bindings::new();
            let applies = match (&info.self_ty, &info.trait_name) {
                (Some(Type::Param(p)), Some(trait_name)) if p == "Self" => {
                    bounded_by(ty, &format!("crate::{trait_name}")) && {
                        bindings.insert("Self".into(), ty.clone());
                        true
                    }
                }
                (Some(self_ty), _) => matches!(ty, Type::Named { .. }) && self_ty.bind(ty, &mut bindings),
                (None, _) => false,
            };
            if applies {
                results.push((info.clone(), bindings));
            }
        }
        let (info, mut bindings) = match results.len() {
            0 => return None,
            1 => results.remove(0),
            _ => return Some(Type::Unknown),
        };
        let arg_types = self.arg_types(frame, args, |_| None);
        for (param, actual) in info.params.iter().zip(&arg_types) {
            let mut trial = bindings.clone();
            if param.bind(actual, &mut trial) {
                bindings = trial;
            }
        }
        Some(info.ret.substitute(&bindings))
    }

    fn path_outcome(&mut self, frame: &mut Frame<'_>, segments: &[String], args: &[Operand]) -> CallOutcome {
        let model = StdModel::get();
        let resolver = self.resolver(None);
        let path = resolver.fn_path(segments);
        let last = path.rsplit("::").next().unwrap_or(&path).to_string();
        // A crate fn: a bare name, a `crate::` path, or an associated fn of a crate type.
        let crate_candidates: Vec<FnInfo> = match path.rsplit_once("::") {
            None => self.tables.fns_named(&last).to_vec(),
            Some((owner, _)) if owner.starts_with("crate") => {
                let owner_ty = Type::named(owner, vec![]);
                let assoc: Vec<FnInfo> = self
                    .tables
                    .methods_named(&last)
                    .iter()
                    .filter(|f| f.self_ty.as_ref().and_then(Type::name) == owner_ty.name())
                    .cloned()
                    .collect();
                if assoc.is_empty() {
                    self.tables.fns_named(&last).to_vec()
                } else {
                    assoc
                }
            }
            Some(_) => Vec::new(),
        };
        let crate_candidates: Vec<FnInfo> = crate_candidates
            .into_iter()
            .filter(|f| f.params.len() + usize::from(f.receiver.is_some()) == args.len())
            .collect();
        if let [info] = crate_candidates.as_slice() {
            let arg_types = self.arg_types(frame, args, |_| None);
            let mut bindings = Bindings::new();
            if let Some(self_ty) = &info.self_ty {
                bindings.insert("Self".into(), self_ty.clone());
            }
            let params: Vec<Type> =
                info.receiver.iter().filter_map(|_| info.self_ty.clone()).chain(info.params.iter().cloned()).collect();
            for (param, actual) in params.iter().zip(&arg_types) {
                let mut trial = bindings.clone();
                if param.bind(actual, &mut trial) {
                    bindings = trial;
                }
            }
            return CallOutcome::Crate(info.ret.substitute(&bindings));
        }
        if !crate_candidates.is_empty() {
            return CallOutcome::Unknown;
        }
        let key = model.fn_key(&path);
        let Some(matched) = model.function(&key, args.len()) else {
            // A method called by path (`VecDeque::pop_front(&mut q)`), on a receiver
            // of that family.
            let Some((family, name)) = key.rsplit_once("::") else {
                return CallOutcome::Unknown;
            };
            let Some((receiver, rest)) = args.split_first() else {
                return CallOutcome::Unknown;
            };
            let receiver_ty = self.operand(frame, receiver);
            if !model.is_family(family) || receiver_ty.peel_refs().name() != Some(family) {
                return CallOutcome::Unknown;
            }
            return self.method_outcome(frame, &receiver_ty, name, rest);
        };
        let arg_types = self.arg_types(frame, args, |i| matched.closure_params(i));
        CallOutcome::Library(matched.finish(&arg_types))
    }

    fn path_call(&mut self, frame: &mut Frame<'_>, segments: &[String], args: &[Operand]) -> Type {
        self.path_outcome(frame, segments, args).result()
    }
}

/// What a call resolved to.
enum CallOutcome {
    /// A fn or method of the crate: its summary, not the std model, says what it does.
    Crate(Type),
    /// A library API of the std model.
    Library(CallEffect),
    Unknown,
}

impl CallOutcome {
    fn result(self) -> Type {
        match self {
            CallOutcome::Crate(ty) => ty,
            CallOutcome::Library(effect) => effect.result,
            CallOutcome::Unknown => Type::Unknown,
        }
    }
}

impl Frame<'_> {
    /// Merges an assigned type into a local (see the module doc).
    fn assign(&mut self, local: usize, ty: Type) {
        if self.conflicted.contains(&local) || local >= self.locals.len() {
            return;
        }
        match merge(&self.locals[local], &ty) {
            Some(merged) => self.locals[local] = merged,
            None if self.written.contains(&local) => {}
            None => {
                self.conflicted.insert(local);
                self.locals[local] = Type::Unknown;
            }
        }
    }

    /// A generic parameter of the fn as its bounds (`T: Iterator<Item = Job>` acts as
    /// `impl Iterator<Item = Job>`); anything else as itself.
    fn expose(&self, ty: &Type) -> Type {
        match ty {
            Type::Param(p) => match self.generics.iter().find(|g| &g.name == p) {
                Some(g) if !g.bounds.is_empty() => Type::Opaque { is_dyn: false, bounds: g.bounds.clone() },
                _ => ty.clone(),
            },
            _ => ty.clone(),
        }
    }
}

/// The locals of a body that hold a closure or async block, and which.
fn closure_locals(body: &Body) -> HashMap<usize, BodyId> {
    let mut closure_of = HashMap::new();
    for stmt in body.blocks.iter().flat_map(|b| &b.stmts) {
        if let (Rvalue::Closure(child), Some(local), true) =
            (&stmt.value, stmt.dest.base_local(), stmt.dest.projections.is_empty())
        {
            closure_of.insert(local.index(), *child);
        }
    }
    closure_of
}

/// The more known of two types of one value: equal, or one fills the other's unknown
/// parts. None when both know different things.
pub fn merge(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Unknown, other) | (other, Type::Unknown) => Some(other.clone()),
        _ if a == b => Some(a.clone()),
        (Type::Named { name: x, args: xs }, Type::Named { name: y, args: ys }) if x == y && xs.len() == ys.len() => {
            Some(Type::Named { name: x.clone(), args: merge_all(xs, ys)? })
        }
        (Type::Ref { mutable, inner: x }, Type::Ref { inner: y, .. }) => {
            Some(Type::Ref { mutable: *mutable, inner: Box::new(merge(x, y)?) })
        }
        (Type::Slice(x), Type::Slice(y)) => Some(Type::Slice(Box::new(merge(x, y)?))),
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => Some(Type::Tuple(merge_all(xs, ys)?)),
        (Type::Fn { params: xs, ret: x }, Type::Fn { params: ys, ret: y }) if xs.len() == ys.len() => {
            Some(Type::Fn { params: merge_all(xs, ys)?, ret: Box::new(merge(x, y)?) })
        }
        // `!` joins with anything: a diverging branch gives no type.
        (Type::Never, other) | (other, Type::Never) => Some(other.clone()),
        _ => None,
    }
}

fn merge_all(xs: &[Type], ys: &[Type]) -> Option<Vec<Type>> {
    xs.iter().zip(ys).map(|(x, y)| merge(x, y)).collect()
}

/// `ty` is an `impl`/`dyn` type or exposed parameter bounded by `trait_name`.
fn bounded_by(ty: &Type, trait_name: &str) -> bool {
    matches!(ty, Type::Opaque { bounds, .. } if bounds.iter().any(|b| b.trait_name == trait_name))
}

fn crate_type(name: &str, generic_count: usize) -> Type {
    crate_type_with(name, vec![Type::Unknown; generic_count])
}

fn crate_type_with(name: &str, args: Vec<Type>) -> Type {
    Type::named(&format!("crate::{name}"), args)
}

trait PlaceLocal {
    fn place_local(&self) -> Option<usize>;
}

impl PlaceLocal for Operand {
    /// The local an operand names with no projection.
    fn place_local(&self) -> Option<usize> {
        match self {
            Operand::Place(p) if p.projections.is_empty() => p.base_local().map(LocalId::index),
            _ => None,
        }
    }
}
