//! Host-level commands: connect, ping, facts and capacity (`KVMAgentCommands`
//! ConnectCmd, PingCmd, HostFactCmd, HostCapacityCmd and their responses).

use crate::{agent_reply, AgentResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `/host/connect` (sync). The agent's auth token travels in the
/// `X-Zstack-Agent-Token` header, not in this body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectCmd {
    pub host_uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_command_url: Option<String>,
    pub iptables_rules: Vec<String>,
    pub ignore_msrs: bool,
    pub page_table_extension_disabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_server_port: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub kvm_host_addons: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libvirt_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qemu_version: Option<String>,
    pub iptables_succ: bool,
}

/// `/host/echo` (sync, unauthenticated): liveness only; body and answer empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EchoCmd {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PingCmd {
    pub host_uuid: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PingResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    /// The host uuid the agent was connected with; a mismatch tells the node
    /// to reconnect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_command_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostFactCmd {}

/// How guests are run on this host: `kvm` (hardware-assisted) or `qemu-tcg`
/// (software emulation, used when the CPU lacks vmx/svm or /dev/kvm cannot
/// be opened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum VirtualizationType {
    #[serde(rename = "kvm")]
    Kvm,
    #[default]
    #[serde(rename = "qemu-tcg")]
    QemuTcg,
}

impl VirtualizationType {
    /// The libvirt `<domain type=...>` for this virtualization type.
    pub fn domain_type(self) -> &'static str {
        match self {
            VirtualizationType::Kvm => "kvm",
            VirtualizationType::QemuTcg => "qemu",
        }
    }
}

/// `KVMAgentCommands.VirtualizerInfoTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VirtualizerInfoTO {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtualizer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostFactResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_distribution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qemu_img_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libvirt_version: Option<String>,
    /// "vmx", "svm" or "" when the CPU has neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hvm_cpu_flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ept_flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_model_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_cpu_model_name: Option<String>,
    #[serde(rename = "cpuGHz", skip_serializing_if = "Option::is_none")]
    pub cpu_ghz: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_processor_num: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_sockets: Option<u32>,
    #[serde(rename = "systemUUID", skip_serializing_if = "Option::is_none")]
    pub system_uuid: Option<String>,
    pub ip_addresses: Vec<String>,
    pub libvirt_capabilities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtualizer_info: Option<VirtualizerInfoTO>,
    /// zstack-rs addition: which domain type the agent will use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtualization_type: Option<VirtualizationType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostCapacityCmd {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostCapacityResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    pub cpu_num: u64,
    /// MHz.
    pub cpu_speed: u64,
    pub used_cpu: u64,
    /// Bytes.
    pub total_memory: u64,
    /// Bytes.
    pub used_memory: u64,
    pub cpu_sockets: u64,
}

agent_reply!(
    ConnectResponse,
    PingResponse,
    HostFactResponse,
    HostCapacityResponse
);
