//! The Alibaba Cloud client: endpoints per product and region, request signing per
//! attempt, retries with exponential backoff and jitter, timeouts, typed errors, and
//! counters a benchmark can read to check that every call was signed and sent once.
//!
//! RPC-style actions go out as the official SDKs send them: `POST /` with every
//! parameter in the query string and an empty body (see `sdk_requests_captured.txt`).
//! Only plain-http endpoints work in this build (reqwest is built without TLS);
//! point the client at the simulator or an http proxy.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use crate::encode::encode_pairs;
use crate::error::{is_retryable_code, AliyunError, ErrorKind};
use crate::params::new_client_token;
use crate::sign::{rpc_v1_protocol_params, sign_acs3, sign_rpc_v1, Acs3Input, EMPTY_BODY_SHA256};

pub const ECS: &str = "ecs";
pub const VPC: &str = "vpc";
pub const OSS: &str = "oss";
pub const ECS_VERSION: &str = "2014-05-26";
pub const VPC_VERSION: &str = "2016-04-28";

#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: String,
}

impl std::fmt::Debug for Credentials {
    // The secret never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// How RPC-style (ECS, VPC, ...) requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// `Signature=` query parameter, HMAC-SHA1 (aliyun-python-sdk-core, Tea `v2`).
    V1,
    /// `Authorization: ACS3-HMAC-SHA256 ...` (the Tea SDK's default).
    #[default]
    Acs3,
}

/// How OSS requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OssSignatureVersion {
    #[default]
    V1,
    V4,
}

/// Base URLs per product and region. Lookup order: (product, region), (product, any
/// region), (any product, region), (any, any), then the public Alibaba Cloud domain.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    by_product_region: HashMap<(String, String), String>,
}

const ANY: &str = "*";

impl Endpoints {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every product and region at one base URL: what tests and the simulator use.
    pub fn all_at(base_url: impl Into<String>) -> Self {
        Self::new().with(ANY, ANY, base_url)
    }

    /// `region` (or `product`) may be `*` for "any".
    pub fn with(mut self, product: &str, region: &str, base_url: impl Into<String>) -> Self {
        self.by_product_region.insert(
            (product.to_ascii_lowercase(), region.to_string()),
            base_url.into(),
        );
        self
    }

    /// ZStack's `aliyun/user.define.api.endpoint` format:
    /// `oss::cn-hangzhou::http://oss.api.com,ecs::*::http://127.0.0.1:8080`.
    pub fn parse_zstack_format(spec: &str) -> Result<Self, String> {
        let mut endpoints = Self::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let mut parts = entry.splitn(3, "::");
            match (parts.next(), parts.next(), parts.next()) {
                (Some(product), Some(region), Some(url))
                    if !product.is_empty() && !url.is_empty() =>
                {
                    let region = if region.is_empty() { ANY } else { region };
                    endpoints = endpoints.with(product, region, url);
                }
                _ => {
                    return Err(format!(
                        "endpoint entry {entry:?} is not product::region::url"
                    ))
                }
            }
        }
        Ok(endpoints)
    }

    /// The resolved base URL, parsed; `https` is refused because this build's HTTP
    /// client has no TLS (reqwest without a TLS feature), so the error says so up front
    /// instead of failing every attempt.
    pub(crate) fn endpoint_url(
        &self,
        product: &str,
        region: &str,
        operation: &str,
    ) -> Result<Url, AliyunError> {
        let base = self.resolve(product, region);
        let url = Url::parse(&base).map_err(|e| {
            AliyunError::config(operation, format!("invalid endpoint {base:?}: {e}"))
        })?;
        if url.scheme() != "http" {
            return Err(AliyunError::config(
                operation,
                format!(
                    "endpoint {base:?} for {product}/{region}: only http endpoints are supported (no TLS in this build); \
                     configure an http endpoint such as the simulator or a local TLS-terminating proxy"
                ),
            ));
        }
        Ok(url)
    }

    pub fn resolve(&self, product: &str, region: &str) -> String {
        let product = product.to_ascii_lowercase();
        for (p, r) in [
            (product.as_str(), region),
            (product.as_str(), ANY),
            (ANY, region),
            (ANY, ANY),
        ] {
            if let Some(url) = self.by_product_region.get(&(p.to_string(), r.to_string())) {
                return url.clone();
            }
        }
        match product.as_str() {
            OSS => format!("https://oss-{region}.aliyuncs.com"),
            _ => format!("https://{product}.{region}.aliyuncs.com"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoints: Endpoints,
    /// Region used to pick the endpoint when a call names none (no `RegionId` parameter).
    pub default_region: String,
    /// Whole-request timeout, per attempt (connect, send, read the full answer).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts after the first one for retryable failures.
    pub max_retries: u32,
    /// Delay before the first retry; doubled per retry up to `backoff_max`, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub signature_version: SignatureVersion,
    pub oss_signature_version: OssSignatureVersion,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            endpoints: Endpoints::new(),
            default_region: "cn-hangzhou".into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_retries: 3,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            signature_version: SignatureVersion::Acs3,
            oss_signature_version: OssSignatureVersion::V1,
        }
    }
}

/// What makes each signed request unique: a nonce and the signing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStamp {
    pub nonce: String,
    pub time: DateTime<Utc>,
}

impl RequestStamp {
    pub fn fresh() -> Self {
        Self {
            nonce: hex::encode(rand::thread_rng().gen::<[u8; 16]>()),
            time: Utc::now(),
        }
    }
}

type StampSource = Arc<dyn Fn() -> RequestStamp + Send + Sync>;

/// Counters since the client was built. With no failures, `requests_signed ==
/// requests_sent == calls`; every retry adds one signature and one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientStats {
    /// Logical calls (`call`, typed methods, OSS operations).
    pub calls: u64,
    pub requests_signed: u64,
    pub requests_sent: u64,
    pub retries: u64,
    /// Answers with a throttling code.
    pub throttled: u64,
    /// Calls that ended in an error.
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    signed: AtomicU64,
    sent: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    failed: AtomicU64,
}

/// Which error body to expect: JSON for RPC actions, XML for OSS.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Protocol {
    Rpc,
    Oss,
}

/// A successful (2xx) answer; the body is the buffer the HTTP client read, not a copy.
pub(crate) struct RawResponse {
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone)]
pub struct AliyunClient {
    pub(crate) credentials: Credentials,
    pub(crate) config: ClientConfig,
    http: reqwest::Client,
    stamp: StampSource,
    counters: Arc<Counters>,
}

impl AliyunClient {
    pub fn new(credentials: Credentials, config: ClientConfig) -> Result<Self, AliyunError> {
        // Idle connections are dropped before a server's keep-alive may close them (the
        // simulator's: 5 s); a request sent on one as it closes would fail half-way.
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(3))
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| AliyunError::config("client setup", e.to_string()))?;
        Ok(Self {
            credentials,
            config,
            http,
            stamp: Arc::new(RequestStamp::fresh),
            counters: Arc::new(Counters::default()),
        })
    }

    /// Replaces the nonce/time source (tests: fixed values reproduce known signatures).
    pub fn with_stamp_source(
        mut self,
        source: impl Fn() -> RequestStamp + Send + Sync + 'static,
    ) -> Self {
        self.stamp = Arc::new(source);
        self
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn stats(&self) -> ClientStats {
        let c = &self.counters;
        ClientStats {
            calls: c.calls.load(Ordering::Relaxed),
            requests_signed: c.signed.load(Ordering::Relaxed),
            requests_sent: c.sent.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// Calls an RPC-style action and decodes its JSON answer. `params` are the action's
    /// own parameters (lists already flattened: `Tag.1.Key`, JSON arrays as strings);
    /// the endpoint region is `RegionId` from `params`, else the default region.
    pub async fn call<R: DeserializeOwned>(
        &self,
        product: &str,
        version: &str,
        action: &str,
        params: &[(String, String)],
    ) -> Result<R, AliyunError> {
        let region = params
            .iter()
            .find(|(k, _)| k == "RegionId")
            .map(|(_, v)| v.as_str())
            .unwrap_or(&self.config.default_region);
        self.call_in_region(region, product, version, action, params)
            .await
    }

    /// Like [`Self::call`] with the endpoint region given: for actions without a
    /// `RegionId` parameter (StartInstance, AttachDisk, ...).
    pub async fn call_in_region<R: DeserializeOwned>(
        &self,
        region: &str,
        product: &str,
        version: &str,
        action: &str,
        params: &[(String, String)],
    ) -> Result<R, AliyunError> {
        let operation = format!("{product} {action}");
        let base = self
            .config
            .endpoints
            .endpoint_url(product, region, &operation)?;
        // One token per logical call, made before the retry loop: every attempt of a
        // creating action carries the same token, so a retry after a lost answer finds
        // the first result instead of creating a second resource.
        let with_token;
        let params = if creates_resources(action) && !params.iter().any(|(k, _)| k == "ClientToken")
        {
            with_token = params
                .iter()
                .cloned()
                .chain(std::iter::once((
                    "ClientToken".to_string(),
                    new_client_token(),
                )))
                .collect::<Vec<_>>();
            with_token.as_slice()
        } else {
            params
        };
        let response = self
            .execute(&operation, Protocol::Rpc, |stamp| {
                self.build_rpc(&base, version, action, params, stamp)
            })
            .await?;
        serde_json::from_slice(&response.body).map_err(|e| {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
            AliyunError::new(
                ErrorKind::Decode(format!(
                    "{e}; body starts with {:?}",
                    snippet(&response.body)
                )),
                &operation,
                1,
            )
        })
    }

    fn build_rpc(
        &self,
        base: &Url,
        version: &str,
        action: &str,
        params: &[(String, String)],
        stamp: &RequestStamp,
    ) -> Result<reqwest::Request, AliyunError> {
        let mut url = base.clone();
        let mut headers: Vec<(String, String)> = vec![
            ("x-acs-action".into(), action.into()),
            ("x-acs-version".into(), version.into()),
        ];
        match self.config.signature_version {
            SignatureVersion::V1 => {
                let timestamp = stamp.time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                let mut query = params.to_vec();
                query.extend(rpc_v1_protocol_params(
                    action,
                    version,
                    &self.credentials.access_key_id,
                    &stamp.nonce,
                    &timestamp,
                ));
                let signature =
                    sign_rpc_v1("POST", &query, &self.credentials.access_key_secret).signature;
                query.push(("Signature".into(), signature));
                url.set_query(Some(&encode_pairs(&query)));
            }
            SignatureVersion::Acs3 => {
                headers.extend([
                    ("host".to_string(), host_header(base)),
                    ("accept".to_string(), "application/json".to_string()),
                    (
                        "x-acs-date".to_string(),
                        stamp.time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    ),
                    ("x-acs-signature-nonce".to_string(), stamp.nonce.clone()),
                    (
                        "x-acs-content-sha256".to_string(),
                        EMPTY_BODY_SHA256.to_string(),
                    ),
                ]);
                let path = base.path().to_string();
                let signature = sign_acs3(
                    &Acs3Input {
                        http_method: "POST",
                        canonical_uri: &path,
                        query: params,
                        signed_headers: &headers,
                        body: b"",
                    },
                    &self.credentials.access_key_id,
                    &self.credentials.access_key_secret,
                );
                headers.push(("authorization".into(), signature.authorization));
                if !params.is_empty() {
                    url.set_query(Some(&encode_pairs(params)));
                }
            }
        }
        self.finish_request(Method::POST, url, &headers, Bytes::new())
    }

    /// `body` is reference-counted: each retry of an upload shares one buffer.
    pub(crate) fn finish_request(
        &self,
        method: Method,
        url: Url,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<reqwest::Request, AliyunError> {
        let mut request = reqwest::Request::new(method, url);
        let map = request.headers_mut();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                AliyunError::config("request", format!("header name {name:?}: {e}"))
            })?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| AliyunError::config("request", format!("header {name}: {e}")))?;
            map.insert(name, value);
        }
        *request.body_mut() = Some(body.into());
        self.counters.signed.fetch_add(1, Ordering::Relaxed);
        Ok(request)
    }

    /// Sends a request built (and signed) anew for every attempt, retrying throttling,
    /// 5xx, transport errors and timeouts with backoff. Creating actions stay safe to
    /// retry because `call_in_region` gives them a ClientToken.
    pub(crate) async fn execute(
        &self,
        operation: &str,
        protocol: Protocol,
        build: impl Fn(&RequestStamp) -> Result<reqwest::Request, AliyunError>,
    ) -> Result<RawResponse, AliyunError> {
        self.counters.calls.fetch_add(1, Ordering::Relaxed);
        let mut attempt: u32 = 0;
        loop {
            let request = build(&(self.stamp)()).inspect_err(|_| {
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
            })?;
            attempt += 1;
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            let outcome = self.send_once(request, protocol).await;
            let (kind, retryable) = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            if let ErrorKind::Throttled { .. } = kind {
                self.counters.throttled.fetch_add(1, Ordering::Relaxed);
            }
            if !retryable || attempt > self.config.max_retries {
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                return Err(AliyunError::new(kind, operation, attempt));
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(backoff_delay(
                self.config.backoff_base,
                self.config.backoff_max,
                attempt - 1,
            ))
            .await;
        }
    }

    /// One attempt; a failure says whether it is worth retrying.
    async fn send_once(
        &self,
        request: reqwest::Request,
        protocol: Protocol,
    ) -> Result<RawResponse, (ErrorKind, bool)> {
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                (ErrorKind::Timeout, true)
            } else if e.is_builder() {
                (ErrorKind::Config(error_chain(&e)), false)
            } else {
                (ErrorKind::Transport(error_chain(&e)), true)
            }
        };
        let response = self.http.execute(request).await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(classify)?;
        if (200..300).contains(&status) {
            return Ok(RawResponse { headers, body });
        }
        let (code, message, request_id) = match protocol {
            Protocol::Rpc => parse_rpc_error(&body),
            Protocol::Oss => crate::oss::parse_oss_error(&body, &headers),
        };
        let code = code.unwrap_or_else(|| {
            if status >= 500 {
                "InternalError".into()
            } else {
                format!("Http{status}")
            }
        });
        let message = message.unwrap_or_else(|| snippet(&body));
        let request_id = request_id.unwrap_or_default();
        let retryable = status >= 500 || is_retryable_code(&code);
        let kind = if retryable
            && (code.starts_with("Throttling")
                || code == "ServiceUnavailable"
                || code == "SlowDown")
        {
            ErrorKind::Throttled {
                code,
                message,
                request_id,
                http_status: status,
            }
        } else {
            ErrorKind::Api {
                code,
                message,
                request_id,
                http_status: status,
            }
        };
        Err((kind, retryable))
    }
}

/// Actions that make something new (and may bill for it): Alibaba Cloud deduplicates
/// them by ClientToken, so the client always sends one.
pub fn creates_resources(action: &str) -> bool {
    const PREFIXES: &[&str] = &["Create", "Allocate", "Run", "Import", "Copy", "Purchase"];
    PREFIXES.iter().any(|prefix| {
        action
            .strip_prefix(prefix)
            // `Create` + an upper-case letter: `CreateVpc`, not a hypothetical `Created...`.
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// `host[:port]` as the Host header carries it (no port when it is the scheme's default).
pub(crate) fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random, so
/// throttled clients spread out instead of retrying in lockstep.
pub fn backoff_delay(base: Duration, max: Duration, retry_index: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32.checked_shl(retry_index.min(31)).unwrap_or(u32::MAX))
        .min(max);
    let half = exp / 2;
    let jitter_nanos =
        rand::thread_rng().gen_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
    half + Duration::from_nanos(jitter_nanos)
}

/// Code, Message, RequestId of an RPC error body `{"RequestId","HostId","Code","Message","Recommend"}`.
fn parse_rpc_error(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
    (field("Code"), field("Message"), field("RequestId"))
}

pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(200).collect()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_lookup_prefers_the_most_specific_entry() {
        let endpoints = Endpoints::all_at("http://127.0.0.1:1")
            .with("ecs", "*", "http://127.0.0.1:2")
            .with("ecs", "cn-beijing", "http://127.0.0.1:3");
        assert_eq!(endpoints.resolve("ecs", "cn-beijing"), "http://127.0.0.1:3");
        assert_eq!(
            endpoints.resolve("ECS", "cn-hangzhou"),
            "http://127.0.0.1:2"
        );
        assert_eq!(
            endpoints.resolve("vpc", "cn-hangzhou"),
            "http://127.0.0.1:1"
        );
        assert_eq!(
            Endpoints::new().resolve("vpc", "cn-hangzhou"),
            "https://vpc.cn-hangzhou.aliyuncs.com"
        );
        let refused = Endpoints::new()
            .endpoint_url("ecs", "cn-hangzhou", "ecs DescribeRegions")
            .unwrap_err();
        assert!(
            matches!(&refused.kind, ErrorKind::Config(m) if m.contains("only http")),
            "{refused}"
        );
        assert!(Endpoints::all_at("http://127.0.0.1:9")
            .endpoint_url("ecs", "x", "op")
            .is_ok());
        assert!(Endpoints::all_at("not a url")
            .endpoint_url("ecs", "x", "op")
            .is_err());
        assert_eq!(
            Endpoints::new().resolve("oss", "cn-hangzhou"),
            "https://oss-cn-hangzhou.aliyuncs.com"
        );
    }

    #[test]
    fn zstack_endpoint_format() {
        let endpoints = Endpoints::parse_zstack_format(
            "oss::cn-hangzhou::http://oss.api.com, ecs::*::http://127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(
            endpoints.resolve("oss", "cn-hangzhou"),
            "http://oss.api.com"
        );
        assert_eq!(
            endpoints.resolve("ecs", "us-west-1"),
            "http://127.0.0.1:8080"
        );
        assert!(Endpoints::parse_zstack_format("oss:cn-hangzhou:http://x").is_err());
    }

    #[test]
    fn backoff_grows_exponentially_within_jitter_bounds_and_caps() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for retry in 0..6u32 {
            let full = (base * 2u32.pow(retry)).min(max);
            for _ in 0..50 {
                let d = backoff_delay(base, max, retry);
                assert!(
                    d >= full / 2 && d <= full,
                    "retry {retry}: {d:?} outside [{:?}, {full:?}]",
                    full / 2
                );
            }
        }
        assert!(backoff_delay(base, max, 200) <= max);
    }

    #[test]
    fn creating_actions_are_recognised_by_their_verb() {
        for action in [
            "CreateVpc",
            "AllocateEipAddress",
            "RunInstances",
            "ImportImage",
            "CopyImage",
            "PurchaseReservedInstancesOffering",
            "CreateRouterInterface",
        ] {
            assert!(creates_resources(action), "{action}");
        }
        for action in [
            "DescribeVpcs",
            "DeleteVpc",
            "StartInstance",
            "Creator",
            "Run",
        ] {
            assert!(!creates_resources(action), "{action}");
        }
    }

    #[test]
    fn host_header_omits_default_ports() {
        assert_eq!(
            host_header(&Url::parse("http://127.0.0.1:18081/").unwrap()),
            "127.0.0.1:18081"
        );
        assert_eq!(
            host_header(&Url::parse("http://ecs.aliyuncs.com/").unwrap()),
            "ecs.aliyuncs.com"
        );
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let c = Credentials {
            access_key_id: "id".into(),
            access_key_secret: "very-secret".into(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
