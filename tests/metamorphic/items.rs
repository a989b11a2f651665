//! Item-level rewrites: reordering items, splitting a file into a child module, and
//! adding never-called methods named like std's iterator and `Option` methods. Item
//! order, file boundaries and dead code mean nothing to the compiler here, so they
//! must mean nothing to the rules.

use super::base::{apply_edits, parse_all, Case, Edit, LineMap, Lines, Rewritten};
use pairlint::engine::SourceFile;
use pairlint_syntax::context::item_attrs;
use std::path::PathBuf;
use syn::spanned::Spanned;

/// First and last line (1-based) of an item, outer attributes and doc comments included.
fn item_lines(item_span: proc_macro2::Span, attrs: &[syn::Attribute]) -> (usize, usize) {
    let first = attrs.iter().map(|a| a.span().start().line).chain([item_span.start().line]).min().unwrap();
    (first, item_span.end().line)
}

/// A run of items between a floor line (the file's inner attributes, an impl's `{`)
/// and the end of the last one. Item `k`'s chunk is every line after item `k - 1`
/// (or after the floor) through its own last line, so comments above an item travel
/// with it. `None` when two items share a line (no line-granular move is possible).
struct Run {
    chunks: Vec<(usize, usize)>,
}

fn run(floor: usize, items: &[(usize, usize)]) -> Option<Run> {
    let mut prev = floor;
    let mut chunks = Vec::new();
    for &(first, last) in items {
        if first <= prev {
            return None;
        }
        chunks.push((prev + 1, last));
        prev = last;
    }
    Some(Run { chunks })
}

/// The line after the file's inner attributes (`//!` docs, `#![..]`), the floor of
/// its top-level run.
fn file_floor(file: &syn::File) -> usize {
    file.attrs.iter().map(|a| a.span().end().line).max().unwrap_or(0)
}

fn top_level(file: &syn::File) -> Vec<(usize, usize)> {
    file.items.iter().map(|item| item_lines(item.span(), item_attrs(item))).collect()
}

/// The text's lines, each with its newline (one added to an unterminated last line).
fn split_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    if let Some(last) = lines.last_mut() {
        if !last.ends_with('\n') {
            last.push('\n');
        }
    }
    lines
}

/// Reorders whole lines: `order` lists old line numbers (1-based) in their new order,
/// each exactly once. Returns the text and each old line's new line.
fn permute(lines: &[String], order: &[usize]) -> (String, Vec<u32>) {
    assert_eq!(order.len(), lines.len(), "a permutation keeps every line");
    let mut to = vec![0u32; lines.len()];
    let mut text = String::new();
    for (new, &old) in order.iter().enumerate() {
        text.push_str(&lines[old - 1]);
        to[old - 1] = new as u32 + 1;
    }
    assert!(to.iter().all(|&l| l > 0), "a permutation keeps every line");
    (text, to)
}

/// The line order that reverses each run's chunks in place.
fn reversed_order(line_count: usize, runs: &[Run]) -> Vec<usize> {
    let mut order: Vec<usize> = (1..=line_count).collect();
    for r in runs {
        let (Some(&(from, _)), Some(&(_, to))) = (r.chunks.first(), r.chunks.last()) else { continue };
        let reversed: Vec<usize> = r.chunks.iter().rev().flat_map(|&(a, b)| a..=b).collect();
        order.splice(from - 1..to, reversed);
    }
    order
}

/// Reverses the top-level items of every file (comments above an item go with it).
/// Files defining `macro_rules!` are left alone: a macro is in scope only below its
/// definition.
pub fn reorder_items(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    reorder(case, parsed, |file| {
        let items = top_level(file);
        (items.len() >= 2).then(|| run(file_floor(file), &items)).flatten().into_iter().collect()
    })
}

/// Reverses the methods (and other items) of every impl block with at least two.
pub fn reorder_methods(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    reorder(case, parsed, |file| {
        let mut runs = Vec::new();
        for item in &file.items {
            let syn::Item::Impl(imp) = item else { continue };
            let items: Vec<(usize, usize)> = imp
                .items
                .iter()
                .map(|i| match i {
                    syn::ImplItem::Fn(f) => item_lines(f.span(), &f.attrs),
                    syn::ImplItem::Const(c) => item_lines(c.span(), &c.attrs),
                    syn::ImplItem::Type(t) => item_lines(t.span(), &t.attrs),
                    other => item_lines(other.span(), &[]),
                })
                .collect();
            let close = imp.brace_token.span.close().start().line;
            if items.len() >= 2 && items.last().unwrap().1 < close {
                runs.extend(run(imp.brace_token.span.open().start().line, &items));
            }
        }
        runs
    })
}

fn reorder(case: &Case, parsed: &[syn::File], runs_of: impl Fn(&syn::File) -> Vec<Run>) -> Option<Rewritten> {
    let mut files = case.files.clone();
    let mut map = LineMap::default();
    let mut changed = false;
    for (src, file) in files.iter_mut().zip(parsed) {
        if src.text.contains("macro_rules!") {
            continue;
        }
        let runs = runs_of(file);
        if runs.is_empty() {
            continue;
        }
        let lines = split_lines(&src.text);
        let (text, to) = permute(&lines, &reversed_order(lines.len(), &runs));
        map.set_lines(&src.path, &to);
        src.text = text;
        changed = true;
    }
    changed.then_some(Rewritten { files, map })
}

/// Which top-level items a split moves.
#[derive(Clone, Copy)]
enum Moved {
    /// Structs, enums, unions, type aliases and traits.
    Types,
    /// Free fns and impl blocks.
    Code,
}

impl Moved {
    fn takes(self, item: &syn::Item) -> bool {
        match self {
            Moved::Types => matches!(
                item,
                syn::Item::Struct(_)
                    | syn::Item::Enum(_)
                    | syn::Item::Union(_)
                    | syn::Item::Type(_)
                    | syn::Item::Trait(_)
            ),
            Moved::Code => matches!(item, syn::Item::Fn(_) | syn::Item::Impl(_)),
        }
    }
}

const SPLIT_MODULE: &str = "metamorphic_split";

/// `pub(crate) ` insertions that keep a moved item usable from its old module: the
/// item itself, a struct's fields, an inherent impl's fns. `None` if the item has a
/// visibility that means something else one module down (`pub(super)`, `pub(in ..)`).
fn widen(item: &syn::Item, lines: &Lines, edits: &mut Vec<Edit>) -> Option<()> {
    let crate_vis = |vis: &syn::Visibility| match vis {
        syn::Visibility::Inherited => Some(false),
        syn::Visibility::Public(_) => Some(true),
        syn::Visibility::Restricted(r) if r.path.is_ident("crate") && r.in_token.is_none() => Some(true),
        syn::Visibility::Restricted(_) => None,
    };
    let mut widen_at = |vis: &syn::Visibility, at: proc_macro2::Span| -> Option<()> {
        if !crate_vis(vis)? {
            edits.push(Edit::insert(lines.start(at), "pub(crate) "));
        }
        Some(())
    };
    match item {
        syn::Item::Struct(s) => {
            widen_at(&s.vis, s.struct_token.span)?;
            for f in &s.fields {
                let at = f.ident.as_ref().map_or_else(|| f.ty.span(), |i| i.span());
                widen_at(&f.vis, at)?;
            }
        }
        syn::Item::Enum(e) => widen_at(&e.vis, e.enum_token.span)?,
        syn::Item::Union(u) => widen_at(&u.vis, u.union_token.span)?,
        syn::Item::Type(t) => widen_at(&t.vis, t.type_token.span)?,
        syn::Item::Trait(t) => {
            let first = t.unsafety.map(|u| u.span).or(t.auto_token.map(|a| a.span)).unwrap_or(t.trait_token.span);
            widen_at(&t.vis, first)?;
        }
        syn::Item::Fn(f) => {
            let first = f.sig.constness.map(|c| c.span).or(f.sig.asyncness.map(|a| a.span));
            let first = first.or(f.sig.unsafety.map(|u| u.span)).or(f.sig.abi.as_ref().map(|a| a.extern_token.span));
            widen_at(&f.vis, first.unwrap_or(f.sig.fn_token.span))?;
        }
        syn::Item::Impl(imp) if imp.trait_.is_none() => {
            for i in &imp.items {
                if let syn::ImplItem::Fn(f) = i {
                    let first = f.sig.constness.map(|c| c.span).or(f.sig.asyncness.map(|a| a.span));
                    let first = first
                        .or(f.sig.unsafety.map(|u| u.span))
                        .or(f.sig.abi.as_ref().map(|a| a.extern_token.span))
                        .or(f.defaultness.map(|d| d.span));
                    widen_at(&f.vis, first.unwrap_or(f.sig.fn_token.span))?;
                }
            }
        }
        _ => {}
    }
    Some(())
}

/// Moves the chosen items of the root file into a new child module file, which sees
/// the rest through `use super::*;` and is re-exported with `pub(crate) use`, so every
/// path that named a moved item still does.
fn split(case: &Case, moved: Moved) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let root = case.root_file();
    let file = &parsed[case.root];
    if root.text.contains("macro_rules!") || root.text.contains(SPLIT_MODULE) {
        return None;
    }
    let take: Vec<bool> = file.items.iter().map(|i| moved.takes(i)).collect();
    let stays_code = file.items.iter().zip(&take).any(|(i, t)| !t && !matches!(i, syn::Item::Use(_)));
    if !take.contains(&true) || !stays_code {
        return None;
    }
    let run = run(file_floor(file), &top_level(file))?;
    let lines = Lines::new(&root.text);
    let mut edits = Vec::new();
    for (item, _) in file.items.iter().zip(&take).filter(|(_, t)| **t) {
        widen(item, &lines, &mut edits)?;
    }
    let (widened, same) = apply_edits(&root.text, edits);
    debug_assert!(same.iter().enumerate().all(|(k, &l)| l as usize == k + 1));
    let old = split_lines(&widened);

    let child_path = case.module_dir.join(format!("{SPLIT_MODULE}.rs"));
    let root_name = root.path.file_name().unwrap().to_string_lossy();
    let mut child = format!(
        "//! Items moved out of `{root_name}` by the metamorphic suite's module split.\n\
         #[allow(unused_imports)]\n\
         use super::*;\n"
    );
    let mut child_line = 3;
    let mut kept = String::new();
    let mut kept_line = 0;
    let mut to: Vec<(PathBuf, u32)> = vec![(PathBuf::new(), 0); old.len()];
    let moved_line = |l: usize| run.chunks.iter().zip(&take).any(|(&(a, b), &t)| t && (a..=b).contains(&l));
    for (k, line) in old.iter().enumerate() {
        if moved_line(k + 1) {
            child_line += 1;
            child.push_str(line);
            to[k] = (child_path.clone(), child_line);
        } else {
            kept_line += 1;
            kept.push_str(line);
            to[k] = (root.path.clone(), kept_line);
        }
    }
    kept.push_str(&format!(
        "\nmod {SPLIT_MODULE};\n#[allow(unused_imports)]\npub(crate) use self::{SPLIT_MODULE}::*;\n"
    ));
    let mut files = case.files.clone();
    files[case.root].text = kept;
    files.push(SourceFile { path: child_path, text: child });
    let mut map = LineMap::default();
    map.set_file(&root.path, to);
    Some(Rewritten { files, map })
}

/// The root file's type definitions moved into a child module.
pub fn split_types_module(case: &Case) -> Option<Rewritten> {
    split(case, Moved::Types)
}

/// The root file's fns and impl blocks moved into a child module.
pub fn split_code_module(case: &Case) -> Option<Rewritten> {
    split(case, Moved::Code)
}

/// Adds `fn <name>` to every non-generic struct of the case that has no method or
/// trait impl that the new method could shadow or collide with (inherent methods win
/// over trait methods, and a `Deref` or `Iterator` impl would route calls through
/// them). The methods go at the end of the struct's file, so no line moves.
fn unused_method(case: &Case, name: &str, method: &str) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut blocked = std::collections::BTreeSet::new();
    for file in parsed {
        for item in &file.items {
            let syn::Item::Impl(imp) = item else { continue };
            let syn::Type::Path(ty) = &*imp.self_ty else { continue };
            let Some(last) = ty.path.segments.last() else { continue };
            let has_name = imp.items.iter().any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == name));
            let trait_name = imp.trait_.as_ref().and_then(|(_, p, _)| p.segments.last()).map(|s| s.ident.to_string());
            let routes = trait_name.is_some_and(|t| ["Deref", "DerefMut", "Iterator", "IntoIterator"].contains(&&*t));
            if has_name || routes {
                blocked.insert(last.ident.to_string());
            }
        }
    }
    let mut files = case.files.clone();
    let mut changed = false;
    for (src, file) in files.iter_mut().zip(parsed) {
        for item in &file.items {
            let syn::Item::Struct(s) = item else { continue };
            if !s.generics.params.is_empty() || blocked.contains(&s.ident.to_string()) {
                continue;
            }
            if !src.text.ends_with('\n') {
                src.text.push('\n');
            }
            src.text.push_str(&format!(
                "\n// Never called: only its name, shared with a std method, is new.\nimpl {} {{\n    #[allow(dead_code)]\n    {method}\n}}\n",
                s.ident
            ));
            changed = true;
        }
    }
    changed.then_some(Rewritten { files, map: LineMap::default() })
}

pub fn unused_method_collect(case: &Case) -> Option<Rewritten> {
    unused_method(case, "collect", "fn collect(&self) -> Vec<()> {\n        Vec::new()\n    }")
}

pub fn unused_method_next(case: &Case) -> Option<Rewritten> {
    unused_method(case, "next", "fn next(&mut self) -> Option<()> {\n        None\n    }")
}

pub fn unused_method_count(case: &Case) -> Option<Rewritten> {
    unused_method(case, "count", "fn count(&self) -> usize {\n        0\n    }")
}

pub fn unused_method_take(case: &Case) -> Option<Rewritten> {
    unused_method(case, "take", "fn take(&mut self) -> Option<()> {\n        None\n    }")
}

/// Old line -> new line of a rewrite's map for one file, for the unit tests.
#[cfg(test)]
fn line_map(case: &Case, out: &Rewritten, file: usize) -> Vec<(String, u32)> {
    let path = &case.files[file].path;
    (1..=Lines::new(&case.files[file].text).count() as u32)
        .map(|l| {
            let (f, l) = out.map.map(path, l);
            (f.file_name().unwrap().to_string_lossy().into_owned(), l)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "//! Doc.
use std::collections::VecDeque;

/// A queue.
struct Q {
    items: VecDeque<u8>,
}

// Takes the head.
impl Q {
    fn a(&mut self) -> Option<u8> {
        self.items.pop_front()
    }

    fn b(&self) -> usize {
        self.items.len()
    }
}
";

    fn ln(file: &str, lines: &[u32]) -> Vec<(String, u32)> {
        lines.iter().map(|&l| (file.to_string(), l)).collect()
    }

    #[test]
    fn reorder_items_reverses_top_level_chunks() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = reorder_items(&case).unwrap();
        let want = "//! Doc.

// Takes the head.
impl Q {
    fn a(&mut self) -> Option<u8> {
        self.items.pop_front()
    }

    fn b(&self) -> usize {
        self.items.len()
    }
}

/// A queue.
struct Q {
    items: VecDeque<u8>,
}
use std::collections::VecDeque;
";
        assert_eq!(out.files[0].text, want);
        assert_eq!(
            line_map(&case, &out, 0),
            ln("lib.rs", &[1, 18, 13, 14, 15, 16, 17, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 19])
        );
        assert!(reorder_items(&Case::inline(&[("src/lib.rs", "fn a() {} fn b() {}\n")])).is_none());
    }

    #[test]
    fn reorder_methods_reverses_impl_items() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = reorder_methods(&case).unwrap();
        let want = SRC.replace(
            "    fn a(&mut self) -> Option<u8> {\n        self.items.pop_front()\n    }\n\n    fn b(&self) -> usize {\n        self.items.len()\n    }\n",
            "\n    fn b(&self) -> usize {\n        self.items.len()\n    }\n    fn a(&mut self) -> Option<u8> {\n        self.items.pop_front()\n    }\n",
        );
        assert_eq!(out.files[0].text, want);
        assert_eq!(line_map(&case, &out, 0)[10..17], ln("lib.rs", &[15, 16, 17, 11, 12, 13, 14]));
    }

    #[test]
    fn split_types_moves_definitions_and_widens_them() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = split_types_module(&case).unwrap();
        assert_eq!(
            out.files[0].text,
            "//! Doc.\nuse std::collections::VecDeque;\n\n// Takes the head.\nimpl Q {\n    fn a(&mut self) -> Option<u8> {\n        self.items.pop_front()\n    }\n\n    fn b(&self) -> usize {\n        self.items.len()\n    }\n}\n\nmod metamorphic_split;\n#[allow(unused_imports)]\npub(crate) use self::metamorphic_split::*;\n"
        );
        assert_eq!(out.files[1].path, PathBuf::from("src/metamorphic_split.rs"));
        assert_eq!(
            out.files[1].text,
            "//! Items moved out of `lib.rs` by the metamorphic suite's module split.\n#[allow(unused_imports)]\nuse super::*;\n\n/// A queue.\npub(crate) struct Q {\n    pub(crate) items: VecDeque<u8>,\n}\n"
        );
        let map = line_map(&case, &out, 0);
        assert_eq!(map[..2], ln("lib.rs", &[1, 2]));
        assert_eq!(map[2..7], ln("metamorphic_split.rs", &[4, 5, 6, 7, 8]));
        assert_eq!(map[7..18], ln("lib.rs", &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    }

    #[test]
    fn split_code_moves_impls_and_widens_methods() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = split_code_module(&case).unwrap();
        let (kept, moved) = SRC.split_at(SRC.find("\n\n// Takes").unwrap() + 1);
        assert_eq!(
            out.files[0].text,
            format!("{kept}\nmod metamorphic_split;\n#[allow(unused_imports)]\npub(crate) use self::metamorphic_split::*;\n")
        );
        assert_eq!(
            out.files[1].text,
            format!(
                "//! Items moved out of `lib.rs` by the metamorphic suite's module split.\n#[allow(unused_imports)]\nuse super::*;\n{}",
                moved.replace("    fn ", "    pub(crate) fn ")
            )
        );
        let map = line_map(&case, &out, 0);
        assert_eq!(map[..7], ln("lib.rs", &[1, 2, 3, 4, 5, 6, 7]));
        assert_eq!(map[7..18], ln("metamorphic_split.rs", &[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    }

    #[test]
    fn unused_method_is_appended_unless_it_would_shadow() {
        let case = Case::inline(&[("src/lib.rs", SRC)]);
        let out = unused_method_take(&case).unwrap();
        assert_eq!(
            out.files[0].text,
            format!("{SRC}\n// Never called: only its name, shared with a std method, is new.\nimpl Q {{\n    #[allow(dead_code)]\n    fn take(&mut self) -> Option<()> {{\n        None\n    }}\n}}\n")
        );
        assert_eq!(out.map, LineMap::default());
        let iter =
            format!("{SRC}impl Iterator for Q {{ type Item = u8; fn next(&mut self) -> Option<u8> {{ None }} }}\n");
        assert!(unused_method_count(&Case::inline(&[("src/lib.rs", &iter)])).is_none());
        let own = format!("{SRC}impl Q {{ fn count(&self) -> u8 {{ 1 }} }}\n");
        assert!(unused_method_count(&Case::inline(&[("src/lib.rs", &own)])).is_none());
    }
}
