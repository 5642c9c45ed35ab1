//! What a VM operation asks of the host it runs on, whichever kind of host
//! that is: a simulator host (in-process, `simulator.rs`) or a KVM host
//! (zstack-agent over HTTP). Callers describe the VM once (`VmLaunch`); the
//! KVM side turns it into the agent's StartVmCmd with bridges, disks and NICs.

use crate::app::App;
use crate::kvm::{local_storage, AgentClient, QUICK, SLOW};
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use std::collections::BTreeSet;
use zstack_agent_proto::{
    paths, AgentResponse, AttachDataVolumeCmd, CdRomTO, CreateBridgeCmd, DestroyVmCmd, DetachDataVolumeCmd, NicTO, PauseVmCmd, RebootVmCmd, ResumeVmCmd, StartVmCmd,
    StartVmResponse, StopVmCmd, StopVmType, VolumeTO,
};
use zstack_kit::{ApiError, ApiResult};

/// A VM as the hypervisor needs it to start it.
#[derive(Debug, Clone, Default)]
pub struct VmLaunch {
    pub uuid: String,
    pub name: String,
    pub cpu: i64,
    pub memory: i64,
    /// Root volume first; each with `installPath` and `deviceId`.
    pub volumes: Vec<Inventory>,
    pub nics: Vec<Inventory>,
}

impl VmLaunch {
    /// The launch of a stored VM: its volumes and NICs from the database.
    pub async fn of_vm(app: &App, vm: &Inventory) -> ApiResult<VmLaunch> {
        let uuid = str_of(vm, "uuid").unwrap_or_default().to_string();
        let root = str_of(vm, "rootVolumeUuid").unwrap_or_default();
        let mut volumes = app.store.inv_find(&tables::VOLUME, "vmInstanceUuid", &uuid).await?;
        volumes.sort_by_key(|v| (str_of(v, "uuid") != Some(root), i64_of(v, "deviceId")));
        let nics = app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &uuid).await?;
        Ok(VmLaunch { uuid, name: str_of(vm, "name").unwrap_or_default().into(), cpu: i64_of(vm, "cpuNum"), memory: i64_of(vm, "memorySize"), volumes, nics })
    }

    fn volume_uuids(&self) -> Vec<String> {
        self.volumes.iter().filter_map(|v| str_of(v, "uuid").map(String::from)).collect()
    }
}

pub fn volume_to(v: &Inventory) -> VolumeTO {
    VolumeTO {
        install_path: str_of(v, "installPath").unwrap_or_default().into(),
        device_id: i64_of(v, "deviceId").max(0) as u32,
        device_type: "file".into(),
        volume_uuid: str_of(v, "uuid").unwrap_or_default().into(),
        use_virtio: true,
        format: Some(str_of(v, "format").unwrap_or("qcow2").into()),
        r#type: str_of(v, "type").map(String::from),
        ..Default::default()
    }
}

/// ZStack's bridge names: `br_<iface>` for a flat L2, `br_<iface>_<vlan>` for a VLAN.
fn bridge_of(l2: &Inventory) -> (String, String, Option<u32>) {
    let iface = str_of(l2, "physicalInterface").unwrap_or_default().to_string();
    match str_of(l2, "type") {
        Some("L2VlanNetwork") => {
            let vlan = i64_of(l2, "vlan") as u32;
            (format!("br_{}_{vlan}", iface.replace('.', "_")), iface, Some(vlan))
        }
        _ => (format!("br_{}", iface.replace('.', "_")), iface, None),
    }
}

async fn kvm_nics(app: &App, agent: &AgentClient, nics: &[Inventory]) -> ApiResult<Vec<NicTO>> {
    let mut out = Vec::new();
    let mut bridges = BTreeSet::new();
    for (i, nic) in nics.iter().enumerate() {
        let l3 = crate::resources::network::l3_read(app, str_of(nic, "l3NetworkUuid").unwrap_or_default()).await?;
        let l2_uuid = str_of(&l3, "l2NetworkUuid").unwrap_or_default().to_string();
        let l2 = crate::resources::read(&app.dirs().l2, &l2_uuid).await?;
        if !matches!(str_of(&l2, "type"), Some("L2NoVlanNetwork" | "L2VlanNetwork")) {
            return Err(ApiError::operation(format!("l2 network[uuid:{l2_uuid}] is {}: KVM hosts here bridge flat and VLAN networks only", str_of(&l2, "type").unwrap_or("?"))));
        }
        let (bridge, iface, vlan) = bridge_of(&l2);
        if bridges.insert(bridge.clone()) {
            let path = if vlan.is_some() { paths::L2_VLAN_CREATE_BRIDGE } else { paths::L2_NOVLAN_CREATE_BRIDGE };
            let cmd = CreateBridgeCmd { physical_interface_name: iface.clone(), bridge_name: bridge.clone(), l2_network_uuid: l2_uuid.clone(), vlan, ..Default::default() };
            let _: AgentResponse = agent.call(path, &cmd, QUICK).await?;
        }
        out.push(NicTO {
            mac: str_of(nic, "mac").unwrap_or_default().into(),
            ips: str_of(nic, "ip").map(|ip| vec![ip.to_string()]).unwrap_or_default(),
            bridge_name: bridge,
            physical_interface: Some(iface),
            uuid: str_of(nic, "uuid").unwrap_or_default().into(),
            device_id: nic.get("deviceId").and_then(|d| d.as_u64()).unwrap_or(i as u64) as u32,
            use_virtio: true,
            l2_network_uuid: Some(l2_uuid),
            ..Default::default()
        });
    }
    Ok(out)
}

pub async fn vm_start(app: &App, host: &str, launch: &VmLaunch) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else {
        return app.sim.vm_start(host, &launch.uuid, launch.cpu, launch.memory, launch.volume_uuids()).await;
    };
    let mut vols = launch.volumes.iter().map(volume_to);
    let root = vols.next().ok_or_else(|| ApiError::internal(format!("vm[uuid:{}] has no root volume", launch.uuid)))?;
    let root_ps = launch.volumes.first().and_then(|v| str_of(v, "primaryStorageUuid")).unwrap_or_default().to_string();
    let mut cd_roms = Vec::new();
    for drive in app.store.inv_find(&tables::VM_CDROM, "vmInstanceUuid", &launch.uuid).await? {
        let device_id = i64_of(&drive, "deviceId").max(0) as u32;
        let path = match str_of(&drive, "isoUuid") {
            Some(iso) => Some(local_storage::iso_cache(app, &root_ps, host, iso).await?),
            None => None,
        };
        cd_roms.push(CdRomTO { is_empty: path.is_none(), path, device_id, image_uuid: str_of(&drive, "isoUuid").map(String::from), ..Default::default() });
    }
    let tags = app.store.tags_of(&launch.uuid).await?;
    let tag = |prefix: &str| tags.iter().find_map(|t| t.strip_prefix(prefix).map(String::from));
    let cmd = StartVmCmd {
        vm_instance_uuid: launch.uuid.clone(),
        vm_name: launch.name.clone(),
        memory: launch.memory.max(0) as u64,
        cpu_num: launch.cpu.max(1) as u32,
        socket_num: 1,
        cpu_on_socket: launch.cpu.max(1) as u32,
        boot_dev: vec!["hd".into()],
        root_volume: root,
        data_volumes: vols.collect(),
        nics: kvm_nics(app, &agent, &launch.nics).await?,
        console_mode: Some("vnc".into()),
        console_password: tag(crate::kvm::console::PASSWORD_TAG),
        cd_roms,
        user_data: tag("userdata::"),
        timeout: Some(SLOW.as_secs()),
        ..Default::default()
    };
    let _: StartVmResponse = agent.call(paths::VM_START, &cmd, SLOW).await?;
    Ok(())
}

/// Stop the VM and remove its domain (the node defines it again at start).
pub async fn vm_stop(app: &App, host: &str, vm: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_stop(host, vm).await };
    let timeout: u64 = app.configs.get(crate::config::KVM_VM_STOP_TIMEOUT).parse().unwrap_or(30);
    let stop = StopVmCmd { uuid: vm.into(), stop_type: StopVmType::Grace, timeout: Some(timeout), ..Default::default() };
    let _: AgentResponse = agent.call(paths::VM_STOP, &stop, std::time::Duration::from_secs(timeout + 30)).await?;
    let _: AgentResponse = agent.call(paths::VM_DESTROY, &DestroyVmCmd { uuid: vm.into(), ..Default::default() }, QUICK).await?;
    Ok(())
}

pub async fn vm_reboot(app: &App, host: &str, vm: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_reboot(host, vm).await };
    let _: AgentResponse = agent.call(paths::VM_REBOOT, &RebootVmCmd { uuid: vm.into(), boot_dev: vec!["hd".into()], ..Default::default() }, SLOW).await?;
    Ok(())
}

pub async fn vm_pause(app: &App, host: &str, vm: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_pause(host, vm).await };
    let _: AgentResponse = agent.call(paths::VM_PAUSE, &PauseVmCmd { uuid: vm.into(), ..Default::default() }, QUICK).await?;
    Ok(())
}

pub async fn vm_resume(app: &App, host: &str, vm: &str) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_resume(host, vm).await };
    let _: AgentResponse = agent.call(paths::VM_RESUME, &ResumeVmCmd { uuid: vm.into(), ..Default::default() }, QUICK).await?;
    Ok(())
}

pub async fn vm_attach_volume(app: &App, host: &str, vm: &str, volume: &Inventory) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_attach_volume(host, vm, str_of(volume, "uuid").unwrap_or_default()).await };
    let cmd = AttachDataVolumeCmd { vm_instance_uuid: vm.into(), volume: volume_to(volume), ..Default::default() };
    let _: AgentResponse = agent.call(paths::VM_ATTACH_DATA_VOLUME, &cmd, SLOW).await?;
    Ok(())
}

pub async fn vm_detach_volume(app: &App, host: &str, vm: &str, volume: &Inventory) -> ApiResult<()> {
    let Some(agent) = app.kvm.agent(host) else { return app.sim.vm_detach_volume(host, vm, str_of(volume, "uuid").unwrap_or_default()).await };
    let cmd = DetachDataVolumeCmd { vm_instance_uuid: vm.into(), volume: volume_to(volume), ..Default::default() };
    let _: AgentResponse = agent.call(paths::VM_DETACH_DATA_VOLUME, &cmd, SLOW).await?;
    Ok(())
}

/// Operations the KVM side does not offer yet fail clearly instead of pretending.
pub fn simulator_only(app: &App, host: &str, what: &str) -> ApiResult<()> {
    if app.kvm.is_kvm(host) {
        return Err(ApiError::operation(format!("{what} is not supported on KVM host[uuid:{host}] yet")));
    }
    Ok(())
}

/// Delete the file of a volume or snapshot (`owner`) on whichever storage holds it.
pub async fn volume_delete(app: &App, ps: &str, owner: &str, path: &str) -> ApiResult<()> {
    if local_storage::is_local(app, ps).await? {
        return local_storage::file_delete(app, owner, path).await;
    }
    app.sim.volume_delete(ps, path).await
}
