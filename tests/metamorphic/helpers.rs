//! Helper extraction and inlining. Extraction moves a take from a shared collection
//! (`self.q.lock().unwrap().pop_front()`) into a new fn, in the same file or in a
//! child module, typed from the declared type of the collection; inlining replaces a
//! call to a one-expression helper of the case by its body. Either way the same item
//! reaches the same output, so the rules must report the same lines.

use super::base::{apply_edits, edit_case, is_vocabulary_name, parse_all, Case, Edit, LineMap, Lines, Rewritten};
use pairlint::engine::SourceFile;
use pairlint::vocab::Vocabulary;
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// A type as source text (token spacing normalized, which is what a reader expects of
/// a signature anyway).
fn ty_text(ty: &syn::Type) -> String {
    let text = ty.to_token_stream().to_string();
    text.replace(" < ", "<")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

/// `T` inside `Arc<T>`, `Rc<T>`, `Box<T>` (so `T` inside `&Arc<T>` too), as written.
fn generic_args(ty: &syn::Type) -> Option<(String, Vec<&syn::Type>)> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let args = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        syn::PathArguments::None => Vec::new(),
        syn::PathArguments::Parenthesized(_) => return None,
    };
    Some((last.ident.to_string(), args))
}

fn strip_pointers(mut ty: &syn::Type) -> &syn::Type {
    loop {
        match ty {
            syn::Type::Reference(r) => ty = &r.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            _ => match generic_args(ty) {
                // `LazyLock`/`Lazy` (statics) also hand out their contents by `Deref`.
                Some((name, args))
                    if ["Arc", "Rc", "Box", "LazyLock", "Lazy"].contains(&name.as_str()) && args.len() == 1 =>
                {
                    ty = args[0]
                }
                _ => return ty,
            },
        }
    }
}

/// What a take returns and what extra parameter it needs, given the collection's type
/// (`locked`: reached through `.lock().unwrap()`, so the type must be a `Mutex`).
fn take_signature(
    collection: &syn::Type,
    locked: bool,
    method: &str,
    has_arg: bool,
) -> Option<(String, Option<String>)> {
    let mut ty = strip_pointers(collection);
    if locked {
        let (name, args) = generic_args(ty)?;
        if name != "Mutex" || args.len() != 1 {
            return None;
        }
        ty = args[0];
    }
    let (name, args) = generic_args(ty)?;
    let text: Vec<String> = args.iter().map(|t| ty_text(t)).collect();
    match (name.as_str(), method, has_arg, text.as_slice()) {
        ("VecDeque", "pop_front" | "pop_back", false, [t]) => Some((format!("Option<{t}>"), None)),
        ("Vec", "pop", false, [t]) => Some((format!("Option<{t}>"), None)),
        ("VecDeque", "remove", true, [t]) => Some((format!("Option<{t}>"), Some("usize".into()))),
        ("Vec", "remove", true, [t]) => Some((t.clone(), Some("usize".into()))),
        ("HashMap" | "BTreeMap", "remove", true, [k, v]) => Some((format!("Option<{v}>"), Some(format!("&{k}")))),
        _ => None,
    }
}

/// How a take reaches its collection.
enum Base {
    /// `self.field`: the helper is a method of the impl's type.
    SelfField,
    /// A parameter of the enclosing fn, with its declared type.
    Param { name: String, ty: Box<syn::Type> },
    /// A `static` of the case: the helper is a free fn without parameters.
    Static,
}

/// One extractable take.
struct Take {
    range: std::ops::Range<usize>,
    /// The helper's body, as written at the site (with the argument replaced).
    body: String,
    base: Base,
    ret: String,
    arg: Option<(String, String)>,
    /// Text of the impl's self type, for `Base::SelfField`.
    self_ty: Option<String>,
}

/// Finds takes in fn bodies of one file.
struct Takes<'a, 't> {
    lines: &'a Lines<'t>,
    /// Struct name -> field name -> declared type.
    structs: &'a BTreeMap<String, BTreeMap<String, syn::Type>>,
    statics: &'a BTreeMap<String, syn::Type>,
    self_ty: Option<String>,
    receiver: Option<syn::Receiver>,
    params: BTreeMap<String, syn::Type>,
    generic: bool,
    takes: Vec<Take>,
}

impl Takes<'_, '_> {
    fn in_fn(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let saved = (self.receiver.take(), std::mem::take(&mut self.params), self.generic);
        self.generic |= !sig.generics.params.is_empty();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => self.receiver = Some(r.clone()),
                syn::FnArg::Typed(t) => {
                    if let syn::Pat::Ident(id) = &*t.pat {
                        self.params.insert(id.ident.to_string(), (*t.ty).clone());
                    }
                }
            }
        }
        self.visit_block(block);
        (self.receiver, self.params, self.generic) = saved;
    }

    fn take(&mut self, call: &syn::ExprMethodCall) -> Option<Take> {
        if self.generic {
            return None;
        }
        let method = call.method.to_string();
        let has_arg = match call.args.len() {
            0 => false,
            1 => true,
            _ => return None,
        };
        // `x.lock().unwrap()` or `x`.
        let (locked, base_expr) = match &*call.receiver {
            syn::Expr::MethodCall(u) if u.method == "unwrap" && u.args.is_empty() => match &*u.receiver {
                syn::Expr::MethodCall(l) if l.method == "lock" && l.args.is_empty() => (true, &*l.receiver),
                _ => return None,
            },
            other => (false, other),
        };
        let (base, collection) = match base_expr {
            syn::Expr::Field(f) => {
                let (syn::Expr::Path(p), syn::Member::Named(field)) = (&*f.base, &f.member) else { return None };
                if !p.path.is_ident("self") {
                    return None;
                }
                let receiver = self.receiver.as_ref()?;
                // A take without a lock needs `&mut self` at the site and in the helper.
                if !locked && receiver.mutability.is_none() {
                    return None;
                }
                let ty = self.structs.get(self.self_ty.as_ref()?)?.get(&field.to_string())?.clone();
                (Base::SelfField, ty)
            }
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                match self.params.get(&name) {
                    Some(ty) => (Base::Param { name, ty: Box::new(ty.clone()) }, ty.clone()),
                    // Only a locked static can be taken from (a `static mut` needs `unsafe`).
                    None if locked => (Base::Static, self.statics.get(&name)?.clone()),
                    None => return None,
                }
            }
            _ => return None,
        };
        let (ret, arg_ty) = take_signature(&collection, locked, &method, has_arg)?;
        if ret.contains("Self") || matches!(&base, Base::Param { ty, .. } if ty_text(ty).contains("Self")) {
            return None;
        }
        let arg = match (call.args.first(), arg_ty) {
            (Some(a), Some(t)) => {
                // A map key must already be a reference (`&cmd.ticket`), so `&K` types it.
                if t.starts_with('&') && !matches!(a, syn::Expr::Reference(_)) {
                    return None;
                }
                Some((self.lines.text()[self.lines.range(a.span())].to_string(), t))
            }
            (None, None) => None,
            _ => return None,
        };
        let receiver_text = &self.lines.text()[self.lines.range(call.receiver.span())];
        let body = match &arg {
            Some(_) => format!("{receiver_text}.{method}(arg)"),
            None => format!("{receiver_text}.{method}()"),
        };
        Some(Take { range: self.lines.range(call.span()), body, base, ret, arg, self_ty: self.self_ty.clone() })
    }
}

impl<'ast> Visit<'ast> for Takes<'_, '_> {
    fn visit_item_impl(&mut self, imp: &'ast syn::ItemImpl) {
        let saved = (self.self_ty.take(), self.generic);
        if let syn::Type::Path(p) = &*imp.self_ty {
            self.self_ty = p.path.get_ident().map(ToString::to_string);
        }
        self.generic = !imp.generics.params.is_empty();
        visit::visit_item_impl(self, imp);
        (self.self_ty, self.generic) = saved;
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let saved = self.self_ty.take();
        self.in_fn(&f.sig, &f.block);
        self.self_ty = saved;
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_fn(&f.sig, &f.block);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {
        // A closure may outlive the borrow a helper call would take; leave its body.
    }
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if ["pop_front", "pop_back", "pop", "remove"].contains(&call.method.to_string().as_str()) {
            if let Some(t) = self.take(call) {
                self.takes.push(t);
                return;
            }
        }
        visit::visit_expr_method_call(self, call);
    }
}

fn statics(parsed: &[syn::File]) -> BTreeMap<String, syn::Type> {
    let mut out = BTreeMap::new();
    for file in parsed {
        for item in &file.items {
            if let syn::Item::Static(s) = item {
                out.insert(s.ident.to_string(), (*s.ty).clone());
            }
        }
    }
    out
}

fn struct_fields(parsed: &[syn::File]) -> BTreeMap<String, BTreeMap<String, syn::Type>> {
    let mut out = BTreeMap::new();
    for file in parsed {
        for item in &file.items {
            let syn::Item::Struct(s) = item else { continue };
            let fields: BTreeMap<String, syn::Type> =
                s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone()))).collect();
            out.insert(s.ident.to_string(), fields);
        }
    }
    out
}

/// Where extracted helpers go.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// Appended to the site's file.
    SameFile,
    /// A new child module of the root file (sites in the root file only).
    ChildModule,
}

const HELPER_MODULE: &str = "metamorphic_helpers";

/// The helper's definition and the call that replaces the take.
fn helper(t: &Take, name: &str, vis: &str) -> (String, String) {
    let (arg_param, arg_value) = match &t.arg {
        Some((value, ty)) => (format!(", arg: {ty}"), value.clone()),
        None => (String::new(), String::new()),
    };
    match &t.base {
        Base::SelfField => {
            let recv = if t.body.contains(".lock()") { "&self" } else { "&mut self" };
            let def = format!(
                "impl {} {{\n    {vis}fn {name}({recv}{arg_param}) -> {} {{\n        {}\n    }}\n}}\n",
                t.self_ty.as_deref().unwrap(),
                t.ret,
                t.body
            );
            let call =
                if arg_value.is_empty() { format!("self.{name}()") } else { format!("self.{name}({arg_value})") };
            (def, call)
        }
        Base::Param { name: param, ty } => {
            // A parameter held by value is lent to the helper; a reference is passed on.
            let by_ref = matches!(&**ty, syn::Type::Reference(_));
            let locked = t.body.contains(".lock()");
            let (param_ty, pass) = match (by_ref, locked) {
                (true, _) => (ty_text(ty), param.clone()),
                (false, true) => (format!("&{}", ty_text(ty)), format!("&{param}")),
                (false, false) => (format!("&mut {}", ty_text(ty)), format!("&mut {param}")),
            };
            let def = format!("{vis}fn {name}({param}: {param_ty}{arg_param}) -> {} {{\n    {}\n}}\n", t.ret, t.body);
            let args = if arg_value.is_empty() { pass } else { format!("{pass}, {arg_value}") };
            (def, format!("{name}({args})"))
        }
        Base::Static => {
            let param = arg_param.trim_start_matches(", ");
            let def = format!(
                "{vis}fn {name}({param}) -> {} {{
    {}
}}
",
                t.ret, t.body
            );
            (def, format!("{name}({arg_value})"))
        }
    }
}

fn extract(case: &Case, place: Place) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let structs = struct_fields(parsed);
    let statics = statics(parsed);
    let vocab = Vocabulary::default();
    let mut files = case.files.clone();
    let mut map = LineMap::default();
    let mut child = String::new();
    let mut k = 0;
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        if place == Place::ChildModule && (i != case.root || src.text.contains(HELPER_MODULE)) {
            continue;
        }
        let lines = Lines::new(&src.text);
        let mut finder = Takes {
            lines: &lines,
            structs: &structs,
            statics: &statics,
            self_ty: None,
            receiver: None,
            params: BTreeMap::new(),
            generic: false,
            takes: Vec::new(),
        };
        finder.visit_file(file);
        if finder.takes.is_empty() {
            continue;
        }
        let mut edits = Vec::new();
        let mut appended = String::new();
        for t in &finder.takes {
            k += 1;
            let name = format!("extracted_{k}");
            assert!(!is_vocabulary_name(&vocab, &name) && !src.text.contains(&name));
            let vis = if place == Place::ChildModule { "pub(crate) " } else { "" };
            let (def, call) = helper(t, &name, vis);
            edits.push(Edit::replace(t.range.clone(), call));
            match place {
                Place::SameFile => appended.push_str(&format!("\n{def}")),
                Place::ChildModule => child.push_str(&format!("\n{def}")),
            }
        }
        if place == Place::ChildModule {
            appended = format!("\nmod {HELPER_MODULE};\n#[allow(unused_imports)]\nuse self::{HELPER_MODULE}::*;\n");
        }
        let (mut text, to) = apply_edits(&src.text, edits);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&appended);
        map.set_lines(&src.path, &to);
        files[i].text = text;
    }
    if k == 0 {
        return None;
    }
    if place == Place::ChildModule {
        let root_name = case.root_file().path.file_name().unwrap().to_string_lossy().into_owned();
        files.push(SourceFile {
            path: case.module_dir.join(format!("{HELPER_MODULE}.rs")),
            text: format!(
                "//! Helpers extracted from `{root_name}` by the metamorphic suite.\n#[allow(unused_imports)]\nuse super::*;\n{child}"
            ),
        });
    }
    Some(Rewritten { files, map })
}

/// Takes from shared collections moved into helpers appended to the same file.
pub fn extract_helper_same_file(case: &Case) -> Option<Rewritten> {
    extract(case, Place::SameFile)
}

/// Takes from shared collections in the root file moved into helpers in a child module.
pub fn extract_helper_child_module(case: &Case) -> Option<Rewritten> {
    extract(case, Place::ChildModule)
}

/// A helper simple enough to inline: one expression, no `?`, `return` or macro, plain
/// identifier parameters.
struct Inlinable {
    file: usize,
    params: Vec<String>,
    /// Receiver is `self` (a method).
    method: bool,
    body: syn::Expr,
}

fn inlinable(sig: &syn::Signature, block: &syn::Block, file: usize) -> Option<Inlinable> {
    let [syn::Stmt::Expr(body, None)] = block.stmts.as_slice() else { return None };
    let mut names = Names::default();
    names.visit_expr(body);
    if names.reject {
        return None;
    }
    let mut params = Vec::new();
    let mut method = false;
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(_) => method = true,
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(id) if id.by_ref.is_none() && id.subpat.is_none() => params.push(id.ident.to_string()),
                _ => return None,
            },
        }
    }
    if sig.asyncness.is_some() || sig.generics.params.iter().any(|g| matches!(g, syn::GenericParam::Lifetime(_))) {
        return None;
    }
    Some(Inlinable { file, params, method, body: body.clone() })
}

/// Every path a helper's body names, for substitution and the cross-file check; and
/// whether the body holds something that means another thing at the call site: `?`
/// and `return` (they would leave the caller), `.await`, macros (their tokens are not
/// substituted) and struct literals (a field shorthand cannot take an argument).
#[derive(Default)]
struct Names {
    paths: Vec<(String, proc_macro2::Span)>,
    reject: bool,
}

impl<'ast> Visit<'ast> for Names {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        let text = p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
        self.paths.push((text, p.path.segments[0].ident.span()));
    }
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        match e {
            syn::Expr::Try(_)
            | syn::Expr::Return(_)
            | syn::Expr::Await(_)
            | syn::Expr::Async(_)
            | syn::Expr::Macro(_)
            | syn::Expr::Struct(_) => self.reject = true,
            _ => visit::visit_expr(self, e),
        }
    }
}

/// A call to a one-expression helper of the case replaced by the helper's body with
/// the arguments substituted. Only arguments without side effects (paths, fields,
/// references to them, literals) are substituted, so evaluating one twice or later
/// changes nothing; a helper from another file is inlined only if its body names
/// nothing but its parameters, `self` and `Some`/`None`/`Ok`/`Err` (anything else
/// may not be in scope at the call site).
pub fn inline_helper(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut fns: BTreeMap<String, Vec<Inlinable>> = BTreeMap::new();
    for (i, file) in parsed.iter().enumerate() {
        for item in &file.items {
            match item {
                syn::Item::Fn(f) => {
                    fns.entry(f.sig.ident.to_string()).or_default().extend(inlinable(&f.sig, &f.block, i))
                }
                syn::Item::Impl(imp) => {
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            fns.entry(f.sig.ident.to_string()).or_default().extend(inlinable(&f.sig, &f.block, i));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Ambiguous names (two fns or methods named alike) are left alone.
    fns.retain(|_, v| v.len() == 1);
    let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let lines = Lines::new(&src.text);
        let mut calls = Calls { lines: &lines, case, fns: &fns, file: i, edits: Vec::new() };
        calls.visit_file(file);
        edits.insert(i, calls.edits);
    }
    edit_case(case, edits)
}

fn pure_arg(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Path(_) | syn::Expr::Lit(_) => true,
        syn::Expr::Field(f) => pure_arg(&f.base),
        syn::Expr::Reference(r) => pure_arg(&r.expr),
        syn::Expr::Paren(p) => pure_arg(&p.expr),
        _ => false,
    }
}

struct Calls<'a, 't> {
    lines: &'a Lines<'t>,
    case: &'a Case,
    fns: &'a BTreeMap<String, Vec<Inlinable>>,
    file: usize,
    edits: Vec<Edit>,
}

impl Calls<'_, '_> {
    /// The helper's body with parameters replaced by `(argument)`, or `None`.
    fn substituted(&self, f: &Inlinable, args: &[&syn::Expr]) -> Option<String> {
        if args.len() != f.params.len() || !args.iter().all(|a| pure_arg(a)) {
            return None;
        }
        let src = &self.case.files[f.file].text;
        let lines = Lines::new(src);
        let mut names = Names::default();
        names.visit_expr(&f.body);
        let mut edits = Vec::new();
        for (name, span) in &names.paths {
            if let Some(k) = f.params.iter().position(|p| p == name) {
                let arg = &self.lines.text()[self.lines.range(args[k].span())];
                edits.push(Edit::replace(lines.range(*span), format!("({arg})")));
            } else if f.file != self.file && !["self", "Some", "None", "Ok", "Err"].contains(&name.as_str()) {
                return None;
            }
        }
        let body_range = lines.range(f.body.span());
        let body_start = body_range.start;
        let shifted = edits
            .into_iter()
            .map(|e| Edit::replace(e.range.start - body_start..e.range.end - body_start, e.text))
            .collect();
        Some(format!("({})", apply_edits(&src[body_range], shifted).0))
    }
}

impl<'ast> Visit<'ast> for Calls<'_, '_> {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            let name = p.path.segments.last().unwrap().ident.to_string();
            if let Some([f]) = self.fns.get(&name).map(Vec::as_slice) {
                let args: Vec<&syn::Expr> = c.args.iter().collect();
                if !f.method && p.qself.is_none() && p.path.segments.len() <= 2 {
                    if let Some(body) = self.substituted(f, &args) {
                        self.edits.push(Edit::replace(self.lines.range(c.span()), body));
                        return;
                    }
                }
            }
        }
        visit::visit_expr_call(self, c);
    }
    fn visit_expr_method_call(&mut self, c: &'ast syn::ExprMethodCall) {
        let receiver_is_self = matches!(&*c.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if let Some([f]) = self.fns.get(&c.method.to_string()).map(Vec::as_slice) {
            let args: Vec<&syn::Expr> = c.args.iter().collect();
            if f.method && receiver_is_self && c.turbofish.is_none() {
                if let Some(body) = self.substituted(f, &args) {
                    self.edits.push(Edit::replace(self.lines.range(c.span()), body));
                    return;
                }
            }
        }
        visit::visit_expr_method_call(self, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
struct S {
    q: Mutex<VecDeque<Img>>,
    m: HashMap<Ticket, Img>,
}
impl S {
    fn a(&self, card: Card) -> Option<Img> {
        self.q.lock().unwrap().pop_front()
    }
    fn b(&mut self, cmd: Cmd) -> Option<Img> {
        self.m.remove(&cmd.ticket)
    }
}
fn c(queue: Arc<Mutex<Vec<Img>>>, card: Card) -> Option<Img> {
    queue.lock().unwrap().pop()
}
static SPOOL: LazyLock<Mutex<HashMap<Ticket, Img>>> = LazyLock::new(Default::default);
fn d(ticket: Ticket) -> Option<Img> {
    SPOOL.lock().unwrap().remove(&ticket)
}
";

    #[test]
    fn extraction_types_helpers_from_declarations() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = extract_helper_same_file(&case).unwrap();
        let want = SRC
            .replace("self.q.lock().unwrap().pop_front()", "self.extracted_1()")
            .replace("self.m.remove(&cmd.ticket)", "self.extracted_2(&cmd.ticket)")
            .replace("queue.lock().unwrap().pop()", "extracted_3(&queue)")
            .replace("SPOOL.lock().unwrap().remove(&ticket)", "extracted_4(&ticket)")
            + "
impl S {
    fn extracted_1(&self) -> Option<Img> {
        self.q.lock().unwrap().pop_front()
    }
}

impl S {
    fn extracted_2(&mut self, arg: &Ticket) -> Option<Img> {
        self.m.remove(arg)
    }
}

fn extracted_3(queue: &Arc<Mutex<Vec<Img>>>) -> Option<Img> {
    queue.lock().unwrap().pop()
}

fn extracted_4(arg: &Ticket) -> Option<Img> {
    SPOOL.lock().unwrap().remove(arg)
}
";
        assert_eq!(out.files[0].text, want);
        assert_eq!(out.map.map(&case.files[0].path, 16), (case.files[0].path.clone(), 16));

        let out = extract_helper_child_module(&case).unwrap();
        let (edited, appended) = want.split_at(want.find("\nimpl S {\n    fn extracted_1").unwrap());
        assert_eq!(
            out.files[0].text,
            format!(
                "{edited}\nmod metamorphic_helpers;\n#[allow(unused_imports)]\nuse self::metamorphic_helpers::*;\n"
            )
        );
        assert_eq!(out.files[1].path, std::path::PathBuf::from("src/metamorphic_helpers.rs"));
        assert_eq!(
            out.files[1].text,
            format!(
                "//! Helpers extracted from `lib.rs` by the metamorphic suite.\n#[allow(unused_imports)]\nuse super::*;\n{}",
                appended.replace("    fn extracted", "    pub(crate) fn extracted").replace("\nfn extracted", "\npub(crate) fn extracted")
            )
        );
    }

    #[test]
    fn inlining_substitutes_pure_arguments() {
        let lib = "mod helpers;
impl K {
    fn head(&self) -> Option<Img> {
        self.q.lock().unwrap().pop_front()
    }
    fn print(&self, card: Card) {
        let img = self.head();
        let same = helpers::same(&img, &card);
        let other = helpers::same(&make(), &card);
    }
}
";
        let helpers = "use crate::Img;
pub(crate) fn same(img: &Img, card: &Card) -> bool {
    img.applicant
        == *card
}
";
        let case = Case::inline(&[("src/lib.rs", lib), ("src/helpers.rs", helpers)]);
        let out = inline_helper(&case).unwrap();
        let want = lib
            .replace("self.head()", "(self.q.lock().unwrap().pop_front())")
            .replace("helpers::same(&img, &card)", "((&img).applicant\n        == *(&card))");
        assert_eq!(out.files[0].text, want);
        // Lines after the two-line body moved down by one.
        assert_eq!(out.map.map(&case.files[0].path, 9).1, 10);
        assert_eq!(out.files[1].text, helpers);
    }
}
