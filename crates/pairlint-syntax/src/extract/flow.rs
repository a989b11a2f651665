//! Syntactic control-flow facts: does a block always leave, which macros parse as
//! expressions.

use syn::punctuated::Punctuated;

/// The last segment of a macro's path (`tokio::select` -> `select`).
pub fn macro_name(mac: &syn::Macro) -> String {
    mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

const DIVERGING_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented", "bail"];

/// The block always leaves the current path (return, `?` on an error, continue,
/// break, panic...).
pub fn block_leaves(block: &syn::Block) -> bool {
    block.stmts.iter().any(stmt_leaves)
}

pub fn stmt_leaves(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Expr(e, _) => expr_leaves(e),
        syn::Stmt::Macro(m) => DIVERGING_MACROS.contains(&macro_name(&m.mac).as_str()),
        _ => false,
    }
}

pub fn expr_leaves(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
        syn::Expr::Macro(m) => DIVERGING_MACROS.contains(&macro_name(&m.mac).as_str()),
        syn::Expr::Call(c) => {
            // `std::process::exit(1)` and `Err(e)?`.
            matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "exit"))
        }
        syn::Expr::Try(t) => is_failure_value(&t.expr),
        syn::Expr::Block(b) => block_leaves(&b.block),
        syn::Expr::Unsafe(b) => block_leaves(&b.block),
        syn::Expr::Paren(p) => expr_leaves(&p.expr),
        syn::Expr::If(i) => block_leaves(&i.then_branch) && i.else_branch.as_ref().is_some_and(|(_, e)| expr_leaves(e)),
        syn::Expr::Match(m) => !m.arms.is_empty() && m.arms.iter().all(|a| expr_leaves(&a.body)),
        _ => false,
    }
}

/// `Err(..)`, `None`: the value of a branch that reports failure.
pub fn is_failure_value(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Call(c) => {
            matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Err"))
        }
        syn::Expr::Path(p) => p.path.is_ident("None"),
        syn::Expr::Paren(p) => is_failure_value(&p.expr),
        _ => false,
    }
}

/// A branch leaves or ends in a failure value (`if .. { Err(e) } else { .. }`).
pub fn branch_fails(expr: &syn::Expr) -> bool {
    if expr_leaves(expr) {
        return true;
    }
    match expr {
        syn::Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => branch_fails(e),
            _ => false,
        },
        other => is_failure_value(other),
    }
}

/// Pattern of a failure arm: `Err(..)`, `None`, `Err(RecvTimeoutError::Timeout)`.
pub fn is_failure_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(ts) => ts.path.segments.last().is_some_and(|s| s.ident == "Err"),
        syn::Pat::Ident(id) => id.ident == "None",
        syn::Pat::Path(p) => p.path.is_ident("None"),
        syn::Pat::Or(o) => o.cases.iter().all(is_failure_pattern),
        _ => false,
    }
}

/// Pattern of a success arm: `Some(..)`, `Ok(..)`.
pub fn is_success_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(ts) => ts.path.segments.last().is_some_and(|s| s.ident == "Some" || s.ident == "Ok"),
        _ => false,
    }
}

/// Arguments of an expression-like macro (`assert_eq!(a, b)`, `format!(..)`), if they
/// parse as comma-separated expressions.
pub fn macro_exprs(mac: &syn::Macro) -> Option<Vec<syn::Expr>> {
    mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated).ok().map(|p| p.into_iter().collect())
}

/// Statements of a block-like macro body.
pub fn macro_stmts(mac: &syn::Macro) -> Option<Vec<syn::Stmt>> {
    mac.parse_body_with(syn::Block::parse_within).ok()
}

/// One branch of `select!`: `pat = future (, if cond)? => handler`.
pub struct SelectBranch {
    pub pat: Option<syn::Pat>,
    pub future: Option<syn::Expr>,
    pub handler: syn::Expr,
}

/// Parses a tokio/futures `select!` body.
pub fn select_branches(mac: &syn::Macro) -> Option<Vec<SelectBranch>> {
    use syn::parse::ParseStream;
    mac.parse_body_with(|input: ParseStream| {
        let mut out = Vec::new();
        if input.peek(syn::Ident) && input.peek2(syn::Token![;]) {
            let _biased: syn::Ident = input.parse()?;
            let _: syn::Token![;] = input.parse()?;
        }
        while !input.is_empty() {
            let (pat, future) =
                if input.peek(syn::Token![else]) || (input.peek(syn::Ident) && input.peek2(syn::Token![=>])) {
                    // `else => ...`, `default => ...`, `complete => ...`
                    let _: proc_macro2::TokenTree = input.parse()?;
                    (None, None)
                } else {
                    let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
                    let _: syn::Token![=] = input.parse()?;
                    let fut = input.call(syn::Expr::parse_without_eager_brace)?;
                    if input.peek(syn::Token![,]) && input.peek2(syn::Token![if]) {
                        let _: syn::Token![,] = input.parse()?;
                        let _: syn::Token![if] = input.parse()?;
                        let _: syn::Expr = input.call(syn::Expr::parse_without_eager_brace)?;
                    }
                    (Some(pat), Some(fut))
                };
            let _: syn::Token![=>] = input.parse()?;
            let handler: syn::Expr = input.parse()?;
            if input.peek(syn::Token![,]) {
                let _: syn::Token![,] = input.parse()?;
            }
            out.push(SelectBranch { pat, future, handler });
        }
        Ok(out)
    })
    .ok()
}

/// `matches!(expr, pat if guard)`.
pub fn matches_parts(mac: &syn::Macro) -> Option<(syn::Expr, syn::Pat, Option<syn::Expr>)> {
    use syn::parse::ParseStream;
    mac.parse_body_with(|input: ParseStream| {
        let e: syn::Expr = input.parse()?;
        let _: syn::Token![,] = input.parse()?;
        let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
        let guard = if input.peek(syn::Token![if]) {
            let _: syn::Token![if] = input.parse()?;
            Some(input.parse()?)
        } else {
            None
        };
        let _: Option<syn::Token![,]> = input.parse()?;
        Ok((e, pat, guard))
    })
    .ok()
}
