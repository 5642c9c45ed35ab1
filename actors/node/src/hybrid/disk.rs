//! Alibaba Cloud data disks: create in a zone, attach to and detach from an
//! ECS instance (waiting for `In_use` / `Available`), delete remotely (Alibaba
//! first) or locally, sync.

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

fn disk_fields(dc: &str, d: &Disk, zones: &HashMap<String, String>, instances: &HashMap<String, String>) -> Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "diskId": d.disk_id, "name": d.disk_name, "description": d.description, "identityZoneUuid": zones.get(&d.zone_id),
        "ecsInstanceUuid": instances.get(&d.instance_id), "diskCategory": d.category, "diskType": d.disk_type, "status": d.status, "sizeWithGB": d.size,
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

pub async fn disk_create(app: App, req: Req) -> ApiResult<Reply> {
    let zone = app.store.inv_must(&tables::IDENTITY_ZONE, &req.must("identityUuid")?).await?;
    let size = req.int("sizeWithGB").unwrap_or(20);
    let size_gb = u32::try_from(size).ok().filter(|s| *s > 0).ok_or_else(|| ApiError::invalid_argument(format!("sizeWithGB[{size}] must be positive")))?;
    let dc = field(&zone, "dataCenterUuid");
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateDiskRequest {
        zone_id: field(&zone, "zoneId"),
        disk_category: req.string("diskCategory").unwrap_or_else(|| "cloud_efficiency".into()),
        size_gb,
        disk_name: Some(req.must("name")?),
        description: req.string("description"),
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
                "diskCategory": request.disk_category, "sizeWithGB": size_gb, "status": "Available"),
        };
        fields.insert("uuid".into(), json!(uuid));
        let inv = new_inv(Value::Object(fields));
        let undo = remote.client.delete_disk(&remote.region, &created.disk_id);
        insert_or_undo(&app, &app.dirs().hybrid.identity_zone, &field(&zone, "uuid"), &tables::ALIYUN_DISK, inv.clone(), async { undo_logged("CreateDisk", undo.await).await })
            .await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
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
        Box::pin(async move { deleted_or_gone(remote.client.delete_disk(&remote.region, &field(&inv, "diskId")).await) })
    })
    .await
}

/// Every disk of the region except system disks, reconciled.
pub async fn disks_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let zones = uuid_by_id(&app.store.inv_find(&tables::IDENTITY_ZONE, "dataCenterUuid", dc).await?, "zoneId");
    let instances = uuid_by_id(&app.store.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", dc).await?, "ecsInstanceId");
    let disks = remote.client.describe_disks_all(&remote.region, &DescribeDisksRequest::default()).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::ALIYUN_DISK, "dataCenterUuid", dc).await?;
    let fields = disks.iter().filter(|d| d.disk_type != "system").map(|d| disk_fields(dc, d, &zones, &instances)).collect();
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
