//! Long jobs (ZStack's LongJobVO): an API message submitted by name with its
//! parameters as JSON, run in the background and tracked as a resource with
//! states Waiting → Running → Succeeded | Failed (or Canceled while still
//! waiting). Jobs cut short by a node restart end as Failed at the next start.

use super::new_inv;
use crate::api::{bind_params, check_required, defs, Reply, Req};
use crate::app::App;
use crate::store::{eq, str_of, Inventory};
use crate::tables;
use serde_json::{json, Map, Value};
use zstack_db::query::QueryOptions;
use zstack_db::time::{now_ms, to_wire};
use zstack_kit::{ApiError, ApiResult};

/// The async API a job name names: the message's short or Java class name.
fn job_api(name: &str) -> ApiResult<&'static crate::api::ApiDef> {
    defs()
        .iter()
        .find(|d| d.is_async && (d.msg == name || d.fqcn == name) && d.msg != "APISubmitLongJobMsg")
        .ok_or_else(|| ApiError::invalid_argument(format!("jobName[{name}] is not an asynchronous API message this node serves")))
}

pub async fn long_job_submit(app: App, req: Req) -> ApiResult<Reply> {
    let job_name = req.must("jobName")?;
    let api = job_api(&job_name)?;
    let data = req.must("jobData")?;
    let mut params: Map<String, Value> = match serde_json::from_str::<Value>(&data) {
        Ok(Value::Object(m)) => m,
        _ => return Err(ApiError::invalid_argument(format!("jobData of job[{job_name}] must be a JSON object of the message's fields"))),
    };
    // Bad parameters fail the submission, not the job.
    bind_params(api, &mut params, false).map_err(|e| ApiError::invalid_argument(format!("jobData: {}", e.details)))?;
    check_required(api, &params)?;
    let uuid = req.resource_uuid()?;
    let row = new_inv(json!({"uuid": uuid, "name": req.str("name").unwrap_or(&job_name), "description": req.str("description"),
        "apiId": crate::api::new_uuid(), "jobName": job_name, "jobData": data, "state": "Waiting", "targetResourceUuid": req.str("targetResourceUuid"),
        "managementNodeUuid": app.node_uuid()}));
    app.store.inv_insert(&tables::LONG_JOB, &row).await?;
    let inner = Req { params, system_tags: Vec::new(), user_tags: Vec::new(), session: req.session.clone(), query: Default::default(), api };
    let (a, u) = (app.clone(), uuid.clone());
    actix_web::rt::spawn(async move {
        if let Err(e) = run(&a, &u, inner).await {
            log::error!("long job {u} could not record its outcome: {e}");
        }
    });
    Ok(Reply::Inventory(Value::Object(row)))
}

async fn set_state(app: &App, job: &mut Inventory, state: &str) -> ApiResult<()> {
    job.insert("state".into(), json!(state));
    job.insert("lastOpDate".into(), json!(to_wire(now_ms())));
    app.store.inv_update(&tables::LONG_JOB, job).await
}

async fn run(app: &App, uuid: &str, req: Req) -> ApiResult<()> {
    let mut job = app.store.inv_must(&tables::LONG_JOB, uuid).await?;
    if str_of(&job, "state") != Some("Waiting") {
        return Ok(()); // canceled before it started
    }
    set_state(app, &mut job, "Running").await?;
    let started = now_ms();
    let outcome = (req.api.handler)(app.clone(), req).await;
    job.insert("executeTime".into(), json!((now_ms() - started) / 1000));
    let state = match outcome {
        Ok(reply) => {
            job.insert("jobResult".into(), json!(reply.into_body().to_string()));
            "Succeeded"
        }
        Err(e) => {
            job.insert("jobResult".into(), json!(json!({ "error": e }).to_string()));
            "Failed"
        }
    };
    set_state(app, &mut job, state).await
}

pub async fn long_job_cancel(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let mut job = app.store.inv_must(&tables::LONG_JOB, &uuid).await?;
    match str_of(&job, "state") {
        Some("Waiting") => set_state(&app, &mut job, "Canceled").await?,
        Some("Running") => {
            let name = str_of(&job, "jobName").unwrap_or_default();
            return Err(ApiError::operation(format!("long job[uuid:{uuid}] is running {name}, which cannot be interrupted; wait for it to end")));
        }
        Some(s) => return Err(ApiError::operation(format!("long job[uuid:{uuid}] has already ended ({s})"))),
        None => return Err(ApiError::internal(format!("long job[uuid:{uuid}] has no state"))),
    }
    Ok(Reply::Empty)
}

/// At start: jobs a previous run left waiting or running end as Failed.
pub async fn fail_interrupted(app: &App) -> ApiResult<()> {
    let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
    for state in ["Waiting", "Running"] {
        for mut job in app.store.inv_query(&tables::LONG_JOB, &[eq("state", state)], &opts).await? {
            job.insert("jobResult".into(), json!(json!({"error": ApiError::internal("the management node restarted while this job was running")}).to_string()));
            set_state(app, &mut job, "Failed").await?;
        }
    }
    Ok(())
}

/// Progress of an API job or long job by its api id: ZStack reports steps as
/// percentages; this node reports a job as 0% while it runs and 100% once it ended.
pub async fn task_progress(app: App, req: Req) -> ApiResult<Reply> {
    let api_id = req.must("apiId")?;
    let (name, done) = if let Some(job) = app.jobs.job_get(&api_id).await? {
        (job.api, !matches!(job.state, crate::api::jobs::JobState::Processing))
    } else if let Some(job) = app.store.inv_find(&tables::LONG_JOB, "apiId", &api_id).await?.into_iter().next() {
        let name = str_of(&job, "jobName").unwrap_or_default().to_string();
        (name, !matches!(str_of(&job, "state"), Some("Waiting" | "Running")))
    } else {
        return Ok(Reply::Inventories { items: Vec::new(), total: None, class: "org.zstack.header.core.progress.TaskProgressInventory" });
    };
    let item = json!({"taskUuid": api_id, "taskName": name, "type": "Progress", "content": if done { "100" } else { "0" }, "time": now_ms()});
    Ok(Reply::Inventories { items: vec![item], total: None, class: "org.zstack.header.core.progress.TaskProgressInventory" })
}
