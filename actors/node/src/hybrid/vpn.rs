//! VPN between a VPC and an on-premises site: VPN gateways (synced from Alibaba Cloud),
//! user gateways (Alibaba's customer gateways: created, deleted and synced), IPsec
//! connections between the two with IKE and IPsec settings kept as local records, and
//! the configuration an on-premises device needs, fetched from Alibaba Cloud.

use super::cascade::{delete_local, IKE_CONFIG, IPSEC_CONFIG, USER_GATEWAY, VPN_CONNECTION, VPN_GATEWAY};
use super::client::for_data_center;
use super::recovery::{noted, uuid_tags};
use super::sync::reconcile;
use super::vrouter::check_cidr;
use super::{aliyun_error, local_by_remote_id, delete_remote_first, deleted_or_gone, insert_or_undo, undo_logged, client_token, field, inv_reply, invs_reply};
use crate::tables;
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use serde_json::{json, Map, Value};
use zstack_aliyun::vpn::{CreateCustomerGatewayRequest, CreateVpnConnectionRequest, IkeConfig, IpsecConfig};
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::{ApiError, ApiResult};

/// The DataCenter's VPN gateways reconciled with Alibaba Cloud's.
pub async fn vpn_gateways_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    let remote = for_data_center(app, dc).await?;
    let gateways = remote.client.describe_vpn_gateways_all(&remote.region).await.map_err(aliyun_error)?;
    let mut fields = Vec::with_capacity(gateways.len());
    for g in &gateways {
        let vpc = local_by_remote_id(app, &tables::ECS_VPC, "ecsVpcId", dc, &g.vpc_id).await?.map(|v| field(&v, "uuid"));
        let vswitch = local_by_remote_id(app, &tables::ECS_VSWITCH, "vSwitchId", dc, &g.v_switch_id).await?.map(|v| field(&v, "uuid"));
        fields.push(remote_fields!("dataCenterUuid": dc, "gatewayId": g.vpn_gateway_id, "name": g.name, "vpcUuid": vpc, "vSwitchUuid": vswitch,
            "publicIp": g.internet_ip, "spec": g.spec, "status": g.status, "businessStatus": g.business_status, "description": g.description));
    }
    let local = app.store.inv_find(&tables::VPC_VPN_GATEWAY, "dataCenterUuid", dc).await?;
    let out = reconcile(app, &app.dirs().hybrid.vpn_gateway, VPN_GATEWAY, "gatewayId", local, fields).await?;
    Ok(out.inventories)
}

/// `SyncVpcVpnGatewayFromRemote`: the region's VPN gateways, linked to the local VPC and
/// vSwitch records when the node has them.
pub async fn vpn_gateway_sync(app: App, req: Req) -> ApiResult<Reply> {
    invs_reply(vpn_gateways_sync(&app, &req.must("dataCenterUuid")?).await?, &tables::VPC_VPN_GATEWAY)
}

fn check_ipv4(name: &str, ip: &str) -> ApiResult<()> {
    ip.parse::<std::net::Ipv4Addr>().map(|_| ()).map_err(|_| ApiError::invalid_argument(format!("{name}[{ip}] is not an IPv4 address")))
}

/// `CreateVpcUserVpnGatewayRemote`: the on-premises device's public address.
pub async fn user_gateway_create(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let ip = req.must("ip")?;
    let name = req.must("name")?;
    check_ipv4("ip", &ip)?;
    let remote = for_data_center(&app, &dc).await?;
    let uuid = req.resource_uuid()?;
    let request = CreateCustomerGatewayRequest {
        ip_address: ip.clone(),
        name: Some(name.clone()),
        description: req.string("description"),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let inv = noted(&app, USER_GATEWAY, &uuid, &dc, json!({}), async {
        let created = remote.client.create_customer_gateway(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "gatewayId": created.customer_gateway_id, "name": name, "ip": ip,
            "description": req.str("description")}));
        let undo = async { undo_logged("the new customer gateway", remote.client.delete_customer_gateway(&remote.region, &created.customer_gateway_id).await).await };
        insert_or_undo(&app, &app.dirs().hybrid.data_center, &dc, &tables::VPC_USER_VPN_GATEWAY, inv.clone(), undo).await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

/// `DeleteVpcUserVpnGatewayRemote`: Alibaba Cloud refuses while connections use it.
pub async fn user_gateway_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    delete_remote_first(&app, &app.dirs().hybrid.user_gateway, USER_GATEWAY, &uuid, |_, remote, inv| {
        Box::pin(async move {
            deleted_or_gone(remote.client.delete_customer_gateway(&remote.region, &field(&inv, "gatewayId")).await)
        })
    })
    .await
}

/// The DataCenter's user gateways reconciled with Alibaba Cloud's customer gateways.
pub async fn user_gateways_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    let remote = for_data_center(app, dc).await?;
    let gateways = remote.client.describe_customer_gateways_all(&remote.region).await.map_err(aliyun_error)?;
    let fields = gateways
        .iter()
        .map(|g| remote_fields!("dataCenterUuid": dc, "gatewayId": g.customer_gateway_id, "name": g.name, "ip": g.ip_address, "description": g.description))
        .collect();
    let local = app.store.inv_find(&tables::VPC_USER_VPN_GATEWAY, "dataCenterUuid", dc).await?;
    let out = reconcile(app, &app.dirs().hybrid.user_gateway, USER_GATEWAY, "gatewayId", local, fields).await?;
    Ok(out.inventories)
}

/// `SyncVpcUserVpnGatewayFromRemote`.
pub async fn user_gateway_sync(app: App, req: Req) -> ApiResult<Reply> {
    invs_reply(user_gateways_sync(&app, &req.must("dataCenterUuid")?).await?, &tables::VPC_USER_VPN_GATEWAY)
}

const IKE_VERSIONS: &[&str] = &["ikev1", "ikev2"];
const IKE_MODES: &[&str] = &["main", "aggressive"];
const ENC_ALGS: &[&str] = &["aes", "aes192", "aes256", "des", "3des"];
const AUTH_ALGS: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];
const IKE_PFS: &[&str] = &["group1", "group2", "group5", "group14"];
const IPSEC_PFS: &[&str] = &["disabled", "group1", "group2", "group5", "group14"];
/// Alibaba Cloud's range for both lifetimes, in seconds.
const MAX_LIFETIME: i64 = 86400;

/// A setting from `allowed`, or `default` when not given.
fn choice(req: &Req, name: &str, allowed: &[&str], default: &str) -> ApiResult<String> {
    match req.str(name) {
        None => Ok(default.to_string()),
        Some(v) if allowed.contains(&v) => Ok(v.to_string()),
        Some(v) => Err(ApiError::invalid_argument(format!("{name}[{v}] must be one of {}", allowed.join(", ")))),
    }
}

fn lifetime(req: &Req) -> ApiResult<i64> {
    match req.params.get("lifetime").filter(|v| !v.is_null()) {
        None => Ok(MAX_LIFETIME),
        Some(v) => v
            .as_i64()
            .filter(|l| (0..=MAX_LIFETIME).contains(l))
            .ok_or_else(|| ApiError::invalid_argument(format!("lifetime[{v}] must be a number of seconds from 0 to {MAX_LIFETIME}"))),
    }
}

/// `CreateVpnIkeConfig`: a local record, used by connections created later.
pub async fn ike_config_create(app: App, req: Req) -> ApiResult<Reply> {
    let name = req.must("name")?;
    let psk = req.must("psk")?;
    if psk.is_empty() || psk.len() > 100 || psk.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid_argument("psk must be 1 to 100 characters without spaces"));
    }
    let local_ip = req.must("localIp")?;
    let remote_ip = req.must("remoteIp")?;
    check_ipv4("localIp", &local_ip)?;
    check_ipv4("remoteIp", &remote_ip)?;
    let inv = new_inv(json!({"uuid": req.resource_uuid()?, "name": name, "psk": psk,
        "version": choice(&req, "version", IKE_VERSIONS, "ikev1")?, "mode": choice(&req, "mode", IKE_MODES, "main")?,
        "encAlg": choice(&req, "encAlg", ENC_ALGS, "aes")?, "authAlg": choice(&req, "authAlg", AUTH_ALGS, "sha1")?,
        "pfs": choice(&req, "pfs", IKE_PFS, "group2")?, "lifetime": lifetime(&req)?, "localIp": local_ip, "remoteIp": remote_ip,
        "description": req.str("description")}));
    app.store.inv_insert(&tables::VPC_VPN_IKE_CONFIG, &inv).await?;
    inv_reply(inv)
}

/// `CreateVpnIpsecConfig`.
pub async fn ipsec_config_create(app: App, req: Req) -> ApiResult<Reply> {
    let inv = new_inv(json!({"uuid": req.resource_uuid()?, "name": req.must("name")?,
        "encAlg": choice(&req, "encAlg", ENC_ALGS, "aes")?, "authAlg": choice(&req, "authAlg", AUTH_ALGS, "sha1")?,
        "pfs": choice(&req, "pfs", IPSEC_PFS, "group2")?, "lifetime": lifetime(&req)?, "description": req.str("description")}));
    app.store.inv_insert(&tables::VPC_VPN_IPSEC_CONFIG, &inv).await?;
    inv_reply(inv)
}

/// `DeleteVpcIkeConfigLocal` / `DeleteVpcIpSecConfigLocal`: refused while a connection
/// names the settings (they describe how that connection was made).
async fn config_delete(app: App, req: Req, kind: &'static str, by: &'static str) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let users = app.store.inv_find(&tables::VPC_VPN_CONNECTION, by, &uuid).await?;
    if let Some(c) = users.first() {
        return Err(ApiError::operation(format!("{kind}[uuid:{uuid}] is used by VpcVpnConnection[uuid:{}]; delete the connection first", field(c, "uuid"))));
    }
    delete_local(&app, Node::new(kind, uuid), DeleteMode::parse(req.str("deleteMode"))?).await?;
    Ok(Reply::Empty)
}

pub async fn ike_config_delete(app: App, req: Req) -> ApiResult<Reply> {
    config_delete(app, req, IKE_CONFIG, "ikeConfigUuid").await
}

pub async fn ipsec_config_delete(app: App, req: Req) -> ApiResult<Reply> {
    config_delete(app, req, IPSEC_CONFIG, "ipsecConfigUuid").await
}

pub(super) fn ike_of(c: &Inventory) -> IkeConfig {
    IkeConfig {
        ike_version: field(c, "version"),
        ike_mode: field(c, "mode"),
        ike_enc_alg: field(c, "encAlg"),
        ike_auth_alg: field(c, "authAlg"),
        ike_pfs: field(c, "pfs"),
        ike_lifetime: c.get("lifetime").and_then(Value::as_i64).unwrap_or(0),
        local_id: field(c, "localIp"),
        remote_id: field(c, "remoteIp"),
        psk: field(c, "psk"),
    }
}

pub(super) fn ipsec_of(c: &Inventory) -> IpsecConfig {
    IpsecConfig {
        ipsec_enc_alg: field(c, "encAlg"),
        ipsec_auth_alg: field(c, "authAlg"),
        ipsec_pfs: field(c, "pfs"),
        ipsec_lifetime: c.get("lifetime").and_then(Value::as_i64).unwrap_or(0),
    }
}

pub(super) async fn must(app: &App, spec: &'static zstack_db::TableSpec, vo: &str, uuid: &str) -> ApiResult<Inventory> {
    app.store.inv_get(spec, uuid).await?.ok_or_else(|| ApiError::not_found(vo, uuid))
}

pub(super) fn check_subnets(name: &str, text: &str) -> ApiResult<()> {
    text.split(',').try_for_each(|s| check_cidr(name, s.trim()))
}

/// `CreateVpcVpnConnectionRemote`: an IPsec connection between a VPN gateway and a user
/// gateway of the same DataCenter, with the given IKE and IPsec settings.
pub async fn connection_create(app: App, req: Req) -> ApiResult<Reply> {
    let name = req.must("name")?;
    let local_cidr = req.must("localCidr")?;
    let remote_cidr = req.must("remoteCidr")?;
    check_subnets("localCidr", &local_cidr)?;
    check_subnets("remoteCidr", &remote_cidr)?;
    let active = req
        .bool("active")
        .ok_or_else(|| ApiError::invalid_argument(format!("field[active] of message[{}] is mandatory, can not be null", req.api.msg)))?;
    let gateway_uuid = req.must("vpnGatewayUuid")?;
    let user_uuid = req.must("userGatewayUuid")?;
    let gateway = must(&app, &tables::VPC_VPN_GATEWAY, VPN_GATEWAY, &gateway_uuid).await?;
    let user = must(&app, &tables::VPC_USER_VPN_GATEWAY, USER_GATEWAY, &user_uuid).await?;
    let dc = field(&gateway, "dataCenterUuid");
    if field(&user, "dataCenterUuid") != dc {
        return Err(ApiError::invalid_argument(format!(
            "VpcVpnGateway[uuid:{gateway_uuid}] and VpcUserVpnGateway[uuid:{user_uuid}] are in different DataCenters"
        )));
    }
    let ike_uuid = req.must("ikeConfUuid")?;
    let ipsec_uuid = req.must("ipsecConfUuid")?;
    let ike = must(&app, &tables::VPC_VPN_IKE_CONFIG, IKE_CONFIG, &ike_uuid).await?;
    let ipsec = must(&app, &tables::VPC_VPN_IPSEC_CONFIG, IPSEC_CONFIG, &ipsec_uuid).await?;
    let remote = for_data_center(&app, &dc).await?;
    let uuid = req.resource_uuid()?;
    let request = CreateVpnConnectionRequest {
        vpn_gateway_id: field(&gateway, "gatewayId"),
        customer_gateway_id: field(&user, "gatewayId"),
        local_subnet: local_cidr.clone(),
        remote_subnet: remote_cidr.clone(),
        name: Some(name.clone()),
        effect_immediately: Some(active),
        ike_config: Some(ike_of(&ike)),
        ipsec_config: Some(ipsec_of(&ipsec)),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
    };
    let inv = noted(&app, VPN_CONNECTION, &uuid, &dc, json!({}), async {
        let created = remote.client.create_vpn_connection(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "connectionId": created.vpn_connection_id, "name": name,
            "localSubnet": local_cidr, "remoteSubnet": remote_cidr, "status": "ike_sa_not_established", "active": active,
            "vpnGatewayUuid": gateway_uuid, "userGatewayUuid": user_uuid, "ikeConfigUuid": ike_uuid, "ipsecConfigUuid": ipsec_uuid,
            "description": req.str("description")}));
        let undo = async { undo_logged("the new IPsec connection", remote.client.delete_vpn_connection(&remote.region, &created.vpn_connection_id).await).await };
        insert_or_undo(&app, &app.dirs().hybrid.vpn_gateway, &gateway_uuid, &tables::VPC_VPN_CONNECTION, inv.clone(), undo).await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

/// `DeleteVpcVpnConnectionRemote`.
pub async fn connection_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    delete_remote_first(&app, &app.dirs().hybrid.vpn_connection, VPN_CONNECTION, &uuid, |_, remote, inv| {
        Box::pin(async move {
            deleted_or_gone(remote.client.delete_vpn_connection(&remote.region, &field(&inv, "connectionId")).await)
        })
    })
    .await
}

/// The uuid of the IKE or IPsec record sync keeps for one connection: derived from the
/// connection's id, so every sync finds the same record and knows it owns it.
fn synced_config_uuid(what: &str, connection_id: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{what}:{connection_id}").as_bytes()))[..32].to_string()
}

/// The settings of a connection's IKE record as Alibaba Cloud reports them.
fn ike_settings(c: &IkeConfig) -> Map<String, Value> {
    remote_fields!("psk": c.psk, "version": c.ike_version, "mode": c.ike_mode, "encAlg": c.ike_enc_alg, "authAlg": c.ike_auth_alg, "pfs": c.ike_pfs,
        "lifetime": c.ike_lifetime, "localIp": c.local_id, "remoteIp": c.remote_id)
}

fn ipsec_settings(c: &IpsecConfig) -> Map<String, Value> {
    remote_fields!("encAlg": c.ipsec_enc_alg, "authAlg": c.ipsec_auth_alg, "pfs": c.ipsec_pfs, "lifetime": c.ipsec_lifetime)
}

/// The uuid of the IKE (or IPsec) record a synced connection links to. The record it
/// links already is kept when its settings are Alibaba's (a connection made by the node
/// keeps the operator's record); otherwise the connection gets a record of its own,
/// made or brought up to date, and nothing is written when it is.
async fn synced_config<K: crate::resources::Kind>(
    app: &App,
    dir: &crate::resources::Dir<K>,
    linked: Option<&str>,
    own: String,
    settings: Map<String, Value>,
    name: &str,
    description: String,
) -> ApiResult<String> {
    if let Some(l) = linked.filter(|l| *l != own) {
        if app.store.inv_get(K::SPEC, l).await?.is_some_and(|r| !super::sync::changed(&r, &settings)) {
            return Ok(l.to_string());
        }
    }
    match app.store.inv_get(K::SPEC, &own).await? {
        Some(r) if !super::sync::changed(&r, &settings) => {}
        Some(_) => {
            crate::resources::mutate(app, dir, &own, move |s| {
                s.inv.extend(settings);
                s.inv.insert("lastOpDate".into(), json!(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                Ok(())
            })
            .await?
        }
        None => {
            let mut fields = settings;
            fields.extend(remote_fields!("uuid": own.clone(), "name": name, "description": description));
            app.store.inv_insert(K::SPEC, &new_inv(Value::Object(fields))).await?;
        }
    }
    Ok(own)
}

/// The DataCenter's connections reconciled with Alibaba Cloud's, each linked to IKE and
/// IPsec records holding its settings (`ikeConfigUuid`, `ipsecConfigUuid`); the records
/// sync made for a connection that is gone go with it, unless another connection uses them.
pub async fn connections_sync(app: &App, dc: &str) -> ApiResult<Vec<Inventory>> {
    let remote = for_data_center(app, dc).await?;
    let connections = remote.client.describe_vpn_connections_all(&remote.region).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::VPC_VPN_CONNECTION, "dataCenterUuid", dc).await?;
    let local_by_id: std::collections::HashMap<String, &Inventory> = local.iter().map(|l| (field(l, "connectionId"), l)).collect();
    let d = &app.dirs().hybrid;
    let mut fields = Vec::with_capacity(connections.len());
    for c in &connections {
        let Some(gateway) = local_by_remote_id(app, &tables::VPC_VPN_GATEWAY, "gatewayId", dc, &c.vpn_gateway_id).await? else {
            continue;
        };
        let user = local_by_remote_id(app, &tables::VPC_USER_VPN_GATEWAY, "gatewayId", dc, &c.customer_gateway_id).await?.map(|u| field(&u, "uuid"));
        let linked = local_by_id.get(&c.vpn_connection_id);
        let id = &c.vpn_connection_id;
        let ike = synced_config(app, &d.ike_config, linked.and_then(|l| str_of(l, "ikeConfigUuid")), synced_config_uuid("ike", id),
            ike_settings(&c.ike_config), &c.name, format!("IKE settings of the VPN connection {id}, synced from Alibaba Cloud")).await?;
        let ipsec = synced_config(app, &d.ipsec_config, linked.and_then(|l| str_of(l, "ipsecConfigUuid")), synced_config_uuid("ipsec", id),
            ipsec_settings(&c.ipsec_config), &c.name, format!("IPsec settings of the VPN connection {id}, synced from Alibaba Cloud")).await?;
        fields.push(remote_fields!("dataCenterUuid": dc, "connectionId": c.vpn_connection_id, "name": c.name, "localSubnet": c.local_subnet,
            "remoteSubnet": c.remote_subnet, "status": c.status, "active": c.effect_immediately, "vpnGatewayUuid": field(&gateway, "uuid"),
            "userGatewayUuid": user, "ikeConfigUuid": ike, "ipsecConfigUuid": ipsec));
    }
    let kept: std::collections::HashSet<String> = fields.iter().filter_map(|f| str_of(f, "connectionId").map(String::from)).collect();
    let gone: Vec<String> = local_by_id.keys().filter(|id| !kept.contains(*id)).cloned().collect();
    let out = reconcile(app, &d.vpn_connection, VPN_CONNECTION, "connectionId", local, fields).await?;
    for id in gone {
        for (kind, by, own) in [(IKE_CONFIG, "ikeConfigUuid", synced_config_uuid("ike", &id)), (IPSEC_CONFIG, "ipsecConfigUuid", synced_config_uuid("ipsec", &id))] {
            if app.store.inv_find(&tables::VPC_VPN_CONNECTION, by, &own).await?.is_empty() {
                delete_local(app, Node::new(kind, own), DeleteMode::Permissive).await?;
            }
        }
    }
    Ok(out.inventories)
}

/// `SyncVpcVpnConnectionFromRemote`: connections of the region whose gateways the node
/// knows (sync the gateways first), with their IKE and IPsec records.
pub async fn connection_sync(app: App, req: Req) -> ApiResult<Reply> {
    invs_reply(connections_sync(&app, &req.must("dataCenterUuid")?).await?, &tables::VPC_VPN_CONNECTION)
}

/// `GetVpcVpnConfigurationFromRemote`: `{"ikeConf": ..., "ipSecConf": ...}` as Alibaba
/// Cloud generated them for the on-premises device (the pre-shared key included).
pub async fn connection_config_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let connection = must(&app, &tables::VPC_VPN_CONNECTION, VPN_CONNECTION, &uuid).await?;
    let remote = for_data_center(&app, &field(&connection, "dataCenterUuid")).await?;
    let config = remote
        .client
        .download_vpn_connection_config(&remote.region, &field(&connection, "connectionId"))
        .await
        .map_err(aliyun_error)?
        .vpn_connection_config;
    let ike = &config.ike_config;
    let local_ip = if ike.local_id.is_empty() { config.local.clone() } else { ike.local_id.clone() };
    let remote_ip = if ike.remote_id.is_empty() { config.remote.clone() } else { ike.remote_id.clone() };
    let mut out = Map::new();
    out.insert(
        "ikeConf".into(),
        json!({"psk": ike.psk, "version": ike.ike_version, "mode": ike.ike_mode, "encAlg": ike.ike_enc_alg, "authAlg": ike.ike_auth_alg,
            "pfs": ike.ike_pfs, "lifetime": ike.ike_lifetime, "localIp": local_ip, "remoteIp": remote_ip,
            "localSubnet": config.local_subnet, "remoteSubnet": config.remote_subnet}),
    );
    let ipsec = &config.ipsec_config;
    out.insert(
        "ipSecConf".into(),
        json!({"encAlg": ipsec.ipsec_enc_alg, "authAlg": ipsec.ipsec_auth_alg, "pfs": ipsec.ipsec_pfs, "lifetime": ipsec.ipsec_lifetime}),
    );
    Ok(Reply::Fields(out))
}
