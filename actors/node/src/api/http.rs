//! HTTP entry points, kept thin: match the request to an API definition, bind
//! and check its parameters, run it (sync) or start a job (async), and write
//! ZStack's envelope. Three doors lead to the same handlers: the REST API
//! (`/zstack/v1/**`), the legacy RPC endpoint (`POST /zstack/api`) and job
//! polling for both.

use super::jobs::JobState;
use super::{bind_params, check_required, def_segments, defs, ApiDef, QueryRequest, Reply, Req, Verb};
use crate::app::App;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
use zstack_db::query::{legacy_condition, parse_rest_condition};
use zstack_kit::error::{codes, Delivery};
use zstack_kit::{ApiError, ApiResult};

/// Largest request body accepted.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// What the 202 tells clients about the API timeout (ms): ZStack's default for long APIs.
const API_TIMEOUT_MS: u64 = 43_200_000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY))
        .route("/zstack/v1/api-jobs/{uuid}", web::get().to(poll_job))
        .route("/zstack/v1/{tail:.*}", web::route().to(rest))
        .route("/zstack/api", web::post().to(legacy))
        .route("/zstack/api/", web::post().to(legacy))
        .route("/zstack/api/result/{uuid}", web::get().to(legacy_result))
        .route("/zstack/simulator/faults", web::route().to(crate::simulator::http_faults))
        .route("/zstack/imagestore/{key}/{bs}/{file}", web::get().to(crate::kvm::image_store::serve))
        .route("/zstack/console/websockify", web::get().to(crate::kvm::console::websockify))
        .default_service(web::route().to(|req: HttpRequest| async move {
            plain(StatusCode::NOT_FOUND, &format!("no api mapping to {}", req.path()))
        }));
}

fn plain(status: StatusCode, text: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(text.to_string())
}

fn json_reply(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json; charset=utf-8").body(body.to_string())
}

/// The one mapping of errors to the wire.
pub fn error_response(e: &ApiError) -> HttpResponse {
    match e.delivery {
        Delivery::Transport(status) => plain(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), &e.details),
        Delivery::Operation => json_reply(StatusCode::SERVICE_UNAVAILABLE, &json!({ "error": e })),
    }
}

fn matches(p: &[&str], s: &[&str]) -> Option<Vec<(String, String)>> {
    if p.len() != s.len() {
        return None;
    }
    let mut vars = Vec::new();
    for (a, b) in p.iter().zip(s) {
        // A variable may follow a literal prefix in one segment, as in ZStack's
        // `/hybrid/aliyun/access-point{dataCenterUuid}/remote`.
        if let Some((prefix, var)) = a.strip_suffix('}').and_then(|a| a.split_once('{')) {
            match b.strip_prefix(prefix) {
                Some(value) if !value.is_empty() => vars.push((var.to_string(), value.to_string())),
                _ => return None,
            }
        } else if a != b {
            return None;
        }
    }
    Some(vars)
}

fn verb_of(req: &HttpRequest) -> Option<Verb> {
    match req.method().as_str() {
        "GET" => Some(Verb::Get),
        "POST" => Some(Verb::Post),
        "PUT" => Some(Verb::Put),
        "DELETE" => Some(Verb::Delete),
        _ => None,
    }
}

/// Pick the API for a path and verb the way ZStack's RestServer does.
fn route(path: &str, verb: Option<Verb>, body: &Map<String, Value>) -> ApiResult<(&'static ApiDef, Vec<(String, String)>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let candidates: Vec<(&'static ApiDef, Vec<(String, String)>)> =
        defs().iter().zip(def_segments()).filter_map(|(d, p)| matches(p, &segments).map(|v| (d, v))).collect();
    if candidates.is_empty() {
        return Err(ApiError::transport(404, format!("no api mapping to {path}")));
    }
    let Some(verb) = verb else { return Err(ApiError::transport(405, format!("method not allowed on {path}"))) };
    let same_verb: Vec<_> = candidates.into_iter().filter(|(d, _)| d.verb == verb).collect();
    if same_verb.is_empty() {
        return Err(ApiError::transport(405, format!("{} is not allowed on {path}", verb.name())));
    }
    if verb == Verb::Put {
        return same_verb.into_iter().find(|(d, _)| body.contains_key(d.key)).ok_or_else(|| {
            ApiError::transport(400, format!("the body doesn't contain action mapping fields for {path}"))
        });
    }
    // A literal segment beats a variable one (`/hosts/kvm` over `/hosts/{uuid}`).
    Ok(same_verb.into_iter().max_by_key(|(_, vars)| std::cmp::Reverse(vars.len())).unwrap())
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()).unwrap_or_default()
}

pub(crate) fn parse_query_request(pairs: &[(String, String)]) -> ApiResult<QueryRequest> {
    let mut q = QueryRequest::default();
    for (k, v) in pairs {
        let bad_int = || ApiError::transport(400, format!("Invalid value for the field[{k}]: an integer expected, got {v}"));
        match k.as_str() {
            "q" => q.conditions.push(parse_rest_condition(v)?),
            "limit" => q.options.limit = Some(v.parse().map_err(|_| bad_int())?),
            "start" => q.options.start = Some(v.parse().map_err(|_| bad_int())?),
            "count" => q.count = v.eq_ignore_ascii_case("true"),
            "replyWithCount" => q.reply_with_count = v.eq_ignore_ascii_case("true"),
            "sort" => {
                let (field, asc) = match v.strip_prefix('-') {
                    Some(f) => (f, false),
                    None => (v.strip_prefix('+').unwrap_or(v), true),
                };
                q.options.sort = Some((field.to_string(), asc));
            }
            "fields" => q.fields = v.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
            _ => {}
        }
    }
    Ok(q)
}

/// GET/DELETE parameters: `k=v`, repeated keys and `k.0=a&k.1=b` become lists.
fn query_params(pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut indexed: Vec<(String, usize, String)> = Vec::new();
    for (k, v) in pairs {
        if let Some((base, idx)) = k.rsplit_once('.').and_then(|(b, i)| i.parse::<usize>().ok().map(|i| (b, i))) {
            indexed.push((base.to_string(), idx, v.clone()));
            continue;
        }
        match out.get_mut(k) {
            Some(Value::Array(a)) => a.push(Value::String(v.clone())),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(v.clone())]);
            }
            None => {
                out.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    indexed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (base, _, v) in indexed {
        let entry = out.entry(base).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(a) = entry {
            a.push(Value::String(v));
        }
    }
    out
}

fn parse_body(body: &[u8]) -> ApiResult<Map<String, Value>> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::transport(400, "the request body must be a JSON object")),
        Err(e) => Err(ApiError::transport(400, format!("the request body is not valid JSON: {e}"))),
    }
}

fn tags(body: &Map<String, Value>, key: &str) -> ApiResult<Vec<String>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|t| t.as_str().map(String::from).ok_or_else(|| ApiError::transport(400, format!("{key} must be a list of strings"))))
            .collect(),
        Some(_) => Err(ApiError::transport(400, format!("{key} must be a list of strings"))),
    }
}

async fn rest(app: web::Data<App>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    match rest_inner(app.get_ref().clone(), &req, &body).await {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    }
}

async fn rest_inner(app: App, req: &HttpRequest, raw: &[u8]) -> ApiResult<HttpResponse> {
    let path = req.path().strip_prefix("/zstack").unwrap_or(req.path());
    let verb = verb_of(req);
    let body = match verb {
        Some(Verb::Post) | Some(Verb::Put) => parse_body(raw)?,
        _ => Map::new(),
    };
    let (api, vars) = route(path, verb, &body)?;
    let pairs = query_pairs(req);
    let from_query_string = matches!(api.verb, Verb::Get | Verb::Delete);
    let (mut params, system_tags, user_tags) = if from_query_string {
        (query_params(&pairs), vec![], vec![])
    } else {
        let inner = match body.get(api.key) {
            Some(Value::Object(m)) => m.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ApiError::transport(400, format!("the body field [{}] must be a JSON object", api.key))),
        };
        (inner, tags(&body, "systemTags")?, tags(&body, "userTags")?)
    };
    for (k, v) in vars {
        params.insert(k, Value::String(v));
    }
    bind_params(api, &mut params, from_query_string)?;
    let query = if api.is_query() { parse_query_request(&pairs)? } else { QueryRequest::default() };
    let session_uuid = if api.needs_session {
        let header = req.headers().get("Authorization").and_then(|h| h.to_str().ok());
        let Some(header) = header else { return Err(ApiError::transport(400, "missing header 'Authorization'")) };
        let Some(s) = header.strip_prefix("OAuth") else {
            return Err(ApiError::transport(400, format!("Authorization type must be 'OAuth', got [{header}]")));
        };
        Some(s.trim().to_string())
    } else {
        None
    };
    let job_uuid = req.headers().get("X-Job-UUID").and_then(|h| h.to_str().ok()).map(String::from);
    let bound = Bound { api, params, system_tags, user_tags, query, session_uuid };
    if !api.is_async {
        return Ok(match bound.run(app).await {
            Ok(reply) => json_reply(StatusCode::OK, &reply.into_body()),
            Err(e) => error_response(&e),
        });
    }
    let client_chosen = job_uuid.is_some();
    let job = match job_uuid {
        Some(j) if j.len() != 32 => return Err(ApiError::transport(400, format!("X-Job-UUID must be 32 characters, got [{j}]"))),
        Some(j) => j,
        None => super::new_uuid(),
    };
    start_job(app.clone(), &job, client_chosen, bound).await?;
    let host = req.connection_info().host().to_string();
    let scheme = req.connection_info().scheme().to_string();
    let location = format!("{scheme}://{host}/zstack/v1/api-jobs/{job}");
    Ok(json_reply(StatusCode::ACCEPTED, &json!({ "location": location, "apiTimeout": API_TIMEOUT_MS })))
}

/// A request bound to an API, ready to run.
struct Bound {
    api: &'static ApiDef,
    params: Map<String, Value>,
    system_tags: Vec<String>,
    user_tags: Vec<String>,
    query: QueryRequest,
    session_uuid: Option<String>,
}

impl Bound {
    async fn run(self, app: App) -> ApiResult<Reply> {
        let session = match &self.session_uuid {
            Some(s) => Some(app.identity.session_check(s).await?),
            None => None,
        };
        check_required(self.api, &self.params)?;
        let req = Req {
            params: self.params,
            system_tags: self.system_tags,
            user_tags: self.user_tags,
            session,
            query: self.query,
            api: self.api,
        };
        (self.api.handler)(app, req).await
    }
}

async fn start_job(app: App, job: &str, client_chosen: bool, mut bound: Bound) -> ApiResult<()> {
    // A create API's resource uuid is fixed before the job starts and kept
    // with it: after a crash, the job's outcome is whether the resource exists.
    let mut target = None;
    if bound.api.param_specs().iter().any(|p| p.name == "resourceUuid") {
        let uuid = match bound.params.get("resourceUuid").and_then(|v| v.as_str()) {
            Some(u) => u.to_string(),
            None => super::new_uuid(),
        };
        bound.params.insert("resourceUuid".into(), Value::String(uuid.clone()));
        target = Some(uuid);
    }
    app.jobs.job_create(job, bound.api.msg, target.as_deref(), client_chosen).await?;
    let job = job.to_string();
    actix_web::rt::spawn(async move {
        let outcome = bound.run(app.clone()).await.map(Reply::into_body);
        if let Err(e) = app.jobs.job_finish(&job, outcome).await {
            log::error!("cannot record the result of job {job}: {e}");
        }
    });
    Ok(())
}

async fn poll_job(app: web::Data<App>, path: web::Path<String>) -> HttpResponse {
    match app.jobs.job_get(&path).await {
        Ok(Some(job)) => match job.state {
            JobState::Processing => json_reply(StatusCode::ACCEPTED, &json!({})),
            JobState::Done(body) => json_reply(StatusCode::OK, &body),
            JobState::Failed(e) => json_reply(StatusCode::SERVICE_UNAVAILABLE, &json!({ "error": e })),
        },
        Ok(None) => plain(StatusCode::NOT_FOUND, "the job has been expired"),
        Err(e) => error_response(&e),
    }
}

// ---- the legacy RPC endpoint ----

fn legacy_done(class: &str, outcome: Result<Value, ApiError>) -> Value {
    let inner = match outcome {
        Ok(Value::Object(mut m)) => {
            m.remove("schema");
            m.insert("success".into(), json!(true));
            Value::Object(m)
        }
        Ok(other) => json!({ "success": true, "value": other }),
        Err(e) => json!({ "success": false, "error": e }),
    };
    let mut doc = Map::new();
    doc.insert(class.to_string(), inner);
    Value::Object(doc)
}

async fn legacy(app: web::Data<App>, body: web::Bytes) -> HttpResponse {
    let app = app.get_ref().clone();
    let doc = match parse_body(&body) {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let Some((fqcn, msg)) = doc.into_iter().next() else {
        return plain(StatusCode::BAD_REQUEST, "the body must hold one API message keyed by its class name");
    };
    let Some(api) = defs().iter().find(|d| d.fqcn == fqcn) else {
        let e = ApiError::new(codes::UNKNOWN_MESSAGE, format!("no API message named [{fqcn}]"));
        return json_reply(StatusCode::OK, &json!({"state": "Done", "result": legacy_done("org.zstack.header.message.APIReply", Err(e)).to_string()}));
    };
    let Value::Object(mut params) = msg else {
        return plain(StatusCode::BAD_REQUEST, &format!("the message [{fqcn}] must be a JSON object"));
    };
    let session_uuid = params.remove("session").and_then(|s| s.get("uuid").and_then(|u| u.as_str()).map(String::from));
    let system_tags = params.remove("systemTags").and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let user_tags = params.remove("userTags").and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let prepared = (|| -> ApiResult<QueryRequest> {
        bind_params(api, &mut params, false)?;
        if !api.is_query() {
            return Ok(QueryRequest::default());
        }
        let mut q = QueryRequest::default();
        for c in params.get("conditions").and_then(|c| c.as_array()).cloned().unwrap_or_default() {
            let name = c.get("name").and_then(|v| v.as_str()).unwrap_or_default();
            let op = c.get("op").and_then(|v| v.as_str()).unwrap_or_default();
            let value = c.get("value").map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string()));
            q.conditions.push(legacy_condition(name, op, value)?);
        }
        q.options.limit = params.get("limit").and_then(|v| v.as_u64());
        q.options.start = params.get("start").and_then(|v| v.as_u64());
        q.count = params.get("count").and_then(|v| v.as_bool()).unwrap_or(false);
        q.reply_with_count = params.get("replyWithCount").and_then(|v| v.as_bool()).unwrap_or(false);
        if let Some(field) = params.get("sortBy").and_then(|v| v.as_str()) {
            let asc = params.get("sortDirection").and_then(|v| v.as_str()) != Some("desc");
            q.options.sort = Some((field.to_string(), asc));
        }
        q.fields = params.get("fields").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
        Ok(q)
    })();
    let query = match prepared {
        Ok(q) => q,
        Err(e) if matches!(e.delivery, Delivery::Transport(_)) => return error_response(&e),
        Err(e) => return json_reply(StatusCode::OK, &json!({"state": "Done", "result": legacy_done(&api.result_class(), Err(e)).to_string()})),
    };
    let session_uuid = if api.needs_session { Some(session_uuid.unwrap_or_default()) } else { None };
    let bound = Bound { api, params, system_tags, user_tags, query, session_uuid };
    if !api.is_async {
        let outcome = bound.run(app).await.map(Reply::into_body);
        return json_reply(StatusCode::OK, &json!({"state": "Done", "result": legacy_done(&api.result_class(), outcome).to_string()}));
    }
    let job = super::new_uuid();
    if let Err(e) = start_job(app, &job, false, bound).await {
        return error_response(&e);
    }
    json_reply(StatusCode::OK, &json!({"uuid": job, "state": "Processing"}))
}

async fn legacy_result(app: web::Data<App>, path: web::Path<String>) -> HttpResponse {
    let uuid = path.into_inner();
    match app.jobs.job_get(&uuid).await {
        Ok(Some(job)) => {
            let class = defs().iter().find(|d| d.msg == job.api).map(|d| d.result_class()).unwrap_or_default();
            match job.state {
                JobState::Processing => json_reply(StatusCode::OK, &json!({"uuid": uuid, "state": "Processing"})),
                JobState::Done(body) => {
                    json_reply(StatusCode::OK, &json!({"uuid": uuid, "state": "Done", "result": legacy_done(&class, Ok(body)).to_string()}))
                }
                JobState::Failed(e) => {
                    json_reply(StatusCode::OK, &json!({"uuid": uuid, "state": "Done", "result": legacy_done(&class, Err(e)).to_string()}))
                }
            }
        }
        Ok(None) => plain(StatusCode::NOT_FOUND, "the job has been expired"),
        Err(e) => error_response(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_and_repeated_query_parameters_become_lists() {
        let pairs = vec![
            ("k.1".to_string(), "b".to_string()),
            ("k.0".to_string(), "a".to_string()),
            ("r".to_string(), "x".to_string()),
            ("r".to_string(), "y".to_string()),
            ("s".to_string(), "z".to_string()),
        ];
        let m = query_params(&pairs);
        assert_eq!(m["k"], json!(["a", "b"]));
        assert_eq!(m["r"], json!(["x", "y"]));
        assert_eq!(m["s"], json!("z"));
    }

    #[test]
    fn path_patterns_bind_variables() {
        let seg = |s: &'static str| s.trim_matches('/').split('/').collect::<Vec<_>>();
        assert_eq!(matches(&seg("/v1/zones/{uuid}"), &seg("/v1/zones/abc")), Some(vec![("uuid".into(), "abc".into())]));
        assert_eq!(matches(&seg("/v1/zones/{uuid}"), &["v1", "zones", ""]), None);
        assert_eq!(matches(&seg("/v1/zones"), &seg("/v1/zones/x")), None);
    }
}
