//! Hybrid cloud end to end: the node, pointed at the Alibaba Cloud simulator
//! started in-process, manages AccessKeys, DataCenters, zones and the
//! resources in them; the simulator's own state is checked at each step.

mod common;

use common::{uuid_of, Node};
use serde_json::{json, Value};
use std::time::Duration;
use zstack_aliyun_sim::{SimConfig, SimServer};

const REGION: &str = "cn-hangzhou";
const ZONE: &str = "cn-hangzhou-h";
const KEY_ID: &str = "testid";
const KEY_SECRET: &str = "testsecret";

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

async fn add_key(n: &Node, secret: &str) -> Value {
    n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": KEY_ID, "secret": secret})).await
}

/// An AccessKey and the DataCenter of REGION at the simulator.
async fn data_center(n: &Node, sim: &SimServer) -> String {
    add_key(n, KEY_SECRET).await;
    let dc = n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await;
    uuid_of(&dc)
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
    let e = fails(&n, "POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "dup", "key": "LTAIexample", "secret": "y"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = fails(&n, "POST", "/v1/hybrid/aliyun/key", Some(json!({"params": {"name": "nosecret", "key": "LTAIthird"}}))).await;
    assert!(e["details"].as_str().unwrap().contains("secret"), "{e}");
    n.ok("DELETE", &format!("/v1/hybrid/aliyun/key/{uuid}"), Value::Null).await;
    assert!(n.app.store.inv_get(&zstack::tables::HYBRID_KEY_SECRET, &uuid).await.unwrap().is_none(), "the sealed secret goes with its key");
}

#[actix_web::test]
async fn data_center_and_identity_zones_come_from_the_simulator() {
    let sim = sim();
    let n = node().await;
    // Nothing can be called before a key is attached.
    let e = fails(&n, "POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url}}))).await;
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
    let e = fails(&n, "POST", "/v1/hybrid/identity-zone", Some(json!({"params": {"dataCenterUuid": dc, "zoneId": "cn-nowhere-z"}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = fails(&n, "POST", "/v1/hybrid/identity-zone", Some(json!({"params": {"dataCenterUuid": "0123456789abcdef0123456789abcdef", "zoneId": ZONE}}))).await;
    assert!(e["details"].as_str().unwrap().contains("does not exist"), "{e}");
    let e = fails(&n, "POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": "xx-nowhere-1", "type": "aliyun", "endpoint": sim.base_url}}))).await;
    assert_eq!(e["code"], "SYS.1007", "{e}");
    let e = fails(&n, "POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aws", "endpoint": sim.base_url}}))).await;
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
    let e = fails(&n, "POST", "/v1/hybrid/data-center", Some(json!({"params": {"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url}}))).await;
    assert_eq!(e["code"], "SYS.1006", "{e}");
    assert_eq!(e["cause"]["code"], "SignatureDoesNotMatch", "{e}");
    assert!(e["details"].as_str().unwrap().contains("DescribeRegions"), "{e}");
    assert!(n.query("/v1/hybrid/data-center").await.is_empty(), "no half-made record");
}
