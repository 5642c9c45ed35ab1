//! Volume snapshots on the local storage of KVM hosts, ZStack's way: taking
//! a snapshot freezes the volume's current file (it becomes the snapshot) and
//! the volume continues in a new qcow2 overlay on it; a running VM switches
//! live (libvirt external disk-only snapshot). So a snapshot's parent is its
//! file's backing file, and the volume's chain is its latest snapshot and
//! that snapshot's ancestors. Reverting puts a new empty overlay on the
//! snapshot; deleting snapshots the volume still reads through first merges
//! them into the volume's file. The snapshot tree bookkeeping itself is the
//! same for every storage type (`resources::volume`).

use super::local_storage::{self, agent_of, delete_file, host_of, local_ps};
use super::SLOW;
use crate::api::new_uuid;
use crate::app::App;
use crate::store::{str_of, Inventory};
use zstack_agent_proto::{paths, AgentResponse, MergeSnapshotCmd, RevertVolumeFromSnapshotCmd, RevertVolumeFromSnapshotResponse, TakeSnapshotCmd, TakeSnapshotResponse};
use zstack_kit::{ApiError, ApiResult};

/// A snapshot just taken: the file it keeps and where the volume goes on.
pub struct Taken {
    pub host: String,
    pub snapshot_path: String,
    pub volume_path: String,
    pub size: i64,
}

/// The host holding a volume's files, or why there is none.
async fn host_of_volume(app: &App, volume: &Inventory) -> ApiResult<String> {
    let uuid = str_of(volume, "uuid").unwrap_or_default();
    host_of(app, uuid).await?.ok_or_else(|| ApiError::operation(format!("volume[uuid:{uuid}] is on local storage but no host holds its file")))
}

/// A new file name for the volume's top, beside its snapshots.
async fn new_top_path(app: &App, volume: &Inventory) -> ApiResult<String> {
    let ps = str_of(volume, "primaryStorageUuid").unwrap_or_default();
    let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
    Ok(format!("{}/snapshots/{}/{}.qcow2", str_of(&p, "url").unwrap_or_default().trim_end_matches('/'), str_of(volume, "uuid").unwrap_or_default(), new_uuid()))
}

/// Take a snapshot of a volume (on the volume's actor). A VM that runs the
/// volume keeps running: the agent switches it to the new overlay.
pub async fn take(app: &App, volume: &Inventory) -> ApiResult<Taken> {
    let host = host_of_volume(app, volume).await?;
    let agent = agent_of(app, &host)?;
    let current = str_of(volume, "installPath").unwrap_or_default().to_string();
    let overlay = new_top_path(app, volume).await?;
    let cmd = TakeSnapshotCmd {
        vm_uuid: str_of(volume, "vmInstanceUuid").map(String::from),
        volume_uuid: str_of(volume, "uuid").unwrap_or_default().into(),
        volume: crate::hypervisor::volume_to(volume),
        volume_install_path: Some(current.clone()),
        install_path: overlay.clone(),
        timeout: Some(SLOW.as_secs()),
        ..Default::default()
    };
    let r: TakeSnapshotResponse = agent.call(paths::VM_TAKE_SNAPSHOT, &cmd, SLOW).await?;
    Ok(Taken {
        host,
        snapshot_path: r.snapshot_install_path.unwrap_or(current),
        volume_path: r.new_volume_install_path.unwrap_or(overlay),
        size: r.size as i64,
    })
}

/// Undo a snapshot whose record could not be written. Offline the new
/// overlay is simply removed; a running VM already writes it, so it stays
/// (and the failure is logged with its path).
pub async fn untake(app: &App, volume: &Inventory, taken: &Taken) {
    let running = match str_of(volume, "vmInstanceUuid") {
        Some(vm) => app.store.inv_get(&crate::tables::VM_INSTANCE, vm).await.ok().flatten().map(|v| matches!(str_of(&v, "state"), Some("Running" | "Paused"))).unwrap_or(true),
        None => false,
    };
    if running {
        log::error!("snapshot of volume {:?} taken but not recorded: the VM now writes {}", str_of(volume, "uuid"), taken.volume_path);
        return;
    }
    if let Err(e) = delete_file(app, &taken.host, &taken.volume_path).await {
        log::error!("rollback: cannot delete {}: {e}", taken.volume_path);
    }
}

/// Revert a volume (its VM stopped) to a snapshot: a new empty overlay on the
/// snapshot's file. Returns the new top's path; the caller records it and
/// then drops the old top with [`drop_old_top`].
pub async fn revert(app: &App, volume: &Inventory, snap: &Inventory) -> ApiResult<String> {
    let host = host_of_volume(app, volume).await?;
    let agent = agent_of(app, &host)?;
    let cmd = RevertVolumeFromSnapshotCmd {
        snapshot_install_path: str_of(snap, "primaryStorageInstallPath").unwrap_or_default().into(),
        new_volume_install_path: Some(new_top_path(app, volume).await?),
        volume_uuid: str_of(volume, "uuid").map(String::from),
    };
    let r: RevertVolumeFromSnapshotResponse = agent.call(paths::LOCAL_STORAGE_REVERT_SNAPSHOT, &cmd, SLOW).await?;
    r.new_volume_install_path.or(cmd.new_volume_install_path).ok_or_else(|| ApiError::internal("the agent named no new volume file"))
}

/// Remove a top file the volume no longer uses (after a revert, or a revert
/// whose record failed). The top is never any snapshot's file.
pub async fn drop_old_top(app: &App, volume: &Inventory, path: &str) -> ApiResult<()> {
    let host = host_of_volume(app, volume).await?;
    delete_file(app, &host, path).await
}

/// Before `oldest` and its descendants go while the volume still reads
/// through them (the volume's latest snapshot is among them): merge them
/// into the volume's file so it keeps its data, on `oldest`'s parent (or,
/// with no parent, on what the first file was made on: the cached image of
/// a root volume, nothing for a data volume).
pub async fn unchain(app: &App, volume: &Inventory, all: &[Inventory], oldest: &Inventory) -> ApiResult<()> {
    let parent = str_of(oldest, "parentUuid").and_then(|p| all.iter().find(|s| str_of(s, "uuid") == Some(p)));
    let base = match parent {
        Some(parent) => str_of(parent, "primaryStorageInstallPath").map(String::from),
        None if str_of(volume, "type") == Some("Root") => {
            let ps = str_of(volume, "primaryStorageUuid").unwrap_or_default();
            let p = local_ps(app, ps).await?.ok_or_else(|| ApiError::internal(format!("primary storage[uuid:{ps}] is not local storage")))?;
            let image = str_of(volume, "rootImageUuid").ok_or_else(|| ApiError::operation(format!("root volume[uuid:{}] names no image to rebase on", str_of(volume, "uuid").unwrap_or_default())))?;
            Some(local_storage::cache_path(&p, "template", image, "qcow2"))
        }
        None => None,
    };
    let host = host_of_volume(app, volume).await?;
    let agent = agent_of(app, &host)?;
    let cmd = MergeSnapshotCmd {
        vm_uuid: str_of(volume, "vmInstanceUuid").map(String::from),
        volume: crate::hypervisor::volume_to(volume),
        full_rebase: base.is_none(),
        src_path: base,
        dest_path: str_of(volume, "installPath").unwrap_or_default().into(),
        timeout: Some(SLOW.as_secs()),
    };
    let _: AgentResponse = agent.call(paths::VM_MERGE_SNAPSHOT, &cmd, SLOW).await?;
    Ok(())
}
