//! VPC vRouters and route entries: sync a VPC's vRouter, create a custom route (next hop
//! an ECS instance, a VPN gateway or a router interface, named by its local uuid) and
//! delete it remotely, sync a router's entries (vRouter or border router), query both.

use super::client::{for_data_center, Remote};
use super::cascade::{ROUTE_ENTRY, VBR, VROUTER};
use super::recovery::noted;
use super::sync::reconcile;
use super::{aliyun_error, local_by_remote_id, delete_remote_first, deleted_or_gone, insert_or_undo, undo_logged, client_token, field, inv_reply, invs_reply};
use crate::tables;
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use serde_json::{json, Map, Value};
use zstack_aliyun::routing::{CreateRouteEntryRequest, RouteEntry, RouteEntrySelector};
use zstack_kit::{ApiError, ApiResult};

/// `SyncAliyunVirtualRouterFromRemote`: the vRouter of one VPC.
pub async fn vrouter_sync(app: App, req: Req) -> ApiResult<Reply> {
    let vpc_uuid = req.must("vpcUuid")?;
    let vpc = app.store.inv_get(&tables::ECS_VPC, &vpc_uuid).await?.ok_or_else(|| ApiError::not_found("EcsVpcVO", &vpc_uuid))?;
    let dc = field(&vpc, "dataCenterUuid");
    let remote = for_data_center(&app, &dc).await?;
    let vpc_id = field(&vpc, "ecsVpcId");
    let routers = remote.client.describe_vrouters_all(&remote.region).await.map_err(aliyun_error)?;
    let fields = routers
        .iter()
        .filter(|r| r.vpc_id == vpc_id)
        .map(|r| {
            remote_fields!("dataCenterUuid": dc, "vrId": r.v_router_id, "vpcUuid": vpc_uuid, "vRouterName": r.v_router_name,
                "routeTableId": r.route_table_ids.first().cloned().unwrap_or_default(), "description": r.description)
        })
        .collect();
    let local = app.store.inv_find(&tables::ALIYUN_VIRTUAL_ROUTER, "vpcUuid", &vpc_uuid).await?;
    let out = reconcile(&app, &app.dirs().hybrid.vrouter, VROUTER, "vrId", local, fields).await?;
    invs_reply(out.inventories, &tables::ALIYUN_VIRTUAL_ROUTER)
}

/// The router a route belongs to: a VPC's vRouter (`vrouter`) or a border router (`vbr`),
/// as (its record, the route table id).
async fn router_of(app: &App, uuid: &str, router_type: &str) -> ApiResult<(Inventory, String)> {
    let (spec, vo) = match router_type {
        "vrouter" => (&tables::ALIYUN_VIRTUAL_ROUTER, VROUTER),
        "vbr" => (&tables::VIRTUAL_BORDER_ROUTER, VBR),
        other => return Err(ApiError::invalid_argument(format!("vRouterType[{other}] must be vrouter or vbr"))),
    };
    let router = app.store.inv_get(spec, uuid).await?.ok_or_else(|| ApiError::not_found(vo, uuid))?;
    let table = field(&router, "routeTableId");
    if table.is_empty() {
        return Err(ApiError::operation(format!("{vo}[uuid:{uuid}] has no route table; sync it from remote first")));
    }
    Ok((router, table))
}

/// An IPv4 CIDR block `a.b.c.d/n`.
pub fn check_cidr(name: &str, cidr: &str) -> ApiResult<()> {
    let valid = cidr.split_once('/').is_some_and(|(ip, bits)| ip.parse::<std::net::Ipv4Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 32));
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_argument(format!("{name}[{cidr}] is not an IPv4 CIDR block such as 192.168.0.0/16")))
    }
}

/// The next hop's Alibaba id from its local record.
async fn next_hop_id(app: &App, hop_type: &str, hop_uuid: &str) -> ApiResult<String> {
    let (spec, vo, id_field) = match hop_type {
        "Instance" => (&tables::ECS_INSTANCE, "EcsInstanceVO", "ecsInstanceId"),
        "VpnGateway" => (&tables::VPC_VPN_GATEWAY, "VpcVpnGatewayVO", "gatewayId"),
        "RouterInterface" => (&tables::ALIYUN_ROUTER_INTERFACE, "AliyunRouterInterfaceVO", "routerInterfaceId"),
        other => return Err(ApiError::invalid_argument(format!("nextHopType[{other}] must be Instance, VpnGateway or RouterInterface"))),
    };
    let hop = app.store.inv_get(spec, hop_uuid).await?.ok_or_else(|| ApiError::not_found(vo, hop_uuid))?;
    Ok(field(&hop, id_field))
}

/// The local uuid of a next hop Alibaba names, when the node knows it.
async fn next_hop_uuid(app: &App, dc: &str, entry: &RouteEntry) -> ApiResult<Option<String>> {
    let (spec, id_field) = match entry.next_hop_type.as_str() {
        "Instance" => (&tables::ECS_INSTANCE, "ecsInstanceId"),
        "VpnGateway" => (&tables::VPC_VPN_GATEWAY, "gatewayId"),
        "RouterInterface" => (&tables::ALIYUN_ROUTER_INTERFACE, "routerInterfaceId"),
        _ => return Ok(None),
    };
    Ok(local_by_remote_id(app, spec, id_field, dc, &entry.instance_id).await?.map(|r| field(&r, "uuid")))
}

/// Records the route on its router's actor; if that fails, `undo` removes the remote route.
async fn insert_under_router(app: &App, router_type: &str, router: &str, inv: Inventory, undo: impl std::future::Future<Output = ()>) -> ApiResult<()> {
    let d = &app.dirs().hybrid;
    match router_type {
        "vbr" => insert_or_undo(app, &d.vbr, router, &tables::ALIYUN_ROUTE_ENTRY, inv, undo).await,
        _ => insert_or_undo(app, &d.vrouter, router, &tables::ALIYUN_ROUTE_ENTRY, inv, undo).await,
    }
}

/// `CreateAliyunVpcVirtualRouterEntryRemote`: a custom route in the router's table.
pub async fn route_entry_create(app: App, req: Req) -> ApiResult<Reply> {
    let router_uuid = req.must("vRouterUuid")?;
    let router_type = req.must("vRouterType")?;
    let destination = req.must("dstCidrBlock")?;
    let hop_type = req.must("nextHopType")?;
    let hop_uuid = req.must("nextHopUuid")?;
    check_cidr("dstCidrBlock", &destination)?;
    let (router, table) = router_of(&app, &router_uuid, &router_type).await?;
    let hop_id = next_hop_id(&app, &hop_type, &hop_uuid).await?;
    let remote = for_data_center(&app, &field(&router, "dataCenterUuid")).await?;
    let route = NewRoute { router_type, router_uuid, table, destination, hop_type, hop_id, hop_uuid: Some(hop_uuid) };
    inv_reply(add_route(&app, &remote, route, req.resource_uuid()?).await?)
}

/// A custom route to make in a router's table (`router_type` vrouter or vbr).
pub struct NewRoute {
    pub router_type: String,
    pub router_uuid: String,
    pub table: String,
    pub destination: String,
    pub hop_type: String,
    pub hop_id: String,
    /// The next hop's local record, when the node has one.
    pub hop_uuid: Option<String>,
}

/// Create the route on Alibaba Cloud and record it under its router (`uuid`); when the
/// record cannot be written the remote route is removed again.
pub async fn add_route(app: &App, remote: &Remote, route: NewRoute, uuid: String) -> ApiResult<Inventory> {
    let request = CreateRouteEntryRequest {
        route_table_id: route.table.clone(),
        destination_cidr_block: route.destination.clone(),
        next_hop_type: Some(route.hop_type.clone()),
        next_hop_id: route.hop_id.clone(),
        // Alibaba cannot look a route up by ClientToken; crash recovery finds it by this name.
        route_entry_name: Some(client_token(&uuid)),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    noted(app, ROUTE_ENTRY, &uuid, &remote.data_center_uuid, json!({"routeTableId": route.table}), async {
        let created = remote.client.create_route_entry(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": remote.data_center_uuid, "vRouterUuid": route.router_uuid, "vRouterType": route.router_type,
            "routeEntryId": created.route_entry_id, "routeTableId": route.table, "destinationCidrBlock": route.destination, "nextHopType": route.hop_type,
            "nextHopId": route.hop_id, "nextHopUuid": route.hop_uuid, "type": "Custom", "status": "Available"}));
        let undo = async { undo_logged("the new route entry", remote.client.delete_route_entry(&remote.region, &RouteEntrySelector::Id(created.route_entry_id)).await).await };
        insert_under_router(app, &route.router_type, &route.router_uuid, inv.clone(), undo).await?;
        Ok(inv)
    })
    .await
}

/// Remove a custom route on Alibaba Cloud (gone counts as removed), then its record.
pub async fn remove_route(app: &App, remote: &Remote, route: &Inventory) -> ApiResult<()> {
    deleted_or_gone(remote.client.delete_route_entry(&remote.region, &RouteEntrySelector::Id(field(route, "routeEntryId"))).await)?;
    super::cascade::retire(app, &app.dirs().hybrid.route_entry, &field(route, "uuid"), vec![]).await
}

/// `DeleteAliyunRouteEntryRemote`: custom routes only (system routes belong to vSwitches).
pub async fn route_entry_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    delete_remote_first(&app, &app.dirs().hybrid.route_entry, ROUTE_ENTRY, &uuid, |_, remote, inv| {
        Box::pin(async move {
            if str_of(&inv, "type") == Some("System") {
                return Err(ApiError::invalid_argument(format!(
                    "route entry[uuid:{}] is a system route of a vSwitch; only custom routes can be deleted",
                    field(&inv, "uuid")
                )));
            }
            deleted_or_gone(remote.client.delete_route_entry(&remote.region, &RouteEntrySelector::Id(field(&inv, "routeEntryId"))).await)
        })
    })
    .await
}

async fn route_fields(app: &App, dc: &str, router_uuid: &str, router_type: &str, e: &RouteEntry) -> ApiResult<Map<String, Value>> {
    let hop_uuid = next_hop_uuid(app, dc, e).await?;
    Ok(remote_fields!("dataCenterUuid": dc, "vRouterUuid": router_uuid, "vRouterType": router_type, "routeEntryId": e.route_entry_id,
        "routeTableId": e.route_table_id, "destinationCidrBlock": e.destination_cidr_block, "nextHopType": e.next_hop_type,
        "nextHopId": e.instance_id, "nextHopUuid": hop_uuid, "type": e.entry_type, "status": e.status))
}

/// `SyncAliyunRouteEntryFromRemote`: every route of the router's table, system and custom.
pub async fn route_entry_sync(app: App, req: Req) -> ApiResult<Reply> {
    let router_uuid = req.must("vRouterUuid")?;
    let router_type = req.must("vRouterType")?;
    let (router, table) = router_of(&app, &router_uuid, &router_type).await?;
    let dc = field(&router, "dataCenterUuid");
    let remote: Remote = for_data_center(&app, &dc).await?;
    let tables_found = remote.client.describe_route_tables(&remote.region, None, Some(&table), 1, 10).await.map_err(aliyun_error)?;
    let mut fields = Vec::new();
    for entry in tables_found.route_tables.iter().filter(|t| t.route_table_id == table).flat_map(|t| &t.route_entrys) {
        fields.push(route_fields(&app, &dc, &router_uuid, &router_type, entry).await?);
    }
    let local = app.store.inv_find(&tables::ALIYUN_ROUTE_ENTRY, "vRouterUuid", &router_uuid).await?;
    let out = reconcile(&app, &app.dirs().hybrid.route_entry, ROUTE_ENTRY, "routeEntryId", local, fields).await?;
    invs_reply(out.inventories, &tables::ALIYUN_ROUTE_ENTRY)
}
