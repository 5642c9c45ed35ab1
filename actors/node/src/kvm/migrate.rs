//! Moving local-storage volumes between KVM hosts: a running VM by live
//! migration (libvirt copies the volumes' top files along, ZStack's
//! `IncCopy`), a volume of a stopped VM or of none by copying its files
//! (`LocalStorageMigrateVolume`). Either way the snapshot files a volume rests
//! on are pulled by the destination's agent from the source's first, the
//! image a root volume is made from is cached at the destination, and only
//! when the move succeeded do the files' references name the new host and
//! the source's copies go; a failure removes what the destination got.

use super::local_storage::{self, agent_of, delete_file, host_of, is_local};
use super::{QUICK, SLOW};
use crate::app::App;
use crate::hypervisor::VmLaunch;
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use serde_json::json;
use zstack_agent_proto::{paths, AgentResponse, CreateEmptyVolumeCmd, FetchFilesCmd, LocalStorageResponse, MigrateVmCmd, NoCloudSeedCmd, NoCloudSeedResponse};
use zstack_kit::{ApiError, ApiResult};

/// One volume's files on its local storage.
struct VolumeFiles {
    volume: Inventory,
    ps: String,
    /// The file the volume is read and written through.
    top: String,
    /// Its snapshots' files (uuid, path): the chain the top rests on and any branches.
    snapshots: Vec<(String, String)>,
    /// What the top rests on: the latest snapshot's file, the cached image of
    /// a root volume, or nothing.
    backing: Option<String>,
}

impl VolumeFiles {
    async fn of(app: &App, volume: &Inventory) -> ApiResult<VolumeFiles> {
        let uuid = str_of(volume, "uuid").unwrap_or_default();
        let ps = str_of(volume, "primaryStorageUuid").unwrap_or_default().to_string();
        let snaps = app.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", uuid).await?;
        let latest = snaps.iter().find(|s| s.get("latest") == Some(&json!(true))).and_then(|s| str_of(s, "primaryStorageInstallPath").map(String::from));
        let backing = match (latest, str_of(volume, "type"), str_of(volume, "rootImageUuid")) {
            (Some(l), _, _) => Some(l),
            (None, Some("Root"), Some(image)) => {
                let p = local_storage::local_ps(app, &ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
                Some(local_storage::cache_path(&p, "template", image, "qcow2"))
            }
            _ => None,
        };
        Ok(VolumeFiles {
            top: str_of(volume, "installPath").unwrap_or_default().to_string(),
            snapshots: snaps.iter().filter_map(|s| Some((str_of(s, "uuid")?.to_string(), str_of(s, "primaryStorageInstallPath")?.to_string()))).collect(),
            backing,
            ps,
            volume: volume.clone(),
        })
    }

    fn uuid(&self) -> &str {
        str_of(&self.volume, "uuid").unwrap_or_default()
    }

    /// Bytes the volume and its snapshots hold on their host.
    async fn held(&self, app: &App) -> ApiResult<i64> {
        let mut total = 0;
        for owner in std::iter::once(self.uuid().to_string()).chain(self.snapshots.iter().map(|(u, _)| u.clone())) {
            total += app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", &owner).await?.iter().map(|r| i64_of(r, "size")).sum::<i64>();
        }
        Ok(total)
    }
}

/// What a move put on the destination, removed again if the move fails.
#[derive(Default)]
struct Placed {
    host: String,
    files: Vec<String>,
}

impl Placed {
    async fn remove(self, app: &App) {
        for f in self.files.iter().rev() {
            if let Err(e) = delete_file(app, &self.host, f).await {
                log::error!("rollback: cannot delete {f} on host {}: {e}", self.host);
            }
        }
    }
}

/// The destination agent pulls `files` from the source's.
async fn pull(app: &App, src: &str, dst: &str, files: Vec<String>) -> ApiResult<()> {
    if files.is_empty() {
        return Ok(());
    }
    let (from, to) = (agent_of(app, src)?, agent_of(app, dst)?);
    let cmd = FetchFilesCmd { source_url: from.base_url.clone(), source_token: from.token().to_string(), paths: files };
    let _: LocalStorageResponse = to.call(paths::LOCAL_STORAGE_FETCH_FILES, &cmd, SLOW).await?;
    Ok(())
}

/// The destination must be a connected KVM host of a cluster the storage is
/// attached to, with room for what moves.
async fn check_destination(app: &App, ps: &str, dst: &str, bytes: i64) -> ApiResult<()> {
    agent_of(app, dst)?;
    let host_ref = app.store.ref_find(&tables::LOCAL_STORAGE_HOST_REF, "primaryStorageUuid", ps, "hostUuid", dst).await?;
    let Some(host_ref) = host_ref else {
        return Err(ApiError::operation(format!("host[uuid:{dst}] has no part of local primary storage[uuid:{ps}]: its cluster is not attached to it")));
    };
    let held: i64 = app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "hostUuid", dst).await?.iter().filter(|r| str_of(r, "primaryStorageUuid") == Some(ps)).map(|r| i64_of(r, "size")).sum();
    let room = i64_of(&host_ref, "totalCapacity") - held;
    if room < bytes {
        return Err(ApiError::operation(format!("host[uuid:{dst}] has {room} bytes of local primary storage[uuid:{ps}] left, {bytes} needed")));
    }
    Ok(())
}

/// The destination gets what the volume's top rests on: the snapshot files
/// (pulled) and, for a root volume, the cached image. Records what it made.
async fn place_backing(app: &App, v: &VolumeFiles, src: &str, dst: &str, placed: &mut Placed) -> ApiResult<()> {
    if let (Some("Root"), Some(image)) = (str_of(&v.volume, "type"), str_of(&v.volume, "rootImageUuid")) {
        local_storage::template_cache(app, &v.ps, dst, image).await?;
    }
    let files: Vec<String> = v.snapshots.iter().map(|(_, p)| p.clone()).collect();
    pull(app, src, dst, files.clone()).await?;
    placed.files.extend(files);
    Ok(())
}

/// The files now live on `dst`: their references say so, the source's copies go.
async fn settle(app: &App, v: &VolumeFiles, src: &str, dst: &str) -> ApiResult<()> {
    let owners: Vec<String> = std::iter::once(v.uuid().to_string()).chain(v.snapshots.iter().map(|(u, _)| u.clone())).collect();
    let mut stmts = Vec::new();
    for owner in &owners {
        for mut r in app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", owner).await? {
            r.insert("hostUuid".into(), json!(dst));
            stmts.push(app.store.update_stmt(&tables::LOCAL_STORAGE_RESOURCE_REF, &r));
        }
    }
    app.store.db.write(stmts).await?;
    for f in std::iter::once(&v.top).chain(v.snapshots.iter().map(|(_, p)| p)) {
        if let Err(e) = delete_file(app, src, f).await {
            log::error!("volume {} moved to host {dst}: cannot delete its old file {f} on host {src}: {e}", v.uuid());
        }
    }
    Ok(())
}

/// Live-migrate a running VM from KVM host `src` to KVM host `dst`.
pub async fn vm_migrate(app: &App, vm: &Inventory, src: &str, dst: &str) -> ApiResult<()> {
    let vm_uuid = str_of(vm, "uuid").unwrap_or_default();
    let (from, to) = (agent_of(app, src)?, agent_of(app, dst)?);
    let dst_host = app.store.inv_must(&tables::HOST, dst).await?;
    let src_host = app.store.inv_must(&tables::HOST, src).await?;
    let launch = VmLaunch::of_vm(app, vm).await?;
    let user_data = app.store.tags_of(vm_uuid).await?.iter().find_map(|t| t.strip_prefix("userdata::").map(String::from));
    let mut volumes = Vec::new();
    for v in &launch.volumes {
        if is_local(app, str_of(v, "primaryStorageUuid").unwrap_or_default()).await? {
            let files = VolumeFiles::of(app, v).await?;
            check_destination(app, &files.ps, dst, files.held(app).await?).await?;
            volumes.push(files);
        }
    }
    // The destination needs the VM's bridges and ISOs before the VM arrives.
    crate::hypervisor::kvm_nics(app, &to, &launch.nics).await?;
    let root_ps = launch.volumes.first().and_then(|v| str_of(v, "primaryStorageUuid")).unwrap_or_default().to_string();
    for drive in app.store.inv_find(&tables::VM_CDROM, "vmInstanceUuid", vm_uuid).await? {
        if let Some(iso) = str_of(&drive, "isoUuid") {
            local_storage::iso_cache(app, &root_ps, dst, iso).await?;
        }
    }
    let mut placed = Placed { host: dst.to_string(), ..Default::default() };
    let seed = |remove: bool| NoCloudSeedCmd { vm_uuid: vm_uuid.into(), vm_name: launch.name.clone(), user_data: user_data.clone().unwrap_or_default(), remove };
    let mut seeded = false;
    let prepared = async {
        // The seed is made from the VM's user data by the destination itself.
        let destination_seed_path = match &user_data {
            Some(_) => {
                let r: NoCloudSeedResponse = to.call(paths::VM_NOCLOUD_SEED, &seed(false), QUICK).await?;
                seeded = true;
                Some(r.path.ok_or_else(|| ApiError::internal(format!("host[uuid:{dst}]'s agent named no NoCloud seed file")))?)
            }
            None => None,
        };
        for v in &volumes {
            place_backing(app, v, src, dst, &mut placed).await?;
            // An empty top of the same shape: libvirt copies the data into it.
            let cmd = CreateEmptyVolumeCmd { install_url: v.top.clone(), size: i64_of(&v.volume, "size").max(0) as u64, backing_file: v.backing.clone(), volume_uuid: Some(v.uuid().into()), ..Default::default() };
            let _: LocalStorageResponse = to.call(paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME, &cmd, SLOW).await?;
            placed.files.push(v.top.clone());
        }
        let cmd = MigrateVmCmd {
            vm_uuid: vm_uuid.into(),
            dest_host_ip: str_of(&dst_host, "managementIp").unwrap_or_default().into(),
            dest_host_management_ip: str_of(&dst_host, "managementIp").map(String::from),
            src_host_ip: str_of(&src_host, "managementIp").map(String::from),
            storage_migration_policy: (!volumes.is_empty()).then(|| "IncCopy".to_string()),
            auto_converge: true,
            timeout: Some(SLOW.as_secs()),
            destination_seed_path,
            ..Default::default()
        };
        let _: AgentResponse = from.call(paths::VM_MIGRATE, &cmd, SLOW).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(e) = prepared {
        if seeded {
            if let Err(r) = to.call::<_, NoCloudSeedResponse>(paths::VM_NOCLOUD_SEED, &seed(true), QUICK).await {
                log::error!("rollback: cannot remove the NoCloud seed of vm {vm_uuid} on host {dst}: {r}");
            }
        }
        placed.remove(app).await;
        return Err(e);
    }
    for v in &volumes {
        settle(app, v, src, dst).await?;
    }
    Ok(())
}

/// `LocalStorageMigrateVolume`: move a volume (its VM, if any, stopped) and
/// its snapshots to another host of the same local storage. Returns the
/// volume's new resource reference.
pub async fn volume_migrate(app: &App, volume: &Inventory, dst: &str) -> ApiResult<Inventory> {
    let uuid = str_of(volume, "uuid").unwrap_or_default().to_string();
    let ps = str_of(volume, "primaryStorageUuid").unwrap_or_default().to_string();
    if !is_local(app, &ps).await? {
        return Err(ApiError::invalid_argument(format!("volume[uuid:{uuid}] is not on local primary storage")));
    }
    if let Some(vm) = str_of(volume, "vmInstanceUuid") {
        let vm_inv = app.store.inv_must(&tables::VM_INSTANCE, vm).await?;
        if str_of(&vm_inv, "state") != Some("Stopped") {
            return Err(ApiError::operation(format!("volume[uuid:{uuid}] is used by vm[uuid:{vm}], which is {}: stop it first (a running VM moves with MigrateVm)", str_of(&vm_inv, "state").unwrap_or_default())));
        }
    }
    let src = host_of(app, &uuid).await?.ok_or_else(|| ApiError::operation(format!("volume[uuid:{uuid}] has no file on any host")))?;
    if src == dst {
        return Err(ApiError::invalid_argument(format!("volume[uuid:{uuid}] is already on host[uuid:{dst}]")));
    }
    agent_of(app, &src)?;
    let files = VolumeFiles::of(app, volume).await?;
    check_destination(app, &ps, dst, files.held(app).await?).await?;
    let mut placed = Placed { host: dst.to_string(), ..Default::default() };
    let moved = async {
        place_backing(app, &files, &src, dst, &mut placed).await?;
        pull(app, &src, dst, vec![files.top.clone()]).await?;
        placed.files.push(files.top.clone());
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(e) = moved {
        placed.remove(app).await;
        return Err(e);
    }
    settle(app, &files, &src, dst).await?;
    app.store.inv_find(&tables::LOCAL_STORAGE_RESOURCE_REF, "resourceUuid", &uuid).await?.into_iter().next().ok_or_else(|| ApiError::internal(format!("volume[uuid:{uuid}] lost its resource reference")))
}
