//! Alibaba Cloud disk snapshots and the ECS images made from them.
//!
//! - `CreateAliyunSnapshotRemote`: a flow (take the snapshot, wait until Alibaba reports it
//!   `accomplished`, record it); a failure at any step deletes the remote snapshot again.
//!   Snapshots the node takes carry the tag [`MADE_BY_NODE`], so GC can tell them apart.
//! - `CreateEcsImageFromEcsSnapshot`: a flow (CreateImage, wait until `Available`, record the
//!   EcsImage); a failure deletes the remote image. Alibaba only makes images from
//!   system-disk snapshots and refuses others with its own code.
//! - Update (ModifySnapshotAttribute) on the record's actor; remote delete Alibaba first;
//!   local delete; sync (a reconciler, optionally of one `snapshotId`).
//! - `GCAliyunSnapshotRemote`: what is left over after disks went. ZStack's hybrid plugin is
//!   not public, so this follows its API (a DataCenter and a deleteMode, no result):
//!   snapshots the node made whose disk Alibaba no longer has are deleted on Alibaba Cloud
//!   (`deleteMode` Enforcing passes `Force`, which also removes snapshots disks were made
//!   from; Permissive leaves those), except those images were made from, which Alibaba keeps
//!   while the images exist; then every local record whose snapshot Alibaba no longer has
//!   goes. Snapshots made outside the node are never deleted remotely.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, delete_remote_first, deleted_or_gone, field, inv_reply, invs_reply, on_actor_write, tables, undo_logged, uuid_by_id, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use zstack_aliyun::ecs::{DescribeDisksRequest, DescribeImagesRequest, Image};
use zstack_aliyun::snapshot::{CreateImageRequest, CreateSnapshotRequest, DescribeSnapshotsRequest, Snapshot};
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

pub const CREATE_SNAPSHOT: &str = "create-aliyun-snapshot";
pub const CREATE_IMAGE_FROM_SNAPSHOT: &str = "create-ecs-image-from-snapshot";
/// The tag (key, value) on every snapshot the node takes.
pub const MADE_BY_NODE: (&str, &str) = ("created-by", "zstack");
/// Every status an image made from a snapshot passes through (DescribeImages lists only
/// Available ones unless asked).
const IMAGE_STATUSES: &str = "Creating,Waiting,Available,UnAvailable,CreateFailed";

fn snapshot_fields(dc: &str, s: &Snapshot, disks: &HashMap<String, String>) -> Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "snapshotId": s.snapshot_id, "name": s.snapshot_name, "description": s.description,
        "diskUuid": disks.get(&s.source_disk_id), "status": s.status, "aliyunSnapshotUsage": s.usage)
}

fn made_by_node(s: &Snapshot) -> bool {
    s.tags.iter().any(|t| t.tag_key == MADE_BY_NODE.0 && t.tag_value == MADE_BY_NODE.1)
}

async fn remote_snapshot(remote: &Remote, id: &str) -> ApiResult<Option<Snapshot>> {
    let request = DescribeSnapshotsRequest { snapshot_ids: vec![id.to_string()], ..Default::default() };
    Ok(remote.client.describe_snapshots(&remote.region, &request).await.map_err(aliyun_error)?.snapshots.into_iter().next())
}

/// What taking one snapshot carries from step to step.
struct Create {
    app: App,
    remote: Remote,
    request: CreateSnapshotRequest,
    uuid: String,
    disk: Inventory,
    snapshot_id: Option<String>,
    snapshot: Option<Snapshot>,
}

fn take_snapshot(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (remote, request) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.request.clone())
        };
        let answer = remote.client.create_snapshot(&remote.region, &request).await.map_err(aliyun_error)?;
        ctx.borrow_mut().snapshot_id = Some(answer.snapshot_id);
        Ok(())
    })
}

fn undo_take_snapshot(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (remote, id) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.snapshot_id.clone())
        };
        if let Some(id) = id {
            undo_logged("CreateSnapshot", remote.client.delete_snapshot(&remote.region, &id, true).await).await;
        }
    })
}

fn wait_accomplished(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, remote, id) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.snapshot_id.clone().unwrap_or_default())
        };
        let end = wait_for_status(&app, &format!("snapshot {id}"), &["accomplished", "failed"], || async {
            remote_snapshot(&remote, &id).await?.map(|s| s.status).ok_or_else(|| ApiError::operation(format!("the snapshot {id} disappeared from Alibaba Cloud")))
        })
        .await?;
        if end != "accomplished" {
            return Err(ApiError::operation(format!("Alibaba Cloud could not take the snapshot {id}: its status is {end}")));
        }
        ctx.borrow_mut().snapshot = remote_snapshot(&remote, &id).await?;
        Ok(())
    })
}

fn record_snapshot(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, dc, inv) = {
            let c = ctx.borrow();
            let s = c.snapshot.as_ref().ok_or_else(|| ApiError::operation("the new snapshot vanished"))?;
            let dc = field(&c.disk, "dataCenterUuid");
            let disks = HashMap::from([(field(&c.disk, "diskId"), field(&c.disk, "uuid"))]);
            let mut fields = snapshot_fields(&dc, s, &disks);
            fields.insert("uuid".into(), json!(c.uuid));
            (c.app.clone(), dc, new_inv(Value::Object(fields)))
        };
        crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::ALIYUN_SNAPSHOT, inv).await
    })
}

fn undo_record_snapshot(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        if let Err(e) = hc::retire(&app, &app.dirs().hybrid.snapshot, &uuid, vec![]).await {
            log::warn!("removing the record of snapshot {uuid} failed: {e}");
        }
    })
}

/// `CreateAliyunSnapshotRemote`: a snapshot of an Alibaba Cloud disk the node knows.
pub async fn snapshot_create(app: App, req: Req) -> ApiResult<Reply> {
    let disk = app.store.inv_must(&tables::ALIYUN_DISK, &req.must("diskUuid")?).await?;
    let name = req.must("name")?;
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &field(&disk, "dataCenterUuid")).await?;
    let request = CreateSnapshotRequest {
        disk_id: field(&disk, "diskId"),
        snapshot_name: Some(name),
        description: req.string("description"),
        tags: vec![(MADE_BY_NODE.0.to_string(), MADE_BY_NODE.1.to_string())],
        client_token: Some(client_token(&uuid)),
    };
    let ctx = std::rc::Rc::new(std::cell::RefCell::new(Create { app: app.clone(), remote, request, uuid: uuid.clone(), disk, snapshot_id: None, snapshot: None }));
    FlowChain::new(CREATE_SNAPSHOT)
        .step("take-snapshot", take_snapshot, Some(undo_take_snapshot))
        .step("wait-accomplished", wait_accomplished, None)
        .step("record-locally", record_snapshot, Some(undo_record_snapshot))
        .run(ctx, &app.faults)
        .await?;
    inv_reply(app.store.inv_must(&tables::ALIYUN_SNAPSHOT, &uuid).await?)
}

/// Every snapshot of the region (or the one `only` names), reconciled with the local records.
pub async fn snapshots_sync(app: &App, remote: &Remote, only: Option<&str>) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let disks = uuid_by_id(&app.store.inv_find(&tables::ALIYUN_DISK, "dataCenterUuid", dc).await?, "diskId");
    let filter = DescribeSnapshotsRequest { snapshot_ids: only.map(|id| vec![id.to_string()]).unwrap_or_default(), ..Default::default() };
    let snapshots = remote.client.describe_snapshots_all(&remote.region, &filter).await.map_err(aliyun_error)?;
    let local: Vec<Inventory> = app.store.inv_find(&tables::ALIYUN_SNAPSHOT, "dataCenterUuid", dc).await?.into_iter().filter(|l| only.is_none_or(|id| str_of(l, "snapshotId") == Some(id))).collect();
    let fields = snapshots.iter().map(|s| snapshot_fields(dc, s, &disks)).collect();
    reconcile(app, &app.dirs().hybrid.snapshot, hc::SNAPSHOT, "snapshotId", local, fields).await
}

/// `SyncAliyunSnapshotRemote`.
pub async fn snapshot_sync(app: App, req: Req) -> ApiResult<Reply> {
    let remote = for_data_center(&app, &req.must("dataCenterUuid")?).await?;
    let only = req.string("snapshotId");
    invs_reply(snapshots_sync(&app, &remote, only.as_deref()).await?.inventories, &tables::ALIYUN_SNAPSHOT)
}

/// `UpdateAliyunSnapshot`: name and description, on Alibaba Cloud then locally.
pub async fn snapshot_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let (name, description) = (req.string("name"), req.string("description"));
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.snapshot, &uuid, move |mut inv| {
        Box::pin(async move {
            if name.is_none() && description.is_none() {
                return Ok((inv, None));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            remote.client.modify_snapshot_attribute(&remote.region, &field(&inv, "snapshotId"), name.as_deref(), description.as_deref()).await.map_err(aliyun_error)?;
            if let Some(n) = name {
                inv.insert("name".into(), json!(n));
            }
            if let Some(d) = description {
                inv.insert("description".into(), json!(d));
            }
            Ok((inv.clone(), Some(inv)))
        })
    })
    .await?;
    inv_reply(inv)
}

/// `DeleteAliyunSnapshotFromRemote`: Alibaba refuses while images made from it exist
/// (`SnapshotCreatedImage`); the local record then stays.
pub async fn snapshot_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_remote_first(&app, &app.dirs().hybrid.snapshot, hc::SNAPSHOT, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.delete_snapshot(&remote.region, &field(&inv, "snapshotId"), false).await) })
    })
    .await
}

/// `GCAliyunSnapshotRemote`; see the module comment for what goes.
pub async fn snapshot_gc(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let force = DeleteMode::parse(req.str("deleteMode"))? == DeleteMode::Enforcing;
    let remote = for_data_center(&app, &dc).await?;
    let disks: HashSet<String> =
        remote.client.describe_disks_all(&remote.region, &DescribeDisksRequest::default()).await.map_err(aliyun_error)?.into_iter().map(|d| d.disk_id).collect();
    let snapshots = remote.client.describe_snapshots_all(&remote.region, &DescribeSnapshotsRequest::default()).await.map_err(aliyun_error)?;
    let mut remaining: HashSet<String> = snapshots.iter().map(|s| s.snapshot_id.clone()).collect();
    for s in snapshots.iter().filter(|s| made_by_node(s) && !disks.contains(&s.source_disk_id)) {
        if s.usage.contains("image") {
            log::info!("GC keeps snapshot {}: images were made from it", s.snapshot_id);
            continue;
        }
        match remote.client.delete_snapshot(&remote.region, &s.snapshot_id, force).await {
            Ok(_) => {
                remaining.remove(&s.snapshot_id);
            }
            Err(e) if e.is_not_found() => {
                remaining.remove(&s.snapshot_id);
            }
            // Without Force, Alibaba keeps snapshots disks were made from.
            Err(e) if !force && e.code() == Some("SnapshotCreatedDisk") => log::info!("GC keeps snapshot {}: {e}", s.snapshot_id),
            Err(e) => return Err(aliyun_error(e)),
        }
    }
    for local in app.store.inv_find(&tables::ALIYUN_SNAPSHOT, "dataCenterUuid", &dc).await? {
        if !remaining.contains(str_of(&local, "snapshotId").unwrap_or_default()) {
            hc::delete_local(&app, Node::new(hc::SNAPSHOT, field(&local, "uuid")), DeleteMode::Permissive).await?;
        }
    }
    Ok(Reply::Empty)
}

/// What making one image carries from step to step.
struct ImageCreate {
    app: App,
    remote: Remote,
    request: CreateImageRequest,
    uuid: String,
    dc: String,
    image_id: Option<String>,
    image: Option<Image>,
}

fn create_image(ctx: Shared<ImageCreate>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (remote, request) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.request.clone())
        };
        let answer = remote.client.create_image(&remote.region, &request).await.map_err(aliyun_error)?;
        ctx.borrow_mut().image_id = Some(answer.image_id);
        Ok(())
    })
}

fn undo_create_image(ctx: Shared<ImageCreate>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (remote, id) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.image_id.clone())
        };
        if let Some(id) = id {
            undo_logged("CreateImage", remote.client.delete_image(&remote.region, &id, true).await).await;
        }
    })
}

async fn remote_image(remote: &Remote, id: &str) -> ApiResult<Option<Image>> {
    let filter = DescribeImagesRequest { image_ids: vec![id.to_string()], status: Some(IMAGE_STATUSES.into()), ..Default::default() };
    Ok(remote.client.describe_images(&remote.region, &filter).await.map_err(aliyun_error)?.images.into_iter().next())
}

fn wait_image_available(ctx: Shared<ImageCreate>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, remote, id) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.image_id.clone().unwrap_or_default())
        };
        let end = wait_for_status(&app, &format!("image {id}"), &["Available", "CreateFailed", "UnAvailable"], || async {
            remote_image(&remote, &id).await?.map(|i| i.status).ok_or_else(|| ApiError::operation(format!("the image {id} disappeared from Alibaba Cloud")))
        })
        .await?;
        if end != "Available" {
            return Err(ApiError::operation(format!("Alibaba Cloud could not make the image {id}: its status is {end}")));
        }
        ctx.borrow_mut().image = remote_image(&remote, &id).await?;
        Ok(())
    })
}

fn record_image(ctx: Shared<ImageCreate>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, dc, inv) = {
            let c = ctx.borrow();
            let i = c.image.as_ref().ok_or_else(|| ApiError::operation("the new image vanished"))?;
            let fields = remote_fields!("uuid": c.uuid, "dataCenterUuid": c.dc, "ecsImageId": i.image_id, "name": i.image_name, "ecsImageSize": i.size,
                "platform": i.platform, "osType": i.os_type, "architecture": i.architecture, "type": "self", "status": i.status, "description": i.description);
            (c.app.clone(), c.dc.clone(), new_inv(Value::Object(fields)))
        };
        crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::ECS_IMAGE, inv).await
    })
}

fn undo_record_image(ctx: Shared<ImageCreate>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        if let Err(e) = hc::retire(&app, &app.dirs().hybrid.image, &uuid, vec![]).await {
            log::warn!("removing the record of ECS image {uuid} failed: {e}");
        }
    })
}

/// `CreateEcsImageFromEcsSnapshot`.
pub async fn image_create_from_snapshot(app: App, req: Req) -> ApiResult<Reply> {
    let snapshot = app.store.inv_must(&tables::ALIYUN_SNAPSHOT, &req.must("snapshotUuid")?).await?;
    let name = req.must("name")?;
    let uuid = req.resource_uuid()?;
    let dc = field(&snapshot, "dataCenterUuid");
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateImageRequest {
        snapshot_id: field(&snapshot, "snapshotId"),
        image_name: Some(name),
        description: req.string("description"),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let ctx = std::rc::Rc::new(std::cell::RefCell::new(ImageCreate { app: app.clone(), remote, request, uuid: uuid.clone(), dc, image_id: None, image: None }));
    FlowChain::new(CREATE_IMAGE_FROM_SNAPSHOT)
        .step("create-image", create_image, Some(undo_create_image))
        .step("wait-available", wait_image_available, None)
        .step("record-locally", record_image, Some(undo_record_image))
        .run(ctx, &app.faults)
        .await?;
    inv_reply(app.store.inv_must(&tables::ECS_IMAGE, &uuid).await?)
}
