//! VM instances: the create flow and the lifecycle operations. Every
//! operation on a VM runs on the VM's actor, so two operations on one VM
//! never interleave; capacity and addresses are taken from the host,
//! primary-storage and L3 actors, and every flow gives back what it took
//! when a later step fails.

use super::infra::full_inventory;
use super::network::{ip_allocate, ip_release, AllocatedIp};
use super::placement::HostRef;
use super::{mutate, new_inv, read, Res, VmK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::hypervisor::VmLaunch;
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use futures::future::LocalBoxFuture;
use rand::seq::SliceRandom;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use zstack_kit::actor::Cell;
use zstack_kit::error::codes;
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

/// States in which a VM holds capacity on its host.
pub const HOLDS_HOST: &[&str] = &["Starting", "Running", "Stopping", "Rebooting", "Pausing", "Paused", "Resuming", "Migrating", "Unknown"];

// ---------- capacity on host and primary storage actors ----------

pub async fn host_reserve(app: &App, host: &str, cpu: i64, mem: i64) -> ApiResult<Inventory> {
    let (inv, commit) = host_reserve_queued(app, host, cpu, mem).await?;
    commit.await?;
    Ok(inv)
}

/// Reserve capacity on the host's actor; the commit is left to the caller to await.
pub async fn host_reserve_queued(app: &App, host: &str, cpu: i64, mem: i64) -> ApiResult<(Inventory, super::PendingCommit)> {
    let a = app.clone();
    super::mutate_queued(app, &app.dirs().host, host, move |s| {
        let uuid = s.string("uuid");
        a.dirs().refuse_if_deleting(&[&uuid])?;
        if s.str("state") != Some("Enabled") || s.str("status") != Some("Connected") {
            return Err(ApiError::new(codes::NO_AVAILABLE_HOST, format!("host[uuid:{uuid}] is not Enabled and Connected")));
        }
        let (acpu, amem) = (s.i64("availableCpuCapacity"), s.i64("availableMemoryCapacity"));
        if acpu < cpu || amem < mem {
            return Err(ApiError::new(codes::NO_AVAILABLE_HOST, format!("host[uuid:{uuid}] has no cpu[{cpu}] and memory[{mem} bytes] left")));
        }
        s.set("availableCpuCapacity", json!(acpu - cpu));
        s.set("availableMemoryCapacity", json!(amem - mem));
        Ok(s.inv.clone())
    })
    .await
}

/// Take back capacity a rolled-back step had returned; no state check, since
/// the VM never left the host.
pub async fn host_take_back(app: &App, host: &str, cpu: i64, mem: i64) -> ApiResult<()> {
    let r = mutate(app, &app.dirs().host, host, move |s| {
        let (acpu, amem) = (s.i64("availableCpuCapacity"), s.i64("availableMemoryCapacity"));
        s.set("availableCpuCapacity", json!(acpu - cpu));
        s.set("availableMemoryCapacity", json!(amem - mem));
        Ok(())
    })
    .await;
    ignore_missing(r)
}

pub async fn host_release(app: &App, host: &str, cpu: i64, mem: i64) -> ApiResult<()> {
    let r = mutate(app, &app.dirs().host, host, move |s| {
        let cpu_now = (s.i64("availableCpuCapacity") + cpu).min(s.i64("totalCpuCapacity"));
        let mem_now = (s.i64("availableMemoryCapacity") + mem).min(s.i64("totalMemoryCapacity"));
        s.set("availableCpuCapacity", json!(cpu_now));
        s.set("availableMemoryCapacity", json!(mem_now));
        Ok(())
    })
    .await;
    ignore_missing(r)
}


pub async fn ps_release(app: &App, ps: &str, size: i64) -> ApiResult<()> {
    let r = mutate(app, &app.dirs().primary_storage, ps, move |s| {
        let now = (s.i64("availableCapacity") + size).min(s.i64("totalCapacity"));
        s.set("availableCapacity", json!(now));
        Ok(())
    })
    .await;
    ignore_missing(r)
}

/// Giving back to a resource that has been deleted meanwhile is not an error.
fn ignore_missing(r: ApiResult<()>) -> ApiResult<()> {
    match r {
        Err(e) if e.code == codes::INVALID_ARGUMENT.0 && e.details.contains("does not exist") => Ok(()),
        other => other,
    }
}

/// Write a VM that now runs on `host`, on the host's actor: a host that is
/// gone or being deleted (or any of `parents`) refuses, so a VM never lands
/// on a host after the host's deletion has listed its VMs.
pub async fn commit_on_host(app: &App, host: &str, parents: Vec<String>, vm: Inventory, mut also: Vec<zstack_db::Stmt>) -> ApiResult<()> {
    let a = app.clone();
    app.dirs()
        .host
        .ask(host, move |cell: Cell<Res<super::HostK>>| {
            Box::pin(async move {
                if cell.borrow().gone {
                    return Err(ApiError::new(codes::NO_AVAILABLE_HOST, "the host was deleted"));
                }
                let mut all: Vec<&str> = parents.iter().map(String::as_str).collect();
                let host_uuid = cell.borrow().string("uuid");
                all.push(&host_uuid);
                a.dirs().refuse_if_deleting(&all)?;
                also.insert(0, a.store.update_stmt(&tables::VM_INSTANCE, &vm));
                a.store.db.write(also).await
            })
        })
        .await
}

// ---------- host allocation ----------

/// What a VM asks of a host.
pub struct HostDemand<'a> {
    pub cpu: i64,
    pub memory: i64,
    pub l3s: &'a [String],
    pub zone: Option<String>,
    pub cluster: Option<String>,
    pub host: Option<String>,
    /// Only hosts of clusters this primary storage is attached to.
    pub primary_storage: Option<String>,
    /// Preferred host (start of a stopped VM: its last host).
    pub prefer: Option<String>,
}

/// Candidate hosts in allocation order, as ZStack's default allocator chain
/// filters them: attached L2s, designation, reachable storage. State, status
/// and capacity are checked by each host's actor when it reserves.
pub async fn host_candidates(app: &App, d: &HostDemand<'_>) -> ApiResult<Vec<Arc<HostRef>>> {
    let cands = app.dirs().placement.candidates(app, d.l3s).await?;
    let mut hosts: Vec<Arc<HostRef>> = cands
        .hosts
        .iter()
        .filter(|h| d.cluster.as_deref().map(|c| c == h.cluster).unwrap_or(true))
        .filter(|h| d.zone.as_deref().map(|z| z == h.zone).unwrap_or(true))
        .filter(|h| d.host.as_deref().map(|u| u == h.uuid).unwrap_or(true))
        .filter(|h| match &d.primary_storage {
            Some(ps) => cands.storage_of_cluster.get(&h.cluster).map(|l| l.contains(ps)).unwrap_or(false),
            None => true,
        })
        .cloned()
        .collect();
    if hosts.is_empty() {
        return Err(ApiError::new(
            codes::NO_AVAILABLE_HOST,
            "no host is in a cluster attached to the L2 networks of all the VM's L3 networks (and to its primary storage)",
        ));
    }
    hosts.shuffle(&mut rand::thread_rng());
    if let Some(p) = &d.prefer {
        hosts.sort_by_key(|h| h.uuid != *p);
    }
    Ok(hosts)
}

/// The primary storage of a cluster, in a stable order (designated one only, if any).
async fn storage_for_cluster(app: &App, l3s: &[String], cluster: &str, designated: Option<&str>) -> ApiResult<Vec<String>> {
    let cands = app.dirs().placement.candidates(app, l3s).await?;
    let mut list = cands.storage_of_cluster.get(cluster).cloned().unwrap_or_default();
    if let Some(d) = designated {
        list.retain(|p| p == d);
    }
    Ok(list)
}

// ---------- the create flow ----------

pub struct CreateVmCtx {
    pub app: App,
    pub vm: Inventory,
    pub l3s: Vec<String>,
    pub static_ips: HashMap<String, String>,
    pub root_size: i64,
    pub data_disks: Vec<(Option<String>, i64)>,
    pub designated_ps: Option<String>,
    pub host: Option<Inventory>,
    pub host_reserved: bool,
    pub ps: Option<String>,
    pub ps_reserved: i64,
    pub volumes: Vec<Inventory>,
    pub nics: Vec<Inventory>,
    pub ips: Vec<(String, String, AllocatedIp)>,
    pub files: Vec<(String, String, String)>,
    pub on_hypervisor: bool,
}

impl CreateVmCtx {
    fn vm_uuid(&self) -> String {
        str_of(&self.vm, "uuid").unwrap_or_default().to_string()
    }
    fn cpu(&self) -> i64 {
        i64_of(&self.vm, "cpuNum")
    }
    fn memory(&self) -> i64 {
        i64_of(&self.vm, "memorySize")
    }
}

pub const CREATE_VM: &str = "create-vm";

pub fn create_vm_flow() -> FlowChain<CreateVmCtx> {
    FlowChain::new(CREATE_VM)
        .step("VmAllocateHostAndPrimaryStorageFlow", allocate_host_and_ps, Some(release_host_and_ps))
        .step("VmAllocateVolumeFlow", allocate_volumes, Some(delete_volume_rows))
        .step("VmAllocateNicFlow", allocate_nics, Some(delete_nic_rows))
        .step("VmAllocateNicIpFlow", allocate_ips, Some(release_ips))
        .step("VmInstantiateResourcePreFlow", instantiate_volumes, Some(delete_volume_files))
        .step("VmCreateOnHypervisorFlow", create_on_hypervisor, Some(destroy_on_hypervisor))
        .step("VmInstantiateResourcePostFlow", finish_create, None)
}

fn allocate_host_and_ps(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, cpu, mem, l3s, size, designated_ps) = {
            let c = c.borrow();
            let size = c.root_size + c.data_disks.iter().map(|d| d.1).sum::<i64>();
            (c.app.clone(), c.cpu(), c.memory(), c.l3s.clone(), size, c.designated_ps.clone())
        };
        let demand = {
            let c = c.borrow();
            HostDemand {
                cpu,
                memory: mem,
                l3s: &[],
                zone: str_of(&c.vm, "zoneUuid").map(String::from),
                cluster: str_of(&c.vm, "clusterUuid").map(String::from),
                host: str_of(&c.vm, "hostUuid").map(String::from),
                primary_storage: designated_ps.clone(),
                prefer: None,
            }
        };
        let demand = HostDemand { l3s: &l3s, ..demand };
        let candidates = host_candidates(&app, &demand).await?;
        let mut full_storage: HashSet<String> = HashSet::new();
        let mut last_error = None;
        'hosts: for h in candidates {
            if app.dirs().refuse_if_deleting(&[&h.zone, &h.cluster, &h.uuid]).is_err() {
                continue;
            }
            let storage: Vec<String> = storage_for_cluster(&app, &l3s, &h.cluster, designated_ps.as_deref()).await?.into_iter().filter(|p| !full_storage.contains(p)).collect();
            if storage.is_empty() {
                continue;
            }
            // The host's and the storage's commits are awaited together (one wait, not two).
            let host_commit = match host_reserve_queued(&app, &h.uuid, cpu, mem).await {
                Ok((inv, commit)) => {
                    c.borrow_mut().host = Some(inv);
                    c.borrow_mut().host_reserved = true;
                    commit
                }
                Err(e) => {
                    last_error = Some(e);
                    continue;
                }
            };
            for ps in storage {
                match super::volume::ps_reserve_queued(&app, &ps, size).await {
                    Ok(ps_commit) => {
                        {
                            let mut c = c.borrow_mut();
                            c.ps = Some(ps);
                            c.ps_reserved = size;
                        }
                        futures::future::try_join(host_commit, ps_commit).await?;
                        return Ok(());
                    }
                    Err(e) => {
                        full_storage.insert(ps);
                        last_error = Some(e);
                    }
                }
            }
            host_release(&app, &h.uuid, cpu, mem).await?;
            let mut c = c.borrow_mut();
            c.host = None;
            c.host_reserved = false;
            continue 'hosts;
        }
        Err(last_error.unwrap_or_else(|| {
            ApiError::new(codes::NO_AVAILABLE_HOST, format!("no host with a primary storage able to hold {size} bytes is available"))
        }))
    })
}

fn release_host_and_ps(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, host, ps, size, cpu, mem) = {
            let mut c = c.borrow_mut();
            let host = if c.host_reserved { c.host.as_ref().and_then(|h| str_of(h, "uuid").map(String::from)) } else { None };
            c.host_reserved = false;
            let ps = c.ps.take();
            (c.app.clone(), host, ps, std::mem::take(&mut c.ps_reserved), c.cpu(), c.memory())
        };
        if let Some(h) = host {
            log_undo(host_release(&app, &h, cpu, mem).await);
        }
        if let Some(p) = ps {
            log_undo(ps_release(&app, &p, size).await);
        }
    })
}

pub(crate) fn log_undo(r: ApiResult<()>) {
    if let Err(e) = r {
        log::error!("rollback step failed: {e}");
    }
}

fn allocate_volumes(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, rows) = {
            let c = c.borrow();
            let vm = c.vm_uuid();
            let ps = c.ps.clone();
            let mut rows = vec![new_inv(json!({"uuid": new_uuid(), "name": format!("ROOT-for-{}", str_of(&c.vm, "name").unwrap_or_default()),
                "primaryStorageUuid": ps, "vmInstanceUuid": vm, "rootImageUuid": str_of(&c.vm, "imageUuid"), "type": "Root", "format": "qcow2",
                "size": c.root_size, "actualSize": 0, "deviceId": 0, "state": "Enabled", "status": "Creating", "isShareable": false}))];
            for (i, (offering, size)) in c.data_disks.iter().enumerate() {
                rows.push(new_inv(json!({"uuid": new_uuid(), "name": format!("DATA-for-{}", str_of(&c.vm, "name").unwrap_or_default()),
                    "primaryStorageUuid": ps, "vmInstanceUuid": vm, "diskOfferingUuid": offering, "type": "Data", "format": "qcow2",
                    "size": size, "actualSize": 0, "deviceId": i + 1, "state": "Enabled", "status": "Creating", "isShareable": false})));
            }
            (c.app.clone(), rows)
        };
        c.borrow_mut().volumes = rows.clone();
        app.store.db.write(rows.iter().map(|r| app.store.insert_stmt(&tables::VOLUME, r)).collect()).await
    })
}

fn delete_volume_rows(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, vols) = {
            let mut c = c.borrow_mut();
            (c.app.clone(), std::mem::take(&mut c.volumes))
        };
        let stmts = vols.iter().map(|v| app.store.delete_stmt(&tables::VOLUME, "uuid", str_of(v, "uuid").unwrap_or_default())).collect();
        log_undo(app.store.db.write(stmts).await);
    })
}

/// A NIC's MAC address, derived from its uuid (locally administered prefix `fa`).
pub fn mac_for(nic_uuid: &str) -> String {
    let b = nic_uuid.as_bytes();
    let h = |i: usize| u8::from_str_radix(std::str::from_utf8(&b[i..i + 2]).unwrap_or("00"), 16).unwrap_or(0);
    format!("fa:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", h(0), h(2), h(4), h(6), h(8))
}

fn allocate_nics(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, rows) = {
            let c = c.borrow();
            let vm = c.vm_uuid();
            let rows: Vec<Inventory> = c
                .l3s
                .iter()
                .enumerate()
                .map(|(i, l3)| {
                    let uuid = new_uuid();
                    new_inv(json!({"uuid": uuid, "vmInstanceUuid": vm, "l3NetworkUuid": l3, "mac": mac_for(&uuid), "hypervisorType": "Simulator",
                        "ipVersion": 4, "driverType": "virtio", "internalName": format!("vnic{}.{i}", &vm[..8.min(vm.len())]), "deviceId": i,
                        "type": "VNIC", "state": "enable"}))
                })
                .collect();
            (c.app.clone(), rows)
        };
        c.borrow_mut().nics = rows.clone();
        app.store.db.write(rows.iter().map(|r| app.store.insert_stmt(&tables::VM_NIC, r)).collect()).await
    })
}

fn delete_nic_rows(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, nics) = {
            let mut c = c.borrow_mut();
            (c.app.clone(), std::mem::take(&mut c.nics))
        };
        let stmts = nics.iter().map(|n| app.store.delete_stmt(&tables::VM_NIC, "uuid", str_of(n, "uuid").unwrap_or_default())).collect();
        log_undo(app.store.db.write(stmts).await);
    })
}

fn allocate_ips(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, nics, statics) = {
            let c = c.borrow();
            (c.app.clone(), c.nics.clone(), c.static_ips.clone())
        };
        let mut updated = Vec::new();
        for mut nic in nics {
            let l3 = str_of(&nic, "l3NetworkUuid").unwrap_or_default().to_string();
            let nic_uuid = str_of(&nic, "uuid").unwrap_or_default().to_string();
            let ip = ip_allocate(&app, &l3, &nic_uuid, statics.get(&l3).cloned()).await?;
            nic.insert("ip".into(), json!(ip.ip));
            nic.insert("netmask".into(), json!(ip.netmask));
            nic.insert("gateway".into(), json!(ip.gateway));
            c.borrow_mut().ips.push((l3, nic_uuid, ip));
            updated.push(nic);
        }
        // The NIC rows learn their addresses in the final commit (fewer round
        // trips); until then the used-IP rows hold them.
        c.borrow_mut().nics = updated;
        Ok(())
    })
}

fn release_ips(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, ips) = {
            let mut c = c.borrow_mut();
            (c.app.clone(), std::mem::take(&mut c.ips))
        };
        for (l3, _nic, ip) in ips {
            log_undo(ip_release(&app, &l3, &ip.used_ip_uuid, &ip.ip).await);
        }
    })
}

fn instantiate_volumes(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vols, ps, host, image) = {
            let c = c.borrow();
            let host = c.host.as_ref().and_then(|h| str_of(h, "uuid").map(String::from)).unwrap_or_default();
            (c.app.clone(), c.volumes.clone(), c.ps.clone().unwrap_or_default(), host, str_of(&c.vm, "imageUuid").unwrap_or_default().to_string())
        };
        let local = crate::kvm::local_storage::is_local(&app, &ps).await?;
        let mut ready = Vec::new();
        for mut v in vols {
            let uuid = str_of(&v, "uuid").unwrap_or_default().to_string();
            let path = if !local {
                let path = format!("/simulator/{ps}/{uuid}.qcow2");
                app.sim.volume_create(&ps, &path, i64_of(&v, "size")).await?;
                path
            } else if str_of(&v, "type") == Some("Root") {
                crate::kvm::local_storage::root_volume_create(&app, &ps, &host, &v, &image).await?
            } else {
                crate::kvm::local_storage::data_volume_create(&app, &ps, &host, &uuid, i64_of(&v, "size")).await?
            };
            c.borrow_mut().files.push((ps.clone(), uuid.clone(), path.clone()));
            v.insert("installPath".into(), json!(path));
            v.insert("status".into(), json!("Ready"));
            ready.push(v);
        }
        // The volume rows learn their install paths in the final commit; a
        // crash before it leaves files recovery finds by path and removes.
        c.borrow_mut().volumes = ready;
        Ok(())
    })
}

fn delete_volume_files(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, files) = {
            let mut c = c.borrow_mut();
            (c.app.clone(), std::mem::take(&mut c.files))
        };
        for (ps, volume, path) in files {
            log_undo(crate::hypervisor::volume_delete(&app, &ps, &volume, &path).await);
        }
    })
}

fn create_on_hypervisor(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, host, launch) = {
            let c = c.borrow();
            let host = c.host.as_ref().and_then(|h| str_of(h, "uuid").map(String::from)).unwrap_or_default();
            let launch = VmLaunch { uuid: c.vm_uuid(), name: str_of(&c.vm, "name").unwrap_or_default().into(), cpu: c.cpu(), memory: c.memory(), volumes: c.volumes.clone(), nics: c.nics.clone() };
            (c.app.clone(), host, launch)
        };
        crate::hypervisor::vm_start(&app, &host, &launch).await?;
        c.borrow_mut().on_hypervisor = true;
        Ok(())
    })
}

fn destroy_on_hypervisor(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, host, vm, was) = {
            let mut c = c.borrow_mut();
            let host = c.host.as_ref().and_then(|h| str_of(h, "uuid").map(String::from)).unwrap_or_default();
            let was = std::mem::take(&mut c.on_hypervisor);
            (c.app.clone(), host, c.vm_uuid(), was)
        };
        if was {
            log_undo(crate::hypervisor::vm_stop(&app, &host, &vm).await);
        }
    })
}

fn finish_create(c: Shared<CreateVmCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm) = {
            let mut c = c.borrow_mut();
            let host = c.host.clone().unwrap_or_default();
            let root = c.volumes.first().and_then(|v| str_of(v, "uuid").map(String::from));
            let vm = &mut c.vm;
            vm.insert("hostUuid".into(), json!(str_of(&host, "uuid")));
            vm.insert("lastHostUuid".into(), json!(str_of(&host, "uuid")));
            vm.insert("clusterUuid".into(), json!(str_of(&host, "clusterUuid")));
            vm.insert("zoneUuid".into(), json!(str_of(&host, "zoneUuid")));
            vm.insert("rootVolumeUuid".into(), json!(root));
            vm.insert("hypervisorType".into(), json!(str_of(&host, "hypervisorType")));
            vm.insert("state".into(), json!("Running"));
            vm.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
            (c.app.clone(), c.vm.clone())
        };
        let parents = {
            let c = c.borrow();
            let mut p: Vec<String> = c.l3s.clone();
            p.extend(c.ps.clone());
            p.extend(["zoneUuid", "clusterUuid"].iter().filter_map(|f| str_of(&c.vm, f).map(String::from)));
            p
        };
        let also = {
            let c = c.borrow();
            let mut also: Vec<zstack_db::Stmt> = c.nics.iter().map(|n| app.store.update_stmt(&tables::VM_NIC, n)).collect();
            also.extend(c.volumes.iter().map(|v| app.store.update_stmt(&tables::VOLUME, v)));
            also
        };
        commit_on_host(&app, str_of(&vm, "hostUuid").unwrap_or_default(), parents, vm.clone(), also).await
    })
}

// ---------- API: create ----------

fn system_tag_value<'a>(tags: &'a [String], prefix: &str) -> Vec<&'a str> {
    tags.iter().filter_map(|t| t.strip_prefix(prefix)).collect()
}

pub async fn vm_create(app: App, req: Req) -> ApiResult<Reply> {
    let name = req.must("name")?;
    let (cpu, memory, offering) = match req.str("instanceOfferingUuid") {
        Some(o) => {
            let inv = read(&app.dirs().instance_offering, o).await?;
            if str_of(&inv, "state") != Some("Enabled") {
                return Err(ApiError::operation(format!("instance offering[uuid:{o}] is not Enabled")));
            }
            (i64_of(&inv, "cpuNum"), i64_of(&inv, "memorySize"), Some(o.to_string()))
        }
        None => match (req.int("cpuNum"), req.int("memorySize")) {
            (Some(c), Some(m)) if c > 0 && m > 0 => (c, m, None),
            _ => return Err(ApiError::invalid_argument("give instanceOfferingUuid, or cpuNum and memorySize (both positive)")),
        },
    };
    let image_uuid = req.must("imageUuid")?;
    let image = read(&app.dirs().image, &image_uuid).await?;
    if str_of(&image, "state") != Some("Enabled") || str_of(&image, "status") != Some("Ready") {
        return Err(ApiError::operation(format!("image[uuid:{image_uuid}] is not Enabled and Ready")));
    }
    if str_of(&image, "mediaType") != Some("RootVolumeTemplate") {
        return Err(ApiError::invalid_argument(format!("image[uuid:{image_uuid}] is not a RootVolumeTemplate; boot from an ISO is not supported here")));
    }
    let l3s = req.list("l3NetworkUuids");
    if l3s.is_empty() {
        return Err(ApiError::invalid_argument("field[l3NetworkUuids] of message[APICreateVmInstanceMsg] must hold at least one L3 network"));
    }
    let unique: HashSet<&String> = l3s.iter().collect();
    if unique.len() != l3s.len() {
        return Err(ApiError::invalid_argument("l3NetworkUuids holds the same L3 network twice"));
    }
    for l3 in &l3s {
        super::network::l3_read(&app, l3).await?;
    }
    let default_l3 = req.string("defaultL3NetworkUuid").unwrap_or_else(|| l3s[0].clone());
    if !l3s.contains(&default_l3) {
        return Err(ApiError::invalid_argument(format!("defaultL3NetworkUuid[{default_l3}] is not in l3NetworkUuids")));
    }
    let mut static_ips = HashMap::new();
    for t in system_tag_value(&req.system_tags, "staticIp::") {
        let (l3, ip) = t.split_once("::").ok_or_else(|| ApiError::invalid_argument(format!("system tag [staticIp::{t}] must be staticIp::<l3 uuid>::<ip>")))?;
        if !l3s.iter().any(|x| x == l3) {
            return Err(ApiError::invalid_argument(format!("static ip tag names l3 network[uuid:{l3}] which is not in l3NetworkUuids")));
        }
        static_ips.insert(l3.to_string(), ip.to_string());
    }
    let mut data_disks = Vec::new();
    for o in req.list("dataDiskOfferingUuids") {
        let inv = read(&app.dirs().disk_offering, &o).await?;
        data_disks.push((Some(o), i64_of(&inv, "diskSize")));
    }
    for size in req.params.get("dataDiskSizes").and_then(|v| v.as_array()).cloned().unwrap_or_default() {
        let s = size.as_i64().filter(|s| *s > 0).ok_or_else(|| ApiError::invalid_argument("dataDiskSizes must hold positive integers"))?;
        data_disks.push((None, s));
    }
    let root_size = req.int("rootDiskSize").unwrap_or(0).max(i64_of(&image, "size"));
    let strategy = req.str("strategy").unwrap_or("InstantStart");
    if !matches!(strategy, "InstantStart" | "CreateStopped") {
        return Err(ApiError::invalid_argument(format!("strategy[{strategy}] must be InstantStart or CreateStopped")));
    }
    for (field, spec) in [("zoneUuid", &tables::ZONE), ("clusterUuid", &tables::CLUSTER), ("hostUuid", &tables::HOST), ("primaryStorageUuidForRootVolume", &tables::PRIMARY_STORAGE)] {
        if let Some(u) = req.str(field) {
            if !app.store.inv_exists(spec, u).await? {
                return Err(ApiError::not_found(spec.vo, u));
            }
        }
    }
    let uuid = req.resource_uuid()?;
    let vm = new_inv(json!({"uuid": uuid, "name": name, "description": req.str("description"), "zoneUuid": req.str("zoneUuid"),
        "clusterUuid": req.str("clusterUuid"), "hostUuid": req.str("hostUuid"), "imageUuid": image_uuid, "instanceOfferingUuid": offering,
        "platform": req.str("platform").or(str_of(&image, "platform")).unwrap_or("Linux"), "architecture": str_of(&image, "architecture"),
        "defaultL3NetworkUuid": default_l3, "type": req.str("type").unwrap_or("UserVm"), "hypervisorType": "Simulator", "memorySize": memory,
        "reservedMemorySize": 0, "cpuNum": cpu, "cpuSpeed": 0, "allocatorStrategy": "DefaultHostAllocatorStrategy", "state": "Created",
        "guestOsType": req.str("guestOsType").or(str_of(&image, "guestOsType"))}));
    // The record exists (state Created) before the flow runs, as in ZStack:
    // a crash mid-flow leaves a row recovery can find and clean up after.
    app.store.inv_insert(&tables::VM_INSTANCE, &vm).await?;
    super::compute::tags_create(&app, &uuid, "VmInstanceVO", &req).await?;
    let ctx = CreateVmCtx {
        app: app.clone(),
        vm,
        l3s,
        static_ips,
        root_size,
        data_disks,
        designated_ps: req.string("primaryStorageUuidForRootVolume"),
        host: None,
        host_reserved: false,
        ps: None,
        ps_reserved: 0,
        volumes: vec![],
        nics: vec![],
        ips: vec![],
        files: vec![],
        on_hypervisor: false,
    };
    let a = app.clone();
    let stop_after = strategy == "CreateStopped";
    // The VM's actor starts from the row just written, not from reading it back.
    let seed = Res::of(ctx.vm.clone());
    let outcome = app
        .dirs()
        .vm
        .ask_seeded(&uuid, seed, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let ctx = Rc::new(RefCell::new(ctx));
                let result = create_vm_flow().run(ctx.clone(), &a.faults).await;
                match result {
                    Ok(()) => {
                        let c = ctx.borrow();
                        cell.borrow_mut().inv = c.vm.clone();
                        // The reply is what the flow committed: no need to read it back.
                        let mut inv = c.vm.clone();
                        inv.insert("vmNics".into(), Value::Array(c.nics.iter().cloned().map(Value::Object).collect()));
                        inv.insert("allVolumes".into(), Value::Array(c.volumes.iter().cloned().map(Value::Object).collect()));
                        inv.insert("vmCdRoms".into(), Value::Array(vec![]));
                        Ok(inv)
                    }
                    Err(e) => {
                        cell.borrow_mut().gone = true;
                        let vm_uuid = ctx.borrow().vm_uuid();
                        a.store
                            .db
                            .write(vec![a.store.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", &vm_uuid), a.store.delete_stmt(&tables::USER_TAG, "resourceUuid", &vm_uuid), a.store.delete_stmt(&tables::VM_INSTANCE, "uuid", &vm_uuid)])
                            .await?;
                        Err(e.wrap(codes::OPERATION, format!("failed to create vm[uuid:{vm_uuid}]")))
                    }
                }
            })
        })
        .await;
    let created = outcome?;
    if stop_after {
        vm_op(&app, &uuid, Lifecycle::Stop).await?;
        return Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::VM_INSTANCE, &uuid).await?)));
    }
    Ok(Reply::Inventory(Value::Object(created)))
}

// ---------- lifecycle ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Start,
    Stop,
    Reboot,
    Pause,
    Resume,
    Destroy,
    Recover,
    Expunge,
}

impl Lifecycle {
    /// States the operation accepts (ZStack's VmInstanceState transitions).
    fn accepts(self) -> &'static [&'static str] {
        match self {
            Lifecycle::Start => &["Stopped", "Created"],
            Lifecycle::Stop => &["Running", "Paused", "Unknown", "Stopped", "Crashed", "NoState"],
            Lifecycle::Reboot => &["Running", "Crashed", "NoState"],
            Lifecycle::Pause => &["Running"],
            Lifecycle::Resume => &["Paused"],
            Lifecycle::Destroy => &["Running", "Stopped", "Paused", "Unknown", "Created", "Crashed", "NoState", "Error"],
            Lifecycle::Recover => &["Destroyed"],
            Lifecycle::Expunge => &["Destroyed"],
        }
    }
    fn verb(self) -> &'static str {
        match self {
            Lifecycle::Start => "start",
            Lifecycle::Stop => "stop",
            Lifecycle::Reboot => "reboot",
            Lifecycle::Pause => "pause",
            Lifecycle::Resume => "resume",
            Lifecycle::Destroy => "destroy",
            Lifecycle::Recover => "recover",
            Lifecycle::Expunge => "expunge",
        }
    }
}

/// Run a lifecycle operation on the VM's actor.
pub async fn vm_op(app: &App, uuid: &str, op: Lifecycle) -> ApiResult<()> {
    let a = app.clone();
    app.dirs()
        .vm
        .ask(uuid, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let vm = cell.borrow().inv.clone();
                let state = str_of(&vm, "state").unwrap_or_default().to_string();
                let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
                if op == Lifecycle::Stop && state == "Stopped" {
                    return Ok(());
                }
                if !op.accepts().contains(&state.as_str()) {
                    return Err(ApiError::operation(format!("unable to {} vm[uuid:{vm_uuid}]: its state is {state}", op.verb())));
                }
                let next = lifecycle(&a, vm, op).await?;
                let mut s = cell.borrow_mut();
                match next {
                    Some(inv) => s.inv = inv,
                    None => s.gone = true,
                }
                Ok(())
            })
        })
        .await
}

fn set(vm: &mut Inventory, field: &str, v: Value) {
    if v.is_null() {
        vm.remove(field);
    } else {
        vm.insert(field.into(), v);
    }
}

async fn save(app: &App, mut vm: Inventory, state: &str) -> ApiResult<Option<Inventory>> {
    vm.insert("state".into(), json!(state));
    vm.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
    app.store.inv_update(&tables::VM_INSTANCE, &vm).await?;
    Ok(Some(vm))
}

/// Give the host back what a VM holds there, and take it off the host.
async fn leave_host(app: &App, vm: &mut Inventory) -> ApiResult<()> {
    if let Some(host) = str_of(vm, "hostUuid").map(String::from) {
        crate::hypervisor::vm_stop(app, &host, str_of(vm, "uuid").unwrap_or_default()).await?;
        if HOLDS_HOST.contains(&str_of(vm, "state").unwrap_or_default()) {
            host_release(app, &host, i64_of(vm, "cpuNum"), i64_of(vm, "memorySize")).await?;
        }
        set(vm, "lastHostUuid", json!(host));
        set(vm, "hostUuid", Value::Null);
    }
    Ok(())
}

async fn lifecycle(app: &App, mut vm: Inventory, op: Lifecycle) -> ApiResult<Option<Inventory>> {
    let uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
    let host = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
    match op {
        Lifecycle::Stop => {
            leave_host(app, &mut vm).await?;
            save(app, vm, "Stopped").await
        }
        Lifecycle::Reboot => {
            crate::hypervisor::vm_reboot(app, &host, &uuid).await?;
            save(app, vm, "Running").await
        }
        Lifecycle::Pause => {
            crate::hypervisor::vm_pause(app, &host, &uuid).await?;
            save(app, vm, "Paused").await
        }
        Lifecycle::Resume => {
            crate::hypervisor::vm_resume(app, &host, &uuid).await?;
            save(app, vm, "Running").await
        }
        Lifecycle::Start => {
            let (cpu, mem) = (i64_of(&vm, "cpuNum"), i64_of(&vm, "memorySize"));
            let l3s: Vec<String> = app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &uuid).await?.iter().filter_map(|n| str_of(n, "l3NetworkUuid").map(String::from)).collect();
            let root = app.store.inv_get(&tables::VOLUME, str_of(&vm, "rootVolumeUuid").unwrap_or_default()).await?;
            let ps = root.as_ref().and_then(|r| str_of(r, "primaryStorageUuid").map(String::from));
            let launch = crate::hypervisor::VmLaunch::of_vm(app, &vm).await?;
            // A VM on local storage starts where its root volume lives.
            let pinned = match str_of(&vm, "rootVolumeUuid") {
                Some(root) => crate::kvm::local_storage::host_of(app, root).await?,
                None => None,
            };
            let demand = HostDemand { cpu, memory: mem, l3s: &l3s, zone: None, cluster: None, host: pinned, primary_storage: ps, prefer: str_of(&vm, "lastHostUuid").map(String::from) };
            let mut last_error = None;
            for h in host_candidates(app, &demand).await? {
                let h_uuid = h.uuid.clone();
                if let Err(e) = host_reserve(app, &h_uuid, cpu, mem).await {
                    last_error = Some(e);
                    continue;
                }
                if let Err(e) = crate::hypervisor::vm_start(app, &h_uuid, &launch).await {
                    host_release(app, &h_uuid, cpu, mem).await?;
                    return Err(e);
                }
                set(&mut vm, "hostUuid", json!(h_uuid));
                set(&mut vm, "lastHostUuid", json!(h_uuid));
                set(&mut vm, "clusterUuid", json!(h.cluster));
                vm.insert("state".into(), json!("Running"));
                vm.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                if let Err(e) = commit_on_host(app, &h_uuid, l3s.clone(), vm.clone(), vec![]).await {
                    let _ = crate::hypervisor::vm_stop(app, &h_uuid, &uuid).await;
                    host_release(app, &h_uuid, cpu, mem).await?;
                    return Err(e);
                }
                return Ok(Some(vm));
            }
            Err(last_error.unwrap_or_else(|| ApiError::new(codes::NO_AVAILABLE_HOST, "no host can start the vm")))
        }
        Lifecycle::Destroy => {
            leave_host(app, &mut vm).await?;
            if app.configs.get(crate::config::VM_DELETION_POLICY) == "Direct" {
                expunge(app, &vm).await?;
                return Ok(None);
            }
            save(app, vm, "Destroyed").await
        }
        Lifecycle::Recover => save(app, vm, "Stopped").await,
        Lifecycle::Expunge => {
            expunge(app, &vm).await?;
            Ok(None)
        }
    }
}

/// Delete the root volume (file, snapshots, capacity), detach data volumes,
/// release NICs and their addresses, and drop tags and the VM row.
async fn expunge(app: &App, vm: &Inventory) -> ApiResult<()> {
    let uuid = str_of(vm, "uuid").unwrap_or_default().to_string();
    for nic in app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &uuid).await? {
        nic_release(app, &nic).await?;
    }
    let groups: Vec<String> = app.store.inv_find(&tables::VOLUME_SNAPSHOT_GROUP, "vmInstanceUuid", &uuid).await?.iter().filter_map(|g| str_of(g, "uuid").map(String::from)).collect();
    app.store.db.write(groups.iter().map(|g| app.store.delete_stmt(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotGroupUuid", g)).collect()).await?;
    for v in app.store.inv_find(&tables::VOLUME, "vmInstanceUuid", &uuid).await? {
        let volume = str_of(&v, "uuid").unwrap_or_default().to_string();
        if str_of(&v, "type") == Some("Root") {
            super::volume::volume_expunge(app, &volume).await?;
        } else {
            let last = uuid.clone();
            mutate(app, &app.dirs().volume, &volume, move |s| {
                s.inv.remove("vmInstanceUuid");
                s.inv.remove("deviceId");
                s.set("lastVmInstanceUuid", json!(last));
                Ok(())
            })
            .await?;
        }
    }
    app.store
        .db
        .write(vec![
            app.store.delete_stmt(&tables::VM_CDROM, "vmInstanceUuid", &uuid),
            app.store.delete_stmt(&tables::VOLUME_SNAPSHOT_GROUP, "vmInstanceUuid", &uuid),
            app.store.delete_stmt(&tables::RESOURCE_CONFIG, "resourceUuid", &uuid),
            app.store.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", &uuid),
            app.store.delete_stmt(&tables::USER_TAG, "resourceUuid", &uuid),
            app.store.delete_stmt(&tables::VM_INSTANCE, "uuid", &uuid),
        ])
        .await
}

pub async fn nic_release(app: &App, nic: &Inventory) -> ApiResult<()> {
    let nic_uuid = str_of(nic, "uuid").unwrap_or_default().to_string();
    let l3 = str_of(nic, "l3NetworkUuid").unwrap_or_default().to_string();
    for used in app.store.inv_find(&tables::USED_IP, "vmNicUuid", &nic_uuid).await? {
        ip_release(app, &l3, str_of(&used, "uuid").unwrap_or_default(), str_of(&used, "ip").unwrap_or_default()).await?;
    }
    app.store.inv_delete(&tables::VM_NIC, &nic_uuid).await
}

/// Detach one NIC from a VM (used by L3/IP range deletion and L2 detach), on the VM's actor.
pub async fn nic_detach(app: &App, vm: &str, nic: &str) -> ApiResult<()> {
    let a = app.clone();
    let nic = nic.to_string();
    let r = app
        .dirs()
        .vm
        .ask(vm, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                if let Some(n) = a.store.inv_get(&tables::VM_NIC, &nic).await? {
                    nic_release(&a, &n).await?;
                }
                let mut s = cell.borrow_mut();
                if s.str("defaultL3NetworkUuid").is_some() {
                    let remaining = a.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &s.string("uuid")).await?;
                    let default = remaining.first().and_then(|n| str_of(n, "l3NetworkUuid").map(String::from));
                    s.inv.remove("defaultL3NetworkUuid");
                    if let Some(d) = default {
                        s.inv.insert("defaultL3NetworkUuid".into(), json!(d));
                    }
                    a.store.inv_update(&tables::VM_INSTANCE, &s.inv).await?;
                }
                Ok(())
            })
        })
        .await;
    ignore_missing(r)
}

/// Stop a VM if it runs (host maintenance, storage detach, host deletion).
pub async fn vm_stop_for(app: &App, vm: &str) -> ApiResult<()> {
    let inv = read(&app.dirs().vm, vm).await?;
    if HOLDS_HOST.contains(&str_of(&inv, "state").unwrap_or_default()) {
        vm_op(app, vm, Lifecycle::Stop).await?;
    }
    Ok(())
}

/// Destroy and expunge a VM whatever its state (cascade deletion).
pub async fn vm_delete_for(app: &App, vm: &str) -> ApiResult<()> {
    let inv = match read(&app.dirs().vm, vm).await {
        Ok(i) => i,
        Err(_) => return Ok(()),
    };
    if str_of(&inv, "state") != Some("Destroyed") {
        vm_op(app, vm, Lifecycle::Destroy).await?;
    }
    if app.store.inv_exists(&tables::VM_INSTANCE, vm).await? {
        vm_op(app, vm, Lifecycle::Expunge).await?;
    }
    Ok(())
}

async fn lifecycle_api(app: App, req: Req, op: Lifecycle) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    vm_op(&app, &uuid, op).await?;
    if op == Lifecycle::Expunge {
        return Ok(Reply::Empty);
    }
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::VM_INSTANCE, &uuid).await?)))
}

pub async fn vm_start(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Start).await
}
pub async fn vm_stop(app: App, req: Req) -> ApiResult<Reply> {
    if let Some(t) = req.str("type") {
        if t != "grace" && t != "cold" {
            return Err(ApiError::invalid_argument(format!("type[{t}] must be grace or cold")));
        }
    }
    lifecycle_api(app, req, Lifecycle::Stop).await
}
pub async fn vm_reboot(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Reboot).await
}
pub async fn vm_pause(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Pause).await
}
pub async fn vm_resume(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Resume).await
}
pub async fn vm_recover(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Recover).await
}
pub async fn vm_expunge(app: App, req: Req) -> ApiResult<Reply> {
    lifecycle_api(app, req, Lifecycle::Expunge).await
}
pub async fn vm_destroy(app: App, req: Req) -> ApiResult<Reply> {
    zstack_kit::cascade::DeleteMode::parse(req.str("deleteMode"))?;
    vm_op(&app, &req.must("uuid")?, Lifecycle::Destroy).await?;
    Ok(Reply::Empty)
}

pub async fn vm_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let params = req.params.clone();
    mutate(&app, &app.dirs().vm, &uuid, move |s| {
        super::apply_update(&mut s.inv, &params, &["defaultL3NetworkUuid", "platform", "guestOsType"]);
        Ok(())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::VM_INSTANCE, &uuid).await?)))
}

