//! Host tracking: every `host.ping.interval` seconds each KVM host's agent is
//! pinged. A failed ping makes the host Disconnected and its VMs Unknown; a
//! good ping of a Disconnected host reconnects it; a good ping of a Connected
//! host syncs VM states (a VM stopped or started outside the node is noticed).

use super::QUICK;
use crate::app::App;
use crate::resources::vm::{host_release, HOLDS_HOST};
use crate::resources::{mutate, VmK};
use crate::store::{i64_of, str_of};
use crate::tables;
use serde_json::json;
use zstack_agent_proto::{paths, AgentResponse, CheckVmStateCmd, DestroyVmCmd, CheckVmStateRsp, KvmVmState, PingCmd, PingResponse, VmSyncCmd, VmSyncResponse};
use zstack_kit::actor::Cell;
use zstack_kit::ApiResult;

/// Start the ping loop (one task for all hosts; pings run concurrently).
pub fn start(app: App) {
    crate::config::spawn_rounds(app, crate::config::HOST_PING_INTERVAL, |app| async move {
        let pings = app.kvm.hosts().into_iter().map(|agent| {
            let app = app.clone();
            async move {
                if let Err(e) = ping(&app, &agent.host_uuid).await {
                    log::warn!("tracking host {}: {e}", agent.host_uuid);
                }
            }
        });
        futures::future::join_all(pings).await;
    });
}

pub async fn ping(app: &App, host: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return Ok(()) };
    let Some(inv) = app.store.inv_get(&tables::HOST, host).await? else { return Ok(()) };
    let status = str_of(&inv, "status").unwrap_or_default().to_string();
    let answer: ApiResult<PingResponse> = agent.call(paths::HOST_PING, &PingCmd { host_uuid: host.into() }, QUICK).await;
    match answer {
        Err(e) => {
            if status != "Disconnected" {
                mark_disconnected(app, host, &e.details).await?;
            }
            Ok(())
        }
        // An agent restarted or connected by someone else: connect it again.
        Ok(p) if status != "Connected" || p.host_uuid.as_deref() != Some(host) => super::host::reconnect(app, host).await.map(|_| ()),
        Ok(_) => sync_vms(app, host).await,
    }
}

pub async fn mark_disconnected(app: &App, host: &str, reason: &str) -> ApiResult<()> {
    log::warn!("host {host} is Disconnected: {reason}");
    mutate(app, &app.dirs().host, host, |s| {
        s.set("status", json!("Disconnected"));
        Ok(())
    })
    .await?;
    for vm in app.store.inv_find(&tables::VM_INSTANCE, "hostUuid", host).await? {
        let uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        mutate(app, &app.dirs().vm, &uuid, |s| {
            if HOLDS_HOST.contains(&s.str("state").unwrap_or_default()) {
                s.set("state", json!("Unknown"));
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Compare the agent's domains with the VMs the node places on this host.
/// Each VM is settled on its own actor with a fresh state from the agent, so
/// an operation in flight is never overtaken by a stale report.
pub async fn sync_vms(app: &App, host: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return Ok(()) };
    let report: VmSyncResponse = agent.call(paths::VM_SYNC, &VmSyncCmd {}, QUICK).await?;
    let mut known = std::collections::HashSet::new();
    for vm in app.store.inv_find(&tables::VM_INSTANCE, "hostUuid", host).await? {
        let uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        known.insert(uuid.clone());
        let reported = report.states.get(&uuid).copied().unwrap_or(KvmVmState::Shutdown);
        if Some(node_state(reported)) == str_of(&vm, "state") {
            continue;
        }
        settle_vm(app, host, &uuid).await?;
    }
    for stranger in report.states.keys().filter(|u| !known.contains(*u)) {
        log::info!("host {host} runs a domain the node does not place there: {stranger}");
    }
    Ok(())
}

fn node_state(s: KvmVmState) -> &'static str {
    match s {
        KvmVmState::Running => "Running",
        KvmVmState::Paused | KvmVmState::Suspended => "Paused",
        KvmVmState::Shutdown => "Stopped",
        KvmVmState::Crashed => "Crashed",
        KvmVmState::NoState => "Unknown",
    }
}

async fn settle_vm(app: &App, host: &str, vm: &str) -> ApiResult<()> {
    let (a, h, v) = (app.clone(), host.to_string(), vm.to_string());
    let released = app
        .dirs()
        .vm
        .ask(vm, move |cell: Cell<crate::resources::Res<VmK>>| {
            Box::pin(async move {
                let Some(agent) = a.kvm.agent(&h) else { return Ok(None) };
                if str_of(&cell.borrow().inv, "hostUuid") != Some(h.as_str()) {
                    return Ok(None); // moved while the report was in flight
                }
                let rsp: CheckVmStateRsp = agent.call(paths::VM_CHECK_STATE, &CheckVmStateCmd { vm_uuids: vec![v.clone()], host_uuid: Some(h.clone()) }, QUICK).await?;
                let now = node_state(rsp.states.get(&v).copied().unwrap_or(KvmVmState::Shutdown));
                let before = cell.borrow().str("state").unwrap_or_default().to_string();
                if before == now {
                    return Ok(None);
                }
                log::info!("vm {v} on host {h} is {now} on the hypervisor, {before} in the node: taking the hypervisor's word");
                if now == "Stopped" {
                    // What is left of the domain goes; the node defines it again at start.
                    let _: AgentResponse = agent.call(paths::VM_DESTROY, &DestroyVmCmd { uuid: v.clone(), ..Default::default() }, QUICK).await?;
                }
                let (inv, freed) = {
                    let mut s = cell.borrow_mut();
                    s.set("state", json!(now));
                    let mut freed = None;
                    if now == "Stopped" {
                        freed = Some((i64_of(&s.inv, "cpuNum"), i64_of(&s.inv, "memorySize")));
                        s.set("lastHostUuid", json!(h));
                        s.inv.remove("hostUuid");
                    }
                    (s.inv.clone(), freed)
                };
                a.store.inv_update(&tables::VM_INSTANCE, &inv).await?;
                Ok(freed.filter(|_| HOLDS_HOST.contains(&before.as_str())))
            })
        })
        .await?;
    if let Some((cpu, mem)) = released {
        host_release(app, host, cpu, mem).await?;
    }
    Ok(())
}
