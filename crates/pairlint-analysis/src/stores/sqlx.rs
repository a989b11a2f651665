//! sqlx's queries as reads of a shared store: which row of which table a query call
//! selects, and by what.
//!
//! The lowering makes every form one call with the SQL text as a string constant:
//! the macros (`query!`, `query_as!(T, ..)`, `query_scalar!`, their `_unchecked`
//! forms) and the functions with their binds folded in (`sqlx::query_as::<_, T>(SQL)
//! .bind(a).bind(b)` is the call `sqlx::query_as(T, SQL, a, b)`). `fetch_one`,
//! `fetch_optional` on it give its row; `fetch_all` a list (not one person's item: a
//! parent's children by its id are usually public or guarded at the parent) and
//! `execute` a count, neither an item.
//!
//! A table is a shared collection of people's rows, named `sql:<table>`. A `SELECT`
//! chooses its row (precision first; anything else is no read at all, never a
//! finding):
//! - by an owner-like column (the vocabulary's owner words, as for struct fields)
//!   equal to a bound parameter, as a conjunct of the `WHERE`: a lookup in the table
//!   keyed by its owners (the column is the collection term's field, so a helper's
//!   summary carries it to its callers);
//! - else by another column equal to a bound parameter (`WHERE id = $1`): a keyed
//!   lookup that still needs an owner check;
//! - else, with `LIMIT 1`, whichever row comes first: a positional take.
//!
//! A `WHERE` that names an owner-like column some other way (`owner_id = $2 OR
//! public`), or has a part not read (a subquery, `EXISTS` over a membership table, a
//! function call) or a join, a statement the parser rejects, named parameters, a
//! scalar query: no read.

use super::sql::{parse, SqlKind, SqlShape, SqlValue};
use pairlint_base::ir::{Call, Callee, Const, Operand};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The query families, by the name of the macro or fn.
const QUERY_NAMES: &[&str] =
    &["query", "query_as", "query_scalar", "query_unchecked", "query_as_unchecked", "query_scalar_unchecked"];

/// The methods that run a query: `fetch_one` gives the row, `fetch_optional` an
/// `Option` of it, `fetch_all` a list (not one person's item; see the module doc).
pub const FETCH_METHODS: &[&str] = &["fetch_one", "fetch_optional", "fetch_all"];

/// A sqlx query call, read.
#[derive(Debug, Clone)]
pub struct SqlxQuery {
    pub shape: Rc<SqlShape>,
    /// The row type as written (`query_as!(Job, ..)`, `query_as::<_, Job>`).
    pub row: Option<String>,
    /// Index of the first bind among the call's arguments.
    pub first_bind: usize,
    /// `query_scalar`: one column, not a row.
    pub scalar: bool,
}

/// How a query selects its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowSelect {
    /// By `column = <the call's argument arg>`.
    Keyed { arg: usize, column: String, owner: bool },
    /// `LIMIT 1` with no key: whichever row comes first.
    Positional,
}

thread_local! {
    static SHAPES: RefCell<HashMap<String, Option<Rc<SqlShape>>>> = RefCell::new(HashMap::new());
}

/// Parses `sql` once per thread (a crate repeats its statements across passes).
fn shape_of(sql: &str) -> Option<Rc<SqlShape>> {
    SHAPES.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(known) = memo.get(sql) {
            return known.clone();
        }
        if memo.len() > 4096 {
            memo.clear();
        }
        let shape = parse(sql).ok().map(Rc::new);
        memo.insert(sql.to_string(), shape.clone());
        shape
    })
}

/// The call's sqlx query, if it is one: a query macro, or `sqlx::query*(..)` (a bare
/// `query*(..)` only when `bare_allowed`: the crate declares no fn of that name).
pub fn sqlx_query(call: &Call, bare_allowed: bool) -> Option<SqlxQuery> {
    let name = match &call.callee {
        Callee::Macro(name) => name.as_str(),
        Callee::Path(segments) => match segments.as_slice() {
            [first, .., last] if first == "sqlx" => last.as_str(),
            [only] if bare_allowed => only.as_str(),
            _ => return None,
        },
        _ => return None,
    };
    if !QUERY_NAMES.contains(&name) || call.receiver.is_some() {
        return None;
    }
    let mut args = call.args.iter().enumerate();
    let mut row = None;
    if name.starts_with("query_as") {
        if let Some(Operand::Const(Const::Path(path))) = call.args.first() {
            row = Some(path.clone());
            args.next();
        }
    }
    let (at, Operand::Const(Const::Str(sql))) = args.next()? else { return None };
    Some(SqlxQuery { shape: shape_of(sql)?, row, first_bind: at + 1, scalar: name.starts_with("query_scalar") })
}

impl SqlxQuery {
    /// How the query selects its row (see the module doc); `None`: not a row read the
    /// analysis relies on.
    pub fn row_select(&self, args: usize, is_owner: &dyn Fn(&str) -> bool) -> Option<RowSelect> {
        let shape = &self.shape;
        if shape.kind != SqlKind::Select || shape.table.is_none() || shape.where_opaque || self.scalar {
            return None;
        }
        let bound = |v: &SqlValue| match v {
            SqlValue::Param(i) => Some(self.first_bind + i).filter(|&arg| arg < args),
            _ => None,
        };
        // An owner column equal to a bind, as a conjunct, keeps others' rows out.
        for (column, value) in &shape.filters {
            if let (true, Some(arg)) = (is_owner(column), bound(value)) {
                return Some(RowSelect::Keyed { arg, column: column.clone(), owner: true });
            }
        }
        if shape.where_columns.iter().any(|c| is_owner(c)) {
            return None;
        }
        if shape.filters.iter().any(|(_, v)| matches!(v, SqlValue::Named(_))) {
            return None;
        }
        if let Some((column, arg)) = shape.filters.iter().find_map(|(c, v)| Some((c, bound(v)?))) {
            return Some(RowSelect::Keyed { arg, column: column.clone(), owner: false });
        }
        if shape.filters.iter().any(|(_, v)| matches!(v, SqlValue::Param(_))) {
            // A bind the call does not pass: not read.
            return None;
        }
        shape.first_row_only.then_some(RowSelect::Positional)
    }

    /// The store's name, `sql:<table>`.
    pub fn store(&self) -> Option<String> {
        Some(format!("sql:{}", self.shape.table.as_ref()?))
    }

    /// Whether the row is tied to a person by its columns: the statement lists its
    /// columns (not `*`) and one of them is owner-like.
    pub fn lists_owner_column(&self, is_owner: &dyn Fn(&str) -> bool) -> bool {
        self.shape.columns.as_ref().is_some_and(|cols| cols.iter().any(|c| is_owner(c)))
    }
}

/// What an `UPDATE` frees, for PL002: the column and how, as a label says it. An
/// owner-like column set to `NULL` frees the row; a lock flag set to false, or a
/// column set to a free state (`'ready'`), only when the statement also names an
/// owner-like column (`SET status = 'ready', locked_by = NULL`, `WHERE owner_id = $1`),
/// so an account's lockout flag or a printer's status is not a person's item.
pub fn update_release(
    shape: &SqlShape,
    is_owner: &dyn Fn(&str) -> bool,
    is_lock_flag: &dyn Fn(&str) -> bool,
    is_release_state: &dyn Fn(&str) -> bool,
) -> Option<(String, String)> {
    if shape.kind != SqlKind::Update || shape.table.is_none() {
        return None;
    }
    for (column, value) in &shape.assignments {
        if is_owner(column) && *value == SqlValue::Null {
            return Some((column.clone(), format!("sets the owner column `{column}` to NULL, so the row is nobody's")));
        }
    }
    let names_owner =
        shape.assignments.iter().any(|(c, _)| is_owner(c)) || shape.where_columns.iter().any(|c| is_owner(c));
    if !names_owner {
        return None;
    }
    shape.assignments.iter().find_map(|(column, value)| match value {
        SqlValue::Bool(false) if is_lock_flag(column) => {
            Some((column.clone(), format!("sets the lock flag `{column}` to false, so the row is free to take")))
        }
        SqlValue::Text(state) if is_release_state(state) => {
            Some((column.clone(), format!("sets `{column}` to '{state}', putting the row back up for grabs")))
        }
        _ => None,
    })
}

/// The store a collection term names, if it is a table: `sql:<table>`, or its
/// owner-column index.
pub fn is_store_name(name: &str) -> bool {
    name.starts_with("sql:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pairlint_base::finding::Span;

    fn call(callee: Callee, args: Vec<Operand>) -> Call {
        Call { callee, receiver: None, args, span: Span::default() }
    }

    fn s(text: &str) -> Operand {
        Operand::Const(Const::Str(text.into()))
    }

    fn arg() -> Operand {
        Operand::Const(Const::Unit)
    }

    fn owner(c: &str) -> bool {
        c == "owner_id" || c == "user_id"
    }

    fn select(callee: Callee, args: Vec<Operand>) -> Option<RowSelect> {
        let n = args.len();
        sqlx_query(&call(callee, args), false)?.row_select(n, &owner)
    }

    #[test]
    fn updates_that_free_a_row() {
        let lock = |c: &str| c == "locked";
        let free = |s: &str| s.eq_ignore_ascii_case("ready");
        let freed = |sql: &str| update_release(&parse(sql).unwrap(), &owner, &lock, &free).map(|(c, _)| c);
        assert_eq!(freed("UPDATE jobs SET owner_id = NULL WHERE id = $1").as_deref(), Some("owner_id"));
        assert_eq!(freed("UPDATE jobs SET status = 'ready' WHERE owner_id = $1").as_deref(), Some("status"));
        assert_eq!(freed("UPDATE accounts SET locked = false WHERE id = $1"), None, "no owner column");
        assert_eq!(freed("UPDATE printers SET status = 'ready' WHERE id = $1"), None);
        assert_eq!(freed("DELETE FROM jobs WHERE owner_id = $1"), None);
        assert_eq!(freed("UPDATE jobs SET owner_id = $1 WHERE id = $2"), None, "a new owner");
    }

    #[test]
    fn keyed_owner_and_positional_reads() {
        let m = || Callee::Macro("query_as".into());
        let row = || Operand::Const(Const::Path("Job".into()));
        assert_eq!(
            select(m(), vec![row(), s("SELECT * FROM jobs WHERE id = $1"), arg()]),
            Some(RowSelect::Keyed { arg: 2, column: "id".into(), owner: false })
        );
        assert_eq!(
            select(m(), vec![row(), s("SELECT * FROM jobs WHERE id = $1 AND owner_id = $2"), arg(), arg()]),
            Some(RowSelect::Keyed { arg: 3, column: "owner_id".into(), owner: true })
        );
        assert_eq!(
            select(m(), vec![row(), s("SELECT * FROM jobs WHERE status = 'ready' ORDER BY id LIMIT 1")]),
            Some(RowSelect::Positional)
        );
        assert_eq!(select(m(), vec![row(), s("SELECT * FROM jobs WHERE status = 'ready'")]), None);
        let path = || Callee::Path(vec!["sqlx".into(), "query".into()]);
        assert_eq!(
            select(path(), vec![s("SELECT * FROM jobs WHERE id = ? AND (owner_id = ? OR public)"), arg(), arg()]),
            None,
            "an owner column in an OR"
        );
        assert_eq!(select(path(), vec![s("SELECT * FROM jobs WHERE id = $1")]), None, "no bind passed");
        assert_eq!(select(path(), vec![s("SELEC oops"), arg()]), None);
        assert_eq!(
            select(Callee::Macro("query_scalar".into()), vec![s("SELECT body FROM jobs WHERE id = $1"), arg()]),
            None
        );
        assert!(sqlx_query(&call(Callee::Path(vec!["query".into()]), vec![s("SELECT 1")]), false).is_none());
        assert!(sqlx_query(&call(Callee::Path(vec!["db".into(), "query".into()]), vec![s("SELECT 1")]), true).is_none());
    }
}
