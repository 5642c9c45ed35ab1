//! API rows of the Alibaba Cloud extras (appended to `api::routes::all`): OSS buckets,
//! ECS images from local images, vRouters and route entries, VPN, border routers and
//! router interfaces. Verb, path, body key and parameters from ZStack's catalogue
//! (`api_table_full.tsv`), class names from `api_fqcn.tsv`.

use super::cascade::delete_local_api;
use super::extras::{OSS_BUCKET, ROUTER_INTERFACE, USER_GATEWAY, VBR, VPN_CONNECTION, VPN_GATEWAY, VROUTER};
use super::{border, image_upload, oss, vpn, vrouter};
use crate::api::{ApiDef, Verb};
use crate::resources::infra;
use crate::tables;

macro_rules! query {
    ($spec:ident) => {
        |app, req| Box::pin(infra::query(app, req, &tables::$spec))
    };
}
macro_rules! delete_local {
    ($kind:ident) => {
        |app, req| Box::pin(delete_local_api(app, req, $kind))
    };
}
macro_rules! call {
    ($f:path) => {
        |app, req| Box::pin($f(app, req))
    };
}

/// One row; the legacy class name is the package plus the message name.
macro_rules! row {
    ($pkg:literal, $msg:literal, $verb:ident, $path:literal, $key:literal, $is_async:literal, $params:literal, $handler:expr) => {
        ApiDef { msg: $msg, fqcn: concat!($pkg, ".", $msg), verb: Verb::$verb, path: $path, key: $key, is_async: $is_async, params: $params,
            needs_session: true, handler: $handler }
    };
}

pub fn all() -> Vec<ApiDef> {
    vec![
        row!("org.zstack.header.aliyun.oss", "APIAddOssBucketFromRemoteMsg", Post, "/v1/hybrid/aliyun/oss-bucket", "params", true, "bucketName*:s dataCenterUuid*:s description:s ossDomain:s ossKey:s ossSecret:s resourceUuid:s tagUuids:l", call!(oss::bucket_add)),
        row!("org.zstack.header.aliyun.oss", "APICreateOssBucketRemoteMsg", Post, "/v1/hybrid/aliyun/oss-bucket/remote", "params", true, "dataCenterUuid*:s bucketName*:s description:s ossDomain:s ossKey:s ossSecret:s resourceUuid:s tagUuids:l", call!(oss::bucket_create)),
        row!("org.zstack.header.aliyun.oss", "APIDeleteOssBucketRemoteMsg", Delete, "/v1/hybrid/aliyun/oss-bucket/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(oss::bucket_delete_remote)),
        row!("org.zstack.header.aliyun.oss", "APIDeleteOssBucketFileRemoteMsg", Delete, "/v1/hybrid/aliyun/oss-bucket-file/remote/{uuid}", "", true, "uuid*:s fileName*:s deleteMode:s", call!(oss::bucket_file_delete)),
        row!("org.zstack.header.aliyun.oss", "APIQueryOssBucketFileNameMsg", Get, "/v1/hybrid/aliyun/oss-bucket", "", false, "", query!(OSS_BUCKET)),
        row!("org.zstack.header.aliyun.oss", "APIDeleteOssBucketNameLocalMsg", Delete, "/v1/hybrid/aliyun/oss-bucket/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(OSS_BUCKET)),
        row!("org.zstack.header.aliyun.oss", "APIAttachOssBucketToEcsDataCenterMsg", Put, "/v1/hybrid/aliyun/oss-bucket/{ossBucketUuid}/attach", "attachOssBucketToEcsDataCenter", true, "ossBucketUuid*:s", call!(oss::bucket_attach)),
        row!("org.zstack.header.aliyun.oss", "APIDetachOssBucketFromEcsDataCenterMsg", Put, "/v1/hybrid/aliyun/oss-bucket/{ossBucketUuid}/detach", "detachOssBucketFromEcsDataCenter", true, "ossBucketUuid*:s", call!(oss::bucket_detach)),
        row!("org.zstack.header.aliyun.oss", "APIGetOssBucketNameFromRemoteMsg", Get, "/v1/hybrid/oss/{dataCenterUuid}/remote", "", false, "dataCenterUuid*:s ossDomain:s ossKey:s ossSecret:s", call!(oss::bucket_names_remote)),
        row!("org.zstack.header.aliyun.oss", "APIGetOssBucketFileFromRemoteMsg", Get, "/v1/hybrid/oss/file/remote", "", false, "uuid*:s ossDomain:s ossKey:s ossSecret:s", call!(oss::bucket_files_remote)),
        row!("org.zstack.header.aliyun.oss", "APIUpdateOssBucketMsg", Put, "/v1/hybrid/aliyun/oss-bucket/{uuid}/actions", "updateOssBucket", true, "uuid*:s description:s ossDomain:s ossKey:s ossSecret:s", call!(oss::bucket_update)),
        row!("org.zstack.header.aliyun.image", "APICreateEcsImageFromLocalImageMsg", Post, "/v1/hybrid/aliyun/image", "params", true, "imageUuid*:s dataCenterUuid*:s backupStorageUuid:s description:s name*:s resourceUuid:s tagUuids:l", call!(image_upload::image_create_from_local)),
        row!("org.zstack.header.aliyun.image", "APIGetCreateEcsImageProgressMsg", Get, "/v1/hybrid/aliyun/image/{dataCenterUuid}/{imageUuid}/progress", "", false, "imageUuid*:s dataCenterUuid*:s", call!(image_upload::image_progress)),
        row!("org.zstack.header.aliyun.network.vrouter", "APISyncAliyunVirtualRouterFromRemoteMsg", Put, "/v1/hybrid/aliyun/vrouter/{vpcUuid}/sync", "syncAliyunVirtualRouterFromRemote", true, "vpcUuid*:s resourceUuid:s tagUuids:l", call!(vrouter::vrouter_sync)),
        row!("org.zstack.header.aliyun.network.vrouter", "APIQueryAliyunVirtualRouterFromLocalMsg", Get, "/v1/hybrid/aliyun/vrouter", "", false, "", query!(ALIYUN_VIRTUAL_ROUTER)),
        row!("org.zstack.header.aliyun.network.vrouter", "APIDeleteVirtualRouterLocalMsg", Delete, "/v1/hybrid/aliyun/vrouter/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VROUTER)),
        row!("org.zstack.header.aliyun.network.vrouter", "APICreateAliyunVpcVirtualRouterEntryRemoteMsg", Post, "/v1/hybrid/aliyun/route-entry", "params", true, "vRouterUuid*:s dstCidrBlock*:s nextHopUuid*:s nextHopType*:s vRouterType*:s resourceUuid:s tagUuids:l", call!(vrouter::route_entry_create)),
        row!("org.zstack.header.aliyun.network.vrouter", "APIDeleteAliyunRouteEntryRemoteMsg", Delete, "/v1/hybrid/aliyun/route-entry/{uuid}", "", true, "uuid*:s deleteMode:s", call!(vrouter::route_entry_delete_remote)),
        row!("org.zstack.header.aliyun.network.vrouter", "APIQueryAliyunRouteEntryFromLocalMsg", Get, "/v1/hybrid/aliyun/route-entry", "", false, "", query!(ALIYUN_ROUTE_ENTRY)),
        row!("org.zstack.header.aliyun.network.vrouter", "APISyncAliyunRouteEntryFromRemoteMsg", Put, "/v1/hybrid/aliyun/route-entry/{vRouterUuid}/sync", "syncAliyunRouteEntryFromRemote", true, "vRouterUuid*:s vRouterType*:s resourceUuid:s tagUuids:l", call!(vrouter::route_entry_sync)),
        row!("org.zstack.header.hybrid.network.vpn", "APISyncVpcVpnGatewayFromRemoteMsg", Put, "/v1/hybrid/vpc-vpn/{dataCenterUuid}/sync", "syncVpcVpnGatewayFromRemote", true, "dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(vpn::vpn_gateway_sync)),
        row!("org.zstack.header.hybrid.network.vpn", "APIQueryVpcVpnGatewayFromLocalMsg", Get, "/v1/hybrid/vpc-vpn", "", false, "", query!(VPC_VPN_GATEWAY)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcVpnGatewayLocalMsg", Delete, "/v1/hybrid/vpn-gateway/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VPN_GATEWAY)),
        row!("org.zstack.header.hybrid.network.vpn", "APICreateVpcUserVpnGatewayRemoteMsg", Post, "/v1/hybrid/user-vpn", "params", true, "dataCenterUuid*:s ip*:s name*:s description:s resourceUuid:s tagUuids:l", call!(vpn::user_gateway_create)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcUserVpnGatewayRemoteMsg", Delete, "/v1/hybrid/user-gateway/{uuid}/remote", "", true, "uuid*:s deleteMode:s", call!(vpn::user_gateway_delete_remote)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcUserVpnGatewayLocalMsg", Delete, "/v1/hybrid/user-gateway/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(USER_GATEWAY)),
        row!("org.zstack.header.hybrid.network.vpn", "APIQueryVpcUserVpnGatewayFromLocalMsg", Get, "/v1/hybrid/user-vpn", "", false, "", query!(VPC_USER_VPN_GATEWAY)),
        row!("org.zstack.header.hybrid.network.vpn", "APISyncVpcUserVpnGatewayFromRemoteMsg", Put, "/v1/hybrid/user-vpn/{dataCenterUuid}/sync", "syncVpcUserVpnGatewayFromRemote", true, "dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(vpn::user_gateway_sync)),
        row!("org.zstack.header.hybrid.network.vpn", "APICreateVpcVpnConnectionRemoteMsg", Post, "/v1/hybrid/vpn-connection", "params", true, "userGatewayUuid*:s vpnGatewayUuid*:s name*:s localCidr*:s remoteCidr*:s active*:b ikeConfUuid*:s ipsecConfUuid*:s description:s resourceUuid:s tagUuids:l", call!(vpn::connection_create)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcVpnConnectionRemoteMsg", Delete, "/v1/hybrid/vpn-connection/{uuid}/remote", "", true, "uuid*:s deleteMode:s", call!(vpn::connection_delete_remote)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcVpnConnectionLocalMsg", Delete, "/v1/hybrid/vpn-connection/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VPN_CONNECTION)),
        row!("org.zstack.header.hybrid.network.vpn", "APIQueryVpcVpnConnectionFromLocalMsg", Get, "/v1/hybrid/vpn-connection", "", false, "", query!(VPC_VPN_CONNECTION)),
        row!("org.zstack.header.hybrid.network.vpn", "APISyncVpcVpnConnectionFromRemoteMsg", Put, "/v1/hybrid/vpn-connection/{dataCenterUuid}/sync", "syncVpcVpnConnectionFromRemote", true, "dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(vpn::connection_sync)),
        row!("org.zstack.header.hybrid.network.vpn", "APICreateVpnIkeConfigMsg", Post, "/v1/hybrid/vpn-connection/ike", "params", true, "name*:s psk*:s pfs:s version:s mode:s encAlg:s authAlg:s lifetime:i localIp*:s remoteIp*:s description:s resourceUuid:s tagUuids:l", call!(vpn::ike_config_create)),
        row!("org.zstack.header.hybrid.network.vpn", "APICreateVpnIpsecConfigMsg", Post, "/v1/hybrid/vpn-connection/ipsec", "params", true, "name*:s pfs:s encAlg:s authAlg:s lifetime:i description:s resourceUuid:s tagUuids:l", call!(vpn::ipsec_config_create)),
        row!("org.zstack.header.hybrid.network.vpn", "APIQueryVpcIkeConfigFromLocalMsg", Get, "/v1/hybrid/vpn-connection/ike", "", false, "", query!(VPC_VPN_IKE_CONFIG)),
        row!("org.zstack.header.hybrid.network.vpn", "APIQueryVpcIpSecConfigFromLocalMsg", Get, "/v1/hybrid/vpn-connection/ipsec", "", false, "", query!(VPC_VPN_IPSEC_CONFIG)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcIkeConfigLocalMsg", Delete, "/v1/hybrid/vpn-connection/ike/{uuid}", "", true, "uuid*:s deleteMode:s", call!(vpn::ike_config_delete)),
        row!("org.zstack.header.hybrid.network.vpn", "APIDeleteVpcIpSecConfigLocalMsg", Delete, "/v1/hybrid/vpn-connection/ipsec/{uuid}", "", true, "uuid*:s deleteMode:s", call!(vpn::ipsec_config_delete)),
        row!("org.zstack.header.hybrid.network.vpn", "APIGetVpcVpnConfigurationFromRemoteMsg", Get, "/v1/hybrid/vpn-conf/{uuid}/remote", "", false, "uuid*:s", call!(vpn::connection_config_remote)),
        row!("org.zstack.header.aliyun.network.connection", "APISyncVirtualBorderRouterFromRemoteMsg", Put, "/v1/hybrid/aliyun/border-router/{dataCenterUuid}/sync", "syncVirtualBorderRouterFromRemote", true, "dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(border::vbr_sync)),
        row!("org.zstack.header.aliyun.network.connection", "APIQueryVirtualBorderRouterFromLocalMsg", Get, "/v1/hybrid/aliyun/border-router", "", false, "", query!(VIRTUAL_BORDER_ROUTER)),
        row!("org.zstack.header.aliyun.network.connection", "APIDeleteVirtualBorderRouterLocalMsg", Delete, "/v1/hybrid/aliyun/border-router/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VBR)),
        row!("org.zstack.header.aliyun.network.connection", "APISyncAliyunRouterInterfaceFromRemoteMsg", Put, "/v1/hybrid/aliyun/router-interface/{dataCenterUuid}/sync", "syncAliyunRouterInterfaceFromRemote", true, "dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(border::router_interface_sync)),
        row!("org.zstack.header.aliyun.network.connection", "APIQueryAliyunRouterInterfaceFromLocalMsg", Get, "/v1/hybrid/aliyun/router-interface", "", false, "", query!(ALIYUN_ROUTER_INTERFACE)),
        row!("org.zstack.header.aliyun.network.connection", "APIDeleteAliyunRouterInterfaceLocalMsg", Delete, "/v1/hybrid/aliyun/router-interface/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(ROUTER_INTERFACE)),
        row!("org.zstack.header.aliyun.network.connection", "APICreateAliyunRouterInterfaceRemoteMsg", Post, "/v1/hybrid/aliyun/router-interface", "params", true, "dataCenterUuid*:s accessPointUuid:s spec:s vRouterUuid*:s routerType*:s description:s name*:s resourceUuid:s tagUuids:l", call!(border::router_interface_create)),
        row!("org.zstack.header.aliyun.network.connection", "APIDeleteAliyunRouterInterfaceRemoteMsg", Delete, "/v1/hybrid/aliyun/router-interface/remote/{uuid}", "", true, "uuid*:s vRouterType*:s deleteMode:s", call!(border::router_interface_delete_remote)),
    ]
}
