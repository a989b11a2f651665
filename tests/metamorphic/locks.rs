//! Lock idioms: `.lock().unwrap()` rewritten to `.lock().expect(..)`,
//! `.lock().unwrap_or_else(PoisonError::into_inner)`, `.lock().map_err(..)?` and
//! parking_lot's `.lock()`. A guard is a guard however the poisoning is handled, so
//! the rules must see the same shared collection behind it.

use super::base::{edit_case, parse_all, Case, Edit, Lines, Rewritten};
use std::collections::BTreeMap;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// One `.lock().unwrap()`: where the `.unwrap()` is, and the return type of the
/// innermost fn around it (`None` inside a closure or async block, where `?` would
/// leave the closure instead).
struct Site {
    /// From the `.` before `unwrap` to the closing parenthesis.
    dot_unwrap: std::ops::Range<usize>,
    /// From `unwrap` to the closing parenthesis.
    unwrap: std::ops::Range<usize>,
    ret: Option<syn::ReturnType>,
}

#[derive(Default)]
struct LockSites<'t> {
    lines: Option<Lines<'t>>,
    sites: Vec<Site>,
    /// Every `.lock()` call, whatever follows it.
    locks: usize,
    ret: Vec<Option<syn::ReturnType>>,
}

impl<'ast> Visit<'ast> for LockSites<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.ret.push(Some(f.sig.output.clone()));
        visit::visit_item_fn(self, f);
        self.ret.pop();
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.ret.push(Some(f.sig.output.clone()));
        visit::visit_impl_item_fn(self, f);
        self.ret.pop();
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.ret.push(Some(f.sig.output.clone()));
        visit::visit_trait_item_fn(self, f);
        self.ret.pop();
    }
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.ret.push(None);
        visit::visit_expr_closure(self, c);
        self.ret.pop();
    }
    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        self.ret.push(None);
        visit::visit_expr_async(self, a);
        self.ret.pop();
    }
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "lock" && call.args.is_empty() {
            self.locks += 1;
        }
        if call.method == "unwrap" && call.args.is_empty() {
            if let syn::Expr::MethodCall(inner) = &*call.receiver {
                if inner.method == "lock" && inner.args.is_empty() {
                    let lines = self.lines.as_ref().unwrap();
                    let close = lines.end(call.paren_token.span.close());
                    self.sites.push(Site {
                        dot_unwrap: lines.start(call.dot_token.span)..close,
                        unwrap: lines.start(call.method.span())..close,
                        ret: self.ret.last().cloned().flatten(),
                    });
                }
            }
        }
        visit::visit_expr_method_call(self, call);
    }
}

fn lock_sites<'t>(text: &'t str, file: &syn::File) -> LockSites<'t> {
    let mut v = LockSites { lines: Some(Lines::new(text)), ..LockSites::default() };
    v.visit_file(file);
    v
}

/// `.lock().unwrap()` -> `.lock().expect("lock poisoned")`, everywhere.
pub fn lock_expect(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let sites = lock_sites(&src.text, file).sites;
        edits.insert(i, sites.into_iter().map(|s| Edit::replace(s.unwrap, "expect(\"lock poisoned\")")).collect());
    }
    edit_case(case, edits)
}

/// `.lock().unwrap()` -> `.lock().unwrap_or_else(PoisonError::into_inner)`, the idiom
/// that takes the guard even from a poisoned lock.
pub fn lock_into_inner(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits = BTreeMap::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let sites = lock_sites(&src.text, file).sites;
        let into_inner = "unwrap_or_else(std::sync::PoisonError::into_inner)";
        edits.insert(i, sites.into_iter().map(|s| Edit::replace(s.unwrap, into_inner)).collect());
    }
    edit_case(case, edits)
}

/// What a poisoned lock becomes in a fn returning `Result<_, E>`, or `None` when the
/// return type is not such a `Result`.
fn poison_error(ret: &syn::ReturnType) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = ret else { return None };
    let syn::Type::Path(p) = &**ty else { return None };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    if last.ident != "Result" || args.args.len() != 2 {
        return None;
    }
    let syn::GenericArgument::Type(err) = &args.args[1] else { return None };
    match err {
        // `?` turns a `&str` into a `String` or a boxed error through `From`.
        syn::Type::Path(e) if e.path.is_ident("String") => Some("\"lock poisoned\"".into()),
        syn::Type::Path(e) if e.path.segments.last().is_some_and(|s| s.ident == "Box") => {
            Some("\"lock poisoned\"".into())
        }
        // An error enum of the application's own: a variant for the poisoned lock (the
        // fixtures leave such error types undefined, as they leave `CardId`).
        syn::Type::Path(e) if e.path.segments.len() == 1 && e.path.segments[0].arguments.is_empty() => {
            Some(format!("{}::LockPoisoned", e.path.segments[0].ident))
        }
        _ => None,
    }
}

/// `.lock().unwrap()` -> `.lock().map_err(|_| E::LockPoisoned)?` in fns returning a
/// `Result` (a poisoned lock becomes an error instead of a panic; nothing about which
/// item is handed to whom changes). Sites in closures and async blocks are left as
/// they are. An error enum defined in the case gets the variant; a case is skipped if
/// that enum's file names its variants and has a `match` (conservatively: the match
/// might be on the enum, and a new variant would make it non-exhaustive).
pub fn lock_map_err(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let mut variants_needed = std::collections::BTreeSet::new();
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        for s in lock_sites(&src.text, file).sites {
            let Some(err) = s.ret.as_ref().and_then(poison_error) else { continue };
            if let Some(enum_name) = err.strip_suffix("::LockPoisoned") {
                variants_needed.insert(enum_name.to_string());
            }
            edits.entry(i).or_default().push(Edit::replace(s.unwrap, format!("map_err(|_| {err})?")));
        }
    }
    for enum_name in &variants_needed {
        for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
            for item in &file.items {
                let syn::Item::Enum(e) = item else { continue };
                if e.ident != enum_name {
                    continue;
                }
                if src.text.contains(&format!("{enum_name}::")) && src.text.contains("match ") {
                    return None;
                }
                let at = Lines::new(&src.text).end(e.brace_token.span.open());
                edits.entry(i).or_default().push(Edit::insert(at, " LockPoisoned,"));
            }
        }
    }
    edit_case(case, edits)
}

/// The leaves a `use` tree imports, as paths (`["std", "sync", "Mutex"]`); a glob
/// ends in `*`, a rename in `as`.
fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push([prefix.as_slice(), &[n.ident.to_string()]].concat()),
        syn::UseTree::Rename(_) => out.push([prefix.as_slice(), &["as".to_string()]].concat()),
        syn::UseTree::Glob(_) => out.push([prefix.as_slice(), &["*".to_string()]].concat()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_leaves(t, prefix, out)),
    }
}

const PARKING_LOT_NAMES: [&str; 2] = ["Mutex", "MutexGuard"];

fn is_std_mutex_leaf(leaf: &[String]) -> bool {
    leaf.len() == 3 && leaf[0] == "std" && leaf[1] == "sync" && PARKING_LOT_NAMES.contains(&leaf[2].as_str())
}

/// Pushes deletions that take the std `Mutex`/`MutexGuard` leaves out of a `use`
/// tree; returns true (and pushes nothing) when every leaf of the tree is one, so the
/// caller removes the tree as a whole.
fn drop_mutex_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, lines: &Lines, out: &mut Vec<Edit>) -> bool {
    let mut leaves = Vec::new();
    use_leaves(tree, &mut prefix.clone(), &mut leaves);
    if leaves.iter().all(|l| is_std_mutex_leaf(l)) {
        return true;
    }
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            let all = drop_mutex_leaves(&p.tree, prefix, lines, out);
            prefix.pop();
            debug_assert!(!all);
        }
        syn::UseTree::Group(g) => {
            let pairs: Vec<_> = g.items.pairs().collect();
            for (k, pair) in pairs.iter().enumerate() {
                let item = pair.value();
                if !drop_mutex_leaves(item, prefix, lines, out) {
                    continue;
                }
                // Take the item with the comma after it, or, for the last one, the
                // comma before it.
                let range = match pair.punct() {
                    Some(comma) => lines.start(item.span())..lines.end(comma.span),
                    None if k > 0 => lines.end(pairs[k - 1].value().span())..lines.end(item.span()),
                    None => lines.range(item.span()),
                };
                let mut range = range;
                if pair.punct().is_some() {
                    let rest = &lines.text()[range.end..];
                    range.end += rest.len() - rest.trim_start_matches(' ').len();
                }
                out.push(Edit::replace(range, ""));
            }
        }
        _ => {}
    }
    false
}

/// std's `Mutex` -> parking_lot's, whose `lock()` returns the guard directly, so every
/// `.lock().unwrap()` loses its `.unwrap()`. Applies only when every `.lock()` in the
/// case is such a call and nothing else of the std mutex's API (poisoning, `Condvar`)
/// is used.
pub fn lock_parking_lot(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let all_text: String = case.files.iter().map(|f| f.text.as_str()).collect();
    for needle in
        ["Condvar", "PoisonError", "TryLockError", "try_lock", "tokio", "into_inner", "sync::*", "use std::sync;"]
    {
        if all_text.contains(needle) {
            return None;
        }
    }
    let mut edits: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let mut imported = false;
    for (i, (src, file)) in case.files.iter().zip(parsed).enumerate() {
        let sites = lock_sites(&src.text, file);
        // A `.lock()` inside a macro's tokens is invisible to the visitor; counting the
        // text's calls too keeps such a case out rather than half rewritten.
        if sites.locks != sites.sites.len() || src.text.matches(".lock()").count() != sites.locks {
            return None;
        }
        let lines = Lines::new(&src.text);
        let file_edits = edits.entry(i).or_default();
        file_edits.extend(sites.sites.into_iter().map(|s| Edit::replace(s.dot_unwrap, "")));
        for item in &file.items {
            let syn::Item::Use(u) = item else { continue };
            let mut leaves = Vec::new();
            use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
            let names: Vec<&str> = leaves.iter().filter(|l| is_std_mutex_leaf(l)).map(|l| l[2].as_str()).collect();
            if names.is_empty() {
                continue;
            }
            imported = true;
            let new_use = match names.as_slice() {
                [one] => format!("use parking_lot::{one};"),
                many => format!("use parking_lot::{{{}}};", many.join(", ")),
            };
            if drop_mutex_leaves(&u.tree, &mut Vec::new(), &lines, file_edits) {
                file_edits.push(Edit::replace(lines.range(u.span()), new_use));
            } else {
                file_edits.push(Edit::insert(lines.end(u.semi_token.span), format!(" {new_use}")));
            }
        }
        // Fully written `std::sync::Mutex<..>` types.
        let mut paths = StdMutexPaths { lines: &lines, edits: Vec::new() };
        paths.visit_file(file);
        imported |= !paths.edits.is_empty();
        file_edits.extend(paths.edits);
    }
    if !imported {
        return None;
    }
    edit_case(case, edits)
}

struct StdMutexPaths<'l, 't> {
    lines: &'l Lines<'t>,
    edits: Vec<Edit>,
}

impl<'ast> Visit<'ast> for StdMutexPaths<'_, '_> {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if segs.len() == 3 && segs[0] == "std" && segs[1] == "sync" && PARKING_LOT_NAMES.contains(&segs[2].as_str()) {
            let start = self.lines.start(p.segments[0].ident.span());
            let end = self.lines.start(p.segments[2].ident.span());
            self.edits.push(Edit::replace(start..end, "parking_lot::"));
        }
        visit::visit_path(self, p);
    }
    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "use std::sync::{Arc, Mutex};
struct S { q: Mutex<Vec<u8>>, r: std::sync::Mutex<u8> }
impl S {
    fn a(&self) -> Option<u8> { self.q.lock().unwrap().pop() }
    fn b(&self) -> Result<u8, PrintError> {
        let v = self.q.lock().unwrap().pop();
        let f = || self.q.lock().unwrap().len();
        Ok(v.unwrap_or(0) + f() as u8)
    }
    fn c(&self) -> Result<(), String> { self.q.lock().unwrap().clear(); Ok(()) }
}
";

    use crate::metamorphic::base::rewrite_one_file as rewrite;

    fn identity(text: &str) -> Vec<u32> {
        (1..=Lines::new(text).count() as u32).collect()
    }

    #[test]
    fn expect_replaces_every_unwrap_after_lock() {
        let (text, map) = rewrite(lock_expect, SRC).unwrap();
        assert_eq!(text, SRC.replace(".lock().unwrap()", ".lock().expect(\"lock poisoned\")"));
        assert_eq!(map, identity(SRC));
        assert!(rewrite(lock_expect, "fn f() { let x = y.unwrap(); }").is_none());
    }

    #[test]
    fn into_inner_replaces_every_unwrap_after_lock() {
        let (text, map) = rewrite(lock_into_inner, SRC).unwrap();
        assert_eq!(text, SRC.replace(".lock().unwrap()", ".lock().unwrap_or_else(std::sync::PoisonError::into_inner)"));
        assert_eq!(map, identity(SRC));
    }

    #[test]
    fn map_err_only_where_the_fn_returns_a_result() {
        let (text, map) = rewrite(lock_map_err, SRC).unwrap();
        let want = SRC
            .replace(
                "let v = self.q.lock().unwrap().pop();",
                "let v = self.q.lock().map_err(|_| PrintError::LockPoisoned)?.pop();",
            )
            .replace("self.q.lock().unwrap().clear();", "self.q.lock().map_err(|_| \"lock poisoned\")?.clear();");
        assert_eq!(text, want);
        assert_eq!(map, identity(SRC));
    }

    #[test]
    fn map_err_adds_the_variant_to_a_local_error_enum() {
        let src = "enum E {\n    Empty,\n}\nfn f(q: &Mutex<Vec<u8>>) -> Result<u8, E> {\n    q.lock().unwrap().pop().ok_or(E::Empty)\n}\n";
        let (text, _) = rewrite(lock_map_err, src).unwrap();
        assert_eq!(
            text,
            "enum E { LockPoisoned,\n    Empty,\n}\nfn f(q: &Mutex<Vec<u8>>) -> Result<u8, E> {\n    q.lock().map_err(|_| E::LockPoisoned)?.pop().ok_or(E::Empty)\n}\n"
        );
    }

    #[test]
    fn parking_lot_swaps_the_import_and_drops_unwrap() {
        let (text, map) = rewrite(lock_parking_lot, SRC).unwrap();
        let want = SRC
            .replace("use std::sync::{Arc, Mutex};", "use std::sync::{Arc}; use parking_lot::Mutex;")
            .replace("std::sync::Mutex<u8>", "parking_lot::Mutex<u8>")
            .replace(".lock().unwrap()", ".lock()");
        assert_eq!(text, want);
        assert_eq!(map, identity(SRC));
        let single = "use std::sync::Mutex;\nfn f(q: &Mutex<Vec<u8>>) { q.lock().unwrap().pop(); }\n";
        let (text, _) = rewrite(lock_parking_lot, single).unwrap();
        assert_eq!(text, "use parking_lot::Mutex;\nfn f(q: &Mutex<Vec<u8>>) { q.lock().pop(); }\n");
        let first = "use std::sync::{Mutex, Arc};\n";
        let nested = "use std::{collections::VecDeque, sync::{Mutex, MutexGuard}};\n";
        let body = "fn f(q: &Mutex<VecDeque<u8>>) { q.lock().unwrap().pop_front(); }\n";
        assert_eq!(
            rewrite(lock_parking_lot, &format!("{first}{body}")).unwrap().0,
            format!("use std::sync::{{Arc}}; use parking_lot::Mutex;\n{}", body.replace(".unwrap()", ""))
        );
        assert_eq!(
            rewrite(lock_parking_lot, &format!("{nested}{body}")).unwrap().0,
            format!(
                "use std::{{collections::VecDeque}}; use parking_lot::{{Mutex, MutexGuard}};\n{}",
                body.replace(".unwrap()", "")
            )
        );
        let other_use = "use std::sync::Mutex;\nfn f(q: &Mutex<u8>) { if let Ok(g) = q.lock() { drop(g) } }\n";
        assert!(rewrite(lock_parking_lot, other_use).is_none());
    }
}
