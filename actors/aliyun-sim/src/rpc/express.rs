//! Express Connect actions of the VPC API: access points (a fixed catalog per region),
//! the border-router (VBR) lifecycle and the router-interface status machine, with the
//! service's rules and error codes.
//!
//! VBR: TerminateVirtualBorderRouter only from `active` (-> terminating -> terminated),
//! RecoverVirtualBorderRouter only from `terminated` (-> recovering -> active), else
//! `InvalidOperation.OperationNotAllowedInState`; ModifyVirtualBorderRouterAttribute checks
//! the VLAN (0..=2999, unused by another VBR of the line: `InvalidVlanId.Malformed` /
//! `InvalidVlanId.Used`) and the peering addresses (IPv4, a /24../30 mask, both in one
//! subnet: `InvalidIp.Malformed`). Routes in a VBR's table need an active VBR and a router
//! interface of that VBR (or its VLAN interface) as next hop.
//!
//! Router interfaces: ModifyRouterInterfaceAttribute sets the opposite end while the
//! interface is Idle; ConnectRouterInterface works on an Idle initiating side whose
//! opposite names it back (`IncorrectRole.NotInitiatingSide`, `IncorrectRIStatus`,
//! `IncorrectOppositeInterfaceInfo.NotSet`) and moves both ends through Connecting /
//! AcceptingConnecting to Active; DeactivateRouterInterface (Active -> Deactivating ->
//! Inactive) and ActivateRouterInterface (Inactive -> Activating -> Active) act on both
//! ends of the link.

use serde_json::{json, Value};

use super::vpc::filter_values;
use super::{answer_page, page_of, region_param, RpcContext, RpcParams};
use crate::cidr::parse_ip;
use crate::error::{SimError, SimResult};
use crate::state::{SimState, SimVbr};

pub fn handle(
    state: &mut SimState,
    action: &str,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Option<Value>> {
    let body = match action {
        "DescribeAccessPoints" => describe_access_points(state, p)?,
        "TerminateVirtualBorderRouter" => terminate_vbr(state, p, ctx)?,
        "RecoverVirtualBorderRouter" => recover_vbr(state, p, ctx)?,
        "ModifyVirtualBorderRouterAttribute" => modify_vbr(state, p)?,
        "ModifyRouterInterfaceAttribute" => modify_router_interface(state, p)?,
        "ConnectRouterInterface" => connect_router_interface(state, p, ctx)?,
        "ActivateRouterInterface" => activate_router_interface(state, p, ctx)?,
        "DeactivateRouterInterface" => deactivate_router_interface(state, p, ctx)?,
        _ => return Ok(None),
    };
    Ok(Some(body))
}

fn ok() -> Value {
    json!({})
}

fn describe_access_points(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = filter_values(p, "AccessPointId");
    let items: Vec<_> = state
        .access_points
        .values()
        .filter(|a| a.region_id == region && (ids.is_empty() || ids.contains(&a.id)))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "AccessPointSet", "AccessPointType", |a| {
        json!({
            "AccessPointId": a.id,
            "Name": a.name,
            "Description": format!("{} access point", a.location),
            "Status": a.status,
            "Type": "VPC",
            "AttachedRegionNo": a.region_id,
            "Location": a.location,
            "HostOperator": a.host_operator,
        })
    }))
}

fn vbr_mut<'a>(state: &'a mut SimState, p: &RpcParams) -> SimResult<&'a mut SimVbr> {
    let region = region_param(p, true)?.expect("required").to_string();
    let id = p.required("VbrId")?;
    state
        .vbrs
        .get_mut(id)
        .filter(|v| v.region_id == region)
        .ok_or_else(|| SimError::not_found("InvalidVbrId.NotFound", "The specified VirutalBorderRouter is not found."))
}

fn vbr_state_refused() -> SimError {
    SimError::bad("InvalidOperation.OperationNotAllowedInState", "The specified VirutalBorderRouter is in invalid state.")
}

fn terminate_vbr(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let vbr = vbr_mut(state, p)?;
    if vbr.status.as_str() != "active" {
        return Err(vbr_state_refused());
    }
    vbr.status.start("terminating", &["terminated"], ctx.now);
    Ok(ok())
}

fn recover_vbr(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let vbr = vbr_mut(state, p)?;
    if vbr.status.as_str() != "terminated" {
        return Err(vbr_state_refused());
    }
    vbr.status.start("recovering", &["active"], ctx.now);
    Ok(ok())
}

/// The prefix length of a dotted subnet mask, when it is one.
fn mask_bits(mask: &str) -> Option<u32> {
    let m = parse_ip(mask)?;
    let bits = m.leading_ones();
    (m.checked_shl(bits).unwrap_or(0) == 0).then_some(bits)
}

fn malformed_ip(what: &str, value: &str) -> SimError {
    SimError::bad("InvalidIp.Malformed", format!("The specified ip address is not valid: {what} {value}."))
}

fn modify_vbr(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("VbrId")?.to_string();
    let vlan = match p.get("VlanId") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (0..=2999).contains(&n) => Some(n),
            _ => return Err(SimError::bad("InvalidVlanId.Malformed", "The specified VlanId is not valid.")),
        },
    };
    let current = vbr_mut(state, p)?.clone();
    if let Some(vlan) = vlan {
        let used = state.vbrs.values().any(|v| {
            v.id != id && v.physical_connection_id == current.physical_connection_id && v.vlan_id == vlan
        });
        if used {
            return Err(SimError::bad("InvalidVlanId.Used", "The specified VlanId has been used."));
        }
    }
    let local = p.get("LocalGatewayIp").unwrap_or(&current.local_gateway_ip).to_string();
    let peer = p.get("PeerGatewayIp").unwrap_or(&current.peer_gateway_ip).to_string();
    let mask = p.get("PeeringSubnetMask").unwrap_or(&current.peering_subnet_mask).to_string();
    let local_ip = parse_ip(&local).ok_or_else(|| malformed_ip("LocalGatewayIp", &local))?;
    let peer_ip = parse_ip(&peer).ok_or_else(|| malformed_ip("PeerGatewayIp", &peer))?;
    let bits = mask_bits(&mask).filter(|b| (24..=30).contains(b)).ok_or_else(|| malformed_ip("PeeringSubnetMask", &mask))?;
    let net = |ip: u32| ip >> (32 - bits);
    if net(local_ip) != net(peer_ip) || local_ip == peer_ip {
        return Err(malformed_ip("PeerGatewayIp", &format!("{peer} (not beside {local} in a /{bits})")));
    }
    if let Some(code) = p.get("CircuitCode") {
        if code.is_empty() || code.len() > 64 {
            return Err(SimError::bad("InvalidCircuitCode.Malformed", "The specified CircuitCode is not valid."));
        }
    }
    let vbr = state.vbrs.get_mut(&id).expect("found above");
    vbr.local_gateway_ip = local;
    vbr.peer_gateway_ip = peer;
    vbr.peering_subnet_mask = mask;
    if let Some(vlan) = vlan {
        vbr.vlan_id = vlan;
    }
    for (key, field) in [("CircuitCode", &mut vbr.circuit_code), ("Name", &mut vbr.name), ("Description", &mut vbr.description)] {
        if let Some(v) = p.get(key) {
            *field = v.to_string();
        }
    }
    Ok(ok())
}

/// A route in a VBR's table: the VBR must be active and the next hop one of its
/// router interfaces or its own VLAN interface (toward the leased line).
pub fn check_vbr_route(state: &SimState, vbr: &SimVbr, hop_type: &str, hop_id: &str) -> SimResult<()> {
    if vbr.status.as_str() != "active" {
        return Err(SimError::bad("IncorrectVbrStatus", format!("The VBR {} is {}, not active.", vbr.id, vbr.status.as_str())));
    }
    if hop_type != "RouterInterface" {
        return Err(SimError::bad(
            "InvalidNextHopType.NotSupported",
            format!("A route of a virtual border router must point at a router interface, not {hop_type}."),
        ));
    }
    let own = hop_id == vbr.vlan_interface_id || state.router_interfaces.get(hop_id).is_some_and(|r| r.router_id == vbr.id);
    if !own {
        return Err(SimError::not_found(
            "InvalidNextHopId.NotFound",
            format!("The router interface {hop_id} does not belong to VBR {}.", vbr.id),
        ));
    }
    Ok(())
}

fn interface_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidRouterInterfaceId.NotFound",
        format!("The specified RouterInterfaceId {id} does not exist in our records."),
    )
}

fn interface_in_region<'a>(state: &'a SimState, p: &RpcParams) -> SimResult<&'a crate::state::SimRouterInterface> {
    let region = region_param(p, true)?.expect("required");
    let id = p.required("RouterInterfaceId")?;
    state.router_interfaces.get(id).filter(|r| r.region_id == region).ok_or_else(|| interface_not_found(id))
}

fn wrong_status(wanted: &str) -> SimError {
    SimError::bad("IncorrectRIStatus", format!("RouterInterface can be operated by this action only when it's status is {wanted}."))
}

fn modify_router_interface(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let current = interface_in_region(state, p)?.clone();
    let sets_opposite = ["OppositeInterfaceId", "OppositeRouterId", "OppositeRouterType"].iter().any(|k| p.get(k).is_some());
    if sets_opposite && current.status.as_str() != "Idle" {
        return Err(wrong_status("Idle"));
    }
    if let Some(t) = p.get("OppositeRouterType") {
        if t != "VRouter" && t != "VBR" {
            return Err(SimError::invalid("OppositeRouterType", t));
        }
    }
    if p.get("OppositeInterfaceId") == Some(current.id.as_str()) {
        return Err(SimError::bad("InvalidOppositeInterfaceId", "A router interface cannot be connected to itself."));
    }
    let interface = state.router_interfaces.get_mut(&current.id).expect("found above");
    for (key, field) in [
        ("OppositeInterfaceId", &mut interface.opposite_interface_id),
        ("OppositeRouterId", &mut interface.opposite_router_id),
        ("OppositeRouterType", &mut interface.opposite_router_type),
        ("Name", &mut interface.name),
        ("HealthCheckSourceIp", &mut interface.health_check_source_ip),
        ("HealthCheckTargetIp", &mut interface.health_check_target_ip),
    ] {
        if let Some(v) = p.get(key) {
            *field = v.to_string();
        }
    }
    Ok(ok())
}

fn connect_router_interface(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let initiator = interface_in_region(state, p)?.clone();
    if initiator.role != "InitiatingSide" {
        return Err(SimError::bad("IncorrectRole.NotInitiatingSide", "The specified RouterInterface is not InitiatingSide."));
    }
    if initiator.status.as_str() != "Idle" {
        return Err(wrong_status("Idle"));
    }
    let not_set = || SimError::bad("IncorrectOppositeInterfaceInfo.NotSet", "The opposite router interface info is not set correctly.");
    let acceptor = state.router_interfaces.get(&initiator.opposite_interface_id).ok_or_else(not_set)?.clone();
    let paired = acceptor.opposite_interface_id == initiator.id
        && initiator.opposite_router_id == acceptor.router_id
        && acceptor.opposite_router_id == initiator.router_id
        && acceptor.router_id != initiator.router_id;
    if !paired {
        return Err(not_set());
    }
    if acceptor.status.as_str() != "Idle" {
        return Err(wrong_status("Idle"));
    }
    // Two routers are joined by one pair of connected interfaces at most.
    let joined = state.router_interfaces.values().any(|r| {
        r.id != initiator.id
            && r.router_id == initiator.router_id
            && r.opposite_router_id == acceptor.router_id
            && matches!(r.status.as_str(), "Active" | "Connecting" | "Inactive" | "Activating" | "Deactivating")
    });
    if joined {
        return Err(SimError::bad(
            "OperationFailed.RouterInterfaceConnected",
            "The two routers are already connected by another pair of router interfaces.",
        ));
    }
    let ri = state.router_interfaces.get_mut(&initiator.id).expect("found above");
    ri.status.start("Connecting", &["Active"], ctx.now);
    let ri = state.router_interfaces.get_mut(&acceptor.id).expect("found above");
    ri.status.start("AcceptingConnecting", &["Active"], ctx.now);
    Ok(ok())
}

/// Both ends of the link of an interface (the interface first).
fn link_ends(state: &SimState, id: &str) -> Vec<String> {
    let mut ends = vec![id.to_string()];
    if let Some(opposite) = state.router_interfaces.get(id).map(|r| r.opposite_interface_id.clone()) {
        if state.router_interfaces.get(&opposite).is_some_and(|o| o.opposite_interface_id == id) {
            ends.push(opposite);
        }
    }
    ends
}

fn switch_link(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>, from: &str, via: &'static str, to: &'static str) -> SimResult<Value> {
    let id = interface_in_region(state, p)?.id.clone();
    if state.router_interfaces[&id].status.as_str() != from {
        return Err(wrong_status(from));
    }
    for end in link_ends(state, &id) {
        let ri = state.router_interfaces.get_mut(&end).expect("listed");
        if ri.status.as_str() == from {
            ri.status.start(via, &[to], ctx.now);
        }
    }
    Ok(ok())
}

fn activate_router_interface(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    switch_link(state, p, ctx, "Inactive", "Activating", "Active")
}

fn deactivate_router_interface(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    switch_link(state, p, ctx, "Active", "Deactivating", "Inactive")
}
