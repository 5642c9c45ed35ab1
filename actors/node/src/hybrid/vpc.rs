//! VPCs and VSwitches: create on Alibaba Cloud (then record locally), sync,
//! delete remotely (Alibaba first; the local record, with what is below it,
//! goes only once Alibaba confirmed) or locally.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::sync::{reconcile, Outcome};
use super::recovery::{noted, uuid_tags};
use super::{aliyun_error, client_token, deleted_or_gone, field, insert_or_undo, inv_reply, invs_reply, delete_remote_first, tables, undo_logged, uuid_by_id};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use serde_json::{json, Value};
use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest, VSwitch, Vpc};
use zstack_kit::{ApiError, ApiResult};

fn vpc_fields(dc: &str, v: &Vpc) -> serde_json::Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "ecsVpcId": v.vpc_id, "name": v.vpc_name, "vpcName": v.vpc_name, "cidrBlock": v.cidr_block,
        "status": v.status, "vRouterId": v.v_router_id, "description": v.description)
}

/// `a.b.c.d/n` as (network, prefix), or None when malformed.
pub(super) fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (ip, len) = cidr.split_once('/')?;
    let ip: std::net::Ipv4Addr = ip.parse().ok()?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((u32::from(ip) & mask, len))
}

fn cidr_or_invalid(cidr: &str) -> ApiResult<(u32, u32)> {
    parse_cidr(cidr).ok_or_else(|| ApiError::invalid_argument(format!("cidrBlock[{cidr}] is not an IPv4 CIDR such as 172.16.0.0/12")))
}

pub async fn vpc_create(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let cidr = req.must("cidrBlock")?;
    cidr_or_invalid(&cidr)?;
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateVpcRequest {
        cidr_block: cidr,
        vpc_name: req.string("name"),
        description: req.string("description"),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
    };
    let inv = noted(&app, hc::VPC, &uuid, &dc, json!({}), async {
        let created = remote.client.create_vpc(&remote.region, &request).await.map_err(aliyun_error)?;
        let vpc = remote.client.describe_vpcs(&remote.region, Some(&created.vpc_id), 1, 1).await.map_err(aliyun_error)?.vpcs.into_iter().next();
        let mut fields = match vpc {
            Some(v) => vpc_fields(&dc, &v),
            None => remote_fields!("dataCenterUuid": dc, "ecsVpcId": created.vpc_id, "name": request.vpc_name, "vpcName": request.vpc_name, "cidrBlock": request.cidr_block, "vRouterId": created.v_router_id),
        };
        fields.insert("uuid".into(), json!(uuid));
        let inv = new_inv(Value::Object(fields));
        let undo = remote.client.delete_vpc(&remote.region, &created.vpc_id);
        insert_or_undo(&app, &app.dirs().hybrid.data_center, &dc, &tables::ECS_VPC, inv.clone(), async { undo_logged("CreateVpc", undo.await).await }).await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

/// Every VPC of the DataCenter's region, reconciled.
pub async fn vpcs_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let vpcs = remote.client.describe_vpcs_all(&remote.region).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::ECS_VPC, "dataCenterUuid", dc).await?;
    reconcile(app, &app.dirs().hybrid.vpc, hc::VPC, "ecsVpcId", local, vpcs.iter().map(|v| vpc_fields(dc, v)).collect()).await
}

pub async fn vpc_sync(app: App, req: Req) -> ApiResult<Reply> {
    let remote = for_data_center(&app, &req.must("dataCenterUuid")?).await?;
    invs_reply(vpcs_sync(&app, &remote).await?.inventories, &tables::ECS_VPC)
}

/// `DeleteEcsVpcRemote`: Alibaba refuses while VSwitches or groups remain (`DependencyViolation...`).
pub async fn vpc_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_remote_first(&app, &app.dirs().hybrid.vpc, hc::VPC, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.delete_vpc(&remote.region, &field(&inv, "ecsVpcId")).await) })
    })
    .await
}

fn vswitch_fields(dc: &str, v: &VSwitch, vpcs: &std::collections::HashMap<String, String>, zones: &std::collections::HashMap<String, String>) -> serde_json::Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "vSwitchId": v.v_switch_id, "ecsVpcUuid": vpcs.get(&v.vpc_id), "identityZoneUuid": zones.get(&v.zone_id),
        "name": v.v_switch_name, "vSwitchName": v.v_switch_name, "cidrBlock": v.cidr_block, "status": v.status, "description": v.description)
}

pub async fn vswitch_create(app: App, req: Req) -> ApiResult<Reply> {
    let vpc = app.store.inv_must(&tables::ECS_VPC, &req.must("vpcUuid")?).await?;
    let zone = app.store.inv_must(&tables::IDENTITY_ZONE, &req.must("identityZoneUuid")?).await?;
    let dc = field(&vpc, "dataCenterUuid");
    if field(&zone, "dataCenterUuid") != dc {
        return Err(ApiError::invalid_argument(format!("IdentityZone[uuid:{}] and EcsVpc[uuid:{}] are in different data centers", field(&zone, "uuid"), field(&vpc, "uuid"))));
    }
    let cidr = req.must("cidrBlock")?;
    let (net, len) = cidr_or_invalid(&cidr)?;
    let (vpc_net, vpc_len) = cidr_or_invalid(&field(&vpc, "cidrBlock"))?;
    let vpc_mask = if vpc_len == 0 { 0 } else { u32::MAX << (32 - vpc_len) };
    if len < vpc_len || net & vpc_mask != vpc_net {
        return Err(ApiError::invalid_argument(format!("cidrBlock[{cidr}] is not inside the VPC's {}", field(&vpc, "cidrBlock"))));
    }
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateVSwitchRequest {
        vpc_id: field(&vpc, "ecsVpcId"),
        zone_id: field(&zone, "zoneId"),
        cidr_block: cidr,
        v_switch_name: req.string("name"),
        description: req.string("description"),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
    };
    let inv = noted(&app, hc::VSWITCH, &uuid, &dc, json!({}), async {
        let created = remote.client.create_vswitch(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "vSwitchId": created.v_switch_id, "ecsVpcUuid": field(&vpc, "uuid"),
            "identityZoneUuid": field(&zone, "uuid"), "name": request.v_switch_name, "vSwitchName": request.v_switch_name, "cidrBlock": request.cidr_block,
            "status": "Available", "description": request.description}));
        let undo = remote.client.delete_vswitch(&remote.region, &created.v_switch_id);
        insert_or_undo(&app, &app.dirs().hybrid.vpc, &field(&vpc, "uuid"), &tables::ECS_VSWITCH, inv.clone(), async { undo_logged("CreateVSwitch", undo.await).await })
            .await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

/// Every VSwitch of the region, reconciled (VPCs and zones are synced first,
/// so each VSwitch finds its parents; the counts include theirs).
pub async fn vswitches_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let vpcs = vpcs_sync(app, remote).await?;
    let zones = super::datacenter::zones_reconcile(app, dc).await?;
    let mut parents = Outcome::default();
    parents.count(&vpcs);
    parents.count(&zones);
    let (vpcs, zones) = (uuid_by_id(&vpcs.inventories, "ecsVpcId"), uuid_by_id(&zones.inventories, "zoneId"));
    let remote_list = remote.client.describe_vswitches_all(&remote.region, None).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::ECS_VSWITCH, "dataCenterUuid", dc).await?;
    let fields = remote_list.iter().map(|v| vswitch_fields(dc, v, &vpcs, &zones)).collect();
    let mut out = reconcile(app, &app.dirs().hybrid.vswitch, hc::VSWITCH, "vSwitchId", local, fields).await?;
    out.count(&parents);
    Ok(out)
}

pub async fn vswitch_sync(app: App, req: Req) -> ApiResult<Reply> {
    let remote = for_data_center(&app, &req.must("dataCenterUuid")?).await?;
    invs_reply(vswitches_sync(&app, &remote).await?.inventories, &tables::ECS_VSWITCH)
}

pub async fn vswitch_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_remote_first(&app, &app.dirs().hybrid.vswitch, hc::VSWITCH, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.delete_vswitch(&remote.region, &field(&inv, "vSwitchId")).await) })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::parse_cidr;

    #[test]
    fn cidrs_parse_to_network_and_prefix() {
        assert_eq!(parse_cidr("172.16.0.0/12"), Some((0xAC10_0000, 12)));
        assert_eq!(parse_cidr("172.16.5.9/24"), Some((0xAC10_0500, 24)));
        assert_eq!(parse_cidr("0.0.0.0/0"), Some((0, 0)));
        assert_eq!(parse_cidr("172.16.0.0/33"), None);
        assert_eq!(parse_cidr("nope/8"), None);
        assert_eq!(parse_cidr("10.0.0.0"), None);
    }
}
