//! Stores outside the process (databases, caches, brokers) as shared collections of
//! people's items. [`sql`] reads what a SQL statement does to a table's rows.

pub mod sql;
pub mod sqlx;
