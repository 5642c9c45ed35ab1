//! OSS buckets, image upload, VPN and routers of the hybrid cloud end to end: the node, pointed at the in-process Alibaba Cloud
//! simulator, manages OSS buckets, uploads a local image to OSS and imports it as an ECS
//! image, sets up a VPN connection, creates and syncs route entries, and syncs border
//! routers and router interfaces. The simulator's own state is checked at each step;
//! bad input and refusals by Alibaba Cloud are asserted with the error they give, and
//! leave nothing half-made.

mod common;

use common::hybrid::{data_center, details, direct, node, sim, writes, REGION};
use common::{uuid_of, Node};
use serde_json::{json, Value};
use zstack_aliyun_sim::faults::{FaultKind, FaultRule};
use zstack_aliyun_sim::SimServer;

const ZONE: &str = "cn-hangzhou-h";

fn fault(action: &str, code: &str, status: u16) -> FaultRule {
    FaultRule { action: action.into(), kind: FaultKind::Fail, count: Some(1), rate: None, delay_ms: None, code: Some(code.into()), status: Some(status), fired: 0 }
}

/// A raw disk image file of `len` bytes in a fresh image store, added as a local image.
async fn local_image(n: &Node, len: usize) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("zstack-extras-{}", zstack::api::new_uuid()));
    std::fs::create_dir_all(&dir).unwrap();
    let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    let file = dir.join("guest.raw");
    std::fs::write(&file, &data).unwrap();
    let bs = uuid_of(&n.create("/v1/backup-storage/image-store", json!({"name": "store", "url": dir.join("store").display().to_string(),
        "hostname": "127.0.0.1", "username": "root", "password": "unused"})).await);
    let image = n.create("/v1/images", json!({"name": "guest", "url": format!("file://{}", file.display()), "backupStorageUuids": [bs],
        "mediaType": "RootVolumeTemplate", "platform": "Linux"})).await;
    assert_eq!(image["format"], "raw", "{image}");
    (uuid_of(&image), bs)
}

#[actix_web::test]
async fn oss_buckets_and_a_local_image_uploaded_and_imported() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let (image, bs) = local_image(&n, 17 << 20).await;
    let create_image = |name: &str| json!({"params": {"name": name, "imageUuid": image, "dataCenterUuid": dc, "backupStorageUuid": bs}});

    // Without a bucket attached there is nowhere to upload to.
    let e = n.fails("POST", "/v1/hybrid/aliyun/image", Some(create_image("first"))).await;
    assert!(details(&e).contains("no OSS bucket attached"), "{e}");

    // Buckets: one made through the node, one that exists already and is added.
    let made = n.create("/v1/hybrid/aliyun/oss-bucket/remote", json!({"dataCenterUuid": dc, "bucketName": "zs-images"})).await;
    assert_eq!((made["bucketName"].as_str(), made["regionId"].as_str(), made["current"].as_bool()), (Some("zs-images"), Some(REGION), Some(false)));
    assert!(sim.sim.state.lock().buckets.contains_key("zs-images"));
    direct(&sim).oss(REGION).put_bucket("outside", None).await.unwrap();
    let added = n.create("/v1/hybrid/aliyun/oss-bucket", json!({"dataCenterUuid": dc, "bucketName": "outside"})).await;
    let remote_names = n.ok("GET", &format!("/v1/hybrid/oss/{dc}/remote"), Value::Null).await;
    let mut names: Vec<&str> = remote_names["inventories"].as_array().unwrap().iter().map(|b| b["bucketName"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["outside", "zs-images"]);
    // Bad input: added twice, not on Alibaba Cloud, an invalid name, a second credential.
    for (params, expect) in [
        (json!({"dataCenterUuid": dc, "bucketName": "outside"}), "added to DataCenter"),
        (json!({"dataCenterUuid": dc, "bucketName": "nowhere"}), "has no OSS bucket nowhere"),
        (json!({"dataCenterUuid": dc, "bucketName": "Bad_Name"}), "not a valid OSS bucket name"),
        (json!({"dataCenterUuid": dc, "bucketName": "other", "ossSecret": "s"}), "ossSecret is not supported"),
    ] {
        let e = n.fails("POST", "/v1/hybrid/aliyun/oss-bucket", Some(json!({"params": params}))).await;
        assert_eq!(e["code"], "SYS.1007", "{e}");
        assert!(details(&e).contains(expect), "{expect}: {e}");
    }
    let e = n.fails("POST", "/v1/hybrid/aliyun/oss-bucket/remote", Some(json!({"params": {"dataCenterUuid": dc, "bucketName": "outside"}}))).await;
    assert!(details(&e).contains("added to DataCenter"), "{e}");
    assert_eq!(n.query("/v1/hybrid/aliyun/oss-bucket").await.len(), 2);

    // Attaching marks one bucket per DataCenter.
    let (made_uuid, added_uuid) = (uuid_of(&made), uuid_of(&added));
    n.ok("PUT", &format!("/v1/hybrid/aliyun/oss-bucket/{added_uuid}/attach"), json!({"attachOssBucketToEcsDataCenter": {}})).await;
    let attached = n.ok("PUT", &format!("/v1/hybrid/aliyun/oss-bucket/{made_uuid}/attach"), json!({"attachOssBucketToEcsDataCenter": {}})).await;
    assert_eq!(attached["inventory"]["current"], true);
    let current: Vec<String> = n.query("/v1/hybrid/aliyun/oss-bucket?q=current=true").await.iter().map(uuid_of).collect();
    assert_eq!(current, vec![made_uuid.clone()]);

    // Import fails on Alibaba's side: the job fails with its code, the uploaded object is
    // removed, no EcsImage is recorded.
    sim.sim.faults.lock().add(fault("ImportImage", "InvalidImageName.Malformed", 400)).unwrap();
    let e = n.fails("POST", "/v1/hybrid/aliyun/image", Some(create_image("refused"))).await;
    assert_eq!(e["cause"]["code"], "InvalidImageName.Malformed", "{e}");
    assert!(sim.sim.state.lock().buckets["zs-images"].objects.is_empty(), "the object of a failed import is deleted");
    assert!(n.query("/v1/hybrid/aliyun/image?q=type=self").await.is_empty(), "no EcsImage recorded");
    // The upload itself fails: the multipart upload is aborted, nothing stays in OSS.
    sim.sim.faults.lock().add(fault("UploadPart", "AccessDenied", 403)).unwrap();
    let e = n.fails("POST", "/v1/hybrid/aliyun/image", Some(create_image("no-upload"))).await;
    assert_eq!(e["cause"]["code"], "AccessDenied", "{e}");
    {
        let state = sim.sim.state.lock();
        let bucket = &state.buckets["zs-images"];
        assert!(bucket.objects.is_empty() && bucket.uploads.is_empty(), "an aborted upload leaves no parts");
        assert!(!state.images.values().any(|i| i.name == "no-upload" || i.name == "refused"));
    }

    // The real thing: 17 MiB in three parts, imported, watched until Available.
    let parts_before = sim.sim.stats.lock().actions.get("UploadPart").map_or(0, |a| a.succeeded);
    let ecs_image = n.create("/v1/hybrid/aliyun/image", json!({"name": "from-local", "imageUuid": image, "dataCenterUuid": dc, "description": "uploaded"})).await;
    let parts_after = sim.sim.stats.lock().actions.get("UploadPart").map_or(0, |a| a.succeeded);
    assert_eq!(parts_after - parts_before, 3, "17 MiB go as three 8 MiB parts");
    assert_eq!((ecs_image["status"].as_str(), ecs_image["type"].as_str()), (Some("Available"), Some("self")), "{ecs_image}");
    assert_eq!(ecs_image["localImageUuid"], image.as_str());
    let ecs_image_id = ecs_image["ecsImageId"].as_str().unwrap().to_string();
    assert_eq!(n.query("/v1/hybrid/aliyun/image?q=type=self").await.iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&ecs_image)]);
    {
        let state = sim.sim.state.lock();
        let remote = &state.images[&ecs_image_id];
        assert_eq!((remote.name.as_str(), remote.status.current.as_str(), remote.format.as_str()), ("from-local", "Available", "RAW"));
        assert_eq!(remote.oss_bucket, "zs-images");
        assert!(state.buckets["zs-images"].objects.is_empty(), "the uploaded file is removed once imported");
    }
    let progress = n.ok("GET", &format!("/v1/hybrid/aliyun/image/{dc}/{}/progress", uuid_of(&ecs_image)), Value::Null).await;
    assert_eq!(progress["progress"], "100%", "{progress}");
    let e = n.fails("GET", &format!("/v1/hybrid/aliyun/image/{dc}/{}/progress", zstack::api::new_uuid()), None).await;
    assert!(details(&e).contains("does not exist"), "{e}");

    // Not importable: an ISO; an image that is not there.
    let iso_file = std::env::temp_dir().join(format!("zstack-extras-{}.iso", zstack::api::new_uuid()));
    std::fs::write(&iso_file, vec![0u8; 4096]).unwrap();
    let iso = uuid_of(&n.create("/v1/images", json!({"name": "iso", "url": format!("file://{}", iso_file.display()), "backupStorageUuids": [bs],
        "mediaType": "ISO"})).await);
    let e = n.fails("POST", "/v1/hybrid/aliyun/image", Some(json!({"params": {"name": "iso", "imageUuid": iso, "dataCenterUuid": dc}}))).await;
    assert!(details(&e).contains("root volume templates"), "{e}");
    let e = n.fails("POST", "/v1/hybrid/aliyun/image", Some(json!({"params": {"name": "x", "imageUuid": zstack::api::new_uuid(), "dataCenterUuid": dc}}))).await;
    assert!(details(&e).contains("does not exist"), "{e}");

    // Files of a bucket; a bucket with files cannot be deleted remotely, and stays.
    direct(&sim).oss(REGION).put_object("outside", "notes.txt", b"hello".to_vec(), None).await.unwrap();
    let files = n.ok("GET", &format!("/v1/hybrid/oss/file/remote?uuid={added_uuid}"), Value::Null).await;
    assert_eq!(files["files"], json!(["notes.txt"]));
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/oss-bucket/remote/{added_uuid}"), None).await;
    assert_eq!(e["cause"]["code"], "BucketNotEmpty", "{e}");
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/oss-bucket?q=uuid={added_uuid}")).await.len(), 1, "kept until the remote delete is confirmed");
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/oss-bucket-file/remote/{added_uuid}?fileName=missing.txt"), None).await;
    assert!(details(&e).contains("has no file missing.txt"), "{e}");
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/oss-bucket-file/remote/{added_uuid}?fileName=notes.txt"), Value::Null).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/oss-bucket/remote/{added_uuid}"), Value::Null).await;
    assert!(!sim.sim.state.lock().buckets.contains_key("outside"));
    assert!(n.query(&format!("/v1/hybrid/aliyun/oss-bucket?q=uuid={added_uuid}")).await.is_empty());
    // Local deletion leaves Alibaba Cloud alone.
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/oss-bucket/{made_uuid}"), Value::Null).await;
    assert!(sim.sim.state.lock().buckets.contains_key("zs-images"));
}

/// The VPC with a vSwitch and a VPN gateway, made directly at the simulator (ZStack has
/// no API to create VPN gateways); returns (vpc id, vswitch id, gateway id).
async fn vpc_with_vpn_gateway(sim: &SimServer) -> (String, String, String) {
    use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest};
    use zstack_aliyun::vpn::CreateVpnGatewayRequest;
    let c = direct(sim);
    let vpc = c.create_vpc(REGION, &CreateVpcRequest { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).await.unwrap().vpc_id;
    let vsw = c
        .create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: vpc.clone(), zone_id: ZONE.into(), cidr_block: "10.0.1.0/24".into(), ..Default::default() })
        .await
        .unwrap()
        .v_switch_id;
    let gw = c.create_vpn_gateway(REGION, &CreateVpnGatewayRequest { vpc_id: vpc.clone(), bandwidth: 10, ..Default::default() }).await.unwrap().vpn_gateway_id;
    (vpc, vsw, gw)
}

#[actix_web::test]
async fn a_vpn_connection_with_ike_and_ipsec_settings() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let (_, _, gw_id) = vpc_with_vpn_gateway(&sim).await;

    let gateways = n.ok("PUT", &format!("/v1/hybrid/vpc-vpn/{dc}/sync"), json!({"syncVpcVpnGatewayFromRemote": {}})).await;
    let gateways = gateways["inventories"].as_array().unwrap().clone();
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0]["gatewayId"], gw_id.as_str());
    assert_eq!(gateways[0]["publicIp"], sim.sim.state.lock().vpn_gateways[&gw_id].internet_ip.as_str());
    let gateway = uuid_of(&gateways[0]);

    // The user gateway: a bad address is refused before Alibaba Cloud is asked.
    let e = n.fails("POST", "/v1/hybrid/user-vpn", Some(json!({"params": {"dataCenterUuid": dc, "ip": "300.1.2.3", "name": "office"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    assert!(sim.sim.state.lock().customer_gateways.is_empty());
    let user = n.create("/v1/hybrid/user-vpn", json!({"dataCenterUuid": dc, "ip": "203.0.113.5", "name": "office"})).await;
    let user_id = user["gatewayId"].as_str().unwrap().to_string();
    assert_eq!(sim.sim.state.lock().customer_gateways[&user_id].ip_address, "203.0.113.5");
    let user = uuid_of(&user);

    // IKE and IPsec settings are local records; bad choices are named.
    let e = n.fails("POST", "/v1/hybrid/vpn-connection/ike", Some(json!({"params": {"name": "ike", "psk": "k", "version": "ikev3",
        "localIp": "10.0.1.1", "remoteIp": "203.0.113.5"}}))).await;
    assert!(details(&e).contains("version[ikev3] must be one of ikev1, ikev2"), "{e}");
    let e = n.fails("POST", "/v1/hybrid/vpn-connection/ipsec", Some(json!({"params": {"name": "ipsec", "lifetime": 100000}}))).await;
    assert!(details(&e).contains("lifetime"), "{e}");
    let ike = n.create("/v1/hybrid/vpn-connection/ike", json!({"name": "ike", "psk": "s3cret-psk", "version": "ikev2", "encAlg": "aes256",
        "localIp": "10.0.1.1", "remoteIp": "203.0.113.5"})).await;
    assert_eq!((ike["mode"].as_str(), ike["pfs"].as_str(), ike["lifetime"].as_i64()), (Some("main"), Some("group2"), Some(86400)), "defaults: {ike}");
    let ipsec = n.create("/v1/hybrid/vpn-connection/ipsec", json!({"name": "ipsec", "pfs": "group14", "lifetime": 3600})).await;
    let (ike, ipsec) = (uuid_of(&ike), uuid_of(&ipsec));

    let connection = |local: &str| {
        json!({"params": {"name": "to-office", "vpnGatewayUuid": gateway, "userGatewayUuid": user, "localCidr": local,
            "remoteCidr": "192.168.10.0/24", "active": true, "ikeConfUuid": ike, "ipsecConfUuid": ipsec}})
    };
    let e = n.fails("POST", "/v1/hybrid/vpn-connection", Some(connection("10.0.1.0/33"))).await;
    assert!(details(&e).contains("localCidr[10.0.1.0/33]"), "{e}");
    assert!(sim.sim.state.lock().vpn_connections.is_empty());
    let created = n.ok("POST", "/v1/hybrid/vpn-connection", connection("10.0.1.0/24")).await["inventory"].clone();
    let connection_id = created["connectionId"].as_str().unwrap().to_string();
    {
        let state = sim.sim.state.lock();
        let remote = &state.vpn_connections[&connection_id];
        assert_eq!((remote.vpn_gateway_id.as_str(), remote.customer_gateway_id.as_str()), (gw_id.as_str(), user_id.as_str()));
        assert_eq!((remote.ike_config["IkeVersion"].as_str(), remote.ike_config["Psk"].as_str(), remote.ike_config["IkeEncAlg"].as_str()),
            (Some("ikev2"), Some("s3cret-psk"), Some("aes256")));
        assert_eq!((remote.ipsec_config["IpsecPfs"].as_str(), remote.ipsec_config["IpsecLifetime"].as_i64()), (Some("group14"), Some(3600)));
        assert!(remote.effect_immediately);
    }
    let config = n.ok("GET", &format!("/v1/hybrid/vpn-conf/{}/remote", uuid_of(&created)), Value::Null).await;
    assert_eq!((config["ikeConf"]["psk"].as_str(), config["ikeConf"]["remoteIp"].as_str()), (Some("s3cret-psk"), Some("203.0.113.5")), "{config}");
    assert_eq!(config["ipSecConf"]["pfs"], "group14");

    // What a connection still uses cannot go.
    let e = n.fails("DELETE", &format!("/v1/hybrid/vpn-connection/ike/{ike}"), None).await;
    assert!(details(&e).contains("used by VpcVpnConnection"), "{e}");
    let e = n.fails("DELETE", &format!("/v1/hybrid/user-gateway/{user}/remote"), None).await;
    assert_eq!(e["cause"]["code"], "DependencyViolation.VpnConnection", "{e}");
    assert_eq!(n.query(&format!("/v1/hybrid/user-vpn?q=uuid={user}")).await.len(), 1, "kept: Alibaba refused");

    // Sync: unchanged means no writes; a connection deleted outside the node disappears.
    n.ok("PUT", &format!("/v1/hybrid/vpn-connection/{dc}/sync"), json!({"syncVpcVpnConnectionFromRemote": {}})).await;
    let before = writes(&n);
    zstack::hybrid::vpn::connections_sync(&n.app, &dc).await.unwrap();
    assert_eq!(writes(&n), before, "an unchanged sync must not write");
    let kept = n.query("/v1/hybrid/vpn-connection").await;
    assert_eq!((kept.len(), kept[0]["ikeConfigUuid"].as_str()), (1, Some(ike.as_str())), "local links survive a sync");
    n.ok("DELETE", &format!("/v1/hybrid/vpn-connection/{}/remote", uuid_of(&created)), Value::Null).await;
    assert!(sim.sim.state.lock().vpn_connections.is_empty());
    assert!(n.query("/v1/hybrid/vpn-connection").await.is_empty());
    n.ok("DELETE", &format!("/v1/hybrid/user-gateway/{user}/remote"), Value::Null).await;
    assert!(sim.sim.state.lock().customer_gateways.is_empty());
    n.ok("DELETE", &format!("/v1/hybrid/vpn-connection/ike/{ike}"), Value::Null).await;
    // The DataCenter's local deletion takes its VPN gateway record, not the gateway.
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{dc}"), Value::Null).await;
    assert!(n.query("/v1/hybrid/vpc-vpn").await.is_empty());
    assert!(sim.sim.state.lock().vpn_gateways.contains_key(&gw_id));
}

#[actix_web::test]
async fn route_entries_through_a_vpn_gateway() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let (vpc_id, _, gw_id) = vpc_with_vpn_gateway(&sim).await;
    n.ok("POST", &format!("/v1/hybrid/aliyun/vpc/{dc}/sync"), json!({"params": {}})).await;
    let vpc = uuid_of(&n.query(&format!("/v1/hybrid/aliyun/vpc?q=ecsVpcId={vpc_id}")).await[0]);
    let routers = n.ok("PUT", &format!("/v1/hybrid/aliyun/vrouter/{vpc}/sync"), json!({"syncAliyunVirtualRouterFromRemote": {}})).await;
    let router = routers["inventories"][0].clone();
    let (sim_router, sim_table) = {
        let state = sim.sim.state.lock();
        (state.vpcs[&vpc_id].vrouter_id.clone(), state.vpcs[&vpc_id].route_table_id.clone())
    };
    assert_eq!((router["vrId"].as_str(), router["routeTableId"].as_str()), (Some(sim_router.as_str()), Some(sim_table.as_str())), "{router}");
    let router = uuid_of(&router);
    n.ok("PUT", &format!("/v1/hybrid/vpc-vpn/{dc}/sync"), json!({"syncVpcVpnGatewayFromRemote": {}})).await;
    let gateway = n.query("/v1/hybrid/vpc-vpn").await[0].clone();
    assert_eq!(gateway["vpcUuid"], vpc.as_str(), "the gateway is linked to the local VPC record");
    let gateway = uuid_of(&gateway);

    let entry = |dst: &str, hop_type: &str, hop: &str| {
        json!({"params": {"vRouterUuid": router, "vRouterType": "vrouter", "dstCidrBlock": dst, "nextHopType": hop_type, "nextHopUuid": hop}})
    };
    for (body, expect) in [
        (entry("300.1.0.0/16", "VpnGateway", &gateway), "dstCidrBlock[300.1.0.0/16]"),
        (entry("192.168.50.0/24", "Teleporter", &gateway), "nextHopType[Teleporter]"),
        (entry("192.168.50.0/24", "VpnGateway", &zstack::api::new_uuid()), "does not exist"),
    ] {
        let e = n.fails("POST", "/v1/hybrid/aliyun/route-entry", Some(body)).await;
        assert!(details(&e).contains(expect), "{expect}: {e}");
    }
    let e = n.fails("POST", "/v1/hybrid/aliyun/route-entry", Some(json!({"params": {"vRouterUuid": router, "vRouterType": "bridge",
        "dstCidrBlock": "192.168.50.0/24", "nextHopType": "VpnGateway", "nextHopUuid": gateway}}))).await;
    assert!(details(&e).contains("vRouterType[bridge]"), "{e}");
    assert!(sim.sim.state.lock().route_entries.is_empty());

    let created = n.ok("POST", "/v1/hybrid/aliyun/route-entry", entry("192.168.50.0/24", "VpnGateway", &gateway)).await["inventory"].clone();
    let entry_id = created["routeEntryId"].as_str().unwrap().to_string();
    {
        let state = sim.sim.state.lock();
        let remote = &state.route_entries[&entry_id];
        assert_eq!((remote.next_hop_type.as_str(), remote.next_hop_id.as_str(), remote.route_table_id.as_str()), ("VpnGateway", gw_id.as_str(), sim_table.as_str()));
    }
    // Alibaba refuses a second route to the same place; nothing is recorded for it.
    let e = n.fails("POST", "/v1/hybrid/aliyun/route-entry", Some(entry("192.168.50.0/24", "VpnGateway", &gateway))).await;
    assert_eq!(e["cause"]["code"], "InvalidCIDRBlock.Duplicate", "{e}");
    assert_eq!(n.query("/v1/hybrid/aliyun/route-entry").await.len(), 1);

    // Sync brings the system routes (the vSwitch's, the service range) and keeps ours.
    let synced = n.ok("PUT", &format!("/v1/hybrid/aliyun/route-entry/{router}/sync"), json!({"syncAliyunRouteEntryFromRemote": {"vRouterType": "vrouter"}})).await;
    let synced = synced["inventories"].as_array().unwrap().clone();
    let kinds: Vec<(&str, &str)> = synced.iter().map(|e| (e["type"].as_str().unwrap(), e["destinationCidrBlock"].as_str().unwrap())).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.contains(&("System", "10.0.1.0/24")) && kinds.contains(&("Custom", "192.168.50.0/24")), "{kinds:?}");
    let custom = synced.iter().find(|e| e["type"] == "Custom").unwrap();
    assert_eq!((uuid_of(custom), custom["nextHopUuid"].as_str()), (uuid_of(&created), Some(gateway.as_str())), "the same record, linked to the gateway");
    let system = synced.iter().find(|e| e["type"] == "System").unwrap();
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/route-entry/{}", uuid_of(system)), None).await;
    assert!(details(&e).contains("system route"), "{e}");

    n.ok("DELETE", &format!("/v1/hybrid/aliyun/route-entry/{}", uuid_of(&created)), Value::Null).await;
    assert!(sim.sim.state.lock().route_entries.is_empty());
    assert_eq!(n.query("/v1/hybrid/aliyun/route-entry?q=type=Custom").await.len(), 0);
    // A vRouter's local deletion takes its route records.
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/vrouter/{router}"), Value::Null).await;
    assert!(n.query("/v1/hybrid/aliyun/route-entry").await.is_empty());
    assert!(n.query("/v1/hybrid/aliyun/vrouter").await.is_empty());
    // So does the VPC's: its vRouter record goes with it.
    n.ok("PUT", &format!("/v1/hybrid/aliyun/vrouter/{vpc}/sync"), json!({"syncAliyunVirtualRouterFromRemote": {}})).await;
    assert_eq!(n.query("/v1/hybrid/aliyun/vrouter").await.len(), 1);
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/vpc/{vpc}"), Value::Null).await;
    assert!(n.query("/v1/hybrid/aliyun/vrouter").await.is_empty());
    assert!(sim.sim.state.lock().vpcs.contains_key(&vpc_id), "a local deletion leaves Alibaba Cloud alone");
}

#[actix_web::test]
async fn border_routers_and_router_interfaces_sync_create_and_delete() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    let seeded = zstack_aliyun_sim::seed::SeedRequest { region: REGION.into(), vbrs: 2, ..Default::default() };
    zstack_aliyun_sim::seed::seed(&mut sim.sim.state.lock(), &seeded, sim.sim.clock.now()).unwrap();

    let vbrs = n.ok("PUT", &format!("/v1/hybrid/aliyun/border-router/{dc}/sync"), json!({"syncVirtualBorderRouterFromRemote": {}})).await;
    let vbrs = vbrs["inventories"].as_array().unwrap().clone();
    assert_eq!(vbrs.len(), 2);
    let first = vbrs.iter().find(|v| v["name"] == "seed-vbr-0").unwrap();
    assert_eq!((first["vlanId"].as_i64(), first["peerGatewayIp"].as_str()), (Some(100), Some("192.168.0.2")));
    let interfaces = n.ok("PUT", &format!("/v1/hybrid/aliyun/router-interface/{dc}/sync"), json!({"syncAliyunRouterInterfaceFromRemote": {}})).await;
    let interfaces = interfaces["inventories"].as_array().unwrap().clone();
    assert_eq!(interfaces.len(), 4, "two interfaces per seeded border router");
    let vbr_side = interfaces.iter().find(|r| r["routerId"] == first["vbrId"]).unwrap();
    assert_eq!((vbr_side["vRouterUuid"].as_str(), vbr_side["role"].as_str()), (first["uuid"].as_str(), Some("InitiatingSide")), "linked to the local VBR");

    // Unchanged: the second syncs write nothing.
    let before = writes(&n);
    zstack::hybrid::border::vbrs_sync(&n.app, &dc).await.unwrap();
    zstack::hybrid::border::router_interfaces_sync(&n.app, &dc).await.unwrap();
    assert_eq!(writes(&n), before, "an unchanged sync must not write");

    // A new interface on a border router, and the refusals.
    let vbr = uuid_of(first);
    let interface = |spec: &str, router_type: &str| {
        json!({"params": {"dataCenterUuid": dc, "vRouterUuid": vbr, "routerType": router_type, "name": "to-vpc", "spec": spec}})
    };
    let e = n.fails("POST", "/v1/hybrid/aliyun/router-interface", Some(interface("Gigantic.9", "vbr"))).await;
    assert!(details(&e).contains("spec[Gigantic.9]"), "{e}");
    let e = n.fails("POST", "/v1/hybrid/aliyun/router-interface", Some(interface("Small.1", "switch"))).await;
    assert!(details(&e).contains("routerType[switch]"), "{e}");
    let count = sim.sim.state.lock().router_interfaces.len();
    assert_eq!(count, 4, "nothing made for refused input");
    let created = n.ok("POST", "/v1/hybrid/aliyun/router-interface", interface("Small.1", "vbr")).await["inventory"].clone();
    let ri_id = created["routerInterfaceId"].as_str().unwrap().to_string();
    {
        let state = sim.sim.state.lock();
        let remote = &state.router_interfaces[&ri_id];
        assert_eq!((remote.role.as_str(), remote.spec.as_str(), remote.status.as_str(), remote.router_type.as_str()), ("InitiatingSide", "Small.1", "Idle", "VBR"));
    }
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/router-interface/remote/{}?vRouterType=vbr", uuid_of(&created)), Value::Null).await;
    assert!(!sim.sim.state.lock().router_interfaces.contains_key(&ri_id));
    // A connected (Active) interface is refused by Alibaba; the record stays.
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/router-interface/remote/{}?vRouterType=vbr", uuid_of(vbr_side)), None).await;
    assert_eq!(e["cause"]["code"], "IncorrectStatus", "{e}");
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/router-interface?q=uuid={}", uuid_of(vbr_side))).await.len(), 1);

    // Removed outside the node: the next sync removes the local record.
    let second_id = vbrs.iter().find(|v| v["name"] == "seed-vbr-1").unwrap()["vbrId"].as_str().unwrap().to_string();
    sim.sim.state.lock().vbrs.remove(&second_id);
    let after = n.ok("PUT", &format!("/v1/hybrid/aliyun/border-router/{dc}/sync"), json!({"syncVirtualBorderRouterFromRemote": {}})).await;
    assert_eq!(after["inventories"].as_array().unwrap().len(), 1);
    // Local deletion only forgets.
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/border-router/{vbr}"), Value::Null).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/router-interface/{}", uuid_of(vbr_side)), Value::Null).await;
    assert!(n.query("/v1/hybrid/aliyun/border-router").await.is_empty());
    assert_eq!(n.query("/v1/hybrid/aliyun/router-interface").await.len(), 3);
    assert!(sim.sim.state.lock().vbrs.contains_key(first["vbrId"].as_str().unwrap()));
}
