//! End-to-end tests through the HTTP API on simulator hosts: the README's
//! walkthrough, queries, the legacy endpoint, cascade deletion, flows failing
//! at every step, and what each kind of bad input gets.

mod common;

use common::{sha512, uuid_of, Node, World};
use serde_json::{json, Value};

#[actix_web::test]
async fn vm_lifecycle_queries_and_zone_cascade() {
    let n = Node::start().await;
    let w = World::build(&n, 2).await;
    let vm = n.create("/v1/vm-instances", w.vm_params("vm1")).await;
    assert_eq!(vm["state"], "Running");
    let vm_uuid = uuid_of(&vm);
    let ip = vm["vmNics"][0]["ip"].as_str().unwrap().to_string();
    assert!(ip.starts_with("192.168."), "{ip}");
    assert_eq!(vm["allVolumes"].as_array().unwrap().len(), 1);

    // Queries: join paths, operators, count, sort, fields, GET by uuid.
    let found = n.query(&format!("/v1/vm-instances?q=vmNics.l3NetworkUuid={}", w.l3)).await;
    assert_eq!(found.len(), 1);
    assert_eq!(n.query(&format!("/v1/vm-instances?q=vmNics.ip={ip}")).await.len(), 1);
    assert_eq!(n.query("/v1/vm-instances?q=host.managementIp=10.0.0.99").await.len(), 0);
    assert_eq!(n.query("/v1/vm-instances?q=name~=vm%25&q=state!=Stopped").await.len(), 1);
    assert_eq!(n.query(&format!("/v1/hosts?q=uuid?={},{}&sort=-name", w.hosts[0], w.hosts[1])).await[0]["name"], "h1");
    assert_eq!(n.query("/v1/vm-instances?q=hostUuid is null").await.len(), 0);
    assert_eq!(n.query("/v1/vm-instances?q=hostUuid not null").await.len(), 1);
    assert_eq!(n.query(&format!("/v1/zones?q=cluster.host.vmInstance.uuid={vm_uuid}")).await.len(), 1);
    let counted = n.ok("GET", "/v1/vm-instances?count=true", Value::Null).await;
    assert_eq!(counted["total"], 1);
    assert!(counted.get("inventories").is_none());
    let with_count = n.ok("GET", "/v1/hosts?replyWithCount=true&limit=1", Value::Null).await;
    assert_eq!((with_count["total"].as_i64(), with_count["inventories"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(with_count["schema"]["inventories[0]"], "org.zstack.header.host.HostInventory");
    let by_uuid = n.ok("GET", &format!("/v1/vm-instances/{vm_uuid}"), Value::Null).await;
    assert_eq!(by_uuid["schema"]["inventories[0].vmNics[0]"], "org.zstack.header.vm.VmNicInventory");
    let projected = n.query(&format!("/v1/vm-instances/{vm_uuid}?fields=uuid,name")).await;
    assert_eq!(projected[0].as_object().unwrap().len(), 2);
    assert_eq!(n.query(&format!("/v1/vm-instances?q=__systemTag__=nosuch")).await.len(), 0);

    // Capacity is taken while it runs and given back when it stops.
    let host = vm["hostUuid"].as_str().unwrap().to_string();
    let h = &n.query(&format!("/v1/hosts/{host}")).await[0];
    assert_eq!(h["availableCpuCapacity"], 79);
    let act = |a: &str| json!({ a: {} });
    let stopped = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("stopVmInstance")).await;
    assert_eq!(stopped["inventory"]["state"], "Stopped");
    assert!(stopped["inventory"].get("hostUuid").is_none());
    assert_eq!(n.query(&format!("/v1/hosts/{host}")).await[0]["availableCpuCapacity"], 80);
    for (action, state) in [("startVmInstance", "Running"), ("rebootVmInstance", "Running"), ("pauseVmInstance", "Paused"), ("resumeVmInstance", "Running")] {
        let v = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act(action)).await;
        assert_eq!(v["inventory"]["state"], state, "{action}");
    }
    n.ok("DELETE", &format!("/v1/vm-instances/{vm_uuid}"), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm_uuid}")).await[0]["state"], "Destroyed");
    // Starting a destroyed VM is an invalid transition.
    let (s, e) = n.call("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), Some(act("startVmInstance"))).await;
    assert_eq!(s, 503);
    assert_eq!(e["error"]["code"], "SYS.1006");
    assert!(e["error"]["details"].as_str().unwrap().contains("Destroyed"));
    let rec = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("recoverVmInstance")).await;
    assert_eq!(rec["inventory"]["state"], "Stopped");
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);

    // More VMs, then the zone goes with everything below it.
    for i in 0..5 {
        n.create("/v1/vm-instances", w.vm_params(&format!("more{i}"))).await;
    }
    n.ok("DELETE", &format!("/v1/zones/{}", w.zone), Value::Null).await;
    for path in ["/v1/zones", "/v1/clusters", "/v1/hosts", "/v1/vm-instances", "/v1/l3-networks", "/v1/l2-networks", "/v1/primary-storage", "/v1/volumes", "/v1/vm-instances/nics"] {
        assert_eq!(n.query(path).await.len(), 0, "{path} left behind");
    }
    assert_eq!(n.app.store.inv_count(&zstack::tables::USED_IP, &[]).await.unwrap(), 0);
    assert_eq!(n.app.sim.file_count(), 0);
    assert!(n.app.sim.vms().is_empty());
    // Deleting what is gone succeeds, as in ZStack.
    n.ok("DELETE", &format!("/v1/zones/{}", w.zone), Value::Null).await;
}

#[actix_web::test]
async fn create_vm_rolls_back_whatever_step_fails() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    for step in zstack::resources::vm::create_vm_flow().step_names() {
        n.app.faults.fail_step(zstack::resources::vm::CREATE_VM, step);
        let (status, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": w.vm_params("doomed")}))).await;
        n.app.faults.clear();
        assert_eq!(status, 503, "failing {step}: {e}");
        assert!(e["error"]["cause"]["details"].as_str().unwrap_or_default().contains(step), "failing {step}: {e}");
        assert_eq!(n.query("/v1/vm-instances").await.len(), 0, "failing {step} left a VM");
        assert_eq!(n.query("/v1/volumes").await.len(), 0, "failing {step} left a volume");
        assert_eq!(n.query("/v1/vm-instances/nics").await.len(), 0, "failing {step} left a NIC");
        assert_eq!(n.app.store.inv_count(&zstack::tables::USED_IP, &[]).await.unwrap(), 0, "failing {step} left an IP");
        let h = &n.query(&format!("/v1/hosts/{}", w.hosts[0])).await[0];
        assert_eq!((h["availableCpuCapacity"].as_i64(), h["availableMemoryCapacity"].as_i64()), (Some(80), Some(16 << 30)), "failing {step}");
        let ps = &n.query(&format!("/v1/primary-storage/{}", w.ps)).await[0];
        assert_eq!(ps["availableCapacity"], ps["totalCapacity"], "failing {step}");
        assert_eq!(n.app.sim.file_count(), 0, "failing {step} left a file");
        assert!(n.app.sim.vms().is_empty(), "failing {step} left a VM on the host");
        assert!(n.violations().await.is_empty(), "failing {step}: {:?}", n.violations().await);
    }
    // The hypervisor refusing also rolls everything back.
    n.app.sim.fault_add(zstack::simulator::Fault { op: "vm.start".into(), target: None, fail: Some("no".into()), delay_ms: None, times: Some(1) });
    let (status, _) = n.call("POST", "/v1/vm-instances", Some(json!({"params": w.vm_params("refused")}))).await;
    assert_eq!(status, 503);
    assert!(n.violations().await.is_empty());
    // And then it works.
    assert_eq!(n.create("/v1/vm-instances", w.vm_params("fine")).await["state"], "Running");
}

#[actix_web::test]
async fn capacity_ips_and_static_ip_tags() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let big = uuid_of(&n.create("/v1/instance-offerings", json!({"name": "big", "cpuNum": 50, "memorySize": 8u64 << 30})).await);
    n.create("/v1/vm-instances", json!({"name": "a", "instanceOfferingUuid": big, "imageUuid": w.image, "l3NetworkUuids": [w.l3]})).await;
    let (s, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": {"name": "b", "instanceOfferingUuid": big, "imageUuid": w.image, "l3NetworkUuids": [w.l3]}}))).await;
    assert_eq!(s, 503);
    assert_eq!(e["error"]["cause"]["code"], "HOST_ALLOCATION.1000", "{e}");
    // CPU over-provisioning is a global config: raising it makes room.
    n.ok("PUT", "/v1/global-configurations/host/cpu.overProvisioning.ratio/actions", json!({"updateGlobalConfig": {"value": "20"}})).await;
    let (s, e) = n.call("PUT", "/v1/global-configurations/host/cpu.overProvisioning.ratio/actions", Some(json!({"updateGlobalConfig": {"value": "-1"}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")));
    let cap = n.ok("GET", "/v1/hosts/capacities/cpu-memory?all=true", Value::Null).await;
    assert_eq!((cap["totalCpu"].as_i64(), cap["availableCpu"].as_i64()), (Some(160), Some(110)), "8 CPUs x 20, minus the 50 the VM holds");
    // The room is real: 50 more vCPUs fit now (with little memory: the first VM holds 8 of 16 GiB).
    n.create("/v1/vm-instances", json!({"name": "b", "cpuNum": 50, "memorySize": 1u64 << 30, "imageUuid": w.image, "l3NetworkUuids": [w.l3]})).await;
    let vm = n.ok("POST", "/v1/vm-instances", json!({"params": w.vm_params("static"), "systemTags": [format!("staticIp::{}::192.168.1.77", w.l3)]})).await;
    assert_eq!(vm["inventory"]["vmNics"][0]["ip"], "192.168.1.77");
    let (s, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": w.vm_params("dup"), "systemTags": [format!("staticIp::{}::192.168.1.77", w.l3)]}))).await;
    assert_eq!(s, 503, "{e}");
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn legacy_rpc_endpoint() {
    let n = Node::start().await;
    let post = |body: Value| {
        let n = &n;
        async move {
            let (s, t) = n.raw("POST", "/api", Some(body.to_string()), false).await;
            assert_eq!(s, 200, "{t}");
            serde_json::from_str::<Value>(&t).unwrap()
        }
    };
    let login = post(json!({"org.zstack.header.identity.APILogInByAccountMsg": {"accountName": "admin", "password": sha512(common::PASSWORD)}})).await;
    let result: Value = serde_json::from_str(login["result"].as_str().unwrap()).unwrap();
    let session = result["org.zstack.header.identity.APILogInReply"]["inventory"]["uuid"].as_str().unwrap().to_string();
    let job = post(json!({"org.zstack.header.zone.APICreateZoneMsg": {"name": "legacy", "session": {"uuid": session}}})).await;
    assert_eq!(job["state"], "Processing");
    let job_uuid = job["uuid"].as_str().unwrap();
    let mut done = Value::Null;
    for _ in 0..500 {
        let (_, t) = n.raw("GET", &format!("/api/result/{job_uuid}"), None, false).await;
        done = serde_json::from_str(&t).unwrap();
        if done["state"] == "Done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let event: Value = serde_json::from_str(done["result"].as_str().unwrap()).unwrap();
    assert_eq!(event["org.zstack.header.zone.APICreateZoneEvent"]["success"], true);
    assert_eq!(event["org.zstack.header.zone.APICreateZoneEvent"]["inventory"]["name"], "legacy");
    let q = post(json!({"org.zstack.header.zone.APIQueryZoneMsg": {"conditions": [{"name": "name", "op": "in", "value": "legacy,other"}], "session": {"uuid": session}}})).await;
    let reply: Value = serde_json::from_str(q["result"].as_str().unwrap()).unwrap();
    assert_eq!(reply["org.zstack.header.zone.APIQueryZoneReply"]["inventories"][0]["name"], "legacy");
    let bad = post(json!({"org.zstack.header.zone.APIQueryZoneMsg": {"session": {"uuid": "nope"}}})).await;
    let reply: Value = serde_json::from_str(bad["result"].as_str().unwrap()).unwrap();
    assert_eq!(reply["org.zstack.header.zone.APIQueryZoneReply"]["error"]["code"], "ID.1001");
    let wrong = post(json!({"org.zstack.header.identity.APILogInByAccountMsg": {"accountName": "admin", "password": sha512("wrong")}})).await;
    let reply: Value = serde_json::from_str(wrong["result"].as_str().unwrap()).unwrap();
    assert_eq!(reply["org.zstack.header.identity.APILogInReply"]["success"], false);
}

#[actix_web::test]
async fn bad_input_gets_zstack_errors_and_changes_nothing() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    // Malformed JSON: 400 plain text.
    let (s, t) = n.raw("POST", "/v1/zones", Some("{not json".into()), true).await;
    assert_eq!(s, 400, "{t}");
    assert!(t.contains("not valid JSON"));
    // A wrong type: 400 naming the field.
    let (s, t) = n.raw("POST", "/v1/instance-offerings", Some(json!({"params": {"name": "x", "cpuNum": "two", "memorySize": 1}}).to_string()), true).await;
    assert_eq!(s, 400);
    assert!(t.contains("cpuNum"), "{t}");
    // A missing required field: the job fails with SYS.1007 naming it.
    let (s, e) = n.call("POST", "/v1/zones", Some(json!({"params": {}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")));
    assert!(e["error"]["details"].as_str().unwrap().contains("field[name]"));
    // An unknown uuid names the resource.
    let (s, e) = n.call("POST", "/v1/clusters", Some(json!({"params": {"zoneUuid": "0".repeat(32), "name": "c", "hypervisorType": "Simulator"}}))).await;
    assert_eq!(s, 503);
    assert!(e["error"]["details"].as_str().unwrap().contains("ZoneVO"), "{e}");
    // An invalid state event.
    let (s, e) = n.call("PUT", &format!("/v1/zones/{}/actions", w.zone), Some(json!({"changeZoneState": {"stateEvent": "explode"}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")));
    // Unknown path and unknown action.
    let (s, t) = n.raw("GET", "/v1/no-such-thing", None, true).await;
    assert_eq!(s, 404);
    assert!(t.contains("no api mapping"));
    let (s, _) = n.raw("PUT", &format!("/v1/zones/{}/actions", w.zone), Some(json!({"explode": {}}).to_string()), true).await;
    assert_eq!(s, 400);
    // No session, a bad session.
    let (s, t) = n.raw("GET", "/v1/zones", None, false).await;
    assert_eq!(s, 400);
    assert!(t.contains("Authorization"));
    let r = n.http.get(format!("{}/v1/zones", n.base)).header("Authorization", "OAuth nope").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "ID.1001");
    // Bad query conditions.
    let (s, e) = n.call("GET", "/v1/vm-instances?q=nosuchfield=1", None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")));
    let (s, _) = n.call("GET", "/v1/vm-instances?q=justtext", None).await;
    assert_eq!(s, 503);
    let (s, _) = n.call("GET", "/v1/vm-instances?limit=many", None).await;
    assert_eq!(s, 400);
    // Oversized body.
    let huge = format!("{{\"params\": {{\"name\": \"{}\"}}}}", "x".repeat(5 * 1024 * 1024));
    let (s, _) = n.raw("POST", "/v1/zones", Some(huge), true).await;
    assert_eq!(s, 413);
    // Duplicate X-Job-UUID.
    let job = "a".repeat(32);
    for expect in [202, 400] {
        let r = n.http.post(format!("{}/v1/zones", n.base)).header("Authorization", format!("OAuth {}", n.session)).header("X-Job-UUID", &job)
            .header("Content-Type", "application/json").body(json!({"params": {"name": "once"}}).to_string()).send().await.unwrap();
        assert_eq!(r.status().as_u16(), expect);
    }
    // A VM with an IP range exhausted: fails, nothing left.
    let tiny = uuid_of(&n.create("/v1/l3-networks", json!({"name": "tiny", "l2NetworkUuid": w.l2})).await);
    n.create(&format!("/v1/l3-networks/{tiny}/ip-ranges"), json!({"name": "r", "startIp": "10.9.0.2", "endIp": "10.9.0.2", "netmask": "255.255.255.0", "gateway": "10.9.0.1"})).await;
    n.create("/v1/vm-instances", json!({"name": "one", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [tiny]})).await;
    let (s, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": {"name": "two", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [tiny]}}))).await;
    assert_eq!(s, 503);
    assert_eq!(e["error"]["cause"]["code"], "IP_ALLOCATION.1000", "{e}");
    // Overlapping ranges are refused.
    let (s, _) = n.call("POST", &format!("/v1/l3-networks/{tiny}/ip-ranges"), Some(json!({"params": {"name": "r2", "startIp": "10.9.0.2", "endIp": "10.9.0.9", "netmask": "255.255.255.0"}}))).await;
    assert_eq!(s, 503);
    assert_eq!(n.query("/v1/vm-instances").await.len(), 1);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}

#[actix_web::test]
async fn restart_keeps_state_and_undoes_unfinished_creations() {
    let dir = std::env::temp_dir().join(format!("zstack-restart-{}", uuid::Uuid::new_v4().simple()));
    let db = common::TestDb::new();
    let url = db.url.clone();
    let (w, vm) = {
        let n = Node::start_at(dir.clone(), url.clone()).await;
        let w = World::build(&n, 1).await;
        let vm = uuid_of(&n.create("/v1/vm-instances", w.vm_params("keeper")).await);
        // Leave a creation half-done, as a crash mid-flow would.
        let half = zstack::resources::new_inv(json!({"uuid": "b".repeat(32), "name": "half", "state": "Created", "cpuNum": 1, "memorySize": 1}));
        n.app.store.inv_insert(&zstack::tables::VM_INSTANCE, &half).await.unwrap();
        n.app.sim.volume_create(&w.ps, "/orphan.qcow2", 5).await.unwrap();
        (w, vm)
    };
    let n = Node::start_at(dir, url).await;
    let vms = n.query("/v1/vm-instances").await;
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0]["uuid"], vm.as_str());
    assert_eq!(vms[0]["state"], "Running");
    assert!(n.app.sim.vm_get(&vm).is_some(), "the simulator remembers its VMs across restarts");
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
    let _ = w;
}

#[actix_web::test]
async fn creations_racing_a_zone_deletion_are_refused_or_swept_never_orphaned() {
    let n = Node::start().await;
    let w = World::build(&n, 3).await;
    for i in 0..6 {
        n.create("/v1/vm-instances", w.vm_params(&format!("before{i}"))).await;
    }
    // Slow the deletion down so creations land while it runs.
    n.app.sim.fault_add(zstack::simulator::Fault { op: "host.remove".into(), target: None, fail: None, delay_ms: Some(40), times: None });
    n.app.sim.fault_add(zstack::simulator::Fault { op: "vm.start".into(), target: None, fail: None, delay_ms: Some(15), times: None });
    let zone_path = format!("/v1/zones/{}", w.zone);
    // The deletion starts while the first creations are in flight.
    let delete = async {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        n.call("DELETE", &zone_path, None).await
    };
    let n = &n;
    let mut creations = Vec::new();
    for i in 0..24 {
        let body = match i % 4 {
            0 | 1 => ("/v1/vm-instances".to_string(), json!({"params": w.vm_params(&format!("racer{i}"))})),
            2 => ("/v1/hosts/simulators".to_string(), json!({"params": {"name": format!("late{i}"), "managementIp": format!("10.9.9.{i}"), "clusterUuid": w.cluster, "cpuCapacity": 8, "memoryCapacity": 1u64 << 34}})),
            _ => ("/v1/l3-networks".to_string(), json!({"params": {"name": format!("late{i}"), "l2NetworkUuid": w.l2}})),
        };
        creations.push(async move {
            tokio::time::sleep(std::time::Duration::from_millis(3 * i as u64)).await;
            n.call("POST", &body.0, Some(body.1)).await
        });
    }
    let (deleted, outcomes) = futures::join!(delete, futures::future::join_all(creations));
    assert_eq!(deleted.0, 200, "{}", deleted.1);
    for (status, body) in &outcomes {
        assert!(*status == 200 || *status == 503, "{status} {body}");
    }
    let refused = outcomes.iter().filter(|(s, _)| *s == 503).count();
    println!("{} creations succeeded (then swept), {refused} were refused", outcomes.len() - refused);
    assert!(refused > 0 && refused < outcomes.len(), "the creations did not straddle the deletion: the race was not exercised");
    n.app.sim.faults_clear();
    for path in ["/v1/zones", "/v1/clusters", "/v1/hosts", "/v1/vm-instances", "/v1/l3-networks", "/v1/l2-networks", "/v1/primary-storage", "/v1/volumes", "/v1/vm-instances/nics"] {
        let left = n.query(path).await;
        assert!(left.is_empty(), "{path} left behind after the zone was deleted: {left:?}");
    }
    assert_eq!(n.app.store.inv_count(&zstack::tables::USED_IP, &[]).await.unwrap(), 0);
    assert!(n.app.sim.vms().is_empty(), "VMs left on simulator hosts: {:?}", n.app.sim.vms());
    assert_eq!(n.app.sim.file_count(), 0);
    assert!(n.violations().await.is_empty(), "{:?}", n.violations().await);
}
