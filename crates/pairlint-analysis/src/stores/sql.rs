//! What a SQL statement does to the rows of a table, read with a real SQL parser
//! (`sqlparser`, the parser the Rust SQL engines use), never with patterns over text.
//!
//! The analysis treats a table as a shared collection of people's items. The shape of
//! a statement says how a row is chosen: by a key bound to a parameter (`WHERE id =
//! $1`), by position (`ORDER BY created_at LIMIT 1`, with or without `FOR UPDATE SKIP
//! LOCKED`), and which columns an `UPDATE` sets to what (`SET locked_by = NULL`). The
//! vocabulary decides elsewhere which columns are owner-like; this module only reports
//! the columns and what they are compared with or set to.
//!
//! Only a conjunction of equalities is a filter the analysis can rely on: an `OR`
//! anywhere in a `WHERE` makes [`SqlShape::filters_exact`] false, since `owner = $1 OR
//! public` does not keep other people's rows out.

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, FromTable, LimitClause, ObjectName, ObjectNamePart, Query, SetExpr,
    Statement, TableFactor, TableWithJoins, Value,
};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// What kind of statement it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    Select,
    Insert,
    Update,
    Delete,
    /// Anything else (DDL, transactions, several statements).
    Other,
}

/// A value a column is compared with or set to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    /// A bound parameter, by its 0-based position in the binds (`$1` and the first
    /// `?` are 0; `?3` is 2).
    Param(usize),
    /// A named parameter (`:ticket`, `@ticket`).
    Named(String),
    Null,
    Text(String),
    Number(String),
    Bool(bool),
    /// Another column (`a.owner = b.id`).
    Column(String),
    /// An expression this module does not model (a function call, a subquery).
    Other,
}

/// The shape of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlShape {
    pub kind: SqlKind,
    /// The table read or written (the first of a join; unqualified, lowercase).
    pub table: Option<String>,
    /// Equalities of the `WHERE` clause (and `IS NULL` as `Null`), columns unqualified
    /// and lowercase.
    pub filters: Vec<(String, SqlValue)>,
    /// Whether `filters` is all the `WHERE` says: a conjunction of equalities only.
    pub filters_exact: bool,
    /// `ORDER BY .. LIMIT 1` (or `LIMIT 1` alone): whichever row comes first.
    pub first_row_only: bool,
    /// `FOR UPDATE SKIP LOCKED` (a queue's consumer taking the next free row).
    pub skip_locked: bool,
    /// An `UPDATE`'s `SET column = value` list.
    pub assignments: Vec<(String, SqlValue)>,
    /// Every column the `WHERE` clause names, in any position (unqualified, lowercase).
    pub where_columns: Vec<String>,
    /// The `WHERE` clause has a part whose columns are not all read here (a subquery,
    /// `EXISTS`, a function call): it may restrict rows in ways [`Self::where_columns`]
    /// does not show (a membership test).
    pub where_opaque: bool,
    /// A `SELECT`'s columns when it lists plain columns only (`None` for `*`, an
    /// expression, or another statement).
    pub columns: Option<Vec<String>>,
}

/// A statement the parser rejected, with its message (it names the line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
}

/// Longer statements are not read (see [`parse`]).
pub const MAX_SQL_LEN: usize = 16 * 1024;

/// Parses one statement. Dialects are tried from the most permissive; a text that none
/// parses is an error (the caller treats the call as unknown, never as a finding).
pub fn parse(sql: &str) -> Result<SqlShape, SqlError> {
    // The parser bounds nesting, not length: a left-deep `a AND b AND ..` of thousands
    // of terms would be dropped and read recursively. Statements in code are short.
    if sql.len() > MAX_SQL_LEN {
        return Err(SqlError { message: format!("statement longer than {MAX_SQL_LEN} bytes, not read") });
    }
    let dialects: [&dyn Dialect; 4] = [&GenericDialect {}, &PostgreSqlDialect {}, &SQLiteDialect {}, &MySqlDialect {}];
    let mut first_error = None;
    for dialect in dialects {
        match Parser::parse_sql(dialect, sql) {
            Ok(statements) => return Ok(shape(&statements)),
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    Err(SqlError { message: first_error.unwrap_or_default() })
}

/// Numbers `?` placeholders in the order they are met, which is the text's order for
/// the clauses read here (SET before WHERE).
#[derive(Default)]
struct Params {
    anonymous: usize,
}

impl Params {
    fn value(&mut self, value: &Value) -> SqlValue {
        match value {
            Value::Placeholder(p) => self.placeholder(p),
            Value::Null => SqlValue::Null,
            Value::Boolean(b) => SqlValue::Bool(*b),
            Value::Number(n, _) => SqlValue::Number(n.to_string()),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => SqlValue::Text(s.clone()),
            _ => SqlValue::Other,
        }
    }

    fn placeholder(&mut self, p: &str) -> SqlValue {
        let (sigil, rest) = p.split_at(p.chars().next().map_or(0, char::len_utf8));
        match (sigil, rest) {
            ("?", "") => {
                self.anonymous += 1;
                SqlValue::Param(self.anonymous - 1)
            }
            ("$" | "?", digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                digits.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).map_or(SqlValue::Other, SqlValue::Param)
            }
            (":" | "@" | "$", name) if !name.is_empty() => SqlValue::Named(name.to_string()),
            _ => SqlValue::Other,
        }
    }

    fn expr(&mut self, e: &Expr) -> SqlValue {
        match e {
            Expr::Value(v) => self.value(&v.value),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column(e).map_or(SqlValue::Other, SqlValue::Column),
            Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => self.expr(inner),
            _ => {
                // Placeholders inside an unmodelled expression still take their numbers.
                self.skip(e);
                SqlValue::Other
            }
        }
    }

    /// Counts the anonymous placeholders inside `e` without modelling it.
    fn skip(&mut self, e: &Expr) {
        self.skip_text(&e.to_string());
    }

    /// Counts the anonymous placeholders in a printed fragment of the statement.
    fn skip_text(&mut self, text: &str) {
        // `?` outside quotes: the parser has already rejected unbalanced quotes.
        let mut quoted = false;
        for c in text.chars() {
            match c {
                '\'' => quoted = !quoted,
                '?' if !quoted => self.anonymous += 1,
                _ => {}
            }
        }
    }
}

fn column(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(ident) => Some(ident.value.to_lowercase()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.to_lowercase()),
        Expr::Nested(inner) => column(inner),
        _ => None,
    }
}

fn object_name(name: &ObjectName) -> Option<String> {
    name.0.last().and_then(ObjectNamePart::as_ident).map(|i| i.value.to_lowercase())
}

fn table_of(from: &[TableWithJoins]) -> Option<String> {
    match &from.first()?.relation {
        TableFactor::Table { name, .. } => object_name(name),
        _ => None,
    }
}

/// Reads a `WHERE` clause into equalities; returns whether that was all it said.
fn filters(e: &Expr, params: &mut Params, out: &mut Vec<(String, SqlValue)>) -> bool {
    match e {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            let l = filters(left, params, out);
            let r = filters(right, params, out);
            l && r
        }
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => match (column(left), column(right)) {
            (Some(c), None) => {
                let v = params.expr(right);
                out.push((c, v));
                true
            }
            (None, Some(c)) => {
                let v = params.expr(left);
                out.push((c, v));
                true
            }
            (Some(a), Some(b)) => {
                out.push((a, SqlValue::Column(b)));
                true
            }
            (None, None) => {
                params.skip(e);
                false
            }
        },
        Expr::IsNull(inner) => match column(inner) {
            Some(c) => {
                out.push((c, SqlValue::Null));
                true
            }
            None => false,
        },
        Expr::Nested(inner) => filters(inner, params, out),
        other => {
            params.skip(other);
            false
        }
    }
}

/// Collects the columns `e` names into `out`; returns false when a part of it was not
/// read (a subquery, a function call, an expression kind not modelled here).
fn where_columns(e: &Expr, out: &mut Vec<String>) -> bool {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            out.extend(column(e));
            true
        }
        Expr::Value(_) => true,
        Expr::BinaryOp { left, right, .. }
        | Expr::AnyOp { left, right, .. }
        | Expr::AllOp { left, right, .. }
        | Expr::IsDistinctFrom(left, right)
        | Expr::IsNotDistinctFrom(left, right) => {
            let l = where_columns(left, out);
            where_columns(right, out) && l
        }
        Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
            let l = where_columns(expr, out);
            where_columns(pattern, out) && l
        }
        Expr::Between { expr, low, high, .. } => {
            let a = where_columns(expr, out);
            let b = where_columns(low, out);
            where_columns(high, out) && a && b
        }
        Expr::In { expr, target: sqlparser::ast::InTarget::List(list), .. } => {
            let mut all = where_columns(expr, out);
            for item in list {
                all &= where_columns(item, out);
            }
            all
        }
        Expr::UnaryOp { expr: inner, .. }
        | Expr::Nested(inner)
        | Expr::Cast { expr: inner, .. }
        | Expr::IsNull(inner)
        | Expr::IsNotNull(inner)
        | Expr::IsTrue(inner)
        | Expr::IsFalse(inner)
        | Expr::IsNotTrue(inner)
        | Expr::IsNotFalse(inner) => where_columns(inner, out),
        _ => false,
    }
}

/// The plain columns a `SELECT` lists, or `None` (`*`, an expression).
fn projected_columns(items: &[sqlparser::ast::SelectItem]) -> Option<Vec<String>> {
    use sqlparser::ast::SelectItem;
    items
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) => column(e),
            SelectItem::ExprWithAlias { expr, alias } => column(expr).map(|_| alias.value.to_lowercase()),
            _ => None,
        })
        .collect()
}

fn first_row_only(query: &Query) -> bool {
    let limit = match &query.limit_clause {
        Some(LimitClause::LimitOffset { limit: Some(limit), .. }) => Some(limit),
        Some(LimitClause::OffsetCommaLimit { limit, .. }) => Some(limit),
        _ => None,
    };
    matches!(limit, Some(Expr::Value(v)) if matches!(&v.value, Value::Number(n, _) if n == "1"))
        || query.fetch.as_ref().is_some_and(|f| f.quantity.as_ref().is_some_and(|q| q.to_string() == "1"))
}

fn shape(statements: &[Statement]) -> SqlShape {
    let mut out = SqlShape {
        kind: SqlKind::Other,
        table: None,
        filters: Vec::new(),
        filters_exact: true,
        first_row_only: false,
        skip_locked: false,
        assignments: Vec::new(),
        where_columns: Vec::new(),
        where_opaque: false,
        columns: None,
    };
    let [statement] = statements else { return out };
    let mut params = Params::default();
    match statement {
        Statement::Query(query) => {
            out.kind = SqlKind::Select;
            if let SetExpr::Select(select) = &*query.body {
                for item in &select.projection {
                    // Placeholders in the select list come first in the text.
                    params.skip_text(&item.to_string());
                }
                out.table = table_of(&select.from);
                out.columns = projected_columns(&select.projection);
                if select.from.len() != 1 || !select.from[0].joins.is_empty() {
                    // A join's rows are not one table's.
                    out.where_opaque = true;
                }
                if let Some(selection) = &select.selection {
                    out.filters_exact = filters(selection, &mut params, &mut out.filters);
                    out.where_opaque |= !where_columns(selection, &mut out.where_columns);
                }
            } else {
                out.filters_exact = false;
            }
            out.first_row_only = first_row_only(query);
            out.skip_locked =
                query.locks.iter().any(|l| matches!(l.nonblock, Some(sqlparser::ast::NonBlock::SkipLocked)));
        }
        Statement::Update(update) => {
            out.kind = SqlKind::Update;
            out.table = table_of(std::slice::from_ref(&update.table));
            for assignment in &update.assignments {
                let target = match &assignment.target {
                    AssignmentTarget::ColumnName(name) => object_name(name),
                    AssignmentTarget::Tuple(_) => None,
                };
                let value = params.expr(&assignment.value);
                if let Some(column) = target {
                    out.assignments.push((column, value));
                }
            }
            if let Some(selection) = &update.selection {
                out.filters_exact = filters(selection, &mut params, &mut out.filters);
                out.where_opaque |= !where_columns(selection, &mut out.where_columns);
            }
        }
        Statement::Delete(delete) => {
            out.kind = SqlKind::Delete;
            let from = match &delete.from {
                FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from) => from,
            };
            out.table = table_of(from);
            if let Some(selection) = &delete.selection {
                out.filters_exact = filters(selection, &mut params, &mut out.filters);
                out.where_opaque |= !where_columns(selection, &mut out.where_columns);
            }
        }
        Statement::Insert(insert) => {
            out.kind = SqlKind::Insert;
            out.table = match &insert.table {
                sqlparser::ast::TableObject::TableName(name) => object_name(name),
                _ => None,
            };
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(i: usize) -> SqlValue {
        SqlValue::Param(i)
    }

    #[test]
    fn keyed_select_with_owner_predicate() {
        let s = parse("SELECT id, image FROM print_images WHERE ticket = $1 AND applicant_id = $2").unwrap();
        assert_eq!(s.kind, SqlKind::Select);
        assert_eq!(s.table.as_deref(), Some("print_images"));
        assert_eq!(s.filters, vec![("ticket".into(), param(0)), ("applicant_id".into(), param(1))]);
        assert!(s.filters_exact && !s.first_row_only);
    }

    #[test]
    fn head_of_queue_select() {
        let s = parse("SELECT * FROM images WHERE status = 'ready' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED")
            .unwrap();
        assert!(s.first_row_only && s.skip_locked);
        assert_eq!(s.filters, vec![("status".into(), SqlValue::Text("ready".into()))]);
        let s = parse("SELECT * FROM images ORDER BY created_at LIMIT 10").unwrap();
        assert!(!s.first_row_only, "LIMIT 10 is not the head");
    }

    #[test]
    fn anonymous_placeholders_count_in_text_order() {
        let s = parse("UPDATE images SET locked_by = NULL, status = ?, note = lower(?) WHERE id = ? AND owner = ?")
            .unwrap();
        assert_eq!(s.kind, SqlKind::Update);
        assert_eq!(
            s.assignments,
            vec![("locked_by".into(), SqlValue::Null), ("status".into(), param(0)), ("note".into(), SqlValue::Other)]
        );
        assert_eq!(s.filters, vec![("id".into(), param(2)), ("owner".into(), param(3))]);
    }

    #[test]
    fn an_or_makes_the_filters_inexact() {
        let s = parse("SELECT * FROM docs d WHERE d.id = ?1 AND (d.owner_id = ?2 OR d.public)").unwrap();
        assert!(!s.filters_exact);
        assert_eq!(s.filters[0], ("id".into(), param(0)));
    }

    #[test]
    fn delete_and_named_parameters() {
        let s = parse("DELETE FROM images WHERE ticket = :ticket").unwrap();
        assert_eq!(s.kind, SqlKind::Delete);
        assert_eq!(s.table.as_deref(), Some("images"));
        assert_eq!(s.filters, vec![("ticket".into(), SqlValue::Named("ticket".into()))]);
    }

    #[test]
    fn where_columns_projection_and_opaque_parts() {
        let s = parse("SELECT id, owner_id AS owner FROM jobs WHERE id = $1 AND (owner_id = $2 OR public)").unwrap();
        assert_eq!(s.columns, Some(vec!["id".into(), "owner".into()]));
        assert_eq!(s.where_columns, vec!["id".to_string(), "owner_id".into(), "public".into()]);
        assert!(!s.where_opaque);
        let s =
            parse("SELECT * FROM projects p WHERE p.id = $1 AND EXISTS (SELECT 1 FROM members m WHERE m.user_id = $2)")
                .unwrap();
        assert!(s.where_opaque && s.columns.is_none(), "a membership subquery is not read");
        let s = parse("SELECT j.* FROM jobs j JOIN users u ON u.id = j.owner_id WHERE j.id = $1").unwrap();
        assert!(s.where_opaque, "a join");
    }

    #[test]
    fn insert_and_garbage() {
        assert_eq!(parse("INSERT INTO jobs (owner, body) VALUES ($1, $2)").unwrap().kind, SqlKind::Insert);
        let err = parse("SELEC * FROM").unwrap_err();
        assert!(!err.message.is_empty());
        assert_eq!(parse("BEGIN; COMMIT").unwrap().kind, SqlKind::Other);
        let long = format!("SELECT * FROM t WHERE {}", vec!["a = 1"; 5000].join(" AND "));
        assert!(parse(&long).is_err(), "too long to read, an error rather than a deep recursion");
        let nested = format!("SELECT * FROM t WHERE {}a = 1{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&nested).is_err(), "the parser's depth limit");
    }
}
