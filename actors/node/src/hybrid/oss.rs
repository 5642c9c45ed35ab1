//! OSS buckets: add one that exists on Alibaba Cloud, create one there, list what the
//! account has, list and delete a bucket's files, delete a bucket remotely or locally,
//! and attach one to its DataCenter as the bucket local images are uploaded through.
//!
//! The bucket is reached with the DataCenter's AccessKey and endpoint. ZStack's optional
//! `ossKey`/`ossSecret`/`ossDomain` (a second credential per bucket) are refused rather
//! than stored: this node keeps secrets only as sealed AccessKeys.

use super::client::{for_data_center, Remote};
use super::cascade::OSS_BUCKET;
use super::recovery::noted;
use super::{aliyun_error, delete_remote_first, deleted_or_gone, field, insert_or_undo, inv_reply, undo_logged};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::resources::{apply_update, mutate, new_inv};
use crate::store::{str_of, Inventory};
use crate::tables;
use serde_json::{json, Map, Value};
use zstack_kit::{ApiError, ApiResult};

fn refuse_second_credentials(req: &Req) -> ApiResult<()> {
    for name in ["ossKey", "ossSecret", "ossDomain"] {
        if req.params.get(name).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::invalid_argument(format!(
                "{name} is not supported: buckets are reached with the DataCenter's attached AccessKey and endpoint"
            )));
        }
    }
    Ok(())
}

/// OSS's naming rule: 3-63 lower-case letters, digits and hyphens, no hyphen at either end.
pub fn check_bucket_name(name: &str) -> ApiResult<()> {
    let ok = (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_argument(format!(
            "bucketName[{name}] is not a valid OSS bucket name: 3 to 63 lower-case letters, digits or hyphens, not starting or ending with a hyphen"
        )))
    }
}

async fn refuse_known(app: &App, dc: &str, name: &str) -> ApiResult<()> {
    let known = app.store.inv_find(&tables::OSS_BUCKET, "bucketName", name).await?;
    if known.iter().any(|b| str_of(b, "dataCenterUuid") == Some(dc)) {
        return Err(ApiError::invalid_argument(format!("the OSS bucket {name} has been added to DataCenter[uuid:{dc}] already")));
    }
    Ok(())
}

fn bucket_inv(req: &Req, uuid: &str, dc: &str, remote: &Remote, name: &str) -> Inventory {
    new_inv(json!({"uuid": uuid, "bucketName": name, "dataCenterUuid": dc, "regionId": remote.region, "current": false,
        "description": req.str("description")}))
}

/// `AddOssBucketFromRemote`: a bucket the account already has, in the DataCenter's region.
pub async fn bucket_add(app: App, req: Req) -> ApiResult<Reply> {
    refuse_second_credentials(&req)?;
    let name = req.must("bucketName")?;
    let dc = req.must("dataCenterUuid")?;
    check_bucket_name(&name)?;
    let remote = for_data_center(&app, &dc).await?;
    refuse_known(&app, &dc, &name).await?;
    let buckets = remote.client.oss(&remote.region).list_buckets().await.map_err(aliyun_error)?;
    let bucket = buckets
        .iter()
        .find(|b| b.name == name)
        .ok_or_else(|| ApiError::invalid_argument(format!("Alibaba Cloud has no OSS bucket {name} for this AccessKey")))?;
    if !bucket.region.is_empty() && bucket.region != remote.region {
        return Err(ApiError::invalid_argument(format!(
            "the OSS bucket {name} is in region {}, not in the DataCenter's region {}",
            bucket.region, remote.region
        )));
    }
    let inv = bucket_inv(&req, &req.resource_uuid()?, &dc, &remote, &name);
    crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::OSS_BUCKET, inv.clone()).await?;
    inv_reply(inv)
}

/// `CreateOssBucketRemote`: the bucket is made on Alibaba Cloud, then recorded; if the
/// record cannot be written, the new (empty) bucket is removed again.
pub async fn bucket_create(app: App, req: Req) -> ApiResult<Reply> {
    refuse_second_credentials(&req)?;
    let name = req.must("bucketName")?;
    let dc = req.must("dataCenterUuid")?;
    check_bucket_name(&name)?;
    let remote = for_data_center(&app, &dc).await?;
    refuse_known(&app, &dc, &name).await?;
    let uuid = req.resource_uuid()?;
    let oss = remote.client.oss(&remote.region);
    let inv = noted(&app, OSS_BUCKET, &uuid, &dc, json!({"bucketName": name}), async {
        oss.put_bucket(&name, Some("private")).await.map_err(aliyun_error)?;
        let inv = bucket_inv(&req, &uuid, &dc, &remote, &name);
        let undo = async { undo_logged("the new OSS bucket", oss.delete_bucket(&name).await).await };
        insert_or_undo(&app, &app.dirs().hybrid.data_center, &dc, &tables::OSS_BUCKET, inv.clone(), undo).await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

async fn remote_of_bucket(app: &App, bucket: &Inventory) -> ApiResult<Remote> {
    for_data_center(app, &field(bucket, "dataCenterUuid")).await
}

/// `DeleteOssBucketRemote`: OSS refuses to delete a bucket that still has objects
/// (`BucketNotEmpty`); the local record stays until the delete is confirmed.
pub async fn bucket_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    delete_remote_first(&app, &app.dirs().hybrid.oss_bucket, OSS_BUCKET, &uuid, |_, remote, inv| {
        Box::pin(async move {
            deleted_or_gone(remote.client.oss(&remote.region).delete_bucket(&field(&inv, "bucketName")).await)
        })
    })
    .await
}

/// `DeleteOssBucketFileRemote`: one object of the bucket.
pub async fn bucket_file_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let file = req.must("fileName")?;
    let bucket = crate::resources::read(&app.dirs().hybrid.oss_bucket, &uuid).await?;
    let remote = remote_of_bucket(&app, &bucket).await?;
    let oss = remote.client.oss(&remote.region);
    let name = field(&bucket, "bucketName");
    // OSS answers a delete of a missing key with success; the caller asked about a file.
    // (A HEAD's 404 has no body, so no code: the file is named here instead.)
    match oss.head_object(&name, &file).await {
        Err(e) if e.http_status() == Some(404) => return Err(ApiError::invalid_argument(format!("the OSS bucket {name} has no file {file}"))),
        other => other.map_err(aliyun_error)?,
    };
    oss.delete_object(&name, &file).await.map_err(aliyun_error)?;
    Ok(Reply::Empty)
}

/// `GetOssBucketNameFromRemote`: the buckets the DataCenter's AccessKey can see.
pub async fn bucket_names_remote(app: App, req: Req) -> ApiResult<Reply> {
    refuse_second_credentials(&req)?;
    let dc = req.must("dataCenterUuid")?;
    let remote = for_data_center(&app, &dc).await?;
    let buckets = remote.client.oss(&remote.region).list_buckets().await.map_err(aliyun_error)?;
    let items = buckets
        .into_iter()
        .map(|b| json!({"bucketName": b.name, "regionId": b.region, "location": b.location, "createDate": b.creation_date}))
        .collect();
    Ok(Reply::Inventories { items, total: None, class: "org.zstack.header.aliyun.oss.OssBucketProperty" })
}

/// `GetOssBucketFileFromRemote`: `{"files": [names]}`.
pub async fn bucket_files_remote(app: App, req: Req) -> ApiResult<Reply> {
    refuse_second_credentials(&req)?;
    let uuid = req.must("uuid")?;
    let bucket = crate::resources::read(&app.dirs().hybrid.oss_bucket, &uuid).await?;
    let remote = remote_of_bucket(&app, &bucket).await?;
    let objects = remote.client.oss(&remote.region).list_objects(&field(&bucket, "bucketName"), "").await.map_err(aliyun_error)?;
    let mut out = Map::new();
    out.insert("files".into(), json!(objects.into_iter().map(|o| o.key).collect::<Vec<_>>()));
    Ok(Reply::Fields(out))
}

/// `AttachOssBucketToEcsDataCenter`: this bucket becomes the DataCenter's upload bucket
/// (the one marked before is unmarked).
pub async fn bucket_attach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("ossBucketUuid")?;
    let d = &app.dirs().hybrid;
    let bucket = crate::resources::read(&d.oss_bucket, &uuid).await?;
    for other in app.store.inv_find(&tables::OSS_BUCKET, "dataCenterUuid", &field(&bucket, "dataCenterUuid")).await? {
        let other_uuid = field(&other, "uuid");
        if other_uuid != uuid && other.get("current").and_then(Value::as_bool) == Some(true) {
            set_current(&app, &other_uuid, false).await?;
        }
    }
    inv_reply(set_current(&app, &uuid, true).await?)
}

pub async fn bucket_detach(app: App, req: Req) -> ApiResult<Reply> {
    inv_reply(set_current(&app, &req.must("ossBucketUuid")?, false).await?)
}

async fn set_current(app: &App, uuid: &str, current: bool) -> ApiResult<Inventory> {
    mutate(app, &app.dirs().hybrid.oss_bucket, uuid, move |s| {
        s.set("current", json!(current));
        Ok(s.inv.clone())
    })
    .await
}

/// `UpdateOssBucket`: the description (the second-credential fields are refused).
pub async fn bucket_update(app: App, req: Req) -> ApiResult<Reply> {
    refuse_second_credentials(&req)?;
    let uuid = req.must("uuid")?;
    let params = req.params.clone();
    inv_reply(
        mutate(&app, &app.dirs().hybrid.oss_bucket, &uuid, move |s| {
            apply_update(&mut s.inv, &params, &[]);
            Ok(s.inv.clone())
        })
        .await?,
    )
}

/// The DataCenter's attached bucket, for image uploads.
pub async fn current_bucket(app: &App, dc: &str) -> ApiResult<Inventory> {
    app.store
        .inv_find(&tables::OSS_BUCKET, "dataCenterUuid", dc)
        .await?
        .into_iter()
        .find(|b| b.get("current").and_then(Value::as_bool) == Some(true))
        .ok_or_else(|| {
            ApiError::operation(format!(
                "DataCenter[uuid:{dc}] has no OSS bucket attached for image uploads; add one and attach it with AttachOssBucketToEcsDataCenter"
            ))
        })
}
