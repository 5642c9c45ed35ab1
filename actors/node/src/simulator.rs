//! Simulator hosts, primary storage and backup storage: real implementations
//! of the hypervisor and storage driver interfaces without KVM. They keep
//! state (VMs per host with their power state, volume files per primary
//! storage), enforce the same rules a host would (a VM runs on one host, only
//! a running VM can be stopped or paused, a file can't be created twice), and
//! persist everything to a journal in the data dir so a node restart loses
//! nothing. Faults (fail or delay an operation, on one target or all) can be
//! injected in-process or over `/zstack/simulator/faults`.

use actix_web::{web, HttpRequest, HttpResponse};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use zstack_kit::{ApiError, ApiResult};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SimVm {
    pub host: String,
    pub state: String,
    pub cpu: i64,
    pub memory: i64,
    #[serde(default)]
    pub volumes: Vec<String>,
    /// Guest accounts whose password was set, with the SHA-512 of the password.
    #[serde(default)]
    pub passwords: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op")]
enum Entry {
    Host { uuid: String, cpu: i64, memory: i64 },
    HostGone { uuid: String },
    Vm { uuid: String, vm: SimVm },
    VmGone { uuid: String },
    File { storage: String, path: String, size: i64 },
    FileGone { storage: String, path: String },
}

#[derive(Default)]
struct State {
    hosts: HashMap<String, (i64, i64)>,
    vms: HashMap<String, SimVm>,
    files: HashMap<(String, String), i64>,
}

impl State {
    fn apply(&mut self, e: &Entry) {
        match e {
            Entry::Host { uuid, cpu, memory } => {
                self.hosts.insert(uuid.clone(), (*cpu, *memory));
            }
            Entry::HostGone { uuid } => {
                self.hosts.remove(uuid);
            }
            Entry::Vm { uuid, vm } => {
                self.vms.insert(uuid.clone(), vm.clone());
            }
            Entry::VmGone { uuid } => {
                self.vms.remove(uuid);
            }
            Entry::File { storage, path, size } => {
                self.files.insert((storage.clone(), path.clone()), *size);
            }
            Entry::FileGone { storage, path } => {
                self.files.remove(&(storage.clone(), path.clone()));
            }
        }
    }

    fn snapshot(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for (uuid, (cpu, memory)) in &self.hosts {
            out.push(Entry::Host { uuid: uuid.clone(), cpu: *cpu, memory: *memory });
        }
        for (uuid, vm) in &self.vms {
            out.push(Entry::Vm { uuid: uuid.clone(), vm: vm.clone() });
        }
        for ((storage, path), size) in &self.files {
            out.push(Entry::File { storage: storage.clone(), path: path.clone(), size: *size });
        }
        out
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Operation name, e.g. `vm.start`, `vm.stop`, `volume.create`, `host.connect`.
    pub op: String,
    /// Host, storage or VM uuid; absent = any.
    #[serde(default)]
    pub target: Option<String>,
    /// Fail with this message.
    #[serde(default)]
    pub fail: Option<String>,
    /// Delay the operation by this many milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many times the fault fires; absent = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

struct Inner {
    state: State,
    /// None when opened read-only (to inspect a running node's data dir).
    journal: Option<File>,
}

#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Mutex<Inner>>,
    faults: Arc<Mutex<Vec<Fault>>>,
}

impl Simulator {
    fn replay(path: &Path) -> ApiResult<State> {
        let io = |e: std::io::Error| ApiError::internal(format!("simulator journal {}: {e}", path.display()));
        let mut state = State::default();
        if let Ok(f) = File::open(path) {
            for line in BufReader::new(f).lines() {
                let line = line.map_err(io)?;
                // A torn last line (crash mid-write) is skipped.
                if let Ok(e) = serde_json::from_str::<Entry>(&line) {
                    state.apply(&e);
                }
            }
        }
        Ok(state)
    }

    /// The simulators' state as the journal has it, without writing anything
    /// (safe next to a running node).
    pub fn open_read_only(data_dir: &Path) -> ApiResult<Simulator> {
        let path = data_dir.join("simulator.journal");
        let state = Self::replay(&path)?;
        Ok(Simulator { inner: Arc::new(Mutex::new(Inner { state, journal: None })), faults: Arc::new(Mutex::new(Vec::new())) })
    }

    pub fn open(data_dir: &Path) -> ApiResult<Simulator> {
        let path = data_dir.join("simulator.journal");
        let io = |e: std::io::Error| ApiError::internal(format!("simulator journal {}: {e}", path.display()));
        let state = Self::replay(&path)?;
        // Compact: rewrite the journal as a snapshot of the state.
        let tmp = path.with_extension("journal.tmp");
        {
            let mut f = File::create(&tmp).map_err(io)?;
            for e in state.snapshot() {
                writeln!(f, "{}", serde_json::to_string(&e).unwrap_or_default()).map_err(io)?;
            }
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        let journal = OpenOptions::new().append(true).open(&path).map_err(io)?;
        Ok(Simulator { inner: Arc::new(Mutex::new(Inner { state, journal: Some(journal) })), faults: Arc::new(Mutex::new(Vec::new())) })
    }

    fn record(inner: &mut Inner, entries: Vec<Entry>) {
        for e in entries {
            inner.state.apply(&e);
            let Some(journal) = inner.journal.as_mut() else { continue };
            if let Ok(line) = serde_json::to_string(&e) {
                if let Err(err) = writeln!(journal, "{line}") {
                    log::error!("simulator journal write failed: {err}");
                }
            }
        }
    }

    pub fn fault_add(&self, f: Fault) {
        self.faults.lock().push(f);
    }

    pub fn faults_clear(&self) {
        self.faults.lock().clear();
    }

    pub fn faults_list(&self) -> Vec<Fault> {
        self.faults.lock().clone()
    }

    /// Apply the faults registered for an operation on these targets.
    async fn gate(&self, op: &str, targets: &[&str]) -> ApiResult<()> {
        let (delay, fail) = {
            let mut faults = self.faults.lock();
            let mut delay = 0;
            let mut fail = None;
            for f in faults.iter_mut() {
                let target_ok = f.target.as_deref().map(|t| targets.contains(&t)).unwrap_or(true);
                if f.op != op || !target_ok || f.times == Some(0) {
                    continue;
                }
                if let Some(n) = f.times.as_mut() {
                    *n -= 1;
                }
                delay += f.delay_ms.unwrap_or(0);
                if fail.is_none() {
                    fail = f.fail.clone();
                }
            }
            faults.retain(|f| f.times != Some(0));
            (delay, fail)
        };
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        match fail {
            Some(msg) => Err(ApiError::operation(format!("simulator: {op} failed on {}: {msg}", targets.join(",")))),
            None => Ok(()),
        }
    }

    pub async fn host_connect(&self, host: &str, cpu: i64, memory: i64) -> ApiResult<()> {
        self.gate("host.connect", &[host]).await?;
        Self::record(&mut self.inner.lock(), vec![Entry::Host { uuid: host.into(), cpu, memory }]);
        Ok(())
    }

    pub async fn host_remove(&self, host: &str) -> ApiResult<()> {
        self.gate("host.remove", &[host]).await?;
        let mut inner = self.inner.lock();
        let vms: Vec<String> = inner.state.vms.iter().filter(|(_, v)| v.host == host).map(|(k, _)| k.clone()).collect();
        let mut entries: Vec<Entry> = vms.into_iter().map(|uuid| Entry::VmGone { uuid }).collect();
        entries.push(Entry::HostGone { uuid: host.into() });
        Self::record(&mut inner, entries);
        Ok(())
    }

    /// Physical CPUs and memory of a simulator host.
    pub fn host_capacity(&self, host: &str) -> Option<(i64, i64)> {
        self.inner.lock().state.hosts.get(host).copied()
    }

    pub async fn vm_start(&self, host: &str, vm: &str, cpu: i64, memory: i64, volumes: Vec<String>) -> ApiResult<()> {
        self.gate("vm.start", &[host, vm]).await?;
        let mut inner = self.inner.lock();
        if !inner.state.hosts.contains_key(host) {
            return Err(ApiError::operation(format!("simulator host[uuid:{host}] is not connected")));
        }
        if let Some(existing) = inner.state.vms.get(vm) {
            if existing.state == "Running" || existing.state == "Paused" {
                if existing.host == host {
                    return Ok(());
                }
                return Err(ApiError::operation(format!("vm[uuid:{vm}] is already running on host[uuid:{}]", existing.host)));
            }
        }
        let passwords = inner.state.vms.get(vm).map(|v| v.passwords.clone()).unwrap_or_default();
        Self::record(&mut inner, vec![Entry::Vm { uuid: vm.into(), vm: SimVm { host: host.into(), state: "Running".into(), cpu, memory, volumes, passwords } }]);
        Ok(())
    }

    fn transition(&self, host: &str, vm: &str, from: &[&str], to: &str) -> ApiResult<()> {
        let mut inner = self.inner.lock();
        let Some(mut v) = inner.state.vms.get(vm).cloned() else {
            return Err(ApiError::operation(format!("vm[uuid:{vm}] is not on simulator host[uuid:{host}]")));
        };
        if v.host != host {
            return Err(ApiError::operation(format!("vm[uuid:{vm}] is on host[uuid:{}], not on host[uuid:{host}]", v.host)));
        }
        if !from.contains(&v.state.as_str()) {
            return Err(ApiError::operation(format!("vm[uuid:{vm}] is {} on the host; cannot make it {to}", v.state)));
        }
        v.state = to.into();
        Self::record(&mut inner, vec![Entry::Vm { uuid: vm.into(), vm: v }]);
        Ok(())
    }

    pub async fn vm_stop(&self, host: &str, vm: &str) -> ApiResult<()> {
        self.gate("vm.stop", &[host, vm]).await?;
        let mut inner = self.inner.lock();
        // Stopping a VM the host does not run is a no-op, as on KVM.
        if inner.state.vms.get(vm).map(|v| v.host == host).unwrap_or(false) {
            Self::record(&mut inner, vec![Entry::VmGone { uuid: vm.into() }]);
        }
        Ok(())
    }

    pub async fn vm_reboot(&self, host: &str, vm: &str) -> ApiResult<()> {
        self.gate("vm.reboot", &[host, vm]).await?;
        self.transition(host, vm, &["Running"], "Running")
    }

    pub async fn vm_pause(&self, host: &str, vm: &str) -> ApiResult<()> {
        self.gate("vm.pause", &[host, vm]).await?;
        self.transition(host, vm, &["Running"], "Paused")
    }

    pub async fn vm_resume(&self, host: &str, vm: &str) -> ApiResult<()> {
        self.gate("vm.resume", &[host, vm]).await?;
        self.transition(host, vm, &["Paused"], "Running")
    }

    pub async fn vm_migrate(&self, from: &str, to: &str, vm: &str) -> ApiResult<()> {
        self.gate("vm.migrate", &[from, to, vm]).await?;
        let mut inner = self.inner.lock();
        if !inner.state.hosts.contains_key(to) {
            return Err(ApiError::operation(format!("simulator host[uuid:{to}] is not connected")));
        }
        let Some(mut v) = inner.state.vms.get(vm).cloned().filter(|v| v.host == from) else {
            return Err(ApiError::operation(format!("vm[uuid:{vm}] is not running on host[uuid:{from}]")));
        };
        v.host = to.into();
        Self::record(&mut inner, vec![Entry::Vm { uuid: vm.into(), vm: v }]);
        Ok(())
    }

    /// Set a guest account's password (the guest agent's job on KVM): the VM must run.
    pub async fn vm_set_password(&self, host: &str, vm: &str, account: &str, password_sha512: &str) -> ApiResult<()> {
        self.gate("vm.password", &[host, vm]).await?;
        let (account, hash) = (account.to_string(), password_sha512.to_string());
        let mut inner = self.inner.lock();
        match inner.state.vms.get(vm) {
            Some(v) if v.host == host && v.state == "Running" => {}
            _ => return Err(ApiError::operation(format!("vm[uuid:{vm}] is not running on host[uuid:{host}]"))),
        }
        let mut v = inner.state.vms.get(vm).cloned().expect("checked above");
        v.passwords.insert(account, hash);
        Self::record(&mut inner, vec![Entry::Vm { uuid: vm.into(), vm: v }]);
        Ok(())
    }

    pub async fn vm_attach_volume(&self, host: &str, vm: &str, volume: &str) -> ApiResult<()> {
        self.gate("volume.attach", &[host, vm, volume]).await?;
        self.edit_vm(host, vm, |v| {
            if !v.volumes.iter().any(|x| x == volume) {
                v.volumes.push(volume.into());
            }
        })
    }

    pub async fn vm_detach_volume(&self, host: &str, vm: &str, volume: &str) -> ApiResult<()> {
        self.gate("volume.detach", &[host, vm, volume]).await?;
        self.edit_vm(host, vm, |v| v.volumes.retain(|x| x != volume))
    }

    fn edit_vm(&self, host: &str, vm: &str, f: impl FnOnce(&mut SimVm)) -> ApiResult<()> {
        let mut inner = self.inner.lock();
        let Some(mut v) = inner.state.vms.get(vm).cloned().filter(|v| v.host == host) else {
            return Err(ApiError::operation(format!("vm[uuid:{vm}] is not running on host[uuid:{host}]")));
        };
        f(&mut v);
        Self::record(&mut inner, vec![Entry::Vm { uuid: vm.into(), vm: v }]);
        Ok(())
    }

    pub fn vm_get(&self, vm: &str) -> Option<SimVm> {
        self.inner.lock().state.vms.get(vm).cloned()
    }

    pub fn vms(&self) -> HashMap<String, SimVm> {
        self.inner.lock().state.vms.clone()
    }

    pub async fn volume_create(&self, storage: &str, path: &str, size: i64) -> ApiResult<()> {
        self.gate("volume.create", &[storage, path]).await?;
        let mut inner = self.inner.lock();
        if inner.state.files.contains_key(&(storage.to_string(), path.to_string())) {
            return Err(ApiError::operation(format!("{path} already exists on primary storage[uuid:{storage}]")));
        }
        Self::record(&mut inner, vec![Entry::File { storage: storage.into(), path: path.into(), size }]);
        Ok(())
    }

    pub async fn volume_delete(&self, storage: &str, path: &str) -> ApiResult<()> {
        self.gate("volume.delete", &[storage, path]).await?;
        Self::record(&mut self.inner.lock(), vec![Entry::FileGone { storage: storage.into(), path: path.into() }]);
        Ok(())
    }

    pub fn files_on(&self, storage: &str) -> Vec<(String, i64)> {
        let inner = self.inner.lock();
        inner.state.files.iter().filter(|((s, _), _)| s == storage).map(|((_, p), size)| (p.clone(), *size)).collect()
    }

    pub fn file_count(&self) -> usize {
        self.inner.lock().state.files.len()
    }
}

/// `PUT` adds a fault (JSON `Fault`), `GET` lists them, `DELETE` clears them.
pub async fn http_faults(app: web::Data<crate::app::App>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let sim = &app.sim;
    match req.method().as_str() {
        "GET" => HttpResponse::Ok().json(sim.faults_list()),
        "DELETE" => {
            sim.faults_clear();
            HttpResponse::Ok().json(serde_json::json!({}))
        }
        "PUT" | "POST" => match serde_json::from_slice::<Fault>(&body) {
            Ok(f) if f.fail.is_some() || f.delay_ms.is_some() => {
                sim.fault_add(f);
                HttpResponse::Ok().json(sim.faults_list())
            }
            Ok(_) => HttpResponse::BadRequest().content_type("text/plain").body("a fault needs fail or delayMs"),
            Err(e) => HttpResponse::BadRequest().content_type("text/plain").body(format!("not a fault: {e}")),
        },
        _ => HttpResponse::MethodNotAllowed().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn state_survives_reopen_and_rules_hold() {
        let dir = std::env::temp_dir().join(format!("zs-sim-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let sim = Simulator::open(&dir).unwrap();
        sim.host_connect("h1", 4, 1 << 30).await.unwrap();
        sim.host_connect("h2", 4, 1 << 30).await.unwrap();
        assert!(sim.vm_start("nohost", "v1", 1, 1, vec![]).await.is_err());
        sim.vm_start("h1", "v1", 1, 1, vec![]).await.unwrap();
        assert!(sim.vm_start("h2", "v1", 1, 1, vec![]).await.is_err(), "a VM runs on one host");
        assert!(sim.vm_resume("h1", "v1").await.is_err(), "only a paused VM resumes");
        sim.vm_pause("h1", "v1").await.unwrap();
        sim.volume_create("ps", "/a", 10).await.unwrap();
        assert!(sim.volume_create("ps", "/a", 10).await.is_err());
        drop(sim);
        let sim = Simulator::open(&dir).unwrap();
        assert_eq!(sim.vm_get("v1").unwrap().state, "Paused");
        assert_eq!(sim.files_on("ps"), vec![("/a".to_string(), 10)]);
        sim.fault_add(Fault { op: "vm.stop".into(), target: Some("h1".into()), fail: Some("boom".into()), delay_ms: None, times: Some(1) });
        assert!(sim.vm_stop("h1", "v1").await.is_err());
        sim.vm_stop("h1", "v1").await.unwrap();
        assert!(sim.vm_get("v1").is_none());
        std::fs::remove_dir_all(&dir).ok();
    }
}
