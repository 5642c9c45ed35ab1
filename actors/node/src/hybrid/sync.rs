//! The reconciler every `SyncXxxFromRemote` uses: given what Alibaba Cloud
//! reports for one scope (a DataCenter's VPCs, a VPC's security groups, ...)
//! and the local records of that scope, insert what appeared, update what
//! changed, delete (locally, with what is below) what vanished, and write
//! nothing for what is unchanged. New records are inserted in batches;
//! changes and removals go through each record's actor, so a live actor never
//! holds a stale inventory.

use super::cascade::delete_local;
use crate::app::App;
use crate::resources::{mutate, new_inv, Dir, Kind};
use crate::store::{str_of, Inventory};
use serde_json::{Map, Value};
use std::collections::HashMap;
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::ApiResult;

/// Inserts per database write.
const INSERT_BATCH: usize = 1000;

#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// The records of the scope after the sync, in the order Alibaba listed them.
    pub inventories: Vec<Inventory>,
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
}

impl Outcome {
    /// Records written (inserted, updated or deleted).
    pub fn changes(&self) -> usize {
        self.inserted + self.updated + self.deleted
    }

    /// Add another sync's counts (not its inventories).
    pub fn count(&mut self, other: &Outcome) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.deleted += other.deleted;
    }
}

/// Whether a field of `remote` has another value locally.
pub(super) fn changed(local: &Inventory, remote: &Map<String, Value>) -> bool {
    remote.iter().any(|(k, v)| !v.is_null() && local.get(k) != Some(v))
}

/// Reconcile one scope. `remote` items carry every field they own (nulls are
/// ignored) including `id_field`, Alibaba's id; `local` are the scope's rows.
pub async fn reconcile<K: Kind>(app: &App, dir: &Dir<K>, kind: &'static str, id_field: &str, local: Vec<Inventory>, remote: Vec<Map<String, Value>>) -> ApiResult<Outcome> {
    let mut by_id: HashMap<String, Inventory> =
        local.into_iter().filter_map(|l| str_of(&l, id_field).map(String::from).map(|id| (id, l))).collect();
    let mut out = Outcome::default();
    let mut inserts = Vec::new();
    for fields in remote {
        let id = str_of(&fields, id_field).unwrap_or_default().to_string();
        match by_id.remove(&id) {
            None => {
                let mut v = fields;
                v.insert("uuid".into(), Value::String(crate::api::new_uuid()));
                let inv = new_inv(Value::Object(v));
                inserts.push(app.store.insert_stmt(K::SPEC, &inv));
                out.inventories.push(inv);
                out.inserted += 1;
            }
            Some(l) if changed(&l, &fields) => {
                let uuid = str_of(&l, "uuid").unwrap_or_default().to_string();
                let inv = mutate(app, dir, &uuid, move |s| {
                    for (k, v) in fields {
                        if !v.is_null() {
                            s.inv.insert(k, v);
                        }
                    }
                    s.inv.insert("lastOpDate".into(), serde_json::json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                    Ok(s.inv.clone())
                })
                .await?;
                out.inventories.push(inv);
                out.updated += 1;
            }
            Some(l) => out.inventories.push(l),
        }
        if inserts.len() >= INSERT_BATCH {
            app.store.db.write(std::mem::take(&mut inserts)).await?;
        }
    }
    app.store.db.write(inserts).await?;
    for (_, gone) in by_id {
        delete_local(app, Node::new(kind, str_of(&gone, "uuid").unwrap_or_default()), DeleteMode::Permissive).await?;
        out.deleted += 1;
    }
    Ok(out)
}

/// A JSON object from pairs, for the remote side of a reconcile.
#[macro_export]
macro_rules! remote_fields {
    ($($k:literal : $v:expr),* $(,)?) => {{
        let mut m = serde_json::Map::new();
        $(m.insert($k.to_string(), serde_json::json!($v));)*
        m
    }};
}
