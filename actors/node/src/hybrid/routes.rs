//! The hybrid-cloud rows of the API table (appended to `api::routes::all`).
//! Verb, path, body key, sync/async and parameters come from ZStack's API
//! catalogue (`api_table_full.tsv`), class names from `api_fqcn.tsv`.

use super::cascade::{self as hc, delete_local_api};
use super::{border, connection_flow, datacenter, disk, ecs, eip, express, image, image_upload, key, oss, security_group, snapshot, updates, vpc, vpn, vrouter};
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
        |app, req| Box::pin(delete_local_api(app, req, hc::$kind))
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
        row!("org.zstack.header.aliyun.account", "APIAddAliyunKeySecretMsg", Post, "/v1/hybrid/aliyun/key", "params", true, "name*:s key*:s secret*:s accountUuid:s description:s sync:b resourceUuid:s tagUuids:l", call!(key::key_add)),
        row!("org.zstack.header.aliyun.account", "APIUpdateAliyunKeySecretMsg", Post, "/v1/hybrid/aliyun/{uuid}/key", "params", true, "uuid*:s name:s description:s", call!(key::key_update)),
        row!("org.zstack.header.aliyun.account", "APIDeleteAliyunKeySecretMsg", Delete, "/v1/hybrid/aliyun/key/{uuid}", "", true, "uuid*:s deleteMode:s", call!(key::key_delete)),
        row!("org.zstack.header.aliyun.account", "APIAttachAliyunKeyMsg", Put, "/v1/hybrid/aliyun/key/{uuid}/attach", "attachAliyunKey", true, "uuid*:s", call!(key::key_attach)),
        row!("org.zstack.header.aliyun.account", "APIDetachAliyunKeyMsg", Put, "/v1/hybrid/aliyun/key/{uuid}/detach", "detachAliyunKey", true, "uuid*:s", call!(key::key_detach)),
        row!("org.zstack.header.hybrid.account", "APIQueryHybridKeySecretMsg", Get, "/v1/hybrid/hybrid/key", "", false, "", query!(HYBRID_KEY)),
        row!("org.zstack.header.datacenter", "APIAddDataCenterFromRemoteMsg", Post, "/v1/hybrid/data-center", "params", true, "regionId*:s type*:s syncZones:b endpoint:s description:s resourceUuid:s tagUuids:l", call!(datacenter::data_center_add)),
        row!("org.zstack.header.datacenter", "APIGetDataCenterFromRemoteMsg", Get, "/v1/hybrid/data-center/remote", "", false, "type*:s endpoint:s", call!(datacenter::data_center_get_remote)),
        row!("org.zstack.header.datacenter", "APIQueryDataCenterFromLocalMsg", Get, "/v1/hybrid/data-center", "", false, "", query!(DATA_CENTER)),
        row!("org.zstack.header.datacenter", "APISyncDataCenterFromRemoteMsg", Get, "/v1/hybrid/data-center/{uuid}/sync", "", true, "uuid*:s resourceUuid:s tagUuids:l", call!(datacenter::data_center_sync)),
        row!("org.zstack.header.datacenter", "APIDeleteDataCenterInLocalMsg", Delete, "/v1/hybrid/data-center/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(DATA_CENTER)),
        row!("org.zstack.header.identityzone", "APIAddIdentityZoneFromRemoteMsg", Post, "/v1/hybrid/identity-zone", "params", true, "dataCenterUuid*:s zoneId:s type:s description:s resourceUuid:s tagUuids:l", call!(datacenter::zone_add)),
        row!("org.zstack.header.identityzone", "APIGetIdentityZoneFromRemoteMsg", Get, "/v1/hybrid/identity-zone/remote", "", false, "type:s dataCenterUuid*:s regionId:s", call!(datacenter::zone_get_remote)),
        row!("org.zstack.header.identityzone", "APIQueryIdentityZoneFromLocalMsg", Get, "/v1/hybrid/identity-zone", "", false, "", query!(IDENTITY_ZONE)),
        row!("org.zstack.header.identityzone", "APISyncIdentityFromRemoteMsg", Get, "/v1/hybrid/identity-zone/{uuid}/sync", "", true, "uuid*:s resourceUuid:s tagUuids:l", call!(datacenter::zone_sync)),
        row!("org.zstack.header.identityzone", "APIDeleteIdentityZoneInLocalMsg", Delete, "/v1/hybrid/identity-zone/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(IDENTITY_ZONE)),
        row!("org.zstack.header.aliyun.network.vpc", "APICreateEcsVpcRemoteMsg", Post, "/v1/hybrid/aliyun/vpc", "params", true, "dataCenterUuid*:s cidrBlock*:s name*:s description:s vRouterName*:s resourceUuid:s tagUuids:l", call!(vpc::vpc_create)),
        row!("org.zstack.header.aliyun.network.vpc", "APISyncEcsVpcFromRemoteMsg", Post, "/v1/hybrid/aliyun/vpc/{dataCenterUuid}/sync", "params", true, "dataCenterUuid*:s ecsVpcId:s resourceUuid:s tagUuids:l", call!(vpc::vpc_sync)),
        row!("org.zstack.header.aliyun.network.vpc", "APIDeleteEcsVpcRemoteMsg", Delete, "/v1/hybrid/aliyun/vpc/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(vpc::vpc_delete_remote)),
        row!("org.zstack.header.aliyun.network.vpc", "APIDeleteEcsVpcInLocalMsg", Delete, "/v1/hybrid/aliyun/vpc/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VPC)),
        row!("org.zstack.header.aliyun.network.vpc", "APIQueryEcsVpcFromLocalMsg", Get, "/v1/hybrid/aliyun/vpc", "", false, "", query!(ECS_VPC)),
        row!("org.zstack.header.aliyun.network.vpc", "APICreateEcsVSwitchRemoteMsg", Post, "/v1/hybrid/aliyun/vswitch", "params", true, "vpcUuid*:s identityZoneUuid*:s cidrBlock*:s name*:s description:s resourceUuid:s tagUuids:l", call!(vpc::vswitch_create)),
        row!("org.zstack.header.aliyun.network.vpc", "APISyncEcsVSwitchFromRemoteMsg", Post, "/v1/hybrid/aliyun/vswitch/{dataCenterUuid}/sync", "params", true, "dataCenterUuid*:s vSwitchId:s resourceUuid:s tagUuids:l", call!(vpc::vswitch_sync)),
        row!("org.zstack.header.aliyun.network.vpc", "APIDeleteEcsVSwitchRemoteMsg", Delete, "/v1/hybrid/aliyun/vswitch/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(vpc::vswitch_delete_remote)),
        row!("org.zstack.header.aliyun.network.vpc", "APIDeleteEcsVSwitchInLocalMsg", Delete, "/v1/hybrid/aliyun/vswitch/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(VSWITCH)),
        row!("org.zstack.header.aliyun.network.vpc", "APIQueryEcsVSwitchFromLocalMsg", Get, "/v1/hybrid/aliyun/vswitch", "", false, "", query!(ECS_VSWITCH)),
        row!("org.zstack.header.aliyun.network.group", "APICreateEcsSecurityGroupRemoteMsg", Post, "/v1/hybrid/aliyun/security-group/remote", "params", true, "vpcUuid*:s description:s name*:s strategy:s resourceUuid:s tagUuids:l", call!(security_group::group_create)),
        row!("org.zstack.header.aliyun.network.group", "APISyncEcsSecurityGroupFromRemoteMsg", Put, "/v1/hybrid/aliyun/security-group/{ecsVpcUuid}/sync", "syncEcsSecurityGroupFromRemote", true, "ecsVpcUuid*:s securityGroupId:s resourceUuid:s tagUuids:l", call!(security_group::group_sync)),
        row!("org.zstack.header.aliyun.network.group", "APIDeleteEcsSecurityGroupRemoteMsg", Delete, "/v1/hybrid/aliyun/security-group/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(security_group::group_delete_remote)),
        row!("org.zstack.header.aliyun.network.group", "APIDeleteEcsSecurityGroupInLocalMsg", Delete, "/v1/hybrid/aliyun/security-group/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(SECURITY_GROUP)),
        row!("org.zstack.header.aliyun.network.group", "APIQueryEcsSecurityGroupFromLocalMsg", Get, "/v1/hybrid/aliyun/security-group", "", false, "", query!(ECS_SECURITY_GROUP)),
        row!("org.zstack.header.aliyun.network.group", "APICreateEcsSecurityGroupRuleRemoteMsg", Post, "/v1/hybrid/aliyun/security-group-rule", "params", true, "groupUuid*:s direction*:s protocol*:s portRange*:s cidr*:s policy:s nictype:s priority:i description:s resourceUuid:s tagUuids:l", call!(security_group::rule_create)),
        row!("org.zstack.header.aliyun.network.group", "APISyncEcsSecurityGroupRuleFromRemoteMsg", Put, "/v1/hybrid/aliyun/security-group-rule/{uuid}/sync", "syncEcsSecurityGroupRuleFromRemote", true, "uuid*:s resourceUuid:s tagUuids:l", call!(security_group::rule_sync)),
        row!("org.zstack.header.aliyun.network.group", "APIDeleteEcsSecurityGroupRuleRemoteMsg", Delete, "/v1/hybrid/aliyun/security-group-rule/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(security_group::rule_delete_remote)),
        row!("org.zstack.header.aliyun.network.group", "APIQueryEcsSecurityGroupRuleFromLocalMsg", Get, "/v1/hybrid/aliyun/security-group-rule", "", false, "", query!(ECS_SECURITY_GROUP_RULE)),
        row!("org.zstack.header.aliyun.image", "APISyncEcsImageFromRemoteMsg", Post, "/v1/hybrid/aliyun/image/{dataCenterUuid}/sync", "params", true, "dataCenterUuid*:s type:s resourceUuid:s tagUuids:l", call!(image::image_sync)),
        row!("org.zstack.header.aliyun.image", "APIQueryEcsImageFromLocalMsg", Get, "/v1/hybrid/aliyun/image", "", false, "", query!(ECS_IMAGE)),
        row!("org.zstack.header.aliyun.image", "APIDeleteEcsImageLocalMsg", Delete, "/v1/hybrid/aliyun/image/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(IMAGE)),
        row!("org.zstack.header.aliyun.image", "APIDeleteEcsImageRemoteMsg", Delete, "/v1/hybrid/aliyun/image/remote/{uuid}", "", true, "uuid*:s deleteMode:s", call!(image::image_delete_remote)),
        row!("org.zstack.header.aliyun.ecs", "APICreateEcsInstanceFromEcsImageMsg", Post, "/v1/hybrid/aliyun/ecs", "params", true, "ecsRootVolumeType:s description:s ecsRootVolumeGBSize:i createMode:s privateIpAddress:s allocatePublicIp:b ecsConsolePassword:s name*:s ecsImageUuid*:s instanceOfferingUuid:s instanceType:s ecsVSwitchUuid*:s ecsSecurityGroupUuid*:s ecsRootPassword*:s ecsBandWidth:i resourceUuid:s tagUuids:l", call!(ecs::ecs_create)),
        row!("org.zstack.header.aliyun.ecs", "APIQueryEcsInstanceFromLocalMsg", Get, "/v1/hybrid/aliyun/ecs", "", false, "", query!(ECS_INSTANCE)),
        row!("org.zstack.header.aliyun.ecs", "APIStartEcsInstanceMsg", Put, "/v1/hybrid/aliyun/ecs/{uuid}/actions", "startEcsInstance", true, "uuid*:s", call!(ecs::ecs_start)),
        row!("org.zstack.header.aliyun.ecs", "APIStopEcsInstanceMsg", Put, "/v1/hybrid/aliyun/ecs/{uuid}/actions", "stopEcsInstance", true, "uuid*:s", call!(ecs::ecs_stop)),
        row!("org.zstack.header.aliyun.ecs", "APIRebootEcsInstanceMsg", Put, "/v1/hybrid/aliyun/ecs/{uuid}/actions", "rebootEcsInstance", true, "uuid*:s", call!(ecs::ecs_reboot)),
        row!("org.zstack.header.aliyun.ecs", "APIDeleteEcsInstanceMsg", Delete, "/v1/hybrid/aliyun/ecs/{uuid}/remote", "", true, "uuid*:s deleteMode:s", call!(ecs::ecs_delete_remote)),
        row!("org.zstack.header.aliyun.ecs", "APIDeleteEcsInstanceLocalMsg", Delete, "/v1/hybrid/aliyun/ecs/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(ECS)),
        row!("org.zstack.header.aliyun.ecs", "APISyncEcsInstanceFromRemoteMsg", Post, "/v1/hybrid/aliyun/ecs/{dataCenterUuid}/sync", "params", true, "dataCenterUuid*:s onlyZstack:b resourceUuid:s tagUuids:l", call!(ecs::ecs_sync)),
        row!("org.zstack.header.aliyun.ecs", "APIGetEcsInstanceVncUrlMsg", Get, "/v1/hybrid/aliyun/ecs-vnc/{uuid}", "", false, "uuid*:s", call!(ecs::ecs_vnc_url)),
        row!("org.zstack.header.aliyun.ecs", "APIUpdateEcsInstanceMsg", Post, "/v1/hybrid/aliyun/{uuid}/ecs", "params", true, "uuid*:s name:s description:s password:s", call!(ecs::ecs_update)),
        row!("org.zstack.header.aliyun.storage.disk", "APICreateAliyunDiskFromRemoteMsg", Post, "/v1/hybrid/aliyun/disk", "params", true, "identityUuid*:s name*:s sizeWithGB:i description:s diskCategory:s snapshotUuid:s resourceUuid:s tagUuids:l", call!(disk::disk_create)),
        row!("org.zstack.header.aliyun.storage.disk", "APIAttachAliyunDiskToEcsMsg", Post, "/v1/hybrid/aliyun/disk/{diskUuid}/attach", "params", true, "ecsUuid*:s diskUuid*:s deleteWithInstance:b resourceUuid:s tagUuids:l", call!(disk::disk_attach)),
        row!("org.zstack.header.aliyun.storage.disk", "APIDetachAliyunDiskFromEcsMsg", Post, "/v1/hybrid/aliyun/disk/{uuid}/detach", "params", true, "uuid*:s resourceUuid:s tagUuids:l", call!(disk::disk_detach)),
        row!("org.zstack.header.aliyun.storage.disk", "APIDeleteAliyunDiskFromRemoteMsg", Delete, "/v1/hybrid/aliyun/disk/{uuid}/remote", "", true, "uuid*:s deleteMode:s", call!(disk::disk_delete_remote)),
        row!("org.zstack.header.aliyun.storage.disk", "APIDeleteAliyunDiskFromLocalMsg", Delete, "/v1/hybrid/aliyun/disk/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(DISK)),
        row!("org.zstack.header.aliyun.storage.disk", "APISyncDiskFromAliyunFromRemoteMsg", Post, "/v1/hybrid/aliyun/disk/{identityUuid}/sync", "params", true, "identityUuid*:s diskId:s resourceUuid:s tagUuids:l", call!(disk::disk_sync)),
        row!("org.zstack.header.aliyun.storage.disk", "APIQueryAliyunDiskFromLocalMsg", Get, "/v1/hybrid/aliyun/disk", "", false, "", query!(ALIYUN_DISK)),
        row!("org.zstack.header.hybrid.network.eip", "APICreateHybridEipMsg", Post, "/v1/hybrid/eip", "params", true, "name*:s description:s bandWidthMb*:i type*:s dataCenterUuid*:s chargeType*:s resourceUuid:s tagUuids:l", call!(eip::eip_create)),
        row!("org.zstack.header.hybrid.network.eip", "APIAttachHybridEipToEcsMsg", Post, "/v1/hybrid/eip/{eipUuid}/attach", "params", true, "eipUuid*:s ecsUuid*:s type*:s", call!(eip::eip_attach)),
        row!("org.zstack.header.hybrid.network.eip", "APIDetachHybridEipFromEcsMsg", Post, "/v1/hybrid/eip/{eipUuid}/detach", "params", true, "eipUuid*:s type*:s", call!(eip::eip_detach)),
        row!("org.zstack.header.hybrid.network.eip", "APIDeleteHybridEipRemoteMsg", Delete, "/v1/hybrid/eip/{uuid}/remote", "", true, "type*:s uuid*:s deleteMode:s", call!(eip::eip_delete_remote)),
        row!("org.zstack.header.hybrid.network.eip", "APIDeleteHybridEipFromLocalMsg", Delete, "/v1/hybrid/eip/{uuid}", "", true, "type*:s uuid*:s deleteMode:s", delete_local!(EIP)),
        row!("org.zstack.header.hybrid.network.eip", "APISyncHybridEipFromRemoteMsg", Put, "/v1/hybrid/eip/{dataCenterUuid}/sync", "syncHybridEipFromRemote", true, "type*:s dataCenterUuid*:s resourceUuid:s tagUuids:l", call!(eip::eip_sync)),
        row!("org.zstack.header.hybrid.network.eip", "APIQueryHybridEipFromLocalMsg", Get, "/v1/hybrid/eip", "", false, "", query!(HYBRID_EIP)),

        row!("org.zstack.header.aliyun.ecs", "APIGetEcsInstanceTypeMsg", Get, "/v1/hybrid/ecs/type", "", false, "identityZoneUuid*:s ecsImageUuid:s", call!(datacenter::zone_instance_types)),


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
        row!("org.zstack.header.aliyun.storage.snapshot", "APICreateAliyunSnapshotRemoteMsg", Post, "/v1/hybrid/aliyun/snapshot", "params", true, "diskUuid*:s name*:s description:s resourceUuid:s tagUuids:l", call!(snapshot::snapshot_create)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APIQueryAliyunSnapshotFromLocalMsg", Get, "/v1/hybrid/aliyun/snapshot", "", false, "", query!(ALIYUN_SNAPSHOT)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APISyncAliyunSnapshotRemoteMsg", Post, "/v1/hybrid/aliyun/snapshot/{dataCenterUuid}/sync", "params", true, "dataCenterUuid*:s snapshotId:s resourceUuid:s tagUuids:l", call!(snapshot::snapshot_sync)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APIGCAliyunSnapshotRemoteMsg", Post, "/v1/hybrid/aliyun/snapshot/{dataCenterUuid}/gc", "params", true, "dataCenterUuid*:s deleteMode:s", call!(snapshot::snapshot_gc)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APIUpdateAliyunSnapshotMsg", Put, "/v1/hybrid/aliyun/snapshot/{uuid}/actions", "updateAliyunSnapshot", true, "uuid*:s name:s description:s", call!(snapshot::snapshot_update)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APIDeleteAliyunSnapshotFromRemoteMsg", Delete, "/v1/hybrid/aliyun/snapshot/{uuid}/remote", "", true, "uuid*:s deleteMode:s", call!(snapshot::snapshot_delete_remote)),
        row!("org.zstack.header.aliyun.storage.snapshot", "APIDeleteAliyunSnapshotFromLocalMsg", Delete, "/v1/hybrid/aliyun/snapshot/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(SNAPSHOT)),
        row!("org.zstack.header.aliyun.image", "APICreateEcsImageFromEcsSnapshotMsg", Post, "/v1/hybrid/aliyun/image/snapshot", "params", true, "snapshotUuid*:s name*:s description:s resourceUuid:s tagUuids:l", call!(snapshot::image_create_from_snapshot)),
        // Express Connect: access points, border-router lifecycle, router-interface links, L3-to-VPC connections.
        row!("org.zstack.header.aliyun.network.connection", "APIAddConnectionAccessPointFromRemoteMsg", Post, "/v1/hybrid/aliyun/access-point", "params", true, "dataCenterUuid*:s accessPointId*:s resourceUuid:s tagUuids:l", call!(express::access_point_add)),
        row!("org.zstack.header.aliyun.network.connection", "APIGetConnectionAccessPointFromRemoteMsg", Get, "/v1/hybrid/aliyun/access-point{dataCenterUuid}/remote", "", false, "dataCenterUuid*:s", call!(express::access_point_get_remote)),
        row!("org.zstack.header.aliyun.network.connection", "APISyncConnectionAccessPointFromRemoteMsg", Put, "/v1/hybrid/aliyun/access-point/{dataCenterUuid}/sync", "syncConnectionAccessPointFromRemote", true, "dataCenterUuid*:s accessPointId:s resourceUuid:s tagUuids:l", call!(express::access_point_sync)),
        row!("org.zstack.header.aliyun.network.connection", "APIDeleteConnectionAccessPointLocalMsg", Delete, "/v1/hybrid/aliyun/access-point/{uuid}", "", true, "uuid*:s deleteMode:s", delete_local!(ACCESS_POINT)),
        row!("org.zstack.header.aliyun.network.connection", "APIQueryConnectionAccessPointFromLocalMsg", Get, "/v1/hybrid/aliyun/access-point", "", false, "", query!(CONNECTION_ACCESS_POINT)),
        row!("org.zstack.header.aliyun.network.connection", "APITerminateVirtualBorderRouterRemoteMsg", Put, "/v1/hybrid/aliyun/border-router/{uuid}/actions", "terminateVirtualBorderRouterRemote", true, "uuid*:s", call!(express::vbr_terminate)),
        row!("org.zstack.header.aliyun.network.connection", "APIRecoveryVirtualBorderRouterRemoteMsg", Put, "/v1/hybrid/aliyun/border-router/{uuid}/actions", "recoveryVirtualBorderRouterRemote", true, "uuid*:s", call!(express::vbr_recover)),
        row!("org.zstack.header.aliyun.network.connection", "APIUpdateVirtualBorderRouterRemoteMsg", Put, "/v1/hybrid/aliyun/border-router/{uuid}/actions", "updateVirtualBorderRouterRemote", true, "uuid*:s localGatewayIp:s peerGatewayIp:s peeringSubnetMask:s name:s description:s vlanId:s circuitCode:s", call!(express::vbr_update)),
        row!("org.zstack.header.aliyun.network.connection", "APIUpdateAliyunRouteInterfaceRemoteMsg", Put, "/v1/hybrid/aliyun/router-interface/{uuid}/actions", "updateAliyunRouteInterfaceRemote", true, "uuid*:s op*:s vRouterType*:s", call!(express::router_interface_update)),
        row!("org.zstack.header.aliyun.network.connection", "APIStartConnectionBetweenAliyunRouterInterfaceMsg", Put, "/v1/hybrid/aliyun/router-interface/{vbrInterfaceUuid}/actions", "startConnectionBetweenAliyunRouterInterface", true, "vrouterInterfaceUuid*:s vbrInterfaceUuid*:s", call!(express::router_interface_connect)),
        row!("org.zstack.header.aliyun.network.connection", "APICreateConnectionBetweenL3NetworkAndAliyunVSwitchMsg", Post, "/v1/hybrid/aliyun/connections", "params", true, "l3networkUuid*:s vpcUuid*:s vbrUuid*:s cpeIp*:s name*:s description:s direction*:s resourceUuid:s tagUuids:l", call!(connection_flow::connection_create)),
        row!("org.zstack.header.aliyun.network.connection", "APIDeleteConnectionBetweenL3NetWorkAndAliyunVSwitchMsg", Delete, "/v1/hybrid/aliyun/connections/{uuid}", "", true, "uuid*:s deleteMode:s", call!(connection_flow::connection_delete)),
        row!("org.zstack.header.aliyun.network.connection", "APIUpdateConnectionBetweenL3NetWorkAndAliyunVSwitchMsg", Put, "/v1/hybrid/aliyun/connections/{uuid}", "updateConnectionBetweenL3NetWorkAndAliyunVSwitch", true, "uuid*:s name:s description:s", call!(connection_flow::connection_update)),
        row!("org.zstack.header.aliyun.network.connection", "APIGetConnectionBetweenL3NetworkAndAliyunVSwitchMsg", Post, "/v1/hybrid/aliyun/relationships", "params", false, "uuid*:s resourceType*:s", call!(connection_flow::connection_get)),
        row!("org.zstack.header.aliyun.network.connection", "APIQueryConnectionBetweenL3NetworkAndAliyunVSwitchMsg", Get, "/v1/hybrid/aliyun/relationships", "", false, "", query!(CONNECTION_RELATIONSHIP)),
        // Updates (Alibaba first, then the record), the generic HybridKey APIs, the VNC password, DeleteAll.
        row!("org.zstack.header.aliyun.network.vpc", "APIUpdateEcsVpcMsg", Put, "/v1/hybrid/aliyun/vpc/{uuid}/actions", "updateEcsVpc", true, "uuid*:s name:s description:s", call!(updates::vpc_update)),
        row!("org.zstack.header.aliyun.network.vpc", "APIUpdateEcsVSwitchMsg", Put, "/v1/hybrid/aliyun/vswitch/{uuid}/actions", "updateEcsVSwitch", true, "uuid*:s name:s description:s", call!(updates::vswitch_update)),
        row!("org.zstack.header.aliyun.network.group", "APIUpdateEcsSecurityGroupMsg", Put, "/v1/hybrid/aliyun/security-group/{uuid}/actions", "updateEcsSecurityGroup", true, "uuid*:s description:s name:s", call!(updates::security_group_update)),
        row!("org.zstack.header.aliyun.image", "APIUpdateEcsImageMsg", Put, "/v1/hybrid/aliyun/image/{uuid}/actions", "updateEcsImage", true, "uuid*:s description:s name:s", call!(updates::image_update)),
        row!("org.zstack.header.hybrid.network.eip", "APIUpdateHybridEipMsg", Put, "/v1/hybrid/eip/{uuid}/actions", "updateHybridEip", true, "uuid*:s name:s description:s type*:s bandWidthMb:i", call!(updates::eip_update)),
        row!("org.zstack.header.aliyun.storage.disk", "APIUpdateAliyunDiskMsg", Put, "/v1/hybrid/aliyun/disk/{uuid}/actions", "updateAliyunDisk", true, "uuid*:s name:s description:s deleteWithInstance:b deleteAutoSnapshot:b enableAutoSnapshot:b", call!(updates::disk_update)),
        row!("org.zstack.header.hybrid.network.vpn", "APIUpdateVpcVpnGatewayMsg", Put, "/v1/hybrid/vpc-vpn/{uuid}/actions", "updateVpcVpnGateway", true, "uuid*:s name:s description:s", call!(updates::vpn_gateway_update)),
        row!("org.zstack.header.hybrid.network.vpn", "APIUpdateVpcUserVpnGatewayMsg", Put, "/v1/hybrid/user-vpn/{uuid}/actions", "updateVpcUserVpnGateway", true, "uuid*:s name:s description:s", call!(updates::user_gateway_update)),
        row!("org.zstack.header.hybrid.network.vpn", "APIUpdateVpcVpnConnectionRemoteMsg", Put, "/v1/hybrid/vpn-connection/{uuid}/actions", "updateVpcVpnConnectionRemote", true, "uuid*:s name:s description:s localCidr:s remoteCidr:s active:b ikeConfUuid:s ipsecConfUuid:s", call!(updates::vpn_connection_update)),
        row!("org.zstack.header.aliyun.network.vrouter", "APIUpdateAliyunVirtualRouterMsg", Put, "/v1/hybrid/aliyun/vrouter/{uuid}/actions", "updateAliyunVirtualRouter", true, "uuid*:s name:s description:s", call!(updates::vrouter_update)),
        row!("org.zstack.header.aliyun.ecs", "APIUpdateEcsInstanceVncPasswordMsg", Post, "/v1/hybrid/aliyun/{uuid}/ecs-vnc", "params", true, "uuid*:s password*:s", call!(updates::ecs_vnc_password_update)),
        row!("org.zstack.header.aliyun.ecs", "APIDeleteAllEcsInstancesFromDataCenterMsg", Delete, "/v1/hybrid/aliyun/dc-ecs/{uuid}", "", true, "uuid*:s deleteMode:s", call!(ecs::ecs_delete_all)),
        row!("org.zstack.header.hybrid.account", "APIAddHybridKeySecretMsg", Post, "/v1/hybrid/hybrid/key", "params", true, "name*:s key*:s secret*:s accountUuid:s description:s type*:s sync:b resourceUuid:s tagUuids:l", call!(key::key_add)),
        row!("org.zstack.header.hybrid.account", "APIUpdateHybridKeySecretMsg", Post, "/v1/hybrid/hybrid/{uuid}/key", "params", true, "uuid*:s name:s description:s", call!(key::key_update)),
        row!("org.zstack.header.hybrid.account", "APIDeleteHybridKeySecretMsg", Delete, "/v1/hybrid/hybrid/key/{uuid}", "", true, "uuid*:s deleteMode:s", call!(key::key_delete)),
        row!("org.zstack.header.hybrid.account", "APIAttachHybridKeyMsg", Put, "/v1/hybrid/hybrid/key/{uuid}/attach", "attachHybridKey", true, "uuid*:s", call!(key::key_attach)),
        row!("org.zstack.header.hybrid.account", "APIDetachHybridKeyMsg", Put, "/v1/hybrid/hybrid/key/{uuid}/detach", "detachHybridKey", true, "uuid*:s", call!(key::key_detach)),
    ]
}
