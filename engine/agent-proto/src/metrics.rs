//! `/host/metrics` (zstack-rs addition): raw host counters from /proc and
//! per-VM counters from libvirt, for the node's Prometheus exporter. Counters
//! are cumulative; the consumer computes rates.

use crate::{agent_reply, AgentResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostMetricsCmd {
    /// VMs to report; empty = every running domain.
    pub vm_uuids: Vec<String>,
}

/// The aggregate `cpu` line of /proc/stat, in USER_HZ ticks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
    pub iowait: u64,
    pub irq: u64,
    pub softirq: u64,
    pub steal: u64,
}

/// From /proc/meminfo, bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MemoryUsage {
    pub total: u64,
    pub free: u64,
    pub available: u64,
    pub buffers: u64,
    pub cached: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InterfaceCounters {
    pub name: String,
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub rx_errors: u64,
    pub rx_drops: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub tx_drops: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiskCounters {
    pub name: String,
    pub read_requests: u64,
    pub read_bytes: u64,
    pub write_requests: u64,
    pub write_bytes: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmMetrics {
    pub vm_uuid: String,
    pub state: crate::KvmVmState,
    /// Nanoseconds of CPU used by the guest.
    pub cpu_time: u64,
    pub vcpus: u32,
    /// Bytes currently given to the guest.
    pub memory: u64,
    pub max_memory: u64,
    pub disks: Vec<DiskCounters>,
    pub nics: Vec<InterfaceCounters>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostMetricsResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    pub cpu_num: u64,
    pub cpu: CpuTimes,
    pub memory: MemoryUsage,
    pub interfaces: Vec<InterfaceCounters>,
    /// Sectors of /proc/diskstats converted to bytes (512-byte sectors).
    pub disks: Vec<DiskCounters>,
    pub vms: Vec<VmMetrics>,
}

agent_reply!(HostMetricsResponse);
