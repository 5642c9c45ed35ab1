//! Real KVM hosts end to end: the node drives a zstack-agent process on
//! libvirt (qemu:///system, QEMU TCG) and boots the test guest
//! (`scripts/build-test-guest`) through the HTTP API, reading its serial
//! console. Skipped, with the reason printed, when libvirt, the guest image or
//! the agent binary is missing (CI installs and builds all three).

mod common;

use common::{uuid_of, Node};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The agent binary of the same profile as this test.
fn agent_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    Some(profile_dir.join("zstack-agent")).filter(|p| p.exists())
}

fn virsh(args: &[&str]) -> (bool, String) {
    match Command::new("virsh").arg("-c").arg("qemu:///system").args(args).output() {
        Ok(o) => (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)),
        Err(e) => (false, e.to_string()),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// What the test needs from the machine, or why it cannot run.
struct KvmEnv {
    agent_bin: PathBuf,
    guest: PathBuf,
    guest_md5: String,
    work: PathBuf,
    iface: String,
}

impl KvmEnv {
    fn prepare() -> Result<KvmEnv, String> {
        let agent_bin = agent_binary().ok_or("the zstack-agent binary is not built (cargo build --workspace)")?;
        let guest = repo().join("var/test-guest/guest.qcow2");
        if !guest.exists() {
            return Err(format!("{} is missing (scripts/build-test-guest)", guest.display()));
        }
        let (ok, out) = virsh(&["version"]);
        if !ok {
            return Err(format!("qemu:///system is not reachable (scripts/setup-system starts libvirtd): {out}"));
        }
        let guest_md5 = std::fs::read_to_string(repo().join("var/test-guest/guest.md5")).map_err(|e| e.to_string())?.split_whitespace().next().unwrap_or_default().to_string();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let work = std::env::temp_dir().join(format!("zstack-kvm-{}", &id[..8]));
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        // One end of a veth pair stands in for the host's physical interface under the L2 bridge.
        let iface = format!("zsd{}", &id[..8]);
        let st = Command::new("ip").args(["link", "add", &iface, "type", "veth", "peer", "name", &format!("zsp{}", &id[..8])]).status().map_err(|e| e.to_string())?;
        if !st.success() {
            return Err(format!("cannot create the veth interface {iface} (needs CAP_NET_ADMIN)"));
        }
        Ok(KvmEnv { agent_bin, guest, guest_md5, work, iface })
    }

    fn start_agent(&self, port: u16) -> AgentProcess {
        self.start_agent_with(port, &[])
    }

    fn start_agent_with(&self, port: u16, extra: &[&str]) -> AgentProcess {
        let data = self.work.join("agent");
        AgentProcess(Command::new(&self.agent_bin)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--libvirt-uri", "qemu:///system", "--data-dir"])
            .arg(&data)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.work.join("agent.log")).map(Stdio::from).unwrap_or(Stdio::null()))
            .spawn()
            .expect("agent starts"))
    }

    fn console(&self, vm: &str) -> String {
        std::fs::read_to_string(self.work.join("agent/console").join(format!("{vm}.log"))).unwrap_or_default().replace('\r', "")
    }

    /// Wait until `pred` holds for the VM's serial output.
    async fn wait_console(&self, vm: &str, what: &str, pred: impl Fn(&str) -> bool) -> Duration {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(120) {
            if pred(&self.console(vm)) {
                return t.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{what} never appeared on the console of vm {vm}:\n{}", self.console(vm));
    }
}

/// The agent process, killed when the test ends however it ends.
struct AgentProcess(Child);

impl AgentProcess {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Drop for KvmEnv {
    fn drop(&mut self) {
        // A failed test leaves its domains: remove every one whose files are ours.
        let work = self.work.display().to_string();
        for name in virsh(&["list", "--all", "--name"]).1.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if virsh(&["dumpxml", name]).1.contains(&work) {
                let _ = virsh(&["destroy", name]);
                let _ = virsh(&["undefine", name]);
            }
        }
        let _ = Command::new("ip").args(["link", "del", &self.iface]).status();
        let _ = Command::new("ip").args(["link", "del", &format!("br_{}", self.iface)]).status();
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// The environment, or `None` after saying why the test is skipped. CI sets
/// ZSTACK_TEST_REQUIRE_KVM=1: there a missing piece is a failure, not a skip.
fn env_or_skip(test: &str) -> Option<KvmEnv> {
    match KvmEnv::prepare() {
        Ok(e) => Some(e),
        Err(why) if std::env::var("ZSTACK_TEST_REQUIRE_KVM").is_ok() => panic!("{test} cannot run: {why}"),
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

fn base64_encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            out.push(if i <= chunk.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

fn count(text: &str, line: &str) -> usize {
    text.lines().filter(|l| l.trim() == line).count()
}

impl KvmEnv {
    /// Wait for a boot after `before` was read: the log grows, or starts over
    /// when the domain was removed and defined again.
    async fn wait_new_boot(&self, vm: &str, what: &str, before: &str) {
        let before = before.to_string();
        self.wait_console(vm, what, move |now| {
            let new = if now.starts_with(before.as_str()) { &now[before.len()..] } else { now };
            count(new, "ZSTACK-GUEST-BOOTED") >= 1
        })
        .await;
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

async fn wait_for(n: &Node, path: &str, field: &str, want: &str) -> Value {
    let t = Instant::now();
    loop {
        let inv = n.query(path).await.first().cloned().unwrap_or(Value::Null);
        if inv[field] == want {
            return inv;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "{path}: {field} stayed {} (wanted {want})", inv[field]);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A minimal WebSocket client: the upgrade, then raw frames.
mod ws {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// Connect to `ws://host:port/path?query`; returns the stream and the HTTP status.
    pub async fn connect(url: &str) -> (TcpStream, u16) {
        let rest = url.strip_prefix("ws://").unwrap();
        let (authority, path) = rest.split_once('/').unwrap();
        let mut s = TcpStream::connect(authority).await.unwrap();
        let req = format!(
            "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if s.read(&mut b).await.unwrap() == 0 {
                break;
            }
            head.push(b[0]);
        }
        let text = String::from_utf8_lossy(&head);
        let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        (s, status)
    }

    /// One server frame's payload (servers do not mask).
    pub async fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).await.unwrap();
        let len = match h[1] & 0x7f {
            126 => {
                let mut l = [0u8; 2];
                s.read_exact(&mut l).await.unwrap();
                u16::from_be_bytes(l) as usize
            }
            127 => {
                let mut l = [0u8; 8];
                s.read_exact(&mut l).await.unwrap();
                u64::from_be_bytes(l) as usize
            }
            n => n as usize,
        };
        let mut p = vec![0u8; len];
        s.read_exact(&mut p).await.unwrap();
        p
    }

    /// One masked binary frame, as clients must send.
    pub async fn write_frame(s: &mut TcpStream, data: &[u8]) {
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut f = vec![0x82, 0x80 | data.len() as u8];
        f.extend_from_slice(&mask);
        f.extend(data.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        s.write_all(&f).await.unwrap();
    }
}

/// Add a KVM host, retrying while its agent is still starting.
async fn add_host_when_up(n: &Node, params: Value) -> Value {
    let t = Instant::now();
    loop {
        let (s, v) = n.call("POST", "/v1/hosts/kvm", Some(json!({ "params": params }))).await;
        if s == 200 {
            return v["inventory"].clone();
        }
        assert!(t.elapsed() < Duration::from_secs(20), "agent never came up: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A flat L2 on `iface` attached to the cluster, an L3 with a range in `net`.0/24, and a small offering.
async fn network_and_offering(n: &Node, iface: &str, zone: &str, cluster: &str, net: &str) -> (String, String) {
    let l2 = uuid_of(&n.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": iface})).await);
    n.ok("POST", &format!("/v1/l2-networks/{l2}/clusters/{cluster}"), json!({})).await;
    let l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "l3", "l2NetworkUuid": l2})).await);
    n.create(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": format!("{net}.10"), "endIp": format!("{net}.20"), "netmask": "255.255.255.0", "gateway": format!("{net}.1")})).await;
    let offering = uuid_of(&n.create("/v1/instance-offerings", json!({"name": "tiny", "cpuNum": 1, "memorySize": 256u64 << 20})).await);
    (l3, offering)
}

async fn config(n: &Node, category: &str, name: &str, value: &str) {
    n.ok("PUT", &format!("/v1/global-configurations/{category}/{name}/actions"), json!({"updateGlobalConfig": {"value": value}})).await;
}

#[actix_web::test]
async fn kvm_host_boots_the_test_guest_through_the_api() {
    let Some(env) = env_or_skip("kvm_host_boots_the_test_guest_through_the_api") else { return };
    let port = free_port();
    let mut agent = env.start_agent(port);
    let n = Node::start().await;
    config(&n, "host", "ping.interval", "1").await;
    config(&n, "kvm", "vm.stop.timeout", "20").await;

    let zone = uuid_of(&n.create("/v1/zones", json!({"name": "kvm-zone"})).await);
    let cluster = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "kvm", "hypervisorType": "KVM"})).await);
    let add_host = json!({"name": "local", "managementIp": "127.0.0.1", "username": "root", "password": "unused", "clusterUuid": cluster});

    // An agent that does not answer: the host is not added.
    config(&n, "kvm", "agent.port", &free_port().to_string()).await;
    let (s, e) = n.call("POST", "/v1/hosts/kvm", Some(json!({ "params": add_host }))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains("does not answer"), "{e}");
    assert!(n.query("/v1/hosts").await.is_empty());

    config(&n, "kvm", "agent.port", &port.to_string()).await;
    let host = add_host_when_up(&n, add_host).await;
    let host_uuid = uuid_of(&host);
    assert_eq!((host["status"].as_str(), host["hypervisorType"].as_str()), (Some("Connected"), Some("KVM")));
    assert!(host["totalCpuCapacity"].as_i64().unwrap() > 0 && host["totalMemoryCapacity"].as_i64().unwrap() > 0, "{host}");
    assert!(host["virtualizationType"].is_string(), "host facts say how guests run: {host}");
    // The token the node established is required from now on.
    let r = reqwest::Client::new().post(format!("http://127.0.0.1:{port}/host/ping")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Storage: local storage on the host, an image store holding the guest.
    let ps_dir = env.work.join("ps");
    let ps = uuid_of(&n.create("/v1/primary-storage/local-storage", json!({"name": "local", "url": ps_dir.display().to_string(), "zoneUuid": zone})).await);
    n.ok("POST", &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), json!({"params": {}})).await;
    let ps_inv = &n.query(&format!("/v1/primary-storage/{ps}")).await[0];
    assert!(ps_inv["totalCapacity"].as_i64().unwrap() > 0, "capacity comes from the host's filesystem: {ps_inv}");
    let caps = n.ok("GET", &format!("/v1/primary-storage/local-storage/{ps}/capacities"), Value::Null).await;
    assert_eq!(caps["inventories"][0]["hostUuid"], host_uuid.as_str());
    let bs_dir = env.work.join("bs");
    let bs = uuid_of(&n.create("/v1/backup-storage/image-store", json!({"name": "store", "url": bs_dir.display().to_string(), "hostname": "127.0.0.1", "username": "root", "password": "unused"})).await);
    n.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{bs}"), json!({"params": {}})).await;
    let url = format!("file://{}", env.guest.display());
    // A checksum that does not match: no image, no file left in the store.
    let (s, e) = n.call("POST", "/v1/images", Some(json!({"params": {"name": "bad", "url": url, "backupStorageUuids": [bs]}, "systemTags": [format!("checksum::md5::{}", "0".repeat(32))]}))).await;
    assert_eq!(s, 503, "{e}");
    assert!(files_under(&bs_dir).is_empty(), "{:?}", files_under(&bs_dir));
    let image = n.ok("POST", "/v1/images", json!({"params": {"name": "guest", "url": url, "backupStorageUuids": [bs]}, "systemTags": [format!("checksum::md5::{}", env.guest_md5)]})).await["inventory"].clone();
    assert_eq!((image["format"].as_str(), image["md5Sum"].as_str()), (Some("qcow2"), Some(env.guest_md5.as_str())));

    let (l3, offering) = network_and_offering(&n, &env.iface, &zone, &cluster, "10.99.0").await;
    let avail_cpu = |h: &Value| h["availableCpuCapacity"].as_i64().unwrap();
    let cpu_before = avail_cpu(&n.query(&format!("/v1/hosts/{host_uuid}")).await[0]);

    // The agent refuses (a bridge on a missing interface): nothing is left behind.
    let bad_l2 = uuid_of(&n.create("/v1/l2-networks/no-vlan", json!({"name": "bad", "zoneUuid": zone, "physicalInterface": "zsnosuch0"})).await);
    n.ok("POST", &format!("/v1/l2-networks/{bad_l2}/clusters/{cluster}"), json!({})).await;
    let bad_l3 = uuid_of(&n.create("/v1/l3-networks", json!({"name": "bad", "l2NetworkUuid": bad_l2})).await);
    n.create(&format!("/v1/l3-networks/{bad_l3}/ip-ranges"), json!({"name": "r", "startIp": "10.98.0.10", "endIp": "10.98.0.20", "netmask": "255.255.255.0", "gateway": "10.98.0.1"})).await;
    let (s, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": {"name": "bad", "instanceOfferingUuid": offering, "imageUuid": uuid_of(&image), "l3NetworkUuids": [bad_l3]}}))).await;
    assert_eq!(s, 503, "{e}");
    assert!(n.query("/v1/vm-instances").await.is_empty());
    assert_eq!(avail_cpu(&n.query(&format!("/v1/hosts/{host_uuid}")).await[0]), cpu_before);
    assert!(files_under(&ps_dir).iter().all(|f| f.contains("imagecache")), "only the image cache stays: {:?}", files_under(&ps_dir));
    assert!(n.query("/v1/primary-storage/local-storage/resource-refs").await.is_empty());
    n.ok("DELETE", &format!("/v1/l2-networks/{bad_l2}"), Value::Null).await;

    // Create: the guest boots and says so on its serial console.
    let t = Instant::now();
    let user_data = "#cloud-config\nhostname: zs-guest\n";
    let b64 = base64_encode(user_data.as_bytes());
    let vm = n
        .ok("POST", "/v1/vm-instances", json!({"params": {"name": "guest", "instanceOfferingUuid": offering, "imageUuid": uuid_of(&image), "l3NetworkUuids": [l3]},
            "systemTags": [format!("userdata::{b64}")]}))
        .await["inventory"]
        .clone();
    let vm_uuid = uuid_of(&vm);
    assert_eq!(vm["state"], "Running");
    let booted = env.wait_console(&vm_uuid, "ZSTACK-GUEST-BOOTED", |c| count(c, "ZSTACK-GUEST-BOOTED") >= 1).await;
    eprintln!("CreateVmInstance to guest marker: {:.1}s", (t.elapsed()).as_secs_f64().max(booted.as_secs_f64()));
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("running"));
    // The user data reached the guest as a NoCloud seed CD-ROM.
    let seed = env.work.join(format!("agent/nocloud/{vm_uuid}.iso"));
    assert!(virsh(&["dumpxml", &vm_uuid]).1.contains(&seed.display().to_string()), "the seed ISO is a CD-ROM of the domain");
    let extracted = Command::new("isoinfo").args(["-J", "-x", "/user-data", "-i"]).arg(&seed).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&extracted.stdout), user_data);
    let root = &vm["allVolumes"][0];
    assert!(root["installPath"].as_str().unwrap().starts_with(&ps_dir.display().to_string()), "{root}");
    assert_eq!(n.query(&format!("/v1/primary-storage/local-storage/resource-refs?q=hostUuid={host_uuid}")).await.len(), 1);

    // The console: a token URL whose WebSocket carries the VNC server's RFB handshake.
    let access = n.create("/v1/consoles", json!({"vmInstanceUuid": vm_uuid})).await;
    let (mut sock, status) = ws::connect(access["url"].as_str().unwrap()).await;
    assert_eq!(status, 101, "{access}");
    let hello = ws::read_frame(&mut sock).await;
    assert!(hello.starts_with(b"RFB 003.0"), "the VNC server speaks first: {:?}", String::from_utf8_lossy(&hello));
    ws::write_frame(&mut sock, b"RFB 003.008\n").await;
    let security = ws::read_frame(&mut sock).await;
    assert!(!security.is_empty() && security[0] > 0, "security types follow the version: {security:?}");
    drop(sock);
    let addr = n.ok("GET", &format!("/v1/vm-instances/{vm_uuid}/console-addresses"), Value::Null).await;
    assert_eq!((addr["hostIp"].as_str(), addr["protocol"].as_str()), (Some("127.0.0.1"), Some("vnc")));
    config(&n, "console", "token.timeout", "1").await;
    let short = n.create("/v1/consoles", json!({"vmInstanceUuid": vm_uuid})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ws::connect(short["url"].as_str().unwrap()).await.1, 403, "an expired token opens nothing");
    let (_, status) = ws::connect(&format!("ws://{}/zstack/console/websockify?token=forged", access["url"].as_str().unwrap().split('/').nth(2).unwrap())).await;
    assert_eq!(status, 403);

    // A data volume attached to the running guest shows up inside it.
    let data = uuid_of(&n.create("/v1/volumes/data", json!({"name": "data", "diskSize": 64u64 << 20})).await);
    n.ok("POST", &format!("/v1/volumes/{data}/vm-instances/{vm_uuid}"), json!({"params": {}})).await;
    env.wait_console(&vm_uuid, "ZSTACK-BLOCK: vda vdb", |c| c.lines().any(|l| l.trim() == "ZSTACK-BLOCK: vda vdb")).await;
    n.ok("DELETE", &format!("/v1/volumes/{data}/vm-instances?vmUuid={vm_uuid}"), Value::Null).await;

    // Stop (ACPI power-off), start, reboot, pause and resume on the real domain.
    let act = |a: &str| json!({ a: {} });
    let stopped = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("stopVmInstance")).await;
    assert_eq!(stopped["inventory"]["state"], "Stopped");
    assert!(!virsh(&["domstate", &vm_uuid]).0, "a stopped VM leaves no domain");
    // An ISO attached while the VM is stopped is a CD-ROM of its next start;
    // a running VM on KVM refuses ISO changes with the reason.
    let iso_dir = env.work.join("iso-src");
    std::fs::create_dir_all(&iso_dir).unwrap();
    std::fs::write(iso_dir.join("hello.txt"), "zstack").unwrap();
    let iso_file = env.work.join("tools.iso");
    assert!(Command::new("genisoimage").args(["-quiet", "-o"]).arg(&iso_file).args(["-V", "TOOLS", "-J"]).arg(&iso_dir).status().unwrap().success());
    let iso = n.ok("POST", "/v1/images", json!({"params": {"name": "tools", "url": format!("file://{}", iso_file.display()), "mediaType": "ISO", "backupStorageUuids": [bs]}})).await["inventory"].clone();
    assert_eq!(iso["format"], "iso", "the format is read from the file");
    let iso_uuid = uuid_of(&iso);
    n.ok("POST", &format!("/v1/vm-instances/{vm_uuid}/iso/{iso_uuid}"), json!({"params": {}})).await;
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after start", &before).await;
    assert!(virsh(&["dumpxml", &vm_uuid]).1.contains(&format!("imagecache/iso/{iso_uuid}.iso")), "the ISO is in a CD-ROM drive");
    let (s, e) = n.call("DELETE", &format!("/v1/vm-instances/{vm_uuid}/iso?isoUuid={iso_uuid}"), None).await;
    assert_eq!(s, 503, "{e}");
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("rebootVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after reboot", &before).await;
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("pauseVmInstance")).await;
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("paused"));
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("resumeVmInstance")).await;
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("running"));

    // Stopped behind the node's back: the ping's state sync notices.
    assert!(virsh(&["destroy", &vm_uuid]).0);
    wait_for(&n, &format!("/v1/vm-instances/{vm_uuid}"), "state", "Stopped").await;
    assert_eq!(avail_cpu(&n.query(&format!("/v1/hosts/{host_uuid}")).await[0]), cpu_before, "a VM found stopped gives its capacity back");
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after the outside stop", &before).await;

    // The agent dies: the host is Disconnected and its VM Unknown; back again, both recover.
    agent.kill();
    wait_for(&n, &format!("/v1/hosts/{host_uuid}"), "status", "Disconnected").await;
    wait_for(&n, &format!("/v1/vm-instances/{vm_uuid}"), "state", "Unknown").await;
    let mut agent = env.start_agent(port);
    wait_for(&n, &format!("/v1/hosts/{host_uuid}"), "status", "Connected").await;
    wait_for(&n, &format!("/v1/vm-instances/{vm_uuid}"), "state", "Running").await;

    // The host reboots: the agent goes, and the VM with it. A stop asked
    // meanwhile fails with the reason and changes nothing; when the host is
    // back, its VM is found stopped and its capacity given back.
    agent.kill();
    assert!(virsh(&["destroy", &vm_uuid]).0);
    let (s, e) = n.call("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), Some(act("rebootVmInstance"))).await;
    assert_eq!(s, 503, "{e}");
    // Either the call reaches the dead agent (the error names the host) or the
    // node's ping got there first and marked the VM Unknown (refused as such).
    let error = e["error"].to_string();
    assert!(error.contains(&host_uuid) || error.contains("its state is Unknown"), "the error names the host or the VM's Unknown state: {e}");
    let _agent = env.start_agent(port);
    wait_for(&n, &format!("/v1/hosts/{host_uuid}"), "status", "Connected").await;
    wait_for(&n, &format!("/v1/vm-instances/{vm_uuid}"), "state", "Stopped").await;
    assert_eq!(avail_cpu(&n.query(&format!("/v1/hosts/{host_uuid}")).await[0]), cpu_before);
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after the host came back", &before).await;

    // Destroy and expunge: no domain, no volume file, no reference left.
    n.ok("DELETE", &format!("/v1/vm-instances/{vm_uuid}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("expungeVmInstance")).await;
    n.ok("DELETE", &format!("/v1/volumes/{data}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/volumes/{data}/actions"), act("expungeDataVolume")).await;
    assert!(!virsh(&["domstate", &vm_uuid]).0);
    assert!(!seed.exists(), "the NoCloud seed goes with the domain");
    assert!(files_under(&ps_dir).iter().all(|f| f.contains("imagecache")), "{:?}", files_under(&ps_dir));
    assert!(n.query("/v1/primary-storage/local-storage/resource-refs").await.is_empty());
    assert_eq!(avail_cpu(&n.query(&format!("/v1/hosts/{host_uuid}")).await[0]), cpu_before);
    assert_eq!(n.violations().await, Vec::<String>::new());
    // No volume is made from the image any more: its cached copy can go.
    assert!(!files_under(&ps_dir).is_empty());
    n.ok("PUT", &format!("/v1/primary-storage/{ps}/actions"), json!({"cleanUpImageCacheOnPrimaryStorage": {}})).await;
    assert!(files_under(&ps_dir).is_empty(), "{:?}", files_under(&ps_dir));

    n.ok("DELETE", &format!("/v1/zones/{zone}"), Value::Null).await;
    assert!(n.query("/v1/hosts").await.is_empty());
}

/// An sshd on a loopback port that trusts the node's key.
struct Sshd {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sshd {
    fn start(dir: &Path, authorized_key: &Path) -> Result<Sshd, String> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.exists() {
            return Err("sshd is not installed (scripts/setup-system installs openssh-server)".into());
        }
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let _ = std::fs::create_dir_all("/run/sshd");
        let host_key = dir.join("host_key");
        let st = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&host_key).status().map_err(|e| e.to_string())?;
        if !st.success() {
            return Err("ssh-keygen failed".into());
        }
        std::fs::copy(authorized_key, dir.join("authorized_keys")).map_err(|e| e.to_string())?;
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {0}/host_key\nAuthorizedKeysFile {0}/authorized_keys\nPermitRootLogin yes\nPasswordAuthentication no\nUsePAM no\nStrictModes no\nPidFile {0}/sshd.pid\n",
            dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).map_err(|e| e.to_string())?;
        let child = Command::new(sshd).arg("-D").arg("-e").arg("-f").arg(dir.join("sshd_config")).stderr(Stdio::null()).spawn().map_err(|e| e.to_string())?;
        Ok(Sshd { child, port, dir: dir.to_path_buf() })
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[actix_web::test]
async fn add_kvm_host_deploys_the_agent_over_ssh() {
    let require = std::env::var("ZSTACK_TEST_REQUIRE_KVM").is_ok();
    if agent_binary().is_none() || !virsh(&["version"]).0 {
        assert!(!require, "the agent binary or libvirt is missing");
        eprintln!("SKIPPED add_kvm_host_deploys_the_agent_over_ssh: the agent binary or libvirt is missing");
        return;
    }
    let n = Node::start().await;
    let key = zstack::kvm::deploy::node_key(&n.app).unwrap();
    let work = std::env::temp_dir().join(format!("zstack-ssh-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]));
    let sshd = match Sshd::start(&work.join("sshd"), &key.with_extension("pub")) {
        Ok(s) => s,
        Err(why) => {
            assert!(!require, "{why}");
            eprintln!("SKIPPED add_kvm_host_deploys_the_agent_over_ssh: {why}");
            return;
        }
    };
    let deploy_dir = work.join("deployed");
    let agent_port = free_port();
    config(&n, "kvm", "agent.port", &agent_port.to_string()).await;
    config(&n, "kvm", "agent.deployDir", &deploy_dir.display().to_string()).await;
    let zone = uuid_of(&n.create("/v1/zones", json!({"name": "z"})).await);
    let cluster = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "kvm", "hypervisorType": "KVM"})).await);
    // sshd needs a moment to listen.
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", sshd.port)).is_err() && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let host = n.create("/v1/hosts/kvm", json!({"name": "deployed", "managementIp": "127.0.0.1", "username": "root", "password": "not-needed-with-the-key",
        "sshPort": sshd.port, "clusterUuid": cluster})).await;
    assert_eq!(host["status"], "Connected");
    assert!(deploy_dir.join("zstack-agent").exists() && deploy_dir.join("agent.pid").exists());
    let token = std::fs::read_to_string(deploy_dir.join("data/agent-token")).unwrap();
    assert_eq!(token.len(), 64, "the node wrote its token for the agent");
    // The deployed agent binds only where it was told and refuses other tokens.
    let r = reqwest::Client::new().post(format!("http://127.0.0.1:{agent_port}/host/ping")).header("X-Zstack-Agent-Token", "wrong").json(&json!({})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    zstack::kvm::deploy::stop_detached(&deploy_dir);
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", agent_port)).is_ok() {
        assert!(t.elapsed() < Duration::from_secs(10), "the deployed agent stops with its pid file");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    n.ok("DELETE", &format!("/v1/hosts/{}", uuid_of(&host)), Value::Null).await;
    drop(sshd);
    let _ = std::fs::remove_dir_all(&work);
}

/// A tmpfs mount for the test's primary storage, unmounted at the end.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, mib: u32) -> Result<SmallDisk, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let ok = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"]).arg(dir).status().map_err(|e| e.to_string())?;
        if !ok.success() {
            return Err("cannot mount a tmpfs (needs CAP_SYS_ADMIN)".into());
        }
        Ok(SmallDisk(dir.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[actix_web::test]
async fn a_full_disk_fails_the_vm_creation_and_leaves_nothing() {
    let Some(env) = env_or_skip("a_full_disk_fails_the_vm_creation_and_leaves_nothing") else { return };
    let ps_dir = env.work.join("small");
    let disk = match SmallDisk::mount(&ps_dir, 32) {
        Ok(d) => d,
        Err(why) => {
            assert!(std::env::var("ZSTACK_TEST_REQUIRE_KVM").is_err(), "{why}");
            eprintln!("SKIPPED a_full_disk_fails_the_vm_creation_and_leaves_nothing: {why}");
            return;
        }
    };
    let port = free_port();
    let _agent = env.start_agent(port);
    let n = Node::start().await;
    config(&n, "kvm", "agent.port", &port.to_string()).await;
    let zone = uuid_of(&n.create("/v1/zones", json!({"name": "z"})).await);
    let cluster = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "kvm", "hypervisorType": "KVM"})).await);
    let host = uuid_of(&add_host_when_up(&n, json!({"name": "h", "managementIp": "127.0.0.1", "username": "root", "password": "x", "clusterUuid": cluster})).await);
    // The storage reports 32 MiB when it is attached; then something else fills it.
    let ps = uuid_of(&n.create("/v1/primary-storage/local-storage", json!({"name": "small", "url": ps_dir.join("ps").display().to_string(), "zoneUuid": zone})).await);
    n.ok("POST", &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), json!({"params": {}})).await;
    std::fs::write(ps_dir.join("filler"), vec![0u8; 28 << 20]).unwrap();
    let bs = uuid_of(&n.create("/v1/backup-storage/image-store", json!({"name": "bs", "url": env.work.join("bs").display().to_string(), "hostname": "127.0.0.1", "username": "root", "password": "x"})).await);
    n.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{bs}"), json!({"params": {}})).await;
    let image = uuid_of(&n.ok("POST", "/v1/images", json!({"params": {"name": "guest", "url": format!("file://{}", env.guest.display()), "backupStorageUuids": [bs]}})).await["inventory"]);
    let (l3, offering) = network_and_offering(&n, &env.iface, &zone, &cluster, "10.96.0").await;
    let before = n.query(&format!("/v1/hosts/{host}")).await[0]["availableCpuCapacity"].clone();

    let vm_uuid = uuid::Uuid::new_v4().simple().to_string();
    let (s, e) = n.call("POST", "/v1/vm-instances", Some(json!({"params": {"name": "vm", "instanceOfferingUuid": offering, "imageUuid": image, "l3NetworkUuids": [l3], "resourceUuid": vm_uuid}}))).await;
    assert_eq!(s, 503, "{e}");
    let why = e["error"].to_string();
    assert!(why.contains("space") || why.contains("No space"), "the error says the disk is full: {why}");
    assert!(n.query("/v1/vm-instances").await.is_empty());
    assert!(n.query("/v1/volumes").await.is_empty());
    assert!(n.query("/v1/primary-storage/local-storage/resource-refs").await.is_empty());
    assert_eq!(n.query(&format!("/v1/hosts/{host}")).await[0]["availableCpuCapacity"], before);
    let left: Vec<String> = files_under(&ps_dir.join("ps"));
    assert!(left.is_empty(), "no partial cache file or overlay: {left:?}");
    assert!(!virsh(&["domstate", &vm_uuid]).0, "no domain");
    assert_eq!(n.violations().await, Vec::<String>::new());
    drop(disk);
}

/// A KVM zone with one host on this machine: local storage, an image store
/// with the test guest, a flat network and a small offering.
struct Site {
    cluster: String,
    host: String,
    ps: String,
    ps_dir: PathBuf,
    image: String,
    l3: String,
    offering: String,
}

impl Site {
    async fn build(n: &Node, env: &KvmEnv, agent_port: u16, net: &str) -> Site {
        config(n, "host", "ping.interval", "1").await;
        config(n, "kvm", "vm.stop.timeout", "20").await;
        config(n, "kvm", "agent.port", &agent_port.to_string()).await;
        let zone = uuid_of(&n.create("/v1/zones", json!({"name": "z"})).await);
        let cluster = uuid_of(&n.create("/v1/clusters", json!({"zoneUuid": zone, "name": "kvm", "hypervisorType": "KVM"})).await);
        let host = uuid_of(&add_host_when_up(n, json!({"name": "h1", "managementIp": "127.0.0.1", "username": "root", "password": "x", "clusterUuid": cluster})).await);
        let ps_dir = env.work.join("ps");
        let ps = uuid_of(&n.create("/v1/primary-storage/local-storage", json!({"name": "local", "url": ps_dir.display().to_string(), "zoneUuid": zone})).await);
        n.ok("POST", &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), json!({"params": {}})).await;
        let bs = uuid_of(&n.create("/v1/backup-storage/image-store", json!({"name": "bs", "url": env.work.join("bs").display().to_string(), "hostname": "127.0.0.1", "username": "root", "password": "x"})).await);
        n.ok("POST", &format!("/v1/zones/{zone}/backup-storage/{bs}"), json!({"params": {}})).await;
        let image = uuid_of(&n.ok("POST", "/v1/images", json!({"params": {"name": "guest", "url": format!("file://{}", env.guest.display()), "backupStorageUuids": [bs]}})).await["inventory"]);
        let (l3, offering) = network_and_offering(n, &env.iface, &zone, &cluster, net).await;
        Site { cluster, host, ps, ps_dir, image, l3, offering }
    }

    async fn vm(&self, n: &Node, name: &str) -> Value {
        n.ok("POST", "/v1/vm-instances", json!({"params": {"name": name, "instanceOfferingUuid": self.offering, "imageUuid": self.image, "l3NetworkUuids": [self.l3], "hostUuid": self.host}})).await["inventory"].clone()
    }
}

/// The files of a qcow2 chain, top first (`qemu-img info --backing-chain`).
fn backing_chain(path: &str) -> Vec<String> {
    let out = Command::new("qemu-img").args(["info", "-U", "--backing-chain", "--output", "json", path]).output().unwrap();
    assert!(out.status.success(), "qemu-img info {path}: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().iter().map(|i| i["filename"].as_str().unwrap().to_string()).collect()
}

async fn volume_path(n: &Node, volume: &str) -> String {
    n.query(&format!("/v1/volumes/{volume}")).await[0]["installPath"].as_str().unwrap().to_string()
}

async fn snapshot_of(n: &Node, volume: &str, name: &str) -> Value {
    n.ok("POST", &format!("/v1/volumes/{volume}/volume-snapshots"), json!({"params": {"name": name}})).await["inventory"].clone()
}

#[actix_web::test]
async fn kvm_volume_snapshots_live_and_offline_revert_and_merge() {
    let Some(env) = env_or_skip("kvm_volume_snapshots_live_and_offline_revert_and_merge") else { return };
    let port = free_port();
    let mut agent = env.start_agent(port);
    let n = Node::start().await;
    let site = Site::build(&n, &env, port, "10.95.0").await;
    let vm = site.vm(&n, "snap").await;
    let vm_uuid = uuid_of(&vm);
    let root = vm["rootVolumeUuid"].as_str().unwrap().to_string();
    env.wait_console(&vm_uuid, "ZSTACK-GUEST-BOOTED", |c| count(c, "ZSTACK-GUEST-BOOTED") >= 1).await;
    let cache = site.ps_dir.join(format!("imagecache/template/{}.qcow2", site.image)).display().to_string();
    let r0 = volume_path(&n, &root).await;
    assert_eq!(backing_chain(&r0), vec![r0.clone(), cache.clone()]);

    // Live: the running VM switches to a new overlay; its old file is the snapshot.
    let s1 = snapshot_of(&n, &root, "s1").await;
    assert_eq!(s1["primaryStorageInstallPath"], r0.as_str(), "{s1}");
    let r1 = volume_path(&n, &root).await;
    assert_ne!(r1, r0);
    assert_eq!(backing_chain(&r1), vec![r1.clone(), r0.clone(), cache.clone()]);
    assert!(virsh(&["dumpxml", &vm_uuid]).1.contains(&r1), "qemu writes the new overlay");
    let s2 = snapshot_of(&n, &root, "s2").await;
    assert_eq!((s2["parentUuid"].as_str(), s2["primaryStorageInstallPath"].as_str()), (s1["uuid"].as_str(), Some(r1.as_str())));
    let r2 = volume_path(&n, &root).await;
    assert_eq!(backing_chain(&r2), vec![r2.clone(), r1.clone(), r0.clone(), cache.clone()]);
    let refs = n.query(&format!("/v1/primary-storage/local-storage/resource-refs?q=hostUuid={}", site.host)).await;
    assert_eq!(refs.iter().filter(|r| r["resourceType"] == "VolumeSnapshotVO").count(), 2, "each snapshot's file is on the host: {refs:?}");

    // Reverting a running VM's volume is refused.
    let (s, e) = n.call("PUT", &format!("/v1/volume-snapshots/{}/actions", uuid_of(&s1)), Some(json!({"revertVolumeFromSnapshot": {}}))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains("Stopped"), "{e}");

    // Deleting the latest snapshot while the VM runs: a block pull merges it
    // into the volume's file, which then reads from s1's file directly.
    n.ok("DELETE", &format!("/v1/volume-snapshots/{}", uuid_of(&s2)), Value::Null).await;
    assert_eq!(volume_path(&n, &root).await, r2);
    assert_eq!(backing_chain(&r2), vec![r2.clone(), r0.clone(), cache.clone()]);
    assert!(!Path::new(&r1).exists(), "the deleted snapshot's file is gone");
    assert_eq!(n.query(&format!("/v1/volume-snapshots/{}", uuid_of(&s1))).await[0]["latest"], true);
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("running"));

    // Offline: a snapshot of the stopped VM's volume with qemu-img, then a
    // revert to s1: a new overlay on s1's file, the old top removed; s3 stays.
    let act = |a: &str| json!({ a: {} });
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("stopVmInstance")).await;
    let s3 = snapshot_of(&n, &root, "s3").await;
    assert_eq!(s3["primaryStorageInstallPath"], r2.as_str());
    let r3 = volume_path(&n, &root).await;
    assert_eq!(backing_chain(&r3), vec![r3.clone(), r2.clone(), r0.clone(), cache.clone()]);
    n.ok("PUT", &format!("/v1/volume-snapshots/{}/actions", uuid_of(&s1)), act("revertVolumeFromSnapshot")).await;
    let r4 = volume_path(&n, &root).await;
    assert_eq!(backing_chain(&r4), vec![r4.clone(), r0.clone(), cache.clone()]);
    assert!(!Path::new(&r3).exists(), "the top the volume left is removed");
    assert!(Path::new(&r2).exists(), "s3 keeps its file");
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after the revert", &before).await;

    // Deleting s1 (with s3 below it) while the VM runs: the whole chain is
    // pulled into the volume's file down to the cached image.
    n.ok("DELETE", &format!("/v1/volume-snapshots/{}", uuid_of(&s1)), Value::Null).await;
    assert!(n.query(&format!("/v1/volume-snapshots?q=volumeUuid={root}")).await.is_empty());
    assert_eq!(backing_chain(&r4), vec![r4.clone(), cache.clone()]);
    assert!(!Path::new(&r0).exists() && !Path::new(&r2).exists());
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("rebootVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after the merge", &before).await;

    // A data volume that is on the host but attached to nothing: its first
    // snapshot deleted means a full rebase (no backing file left).
    let data = uuid_of(&n.ok("POST", "/v1/volumes/data", json!({"params": {"name": "d", "diskSize": 16u64 << 20, "primaryStorageUuid": site.ps},
        "systemTags": [format!("localStorage::hostUuid::{}", site.host)]})).await["inventory"]);
    let d0 = volume_path(&n, &data).await;
    let ds = snapshot_of(&n, &data, "d1").await;
    let d1 = volume_path(&n, &data).await;
    assert_eq!(backing_chain(&d1), vec![d1.clone(), d0.clone()]);
    n.ok("DELETE", &format!("/v1/volume-snapshots/{}", uuid_of(&ds)), Value::Null).await;
    assert_eq!(backing_chain(&d1), vec![d1.clone()]);
    assert!(!Path::new(&d0).exists());
    // The host's agent is gone: taking, reverting and deleting fail naming
    // the host and change nothing (no row, no file, the same top).
    let d2 = snapshot_of(&n, &data, "d2").await;
    let files_before = files_under(&site.ps_dir);
    agent.kill();
    let (s, e) = n.call("POST", &format!("/v1/volumes/{data}/volume-snapshots"), Some(json!({"params": {"name": "lost"}}))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains(&site.host), "the error names the host: {e}");
    let (s, e) = n.call("PUT", &format!("/v1/volume-snapshots/{}/actions", uuid_of(&d2)), Some(json!({"revertVolumeFromSnapshot": {}}))).await;
    assert_eq!(s, 503, "{e}");
    let (s, e) = n.call("DELETE", &format!("/v1/volume-snapshots/{}", uuid_of(&d2)), None).await;
    assert_eq!(s, 503, "{e}");
    assert_eq!(n.query(&format!("/v1/volume-snapshots?q=volumeUuid={data}")).await.len(), 1);
    assert_eq!(volume_path(&n, &data).await, backing_chain(&volume_path(&n, &data).await)[0]);
    assert_eq!(files_under(&site.ps_dir), files_before);
    let _agent = env.start_agent(port);
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(20), "the agent came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for(&n, &format!("/v1/hosts/{}", site.host), "status", "Connected").await;
    // Re-imaging: refused while the VM runs; stopped, the root volume gets a
    // fresh overlay on the cached image, its old file and its snapshot's
    // file are gone, and the VM boots from it.
    let (s, e) = n.call("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), Some(act("reimageVmInstance"))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains("must be Stopped"), "{e}");
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("stopVmInstance")).await;
    let rs = snapshot_of(&n, &root, "before-reimage").await;
    let (old_top, old_snap) = (volume_path(&n, &root).await, rs["primaryStorageInstallPath"].as_str().unwrap().to_string());
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("reimageVmInstance")).await;
    let fresh = volume_path(&n, &root).await;
    assert_ne!(fresh, old_top);
    assert_eq!(backing_chain(&fresh), vec![fresh.clone(), cache.clone()]);
    assert!(!Path::new(&old_top).exists() && !Path::new(&old_snap).exists(), "the old file and the snapshot's are gone");
    assert!(n.query(&format!("/v1/volume-snapshots?q=volumeUuid={root}")).await.is_empty());
    let refs = n.query(&format!("/v1/primary-storage/local-storage/resource-refs?q=resourceUuid={root}")).await;
    assert_eq!(refs.len(), 1, "one record of the volume's host: {refs:?}");
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("startVmInstance")).await;
    env.wait_new_boot(&vm_uuid, "a boot after the re-image", &before).await;

    // Expunging a volume takes its snapshots' files too.
    n.ok("DELETE", &format!("/v1/volumes/{data}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/volumes/{data}/actions"), act("expungeDataVolume")).await;

    n.ok("DELETE", &format!("/v1/vm-instances/{vm_uuid}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), act("expungeVmInstance")).await;
    assert!(files_under(&site.ps_dir).iter().all(|f| f.contains("imagecache")), "{:?}", files_under(&site.ps_dir));
    assert!(n.query("/v1/primary-storage/local-storage/resource-refs").await.is_empty());
    assert!(n.query("/v1/volume-snapshots").await.is_empty());
    assert_eq!(n.violations().await, Vec::<String>::new());
}

/// A second KVM host on this machine: its own libvirtd (own sockets, state
/// directories and host UUID, so libvirt accepts migrating "between hosts")
/// and its own agent on 127.0.0.2, both in a private mount namespace where
/// the local storage path shows this host's own directory (`dir/ps`). Its
/// libvirtd reaches the first host's through `dir/host1run`, bound before
/// /run/libvirt is replaced.
struct SecondHost {
    agent: AgentProcess,
    dir: PathBuf,
    uri: String,
}

impl SecondHost {
    async fn start(env: &KvmEnv, port: u16, ps_dir: &Path) -> Result<SecondHost, String> {
        let dir = env.work.join("host2");
        for d in ["run", "lib", "etc", "cache", "log", "sock", "host1run", "ps"] {
            std::fs::create_dir_all(dir.join(d)).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(ps_dir).map_err(|e| e.to_string())?;
        let d = dir.display().to_string();
        let host_uuid = uuid::Uuid::new_v4();
        std::fs::write(dir.join("etc/libvirtd.conf"), format!("unix_sock_dir = \"{d}/sock\"\nhost_uuid = \"{host_uuid}\"\n")).map_err(|e| e.to_string())?;
        // No virtlogd in the namespace: qemu writes its logs itself. Other
        // port ranges than the first libvirtd's, so the two never collide.
        std::fs::write(dir.join("etc/qemu.conf"), "user = \"root\"\ngroup = \"root\"\nstdio_handler = \"file\"\nmigration_port_min = 49400\nmigration_port_max = 49500\nremote_display_port_min = 6100\nremote_display_port_max = 6200\n")
            .map_err(|e| e.to_string())?;
        let sock = format!("{d}/sock/libvirt-sock");
        let uri = format!("qemu+unix:///system?socket={sock}");
        let script = format!(
            "set -e; mount --bind /run/libvirt {d}/host1run; mount --bind {d}/run /run/libvirt; mount --bind {d}/lib /var/lib/libvirt; \
             mount --bind {d}/etc /etc/libvirt; mount --bind {d}/cache /var/cache/libvirt; mount --bind {d}/log /var/log/libvirt; mount --bind {d}/ps {ps}; \
             libvirtd -d --config /etc/libvirt/libvirtd.conf --pid-file {d}/libvirtd.pid; i=0; while [ ! -S {sock} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; \
             exec {agent} --listen 127.0.0.2:{port} --libvirt-uri '{uri}' --migrate-uri 'qemu+unix:///system?socket={d}/host1run/libvirt-sock' --data-dir {d}/agent",
            ps = ps_dir.display(),
            agent = env.agent_bin.display(),
        );
        let child = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(env.work.join("agent2.log")).map(Stdio::from).unwrap_or(Stdio::null()))
            .spawn()
            .map_err(|e| format!("cannot run unshare: {e}"))?;
        let host = SecondHost { agent: AgentProcess(child), dir, uri };
        let t = Instant::now();
        loop {
            // Off this thread: the node serves from it too, and a stalled
            // node closes its idle connections just as the next request reuses one.
            let uri = host.uri.clone();
            let up = tokio::task::spawn_blocking(move || virsh_at(&uri, &["version"]).0 && std::net::TcpStream::connect(("127.0.0.2", port)).is_ok()).await.unwrap();
            if up {
                break;
            }
            if t.elapsed() > Duration::from_secs(15) {
                return Err(format!("the second libvirtd did not come up (needs CAP_SYS_ADMIN for mount namespaces): {}", std::fs::read_to_string(env.work.join("agent2.log")).unwrap_or_default()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(host)
    }

    fn virsh(&self, args: &[&str]) -> (bool, String) {
        virsh_at(&self.uri, args)
    }
}

fn virsh_at(uri: &str, args: &[&str]) -> (bool, String) {
    match Command::new("virsh").arg("-c").arg(uri).args(args).output() {
        Ok(o) => (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)),
        Err(e) => (false, e.to_string()),
    }
}

impl Drop for SecondHost {
    fn drop(&mut self) {
        for name in self.virsh(&["list", "--all", "--name"]).1.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let _ = self.virsh(&["destroy", name]);
            let _ = self.virsh(&["undefine", name]);
        }
        self.agent.kill();
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("libvirtd.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[actix_web::test]
async fn kvm_live_migration_and_local_storage_volume_migration() {
    let Some(env) = env_or_skip("kvm_live_migration_and_local_storage_volume_migration") else { return };
    let port = free_port();
    let host2_sock = env.work.join("host2/sock/libvirt-sock").display().to_string();
    let migrate_uri = format!("qemu+unix:///system?socket={host2_sock}");
    let mut agent = env.start_agent_with(port, &["--migrate-uri", &migrate_uri]);
    let n = Node::start().await;
    let site = Site::build(&n, &env, port, "10.94.0").await;
    let second = match SecondHost::start(&env, port, &site.ps_dir).await {
        Ok(h) => h,
        Err(why) => {
            assert!(std::env::var("ZSTACK_TEST_REQUIRE_KVM").is_err(), "{why}");
            eprintln!("SKIPPED kvm_live_migration_and_local_storage_volume_migration: {why}");
            return;
        }
    };
    let host2 = uuid_of(&add_host_when_up(&n, json!({"name": "h2", "managementIp": "127.0.0.2", "username": "root", "password": "x", "clusterUuid": site.cluster})).await);
    let host2_ps = second.dir.join("ps");
    let caps = n.ok("GET", &format!("/v1/primary-storage/local-storage/{}/capacities", site.ps), Value::Null).await;
    assert_eq!(caps["inventories"].as_array().unwrap().len(), 2, "the storage is on both hosts: {caps}");
    let only_cache = |dir: &Path| files_under(dir).iter().all(|f| f.contains("imagecache"));

    // With cloud-init user data: each host's agent makes the NoCloud seed itself.
    let user_data = "#cloud-config\nhostname: mig\n";
    let vm = n.ok("POST", "/v1/vm-instances", json!({"params": {"name": "mig", "instanceOfferingUuid": site.offering, "imageUuid": site.image, "l3NetworkUuids": [site.l3], "hostUuid": site.host},
        "systemTags": [format!("userdata::{}", base64_encode(user_data.as_bytes()))]})).await["inventory"].clone();
    let vm_uuid = uuid_of(&vm);
    let (seed1, seed2) = (env.work.join(format!("agent/nocloud/{vm_uuid}.iso")), second.dir.join(format!("agent/nocloud/{vm_uuid}.iso")));
    let seed_holds_user_data = |seed: &Path| {
        let out = Command::new("isoinfo").args(["-J", "-x", "/user-data", "-i"]).arg(seed).output().unwrap();
        String::from_utf8_lossy(&out.stdout) == user_data
    };
    assert!(seed_holds_user_data(&seed1));
    let root = vm["rootVolumeUuid"].as_str().unwrap().to_string();
    assert_eq!(vm["hostUuid"], site.host.as_str());
    env.wait_console(&vm_uuid, "ZSTACK-GUEST-BOOTED", |c| count(c, "ZSTACK-GUEST-BOOTED") >= 1).await;
    // A snapshot: its file must follow the volume, which rests on it.
    let snap = snapshot_of(&n, &root, "before-migration").await;
    let top = volume_path(&n, &root).await;
    let snap_file = snap["primaryStorageInstallPath"].as_str().unwrap().to_string();
    let in_host2 = |p: &str| host2_ps.join(Path::new(p).strip_prefix(&site.ps_dir).unwrap());
    let migrate = |to: &str| json!({"migrateVm": {"hostUuid": to}});
    let ref_host = |refs: &[Value], owner: &str| refs.iter().find(|r| r["resourceUuid"] == owner).map(|r| r["hostUuid"].as_str().unwrap().to_string());

    // The destination refuses the incoming domain (one of that name is
    // defined there): the migration fails, the VM runs on where it was, and
    // nothing is left in the destination's storage.
    let blocker = env.work.join("blocker.xml");
    std::fs::write(&blocker, format!("<domain type='qemu'><name>{vm_uuid}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>")).unwrap();
    assert!(second.virsh(&["define", blocker.to_str().unwrap()]).0);
    // What a failed migration must leave as it was on the destination: the
    // host's CPU and memory and its share of the local storage.
    let held_on = |host: String| {
        let n = &n;
        let ps = site.ps.clone();
        async move {
            let h = n.query(&format!("/v1/hosts/{host}")).await[0].clone();
            let caps = n.ok("GET", &format!("/v1/primary-storage/local-storage/{ps}/capacities"), Value::Null).await;
            let share = caps["inventories"].as_array().unwrap().iter().find(|c| c["hostUuid"] == host.as_str()).map(|c| c["availableCapacity"].clone());
            (h["availableCpuCapacity"].clone(), h["availableMemoryCapacity"].clone(), share.expect("the host has a share of the storage"))
        }
    };
    let host2_before = held_on(host2.clone()).await;
    let (s, e) = n.call("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), Some(migrate(&host2))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains("cannot migrate"), "{e}");
    assert!(only_cache(&host2_ps), "{:?}", files_under(&host2_ps));
    assert_eq!(held_on(host2.clone()).await, host2_before, "nothing stays reserved on the destination");
    assert!(!seed2.exists() && seed1.exists(), "the destination's seed is removed again");
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("running"));
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm_uuid}")).await[0]["hostUuid"], site.host.as_str());
    assert!(second.virsh(&["undefine", &vm_uuid]).0);

    // Live migration to the second host: the snapshot file is pulled first,
    // libvirt copies the top along; the first host keeps only its cache.
    let moved = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), migrate(&host2)).await["inventory"].clone();
    assert_eq!((moved["hostUuid"].as_str(), moved["state"].as_str()), (Some(host2.as_str()), Some("Running")));
    assert!(second.virsh(&["domstate", &vm_uuid]).1.contains("running"), "the VM runs on the second libvirtd");
    assert!(!virsh(&["domstate", &vm_uuid]).0, "and no longer on the first");
    assert!(in_host2(&top).exists() && in_host2(&snap_file).exists());
    assert!(only_cache(&site.ps_dir), "{:?}", files_under(&site.ps_dir));
    assert!(seed_holds_user_data(&seed2) && !seed1.exists(), "the seed was made on the second host, the first's removed");
    assert!(second.virsh(&["dumpxml", &vm_uuid]).1.contains(&seed2.display().to_string()), "the domain reads the second host's seed");
    let refs = n.query("/v1/primary-storage/local-storage/resource-refs").await;
    assert_eq!((ref_host(&refs, &root), ref_host(&refs, snap["uuid"].as_str().unwrap())), (Some(host2.clone()), Some(host2.clone())));
    let before = env.console(&vm_uuid);
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), json!({"rebootVmInstance": {}})).await;
    env.wait_new_boot(&vm_uuid, "a boot on the second host", &before).await;

    // And back.
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), migrate(&site.host)).await;
    assert!(virsh(&["domstate", &vm_uuid]).1.contains("running"));
    assert!(!second.virsh(&["domstate", &vm_uuid]).0);
    assert!(only_cache(&host2_ps), "{:?}", files_under(&host2_ps));
    assert!(Path::new(&top).exists() && Path::new(&snap_file).exists());
    assert!(seed_holds_user_data(&seed1) && !seed2.exists());

    // A running VM's volume is not moved by LocalStorageMigrateVolume.
    let migrate_volume = |to: &str| json!({"localStorageMigrateVolume": {"destHostUuid": to}});
    let path = format!("/v1/primary-storage/local-storage/volumes/{root}/actions");
    let (s, e) = n.call("PUT", &path, Some(migrate_volume(&host2))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains("stop it first"), "{e}");
    let (s, e) = n.call("PUT", &path, Some(migrate_volume("0123456789abcdef0123456789abcdef"))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "an unknown host: {e}");
    assert!(e["error"]["details"].to_string().contains("does not exist"), "{e}");

    // Stopped: the root volume and its snapshot move by file copy, the
    // capacity held moves with them, and the VM then starts on the second host.
    let held = |caps: &Value, host: &str| caps["inventories"].as_array().unwrap().iter().find(|c| c["hostUuid"] == host).map(|c| c["availableCapacity"].as_i64().unwrap()).unwrap();
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), json!({"stopVmInstance": {}})).await;
    let caps_before = n.ok("GET", &format!("/v1/primary-storage/local-storage/{}/capacities", site.ps), Value::Null).await;
    let (s, e) = n.call("PUT", &path, Some(migrate_volume(&site.host))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "already there: {e}");
    let r = n.ok("PUT", &path, migrate_volume(&host2)).await;
    assert_eq!(r["inventory"]["hostUuid"], host2.as_str(), "{r}");
    let caps_after = n.ok("GET", &format!("/v1/primary-storage/local-storage/{}/capacities", site.ps), Value::Null).await;
    let moved_bytes = held(&caps_after, &site.host) - held(&caps_before, &site.host);
    assert!(moved_bytes > 0, "the first host got room back: {caps_before} {caps_after}");
    assert_eq!(held(&caps_before, &host2) - held(&caps_after, &host2), moved_bytes, "the second host holds what the first gave up");
    assert!(in_host2(&top).exists() && in_host2(&snap_file).exists());
    assert!(only_cache(&site.ps_dir), "{:?}", files_under(&site.ps_dir));
    let started = n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), json!({"startVmInstance": {}})).await["inventory"].clone();
    assert_eq!(started["hostUuid"], host2.as_str(), "a VM starts where its root volume is");
    assert!(second.virsh(&["domstate", &vm_uuid]).1.contains("running"));

    // A data volume attached to nothing moves too.
    let data = uuid_of(&n.ok("POST", "/v1/volumes/data", json!({"params": {"name": "d", "diskSize": 16u64 << 20, "primaryStorageUuid": site.ps},
        "systemTags": [format!("localStorage::hostUuid::{}", site.host)]})).await["inventory"]);
    let data_file = volume_path(&n, &data).await;
    n.ok("PUT", &format!("/v1/primary-storage/local-storage/volumes/{data}/actions"), migrate_volume(&host2)).await;
    assert!(!Path::new(&data_file).exists() && in_host2(&data_file).exists());
    n.ok("DELETE", &format!("/v1/volumes/{data}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/volumes/{data}/actions"), json!({"expungeDataVolume": {}})).await;

    // The destination's agent is gone: the migration fails naming that
    // host, the VM runs on where it was, and the destination holds no file
    // and no reservation for it.
    let host1_before = held_on(site.host.clone()).await;
    let seed1_before = seed1.exists();
    agent.kill();
    let (s, e) = n.call("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), Some(migrate(&site.host))).await;
    assert_eq!(s, 503, "{e}");
    assert!(e["error"].to_string().contains(&site.host), "the error names the destination: {e}");
    assert!(second.virsh(&["domstate", &vm_uuid]).1.contains("running"));
    assert_eq!(n.query(&format!("/v1/vm-instances/{vm_uuid}")).await[0]["hostUuid"], host2.as_str());
    assert!(only_cache(&site.ps_dir), "{:?}", files_under(&site.ps_dir));
    assert_eq!(seed1.exists(), seed1_before, "no seed made on the destination");
    assert_eq!(held_on(site.host.clone()).await, host1_before, "nothing stays reserved on the destination");
    let _agent = env.start_agent_with(port, &["--migrate-uri", &migrate_uri]);
    wait_for(&n, &format!("/v1/hosts/{}", site.host), "status", "Connected").await;

    n.ok("DELETE", &format!("/v1/vm-instances/{vm_uuid}"), Value::Null).await;
    n.ok("PUT", &format!("/v1/vm-instances/{vm_uuid}/actions"), json!({"expungeVmInstance": {}})).await;
    assert!(!second.virsh(&["domstate", &vm_uuid]).0 && !virsh(&["domstate", &vm_uuid]).0);
    assert!(only_cache(&site.ps_dir) && only_cache(&host2_ps), "{:?} {:?}", files_under(&site.ps_dir), files_under(&host2_ps));
    assert!(n.query("/v1/primary-storage/local-storage/resource-refs").await.is_empty());
    assert_eq!(n.violations().await, Vec::<String>::new());
}
