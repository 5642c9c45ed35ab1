//! VM commands: start/stop/reboot/destroy/pause/resume/migrate, volume
//! attach/detach, state sync, VNC port and volume snapshots, with their
//! embedded transfer objects (`VolumeTO`, `NicTO`, `CdRomTO`).

use crate::{agent_reply, AgentResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `org.zstack.kvm.VolumeTO`: a disk as the agent sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VolumeTO {
    /// Absolute path of the volume file (local/NFS storage).
    pub install_path: String,
    /// Position on the bus: 0 is `vda`, 1 is `vdb`, ...
    pub device_id: u32,
    /// "file" (the only type this agent handles), "ceph", "iscsi", ...
    pub device_type: String,
    pub volume_uuid: String,
    pub use_virtio: bool,
    #[serde(rename = "useVirtioSCSI")]
    pub use_virtio_scsi: bool,
    pub shareable: bool,
    /// libvirt `<driver cache=...>`: none, writethrough, writeback; absent =
    /// libvirt's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wwn: Option<String>,
    /// Per-device boot order (1 first); 0 or absent = not bootable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_order: Option<u32>,
    /// "qcow2" (default) or "raw".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// "Root" or "Data".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_storage_type: Option<String>,
}

/// `org.zstack.kvm.KVMAgentCommands.NicTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NicTO {
    pub mac: String,
    pub ips: Vec<String>,
    /// The Linux bridge the tap device joins; required.
    pub bridge_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_interface: Option<String>,
    pub uuid: String,
    /// Name of the host-side tap device (ZStack: `vnic<vmInternalId>.<n>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nic_internal_name: Option<String>,
    pub device_id: u32,
    pub use_virtio: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_order: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_network_uuid: Option<String>,
}

/// `KVMAgentCommands.CdRomTO` (an `IsoTO` plus `isEmpty`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CdRomTO {
    /// ISO path; absent or `isEmpty` = an empty drive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uuid: Option<String>,
    pub device_id: u32,
    pub is_empty: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_order: Option<u32>,
}

/// `/vm/start`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartVmCmd {
    /// Also the libvirt domain name (ZStack names domains by VM uuid).
    pub vm_instance_uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_internal_id: Option<u64>,
    pub vm_name: String,
    /// Bytes.
    pub memory: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_memory: Option<u64>,
    pub cpu_num: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_vcpu_num: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_speed: Option<u64>,
    pub socket_num: u32,
    pub cpu_on_socket: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_per_core: Option<u32>,
    /// "hd", "cdrom", "network" in boot order.
    pub boot_dev: Vec<String>,
    pub root_volume: VolumeTO,
    pub data_volumes: Vec<VolumeTO>,
    pub cd_roms: Vec<CdRomTO>,
    pub nics: Vec<NicTO>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// "vnc" (the only mode supported here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_mode: Option<String>,
    pub create_paused: bool,
    /// zstack-rs addition: cloud-init user data (base64, as ZStack's
    /// `userdata::` tag holds it), given to the guest as a NoCloud ISO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    pub addons: BTreeMap<String, serde_json::Value>,
    pub kvm_host_addons: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartVmResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtualizer_info: Option<crate::VirtualizerInfoTO>,
}

/// `StopVmType`: grace = ACPI shutdown, then destroy if the guest has not
/// stopped within `timeout`; cold and force = destroy at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StopVmType {
    #[default]
    Grace,
    Cold,
    Force,
}

/// `/vm/stop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StopVmCmd {
    pub uuid: String,
    #[serde(rename = "type")]
    pub stop_type: StopVmType,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// `/vm/reboot`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RebootVmCmd {
    pub uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    pub boot_dev: Vec<String>,
}

/// `/vm/destroy`: destroy and undefine; succeeds when the domain is gone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DestroyVmCmd {
    pub uuid: String,
}

/// `/vm/pause`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PauseVmCmd {
    pub uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// `/vm/resume`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResumeVmCmd {
    pub uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// `/vm/migrate`: live migration, peer-to-peer, to the libvirt of
/// `destHostManagementIp` (or `destHostIp`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MigrateVmCmd {
    pub vm_uuid: String,
    pub dest_host_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_host_management_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_host_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_migration_policy: Option<String>,
    pub migrate_from_destination: bool,
    pub auto_converge: bool,
    pub xbzrle: bool,
    /// Milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_time: Option<u64>,
    /// MiB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Where the destination made the VM's NoCloud seed (`/vm/nocloud/seed`):
    /// the definition sent there names that file instead of the source's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_seed_path: Option<String>,
}

/// `/vm/nocloud/seed`: make (or, with `remove`, delete) the NoCloud seed of
/// a VM about to arrive by migration, from the VM's user data, so the seed
/// is this host's own file rather than a copy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NoCloudSeedCmd {
    pub vm_uuid: String,
    /// The guest's host name in the seed's meta-data.
    pub vm_name: String,
    /// Base64 cloud-init user data.
    pub user_data: String,
    pub remove: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NoCloudSeedResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `/vm/attachdatavolume`: hot-plug a disk into a running VM (and into its
/// persistent definition).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AttachDataVolumeCmd {
    pub vm_instance_uuid: String,
    pub volume: VolumeTO,
    pub addons: BTreeMap<String, serde_json::Value>,
}

/// `/vm/detachdatavolume`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DetachDataVolumeCmd {
    pub vm_instance_uuid: String,
    pub volume: VolumeTO,
    pub addons: BTreeMap<String, serde_json::Value>,
}

/// `KVMConstant.KvmVmState`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KvmVmState {
    Running,
    Paused,
    Shutdown,
    Crashed,
    Suspended,
    #[default]
    NoState,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmSyncCmd {}

/// `/vm/vmsync`: every domain on the host, keyed by domain name (= VM uuid).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmSyncResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    pub states: BTreeMap<String, KvmVmState>,
    pub vm_in_shutdowns: Vec<String>,
}

/// `/vm/checkstate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckVmStateCmd {
    pub vm_uuids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_uuid: Option<String>,
}

/// States of the asked VMs; a VM with no domain on this host is `Shutdown`
/// (ZStack's agent reports it so, and the node maps it to Stopped).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckVmStateRsp {
    #[serde(flatten)]
    pub base: AgentResponse,
    pub states: BTreeMap<String, KvmVmState>,
}

/// `/vm/getvncport`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetVncPortCmd {
    pub vm_uuid: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetVncPortResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vnc_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spice_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spice_tls_port: Option<i32>,
}

/// `/vm/volume/takesnapshot`. ZStack's model: the current volume file becomes
/// the (read-only) snapshot and the volume continues in a new qcow2 overlay at
/// `installPath` whose backing file is the old one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TakeSnapshotCmd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_uuid: Option<String>,
    pub volume_uuid: String,
    pub volume: VolumeTO,
    /// Current path of the volume (falls back to `volume.installPath`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_install_path: Option<String>,
    /// Path of the new overlay the volume continues in.
    pub install_path: String,
    pub full_snapshot: bool,
    /// True when the VM runs: a libvirt external disk-only snapshot.
    pub online: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_volume_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_volume_install_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TakeSnapshotResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_volume_install_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_install_path: Option<String>,
    /// Bytes used by the snapshot file.
    pub size: u64,
}

/// `/vm/volume/mergesnapshot`: the volume's top file `destPath` takes in
/// the data of its backing chain above `srcPath`, which becomes its backing
/// file (`fullRebase`: the whole chain, leaving no backing file). Running VM:
/// a libvirt block pull; otherwise `qemu-img rebase`. Afterwards the files
/// between `srcPath` and `destPath` are no longer needed by the volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MergeSnapshotCmd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_uuid: Option<String>,
    pub volume: VolumeTO,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_path: Option<String>,
    pub dest_path: String,
    pub full_rebase: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

agent_reply!(
    StartVmResponse,
    VmSyncResponse,
    CheckVmStateRsp,
    GetVncPortResponse,
    TakeSnapshotResponse,
    NoCloudSeedResponse,
);
