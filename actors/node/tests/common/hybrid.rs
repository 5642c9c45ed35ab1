//! What the hybrid-cloud tests share: the in-process Alibaba Cloud simulator with fast
//! status transitions, a node whose Alibaba client polls and backs off quickly, and
//! small readers of the simulator's state and the node's answers.

use super::Node;
use serde_json::{json, Value};
use zstack_aliyun::{AliyunClient, ClientConfig, Credentials, Endpoints};
use std::time::Duration;
use zstack_aliyun_sim::{SimConfig, SimServer};

/// A simulator whose transitions (Pending -> Running, ...) take 20 ms a step.
pub fn sim() -> SimServer {
    SimServer::start(SimConfig { transition_step: Duration::from_millis(20), ..SimConfig::default() }).expect("simulator starts")
}

/// A node that polls Alibaba every 20 ms and retries after 10 ms.
pub async fn node() -> Node {
    quick(Node::start().await)
}

/// The node made to poll Alibaba every 20 ms and retry after 10 ms.
pub fn quick(n: Node) -> Node {
    n.app.hybrid.clients.configure(|c| {
        c.poll_interval = Duration::from_millis(20);
        c.backoff_base = Duration::from_millis(10);
        c.transition_timeout = Duration::from_secs(20);
    });
    n
}

/// A job's answer once it is no longer 202 (the hybrid recovery runs after the node listens).
pub async fn job_end(n: &Node, job: &str) -> (u16, Value) {
    let (s, b) = n.poll(&format!("{}/v1/api-jobs/{job}", n.base), Duration::from_secs(30)).await;
    assert_ne!(s, 202, "job {job} did not end within 30 s of the restart: {b}");
    (s, b)
}

/// The region every hybrid test's DataCenter is in.
pub const REGION: &str = "cn-hangzhou";

/// The simulator's AccessKey and a DataCenter of `REGION` at the simulator.
pub async fn data_center(n: &Node, sim: &SimServer) -> String {
    n.create("/v1/hybrid/aliyun/key", json!({"name": "ak", "key": "testid", "secret": "testsecret"})).await;
    super::uuid_of(&n.create("/v1/hybrid/data-center", json!({"regionId": REGION, "type": "aliyun", "endpoint": sim.base_url})).await)
}

/// A client of our own at the simulator, for what the node has no API for (making a VPN
/// gateway, a bucket "outside" the node) or what a test must do behind its back.
pub fn direct(sim: &SimServer) -> AliyunClient {
    AliyunClient::new(
        Credentials { access_key_id: "testid".into(), access_key_secret: "testsecret".into() },
        ClientConfig { endpoints: Endpoints::all_at(&sim.base_url), max_retries: 0, ..Default::default() },
    )
    .unwrap()
}

/// Statements the node has handed to its database so far.
pub fn writes(n: &Node) -> u64 {
    n.app.store.db.statements_submitted()
}

/// The simulator's state with every transition due by now applied.
pub fn state(sim: &SimServer) -> parking_lot::MutexGuard<'_, zstack_aliyun_sim::state::SimState> {
    let mut st = sim.sim.state.lock();
    st.settle(sim.sim.clock.now());
    st
}

/// An error's `details`.
pub fn details(e: &Value) -> &str {
    e["details"].as_str().unwrap_or_default()
}

/// A string field that must be there.
pub fn id(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_string()
}
