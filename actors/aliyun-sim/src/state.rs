//! Everything the simulated cloud holds, in one `SimState` behind one mutex: regions and
//! zones (fixed catalog), VPCs, VSwitches, route tables, ECS instances, disks and their
//! snapshots, security groups, EIPs, images, VPN objects, border routers, OSS buckets, ClientToken answers.
//!
//! Status transitions are lazy: a resource in a transitional status carries the statuses
//! still ahead of it, and [`SimState::settle`] advances them by the clock before every
//! request, one step per `transition_step`. No timer threads; a test that sets the step
//! to zero sees every transition done by its next call, and one that advances the
//! clock sees exactly the steps that time covers.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cidr::Cidr;

pub struct RegionInfo {
    pub region_id: &'static str,
    pub local_name: &'static str,
    pub zones: &'static [&'static str],
}

/// The regions and zones the simulator offers.
pub const REGIONS: &[RegionInfo] = &[
    RegionInfo {
        region_id: "cn-hangzhou",
        local_name: "华东1（杭州）",
        zones: &[
            "cn-hangzhou-h",
            "cn-hangzhou-i",
            "cn-hangzhou-j",
            "cn-hangzhou-k",
        ],
    },
    RegionInfo {
        region_id: "cn-shanghai",
        local_name: "华东2（上海）",
        zones: &["cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-g"],
    },
    RegionInfo {
        region_id: "cn-beijing",
        local_name: "华北2（北京）",
        zones: &["cn-beijing-g", "cn-beijing-h", "cn-beijing-i"],
    },
    RegionInfo {
        region_id: "us-west-1",
        local_name: "美国（硅谷）",
        zones: &["us-west-1a", "us-west-1b"],
    },
];

pub fn region(region_id: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|r| r.region_id == region_id)
}

pub fn zone_region(zone_id: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|r| r.zones.contains(&zone_id))
}

/// Instance types: (name, vCPUs, memory MiB).
pub const INSTANCE_TYPES: &[(&str, i64, i64)] = &[
    ("ecs.t5-lc1m1.small", 1, 1024),
    ("ecs.c6.large", 2, 4096),
    ("ecs.g6.large", 2, 8192),
    ("ecs.g6.xlarge", 4, 16384),
    ("ecs.g7.large", 2, 8192),
    ("ecs.r6.large", 2, 16384),
];

pub const DISK_CATEGORIES: &[&str] = &[
    "cloud",
    "cloud_efficiency",
    "cloud_ssd",
    "cloud_essd",
    "cloud_auto",
];

/// Public images every region offers: (id, OS name, OS type, platform, size GiB).
pub const SYSTEM_IMAGES: &[(&str, &str, &str, &str, i64)] = &[
    (
        "ubuntu_22_04_x64_20G_alibase_20230907.vhd",
        "Ubuntu  22.04 64位",
        "linux",
        "Ubuntu",
        20,
    ),
    (
        "centos_7_9_x64_20G_alibase_20230815.vhd",
        "CentOS  7.9 64位",
        "linux",
        "CentOS",
        20,
    ),
    (
        "aliyun_3_x64_20G_alibase_20230727.vhd",
        "Alibaba Cloud Linux  3.2104 LTS 64位",
        "linux",
        "Aliyun",
        20,
    ),
    (
        "win2022_21H2_x64_dtc_en-us_40G_alibase_20230915.vhd",
        "Windows Server  2022 数据中心版 64位英文版",
        "windows",
        "Windows Server 2022",
        40,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceStatus {
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
}

impl InstanceStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Starting => "Starting",
            Self::Running => "Running",
            Self::Stopping => "Stopping",
            Self::Stopped => "Stopped",
        }
    }
}

/// A status and the statuses still ahead of it, one per transition step.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition<S> {
    pub current: S,
    pub ahead: VecDeque<S>,
    /// When `current` was entered.
    pub since: DateTime<Utc>,
}

impl<S: Copy> Transition<S> {
    pub fn settled(status: S, now: DateTime<Utc>) -> Self {
        Self {
            current: status,
            ahead: VecDeque::new(),
            since: now,
        }
    }

    /// Enters `first` now, then each of `then` one step apart.
    pub fn start(&mut self, first: S, then: &[S], now: DateTime<Utc>) {
        self.current = first;
        self.ahead = then.iter().copied().collect();
        self.since = now;
    }

    pub fn settle(&mut self, now: DateTime<Utc>, step: chrono::Duration) {
        while let Some(next) = self.ahead.front().copied() {
            if now - self.since < step {
                break;
            }
            self.since += step;
            self.current = next;
            self.ahead.pop_front();
        }
    }

    pub fn is_settled(&self) -> bool {
        self.ahead.is_empty()
    }
}

/// Statuses named as the service spells them (border routers, router interfaces).
impl Transition<&'static str> {
    pub fn as_str(&self) -> &'static str {
        self.current
    }
}

#[derive(Debug, Clone)]
pub struct EcsInstance {
    pub id: String,
    pub name: String,
    pub description: String,
    pub host_name: String,
    pub region_id: String,
    pub zone_id: String,
    pub instance_type: String,
    pub cpu: i64,
    pub memory_mib: i64,
    pub image_id: String,
    pub vpc_id: String,
    pub vswitch_id: String,
    pub private_ip: String,
    pub security_group_ids: Vec<String>,
    pub status: Transition<InstanceStatus>,
    pub created: DateTime<Utc>,
    pub tags: Vec<(String, String)>,
    pub instance_charge_type: String,
    pub internet_charge_type: String,
    pub internet_max_bandwidth_out: i64,
    pub password_set: bool,
    pub eip_allocation_id: Option<String>,
    /// Whether the instance was ever started: the disks of one never started have never
    /// been used, and Alibaba refuses to snapshot them.
    pub ever_started: bool,
    /// Set by ModifyInstanceVncPasswd (six letters and digits); None until then.
    pub vnc_password: Option<String>,
    /// DeleteInstance refuses while set (`InvalidOperation.DeletionProtection`).
    pub deletion_protection: bool,
}

impl EcsInstance {
    /// `IncorrectInstanceStatus` unless the instance is in one of `allowed`.
    pub fn require_status(&self, allowed: &[InstanceStatus]) -> crate::error::SimResult<()> {
        if allowed.contains(&self.status.current) {
            return Ok(());
        }
        Err(crate::error::SimError::incorrect_instance_status(&self.id, self.status.current.as_str()))
    }
}

#[derive(Debug, Clone)]
pub struct EcsDisk {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub size_gb: i64,
    /// system or data.
    pub disk_type: String,
    pub region_id: String,
    pub zone_id: String,
    pub instance_id: Option<String>,
    pub device: String,
    pub image_id: String,
    pub delete_with_instance: bool,
    /// Whether the disk was ever attached: one never attached cannot be snapshotted.
    pub ever_attached: bool,
    /// The snapshot the disk was made from, or empty.
    pub source_snapshot_id: String,
    /// The automatic snapshot policy applies to the disk (ModifyDiskAttribute EnableAutoSnapshot).
    pub enable_auto_snapshot: bool,
    /// Automatic snapshots go when the disk is released (ModifyDiskAttribute DeleteAutoSnapshot).
    pub delete_auto_snapshot: bool,
    pub created: DateTime<Utc>,
    pub tags: Vec<(String, String)>,
}

impl EcsDisk {
    /// A detached disk as the service makes one: no name, tags or source snapshot, the
    /// automatic snapshot policy on.
    pub fn new(id: String, disk_type: &str, region_id: &str, zone_id: &str, category: &str, size_gb: i64, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: String::new(),
            description: String::new(),
            category: category.into(),
            size_gb,
            disk_type: disk_type.into(),
            region_id: region_id.into(),
            zone_id: zone_id.into(),
            instance_id: None,
            device: String::new(),
            image_id: String::new(),
            delete_with_instance: false,
            ever_attached: false,
            source_snapshot_id: String::new(),
            enable_auto_snapshot: true,
            delete_auto_snapshot: true,
            created: now,
            tags: Vec::new(),
        }
    }

    /// The disk created attached to `instance_id` at `device` (and released with it).
    pub fn attached_at(self, instance_id: &str, device: String) -> Self {
        Self { instance_id: Some(instance_id.into()), device, delete_with_instance: true, ever_attached: true, ..self }
    }
}

#[derive(Debug, Clone)]
pub struct SimVpc {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub cidr: Cidr,
    pub vrouter_id: String,
    /// The vRouter's own name and description (ModifyVRouterAttribute).
    pub vrouter_name: String,
    pub vrouter_description: String,
    pub route_table_id: String,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimVSwitch {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub vpc_id: String,
    pub zone_id: String,
    pub cidr: Cidr,
    pub used_ips: BTreeSet<u32>,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

impl SimVSwitch {
    /// The service keeps the first and last three addresses of a vSwitch.
    pub fn usable_range(&self) -> (u32, u32) {
        (self.cidr.network + 3, self.cidr.last().saturating_sub(3))
    }

    pub fn available_ips(&self) -> i64 {
        let (first, last) = self.usable_range();
        (last as i64 - first as i64 + 1).max(0) - self.used_ips.len() as i64
    }

    pub fn allocate_ip(&mut self, wanted: Option<u32>) -> Option<u32> {
        let (first, last) = self.usable_range();
        let ip = match wanted {
            Some(ip) if ip >= first && ip <= last && !self.used_ips.contains(&ip) => ip,
            Some(_) => return None,
            None => (first..=last).find(|ip| !self.used_ips.contains(ip))?,
        };
        self.used_ips.insert(ip);
        Some(ip)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroupRuleRecord {
    pub id: String,
    /// ingress or egress.
    pub direction: String,
    pub ip_protocol: String,
    pub port_range: String,
    pub source_cidr_ip: String,
    pub source_group_id: String,
    pub dest_cidr_ip: String,
    pub dest_group_id: String,
    pub policy: String,
    pub priority: String,
    pub nic_type: String,
    pub description: String,
    pub created: String,
}

impl SecurityGroupRuleRecord {
    /// Two rules are the same rule when everything but id, description and time match.
    pub fn same_rule(&self, other: &Self) -> bool {
        (
            &self.direction,
            &self.ip_protocol,
            &self.port_range,
            &self.source_cidr_ip,
            &self.source_group_id,
            &self.dest_cidr_ip,
            &self.dest_group_id,
            &self.policy,
            &self.priority,
        ) == (
            &other.direction,
            &other.ip_protocol,
            &other.port_range,
            &other.source_cidr_ip,
            &other.source_group_id,
            &other.dest_cidr_ip,
            &other.dest_group_id,
            &other.policy,
            &other.priority,
        )
    }
}

#[derive(Debug, Clone)]
pub struct SimSecurityGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub vpc_id: String,
    pub rules: Vec<SecurityGroupRuleRecord>,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimEip {
    pub id: String,
    pub ip: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub bandwidth: i64,
    pub internet_charge_type: String,
    pub instance_id: Option<String>,
    pub instance_type: String,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageStatus {
    Waiting,
    Creating,
    Available,
}

impl ImageStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Creating => "Creating",
            Self::Available => "Available",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimImage {
    pub id: String,
    pub name: String,
    pub description: String,
    /// None for public images (every region).
    pub region_id: Option<String>,
    pub os_name: String,
    pub os_type: String,
    pub platform: String,
    pub architecture: String,
    pub size_gb: i64,
    pub owner_alias: String,
    pub status: Transition<ImageStatus>,
    pub oss_bucket: String,
    pub oss_object: String,
    pub format: String,
    /// The snapshot a CreateImage made the image from (empty otherwise).
    pub source_snapshot_id: String,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

/// A snapshot is `progressing` (at a percentage) until it is `accomplished`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStatus {
    Progressing(u8),
    Accomplished,
}

impl SnapshotStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Progressing(_) => "progressing",
            Self::Accomplished => "accomplished",
        }
    }

    pub fn percent(&self) -> u8 {
        match self {
            Self::Progressing(p) => *p,
            Self::Accomplished => 100,
        }
    }
}

/// A manual (`user`) disk snapshot. It outlives its disk: `source_disk_*` keep what
/// the disk was when the snapshot was taken.
#[derive(Debug, Clone)]
pub struct SimSnapshot {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub source_disk_id: String,
    pub source_disk_size_gb: i64,
    /// System or Data.
    pub source_disk_type: String,
    pub source_disk_category: String,
    pub status: Transition<SnapshotStatus>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimVpnGateway {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub vpc_id: String,
    pub vswitch_id: String,
    pub bandwidth: i64,
    pub internet_ip: String,
    pub enable_ipsec: bool,
    pub enable_ssl: bool,
    pub ssl_connections: i64,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct SimCustomerGateway {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub ip_address: String,
    pub asn: Option<i64>,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimVpnConnection {
    pub id: String,
    pub name: String,
    pub region_id: String,
    pub vpn_gateway_id: String,
    pub customer_gateway_id: String,
    pub local_subnet: String,
    pub remote_subnet: String,
    pub effect_immediately: bool,
    pub ike_config: serde_json::Map<String, serde_json::Value>,
    pub ipsec_config: serde_json::Map<String, serde_json::Value>,
    pub created: DateTime<Utc>,
    /// `Tag.N` given at create; Describe filters on them.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimRouteEntry {
    pub id: String,
    pub route_table_id: String,
    pub destination: Cidr,
    pub next_hop_type: String,
    pub next_hop_id: String,
    pub name: String,
    pub description: String,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct SimVbr {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub access_point_id: String,
    pub physical_connection_id: String,
    pub circuit_code: String,
    pub vlan_id: i64,
    /// The VBR's own interface toward the leased line: the next hop of routes to the IDC.
    pub vlan_interface_id: String,
    pub local_gateway_ip: String,
    pub peer_gateway_ip: String,
    pub peering_subnet_mask: String,
    pub route_table_id: String,
    /// active; terminating -> terminated; recovering -> active.
    pub status: Transition<&'static str>,
    pub created: DateTime<Utc>,
}

/// An Express Connect access point (where leased lines enter a region); read-only.
#[derive(Debug, Clone)]
pub struct SimAccessPoint {
    pub id: String,
    pub region_id: String,
    pub name: String,
    pub location: String,
    pub host_operator: String,
    /// recommended, hot, full or disabled.
    pub status: String,
}

/// The access points every region has from the start: (id suffix, name, location, operator).
const ACCESS_POINT_CATALOG: &[(&str, &str, &str, &str)] = &[
    ("xs-A", "Xiaoshan-A", "Xiaoshan", "China Telecom"),
    ("yh-C", "Yuhang-C", "Yuhang", "China Unicom"),
];

/// The access point of a region a seeded border router uses.
pub fn first_access_point(region_id: &str) -> String {
    format!("ap-{region_id}-{}", ACCESS_POINT_CATALOG[0].0)
}

#[derive(Debug, Clone)]
pub struct SimRouterInterface {
    pub id: String,
    pub name: String,
    pub region_id: String,
    pub router_id: String,
    pub router_type: String,
    pub role: String,
    pub spec: String,
    pub opposite_interface_id: String,
    pub opposite_router_id: String,
    pub opposite_router_type: String,
    pub opposite_region_id: String,
    /// Idle when made by CreateRouterInterface; Connecting/AcceptingConnecting -> Active
    /// (ConnectRouterInterface); Deactivating -> Inactive; Activating -> Active.
    pub status: Transition<&'static str>,
    pub health_check_source_ip: String,
    pub health_check_target_ip: String,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct OssObjectData {
    /// The request's own buffer (reference-counted), not a copy of it.
    pub body: actix_web::web::Bytes,
    pub content_type: String,
    /// Upper-case hex MD5, as OSS reports it in ETag.
    pub etag: String,
    pub crc64: u64,
    pub last_modified: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct SimBucket {
    pub name: String,
    pub region_id: String,
    pub acl: String,
    pub created: DateTime<Utc>,
    pub objects: BTreeMap<String, OssObjectData>,
    /// Unfinished multipart uploads by UploadId.
    pub uploads: BTreeMap<String, MultipartUpload>,
}

#[derive(Debug, Clone)]
pub struct MultipartUpload {
    pub key: String,
    pub content_type: String,
    /// Part number -> (upper-case hex MD5, bytes).
    pub parts: BTreeMap<u32, (String, actix_web::web::Bytes)>,
    pub created: DateTime<Utc>,
}

/// Limits per region (per VPC for vSwitches); creating past them fails with `QuotaExceeded.*`.
/// Seeding ignores them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Quotas {
    pub vpcs_per_region: usize,
    pub vswitches_per_vpc: usize,
    pub instances_per_region: usize,
    pub security_groups_per_region: usize,
    pub eips_per_region: usize,
    pub disks_per_region: usize,
    pub vpn_gateways_per_region: usize,
    /// Manual snapshots one disk may keep.
    pub snapshots_per_disk: usize,
    /// Custom images (imported or made from snapshots) per region.
    pub images_per_region: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            vpcs_per_region: 10,
            vswitches_per_vpc: 150,
            instances_per_region: 10_000,
            security_groups_per_region: 1_000,
            eips_per_region: 20,
            disks_per_region: 20_000,
            vpn_gateways_per_region: 10,
            snapshots_per_disk: 256,
            images_per_region: 100,
        }
    }
}

/// The answer remembered for a ClientToken: same token and same parameters -> the same
/// answer again; same token, other parameters -> `IdempotentParameterMismatch`.
#[derive(Debug, Clone)]
pub struct IdempotentAnswer {
    pub fingerprint: String,
    pub body: serde_json::Value,
}

pub struct SimState {
    pub instances: BTreeMap<String, EcsInstance>,
    pub disks: BTreeMap<String, EcsDisk>,
    pub vpcs: BTreeMap<String, SimVpc>,
    pub vswitches: BTreeMap<String, SimVSwitch>,
    pub security_groups: BTreeMap<String, SimSecurityGroup>,
    pub eips: BTreeMap<String, SimEip>,
    pub images: BTreeMap<String, SimImage>,
    pub snapshots: BTreeMap<String, SimSnapshot>,
    pub vpn_gateways: BTreeMap<String, SimVpnGateway>,
    pub customer_gateways: BTreeMap<String, SimCustomerGateway>,
    pub vpn_connections: BTreeMap<String, SimVpnConnection>,
    pub route_entries: BTreeMap<String, SimRouteEntry>,
    pub vbrs: BTreeMap<String, SimVbr>,
    pub router_interfaces: BTreeMap<String, SimRouterInterface>,
    pub access_points: BTreeMap<String, SimAccessPoint>,
    pub buckets: BTreeMap<String, SimBucket>,
    /// (AccessKeyId, action, ClientToken) -> answer.
    pub client_tokens: HashMap<(String, String, String), IdempotentAnswer>,
    pub quotas: Quotas,
    /// Time between two statuses of a transition (Pending -> Starting -> Running).
    pub transition_step: std::time::Duration,
    next_id: u64,
    next_public_ip: u32,
}

impl SimState {
    pub fn new(transition_step: std::time::Duration, now: DateTime<Utc>) -> Self {
        let mut state = Self {
            instances: BTreeMap::new(),
            disks: BTreeMap::new(),
            vpcs: BTreeMap::new(),
            vswitches: BTreeMap::new(),
            security_groups: BTreeMap::new(),
            eips: BTreeMap::new(),
            images: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            vpn_gateways: BTreeMap::new(),
            customer_gateways: BTreeMap::new(),
            vpn_connections: BTreeMap::new(),
            route_entries: BTreeMap::new(),
            vbrs: BTreeMap::new(),
            router_interfaces: BTreeMap::new(),
            access_points: BTreeMap::new(),
            buckets: BTreeMap::new(),
            client_tokens: HashMap::new(),
            quotas: Quotas::default(),
            transition_step,
            next_id: 0,
            // 47.96.0.1: public addresses are handed out from here on.
            next_public_ip: u32::from(std::net::Ipv4Addr::new(47, 96, 0, 1)),
        };
        for (id, os_name, os_type, platform, size) in SYSTEM_IMAGES {
            state.images.insert(
                id.to_string(),
                SimImage {
                    id: id.to_string(),
                    name: id.trim_end_matches(".vhd").to_string(),
                    description: String::new(),
                    region_id: None,
                    os_name: os_name.to_string(),
                    os_type: os_type.to_string(),
                    platform: platform.to_string(),
                    architecture: "x86_64".into(),
                    size_gb: *size,
                    owner_alias: "system".into(),
                    status: Transition::settled(ImageStatus::Available, now),
                    oss_bucket: String::new(),
                    oss_object: String::new(),
                    format: String::new(),
                    source_snapshot_id: String::new(),
                    created: now,
                    tags: Vec::new(),
                },
            );
        }
        for region in REGIONS {
            for (suffix, name, location, operator) in ACCESS_POINT_CATALOG {
                let id = format!("ap-{}-{suffix}", region.region_id);
                state.access_points.insert(
                    id.clone(),
                    SimAccessPoint {
                        id,
                        region_id: region.region_id.to_string(),
                        name: name.to_string(),
                        location: location.to_string(),
                        host_operator: operator.to_string(),
                        status: "recommended".into(),
                    },
                );
            }
        }
        state
    }

    /// A new resource id: `<prefix>-bp1` + 17 hex digits of a counter, so ids sort in
    /// creation order (listings come back oldest first, as the service's do).
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-bp1{:017x}", self.next_id)
    }

    pub fn new_public_ip(&mut self) -> String {
        let ip = self.next_public_ip;
        self.next_public_ip += 1;
        if self.next_public_ip & 0xff == 0 || self.next_public_ip & 0xff == 255 {
            self.next_public_ip += 2;
        }
        crate::cidr::ip_to_string(ip)
    }

    fn step(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.transition_step).unwrap_or(chrono::Duration::zero())
    }

    /// Advances every transitional status to where `now` puts it.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        let step = self.step();
        for instance in self.instances.values_mut() {
            if !instance.status.is_settled() {
                instance.status.settle(now, step);
            }
        }
        for image in self.images.values_mut() {
            if !image.status.is_settled() {
                image.status.settle(now, step);
            }
        }
        for snapshot in self.snapshots.values_mut() {
            if !snapshot.status.is_settled() {
                snapshot.status.settle(now, step);
            }
        }
        for vbr in self.vbrs.values_mut() {
            if !vbr.status.is_settled() {
                vbr.status.settle(now, step);
            }
        }
        for interface in self.router_interfaces.values_mut() {
            if !interface.status.is_settled() {
                interface.status.settle(now, step);
            }
        }
    }

    /// VPN gateways are `init` for two steps after creation, then `active`.
    pub fn vpn_gateway_status(&self, gateway: &SimVpnGateway, now: DateTime<Utc>) -> &'static str {
        if now - gateway.created >= self.step() * 2 {
            "active"
        } else {
            "init"
        }
    }

    pub fn count_in_region<T>(
        map: &BTreeMap<String, T>,
        region_id: &str,
        region_of: impl Fn(&T) -> &str,
    ) -> usize {
        map.values().filter(|v| region_of(v) == region_id).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_advance_one_step_per_interval() {
        let t0 = Utc::now();
        let step = chrono::Duration::seconds(1);
        let mut t = Transition::settled(InstanceStatus::Stopped, t0);
        t.start(
            InstanceStatus::Pending,
            &[InstanceStatus::Starting, InstanceStatus::Running],
            t0,
        );
        t.settle(t0 + chrono::Duration::milliseconds(999), step);
        assert_eq!(t.current, InstanceStatus::Pending);
        t.settle(t0 + chrono::Duration::milliseconds(1000), step);
        assert_eq!(t.current, InstanceStatus::Starting);
        t.settle(t0 + chrono::Duration::seconds(10), step);
        assert_eq!(t.current, InstanceStatus::Running);
        assert!(t.is_settled());
        let mut instant = Transition::settled(InstanceStatus::Running, t0);
        instant.start(InstanceStatus::Stopping, &[InstanceStatus::Stopped], t0);
        instant.settle(t0, chrono::Duration::zero());
        assert_eq!(instant.current, InstanceStatus::Stopped);
    }

    #[test]
    fn ids_sort_in_creation_order_and_vswitch_ips_skip_reserved_addresses() {
        let mut state = SimState::new(std::time::Duration::ZERO, Utc::now());
        let a = state.new_id("i");
        let b = state.new_id("i");
        assert!(a < b && a.len() == b.len(), "{a} {b}");
        let mut vsw = SimVSwitch {
            id: "vsw".into(),
            name: String::new(),
            description: String::new(),
            region_id: "cn-hangzhou".into(),
            vpc_id: "vpc".into(),
            zone_id: "cn-hangzhou-h".into(),
            cidr: Cidr::parse("192.168.1.0/29").unwrap(),
            used_ips: BTreeSet::new(),
            created: Utc::now(),
            tags: Vec::new(),
        };
        assert_eq!(vsw.available_ips(), 2);
        assert_eq!(
            vsw.allocate_ip(None).map(crate::cidr::ip_to_string),
            Some("192.168.1.3".into())
        );
        assert_eq!(
            vsw.allocate_ip(None).map(crate::cidr::ip_to_string),
            Some("192.168.1.4".into())
        );
        assert_eq!(vsw.allocate_ip(None), None);
        assert_eq!(vsw.available_ips(), 0);
    }
}
