//! A local L3 network connected to an Alibaba Cloud VPC over Express Connect (ZStack's
//! CreateConnectionBetweenL3NetworkAndAliyunVSwitch), as a flow with rollback:
//! a router interface on the border router (initiating) and one on the VPC's vRouter
//! (accepting), paired and connected; routes on the border router to the VPC's CIDR
//! (through its interface) and to the L3's CIDRs (through its VLAN interface, toward the
//! leased line); routes on the vRouter to the L3's CIDRs (through its interface); a host
//! route on the L3 to the VPC's CIDR through the customer-premises router (`cpeIp`); and
//! the connection record naming all of it. When a step fails, every step that ran is
//! undone in reverse, Alibaba Cloud included. Deletion undoes the same, remote first.
//!
//! A create runs on the VPC's actor, so "this L3 and this VPC are already connected" is
//! decided and acted on in one turn.
//!
//! Crash recovery: the flow runs under its own note (kind CONNECTION), and before the
//! first remote call it fixes the uuid of every interface and route it may make and
//! writes them into the note's lookup, with whether the L3 already had a route to the
//! VPC's CIDR. The interfaces and routes are noted creates of their own: one cut between
//! its remote call and its record is undone by its own note (recovery settles those
//! first); one that finished is a record under a planned uuid. So the node, restarted
//! after a cut anywhere in the flow, finds every record the flow wrote by uuid — no
//! window between a record written and the flow knowing it — and `undo_cut_create`
//! removes them the way a delete does (`unmake`). The host route is the connection's
//! when the L3 had none to the VPC's CIDR at the note, it goes through `cpeIp`, and no
//! connection record claims it.

use super::border::{add_interface, NewInterface};
use super::cascade::{retire, CONNECTION, VBR, VPC, VROUTER};
use super::recovery::noted;
use super::client::{for_data_center, Remote};
use super::express::{connect_interfaces, disconnect_interfaces, record_interface, reported_interface};
use super::vrouter::{add_route, check_cidr, remove_route, NewRoute};
use super::vpc::parse_cidr;
use super::{delete_remote_first, deleted_or_gone, field, inv_reply, invs_reply, on_actor, on_actor_write, relabelled};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::resources::network::{add_host_route, remove_host_route};
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use crate::tables;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

pub const CREATE_CONNECTION: &str = "create-l3-aliyun-connection";

type Step = futures::future::LocalBoxFuture<'static, ApiResult<()>>;
type Undo = futures::future::LocalBoxFuture<'static, ()>;

fn contains(cidr: (u32, u32), ip: u32) -> bool {
    let mask = if cidr.1 == 0 { 0 } else { u32::MAX << (32 - cidr.1) };
    ip & mask == cidr.0
}

/// Two CIDR blocks overlap when one holds the other's network address.
fn overlaps(a: &str, b: &str) -> bool {
    match (parse_cidr(a), parse_cidr(b)) {
        (Some(x), Some(y)) => contains(x, y.0) || contains(y, x.0),
        _ => false,
    }
}

/// Everything a create carries from step to step.
struct Connect {
    app: App,
    remote: Remote,
    uuid: String,
    name: String,
    description: Option<String>,
    direction: String,
    cpe_ip: String,
    l3: String,
    l3_cidrs: Vec<String>,
    vpc: Inventory,
    vrouter: Inventory,
    vbr: Inventory,
    /// The uuids the border router's and the vRouter's interface get (noted up front).
    interface_uuids: [String; 2],
    /// The uuids the routes get, in the order they are made (noted up front).
    route_uuids: VecDeque<String>,
    vbr_interface: Option<Inventory>,
    vrouter_interface: Option<Inventory>,
    /// Route records made, each tagged with the step that made it.
    routes: Vec<(&'static str, Inventory)>,
    host_route: bool,
}

/// What recovery needs to find what a create cut short made: the planned uuids of its
/// interfaces and routes, and its host route with whether the L3 had one already.
fn lookup(c: &Connect, host_route_existed: bool) -> Value {
    json!({"routerInterfaces": c.interface_uuids, "routeEntries": c.route_uuids, "l3NetworkUuid": c.l3, "prefix": field(&c.vpc, "cidrBlock"),
        "nexthop": c.cpe_ip, "hostRouteExisted": host_route_existed})
}

/// The interface of one end: the border router's initiates, the vRouter's accepts.
fn interface_of(c: &Connect, vbr_side: bool) -> NewInterface {
    let (router, router_type, id_field, role, spec, side) = if vbr_side {
        (&c.vbr, "VBR", "vbrId", "InitiatingSide", "Large.2", "vbr")
    } else {
        (&c.vrouter, "VRouter", "vrId", "AcceptingSide", "Negative", "vrouter")
    };
    NewInterface {
        router_uuid: field(router, "uuid"),
        router_type,
        router_id: field(router, id_field),
        role,
        spec: spec.into(),
        access_point: str_of(router, "accessPointId").filter(|s| !s.is_empty()).map(String::from),
        name: format!("{}-{side}", c.name),
        description: Some(format!("connection {}", c.uuid)),
    }
}

async fn make_interface(ctx: Shared<Connect>, vbr_side: bool) -> ApiResult<()> {
    let (app, remote, interface, uuid) = {
        let c = ctx.borrow();
        (c.app.clone(), c.remote.clone(), interface_of(&c, vbr_side), c.interface_uuids[usize::from(!vbr_side)].clone())
    };
    let inv = add_interface(&app, &remote, interface, uuid).await?;
    let mut c = ctx.borrow_mut();
    *(if vbr_side { &mut c.vbr_interface } else { &mut c.vrouter_interface }) = Some(inv);
    Ok(())
}

fn create_vbr_interface(ctx: Shared<Connect>) -> Step {
    Box::pin(make_interface(ctx, true))
}

fn create_vrouter_interface(ctx: Shared<Connect>) -> Step {
    Box::pin(make_interface(ctx, false))
}

/// Delete an interface on Alibaba Cloud (its link must be down), then its record.
async fn delete_interface(app: &App, remote: &Remote, uuid: &str, id: &str) -> ApiResult<()> {
    deleted_or_gone(remote.client.delete_router_interface(&remote.region, id).await)?;
    retire(app, &app.dirs().hybrid.router_interface, uuid, vec![]).await
}

fn undo_interface(ctx: Shared<Connect>, vbr_side: bool) -> Undo {
    Box::pin(async move {
        let (app, remote, inv) = {
            let mut c = ctx.borrow_mut();
            let taken = if vbr_side { c.vbr_interface.take() } else { c.vrouter_interface.take() };
            (c.app.clone(), c.remote.clone(), taken)
        };
        if let Some(inv) = inv {
            let r = delete_interface(&app, &remote, &field(&inv, "uuid"), &field(&inv, "routerInterfaceId")).await;
            if let Err(e) = r {
                log::warn!("rolling back router interface {} failed: {e}", field(&inv, "routerInterfaceId"));
            }
        }
    })
}

fn undo_vbr_interface(ctx: Shared<Connect>) -> Undo {
    undo_interface(ctx, true)
}

fn undo_vrouter_interface(ctx: Shared<Connect>) -> Undo {
    undo_interface(ctx, false)
}

fn interfaces(c: &Connect) -> ApiResult<(Inventory, Inventory)> {
    match (&c.vbr_interface, &c.vrouter_interface) {
        (Some(a), Some(b)) => Ok((a.clone(), b.clone())),
        _ => Err(ApiError::internal("the connection's router interfaces are missing")),
    }
}

fn connect(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let (app, remote, (vbr_side, vrouter_side)) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), interfaces(&c)?)
        };
        let outcome = connect_interfaces(&app, &remote, &vbr_side, &vrouter_side).await;
        for side in [vbr_side, vrouter_side] {
            if let Ok(now) = reported_interface(&app, &remote, &side).await {
                record_interface(&app, now).await?;
            }
        }
        outcome
    })
}

fn undo_connect(ctx: Shared<Connect>) -> Undo {
    Box::pin(async move {
        let (app, remote, ids) = {
            let c = ctx.borrow();
            let ids = [&c.vbr_interface, &c.vrouter_interface].into_iter().flatten().map(|i| field(i, "routerInterfaceId")).collect::<Vec<_>>();
            (c.app.clone(), c.remote.clone(), ids)
        };
        if let Err(e) = disconnect_interfaces(&app, &remote, &ids).await {
            log::warn!("taking the link of {ids:?} down failed: {e}");
        }
    })
}

/// Make the routes of one step: `tag` names it, `routes` lists them.
async fn make_routes(ctx: Shared<Connect>, tag: &'static str, routes: Vec<NewRoute>) -> ApiResult<()> {
    let (app, remote) = {
        let c = ctx.borrow();
        (c.app.clone(), c.remote.clone())
    };
    for route in routes {
        let uuid = ctx.borrow_mut().route_uuids.pop_front().ok_or_else(|| ApiError::internal("more routes than the connection planned"))?;
        let inv = add_route(&app, &remote, route, uuid).await?;
        ctx.borrow_mut().routes.push((tag, inv));
    }
    Ok(())
}

fn undo_routes(ctx: Shared<Connect>, tag: &'static str) -> Undo {
    Box::pin(async move {
        let (app, remote, mine) = {
            let mut c = ctx.borrow_mut();
            let (mine, rest) = std::mem::take(&mut c.routes).into_iter().partition(|(t, _)| *t == tag);
            c.routes = rest;
            (c.app.clone(), c.remote.clone(), mine)
        };
        for (_, route) in mine.iter().rev() {
            if let Err(e) = remove_route(&app, &remote, route).await {
                log::warn!("rolling back route entry {} failed: {e}", field(route, "routeEntryId"));
            }
        }
    })
}

fn vbr_route(c: &Connect, destination: String, hop_id: String, hop_uuid: Option<String>) -> NewRoute {
    NewRoute {
        router_type: "vbr".into(),
        router_uuid: field(&c.vbr, "uuid"),
        table: field(&c.vbr, "routeTableId"),
        destination,
        hop_type: "RouterInterface".into(),
        hop_id,
        hop_uuid,
    }
}

const VBR_TO_VPC: &str = "route-vbr-to-vpc";
const VBR_TO_L3: &str = "route-vbr-to-l3";
const VROUTER_TO_L3: &str = "route-vrouter-to-l3";

fn route_vbr_to_vpc(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let routes = {
            let c = ctx.borrow();
            let (vbr_side, _) = interfaces(&c)?;
            vec![vbr_route(&c, field(&c.vpc, "cidrBlock"), field(&vbr_side, "routerInterfaceId"), Some(field(&vbr_side, "uuid")))]
        };
        make_routes(ctx, VBR_TO_VPC, routes).await
    })
}

fn route_vbr_to_l3(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let routes = {
            let c = ctx.borrow();
            c.l3_cidrs.iter().map(|cidr| vbr_route(&c, cidr.clone(), field(&c.vbr, "vlanInterfaceId"), None)).collect()
        };
        make_routes(ctx, VBR_TO_L3, routes).await
    })
}

fn route_vrouter_to_l3(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let routes = {
            let c = ctx.borrow();
            let (_, vrouter_side) = interfaces(&c)?;
            c.l3_cidrs
                .iter()
                .map(|cidr| NewRoute {
                    router_type: "vrouter".into(),
                    router_uuid: field(&c.vrouter, "uuid"),
                    table: field(&c.vrouter, "routeTableId"),
                    destination: cidr.clone(),
                    hop_type: "RouterInterface".into(),
                    hop_id: field(&vrouter_side, "routerInterfaceId"),
                    hop_uuid: Some(field(&vrouter_side, "uuid")),
                })
                .collect()
        };
        make_routes(ctx, VROUTER_TO_L3, routes).await
    })
}

fn undo_vbr_to_vpc(ctx: Shared<Connect>) -> Undo {
    undo_routes(ctx, VBR_TO_VPC)
}

fn undo_vbr_to_l3(ctx: Shared<Connect>) -> Undo {
    undo_routes(ctx, VBR_TO_L3)
}

fn undo_vrouter_to_l3(ctx: Shared<Connect>) -> Undo {
    undo_routes(ctx, VROUTER_TO_L3)
}

fn host_route(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let (app, l3, prefix, nexthop) = {
            let c = ctx.borrow();
            (c.app.clone(), c.l3.clone(), field(&c.vpc, "cidrBlock"), c.cpe_ip.clone())
        };
        add_host_route(&app, &l3, &prefix, &nexthop).await?;
        ctx.borrow_mut().host_route = true;
        Ok(())
    })
}

fn undo_host_route(ctx: Shared<Connect>) -> Undo {
    Box::pin(async move {
        let (app, l3, prefix, made) = {
            let c = ctx.borrow();
            (c.app.clone(), c.l3.clone(), field(&c.vpc, "cidrBlock"), c.host_route)
        };
        if made {
            if let Err(e) = remove_host_route(&app, &l3, &prefix).await {
                log::warn!("rolling back the host route of l3 network {l3} failed: {e}");
            }
        }
    })
}

/// What a connection made, as its `relationShips` names it (delete reads it back).
fn relationships(c: &Connect) -> ApiResult<Value> {
    let (vbr_side, vrouter_side) = interfaces(c)?;
    let interface = |i: &Inventory| json!({"uuid": field(i, "uuid"), "routerInterfaceId": field(i, "routerInterfaceId")});
    Ok(json!({
        "l3NetworkUuid": c.l3,
        "vpcUuid": field(&c.vpc, "uuid"),
        "vbrUuid": field(&c.vbr, "uuid"),
        "routerInterfaces": [interface(&vbr_side), interface(&vrouter_side)],
        "routeEntries": c.routes.iter().map(|(_, r)| json!({"uuid": field(r, "uuid"), "routeEntryId": field(r, "routeEntryId"),
            "destinationCidrBlock": field(r, "destinationCidrBlock"), "vRouterType": field(r, "vRouterType")})).collect::<Vec<_>>(),
        "hostRoute": {"l3NetworkUuid": c.l3, "prefix": field(&c.vpc, "cidrBlock"), "nexthop": c.cpe_ip},
    }))
}

fn record(ctx: Shared<Connect>) -> Step {
    Box::pin(async move {
        let (app, dc, inv) = {
            let c = ctx.borrow();
            let inv = new_inv(json!({"uuid": c.uuid, "name": c.name, "description": c.description, "relationShips": relationships(&c)?.to_string(),
                "dataCenterUuid": c.remote.data_center_uuid, "l3NetworkUuid": c.l3, "vpcUuid": field(&c.vpc, "uuid"), "vbrUuid": field(&c.vbr, "uuid"),
                "cpeIp": c.cpe_ip, "direction": c.direction, "connectionType": "aliyunConnection"}));
            (c.app.clone(), c.remote.data_center_uuid.clone(), inv)
        };
        crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::CONNECTION_RELATIONSHIP, inv).await
    })
}

fn undo_record(ctx: Shared<Connect>) -> Undo {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        if let Err(e) = retire(&app, &app.dirs().hybrid.connection, &uuid, vec![]).await {
            log::warn!("rolling back the record of connection {uuid} failed: {e}");
        }
    })
}

/// The steps of a create, in order (tests fail each in turn).
pub fn create_connection_steps() -> Vec<&'static str> {
    chain().step_names()
}

fn chain() -> FlowChain<Connect> {
    FlowChain::new(CREATE_CONNECTION)
        .step("create-vbr-interface", create_vbr_interface, Some(undo_vbr_interface))
        .step("create-vrouter-interface", create_vrouter_interface, Some(undo_vrouter_interface))
        .step("connect-interfaces", connect, Some(undo_connect))
        .step(VBR_TO_VPC, route_vbr_to_vpc, Some(undo_vbr_to_vpc))
        .step(VBR_TO_L3, route_vbr_to_l3, Some(undo_vbr_to_l3))
        .step(VROUTER_TO_L3, route_vrouter_to_l3, Some(undo_vrouter_to_l3))
        .step("host-route-to-vpc", host_route, Some(undo_host_route))
        .step("record-connection", record, Some(undo_record))
}

/// A record that must exist, with ZStack's "no such ... found for" when it does not.
async fn must(app: &App, spec: &'static zstack_db::TableSpec, what: &str, uuid: &str) -> ApiResult<Inventory> {
    app.store.inv_get(spec, uuid).await?.ok_or_else(|| ApiError::invalid_argument(format!("no such {what} found for: {uuid}")))
}

/// Custom routes of a router (local records) whose destination overlaps `target`.
async fn check_no_overlap(app: &App, router: &Inventory, router_kind: &str, targets: &[String]) -> ApiResult<()> {
    for route in app.store.inv_find(&tables::ALIYUN_ROUTE_ENTRY, "vRouterUuid", &field(router, "uuid")).await? {
        if str_of(&route, "type") != Some("Custom") {
            continue;
        }
        let existing = field(&route, "destinationCidrBlock");
        if let Some(target) = targets.iter().find(|t| overlaps(&existing, t)) {
            return Err(ApiError::invalid_argument(format!(
                "custom cidr [{existing}] is already existed in {router_kind} [{}], it is overlapped with target cidr [{target}], please check and delete it first.",
                field(router, "uuid")
            )));
        }
    }
    Ok(())
}

/// One connection per L3 network and VPC.
async fn refuse_if_connected(app: &App, l3: &str, vpc: &str) -> ApiResult<()> {
    let connected = app.store.inv_find(&tables::CONNECTION_RELATIONSHIP, "l3NetworkUuid", l3).await?;
    if connected.iter().any(|c| str_of(c, "vpcUuid") == Some(vpc)) {
        return Err(ApiError::invalid_argument(format!("l3network {l3} and vpc {vpc} already connected, please check it")));
    }
    Ok(())
}

/// `CreateConnectionBetweenL3NetworkAndAliyunVSwitch`.
pub async fn connection_create(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.resource_uuid()?;
    let name = req.must("name")?;
    let direction = req.must("direction")?;
    if !["in", "out", "both"].contains(&direction.as_str()) {
        return Err(ApiError::invalid_argument(format!("direction[{direction}] must be in, out or both")));
    }
    let cpe_ip = req.must("cpeIp")?;
    let cpe = cpe_ip.parse::<Ipv4Addr>().map_err(|_| ApiError::invalid_argument(format!("CpeIp must be ipv4 address, but now is {cpe_ip}")))?;
    let l3 = req.must("l3networkUuid")?;
    must(&app, &tables::L3_NETWORK, "l3network", &l3).await?;
    let vpc = must(&app, &tables::ECS_VPC, "vpc", &req.must("vpcUuid")?).await?;
    let vbr = must(&app, &tables::VIRTUAL_BORDER_ROUTER, "vbr", &req.must("vbrUuid")?).await?;
    let dc = field(&vpc, "dataCenterUuid");
    if field(&vbr, "dataCenterUuid") != dc {
        return Err(ApiError::invalid_argument(format!(
            "{VPC}[uuid:{}] and {VBR}[uuid:{}] are in different DataCenters",
            field(&vpc, "uuid"),
            field(&vbr, "uuid")
        )));
    }
    // Checked again on the VPC's actor, where the connection is made.
    refuse_if_connected(&app, &l3, &field(&vpc, "uuid")).await?;
    let mut l3_cidrs: Vec<String> = Vec::new();
    for range in app.store.inv_find(&tables::IP_RANGE, "l3NetworkUuid", &l3).await? {
        let cidr = field(&range, "networkCidr");
        if check_cidr("networkCidr", &cidr).is_ok() && !l3_cidrs.contains(&cidr) {
            l3_cidrs.push(cidr);
        }
    }
    if l3_cidrs.is_empty() {
        return Err(ApiError::invalid_argument(format!("No Such Cidr found for l3network: {l3}")));
    }
    if !l3_cidrs.iter().filter_map(|c| parse_cidr(c)).any(|c| contains(c, u32::from(cpe))) {
        return Err(ApiError::invalid_argument(format!("cpeIp[{cpe_ip}] is not in the CIDR of l3 network[uuid:{l3}] ({})", l3_cidrs.join(", "))));
    }
    let vpc_cidr = field(&vpc, "cidrBlock");
    if let Some(c) = l3_cidrs.iter().find(|c| overlaps(c, &vpc_cidr)) {
        return Err(ApiError::invalid_argument(format!("the CIDR {c} of l3 network[uuid:{l3}] overlaps the VPC's {vpc_cidr}")));
    }
    let vrouter = app
        .store
        .inv_find(&tables::ALIYUN_VIRTUAL_ROUTER, "vpcUuid", &field(&vpc, "uuid"))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::operation(format!("the vRouter of {VPC}[uuid:{}] is not known; sync it from remote first", field(&vpc, "uuid"))))?;
    for (router, kind) in [(&vbr, VBR), (&vrouter, VROUTER)] {
        if field(router, "routeTableId").is_empty() {
            return Err(ApiError::operation(format!("{kind}[uuid:{}] has no route table; sync it from remote first", field(router, "uuid"))));
        }
    }
    if field(&vbr, "vlanInterfaceId").is_empty() {
        return Err(ApiError::operation(format!("{VBR}[uuid:{}] has no VLAN interface; sync it from remote first", field(&vbr, "uuid"))));
    }
    let mut vbr_targets = l3_cidrs.clone();
    vbr_targets.push(vpc_cidr.clone());
    check_no_overlap(&app, &vbr, "vbr", &vbr_targets).await?;
    check_no_overlap(&app, &vrouter, "vrouter", &l3_cidrs).await?;
    let remote = for_data_center(&app, &dc).await?;
    let route_count = 1 + 2 * l3_cidrs.len();
    let ctx = Connect {
        app: app.clone(),
        remote,
        uuid: uuid.clone(),
        name,
        description: req.string("description"),
        direction,
        cpe_ip,
        l3: l3.clone(),
        l3_cidrs,
        vpc: vpc.clone(),
        vrouter,
        vbr,
        interface_uuids: [new_uuid(), new_uuid()],
        route_uuids: (0..route_count).map(|_| new_uuid()).collect(),
        vbr_interface: None,
        vrouter_interface: None,
        routes: Vec::new(),
        host_route: false,
    };
    let (a, noted_uuid) = (app.clone(), uuid.clone());
    on_actor(&app, &app.dirs().hybrid.vpc, &field(&vpc, "uuid"), move |vpc| {
        Box::pin(async move {
            refuse_if_connected(&a, &l3, &field(&vpc, "uuid")).await?;
            let host_routes = a.store.inv_find(&tables::L3_HOST_ROUTE, "l3NetworkUuid", &l3).await?;
            let lookup = lookup(&ctx, host_routes.iter().any(|r| str_of(r, "prefix") == Some(vpc_cidr.as_str())));
            noted(&a, CONNECTION, &noted_uuid, &dc, lookup, chain().run(std::rc::Rc::new(std::cell::RefCell::new(ctx)), &a.faults)).await
        })
    })
    .await?;
    inv_reply(app.store.inv_must(&tables::CONNECTION_RELATIONSHIP, &uuid).await?)
}

/// What a connection made, as a delete or a recovery finds it.
struct Made {
    /// Route records (uuid, routeEntryId).
    routes: Vec<Inventory>,
    /// Router interfaces: (record uuid, Alibaba id).
    interfaces: Vec<(String, String)>,
    /// The L3's host route: (L3 uuid, prefix).
    host_route: Option<(String, String)>,
}

/// Remove what a connection made, Alibaba Cloud first (routes, the link, the
/// interfaces), then the L3's host route; returns what was removed, one line each. A
/// failure stops it; a retry finds what is already gone gone.
async fn unmake(app: &App, remote: &Remote, made: Made) -> ApiResult<Vec<String>> {
    let mut removed = Vec::new();
    for route in &made.routes {
        remove_route(app, remote, route).await?;
        removed.push(format!("route entry {}", field(route, "routeEntryId")));
    }
    let ids: Vec<String> = made.interfaces.iter().map(|(_, id)| id.clone()).collect();
    disconnect_interfaces(app, remote, &ids).await?;
    for (uuid, id) in &made.interfaces {
        delete_interface(app, remote, uuid, id).await?;
        removed.push(format!("router interface {id}"));
    }
    if let Some((l3, prefix)) = made.host_route {
        remove_host_route(app, &l3, &prefix).await?;
        removed.push(format!("the local host route to {prefix} of l3 network[uuid:{l3}]"));
    }
    Ok(removed)
}

/// `DeleteConnectionBetweenL3NetWorkAndAliyunVSwitch`: what the connection made goes,
/// Alibaba Cloud first (routes, the link, the interfaces), then the L3's host route and
/// the record. A failure stops the delete with the record kept; a retry finds what is
/// already gone gone.
pub async fn connection_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    delete_remote_first(&app, &app.dirs().hybrid.connection, CONNECTION, &uuid, |app, remote, inv| {
        Box::pin(async move {
            let made: Value = serde_json::from_str(&field(&inv, "relationShips"))
                .map_err(|e| ApiError::internal(format!("connection[uuid:{}] has unreadable relationShips: {e}", field(&inv, "uuid"))))?;
            let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
            let list = |k: &str| made[k].as_array().cloned().unwrap_or_default();
            let routes = list("routeEntries").iter().map(|r| new_inv(json!({"uuid": text(r, "uuid"), "routeEntryId": text(r, "routeEntryId")}))).collect();
            let interfaces = list("routerInterfaces").iter().map(|i| (text(i, "uuid"), text(i, "routerInterfaceId"))).collect();
            let host = &made["hostRoute"];
            let l3_left = app.store.inv_exists(&tables::L3_NETWORK, &text(host, "l3NetworkUuid")).await?;
            let host_route = l3_left.then(|| (text(host, "l3NetworkUuid"), text(host, "prefix")));
            unmake(&app, &remote, Made { routes, interfaces, host_route }).await.map(|_| ())
        })
    })
    .await
}

/// Crash recovery of a create cut short (`lookup` as the create noted it, see the module
/// comment): removes what it made, like a delete; returns what was removed.
pub async fn undo_cut_create(app: &App, remote: &Remote, lookup: &Value) -> ApiResult<Vec<String>> {
    let planned = |k: &str| lookup[k].as_array().cloned().unwrap_or_default().into_iter().filter_map(|u| u.as_str().map(String::from));
    let mut routes = Vec::new();
    for uuid in planned("routeEntries") {
        routes.extend(app.store.inv_get(&tables::ALIYUN_ROUTE_ENTRY, &uuid).await?);
    }
    let mut interfaces = Vec::new();
    for uuid in planned("routerInterfaces") {
        if let Some(i) = app.store.inv_get(&tables::ALIYUN_ROUTER_INTERFACE, &uuid).await? {
            interfaces.push((uuid, field(&i, "routerInterfaceId")));
        }
    }
    let text = |k: &str| lookup[k].as_str().unwrap_or_default().to_string();
    let (l3, prefix, nexthop) = (text("l3NetworkUuid"), text("prefix"), text("nexthop"));
    let mut host_route = None;
    if lookup["hostRouteExisted"] == json!(false) {
        let ours = app.store.inv_find(&tables::L3_HOST_ROUTE, "l3NetworkUuid", &l3).await?.iter().any(|r| str_of(r, "prefix") == Some(&prefix) && str_of(r, "nexthop") == Some(&nexthop));
        let claimed = app.store.inv_find(&tables::CONNECTION_RELATIONSHIP, "l3NetworkUuid", &l3).await?.iter().any(|c| {
            serde_json::from_str::<Value>(&field(c, "relationShips")).is_ok_and(|made| made["hostRoute"]["prefix"] == json!(prefix))
        });
        if ours && !claimed {
            host_route = Some((l3, prefix));
        }
    }
    unmake(app, remote, Made { routes, interfaces, host_route }).await
}

/// `UpdateConnectionBetweenL3NetWorkAndAliyunVSwitch`: name and description.
pub async fn connection_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let (name, description) = (req.string("name"), req.string("description"));
    let inv = on_actor_write(&app, &app.dirs().hybrid.connection, &uuid, move |inv| {
        Box::pin(async move {
            if name.as_ref().is_some_and(String::is_empty) {
                return Err(ApiError::invalid_argument("name must not be empty"));
            }
            Ok(relabelled(inv, name, description))
        })
    })
    .await?;
    inv_reply(inv)
}

/// `GetConnectionBetweenL3NetworkAndAliyunVSwitch`: the connections of one resource.
/// Connections here end on the L3 network itself, so a virtual-router VM has none.
pub async fn connection_get(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let resource_type = req.must("resourceType")?;
    let (spec, what, column): (&'static zstack_db::TableSpec, &str, Option<&str>) = match resource_type.as_str() {
        "l3network" => (&tables::L3_NETWORK, "l3network", Some("l3NetworkUuid")),
        "vpc" => (&tables::ECS_VPC, "vpc", Some("vpcUuid")),
        "vbr" => (&tables::VIRTUAL_BORDER_ROUTER, "vbr", Some("vbrUuid")),
        "vroutervm" => (&tables::VM_INSTANCE, "vm", None),
        other => return Err(ApiError::invalid_argument(format!("not a supported resource type: {other}"))),
    };
    must(&app, spec, what, &uuid).await?;
    let items = match column {
        Some(c) => app.store.inv_find(&tables::CONNECTION_RELATIONSHIP, c, &uuid).await?,
        None => Vec::new(),
    };
    invs_reply(items, &tables::CONNECTION_RELATIONSHIP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_overlap_when_one_holds_the_other() {
        assert!(overlaps("10.0.0.0/8", "10.1.2.0/24"));
        assert!(overlaps("10.1.2.0/24", "10.0.0.0/8"));
        assert!(!overlaps("10.1.2.0/24", "10.1.3.0/24"));
        assert!(!overlaps("192.168.0.0/16", "172.16.0.0/12"));
        assert!(contains(parse_cidr("192.168.10.0/24").unwrap(), u32::from(Ipv4Addr::new(192, 168, 10, 254))));
        assert_eq!(parse_cidr("10.1.2.3/16"), Some((u32::from(Ipv4Addr::new(10, 1, 0, 0)), 16)));
        assert_eq!(parse_cidr("10.1.2.3/33"), None);
    }
}
