//! Bulk seeding for sync benchmarks: `POST /__sim/seed` with counts creates, in one
//! region, VPCs, vSwitches (/24s spread over the zones), security groups, Running
//! instances (each with a system disk), EIPs, data disks and border routers with
//! their router interfaces — directly in the state, without quotas, in milliseconds.

use serde::{Deserialize, Serialize};

use crate::cidr::{ip_to_string, Cidr};
use crate::error::{SimError, SimResult};
use crate::state::{
    first_access_point, region, EcsDisk, EcsInstance, InstanceStatus, SimEip, SimRouterInterface, SimSecurityGroup,
    SimState, SimVSwitch, SimVbr, SimVpc, Transition, INSTANCE_TYPES, SYSTEM_IMAGES,
};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct SeedRequest {
    pub region: String,
    pub vpcs: usize,
    pub vswitches: usize,
    pub security_groups: usize,
    pub instances: usize,
    pub eips: usize,
    pub disks: usize,
    pub vbrs: usize,
}

impl Default for SeedRequest {
    fn default() -> Self {
        Self {
            region: "cn-hangzhou".into(),
            vpcs: 1,
            vswitches: 0,
            security_groups: 0,
            instances: 0,
            eips: 0,
            disks: 0,
            vbrs: 0,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SeedSummary {
    pub region: String,
    pub vpc_ids: Vec<String>,
    pub vswitches: usize,
    pub security_groups: usize,
    pub instances: usize,
    pub eips: usize,
    pub disks: usize,
    pub vbrs: usize,
}

/// Most /24 vSwitches one seeded /16 VPC can hold.
const VSWITCHES_PER_VPC: usize = 256;

pub fn seed(
    state: &mut SimState,
    request: &SeedRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> SimResult<SeedSummary> {
    let info = region(&request.region).ok_or_else(|| {
        SimError::not_found(
            "InvalidRegionId.NotFound",
            format!("Unknown region {}", request.region),
        )
    })?;
    let vswitch_count = if request.instances > 0 {
        request.vswitches.max(1)
    } else {
        request.vswitches
    };
    let vpc_count = request
        .vpcs
        .max(vswitch_count.div_ceil(VSWITCHES_PER_VPC))
        .max(1);
    if vpc_count > 255 {
        return Err(SimError::bad(
            "InvalidParameter",
            "At most 255 seeded VPCs (65,280 vSwitches).",
        ));
    }
    let mut summary = SeedSummary {
        region: request.region.clone(),
        ..Default::default()
    };
    for n in 0..vpc_count {
        let id = state.new_id("vpc");
        let vpc = SimVpc {
            id: id.clone(),
            name: format!("seed-vpc-{n}"),
            description: "seeded".into(),
            region_id: request.region.clone(),
            cidr: Cidr::parse(&format!("10.{n}.0.0/16")).expect("valid"),
            vrouter_id: state.new_id("vrt"),
            vrouter_name: String::new(),
            vrouter_description: String::new(),
            route_table_id: state.new_id("vtb"),
            created: now,
            tags: Vec::new(),
        };
        state.vpcs.insert(id.clone(), vpc);
        summary.vpc_ids.push(id);
    }
    let mut vswitch_ids = Vec::new();
    for n in 0..vswitch_count {
        let vpc_index = n / VSWITCHES_PER_VPC;
        let vpc_id = summary.vpc_ids[vpc_index].clone();
        let id = state.new_id("vsw");
        state.vswitches.insert(
            id.clone(),
            SimVSwitch {
                id: id.clone(),
                name: format!("seed-vsw-{n}"),
                description: "seeded".into(),
                region_id: request.region.clone(),
                vpc_id,
                zone_id: info.zones[n % info.zones.len()].to_string(),
                cidr: Cidr::parse(&format!("10.{vpc_index}.{}.0/24", n % VSWITCHES_PER_VPC))
                    .expect("valid"),
                used_ips: Default::default(),
                created: now,
                tags: Vec::new(),
            },
        );
        vswitch_ids.push(id);
    }
    summary.vswitches = vswitch_ids.len();
    let mut group_ids = Vec::new();
    for n in 0..request.security_groups {
        let id = state.new_id("sg");
        state.security_groups.insert(
            id.clone(),
            SimSecurityGroup {
                id: id.clone(),
                name: format!("seed-sg-{n}"),
                description: "seeded".into(),
                region_id: request.region.clone(),
                vpc_id: summary.vpc_ids[n % vpc_count].clone(),
                rules: Vec::new(),
                created: now,
                tags: Vec::new(),
            },
        );
        group_ids.push(id);
    }
    summary.security_groups = group_ids.len();
    let image = SYSTEM_IMAGES[0].0;
    for n in 0..request.instances {
        let vsw_id = vswitch_ids[n % vswitch_ids.len()].clone();
        let vsw = state.vswitches.get_mut(&vsw_id).expect("seeded");
        let ip = vsw.allocate_ip(None).ok_or_else(|| {
            SimError::bad(
                "InvalidVSwitchId.IpNotEnough",
                "Too many instances for the seeded vSwitches; seed more vSwitches.",
            )
        })?;
        let (vpc_id, zone_id) = (vsw.vpc_id.clone(), vsw.zone_id.clone());
        let group = group_ids
            .iter()
            .find(|g| state.security_groups[*g].vpc_id == vpc_id)
            .cloned();
        let group = match group {
            Some(g) => g,
            None => {
                let id = state.new_id("sg");
                state.security_groups.insert(
                    id.clone(),
                    SimSecurityGroup {
                        id: id.clone(),
                        name: "seed-default".into(),
                        description: "seeded for instances".into(),
                        region_id: request.region.clone(),
                        vpc_id: vpc_id.clone(),
                        rules: Vec::new(),
                        created: now,
                        tags: Vec::new(),
                    },
                );
                group_ids.push(id.clone());
                id
            }
        };
        let (type_name, cpu, memory) = INSTANCE_TYPES[n % INSTANCE_TYPES.len()];
        let id = state.new_id("i");
        state.instances.insert(
            id.clone(),
            EcsInstance {
                id: id.clone(),
                name: format!("seed-vm-{n}"),
                description: "seeded".into(),
                host_name: format!("seed-vm-{n}"),
                region_id: request.region.clone(),
                zone_id: zone_id.clone(),
                instance_type: type_name.into(),
                cpu,
                memory_mib: memory,
                image_id: image.into(),
                vpc_id,
                vswitch_id: vsw_id,
                private_ip: ip_to_string(ip),
                security_group_ids: vec![group],
                status: Transition::settled(InstanceStatus::Running, now),
                created: now,
                tags: vec![("seed".into(), "true".into())],
                instance_charge_type: "PostPaid".into(),
                internet_charge_type: "PayByTraffic".into(),
                internet_max_bandwidth_out: 0,
                password_set: false,
                eip_allocation_id: None,
                ever_started: true,
                vnc_password: None,
                deletion_protection: false,
            },
        );
        let disk = state.new_id("d");
        state.disks.insert(
            disk.clone(),
            EcsDisk {
                image_id: image.into(),
                ..EcsDisk::new(disk, "system", &request.region, &zone_id, "cloud_essd", 40, now).attached_at(&id, "/dev/xvda".into())
            },
        );
        summary.instances += 1;
    }
    for n in 0..request.disks {
        let id = state.new_id("d");
        state.disks.insert(
            id.clone(),
            EcsDisk {
                name: format!("seed-disk-{n}"),
                description: "seeded".into(),
                ..EcsDisk::new(id, "data", &request.region, info.zones[n % info.zones.len()], "cloud_essd", 100, now)
            },
        );
        summary.disks += 1;
    }
    for n in 0..request.eips {
        let id = state.new_id("eip");
        let ip = state.new_public_ip();
        state.eips.insert(
            id.clone(),
            SimEip {
                id,
                ip,
                name: format!("seed-eip-{n}"),
                description: "seeded".into(),
                region_id: request.region.clone(),
                bandwidth: 5,
                internet_charge_type: "PayByTraffic".into(),
                instance_id: None,
                instance_type: String::new(),
                created: now,
                tags: Vec::new(),
            },
        );
        summary.eips += 1;
    }
    for n in 0..request.vbrs {
        let vbr_id = state.new_id("vbr");
        let vpc = state.vpcs[&summary.vpc_ids[n % vpc_count]].clone();
        let table = state.new_id("vtb");
        state.vbrs.insert(
            vbr_id.clone(),
            SimVbr {
                id: vbr_id.clone(),
                name: format!("seed-vbr-{n}"),
                description: String::new(),
                region_id: request.region.clone(),
                access_point_id: first_access_point(&request.region),
                physical_connection_id: format!("pc-sim{n:04}"),
                circuit_code: format!("sim-circuit-{n}"),
                vlan_id: 100 + n as i64,
                vlan_interface_id: format!("ri-vlan{}", &vbr_id[4..]),
                local_gateway_ip: format!("192.168.{}.1", n % 250),
                peer_gateway_ip: format!("192.168.{}.2", n % 250),
                peering_subnet_mask: "255.255.255.252".into(),
                route_table_id: table,
                status: Transition::settled("active", now),
                created: now,
            },
        );
        let vbr_side = state.new_id("ri");
        let vpc_side = state.new_id("ri");
        for (id, router, router_type, role, opposite, opposite_router, opposite_type) in [
            (
                &vbr_side,
                &vbr_id,
                "VBR",
                "InitiatingSide",
                &vpc_side,
                &vpc.vrouter_id,
                "VRouter",
            ),
            (
                &vpc_side,
                &vpc.vrouter_id,
                "VRouter",
                "AcceptingSide",
                &vbr_side,
                &vbr_id,
                "VBR",
            ),
        ] {
            state.router_interfaces.insert(
                id.clone(),
                SimRouterInterface {
                    id: id.clone(),
                    name: format!("seed-ri-{n}-{role}"),
                    region_id: request.region.clone(),
                    router_id: router.clone(),
                    router_type: router_type.into(),
                    role: role.into(),
                    spec: "Large.2".into(),
                    opposite_interface_id: opposite.clone(),
                    opposite_router_id: opposite_router.clone(),
                    opposite_router_type: opposite_type.into(),
                    opposite_region_id: request.region.clone(),
                    status: Transition::settled("Active", now),
                    health_check_source_ip: String::new(),
                    health_check_target_ip: String::new(),
                    created: now,
                },
            );
        }
        summary.vbrs += 1;
    }
    Ok(summary)
}
