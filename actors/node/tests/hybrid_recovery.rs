//! Crash recovery of hybrid creations. The real `zstack` binary, pointed at the Alibaba
//! Cloud simulator running in this process, is killed with SIGKILL (as tests/crash.rs
//! does) while a create waits at one of its remote steps — the simulator has done the
//! step and holds its answer back — then started again on the same data dir. For every
//! remote step of the ECS create flow (RunInstances, the DescribeInstances wait), of
//! the VPC and EIP creates (the create call, the Describe that reads the result back)
//! and of the snapshot and image-from-snapshot flows (CreateSnapshot and the
//! DescribeSnapshots wait, CreateImage and the DescribeImages wait)
//! the restart must leave no orphan on the simulator and no local record, and end the
//! job failed (SYS.1002) with an error naming what was deleted on Alibaba Cloud — also
//! when the instance had meanwhile finished starting. The undo runs after the node
//! listens: while Alibaba is slow to delete, the node serves and the job answers 202.
//! A second test restarts an
//! in-process node over notes of every other kind of create and checks each lookup
//! (tag, route entry name, router interface name, bucket name and time, image file key)
//! finds and deletes only what that create made, and that a create whose local record
//! was written is kept and its job succeeds.

mod common;

use common::process::NodeProcess;
use common::ApiClient;
use common::hybrid::{direct, job_end, state, REGION};
use common::{uuid_of, Node};
use zstack_aliyun_sim::state::SimState;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zstack::hybrid::recovery::{uuid_tags, UUID_TAG};
use zstack_aliyun_sim::{SimConfig, SimServer};

const PASSWORD: &str = "hybrid-recovery-password";
const ZONE: &str = "cn-hangzhou-h";
const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";
const SNAPSHOTS: &str = "/v1/hybrid/aliyun/snapshot";
/// How long the simulator holds back the answer of the step the node is killed at.
const HELD_MS: u64 = 60_000;

fn sim() -> SimServer {
    SimServer::start(SimConfig { transition_step: Duration::from_millis(200), ..SimConfig::default() }).expect("simulator starts")
}

/// One create cut at one remote step.
struct Cut {
    what: &'static str,
    /// The action whose answer the simulator holds back while the node is killed.
    held: &'static str,
    path: &'static str,
    params: Value,
    /// How many resources of the kind the simulator holds.
    remote: fn(&SimState) -> usize,
    /// The query of the local records of the kind.
    local: &'static str,
    /// How the job's error names what was deleted.
    named: &'static str,
}

/// A node process on a fresh data dir with what the creates cut in the kill tests need:
/// an AccessKey, a DataCenter on the simulator, a zone, a VPC with a vSwitch and a
/// security group, and the region's images synced.
struct Scene {
    process: NodeProcess,
    api: ApiClient,
    dc: String,
    vswitch: String,
    group: String,
    /// The synced system image `IMAGE_ID`.
    image: String,
}

async fn scene(sim: &SimServer, db: &common::TestDb, name: &str) -> Scene {
    let mut process = NodeProcess::new(name, db.url.clone(), PASSWORD);
    process.start().await;
    let api = process.login().await;
    api.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": "testid", "secret": "testsecret"})).await;
    let dc = uuid_of(&api.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await);
    let zone = uuid_of(&api.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);
    let vpc = uuid_of(&api.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "172.16.0.0/12", "name": "vpc1", "vRouterName": "vr1"})).await);
    let vswitch = uuid_of(&api.create("/v1/hybrid/aliyun/vswitch", json!({"vpcUuid": vpc, "identityZoneUuid": zone, "cidrBlock": "172.16.1.0/24", "name": "vsw1"})).await);
    let group = uuid_of(&api.create("/v1/hybrid/aliyun/security-group/remote", json!({"vpcUuid": vpc, "name": "sg1"})).await);
    let images = api.ok("POST", &format!("/v1/hybrid/aliyun/image/{dc}/sync"), json!({"params": {}})).await;
    let image = images["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).map(uuid_of).expect("the system image is synced");
    Scene { process, api, dc, vswitch, group, image }
}

impl Scene {
    /// The parameters of an ECS create in the scene's vSwitch.
    fn ecs(&self, name: &str) -> Value {
        json!({"name": name, "ecsImageUuid": self.image, "ecsVSwitchUuid": self.vswitch, "ecsSecurityGroupUuid": self.group, "ecsRootPassword": "Passw0rd!x"})
    }
}

/// For each cut: submit the create, kill the node once the simulator has done the held
/// step, start it again and check the restart deleted what the create made, recorded
/// nothing and ended the job failed (SYS.1002) naming what was deleted.
async fn kill_at_each(sim: &SimServer, scene: &mut Scene, cuts: Vec<Cut>) {
    for cut in cuts {
        let (remote_before, local_before) = ((cut.remote)(&state(sim)), scene.api.count(cut.local).await);
        sim.sim.faults.lock().add(serde_json::from_value(json!({"action": cut.held, "kind": "timeout", "delay_ms": HELD_MS})).unwrap()).unwrap();
        let location = scene.api.submit(cut.path, cut.params.clone()).await;
        // Kill once the simulator has done the step and holds its answer.
        let waited = Instant::now();
        while !(sim.sim.faults.lock().rules().is_empty() && (cut.remote)(&state(sim)) == remote_before + 1) {
            assert!(waited.elapsed() < Duration::from_secs(30), "{}: the node never reached {}", cut.what, cut.held);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        scene.process.kill();
        if cut.held == "DescribeInstances" {
            // The restart finds the instance finished (Running), and still undoes it: the job failed.
            let waited = Instant::now();
            while !state(sim).instances.values().all(|i| i.status.current == zstack_aliyun_sim::state::InstanceStatus::Running) {
                assert!(waited.elapsed() < Duration::from_secs(10), "the instance never reached Running");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        if cut.held == "CreateVpc" {
            // Alibaba is slow to delete: the node listens meanwhile, the job still running.
            sim.sim.faults.lock().add(serde_json::from_value(json!({"action": "DeleteVpc", "kind": "timeout", "delay_ms": 2000})).unwrap()).unwrap();
        }
        scene.process.start().await;
        scene.api = scene.process.login().await;
        let api = &scene.api;
        if cut.held == "CreateVpc" {
            let (s, b) = api.probe(&location).await;
            assert_eq!(s, 202, "the job of a create being undone answers 202 while the node serves: {b}");
            assert_eq!(api.count(cut.local).await, local_before);
        }
        // The job ends once the background recovery has settled the create.
        let (s, b) = api.poll(&location, Duration::from_secs(30)).await;
        // The restart deleted what the create made and recorded nothing.
        assert_eq!((cut.remote)(&state(sim)), remote_before, "{}: an orphan is left on Alibaba Cloud", cut.what);
        assert_eq!(api.count(cut.local).await, local_before, "{}: a local record is left", cut.what);
        assert_eq!(s, 503, "{}: the job must have failed: {b}", cut.what);
        let e = &b["error"];
        assert_eq!(e["code"], "SYS.1002", "{}: {e}", cut.what);
        let details = e["details"].as_str().unwrap_or_default();
        assert!(details.contains("restarted while this job was creating"), "{}: {e}", cut.what);
        assert!(details.contains("was deleted") && details.contains(cut.named), "{}: the error must name what was deleted: {e}", cut.what);
        eprintln!("{}: {details}", cut.what);
    }
}

#[actix_web::test]
async fn kill_at_each_remote_step_of_ecs_vpc_and_eip_creates_then_restart() {
    let sim = sim();
    let db = common::TestDb::new();
    let mut scene = scene(&sim, &db, "hybrid-recovery").await;
    let dc = scene.dc.clone();
    let ecs = scene.ecs("cut");
    let vpc_params = json!({"dataCenterUuid": dc, "cidrBlock": "10.0.0.0/8", "name": "cut", "vRouterName": "vr"});
    let eip = json!({"name": "cut", "bandWidthMb": 5, "type": "aliyun", "dataCenterUuid": dc, "chargeType": "PayByTraffic"});
    let cuts = vec![
        Cut { what: "VPC, at CreateVpc", held: "CreateVpc", path: "/v1/hybrid/aliyun/vpc", params: vpc_params.clone(), remote: |s| s.vpcs.len(), local: "/v1/hybrid/aliyun/vpc", named: "VPC vpc-" },
        Cut { what: "VPC, at DescribeVpcs", held: "DescribeVpcs", path: "/v1/hybrid/aliyun/vpc", params: vpc_params, remote: |s| s.vpcs.len(), local: "/v1/hybrid/aliyun/vpc", named: "VPC vpc-" },
        Cut { what: "EIP, at AllocateEipAddress", held: "AllocateEipAddress", path: "/v1/hybrid/eip", params: eip.clone(), remote: |s| s.eips.len(), local: "/v1/hybrid/eip", named: "EIP eip-" },
        Cut { what: "EIP, at DescribeEipAddresses", held: "DescribeEipAddresses", path: "/v1/hybrid/eip", params: eip, remote: |s| s.eips.len(), local: "/v1/hybrid/eip", named: "EIP eip-" },
        Cut { what: "ECS, at RunInstances", held: "RunInstances", path: "/v1/hybrid/aliyun/ecs", params: ecs.clone(), remote: |s| s.instances.len(), local: "/v1/hybrid/aliyun/ecs", named: "ECS instance i-" },
        Cut { what: "ECS, waiting for Running", held: "DescribeInstances", path: "/v1/hybrid/aliyun/ecs", params: ecs, remote: |s| s.instances.len(), local: "/v1/hybrid/aliyun/ecs", named: "ECS instance i-" },
    ];
    kill_at_each(&sim, &mut scene, cuts).await;
    assert!(state(&sim).instances.is_empty(), "no instance keeps running");
    // The node keeps working, and tags what it creates with the resource uuid.
    let made = scene.api.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "192.168.0.0/16", "name": "after", "vRouterName": "vr"})).await;
    let tags = state(&sim).vpcs[made["ecsVpcId"].as_str().unwrap()].tags.clone();
    assert_eq!(tags, vec![(UUID_TAG.to_string(), uuid_of(&made))]);
    // A third start finds nothing left to do.
    scene.process.kill();
    scene.process.start().await;
    let api = scene.process.login().await;
    assert_eq!(api.count("/v1/hybrid/aliyun/vpc").await, 2);
    assert_eq!(state(&sim).vpcs.len(), 2);
}

#[actix_web::test]
async fn kill_at_each_remote_step_of_snapshot_and_image_from_snapshot_creates_then_restart() {
    let sim = sim();
    let db = common::TestDb::new();
    let mut scene = scene(&sim, &db, "hybrid-recovery-snapshots").await;
    let vm = scene.api.create("/v1/hybrid/aliyun/ecs", scene.ecs("vm1")).await;
    let ecs_id = vm["ecsInstanceId"].as_str().unwrap().to_string();
    let system_disk_id = state(&sim).disks.values().find(|d| d.instance_id.as_deref() == Some(ecs_id.as_str()) && d.disk_type == "system").unwrap().id.clone();
    let system_disk = scene.api.query(&format!("/v1/hybrid/aliyun/disk?q=diskId={system_disk_id}")).await.remove(0);
    let root = scene.api.create(SNAPSHOTS, json!({"diskUuid": uuid_of(&system_disk), "name": "root"})).await;
    let snapshot = json!({"diskUuid": uuid_of(&system_disk), "name": "cut"});
    let image = json!({"snapshotUuid": uuid_of(&root), "name": "cut"});
    let images = "/v1/hybrid/aliyun/image/snapshot";
    let cuts = vec![
        Cut { what: "snapshot, at CreateSnapshot", held: "CreateSnapshot", path: SNAPSHOTS, params: snapshot.clone(), remote: |s| s.snapshots.len(), local: SNAPSHOTS, named: "snapshot s-" },
        Cut { what: "snapshot, waiting for accomplished", held: "DescribeSnapshots", path: SNAPSHOTS, params: snapshot, remote: |s| s.snapshots.len(), local: SNAPSHOTS, named: "snapshot s-" },
        Cut { what: "image from a snapshot, at CreateImage", held: "CreateImage", path: images, params: image.clone(), remote: |s| s.images.len(), local: "/v1/hybrid/aliyun/image",
            named: "image made from a snapshot m-" },
        Cut { what: "image from a snapshot, waiting for Available", held: "DescribeImages", path: images, params: image.clone(), remote: |s| s.images.len(),
            local: "/v1/hybrid/aliyun/image", named: "image made from a snapshot m-" },
    ];
    kill_at_each(&sim, &mut scene, cuts).await;
    // Only the root snapshot is left, and the node still makes an image from it.
    assert_eq!(state(&sim).snapshots.keys().cloned().collect::<Vec<_>>(), vec![root["snapshotId"].as_str().unwrap().to_string()]);
    let made = scene.api.create(images, image).await;
    assert_eq!(state(&sim).images[made["ecsImageId"].as_str().unwrap()].tags, vec![(UUID_TAG.to_string(), uuid_of(&made))]);
}

/// A note as a create writes it before its first remote call, and a job still running.
async fn unfinished(n: &Node, kind: &str, uuid: &str, dc: &str, lookup: Value, api: &str) -> String {
    let note = zstack::resources::new_inv(json!({"uuid": zstack::api::new_uuid(), "resourceUuid": uuid, "resourceType": kind, "dataCenterUuid": dc,
        "lookup": lookup.to_string()}));
    n.app.store.inv_insert(&zstack::tables::HYBRID_PENDING_CREATE, &note).await.unwrap();
    let job = zstack::api::new_uuid();
    n.app.jobs.job_create(&job, api, Some(uuid), false).await.unwrap();
    job
}

#[actix_web::test]
async fn restart_undoes_what_unfinished_creates_of_every_other_kind_left_and_keeps_finished_ones() {
    use zstack::hybrid::cascade as hc;
    use zstack_aliyun::ecs::{CreateDiskRequest, CreateSecurityGroupRequest, ImportImageDisk, ImportImageRequest};
    use zstack_aliyun::routing::{CreateRouteEntryRequest, CreateRouterInterfaceRequest};
    use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest};
    use zstack_aliyun::vpn::{CreateCustomerGatewayRequest, CreateVpnConnectionRequest, CreateVpnGatewayRequest};
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("zstack-hybrid-recovery-{}", uuid::Uuid::new_v4().simple()));
    let db = common::TestDb::new();
    let c = direct(&sim);
    let id = || zstack::api::new_uuid();
    let (u_vsw, u_sg, u_disk, u_cgw, u_vco, u_rte, u_ri, u_bucket, u_image, u_none) = (id(), id(), id(), id(), id(), id(), id(), id(), id(), id());
    let mut jobs = Vec::new();
    let (kept_vpc, kept_job, outside_vpc, gateway, bucket_before) = {
        let n = Node::start_at(dir.clone(), db.url.clone()).await;
        n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": "testid", "secret": "testsecret"})).await;
        let dc = uuid_of(&n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await);
        // Made outside the node (no tags): must all survive.
        let vpc = c.create_vpc(REGION, &CreateVpcRequest { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).await.unwrap();
        let outside_vsw = c.create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: vpc.vpc_id.clone(), zone_id: ZONE.into(), cidr_block: "10.0.2.0/24".into(), ..Default::default() })
            .await
            .unwrap()
            .v_switch_id;
        let gw = c.create_vpn_gateway(REGION, &CreateVpnGatewayRequest { vpc_id: vpc.vpc_id.clone(), v_switch_id: Some(outside_vsw), bandwidth: 10, ..Default::default() })
            .await
            .unwrap()
            .vpn_gateway_id;
        let other_cgw = c.create_customer_gateway(REGION, &CreateCustomerGatewayRequest { ip_address: "203.0.113.9".into(), ..Default::default() }).await.unwrap();
        c.oss(REGION).put_bucket("older-bucket", None).await.unwrap();
        c.oss(REGION).put_bucket("uploads", None).await.unwrap();
        // What creates cut short had made, each as the node makes it.
        c.create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: vpc.vpc_id.clone(), zone_id: ZONE.into(), cidr_block: "10.0.1.0/24".into(), tags: uuid_tags(&u_vsw), ..Default::default() }).await.unwrap();
        jobs.push((unfinished(&n, hc::VSWITCH, &u_vsw, &dc, json!({}), "APICreateEcsVSwitchRemoteMsg").await, "vSwitch vsw-"));
        c.create_security_group(REGION, &CreateSecurityGroupRequest { vpc_id: vpc.vpc_id.clone(), tags: uuid_tags(&u_sg), ..Default::default() }).await.unwrap();
        jobs.push((unfinished(&n, hc::SECURITY_GROUP, &u_sg, &dc, json!({}), "APICreateEcsSecurityGroupRemoteMsg").await, "security group sg-"));
        c.create_disk(REGION, &CreateDiskRequest { zone_id: ZONE.into(), disk_category: "cloud_efficiency".into(), size_gb: Some(20), tags: uuid_tags(&u_disk), ..Default::default() })
            .await
            .unwrap();
        jobs.push((unfinished(&n, hc::DISK, &u_disk, &dc, json!({}), "APICreateAliyunDiskFromRemoteMsg").await, "disk d-"));
        c.create_customer_gateway(REGION, &CreateCustomerGatewayRequest { ip_address: "203.0.113.5".into(), tags: uuid_tags(&u_cgw), ..Default::default() }).await.unwrap();
        jobs.push((unfinished(&n, hc::USER_GATEWAY, &u_cgw, &dc, json!({}), "APICreateVpcUserVpnGatewayRemoteMsg").await, "customer gateway cgw-"));
        c.create_vpn_connection(REGION, &CreateVpnConnectionRequest { vpn_gateway_id: gw.clone(), customer_gateway_id: other_cgw.customer_gateway_id.clone(),
            local_subnet: "10.0.0.0/16".into(), remote_subnet: "192.168.0.0/16".into(), tags: uuid_tags(&u_vco), ..Default::default() })
            .await
            .unwrap();
        jobs.push((unfinished(&n, hc::VPN_CONNECTION, &u_vco, &dc, json!({}), "APICreateVpcVpnConnectionRemoteMsg").await, "IPsec connection vco-"));
        c.create_route_entry(REGION, &CreateRouteEntryRequest { route_table_id: vpc.route_table_id.clone(), destination_cidr_block: "192.168.0.0/16".into(),
            next_hop_type: Some("VpnGateway".into()), next_hop_id: gw.clone(), route_entry_name: Some(zstack::hybrid::client_token(&u_rte)), ..Default::default() })
            .await
            .unwrap();
        jobs.push((unfinished(&n, hc::ROUTE_ENTRY, &u_rte, &dc, json!({"routeTableId": vpc.route_table_id}), "APICreateAliyunVpcVirtualRouterEntryRemoteMsg").await, "route entry "));
        c.create_router_interface(REGION, &CreateRouterInterfaceRequest { role: "AcceptingSide".into(), router_type: "VRouter".into(), router_id: vpc.v_router_id.clone(),
            spec: "Negative".into(), opposite_region_id: REGION.into(), name: Some("ri-cut".into()), ..Default::default() })
            .await
            .unwrap();
        jobs.push((unfinished(&n, hc::ROUTER_INTERFACE, &u_ri, &dc, json!({"routerId": vpc.v_router_id, "name": "ri-cut"}), "APICreateAliyunRouterInterfaceRemoteMsg").await, "router interface ri-"));
        // OSS bucket times are whole seconds: the bucket made before the note is a second older.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        jobs.push((unfinished(&n, hc::OSS_BUCKET, &u_bucket, &dc, json!({"bucketName": "cut-bucket"}), "APICreateOssBucketRemoteMsg").await, "OSS bucket cut-bucket"));
        c.oss(REGION).put_bucket("cut-bucket", None).await.unwrap();
        let older = id();
        jobs.push((unfinished(&n, hc::OSS_BUCKET, &older, &dc, json!({"bucketName": "older-bucket"}), "APICreateOssBucketRemoteMsg").await, "nothing had been made"));
        let key = format!("zstack/images/{u_image}.qcow2");
        c.oss(REGION).put_object("uploads", &key, vec![0u8; 4096], None).await.unwrap();
        c.import_image(REGION, &ImportImageRequest { image_name: Some("cut-image".into()), disks: vec![ImportImageDisk { oss_bucket: "uploads".into(),
            oss_object: key.clone(), format: "QCOW2".into(), disk_image_size_gb: 5 }], tags: uuid_tags(&u_image), ..Default::default() })
            .await
            .unwrap();
        jobs.push((unfinished(&n, hc::IMAGE, &u_image, &dc, json!({"bucket": "uploads", "key": key}), "APICreateEcsImageFromLocalImageMsg").await, "uploaded file oss://uploads/"));
        // A create cut before its first remote call.
        jobs.push((unfinished(&n, hc::VSWITCH, &u_none, &dc, json!({}), "APICreateEcsVSwitchRemoteMsg").await, "nothing had been made"));
        // A create whose local record was written before the crash: it had finished.
        let kept = n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "172.16.0.0/12", "name": "kept", "vRouterName": "vr"})).await;
        let kept_job = unfinished(&n, hc::VPC, &uuid_of(&kept), &dc, json!({}), "APICreateEcsVpcRemoteMsg").await;
        (kept, kept_job, vpc.vpc_id, gw, "older-bucket")
    };
    let n = Node::start_at(dir, db.url.clone()).await;
    for (job, named) in &jobs {
        let (s, b) = job_end(&n, job).await;
        assert_eq!(s, 503, "{b}");
        assert_eq!(b["error"]["code"], "SYS.1002", "{b}");
        assert!(b["error"]["details"].as_str().unwrap().contains(named), "the error must say {named}: {b}");
    }
    let (s, b) = job_end(&n, &kept_job).await;
    assert_eq!(s, 200, "a create that had written its record succeeded: {b}");
    assert_eq!(b["inventory"]["uuid"], kept_vpc["uuid"]);
    {
        let st = state(&sim);
        let tagged = |tags: &[(String, String)]| tags.iter().any(|(k, _)| k == UUID_TAG);
        assert!(st.vswitches.values().all(|v| !tagged(&v.tags)) && st.vswitches.len() == 1, "the tagged vSwitch is deleted, the outside one stays");
        assert!(st.security_groups.is_empty() && st.disks.is_empty(), "tagged leftovers are deleted");
        assert!(st.vpn_connections.is_empty() && st.route_entries.is_empty() && st.router_interfaces.values().all(|r| r.name != "ri-cut"));
        assert!(st.customer_gateways.values().all(|g| !tagged(&g.tags)) && st.customer_gateways.len() == 1, "the untagged gateway stays");
        assert!(!st.images.values().any(|i| tagged(&i.tags)), "the imported image is deleted");
        assert!(!st.buckets.contains_key("cut-bucket") && st.buckets.contains_key(bucket_before), "only the bucket made after its note goes");
        assert!(st.buckets["uploads"].objects.is_empty(), "the uploaded image file is deleted");
        assert!(st.vpcs.contains_key(&outside_vpc) && st.vpcs.contains_key(kept_vpc["ecsVpcId"].as_str().unwrap()), "the outside and the finished VPC stay");
        assert!(st.vpn_gateways.contains_key(&gateway));
    }
    assert_eq!(n.query("/v1/hybrid/aliyun/vpc").await.len(), 1);
    let all = zstack_db::query::QueryOptions { limit: Some(1000), ..Default::default() };
    assert!(n.app.store.inv_query(&zstack::tables::HYBRID_PENDING_CREATE, &[], &all).await.unwrap().is_empty(), "every note is settled");
}

#[actix_web::test]
async fn vpn_connection_sync_keeps_ike_and_ipsec_records_in_step_with_alibaba() {
    use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest};
    use zstack_aliyun::vpn::{CreateCustomerGatewayRequest, CreateVpnConnectionRequest, CreateVpnGatewayRequest, IkeConfig, IpsecConfig};
    let sim = sim();
    let n = common::hybrid::node().await;
    n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": "testid", "secret": "testsecret"})).await;
    let dc = uuid_of(&n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await);
    let c = direct(&sim);
    let vpc = c.create_vpc(REGION, &CreateVpcRequest { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).await.unwrap().vpc_id;
    let vsw = c.create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: vpc.clone(), zone_id: ZONE.into(), cidr_block: "10.0.1.0/24".into(), ..Default::default() }).await.unwrap();
    let gw = c.create_vpn_gateway(REGION, &CreateVpnGatewayRequest { vpc_id: vpc, v_switch_id: Some(vsw.v_switch_id), bandwidth: 10, ..Default::default() }).await.unwrap();
    n.ok("PUT", &format!("/v1/hybrid/vpc-vpn/{dc}/sync"), json!({"syncVpcVpnGatewayFromRemote": {}})).await;
    let gateway = uuid_of(&n.query("/v1/hybrid/vpc-vpn").await[0]);
    // A connection made by the node with the operator's own IKE/IPsec records.
    let user = uuid_of(&n.create("/v1/hybrid/user-vpn", json!({"dataCenterUuid": dc, "ip": "203.0.113.5", "name": "office"})).await);
    let ike = uuid_of(&n.create("/v1/hybrid/vpn-connection/ike", json!({"name": "ike", "psk": "s3cret", "localIp": "10.0.1.1", "remoteIp": "203.0.113.5"})).await);
    let ipsec = uuid_of(&n.create("/v1/hybrid/vpn-connection/ipsec", json!({"name": "ipsec"})).await);
    let mine = uuid_of(&n.create("/v1/hybrid/vpn-connection", json!({"userGatewayUuid": user, "vpnGatewayUuid": gateway, "name": "mine", "localCidr": "10.0.0.0/16",
        "remoteCidr": "192.168.0.0/16", "active": true, "ikeConfUuid": ike, "ipsecConfUuid": ipsec})).await);
    // A connection made in the console, with settings of its own.
    let cgw = c.create_customer_gateway(REGION, &CreateCustomerGatewayRequest { ip_address: "198.51.100.7".into(), ..Default::default() }).await.unwrap();
    let outside = c
        .create_vpn_connection(REGION, &CreateVpnConnectionRequest { vpn_gateway_id: gw.vpn_gateway_id.clone(), customer_gateway_id: cgw.customer_gateway_id,
            local_subnet: "10.0.0.0/16".into(), remote_subnet: "172.20.0.0/16".into(), name: Some("console".into()),
            ike_config: Some(IkeConfig { psk: "from-console".into(), ike_version: "ikev2".into(), ike_enc_alg: "aes256".into(), ike_lifetime: 3600, ..Default::default() }),
            ipsec_config: Some(IpsecConfig { ipsec_auth_alg: "sha256".into(), ipsec_pfs: "group14".into(), ..Default::default() }), ..Default::default() })
        .await
        .unwrap()
        .vpn_connection_id;
    n.ok("PUT", &format!("/v1/hybrid/user-vpn/{dc}/sync"), json!({"syncVpcUserVpnGatewayFromRemote": {}})).await;
    let synced = n.ok("PUT", &format!("/v1/hybrid/vpn-connection/{dc}/sync"), json!({"syncVpcVpnConnectionFromRemote": {}})).await;
    let connections = synced["inventories"].as_array().unwrap().clone();
    assert_eq!(connections.len(), 2, "{synced}");
    let own = connections.iter().find(|c| uuid_of(c) == mine).expect("the node's connection keeps its uuid");
    assert_eq!((own["ikeConfigUuid"].as_str(), own["ipsecConfigUuid"].as_str()), (Some(ike.as_str()), Some(ipsec.as_str())), "the operator's records stay linked");
    let console = connections.iter().find(|c| c["connectionId"] == outside.as_str()).unwrap().clone();
    let remote = sim.sim.state.lock().vpn_connections[&outside].clone();
    let ikes = n.query(&format!("/v1/hybrid/vpn-connection/ike?q=uuid={}", console["ikeConfigUuid"].as_str().expect("an IKE record is linked"))).await;
    assert_eq!(ikes.len(), 1);
    let (rec, want) = (&ikes[0], &remote.ike_config);
    assert_eq!((&rec["psk"], &rec["version"], &rec["encAlg"], &rec["lifetime"]), (&json!("from-console"), &json!("ikev2"), &json!("aes256"), &json!(3600)));
    assert_eq!((&rec["mode"], &rec["authAlg"], &rec["pfs"], &rec["localIp"], &rec["remoteIp"]), (&want["IkeMode"], &want["IkeAuthAlg"], &want["IkePfs"], &want["LocalId"], &want["RemoteId"]));
    let ipsecs = n.query(&format!("/v1/hybrid/vpn-connection/ipsec?q=uuid={}", console["ipsecConfigUuid"].as_str().expect("an IPsec record is linked"))).await;
    assert_eq!((&ipsecs[0]["authAlg"], &ipsecs[0]["pfs"], &ipsecs[0]["encAlg"]), (&json!("sha256"), &json!("group14"), &remote.ipsec_config["IpsecEncAlg"]));
    assert_eq!(n.query("/v1/hybrid/vpn-connection/ike").await.len(), 2);
    // Nothing changed: nothing written.
    let writes = || n.app.store.db.statements_submitted();
    let before = writes();
    zstack::hybrid::vpn::connections_sync(&n.app, &dc).await.unwrap();
    assert_eq!(writes(), before, "an unchanged second sync writes nothing");
    // Changed in the console: the same records are brought up to date.
    sim.sim.state.lock().vpn_connections.get_mut(&outside).unwrap().ike_config.insert("IkeEncAlg".into(), json!("3des"));
    let again = zstack::hybrid::vpn::connections_sync(&n.app, &dc).await.unwrap();
    let relinked = again.iter().find(|c| c["connectionId"] == outside.as_str()).unwrap();
    assert_eq!(relinked["ikeConfigUuid"], console["ikeConfigUuid"]);
    assert_eq!(n.query(&format!("/v1/hybrid/vpn-connection/ike?q=uuid={}", console["ikeConfigUuid"].as_str().unwrap())).await[0]["encAlg"], "3des");
    // Deleted in the console: the connection and the records sync made for it go; the
    // operator's records stay.
    c.delete_vpn_connection(REGION, &outside).await.unwrap();
    let left = zstack::hybrid::vpn::connections_sync(&n.app, &dc).await.unwrap();
    assert_eq!(left.len(), 1);
    let ikes: Vec<String> = n.query("/v1/hybrid/vpn-connection/ike").await.iter().map(uuid_of).collect();
    let ipsecs: Vec<String> = n.query("/v1/hybrid/vpn-connection/ipsec").await.iter().map(uuid_of).collect();
    assert_eq!((ikes, ipsecs), (vec![ike], vec![ipsec]));
}
