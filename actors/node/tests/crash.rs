//! Restart safety under `kill -9`: the real `zstack` binary is killed with
//! SIGKILL while 200 VM creations are in flight (VM starts slowed down by
//! simulator faults), then started again on the same data dir, database and
//! port. It proves that every job the node accepted with a 202 ends (200 or
//! 503, never 202 or 404 again), that a job seen succeeding before the kill
//! still answers the same, that exactly the VMs of the successful jobs exist
//! and all of them are Running, that host capacity, IP usage, NICs and
//! volumes add up to those VMs, that the node keeps working, and that
//! `zstack check` finds no violation. SQLite by default; PostgreSQL or
//! MariaDB when `ZSTACK_TEST_DATABASE_SERVER` is set (see `common::TestDb`).

mod common;

use common::process::NodeProcess;
use common::ApiClient as Api;
use common::uuid_of;

use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const PASSWORD: &str = "crash-test-password";
/// VM creations in flight when the node is killed.
const VMS: usize = 200;
/// Simulator hosts, 8 CPUs each (80 with the default over-provisioning ratio).
const HOSTS: usize = 4;
const VM_CPU: i64 = 1;
const VM_MEMORY: i64 = 128 << 20;
/// Every VM start takes this long; on host i it takes i times as long again,
/// so creations finish in waves and a kill after the first wave catches
/// many in flight.
const START_DELAY_MS: u64 = 300;

struct World {
    hosts: Vec<String>,
    l3: String,
    offering: String,
    image: String,
}

/// As `common::World::build`, through the child's API: a zone, a Simulator
/// cluster with `HOSTS` hosts, primary storage attached to the cluster, backup
/// storage attached to the zone, a no-VLAN L2 attached to the cluster, an L3
/// with a range of about 1000 addresses, an offering and an image.
async fn build_world(api: &Api) -> World {
    let zone = uuid_of(&api.create("/v1/zones", json!({"name": "zone1"})).await);
    let cluster = uuid_of(&api.create("/v1/clusters", json!({"zoneUuid": zone, "name": "c1", "hypervisorType": "Simulator"})).await);
    let mut hosts = vec![];
    for i in 0..HOSTS {
        hosts.push(
            uuid_of(&api.create("/v1/hosts/simulators", json!({"name": format!("h{i}"), "managementIp": format!("10.0.0.{}", i + 1),
                "clusterUuid": cluster, "cpuCapacity": 8, "memoryCapacity": 16u64 << 30}))
                .await),
        );
    }
    let ps = uuid_of(&api.create("/v1/primary-storage/simulators", json!({"name": "ps", "url": "/sim/ps", "zoneUuid": zone, "totalCapacity": 100u64 << 40})).await);
    api.ok("POST", &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), json!({"params": {}})).await;
    let bs = uuid_of(&api.create("/v1/backup-storage/simulators", json!({"name": "bs", "url": "/sim/bs"})).await);
    api.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{bs}"), json!({"params": {}})).await;
    let l2 = uuid_of(&api.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": "eth0"})).await);
    api.ok("POST", &format!("/v1/l2-networks/{l2}/clusters/{cluster}"), json!({})).await;
    let l3 = uuid_of(&api.create("/v1/l3-networks", json!({"name": "l3", "l2NetworkUuid": l2})).await);
    api.create(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": "192.168.0.10", "endIp": "192.168.3.250", "netmask": "255.255.252.0", "gateway": "192.168.0.1"})).await;
    let offering = uuid_of(&api.create("/v1/instance-offerings", json!({"name": "small", "cpuNum": VM_CPU, "memorySize": VM_MEMORY})).await);
    let image = uuid_of(&api.create("/v1/images", json!({"name": "img", "url": "http://example/img.qcow2", "backupStorageUuids": [bs]})).await);
    World { hosts, l3, offering, image }
}

fn vm_body(w: &World, name: &str) -> Value {
    json!({"params": {"name": name, "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [w.l3]}})
}

fn inventory_uuid(body: &Value) -> String {
    body["inventory"]["uuid"].as_str().unwrap_or_else(|| panic!("a successful job without an inventory uuid: {body}")).to_string()
}

#[actix_web::test]
async fn sigkill_with_200_vm_creations_in_flight_then_restart() {
    let t0 = Instant::now();
    // Declared first, dropped last: the database outlives the node processes.
    let db = common::TestDb::new();
    let mut scene = NodeProcess::new("crash", db.url.clone(), PASSWORD);
    eprintln!("database: {}", if db.url.is_empty() { "SQLite in the data dir" } else { db.url.as_str() });
    scene.start().await;
    let api = scene.login().await;
    let w = build_world(&api).await;

    // Slow VM starts down (faults live in the node's memory only).
    let faults = format!("http://127.0.0.1:{}/zstack/simulator/faults", scene.port);
    let mut fault_list = vec![json!({"op": "vm.start", "delayMs": START_DELAY_MS})];
    for (i, h) in w.hosts.iter().enumerate().skip(1) {
        fault_list.push(json!({"op": "vm.start", "target": h, "delayMs": START_DELAY_MS * i as u64}));
    }
    for f in fault_list {
        let r = api.http.put(&faults).header("Content-Type", "application/json").body(f.to_string()).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "PUT {faults} {f}: {}", r.text().await.unwrap_or_default());
    }

    // 200 creations at once; each must be accepted with a job location.
    let fired = Instant::now();
    let answers = futures::future::join_all((0..VMS).map(|i| api.send("POST", "/v1/vm-instances", Some(vm_body(&w, &format!("crash-{i}")))))).await;
    let locations: Vec<String> = answers
        .into_iter()
        .enumerate()
        .map(|(i, (s, b))| {
            assert_eq!(s, 202, "creation {i} was not accepted: {b}");
            b["location"].as_str().unwrap_or_else(|| panic!("creation {i}: a 202 without a location: {b}")).to_string()
        })
        .collect();
    let accepted = Instant::now();
    eprintln!("{VMS} creations accepted in {:?}", accepted - fired);

    // Watch the jobs until the first wave of creations has finished (and at
    // least 150 ms have passed), then kill the node in the middle of it.
    let mut before: HashMap<usize, (u16, Value)> = HashMap::new();
    loop {
        let pending: Vec<usize> = (0..VMS).filter(|i| !before.contains_key(i)).collect();
        let looks = futures::future::join_all(pending.iter().map(|&i| api.probe(&locations[i]))).await;
        for (i, (s, b)) in pending.into_iter().zip(looks) {
            match s {
                202 => {}
                200 | 503 => {
                    before.insert(i, (s, b));
                }
                _ => panic!("before the kill, job {i} at {} answered {s}: {b}", locations[i]),
            }
        }
        let done = before.values().filter(|(s, _)| *s == 200).count();
        if done >= VMS / 20 && accepted.elapsed() >= Duration::from_millis(150) {
            break;
        }
        assert!(accepted.elapsed() < Duration::from_secs(30), "only {done} of {VMS} creations finished within 30 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    scene.kill();
    let seen_ok = before.values().filter(|(s, _)| *s == 200).count();
    let seen_failed = before.len() - seen_ok;
    let in_flight = VMS - before.len();
    eprintln!("killed {:?} after the last 202: {seen_ok} creations seen done, {seen_failed} seen failed, {in_flight} in flight", accepted.elapsed());
    assert!(in_flight >= VMS / 4, "the kill came too late to test anything: only {in_flight} creations were in flight");
    drop(api);

    // Same binary, data dir, database and port: the old job locations are valid as they are.
    scene.start().await;
    let api = scene.login().await;

    // From here on every disagreement is collected, so that one run shows all of them.
    let mut problems: Vec<String> = Vec::new();

    // Every accepted job ends: 200 or 503, never 202 or 404.
    let after: Vec<(u16, Value)> = futures::future::join_all(locations.iter().map(|l| api.poll(l, Duration::from_secs(20)))).await;
    for (i, (s, b)) in after.iter().enumerate() {
        if *s != 200 && *s != 503 {
            problems.push(format!("job {i} at {} answers {s} after the restart (want 200 or 503): {b}", locations[i]));
        }
    }
    // A job keeps the answer a client got before the kill.
    let mut flipped = 0;
    for (i, (s, b)) in &before {
        let (s2, b2) = &after[*i];
        if s2 != s {
            flipped += 1;
            let vm = if *s == 200 { format!(" (VM {})", inventory_uuid(b)) } else { String::new() };
            problems.push(format!("job {i}{vm} answered {s} before the kill but {s2} after the restart: {}", b2["error"]["details"]));
        } else if *s == 200 && inventory_uuid(b2) != inventory_uuid(b) {
            problems.push(format!("job {i} names VM {} before the kill and VM {} after the restart", inventory_uuid(b), inventory_uuid(b2)));
        }
    }
    let succeeded: Vec<String> = after.iter().filter(|(s, _)| *s == 200).map(|(_, b)| inventory_uuid(b)).collect();
    eprintln!("after the restart: {} jobs answer 200, {} answer 503, {flipped} of those seen done before the kill changed", succeeded.len(), after.iter().filter(|(s, _)| *s == 503).count());
    for (i, (s, b)) in after.iter().enumerate() {
        if *s == 200 && b["inventory"]["state"] != "Running" {
            problems.push(format!("job {i} succeeded with a VM that is {}", b["inventory"]["state"]));
        }
    }
    let succeeded_set: HashSet<String> = succeeded.iter().cloned().collect();
    if succeeded_set.len() != succeeded.len() {
        problems.push("two successful jobs name the same VM".into());
    }

    // Exactly the VMs of the successful jobs exist, and they all run.
    let vms = api.query("/v1/vm-instances").await;
    for v in &vms {
        if v["state"] != "Running" {
            problems.push(format!("VM {} is {} after the restart (want Running, or not listed)", v["uuid"], v["state"]));
        }
    }
    let listed: HashSet<String> = vms.iter().map(|v| v["uuid"].as_str().unwrap().to_string()).collect();
    let by_vm: HashMap<String, usize> = after.iter().enumerate().filter(|(_, (s, _))| *s == 200).map(|(i, (_, b))| (inventory_uuid(b), i)).collect();
    let without_job: Vec<String> = vms
        .iter()
        .filter(|v| !by_vm.contains_key(v["uuid"].as_str().unwrap()))
        .map(|v| format!("{} ({}, {})", v["uuid"].as_str().unwrap(), v["name"].as_str().unwrap_or_default(), v["state"].as_str().unwrap_or_default()))
        .collect();
    if !without_job.is_empty() {
        let names: HashSet<String> = vms.iter().filter(|v| !by_vm.contains_key(v["uuid"].as_str().unwrap())).filter_map(|v| v["name"].as_str().map(String::from)).collect();
        let jobs: Vec<String> = (0..VMS).filter(|i| names.contains(&format!("crash-{i}"))).map(|i| format!("job {i}: {} {}", after[i].0, after[i].1["error"]["details"])).collect();
        problems.push(format!("{} VM(s) exist although their creation job did not succeed: {without_job:?}; their jobs: {jobs:?}", without_job.len()));
    }
    let without_vm: Vec<&String> = succeeded_set.difference(&listed).collect();
    if !without_vm.is_empty() {
        problems.push(format!("{} creation job(s) succeeded but their VM is gone: {without_vm:?}", without_vm.len()));
    }
    let running = vms.iter().filter(|v| v["state"] == "Running").count() as i64;
    if running != succeeded.len() as i64 {
        problems.push(format!("{running} Running VMs but {} successful creation jobs", succeeded.len()));
    }

    // Capacity, addresses, NICs and volumes are exactly what the Running VMs hold.
    let hosts = api.query("/v1/hosts").await;
    assert_eq!(hosts.len(), HOSTS);
    let used = |field: &str| hosts.iter().map(|h| h[format!("total{field}")].as_i64().unwrap() - h[format!("available{field}")].as_i64().unwrap()).sum::<i64>();
    if used("CpuCapacity") != running * VM_CPU {
        problems.push(format!("the hosts have {} CPUs taken but {running} Running VMs hold {}", used("CpuCapacity"), running * VM_CPU));
    }
    if used("MemoryCapacity") != running * VM_MEMORY {
        problems.push(format!("the hosts have {} bytes of memory taken but {running} Running VMs hold {}", used("MemoryCapacity"), running * VM_MEMORY));
    }
    let ips = api.ok("GET", &format!("/v1/ip-capacity?l3NetworkUuids={}", w.l3), Value::Null).await;
    if ips["usedIpAddressNumber"].as_i64() != Some(running) {
        problems.push(format!("{} IPs used for {running} Running VMs", ips["usedIpAddressNumber"]));
    }
    for (what, path) in [("NICs", "/v1/vm-instances/nics"), ("volumes", "/v1/volumes")] {
        let n = api.query(path).await.len() as i64;
        if n != running {
            problems.push(format!("{n} {what} for {running} Running VMs"));
        }
    }

    // The node keeps working (the faults died with the old process).
    let (s, b) = api.call("POST", "/v1/vm-instances", Some(vm_body(&w, "after-restart"))).await;
    if s != 200 || b["inventory"]["state"] != "Running" {
        problems.push(format!("creating a VM after the restart answered {s}: {b}"));
    }

    // Stop the node; `zstack check` must find capacity, IPs and the simulator in agreement.
    scene.kill();
    let out = scene.command("check").output().expect("run zstack check");
    eprintln!("zstack check: {}{}", String::from_utf8_lossy(&out.stdout).trim(), String::from_utf8_lossy(&out.stderr).trim());
    if !out.status.success() {
        problems.push(format!("zstack check exited with {}: {}{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    }
    assert!(problems.is_empty(), "{} problem(s) after the SIGKILL and restart:\n{}", problems.len(), problems.join("\n"));
    eprintln!("done in {:?}", t0.elapsed());
}
