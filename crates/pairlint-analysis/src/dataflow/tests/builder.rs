//! A small builder for IR bodies, so dataflow tests read like the code they stand for.

use pairlint_base::finding::Span;
use pairlint_base::ir::{
    AggregateKind, BasicBlock, BinOp, BlockId, Body, BodyId, BodyKind, Call, Callee, Const, Local, LocalId, Operand,
    Place, Projection, Rvalue, Stmt, Terminator, UnOp,
};
use pairlint_base::model::Ty;

use crate::dataflow::Location;

/// Builds one body block by block; statements go to the current block.
pub struct BodyBuilder {
    body: Body,
    current: BlockId,
}

impl BodyBuilder {
    /// A fn whose parameters are named `params` (locals `_0..`).
    pub fn function(params: &[&str]) -> (BodyBuilder, Vec<LocalId>) {
        Self::new(BodyKind::Fn { self_ty: None, is_async: false }, params)
    }

    /// A closure defined in `parent`.
    pub fn closure(parent: BodyId, params: &[&str]) -> (BodyBuilder, Vec<LocalId>) {
        Self::new(BodyKind::Closure { parent }, params)
    }

    fn new(kind: BodyKind, params: &[&str]) -> (BodyBuilder, Vec<LocalId>) {
        let mut builder = BodyBuilder {
            body: Body {
                kind,
                qualified: "test".into(),
                span: Span::default(),
                params: params.len() as u32,
                locals: Vec::new(),
                blocks: Vec::new(),
                ret: Ty::Unknown,
                test: false,
            },
            current: BlockId(0),
        };
        let params = params.iter().map(|name| builder.local(name)).collect();
        builder.block();
        (builder, params)
    }

    pub fn local(&mut self, name: &str) -> LocalId {
        self.body.locals.push(Local { name: Some(name.into()), ty: Ty::Unknown, span: Span::default() });
        LocalId::new(self.body.locals.len() - 1)
    }

    /// A temporary (an unnamed local, as the lowering makes for intermediate values).
    pub fn temp(&mut self) -> LocalId {
        self.body.locals.push(Local { name: None, ty: Ty::Unknown, span: Span::default() });
        LocalId::new(self.body.locals.len() - 1)
    }

    /// A new empty block (ending in `diverge` until a terminator is set).
    pub fn block(&mut self) -> BlockId {
        self.body.blocks.push(BasicBlock { stmts: Vec::new(), term: Terminator::Diverge, term_span: Span::default() });
        BlockId::new(self.body.blocks.len() - 1)
    }

    /// Continue in `block`.
    pub fn at(&mut self, block: BlockId) -> &mut Self {
        self.current = block;
        self
    }

    /// The location the next statement of the current block will have.
    pub fn here(&self) -> Location {
        Location::new(self.current, self.body.block(self.current).stmts.len())
    }

    /// `dest = value;` and its location.
    pub fn assign(&mut self, dest: impl IntoPlace, value: Rvalue) -> Location {
        let location = self.here();
        self.body.blocks[self.current.index()].stmts.push(Stmt {
            dest: dest.into_place(),
            value,
            span: Span::default(),
        });
        location
    }

    /// `let name = value;`
    pub fn let_(&mut self, name: &str, value: Rvalue) -> LocalId {
        let local = self.local(name);
        self.assign(local, value);
        local
    }

    fn terminate(&mut self, term: Terminator) {
        self.body.blocks[self.current.index()].term = term;
    }

    pub fn goto(&mut self, target: BlockId) {
        self.terminate(Terminator::Goto(target));
    }

    /// `if cond { then } else { otherwise }`.
    pub fn branch(&mut self, cond: impl IntoOperand, then: BlockId, otherwise: BlockId) {
        self.terminate(Terminator::SwitchBool { cond: cond.into_operand(), then, otherwise });
    }

    /// `match scrutinee { Variant => target, .., _ => otherwise }`.
    pub fn switch_variant(
        &mut self,
        scrutinee: impl IntoPlace,
        targets: &[(&str, BlockId)],
        otherwise: Option<BlockId>,
    ) {
        self.terminate(Terminator::SwitchVariant {
            scrutinee: scrutinee.into_place(),
            targets: targets.iter().map(|(name, block)| (name.to_string(), *block)).collect(),
            otherwise,
        });
    }

    pub fn ret(&mut self, value: impl IntoOperand) {
        self.terminate(Terminator::Return(value.into_operand()));
    }

    pub fn diverge(&mut self) {
        self.terminate(Terminator::Diverge);
    }

    pub fn finish(self) -> Body {
        self.body
    }
}

/// Things a place can be written from in tests: a local or a place.
pub trait IntoPlace {
    fn into_place(self) -> Place;
}

impl IntoPlace for LocalId {
    fn into_place(self) -> Place {
        Place::local(self)
    }
}

impl IntoPlace for Place {
    fn into_place(self) -> Place {
        self
    }
}

/// Things an operand can be made of in tests.
pub trait IntoOperand {
    fn into_operand(self) -> Operand;
}

impl IntoOperand for LocalId {
    fn into_operand(self) -> Operand {
        Operand::Place(Place::local(self))
    }
}

impl IntoOperand for Place {
    fn into_operand(self) -> Operand {
        Operand::Place(self)
    }
}

impl IntoOperand for Operand {
    fn into_operand(self) -> Operand {
        self
    }
}

impl IntoOperand for bool {
    fn into_operand(self) -> Operand {
        Operand::Const(Const::Bool(self))
    }
}

/// Projections written as method chains: `img.field("owner")`, `t.payload("Some")`.
pub trait Project: IntoPlace + Sized {
    fn field(self, name: &str) -> Place {
        self.into_place().project(Projection::Field(name.into()))
    }
    fn deref(self) -> Place {
        self.into_place().project(Projection::Deref)
    }
    /// `(x as Variant).0`: the payload of a single-payload variant.
    fn payload(self, variant: &str) -> Place {
        self.into_place().project(Projection::Variant(variant.into())).project(Projection::Field("0".into()))
    }
    fn at_index(self, index: LocalId) -> Place {
        self.into_place().project(Projection::Index(index))
    }
    fn at_const(self, index: u64) -> Place {
        self.into_place().project(Projection::ConstIndex(index))
    }
}

impl Project for LocalId {}
impl Project for Place {}

pub fn method(receiver: impl IntoOperand, name: &str, args: Vec<Operand>) -> Rvalue {
    Rvalue::Call(Call {
        callee: Callee::Method(name.into()),
        receiver: Some(receiver.into_operand()),
        args,
        span: Span::default(),
    })
}

pub fn call(path: &str, args: Vec<Operand>) -> Rvalue {
    Rvalue::Call(Call {
        callee: Callee::Path(path.split("::").map(String::from).collect()),
        receiver: None,
        args,
        span: Span::default(),
    })
}

pub fn op(value: impl IntoOperand) -> Operand {
    value.into_operand()
}

pub fn use_(value: impl IntoOperand) -> Rvalue {
    Rvalue::Use(value.into_operand())
}

pub fn ref_(place: impl IntoPlace) -> Rvalue {
    Rvalue::Ref { place: place.into_place(), mutable: false }
}

pub fn eq(a: impl IntoOperand, b: impl IntoOperand) -> Rvalue {
    Rvalue::BinaryOp(BinOp::Eq, a.into_operand(), b.into_operand())
}

pub fn ne(a: impl IntoOperand, b: impl IntoOperand) -> Rvalue {
    Rvalue::BinaryOp(BinOp::Ne, a.into_operand(), b.into_operand())
}

pub fn not(a: impl IntoOperand) -> Rvalue {
    Rvalue::UnaryOp(UnOp::Not, a.into_operand())
}

pub fn some(value: impl IntoOperand) -> Rvalue {
    Rvalue::Aggregate { kind: AggregateKind::Variant(vec!["Some".into()]), fields: vec![(None, value.into_operand())] }
}

pub fn tuple(values: Vec<Operand>) -> Rvalue {
    Rvalue::Aggregate { kind: AggregateKind::Tuple, fields: values.into_iter().map(|v| (None, v)).collect() }
}

pub fn await_(value: impl IntoOperand) -> Rvalue {
    Rvalue::Await(value.into_operand())
}

pub fn int(value: i64) -> Operand {
    Operand::Const(Const::Int(value.to_string()))
}

pub fn closure(body: BodyId) -> Rvalue {
    Rvalue::Closure(body)
}

pub fn capture(local: LocalId) -> Operand {
    Operand::Capture(local)
}
