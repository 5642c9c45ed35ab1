//! The tables of the hybrid-cloud (Alibaba Cloud) resources; column names are
//! ZStack's inventory fields. Everything fetched from a region carries
//! `dataCenterUuid`, so deleting a DataCenter locally finds everything below it
//! with one lookup per table. The AccessKeys and the IKE/IPsec settings are the
//! operator's own records and belong to no region.

use zstack_db::spec::ColKind::{Bool, Int, LongStr, Str, Time};
use zstack_db::{Column, Hop, Join, TableSpec};

macro_rules! cols {
    ($($f:ident : $k:ident),* $(,)?) => { &[$(Column { field: stringify!($f), kind: $k }),*] };
}
macro_rules! join {
    ($name:literal => $local:literal, $table:literal, $remote:literal) => {
        Join { name: $name, hops: &[Hop { local: $local, table: $table, remote: $remote }] }
    };
}

/// AccessKeys; `current` marks the one the node calls Alibaba Cloud with.
/// The secret is not here: see `HYBRID_KEY_SECRET`.
pub static HYBRID_KEY: TableSpec = TableSpec {
    table: "hybrid_key",
    inventory_class: "org.zstack.header.hybrid.account.HybridAccountInventory",
    vo: "HybridAccountVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, accountUuid: Str, type: Str, key: Str, current: Bool, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["key"],
};

/// The sealed AccessKey secrets, one row per key. Never returned by any API.
pub static HYBRID_KEY_SECRET: TableSpec = TableSpec {
    table: "hybrid_key_secret",
    inventory_class: "org.zstack.header.hybrid.account.HybridAccountInventory",
    vo: "HybridAccountVO",
    columns: cols!(uuid: Str, sealed: LongStr),
    joins: &[],
    indexes: &[],
};

pub static DATA_CENTER: TableSpec = TableSpec {
    table: "data_center",
    inventory_class: "org.zstack.header.datacenter.DataCenterInventory",
    vo: "DataCenterVO",
    columns: cols!(uuid: Str, regionId: Str, regionName: Str, dcType: Str, endpoint: LongStr, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("identityZone" => "uuid", "identity_zone", "dataCenterUuid"),
        join!("ecsVpc" => "uuid", "ecs_vpc", "dataCenterUuid"),
    ],
    indexes: &["regionId"],
};

pub static IDENTITY_ZONE: TableSpec = TableSpec {
    table: "identity_zone",
    inventory_class: "org.zstack.header.identityzone.IdentityZoneInventory",
    vo: "IdentityZoneVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, zoneId: Str, zoneName: Str, type: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("dataCenter" => "dataCenterUuid", "data_center", "uuid")],
    indexes: &["dataCenterUuid", "zoneId"],
};

pub static ECS_VPC: TableSpec = TableSpec {
    table: "ecs_vpc",
    inventory_class: "org.zstack.header.aliyun.network.vpc.EcsVpcInventory",
    vo: "EcsVpcVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, ecsVpcId: Str, name: Str, vpcName: Str, cidrBlock: Str, status: Str, vRouterId: Str, description: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("dataCenter" => "dataCenterUuid", "data_center", "uuid"),
        join!("vSwitch" => "uuid", "ecs_vswitch", "ecsVpcUuid"),
        join!("securityGroup" => "uuid", "ecs_security_group", "ecsVpcUuid"),
    ],
    indexes: &["dataCenterUuid", "ecsVpcId"],
};

pub static ECS_VSWITCH: TableSpec = TableSpec {
    table: "ecs_vswitch",
    inventory_class: "org.zstack.header.aliyun.network.vpc.EcsVSwitchInventory",
    vo: "EcsVSwitchVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, vSwitchId: Str, ecsVpcUuid: Str, identityZoneUuid: Str, name: Str, vSwitchName: Str, cidrBlock: Str,
        status: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("ecsVpc" => "ecsVpcUuid", "ecs_vpc", "uuid"),
        join!("identityZone" => "identityZoneUuid", "identity_zone", "uuid"),
    ],
    indexes: &["dataCenterUuid", "ecsVpcUuid", "vSwitchId"],
};

pub static ECS_SECURITY_GROUP: TableSpec = TableSpec {
    table: "ecs_security_group",
    inventory_class: "org.zstack.header.aliyun.network.group.EcsSecurityGroupInventory",
    vo: "EcsSecurityGroupVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, ecsVpcUuid: Str, securityGroupId: Str, name: Str, securityGroupName: Str, description: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("ecsVpc" => "ecsVpcUuid", "ecs_vpc", "uuid"),
        join!("rule" => "uuid", "ecs_security_group_rule", "ecsSecurityGroupUuid"),
    ],
    indexes: &["dataCenterUuid", "ecsVpcUuid", "securityGroupId"],
};

pub static ECS_SECURITY_GROUP_RULE: TableSpec = TableSpec {
    table: "ecs_security_group_rule",
    inventory_class: "org.zstack.header.aliyun.network.group.EcsSecurityGroupRuleInventory",
    vo: "EcsSecurityGroupRuleVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, ecsSecurityGroupUuid: Str, direction: Str, protocol: Str, portRange: Str, cidr: Str, policy: Str,
        nictype: Str, priority: Int, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("securityGroup" => "ecsSecurityGroupUuid", "ecs_security_group", "uuid")],
    indexes: &["dataCenterUuid", "ecsSecurityGroupUuid"],
};

pub static ECS_IMAGE: TableSpec = TableSpec {
    table: "ecs_image",
    inventory_class: "org.zstack.header.aliyun.image.EcsImageInventory",
    vo: "EcsImageVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, ecsImageId: Str, localImageUuid: Str, name: Str, ecsImageSize: Int, platform: Str, osType: Str,
        architecture: Str, type: Str, status: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("dataCenter" => "dataCenterUuid", "data_center", "uuid")],
    indexes: &["dataCenterUuid", "ecsImageId"],
};

pub static ECS_INSTANCE: TableSpec = TableSpec {
    table: "ecs_instance",
    inventory_class: "org.zstack.header.aliyun.ecs.EcsInstanceInventory",
    vo: "EcsInstanceVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, ecsInstanceId: Str, localVmInstanceUuid: Str, name: Str, ecsStatus: Str, ecsInstanceType: Str,
        cpuCores: Int, memorySize: Int, ecsBandWidth: Int, ecsEipUuid: Str, ecsVpcUuid: Str, ecsVSwitchUuid: Str, ecsSecurityGroupUuid: Str,
        ecsImageUuid: Str, identityZoneUuid: Str, publicIpAddress: Str, privateIpAddress: Str, chargeType: Str, description: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[
        join!("ecsVSwitch" => "ecsVSwitchUuid", "ecs_vswitch", "uuid"),
        join!("ecsVpc" => "ecsVpcUuid", "ecs_vpc", "uuid"),
        join!("ecsSecurityGroup" => "ecsSecurityGroupUuid", "ecs_security_group", "uuid"),
        join!("identityZone" => "identityZoneUuid", "identity_zone", "uuid"),
    ],
    indexes: &["dataCenterUuid", "ecsInstanceId", "ecsVSwitchUuid", "ecsStatus"],
};

pub static ALIYUN_DISK: TableSpec = TableSpec {
    table: "aliyun_disk",
    inventory_class: "org.zstack.header.aliyun.storage.disk.AliyunDiskInventory",
    vo: "AliyunDiskVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, diskId: Str, name: Str, description: LongStr, identityZoneUuid: Str, ecsInstanceUuid: Str,
        diskCategory: Str, diskType: Str, status: Str, sizeWithGB: Int, deviceInfo: Str, deleteWithInstance: Bool, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("ecsInstance" => "ecsInstanceUuid", "ecs_instance", "uuid"),
        join!("identityZone" => "identityZoneUuid", "identity_zone", "uuid"),
    ],
    indexes: &["dataCenterUuid", "diskId", "ecsInstanceUuid"],
};

pub static HYBRID_EIP: TableSpec = TableSpec {
    table: "hybrid_eip",
    inventory_class: "org.zstack.header.hybrid.network.eip.HybridEipAddressInventory",
    vo: "HybridEipAddressVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, eipId: Str, eipAddress: Str, name: Str, description: LongStr, bandWidth: Int, chargeType: Str,
        status: Str, allocateResourceUuid: Str, allocateResourceType: Str, eipType: Str, createDate: Time, lastOpDate: Time),
    joins: &[join!("dataCenter" => "dataCenterUuid", "data_center", "uuid")],
    indexes: &["dataCenterUuid", "eipId", "allocateResourceUuid"],
};

/// An OSS bucket known to the node; `current` marks the DataCenter's bucket for image uploads.
pub static OSS_BUCKET: TableSpec = TableSpec {
    table: "oss_bucket",
    inventory_class: "org.zstack.header.aliyun.oss.OssBucketInventory",
    vo: "OssBucketVO",
    columns: cols!(uuid: Str, bucketName: Str, dataCenterUuid: Str, regionId: Str, current: Bool, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("dataCenter" => "dataCenterUuid", "data_center", "uuid")],
    indexes: &["dataCenterUuid", "bucketName"],
};

/// The router of a VPC.
pub static ALIYUN_VIRTUAL_ROUTER: TableSpec = TableSpec {
    table: "aliyun_virtual_router",
    inventory_class: "org.zstack.header.aliyun.network.vrouter.VpcVirtualRouterInventory",
    vo: "VpcVirtualRouterVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, vrId: Str, vpcUuid: Str, vRouterName: Str, routeTableId: Str, description: LongStr, createDate: Time,
        lastOpDate: Time),
    joins: &[
        join!("vpc" => "vpcUuid", "ecs_vpc", "uuid"),
        join!("routeEntry" => "uuid", "aliyun_route_entry", "vRouterUuid"),
    ],
    indexes: &["dataCenterUuid", "vpcUuid", "vrId"],
};

/// A route of a vRouter's or border router's table (`vRouterType` vrouter or vbr).
pub static ALIYUN_ROUTE_ENTRY: TableSpec = TableSpec {
    table: "aliyun_route_entry",
    inventory_class: "org.zstack.header.aliyun.network.vrouter.VpcVirtualRouteEntryInventory",
    vo: "VpcVirtualRouteEntryVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, vRouterUuid: Str, vRouterType: Str, routeEntryId: Str, routeTableId: Str, destinationCidrBlock: Str,
        nextHopType: Str, nextHopId: Str, nextHopUuid: Str, type: Str, status: Str, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["dataCenterUuid", "vRouterUuid", "routeEntryId"],
};

pub static VPC_VPN_GATEWAY: TableSpec = TableSpec {
    table: "vpc_vpn_gateway",
    inventory_class: "org.zstack.header.hybrid.network.vpn.VpcVpnGatewayInventory",
    vo: "VpcVpnGatewayVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, gatewayId: Str, name: Str, vpcUuid: Str, vSwitchUuid: Str, publicIp: Str, spec: Str, status: Str,
        businessStatus: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("connection" => "uuid", "vpc_vpn_connection", "vpnGatewayUuid")],
    indexes: &["dataCenterUuid", "gatewayId"],
};

/// The on-premises end of a VPN (Alibaba's customer gateway).
pub static VPC_USER_VPN_GATEWAY: TableSpec = TableSpec {
    table: "vpc_user_vpn_gateway",
    inventory_class: "org.zstack.header.hybrid.network.vpn.VpcUserVpnGatewayInventory",
    vo: "VpcUserVpnGatewayVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, gatewayId: Str, name: Str, ip: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[join!("connection" => "uuid", "vpc_vpn_connection", "userGatewayUuid")],
    indexes: &["dataCenterUuid", "gatewayId"],
};

pub static VPC_VPN_CONNECTION: TableSpec = TableSpec {
    table: "vpc_vpn_connection",
    inventory_class: "org.zstack.header.hybrid.network.vpn.VpcVpnConnectionInventory",
    vo: "VpcVpnConnectionVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, connectionId: Str, name: Str, localSubnet: LongStr, remoteSubnet: LongStr, status: Str, active: Bool,
        vpnGatewayUuid: Str, userGatewayUuid: Str, ikeConfigUuid: Str, ipsecConfigUuid: Str, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("vpnGateway" => "vpnGatewayUuid", "vpc_vpn_gateway", "uuid"),
        join!("userGateway" => "userGatewayUuid", "vpc_user_vpn_gateway", "uuid"),
        join!("ikeConfig" => "ikeConfigUuid", "vpc_vpn_ike_config", "uuid"),
        join!("ipsecConfig" => "ipsecConfigUuid", "vpc_vpn_ipsec_config", "uuid"),
    ],
    indexes: &["dataCenterUuid", "connectionId", "vpnGatewayUuid", "userGatewayUuid"],
};

/// Phase-one settings of a connection (ZStack returns the pre-shared key in this inventory).
pub static VPC_VPN_IKE_CONFIG: TableSpec = TableSpec {
    table: "vpc_vpn_ike_config",
    inventory_class: "org.zstack.header.hybrid.network.vpn.VpcVpnIkeConfigInventory",
    vo: "VpcVpnIkeConfigVO",
    columns: cols!(uuid: Str, name: Str, psk: Str, version: Str, mode: Str, encAlg: Str, authAlg: Str, pfs: Str, lifetime: Int, localIp: Str, remoteIp: Str,
        description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &[],
};

pub static VPC_VPN_IPSEC_CONFIG: TableSpec = TableSpec {
    table: "vpc_vpn_ipsec_config",
    inventory_class: "org.zstack.header.hybrid.network.vpn.VpcVpnIpSecConfigInventory",
    vo: "VpcVpnIpSecConfigVO",
    columns: cols!(uuid: Str, name: Str, encAlg: Str, authAlg: Str, pfs: Str, lifetime: Int, description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &[],
};

/// An Express Connect border router (VBR).
pub static VIRTUAL_BORDER_ROUTER: TableSpec = TableSpec {
    table: "virtual_border_router",
    inventory_class: "org.zstack.header.aliyun.network.connection.VirtualBorderRouterInventory",
    vo: "VirtualBorderRouterVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, vbrId: Str, name: Str, status: Str, vlanId: Int, circuitCode: Str, localGatewayIp: Str,
        peerGatewayIp: Str, peeringSubnetMask: Str, physicalConnectionId: Str, physicalConnectionStatus: Str, accessPointId: Str, routeTableId: Str,
        description: LongStr, createDate: Time, lastOpDate: Time, vlanInterfaceId: Str),
    joins: &[join!("routeEntry" => "uuid", "aliyun_route_entry", "vRouterUuid")],
    indexes: &["dataCenterUuid", "vbrId"],
};

/// One end of a router-to-router connection; `vRouterUuid` is the local record of its
/// router (a vRouter or a VBR, per `routerType`) when the node knows it.
pub static ALIYUN_ROUTER_INTERFACE: TableSpec = TableSpec {
    table: "aliyun_router_interface",
    inventory_class: "org.zstack.header.aliyun.network.connection.AliyunRouterInterfaceInventory",
    vo: "AliyunRouterInterfaceVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, routerInterfaceId: Str, name: Str, routerType: Str, routerId: Str, vRouterUuid: Str, role: Str,
        spec: Str, status: Str, accessPointId: Str, oppositeRegionId: Str, oppositeInterfaceId: Str, oppositeRouterId: Str, oppositeRouterType: Str,
        description: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["dataCenterUuid", "routerInterfaceId", "vRouterUuid"],
};

/// A disk snapshot. Snapshots outlive their disks: `diskUuid` is the local record of the
/// disk it was taken of while the node knows that disk.
pub static ALIYUN_SNAPSHOT: TableSpec = TableSpec {
    table: "aliyun_snapshot",
    inventory_class: "org.zstack.header.aliyun.storage.snapshot.AliyunSnapshotInventory",
    vo: "AliyunSnapshotVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, snapshotId: Str, name: Str, description: LongStr, diskUuid: Str, status: Str,
        aliyunSnapshotUsage: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("dataCenter" => "dataCenterUuid", "data_center", "uuid"),
        join!("disk" => "diskUuid", "aliyun_disk", "uuid"),
    ],
    indexes: &["dataCenterUuid", "snapshotId", "diskUuid"],
};

/// An Express Connect access point (where leased lines enter a region), added from the
/// region's list.
pub static CONNECTION_ACCESS_POINT: TableSpec = TableSpec {
    table: "connection_access_point",
    inventory_class: "org.zstack.header.aliyun.network.connection.ConnectionAccessPointInventory",
    vo: "ConnectionAccessPointVO",
    columns: cols!(uuid: Str, dataCenterUuid: Str, accessPointId: Str, type: Str, name: Str, status: Str, hostOperator: Str, description: LongStr,
        createDate: Time, lastOpDate: Time),
    joins: &[join!("dataCenter" => "dataCenterUuid", "data_center", "uuid")],
    indexes: &["dataCenterUuid", "accessPointId"],
};

/// A local L3 network connected to an Alibaba Cloud VPC over a border router (ZStack's
/// ConnectionRelationShipVO). `relationShips` (JSON) names everything the connection made:
/// the router interfaces, the route entries and the L3's host route.
pub static CONNECTION_RELATIONSHIP: TableSpec = TableSpec {
    table: "connection_relationship",
    inventory_class: "org.zstack.header.aliyun.network.connection.ConnectionRelationShipInventory",
    vo: "ConnectionRelationShipVO",
    columns: cols!(uuid: Str, name: Str, description: LongStr, relationShips: LongStr, dataCenterUuid: Str, l3NetworkUuid: Str, vpcUuid: Str,
        vbrUuid: Str, cpeIp: Str, direction: Str, connectionType: Str, createDate: Time, lastOpDate: Time),
    joins: &[
        join!("l3Network" => "l3NetworkUuid", "l3_network", "uuid"),
        join!("vpc" => "vpcUuid", "ecs_vpc", "uuid"),
        join!("vbr" => "vbrUuid", "virtual_border_router", "uuid"),
    ],
    indexes: &["dataCenterUuid", "l3NetworkUuid", "vpcUuid", "vbrUuid"],
};

/// Hybrid creations in flight (no API resource): one row from just before a create's
/// first call to Alibaba Cloud until it ended; what a restart finds here was cut short.
/// `resourceUuid` is the uuid the create gives its record (not `uuid`, so a job's target
/// is never mistaken for a survivor); `lookup` (JSON) is what finds the remote resource.
pub static HYBRID_PENDING_CREATE: TableSpec = TableSpec {
    table: "hybrid_pending_create",
    inventory_class: "org.zstack.header.hybrid.HybridPendingCreateInventory",
    vo: "HybridPendingCreateVO",
    columns: cols!(uuid: Str, resourceUuid: Str, resourceType: Str, dataCenterUuid: Str, lookup: LongStr, createDate: Time, lastOpDate: Time),
    joins: &[],
    indexes: &["resourceUuid"],
};
