//! A management node started in-process on a fresh data dir and database
//! (SQLite by default; `ZSTACK_TEST_DATABASE_SERVER`, e.g.
//! `postgres://postgres@127.0.0.1:5432` or `mysql://root@127.0.0.1:3306`,
//! gives every test its own database on that server, dropped when the test
//! ends), and a small client that speaks ZStack's REST conventions.
#![allow(dead_code)]

pub mod hybrid;
pub mod process;

use diesel::connection::SimpleConnection;
use diesel::Connection;

/// A database made for one test and dropped after it.
pub struct TestDb {
    pub url: String,
    server: Option<String>,
    name: String,
}

impl TestDb {
    pub fn new() -> TestDb {
        let name = format!("zs_t_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let Some(server) = std::env::var("ZSTACK_TEST_DATABASE_SERVER").ok().filter(|s| !s.is_empty()) else {
            return TestDb { url: String::new(), server: None, name };
        };
        admin(&server, &format!("CREATE DATABASE {name}"));
        TestDb { url: format!("{server}/{name}"), server: Some(server), name }
    }
}

fn admin(server: &str, sql: &str) {
    if server.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(&format!("{server}/postgres")).expect("reach PostgreSQL");
        c.batch_execute(sql).expect(sql);
    } else {
        let mut c = diesel::MysqlConnection::establish(server).expect("reach MariaDB");
        c.batch_execute(sql).expect(sql);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            let force = if server.starts_with("postgres") { " WITH (FORCE)" } else { "" };
            admin(server, &format!("DROP DATABASE IF EXISTS {}{force}", self.name));
        }
    }
}

use serde_json::{json, Value};
use std::time::Duration;
use zstack::app::{App, Settings};

/// A management node running in this process, with a logged-in client (`Deref`).
pub struct Node {
    pub app: App,
    _db: Option<TestDb>,
    api: ApiClient,
}

pub const PASSWORD: &str = "test-password";

pub fn sha512(s: &str) -> String {
    zstack::identity::sha512_hex(s)
}

impl Node {
    pub async fn start() -> Node {
        let dir = std::env::temp_dir().join(format!("zstack-test-{}", uuid::Uuid::new_v4().simple()));
        let db = TestDb::new();
        let mut node = Self::start_at(dir, db.url.clone()).await;
        node._db = Some(db);
        node
    }

    pub async fn start_at(dir: std::path::PathBuf, database_url: String) -> Node {
        let settings = Settings { listen: "127.0.0.1:0".into(), data_dir: dir, database_url, admin_password: Some(PASSWORD.into()) };
        let started = App::start(settings).await.expect("node starts");
        let (server, addr) = zstack::server::http_server(started.app.clone(), "127.0.0.1:0").unwrap();
        actix_web::rt::spawn(server);
        let api = ApiClient::login(format!("http://{addr}/zstack"), PASSWORD).await;
        Node { app: started.app, _db: None, api }
    }

    pub async fn violations(&self) -> Vec<String> {
        zstack::recovery::invariant_violations(&self.app).await.unwrap()
    }
}

impl std::ops::Deref for Node {
    type Target = ApiClient;
    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

/// A logged-in client of a node (in this process or a child process), speaking ZStack's
/// REST conventions.
pub struct ApiClient {
    pub base: String,
    pub http: reqwest::Client,
    pub session: String,
}

/// How long an async call is polled before the test gives up on it.
const JOB_WITHIN: Duration = Duration::from_secs(60);

fn parse(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

impl ApiClient {
    /// Logs in as admin at `base` (`http://host:port/zstack`). A fresh HTTP client per
    /// login: connections pooled to a killed process are dead.
    pub async fn login(base: String, password: &str) -> ApiClient {
        // Idle connections are dropped before the node's keep-alive (5 s) closes them: a
        // request sent on one as the node closes it fails with an incomplete message.
        let http = reqwest::Client::builder().timeout(Duration::from_secs(90)).pool_idle_timeout(Duration::from_secs(3)).build().unwrap();
        let mut api = ApiClient { base, http, session: String::new() };
        let (s, b) = api.send("PUT", "/v1/accounts/login", Some(json!({"logInByAccount": {"accountName": "admin", "password": sha512(password)}}))).await;
        assert_eq!(s, 200, "login: {b}");
        api.session = b["inventory"]["uuid"].as_str().expect("login answers a session uuid").to_string();
        api
    }

    /// One request as text, with the session when `auth`. Returns (status, body).
    pub async fn raw(&self, method: &str, path: &str, body: Option<String>, auth: bool) -> (u16, String) {
        let mut rb = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if auth && !self.session.is_empty() {
            rb = rb.header("Authorization", format!("OAuth {}", self.session));
        }
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(b);
        }
        let r = rb.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    /// One request, not polled. Returns (status, body).
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, text) = self.raw(method, path, body.map(|b| b.to_string()), true).await;
        (status, parse(text))
    }

    /// One look at a job location.
    pub async fn probe(&self, location: &str) -> (u16, Value) {
        let r = self.http.get(location).send().await.unwrap_or_else(|e| panic!("GET {location}: {e}"));
        let status = r.status().as_u16();
        (status, parse(r.text().await.unwrap()))
    }

    /// Poll a job location until it answers something else than 202, or the time is up.
    pub async fn poll(&self, location: &str, within: Duration) -> (u16, Value) {
        let until = std::time::Instant::now() + within;
        loop {
            let (s, b) = self.probe(location).await;
            if s != 202 || std::time::Instant::now() >= until {
                return (s, b);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// One request; async APIs are polled to the end. Returns (status, body).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (s, b) = self.send(method, path, body).await;
        if s != 202 {
            return (s, b);
        }
        let loc = b["location"].as_str().unwrap_or_else(|| panic!("{method} {path}: a 202 without a location: {b}")).to_string();
        let (s, b) = self.poll(&loc, JOB_WITHIN).await;
        assert_ne!(s, 202, "{method} {path}: the job at {loc} did not end within {JOB_WITHIN:?}");
        (s, b)
    }

    /// A successful call's answer (GET and DELETE send no body).
    pub async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if method == "GET" || method == "DELETE" { None } else { Some(body) };
        let (status, v) = self.call(method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {v}");
        v
    }

    /// The error object of a call that must fail.
    pub async fn fails(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert_ne!(status, 200, "{method} {path} should fail: {v}");
        v["error"].clone()
    }

    /// An async create accepted with 202; returns its job location.
    pub async fn submit(&self, path: &str, params: Value) -> String {
        let (s, b) = self.send("POST", path, Some(json!({ "params": params }))).await;
        assert_eq!(s, 202, "POST {path}: {b}");
        b["location"].as_str().unwrap().to_string()
    }

    /// A successful create's inventory.
    pub async fn create(&self, path: &str, params: Value) -> Value {
        self.ok("POST", path, json!({ "params": params })).await["inventory"].clone()
    }

    pub async fn query(&self, path_and_query: &str) -> Vec<Value> {
        let v = self.ok("GET", path_and_query, Value::Null).await;
        v["inventories"].as_array().cloned().unwrap_or_default()
    }

    pub async fn count(&self, path: &str) -> usize {
        self.query(path).await.len()
    }
}

/// A zone with `hosts` simulator hosts (8 CPUs, 16 GiB each) in one cluster,
/// primary and backup storage, an L2/L3 with a /24 range, an offering and an image.
pub struct World {
    pub zone: String,
    pub cluster: String,
    pub hosts: Vec<String>,
    pub ps: String,
    pub bs: String,
    pub l2: String,
    pub l3: String,
    pub offering: String,
    pub image: String,
}

pub fn uuid_of(v: &Value) -> String {
    v["uuid"].as_str().unwrap().to_string()
}

impl World {
    pub async fn build(n: &Node, hosts: usize) -> World {
        let zone = uuid_of(&n.create("/v1/zones", json!({"name": "zone1"})).await);
        let cluster = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "c1", "hypervisorType": "Simulator"})).await);
        let mut hs = vec![];
        for i in 0..hosts {
            let h = n.create("/v1/hosts/simulators", json!({"name": format!("h{i}"), "managementIp": format!("10.0.{}.{}", i / 250, i % 250 + 1),
                "clusterUuid": cluster, "cpuCapacity": 8, "memoryCapacity": 16u64 << 30})).await;
            hs.push(uuid_of(&h));
        }
        let ps = uuid_of(&n.create("/v1/primary-storage/simulators", json!({"name": "ps", "url": "/sim/ps", "zoneUuid": zone, "totalCapacity": 100u64 << 40})).await);
        n.ok("POST", &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), json!({"params": {}})).await;
        let bs = uuid_of(&n.create("/v1/backup-storage/simulators", json!({"name": "bs", "url": "/sim/bs"})).await);
        n.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{bs}"), json!({"params": {}})).await;
        let l2 = uuid_of(&n.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": "eth0"})).await);
        n.ok("POST", &format!("/v1/l2-networks/{l2}/clusters/{cluster}"), json!({})).await;
        let l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "l3", "l2NetworkUuid": l2})).await);
        n.create(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": "192.168.0.10", "endIp": "192.168.3.250", "netmask": "255.255.252.0", "gateway": "192.168.0.1"})).await;
        let offering = uuid_of(&n.create("/v1/instance-offerings", json!({"name": "small", "cpuNum": 1, "memorySize": 1u64 << 30})).await);
        let image = uuid_of(&n.create("/v1/images", json!({"name": "img", "url": "http://example/img.qcow2", "backupStorageUuids": [bs]})).await);
        World { zone, cluster, hosts: hs, ps, bs, l2, l3, offering, image }
    }

    pub fn vm_params(&self, name: &str) -> Value {
        json!({"name": name, "instanceOfferingUuid": self.offering, "imageUuid": self.image, "l3NetworkUuids": [self.l3]})
    }
}
