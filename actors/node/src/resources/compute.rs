//! System and user tags (ZStack's SystemTagVO/UserTagVO), created from the
//! `systemTags`/`userTags` of create APIs or by the tag APIs.

use super::new_inv;
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::tables;
use serde_json::{json, Value};
use zstack_kit::{ApiError, ApiResult};

/// Store the request's tags on a newly created resource.
pub async fn tags_create(app: &App, resource_uuid: &str, resource_type: &str, req: &Req) -> ApiResult<()> {
    let mut stmts = Vec::new();
    for t in &req.system_tags {
        let row = new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource_uuid, "resourceType": resource_type, "tag": t, "type": "System", "inherent": false}));
        stmts.push(app.store.insert_stmt(&tables::SYSTEM_TAG, &row));
    }
    for t in &req.user_tags {
        let row = new_inv(json!({"uuid": new_uuid(), "resourceUuid": resource_uuid, "resourceType": resource_type, "tag": t, "type": "User"}));
        stmts.push(app.store.insert_stmt(&tables::USER_TAG, &row));
    }
    app.store.db.write(stmts).await
}

async fn tag_create(app: App, req: Req, system: bool) -> ApiResult<Reply> {
    let resource_uuid = req.must("resourceUuid")?;
    let resource_type = req.must("resourceType")?;
    let spec = tables::all()
        .find(|t| t.vo == resource_type)
        .ok_or_else(|| ApiError::invalid_argument(format!("resourceType[{resource_type}] is not a known resource type")))?;
    if !app.store.inv_exists(spec, &resource_uuid).await? {
        return Err(ApiError::not_found(&resource_type, &resource_uuid));
    }
    let tag = req.must("tag")?;
    let (table, kind) = if system { (&tables::SYSTEM_TAG, "System") } else { (&tables::USER_TAG, "User") };
    let mut row = new_inv(json!({"uuid": req.resource_uuid()?, "resourceUuid": resource_uuid, "resourceType": resource_type, "tag": tag, "type": kind}));
    if system {
        row.insert("inherent".into(), json!(false));
    }
    app.store.inv_insert(table, &row).await?;
    Ok(Reply::Inventory(Value::Object(row)))
}

pub async fn system_tag_create(app: App, req: Req) -> ApiResult<Reply> {
    tag_create(app, req, true).await
}

pub async fn user_tag_create(app: App, req: Req) -> ApiResult<Reply> {
    tag_create(app, req, false).await
}

pub async fn tag_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    app.store.db.write(vec![app.store.delete_stmt(&tables::SYSTEM_TAG, "uuid", &uuid), app.store.delete_stmt(&tables::USER_TAG, "uuid", &uuid)]).await?;
    Ok(Reply::Empty)
}
