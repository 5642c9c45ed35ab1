//! Adding, reconnecting and updating KVM hosts. Connecting a host follows
//! ZStack's connect chain in short: echo the agent, `/host/connect` (which
//! also establishes the agent's token on first contact), collect facts, read
//! capacity. A host whose connect fails is not added.

use super::{agent_port, AgentClient, KvmHosts, QUICK};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::resources::infra::create_under;
use crate::resources::{mutate, new_inv, read, ClusterK};
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use serde_json::{json, Value};
use zstack_agent_proto::{paths, AgentResponse, ConnectCmd, ConnectResponse, EchoCmd, HostCapacityCmd, HostCapacityResponse, HostFactCmd, HostFactResponse};
use zstack_kit::{ApiError, ApiResult};

/// Memory the hypervisor keeps for itself (ZStack's `kvm.reservedMemory`).
const RESERVED_MEMORY: i64 = 1 << 30;

/// What a connect learns about a host.
pub struct HostFacts {
    pub cpu_num: i64,
    pub cpu_sockets: i64,
    pub total_memory: i64,
    pub fields: Vec<(&'static str, Value)>,
    pub tags: Vec<String>,
}

pub async fn connect(app: &App, agent: &AgentClient) -> ApiResult<HostFacts> {
    let echo: Result<AgentResponse, _> = agent.call(paths::HOST_ECHO, &EchoCmd {}, QUICK).await;
    echo.map_err(|e| e.wrap(zstack_kit::error::codes::OPERATION, format!("cannot reach zstack-agent on host[uuid:{}]", agent.host_uuid)))?;
    let send_command_url = format!("http://{}/zstack/asyncrest/sendcommand", app.settings.listen);
    let cmd = ConnectCmd { host_uuid: agent.host_uuid.clone(), send_command_url: Some(send_command_url), version: Some(env!("CARGO_PKG_VERSION").into()), ..Default::default() };
    let conn: ConnectResponse = agent.call(paths::HOST_CONNECT, &cmd, QUICK).await?;
    let fact: HostFactResponse = agent.call(paths::HOST_FACT, &HostFactCmd {}, QUICK).await?;
    let cap: HostCapacityResponse = agent.call(paths::HOST_CAPACITY, &HostCapacityCmd {}, QUICK).await?;
    let virt = serde_json::to_value(&fact).ok().and_then(|v| v.get("virtualizationType").cloned()).unwrap_or(Value::Null);
    let mut tags = Vec::new();
    let mut tag = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            tags.push(format!("{k}::{v}"));
        }
    };
    tag("libvirt::version", &conn.libvirt_version.or(fact.libvirt_version.clone()));
    tag("qemu-img::version", &fact.qemu_img_version);
    tag("cpuModelName", &fact.cpu_model_name);
    tag("os::distribution", &fact.os_distribution);
    if let Some(v) = virt.as_str() {
        tags.push(format!("virtualizationType::{v}"));
    }
    Ok(HostFacts {
        cpu_num: cap.cpu_num as i64,
        cpu_sockets: cap.cpu_sockets.max(1) as i64,
        total_memory: cap.total_memory as i64,
        fields: vec![
            ("osDistribution", json!(fact.os_distribution)),
            ("osRelease", json!(fact.os_release)),
            ("osVersion", json!(fact.os_version)),
            ("architecture", json!(fact.cpu_architecture)),
            ("cpuModelName", json!(fact.cpu_model_name)),
            ("virtualizationType", virt),
        ],
        tags,
    })
}

fn capacity_fields(app: &App, facts: &HostFacts) -> Vec<(&'static str, Value)> {
    let ratio: i64 = app.configs.get(crate::config::CPU_OVERPROVISIONING).parse().unwrap_or(10);
    let mem_ratio = app.configs.get_f64(crate::config::MEMORY_OVERPROVISIONING);
    let memory = ((facts.total_memory - RESERVED_MEMORY).max(0) as f64 * mem_ratio) as i64;
    vec![
        ("cpuNum", json!(facts.cpu_num)),
        ("cpuSockets", json!(facts.cpu_sockets)),
        ("totalCpuCapacity", json!(facts.cpu_num * ratio)),
        ("totalMemoryCapacity", json!(memory)),
        ("totalPhysicalMemory", json!(facts.total_memory)),
    ]
}

pub async fn kvm_host_add(app: App, req: Req) -> ApiResult<Reply> {
    let cluster_uuid = req.must("clusterUuid")?;
    let cluster = app.store.inv_must(&tables::CLUSTER, &cluster_uuid).await?;
    if str_of(&cluster, "hypervisorType") != Some("KVM") {
        return Err(ApiError::invalid_argument(format!("cluster[uuid:{cluster_uuid}] is not a KVM cluster")));
    }
    let ip = req.must("managementIp")?;
    if ip.parse::<std::net::IpAddr>().is_err() && !ip.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(ApiError::invalid_argument(format!("managementIp[{ip}] is neither an IP address nor a host name")));
    }
    if !app.store.inv_find(&tables::HOST, "managementIp", &ip).await?.is_empty() {
        return Err(ApiError::invalid_argument(format!("there has been a host having managementIp[{ip}]")));
    }
    let username = req.str("username").unwrap_or("root").to_string();
    let ssh_port = req.int("sshPort").unwrap_or(22);
    if !(1..=65535).contains(&ssh_port) {
        return Err(ApiError::invalid_argument(format!("sshPort[{ssh_port}] must be between 1 and 65535")));
    }
    let uuid = req.resource_uuid()?;
    let token = crate::identity::random_token();
    let port = agent_port(&app);
    let agent = AgentClient::new(&uuid, &ip, port, &token);
    // A host that runs no agent yet gets one over SSH.
    if !answers_echo(&agent).await {
        let dir = app.configs.get(crate::config::KVM_AGENT_DEPLOY_DIR);
        let target = super::deploy::SshTarget { ip: &ip, port: ssh_port, username: &username, password: req.str("password") };
        super::deploy::deploy(&app, target, port, &token, &dir).await.map_err(|e| e.wrap(zstack_kit::error::codes::OPERATION, format!("failed to add KVM host[managementIp:{ip}]: zstack-agent does not answer on port {port} and could not be deployed over SSH")))?;
        let t = std::time::Instant::now();
        while !answers_echo(&agent).await && t.elapsed() < std::time::Duration::from_secs(30) {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
    let facts = connect(&app, &agent).await.map_err(|e| e.wrap(zstack_kit::error::codes::OPERATION, format!("failed to add KVM host[managementIp:{ip}]")))?;
    let mut inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "zoneUuid": str_of(&cluster, "zoneUuid"),
        "clusterUuid": cluster_uuid, "managementIp": ip, "hypervisorType": "KVM", "state": "Enabled", "status": "Connected",
        "username": username, "sshPort": ssh_port}));
    for (k, v) in capacity_fields(&app, &facts).into_iter().chain(facts.fields.clone()) {
        if !v.is_null() {
            inv.insert(k.into(), v);
        }
    }
    inv.insert("availableCpuCapacity".into(), inv["totalCpuCapacity"].clone());
    inv.insert("availableMemoryCapacity".into(), inv["totalMemoryCapacity"].clone());
    let secret = new_inv(json!({"uuid": uuid, "username": username, "sshPort": ssh_port, "agentPort": port, "token": token, "password": req.str("password")}));
    app.store.inv_insert(&tables::KVM_HOST, &secret).await?;
    if let Err(e) = create_under::<ClusterK>(&app, &app.dirs().cluster, &str_of(&inv, "clusterUuid").unwrap_or_default().to_string(), &tables::HOST, inv.clone()).await {
        app.store.inv_delete(&tables::KVM_HOST, &uuid).await?;
        return Err(e);
    }
    let mut system_tags = facts.tags.clone();
    system_tags.extend(req.system_tags.iter().cloned());
    let tag_req = Req { system_tags, ..req };
    crate::resources::compute::tags_create(&app, &uuid, "HostVO", &tag_req).await?;
    app.kvm.register(agent);
    crate::kvm::local_storage::host_joined(&app, &inv).await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}

async fn answers_echo(agent: &AgentClient) -> bool {
    let r: ApiResult<AgentResponse> = agent.call(paths::HOST_ECHO, &EchoCmd {}, std::time::Duration::from_secs(2)).await;
    r.is_ok()
}

/// Reconnect: connect again and take the capacity the agent reports now.
pub async fn reconnect(app: &App, uuid: &str) -> ApiResult<Inventory> {
    let agent = app.kvm.agent(uuid).ok_or_else(|| ApiError::not_found("KVMHostVO", uuid))?;
    let facts = match connect(app, &agent).await {
        Ok(f) => f,
        Err(e) => {
            super::tracker::mark_disconnected(app, uuid, &e.details).await?;
            return Err(e);
        }
    };
    let fields = capacity_fields(app, &facts);
    let inv = mutate(app, &app.dirs().host, uuid, move |s| {
        let used_cpu = i64_of(&s.inv, "totalCpuCapacity") - i64_of(&s.inv, "availableCpuCapacity");
        let used_mem = i64_of(&s.inv, "totalMemoryCapacity") - i64_of(&s.inv, "availableMemoryCapacity");
        for (k, v) in fields {
            s.set(k, v);
        }
        let (cpu, mem) = (i64_of(&s.inv, "totalCpuCapacity") - used_cpu, i64_of(&s.inv, "totalMemoryCapacity") - used_mem);
        s.set("availableCpuCapacity", json!(cpu));
        s.set("availableMemoryCapacity", json!(mem));
        s.set("status", json!("Connected"));
        Ok(s.inv.clone())
    })
    .await?;
    super::tracker::sync_vms(app, uuid).await?;
    Ok(inv)
}

pub async fn kvm_host_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    if !app.kvm.is_kvm(&uuid) {
        return Err(ApiError::invalid_argument(format!("host[uuid:{uuid}] is not a KVM host")));
    }
    let mut secret = app.store.inv_must(&tables::KVM_HOST, &uuid).await?;
    if let Some(p) = req.int("sshPort") {
        if !(1..=65535).contains(&p) {
            return Err(ApiError::invalid_argument(format!("sshPort[{p}] must be between 1 and 65535")));
        }
    }
    for f in ["username", "password", "sshPort"] {
        if let Some(v) = req.params.get(f).filter(|v| !v.is_null()) {
            secret.insert(f.into(), v.clone());
        }
    }
    app.store.inv_update(&tables::KVM_HOST, &secret).await?;
    let params = req.params.clone();
    let inv = mutate(&app, &app.dirs().host, &uuid, move |s| {
        crate::resources::apply_update(&mut s.inv, &params, &["username", "sshPort"]);
        Ok(s.inv.clone())
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}

/// `ChangeHostPassword`: the SSH password the node keeps for the host.
pub async fn host_change_password(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("hostUuid")?;
    let password = req.must("password")?;
    let mut secret = app.store.inv_get(&tables::KVM_HOST, &uuid).await?.ok_or_else(|| ApiError::invalid_argument(format!("host[uuid:{uuid}] is not a KVM host")))?;
    secret.insert("password".into(), json!(password));
    app.store.inv_update(&tables::KVM_HOST, &secret).await?;
    Ok(Reply::Inventory(Value::Object(read(&app.dirs().host, &uuid).await?)))
}

impl KvmHosts {
    /// Removing a host from the node (host deletion).
    pub async fn host_removed(&self, app: &App, uuid: &str) -> ApiResult<()> {
        if self.is_kvm(uuid) {
            self.forget(uuid);
            app.store.inv_delete(&tables::KVM_HOST, uuid).await?;
        }
        Ok(())
    }
}
