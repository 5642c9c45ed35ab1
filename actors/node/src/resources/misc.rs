//! The smaller APIs: sessions, management node facts, type lists, capacity
//! summaries, reconnects, image deletion policy, global-config resets and
//! tag batches.

use super::infra::full_inventory;
use super::{mutate, new_inv, read};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{eq, i64_of, str_of, Inventory};
use crate::tables;
use serde_json::{json, Map, Value};
use std::net::Ipv4Addr;
use zstack_db::query::{Condition, Op, QueryOptions};
use zstack_kit::{ApiError, ApiResult};

fn fields(pairs: Vec<(&str, Value)>) -> ApiResult<Reply> {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Ok(Reply::Fields(m))
}

fn all() -> QueryOptions {
    QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() }
}

pub async fn session_renew(app: App, req: Req) -> ApiResult<Reply> {
    let duration = req.int("duration").unwrap_or(crate::identity::SESSION_TIMEOUT_SECS);
    if duration <= 0 {
        return Err(ApiError::invalid_argument("duration must be a positive number of seconds"));
    }
    Ok(Reply::Inventory(Value::Object(app.identity.renew(&req.must("sessionUuid")?, duration).await?)))
}

/// This node as ZStack's ManagementNodeInventory.
pub fn management_node(app: &App) -> Inventory {
    new_inv(json!({"uuid": app.node_uuid(), "hostName": app.settings.listen.split(':').next().unwrap_or("127.0.0.1"),
        "joinDate": zstack_db::time::to_wire(app.started_ms()), "heartBeat": zstack_db::time::to_wire(zstack_db::time::now_ms())}))
}

pub async fn management_node_query(app: App, _req: Req) -> ApiResult<Reply> {
    Ok(Reply::Inventories { items: vec![Value::Object(management_node(&app))], total: None, class: "org.zstack.header.managementnode.ManagementNodeInventory" })
}

pub async fn is_ready_to_go(_app: App, _req: Req) -> ApiResult<Reply> {
    Ok(Reply::Empty)
}

pub async fn current_time(_app: App, _req: Req) -> ApiResult<Reply> {
    let ms = zstack_db::time::now_ms();
    fields(vec![("currentTime", json!({"MillionSeconds": ms, "Seconds": ms / 1000}))])
}

pub async fn l2_network_types(_app: App, _req: Req) -> ApiResult<Reply> {
    fields(vec![("types", json!(["L2NoVlanNetwork", "L2VlanNetwork", "VxlanNetworkPool", "VxlanNetwork"]))])
}

pub async fn network_service_types(_app: App, _req: Req) -> ApiResult<Reply> {
    fields(vec![("types", json!({"Flat": ["DHCP", "DNS", "Userdata", "SecurityGroup", "Eip", "HostRoute", "VipQos"]}))])
}

pub async fn network_service_detach(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    super::network::l3_read(&app, &l3).await?;
    let mut types: Vec<String> = req.list("service");
    if let Some(Value::Object(m)) = req.params.get("networkServices") {
        for v in m.values() {
            types.extend(v.as_array().into_iter().flatten().filter_map(|t| t.as_str().map(String::from)));
        }
    }
    let refs = app.store.inv_find(&tables::NETWORK_SERVICE_REF, "l3NetworkUuid", &l3).await?;
    let stmts = refs
        .iter()
        .filter(|r| types.is_empty() || types.iter().any(|t| Some(t.as_str()) == str_of(r, "networkServiceType")))
        .map(|r| app.store.delete_stmt(&tables::NETWORK_SERVICE_REF, "uuid", str_of(r, "uuid").unwrap_or_default()))
        .collect();
    app.store.db.write(stmts).await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)))
}

pub async fn ip_availability(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let ip = req.must("ip")?;
    let addr = ip.parse::<Ipv4Addr>().map_err(|_| ApiError::invalid_argument(format!("ip[{ip}] is not an IPv4 address")))?;
    super::network::l3_read(&app, &l3).await?;
    let ranges = app.store.inv_find(&tables::IP_RANGE, "l3NetworkUuid", &l3).await?;
    let n = u32::from(addr);
    let in_range = ranges.iter().any(|r| {
        let p = |f: &str| str_of(r, f).and_then(|s| s.parse::<Ipv4Addr>().ok()).map(u32::from).unwrap_or(0);
        p("startIp") <= n && n <= p("endIp")
    });
    let gateway = ranges.iter().any(|r| str_of(r, "gateway") == Some(ip.as_str()));
    let used = app.store.inv_count(&tables::USED_IP, &[eq("l3NetworkUuid", &l3), eq("ip", &ip)]).await? > 0;
    let (available, reason) = match (in_range, gateway, used) {
        (false, _, _) => (false, "the ip is not in any ip range of the l3 network"),
        (_, true, _) => (false, "the ip is the gateway"),
        (_, _, true) => (false, "the ip is in use"),
        _ => (true, ""),
    };
    let mut pairs = vec![("available", json!(available)), ("success", json!(true))];
    if !available {
        pairs.push(("reason", json!(reason)));
    }
    fields(pairs)
}

pub async fn ip_range_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut r = app.store.inv_must(&tables::IP_RANGE, &uuid).await?;
    super::apply_update(&mut r, &req.params, &[]);
    app.store.inv_update(&tables::IP_RANGE, &r).await?;
    Ok(Reply::Inventory(Value::Object(r)))
}

// ---------- images: the Delay deletion policy ----------

/// `DeleteImage`: the image is marked Deleted and kept until expunged (image.deletionPolicy Delay).
pub async fn image_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    zstack_kit::cascade::DeleteMode::parse(req.str("deleteMode"))?;
    if !app.store.inv_exists(&tables::IMAGE, &uuid).await? {
        return Ok(Reply::Empty);
    }
    mutate(&app, &app.dirs().image, &uuid, |s| {
        s.set("status", json!("Deleted"));
        Ok(())
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn image_expunge(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("imageUuid")?;
    let image = read(&app.dirs().image, &uuid).await?;
    if str_of(&image, "status") != Some("Deleted") {
        return Err(ApiError::operation(format!("image[uuid:{uuid}] is not Deleted; delete it before expunging")));
    }
    super::cascade::delete_resource(&app, zstack_kit::cascade::Node::new(super::cascade::IMAGE, uuid), zstack_kit::cascade::DeleteMode::Permissive).await?;
    Ok(Reply::Empty)
}

pub async fn image_recover(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("imageUuid")?;
    mutate(&app, &app.dirs().image, &uuid, |s| {
        if s.str("status") != Some("Deleted") {
            return Err(ApiError::operation(format!("image[uuid:{}] is not Deleted", s.string("uuid"))));
        }
        s.set("status", json!("Ready"));
        Ok(())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::IMAGE, &uuid).await?)))
}

pub async fn image_sync_size(app: App, req: Req) -> ApiResult<Reply> {
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::IMAGE, &req.must("uuid")?).await?)))
}

// ---------- storage ----------

pub async fn primary_storage_reconnect(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    mutate(&app, &app.dirs().primary_storage, &uuid, |s| {
        s.set("status", json!("Connected"));
        Ok(())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::PRIMARY_STORAGE, &uuid).await?)))
}

pub async fn backup_storage_reconnect(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    mutate(&app, &app.dirs().backup_storage, &uuid, |s| {
        s.set("status", json!("Connected"));
        Ok(())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::BACKUP_STORAGE, &uuid).await?)))
}

/// `SyncPrimaryStorageCapacity`: recompute available capacity from the volumes on it.
pub async fn primary_storage_sync_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("primaryStorageUuid")?;
    let used: i64 = app.store.inv_find(&tables::VOLUME, "primaryStorageUuid", &uuid).await?.iter().map(|v| i64_of(v, "size")).sum();
    mutate(&app, &app.dirs().primary_storage, &uuid, move |s| {
        let avail = s.i64("totalCapacity") - s.i64("systemUsedCapacity") - used;
        s.set("availableCapacity", json!(avail));
        Ok(())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::PRIMARY_STORAGE, &uuid).await?)))
}

fn in_cond(field: &str, values: &[String]) -> Condition {
    Condition { name: field.into(), op: Op::In, value: Some(values.join(",")) }
}

pub async fn primary_storage_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let mut conds = Vec::new();
    for (param, field) in [("zoneUuids", "zoneUuid"), ("primaryStorageUuids", "uuid")] {
        let v = req.list(param);
        if !v.is_empty() {
            conds.push(in_cond(field, &v));
        }
    }
    let clusters = req.list("clusterUuids");
    if !clusters.is_empty() {
        let ps = app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", "clusterUuid", &clusters).await?;
        conds.push(in_cond("uuid", &ps));
    }
    if conds.is_empty() && !req.bool("all").unwrap_or(false) {
        return Err(ApiError::invalid_argument("give zoneUuids, clusterUuids, primaryStorageUuids or all=true"));
    }
    let rows = app.store.inv_query(&tables::PRIMARY_STORAGE, &conds, &all()).await?;
    let sum = |f: &str| rows.iter().map(|r| i64_of(r, f)).sum::<i64>();
    fields(vec![
        ("totalCapacity", json!(sum("totalCapacity"))),
        ("availableCapacity", json!(sum("availableCapacity"))),
        ("totalPhysicalCapacity", json!(sum("totalPhysicalCapacity"))),
        ("availablePhysicalCapacity", json!(sum("availablePhysicalCapacity"))),
        ("success", json!(true)),
    ])
}

pub async fn backup_storage_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let mut uuids = req.list("backupStorageUuids");
    let zones = req.list("zoneUuids");
    if !zones.is_empty() {
        uuids.extend(app.store.column_where_in(&tables::BACKUP_STORAGE_ZONE_REF, "backupStorageUuid", "zoneUuid", &zones).await?);
    }
    let conds = if req.bool("all").unwrap_or(false) {
        vec![]
    } else if uuids.is_empty() {
        return Err(ApiError::invalid_argument("give zoneUuids, backupStorageUuids or all=true"));
    } else {
        vec![in_cond("uuid", &uuids)]
    };
    let rows = app.store.inv_query(&tables::BACKUP_STORAGE, &conds, &all()).await?;
    let sum = |f: &str| rows.iter().map(|r| i64_of(r, f)).sum::<i64>();
    fields(vec![("totalCapacity", json!(sum("totalCapacity"))), ("availableCapacity", json!(sum("availableCapacity"))), ("success", json!(true))])
}

// ---------- global configs and tags ----------

pub async fn global_config_reset(app: App, _req: Req) -> ApiResult<Reply> {
    for d in crate::config::DEFS {
        app.configs.update(d.category, d.name, d.default).await?;
    }
    super::infra::hosts_apply_overprovisioning(&app).await?;
    Ok(Reply::Empty)
}

pub async fn global_config_options(app: App, req: Req) -> ApiResult<Reply> {
    let (category, name) = (req.must("category")?, req.must("name")?);
    let def = crate::config::DEFS
        .iter()
        .find(|d| d.category == category && d.name == name)
        .ok_or_else(|| ApiError::invalid_argument(format!("no global config named [category:{category}, name:{name}]")))?;
    let _ = &app;
    fields(vec![("options", json!({"defaultValue": def.default, "validValue": def.valid_values}))])
}

pub async fn system_tags_create(app: App, req: Req) -> ApiResult<Reply> {
    let resource = req.must("resourceUuid")?;
    let resource_type = req.must("resourceType")?;
    let spec = tables::all().find(|t| t.vo == resource_type).ok_or_else(|| ApiError::invalid_argument(format!("resourceType[{resource_type}] is not a known resource type")))?;
    if !app.store.inv_exists(spec, &resource).await? {
        return Err(ApiError::not_found(&resource_type, &resource));
    }
    let tags = req.list("tags");
    if tags.is_empty() {
        return Err(ApiError::invalid_argument("tags must hold at least one tag"));
    }
    let rows: Vec<Inventory> = tags
        .iter()
        .map(|t| new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource, "resourceType": resource_type, "tag": t, "type": "System", "inherent": false})))
        .collect();
    app.store.db.write(rows.iter().map(|r| app.store.insert_stmt(&tables::SYSTEM_TAG, r)).collect()).await?;
    Ok(Reply::Inventories { items: rows.into_iter().map(Value::Object).collect(), total: None, class: tables::SYSTEM_TAG.inventory_class })
}

pub async fn system_tag_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut tag = app.store.inv_must(&tables::SYSTEM_TAG, &uuid).await?;
    if tag.get("inherent") == Some(&json!(true)) {
        return Err(ApiError::operation(format!("system tag[uuid:{uuid}] is inherent and cannot be changed")));
    }
    tag.insert("tag".into(), json!(req.must("tag")?));
    tag.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
    app.store.inv_update(&tables::SYSTEM_TAG, &tag).await?;
    Ok(Reply::Inventory(Value::Object(tag)))
}

// ---------- resource configs ----------

/// The value of a config for one resource: its own override, or the global value.
pub async fn effective_config(app: &App, resource: &str, key: (&str, &str)) -> ApiResult<String> {
    let own = app
        .store
        .inv_find(&tables::RESOURCE_CONFIG, "resourceUuid", resource)
        .await?
        .into_iter()
        .find(|r| str_of(r, "category") == Some(key.0) && str_of(r, "name") == Some(key.1));
    Ok(match own {
        Some(r) => str_of(&r, "value").unwrap_or_default().to_string(),
        None => app.configs.get(key),
    })
}

/// Configs that may be set per resource, and on which resource type.
fn resource_config_def(category: &str, name: &str) -> ApiResult<(&'static crate::config::ConfigDef, &'static zstack_db::TableSpec)> {
    let def = crate::config::DEFS
        .iter()
        .find(|d| d.category == category && d.name == name)
        .ok_or_else(|| ApiError::invalid_argument(format!("no config named [category:{category}, name:{name}]")))?;
    let spec = match (category, name) {
        k if k == crate::config::CPU_OVERPROVISIONING || k == crate::config::MEMORY_OVERPROVISIONING => &tables::HOST,
        k if k == crate::config::VM_DELETION_POLICY => &tables::VM_INSTANCE,
        _ => return Err(ApiError::invalid_argument(format!("config [category:{category}, name:{name}] cannot be set per resource"))),
    };
    Ok((def, spec))
}

async fn resource_config_changed(app: &App, spec: &'static zstack_db::TableSpec, resource: &str) -> ApiResult<()> {
    if spec.table == tables::HOST.table {
        super::infra::host_apply_overprovisioning(app, resource).await?;
    }
    Ok(())
}

pub async fn resource_config_update(app: App, req: Req) -> ApiResult<Reply> {
    let (category, name, resource) = (req.must("category")?, req.must("name")?, req.must("resourceUuid")?);
    let value = req.params.get("value").map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).unwrap_or_default();
    let (def, spec) = resource_config_def(&category, &name)?;
    if !(def.validate)(&value) {
        return Err(ApiError::invalid_argument(format!("[{value}] is not a valid value of {category}.{name}")));
    }
    if !app.store.inv_exists(spec, &resource).await? {
        return Err(ApiError::not_found(spec.vo, &resource));
    }
    let existing = app.store.inv_find(&tables::RESOURCE_CONFIG, "resourceUuid", &resource).await?;
    let row = match existing.into_iter().find(|r| str_of(r, "category") == Some(category.as_str()) && str_of(r, "name") == Some(name.as_str())) {
        Some(mut r) => {
            r.insert("value".into(), json!(value));
            r.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
            app.store.inv_update(&tables::RESOURCE_CONFIG, &r).await?;
            r
        }
        None => {
            let r = new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource, "resourceType": spec.vo, "category": category, "name": name, "value": value}));
            app.store.inv_insert(&tables::RESOURCE_CONFIG, &r).await?;
            r
        }
    };
    resource_config_changed(&app, spec, &resource).await?;
    Ok(Reply::Inventory(Value::Object(row)))
}

pub async fn resource_config_get(app: App, req: Req) -> ApiResult<Reply> {
    let (category, name, resource) = (req.must("category")?, req.must("name")?, req.must("resourceUuid")?);
    resource_config_def(&category, &name)?;
    let value = effective_config(&app, &resource, (&category, &name)).await?;
    let own: Vec<Value> = app
        .store
        .inv_find(&tables::RESOURCE_CONFIG, "resourceUuid", &resource)
        .await?
        .into_iter()
        .filter(|r| str_of(r, "category") == Some(category.as_str()) && str_of(r, "name") == Some(name.as_str()))
        .map(Value::Object)
        .collect();
    fields(vec![("value", json!(value)), ("effectiveConfigs", Value::Array(own)), ("success", json!(true))])
}

pub async fn resource_config_delete(app: App, req: Req) -> ApiResult<Reply> {
    let (category, name, resource) = (req.must("category")?, req.must("name")?, req.must("resourceUuid")?);
    let (_, spec) = resource_config_def(&category, &name)?;
    let rows = app.store.inv_find(&tables::RESOURCE_CONFIG, "resourceUuid", &resource).await?;
    let stmts = rows
        .iter()
        .filter(|r| str_of(r, "category") == Some(category.as_str()) && str_of(r, "name") == Some(name.as_str()))
        .map(|r| app.store.delete_stmt(&tables::RESOURCE_CONFIG, "uuid", str_of(r, "uuid").unwrap_or_default()))
        .collect();
    app.store.db.write(stmts).await?;
    if app.store.inv_exists(spec, &resource).await? {
        resource_config_changed(&app, spec, &resource).await?;
    }
    Ok(Reply::Empty)
}

/// `CheckApiPermission`: the node has one account, the admin, who may call
/// every API it serves; names it does not serve are denied.
pub async fn api_permission_check(_app: App, req: Req) -> ApiResult<Reply> {
    let names = req.list("apiNames");
    if names.is_empty() {
        return Err(ApiError::invalid_argument("apiNames must name at least one API"));
    }
    let mut inv = Map::new();
    for n in names {
        let served = crate::api::defs().iter().any(|d| d.msg == n || d.fqcn == n);
        inv.insert(n, json!(if served { "Allow" } else { "Deny" }));
    }
    Ok(Reply::Inventory(Value::Object(inv)))
}
