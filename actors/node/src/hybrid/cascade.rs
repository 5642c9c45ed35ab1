//! Local deletion of hybrid resources: the tree below each kind (DataCenter ->
//! zones, VPCs, images, EIPs, buckets, gateways, border routers, router
//! interfaces, disk snapshots, access points, L3-to-VPC connections; zone ->
//! VSwitches, disks, ECS; VPC -> VSwitches, security
//! groups, vRouters; VSwitch -> ECS; router -> route entries; gateway ->
//! connections), walked leaves first by the kit's cascade. An ECS instance takes its
//! system disk's record with it; its data disks stay, detached.
//! Only local records go; Alibaba Cloud is not called. Each record is removed
//! on its actor, so an operation already queued on it finishes first.

use super::{tables, HybridDirs};
use crate::app::App;
use crate::resources::{Dir, Kind, Res};
use crate::store::{str_of, Inventory};
use futures::future::LocalBoxFuture;
use zstack_db::{Stmt, TableSpec};
use zstack_kit::actor::Cell;
use zstack_kit::cascade::{cascade, CascadeGraph, DeleteMode, Node, Visit};
use zstack_kit::ApiResult;

pub const DATA_CENTER: &str = "DataCenterVO";
pub const IDENTITY_ZONE: &str = "IdentityZoneVO";
pub const VPC: &str = "EcsVpcVO";
pub const VSWITCH: &str = "EcsVSwitchVO";
pub const SECURITY_GROUP: &str = "EcsSecurityGroupVO";
pub const IMAGE: &str = "EcsImageVO";
pub const ECS: &str = "EcsInstanceVO";
pub const DISK: &str = "AliyunDiskVO";
pub const EIP: &str = "HybridEipAddressVO";
pub const KEY: &str = "HybridAccountVO";
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
pub const SNAPSHOT: &str = "AliyunSnapshotVO";
pub const ACCESS_POINT: &str = "ConnectionAccessPointVO";
pub const CONNECTION: &str = "ConnectionRelationShipVO";

type Children = &'static [(&'static str, &'static TableSpec, &'static str)];

static DATA_CENTER_CHILDREN: Children = &[
    (IDENTITY_ZONE, &tables::IDENTITY_ZONE, "dataCenterUuid"),
    (VPC, &tables::ECS_VPC, "dataCenterUuid"),
    (IMAGE, &tables::ECS_IMAGE, "dataCenterUuid"),
    (EIP, &tables::HYBRID_EIP, "dataCenterUuid"),
    (OSS_BUCKET, &tables::OSS_BUCKET, "dataCenterUuid"),
    (VPN_GATEWAY, &tables::VPC_VPN_GATEWAY, "dataCenterUuid"),
    (USER_GATEWAY, &tables::VPC_USER_VPN_GATEWAY, "dataCenterUuid"),
    (VBR, &tables::VIRTUAL_BORDER_ROUTER, "dataCenterUuid"),
    (ROUTER_INTERFACE, &tables::ALIYUN_ROUTER_INTERFACE, "dataCenterUuid"),
    (SNAPSHOT, &tables::ALIYUN_SNAPSHOT, "dataCenterUuid"),
    (ACCESS_POINT, &tables::CONNECTION_ACCESS_POINT, "dataCenterUuid"),
    (CONNECTION, &tables::CONNECTION_RELATIONSHIP, "dataCenterUuid"),
];
static ZONE_CHILDREN: Children = &[
    (ECS, &tables::ECS_INSTANCE, "identityZoneUuid"),
    (DISK, &tables::ALIYUN_DISK, "identityZoneUuid"),
    (VSWITCH, &tables::ECS_VSWITCH, "identityZoneUuid"),
];
static VPC_CHILDREN: Children = &[
    (VSWITCH, &tables::ECS_VSWITCH, "ecsVpcUuid"),
    (SECURITY_GROUP, &tables::ECS_SECURITY_GROUP, "ecsVpcUuid"),
    (VROUTER, &tables::ALIYUN_VIRTUAL_ROUTER, "vpcUuid"),
];
static VSWITCH_CHILDREN: Children = &[(ECS, &tables::ECS_INSTANCE, "ecsVSwitchUuid")];
static SECURITY_GROUP_CHILDREN: Children = &[(ECS, &tables::ECS_INSTANCE, "ecsSecurityGroupUuid")];
static ROUTER_CHILDREN: Children = &[(ROUTE_ENTRY, &tables::ALIYUN_ROUTE_ENTRY, "vRouterUuid")];
static VPN_GATEWAY_CHILDREN: Children = &[(VPN_CONNECTION, &tables::VPC_VPN_CONNECTION, "vpnGatewayUuid")];
static USER_GATEWAY_CHILDREN: Children = &[(VPN_CONNECTION, &tables::VPC_VPN_CONNECTION, "userGatewayUuid")];

/// Which tables hold the children of a kind, and by which column.
fn children_tables(kind: &str) -> Children {
    match kind {
        DATA_CENTER => DATA_CENTER_CHILDREN,
        IDENTITY_ZONE => ZONE_CHILDREN,
        VPC => VPC_CHILDREN,
        VSWITCH => VSWITCH_CHILDREN,
        SECURITY_GROUP => SECURITY_GROUP_CHILDREN,
        VROUTER | VBR => ROUTER_CHILDREN,
        VPN_GATEWAY => VPN_GATEWAY_CHILDREN,
        USER_GATEWAY => USER_GATEWAY_CHILDREN,
        _ => &[],
    }
}

pub fn spec_of(kind: &str) -> ApiResult<&'static TableSpec> {
    Ok(match kind {
        DATA_CENTER => &tables::DATA_CENTER,
        IDENTITY_ZONE => &tables::IDENTITY_ZONE,
        VPC => &tables::ECS_VPC,
        VSWITCH => &tables::ECS_VSWITCH,
        SECURITY_GROUP => &tables::ECS_SECURITY_GROUP,
        IMAGE => &tables::ECS_IMAGE,
        ECS => &tables::ECS_INSTANCE,
        DISK => &tables::ALIYUN_DISK,
        EIP => &tables::HYBRID_EIP,
        KEY => &tables::HYBRID_KEY,
        OSS_BUCKET => &tables::OSS_BUCKET,
        VROUTER => &tables::ALIYUN_VIRTUAL_ROUTER,
        ROUTE_ENTRY => &tables::ALIYUN_ROUTE_ENTRY,
        VPN_GATEWAY => &tables::VPC_VPN_GATEWAY,
        USER_GATEWAY => &tables::VPC_USER_VPN_GATEWAY,
        VPN_CONNECTION => &tables::VPC_VPN_CONNECTION,
        IKE_CONFIG => &tables::VPC_VPN_IKE_CONFIG,
        IPSEC_CONFIG => &tables::VPC_VPN_IPSEC_CONFIG,
        VBR => &tables::VIRTUAL_BORDER_ROUTER,
        ROUTER_INTERFACE => &tables::ALIYUN_ROUTER_INTERFACE,
        SNAPSHOT => &tables::ALIYUN_SNAPSHOT,
        ACCESS_POINT => &tables::CONNECTION_ACCESS_POINT,
        CONNECTION => &tables::CONNECTION_RELATIONSHIP,
        other => return Err(zstack_kit::ApiError::internal(format!("no hybrid resource type {other}"))),
    })
}

struct Tree {
    app: App,
}

fn uuids(rows: Vec<Inventory>) -> Vec<String> {
    rows.iter().filter_map(|r| str_of(r, "uuid").map(String::from)).collect()
}

/// Remove a record (and `extra` rows) on its actor and retire the actor;
/// a record already gone counts as removed.
pub async fn retire<K: Kind>(app: &App, dir: &Dir<K>, uuid: &str, extra: Vec<Stmt>) -> ApiResult<()> {
    let store = app.store.clone();
    let mut stmts = extra;
    stmts.push(store.delete_stmt(K::SPEC, "uuid", uuid));
    stmts.push(store.delete_stmt(&crate::tables::SYSTEM_TAG, "resourceUuid", uuid));
    stmts.push(store.delete_stmt(&crate::tables::USER_TAG, "resourceUuid", uuid));
    let r = dir
        .ask(uuid, move |cell: Cell<Res<K>>| {
            Box::pin(async move {
                if cell.borrow().gone {
                    return Ok(());
                }
                store.db.write(stmts).await?;
                cell.borrow_mut().gone = true;
                Ok(())
            })
        })
        .await;
    match r {
        Err(e) if e.details.contains("does not exist") => Ok(()),
        other => other,
    }
}

/// Clear a reference to a record going away (a disk's instance, an EIP's owner).
async fn unlink<K: Kind>(app: &App, dir: &Dir<K>, spec: &'static TableSpec, by: &'static str, owner: &str, fields: &'static [&'static str]) -> ApiResult<()> {
    for row in app.store.inv_find(spec, by, owner).await? {
        let r = crate::resources::mutate(app, dir, str_of(&row, "uuid").unwrap_or_default(), move |s| {
            for f in fields {
                s.inv.remove(*f);
            }
            Ok(())
        })
        .await;
        if let Err(e) = r {
            if !e.details.contains("does not exist") {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// A disk's record goes; snapshots outlive their disk and only lose the reference.
async fn retire_disk(app: &App, uuid: &str) -> ApiResult<()> {
    let d: &HybridDirs = &app.dirs().hybrid;
    unlink(app, &d.snapshot, &tables::ALIYUN_SNAPSHOT, "diskUuid", uuid, &["diskUuid"]).await?;
    retire(app, &d.disk, uuid, vec![]).await
}

impl Tree {
    async fn children_of(&self, node: &Node) -> ApiResult<Vec<Node>> {
        let mut out = Vec::new();
        for (kind, spec, by) in children_tables(node.kind).iter() {
            out.extend(uuids(self.app.store.inv_find(spec, by, &node.uuid).await?).into_iter().map(|u| Node::new(kind, u)));
        }
        Ok(out)
    }

    async fn delete_node(&self, node: &Node) -> ApiResult<()> {
        let app = &self.app;
        let d: &HybridDirs = &app.dirs().hybrid;
        let s = &app.store;
        let u = node.uuid.as_str();
        match node.kind {
            DATA_CENTER => retire(app, &d.data_center, u, vec![]).await,
            IDENTITY_ZONE => retire(app, &d.identity_zone, u, vec![]).await,
            VPC => retire(app, &d.vpc, u, vec![]).await,
            VSWITCH => retire(app, &d.vswitch, u, vec![]).await,
            SECURITY_GROUP => retire(app, &d.security_group, u, vec![s.delete_stmt(&tables::ECS_SECURITY_GROUP_RULE, "ecsSecurityGroupUuid", u)]).await,
            IMAGE => retire(app, &d.image, u, vec![]).await,
            ECS => {
                for disk in s.inv_find(&tables::ALIYUN_DISK, "ecsInstanceUuid", u).await? {
                    if str_of(&disk, "diskType") == Some(super::disk::SYSTEM) {
                        retire_disk(app, str_of(&disk, "uuid").unwrap_or_default()).await?;
                    }
                }
                unlink(app, &d.disk, &tables::ALIYUN_DISK, "ecsInstanceUuid", u, &["ecsInstanceUuid", "deviceInfo"]).await?;
                unlink(app, &d.eip, &tables::HYBRID_EIP, "allocateResourceUuid", u, &["allocateResourceUuid", "allocateResourceType"]).await?;
                retire(app, &d.ecs, u, vec![]).await
            }
            DISK => retire_disk(app, u).await,
            EIP => retire(app, &d.eip, u, vec![]).await,
            OSS_BUCKET => retire(app, &d.oss_bucket, u, vec![]).await,
            VROUTER => retire(app, &d.vrouter, u, vec![]).await,
            ROUTE_ENTRY => retire(app, &d.route_entry, u, vec![]).await,
            VPN_GATEWAY => retire(app, &d.vpn_gateway, u, vec![]).await,
            USER_GATEWAY => retire(app, &d.user_gateway, u, vec![]).await,
            VPN_CONNECTION => retire(app, &d.vpn_connection, u, vec![]).await,
            IKE_CONFIG => retire(app, &d.ike_config, u, vec![]).await,
            IPSEC_CONFIG => retire(app, &d.ipsec_config, u, vec![]).await,
            VBR => retire(app, &d.vbr, u, vec![]).await,
            ROUTER_INTERFACE => retire(app, &d.router_interface, u, vec![]).await,
            SNAPSHOT => retire(app, &d.snapshot, u, vec![]).await,
            ACCESS_POINT => retire(app, &d.access_point, u, vec![]).await,
            CONNECTION => retire(app, &d.connection, u, vec![]).await,
            other => Err(zstack_kit::ApiError::internal(format!("no local deletion for {other}"))),
        }
    }
}

impl CascadeGraph for Tree {
    fn children<'a>(&'a self, node: &'a Node) -> LocalBoxFuture<'a, ApiResult<Vec<Node>>> {
        Box::pin(self.children_of(node))
    }

    fn check<'a>(&'a self, _visit: &'a Visit, _root: &'a Node) -> LocalBoxFuture<'a, ApiResult<()>> {
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, visit: &'a Visit, _root: &'a Node, _mode: DeleteMode) -> LocalBoxFuture<'a, ApiResult<()>> {
        Box::pin(self.delete_node(&visit.node))
    }
}

/// Delete a hybrid record and every local record below it (leaves first).
pub async fn delete_local(app: &App, root: Node, mode: DeleteMode) -> ApiResult<()> {
    let spec = spec_of(root.kind)?;
    if !app.store.inv_exists(spec, &root.uuid).await? {
        return Ok(());
    }
    let tree = Tree { app: app.clone() };
    cascade(&tree, &root, mode).await?;
    tree.delete_node(&root)
        .await
        .map_err(|e| e.wrap(zstack_kit::error::codes::DELETE_RESOURCE, format!("failed to delete {}[uuid:{}]", root.kind, root.uuid)))
}

/// `DeleteXxxInLocal` / `...FromLocal` / `...Local`.
pub async fn delete_local_api(app: App, req: crate::api::Req, kind: &'static str) -> ApiResult<crate::api::Reply> {
    let uuid = req.must("uuid")?;
    let mode = DeleteMode::parse(req.str("deleteMode"))?;
    delete_local(&app, Node::new(kind, uuid), mode).await?;
    Ok(crate::api::Reply::Empty)
}
