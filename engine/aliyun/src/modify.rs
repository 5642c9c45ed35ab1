//! Attribute changes: the `Modify...Attribute` actions of ECS and VPC through one
//! call ([`AliyunClient::modify_attributes`] with a [`Target`] and an
//! [`AttributeChange`]), and `ModifyInstanceVncPasswd`. Only the attributes given are
//! sent; the service leaves the others as they are.

use crate::client::{AliyunClient, ECS, ECS_VERSION, VPC, VPC_VERSION};
use crate::ecs::ActionResponse;
use crate::error::AliyunError;
use crate::params::Params;
use crate::vpn::{given_settings, IkeConfig, IpsecConfig};

/// The resource whose attributes change, by its Alibaba Cloud id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Vpc(&'a str),
    VSwitch(&'a str),
    VRouter(&'a str),
    /// An EIP, by its AllocationId.
    Eip(&'a str),
    SecurityGroup(&'a str),
    Image(&'a str),
    Disk(&'a str),
    VpnGateway(&'a str),
    CustomerGateway(&'a str),
    VpnConnection(&'a str),
}

/// How one target goes on the wire.
struct Wire<'a> {
    product: &'static str,
    action: &'static str,
    id_param: &'static str,
    name_param: &'static str,
    id: &'a str,
}

impl<'a> Target<'a> {
    fn wire(self) -> Wire<'a> {
        let (product, action, id_param, name_param, id) = match self {
            Target::Vpc(id) => (VPC, "ModifyVpcAttribute", "VpcId", "VpcName", id),
            Target::VSwitch(id) => (
                VPC,
                "ModifyVSwitchAttribute",
                "VSwitchId",
                "VSwitchName",
                id,
            ),
            Target::VRouter(id) => (
                VPC,
                "ModifyVRouterAttribute",
                "VRouterId",
                "VRouterName",
                id,
            ),
            Target::Eip(id) => (VPC, "ModifyEipAddressAttribute", "AllocationId", "Name", id),
            Target::SecurityGroup(id) => (
                ECS,
                "ModifySecurityGroupAttribute",
                "SecurityGroupId",
                "SecurityGroupName",
                id,
            ),
            Target::Image(id) => (ECS, "ModifyImageAttribute", "ImageId", "ImageName", id),
            Target::Disk(id) => (ECS, "ModifyDiskAttribute", "DiskId", "DiskName", id),
            Target::VpnGateway(id) => {
                (VPC, "ModifyVpnGatewayAttribute", "VpnGatewayId", "Name", id)
            }
            Target::CustomerGateway(id) => (
                VPC,
                "ModifyCustomerGatewayAttribute",
                "CustomerGatewayId",
                "Name",
                id,
            ),
            Target::VpnConnection(id) => (
                VPC,
                "ModifyVpnConnectionAttribute",
                "VpnConnectionId",
                "Name",
                id,
            ),
        };
        Wire {
            product,
            action,
            id_param,
            name_param,
            id,
        }
    }
}

/// What to change; `None` leaves an attribute as it is. Each target takes the
/// attributes its action has: name and description (IPsec connections have no
/// description), an EIP's bandwidth, a disk's release and snapshot flags, a
/// connection's subnets, activation and IKE/IPsec settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeChange {
    pub name: Option<String>,
    pub description: Option<String>,
    /// EIP peak bandwidth, Mbit/s.
    pub bandwidth: Option<u32>,
    pub delete_with_instance: Option<bool>,
    pub delete_auto_snapshot: Option<bool>,
    pub enable_auto_snapshot: Option<bool>,
    /// Comma-separated CIDR blocks.
    pub local_subnet: Option<String>,
    pub remote_subnet: Option<String>,
    pub effect_immediately: Option<bool>,
    /// Only the settings given are sent; the rest stay as they are.
    pub ike_config: Option<IkeConfig>,
    pub ipsec_config: Option<IpsecConfig>,
}

impl AliyunClient {
    /// One `Modify...Attribute` call for `target` with the attributes `change` gives.
    pub async fn modify_attributes(
        &self,
        region: &str,
        target: Target<'_>,
        change: &AttributeChange,
    ) -> Result<ActionResponse, AliyunError> {
        let wire = target.wire();
        let params = Params::new()
            .set("RegionId", region)
            .set(wire.id_param, wire.id)
            .set_opt(wire.name_param, change.name.as_ref())
            .set_opt("Description", change.description.as_ref())
            .set_opt("Bandwidth", change.bandwidth)
            .set_opt("DeleteWithInstance", change.delete_with_instance)
            .set_opt("DeleteAutoSnapshot", change.delete_auto_snapshot)
            .set_opt("EnableAutoSnapshot", change.enable_auto_snapshot)
            .set_opt("LocalSubnet", change.local_subnet.as_ref())
            .set_opt("RemoteSubnet", change.remote_subnet.as_ref())
            .set_opt("EffectImmediately", change.effect_immediately)
            .set_opt("IkeConfig", change.ike_config.as_ref().map(given_settings))
            .set_opt(
                "IpsecConfig",
                change.ipsec_config.as_ref().map(given_settings),
            );
        let version = if wire.product == ECS {
            ECS_VERSION
        } else {
            VPC_VERSION
        };
        self.call_in_region(
            region,
            wire.product,
            version,
            wire.action,
            params.as_slice(),
        )
        .await
    }

    /// The password of the instance's VNC console: six letters or digits.
    pub async fn modify_instance_vnc_password(
        &self,
        region: &str,
        instance_id: &str,
        password: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("InstanceId", instance_id)
            .set("VncPassword", password);
        self.call_in_region(
            region,
            ECS,
            ECS_VERSION,
            "ModifyInstanceVncPasswd",
            params.as_slice(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_names_its_action_and_parameters() {
        let w = Target::SecurityGroup("sg-1").wire();
        assert_eq!(
            (w.product, w.action, w.id_param, w.name_param, w.id),
            (
                ECS,
                "ModifySecurityGroupAttribute",
                "SecurityGroupId",
                "SecurityGroupName",
                "sg-1"
            )
        );
        let w = Target::Eip("eip-1").wire();
        assert_eq!(
            (w.product, w.action, w.id_param, w.name_param),
            (VPC, "ModifyEipAddressAttribute", "AllocationId", "Name")
        );
        let w = Target::VRouter("vrt-1").wire();
        assert_eq!(
            (w.action, w.name_param),
            ("ModifyVRouterAttribute", "VRouterName")
        );
    }
}
