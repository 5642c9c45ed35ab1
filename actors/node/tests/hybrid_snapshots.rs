//! Alibaba Cloud disk snapshots and ECS images made from them, end to end: the node,
//! pointed at the in-process simulator, takes, renames, syncs, deletes and garbage-collects
//! snapshots and makes images from them; the simulator's own state is checked at each
//! step, and faults at every step of the create flows leave nothing behind.

mod common;

use common::{uuid_of, Node};
use serde_json::{json, Value};
use std::time::Duration;
use zstack::hybrid::snapshot::{CREATE_IMAGE_FROM_SNAPSHOT, CREATE_SNAPSHOT};
use zstack_aliyun::snapshot::CreateSnapshotRequest;
use zstack_aliyun_sim::{SimConfig, SimServer};

const REGION: &str = "cn-hangzhou";
const ZONE: &str = "cn-hangzhou-h";
const KEY_ID: &str = "testid";
const KEY_SECRET: &str = "testsecret";
const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";
const PASSWORD: &str = "Passw0rd!x";
const SNAPSHOTS: &str = "/v1/hybrid/aliyun/snapshot";

/// A simulator whose status transitions take 20 ms a step.
fn sim() -> SimServer {
    SimServer::start(SimConfig { transition_step: Duration::from_millis(20), ..SimConfig::default() }).expect("simulator starts")
}

/// A node whose Alibaba Cloud clients poll and back off quickly.
async fn node() -> Node {
    let n = Node::start().await;
    n.app.hybrid.clients.configure(|c| {
        c.poll_interval = Duration::from_millis(20);
        c.backoff_base = Duration::from_millis(10);
        c.transition_timeout = Duration::from_secs(20);
    });
    n
}

/// The error object of a failed call.
async fn fails(n: &Node, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, v) = n.call(method, path, body).await;
    assert_ne!(status, 200, "{method} {path} should fail: {v}");
    v["error"].clone()
}

fn writes(n: &Node) -> u64 {
    n.app.store.db.statements_submitted()
}

/// The simulator's state, with every transition due by now applied.
fn state(sim: &SimServer) -> parking_lot::MutexGuard<'_, zstack_aliyun_sim::state::SimState> {
    let mut st = sim.sim.state.lock();
    st.settle(sim.sim.clock.now());
    st
}

fn fault(sim: &SimServer, rule: Value) {
    sim.sim.faults.lock().add(serde_json::from_value(rule).unwrap()).unwrap();
}

fn id(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_string()
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
    World { dc, vm, disk, system_disk_id }
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
    let e = fails(&n, "POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk)}}))).await;
    assert_eq!(e["code"], "SYS.1007", "a snapshot needs a name: {e}");
    let e = fails(&n, "POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": "0123456789abcdef0123456789abcdef", "name": "s"}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    // Alibaba's refusals come back with its code as the cause.
    let e = fails(&n, "POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk), "name": "early"}}))).await;
    assert_eq!((e["code"].as_str(), e["cause"]["code"].as_str()), (Some("SYS.1006"), Some("IncorrectDiskStatus.NeverAttached")), "a disk never attached: {e}");
    attach(&n, &w).await;
    let e = fails(&n, "POST", SNAPSHOTS, Some(json!({"params": {"diskUuid": uuid_of(&w.disk), "name": "auto-nightly"}}))).await;
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
    let e = fails(&n, "PUT", &actions, Some(json!({"updateAliyunSnapshot": {"name": "http://x"}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotName.Malformed", "{e}");
    assert_eq!(n.query(&format!("{SNAPSHOTS}?q=uuid={}", uuid_of(&snap))).await[0]["name"], "golden-data");
    assert_eq!(state(&sim).snapshots[&snap_id].name, "golden-data");

    // An image needs a system-disk snapshot: Alibaba refuses a data-disk one.
    let images = "/v1/hybrid/aliyun/image/snapshot";
    let e = fails(&n, "POST", images, Some(json!({"params": {"snapshotUuid": uuid_of(&snap), "name": "from-data"}}))).await;
    assert_eq!(e["cause"]["code"], "InvalidSnapshotId.NotSystemDiskSnapshot", "{e}");
    let e = fails(&n, "POST", images, Some(json!({"params": {"snapshotUuid": "0123456789abcdef0123456789abcdef", "name": "x"}}))).await;
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
    let e = fails(&n, "DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&root)), None).await;
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
    let e = fails(&n, "DELETE", &format!("{SNAPSHOTS}/{}/remote", uuid_of(&back)), None).await;
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
    let e = fails(&n, "POST", SNAPSHOTS, Some(body.clone())).await;
    assert_eq!(e["cause"]["code"], "QuotaExceed.Snapshot", "{e}");
    assert!(state(&sim).snapshots.is_empty());
    assert!(n.query(SNAPSHOTS).await.is_empty());

    // Every step of the flow failing in turn: the snapshot Alibaba made is deleted again.
    for step in ["take-snapshot", "wait-accomplished", "record-locally"] {
        n.app.faults.fail_step(CREATE_SNAPSHOT, step);
        let e = fails(&n, "POST", SNAPSHOTS, Some(body.clone())).await;
        assert!(e.to_string().contains(step), "{step}: {e}");
        n.app.faults.clear();
        assert!(state(&sim).snapshots.is_empty(), "failing {step} left a snapshot on Alibaba Cloud");
        assert!(n.query(SNAPSHOTS).await.is_empty(), "failing {step} left a record");
    }
    // A snapshot Alibaba takes too long over: the job times out (SYS.1001), the snapshot goes.
    slow_alibaba(&n, &sim, true);
    let e = fails(&n, "POST", SNAPSHOTS, Some(body.clone())).await;
    assert_eq!(e["code"], "SYS.1001", "{e}");
    assert!(state(&sim).snapshots.is_empty());
    assert!(n.query(SNAPSHOTS).await.is_empty());
    slow_alibaba(&n, &sim, false);

    // Images: from the system disk's snapshot, synced.
    let root_id = take_outside(&sim, &w.system_disk_id, "root", vec![]).await;
    let root = synced(&n, &w.dc, &root_id).await;
    let image_body = json!({"params": {"snapshotUuid": uuid_of(&root), "name": "doomed-image"}});
    fault(&sim, json!({"action": "CreateImage", "kind": "fail", "code": "QuotaExceed.Image", "status": 403}));
    let e = fails(&n, "POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
    assert_eq!(e["cause"]["code"], "QuotaExceed.Image", "{e}");
    assert!(own_images(&sim).is_empty());
    for step in ["create-image", "wait-available", "record-locally"] {
        n.app.faults.fail_step(CREATE_IMAGE_FROM_SNAPSHOT, step);
        let e = fails(&n, "POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
        assert!(e.to_string().contains(step), "{step}: {e}");
        n.app.faults.clear();
        assert!(own_images(&sim).is_empty(), "failing {step} left an image on Alibaba Cloud");
        assert!(n.query("/v1/hybrid/aliyun/image?q=type=self").await.is_empty(), "failing {step} left a record");
    }
    slow_alibaba(&n, &sim, true);
    let e = fails(&n, "POST", "/v1/hybrid/aliyun/image/snapshot", Some(image_body.clone())).await;
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
    let e = fails(&n, "POST", &gc, Some(json!({"params": {"deleteMode": "Sometimes"}}))).await;
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
