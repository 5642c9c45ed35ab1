//! The database layer. One code base for SQLite (the embedded default),
//! PostgreSQL and MariaDB through diesel:
//!
//! * `conn`: the connection type over the three backends, the read pool and
//!   the group-commit writer (one thread that folds every write queued in
//!   the meantime into one transaction, one savepoint per caller).
//! * `batch`: one-row writes of resource tables, and how a group commit
//!   folds them into multi-row statements on PostgreSQL and MariaDB.
//! * `spec`: tables described as data (one typed column per queryable
//!   inventory field, plus the serialized inventory), from which the DDL of
//!   the migrations is generated.
//! * `query`: ZStack's query conditions (`q=` and the legacy body form)
//!   compiled to SQL with bound parameters, join paths included.

pub mod batch;
pub mod conn;
pub mod query;
pub mod zql;
pub mod spec;
pub mod time;
pub mod value;

pub use conn::{Database, DbKind};
pub use spec::{ColKind, Column, Hop, Join, TableSpec};
pub use value::{SqlBuilder, SqlValue, Stmt};
