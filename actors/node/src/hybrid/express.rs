//! Express Connect beyond sync: access points (added from a region's list, synced,
//! forgotten locally), the border-router lifecycle (terminate, recover, update: Alibaba
//! Cloud first, the local record follows once the transition has ended) and router
//! interfaces (activate or deactivate a link; pair a border router's interface with a
//! vRouter's and connect them). Alibaba Cloud enforces the status rules; its refusals
//! come back as the cause of the ZStack error.

use super::border::{interface_fields, vbr_fields};
use super::cascade::ACCESS_POINT;
use super::client::{for_data_center, Remote};
use super::sync::reconcile;
use super::{aliyun_error, field, inv_reply, invs_reply, local_by_remote_id, on_actor_write, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::{mutate, new_inv};
use crate::store::{str_of, Inventory};
use crate::tables;
use serde_json::{Map, Value};
use std::net::Ipv4Addr;
use zstack_aliyun::express::{AccessPoint, ModifyRouterInterfaceRequest, ModifyVirtualBorderRouterRequest};
use zstack_aliyun::routing::{RouterInterface, VirtualBorderRouter};
use zstack_kit::{ApiError, ApiResult};

// ---------- access points ----------

fn access_point_fields(dc: &str, a: &AccessPoint) -> Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "accessPointId": a.access_point_id, "name": a.name, "type": a.access_point_type, "status": a.status,
        "hostOperator": a.host_operator, "description": a.description)
}

async fn remote_access_points(app: &App, dc: &str) -> ApiResult<(Remote, Vec<AccessPoint>)> {
    let remote = for_data_center(app, dc).await?;
    let points = remote.client.describe_access_points_all(&remote.region).await.map_err(aliyun_error)?;
    Ok((remote, points))
}

/// `GetConnectionAccessPointFromRemote`: the region's access points as inventories, not recorded.
pub async fn access_point_get_remote(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let (_, points) = remote_access_points(&app, &dc).await?;
    let items = points.iter().map(|a| Value::Object(access_point_fields(&dc, a))).collect();
    Ok(Reply::Inventories { items, total: None, class: tables::CONNECTION_ACCESS_POINT.inventory_class })
}

/// `AddConnectionAccessPointFromRemote`: one access point of the region, recorded once.
pub async fn access_point_add(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let id = req.must("accessPointId")?;
    let uuid = req.resource_uuid()?;
    if local_by_remote_id(&app, &tables::CONNECTION_ACCESS_POINT, "accessPointId", &dc, &id).await?.is_some() {
        return Err(ApiError::invalid_argument(format!("access point {id} is already added to DataCenter[uuid:{dc}]")));
    }
    let (remote, points) = remote_access_points(&app, &dc).await?;
    let point = points
        .iter()
        .find(|a| a.access_point_id == id)
        .ok_or_else(|| ApiError::invalid_argument(format!("region {} has no access point {id}", remote.region)))?;
    let mut fields = access_point_fields(&dc, point);
    fields.insert("uuid".into(), Value::String(uuid));
    let inv = new_inv(Value::Object(fields));
    crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::CONNECTION_ACCESS_POINT, inv.clone()).await?;
    inv_reply(inv)
}

/// `SyncConnectionAccessPointFromRemote`: the recorded access points (or the one named)
/// follow the region's list; one the region no longer has is removed locally.
pub async fn access_point_sync(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let only = req.string("accessPointId");
    let wanted = |id: Option<&str>| only.as_deref().is_none_or(|o| Some(o) == id);
    let (_, points) = remote_access_points(&app, &dc).await?;
    let local: Vec<Inventory> = app
        .store
        .inv_find(&tables::CONNECTION_ACCESS_POINT, "dataCenterUuid", &dc)
        .await?
        .into_iter()
        .filter(|r| wanted(str_of(r, "accessPointId")))
        .collect();
    // Only what was added is followed: a sync does not add the region's other access points.
    let known: Vec<String> = local.iter().filter_map(|r| str_of(r, "accessPointId").map(String::from)).collect();
    let fields = points.iter().filter(|a| known.contains(&a.access_point_id)).map(|a| access_point_fields(&dc, a)).collect();
    let out = reconcile(&app, &app.dirs().hybrid.access_point, ACCESS_POINT, "accessPointId", local, fields).await?;
    invs_reply(out.inventories, &tables::CONNECTION_ACCESS_POINT)
}

// ---------- border routers ----------

async fn remote_vbr(remote: &Remote, id: &str) -> ApiResult<VirtualBorderRouter> {
    let found = remote.client.describe_virtual_border_routers(&remote.region, &[id.to_string()], 1, 10).await.map_err(aliyun_error)?;
    found
        .virtual_border_router_set
        .into_iter()
        .find(|v| v.vbr_id == id)
        .ok_or_else(|| ApiError::operation(format!("border router {id} no longer exists on Alibaba Cloud")))
}

#[derive(Clone, Copy)]
enum VbrOp {
    Terminate,
    Recover,
}

/// Terminate or recover on Alibaba Cloud, wait for the transition's end, record the outcome.
async fn vbr_transition(app: App, uuid: String, op: VbrOp) -> ApiResult<Reply> {
    let a = app.clone();
    on_actor_write(&app, &app.dirs().hybrid.vbr, &uuid, move |inv| {
        Box::pin(async move {
            let dc = field(&inv, "dataCenterUuid");
            let id = field(&inv, "vbrId");
            let remote = for_data_center(&a, &dc).await?;
            let (answer, want) = match op {
                VbrOp::Terminate => (remote.client.terminate_virtual_border_router(&remote.region, &id).await, "terminated"),
                VbrOp::Recover => (remote.client.recover_virtual_border_router(&remote.region, &id).await, "active"),
            };
            answer.map_err(aliyun_error)?;
            wait_for_status(&a, &format!("border router {id}"), &[want], || async { Ok(remote_vbr(&remote, &id).await?.status) }).await?;
            Ok(((), Some(with_fields(&inv, vbr_fields(&dc, &remote_vbr(&remote, &id).await?)))))
        })
    })
    .await?;
    Ok(Reply::Empty)
}

/// `inv` with the non-null `fields` written over it.
fn with_fields(inv: &Inventory, fields: Map<String, Value>) -> Inventory {
    let mut out = inv.clone();
    out.extend(fields.into_iter().filter(|(_, v)| !v.is_null()));
    out
}

/// `TerminateVirtualBorderRouterRemote`: only an active border router (Alibaba's rule).
pub async fn vbr_terminate(app: App, req: Req) -> ApiResult<Reply> {
    vbr_transition(app, req.must("uuid")?, VbrOp::Terminate).await
}

/// `RecoveryVirtualBorderRouterRemote`: only a terminated border router (Alibaba's rule).
pub async fn vbr_recover(app: App, req: Req) -> ApiResult<Reply> {
    vbr_transition(app, req.must("uuid")?, VbrOp::Recover).await
}

fn ipv4_param(req: &Req, name: &str) -> ApiResult<Option<String>> {
    match req.str(name) {
        Some(ip) if ip.parse::<Ipv4Addr>().is_err() => Err(ApiError::invalid_argument(format!("{name}[{ip}] is not an IPv4 address"))),
        other => Ok(other.map(String::from)),
    }
}

/// `UpdateVirtualBorderRouterRemote`: the peering addresses, VLAN, circuit code, name and
/// description; Alibaba checks the VLAN is free on the line and the addresses share a subnet.
pub async fn vbr_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let local_gateway_ip = ipv4_param(&req, "localGatewayIp")?;
    let peer_gateway_ip = ipv4_param(&req, "peerGatewayIp")?;
    let peering_subnet_mask = ipv4_param(&req, "peeringSubnetMask")?;
    if let Some(mask) = &peering_subnet_mask {
        let bits = u32::from(mask.parse::<Ipv4Addr>().expect("checked above"));
        if bits.leading_ones() + bits.trailing_zeros() != 32 {
            return Err(ApiError::invalid_argument(format!("peeringSubnetMask[{mask}] is not a subnet mask")));
        }
    }
    let vlan_id = match req.str("vlanId") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| ApiError::invalid_argument(format!("vlanId[{v}] is not a number")))?),
    };
    let changes = ModifyVirtualBorderRouterRequest {
        vbr_id: String::new(),
        vlan_id,
        circuit_code: req.string("circuitCode"),
        local_gateway_ip,
        peer_gateway_ip,
        peering_subnet_mask,
        name: req.string("name"),
        description: req.string("description"),
        client_token: None,
    };
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.vbr, &uuid, move |inv| {
        Box::pin(async move {
            let dc = field(&inv, "dataCenterUuid");
            let id = field(&inv, "vbrId");
            let remote = for_data_center(&a, &dc).await?;
            let request = ModifyVirtualBorderRouterRequest { vbr_id: id.clone(), ..changes };
            remote.client.modify_virtual_border_router(&remote.region, &request).await.map_err(aliyun_error)?;
            let new = with_fields(&inv, vbr_fields(&dc, &remote_vbr(&remote, &id).await?));
            Ok((new.clone(), Some(new)))
        })
    })
    .await?;
    inv_reply(inv)
}

// ---------- router interfaces ----------

async fn remote_interface(remote: &Remote, id: &str) -> ApiResult<Option<RouterInterface>> {
    let found = remote.client.describe_router_interfaces(&remote.region, &[id.to_string()], 1, 10).await.map_err(aliyun_error)?;
    Ok(found.router_interface_set.into_iter().find(|r| r.router_interface_id == id))
}

/// Wait until the interface is one of `want` (`Deleted` when Alibaba no longer has it).
pub async fn wait_interface(app: &App, remote: &Remote, id: &str, want: &[&str]) -> ApiResult<String> {
    wait_for_status(app, &format!("router interface {id}"), want, || async {
        Ok(remote_interface(remote, id).await?.map(|r| r.status).unwrap_or_else(|| "Deleted".into()))
    })
    .await
}

/// The interface record `inv` with what Alibaba reports for it now (status, opposite end).
pub async fn reported_interface(app: &App, remote: &Remote, inv: &Inventory) -> ApiResult<Inventory> {
    let id = field(inv, "routerInterfaceId");
    let now = remote_interface(remote, &id).await?.ok_or_else(|| ApiError::operation(format!("router interface {id} no longer exists on Alibaba Cloud")))?;
    Ok(with_fields(inv, interface_fields(app, &remote.data_center_uuid, &now).await?))
}

/// Write an interface record through its actor.
pub async fn record_interface(app: &App, new: Inventory) -> ApiResult<Inventory> {
    let uuid = field(&new, "uuid");
    mutate(app, &app.dirs().hybrid.router_interface, &uuid, move |s| {
        s.inv = new;
        s.inv.insert("lastOpDate".into(), serde_json::json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
        Ok(s.inv.clone())
    })
    .await
}

/// Point a border router's interface and a vRouter's at each other, connect from the
/// border router's (initiating) side and wait until both ends are Active.
pub async fn connect_interfaces(app: &App, remote: &Remote, vbr_side: &Inventory, vrouter_side: &Inventory) -> ApiResult<()> {
    let (vbr_id, vrouter_id) = (field(vbr_side, "routerInterfaceId"), field(vrouter_side, "routerInterfaceId"));
    for (end, opposite, opposite_type) in [(vbr_side, vrouter_side, "VRouter"), (vrouter_side, vbr_side, "VBR")] {
        let request = ModifyRouterInterfaceRequest {
            router_interface_id: field(end, "routerInterfaceId"),
            opposite_interface_id: Some(field(opposite, "routerInterfaceId")),
            opposite_router_id: Some(field(opposite, "routerId")),
            opposite_router_type: Some(opposite_type.into()),
            name: None,
        };
        remote.client.modify_router_interface(&remote.region, &request).await.map_err(aliyun_error)?;
    }
    remote.client.connect_router_interface(&remote.region, &vbr_id).await.map_err(aliyun_error)?;
    for id in [&vbr_id, &vrouter_id] {
        wait_interface(app, remote, id, &["Active"]).await?;
    }
    Ok(())
}

/// Take a link down so its interfaces can be deleted: wait out a transition, deactivate
/// an Active end (both ends follow) and wait until they are Inactive.
pub async fn disconnect_interfaces(app: &App, remote: &Remote, ids: &[String]) -> ApiResult<()> {
    const SETTLED: &[&str] = &["Idle", "Active", "Inactive", "Deleted"];
    for id in ids {
        if wait_interface(app, remote, id, SETTLED).await? == "Active" {
            remote.client.deactivate_router_interface(&remote.region, id).await.map_err(aliyun_error)?;
        }
    }
    for id in ids {
        wait_interface(app, remote, id, &["Idle", "Inactive", "Deleted"]).await?;
    }
    Ok(())
}

/// Rewrite the local record of the interface Alibaba calls `id`, when the node has one.
async fn follow_interface(app: &App, remote: &Remote, id: &str) -> ApiResult<()> {
    if let Some(inv) = local_by_remote_id(app, &tables::ALIYUN_ROUTER_INTERFACE, "routerInterfaceId", &remote.data_center_uuid, id).await? {
        record_interface(app, reported_interface(app, remote, &inv).await?).await?;
    }
    Ok(())
}

/// `UpdateAliyunRouteInterfaceRemote`: `op` active (Inactive -> Active) or inactive
/// (Active -> Inactive) on the link of the interface; both ends' records follow.
pub async fn router_interface_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let op = req.must("op")?;
    let want = match op.as_str() {
        "active" => "Active",
        "inactive" => "Inactive",
        other => return Err(ApiError::invalid_argument(format!("op[{other}] must be active or inactive"))),
    };
    let router_type = match req.must("vRouterType")?.as_str() {
        "vbr" => "VBR",
        "vrouter" => "VRouter",
        other => return Err(ApiError::invalid_argument(format!("vRouterType[{other}] must be vbr or vrouter"))),
    };
    let a = app.clone();
    let (remote, opposite) = on_actor_write(&app, &app.dirs().hybrid.router_interface, &uuid, move |inv| {
        Box::pin(async move {
            if field(&inv, "routerType") != router_type {
                return Err(ApiError::invalid_argument(format!(
                    "router interface[uuid:{}] belongs to a {}, not a {router_type}",
                    field(&inv, "uuid"),
                    field(&inv, "routerType")
                )));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "routerInterfaceId");
            let answer = match want {
                "Active" => remote.client.activate_router_interface(&remote.region, &id).await,
                _ => remote.client.deactivate_router_interface(&remote.region, &id).await,
            };
            answer.map_err(aliyun_error)?;
            wait_interface(&a, &remote, &id, &[want]).await?;
            let new = reported_interface(&a, &remote, &inv).await?;
            Ok(((remote, field(&new, "oppositeInterfaceId")), Some(new)))
        })
    })
    .await?;
    if !opposite.is_empty() {
        wait_interface(&app, &remote, &opposite, &[want, "Deleted"]).await?;
        follow_interface(&app, &remote, &opposite).await?;
    }
    Ok(Reply::Empty)
}

/// `StartConnectionBetweenAliyunRouterInterface`: pair a border router's interface with
/// a vRouter's of the same DataCenter and connect them (ZStack's checks first: same
/// DataCenter, the vRouter's end Idle and not paired with another interface).
pub async fn router_interface_connect(app: App, req: Req) -> ApiResult<Reply> {
    let vbr_uuid = req.must("vbrInterfaceUuid")?;
    let vrouter_uuid = req.must("vrouterInterfaceUuid")?;
    let vrouter_side = app
        .store
        .inv_get(&tables::ALIYUN_ROUTER_INTERFACE, &vrouter_uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(super::cascade::ROUTER_INTERFACE, &vrouter_uuid))?;
    if field(&vrouter_side, "routerType") != "VRouter" {
        return Err(ApiError::invalid_argument(format!("router interface[uuid:{vrouter_uuid}] is not on a vRouter")));
    }
    if field(&vrouter_side, "status") != "Idle" {
        return Err(ApiError::invalid_argument(format!("router interface[{vrouter_uuid}] status is not idle, it is {}", field(&vrouter_side, "status"))));
    }
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.router_interface, &vbr_uuid, move |vbr_side| {
        Box::pin(async move {
            if field(&vbr_side, "routerType") != "VBR" {
                return Err(ApiError::invalid_argument(format!("router interface[uuid:{}] is not on a border router", field(&vbr_side, "uuid"))));
            }
            let (dc, other_dc) = (field(&vbr_side, "dataCenterUuid"), field(&vrouter_side, "dataCenterUuid"));
            if dc != other_dc {
                return Err(ApiError::invalid_argument(format!(
                    "router interface must be in the same datacenter, but ri[{}] is in dc[{dc}] and ri[{}] is in dc[{other_dc}]",
                    field(&vbr_side, "uuid"),
                    field(&vrouter_side, "uuid")
                )));
            }
            let paired_with = field(&vrouter_side, "oppositeInterfaceId");
            if !paired_with.is_empty() && paired_with != field(&vbr_side, "routerInterfaceId") {
                return Err(ApiError::invalid_argument(format!("router interface[{}] already has a connection, it is {paired_with}", field(&vrouter_side, "uuid"))));
            }
            let remote = for_data_center(&a, &dc).await?;
            let outcome = connect_interfaces(&a, &remote, &vbr_side, &vrouter_side).await;
            // Whatever happened, the records say what Alibaba now reports.
            record_interface(&a, reported_interface(&a, &remote, &vrouter_side).await?).await?;
            let new = reported_interface(&a, &remote, &vbr_side).await?;
            outcome?;
            Ok((new.clone(), Some(new)))
        })
    })
    .await?;
    inv_reply(inv)
}
