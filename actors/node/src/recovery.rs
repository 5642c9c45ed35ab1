//! Restart safety. Everything a VM-create flow takes is keyed by the VM
//! (its volumes, NICs, used IPs, simulator VM and files; host and storage
//! capacity are sums over those), so after a crash the node derives what an
//! unfinished flow took instead of replaying a log: VMs left in `Created`
//! are undone, the hypervisor is reconciled with the database, and capacity
//! and address usage are recomputed; hybrid creations cut short are undone on
//! Alibaba Cloud (`hybrid::recovery`). `invariant_violations` is the check the
//! tests and `zstack check` use.

use crate::app::App;
use crate::resources::vm::HOLDS_HOST;
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use zstack_db::query::QueryOptions;
use zstack_kit::ApiResult;

fn all() -> QueryOptions {
    QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() }
}

async fn rows(app: &App, spec: &'static zstack_db::TableSpec) -> ApiResult<Vec<Inventory>> {
    app.store.inv_query(spec, &[], &all()).await
}

/// What capacity and addresses should be, derived from the surviving VMs and volumes.
struct Expected {
    host_cpu: HashMap<String, i64>,
    host_mem: HashMap<String, i64>,
    ps_used: HashMap<String, i64>,
    nics: HashSet<String>,
}

async fn expected(app: &App) -> ApiResult<Expected> {
    let mut e = Expected { host_cpu: HashMap::new(), host_mem: HashMap::new(), ps_used: HashMap::new(), nics: HashSet::new() };
    for vm in rows(app, &tables::VM_INSTANCE).await? {
        if let Some(h) = str_of(&vm, "hostUuid") {
            if HOLDS_HOST.contains(&str_of(&vm, "state").unwrap_or_default()) {
                *e.host_cpu.entry(h.to_string()).or_default() += i64_of(&vm, "cpuNum");
                *e.host_mem.entry(h.to_string()).or_default() += i64_of(&vm, "memorySize");
            }
        }
    }
    for v in rows(app, &tables::VOLUME).await? {
        *e.ps_used.entry(str_of(&v, "primaryStorageUuid").unwrap_or_default().to_string()).or_default() += i64_of(&v, "size");
    }
    e.nics = rows(app, &tables::VM_NIC).await?.iter().filter_map(|n| str_of(n, "uuid").map(String::from)).collect();
    Ok(e)
}

/// Every way the stored state disagrees with itself or with the hypervisor.
pub async fn invariant_violations(app: &App) -> ApiResult<Vec<String>> {
    let e = expected(app).await?;
    let mut out = Vec::new();
    for h in rows(app, &tables::HOST).await? {
        let u = str_of(&h, "uuid").unwrap_or_default();
        let want_cpu = i64_of(&h, "totalCpuCapacity") - e.host_cpu.get(u).copied().unwrap_or(0);
        let want_mem = i64_of(&h, "totalMemoryCapacity") - e.host_mem.get(u).copied().unwrap_or(0);
        if i64_of(&h, "availableCpuCapacity") != want_cpu || i64_of(&h, "availableMemoryCapacity") != want_mem {
            out.push(format!(
                "host {u}: available cpu/memory {}/{} but its VMs leave {want_cpu}/{want_mem}",
                i64_of(&h, "availableCpuCapacity"),
                i64_of(&h, "availableMemoryCapacity")
            ));
        }
    }
    for p in rows(app, &tables::PRIMARY_STORAGE).await? {
        let u = str_of(&p, "uuid").unwrap_or_default();
        let want = i64_of(&p, "totalCapacity") - i64_of(&p, "systemUsedCapacity") - e.ps_used.get(u).copied().unwrap_or(0);
        if i64_of(&p, "availableCapacity") != want {
            out.push(format!("primary storage {u}: available {} but its volumes leave {want}", i64_of(&p, "availableCapacity")));
        }
        if str_of(&p, "type") == Some(crate::kvm::local_storage::TYPE) {
            continue; // its files are on the KVM hosts, not in the simulator
        }
        let files = app.sim.files_on(u).len();
        let vols = app.store.inv_count(&tables::VOLUME, &[crate::store::eq("primaryStorageUuid", u)]).await? as usize;
        let snaps = app.store.inv_count(&tables::VOLUME_SNAPSHOT, &[crate::store::eq("primaryStorageUuid", u)]).await? as usize;
        if files != vols + snaps {
            out.push(format!("primary storage {u}: {files} files but {vols} volumes and {snaps} snapshots"));
        }
    }
    for ip in rows(app, &tables::USED_IP).await? {
        if !str_of(&ip, "vmNicUuid").map(|n| e.nics.contains(n)).unwrap_or(false) {
            out.push(format!("used ip {} of l3 {} belongs to no NIC", str_of(&ip, "ip").unwrap_or_default(), str_of(&ip, "l3NetworkUuid").unwrap_or_default()));
        }
    }
    let vms: HashMap<String, Inventory> = rows(app, &tables::VM_INSTANCE).await?.into_iter().map(|v| (str_of(&v, "uuid").unwrap_or_default().to_string(), v)).collect();
    let kvm = kvm_hosts(app).await?;
    for (uuid, vm) in &vms {
        let state = str_of(vm, "state").unwrap_or_default();
        if !matches!(state, "Running" | "Stopped" | "Paused" | "Destroyed") {
            out.push(format!("vm {uuid} is left in state {state}"));
        }
        if on_kvm(vm, &kvm) {
            continue; // the host's agent reports it; the ping's sync reconciles it
        }
        let on_host = app.sim.vm_get(uuid);
        let should_run = matches!(state, "Running" | "Paused");
        if should_run != on_host.is_some() {
            out.push(format!("vm {uuid} is {state} in the database but {} on the simulator", if on_host.is_some() { "present" } else { "absent" }));
        }
    }
    for uuid in app.sim.vms().keys() {
        if !vms.contains_key(uuid) {
            out.push(format!("simulator runs vm {uuid} that the database does not know"));
        }
    }
    Ok(out)
}

/// The uuids of KVM hosts (their VMs are reconciled by the host tracker, not here).
async fn kvm_hosts(app: &App) -> ApiResult<HashSet<String>> {
    Ok(app.store.inv_find(&tables::HOST, "hypervisorType", "KVM").await?.iter().filter_map(|h| str_of(h, "uuid").map(String::from)).collect())
}

fn on_kvm(vm: &Inventory, kvm: &HashSet<String>) -> bool {
    str_of(vm, "hostUuid").or(str_of(vm, "lastHostUuid")).is_some_and(|h| kvm.contains(h))
}

/// Undo unfinished VM creations, reconcile with the hypervisor, recompute usage.
pub async fn recover_after_restart(app: &App) -> ApiResult<()> {
    let s = &app.store;
    let mut undone = 0;
    for vm in s.inv_find(&tables::VM_INSTANCE, "state", "Created").await? {
        let uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        let mut stmts = Vec::new();
        for nic in s.inv_find(&tables::VM_NIC, "vmInstanceUuid", &uuid).await? {
            stmts.push(s.delete_stmt(&tables::USED_IP, "vmNicUuid", str_of(&nic, "uuid").unwrap_or_default()));
        }
        stmts.push(s.delete_stmt(&tables::VM_NIC, "vmInstanceUuid", &uuid));
        for v in s.inv_find(&tables::VOLUME, "vmInstanceUuid", &uuid).await? {
            if let Some(path) = str_of(&v, "installPath") {
                crate::hypervisor::volume_delete(app, str_of(&v, "primaryStorageUuid").unwrap_or_default(), str_of(&v, "uuid").unwrap_or_default(), path).await?;
            }
        }
        stmts.push(s.delete_stmt(&tables::VOLUME, "vmInstanceUuid", &uuid));
        stmts.push(s.delete_stmt(&tables::SYSTEM_TAG, "resourceUuid", &uuid));
        stmts.push(s.delete_stmt(&tables::USER_TAG, "resourceUuid", &uuid));
        stmts.push(s.delete_stmt(&tables::VM_INSTANCE, "uuid", &uuid));
        s.db.write(stmts).await?;
        undone += 1;
    }
    // Files a crashed flow created before it wrote their install path.
    let mut known: HashSet<String> = rows(app, &tables::VOLUME).await?.iter().filter_map(|v| str_of(v, "installPath").map(String::from)).collect();
    known.extend(rows(app, &tables::VOLUME_SNAPSHOT).await?.iter().filter_map(|s| str_of(s, "primaryStorageInstallPath").map(String::from)));
    for p in rows(app, &tables::PRIMARY_STORAGE).await? {
        let ps = str_of(&p, "uuid").unwrap_or_default();
        for (path, _) in app.sim.files_on(ps) {
            if !known.contains(&path) {
                app.sim.volume_delete(ps, &path).await?;
            }
        }
    }
    // The hypervisor and the database must agree on which VMs run where.
    let vms: HashMap<String, Inventory> = rows(app, &tables::VM_INSTANCE).await?.into_iter().map(|v| (str_of(&v, "uuid").unwrap_or_default().to_string(), v)).collect();
    for (uuid, sim_vm) in app.sim.vms() {
        let keep = vms.get(&uuid).map(|v| matches!(str_of(v, "state"), Some("Running") | Some("Paused")) && str_of(v, "hostUuid") == Some(sim_vm.host.as_str())).unwrap_or(false);
        if !keep {
            app.sim.vm_stop(&sim_vm.host, &uuid).await?;
        }
    }
    let mut stmts = Vec::new();
    let kvm = kvm_hosts(app).await?;
    for (uuid, mut vm) in vms {
        let state = str_of(&vm, "state").unwrap_or_default().to_string();
        if matches!(state.as_str(), "Running" | "Paused") && !on_kvm(&vm, &kvm) && app.sim.vm_get(&uuid).is_none() {
            if let Some(h) = str_of(&vm, "hostUuid").map(String::from) {
                vm.insert("lastHostUuid".into(), json!(h));
            }
            vm.remove("hostUuid");
            vm.insert("state".into(), json!("Stopped"));
            stmts.push(s.update_stmt(&tables::VM_INSTANCE, &vm));
        }
    }
    s.db.write(stmts).await?;
    // Usage is what the surviving VMs, volumes and NICs hold.
    let e = expected(app).await?;
    let mut stmts = Vec::new();
    for mut h in rows(app, &tables::HOST).await? {
        let u = str_of(&h, "uuid").unwrap_or_default().to_string();
        let cpu = i64_of(&h, "totalCpuCapacity") - e.host_cpu.get(&u).copied().unwrap_or(0);
        let mem = i64_of(&h, "totalMemoryCapacity") - e.host_mem.get(&u).copied().unwrap_or(0);
        if cpu != i64_of(&h, "availableCpuCapacity") || mem != i64_of(&h, "availableMemoryCapacity") {
            h.insert("availableCpuCapacity".into(), json!(cpu));
            h.insert("availableMemoryCapacity".into(), json!(mem));
            stmts.push(s.update_stmt(&tables::HOST, &h));
        }
    }
    for mut p in rows(app, &tables::PRIMARY_STORAGE).await? {
        let u = str_of(&p, "uuid").unwrap_or_default().to_string();
        let avail = i64_of(&p, "totalCapacity") - i64_of(&p, "systemUsedCapacity") - e.ps_used.get(&u).copied().unwrap_or(0);
        if avail != i64_of(&p, "availableCapacity") {
            p.insert("availableCapacity".into(), json!(avail));
            stmts.push(s.update_stmt(&tables::PRIMARY_STORAGE, &p));
        }
    }
    for ip in rows(app, &tables::USED_IP).await? {
        if !str_of(&ip, "vmNicUuid").map(|n| e.nics.contains(n)).unwrap_or(false) {
            stmts.push(s.delete_stmt(&tables::USED_IP, "uuid", str_of(&ip, "uuid").unwrap_or_default()));
        }
    }
    s.db.write(stmts).await?;
    if undone > 0 {
        log::warn!("undid {undone} VM creation(s) a previous run left unfinished");
    }
    Ok(())
}

/// End the jobs a previous run left processing that `ends` picks (by their
/// resource uuid), after the repairs above: a create whose resource survived
/// succeeded (its reply is the resource's inventory); anything else failed and
/// was undone (`undone` has the error of a create a recovery pass undid, by its
/// resource uuid).
pub async fn finish_unfinished_jobs(app: &App, undone: &HashMap<String, zstack_kit::ApiError>, ends: impl Fn(Option<&str>) -> bool) -> ApiResult<()> {
    let mut jobs = app.jobs.job_unfinished().await?;
    jobs.retain(|(_, _, target)| ends(target.as_deref()));
    if jobs.is_empty() {
        return Ok(());
    }
    // Which targets survived, and in which table: one query per table for all jobs.
    let targets: Vec<String> = jobs.iter().filter_map(|(_, _, t)| t.clone()).collect();
    let found = app.store.tables_holding(&targets).await?;
    let (mut done, mut failed) = (0, 0);
    for (job, api, target) in jobs {
        let survivor = target.as_ref().and_then(|t| found.get(t).map(|spec| (t, *spec)));
        let outcome = match (target.as_ref().and_then(|t| undone.get(t)), survivor) {
            (Some(e), _) => {
                failed += 1;
                Err(e.clone())
            }
            (None, Some((t, spec))) => {
                done += 1;
                Ok(json!({ "inventory": crate::resources::infra::full_inventory(app, spec, t).await? }))
            }
            (None, None) => {
                failed += 1;
                Err(zstack_kit::ApiError::internal("the management node restarted while this job was running; its changes were rolled back"))
            }
        };
        log::debug!("job {job} of {api} ended at restart");
        app.jobs.job_finish(&job, outcome).await?;
    }
    log::warn!("{} job(s) were running when the node stopped: {done} had finished their work, {failed} were undone", done + failed);
    Ok(())
}
