//! The datastore: inventories in and out of the database. Methods are named
//! resource-first (`inv_insert`, `inv_get`, `tag_list`); statements are built
//! here and committed by the database's group-commit writer.

use crate::tables::{self, catalog};
use serde_json::{Map, Value};
use zstack_db::query::{self, Condition, JoinForm, Op, QueryOptions};
use zstack_db::spec::snake;
use zstack_db::{Database, DbKind, SqlBuilder, SqlValue, Stmt, TableSpec};
use zstack_kit::{ApiError, ApiResult};

pub type Inventory = Map<String, Value>;

#[derive(Clone)]
pub struct Store {
    pub db: Database,
}

impl Store {
    pub fn new(db: Database) -> Self {
        Store { db }
    }

    pub fn kind(&self) -> DbKind {
        self.db.kind()
    }

    fn builder(&self) -> SqlBuilder {
        SqlBuilder::new(self.db.kind())
    }

    pub fn insert_stmt(&self, spec: &'static TableSpec, inv: &Inventory) -> Stmt {
        spec.insert_stmt(self.kind(), inv)
    }

    /// Rewrite every column and the stored inventory of the row with the inventory's uuid.
    pub fn update_stmt(&self, spec: &'static TableSpec, inv: &Inventory) -> Stmt {
        spec.update_stmt(self.kind(), inv)
    }

    pub fn delete_stmt(&self, spec: &'static TableSpec, field: &str, value: &str) -> Stmt {
        spec.delete_stmt(self.kind(), field, value)
    }

    pub async fn inv_insert(&self, spec: &'static TableSpec, inv: &Inventory) -> ApiResult<()> {
        self.db.write(vec![self.insert_stmt(spec, inv)]).await
    }

    pub async fn inv_update(&self, spec: &'static TableSpec, inv: &Inventory) -> ApiResult<()> {
        self.db.write(vec![self.update_stmt(spec, inv)]).await
    }

    pub async fn inv_delete(&self, spec: &'static TableSpec, uuid: &str) -> ApiResult<()> {
        self.db.write(vec![self.delete_stmt(spec, "uuid", uuid)]).await
    }

    /// For each condition, how to write its join (a bounded count of matches decides).
    async fn join_forms(&self, spec: &'static TableSpec, conds: &[Condition]) -> ApiResult<Vec<JoinForm>> {
        let mut forms = Vec::with_capacity(conds.len());
        for c in conds {
            forms.push(match JoinForm::probe(catalog(), self.kind(), spec, c)? {
                Some(probe) => JoinForm::for_matches(self.db.count(probe).await?),
                None => JoinForm::default(),
            });
        }
        Ok(forms)
    }

    /// Inventories matching the conditions.
    pub async fn inv_query(&self, spec: &'static TableSpec, conds: &[Condition], opts: &QueryOptions) -> ApiResult<Vec<Inventory>> {
        let forms = self.join_forms(spec, conds).await?;
        let stmt = query::select_inventories(catalog(), self.kind(), spec, conds, &forms, opts)?;
        let rows = self.db.texts(stmt).await?;
        rows.into_iter()
            .map(|r| match serde_json::from_str::<Value>(&r) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(ApiError::internal(format!("a stored {} inventory is not a JSON object", spec.vo))),
            })
            .collect()
    }

    pub async fn inv_count(&self, spec: &'static TableSpec, conds: &[Condition]) -> ApiResult<i64> {
        let forms = self.join_forms(spec, conds).await?;
        self.db.count(query::count(catalog(), self.kind(), spec, conds, &forms)?).await
    }

    pub async fn inv_find(&self, spec: &'static TableSpec, field: &str, value: &str) -> ApiResult<Vec<Inventory>> {
        let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
        self.inv_query(spec, &[eq(field, value)], &opts).await
    }

    pub async fn inv_get(&self, spec: &'static TableSpec, uuid: &str) -> ApiResult<Option<Inventory>> {
        Ok(self.inv_find(spec, "uuid", uuid).await?.into_iter().next())
    }

    /// The inventory, or ZStack's "resource does not exist" error.
    pub async fn inv_must(&self, spec: &'static TableSpec, uuid: &str) -> ApiResult<Inventory> {
        self.inv_get(spec, uuid).await?.ok_or_else(|| ApiError::not_found(spec.vo, uuid))
    }

    pub async fn inv_exists(&self, spec: &'static TableSpec, uuid: &str) -> ApiResult<bool> {
        Ok(self.inv_count(spec, &[eq("uuid", uuid)]).await? > 0)
    }

    /// Values of one column for rows matching `field IN (values)`.
    pub async fn column_where_in(&self, spec: &TableSpec, column: &str, field: &str, values: &[String]) -> ApiResult<Vec<String>> {
        if values.is_empty() {
            return Ok(vec![]);
        }
        let mut b = self.builder();
        b.push("SELECT ").push(&snake(column)).push(" AS v FROM ").push(spec.table).push(" WHERE ");
        push_any_of(&mut b, &snake(field), values);
        b.push(" AND ").push(&snake(column)).push(" IS NOT NULL");
        self.db.texts(b.build()).await
    }

    /// Stored inventories whose `field` is any of `values`, in batches (never one query per row).
    pub async fn inv_where_in(&self, spec: &'static TableSpec, field: &'static str, values: &[String]) -> ApiResult<Vec<Inventory>> {
        Ok(self.inv_where_in_many(&[(spec, field)], values).await?.pop().unwrap_or_default())
    }

    /// Rows of several tables whose `field` is any of `values`, in one round
    /// trip per 500 values (a `UNION ALL`); one list per part, in order.
    pub async fn inv_where_in_many(&self, parts: &[(&'static TableSpec, &'static str)], values: &[String]) -> ApiResult<Vec<Vec<Inventory>>> {
        let mut out: Vec<Vec<Inventory>> = vec![Vec::new(); parts.len()];
        for chunk in values.chunks(500) {
            let mut b = self.builder();
            for (i, (spec, field)) in parts.iter().enumerate() {
                if i > 0 {
                    b.push(" UNION ALL ");
                }
                b.push(&format!("SELECT '{i}' AS k, inv AS v FROM {} WHERE ", spec.table));
                push_any_of(&mut b, &snake(field), chunk);
            }
            for (k, v) in self.db.pairs(b.build()).await? {
                let part: usize = k.parse().map_err(|_| ApiError::internal("a UNION part without its index"))?;
                match serde_json::from_str::<Value>(&v) {
                    Ok(Value::Object(m)) => out[part].push(m),
                    _ => return Err(ApiError::internal(format!("a stored {} inventory is not a JSON object", parts[part].0.vo))),
                }
            }
        }
        Ok(out)
    }

    /// Which resource table holds each of `uuids` (one query per table for
    /// all of them); uuids no table holds are left out.
    pub async fn tables_holding(&self, uuids: &[String]) -> ApiResult<std::collections::HashMap<String, &'static TableSpec>> {
        let mut found = std::collections::HashMap::new();
        let mut remaining: Vec<String> = uuids.to_vec();
        for spec in tables::all().filter(|t| t.column("uuid").is_some()) {
            if remaining.is_empty() {
                break;
            }
            for u in self.column_where_in(spec, "uuid", "uuid", &remaining).await? {
                found.insert(u, spec);
            }
            remaining.retain(|u| !found.contains_key(u));
        }
        Ok(found)
    }

    /// The row of a reference table linking `a` (in `a_field`) to `b` (in `b_field`).
    pub async fn ref_find(&self, spec: &'static TableSpec, a_field: &str, a: &str, b_field: &str, b: &str) -> ApiResult<Option<Inventory>> {
        Ok(self.inv_find(spec, a_field, a).await?.into_iter().find(|r| str_of(r, b_field) == Some(b)))
    }

    pub async fn tags_of(&self, resource_uuid: &str) -> ApiResult<Vec<String>> {
        let rows = self.inv_find(&tables::SYSTEM_TAG, "resourceUuid", resource_uuid).await?;
        Ok(rows.into_iter().filter_map(|r| r.get("tag").and_then(|t| t.as_str()).map(String::from)).collect())
    }
}

/// `column = ?` for one value (a statement shape the connection keeps
/// prepared), `column IN (?, ...)` for several.
fn push_any_of(b: &mut zstack_db::SqlBuilder, column: &str, values: &[String]) {
    if let [one] = values {
        b.push(column).push(" = ");
        b.bind(SqlValue::Text(Some(one.clone())));
        return;
    }
    b.push(column).push(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(SqlValue::Text(Some(v.clone())));
    }
    b.push(")");
}

pub fn eq(field: &str, value: &str) -> Condition {
    Condition { name: field.to_string(), op: Op::Eq, value: Some(value.to_string()) }
}

pub fn str_of<'a>(inv: &'a Inventory, field: &str) -> Option<&'a str> {
    inv.get(field).and_then(|v| v.as_str())
}

pub fn i64_of(inv: &Inventory, field: &str) -> i64 {
    inv.get(field).and_then(|v| v.as_i64()).unwrap_or(0)
}
