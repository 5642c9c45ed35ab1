//! The hybrid-cloud rows of the API table (appended to `api::routes::all`).
//! Verb, path, body key, sync/async and parameters come from ZStack's API
//! catalogue (`api_table_full.tsv`), class names from `api_fqcn.tsv`.

use super::cascade::{self as hc, delete_local_api};
use super::datacenter;
use super::key;
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

pub fn all() -> Vec<ApiDef> {
    vec![
        ApiDef { msg: "APIAddAliyunKeySecretMsg", fqcn: "org.zstack.header.aliyun.account.APIAddAliyunKeySecretMsg", verb: Verb::Post, path: "/v1/hybrid/aliyun/key", key: "params", is_async: true, params: "name*:s key*:s secret*:s accountUuid:s description:s sync:b resourceUuid:s tagUuids:l", needs_session: true, handler: call!(key::key_add) },
        ApiDef { msg: "APIUpdateAliyunKeySecretMsg", fqcn: "org.zstack.header.aliyun.account.APIUpdateAliyunKeySecretMsg", verb: Verb::Post, path: "/v1/hybrid/aliyun/{uuid}/key", key: "params", is_async: true, params: "uuid*:s name:s description:s", needs_session: true, handler: call!(key::key_update) },
        ApiDef { msg: "APIDeleteAliyunKeySecretMsg", fqcn: "org.zstack.header.aliyun.account.APIDeleteAliyunKeySecretMsg", verb: Verb::Delete, path: "/v1/hybrid/aliyun/key/{uuid}", key: "", is_async: true, params: "uuid*:s deleteMode:s", needs_session: true, handler: call!(key::key_delete) },
        ApiDef { msg: "APIAttachAliyunKeyMsg", fqcn: "org.zstack.header.aliyun.account.APIAttachAliyunKeyMsg", verb: Verb::Put, path: "/v1/hybrid/aliyun/key/{uuid}/attach", key: "attachAliyunKey", is_async: true, params: "uuid*:s", needs_session: true, handler: call!(key::key_attach) },
        ApiDef { msg: "APIDetachAliyunKeyMsg", fqcn: "org.zstack.header.aliyun.account.APIDetachAliyunKeyMsg", verb: Verb::Put, path: "/v1/hybrid/aliyun/key/{uuid}/detach", key: "detachAliyunKey", is_async: true, params: "uuid*:s", needs_session: true, handler: call!(key::key_detach) },
        ApiDef { msg: "APIQueryHybridKeySecretMsg", fqcn: "org.zstack.header.hybrid.account.APIQueryHybridKeySecretMsg", verb: Verb::Get, path: "/v1/hybrid/hybrid/key", key: "", is_async: false, params: "", needs_session: true, handler: query!(HYBRID_KEY) },
        ApiDef { msg: "APIAddDataCenterFromRemoteMsg", fqcn: "org.zstack.header.datacenter.APIAddDataCenterFromRemoteMsg", verb: Verb::Post, path: "/v1/hybrid/data-center", key: "params", is_async: true, params: "regionId*:s type*:s syncZones:b endpoint:s description:s resourceUuid:s tagUuids:l", needs_session: true, handler: call!(datacenter::data_center_add) },
        ApiDef { msg: "APIGetDataCenterFromRemoteMsg", fqcn: "org.zstack.header.datacenter.APIGetDataCenterFromRemoteMsg", verb: Verb::Get, path: "/v1/hybrid/data-center/remote", key: "", is_async: false, params: "type*:s endpoint:s", needs_session: true, handler: call!(datacenter::data_center_get_remote) },
        ApiDef { msg: "APIQueryDataCenterFromLocalMsg", fqcn: "org.zstack.header.datacenter.APIQueryDataCenterFromLocalMsg", verb: Verb::Get, path: "/v1/hybrid/data-center", key: "", is_async: false, params: "", needs_session: true, handler: query!(DATA_CENTER) },
        ApiDef { msg: "APISyncDataCenterFromRemoteMsg", fqcn: "org.zstack.header.datacenter.APISyncDataCenterFromRemoteMsg", verb: Verb::Get, path: "/v1/hybrid/data-center/{uuid}/sync", key: "", is_async: true, params: "uuid*:s resourceUuid:s tagUuids:l", needs_session: true, handler: call!(datacenter::data_center_sync) },
        ApiDef { msg: "APIDeleteDataCenterInLocalMsg", fqcn: "org.zstack.header.datacenter.APIDeleteDataCenterInLocalMsg", verb: Verb::Delete, path: "/v1/hybrid/data-center/{uuid}", key: "", is_async: true, params: "uuid*:s deleteMode:s", needs_session: true, handler: delete_local!(DATA_CENTER) },
        ApiDef { msg: "APIAddIdentityZoneFromRemoteMsg", fqcn: "org.zstack.header.identityzone.APIAddIdentityZoneFromRemoteMsg", verb: Verb::Post, path: "/v1/hybrid/identity-zone", key: "params", is_async: true, params: "dataCenterUuid*:s zoneId:s type:s description:s resourceUuid:s tagUuids:l", needs_session: true, handler: call!(datacenter::zone_add) },
        ApiDef { msg: "APIGetIdentityZoneFromRemoteMsg", fqcn: "org.zstack.header.identityzone.APIGetIdentityZoneFromRemoteMsg", verb: Verb::Get, path: "/v1/hybrid/identity-zone/remote", key: "", is_async: false, params: "type:s dataCenterUuid*:s regionId:s", needs_session: true, handler: call!(datacenter::zone_get_remote) },
        ApiDef { msg: "APIQueryIdentityZoneFromLocalMsg", fqcn: "org.zstack.header.identityzone.APIQueryIdentityZoneFromLocalMsg", verb: Verb::Get, path: "/v1/hybrid/identity-zone", key: "", is_async: false, params: "", needs_session: true, handler: query!(IDENTITY_ZONE) },
        ApiDef { msg: "APISyncIdentityFromRemoteMsg", fqcn: "org.zstack.header.identityzone.APISyncIdentityFromRemoteMsg", verb: Verb::Get, path: "/v1/hybrid/identity-zone/{uuid}/sync", key: "", is_async: true, params: "uuid*:s resourceUuid:s tagUuids:l", needs_session: true, handler: call!(datacenter::zone_sync) },
        ApiDef { msg: "APIDeleteIdentityZoneInLocalMsg", fqcn: "org.zstack.header.identityzone.APIDeleteIdentityZoneInLocalMsg", verb: Verb::Delete, path: "/v1/hybrid/identity-zone/{uuid}", key: "", is_async: true, params: "uuid*:s deleteMode:s", needs_session: true, handler: delete_local!(IDENTITY_ZONE) },
    ]
}
