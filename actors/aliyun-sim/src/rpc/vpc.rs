//! VPC (2016-04-28) actions: VPCs, vSwitches, elastic IPs, vRouters and route tables,
//! border routers and router interfaces. Answers use `zstack_aliyun::vpc` structs where
//! the client has them; route and border-router shapes (not in `response_shapes.json`
//! for DescribeRouteEntryList, DescribeVirtualBorderRouters, DescribeRouterInterfaces)
//! follow the service's documented answers.
//!
//! Rules: a VSwitch CIDR must be a /16../29 inside its VPC's CIDR (`InvalidCidrBlock.Mismatch`)
//! and overlap no other VSwitch of that VPC (`InvalidCidrBlock.Overlapped`); DeleteVpc
//! refuses while VSwitches, security groups, VPN gateways or custom routes remain
//! (`DependencyViolation.VSwitch` / `.SecurityGroup` / `.Instance` / `.RouteEntry`);
//! DeleteVSwitch refuses while instances or VPN gateways use it; router interfaces need
//! an existing router, a known spec (`Negative` on the accepting side), at most five per
//! router, a VBR only as the initiating side, and are deleted only when not Active and
//! no route points at them (Idle or Inactive only); route tables are the VPCs' and the
//! border routers' (whose routes `express` checks); EIPs associate with
//! Running/Stopped instances only, once, and cannot be released while InUse
//! (`IncorrectEipStatus`); quotas `QuotaExceeded.Vpc` / `.VSwitch` / `.Eip`.

use serde_json::{json, Value};
use zstack_aliyun::vpc::{
    AllocateEipAddressResponse, CreateVSwitchResponse, CreateVpcResponse, EipAddress, VSwitch, Vpc,
};

use super::{answer_page, page_of, region_param, to_json, vpc_time, RpcContext, RpcParams};
use crate::cidr::Cidr;
use crate::error::{SimError, SimResult};
use crate::state::{
    zone_region, InstanceStatus, SimEip, SimRouteEntry, SimRouterInterface, SimState, SimVSwitch,
    SimVpc,
};

pub fn handle(
    state: &mut SimState,
    action: &str,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Option<Value>> {
    let body = match action {
        "DescribeVpcs" => describe_vpcs(state, p)?,
        "CreateVpc" => create_vpc(state, p, ctx)?,
        "DeleteVpc" => delete_vpc(state, p)?,
        "DescribeVSwitches" => describe_vswitches(state, p)?,
        "CreateVSwitch" => create_vswitch(state, p, ctx)?,
        "DeleteVSwitch" => delete_vswitch(state, p)?,
        "AllocateEipAddress" => allocate_eip(state, p, ctx)?,
        "AssociateEipAddress" => associate_eip(state, p)?,
        "UnassociateEipAddress" => unassociate_eip(state, p)?,
        "ReleaseEipAddress" => release_eip(state, p)?,
        "DescribeEipAddresses" => describe_eips(state, p)?,
        "DescribeVRouters" => describe_vrouters(state, p)?,
        "DescribeRouteTables" => describe_route_tables(state, p)?,
        "DescribeRouteEntryList" => describe_route_entry_list(state, p)?,
        "CreateRouteEntry" => create_route_entry(state, p, ctx)?,
        "DeleteRouteEntry" => delete_route_entry(state, p)?,
        "DescribeVirtualBorderRouters" => describe_vbrs(state, p)?,
        "DescribeRouterInterfaces" => describe_router_interfaces(state, p)?,
        "CreateRouterInterface" => create_router_interface(state, p, ctx)?,
        "DeleteRouterInterface" => delete_router_interface(state, p)?,
        _ => return Ok(None),
    };
    Ok(Some(body))
}

pub fn vpc_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidVpcId.NotFound",
        format!("The specified VpcId {id} does not exist."),
    )
}

pub fn vswitch_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidVSwitchId.NotFound",
        format!("The specified VSwitchId {id} does not exist."),
    )
}

fn eip_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidAllocationId.NotFound",
        format!("The specified AllocationId {id} does not exist."),
    )
}

fn ok() -> Value {
    json!({})
}

fn ids_filter(p: &RpcParams, name: &str) -> Vec<String> {
    p.get(name)
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn vpc_json(state: &SimState, v: &SimVpc) -> Value {
    let vswitch_ids: Vec<String> = state
        .vswitches
        .values()
        .filter(|s| s.vpc_id == v.id)
        .map(|s| s.id.clone())
        .collect();
    let mut j = to_json(&Vpc {
        vpc_id: v.id.clone(),
        vpc_name: v.name.clone(),
        cidr_block: v.cidr.to_string(),
        description: v.description.clone(),
        status: "Available".into(),
        region_id: v.region_id.clone(),
        v_router_id: v.vrouter_id.clone(),
        is_default: false,
        creation_time: vpc_time(v.created),
        v_switch_ids: vswitch_ids,
        tags: super::vpc_tags(&v.tags),
    });
    let map = j.as_object_mut().expect("object");
    map.insert(
        "RouterTableIds".into(),
        json!({ "RouterTableIds": [v.route_table_id] }),
    );
    map.insert("ResourceGroupId".into(), json!("rg-sim-default"));
    map.insert("UserCidrs".into(), json!({ "UserCidr": [] }));
    map.insert(
        "SecondaryCidrBlocks".into(),
        json!({ "SecondaryCidrBlock": [] }),
    );
    map.insert("NatGatewayIds".into(), json!({ "NatGatewayIds": [] }));
    map.insert("OwnerId".into(), json!(1_000_000_000_i64));
    j
}

fn describe_vpcs(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = ids_filter(p, "VpcId");
    let items: Vec<&SimVpc> = state
        .vpcs
        .values()
        .filter(|v| v.region_id == region && (ids.is_empty() || ids.contains(&v.id)))
        .filter(|v| p.get("VpcName").is_none_or(|n| n == v.name))
        .filter(|v| p.tags_match(&v.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "Vpcs", "Vpc", |v| vpc_json(state, v)))
}

fn parse_cidr(text: &str, min_prefix: u8, max_prefix: u8) -> SimResult<Cidr> {
    Cidr::parse(text)
        .filter(|c| (min_prefix..=max_prefix).contains(&c.prefix))
        .ok_or_else(|| {
            SimError::bad(
                "InvalidCidrBlock.Malformed",
                format!("The specified CidrBlock {text} is not valid: a network address with a prefix of /{min_prefix} to /{max_prefix}."),
            )
        })
}

fn create_vpc(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let cidr = parse_cidr(p.get_or("CidrBlock", "172.16.0.0/12"), 8, 28)?;
    if !cidr.is_private() {
        return Err(SimError::bad(
            "InvalidCidrBlock.Malformed",
            format!(
                "The CidrBlock {cidr} must lie within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16."
            ),
        ));
    }
    if SimState::count_in_region(&state.vpcs, &region, |v| &v.region_id)
        >= state.quotas.vpcs_per_region
    {
        return Err(SimError::bad(
            "QuotaExceeded.Vpc",
            format!(
                "The maximum number of VPCs in {region} ({}) is reached.",
                state.quotas.vpcs_per_region
            ),
        ));
    }
    let id = state.new_id("vpc");
    let vrouter = state.new_id("vrt");
    let table = state.new_id("vtb");
    state.vpcs.insert(
        id.clone(),
        SimVpc {
            id: id.clone(),
            name: p.get_or("VpcName", "").into(),
            description: p.get_or("Description", "").into(),
            region_id: region,
            cidr,
            vrouter_id: vrouter.clone(),
            vrouter_name: String::new(),
            vrouter_description: String::new(),
            route_table_id: table.clone(),
            created: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(to_json(&CreateVpcResponse {
        request_id: String::new(),
        vpc_id: id,
        v_router_id: vrouter,
        route_table_id: table,
        resource_group_id: "rg-sim-default".into(),
    }))
}

fn delete_vpc(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, false)?;
    let id = p.required("VpcId")?.to_string();
    let vpc = state
        .vpcs
        .get(&id)
        .filter(|v| region.is_none_or(|r| r == v.region_id))
        .ok_or_else(|| vpc_not_found(&id))?;
    let dependency = |code: &str, what: &str| {
        SimError::bad(
            code,
            format!("Specified object has dependent resources: the VPC still has {what}."),
        )
    };
    if state.vswitches.values().any(|s| s.vpc_id == id) {
        return Err(dependency("DependencyViolation.VSwitch", "vSwitches"));
    }
    if state.security_groups.values().any(|g| g.vpc_id == id) {
        return Err(dependency(
            "DependencyViolation.SecurityGroup",
            "security groups",
        ));
    }
    if state.instances.values().any(|i| i.vpc_id == id)
        || state.vpn_gateways.values().any(|g| g.vpc_id == id)
    {
        return Err(dependency(
            "DependencyViolation.Instance",
            "cloud product instances (ECS, VPN gateways)",
        ));
    }
    if state
        .route_entries
        .values()
        .any(|e| e.route_table_id == vpc.route_table_id)
    {
        return Err(dependency(
            "DependencyViolation.RouteEntry",
            "custom route entries",
        ));
    }
    if state
        .router_interfaces
        .values()
        .any(|r| r.router_id == vpc.vrouter_id)
    {
        return Err(dependency(
            "DependencyViolation.RouterInterface",
            "router interfaces",
        ));
    }
    state.vpcs.remove(&id);
    Ok(ok())
}

fn vswitch_json(v: &SimVSwitch, route_table_id: &str) -> Value {
    let mut j = to_json(&VSwitch {
        v_switch_id: v.id.clone(),
        v_switch_name: v.name.clone(),
        vpc_id: v.vpc_id.clone(),
        zone_id: v.zone_id.clone(),
        cidr_block: v.cidr.to_string(),
        description: v.description.clone(),
        status: "Available".into(),
        available_ip_address_count: v.available_ips(),
        is_default: false,
        creation_time: vpc_time(v.created),
        tags: super::vpc_tags(&v.tags),
    });
    let map = j.as_object_mut().expect("object");
    map.insert(
        "RouteTable".into(),
        json!({ "RouteTableId": route_table_id, "RouteTableType": "System" }),
    );
    map.insert("ResourceGroupId".into(), json!("rg-sim-default"));
    map.insert("OwnerId".into(), json!(1_000_000_000_i64));
    map.insert("ShareType".into(), json!("Sharing"));
    j
}

fn describe_vswitches(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, false)?;
    let ids = ids_filter(p, "VSwitchId");
    let items: Vec<&SimVSwitch> = state
        .vswitches
        .values()
        .filter(|v| region.is_none_or(|r| r == v.region_id))
        .filter(|v| ids.is_empty() || ids.contains(&v.id))
        .filter(|v| p.get("VpcId").is_none_or(|x| x == v.vpc_id))
        .filter(|v| p.get("ZoneId").is_none_or(|x| x == v.zone_id))
        .filter(|v| p.get("VSwitchName").is_none_or(|x| x == v.name))
        .filter(|v| p.tags_match(&v.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "VSwitches", "VSwitch", |v| {
        vswitch_json(
            v,
            state
                .vpcs
                .get(&v.vpc_id)
                .map(|x| x.route_table_id.as_str())
                .unwrap_or(""),
        )
    }))
}

fn create_vswitch(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, false)?.map(str::to_string);
    let vpc_id = p.required("VpcId")?.to_string();
    let zone_id = p.required("ZoneId")?.to_string();
    let cidr_text = p.required("CidrBlock")?.to_string();
    let vpc = state
        .vpcs
        .get(&vpc_id)
        .filter(|v| region.as_deref().is_none_or(|r| r == v.region_id))
        .ok_or_else(|| vpc_not_found(&vpc_id))?;
    if zone_region(&zone_id).is_none_or(|r| r.region_id != vpc.region_id) {
        return Err(SimError::not_found(
            "InvalidZoneId.NotFound",
            format!(
                "The specified zone {zone_id} does not exist in {}.",
                vpc.region_id
            ),
        ));
    }
    let cidr = parse_cidr(&cidr_text, 16, 29)?;
    if !vpc.cidr.contains(&cidr) {
        return Err(SimError::bad(
            "InvalidCidrBlock.Mismatch",
            format!(
                "The CidrBlock {cidr} is not within the VPC's CIDR block {}.",
                vpc.cidr
            ),
        ));
    }
    let siblings: Vec<&SimVSwitch> = state
        .vswitches
        .values()
        .filter(|s| s.vpc_id == vpc_id)
        .collect();
    if let Some(other) = siblings.iter().find(|s| s.cidr.overlaps(&cidr)) {
        return Err(SimError::bad(
            "InvalidCidrBlock.Overlapped",
            format!(
                "The CidrBlock {cidr} overlaps {} of vSwitch {}.",
                other.cidr, other.id
            ),
        ));
    }
    if siblings.len() >= state.quotas.vswitches_per_vpc {
        return Err(SimError::bad(
            "QuotaExceeded.VSwitch",
            format!("The maximum number of vSwitches in VPC {vpc_id} is reached."),
        ));
    }
    let region_id = vpc.region_id.clone();
    let id = state.new_id("vsw");
    state.vswitches.insert(
        id.clone(),
        SimVSwitch {
            id: id.clone(),
            name: p.get_or("VSwitchName", "").into(),
            description: p.get_or("Description", "").into(),
            region_id,
            vpc_id,
            zone_id,
            cidr,
            used_ips: Default::default(),
            created: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(to_json(&CreateVSwitchResponse {
        request_id: String::new(),
        v_switch_id: id,
    }))
}

fn delete_vswitch(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, false)?;
    let id = p.required("VSwitchId")?.to_string();
    if state
        .vswitches
        .get(&id)
        .is_none_or(|v| region.is_some_and(|r| r != v.region_id))
    {
        return Err(vswitch_not_found(&id));
    }
    if state.instances.values().any(|i| i.vswitch_id == id) {
        return Err(SimError::bad(
            "DependencyViolation",
            "Specified object has dependent resources: instances in the vSwitch.",
        ));
    }
    if state.vpn_gateways.values().any(|g| g.vswitch_id == id) {
        return Err(SimError::bad(
            "DependencyViolation",
            "Specified object has dependent resources: a VPN gateway in the vSwitch.",
        ));
    }
    state.vswitches.remove(&id);
    Ok(ok())
}

fn allocate_eip(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let bandwidth = p.int("Bandwidth")?.unwrap_or(5);
    check_eip_bandwidth(bandwidth)?;
    let charge = p.get_or("InternetChargeType", "PayByTraffic").to_string();
    if charge != "PayByTraffic" && charge != "PayByBandwidth" {
        return Err(SimError::invalid("InternetChargeType", &charge));
    }
    if SimState::count_in_region(&state.eips, &region, |e| &e.region_id)
        >= state.quotas.eips_per_region
    {
        return Err(SimError::bad(
            "QuotaExceeded.Eip",
            format!(
                "The maximum number of EIPs in {region} ({}) is reached.",
                state.quotas.eips_per_region
            ),
        ));
    }
    let id = state.new_id("eip");
    let ip = state.new_public_ip();
    state.eips.insert(
        id.clone(),
        SimEip {
            id: id.clone(),
            ip: ip.clone(),
            name: p.get_or("Name", "").into(),
            description: p.get_or("Description", "").into(),
            region_id: region,
            bandwidth,
            internet_charge_type: charge,
            instance_id: None,
            instance_type: String::new(),
            created: ctx.now,
            tags: p.tags(),
        },
    );
    let mut body = to_json(&AllocateEipAddressResponse {
        request_id: String::new(),
        allocation_id: id,
        eip_address: ip,
        order_id: String::new(),
        resource_group_id: "rg-sim-default".into(),
    });
    // The SDK model has OrderId as an int.
    body["OrderId"] = json!(0);
    Ok(body)
}

/// An EIP's peak bandwidth, in Mbit/s: 1 to 500.
pub(super) fn check_eip_bandwidth(bandwidth: i64) -> SimResult<()> {
    if (1..=500).contains(&bandwidth) {
        Ok(())
    } else {
        Err(SimError::invalid("Bandwidth", &bandwidth.to_string()))
    }
}

pub(super) fn eip_in_region<'a>(
    state: &'a mut SimState,
    p: &RpcParams,
) -> SimResult<&'a mut SimEip> {
    let region = region_param(p, false)?;
    let id = p.required("AllocationId")?;
    state
        .eips
        .get_mut(id)
        .filter(|e| region.is_none_or(|r| r == e.region_id))
        .ok_or_else(|| eip_not_found(id))
}

fn associate_eip(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let instance_id = p.required("InstanceId")?.to_string();
    let kind = p.get_or("InstanceType", "EcsInstance").to_string();
    if kind != "EcsInstance" {
        return Err(SimError::bad(
            "InvalidInstanceType.ValueNotSupported",
            format!("The simulator associates EIPs with EcsInstance only, not {kind}."),
        ));
    }
    let eip = eip_in_region(state, p)?.clone();
    let instance = state
        .instances
        .get(&instance_id)
        .filter(|i| i.region_id == eip.region_id)
        .ok_or_else(|| super::ecs::instance_not_found(&instance_id))?;
    if eip.instance_id.is_some() {
        return Err(SimError::bad(
            "IncorrectEipStatus",
            format!("The EIP {} is InUse.", eip.id),
        ));
    }
    if instance.eip_allocation_id.is_some() {
        return Err(SimError::forbidden(
            "IncorrectInstanceStatus",
            format!("The instance {instance_id} already has an EIP."),
        ));
    }
    instance.require_status(&[InstanceStatus::Running, InstanceStatus::Stopped])?;
    state
        .instances
        .get_mut(&instance_id)
        .expect("checked")
        .eip_allocation_id = Some(eip.id.clone());
    let eip = state.eips.get_mut(&eip.id).expect("checked");
    eip.instance_id = Some(instance_id);
    eip.instance_type = kind;
    Ok(ok())
}

fn unassociate_eip(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let instance_id = p.required("InstanceId")?.to_string();
    let eip = eip_in_region(state, p)?;
    if eip.instance_id.as_deref() != Some(&instance_id) {
        return Err(SimError::bad(
            "IncorrectEipStatus",
            format!("The EIP {} is not associated with {instance_id}.", eip.id),
        ));
    }
    eip.instance_id = None;
    eip.instance_type.clear();
    if let Some(instance) = state.instances.get_mut(&instance_id) {
        instance.eip_allocation_id = None;
    }
    Ok(ok())
}

fn release_eip(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let eip = eip_in_region(state, p)?;
    if eip.instance_id.is_some() {
        return Err(SimError::bad(
            "IncorrectEipStatus",
            format!("The EIP {} is InUse; unassociate it first.", eip.id),
        ));
    }
    let id = eip.id.clone();
    state.eips.remove(&id);
    Ok(ok())
}

fn describe_eips(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = ids_filter(p, "AllocationId");
    let status_of = |e: &SimEip| {
        if e.instance_id.is_some() {
            "InUse"
        } else {
            "Available"
        }
    };
    let items: Vec<&SimEip> = state
        .eips
        .values()
        .filter(|e| e.region_id == region && (ids.is_empty() || ids.contains(&e.id)))
        .filter(|e| p.get("EipAddress").is_none_or(|x| x == e.ip))
        .filter(|e| p.get("Status").is_none_or(|x| x == status_of(e)))
        .filter(|e| {
            p.get("AssociatedInstanceId")
                .is_none_or(|x| e.instance_id.as_deref() == Some(x))
        })
        .filter(|e| p.tags_match(&e.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 100, false)?, "EipAddresses", "EipAddress", |e| {
        let instance = e.instance_id.as_ref().and_then(|i| state.instances.get(i));
        let mut j = to_json(&EipAddress {
            allocation_id: e.id.clone(),
            ip_address: e.ip.clone(),
            name: e.name.clone(),
            description: e.description.clone(),
            status: status_of(e).into(),
            instance_id: e.instance_id.clone().unwrap_or_default(),
            instance_type: e.instance_type.clone(),
            region_id: e.region_id.clone(),
            bandwidth: e.bandwidth.to_string(),
            internet_charge_type: e.internet_charge_type.clone(),
            charge_type: "PostPaid".into(),
            allocation_time: vpc_time(e.created),
        });
        let map = j.as_object_mut().expect("object");
        map.insert(
            "PrivateIpAddress".into(),
            json!(instance.map(|i| i.private_ip.clone()).unwrap_or_default()),
        );
        map.insert(
            "VpcId".into(),
            json!(instance.map(|i| i.vpc_id.clone()).unwrap_or_default()),
        );
        map.insert(
            "InstanceRegionId".into(),
            json!(if instance.is_some() {
                e.region_id.as_str()
            } else {
                ""
            }),
        );
        map.insert("ISP".into(), json!("BGP"));
        map.insert("Mode".into(), json!("NAT"));
        map.insert("Netmode".into(), json!("public"));
        map.insert("ResourceGroupId".into(), json!("rg-sim-default"));
        map.insert("OperationLocks".into(), json!({ "LockReason": [] }));
        map.insert("Tags".into(), json!({ "Tag": super::vpc_tags(&e.tags) }));
        j
    }))
}

fn describe_vrouters(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let items: Vec<&SimVpc> = state
        .vpcs
        .values()
        .filter(|v| v.region_id == region && p.get("VRouterId").is_none_or(|x| x == v.vrouter_id))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "VRouters", "VRouter", |v| {
        json!({
            "VRouterId": v.vrouter_id,
            "VRouterName": v.vrouter_name,
            "VpcId": v.id,
            "RegionId": v.region_id,
            "Description": v.vrouter_description,
            "CreationTime": vpc_time(v.created),
            "RouteTableIds": { "RouteTableId": [v.route_table_id] },
        })
    }))
}

/// Route entries of a VPC's table: system ones (one per vSwitch and the service range)
/// followed by custom ones.
fn route_entries_json(state: &SimState, vpc: &SimVpc) -> Vec<Value> {
    let mut entries: Vec<Value> = state
        .vswitches
        .values()
        .filter(|s| s.vpc_id == vpc.id)
        .map(|s| (s.cidr.to_string(), s.id.clone()))
        .chain(std::iter::once((
            "100.64.0.0/10".to_string(),
            String::new(),
        )))
        .map(|(cidr, vsw)| {
            json!({
                "RouteEntryId": format!("rte-sys-{}", cidr.replace(['.', '/'], "-")),
                "RouteTableId": vpc.route_table_id,
                "DestinationCidrBlock": cidr,
                "Type": "System",
                "Status": "Available",
                "NextHopType": if vsw.is_empty() { "service" } else { "local" },
                "InstanceId": vsw,
                "RouteEntryName": "",
                "Description": "",
                "IpVersion": "ipv4",
                "NextHops": { "NextHop": [] },
            })
        })
        .collect();
    entries.extend(
        state
            .route_entries
            .values()
            .filter(|e| e.route_table_id == vpc.route_table_id)
            .map(custom_entry_json),
    );
    entries
}

fn custom_entry_json(e: &SimRouteEntry) -> Value {
    json!({
        "RouteEntryId": e.id,
        "RouteTableId": e.route_table_id,
        "DestinationCidrBlock": e.destination.to_string(),
        "Type": "Custom",
        "Status": "Available",
        "NextHopType": e.next_hop_type,
        "InstanceId": e.next_hop_id,
        "RouteEntryName": e.name,
        "Description": e.description,
        "IpVersion": "ipv4",
        "NextHops": { "NextHop": [{
            "NextHopType": e.next_hop_type,
            "NextHopId": e.next_hop_id,
            "Enabled": 1,
            "Weight": 0,
        }] },
    })
}

/// Whose route table a table id names: a VPC's vRouter or a border router.
enum TableOwner<'a> {
    Vpc(&'a SimVpc),
    Vbr(&'a crate::state::SimVbr),
}

fn table_json(state: &SimState, owner: &TableOwner<'_>) -> Value {
    match owner {
        TableOwner::Vpc(v) => {
            let vswitches: Vec<&String> = state
                .vswitches
                .values()
                .filter(|s| s.vpc_id == v.id)
                .map(|s| &s.id)
                .collect();
            json!({
                "RouteTableId": v.route_table_id,
                "VRouterId": v.vrouter_id,
                "RouterType": "VRouter",
                "RouteTableType": "System",
                "Status": "Available",
                "CreationTime": vpc_time(v.created),
                "ResourceGroupId": "rg-sim-default",
                "VSwitchIds": { "VSwitchId": vswitches },
                "RouteEntrys": { "RouteEntry": route_entries_json(state, v) },
            })
        }
        TableOwner::Vbr(v) => json!({
            "RouteTableId": v.route_table_id,
            "VRouterId": v.id,
            "RouterType": "VBR",
            "RouteTableType": "System",
            "Status": "Available",
            "CreationTime": vpc_time(v.created),
            "ResourceGroupId": "rg-sim-default",
            "VSwitchIds": { "VSwitchId": [] },
            "RouteEntrys": { "RouteEntry": table_custom_entries(state, &v.route_table_id) },
        }),
    }
}

fn table_custom_entries(state: &SimState, table: &str) -> Vec<Value> {
    state
        .route_entries
        .values()
        .filter(|e| e.route_table_id == table)
        .map(custom_entry_json)
        .collect()
}

fn describe_route_tables(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let router_type = p.get("RouterType");
    let router_id = p.get("RouterId").or(p.get("VRouterId"));
    let vpcs = state
        .vpcs
        .values()
        .filter(|v| v.region_id == region && router_type.is_none_or(|t| t == "VRouter"))
        .filter(|v| router_id.is_none_or(|x| x == v.vrouter_id))
        .map(TableOwner::Vpc);
    let vbrs = state
        .vbrs
        .values()
        .filter(|v| v.region_id == region && router_type.is_none_or(|t| t == "VBR"))
        .filter(|v| router_id.is_none_or(|x| x == v.id))
        .map(TableOwner::Vbr);
    let items: Vec<TableOwner<'_>> = vpcs
        .chain(vbrs)
        .filter(|o| {
            let id = match o {
                TableOwner::Vpc(v) => &v.route_table_id,
                TableOwner::Vbr(v) => &v.route_table_id,
            };
            p.get("RouteTableId").is_none_or(|x| x == id)
        })
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "RouteTables", "RouteTable", |o| table_json(state, o)))
}

fn table_owner<'a>(state: &'a SimState, table_id: &str) -> SimResult<TableOwner<'a>> {
    if let Some(vpc) = state.vpcs.values().find(|v| v.route_table_id == table_id) {
        return Ok(TableOwner::Vpc(vpc));
    }
    if let Some(vbr) = state.vbrs.values().find(|v| v.route_table_id == table_id) {
        return Ok(TableOwner::Vbr(vbr));
    }
    Err(SimError::not_found(
        "InvalidRouteTableId.NotFound",
        format!("The specified RouteTableId {table_id} does not exist."),
    ))
}

fn describe_route_entry_list(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    region_param(p, true)?;
    let table = p.required("RouteTableId")?;
    let all = match table_owner(state, table)? {
        TableOwner::Vpc(vpc) => route_entries_json(state, vpc),
        TableOwner::Vbr(vbr) => table_custom_entries(state, &vbr.route_table_id),
    };
    let kind = p.get("RouteEntryType");
    let entries: Vec<Value> = all
        .into_iter()
        .filter(|e| p.get("RouteEntryId").is_none_or(|x| e["RouteEntryId"] == x))
        .filter(|e| {
            p.get("DestinationCidrBlock")
                .is_none_or(|x| e["DestinationCidrBlock"] == x)
        })
        .filter(|e| kind.is_none_or(|x| e["Type"] == x))
        .filter(|e| p.get("RouteEntryName").is_none_or(|x| e["RouteEntryName"] == x))
        .collect();
    // This action spells its page size MaxResult.
    let mut pairs = vec![];
    if let Some(m) = p.get("MaxResult").or(p.get("MaxResults")) {
        pairs.push(("MaxResults".to_string(), m.to_string()));
    }
    if let Some(t) = p.get("NextToken") {
        pairs.push(("NextToken".to_string(), t.to_string()));
    }
    let (page, info) = page_of(entries, &RpcParams::new(pairs), 100, 100, true)?;
    Ok(json!({
        "NextToken": info.next_token.unwrap_or_default(),
        "RouteEntrys": { "RouteEntry": page },
    }))
}

fn create_route_entry(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    region_param(p, false)?;
    let table = p.required("RouteTableId")?.to_string();
    let dest_text = p.required("DestinationCidrBlock")?;
    let destination = Cidr::parse(dest_text).ok_or_else(|| {
        SimError::bad(
            "InvalidDestinationCidrBlock.Malformed",
            format!("The DestinationCidrBlock {dest_text} is not valid."),
        )
    })?;
    let hop_type = p.get_or("NextHopType", "Instance").to_string();
    let hop_id = p.required("NextHopId")?.to_string();
    let vpc = match table_owner(state, &table)? {
        TableOwner::Vpc(vpc) => vpc.clone(),
        TableOwner::Vbr(vbr) => {
            super::express::check_vbr_route(state, vbr, &hop_type, &hop_id)?;
            if state.route_entries.values().any(|e| e.route_table_id == table && e.destination == destination) {
                return Err(SimError::bad(
                    "InvalidCIDRBlock.Duplicate",
                    format!("A route to {destination} already exists in {table}."),
                ));
            }
            return Ok(insert_route_entry(state, p, ctx, table, destination, hop_type, hop_id));
        }
    };
    let hop_exists = match hop_type.as_str() {
        "Instance" => state
            .instances
            .get(&hop_id)
            .is_some_and(|i| i.vpc_id == vpc.id),
        "VpnGateway" => state
            .vpn_gateways
            .get(&hop_id)
            .is_some_and(|g| g.vpc_id == vpc.id),
        "RouterInterface" => state
            .router_interfaces
            .get(&hop_id)
            .is_some_and(|r| r.router_id == vpc.vrouter_id),
        "HaVip" | "NetworkInterface" | "NatGateway" | "IPv6Gateway" | "Attachment" | "VpcPeer" => {
            true
        }
        other => return Err(SimError::invalid("NextHopType", other)),
    };
    if !hop_exists {
        return Err(SimError::not_found(
            "InvalidNextHopId.NotFound",
            format!(
                "The next hop {hop_type} {hop_id} does not exist in VPC {}.",
                vpc.id
            ),
        ));
    }
    let duplicate = state
        .route_entries
        .values()
        .any(|e| e.route_table_id == table && e.destination == destination)
        || state
            .vswitches
            .values()
            .any(|s| s.vpc_id == vpc.id && s.cidr == destination);
    if duplicate {
        return Err(SimError::bad(
            "InvalidCIDRBlock.Duplicate",
            format!("A route to {destination} already exists in {table}."),
        ));
    }
    Ok(insert_route_entry(state, p, ctx, table, destination, hop_type, hop_id))
}

fn insert_route_entry(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
    table: String,
    destination: Cidr,
    hop_type: String,
    hop_id: String,
) -> Value {
    let id = state.new_id("rte");
    state.route_entries.insert(
        id.clone(),
        SimRouteEntry {
            id: id.clone(),
            route_table_id: table,
            destination,
            next_hop_type: hop_type,
            next_hop_id: hop_id,
            name: p.get_or("RouteEntryName", "").into(),
            description: p.get_or("Description", "").into(),
            created: ctx.now,
        },
    );
    json!({ "RouteEntryId": id })
}

fn delete_route_entry(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let found = if let Some(id) = p.get("RouteEntryId") {
        state.route_entries.get(id).map(|e| e.id.clone())
    } else {
        let table = p.required("RouteTableId")?;
        let dest = p.required("DestinationCidrBlock")?;
        let dest = Cidr::parse(dest);
        state
            .route_entries
            .values()
            .find(|e| {
                e.route_table_id == table
                    && Some(e.destination) == dest
                    && p.get("NextHopId").is_none_or(|h| h == e.next_hop_id)
            })
            .map(|e| e.id.clone())
    };
    let id = found.ok_or_else(|| {
        SimError::not_found(
            "InvalidRouteEntry.NotFound",
            "The specified route entry does not exist.",
        )
    })?;
    state.route_entries.remove(&id);
    Ok(ok())
}

/// `Filter.N.Key` / `Filter.N.Value.M` filters of the border-router actions.
pub(super) fn filter_values(p: &RpcParams, key: &str) -> Vec<String> {
    p.indexed("Filter")
        .into_iter()
        .filter(|f| f.get("Key").is_some_and(|k| k == key))
        .flat_map(|f| {
            f.into_iter()
                .filter(|(k, _)| k.starts_with("Value"))
                .map(|(_, v)| v)
        })
        .collect()
}

fn describe_vbrs(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = filter_values(p, "VbrId");
    let items: Vec<_> = state
        .vbrs
        .values()
        .filter(|v| v.region_id == region && (ids.is_empty() || ids.contains(&v.id)))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "VirtualBorderRouterSet", "VirtualBorderRouterType", |v| {
        json!({
            "VbrId": v.id,
            "Name": v.name,
            "Description": v.description,
            "Status": v.status.as_str(),
            "PhysicalConnectionId": v.physical_connection_id,
            "PhysicalConnectionStatus": "Enabled",
            "AccessPointId": v.access_point_id,
            "CircuitCode": v.circuit_code,
            "VlanId": v.vlan_id,
            "VlanInterfaceId": v.vlan_interface_id,
            "LocalGatewayIp": v.local_gateway_ip,
            "PeerGatewayIp": v.peer_gateway_ip,
            "PeeringSubnetMask": v.peering_subnet_mask,
            "RouteTableId": v.route_table_id,
            "CreationTime": vpc_time(v.created),
            "ActivationTime": vpc_time(v.created),
        })
    }))
}

fn describe_router_interfaces(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = filter_values(p, "RouterInterfaceId");
    let router_ids = filter_values(p, "RouterId");
    let names = filter_values(p, "Name");
    let items: Vec<_> = state
        .router_interfaces
        .values()
        .filter(|r| r.region_id == region && (ids.is_empty() || ids.contains(&r.id)))
        .filter(|r| router_ids.is_empty() || router_ids.contains(&r.router_id))
        .filter(|r| names.is_empty() || names.contains(&r.name))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "RouterInterfaceSet", "RouterInterfaceType", |r| {
        json!({
            "RouterInterfaceId": r.id,
            "Name": r.name,
            "Description": "",
            "RouterId": r.router_id,
            "RouterType": r.router_type,
            "Role": r.role,
            "Spec": r.spec,
            "Status": r.status.as_str(),
            "BusinessStatus": "Normal",
            "ChargeType": "AfterPay",
            "OppositeInterfaceId": r.opposite_interface_id,
            "OppositeRouterId": r.opposite_router_id,
            "OppositeRouterType": r.opposite_router_type,
            "OppositeRegionId": r.opposite_region_id,
            "HealthCheckSourceIp": r.health_check_source_ip,
            "HealthCheckTargetIp": r.health_check_target_ip,
            "CreationTime": vpc_time(r.created),
            "ConnectedTime": if r.status.as_str() == "Active" { vpc_time(r.status.since) } else { String::new() },
        })
    }))
}

/// Bandwidth specs of router interfaces; an accepting side has no spec of its own.
const ROUTER_INTERFACE_SPECS: &[&str] = &[
    "Mini.2", "Mini.5", "Small.1", "Small.2", "Small.5", "Middle.1", "Middle.2", "Middle.5",
    "Large.1", "Large.2", "Large.5", "Xlarge.1",
];

const ROUTER_INTERFACES_PER_ROUTER: usize = 5;

fn create_router_interface(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let role = p.required("Role")?.to_string();
    if role != "InitiatingSide" && role != "AcceptingSide" {
        return Err(SimError::invalid("Role", &role));
    }
    let router_type = p.required("RouterType")?.to_string();
    let router_id = p.required("RouterId")?.to_string();
    let spec = p.required("Spec")?.to_string();
    let opposite_region = p.required("OppositeRegionId")?.to_string();
    if crate::state::region(&opposite_region).is_none() {
        return Err(SimError::bad(
            "InvalidOppositeRegionId.NotFound",
            "The OppositeRegionId provided does not exist in our records.",
        ));
    }
    let router_exists = match router_type.as_str() {
        "VRouter" => state
            .vpcs
            .values()
            .any(|v| v.vrouter_id == router_id && v.region_id == region),
        "VBR" => state
            .vbrs
            .get(&router_id)
            .is_some_and(|v| v.region_id == region),
        other => return Err(SimError::invalid("RouterType", other)),
    };
    if !router_exists {
        return Err(SimError::not_found(
            "InvalidRouterId.NotFound",
            format!("The specified {router_type} {router_id} does not exist in {region}."),
        ));
    }
    if router_type == "VBR" && role != "InitiatingSide" {
        return Err(SimError::bad(
            "InvalidRole.ValueNotSupported",
            "A virtual border router can only be the initiating side.",
        ));
    }
    let spec_ok = if role == "AcceptingSide" {
        spec == "Negative"
    } else {
        ROUTER_INTERFACE_SPECS.contains(&spec.as_str())
    };
    if !spec_ok {
        return Err(SimError::bad(
            "InvalidSpec.ValueNotSupported",
            format!("The specified Spec {spec} is not supported for {role}."),
        ));
    }
    if state
        .router_interfaces
        .values()
        .filter(|r| r.router_id == router_id)
        .count()
        >= ROUTER_INTERFACES_PER_ROUTER
    {
        return Err(SimError::bad(
            "QuotaExceeded.RouterInterface",
            format!("The router {router_id} already has {ROUTER_INTERFACES_PER_ROUTER} router interfaces."),
        ));
    }
    let id = state.new_id("ri");
    state.router_interfaces.insert(
        id.clone(),
        SimRouterInterface {
            id: id.clone(),
            name: p.get_or("Name", "").into(),
            region_id: region,
            router_id,
            router_type,
            role,
            spec,
            opposite_interface_id: p.get_or("OppositeInterfaceId", "").into(),
            opposite_router_id: p.get_or("OppositeRouterId", "").into(),
            opposite_router_type: p.get_or("OppositeRouterType", "").into(),
            opposite_region_id: opposite_region,
            status: crate::state::Transition::settled("Idle", ctx.now),
            health_check_source_ip: p.get_or("HealthCheckSourceIp", "").into(),
            health_check_target_ip: p.get_or("HealthCheckTargetIp", "").into(),
            created: ctx.now,
        },
    );
    Ok(json!({ "RouterInterfaceId": id, "OrderId": 0 }))
}

fn delete_router_interface(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    region_param(p, true)?;
    let id = p.required("RouterInterfaceId")?.to_string();
    let interface = state.router_interfaces.get(&id).ok_or_else(|| {
        SimError::not_found(
            "InvalidRouterInterfaceId.NotFound",
            format!("The specified RouterInterfaceId {id} does not exist."),
        )
    })?;
    if !matches!(interface.status.as_str(), "Idle" | "Inactive") {
        return Err(SimError::bad(
            "IncorrectStatus",
            "A router interface can be deleted only when it is Idle or Inactive.",
        ));
    }
    if state.route_entries.values().any(|e| e.next_hop_id == id) {
        return Err(SimError::bad(
            "RouterInterfaceReferredByRouteEntry",
            "Route entries still point at the router interface.",
        ));
    }
    state.router_interfaces.remove(&id);
    Ok(ok())
}
