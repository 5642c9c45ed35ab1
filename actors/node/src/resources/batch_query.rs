//! `BatchQuery`: several queries in one call. ZStack runs a Groovy script;
//! this node runs the part of that language such scripts use: assignments of
//! `query("QueryXxx cond ... limit=n")` results, `put("key", value)` to build
//! the answer, `//` comments, statements separated by newlines or `;`.
//! Anything else is refused with the line it stands on.

use crate::api::{defs, Reply, Req};
use crate::app::App;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use zstack_kit::{ApiError, ApiResult};

/// A string literal in single or double quotes, and what follows it.
fn literal(s: &str) -> Option<(String, &str)> {
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = s[1..].find(q)? + 1;
    Some((s[1..end].to_string(), &s[end + 1..]))
}

/// `query("...")` → the text of the query, or None if `expr` is not a call.
fn query_call(expr: &str) -> Option<ApiResult<String>> {
    let inner = expr.trim().strip_prefix("query")?.trim_start().strip_prefix('(')?.trim();
    Some(match literal(inner) {
        Some((q, rest)) if rest.trim() == ")" => Ok(q),
        _ => Err(ApiError::invalid_argument(format!("cannot read the query call {expr}: write query(\"QueryXxx cond ...\")"))),
    })
}

/// Run one CLI-style query: `QueryVmInstance name=vm1 state!=Stopped limit=5 sort=+name`.
async fn run_query(app: &App, req: &Req, text: &str) -> ApiResult<Value> {
    let mut words = text.split_whitespace();
    let name = words.next().ok_or_else(|| ApiError::invalid_argument("an empty query"))?;
    let msg = format!("API{name}Msg").to_ascii_lowercase();
    let api = defs()
        .iter()
        .find(|d| d.is_query() && !d.path.contains('{') && d.msg.to_ascii_lowercase() == msg)
        .ok_or_else(|| ApiError::invalid_argument(format!("{name} is not a query API")))?;
    let pairs: Vec<(String, String)> = words
        .map(|w| match w.split_once('=') {
            Some((k, v)) if ["limit", "start", "count", "replyWithCount", "sort", "fields"].contains(&k) => (k.to_string(), v.to_string()),
            _ => ("q".to_string(), w.to_string()),
        })
        .collect();
    let query = crate::api::http::parse_query_request(&pairs)?;
    let inner = Req { params: Map::new(), system_tags: Vec::new(), user_tags: Vec::new(), session: req.session.clone(), query, api };
    Ok(match (api.handler)(app.clone(), inner).await? {
        Reply::Inventories { items, total, .. } => {
            let mut m = Map::new();
            m.insert("inventories".into(), Value::Array(items));
            if let Some(t) = total {
                m.insert("total".into(), json!(t));
            }
            Value::Object(m)
        }
        Reply::Count(n) => json!({ "total": n }),
        other => other.into_body(),
    })
}

pub async fn batch_query(app: App, req: Req) -> ApiResult<Reply> {
    let script = req.must("script")?;
    let mut vars: HashMap<String, Value> = HashMap::new();
    let mut result = Map::new();
    for (n, raw) in script.split(['\n', ';']).enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let at = |e: ApiError| ApiError::invalid_argument(format!("batch query statement {} [{line}]: {}", n + 1, e.details));
        if let Some(args) = line.strip_prefix("put").map(str::trim_start).and_then(|s| s.strip_prefix('(')).and_then(|s| s.trim_end().strip_suffix(')')) {
            let (key, rest) = literal(args.trim()).ok_or_else(|| at(ApiError::invalid_argument("put needs a quoted key")))?;
            let value_expr = rest.trim().strip_prefix(',').ok_or_else(|| at(ApiError::invalid_argument("put needs a key and a value")))?.trim();
            let value = match query_call(value_expr) {
                Some(q) => run_query(&app, &req, &q.map_err(at)?).await.map_err(at)?,
                None => vars.get(value_expr).cloned().ok_or_else(|| at(ApiError::invalid_argument(format!("{value_expr} is not defined"))))?,
            };
            result.insert(key, value);
            continue;
        }
        let assignment = line.strip_prefix("def ").unwrap_or(line);
        if let Some((name, expr)) = assignment.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                if let Some(q) = query_call(expr) {
                    let value = run_query(&app, &req, &q.map_err(at)?).await.map_err(at)?;
                    vars.insert(name.to_string(), value);
                    continue;
                }
            }
        }
        return Err(at(ApiError::invalid_argument("this node runs assignments of query(\"...\"), put(\"key\", value) and // comments only")));
    }
    Ok(Reply::Fields([("result".to_string(), Value::Object(result))].into_iter().collect()))
}
