//! Alibaba Cloud disk snapshots, ECS images and disks made from them, and system disks,
//! end to end: the node, pointed at the in-process simulator, takes, renames, syncs,
//! deletes and garbage-collects snapshots, makes images and disks from them, and keeps
//! records of system disks (made with their instance, never detached or deleted on their
//! own, gone with it); the simulator's own state is checked at each step, and faults at
//! every step of the create flows leave nothing behind.

mod common;

use common::hybrid::{id, node, sim, state, writes, REGION};
use common::{uuid_of, Node};
use serde_json::{json, Value};
use std::time::Duration;
use zstack::hybrid::ecs::CREATE_ECS;
use zstack::hybrid::snapshot::{CREATE_IMAGE_FROM_SNAPSHOT, CREATE_SNAPSHOT};
use zstack_aliyun::snapshot::CreateSnapshotRequest;
use zstack_aliyun_sim::SimServer;

const ZONE: &str = "cn-hangzhou-h";
const KEY_ID: &str = "testid";
const KEY_SECRET: &str = "testsecret";
const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";
const PASSWORD: &str = "Passw0rd!x";
const SNAPSHOTS: &str = "/v1/hybrid/aliyun/snapshot";

fn fault(sim: &SimServer, rule: Value) {
    sim.sim.faults.lock().add(serde_json::from_value(rule).unwrap()).unwrap();
}

/// A client of the simulator that bypasses the node (changes made "outside").
fn outside_client(sim: &SimServer) -> zstack_aliyun::AliyunClient {
    zstack_aliyun::AliyunClient::new(
        zstack_aliyun::Credentials { access_key_id: KEY_ID.into(), access_key_secret: KEY_SECRET.into() },
        zstack_aliyun::ClientConfig { endpoints: zstack_aliyun::Endpoints::all_at(&sim.base_url), ..Default::default() },
    )
    .unwrap()
}

/// A DataCenter with a running ECS instance and a data disk attached to it.
struct World {
    dc: String,
    zone: String,
    vswitch: String,
    group: String,
    vm: Value,
    disk: Value,
    /// The instance's system disk on Alibaba Cloud.
    system_disk_id: String,
}

async fn world(n: &Node, sim: &SimServer) -> World {
    n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": KEY_ID, "secret": KEY_SECRET})).await;
    let dc = uuid_of(&n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await);
    let zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": dc, "zoneId": ZONE})).await);
    let vpc = uuid_of(&n.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "172.16.0.0/12", "name": "vpc1", "vRouterName": "vr1"})).await);
    let vswitch = uuid_of(&n.create("/v1/hybrid/aliyun/vswitch", json!({"vpcUuid": vpc, "identityZoneUuid": zone, "cidrBlock": "172.16.1.0/24", "name": "vsw1"})).await);
    let group = uuid_of(&n.create("/v1/hybrid/aliyun/security-group/remote", json!({"vpcUuid": vpc, "name": "sg1"})).await);
    let images = n.ok("POST", &format!("/v1/hybrid/aliyun/image/{dc}/sync"), json!({"params": {}})).await;
    let image = images["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).map(uuid_of).unwrap();
    let vm = n.create("/v1/hybrid/aliyun/ecs", json!({"name": "vm1", "ecsImageUuid": image, "ecsVSwitchUuid": vswitch, "ecsSecurityGroupUuid": group,
        "ecsRootPassword": PASSWORD})).await;
    let disk = n.create("/v1/hybrid/aliyun/disk", json!({"identityUuid": zone, "name": "data1", "sizeWithGB": 40})).await;
    let ecs_id = id(&vm, "ecsInstanceId");
    let system_disk_id = state(sim).disks.values().find(|d| d.instance_id.as_deref() == Some(&ecs_id) && d.disk_type == "system").unwrap().id.clone();
    World { dc, zone, vswitch, group, vm, disk, system_disk_id }
}

async fn attach(n: &Node, w: &World) {
    n.ok("POST", &format!("/v1/hybrid/aliyun/disk/{}/attach", uuid_of(&w.disk)), json!({"params": {"ecsUuid": uuid_of(&w.vm)}})).await;
}

/// The data disk detached and deleted on Alibaba Cloud through the node.
async fn remove_disk(n: &Node, w: &World) {
    n.ok("POST", &format!("/v1/hybrid/aliyun/disk/{}/detach", uuid_of(&w.disk)), json!({"params": {}})).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/disk/{}/remote", uuid_of(&w.disk)), Value::Null).await;
}

/// Alibaba slow (a minute a status step) and the node impatient (300 ms), or both back to normal.
fn slow_alibaba(n: &Node, sim: &SimServer, slow: bool) {
    state(sim).transition_step = if slow { Duration::from_secs(60) } else { Duration::from_millis(20) };
    let limit = if slow { Duration::from_millis(300) } else { Duration::from_secs(20) };
    n.app.hybrid.clients.configure(|c| c.transition_timeout = limit);
}

async fn take(n: &Node, disk: &Value, name: &str) -> Value {
    n.create(SNAPSHOTS, json!({"diskUuid": uuid_of(disk), "name": name, "description": format!("{name} of the data disk")})).await
}

/// A snapshot taken outside the node, once Alibaba has finished it.
async fn take_outside(sim: &SimServer, disk_id: &str, name: &str, tags: Vec<(String, String)>) -> String {
    let request = CreateSnapshotRequest { disk_id: disk_id.into(), snapshot_name: Some(name.into()), tags, ..Default::default() };
    let made = outside_client(sim).create_snapshot(REGION, &request).await.unwrap().snapshot_id;
    sim.sim.clock.advance(Duration::from_secs(1));
    made
}

/// The local record of the snapshot with this Alibaba id (synced first).
async fn synced(n: &Node, dc: &str, snapshot_id: &str) -> Value {
    n.ok("POST", &format!("{SNAPSHOTS}/{dc}/sync"), json!({"params": {"snapshotId": snapshot_id}})).await;
    let found = n.query(&format!("{SNAPSHOTS}?q=snapshotId={snapshot_id}")).await;
    assert_eq!(found.len(), 1, "{snapshot_id} synced: {found:?}");
    found[0].clone()
}

fn own_images(sim: &SimServer) -> Vec<String> {
    state(sim).images.values().filter(|i| i.owner_alias == "self").map(|i| i.id.clone()).collect()
}

#[actix_web::test]
async fn snapshot_and_image_life_cycle_checked_against_the_simulator() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    let disk_id = id(&w.disk, "diskId");

    // Bad input, each refused with nothing made anywhere.
    let e = n.fails("POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk)}}))).await;
    assert_eq!(e["code"], "SYS.1007", "a snapshot needs a name: {e}");
    let e = n.fails("POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": "0123456789abcdef0123456789abcdef", "name": "s"}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    // Alibaba's refusals come back with its code as the cause.
    let e = n.fails("POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk), "name": "early"}}))).await;
    assert_eq!((e["code"].as_str(), e["cause"]["code"].as_str()), (Some("SYS.1006"), Some("IncorrectDiskStatus.NeverAttached")), "a disk never attached: {e}");
    attach(&n, &w).await;
    let e = n.fails("POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk), "name": "auto-nightly"}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotName.Malformed", "names starting with auto are Alibaba's: {e}");
    assert!(n.query(SNAPSHOTS).await.is_empty());
    assert!(state(&sim).snapshots.is_empty());

    // A snapshot of the data disk: recorded once Alibaba has finished it.
    let snap = take(&n, &w.disk, "before-upgrade").await;
    let snap_id = id(&snap, "snapshotId");
    assert_eq!(snap["status"], "accomplished");
    assert_eq!(snap["diskUuid"], uuid_of(&w.disk).as_str());
    assert_eq!(snap["dataCenterUuid"], w.dc.as_str());
    assert_eq!(snap["aliyunSnapshotUsage"], "none");
    {
        let st = state(&sim);
        let s = &st.snapshots[&snap_id];
        assert_eq!((s.name.as_str(), s.description.as_str(), s.source_disk_id.as_str()), ("before-upgrade", "before-upgrade of the data disk", disk_id.as_str()));
        assert!(s.tags.contains(&("created-by".into(), "zstack".into())), "the node marks what it makes: {:?}", s.tags);
    }
    let by_disk = n.query(&format!("{SNAPSHOTS}?q=diskUuid={}", uuid_of(&w.disk))).await;
    assert_eq!(by_disk.iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&snap)]);
    let joined = n.query(&format!("{SNAPSHOTS}?q=disk.name=data1")).await;
    assert_eq!(joined.len(), 1, "queries join the disk");

    // Renamed on Alibaba and locally; a bad name changes neither.
    let actions = format!("{SNAPSHOTS}/{}/actions", uuid_of(&snap));
    let renamed = n.ok("PUT", &actions, json!({"updateAliyunSnapshot": {"name": "golden-data", "description": "kept"}})).await;
    assert_eq!(renamed["inventory"]["name"], "golden-data");
    assert_eq!(state(&sim).snapshots[&snap_id].name, "golden-data");
    assert_eq!(state(&sim).snapshots[&snap_id].description, "kept");
    let e = n.fails("PUT", &actions, Some(json!({"updateAliyunSnapshot": {"name": "http://x"}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotName.Malformed", "{e}");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await[0]["name"], "golden-data");
    assert_eq!(state(&sim).snapshots[&snap_id].name, "golden-data");

    // An image needs a system-disk snapshot: Alibaba refuses a data-disk one.
    let images = "/v1/hybrid/aliyun/image/snapshot";
    let e = n.fails("POST", images, Some(json!({"params": {"snapshotUuid": uuid_of(&snap), "name": "from-data"}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotId.NotSystemDiskSnapshot", "{e}");
    let e = n.fails("POST", images, Some(json!({"params": {"snapshotUuid": "0123456789abcdef0123456789abcdef", "name": "x"}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    assert!(own_images(&sim).is_empty());
    assert!(n.query("/v1/hybrid/aliyun/image?q=type=self").await.is_empty());

    // The system disk's snapshot, taken outside and synced, makes an image.
    let root_id = take_outside(&sim, &w.system_disk_id, "root", vec![]).await;
    let root = synced(&n, &w.dc, &root_id).await;
    assert_eq!(root["status"], "accomplished");
    let system_disk = n.query(&format!("/v1/hybrid/aliyun/disk?q=diskId={}", w.system_disk_id)).await;
    assert_eq!(root["diskUuid"], system_disk[0]["uuid"], "the snapshot refers to the system disk's record: {root}");
    let image = n.create(images, json!({"snapshotUuid": uuid_of(&root), "name": "golden", "description": "from the root snapshot"})).await;
    let image_id = id(&image, "ecsImageId");
    assert_eq!((image["status"].as_str(), image["type"].as_str(), image["platform"].as_str()), (Some("Available"), Some("self"), Some("Ubuntu")));
    assert_eq!(image["dataCenterUuid"], w.dc.as_str());
    {
        let st = state(&sim);
        let i = &st.images[&image_id];
        assert_eq!((i.name.as_str(), i.source_snapshot_id.as_str(), i.status.current.as_str()), ("golden", root_id.as_str(), "Available"));
    }
    // The image pins its snapshot: Alibaba refuses the remote delete, the record stays.
    let e = n.fails("DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&root)), None).await;
    assert_eq!(e["cause"]["code"], "SnapshotCreatedImage", "{e}");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&root))).await.len(), 1);
    assert!(state(&sim).snapshots.contains_key(&root_id));
    assert_eq!(synced(&n, &w.dc, &root_id).await["aliyunSnapshotUsage"], "image");
    // Without the image it goes, on Alibaba first.
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/image/remote/{}", uuid_of(&image)), Value::Null).await;
    n.ok("DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&root)), Value::Null).await;
    assert!(!state(&sim).snapshots.contains_key(&root_id));
    assert!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&root))).await.is_empty());

    // A local delete leaves Alibaba's snapshot; a sync brings it back under a new uuid.
    n.ok("DELETE", &format!("{SNAPSHOTS}/{}", uuid_of(&snap)), Value::Null).await;
    assert!(n.query(SNAPSHOTS).await.is_empty());
    assert!(state(&sim).snapshots.contains_key(&snap_id));
    let back = synced(&n, &w.dc, &snap_id).await;
    assert_ne!(uuid_of(&back), uuid_of(&snap));
    assert_eq!(back["diskUuid"], uuid_of(&w.disk).as_str());
    n.ok("DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&back)), Value::Null).await;
    assert!(state(&sim).snapshots.is_empty());
    let e = n.fails("DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&back)), None).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");

    // Deleting the DataCenter locally takes the snapshots' records; Alibaba keeps them.
    let kept = take(&n, &w.disk, "kept").await;
    n.ok("DELETE", &format!("/v1/hybrid/data-center/{}", w.dc), Value::Null).await;
    assert!(n.query(SNAPSHOTS).await.is_empty());
    assert!(state(&sim).snapshots.contains_key(&id(&kept, "snapshotId")));
}

#[actix_web::test]
async fn faults_while_taking_a_snapshot_or_making_an_image_leave_nothing_behind() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    attach(&n, &w).await;
    let body = json!({"params": {"diskUuid": uuid_of(&w.disk), "name": "doomed"}});

    // Alibaba fails the call: its code is the cause.
    fault(&sim, json!({"action": "CreateSnapshot", "kind": "fail", "code": "QuotaExceed.Snapshot", "status": 403}));
    let e = n.fails("POST", SNAPSHOTS, Some(body.clone())).await;
    assert_eq!(e["cause"]["code"], "QuotaExceed.Snapshot", "{e}");
    assert!(state(&sim).snapshots.is_empty());
    assert!(n.query(SNAPSHOTS).await.is_empty());

    // Every step of the flow failing in turn: the snapshot Alibaba made is deleted again.
    for step in ["take-snapshot", "wait-accomplished", "record-locally"] {
        n.app.faults.fail_step(CREATE_SNAPSHOT, step);
        let e = n.fails("POST", SNAPSHOTS, Some(body.clone())).await;
        assert!(e.to_string().contains(step), "{step}: {e}");
        n.app.faults.clear();
        assert!(state(&sim).snapshots.is_empty(), "failing {step} left a snapshot on Alibaba Cloud");
        assert!(n.query(SNAPSHOTS).await.is_empty(), "failing {step} left a record");
    }
    // A snapshot Alibaba takes too long over: the job times out (SYS.1001), the snapshot goes.
    slow_alibaba(&n, &sim, true);
    let e = n.fails("POST", SNAPSHOTS, Some(body.clone())).await;
    assert_eq!(e["code"], "SYS.1001", "{e}");
    assert!(state(&sim).snapshots.is_empty());
    assert!(n.query(SNAPSHOTS).await.is_empty());
    slow_alibaba(&n, &sim, false);

    // Images: from the system disk's snapshot, synced.
    let root_id = take_outside(&sim, &w.system_disk_id, "root", vec![]).await;
    let root = synced(&n, &w.dc, &root_id).await;
    let image_body = json!({"params": {"snapshotUuid": uuid_of(&root), "name": "doomed-image"}});
    fault(&sim, json!({"action": "CreateImage", "kind": "fail", "code": "QuotaExceed.Image", "status": 403}));
    let e = n.fails("POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
    assert_eq!(e["cause"]["code"], "QuotaExceed.Image", "{e}");
    assert!(own_images(&sim).is_empty());
    for step in ["create-image", "wait-available", "record-locally"] {
        n.app.faults.fail_step(CREATE_IMAGE_FROM_SNAPSHOT, step);
        let e = n.fails("POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
        assert!(e.to_string().contains(step), "{step}: {e}");
        n.app.faults.clear();
        assert!(own_images(&sim).is_empty(), "failing {step} left an image on Alibaba Cloud");
        assert!(n.query("/v1/hybrid/aliyun/image?q=type=self").await.is_empty(), "failing {step} left a record");
    }
    slow_alibaba(&n, &sim, true);
    let e = n.fails("POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
    assert_eq!(e["code"], "SYS.1001", "{e}");
    assert!(own_images(&sim).is_empty(), "the image still Creating is deleted");
    slow_alibaba(&n, &sim, false);
    // With the faults gone, the same requests succeed once each.
    take(&n, &w.disk, "fine").await;
    n.create("/v1/hybrid/aliyun/image/snapshot", json!({"snapshotUuid": uuid_of(&root), "name": "fine-image"})).await;
    assert_eq!(state(&sim).snapshots.len(), 2);
    assert_eq!(own_images(&sim).len(), 1);
}

#[actix_web::test]
async fn sync_reflects_outside_changes_and_writes_nothing_when_unchanged() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    attach(&n, &w).await;
    let disk_id = id(&w.disk, "diskId");
    let mine = take(&n, &w.disk, "mine").await;
    let doomed = take(&n, &w.disk, "doomed").await;
    // Outside: a new snapshot, a rename, a deletion.
    let client = outside_client(&sim);
    let outside = take_outside(&sim, &disk_id, "outside", vec![]).await;
    client.modify_snapshot_attribute(REGION, &id(&mine, "snapshotId"), Some("renamed-outside"), None).await.unwrap();
    client.delete_snapshot(REGION, &id(&doomed, "snapshotId"), false).await.unwrap();
    let synced = n.ok("POST", &format!("{SNAPSHOTS}/{}/sync", w.dc), json!({"params": {}})).await;
    let names: Vec<&str> = synced["inventories"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["renamed-outside", "outside"]);
    let found = n.query(&format!("{SNAPSHOTS}?q=snapshotId={outside}")).await;
    assert_eq!(found[0]["diskUuid"], uuid_of(&w.disk).as_str(), "the outside snapshot refers to the disk the node knows");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&mine))).await[0]["name"], "renamed-outside", "the record keeps its uuid");
    assert!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&doomed))).await.is_empty());

    // Nothing changed: neither the snapshot sync nor the whole DataCenter's writes anything
    // (once the DataCenter's other resources have been synced a first time).
    n.ok("GET", &format!("/v1/hybrid/data-center/{}/sync", w.dc), Value::Null).await;
    let before = writes(&n);
    let remote = zstack::hybrid::client::for_data_center(&n.app, &w.dc).await.unwrap();
    let again = zstack::hybrid::snapshot::snapshots_sync(&n.app, &remote, None).await.unwrap();
    assert_eq!((again.changes(), again.inventories.len()), (0, 2), "{again:?}");
    let everything = zstack::hybrid::datacenter::sync_everything(&n.app, &w.dc).await.unwrap();
    assert_eq!(everything.changes(), 0, "{everything:?}");
    assert_eq!(writes(&n), before, "an unchanged sync must not write");

    // A sync of one snapshot touches only that one.
    client.modify_snapshot_attribute(REGION, &outside, Some("one"), None).await.unwrap();
    client.modify_snapshot_attribute(REGION, &id(&mine, "snapshotId"), Some("two"), None).await.unwrap();
    let one = n.ok("POST", &format!("{SNAPSHOTS}/{}/sync", w.dc), json!({"params": {"snapshotId": outside}})).await;
    assert_eq!(one["inventories"].as_array().unwrap().len(), 1);
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=snapshotId={outside}")).await[0]["name"], "one");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&mine))).await[0]["name"], "renamed-outside");

    // The disk goes (detached and deleted through the node): its snapshots stay on both
    // sides and lose only their reference to it.
    remove_disk(&n, &w).await;
    let left = n.query(SNAPSHOTS).await;
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|s| s.get("diskUuid").is_none_or(Value::is_null)), "{left:?}");
    assert_eq!(state(&sim).snapshots.len(), 2);
    // The DataCenter sync takes in snapshots too.
    take_outside(&sim, &w.system_disk_id, "root", vec![]).await;
    n.ok("GET", &format!("/v1/hybrid/data-center/{}/sync", w.dc), Value::Null).await;
    assert_eq!(n.query(SNAPSHOTS).await.len(), 3);
}

#[actix_web::test]
async fn gc_deletes_what_the_node_made_of_disks_that_are_gone() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    attach(&n, &w).await;
    let disk_id = id(&w.disk, "diskId");
    let gc = format!("{SNAPSHOTS}/{}/gc", w.dc);
    let e = n.fails("POST", &gc, Some(json!({"params": {"deleteMode": "Sometimes"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");

    let made = take(&n, &w.disk, "made-by-node").await;
    let outside = take_outside(&sim, &disk_id, "made-outside", vec![]).await;
    // A snapshot of the system disk marked as the node's, with an image made from it.
    let mark = vec![("created-by".to_string(), "zstack".to_string())];
    let pinned_id = take_outside(&sim, &w.system_disk_id, "pinned", mark).await;
    let pinned = synced(&n, &w.dc, &pinned_id).await;
    n.create("/v1/hybrid/aliyun/image/snapshot", json!({"snapshotUuid": uuid_of(&pinned), "name": "pinned-image"})).await;
    let outside_record = synced(&n, &w.dc, &outside).await;

    // While the disks exist, GC removes nothing.
    n.ok("POST", &gc, json!({"params": {}})).await;
    assert_eq!(state(&sim).snapshots.len(), 3);
    assert_eq!(n.query(SNAPSHOTS).await.len(), 3);

    // The data disk and the instance (with its system disk) go.
    remove_disk(&n, &w).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/ecs/{}/remote", uuid_of(&w.vm)), Value::Null).await;
    n.ok("POST", &gc, json!({"params": {"deleteMode": "Permissive"}})).await;
    {
        let st = state(&sim);
        assert!(!st.snapshots.contains_key(&id(&made, "snapshotId")), "the node's snapshot of a gone disk is deleted");
        assert!(st.snapshots.contains_key(&outside), "a snapshot made outside the node is left alone");
        assert!(st.snapshots.contains_key(&pinned_id), "a snapshot an image was made from is kept");
    }
    let left: Vec<String> = n.query(SNAPSHOTS).await.iter().map(uuid_of).collect();
    assert!(!left.contains(&uuid_of(&made)));
    assert!(left.contains(&uuid_of(&outside_record)) && left.contains(&uuid_of(&pinned)));

    // A record whose snapshot Alibaba no longer has goes too.
    outside_client(&sim).delete_snapshot(REGION, &outside, false).await.unwrap();
    n.ok("POST", &gc, json!({"params": {"deleteMode": "Enforcing"}})).await;
    assert_eq!(n.query(SNAPSHOTS).await.iter().map(uuid_of).collect::<Vec<_>>(), vec![uuid_of(&pinned)]);
    assert_eq!(state(&sim).snapshots.keys().cloned().collect::<Vec<_>>(), vec![pinned_id]);
}

const DISKS: &str = "/v1/hybrid/aliyun/disk";

async fn disk_records(n: &Node, query: &str) -> Vec<Value> {
    n.query(&format!("{DISKS}?q={query}")).await
}

/// A new ECS instance through the node, from `image` (a local EcsImage uuid).
async fn ecs_from(n: &Node, w: &World, image: &str, name: &str) -> Value {
    n.create("/v1/hybrid/aliyun/ecs", json!({"name": name, "ecsImageUuid": image, "ecsVSwitchUuid": w.vswitch, "ecsSecurityGroupUuid": w.group,
        "ecsRootPassword": PASSWORD})).await
}

#[actix_web::test]
async fn system_disks_are_recorded_with_their_instance_kept_attached_and_gone_with_it() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    // The ECS create flow recorded the instance's system disk.
    let system = disk_records(&n, &format!("ecsInstanceUuid={}", uuid_of(&w.vm))).await;
    assert_eq!(system.len(), 1, "{system:?}");
    let system = system[0].clone();
    assert_eq!((system["diskId"].as_str(), system["diskType"].as_str(), system["status"].as_str()), (Some(w.system_disk_id.as_str()), Some("System"), Some("In_use")));
    assert_eq!((system["deviceInfo"].as_str(), system["identityZoneUuid"].as_str(), system["dataCenterUuid"].as_str()), (Some("/dev/xvda"), Some(w.zone.as_str()), Some(w.dc.as_str())));
    assert_eq!(system["sizeWithGB"], state(&sim).disks[&w.system_disk_id].size_gb);
    assert_eq!(w.disk["diskType"], "Data");
    assert_eq!(disk_records(&n, "diskType=System").await.len(), 1, "queries tell system from data disks");

    // Detaching or deleting it alone is refused by the node; Alibaba is not asked.
    let calls = n.app.hybrid.clients.stats().calls;
    let e = n.fails("POST", &format!("{DISKS}/{}/detach", uuid_of(&system)), Some(json!({"params": {}}))).await;
    assert_eq!(e["code"], "SYS.1006", "{e}");
    assert!(e["details"].as_str().unwrap().contains("system disk") && e["details"].as_str().unwrap().contains("cannot be detached"), "{e}");
    let e = n.fails("DELETE", &format!("{DISKS}/{}/remote", uuid_of(&system)), None).await;
    assert_eq!(e["code"], "SYS.1006", "{e}");
    assert!(e["details"].as_str().unwrap().contains("cannot be deleted"), "{e}");
    assert_eq!(n.app.hybrid.clients.stats().calls, calls);
    assert_eq!(state(&sim).disks[&w.system_disk_id].instance_id.as_deref(), Some(id(&w.vm, "ecsInstanceId").as_str()));
    assert_eq!(disk_records(&n, &format!("uuid={}", uuid_of(&system))).await[0]["ecsInstanceUuid"], uuid_of(&w.vm).as_str());

    // Faults while recording an instance or its disks: nothing is left on either side.
    let image = n.query(&format!("/v1/hybrid/aliyun/image?q=ecsImageId={IMAGE_ID}")).await[0]["uuid"].as_str().unwrap().to_string();
    for step in ["record-locally", "record-disks"] {
        n.app.faults.fail_step(CREATE_ECS, step);
        let body = json!({"params": {"name": "doomed", "ecsImageUuid": image, "ecsVSwitchUuid": w.vswitch, "ecsSecurityGroupUuid": w.group, "ecsRootPassword": PASSWORD}});
        let e = n.fails("POST", "/v1/hybrid/aliyun/ecs", Some(body)).await;
        n.app.faults.clear();
        assert!(e.to_string().contains(step), "{step}: {e}");
        assert_eq!(state(&sim).instances.len(), 1, "failing {step} left an instance");
        assert_eq!(state(&sim).disks.len(), 2, "failing {step} left a disk on Alibaba Cloud");
        assert_eq!(n.query("/v1/hybrid/aliyun/ecs").await.len(), 1, "failing {step} left an instance record");
        assert_eq!(n.query(DISKS).await.len(), 2, "failing {step} left disk records");
    }

    // Deleted locally, the instance takes its system disk's record; its data disk stays, detached.
    attach(&n, &w).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/ecs/{}", uuid_of(&w.vm)), Value::Null).await;
    assert!(disk_records(&n, &format!("uuid={}", uuid_of(&system))).await.is_empty());
    let data = disk_records(&n, &format!("uuid={}", uuid_of(&w.disk))).await;
    assert!(data[0].get("ecsInstanceUuid").is_none_or(Value::is_null), "{data:?}");
    // A sync finds both again, the system disk under its instance's new record.
    n.ok("GET", &format!("/v1/hybrid/data-center/{}/sync", w.dc), Value::Null).await;
    let vm = n.query(&format!("/v1/hybrid/aliyun/ecs?q=ecsInstanceId={}", id(&w.vm, "ecsInstanceId"))).await[0].clone();
    let found = disk_records(&n, &format!("ecsInstanceUuid={}", uuid_of(&vm))).await;
    let mut types: Vec<&str> = found.iter().map(|d| d["diskType"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(types, vec!["Data", "System"]);
    // An unchanged disk sync writes nothing.
    let before = writes(&n);
    let remote = zstack::hybrid::client::for_data_center(&n.app, &w.dc).await.unwrap();
    let again = zstack::hybrid::disk::disks_sync(&n.app, &remote).await.unwrap();
    assert_eq!((again.changes(), again.inventories.len()), (0, 2), "{again:?}");
    assert_eq!(writes(&n), before);

    // Deleted on Alibaba Cloud, the instance takes its system disk and the data disks
    // released with it (deleteWithInstance); a data disk that survives stays, detached.
    let kept = n.create(DISKS, json!({"identityUuid": w.zone, "name": "kept", "sizeWithGB": 20})).await;
    let released = n.create(DISKS, json!({"identityUuid": w.zone, "name": "released", "sizeWithGB": 20})).await;
    n.ok("POST", &format!("{DISKS}/{}/attach", uuid_of(&released)), json!({"params": {"ecsUuid": uuid_of(&vm), "deleteWithInstance": true}})).await;
    n.ok("POST", &format!("{DISKS}/{}/attach", uuid_of(&kept)), json!({"params": {"ecsUuid": uuid_of(&vm)}})).await;
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/ecs/{}/remote", uuid_of(&vm)), Value::Null).await;
    {
        let st = state(&sim);
        assert!(!st.disks.contains_key(&w.system_disk_id) && !st.disks.contains_key(&id(&released, "diskId")));
        assert_eq!(st.disks[&id(&kept, "diskId")].instance_id, None);
    }
    let left: Vec<String> = n.query(DISKS).await.iter().map(|d| d["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(&"kept".to_string()) && left.contains(&"data1".to_string()), "{left:?}");
    assert!(n.query(DISKS).await.iter().all(|d| d.get("ecsInstanceUuid").is_none_or(Value::is_null)));
}

#[actix_web::test]
async fn an_instance_is_made_from_an_image_of_another_instances_system_disk_snapshot() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    let system = disk_records(&n, &format!("ecsInstanceUuid={}", uuid_of(&w.vm))).await[0].clone();
    // The system disk's snapshot, taken through the node.
    let snap = take(&n, &system, "root").await;
    assert_eq!((snap["diskUuid"].as_str(), snap["status"].as_str()), (Some(uuid_of(&system).as_str()), Some("accomplished")));
    assert_eq!(state(&sim).snapshots[&id(&snap, "snapshotId")].source_disk_type, "System");
    // An image from it; the snapshot's record learns it is used, without a sync.
    let image = n.create("/v1/hybrid/aliyun/image/snapshot", json!({"snapshotUuid": uuid_of(&snap), "name": "golden"})).await;
    assert_eq!(image["status"], "Available");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await[0]["aliyunSnapshotUsage"], "image");
    // An instance from the image, with its own system disk recorded.
    let vm2 = ecs_from(&n, &w, &uuid_of(&image), "vm2").await;
    assert_eq!((vm2["ecsStatus"].as_str(), vm2["ecsImageUuid"].as_str()), (Some("Running"), Some(uuid_of(&image).as_str())));
    let ecs_id = id(&vm2, "ecsInstanceId");
    assert_eq!(state(&sim).instances[&ecs_id].image_id, id(&image, "ecsImageId"));
    let disks = disk_records(&n, &format!("ecsInstanceUuid={}", uuid_of(&vm2))).await;
    assert_eq!(disks.len(), 1);
    assert_eq!(disks[0]["diskType"], "System");
    assert_eq!(state(&sim).disks[disks[0]["diskId"].as_str().unwrap()].image_id, id(&image, "ecsImageId"));
    // The image pins the snapshot.
    let e = n.fails("DELETE", &format!("{SNAPSHOTS}/{}/remote?deleteMode=Enforcing", uuid_of(&snap)), None).await;
    assert_eq!(e["cause"]["code"], "SnapshotCreatedImage", "{e}");
}

#[actix_web::test]
async fn the_disks_of_an_instance_never_started_cannot_be_snapshotted() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    // An instance created outside with CreateInstance: Stopped, never started; synced in.
    let st_vm = state(&sim).instances[&id(&w.vm, "ecsInstanceId")].clone();
    let request = zstack_aliyun::ecs::RunInstancesRequest { image_id: IMAGE_ID.into(), instance_type: "ecs.c6.large".into(),
        security_group_id: st_vm.security_group_ids[0].clone(), v_switch_id: st_vm.vswitch_id.clone(), ..Default::default() };
    let idle_id = outside_client(&sim).create_instance(REGION, &request).await.unwrap().instance_id;
    sim.sim.clock.advance(Duration::from_secs(1));
    n.ok("GET", &format!("/v1/hybrid/data-center/{}/sync", w.dc), Value::Null).await;
    let idle = n.query(&format!("/v1/hybrid/aliyun/ecs?q=ecsInstanceId={idle_id}")).await[0].clone();
    assert_eq!(idle["ecsStatus"], "Stopped");
    let system = disk_records(&n, &format!("ecsInstanceUuid={}", uuid_of(&idle))).await;
    assert_eq!((system.len(), system[0]["diskType"].as_str()), (1, Some("System")), "found by sync: {system:?}");
    // Alibaba refuses: the disk was never used. Nothing is made or recorded.
    let e = n.fails("POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&system[0]), "name": "never"}}))).await;
    assert_eq!((e["code"].as_str(), e["cause"]["code"].as_str()), (Some("SYS.1006"), Some("IncorrectDiskStatus.NeverUsed")), "{e}");
    assert!(state(&sim).snapshots.is_empty());
    assert!(n.query(SNAPSHOTS).await.is_empty());
    // Started once through the node, its disk can be snapshotted.
    n.ok("PUT", &format!("/v1/hybrid/aliyun/ecs/{}/actions", uuid_of(&idle)), json!({"startEcsInstance": {}})).await;
    let snap = take(&n, &system[0], "first-boot").await;
    assert_eq!(snap["status"], "accomplished");
}

#[actix_web::test]
async fn disks_are_made_from_snapshots_which_they_pin() {
    let sim = sim();
    let n = node().await;
    let w = world(&n, &sim).await;
    attach(&n, &w).await;
    let snap = take(&n, &w.disk, "data").await;
    let create = |body: Value| json!({"params": body});
    let disks_on_alibaba = |sim: &SimServer| state(sim).disks.len();
    let before = disks_on_alibaba(&sim);

    // Bad input, each refused with nothing made anywhere.
    let e = n.fails("POST", DISKS, Some(create(json!({"identityUuid": w.zone, "name": "x", "snapshotUuid": "0123456789abcdef0123456789abcdef"})))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "an unknown snapshot: {e}");
    let e = n.fails("POST", DISKS, Some(create(json!({"identityUuid": w.zone, "name": "x", "snapshotUuid": uuid_of(&snap), "sizeWithGB": 39})))).await;
    assert_eq!((e["code"].as_str(), e["cause"]["code"].as_str()), (Some("SYS.1006"), Some("InvalidDiskSize.TooSmall")), "below the snapshot's 40 GiB: {e}");
    let e = n.fails("POST", DISKS, Some(create(json!({"identityUuid": w.zone, "name": "x", "snapshotUuid": uuid_of(&snap), "sizeWithGB": 0})))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    // A snapshot of another DataCenter.
    let elsewhere = uuid_of(&n.create("/v1/hybrid/data-center", json!({"regionId": "cn-beijing", "type": "aliyun", "endpoint": sim.base_url})).await);
    let far_zone = uuid_of(&n.create("/v1/hybrid/identity-zone", json!({"dataCenterUuid": elsewhere, "zoneId": "cn-beijing-h"})).await);
    let e = n.fails("POST", DISKS, Some(create(json!({"identityUuid": far_zone, "name": "x", "snapshotUuid": uuid_of(&snap)})))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    assert!(e["details"].as_str().unwrap().contains("not in the data center"), "{e}");
    // A snapshot Alibaba has not finished (taken outside while Alibaba is slow, synced).
    state(&sim).transition_step = Duration::from_secs(60);
    let request = CreateSnapshotRequest { disk_id: w.system_disk_id.clone(), snapshot_name: Some("slow".into()), ..Default::default() };
    let slow_id = outside_client(&sim).create_snapshot(REGION, &request).await.unwrap().snapshot_id;
    let slow = synced(&n, &w.dc, &slow_id).await;
    assert_eq!(slow["status"], "progressing");
    let e = n.fails("POST", DISKS, Some(create(json!({"identityUuid": w.zone, "name": "x", "snapshotUuid": uuid_of(&slow)})))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotId.NotReady", "{e}");
    state(&sim).transition_step = Duration::from_millis(20);
    assert_eq!(disks_on_alibaba(&sim), before);
    assert_eq!(n.query(DISKS).await.len(), 2, "only the data disk and the system disk");

    // Without a size the disk has the snapshot's; a larger one is kept. The snapshot's
    // record learns it made a disk.
    let same = n.create(DISKS, json!({"identityUuid": w.zone, "name": "restored", "snapshotUuid": uuid_of(&snap)})).await;
    assert_eq!((same["sizeWithGB"].as_i64(), same["diskType"].as_str(), same["status"].as_str()), (Some(40), Some("Data"), Some("Available")));
    assert_eq!(state(&sim).disks[&id(&same, "diskId")].source_snapshot_id, id(&snap, "snapshotId"));
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await[0]["aliyunSnapshotUsage"], "disk");
    let larger = n.create(DISKS, json!({"identityUuid": w.zone, "name": "bigger", "snapshotUuid": uuid_of(&snap), "sizeWithGB": 64})).await;
    assert_eq!(larger["sizeWithGB"], 64);
    // A system disk's snapshot makes a data disk too.
    sim.sim.clock.advance(Duration::from_secs(1));
    let root = synced(&n, &w.dc, &slow_id).await;
    let from_root = n.create(DISKS, json!({"identityUuid": w.zone, "name": "root-copy", "snapshotUuid": uuid_of(&root)})).await;
    assert_eq!(from_root["diskType"], "Data");

    // The snapshot pins what it made: Alibaba refuses the delete without Force, the record stays;
    // deleteMode Enforcing passes Force and the snapshot goes, the disks stay.
    let e = n.fails("DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&snap)), None).await;
    assert_eq!(e["cause"]["code"], "SnapshotCreatedDisk", "{e}");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await.len(), 1);
    let e = n.fails("DELETE", &format!("{SNAPSHOTS}/{}/remote?deleteMode=Sometimes", uuid_of(&snap)), None).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    n.ok("DELETE", &format!("{SNAPSHOTS}/{}/remote?deleteMode=Enforcing", uuid_of(&snap)), Value::Null).await;
    assert!(!state(&sim).snapshots.contains_key(&id(&snap, "snapshotId")));
    assert!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await.is_empty());
    assert!(state(&sim).disks.contains_key(&id(&same, "diskId")) && state(&sim).disks.contains_key(&id(&larger, "diskId")));
}
