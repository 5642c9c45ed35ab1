//! Crash recovery of hybrid creations. A create calls Alibaba Cloud first and writes its
//! local record after; a node that dies in between leaves a remote resource it does not
//! know (an ECS instance that keeps running and billing, a VPC, ...).
//!
//! Policy, as ZStack has it: a job the node did not finish failed, and a failed create
//! leaves nothing behind. So at the next start, whatever an unfinished hybrid create made
//! on Alibaba Cloud is deleted and its API job ends failed (SYS.1002) with an error naming
//! what was deleted. That pass talks to Alibaba Cloud (an instance caught mid-start must
//! reach a state it can be deleted in), so it runs in the background once the node
//! listens; the jobs it settles answer 202 until it has.
//! A create whose local record was written before the crash had finished: it is kept and
//! its job succeeds. A create that fails while the node is up undoes what it knows of
//! itself; a resource it never heard of (its answer was lost after the retries) is left
//! for a while, so the same request again (same resourceUuid, so same ClientToken) finds
//! and records it, and undone after `ORPHAN_GRACE` if no such request came.
//!
//! How the resource is found: every create notes itself (`HybridPendingCreateVO`: kind,
//! DataCenter, resource uuid, lookup hints) before its first remote call and drops the
//! note when it has ended. Alibaba Cloud cannot look resources up by ClientToken, so
//! creates tag what they make with `zstack-uuid=<resource uuid>` and recovery filters the
//! Describe actions by that tag (instances, disks, security groups, images, VPCs,
//! vSwitches, EIPs, customer gateways, VPN connections); a route entry is named with the
//! create's ClientToken (DescribeRouteEntryList filters by RouteEntryName); a router
//! interface takes no tags and is found by its router and name among the interfaces the
//! node does not know; an OSS bucket by its name when Alibaba made it after the note; an
//! uploaded image file by its key. A create made of creates (an L3-to-VPC connection:
//! router interfaces and routes, each noted itself) notes the uuids its parts will get,
//! and its undo removes the parts recorded under them (see `connection_flow`); its note
//! is settled after the others, so a part cut before its record (say a route still
//! pointing at an interface) is already gone when the connection's undo deletes the
//! interfaces. A note whose undo fails (Alibaba unreachable, a bucket someone filled
//! meanwhile) is kept and tried again every minute.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::{aliyun_error, client_token, deleted_or_gone, field};
use crate::app::App;
use crate::store::{str_of, Inventory};
use crate::tables;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::future::Future;
use std::time::Duration;
use zstack_aliyun::routing::{DescribeRouterInterfacesResponse, RouteEntrySelector};
use zstack_aliyun::vpc::{DescribeEipAddressesResponse, DescribeVSwitchesResponse, DescribeVpcsResponse};
use zstack_aliyun::vpn::{DescribeCustomerGatewaysResponse, DescribeVpnConnectionsResponse};
use zstack_aliyun::ecs::{DescribeDisksResponse, DescribeImagesResponse, DescribeInstancesResponse, DescribeSecurityGroupsResponse};
use zstack_aliyun::snapshot::DescribeSnapshotsResponse;
use zstack_aliyun::{Params, ECS, ECS_VERSION, VPC, VPC_VERSION};
use zstack_kit::error::codes;
use zstack_kit::{ApiError, ApiResult};

/// The tag key every resource the node creates carries, its value the resource's uuid.
pub const UUID_TAG: &str = "zstack-uuid";

/// How often notes left over are looked at again.
const RETRY_EVERY: Duration = Duration::from_secs(60);
/// How long what a failed create may have left is kept for a retry of the same request.
const ORPHAN_GRACE: Duration = Duration::from_secs(300);

/// The resource uuids of the creates this node runs now (no note of theirs is settled by
/// the retry loop: a request repeated after a failure runs under a second note) and
/// whether the retry loop runs.
#[derive(Default)]
pub struct InFlight {
    uuids: parking_lot::Mutex<HashSet<String>>,
    retrying: AtomicBool,
}

/// How settling one note ended.
enum Settled {
    /// The local record exists: the create had finished; nothing was undone.
    Finished,
    /// What the create had made on Alibaba Cloud, now deleted (one line each).
    Undone(Vec<String>),
    /// Its DataCenter is gone locally: there is no AccessKey and endpoint to undo with.
    Abandoned,
}

/// `Tag.N` for a create: `zstack-uuid=<uuid>`.
pub fn uuid_tags(uuid: &str) -> Vec<(String, String)> {
    vec![(UUID_TAG.to_string(), uuid.to_string())]
}

/// Run a create under a note: written before `create` calls Alibaba Cloud, dropped when
/// it succeeded; when it failed, the note stays for the retry loop (after `ORPHAN_GRACE`).
/// The drop is not waited for: a note whose record exists settles as finished, so one
/// that outlives a crash costs nothing but a look at restart.
pub async fn noted<T>(app: &App, kind: &'static str, uuid: &str, dc: &str, lookup: Value, create: impl Future<Output = ApiResult<T>>) -> ApiResult<T> {
    let note = crate::resources::new_inv(json!({"uuid": crate::api::new_uuid(), "resourceUuid": uuid, "resourceType": kind,
        "dataCenterUuid": dc, "lookup": lookup.to_string()}));
    app.store.inv_insert(&tables::HYBRID_PENDING_CREATE, &note).await?;
    app.hybrid.creates.uuids.lock().insert(uuid.to_string());
    let out = create.await;
    app.hybrid.creates.uuids.lock().remove(uuid);
    match &out {
        Ok(_) => {
            let app = app.clone();
            actix_web::rt::spawn(async move { forget(&app, &note).await });
        }
        Err(_) => keep_retrying(app),
    }
    out
}

async fn forget(app: &App, note: &Inventory) {
    let stmt = app.store.delete_stmt(&tables::HYBRID_PENDING_CREATE, "uuid", &field(note, "uuid"));
    if let Err(e) = app.store.db.write(vec![stmt]).await {
        log::warn!("cannot drop the note of creating {}[uuid:{}]: {e}", field(note, "resourceType"), field(note, "resourceUuid"));
    }
}

/// Undo what one note's create made on Alibaba Cloud, unless its local record exists
/// (that create finished); the note is dropped unless the undo failed.
async fn settle(app: &App, note: &Inventory) -> ApiResult<Settled> {
    let kind = field(note, "resourceType");
    let uuid = field(note, "resourceUuid");
    let dc = field(note, "dataCenterUuid");
    if app.store.inv_exists(hc::spec_of(&kind)?, &uuid).await? {
        forget(app, note).await;
        return Ok(Settled::Finished);
    }
    if !app.store.inv_exists(&tables::DATA_CENTER, &dc).await? {
        log::warn!("{kind}[uuid:{uuid}] was being created in DataCenter[uuid:{dc}], which is no longer known; nothing can be undone there");
        forget(app, note).await;
        return Ok(Settled::Abandoned);
    }
    let remote = for_data_center(app, &dc).await?;
    let lookup: Value = serde_json::from_str(&field(note, "lookup")).unwrap_or(Value::Null);
    let noted_at = note.get("createDate").and_then(Value::as_str).and_then(zstack_db::time::parse_any).unwrap_or(0);
    let undone = undo(app, &remote, &kind, &uuid, &lookup, noted_at).await?;
    forget(app, note).await;
    Ok(Settled::Undone(undone))
}

/// One page of a Describe action filtered by the resource's uuid tag.
async fn tagged<R: DeserializeOwned>(remote: &Remote, product: &str, version: &str, action: &str, uuid: &str) -> ApiResult<R> {
    let params = Params::new().set("RegionId", &remote.region).set_tags(&uuid_tags(uuid)).set("PageSize", 50);
    remote.client.call(product, version, action, params.as_slice()).await.map_err(aliyun_error)
}

/// Deletes each of `ids` with `delete`; returns `<what> <id>` for each.
async fn undo_each<F, Fut>(what: &str, ids: impl IntoIterator<Item = String>, delete: F) -> ApiResult<Vec<String>>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    let mut done = Vec::new();
    for id in ids {
        delete(id.clone()).await?;
        done.push(format!("{what} {id}"));
    }
    Ok(done)
}

/// Deletes what the create of `kind` named `uuid` made; returns what it deleted.
async fn undo(app: &App, remote: &Remote, kind: &str, uuid: &str, lookup: &Value, noted_at: i64) -> ApiResult<Vec<String>> {
    let (c, region) = (&remote.client, remote.region.as_str());
    match kind {
        hc::ECS => {
            let found: DescribeInstancesResponse = tagged(remote, ECS, ECS_VERSION, "DescribeInstances", uuid).await?;
            undo_each("ECS instance", found.instances.into_iter().map(|i| i.instance_id), |id| async move {
                super::ecs::instance_delete_remote(app, remote, &id).await
            })
            .await
        }
        hc::DISK => {
            let found: DescribeDisksResponse = tagged(remote, ECS, ECS_VERSION, "DescribeDisks", uuid).await?;
            undo_each("disk", found.disks.into_iter().map(|d| d.disk_id), |id| async move { deleted_or_gone(c.delete_disk(region, &id).await) }).await
        }
        hc::SNAPSHOT => {
            let found: DescribeSnapshotsResponse = tagged(remote, ECS, ECS_VERSION, "DescribeSnapshots", uuid).await?;
            let ids = found.snapshots.into_iter().map(|s| s.snapshot_id);
            undo_each("snapshot", ids, |id| async move { deleted_or_gone(c.delete_snapshot(region, &id, true).await) }).await
        }
        hc::SECURITY_GROUP => {
            let found: DescribeSecurityGroupsResponse = tagged(remote, ECS, ECS_VERSION, "DescribeSecurityGroups", uuid).await?;
            let ids = found.security_groups.into_iter().map(|g| g.security_group_id);
            undo_each("security group", ids, |id| async move { deleted_or_gone(c.delete_security_group(region, &id).await) }).await
        }
        hc::VPC => {
            let found: DescribeVpcsResponse = tagged(remote, VPC, VPC_VERSION, "DescribeVpcs", uuid).await?;
            undo_each("VPC", found.vpcs.into_iter().map(|v| v.vpc_id), |id| async move { deleted_or_gone(c.delete_vpc(region, &id).await) }).await
        }
        hc::VSWITCH => {
            let found: DescribeVSwitchesResponse = tagged(remote, VPC, VPC_VERSION, "DescribeVSwitches", uuid).await?;
            undo_each("vSwitch", found.v_switches.into_iter().map(|v| v.v_switch_id), |id| async move { deleted_or_gone(c.delete_vswitch(region, &id).await) }).await
        }
        hc::EIP => {
            let found: DescribeEipAddressesResponse = tagged(remote, VPC, VPC_VERSION, "DescribeEipAddresses", uuid).await?;
            let ids = found.eip_addresses.into_iter().map(|e| e.allocation_id);
            undo_each("EIP", ids, |id| async move { deleted_or_gone(c.release_eip_address(region, &id).await) }).await
        }
        hc::USER_GATEWAY => {
            let found: DescribeCustomerGatewaysResponse = tagged(remote, VPC, VPC_VERSION, "DescribeCustomerGateways", uuid).await?;
            let ids = found.customer_gateways.into_iter().map(|g| g.customer_gateway_id);
            undo_each("customer gateway", ids, |id| async move { deleted_or_gone(c.delete_customer_gateway(region, &id).await) }).await
        }
        hc::VPN_CONNECTION => {
            let found: DescribeVpnConnectionsResponse = tagged(remote, VPC, VPC_VERSION, "DescribeVpnConnections", uuid).await?;
            let ids = found.vpn_connections.into_iter().map(|v| v.vpn_connection_id);
            undo_each("IPsec connection", ids, |id| async move { deleted_or_gone(c.delete_vpn_connection(region, &id).await) }).await
        }
        hc::ROUTE_ENTRY => {
            let params = Params::new()
                .set("RegionId", region)
                .set("RouteTableId", lookup["routeTableId"].as_str().unwrap_or_default())
                .set("RouteEntryName", client_token(uuid));
            let found: Value = c.call(VPC, VPC_VERSION, "DescribeRouteEntryList", params.as_slice()).await.map_err(aliyun_error)?;
            let entries = found["RouteEntrys"]["RouteEntry"].as_array().cloned().unwrap_or_default();
            let ids = entries.iter().filter_map(|e| e["RouteEntryId"].as_str().map(String::from)).collect::<Vec<_>>();
            undo_each("route entry", ids, |id| async move { deleted_or_gone(c.delete_route_entry(region, &RouteEntrySelector::Id(id)).await) }).await
        }
        hc::ROUTER_INTERFACE => {
            let params = Params::new()
                .set("RegionId", region)
                .set("Filter.1.Key", "RouterId")
                .set("Filter.1.Value.1", lookup["routerId"].as_str().unwrap_or_default())
                .set("Filter.2.Key", "Name")
                .set("Filter.2.Value.1", lookup["name"].as_str().unwrap_or_default())
                .set("PageSize", 50);
            let found: DescribeRouterInterfacesResponse = c.call(VPC, VPC_VERSION, "DescribeRouterInterfaces", params.as_slice()).await.map_err(aliyun_error)?;
            let mut unknown = Vec::new();
            for r in found.router_interface_set {
                if app.store.inv_find(&tables::ALIYUN_ROUTER_INTERFACE, "routerInterfaceId", &r.router_interface_id).await?.is_empty() {
                    unknown.push(r.router_interface_id);
                }
            }
            undo_each("router interface", unknown, |id| async move { deleted_or_gone(c.delete_router_interface(region, &id).await) }).await
        }
        hc::OSS_BUCKET => {
            let name = lookup["bucketName"].as_str().unwrap_or_default();
            let oss = c.oss(region);
            let buckets = oss.list_buckets().await.map_err(aliyun_error)?;
            // Whole seconds: the note's time and OSS's CreationDate have no finer precision.
            let made_since_note = |created: &str| chrono::DateTime::parse_from_rfc3339(created).is_ok_and(|t| t.timestamp() >= noted_at / 1000);
            let ours = buckets.into_iter().filter(|b| b.name == name && made_since_note(&b.creation_date)).map(|b| b.name);
            let oss = &oss;
            undo_each("OSS bucket", ours, |name| async move { deleted_or_gone(oss.delete_bucket(&name).await) }).await
        }
        hc::IMAGE => {
            let params = Params::new()
                .set("RegionId", region)
                .set_tags(&uuid_tags(uuid))
                .set("Status", "Creating,Waiting,Available,UnAvailable,CreateFailed")
                .set("PageSize", 50);
            let found: DescribeImagesResponse = c.call(ECS, ECS_VERSION, "DescribeImages", params.as_slice()).await.map_err(aliyun_error)?;
            // An image made from a snapshot has no uploaded file (no bucket in its lookup).
            let (bucket, key) = (lookup["bucket"].as_str().unwrap_or_default(), lookup["key"].as_str().unwrap_or_default());
            let what = if bucket.is_empty() { "image made from a snapshot" } else { "imported image" };
            let mut done = undo_each(what, found.images.into_iter().map(|i| i.image_id), |id| async move { deleted_or_gone(c.delete_image(region, &id, true).await) }).await?;
            if bucket.is_empty() {
                return Ok(done);
            }
            let oss = c.oss(region);
            if oss.list_objects(bucket, key).await.map_err(aliyun_error)?.iter().any(|o| o.key == key) {
                deleted_or_gone(oss.delete_object(bucket, key).await)?;
                done.push(format!("uploaded file oss://{bucket}/{key}"));
            }
            Ok(done)
        }
        hc::CONNECTION => super::connection_flow::undo_cut_create(app, remote, lookup).await,
        other => Err(ApiError::internal(format!("no recovery for a creation of {other}"))),
    }
}

/// The creates a previous run left noted, read once at start: their jobs are held until
/// `settle_in_background` has settled them.
pub struct UnfinishedCreates {
    notes: Vec<Inventory>,
    resources: HashSet<String>,
}

impl UnfinishedCreates {
    pub async fn load(app: &App) -> ApiResult<UnfinishedCreates> {
        let notes = all_notes(app).await?;
        let resources = notes.iter().map(|n| field(n, "resourceUuid")).collect();
        Ok(UnfinishedCreates { notes, resources })
    }

    /// Whether the job of the create of `resource` waits for this recovery.
    pub fn holds(&self, resource: Option<&str>) -> bool {
        resource.is_some_and(|r| self.resources.contains(r))
    }

    /// Settle every note, then end the held jobs: failed with what was undone, or
    /// succeeded when the record had been written.
    pub fn settle_in_background(self, app: App) {
        if self.notes.is_empty() {
            return;
        }
        actix_web::rt::spawn(async move {
            let undone = recover_unfinished_creates(&app, &self.notes).await;
            if let Err(e) = crate::recovery::finish_unfinished_jobs(&app, &undone, |target| self.holds(target)).await {
                log::error!("ending the jobs of the hybrid creations a previous run left unfinished failed: {e}");
            }
        });
    }
}

/// The recovery pass over `notes`. Returns, by resource uuid, the error the job of each
/// undone create ends with; a note whose undo failed is retried every minute.
async fn recover_unfinished_creates(app: &App, notes: &[Inventory]) -> HashMap<String, ApiError> {
    let mut failed = HashMap::new();
    let mut left = 0;
    for note in notes {
        let (kind, uuid) = (field(note, "resourceType"), field(note, "resourceUuid"));
        let prefix = format!("the management node restarted while this job was creating {kind}[uuid:{uuid}], so the job failed");
        let error = match settle(app, note).await {
            Ok(Settled::Finished) => continue,
            Ok(Settled::Abandoned) => format!("{prefix}; its DataCenter is no longer known, so nothing could be undone on Alibaba Cloud"),
            Ok(Settled::Undone(undone)) if undone.is_empty() => format!("{prefix}; nothing had been made on Alibaba Cloud yet"),
            Ok(Settled::Undone(undone)) => format!("{prefix}; what it had made on Alibaba Cloud was deleted: {}", undone.join(", ")),
            Err(e) => {
                left += 1;
                format!("{prefix}; deleting what it had made on Alibaba Cloud failed and is retried every minute: {e}")
            }
        };
        log::warn!("{error}");
        failed.insert(uuid, ApiError::new(codes::CREATE_RESOURCE, error));
    }
    if left > 0 {
        keep_retrying(app);
    }
    failed
}

/// Every note, a connection's after the notes of its parts.
async fn all_notes(app: &App) -> ApiResult<Vec<Inventory>> {
    let all = zstack_db::query::QueryOptions { limit: Some(u32::MAX as u64), ..Default::default() };
    let mut notes = app.store.inv_query(&tables::HYBRID_PENDING_CREATE, &[], &all).await?;
    notes.sort_by_key(|n| str_of(n, "resourceType") == Some(hc::CONNECTION));
    Ok(notes)
}

/// Settle the notes left until none is left; one loop per node.
fn keep_retrying(app: &App) {
    if app.hybrid.creates.retrying.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    actix_web::rt::spawn(async move {
        loop {
            tokio::time::sleep(RETRY_EVERY).await;
            let left = retry_stuck(&app).await;
            if left == 0 {
                app.hybrid.creates.retrying.store(false, Ordering::SeqCst);
                return;
            }
        }
    });
}

/// One round over the notes of no create running now (a failed create's only after the
/// grace); returns how many are left.
async fn retry_stuck(app: &App) -> usize {
    let notes = match all_notes(app).await {
        Ok(n) => n,
        Err(e) => {
            log::warn!("cannot read the notes of unfinished hybrid creations: {e}");
            return 1;
        }
    };
    let running = app.hybrid.creates.uuids.lock().clone();
    let graced = zstack_db::time::now_ms() - ORPHAN_GRACE.as_millis() as i64;
    let mut left = notes.len();
    let due = |n: &&Inventory| {
        str_of(n, "resourceUuid").is_some_and(|u| !running.contains(u)) && str_of(n, "createDate").and_then(zstack_db::time::parse_any).is_some_and(|t| t <= graced)
    };
    for note in notes.iter().filter(due) {
        match settle(app, note).await {
            Ok(Settled::Undone(undone)) => {
                left -= 1;
                if !undone.is_empty() {
                    log::warn!("undid what a failed creation left on Alibaba Cloud: {}", undone.join(", "));
                }
            }
            Ok(Settled::Finished | Settled::Abandoned) => left -= 1,
            Err(e) => {
                log::warn!("undoing the unfinished creation of {}[uuid:{}] failed again: {e}", field(note, "resourceType"), field(note, "resourceUuid"));
            }
        }
    }
    left
}
