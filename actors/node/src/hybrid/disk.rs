//! Alibaba Cloud disks: data disks are created in a zone (empty or from a snapshot),
//! attached to and detached from an ECS instance (waiting for `In_use` / `Available`),
//! deleted remotely (Alibaba first) or locally. System disks are recorded like ZStack's
//! root volumes: `diskType` System, made with their instance (the ECS create flow records
//! them) or found by sync, never detached or deleted on their own (the node refuses, as
//! Alibaba does), and gone with their instance.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::recovery::{noted, uuid_tags};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, deleted_or_gone, field, insert_or_undo, inv_reply, invs_reply, delete_remote_first, on_actor_write, tables, undo_logged, uuid_by_id, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use zstack_aliyun::ecs::{CreateDiskRequest, DescribeDisksRequest, Disk};
use zstack_kit::{ApiError, ApiResult};

/// `diskType` of a system disk (Alibaba's `system`), as in snapshots' `SourceDiskType`.
pub const SYSTEM: &str = "System";
/// `diskType` of a data disk (Alibaba's `data`).
pub const DATA: &str = "Data";

fn disk_type(alibaba: &str) -> &'static str {
    if alibaba.eq_ignore_ascii_case("system") {
        SYSTEM
    } else {
        DATA
    }
}

/// Refuse what only data disks can do (detach, delete on their own).
fn data_disk_only(inv: &Inventory, action: &str) -> ApiResult<()> {
    if str_of(inv, "diskType") != Some(SYSTEM) {
        return Ok(());
    }
    Err(ApiError::operation(format!(
        "AliyunDisk[uuid:{}] is the system disk of EcsInstance[uuid:{}]: it cannot be {action}; it goes with its instance",
        field(inv, "uuid"),
        field(inv, "ecsInstanceUuid")
    )))
}

fn disk_fields(dc: &str, d: &Disk, zones: &HashMap<String, String>, instances: &HashMap<String, String>) -> Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "diskId": d.disk_id, "name": d.disk_name, "description": d.description, "identityZoneUuid": zones.get(&d.zone_id),
        "ecsInstanceUuid": instances.get(&d.instance_id), "diskCategory": d.category, "diskType": disk_type(&d.disk_type), "status": d.status, "sizeWithGB": d.size,
        "deviceInfo": d.device, "deleteWithInstance": d.delete_with_instance)
}

async fn disk_status(remote: &Remote, id: &str) -> ApiResult<Option<Disk>> {
    let request = DescribeDisksRequest { disk_ids: vec![id.to_string()], ..Default::default() };
    Ok(remote.client.describe_disks(&remote.region, &request).await.map_err(aliyun_error)?.disks.into_iter().next())
}

async fn wait_disk(app: &App, remote: &Remote, id: &str, want: &str) -> ApiResult<Disk> {
    wait_for_status(app, &format!("disk {id}"), &[want], || async { Ok(disk_status(remote, id).await?.map(|d| d.status).unwrap_or_else(|| "Deleted".into())) }).await?;
    disk_status(remote, id).await?.ok_or_else(|| ApiError::operation(format!("disk {id} vanished")))
}

/// `CreateAliyunDiskFromRemote`: an empty data disk of `sizeWithGB` (20 GiB unless given),
/// or one made from `snapshotUuid` (a snapshot of the same DataCenter; Alibaba makes it the
/// snapshot's size unless `sizeWithGB` asks for more, and refuses less).
pub async fn disk_create(app: App, req: Req) -> ApiResult<Reply> {
    let zone = app.store.inv_must(&tables::IDENTITY_ZONE, &req.must("identityUuid")?).await?;
    let dc = field(&zone, "dataCenterUuid");
    let snapshot = match req.string("snapshotUuid") {
        Some(uuid) => Some(app.store.inv_must(&tables::ALIYUN_SNAPSHOT, &uuid).await?),
        None => None,
    };
    if let Some(s) = snapshot.as_ref().filter(|s| field(s, "dataCenterUuid") != dc) {
        return Err(ApiError::invalid_argument(format!("AliyunSnapshot[uuid:{}] is not in the data center of IdentityZone[uuid:{}]", field(s, "uuid"), field(&zone, "uuid"))));
    }
    let size = match (req.int("sizeWithGB"), &snapshot) {
        (Some(size), _) => Some(u32::try_from(size).ok().filter(|s| *s > 0).ok_or_else(|| ApiError::invalid_argument(format!("sizeWithGB[{size}] must be positive")))?),
        (None, Some(_)) => None,
        (None, None) => Some(20),
    };
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateDiskRequest {
        zone_id: field(&zone, "zoneId"),
        disk_category: req.string("diskCategory").unwrap_or_else(|| "cloud_efficiency".into()),
        size_gb: size,
        disk_name: Some(req.must("name")?),
        description: req.string("description"),
        snapshot_id: snapshot.as_ref().map(|s| field(s, "snapshotId")),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let inv = noted(&app, hc::DISK, &uuid, &dc, json!({}), async {
        let created = remote.client.create_disk(&remote.region, &request).await.map_err(aliyun_error)?;
        let zones = HashMap::from([(field(&zone, "zoneId"), field(&zone, "uuid"))]);
        let mut fields = match disk_status(&remote, &created.disk_id).await? {
            Some(d) => disk_fields(&dc, &d, &zones, &HashMap::new()),
            None => remote_fields!("dataCenterUuid": dc, "diskId": created.disk_id, "name": request.disk_name, "identityZoneUuid": field(&zone, "uuid"),
                "diskCategory": request.disk_category, "diskType": DATA, "sizeWithGB": size, "status": "Available"),
        };
        fields.insert("uuid".into(), json!(uuid));
        let inv = new_inv(Value::Object(fields));
        let undo = remote.client.delete_disk(&remote.region, &created.disk_id);
        insert_or_undo(&app, &app.dirs().hybrid.identity_zone, &field(&zone, "uuid"), &tables::ALIYUN_DISK, inv.clone(), async { undo_logged("CreateDisk", undo.await).await })
            .await?;
        Ok(inv)
    })
    .await?;
    if let Some(s) = snapshot {
        super::snapshot::refresh(&app, &remote, &field(&s, "snapshotId")).await;
    }
    inv_reply(inv)
}

/// Record the disks Alibaba made with a new instance (its system disk, data disks made
/// with it) under the instance's zone.
pub async fn record_instance_disks(app: &App, remote: &Remote, ecs: &Inventory) -> ApiResult<()> {
    let (dc, zone) = (field(ecs, "dataCenterUuid"), field(ecs, "identityZoneUuid"));
    let request = DescribeDisksRequest { instance_id: Some(field(ecs, "ecsInstanceId")), ..Default::default() };
    let disks = remote.client.describe_disks_all(&remote.region, &request).await.map_err(aliyun_error)?;
    let instances = HashMap::from([(field(ecs, "ecsInstanceId"), field(ecs, "uuid"))]);
    for d in disks {
        let zones = HashMap::from([(d.zone_id.clone(), zone.clone())]);
        let mut fields = disk_fields(&dc, &d, &zones, &instances);
        fields.insert("uuid".into(), json!(crate::api::new_uuid()));
        crate::resources::infra::create_under(app, &app.dirs().hybrid.identity_zone, &zone, &tables::ALIYUN_DISK, new_inv(Value::Object(fields))).await?;
    }
    Ok(())
}

pub async fn disk_attach(app: App, req: Req) -> ApiResult<Reply> {
    let disk_uuid = req.must("diskUuid")?;
    let ecs = app.store.inv_must(&tables::ECS_INSTANCE, &req.must("ecsUuid")?).await?;
    let delete_with = req.bool("deleteWithInstance");
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.disk, &disk_uuid, move |mut inv| {
        Box::pin(async move {
            if field(&inv, "dataCenterUuid") != field(&ecs, "dataCenterUuid") {
                return Err(ApiError::invalid_argument("the disk and the ECS instance are in different data centers"));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "diskId");
            remote.client.attach_disk(&remote.region, &field(&ecs, "ecsInstanceId"), &id, delete_with).await.map_err(aliyun_error)?;
            let d = wait_disk(&a, &remote, &id, "In_use").await?;
            inv.insert("ecsInstanceUuid".into(), json!(field(&ecs, "uuid")));
            inv.insert("status".into(), json!(d.status));
            inv.insert("deviceInfo".into(), json!(d.device));
            inv.insert("deleteWithInstance".into(), json!(d.delete_with_instance));
            Ok((inv.clone(), Some(inv)))
        })
    })
    .await?;
    inv_reply(inv)
}

pub async fn disk_detach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let a = app.clone();
    on_actor_write(&app, &app.dirs().hybrid.disk, &uuid, move |mut inv| {
        Box::pin(async move {
            data_disk_only(&inv, "detached")?;
            let Some(ecs_uuid) = str_of(&inv, "ecsInstanceUuid").map(String::from) else {
                return Err(ApiError::operation(format!("AliyunDisk[uuid:{}] is not attached", field(&inv, "uuid"))));
            };
            let ecs = a.store.inv_must(&tables::ECS_INSTANCE, &ecs_uuid).await?;
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "diskId");
            remote.client.detach_disk(&remote.region, &field(&ecs, "ecsInstanceId"), &id).await.map_err(aliyun_error)?;
            let d = wait_disk(&a, &remote, &id, "Available").await?;
            inv.remove("ecsInstanceUuid");
            inv.remove("deviceInfo");
            inv.insert("status".into(), json!(d.status));
            Ok(((), Some(inv)))
        })
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn disk_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_remote_first(&app, &app.dirs().hybrid.disk, hc::DISK, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move {
            data_disk_only(&inv, "deleted")?;
            deleted_or_gone(remote.client.delete_disk(&remote.region, &field(&inv, "diskId")).await)
        })
    })
    .await
}

/// Every disk of the region, system disks too, reconciled.
pub async fn disks_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let zones = uuid_by_id(&app.store.inv_find(&tables::IDENTITY_ZONE, "dataCenterUuid", dc).await?, "zoneId");
    let instances = uuid_by_id(&app.store.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", dc).await?, "ecsInstanceId");
    let disks = remote.client.describe_disks_all(&remote.region, &DescribeDisksRequest::default()).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::ALIYUN_DISK, "dataCenterUuid", dc).await?;
    let fields = disks.iter().map(|d| disk_fields(dc, d, &zones, &instances)).collect();
    reconcile(app, &app.dirs().hybrid.disk, hc::DISK, "diskId", local, fields).await
}

/// `SyncDiskFromAliyunFromRemote`: `identityUuid` names a DataCenter or one of its zones.
pub async fn disk_sync(app: App, req: Req) -> ApiResult<Reply> {
    let id = req.must("identityUuid")?;
    let dc = match app.store.inv_get(&tables::IDENTITY_ZONE, &id).await? {
        Some(z) => field(&z, "dataCenterUuid"),
        None => id,
    };
    let remote = for_data_center(&app, &dc).await?;
    let out: Vec<Inventory> = disks_sync(&app, &remote).await?.inventories;
    invs_reply(out, &tables::ALIYUN_DISK)
}
