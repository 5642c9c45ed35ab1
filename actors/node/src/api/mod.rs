//! The API framework: API definitions (one row per ZStack API message: verb,
//! path, body key, sync/async, parameters, handler), request binding and
//! validation, and the reply envelopes. `http` serves them on ZStack's REST
//! paths and on the legacy RPC endpoint; `jobs` keeps async API results.

pub mod http;
pub mod jobs;
pub mod openapi;
pub mod routes;

use crate::app::App;
use crate::identity::Session;
use futures::future::LocalBoxFuture;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;
use zstack_db::query::{Condition, QueryOptions};
use zstack_kit::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PType {
    Str,
    Int,
    Bool,
    Float,
    List,
    Any,
}

#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: PType,
    pub required: bool,
}

pub type Handler = fn(App, Req) -> LocalBoxFuture<'static, ApiResult<Reply>>;

pub struct ApiDef {
    /// The message class simple name, e.g. `APICreateZoneMsg`.
    pub msg: &'static str,
    /// The fully qualified class name used by the legacy endpoint.
    pub fqcn: &'static str,
    pub verb: Verb,
    /// Path under `/zstack`, with `{var}` placeholders.
    pub path: &'static str,
    /// `params` for POST, the action name for PUT, empty for GET/DELETE.
    pub key: &'static str,
    pub is_async: bool,
    /// Parameters as `name*:type` words (`*` = required; types s, i, b, f, l, any).
    pub params: &'static str,
    pub needs_session: bool,
    pub handler: Handler,
}

impl ApiDef {
    /// The parameters, parsed once per distinct `params` text.
    pub fn param_specs(&self) -> &'static [ParamSpec] {
        static SPECS: OnceLock<HashMap<&'static str, Vec<ParamSpec>>> = OnceLock::new();
        let specs = SPECS.get_or_init(|| defs().iter().map(|d| (d.params, parse_params(d.params))).collect());
        specs.get(self.params).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn is_query(&self) -> bool {
        self.msg.starts_with("APIQuery")
    }

    /// `API<X>Msg` -> `API<X>Reply` / `API<X>Event` in the same package (legacy endpoint).
    pub fn result_class(&self) -> String {
        if self.msg == "APILogInByAccountMsg" || self.msg == "APILogInByUserMsg" {
            return self.fqcn.rsplit_once('.').map(|(p, _)| format!("{p}.APILogInReply")).unwrap_or_default();
        }
        let suffix = if self.is_async { "Event" } else { "Reply" };
        format!("{}{suffix}", self.fqcn.trim_end_matches("Msg"))
    }
}

/// A bound request: parameters from the body, URL path and query string.
pub struct Req {
    pub params: Map<String, Value>,
    pub system_tags: Vec<String>,
    pub user_tags: Vec<String>,
    pub session: Option<Session>,
    pub query: QueryRequest,
    pub api: &'static ApiDef,
}

#[derive(Default, Debug, Clone)]
pub struct QueryRequest {
    pub conditions: Vec<Condition>,
    pub options: QueryOptions,
    pub count: bool,
    pub reply_with_count: bool,
    pub fields: Vec<String>,
}

/// What an API answers; the envelope is chosen by the HTTP layer.
pub enum Reply {
    /// `{"inventory": ...}`
    Inventory(Value),
    /// `{"inventories": [...], "total"?: n, "schema": {...}}`
    Inventories { items: Vec<Value>, total: Option<i64>, class: &'static str },
    /// `{}`
    Empty,
    /// The fields as they are (`fieldsTo={"all"}` replies).
    Fields(Map<String, Value>),
    /// A query with `count=true`: `{"total": n, "schema": {}}`.
    Count(i64),
}

impl Reply {
    /// The REST body of a successful reply.
    pub fn into_body(self) -> Value {
        match self {
            Reply::Inventory(v) => json!({ "inventory": v }),
            Reply::Empty => json!({}),
            Reply::Fields(m) => Value::Object(m),
            Reply::Count(n) => json!({ "total": n, "schema": {} }),
            Reply::Inventories { items, total, class } => {
                let mut body = Map::new();
                let mut schema = Map::new();
                for (i, item) in items.iter().enumerate() {
                    schema.insert(format!("inventories[{i}]"), Value::String(class.to_string()));
                    nested_schema(&mut schema, &format!("inventories[{i}]"), item);
                }
                body.insert("inventories".into(), Value::Array(items));
                if let Some(t) = total {
                    body.insert("total".into(), json!(t));
                }
                body.insert("schema".into(), Value::Object(schema));
                Value::Object(body)
            }
        }
    }
}

/// Java class names of the nested inventories ZStack's schema map lists.
fn nested_schema(schema: &mut Map<String, Value>, prefix: &str, item: &Value) {
    const NESTED: &[(&str, &str)] = &[
        ("vmNics", "org.zstack.header.vm.VmNicInventory"),
        ("allVolumes", "org.zstack.header.volume.VolumeInventory"),
        ("ipRanges", "org.zstack.header.network.l3.IpRangeInventory"),
        ("networkServices", "org.zstack.header.network.service.NetworkServiceL3NetworkRefInventory"),
        ("backupStorageRefs", "org.zstack.header.image.ImageBackupStorageRefInventory"),
    ];
    for (field, class) in NESTED {
        if let Some(Value::Array(list)) = item.get(*field) {
            for j in 0..list.len() {
                schema.insert(format!("{prefix}.{field}[{j}]"), Value::String(class.to_string()));
            }
        }
    }
}

/// Check parameter types (ZStack's TypeVerifier: a wrong type is a plain-text
/// 400 before the API runs) and convert query-string strings to their types.
pub fn bind_params(api: &ApiDef, params: &mut Map<String, Value>, from_query_string: bool) -> ApiResult<()> {
    for spec in api.param_specs() {
        let Some(v) = params.get_mut(spec.name) else { continue };
        if v.is_null() {
            continue;
        }
        let shown = v.to_string();
        let bad = |want: &str| ApiError::transport(400, format!("Invalid value for the field[{}]: {} expected, got {}", spec.name, want, shown));
        match spec.ty {
            PType::Str => {
                if !v.is_string() {
                    return Err(bad("a string"));
                }
            }
            PType::Int => match v {
                Value::Number(n) if n.is_i64() || n.is_u64() => {}
                Value::String(s) if from_query_string => *v = json!(s.parse::<i64>().map_err(|_| bad("an integer"))?),
                _ => return Err(bad("an integer")),
            },
            PType::Float => match v {
                Value::Number(_) => {}
                Value::String(s) if from_query_string => *v = json!(s.parse::<f64>().map_err(|_| bad("a number"))?),
                _ => return Err(bad("a number")),
            },
            PType::Bool => match v {
                Value::Bool(_) => {}
                Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                    *v = json!(s.eq_ignore_ascii_case("true"))
                }
                _ => return Err(bad("true or false")),
            },
            PType::List => match v {
                Value::Array(items) if items.iter().all(|i| i.is_string()) => {}
                Value::String(s) if from_query_string => *v = json!(s.split(',').collect::<Vec<_>>()),
                _ => return Err(bad("a list of strings")),
            },
            PType::Any => {}
        }
    }
    Ok(())
}

/// Required parameters present (ZStack's API mediator: SYS.1007 naming the field).
pub fn check_required(api: &ApiDef, params: &Map<String, Value>) -> ApiResult<()> {
    for spec in api.param_specs() {
        let missing = match params.get(spec.name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if spec.required && missing {
            return Err(ApiError::invalid_argument(format!("field[{}] of message[{}] is mandatory, can not be null", spec.name, api.msg)));
        }
    }
    Ok(())
}

fn parse_params(params: &'static str) -> Vec<ParamSpec> {
    params
        .split_whitespace()
        .map(|w| {
            let (name, ty) = w.split_once(':').unwrap_or((w, "s"));
            let required = name.ends_with('*');
            let name = name.trim_end_matches('*');
            let ty = match ty {
                "i" => PType::Int,
                "b" => PType::Bool,
                "f" => PType::Float,
                "l" => PType::List,
                "any" => PType::Any,
                _ => PType::Str,
            };
            ParamSpec { name, ty, required }
        })
        .collect()
}

/// All API definitions, indexed once.
pub fn defs() -> &'static [ApiDef] {
    static DEFS: OnceLock<Vec<ApiDef>> = OnceLock::new();
    DEFS.get_or_init(routes::all)
}

/// The path segments of every definition, split once, in the order of `defs()`.
pub fn def_segments() -> &'static [Vec<&'static str>] {
    static SEGMENTS: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    SEGMENTS.get_or_init(|| defs().iter().map(|d| d.path.trim_matches('/').split('/').collect()).collect())
}

impl Req {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(|v| v.as_str())
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.str(name).map(String::from)
    }

    /// A required string: bound and checked before the handler runs.
    pub fn must(&self, name: &str) -> ApiResult<String> {
        self.string(name).ok_or_else(|| ApiError::invalid_argument(format!("field[{name}] of message[{}] is mandatory, can not be null", self.api.msg)))
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.params.get(name).and_then(|v| v.as_i64())
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.params.get(name).and_then(|v| v.as_bool())
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        self.params
            .get(name)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    /// The client-chosen uuid of a create API, checked like ZStack does.
    pub fn resource_uuid(&self) -> ApiResult<String> {
        match self.str("resourceUuid") {
            None => Ok(new_uuid()),
            Some(u) if u.len() == 32 && u.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(u.to_ascii_lowercase()),
            Some(u) => Err(ApiError::invalid_argument(format!("resourceUuid[{u}] is not a valid uuid (32 hex characters, no dashes)"))),
        }
    }
}

pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
