//! Tables of the Alibaba Cloud extras: OSS buckets, vRouters and route entries, VPN
//! gateways / user (customer) gateways / IPsec connections with their IKE and IPsec
//! settings, Express Connect border routers and router interfaces. Column names are
//! ZStack's inventory fields. Everything fetched from a region carries `dataCenterUuid`,
//! so a DataCenter's local deletion finds it with one lookup per table; IKE and IPsec
//! settings are the operator's own records and belong to no region.

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
        description: LongStr, createDate: Time, lastOpDate: Time),
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
