//! Benchmark: time from `POST /zstack/v1/vm-instances` to the test guest's
//! boot marker on its serial console, on a real zstack-agent + libvirt (QEMU
//! TCG), against defining and starting the same domain directly with virsh in
//! the same run. Runs alternate (API, virsh, API, ...) so both see the same
//! machine load; the figure is the ratio of the medians.
//!
//!   scripts/setup-system && scripts/build-test-guest
//!   cargo build --release -p zstack-agent
//!   cargo bench -p zstack --bench kvm_boot -- [--runs 5]
//!
//! The virsh side uses the domain XML the agent generated for the API's VM
//! (`virsh dumpxml`), with its own name, uuid, overlay disk and console log.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zstack::app::{App, Settings};

const MARKER: &str = "ZSTACK-GUEST-BOOTED";

#[path = "api_client.rs"]
mod api_client;
use api_client::Client;

async fn config(c: &Client, category: &str, name: &str, value: &str) {
    c.call(reqwest::Method::PUT, &format!("/v1/global-configurations/{category}/{name}/actions"), Some(json!({"updateGlobalConfig": {"value": value}}))).await;
}

fn virsh(args: &[&str]) -> String {
    let o = Command::new("virsh").arg("-q").arg("-c").arg("qemu:///system").args(args).output().expect("virsh runs");
    assert!(o.status.success(), "virsh {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn wait_marker(log: &Path) -> Instant {
    let t = Instant::now();
    loop {
        if std::fs::read_to_string(log).map(|s| s.contains(MARKER)).unwrap_or(false) {
            return Instant::now();
        }
        assert!(t.elapsed() < Duration::from_secs(180), "no boot marker in {}", log.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Cleanup {
    agent: Child,
    iface: String,
    work: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = self.agent.kill();
        let _ = self.agent.wait();
        let _ = Command::new("ip").args(["link", "del", &self.iface]).status();
        let _ = Command::new("ip").args(["link", "del", &format!("br_{}", self.iface)]).status();
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(5);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let guest = repo.join("var/test-guest/guest.qcow2").canonicalize().expect("run scripts/build-test-guest first");
    let agent_bin = std::env::current_exe().ok().and_then(|e| e.parent()?.parent().map(|d| d.join("zstack-agent"))).filter(|p| p.exists()).expect("build zstack-agent (cargo build --release -p zstack-agent)");
    let id = uuid::Uuid::new_v4().simple().to_string();
    let work = std::env::temp_dir().join(format!("zstack-kvm-bench-{}", &id[..8]));
    std::fs::create_dir_all(&work).unwrap();
    let iface = format!("zsb{}", &id[..8]);
    assert!(Command::new("ip").args(["link", "add", &iface, "type", "veth", "peer", "name", &format!("zsq{}", &id[..8])]).status().unwrap().success());
    let port = free_port();
    let agent = Command::new(&agent_bin)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--libvirt-uri", "qemu:///system", "--data-dir"])
        .arg(work.join("agent"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cleanup = Cleanup { agent, iface: iface.clone(), work: work.clone() };
    let sys = actix_web::rt::System::new();
    sys.block_on(async move {
        let settings = Settings { listen: "127.0.0.1:0".into(), data_dir: work.join("node"), database_url: String::new(), admin_password: Some("bench".into()) };
        let app = App::start(settings).await.unwrap().app;
        let (server, addr) = zstack::server::http_server(app.clone(), "127.0.0.1:0").unwrap();
        actix_web::rt::spawn(server);
        // Idle connections go before the server's 5 s keep-alive closes them under a request.
        let http = reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(1)).build().unwrap();
        let mut c = Client::login(http, format!("http://{addr}/zstack"), "bench").await;
        c.poll = Duration::from_millis(10);
        config(&c, "kvm", "agent.port", &port.to_string()).await;
        config(&c, "kvm", "vm.stop.timeout", "5").await;
        let zone = c.create("/v1/zones", json!({"name": "z"})).await;
        let cluster = c.create("/v1/clusters", json!({"zoneUuid": zone, "name": "c", "hypervisorType": "KVM"})).await;
        // The agent may still be starting.
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && t.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        c.create_inv("/v1/hosts/kvm", json!({"name": "h", "managementIp": "127.0.0.1", "username": "root", "password": "x", "clusterUuid": cluster})).await;
        let ps = c.create("/v1/primary-storage/local-storage", json!({"name": "ps", "url": work.join("ps").display().to_string(), "zoneUuid": zone})).await;
        c.call(reqwest::Method::POST, &format!("/v1/clusters/{cluster}/primary-storage/{ps}"), Some(json!({"params": {}}))).await;
        let bs = c.create("/v1/backup-storage/image-store", json!({"name": "bs", "url": work.join("bs").display().to_string(), "hostname": "127.0.0.1", "username": "root", "password": "x"})).await;
        c.call(reqwest::Method::POST, &format!("/v1/zones/{zone}/backup-storage/{bs}"), Some(json!({"params": {}}))).await;
        let image = c.create("/v1/images", json!({"name": "guest", "url": format!("file://{}", guest.display()), "backupStorageUuids": [bs]})).await;
        let l2 = c.create("/v1/l2-networks/no-vlan", json!({"name": "l2", "zoneUuid": zone, "physicalInterface": iface})).await;
        c.call(reqwest::Method::POST, &format!("/v1/l2-networks/{l2}/clusters/{cluster}"), Some(json!({}))).await;
        let l3 = c.create("/v1/l3-networks", json!({"name": "l3", "l2NetworkUuid": l2})).await;
        c.create_inv(&format!("/v1/l3-networks/{l3}/ip-ranges"), json!({"name": "r", "startIp": "10.97.0.10", "endIp": "10.97.0.200", "netmask": "255.255.255.0", "gateway": "10.97.0.1"})).await;
        let offering = c.create("/v1/instance-offerings", json!({"name": "tiny", "cpuNum": 1, "memorySize": 256u64 << 20})).await;
        let vm_params = |name: &str| json!({"name": name, "instanceOfferingUuid": offering, "imageUuid": image, "l3NetworkUuids": [l3]});
        // A warm-up VM: fills the image cache (as on any host after its first VM) and gives the XML the virsh side reuses.
        let warm = c.create_inv("/v1/vm-instances", vm_params("warm-up")).await;
        let warm_uuid = warm["uuid"].as_str().unwrap().to_string();
        wait_marker(&work.join(format!("agent/console/{warm_uuid}.log"))).await;
        let template = virsh(&["dumpxml", &warm_uuid]);
        let root_path = warm["allVolumes"][0]["installPath"].as_str().unwrap().to_string();
        let backing = work.join(format!("ps/imagecache/template/{image}.qcow2"));
        c.call(reqwest::Method::DELETE, &format!("/v1/vm-instances/{warm_uuid}?deleteMode=Enforcing"), None).await;

        let (mut api, mut direct) = (Vec::new(), Vec::new());
        for i in 0..runs {
            let t = Instant::now();
            let vm_uuid = c.create("/v1/vm-instances", vm_params(&format!("bench-{i}"))).await;
            let done = wait_marker(&work.join(format!("agent/console/{vm_uuid}.log"))).await;
            api.push((done - t).as_secs_f64());
            c.call(reqwest::Method::DELETE, &format!("/v1/vm-instances/{vm_uuid}"), None).await;

            // The same domain by hand: overlay, define, start, marker.
            let name = uuid::Uuid::new_v4();
            let overlay = work.join(format!("direct-{i}.qcow2"));
            let log = work.join(format!("direct-{i}.log"));
            let xml = template
                .replace(&warm_uuid, &name.simple().to_string())
                .replace(&uuid::Uuid::parse_str(&warm_uuid).unwrap().to_string(), &name.to_string())
                .replace(&root_path, &overlay.display().to_string())
                .replace(&work.join(format!("agent/console/{}.log", name.simple())).display().to_string(), &log.display().to_string());
            let xml = xml.lines().filter(|l| !l.contains("<mac address")).collect::<Vec<_>>().join("\n");
            let xml_file = work.join(format!("direct-{i}.xml"));
            std::fs::write(&xml_file, xml).unwrap();
            let t = Instant::now();
            assert!(Command::new("qemu-img").args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"]).arg(&backing).arg(&overlay).status().unwrap().success());
            virsh(&["define", &xml_file.display().to_string()]);
            virsh(&["start", &name.simple().to_string()]);
            let done = wait_marker(&log).await;
            direct.push((done - t).as_secs_f64());
            virsh(&["destroy", &name.simple().to_string()]);
            virsh(&["undefine", &name.simple().to_string()]);
            println!("run {i}: API {:.2} s, virsh {:.2} s", api[i], direct[i]);
        }
        let (a, d) = (median(api.clone()), median(direct.clone()));
        println!("median of {runs}: API CreateVmInstance to marker {a:.2} s, virsh define+start to marker {d:.2} s, ratio {:.2} (target <= 1.3)", a / d);
        drop(cleanup);
    });
}
