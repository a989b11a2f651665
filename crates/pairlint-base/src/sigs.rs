//! Item signatures as written, for the type model: full written types ([`WrittenTy`]),
//! generics with their bounds, structs, enums, aliases, fn/method/trait signatures,
//! statics and the `use` imports of each module. Extraction fills one [`FileSigs`] per
//! file; the analysis assembles a crate's from every file's (`CrateSigs::from_files` in
//! `pairlint_analysis::types::facts`).
//!
//! Scopes are file-local here: a [`ScopeId`] indexes [`FileSigs::scopes`] (0 is the
//! file itself, then its inline `mod`s and the fn bodies that have `use`s of their
//! own). Nothing in a file's sigs depends on where the file is, so they are cached by
//! content like the rest of its facts.

use crate::model::Ty;
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};
use std::fmt;

/// A type as written in the source, names not yet resolved: `axum::extract::Path<u64>`
/// keeps every segment, `impl Iterator<Item = Job>` keeps its bound and binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum WrittenTy {
    /// A path with its generic arguments and associated-type bindings (`Item = Job`).
    Path {
        segments: Vec<String>,
        args: Vec<WrittenTy>,
        bindings: Vec<(String, WrittenTy)>,
    },
    Ref {
        mutable: bool,
        inner: Box<WrittenTy>,
    },
    /// `[T]` and `[T; N]`.
    Slice(Box<WrittenTy>),
    /// `(A, B)`; `()` is the empty tuple.
    Tuple(Vec<WrittenTy>),
    /// `!`.
    Never,
    /// `dyn A + B`: each bound is a [`WrittenTy::Path`] (lifetimes dropped).
    Dyn(Vec<WrittenTy>),
    /// `impl A + B` in argument or return position.
    Impl(Vec<WrittenTy>),
    /// `fn(A) -> R`, and the `|A| R` shape the std model writes closure arguments in.
    Fn {
        params: Vec<WrittenTy>,
        ret: Box<WrittenTy>,
    },
    /// `_`, or a type the extractor could not reduce (a macro, `typeof`).
    Infer,
}

/// A generic parameter with its bounds, `where` clauses included (`T: Deref<Target = Job>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct GenericParam {
    pub name: String,
    pub bounds: Vec<WrittenTy>,
}

/// A struct with its generic parameters and field types (tuple fields are named `0`, `1`..).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct StructSig {
    pub scope: ScopeId,
    pub name: String,
    pub generics: Vec<GenericParam>,
    pub fields: Vec<(String, WrittenTy)>,
}

/// One variant of an enum: its payload fields (tuple payloads named `0`, `1`..).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct VariantSig {
    pub name: String,
    pub fields: Vec<(String, WrittenTy)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct EnumSig {
    pub scope: ScopeId,
    pub name: String,
    pub generics: Vec<GenericParam>,
    pub variants: Vec<VariantSig>,
}

/// `type Name<G> = Ty;`
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct AliasSig {
    pub scope: ScopeId,
    pub name: String,
    pub generics: Vec<GenericParam>,
    pub ty: WrittenTy,
}

/// How a method takes `self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum SelfKind {
    Value,
    Ref,
    RefMut,
}

/// A fn, method or trait method signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FnSig {
    pub scope: ScopeId,
    pub name: String,
    /// The impl's self type (`impl<T> Queue<T>` gives `Queue<T>`); None for free fns and
    /// trait declarations.
    pub self_ty: Option<WrittenTy>,
    /// `impl Trait for X` or the declaring trait.
    pub trait_name: Option<String>,
    /// The impl's generics, then the fn's own.
    pub generics: Vec<GenericParam>,
    pub receiver: Option<SelfKind>,
    /// Parameters after `self`.
    pub params: Vec<(String, WrittenTy)>,
    /// `()` when not written.
    pub ret: WrittenTy,
    pub is_async: bool,
}

/// A trait: its generics, associated types (with bounds) and method signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct TraitSig {
    pub scope: ScopeId,
    pub name: String,
    pub generics: Vec<GenericParam>,
    pub assoc_types: Vec<GenericParam>,
    pub methods: Vec<FnSig>,
}

/// One name a `use` brings into a module: `use a::b::C as D;` is alias `D`, path
/// `[a, b, C]`; a glob `use a::b::*;` is alias `*`, path `[a, b]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Import {
    pub alias: String,
    pub path: Vec<String>,
}

/// The scope an item is written in. In a [`FileSigs`], an index into its
/// [`FileSigs::scopes`]; in the crate's assembled sigs, an index into the crate's list
/// of scopes, whose imports resolve the names the item's types are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ScopeId(pub u32);

/// A module of a file (the file itself or an inline `mod`), or the body of a fn that
/// has `use` items of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ScopeSig {
    /// The module's path inside the file: empty for the file, `[a, b]` for `mod a { mod
    /// b {..} }`. A fn body's scope has the path of the module the fn is in.
    pub module: Vec<String>,
    /// For a fn body: the scope it is written in, whose imports it also sees (its own
    /// come first and shadow them). None for modules, which see only their own.
    pub parent: Option<ScopeId>,
    /// The `use` imports (and `extern crate` renames) written in this scope.
    pub imports: Vec<Import>,
}

/// Everything of one file the type model reads: its scopes and the signatures of its
/// items, each with the file-local [`ScopeId`] it is written in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FileSigs {
    /// Scope 0 is the file; then inline `mod`s and fn bodies with imports, a parent
    /// always before its children.
    pub scopes: Vec<ScopeSig>,
    pub structs: Vec<StructSig>,
    pub enums: Vec<EnumSig>,
    pub aliases: Vec<AliasSig>,
    /// Free fns, methods and associated fns (trait declarations' methods are in their
    /// [`TraitSig`]).
    pub fns: Vec<FnSig>,
    pub traits: Vec<TraitSig>,
    /// `static`s, consts and lazy globals (`lazy_static!`, `thread_local!`): name and
    /// type.
    pub statics: Vec<(ScopeId, String, WrittenTy)>,
}

impl FileSigs {
    /// Gives back the spare capacity of the lists (see `FileFacts::shrink`).
    pub fn shrink(&mut self) {
        self.scopes.shrink_to_fit();
        for scope in &mut self.scopes {
            scope.imports.shrink_to_fit();
        }
        self.structs.shrink_to_fit();
        self.enums.shrink_to_fit();
        self.aliases.shrink_to_fit();
        self.fns.shrink_to_fit();
        self.traits.shrink_to_fit();
        self.statics.shrink_to_fit();
    }
}

impl From<&Ty> for WrittenTy {
    /// Today's facts keep a path's last segment only; a `::` in the name is split, so
    /// the conversion keeps working when the extractor starts keeping whole paths.
    fn from(ty: &Ty) -> Self {
        match ty {
            Ty::Path { name, args } => WrittenTy::Path {
                segments: name.split("::").map(str::to_owned).collect(),
                args: args.iter().map(WrittenTy::from).collect(),
                bindings: Vec::new(),
            },
            Ty::Ref(inner) => WrittenTy::Ref { mutable: false, inner: Box::new(WrittenTy::from(&**inner)) },
            Ty::Slice(inner) => WrittenTy::Slice(Box::new(WrittenTy::from(&**inner))),
            Ty::Tuple(items) => WrittenTy::Tuple(items.iter().map(WrittenTy::from).collect()),
            Ty::Unknown => WrittenTy::Infer,
        }
    }
}

/// Why a written type's text did not parse, with the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub message: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.at)
    }
}

impl WrittenTy {
    /// A path type without arguments (`u64`, `Job`).
    pub fn named(name: &str) -> Self {
        WrittenTy::Path {
            segments: name.split("::").map(str::to_owned).collect(),
            args: Vec::new(),
            bindings: Vec::new(),
        }
    }

    pub fn unit() -> Self {
        WrittenTy::Tuple(Vec::new())
    }

    /// Parses the type grammar the std model and tests write types in: paths with
    /// `<args>` and `Name = Ty` bindings, `&`/`&mut`, `[T]`/`[T; N]`, tuples, `!`, `_`,
    /// `dyn A + B`, `impl A + B`, `fn(A) -> R` and the closure shape `|A, B| R`.
    /// Lifetimes are skipped.
    pub fn parse(text: &str) -> Result<WrittenTy, ParseError> {
        let mut parser = Parser { text: text.as_bytes(), at: 0 };
        let ty = parser.ty()?;
        parser.skip_ws();
        if parser.at != parser.text.len() {
            return Err(parser.error("trailing text"));
        }
        Ok(ty)
    }
}

struct Parser<'t> {
    text: &'t [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError { at: self.at, message }
    }

    fn skip_ws(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.text[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str, message: &'static str) -> Result<(), ParseError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.at;
        while self.text.get(self.at).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_') {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    /// A keyword: the word followed by a non-identifier byte.
    fn keyword(&mut self, word: &str) -> bool {
        self.skip_ws();
        let end = self.at + word.len();
        let follows_ident = self.text.get(end).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
        if self.text[self.at..].starts_with(word.as_bytes()) && !follows_ident {
            self.at = end;
            true
        } else {
            false
        }
    }

    fn skip_lifetime(&mut self) -> bool {
        self.skip_ws();
        if self.text.get(self.at) != Some(&b'\'') {
            return false;
        }
        self.at += 1;
        self.ident();
        true
    }

    fn ty(&mut self) -> Result<WrittenTy, ParseError> {
        self.skip_ws();
        if self.eat("&") {
            self.skip_lifetime();
            let mutable = self.keyword("mut");
            return Ok(WrittenTy::Ref { mutable, inner: Box::new(self.ty()?) });
        }
        if self.eat("!") {
            return Ok(WrittenTy::Never);
        }
        if self.eat("[") {
            let inner = self.ty()?;
            if self.eat(";") {
                while self.text.get(self.at).is_some_and(|&b| b != b']') {
                    self.at += 1;
                }
            }
            self.expect("]", "expected `]`")?;
            return Ok(WrittenTy::Slice(Box::new(inner)));
        }
        if self.eat("(") {
            let items = self.list(")")?;
            return Ok(WrittenTy::Tuple(items));
        }
        if self.eat("|") {
            let params = self.list("|")?;
            let ret = self.ty()?;
            return Ok(WrittenTy::Fn { params, ret: Box::new(ret) });
        }
        if self.keyword("dyn") {
            return Ok(WrittenTy::Dyn(self.bounds()?));
        }
        if self.keyword("impl") {
            return Ok(WrittenTy::Impl(self.bounds()?));
        }
        if self.keyword("fn") {
            self.expect("(", "expected `(`")?;
            let params = self.list(")")?;
            let ret = if self.eat("->") { self.ty()? } else { WrittenTy::unit() };
            return Ok(WrittenTy::Fn { params, ret: Box::new(ret) });
        }
        if self.keyword("_") {
            return Ok(WrittenTy::Infer);
        }
        self.path()
    }

    /// Comma-separated types up to `close` (consumed).
    fn list(&mut self, close: &str) -> Result<Vec<WrittenTy>, ParseError> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(self.ty()?);
            if !self.eat(",") {
                self.expect(close, "expected `,` or a closing bracket")?;
                break;
            }
        }
        Ok(items)
    }

    fn bounds(&mut self) -> Result<Vec<WrittenTy>, ParseError> {
        let mut bounds = Vec::new();
        loop {
            if !self.skip_lifetime() {
                bounds.push(self.path()?);
            }
            if !self.eat("+") {
                return Ok(bounds);
            }
        }
    }

    fn path(&mut self) -> Result<WrittenTy, ParseError> {
        let mut segments = Vec::new();
        let mut args = Vec::new();
        let mut bindings = Vec::new();
        loop {
            let segment = self.ident().ok_or_else(|| self.error("expected a type"))?;
            segments.push(segment);
            if self.eat("<") {
                while !self.eat(">") {
                    if self.skip_lifetime() {
                    } else {
                        let save = self.at;
                        match (self.ident(), self.eat("=")) {
                            (Some(name), true) => bindings.push((name, self.ty()?)),
                            _ => {
                                self.at = save;
                                args.push(self.ty()?);
                            }
                        }
                    }
                    if !self.eat(",") {
                        self.expect(">", "expected `,` or `>`")?;
                        break;
                    }
                }
            }
            if !self.eat("::") {
                break;
            }
        }
        // `Fn(A) -> R` bounds: parameters as args, the return as an `Output` binding.
        if self.eat("(") {
            args = self.list(")")?;
            let ret = if self.eat("->") { self.ty()? } else { WrittenTy::unit() };
            bindings.push(("Output".to_string(), ret));
        }
        Ok(WrittenTy::Path { segments, args, bindings })
    }
}
