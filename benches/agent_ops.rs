//! Benchmark: VM start/stop calls through the agent's HTTP API against
//! libvirt's `test:///default` driver (all libvirt workers share its one
//! connection, so every call sees the same in-memory hypervisor). The agent
//! runs in-process on a loopback port; the client is reqwest with keep-alive,
//! `CONCURRENCY` VMs in flight, each doing start → stop (grace) in a loop.
//! Target: at least 500 operations/s for 1,000 calls.
//!
//!   cargo bench -p zstack-agent --bench agent_ops
//!
//! Env: ZSTACK_BENCH_OPS (calls, default 1000), ZSTACK_BENCH_CONCURRENCY
//! (VMs in parallel, default 32).

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zstack_agent::AgentConfig;
use zstack_agent_proto::{headers, paths};

const TOKEN: &str = "bench-token";

fn env_num(k: &str, default: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn start_body(vm: &str, dir: &std::path::Path) -> Value {
    json!({
        "vmInstanceUuid": vm, "vmName": "bench", "memory": 64u64 << 20,
        "cpuNum": 1, "socketNum": 1, "cpuOnSocket": 1, "bootDev": ["hd"],
        "rootVolume": {"installPath": dir.join(format!("{vm}.qcow2")), "deviceId": 0, "deviceType": "file", "useVirtio": true},
        "nics": [{"mac": "52:54:00:00:00:01", "bridgeName": "br_bench", "uuid": "n", "deviceId": 0, "useVirtio": true}],
        "consoleMode": "vnc"
    })
}

async fn call(http: &reqwest::Client, base: &str, path: &str, body: &Value) -> Duration {
    let t = Instant::now();
    let rsp = http
        .post(format!("{base}{path}"))
        .header(headers::AGENT_TOKEN, TOKEN)
        .json(body)
        .send()
        .await
        .expect("agent answers");
    let v: Value = rsp.json().await.expect("JSON reply");
    assert_eq!(v["success"], json!(true), "{path}: {v}");
    t.elapsed()
}

fn main() {
    let total_ops = env_num("ZSTACK_BENCH_OPS", 1000).max(2);
    let concurrency = env_num("ZSTACK_BENCH_CONCURRENCY", 32).max(1);
    let dir = std::env::temp_dir().join(format!(
        "zstack-agent-bench-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let agent_dir = dir.clone();
    actix_web::rt::System::new().block_on(async move {
        let dir = agent_dir;
        let mut cfg = AgentConfig::from_args(Vec::<String>::new()).unwrap();
        cfg.listen = "127.0.0.1:0".into();
        cfg.libvirt_uri = "test:///default".into();
        cfg.data_dir = dir.clone();
        cfg.token_file = dir.join("agent-token");
        let agent = zstack_agent::start(cfg).await.expect("agent starts");
        let base = format!("http://{}", agent.addr);
        let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
        let rsp = http.post(format!("{base}{}", paths::HOST_CONNECT)).header(headers::AGENT_TOKEN, TOKEN).json(&json!({"hostUuid": "bench"})).send().await.unwrap();
        assert!(rsp.status().is_success());

        // Warm-up: connections and VM actors' code paths.
        for _ in 0..concurrency.min(8) {
            let vm = uuid::Uuid::new_v4().simple().to_string();
            call(&http, &base, paths::VM_START, &start_body(&vm, &dir)).await;
            call(&http, &base, paths::VM_STOP, &json!({"uuid": vm, "type": "grace", "timeout": 10})).await;
        }

        let cycles = total_ops / 2;
        let per_worker = |w: usize| cycles / concurrency + usize::from(w < cycles % concurrency);
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let (http, base, dir) = (http.clone(), base.clone(), dir.clone());
            let n = per_worker(w);
            tasks.push(actix_web::rt::spawn(async move {
                let mut lat = Vec::with_capacity(n * 2);
                for _ in 0..n {
                    let vm = uuid::Uuid::new_v4().simple().to_string();
                    lat.push(call(&http, &base, paths::VM_START, &start_body(&vm, &dir)).await);
                    lat.push(call(&http, &base, paths::VM_STOP, &json!({"uuid": vm, "type": "grace", "timeout": 10})).await);
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        let elapsed = t0.elapsed();
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
        let ops = lat.len();
        let rate = ops as f64 / elapsed.as_secs_f64();
        println!(
            "agent_ops: {ops} VM start/stop calls (test:///default, HTTP, {concurrency} VMs in parallel) in {:.3} s = {rate:.0} ops/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            lat[ops - 1].as_secs_f64() * 1e3,
        );
        println!("agent_ops: target >= 500 ops/s: {}", if rate >= 500.0 { "met" } else { "NOT met" });
        // Every VM stopped = undefined: only the driver's own "test" domain remains.
        let left = agent.state.libvirt.run(|c| Ok(c.list_all_domains(0).unwrap().len())).await.unwrap();
        assert_eq!(left, 1, "domains left behind");
        agent.handle.stop(false).await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
