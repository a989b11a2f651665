//! Macros the rules care about, parsed from their tokens and lowered; any other macro
//! is an opaque value with no operands.
//!
//! - Formatting and logging (`format!`, `println!`, `write!`, `info!`, `vec!`, `dbg!`...):
//!   a call `Callee::Macro(name)` whose arguments are the lowered expressions; the format
//!   string itself is skipped, but the names it captures (`"{job}"`) are arguments.
//! - `assert!(c)`: a switch on `c` whose false edge diverges; `assert_eq!(a, b)` and
//!   `assert_ne!` compare first. `panic!`, `unreachable!`, `todo!`, `unimplemented!`
//!   evaluate their arguments and diverge.
//! - `matches!(e, pat if guard)`: the pattern test, writing true or false.
//! - `select!` (tokio's, futures', `select_biased!`): preconditions, then every future
//!   are evaluated first (as tokio does before polling), then a `SwitchVariant` on a
//!   synthetic local `opaque(futures..)` with one target per branch, named `branch0`,
//!   `branch1`... in source order and `else`/`default`/`complete` by their keyword. A branch
//!   awaits its future, binds its pattern and runs its handler. A false precondition
//!   or a pattern that does not match goes back to the switch (the branch is disabled
//!   and another one completes). A variant switch was chosen over nested opaque
//!   `SwitchBool`s so all branches are siblings of one terminator, as they are in the
//!   source.
//! - `join!`/`try_join!`: each future awaited in order, the value a tuple of the results.

use super::expr::{anchor, strip_parens};
use super::{Dest, Lowerer};
use pairlint_base::finding::Span;
use pairlint_base::ir::*;
use pairlint_base::source::LineIndex;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Pat, Token};

const FORMAT_MACROS: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "info",
    "warn",
    "error",
    "debug",
    "trace",
    "log",
    "event",
    "dbg",
    "vec",
    "anyhow",
    "bail",
];
const DIVERGING_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];

/// One branch of a `select!`.
struct SelectArm {
    /// None for `else`/`default`/`complete`.
    future: Option<(Pat, Expr)>,
    /// The fallback's keyword, its target's name in the switch.
    keyword: String,
    precondition: Option<Expr>,
    handler: Expr,
}

impl Lowerer<'_> {
    pub(super) fn macro_into(&mut self, mac: &syn::Macro, dest: &Dest) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let at = mac.path.segments.last().map_or(mac.bang_token.span, |s| s.ident.span());
        let span = self.sp(at);
        let call_span = LineIndex::join(span, self.sp(mac.delimiter.span().close()));
        match name.as_str() {
            "assert" | "debug_assert" => {
                let args = split_args(mac.tokens.clone());
                let Some(cond) = args.first().and_then(|t| syn::parse2::<Expr>(t.clone()).ok()) else {
                    return self.assign(dest, Rvalue::Opaque(Vec::new()), span);
                };
                let (ok, fail) = (self.new_block(), self.new_block());
                self.cond(&cond, ok, fail);
                self.assert_failed(fail, ok, span);
                self.assign_unit_to(dest, span);
            }
            "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => {
                let exprs = parse_exprs(mac.tokens.clone());
                let (Some(a), Some(b)) = (exprs.first(), exprs.get(1)) else {
                    return self.assign(dest, Rvalue::Opaque(Vec::new()), span);
                };
                let op = if name.ends_with("_eq") { BinOp::Eq } else { BinOp::Ne };
                let (a, b) = (self.operand(a), self.operand(b));
                let t = self.temp(span);
                self.push_stmt(Place::local(t), Rvalue::BinaryOp(op, a, b), span);
                let (ok, fail) = (self.new_block(), self.new_block());
                let term = Terminator::SwitchBool { cond: Operand::Place(Place::local(t)), then: ok, otherwise: fail };
                self.terminate(term, span);
                self.assert_failed(fail, ok, span);
                self.assign_unit_to(dest, span);
            }
            _ if DIVERGING_MACROS.contains(&name.as_str()) => {
                let args = self.format_args(mac);
                let call = Call { callee: Callee::Macro(name), receiver: None, args, span: call_span };
                self.assign(&Dest::Ignore, Rvalue::Call(call), span);
                self.leave(Terminator::Diverge, span);
            }
            "matches" => match syn::parse::Parser::parse2(parse_matches, mac.tokens.clone()) {
                Ok((e, pat, guard)) => self.matches_into(&e, &pat, guard.as_ref(), dest, span),
                Err(_) => self.assign(dest, Rvalue::Opaque(Vec::new()), span),
            },
            "select" | "select_biased" => match Parser::parse2(parse_select, mac.tokens.clone()) {
                Ok(arms) => self.select_into(&arms, dest, span),
                Err(_) => self.assign(dest, Rvalue::Opaque(Vec::new()), span),
            },
            "join" | "try_join" => {
                let futures: Vec<Operand> = parse_exprs(mac.tokens.clone()).iter().map(|e| self.operand(e)).collect();
                let fields = futures
                    .into_iter()
                    .map(|f| {
                        let t = self.temp(span);
                        self.push_stmt(Place::local(t), Rvalue::Await(f), span);
                        (None, Operand::Place(Place::local(t)))
                    })
                    .collect();
                self.assign(dest, Rvalue::Aggregate { kind: AggregateKind::Tuple, fields }, span);
            }
            // sqlx's checked queries: a call of the macro with the SQL text as a string
            // constant and the binds as operands (`query_as!`'s row type first, as a
            // path), so the analysis can read the statement (`stores::sql`).
            "query"
            | "query_as"
            | "query_scalar"
            | "query_unchecked"
            | "query_as_unchecked"
            | "query_scalar_unchecked" => {
                let exprs = parse_exprs(mac.tokens.clone());
                let mut exprs = exprs.iter();
                let mut args = Vec::new();
                if name.starts_with("query_as") {
                    let Some(row) = exprs.next() else {
                        return self.assign(dest, Rvalue::Opaque(Vec::new()), span);
                    };
                    let row: String = row.to_token_stream().to_string().split_whitespace().collect();
                    args.push(Operand::Const(Const::Path(row)));
                }
                args.extend(exprs.map(|e| self.operand(e)));
                let call = Call { callee: Callee::Macro(name.clone()), receiver: None, args, span: call_span };
                self.assign(dest, Rvalue::Call(call), span);
            }
            _ if FORMAT_MACROS.contains(&name.as_str()) => {
                let args = self.format_args(mac);
                let call = Call { callee: Callee::Macro(name.clone()), receiver: None, args, span: call_span };
                if name == "bail" {
                    // `anyhow::bail!(..)` is `return Err(anyhow!(..))`.
                    let error = self.temp(span);
                    self.push_stmt(Place::local(error), Rvalue::Call(call), span);
                    let returned = self.temp(span);
                    let value = Rvalue::Aggregate {
                        kind: AggregateKind::Variant(vec!["Err".into()]),
                        fields: vec![(None, Operand::Place(Place::local(error)))],
                    };
                    self.push_stmt(Place::local(returned), value, span);
                    self.leave(Terminator::Return(Operand::Place(Place::local(returned))), span);
                } else {
                    self.assign(dest, Rvalue::Call(call), span);
                }
            }
            _ => self.assign(dest, Rvalue::Opaque(Vec::new()), span),
        }
    }

    fn assign_unit_to(&mut self, dest: &Dest, span: Span) {
        if let Dest::Place(place) = dest {
            self.push_stmt(place.clone(), Rvalue::Use(Operand::Const(Const::Unit)), span);
        }
    }

    /// The failing edge of an assertion stops; lowering continues on the passing one.
    fn assert_failed(&mut self, fail: BlockId, ok: BlockId, span: Span) {
        self.switch_to(fail);
        self.terminate(Terminator::Diverge, span);
        self.switch_to(ok);
    }

    /// The lowered arguments of a formatting macro: every argument expression (the
    /// right side of `name = value`), and in place of a format string the names it
    /// captures inline. Arguments that do not parse (`target: "x"`) are skipped.
    fn format_args(&mut self, mac: &syn::Macro) -> Vec<Operand> {
        let mut ops = Vec::new();
        if is_vec(mac) {
            // `vec![x; n]`
            if let Ok((x, n)) = Parser::parse2(parse_repeat, mac.tokens.clone()) {
                return vec![self.operand(&x), self.operand(&n)];
            }
        }
        for tokens in split_args(mac.tokens.clone()) {
            let Ok(e) = syn::parse2::<Expr>(strip_sigils(tokens)) else {
                continue;
            };
            match strip_parens(&e) {
                Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => {
                    for name in inline_names(&s.value()) {
                        if let Some(id) = self.resolve(&name, self.sp(s.span())) {
                            ops.push(Operand::Place(Place::local(id)));
                        }
                    }
                }
                Expr::Assign(a) => ops.push(self.operand(&a.right)),
                other => ops.push(self.operand(other)),
            }
        }
        ops
    }

    fn matches_into(&mut self, e: &Expr, pat: &Pat, guard: Option<&Expr>, dest: &Dest, span: Span) {
        let place = self.place(e);
        let (yes, no) = (self.new_block(), self.new_block());
        self.push_scope();
        let mut names = Vec::new();
        self.bind(pat, place, Some(no), &mut names);
        self.declare_all(names);
        match guard {
            Some(guard) => self.cond(guard, yes, no),
            None => self.goto(yes, span),
        }
        self.pop_scope();
        let mut ends = Vec::new();
        for (block, value) in [(yes, true), (no, false)] {
            self.switch_to(block);
            self.assign(dest, Rvalue::Use(Operand::Const(Const::Bool(value))), span);
            ends.push((block, span));
        }
        self.join(ends);
    }

    fn select_into(&mut self, arms: &[SelectArm], dest: &Dest, span: Span) {
        let preconditions: Vec<Option<Operand>> =
            arms.iter().map(|arm| arm.precondition.as_ref().map(|c| self.operand(c))).collect();
        let futures: Vec<Option<Operand>> =
            arms.iter().map(|arm| arm.future.as_ref().map(|(_, f)| self.operand(f))).collect();
        let selected = self.temp(span);
        self.push_stmt(Place::local(selected), Rvalue::Opaque(futures.iter().flatten().cloned().collect()), span);
        let head = self.new_block();
        self.goto(head, span);
        let entries: Vec<BlockId> = arms.iter().map(|_| self.new_block()).collect();
        let mut branch = 0;
        let targets = arms
            .iter()
            .zip(&entries)
            .map(|(arm, &entry)| match arm.future {
                Some(_) => {
                    branch += 1;
                    (format!("branch{}", branch - 1), entry)
                }
                None => (arm.keyword.clone(), entry),
            })
            .collect();
        self.switch_to(head);
        self.terminate(Terminator::SwitchVariant { scrutinee: Place::local(selected), targets, otherwise: None }, span);
        let mut ends = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            self.switch_to(entries[i]);
            self.push_scope();
            if let Some(cond) = preconditions[i].clone() {
                let enabled = self.new_block();
                self.terminate(Terminator::SwitchBool { cond, then: enabled, otherwise: head }, span);
                self.switch_to(enabled);
            }
            if let (Some((pat, future)), Some(Some(value))) = (&arm.future, futures.get(i)) {
                let at = self.sp(anchor(future));
                let result = self.temp(at);
                self.push_stmt(Place::local(result), Rvalue::Await(value.clone()), at);
                let fail = self.can_fail_pattern(pat).then_some(head);
                let mut names = Vec::new();
                self.bind(pat, Place::local(result), fail, &mut names);
                self.declare_all(names);
            }
            self.expr_into(&arm.handler, dest);
            ends.push((self.current(), self.sp(anchor(&arm.handler))));
            self.pop_scope();
        }
        self.join(ends);
    }
}

fn is_vec(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "vec")
}

/// Splits a macro's tokens at top-level commas (groups keep theirs).
fn split_args(tokens: TokenStream) -> Vec<TokenStream> {
    let mut args = Vec::new();
    let mut current = Vec::new();
    for tt in tokens {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => args.push(std::mem::take(&mut current)),
            _ => current.push(tt),
        }
    }
    if !current.is_empty() {
        args.push(current);
    }
    args.into_iter().filter(|a| !a.is_empty()).map(|a| a.into_iter().collect()).collect()
}

fn parse_exprs(tokens: TokenStream) -> Vec<Expr> {
    split_args(tokens).into_iter().filter_map(|t| syn::parse2::<Expr>(t).ok()).collect()
}

/// Drops tracing's `%` and `?` sigils (`user = %id`, `?job`) so the value parses.
fn strip_sigils(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut after_eq_or_start = true;
    for tt in tokens {
        let sigil = matches!(&tt, TokenTree::Punct(p) if matches!(p.as_char(), '%' | '?'));
        if sigil && after_eq_or_start {
            after_eq_or_start = false;
            continue;
        }
        after_eq_or_start = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '=');
        out.push(tt);
    }
    out.into_iter().collect()
}

/// Names a format string captures inline: `{job}`, `{job:?}`, `{0}` is positional.
fn inline_names(format: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '{' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                let name = inner.split([':', '.']).next().unwrap_or("").trim();
                let is_ident = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                if is_ident && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    names
}

fn parse_repeat(input: ParseStream) -> syn::Result<(Expr, Expr)> {
    let x: Expr = input.parse()?;
    input.parse::<Token![;]>()?;
    let n: Expr = input.parse()?;
    Ok((x, n))
}

fn parse_matches(input: ParseStream) -> syn::Result<(Expr, Pat, Option<Expr>)> {
    let e: Expr = input.parse()?;
    input.parse::<Token![,]>()?;
    let pat = Pat::parse_multi_with_leading_vert(input)?;
    let guard = if input.peek(Token![if]) {
        input.parse::<Token![if]>()?;
        Some(input.parse()?)
    } else {
        None
    };
    let _ = input.parse::<Option<Token![,]>>()?;
    Ok((e, pat, guard))
}

/// `biased;`, then branches `pat = future (, if precondition)? => handler,?` and
/// `else`/`default`/`complete => handler,?`.
fn parse_select(input: ParseStream) -> syn::Result<Vec<SelectArm>> {
    let mut arms = Vec::new();
    while !input.is_empty() {
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            let _: syn::Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            continue;
        }
        let fallback = input.peek(Token![else])
            || (input.peek(syn::Ident) && input.peek2(Token![=>]) && {
                let fork = input.fork();
                let id: syn::Ident = fork.parse()?;
                id == "default" || id == "complete"
            });
        let mut keyword = String::new();
        let (future, precondition) = if fallback {
            let token: TokenTree = input.parse()?;
            keyword = token.to_string();
            (None, None)
        } else {
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let precondition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            (Some((pat, future)), precondition)
        };
        input.parse::<Token![=>]>()?;
        // A block handler is parsed as a block, so the next branch's pattern is not
        // taken for a call or an operator on it.
        let handler = if input.peek(syn::token::Brace) {
            let block: syn::Block = input.parse()?;
            Expr::Block(syn::ExprBlock { attrs: Vec::new(), label: None, block })
        } else {
            input.parse()?
        };
        let _ = input.parse::<Option<Token![,]>>()?;
        arms.push(SelectArm { future, precondition, keyword, handler });
    }
    Ok(arms)
}

#[cfg(test)]
mod tests {
    use super::inline_names;

    #[test]
    fn inline_names_skip_positional_and_escaped() {
        assert_eq!(inline_names("{job} {0} {{x}} {user:?} {}"), vec!["job", "user"]);
    }
}
