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
use super::recovery::{noted, uuid_tags};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, delete_remote_first, deleted_or_gone, field, inv_reply, invs_reply, on_actor_write, relabelled, tables, undo_logged, uuid_by_id, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use futures::future::LocalBoxFuture;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use zstack_aliyun::ecs::{DescribeDisksRequest, DescribeImagesRequest, Image};
use zstack_aliyun::snapshot::{CreateImageRequest, CreateSnapshotRequest, DescribeSnapshotsRequest, Snapshot};
use zstack_db::TableSpec;
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

/// One of this file's create flows: make something on Alibaba Cloud, wait until Alibaba
/// has finished it, record it under its DataCenter. A failing step undoes itself and the
/// steps before it, so neither a remote resource nor a record is left behind.
trait Making: 'static {
    /// Alibaba's description of what was made.
    type Found: 'static;
    /// What is made, for messages.
    const WHAT: &'static str;
    /// The statuses that end the wait; the first is success.
    const ENDS: &'static [&'static str];
    /// Make it; Alibaba's id.
    fn make(&self, remote: Remote) -> LocalBoxFuture<'static, ApiResult<String>>;
    fn unmake(remote: Remote, id: String) -> LocalBoxFuture<'static, ()>;
    fn find(remote: Remote, id: String) -> LocalBoxFuture<'static, ApiResult<Option<Self::Found>>>;
    fn status(found: &Self::Found) -> String;
    /// The record's table and inventory.
    fn record(&self, found: &Self::Found, dc: &str, uuid: &str) -> (&'static TableSpec, Inventory);
    fn unrecord(app: App, uuid: String) -> LocalBoxFuture<'static, ApiResult<()>>;
}

struct Flow<M: Making> {
    app: App,
    remote: Remote,
    making: M,
    dc: String,
    /// The record's uuid, fixed by the API job (the ClientToken derives from it).
    uuid: String,
    id: Option<String>,
    found: Option<M::Found>,
}

fn make_step<M: Making>(ctx: Shared<Flow<M>>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let made = {
            let c = ctx.borrow();
            c.making.make(c.remote.clone())
        };
        let id = made.await?;
        ctx.borrow_mut().id = Some(id);
        Ok(())
    })
}

fn unmake_step<M: Making>(ctx: Shared<Flow<M>>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (remote, id) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.id.clone())
        };
        if let Some(id) = id {
            M::unmake(remote, id).await;
        }
    })
}

fn wait_step<M: Making>(ctx: Shared<Flow<M>>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, remote, id) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.id.clone().unwrap_or_default())
        };
        let what = format!("{} {id}", M::WHAT);
        let end = wait_for_status(&app, &what, M::ENDS, || async {
            let found = M::find(remote.clone(), id.clone()).await?;
            found.map(|f| M::status(&f)).ok_or_else(|| ApiError::operation(format!("the {what} disappeared from Alibaba Cloud")))
        })
        .await?;
        if end != M::ENDS[0] {
            return Err(ApiError::operation(format!("Alibaba Cloud could not make the {what}: its status is {end}")));
        }
        ctx.borrow_mut().found = M::find(remote, id).await?;
        Ok(())
    })
}

fn record_step<M: Making>(ctx: Shared<Flow<M>>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, dc, (spec, inv)) = {
            let c = ctx.borrow();
            let found = c.found.as_ref().ok_or_else(|| ApiError::operation(format!("the new {} vanished", M::WHAT)))?;
            (c.app.clone(), c.dc.clone(), c.making.record(found, &c.dc, &c.uuid))
        };
        crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, spec, inv).await
    })
}

fn unrecord_step<M: Making>(ctx: Shared<Flow<M>>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        if let Err(e) = M::unrecord(app, uuid.clone()).await {
            log::warn!("removing the record of {} {uuid} failed: {e}", M::WHAT);
        }
    })
}

/// Run a create flow named `chain` with the steps `make`, `wait` and `record-locally`.
async fn run_flow<M: Making>(chain: &'static str, make: &'static str, wait: &'static str, flow: Flow<M>) -> ApiResult<()> {
    let app = flow.app.clone();
    FlowChain::new(chain)
        .step(make, make_step::<M>, Some(unmake_step::<M>))
        .step(wait, wait_step::<M>, None)
        .step("record-locally", record_step::<M>, Some(unrecord_step::<M>))
        .run(std::rc::Rc::new(std::cell::RefCell::new(flow)), &app.faults)
        .await
}

/// A snapshot of a disk the node knows.
struct TakeSnapshot {
    request: CreateSnapshotRequest,
    disk: Inventory,
}

impl Making for TakeSnapshot {
    type Found = Snapshot;
    const WHAT: &'static str = "snapshot";
    const ENDS: &'static [&'static str] = &["accomplished", "failed"];

    fn make(&self, remote: Remote) -> LocalBoxFuture<'static, ApiResult<String>> {
        let request = self.request.clone();
        Box::pin(async move { Ok(remote.client.create_snapshot(&remote.region, &request).await.map_err(aliyun_error)?.snapshot_id) })
    }

    fn unmake(remote: Remote, id: String) -> LocalBoxFuture<'static, ()> {
        Box::pin(async move { undo_logged("CreateSnapshot", remote.client.delete_snapshot(&remote.region, &id, true).await).await })
    }

    fn find(remote: Remote, id: String) -> LocalBoxFuture<'static, ApiResult<Option<Snapshot>>> {
        Box::pin(async move { remote_snapshot(&remote, &id).await })
    }

    fn status(found: &Snapshot) -> String {
        found.status.clone()
    }

    fn record(&self, found: &Snapshot, dc: &str, uuid: &str) -> (&'static TableSpec, Inventory) {
        let disks = HashMap::from([(field(&self.disk, "diskId"), field(&self.disk, "uuid"))]);
        let mut fields = snapshot_fields(dc, found, &disks);
        fields.insert("uuid".into(), json!(uuid));
        (&tables::ALIYUN_SNAPSHOT, new_inv(Value::Object(fields)))
    }

    fn unrecord(app: App, uuid: String) -> LocalBoxFuture<'static, ApiResult<()>> {
        Box::pin(async move { hc::retire(&app, &app.dirs().hybrid.snapshot, &uuid, vec![]).await })
    }
}

/// `CreateAliyunSnapshotRemote`: a snapshot of an Alibaba Cloud disk the node knows.
pub async fn snapshot_create(app: App, req: Req) -> ApiResult<Reply> {
    let disk = app.store.inv_must(&tables::ALIYUN_DISK, &req.must("diskUuid")?).await?;
    let name = req.must("name")?;
    let uuid = req.resource_uuid()?;
    let dc = field(&disk, "dataCenterUuid");
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateSnapshotRequest {
        disk_id: field(&disk, "diskId"),
        snapshot_name: Some(name),
        description: req.string("description"),
        tags: [vec![(MADE_BY_NODE.0.to_string(), MADE_BY_NODE.1.to_string())], uuid_tags(&uuid)].concat(),
        client_token: Some(client_token(&uuid)),
    };
    let flow = Flow { app: app.clone(), remote, making: TakeSnapshot { request, disk }, dc: dc.clone(), uuid: uuid.clone(), id: None, found: None };
    noted(&app, hc::SNAPSHOT, &uuid, &dc, json!({}), run_flow(CREATE_SNAPSHOT, "take-snapshot", "wait-accomplished", flow)).await?;
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

/// Bring one snapshot's record up to date after something was made from it (its usage
/// changed); a failure is only logged, the next sync catches up.
pub async fn refresh(app: &App, remote: &Remote, snapshot_id: &str) {
    if let Err(e) = snapshots_sync(app, remote, Some(snapshot_id)).await {
        log::warn!("refreshing the record of snapshot {snapshot_id} failed: {e}");
    }
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
    let inv = on_actor_write(&app, &app.dirs().hybrid.snapshot, &uuid, move |inv| {
        Box::pin(async move {
            if name.is_none() && description.is_none() {
                return Ok((inv, None));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            remote.client.modify_snapshot_attribute(&remote.region, &field(&inv, "snapshotId"), name.as_deref(), description.as_deref()).await.map_err(aliyun_error)?;
            Ok(relabelled(inv, name, description))
        })
    })
    .await?;
    inv_reply(inv)
}

/// `DeleteAliyunSnapshotFromRemote`: Alibaba refuses while images made from it exist
/// (`SnapshotCreatedImage`), and while disks made from it exist (`SnapshotCreatedDisk`)
/// unless `deleteMode` is Enforcing (Alibaba's `Force`: those disks can then no longer be
/// re-initialised); a refused delete leaves the local record.
pub async fn snapshot_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let force = DeleteMode::parse(req.str("deleteMode"))? == DeleteMode::Enforcing;
    delete_remote_first(&app, &app.dirs().hybrid.snapshot, hc::SNAPSHOT, &req.must("uuid")?, move |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.delete_snapshot(&remote.region, &field(&inv, "snapshotId"), force).await) })
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

/// A custom image from a snapshot.
struct MakeImage {
    request: CreateImageRequest,
}

impl Making for MakeImage {
    type Found = Image;
    const WHAT: &'static str = "image";
    const ENDS: &'static [&'static str] = &["Available", "CreateFailed", "UnAvailable"];

    fn make(&self, remote: Remote) -> LocalBoxFuture<'static, ApiResult<String>> {
        let request = self.request.clone();
        Box::pin(async move { Ok(remote.client.create_image(&remote.region, &request).await.map_err(aliyun_error)?.image_id) })
    }

    fn unmake(remote: Remote, id: String) -> LocalBoxFuture<'static, ()> {
        Box::pin(async move { undo_logged("CreateImage", remote.client.delete_image(&remote.region, &id, true).await).await })
    }

    fn find(remote: Remote, id: String) -> LocalBoxFuture<'static, ApiResult<Option<Image>>> {
        Box::pin(async move {
            let filter = DescribeImagesRequest { image_ids: vec![id], status: Some(IMAGE_STATUSES.into()), ..Default::default() };
            Ok(remote.client.describe_images(&remote.region, &filter).await.map_err(aliyun_error)?.images.into_iter().next())
        })
    }

    fn status(found: &Image) -> String {
        found.status.clone()
    }

    fn record(&self, i: &Image, dc: &str, uuid: &str) -> (&'static TableSpec, Inventory) {
        let fields = remote_fields!("uuid": uuid, "dataCenterUuid": dc, "ecsImageId": i.image_id, "name": i.image_name, "ecsImageSize": i.size,
            "platform": i.platform, "osType": i.os_type, "architecture": i.architecture, "type": "self", "status": i.status, "description": i.description);
        (&tables::ECS_IMAGE, new_inv(Value::Object(fields)))
    }

    fn unrecord(app: App, uuid: String) -> LocalBoxFuture<'static, ApiResult<()>> {
        Box::pin(async move { hc::retire(&app, &app.dirs().hybrid.image, &uuid, vec![]).await })
    }
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
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let flow = Flow { app: app.clone(), remote: remote.clone(), making: MakeImage { request }, dc: dc.clone(), uuid: uuid.clone(), id: None, found: None };
    // Recovery finds the image by its uuid tag; there is no uploaded file to remove.
    let made = run_flow(CREATE_IMAGE_FROM_SNAPSHOT, "create-image", "wait-available", flow);
    noted(&app, hc::IMAGE, &uuid, &dc, json!({}), made).await?;
    refresh(&app, &remote, &field(&snapshot, "snapshotId")).await;
    inv_reply(app.store.inv_must(&tables::ECS_IMAGE, &uuid).await?)
}
