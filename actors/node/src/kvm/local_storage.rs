//! Local primary storage: a directory on every KVM host of the clusters it
//! is attached to. Each host reports its own filesystem's capacity (one
//! LocalStorageHostRefVO per host); every volume file lives on one host
//! (LocalStorageResourceRefVO), so the node always knows which agent to ask.
//! Images are copied from backup storage into a per-storage cache once; root
//! volumes are qcow2 overlays on the cached image.

use super::{AgentClient, QUICK, SLOW};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::resources::infra::{create_under, full_inventory};
use crate::resources::{mutate, new_inv, ZoneK};
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use serde_json::{json, Value};
use std::sync::Arc;
use zstack_agent_proto::{
    paths, CreateEmptyVolumeCmd, CreateVolumeFromCacheCmd, DeleteBitsCmd, DownloadImageToCacheCmd, DownloadImageToCacheResponse, LocalStorageInitCmd,
    LocalStorageResponse,
};
use zstack_kit::{ApiError, ApiResult};

pub const TYPE: &str = "LocalStorage";

pub async fn ps_add(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let url = req.must("url")?;
    if !url.starts_with('/') || url.contains("..") {
        return Err(ApiError::invalid_argument(format!("url[{url}] must be an absolute path on the hosts")));
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "zoneUuid": zone, "name": req.must("name")?, "url": url, "description": req.str("description"),
        "totalCapacity": 0, "availableCapacity": 0, "totalPhysicalCapacity": 0, "availablePhysicalCapacity": 0, "systemUsedCapacity": 0,
        "type": TYPE, "state": "Enabled", "status": "Connected", "mountPath": url}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::PRIMARY_STORAGE, inv).await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::PRIMARY_STORAGE, &uuid).await?)))
}

pub async fn local_ps(app: &App, ps: &str) -> ApiResult<Option<Inventory>> {
    Ok(app.store.inv_get(&tables::PRIMARY_STORAGE, ps).await?.filter(|p| str_of(p, "type") == Some(TYPE)))
}

/// Whether a primary storage is local storage. A storage's type never
/// changes, so the answer is remembered: VM creation asks it for every VM.
pub async fn is_local(app: &App, ps: &str) -> ApiResult<bool> {
    if let Some(known) = app.kvm.local_storage_known(ps) {
        return Ok(known);
    }
    let local = local_ps(app, ps).await?.is_some();
    app.kvm.local_storage_learn(ps, local);
    Ok(local)
}

/// Initialise the storage directory on one host and record its capacity.
async fn init_on_host(app: &App, ps: &Inventory, host: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return Ok(()) };
    let ps_uuid = str_of(ps, "uuid").unwrap_or_default().to_string();
    let url = str_of(ps, "url").unwrap_or_default().to_string();
    let r: LocalStorageResponse = agent.call(paths::LOCAL_STORAGE_INIT, &LocalStorageInitCmd { path: url, host_uuid: Some(host.into()) }, QUICK).await?;
    let (total, avail) = (r.total_capacity.unwrap_or(0) as i64, r.available_capacity.unwrap_or(0) as i64);
    let existing = app.store.ref_find(&tables::LOCAL_STORAGE_HOST_REF, "primaryStorageUuid", &ps_uuid, "hostUuid", host).await?;
    let mut row = existing.clone().unwrap_or_else(|| new_inv(json!({"uuid": new_uuid(), "primaryStorageUuid": ps_uuid, "hostUuid": host})));
    for (k, v) in [("totalCapacity", total), ("availableCapacity", avail), ("totalPhysicalCapacity", total), ("availablePhysicalCapacity", avail)] {
        row.insert(k.into(), json!(v));
    }
    row.insert("systemUsedCapacity".into(), json!(total - avail));
    if existing.is_some() {
        app.store.inv_update(&tables::LOCAL_STORAGE_HOST_REF, &row).await?;
    } else {
        app.store.inv_insert(&tables::LOCAL_STORAGE_HOST_REF, &row).await?;
    }
    refresh_totals(app, &ps_uuid).await
}

/// The storage's totals are the sums over its hosts. What volumes hold is
/// accounted by reservations on the storage's actor, as for every storage
/// type, so a change of the total moves the available capacity by as much.
pub async fn refresh_totals(app: &App, ps: &str) -> ApiResult<()> {
    let refs = app.store.inv_find(&tables::LOCAL_STORAGE_HOST_REF, "primaryStorageUuid", ps).await?;
    let sum = |f: &str| refs.iter().map(|r| i64_of(r, f)).sum::<i64>();
    let (total, phys_avail) = (sum("totalCapacity"), sum("availablePhysicalCapacity"));
    mutate(app, &app.dirs().primary_storage, ps, move |s| {
        let delta = total - s.i64("totalCapacity");
        s.set("availableCapacity", json!((s.i64("availableCapacity") + delta).max(0)));
        s.set("totalCapacity", json!(total));
        s.set("totalPhysicalCapacity", json!(total));
        s.set("availablePhysicalCapacity", json!(phys_avail));
        Ok(())
    })
    .await
}

/// A KVM host joined a cluster: bring up every local storage of that cluster on it.
pub async fn host_joined(app: &App, host: &Inventory) -> ApiResult<()> {
    let cluster = str_of(host, "clusterUuid").unwrap_or_default().to_string();
    let host_uuid = str_of(host, "uuid").unwrap_or_default().to_string();
    for ps in app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", "clusterUuid", &[cluster]).await? {
        if let Some(p) = local_ps(app, &ps).await? {
            init_on_host(app, &p, &host_uuid).await?;
        }
    }
    Ok(())
}

/// A local storage was attached to a cluster: bring it up on the cluster's KVM hosts.
pub async fn cluster_attached(app: &App, ps: &str, cluster: &str) -> ApiResult<()> {
    let Some(p) = local_ps(app, ps).await? else { return Ok(()) };
    for h in app.store.inv_find(&tables::HOST, "clusterUuid", cluster).await? {
        init_on_host(app, &p, str_of(&h, "uuid").unwrap_or_default()).await?;
    }
    Ok(())
}

pub fn agent_of(app: &App, host: &str) -> ApiResult<Arc<AgentClient>> {
    app.kvm.agent(host).ok_or_else(|| ApiError::operation(format!("host[uuid:{host}] is not a connected KVM host: local storage needs its agent")))
}

/// The row saying that `resource` (a volume or snapshot) has a file of `size` bytes on `host`.
pub fn resource_ref(ps: &str, host: &str, resource: &str, kind: &str, size: i64) -> Inventory {
    new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource, "primaryStorageUuid": ps, "hostUuid": host, "resourceType": kind, "size": size}))
}

async fn record(app: &App, ps: &str, host: &str, resource: &str, kind: &str, size: i64) -> ApiResult<()> {
    app.store.inv_insert(&tables::LOCAL_STORAGE_RESOURCE_REF, &resource_ref(ps, host, resource, kind, size)).await
}

/// The host holding a local-storage volume.
pub async fn host_of(app: &App, resource: &str) -> ApiResult<Option<String>> {
    Ok(app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", resource).await?.first().and_then(|r| str_of(r, "hostUuid").map(String::from)))
}

/// Where a volume's file goes on a local storage.
pub fn volume_path(ps: &Inventory, volume: &str, root: bool) -> String {
    let dir = if root { "rootVolumes" } else { "dataVolumes" };
    format!("{}/{dir}/{volume}.qcow2", str_of(ps, "url").unwrap_or_default().trim_end_matches('/'))
}

/// A root volume on `host`: the image copied into the storage's cache (once),
/// then a qcow2 overlay on it. Returns the overlay's path.
pub async fn root_volume_create(app: &App, ps: &str, host: &str, volume: &Inventory, image: &str) -> ApiResult<String> {
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
    let agent = agent_of(app, host)?;
    let (cache, dl) = root_template(app, &agent, &p, image).await?;
    let vol = str_of(volume, "uuid").unwrap_or_default().to_string();
    let path = volume_path(&p, &vol, true);
    let _: LocalStorageResponse = agent
        .call(paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE, &CreateVolumeFromCacheCmd { template_path_in_cache: cache, install_url: path.clone(), volume_uuid: Some(vol.clone()) }, SLOW)
        .await?;
    let size = (dl.size as i64).max(i64_of(volume, "size"));
    if let Err(e) = record(app, ps, host, &vol, "VolumeVO", size).await {
        let _ = delete_file(app, host, &path).await;
        return Err(e);
    }
    Ok(path)
}

/// A root volume given a fresh start from `image` (re-imaging; its VM is
/// stopped): a new qcow2 overlay on the cached image, made beside the old
/// file on the host that holds the volume, so the old file stays until the
/// new one is recorded. Returns the host and the new file's path.
pub async fn root_volume_reimage(app: &App, volume: &Inventory, image: &str) -> ApiResult<(String, String)> {
    let vol = str_of(volume, "uuid").unwrap_or_default().to_string();
    let ps = str_of(volume, "primaryStorageUuid").unwrap_or_default();
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
    let host = host_of(app, &vol).await?.ok_or_else(|| ApiError::operation(format!("volume[uuid:{vol}] is on local storage but no host holds its file")))?;
    let agent = agent_of(app, &host)?;
    let (cache, _) = root_template(app, &agent, &p, image).await?;
    let path = format!("{}/rootVolumes/{vol}-{}.qcow2", str_of(&p, "url").unwrap_or_default().trim_end_matches('/'), new_uuid());
    let cmd = CreateVolumeFromCacheCmd { template_path_in_cache: cache, install_url: path.clone(), volume_uuid: Some(vol.clone()) };
    let _: LocalStorageResponse = agent.call(paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE, &cmd, SLOW).await?;
    Ok((host, path))
}

/// A volume's file on its host now holds `size` bytes (the host's share of the storage).
pub async fn resource_resize(app: &App, resource: &str, size: i64) -> ApiResult<()> {
    for mut r in app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", resource).await? {
        r.insert("size".into(), json!(size));
        app.store.inv_update(&tables::LOCAL_STORAGE_RESOURCE_REF, &r).await?;
    }
    Ok(())
}

/// An image's copy in the cache for root volumes to rest on; overlays rest
/// on qcow2 files only.
async fn root_template(app: &App, agent: &AgentClient, p: &Inventory, image: &str) -> ApiResult<(String, DownloadImageToCacheResponse)> {
    let (cache, dl) = cache_image(app, agent, p, image, "template", "qcow2").await?;
    if dl.format.as_deref().is_some_and(|f| f != "qcow2") {
        return Err(ApiError::operation(format!("image[uuid:{image}] is {}: local storage makes root volumes from qcow2 images only", dl.format.unwrap_or_default())));
    }
    Ok((cache, dl))
}

/// Where a local storage keeps its copy of an image (`dir`: "template" or "iso").
pub fn cache_path(p: &Inventory, dir: &str, image: &str, ext: &str) -> String {
    format!("{}/imagecache/{dir}/{image}.{ext}", str_of(p, "url").unwrap_or_default().trim_end_matches('/'))
}

/// Copy an image into the storage's cache on the agent's host (once; the
/// agent keeps a copy whose checksum matches). Returns the cached path.
async fn cache_image(app: &App, agent: &AgentClient, p: &Inventory, image: &str, dir: &str, ext: &str) -> ApiResult<(String, DownloadImageToCacheResponse)> {
    let (url, _format) = image_source(app, image).await?;
    let cache = cache_path(p, dir, image, ext);
    let cmd = DownloadImageToCacheCmd { url, install_path: cache.clone(), image_uuid: Some(image.into()), ..Default::default() };
    let dl: DownloadImageToCacheResponse = agent.call(paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE, &cmd, SLOW).await?;
    Ok((cache, dl))
}

/// A root volume template in the cache of a local storage on `host` (copied
/// there once), for an overlay to rest on.
pub async fn template_cache(app: &App, ps: &str, host: &str, image: &str) -> ApiResult<String> {
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
    let agent = agent_of(app, host)?;
    Ok(cache_image(app, &agent, &p, image, "template", "qcow2").await?.0)
}

/// An ISO in the cache of a local storage on `host`, for a CD-ROM drive.
pub async fn iso_cache(app: &App, ps: &str, host: &str, iso: &str) -> ApiResult<String> {
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::operation(format!("ISOs on KVM hosts are cached on local storage; primary storage[uuid:{ps}] is not")))?;
    let agent = agent_of(app, host)?;
    Ok(cache_image(app, &agent, &p, iso, "iso", "iso").await?.0)
}

/// An empty qcow2 data volume on `host`.
pub async fn data_volume_create(app: &App, ps: &str, host: &str, volume: &str, size: i64) -> ApiResult<String> {
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
    let agent = agent_of(app, host)?;
    let path = volume_path(&p, volume, false);
    let cmd = CreateEmptyVolumeCmd { install_url: path.clone(), size: size.max(0) as u64, volume_uuid: Some(volume.into()), ..Default::default() };
    let _: LocalStorageResponse = agent.call(paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME, &cmd, SLOW).await?;
    if let Err(e) = record(app, ps, host, volume, "VolumeVO", size).await {
        let _ = delete_file(app, host, &path).await;
        return Err(e);
    }
    Ok(path)
}

pub async fn delete_file(app: &App, host: &str, path: &str) -> ApiResult<()> {
    let agent = agent_of(app, host)?;
    let _: LocalStorageResponse = agent.call(paths::LOCAL_STORAGE_DELETE, &DeleteBitsCmd { path: path.into(), host_uuid: Some(host.into()) }, QUICK).await?;
    Ok(())
}

/// Delete the file of a volume or snapshot (`owner`) of this storage on the
/// host that holds it, and the owner's reference to that host.
pub async fn file_delete(app: &App, owner: &str, path: &str) -> ApiResult<()> {
    let Some(host) = host_of(app, owner).await? else { return Ok(()) };
    delete_file(app, &host, path).await?;
    app.store.db.write(vec![app.store.delete_stmt(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", owner)]).await
}

/// Where agents fetch an image from: its copy on an image store.
async fn image_source(app: &App, image: &str) -> ApiResult<(String, String)> {
    for r in app.store.inv_find(&tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", image).await? {
        let bs = str_of(&r, "backupStorageUuid").unwrap_or_default();
        let Some(b) = app.store.inv_get(&tables::BACKUP_STORAGE, bs).await? else { continue };
        if str_of(&b, "type") == Some(super::image_store::TYPE) {
            let path = str_of(&r, "installPath").unwrap_or_default();
            let format = app.store.inv_get(&tables::IMAGE, image).await?.and_then(|i| str_of(&i, "format").map(String::from)).unwrap_or_default();
            return Ok((super::image_store::download_url(app, bs, path), format));
        }
    }
    Err(ApiError::operation(format!("image[uuid:{image}] has no copy on an image store backup storage that KVM hosts can download from")))
}

/// `LocalStorageMigrateVolume`: the volume (its VM stopped) and its
/// snapshots move to another host of the storage. It runs on the VM's actor
/// when the volume is attached, so the VM cannot start meanwhile, and on the
/// volume's otherwise.
pub async fn volume_migrate(app: App, req: Req) -> ApiResult<Reply> {
    let volume_uuid = req.must("volumeUuid")?;
    let dst = req.must("destHostUuid")?;
    app.store.inv_must(&tables::HOST, &dst).await?;
    let volume = crate::resources::read(&app.dirs().volume, &volume_uuid).await?;
    let a = app.clone();
    let moved = match str_of(&volume, "vmInstanceUuid").map(String::from) {
        Some(vm) => {
            app.dirs()
                .vm
                .ask(&vm, move |_cell: zstack_kit::actor::Cell<crate::resources::Res<crate::resources::VmK>>| {
                    Box::pin(async move { super::migrate::volume_migrate(&a, &volume, &dst).await })
                })
                .await?
        }
        None => {
            app.dirs()
                .volume
                .ask(&volume_uuid, move |cell: zstack_kit::actor::Cell<crate::resources::Res<crate::resources::VolumeK>>| {
                    Box::pin(async move {
                        let v = cell.borrow().inv.clone();
                        super::migrate::volume_migrate(&a, &v, &dst).await
                    })
                })
                .await?
        }
    };
    Ok(Reply::Inventory(Value::Object(moved)))
}

/// `GetLocalStorageHostDiskCapacity`.
pub async fn host_disk_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let ps = req.must("primaryStorageUuid")?;
    local_ps(&app, &ps).await?.ok_or_else(|| ApiError::invalid_argument(format!("primary storage[uuid:{ps}] is not local storage")))?;
    let used = app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "primaryStorageUuid", &ps).await?;
    let mut out = Vec::new();
    for r in app.store.inv_find(&tables::LOCAL_STORAGE_HOST_REF, "primaryStorageUuid", &ps).await? {
        let host = str_of(&r, "hostUuid").unwrap_or_default();
        if req.str("hostUuid").is_some_and(|h| h != host) {
            continue;
        }
        let held: i64 = used.iter().filter(|u| str_of(u, "hostUuid") == Some(host)).map(|u| i64_of(u, "size")).sum();
        out.push(json!({"hostUuid": host, "totalCapacity": i64_of(&r, "totalCapacity"), "availableCapacity": (i64_of(&r, "totalCapacity") - held).max(0),
            "totalPhysicalCapacity": i64_of(&r, "totalPhysicalCapacity"), "availablePhysicalCapacity": i64_of(&r, "availablePhysicalCapacity")}));
    }
    Ok(Reply::Fields([("inventories".to_string(), Value::Array(out))].into_iter().collect()))
}

/// `CleanUpImageCacheOnPrimaryStorage`: drop the cached copies of images no
/// volume on this storage is made from (an overlay needs its backing file).
pub async fn image_cache_clean(app: App, req: Req) -> ApiResult<Reply> {
    let ps = req.must("uuid")?;
    let p = app.store.inv_must(&tables::PRIMARY_STORAGE, &ps).await?;
    if str_of(&p, "type") != Some(TYPE) {
        return Err(ApiError::invalid_argument(format!("primary storage[uuid:{ps}] is {}: only local storage keeps an image cache here", str_of(&p, "type").unwrap_or("?"))));
    }
    let in_use: std::collections::HashSet<String> =
        app.store.inv_find(&tables::VOLUME, "primaryStorageUuid", &ps).await?.iter().filter_map(|v| str_of(v, "rootImageUuid").map(String::from)).collect();
    let all = app.store.inv_query(&tables::IMAGE, &[], &zstack_db::query::QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() }).await?;
    let unused: Vec<String> = all.iter().filter_map(|i| str_of(i, "uuid")).filter(|u| !in_use.contains(*u)).map(String::from).collect();
    for r in app.store.inv_find(&tables::LOCAL_STORAGE_HOST_REF, "primaryStorageUuid", &ps).await? {
        let host = str_of(&r, "hostUuid").unwrap_or_default();
        if app.kvm.agent(host).is_none() {
            continue;
        }
        for image in &unused {
            delete_file(&app, host, &cache_path(&p, "template", image, "qcow2")).await?;
            delete_file(&app, host, &cache_path(&p, "iso", image, "iso")).await?;
        }
    }
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::PRIMARY_STORAGE, &ps).await?)))
}
