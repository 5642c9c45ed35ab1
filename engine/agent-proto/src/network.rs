//! L2 network commands: Linux bridges for flat (no VLAN) and VLAN networks
//! (`KVMAgentCommands.CreateBridgeCmd` / `CreateVlanBridgeCmd`).

use serde::{Deserialize, Serialize};

/// `/network/l2novlan/createbridge` and `/network/l2vlan/createbridge` (the
/// latter with `vlan`, enslaving `<physicalInterfaceName>.<vlan>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateBridgeCmd {
    /// Enslaved to the bridge when present and non-empty.
    pub physical_interface_name: String,
    pub bridge_name: String,
    pub l2_network_uuid: String,
    pub disable_iptables: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u32>,
}
