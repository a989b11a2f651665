//! The typed per-body IR (analysis core v2): each fn, closure and async block becomes a
//! [`Body`], a control-flow graph of basic blocks over locals and places, lowered from
//! syn by `pairlint-syntax`'s `lower` and analysed by `pairlint-analysis`'s dataflow.
//!
//! The shape follows rustc's MIR, simplified to what the rules ask: every value lives
//! in a [`Local`], every read and write names a [`Place`] (a local or a static, then
//! fields, indexes, derefs and enum-variant downcasts), statements only assign, and
//! control flow is explicit in each block's [`Terminator`] (branches on a bool or on an
//! enum variant, `return`, the error edge of `?`). Patterns are lowered into a
//! variant switch plus assignments from the scrutinee's projections, so a binding's
//! provenance is the place it was read from. Closures and async blocks are bodies of
//! their own, referenced by [`BodyId`]; their captured locals are named by the parent's
//! local ids.
//!
//! Ids are typed indexes ([`LocalId`], [`BlockId`], [`BodyId`]) so a block can never be
//! used as a local. Everything here is plain data: no syntax, no analysis.

use crate::finding::Span;
use crate::model::Ty;
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
            pub fn new(index: usize) -> Self {
                // Bodies are bounded by the file size cap (16 MB), far below u32::MAX.
                $name(index as u32)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

index_type!(
    /// A local of one body: `_0`, `_1`... Parameters come first (`self` included).
    LocalId,
    "_"
);
index_type!(
    /// A basic block of one body: `bb0` is the entry.
    BlockId,
    "bb"
);
index_type!(
    /// A body of one file: fns, closures and async blocks, in source order of their start.
    BodyId,
    "body"
);

/// What a body is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum BodyKind {
    /// A fn or method (`self_ty` is the impl's or trait's type).
    Fn { self_ty: Option<String>, is_async: bool },
    /// A closure, defined in `parent`.
    Closure { parent: BodyId },
    /// An `async { .. }` block, defined in `parent`.
    AsyncBlock { parent: BodyId },
}

/// One fn, closure or async block as a control-flow graph.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Body {
    pub kind: BodyKind,
    /// The item path inside the file (`kiosk::PrintServer::print`; closures get
    /// `{closure#N}` appended to their parent's).
    pub qualified: String,
    pub span: Span,
    /// Number of parameters: locals `_0.._{params-1}` (for closures, the closure's
    /// own parameters; captures are the parent's locals, see [`Operand::Capture`]).
    pub params: u32,
    pub locals: Vec<Local>,
    /// `bb0` is the entry.
    pub blocks: Vec<BasicBlock>,
    /// The declared return type (`Ty::Unknown` when not written).
    pub ret: Ty,
    /// Test code (a `#[test]` fn, anything in a `#[cfg(test)]` item, their closures),
    /// kept because tests are linted too (`--include-tests`).
    pub test: bool,
}

/// A named or temporary value of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Local {
    /// The source name (`img`, `self`); None for a temporary.
    pub name: Option<String>,
    /// The written type, if any (a parameter's, `let x: T`); inference fills the rest.
    pub ty: Ty,
    pub span: Span,
}

/// Straight-line statements and the terminator that leaves the block.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct BasicBlock {
    pub stmts: Vec<Stmt>,
    pub term: Terminator,
    pub term_span: Span,
}

/// A statement: an assignment of a value to a place.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Stmt {
    pub dest: Place,
    pub value: Rvalue,
    pub span: Span,
}

/// Where a place starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum PlaceBase {
    Local(LocalId),
    /// A path naming a static, const or global (`QUEUE`, `crate::STATE`).
    Static(String),
}

/// One step from a place to a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Projection {
    /// `.name` (tuple fields are their index as text: `.0`).
    Field(String),
    /// `[i]` with a constant index.
    ConstIndex(u64),
    /// `[i]` with any other index, held in a local.
    Index(LocalId),
    /// `*p`, and the autoderef of a method receiver or field access through a reference
    /// or smart pointer when it is written (`*guard`).
    Deref,
    /// The payload of an enum variant, read after a switch chose it (`Some(x)` reads
    /// `(scrutinee as Some).0`).
    Variant(String),
}

/// A memory location: a base and the projections walked from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Place {
    pub base: PlaceBase,
    pub projections: Vec<Projection>,
}

impl Place {
    pub fn local(id: LocalId) -> Self {
        Place { base: PlaceBase::Local(id), projections: Vec::new() }
    }

    /// This place with one more projection.
    pub fn project(&self, projection: Projection) -> Self {
        let mut place = self.clone();
        place.projections.push(projection);
        place
    }

    /// The local this place starts at, if it is not a static.
    pub fn base_local(&self) -> Option<LocalId> {
        match self.base {
            PlaceBase::Local(id) => Some(id),
            PlaceBase::Static(_) => None,
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Const {
    Bool(bool),
    Int(String),
    Str(String),
    Unit,
    /// A unit-like enum variant or constant path (`None`, `Status::Ready`).
    Path(String),
    /// Another literal (float, char, byte string).
    Other(String),
}

/// A value read by a statement or terminator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Operand {
    Place(Place),
    Const(Const),
    /// A closure's or async block's use of a local of the enclosing body.
    Capture(LocalId),
}

/// What is called.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Callee {
    /// `receiver.name(args)`; the receiver is [`Call::receiver`].
    Method(String),
    /// `a::b::name(args)`, segments as written (`Vec::new`, `Some`, `helper`).
    Path(Vec<String>),
    /// A macro lowered to a call (`format!`, `println!`), by its name without `!`.
    Macro(String),
    /// A call of a value (`f(x)` where `f` is a local closure).
    Value(Operand),
}

impl Callee {
    /// The called name: a method's or macro's, a path's last segment; empty for a
    /// call of a value.
    pub fn name(&self) -> &str {
        match self {
            Callee::Method(name) | Callee::Macro(name) => name,
            Callee::Path(segments) => segments.last().map(String::as_str).unwrap_or(""),
            Callee::Value(_) => "",
        }
    }
}

/// A call with its receiver and arguments already evaluated into operands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Call {
    pub callee: Callee,
    pub receiver: Option<Operand>,
    pub args: Vec<Operand>,
    /// The callee's name and parentheses, for labels.
    pub span: Span,
}

/// Binary operators the analysis distinguishes; the rest are [`BinOp::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Other,
}

/// Unary operators: `!` matters to a check's polarity; `-` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum UnOp {
    Not,
    Neg,
}

/// The kinds of value a struct-like literal builds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum AggregateKind {
    /// `Name { .. }` or a tuple struct `Name(..)` (the type's last segment).
    Struct(String),
    /// `Some(x)`, `Ok(x)`, `Err(x)`, `Enum::V(..)`: the variant path as written.
    Variant(Vec<String>),
    Tuple,
    Array,
}

/// The value of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Rvalue {
    Use(Operand),
    /// `&p` / `&mut p`.
    Ref {
        place: Place,
        mutable: bool,
    },
    Call(Call),
    Aggregate {
        kind: AggregateKind,
        fields: Vec<(Option<String>, Operand)>,
    },
    BinaryOp(BinOp, Operand, Operand),
    UnaryOp(UnOp, Operand),
    /// A closure or async block value.
    Closure(BodyId),
    /// `.await` of the operand.
    Await(Operand),
    /// An expression the lowering does not model (a cast, a range, inline asm...),
    /// with the operands it reads, so provenance still flows conservatively.
    Opaque(Vec<Operand>),
}

/// How a block ends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Terminator {
    Goto(BlockId),
    /// `if cond`: `then` when true.
    SwitchBool {
        cond: Operand,
        then: BlockId,
        otherwise: BlockId,
    },
    /// A match on an enum's variant (`match`, `if let`, `let .. else`, `?`): one
    /// target per variant named, `otherwise` for the rest (wildcards, bindings).
    SwitchVariant {
        scrutinee: Place,
        targets: Vec<(String, BlockId)>,
        otherwise: Option<BlockId>,
    },
    /// Leaves the body with the operand as its value (`return x`, a tail expression).
    Return(Operand),
    /// Leaves the body without a value: `panic!`, `unreachable!`, a call to a fn
    /// returning `!` that the lowering knows.
    Diverge,
}

impl Terminator {
    /// The blocks control can go to next.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Terminator::Goto(b) => vec![*b],
            Terminator::SwitchBool { then, otherwise, .. } => vec![*then, *otherwise],
            Terminator::SwitchVariant { targets, otherwise, .. } => {
                targets.iter().map(|(_, b)| *b).chain(otherwise.iter().copied()).collect()
            }
            Terminator::Return(_) | Terminator::Diverge => Vec::new(),
        }
    }
}

/// Every body of one file, in source order.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FileIr {
    pub bodies: Vec<Body>,
}

impl Body {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.index()]
    }

    pub fn block(&self, id: BlockId) -> &BasicBlock {
        &self.blocks[id.index()]
    }

    pub fn block_ids(&self) -> impl Iterator<Item = BlockId> {
        (0..self.blocks.len()).map(BlockId::new)
    }

    /// Predecessors of every block, by block index.
    pub fn predecessors(&self) -> Vec<Vec<BlockId>> {
        let mut preds = vec![Vec::new(); self.blocks.len()];
        for id in self.block_ids() {
            for succ in self.block(id).term.successors() {
                if let Some(list) = preds.get_mut(succ.index()) {
                    list.push(id);
                }
            }
        }
        preds
    }
}

// The textual form below is MIR-like and stable: IR snapshot tests review it.

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = match &self.base {
            PlaceBase::Local(id) => id.to_string(),
            PlaceBase::Static(path) => format!("static {path}"),
        };
        for projection in &self.projections {
            text = match projection {
                Projection::Field(name) => format!("{text}.{name}"),
                Projection::ConstIndex(i) => format!("{text}[{i}]"),
                Projection::Index(local) => format!("{text}[{local}]"),
                Projection::Deref => format!("(*{text})"),
                Projection::Variant(v) => format!("({text} as {v})"),
            };
        }
        f.write_str(&text)
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Bool(b) => write!(f, "{b}"),
            Const::Int(i) => write!(f, "{i}"),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::Unit => f.write_str("()"),
            Const::Path(p) => write!(f, "const {p}"),
            Const::Other(o) => write!(f, "const {o}"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Place(p) => write!(f, "{p}"),
            Operand::Const(c) => write!(f, "{c}"),
            Operand::Capture(id) => write!(f, "capture {id}"),
        }
    }
}

fn comma_separated<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args = comma_separated(&self.args);
        match (&self.callee, &self.receiver) {
            (Callee::Method(name), Some(recv)) => write!(f, "{recv}.{name}({args})"),
            (Callee::Method(name), None) => write!(f, "?.{name}({args})"),
            (Callee::Path(segs), _) => write!(f, "{}({args})", segs.join("::")),
            (Callee::Macro(name), _) => write!(f, "{name}!({args})"),
            (Callee::Value(callee), _) => write!(f, "({callee})({args})"),
        }
    }
}

impl fmt::Display for Rvalue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rvalue::Use(op) => write!(f, "{op}"),
            Rvalue::Ref { place, mutable } => write!(f, "&{}{place}", if *mutable { "mut " } else { "" }),
            Rvalue::Call(call) => write!(f, "{call}"),
            Rvalue::Aggregate { kind, fields } => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, op)| match name {
                        Some(name) => format!("{name}: {op}"),
                        None => op.to_string(),
                    })
                    .collect();
                let fields = fields.join(", ");
                match kind {
                    AggregateKind::Struct(name) => write!(f, "{name} {{ {fields} }}"),
                    AggregateKind::Variant(path) => write!(f, "{}({fields})", path.join("::")),
                    AggregateKind::Tuple => write!(f, "({fields})"),
                    AggregateKind::Array => write!(f, "[{fields}]"),
                }
            }
            Rvalue::BinaryOp(op, a, b) => write!(f, "{op:?}({a}, {b})"),
            Rvalue::UnaryOp(op, a) => write!(f, "{op:?}({a})"),
            Rvalue::Closure(body) => write!(f, "closure {body}"),
            Rvalue::Await(op) => write!(f, "await {op}"),
            Rvalue::Opaque(ops) => write!(f, "opaque({})", comma_separated(ops)),
        }
    }
}

impl fmt::Display for Terminator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Terminator::Goto(b) => write!(f, "goto {b}"),
            Terminator::SwitchBool { cond, then, otherwise } => {
                write!(f, "switch {cond} [true: {then}, false: {otherwise}]")
            }
            Terminator::SwitchVariant { scrutinee, targets, otherwise } => {
                let mut arms: Vec<String> = targets.iter().map(|(v, b)| format!("{v}: {b}")).collect();
                if let Some(b) = otherwise {
                    arms.push(format!("_: {b}"));
                }
                write!(f, "match {scrutinee} [{}]", arms.join(", "))
            }
            Terminator::Return(op) => write!(f, "return {op}"),
            Terminator::Diverge => f.write_str("diverge"),
        }
    }
}

/// A type's short text for the IR listing.
fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::Path { name, args } if args.is_empty() => name.clone(),
        Ty::Path { name, args } => {
            format!("{name}<{}>", args.iter().map(ty_text).collect::<Vec<_>>().join(", "))
        }
        Ty::Ref(inner) => format!("&{}", ty_text(inner)),
        Ty::Slice(inner) => format!("[{}]", ty_text(inner)),
        Ty::Tuple(items) => format!("({})", items.iter().map(ty_text).collect::<Vec<_>>().join(", ")),
        Ty::Unknown => "?".into(),
    }
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            BodyKind::Fn { is_async: true, .. } => "async fn".to_string(),
            BodyKind::Fn { .. } => "fn".to_string(),
            BodyKind::Closure { parent } => format!("closure in {parent}"),
            BodyKind::AsyncBlock { parent } => format!("async block in {parent}"),
        };
        writeln!(f, "{kind} {} -> {} {{", self.qualified, ty_text(&self.ret))?;
        for (i, local) in self.locals.iter().enumerate() {
            let role = if (i as u32) < self.params { "param" } else { "let" };
            let name = local.name.as_deref().unwrap_or("tmp");
            writeln!(f, "    {role} {}: {} // {name}", LocalId::new(i), ty_text(&local.ty))?;
        }
        for id in self.block_ids() {
            let block = self.block(id);
            writeln!(f, "    {id}: {{")?;
            for stmt in &block.stmts {
                writeln!(f, "        {} = {}; // line {}", stmt.dest, stmt.value, stmt.span.line)?;
            }
            writeln!(f, "        {}; // line {}", block.term, block.term_span.line)?;
            writeln!(f, "    }}")?;
        }
        writeln!(f, "}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(line: u32) -> Span {
        Span { line, column: 1, end_line: line, end_column: 2, byte_start: 0, byte_end: 1 }
    }

    // A two-way branch: the listing shows locals, statements, terminators and lines, and
    // predecessors are the inverse of successors.
    #[test]
    fn listing_and_predecessors_of_a_branch() {
        let q = LocalId(0);
        let head = LocalId(1);
        let body = Body {
            kind: BodyKind::Fn { self_ty: None, is_async: false },
            qualified: "take".into(),
            span: span(1),
            params: 1,
            locals: vec![
                Local { name: Some("q".into()), ty: Ty::Unknown, span: span(1) },
                Local { name: Some("head".into()), ty: Ty::Unknown, span: span(2) },
            ],
            blocks: vec![
                BasicBlock {
                    stmts: vec![Stmt {
                        dest: Place::local(head),
                        value: Rvalue::Call(Call {
                            callee: Callee::Method("pop_front".into()),
                            receiver: Some(Operand::Place(Place::local(q).project(Projection::Deref))),
                            args: vec![],
                            span: span(2),
                        }),
                        span: span(2),
                    }],
                    term: Terminator::SwitchVariant {
                        scrutinee: Place::local(head),
                        targets: vec![("Some".into(), BlockId(1))],
                        otherwise: Some(BlockId(2)),
                    },
                    term_span: span(3),
                },
                BasicBlock {
                    stmts: vec![],
                    term: Terminator::Return(Operand::Place(
                        Place::local(head)
                            .project(Projection::Variant("Some".into()))
                            .project(Projection::Field("0".into())),
                    )),
                    term_span: span(4),
                },
                BasicBlock { stmts: vec![], term: Terminator::Diverge, term_span: span(5) },
            ],
            ret: Ty::Unknown,
            test: false,
        };
        let text = body.to_string();
        assert!(text.contains("_1 = (*_0).pop_front(); // line 2"), "{text}");
        assert!(text.contains("match _1 [Some: bb1, _: bb2]; // line 3"), "{text}");
        assert!(text.contains("return (_1 as Some).0; // line 4"), "{text}");
        assert_eq!(body.predecessors(), vec![vec![], vec![BlockId(0)], vec![BlockId(0)]]);
    }
}
