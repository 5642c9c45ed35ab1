//! The ECS status poller: every `hybrid.ecs.status.poll.interval` seconds each
//! DataCenter's instances are described from Alibaba Cloud (one paged
//! DescribeInstances per DataCenter) and a changed `ecsStatus` is recorded, so
//! an instance stopped or started outside the node is noticed without a sync.
//! Only the status of instances the node already records is touched: adding
//! or removing records stays with the syncs, so a creation or deletion in
//! flight is never raced by the poller. A DataCenter whose call fails is
//! logged and skipped; the next round tries it again.

use super::client::{remote_of, Remote};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, cascade as hc, tables};
use crate::app::App;
use crate::remote_fields;
use crate::store::str_of;
use std::collections::HashMap;
use zstack_aliyun::ecs::DescribeInstancesRequest;
use zstack_kit::ApiResult;
use zstack_db::query::QueryOptions;

pub fn start(app: App) {
    crate::config::spawn_rounds(app, crate::config::HYBRID_ECS_STATUS_POLL_INTERVAL, |app| async move {
        if let Err(e) = poll_all(&app).await {
            log::warn!("polling ECS statuses: {e}");
        }
    });
}

/// One round over every DataCenter, one after the other (each is one paged call).
async fn poll_all(app: &App) -> ApiResult<()> {
    let opts = QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
    for dc in app.store.inv_query(&tables::DATA_CENTER, &[], &opts).await? {
        let uuid = str_of(&dc, "uuid").unwrap_or_default().to_string();
        let polled = match remote_of(app, &dc).await {
            Ok(remote) => statuses_refresh(app, &remote).await,
            Err(e) => Err(e),
        };
        if let Err(e) = polled {
            log::warn!("polling ECS statuses of DataCenter {uuid}: {e}");
        }
    }
    Ok(())
}

/// Record Alibaba's status of the DataCenter's recorded instances; an
/// unchanged status writes nothing.
pub async fn statuses_refresh(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let instances = remote.client.describe_instances_all(&remote.region, &DescribeInstancesRequest::default()).await.map_err(aliyun_error)?;
    let status: HashMap<String, String> = instances.into_iter().map(|i| (i.instance_id, i.status)).collect();
    let local: Vec<_> = app.store.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", &remote.data_center_uuid).await?
        .into_iter()
        .filter(|l| str_of(l, "ecsInstanceId").is_some_and(|id| status.contains_key(id)))
        .collect();
    let fields = local
        .iter()
        .map(|l| {
            let id = str_of(l, "ecsInstanceId").unwrap_or_default();
            remote_fields!("ecsInstanceId": id, "ecsStatus": status[id])
        })
        .collect();
    reconcile(app, &app.dirs().hybrid.ecs, hc::ECS, "ecsInstanceId", local, fields).await
}
