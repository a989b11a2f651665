//! The context code is compiled in (issue #12, "Context"): which items exist only in
//! tests. Production code never calls them (it would not compile without `cfg(test)`),
//! so leaving them out loses no flow into production code.
//!
//! An item is test code when a `#[cfg(..)]` of it holds only when compiling tests
//! ([`cfg_is_test_only`]: `test`, `doctest`, `all(test, ..)`, `any(test, doctest)`; not
//! `any(test, feature = "x")`, which a feature turns on in production, nor `not(test)`),
//! or when it carries a test or benchmark attribute ([`TEST_ATTRIBUTES`]: `#[test]`,
//! `#[tokio::test]`, `#[rstest]`, `#[test_case(..)]`, `#[bench]`...). A file whose
//! inner attributes say `#![cfg(test)]` is test code as a whole.
//!
//! A program serves others when it has a server entry point ([`server_entry`]: a web or
//! RPC framework, a listening socket's `bind`, a websocket `accept`); a binary-only
//! crate without one (a command-line tool) has no requesters by default.

use crate::span::SpanOfSyntax;
use pairlint_base::finding::Span;
use pairlint_base::source::LineIndex;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

/// Attributes (by their path's last segment) that make a fn a test or a benchmark:
/// `#[test]` and every `#[x::test]` (tokio, async-std, actix, sqlx, test-log...),
/// `#[bench]`, and the test-generating macros of rstest, test-case, wasm-bindgen-test,
/// quickcheck and proptest.
pub const TEST_ATTRIBUTES: &[&str] =
    &["test", "bench", "rstest", "test_case", "test_matrix", "wasm_bindgen_test", "quickcheck", "proptest"];

/// Whether a `cfg` predicate holds only when compiling tests.
pub fn cfg_is_test_only(pred: &syn::Meta) -> bool {
    match pred {
        syn::Meta::Path(p) => p.is_ident("test") || p.is_ident("doctest"),
        syn::Meta::List(list) => {
            let Ok(args) = list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
                return false;
            };
            if list.path.is_ident("all") {
                args.iter().any(cfg_is_test_only)
            } else if list.path.is_ident("any") {
                !args.is_empty() && args.iter().all(cfg_is_test_only)
            } else {
                false
            }
        }
        syn::Meta::NameValue(_) => false,
    }
}

/// Whether an attribute's text inside `#[..]` (`cfg(all(test, unix))`) is a `cfg` that
/// holds only in tests. For token scans that have no syntax tree (discovery's `mod x;`).
pub fn cfg_text_is_test_only(inside: &str) -> bool {
    match syn::parse_str::<syn::Meta>(inside) {
        Ok(syn::Meta::List(list)) if list.path.is_ident("cfg") => {
            list.parse_args::<syn::Meta>().is_ok_and(|pred| cfg_is_test_only(&pred))
        }
        _ => false,
    }
}

/// Whether one attribute makes its item test code.
pub fn is_test_attribute(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    if path.is_ident("cfg") {
        return attr.parse_args::<syn::Meta>().is_ok_and(|pred| cfg_is_test_only(&pred));
    }
    path.segments.last().is_some_and(|seg| TEST_ATTRIBUTES.iter().any(|name| seg.ident == name))
}

/// Whether these attributes (outer or inner) make their item test code.
pub fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_test_attribute)
}

/// The outermost test items of a file, in source order, as spans (attributes
/// included). With `strip`, they are also removed from the tree, so no later walk
/// (facts, signatures, IR) sees them. A file that is test code as a whole (`#![cfg(test)]`)
/// is one span from its first item to its last.
pub fn test_items(file: &mut syn::File, idx: &LineIndex<'_>, strip: bool) -> Vec<Span> {
    let mut out = Vec::new();
    if file.attrs.iter().any(|a| matches!(a.style, syn::AttrStyle::Inner(_)) && is_test_attribute(a)) {
        if let (Some(first), Some(last)) = (file.items.first(), file.items.last()) {
            out.push(LineIndex::join(idx.span(first.span()), idx.span(last.span())));
        }
        if strip {
            file.items.clear();
        }
        return out;
    }
    let mut cx = Cx { idx, strip, out };
    cx.items(&mut file.items);
    cx.out.sort_by_key(|s| s.byte_start);
    cx.out
}

struct Cx<'a, 'i> {
    idx: &'a LineIndex<'i>,
    strip: bool,
    out: Vec<Span>,
}

impl Cx<'_, '_> {
    /// Records `node` if `attrs` make it test code; returns whether to keep it.
    fn keep(&mut self, attrs: &[syn::Attribute], node: &dyn Spanned) -> Option<bool> {
        if is_test(attrs) {
            self.out.push(self.idx.span(node.span()));
            return Some(!self.strip);
        }
        None
    }

    fn items(&mut self, items: &mut Vec<syn::Item>) {
        items.retain_mut(|item| {
            // `#[cfg(test)] mod tests;`: its file is test code, accounted for as a file
            // by discovery (which does not follow it), so the declaration is not counted.
            if matches!(item, syn::Item::Mod(m) if m.content.is_none()) && is_test(item_attrs(item)) {
                return !self.strip;
            }
            if let Some(keep) = self.keep(item_attrs(item), &*item) {
                return keep;
            }
            self.inside(item);
            true
        });
    }

    /// Test items nested in a production item: in an inline module, an impl or trait,
    /// or a fn's body.
    fn inside(&mut self, item: &mut syn::Item) {
        match item {
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    self.items(items);
                }
            }
            syn::Item::Impl(imp) => imp.items.retain_mut(|it| {
                let attrs: &[syn::Attribute] = match &*it {
                    syn::ImplItem::Fn(f) => &f.attrs,
                    syn::ImplItem::Const(c) => &c.attrs,
                    syn::ImplItem::Type(t) => &t.attrs,
                    syn::ImplItem::Macro(m) => &m.attrs,
                    _ => &[],
                };
                if let Some(keep) = self.keep(attrs, &*it) {
                    return keep;
                }
                if let syn::ImplItem::Fn(f) = it {
                    self.block(&mut f.block);
                }
                true
            }),
            syn::Item::Trait(tr) => tr.items.retain_mut(|it| {
                let attrs: &[syn::Attribute] = match &*it {
                    syn::TraitItem::Fn(f) => &f.attrs,
                    syn::TraitItem::Const(c) => &c.attrs,
                    syn::TraitItem::Type(t) => &t.attrs,
                    syn::TraitItem::Macro(m) => &m.attrs,
                    _ => &[],
                };
                if let Some(keep) = self.keep(attrs, &*it) {
                    return keep;
                }
                if let syn::TraitItem::Fn(syn::TraitItemFn { default: Some(block), .. }) = it {
                    self.block(block);
                }
                true
            }),
            syn::Item::Fn(f) => self.block(&mut f.block),
            _ => {}
        }
    }

    /// Items declared in a body (`fn f() { #[cfg(test)] fn g() {} }`).
    fn block(&mut self, block: &mut syn::Block) {
        block.stmts.retain_mut(|stmt| match stmt {
            syn::Stmt::Item(item) => {
                if let Some(keep) = self.keep(item_attrs(item), &*item) {
                    return keep;
                }
                self.inside(item);
                true
            }
            _ => true,
        });
    }
}

/// An item-level macro that pastes in a file a build script writes, as shown in a
/// note: `include!` of a path under `OUT_DIR` (prost, bindgen, any `build.rs`), and
/// tonic's `include_proto!("pkg")` / `include_file_descriptor_set!("name")`.
pub fn generated_include(m: &syn::ItemMacro) -> Option<String> {
    let name = m.mac.path.segments.last()?.ident.to_string();
    let tokens = m.mac.tokens.to_string();
    let last_string = || {
        let lits: Vec<syn::LitStr> = syn::parse2::<syn::LitStr>(m.mac.tokens.clone())
            .map(|l| vec![l])
            .unwrap_or_else(|_| string_literals(m.mac.tokens.clone()));
        lits.last().map(syn::LitStr::value)
    };
    match name.as_str() {
        "include" if tokens.contains("OUT_DIR") => {
            let file = last_string().unwrap_or_default();
            Some(format!("`include!` of `$OUT_DIR{}`", if file.starts_with('/') { file } else { format!("/{file}") }))
        }
        "include_proto" | "include_file_descriptor_set" => {
            Some(format!("`{name}!(\"{}\")`", last_string().unwrap_or_default()))
        }
        _ => None,
    }
}

/// Every string literal in a token stream, nested groups included, in order.
fn string_literals(tokens: proc_macro2::TokenStream) -> Vec<syn::LitStr> {
    let mut out = Vec::new();
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Literal(lit) => {
                if let Ok(s) = syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                    out.push(s);
                }
            }
            proc_macro2::TokenTree::Group(g) => out.extend(string_literals(g.stream())),
            _ => {}
        }
    }
    out
}

/// Crates whose use makes a program a server: web and RPC frameworks (any use: their
/// point is serving), and websocket servers.
const SERVER_CRATES: &[&str] = &[
    "axum",
    "actix_web",
    "rocket",
    "warp",
    "poem",
    "tide",
    "salvo",
    "gotham",
    "ntex",
    "viz",
    "trillium",
    "tiny_http",
    "rouille",
    "tarpc",
    "jsonrpsee",
    "async_graphql_axum",
    "tower_http",
];

/// `(crate, item)`: a path naming both (in this order, anywhere) is a server entry
/// point; the crate alone is not (tonic, hyper and tungstenite are clients too).
const SERVER_ITEMS: &[(&str, &str)] = &[
    ("tonic", "Server"),
    ("hyper", "Server"),
    ("hyper", "server"),
    ("hyper_util", "server"),
    ("tungstenite", "accept"),
    ("tungstenite", "accept_hdr"),
    ("tokio_tungstenite", "accept_async"),
    ("tokio_tungstenite", "accept_hdr_async"),
    ("async_tungstenite", "accept_async"),
];

/// Listening sockets: `TcpListener::bind`, `UdpSocket::bind`, `UnixListener::bind`,
/// `UnixDatagram::bind` (std, tokio, async-std, mio...).
const LISTENERS: &[&str] = &["TcpListener", "UdpSocket", "UnixListener", "UnixDatagram"];

/// The first sign, in source order, that the file serves others over a network or a
/// socket: a server framework's path or import, a listener's `bind`, a websocket
/// `accept`. As shown in a note, with its line. Test code should be cut first.
pub fn server_entry(file: &syn::File, text: &str, idx: &LineIndex<'_>) -> Option<(u32, String)> {
    // Most files name none of these: skip the walk.
    let words = SERVER_CRATES.iter().chain(SERVER_ITEMS.iter().map(|(krate, _)| krate)).chain(LISTENERS);
    if !words.into_iter().any(|w| text.contains(w)) {
        return None;
    }
    let mut finder = ServerFinder { idx, found: None, prefix: Vec::new() };
    syn::visit::Visit::visit_file(&mut finder, file);
    finder.found
}

struct ServerFinder<'a, 'i> {
    idx: &'a LineIndex<'i>,
    found: Option<(u32, String)>,
    /// The segments of the `use` tree above the current one.
    prefix: Vec<String>,
}

impl ServerFinder<'_, '_> {
    fn check(&mut self, segments: &[String], span: proc_macro2::Span) {
        if self.found.is_some() || segments.is_empty() {
            return;
        }
        let first = segments[0].as_str();
        let hit = SERVER_CRATES.contains(&first)
            || SERVER_ITEMS.iter().any(|(krate, item)| first == *krate && segments[1..].iter().any(|s| s == item))
            || segments.windows(2).any(|w| LISTENERS.contains(&w[0].as_str()) && w[1] == "bind");
        if hit {
            self.found = Some((self.idx.span(span).line, format!("`{}`", segments.join("::"))));
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for ServerFinder<'_, '_> {
    // Test code is not how the program serves (kept only with `--include-tests`).
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.check(&segments, path.segments.first().map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()));
        syn::visit::visit_path(self, path);
    }

    fn visit_use_tree(&mut self, tree: &'ast syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                self.prefix.push(p.ident.to_string());
                self.visit_use_tree(&p.tree);
                self.prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut segs = self.prefix.clone();
                segs.push(n.ident.to_string());
                self.check(&segs, n.ident.span());
            }
            syn::UseTree::Rename(r) => {
                let mut segs = self.prefix.clone();
                segs.push(r.ident.to_string());
                self.check(&segs, r.ident.span());
            }
            syn::UseTree::Glob(g) => {
                let segs = self.prefix.clone();
                self.check(&segs, g.star_token.span);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.visit_use_tree(t);
                }
            }
        }
    }
}

/// The attributes of any item.
pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> bool {
        cfg_text_is_test_only(text)
    }

    #[test]
    fn only_predicates_that_need_tests_are_test_only() {
        for yes in ["cfg(test)", "cfg(all(test, unix))", "cfg(all(feature = \"x\", test))", "cfg(any(test, doctest))"] {
            assert!(cfg(yes), "{yes}");
        }
        for no in [
            "cfg(any(test, feature = \"testing\"))",
            "cfg(not(test))",
            "cfg(unix)",
            "cfg(any())",
            "cfg(feature = \"test\")",
            "cfg_attr(test, derive(Debug))",
            "path = \"x.rs\"",
        ] {
            assert!(!cfg(no), "{no}");
        }
    }

    fn kept_and_found(text: &str, strip: bool) -> (usize, Vec<(u32, u32)>) {
        let mut file = syn::parse_file(text).unwrap();
        let idx = LineIndex::new(text);
        let spans = test_items(&mut file, &idx, strip);
        let kept = quote::quote!(#file).to_string().matches("fn").count();
        (kept, spans.iter().map(|s| (s.line, s.end_line)).collect())
    }

    #[test]
    fn finds_and_strips_outermost_test_items() {
        let text = "fn a() {}\n\
                    #[cfg(test)]\nmod tests {\n  #[test] fn t() {}\n}\n\
                    impl S {\n  #[tokio::test(flavor = \"multi_thread\")]\n  async fn u() {}\n  fn b() {}\n}\n\
                    #[cfg(any(test, feature = \"t\"))]\nfn c() {}\n\
                    #[rstest]\n#[case(1)]\nfn r(#[case] x: u32) {}\n";
        let (kept, spans) = kept_and_found(text, true);
        assert_eq!(spans, [(2, 5), (7, 8), (13, 15)]);
        assert_eq!(kept, 3, "a, b and c stay");
        let (kept, spans) = kept_and_found(text, false);
        assert_eq!(spans.len(), 3);
        assert_eq!(kept, 6);
    }

    #[test]
    fn build_script_includes_are_recognised() {
        let file = syn::parse_file(
            "include!(concat!(env!(\"OUT_DIR\"), \"/a.rs\"));\n\
             tonic::include_proto!(\"print.v1\");\n\
             include!(\"local.rs\");\n\
             prost::include_file_descriptor_set!(\"fds\");\n\
             my_macro!(OUT_DIR);\n",
        )
        .unwrap();
        let got: Vec<Option<String>> = file
            .items
            .iter()
            .map(|i| match i {
                syn::Item::Macro(m) => generated_include(m),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            [
                Some("`include!` of `$OUT_DIR/a.rs`".to_string()),
                Some("`include_proto!(\"print.v1\")`".to_string()),
                None,
                Some("`include_file_descriptor_set!(\"fds\")`".to_string()),
                None,
            ]
        );
    }

    fn server(text: &str) -> Option<(u32, String)> {
        let file = syn::parse_file(text).unwrap();
        server_entry(&file, text, &LineIndex::new(text))
    }

    #[test]
    fn server_entry_points_are_found() {
        assert_eq!(
            server("fn main() {\n    let l = std::net::TcpListener::bind(\"0:80\");\n}\n"),
            Some((2, "`std::net::TcpListener::bind`".into()))
        );
        assert_eq!(server("use axum::{routing::get, Router};\n").map(|s| s.0), Some(1));
        assert_eq!(
            server("use tokio::net::TcpListener;\nasync fn f() { TcpListener::bind(a).await; }\n").map(|s| s.0),
            Some(2)
        );
        assert_eq!(server("fn f() { tonic::transport::Server::builder(); }\n").map(|s| s.0), Some(1));
        assert_eq!(server("use tokio_tungstenite::accept_async;\n").map(|s| s.0), Some(1));
        // Clients are not servers.
        for client in [
            "use std::net::TcpStream;\nfn f() { TcpStream::connect(a); }\n",
            "fn f() { hyper::Client::new(); tonic::transport::Channel::from_static(x); }\n",
            "use tokio_tungstenite::connect_async;\n",
            "fn main() { let user = std::env::args().nth(1); }\n",
        ] {
            assert_eq!(server(client), None, "{client}");
        }
    }

    #[test]
    fn an_inner_cfg_test_makes_the_whole_file_test_code() {
        let (kept, spans) = kept_and_found("#![cfg(test)]\nfn a() {}\n\nfn b() {}\n", true);
        assert_eq!((kept, spans), (0, vec![(2, 4)]));
    }
}
