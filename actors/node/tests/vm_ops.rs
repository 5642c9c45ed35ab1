//! VM operations beyond the life cycle, data volumes and snapshots, through
//! the HTTP API: migration and volume attachment as flows failing at every
//! step, L3 attach/detach, offering changes, static IPs, tag-kept settings.

mod common;

use common::{uuid_of, Node, World};
use serde_json::{json, Value};

async fn host_cpu(n: &Node, host: &str) -> i64 {
    n.query(&format!("/v1/hosts/{host}")).await[0]["availableCpuCapacity"].as_i64().unwrap()
}

#[actix_web::test]
async fn migration_moves_capacity_and_rolls_back_at_every_step() {
    let n = Node::start().await;
    let w = World::build(&n, 2).await;
    let vm = n.create("/v1/vm-instances", json!({"name": "m", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [w.l3], "hostUuid": w.hosts[0]})).await;
    let vm_uuid = uuid_of(&vm);
    assert_eq!(vm["hostUuid"], w.hosts[0].as_str());
    let path = format!("/v1/vm-instances/{vm_uuid}/actions");
    let cands = n.ok("GET", &format!("/v1/vm-instances/{vm_uuid}/migration-target-hosts"), Value::Null).await;
    assert_eq!(cands["inventories"].as_array().unwrap().len(), 1);
    for step in zstack::resources::vm_ops::migrate_vm_flow().step_names() {
        n.app.faults.fail_step(zstack::resources::vm_ops::MIGRATE_VM, step);
        let (s, e) = n.call("PUT", &path, Some(json!({"migrateVm": {}}))).await;
        n.app.faults.clear();
        assert_eq!(s, 503, "failing {step}: {e}");
        assert_eq!(n.query(&format!("/v1/vm-instances/{vm_uuid}")).await[0]["hostUuid"], w.hosts[0].as_str(), "failing {step}");
        assert_eq!((host_cpu(&n, &w.hosts[0]).await, host_cpu(&n, &w.hosts[1]).await), (79, 80), "failing {step}");
        assert_eq!(n.app.sim.vm_get(&vm_uuid).unwrap().host, w.hosts[0], "failing {step}");
        assert!(n.violations().await.is_empty(), "failing {step}: {:?}", n.violations().await);
    }
    let moved = n.ok("PUT", &path, json!({"migrateVm": {"hostUuid": w.hosts[1]}})).await;
    assert_eq!(moved["inventory"]["hostUuid"], w.hosts[1].as_str());
    assert_eq!(moved["inventory"]["lastHostUuid"], w.hosts[0].as_str());
    assert_eq!((host_cpu(&n, &w.hosts[0]).await, host_cpu(&n, &w.hosts[1]).await), (80, 79));
    // Migrating to where it already runs, or a stopped VM, is refused.
    let (s, _) = n.call("PUT", &path, Some(json!({"migrateVm": {"hostUuid": w.hosts[1]}}))).await;
    assert_eq!(s, 503);
    n.ok("PUT", &path, json!({"stopVmInstance": {}})).await;
    let (s, e) = n.call("PUT", &path, Some(json!({"migrateVm": {}}))).await;
    assert_eq!(s, 503);
    assert!(e["error"]["details"].as_str().unwrap().contains("Stopped"));
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn data_volumes_attach_detach_and_roll_back() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("v")).await);
    let disk = uuid_of(&n.create("/v1/disk-offerings", json!({"name": "d", "diskSize": 10u64 << 30})).await);
    // Not instantiated until attached: no storage, no file.
    let vol = n.create("/v1/volumes/data", json!({"name": "data1", "diskOfferingUuid": disk})).await;
    assert_eq!(vol["status"], "NotInstantiated");
    let vol_uuid = uuid_of(&vol);
    let ps_before = n.query(&format!("/v1/primary-storage/{}", w.ps)).await[0]["availableCapacity"].as_i64().unwrap();
    let attach = format!("/v1/volumes/{vol_uuid}/vm-instances/{vm}");
    for step in zstack::resources::volume::attach_volume_flow().step_names() {
        n.app.faults.fail_step(zstack::resources::volume::ATTACH_VOLUME, step);
        let (s, e) = n.call("POST", &attach, Some(json!({"params": {}}))).await;
        n.app.faults.clear();
        assert_eq!(s, 503, "failing {step}: {e}");
        let v = &n.query(&format!("/v1/volumes/{vol_uuid}")).await[0];
        assert_eq!(v["status"], "NotInstantiated", "failing {step}");
        assert!(v.get("vmInstanceUuid").is_none(), "failing {step}");
        assert_eq!(n.query(&format!("/v1/primary-storage/{}", w.ps)).await[0]["availableCapacity"].as_i64().unwrap(), ps_before, "failing {step}");
        assert!(n.app.sim.vm_get(&vm).unwrap().volumes.len() == 1, "failing {step}");
        assert!(n.violations().await.is_empty(), "failing {step}: {:?}", n.violations().await);
    }
    let attached = n.ok("POST", &attach, json!({"params": {}})).await["inventory"].clone();
    assert_eq!((attached["status"].as_str(), attached["vmInstanceUuid"].as_str(), attached["deviceId"].as_i64()), (Some("Ready"), Some(vm.as_str()), Some(1)));
    assert_eq!(n.app.sim.vm_get(&vm).unwrap().volumes.len(), 2, "the running VM sees the disk");
    let (s, _) = n.call("POST", &attach, Some(json!({"params": {}}))).await;
    assert_eq!(s, 503, "attaching twice is refused");
    let vm_inv = &n.query(&format!("/v1/vm-instances/{vm}")).await[0];
    assert_eq!(vm_inv["allVolumes"].as_array().unwrap().len(), 2);
    // Snapshots: a chain, delete from the middle takes the descendants.
    let s1 = uuid_of(&n.create(&format!("/v1/volumes/{vol_uuid}/volume-snapshots"), json!({"name": "s1"})).await);
    let s2 = n.create(&format!("/v1/volumes/{vol_uuid}/volume-snapshots"), json!({"name": "s2"})).await;
    assert_eq!((s2["parentUuid"].as_str(), s2["distance"].as_i64(), s2["latest"].as_bool()), (Some(s1.as_str()), Some(1), Some(true)));
    n.create(&format!("/v1/volumes/{vol_uuid}/volume-snapshots"), json!({"name": "s3"})).await;
    assert_eq!(n.query(&format!("/v1/volume-snapshots?q=volumeUuid={vol_uuid}")).await.len(), 3);
    assert_eq!(n.query(&format!("/v1/volume-snapshots/trees?q=volumeUuid={vol_uuid}")).await.len(), 1);
    let (s, e) = n.call("PUT", &format!("/v1/volume-snapshots/{s1}/actions"), Some(json!({"revertVolumeFromSnapshot": {}}))).await;
    assert_eq!(s, 503, "revert needs the VM stopped: {e}");
    n.ok("DELETE", &format!("/v1/volume-snapshots/{}", uuid_of(&s2)), Value::Null).await;
    let left = n.query(&format!("/v1/volume-snapshots?q=volumeUuid={vol_uuid}")).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["latest"], true);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
    // Detach, delete (kept as Deleted), recover, delete, expunge.
    let detached = n.ok("DELETE", &format!("/v1/volumes/{vol_uuid}/vm-instances"), Value::Null).await;
    assert!(detached["inventory"].get("vmInstanceUuid").is_none());
    assert_eq!(detached["inventory"]["lastVmInstanceUuid"], vm.as_str());
    n.ok("DELETE", &format!("/v1/volumes/{vol_uuid}"), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/volumes/{vol_uuid}")).await[0]["status"], "Deleted");
    n.ok("PUT", &format!("/v1/volumes/{vol_uuid}/actions"), json!({"recoverDataVolume": {}})).await;
    n.ok("DELETE", &format!("/v1/volumes/{vol_uuid}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/volumes/{vol_uuid}/actions"), json!({"expungeDataVolume": {}})).await;
    assert_eq!(n.query(&format!("/v1/volumes/{vol_uuid}")).await.len(), 0);
    assert_eq!(n.query("/v1/volume-snapshots").await.len(), 0);
    assert_eq!(n.query(&format!("/v1/primary-storage/{}", w.ps)).await[0]["availableCapacity"].as_i64().unwrap(), ps_before);
    // The root volume can grow but not shrink, and is never detached.
    let root = n.query(&format!("/v1/vm-instances/{vm}")).await[0]["rootVolumeUuid"].as_str().unwrap().to_string();
    let (s, _) = n.call("PUT", &format!("/v1/volumes/resize/{root}/actions"), Some(json!({"resizeRootVolume": {"size": 1}}))).await;
    assert_eq!(s, 503);
    let grown = n.ok("PUT", &format!("/v1/volumes/resize/{root}/actions"), json!({"resizeRootVolume": {"size": 2u64 << 30}})).await;
    assert_eq!(grown["inventory"]["size"], 2u64 << 30);
    let (s, _) = n.call("DELETE", &format!("/v1/volumes/{root}/vm-instances"), None).await;
    assert_eq!(s, 503);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn l3_networks_offerings_static_ips_and_settings() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("v")).await);
    let l3b = uuid_of(&n.create("/v1/l3-networks", json!({"name": "second", "l2NetworkUuid": w.l2})).await);
    n.create(&format!("/v1/l3-networks/{l3b}/ip-ranges"), json!({"name": "r", "startIp": "172.16.0.10", "endIp": "172.16.0.20", "netmask": "255.255.255.0", "gateway": "172.16.0.1"})).await;
    let attachable = n.ok("GET", &format!("/v1/vm-instances/{vm}/l3-networks-candidates"), Value::Null).await;
    assert_eq!(attachable["inventories"].as_array().unwrap().len(), 1);
    let with = n.ok("POST", &format!("/v1/vm-instances/{vm}/l3-networks/{l3b}"), json!({"params": {"staticIp": "172.16.0.15"}})).await;
    let nics = with["inventory"]["vmNics"].as_array().unwrap().clone();
    assert_eq!(nics.len(), 2);
    let nic_b = nics.iter().find(|n| n["l3NetworkUuid"] == l3b.as_str()).unwrap().clone();
    assert_eq!(nic_b["ip"], "172.16.0.15");
    let (s, _) = n.call("POST", &format!("/v1/vm-instances/{vm}/l3-networks/{l3b}"), Some(json!({"params": {}}))).await;
    assert_eq!(s, 503, "attaching the same L3 twice is refused");
    // Move the NIC to another address; the old one is free again.
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"setVmStaticIp": {"l3NetworkUuid": l3b, "ip": "172.16.0.16"}})).await;
    let avail = n.ok("GET", &format!("/v1/l3-networks/{l3b}/ip/172.16.0.15/availability"), Value::Null).await;
    assert_eq!(avail["available"], true);
    let avail = n.ok("GET", &format!("/v1/l3-networks/{l3b}/ip/172.16.0.16/availability"), Value::Null).await;
    assert_eq!(avail["available"], false);
    n.ok("DELETE", &format!("/v1/vm-instances/nics/{}", uuid_of(&nic_b)), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm}")).await[0]["vmNics"].as_array().unwrap().len(), 1);
    // Offering changes: online on a running VM, capacity follows.
    let big = uuid_of(&n.create("/v1/instance-offerings", json!({"name": "big", "cpuNum": 4, "memorySize": 4u64 << 30})).await);
    let changed = n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"changeInstanceOffering": {"instanceOfferingUuid": big}})).await;
    assert_eq!(changed["inventory"]["cpuNum"], 4);
    assert_eq!(n.query(&format!("/v1/hosts/{}", w.hosts[0])).await[0]["availableCpuCapacity"], 76);
    // Settings kept as system tags.
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"setVmHostname": {"hostname": "web-1"}})).await;
    let (s, _) = n.call("PUT", &format!("/v1/vm-instances/{vm}/actions"), Some(json!({"setVmHostname": {"hostname": "bad_name!"}}))).await;
    assert_eq!(s, 503);
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"setVmBootOrder": {"bootOrder": ["CdRom", "HardDisk"]}})).await;
    let order = n.ok("GET", &format!("/v1/vm-instances/{vm}/boot-orders"), Value::Null).await;
    assert_eq!(order["orders"], json!(["CdRom", "HardDisk"]));
    assert_eq!(n.query(&format!("/v1/vm-instances?q=__systemTag__=hostname::web-1")).await.len(), 1);
    let cands = n.ok("GET", &format!("/v1/vm-instances/candidate-destinations?imageUuid={}&l3NetworkUuids={}&cpuNum=1&memorySize=1024", w.image, w.l3), Value::Null).await;
    assert_eq!(cands["hosts"].as_array().unwrap().len(), 1);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn images_sessions_capacity_and_tags() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    n.ok("DELETE", &format!("/v1/images/{}", w.image), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/images/{}", w.image)).await[0]["status"], "Deleted");
    let (s, _) = n.call("POST", "/v1/vm-instances", Some(json!({"params": w.vm_params("from-deleted")}))).await;
    assert_eq!(s, 503, "a deleted image cannot boot VMs");
    n.ok("PUT", &format!("/v1/images/{}/actions", w.image), json!({"recoverImage": {}})).await;
    n.create("/v1/vm-instances", w.vm_params("ok")).await;
    n.ok("DELETE", &format!("/v1/images/{}", w.image), Value::Null).await;
    n.ok("PUT", &format!("/v1/images/{}/actions", w.image), json!({"expungeImage": {}})).await;
    assert_eq!(n.query("/v1/images").await.len(), 0);
    let renewed = n.ok("PUT", &format!("/v1/accounts/sessions/{}/renew", n.session), json!({"renewSession": {"duration": 60}})).await;
    assert!(renewed["inventory"]["expiredDate"].is_string());
    let ps = n.ok("GET", &format!("/v1/primary-storage/capacities?primaryStorageUuids={}", w.ps), Value::Null).await;
    assert!(ps["availableCapacity"].as_i64().unwrap() < ps["totalCapacity"].as_i64().unwrap());
    let tags = n.ok("POST", &format!("/v1/system-tags/{}/tags", w.zone), json!({"params": {"resourceType": "ZoneVO", "tags": ["a::1", "b::2"]}})).await;
    assert_eq!(tags["inventories"].as_array().unwrap().len(), 2);
    assert_eq!(n.query(&format!("/v1/zones?q=__systemTag__~=a::%25")).await.len(), 1);
    let (s, _) = n.call("POST", &format!("/v1/system-tags/{}/tags", "0".repeat(32)), Some(json!({"params": {"resourceType": "ZoneVO", "tags": ["x"]}}))).await;
    assert_eq!(s, 503);
    let nodes = n.query("/v1/management-nodes").await;
    assert_eq!(nodes.len(), 1);
    let time = n.ok("PUT", "/v1/management-nodes/actions", json!({"getCurrentTime": {}})).await;
    assert!(time["currentTime"]["MillionSeconds"].as_i64().unwrap() > 0);
    n.ok("PUT", "/v1/global-configurations/actions", json!({"resetGlobalConfig": {}})).await;
    let opts = n.ok("GET", "/v1/global-configurations/vm/deletionPolicy", Value::Null).await;
    assert_eq!(opts["options"]["validValue"], json!(["Direct", "Delay", "Never"]));
}

#[actix_web::test]
async fn nics_templates_clones_reimage_and_zql() {
    let n = Node::start().await;
    let w = World::build(&n, 2).await;
    let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("src")).await);
    // A NIC made on its own, attached, deleted: its address comes and goes with it.
    let nic = n.create("/v1/nics", json!({"l3NetworkUuid": w.l3, "ip": "192.168.2.2"})).await;
    assert_eq!(nic["ip"], "192.168.2.2");
    assert!(nic.get("vmInstanceUuid").is_none());
    let (s, _) = n.call("POST", &format!("/v1/vm-instances/{vm}/nices/{}", uuid_of(&nic)), Some(json!({"params": {}}))).await;
    assert_eq!(s, 503, "a second NIC on the same L3 is refused");
    n.ok("DELETE", &format!("/v1/nics/{}", uuid_of(&nic)), Value::Null).await;
    let avail = n.ok("GET", &format!("/v1/l3-networks/{}/ip/192.168.2.2/availability", w.l3), Value::Null).await;
    assert_eq!(avail["available"], true);
    // Clone: one VM per name, same image, offering and networks.
    let cloned = n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"cloneVmInstance": {"names": ["c1", "c2"]}})).await;
    assert_eq!(cloned["result"]["numberOfClonedVm"], 2);
    assert_eq!(n.query("/v1/vm-instances").await.len(), 3);
    // Reimage needs a stopped VM; a template from its root volume then boots new VMs.
    let (s, _) = n.call("PUT", &format!("/v1/vm-instances/{vm}/actions"), Some(json!({"reimageVmInstance": {}}))).await;
    assert_eq!(s, 503);
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"stopVmInstance": {}})).await;
    let root = n.query(&format!("/v1/vm-instances/{vm}")).await[0]["rootVolumeUuid"].as_str().unwrap().to_string();
    n.create(&format!("/v1/volumes/{root}/volume-snapshots"), json!({"name": "before-reimage"})).await;
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"reimageVmInstance": {}})).await;
    assert_eq!(n.query(&format!("/v1/volume-snapshots?q=volumeUuid={root}")).await.len(), 0, "reimage drops the old disk's snapshots");
    let tpl = n.create(&format!("/v1/images/root-volume-templates/from/volumes/{root}"), json!({"name": "golden", "backupStorageUuids": [w.bs]})).await;
    assert_eq!(tpl["mediaType"], "RootVolumeTemplate");
    let from_tpl = n.create("/v1/vm-instances", json!({"name": "from-golden", "instanceOfferingUuid": w.offering, "imageUuid": uuid_of(&tpl), "l3NetworkUuids": [w.l3]})).await;
    assert_eq!(from_tpl["state"], "Running");
    n.ok("PUT", &format!("/v1/vm-instances/{vm}/actions"), json!({"changeVmImage": {"imageUuid": uuid_of(&tpl)}})).await;
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm}")).await[0]["imageUuid"], uuid_of(&tpl).as_str());
    // Data volume -> template -> new data volume; snapshot -> new data volume.
    let data = n.create("/v1/volumes/data", json!({"name": "d", "diskSize": 1u64 << 30, "primaryStorageUuid": w.ps})).await;
    let dtpl = n.create(&format!("/v1/images/data-volume-templates/from/volumes/{}", uuid_of(&data)), json!({"name": "dt"})).await;
    let copy = n.create(&format!("/v1/volumes/data/from/data-volume-templates/{}", uuid_of(&dtpl)), json!({"name": "copy", "primaryStorageUuid": w.ps})).await;
    assert_eq!((copy["status"].as_str(), copy["size"].as_u64()), (Some("Ready"), Some(1u64 << 30)));
    let snap = n.create(&format!("/v1/volumes/{}/volume-snapshots", uuid_of(&data)), json!({"name": "s"})).await;
    let from_snap = n.create(&format!("/v1/volumes/data/from/volume-snapshots/{}", uuid_of(&snap)), json!({"name": "fs"})).await;
    assert_eq!(from_snap["primaryStorageUuid"], w.ps.as_str());
    // ZQL over the same compiler.
    let r = n.ok("GET", "/v1/zql?zql=query%20vminstance%20where%20state%3D%27Running%27%20and%20name%20like%20%27c%25%27%20order%20by%20name%20limit%2010", Value::Null).await;
    let names: Vec<&str> = r["results"][0]["inventories"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["c1", "c2"]);
    let r = n.ok("GET", "/v1/zql?zql=count%20volume%20where%20type%3D%27Data%27", Value::Null).await;
    assert_eq!(r["results"][0]["total"], 3);
    let (s, e) = n.call("GET", "/v1/zql?zql=query%20nosuch", None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")));
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn isos_host_routes_and_resource_configs() {
    let n = Node::start().await;
    let w = World::build(&n, 2).await;
    let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("v")).await);
    let iso = uuid_of(&n.create("/v1/images", json!({"name": "tools", "url": "http://x/tools.iso", "mediaType": "ISO", "backupStorageUuids": [w.bs]})).await);
    let with = n.ok("POST", &format!("/v1/vm-instances/{vm}/iso/{iso}"), json!({})).await;
    assert_eq!(with["inventory"]["vmCdRoms"][0]["isoUuid"], iso.as_str());
    let (s, _) = n.call("POST", &format!("/v1/vm-instances/{vm}/iso/{iso}"), Some(json!({}))).await;
    assert_eq!(s, 503, "the same ISO twice is refused");
    let (s, _) = n.call("POST", &format!("/v1/vm-instances/{vm}/iso/{}", w.image), Some(json!({}))).await;
    assert_eq!(s, 503, "a disk image is not an ISO");
    let without = n.ok("DELETE", &format!("/v1/vm-instances/{vm}/iso?isoUuid={iso}"), Value::Null).await;
    assert!(without["inventory"]["vmCdRoms"][0].get("isoUuid").is_none());
    // Host routes live on the L3 network.
    let l3 = n.ok("POST", &format!("/v1/l3-networks/{}/hostroute", w.l3), json!({"params": {"prefix": "169.254.169.254/32", "nexthop": "192.168.0.254"}})).await;
    assert_eq!(l3["inventory"]["hostRoute"][0]["nexthop"], "192.168.0.254");
    let (s, _) = n.call("POST", &format!("/v1/l3-networks/{}/hostroute", w.l3), Some(json!({"params": {"prefix": "not-a-cidr", "nexthop": "192.168.0.254"}}))).await;
    assert_eq!(s, 503);
    let l3 = n.ok("DELETE", &format!("/v1/l3-networks/{}/hostroute?prefix=169.254.169.254/32", w.l3), Value::Null).await;
    assert_eq!(l3["inventory"]["hostRoute"].as_array().unwrap().len(), 0);
    // A host's own over-provisioning ratio overrides the global one, and goes with the override.
    let h = &w.hosts[1];
    let path = format!("/v1/resource-configurations/host/cpu.overProvisioning.ratio/{h}/actions");
    n.ok("PUT", &path, json!({"updateResourceConfig": {"value": "2"}})).await;
    assert_eq!(n.query(&format!("/v1/hosts/{h}")).await[0]["totalCpuCapacity"], 16);
    assert_eq!(n.query(&format!("/v1/hosts/{}", w.hosts[0])).await[0]["totalCpuCapacity"], 80);
    let got = n.ok("GET", &format!("/v1/resource-configurations/{h}/host/cpu.overProvisioning.ratio"), Value::Null).await;
    assert_eq!(got["value"], "2");
    let (s, _) = n.call("PUT", &path, Some(json!({"updateResourceConfig": {"value": "zero"}}))).await;
    assert_eq!(s, 503);
    let (s, _) = n.call("PUT", &format!("/v1/resource-configurations/host/cpu.overProvisioning.ratio/{}/actions", "0".repeat(32)), Some(json!({"updateResourceConfig": {"value": "2"}}))).await;
    assert_eq!(s, 503, "an unknown host");
    n.ok("DELETE", &format!("/v1/resource-configurations/host/cpu.overProvisioning.ratio/{h}"), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/hosts/{h}")).await[0]["totalCpuCapacity"], 80);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn host_shutdown_guest_passwords_and_permissions() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("v")).await);
    let act = format!("/v1/vm-instances/{vm}/actions");
    n.ok("PUT", &act, json!({"changeVmPassword": {"account": "root", "password": "s3cret-pw"}})).await;
    let sim = n.app.sim.vm_get(&vm).unwrap();
    assert_eq!(sim.passwords.get("root").map(String::as_str), Some(zstack::identity::sha512_hex("s3cret-pw").as_str()));
    let (s, _) = n.call("PUT", &act, Some(json!({"changeVmPassword": {"account": "root", "password": "short"}}))).await;
    assert_eq!(s, 503);
    let perms = n.ok("PUT", "/v1/accounts/permissions/actions", json!({"checkApiPermission": {"apiNames": ["APICreateZoneMsg", "APINoSuchMsg"]}})).await;
    assert_eq!(perms["inventory"], json!({"APICreateZoneMsg": "Allow", "APINoSuchMsg": "Deny"}));
    // Powering the host off stops its VMs and disconnects it; a reconnect brings it back.
    n.ok("PUT", &format!("/v1/hosts/power/{}/actions", w.hosts[0]), json!({"shutdownHost": {}})).await;
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm}")).await[0]["state"], "Stopped");
    assert_eq!(n.query(&format!("/v1/hosts/{}", w.hosts[0])).await[0]["status"], "Disconnected");
    let (s, _) = n.call("PUT", &act, Some(json!({"startVmInstance": {}}))).await;
    assert_eq!(s, 503, "no connected host to start on");
    n.ok("PUT", &format!("/v1/hosts/{}/actions", w.hosts[0]), json!({"reconnectHost": {}})).await;
    n.ok("PUT", &act, json!({"startVmInstance": {}})).await;
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn snapshot_groups_cover_every_volume_of_a_vm() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let vm = n.create("/v1/vm-instances", json!({"name": "g", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [w.l3], "dataDiskSizes": [1u64 << 30]})).await;
    let (vm_uuid, root) = (uuid_of(&vm), vm["rootVolumeUuid"].as_str().unwrap().to_string());
    let group = n.create("/v1/volume-snapshots/group", json!({"rootVolumeUuid": root, "name": "nightly"})).await;
    assert_eq!(group["snapshotsNum"], 2);
    assert_eq!(group["volumeSnapshotRefs"].as_array().unwrap().len(), 2);
    let group_uuid = uuid_of(&group);
    assert_eq!(n.query(&format!("/v1/volume-snapshots?q=group.uuid={group_uuid}")).await.len(), 2);
    let (s, _) = n.call("PUT", &format!("/v1/volume-snapshots/group/{group_uuid}/actions"), Some(json!({"revertVmFromSnapshotGroup": {}}))).await;
    assert_eq!(s, 503, "the VM must be stopped");
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), json!({"stopVmInstance": {}})).await;
    let reverted = n.ok("PUT", &format!("/v1/volume-snapshots/group/{group_uuid}/actions"), json!({"revertVmFromSnapshotGroup": {}})).await;
    assert!(reverted["results"].as_array().unwrap().iter().all(|r| r["success"] == true), "{reverted}");
    let (s, _) = n.call("POST", "/v1/volume-snapshots/group", Some(json!({"params": {"rootVolumeUuid": w.image, "name": "x"}}))).await;
    assert_eq!(s, 503, "not a root volume");
    let deleted = n.ok("DELETE", &format!("/v1/volume-snapshots/group/{group_uuid}"), Value::Null).await;
    assert_eq!(deleted["results"].as_array().unwrap().len(), 2);
    assert_eq!(n.query("/v1/volume-snapshots").await.len(), 0);
    assert_eq!(n.query("/v1/volume-snapshots/group").await.len(), 0);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}
