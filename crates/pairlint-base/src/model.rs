//! The compact facts one file reduces to. Syntax trees never leave `extract`; every
//! later stage works on these plain values, so files can be summarised independently
//! (in parallel, or from a cache) and dropped.

use crate::finding::Span;
use crate::sigs::FileSigs;
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A type as far as pairlint needs to know it: the last path segment and its generic
/// type arguments (`std::sync::Arc<Mutex<VecDeque<Image>>>` keeps Arc, Mutex, VecDeque,
/// Image).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Ty {
    Path {
        name: String,
        args: Vec<Ty>,
    },
    /// `&T` / `&mut T`.
    Ref(Box<Ty>),
    /// `[T]`, `[T; N]`: positional like a Vec.
    Slice(Box<Ty>),
    Tuple(Vec<Ty>),
    Unknown,
}

impl Ty {
    pub fn name(&self) -> Option<&str> {
        match self {
            Ty::Path { name, .. } => Some(name),
            Ty::Ref(inner) => inner.name(),
            _ => None,
        }
    }
}

/// What a place expression is rooted at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Root {
    /// `self`.
    SelfValue,
    /// A fn parameter, by index in [`FnFacts::params`].
    Param(usize),
    /// A path naming a static or global (`QUEUE`, `crate::STATE`).
    Static(String),
}

/// A place in shared state: a root and the fields walked from it
/// (`self.state.queue` = SelfValue + [state, queue]). Locks, unwraps and awaits on the
/// way are looked through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Place {
    pub root: Root,
    pub fields: Vec<String>,
    /// Field counts at which the value was `.clone()`d: a clone of an `Arc` still
    /// shares, a clone of a `Vec` is a private copy.
    pub clones: Vec<usize>,
    /// The text as written, for messages (`self.queue`).
    pub text: String,
}

pub type OriginId = usize;
pub type CallId = usize;

/// Where in a fn's control flow an event happens: its order and the chain of
/// enclosing scopes (blocks and branches), innermost last.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Point {
    pub seq: u32,
    pub scopes: Vec<u32>,
}

/// How an item is fetched from a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum AccessKind {
    /// By position, for any receiver type (`pop_front`, `recv`).
    PositionalStrong,
    /// By position, only when the receiver is known to be queue-like (`pop`, `first`,
    /// `[0]`, `iter().next()`).
    PositionalWeak,
    /// By key or predicate (`get(&k)`, `remove(&k)`, `iter().find(..)`).
    Keyed,
    /// Iterating all items (`for x in self.items.iter()`).
    Iter,
    /// The item held directly in a field (`&self.current`, `self.held.take()`).
    Ref,
}

/// A source of values that the rules track.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum OriginKind {
    Param(usize),
    SelfValue,
    /// An item fetched from a place (shared when the place's root is).
    Access {
        place: Place,
        method: String,
        kind: AccessKind,
    },
    /// The value a call returns (resolved to a crate fn later, maybe).
    Call(CallId),
    /// A local with a written type (`let img: Image = ...`, `|img: &Image|`).
    Typed(Ty),
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Origin {
    pub kind: OriginKind,
    pub span: Span,
    pub at: Point,
    /// Set when this value is fetched in the fallback of a keyed lookup that missed
    /// (None/Err arm, `or_else`, if-let else...): the lookup's origins.
    pub fallback_of: Option<Vec<OriginId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum OutputKind {
    /// A call whose name says it emits (`print`, `send_to`...).
    Call(String),
    /// The fn's return value (tail or `return`).
    Return,
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Output {
    pub kind: OutputKind,
    pub span: Span,
    pub origins: Vec<OriginId>,
    pub at: Point,
    /// The call behind a named output; when it resolves to a crate fn, that fn's
    /// summary decides what is really output.
    pub call: Option<CallId>,
}

/// A requester check that leaves the path on failure, and so dominates what follows
/// it in `scope` after `seq`.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Guard {
    pub scope: u32,
    pub seq: u32,
    /// Origins the check relates to the requester.
    pub origins: Vec<OriginId>,
    /// Calls whose result decided the guard; they are checks if their callee's
    /// summary says so.
    pub calls: Vec<CallId>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Callee {
    /// `recv.name(..)`; `on_self` when the receiver is `self`.
    Method { name: String, on_self: bool },
    /// `a::b::name(..)`, segments as written.
    Path(Vec<String>),
}

impl Callee {
    pub fn name(&self) -> &str {
        match self {
            Callee::Method { name, .. } => name,
            Callee::Path(segs) => segs.last().map(String::as_str).unwrap_or(""),
        }
    }
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Call {
    pub callee: Callee,
    /// The receiver's place, so its type can pick the right impl.
    pub receiver_place: Option<Place>,
    pub span: Span,
    /// Receiver origins (method calls), then one entry per argument.
    pub receiver: Vec<OriginId>,
    pub args: Vec<Vec<OriginId>>,
    /// Which arguments are identity expressions (for check summaries).
    pub args_identity: Vec<bool>,
    pub at: Point,
    /// The origin standing for this call's result.
    pub result: OriginId,
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub is_identity: bool,
}

/// Everything pairlint keeps of one fn (closures included in their enclosing fn).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FnFacts {
    pub name: String,
    /// The `impl` type, for methods.
    pub self_ty: Option<String>,
    pub has_self: bool,
    pub name_span: Span,
    /// The item path inside the file: inline `mod`s, the enclosing fn for nested
    /// fns, the `impl`/trait type, then the name (`kiosk::PrintServer::print`). Stable
    /// under edits elsewhere, so baselines fingerprint findings by it.
    pub qualified: String,
    /// The whole fn, attributes included: findings are attributed to the innermost fn
    /// whose span holds them.
    pub span: Span,
    pub params: Vec<Param>,
    /// Serves one requester: has an identity, request, session receiver or extractor.
    pub per_requester: bool,
    /// The first requester identity seen, for labels ("requester identity `cmd`").
    pub identity: Option<(Span, String)>,
    pub origins: Vec<Origin>,
    pub outputs: Vec<Output>,
    pub guards: Vec<Guard>,
    pub calls: Vec<Call>,
    /// Where values are bound to names (`let img = ..`, `Some(img) =>`), for labels
    /// that show how an item flows.
    pub bindings: Vec<Binding>,
}

/// A name bound to a value carrying some origins.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Binding {
    pub name: String,
    pub span: Span,
    pub origins: Vec<OriginId>,
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<(String, Ty)>,
}

impl FileFacts {
    /// Gives back the spare capacity of every list: facts of a whole crate are held
    /// for its analysis, and lists grown by doubling carry up to half again in slack.
    pub fn shrink(&mut self) {
        self.structs.shrink_to_fit();
        self.aliases.shrink_to_fit();
        self.statics.shrink_to_fit();
        self.item_lines.shrink_to_fit();
        self.test_items.shrink_to_fit();
        self.generated.shrink_to_fit();
        self.sigs.shrink();
        self.fns.shrink_to_fit();
        for f in &mut self.fns {
            f.params.shrink_to_fit();
            f.bindings.shrink_to_fit();
            f.guards.shrink_to_fit();
            f.outputs.shrink_to_fit();
            f.origins.shrink_to_fit();
            f.calls.shrink_to_fit();
            for o in &mut f.origins {
                o.at.scopes.shrink_to_fit();
            }
            for c in &mut f.calls {
                c.at.scopes.shrink_to_fit();
                c.receiver.shrink_to_fit();
                c.args.shrink_to_fit();
                c.args_identity.shrink_to_fit();
            }
            for o in &mut f.outputs {
                o.at.scopes.shrink_to_fit();
                o.origins.shrink_to_fit();
            }
            for b in &mut f.bindings {
                b.origins.shrink_to_fit();
            }
        }
    }
}

/// The facts of one file.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FileFacts {
    pub path: PathBuf,
    pub structs: Vec<StructDef>,
    /// `type A = B;`
    pub aliases: Vec<(String, Ty)>,
    /// `static`/`thread_local!`/lazy globals with their types.
    pub statics: Vec<(String, Ty)>,
    pub fns: Vec<FnFacts>,
    /// Line ranges of items (for suppressions that cover an item).
    pub item_lines: Vec<(u32, u32)>,
    /// Line ranges (attributes included) of the outermost test items left out of the
    /// facts and the IR (`#[cfg(test)]` modules, `#[test]` fns...; none when test code
    /// is kept): counted in the summary, and suppressions inside are not "unused".
    pub test_items: Vec<(u32, u32)>,
    /// Item-level includes of what a build script writes (`include!(concat!(env!(
    /// "OUT_DIR"), "/x.rs"))`, tonic's `include_proto!("pkg")`): the line and the
    /// include as shown in a note. pairlint never runs build scripts, so that code is
    /// not linted.
    pub generated: Vec<(u32, String)>,
    /// The first sign that the file serves others (a web or RPC framework, a listening
    /// socket's `bind`, a websocket `accept`), with its line, as shown in a note; test
    /// code left out. A binary-only crate without one has no requesters by default.
    pub server_entry: Option<(u32, String)>,
    /// The item signatures and `use` imports as written, for the type model.
    pub sigs: FileSigs,
    /// Every body of the file lowered to the typed IR (analysis core v2), from the
    /// same parse as the facts above, so spans agree.
    pub ir: crate::ir::FileIr,
}
