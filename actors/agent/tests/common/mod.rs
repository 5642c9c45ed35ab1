//! Helpers shared by the agent's integration tests: start an agent in-process
//! on a random port with its own data directory, and call it like the
//! management node does.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::path::PathBuf;
use zstack_agent::{AgentConfig, RunningAgent};
use zstack_agent_proto::{headers, paths};

pub const TOKEN: &str = "test-token-0123456789";

pub struct TestAgent {
    pub agent: RunningAgent,
    pub base: String,
    pub dir: PathBuf,
    pub http: reqwest::Client,
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "zstack-agent-{tag}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Starts an agent (not yet connected: no token established).
pub async fn start_agent(uri: &str, tag: &str) -> TestAgent {
    let dir = temp_dir(tag);
    let mut cfg = AgentConfig::from_args(Vec::<String>::new()).unwrap();
    cfg.listen = "127.0.0.1:0".into();
    cfg.libvirt_uri = uri.into();
    cfg.data_dir = dir.clone();
    cfg.token_file = dir.join("agent-token");
    cfg.http_workers = 2;
    cfg.libvirt_workers = 8;
    let agent = zstack_agent::start(cfg).await.expect("agent starts");
    let base = format!("http://{}", agent.addr);
    TestAgent {
        agent,
        base,
        dir,
        http: reqwest::Client::new(),
    }
}

/// Starts an agent and connects it with [`TOKEN`].
pub async fn connected_agent(uri: &str, tag: &str) -> TestAgent {
    let a = start_agent(uri, tag).await;
    let (status, body) = a
        .post_with_token(
            paths::HOST_CONNECT,
            json!({"hostUuid": "host-1"}),
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], json!(true), "{body}");
    a
}

impl TestAgent {
    pub async fn post_with_token(
        &self,
        path: &str,
        body: Value,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{}", self.base, path)).json(&body);
        if let Some(t) = token {
            req = req.header(headers::AGENT_TOKEN, t);
        }
        let rsp = req.send().await.expect("agent answers");
        let status = rsp.status().as_u16();
        let text = rsp.text().await.unwrap();
        let v = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("non-JSON reply {status}: {text}"));
        (status, v)
    }

    /// A synchronous authenticated call; returns the body.
    pub async fn call(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.post_with_token(path, body, Some(TOKEN)).await;
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    /// A call that must succeed.
    pub async fn ok(&self, path: &str, body: Value) -> Value {
        let v = self.call(path, body.clone()).await;
        assert_eq!(v["success"], json!(true), "{path} {body} -> {v}");
        v
    }

    /// A call that must fail with success=false; returns the error text.
    pub async fn fails(&self, path: &str, body: Value) -> String {
        let v = self.call(path, body.clone()).await;
        assert_eq!(
            v["success"],
            json!(false),
            "{path} {body} should fail -> {v}"
        );
        v["error"].as_str().unwrap_or_default().to_string()
    }

    pub async fn state_of(&self, vm: &str) -> String {
        let v = self
            .ok(paths::VM_CHECK_STATE, json!({"vmUuids": [vm]}))
            .await;
        v["states"][vm].as_str().unwrap().to_string()
    }

    /// Names of every domain libvirt knows on the agent's connection.
    pub async fn domain_names(&self) -> Vec<String> {
        self.agent
            .state
            .libvirt
            .run(|c| {
                Ok(c.list_all_domains(0)
                    .unwrap()
                    .iter()
                    .map(|d| d.get_name().unwrap())
                    .collect::<Vec<_>>())
            })
            .await
            .unwrap()
    }

    /// The domain's live XML, if it exists.
    pub async fn domain_xml(&self, vm: &str) -> Option<String> {
        let vm = vm.to_string();
        self.agent
            .state
            .libvirt
            .run(move |c| {
                Ok(zstack_agent::libvirt::find_domain(c, &vm)?.map(|d| d.get_xml_desc(0).unwrap()))
            })
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        self.agent.handle.stop(false).await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn new_vm_uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A StartVmCmd body for the test driver (files need not exist there).
pub fn start_body(vm: &str, dir: &std::path::Path) -> Value {
    json!({
        "vmInstanceUuid": vm,
        "vmName": format!("vm <{vm}> & co"),
        "memory": 64u64 * 1024 * 1024,
        "cpuNum": 1, "socketNum": 1, "cpuOnSocket": 1,
        "bootDev": ["hd"],
        "rootVolume": {"installPath": dir.join(format!("{vm}-root.qcow2")), "deviceId": 0,
                        "deviceType": "file", "volumeUuid": format!("root{}", &vm[..8]), "useVirtio": true},
        "dataVolumes": [],
        "cdRoms": [{"deviceId": 0, "isEmpty": true}],
        "nics": [{"mac": "52:54:00:aa:bb:01", "bridgeName": "br_test0", "uuid": "nic1", "deviceId": 0, "useVirtio": true}],
        "consoleMode": "vnc",
        "consolePassword": "pw",
        "timeout": 60
    })
}

/// Makes a stand-in "physical" interface for bridge tests: a dummy interface,
/// or (kernels without the dummy module) one end of a veth pair. Deleting
/// `name` removes either. Returns why not when neither can be made.
pub fn make_fake_nic(name: &str) -> Result<(), String> {
    let ip = |args: &[&str]| std::process::Command::new("ip").args(args).output();
    match ip(&["link", "add", name, "type", "dummy"]) {
        Ok(o) if o.status.success() => return Ok(()),
        Err(e) => return Err(format!("no `ip` command: {e}")),
        Ok(_) => {}
    }
    let peer = format!("{name}p");
    match ip(&["link", "add", name, "type", "veth", "peer", "name", &peer]) {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "cannot create a dummy or veth interface: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// True when the kernel can make VLAN sub-interfaces (8021q).
pub fn vlan_supported(on: &str) -> bool {
    let sub = format!("{on}.4000");
    let ok = std::process::Command::new("ip")
        .args([
            "link", "add", "link", on, "name", &sub, "type", "vlan", "id", "4000",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &sub])
            .status();
    }
    ok
}
