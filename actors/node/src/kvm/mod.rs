//! KVM hosts: the management node's side of zstack-agent. `AgentClient`
//! speaks the agent protocol over HTTP with the host's token; `KvmHosts`
//! keeps one client per connected host (rebuilt from the database at start)
//! and tells the rest of the node which hosts and storage are real.

pub mod console;
pub mod deploy;
pub mod host;
pub mod image_store;
pub mod local_storage;
pub mod migrate;
pub mod snapshot;
pub mod tracker;

use crate::app::App;
use crate::store::str_of;
use crate::tables;
use parking_lot::RwLock;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use zstack_agent_proto::{headers, AgentReply};
use zstack_kit::{ApiError, ApiResult};

/// Calls to one host's agent.
pub struct AgentClient {
    pub host_uuid: String,
    pub base_url: String,
    token: String,
    http: reqwest::Client,
}

/// How long an agent call may take, by kind.
pub const QUICK: Duration = Duration::from_secs(15);
pub const SLOW: Duration = Duration::from_secs(600);

/// An agent answers on actix, which closes a connection idle for 5 s: the pool drops it
/// first, or a ping sent on it as it closes would fail and mark the host Disconnected.
fn idle_pooled_client() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(3)).build().unwrap_or_default()
}

impl AgentClient {
    pub fn new(host_uuid: &str, ip: &str, port: u16, token: &str) -> Self {
        AgentClient { host_uuid: host_uuid.into(), base_url: format!("http://{ip}:{port}"), token: token.into(), http: idle_pooled_client() }
    }

    /// The token this agent accepts: another host's agent needs it to pull
    /// files from this one (local storage migration).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// One synchronous agent call. An unreachable agent, a refused token and
    /// `success=false` each become an operation error naming the host and path.
    pub async fn call<C: Serialize, R: AgentReply>(&self, path: &str, cmd: &C, timeout: Duration) -> ApiResult<R> {
        let url = format!("{}{path}", self.base_url);
        let host = &self.host_uuid;
        let r = self
            .http
            .post(&url)
            .header(headers::AGENT_TOKEN, &self.token)
            .header(headers::RESOURCE_UUID, host.as_str())
            .json(cmd)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| {
                let why = if e.is_timeout() { format!("no answer within {}s", timeout.as_secs()) } else { format!("unreachable ({e})") };
                ApiError::operation(format!("the agent of host[uuid:{host}] at {} is {why}", self.base_url)).at(path.to_string())
            })?;
        let status = r.status().as_u16();
        let text = r.text().await.map_err(|e| ApiError::operation(format!("reading the answer of {url}: {e}")))?;
        if status == 401 {
            return Err(ApiError::operation(format!("the agent of host[uuid:{host}] refused the management node's token: {text}")));
        }
        let reply: R = serde_json::from_str(&text)
            .map_err(|e| ApiError::operation(format!("the agent of host[uuid:{host}] answered {path} with HTTP {status} and an unreadable body ({e}): {text}")))?;
        if !reply.base().success {
            let why = reply.base().error.clone().unwrap_or_else(|| "no reason given".into());
            return Err(ApiError::operation(format!("host[uuid:{host}] failed {path}: {why}")));
        }
        Ok(reply)
    }
}

/// The node's connected KVM hosts and the local primary storage on them.
#[derive(Default)]
pub struct KvmHosts {
    agents: RwLock<HashMap<String, Arc<AgentClient>>>,
    /// Primary storage uuid → whether it is local storage (types never change).
    storage_is_local: RwLock<HashMap<String, bool>>,
}

impl KvmHosts {
    pub fn agent(&self, host: &str) -> Option<Arc<AgentClient>> {
        self.agents.read().get(host).cloned()
    }

    pub fn is_kvm(&self, host: &str) -> bool {
        self.agents.read().contains_key(host)
    }

    pub fn register(&self, client: AgentClient) -> Arc<AgentClient> {
        let c = Arc::new(client);
        self.agents.write().insert(c.host_uuid.clone(), c.clone());
        c
    }

    pub fn forget(&self, host: &str) {
        self.agents.write().remove(host);
    }

    pub fn local_storage_known(&self, ps: &str) -> Option<bool> {
        self.storage_is_local.read().get(ps).copied()
    }

    pub fn local_storage_learn(&self, ps: &str, local: bool) {
        self.storage_is_local.write().insert(ps.to_string(), local);
    }

    pub fn hosts(&self) -> Vec<Arc<AgentClient>> {
        self.agents.read().values().cloned().collect()
    }

    /// Rebuild the clients of every KVM host from the database (at start).
    pub async fn load(&self, app: &App) -> ApiResult<()> {
        let port = agent_port(app);
        for row in app.store.inv_query(&tables::KVM_HOST, &[], &zstack_db::query::QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() }).await? {
            let uuid = str_of(&row, "uuid").unwrap_or_default();
            let Some(host) = app.store.inv_get(&tables::HOST, uuid).await? else { continue };
            let port = row.get("agentPort").and_then(|p| p.as_u64()).map(|p| p as u16).unwrap_or(port);
            self.register(AgentClient::new(uuid, str_of(&host, "managementIp").unwrap_or_default(), port, str_of(&row, "token").unwrap_or_default()));
        }
        Ok(())
    }
}

pub fn agent_port(app: &App) -> u16 {
    app.configs.get(crate::config::KVM_AGENT_PORT).parse().unwrap_or(7070)
}
