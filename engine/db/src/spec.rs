//! Tables described as data. Each resource table keeps one typed column per
//! queryable inventory field (snake_case of the field name) for conditions
//! and sorting, and the serialized inventory in `inv` for reads, so a query
//! answers without rebuilding JSON column by column. The migrations' DDL for
//! all three backends is generated from these descriptions.

use crate::conn::DbKind;
use crate::value::SqlValue;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// Short string (uuids, names, states): indexable everywhere.
    Str,
    /// Free text (descriptions, URLs, tags).
    LongStr,
    Int,
    /// Stored as 0/1.
    Bool,
    /// Stored as epoch milliseconds; wire form is Java's date rendering.
    Time,
    Float,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The inventory field name (camelCase), as clients name it in queries.
    pub field: &'static str,
    pub kind: ColKind,
}

/// One step of a join: `this.local IN (SELECT table.remote FROM table ...)`.
#[derive(Debug, Clone, Copy)]
pub struct Hop {
    pub local: &'static str,
    pub table: &'static str,
    pub remote: &'static str,
}

/// An expanded-query name (`vmNics`, `host`, `l2Network`) and how to reach it.
#[derive(Debug, Clone, Copy)]
pub struct Join {
    pub name: &'static str,
    pub hops: &'static [Hop],
}

#[derive(Debug)]
pub struct TableSpec {
    pub table: &'static str,
    /// The Java inventory class, for the query reply's `schema`.
    pub inventory_class: &'static str,
    /// The VO name used for tags and in error messages (e.g. `VmInstanceVO`).
    pub vo: &'static str,
    pub columns: &'static [Column],
    pub joins: &'static [Join],
    pub indexes: &'static [&'static str],
}

pub fn snake(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 4);
    for (i, ch) in field.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    // Words some backend reserves get a prefix.
    match out.as_str() {
        "system" | "default" | "key" | "interval" => format!("f_{out}"),
        _ => out,
    }
}

impl TableSpec {
    pub fn column(&self, field: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.field == field)
    }

    pub fn join(&self, name: &str) -> Option<&Join> {
        self.joins.iter().find(|j| j.name == name)
    }

    /// The typed column values of an inventory, in column order.
    pub fn values_of(&self, inv: &Map<String, Value>) -> Vec<SqlValue> {
        self.columns.iter().map(|c| json_to_sql(c.kind, inv.get(c.field))).collect()
    }

    pub fn ddl(&self, kind: DbKind) -> String {
        self.ddl_without(kind, &[])
    }

    /// The table as first created: columns a later migration adds are left
    /// out, so a released migration never changes when a column is added.
    pub fn ddl_without(&self, kind: DbKind, later: &[&str]) -> String {
        let mut cols = Vec::new();
        for c in self.columns.iter().filter(|c| !later.contains(&c.field)) {
            let pk = if c.field == "uuid" { " NOT NULL PRIMARY KEY" } else { "" };
            let ty = if c.field == "uuid" && kind == DbKind::Mysql { "VARCHAR(64)" } else { sql_type(c.kind, kind) };
            cols.push(format!("    {} {ty}{pk}", snake(c.field)));
        }
        let inv = if kind == DbKind::Mysql { "LONGTEXT" } else { "TEXT" };
        cols.push(format!("    inv {inv} NOT NULL"));
        let mut out = format!("CREATE TABLE {} (\n{}\n)", self.table, cols.join(",\n"));
        if kind == DbKind::Mysql {
            out.push_str(" CHARACTER SET utf8mb4");
        }
        out.push_str(";\n");
        for f in self.indexes.iter().filter(|f| !later.contains(f)) {
            out.push_str(&self.index_ddl(f));
        }
        out
    }

    /// `ALTER TABLE ... ADD COLUMN` for a column added after the table was created.
    pub fn add_column_ddl(&self, kind: DbKind, field: &str) -> String {
        let c = self.column(field).unwrap_or_else(|| panic!("{} has no column {field}", self.table));
        let mut out = format!("ALTER TABLE {} ADD COLUMN {} {};\n", self.table, snake(field), sql_type(c.kind, kind));
        if self.indexes.contains(&field) {
            out.push_str(&self.index_ddl(field));
        }
        out
    }

    fn index_ddl(&self, f: &str) -> String {
        format!("CREATE INDEX idx_{}_{} ON {} ({});\n", self.table, snake(f), self.table, snake(f))
    }
}

fn sql_type(col: ColKind, kind: DbKind) -> &'static str {
    match (col, kind) {
        (ColKind::Str, DbKind::Mysql) => "VARCHAR(255)",
        (ColKind::Str | ColKind::LongStr, _) => "TEXT",
        (ColKind::Int | ColKind::Bool | ColKind::Time, DbKind::Sqlite) => "INTEGER",
        (ColKind::Int | ColKind::Bool | ColKind::Time, _) => "BIGINT",
        (ColKind::Float, DbKind::Postgres) => "DOUBLE PRECISION",
        (ColKind::Float, DbKind::Mysql) => "DOUBLE",
        (ColKind::Float, DbKind::Sqlite) => "REAL",
    }
}

pub fn json_to_sql(kind: ColKind, v: Option<&Value>) -> SqlValue {
    let v = v.filter(|v| !v.is_null());
    match kind {
        ColKind::Str | ColKind::LongStr => SqlValue::Text(v.map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })),
        ColKind::Int => SqlValue::Int(v.and_then(|v| v.as_i64())),
        ColKind::Bool => SqlValue::Int(v.and_then(|v| v.as_bool()).map(|b| b as i64)),
        ColKind::Time => SqlValue::Int(v.and_then(|v| v.as_str()).and_then(crate::time::parse_any)),
        ColKind::Float => SqlValue::Float(v.and_then(|v| v.as_f64())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_map_to_snake_case_columns() {
        assert_eq!(snake("zoneUuid"), "zone_uuid");
        assert_eq!(snake("uuid"), "uuid");
        assert_eq!(snake("system"), "f_system");
        assert_eq!(snake("totalCpuCapacity"), "total_cpu_capacity");
    }
}
