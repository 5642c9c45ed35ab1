//! One-row writes of resource tables, and how a group commit folds them.
//!
//! Resource rows are written by three statements built from the table's
//! spec: insert a row, rewrite a row by uuid, delete rows by one column. A
//! group commit on PostgreSQL or MariaDB holds thousands of them, and each
//! one alone costs a round trip and a turn of the server. `plan` folds the
//! statements of one shape into multi-row statements (`INSERT ... VALUES
//! (..), (..)`; on PostgreSQL `UPDATE ... FROM (VALUES ..)`; `DELETE ...
//! WHERE c IN (..)`) without changing what the group does: two writes that
//! may touch the same row keep their order (the later one lands in a later
//! layer), and a statement of unknown shape runs after everything queued
//! before it and before everything queued after it. SQLite runs in-process,
//! where a statement costs no round trip, so its statements run as queued.

use crate::conn::DbKind;
use crate::spec::{snake, TableSpec};
use crate::value::{SqlValue, Stmt};
use parking_lot::RwLock;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a one-row statement writes; its binds are in the order its SQL names them.
#[derive(Debug, Clone, Copy)]
pub enum RowWrite {
    /// `INSERT INTO t (every column, inv) VALUES (..)`.
    Insert(&'static TableSpec),
    /// `UPDATE t SET every column but uuid = .., inv = .. WHERE uuid = ..`.
    Update(&'static TableSpec),
    /// `DELETE FROM t WHERE column = ..` (the column's field name).
    Delete(&'static TableSpec, &'static str),
}

impl RowWrite {
    fn spec(self) -> &'static TableSpec {
        match self {
            RowWrite::Insert(t) | RowWrite::Update(t) | RowWrite::Delete(t, _) => t,
        }
    }

    /// The uuid of the one row the statement writes; `None` when a delete
    /// picks its rows by another column.
    fn row(self, s: &Stmt) -> Option<&str> {
        fn text(v: Option<&SqlValue>) -> &str {
            match v {
                Some(SqlValue::Text(Some(t))) => t.as_str(),
                _ => "",
            }
        }
        match self {
            RowWrite::Insert(t) => Some(text(t.columns.iter().position(|c| c.field == "uuid").and_then(|i| s.binds.get(i)))),
            RowWrite::Update(_) => Some(text(s.binds.last())),
            RowWrite::Delete(_, "uuid") => Some(text(s.binds.first())),
            RowWrite::Delete(..) => None,
        }
    }

    /// What a group may fold it with: same operation, table and column.
    fn fold_key(self) -> FoldKey {
        match self {
            RowWrite::Insert(t) => (0, t.table, ""),
            RowWrite::Update(t) => (1, t.table, ""),
            RowWrite::Delete(t, f) => (2, t.table, f),
        }
    }
}

/// (operation: 0 insert, 1 update, 2 delete; table; column of a delete).
type FoldKey = (u8, &'static str, &'static str);

/// The SQL texts of one statement shape on one backend: the one-row
/// statement, and the head and tail around the rows of a folded one.
struct Texts {
    one: String,
    head: String,
    tail: String,
}

/// Texts are built once per table, operation and backend (the column names
/// are derived from field names), then shared for the life of the process.
fn texts(kind: DbKind, key: FoldKey, build: impl FnOnce() -> Texts) -> &'static Texts {
    if let Some(t) = texts_of(kind, key) {
        return t;
    }
    *text_cache().write().entry((kind, key)).or_insert_with(|| Box::leak(Box::new(build())))
}

type TextCache = RwLock<HashMap<(DbKind, FoldKey), &'static Texts>>;

fn text_cache() -> &'static TextCache {
    static CACHE: OnceLock<TextCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn texts_of(kind: DbKind, key: FoldKey) -> Option<&'static Texts> {
    text_cache().read().get(&(kind, key)).copied()
}

/// Placeholders for `n` values numbered from `first` (PostgreSQL's `$n`, `?` elsewhere), comma-separated.
fn push_placeholders(kind: DbKind, sql: &mut String, first: usize, n: usize) {
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        match kind {
            DbKind::Postgres => {
                sql.push('$');
                sql.push_str(&(first + i).to_string());
            }
            DbKind::Sqlite | DbKind::Mysql => sql.push('?'),
        }
    }
}

fn inv_text(inv: &Map<String, Value>) -> SqlValue {
    SqlValue::Text(Some(serde_json::to_string(inv).unwrap_or_default()))
}

impl TableSpec {
    /// Insert the inventory as a new row: every typed column, and the inventory itself.
    pub fn insert_stmt(&'static self, kind: DbKind, inv: &Map<String, Value>) -> Stmt {
        let t = texts(kind, RowWrite::Insert(self).fold_key(), || {
            let cols: Vec<String> = self.columns.iter().map(|c| snake(c.field)).collect();
            let head = format!("INSERT INTO {} ({}, inv) VALUES ", self.table, cols.join(", "));
            let mut one = head.clone();
            one.push('(');
            push_placeholders(kind, &mut one, 1, cols.len() + 1);
            one.push(')');
            Texts { one, head, tail: String::new() }
        });
        let mut binds = self.values_of(inv);
        binds.push(inv_text(inv));
        let key = inv.get("uuid").and_then(|v| v.as_str()).unwrap_or_default().to_string();
        Stmt { sql: t.one.clone(), binds, key: Some(key), row: Some(RowWrite::Insert(self)) }
    }

    /// Rewrite every column and the stored inventory of the row with the inventory's uuid.
    pub fn update_stmt(&'static self, kind: DbKind, inv: &Map<String, Value>) -> Stmt {
        let t = texts(kind, RowWrite::Update(self).fold_key(), || {
            let cols: Vec<String> = self.columns.iter().filter(|c| c.field != "uuid").map(|c| snake(c.field)).chain(["inv".to_string()]).collect();
            let mut one = format!("UPDATE {} SET ", self.table);
            for (i, c) in cols.iter().enumerate() {
                one.push_str(if i > 0 { ", " } else { "" });
                one.push_str(c);
                one.push_str(" = ");
                push_placeholders(kind, &mut one, i + 1, 1);
            }
            one.push_str(" WHERE uuid = ");
            push_placeholders(kind, &mut one, cols.len() + 1, 1);
            // The folded form (PostgreSQL): the rows as a VALUES list joined on uuid.
            let set: Vec<String> = cols.iter().map(|c| format!("{c} = v.{c}")).collect();
            let head = format!("UPDATE {} SET {} FROM (VALUES ", self.table, set.join(", "));
            let tail = format!(") AS v({}, uuid) WHERE {}.uuid = v.uuid", cols.join(", "), self.table);
            Texts { one, head, tail }
        });
        let mut binds: Vec<SqlValue> = self.columns.iter().zip(self.values_of(inv)).filter(|(c, _)| c.field != "uuid").map(|(_, v)| v).collect();
        binds.push(inv_text(inv));
        let uuid = inv.get("uuid").and_then(|v| v.as_str()).map(String::from);
        binds.push(SqlValue::Text(uuid.clone()));
        Stmt { sql: t.one.clone(), binds, key: Some(uuid.unwrap_or_default()), row: Some(RowWrite::Update(self)) }
    }

    /// Delete the rows whose `field` equals `value`.
    pub fn delete_stmt(&'static self, kind: DbKind, field: &str, value: &str) -> Stmt {
        let column = self.column(field).map(|c| c.field);
        let fold = column.map(|f| RowWrite::Delete(self, f));
        let sql = match fold {
            Some(w) => texts(kind, w.fold_key(), || {
                let col = snake(field);
                let mut one = format!("DELETE FROM {} WHERE {col} = ", self.table);
                push_placeholders(kind, &mut one, 1, 1);
                Texts { one, head: format!("DELETE FROM {} WHERE {col} IN (", self.table), tail: ")".into() }
            })
            .one
            .clone(),
            // Not a declared column: a statement of its own, never folded.
            None => {
                let mut one = format!("DELETE FROM {} WHERE {} = ", self.table, snake(field));
                push_placeholders(kind, &mut one, 1, 1);
                one
            }
        };
        Stmt { sql, binds: vec![SqlValue::Text(Some(value.to_string()))], key: Some(value.to_string()), row: fold }
    }
}

/// A statement to run: SQL and its binds, taken from one or more queued statements.
pub struct Planned<'a> {
    pub sql: Cow<'a, str>,
    pub binds: Vec<&'a [SqlValue]>,
    /// Whether the connection keeps it prepared (fixed shapes only, so the
    /// per-connection statement cache stays small).
    pub keep_prepared: bool,
}

impl<'a> Planned<'a> {
    pub fn single(s: &'a Stmt) -> Self {
        Planned { sql: Cow::Borrowed(&s.sql), binds: vec![&s.binds], keep_prepared: cacheable(s) }
    }
}

/// Statements of a fixed shape are kept prepared; those with IN lists (one
/// shape per list length) are not.
pub fn cacheable(stmt: &Stmt) -> bool {
    !stmt.sql.contains(" IN (")
}

/// Most rows in one folded statement, and most binds (both servers refuse
/// more than 65,535 placeholders).
const MAX_ROWS: usize = 1000;
const MAX_BINDS: usize = 30_000;

/// The statements to run for `stmts`, queued in this order, with the same effect.
pub fn plan<'a>(kind: DbKind, stmts: &[&'a Stmt]) -> Vec<Planned<'a>> {
    if kind == DbKind::Sqlite || stmts.len() < 2 {
        return stmts.iter().map(|s| Planned::single(s)).collect();
    }
    let mut layering = Layering::default();
    for s in stmts {
        layering.place(s);
    }
    let mut out = Vec::new();
    let superseded = layering.superseded;
    for mut layer in layering.layers {
        // Nothing in a layer conflicts; a fixed order keeps the row locks of
        // concurrent writers in one order.
        layer.sort_by_key(|b| b.key);
        for mut b in layer {
            b.stmts.retain(|s| !superseded.contains(&(*s as *const Stmt)));
            fold(kind, b, &mut out);
        }
    }
    out
}

struct Batch<'a> {
    /// `None`: a statement of unknown shape, alone in its layer.
    key: Option<FoldKey>,
    stmts: Vec<&'a Stmt>,
}

/// Statements sorted into layers that run one after another. For each
/// table and row, "after" values are one more than the last layer that
/// touched it, so a conflicting statement goes at least there.
#[derive(Default)]
struct Layering<'a> {
    layers: Vec<Vec<Batch<'a>>>,
    /// Rows: after any write; after updates and deletes.
    row_any: HashMap<(&'static str, &'a str), usize>,
    row_changed: HashMap<(&'static str, &'a str), usize>,
    /// Tables: after inserts and updates; after deletes by a non-uuid column.
    table_written: HashMap<&'static str, usize>,
    table_swept: HashMap<&'static str, usize>,
    /// No statement may go below this layer (set by statements of unknown shape).
    floor: usize,
    /// Order of arrival of the last update of each row, and of the last
    /// delete by a non-uuid column of each table.
    seq: usize,
    last_update: HashMap<(&'static str, &'a str), (usize, &'a Stmt)>,
    last_sweep: HashMap<&'static str, usize>,
    /// Updates a later update of the same row makes redundant: an update
    /// rewrites every column, so only the last one matters, unless a delete
    /// by another column came in between (it may have matched the row by
    /// what the earlier update wrote).
    superseded: std::collections::HashSet<*const Stmt>,
}

fn after<K: std::hash::Hash + Eq>(m: &HashMap<K, usize>, k: &K) -> usize {
    m.get(k).copied().unwrap_or(0)
}

fn raise<K: std::hash::Hash + Eq>(m: &mut HashMap<K, usize>, k: K, v: usize) {
    let e = m.entry(k).or_insert(0);
    *e = (*e).max(v);
}

impl<'a> Layering<'a> {
    fn place(&mut self, s: &'a Stmt) {
        let Some(w) = s.row else {
            let at = self.layers.len().max(self.floor);
            self.layers.resize_with(at + 1, Vec::new);
            self.layers[at].push(Batch { key: None, stmts: vec![s] });
            self.floor = at + 1;
            return;
        };
        let t = w.spec().table;
        let row = w.row(s);
        self.seq += 1;
        if let (RowWrite::Update(_), Some(r)) = (w, row) {
            if let Some((at, earlier)) = self.last_update.insert((t, r), (self.seq, s)) {
                if after(&self.last_sweep, &t) < at {
                    self.superseded.insert(earlier as *const Stmt);
                }
            }
        }
        if let (RowWrite::Delete(..), None) = (w, row) {
            self.last_sweep.insert(t, self.seq);
        }
        // Inserts never conflict with inserts (a duplicate fails either way),
        // nor deletes with deletes; anything else on the same row does, and a
        // delete by another column conflicts with every insert and update of its table.
        let min = match (w, row) {
            (RowWrite::Insert(_), Some(r)) => after(&self.row_changed, &(t, r)).max(after(&self.table_swept, &t)),
            (RowWrite::Update(_), Some(r)) => after(&self.row_any, &(t, r)).max(after(&self.table_swept, &t)),
            (RowWrite::Delete(..), Some(r)) => after(&self.row_any, &(t, r)),
            (_, None) => after(&self.table_written, &t),
        }
        .max(self.floor);
        let key = w.fold_key();
        let at = match (min..self.layers.len()).find(|&l| self.layers[l].iter().any(|b| b.key == Some(key))) {
            Some(l) => {
                if let Some(b) = self.layers[l].iter_mut().find(|b| b.key == Some(key)) {
                    b.stmts.push(s);
                }
                l
            }
            None => {
                if self.layers.len() <= min {
                    self.layers.resize_with(min + 1, Vec::new);
                }
                self.layers[min].push(Batch { key: Some(key), stmts: vec![s] });
                min
            }
        };
        let next = at + 1;
        match (w, row) {
            (RowWrite::Insert(_), Some(r)) => {
                raise(&mut self.row_any, (t, r), next);
                raise(&mut self.table_written, t, next);
            }
            (RowWrite::Update(_), Some(r)) => {
                raise(&mut self.row_any, (t, r), next);
                raise(&mut self.row_changed, (t, r), next);
                raise(&mut self.table_written, t, next);
            }
            (RowWrite::Delete(..), Some(r)) => {
                raise(&mut self.row_any, (t, r), next);
                raise(&mut self.row_changed, (t, r), next);
            }
            (_, None) => raise(&mut self.table_swept, t, next),
        }
    }
}

/// Whether the backend has a multi-row form of the operation.
fn foldable(kind: DbKind, op: u8) -> bool {
    match kind {
        DbKind::Postgres => true,
        // MariaDB has no UPDATE ... FROM (VALUES ...).
        DbKind::Mysql => op != 1,
        DbKind::Sqlite => false,
    }
}

fn fold<'a>(kind: DbKind, b: Batch<'a>, out: &mut Vec<Planned<'a>>) {
    let Some(key) = b.key.filter(|k| b.stmts.len() > 1 && foldable(kind, k.0)) else {
        out.extend(b.stmts.into_iter().map(Planned::single));
        return;
    };
    // Every statement of a key has the same text, so the texts are cached already.
    let Some(t) = texts_of(kind, key) else {
        out.extend(b.stmts.into_iter().map(Planned::single));
        return;
    };
    let per_row = b.stmts[0].binds.len().max(1);
    let rows_per = (MAX_BINDS / per_row).clamp(1, MAX_ROWS);
    for chunk in b.stmts.chunks(rows_per) {
        if chunk.len() == 1 || chunk.iter().any(|s| s.binds.len() != per_row) {
            out.extend(chunk.iter().map(|s| Planned::single(s)));
            continue;
        }
        let mut sql = String::with_capacity(t.head.len() + t.tail.len() + chunk.len() * per_row * 6);
        sql.push_str(&t.head);
        for (i, s) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            // A delete's IN list holds bare values; other rows are parenthesized.
            let wrap = key.0 != 2;
            if wrap {
                sql.push('(');
            }
            push_placeholders(kind, &mut sql, i * per_row + 1, s.binds.len());
            if wrap {
                sql.push(')');
            }
        }
        sql.push_str(&t.tail);
        out.push(Planned { sql: Cow::Owned(sql), binds: chunk.iter().map(|s| s.binds.as_slice()).collect(), keep_prepared: false });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ColKind, Column};
    use serde_json::json;

    static THING: TableSpec = TableSpec {
        table: "thing",
        inventory_class: "ThingInventory",
        vo: "ThingVO",
        columns: &[Column { field: "uuid", kind: ColKind::Str }, Column { field: "ownerUuid", kind: ColKind::Str }, Column { field: "size", kind: ColKind::Int }],
        joins: &[],
        indexes: &[],
    };
    static OTHER: TableSpec = TableSpec { table: "other", inventory_class: "OtherInventory", vo: "OtherVO", columns: &[Column { field: "uuid", kind: ColKind::Str }], joins: &[], indexes: &[] };

    fn inv(uuid: &str, size: i64) -> Map<String, Value> {
        json!({"uuid": uuid, "ownerUuid": "o", "size": size}).as_object().cloned().unwrap()
    }

    /// Each planned statement as its SQL and the row uuids (or first binds) it carries.
    fn shown(p: &[Planned<'_>]) -> Vec<(String, Vec<String>)> {
        p.iter()
            .map(|p| {
                let firsts = p.binds.iter().map(|b| match (b.first(), b.last()) {
                    // Updates carry their uuid last, inserts and deletes first.
                    (_, Some(SqlValue::Text(Some(u)))) if p.sql.starts_with("UPDATE") => u.clone(),
                    (Some(SqlValue::Text(Some(u))), _) => u.clone(),
                    _ => String::new(),
                });
                (p.sql.to_string(), firsts.collect())
            })
            .collect()
    }

    #[test]
    fn inserts_of_one_table_fold_into_one_statement_with_numbered_placeholders() {
        let k = DbKind::Postgres;
        let s = [THING.insert_stmt(k, &inv("a", 1)), OTHER.insert_stmt(k, &json!({"uuid": "x"}).as_object().cloned().unwrap()), THING.insert_stmt(k, &inv("b", 2))];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = plan(k, &refs);
        assert_eq!(
            shown(&p),
            vec![
                ("INSERT INTO other (uuid, inv) VALUES ($1, $2)".to_string(), vec!["x".to_string()]),
                ("INSERT INTO thing (uuid, owner_uuid, size, inv) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)".to_string(), vec!["a".to_string(), "b".to_string()]),
            ]
        );
        assert_eq!(p[1].binds.concat()[6], SqlValue::Int(Some(2)));
    }

    #[test]
    fn writes_to_one_row_keep_their_order_and_other_rows_fold_around_them() {
        let k = DbKind::Postgres;
        let s = [
            THING.insert_stmt(k, &inv("a", 1)),
            THING.update_stmt(k, &inv("a", 2)),
            THING.insert_stmt(k, &inv("b", 1)),
            THING.update_stmt(k, &inv("c", 5)),
            THING.delete_stmt(k, "uuid", "a"),
        ];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = shown(&plan(k, &refs));
        let order: Vec<(&str, Vec<String>)> = p.iter().map(|(sql, rows)| (&sql[..6], rows.clone())).collect();
        assert_eq!(
            order,
            vec![
                ("INSERT", vec!["a".to_string(), "b".to_string()]),
                ("UPDATE", vec!["a".to_string(), "c".to_string()]),
                ("DELETE", vec!["a".to_string()]),
            ]
        );
        assert_eq!(
            p[1].0,
            "UPDATE thing SET owner_uuid = v.owner_uuid, size = v.size, inv = v.inv FROM (VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)) AS v(owner_uuid, size, inv, uuid) WHERE thing.uuid = v.uuid"
        );
    }

    #[test]
    fn a_later_update_of_a_row_replaces_an_earlier_one_unless_a_delete_by_another_column_came_between() {
        let k = DbKind::Postgres;
        let s = [THING.update_stmt(k, &inv("a", 1)), THING.update_stmt(k, &inv("a", 2)), THING.update_stmt(k, &inv("a", 3))];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = plan(k, &refs);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].binds[0][1], SqlValue::Int(Some(3)), "the last update wins");

        let s = [THING.update_stmt(k, &inv("a", 1)), THING.delete_stmt(k, "ownerUuid", "o"), THING.update_stmt(k, &inv("a", 2))];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = shown(&plan(k, &refs));
        let kinds: Vec<&str> = p.iter().map(|(sql, _)| &sql[..6]).collect();
        assert_eq!(kinds, ["UPDATE", "DELETE", "UPDATE"]);
    }

    #[test]
    fn a_delete_by_another_column_stays_between_the_writes_of_its_table_around_it() {
        let k = DbKind::Mysql;
        let s = [
            THING.insert_stmt(k, &inv("a", 1)),
            OTHER.insert_stmt(k, &json!({"uuid": "x"}).as_object().cloned().unwrap()),
            THING.delete_stmt(k, "ownerUuid", "o"),
            THING.insert_stmt(k, &inv("b", 1)),
            THING.delete_stmt(k, "ownerUuid", "p"),
            OTHER.insert_stmt(k, &json!({"uuid": "y"}).as_object().cloned().unwrap()),
        ];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = shown(&plan(k, &refs));
        assert_eq!(
            p,
            vec![
                ("INSERT INTO other (uuid, inv) VALUES (?, ?), (?, ?)".to_string(), vec!["x".to_string(), "y".to_string()]),
                ("INSERT INTO thing (uuid, owner_uuid, size, inv) VALUES (?, ?, ?, ?)".to_string(), vec!["a".to_string()]),
                ("DELETE FROM thing WHERE owner_uuid = ?".to_string(), vec!["o".to_string()]),
                ("INSERT INTO thing (uuid, owner_uuid, size, inv) VALUES (?, ?, ?, ?)".to_string(), vec!["b".to_string()]),
                // Not folded with the first delete: it may match the row inserted between them.
                ("DELETE FROM thing WHERE owner_uuid = ?".to_string(), vec!["p".to_string()]),
            ]
        );
    }

    #[test]
    fn mariadb_runs_updates_one_by_one_and_sqlite_runs_everything_as_queued() {
        let s = [THING.update_stmt(DbKind::Mysql, &inv("a", 1)), THING.update_stmt(DbKind::Mysql, &inv("b", 1))];
        let refs: Vec<&Stmt> = s.iter().collect();
        assert_eq!(plan(DbKind::Mysql, &refs).len(), 2);
        let s = [THING.insert_stmt(DbKind::Sqlite, &inv("a", 1)), THING.insert_stmt(DbKind::Sqlite, &inv("b", 1))];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = plan(DbKind::Sqlite, &refs);
        assert_eq!(p.iter().map(|p| p.sql.as_ref()).collect::<Vec<_>>(), [s[0].sql.as_str(), s[1].sql.as_str()]);
    }

    #[test]
    fn a_statement_of_unknown_shape_runs_after_everything_before_it_and_before_everything_after() {
        let k = DbKind::Postgres;
        let mut opaque = crate::SqlBuilder::new(k);
        opaque.push("UPDATE thing SET size = size + 1");
        let s = [THING.insert_stmt(k, &inv("a", 1)), opaque.build(), THING.insert_stmt(k, &inv("b", 1)), OTHER.insert_stmt(k, &json!({"uuid": "x"}).as_object().cloned().unwrap())];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = shown(&plan(k, &refs));
        let sqls: Vec<&str> = p.iter().map(|(sql, _)| &sql[..18]).collect();
        assert_eq!(sqls, ["INSERT INTO thing ", "UPDATE thing SET s", "INSERT INTO other ", "INSERT INTO thing "]);
    }

    #[test]
    fn long_runs_are_split_below_the_placeholder_limit() {
        let k = DbKind::Postgres;
        let s: Vec<Stmt> = (0..2500).map(|i| THING.insert_stmt(k, &inv(&format!("u{i}"), i))).collect();
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = plan(k, &refs);
        assert_eq!(p.iter().map(|p| p.binds.len()).collect::<Vec<_>>(), [1000, 1000, 500]);
        assert!(p.iter().all(|p| p.sql.ends_with("$3997, $3998, $3999, $4000)") || p.sql.ends_with("$1997, $1998, $1999, $2000)")));
    }

    #[test]
    fn deletes_by_one_column_fold_into_an_in_list() {
        let k = DbKind::Postgres;
        let s = [THING.delete_stmt(k, "ownerUuid", "o"), OTHER.delete_stmt(k, "uuid", "x"), THING.delete_stmt(k, "ownerUuid", "p")];
        let refs: Vec<&Stmt> = s.iter().collect();
        let p = shown(&plan(k, &refs));
        assert_eq!(
            p,
            vec![
                ("DELETE FROM other WHERE uuid = $1".to_string(), vec!["x".to_string()]),
                ("DELETE FROM thing WHERE owner_uuid IN ($1, $2)".to_string(), vec!["o".to_string(), "p".to_string()]),
            ]
        );
    }
}
