//! Rewrites of database code: a sqlx query moved into a repository helper, and an
//! owner predicate moved from the SQL `WHERE` into a Rust check after the fetch.

use super::base::{edit_case, parse_all, Case, Edit, Lines, Rewritten};
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// A `query_as!(T, "SQL", binds..)` macro: its row type, SQL literal and binds.
fn query_as_macro(e: &syn::Expr) -> Option<(&syn::ExprMacro, syn::Type, syn::LitStr, Vec<syn::Expr>)> {
    let syn::Expr::Macro(m) = e else { return None };
    if m.mac.path.segments.last()?.ident != "query_as" {
        return None;
    }
    let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    let args: Vec<syn::Expr> = syn::parse::Parser::parse2(parser, m.mac.tokens.clone()).ok()?.into_iter().collect();
    let [row, sql, binds @ ..] = args.as_slice() else { return None };
    let row: syn::Type = syn::parse2(row.to_token_stream()).ok()?;
    let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(sql), .. }) = sql else { return None };
    Some((m, row, sql.clone(), binds.to_vec()))
}

/// `<query_as!(..)>.fetch_one(pool).await` / `.fetch_optional(pool).await`.
fn fetch_await(
    e: &syn::Expr,
) -> Option<(&syn::ExprMethodCall, &syn::ExprMacro, syn::Type, syn::LitStr, Vec<syn::Expr>)> {
    let syn::Expr::Await(a) = e else { return None };
    let syn::Expr::MethodCall(fetch) = &*a.base else { return None };
    if !(fetch.method == "fetch_one" || fetch.method == "fetch_optional") || fetch.args.len() != 1 {
        return None;
    }
    let (m, row, sql, binds) = query_as_macro(&fetch.receiver)?;
    Some((fetch, m, row, sql, binds))
}

struct Queries<'a, 't> {
    lines: &'a Lines<'t>,
    edits: Vec<Edit>,
    helpers: String,
}

impl<'ast> Visit<'ast> for Queries<'_, '_> {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        let Some((fetch, _, row, sql, binds)) = fetch_await(e) else { return visit::visit_expr(self, e) };
        let text = self.lines.text();
        let n = self.edits.len();
        let name = format!("sql_query_helper_{n}");
        let pool = &text[self.lines.range(fetch.args[0].span())];
        let bind_texts: Vec<&str> = binds.iter().map(|b| &text[self.lines.range(b.span())]).collect();
        let row = row.to_token_stream().to_string().replace(' ', "");
        let ret = if fetch.method == "fetch_one" { row.clone() } else { format!("Option<{row}>") };
        let params: String = (0..binds.len()).map(|i| format!(", arg_{i}: i64")).collect();
        let args: String = (0..binds.len()).map(|i| format!(", arg_{i}")).collect();
        self.helpers.push_str(&format!(
            "\npub async fn {name}(pool: &sqlx::PgPool{params}) -> Result<{ret}, sqlx::Error> {{\n    sqlx::query_as!({row}, {}{args}).{}(pool).await\n}}\n",
            sql.to_token_stream(),
            fetch.method
        ));
        let call_args: String = bind_texts.iter().map(|b| format!(", {b}")).collect();
        self.edits.push(Edit::replace(self.lines.range(e.span()), format!("{name}({pool}{call_args}).await")));
    }
}

/// Every `query_as!(..).fetch_one/fetch_optional(pool).await` of the root file moved
/// into a repository helper (`async fn sql_query_helper_N(pool, binds..)`) at the end
/// of the file, called in its place: a helper reads as its body inlined.
pub fn extract_query_helper(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let file = &case.files[case.root];
    let lines = Lines::new(&file.text);
    let mut q = Queries { lines: &lines, edits: Vec::new(), helpers: String::new() };
    q.visit_file(&parsed[case.root]);
    if q.edits.is_empty() {
        return None;
    }
    let end = file.text.len();
    q.edits.push(Edit::insert(end, q.helpers));
    edit_case(case, BTreeMap::from([(case.root, q.edits)]))
}

struct OwnerPredicates<'a, 't> {
    lines: &'a Lines<'t>,
    edits: Vec<Edit>,
}

impl<'ast> Visit<'ast> for OwnerPredicates<'_, '_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        visit::visit_local(self, local);
        let (syn::Pat::Ident(name), Some(init)) = (&local.pat, &local.init) else { return };
        // `let row = <query>.fetch_one(pool).await<.map_err(..)>?;`
        let syn::Expr::Try(t) = &*init.expr else { return };
        let mut inner = &*t.expr;
        if let syn::Expr::MethodCall(m) = inner {
            if m.method == "map_err" {
                inner = &m.receiver;
            }
        }
        let Some((fetch, _, _, sql, binds)) = fetch_await(inner) else { return };
        if fetch.method != "fetch_one" || binds.len() < 2 || init.diverge.is_some() {
            return;
        }
        // The SQL's last conjunct is `<column> = $<last>`.
        let value = sql.value();
        let Some((rest, last)) = value.rsplit_once(" AND ") else { return };
        let Some((column, param)) = last.split_once(" = ") else { return };
        if param != format!("${}", binds.len()) || !column.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return;
        }
        if rest.to_uppercase().contains(" OR ") || rest.contains('$') && rest.contains(&format!("${}", binds.len())) {
            return;
        }
        let text = self.lines.text();
        let owner = &text[self.lines.range(binds[binds.len() - 1].span())];
        self.edits.push(Edit::replace(self.lines.range(sql.span()), format!("{:?}", rest)));
        // Drop the last bind with the comma before it.
        let before = self.lines.end(binds[binds.len() - 2].span());
        self.edits.push(Edit::replace(before..self.lines.end(binds[binds.len() - 1].span()), ""));
        let end = self.lines.end(local.span());
        self.edits.push(Edit::insert(
            end,
            format!(" if {}.{column} != {owner} {{ return Err(Default::default()); }}", name.ident),
        ));
    }
}

/// A sqlx query whose last `WHERE` conjunct binds an owner column to the last bind
/// (`.. AND owner_id = $2", id, user.user_id`) rewritten to fetch without it and compare
/// the row's field with that value right after the fetch, leaving with an `Err` on a
/// mismatch: the same check, made in Rust instead of SQL.
pub fn owner_predicate_to_check(case: &Case) -> Option<Rewritten> {
    let parsed = parse_all(case)?;
    let mut edits = BTreeMap::new();
    for (i, file) in case.files.iter().enumerate() {
        let lines = Lines::new(&file.text);
        let mut o = OwnerPredicates { lines: &lines, edits: Vec::new() };
        o.visit_file(&parsed[i]);
        edits.insert(i, o.edits);
    }
    edit_case(case, edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metamorphic::base::rewrite_one_file;

    const HANDLER: &str = "async fn get(pool: PgPool, user: AuthUser, id: i64) -> Result<Json<Job>, E> {
    let job = sqlx::query_as!(Job, \"SELECT * FROM jobs WHERE id = $1 AND owner_id = $2\", id, user.user_id)
        .fetch_one(&pool)
        .await?;
    Ok(Json(job))
}
";

    #[test]
    fn query_moves_into_a_helper() {
        let (text, _) = rewrite_one_file(extract_query_helper, HANDLER).unwrap();
        assert!(text.contains("let job = sql_query_helper_0(&pool, id, user.user_id).await?;"), "{text}");
        assert!(text.contains("pub async fn sql_query_helper_0(pool: &sqlx::PgPool, arg_0: i64, arg_1: i64) -> Result<Job, sqlx::Error> {\n    sqlx::query_as!(Job, \"SELECT * FROM jobs WHERE id = $1 AND owner_id = $2\", arg_0, arg_1).fetch_one(pool).await\n}"), "{text}");
    }

    #[test]
    fn owner_predicate_becomes_a_check() {
        let (text, _) = rewrite_one_file(owner_predicate_to_check, HANDLER).unwrap();
        assert!(text.contains("sqlx::query_as!(Job, \"SELECT * FROM jobs WHERE id = $1\", id)"), "{text}");
        assert!(
            text.contains(".await?; if job.owner_id != user.user_id { return Err(Default::default()); }"),
            "{text}"
        );
    }
}
