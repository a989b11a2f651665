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

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub is_identity: bool,
}

/// What the extractor keeps of one fn: its signature, its place, and whether it serves
/// one requester (a closure parameter naming the requester counts for its fn). Bodies
/// are read through the IR ([`FileFacts::ir`]).
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
