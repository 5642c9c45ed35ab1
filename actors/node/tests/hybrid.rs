//! Hybrid cloud end to end: the node, pointed at the Alibaba Cloud simulator
//! started in-process, manages AccessKeys, DataCenters, zones and the
//! resources in them; the simulator's own state is checked at each step.

mod common;

use common::hybrid::{id, node, sim, state, writes, REGION};
use common::{uuid_of, Node};
use serde_json::{json, Value};
use std::time::Duration;
use zstack_aliyun_sim::SimServer;

const ZONE: &str = "cn-hangzhou-h";
const KEY_ID: &str = "testid";
const KEY_SECRET: &str = "testsecret";

async fn add_key(n: &Node, secret: &str) -> Value {
    n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": KEY_ID, "secret": secret})).await
}

/// An AccessKey and the DataCenter of REGION at the simulator.
async fn data_center(n: &Node, sim: &SimServer) -> String {
    add_key(n, KEY_SECRET).await;
    let dc = n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await;
    uuid_of(&dc)
}

#[actix_web::test]
async fn access_key_secret_is_sealed_at_rest_and_never_returned() {
    let n = node().await;
    let secret = "Sup3r-Secret-Value-9f2c";
    let (status, body) = n.call("POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "ak", "key": "LTAIexample", "secret": secret}}))).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.to_string().contains(secret), "the add reply shows the secret: {body}");
    let key = body["inventory"].clone();
    assert_eq!(key["key"], "LTAIexample");
    assert_eq!(key["current"], true, "the first key is attached at once");
    let uuid = uuid_of(&key);
    let listed = n.ok("GET", "/v1/hybrid/hybrid/key", Value::Null).await;
    assert_eq!(listed["inventories"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(secret), "the query shows the secret: {listed}");
    let updated = n.ok("POST", &format!("/v1/hybrid/aliyun/{uuid}/key"), json!({"params": {"name": "renamed"}})).await;
    assert_eq!(updated["inventory"]["name"], "renamed");
    assert!(!updated.to_string().contains(secret));
    // The stored row holds only the sealed form, which opens with the node key.
    let sealed = n.app.store.inv_must(&zstack::tables::HYBRID_KEY_SECRET, &uuid).await.unwrap();
    let sealed = sealed["sealed"].as_str().unwrap().to_string();
    assert!(!sealed.contains(secret));
    assert_eq!(n.app.hybrid.secrets.open(&uuid, &sealed).unwrap(), secret);
    // On SQLite, the plaintext is nowhere in the database files.
    let dir = &n.app.settings.data_dir;
    if n.app.settings.database_url.is_empty() {
        for f in ["zstack.db", "zstack.db-wal"] {
            if let Ok(bytes) = std::fs::read(dir.join(f)) {
                assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{f} holds the plaintext secret");
            }
        }
    }
    // A second key is not current until attached; attaching moves the mark.
    let second = uuid_of(&n.create("/v1/hybrid/aliyun/key", json!({"name": "ak2", "key": "LTAIother", "secret": "x"})).await);
    n.ok("PUT", &format!("/v1/hybrid/aliyun/key/{second}/attach"), json!({"attachAliyunKey": {}})).await;
    let current: Vec<Value> = n.query("/v1/hybrid/hybrid/key?q=current=true").await;
    assert_eq!(current.iter().map(uuid_of).collect::<Vec<_>>(), vec![second.clone()]);
    n.ok("PUT", &format!("/v1/hybrid/aliyun/key/{second}/detach"), json!({"detachAliyunKey": {}})).await;
    assert!(n.query("/v1/hybrid/hybrid/key?q=current=true").await.is_empty());
    // Bad input: the same AccessKey twice, a missing secret.
    let e = n.fails("POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "dup", "key": "LTAIexample", "secret": "y"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = n.fails("POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "nosecret", "key": "LTAIthird"}}))).await;
    assert!(e["details"].as_str().unwrap().contains("secret"), "{e}");
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/key/{uuid}"), Value::Null).await;
    assert!(n.app.store.inv_get(&zstack::tables::HYBRID_KEY_SECRET, &uuid).await.unwrap().is_none(), "the sealed secret goes with its key");
}

#[actix_web::test]
async fn data_center_and_identity_zones_come_from_the_simulator() {
    let sim = sim();
    let n = node().await;
    // Nothing can be called before a key is attached.
    let e = n.fails("POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url}}))).await;
    assert!(e["details"].as_str().unwrap().contains("AccessKey"), "{e}");
    let dc = data_center(&n, &sim).await;
    let remote = n.ok("GET", &format!("/v1/hybrid/data-center/remote?type=aliyun&endpoint={}", sim.base_url), Value::Null).await;
    assert!(remote["inventories"].as_array().unwrap().iter().any(|r| r["regionId"] == REGION), "{remote}");
    let listed = n.query("/v1/hybrid/data-center").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["regionId"], REGION);
    assert_eq!(listed[0]["dcType"], "aliyun");
    let sim_zones: Vec<String> = zstack_aliyun_sim::state::REGIONS.iter().find(|r| r.region_id == REGION).unwrap().zones.iter().map(|z| z.to_string()).collect();
    let zone = n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await;
    assert_eq!(zone["zoneId"], ZONE);
    assert_eq!(zone["dataCenterUuid"], dc.as_str());
    let remote_zones = n.ok("GET", &format!("/v1/hybrid/identity-zone/remote?dataCenterUuid={dc}"), Value::Null).await;
    assert_eq!(remote_zones["inventories"].as_array().unwrap().len(), sim_zones.len());
    // Sync: the other zones appear, the one added keeps its uuid.
    n.ok("GET", &format!("/v1/hybrid/identity-zone/{dc}/sync"), Value::Null).await;
    let zones = n.query(&format!("/v1/hybrid/identity-zone?q=dataCenterUuid={dc}")).await;
    let mut ids: Vec<String> = zones.iter().map(|z| z["zoneId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    let mut want = sim_zones.clone();
    want.sort();
    assert_eq!(ids, want);
    assert!(zones.iter().any(|z| uuid_of(z) == uuid_of(&zone)));
    n.ok("GET", &format!("/v1/hybrid/data-center/{dc}/sync"), Value::Null).await;
    // A second sync with nothing changed writes nothing (called directly, so
    // the API job's own rows are not counted).
    let before = writes(&n);
    let again = zstack::hybrid::datacenter::zones_sync(&n.app, &dc).await.unwrap();
    assert_eq!(again.len(), sim_zones.len());
    assert_eq!(writes(&n), before, "an unchanged sync must not write");
    // Bad input.
    let e = n.fails("POST", "/v1/hybrid/identity-zone", Some(json!({"params": {"dataCenterUuid": dc, "zoneId": "cn-nowhere-z"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = n.fails("POST", "/v1/hybrid/identity-zone", Some(json!({"params": {"dataCenterUuid": "0123456789abcdef0123456789abcdef", "zoneId": ZONE}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    let e = n.fails("POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": "xx-nowhere-1", "type": "aliyun", "endpoint": sim.base_url}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = n.fails("POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aws", "endpoint": sim.base_url}}))).await;
    assert!(e["details"].as_str().unwrap().contains("aws"), "{e}");
    // Deleting the DataCenter locally takes its zones with it; Alibaba is not called.
    let calls_before = n.app.hybrid.clients.stats().calls;
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{dc}"), Value::Null).await;
    assert!(n.query("/v1/hybrid/data-center").await.is_empty());
    assert!(n.query("/v1/hybrid/identity-zone").await.is_empty());
    assert_eq!(n.app.hybrid.clients.stats().calls, calls_before);
}

#[actix_web::test]
async fn a_wrong_secret_fails_with_alibabas_code_and_stores_nothing() {
    let sim = sim();
    let n = node().await;
    add_key(&n, "not-the-secret").await;
    let e = n.fails("POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url}}))).await;
    assert_eq!(e["code"], "SYS.1006", "{e}");
    assert_eq!(e["cause"]["code"], "SignatureDoesNotMatch", "{e}");
    assert!(e["details"].as_str().unwrap().contains("DescribeRegions"), "{e}");
    assert!(n.query("/v1/hybrid/data-center").await.is_empty(), "no half-made record");
}

const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";
const PASSWORD: &str = "Passw0rd!x";

fn fault(sim: &SimServer, rule: Value) {
    sim.sim.faults.lock().add(serde_json::from_value(rule).unwrap()).unwrap();
}

/// A DataCenter with one zone, a VPC, a VSwitch, a security group and the system images.
struct Net {
    dc: String,
    zone: String,
    vpc: Value,
    vswitch: Value,
    group: Value,
    image: String,
}

async fn net(n: &Node, sim: &SimServer) -> Net {
    let dc = data_center(n, sim).await;
    let zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);
    let vpc = n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "172.16.0.0/12", "name": "vpc1", "vRouterName": "vr1"})).await;
    let vswitch = n.create("/v1/hybrid/aliyun/vswitch", json!({"vpcUuid": uuid_of(&vpc), "identityZoneUuid": zone, "cidrBlock": "172.16.1.0/24", "name": "vsw1"})).await;
    let group = n.create("/v1/hybrid/aliyun/security-group/remote", json!({"vpcUuid": uuid_of(&vpc), "name": "sg1"})).await;
    let images = n.ok("POST", &format!("/v1/hybrid/aliyun/image/{dc}/sync"), json!({"params": {}})).await;
    let image = images["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).map(uuid_of).expect("the system image is synced");
    Net { dc, zone, vpc, vswitch, group, image }
}

async fn ecs(n: &Node, net: &Net, name: &str) -> Value {
    n.create("/v1/hybrid/aliyun/ecs", json!({"name": name, "ecsImageUuid": net.image, "ecsVSwitchUuid": uuid_of(&net.vswitch),
        "ecsSecurityGroupUuid": uuid_of(&net.group), "ecsRootPassword": PASSWORD})).await
}

/// A client of the simulator that bypasses the node (changes made "outside").
fn outside_client(sim: &SimServer) -> zstack_aliyun::AliyunClient {
    zstack_aliyun::AliyunClient::new(
        zstack_aliyun::Credentials { access_key_id: KEY_ID.into(), access_key_secret: KEY_SECRET.into() },
        zstack_aliyun::ClientConfig { endpoints: zstack_aliyun::Endpoints::all_at(&sim.base_url), ..Default::default() },
    )
    .unwrap()
}

#[actix_web::test]
async fn ecs_instance_lifecycle_with_disk_and_eip_end_to_end() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    let (vpc_id, vsw_id, sg_id) = (id(&net.vpc, "ecsVpcId"), id(&net.vswitch, "vSwitchId"), id(&net.group, "securityGroupId"));
    {
        let st = state(&sim);
        assert_eq!(st.vpcs[&vpc_id].cidr.to_string(), "172.16.0.0/12");
        assert_eq!(st.vswitches[&vsw_id].vpc_id, vpc_id);
        assert_eq!(st.vswitches[&vsw_id].zone_id, ZONE);
        assert_eq!(st.security_groups[&sg_id].vpc_id, vpc_id);
    }
    // Bad input: a VSwitch CIDR outside its VPC's is refused before Alibaba is called.
    let e = n.fails("POST", "/v1/hybrid/aliyun/vswitch", Some(json!({"params": {"vpcUuid": uuid_of(&net.vpc), "identityZoneUuid": net.zone, "cidrBlock": "10.0.0.0/24", "name": "out"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    assert!(e["details"].as_str().unwrap().contains("not inside"), "{e}");
    assert_eq!(state(&sim).vswitches.len(), 1);
    // A rule, then the group's rules synced back unchanged.
    let rule = n.create("/v1/hybrid/aliyun/security-group-rule", json!({"groupUuid": uuid_of(&net.group), "direction": "ingress", "protocol": "tcp",
        "portRange": "22/22", "cidr": "0.0.0.0/0"})).await;
    assert_eq!(state(&sim).security_groups[&sg_id].rules.len(), 1);
    let rules = n.ok("PUT", &format!("/v1/hybrid/aliyun/security-group-rule/{}/sync", uuid_of(&net.group)), json!({"syncEcsSecurityGroupRuleFromRemote": {}})).await;
    assert_eq!(rules["inventories"].as_array().unwrap().iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&rule)]);

    let types = n.ok("GET", &format!("/v1/hybrid/ecs/type?identityZoneUuid={}", net.zone), Value::Null).await;
    assert!(types["types"].as_array().unwrap().iter().any(|t| t == "ecs.t5-lc1m1.small"), "{types}");
    // The instance: created running, then stopped, started, rebooted.
    let vm = ecs(&n, &net, "ecs1").await;
    let ecs_id = id(&vm, "ecsInstanceId");
    assert_eq!(vm["ecsStatus"], "Running");
    assert_eq!(vm["ecsVSwitchUuid"], uuid_of(&net.vswitch).as_str());
    assert_eq!(vm["ecsSecurityGroupUuid"], uuid_of(&net.group).as_str());
    assert_eq!(vm["identityZoneUuid"], net.zone.as_str());
    {
        let st = state(&sim);
        let i = &st.instances[&ecs_id];
        assert_eq!(i.status.current.as_str(), "Running");
        assert_eq!(i.vswitch_id, vsw_id);
        assert!(i.password_set);
    }
    let ecs_path = format!("/v1/hybrid/aliyun/ecs/{}/actions", uuid_of(&vm));
    n.ok("PUT", &ecs_path, json!({"stopEcsInstance": {}})).await;
    assert_eq!(state(&sim).instances[&ecs_id].status.current.as_str(), "Stopped");
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/ecs?q=uuid={}", uuid_of(&vm))).await[0]["ecsStatus"], "Stopped");
    n.ok("PUT", &ecs_path, json!({"startEcsInstance": {}})).await;
    assert_eq!(state(&sim).instances[&ecs_id].status.current.as_str(), "Running");
    n.ok("PUT", &ecs_path, json!({"rebootEcsInstance": {}})).await;
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/ecs?q=uuid={}", uuid_of(&vm))).await[0]["ecsStatus"], "Running");
    let vnc = n.ok("GET", &format!("/v1/hybrid/aliyun/ecs-vnc/{}", uuid_of(&vm)), Value::Null).await;
    assert_eq!(vnc["ecsId"], ecs_id.as_str());
    assert!(vnc["vncUrl"].as_str().unwrap().contains(&ecs_id), "{vnc}");
    let renamed = n.ok("POST", &format!("/v1/hybrid/aliyun/{}/ecs", uuid_of(&vm)), json!({"params": {"name": "ecs1-renamed", "password": "N3w-Passw0rd"}})).await;
    assert_eq!(renamed["inventory"]["name"], "ecs1-renamed");
    assert_eq!(state(&sim).instances[&ecs_id].name, "ecs1-renamed");

    // A data disk: created, attached, detached.
    let disk = n.create("/v1/hybrid/aliyun/disk", json!({"identityUuid": net.zone, "name": "data1", "sizeWithGB": 40})).await;
    let disk_id = id(&disk, "diskId");
    assert_eq!(state(&sim).disks[&disk_id].size_gb, 40);
    let attached = n.ok("POST", &format!("/v1/hybrid/aliyun/disk/{}/attach", uuid_of(&disk)), json!({"params": {"ecsUuid": uuid_of(&vm)}})).await;
    assert_eq!(attached["inventory"]["ecsInstanceUuid"], uuid_of(&vm).as_str());
    assert_eq!(state(&sim).disks[&disk_id].instance_id.as_deref(), Some(ecs_id.as_str()));
    n.ok("POST", &format!("/v1/hybrid/aliyun/disk/{}/detach", uuid_of(&disk)), json!({"params": {}})).await;
    assert_eq!(state(&sim).disks[&disk_id].instance_id, None);

    // An EIP: allocated, attached, detached.
    let eip = n.create("/v1/hybrid/eip", json!({"name": "eip1", "bandWidthMb": 5, "type": "aliyun", "dataCenterUuid": net.dc, "chargeType": "PayByTraffic"})).await;
    let eip_id = id(&eip, "eipId");
    assert_eq!(state(&sim).eips[&eip_id].bandwidth, 5);
    let on = n.ok("POST", &format!("/v1/hybrid/eip/{}/attach", uuid_of(&eip)), json!({"params": {"ecsUuid": uuid_of(&vm), "type": "aliyun"}})).await;
    assert_eq!(on["inventory"]["allocateResourceUuid"], uuid_of(&vm).as_str());
    assert_eq!(state(&sim).eips[&eip_id].instance_id.as_deref(), Some(ecs_id.as_str()));
    n.ok("POST", &format!("/v1/hybrid/eip/{}/detach", uuid_of(&eip)), json!({"params": {"type": "aliyun"}})).await;
    assert_eq!(state(&sim).eips[&eip_id].instance_id, None);

    // Bad input: unknown uuids.
    let e = n.fails("POST", "/v1/hybrid/aliyun/disk/0123456789abcdef0123456789abcdef/attach", Some(json!({"params": {"ecsUuid": uuid_of(&vm)}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    let e = n.fails("PUT", "/v1/hybrid/aliyun/ecs/0123456789abcdef0123456789abcdef/actions", Some(json!({"startEcsInstance": {}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");

    // Delete everything remotely: Alibaba first, then the local records.
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/disk/{}/remote", uuid_of(&disk)), Value::Null).await;
    assert!(!state(&sim).disks.contains_key(&disk_id));
    n.ok("DELETE", &format!("/v1/hybrid/eip/{}/remote?type=aliyun", uuid_of(&eip)), Value::Null).await;
    assert!(!state(&sim).eips.contains_key(&eip_id));
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/ecs/{}/remote", uuid_of(&vm)), Value::Null).await;
    assert!(!state(&sim).instances.contains_key(&ecs_id));
    assert!(n.query("/v1/hybrid/aliyun/ecs").await.is_empty());
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/security-group-rule/remote/{}", uuid_of(&rule)), Value::Null).await;
    assert!(state(&sim).security_groups[&sg_id].rules.is_empty());
    // Alibaba refuses to delete a VPC that still has a VSwitch: the local record stays.
    let e = n.fails("DELETE", &format!("/v1/hybrid/aliyun/vpc/remote/{}", uuid_of(&net.vpc)), None).await;
    assert!(e["cause"]["code"].as_str().unwrap().starts_with("DependencyViolation"), "{e}");
    assert_eq!(n.query("/v1/hybrid/aliyun/vpc").await.len(), 1);
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/security-group/remote/{}", uuid_of(&net.group)), Value::Null).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/vswitch/remote/{}", uuid_of(&net.vswitch)), Value::Null).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/vpc/remote/{}", uuid_of(&net.vpc)), Value::Null).await;
    {
        let st = state(&sim);
        assert!(st.vpcs.is_empty() && st.vswitches.is_empty() && st.security_groups.is_empty() && st.instances.is_empty());
    }
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{}", net.dc), Value::Null).await;
    for path in ["/v1/hybrid/aliyun/vpc", "/v1/hybrid/aliyun/vswitch", "/v1/hybrid/aliyun/security-group", "/v1/hybrid/aliyun/image", "/v1/hybrid/identity-zone"] {
        assert!(n.query(path).await.is_empty(), "{path} left behind");
    }
}

#[actix_web::test]
async fn sync_reflects_remote_changes_and_writes_nothing_when_unchanged() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    let vm = ecs(&n, &net, "mine").await;
    // Made and changed outside the node: a VSwitch, an instance, a stopped instance.
    let client = outside_client(&sim);
    let outside = client
        .create_vswitch(REGION, &zstack_aliyun::vpc::CreateVSwitchRequest { vpc_id: id(&net.vpc, "ecsVpcId"), zone_id: ZONE.into(), cidr_block: "172.16.2.0/24".into(), ..Default::default() })
        .await
        .unwrap();
    let request = zstack_aliyun::ecs::RunInstancesRequest { image_id: IMAGE_ID.into(), instance_type: "ecs.c6.large".into(), security_group_id: id(&net.group, "securityGroupId"),
        v_switch_id: outside.v_switch_id.clone(), ..Default::default() };
    let made = client.run_instances(REGION, &request).await.unwrap().instance_id_sets[0].clone();
    // Let every transition end, so only what is done below changes anything.
    sim.sim.clock.advance(Duration::from_secs(5));
    n.ok("GET", &format!("/v1/hybrid/data-center/{}/sync", net.dc), Value::Null).await;
    let found = n.query(&format!("/v1/hybrid/aliyun/ecs?q=ecsInstanceId={made}")).await;
    assert_eq!(found.len(), 1, "the instance made outside appears");
    let vsw = n.query(&format!("/v1/hybrid/aliyun/vswitch?q=vSwitchId={}", outside.v_switch_id)).await;
    assert_eq!(found[0]["ecsVSwitchUuid"], vsw[0]["uuid"], "and refers to the VSwitch found with it");
    assert_eq!(found[0]["ecsInstanceType"], "ecs.c6.large");
    // Nothing changed: a second full sync writes nothing.
    let before = writes(&n);
    let again = zstack::hybrid::datacenter::sync_everything(&n.app, &net.dc).await.unwrap();
    assert_eq!(again.changes(), 0, "{again:?}");
    assert_eq!(writes(&n), before, "an unchanged sync must not write");
    // Stopped and deleted outside: the status is picked up, the deleted one disappears.
    client.stop_instance(REGION, &id(&vm, "ecsInstanceId"), true).await.unwrap();
    sim.sim.clock.advance(Duration::from_secs(5));
    client.delete_instance(REGION, &made, true).await.unwrap();
    n.ok("POST", &format!("/v1/hybrid/aliyun/ecs/{}/sync", net.dc), json!({"params": {}})).await;
    assert!(n.query(&format!("/v1/hybrid/aliyun/ecs?q=ecsInstanceId={made}")).await.is_empty());
    assert_eq!(n.query(&format!("/v1/hybrid/aliyun/ecs?q=uuid={}", uuid_of(&vm))).await[0]["ecsStatus"], "Stopped");
    // Deleting the DataCenter locally removes everything below it locally;
    // Alibaba Cloud is not called and keeps its resources.
    let calls = n.app.hybrid.clients.stats().calls;
    let counts = |sim: &SimServer| {
        let st = state(sim);
        (st.instances.len(), st.vswitches.len(), st.security_groups.len())
    };
    let remote_before = counts(&sim);
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{}", net.dc), Value::Null).await;
    for path in ["/v1/hybrid/aliyun/ecs", "/v1/hybrid/aliyun/vpc", "/v1/hybrid/aliyun/vswitch", "/v1/hybrid/aliyun/security-group",
        "/v1/hybrid/aliyun/security-group-rule", "/v1/hybrid/aliyun/image", "/v1/hybrid/aliyun/disk", "/v1/hybrid/eip", "/v1/hybrid/identity-zone"] {
        assert!(n.query(path).await.is_empty(), "{path} left behind");
    }
    assert_eq!(n.app.hybrid.clients.stats().calls, calls);
    assert_eq!(counts(&sim), remote_before);
    assert_eq!(remote_before.0, 1, "the node's own instance is still on Alibaba Cloud");
}

#[actix_web::test]
async fn the_status_poller_records_an_instance_stopped_outside_without_a_sync() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    let vm = ecs(&n, &net, "polled").await;
    assert_eq!(vm["ecsStatus"], "Running");
    outside_client(&sim).stop_instance(REGION, &id(&vm, "ecsInstanceId"), true).await.unwrap();
    sim.sim.clock.advance(Duration::from_secs(5));
    let by_uuid = format!("/v1/hybrid/aliyun/ecs?q=uuid={}", uuid_of(&vm));
    assert_eq!(n.query(&by_uuid).await[0]["ecsStatus"], "Running", "nothing has told the node yet");
    // The first two rounds fail on Alibaba's side: they are logged and skipped,
    // and the round after records the new status.
    fault(&sim, json!({"action": "DescribeInstances", "kind": "fail", "code": "Forbidden.RAM", "status": 403, "count": 2}));
    let describes = |sim: &SimServer| sim.sim.faults.lock().rules().iter().filter(|r| r.action == "DescribeInstances").count();
    n.ok("PUT", "/v1/global-configurations/hybrid/ecs.status.poll.interval/actions", json!({"updateGlobalConfig": {"value": "1"}})).await;
    let mut seen = Value::Null;
    for _ in 0..150 {
        seen = n.query(&by_uuid).await[0]["ecsStatus"].clone();
        if seen == "Stopped" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Stopped", "the poller records the status within a few seconds");
    assert_eq!(describes(&sim), 0, "the failing rounds came first and were used up");
    // Unchanged statuses write nothing, whether polled directly or by the loop.
    let before = writes(&n);
    let remote = zstack::hybrid::client::for_data_center(&n.app, &net.dc).await.unwrap();
    let polled = zstack::hybrid::poller::statuses_refresh(&n.app, &remote).await.unwrap();
    assert_eq!((polled.changes(), polled.inventories.len()), (0, 1), "{polled:?}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(writes(&n), before, "an unchanged poll must not write");
}

#[actix_web::test]
async fn throttling_is_retried_failures_carry_alibabas_code_and_leave_nothing() {
    let sim = sim();
    let n = node().await;
    let dc = data_center(&n, &sim).await;
    // Throttled twice: the client backs off and the VPC is made once.
    fault(&sim, json!({"action": "CreateVpc", "kind": "throttle", "count": 2}));
    let retries = n.app.hybrid.clients.stats().retries;
    let vpc = n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "192.168.0.0/16", "name": "v", "vRouterName": "r"})).await;
    assert_eq!(state(&sim).vpcs.len(), 1);
    assert!(n.app.hybrid.clients.stats().retries >= retries + 2);
    // A failure Alibaba will not retry: its code is in the ZStack error, no local record.
    let zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);
    fault(&sim, json!({"action": "CreateVSwitch", "kind": "fail", "code": "QuotaExceeded.VSwitch", "status": 400}));
    let e = n.fails("POST", "/v1/hybrid/aliyun/vswitch", Some(json!({"params": {"vpcUuid": uuid_of(&vpc), "identityZoneUuid": zone, "cidrBlock": "192.168.1.0/24", "name": "s"}}))).await;
    assert_eq!(e["cause"]["code"], "QuotaExceeded.VSwitch", "{e}");
    assert!(n.query("/v1/hybrid/aliyun/vswitch").await.is_empty());
    assert!(state(&sim).vswitches.is_empty());
    // Answers that never come: the job times out (SYS.1001) with no local record;
    // the same request again (same resourceUuid, so the same ClientToken) finds
    // the VPC Alibaba made meanwhile instead of making a second one.
    n.app.hybrid.clients.configure(|c| {
        c.timeout = Duration::from_millis(300);
        c.max_retries = 1;
    });
    fault(&sim, json!({"action": "CreateVpc", "kind": "timeout", "count": 2, "delay_ms": 1500}));
    let again = json!({"params": {"dataCenterUuid": dc, "cidrBlock": "10.0.0.0/8", "name": "slow", "vRouterName": "r", "resourceUuid": "abcdefabcdefabcdefabcdefabcdef01"}});
    let e = n.fails("POST", "/v1/hybrid/aliyun/vpc", Some(again.clone())).await;
    assert_eq!(e["code"], "SYS.1001", "{e}");
    assert_eq!(n.query("/v1/hybrid/aliyun/vpc").await.len(), 1, "no half-made record");
    assert_eq!(state(&sim).vpcs.len(), 2, "Alibaba made it before the answer was lost");
    n.app.hybrid.clients.configure(|c| c.timeout = Duration::from_secs(10));
    let made = n.ok("POST", "/v1/hybrid/aliyun/vpc", again).await["inventory"].clone();
    assert_eq!(state(&sim).vpcs.len(), 2, "the retried create made no duplicate");
    assert!(state(&sim).vpcs.contains_key(&id(&made, "ecsVpcId")));
}

#[actix_web::test]
async fn a_failed_ecs_creation_rolls_back_the_instance() {
    let sim = sim();
    let n = node().await;
    let net = net(&n, &sim).await;
    n.app.faults.fail_step(zstack::hybrid::ecs::CREATE_ECS, "record-locally");
    let e = n.fails("POST", "/v1/hybrid/aliyun/ecs", Some(json!({"params": {"name": "doomed", "ecsImageUuid": net.image,
        "ecsVSwitchUuid": uuid_of(&net.vswitch), "ecsSecurityGroupUuid": uuid_of(&net.group), "ecsRootPassword": PASSWORD}}))).await;
    assert!(e.to_string().contains("record-locally"), "{e}");
    assert!(state(&sim).instances.is_empty(), "the instance made on Alibaba is deleted again");
    assert!(n.query("/v1/hybrid/aliyun/ecs").await.is_empty());
    n.app.faults.clear();
    // Alibaba's own refusal (a weak password) comes back with its code.
    let e = n.fails("POST", "/v1/hybrid/aliyun/ecs", Some(json!({"params": {"name": "weak", "ecsImageUuid": net.image,
        "ecsVSwitchUuid": uuid_of(&net.vswitch), "ecsSecurityGroupUuid": uuid_of(&net.group), "ecsRootPassword": "short"}}))).await;
    assert!(e["cause"]["code"].as_str().unwrap().contains("Password"), "{e}");
    assert!(state(&sim).instances.is_empty());
}
