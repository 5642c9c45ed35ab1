//! VM operations beyond the life cycle: migration (a flow), instance
//! offering changes, L3 networks attached and detached, static IPs, the
//! settings ZStack keeps as system tags, and the candidate queries.

use super::infra::full_inventory;
use super::network::{ip_allocate, ip_release};
use super::placement::HostRef;
use super::vm::{host_candidates, host_release, host_reserve, log_undo, HostDemand, HOLDS_HOST};
use super::{new_inv, read, Res, VmK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{eq, i64_of, str_of, Inventory};
use crate::tables;
use futures::future::LocalBoxFuture;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use zstack_db::query::{Condition, Op, QueryOptions};
use zstack_kit::actor::Cell;
use zstack_kit::error::codes;
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

async fn vm_reply(app: &App, uuid: &str) -> ApiResult<Reply> {
    Ok(Reply::Inventory(Value::Object(full_inventory(app, &tables::VM_INSTANCE, uuid).await?)))
}

/// Run `f` with the VM's inventory on its actor and keep what it returns as the new inventory.
async fn on_vm<F>(app: &App, uuid: &str, f: F) -> ApiResult<()>
where
    F: FnOnce(App, Inventory) -> LocalBoxFuture<'static, ApiResult<Inventory>> + Send + 'static,
{
    let a = app.clone();
    app.dirs()
        .vm
        .ask(uuid, move |cell: Cell<Res<VmK>>| {
            Box::pin(async move {
                let vm = cell.borrow().inv.clone();
                let next = f(a.clone(), vm).await?;
                a.store.inv_update(&tables::VM_INSTANCE, &next).await?;
                cell.borrow_mut().inv = next;
                Ok(())
            })
        })
        .await
}

async fn vm_l3s(app: &App, vm: &str) -> ApiResult<Vec<String>> {
    Ok(app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", vm).await?.iter().filter_map(|n| str_of(n, "l3NetworkUuid").map(String::from)).collect())
}

async fn vm_root_ps(app: &App, vm: &Inventory) -> ApiResult<Option<String>> {
    Ok(app.store.inv_get(&tables::VOLUME, str_of(vm, "rootVolumeUuid").unwrap_or_default()).await?.and_then(|r| str_of(&r, "primaryStorageUuid").map(String::from)))
}

// ---------- migration ----------

pub struct MigrateCtx {
    pub app: App,
    pub vm: Inventory,
    pub wanted: Option<String>,
    pub target: Option<Inventory>,
    pub reserved: bool,
    pub moved: bool,
    pub returned: bool,
}

pub const MIGRATE_VM: &str = "migrate-vm";

pub fn migrate_vm_flow() -> FlowChain<MigrateCtx> {
    FlowChain::new(MIGRATE_VM)
        .step("VmAllocateHostForMigrateVmFlow", allocate_target, Some(release_target))
        .step("VmMigrateOnHypervisorFlow", migrate_on_hypervisor, Some(migrate_back))
        .step("VmMigrateCommitFlow", commit_target, Some(commit_source))
        .step("VmReturnHostFlow", return_source, Some(retake_source))
}

fn migrate_demand_cluster(vm: &Inventory) -> Option<String> {
    str_of(vm, "clusterUuid").map(String::from)
}

fn allocate_target(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm, wanted) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone(), c.wanted.clone())
        };
        let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        let (cpu, mem) = (i64_of(&vm, "cpuNum"), i64_of(&vm, "memorySize"));
        let l3s = vm_l3s(&app, &vm_uuid).await?;
        let ps = vm_root_ps(&app, &vm).await?;
        let demand = HostDemand { cpu, memory: mem, l3s: &l3s, zone: None, cluster: migrate_demand_cluster(&vm), host: wanted.clone(), primary_storage: ps, prefer: None };
        let current = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
        let mut last = None;
        for h in host_candidates(&app, &demand).await? {
            let hu = h.uuid.clone();
            if hu == current {
                continue;
            }
            match host_reserve(&app, &hu, cpu, mem).await {
                Ok(inv) => {
                    let mut c = c.borrow_mut();
                    c.target = Some(inv);
                    c.reserved = true;
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| ApiError::new(codes::NO_AVAILABLE_HOST, format!("no other host of the cluster can take vm[uuid:{vm_uuid}]"))))
    })
}

fn release_target(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, target, cpu, mem) = {
            let mut c = c.borrow_mut();
            let t = if std::mem::take(&mut c.reserved) { c.target.as_ref().and_then(|t| str_of(t, "uuid").map(String::from)) } else { None };
            (c.app.clone(), t, i64_of(&c.vm, "cpuNum"), i64_of(&c.vm, "memorySize"))
        };
        if let Some(t) = target {
            if let Err(e) = host_release(&app, &t, cpu, mem).await {
                log::error!("rollback: {e}");
            }
        }
    })
}

fn migrate_on_hypervisor(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm, target) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone(), c.target.clone().unwrap_or_default())
        };
        crate::hypervisor::vm_migrate(&app, &vm, str_of(&vm, "hostUuid").unwrap_or_default(), str_of(&target, "uuid").unwrap_or_default()).await?;
        c.borrow_mut().moved = true;
        Ok(())
    })
}

fn migrate_back(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, vm, target, moved) = {
            let mut c = c.borrow_mut();
            let moved = std::mem::take(&mut c.moved);
            (c.app.clone(), c.vm.clone(), c.target.clone().unwrap_or_default(), moved)
        };
        if moved {
            if let Err(e) = crate::hypervisor::vm_migrate(&app, &vm, str_of(&target, "uuid").unwrap_or_default(), str_of(&vm, "hostUuid").unwrap_or_default()).await {
                log::error!("rollback: cannot migrate back: {e}");
            }
        }
    })
}

/// The VM's record moves to the target on the target's actor, so a deletion
/// of the target that has listed its VMs never misses this one.
fn commit_target(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm, target) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone(), c.target.clone().unwrap_or_default())
        };
        let mut next = vm.clone();
        next.insert("lastHostUuid".into(), json!(str_of(&vm, "hostUuid")));
        next.insert("hostUuid".into(), json!(str_of(&target, "uuid")));
        next.insert("clusterUuid".into(), json!(str_of(&target, "clusterUuid")));
        super::vm::commit_on_host(&app, str_of(&target, "uuid").unwrap_or_default(), vec![], next, vec![]).await
    })
}

fn commit_source(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, vm) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone())
        };
        if let Err(e) = app.store.inv_update(&tables::VM_INSTANCE, &vm).await {
            log::error!("rollback: cannot restore vm record: {e}");
        }
    })
}

fn return_source(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, vm) = {
            let c = c.borrow();
            (c.app.clone(), c.vm.clone())
        };
        host_release(&app, str_of(&vm, "hostUuid").unwrap_or_default(), i64_of(&vm, "cpuNum"), i64_of(&vm, "memorySize")).await?;
        c.borrow_mut().returned = true;
        Ok(())
    })
}

fn retake_source(c: Shared<MigrateCtx>) -> LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, vm, returned) = {
            let mut c = c.borrow_mut();
            let returned = std::mem::take(&mut c.returned);
            (c.app.clone(), c.vm.clone(), returned)
        };
        if !returned {
            return;
        }
        let host = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
        if let Err(e) = super::vm::host_take_back(&app, &host, i64_of(&vm, "cpuNum"), i64_of(&vm, "memorySize")).await {
            log::error!("rollback: {e}");
        }
    })
}

pub async fn vm_migrate(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let wanted = req.string("hostUuid");
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            if str_of(&vm, "state") != Some("Running") {
                return Err(ApiError::operation(format!("unable to migrate vm[uuid:{}]: its state is {}", str_of(&vm, "uuid").unwrap_or_default(), str_of(&vm, "state").unwrap_or_default())));
            }
            if wanted.is_some() && wanted.as_deref() == str_of(&vm, "hostUuid") {
                return Err(ApiError::invalid_argument("the vm already runs on the requested host"));
            }
            let ctx = Rc::new(RefCell::new(MigrateCtx { app: app.clone(), vm: vm.clone(), wanted, target: None, reserved: false, moved: false, returned: false }));
            migrate_vm_flow().run(ctx.clone(), &app.faults).await?;
            let target = ctx.borrow().target.clone().unwrap_or_default();
            let mut next = vm;
            next.insert("lastHostUuid".into(), json!(str_of(&next, "hostUuid")));
            next.insert("hostUuid".into(), json!(str_of(&target, "uuid")));
            next.insert("clusterUuid".into(), json!(str_of(&target, "clusterUuid")));
            Ok(next)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

pub async fn vm_migration_candidates(app: App, req: Req) -> ApiResult<Reply> {
    let vm = read(&app.dirs().vm, &req.must("vmInstanceUuid")?).await?;
    let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
    let l3s = vm_l3s(&app, &vm_uuid).await?;
    let ps = vm_root_ps(&app, &vm).await?;
    let demand = HostDemand { cpu: i64_of(&vm, "cpuNum"), memory: i64_of(&vm, "memorySize"), l3s: &l3s, zone: None, cluster: migrate_demand_cluster(&vm), host: None, primary_storage: ps, prefer: None };
    let refs: Vec<Arc<HostRef>> = host_candidates(&app, &demand).await.unwrap_or_default().into_iter().filter(|h| Some(h.uuid.as_str()) != str_of(&vm, "hostUuid")).collect();
    let hosts = fitting_hosts(&app, &refs, demand.cpu, demand.memory).await?;
    Ok(Reply::Inventories { items: hosts.into_iter().map(Value::Object).collect(), total: None, class: tables::HOST.inventory_class })
}

pub async fn vm_starting_candidates(app: App, req: Req) -> ApiResult<Reply> {
    let vm = read(&app.dirs().vm, &req.must("uuid")?).await?;
    let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
    let l3s = vm_l3s(&app, &vm_uuid).await?;
    let ps = vm_root_ps(&app, &vm).await?;
    let demand = HostDemand { cpu: i64_of(&vm, "cpuNum"), memory: i64_of(&vm, "memorySize"), l3s: &l3s, zone: None, cluster: None, host: None, primary_storage: ps, prefer: None };
    let refs = host_candidates(&app, &demand).await.unwrap_or_default();
    candidates_reply(&app, fitting_hosts(&app, &refs, demand.cpu, demand.memory).await?).await
}

/// The candidate hosts that are Enabled, Connected and have room now.
async fn fitting_hosts(app: &App, refs: &[Arc<HostRef>], cpu: i64, memory: i64) -> ApiResult<Vec<Inventory>> {
    let uuids: Vec<String> = refs.iter().map(|h| h.uuid.clone()).collect();
    Ok(app
        .store
        .inv_where_in(&tables::HOST, "uuid", &uuids)
        .await?
        .into_iter()
        .filter(|h| str_of(h, "state") == Some("Enabled") && str_of(h, "status") == Some("Connected"))
        .filter(|h| i64_of(h, "availableCpuCapacity") >= cpu && i64_of(h, "availableMemoryCapacity") >= memory)
        .collect())
}

async fn candidates_reply(app: &App, hosts: Vec<Inventory>) -> ApiResult<Reply> {
    let clusters: Vec<String> = hosts.iter().filter_map(|h| str_of(h, "clusterUuid").map(String::from)).collect::<HashSet<_>>().into_iter().collect();
    let zones: Vec<String> = hosts.iter().filter_map(|h| str_of(h, "zoneUuid").map(String::from)).collect::<HashSet<_>>().into_iter().collect();
    let mut m = Map::new();
    m.insert("hosts".into(), Value::Array(hosts.into_iter().map(Value::Object).collect()));
    m.insert("clusters".into(), Value::Array(app.store.inv_where_in(&tables::CLUSTER, "uuid", &clusters).await?.into_iter().map(Value::Object).collect()));
    m.insert("zones".into(), Value::Array(app.store.inv_where_in(&tables::ZONE, "uuid", &zones).await?.into_iter().map(Value::Object).collect()));
    m.insert("success".into(), json!(true));
    Ok(Reply::Fields(m))
}

/// `GetCandidateZonesClustersHostsForCreatingVm`: where a VM with these parameters could go.
pub async fn create_candidates(app: App, req: Req) -> ApiResult<Reply> {
    let (cpu, mem) = match req.str("instanceOfferingUuid") {
        Some(o) => {
            let inv = read(&app.dirs().instance_offering, o).await?;
            (i64_of(&inv, "cpuNum"), i64_of(&inv, "memorySize"))
        }
        None => (req.int("cpuNum").unwrap_or(1), req.int("memorySize").unwrap_or(0)),
    };
    let l3s = req.list("l3NetworkUuids");
    if l3s.is_empty() {
        return Err(ApiError::invalid_argument("l3NetworkUuids must name at least one L3 network"));
    }
    let demand = HostDemand { cpu, memory: mem, l3s: &l3s, zone: req.string("zoneUuid"), cluster: req.string("clusterUuid"), host: None, primary_storage: None, prefer: None };
    let refs = host_candidates(&app, &demand).await.unwrap_or_default();
    candidates_reply(&app, fitting_hosts(&app, &refs, demand.cpu, demand.memory).await?).await
}

pub async fn create_candidate_storages(app: App, req: Req) -> ApiResult<Reply> {
    let l3s = req.list("l3NetworkUuids");
    let mut clusters: Vec<String> = req.list("clusterUuids");
    if clusters.is_empty() {
        let demand = HostDemand { cpu: 0, memory: 0, l3s: &l3s, zone: req.string("zoneUuid"), cluster: None, host: None, primary_storage: None, prefer: None };
        clusters = host_candidates(&app, &demand).await.unwrap_or_default().into_iter().map(|h| h.cluster.clone()).collect::<HashSet<_>>().into_iter().collect();
    }
    let ps = app.store.column_where_in(&tables::PRIMARY_STORAGE_CLUSTER_REF, "primaryStorageUuid", "clusterUuid", &clusters).await?;
    let conds = vec![Condition { name: "uuid".into(), op: Op::In, value: Some(ps.join(",")) }, eq("state", "Enabled"), eq("status", "Connected")];
    let found = app.store.inv_query(&tables::PRIMARY_STORAGE, &conds, &QueryOptions::default()).await?;
    let mut m = Map::new();
    m.insert("rootVolumePrimaryStorages".into(), Value::Array(found.into_iter().map(Value::Object).collect()));
    m.insert("success".into(), json!(true));
    Ok(Reply::Fields(m))
}

// ---------- instance offering ----------

pub async fn vm_change_instance_offering(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let offering = read(&app.dirs().instance_offering, &req.must("instanceOfferingUuid")?).await?;
    if str_of(&offering, "state") != Some("Enabled") {
        return Err(ApiError::operation("the instance offering is not Enabled"));
    }
    on_vm(&app, &uuid, move |app, mut vm| {
        Box::pin(async move {
            let state = str_of(&vm, "state").unwrap_or_default().to_string();
            if !matches!(state.as_str(), "Stopped" | "Running") {
                return Err(ApiError::operation(format!("unable to change the offering of vm[uuid:{}]: its state is {state}", str_of(&vm, "uuid").unwrap_or_default())));
            }
            let (cpu, mem) = (i64_of(&offering, "cpuNum"), i64_of(&offering, "memorySize"));
            if state == "Running" {
                // Online change: the host gives (or takes back) the difference.
                let host = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
                let (dc, dm) = (cpu - i64_of(&vm, "cpuNum"), mem - i64_of(&vm, "memorySize"));
                if dc > 0 || dm > 0 {
                    host_reserve(&app, &host, dc.max(0), dm.max(0)).await?;
                }
                if dc < 0 || dm < 0 {
                    host_release(&app, &host, (-dc).max(0), (-dm).max(0)).await?;
                }
            }
            vm.insert("cpuNum".into(), json!(cpu));
            vm.insert("memorySize".into(), json!(mem));
            vm.insert("instanceOfferingUuid".into(), json!(str_of(&offering, "uuid")));
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

// ---------- L3 networks ----------

fn static_ip_of(tags: &[String], l3: &str) -> Option<String> {
    tags.iter().find_map(|t| t.strip_prefix("staticIp::").and_then(|r| r.split_once("::")).filter(|(l, _)| *l == l3).map(|(_, ip)| ip.to_string()))
}

pub async fn vm_attach_l3(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let l3 = req.must("l3NetworkUuid")?;
    let l3inv = super::network::l3_read(&app, &l3).await?;
    let wanted = req.string("staticIp").or_else(|| static_ip_of(&req.system_tags, &l3));
    on_vm(&app, &uuid, move |app, mut vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            if !matches!(str_of(&vm, "state"), Some("Running") | Some("Stopped") | Some("Paused")) {
                return Err(ApiError::operation(format!("unable to attach an L3 network to vm[uuid:{vm_uuid}] in state {}", str_of(&vm, "state").unwrap_or_default())));
            }
            let nics = app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &vm_uuid).await?;
            if nics.iter().any(|n| str_of(n, "l3NetworkUuid") == Some(l3.as_str())) {
                return Err(ApiError::operation(format!("l3 network[uuid:{l3}] is already attached to vm[uuid:{vm_uuid}]")));
            }
            if let Some(cluster) = str_of(&vm, "clusterUuid") {
                let l2 = str_of(&l3inv, "l2NetworkUuid").unwrap_or_default().to_string();
                let clusters = app.store.column_where_in(&tables::L2_NETWORK_CLUSTER_REF, "clusterUuid", "l2NetworkUuid", &[l2]).await?;
                if !clusters.iter().any(|c| c == cluster) {
                    return Err(ApiError::operation(format!("the L2 network of l3 network[uuid:{l3}] is not attached to the vm's cluster[uuid:{cluster}]")));
                }
            }
            let device = (0..).find(|i| !nics.iter().any(|n| i64_of(n, "deviceId") == *i)).unwrap_or(0);
            let nic_uuid = new_uuid();
            let ip = ip_allocate(&app, &l3, &nic_uuid, wanted).await?;
            let mut nic = nic_inventory(&nic_uuid, &l3, &ip);
            nic_place(&mut nic, &vm, device);
            nic_insert(&app, &nic, &ip).await?;
            if str_of(&vm, "defaultL3NetworkUuid").is_none() {
                vm.insert("defaultL3NetworkUuid".into(), json!(l3));
            }
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

pub async fn vm_detach_l3(app: App, req: Req) -> ApiResult<Reply> {
    let nic_uuid = req.must("vmNicUuid")?;
    let nic = app.store.inv_get(&tables::VM_NIC, &nic_uuid).await?.ok_or_else(|| ApiError::not_found("VmNicVO", &nic_uuid))?;
    let vm = str_of(&nic, "vmInstanceUuid").unwrap_or_default().to_string();
    super::vm::nic_detach(&app, &vm, &nic_uuid).await?;
    vm_reply(&app, &vm).await
}

pub async fn vm_attachable_l3s(app: App, req: Req) -> ApiResult<Reply> {
    let vm = read(&app.dirs().vm, &req.must("vmInstanceUuid")?).await?;
    let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
    let attached: HashSet<String> = vm_l3s(&app, &vm_uuid).await?.into_iter().collect();
    let cluster = str_of(&vm, "clusterUuid").unwrap_or_default().to_string();
    let l2s = app.store.column_where_in(&tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", "clusterUuid", &[cluster]).await?;
    let l3s = app.store.inv_where_in(&tables::L3_NETWORK, "l2NetworkUuid", &l2s).await?;
    let items = l3s.into_iter().filter(|l| !attached.contains(str_of(l, "uuid").unwrap_or_default())).map(Value::Object).collect();
    Ok(Reply::Inventories { items, total: None, class: tables::L3_NETWORK.inventory_class })
}

/// `SetVmStaticIp`: move the VM's NIC on that L3 to the given address and remember it as a tag.
pub async fn vm_set_static_ip(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let l3 = req.must("l3NetworkUuid")?;
    let ip = req.must("ip")?;
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            let nics = app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &vm_uuid).await?;
            let Some(mut nic) = nics.into_iter().find(|n| str_of(n, "l3NetworkUuid") == Some(l3.as_str())) else {
                return Err(ApiError::invalid_argument(format!("vm[uuid:{vm_uuid}] has no NIC on l3 network[uuid:{l3}]")));
            };
            if str_of(&nic, "ip") != Some(ip.as_str()) {
                let nic_uuid = str_of(&nic, "uuid").unwrap_or_default().to_string();
                let old = app.store.inv_find(&tables::USED_IP, "vmNicUuid", &nic_uuid).await?;
                let new = ip_allocate(&app, &l3, &nic_uuid, Some(ip.clone())).await?;
                for u in old {
                    ip_release(&app, &l3, str_of(&u, "uuid").unwrap_or_default(), str_of(&u, "ip").unwrap_or_default()).await?;
                }
                nic.insert("ip".into(), json!(new.ip));
                nic.insert("netmask".into(), json!(new.netmask));
                nic.insert("gateway".into(), json!(new.gateway));
                app.store.inv_update(&tables::VM_NIC, &nic).await?;
            }
            tag_set(&app, &vm_uuid, &format!("staticIp::{l3}::"), &format!("staticIp::{l3}::{ip}")).await?;
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

pub async fn vm_delete_static_ip(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    read(&app.dirs().vm, &uuid).await?;
    let l3 = req.must("l3NetworkUuid")?;
    tag_remove(&app, &uuid, &format!("staticIp::{l3}::")).await?;
    Ok(Reply::Empty)
}

// ---------- settings kept as system tags ----------

/// Replace the VM's system tag starting with `prefix` by `tag`.
async fn tag_set(app: &App, resource: &str, prefix: &str, tag: &str) -> ApiResult<()> {
    tag_remove(app, resource, prefix).await?;
    let row = new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource, "resourceType": "VmInstanceVO", "tag": tag, "type": "System", "inherent": false}));
    app.store.inv_insert(&tables::SYSTEM_TAG, &row).await
}

async fn tag_remove(app: &App, resource: &str, prefix: &str) -> ApiResult<()> {
    let tags = app.store.inv_find(&tables::SYSTEM_TAG, "resourceUuid", resource).await?;
    let stmts = tags
        .iter()
        .filter(|t| str_of(t, "tag").map(|x| x.starts_with(prefix)).unwrap_or(false))
        .map(|t| app.store.delete_stmt(&tables::SYSTEM_TAG, "uuid", str_of(t, "uuid").unwrap_or_default()))
        .collect();
    app.store.db.write(stmts).await
}

async fn tag_value(app: &App, resource: &str, prefix: &str) -> ApiResult<Option<String>> {
    Ok(app.store.tags_of(resource).await?.into_iter().find_map(|t| t.strip_prefix(prefix).map(String::from)))
}

pub async fn vm_set_hostname(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let hostname = req.must("hostname")?;
    let valid = hostname.len() <= 63 && hostname.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !p.starts_with('-'));
    if !valid {
        return Err(ApiError::invalid_argument(format!("hostname[{hostname}] is not a valid host name")));
    }
    read(&app.dirs().vm, &uuid).await?;
    tag_set(&app, &uuid, "hostname::", &format!("hostname::{hostname}")).await?;
    Ok(Reply::Empty)
}

pub async fn vm_set_ssh_key(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let key = req.must("SshKey")?;
    read(&app.dirs().vm, &uuid).await?;
    tag_set(&app, &uuid, "sshkey::", &format!("sshkey::{key}")).await?;
    vm_reply(&app, &uuid).await
}

const BOOT_DEVICES: &[&str] = &["CdRom", "HardDisk", "Network"];

pub async fn vm_set_boot_order(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    read(&app.dirs().vm, &uuid).await?;
    let order = req.list("bootOrder");
    if let Some(bad) = order.iter().find(|d| !BOOT_DEVICES.contains(&d.as_str())) {
        return Err(ApiError::invalid_argument(format!("boot device[{bad}] must be one of CdRom, HardDisk, Network")));
    }
    if order.is_empty() {
        tag_remove(&app, &uuid, "bootOrder::").await?;
    } else {
        tag_set(&app, &uuid, "bootOrder::", &format!("bootOrder::{}", order.join(","))).await?;
    }
    vm_reply(&app, &uuid).await
}

pub async fn vm_boot_order(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    read(&app.dirs().vm, &uuid).await?;
    let order: Vec<String> = tag_value(&app, &uuid, "bootOrder::").await?.map(|v| v.split(',').map(String::from).collect()).unwrap_or_else(|| vec!["HardDisk".into()]);
    let mut m = Map::new();
    m.insert("orders".into(), json!(order));
    Ok(Reply::Fields(m))
}

pub async fn vm_capabilities(app: App, req: Req) -> ApiResult<Reply> {
    let vm = read(&app.dirs().vm, &req.must("uuid")?).await?;
    let running = HOLDS_HOST.contains(&str_of(&vm, "state").unwrap_or_default());
    let mut m = Map::new();
    m.insert("capabilities".into(), json!({"LiveMigration": running, "VolumeMigration": false, "Reimage": true}));
    Ok(Reply::Fields(m))
}

pub async fn vm_qga(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    read(&app.dirs().vm, &uuid).await?;
    let mut m = Map::new();
    m.insert("uuid".into(), json!(uuid));
    m.insert("enable".into(), json!(tag_value(&app, &uuid, "qga").await?.is_some()));
    Ok(Reply::Fields(m))
}

pub async fn vm_set_qga(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    read(&app.dirs().vm, &uuid).await?;
    if req.bool("enable").unwrap_or(false) {
        tag_set(&app, &uuid, "qga", "qga").await?;
    } else {
        tag_remove(&app, &uuid, "qga").await?;
    }
    Ok(Reply::Empty)
}


// ---------- NICs on their own ----------

/// A NIC holding an address on an L3 network, on no VM yet.
fn nic_inventory(nic_uuid: &str, l3: &str, ip: &super::network::AllocatedIp) -> Inventory {
    new_inv(json!({"uuid": nic_uuid, "l3NetworkUuid": l3, "ip": ip.ip, "netmask": ip.netmask, "gateway": ip.gateway,
        "mac": super::vm::mac_for(nic_uuid), "ipVersion": 4, "driverType": "virtio", "type": "VNIC", "state": "enable"}))
}

/// Put a NIC on a VM as device `device`.
fn nic_place(nic: &mut Inventory, vm: &Inventory, device: i64) {
    let vm_uuid = str_of(vm, "uuid").unwrap_or_default().to_string();
    nic.insert("internalName".into(), json!(format!("vnic{}.{device}", &vm_uuid[..8.min(vm_uuid.len())])));
    nic.insert("vmInstanceUuid".into(), json!(vm_uuid));
    nic.insert("deviceId".into(), json!(device));
    nic.insert("hypervisorType".into(), json!(str_of(vm, "hypervisorType")));
}

/// Store a new NIC; its address goes back if the row cannot be written.
async fn nic_insert(app: &App, nic: &Inventory, ip: &super::network::AllocatedIp) -> ApiResult<()> {
    if let Err(e) = app.store.inv_insert(&tables::VM_NIC, nic).await {
        ip_release(app, str_of(nic, "l3NetworkUuid").unwrap_or_default(), &ip.used_ip_uuid, &ip.ip).await?;
        return Err(e);
    }
    Ok(())
}

/// `CreateVmNic`: a NIC with an address on an L3 network, attached to no VM yet.
pub async fn nic_create(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    super::network::l3_read(&app, &l3).await?;
    let nic_uuid = req.resource_uuid()?;
    let ip = ip_allocate(&app, &l3, &nic_uuid, req.string("ip")).await?;
    let nic = nic_inventory(&nic_uuid, &l3, &ip);
    nic_insert(&app, &nic, &ip).await?;
    Ok(Reply::Inventory(Value::Object(nic)))
}

pub async fn nic_attach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let nic_uuid = req.must("vmNicUuid")?;
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            let mut nic = app.store.inv_get(&tables::VM_NIC, &nic_uuid).await?.ok_or_else(|| ApiError::not_found("VmNicVO", &nic_uuid))?;
            if let Some(other) = str_of(&nic, "vmInstanceUuid") {
                return Err(ApiError::operation(format!("nic[uuid:{nic_uuid}] is already attached to vm[uuid:{other}]")));
            }
            if !matches!(str_of(&vm, "state"), Some("Running") | Some("Stopped") | Some("Paused")) {
                return Err(ApiError::operation(format!("unable to attach a nic to vm[uuid:{vm_uuid}] in state {}", str_of(&vm, "state").unwrap_or_default())));
            }
            let nics = app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &vm_uuid).await?;
            if nics.iter().any(|n| str_of(n, "l3NetworkUuid") == str_of(&nic, "l3NetworkUuid")) {
                return Err(ApiError::operation(format!("vm[uuid:{vm_uuid}] already has a nic on that l3 network")));
            }
            let device = (0..).find(|i| !nics.iter().any(|n| i64_of(n, "deviceId") == *i)).unwrap_or(0);
            nic_place(&mut nic, &vm, device);
            app.store.inv_update(&tables::VM_NIC, &nic).await?;
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

pub async fn nic_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(nic) = app.store.inv_get(&tables::VM_NIC, &uuid).await? else { return Ok(Reply::Empty) };
    match str_of(&nic, "vmInstanceUuid") {
        Some(vm) => super::vm::nic_detach(&app, vm, &uuid).await?,
        None => super::vm::nic_release(&app, &nic).await?,
    }
    Ok(Reply::Empty)
}

// ---------- root volume from an image again ----------

/// Recreate the VM's root volume from `image` (reimage keeps the image,
/// changeVmImage takes a new one). The VM must be stopped. The new disk is
/// made and recorded first; then the old disk and its snapshots go (their
/// files rest on the old disk's image, which the volume no longer reads),
/// and the capacity follows the image's size.
async fn rebuild_root(app: &App, vm_uuid: &str, image_uuid: Option<String>) -> ApiResult<()> {
    on_vm(app, vm_uuid, move |app, mut vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            if str_of(&vm, "state") != Some("Stopped") {
                return Err(ApiError::operation(format!("vm[uuid:{vm_uuid}] must be Stopped, it is {}", str_of(&vm, "state").unwrap_or_default())));
            }
            let image_uuid = image_uuid.or_else(|| str_of(&vm, "imageUuid").map(String::from)).unwrap_or_default();
            let image = read(&app.dirs().image, &image_uuid).await?;
            if str_of(&image, "status") != Some("Ready") || str_of(&image, "mediaType") != Some("RootVolumeTemplate") {
                return Err(ApiError::operation(format!("image[uuid:{image_uuid}] is not a Ready root volume template")));
            }
            let root_uuid = str_of(&vm, "rootVolumeUuid").unwrap_or_default().to_string();
            let root = read(&app.dirs().volume, &root_uuid).await?;
            let ps = str_of(&root, "primaryStorageUuid").unwrap_or_default().to_string();
            let (old_size, new_size) = (i64_of(&root, "size"), i64_of(&image, "size"));
            if new_size > old_size {
                super::volume::ps_reserve(&app, &ps, new_size - old_size).await?;
            }
            let give_back = |app: App, ps: String| async move {
                if new_size > old_size {
                    log_undo(super::vm::ps_release(&app, &ps, new_size - old_size).await);
                }
            };
            let old_path = str_of(&root, "installPath").unwrap_or_default().to_string();
            let snapshots = app.store.inv_find(&tables::VOLUME_SNAPSHOT, "volumeUuid", &root_uuid).await?;
            let local = crate::kvm::local_storage::is_local(&app, &ps).await?;
            // On local storage the new overlay goes beside the old file (which
            // stays until the new one is recorded); the simulator's disk is
            // remade in place.
            let (new_path, host) = if local {
                match crate::kvm::local_storage::root_volume_reimage(&app, &root, &image_uuid).await {
                    Ok((host, path)) => (path, Some(host)),
                    Err(e) => {
                        give_back(app.clone(), ps.clone()).await;
                        return Err(e);
                    }
                }
            } else {
                for snap in &snapshots {
                    remove_snapshot_file(&app, &ps, snap).await?;
                }
                app.sim.volume_delete(&ps, &old_path).await?;
                app.sim.volume_create(&ps, &old_path, new_size).await?;
                (old_path.clone(), None)
            };
            let (image_for_volume, path_for_volume) = (image_uuid.clone(), new_path.clone());
            let recorded = super::mutate(&app, &app.dirs().volume, &root_uuid, move |s| {
                s.set("size", json!(new_size));
                s.set("rootImageUuid", json!(image_for_volume));
                s.set("installPath", json!(path_for_volume));
                Ok(())
            })
            .await;
            if let Err(e) = recorded {
                if let Some(host) = &host {
                    log_undo(crate::kvm::local_storage::delete_file(&app, host, &new_path).await);
                }
                give_back(app.clone(), ps.clone()).await;
                return Err(e);
            }
            if let Some(host) = &host {
                // The volume reads the new file now: what it read before goes.
                crate::kvm::local_storage::resource_resize(&app, &root_uuid, new_size).await?;
                for snap in &snapshots {
                    remove_snapshot_file(&app, &ps, snap).await?;
                }
                crate::kvm::local_storage::delete_file(&app, host, &old_path).await?;
            }
            for snap in &snapshots {
                let snap_uuid = str_of(snap, "uuid").unwrap_or_default();
                app.store.inv_delete(&tables::VOLUME_SNAPSHOT, snap_uuid).await?;
                for mut r in app.store.inv_find(&tables::VOLUME_SNAPSHOT_GROUP_REF, "volumeSnapshotUuid", snap_uuid).await? {
                    r.insert("snapshotDeleted".into(), json!(true));
                    app.store.inv_update(&tables::VOLUME_SNAPSHOT_GROUP_REF, &r).await?;
                }
            }
            app.store.db.write(vec![app.store.delete_stmt(&tables::VOLUME_SNAPSHOT_TREE, "volumeUuid", &root_uuid)]).await?;
            if new_size < old_size {
                super::vm::ps_release(&app, &ps, old_size - new_size).await?;
            }
            vm.insert("imageUuid".into(), json!(image_uuid));
            Ok(vm)
        })
    })
    .await
}

/// Delete a snapshot's file (and, on local storage, the record of its host).
async fn remove_snapshot_file(app: &App, ps: &str, snap: &Inventory) -> ApiResult<()> {
    match str_of(snap, "primaryStorageInstallPath") {
        Some(path) => crate::hypervisor::volume_delete(app, ps, str_of(snap, "uuid").unwrap_or_default(), path).await,
        None => Ok(()),
    }
}

pub async fn vm_reimage(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    rebuild_root(&app, &uuid, None).await?;
    vm_reply(&app, &uuid).await
}

pub async fn vm_change_image(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    rebuild_root(&app, &uuid, Some(req.must("imageUuid")?)).await?;
    vm_reply(&app, &uuid).await
}

/// `CloneVmInstance`: new VMs with the source's image, offering and L3 networks, one per name.
pub async fn vm_clone(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let names = req.list("names");
    if names.is_empty() {
        return Err(ApiError::invalid_argument("names must hold at least one name"));
    }
    let vm = read(&app.dirs().vm, &uuid).await?;
    let l3s = vm_l3s(&app, &uuid).await?;
    let mut created = Vec::new();
    let mut failures = Vec::new();
    for name in names {
        let mut params = Map::new();
        params.insert("name".into(), json!(name));
        for f in ["imageUuid", "instanceOfferingUuid", "cpuNum", "memorySize", "defaultL3NetworkUuid", "platform", "guestOsType"] {
            if let Some(v) = vm.get(f) {
                params.insert(f.into(), v.clone());
            }
        }
        params.insert("l3NetworkUuids".into(), json!(l3s));
        for f in ["clusterUuid", "hostUuid", "strategy"] {
            if let Some(v) = req.params.get(f) {
                params.insert(f.into(), v.clone());
            }
        }
        if let Some(ps) = req.str("primaryStorageUuidForRootVolume") {
            params.insert("primaryStorageUuidForRootVolume".into(), json!(ps));
        }
        let sub = Req { params, system_tags: vec![], user_tags: vec![], session: req.session.clone(), query: Default::default(), api: req.api };
        match super::vm::vm_create(app.clone(), sub).await {
            Ok(Reply::Inventory(v)) => created.push(v),
            Ok(_) => {}
            Err(e) => failures.push(json!({"name": name, "error": e})),
        }
    }
    let mut result = Map::new();
    result.insert("numberOfClonedVm".into(), json!(created.len()));
    result.insert("inventories".into(), Value::Array(created.into_iter().map(|v| json!({"inventory": v})).collect()));
    if !failures.is_empty() {
        result.insert("failures".into(), Value::Array(failures));
    }
    let mut m = Map::new();
    m.insert("result".into(), Value::Object(result));
    Ok(Reply::Fields(m))
}

// ---------- ISOs ----------

/// How many CD-ROM drives a VM may have (ZStack's `vm.cdrom` limit).
const MAX_CDROMS: i64 = 3;

pub async fn iso_attach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let iso = req.must("isoUuid")?;
    let image = read(&app.dirs().image, &iso).await?;
    if str_of(&image, "mediaType") != Some("ISO") || str_of(&image, "status") != Some("Ready") {
        return Err(ApiError::invalid_argument(format!("image[uuid:{iso}] is not a Ready ISO")));
    }
    let install = app.store.inv_find(&tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", &iso).await?.first().and_then(|r| str_of(r, "installPath").map(String::from));
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            if !matches!(str_of(&vm, "state"), Some("Running") | Some("Stopped") | Some("Paused")) {
                return Err(ApiError::operation(format!("unable to attach an ISO to vm[uuid:{vm_uuid}] in state {}", str_of(&vm, "state").unwrap_or_default())));
            }
            iso_change_allowed(&app, &vm)?;
            let cdroms = app.store.inv_find(&tables::VM_CDROM, "vmInstanceUuid", &vm_uuid).await?;
            if cdroms.iter().any(|c| str_of(c, "isoUuid") == Some(iso.as_str())) {
                return Err(ApiError::operation(format!("ISO[uuid:{iso}] is already attached to vm[uuid:{vm_uuid}]")));
            }
            let mut drive = match cdroms.iter().find(|c| str_of(c, "isoUuid").is_none()) {
                Some(free) => free.clone(),
                None if (cdroms.len() as i64) < MAX_CDROMS => {
                    let device = (0..).find(|i| !cdroms.iter().any(|c| i64_of(c, "deviceId") == *i)).unwrap_or(0);
                    let drive = new_inv(json!({"uuid": new_uuid(), "vmInstanceUuid": vm_uuid, "deviceId": device, "name": format!("vm-{}-cdRom", &vm_uuid[..8.min(vm_uuid.len())])}));
                    app.store.inv_insert(&tables::VM_CDROM, &drive).await?;
                    drive
                }
                None => return Err(ApiError::operation(format!("vm[uuid:{vm_uuid}] has no free CD-ROM drive ({MAX_CDROMS} at most)"))),
            };
            drive.insert("isoUuid".into(), json!(iso));
            if let Some(p) = &install {
                drive.insert("isoInstallPath".into(), json!(p));
            }
            app.store.inv_update(&tables::VM_CDROM, &drive).await?;
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

/// A running VM on a KVM host gets its ISOs at its next start: media changes
/// on a live domain are not offered yet.
fn iso_change_allowed(app: &App, vm: &Inventory) -> ApiResult<()> {
    let host = str_of(vm, "hostUuid").unwrap_or_default();
    if matches!(str_of(vm, "state"), Some("Running" | "Paused")) && app.kvm.is_kvm(host) {
        return Err(ApiError::operation(format!(
            "vm[uuid:{}] runs on KVM host[uuid:{host}]: stop it to change its ISOs (they are attached at start)",
            str_of(vm, "uuid").unwrap_or_default()
        )));
    }
    Ok(())
}

pub async fn iso_detach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("vmInstanceUuid")?;
    let iso = req.string("isoUuid");
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
            iso_change_allowed(&app, &vm)?;
            let mut stmts = Vec::new();
            for mut c in app.store.inv_find(&tables::VM_CDROM, "vmInstanceUuid", &vm_uuid).await? {
                let hit = match (&iso, str_of(&c, "isoUuid")) {
                    (Some(want), Some(have)) => want == have,
                    (None, Some(_)) => true,
                    _ => false,
                };
                if hit {
                    c.remove("isoUuid");
                    c.remove("isoInstallPath");
                    stmts.push(app.store.update_stmt(&tables::VM_CDROM, &c));
                }
            }
            app.store.db.write(stmts).await?;
            Ok(vm)
        })
    })
    .await?;
    vm_reply(&app, &uuid).await
}

pub async fn vm_change_password(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let account = req.must("account")?;
    let password = req.must("password")?;
    if password.len() < 6 {
        return Err(ApiError::invalid_argument("the password must have at least 6 characters"));
    }
    on_vm(&app, &uuid, move |app, vm| {
        Box::pin(async move {
            if str_of(&vm, "state") != Some("Running") {
                return Err(ApiError::operation(format!("vm[uuid:{}] must be Running to change a password", str_of(&vm, "uuid").unwrap_or_default())));
            }
            let host = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
            crate::hypervisor::simulator_only(&app, &host, "changing a guest password")?;
            app.sim.vm_set_password(&host, str_of(&vm, "uuid").unwrap_or_default(), &account, &crate::identity::sha512_hex(&password)).await?;
            Ok(vm)
        })
    })
    .await?;
    Ok(Reply::Empty)
}
