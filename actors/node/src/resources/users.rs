//! IAM users of an account (ZStack's UserVO) and logging in as one. Passwords
//! travel as the client's SHA-512 digest, as for accounts, and are stored
//! only as argon2 hashes of it.

use super::new_inv;
use crate::api::{Reply, Req};
use crate::app::App;
use crate::store::str_of;
use crate::tables;
use serde_json::{json, Value};
use zstack_kit::{ApiError, ApiResult};

fn account_of(req: &Req) -> ApiResult<String> {
    req.session.as_ref().map(|s| s.account_uuid.clone()).ok_or_else(|| ApiError::invalid_argument("a session is needed"))
}

async fn name_free(app: &App, account: &str, name: &str, except: Option<&str>) -> ApiResult<()> {
    let taken = app.store.inv_find(&tables::USER, "accountUuid", account).await?.iter().any(|u| str_of(u, "name") == Some(name) && str_of(u, "uuid") != except);
    if taken {
        return Err(ApiError::invalid_argument(format!("the account already has a user named {name}")));
    }
    Ok(())
}

pub async fn user_create(app: App, req: Req) -> ApiResult<Reply> {
    let account = account_of(&req)?;
    let name = req.must("name")?;
    let password = req.must("password")?;
    name_free(&app, &account, &name, None).await?;
    let uuid = req.resource_uuid()?;
    let user = new_inv(json!({"uuid": uuid, "accountUuid": account, "name": name, "description": req.str("description")}));
    let cred = app.identity.password_set(&uuid, &password).await?;
    app.store.db.write(vec![app.store.insert_stmt(&tables::USER, &user), cred]).await?;
    Ok(Reply::Inventory(Value::Object(user)))
}

/// `UpdateUser`: without a uuid, the session's own user. Changing a password
/// with `oldPassword` checks it first.
pub async fn user_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = match req.string("uuid") {
        Some(u) => u,
        None => req.session.as_ref().map(|s| s.user_uuid.clone()).unwrap_or_default(),
    };
    let mut user = app.store.inv_must(&tables::USER, &uuid).await?;
    if Some(str_of(&user, "accountUuid").unwrap_or_default().to_string()) != req.session.as_ref().map(|s| s.account_uuid.clone()) {
        return Err(ApiError::not_found("UserVO", &uuid));
    }
    let mut stmts = Vec::new();
    if let Some(p) = req.str("password") {
        if let Some(old) = req.str("oldPassword") {
            app.identity.check_password(&uuid, old).await.map_err(|_| ApiError::invalid_argument("oldPassword is wrong"))?;
        }
        stmts.push(app.identity.password_set(&uuid, p).await?);
    }
    if let Some(name) = req.str("name") {
        name_free(&app, str_of(&user, "accountUuid").unwrap_or_default(), name, Some(&uuid)).await?;
    }
    super::apply_update(&mut user, &req.params, &[]);
    stmts.push(app.store.update_stmt(&tables::USER, &user));
    app.store.db.write(stmts).await?;
    Ok(Reply::Inventory(Value::Object(user)))
}

pub async fn user_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    if app.store.inv_get(&tables::USER, &uuid).await?.is_none() {
        return Ok(Reply::Empty);
    }
    app.identity.sessions_end_for(&uuid).await?;
    app.store.db.write(vec![app.store.delete_stmt(&tables::USER, "uuid", &uuid), app.store.delete_stmt(&tables::ACCOUNT_CREDENTIAL, "uuid", &uuid)]).await?;
    Ok(Reply::Empty)
}

pub async fn login_by_user(app: App, req: Req) -> ApiResult<Reply> {
    let inv = app.identity.login_user(req.str("accountUuid"), req.str("accountName"), &req.must("userName")?, &req.must("password")?).await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}
