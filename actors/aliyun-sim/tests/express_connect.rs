//! Express Connect in the simulator, driven by the typed client: access points per
//! region, the border-router lifecycle and attribute rules, routes in a border router's
//! table, and the router-interface status machine (pairing, connecting, deactivating,
//! activating) with the service's error codes; statuses move only when the frozen clock
//! is advanced by a transition step.

mod common;

use std::time::Duration;

use common::*;
use zstack_aliyun::express::{ModifyRouterInterfaceRequest, ModifyVirtualBorderRouterRequest};
use zstack_aliyun::routing::{CreateRouteEntryRequest, CreateRouterInterfaceRequest, RouteEntrySelector};
use zstack_aliyun::{AliyunClient, SignatureVersion};
use zstack_aliyun_sim::SimServer;

const STEP: Duration = Duration::from_millis(1000);

async fn seeded_vbrs(sim: &SimServer, count: usize) -> Vec<String> {
    control(sim, "POST", "/__sim/seed", Some(serde_json::json!({"region": REGION, "vbrs": count}))).await;
    let c = client(sim, SignatureVersion::V1);
    c.describe_virtual_border_routers_all(REGION).await.unwrap().into_iter().map(|v| v.vbr_id).collect()
}

fn status_of(sim: &SimServer, id: &str) -> (&'static str, &'static str) {
    let state = sim.sim.state.lock();
    let ri = &state.router_interfaces[id];
    let opposite = state.router_interfaces.get(&ri.opposite_interface_id).map(|o| o.status.as_str()).unwrap_or("-");
    (ri.status.as_str(), opposite)
}

async fn route(c: &AliyunClient, table: &str, destination: &str, hop_type: &str, hop: &str) -> Result<String, zstack_aliyun::AliyunError> {
    let request = CreateRouteEntryRequest {
        route_table_id: table.into(),
        destination_cidr_block: destination.into(),
        next_hop_type: Some(hop_type.into()),
        next_hop_id: hop.into(),
        ..Default::default()
    };
    c.create_route_entry(REGION, &request).await.map(|r| r.route_entry_id)
}

#[tokio::test]
async fn access_points_are_listed_per_region() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::V1);
    let here = c.describe_access_points_all(REGION).await.unwrap();
    let ids: Vec<&str> = here.iter().map(|a| a.access_point_id.as_str()).collect();
    assert_eq!(ids, vec!["ap-cn-hangzhou-xs-A", "ap-cn-hangzhou-yh-C"]);
    assert_eq!((here[0].status.as_str(), here[0].attached_region_no.as_str(), here[0].access_point_type.as_str()), ("recommended", REGION, "VPC"));
    let there = c.describe_access_points_all("cn-beijing").await.unwrap();
    assert!(there.iter().all(|a| a.attached_region_no == "cn-beijing") && there.len() == 2);
    assert_eq!(code_of(c.describe_access_points_all("mars-1").await).1, 404);
}

#[tokio::test]
async fn border_routers_terminate_and_recover_by_the_rules() {
    let sim = sim(STEP.as_millis() as u64);
    let c = client(&sim, SignatureVersion::Acs3);
    let vbrs = seeded_vbrs(&sim, 2).await;
    let vbr = &vbrs[0];
    let status = |sim: &SimServer| sim.sim.state.lock().vbrs[vbr].status.as_str();
    let refused = ("InvalidOperation.OperationNotAllowedInState".to_string(), 400);
    assert_eq!(code_of(c.recover_virtual_border_router(REGION, vbr).await), refused, "only a terminated VBR recovers");
    c.terminate_virtual_border_router(REGION, vbr).await.unwrap();
    assert_eq!(status(&sim), "terminating");
    assert_eq!(code_of(c.terminate_virtual_border_router(REGION, vbr).await), refused);
    sim.sim.clock.advance(STEP);
    let listed = c.describe_virtual_border_routers(REGION, std::slice::from_ref(vbr), 1, 10).await.unwrap();
    assert_eq!(listed.virtual_border_router_set[0].status, "terminated");
    assert_eq!(code_of(c.terminate_virtual_border_router(REGION, vbr).await), refused);
    // A terminated VBR takes no routes.
    let (table, vlan_interface) = {
        let state = sim.sim.state.lock();
        (state.vbrs[vbr].route_table_id.clone(), state.vbrs[vbr].vlan_interface_id.clone())
    };
    assert_eq!(code_of(route(&c, &table, "10.8.0.0/16", "RouterInterface", &vlan_interface).await), ("IncorrectVbrStatus".into(), 400));
    c.recover_virtual_border_router(REGION, vbr).await.unwrap();
    assert_eq!(status(&sim), "recovering");
    sim.sim.clock.advance(STEP);
    assert_eq!(status(&sim), "recovering", "settled by the next request, not by time alone");
    c.describe_virtual_border_routers_all(REGION).await.unwrap();
    assert_eq!(status(&sim), "active");
    assert_eq!(code_of(c.terminate_virtual_border_router(REGION, "vbr-nope").await), ("InvalidVbrId.NotFound".into(), 404));

    // Attributes: VLAN range and uniqueness on one line, peering addresses in one subnet.
    let modify = |changes: ModifyVirtualBorderRouterRequest| {
        let c = c.clone();
        let vbr = vbr.clone();
        async move { c.modify_virtual_border_router(REGION, &ModifyVirtualBorderRouterRequest { vbr_id: vbr, ..changes }).await }
    };
    assert_eq!(code_of(modify(ModifyVirtualBorderRouterRequest { vlan_id: Some(3000), ..Default::default() }).await), ("InvalidVlanId.Malformed".into(), 400));
    {
        let mut state = sim.sim.state.lock();
        let line = state.vbrs[vbr].physical_connection_id.clone();
        state.vbrs.get_mut(&vbrs[1]).unwrap().physical_connection_id = line;
    }
    assert_eq!(code_of(modify(ModifyVirtualBorderRouterRequest { vlan_id: Some(101), ..Default::default() }).await), ("InvalidVlanId.Used".into(), 400));
    let malformed = ("InvalidIp.Malformed".to_string(), 400);
    for bad in [
        ModifyVirtualBorderRouterRequest { peering_subnet_mask: Some("255.255.0.0".into()), ..Default::default() },
        ModifyVirtualBorderRouterRequest { peering_subnet_mask: Some("255.0.255.0".into()), ..Default::default() },
        ModifyVirtualBorderRouterRequest { local_gateway_ip: Some("10.0.0.300".into()), ..Default::default() },
        ModifyVirtualBorderRouterRequest { peer_gateway_ip: Some("192.168.9.2".into()), ..Default::default() },
    ] {
        assert_eq!(code_of(modify(bad.clone()).await), malformed, "{bad:?}");
    }
    modify(ModifyVirtualBorderRouterRequest {
        vlan_id: Some(2000),
        local_gateway_ip: Some("10.10.10.1".into()),
        peer_gateway_ip: Some("10.10.10.2".into()),
        peering_subnet_mask: Some("255.255.255.248".into()),
        name: Some("line-a".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let state = sim.sim.state.lock();
    let v = &state.vbrs[vbr];
    assert_eq!((v.vlan_id, v.local_gateway_ip.as_str(), v.peer_gateway_ip.as_str(), v.name.as_str()), (2000, "10.10.10.1", "10.10.10.2", "line-a"));
}

#[tokio::test]
async fn router_interfaces_pair_connect_deactivate_and_activate() {
    let sim = sim(STEP.as_millis() as u64);
    let c = client(&sim, SignatureVersion::V1);
    let vbr = seeded_vbrs(&sim, 1).await.remove(0);
    let vpc = new_vpc(&c, "172.16.0.0/12").await;
    let vrouter = sim.sim.state.lock().vpcs[&vpc.vpc_id].vrouter_id.clone();
    let make = |router_type: &str, router: &str, role: &str, spec: &str| CreateRouterInterfaceRequest {
        role: role.into(),
        router_type: router_type.into(),
        router_id: router.into(),
        spec: spec.into(),
        opposite_region_id: REGION.into(),
        ..Default::default()
    };
    let initiating = c.create_router_interface(REGION, &make("VBR", &vbr, "InitiatingSide", "Large.2")).await.unwrap().router_interface_id;
    let accepting = c.create_router_interface(REGION, &make("VRouter", &vrouter, "AcceptingSide", "Negative")).await.unwrap().router_interface_id;

    assert_eq!(code_of(c.connect_router_interface(REGION, &initiating).await), ("IncorrectOppositeInterfaceInfo.NotSet".into(), 400));
    let pair = |id: &str, opposite: &str, router: &str, router_type: &str| ModifyRouterInterfaceRequest {
        router_interface_id: id.into(),
        opposite_interface_id: Some(opposite.into()),
        opposite_router_id: Some(router.into()),
        opposite_router_type: Some(router_type.into()),
        name: None,
    };
    c.modify_router_interface(REGION, &pair(&initiating, &accepting, &vrouter, "VRouter")).await.unwrap();
    assert_eq!(code_of(c.connect_router_interface(REGION, &initiating).await), ("IncorrectOppositeInterfaceInfo.NotSet".into(), 400), "the other end must name it back");
    c.modify_router_interface(REGION, &pair(&accepting, &initiating, &vbr, "VBR")).await.unwrap();
    assert_eq!(code_of(c.connect_router_interface(REGION, &accepting).await), ("IncorrectRole.NotInitiatingSide".into(), 400));
    assert_eq!(code_of(c.activate_router_interface(REGION, &initiating).await), ("IncorrectRIStatus".into(), 400), "an Idle interface is not activated");

    c.connect_router_interface(REGION, &initiating).await.unwrap();
    assert_eq!(status_of(&sim, &initiating), ("Connecting", "AcceptingConnecting"));
    assert_eq!(code_of(c.connect_router_interface(REGION, &initiating).await), ("IncorrectRIStatus".into(), 400));
    sim.sim.clock.advance(STEP);
    let listed = c.describe_router_interfaces(REGION, &[initiating.clone(), accepting.clone()], 1, 10).await.unwrap().router_interface_set;
    assert!(listed.iter().all(|r| r.status == "Active" && !r.connected_time.is_empty()), "{listed:?}");

    // Connected: the opposite end is fixed, the interfaces cannot be deleted.
    assert_eq!(code_of(c.modify_router_interface(REGION, &pair(&accepting, &initiating, &vbr, "VBR")).await), ("IncorrectRIStatus".into(), 400));
    assert_eq!(code_of(c.delete_router_interface(REGION, &accepting).await), ("IncorrectStatus".into(), 400));
    assert_eq!(code_of(c.activate_router_interface(REGION, &accepting).await), ("IncorrectRIStatus".into(), 400));
    // Routes through the link: the VPC's table takes its own end only; the VBR's its own.
    let (vpc_table, vbr_table) = {
        let state = sim.sim.state.lock();
        (state.vpcs[&vpc.vpc_id].route_table_id.clone(), state.vbrs[&vbr].route_table_id.clone())
    };
    assert_eq!(code_of(route(&c, &vpc_table, "192.168.10.0/24", "RouterInterface", &initiating).await), ("InvalidNextHopId.NotFound".into(), 404));
    assert_eq!(code_of(route(&c, &vbr_table, "172.16.0.0/12", "Instance", &initiating).await), ("InvalidNextHopType.NotSupported".into(), 400));
    assert_eq!(code_of(route(&c, &vbr_table, "172.16.0.0/12", "RouterInterface", &accepting).await), ("InvalidNextHopId.NotFound".into(), 404));
    route(&c, &vpc_table, "192.168.10.0/24", "RouterInterface", &accepting).await.unwrap();
    let to_vpc = route(&c, &vbr_table, "172.16.0.0/12", "RouterInterface", &initiating).await.unwrap();
    assert_eq!(code_of(route(&c, &vbr_table, "172.16.0.0/12", "RouterInterface", &initiating).await), ("InvalidCIDRBlock.Duplicate".into(), 400));
    let tables = c.describe_route_tables(REGION, None, Some(&vbr_table), 1, 10).await.unwrap().route_tables;
    assert_eq!((tables.len(), tables[0].route_entrys.len(), tables[0].route_entrys[0].instance_id.as_str()), (1, 1, initiating.as_str()));

    // Deactivating either end takes the link down; activating brings it back.
    c.deactivate_router_interface(REGION, &accepting).await.unwrap();
    assert_eq!(status_of(&sim, &accepting), ("Deactivating", "Deactivating"));
    assert_eq!(code_of(c.deactivate_router_interface(REGION, &initiating).await), ("IncorrectRIStatus".into(), 400));
    sim.sim.clock.advance(STEP);
    c.describe_router_interfaces_all(REGION).await.unwrap();
    assert_eq!(status_of(&sim, &initiating), ("Inactive", "Inactive"));
    c.activate_router_interface(REGION, &initiating).await.unwrap();
    assert_eq!(status_of(&sim, &initiating), ("Activating", "Activating"));
    sim.sim.clock.advance(STEP);
    c.describe_router_interfaces_all(REGION).await.unwrap();
    assert_eq!(status_of(&sim, &initiating), ("Active", "Active"));

    // Tear down: routes, then the link, then the interfaces.
    c.deactivate_router_interface(REGION, &initiating).await.unwrap();
    sim.sim.clock.advance(STEP);
    assert_eq!(code_of(c.delete_router_interface(REGION, &initiating).await), ("RouterInterfaceReferredByRouteEntry".into(), 400));
    c.delete_route_entry(REGION, &RouteEntrySelector::Id(to_vpc)).await.unwrap();
    c.delete_router_interface(REGION, &initiating).await.unwrap();
    assert!(!sim.sim.state.lock().router_interfaces.contains_key(&initiating));
}
