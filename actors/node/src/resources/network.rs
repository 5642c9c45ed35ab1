//! L2 and L3 networks. The L3 network's actor owns its address space: the
//! IP ranges and the set of used addresses, loaded at activation, so
//! allocation never races and never asks the database which IP is free.

use super::infra::{create_under, full_inventory, update};
use super::{new_inv, L2K, ZoneK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{i64_of, str_of, Inventory};
use crate::tables;
use futures::future::LocalBoxFuture;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::net::Ipv4Addr;
use zstack_kit::actor::{Cell, ResourceState};
use zstack_kit::{ApiError, ApiResult};

fn inv_reply(inv: Inventory) -> ApiResult<Reply> {
    Ok(Reply::Inventory(Value::Object(inv)))
}

// ---------- L2 ----------

async fn l2_create(app: App, req: Req, vlan: Option<i64>) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    if let Some(v) = vlan {
        if !(1..=4094).contains(&v) {
            return Err(ApiError::invalid_argument(format!("vlan[{v}] must be between 1 and 4094")));
        }
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "zoneUuid": zone,
        "physicalInterface": req.must("physicalInterface")?, "type": if vlan.is_some() { "L2VlanNetwork" } else { "L2NoVlanNetwork" },
        "vSwitchType": req.str("vSwitchType").unwrap_or("LinuxBridge"), "virtualNetworkId": vlan.unwrap_or(0), "vlan": vlan,
        "isolated": req.bool("isolated").unwrap_or(false)}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::L2_NETWORK, inv).await?;
    inv_reply(full_inventory(&app, &tables::L2_NETWORK, &uuid).await?)
}

pub async fn l2_create_novlan(app: App, req: Req) -> ApiResult<Reply> {
    l2_create(app, req, None).await
}

pub async fn l2_create_vlan(app: App, req: Req) -> ApiResult<Reply> {
    let vlan = req.int("vlan").ok_or_else(|| ApiError::invalid_argument("field[vlan] of message[APICreateL2VlanNetworkMsg] is mandatory"))?;
    l2_create(app, req, Some(vlan)).await
}

pub async fn l2_update(app: App, req: Req) -> ApiResult<Reply> {
    update(&app, &app.dirs().l2, &req, &[]).await
}

/// Attaching a VXLAN pool attaches its VXLAN networks with it; a VXLAN
/// network itself follows its pool and is not attached on its own.
pub async fn l2_attach_cluster(app: App, req: Req) -> ApiResult<Reply> {
    let l2 = req.must("l2NetworkUuid")?;
    let cluster = req.must("clusterUuid")?;
    let l2inv = super::read(&app.dirs().l2, &l2).await?;
    if str_of(&l2inv, "type") == Some(super::vxlan::NETWORK_TYPE) {
        let pool = str_of(&l2inv, "poolUuid").unwrap_or_default();
        return Err(ApiError::invalid_argument(format!("VXLAN network[uuid:{l2}] follows its pool: attach pool[uuid:{pool}] to the cluster instead")));
    }
    let c = app.store.inv_must(&tables::CLUSTER, &cluster).await?;
    if str_of(&c, "zoneUuid") != str_of(&l2inv, "zoneUuid") {
        return Err(ApiError::invalid_argument(format!("l2 network[uuid:{l2}] and cluster[uuid:{cluster}] are not in the same zone")));
    }
    if app.store.ref_find(&tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", &l2, "clusterUuid", &cluster).await?.is_some() {
        return Err(ApiError::operation(format!("l2 network[uuid:{l2}] is already attached to cluster[uuid:{cluster}]")));
    }
    for net in std::iter::once(l2.clone()).chain(super::vxlan::networks_of_pool(&app, &l2inv).await?) {
        let r = new_inv(json!({"uuid": new_uuid(), "l2NetworkUuid": net, "clusterUuid": cluster}));
        create_under::<L2K>(&app, &app.dirs().l2, &net, &tables::L2_NETWORK_CLUSTER_REF, r).await?;
    }
    inv_reply(full_inventory(&app, &tables::L2_NETWORK, &l2).await?)
}

/// Detaching an L2 network from a cluster detaches the NICs of that cluster's
/// VMs on the L2's L3 networks (ZStack's `l2Network.detach` cascade); a VXLAN
/// pool takes its VXLAN networks' attachments with it.
pub async fn l2_detach_cluster(app: App, req: Req) -> ApiResult<Reply> {
    let l2 = req.must("l2NetworkUuid")?;
    let cluster = req.must("clusterUuid")?;
    let Some(r) = app.store.ref_find(&tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", &l2, "clusterUuid", &cluster).await? else {
        return Err(ApiError::invalid_argument(format!("l2 network[uuid:{l2}] is not attached to cluster[uuid:{cluster}]")));
    };
    let l2inv = super::read(&app.dirs().l2, &l2).await?;
    if str_of(&l2inv, "type") == Some(super::vxlan::NETWORK_TYPE) {
        return Err(ApiError::invalid_argument(format!("VXLAN network[uuid:{l2}] follows its pool: detach the pool from the cluster instead")));
    }
    for net in super::vxlan::networks_of_pool(&app, &l2inv).await? {
        if let Some(vr) = app.store.ref_find(&tables::L2_NETWORK_CLUSTER_REF, "l2NetworkUuid", &net, "clusterUuid", &cluster).await? {
            detach_from_cluster(&app, &net, &cluster, str_of(&vr, "uuid").unwrap_or_default()).await?;
        }
    }
    detach_from_cluster(&app, &l2, &cluster, str_of(&r, "uuid").unwrap_or_default()).await?;
    inv_reply(full_inventory(&app, &tables::L2_NETWORK, &l2).await?)
}

async fn detach_from_cluster(app: &App, l2: &str, cluster: &str, ref_uuid: &str) -> ApiResult<()> {
    let l3s: HashSet<String> = app.store.inv_find(&tables::L3_NETWORK, "l2NetworkUuid", l2).await?.iter().filter_map(|l| str_of(l, "uuid").map(String::from)).collect();
    for vm in app.store.inv_find(&tables::VM_INSTANCE, "clusterUuid", cluster).await? {
        let vm_uuid = str_of(&vm, "uuid").unwrap_or_default().to_string();
        for nic in app.store.inv_find(&tables::VM_NIC, "vmInstanceUuid", &vm_uuid).await? {
            if l3s.contains(str_of(&nic, "l3NetworkUuid").unwrap_or_default()) {
                super::vm::nic_detach(app, &vm_uuid, str_of(&nic, "uuid").unwrap_or_default()).await?;
            }
        }
    }
    app.store.inv_delete(&tables::L2_NETWORK_CLUSTER_REF, ref_uuid).await?;
    app.dirs().placement.topology_changed();
    Ok(())
}

// ---------- L3 ----------

pub struct IpRange {
    pub uuid: String,
    pub start: u32,
    pub end: u32,
    pub netmask: String,
    pub gateway: String,
}

/// The L3 network actor's state: inventory, ranges and used addresses.
pub struct L3State {
    pub inv: Inventory,
    pub ranges: Vec<IpRange>,
    pub used: HashSet<u32>,
    pub gone: bool,
    cursor: u32,
}

impl ResourceState for L3State {
    type Env = App;
    const KIND: &'static str = "L3NetworkVO";

    fn activate(uuid: String, app: App) -> LocalBoxFuture<'static, ApiResult<Self>> {
        Box::pin(async move {
            let inv = app.store.inv_must(&tables::L3_NETWORK, &uuid).await?;
            let ranges = app.store.inv_find(&tables::IP_RANGE, "l3NetworkUuid", &uuid).await?.iter().filter_map(range_of).collect();
            let used = app
                .store
                .inv_find(&tables::USED_IP, "l3NetworkUuid", &uuid)
                .await?
                .iter()
                .map(|u| i64_of(u, "ipInLong") as u32)
                .collect();
            Ok(L3State { inv, ranges, used, gone: false, cursor: 0 })
        })
    }

    fn is_gone(&self) -> bool {
        self.gone
    }
}

fn range_of(r: &Inventory) -> Option<IpRange> {
    Some(IpRange {
        uuid: str_of(r, "uuid")?.to_string(),
        start: u32::from(str_of(r, "startIp")?.parse::<Ipv4Addr>().ok()?),
        end: u32::from(str_of(r, "endIp")?.parse::<Ipv4Addr>().ok()?),
        netmask: str_of(r, "netmask").unwrap_or_default().to_string(),
        gateway: str_of(r, "gateway").unwrap_or_default().to_string(),
    })
}

/// An address taken from an L3 network for a NIC.
#[derive(Debug, Clone)]
pub struct AllocatedIp {
    pub used_ip_uuid: String,
    pub ip: String,
    pub netmask: String,
    pub gateway: String,
}

impl L3State {
    fn is_gateway(&self, ip: u32) -> bool {
        self.ranges.iter().any(|r| r.gateway.parse::<Ipv4Addr>().map(u32::from) == Ok(ip))
    }

    fn pick(&mut self, wanted: Option<u32>) -> ApiResult<(u32, usize)> {
        let uuid = str_of(&self.inv, "uuid").unwrap_or_default().to_string();
        if let Some(ip) = wanted {
            let Some(idx) = self.ranges.iter().position(|r| r.start <= ip && ip <= r.end) else {
                return Err(ApiError::invalid_argument(format!("static ip[{}] is not in any ip range of l3 network[uuid:{uuid}]", Ipv4Addr::from(ip))));
            };
            if self.used.contains(&ip) || self.is_gateway(ip) {
                return Err(ApiError::operation(format!("ip[{}] of l3 network[uuid:{uuid}] is already in use", Ipv4Addr::from(ip))));
            }
            return Ok((ip, idx));
        }
        // Round-robin from the last allocation, as ZStack's default allocator does.
        for (idx, r) in self.ranges.iter().enumerate() {
            let size = r.end - r.start + 1;
            let offset = if self.cursor >= r.start && self.cursor <= r.end { self.cursor - r.start } else { 0 };
            for i in 0..size {
                let ip = r.start + (offset + i) % size;
                if !self.used.contains(&ip) && !self.is_gateway(ip) {
                    self.cursor = ip.wrapping_add(1);
                    return Ok((ip, idx));
                }
            }
        }
        Err(ApiError::new(("IP_ALLOCATION.1000", "No available IP"), format!("no free ip left in l3 network[uuid:{uuid}]")))
    }
}

/// Take an address (the static one if asked) and write the used-IP row.
pub async fn ip_allocate(app: &App, l3: &str, nic_uuid: &str, wanted: Option<String>) -> ApiResult<AllocatedIp> {
    let wanted = match wanted {
        Some(w) => Some(u32::from(w.parse::<Ipv4Addr>().map_err(|_| ApiError::invalid_argument(format!("static ip[{w}] is not an IPv4 address")))?)),
        None => None,
    };
    let store = app.store.clone();
    let a = app.clone();
    let nic = nic_uuid.to_string();
    let (ip, commit) = app
        .dirs()
        .l3
        .ask(l3, move |cell: Cell<L3State>| {
            Box::pin(async move {
                let mut s = cell.borrow_mut();
                if s.gone {
                    return Err(ApiError::not_found("L3NetworkVO", ""));
                }
                a.dirs().refuse_if_deleting(&[str_of(&s.inv, "uuid").unwrap_or_default()])?;
                if str_of(&s.inv, "state") != Some("Enabled") {
                    return Err(ApiError::operation(format!("l3 network[uuid:{}] is not Enabled", str_of(&s.inv, "uuid").unwrap_or_default())));
                }
                let (ip, idx) = s.pick(wanted)?;
                s.used.insert(ip);
                let r = &s.ranges[idx];
                let out = AllocatedIp { used_ip_uuid: new_uuid(), ip: Ipv4Addr::from(ip).to_string(), netmask: r.netmask.clone(), gateway: r.gateway.clone() };
                let row = new_inv(json!({"uuid": out.used_ip_uuid, "ipRangeUuid": r.uuid, "l3NetworkUuid": str_of(&s.inv, "uuid"), "ipVersion": 4,
                    "ip": out.ip, "netmask": out.netmask, "gateway": out.gateway, "usedFor": "Vip", "ipInLong": ip as i64, "vmNicUuid": nic}));
                let commit = store.db.submit(vec![store.insert_stmt(&tables::USED_IP, &row)]);
                Ok((out, Box::pin(commit) as super::PendingCommit))
            })
        })
        .await?;
    commit.await?;
    Ok(ip)
}

/// Give an address back (idempotent).
pub async fn ip_release(app: &App, l3: &str, used_ip_uuid: &str, ip: &str) -> ApiResult<()> {
    let store = app.store.clone();
    let (used, addr) = (used_ip_uuid.to_string(), ip.parse::<Ipv4Addr>().map(u32::from).ok());
    let commit = app
        .dirs()
        .l3
        .ask(l3, move |cell: Cell<L3State>| {
            Box::pin(async move {
                if let Some(a) = addr {
                    cell.borrow_mut().used.remove(&a);
                }
                Ok(Box::pin(store.db.submit(vec![store.delete_stmt(&tables::USED_IP, "uuid", &used)]))
                    as super::PendingCommit)
            })
        })
        .await;
    match commit {
        Ok(c) => c.await,
        // The network is gone: its used-IP rows went with it.
        Err(_) => app.store.db.write(vec![app.store.delete_stmt(&tables::USED_IP, "uuid", used_ip_uuid)]).await,
    }
}

pub async fn l3_create(app: App, req: Req) -> ApiResult<Reply> {
    let l2 = req.must("l2NetworkUuid")?;
    let l2inv = super::read(&app.dirs().l2, &l2).await?;
    if str_of(&l2inv, "type") == Some(super::vxlan::POOL_TYPE) {
        return Err(ApiError::invalid_argument(format!("l2 network[uuid:{l2}] is a VXLAN pool: create a VXLAN network in it and put the L3 network there")));
    }
    let category = req.str("category").unwrap_or("Private");
    if !matches!(category, "Public" | "Private" | "System") {
        return Err(ApiError::invalid_argument(format!("category[{category}] must be Public, Private or System")));
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "type": req.str("type").unwrap_or("L3BasicNetwork"),
        "zoneUuid": str_of(&l2inv, "zoneUuid"), "l2NetworkUuid": l2, "state": "Enabled", "dnsDomain": req.str("dnsDomain"), "system": req.bool("system").unwrap_or(false),
        "category": category, "ipVersion": req.int("ipVersion").unwrap_or(4), "enableIPAM": req.bool("enableIPAM").unwrap_or(true), "isolated": false}));
    create_under::<L2K>(&app, &app.dirs().l2, &l2, &tables::L3_NETWORK, inv).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &uuid).await?)
}

/// Run a mutation of the L3 inventory on its actor and write it through.
async fn l3_mutate(app: &App, uuid: &str, f: impl FnOnce(&mut L3State) -> ApiResult<Vec<zstack_db::Stmt>> + Send + 'static) -> ApiResult<()> {
    let store = app.store.clone();
    app.dirs()
        .l3
        .ask(uuid, move |cell: Cell<L3State>| {
            Box::pin(async move {
                let stmts = {
                    let mut s = cell.borrow_mut();
                    let mut stmts = f(&mut s)?;
                    s.inv.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                    stmts.push(store.update_stmt(&tables::L3_NETWORK, &s.inv));
                    stmts
                };
                store.db.write(stmts).await
            })
        })
        .await
}

pub async fn l3_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let params = req.params.clone();
    l3_mutate(&app, &uuid, move |s| {
        super::apply_update(&mut s.inv, &params, &["system", "dnsDomain", "category"]);
        Ok(vec![])
    })
    .await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &uuid).await?)
}

pub async fn l3_change_state(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let next = super::next_enable_state("L3NetworkVO", &uuid, &req.must("stateEvent")?)?;
    l3_mutate(&app, &uuid, move |s| {
        s.inv.insert("state".into(), json!(next));
        Ok(vec![])
    })
    .await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &uuid).await?)
}

fn parse_ip(field: &str, s: &str) -> ApiResult<u32> {
    s.parse::<Ipv4Addr>().map(u32::from).map_err(|_| ApiError::invalid_argument(format!("{field}[{s}] is not an IPv4 address")))
}

fn mask_to_prefix(mask: u32) -> Option<u32> {
    let p = mask.leading_ones();
    (mask.checked_shl(p).unwrap_or(0) == 0).then_some(p)
}

async fn ip_range_add_checked(app: &App, req: &Req, l3: String, start: u32, end: u32, mask: u32, gateway: Option<u32>) -> ApiResult<Inventory> {
    let prefix = mask_to_prefix(mask).ok_or_else(|| ApiError::invalid_argument(format!("netmask[{}] is not a valid netmask", Ipv4Addr::from(mask))))?;
    if start > end {
        return Err(ApiError::invalid_argument(format!("startIp[{}] is after endIp[{}]", Ipv4Addr::from(start), Ipv4Addr::from(end))));
    }
    if start & mask != end & mask {
        return Err(ApiError::invalid_argument("startIp and endIp are not in the same subnet of the netmask"));
    }
    let gw = gateway.unwrap_or((start & mask) + 1);
    if gw & mask != start & mask {
        return Err(ApiError::invalid_argument(format!("gateway[{}] is not in the subnet of the range", Ipv4Addr::from(gw))));
    }
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "l3NetworkUuid": l3, "name": req.must("name")?, "description": req.str("description"),
        "startIp": Ipv4Addr::from(start).to_string(), "endIp": Ipv4Addr::from(end).to_string(), "netmask": Ipv4Addr::from(mask).to_string(),
        "gateway": Ipv4Addr::from(gw).to_string(), "networkCidr": format!("{}/{prefix}", Ipv4Addr::from(start & mask)), "ipVersion": 4,
        "prefixLen": prefix, "ipRangeType": req.str("ipRangeType").unwrap_or("Normal")}));
    let store = app.store.clone();
    let row = inv.clone();
    l3_mutate(app, &l3, move |s| {
        if let Some(r) = s.ranges.iter().find(|r| !(end < r.start || start > r.end)) {
            return Err(ApiError::invalid_argument(format!(
                "the ip range[{} - {}] overlaps the existing range[uuid:{}]",
                Ipv4Addr::from(start),
                Ipv4Addr::from(end),
                r.uuid
            )));
        }
        s.ranges.push(range_of(&row).expect("a range we just built"));
        Ok(vec![store.insert_stmt(&tables::IP_RANGE, &row)])
    })
    .await?;
    Ok(inv)
}

pub async fn ip_range_add(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let start = parse_ip("startIp", &req.must("startIp")?)?;
    let end = parse_ip("endIp", &req.must("endIp")?)?;
    let mask = parse_ip("netmask", &req.must("netmask")?)?;
    let gateway = match req.str("gateway") {
        Some(g) => Some(parse_ip("gateway", g)?),
        None => None,
    };
    inv_reply(ip_range_add_checked(&app, &req, l3, start, end, mask, gateway).await?)
}

pub async fn ip_range_add_by_cidr(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let cidr = req.must("networkCidr")?;
    let bad = || ApiError::invalid_argument(format!("networkCidr[{cidr}] is not a valid IPv4 CIDR"));
    let (net, prefix) = cidr.split_once('/').ok_or_else(bad)?;
    let prefix: u32 = prefix.parse().map_err(|_| bad())?;
    if !(8..=30).contains(&prefix) {
        return Err(bad());
    }
    let mask = u32::MAX << (32 - prefix);
    let net = parse_ip("networkCidr", net)? & mask;
    let gateway = match req.str("gateway") {
        Some(g) => parse_ip("gateway", g)?,
        None => net + 1,
    };
    let (start, end) = (net + 1, (net | !mask) - 1);
    let inv = ip_range_add_checked(&app, &req, l3, start, end, mask, Some(gateway)).await?;
    let mut m = serde_json::Map::new();
    m.insert("inventories".into(), json!([inv]));
    Ok(Reply::Fields(m))
}

pub async fn ip_range_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(range) = app.store.inv_get(&tables::IP_RANGE, &uuid).await? else { return Ok(Reply::Empty) };
    let l3 = str_of(&range, "l3NetworkUuid").unwrap_or_default().to_string();
    // NICs holding addresses of the range are detached first (ZStack's IpRange cascade).
    for used in app.store.inv_find(&tables::USED_IP, "ipRangeUuid", &uuid).await? {
        if let Some(nic) = str_of(&used, "vmNicUuid") {
            if let Some(n) = app.store.inv_get(&tables::VM_NIC, nic).await? {
                super::vm::nic_detach(&app, str_of(&n, "vmInstanceUuid").unwrap_or_default(), nic).await?;
            }
        }
    }
    let store = app.store.clone();
    l3_mutate(&app, &l3, move |s| {
        s.ranges.retain(|r| r.uuid != uuid);
        Ok(vec![store.delete_stmt(&tables::USED_IP, "ipRangeUuid", &uuid), store.delete_stmt(&tables::IP_RANGE, "uuid", &uuid)])
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn dns_add(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let dns = req.must("dns")?;
    dns.parse::<std::net::IpAddr>().map_err(|_| ApiError::invalid_argument(format!("dns[{dns}] is not an IP address")))?;
    let existing = app.store.inv_find(&tables::L3_DNS, "l3NetworkUuid", &l3).await?;
    if existing.iter().any(|d| str_of(d, "dns") == Some(dns.as_str())) {
        return Err(ApiError::operation(format!("dns[{dns}] already exists on l3 network[uuid:{l3}]")));
    }
    let store = app.store.clone();
    let row = new_inv(json!({"uuid": new_uuid(), "l3NetworkUuid": l3, "dns": dns}));
    l3_mutate(&app, &l3, move |_| Ok(vec![store.insert_stmt(&tables::L3_DNS, &row)])).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)
}

pub async fn dns_remove(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let dns = req.must("dns")?;
    let rows = app.store.inv_find(&tables::L3_DNS, "l3NetworkUuid", &l3).await?;
    let store = app.store.clone();
    let doomed: Vec<String> = rows.iter().filter(|d| str_of(d, "dns") == Some(dns.as_str())).filter_map(|d| str_of(d, "uuid").map(String::from)).collect();
    l3_mutate(&app, &l3, move |_| Ok(doomed.iter().map(|u| store.delete_stmt(&tables::L3_DNS, "uuid", u)).collect())).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)
}

/// The providers a node offers: the flat network provider's services.
pub const FLAT_PROVIDER_UUID: &str = "f1a7f1a7f1a7f1a7f1a7f1a7f1a7f1a7";
const SERVICES: &[&str] = &["DHCP", "DNS", "Userdata", "SecurityGroup", "Eip", "HostRoute", "VipQos"];

/// `networkServices` is a map provider uuid -> list of service types.
pub async fn network_service_attach(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let services = req.params.get("networkServices").and_then(|v| v.as_object()).cloned().ok_or_else(|| {
        ApiError::invalid_argument("networkServices must be a map of network service provider uuid to service types")
    })?;
    let mut rows = Vec::new();
    let existing: BTreeSet<String> = app
        .store
        .inv_find(&tables::NETWORK_SERVICE_REF, "l3NetworkUuid", &l3)
        .await?
        .iter()
        .filter_map(|r| str_of(r, "networkServiceType").map(String::from))
        .collect();
    for (provider, types) in services {
        let types: Vec<String> = serde_json::from_value(types).map_err(|_| ApiError::invalid_argument("network service types must be strings"))?;
        for t in types {
            if !SERVICES.contains(&t.as_str()) {
                return Err(ApiError::invalid_argument(format!("network service type[{t}] is not provided by provider[uuid:{provider}]")));
            }
            if existing.contains(&t) {
                continue;
            }
            rows.push(json!({"uuid": new_uuid(), "l3NetworkUuid": l3, "networkServiceProviderUuid": provider, "networkServiceType": t}));
        }
    }
    let store = app.store.clone();
    l3_mutate(&app, &l3, move |_| Ok(rows.iter().map(|r| store.insert_stmt(&tables::NETWORK_SERVICE_REF, r.as_object().unwrap())).collect())).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)
}

pub async fn network_service_providers(_app: App, _req: Req) -> ApiResult<Reply> {
    let p = json!({"uuid": FLAT_PROVIDER_UUID, "name": "Flat Network Service Provider", "type": "Flat", "networkServiceTypes": SERVICES});
    Ok(Reply::Inventories { items: vec![p], total: None, class: "org.zstack.header.network.service.NetworkServiceProviderInventory" })
}

/// `GetIpAddressCapacity` for L3 networks, IP ranges or zones.
pub async fn ip_capacity(app: App, req: Req) -> ApiResult<Reply> {
    let mut l3s: Vec<String> = req.list("l3NetworkUuids");
    for z in req.list("zoneUuids") {
        l3s.extend(app.store.inv_find(&tables::L3_NETWORK, "zoneUuid", &z).await?.iter().filter_map(|l| str_of(l, "uuid").map(String::from)));
    }
    if req.bool("all").unwrap_or(false) {
        let opts = zstack_db::query::QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
        l3s.extend(app.store.inv_query(&tables::L3_NETWORK, &[], &opts).await?.iter().filter_map(|l| str_of(l, "uuid").map(String::from)));
    }
    let ranges = app.store.inv_where_in(&tables::IP_RANGE, "l3NetworkUuid", &l3s).await?;
    let total: i64 = ranges.iter().filter_map(range_of).map(|r| (r.end - r.start + 1) as i64).sum();
    let used = app.store.inv_count(&tables::USED_IP, &[zstack_db::query::Condition { name: "l3NetworkUuid".into(), op: zstack_db::query::Op::In, value: Some(l3s.join(",")) }]).await?;
    let mut m = serde_json::Map::new();
    m.insert("totalCapacity".into(), json!(total));
    m.insert("availableCapacity".into(), json!(total - used));
    m.insert("usedIpAddressNumber".into(), json!(used));
    m.insert("success".into(), json!(true));
    Ok(Reply::Fields(m))
}

pub async fn l3_network_types(_app: App, _req: Req) -> ApiResult<Reply> {
    let mut m = serde_json::Map::new();
    m.insert("types".into(), json!(["L3BasicNetwork"]));
    Ok(Reply::Fields(m))
}

pub async fn free_ip(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    let limit = req.int("limit").unwrap_or(100).max(0) as usize;
    let free = app
        .dirs()
        .l3
        .ask(&l3, move |cell: Cell<L3State>| {
            Box::pin(async move {
                let s = cell.borrow();
                let mut out = Vec::new();
                'ranges: for r in &s.ranges {
                    for ip in r.start..=r.end {
                        if out.len() >= limit {
                            break 'ranges;
                        }
                        if !s.used.contains(&ip) && !s.is_gateway(ip) {
                            out.push(json!({"ipRangeUuid": r.uuid, "ip": Ipv4Addr::from(ip).to_string(), "netmask": r.netmask, "gateway": r.gateway}));
                        }
                    }
                }
                Ok(out)
            })
        })
        .await?;
    Ok(Reply::Inventories { items: free, total: None, class: "org.zstack.header.network.l3.FreeIpInventory" })
}

pub async fn l3_read(app: &App, uuid: &str) -> ApiResult<Inventory> {
    app.dirs().l3.ask(uuid, |cell: Cell<L3State>| Box::pin(async move { Ok(cell.borrow().inv.clone()) })).await
}

// ---------- host routes ----------

fn valid_cidr(s: &str) -> bool {
    match s.split_once('/') {
        Some((ip, len)) => ip.parse::<Ipv4Addr>().is_ok() && len.parse::<u8>().map(|l| l <= 32).unwrap_or(false),
        None => false,
    }
}

pub async fn host_route_add(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    add_host_route(&app, &l3, &req.must("prefix")?, &req.must("nexthop")?).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)
}

/// A host route (served to the L3's VMs by DHCP) to `prefix` through `nexthop`; one per prefix.
pub async fn add_host_route(app: &App, l3: &str, prefix: &str, nexthop: &str) -> ApiResult<()> {
    if !valid_cidr(prefix) {
        return Err(ApiError::invalid_argument(format!("prefix[{prefix}] is not an IPv4 CIDR")));
    }
    nexthop.parse::<Ipv4Addr>().map_err(|_| ApiError::invalid_argument(format!("nexthop[{nexthop}] is not an IPv4 address")))?;
    let existing = app.store.inv_find(&tables::L3_HOST_ROUTE, "l3NetworkUuid", l3).await?;
    if existing.iter().any(|r| str_of(r, "prefix") == Some(prefix)) {
        return Err(ApiError::operation(format!("l3 network[uuid:{l3}] already has a route to {prefix}")));
    }
    let store = app.store.clone();
    let row = new_inv(json!({"uuid": new_uuid(), "l3NetworkUuid": l3, "prefix": prefix, "nexthop": nexthop}));
    l3_mutate(app, l3, move |_| Ok(vec![store.insert_stmt(&tables::L3_HOST_ROUTE, &row)])).await
}

pub async fn host_route_remove(app: App, req: Req) -> ApiResult<Reply> {
    let l3 = req.must("l3NetworkUuid")?;
    remove_host_route(&app, &l3, &req.must("prefix")?).await?;
    inv_reply(full_inventory(&app, &tables::L3_NETWORK, &l3).await?)
}

/// Remove the L3's host routes to `prefix` (none is no error).
pub async fn remove_host_route(app: &App, l3: &str, prefix: &str) -> ApiResult<()> {
    let rows = app.store.inv_find(&tables::L3_HOST_ROUTE, "l3NetworkUuid", l3).await?;
    let store = app.store.clone();
    let doomed: Vec<String> = rows.iter().filter(|r| str_of(r, "prefix") == Some(prefix)).filter_map(|r| str_of(r, "uuid").map(String::from)).collect();
    l3_mutate(app, l3, move |_| Ok(doomed.iter().map(|u| store.delete_stmt(&tables::L3_HOST_ROUTE, "uuid", u)).collect())).await
}
