//! Hybrid updates end to end: the node, pointed at the in-process Alibaba Cloud
//! simulator, renames and re-describes VPCs, vSwitches, security groups, vRouters,
//! images, EIPs, disks, VPN gateways, user gateways and IPsec connections, sets an
//! ECS instance's VNC password, deletes every ECS instance of a DataCenter, and
//! manages AccessKeys through the generic HybridKey APIs. Each change is checked in
//! the simulator's state and in the local inventory; each bad input is asserted with
//! the error it gets (ZStack's checks, or Alibaba's code as the cause) and leaves
//! both unchanged, as does a fault the simulator injects into a Modify action.

mod common;

use common::hybrid::{data_center, details, id, node, sim, state, REGION};
use common::{uuid_of, Node};
use serde_json::{json, Value};
use zstack_aliyun_sim::SimServer;

const ZONE: &str = "cn-hangzhou-h";
const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";
const NOBODY: &str = "0123456789abcdef0123456789abcdef";

/// What `f` reads from the simulator's state (the lock is held only while it reads).
fn looked<T>(sim: &SimServer, f: impl FnOnce(&zstack_aliyun_sim::state::SimState) -> T) -> T {
    f(&state(sim))
}

/// The next `action` fails with `code` (a 403, which the client does not retry).
fn refuse_next(sim: &SimServer, action: &str, code: &str) {
    sim.sim.faults.lock().add(serde_json::from_value(json!({"action": action, "kind": "fail", "code": code, "status": 403})).unwrap()).unwrap();
}

/// The one record `path` (a query with `q=uuid=`) finds.
async fn one(n: &Node, path: &str, uuid: &str) -> Value {
    let found = n.query(&format!("{path}?q=uuid={uuid}")).await;
    assert_eq!(found.len(), 1, "{path} {uuid}");
    found[0].clone()
}

/// `PUT path/{uuid}/actions` with `{key: params}`.
async fn put(n: &Node, path: &str, uuid: &str, key: &str, params: Value) -> (u16, Value) {
    n.call("PUT", &format!("{path}/{uuid}/actions"), Some(json!({ key: params }))).await
}

async fn updated(n: &Node, path: &str, uuid: &str, key: &str, params: Value) -> Value {
    let (status, v) = put(n, path, uuid, key, params).await;
    assert_eq!(status, 200, "{path} {uuid}: {v}");
    v["inventory"].clone()
}

async fn refused(n: &Node, path: &str, uuid: &str, key: &str, params: Value) -> Value {
    let (status, v) = put(n, path, uuid, key, params).await;
    assert_ne!(status, 200, "{path} {uuid} should fail: {v}");
    v["error"].clone()
}

struct Net {
    dc: String,
    vpc: Value,
    vswitch: Value,
    group: Value,
}

async fn net(n: &Node, sim: &SimServer) -> Net {
    let dc = data_center(n, sim).await;
    let zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);
    let vpc = n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "172.16.0.0/12", "name": "vpc1", "vRouterName": "vr1"})).await;
    let vswitch = n.create("/v1/hybrid/aliyun/vswitch", json!({"vpcUuid": uuid_of(&vpc), "identityZoneUuid": zone, "cidrBlock": "172.16.1.0/24", "name": "vsw1"})).await;
    let group = n.create("/v1/hybrid/aliyun/security-group/remote", json!({"vpcUuid": uuid_of(&vpc), "name": "sg1"})).await;
    Net { dc, vpc, vswitch, group }
}

const VPC: &str = "/v1/hybrid/aliyun/vpc";
const VSWITCH: &str = "/v1/hybrid/aliyun/vswitch";
const GROUP: &str = "/v1/hybrid/aliyun/security-group";
const VROUTER: &str = "/v1/hybrid/aliyun/vrouter";

#[actix_web::test]
async fn network_updates_reach_alibaba_first_and_what_is_refused_changes_nothing() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    let (vpc, vpc_id) = (uuid_of(&net.vpc), id(&net.vpc, "ecsVpcId"));
    zstack::hybrid::datacenter::sync_everything(&n.app, &net.dc).await.unwrap();

    // VPC: name and description on Alibaba Cloud and in the inventory (both name fields).
    let inv = updated(&n, VPC, &vpc, "updateEcsVpc", json!({"name": "vpc-renamed", "description": "the renamed VPC"})).await;
    assert_eq!((inv["name"].as_str(), inv["vpcName"].as_str(), inv["description"].as_str()), (Some("vpc-renamed"), Some("vpc-renamed"), Some("the renamed VPC")));
    assert_eq!(one(&n, VPC, &vpc).await["name"], "vpc-renamed");
    {
        let st = state(&sim);
        assert_eq!((st.vpcs[&vpc_id].name.as_str(), st.vpcs[&vpc_id].description.as_str()), ("vpc-renamed", "the renamed VPC"));
    }
    // Only the description: the name stays.
    let inv = updated(&n, VPC, &vpc, "updateEcsVpc", json!({"description": "described again"})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str()), (Some("vpc-renamed"), Some("described again")));
    assert_eq!(state(&sim).vpcs[&vpc_id].description, "described again");
    // Bad input: ZStack's checks refuse an empty or too long name before Alibaba is asked.
    let calls = n.app.hybrid.clients.stats().calls;
    let e = refused(&n, VPC, &vpc, "updateEcsVpc", json!({"name": ""})).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    assert!(details(&e).contains("field[name] cannot be an empty string"), "{e}");
    let e = refused(&n, VPC, &vpc, "updateEcsVpc", json!({"name": "v".repeat(65)})).await;
    assert!(details(&e).contains("exceeds max length of string. expected was <= 64, actual was 65"), "{e}");
    assert_eq!(n.app.hybrid.clients.stats().calls, calls, "refused before any call");
    // A name ZStack takes and Alibaba refuses: Alibaba's code is the cause.
    let e = refused(&n, VPC, &vpc, "updateEcsVpc", json!({"name": "http://vpc", "description": "never"})).await;
    assert_eq!(e["cause"]["code"], "InvalidVpcName.Malformed", "{e}");
    // An unknown uuid.
    let e = refused(&n, VPC, NOBODY, "updateEcsVpc", json!({"name": "x"})).await;
    assert!(e["code"] == "SYS.1007" && details(&e).contains("does not exist"), "{e}");
    // A fault on the Modify action.
    refuse_next(&sim, "ModifyVpcAttribute", "Forbidden.RAM");
    let e = refused(&n, VPC, &vpc, "updateEcsVpc", json!({"name": "vpc-faulted"})).await;
    assert_eq!(e["cause"]["code"], "Forbidden.RAM", "{e}");
    // None of these changed anything, here or there.
    let kept = one(&n, VPC, &vpc).await;
    assert_eq!((kept["name"].as_str(), kept["description"].as_str()), (Some("vpc-renamed"), Some("described again")));
    assert_eq!(looked(&sim, |st| (st.vpcs[&vpc_id].name.clone(), st.vpcs[&vpc_id].description.clone())), ("vpc-renamed".into(), "described again".into()));

    // VSwitch: ZStack's name pattern, Alibaba's description length.
    let (vsw, vsw_id) = (uuid_of(&net.vswitch), id(&net.vswitch, "vSwitchId"));
    let inv = updated(&n, VSWITCH, &vsw, "updateEcsVSwitch", json!({"name": "vsw-renamed", "description": "web tier"})).await;
    assert_eq!((inv["name"].as_str(), inv["vSwitchName"].as_str(), inv["description"].as_str()), (Some("vsw-renamed"), Some("vsw-renamed"), Some("web tier")));
    assert_eq!(state(&sim).vswitches[&vsw_id].name, "vsw-renamed");
    let e = refused(&n, VSWITCH, &vsw, "updateEcsVSwitch", json!({"name": "1vsw"})).await;
    assert!(details(&e).contains("valid regex value for field[name]"), "{e}");
    let e = refused(&n, VSWITCH, &vsw, "updateEcsVSwitch", json!({"name": "v"})).await;
    assert!(details(&e).contains("less than the min length of string. expected was >= 2, actual was 1"), "{e}");
    let e = refused(&n, VSWITCH, &vsw, "updateEcsVSwitch", json!({"description": "d".repeat(300)})).await;
    assert_eq!(e["cause"]["code"], "InvalidDescription.Malformed", "{e}");
    assert_eq!(one(&n, VSWITCH, &vsw).await["description"], "web tier");
    assert_eq!(state(&sim).vswitches[&vsw_id].description, "web tier");

    // Security group: ZStack only limits the length; Alibaba wants a letter first.
    let (group, group_id) = (uuid_of(&net.group), id(&net.group, "securityGroupId"));
    let inv = updated(&n, GROUP, &group, "updateEcsSecurityGroup", json!({"name": "sg-web", "description": "web servers"})).await;
    assert_eq!((inv["name"].as_str(), inv["securityGroupName"].as_str()), (Some("sg-web"), Some("sg-web")));
    assert_eq!(looked(&sim, |st| (st.security_groups[&group_id].name.clone(), st.security_groups[&group_id].description.clone())), ("sg-web".into(), "web servers".into()));
    let e = refused(&n, GROUP, &group, "updateEcsSecurityGroup", json!({"name": "1sg"})).await;
    assert_eq!(e["cause"]["code"], "InvalidSecurityGroupName.Malformed", "{e}");
    refuse_next(&sim, "ModifySecurityGroupAttribute", "OperationDenied");
    let e = refused(&n, GROUP, &group, "updateEcsSecurityGroup", json!({"description": "faulted"})).await;
    assert_eq!(e["cause"]["code"], "OperationDenied", "{e}");
    let kept = one(&n, GROUP, &group).await;
    assert_eq!((kept["name"].as_str(), kept["description"].as_str()), (Some("sg-web"), Some("web servers")));
    assert_eq!(state(&sim).security_groups[&group_id].description, "web servers");

    // vRouter: renamed on Alibaba Cloud, and a sync brings back what Alibaba has.
    let routers = n.ok("PUT", &format!("/v1/hybrid/aliyun/vrouter/{vpc}/sync"), json!({"syncAliyunVirtualRouterFromRemote": {}})).await;
    let router = uuid_of(&routers["inventories"][0]);
    let inv = updated(&n, VROUTER, &router, "updateAliyunVirtualRouter", json!({"name": "vr-core", "description": "core router"})).await;
    assert_eq!((inv["vRouterName"].as_str(), inv["description"].as_str()), (Some("vr-core"), Some("core router")));
    assert_eq!(looked(&sim, |st| (st.vpcs[&vpc_id].vrouter_name.clone(), st.vpcs[&vpc_id].vrouter_description.clone())), ("vr-core".into(), "core router".into()));
    let e = refused(&n, VROUTER, &router, "updateAliyunVirtualRouter", json!({"name": "vr core"})).await;
    assert!(details(&e).contains("valid regex value for field[name]"), "{e}");
    let synced = n.ok("PUT", &format!("/v1/hybrid/aliyun/vrouter/{vpc}/sync"), json!({"syncAliyunVirtualRouterFromRemote": {}})).await;
    assert_eq!(synced["inventories"][0]["vRouterName"], "vr-core");

    // Everything the updates wrote matches Alibaba: a full sync (the first ran before them) changes nothing.
    let again = zstack::hybrid::datacenter::sync_everything(&n.app, &net.dc).await.unwrap();
    assert_eq!(again.changes(), 0, "{again:?}");
}

const IMAGE: &str = "/v1/hybrid/aliyun/image";
const EIP: &str = "/v1/hybrid/eip";
const DISK: &str = "/v1/hybrid/aliyun/disk";

#[actix_web::test]
async fn image_eip_and_disk_updates_with_alibabas_rules() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);

    // Images: the account's own one changes; Alibaba's public ones are refused.
    {
        let mut st = state(&sim);
        let mut own = st.images[IMAGE_ID].clone();
        (own.id, own.name, own.region_id, own.owner_alias) = ("m-own-image".into(), "own-image".into(), Some(REGION.into()), "self".into());
        st.images.insert(own.id.clone(), own);
    }
    let own = n.ok("POST", &format!("/v1/hybrid/aliyun/image/{dc}/sync"), json!({"params": {"type": "self"}})).await["inventories"][0].clone();
    let own = uuid_of(&own);
    let inv = updated(&n, IMAGE, &own, "updateEcsImage", json!({"name": "golden-image", "description": "our golden image"})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str()), (Some("golden-image"), Some("our golden image")));
    assert_eq!(looked(&sim, |st| (st.images["m-own-image"].name.clone(), st.images["m-own-image"].description.clone())), ("golden-image".into(), "our golden image".into()));
    let e = refused(&n, IMAGE, &own, "updateEcsImage", json!({"name": "golden image"})).await;
    assert!(details(&e).contains("valid regex value for field[name]"), "{e}");
    let e = refused(&n, IMAGE, &own, "updateEcsImage", json!({"description": ""})).await;
    assert!(details(&e).contains("field[description] cannot be an empty string"), "{e}");
    let public = n.ok("POST", &format!("/v1/hybrid/aliyun/image/{dc}/sync"), json!({"params": {}})).await;
    let public = public["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).unwrap().clone();
    let e = refused(&n, IMAGE, &uuid_of(&public), "updateEcsImage", json!({"name": "mine-now"})).await;
    assert_eq!(e["cause"]["code"], "OperationDenied", "{e}");
    assert_eq!(one(&n, IMAGE, &uuid_of(&public)).await["name"], public["name"]);
    assert_eq!(state(&sim).images[IMAGE_ID].name, public["name"].as_str().unwrap());

    // EIP: name, description and bandwidth (Alibaba's range is 1..500 Mbit/s).
    let eip = n.create(EIP, json!({"name": "eip1", "bandWidthMb": 5, "type": "aliyun", "dataCenterUuid": dc, "chargeType": "PayByTraffic"})).await;
    let (eip, eip_id) = (uuid_of(&eip), id(&eip, "eipId"));
    let inv = updated(&n, EIP, &eip, "updateHybridEip", json!({"type": "aliyun", "name": "eip-web", "description": "web entry", "bandWidthMb": 20})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str(), inv["bandWidth"].as_i64()), (Some("eip-web"), Some("web entry"), Some(20)));
    {
        let st = state(&sim);
        assert_eq!((st.eips[&eip_id].name.as_str(), st.eips[&eip_id].description.as_str(), st.eips[&eip_id].bandwidth), ("eip-web", "web entry", 20));
    }
    let e = refused(&n, EIP, &eip, "updateHybridEip", json!({"type": "aliyun", "bandWidthMb": 0})).await;
    assert!(details(&e).contains("bandWidthMb[0] must be positive"), "{e}");
    let e = refused(&n, EIP, &eip, "updateHybridEip", json!({"type": "aliyun", "bandWidthMb": 501, "name": "too-wide"})).await;
    assert_eq!(e["cause"]["code"], "InvalidParameter", "{e}");
    let e = refused(&n, EIP, &eip, "updateHybridEip", json!({"type": "aws", "name": "elsewhere"})).await;
    assert!(details(&e).contains("type[aws] is not supported"), "{e}");
    let e = refused(&n, EIP, &eip, "updateHybridEip", json!({"name": "no-type"})).await;
    assert!(details(&e).contains("field[type]"), "{e}");
    refuse_next(&sim, "ModifyEipAddressAttribute", "Forbidden.RAM");
    let e = refused(&n, EIP, &eip, "updateHybridEip", json!({"type": "aliyun", "bandWidthMb": 50})).await;
    assert_eq!(e["cause"]["code"], "Forbidden.RAM", "{e}");
    let kept = one(&n, EIP, &eip).await;
    assert_eq!((kept["name"].as_str(), kept["bandWidth"].as_i64()), (Some("eip-web"), Some(20)));
    assert_eq!(looked(&sim, |st| (st.eips[&eip_id].name.clone(), st.eips[&eip_id].bandwidth)), ("eip-web".into(), 20));

    // Disk: name, description, release with the instance, the auto-snapshot flags.
    let disk = n.create(DISK, json!({"identityUuid": zone, "name": "data1", "sizeWithGB": 40})).await;
    let (disk, disk_id) = (uuid_of(&disk), id(&disk, "diskId"));
    let inv = updated(&n, DISK, &disk, "updateAliyunDisk",
        json!({"name": "data.logs", "description": "log volume", "deleteWithInstance": true, "enableAutoSnapshot": false, "deleteAutoSnapshot": false})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str(), inv["deleteWithInstance"].as_bool()), (Some("data.logs"), Some("log volume"), Some(true)));
    {
        let st = state(&sim);
        let d = &st.disks[&disk_id];
        assert_eq!((d.name.as_str(), d.description.as_str()), ("data.logs", "log volume"));
        assert_eq!((d.delete_with_instance, d.enable_auto_snapshot, d.delete_auto_snapshot), (true, false, false));
    }
    let e = refused(&n, DISK, &disk, "updateAliyunDisk", json!({"name": "1disk"})).await;
    assert!(details(&e).contains("valid regex value for field[name]"), "{e}");
    let e = refused(&n, DISK, &disk, "updateAliyunDisk", json!({"description": "d"})).await;
    assert!(details(&e).contains("less than the min length of string. expected was >= 2, actual was 1"), "{e}");
    let (status, v) = put(&n, DISK, &disk, "updateAliyunDisk", json!({"deleteWithInstance": "yes"})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v.to_string().contains("Invalid value for the field[deleteWithInstance]"), "{v}");
    let e = refused(&n, DISK, NOBODY, "updateAliyunDisk", json!({"name": "ghost"})).await;
    assert!(e["code"] == "SYS.1007" && details(&e).contains("does not exist"), "{e}");
    refuse_next(&sim, "ModifyDiskAttribute", "IncorrectDiskStatus");
    let e = refused(&n, DISK, &disk, "updateAliyunDisk", json!({"deleteWithInstance": false})).await;
    assert_eq!(e["cause"]["code"], "IncorrectDiskStatus", "{e}");
    assert_eq!(one(&n, DISK, &disk).await["deleteWithInstance"], true);
    assert!(state(&sim).disks[&disk_id].delete_with_instance);
}

/// A VPC with a vSwitch and a VPN gateway, made directly at the simulator (ZStack has
/// no API to create VPN gateways); returns the gateway's id.
async fn vpn_gateway(sim: &SimServer) -> String {
    use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest};
    use zstack_aliyun::vpn::CreateVpnGatewayRequest;
    let c = zstack_aliyun::AliyunClient::new(
        zstack_aliyun::Credentials { access_key_id: "testid".into(), access_key_secret: "testsecret".into() },
        zstack_aliyun::ClientConfig { endpoints: zstack_aliyun::Endpoints::all_at(&sim.base_url), ..Default::default() },
    )
    .unwrap();
    let vpc = c.create_vpc(REGION, &CreateVpcRequest { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).await.unwrap().vpc_id;
    c.create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: vpc.clone(), zone_id: ZONE.into(), cidr_block: "10.0.1.0/24".into(), ..Default::default() }).await.unwrap();
    c.create_vpn_gateway(REGION, &CreateVpnGatewayRequest { vpc_id: vpc, bandwidth: 10, ..Default::default() }).await.unwrap().vpn_gateway_id
}

const GATEWAY: &str = "/v1/hybrid/vpc-vpn";
const USER_GATEWAY: &str = "/v1/hybrid/user-vpn";
const CONNECTION: &str = "/v1/hybrid/vpn-connection";

#[actix_web::test]
async fn vpn_gateway_user_gateway_and_connection_updates() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let gw_id = vpn_gateway(&sim).await;
    let gateways = n.ok("PUT", &format!("/v1/hybrid/vpc-vpn/{dc}/sync"), json!({"syncVpcVpnGatewayFromRemote": {}})).await;
    let gateway = uuid_of(&gateways["inventories"][0]);

    let inv = updated(&n, GATEWAY, &gateway, "updateVpcVpnGateway", json!({"name": "gw-hq", "description": "headquarters"})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str()), (Some("gw-hq"), Some("headquarters")));
    assert_eq!(looked(&sim, |st| (st.vpn_gateways[&gw_id].name.clone(), st.vpn_gateways[&gw_id].description.clone())), ("gw-hq".into(), "headquarters".into()));
    let e = refused(&n, GATEWAY, &gateway, "updateVpcVpnGateway", json!({"name": "g".repeat(129)})).await;
    assert!(details(&e).contains("expected was <= 128"), "{e}");
    let e = refused(&n, GATEWAY, &gateway, "updateVpcVpnGateway", json!({"name": "https://gw"})).await;
    assert_eq!(e["cause"]["code"], "InvalidName", "{e}");
    assert_eq!(one(&n, GATEWAY, &gateway).await["name"], "gw-hq");

    let user = n.create(USER_GATEWAY, json!({"dataCenterUuid": dc, "ip": "203.0.113.5", "name": "office"})).await;
    let (user, user_id) = (uuid_of(&user), id(&user, "gatewayId"));
    let inv = updated(&n, USER_GATEWAY, &user, "updateVpcUserVpnGateway", json!({"name": "office-berlin", "description": "Berlin office"})).await;
    assert_eq!(inv["name"], "office-berlin");
    assert_eq!(looked(&sim, |st| (st.customer_gateways[&user_id].name.clone(), st.customer_gateways[&user_id].description.clone())), ("office-berlin".into(), "Berlin office".into()));
    let e = refused(&n, USER_GATEWAY, &user, "updateVpcUserVpnGateway", json!({"name": "office berlin"})).await;
    assert!(details(&e).contains("valid regex value for field[name]"), "{e}");
    assert_eq!(state(&sim).customer_gateways[&user_id].name, "office-berlin");

    let ike = uuid_of(&n.create("/v1/hybrid/vpn-connection/ike", json!({"name": "ike", "psk": "first-psk", "localIp": "10.0.1.1", "remoteIp": "203.0.113.5"})).await);
    let ipsec = uuid_of(&n.create("/v1/hybrid/vpn-connection/ipsec", json!({"name": "ipsec"})).await);
    let connection = n.create(CONNECTION, json!({"name": "to-office", "vpnGatewayUuid": gateway, "userGatewayUuid": user, "localCidr": "10.0.1.0/24",
        "remoteCidr": "192.168.10.0/24", "active": true, "ikeConfUuid": ike, "ipsecConfUuid": ipsec})).await;
    let (connection, connection_id) = (uuid_of(&connection), id(&connection, "connectionId"));
    // New settings: a second IKE record, other subnets, inactive; the description stays local.
    let ike2 = uuid_of(&n.create("/v1/hybrid/vpn-connection/ike", json!({"name": "ike2", "psk": "second-psk", "version": "ikev2", "localIp": "10.0.1.1", "remoteIp": "203.0.113.5"})).await);
    let inv = updated(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"name": "to-berlin", "description": "kept by the node",
        "localCidr": "10.0.1.0/24,10.0.2.0/24", "remoteCidr": "192.168.20.0/24", "active": false, "ikeConfUuid": ike2})).await;
    assert_eq!((inv["name"].as_str(), inv["description"].as_str(), inv["localSubnet"].as_str(), inv["remoteSubnet"].as_str(), inv["active"].as_bool(), inv["ikeConfigUuid"].as_str()),
        (Some("to-berlin"), Some("kept by the node"), Some("10.0.1.0/24,10.0.2.0/24"), Some("192.168.20.0/24"), Some(false), Some(ike2.as_str())));
    {
        let st = state(&sim);
        let c = &st.vpn_connections[&connection_id];
        assert_eq!((c.name.as_str(), c.local_subnet.as_str(), c.remote_subnet.as_str(), c.effect_immediately), ("to-berlin", "10.0.1.0/24,10.0.2.0/24", "192.168.20.0/24", false));
        assert_eq!((c.ike_config["Psk"].as_str(), c.ike_config["IkeVersion"].as_str()), (Some("second-psk"), Some("ikev2")));
    }
    // Only the description: nothing goes to Alibaba Cloud.
    let calls = n.app.hybrid.clients.stats().calls;
    let inv = updated(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"description": "only here"})).await;
    assert_eq!(inv["description"], "only here");
    assert_eq!(n.app.hybrid.clients.stats().calls, calls, "a local-only change calls nobody");
    // Bad input: a malformed subnet, an unknown IKE record, a too long name.
    let e = refused(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"localCidr": "10.0.1.0/33"})).await;
    assert!(details(&e).contains("localCidr[10.0.1.0/33]"), "{e}");
    let e = refused(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"ikeConfUuid": NOBODY})).await;
    assert!(e["code"] == "SYS.1007" && details(&e).contains("does not exist"), "{e}");
    let e = refused(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"name": "c".repeat(65)})).await;
    assert!(details(&e).contains("expected was <= 64"), "{e}");
    refuse_next(&sim, "ModifyVpnConnectionAttribute", "VpnGateway.Configuring");
    let e = refused(&n, CONNECTION, &connection, "updateVpcVpnConnectionRemote", json!({"remoteCidr": "192.168.30.0/24", "description": "not this"})).await;
    assert_eq!(e["cause"]["code"], "VpnGateway.Configuring", "{e}");
    let kept = one(&n, CONNECTION, &connection).await;
    assert_eq!((kept["remoteSubnet"].as_str(), kept["description"].as_str()), (Some("192.168.20.0/24"), Some("only here")));
    assert_eq!(state(&sim).vpn_connections[&connection_id].remote_subnet, "192.168.20.0/24");
}

#[actix_web::test]
async fn vnc_password_and_deleting_every_instance_of_a_data_center() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    let images = n.ok("POST", &format!("/v1/hybrid/aliyun/image/{}/sync", net.dc), json!({"params": {}})).await;
    let image = images["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).map(uuid_of).unwrap();
    let mut vms = Vec::new();
    for name in ["vm-a", "vm-b", "vm-c"] {
        vms.push(n.create("/v1/hybrid/aliyun/ecs", json!({"name": name, "ecsImageUuid": image, "ecsVSwitchUuid": uuid_of(&net.vswitch),
            "ecsSecurityGroupUuid": uuid_of(&net.group), "ecsRootPassword": "Passw0rd!x"})).await);
    }
    let (vm, vm_id) = (uuid_of(&vms[0]), id(&vms[0], "ecsInstanceId"));

    // The VNC password: set on Alibaba Cloud; the console URL still comes.
    let vnc = |uuid: &str| format!("/v1/hybrid/aliyun/{uuid}/ecs-vnc");
    n.ok("POST", &vnc(&vm), json!({"params": {"password": "Abc123"}})).await;
    assert_eq!(state(&sim).instances[&vm_id].vnc_password.as_deref(), Some("Abc123"));
    let url = n.ok("GET", &format!("/v1/hybrid/aliyun/ecs-vnc/{vm}"), Value::Null).await;
    assert!(url["vncUrl"].as_str().unwrap().contains(&vm_id), "{url}");
    for (bad, says) in [("abc12", "less than the min length"), ("abc1234", "exceeds max length"), ("abc12!", "valid regex value for field[password]")] {
        let e = n.fails("POST", &vnc(&vm), Some(json!({"params": {"password": bad}}))).await;
        assert_eq!(e["code"], "SYS.1007", "{bad}: {e}");
        assert!(details(&e).contains(says), "{bad}: {e}");
    }
    let e = n.fails("POST", &vnc(&vm), Some(json!({"params": {}}))).await;
    assert!(details(&e).contains("field[password]"), "{e}");
    let e = n.fails("POST", &vnc(NOBODY), Some(json!({"params": {"password": "Abc123"}}))).await;
    assert!(e["code"] == "SYS.1007" && details(&e).contains("does not exist"), "{e}");
    refuse_next(&sim, "ModifyInstanceVncPasswd", "InstanceNotReady");
    let e = n.fails("POST", &vnc(&vm), Some(json!({"params": {"password": "Xyz789"}}))).await;
    assert_eq!(e["cause"]["code"], "InstanceNotReady", "{e}");
    assert_eq!(state(&sim).instances[&vm_id].vnc_password.as_deref(), Some("Abc123"));
    // A stopped instance takes a new password too.
    n.ok("PUT", &format!("/v1/hybrid/aliyun/ecs/{vm}/actions"), json!({"stopEcsInstance": {}})).await;
    n.ok("POST", &vnc(&vm), json!({"params": {"password": "Xyz789"}})).await;
    assert_eq!(state(&sim).instances[&vm_id].vnc_password.as_deref(), Some("Xyz789"));

    // DeleteAll with one instance Alibaba refuses to delete (deletion protection):
    // the others go, remotely and locally; the job names the one left and why.
    let protected = id(&vms[1], "ecsInstanceId");
    state(&sim).instances.get_mut(&protected).unwrap().deletion_protection = true;
    let all = format!("/v1/hybrid/aliyun/dc-ecs/{}", net.dc);
    let (status, v) = n.call("DELETE", &all, None).await;
    assert_ne!(status, 200, "{v}");
    let e = &v["error"];
    assert_eq!(e["cause"]["code"], "InvalidOperation.DeletionProtection", "{e}");
    assert!(details(e).contains(&format!("EcsInstance[uuid:{}, ecsInstanceId:{protected}]: InvalidOperation.DeletionProtection", uuid_of(&vms[1]))), "{e}");
    assert!(details(e).contains("1 of the 3 ECS instances"), "{e}");
    assert_eq!(state(&sim).instances.keys().cloned().collect::<Vec<_>>(), vec![protected.clone()]);
    let left = n.query(&format!("/v1/hybrid/aliyun/ecs?q=dataCenterUuid={}", net.dc)).await;
    assert_eq!(left.iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&vms[1])]);
    // Bad input: an unknown DataCenter, a wrong deleteMode.
    let (status, v) = n.call("DELETE", &format!("/v1/hybrid/aliyun/dc-ecs/{NOBODY}"), None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("SYS.1007")), "{v}");
    assert!(details(&v["error"]).contains("does not exist"), "{v}");
    let (_, v) = n.call("DELETE", &format!("{all}?deleteMode=Sometimes"), None).await;
    assert!(details(&v["error"]).contains("deleteMode"), "{v}");
    assert_eq!(state(&sim).instances.len(), 1);
    // Protection off: the rest goes; with nothing left, DeleteAll has nothing to do.
    state(&sim).instances.get_mut(&protected).unwrap().deletion_protection = false;
    n.ok("DELETE", &all, Value::Null).await;
    assert!(state(&sim).instances.is_empty());
    assert!(n.query("/v1/hybrid/aliyun/ecs").await.is_empty());
    n.ok("DELETE", &all, Value::Null).await;
    // The network stays: only instances were asked for.
    assert_eq!(state(&sim).vswitches.len(), 1);
    assert_eq!(n.query(VSWITCH).await.len(), 1);
}

#[actix_web::test]
async fn the_generic_hybrid_key_apis_share_the_aliyun_key_handlers() {
    let sim = sim();
    let n = node().await;
    let secret = "testsecret";
    // type is required and must be aliyun.
    let e = n.fails("POST", "/v1/hybrid/hybrid/key", Some(json!({"params": {"name": "ak", "key": "testid", "secret": secret}}))).await;
    assert!(details(&e).contains("field[type]"), "{e}");
    let e = n.fails("POST", "/v1/hybrid/hybrid/key", Some(json!({"params": {"name": "ak", "key": "testid", "secret": secret, "type": "aws"}}))).await;
    assert!(details(&e).contains("type[aws] is not supported"), "{e}");
    assert!(n.query("/v1/hybrid/hybrid/key").await.is_empty());
    let (status, added) = n.call("POST", "/v1/hybrid/hybrid/key", Some(json!({"params": {"name": "ak", "key": "testid", "secret": secret, "type": "aliyun"}}))).await;
    assert_eq!(status, 200, "{added}");
    assert!(!added.to_string().contains(secret), "the secret is never returned: {added}");
    let key = added["inventory"].clone();
    assert_eq!((key["type"].as_str(), key["current"].as_bool()), (Some("aliyun"), Some(true)));
    let uuid = uuid_of(&key);
    // The key works: a DataCenter is added through it.
    n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await;
    // The same AccessKey again, through either API, is refused.
    let e = n.fails("POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "dup", "key": "testid", "secret": "x"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let renamed = n.ok("POST", &format!("/v1/hybrid/hybrid/{uuid}/key"), json!({"params": {"name": "renamed", "description": "main key"}})).await;
    assert_eq!((renamed["inventory"]["name"].as_str(), renamed["inventory"]["description"].as_str()), (Some("renamed"), Some("main key")));
    // A second key through the Aliyun API, attached and detached through the generic one.
    let second = uuid_of(&n.create("/v1/hybrid/aliyun/key", json!({"name": "ak2", "key": "LTAIother", "secret": "other"})).await);
    n.ok("PUT", &format!("/v1/hybrid/hybrid/key/{second}/attach"), json!({"attachHybridKey": {}})).await;
    let current: Vec<String> = n.query("/v1/hybrid/hybrid/key?q=current=true").await.iter().map(uuid_of).collect();
    assert_eq!(current, vec![second.clone()]);
    n.ok("PUT", &format!("/v1/hybrid/hybrid/key/{second}/detach"), json!({"detachHybridKey": {}})).await;
    assert!(n.query("/v1/hybrid/hybrid/key?q=current=true").await.is_empty());
    let (status, v) = n.call("PUT", &format!("/v1/hybrid/hybrid/key/{NOBODY}/attach"), Some(json!({"attachHybridKey": {}}))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("SYS.1007")), "{v}");
    assert!(details(&v["error"]).contains("does not exist"), "{v}");
    // Deleting through the generic API takes the sealed secret with it.
    n.ok("DELETE", &format!("/v1/hybrid/hybrid/key/{uuid}"), Value::Null).await;
    assert!(n.app.store.inv_get(&zstack::tables::HYBRID_KEY_SECRET, &uuid).await.unwrap().is_none());
    assert_eq!(n.query("/v1/hybrid/hybrid/key").await.iter().map(uuid_of).collect::<Vec<_>>(), vec![second]);
}
