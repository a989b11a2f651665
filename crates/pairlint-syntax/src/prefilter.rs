//! The pre-pass: one rustc_lexer pass per file records, per fn, what it calls and
//! mentions; per crate, [`select`] keeps only the files whose facts can reach a finding,
//! and the rest are not parsed by syn.
//!
//! # The selection rule
//!
//! Every finding needs an **anchor** in some fn: a positional take (PL001/PL004), a
//! keyed or by-reference access to a user-bound item (PL003), or a release (PL002). And
//! it is reported in a **site** fn: a per-requester fn (PL001/PL003/PL004) or a timeout
//! path (PL002). The scan sees fns lexically (`fn NAME ... { body }`), so per crate:
//!
//! - **A** (anchors): fns calling a `positional_takes` name or `next`, indexing or
//!   calling `remove`/`swap_remove`/`get`/`get_mut` with a literal zero, assigning (or
//!   `.take()`-ing) an `owner_fields` or `lock_flags` name, assigning a state/status
//!   name in a fn that names a `release_states` variant; and, only if the crate defines
//!   a struct/enum with an `owner_fields` field, every fn that mentions a **user-bound
//!   type name** (such a struct, or any struct, enum, alias or static whose definition
//!   mentions one, to a fixpoint). Without such a struct no item is user-bound, so no
//!   keyed item, release call or requeue can count.
//! - **F** (sites): fns whose attributes, signature, closure parameters or impl/trait
//!   header hold an identity, request, extractor or handler-attribute word, or whose
//!   tokens hold a timeout word, a clock call or `Timeout`/`Elapsed`/`TimedOut`.
//! - **B** (fns whose summary can be non-empty): A, plus fns holding an identity,
//!   request, extractor or timeout word or an output, check, release or requeue name.
//!
//! Calls are resolved by name and form (`reaches`), a superset of what
//! `analysis::resolve_calls` can pick: `f(..)` reaches free fns named `f`; `x.f(..)`
//! fns with a `self` receiver (whatever the receiver's type: typed or not); `self.f(..)`
//! methods of the caller's impl type; `Type::f(..)` fns of `impl Type` and free fns;
//! anything else (`<T as Tr>::f`, turbofish) every `f`. A fn's impl types are all the
//! top-level names of its impl's self type (a superset of syn's last segment); an impl
//! whose type syn names no path for (`[T]`, tuples, `dyn Tr`) and a fn nested in a fn
//! count as free too. Then: `Up(X)` = fns that can reach X through calls.
//! **P** = fns on a call path from a site to an anchor (reached downward from
//! `F ∩ Up(A)` without leaving `Up(A)`); **C** = fns calling a P fn by name (they decide
//! `has_callers`); **D** = fns reached downward from P without leaving `Up(B)` (helpers
//! whose output/check/release summaries P uses). A file is parsed when it defines a
//! P, C or D fn; defines any fn named like a call of a P or D fn or like a P fn (so
//! every resolution candidate is present and an ambiguous call stays ambiguous);
//! defines a struct, enum, alias, static or const named by a P, C or D fn or, to a
//! fixpoint, by such a definition (all of them, so the first-defined one still wins);
//! or holds a comment mentioning `pairlint` (suppressions, used or not).
//!
//! # Why this changes no finding
//!
//! A finding in fn `s` needs `s` to be a site and to reach an anchor through resolved
//! calls; resolved calls are a subset of the by-name calls, so `s` is in P with every
//! fn on the way. What the rules ask of a P fn depends on (a) its own facts (its file
//! is parsed; facts are per file), (b) the summaries of the fns its calls resolve to:
//! empty unless in `Up(B)`, and those are in P or D with their own calls, (c) which
//! candidates a call has (all same-named fns are parsed), (d) the types of its places
//! (self type from the impl header, parameters, statics, annotations, then struct
//! fields and aliases, all named in the fn or in a kept definition, all parsed), and
//! (e) whether it has callers (all by-name callers, with their types and candidates,
//! are parsed). Files parsed for another reason only add fns outside P, which can
//! produce no finding and are not resolution candidates of any call that matters
//! beyond those already present. Suppression comments are only read from parsed
//! files, so every file with one is parsed.
//!
//! Names are read with the run's vocabulary once per crate (and memoised per process:
//! `NoFlag` proves most names carry no vocabulary word without asking the
//! vocabulary). The lexer over-approximates where it cannot tell: any attribute/closure/signature
//! word counts, a nested fn's tokens count for it, tokens outside fn bodies count for
//! no fn (syn makes no fn facts there either). What is lost: a skipped file is not
//! parsed, so only its token-level syntax errors are reported.
//!
//! The selection's work is capped linearly in the crate's size (`Budget`): resolving
//! by name is (callers of a name) x (fns of that name), quadratic on crates with
//! thousands of same-named methods. Past the cap every file of the crate is parsed,
//! which is sound and costs what `--no-prefilter` costs. On the 44-crate corpus it
//! triggers on tokio, tower, cached and diesel, which kept (nearly) every file anyway.

use crate::lexcheck::NestingCounter;
use pairlint_base::vocab::{words, Vocabulary};
use rustc_lexer::{tokenize, FrontmatterAllowed, LiteralKind, TokenKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What the pre-pass learns of one file. Independent of the vocabulary: [`select`]
/// reads the names with the run's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Deepest nesting and the byte offset where it is reached (see [`crate::lexcheck`]).
    pub nesting: (usize, usize),
    /// A comment mentions `pairlint` (a suppression directive, or a broken one).
    pub directive: bool,
    /// The file's distinct identifiers, concatenated; `ends[i]` closes the i-th.
    pub idents: String,
    pub ends: Vec<u32>,
    pub fns: Vec<FnScan>,
    /// Structs, enums, aliases and statics (what the model types places with).
    pub types: Vec<TypeScan>,
    /// The first token-level error (unbalanced delimiter, unterminated literal or
    /// comment, a character Rust does not allow), with its byte offset: reported for a
    /// file that is skipped, since syn never sees it.
    pub syntax_error: Option<(usize, String)>,
}

/// One fn with a body, as the lexer sees it. Identifiers are indexes into the file's
/// table, sorted and distinct.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnScan {
    pub name: u32,
    /// `[0]`, or `remove`/`swap_remove`/`get`/`get_mut` with a literal zero.
    pub zero_take: bool,
    /// Calls: (name, form). The form says which fns the call can resolve to (see
    /// [`FREE`], [`METHOD`], [`SELF_METHOD`], [`ANY`]; otherwise `Type::name(..)`, the
    /// form is the index of `Type`).
    pub calls: Vec<(u32, u32)>,
    /// The impl's type names (all names at the top level of the impl's self type; the
    /// trait's name and bounds for a trait's default method).
    pub impl_types: Vec<u32>,
    /// It may be a free fn to call resolution (not in an impl, or its impl type is not
    /// a path).
    pub free: bool,
    /// Its signature mentions `self`.
    pub has_self: bool,
    /// Names assigned with a single `=`, or `.take()`n.
    pub assigned: Vec<u32>,
    /// Names in its attributes, signature, closure parameters and impl/trait header.
    pub sig: Vec<u32>,
    /// Every name in it (including the above).
    pub mentions: Vec<u32>,
}

/// Call forms: `name(..)` reaches free fns only.
pub const FREE: u32 = u32::MAX;
/// `x.name(..)` reaches fns with a `self` receiver.
pub const METHOD: u32 = u32::MAX - 1;
/// `self.name(..)` reaches methods of the caller's own impl type.
pub const SELF_METHOD: u32 = u32::MAX - 2;
/// Anything else (`<T as Tr>::name(..)`, turbofish calls): every fn of that name.
pub const ANY: u32 = u32::MAX - 3;

/// One type-level definition (struct, enum, union, alias, static, const, trait).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeScan {
    pub name: u32,
    /// Every name in it (field names and types, the aliased type, the static's type).
    pub mentions: Vec<u32>,
}

impl Scan {
    pub fn ident(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.idents[start..self.ends[i] as usize]
    }
}

/// FxHash: the identifier maps are hot and need no DoS resistance.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

use pairlint_base::vocab::{CLOCK_CALLS, TIMEOUT_VARIANT_PARTS, TIMER_CALLS};

/// Keywords after which an expression starts (so a `|` opens a closure's parameters).
const EXPR_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "fn", "for", "if", "impl", "in", "let", "loop",
    "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "type", "unsafe", "use",
    "where", "while", "async", "dyn", "yield", "box",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Fn,
    /// An impl or trait block: its header names count for the fns inside.
    Impl,
    /// A struct, enum or union: ends at its `}` or, for tuple and unit ones, its `;`.
    Braced,
    /// An alias, static or const: ends at its `;`.
    Semi,
}

struct Frame {
    kind: FrameKind,
    /// Delimiter depth of the item itself.
    depth: usize,
    /// Its body `{` was seen (fn, impl, braced type).
    open: bool,
    name: u32,
    zero_take: bool,
    calls: Vec<(u32, u32)>,
    assigned: Vec<u32>,
    sig: Vec<u32>,
    mentions: Vec<u32>,
    /// Fns: the enclosing impl's type names. Impls: the names after `for`.
    impl_types: Vec<u32>,
    free: bool,
    has_self: bool,
    /// Impl header reading: `<` depth, `for` / `where` / `dyn` seen, names before `for`.
    angle: usize,
    saw_for: bool,
    in_where: bool,
    saw_dyn: bool,
    before_for: Vec<u32>,
}

impl Frame {
    fn new(kind: FrameKind, depth: usize, name: u32) -> Self {
        Frame {
            kind,
            depth,
            open: false,
            name,
            zero_take: false,
            calls: Vec::new(),
            assigned: Vec::new(),
            sig: Vec::new(),
            mentions: Vec::new(),
            impl_types: Vec::new(),
            free: true,
            has_self: false,
            angle: 0,
            saw_for: false,
            in_where: false,
            saw_dyn: false,
            before_for: Vec::new(),
        }
    }

    /// An impl's (or trait's) type names, and whether its fns may resolve as free
    /// ones (syn gives no type name for `[T]`, tuples, `dyn Tr`...).
    fn header_types(&self) -> (Vec<u32>, bool) {
        let types = if self.saw_for { self.impl_types.clone() } else { self.before_for.clone() };
        let free = types.is_empty() || self.saw_dyn;
        (types, free)
    }

    /// Reads one impl-header token at the header's own depth.
    fn header_token(&mut self, kind: TokenKind, text: &str, id: Option<u32>, prev: Option<(TokenKind, &str)>) {
        match kind {
            TokenKind::Lt => self.angle += 1,
            TokenKind::Gt if !matches!(prev, Some((TokenKind::Minus | TokenKind::Eq, _))) => {
                self.angle = self.angle.saturating_sub(1)
            }
            TokenKind::Ident if self.angle == 0 && !self.in_where => match text {
                "for" => self.saw_for = true,
                "where" => self.in_where = true,
                "dyn" => self.saw_dyn = true,
                "unsafe" | "impl" | "mut" | "const" | "fn" | "trait" | "auto" | "pub" | "crate" => {}
                _ => {
                    if let Some(id) = id {
                        if self.saw_for {
                            self.impl_types.push(id);
                        } else {
                            self.before_for.push(id);
                        }
                    }
                }
            },
            TokenKind::Ident | TokenKind::RawIdent => {}
            _ => {}
        }
    }
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

fn is_zero_literal(text: &str) -> bool {
    // Conservative: `0`, `0usize`, `0x0`, but also `0x10` (extra files are harmless).
    text.starts_with('0')
}

fn is_ident(t: Option<(TokenKind, &str)>) -> Option<&str> {
    match t {
        Some((TokenKind::Ident | TokenKind::RawIdent, s)) => Some(s.trim_start_matches("r#")),
        _ => None,
    }
}

fn is_kind(t: Option<(TokenKind, &str)>, kind: TokenKind) -> bool {
    t.is_some_and(|(k, _)| k == kind)
}

/// Lexes `text` once: nesting, token-level errors, and per fn/type what it names.
pub fn scan<'t>(text: &'t str, _vocab: &Vocabulary) -> Scan {
    let offset = rustc_lexer::strip_shebang(text).unwrap_or(0);
    let body = &text[offset..];
    let mut nesting = NestingCounter::new();
    let mut table: FxMap<&'t str, u32> = FxMap::default();
    let mut order: Vec<&'t str> = Vec::new();
    let mut intern = |name: &'t str| -> u32 {
        if let Some(&i) = table.get(name) {
            return i;
        }
        let i = order.len() as u32;
        order.push(name);
        table.insert(name, i);
        i
    };
    let mut fns: Vec<FnScan> = Vec::new();
    let mut types: Vec<TypeScan> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut directive = false;

    let mut pos = 0usize;
    let mut depth = 0usize;
    // The last four significant tokens: (kind, text), most recent first.
    let mut last: [Option<(TokenKind, &'t str)>; 4] = [None; 4];
    // `#[` opened at this depth: its names wait for the next fn.
    let mut attr_depth: Option<usize> = None;
    let mut attr_names: Vec<u32> = Vec::new();
    // Inside a closure's `|params|`, opened at this depth.
    let mut closure_params: Option<usize> = None;
    // A definition keyword was just seen: its kind waits for the name.
    let mut defining: Option<FrameKind> = None;

    let mut syntax_error: Option<(usize, String)> = None;
    let mut open: Vec<(TokenKind, usize)> = Vec::new();

    let mut tokens = tokenize(body, FrontmatterAllowed::No).peekable();
    while let Some(token) = tokens.next() {
        let start = pos;
        pos += token.len as usize;
        let kind = token.kind;
        let next_kind = tokens.peek().map(|t| t.kind);
        nesting.token(kind, next_kind, offset + start);
        if syntax_error.is_none() {
            syntax_error = token_error(kind, start, &mut open).map(|m| (offset + start, m));
        }
        match kind {
            TokenKind::Whitespace => continue,
            TokenKind::LineComment { .. } | TokenKind::BlockComment { .. } => {
                directive = directive || body[start..pos].contains("pairlint");
                continue;
            }
            _ => {}
        }
        let tok: &'t str = &body[start..pos];
        let prev = last[0];
        let ident_id = match kind {
            TokenKind::Ident | TokenKind::RawIdent => Some(intern(tok.trim_start_matches("r#"))),
            _ => None,
        };
        // An impl header, or a fn signature, being read at its own depth (a fn's `<..>`
        // is counted so that `-> Foo<{ N }>` does not open its body).
        if let Some(f) = frames.last_mut() {
            if !f.open && f.depth == depth {
                match f.kind {
                    FrameKind::Impl => f.header_token(kind, tok, ident_id, prev),
                    FrameKind::Fn => match kind {
                        TokenKind::Lt => f.angle += 1,
                        TokenKind::Gt if !matches!(prev, Some((TokenKind::Minus | TokenKind::Eq, _))) => {
                            f.angle = f.angle.saturating_sub(1)
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        let innermost_fn = frames.iter().rposition(|f| f.kind == FrameKind::Fn);
        match kind {
            TokenKind::Ident | TokenKind::RawIdent => {
                let name = tok.trim_start_matches("r#");
                let id = ident_id.unwrap_or(0);
                if attr_depth.is_some() {
                    attr_names.push(id);
                }
                // The innermost fn and the innermost type definition mention it.
                let mut fn_seen = false;
                let mut type_seen = false;
                for f in frames.iter_mut().rev() {
                    match f.kind {
                        FrameKind::Fn if !fn_seen => {
                            fn_seen = true;
                            f.mentions.push(id);
                            if !f.open || closure_params.is_some() {
                                f.sig.push(id);
                            }
                            if !f.open && name == "self" {
                                f.has_self = true;
                            }
                        }
                        FrameKind::Braced | FrameKind::Semi if !type_seen => {
                            type_seen = true;
                            f.mentions.push(id);
                        }
                        FrameKind::Impl if !f.open => f.sig.push(id),
                        _ => {}
                    }
                }
                let after_fn = is_ident(prev) == Some("fn");
                let after_path = matches!(prev, Some((TokenKind::Dot | TokenKind::Colon, _)));
                if let Some(def) = defining {
                    if !matches!(name, "ref" | "mut") {
                        defining = None;
                        if name != "fn" {
                            frames.push(Frame::new(def, depth, id));
                        }
                    }
                } else if after_fn {
                    let mut f = Frame::new(FrameKind::Fn, depth, id);
                    f.sig.append(&mut attr_names);
                    // Its name counts as a mention (a timeout word makes it a timeout path).
                    f.mentions.push(id);
                    // A fn right inside an impl or trait takes its type; a fn nested in
                    // a fn body is free to syn, but may count either way here.
                    let direct = frames.last().is_some_and(|p| p.kind == FrameKind::Impl);
                    if let Some(imp) = frames.iter().rev().find(|f| f.kind == FrameKind::Impl) {
                        f.sig.extend_from_slice(&imp.sig);
                        let (types, free) = imp.header_types();
                        f.impl_types = types;
                        f.free = free || !direct;
                    }
                    f.mentions.extend_from_slice(&f.sig);
                    frames.push(f);
                } else if !after_path && kind == TokenKind::Ident {
                    match name {
                        // What the model types places with: structs, enums, aliases and
                        // statics (not unions or consts, and not an impl's associated
                        // types, which syn's items do not hold).
                        "struct" | "enum" => defining = Some(FrameKind::Braced),
                        "static" => defining = Some(FrameKind::Semi),
                        "type" if frames.last().is_none_or(|f| f.kind != FrameKind::Impl) => {
                            defining = Some(FrameKind::Semi)
                        }
                        "trait" => {
                            let mut f = Frame::new(FrameKind::Impl, depth, id);
                            // A trait's default methods take the trait's name (read next).
                            f.saw_for = false;
                            frames.push(f);
                        }
                        "impl" if item_position(prev) => frames.push(Frame::new(FrameKind::Impl, depth, id)),
                        _ => {}
                    }
                }
                // `x.owner.take()` clears an owner field.
                if name == "take" && is_kind(prev, TokenKind::Dot) {
                    if let (Some(i), Some(field)) = (innermost_fn, is_ident(last[1])) {
                        let fid = intern(field);
                        frames[i].assigned.push(fid);
                    }
                }
            }
            TokenKind::OpenBracket if is_kind(prev, TokenKind::Pound) => {
                attr_depth.get_or_insert(depth + 1);
            }
            TokenKind::OpenBracket if is_kind(prev, TokenKind::Bang) && is_kind(last[1], TokenKind::Pound) => {
                attr_depth.get_or_insert(depth + 1);
            }
            TokenKind::OpenParen => {
                // `name(..)`, `x.name(..)`, `self.name(..)`, `Type::name(..)` (not `fn name(`).
                if let (Some(i), Some(callee)) = (innermost_fn, is_ident(prev)) {
                    if frames[i].open && is_ident(last[1]) != Some("fn") {
                        let form = if is_kind(last[1], TokenKind::Dot) {
                            if is_ident(last[2]) == Some("self") && !is_kind(last[3], TokenKind::Dot) {
                                SELF_METHOD
                            } else {
                                METHOD
                            }
                        } else if is_kind(last[1], TokenKind::Colon) && is_kind(last[2], TokenKind::Colon) {
                            match is_ident(last[3]) {
                                Some(ty) => intern(ty),
                                None => ANY,
                            }
                        } else {
                            FREE
                        };
                        let id = intern(callee);
                        frames[i].calls.push((id, form));
                    }
                }
            }
            TokenKind::Lt => {
                // A turbofish call `name::<T>(..)`: any fn of that name.
                if let (Some(i), true, true, Some(callee)) = (
                    innermost_fn,
                    is_kind(prev, TokenKind::Colon),
                    is_kind(last[1], TokenKind::Colon),
                    is_ident(last[2]),
                ) {
                    if frames[i].open {
                        let id = intern(callee);
                        frames[i].calls.push((id, ANY));
                    }
                }
            }
            TokenKind::Eq => {
                // A single `=` (not `==`, `=>`, `<=`, `!=`, `+=`...) after a name assigns it.
                let single = !matches!(next_kind, Some(TokenKind::Eq | TokenKind::Gt));
                if let (true, Some(i), Some(target)) = (single, innermost_fn, is_ident(prev)) {
                    let id = intern(target);
                    frames[i].assigned.push(id);
                }
            }
            TokenKind::Or => {
                if let Some(i) = innermost_fn {
                    if closure_params == Some(depth) {
                        closure_params = None;
                    } else if closure_params.is_none()
                        && frames[i].open
                        && !after_value(prev)
                        && !is_kind(prev, TokenKind::Or)
                    {
                        closure_params = Some(depth);
                    }
                }
            }
            _ => {}
        }
        match kind {
            TokenKind::OpenParen | TokenKind::OpenBrace | TokenKind::OpenBracket => {
                if kind == TokenKind::OpenBrace {
                    if attr_depth.is_none() {
                        attr_names.clear();
                    }
                    if let Some(f) = frames.last_mut() {
                        if !f.open && f.depth == depth && f.kind != FrameKind::Semi && f.angle == 0 {
                            f.open = true;
                        }
                    }
                }
                defining = None;
                depth += 1;
            }
            TokenKind::CloseParen | TokenKind::CloseBrace | TokenKind::CloseBracket => {
                if let (Some(i), Some((TokenKind::Literal { kind: LiteralKind::Int { .. }, .. }, lit))) =
                    (innermost_fn, prev)
                {
                    // `[0]`; `remove(0)`, `swap_remove(0)`, `get(0)`, `get_mut(0)`.
                    let index = kind == TokenKind::CloseBracket && is_kind(last[1], TokenKind::OpenBracket);
                    let call = kind == TokenKind::CloseParen
                        && is_kind(last[1], TokenKind::OpenParen)
                        && matches!(is_ident(last[2]), Some("remove" | "swap_remove" | "get" | "get_mut"));
                    if (index || call) && is_zero_literal(lit) {
                        frames[i].zero_take = true;
                    }
                }
                if attr_depth == Some(depth) {
                    attr_depth = None;
                }
                if closure_params.is_some_and(|d| d >= depth) {
                    closure_params = None;
                }
                depth = depth.saturating_sub(1);
                defining = None;
                // Close every item that ends here (or was left unclosed inside).
                while let Some(f) = frames.last() {
                    let ends = (f.open && f.depth == depth && kind == TokenKind::CloseBrace) || f.depth > depth;
                    if !ends {
                        break;
                    }
                    if let Some(f) = frames.pop() {
                        finish(f, &mut fns, &mut types);
                    }
                }
                if kind == TokenKind::CloseBrace && attr_depth.is_none() {
                    attr_names.clear();
                }
            }
            TokenKind::Semi => {
                defining = None;
                if attr_depth.is_none() {
                    attr_names.clear();
                }
                if let Some(f) = frames.last() {
                    if f.depth == depth && !f.open {
                        // A fn or impl without a body is dropped; a tuple struct, alias,
                        // static or const ends here.
                        if let Some(f) = frames.pop() {
                            if matches!(f.kind, FrameKind::Braced | FrameKind::Semi) {
                                finish(f, &mut fns, &mut types);
                            }
                        }
                    }
                }
            }
            TokenKind::Ident | TokenKind::RawIdent => {}
            _ => defining = None,
        }
        last = [Some((kind, tok)), last[0], last[1], last[2]];
    }
    while let Some(f) = frames.pop() {
        finish(f, &mut fns, &mut types);
    }

    if syntax_error.is_none() {
        if let Some(&(kind, at)) = open.last() {
            syntax_error = Some((offset + at, format!("this {} is never closed", delimiter_name(kind))));
        }
    }
    let mut idents = String::with_capacity(order.iter().map(|s| s.len()).sum());
    let mut ends = Vec::with_capacity(order.len());
    for name in &order {
        idents.push_str(name);
        ends.push(idents.len() as u32);
    }
    Scan { nesting: nesting.max, directive, idents, ends, fns, types, syntax_error }
}

fn finish(f: Frame, fns: &mut Vec<FnScan>, types: &mut Vec<TypeScan>) {
    match f.kind {
        FrameKind::Fn if f.open => fns.push(FnScan {
            name: f.name,
            zero_take: f.zero_take,
            calls: sorted(f.calls),
            impl_types: sorted(f.impl_types),
            free: f.free,
            has_self: f.has_self,
            assigned: sorted(f.assigned),
            sig: sorted(f.sig),
            mentions: sorted(f.mentions),
        }),
        FrameKind::Braced | FrameKind::Semi => types.push(TypeScan { name: f.name, mentions: sorted(f.mentions) }),
        _ => {}
    }
}

/// `impl` starts an item (not `impl Trait` in a type) after these.
fn item_position(prev: Option<(TokenKind, &str)>) -> bool {
    match prev {
        None => true,
        Some((TokenKind::Semi | TokenKind::OpenBrace | TokenKind::CloseBrace | TokenKind::CloseBracket, _)) => true,
        Some((TokenKind::Ident, t)) => matches!(t, "unsafe" | "default"),
        _ => false,
    }
}

/// The token ends a value, so a `|` after it is a binary or (or a pattern's `|`).
fn after_value(prev: Option<(TokenKind, &str)>) -> bool {
    match prev {
        Some((TokenKind::Ident | TokenKind::RawIdent, t)) => !EXPR_KEYWORDS.contains(&t),
        Some((kind, _)) => matches!(
            kind,
            TokenKind::Literal { .. }
                | TokenKind::Lifetime { .. }
                | TokenKind::CloseParen
                | TokenKind::CloseBracket
                | TokenKind::CloseBrace
                | TokenKind::Question
        ),
        None => false,
    }
}

/// The token-level error a token makes, given the delimiters open before it (which
/// this keeps up to date).
fn token_error(kind: TokenKind, start: usize, open: &mut Vec<(TokenKind, usize)>) -> Option<String> {
    use rustc_lexer::LiteralKind::*;
    use TokenKind::*;
    match kind {
        OpenParen | OpenBrace | OpenBracket => {
            open.push((kind, start));
            None
        }
        CloseParen | CloseBrace | CloseBracket => {
            let want = match kind {
                CloseParen => OpenParen,
                CloseBrace => OpenBrace,
                _ => OpenBracket,
            };
            match open.pop() {
                Some((k, _)) if k == want => None,
                Some((k, _)) => Some(format!("mismatched closing delimiter (the open one is a {})", delimiter_name(k))),
                None => Some("unexpected closing delimiter".into()),
            }
        }
        BlockComment { terminated: false, .. } => Some("unterminated block comment".into()),
        Literal { kind, .. } => match kind {
            Str { terminated: false }
            | ByteStr { terminated: false }
            | CStr { terminated: false }
            | Char { terminated: false }
            | Byte { terminated: false } => Some("unterminated literal".into()),
            RawStr { n_hashes: None } | RawByteStr { n_hashes: None } | RawCStr { n_hashes: None } => {
                Some("invalid raw string literal".into())
            }
            _ => None,
        },
        Unknown | InvalidIdent => Some("unknown start of token".into()),
        _ => None,
    }
}

fn delimiter_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::OpenParen => "`(`",
        TokenKind::OpenBracket => "`[`",
        _ => "`{`",
    }
}

// ---- selection ---------------------------------------------------------------------

/// What a name means to the rules, read once per distinct name per crate.
mod flag {
    pub const IDENTITY: u16 = 1;
    pub const REQUEST: u16 = 1 << 1;
    pub const EXTRACTOR: u16 = 1 << 2;
    pub const HANDLER_ATTR: u16 = 1 << 3;
    pub const TIMEOUT: u16 = 1 << 4;
    pub const TAKE: u16 = 1 << 5;
    pub const OWNER: u16 = 1 << 6;
    pub const LOCK: u16 = 1 << 7;
    pub const STATE: u16 = 1 << 8;
    pub const RELEASE_STATE: u16 = 1 << 9;
    pub const OUTPUT: u16 = 1 << 10;
    pub const CHECK: u16 = 1 << 11;
    pub const RELEASE_CALL: u16 = 1 << 12;
    pub const REQUEUE: u16 = 1 << 13;
    /// Makes a fn per-requester when in its signature.
    pub const SITE_SIG: u16 = IDENTITY | REQUEST | EXTRACTOR | HANDLER_ATTR;
    /// Makes a fn's summary possibly non-empty.
    pub const SUMMARY: u16 = IDENTITY | REQUEST | EXTRACTOR | TIMEOUT | OUTPUT | CHECK | RELEASE_CALL | REQUEUE;
}

/// The lists [`flags_of`] reads.
const FLAG_LISTS: &[&str] = &[
    "identity_names",
    "request_names",
    "request_type_suffixes",
    "handler_extractors",
    "handler_attributes",
    "timeout_words",
    "positional_takes",
    "strong_positional_takes",
    "owner_fields",
    "lock_flags",
    "release_states",
    "output_calls",
    "check_calls",
    "release_calls",
    "requeue_calls",
];

/// A cheap test that a name can have no flag: every vocabulary check is true only if
/// the name's word segments include one of the words of some entry (`is`, `mentions`,
/// `starts_with`), or for the substring checks (`ends_with`, `Timeout`...) if it holds
/// the entry itself.
struct NoFlag {
    words: std::collections::HashSet<String, BuildHasherDefault<FxHasher>>,
    suffixes: Vec<String>,
}

impl NoFlag {
    fn new(vocab: &Vocabulary) -> Self {
        let mut words: std::collections::HashSet<String, BuildHasherDefault<FxHasher>> = Default::default();
        let mut suffixes: Vec<String> = vocab.entries("request_type_suffixes").to_vec();
        for key in FLAG_LISTS {
            for entry in vocab.entries(key) {
                let w = pairlint_base::vocab::words(entry);
                if w.is_empty() {
                    // `_` has no word segments; only a substring test can see it.
                    suffixes.push(entry.clone());
                }
                words.extend(w);
            }
        }
        for extra in
            TIMER_CALLS.iter().chain(CLOCK_CALLS).chain(TIMEOUT_VARIANT_PARTS).chain(&["next", "state", "status"])
        {
            words.extend(pairlint_base::vocab::words(extra));
        }
        suffixes.extend(TIMEOUT_VARIANT_PARTS.iter().map(|s| s.to_string()));
        NoFlag { words, suffixes }
    }

    fn holds(&self, name: &str) -> bool {
        !self.suffixes.iter().any(|s| name.contains(s.as_str()))
            && !pairlint_base::vocab::words(name).iter().any(|w| self.words.contains(w))
    }
}

fn flags_of(name: &str, vocab: &Vocabulary) -> u16 {
    use flag::*;
    let mut f = 0;
    let set = |f: &mut u16, bit: u16, on: bool| {
        if on {
            *f |= bit;
        }
    };
    set(&mut f, IDENTITY, vocab.mentions("identity_names", name));
    set(
        &mut f,
        REQUEST,
        vocab.is("request_names", name)
            || vocab.mentions("request_names", name)
            || (vocab.ends_with("request_type_suffixes", name) && !name.is_empty()),
    );
    set(&mut f, EXTRACTOR, vocab.is("handler_extractors", name));
    set(&mut f, HANDLER_ATTR, vocab.is("handler_attributes", name));
    set(
        &mut f,
        TIMEOUT,
        TIMER_CALLS.contains(&name)
            || CLOCK_CALLS.contains(&name)
            || TIMEOUT_VARIANT_PARTS.iter().any(|s| name.contains(s))
            || vocab.mentions("timeout_words", name),
    );
    set(
        &mut f,
        TAKE,
        name == "next" || vocab.is("positional_takes", name) || vocab.is("strong_positional_takes", name),
    );
    set(&mut f, OWNER, vocab.is("owner_fields", name));
    set(&mut f, LOCK, vocab.is("lock_flags", name));
    set(&mut f, STATE, words(name).iter().any(|w| w == "state" || w == "status"));
    set(&mut f, RELEASE_STATE, vocab.is("release_states", name));
    set(&mut f, OUTPUT, vocab.starts_with("output_calls", name));
    set(&mut f, CHECK, vocab.starts_with("check_calls", name));
    set(&mut f, RELEASE_CALL, vocab.starts_with("release_calls", name));
    set(&mut f, REQUEUE, vocab.is("requeue_calls", name));
    f
}

/// Flags of names already read in this process, for the vocabulary whose fingerprint
/// it holds (a run reads the same names crate after crate).
type FlagsMemo = (String, FxMap<Box<str>, u16>);
static FLAGS_MEMO: std::sync::Mutex<FlagsMemo> =
    std::sync::Mutex::new((String::new(), HashMap::with_hasher(BuildHasherDefault::new())));
/// A long-lived process (the language server) starts the memo over past this size.
const MEMO_CAP: usize = 1 << 20;

/// How much of a crate the selection keeps, and why.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub files: usize,
    pub kept: usize,
    pub fns: usize,
    /// Fns holding an anchor.
    pub anchors: usize,
    /// Sites that can reach an anchor.
    pub sites_on_paths: usize,
    /// P: fns on a path from a site to an anchor.
    pub on_paths: usize,
    /// D: helpers whose summaries P fns use.
    pub helpers: usize,
    /// The work budget ran out, so every file was kept.
    pub gave_up: bool,
}

/// Who can call whom, indexed so that a breadth-first walk touches each group of
/// candidates once instead of once per fn of that name (thousands of `new`s).
/// Every walk enumerates a superset and keeps what [`reaches`] accepts, so the
/// indexes change the cost, never the result.
struct CallIndex<'a> {
    nodes: &'a [Node],
    self_name: u32,
    /// By name: every fn, free fns, fns with `self`.
    all: &'a [Vec<u32>],
    free: Vec<Vec<u32>>,
    method: Vec<Vec<u32>>,
    /// By (name, impl type name).
    typed: FxMap<(u32, u32), Vec<u32>>,
    /// Callers by name and form: free, method, any, `Type::f` (also by type), and
    /// `self.f` / `Self::f` (by each of the caller's impl types, or untyped).
    free_callers: Vec<Vec<u32>>,
    method_callers: Vec<Vec<u32>>,
    any_callers: Vec<Vec<u32>>,
    path_callers: Vec<Vec<(u32, u32)>>,
    path_callers_by_ty: FxMap<(u32, u32), Vec<(u32, u32)>>,
    self_callers: Vec<Vec<(u32, u32)>>,
    self_callers_by_ty: FxMap<(u32, u32), Vec<(u32, u32)>>,
    self_callers_untyped: Vec<Vec<(u32, u32)>>,
}

impl<'a> CallIndex<'a> {
    fn new(nodes: &'a [Node], all: &'a [Vec<u32>], self_name: u32) -> Self {
        let names = all.len();
        let mut ix = CallIndex {
            nodes,
            self_name,
            all,
            free: vec![Vec::new(); names],
            method: vec![Vec::new(); names],
            typed: FxMap::default(),
            free_callers: vec![Vec::new(); names],
            method_callers: vec![Vec::new(); names],
            any_callers: vec![Vec::new(); names],
            path_callers: vec![Vec::new(); names],
            path_callers_by_ty: FxMap::default(),
            self_callers: vec![Vec::new(); names],
            self_callers_by_ty: FxMap::default(),
            self_callers_untyped: vec![Vec::new(); names],
        };
        for (id, f) in nodes.iter().enumerate() {
            let id = id as u32;
            let n = f.name as usize;
            if f.free {
                ix.free[n].push(id);
            }
            if f.has_self {
                ix.method[n].push(id);
            }
            for &t in &f.impl_types {
                ix.typed.entry((f.name, t)).or_default().push(id);
            }
        }
        for (id, f) in nodes.iter().enumerate() {
            let id = id as u32;
            for &(c, form) in &f.calls {
                let n = c as usize;
                if all[n].is_empty() {
                    continue;
                }
                match form {
                    FREE => ix.free_callers[n].push(id),
                    METHOD => ix.method_callers[n].push(id),
                    ANY => ix.any_callers[n].push(id),
                    ty if form == SELF_METHOD || ty == self_name => {
                        ix.self_callers[n].push((id, form));
                        if f.impl_types.is_empty() {
                            ix.self_callers_untyped[n].push((id, form));
                        }
                        for &t in &f.impl_types {
                            ix.self_callers_by_ty.entry((c, t)).or_default().push((id, form));
                        }
                    }
                    ty => {
                        ix.path_callers[n].push((id, ty));
                        ix.path_callers_by_ty.entry((c, ty)).or_default().push((id, ty));
                    }
                }
            }
        }
        ix
    }

    /// Fns that can reach a `start` fn through calls (`start` included).
    fn up(&self, start: &[bool], budget: &Budget) -> Vec<bool> {
        let nodes = self.nodes;
        let mut seen = start.to_vec();
        let mut work: Vec<u32> = (0..nodes.len() as u32).filter(|&i| seen[i as usize]).collect();
        // Caller groups already taken whole (their forms reach any fn of that kind).
        let mut done: std::collections::HashSet<(u32, u32, u8), BuildHasherDefault<FxHasher>> = Default::default();
        let add = |c: u32, seen: &mut Vec<bool>, work: &mut Vec<u32>| {
            if !seen[c as usize] {
                seen[c as usize] = true;
                work.push(c);
            }
        };
        let empty: Vec<(u32, u32)> = Vec::new();
        while let Some(id) = work.pop() {
            if budget.exhausted() {
                break;
            }
            let g = &nodes[id as usize];
            let n = g.name as usize;
            let whole = |group: &[u32], key: (u32, u32, u8), done: &mut std::collections::HashSet<_, _>| {
                if done.insert(key) {
                    group.to_vec()
                } else {
                    Vec::new()
                }
            };
            let mut found: Vec<u32> = whole(&self.any_callers[n], (g.name, 0, 0), &mut done);
            if g.free {
                found.extend(whole(&self.free_callers[n], (g.name, 0, 1), &mut done));
                if done.insert((g.name, 0, 2)) {
                    found.extend(self.path_callers[n].iter().map(|&(c, _)| c));
                }
            } else {
                for &t in &g.impl_types {
                    if done.insert((g.name, t, 3)) {
                        let group = self.path_callers_by_ty.get(&(g.name, t)).unwrap_or(&empty);
                        found.extend(group.iter().map(|&(c, _)| c));
                    }
                }
            }
            if g.has_self {
                found.extend(whole(&self.method_callers[n], (g.name, 0, 4), &mut done));
            }
            // `self.f` / `Self::f`: depends on both sides; filter with `reaches`.
            let selfish: Vec<(u32, u32)> = if g.free || g.impl_types.is_empty() {
                self.self_callers[n].clone()
            } else {
                let mut v = self.self_callers_untyped[n].clone();
                for &t in &g.impl_types {
                    v.extend_from_slice(self.self_callers_by_ty.get(&(g.name, t)).unwrap_or(&empty));
                }
                v
            };
            budget.spend(selfish.len() + found.len() + 1);
            for (c, form) in selfish {
                if !seen[c as usize] && reaches(form, &nodes[c as usize], g, self.self_name) {
                    found.push(c);
                }
            }
            for c in found {
                debug_assert!(nodes[c as usize]
                    .calls
                    .iter()
                    .any(|&(n, form)| n == g.name && reaches(form, &nodes[c as usize], g, self.self_name)));
                add(c, &mut seen, &mut work);
            }
        }
        seen
    }

    /// Fns reached from `start` through calls, staying inside `within`.
    fn down<'s>(&'s self, start: &[u32], within: &[bool], budget: &Budget) -> Vec<bool> {
        let nodes = self.nodes;
        let mut seen = vec![false; nodes.len()];
        let mut work: Vec<u32> = Vec::new();
        for &id in start {
            if !seen[id as usize] {
                seen[id as usize] = true;
                work.push(id);
            }
        }
        // Candidate groups already walked whole (caller-independent forms).
        let mut done: std::collections::HashSet<(u32, u32, u8), BuildHasherDefault<FxHasher>> = Default::default();
        while let Some(id) = work.pop() {
            if budget.exhausted() {
                break;
            }
            let f = &nodes[id as usize];
            let mut groups: Vec<&'s [u32]> = Vec::new();
            for &(c, form) in &f.calls {
                let n = c as usize;
                let mut group = |key: (u32, u32, u8), g: &'s [u32], groups: &mut Vec<&'s [u32]>| {
                    if done.insert(key) {
                        groups.push(g);
                    }
                };
                let typed = |t: u32| -> &'s [u32] { self.typed.get(&(c, t)).map_or(&[], Vec::as_slice) };
                match form {
                    FREE => group((c, 0, 0), &self.free[n], &mut groups),
                    METHOD => group((c, 0, 1), &self.method[n], &mut groups),
                    ANY => group((c, 0, 2), &self.all[n], &mut groups),
                    _ if (form == SELF_METHOD || form == self.self_name) && f.impl_types.is_empty() => {
                        // An untyped caller: `self.f` is any method, `Self::f` any fn.
                        if form == SELF_METHOD {
                            group((c, 0, 1), &self.method[n], &mut groups)
                        } else {
                            group((c, 0, 2), &self.all[n], &mut groups)
                        }
                    }
                    _ if form == SELF_METHOD || form == self.self_name => {
                        // Filtered by `reaches` below: free fns and the caller's types.
                        groups.push(&self.free[n]);
                        for &t in &f.impl_types {
                            groups.push(typed(t));
                        }
                    }
                    ty => {
                        group((c, 0, 0), &self.free[n], &mut groups);
                        group((c, ty, 3), typed(ty), &mut groups);
                    }
                }
                for g in groups.drain(..) {
                    budget.spend(g.len() + 1);
                    for &d in g {
                        if within[d as usize]
                            && !seen[d as usize]
                            && reaches(form, f, &nodes[d as usize], self.self_name)
                        {
                            seen[d as usize] = true;
                            work.push(d);
                        }
                    }
                }
            }
        }
        seen
    }
}

/// Which files to parse, given every file's scan (`None`: not usable, never parsed).
pub fn select(scans: &[Option<&Scan>], vocab: &Vocabulary) -> Vec<bool> {
    select_with_stats(scans, vocab).0
}

/// One fn of the crate, its names made crate-wide.
struct Node {
    file: usize,
    name: u32,
    free: bool,
    has_self: bool,
    impl_types: Vec<u32>,
    calls: Vec<(u32, u32)>,
    assigned: Vec<u32>,
    sig: Vec<u32>,
    mentions: Vec<u32>,
    zero_take: bool,
}

/// A cap on the selection's work, linear in the crate's size. Resolving calls by name
/// can cost (callers of a name) x (fns of that name) on generated code (thousands of
/// `clone`s calling thousands of `clone`s); past the cap, selection gives up and every
/// file is parsed, which is always sound, so the pre-pass never makes a run slower than
/// a quadratic walk would.
struct Budget {
    left: std::cell::Cell<u64>,
}

impl Budget {
    fn new(units: u64) -> Self {
        Budget { left: std::cell::Cell::new(units) }
    }
    /// Spends `n` units; false once the budget is gone.
    fn spend(&self, n: usize) -> bool {
        let left = self.left.get().saturating_sub(n as u64);
        self.left.set(left);
        left > 0
    }
    fn exhausted(&self) -> bool {
        self.left.get() == 0
    }
}

/// Work units per fn and per call of the crate.
const BUDGET_PER_ITEM: u64 = 64;

/// Whether a call of `form` made in `caller` can resolve to `callee` (a superset of
/// what `analysis::resolve_calls` can pick).
fn reaches(form: u32, caller: &Node, callee: &Node, self_name: u32) -> bool {
    match form {
        FREE => callee.free,
        METHOD => callee.has_self,
        SELF_METHOD => {
            callee.has_self
                && (caller.impl_types.is_empty()
                    || callee.impl_types.is_empty()
                    || caller.impl_types.iter().any(|t| callee.impl_types.contains(t)))
        }
        ANY => true,
        ty if ty == self_name => {
            callee.free
                || caller.impl_types.is_empty()
                || callee.impl_types.is_empty()
                || caller.impl_types.iter().any(|t| callee.impl_types.contains(t))
        }
        ty => callee.free || callee.impl_types.contains(&ty),
    }
}

/// [`select`], with how much it kept.
pub fn select_with_stats(scans: &[Option<&Scan>], vocab: &Vocabulary) -> (Vec<bool>, Stats) {
    use flag::*;
    let mut keep = vec![false; scans.len()];
    // Crate-wide names: each file's table mapped once; flags read once per name (and
    // once per run, through the memo: most names recur across crates).
    let mut global: FxMap<&str, u32> = FxMap::default();
    let mut flags: Vec<u16> = Vec::new();
    let mut memo = FLAGS_MEMO.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let fingerprint = vocab.fingerprint();
    let no_flag = NoFlag::new(vocab);
    if memo.0 != fingerprint || memo.1.len() > MEMO_CAP {
        *memo = (fingerprint, FxMap::default());
    }
    let locals: Vec<Vec<u32>> = scans
        .iter()
        .map(|s| match s {
            Some(s) => (0..s.ends.len() as u32)
                .map(|i| {
                    let name = s.ident(i);
                    *global.entry(name).or_insert_with(|| {
                        let f = match memo.1.get(name) {
                            Some(&f) => f,
                            None => {
                                let f = if no_flag.holds(name) { 0 } else { flags_of(name, vocab) };
                                memo.1.insert(name.into(), f);
                                f
                            }
                        };
                        flags.push(f);
                        flags.len() as u32 - 1
                    })
                })
                .collect(),
            None => Vec::new(),
        })
        .collect();
    drop(memo);
    let names = flags.len();
    let self_name = global.get("Self").copied().unwrap_or(u32::MAX - 4);
    let map = |fi: usize, ids: &[u32]| -> Vec<u32> { ids.iter().map(|&i| locals[fi][i as usize]).collect() };

    let mut nodes: Vec<Node> = Vec::new();
    let mut by_name: Vec<Vec<u32>> = vec![Vec::new(); names];
    let mut callers_of: Vec<Vec<(u32, u32)>> = vec![Vec::new(); names];
    for (fi, s) in scans.iter().enumerate() {
        let Some(s) = s else { continue };
        if s.directive {
            keep[fi] = true;
        }
        for f in &s.fns {
            let id = nodes.len() as u32;
            let calls: Vec<(u32, u32)> = f
                .calls
                .iter()
                .map(|&(n, form)| (locals[fi][n as usize], if form >= ANY { form } else { locals[fi][form as usize] }))
                .collect();
            let node = Node {
                file: fi,
                name: locals[fi][f.name as usize],
                free: f.free,
                has_self: f.has_self,
                impl_types: map(fi, &f.impl_types),
                calls,
                assigned: map(fi, &f.assigned),
                sig: map(fi, &f.sig),
                mentions: map(fi, &f.mentions),
                zero_take: f.zero_take,
            };
            by_name[node.name as usize].push(id);
            nodes.push(node);
        }
    }
    for (id, node) in nodes.iter().enumerate() {
        for &(n, form) in &node.calls {
            if !by_name[n as usize].is_empty() {
                callers_of[n as usize].push((id as u32, form));
            }
        }
    }
    let n = nodes.len();

    // Type-level definitions by name; user-bound names to a fixpoint.
    let mut type_defs: Vec<Vec<(usize, Vec<u32>)>> = vec![Vec::new(); names];
    let mut mentioned_by: Vec<Vec<u32>> = vec![Vec::new(); names];
    let mut user_bound = vec![false; names];
    let mut work: Vec<u32> = Vec::new();
    for (fi, s) in scans.iter().enumerate() {
        let Some(s) = s else { continue };
        for t in &s.types {
            let name = locals[fi][t.name as usize];
            let mentions = map(fi, &t.mentions);
            let mut owner = false;
            for &m in &mentions {
                owner |= flags[m as usize] & OWNER != 0;
                mentioned_by[m as usize].push(name);
            }
            if owner && !user_bound[name as usize] {
                user_bound[name as usize] = true;
                work.push(name);
            }
            type_defs[name as usize].push((fi, mentions));
        }
    }
    let any_user_bound = !work.is_empty();
    while let Some(name) = work.pop() {
        for &t in &mentioned_by[name as usize] {
            if !user_bound[t as usize] {
                user_bound[t as usize] = true;
                work.push(t);
            }
        }
    }

    // Per fn: anchor, site, summary-capable.
    let summary_bits = if any_user_bound { SUMMARY } else { SUMMARY & !(RELEASE_CALL | REQUEUE) };
    let mut anchor = vec![false; n];
    let mut site = vec![false; n];
    let mut summary = vec![false; n];
    for (id, f) in nodes.iter().enumerate() {
        let any = |ids: &[u32], bits: u16| ids.iter().any(|&m| flags[m as usize] & bits != 0);
        let a = f.zero_take
            || f.calls.iter().any(|&(c, _)| flags[c as usize] & TAKE != 0)
            || any(&f.assigned, OWNER | LOCK)
            || (any(&f.assigned, STATE) && any(&f.mentions, RELEASE_STATE))
            || (any_user_bound && f.mentions.iter().any(|&m| user_bound[m as usize]));
        anchor[id] = a;
        site[id] = any(&f.sig, SITE_SIG) || any(&f.mentions, TIMEOUT);
        summary[id] = a || any(&f.mentions, summary_bits);
    }

    let index = CallIndex::new(&nodes, &by_name, self_name);
    let calls_total: usize = nodes.iter().map(|f| f.calls.len()).sum();
    let budget = Budget::new(BUDGET_PER_ITEM * (nodes.len() + calls_total) as u64 + 100_000);
    let up = |start: &[bool]| index.up(start, &budget);
    let down = |start: &[u32], within: &[bool]| index.down(start, within, &budget);
    let up_anchor = up(&anchor);
    let starts: Vec<u32> = (0..n as u32).filter(|&i| site[i as usize] && up_anchor[i as usize]).collect();
    let on_path = down(&starts, &up_anchor);
    let path_ids: Vec<u32> = (0..n as u32).filter(|&i| on_path[i as usize]).collect();
    let up_summary = up(&summary);
    let helpers = down(&path_ids, &up_summary);

    let mut type_work: Vec<u32> = Vec::new();
    // Every fn a call of `form` in `caller` could resolve to is parsed, so an
    // ambiguous call stays ambiguous.
    let keep_candidates = |caller: &Node, c: u32, form: u32, keep: &mut Vec<bool>| {
        if !budget.spend(by_name[c as usize].len() + 1) {
            return;
        }
        for &d in &by_name[c as usize] {
            if reaches(form, caller, &nodes[d as usize], self_name) {
                keep[nodes[d as usize].file] = true;
            }
        }
    };
    for (id, f) in nodes.iter().enumerate() {
        if budget.exhausted() {
            break;
        }
        if on_path[id] {
            // Its callers decide `has_callers`.
            budget.spend(callers_of[f.name as usize].len() + 1);
            for &(c, form) in &callers_of[f.name as usize] {
                let caller = &nodes[c as usize];
                if reaches(form, caller, f, self_name) {
                    keep[caller.file] = true;
                    type_work.extend_from_slice(&caller.mentions);
                    keep_candidates(caller, f.name, form, &mut keep);
                }
            }
        }
        if on_path[id] || helpers[id] {
            keep[f.file] = true;
            for &(c, form) in &f.calls {
                keep_candidates(f, c, form, &mut keep);
            }
            type_work.extend_from_slice(&f.mentions);
        }
    }
    // The definitions typing those fns' places, to a fixpoint.
    let mut seen_types = vec![false; names];
    while let Some(name) = type_work.pop() {
        if std::mem::replace(&mut seen_types[name as usize], true) {
            continue;
        }
        if !budget.spend(type_defs[name as usize].len() + 1) {
            break;
        }
        for (fi, mentions) in &type_defs[name as usize] {
            keep[*fi] = true;
            type_work.extend_from_slice(mentions);
        }
    }
    let gave_up = budget.exhausted();
    if gave_up {
        keep = vec![true; scans.len()];
    }
    let count = |v: &[bool]| v.iter().filter(|&&x| x).count();
    let stats = Stats {
        gave_up,
        files: scans.len(),
        kept: count(&keep),
        fns: n,
        anchors: count(&anchor),
        sites_on_paths: starts.len(),
        on_paths: count(&on_path),
        helpers: count(&helpers),
    };
    (keep, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_of(text: &str) -> Scan {
        scan(text, &Vocabulary::default())
    }

    fn names(s: &Scan, ids: &[u32]) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().map(|&i| s.ident(i).to_string()).collect();
        v.sort();
        v
    }

    fn calls(s: &Scan, f: &FnScan) -> Vec<(String, String)> {
        let form = |c: u32| match c {
            FREE => "free".to_string(),
            METHOD => "method".to_string(),
            SELF_METHOD => "self".to_string(),
            ANY => "any".to_string(),
            ty => s.ident(ty).to_string(),
        };
        f.calls
            .iter()
            .map(|&(n, c)| (s.ident(n).to_string(), form(c)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    // The selection is only as good as the scan's fns, calls, signatures and types.
    #[test]
    fn scans_fns_calls_signatures_and_types() {
        let s = scan_of(
            "pub struct Queue { items: Vec<u8> }\nimpl<T: Tr> fmt::Debug for Queue<T> {\n  #[get(\"/\")]\n  fn take(&self, user: u64) -> u8 { let n = helper::<u8>(1); self.items.iter().map(|card| card).count(); self.check(); Queue::make(); Self::other(); self.items[0] }\n}\nstatic ref GLOBAL: u8 = 1;\nconst C: u8 = 0;\ntrait T { type A; fn decl(&self); fn dflt() { free() } }",
        );
        assert_eq!(s.fns.len(), 2);
        let f = &s.fns[0];
        assert_eq!(s.ident(f.name), "take");
        let want: Vec<(String, String)> = [
            ("check", "self"),
            ("count", "method"),
            ("helper", "any"),
            ("iter", "method"),
            ("make", "Queue"),
            ("map", "method"),
            ("other", "Self"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(calls(&s, f), want);
        assert!(f.zero_take && f.has_self && !f.free);
        assert_eq!(names(&s, &f.impl_types), ["Queue"]);
        let sig = names(&s, &f.sig);
        for w in ["Queue", "get", "user", "card", "u64"] {
            assert!(sig.contains(&w.to_string()), "{w} in {sig:?}");
        }
        assert!(!sig.contains(&"items".to_string()));
        assert_eq!(names(&s, &f.assigned), ["n"]);
        let dflt = &s.fns[1];
        assert_eq!(names(&s, &dflt.impl_types), ["T"]);
        assert!(!dflt.has_self);
        let types: Vec<&str> = s.types.iter().map(|t| s.ident(t.name)).collect();
        assert_eq!(types, ["Queue", "GLOBAL"], "no const, no associated type");
        assert!(names(&s, &s.types[0].mentions).contains(&"Vec".to_string()));
        assert!(scan_of("impl Tr for [u8] { fn f(&self) {} }").fns[0].free, "syn names no type: free");
        assert!(scan_of("fn outer() { fn inner() {} }").fns.iter().all(|f| f.free));
        assert!(scan_of("// pairlint: allow(PL001) reason\nfn f() {}").directive);
        assert!(!scan_of("fn f() { let pairlint = 1; }").directive);
        assert_eq!(scan_of("fn f() { (1, 2] }").syntax_error.map(|e| e.0), Some(14));
        assert_eq!(scan_of("fn f() {\n  let s = \"open").syntax_error.map(|e| e.0), Some(19));
        assert_eq!(scan_of("fn f() { g(1) ").syntax_error.map(|e| e.0), Some(7));
        assert!(scan_of("fn f() { g([1], {2}) }").syntax_error.is_none());
        let owner = scan_of("fn f(t: &mut T) { t.owner = None; t.locked_by.take(); if t.a == b {} }");
        assert_eq!(names(&owner, &owner.fns[0].assigned), ["locked_by", "owner"]);
        let generic = scan_of("fn f<const N: usize>(p: *const u8) -> [u8; N] { g() }");
        assert_eq!(generic.fns.len(), 1, "const generics and raw pointers are not items");
        let block_arg = scan_of("fn f() -> Foo<{ N }> { g() }");
        assert_eq!(calls(&block_arg, &block_arg.fns[0]), [("g".to_string(), "free".to_string())]);
    }

    // A path from a requester fn to a take keeps every fn on it, the definitions
    // typing it and the namesakes of its calls; unrelated files are skipped.
    #[test]
    fn selection_keeps_paths_types_and_namesakes() {
        let v = Vocabulary::default();
        let site = scan_of("fn serve(user: u64, s: &Shop) -> Item { next_item(s) }");
        let helper = scan_of("fn next_item(s: &Shop) -> Item { s.queue.pop_front() }");
        let ty = scan_of("struct Shop { queue: Spool }\ntype Spool = VecDeque<Item>;");
        let namesake = scan_of("mod m { pub fn next_item() -> u8 { 1 } }");
        let method = scan_of("impl Other { fn next_item(&self) -> u8 { 1 } }");
        let caller = scan_of("fn main() { serve(1, &SHOP); }");
        let unrelated = scan_of("fn other(q: &mut VecDeque<u8>) -> u8 { q.pop_front().unwrap() }");
        let scans = [
            Some(&site),
            Some(&helper),
            Some(&ty),
            Some(&namesake),
            Some(&method),
            Some(&caller),
            Some(&unrelated),
            None,
        ];
        // The method is no candidate for the free call `next_item(s)`.
        assert_eq!(select(&scans, &v), [true, true, true, true, false, true, false, false]);
        // No site at all: nothing is parsed.
        assert_eq!(select(&[Some(&helper), Some(&unrelated)], &v), [false, false]);
    }

    // Generated code with thousands of same-named methods calling each other would make
    // the by-name closure quadratic; the budget stops it and keeps every file (sound),
    // while an ordinary crate is selected normally.
    #[test]
    fn selection_gives_up_within_a_linear_budget() {
        let v = Vocabulary::default();
        let unit = |i: usize| {
            scan_of(&format!(
                "impl T{i} {{ fn serve(&self, user: u64) -> u8 {{ self.next() }}\n\
                 fn next(&self) -> u8 {{ self.q.pop_front().unwrap() }} }}\nfn noise_{i}() {{}}"
            ))
        };
        let many: Vec<Scan> = (0..3000).map(unit).collect();
        let refs: Vec<Option<&Scan>> = many.iter().map(Some).collect();
        let (keep, stats) = select_with_stats(&refs, &v);
        assert!(stats.gave_up, "{stats:?}");
        assert!(keep.iter().all(|&k| k), "giving up keeps every file");
        let few: Vec<Scan> = (0..3).map(unit).chain([scan_of("fn unrelated() {}")]).collect();
        let refs: Vec<Option<&Scan>> = few.iter().map(Some).collect();
        let (keep, stats) = select_with_stats(&refs, &v);
        assert!(!stats.gave_up, "{stats:?}");
        assert_eq!(keep, [true, true, true, false]);
    }

    // The shortcut that skips the vocabulary must never hide a flag: check it on every
    // vocabulary entry dressed up, and on every name of real code.
    #[test]
    fn no_flag_shortcut_never_hides_a_flag() {
        let v = Vocabulary::default();
        let no_flag = NoFlag::new(&v);
        let mut names: Vec<String> = Vec::new();
        for key in FLAG_LISTS {
            for e in v.entries(key) {
                names.extend([e.clone(), format!("x_{e}"), format!("{e}_y"), format!("My{e}"), format!("{e}Ext")]);
            }
        }
        for text in [
            include_str!("prefilter.rs"),
            include_str!("extract/body.rs"),
            include_str!("../../pairlint-reference/src/flawed.rs"),
        ] {
            let s = scan_of(text);
            names.extend((0..s.ends.len() as u32).map(|i| s.ident(i).to_string()));
        }
        let mut skipped = 0;
        for n in &names {
            if no_flag.holds(n) {
                skipped += 1;
                assert_eq!(flags_of(n, &v), 0, "{n}");
            }
        }
        assert!(skipped > 100, "the shortcut must skip most plain names ({skipped})");
    }
}
