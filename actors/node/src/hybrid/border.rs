//! Express Connect: virtual border routers (the cloud end of a leased line, provisioned
//! by Alibaba; synced and viewed here) and router interfaces (the two ends of a
//! connection between a border router and a VPC's vRouter: synced, created, deleted).

use super::client::{for_data_center, Remote};
use super::recovery::noted;
use super::cascade::{ROUTER_INTERFACE, VBR};
use super::sync::reconcile;
use super::{aliyun_error, local_by_remote_id, delete_remote_first, deleted_or_gone, insert_or_undo, undo_logged, client_token, field, inv_reply, invs_reply};
use crate::tables;
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::Inventory;
use serde_json::json;
use zstack_aliyun::routing::{CreateRouterInterfaceRequest, RouterInterface, VirtualBorderRouter};
use zstack_kit::{ApiError, ApiResult};

/// The DataCenter's border routers reconciled with Alibaba Cloud's.
pub async fn vbrs_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    let remote = for_data_center(app, dc).await?;
    let vbrs = remote.client.describe_virtual_border_routers_all(&remote.region).await.map_err(aliyun_error)?;
    let fields = vbrs.iter().map(|v| vbr_fields(dc, v)).collect();
    let local = app.store.inv_find(&tables::VIRTUAL_BORDER_ROUTER, "dataCenterUuid", dc).await?;
    let out = reconcile(app, &app.dirs().hybrid.vbr, VBR, "vbrId", local, fields).await?;
    Ok(out.inventories)
}

/// A border router's record fields as Alibaba Cloud reports them.
pub fn vbr_fields(dc: &str, v: &VirtualBorderRouter) -> serde_json::Map<String, serde_json::Value> {
    remote_fields!("dataCenterUuid": dc, "vbrId": v.vbr_id, "name": v.name, "status": v.status, "vlanId": v.vlan_id,
        "circuitCode": v.circuit_code, "localGatewayIp": v.local_gateway_ip, "peerGatewayIp": v.peer_gateway_ip,
        "peeringSubnetMask": v.peering_subnet_mask, "physicalConnectionId": v.physical_connection_id,
        "physicalConnectionStatus": v.physical_connection_status, "accessPointId": v.access_point_id, "routeTableId": v.route_table_id,
        "vlanInterfaceId": v.vlan_interface_id, "description": v.description)
}

/// `SyncVirtualBorderRouterFromRemote`.
pub async fn vbr_sync(app: App, req: Req) -> ApiResult<Reply> {
    invs_reply(vbrs_sync(&app, &req.must("dataCenterUuid")?).await?, &tables::VIRTUAL_BORDER_ROUTER)
}

/// The local record of an interface's router (`VRouter` or `VBR` as Alibaba names types).
async fn local_router(app: &App, dc: &str, router_type: &str, router_id: &str) -> ApiResult<Option<Inventory>> {
    match router_type {
        "VRouter" => local_by_remote_id(app, &tables::ALIYUN_VIRTUAL_ROUTER, "vrId", dc, router_id).await,
        "VBR" => local_by_remote_id(app, &tables::VIRTUAL_BORDER_ROUTER, "vbrId", dc, router_id).await,
        _ => Ok(None),
    }
}

pub async fn interface_fields(app: &App, dc: &str, r: &RouterInterface) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
    let router = local_router(app, dc, &r.router_type, &r.router_id).await?.map(|v| field(&v, "uuid"));
    Ok(remote_fields!("dataCenterUuid": dc, "routerInterfaceId": r.router_interface_id, "name": r.name, "routerType": r.router_type,
        "routerId": r.router_id, "vRouterUuid": router, "role": r.role, "spec": r.spec, "status": r.status, "accessPointId": r.access_point_id,
        "oppositeRegionId": r.opposite_region_id, "oppositeInterfaceId": r.opposite_interface_id, "oppositeRouterId": r.opposite_router_id,
        "oppositeRouterType": r.opposite_router_type, "description": r.description))
}

/// The DataCenter's router interfaces reconciled with Alibaba Cloud's.
pub async fn router_interfaces_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    let remote = for_data_center(app, dc).await?;
    let interfaces = remote.client.describe_router_interfaces_all(&remote.region).await.map_err(aliyun_error)?;
    let mut fields = Vec::with_capacity(interfaces.len());
    for r in &interfaces {
        fields.push(interface_fields(app, dc, r).await?);
    }
    let local = app.store.inv_find(&tables::ALIYUN_ROUTER_INTERFACE, "dataCenterUuid", dc).await?;
    let out = reconcile(app, &app.dirs().hybrid.router_interface, ROUTER_INTERFACE, "routerInterfaceId", local, fields).await?;
    Ok(out.inventories)
}

/// `SyncAliyunRouterInterfaceFromRemote`: linked to local vRouters/VBRs the node knows.
pub async fn router_interface_sync(app: App, req: Req) -> ApiResult<Reply> {
    invs_reply(router_interfaces_sync(&app, &req.must("dataCenterUuid")?).await?, &tables::ALIYUN_ROUTER_INTERFACE)
}

/// Router interface specs (bandwidth) Alibaba Cloud offers for an initiating side.
const SPECS: &[&str] = &["Mini.2", "Mini.5", "Small.1", "Small.2", "Small.5", "Middle.1", "Middle.2", "Middle.5", "Large.1", "Large.2", "Large.5", "Xlarge.1"];

/// `CreateAliyunRouterInterfaceRemote`: a border router's interface initiates (with a
/// bandwidth `spec`), a vRouter's accepts (no spec of its own), as Express Connect pairs them.
pub async fn router_interface_create(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let router_uuid = req.must("vRouterUuid")?;
    let name = req.must("name")?;
    let router_type = req.must("routerType")?;
    if req.str("accessPointUuid").is_some() {
        return Err(ApiError::invalid_argument("accessPointUuid is not supported: the access point is the border router's own"));
    }
    let (spec_table, vo, id_field, alibaba_type, role) = match router_type.as_str() {
        "vbr" => (&tables::VIRTUAL_BORDER_ROUTER, VBR, "vbrId", "VBR", "InitiatingSide"),
        "vrouter" => (&tables::ALIYUN_VIRTUAL_ROUTER, "VpcVirtualRouterVO", "vrId", "VRouter", "AcceptingSide"),
        other => return Err(ApiError::invalid_argument(format!("routerType[{other}] must be vbr or vrouter"))),
    };
    let router = app.store.inv_get(spec_table, &router_uuid).await?.ok_or_else(|| ApiError::not_found(vo, &router_uuid))?;
    if field(&router, "dataCenterUuid") != dc {
        return Err(ApiError::invalid_argument(format!("{vo}[uuid:{router_uuid}] is not in DataCenter[uuid:{dc}]")));
    }
    let spec = if role == "AcceptingSide" {
        if req.str("spec").is_some_and(|s| s != "Negative") {
            return Err(ApiError::invalid_argument("a vRouter's interface accepts the connection and takes no spec"));
        }
        "Negative".to_string()
    } else {
        let spec = req.str("spec").unwrap_or("Large.2").to_string();
        if !SPECS.contains(&spec.as_str()) {
            return Err(ApiError::invalid_argument(format!("spec[{spec}] must be one of {}", SPECS.join(", "))));
        }
        spec
    };
    let remote = for_data_center(&app, &dc).await?;
    let access_point = router.get("accessPointId").and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(String::from);
    let interface = NewInterface {
        router_uuid,
        router_type: alibaba_type,
        router_id: field(&router, id_field),
        role,
        spec,
        access_point,
        name,
        description: req.string("description"),
    };
    inv_reply(add_interface(&app, &remote, interface, req.resource_uuid()?).await?)
}

/// A router interface to make: on a border router (`VBR`, initiating, with a bandwidth
/// spec) or a vRouter (`VRouter`, accepting, spec `Negative`).
pub struct NewInterface {
    pub router_uuid: String,
    pub router_type: &'static str,
    pub router_id: String,
    pub role: &'static str,
    pub spec: String,
    pub access_point: Option<String>,
    pub name: String,
    pub description: Option<String>,
}

/// Create the interface on Alibaba Cloud and record it (`uuid`) under the DataCenter;
/// when the record cannot be written the remote interface is removed again.
pub async fn add_interface(app: &App, remote: &Remote, i: NewInterface, uuid: String) -> ApiResult<Inventory> {
    let request = CreateRouterInterfaceRequest {
        role: i.role.into(),
        router_type: i.router_type.into(),
        router_id: i.router_id.clone(),
        spec: i.spec.clone(),
        opposite_region_id: remote.region.clone(),
        access_point_id: i.access_point.clone(),
        name: Some(i.name.clone()),
        description: i.description.clone(),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let dc = &remote.data_center_uuid;
    noted(app, ROUTER_INTERFACE, &uuid, dc, json!({"routerId": request.router_id, "name": i.name}), async {
        let created = remote.client.create_router_interface(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "routerInterfaceId": created.router_interface_id, "name": i.name,
            "routerType": i.router_type, "routerId": i.router_id, "vRouterUuid": i.router_uuid, "role": i.role, "spec": i.spec,
            "status": "Idle", "accessPointId": i.access_point, "oppositeRegionId": remote.region, "description": i.description}));
        let undo = async { undo_logged("the new router interface", remote.client.delete_router_interface(&remote.region, &created.router_interface_id).await).await };
        insert_or_undo(app, &app.dirs().hybrid.data_center, dc, &tables::ALIYUN_ROUTER_INTERFACE, inv.clone(), undo).await?;
        Ok(inv)
    })
    .await
}

/// `DeleteAliyunRouterInterfaceRemote`: Alibaba Cloud refuses an Active interface and
/// one that routes still point at; the record stays then.
pub async fn router_interface_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    match req.must("vRouterType")?.as_str() {
        "vbr" | "vrouter" => {}
        other => return Err(ApiError::invalid_argument(format!("vRouterType[{other}] must be vbr or vrouter"))),
    }
    delete_remote_first(&app, &app.dirs().hybrid.router_interface, ROUTER_INTERFACE, &uuid, |_, remote, inv| {
        Box::pin(async move {
            deleted_or_gone(remote.client.delete_router_interface(&remote.region, &field(&inv, "routerInterfaceId")).await)
        })
    })
    .await
}
