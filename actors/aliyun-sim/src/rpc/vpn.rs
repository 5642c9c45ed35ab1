//! VPN objects of the VPC API: VPN gateways, customer gateways and IPsec connections
//! (IkeConfig/IpsecConfig arrive as JSON strings and come back as objects, with the
//! service's defaults filled in). Shapes from `response_shapes.json`; the client crate
//! has no structs for these, so answers are built as JSON here.
//!
//! Rules: a gateway needs an existing VPC with a vSwitch (the one given, else the first) and a valid
//! bandwidth; gateways and customer gateways cannot be deleted while connections use
//! them (`DependencyViolation.VpnConnection`), nor gateways while routes point at them;
//! one customer gateway per public IP (`InvalidIpAddress.AlreadyExist`).

use serde_json::{json, Map, Value};

use super::{answer_page, page_of, region_param, RpcContext, RpcParams};
use crate::cidr::{parse_ip, Cidr};
use crate::error::{SimError, SimResult};
use crate::state::{SimCustomerGateway, SimState, SimVpnConnection, SimVpnGateway};

const VPN_BANDWIDTHS: &[i64] = &[5, 10, 20, 50, 100, 200, 500, 1000];

pub fn handle(
    state: &mut SimState,
    action: &str,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    match action {
        "CreateVpnGateway" => create_vpn_gateway(state, p, ctx),
        "DescribeVpnGateways" => describe_vpn_gateways(state, p, ctx),
        "DeleteVpnGateway" => delete_vpn_gateway(state, p),
        "CreateCustomerGateway" => create_customer_gateway(state, p, ctx),
        "DescribeCustomerGateways" => describe_customer_gateways(state, p),
        "DeleteCustomerGateway" => delete_customer_gateway(state, p),
        "CreateVpnConnection" => create_vpn_connection(state, p, ctx),
        "DescribeVpnConnections" => describe_vpn_connections(state, p),
        "DeleteVpnConnection" => delete_vpn_connection(state, p),
        "DownloadVpnConnectionConfig" => download_vpn_connection_config(state, p),
        other => Err(super::unknown_action(other, super::Product::Vpc)),
    }
}

fn millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn gateway_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidVpnGatewayInstanceId.NotFound",
        format!("The specified VPN gateway {id} does not exist."),
    )
}

pub(super) fn customer_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidCustomerGatewayInstanceId.NotFound",
        format!("The specified customer gateway {id} does not exist."),
    )
}

fn create_vpn_gateway(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let vpc_id = p.required("VpcId")?.to_string();
    if state
        .vpcs
        .get(&vpc_id)
        .is_none_or(|v| v.region_id != region)
    {
        return Err(super::vpc::vpc_not_found(&vpc_id));
    }
    let bandwidth = p
        .int("Bandwidth")?
        .ok_or_else(|| SimError::missing("Bandwidth"))?;
    if !VPN_BANDWIDTHS.contains(&bandwidth) {
        return Err(SimError::invalid("Bandwidth", &bandwidth.to_string()));
    }
    // The gateway's interfaces live in a vSwitch of the VPC: the one named, else the
    // service picks one; a VPC without any vSwitch cannot have a VPN gateway.
    let vswitch_id = match p.get("VSwitchId") {
        Some(id) => {
            if state.vswitches.get(id).is_none_or(|s| s.vpc_id != vpc_id) {
                return Err(super::vpc::vswitch_not_found(id));
            }
            id.to_string()
        }
        None => state
            .vswitches
            .values()
            .find(|s| s.vpc_id == vpc_id)
            .map(|s| s.id.clone())
            .ok_or_else(|| {
                SimError::bad(
                    "InvalidVSwitchId.NotFound",
                    format!("The VPC {vpc_id} has no vSwitch for the VPN gateway; create one or pass VSwitchId."),
                )
            })?,
    };
    if SimState::count_in_region(&state.vpn_gateways, &region, |g| &g.region_id)
        >= state.quotas.vpn_gateways_per_region
    {
        return Err(SimError::bad(
            "QuotaExceeded.VpnGateway",
            "The maximum number of VPN gateways is reached.",
        ));
    }
    let id = state.new_id("vpn");
    let name = p
        .get("Name")
        .map(str::to_string)
        .unwrap_or_else(|| id.clone());
    let internet_ip = state.new_public_ip();
    state.vpn_gateways.insert(
        id.clone(),
        SimVpnGateway {
            id: id.clone(),
            name: name.clone(),
            description: p.get_or("Description", "").into(),
            region_id: region,
            vpc_id,
            vswitch_id,
            bandwidth,
            internet_ip,
            enable_ipsec: p.bool("EnableIpsec", true)?,
            enable_ssl: p.bool("EnableSsl", false)?,
            ssl_connections: p.int("SslConnections")?.unwrap_or(5),
            created: ctx.now,
        },
    );
    Ok(json!({ "VpnGatewayId": id, "Name": name, "OrderId": 0 }))
}

fn describe_vpn_gateways(
    state: &SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let items: Vec<&SimVpnGateway> = state
        .vpn_gateways
        .values()
        .filter(|g| g.region_id == region)
        .filter(|g| p.get("VpnGatewayId").is_none_or(|x| x == g.id))
        .filter(|g| p.get("VpcId").is_none_or(|x| x == g.vpc_id))
        .filter(|g| {
            p.get("Status")
                .is_none_or(|x| x == state.vpn_gateway_status(g, ctx.now))
        })
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "VpnGateways", "VpnGateway", |g| {
        json!({
            "VpnGatewayId": g.id,
            "Name": g.name,
            "Description": g.description,
            "VpcId": g.vpc_id,
            "VSwitchId": g.vswitch_id,
            "InternetIp": g.internet_ip,
            "Spec": format!("{}M", g.bandwidth),
            "Status": state.vpn_gateway_status(g, ctx.now),
            "BusinessStatus": "Normal",
            "ChargeType": "PostpayByFlow",
            "IpsecVpn": if g.enable_ipsec { "enable" } else { "disable" },
            "SslVpn": if g.enable_ssl { "enable" } else { "disable" },
            "SslMaxConnections": g.ssl_connections,
            "CreateTime": millis(g.created),
            "EndTime": 0,
            "NetworkType": "public",
            "GatewayType": "Normal",
            "VpnType": "Normal",
            "EnableBgp": false,
            "AutoPropagate": false,
            "ResourceGroupId": "rg-sim-default",
            "Tags": { "Tag": [] },
        })
    }))
}

fn delete_vpn_gateway(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("VpnGatewayId")?.to_string();
    if !state.vpn_gateways.contains_key(&id) {
        return Err(gateway_not_found(&id));
    }
    if state
        .vpn_connections
        .values()
        .any(|c| c.vpn_gateway_id == id)
    {
        return Err(SimError::bad(
            "DependencyViolation.VpnConnection",
            "The VPN gateway still has IPsec connections.",
        ));
    }
    if state.route_entries.values().any(|e| e.next_hop_id == id) {
        return Err(SimError::bad(
            "DependencyViolation.RouteEntry",
            "Route entries still point at the VPN gateway.",
        ));
    }
    state.vpn_gateways.remove(&id);
    Ok(json!({}))
}

fn create_customer_gateway(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let ip = p.required("IpAddress")?.to_string();
    if parse_ip(&ip).is_none() {
        return Err(SimError::bad(
            "InvalidIpAddress.Malformed",
            format!("The IpAddress {ip} is not a valid IPv4 address."),
        ));
    }
    if state
        .customer_gateways
        .values()
        .any(|c| c.region_id == region && c.ip_address == ip)
    {
        return Err(SimError::bad(
            "InvalidIpAddress.AlreadyExist",
            format!("A customer gateway with IP {ip} already exists."),
        ));
    }
    let asn = p.int("Asn")?;
    let id = state.new_id("cgw");
    let name = p
        .get("Name")
        .map(str::to_string)
        .unwrap_or_else(|| id.clone());
    let description = p.get_or("Description", "").to_string();
    state.customer_gateways.insert(
        id.clone(),
        SimCustomerGateway {
            id: id.clone(),
            name: name.clone(),
            description: description.clone(),
            region_id: region,
            ip_address: ip.clone(),
            asn,
            created: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(json!({
        "CustomerGatewayId": id,
        "IpAddress": ip,
        "Name": name,
        "Description": description,
        "CreateTime": millis(ctx.now),
    }))
}

fn describe_customer_gateways(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let items: Vec<&SimCustomerGateway> = state
        .customer_gateways
        .values()
        .filter(|c| c.region_id == region && p.get("CustomerGatewayId").is_none_or(|x| x == c.id))
        .filter(|c| p.tags_match(&c.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "CustomerGateways", "CustomerGateway", |c| {
        let mut j = json!({
            "CustomerGatewayId": c.id,
            "Name": c.name,
            "Description": c.description,
            "IpAddress": c.ip_address,
            "CreateTime": millis(c.created),
            "ResourceGroupId": "rg-sim-default",
            "Tags": { "Tag": super::vpc_tags(&c.tags) },
        });
        if let Some(asn) = c.asn {
            j["Asn"] = json!(asn);
        }
        j
    }))
}

fn delete_customer_gateway(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("CustomerGatewayId")?.to_string();
    if !state.customer_gateways.contains_key(&id) {
        return Err(customer_not_found(&id));
    }
    if state
        .vpn_connections
        .values()
        .any(|c| c.customer_gateway_id == id)
    {
        return Err(SimError::bad(
            "DependencyViolation.VpnConnection",
            "The customer gateway is still used by IPsec connections.",
        ));
    }
    state.customer_gateways.remove(&id);
    Ok(json!({}))
}

/// A JSON-object parameter merged over the service's defaults.
pub(super) fn json_config(
    p: &RpcParams,
    name: &str,
    defaults: Value,
) -> SimResult<Map<String, Value>> {
    let mut config = match defaults {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Some(raw) = p.get(name) {
        let given: Map<String, Value> = serde_json::from_str(raw).map_err(|_| {
            SimError::bad(
                &format!("InvalidParameter.{name}"),
                format!("{name} must be a JSON object: {raw}"),
            )
        })?;
        config.extend(given);
    }
    Ok(config)
}

pub(super) fn check_subnets(name: &str, text: &str) -> SimResult<()> {
    if text.split(',').all(|s| Cidr::parse(s.trim()).is_some()) {
        Ok(())
    } else {
        Err(SimError::bad(
            &format!("InvalidParameter.{name}"),
            format!("{name} must be comma-separated CIDR blocks: {text}"),
        ))
    }
}

fn create_vpn_connection(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let gateway_id = p.required("VpnGatewayId")?.to_string();
    let customer_id = p.required("CustomerGatewayId")?.to_string();
    let local = p.required("LocalSubnet")?.to_string();
    let remote = p.required("RemoteSubnet")?.to_string();
    if state
        .vpn_gateways
        .get(&gateway_id)
        .is_none_or(|g| g.region_id != region)
    {
        return Err(gateway_not_found(&gateway_id));
    }
    if state
        .customer_gateways
        .get(&customer_id)
        .is_none_or(|c| c.region_id != region)
    {
        return Err(customer_not_found(&customer_id));
    }
    check_subnets("LocalSubnet", &local)?;
    check_subnets("RemoteSubnet", &remote)?;
    let psk: String = hex::encode(rand::random::<[u8; 8]>());
    let ike = json_config(
        p,
        "IkeConfig",
        json!({
            "IkeVersion": "ikev1", "IkeMode": "main", "IkeEncAlg": "aes", "IkeAuthAlg": "sha1",
            "IkePfs": "group2", "IkeLifetime": 86400, "LocalId": "", "RemoteId": "", "Psk": psk,
        }),
    )?;
    let ipsec = json_config(
        p,
        "IpsecConfig",
        json!({ "IpsecEncAlg": "aes", "IpsecAuthAlg": "sha1", "IpsecPfs": "group2", "IpsecLifetime": 86400 }),
    )?;
    let id = state.new_id("vco");
    let name = p
        .get("Name")
        .map(str::to_string)
        .unwrap_or_else(|| id.clone());
    state.vpn_connections.insert(
        id.clone(),
        SimVpnConnection {
            id: id.clone(),
            name: name.clone(),
            region_id: region,
            vpn_gateway_id: gateway_id,
            customer_gateway_id: customer_id,
            local_subnet: local,
            remote_subnet: remote,
            effect_immediately: p.bool("EffectImmediately", false)?,
            ike_config: ike,
            ipsec_config: ipsec,
            created: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(json!({ "VpnConnectionId": id, "Name": name, "CreateTime": millis(ctx.now) }))
}

fn describe_vpn_connections(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let items: Vec<&SimVpnConnection> = state
        .vpn_connections
        .values()
        .filter(|c| c.region_id == region)
        .filter(|c| p.get("VpnConnectionId").is_none_or(|x| x == c.id))
        .filter(|c| p.get("VpnGatewayId").is_none_or(|x| x == c.vpn_gateway_id))
        .filter(|c| {
            p.get("CustomerGatewayId")
                .is_none_or(|x| x == c.customer_gateway_id)
        })
        .filter(|c| p.tags_match(&c.tags))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 50, false)?, "VpnConnections", "VpnConnection", |c| {
        json!({
            "VpnConnectionId": c.id,
            "Name": c.name,
            "VpnGatewayId": c.vpn_gateway_id,
            "CustomerGatewayId": c.customer_gateway_id,
            "LocalSubnet": c.local_subnet,
            "RemoteSubnet": c.remote_subnet,
            "CreateTime": millis(c.created),
            "EffectImmediately": c.effect_immediately,
            "Status": "ike_sa_not_established",
            "State": "active",
            "EnableDpd": true,
            "EnableNatTraversal": true,
            "NetworkType": "public",
            "Spec": "5M",
            "IkeConfig": c.ike_config,
            "IpsecConfig": c.ipsec_config,
            "VpnBgpConfig": { "Status": "false" },
            "VcoHealthCheck": { "Enable": "false" },
            "Tag": { "Tag": super::vpc_tags(&c.tags) },
        })
    }))
}

pub(super) fn connection_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidVpnConnectionInstanceId.NotFound",
        format!("The specified IPsec connection {id} does not exist."),
    )
}

fn delete_vpn_connection(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("VpnConnectionId")?.to_string();
    if state.vpn_connections.remove(&id).is_none() {
        return Err(connection_not_found(&id));
    }
    Ok(json!({}))
}

/// What the on-premises device is configured with: the two public addresses, the
/// subnets and the IKE/IPsec settings (with the generated pre-shared key).
fn download_vpn_connection_config(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let id = p.required("VpnConnectionId")?;
    let connection = state
        .vpn_connections
        .get(id)
        .filter(|c| c.region_id == region)
        .ok_or_else(|| connection_not_found(id))?;
    let local = state
        .vpn_gateways
        .get(&connection.vpn_gateway_id)
        .map(|g| g.internet_ip.clone())
        .unwrap_or_default();
    let remote = state
        .customer_gateways
        .get(&connection.customer_gateway_id)
        .map(|c| c.ip_address.clone())
        .unwrap_or_default();
    Ok(json!({
        "VpnConnectionConfig": {
            "Local": local,
            "Remote": remote,
            "LocalSubnet": connection.local_subnet,
            "RemoteSubnet": connection.remote_subnet,
            "IkeConfig": connection.ike_config,
            "IpsecConfig": connection.ipsec_config,
        }
    }))
}
