//! Wire types of the ZStack KVM agent protocol: the JSON bodies the management
//! node POSTs to a host agent and the responses it gets back, with field names
//! exactly as ZStack's Java DTOs spell them (`KVMAgentCommands`,
//! `LocalStorageKvmBackend`), plus the URL paths and HTTP header names.
//!
//! Every command and response derives `Default` and parses from partial bodies
//! (`#[serde(default)]`), so the node can build one with `..Default::default()`
//! and an agent can accept whatever subset of fields a ZStack version sends.
//! Every response flattens [`AgentResponse`] (`success`, `error`) into itself,
//! as the Java classes extend it.

mod host;
mod metrics;
mod network;
mod storage;
mod vm;

pub use host::*;
pub use metrics::*;
pub use network::*;
pub use storage::*;
pub use vm::*;

use serde::{Deserialize, Serialize};

/// The header names of the protocol.
pub mod headers {
    /// Present on an async call: the agent answers at once and POSTs the real
    /// response to [`CALLBACK_URL`] carrying the same `taskuuid` header.
    pub const TASK_UUID: &str = "taskuuid";
    /// Where an async call's response is POSTed.
    pub const CALLBACK_URL: &str = "callbackurl";
    /// Added by ZStack's `KVMHost` to every agent call (informational here).
    pub const RESOURCE_UUID: &str = "X-Resource-UUID";
    /// The shared secret every request must carry (except `/host/echo`);
    /// established by the first `/host/connect` (trust on first connect).
    /// This header is a zstack-rs addition: ZStack's Python agent has no auth.
    pub const AGENT_TOKEN: &str = "X-Zstack-Agent-Token";
    /// Set by ZStack's agent on a callback whose handler crashed.
    pub const ERROR: &str = "error";
}

/// The URL paths of the agent, relative to `http://<host>:7070`.
pub mod paths {
    pub const HOST_CONNECT: &str = "/host/connect";
    pub const HOST_ECHO: &str = "/host/echo";
    pub const HOST_PING: &str = "/host/ping";
    pub const HOST_FACT: &str = "/host/fact";
    pub const HOST_CAPACITY: &str = "/host/capacity";
    /// zstack-rs addition: host and per-VM counters (ZStack reads these from a
    /// Prometheus exporter instead).
    pub const HOST_METRICS: &str = "/host/metrics";

    pub const VM_START: &str = "/vm/start";
    pub const VM_STOP: &str = "/vm/stop";
    pub const VM_REBOOT: &str = "/vm/reboot";
    pub const VM_DESTROY: &str = "/vm/destroy";
    pub const VM_PAUSE: &str = "/vm/pause";
    pub const VM_RESUME: &str = "/vm/resume";
    pub const VM_MIGRATE: &str = "/vm/migrate";
    pub const VM_NOCLOUD_SEED: &str = "/vm/nocloud/seed";
    pub const VM_ATTACH_DATA_VOLUME: &str = "/vm/attachdatavolume";
    pub const VM_DETACH_DATA_VOLUME: &str = "/vm/detachdatavolume";
    pub const VM_SYNC: &str = "/vm/vmsync";
    pub const VM_CHECK_STATE: &str = "/vm/checkstate";
    pub const VM_GET_VNC_PORT: &str = "/vm/getvncport";
    pub const VM_TAKE_SNAPSHOT: &str = "/vm/volume/takesnapshot";
    pub const VM_MERGE_SNAPSHOT: &str = "/vm/volume/mergesnapshot";

    pub const L2_NOVLAN_CREATE_BRIDGE: &str = "/network/l2novlan/createbridge";
    pub const L2_VLAN_CREATE_BRIDGE: &str = "/network/l2vlan/createbridge";

    pub const LOCAL_STORAGE_INIT: &str = "/localstorage/init";
    pub const LOCAL_STORAGE_GET_PHYSICAL_CAPACITY: &str = "/localstorage/getphysicalcapacity";
    pub const LOCAL_STORAGE_CREATE_EMPTY_VOLUME: &str = "/localstorage/volume/createempty";
    pub const LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE: &str =
        "/localstorage/volume/createvolumefromcache";
    pub const LOCAL_STORAGE_DELETE: &str = "/localstorage/delete";
    pub const LOCAL_STORAGE_REVERT_SNAPSHOT: &str = "/localstorage/snapshot/revert";
    /// zstack-rs addition: the bytes of one file of the storage (the answer
    /// is the file itself, not JSON). ZStack copies between hosts with rsync
    /// over SSH (`/localstorage/copytoremote`); here the receiving agent
    /// pulls from the sending one with [`LOCAL_STORAGE_FETCH_FILES`].
    pub const LOCAL_STORAGE_FILE_READ: &str = "/localstorage/file/read";
    /// zstack-rs addition: copy files from another host's agent to the same
    /// paths here.
    pub const LOCAL_STORAGE_FETCH_FILES: &str = "/localstorage/file/fetch";
    /// zstack-rs addition: ZStack fills the image cache from its backup storage
    /// (SFTP / image store); this agent downloads from an `http://` or
    /// `file://` URL instead.
    pub const LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE: &str = "/localstorage/imagecache/download";
}

fn default_true() -> bool {
    true
}

/// The part of every response: `success` (true unless the call failed) and
/// `error` (the reason, only when it failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentResponse {
    #[serde(default = "default_true")]
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Default for AgentResponse {
    fn default() -> Self {
        AgentResponse {
            success: true,
            error: None,
        }
    }
}

impl AgentResponse {
    pub fn ok() -> Self {
        Self::default()
    }

    pub fn failure(error: impl Into<String>) -> Self {
        AgentResponse {
            success: false,
            error: Some(error.into()),
        }
    }
}

/// Implemented by every response type so generic code (the node's HTTP
/// client, the agent's dispatcher) can reach the flattened `AgentResponse`.
pub trait AgentReply: Serialize + for<'de> Deserialize<'de> + Default + Send + 'static {
    fn base(&self) -> &AgentResponse;
}

impl AgentReply for AgentResponse {
    fn base(&self) -> &AgentResponse {
        self
    }
}

/// Implements [`AgentReply`] for response structs with a `base` field.
macro_rules! agent_reply {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::AgentReply for $t {
            fn base(&self) -> &$crate::AgentResponse { &self.base }
        })*
    };
}
pub(crate) use agent_reply;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_response_defaults_to_success_and_omits_empty_error() {
        let r: AgentResponse = serde_json::from_str("{}").unwrap();
        assert!(r.success);
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"success": true}));
        let f = AgentResponse::failure("boom");
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"success": false, "error": "boom"})
        );
    }

    #[test]
    fn responses_flatten_the_agent_response() {
        let r = ConnectResponse {
            libvirt_version: Some("9.0.0".into()),
            qemu_version: Some("7.2.0".into()),
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["success"], json!(true));
        assert_eq!(v["libvirtVersion"], json!("9.0.0"));
        let failed: HostCapacityResponse =
            serde_json::from_value(json!({"success": false, "error": "x"})).unwrap();
        assert!(!failed.base.success);
        assert_eq!(failed.base.error.as_deref(), Some("x"));
    }

    #[test]
    fn start_vm_cmd_uses_zstack_field_names_and_parses_partial_bodies() {
        let body = json!({
            "vmInstanceUuid": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "vmName": "web-1",
            "memory": 268435456u64,
            "cpuNum": 2, "socketNum": 1, "cpuOnSocket": 2,
            "bootDev": ["hd"],
            "rootVolume": {"installPath": "/ps/root.qcow2", "deviceId": 0, "deviceType": "file",
                            "volumeUuid": "v1", "useVirtio": true},
            "cdRoms": [{"deviceId": 0, "isEmpty": true}],
            "nics": [{"mac": "52:54:00:12:34:56", "bridgeName": "br_eth0", "uuid": "n1",
                      "deviceId": 0, "useVirtio": true}],
            "consoleMode": "vnc",
            "timeout": 300,
            "kvmHostAddons": {"x": 1},
            "someFieldFromANewerZStack": 1
        });
        let cmd: StartVmCmd = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(cmd.vm_instance_uuid, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
        assert_eq!(cmd.root_volume.install_path, "/ps/root.qcow2");
        assert!(cmd.cd_roms[0].is_empty);
        assert_eq!(cmd.nics[0].bridge_name, "br_eth0");
        let back = serde_json::to_value(&cmd).unwrap();
        for key in [
            "vmInstanceUuid",
            "vmName",
            "memory",
            "cpuNum",
            "socketNum",
            "cpuOnSocket",
            "bootDev",
            "rootVolume",
            "dataVolumes",
            "cdRoms",
            "nics",
            "consoleMode",
            "timeout",
        ] {
            assert!(back.get(key).is_some(), "{key} missing from {back}");
        }
        assert_eq!(back["rootVolume"]["installPath"], json!("/ps/root.qcow2"));
        assert_eq!(back["cdRoms"][0]["isEmpty"], json!(true));
        assert_eq!(back["nics"][0]["bridgeName"], json!("br_eth0"));
        let again: StartVmCmd = serde_json::from_value(back).unwrap();
        assert_eq!(again, cmd);
    }

    #[test]
    fn stop_type_and_vm_states_use_zstack_spelling() {
        let s: StopVmCmd =
            serde_json::from_value(json!({"uuid": "u", "type": "force", "timeout": 5})).unwrap();
        assert_eq!(s.stop_type, StopVmType::Force);
        assert_eq!(
            serde_json::to_value(StopVmType::Grace).unwrap(),
            json!("grace")
        );
        let mut rsp = VmSyncResponse::default();
        rsp.states.insert("u".into(), KvmVmState::Shutdown);
        rsp.states.insert("w".into(), KvmVmState::NoState);
        let v = serde_json::to_value(&rsp).unwrap();
        assert_eq!(v["states"]["u"], json!("Shutdown"));
        assert_eq!(v["states"]["w"], json!("NoState"));
    }

    #[test]
    fn local_storage_and_bridge_field_names() {
        let c: CreateVolumeFromCacheCmd = serde_json::from_value(
            json!({"templatePathInCache": "/c/t.qcow2", "installUrl": "/v/r.qcow2", "volumeUuid": "v"}),
        )
        .unwrap();
        assert_eq!(c.template_path_in_cache, "/c/t.qcow2");
        let r = LocalStorageResponse {
            total_capacity: Some(10),
            available_capacity: Some(5),
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["totalCapacity"], json!(10));
        assert_eq!(v["availableCapacity"], json!(5));
        let b: CreateBridgeCmd = serde_json::from_value(json!({
            "physicalInterfaceName": "eth0", "bridgeName": "br_eth0_10",
            "l2NetworkUuid": "l2", "vlan": 10
        }))
        .unwrap();
        assert_eq!(b.vlan, Some(10));
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["physicalInterfaceName"], json!("eth0"));
    }

    #[test]
    fn host_fact_and_vnc_names() {
        let f = HostFactResponse {
            cpu_architecture: Some("x86_64".into()),
            virtualization_type: Some(VirtualizationType::QemuTcg),
            ..Default::default()
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["cpuArchitecture"], json!("x86_64"));
        assert_eq!(v["virtualizationType"], json!("qemu-tcg"));
        let g = GetVncPortResponse {
            port: Some(5900),
            protocol: Some("vnc".into()),
            vnc_port: Some(5900),
            ..Default::default()
        };
        let v = serde_json::to_value(&g).unwrap();
        assert_eq!(v["vncPort"], json!(5900));
    }
}
