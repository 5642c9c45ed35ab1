//! `zstack-aliyun-sim`: an Alibaba Cloud API simulator for tests and benchmarks.
//!
//! A real HTTP server (actix-web) that answers the ECS (2014-05-26), VPC (2016-04-28)
//! and OSS APIs on one address, the way the official SDKs and the `zstack-aliyun` client
//! call them when pointed at a local endpoint:
//! - RPC requests (`POST /?...`, parameters in the query or a form body) are verified
//!   with RPC V1 (`Signature=`, HMAC-SHA1) or ACS3-HMAC-SHA256 (`Authorization`), with
//!   Timestamp freshness and SignatureNonce replay checks, and routed by API version and
//!   action; anything else is OSS (path-style or virtual-host style, OSS V1 or V4 signed).
//! - State lives in memory ([`state::SimState`] behind one mutex); instance and image
//!   statuses move over simulated time ([`clock::SimClock`], step configurable).
//! - Alibaba's rules and error codes ([`error::SimError`] renders the JSON or XML body).
//! - Control API under `/__sim/` (no signature): faults, seed, stats, clock, config.
//!
//! Start one in-process with [`SimServer::start`], or run the `zstack-aliyun-sim` binary.

pub mod auth;
pub mod cidr;
pub mod clock;
pub mod error;
pub mod faults;
pub mod oss;
pub mod rpc;
pub mod seed;
pub mod state;
pub mod stats;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use parking_lot::Mutex;
use serde_json::{json, Value};
use zstack_aliyun::encode::{parse_query, percent_decode};

use crate::auth::{KeyRing, NonceCache, SignedRequest};
use crate::clock::SimClock;
use crate::error::SimError;
use crate::faults::{FaultDecision, FaultPlan, FaultRule};
use crate::rpc::{Product, RpcContext, RpcParams};
use crate::state::{Quotas, SimState};
use crate::stats::SimStats;

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// (AccessKeyId, AccessKeySecret) pairs that may call.
    pub access_keys: Vec<(String, String)>,
    /// Time between two statuses of a transition (Pending -> Starting -> Running ...).
    pub transition_step: Duration,
    /// HTTP worker threads.
    pub workers: usize,
    /// Largest accepted request body (OSS uploads).
    pub max_body_bytes: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            access_keys: vec![("testid".into(), "testsecret".into())],
            transition_step: Duration::from_secs(1),
            workers: 2,
            max_body_bytes: 1 << 30,
        }
    }
}

/// Everything the request handlers share.
pub struct Simulator {
    pub state: Mutex<SimState>,
    pub clock: SimClock,
    pub keys: KeyRing,
    pub nonces: Mutex<NonceCache>,
    pub faults: Mutex<FaultPlan>,
    pub stats: Mutex<SimStats>,
}

impl Simulator {
    pub fn new(config: &SimConfig) -> Self {
        let clock = SimClock::new();
        Self {
            state: Mutex::new(SimState::new(config.transition_step, clock.now())),
            clock,
            keys: KeyRing::new(config.access_keys.clone()),
            nonces: Mutex::default(),
            faults: Mutex::default(),
            stats: Mutex::default(),
        }
    }
}

/// A running simulator; stops when dropped.
pub struct SimServer {
    pub base_url: String,
    pub addr: SocketAddr,
    pub sim: Arc<Simulator>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl SimServer {
    /// Binds, starts the server on its own thread (own actix system) and returns once
    /// it accepts connections, so it works from any test runtime or none.
    pub fn start(config: SimConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.listen)?;
        let addr = listener.local_addr()?;
        let sim = Arc::new(Simulator::new(&config));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = sim.clone();
        let thread = std::thread::Builder::new()
            .name("aliyun-sim".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = build_server(shared, listener, &config)?;
                    tx.send(server.handle()).expect("starter waits");
                    server.await
                })
            })?;
        let handle = rx
            .recv()
            .map_err(|_| std::io::Error::other("the simulator thread failed to start"))?;
        Ok(Self {
            base_url: format!("http://{addr}"),
            addr,
            sim,
            handle,
            thread: Some(thread),
        })
    }

    /// Stops accepting and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let handle = self.handle.clone();
        // The stop future needs an executor; use a throwaway one on a plain thread so
        // this works inside or outside any async runtime.
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

fn build_server(
    sim: Arc<Simulator>,
    listener: TcpListener,
    config: &SimConfig,
) -> std::io::Result<actix_web::dev::Server> {
    let limit = config.max_body_bytes;
    let data = web::Data::from(sim);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(limit))
            .default_service(web::to(serve))
    })
    .workers(config.workers.max(1))
    .disable_signals()
    .listen(listener)?
    .run())
}

/// `8-4-4-4-12` upper-case hex, like the service's RequestIds.
pub fn new_request_id() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn lower_headers(req: &HttpRequest) -> Vec<(String, String)> {
    req.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn serve(req: HttpRequest, body: web::Bytes, sim: web::Data<Simulator>) -> HttpResponse {
    if req.path().starts_with("/__sim/") {
        return control(&req, &body, &sim);
    }
    let headers = lower_headers(&req);
    let query = parse_query(req.query_string(), true);
    let is_rpc = query.iter().any(|(k, _)| k == "Action")
        || header(&headers, "x-acs-action").is_some()
        || header(&headers, "authorization").is_some_and(|a| a.starts_with("ACS3-HMAC-SHA256"));
    if is_rpc {
        serve_rpc(&req, &headers, query, &body, &sim).await
    } else {
        serve_oss(&req, &headers, query, &body, &sim).await
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn rpc_answer(result: Result<Value, SimError>, request_id: &str, host_id: &str) -> HttpResponse {
    match result {
        Ok(mut body) => {
            if let Some(map) = body.as_object_mut() {
                map.insert("RequestId".into(), json!(request_id));
            }
            HttpResponse::Ok()
                .content_type("application/json;charset=utf-8")
                .body(body.to_string())
        }
        Err(error) => HttpResponse::build(status(error.status))
            .content_type("application/json;charset=utf-8")
            .body(error.rpc_body(request_id, host_id).to_string()),
    }
}

async fn serve_rpc(
    req: &HttpRequest,
    headers: &[(String, String)],
    query: Vec<(String, String)>,
    body: &[u8],
    sim: &Simulator,
) -> HttpResponse {
    let request_id = new_request_id();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let action = header(headers, "x-acs-action")
        .map(str::to_string)
        .or_else(|| param("Action"))
        .unwrap_or_default();
    let version = header(headers, "x-acs-version")
        .map(str::to_string)
        .or_else(|| param("Version"))
        .unwrap_or_default();
    let product = Product::for_version(&version);
    let host_id = product.unwrap_or(Product::Ecs).host_id();
    let stats_key = if action.is_empty() {
        "<no action>".to_string()
    } else {
        action.clone()
    };
    sim.stats.lock().received(&stats_key);
    let answer = |result: Result<Value, SimError>| {
        sim.stats
            .lock()
            .answered(&stats_key, result.as_ref().err().map(|e| e.code.as_str()));
        rpc_answer(result, &request_id, host_id)
    };
    let form = if header(headers, "content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        parse_query(&String::from_utf8_lossy(body), true)
    } else {
        Vec::new()
    };
    let signed = SignedRequest {
        method: req.method().as_str(),
        path: &percent_decode(req.path(), false),
        query: &query,
        form: &form,
        headers,
        body,
    };
    let caller = match auth::verify_rpc(&signed, &sim.keys, &mut sim.nonces.lock()) {
        Ok(caller) => caller,
        Err(error) => return answer(Err(error)),
    };
    sim.stats.lock().signed(&stats_key, caller.signature);
    let Some(product) = product else {
        return answer(Err(SimError::bad(
            "InvalidVersion",
            format!("Specified parameter Version {version:?} is not valid."),
        )));
    };
    if action.is_empty() {
        return answer(Err(SimError::missing("Action")));
    }
    let fault = sim.faults.lock().decide(&action, false);
    let delay = match fault {
        Some(FaultDecision::Refuse(error)) => {
            sim.stats.lock().fault(&action);
            return answer(Err(error));
        }
        Some(FaultDecision::Delay(delay)) => {
            sim.stats.lock().fault(&action);
            Some(delay)
        }
        None => None,
    };
    let mut all = query.clone();
    all.extend(form);
    let params = RpcParams::new(all);
    let base_url = format!("http://{}", req.connection_info().host());
    let result = {
        let ctx = RpcContext {
            now: sim.clock.now(),
            access_key_id: &caller.access_key_id,
            base_url: &base_url,
        };
        let mut state = sim.state.lock();
        rpc::execute(&mut state, product, &action, &params, &ctx)
    };
    if let Some(delay) = delay {
        actix_web::rt::time::sleep(delay).await;
    }
    answer(result)
}

async fn serve_oss(
    req: &HttpRequest,
    headers: &[(String, String)],
    query: Vec<(String, String)>,
    body: &web::Bytes,
    sim: &Simulator,
) -> HttpResponse {
    let request_id = new_request_id();
    let host = header(headers, "host").unwrap_or_default().to_string();
    let decoded_path = percent_decode(req.path(), false);
    let (bucket, key) = oss::bucket_and_key(&host, &decoded_path);
    let method = req.method().as_str().to_string();
    let action = oss::action_name(&method, bucket.as_deref(), key.as_deref(), &query);
    sim.stats.lock().received(action);
    let host_id = host.clone();
    let answer = |result: Result<oss::OssResponse, SimError>| {
        sim.stats
            .lock()
            .answered(action, result.as_ref().err().map(|e| e.code.as_str()));
        let (code, mut extra, payload, content_type) = match result {
            Ok(r) => (r.status, r.headers, r.body, None),
            Err(e) => (
                e.status,
                Vec::new(),
                web::Bytes::from(e.oss_body(&request_id, &host_id)),
                Some("application/xml"),
            ),
        };
        let mut builder = HttpResponse::build(status(code));
        builder.insert_header(("x-oss-request-id", request_id.as_str()));
        builder.insert_header(("Server", "AliyunOSS"));
        if let Some(ct) = content_type {
            extra.push(("Content-Type".into(), ct.into()));
        }
        for (k, v) in extra {
            builder.insert_header((k, v));
        }
        builder.body(payload)
    };
    let signed = SignedRequest {
        method: &method,
        path: &decoded_path,
        query: &query,
        form: &[],
        headers,
        body,
    };
    let caller = match auth::verify_oss(&signed, bucket.as_deref(), key.as_deref(), &sim.keys) {
        Ok(caller) => caller,
        Err(error) => return answer(Err(error)),
    };
    sim.stats.lock().signed(action, caller.signature);
    let delay = match sim.faults.lock().decide(action, true) {
        Some(FaultDecision::Refuse(error)) => {
            sim.stats.lock().fault(action);
            return answer(Err(error));
        }
        Some(FaultDecision::Delay(delay)) => {
            sim.stats.lock().fault(action);
            Some(delay)
        }
        None => None,
    };
    // V4 names its region in the credential scope; V1 requests land in the default one.
    let region = header(headers, "authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or("cn-hangzhou")
        .to_string();
    let result = {
        let request = oss::OssRequest {
            method: &method,
            bucket,
            key,
            query: &query,
            headers,
            body: body.clone(),
            region,
            now: sim.clock.now(),
        };
        let mut state = sim.state.lock();
        oss::handle(&mut state, &request)
    };
    if let Some(delay) = delay {
        actix_web::rt::time::sleep(delay).await;
    }
    answer(result)
}

fn json_response(code: u16, body: Value) -> HttpResponse {
    HttpResponse::build(status(code))
        .content_type("application/json")
        .body(body.to_string())
}

fn control_error(message: impl std::fmt::Display) -> HttpResponse {
    json_response(400, json!({ "error": message.to_string() }))
}

/// The control API: unauthenticated, for tests and benchmarks on loopback.
fn control(req: &HttpRequest, body: &[u8], sim: &Simulator) -> HttpResponse {
    let method = req.method().as_str();
    match (method, req.path()) {
        ("GET", "/__sim/health") => json_response(200, json!({ "status": "ok" })),
        ("GET", "/__sim/faults") => {
            json_response(200, json!({ "faults": sim.faults.lock().rules() }))
        }
        ("POST", "/__sim/faults") => {
            // One rule or a list of rules.
            let rules: Vec<FaultRule> = match serde_json::from_slice::<Value>(body) {
                Ok(Value::Array(items)) => {
                    match items.into_iter().map(serde_json::from_value).collect() {
                        Ok(rules) => rules,
                        Err(e) => return control_error(e),
                    }
                }
                Ok(one) => match serde_json::from_value(one) {
                    Ok(rule) => vec![rule],
                    Err(e) => return control_error(e),
                },
                Err(e) => return control_error(e),
            };
            let mut plan = sim.faults.lock();
            for rule in rules {
                if let Err(e) = plan.add(rule) {
                    return control_error(e);
                }
            }
            json_response(200, json!({ "faults": plan.rules() }))
        }
        ("DELETE", "/__sim/faults") => {
            sim.faults.lock().clear();
            json_response(200, json!({ "faults": [] }))
        }
        ("GET", "/__sim/stats") => json_response(
            200,
            serde_json::to_value(&*sim.stats.lock()).unwrap_or_default(),
        ),
        ("DELETE", "/__sim/stats") => {
            *sim.stats.lock() = SimStats::default();
            json_response(200, json!({ "reset": true }))
        }
        ("POST", "/__sim/seed") => {
            let request: seed::SeedRequest =
                match serde_json::from_slice(if body.is_empty() { b"{}" } else { body }) {
                    Ok(r) => r,
                    Err(e) => return control_error(e),
                };
            let started = std::time::Instant::now();
            let now = sim.clock.now();
            match seed::seed(&mut sim.state.lock(), &request, now) {
                Ok(summary) => {
                    let mut value = serde_json::to_value(summary).unwrap_or_default();
                    value["elapsed_ms"] = json!(started.elapsed().as_millis() as u64);
                    json_response(200, value)
                }
                Err(e) => control_error(e),
            }
        }
        ("GET", "/__sim/clock") => json_response(200, clock_json(sim)),
        ("POST", "/__sim/clock") => {
            // {"freeze": true|false} and/or {"advance_ms": N}.
            let value: Value = serde_json::from_slice(body).unwrap_or_default();
            let freeze = value.get("freeze").and_then(Value::as_bool);
            let advance = value.get("advance_ms").and_then(Value::as_u64);
            if freeze.is_none() && advance.is_none() {
                return control_error(
                    "expected {\"advance_ms\": <milliseconds>} and/or {\"freeze\": <bool>}",
                );
            }
            match freeze {
                Some(true) => sim.clock.freeze(),
                Some(false) => sim.clock.unfreeze(),
                None => {}
            }
            if let Some(ms) = advance {
                sim.clock.advance(Duration::from_millis(ms));
            }
            json_response(200, clock_json(sim))
        }
        ("GET", "/__sim/config") => json_response(200, config_json(sim)),
        ("POST", "/__sim/config") => {
            let value: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return control_error(e),
            };
            {
                let mut state = sim.state.lock();
                if let Some(ms) = value.get("transition_ms").and_then(Value::as_u64) {
                    // Settle first, so resources mid-transition keep what they already reached.
                    let now = sim.clock.now();
                    state.settle(now);
                    state.transition_step = Duration::from_millis(ms);
                }
                if let Some(q) = value.get("quotas") {
                    let mut merged = serde_json::to_value(&state.quotas).unwrap_or_default();
                    if let (Some(m), Some(given)) = (merged.as_object_mut(), q.as_object()) {
                        for (k, v) in given {
                            m.insert(k.clone(), v.clone());
                        }
                    }
                    match serde_json::from_value::<Quotas>(merged) {
                        Ok(quotas) => state.quotas = quotas,
                        Err(e) => return control_error(e),
                    }
                }
            }
            json_response(200, config_json(sim))
        }
        ("GET", "/__sim/state") => {
            let state = sim.state.lock();
            json_response(
                200,
                json!({
                    "instances": state.instances.len(),
                    "disks": state.disks.len(),
                    "vpcs": state.vpcs.len(),
                    "vswitches": state.vswitches.len(),
                    "security_groups": state.security_groups.len(),
                    "eips": state.eips.len(),
                    "images": state.images.len(),
                    "snapshots": state.snapshots.len(),
                    "vpn_gateways": state.vpn_gateways.len(),
                    "customer_gateways": state.customer_gateways.len(),
                    "vpn_connections": state.vpn_connections.len(),
                    "route_entries": state.route_entries.len(),
                    "vbrs": state.vbrs.len(),
                    "router_interfaces": state.router_interfaces.len(),
                    "buckets": state.buckets.len(),
                    "objects": state.buckets.values().map(|b| b.objects.len()).sum::<usize>(),
                }),
            )
        }
        _ => json_response(
            404,
            json!({ "error": format!("no control endpoint {method} {}", req.path()) }),
        ),
    }
}

fn clock_json(sim: &Simulator) -> Value {
    json!({
        "now": sim.clock.now().to_rfc3339(),
        "offset_ms": sim.clock.offset().as_millis() as u64,
        "frozen": sim.clock.is_frozen(),
    })
}

fn config_json(sim: &Simulator) -> Value {
    let state = sim.state.lock();
    json!({
        "transition_ms": state.transition_step.as_millis() as u64,
        "quotas": state.quotas,
    })
}
