//! The attribute changes of ECS and VPC: `Modify...Attribute` for VPCs, vSwitches,
//! vRouters, security groups, images, disks, EIPs, VPN gateways, customer gateways and
//! IPsec connections, and `ModifyInstanceVncPasswd`. Each changes only what it is
//! given; every given value is checked first, the way the service checks it, so a
//! refused request changes nothing.
//!
//! Rules: ECS names (security groups, images, disks) are 2..128 characters starting with
//! a letter, then letters, digits and `. _ - :`; VPC-side names 1..128 characters; no
//! name or description starts with `http://` or `https://`; descriptions are 2..256
//! (ECS) or 1..256 (VPC) characters; an EIP's bandwidth 1..500 Mbit/s; only the
//! account's own images change (`OperationDenied` for public ones); a VNC password is
//! six letters or digits (`IncorrectVncPassword.Malformed`) and is set on a Running or
//! Stopped instance only.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{region_param, Product, RpcParams};
use crate::error::{SimError, SimResult};
use crate::state::{InstanceStatus, SimState};

pub fn handle(
    state: &mut SimState,
    product: Product,
    action: &str,
    p: &RpcParams,
) -> SimResult<Option<Value>> {
    let served = match action {
        // The VPC actions the ECS API used to own stay served there too.
        "ModifyVpcAttribute"
        | "ModifyVSwitchAttribute"
        | "ModifyVRouterAttribute"
        | "ModifyEipAddressAttribute" => true,
        "ModifySecurityGroupAttribute"
        | "ModifyImageAttribute"
        | "ModifyDiskAttribute"
        | "ModifyInstanceVncPasswd" => product == Product::Ecs,
        "ModifyVpnGatewayAttribute"
        | "ModifyCustomerGatewayAttribute"
        | "ModifyVpnConnectionAttribute" => product == Product::Vpc,
        _ => false,
    };
    if !served {
        return Ok(None);
    }
    match action {
        "ModifyVpcAttribute" => modify_vpc(state, p),
        "ModifyVSwitchAttribute" => modify_vswitch(state, p),
        "ModifyVRouterAttribute" => modify_vrouter(state, p),
        "ModifyEipAddressAttribute" => modify_eip(state, p),
        "ModifySecurityGroupAttribute" => modify_security_group(state, p),
        "ModifyImageAttribute" => modify_image(state, p),
        "ModifyDiskAttribute" => modify_disk(state, p),
        "ModifyInstanceVncPasswd" => modify_vnc_password(state, p),
        "ModifyVpnGatewayAttribute" => modify_vpn_gateway(state, p),
        "ModifyCustomerGatewayAttribute" => modify_customer_gateway(state, p),
        _ => modify_vpn_connection(state, p),
    }
    .map(Some)
}

/// How the service checks one name or description.
#[derive(Debug, Clone, Copy)]
struct Text {
    min: usize,
    max: usize,
    /// ECS names: a letter first, then only letters, digits and `. _ - :`.
    ecs_name: bool,
    code: &'static str,
}

const VPC_NAME: Text = vpc_name("InvalidVpcName.Malformed");
const VSWITCH_NAME: Text = vpc_name("InvalidVSwitchName.Malformed");
const NAME: Text = vpc_name("InvalidName");
const SECURITY_GROUP_NAME: Text = ecs_name("InvalidSecurityGroupName.Malformed");
const IMAGE_NAME: Text = ecs_name("InvalidImageName.Malformed");
const DISK_NAME: Text = ecs_name("InvalidDiskName.Malformed");
const VPC_DESCRIPTION: Text = Text {
    min: 1,
    max: 256,
    ecs_name: false,
    code: "InvalidDescription.Malformed",
};
const ECS_DESCRIPTION: Text = Text {
    min: 2,
    ..VPC_DESCRIPTION
};

const fn vpc_name(code: &'static str) -> Text {
    Text {
        min: 1,
        max: 128,
        ecs_name: false,
        code,
    }
}

const fn ecs_name(code: &'static str) -> Text {
    Text {
        min: 2,
        max: 128,
        ecs_name: true,
        code,
    }
}

impl Text {
    fn check(&self, param: &str, value: &str) -> SimResult<()> {
        let length = value.chars().count();
        let url = value.starts_with("http://") || value.starts_with("https://");
        let shape = !self.ecs_name
            || (value.chars().next().is_some_and(char::is_alphabetic)
                && value
                    .chars()
                    .all(|c| c.is_alphanumeric() || "._-:".contains(c)));
        if (self.min..=self.max).contains(&length) && !url && shape {
            return Ok(());
        }
        let form = if self.ecs_name {
            ", starting with a letter and holding only letters, digits, '.', '_', '-' and ':'"
        } else {
            ""
        };
        Err(SimError::bad(
            self.code,
            format!(
                "The specified {param} is not valid: {} to {} characters{form}, not starting with http:// or https://.",
                self.min, self.max
            ),
        ))
    }
}

/// The name (under `name_param`) and description a request sets, both checked.
fn name_and_description<'a>(
    p: &'a RpcParams,
    name_param: &str,
    name_rule: Text,
    description_rule: Text,
) -> SimResult<(Option<&'a str>, Option<&'a str>)> {
    let name = p.get(name_param);
    if let Some(n) = name {
        name_rule.check(name_param, n)?;
    }
    let description = p.get("Description");
    if let Some(d) = description {
        description_rule.check("Description", d)?;
    }
    Ok((name, description))
}

fn assign(field: &mut String, value: Option<&str>) {
    if let Some(v) = value {
        *field = v.to_string();
    }
}

fn in_region(region: Option<&str>, of: &str) -> bool {
    region.is_none_or(|r| r == of)
}

/// The resource `id_param` names in `map`, refused with `not_found` unless it is in the
/// request's RegionId (when one is given).
fn regional_mut<'a, T>(
    map: &'a mut BTreeMap<String, T>,
    p: &RpcParams,
    id_param: &str,
    region_of: impl Fn(&T) -> &str,
    not_found: impl Fn(&str) -> SimError,
) -> SimResult<&'a mut T> {
    let region = region_param(p, false)?;
    let id = p.required(id_param)?;
    map.get_mut(id).filter(|item| in_region(region, region_of(item))).ok_or_else(|| not_found(id))
}

/// Sets the name and description that were given (see [`name_and_description`]).
fn relabel(name: &mut String, description: &mut String, (new_name, new_description): (Option<&str>, Option<&str>)) {
    assign(name, new_name);
    assign(description, new_description);
}

fn modify_vpc(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "VpcName", VPC_NAME, VPC_DESCRIPTION)?;
    let vpc = regional_mut(&mut state.vpcs, p, "VpcId", |v| v.region_id.as_str(), super::vpc::vpc_not_found)?;
    relabel(&mut vpc.name, &mut vpc.description, labels);
    Ok(json!({}))
}

fn modify_vswitch(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "VSwitchName", VSWITCH_NAME, VPC_DESCRIPTION)?;
    let vswitch = regional_mut(&mut state.vswitches, p, "VSwitchId", |v| v.region_id.as_str(), super::vpc::vswitch_not_found)?;
    relabel(&mut vswitch.name, &mut vswitch.description, labels);
    Ok(json!({}))
}

fn modify_vrouter(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "VRouterName", NAME, VPC_DESCRIPTION)?;
    let region = region_param(p, false)?;
    let id = p.required("VRouterId")?;
    let vpc = state
        .vpcs
        .values_mut()
        .find(|v| v.vrouter_id == id && in_region(region, &v.region_id))
        .ok_or_else(|| {
            SimError::not_found(
                "InvalidVRouterId.NotFound",
                format!("The specified VRouterId {id} does not exist."),
            )
        })?;
    relabel(&mut vpc.vrouter_name, &mut vpc.vrouter_description, labels);
    Ok(json!({}))
}

fn modify_eip(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "Name", NAME, VPC_DESCRIPTION)?;
    let bandwidth = p.int("Bandwidth")?;
    if let Some(b) = bandwidth {
        super::vpc::check_eip_bandwidth(b)?;
    }
    let eip = super::vpc::eip_in_region(state, p)?;
    relabel(&mut eip.name, &mut eip.description, labels);
    if let Some(b) = bandwidth {
        eip.bandwidth = b;
    }
    Ok(json!({}))
}

fn modify_security_group(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "SecurityGroupName", SECURITY_GROUP_NAME, ECS_DESCRIPTION)?;
    let group = regional_mut(&mut state.security_groups, p, "SecurityGroupId", |g| g.region_id.as_str(), super::ecs::group_not_found)?;
    relabel(&mut group.name, &mut group.description, labels);
    Ok(json!({}))
}

fn modify_image(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "ImageName", IMAGE_NAME, ECS_DESCRIPTION)?;
    let region = region_param(p, true)?.expect("required");
    let id = p.required("ImageId")?;
    let image = super::ecs::own_image_mut(state, region, id, "modified")?;
    relabel(&mut image.name, &mut image.description, labels);
    Ok(json!({}))
}

fn modify_disk(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "DiskName", DISK_NAME, ECS_DESCRIPTION)?;
    let flag = |param: &str| -> SimResult<Option<bool>> {
        p.get(param).map(|_| p.bool(param, false)).transpose()
    };
    let (with_instance, delete_snapshots, auto_snapshots) = (
        flag("DeleteWithInstance")?,
        flag("DeleteAutoSnapshot")?,
        flag("EnableAutoSnapshot")?,
    );
    let disk = regional_mut(&mut state.disks, p, "DiskId", |d| d.region_id.as_str(), super::ecs::disk_not_found)?;
    relabel(&mut disk.name, &mut disk.description, labels);
    if let Some(v) = with_instance {
        disk.delete_with_instance = v;
    }
    if let Some(v) = delete_snapshots {
        disk.delete_auto_snapshot = v;
    }
    if let Some(v) = auto_snapshots {
        disk.enable_auto_snapshot = v;
    }
    Ok(json!({}))
}

fn modify_vnc_password(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let password = p.required("VncPassword")?;
    if password.len() != 6 || !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(SimError::bad(
            "IncorrectVncPassword.Malformed",
            "The specified parameter VncPassword must be 6 characters, including uppercase characters, lowercase characters and numbers.",
        ));
    }
    let instance = super::ecs::instance_mut(state, p)?;
    instance.require_status(&[InstanceStatus::Running, InstanceStatus::Stopped])?;
    instance.vnc_password = Some(password.to_string());
    Ok(json!({}))
}

fn modify_vpn_gateway(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "Name", NAME, VPC_DESCRIPTION)?;
    let gateway = regional_mut(&mut state.vpn_gateways, p, "VpnGatewayId", |g| g.region_id.as_str(), super::vpn::gateway_not_found)?;
    relabel(&mut gateway.name, &mut gateway.description, labels);
    Ok(json!({}))
}

fn modify_customer_gateway(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let labels = name_and_description(p, "Name", NAME, VPC_DESCRIPTION)?;
    let gateway = regional_mut(&mut state.customer_gateways, p, "CustomerGatewayId", |g| g.region_id.as_str(), super::vpn::customer_not_found)?;
    relabel(&mut gateway.name, &mut gateway.description, labels);
    Ok(json!({}))
}

/// Name, subnets, EffectImmediately and the IKE/IPsec settings; the JSON settings
/// are merged over the connection's current ones (what is left out stays).
fn modify_vpn_connection(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let name = p.get("Name");
    if let Some(n) = name {
        NAME.check("Name", n)?;
    }
    for subnet in ["LocalSubnet", "RemoteSubnet"] {
        if let Some(text) = p.get(subnet) {
            super::vpn::check_subnets(subnet, text)?;
        }
    }
    let effect = p
        .get("EffectImmediately")
        .map(|_| p.bool("EffectImmediately", false))
        .transpose()?;
    let region = region_param(p, false)?;
    let id = p.required("VpnConnectionId")?;
    let connection = state
        .vpn_connections
        .get(id)
        .filter(|c| in_region(region, &c.region_id))
        .ok_or_else(|| super::vpn::connection_not_found(id))?;
    let ike =
        super::vpn::json_config(p, "IkeConfig", Value::Object(connection.ike_config.clone()))?;
    let ipsec = super::vpn::json_config(
        p,
        "IpsecConfig",
        Value::Object(connection.ipsec_config.clone()),
    )?;
    let connection = state.vpn_connections.get_mut(id).expect("found above");
    assign(&mut connection.name, name);
    assign(&mut connection.local_subnet, p.get("LocalSubnet"));
    assign(&mut connection.remote_subnet, p.get("RemoteSubnet"));
    if let Some(e) = effect {
        connection.effect_immediately = e;
    }
    connection.ike_config = ike;
    connection.ipsec_config = ipsec;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions_follow_the_services_rules() {
        assert!(VPC_NAME.check("VpcName", "v").is_ok());
        assert!(VPC_NAME.check("VpcName", "1 vpc with spaces").is_ok());
        assert_eq!(
            VPC_NAME.check("VpcName", "http://x").unwrap_err().code,
            "InvalidVpcName.Malformed"
        );
        assert!(VPC_NAME.check("VpcName", &"v".repeat(129)).is_err());
        assert!(SECURITY_GROUP_NAME.check("N", "sg-1.a:b_c").is_ok());
        assert!(SECURITY_GROUP_NAME.check("N", "组-1").is_ok());
        for bad in ["s", "1sg", "sg 1", "sg/1"] {
            assert_eq!(
                SECURITY_GROUP_NAME.check("N", bad).unwrap_err().code,
                "InvalidSecurityGroupName.Malformed",
                "{bad}"
            );
        }
        assert!(ECS_DESCRIPTION.check("Description", "d").is_err());
        assert!(VPC_DESCRIPTION.check("Description", "d").is_ok());
        assert!(VPC_DESCRIPTION
            .check("Description", &"d".repeat(257))
            .is_err());
    }
}
