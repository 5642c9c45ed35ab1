//! Zones, clusters, simulator hosts, primary and backup storage (simulator
//! types), offerings, images, global configs, tags, sessions and the query
//! APIs of every resource.

use super::{apply_update, mutate, new_inv, next_enable_state, read, Kind};
use super::{ClusterK, ZoneK};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::store::{eq, i64_of, str_of, Inventory};
use crate::kvm::image_store;
use crate::tables;
use serde_json::{json, Map, Value};
use zstack_db::query::{Condition, QueryOptions};
use zstack_db::TableSpec;
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::{ApiError, ApiResult};

fn inv_reply(inv: Inventory) -> ApiResult<Reply> {
    Ok(Reply::Inventory(Value::Object(inv)))
}

// ---------- queries ----------

/// Every `APIQueryXxxMsg`: conditions, paging, count, sort and fields.
pub async fn query(app: App, req: Req, spec: &'static TableSpec) -> ApiResult<Reply> {
    let mut conds = req.query.conditions.clone();
    if let Some(uuid) = req.str("uuid") {
        conds.push(eq("uuid", uuid));
    }
    let total = if req.query.count || req.query.reply_with_count { Some(app.store.inv_count(spec, &conds).await?) } else { None };
    if req.query.count {
        return Ok(Reply::Count(total.unwrap_or(0)));
    }
    let mut items = app.store.inv_query(spec, &conds, &req.query.options).await?;
    enrich(&app, spec, &mut items).await?;
    if !req.query.fields.is_empty() {
        for i in items.iter_mut() {
            i.retain(|k, _| req.query.fields.iter().any(|f| f == k));
        }
    }
    Ok(Reply::Inventories { items: items.into_iter().map(Value::Object).collect(), total, class: spec.inventory_class })
}

fn uuids(items: &[Inventory]) -> Vec<String> {
    items.iter().filter_map(|i| str_of(i, "uuid").map(String::from)).collect()
}

fn group(rows: Vec<Inventory>, by: &str) -> std::collections::HashMap<String, Vec<Inventory>> {
    let mut m: std::collections::HashMap<String, Vec<Inventory>> = std::collections::HashMap::new();
    for r in rows {
        if let Some(k) = str_of(&r, by) {
            m.entry(k.to_string()).or_default().push(r);
        }
    }
    m
}

/// A list an inventory carries, joined from another table.
struct Collection {
    field: &'static str,
    spec: &'static TableSpec,
    /// The column of `spec` holding the parent's uuid.
    by: &'static str,
    /// Keep only this field of each row (`dns`, `attachedClusterUuids`).
    pick: Option<&'static str>,
    /// Reference rows ZStack shows without their (hidden) id.
    drop_uuid: bool,
}

macro_rules! coll {
    ($field:literal, $spec:path, $by:literal) => {
        Collection { field: $field, spec: &$spec, by: $by, pick: None, drop_uuid: false }
    };
    ($field:literal, $spec:path, $by:literal, pick $pick:literal) => {
        Collection { field: $field, spec: &$spec, by: $by, pick: Some($pick), drop_uuid: false }
    };
    ($field:literal, $spec:path, $by:literal, hide uuid) => {
        Collection { field: $field, spec: &$spec, by: $by, pick: None, drop_uuid: true }
    };
}

static VM_COLLECTIONS: [Collection; 3] = [
    coll!("vmNics", tables::VM_NIC, "vmInstanceUuid"),
    coll!("allVolumes", tables::VOLUME, "vmInstanceUuid"),
    coll!("vmCdRoms", tables::VM_CDROM, "vmInstanceUuid"),
];
static L3_COLLECTIONS: [Collection; 4] = [
    coll!("ipRanges", tables::IP_RANGE, "l3NetworkUuid"),
    coll!("dns", tables::L3_DNS, "l3NetworkUuid", pick "dns"),
    coll!("networkServices", tables::NETWORK_SERVICE_REF, "l3NetworkUuid", hide uuid),
    coll!("hostRoute", tables::L3_HOST_ROUTE, "l3NetworkUuid", hide uuid),
];
static L2_COLLECTIONS: [Collection; 3] = [
    coll!("attachedClusterUuids", tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", pick "clusterUuid"),
    // Only a VXLAN pool shows these two (dropped from other L2 types below).
    coll!("attachedVniRanges", tables::VNI_RANGE, "l2NetworkUuid"),
    coll!("attachedVxlanNetworkRefs", tables::L2_NETWORK, "poolUuid"),
];
static PS_COLLECTIONS: [Collection; 1] = [coll!("attachedClusterUuids", tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", pick "clusterUuid")];
static BS_COLLECTIONS: [Collection; 1] = [coll!("attachedZoneUuids", tables::BACKUP_STORAGE_ZONE_REF, "backupStorageUuid", pick "zoneUuid")];
static SNAPSHOT_GROUP_COLLECTIONS: [Collection; 1] = [coll!("volumeSnapshotRefs", tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotGroupUuid", hide uuid)];
static IMAGE_COLLECTIONS: [Collection; 1] = [coll!("backupStorageRefs", tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", hide uuid)];

fn collections(table: &str) -> &'static [Collection] {
    match table {
        "vm_instance" => &VM_COLLECTIONS,
        "l3_network" => &L3_COLLECTIONS,
        "l2_network" => &L2_COLLECTIONS,
        "primary_storage" => &PS_COLLECTIONS,
        "backup_storage" => &BS_COLLECTIONS,
        "image" => &IMAGE_COLLECTIONS,
        "volume_snapshot_group" => &SNAPSHOT_GROUP_COLLECTIONS,
        _ => &[],
    }
}

/// Joined collections of inventories, all loaded in one round trip.
pub async fn enrich(app: &App, spec: &'static TableSpec, items: &mut [Inventory]) -> ApiResult<()> {
    let colls = collections(spec.table);
    if items.is_empty() || colls.is_empty() {
        return Ok(());
    }
    let ids = uuids(items);
    let parts: Vec<(&'static TableSpec, &'static str)> = colls.iter().map(|c| (c.spec, c.by)).collect();
    let lists = app.store.inv_where_in_many(&parts, &ids).await?;
    for (c, rows) in colls.iter().zip(lists) {
        let mut grouped = group(rows, c.by);
        for i in items.iter_mut() {
            let list = grouped.remove(str_of(i, "uuid").unwrap_or_default()).unwrap_or_default();
            let values: Vec<Value> = match c.pick {
                Some(p) => list.into_iter().filter_map(|r| r.get(p).cloned()).collect(),
                None => list
                    .into_iter()
                    .map(|mut r| {
                        if c.drop_uuid {
                            r.remove("uuid");
                        }
                        Value::Object(r)
                    })
                    .collect(),
            };
            i.insert(c.field.to_string(), Value::Array(values));
        }
    }
    if spec.table == tables::L2_NETWORK.table {
        for i in items.iter_mut() {
            if str_of(i, "type") == Some(super::vxlan::POOL_TYPE) {
                i.insert("attachedVtepRefs".into(), json!([]));
                i.insert("remoteVteps".into(), json!([]));
                i.insert("attachedCidrs".into(), json!({}));
            } else {
                i.remove("attachedVniRanges");
                i.remove("attachedVxlanNetworkRefs");
            }
        }
    }
    Ok(())
}

/// The inventory as a query would return it (collections included).
pub async fn full_inventory(app: &App, spec: &'static TableSpec, uuid: &str) -> ApiResult<Inventory> {
    let mut items = app.store.inv_find(spec, "uuid", uuid).await?;
    if items.is_empty() {
        return Err(ApiError::not_found(spec.vo, uuid));
    }
    enrich(app, spec, &mut items).await?;
    Ok(items.remove(0))
}

// ---------- session ----------

pub async fn login(app: App, req: Req) -> ApiResult<Reply> {
    let account = req.must("accountName")?;
    let password = req.must("password")?;
    inv_reply(app.identity.login(&account, &password).await?)
}

pub async fn logout(app: App, req: Req) -> ApiResult<Reply> {
    app.identity.logout(&req.must("sessionUuid")?).await?;
    Ok(Reply::Empty)
}

pub async fn validate_session(app: App, req: Req) -> ApiResult<Reply> {
    let valid = app.identity.session_valid(&req.must("sessionUuid")?).await;
    let mut m = Map::new();
    m.insert("valid".into(), json!(valid));
    Ok(Reply::Fields(m))
}

pub async fn get_version(_app: App, _req: Req) -> ApiResult<Reply> {
    let mut m = Map::new();
    m.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    Ok(Reply::Fields(m))
}

// ---------- zone ----------

pub async fn zone_create(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "state": "Enabled",
        "type": "zstack", "isDefault": req.bool("isDefault").unwrap_or(false)}));
    app.store.inv_insert(&tables::ZONE, &inv).await?;
    crate::resources::compute::tags_create(&app, &uuid, "ZoneVO", &req).await?;
    inv_reply(inv)
}

/// `updateXxx` and `changeXxxState` for resources whose actor is a plain `Res<K>`.
pub async fn update<K: Kind>(app: &App, dir: &super::Dir<K>, req: &Req, extras: &'static [&'static str]) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let params = req.params.clone();
    inv_reply(mutate(app, dir, &uuid, move |s| {
        apply_update(&mut s.inv, &params, extras);
        Ok(s.inv.clone())
    })
    .await?)
}

pub async fn change_state<K: Kind>(app: &App, dir: &super::Dir<K>, req: &Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let next = next_enable_state(K::SPEC.vo, &uuid, &req.must("stateEvent")?)?;
    inv_reply(mutate(app, dir, &uuid, move |s| {
        s.set("state", json!(next));
        Ok(s.inv.clone())
    })
    .await?)
}

pub async fn zone_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().zone, &req, &[]).await
}
pub async fn zone_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().zone, &req).await
}

/// Every `DeleteXxx`: the cascade below the resource, then the resource itself.
pub async fn delete(app: App, req: Req, kind: &'static str) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mode = DeleteMode::parse(req.str("deleteMode"))?;
    crate::resources::cascade::delete_resource(&app, Node::new(kind, uuid), mode).await?;
    Ok(Reply::Empty)
}

// ---------- cluster ----------

pub async fn cluster_create(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let hv = req.must("hypervisorType")?;
    if !matches!(hv.as_str(), "Simulator" | "KVM") {
        return Err(ApiError::invalid_argument(format!("hypervisorType[{hv}] is not supported; use Simulator or KVM")));
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "state": "Enabled",
        "hypervisorType": hv, "zoneUuid": zone, "type": req.str("type").unwrap_or("zstack"), "architecture": req.str("architecture").unwrap_or("x86_64")}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::CLUSTER, inv.clone()).await?;
    inv_reply(inv)
}

/// Insert a child row on its parent's actor: a parent being deleted finishes
/// its deletion first, and the child is then refused, never orphaned.
pub async fn create_under<P: Kind>(app: &App, parent_dir: &super::Dir<P>, parent: &str, spec: &'static TableSpec, inv: Inventory) -> ApiResult<()> {
    app.dirs().refuse_if_deleting(&[parent])?;
    let store = app.store.clone();
    let stmt = store.insert_stmt(spec, &inv);
    let parent_kind = P::SPEC.vo;
    let p = parent.to_string();
    let deleting_check = app.clone();
    parent_dir
        .ask(parent, move |cell: zstack_kit::actor::Cell<super::Res<P>>| {
            Box::pin(async move {
                if cell.borrow().gone {
                    return Err(ApiError::not_found(parent_kind, &p));
                }
                deleting_check.dirs().refuse_if_deleting(&[&p])?;
                store.db.write(vec![stmt]).await?;
                deleting_check.dirs().placement.topology_changed();
                Ok(())
            })
        })
        .await
}

pub async fn cluster_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().cluster, &req, &[]).await
}
pub async fn cluster_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().cluster, &req).await
}

// ---------- hosts ----------

pub async fn host_add_simulator(app: App, req: Req) -> ApiResult<Reply> {
    let cluster_uuid = req.must("clusterUuid")?;
    let cluster = app.store.inv_must(&tables::CLUSTER, &cluster_uuid).await?;
    if str_of(&cluster, "hypervisorType") != Some("Simulator") {
        return Err(ApiError::invalid_argument(format!("cluster[uuid:{cluster_uuid}] is not a Simulator cluster")));
    }
    let cpu = req.int("cpuCapacity").unwrap_or(0);
    let memory = req.int("memoryCapacity").unwrap_or(0);
    if cpu <= 0 || memory <= 0 {
        return Err(ApiError::invalid_argument("cpuCapacity and memoryCapacity must be positive"));
    }
    let ip = req.must("managementIp")?;
    if !app.store.inv_find(&tables::HOST, "managementIp", &ip).await?.is_empty() {
        return Err(ApiError::invalid_argument(format!("there has been a host having managementIp[{ip}]")));
    }
    let uuid = req.resource_uuid()?;
    let ratio: i64 = app.configs.get(crate::config::CPU_OVERPROVISIONING).parse().unwrap_or(10);
    let mem_ratio = app.configs.get_f64(crate::config::MEMORY_OVERPROVISIONING);
    let total_mem = (memory as f64 * mem_ratio) as i64;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "zoneUuid": str_of(&cluster, "zoneUuid"),
        "clusterUuid": cluster_uuid, "managementIp": ip, "hypervisorType": "Simulator", "state": "Enabled", "status": "Connected",
        "totalCpuCapacity": cpu * ratio, "availableCpuCapacity": cpu * ratio, "cpuSockets": 1, "cpuNum": cpu,
        "totalMemoryCapacity": total_mem, "availableMemoryCapacity": total_mem, "architecture": str_of(&cluster, "architecture")}));
    app.sim.host_connect(&uuid, cpu, memory).await?;
    if let Err(e) = create_under::<ClusterK>(&app, &app.dirs().cluster, &cluster_uuid, &tables::HOST, inv.clone()).await {
        let _ = app.sim.host_remove(&uuid).await;
        return Err(e);
    }
    inv_reply(inv)
}

pub async fn host_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().host, &req, &["managementIp"]).await
}

/// enable / disable / maintain. Maintenance stops the host's VMs first (ZStack
/// migrates them when it can; a simulator cluster has no shared storage).
pub async fn host_change_state(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let event = req.must("stateEvent")?;
    let next = match event.as_str() {
        "enable" => "Enabled",
        "disable" => "Disabled",
        "maintain" | "preMaintain" => "Maintenance",
        other => return Err(ApiError::invalid_argument(format!("stateEvent[{other}] is not valid for a host; use enable, disable or maintain"))),
    };
    if next == "Maintenance" {
        mutate(&app, &app.dirs().host, &uuid, |s| {
            s.set("state", json!("PreMaintenance"));
            Ok(())
        })
        .await?;
        let vms = app.store.inv_find(&tables::VM_INSTANCE, "hostUuid", &uuid).await?;
        for vm in vms {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            crate::resources::vm::vm_stop_for(&app, &vm_uuid).await?;
        }
    }
    inv_reply(mutate(&app, &app.dirs().host, &uuid, move |s| {
        s.set("state", json!(next));
        Ok(s.inv.clone())
    })
    .await?)
}

/// `ShutdownHost`: its VMs are stopped, then the host is powered off
/// (Disconnected until reconnected).
pub async fn host_shutdown(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    read(&app.dirs().host, &uuid).await?;
    for vm in app.store.inv_find(&tables::VM_INSTANCE, "hostUuid", &uuid).await? {
        crate::resources::vm::vm_stop_for(&app, str_of(&vm, "uuid").unwrap_or_default()).await?;
    }
    app.sim.host_remove(&uuid).await?;
    mutate(&app, &app.dirs().host, &uuid, |s| {
        s.set("status", json!("Disconnected"));
        Ok(())
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn host_reconnect(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    if app.kvm.is_kvm(&uuid) {
        return inv_reply(crate::kvm::host::reconnect(&app, &uuid).await?);
    }
    let inv = read(&app.dirs().host, &uuid).await?;
    app.sim.host_connect(&uuid, i64_of(&inv, "cpuNum"), i64_of(&inv, "totalMemoryCapacity")).await?;
    inv_reply(mutate(&app, &app.dirs().host, &uuid, |s| {
        s.set("status", json!("Connected"));
        Ok(s.inv.clone())
    })
    .await?)
}

/// `GetCpuMemoryCapacity`: sums over the selected hosts (all with `all=true`).
pub async fn cpu_memory_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let mut conds: Vec<Condition> = Vec::new();
    let list = |name: &str, field: &str, conds: &mut Vec<Condition>| {
        let v = req.list(name);
        if !v.is_empty() {
            conds.push(Condition { name: field.into(), op: zstack_db::query::Op::In, value: Some(v.join(",")) });
        }
    };
    list("zoneUuids", "zoneUuid", &mut conds);
    list("clusterUuids", "clusterUuid", &mut conds);
    list("hostUuids", "uuid", &mut conds);
    if let Some(hv) = req.str("hypervisorType") {
        conds.push(eq("hypervisorType", hv));
    }
    if conds.is_empty() && !req.bool("all").unwrap_or(false) {
        return Err(ApiError::invalid_argument("give zoneUuids, clusterUuids, hostUuids or all=true"));
    }
    let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
    let hosts = app.store.inv_query(&tables::HOST, &conds, &opts).await?;
    let sum = |f: &str| hosts.iter().map(|h| i64_of(h, f)).sum::<i64>();
    let mut m = Map::new();
    m.insert("totalCpu".into(), json!(sum("totalCpuCapacity")));
    m.insert("availableCpu".into(), json!(sum("availableCpuCapacity")));
    m.insert("totalMemory".into(), json!(sum("totalMemoryCapacity")));
    m.insert("availableMemory".into(), json!(sum("availableMemoryCapacity")));
    m.insert("managedCpuNum".into(), json!(sum("cpuNum")));
    m.insert("success".into(), json!(true));
    Ok(Reply::Fields(m))
}

pub async fn hypervisor_types(_app: App, _req: Req) -> ApiResult<Reply> {
    let mut m = Map::new();
    m.insert("hypervisorTypes".into(), json!(["Simulator", "KVM"]));
    Ok(Reply::Fields(m))
}

// ---------- primary storage ----------

pub async fn primary_storage_add_simulator(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let total = req.int("totalCapacity").unwrap_or(0);
    if total <= 0 {
        return Err(ApiError::invalid_argument("totalCapacity must be positive"));
    }
    let available = req.int("availableCapacity").unwrap_or(total);
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "zoneUuid": zone, "name": req.must("name")?, "url": req.must("url")?, "description": req.str("description"),
        "totalCapacity": total, "availableCapacity": available, "totalPhysicalCapacity": req.int("totalPhysicalCapacity").unwrap_or(total),
        "availablePhysicalCapacity": req.int("availablePhysicalCapacity").unwrap_or(available), "systemUsedCapacity": total - available,
        "type": "SimulatorPrimaryStorage", "state": "Enabled", "status": "Connected", "mountPath": req.str("url")}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::PRIMARY_STORAGE, inv.clone()).await?;
    inv_reply(full_inventory(&app, &tables::PRIMARY_STORAGE, &uuid).await?)
}

pub async fn primary_storage_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().primary_storage, &req, &["url"]).await
}
pub async fn primary_storage_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().primary_storage, &req).await
}

pub async fn primary_storage_attach_cluster(app: App, req: Req) -> ApiResult<Reply> {
    let cluster = req.must("clusterUuid")?;
    let ps = req.must("primaryStorageUuid")?;
    let c = app.store.inv_must(&tables::CLUSTER, &cluster).await?;
    let p = read(&app.dirs().primary_storage, &ps).await?;
    if str_of(&c, "zoneUuid") != str_of(&p, "zoneUuid") {
        return Err(ApiError::invalid_argument(format!("primary storage[uuid:{ps}] and cluster[uuid:{cluster}] are not in the same zone")));
    }
    let (hv, kind) = (str_of(&c, "hypervisorType").unwrap_or_default(), str_of(&p, "type").unwrap_or_default());
    let usable = super::storage_types::ps_types_for(hv);
    if !usable.contains(&kind) {
        return Err(ApiError::invalid_argument(format!("primary storage type {kind} cannot be used by {hv} cluster[uuid:{cluster}]; it can use {}", usable.join(", "))));
    }
    if app.store.ref_find(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", &ps, "clusterUuid", &cluster).await?.is_some() {
        return Err(ApiError::operation(format!("primary storage[uuid:{ps}] is already attached to cluster[uuid:{cluster}]")));
    }
    let r = new_inv(json!({"uuid": crate::api::new_uuid(), "primaryStorageUuid": ps, "clusterUuid": cluster}));
    create_under::<ClusterK>(&app, &app.dirs().cluster, &cluster, &tables::PRIMARY_STORAGE_CLUSTER_REF, r.clone()).await?;
    if let Err(e) = crate::kvm::local_storage::cluster_attached(&app, &ps, &cluster).await {
        app.store.inv_delete(&tables::PRIMARY_STORAGE_CLUSTER_REF, str_of(&r, "uuid").unwrap_or_default()).await?;
        return Err(e);
    }
    inv_reply(full_inventory(&app, &tables::PRIMARY_STORAGE, &ps).await?)
}

/// Detaching stops the VMs in that cluster whose volumes live on the storage
/// (ZStack's `primaryStorage.detach` cascade), then drops the reference.
pub async fn primary_storage_detach_cluster(app: App, req: Req) -> ApiResult<Reply> {
    let cluster = req.must("clusterUuid")?;
    let ps = req.must("primaryStorageUuid")?;
    let Some(r) = app.store.ref_find(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", &ps, "clusterUuid", &cluster).await? else {
        return Err(ApiError::invalid_argument(format!("primary storage[uuid:{ps}] is not attached to cluster[uuid:{cluster}]")));
    };
    let vms = app.store.inv_find(&tables::VM_INSTANCE, "clusterUuid", &cluster).await?;
    for vm in vms {
        let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        let vols = app.store.inv_find(&tables::VOLUME, "vmInstanceUuid", &vm_uuid).await?;
        if vols.iter().any(|v| str_of(v, "primaryStorageUuid") == Some(ps.as_str())) {
            crate::resources::vm::vm_stop_for(&app, &vm_uuid).await?;
        }
    }
    app.store.inv_delete(&tables::PRIMARY_STORAGE_CLUSTER_REF, str_of(&r, "uuid").unwrap_or_default()).await?;
    app.dirs().placement.topology_changed();
    inv_reply(full_inventory(&app, &tables::PRIMARY_STORAGE, &ps).await?)
}

// ---------- backup storage ----------

pub async fn backup_storage_add_simulator(app: App, req: Req) -> ApiResult<Reply> {
    let total = req.int("totalCapacity").unwrap_or(1 << 40);
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "url": req.must("url")?, "description": req.str("description"),
        "totalCapacity": total, "availableCapacity": req.int("availableCapacity").unwrap_or(total), "type": "SimulatorBackupStorage",
        "state": "Enabled", "status": "Connected"}));
    app.store.inv_insert(&tables::BACKUP_STORAGE, &inv).await?;
    inv_reply(full_inventory(&app, &tables::BACKUP_STORAGE, &uuid).await?)
}

pub async fn backup_storage_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().backup_storage, &req, &[]).await
}
pub async fn backup_storage_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().backup_storage, &req).await
}

pub async fn backup_storage_attach_zone(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let bs = req.must("backupStorageUuid")?;
    read(&app.dirs().backup_storage, &bs).await?;
    if app.store.ref_find(&tables::BACKUP_STORAGE_ZONE_REF, "backupStorageUuid", &bs, "zoneUuid", &zone).await?.is_some() {
        return Err(ApiError::operation(format!("backup storage[uuid:{bs}] is already attached to zone[uuid:{zone}]")));
    }
    let r = new_inv(json!({"uuid": crate::api::new_uuid(), "backupStorageUuid": bs, "zoneUuid": zone}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::BACKUP_STORAGE_ZONE_REF, r).await?;
    inv_reply(full_inventory(&app, &tables::BACKUP_STORAGE, &bs).await?)
}

pub async fn backup_storage_detach_zone(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let bs = req.must("backupStorageUuid")?;
    let Some(r) = app.store.ref_find(&tables::BACKUP_STORAGE_ZONE_REF, "backupStorageUuid", &bs, "zoneUuid", &zone).await? else {
        return Err(ApiError::invalid_argument(format!("backup storage[uuid:{bs}] is not attached to zone[uuid:{zone}]")));
    };
    app.store.inv_delete(&tables::BACKUP_STORAGE_ZONE_REF, str_of(&r, "uuid").unwrap_or_default()).await?;
    inv_reply(full_inventory(&app, &tables::BACKUP_STORAGE, &bs).await?)
}

// ---------- offerings ----------

pub async fn instance_offering_create(app: App, req: Req) -> ApiResult<Reply> {
    let cpu = req.int("cpuNum").unwrap_or(0);
    let memory = req.int("memorySize").unwrap_or(0);
    if cpu <= 0 || memory <= 0 {
        return Err(ApiError::invalid_argument("cpuNum and memorySize must be positive"));
    }
    let inv = new_inv(json!({"uuid": req.resource_uuid()?, "name": req.must("name")?, "description": req.str("description"), "cpuNum": cpu,
        "cpuSpeed": 0, "memorySize": memory, "reservedMemorySize": req.int("reservedMemorySize").unwrap_or(0), "type": req.str("type").unwrap_or("UserVm"),
        "allocatorStrategy": req.str("allocatorStrategy").unwrap_or("DefaultHostAllocatorStrategy"), "sortKey": req.int("sortKey").unwrap_or(0),
        "state": "Enabled"}));
    app.store.inv_insert(&tables::INSTANCE_OFFERING, &inv).await?;
    inv_reply(inv)
}

pub async fn instance_offering_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().instance_offering, &req, &[]).await
}
pub async fn instance_offering_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().instance_offering, &req).await
}

pub async fn disk_offering_create(app: App, req: Req) -> ApiResult<Reply> {
    let size = req.int("diskSize").unwrap_or(0);
    if size <= 0 {
        return Err(ApiError::invalid_argument("diskSize must be positive"));
    }
    let inv = new_inv(json!({"uuid": req.resource_uuid()?, "name": req.must("name")?, "description": req.str("description"), "diskSize": size,
        "sortKey": req.int("sortKey").unwrap_or(0), "state": "Enabled", "type": req.str("type").unwrap_or("zstack"),
        "allocatorStrategy": req.str("allocationStrategy").unwrap_or("DefaultPrimaryStorageAllocationStrategy")}));
    app.store.inv_insert(&tables::DISK_OFFERING, &inv).await?;
    inv_reply(inv)
}

pub async fn disk_offering_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().disk_offering, &req, &[]).await
}
pub async fn disk_offering_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().disk_offering, &req).await
}

// ---------- images ----------

/// Simulator backup storage "downloads" an image instantly; its size comes
/// from a `size` parameter-less rule: 1 GiB unless the URL ends in `#<bytes>`.
pub async fn image_add(app: App, req: Req) -> ApiResult<Reply> {
    let url = req.must("url")?;
    let bss = req.list("backupStorageUuids");
    if bss.is_empty() {
        return Err(ApiError::invalid_argument("field[backupStorageUuids] of message[APIAddImageMsg] is mandatory, can not be null"));
    }
    for bs in &bss {
        let b = read(&app.dirs().backup_storage, bs).await?;
        if str_of(&b, "state") != Some("Enabled") {
            return Err(ApiError::operation(format!("backup storage[uuid:{bs}] is not Enabled")));
        }
    }
    let media = req.str("mediaType").unwrap_or("RootVolumeTemplate");
    if !matches!(media, "RootVolumeTemplate" | "ISO" | "DataVolumeTemplate") {
        return Err(ApiError::invalid_argument(format!("mediaType[{media}] must be RootVolumeTemplate, ISO or DataVolumeTemplate")));
    }
    let mut size: i64 = url.rsplit_once('#').and_then(|(_, s)| s.parse().ok()).unwrap_or(1 << 30);
    let (mut actual, mut md5) = (size, "not calculated".to_string());
    let uuid = req.resource_uuid()?;
    let mut format = req.str("format").unwrap_or(if media == "ISO" { "iso" } else { "qcow2" }).to_string();
    // Image stores really fetch the file: checksum checked, format and size read from it.
    let checksums = image_store::wanted_checksums(&req.system_tags)?;
    let mut paths: Vec<(String, String)> = Vec::new();
    for bs in &bss {
        let b = read(&app.dirs().backup_storage, bs).await?;
        if str_of(&b, "type") != Some(image_store::TYPE) {
            paths.push((bs.clone(), format!("zstack://simulator/images/{uuid}")));
            continue;
        }
        match image_store::image_fetch(&b, &uuid, &url, checksums.clone()).await {
            Ok(f) => {
                (size, actual, md5, format) = (f.size, f.actual_size, f.md5, f.format.to_string());
                paths.push((bs.clone(), f.path));
            }
            Err(e) => {
                remove_fetched(&app, &paths).await;
                return Err(e);
            }
        }
    }
    let tags: Vec<String> = req.system_tags.iter().filter(|t| !t.starts_with("checksum::")).cloned().collect();
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "state": "Enabled", "status": "Ready",
        "size": size, "actualSize": actual, "md5Sum": md5, "url": url, "mediaType": media, "guestOsType": req.str("guestOsType"),
        "type": req.str("type").unwrap_or("zstack"), "platform": req.str("platform").unwrap_or("Linux"), "architecture": req.str("architecture").unwrap_or("x86_64"),
        "format": format, "system": req.bool("system").unwrap_or(false), "virtio": req.bool("virtio").unwrap_or(true)}));
    let mut stmts = vec![app.store.insert_stmt(&tables::IMAGE, &inv)];
    for (bs, path) in &paths {
        let r = new_inv(json!({"uuid": crate::api::new_uuid(), "imageUuid": uuid, "backupStorageUuid": bs, "installPath": path, "status": "Ready"}));
        stmts.push(app.store.insert_stmt(&tables::IMAGE_BACKUP_STORAGE_REF, &r));
    }
    if let Err(e) = app.store.db.write(stmts).await {
        remove_fetched(&app, &paths).await;
        return Err(e);
    }
    crate::resources::compute::tags_create(&app, &uuid, "ImageVO", &Req { system_tags: tags, ..req }).await?;
    inv_reply(full_inventory(&app, &tables::IMAGE, &uuid).await?)
}

async fn remove_fetched(app: &App, paths: &[(String, String)]) {
    for (bs, path) in paths {
        if let Ok(Some(b)) = app.store.inv_get(&tables::BACKUP_STORAGE, bs).await {
            if str_of(&b, "type") == Some(image_store::TYPE) {
                image_store::delete_file(path);
            }
        }
    }
}

pub async fn image_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().image, &req, &["guestOsType", "mediaType", "format", "system", "platform", "architecture"]).await
}
pub async fn image_change_state(app: App, req: Req) -> ApiResult<Reply> {
    change_state(&app, &app.dirs().image, &req).await
}

// ---------- global configs ----------

pub async fn global_config_update(app: App, req: Req) -> ApiResult<Reply> {
    let value = req.params.get("value").map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).unwrap_or_default();
    let (category, name) = (req.must("category")?, req.must("name")?);
    let inv = app.configs.update(&category, &name, &value).await?;
    if [crate::config::CPU_OVERPROVISIONING, crate::config::MEMORY_OVERPROVISIONING].contains(&(category.as_str(), name.as_str())) {
        hosts_apply_overprovisioning(&app).await?;
    }
    inv_reply(inv)
}

/// Recompute every host's offered CPU and memory from its physical size and
/// the over-provisioning ratios, keeping what its VMs already use.
pub async fn hosts_apply_overprovisioning(app: &App) -> ApiResult<()> {
    let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
    for h in app.store.inv_query(&tables::HOST, &[], &opts).await? {
        let uuid = str_of(&h, "uuid").unwrap_or_default().to_string();
        host_apply_overprovisioning(app, &uuid).await?;
    }
    Ok(())
}

/// One host's offered capacity from its physical size and its ratios (a
/// resource config on the host overrides the global config).
pub async fn host_apply_overprovisioning(app: &App, uuid: &str) -> ApiResult<()> {
    let ratio: i64 = super::misc::effective_config(app, uuid, crate::config::CPU_OVERPROVISIONING).await?.parse().unwrap_or(10);
    let mem_ratio: f64 = super::misc::effective_config(app, uuid, crate::config::MEMORY_OVERPROVISIONING).await?.parse().unwrap_or(1.0);
    {
        let Some((cpus, memory)) = app.sim.host_capacity(uuid) else { return Ok(()) };
        mutate(app, &app.dirs().host, uuid, move |s| {
            let used_cpu = s.i64("totalCpuCapacity") - s.i64("availableCpuCapacity");
            let used_mem = s.i64("totalMemoryCapacity") - s.i64("availableMemoryCapacity");
            let (total_cpu, total_mem) = (cpus * ratio, (memory as f64 * mem_ratio) as i64);
            s.set("totalCpuCapacity", json!(total_cpu));
            s.set("availableCpuCapacity", json!(total_cpu - used_cpu));
            s.set("totalMemoryCapacity", json!(total_mem));
            s.set("availableMemoryCapacity", json!(total_mem - used_mem));
            Ok(())
        })
        .await?;
    }
    Ok(())
}


// ---------- ZQL ----------

/// `GET /v1/zql?zql=...`: one statement, answered as `{"results": [...]}`.
pub async fn zql(app: App, req: Req) -> ApiResult<Reply> {
    let q = zstack_db::zql::parse(&req.must("zql")?)?;
    let spec = tables::all()
        .find(|t| t.vo.trim_end_matches("VO").eq_ignore_ascii_case(&q.entity))
        .filter(|t| !matches!(t.table, "account_credential" | "session" | "async_job"))
        .ok_or_else(|| ApiError::invalid_argument(format!("invalid ZQL: no entity named [{}]", q.entity)))?;
    let mut result = Map::new();
    if q.count {
        result.insert("total".into(), json!(app.store.inv_count(spec, &q.conditions).await?));
    } else {
        let mut items = app.store.inv_query(spec, &q.conditions, &q.options).await?;
        enrich(&app, spec, &mut items).await?;
        if !q.fields.is_empty() {
            for i in items.iter_mut() {
                i.retain(|k, _| q.fields.iter().any(|f| f == k));
            }
        }
        result.insert("inventories".into(), Value::Array(items.into_iter().map(Value::Object).collect()));
    }
    let mut m = Map::new();
    m.insert("results".into(), json!([result]));
    Ok(Reply::Fields(m))
}

/// `QueryL2VlanNetwork`: the L2 query restricted to VLAN networks.
pub async fn l2_vlan_query(app: App, mut req: Req) -> ApiResult<Reply> {
    req.query.conditions.push(eq("type", "L2VlanNetwork"));
    query(app, req, &tables::L2_NETWORK).await
}
