//! Async API jobs (ZStack's AsyncRestVO): created before the 202 goes out,
//! answered from memory while the node runs, and persisted so a restarted
//! node still answers for them. A job that was running when the node died
//! ends as failed at the next start: every job ends.

use crate::store::{str_of, Inventory, Store};
use crate::tables;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use zstack_db::query::QueryOptions;
use zstack_db::time::{now_ms, to_wire};
use zstack_kit::{ApiError, ApiResult};

#[derive(Debug, Clone)]
pub enum JobState {
    Processing,
    Done(Value),
    Failed(ApiError),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub api: String,
    pub state: JobState,
}

#[derive(Clone)]
pub struct Jobs {
    store: Store,
    live: Arc<Mutex<HashMap<String, Job>>>,
}

/// How many jobs stay in memory (ZStack keeps 2,000 results); older finished
/// ones are answered from the database.
const MEMORY_LIMIT: usize = 2_000;

impl Jobs {
    pub fn new(store: Store) -> Self {
        Jobs { store, live: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn row(uuid: &str, api: &str, state: &str, status: i64, body: Value) -> Inventory {
        let now = to_wire(now_ms());
        let v = json!({"uuid": uuid, "apiName": api, "state": state, "httpStatus": status, "result": body, "createDate": now, "lastOpDate": now});
        v.as_object().cloned().unwrap_or_default()
    }

    /// Register a job; fails if the uuid was used before (X-Job-UUID replay).
    /// `target` is the uuid a create API will give its resource, so a
    /// restarted node can tell whether the job had in fact succeeded.
    pub async fn job_create(&self, uuid: &str, api: &str, target: Option<&str>, client_chosen: bool) -> ApiResult<()> {
        {
            let mut live = self.live.lock();
            if live.contains_key(uuid) {
                return Err(ApiError::transport(400, format!("duplicate job uuid[{uuid}]")));
            }
            live.insert(uuid.to_string(), Job { api: api.to_string(), state: JobState::Processing });
        }
        // Only a client-chosen uuid can repeat one the database already holds.
        if client_chosen && self.store.inv_exists(&tables::ASYNC_JOB, uuid).await? {
            return Err(ApiError::transport(400, format!("duplicate job uuid[{uuid}]")));
        }
        let mut row = Self::row(uuid, api, "processing", 202, json!({}));
        if let Some(t) = target {
            row.insert("targetResourceUuid".into(), json!(t));
        }
        let result = self.store.inv_insert(&tables::ASYNC_JOB, &row).await;
        if result.is_err() {
            self.live.lock().remove(uuid);
        }
        result
    }

    /// Record a job's outcome: durable first, then visible to polling, so a
    /// client never sees a result that a crash could take back.
    pub async fn job_finish(&self, uuid: &str, outcome: Result<Value, ApiError>) -> ApiResult<()> {
        let (state, status, body) = match &outcome {
            Ok(v) => ("done", 200, v.clone()),
            Err(e) => ("failed", 503, json!({ "error": e })),
        };
        let api = self.live.lock().get(uuid).map(|j| j.api.clone()).unwrap_or_default();
        let written = self.store.inv_update(&tables::ASYNC_JOB, &Self::row(uuid, &api, state, status, body)).await;
        let mut live = self.live.lock();
        if live.len() > MEMORY_LIMIT {
            live.retain(|_, j| matches!(j.state, JobState::Processing));
        }
        live.insert(
            uuid.to_string(),
            Job {
                api,
                state: match outcome {
                    Ok(v) => JobState::Done(v),
                    Err(e) => JobState::Failed(e),
                },
            },
        );
        written
    }

    pub async fn job_get(&self, uuid: &str) -> ApiResult<Option<Job>> {
        if let Some(j) = self.live.lock().get(uuid) {
            return Ok(Some(j.clone()));
        }
        let Some(row) = self.store.inv_get(&tables::ASYNC_JOB, uuid).await? else { return Ok(None) };
        let api = str_of(&row, "apiName").unwrap_or_default().to_string();
        let result = row.get("result").cloned().unwrap_or(json!({}));
        let state = match str_of(&row, "state") {
            Some("done") => JobState::Done(result),
            Some("failed") => {
                let e = result.get("error").cloned().unwrap_or(Value::Null);
                JobState::Failed(error_from_json(&e))
            }
            _ => JobState::Processing,
        };
        Ok(Some(Job { api, state }))
    }

    /// Jobs a previous run left processing: (job uuid, API message, target resource uuid).
    pub async fn job_unfinished(&self) -> ApiResult<Vec<(String, String, Option<String>)>> {
        let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
        let stale = self.store.inv_query(&tables::ASYNC_JOB, &[crate::store::eq("state", "processing")], &opts).await?;
        let jobs: Vec<(String, String, Option<String>)> = stale
            .into_iter()
            .map(|r| {
                let s = |k: &str| str_of(&r, k).map(String::from);
                (s("uuid").unwrap_or_default(), s("apiName").unwrap_or_default(), s("targetResourceUuid"))
            })
            .collect();
        let mut live = self.live.lock();
        for (uuid, api, _) in &jobs {
            live.insert(uuid.clone(), Job { api: api.clone(), state: JobState::Processing });
        }
        Ok(jobs)
    }

}

fn error_from_json(v: &Value) -> ApiError {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let mut e = ApiError::internal(s("details"));
    e.code = s("code");
    e.description = s("description");
    if let Some(c) = v.get("cause").filter(|c| c.is_object()) {
        e.cause = Some(Box::new(error_from_json(c)));
    }
    e.location = v.get("location").and_then(|l| l.as_str()).map(String::from);
    e
}
