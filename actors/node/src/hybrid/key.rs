//! Alibaba Cloud AccessKeys (ZStack's HybridAccountVO): add, update, delete,
//! attach (make it the key the node calls with) and detach. The same handlers
//! serve the Aliyun key APIs and the generic HybridKey ones (whose `type` must
//! be aliyun, the one cloud the node speaks). The secret is
//! sealed (`secret`) into its own table the moment it arrives and is never
//! part of any inventory or reply.

use super::cascade::retire;
use super::{inv_reply, tables};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::resources::{apply_update, mutate, new_inv};
use crate::store::str_of;
use serde_json::json;
use zstack_kit::{ApiError, ApiResult};

pub const KEY_TYPE: &str = "aliyun";

pub async fn key_add(app: App, req: Req) -> ApiResult<Reply> {
    if let Some(other) = req.str("type").filter(|t| *t != KEY_TYPE) {
        return Err(ApiError::invalid_argument(format!("type[{other}] is not supported; the node manages {KEY_TYPE} AccessKeys only")));
    }
    let name = req.must("name")?;
    let key = req.must("key")?;
    let secret = req.must("secret")?;
    if key.chars().any(char::is_whitespace) || secret.chars().any(char::is_whitespace) {
        return Err(ApiError::invalid_argument("key and secret must not contain white space"));
    }
    let existing = app.store.inv_find(&tables::HYBRID_KEY, "type", KEY_TYPE).await?;
    if existing.iter().any(|k| str_of(k, "key") == Some(key.as_str())) {
        return Err(ApiError::invalid_argument(format!("the AccessKey {key} has been added already")));
    }
    // The first key is attached at once: nothing can call Alibaba Cloud without one.
    let current = !existing.iter().any(|k| k.get("current").and_then(|v| v.as_bool()) == Some(true));
    let uuid = req.resource_uuid()?;
    let account = req.string("accountUuid").or_else(|| req.session.as_ref().map(|s| s.account_uuid.clone()));
    let inv = new_inv(json!({"uuid": uuid, "name": name, "description": req.str("description"), "accountUuid": account, "type": KEY_TYPE,
        "key": key, "current": current}));
    let sealed = json!({"uuid": uuid, "sealed": app.hybrid.secrets.seal(&uuid, &secret)?});
    let sealed = sealed.as_object().cloned().unwrap_or_default();
    app.store.db.write(vec![app.store.insert_stmt(&tables::HYBRID_KEY, &inv), app.store.insert_stmt(&tables::HYBRID_KEY_SECRET, &sealed)]).await?;
    inv_reply(inv)
}

pub async fn key_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let params = req.params.clone();
    inv_reply(mutate(&app, &app.dirs().hybrid.key, &uuid, move |s| {
        apply_update(&mut s.inv, &params, &[]);
        Ok(s.inv.clone())
    })
    .await?)
}

pub async fn key_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let extra = vec![app.store.delete_stmt(&tables::HYBRID_KEY_SECRET, "uuid", &uuid)];
    retire(&app, &app.dirs().hybrid.key, &uuid, extra).await?;
    app.hybrid.clients.evict_key(&uuid);
    Ok(Reply::Empty)
}

/// Make this key the one the node calls with; the previous one is detached.
pub async fn key_attach(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    app.store.inv_must(&tables::HYBRID_KEY, &uuid).await?;
    for other in app.store.inv_find(&tables::HYBRID_KEY, "type", KEY_TYPE).await? {
        let other_uuid = str_of(&other, "uuid").unwrap_or_default().to_string();
        if other_uuid != uuid && other.get("current").and_then(|v| v.as_bool()) == Some(true) {
            set_current(&app, &other_uuid, false).await?;
        }
    }
    set_current(&app, &uuid, true).await?;
    Ok(Reply::Empty)
}

pub async fn key_detach(app: App, req: Req) -> ApiResult<Reply> {
    set_current(&app, &req.must("uuid")?, false).await?;
    Ok(Reply::Empty)
}

async fn set_current(app: &App, uuid: &str, current: bool) -> ApiResult<()> {
    mutate(app, &app.dirs().hybrid.key, uuid, move |s| {
        s.set("current", json!(current));
        Ok(())
    })
    .await?;
    app.hybrid.clients.evict_key(uuid);
    Ok(())
}
