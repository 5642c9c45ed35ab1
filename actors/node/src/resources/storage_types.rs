//! NFS, shared-mount-point and Ceph primary storage, and SFTP and Ceph backup
//! storage, with ZStack's APIs and inventories. No NFS server or Ceph cluster
//! can be reached from this node yet, so these types are served by the
//! simulator's storage driver, as ZStack's own simulators serve them: they
//! attach to Simulator clusters only (KVM clusters refuse them with a clear
//! error), report the simulator's capacity and keep their volume files in the
//! simulator's journal.

use super::infra::{create_under, full_inventory, query};
use super::{new_inv, read, ZoneK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{eq, str_of};
use crate::tables;
use serde_json::{json, Value};
use zstack_kit::{ApiError, ApiResult};

/// What the simulator reports for storage that does not say its own size.
const SIMULATED_CAPACITY: i64 = 10 << 40;

pub const NFS: &str = "NFS";
pub const SMP: &str = "SharedMountPoint";
pub const CEPH: &str = "Ceph";
pub const SFTP: &str = "SftpBackupStorage";

/// Primary-storage types a cluster of this hypervisor can use.
pub fn ps_types_for(hypervisor: &str) -> &'static [&'static str] {
    match hypervisor {
        "KVM" => &[crate::kvm::local_storage::TYPE],
        _ => &["SimulatorPrimaryStorage", NFS, SMP, CEPH],
    }
}

/// One Ceph monitor from ZStack's mon URL: `user:password@host[:sshPort]/?monPort=port`.
fn mon_of(url: &str) -> ApiResult<Value> {
    let bad = || ApiError::invalid_argument(format!("monUrl[{url}] must look like sshUsername:sshPassword@hostname[:sshPort]/?monPort=6789"));
    let (cred, rest) = url.rsplit_once('@').ok_or_else(bad)?;
    let (user, password) = cred.split_once(':').ok_or_else(bad)?;
    let (hostport, query) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, ssh_port) = match hostport.split_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
        None => (hostport, 22),
    };
    let mon_port = match query.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("monPort=")) {
        Some(p) => p.parse::<u16>().map_err(|_| bad())?,
        None => 6789,
    };
    if user.is_empty() || password.is_empty() || host.is_empty() {
        return Err(bad());
    }
    Ok(json!({"monUuid": new_uuid(), "hostname": host, "monAddr": host, "sshPort": ssh_port, "sshUsername": user, "monPort": mon_port, "status": "Connected"}))
}

fn mons_of(req: &Req) -> ApiResult<Vec<Value>> {
    let urls = req.list("monUrls");
    if urls.is_empty() {
        return Err(ApiError::invalid_argument("monUrls must name at least one Ceph monitor"));
    }
    urls.iter().map(|u| mon_of(u)).collect()
}

async fn ps_add(app: App, req: Req, kind: &str, extra: Value) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let uuid = req.resource_uuid()?;
    let mut inv = new_inv(json!({"uuid": uuid, "zoneUuid": zone, "name": req.must("name")?, "url": req.str("url").unwrap_or("ceph://"), "description": req.str("description"),
        "totalCapacity": SIMULATED_CAPACITY, "availableCapacity": SIMULATED_CAPACITY, "totalPhysicalCapacity": SIMULATED_CAPACITY,
        "availablePhysicalCapacity": SIMULATED_CAPACITY, "systemUsedCapacity": 0, "type": kind, "state": "Enabled", "status": "Connected",
        "mountPath": req.str("url")}));
    if let Value::Object(m) = extra {
        inv.extend(m);
    }
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::PRIMARY_STORAGE, inv).await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::PRIMARY_STORAGE, &uuid).await?)))
}

pub async fn nfs_add(app: App, req: Req) -> ApiResult<Reply> {
    let url = req.must("url")?;
    match url.split_once(":/") {
        Some((host, _)) if !host.is_empty() && !host.contains('/') => {}
        _ => return Err(ApiError::invalid_argument(format!("url[{url}] is not an NFS export; use host:/path"))),
    }
    ps_add(app, req, NFS, json!({})).await
}

pub async fn smp_add(app: App, req: Req) -> ApiResult<Reply> {
    let url = req.must("url")?;
    if !url.starts_with('/') {
        return Err(ApiError::invalid_argument(format!("url[{url}] must be the absolute path where the shared filesystem is mounted on every host")));
    }
    ps_add(app, req, SMP, json!({})).await
}

pub async fn ceph_ps_add(app: App, req: Req) -> ApiResult<Reply> {
    let mons = mons_of(&req)?;
    let id = new_uuid();
    let pool = |field: &str, kind: &str, default: String| json!({"uuid": new_uuid(), "poolName": req.str(field).map(String::from).unwrap_or(default), "type": kind});
    let pools = json!([
        pool("rootVolumePoolName", "Root", format!("pri-v-r-{id}")),
        pool("dataVolumePoolName", "Data", format!("pri-v-d-{id}")),
        pool("imageCachePoolName", "ImageCache", format!("pri-c-{id}")),
    ]);
    ps_add(app, req, CEPH, json!({"mons": mons, "pools": pools, "fsid": uuid::Uuid::new_v4().to_string()})).await
}

pub async fn ceph_ps_add_mons(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let inv = read(&app.dirs().primary_storage, &uuid).await?;
    if str_of(&inv, "type") != Some(CEPH) {
        return Err(ApiError::invalid_argument(format!("primary storage[uuid:{uuid}] is not Ceph")));
    }
    let added = mons_of(&req)?;
    let inv = super::mutate(&app, &app.dirs().primary_storage, &uuid, move |s| {
        let mut mons = s.inv.get("mons").and_then(|m| m.as_array().cloned()).unwrap_or_default();
        for m in added {
            if mons.iter().any(|e| e["hostname"] == m["hostname"] && e["monPort"] == m["monPort"]) {
                return Err(ApiError::operation(format!("a monitor at {}:{} is already in the Ceph primary storage", m["hostname"], m["monPort"])));
            }
            mons.push(m);
        }
        s.set("mons", Value::Array(mons));
        Ok(s.inv.clone())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}

pub async fn ceph_ps_query(app: App, mut req: Req) -> ApiResult<Reply> {
    req.query.conditions.push(eq("type", CEPH));
    query(app, req, &tables::PRIMARY_STORAGE).await
}

async fn bs_add(app: App, req: Req, kind: &str, extra: Value) -> ApiResult<Reply> {
    let uuid = req.resource_uuid()?;
    let mut inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "url": req.str("url").unwrap_or("ceph://"), "description": req.str("description"),
        "totalCapacity": SIMULATED_CAPACITY, "availableCapacity": SIMULATED_CAPACITY, "type": kind, "state": "Enabled", "status": "Connected"}));
    if let Value::Object(m) = extra {
        inv.extend(m);
    }
    app.store.inv_insert(&tables::BACKUP_STORAGE, &inv).await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::BACKUP_STORAGE, &uuid).await?)))
}

pub async fn sftp_add(app: App, req: Req) -> ApiResult<Reply> {
    let url = req.must("url")?;
    if !url.starts_with('/') {
        return Err(ApiError::invalid_argument(format!("url[{url}] must be an absolute directory path on the SFTP host")));
    }
    let port = req.int("sshPort").unwrap_or(22);
    if !(1..=65535).contains(&port) {
        return Err(ApiError::invalid_argument(format!("sshPort[{port}] must be between 1 and 65535")));
    }
    let extra = json!({"hostname": req.must("hostname")?, "username": req.must("username")?, "sshPort": port});
    bs_add(app, req, SFTP, extra).await
}

pub async fn ceph_bs_add(app: App, req: Req) -> ApiResult<Reply> {
    let mons = mons_of(&req)?;
    let pool = req.str("poolName").map(String::from).unwrap_or_else(|| format!("bak-t-{}", new_uuid()));
    let extra = json!({"mons": mons, "poolName": pool, "fsid": uuid::Uuid::new_v4().to_string(),
        "poolAvailableCapacity": SIMULATED_CAPACITY, "poolUsedCapacity": 0, "poolReplicatedSize": 3, "poolSecurityPolicy": "Copy"});
    bs_add(app, req, CEPH, extra).await
}

async fn bs_query(app: App, mut req: Req, kind: &str) -> ApiResult<Reply> {
    req.query.conditions.push(eq("type", kind));
    query(app, req, &tables::BACKUP_STORAGE).await
}

pub async fn sftp_query(app: App, req: Req) -> ApiResult<Reply> {
    bs_query(app, req, SFTP).await
}

pub async fn ceph_bs_query(app: App, req: Req) -> ApiResult<Reply> {
    bs_query(app, req, CEPH).await
}

/// The simulated SFTP host is always reachable: reconnecting marks it Connected.
pub async fn sftp_reconnect(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let inv = read(&app.dirs().backup_storage, &uuid).await?;
    if str_of(&inv, "type") != Some(SFTP) {
        return Err(ApiError::invalid_argument(format!("backup storage[uuid:{uuid}] is not SFTP backup storage")));
    }
    let inv = super::mutate(&app, &app.dirs().backup_storage, &uuid, |s| {
        s.set("status", json!("Connected"));
        Ok(s.inv.clone())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}
