//! SQL text with bound parameters. The builder writes the placeholder style
//! of the backend (`?` or `$n`), so callers never splice values into SQL.

use crate::conn::DbKind;

#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Text(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub binds: Vec<SqlValue>,
    /// The row the statement writes (its uuid), when there is one: writes
    /// with the same key are committed in the order they were submitted.
    pub key: Option<String>,
    /// What the statement writes, when it is a one-row write of a table
    /// (see `batch`): a group commit may fold it with others of its shape.
    pub row: Option<crate::batch::RowWrite>,
}

pub struct SqlBuilder {
    kind: DbKind,
    sql: String,
    binds: Vec<SqlValue>,
}

impl SqlBuilder {
    pub fn new(kind: DbKind) -> Self {
        SqlBuilder { kind, sql: String::with_capacity(128), binds: Vec::new() }
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    pub fn bind(&mut self, v: SqlValue) -> &mut Self {
        self.binds.push(v);
        match self.kind {
            DbKind::Postgres => {
                self.sql.push('$');
                self.sql.push_str(&self.binds.len().to_string());
            }
            DbKind::Sqlite | DbKind::Mysql => self.sql.push('?'),
        }
        self
    }

    pub fn build(self) -> Stmt {
        Stmt { sql: self.sql, binds: self.binds, key: None, row: None }
    }

    pub fn build_keyed(self, key: impl Into<String>) -> Stmt {
        Stmt { sql: self.sql, binds: self.binds, key: Some(key.into()), row: None }
    }
}
