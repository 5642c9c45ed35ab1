//! DataCenters (an Alibaba Cloud region added from remote) and IdentityZones
//! (its zones): add from remote, list what the remote offers, sync, delete
//! locally (with everything below, see `cascade`).

use super::cascade as hc;
use super::client::{for_data_center, for_endpoint};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, field, inv_reply, invs_reply, tables};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::{mutate, new_inv};
use crate::store::{str_of, Inventory};
use serde_json::{json, Value};
use zstack_aliyun::ecs::{Region, Zone};
use zstack_kit::{ApiError, ApiResult};

fn check_type(req: &Req, name: &str) -> ApiResult<()> {
    match req.str(name) {
        None | Some("aliyun") => Ok(()),
        Some(other) => Err(ApiError::invalid_argument(format!("{name}[{other}] is not supported; this node manages aliyun data centers"))),
    }
}

async fn remote_regions(app: &App, endpoint: Option<&str>) -> ApiResult<Vec<Region>> {
    let client = for_endpoint(app, endpoint).await?;
    Ok(client.describe_regions().await.map_err(aliyun_error)?.regions)
}

pub async fn data_center_add(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req, "type")?;
    let region_id = req.must("regionId")?;
    let endpoint = req.string("endpoint");
    if app.store.inv_find(&tables::DATA_CENTER, "regionId", &region_id).await?.iter().any(|d| str_of(d, "endpoint") == endpoint.as_deref()) {
        return Err(ApiError::invalid_argument(format!("the data center of region {region_id} has been added already")));
    }
    let regions = remote_regions(&app, endpoint.as_deref()).await?;
    let region = regions
        .iter()
        .find(|r| r.region_id == region_id)
        .ok_or_else(|| ApiError::invalid_argument(format!("Alibaba Cloud has no region {region_id} (it has {})", regions.iter().map(|r| r.region_id.as_str()).collect::<Vec<_>>().join(", "))))?;
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "regionId": region_id, "regionName": region.local_name, "dcType": "aliyun", "endpoint": endpoint,
        "description": req.str("description")}));
    app.store.inv_insert(&tables::DATA_CENTER, &inv).await?;
    if req.bool("syncZones").unwrap_or(false) {
        zones_sync(&app, &uuid).await?;
    }
    inv_reply(inv)
}

/// `GetDataCenterFromRemote`: the regions the attached key can use.
pub async fn data_center_get_remote(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req, "type")?;
    let items = remote_regions(&app, req.str("endpoint"))
        .await?
        .into_iter()
        .map(|r| json!({"regionId": r.region_id, "regionName": r.local_name, "dcType": "aliyun", "endpoint": r.region_endpoint}))
        .collect();
    Ok(Reply::Inventories { items, total: None, class: "org.zstack.header.datacenter.DataCenterProperty" })
}

/// `SyncDataCenterFromRemote`: the region's name, then everything in it
/// (zones, VPCs, VSwitches, security groups, EIPs, ECS instances, disks, snapshots).
pub async fn data_center_sync(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let dc = app.store.inv_must(&tables::DATA_CENTER, &uuid).await?;
    let regions = remote_regions(&app, str_of(&dc, "endpoint")).await?;
    let region_id = field(&dc, "regionId");
    let region = regions
        .into_iter()
        .find(|r| r.region_id == region_id)
        .ok_or_else(|| ApiError::operation(format!("Alibaba Cloud no longer lists region {region_id} of DataCenter[uuid:{uuid}]")))?;
    if str_of(&dc, "regionName") != Some(region.local_name.as_str()) {
        mutate(&app, &app.dirs().hybrid.data_center, &uuid, move |s| {
            s.set("regionName", json!(region.local_name));
            Ok(())
        })
        .await?;
    }
    sync_everything(&app, &uuid).await?;
    Ok(Reply::Empty)
}

/// Reconcile every kind of resource of a DataCenter, parents before the
/// records that refer to them.
pub async fn sync_everything(app: &App, dc: &str) -> ApiResult<Outcome> {
    let remote = for_data_center(app, dc).await?;
    let mut total = super::vpc::vswitches_sync(app, &remote).await?;
    total.count(&super::security_group::groups_sync(app, &remote, None).await?);
    total.count(&super::eip::eips_sync(app, &remote).await?);
    total.count(&super::ecs::instances_sync(app, &remote).await?);
    total.count(&super::disk::disks_sync(app, &remote).await?);
    total.count(&super::snapshot::snapshots_sync(app, &remote, None).await?);
    total.inventories.clear();
    Ok(total)
}

fn zone_fields(dc: &str, z: &Zone) -> serde_json::Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "zoneId": z.zone_id, "zoneName": z.local_name, "type": "aliyun")
}

async fn remote_zones(app: &App, dc: &str) -> ApiResult<Vec<Zone>> {
    let remote = for_data_center(app, dc).await?;
    Ok(remote.client.describe_zones(&remote.region).await.map_err(aliyun_error)?.zones)
}

/// Every zone of the region, reconciled with the local ones.
pub async fn zones_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    Ok(zones_reconcile(app, dc).await?.inventories)
}

pub async fn zones_reconcile(app: &App, dc: &str) -> ApiResult<Outcome> {
    let zones = remote_zones(app, dc).await?;
    let local = app.store.inv_find(&tables::IDENTITY_ZONE, "dataCenterUuid", dc).await?;
    let remote = zones.iter().map(|z| zone_fields(dc, z)).collect();
    reconcile(app, &app.dirs().hybrid.identity_zone, hc::IDENTITY_ZONE, "zoneId", local, remote).await
}

/// `AddIdentityZoneFromRemote`: one zone (`zoneId`), or every zone of the region.
pub async fn zone_add(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req, "type")?;
    let dc = req.must("dataCenterUuid")?;
    app.store.inv_must(&tables::DATA_CENTER, &dc).await?;
    let Some(zone_id) = req.string("zoneId") else {
        let all = zones_sync(&app, &dc).await?;
        return inv_reply(all.into_iter().next().ok_or_else(|| ApiError::operation("the region has no zones"))?);
    };
    let local = app.store.inv_find(&tables::IDENTITY_ZONE, "dataCenterUuid", &dc).await?;
    if local.iter().any(|z| str_of(z, "zoneId") == Some(zone_id.as_str())) {
        return Err(ApiError::invalid_argument(format!("the zone {zone_id} has been added to DataCenter[uuid:{dc}] already")));
    }
    let zones = remote_zones(&app, &dc).await?;
    let zone = zones.iter().find(|z| z.zone_id == zone_id).ok_or_else(|| ApiError::invalid_argument(format!("Alibaba Cloud has no zone {zone_id} in this region")))?;
    let mut fields = zone_fields(&dc, zone);
    fields.insert("uuid".into(), json!(req.resource_uuid()?));
    fields.insert("description".into(), json!(req.str("description")));
    let inv = new_inv(Value::Object(fields));
    crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::IDENTITY_ZONE, inv.clone()).await?;
    inv_reply(inv)
}

/// `GetIdentityZoneFromRemote`.
pub async fn zone_get_remote(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let zones = remote_zones(&app, &dc).await?;
    let items = zones.iter().map(|z| {
        let mut m = zone_fields(&dc, z);
        m.insert("availableInstanceTypes".into(), json!(z.available_instance_types));
        m
    });
    invs_reply(items.collect(), &tables::IDENTITY_ZONE)
}

/// `SyncIdentityFromRemote` (uuid: the DataCenter's): zones appear and vanish as on Alibaba Cloud.
pub async fn zone_sync(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    // The uuid may also name a zone: its DataCenter is synced.
    let dc = match app.store.inv_get(&tables::IDENTITY_ZONE, &uuid).await? {
        Some(z) => field(&z, "dataCenterUuid"),
        None => {
            app.store.inv_must(&tables::DATA_CENTER, &uuid).await?;
            uuid
        }
    };
    zones_sync(&app, &dc).await?;
    Ok(Reply::Empty)
}

/// `GetEcsInstanceType`: the instance types Alibaba offers in a zone.
pub async fn zone_instance_types(app: App, req: Req) -> ApiResult<Reply> {
    let zone = app.store.inv_must(&tables::IDENTITY_ZONE, &req.must("identityZoneUuid")?).await?;
    let zone_id = field(&zone, "zoneId");
    let zones = remote_zones(&app, &field(&zone, "dataCenterUuid")).await?;
    let types = zones
        .into_iter()
        .find(|z| z.zone_id == zone_id)
        .ok_or_else(|| ApiError::operation(format!("Alibaba Cloud no longer lists zone {zone_id}")))?
        .available_instance_types;
    let mut m = serde_json::Map::new();
    m.insert("types".into(), json!(types));
    Ok(Reply::Fields(m))
}
