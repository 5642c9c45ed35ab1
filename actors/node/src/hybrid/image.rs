//! ECS images: sync from Alibaba Cloud (system images by default, or the
//! owner alias given as `type`), delete locally, delete remotely (own images).

use super::cascade::{self as hc, delete_local};
use super::client::for_data_center;
use super::sync::reconcile;
use super::{aliyun_error, deleted_or_gone, field, invs_reply, on_actor, tables};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::store::str_of;
use zstack_aliyun::ecs::DescribeImagesRequest;
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::{ApiError, ApiResult};

const OWNERS: &[&str] = &["system", "self", "others", "marketplace"];

pub async fn image_sync(app: App, req: Req) -> ApiResult<Reply> {
    let dc = req.must("dataCenterUuid")?;
    let owner = req.string("type").unwrap_or_else(|| "system".into());
    if !OWNERS.contains(&owner.as_str()) {
        return Err(ApiError::invalid_argument(format!("type[{owner}] must be one of {}", OWNERS.join(", "))));
    }
    let remote = for_data_center(&app, &dc).await?;
    let filter = DescribeImagesRequest { image_owner_alias: Some(owner.clone()), ..Default::default() };
    let images = remote.client.describe_images_all(&remote.region, &filter).await.map_err(aliyun_error)?;
    let local: Vec<_> = app.store.inv_find(&tables::ECS_IMAGE, "dataCenterUuid", &dc).await?.into_iter().filter(|i| str_of(i, "type") == Some(owner.as_str())).collect();
    let fields = images
        .iter()
        .map(|i| {
            remote_fields!("dataCenterUuid": dc, "ecsImageId": i.image_id, "name": i.image_name, "ecsImageSize": i.size, "platform": i.platform,
                "osType": i.os_type, "architecture": i.architecture, "type": owner, "status": i.status, "description": i.description)
        })
        .collect();
    let out = reconcile(&app, &app.dirs().hybrid.image, hc::IMAGE, "ecsImageId", local, fields).await?;
    invs_reply(out.inventories, &tables::ECS_IMAGE)
}

/// `DeleteEcsImageRemote`: only images the account owns can be deleted on Alibaba Cloud.
pub async fn image_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let a = app.clone();
    on_actor(&app.dirs().hybrid.image, &uuid, move |inv| {
        Box::pin(async move {
            if str_of(&inv, "type") == Some("system") {
                return Err(ApiError::invalid_argument(format!("EcsImage[uuid:{}] is a system image; only the account's own images can be deleted remotely", field(&inv, "uuid"))));
            }
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            deleted_or_gone(remote.client.delete_image(&remote.region, &field(&inv, "ecsImageId"), false).await)
        })
    })
    .await?;
    delete_local(&app, Node::new(hc::IMAGE, uuid), DeleteMode::Permissive).await?;
    Ok(Reply::Empty)
}
