//! The real `zstack` binary as a child process, for the tests that kill it with SIGKILL
//! and start it again on the same data dir, database and port (tests/crash.rs,
//! tests/hybrid_recovery.rs).

use super::ApiClient;
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
    pub async fn login(&self) -> ApiClient {
        ApiClient::login(format!("http://127.0.0.1:{}/zstack", self.port), self.password).await
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
