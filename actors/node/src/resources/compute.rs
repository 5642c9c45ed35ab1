//! System and user tags (ZStack's SystemTagVO/UserTagVO), created from the
//! `systemTags`/`userTags` of create APIs or by the tag APIs.

use super::new_inv;
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{str_of, Inventory};
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

/// Deletes a system or user tag, or a tag pattern with every tag made from it.
pub async fn tag_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let s = &app.store;
    s.db.write(vec![
        s.delete_stmt(&tables::SYSTEM_TAG, "uuid", &uuid),
        s.delete_stmt(&tables::USER_TAG, "uuid", &uuid),
        s.delete_stmt(&tables::USER_TAG, "tagPatternUuid", &uuid),
        s.delete_stmt(&tables::TAG_PATTERN, "uuid", &uuid),
    ])
    .await?;
    Ok(Reply::Empty)
}

// ---------- tag patterns (ZStack's tag v2: CreateTag, AttachTagToResources) ----------

/// The `{token}` names of a withToken pattern value, e.g. `owner::{name}`.
fn pattern_tokens(value: &str) -> Vec<&str> {
    value.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(t, _)| t)).collect()
}

fn check_pattern(kind: &str, value: &str) -> ApiResult<()> {
    match kind {
        "simple" if value.contains('{') || value.contains('}') => {
            Err(ApiError::invalid_argument(format!("value[{value}] of a simple tag must not contain tokens; use type withToken")))
        }
        "withToken" if pattern_tokens(value).iter().all(|t| t.is_empty()) => {
            Err(ApiError::invalid_argument(format!("value[{value}] of a withToken tag must contain at least one {{token}}")))
        }
        "simple" | "withToken" => Ok(()),
        other => Err(ApiError::invalid_argument(format!("type[{other}] is not a tag type; valid types are simple, withToken"))),
    }
}

pub async fn tag_pattern_create(app: App, req: Req) -> ApiResult<Reply> {
    let kind = req.str("type").unwrap_or("simple").to_string();
    let value = req.must("value")?;
    check_pattern(&kind, &value)?;
    let row = new_inv(json!({"uuid": req.resource_uuid()?, "name": req.must("name")?, "value": value, "description": req.str("description"),
        "color": req.str("color"), "type": kind}));
    app.store.inv_insert(&tables::TAG_PATTERN, &row).await?;
    Ok(Reply::Inventory(Value::Object(row)))
}

/// The tag text a pattern gives one resource: the value with its tokens filled in.
fn tag_text(pattern: &Inventory, tokens: Option<&serde_json::Map<String, Value>>) -> ApiResult<String> {
    let value = str_of(pattern, "value").unwrap_or_default();
    if str_of(pattern, "type") != Some("withToken") {
        return Ok(value.to_string());
    }
    let mut text = value.to_string();
    for t in pattern_tokens(value) {
        let given = tokens.and_then(|m| m.get(t)).map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string()));
        let given = given.ok_or_else(|| ApiError::invalid_argument(format!("tokens must give a value for token[{t}] of tag[{value}]")))?;
        text = text.replace(&format!("{{{t}}}"), &given);
    }
    Ok(text)
}

pub async fn tag_pattern_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut pattern = app.store.inv_must(&tables::TAG_PATTERN, &uuid).await?;
    let kind = str_of(&pattern, "type").unwrap_or("simple").to_string();
    if let Some(value) = req.str("value") {
        check_pattern(&kind, value)?;
        if kind == "withToken" && pattern_tokens(value) != pattern_tokens(str_of(&pattern, "value").unwrap_or_default()) {
            return Err(ApiError::invalid_argument(format!("the tokens of tag[uuid:{uuid}] cannot change, only the text around them")));
        }
    }
    super::apply_update(&mut pattern, &req.params, &["value", "color"]);
    let mut stmts = vec![app.store.update_stmt(&tables::TAG_PATTERN, &pattern)];
    // Simple tags carry the pattern's text: attached resources follow a rename.
    if kind == "simple" {
        for mut t in app.store.inv_find(&tables::USER_TAG, "tagPatternUuid", &uuid).await? {
            t.insert("tag".into(), json!(str_of(&pattern, "value")));
            stmts.push(app.store.update_stmt(&tables::USER_TAG, &t));
        }
    }
    app.store.db.write(stmts).await?;
    Ok(Reply::Inventory(Value::Object(pattern)))
}

pub async fn tag_pattern_attach(app: App, req: Req) -> ApiResult<Reply> {
    let tag_uuid = req.must("tagUuid")?;
    let pattern = app.store.inv_must(&tables::TAG_PATTERN, &tag_uuid).await?;
    let resources = req.list("resourceUuids");
    if resources.is_empty() {
        return Err(ApiError::invalid_argument("resourceUuids must name at least one resource"));
    }
    let tokens = req.params.get("tokens").and_then(Value::as_object);
    let text = tag_text(&pattern, tokens)?;
    let already: std::collections::HashSet<String> =
        app.store.column_where_in(&tables::USER_TAG, "resourceUuid", "tagPatternUuid", &[tag_uuid.clone()]).await?.into_iter().collect();
    // Tags are not resources one can tag.
    let kinds = app.store.tables_holding(&resources).await?;
    let mut results = serde_json::Map::new();
    let mut stmts = Vec::new();
    for r in resources {
        let outcome = match kinds.get(&r).map(|t| t.vo).filter(|vo| !["SystemTagVO", "UserTagVO", "TagPatternVO"].contains(vo)) {
            None => json!({"success": false, "error": ApiError::not_found("resource", &r)}),
            Some(_) if already.contains(&r) => json!({"success": true}),
            Some(vo) => {
                let row = new_inv(json!({"uuid": new_uuid(), "resourceUuid": r, "resourceType": vo, "tag": text, "type": "User", "tagPatternUuid": tag_uuid}));
                stmts.push(app.store.insert_stmt(&tables::USER_TAG, &row));
                json!({"success": true})
            }
        };
        results.insert(r, outcome);
    }
    app.store.db.write(stmts).await?;
    Ok(Reply::Fields([("results".to_string(), Value::Object(results))].into_iter().collect()))
}

pub async fn tag_pattern_detach(app: App, req: Req) -> ApiResult<Reply> {
    let tag_uuid = req.must("tagUuid")?;
    app.store.inv_must(&tables::TAG_PATTERN, &tag_uuid).await?;
    let resources: std::collections::HashSet<String> = req.list("resourceUuids").into_iter().collect();
    let stmts = app
        .store
        .inv_find(&tables::USER_TAG, "tagPatternUuid", &tag_uuid)
        .await?
        .iter()
        .filter(|t| resources.contains(str_of(t, "resourceUuid").unwrap_or_default()))
        .map(|t| app.store.delete_stmt(&tables::USER_TAG, "uuid", str_of(t, "uuid").unwrap_or_default()))
        .collect();
    app.store.db.write(stmts).await?;
    Ok(Reply::Empty)
}
