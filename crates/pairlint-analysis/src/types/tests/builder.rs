//! Hand-built inputs: IR bodies (one block is enough for inference, which reads
//! every statement), crate signatures and types from text.

use crate::types::facts::{CrateSigs, FnSig, GenericParam, Import, ScopeId, SelfKind, StructSig, WrittenTy};
use crate::types::std_model::model_type;
use crate::types::tables::TypeTables;
use crate::types::ty::{Bindings, Type};
use pairlint_base::finding::Span;
use pairlint_base::ir::{
    AggregateKind, BasicBlock, Body, BodyId, BodyKind, Call, Callee, Const, Local, LocalId, Operand, Place, Projection,
    Rvalue, Stmt, Terminator,
};
use pairlint_base::model::Ty;

pub fn span() -> Span {
    Span { line: 1, column: 1, end_line: 1, end_column: 2, byte_start: 0, byte_end: 1 }
}

pub fn written(text: &str) -> WrittenTy {
    WrittenTy::parse(text).unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

/// A type in the std model's notation, with `J` meaning the crate's `Job` and `U` its
/// `UserId`.
pub fn model(text: &str) -> Type {
    let mut bindings = Bindings::new();
    bindings.insert("J".into(), Type::named("crate::Job", vec![]));
    bindings.insert("U".into(), Type::named("crate::UserId", vec![]));
    model_type(text).unwrap_or_else(|e| panic!("{e}")).substitute_partial(&bindings)
}

pub fn import(path: &str) -> Import {
    let path: Vec<String> = path.split("::").map(str::to_owned).collect();
    let alias = path.last().cloned().unwrap_or_default();
    if alias == "*" {
        return Import { alias, path: path[..path.len() - 1].to_vec() };
    }
    Import { alias, path }
}

pub fn strukt(name: &str, fields: &[(&str, &str)]) -> StructSig {
    StructSig {
        scope: ScopeId(0),
        name: name.into(),
        generics: Vec::new(),
        fields: fields.iter().map(|(n, t)| (n.to_string(), written(t))).collect(),
    }
}

pub fn generic(name: &str, bounds: &[&str]) -> GenericParam {
    GenericParam { name: name.into(), bounds: bounds.iter().map(|b| written(b)).collect() }
}

/// A free fn (or, with `self_ty`, a `&self` method) signature.
pub fn sig(name: &str, self_ty: Option<&str>, params: &[(&str, &str)], ret: &str) -> FnSig {
    FnSig {
        scope: ScopeId(0),
        name: name.into(),
        self_ty: self_ty.map(written),
        trait_name: None,
        generics: Vec::new(),
        receiver: self_ty.map(|_| SelfKind::Ref),
        params: params.iter().map(|(n, t)| (n.to_string(), written(t))).collect(),
        ret: written(ret),
        is_async: false,
    }
}

/// The crate most tests use: a user-bound `Job` (owner field), its owner's
/// `UserId`, a `Slot` that is not user-bound, and a `Server` holding a std-locked queue.
pub fn kiosk_sigs() -> CrateSigs {
    CrateSigs {
        scopes: vec![vec![
            import("std::sync::Arc"),
            import("std::sync::Mutex"),
            import("std::collections::VecDeque"),
            import("std::collections::HashMap"),
        ]],
        structs: vec![
            strukt("Job", &[("id", "u64"), ("owner", "UserId"), ("pages", "u32")]),
            strukt("UserId", &[("0", "u64")]),
            strukt("Slot", &[("id", "u64"), ("job", "Option<Job>")]),
            strukt(
                "Server",
                &[("queue", "Arc<Mutex<VecDeque<Job>>>"), ("by_owner", "HashMap<UserId, Job>"), ("jobs", "Vec<Job>")],
            ),
        ],
        ..CrateSigs::default()
    }
}

pub fn kiosk() -> TypeTables {
    TypeTables::build(&kiosk_sigs())
}

pub fn local(id: u32) -> Place {
    Place::local(LocalId(id))
}

pub fn op(id: u32) -> Operand {
    Operand::Place(local(id))
}

pub fn field(place: Place, name: &str) -> Place {
    place.project(Projection::Field(name.into()))
}

pub fn method(receiver: Operand, name: &str, args: Vec<Operand>) -> Rvalue {
    Rvalue::Call(Call { callee: Callee::Method(name.into()), receiver: Some(receiver), args, span: span() })
}

pub fn path_call(path: &str, args: Vec<Operand>) -> Rvalue {
    Rvalue::Call(Call {
        callee: Callee::Path(path.split("::").map(str::to_owned).collect()),
        receiver: None,
        args,
        span: span(),
    })
}

pub fn variant(path: &str, args: Vec<Operand>) -> Rvalue {
    Rvalue::Aggregate {
        kind: AggregateKind::Variant(path.split("::").map(str::to_owned).collect()),
        fields: args.into_iter().map(|a| (None, a)).collect(),
    }
}

/// The payload of `place` as `variant` (what `Some(x) =>` and `?` read).
pub fn payload(place: Place, variant: &str) -> Operand {
    Operand::Place(place.project(Projection::Variant(variant.into())).project(Projection::Field("0".into())))
}

pub fn int(value: &str) -> Operand {
    Operand::Const(Const::Int(value.into()))
}

/// Builds one body: parameters first, then locals, each `let` one statement.
pub struct BodyBuilder {
    body: Body,
}

impl BodyBuilder {
    pub fn new(qualified: &str, kind: BodyKind) -> Self {
        BodyBuilder {
            body: Body {
                kind,
                qualified: qualified.into(),
                span: span(),
                params: 0,
                locals: Vec::new(),
                blocks: vec![BasicBlock { stmts: Vec::new(), term: Terminator::Diverge, term_span: span() }],
                ret: Ty::Unknown,
                test: false,
            },
        }
    }

    pub fn func(name: &str) -> Self {
        Self::new(name, BodyKind::Fn { self_ty: None, is_async: false })
    }

    pub fn method_of(self_ty: &str, name: &str) -> Self {
        Self::new(&format!("{self_ty}::{name}"), BodyKind::Fn { self_ty: Some(self_ty.into()), is_async: false })
    }

    pub fn closure(parent: u32) -> Self {
        Self::new("f::{closure#0}", BodyKind::Closure { parent: BodyId(parent) })
    }

    /// A parameter with its written type (`None`: not written, as a closure's `|j|`).
    pub fn param(&mut self, name: &str, ty: Option<Ty>) -> u32 {
        assert_eq!(self.body.params as usize, self.body.locals.len(), "parameters come first");
        self.body.params += 1;
        self.push_local(Some(name), ty.unwrap_or(Ty::Unknown))
    }

    fn push_local(&mut self, name: Option<&str>, ty: Ty) -> u32 {
        self.body.locals.push(Local { name: name.map(str::to_owned), ty, span: span() });
        (self.body.locals.len() - 1) as u32
    }

    /// `let name: ty;` (a local with a written type, assigned later).
    pub fn typed_local(&mut self, name: &str, ty: Ty) -> u32 {
        self.push_local(Some(name), ty)
    }

    /// `let name = value;`
    pub fn let_(&mut self, name: &str, value: Rvalue) -> u32 {
        let id = self.push_local(Some(name), Ty::Unknown);
        self.assign(id, value);
        id
    }

    pub fn assign(&mut self, id: u32, value: Rvalue) {
        self.body.blocks[0].stmts.push(Stmt { dest: local(id), value, span: span() });
    }

    pub fn ret(mut self, value: Operand) -> Body {
        self.body.blocks[0].term = Terminator::Return(value);
        self.body
    }

    pub fn build(self) -> Body {
        self.body
    }
}

/// `model::Ty` from text, as the extractor writes types today (last segments only).
pub fn fact_ty(text: &str) -> Ty {
    fn convert(w: &WrittenTy) -> Ty {
        match w {
            WrittenTy::Path { segments, args, .. } => Ty::Path {
                name: segments.last().cloned().unwrap_or_default(),
                args: args.iter().map(convert).collect(),
            },
            WrittenTy::Ref { inner, .. } => Ty::Ref(Box::new(convert(inner))),
            WrittenTy::Slice(inner) => Ty::Slice(Box::new(convert(inner))),
            WrittenTy::Tuple(items) => Ty::Tuple(items.iter().map(convert).collect()),
            _ => Ty::Unknown,
        }
    }
    convert(&written(text))
}
