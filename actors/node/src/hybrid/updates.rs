//! The hybrid `Update...` APIs and the ECS VNC password. ZStack's parameter checks
//! (its `@APIParam` lengths, patterns and empty-string rules, in ZStack's order) come
//! first; then, on the resource's actor, Alibaba Cloud gets the change
//! (`Modify...Attribute`), and the local record takes it only once Alibaba accepted
//! it, so a refused change leaves the record as it was. Everything Alibaba keeps goes
//! there, since a sync would otherwise put Alibaba's value back; what Alibaba has no
//! place for (an IPsec connection's description) changes only locally. An empty
//! description where ZStack allows one means "leave it": Alibaba cannot clear one.

use super::client::for_data_center;
use super::eip::{check_type, positive_bandwidth};
use super::vpn::{check_subnets, ike_of, ipsec_of, must};
use super::{aliyun_error, field, inv_reply, on_actor, on_actor_write, tables};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::resources::{Dir, Kind};
use crate::store::{str_of, Inventory};
use serde_json::{json, Map, Value};
use zstack_aliyun::modify::{AttributeChange, Target};
use zstack_kit::{ApiError, ApiResult};

/// A character class of a name pattern ZStack checks: the first character, the rest.
#[derive(Clone, Copy)]
struct Pattern {
    /// The regular expression as ZStack's SDK declares it, for the error.
    shown: &'static str,
    first: fn(char) -> bool,
    rest: fn(char) -> bool,
}

fn cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fa5}').contains(&c)
}

/// `^[\u4e00-\u9fa5a-zA-Z][\u4e00-\u9fa5_a-zA-Z0-9-]+$`: vSwitches, user gateways, vRouters.
const ALIYUN_NAME: Pattern = Pattern {
    shown: "^[\\u4e00-\\u9fa5a-zA-Z][\\u4e00-\\u9fa5_a-zA-Z0-9-]+$",
    first: |c| cjk(c) || c.is_ascii_alphabetic(),
    rest: |c| cjk(c) || c.is_ascii_alphanumeric() || c == '_' || c == '-',
};
/// Disks also allow '.'.
const DISK_NAME: Pattern = Pattern {
    shown: "^[\\u4e00-\\u9fa5a-zA-Z][\\u4e00-\\u9fa5_a-zA-Z0-9.-]+$",
    first: ALIYUN_NAME.first,
    rest: |c| cjk(c) || c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.',
};
const IMAGE_NAME: Pattern = Pattern {
    shown: "[A-Za-z\\u4e00-\\u9fa5]{1}[A-Za-z0-9-_\\u4e00-\\u9fa5]{1,127}",
    first: ALIYUN_NAME.first,
    rest: ALIYUN_NAME.rest,
};
const VNC_PASSWORD: Pattern = Pattern { shown: "[A-Za-z0-9]{6}", first: |c| c.is_ascii_alphanumeric(), rest: |c| c.is_ascii_alphanumeric() };

/// One optional text parameter as ZStack's `@APIParam` declares it.
#[derive(Clone, Copy)]
struct Text {
    field: &'static str,
    min: usize,
    max: usize,
    empty_ok: bool,
    pattern: Option<Pattern>,
}

const fn name(max: usize) -> Text {
    Text { field: "name", min: 0, max, empty_ok: false, pattern: None }
}
const fn aliyun_name(pattern: Pattern) -> Text {
    Text { field: "name", min: 2, max: 128, empty_ok: false, pattern: Some(pattern) }
}
const fn description(max: usize) -> Text {
    Text { field: "description", min: 0, max, empty_ok: true, pattern: None }
}

impl Text {
    /// The value given, checked in ZStack's order (max length, min length, pattern,
    /// empty string); None when absent, or empty where an empty value is allowed.
    fn of(&self, req: &Req) -> ApiResult<Option<String>> {
        let Some(value) = req.string(self.field) else { return Ok(None) };
        let (field, msg, length) = (self.field, req.api.msg, value.chars().count());
        if length > self.max {
            return Err(ApiError::invalid_argument(format!(
                "field[{field}] of message[{msg}] exceeds max length of string. expected was <= {}, actual was {length}",
                self.max
            )));
        }
        if length < self.min {
            return Err(ApiError::invalid_argument(format!(
                "field[{field}] of message[{msg}] less than the min length of string. expected was >= {}, actual was {length}",
                self.min
            )));
        }
        if let Some(p) = self.pattern {
            let mut chars = value.chars();
            if !chars.next().is_some_and(p.first) || !chars.all(p.rest) {
                return Err(ApiError::invalid_argument(format!("valid regex value for field[{field}] of message[{msg}] are {}, but {value} found", p.shown)));
            }
        }
        if value.is_empty() {
            return if self.empty_ok { Ok(None) } else { Err(ApiError::invalid_argument(format!("field[{field}] cannot be an empty string"))) };
        }
        Ok(Some(value))
    }
}

/// The fields a change writes into the local record.
#[derive(Default)]
struct Local(Map<String, Value>);

impl Local {
    /// `value`, when given, into each of `fields` (ZStack keeps some names twice).
    fn set<T: serde::Serialize>(mut self, fields: &[&str], value: &Option<T>) -> Self {
        if let Some(v) = value {
            for f in fields {
                self.0.insert(f.to_string(), json!(v));
            }
        }
        self
    }
}

/// On the record's actor: Alibaba Cloud first (when `change` changes anything
/// there), then `local` into the record; the updated inventory is the reply.
async fn update_remote_first<K: Kind>(
    app: &App,
    dir: &Dir<K>,
    uuid: &str,
    target: fn(&Inventory) -> Target<'_>,
    change: AttributeChange,
    local: Local,
) -> ApiResult<Reply> {
    let a = app.clone();
    let inv = on_actor_write(app, dir, uuid, move |mut inv| {
        Box::pin(async move {
            if change != AttributeChange::default() {
                let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
                remote.client.modify_attributes(&remote.region, target(&inv), &change).await.map_err(aliyun_error)?;
            }
            inv.extend(local.0);
            Ok((inv.clone(), Some(inv)))
        })
    })
    .await?;
    inv_reply(inv)
}

fn id<'a>(inv: &'a Inventory, id_field: &str) -> &'a str {
    str_of(inv, id_field).unwrap_or_default()
}

/// Name and description: the change for Alibaba and, after it, for the record.
fn named(req: &Req, name_rule: Text, description_rule: Text, name_fields: &[&str]) -> ApiResult<(AttributeChange, Local)> {
    let (name, description) = (name_rule.of(req)?, description_rule.of(req)?);
    let local = Local::default().set(name_fields, &name).set(&["description"], &description);
    Ok((AttributeChange { name, description, ..Default::default() }, local))
}

/// `UpdateEcsVpc`: ModifyVpcAttribute (VpcName, Description).
pub async fn vpc_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, name(64), description(256), &["name", "vpcName"])?;
    update_remote_first(&app, &app.dirs().hybrid.vpc, &req.must("uuid")?, |i| Target::Vpc(id(i, "ecsVpcId")), change, local).await
}

/// `UpdateEcsVSwitch`: ModifyVSwitchAttribute (VSwitchName, Description).
pub async fn vswitch_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, aliyun_name(ALIYUN_NAME), description(1024), &["name", "vSwitchName"])?;
    update_remote_first(&app, &app.dirs().hybrid.vswitch, &req.must("uuid")?, |i| Target::VSwitch(id(i, "vSwitchId")), change, local).await
}

/// `UpdateEcsSecurityGroup`: ModifySecurityGroupAttribute (SecurityGroupName, Description).
pub async fn security_group_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, name(64), description(256), &["name", "securityGroupName"])?;
    let uuid = req.must("uuid")?;
    update_remote_first(&app, &app.dirs().hybrid.security_group, &uuid, |i| Target::SecurityGroup(id(i, "securityGroupId")), change, local).await
}

/// `UpdateEcsImage`: ModifyImageAttribute (ImageName, Description); Alibaba changes
/// only the account's own images and refuses its public ones (`OperationDenied`).
pub async fn image_update(app: App, req: Req) -> ApiResult<Reply> {
    let described = Text { empty_ok: false, ..description(1024) };
    let (change, local) = named(&req, aliyun_name(IMAGE_NAME), described, &["name"])?;
    update_remote_first(&app, &app.dirs().hybrid.image, &req.must("uuid")?, |i| Target::Image(id(i, "ecsImageId")), change, local).await
}

/// `UpdateHybridEip`: ModifyEipAddressAttribute (Name, Description and, as an
/// extension of ZStack's API, the bandwidth `bandWidthMb` CreateHybridEip takes).
pub async fn eip_update(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    let (mut change, local) = named(&req, name(128), description(2048), &["name"])?;
    change.bandwidth = req.int("bandWidthMb").map(positive_bandwidth).transpose()?;
    let local = local.set(&["bandWidth"], &change.bandwidth);
    update_remote_first(&app, &app.dirs().hybrid.eip, &req.must("uuid")?, |i| Target::Eip(id(i, "eipId")), change, local).await
}

/// `UpdateAliyunDisk`: ModifyDiskAttribute (DiskName, Description, DeleteWithInstance,
/// and the auto-snapshot flags, which Alibaba keeps and the inventory does not show).
pub async fn disk_update(app: App, req: Req) -> ApiResult<Reply> {
    let described = Text { min: 2, ..description(1024) };
    let (mut change, local) = named(&req, aliyun_name(DISK_NAME), described, &["name"])?;
    change.delete_with_instance = req.bool("deleteWithInstance");
    change.delete_auto_snapshot = req.bool("deleteAutoSnapshot");
    change.enable_auto_snapshot = req.bool("enableAutoSnapshot");
    let local = local.set(&["deleteWithInstance"], &change.delete_with_instance);
    update_remote_first(&app, &app.dirs().hybrid.disk, &req.must("uuid")?, |i| Target::Disk(id(i, "diskId")), change, local).await
}

/// `UpdateVpcVpnGateway`: ModifyVpnGatewayAttribute (Name, Description).
pub async fn vpn_gateway_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, name(128), description(1024), &["name"])?;
    update_remote_first(&app, &app.dirs().hybrid.vpn_gateway, &req.must("uuid")?, |i| Target::VpnGateway(id(i, "gatewayId")), change, local).await
}

/// `UpdateVpcUserVpnGateway`: ModifyCustomerGatewayAttribute (Name, Description).
pub async fn user_gateway_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, aliyun_name(ALIYUN_NAME), description(1024), &["name"])?;
    let uuid = req.must("uuid")?;
    update_remote_first(&app, &app.dirs().hybrid.user_gateway, &uuid, |i| Target::CustomerGateway(id(i, "gatewayId")), change, local).await
}

/// `UpdateAliyunVirtualRouter`: ModifyVRouterAttribute (VRouterName, Description).
pub async fn vrouter_update(app: App, req: Req) -> ApiResult<Reply> {
    let (change, local) = named(&req, aliyun_name(ALIYUN_NAME), description(1024), &["vRouterName"])?;
    update_remote_first(&app, &app.dirs().hybrid.vrouter, &req.must("uuid")?, |i| Target::VRouter(id(i, "vrId")), change, local).await
}

/// `UpdateVpcVpnConnectionRemote`: ModifyVpnConnectionAttribute (Name, LocalSubnet,
/// RemoteSubnet, EffectImmediately = `active`, and the IKE/IPsec settings of the
/// config records named); the description, which Alibaba's connections lack, is local.
pub async fn vpn_connection_update(app: App, req: Req) -> ApiResult<Reply> {
    let name = name(64).of(&req)?;
    let description = description(1024).of(&req)?;
    let (local_cidr, remote_cidr) = (req.string("localCidr").filter(|c| !c.is_empty()), req.string("remoteCidr").filter(|c| !c.is_empty()));
    if let Some(c) = &local_cidr {
        check_subnets("localCidr", c)?;
    }
    if let Some(c) = &remote_cidr {
        check_subnets("remoteCidr", c)?;
    }
    let (ike_uuid, ipsec_uuid) = (req.string("ikeConfUuid").filter(|u| !u.is_empty()), req.string("ipsecConfUuid").filter(|u| !u.is_empty()));
    let ike = match &ike_uuid {
        Some(u) => Some(ike_of(&must(&app, &tables::VPC_VPN_IKE_CONFIG, super::cascade::IKE_CONFIG, u).await?)),
        None => None,
    };
    let ipsec = match &ipsec_uuid {
        Some(u) => Some(ipsec_of(&must(&app, &tables::VPC_VPN_IPSEC_CONFIG, super::cascade::IPSEC_CONFIG, u).await?)),
        None => None,
    };
    let active = req.bool("active");
    let local = Local::default()
        .set(&["name"], &name)
        .set(&["description"], &description)
        .set(&["localSubnet"], &local_cidr)
        .set(&["remoteSubnet"], &remote_cidr)
        .set(&["active"], &active)
        .set(&["ikeConfigUuid"], &ike_uuid)
        .set(&["ipsecConfigUuid"], &ipsec_uuid);
    let change = AttributeChange {
        name,
        local_subnet: local_cidr,
        remote_subnet: remote_cidr,
        effect_immediately: active,
        ike_config: ike,
        ipsec_config: ipsec,
        ..Default::default()
    };
    let uuid = req.must("uuid")?;
    update_remote_first(&app, &app.dirs().hybrid.vpn_connection, &uuid, |i| Target::VpnConnection(id(i, "connectionId")), change, local).await
}

/// `UpdateEcsInstanceVncPassword`: ModifyInstanceVncPasswd, on the instance's actor;
/// the password is Alibaba's alone (no inventory shows it).
pub async fn ecs_vnc_password_update(app: App, req: Req) -> ApiResult<Reply> {
    let rule = Text { field: "password", min: 6, max: 6, empty_ok: false, pattern: Some(VNC_PASSWORD) };
    let password = rule.of(&req)?.ok_or_else(|| ApiError::invalid_argument(format!("field[password] of message[{}] is mandatory, can not be null", req.api.msg)))?;
    let a = app.clone();
    on_actor(&app, &app.dirs().hybrid.ecs, &req.must("uuid")?, move |inv| {
        Box::pin(async move {
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            remote.client.modify_instance_vnc_password(&remote.region, &field(&inv, "ecsInstanceId"), &password).await.map_err(aliyun_error)?;
            Ok(())
        })
    })
    .await?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(p: Pattern, s: &str) -> bool {
        let mut c = s.chars();
        c.next().is_some_and(p.first) && c.all(p.rest)
    }

    #[test]
    fn name_patterns_are_zstacks() {
        assert!(matches(ALIYUN_NAME, "vsw-1_a"));
        assert!(matches(ALIYUN_NAME, "交换机1"));
        assert!(!matches(ALIYUN_NAME, "1vsw"));
        assert!(!matches(ALIYUN_NAME, "vsw.1"));
        assert!(matches(DISK_NAME, "disk.1"));
        assert!(matches(VNC_PASSWORD, "Ab12cd"));
        assert!(!matches(VNC_PASSWORD, "Ab12c!"));
    }
}
