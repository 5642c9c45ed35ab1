//! ECS (2014-05-26) actions: regions and zones, instances and their lifecycle, security
//! groups, disks and images. Answers are built from `zstack_aliyun::ecs` response structs
//! (the field names of the SDK models), plus a few fields those structs leave out.
//!
//! Rules enforced (codes as the service documents them where known; a few marked
//! "best effort" in the crate README are the closest plausible ones):
//! - StartInstance needs Stopped; StopInstance/RebootInstance need Running (ForceStop
//!   also stops a Starting instance); DeleteInstance needs Stopped unless Force=true on
//!   a Running one -> `IncorrectInstanceStatus` (403); never while DeletionProtection
//!   is on (`InvalidOperation.DeletionProtection`, 403).
//! - RunInstances: image, type, vSwitch, security groups must exist, groups in the
//!   vSwitch's VPC, enough free IPs (`InvalidVSwitchId.IpNotEnough`), instance quota.
//! - Disks: attach only Available disks to Running/Stopped instances in the same zone,
//!   at most 16 data disks; delete only Available disks (`IncorrectDiskStatus`).
//!   CreateDisk from a snapshot: it must be accomplished (`InvalidSnapshotId.NotReady`)
//!   and `Size`, when given, at least its source disk's (`InvalidDiskSize.TooSmall`);
//!   neither SnapshotId nor Size is `MissingParameter`.
//! - Security groups: rule syntax (`InvalidIpProtocol.Malformed`, `InvalidPortRange.Malformed`),
//!   duplicates (`InvalidPermission.Duplicate`), no deletion while instances use the group
//!   (`DependencyViolation`).

use serde_json::{json, Value};
use zstack_aliyun::ecs::{
    CreateDiskResponse, CreateInstanceResponse, CreateSecurityGroupResponse,
    DescribeRegionsResponse, DescribeZonesResponse, Disk, EcsTag, Image, ImportImageResponse,
    Instance, InstanceEip, Region, RunInstancesResponse, SecurityGroup, VpcAttributes, Zone,
};

use super::{answer_page, ecs_time, page_of, region_param, to_json, RpcContext, RpcParams};
use crate::cidr::{ip_to_string, parse_ip};
use crate::error::{SimError, SimResult};
use crate::state::{
    zone_region, EcsDisk, EcsInstance, ImageStatus, InstanceStatus, SecurityGroupRuleRecord,
    SimImage, SimSecurityGroup, SimState, SnapshotStatus, Transition, DISK_CATEGORIES,
    INSTANCE_TYPES, REGIONS,
};

const MAX_DATA_DISKS: usize = 16;

/// None when the action is not an ECS one.
pub fn handle(
    state: &mut SimState,
    action: &str,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Option<Value>> {
    let body = match action {
        "DescribeRegions" => describe_regions(),
        "DescribeZones" => describe_zones(p)?,
        "DescribeInstances" => describe_instances(state, p)?,
        "DescribeInstanceStatus" => describe_instance_status(state, p)?,
        "RunInstances" => create_instances(state, p, ctx, true)?,
        "CreateInstance" => create_instances(state, p, ctx, false)?,
        "StartInstance" => start_instance(state, p, ctx)?,
        "StopInstance" => stop_instance(state, p, ctx)?,
        "RebootInstance" => reboot_instance(state, p, ctx)?,
        "DeleteInstance" => delete_instance(state, p)?,
        "DescribeInstanceVncUrl" => vnc_url(state, p, ctx)?,
        "ModifyInstanceAttribute" => modify_instance(state, p)?,
        "DescribeSecurityGroups" => describe_security_groups(state, p)?,
        "CreateSecurityGroup" => create_security_group(state, p, ctx)?,
        "AuthorizeSecurityGroup" => change_rules(state, p, ctx, "ingress", true)?,
        "RevokeSecurityGroup" => change_rules(state, p, ctx, "ingress", false)?,
        "AuthorizeSecurityGroupEgress" => change_rules(state, p, ctx, "egress", true)?,
        "RevokeSecurityGroupEgress" => change_rules(state, p, ctx, "egress", false)?,
        "DescribeSecurityGroupAttribute" => describe_security_group_attribute(state, p)?,
        "DeleteSecurityGroup" => delete_security_group(state, p)?,
        "CreateDisk" => create_disk(state, p, ctx)?,
        "AttachDisk" => attach_disk(state, p, ctx)?,
        "DetachDisk" => detach_disk(state, p, ctx)?,
        "DeleteDisk" => delete_disk(state, p)?,
        "DescribeDisks" => describe_disks(state, p)?,
        "DescribeImages" => describe_images(state, p)?,
        "ImportImage" => import_image(state, p, ctx)?,
        "DeleteImage" => delete_image(state, p)?,
        _ => return Ok(None),
    };
    Ok(Some(body))
}

fn ok() -> Value {
    json!({})
}

fn ecs_tags(tags: &[(String, String)]) -> Vec<EcsTag> {
    tags.iter()
        .map(|(k, v)| EcsTag {
            tag_key: k.clone(),
            tag_value: v.clone(),
        })
        .collect()
}

fn describe_regions() -> Value {
    to_json(&DescribeRegionsResponse {
        request_id: String::new(),
        regions: REGIONS
            .iter()
            .map(|r| Region {
                region_id: r.region_id.into(),
                local_name: r.local_name.into(),
                region_endpoint: format!("ecs.{}.aliyuncs.com", r.region_id),
                status: "available".into(),
            })
            .collect(),
    })
}

fn describe_zones(p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let info = crate::state::region(region).expect("checked");
    Ok(to_json(&DescribeZonesResponse {
        request_id: String::new(),
        zones: info
            .zones
            .iter()
            .map(|z| Zone {
                zone_id: z.to_string(),
                local_name: format!("{} {}", info.local_name, z.rsplit('-').next().unwrap_or(z)),
                zone_type: "AvailabilityZone".into(),
                available_instance_types: INSTANCE_TYPES.iter().map(|t| t.0.to_string()).collect(),
                available_disk_categories: DISK_CATEGORIES.iter().map(|c| c.to_string()).collect(),
                available_resource_creation: vec![
                    "Instance".into(),
                    "Disk".into(),
                    "VSwitch".into(),
                ],
            })
            .collect(),
    }))
}

pub fn instance_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidInstanceId.NotFound",
        format!("The specified InstanceId {id} does not exist."),
    )
}

fn instance_json(state: &SimState, i: &EcsInstance) -> Value {
    let eip = i
        .eip_allocation_id
        .as_ref()
        .and_then(|id| state.eips.get(id));
    let mut v = to_json(&Instance {
        instance_id: i.id.clone(),
        instance_name: i.name.clone(),
        description: i.description.clone(),
        host_name: i.host_name.clone(),
        status: i.status.current.as_str().into(),
        region_id: i.region_id.clone(),
        zone_id: i.zone_id.clone(),
        instance_type: i.instance_type.clone(),
        cpu: i.cpu,
        memory: i.memory_mib,
        image_id: i.image_id.clone(),
        os_type: state
            .images
            .get(&i.image_id)
            .map(|m| m.os_type.clone())
            .unwrap_or_else(|| "linux".into()),
        os_name: state
            .images
            .get(&i.image_id)
            .map(|m| m.os_name.clone())
            .unwrap_or_default(),
        vpc_attributes: VpcAttributes {
            vpc_id: i.vpc_id.clone(),
            v_switch_id: i.vswitch_id.clone(),
            nat_ip_address: String::new(),
            private_ip_address: vec![i.private_ip.clone()],
        },
        public_ip_address: Vec::new(),
        inner_ip_address: Vec::new(),
        eip_address: eip
            .map(|e| InstanceEip {
                allocation_id: e.id.clone(),
                ip_address: e.ip.clone(),
                bandwidth: e.bandwidth,
                internet_charge_type: e.internet_charge_type.clone(),
            })
            .unwrap_or_default(),
        security_group_ids: i.security_group_ids.clone(),
        creation_time: ecs_time(i.created),
        instance_charge_type: i.instance_charge_type.clone(),
        internet_charge_type: i.internet_charge_type.clone(),
        internet_max_bandwidth_out: i.internet_max_bandwidth_out,
        tags: ecs_tags(&i.tags),
    });
    // Fields the client struct leaves out but the SDK model has.
    let map = v.as_object_mut().expect("object");
    map.insert("InstanceNetworkType".into(), json!("vpc"));
    map.insert("IoOptimized".into(), json!(true));
    map.insert("DeletionProtection".into(), json!(i.deletion_protection));
    map.insert(
        "InstanceTypeFamily".into(),
        json!(i
            .instance_type
            .rsplit_once('.')
            .map(|(f, _)| f)
            .unwrap_or("")),
    );
    map.insert("StartTime".into(), json!(ecs_time(i.created)));
    map.insert("ExpiredTime".into(), json!("2099-12-31T15:59Z"));
    map.insert("StoppedMode".into(), json!("Not-applicable"));
    map.insert("SerialNumber".into(), json!(format!("sim-{}", i.id)));
    v
}

fn matches_filter(value: &str, filter: Option<&str>) -> bool {
    filter.is_none_or(|f| f == value)
}

fn describe_instances(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = p.json_list("InstanceIds")?;
    let sg = p.get("SecurityGroupId");
    let items: Vec<&EcsInstance> = state
        .instances
        .values()
        .filter(|i| i.region_id == region)
        .filter(|i| ids.is_empty() || ids.contains(&i.id))
        .filter(|i| matches_filter(&i.vpc_id, p.get("VpcId")))
        .filter(|i| matches_filter(&i.vswitch_id, p.get("VSwitchId")))
        .filter(|i| matches_filter(&i.zone_id, p.get("ZoneId")))
        .filter(|i| matches_filter(i.status.current.as_str(), p.get("Status")))
        .filter(|i| matches_filter(&i.name, p.get("InstanceName")))
        .filter(|i| {
            matches_filter(
                &i.private_ip,
                p.get("PrivateIpAddresses")
                    .map(|s| s.trim_matches(|c| c == '[' || c == ']' || c == '"')),
            )
        })
        .filter(|i| sg.is_none_or(|sg| i.security_group_ids.iter().any(|s| s == sg)))
        .filter(|i| p.tags_match(&i.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 100, true)?, "Instances", "Instance", |i| instance_json(state, i)))
}

fn describe_instance_status(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = p.repeated("InstanceId");
    let items: Vec<&EcsInstance> = state
        .instances
        .values()
        .filter(|i| i.region_id == region && (ids.is_empty() || ids.contains(&i.id)))
        .filter(|i| matches_filter(&i.zone_id, p.get("ZoneId")))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "InstanceStatuses", "InstanceStatus", |i| {
        json!({ "InstanceId": i.id, "Status": i.status.current.as_str() })
    }))
}

/// 8-30 characters from at least three of: upper, lower, digits, specials.
fn check_password(password: &str) -> SimResult<()> {
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/".contains(c)),
    ];
    let ok = (8..=30).contains(&password.chars().count())
        && classes.iter().filter(|c| **c).count() >= 3
        && password.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(SimError::bad(
            "InvalidPassword.Malformed",
            "The specified parameter Password is not valid: 8 to 30 characters, with at least three of upper case, lower case, digits and special characters.",
        ))
    }
}

fn check_disk(category: &str, size: i64, what: &str) -> SimResult<()> {
    if !DISK_CATEGORIES.contains(&category) {
        return Err(SimError::bad(
            "InvalidDiskCategory.ValueNotSupported",
            format!("The specified {what} category {category} is not supported."),
        ));
    }
    let (min, max) = if category == "cloud" {
        (5, 2000)
    } else {
        (20, 32768)
    };
    if !(min..=max).contains(&size) {
        return Err(SimError::bad(
            "InvalidDiskSize.ValueNotSupported",
            format!("The specified {what} size {size} GiB is outside {min}..{max} for {category}."),
        ));
    }
    Ok(())
}

fn image_visible(image: &SimImage, region: &str) -> bool {
    image.region_id.as_deref().is_none_or(|r| r == region)
}

fn create_instances(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
    run: bool,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let image_id = p.required("ImageId")?.to_string();
    let image = state
        .images
        .get(&image_id)
        .filter(|m| image_visible(m, &region))
        .ok_or_else(|| {
            SimError::not_found(
                "InvalidImageId.NotFound",
                format!("The specified ImageId {image_id} does not exist."),
            )
        })?;
    if image.status.current != ImageStatus::Available {
        return Err(SimError::forbidden(
            "InvalidImageId.IncorrectStatus",
            format!("The image {image_id} is {}.", image.status.current.as_str()),
        ));
    }
    let image_size = image.size_gb;
    let type_name = p.required("InstanceType")?;
    let &(type_name, cpu, memory) = INSTANCE_TYPES
        .iter()
        .find(|t| t.0 == type_name)
        .ok_or_else(|| {
            SimError::bad(
                "InvalidInstanceType.ValueNotSupported",
                format!("The specified InstanceType {type_name} is not supported."),
            )
        })?;
    let vsw_id = p.required("VSwitchId")?.to_string();
    let vsw = state
        .vswitches
        .get(&vsw_id)
        .filter(|v| v.region_id == region)
        .ok_or_else(|| {
            SimError::not_found(
                "InvalidVSwitchId.NotFound",
                format!("The specified VSwitchId {vsw_id} does not exist."),
            )
        })?;
    let (vpc_id, zone_id) = (vsw.vpc_id.clone(), vsw.zone_id.clone());
    if let Some(zone) = p.get("ZoneId") {
        if zone != zone_id {
            return Err(SimError::bad(
                "InvalidVSwitchId.ZoneMismatch",
                format!("The VSwitch {vsw_id} is in zone {zone_id}, not {zone}."),
            ));
        }
    }
    let mut group_ids = p.json_list("SecurityGroupIds")?;
    group_ids.extend(p.repeated("SecurityGroupIds"));
    if let Some(one) = p.get("SecurityGroupId") {
        group_ids.insert(0, one.to_string());
    }
    group_ids.dedup();
    if group_ids.is_empty() {
        return Err(SimError::missing("SecurityGroupId"));
    }
    for sg in &group_ids {
        let group = state
            .security_groups
            .get(sg)
            .filter(|g| g.region_id == region)
            .ok_or_else(|| {
                SimError::not_found(
                    "InvalidSecurityGroupId.NotFound",
                    format!("The specified SecurityGroupId {sg} does not exist."),
                )
            })?;
        if group.vpc_id != vpc_id {
            return Err(SimError::bad(
                "InvalidSecurityGroupId.VpcMismatch",
                format!(
                    "The security group {sg} and the VSwitch {vsw_id} are not in the same VPC."
                ),
            ));
        }
    }
    let amount = if run {
        p.int("Amount")?.unwrap_or(1)
    } else {
        1
    };
    if !(1..=100).contains(&amount) {
        return Err(SimError::invalid("Amount", &amount.to_string()));
    }
    if let Some(password) = p.get("Password") {
        check_password(password)?;
    }
    let system_category = p.get_or("SystemDisk.Category", "cloud_essd").to_string();
    let system_size = p.int("SystemDisk.Size")?.unwrap_or(image_size.max(20));
    check_disk(&system_category, system_size, "system disk")?;
    if system_size < image_size {
        return Err(SimError::bad(
            "InvalidSystemDiskSize.LessThanImageSize",
            format!(
                "The system disk ({system_size} GiB) is smaller than the image ({image_size} GiB)."
            ),
        ));
    }
    let mut data_disks = Vec::new();
    for d in p.indexed("DataDisk") {
        let category = d
            .get("Category")
            .cloned()
            .unwrap_or_else(|| "cloud_efficiency".into());
        let size: i64 = d
            .get("Size")
            .map(|s| {
                s.parse()
                    .map_err(|_| SimError::invalid("DataDisk.N.Size", s))
            })
            .transpose()?
            .ok_or_else(|| SimError::missing("DataDisk.N.Size"))?;
        check_disk(&category, size, "data disk")?;
        let delete_with = d.get("DeleteWithInstance").is_none_or(|v| v != "false");
        data_disks.push((
            category,
            size,
            delete_with,
            d.get("DiskName").cloned().unwrap_or_default(),
        ));
    }
    if data_disks.len() > MAX_DATA_DISKS {
        return Err(SimError::bad(
            "InstanceDiskNumber.LimitExceed",
            "An instance can have at most 16 data disks.",
        ));
    }
    let existing = SimState::count_in_region(&state.instances, &region, |i| &i.region_id);
    if existing + amount as usize > state.quotas.instances_per_region {
        return Err(SimError::forbidden(
            "QuotaExceed.ElasticQuota",
            format!(
                "The number of instances in {region} would exceed the quota of {}.",
                state.quotas.instances_per_region
            ),
        ));
    }
    let wanted_ip = match p.get("PrivateIpAddress") {
        Some(ip) if amount == 1 => {
            Some(parse_ip(ip).ok_or_else(|| SimError::invalid("PrivateIpAddress", ip))?)
        }
        Some(_) => {
            return Err(SimError::bad(
                "InvalidParameter.Conflict",
                "PrivateIpAddress can only be given with Amount=1.",
            ))
        }
        None => None,
    };
    {
        let vsw = &state.vswitches[&vsw_id];
        if vsw.available_ips() < amount {
            return Err(SimError::forbidden(
                "InvalidVSwitchId.IpNotEnough",
                format!("The VSwitch {vsw_id} does not have enough free IP addresses."),
            ));
        }
        if let Some(ip) = wanted_ip {
            if !vsw.cidr.contains_ip(ip) {
                return Err(SimError::bad(
                    "InvalidPrivateIpAddress.Mismatch",
                    "The PrivateIpAddress is not in the VSwitch's CIDR block.",
                ));
            }
            if vsw.used_ips.contains(&ip) {
                return Err(SimError::bad(
                    "InvalidPrivateIpAddress.Duplicated",
                    "The PrivateIpAddress is already in use.",
                ));
            }
        }
    }
    let bandwidth_out = p.int("InternetMaxBandwidthOut")?.unwrap_or(0);
    let mut ids = Vec::new();
    for n in 0..amount {
        let id = state.new_id("i");
        let ip = state
            .vswitches
            .get_mut(&vsw_id)
            .expect("checked")
            .allocate_ip(if n == 0 { wanted_ip } else { None })
            .expect("capacity checked");
        let name = match p.get("InstanceName") {
            Some(name) if amount > 1 => format!("{name}{:03}", n + 1),
            Some(name) => name.to_string(),
            None => id.clone(),
        };
        let mut status = Transition::settled(InstanceStatus::Pending, ctx.now);
        if run {
            status.start(
                InstanceStatus::Pending,
                &[InstanceStatus::Starting, InstanceStatus::Running],
                ctx.now,
            );
        } else {
            status.start(InstanceStatus::Pending, &[InstanceStatus::Stopped], ctx.now);
        }
        let instance = EcsInstance {
            id: id.clone(),
            name,
            description: p.get_or("Description", "").into(),
            host_name: p
                .get("HostName")
                .map(str::to_string)
                .unwrap_or_else(|| format!("iZ{}Z", &id[2..])),
            region_id: region.clone(),
            zone_id: zone_id.clone(),
            instance_type: type_name.into(),
            cpu,
            memory_mib: memory,
            image_id: image_id.clone(),
            vpc_id: vpc_id.clone(),
            vswitch_id: vsw_id.clone(),
            private_ip: ip_to_string(ip),
            security_group_ids: group_ids.clone(),
            status,
            created: ctx.now,
            tags: p.tags(),
            instance_charge_type: p.get_or("InstanceChargeType", "PostPaid").into(),
            internet_charge_type: p.get_or("InternetChargeType", "PayByTraffic").into(),
            internet_max_bandwidth_out: bandwidth_out,
            password_set: p.get("Password").is_some(),
            eip_allocation_id: None,
            // RunInstances starts what it makes; CreateInstance leaves it Stopped, never started.
            ever_started: run,
            vnc_password: None,
            deletion_protection: p.bool("DeletionProtection", false)?,
        };
        state.instances.insert(id.clone(), instance);
        let system_disk = state.new_id("d");
        state.disks.insert(
            system_disk.clone(),
            EcsDisk {
                name: p.get_or("SystemDisk.DiskName", "").into(),
                image_id: image_id.clone(),
                ..EcsDisk::new(system_disk, "system", &region, &zone_id, &system_category, system_size, ctx.now).attached_at(&id, "/dev/xvda".into())
            },
        );
        for (index, (category, size, delete_with, disk_name)) in data_disks.iter().enumerate() {
            let disk_id = state.new_id("d");
            state.disks.insert(
                disk_id.clone(),
                EcsDisk {
                    name: disk_name.clone(),
                    delete_with_instance: *delete_with,
                    ..EcsDisk::new(disk_id, "data", &region, &zone_id, category, *size, ctx.now).attached_at(&id, device_name(index + 1))
                },
            );
        }
        ids.push(id);
    }
    if run {
        Ok(to_json(&RunInstancesResponse {
            request_id: String::new(),
            order_id: String::new(),
            trade_price: 0.0,
            instance_id_sets: ids,
        }))
    } else {
        Ok(to_json(&CreateInstanceResponse {
            request_id: String::new(),
            instance_id: ids.remove(0),
            order_id: String::new(),
            trade_price: 0.0,
        }))
    }
}

/// `/dev/xvda` is the system disk; data disks get b, c, ...
fn device_name(index: usize) -> String {
    format!("/dev/xvd{}", (b'a' + index as u8) as char)
}

pub(super) fn instance_mut<'a>(
    state: &'a mut SimState,
    p: &RpcParams,
) -> SimResult<&'a mut EcsInstance> {
    let id = p.required("InstanceId")?;
    let region = region_param(p, false)?;
    state
        .instances
        .get_mut(id)
        .filter(|i| region.is_none_or(|r| r == i.region_id))
        .ok_or_else(|| instance_not_found(id))
}

fn start_instance(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let instance = instance_mut(state, p)?;
    instance.require_status(&[InstanceStatus::Stopped])?;
    instance.status.start(
        InstanceStatus::Starting,
        &[InstanceStatus::Running],
        ctx.now,
    );
    instance.ever_started = true;
    Ok(ok())
}

fn stop_instance(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let force = p.bool("ForceStop", false)?;
    let instance = instance_mut(state, p)?;
    let allowed: &[_] = if force { &[InstanceStatus::Running, InstanceStatus::Starting] } else { &[InstanceStatus::Running] };
    instance.require_status(allowed)?;
    instance.status.start(
        InstanceStatus::Stopping,
        &[InstanceStatus::Stopped],
        ctx.now,
    );
    Ok(ok())
}

fn reboot_instance(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let instance = instance_mut(state, p)?;
    instance.require_status(&[InstanceStatus::Running])?;
    instance.status.start(
        InstanceStatus::Stopping,
        &[InstanceStatus::Starting, InstanceStatus::Running],
        ctx.now,
    );
    Ok(ok())
}

fn delete_instance(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let force = p.bool("Force", false)?;
    let instance = instance_mut(state, p)?;
    if instance.deletion_protection {
        return Err(SimError::forbidden(
            "InvalidOperation.DeletionProtection",
            format!(
                "The instance {} has deletion protection; turn DeletionProtection off first.",
                instance.id
            ),
        ));
    }
    let allowed: &[_] = if force { &[InstanceStatus::Stopped, InstanceStatus::Running] } else { &[InstanceStatus::Stopped] };
    instance.require_status(allowed)?;
    let instance = instance.clone();
    release_instance(state, &instance);
    Ok(ok())
}

/// Removes an instance and what goes with it: its IP, disks marked DeleteWithInstance
/// (others become Available), its EIP association.
pub fn release_instance(state: &mut SimState, instance: &EcsInstance) {
    state.instances.remove(&instance.id);
    if let (Some(vsw), Some(ip)) = (
        state.vswitches.get_mut(&instance.vswitch_id),
        parse_ip(&instance.private_ip),
    ) {
        vsw.used_ips.remove(&ip);
    }
    let disks: Vec<String> = state
        .disks
        .values()
        .filter(|d| d.instance_id.as_deref() == Some(&instance.id))
        .map(|d| d.id.clone())
        .collect();
    for disk_id in disks {
        let disk = state.disks.get_mut(&disk_id).expect("listed");
        if disk.delete_with_instance {
            state.disks.remove(&disk_id);
        } else {
            disk.instance_id = None;
            disk.device.clear();
        }
    }
    for eip in state.eips.values_mut() {
        if eip.instance_id.as_deref() == Some(&instance.id) {
            eip.instance_id = None;
            eip.instance_type.clear();
        }
    }
}

fn vnc_url(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let instance = instance_mut(state, p)?;
    instance.require_status(&[InstanceStatus::Running])?;
    let token = hex::encode(rand::random::<[u8; 12]>());
    let ws_base = ctx.base_url.replacen("http", "ws", 1);
    Ok(json!({ "VncUrl": format!("{ws_base}/__sim/vnc/{}?vncToken={token}", instance.id) }))
}

fn modify_instance(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    if let Some(password) = p.get("Password") {
        check_password(password)?;
    }
    let protection = p
        .get("DeletionProtection")
        .map(|_| p.bool("DeletionProtection", false))
        .transpose()?;
    let instance = instance_mut(state, p)?;
    if let Some(name) = p.get("InstanceName") {
        instance.name = name.into();
    }
    if let Some(description) = p.get("Description") {
        instance.description = description.into();
    }
    if let Some(host) = p.get("HostName") {
        instance.host_name = host.into();
    }
    if p.get("Password").is_some() {
        instance.password_set = true;
    }
    if let Some(protect) = protection {
        instance.deletion_protection = protect;
    }
    Ok(ok())
}

pub(super) fn group_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidSecurityGroupId.NotFound",
        format!("The specified SecurityGroupId {id} does not exist."),
    )
}

fn security_group_json(state: &SimState, g: &SimSecurityGroup) -> Value {
    let mut v = to_json(&SecurityGroup {
        security_group_id: g.id.clone(),
        security_group_name: g.name.clone(),
        security_group_type: "normal".into(),
        description: g.description.clone(),
        vpc_id: g.vpc_id.clone(),
        creation_time: super::vpc_time(g.created),
        tags: ecs_tags(&g.tags),
    });
    let ecs_count = state
        .instances
        .values()
        .filter(|i| i.security_group_ids.contains(&g.id))
        .count();
    let map = v.as_object_mut().expect("object");
    map.insert("EcsCount".into(), json!(ecs_count));
    map.insert(
        "AvailableInstanceAmount".into(),
        json!(2000usize.saturating_sub(ecs_count)),
    );
    map.insert("RuleCount".into(), json!(g.rules.len()));
    map.insert("ServiceManaged".into(), json!(false));
    v
}

fn describe_security_groups(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let mut ids = p.json_list("SecurityGroupIds")?;
    if let Some(one) = p.get("SecurityGroupId") {
        ids.push(one.to_string());
    }
    let items: Vec<&SimSecurityGroup> = state
        .security_groups
        .values()
        .filter(|g| g.region_id == region && (ids.is_empty() || ids.contains(&g.id)))
        .filter(|g| matches_filter(&g.vpc_id, p.get("VpcId")))
        .filter(|g| matches_filter(&g.name, p.get("SecurityGroupName")))
        .filter(|g| p.tags_match(&g.tags))
        .collect();
    let mut body = answer_page(page_of(items, p, 10, 50, true)?, "SecurityGroups", "SecurityGroup", |g| security_group_json(state, g));
    body["RegionId"] = json!(region);
    Ok(body)
}

fn create_security_group(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let vpc_id = p.get_or("VpcId", "").to_string();
    if !vpc_id.is_empty()
        && state
            .vpcs
            .get(&vpc_id)
            .is_none_or(|v| v.region_id != region)
    {
        return Err(super::vpc::vpc_not_found(&vpc_id));
    }
    if SimState::count_in_region(&state.security_groups, &region, |g| &g.region_id)
        >= state.quotas.security_groups_per_region
    {
        return Err(SimError::forbidden(
            "QuotaExceed.SecurityGroup",
            format!("The maximum number of security groups in {region} is reached."),
        ));
    }
    let id = state.new_id("sg");
    let name = p.get_or("SecurityGroupName", "").to_string();
    state.security_groups.insert(
        id.clone(),
        SimSecurityGroup {
            id: id.clone(),
            name,
            description: p.get_or("Description", "").into(),
            region_id: region,
            vpc_id,
            rules: Vec::new(),
            created: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(to_json(&CreateSecurityGroupResponse {
        request_id: String::new(),
        security_group_id: id,
    }))
}

/// Builds and checks one rule from a `Permissions.N` group or the top-level parameters.
fn parse_rule(
    state: &SimState,
    fields: &dyn Fn(&str) -> Option<String>,
    direction: &str,
    ctx: &RpcContext<'_>,
) -> SimResult<SecurityGroupRuleRecord> {
    let protocol = fields("IpProtocol").ok_or_else(|| SimError::missing("IpProtocol"))?;
    let protocol_upper = protocol.to_ascii_uppercase();
    if !["TCP", "UDP", "ICMP", "GRE", "ALL", "ICMPV6"].contains(&protocol_upper.as_str()) {
        return Err(SimError::bad(
            "InvalidIpProtocol.Malformed",
            format!("The specified IpProtocol {protocol} is not valid."),
        ));
    }
    let port_range = fields("PortRange").ok_or_else(|| SimError::missing("PortRange"))?;
    let port_ok = match protocol_upper.as_str() {
        "TCP" | "UDP" => port_range
            .split_once('/')
            .and_then(|(a, b)| Some((a.parse::<i32>().ok()?, b.parse::<i32>().ok()?)))
            .is_some_and(|(a, b)| (1..=65535).contains(&a) && (a..=65535).contains(&b)),
        _ => port_range == "-1/-1",
    };
    if !port_ok {
        return Err(SimError::bad(
            "InvalidPortRange.Malformed",
            format!("The specified PortRange {port_range} is not valid for {protocol}."),
        ));
    }
    let (cidr_key, group_key) = if direction == "ingress" {
        ("SourceCidrIp", "SourceGroupId")
    } else {
        ("DestCidrIp", "DestGroupId")
    };
    let cidr = fields(cidr_key).unwrap_or_default();
    let group = fields(group_key).unwrap_or_default();
    if cidr.is_empty() && group.is_empty() {
        return Err(SimError::missing(cidr_key));
    }
    if !cidr.is_empty() && crate::cidr::Cidr::parse(&cidr).is_none() && parse_ip(&cidr).is_none() {
        return Err(SimError::bad(
            &format!("Invalid{cidr_key}.Malformed"),
            format!("The specified {cidr_key} {cidr} is not valid."),
        ));
    }
    if !group.is_empty() && !state.security_groups.contains_key(&group) {
        return Err(group_not_found(&group));
    }
    let policy = fields("Policy")
        .unwrap_or_else(|| "accept".into())
        .to_ascii_lowercase();
    if policy != "accept" && policy != "drop" {
        return Err(SimError::invalid("Policy", &policy));
    }
    let priority = fields("Priority").unwrap_or_else(|| "1".into());
    if !priority
        .parse::<i32>()
        .is_ok_and(|n| (1..=100).contains(&n))
    {
        return Err(SimError::invalid("Priority", &priority));
    }
    Ok(SecurityGroupRuleRecord {
        id: String::new(),
        direction: direction.into(),
        ip_protocol: protocol_upper,
        port_range,
        source_cidr_ip: if direction == "ingress" {
            cidr.clone()
        } else {
            String::new()
        },
        source_group_id: if direction == "ingress" {
            group.clone()
        } else {
            String::new()
        },
        dest_cidr_ip: if direction == "egress" {
            cidr
        } else {
            String::new()
        },
        dest_group_id: if direction == "egress" {
            group
        } else {
            String::new()
        },
        policy: if policy == "accept" {
            "Accept".into()
        } else {
            "Drop".into()
        },
        priority,
        nic_type: fields("NicType").unwrap_or_else(|| "intranet".into()),
        description: fields("Description").unwrap_or_default(),
        created: super::vpc_time(ctx.now),
    })
}

fn change_rules(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
    direction: &str,
    add: bool,
) -> SimResult<Value> {
    let group_id = p.required("SecurityGroupId")?.to_string();
    let region = region_param(p, false)?;
    if state
        .security_groups
        .get(&group_id)
        .is_none_or(|g| region.is_some_and(|r| r != g.region_id))
    {
        return Err(group_not_found(&group_id));
    }
    // Newer SDKs send Permissions.N.*; older ones the fields at the top level.
    let groups = p.indexed("Permissions");
    let mut rules = Vec::new();
    if groups.is_empty() {
        rules.push(parse_rule(
            state,
            &|k| p.get(k).map(str::to_string),
            direction,
            ctx,
        )?);
    } else {
        for g in &groups {
            rules.push(parse_rule(
                state,
                &|k| g.get(k).filter(|v| !v.is_empty()).cloned(),
                direction,
                ctx,
            )?);
        }
    }
    if add {
        for mut rule in rules {
            let exists = state.security_groups[&group_id]
                .rules
                .iter()
                .any(|r| r.same_rule(&rule));
            if exists {
                return Err(SimError::bad(
                    "InvalidPermission.Duplicate",
                    "The specified rule already exists.",
                ));
            }
            rule.id = state.new_id("sgr");
            state
                .security_groups
                .get_mut(&group_id)
                .expect("checked")
                .rules
                .push(rule);
        }
    } else {
        let group = state.security_groups.get_mut(&group_id).expect("checked");
        group
            .rules
            .retain(|r| !rules.iter().any(|gone| gone.same_rule(r)));
    }
    Ok(ok())
}

fn describe_security_group_attribute(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("SecurityGroupId")?;
    let region = region_param(p, false)?;
    let group = state
        .security_groups
        .get(id)
        .filter(|g| region.is_none_or(|r| r == g.region_id))
        .ok_or_else(|| group_not_found(id))?;
    let direction = p.get_or("Direction", "all");
    let permissions: Vec<Value> = group
        .rules
        .iter()
        .filter(|r| direction == "all" || r.direction == direction)
        .map(|r| {
            let group_name = |id: &str| {
                state
                    .security_groups
                    .get(id)
                    .map(|g| g.name.clone())
                    .unwrap_or_default()
            };
            json!({
                "SecurityGroupRuleId": r.id,
                "Direction": r.direction,
                "IpProtocol": r.ip_protocol,
                "PortRange": r.port_range,
                "SourcePortRange": "",
                "SourceCidrIp": r.source_cidr_ip,
                "SourceGroupId": r.source_group_id,
                "SourceGroupName": group_name(&r.source_group_id),
                "DestCidrIp": r.dest_cidr_ip,
                "DestGroupId": r.dest_group_id,
                "DestGroupName": group_name(&r.dest_group_id),
                "Policy": r.policy,
                "Priority": r.priority,
                "NicType": r.nic_type,
                "Description": r.description,
                "CreateTime": r.created,
                "Ipv6SourceCidrIp": "",
                "Ipv6DestCidrIp": "",
            })
        })
        .collect();
    Ok(json!({
        "RegionId": group.region_id,
        "SecurityGroupId": group.id,
        "SecurityGroupName": group.name,
        "Description": group.description,
        "VpcId": group.vpc_id,
        "InnerAccessPolicy": "Accept",
        "Permissions": { "Permission": permissions },
    }))
}

fn delete_security_group(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("SecurityGroupId")?.to_string();
    let region = region_param(p, false)?;
    if state
        .security_groups
        .get(&id)
        .is_none_or(|g| region.is_some_and(|r| r != g.region_id))
    {
        return Err(group_not_found(&id));
    }
    if state
        .instances
        .values()
        .any(|i| i.security_group_ids.contains(&id))
    {
        return Err(SimError::forbidden(
            "DependencyViolation",
            "There is still instance(s) in the specified security group.",
        ));
    }
    let referenced = state.security_groups.values().any(|g| {
        g.id != id
            && g.rules
                .iter()
                .any(|r| r.source_group_id == id || r.dest_group_id == id)
    });
    if referenced {
        return Err(SimError::forbidden(
            "DependencyViolation",
            "The specified security group is referenced by rules of another security group.",
        ));
    }
    state.security_groups.remove(&id);
    Ok(ok())
}

/// `InvalidImageName.Duplicated` when an image of `region` already has `name`.
pub(super) fn image_name_free(state: &SimState, name: &str, region: &str) -> SimResult<()> {
    if state.images.values().any(|i| i.name == name && i.region_id.as_deref() == Some(region)) {
        return Err(SimError::bad("InvalidImageName.Duplicated", format!("The image name {name} is already used in {region}.")));
    }
    Ok(())
}

pub fn disk_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidDiskId.NotFound",
        format!("The specified disk {id} does not exist."),
    )
}

/// CreateDisk: an empty disk of `Size`, or one made from an accomplished snapshot
/// (`SnapshotId`; `Size`, when given too, may not be below the snapshot's source disk).
/// Any snapshot may make a data disk, a system disk's too (Alibaba's `Usage` then reads
/// `image_disk` once images were also made from it).
fn create_disk(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let zone = p.required("ZoneId")?.to_string();
    if zone_region(&zone).is_none_or(|r| r.region_id != region) {
        return Err(SimError::not_found(
            "InvalidZoneId.NotFound",
            format!("The specified zone {zone} does not exist in {region}."),
        ));
    }
    let category = p.get_or("DiskCategory", "cloud").to_string();
    let wanted_size = p.int("Size")?;
    let snapshot_id = p.get("SnapshotId").unwrap_or_default().to_string();
    let size = if snapshot_id.is_empty() {
        wanted_size.ok_or_else(|| {
            SimError::bad(
                "MissingParameter",
                "The input parameter either \"SnapshotId\" or \"Size\" should be specified.",
            )
        })?
    } else {
        let snapshot = state
            .snapshots
            .get(&snapshot_id)
            .filter(|s| s.region_id == region)
            .ok_or_else(|| super::snapshot::snapshot_not_found(&snapshot_id))?;
        if snapshot.status.current != SnapshotStatus::Accomplished {
            return Err(SimError::forbidden(
                "InvalidSnapshotId.NotReady",
                format!("The specified snapshot {snapshot_id} has not completed yet."),
            ));
        }
        let smallest = snapshot.source_disk_size_gb;
        match wanted_size {
            Some(size) if size < smallest => {
                return Err(SimError::forbidden(
                    "InvalidDiskSize.TooSmall",
                    format!(
                        "Specified disk size ({size} GiB) is less than the size of snapshot {snapshot_id} ({smallest} GiB)."
                    ),
                ))
            }
            Some(size) => size,
            None => smallest,
        }
    };
    check_disk(&category, size, "disk")?;
    if SimState::count_in_region(&state.disks, &region, |d| &d.region_id)
        >= state.quotas.disks_per_region
    {
        return Err(SimError::forbidden(
            "QuotaExceed.Disk",
            "The maximum number of disks is reached.",
        ));
    }
    let id = state.new_id("d");
    state.disks.insert(
        id.clone(),
        EcsDisk {
            name: p.get_or("DiskName", "").into(),
            description: p.get_or("Description", "").into(),
            source_snapshot_id: snapshot_id,
            tags: p.tags(),
            ..EcsDisk::new(id.clone(), "data", &region, &zone, &category, size, ctx.now)
        },
    );
    Ok(to_json(&CreateDiskResponse {
        request_id: String::new(),
        disk_id: id,
        order_id: String::new(),
    }))
}

fn attach_disk(state: &mut SimState, p: &RpcParams, _ctx: &RpcContext<'_>) -> SimResult<Value> {
    let instance_id = p.required("InstanceId")?.to_string();
    let disk_id = p.required("DiskId")?.to_string();
    let disk = state
        .disks
        .get(&disk_id)
        .ok_or_else(|| disk_not_found(&disk_id))?;
    let instance = state
        .instances
        .get(&instance_id)
        .ok_or_else(|| instance_not_found(&instance_id))?;
    if disk.instance_id.is_some() {
        return Err(SimError::forbidden(
            "IncorrectDiskStatus",
            format!("The disk {disk_id} is In_use."),
        ));
    }
    instance.require_status(&[InstanceStatus::Running, InstanceStatus::Stopped])?;
    if disk.zone_id != instance.zone_id {
        return Err(SimError::forbidden(
            "InvalidDiskId.ZoneMismatch",
            format!(
                "The disk is in {}, the instance in {}.",
                disk.zone_id, instance.zone_id
            ),
        ));
    }
    let used: Vec<String> = state
        .disks
        .values()
        .filter(|d| d.instance_id.as_deref() == Some(&instance_id))
        .map(|d| d.device.clone())
        .collect();
    if used.len() > MAX_DATA_DISKS {
        return Err(SimError::bad(
            "InstanceDiskNumber.LimitExceed",
            "An instance can have at most 16 data disks.",
        ));
    }
    let device = (1..=MAX_DATA_DISKS + 1)
        .map(device_name)
        .find(|d| !used.contains(d))
        .expect("a free device");
    let delete_with = p.bool("DeleteWithInstance", false)?;
    let disk = state.disks.get_mut(&disk_id).expect("checked");
    disk.instance_id = Some(instance_id);
    disk.device = device;
    disk.delete_with_instance = delete_with;
    disk.ever_attached = true;
    Ok(ok())
}

fn detach_disk(state: &mut SimState, p: &RpcParams, _ctx: &RpcContext<'_>) -> SimResult<Value> {
    let instance_id = p.required("InstanceId")?.to_string();
    let disk_id = p.required("DiskId")?.to_string();
    if !state.instances.contains_key(&instance_id) {
        return Err(instance_not_found(&instance_id));
    }
    let disk = state
        .disks
        .get_mut(&disk_id)
        .ok_or_else(|| disk_not_found(&disk_id))?;
    if disk.instance_id.as_deref() != Some(&instance_id) {
        return Err(SimError::forbidden(
            "IncorrectDiskStatus",
            format!("The disk {disk_id} is not attached to {instance_id}."),
        ));
    }
    if disk.disk_type == "system" {
        return Err(SimError::forbidden(
            "IncorrectDiskStatus",
            "A system disk cannot be detached.",
        ));
    }
    disk.instance_id = None;
    disk.device.clear();
    Ok(ok())
}

fn delete_disk(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let disk_id = p.required("DiskId")?.to_string();
    let disk = state
        .disks
        .get(&disk_id)
        .ok_or_else(|| disk_not_found(&disk_id))?;
    if disk.instance_id.is_some() {
        return Err(SimError::forbidden(
            "IncorrectDiskStatus",
            format!("The disk {disk_id} is In_use; detach it first."),
        ));
    }
    state.disks.remove(&disk_id);
    Ok(ok())
}

fn disk_json(d: &EcsDisk) -> Value {
    let mut v = to_json(&Disk {
        disk_id: d.id.clone(),
        disk_name: d.name.clone(),
        description: d.description.clone(),
        category: d.category.clone(),
        size: d.size_gb,
        status: if d.instance_id.is_some() {
            "In_use"
        } else {
            "Available"
        }
        .into(),
        disk_type: d.disk_type.clone(),
        instance_id: d.instance_id.clone().unwrap_or_default(),
        device: d.device.clone(),
        region_id: d.region_id.clone(),
        zone_id: d.zone_id.clone(),
        image_id: d.image_id.clone(),
        creation_time: ecs_time(d.created),
        delete_with_instance: d.delete_with_instance,
        enable_auto_snapshot: d.enable_auto_snapshot,
        delete_auto_snapshot: d.delete_auto_snapshot,
        portable: d.disk_type == "data",
        source_snapshot_id: d.source_snapshot_id.clone(),
        tags: ecs_tags(&d.tags),
    });
    let attachments: Vec<Value> = d
        .instance_id
        .iter()
        .map(
            |i| json!({ "InstanceId": i, "Device": d.device, "AttachedTime": ecs_time(d.created) }),
        )
        .collect();
    let map = v.as_object_mut().expect("object");
    map.insert("Attachments".into(), json!({ "Attachment": attachments }));
    map.insert("Encrypted".into(), json!(false));
    map.insert("DiskChargeType".into(), json!("PostPaid"));
    v
}

fn describe_disks(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = p.json_list("DiskIds")?;
    let disk_type = p.get_or("DiskType", "all");
    let items: Vec<&EcsDisk> = state
        .disks
        .values()
        .filter(|d| d.region_id == region && (ids.is_empty() || ids.contains(&d.id)))
        .filter(|d| {
            p.get("InstanceId")
                .is_none_or(|i| d.instance_id.as_deref() == Some(i))
        })
        .filter(|d| matches_filter(&d.zone_id, p.get("ZoneId")))
        .filter(|d| matches_filter(&d.category, p.get("Category")))
        .filter(|d| disk_type == "all" || d.disk_type == disk_type)
        .filter(|d| p.tags_match(&d.tags))
        .filter(|d| {
            p.get("Status").is_none_or(|s| {
                s == "All"
                    || s == if d.instance_id.is_some() {
                        "In_use"
                    } else {
                        "Available"
                    }
            })
        })
        .collect();
    Ok(answer_page(page_of(items, p, 10, 100, true)?, "Disks", "Disk", |d| disk_json(d)))
}

fn image_json(img: &SimImage, region: &str) -> Value {
    let status = img.status.current;
    let progress = match status {
        ImageStatus::Waiting => "0%",
        ImageStatus::Creating => "50%",
        ImageStatus::Available => "100%",
    };
    let mut v = to_json(&Image {
        image_id: img.id.clone(),
        image_name: img.name.clone(),
        description: img.description.clone(),
        status: status.as_str().into(),
        progress: progress.into(),
        size: img.size_gb,
        os_type: img.os_type.clone(),
        os_name: img.os_name.clone(),
        platform: img.platform.clone(),
        architecture: img.architecture.clone(),
        image_owner_alias: img.owner_alias.clone(),
        creation_time: super::vpc_time(img.created),
        usage: "instance".into(),
    });
    let map = v.as_object_mut().expect("object");
    map.insert("IsSupportCloudinit".into(), json!(true));
    map.insert("IsSupportIoOptimized".into(), json!(true));
    map.insert("IsPublic".into(), json!(img.owner_alias == "system"));
    map.insert("IsCopied".into(), json!(false));
    map.insert("Usable".into(), json!(status == ImageStatus::Available));
    map.insert("BootMode".into(), json!("BIOS"));
    map.insert("OSNameEn".into(), json!(img.os_name));
    map.insert("RegionId".into(), json!(region));
    let mapping = if !img.source_snapshot_id.is_empty() {
        vec![json!({
            "Device": "/dev/xvda",
            "Size": img.size_gb.to_string(),
            "SnapshotId": img.source_snapshot_id,
            "Progress": progress,
            "Type": "system",
        })]
    } else if img.oss_object.is_empty() {
        Vec::new()
    } else {
        vec![json!({
            "Device": "/dev/xvda",
            "Size": img.size_gb.to_string(),
            "Format": img.format,
            "ImportOSSBucket": img.oss_bucket,
            "ImportOSSObject": img.oss_object,
            "Progress": progress,
            "Type": "system",
        })]
    };
    map.insert(
        "DiskDeviceMappings".into(),
        json!({ "DiskDeviceMapping": mapping }),
    );
    v
}

fn describe_images(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids: Vec<&str> = p
        .get("ImageId")
        .map(|s| s.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let statuses: Vec<&str> = p
        .get_or("Status", "Available")
        .split(',')
        .map(str::trim)
        .collect();
    let owner = p.get("ImageOwnerAlias");
    let items: Vec<&SimImage> = state
        .images
        .values()
        .filter(|i| image_visible(i, region))
        .filter(|i| ids.is_empty() || ids.contains(&i.id.as_str()))
        .filter(|i| statuses.contains(&i.status.current.as_str()))
        .filter(|i| matches_filter(&i.name, p.get("ImageName")))
        .filter(|i| matches_filter(&i.owner_alias, owner))
        .filter(|i| p.tags_match(&i.tags))
        .collect();
    let mut body = answer_page(page_of(items, p, 10, 100, false)?, "Images", "Image", |i| image_json(i, region));
    body["RegionId"] = json!(region);
    Ok(body)
}

fn import_image(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let mappings = p.indexed("DiskDeviceMapping");
    let first = mappings
        .first()
        .ok_or_else(|| SimError::missing("DiskDeviceMapping.1.OSSBucket"))?;
    let bucket_name = first
        .get("OSSBucket")
        .cloned()
        .ok_or_else(|| SimError::missing("DiskDeviceMapping.1.OSSBucket"))?;
    let object_name = first
        .get("OSSObject")
        .cloned()
        .ok_or_else(|| SimError::missing("DiskDeviceMapping.1.OSSObject"))?;
    let bucket = state.buckets.get(&bucket_name).ok_or_else(|| {
        SimError::not_found(
            "InvalidOSSBucket.NotFound",
            format!("The specified OSS bucket {bucket_name} does not exist."),
        )
    })?;
    let object = bucket.objects.get(&object_name).ok_or_else(|| {
        SimError::not_found(
            "InvalidOSSObject.NotFound",
            format!("The specified OSS object {object_name} does not exist in {bucket_name}."),
        )
    })?;
    let format = first
        .get("Format")
        .cloned()
        .unwrap_or_else(|| "RAW".into())
        .to_ascii_uppercase();
    if !["RAW", "VHD", "QCOW2", "VMDK"].contains(&format.as_str()) {
        return Err(SimError::bad(
            "InvalidParameter.Format",
            format!("The image format {format} is not supported."),
        ));
    }
    const GIB: u64 = 1 << 30;
    let from_object = (object.body.len() as u64).div_ceil(GIB).max(5) as i64;
    let size = match first.get("DiskImageSize") {
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| SimError::invalid("DiskImageSize", s))?,
        None => from_object,
    };
    let name = p.get("ImageName").map(str::to_string);
    if let Some(name) = &name {
        image_name_free(state, name, &region)?;
    }
    let architecture = p.get_or("Architecture", "x86_64").to_string();
    if architecture != "x86_64" && architecture != "arm64" && architecture != "i386" {
        return Err(SimError::invalid("Architecture", &architecture));
    }
    let id = state.new_id("m");
    let mut status = Transition::settled(ImageStatus::Waiting, ctx.now);
    status.start(
        ImageStatus::Waiting,
        &[ImageStatus::Creating, ImageStatus::Available],
        ctx.now,
    );
    state.images.insert(
        id.clone(),
        SimImage {
            id: id.clone(),
            name: name.unwrap_or_else(|| id.clone()),
            description: p.get_or("Description", "").into(),
            region_id: Some(region.clone()),
            os_name: p.get_or("Platform", "Others Linux").into(),
            os_type: p.get_or("OSType", "linux").into(),
            platform: p.get_or("Platform", "Others Linux").into(),
            architecture,
            size_gb: size,
            owner_alias: "self".into(),
            status,
            oss_bucket: bucket_name,
            oss_object: object_name,
            format,
            source_snapshot_id: String::new(),
            created: ctx.now,
            tags: p.tags(),
        },
    );
    let task = state.new_id("t");
    Ok(to_json(&ImportImageResponse {
        request_id: String::new(),
        image_id: id,
        region_id: region,
        task_id: task,
    }))
}

/// An image of the account in `region`; public images exist but cannot be `changed`.
pub(super) fn own_image_mut<'a>(
    state: &'a mut SimState,
    region: &str,
    id: &str,
    changed: &str,
) -> SimResult<&'a mut SimImage> {
    let image = state
        .images
        .get_mut(id)
        .filter(|i| image_visible(i, region))
        .ok_or_else(|| {
            SimError::not_found(
                "InvalidImageId.NotFound",
                format!("The specified ImageId {id} does not exist."),
            )
        })?;
    if image.region_id.is_none() {
        return Err(SimError::forbidden(
            "OperationDenied",
            format!("Public images cannot be {changed}."),
        ));
    }
    Ok(image)
}

fn delete_image(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let id = p.required("ImageId")?.to_string();
    let force = p.bool("Force", false)?;
    own_image_mut(state, region, &id, "deleted")?;
    if !force && state.instances.values().any(|i| i.image_id == id) {
        return Err(SimError::forbidden(
            "ImageInUse",
            format!("The image {id} is used by instances; use Force=true."),
        ));
    }
    state.images.remove(&id);
    Ok(ok())
}
