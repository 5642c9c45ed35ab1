//! Shared machinery of the Alibaba Cloud extras (OSS buckets, vRouters and routes, VPN,
//! border routers and router interfaces): their actor kinds and directories, where they
//! sit in the local-deletion tree (`cascade` asks here for the kinds it does not know),
//! and how an Alibaba id maps back to a local record.

use super::cascade::{retire, DATA_CENTER, VPC};
use super::extras_tables as t;
use crate::app::App;
use crate::resources::{Dir, Kind};
use crate::store::Inventory;
use actix::ArbiterHandle;
use futures::future::LocalBoxFuture;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::Duration;
use zstack_db::TableSpec;
use zstack_kit::actor::ActorDirectory;
use zstack_kit::{ApiError, ApiResult};

pub const OSS_BUCKET: &str = "OssBucketVO";
pub const VROUTER: &str = "VpcVirtualRouterVO";
pub const ROUTE_ENTRY: &str = "VpcVirtualRouteEntryVO";
pub const VPN_GATEWAY: &str = "VpcVpnGatewayVO";
pub const USER_GATEWAY: &str = "VpcUserVpnGatewayVO";
pub const VPN_CONNECTION: &str = "VpcVpnConnectionVO";
pub const IKE_CONFIG: &str = "VpcVpnIkeConfigVO";
pub const IPSEC_CONFIG: &str = "VpcVpnIpSecConfigVO";
pub const VBR: &str = "VirtualBorderRouterVO";
pub const ROUTER_INTERFACE: &str = "AliyunRouterInterfaceVO";

macro_rules! extra_kinds {
    ($($name:ident => $spec:path),* $(,)?) => {
        $(pub struct $name; impl Kind for $name { const SPEC: &'static TableSpec = &$spec; })*
    };
}

extra_kinds!(
    OssBucketK => t::OSS_BUCKET, VRouterK => t::ALIYUN_VIRTUAL_ROUTER, RouteEntryK => t::ALIYUN_ROUTE_ENTRY, VpnGatewayK => t::VPC_VPN_GATEWAY,
    UserGatewayK => t::VPC_USER_VPN_GATEWAY, VpnConnectionK => t::VPC_VPN_CONNECTION, IkeConfigK => t::VPC_VPN_IKE_CONFIG,
    IpsecConfigK => t::VPC_VPN_IPSEC_CONFIG, VbrK => t::VIRTUAL_BORDER_ROUTER, RouterInterfaceK => t::ALIYUN_ROUTER_INTERFACE,
);

/// How far an image upload has got: bytes sent of the file's size, then the import's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadProgress {
    pub sent: u64,
    pub total: u64,
    /// Uploading, Importing (with Alibaba's status), Available, Failed.
    pub phase: String,
}

pub struct ExtrasDirs {
    pub oss_bucket: Dir<OssBucketK>,
    pub vrouter: Dir<VRouterK>,
    pub route_entry: Dir<RouteEntryK>,
    pub vpn_gateway: Dir<VpnGatewayK>,
    pub user_gateway: Dir<UserGatewayK>,
    pub vpn_connection: Dir<VpnConnectionK>,
    pub ike_config: Dir<IkeConfigK>,
    pub ipsec_config: Dir<IpsecConfigK>,
    pub vbr: Dir<VbrK>,
    pub router_interface: Dir<RouterInterfaceK>,
    /// Image uploads of this node, by the ECS image's uuid, for GetCreateEcsImageProgress.
    pub uploads: Mutex<HashMap<String, UploadProgress>>,
}

impl ExtrasDirs {
    pub fn new(app: &App, arbiters: &[ArbiterHandle], idle: Duration) -> ExtrasDirs {
        let a = || arbiters.to_vec();
        ExtrasDirs {
            oss_bucket: ActorDirectory::new(app.clone(), a(), idle),
            vrouter: ActorDirectory::new(app.clone(), a(), idle),
            route_entry: ActorDirectory::new(app.clone(), a(), idle),
            vpn_gateway: ActorDirectory::new(app.clone(), a(), idle),
            user_gateway: ActorDirectory::new(app.clone(), a(), idle),
            vpn_connection: ActorDirectory::new(app.clone(), a(), idle),
            ike_config: ActorDirectory::new(app.clone(), a(), idle),
            ipsec_config: ActorDirectory::new(app.clone(), a(), idle),
            vbr: ActorDirectory::new(app.clone(), a(), idle),
            router_interface: ActorDirectory::new(app.clone(), a(), idle),
            uploads: Mutex::new(HashMap::new()),
        }
    }

    pub fn live(&self) -> usize {
        self.oss_bucket.live() + self.vrouter.live() + self.route_entry.live() + self.vpn_gateway.live() + self.user_gateway.live()
            + self.vpn_connection.live() + self.ike_config.live() + self.ipsec_config.live() + self.vbr.live() + self.router_interface.live()
    }
}

type Children = &'static [(&'static str, &'static TableSpec, &'static str)];

/// Below a DataCenter: what is fetched per region. Route entries hang below their
/// router, connections below their gateways; vRouters below their VPC.
static DATA_CENTER_CHILDREN: Children = &[
    (OSS_BUCKET, &t::OSS_BUCKET, "dataCenterUuid"),
    (VPN_GATEWAY, &t::VPC_VPN_GATEWAY, "dataCenterUuid"),
    (USER_GATEWAY, &t::VPC_USER_VPN_GATEWAY, "dataCenterUuid"),
    (VBR, &t::VIRTUAL_BORDER_ROUTER, "dataCenterUuid"),
    (ROUTER_INTERFACE, &t::ALIYUN_ROUTER_INTERFACE, "dataCenterUuid"),
];
static VPC_CHILDREN: Children = &[(VROUTER, &t::ALIYUN_VIRTUAL_ROUTER, "vpcUuid")];
static ROUTER_CHILDREN: Children = &[(ROUTE_ENTRY, &t::ALIYUN_ROUTE_ENTRY, "vRouterUuid")];
static VPN_GATEWAY_CHILDREN: Children = &[(VPN_CONNECTION, &t::VPC_VPN_CONNECTION, "vpnGatewayUuid")];
static USER_GATEWAY_CHILDREN: Children = &[(VPN_CONNECTION, &t::VPC_VPN_CONNECTION, "userGatewayUuid")];

/// The extras' child tables of `kind` (also of the foundation's DataCenter and VPC).
pub fn children_tables(kind: &str) -> Children {
    match kind {
        DATA_CENTER => DATA_CENTER_CHILDREN,
        VPC => VPC_CHILDREN,
        VROUTER | VBR => ROUTER_CHILDREN,
        VPN_GATEWAY => VPN_GATEWAY_CHILDREN,
        USER_GATEWAY => USER_GATEWAY_CHILDREN,
        _ => &[],
    }
}

pub fn spec_of(kind: &str) -> ApiResult<&'static TableSpec> {
    Ok(match kind {
        OSS_BUCKET => &t::OSS_BUCKET,
        VROUTER => &t::ALIYUN_VIRTUAL_ROUTER,
        ROUTE_ENTRY => &t::ALIYUN_ROUTE_ENTRY,
        VPN_GATEWAY => &t::VPC_VPN_GATEWAY,
        USER_GATEWAY => &t::VPC_USER_VPN_GATEWAY,
        VPN_CONNECTION => &t::VPC_VPN_CONNECTION,
        IKE_CONFIG => &t::VPC_VPN_IKE_CONFIG,
        IPSEC_CONFIG => &t::VPC_VPN_IPSEC_CONFIG,
        VBR => &t::VIRTUAL_BORDER_ROUTER,
        ROUTER_INTERFACE => &t::ALIYUN_ROUTER_INTERFACE,
        other => return Err(ApiError::internal(format!("no hybrid resource type {other}"))),
    })
}

/// Removes one local record of an extras kind (its children are gone already).
pub fn delete_node<'a>(app: &'a App, kind: &'a str, uuid: &'a str) -> LocalBoxFuture<'a, ApiResult<()>> {
    Box::pin(async move {
        let d = &app.dirs().hybrid_extras;
        match kind {
            OSS_BUCKET => retire(app, &d.oss_bucket, uuid, vec![]).await,
            VROUTER => retire(app, &d.vrouter, uuid, vec![]).await,
            ROUTE_ENTRY => retire(app, &d.route_entry, uuid, vec![]).await,
            VPN_GATEWAY => retire(app, &d.vpn_gateway, uuid, vec![]).await,
            USER_GATEWAY => retire(app, &d.user_gateway, uuid, vec![]).await,
            VPN_CONNECTION => retire(app, &d.vpn_connection, uuid, vec![]).await,
            IKE_CONFIG => retire(app, &d.ike_config, uuid, vec![]).await,
            IPSEC_CONFIG => retire(app, &d.ipsec_config, uuid, vec![]).await,
            VBR => retire(app, &d.vbr, uuid, vec![]).await,
            ROUTER_INTERFACE => retire(app, &d.router_interface, uuid, vec![]).await,
            other => Err(ApiError::internal(format!("no local deletion for {other}"))),
        }
    })
}

/// The local record of kind `spec` whose Alibaba id (`id_field`) is `id`, in a DataCenter.
pub async fn local_by_remote_id(app: &App, spec: &'static TableSpec, id_field: &str, dc: &str, id: &str) -> ApiResult<Option<Inventory>> {
    if id.is_empty() {
        return Ok(None);
    }
    Ok(app.store.inv_find(spec, id_field, id).await?.into_iter().find(|r| crate::store::str_of(r, "dataCenterUuid") == Some(dc)))
}
