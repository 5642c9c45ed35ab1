//! Express Connect end to end: the node, pointed at the in-process Alibaba Cloud
//! simulator, adds and syncs access points, terminates/recovers/updates border routers,
//! connects and (de)activates router interfaces, and connects a local L3 network to a
//! VPC over a border router (router interfaces, routes, the L3's host route, the
//! connection record) — with the simulator's state checked at each step, bad input and
//! refused transitions asserted with the errors they give, the connection flow
//! failed at every step in turn leaving nothing behind, remotely or locally, and a
//! connection flow stopped half-way by a node that "dies" undone by the next one.

mod common;

use common::hybrid::{data_center, details, node, sim, REGION};
use common::{uuid_of, Node};
use serde_json::{json, Value};
use zstack_aliyun_sim::faults::{FaultKind, FaultRule};
use zstack_aliyun_sim::SimServer;

const VPC_CIDR: &str = "172.16.0.0/12";
const L3_CIDR: &str = "192.168.10.0/24";
const CPE_IP: &str = "192.168.10.254";

/// `count` border routers seeded in the simulator, synced into the node (local records).
async fn border_routers(n: &Node, sim: &SimServer, dc: &str, count: usize) -> Vec<Value> {
    let seeded = zstack_aliyun_sim::seed::SeedRequest { region: REGION.into(), vbrs: count, ..Default::default() };
    zstack_aliyun_sim::seed::seed(&mut sim.sim.state.lock(), &seeded, sim.sim.clock.now()).unwrap();
    let vbrs = n.ok("PUT", &format!("/v1/hybrid/aliyun/border-router/{dc}/sync"), json!({"syncVirtualBorderRouterFromRemote": {}})).await;
    let mut vbrs = vbrs["inventories"].as_array().unwrap().clone();
    vbrs.sort_by_key(|v| v["name"].as_str().unwrap().to_string());
    vbrs
}

/// A VPC made through the node, with its vRouter synced: (VPC record, vRouter record).
async fn vpc_with_router(n: &Node, dc: &str) -> (Value, Value) {
    let vpc = n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": VPC_CIDR, "name": "cloud", "vRouterName": "vr"})).await;
    let routers = n.ok("PUT", &format!("/v1/hybrid/aliyun/vrouter/{}/sync", uuid_of(&vpc)), json!({"syncAliyunVirtualRouterFromRemote": {}})).await;
    (vpc, routers["inventories"][0].clone())
}

/// A local L3 network with one IP range in L3_CIDR.
async fn local_l3(n: &Node) -> String {
    let zone = uuid_of(&n.create("/v1/zones", json!({"name": "zone1"})).await);
    let l2 = uuid_of(&n.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": "eth0"})).await);
    let l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "office", "l2NetworkUuid": l2})).await);
    n.create(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": "192.168.10.10", "endIp": "192.168.10.200",
        "netmask": "255.255.255.0", "gateway": "192.168.10.1"})).await;
    l3
}

fn fault(action: &str, code: &str) -> FaultRule {
    FaultRule { action: action.into(), kind: FaultKind::Fail, count: Some(1), rate: None, delay_ms: None, code: Some(code.into()), status: Some(400), fired: 0 }
}

/// Let the first `passes` calls of `action` through (a zero-delay timeout runs the action
/// and answers at once), then fail the next one with `code`.
fn fail_after(sim: &SimServer, action: &str, passes: u32, code: &str) {
    let mut faults = sim.sim.faults.lock();
    if passes > 0 {
        faults.add(FaultRule { kind: FaultKind::Timeout, count: Some(passes), delay_ms: Some(0), code: None, ..fault(action, code) }).unwrap();
    }
    faults.add(fault(action, code)).unwrap();
}

fn sim_interface(sim: &SimServer, id: &str) -> (String, String, String) {
    let state = sim.sim.state.lock();
    let r = &state.router_interfaces[id];
    (r.status.as_str().to_string(), r.opposite_interface_id.clone(), r.role.clone())
}

#[actix_web::test]
async fn access_points_are_added_synced_and_forgotten() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;

    // ZStack's path puts the DataCenter right after "access-point".
    let remote = n.ok("GET", &format!("/v1/hybrid/aliyun/access-point{dc}/remote"), Value::Null).await;
    let ids: Vec<&str> = remote["inventories"].as_array().unwrap().iter().map(|a| a["accessPointId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["ap-cn-hangzhou-xs-A", "ap-cn-hangzhou-yh-C"]);
    assert!(n.query("/v1/hybrid/aliyun/access-point").await.is_empty(), "listing records nothing");

    let added = n.create("/v1/hybrid/aliyun/access-point", json!({"dataCenterUuid": dc, "accessPointId": "ap-cn-hangzhou-xs-A"})).await;
    assert_eq!(
        (added["name"].as_str(), added["status"].as_str(), added["hostOperator"].as_str(), added["type"].as_str(), added["dataCenterUuid"].as_str()),
        (Some("Xiaoshan-A"), Some("recommended"), Some("China Telecom"), Some("VPC"), Some(dc.as_str()))
    );
    for (id, expect) in [("ap-cn-hangzhou-xs-A", "already added"), ("ap-cn-hangzhou-nowhere", "has no access point")] {
        let e = n.fails("POST", "/v1/hybrid/aliyun/access-point", Some(json!({"params": {"dataCenterUuid": dc, "accessPointId": id}}))).await;
        assert_eq!(e["code"], "SYS.1007", "{e}");
        assert!(details(&e).contains(expect), "{expect}: {e}");
    }
    let e = n.fails("POST", "/v1/hybrid/aliyun/access-point", Some(json!({"params": {"dataCenterUuid": dc}}))).await;
    assert!(details(&e).contains("accessPointId"), "{e}");

    // Sync follows the region: a status change is recorded, an unchanged sync writes nothing,
    // an access point the region dropped is removed; the region's others are not added.
    sim.sim.state.lock().access_points.get_mut("ap-cn-hangzhou-xs-A").unwrap().status = "hot".into();
    let synced = n.ok("PUT", &format!("/v1/hybrid/aliyun/access-point/{dc}/sync"), json!({"syncConnectionAccessPointFromRemote": {}})).await;
    let synced = synced["inventories"].as_array().unwrap().clone();
    assert_eq!((synced.len(), synced[0]["status"].as_str(), uuid_of(&synced[0])), (1, Some("hot"), uuid_of(&added)));
    let again = n.ok("PUT", &format!("/v1/hybrid/aliyun/access-point/{dc}/sync"), json!({"syncConnectionAccessPointFromRemote": {"accessPointId": "ap-cn-hangzhou-xs-A"}})).await;
    assert_eq!(again["inventories"][0]["lastOpDate"], synced[0]["lastOpDate"], "an unchanged sync leaves the record alone");
    sim.sim.state.lock().access_points.remove("ap-cn-hangzhou-xs-A");
    n.ok("PUT", &format!("/v1/hybrid/aliyun/access-point/{dc}/sync"), json!({"syncConnectionAccessPointFromRemote": {}})).await;
    assert!(n.query("/v1/hybrid/aliyun/access-point").await.is_empty());

    // Local deletion forgets one; the DataCenter's local deletion takes the rest.
    let other = n.create("/v1/hybrid/aliyun/access-point", json!({"dataCenterUuid": dc, "accessPointId": "ap-cn-hangzhou-yh-C"})).await;
    assert_eq!(n.query("/v1/hybrid/aliyun/access-point?q=hostOperator=China Unicom").await.len(), 1);
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/access-point/{}", uuid_of(&other)), Value::Null).await;
    assert!(n.query("/v1/hybrid/aliyun/access-point").await.is_empty());
    assert!(sim.sim.state.lock().access_points.contains_key("ap-cn-hangzhou-yh-C"), "Alibaba Cloud is not touched");
    n.create("/v1/hybrid/aliyun/access-point", json!({"dataCenterUuid": dc, "accessPointId": "ap-cn-hangzhou-yh-C"})).await;
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{dc}"), Value::Null).await;
    assert!(n.query("/v1/hybrid/aliyun/access-point").await.is_empty());
}

#[actix_web::test]
async fn border_routers_terminate_recover_and_update_by_alibabas_rules() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let vbrs = border_routers(&n, &sim, &dc, 2).await;
    let (vbr, vbr_id) = (uuid_of(&vbrs[0]), vbrs[0]["vbrId"].as_str().unwrap().to_string());
    assert!(vbrs[0]["vlanInterfaceId"].as_str().is_some_and(|v| v.starts_with("ri-")), "{}", vbrs[0]);
    let actions = format!("/v1/hybrid/aliyun/border-router/{vbr}/actions");
    let record = format!("/v1/hybrid/aliyun/border-router?q=uuid={vbr}");
    let sim_status = |sim: &SimServer| sim.sim.state.lock().vbrs[&vbr_id].status.as_str();

    // Recover needs a terminated router, terminate an active one: Alibaba's refusal, record unchanged.
    let e = n.fails("PUT", &actions, Some(json!({"recoveryVirtualBorderRouterRemote": {}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidOperation.OperationNotAllowedInState", "{e}");
    assert_eq!(n.query(&record).await[0]["status"], "active");
    n.ok("PUT", &actions, json!({"terminateVirtualBorderRouterRemote": {}})).await;
    assert_eq!((sim_status(&sim), n.query(&record).await[0]["status"].as_str()), ("terminated", Some("terminated")));
    let e = n.fails("PUT", &actions, Some(json!({"terminateVirtualBorderRouterRemote": {}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidOperation.OperationNotAllowedInState", "{e}");
    n.ok("PUT", &actions, json!({"recoveryVirtualBorderRouterRemote": {}})).await;
    assert_eq!((sim_status(&sim), n.query(&record).await[0]["status"].as_str()), ("active", Some("active")));

    // Update: our checks, then Alibaba's.
    let update = |fields: Value| Some(json!({"updateVirtualBorderRouterRemote": fields}));
    for (fields, expect) in [
        (json!({"localGatewayIp": "10.0.0.300"}), "localGatewayIp[10.0.0.300] is not an IPv4 address"),
        (json!({"peerGatewayIp": "peer"}), "peerGatewayIp[peer] is not an IPv4 address"),
        (json!({"peeringSubnetMask": "255.0.255.0"}), "peeringSubnetMask[255.0.255.0] is not a subnet mask"),
        (json!({"vlanId": "ten"}), "vlanId[ten] is not a number"),
    ] {
        let e = n.fails("PUT", &actions, update(fields)).await;
        assert_eq!(e["code"], "SYS.1007", "{e}");
        assert!(details(&e).contains(expect), "{expect}: {e}");
    }
    let e = n.fails("PUT", &actions, update(json!({"vlanId": "3000"}))).await;
    assert_eq!(e["cause"]["code"], "InvalidVlanId.Malformed", "{e}");
    {
        let mut state = sim.sim.state.lock();
        let line = state.vbrs[&vbr_id].physical_connection_id.clone();
        let second = vbrs[1]["vbrId"].as_str().unwrap();
        state.vbrs.get_mut(second).unwrap().physical_connection_id = line;
    }
    let e = n.fails("PUT", &actions, update(json!({"vlanId": "101"}))).await;
    assert_eq!(e["cause"]["code"], "InvalidVlanId.Used", "{e}");
    let e = n.fails("PUT", &actions, update(json!({"peerGatewayIp": "10.99.0.2"}))).await;
    assert_eq!(e["cause"]["code"], "InvalidIp.Malformed", "the peer is not in the local address's subnet: {e}");
    assert_eq!(n.query(&record).await[0]["vlanId"], 100, "refused updates change nothing");
    let updated = n
        .ok("PUT", &actions, json!({"updateVirtualBorderRouterRemote": {"vlanId": "2000", "localGatewayIp": "10.10.10.1", "peerGatewayIp": "10.10.10.2",
            "peeringSubnetMask": "255.255.255.248", "name": "line-a", "description": "to the office"}}))
        .await["inventory"]
        .clone();
    assert_eq!(
        (updated["vlanId"].as_i64(), updated["peerGatewayIp"].as_str(), updated["name"].as_str(), updated["description"].as_str()),
        (Some(2000), Some("10.10.10.2"), Some("line-a"), Some("to the office"))
    );
    let state = sim.sim.state.lock();
    let v = &state.vbrs[&vbr_id];
    assert_eq!((v.vlan_id, v.peering_subnet_mask.as_str(), v.name.as_str()), (2000, "255.255.255.248", "line-a"));
}

#[actix_web::test]
async fn router_interfaces_connect_deactivate_and_activate() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let vbr = uuid_of(&border_routers(&n, &sim, &dc, 1).await[0]);
    let (_, vrouter) = vpc_with_router(&n, &dc).await;
    let interface = |router: &str, router_type: &str, name: &str| {
        json!({"dataCenterUuid": dc, "vRouterUuid": router, "routerType": router_type, "name": name})
    };
    let vbr_side = n.create("/v1/hybrid/aliyun/router-interface", interface(&vbr, "vbr", "line")).await;
    let vr_side = n.create("/v1/hybrid/aliyun/router-interface", interface(&uuid_of(&vrouter), "vrouter", "cloud")).await;
    let (vbr_ri, vr_ri) = (uuid_of(&vbr_side), uuid_of(&vr_side));
    let (vbr_id, vr_id) = (vbr_side["routerInterfaceId"].as_str().unwrap().to_string(), vr_side["routerInterfaceId"].as_str().unwrap().to_string());
    let start = |vbr_end: &str, vrouter_end: &str| {
        (format!("/v1/hybrid/aliyun/router-interface/{vbr_end}/actions"), json!({"startConnectionBetweenAliyunRouterInterface": {"vrouterInterfaceUuid": vrouter_end}}))
    };
    let update = |uuid: &str, op: &str, router_type: &str| {
        (format!("/v1/hybrid/aliyun/router-interface/{uuid}/actions"), json!({"updateAliyunRouteInterfaceRemote": {"op": op, "vRouterType": router_type}}))
    };

    // The ends swapped, and an unknown interface.
    let (path, body) = start(&vr_ri, &vbr_ri);
    let e = n.fails("PUT", &path, Some(body)).await;
    assert!(details(&e).contains("is not on a vRouter"), "{e}");
    let (path, body) = start(&vbr_ri, &zstack::api::new_uuid());
    let e = n.fails("PUT", &path, Some(body)).await;
    assert!(e.to_string().contains("AliyunRouterInterfaceVO"), "{e}");
    // An Idle interface cannot be activated (Alibaba's rule); wrong op or router type is ours.
    let (path, body) = update(&vbr_ri, "active", "vbr");
    let e = n.fails("PUT", &path, Some(body)).await;
    assert_eq!(e["cause"]["code"], "IncorrectRIStatus", "{e}");
    for ((path, body), expect) in [(update(&vbr_ri, "paused", "vbr"), "op[paused]"), (update(&vbr_ri, "inactive", "vrouter"), "belongs to a VBR")] {
        let e = n.fails("PUT", &path, Some(body)).await;
        assert!(details(&e).contains(expect), "{expect}: {e}");
    }

    let (path, body) = start(&vbr_ri, &vr_ri);
    let connected = n.ok("PUT", &path, body.clone()).await["inventory"].clone();
    assert_eq!((connected["status"].as_str(), connected["oppositeInterfaceId"].as_str()), (Some("Active"), Some(vr_id.as_str())));
    assert_eq!(sim_interface(&sim, &vbr_id), ("Active".into(), vr_id.clone(), "InitiatingSide".into()));
    assert_eq!(sim_interface(&sim, &vr_id), ("Active".into(), vbr_id.clone(), "AcceptingSide".into()));
    let local_vr = n.query(&format!("/v1/hybrid/aliyun/router-interface?q=uuid={vr_ri}")).await[0].clone();
    assert_eq!((local_vr["status"].as_str(), local_vr["oppositeInterfaceId"].as_str()), (Some("Active"), Some(vbr_id.as_str())));
    let e = n.fails("PUT", &path, Some(body)).await;
    assert!(details(&e).contains("status is not idle, it is Active"), "{e}");

    // Down from the vRouter's end, up from the border router's: both ends and records follow.
    let (path, body) = update(&vr_ri, "inactive", "vrouter");
    n.ok("PUT", &path, body).await;
    assert_eq!((sim_interface(&sim, &vbr_id).0, sim_interface(&sim, &vr_id).0), ("Inactive".into(), "Inactive".into()));
    let statuses: Vec<String> = n.query("/v1/hybrid/aliyun/router-interface").await.iter().map(|r| r["status"].as_str().unwrap().to_string()).collect();
    assert_eq!(statuses, vec!["Inactive", "Inactive"]);
    let (path, body) = update(&vbr_ri, "active", "vbr");
    n.ok("PUT", &path, body).await;
    assert_eq!((sim_interface(&sim, &vbr_id).0, sim_interface(&sim, &vr_id).0), ("Active".into(), "Active".into()));
    assert_eq!(n.query("/v1/hybrid/aliyun/router-interface?q=status=Active").await.len(), 2);
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/router-interface/remote/{vbr_ri}?vRouterType=vbr"), None).await;
    assert_eq!(e["cause"]["code"], "IncorrectStatus", "an Active interface is not deleted: {e}");
}

/// Everything a connection of the test world makes, counted: (sim interfaces, sim routes,
/// local interface records, local route records, host routes, connection records).
async fn made(n: &Node, sim: &SimServer, l3: &str) -> (usize, usize, usize, usize, usize, usize) {
    let (interfaces, routes) = {
        let state = sim.sim.state.lock();
        (state.router_interfaces.len(), state.route_entries.len())
    };
    let host_routes = n.app.store.inv_find(&zstack::tables::L3_HOST_ROUTE, "l3NetworkUuid", l3).await.unwrap().len();
    (
        interfaces,
        routes,
        n.query("/v1/hybrid/aliyun/router-interface").await.len(),
        n.query("/v1/hybrid/aliyun/route-entry").await.len(),
        host_routes,
        n.query("/v1/hybrid/aliyun/relationships").await.len(),
    )
}

#[actix_web::test]
async fn an_l3_network_is_connected_to_a_vpc_and_every_failing_step_is_rolled_back() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let vbr_record = border_routers(&n, &sim, &dc, 1).await.remove(0);
    let vbr = uuid_of(&vbr_record);
    let (vpc, vrouter) = vpc_with_router(&n, &dc).await;
    let l3 = local_l3(&n).await;
    let params = |over: Value| {
        let mut p = json!({"l3networkUuid": l3, "vpcUuid": uuid_of(&vpc), "vbrUuid": vbr, "cpeIp": CPE_IP, "name": "office-cloud", "direction": "both"});
        p.as_object_mut().unwrap().extend(over.as_object().unwrap().clone());
        Some(json!({"params": p}))
    };
    let nothing = made(&n, &sim, &l3).await;
    assert_eq!(nothing, (2, 0, 0, 0, 0, 0), "only the seeded interface pair");

    // Bad input, refused before anything is made.
    let empty_l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "bare", "l2NetworkUuid": n.query(&format!("/v1/l3-networks?q=uuid={l3}")).await[0]["l2NetworkUuid"]})).await);
    let missing = zstack::api::new_uuid();
    for (over, expect) in [
        (json!({"direction": "sideways"}), "direction[sideways] must be in, out or both".to_string()),
        (json!({"cpeIp": "cpe"}), "CpeIp must be ipv4 address, but now is cpe".to_string()),
        (json!({"cpeIp": "10.0.0.1"}), "cpeIp[10.0.0.1] is not in the CIDR of l3 network".to_string()),
        (json!({"l3networkUuid": missing}), format!("no such l3network found for: {missing}")),
        (json!({"vpcUuid": missing}), format!("no such vpc found for: {missing}")),
        (json!({"vbrUuid": missing}), format!("no such vbr found for: {missing}")),
        (json!({"l3networkUuid": empty_l3}), format!("No Such Cidr found for l3network: {empty_l3}")),
    ] {
        let e = n.fails("POST", "/v1/hybrid/aliyun/connections", params(over)).await;
        assert!(details(&e).contains(&expect), "{expect}: {e}");
    }
    assert_eq!(made(&n, &sim, &l3).await, nothing);

    // Every step fails in turn; what the steps before it made is undone, Alibaba Cloud included.
    let steps = zstack::hybrid::connection_flow::create_connection_steps();
    assert_eq!(steps.len(), 8, "{steps:?}");
    for step in &steps {
        let expect = match *step {
            "create-vbr-interface" => { fail_after(&sim, "CreateRouterInterface", 0, "QuotaExceeded.RouterInterface"); "QuotaExceeded.RouterInterface" }
            "create-vrouter-interface" => { fail_after(&sim, "CreateRouterInterface", 1, "InvalidSpec.ValueNotSupported"); "InvalidSpec.ValueNotSupported" }
            "connect-interfaces" => { fail_after(&sim, "ConnectRouterInterface", 0, "IncorrectOppositeInterfaceInfo.NotSet"); "IncorrectOppositeInterfaceInfo.NotSet" }
            "route-vbr-to-vpc" => { fail_after(&sim, "CreateRouteEntry", 0, "IncorrectVbrStatus"); "IncorrectVbrStatus" }
            "route-vbr-to-l3" => { fail_after(&sim, "CreateRouteEntry", 1, "InvalidCIDRBlock.Duplicate"); "InvalidCIDRBlock.Duplicate" }
            "route-vrouter-to-l3" => { fail_after(&sim, "CreateRouteEntry", 2, "InvalidNextHopId.NotFound"); "InvalidNextHopId.NotFound" }
            "host-route-to-vpc" => {
                // The L3 already routes the VPC's CIDR elsewhere.
                n.create(&format!("/v1/l3-networks/{l3}/hostroute"), json!({"prefix": VPC_CIDR, "nexthop": "192.168.10.2"})).await;
                "already has a route to 172.16.0.0/12"
            }
            "record-connection" => { n.app.faults.fail_step(zstack::hybrid::connection_flow::CREATE_CONNECTION, step); "injected failure" }
            other => panic!("a step the test does not know: {other}"),
        };
        let e = n.fails("POST", "/v1/hybrid/aliyun/connections", params(json!({}))).await;
        sim.sim.faults.lock().clear();
        n.app.faults.clear();
        assert!(e.to_string().contains(expect), "failing {step}: expected {expect} in {e}");
        if *step == "host-route-to-vpc" {
            n.ok("DELETE", &format!("/v1/l3-networks/{l3}/hostroute?prefix={VPC_CIDR}"), Value::Null).await;
        }
        assert_eq!(made(&n, &sim, &l3).await, nothing, "failing {step} left something behind");
    }

    // The whole connection.
    let connection = n.create("/v1/hybrid/aliyun/connections", json!({"l3networkUuid": l3, "vpcUuid": uuid_of(&vpc), "vbrUuid": vbr, "cpeIp": CPE_IP,
        "name": "office-cloud", "description": "leased line", "direction": "both"})).await;
    assert_eq!(
        (connection["name"].as_str(), connection["l3NetworkUuid"].as_str(), connection["vbrUuid"].as_str(), connection["cpeIp"].as_str(), connection["direction"].as_str()),
        (Some("office-cloud"), Some(l3.as_str()), Some(vbr.as_str()), Some(CPE_IP), Some("both"))
    );
    let relationships: Value = serde_json::from_str(connection["relationShips"].as_str().unwrap()).unwrap();
    let interface_ids: Vec<String> = relationships["routerInterfaces"].as_array().unwrap().iter().map(|i| i["routerInterfaceId"].as_str().unwrap().to_string()).collect();
    assert_eq!(interface_ids.len(), 2);
    let (vbr_ri, vr_ri) = (&interface_ids[0], &interface_ids[1]);
    assert_eq!(sim_interface(&sim, vbr_ri), ("Active".into(), vr_ri.clone(), "InitiatingSide".into()));
    assert_eq!(sim_interface(&sim, vr_ri), ("Active".into(), vbr_ri.clone(), "AcceptingSide".into()));
    {
        let state = sim.sim.state.lock();
        let vbr_id = vbr_record["vbrId"].as_str().unwrap();
        let (vbr_table, vlan) = (state.vbrs[vbr_id].route_table_id.clone(), state.vbrs[vbr_id].vlan_interface_id.clone());
        let vpc_table = state.vpcs[vpc["ecsVpcId"].as_str().unwrap()].route_table_id.clone();
        let mut routes: Vec<(String, String, String)> =
            state.route_entries.values().map(|e| (e.route_table_id.clone(), e.destination.to_string(), e.next_hop_id.clone())).collect();
        routes.sort();
        let mut expected = vec![
            (vbr_table.clone(), VPC_CIDR.to_string(), vbr_ri.clone()),
            (vbr_table, L3_CIDR.to_string(), vlan),
            (vpc_table, L3_CIDR.to_string(), vr_ri.clone()),
        ];
        expected.sort();
        assert_eq!(routes, expected);
    }
    let host_routes = n.app.store.inv_find(&zstack::tables::L3_HOST_ROUTE, "l3NetworkUuid", &l3).await.unwrap();
    assert_eq!((host_routes[0]["prefix"].as_str(), host_routes[0]["nexthop"].as_str()), (Some(VPC_CIDR), Some(CPE_IP)));
    assert_eq!(made(&n, &sim, &l3).await, (4, 3, 2, 3, 1, 1));
    let routes_on_vrouter = n.query(&format!("/v1/hybrid/aliyun/route-entry?q=vRouterUuid={}", uuid_of(&vrouter))).await;
    assert_eq!(routes_on_vrouter[0]["nextHopUuid"], relationships["routerInterfaces"][1]["uuid"], "linked to the local interface record");

    // Once per L3 and VPC.
    let e = n.fails("POST", "/v1/hybrid/aliyun/connections", params(json!({}))).await;
    assert!(details(&e).contains("already connected"), "{e}");

    // Get by each end; query; update.
    let get = |uuid: &str, kind: &str| Some(json!({"params": {"uuid": uuid, "resourceType": kind}}));
    for (uuid, kind) in [(l3.clone(), "l3network"), (uuid_of(&vpc), "vpc"), (vbr.clone(), "vbr")] {
        let (status, found) = n.call("POST", "/v1/hybrid/aliyun/relationships", get(&uuid, kind)).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["inventories"].as_array().unwrap().iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&connection)], "{kind}");
    }
    let e = n.fails("POST", "/v1/hybrid/aliyun/relationships", get(&missing, "vroutervm")).await;
    assert!(details(&e).contains(&format!("no such vm found for: {missing}")), "{e}");
    let e = n.fails("POST", "/v1/hybrid/aliyun/relationships", get(&l3, "switch")).await;
    assert!(e.to_string().contains("switch"), "{e}");
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/relationships?q=vpcUuid={}", uuid_of(&vpc))).await.len(), 1);
    let renamed = n.ok("PUT", &format!("/v1/hybrid/aliyun/connections/{}", uuid_of(&connection)),
        json!({"updateConnectionBetweenL3NetWorkAndAliyunVSwitch": {"name": "office-cloud-2", "description": "line b"}})).await;
    assert_eq!((renamed["inventory"]["name"].as_str(), renamed["inventory"]["description"].as_str()), (Some("office-cloud-2"), Some("line b")));

    // Delete: a remote refusal stops it with the record kept; the retry finishes.
    fail_after(&sim, "DeleteRouterInterface", 0, "RouterInterfaceReferredByRouteEntry");
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/connections/{}", uuid_of(&connection)), None).await;
    assert_eq!(e["cause"]["code"], "RouterInterfaceReferredByRouteEntry", "{e}");
    assert_eq!(n.query("/v1/hybrid/aliyun/relationships").await.len(), 1, "the record stays until Alibaba Cloud confirms");
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/connections/{}", uuid_of(&connection)), Value::Null).await;
    assert_eq!(made(&n, &sim, &l3).await, nothing, "deletion removes what the create made");
}

/// Park the actor of one record (`$dir` names its directory in the node's hybrid dirs)
/// for good, once the node is done with what it was doing: what the flow asks of that
/// record next never runs, as if the node had died right there.
macro_rules! park {
    ($node:expr, $dir:ident, $uuid:expr) => {{
        let (app, uuid) = ($node.app.clone(), $uuid.to_string());
        let (parked, on_hold) = tokio::sync::oneshot::channel();
        actix_web::rt::spawn(async move {
            let hold = move |_| -> futures::future::LocalBoxFuture<'static, _> {
                Box::pin(async move {
                    let _ = parked.send(());
                    std::future::pending::<()>().await;
                    Ok(())
                })
            };
            let _ = zstack::hybrid::on_actor(&app, &app.dirs().hybrid.$dir, &uuid, hold).await;
        });
        on_hold.await.expect("the actor takes the hold");
    }};
}

/// Hold back the simulator's next answer to `action` for `ms`.
fn hold(sim: &SimServer, action: &str, ms: u64) {
    sim.sim.faults.lock().add(FaultRule { kind: FaultKind::Timeout, delay_ms: Some(ms), code: None, status: None, ..fault(action, "") }).unwrap();
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let waited = std::time::Instant::now();
    while !done() {
        assert!(waited.elapsed() < std::time::Duration::from_secs(30), "the flow never got {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The node is stopped in the middle of connecting an L3 network to a VPC (its flow
/// parked for good on an actor it needs next, as if it had died there) and a new node
/// is started on the same data dir and database: the restart removes everything the
/// cut connection made, on Alibaba Cloud and locally, and ends its job failed.
#[actix_web::test]
async fn a_connection_cut_half_way_is_undone_at_the_restart() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("zstack-connection-cut-{}", uuid::Uuid::new_v4().simple()));
    let db = common::TestDb::new();
    let mut n = common::hybrid::quick(Node::start_at(dir.clone(), db.url.clone()).await);
    let dc = data_center(&n, &sim).await;
    let vbr = uuid_of(&border_routers(&n, &sim, &dc, 1).await[0]);
    let (vpc, vrouter) = vpc_with_router(&n, &dc).await;
    let l3 = local_l3(&n).await;
    let params = json!({"params": {"l3networkUuid": l3, "vpcUuid": uuid_of(&vpc), "vbrUuid": vbr, "cpeIp": CPE_IP, "name": "office-cloud", "direction": "both"}});
    let nothing = made(&n, &sim, &l3).await;
    let routes = || sim.sim.state.lock().route_entries.len();
    for cut in ["after the interfaces are connected", "after the border router's routes", "after the host route"] {
        let (s, b) = n.raw("POST", "/v1/hybrid/aliyun/connections", Some(params.to_string()), true).await;
        assert_eq!(s, 202, "{b}");
        let location: Value = serde_json::from_str(&b).unwrap();
        let job = location["location"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
        match cut {
            "after the interfaces are connected" => {
                // While Alibaba is connecting the link, the vBR end's record is held: the
                // flow stops before it records the connected ends.
                hold(&sim, "ConnectRouterInterface", 1000);
                until("to ConnectRouterInterface", || sim.sim.faults.lock().rules().is_empty()).await;
                let vbr_end = n.query("/v1/hybrid/aliyun/router-interface?q=name=office-cloud-vbr").await;
                park!(n, router_interface, uuid_of(&vbr_end[0]));
                let connected = || sim.sim.state.lock().router_interfaces.values().filter(|r| r.name.starts_with("office-cloud") && r.status.as_str() == "Active").count() == 2;
                until("the link up", connected).await;
            }
            "after the border router's routes" => {
                // The vRouter's record is held: its route is made on Alibaba Cloud, not recorded.
                park!(n, vrouter, uuid_of(&vrouter));
                until("to the vRouter's route", || routes() == 3).await;
            }
            _ => {
                // While Alibaba is connecting the link, the DataCenter (under which the
                // connection is recorded) is held: the flow stops after the host route.
                hold(&sim, "ConnectRouterInterface", 1000);
                until("to ConnectRouterInterface", || sim.sim.faults.lock().rules().is_empty()).await;
                park!(n, data_center, dc);
                let host_routes = || n.app.store.inv_find(&zstack::tables::L3_HOST_ROUTE, "l3NetworkUuid", &l3);
                let waited = std::time::Instant::now();
                while host_routes().await.unwrap().is_empty() {
                    assert!(waited.elapsed() < std::time::Duration::from_secs(30), "the flow never made the host route");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            }
        }
        // The cut left the connection's parts behind.
        assert_ne!(made(&n, &sim, &l3).await, nothing, "{cut}");
        n = common::hybrid::quick(Node::start_at(dir.clone(), db.url.clone()).await);
        let (s, b) = common::hybrid::job_end(&n, &job).await;
        assert_eq!((s, b["error"]["code"].as_str()), (503, Some("SYS.1002")), "{cut}: {b}");
        let told = details(&b["error"]);
        assert!(told.contains("router interface ri-") && told.contains("was deleted"), "{cut}: the error names what was deleted: {b}");
        if cut == "after the host route" {
            assert!(told.contains(&format!("host route to {VPC_CIDR}")), "{cut}: {b}");
        }
        eprintln!("{cut}: {told}");
        assert_eq!(made(&n, &sim, &l3).await, nothing, "{cut}: the restart left something of the connection");
        let all = zstack_db::query::QueryOptions { limit: Some(1000), ..Default::default() };
        assert!(n.app.store.inv_query(&zstack::tables::HYBRID_PENDING_CREATE, &[], &all).await.unwrap().is_empty(), "{cut}: every note is settled");
    }
    // The L3 and the VPC are connected as if nothing had happened.
    n.create("/v1/hybrid/aliyun/connections", params["params"].clone()).await;
    assert_eq!(made(&n, &sim, &l3).await, (4, 3, 2, 3, 1, 1));
}
