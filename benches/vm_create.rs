//! Benchmark: create N VMs on H simulator hosts through the HTTP API at
//! concurrency C (each request: POST, then poll its api-job until done), then
//! time GET-by-uuid and a join query, and delete the zone (cascade).
//! The node runs in this process on its own threads; the client shares the
//! machine, as a load generator on the same box would.
//!
//!   cargo bench -p zstack --bench vm_create -- [--vms 10000] [--hosts 1000] [--concurrency 100]
//!       [--database-server URL] [--no-delete] [--keep]
//!
//! `--no-delete` skips the cascade (for runs at 100,000 VMs); `--keep` keeps the data dir.

use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use zstack::app::{App, Settings};

#[path = "api_client.rs"]
mod api_client;
use api_client::Client;

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[actix_web::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let vms: usize = arg(&args, "--vms", "10000").parse().unwrap();
    let hosts: usize = arg(&args, "--hosts", "1000").parse().unwrap();
    let conc: usize = arg(&args, "--concurrency", "100").parse().unwrap();
    let server = arg(&args, "--database-server", "");
    let dir = std::env::temp_dir().join(format!("zstack-bench-{}", uuid::Uuid::new_v4().simple()));
    let database_url = if server.is_empty() { String::new() } else { format!("{server}/zs_bench_{}", std::process::id()) };
    if !server.is_empty() {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let name = database_url.rsplit('/').next().unwrap().to_string();
        if server.starts_with("postgres") {
            diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        } else {
            diesel::MysqlConnection::establish(&server).unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        }
    }
    let started = App::start(Settings { listen: "127.0.0.1:0".into(), data_dir: dir.clone(), database_url: database_url.clone(), admin_password: Some("bench".into()) })
        .await
        .unwrap();
    let app = started.app.clone();
    let (srv, addr) = zstack::server::http_server(started.app, "127.0.0.1:0").unwrap();
    actix_web::rt::spawn(srv);
    // Idle connections are dropped before the node's 5 s keep-alive closes
    // them: a slow setup step (adding hosts on a server database) otherwise
    // leaves a pooled connection the node has just closed, and the next call fails.
    let http = reqwest::Client::builder().pool_max_idle_per_host(conc * 2).pool_idle_timeout(Duration::from_secs(2)).build().unwrap();
    let c = std::rc::Rc::new(Client::login(http, format!("http://{addr}/zstack"), "bench").await);

    let zone = c.create("/v1/zones", json!({"name": "bench"})).await;
    let cluster = c.create("/v1/clusters", json!({"zoneUuid": zone, "name": "c", "hypervisorType": "Simulator"})).await;
    let t = Instant::now();
    futures::stream::iter(0..hosts)
        .map(|i| {
            let c = c.clone();
            let cluster = cluster.clone();
            async move {
                c.create("/v1/hosts/simulators", json!({"name": format!("h{i}"), "managementIp": format!("10.{}.{}.{}", i / 62500, (i / 250) % 250, i % 250 + 1),
                    "clusterUuid": cluster, "cpuCapacity": 32, "memoryCapacity": 256u64 << 30})).await
            }
        })
        .buffer_unordered(conc)
        .collect::<Vec<_>>()
        .await;
    println!("added {hosts} simulator hosts in {:.2?}", t.elapsed());
    let ps = c.create("/v1/primary-storage/simulators", json!({"name": "ps", "url": "/ps", "zoneUuid": zone, "totalCapacity": 1u64 << 60})).await;
    c.call(reqwest::Method::POST, &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), Some(json!({"params": {}}))).await;
    let bs = c.create("/v1/backup-storage/simulators", json!({"name": "bs", "url": "/bs"})).await;
    c.call(reqwest::Method::POST, &format!("/v1/zones/{zone}/backup-storage/{bs}"), Some(json!({"params": {}}))).await;
    let l2 = c.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": "eth0"})).await;
    c.call(reqwest::Method::POST, &format!("/v1/l2-networks/{l2}/clusters/{cluster}"), Some(json!({}))).await;
    let l3 = c.create("/v1/l3-networks", json!({"name": "l3", "l2NetworkUuid": l2})).await;
    // An L3 network no VM uses: the worst case of a join query (nothing stops the scan early).
    let empty_l3 = c.create("/v1/l3-networks", json!({"name": "unused", "l2NetworkUuid": l2})).await;
    c.call(reqwest::Method::POST, &format!("/v1/l3-networks/{l3}/ip-ranges/by-cidr"), Some(json!({"params": {"name": "r", "networkCidr": "10.128.0.0/14"}}))).await;
    let offering = c.create("/v1/instance-offerings", json!({"name": "o", "cpuNum": 1, "memorySize": 1u64 << 30})).await;
    let image = c.create("/v1/images", json!({"name": "i", "url": "http://x/i.qcow2#1073741824", "backupStorageUuids": [bs]})).await;

    let t = Instant::now();
    let uuids: Vec<String> = futures::stream::iter(0..vms)
        .map(|i| {
            let c = c.clone();
            let p = json!({"name": format!("vm{i}"), "instanceOfferingUuid": offering, "imageUuid": image, "l3NetworkUuids": [l3]});
            async move {
                let v = c.call(reqwest::Method::POST, "/v1/vm-instances", Some(json!({ "params": p }))).await;
                assert_eq!(v["inventory"]["state"], "Running");
                v["inventory"]["uuid"].as_str().unwrap().to_string()
            }
        })
        .buffer_unordered(conc)
        .collect()
        .await;
    let create = t.elapsed();
    println!("FIGURE create {vms} VMs on {hosts} hosts at concurrency {conc}: {:.2?} ({:.0} VMs/s)", create, vms as f64 / create.as_secs_f64());

    let n = 20_000.min(uuids.len() * 10);
    let t = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let c = c.clone();
            let u = uuids[i % uuids.len()].clone();
            async move { c.call(reqwest::Method::GET, &format!("/v1/vm-instances/{u}"), None).await }
        })
        .buffer_unordered(conc)
        .collect::<Vec<_>>()
        .await;
    println!("FIGURE GET /vm-instances/{{uuid}}: {:.0} requests/s ({n} requests, concurrency {conc})", n as f64 / t.elapsed().as_secs_f64());

    for (which, target, join_conc) in [("every VM matches", &l3, 1), ("every VM matches", &l3, 10), ("no VM matches", &empty_l3, 1)] {
        let mut lat: Vec<Duration> = futures::stream::iter(0..200)
            .map(|_| {
                let c = c.clone();
                let l3 = target.clone();
                async move {
                    let t = Instant::now();
                    c.call(reqwest::Method::GET, &format!("/v1/vm-instances?q=vmNics.l3NetworkUuid={l3}&limit=20"), None).await;
                    t.elapsed()
                }
            })
            .buffer_unordered(join_conc)
            .collect()
            .await;
        lat.sort();
        println!(
            "FIGURE join query q=vmNics.l3NetworkUuid, {which} (limit 20, concurrency {join_conc}): p50 {:.2?} p99 {:.2?}",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
    }
    let rss = std::fs::read_to_string("/proc/self/status").unwrap_or_default().lines().find(|l| l.starts_with("VmRSS")).unwrap_or("").to_string();
    println!("FIGURE resident memory (node + client in one process) after {vms} VMs: {}", rss.trim_start_matches("VmRSS:").trim());
    println!("live actors: {}", app.dirs().live_actors());

    if !args.iter().any(|a| a == "--no-delete") {
        let t = Instant::now();
        c.call(reqwest::Method::DELETE, &format!("/v1/zones/{zone}"), None).await;
        println!("FIGURE delete zone with {hosts} hosts and {vms} VMs (cascade): {:.2?}", t.elapsed());
    }
    assert!(zstack::recovery::invariant_violations(&app).await.unwrap().is_empty());
    if args.iter().any(|a| a == "--keep") {
        println!("data dir kept: {} (database: {})", dir.display(), if database_url.is_empty() { "zstack.db in it" } else { &database_url });
    } else {
        std::fs::remove_dir_all(dir).ok();
        if !server.is_empty() {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            let name = database_url.rsplit('/').next().unwrap().to_string();
            if server.starts_with("postgres") {
                let _ = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap().batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            } else {
                let _ = diesel::MysqlConnection::establish(&server).unwrap().batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
            }
        }
    }
}
