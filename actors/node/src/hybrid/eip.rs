//! Elastic IPs on Alibaba Cloud (ZStack's hybrid EIPs, `type` aliyun):
//! allocate, associate with an ECS instance, unassociate, release remotely
//! (Alibaba first), delete locally, sync.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::recovery::{noted, uuid_tags};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, deleted_or_gone, field, insert_or_undo, inv_reply, invs_reply, delete_remote_first, on_actor_write, tables, undo_logged, uuid_by_id, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::str_of;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use zstack_aliyun::vpc::{AllocateEipRequest, EipAddress};
use zstack_kit::{ApiError, ApiResult};

pub(super) fn check_type(req: &Req) -> ApiResult<()> {
    match req.str("type") {
        None | Some("aliyun") => Ok(()),
        Some(other) => Err(ApiError::invalid_argument(format!("type[{other}] is not supported; use aliyun"))),
    }
}

fn eip_fields(dc: &str, e: &EipAddress, instances: &HashMap<String, String>) -> Map<String, Value> {
    let owner = instances.get(&e.instance_id);
    remote_fields!("dataCenterUuid": dc, "eipId": e.allocation_id, "eipAddress": e.ip_address, "name": e.name, "description": e.description,
        "bandWidth": e.bandwidth.parse::<i64>().ok(), "chargeType": e.internet_charge_type, "status": e.status, "eipType": "aliyun",
        "allocateResourceUuid": owner, "allocateResourceType": owner.map(|_| "EcsInstanceVO"))
}

async fn eip_status(remote: &Remote, id: &str) -> ApiResult<Option<EipAddress>> {
    Ok(remote.client.describe_eip_addresses(&remote.region, Some(id), 1, 1).await.map_err(aliyun_error)?.eip_addresses.into_iter().next())
}

async fn wait_eip(app: &App, remote: &Remote, id: &str, want: &str) -> ApiResult<()> {
    wait_for_status(app, &format!("EIP {id}"), &[want], || async { Ok(eip_status(remote, id).await?.map(|e| e.status).unwrap_or_else(|| "Released".into())) })
        .await
        .map(|_| ())
}

/// `bandWidthMb` as Alibaba takes it (Mbit/s); its upper limit is Alibaba's to enforce.
pub(super) fn positive_bandwidth(bandwidth: i64) -> ApiResult<u32> {
    u32::try_from(bandwidth).ok().filter(|b| *b > 0).ok_or_else(|| ApiError::invalid_argument(format!("bandWidthMb[{bandwidth}] must be positive")))
}

pub async fn eip_create(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    let dc = req.must("dataCenterUuid")?;
    let bandwidth = positive_bandwidth(req.int("bandWidthMb").unwrap_or(0))?;
    let charge = req.must("chargeType")?;
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = AllocateEipRequest {
        bandwidth: Some(bandwidth),
        internet_charge_type: Some(charge),
        name: req.string("name"),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
    };
    let inv = noted(&app, hc::EIP, &uuid, &dc, json!({}), async {
        let created = remote.client.allocate_eip_address(&remote.region, &request).await.map_err(aliyun_error)?;
        let mut fields = match eip_status(&remote, &created.allocation_id).await? {
            Some(e) => eip_fields(&dc, &e, &HashMap::new()),
            None => remote_fields!("dataCenterUuid": dc, "eipId": created.allocation_id, "eipAddress": created.eip_address, "name": request.name,
                "bandWidth": bandwidth, "chargeType": request.internet_charge_type, "status": "Available", "eipType": "aliyun"),
        };
        fields.insert("uuid".into(), json!(uuid));
        fields.insert("description".into(), json!(req.str("description")));
        let inv = new_inv(Value::Object(fields));
        let undo = remote.client.release_eip_address(&remote.region, &created.allocation_id);
        insert_or_undo(&app, &app.dirs().hybrid.data_center, &dc, &tables::HYBRID_EIP, inv.clone(), async { undo_logged("AllocateEipAddress", undo.await).await })
            .await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

pub async fn eip_attach(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    let ecs = app.store.inv_must(&tables::ECS_INSTANCE, &req.must("ecsUuid")?).await?;
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.eip, &req.must("eipUuid")?, move |mut inv| {
        Box::pin(async move {
            if field(&inv, "dataCenterUuid") != field(&ecs, "dataCenterUuid") {
                return Err(ApiError::invalid_argument("the EIP and the ECS instance are in different data centers"));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "eipId");
            remote.client.associate_eip_address(&remote.region, &id, &field(&ecs, "ecsInstanceId"), None).await.map_err(aliyun_error)?;
            wait_eip(&a, &remote, &id, "InUse").await?;
            inv.insert("allocateResourceUuid".into(), json!(field(&ecs, "uuid")));
            inv.insert("allocateResourceType".into(), json!("EcsInstanceVO"));
            inv.insert("status".into(), json!("InUse"));
            Ok((inv.clone(), Some(inv)))
        })
    })
    .await?;
    inv_reply(inv)
}

pub async fn eip_detach(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    let a = app.clone();
    on_actor_write(&app, &app.dirs().hybrid.eip, &req.must("eipUuid")?, move |mut inv| {
        Box::pin(async move {
            let Some(owner) = str_of(&inv, "allocateResourceUuid").map(String::from) else {
                return Err(ApiError::operation(format!("HybridEip[uuid:{}] is not attached", field(&inv, "uuid"))));
            };
            let ecs = a.store.inv_must(&tables::ECS_INSTANCE, &owner).await?;
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "eipId");
            remote.client.unassociate_eip_address(&remote.region, &id, &field(&ecs, "ecsInstanceId")).await.map_err(aliyun_error)?;
            wait_eip(&a, &remote, &id, "Available").await?;
            inv.remove("allocateResourceUuid");
            inv.remove("allocateResourceType");
            inv.insert("status".into(), json!("Available"));
            Ok(((), Some(inv)))
        })
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn eip_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    delete_remote_first(&app, &app.dirs().hybrid.eip, hc::EIP, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.release_eip_address(&remote.region, &field(&inv, "eipId")).await) })
    })
    .await
}

pub async fn eips_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let instances = uuid_by_id(&app.store.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", dc).await?, "ecsInstanceId");
    let eips = remote.client.describe_eip_addresses_all(&remote.region).await.map_err(aliyun_error)?;
    let local = app.store.inv_find(&tables::HYBRID_EIP, "dataCenterUuid", dc).await?;
    reconcile(app, &app.dirs().hybrid.eip, hc::EIP, "eipId", local, eips.iter().map(|e| eip_fields(dc, e, &instances)).collect()).await
}

pub async fn eip_sync(app: App, req: Req) -> ApiResult<Reply> {
    check_type(&req)?;
    let remote = for_data_center(&app, &req.must("dataCenterUuid")?).await?;
    invs_reply(eips_sync(&app, &remote).await?.inventories, &tables::HYBRID_EIP)
}
