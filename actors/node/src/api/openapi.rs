//! The OpenAPI document, generated from the API table. `openapi.json` at the
//! repository root is this output; `tests/schema_drift.rs` fails when they differ.

use super::{defs, PType, Verb};
use serde_json::{json, Map, Value};

fn schema_of(t: PType) -> Value {
    match t {
        PType::Str => json!({"type": "string"}),
        PType::Int => json!({"type": "integer", "format": "int64"}),
        PType::Bool => json!({"type": "boolean"}),
        PType::Float => json!({"type": "number"}),
        PType::List => json!({"type": "array", "items": {"type": "string"}}),
        PType::Any => json!({}),
    }
}

pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for d in defs() {
        let path = format!("/zstack{}", d.path);
        let vars: Vec<String> = d.path.split('/').filter_map(|s| s.strip_suffix('}')?.split_once('{').map(|(_, v)| v.to_string())).collect();
        let mut params: Vec<Value> = vars.iter().map(|v| json!({"name": v, "in": "path", "required": true, "schema": {"type": "string"}})).collect();
        let specs = d.param_specs();
        let mut op = Map::new();
        op.insert("operationId".into(), json!(format!("{}{}", d.msg.trim_start_matches("API").trim_end_matches("Msg"), if vars.is_empty() { "" } else { "ByPath" })));
        op.insert("summary".into(), json!(format!("{} ({})", d.msg, if d.is_async { "async: 202 + api-jobs polling" } else { "sync" })));
        match d.verb {
            Verb::Get | Verb::Delete => {
                for s in specs.iter().filter(|s| !vars.iter().any(|v| v == s.name)) {
                    params.push(json!({"name": s.name, "in": "query", "required": s.required, "schema": schema_of(s.ty)}));
                }
                if d.is_query() {
                    for (n, t) in [("q", PType::List), ("limit", PType::Int), ("start", PType::Int), ("count", PType::Bool), ("replyWithCount", PType::Bool), ("sort", PType::Str), ("fields", PType::Str)] {
                        params.push(json!({"name": n, "in": "query", "required": false, "schema": schema_of(t)}));
                    }
                }
            }
            Verb::Post | Verb::Put => {
                let mut props = Map::new();
                let mut required = Vec::new();
                for s in specs.iter().filter(|s| !vars.iter().any(|v| v == s.name)) {
                    props.insert(s.name.to_string(), schema_of(s.ty));
                    if s.required {
                        required.push(json!(s.name));
                    }
                }
                let inner = json!({"type": "object", "properties": props, "required": required});
                op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "properties": {d.key: inner, "systemTags": {"type": "array", "items": {"type": "string"}}, "userTags": {"type": "array", "items": {"type": "string"}}},
                    "required": [d.key]}}}}));
            }
        }
        op.insert("parameters".into(), Value::Array(params));
        let mut responses = Map::new();
        if d.is_async {
            responses.insert("202".into(), json!({"description": "accepted; poll the location"}));
        } else {
            responses.insert("200".into(), json!({"description": "the result"}));
            responses.insert("503".into(), json!({"description": "the API failed: {\"error\": ErrorCode}"}));
        }
        op.insert("responses".into(), Value::Object(responses));
        let verb = d.verb.name().to_ascii_lowercase();
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        let key = if d.verb == Verb::Put { format!("{verb}") } else { verb };
        // Several actions share one PUT path: ZStack tells them apart by the body key.
        match entry.get_mut(&key) {
            Some(existing) => {
                let ids = existing["operationId"].as_str().unwrap_or_default().to_string();
                existing["operationId"] = json!(format!("{ids}Or{}", op["operationId"].as_str().unwrap_or_default()));
                let schemas = existing["requestBody"]["content"]["application/json"]["schema"].clone();
                let mine = op["requestBody"]["content"]["application/json"]["schema"].clone();
                let merged = match schemas.get("oneOf") {
                    Some(Value::Array(list)) => {
                        let mut l = list.clone();
                        l.push(mine);
                        json!({"oneOf": l})
                    }
                    _ => json!({"oneOf": [schemas, mine]}),
                };
                existing["requestBody"]["content"]["application/json"]["schema"] = merged;
            }
            None => {
                entry[key] = Value::Object(op);
            }
        }
    }
    json!({"openapi": "3.0.3", "info": {"title": "zstack-rs management node", "version": env!("CARGO_PKG_VERSION")}, "paths": paths,
        "components": {"securitySchemes": {"OAuth": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "OAuth <session uuid>"}}}})
}
