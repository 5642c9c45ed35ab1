//! What the hybrid-cloud tests share: the in-process Alibaba Cloud simulator with fast
//! status transitions, a node whose Alibaba client polls and backs off quickly, and
//! small readers of the simulator's state and the node's answers.

use super::Node;
use serde_json::Value;
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
    let waited = std::time::Instant::now();
    loop {
        let (s, text) = n.raw("GET", &format!("/v1/api-jobs/{job}"), None, true).await;
        let b: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if s != 202 {
            return (s, b);
        }
        assert!(waited.elapsed() < Duration::from_secs(30), "job {job} did not end within 30 s of the restart: {b}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
