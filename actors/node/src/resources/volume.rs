//! Data volumes and volume snapshots. A data volume is created on a primary
//! storage (Ready) or without one (NotInstantiated, placed on the VM's
//! storage when first attached). Attaching is a flow with rollback, like VM
//! creation. Snapshots form one tree per volume (`treeUuid`, `parentUuid`,
//! `latest`, `distance`); deleting a snapshot deletes its descendants.

use super::infra::full_inventory;
use super::vm::{ps_release, HOLDS_HOST};
use super::{mutate, new_inv, read, Res, VmK, VolumeK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use futures::future::LocalBoxFuture;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use zstack_kit::actor::Cell;
use zstack_kit::error::codes;
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

fn inv_reply(inv: Inventory) -> ApiResult<Reply> {
    Ok(Reply::Inventory(Value::Object(inv)))
}

async fn volume_reply(app: &App, uuid: &str) -> ApiResult<Reply> {
    inv_reply(full_inventory(app, &tables::VOLUME, uuid).await?)
}

/// Take `size` bytes on a primary storage through its actor.
pub async fn ps_reserve(app: &App, ps: &str, size: i64) -> ApiResult<()> {
    ps_reserve_queued(app, ps, size).await?.await
}

/// Reserve capacity on the storage's actor; the commit is left to the caller to await.
pub async fn ps_reserve_queued(app: &App, ps: &str, size: i64) -> ApiResult<super::PendingCommit> {
    let a = app.clone();
    let ((), commit) = super::mutate_queued(app, &app.dirs().primary_storage, ps, move |s| {
        a.dirs().refuse_if_deleting(&[&s.string("uuid")])?;
        let avail = s.i64("availableCapacity");
        if s.str("state") != Some("Enabled") || s.str("status") != Some("Connected") {
            return Err(ApiError::operation(format!("primary storage[uuid:{}] is not Enabled and Connected", s.string("uuid"))));
        }
        if avail < size {
            return Err(ApiError::operation(format!("primary storage[uuid:{}] has {avail} bytes left, {size} needed", s.string("uuid"))));
        }
        s.set("availableCapacity", json!(avail - size));
        Ok(())
    })
    .await?;
    Ok(commit)
}

fn volume_path(ps: &str, volume: &str) -> String {
    format!("/simulator/{ps}/{volume}.qcow2")
}

/// Create the volume's file on the storage (capacity first, rolled back on
/// failure). Local storage needs the host the file goes to.
async fn instantiate(app: &App, ps: &str, host: Option<&str>, volume: &str, size: i64) -> ApiResult<String> {
    let local = crate::kvm::local_storage::is_local(app, ps).await?;
    let host = match (local, host) {
        (true, None) => {
            return Err(ApiError::invalid_argument(format!(
                "primary storage[uuid:{ps}] is local storage: say which host the volume goes on with the system tag localStorage::hostUuid::<uuid>, or attach it to a VM"
            )))
        }
        (_, h) => h.unwrap_or_default().to_string(),
    };
    ps_reserve(app, ps, size).await?;
    let created = if local {
        crate::kvm::local_storage::data_volume_create(app, ps, &host, volume, size).await
    } else {
        let path = volume_path(ps, volume);
        app.sim.volume_create(ps, &path, size).await.map(|_| path)
    };
    if created.is_err() {
        ps_release(app, ps, size).await?;
    }
    created
}

/// Operations that only the simulator's storage offers yet.
async fn refuse_on_local(app: &App, ps: &str, what: &str) -> ApiResult<()> {
    if crate::kvm::local_storage::is_local(app, ps).await? {
        return Err(ApiError::operation(format!("{what} is not supported on local primary storage[uuid:{ps}] yet")));
    }
    Ok(())
}

pub async fn data_volume_create(app: App, req: Req) -> ApiResult<Reply> {
    let (size, offering) = match req.str("diskOfferingUuid") {
        Some(o) => {
            let inv = read(&app.dirs().disk_offering, o).await?;
            if str_of(&inv, "state") != Some("Enabled") {
                return Err(ApiError::operation(format!("disk offering[uuid:{o}] is not Enabled")));
            }
            (i64_of(&inv, "diskSize"), Some(o.to_string()))
        }
        None => match req.int("diskSize") {
            Some(s) if s > 0 => (s, None),
            _ => return Err(ApiError::invalid_argument("give diskOfferingUuid or a positive diskSize")),
        },
    };
    let uuid = req.resource_uuid()?;
    let mut inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "diskOfferingUuid": offering,
        "type": "Data", "format": "qcow2", "size": size, "actualSize": 0, "state": "Enabled", "status": "NotInstantiated", "isShareable": false}));
    if let Some(ps) = req.str("primaryStorageUuid") {
        let host = req.system_tags.iter().find_map(|t| t.strip_prefix("localStorage::hostUuid::")).map(String::from);
        let path = instantiate(&app, ps, host.as_deref(), &uuid, size).await?;
        inv.insert("primaryStorageUuid".into(), json!(ps));
        inv.insert("installPath".into(), json!(path));
        inv.insert("status".into(), json!("Ready"));
        if let Err(e) = app.store.inv_insert(&tables::VOLUME, &inv).await {
            let _ = crate::hypervisor::volume_delete(&app, ps, &uuid, &path).await;
            ps_release(&app, ps, size).await?;
            return Err(e);
        }
    } else {
        app.store.inv_insert(&tables::VOLUME, &inv).await?;
    }
    super::compute::tags_create(&app, &uuid, "VolumeVO", &req).await?;
    volume_reply(&app, &uuid).await
}

pub async fn volume_update(app: App, req: Req) -> ApiResult<Reply> {
    super::infra::update(&app, &app.dirs().volume, &req, &[]).await
}

pub async fn volume_change_state(app: App, req: Req) -> ApiResult<Reply> {
    super::infra::change_state(&app, &app.dirs().volume, &req).await
}

// ---------- attach: a flow ----------

pub struct AttachCtx {
    pub app: App,
    pub vm: Inventory,
    pub volume: Inventory,
    pub ps: Option<String>,
    pub instantiated: Option<String>,
    pub device_id: Option<i64>,
    pub on_hypervisor: bool,
}

pub const ATTACH_VOLUME: &str = "attach-volume";

pub fn attach_volume_flow() -> FlowChain<AttachCtx> {
    FlowChain::new(ATTACH_VOLUME)
        .step("VmAllocatePrimaryStorageForAttachingDiskFlow", pick_storage, None)
        .step("VmInstantiateAttachingVolumeFlow", instantiate_attaching, Some(uninstantiate_attaching))
        .step("VmAssignDeviceIdToAttachingVolumeFlow", assign_device, Some(unassign_device))
        .step("VmAttachVolumeOnHypervisorFlow", attach_on_hypervisor, Some(detach_on_hypervisor))
}

fn pick_storage(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm, volume) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone(), c.volume.clone())
        };
        let root = app.store.inv_must(&tables::VOLUME, str_of(&vm, "rootVolumeUuid").unwrap_or_default()).await?;
        let root_ps = str_of(&root, "primaryStorageUuid").unwrap_or_default().to_string();
        let ps = match str_of(&volume, "primaryStorageUuid") {
            Some(p) => {
                // The VM's cluster must reach the volume's storage.
                let clusters = app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "clusterUuid", "primaryStorageUuid", &[p.to_string()]).await?;
                if !clusters.iter().any(|c| Some(c.as_str()) == str_of(&vm, "clusterUuid")) {
                    return Err(ApiError::operation(format!("volume is on primary storage[uuid:{p}] which the vm's cluster cannot reach")));
                }
                p.to_string()
            }
            None => root_ps,
        };
        c.borrow_mut().ps = Some(ps);
        Ok(())
    })
}

fn instantiate_attaching(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, volume, ps) = {
            let c = c.borrow();
            (c.app.clone(), c.volume.clone(), c.ps.clone().unwrap_or_default())
        };
        if str_of(&volume, "status") != Some("NotInstantiated") {
            return Ok(());
        }
        let uuid = str_of(&volume, "uuid").unwrap_or_default().to_string();
        let host = {
            let c = c.borrow();
            str_of(&c.vm, "hostUuid").or(str_of(&c.vm, "lastHostUuid")).map(String::from)
        };
        let path = instantiate(&app, &ps, host.as_deref(), &uuid, i64_of(&volume, "size")).await?;
        let mut c = c.borrow_mut();
        c.instantiated = Some(path.clone());
        c.volume.insert("primaryStorageUuid".into(), json!(ps));
        c.volume.insert("installPath".into(), json!(path));
        c.volume.insert("status".into(), json!("Ready"));
        Ok(())
    })
}

fn uninstantiate_attaching(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, path, ps, size) = {
            let mut c = c.borrow_mut();
            let path = c.instantiated.take();
            if path.is_some() {
                c.volume.remove("primaryStorageUuid");
                c.volume.remove("installPath");
                c.volume.insert("status".into(), json!("NotInstantiated"));
            }
            (c.app.clone(), path, c.ps.clone().unwrap_or_default(), i64_of(&c.volume, "size"))
        };
        let volume = str_of(&c.borrow().volume, "uuid").unwrap_or_default().to_string();
        if let Some(path) = path {
            if let Err(e) = crate::hypervisor::volume_delete(&app, &ps, &volume, &path).await {
                log::error!("rollback: cannot delete {path}: {e}");
            }
            if let Err(e) = ps_release(&app, &ps, size).await {
                log::error!("rollback: cannot release capacity: {e}");
            }
        }
    })
}

fn assign_device(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm) = {
            let c = c.borrow();
            (c.app.clone(), str_of(&c.vm, "uuid").unwrap_or_default().to_string())
        };
        let used: Vec<i64> = app.store.inv_find(&tables::VOLUME, "vmInstanceUuid", &vm).await?.iter().map(|v| i64_of(v, "deviceId")).collect();
        let id = (1..).find(|i| !used.contains(i)).unwrap_or(1);
        c.borrow_mut().device_id = Some(id);
        Ok(())
    })
}

fn unassign_device(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        c.borrow_mut().device_id = None;
    })
}

fn attach_on_hypervisor(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm, volume) = {
            let c = c.borrow();
            let mut volume = c.volume.clone();
            volume.insert("deviceId".into(), json!(c.device_id));
            (c.app.clone(), c.vm.clone(), volume)
        };
        if let Some(host) = str_of(&vm, "hostUuid").filter(|_| HOLDS_HOST.contains(&str_of(&vm, "state").unwrap_or_default())) {
            crate::hypervisor::vm_attach_volume(&app, host, str_of(&vm, "uuid").unwrap_or_default(), &volume).await?;
            c.borrow_mut().on_hypervisor = true;
        }
        Ok(())
    })
}

fn detach_on_hypervisor(c: Shared<AttachCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, vm, volume, was) = {
            let mut c = c.borrow_mut();
            let was = std::mem::take(&mut c.on_hypervisor);
            let mut volume = c.volume.clone();
            volume.insert("deviceId".into(), json!(c.device_id));
            (c.app.clone(), c.vm.clone(), volume, was)
        };
        if was {
            if let Err(e) = crate::hypervisor::vm_detach_volume(&app, str_of(&vm, "hostUuid").unwrap_or_default(), str_of(&vm, "uuid").unwrap_or_default(), &volume).await {
                log::error!("rollback: cannot detach volume {}: {e}", str_of(&volume, "uuid").unwrap_or_default());
            }
        }
    })
}

/// Attach a data volume; runs on the VM's actor (one operation per VM at a
/// time), the volume's record is written through its own actor.
pub async fn data_volume_attach(app: App, req: Req) -> ApiResult<Reply> {
    let vm_uuid = req.must("vmInstanceUuid")?;
    let volume_uuid = req.must("volumeUuid")?;
    let volume = read(&app.dirs().volume, &volume_uuid).await?;
    if str_of(&volume, "type") != Some("Data") {
        return Err(ApiError::operation(format!("volume[uuid:{volume_uuid}] is not a data volume")));
    }
    if str_of(&volume, "state") != Some("Enabled") || !matches!(str_of(&volume, "status"), Some("Ready") | Some("NotInstantiated")) {
        return Err(ApiError::operation(format!("volume[uuid:{volume_uuid}] must be Enabled and Ready or NotInstantiated")));
    }
    if let Some(other) = str_of(&volume, "vmInstanceUuid") {
        return Err(ApiError::operation(format!("volume[uuid:{volume_uuid}] is already attached to vm[uuid:{other}]")));
    }
    let a = app.clone();
    let volume_for_flow = volume.clone();
    let attached = app
        .dirs()
        .vm
        .ask(&vm_uuid, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let vm = cell.borrow().inv.clone();
                let state = str_of(&vm, "state").unwrap_or_default();
                if !matches!(state, "Running" | "Stopped" | "Paused") {
                    return Err(ApiError::operation(format!("unable to attach a volume to vm[uuid:{}]: its state is {state}", str_of(&vm, "uuid").unwrap_or_default())));
                }
                let ctx = Rc::new(RefCell::new(AttachCtx { app: a.clone(), vm, volume: volume_for_flow, ps: None, instantiated: None, device_id: None, on_hypervisor: false }));
                attach_volume_flow().run(ctx.clone(), &a.faults).await?;
                let c = ctx.borrow();
                let mut v = c.volume.clone();
                v.insert("vmInstanceUuid".into(), json!(str_of(&c.vm, "uuid")));
                v.insert("deviceId".into(), json!(c.device_id));
                v.insert("lastAttachDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                Ok(v)
            })
        })
        .await?;
    mutate(&app, &app.dirs().volume, &volume_uuid, move |s| {
        s.inv = attached;
        Ok(())
    })
    .await?;
    volume_reply(&app, &volume_uuid).await
}

/// Detach a data volume from its VM (idempotent when it is not attached).
pub async fn volume_detach(app: &App, volume_uuid: &str) -> ApiResult<()> {
    let volume = read(&app.dirs().volume, volume_uuid).await?;
    let Some(vm_uuid) = str_of(&volume, "vmInstanceUuid").map(String::from) else { return Ok(()) };
    if str_of(&volume, "type") == Some("Root") {
        return Err(ApiError::operation(format!("volume[uuid:{volume_uuid}] is a root volume and cannot be detached")));
    }
    let a = app.clone();
    let vu = volume_uuid.to_string();
    app.dirs()
        .vm
        .ask(&vm_uuid, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let vm = cell.borrow().inv.clone();
                if let Some(host) = str_of(&vm, "hostUuid").filter(|_| HOLDS_HOST.contains(&str_of(&vm, "state").unwrap_or_default())) {
                    let volume = a.store.inv_must(&tables::VOLUME, &vu).await?;
                    crate::hypervisor::vm_detach_volume(&a, host, str_of(&vm, "uuid").unwrap_or_default(), &volume).await?;
                }
                Ok(())
            })
        })
        .await
        .or_else(|e| if e.details.contains("does not exist") { Ok(()) } else { Err(e) })?;
    mutate(app, &app.dirs().volume, volume_uuid, move |s| {
        s.inv.remove("vmInstanceUuid");
        s.inv.remove("deviceId");
        s.set("lastVmInstanceUuid", json!(vm_uuid));
        s.set("lastDetachDate", json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
        Ok(())
    })
    .await
}

pub async fn data_volume_detach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    volume_detach(&app, &uuid).await?;
    volume_reply(&app, &uuid).await
}

/// `DeleteDataVolume`: detached and marked Deleted (volume.deletionPolicy Delay); `ExpungeDataVolume` removes it.
pub async fn data_volume_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    zstack_kit::cascade::DeleteMode::parse(req.str("deleteMode"))?;
    let Some(v) = app.store.inv_get(&tables::VOLUME, &uuid).await? else { return Ok(Reply::Empty) };
    if str_of(&v, "type") == Some("Root") {
        return Err(ApiError::operation(format!("volume[uuid:{uuid}] is a root volume; delete its VM instead")));
    }
    volume_detach(&app, &uuid).await?;
    mutate(&app, &app.dirs().volume, &uuid, |s| {
        s.set("status", json!("Deleted"));
        Ok(())
    })
    .await?;
    Ok(Reply::Empty)
}

/// Remove a volume for good: its snapshots, its file, its capacity, its row.
pub async fn volume_expunge(app: &App, uuid: &str) -> ApiResult<()> {
    for snap in app.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", uuid).await? {
        snapshot_remove(app, &snap).await?;
    }
    let a = app.clone();
    let u = uuid.to_string();
    app.dirs()
        .volume
        .ask(uuid, move |cell: Cell<Res<VolumeK>>| {
            Box::pin(async move {
                let v = cell.borrow().inv.clone();
                if let (Some(ps), Some(path)) = (str_of(&v, "primaryStorageUuid"), str_of(&v, "installPath")) {
                    crate::hypervisor::volume_delete(&a, ps, &u, path).await?;
                    ps_release(&a, ps, i64_of(&v, "size")).await?;
                }
                a.store
                    .db
                    .write(vec![
                        a.store.delete_stmt(&tables::VOLUME_SNAPSHOT_TREE, "volumeUuid", &u),
                        a.store.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", &u),
                        a.store.delete_stmt(&tables::USER_TAG, "resourceUuid", &u),
                        a.store.delete_stmt(&tables::VOLUME, "uuid", &u),
                    ])
                    .await?;
                cell.borrow_mut().gone = true;
                Ok(())
            })
        })
        .await
}

pub async fn data_volume_expunge(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let v = read(&app.dirs().volume, &uuid).await?;
    if str_of(&v, "status") != Some("Deleted") {
        return Err(ApiError::operation(format!("volume[uuid:{uuid}] is not Deleted; delete it before expunging")));
    }
    volume_expunge(&app, &uuid).await?;
    Ok(Reply::Empty)
}

pub async fn data_volume_recover(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    mutate(&app, &app.dirs().volume, &uuid, |s| {
        if s.str("status") != Some("Deleted") {
            return Err(ApiError::operation(format!("volume[uuid:{}] is not Deleted", s.string("uuid"))));
        }
        let status = if s.str("installPath").is_some() { "Ready" } else { "NotInstantiated" };
        s.set("status", json!(status));
        Ok(())
    })
    .await?;
    volume_reply(&app, &uuid).await
}

/// Resize (grow only) a root or data volume; the storage gives the difference.
async fn resize(app: App, req: Req, want_type: &str) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let size = req.int("size").filter(|s| *s > 0).ok_or_else(|| ApiError::invalid_argument("size must be a positive number of bytes"))?;
    let v = read(&app.dirs().volume, &uuid).await?;
    if str_of(&v, "type") != Some(want_type) {
        return Err(ApiError::invalid_argument(format!("volume[uuid:{uuid}] is not a {want_type} volume")));
    }
    let old = i64_of(&v, "size");
    if size < old {
        return Err(ApiError::operation(format!("volume[uuid:{uuid}] is {old} bytes; shrinking to {size} is not supported")));
    }
    if let Some(ps) = str_of(&v, "primaryStorageUuid") {
        ps_reserve(&app, ps, size - old).await?;
    }
    mutate(&app, &app.dirs().volume, &uuid, move |s| {
        s.set("size", json!(size));
        Ok(())
    })
    .await?;
    volume_reply(&app, &uuid).await
}

pub async fn root_volume_resize(app: App, req: Req) -> ApiResult<Reply> {
    resize(app, req, "Root").await
}
pub async fn data_volume_resize(app: App, req: Req) -> ApiResult<Reply> {
    resize(app, req, "Data").await
}

pub async fn volume_sync_size(app: App, req: Req) -> ApiResult<Reply> {
    volume_reply(&app, &req.must("uuid")?).await
}

pub async fn volume_formats(_app: App, _req: Req) -> ApiResult<Reply> {
    let formats = json!([{"format": "qcow2", "masterHypervisorType": "KVM", "supportingHypervisorTypes": ["KVM", "Simulator"]},
        {"format": "raw", "masterHypervisorType": "KVM", "supportingHypervisorTypes": ["KVM", "Simulator"]}]);
    let mut m = serde_json::Map::new();
    m.insert("formats".into(), formats);
    Ok(Reply::Fields(m))
}

pub async fn volume_capabilities(app: App, req: Req) -> ApiResult<Reply> {
    read(&app.dirs().volume, &req.must("uuid")?).await?;
    let mut m = serde_json::Map::new();
    m.insert("capabilities".into(), json!({"MigrationInCurrentPrimaryStorage": false, "MigrationToOtherPrimaryStorage": false}));
    Ok(Reply::Fields(m))
}

/// VMs a data volume can be attached to: Running/Stopped/Paused, reaching its storage.
pub async fn data_volume_attachable_vms(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("volumeUuid")?;
    let v = read(&app.dirs().volume, &uuid).await?;
    let mut conds = vec![zstack_db::query::Condition { name: "state".into(), op: zstack_db::query::Op::In, value: Some("Running,Stopped,Paused".into()) }];
    if let Some(ps) = str_of(&v, "primaryStorageUuid") {
        let clusters = app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "clusterUuid", "primaryStorageUuid", &[ps.to_string()]).await?;
        conds.push(zstack_db::query::Condition { name: "clusterUuid".into(), op: zstack_db::query::Op::In, value: Some(clusters.join(",")) });
    }
    let vms = app.store.inv_query(&tables::VM_INSTANCE, &conds, &zstack_db::query::QueryOptions::default()).await?;
    Ok(Reply::Inventories { items: vms.into_iter().map(Value::Object).collect(), total: None, class: tables::VM_INSTANCE.inventory_class })
}

/// Data volumes a VM can take: detached, Enabled, Ready on a storage its cluster reaches, or NotInstantiated.
pub async fn vm_attachable_volumes(app: App, req: Req) -> ApiResult<Reply> {
    let vm = read(&app.dirs().vm, &req.must("vmInstanceUuid")?).await?;
    let clusters_ps = app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", "clusterUuid", &[str_of(&vm, "clusterUuid").unwrap_or_default().to_string()]).await?;
    let conds = vec![crate::store::eq("type", "Data"), crate::store::eq("state", "Enabled"), zstack_db::query::Condition { name: "vmInstanceUuid".into(), op: zstack_db::query::Op::IsNull, value: None }];
    let vols = app.store.inv_query(&tables::VOLUME, &conds, &zstack_db::query::QueryOptions::default()).await?;
    let ok = vols.into_iter().filter(|v| match str_of(v, "status") {
        Some("NotInstantiated") => true,
        Some("Ready") => str_of(v, "primaryStorageUuid").map(|p| clusters_ps.iter().any(|c| c == p)).unwrap_or(false),
        _ => false,
    });
    Ok(Reply::Inventories { items: ok.map(Value::Object).collect(), total: None, class: tables::VOLUME.inventory_class })
}

// ---------- snapshots ----------

/// Snapshot work on a volume of a VM runs on that VM's actor, so the VM is
/// not started, stopped or migrated while the volume's files change under
/// it (on a KVM host they do). A free volume's work runs as it is: the
/// volume's own actor serializes it.
async fn on_vm_of_volume<R, F>(app: &App, volume_uuid: &str, op: F) -> ApiResult<R>
where
    R: Send + 'static,
    F: FnOnce(App) -> LocalBoxFuture<'static, ApiResult<R>> + Send + 'static,
{
    let vm = app.store.inv_get(&tables::VOLUME, volume_uuid).await?.and_then(|v| str_of(&v, "vmInstanceUuid").map(String::from));
    let a = app.clone();
    match vm {
        Some(vm) => app.dirs().vm.ask(&vm, move |_cell: Cell<Res<VmK>>| op(a)).await,
        None => op(a).await,
    }
}

pub async fn snapshot_create(app: App, req: Req) -> ApiResult<Reply> {
    let (volume, name, description, uuid) = (req.must("volumeUuid")?, req.must("name")?, req.string("description"), req.resource_uuid()?);
    let v = volume.clone();
    let snap = on_vm_of_volume(&app, &volume, move |a| Box::pin(async move { snapshot_take(&a, &v, &name, description, uuid).await })).await?;
    inv_reply(snap)
}

/// Take a snapshot of a volume on the volume's actor (one at a time per volume).
pub async fn snapshot_take(app: &App, volume_uuid: &str, name: &str, description: Option<String>, snap_uuid: String) -> ApiResult<Inventory> {
    let (volume_uuid, name) = (volume_uuid.to_string(), name.to_string());
    let a = app.clone();
    let su = snap_uuid.clone();
    // On the volume's actor: snapshots of one volume are taken one at a time.
    app.dirs()
        .volume
        .ask(&volume_uuid, move |cell: Cell<Res<VolumeK>>| {
            Box::pin(async move {
                let v = cell.borrow().inv.clone();
                let vu = str_of(&v, "uuid").unwrap_or_default().to_string();
                let (Some(ps), Some("Ready")) = (str_of(&v, "primaryStorageUuid"), str_of(&v, "status")) else {
                    return Err(ApiError::operation(format!("volume[uuid:{vu}] is not instantiated and Ready")));
                };
                let existing = a.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", &vu).await?;
                let trees = a.store.inv_find(&tables::VOLUME_SNAPSHOT_TREE, "volumeUuid", &vu).await?;
                let mut stmts = Vec::new();
                let tree = match trees.iter().find(|t| t.get("current") == Some(&json!(true))) {
                    Some(t) => str_of(t, "uuid").unwrap_or_default().to_string(),
                    None => {
                        let t = new_inv(json!({"uuid": new_uuid(), "volumeUuid": vu, "current": true, "status": "Completed"}));
                        stmts.push(a.store.insert_stmt(&tables::VOLUME_SNAPSHOT_TREE, &t));
                        str_of(&t, "uuid").unwrap_or_default().to_string()
                    }
                };
                let parent = existing.iter().find(|s| s.get("latest") == Some(&json!(true)) && str_of(s, "treeUuid") == Some(tree.as_str())).cloned();
                if let Some(mut p) = parent.clone() {
                    p.insert("latest".into(), json!(false));
                    stmts.push(a.store.update_stmt(&tables::VOLUME_SNAPSHOT, &p));
                }
                // Local storage on a KVM host: the volume's file becomes the
                // snapshot and the volume continues in a new overlay.
                let taken = if crate::kvm::local_storage::is_local(&a, ps).await? { Some(crate::kvm::snapshot::take(&a, &v).await?) } else { None };
                let (path, size) = match &taken {
                    Some(t) => (t.snapshot_path.clone(), t.size),
                    None => (format!("/simulator/{ps}/snapshots/{su}.qcow2"), 0),
                };
                let snap = new_inv(json!({"uuid": su, "name": name, "description": description, "type": "Hypervisor", "volumeUuid": vu, "treeUuid": tree,
                    "parentUuid": parent.as_ref().and_then(|p| str_of(p, "uuid")), "primaryStorageUuid": ps, "primaryStorageInstallPath": path,
                    "volumeType": str_of(&v, "type"), "format": str_of(&v, "format"), "latest": true, "size": size,
                    "distance": parent.as_ref().map(|p| i64_of(p, "distance") + 1).unwrap_or(0), "state": "Enabled", "status": "Ready"}));
                stmts.push(a.store.insert_stmt(&tables::VOLUME_SNAPSHOT, &snap));
                let mut next = v.clone();
                match &taken {
                    Some(t) => {
                        stmts.push(a.store.insert_stmt(&tables::LOCAL_STORAGE_RESOURCE_REF, &crate::kvm::local_storage::resource_ref(ps, &t.host, &su, "VolumeSnapshotVO", t.size)));
                        next.insert("installPath".into(), json!(t.volume_path));
                        stmts.push(a.store.update_stmt(&tables::VOLUME, &next));
                    }
                    None => a.sim.volume_create(ps, &path, 0).await?,
                }
                if let Err(e) = a.store.db.write(stmts).await {
                    match &taken {
                        Some(t) => crate::kvm::snapshot::untake(&a, &v, t).await,
                        None => {
                            let _ = a.sim.volume_delete(ps, &path).await;
                        }
                    }
                    return Err(e);
                }
                cell.borrow_mut().inv = next;
                Ok(())
            })
        })
        .await?;
    app.store.inv_must(&tables::VOLUME_SNAPSHOT, &snap_uuid).await
}

pub async fn snapshot_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut s = app.store.inv_must(&tables::VOLUME_SNAPSHOT, &uuid).await?;
    super::apply_update(&mut s, &req.params, &[]);
    app.store.inv_update(&tables::VOLUME_SNAPSHOT, &s).await?;
    inv_reply(s)
}

/// Delete a snapshot's file and row (no descendants).
async fn snapshot_remove(app: &App, snap: &Inventory) -> ApiResult<()> {
    if let (Some(ps), Some(path)) = (str_of(snap, "primaryStorageUuid"), str_of(snap, "primaryStorageInstallPath")) {
        crate::hypervisor::volume_delete(app, ps, str_of(snap, "uuid").unwrap_or_default(), path).await?;
    }
    app.store.inv_delete(&tables::VOLUME_SNAPSHOT, str_of(snap, "uuid").unwrap_or_default()).await
}

/// Delete a snapshot and everything derived from it; its parent becomes the latest if it was on the chain.
pub async fn snapshot_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(snap) = app.store.inv_get(&tables::VOLUME_SNAPSHOT, &uuid).await? else { return Ok(Reply::Empty) };
    on_vm_of_volume(&app, str_of(&snap, "volumeUuid").unwrap_or_default(), move |a| Box::pin(async move { snapshot_delete_tree(&a, &uuid).await })).await?;
    Ok(Reply::Empty)
}

/// Delete a snapshot and its descendants; a group that held them notes it.
pub async fn snapshot_delete_tree(app: &App, uuid: &str) -> ApiResult<()> {
    let uuid = uuid.to_string();
    let Some(snap) = app.store.inv_get(&tables::VOLUME_SNAPSHOT, &uuid).await? else { return Ok(()) };
    let volume = str_of(&snap, "volumeUuid").unwrap_or_default().to_string();
    let a = app.clone();
    app.dirs()
        .volume
        .ask(&volume, move |cell: Cell<Res<VolumeK>>| {
            Box::pin(async move {
                let all = a.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", str_of(&snap, "volumeUuid").unwrap_or_default()).await?;
                let mut doomed = vec![uuid.clone()];
                let mut i = 0;
                while i < doomed.len() {
                    let p = doomed[i].clone();
                    doomed.extend(all.iter().filter(|s| str_of(s, "parentUuid") == Some(p.as_str())).filter_map(|s| str_of(s, "uuid").map(String::from)));
                    i += 1;
                }
                let had_latest = all.iter().any(|s| doomed.iter().any(|d| Some(d.as_str()) == str_of(s, "uuid")) && s.get("latest") == Some(&json!(true)));
                if let Some(ps) = str_of(&snap, "primaryStorageUuid").filter(|_| had_latest) {
                    if crate::kvm::local_storage::is_local(&a, ps).await? {
                        // The volume reads through them: merge them into its file first.
                        let v = cell.borrow().inv.clone();
                        crate::kvm::snapshot::unchain(&a, &v, &all, &snap).await?;
                    }
                }
                for s in all.iter().filter(|s| doomed.iter().any(|d| Some(d.as_str()) == str_of(s, "uuid"))) {
                    snapshot_remove(&a, s).await?;
                }
                for d in &doomed {
                    for mut r in a.store.inv_find(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotUuid", d).await? {
                        r.insert("snapshotDeleted".into(), json!(true));
                        a.store.inv_update(&tables::VOLUME_SNAPSHOT_GROUP_REF, &r).await?;
                    }
                }
                if had_latest {
                    if let Some(mut parent) = str_of(&snap, "parentUuid").and_then(|p| all.iter().find(|s| str_of(s, "uuid") == Some(p)).cloned()) {
                        parent.insert("latest".into(), json!(true));
                        a.store.inv_update(&tables::VOLUME_SNAPSHOT, &parent).await?;
                    }
                }
                Ok(())
            })
        })
        .await
}

pub async fn snapshot_batch_delete(app: App, req: Req) -> ApiResult<Reply> {
    let mut results = Vec::new();
    for uuid in req.list("uuids") {
        let mut sub = serde_json::Map::new();
        sub.insert("uuid".into(), json!(uuid));
        let r = Req { params: sub, system_tags: vec![], user_tags: vec![], session: req.session.clone(), query: Default::default(), api: req.api };
        let outcome = snapshot_delete(app.clone(), r).await;
        results.push(match outcome {
            Ok(_) => json!({"snapshotUuid": uuid, "success": true}),
            Err(e) => json!({"snapshotUuid": uuid, "success": false, "error": e}),
        });
    }
    let mut m = serde_json::Map::new();
    m.insert("results".into(), Value::Array(results));
    Ok(Reply::Fields(m))
}

/// Revert a volume to a snapshot: its VM must be stopped; new snapshots then branch from it.
pub async fn snapshot_revert(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let snap = app.store.inv_must(&tables::VOLUME_SNAPSHOT, &uuid).await?;
    let volume = on_vm_of_volume(&app, str_of(&snap, "volumeUuid").unwrap_or_default(), move |a| Box::pin(async move { snapshot_revert_to(&a, &uuid).await })).await?;
    inv_reply(full_inventory(&app, &tables::VOLUME, &volume).await?)
}

/// Make a snapshot the volume's current state (its VM must be stopped); returns the volume uuid.
pub async fn snapshot_revert_to(app: &App, uuid: &str) -> ApiResult<String> {
    let uuid = uuid.to_string();
    let snap = app.store.inv_must(&tables::VOLUME_SNAPSHOT, &uuid).await?;
    let volume = read(&app.dirs().volume, str_of(&snap, "volumeUuid").unwrap_or_default()).await?;
    if let Some(vm) = str_of(&volume, "vmInstanceUuid") {
        // From the store, not the VM's actor: callers may be running on it.
        let vm = app.store.inv_must(&tables::VM_INSTANCE, vm).await?;
        if str_of(&vm, "state") != Some("Stopped") {
            return Err(ApiError::new(codes::OPERATION, format!("vm[uuid:{}] must be Stopped to revert its volume", str_of(&vm, "uuid").unwrap_or_default())));
        }
    }
    let all = app.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", str_of(&snap, "volumeUuid").unwrap_or_default()).await?;
    let mut stmts = Vec::new();
    for mut s in all {
        let is_target = str_of(&s, "uuid") == Some(uuid.as_str());
        if (s.get("latest") == Some(&json!(true))) != is_target {
            s.insert("latest".into(), json!(is_target));
            stmts.push(app.store.update_stmt(&tables::VOLUME_SNAPSHOT, &s));
        }
    }
    let volume_uuid = str_of(&volume, "uuid").unwrap_or_default().to_string();
    let ps = str_of(&volume, "primaryStorageUuid").unwrap_or_default();
    if !crate::kvm::local_storage::is_local(app, ps).await? {
        app.store.db.write(stmts).await?;
        return Ok(volume_uuid);
    }
    // On a KVM host the volume continues in a new overlay on the snapshot's
    // file; its old top (never any snapshot's file) goes once that is recorded.
    let a = app.clone();
    let vu = volume_uuid.clone();
    app.dirs()
        .volume
        .ask(&volume_uuid, move |cell: Cell<Res<VolumeK>>| {
            Box::pin(async move {
                let v = cell.borrow().inv.clone();
                let new_top = crate::kvm::snapshot::revert(&a, &v, &snap).await?;
                let mut next = v.clone();
                next.insert("installPath".into(), json!(new_top));
                stmts.push(a.store.update_stmt(&tables::VOLUME, &next));
                if let Err(e) = a.store.db.write(stmts).await {
                    if let Err(d) = crate::kvm::snapshot::drop_old_top(&a, &v, &new_top).await {
                        log::error!("rollback: cannot delete {new_top}: {d}");
                    }
                    return Err(e);
                }
                cell.borrow_mut().inv = next;
                if let Some(old_top) = str_of(&v, "installPath") {
                    if let Err(e) = crate::kvm::snapshot::drop_old_top(&a, &v, old_top).await {
                        log::error!("revert of volume {vu}: cannot delete its old file {old_top}: {e}");
                    }
                }
                Ok(())
            })
        })
        .await?;
    Ok(volume_uuid)
}


// ---------- templates and volumes from them ----------

/// An image made from a volume or snapshot: the simulator backup storage stores its bits.
async fn template_from(app: &App, req: &Req, size: i64, media: &str, platform: Option<String>) -> ApiResult<Reply> {
    let mut bss = req.list("backupStorageUuids");
    if bss.is_empty() {
        let opts = zstack_db::query::QueryOptions { limit: Some(1), ..Default::default() };
        bss = app
            .store
            .inv_query(&tables::BACKUP_STORAGE, &[crate::store::eq("state", "Enabled")], &opts)
            .await?
            .iter()
            .filter_map(|b| str_of(b, "uuid").map(String::from))
            .collect();
    }
    if bss.is_empty() {
        return Err(ApiError::operation("no Enabled backup storage can hold the template"));
    }
    for bs in &bss {
        read(&app.dirs().backup_storage, bs).await?;
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "state": "Enabled", "status": "Ready",
        "size": size, "actualSize": size, "md5Sum": "not calculated", "url": format!("zstack://simulator/templates/{uuid}"), "mediaType": media,
        "guestOsType": req.str("guestOsType"), "type": "zstack", "platform": req.string("platform").or(platform).unwrap_or_else(|| "Linux".into()),
        "architecture": req.str("architecture").unwrap_or("x86_64"), "format": "qcow2", "system": req.bool("system").unwrap_or(false), "virtio": req.bool("virtio").unwrap_or(true)}));
    let mut stmts = vec![app.store.insert_stmt(&tables::IMAGE, &inv)];
    for bs in &bss {
        let r = new_inv(json!({"uuid": new_uuid(), "imageUuid": uuid, "backupStorageUuid": bs, "installPath": format!("zstack://simulator/templates/{uuid}"), "status": "Ready"}));
        stmts.push(app.store.insert_stmt(&tables::IMAGE_BACKUP_STORAGE_REF, &r));
    }
    app.store.db.write(stmts).await?;
    inv_reply(full_inventory(app, &tables::IMAGE, &uuid).await?)
}

pub async fn root_template_from_root_volume(app: App, req: Req) -> ApiResult<Reply> {
    let v = read(&app.dirs().volume, &req.must("rootVolumeUuid")?).await?;
    if str_of(&v, "type") != Some("Root") {
        return Err(ApiError::invalid_argument("the volume is not a root volume"));
    }
    if let Some(vm) = str_of(&v, "vmInstanceUuid") {
        let vm = read(&app.dirs().vm, vm).await?;
        if str_of(&vm, "state") != Some("Stopped") {
            return Err(ApiError::operation("stop the vm before making a template of its root volume"));
        }
    }
    let platform = match str_of(&v, "vmInstanceUuid") {
        Some(vm) => str_of(&read(&app.dirs().vm, vm).await?, "platform").map(String::from),
        None => None,
    };
    template_from(&app, &req, i64_of(&v, "size"), "RootVolumeTemplate", platform).await
}

pub async fn data_template_from_volume(app: App, req: Req) -> ApiResult<Reply> {
    let v = read(&app.dirs().volume, &req.must("volumeUuid")?).await?;
    if str_of(&v, "type") != Some("Data") || str_of(&v, "status") != Some("Ready") {
        return Err(ApiError::invalid_argument("the volume is not a Ready data volume"));
    }
    template_from(&app, &req, i64_of(&v, "size"), "DataVolumeTemplate", None).await
}

pub async fn root_template_from_snapshot(app: App, req: Req) -> ApiResult<Reply> {
    let snap = app.store.inv_must(&tables::VOLUME_SNAPSHOT, &req.must("snapshotUuid")?).await?;
    let volume = read(&app.dirs().volume, str_of(&snap, "volumeUuid").unwrap_or_default()).await?;
    template_from(&app, &req, i64_of(&volume, "size"), "RootVolumeTemplate", None).await
}

/// A Ready data volume of `size` bytes on `ps`.
async fn data_volume_on(app: &App, req: &Req, ps: &str, size: i64) -> ApiResult<Reply> {
    let uuid = req.resource_uuid()?;
    refuse_on_local(app, ps, "making a volume from a snapshot or template").await?;
    let path = instantiate(app, ps, None, &uuid, size).await?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "primaryStorageUuid": ps, "installPath": path,
        "type": "Data", "format": "qcow2", "size": size, "actualSize": 0, "state": "Enabled", "status": "Ready", "isShareable": false}));
    if let Err(e) = app.store.inv_insert(&tables::VOLUME, &inv).await {
        let _ = crate::hypervisor::volume_delete(app, ps, &uuid, &path).await;
        ps_release(app, ps, size).await?;
        return Err(e);
    }
    volume_reply(app, &uuid).await
}

pub async fn data_volume_from_template(app: App, req: Req) -> ApiResult<Reply> {
    let image = read(&app.dirs().image, &req.must("imageUuid")?).await?;
    if str_of(&image, "mediaType") != Some("DataVolumeTemplate") || str_of(&image, "status") != Some("Ready") {
        return Err(ApiError::invalid_argument("the image is not a Ready data volume template"));
    }
    data_volume_on(&app, &req, &req.must("primaryStorageUuid")?, i64_of(&image, "size")).await
}

pub async fn data_volume_from_snapshot(app: App, req: Req) -> ApiResult<Reply> {
    let snap = app.store.inv_must(&tables::VOLUME_SNAPSHOT, &req.must("volumeSnapshotUuid")?).await?;
    let volume = read(&app.dirs().volume, str_of(&snap, "volumeUuid").unwrap_or_default()).await?;
    let ps = req.string("primaryStorageUuid").or_else(|| str_of(&snap, "primaryStorageUuid").map(String::from)).unwrap_or_default();
    data_volume_on(&app, &req, &ps, i64_of(&volume, "size")).await
}

/// Backup storage that can take an image of this volume or snapshot: Enabled and Connected.
pub async fn candidate_backup_storage(app: App, _req: Req) -> ApiResult<Reply> {
    let conds = vec![crate::store::eq("state", "Enabled"), crate::store::eq("status", "Connected")];
    let bss = app.store.inv_query(&tables::BACKUP_STORAGE, &conds, &zstack_db::query::QueryOptions::default()).await?;
    Ok(Reply::Inventories { items: bss.into_iter().map(Value::Object).collect(), total: None, class: tables::BACKUP_STORAGE.inventory_class })
}

// ---------- snapshot groups ----------

/// `CreateVolumeSnapshotGroup`: a snapshot of every volume of the VM whose
/// root volume is given, taken on the VM's actor so the VM does not change
/// in between; if one fails, the others taken are deleted.
pub async fn snapshot_group_create(app: App, req: Req) -> ApiResult<Reply> {
    let root = read(&app.dirs().volume, &req.must("rootVolumeUuid")?).await?;
    let vm = str_of(&root, "vmInstanceUuid").map(String::from).filter(|_| str_of(&root, "type") == Some("Root"));
    let Some(vm) = vm else {
        return Err(ApiError::invalid_argument("rootVolumeUuid must be the root volume of a VM"));
    };
    let (name, description, group_uuid) = (req.must("name")?, req.string("description"), req.resource_uuid()?);
    let a = app.clone();
    let g = group_uuid.clone();
    app.dirs()
        .vm
        .ask(&vm, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let vm_uuid = cell.borrow().string("uuid");
                let volumes = a.store.inv_find(&tables::VOLUME, "vmInstanceUuid", &vm_uuid).await?;
                let mut taken: Vec<Inventory> = Vec::new();
                for v in &volumes {
                    let vu = str_of(v, "uuid").unwrap_or_default().to_string();
                    match snapshot_take(&a, &vu, &name, description.clone(), new_uuid()).await {
                        Ok(s) => taken.push(s),
                        Err(e) => {
                            for s in &taken {
                                let _ = snapshot_delete_tree(&a, str_of(s, "uuid").unwrap_or_default()).await;
                            }
                            return Err(e);
                        }
                    }
                }
                let group = new_inv(json!({"uuid": g, "name": name, "description": description, "vmInstanceUuid": vm_uuid, "snapshotsNum": taken.len()}));
                let mut stmts = vec![a.store.insert_stmt(&tables::VOLUME_SNAPSHOT_GROUP, &group)];
                for (s, v) in taken.iter().zip(&volumes) {
                    let r = new_inv(json!({"uuid": new_uuid(), "volumeSnapshotGroupUuid": g, "volumeSnapshotUuid": str_of(s, "uuid"),
                        "volumeUuid": str_of(v, "uuid"), "volumeType": str_of(v, "type"), "deviceId": v.get("deviceId"), "snapshotDeleted": false}));
                    stmts.push(a.store.insert_stmt(&tables::VOLUME_SNAPSHOT_GROUP_REF, &r));
                }
                a.store.db.write(stmts).await
            })
        })
        .await?;
    inv_reply(full_inventory(&app, &tables::VOLUME_SNAPSHOT_GROUP, &group_uuid).await?)
}

fn group_results(outcomes: Vec<(String, String, ApiResult<()>)>) -> Reply {
    let results: Vec<Value> = outcomes
        .into_iter()
        .map(|(volume, snapshot, r)| match r {
            Ok(()) => json!({"volumeUuid": volume, "volumeSnapshotUuid": snapshot, "success": true}),
            Err(e) => json!({"volumeUuid": volume, "volumeSnapshotUuid": snapshot, "success": false, "error": e}),
        })
        .collect();
    let mut m = serde_json::Map::new();
    m.insert("results".into(), Value::Array(results));
    Reply::Fields(m)
}

/// `RevertVmFromSnapshotGroup`: every volume back to its snapshot in the group (the VM must be stopped).
pub async fn snapshot_group_revert(app: App, req: Req) -> ApiResult<Reply> {
    let group = app.store.inv_must(&tables::VOLUME_SNAPSHOT_GROUP, &req.must("uuid")?).await?;
    let vm_uuid = str_of(&group, "vmInstanceUuid").unwrap_or_default().to_string();
    let a = app.clone();
    // On the VM's actor: it stays stopped while its volumes are reverted.
    let outcomes = app
        .dirs()
        .vm
        .ask(&vm_uuid, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                if cell.borrow().str("state") != Some("Stopped") {
                    return Err(ApiError::operation(format!("vm[uuid:{}] must be Stopped to revert it", cell.borrow().string("uuid"))));
                }
                let mut outcomes = Vec::new();
                for r in a.store.inv_find(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotGroupUuid", str_of(&group, "uuid").unwrap_or_default()).await? {
                    let (volume, snap) = (str_of(&r, "volumeUuid").unwrap_or_default().to_string(), str_of(&r, "volumeSnapshotUuid").unwrap_or_default().to_string());
                    let outcome = if r.get("snapshotDeleted") == Some(&json!(true)) {
                        Err(ApiError::operation(format!("snapshot[uuid:{snap}] of the group was deleted")))
                    } else {
                        snapshot_revert_to(&a, &snap).await.map(|_| ())
                    };
                    outcomes.push((volume, snap, outcome));
                }
                Ok(outcomes)
            })
        })
        .await?;
    Ok(group_results(outcomes))
}

pub async fn snapshot_group_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(group) = app.store.inv_get(&tables::VOLUME_SNAPSHOT_GROUP, &uuid).await? else { return Ok(group_results(vec![])) };
    let mut outcomes = Vec::new();
    for r in app.store.inv_find(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotGroupUuid", &uuid).await? {
        let (volume, snap) = (str_of(&r, "volumeUuid").unwrap_or_default().to_string(), str_of(&r, "volumeSnapshotUuid").unwrap_or_default().to_string());
        outcomes.push((volume, snap.clone(), snapshot_delete_tree(&app, &snap).await));
    }
    app.store
        .db
        .write(vec![
            app.store.delete_stmt(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotGroupUuid", &uuid),
            app.store.delete_stmt(&tables::VOLUME_SNAPSHOT_GROUP, "uuid", str_of(&group, "uuid").unwrap_or_default()),
        ])
        .await?;
    Ok(group_results(outcomes))
}

pub async fn snapshot_group_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut g = app.store.inv_must(&tables::VOLUME_SNAPSHOT_GROUP, &uuid).await?;
    super::apply_update(&mut g, &req.params, &[]);
    app.store.inv_update(&tables::VOLUME_SNAPSHOT_GROUP, &g).await?;
    inv_reply(full_inventory(&app, &tables::VOLUME_SNAPSHOT_GROUP, &uuid).await?)
}
