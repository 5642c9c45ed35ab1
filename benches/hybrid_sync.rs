//! Benchmark: the hybrid-cloud paths against the Alibaba Cloud simulator, both
//! in this process (the node on its actix threads, the simulator on its own
//! HTTP workers, the load generator on the main thread; all share the cores).
//!
//! 1. Sync: the simulator is seeded with `--instances` ECS instances,
//!    `--vswitches` VSwitches and `--groups` security groups; the node adds
//!    the DataCenter and runs `SyncDataCenterFromRemote` through its API
//!    (timed), then syncs again with nothing changed and counts the statements
//!    it hands the database (target: none).
//! 2. Creates: `--creates` `CreateEcsInstanceFromEcsImage` requests at
//!    `--concurrency`, with the simulator failing `--fail-rate` of all calls
//!    (InternalError, retried by the client) and timing out `--timeout-rate`
//!    of RunInstances answers after creating the instance (so a retry must
//!    find it by its ClientToken). Checked: every request signed exactly once
//!    per send, the simulator received exactly what was sent, and it holds
//!    one instance per successful create, each recorded once by the node.
//!
//!   cargo bench -p zstack --bench hybrid_sync -- [--instances 5000] [--vswitches 200] [--groups 500]
//!       [--creates 1000] [--concurrency 50] [--fail-rate 0.05] [--timeout-rate 0.01]

use futures::StreamExt;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use zstack::app::{App, Settings};
use zstack_aliyun_sim::{SimConfig, SimServer};

#[path = "api_client.rs"]
mod api_client;
use api_client::Client;

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
}

const REGION: &str = "cn-hangzhou";
const IMAGE_ID: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";

#[actix_web::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let instances: usize = arg(&args, "--instances", "5000").parse().unwrap();
    let vswitches: usize = arg(&args, "--vswitches", "200").parse().unwrap();
    let groups: usize = arg(&args, "--groups", "500").parse().unwrap();
    let creates: usize = arg(&args, "--creates", "1000").parse().unwrap();
    let conc: usize = arg(&args, "--concurrency", "50").parse().unwrap();
    let fail_rate: f64 = arg(&args, "--fail-rate", "0.05").parse().unwrap();
    let timeout_rate: f64 = arg(&args, "--timeout-rate", "0.01").parse().unwrap();

    let sim = SimServer::start(SimConfig { transition_step: Duration::from_millis(10), workers: 2, ..SimConfig::default() }).unwrap();
    {
        let mut st = sim.sim.state.lock();
        st.quotas.instances_per_region = instances + creates + 100;
        st.quotas.security_groups_per_region = groups + 100;
        st.quotas.vswitches_per_vpc = 256;
    }
    let vpcs = vswitches.div_ceil(250).max(1);
    let seed = zstack_aliyun_sim::seed::SeedRequest { region: REGION.into(), vpcs, vswitches, security_groups: groups, instances, ..Default::default() };
    let seeded = zstack_aliyun_sim::seed::seed(&mut sim.sim.state.lock(), &seed, sim.sim.clock.now()).unwrap();
    sim.sim.clock.advance(Duration::from_secs(60));
    println!("simulator seeded: {} VPCs, {} VSwitches, {} security groups, {} instances", seeded.vpc_ids.len(), seeded.vswitches, seeded.security_groups, seeded.instances);

    let dir = std::env::temp_dir().join(format!("zstack-bench-hybrid-{}", uuid::Uuid::new_v4().simple()));
    let started = App::start(Settings { listen: "127.0.0.1:0".into(), data_dir: dir.clone(), database_url: String::new(), admin_password: Some("bench".into()) })
        .await
        .unwrap();
    let app = started.app.clone();
    app.hybrid.clients.configure(|c| {
        c.poll_interval = Duration::from_millis(20);
        c.backoff_base = Duration::from_millis(20);
        c.timeout = Duration::from_secs(2);
    });
    let (srv, addr) = zstack::server::http_server(started.app, "127.0.0.1:0").unwrap();
    actix_web::rt::spawn(srv);
    let http = reqwest::Client::builder().pool_max_idle_per_host(conc * 2).build().unwrap();
    let base = format!("http://{addr}/zstack");
    let login: Value = http
        .put(format!("{base}/v1/accounts/login"))
        .json(&json!({"logInByAccount": {"accountName": "admin", "password": zstack::identity::sha512_hex("bench")}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = std::rc::Rc::new(Client { http, base, session: login["inventory"]["uuid"].as_str().unwrap().to_string(), poll: Duration::from_millis(20) });

    // 1. Sync.
    c.create("/v1/hybrid/aliyun/key", json!({"name": "bench", "key": "testid", "secret": "testsecret"})).await;
    let dc = c.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await;
    let t = Instant::now();
    c.call(reqwest::Method::GET, &format!("/v1/hybrid/data-center/{dc}/sync"), None).await;
    let first = t.elapsed();
    let count = |path: &str| {
        let c = c.clone();
        let path = path.to_string();
        async move { c.call(reqwest::Method::GET, &format!("{path}?count=true"), None).await["total"].as_i64().unwrap() }
    };
    let (n_ecs, n_vsw, n_sg) = (count("/v1/hybrid/aliyun/ecs").await, count("/v1/hybrid/aliyun/vswitch").await, count("/v1/hybrid/aliyun/security-group").await);
    println!("first sync (SyncDataCenterFromRemote): {:.2} s -> {n_ecs} ECS, {n_vsw} VSwitches, {n_sg} security groups recorded", first.as_secs_f64());
    assert_eq!((n_ecs as usize, n_vsw as usize, n_sg as usize), (instances, vswitches, groups));
    let before = app.store.db.statements_submitted();
    let t = Instant::now();
    let again = zstack::hybrid::datacenter::sync_everything(&app, &dc).await.unwrap();
    let second = t.elapsed();
    let written = app.store.db.statements_submitted() - before;
    println!("second sync, nothing changed: {:.2} s, {} records changed, {written} statements written", second.as_secs_f64(), again.changes());
    assert_eq!(written, 0, "an unchanged sync must not write");

    // 2. Creates under failures.
    let zone = c
        .call(reqwest::Method::GET, &format!("/v1/hybrid/identity-zone?q=dataCenterUuid={dc}&limit=1"), None)
        .await["inventories"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let vpc = c.create("/v1/hybrid/aliyun/vpc", json!({"dataCenterUuid": dc, "cidrBlock": "10.0.0.0/8", "name": "bench", "vRouterName": "r"})).await;
    let vsw = c.create_inv("/v1/hybrid/aliyun/vswitch", json!({"vpcUuid": vpc, "identityZoneUuid": zone, "cidrBlock": "10.1.0.0/16", "name": "bench"})).await;
    let sg = c.create("/v1/hybrid/aliyun/security-group/remote", json!({"vpcUuid": vpc, "name": "bench"})).await;
    let images = c.call(reqwest::Method::POST, &format!("/v1/hybrid/aliyun/image/{dc}/sync"), Some(json!({"params": {}}))).await;
    let image = images["inventories"].as_array().unwrap().iter().find(|i| i["ecsImageId"] == IMAGE_ID).unwrap()["uuid"].as_str().unwrap().to_string();
    let vsw_id = vsw["vSwitchId"].as_str().unwrap().to_string();
    let vsw_uuid = vsw["uuid"].as_str().unwrap().to_string();
    let client_before = app.hybrid.clients.stats();
    let sim_before = sim.sim.stats.lock().total_requests;
    {
        let mut faults = sim.sim.faults.lock();
        faults.add(serde_json::from_value(json!({"action": "RunInstances", "kind": "timeout", "rate": timeout_rate, "delay_ms": 3000})).unwrap()).unwrap();
        faults.add(serde_json::from_value(json!({"action": "*", "kind": "fail", "rate": fail_rate})).unwrap()).unwrap();
    }
    let t = Instant::now();
    let outcomes: Vec<Result<String, String>> = futures::stream::iter(0..creates)
        .map(|i| {
            let c = c.clone();
            let body = json!({"params": {"name": format!("bench-{i}"), "ecsImageUuid": image, "ecsVSwitchUuid": vsw_uuid, "ecsSecurityGroupUuid": sg,
                "ecsRootPassword": "Passw0rd!x"}});
            async move {
                let r = c.http.post(format!("{}/v1/hybrid/aliyun/ecs", c.base)).header("Authorization", format!("OAuth {}", c.session)).json(&body).send().await.unwrap();
                let loc = r.json::<Value>().await.unwrap()["location"].as_str().unwrap().to_string();
                loop {
                    let r = c.http.get(&loc).send().await.unwrap();
                    let s = r.status().as_u16();
                    if s != 202 {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        return if s == 200 { Ok(v["inventory"]["ecsInstanceId"].as_str().unwrap().to_string()) } else { Err(v["error"].to_string()) };
                    }
                    tokio::time::sleep(c.poll).await;
                }
            }
        })
        .buffer_unordered(conc)
        .collect()
        .await;
    let took = t.elapsed();
    let fired: Vec<String> = sim.sim.faults.lock().rules().iter().map(|r| format!("{} {:?}: {}", r.action, r.kind, r.fired)).collect();
    sim.sim.faults.lock().clear();
    let ok: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let failed: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    let client = app.hybrid.clients.stats();
    let sent = client.requests_sent - client_before.requests_sent;
    let signed = client.requests_signed - client_before.requests_signed;
    let received = sim.sim.stats.lock().total_requests - sim_before;
    let remote_ids: HashSet<String> = sim.sim.state.lock().instances.values().filter(|i| i.vswitch_id == vsw_id).map(|i| i.id.clone()).collect();
    let local_ids: HashSet<&String> = ok.iter().copied().collect();
    let (faults_fired, retries) = {
        let stats = sim.sim.stats.lock();
        (stats.actions.values().map(|a| a.faults).sum::<u64>(), client.retries - client_before.retries)
    };
    println!(
        "{creates} creates at concurrency {conc}: {:.1} s ({:.0}/s); {} succeeded, {} failed; {sent} requests sent, {signed} signed, {received} received by the simulator; {faults_fired} faults injected, {retries} retries",
        took.as_secs_f64(),
        creates as f64 / took.as_secs_f64(),
        ok.len(),
        failed.len()
    );
    println!("faults fired per rule: {}", fired.join(", "));
    for f in failed.iter().take(3) {
        println!("  a failed create: {f}");
    }
    println!("instances in the bench VSwitch on the simulator: {}; distinct instances recorded by the node: {}", remote_ids.len(), local_ids.len());
    assert_eq!(signed, sent, "every request is signed once per send");
    assert_eq!(received, sent, "the simulator received every request sent, once");
    assert_eq!(local_ids.len(), ok.len(), "no instance recorded twice");
    assert_eq!(remote_ids.len(), ok.len(), "no duplicate instance on Alibaba Cloud");
    let _ = std::fs::remove_dir_all(&dir);
}
