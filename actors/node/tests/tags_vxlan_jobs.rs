//! Tag patterns (tag v2), VXLAN pools and networks, long jobs and task
//! progress, through the HTTP API, with what each bad input gets.

mod common;

use common::{uuid_of, Node, World};
use serde_json::{json, Value};

#[actix_web::test]
async fn tag_patterns_attach_update_detach() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let simple = n.create("/v1/tags", json!({"name": "prod", "value": "production", "color": "#57D355"})).await;
    assert_eq!(simple["type"], "simple");
    let tag = uuid_of(&simple);
    let r = n.ok("POST", &format!("/v1/tags/{tag}/resources"), json!({"params": {"resourceUuids": [w.zone, w.cluster, "no-such-uuid"]}})).await;
    assert_eq!(r["results"][&w.zone]["success"], true);
    assert_eq!(r["results"]["no-such-uuid"]["success"], false);
    assert!(r["results"]["no-such-uuid"]["error"]["details"].as_str().unwrap().contains("no-such-uuid"));
    let tagged = n.query(&format!("/v1/user-tags?q=tagPatternUuid={tag}")).await;
    assert_eq!(tagged.len(), 2);
    assert!(tagged.iter().all(|t| t["tag"] == "production"));
    assert_eq!(n.query(&format!("/v1/user-tags?q=tagPattern.name=prod&q=resourceUuid={}", w.zone)).await[0]["resourceType"], "ZoneVO");
    assert_eq!(n.query("/v1/zones?q=__userTag__=production").await.len(), 1);
    // Attaching twice leaves one tag per resource.
    n.ok("POST", &format!("/v1/tags/{tag}/resources"), json!({"params": {"resourceUuids": [w.zone]}})).await;
    assert_eq!(n.query(&format!("/v1/user-tags?q=tagPatternUuid={tag}")).await.len(), 2);

    // A rename reaches the attached tags.
    let updated = n.ok("PUT", &format!("/v1/tags/{tag}/actions"), json!({"updateTag": {"value": "prod-env"}})).await;
    assert_eq!(updated["inventory"]["value"], "prod-env");
    assert!(n.query(&format!("/v1/user-tags?q=tagPatternUuid={tag}")).await.iter().all(|t| t["tag"] == "prod-env"));

    // withToken patterns fill their tokens per attachment.
    let owner = uuid_of(&n.create("/v1/tags", json!({"name": "owner", "value": "owner::{who}", "type": "withToken"})).await);
    let (s, e) = n.call("POST", &format!("/v1/tags/{owner}/resources"), Some(json!({"params": {"resourceUuids": [w.zone]}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "a missing token: {e}");
    n.ok("POST", &format!("/v1/tags/{owner}/resources"), json!({"params": {"resourceUuids": [w.zone], "tokens": {"who": "alice"}}})).await;
    assert_eq!(n.query(&format!("/v1/user-tags?q=tagPatternUuid={owner}")).await[0]["tag"], "owner::alice");
    let (s, e) = n.call("PUT", &format!("/v1/tags/{owner}/actions"), Some(json!({"updateTag": {"value": "owner::{someone}"}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "changing tokens: {e}");

    // Bad patterns.
    for (params, why) in [
        (json!({"name": "x", "value": "a::{b}"}), "tokens in a simple tag"),
        (json!({"name": "x", "value": "plain", "type": "withToken"}), "withToken without a token"),
        (json!({"name": "x", "value": "v", "type": "fancy"}), "unknown type"),
    ] {
        let (s, e) = n.call("POST", "/v1/tags", Some(json!({"params": params}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{why}: {e}");
    }
    assert_eq!(n.query("/v1/tags").await.len(), 2);

    // Detach, then delete the pattern with what is left of it.
    n.ok("DELETE", &format!("/v1/tags/{tag}/resources?resourceUuids={}", w.zone), Value::Null).await;
    assert_eq!(n.query(&format!("/v1/user-tags?q=tagPatternUuid={tag}")).await.len(), 1);
    n.ok("DELETE", &format!("/v1/tags/{tag}"), Value::Null).await;
    assert!(n.query(&format!("/v1/user-tags?q=tagPatternUuid={tag}")).await.is_empty());
    assert_eq!(n.query("/v1/tags").await.len(), 1);
}

#[actix_web::test]
async fn vxlan_pools_ranges_networks_and_vms() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let pool = n.create("/v1/l2-networks/vxlan-pool", json!({"name": "pool", "zoneUuid": w.zone})).await;
    assert_eq!(pool["type"], "VxlanNetworkPool");
    let pool = uuid_of(&pool);
    // No range yet: no VNI to give.
    let (s, e) = n.call("POST", "/v1/l2-networks/vxlan", Some(json!({"params": {"name": "v0", "poolUuid": pool}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1006")), "{e}");
    n.create(&format!("/v1/l2-networks/vxlan-pool/{pool}/vni-ranges"), json!({"name": "r1", "startVni": 100, "endVni": 101})).await;
    for (start, end, why) in [(50, 100, "overlap"), (0, 10, "zero"), (20, 10, "reversed"), (1, 16_777_215, "too large")] {
        let (s, e) = n.call("POST", &format!("/v1/l2-networks/vxlan-pool/{pool}/vni-ranges"), Some(json!({"params": {"name": "bad", "startVni": start, "endVni": end}}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{why}: {e}");
    }
    let (s, e) = n.call("POST", &format!("/v1/l2-networks/vxlan-pool/{}/vni-ranges", w.l2), Some(json!({"params": {"name": "r", "startVni": 1, "endVni": 2}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "a range on a plain L2: {e}");

    // Attaching the pool to the cluster carries its networks along.
    n.ok("POST", &format!("/v1/l2-networks/{pool}/clusters/{}", w.cluster), json!({})).await;
    let v1 = n.create("/v1/l2-networks/vxlan", json!({"name": "v1", "poolUuid": pool})).await;
    assert_eq!((v1["vni"].as_i64(), v1["type"].as_str(), v1["zoneUuid"].as_str()), (Some(100), Some("VxlanNetwork"), Some(w.zone.as_str())));
    assert_eq!(v1["attachedClusterUuids"], json!([w.cluster]));
    let v2 = n.create("/v1/l2-networks/vxlan", json!({"name": "v2", "poolUuid": pool, "vni": 101})).await;
    for (vni, why) in [(json!(101), "used"), (json!(500), "outside the ranges"), (Value::Null, "all used")] {
        let (s, e) = n.call("POST", "/v1/l2-networks/vxlan", Some(json!({"params": {"name": "v3", "poolUuid": pool, "vni": vni}}))).await;
        assert_eq!(s, 503, "{why}: {e}");
    }
    let pool_inv = &n.query(&format!("/v1/l2-networks/vxlan-pool/{pool}")).await[0];
    assert_eq!(pool_inv["attachedVniRanges"].as_array().unwrap().len(), 1);
    assert_eq!(pool_inv["attachedVxlanNetworkRefs"].as_array().unwrap().len(), 2);
    assert_eq!(n.query(&format!("/v1/l2-networks/vxlan?q=poolUuid={pool}&q=vni=101")).await.len(), 1);
    assert_eq!(n.query(&format!("/v1/l2-networks/vxlan?q=vxlanPool.name=pool")).await.len(), 2);
    assert!(n.query(&format!("/v1/l2-networks/{}", w.l2)).await[0].get("attachedVniRanges").is_none());
    let (s, _) = n.call("POST", "/v1/l3-networks", Some(json!({"params": {"name": "bad", "l2NetworkUuid": pool}}))).await;
    assert_eq!(s, 503, "an L3 directly on a pool");

    // A VM on a VXLAN network, then the pool leaves the cluster and takes the NIC with it.
    let l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "vx-l3", "l2NetworkUuid": uuid_of(&v1)})).await);
    n.create(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": "10.10.0.10", "endIp": "10.10.0.20", "netmask": "255.255.255.0", "gateway": "10.10.0.1"})).await;
    let vm = n.create("/v1/vm-instances", json!({"name": "vm", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [w.l3, l3]})).await;
    assert_eq!(vm["vmNics"].as_array().unwrap().len(), 2);
    let (s, _) = n.call("DELETE", &format!("/v1/l2-networks/{}/clusters/{}", uuid_of(&v1), w.cluster), None).await;
    assert_eq!(s, 503, "a VXLAN network is detached with its pool");
    n.ok("DELETE", &format!("/v1/l2-networks/{pool}/clusters/{}", w.cluster), Value::Null).await;
    let vm = &n.query(&format!("/v1/vm-instances/{}", uuid_of(&vm))).await[0];
    assert_eq!(vm["vmNics"].as_array().unwrap().len(), 1);
    assert!(n.query(&format!("/v1/l2-networks/{}", uuid_of(&v2))).await[0]["attachedClusterUuids"].as_array().unwrap().is_empty());

    // A range in use stays; deleting the pool takes networks, L3s and ranges.
    let range = uuid_of(&n.query("/v1/l2-networks/vxlan-pool/vni-range").await[0]);
    let (s, _) = n.call("DELETE", &format!("/v1/l2-networks/vxlan-pool/vni-ranges/{range}"), None).await;
    assert_eq!(s, 503);
    n.ok("DELETE", &format!("/v1/l2-networks/{pool}"), Value::Null).await;
    assert!(n.query("/v1/l2-networks/vxlan").await.is_empty());
    assert!(n.query(&format!("/v1/l3-networks/{l3}")).await.is_empty());
    assert!(n.query("/v1/l2-networks/vxlan-pool/vni-range").await.is_empty());
    assert_eq!(n.violations().await, Vec::<String>::new());
}

#[actix_web::test]
async fn long_jobs_run_api_messages_and_report_progress() {
    let n = Node::start().await;
    let w = World::build(&n, 1).await;
    let data = json!({"name": "from-job", "instanceOfferingUuid": w.offering, "imageUuid": w.image, "l3NetworkUuids": [w.l3]}).to_string();
    let job = n.create("/v1/longjobs", json!({"jobName": "APICreateVmInstanceMsg", "jobData": data})).await;
    let job_uuid = uuid_of(&job);
    let mut done = Value::Null;
    for _ in 0..400 {
        done = n.query(&format!("/v1/longjobs/{job_uuid}")).await[0].clone();
        if done["state"] == "Succeeded" || done["state"] == "Failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(done["state"], "Succeeded", "{done}");
    let result: Value = serde_json::from_str(done["jobResult"].as_str().unwrap()).unwrap();
    assert_eq!(result["inventory"]["name"], "from-job");
    assert_eq!(n.query("/v1/vm-instances?q=name=from-job").await.len(), 1);
    let progress = n.query(&format!("/v1/task-progresses/{}", done["apiId"].as_str().unwrap())).await;
    assert_eq!(progress[0]["content"], "100");
    assert!(n.query("/v1/task-progresses/unknown-api-id").await.is_empty());
    // An ended job cannot be canceled.
    let (s, _) = n.call("PUT", &format!("/v1/longjobs/{job_uuid}/actions"), Some(json!({"cancelLongJob": {}}))).await;
    assert_eq!(s, 503);

    // A job whose API fails ends Failed with ZStack's error.
    let bad = json!({"name": "x", "instanceOfferingUuid": "missing", "imageUuid": w.image, "l3NetworkUuids": [w.l3]}).to_string();
    let failed = uuid_of(&n.create("/v1/longjobs", json!({"jobName": "org.zstack.header.vm.APICreateVmInstanceMsg", "jobData": bad})).await);
    let mut state = Value::Null;
    for _ in 0..400 {
        state = n.query(&format!("/v1/longjobs/{failed}")).await[0]["state"].clone();
        if state != "Running" && state != "Waiting" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(state, "Failed");

    // What bad submissions get, before anything runs.
    for (params, why) in [
        (json!({"jobName": "APINoSuchMsg", "jobData": "{}"}), "unknown message"),
        (json!({"jobName": "APIQueryZoneMsg", "jobData": "{}"}), "a query is not a job"),
        (json!({"jobName": "APICreateZoneMsg", "jobData": "not json"}), "jobData not JSON"),
        (json!({"jobName": "APICreateZoneMsg", "jobData": "{}"}), "jobData missing a required field"),
        (json!({"jobName": "APICreateZoneMsg", "jobData": "{\"name\": 5}"}), "jobData with a wrong type"),
    ] {
        let (s, e) = n.call("POST", "/v1/longjobs", Some(json!({"params": params}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{why}: {e}");
    }
    assert_eq!(n.query("/v1/longjobs").await.len(), 2);
}
