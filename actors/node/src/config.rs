//! Global configurations (ZStack's GlobalConfigVO): category/name/value,
//! defaults seeded at first start, values read from memory and written
//! through. Only the knobs the node really honours are listed.

use crate::store::{str_of, Inventory, Store};
use crate::tables;
use parking_lot::RwLock;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use zstack_db::query::QueryOptions;
use zstack_kit::{ApiError, ApiResult};

pub struct ConfigDef {
    pub category: &'static str,
    pub name: &'static str,
    pub default: &'static str,
    pub description: &'static str,
    pub validate: fn(&str) -> bool,
    /// The values a client may choose from, when the set is closed.
    pub valid_values: &'static [&'static str],
}

fn positive_int(v: &str) -> bool {
    v.parse::<i64>().map(|n| n > 0).unwrap_or(false)
}
fn positive_float(v: &str) -> bool {
    v.parse::<f64>().map(|n| n > 0.0 && n.is_finite()).unwrap_or(false)
}
fn deletion_policy(v: &str) -> bool {
    matches!(v, "Direct" | "Delay" | "Never")
}

pub const CPU_OVERPROVISIONING: (&str, &str) = ("host", "cpu.overProvisioning.ratio");
pub const MEMORY_OVERPROVISIONING: (&str, &str) = ("mevoco", "overProvisioning.memory");
pub const VM_DELETION_POLICY: (&str, &str) = ("vm", "deletionPolicy");
pub const HOST_PING_INTERVAL: (&str, &str) = ("host", "ping.interval");
pub const KVM_AGENT_PORT: (&str, &str) = ("kvm", "agent.port");
pub const KVM_VM_STOP_TIMEOUT: (&str, &str) = ("kvm", "vm.stop.timeout");
pub const KVM_AGENT_DEPLOY_DIR: (&str, &str) = ("kvm", "agent.deployDir");
pub const CONSOLE_TOKEN_TIMEOUT: (&str, &str) = ("console", "token.timeout");
pub const HYBRID_ECS_STATUS_POLL_INTERVAL: (&str, &str) = ("hybrid", "ecs.status.poll.interval");

fn absolute_path(v: &str) -> bool {
    v.starts_with('/') && !v.contains("..") && !v.contains('\'')
}

fn port(v: &str) -> bool {
    v.parse::<u16>().map(|n| n > 0).unwrap_or(false)
}

pub static DEFS: &[ConfigDef] = &[
    ConfigDef {
        category: "host",
        name: "ping.interval",
        default: "60",
        description: "seconds between pings of each KVM host agent; a host whose ping fails is Disconnected and its VMs Unknown",
        validate: positive_int,
        valid_values: &[],
    },
    ConfigDef {
        category: "kvm",
        name: "agent.port",
        default: "7070",
        description: "the TCP port of zstack-agent on KVM hosts",
        validate: port,
        valid_values: &[],
    },
    ConfigDef {
        category: "console",
        name: "token.timeout",
        default: "600",
        description: "seconds a console token from RequestConsoleAccess stays valid",
        validate: positive_int,
        valid_values: &[],
    },
    ConfigDef {
        category: "hybrid",
        name: "ecs.status.poll.interval",
        default: "60",
        description: "seconds between polls of each DataCenter's ECS instance statuses on Alibaba Cloud; a changed status is recorded",
        validate: positive_int,
        valid_values: &[],
    },
    ConfigDef {
        category: "kvm",
        name: "agent.deployDir",
        default: "/usr/local/zstack-agent",
        description: "where AddKVMHost installs zstack-agent (binary, token, state) on a host that does not run it yet",
        validate: absolute_path,
        valid_values: &[],
    },
    ConfigDef {
        category: "kvm",
        name: "vm.stop.timeout",
        default: "30",
        description: "seconds a graceful stop waits for the guest to power off before the agent forces it",
        validate: positive_int,
        valid_values: &[],
    },
    ConfigDef {
        category: "host",
        name: "cpu.overProvisioning.ratio",
        default: "10",
        description: "vCPUs a host offers per physical CPU",
        validate: positive_int,
        valid_values: &[],
    },
    ConfigDef {
        category: "mevoco",
        name: "overProvisioning.memory",
        default: "1.0",
        description: "memory a host offers per byte of physical memory",
        validate: positive_float,
        valid_values: &[],
    },
    ConfigDef {
        category: "vm",
        name: "deletionPolicy",
        default: "Delay",
        description: "Direct expunges a VM on destroy; Delay keeps it Destroyed until expunged; Never keeps it",
        validate: deletion_policy,
        valid_values: &["Direct", "Delay", "Never"],
    },
];

#[derive(Clone)]
pub struct GlobalConfigs {
    store: Store,
    values: Arc<RwLock<HashMap<(String, String), Inventory>>>,
}

fn key(category: &str, name: &str) -> String {
    // A stable row uuid per (category, name).
    format!("{:032x}", fnv(&format!("{category}/{name}")))
}

fn fnv(s: &str) -> u128 {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in s.bytes() {
        h ^= b as u128;
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    h
}

impl GlobalConfigs {
    pub async fn load(store: Store) -> ApiResult<Self> {
        let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
        let rows = store.inv_query(&tables::GLOBAL_CONFIG, &[], &opts).await?;
        let mut values = HashMap::new();
        for r in rows {
            values.insert((str_of(&r, "category").unwrap_or("").to_string(), str_of(&r, "name").unwrap_or("").to_string()), r);
        }
        let mut missing = Vec::new();
        for d in DEFS {
            let k = (d.category.to_string(), d.name.to_string());
            if !values.contains_key(&k) {
                let inv = json!({"uuid": key(d.category, d.name), "category": d.category, "name": d.name, "description": d.description,
                    "defaultValue": d.default, "value": d.default});
                let inv = inv.as_object().unwrap().clone();
                missing.push(store.insert_stmt(&tables::GLOBAL_CONFIG, &inv));
                values.insert(k, inv);
            }
        }
        store.db.write(missing).await?;
        Ok(GlobalConfigs { store, values: Arc::new(RwLock::new(values)) })
    }

    pub fn get(&self, (category, name): (&str, &str)) -> String {
        self.values
            .read()
            .get(&(category.to_string(), name.to_string()))
            .and_then(|r| str_of(r, "value").map(String::from))
            .unwrap_or_default()
    }

    pub fn get_f64(&self, k: (&str, &str)) -> f64 {
        self.get(k).parse().unwrap_or(1.0)
    }

    pub async fn update(&self, category: &str, name: &str, value: &str) -> ApiResult<Inventory> {
        let def = DEFS.iter().find(|d| d.category == category && d.name == name).ok_or_else(|| {
            ApiError::invalid_argument(format!("no global config named [category:{category}, name:{name}]"))
        })?;
        if !(def.validate)(value) {
            return Err(ApiError::invalid_argument(format!("[{value}] is not a valid value of global config {category}.{name}")));
        }
        let mut inv = self.values.read().get(&(category.to_string(), name.to_string())).cloned().unwrap_or_default();
        inv.insert("value".into(), json!(value));
        self.store.inv_update(&tables::GLOBAL_CONFIG, &inv).await?;
        self.values.write().insert((category.to_string(), name.to_string()), inv.clone());
        Ok(inv)
    }
}

/// Run `round` in the background every `interval` seconds (a global config).
/// The setting is read every second, so a changed interval applies at once;
/// a round runs to its end before the next wait starts.
pub fn spawn_rounds<F, Fut>(app: crate::app::App, interval: (&'static str, &'static str), round: F)
where
    F: Fn(crate::app::App) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    actix_web::rt::spawn(async move {
        let mut waited = 0u64;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            waited += 1;
            let secs: u64 = app.configs.get(interval).parse().unwrap_or(60);
            if waited < secs {
                continue;
            }
            waited = 0;
            round(app.clone()).await;
        }
    });
}
