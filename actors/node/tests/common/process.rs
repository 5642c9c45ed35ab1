//! The real `zstack` binary as a child process, for the tests that kill it with SIGKILL
//! and start it again on the same data dir, database and port (tests/crash.rs,
//! tests/hybrid_recovery.rs), and a client of one of its runs.

use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The temp dir and the node process of a test: the process is killed and the dir
/// removed even when an assertion fails (the logs of every run are printed then).
pub struct NodeProcess {
    pub root: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    database_url: String,
    password: &'static str,
    node: Option<Child>,
    runs: usize,
}

impl NodeProcess {
    /// `name` names the temp dir; `database_url` empty means SQLite in the data dir.
    pub fn new(name: &str, database_url: String, password: &'static str) -> NodeProcess {
        let root = std::env::temp_dir().join(format!("zstack-{name}-{}", uuid::Uuid::new_v4().simple()));
        let data = root.join("data");
        std::fs::create_dir_all(&data).expect("create the temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        NodeProcess { root, data, port, database_url, password, node: None, runs: 0 }
    }

    fn log(&self, run: usize) -> PathBuf {
        self.root.join(format!("node-{run}.log"))
    }

    /// `zstack <sub> --data-dir ... [--database-url ...]`, with the admin password set
    /// and none of the node's settings taken from the test's environment.
    pub fn command(&self, sub: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_zstack"));
        c.arg(sub).arg("--data-dir").arg(&self.data);
        if !self.database_url.is_empty() {
            c.arg("--database-url").arg(&self.database_url);
        }
        c.env("ZSTACK_ADMIN_PASSWORD", self.password).env_remove("ZSTACK_DATABASE_URL").env_remove("ZSTACK_DATA_DIR").env_remove("ZSTACK_LISTEN");
        c
    }

    /// Start `zstack serve` and wait until its port answers (after migrations and the
    /// local part of crash recovery).
    pub async fn start(&mut self) {
        assert!(self.node.is_none());
        self.runs += 1;
        let log = std::fs::File::create(self.log(self.runs)).unwrap();
        let mut cmd = self.command("serve");
        cmd.arg("--listen").arg(format!("127.0.0.1:{}", self.port)).env("RUST_LOG", "info");
        cmd.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
        self.node = Some(cmd.spawn().expect("spawn the zstack binary"));
        let started = Instant::now();
        loop {
            if let Some(status) = self.node.as_mut().unwrap().try_wait().unwrap() {
                self.node = None;
                panic!("zstack serve (run {}) exited with {status} before listening", self.runs);
            }
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                eprintln!("node run {} listening after {:?}", self.runs, started.elapsed());
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "zstack serve (run {}) did not listen on port {} within 60 s", self.runs, self.port);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix) and reap.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.node.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A logged-in client of the run started last.
    pub async fn login(&self) -> ProcessApi {
        ProcessApi::login(self.port, self.password).await
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            for run in 1..=self.runs {
                let mut text = String::new();
                if let Ok(mut f) = std::fs::File::open(self.log(run)) {
                    let _ = f.read_to_string(&mut text);
                }
                let lines: Vec<&str> = text.lines().collect();
                eprintln!("---- last lines of the log of node run {run} ----");
                for l in &lines[lines.len().saturating_sub(40)..] {
                    eprintln!("{l}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A logged-in client of one node run, speaking ZStack's REST conventions.
pub struct ProcessApi {
    base: String,
    pub http: reqwest::Client,
    session: String,
}

fn parse(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// How long an async call is polled before the test gives up on it.
const JOB_WITHIN: Duration = Duration::from_secs(60);

impl ProcessApi {
    async fn login(port: u16, password: &str) -> ProcessApi {
        // A fresh client per run: connections pooled to a killed process are dead.
        let http = reqwest::Client::builder().timeout(Duration::from_secs(90)).pool_idle_timeout(Duration::from_secs(3)).build().unwrap();
        let mut api = ProcessApi { base: format!("http://127.0.0.1:{port}/zstack"), http, session: String::new() };
        let (s, b) = api.send("PUT", "/v1/accounts/login", Some(json!({"logInByAccount": {"accountName": "admin", "password": super::sha512(password)}}))).await;
        assert_eq!(s, 200, "login: {b}");
        api.session = b["inventory"]["uuid"].as_str().expect("login answers a session uuid").to_string();
        api
    }

    /// One request, not polled. Returns (status, body).
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if !self.session.is_empty() {
            rb = rb.header("Authorization", format!("OAuth {}", self.session));
        }
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(b.to_string());
        }
        let r = rb.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = r.status().as_u16();
        (status, parse(r.text().await.unwrap()))
    }

    /// One look at a job location.
    pub async fn probe(&self, location: &str) -> (u16, Value) {
        let r = self.http.get(location).send().await.unwrap_or_else(|e| panic!("GET {location}: {e}"));
        let status = r.status().as_u16();
        (status, parse(r.text().await.unwrap()))
    }

    /// Poll a job location until it answers something else than 202, or the time is up.
    pub async fn poll(&self, location: &str, within: Duration) -> (u16, Value) {
        let until = Instant::now() + within;
        loop {
            let (s, b) = self.probe(location).await;
            if s != 202 || Instant::now() >= until {
                return (s, b);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// One API call; an async one is polled to its end.
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

    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (s, b) = self.call(method, path, body).await;
        assert_eq!(s, 200, "{method} {path}: {b}");
        b
    }

    /// An async create accepted with 202; returns its job location.
    pub async fn submit(&self, path: &str, params: Value) -> String {
        let (s, b) = self.send("POST", path, Some(json!({ "params": params }))).await;
        assert_eq!(s, 202, "POST {path}: {b}");
        b["location"].as_str().unwrap().to_string()
    }

    /// A successful create's inventory.
    pub async fn create(&self, path: &str, params: Value) -> Value {
        self.ok("POST", path, Some(json!({ "params": params }))).await["inventory"].clone()
    }

    pub async fn query(&self, path: &str) -> Vec<Value> {
        self.ok("GET", path, None).await["inventories"].as_array().cloned().unwrap_or_default()
    }

    pub async fn count(&self, path: &str) -> usize {
        self.query(path).await.len()
    }
}
