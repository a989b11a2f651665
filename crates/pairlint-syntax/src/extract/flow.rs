//! Macro bodies the extractor's walker parses: expression lists, statement blocks,
//! `select!` branches, `matches!`.

use syn::punctuated::Punctuated;

/// The last segment of a macro's path (`tokio::select` -> `select`).
pub fn macro_name(mac: &syn::Macro) -> String {
    mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
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
