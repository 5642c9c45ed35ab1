//! Alibaba Cloud clients for the hybrid resources: built from the attached
//! AccessKey (secret opened from its sealed row) and the DataCenter's
//! endpoint, cached per (key, endpoint) so connections and counters are shared.
//!
//! Endpoint, most specific first: the DataCenter's `endpoint` (a base URL, or
//! ZStack's `product::region::url,...` list), then `ZSTACK_ALIYUN_ENDPOINTS`
//! (same forms), then Alibaba Cloud's public domains. Tests and the benchmark
//! give the simulator's address as the DataCenter endpoint.

use super::tables;
use crate::app::App;
use crate::store::{str_of, Inventory};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::Duration;
use zstack_aliyun::{AliyunClient, ClientConfig, ClientStats, Credentials, Endpoints};
use zstack_kit::{ApiError, ApiResult};

/// How clients retry and wait; tests shorten these.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    /// Delay between two looks at a resource in transition (ECS starting, ...).
    pub poll_interval: Duration,
    /// How long a transition may take before the job fails.
    pub transition_timeout: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff_base: Duration::from_millis(200),
            poll_interval: Duration::from_millis(500),
            transition_timeout: Duration::from_secs(300),
        }
    }
}

pub struct Clients {
    settings: Mutex<ClientSettings>,
    /// Endpoint list from the environment, used where a DataCenter names none.
    env_endpoints: Option<String>,
    cache: Mutex<HashMap<(String, String), AliyunClient>>,
    /// Counters of clients dropped from the cache, so totals never go down.
    retired: Mutex<ClientStats>,
}

/// A client bound to one DataCenter's region.
#[derive(Clone)]
pub struct Remote {
    pub client: AliyunClient,
    pub region: String,
    pub data_center_uuid: String,
}

impl Clients {
    pub fn from_env() -> Clients {
        let mut settings = ClientSettings::default();
        if let Some(ms) = std::env::var("ZSTACK_ALIYUN_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()) {
            settings.timeout = Duration::from_millis(ms);
        }
        Clients {
            settings: Mutex::new(settings),
            env_endpoints: std::env::var("ZSTACK_ALIYUN_ENDPOINTS").ok().filter(|v| !v.is_empty()),
            cache: Mutex::new(HashMap::new()),
            retired: Mutex::new(ClientStats::default()),
        }
    }

    pub fn settings(&self) -> ClientSettings {
        self.settings.lock().clone()
    }

    /// Change how clients behave; clients already built are rebuilt on next use.
    pub fn configure(&self, f: impl FnOnce(&mut ClientSettings)) {
        f(&mut self.settings.lock());
        self.evict(|_| true);
    }

    /// Forget clients of a key (deleted, detached or replaced).
    pub fn evict_key(&self, key_uuid: &str) {
        self.evict(|(k, _)| k == key_uuid);
    }

    fn evict(&self, which: impl Fn(&(String, String)) -> bool) {
        let mut cache = self.cache.lock();
        let gone: Vec<(String, String)> = cache.keys().filter(|k| which(k)).cloned().collect();
        let mut retired = self.retired.lock();
        for k in gone {
            if let Some(c) = cache.remove(&k) {
                add_stats(&mut retired, c.stats());
            }
        }
    }

    /// Requests made by every client this node built.
    pub fn stats(&self) -> ClientStats {
        let mut total = *self.retired.lock();
        for c in self.cache.lock().values() {
            add_stats(&mut total, c.stats());
        }
        total
    }

    fn endpoints(&self, endpoint: Option<&str>) -> ApiResult<(String, Endpoints)> {
        let spec = endpoint.filter(|e| !e.is_empty()).map(String::from).or_else(|| self.env_endpoints.clone()).unwrap_or_default();
        let endpoints = if spec.is_empty() {
            Endpoints::new()
        } else if spec.contains("::") {
            Endpoints::parse_zstack_format(&spec).map_err(|e| ApiError::invalid_argument(format!("endpoint[{spec}]: {e}")))?
        } else if spec.starts_with("http://") || spec.starts_with("https://") {
            Endpoints::all_at(spec.trim_end_matches('/'))
        } else {
            return Err(ApiError::invalid_argument(format!("endpoint[{spec}] is neither a URL nor a list of product::region::url")));
        };
        Ok((spec, endpoints))
    }

    fn client(&self, key_uuid: &str, credentials: Credentials, endpoint: Option<&str>) -> ApiResult<AliyunClient> {
        let (spec, endpoints) = self.endpoints(endpoint)?;
        let cache_key = (key_uuid.to_string(), spec);
        if let Some(c) = self.cache.lock().get(&cache_key) {
            return Ok(c.clone());
        }
        let s = self.settings();
        let config = ClientConfig { endpoints, timeout: s.timeout, max_retries: s.max_retries, backoff_base: s.backoff_base, ..Default::default() };
        let client = AliyunClient::new(credentials, config).map_err(super::aliyun_error)?;
        Ok(self.cache.lock().entry(cache_key).or_insert(client).clone())
    }
}

fn add_stats(total: &mut ClientStats, s: ClientStats) {
    total.calls += s.calls;
    total.requests_signed += s.requests_signed;
    total.requests_sent += s.requests_sent;
    total.retries += s.retries;
    total.throttled += s.throttled;
    total.failed += s.failed;
}

/// The attached AccessKey and its opened secret.
async fn current_key(app: &App) -> ApiResult<(String, Credentials)> {
    let keys = app.store.inv_find(&tables::HYBRID_KEY, "type", "aliyun").await?;
    let key = keys
        .into_iter()
        .find(|k| k.get("current").and_then(|v| v.as_bool()) == Some(true))
        .ok_or_else(|| ApiError::operation("no Alibaba Cloud AccessKey is attached: add one with AddAliyunKeySecret and attach it with AttachAliyunKey"))?;
    let uuid = str_of(&key, "uuid").unwrap_or_default().to_string();
    let sealed = app.store.inv_must(&tables::HYBRID_KEY_SECRET, &uuid).await?;
    let secret = app.hybrid.secrets.open(&uuid, str_of(&sealed, "sealed").unwrap_or_default())?;
    Ok((uuid.clone(), Credentials { access_key_id: str_of(&key, "key").unwrap_or_default().to_string(), access_key_secret: secret }))
}

/// A client for a region not yet stored as a DataCenter (adding one, listing regions).
pub async fn for_endpoint(app: &App, endpoint: Option<&str>) -> ApiResult<AliyunClient> {
    let (key, credentials) = current_key(app).await?;
    app.hybrid.clients.client(&key, credentials, endpoint)
}

/// A client for a stored DataCenter.
pub async fn for_data_center(app: &App, dc_uuid: &str) -> ApiResult<Remote> {
    let dc = app.store.inv_must(&tables::DATA_CENTER, dc_uuid).await?;
    remote_of(app, &dc).await
}

pub async fn remote_of(app: &App, dc: &Inventory) -> ApiResult<Remote> {
    let client = for_endpoint(app, str_of(dc, "endpoint")).await?;
    Ok(Remote { client, region: str_of(dc, "regionId").unwrap_or_default().to_string(), data_center_uuid: str_of(dc, "uuid").unwrap_or_default().to_string() })
}
