//! ECS instances: create from an ECS image in a VSwitch with a security group
//! (a flow: run the instance, wait until it runs, record it and the disks made
//! with it; a failure deletes the instance again), start, stop, reboot (each
//! waits for Alibaba's status and records it as `ecsStatus`), console URL,
//! update and password, sync, delete remotely (Alibaba first) or locally.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::recovery::{noted, uuid_tags};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, deleted_or_gone, field, insert_or_undo, inv_reply, invs_reply, delete_remote_first, on_actor_write, relabelled, tables, uuid_by_id, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::Inventory;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use zstack_aliyun::ecs::{DescribeInstancesRequest, DiskSpec, Instance, RunInstancesRequest};
use zstack_aliyun::{Params, ECS, ECS_VERSION};
use zstack_kit::cascade::{DeleteMode, Node};
use zstack_kit::flow::{FlowChain, Shared};
use zstack_kit::{ApiError, ApiResult};

pub const CREATE_ECS: &str = "create-ecs-instance";
const DEFAULT_INSTANCE_TYPE: &str = "ecs.t5-lc1m1.small";

/// Alibaba's status of one instance; None when it no longer exists.
async fn remote_instance(remote: &Remote, id: &str) -> ApiResult<Option<Instance>> {
    let request = DescribeInstancesRequest { instance_ids: vec![id.to_string()], ..Default::default() };
    let page = remote.client.describe_instances(&remote.region, &request).await.map_err(aliyun_error)?;
    Ok(page.instances.into_iter().next())
}

async fn wait_instance(app: &App, remote: &Remote, id: &str, want: &[&str]) -> ApiResult<String> {
    wait_for_status(app, &format!("ECS instance {id}"), want, || async {
        Ok(remote_instance(remote, id).await?.map(|i| i.status).unwrap_or_else(|| "Deleted".into()))
    })
    .await
}

/// Delete on Alibaba Cloud, waiting first for a status deletion accepts.
pub(super) async fn instance_delete_remote(app: &App, remote: &Remote, id: &str) -> ApiResult<()> {
    if wait_instance(app, remote, id, &["Running", "Stopped", "Deleted"]).await? == "Deleted" {
        return Ok(());
    }
    deleted_or_gone(remote.client.delete_instance(&remote.region, id, true).await)
}

struct Ids<'a> {
    vpcs: &'a HashMap<String, String>,
    vswitches: &'a HashMap<String, String>,
    groups: &'a HashMap<String, String>,
    images: &'a HashMap<String, String>,
    zones: &'a HashMap<String, String>,
    eips: &'a HashMap<String, String>,
}

fn instance_fields(dc: &str, i: &Instance, ids: &Ids) -> Map<String, Value> {
    let public_ip = if i.eip_address.ip_address.is_empty() { i.public_ip_address.first().cloned() } else { Some(i.eip_address.ip_address.clone()) };
    let group = i.security_group_ids.first().and_then(|g| ids.groups.get(g));
    remote_fields!("dataCenterUuid": dc, "ecsInstanceId": i.instance_id, "name": i.instance_name, "description": i.description, "ecsStatus": i.status,
        "ecsInstanceType": i.instance_type, "cpuCores": i.cpu, "memorySize": i.memory << 20, "ecsBandWidth": i.internet_max_bandwidth_out,
        "ecsVpcUuid": ids.vpcs.get(&i.vpc_attributes.vpc_id), "ecsVSwitchUuid": ids.vswitches.get(&i.vpc_attributes.v_switch_id),
        "ecsSecurityGroupUuid": group, "ecsImageUuid": ids.images.get(&i.image_id), "identityZoneUuid": ids.zones.get(&i.zone_id),
        "ecsEipUuid": ids.eips.get(&i.eip_address.allocation_id), "publicIpAddress": public_ip,
        "privateIpAddress": i.vpc_attributes.private_ip_address.first(), "chargeType": i.instance_charge_type)
}

/// What creating one instance carries from step to step.
struct Create {
    app: App,
    remote: Remote,
    request: RunInstancesRequest,
    uuid: String,
    vswitch: Inventory,
    image_uuid: String,
    group_uuid: String,
    instance_id: Option<String>,
    instance: Option<Instance>,
}

fn run_instance(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (remote, request) = {
            let c = ctx.borrow();
            (c.remote.clone(), c.request.clone())
        };
        let answer = remote.client.run_instances(&remote.region, &request).await.map_err(aliyun_error)?;
        let id = answer.instance_id_sets.into_iter().next().ok_or_else(|| ApiError::operation("RunInstances answered without an instance id"))?;
        ctx.borrow_mut().instance_id = Some(id);
        Ok(())
    })
}

fn undo_run_instance(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, remote, id) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.instance_id.clone())
        };
        if let Some(id) = id {
            if let Err(e) = instance_delete_remote(&app, &remote, &id).await {
                log::warn!("rolling back ECS instance {id} failed: {e}");
            }
        }
    })
}

fn wait_running(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, remote, id) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.instance_id.clone().unwrap_or_default())
        };
        wait_instance(&app, &remote, &id, &["Running"]).await?;
        ctx.borrow_mut().instance = remote_instance(&remote, &id).await?;
        Ok(())
    })
}

fn record_locally(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, inv, vswitch) = {
            let c = ctx.borrow();
            let i = c.instance.as_ref().ok_or_else(|| ApiError::operation("the new instance vanished"))?;
            let one = |k: &str, v: &str| HashMap::from([(k.to_string(), v.to_string())]);
            let (vpc, vsw, grp, img) = (
                one(&i.vpc_attributes.vpc_id, &field(&c.vswitch, "ecsVpcUuid")),
                one(&i.vpc_attributes.v_switch_id, &field(&c.vswitch, "uuid")),
                one(&c.request.security_group_id, &c.group_uuid),
                one(&c.request.image_id, &c.image_uuid),
            );
            let zones = one(&i.zone_id, &field(&c.vswitch, "identityZoneUuid"));
            let ids = Ids { vpcs: &vpc, vswitches: &vsw, groups: &grp, images: &img, zones: &zones, eips: &HashMap::new() };
            let mut fields = instance_fields(&field(&c.vswitch, "dataCenterUuid"), i, &ids);
            fields.insert("uuid".into(), json!(c.uuid));
            (c.app.clone(), new_inv(Value::Object(fields)), c.vswitch.clone())
        };
        insert_or_undo(&app, &app.dirs().hybrid.vswitch, &field(&vswitch, "uuid"), &tables::ECS_INSTANCE, inv, async {}).await
    })
}

fn undo_record_locally(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        if let Err(e) = super::cascade::retire(&app, &app.dirs().hybrid.ecs, &uuid, vec![]).await {
            log::warn!("removing the record of ECS instance {uuid} failed: {e}");
        }
    })
}

/// The instance's system disk (and data disks made with it) get records of their own.
fn record_disks(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> {
    Box::pin(async move {
        let (app, remote, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.remote.clone(), c.uuid.clone())
        };
        let ecs = app.store.inv_must(&tables::ECS_INSTANCE, &uuid).await?;
        super::disk::record_instance_disks(&app, &remote, &ecs).await
    })
}

/// Every disk record naming the new instance was made by [`record_disks`] (also when it
/// failed half-way).
fn undo_record_disks(ctx: Shared<Create>) -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async move {
        let (app, uuid) = {
            let c = ctx.borrow();
            (c.app.clone(), c.uuid.clone())
        };
        let disks = match app.store.inv_find(&tables::ALIYUN_DISK, "ecsInstanceUuid", &uuid).await {
            Ok(disks) => disks,
            Err(e) => return log::warn!("finding the disk records of ECS instance {uuid} failed: {e}"),
        };
        for disk in disks {
            if let Err(e) = super::cascade::retire(&app, &app.dirs().hybrid.disk, &field(&disk, "uuid"), vec![]).await {
                log::warn!("removing the record of disk {} failed: {e}", field(&disk, "uuid"));
            }
        }
    })
}

pub async fn ecs_create(app: App, req: Req) -> ApiResult<Reply> {
    let image = app.store.inv_must(&tables::ECS_IMAGE, &req.must("ecsImageUuid")?).await?;
    let vswitch = app.store.inv_must(&tables::ECS_VSWITCH, &req.must("ecsVSwitchUuid")?).await?;
    let group = app.store.inv_must(&tables::ECS_SECURITY_GROUP, &req.must("ecsSecurityGroupUuid")?).await?;
    let dc = field(&vswitch, "dataCenterUuid");
    if field(&group, "ecsVpcUuid") != field(&vswitch, "ecsVpcUuid") {
        return Err(ApiError::invalid_argument(format!("EcsSecurityGroup[uuid:{}] is not in the VPC of EcsVSwitch[uuid:{}]", field(&group, "uuid"), field(&vswitch, "uuid"))));
    }
    if field(&image, "dataCenterUuid") != dc {
        return Err(ApiError::invalid_argument(format!("EcsImage[uuid:{}] is not in the data center of EcsVSwitch[uuid:{}]", field(&image, "uuid"), field(&vswitch, "uuid"))));
    }
    let bandwidth = req.int("ecsBandWidth").map(|b| u32::try_from(b).map_err(|_| ApiError::invalid_argument(format!("ecsBandWidth[{b}] must be 0 or more")))).transpose()?;
    let disk_size = req.int("ecsRootVolumeGBSize").map(|s| u32::try_from(s).map_err(|_| ApiError::invalid_argument(format!("ecsRootVolumeGBSize[{s}] must be positive")))).transpose()?;
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = RunInstancesRequest {
        image_id: field(&image, "ecsImageId"),
        instance_type: req.string("instanceType").unwrap_or_else(|| DEFAULT_INSTANCE_TYPE.into()),
        security_group_id: field(&group, "securityGroupId"),
        v_switch_id: field(&vswitch, "vSwitchId"),
        instance_name: Some(req.must("name")?),
        description: req.string("description"),
        password: Some(req.must("ecsRootPassword")?),
        amount: 1,
        internet_max_bandwidth_out: bandwidth,
        private_ip_address: req.string("privateIpAddress"),
        system_disk: disk_size.map(|size_gb| DiskSpec { category: req.string("ecsRootVolumeType").unwrap_or_else(|| "cloud_efficiency".into()), size_gb }),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
        ..Default::default()
    };
    let ctx = std::rc::Rc::new(std::cell::RefCell::new(Create {
        app: app.clone(),
        remote,
        request,
        uuid: uuid.clone(),
        vswitch,
        image_uuid: field(&image, "uuid"),
        group_uuid: field(&group, "uuid"),
        instance_id: None,
        instance: None,
    }));
    let flow = FlowChain::new(CREATE_ECS)
        .step("run-instance", run_instance, Some(undo_run_instance))
        .step("wait-running", wait_running, None)
        .step("record-locally", record_locally, Some(undo_record_locally))
        .step("record-disks", record_disks, Some(undo_record_disks));
    noted(&app, hc::ECS, &uuid, &dc, json!({}), flow.run(ctx, &app.faults)).await?;
    inv_reply(app.store.inv_must(&tables::ECS_INSTANCE, &uuid).await?)
}

/// Start, stop or reboot on the instance's actor; the status Alibaba reaches is recorded.
async fn power(app: App, req: Req, action: &'static str) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let a = app.clone();
    on_actor_write(&app, &app.dirs().hybrid.ecs, &uuid, move |mut inv| {
        Box::pin(async move {
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let id = field(&inv, "ecsInstanceId");
            let (r, want) = match action {
                "start" => (remote.client.start_instance(&remote.region, &id).await, "Running"),
                "stop" => (remote.client.stop_instance(&remote.region, &id, false).await, "Stopped"),
                _ => (remote.client.reboot_instance(&remote.region, &id, false).await, "Running"),
            };
            r.map_err(aliyun_error)?;
            let status = wait_instance(&a, &remote, &id, &[want]).await?;
            inv.insert("ecsStatus".into(), json!(status));
            Ok(((), Some(inv)))
        })
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn ecs_start(app: App, req: Req) -> ApiResult<Reply> {
    power(app, req, "start").await
}
pub async fn ecs_stop(app: App, req: Req) -> ApiResult<Reply> {
    power(app, req, "stop").await
}
pub async fn ecs_reboot(app: App, req: Req) -> ApiResult<Reply> {
    power(app, req, "reboot").await
}

/// `DeleteEcsInstance`: deleted on Alibaba Cloud first; the local record goes once that is
/// confirmed, with its system disk's; so do the records of the data disks Alibaba released
/// with it (`deleteWithInstance`), while the others stay, detached.
pub async fn ecs_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_one_remote(&app, &req.must("uuid")?).await
}

async fn delete_one_remote(app: &App, uuid: &str) -> ApiResult<Reply> {
    delete_remote_first(app, &app.dirs().hybrid.ecs, hc::ECS, uuid, |a, remote, inv| {
        Box::pin(async move {
            instance_delete_remote(&a, &remote, &field(&inv, "ecsInstanceId")).await?;
            for disk in a.store.inv_find(&tables::ALIYUN_DISK, "ecsInstanceUuid", &field(&inv, "uuid")).await? {
                if disk.get("deleteWithInstance").and_then(Value::as_bool) == Some(true) {
                    hc::delete_local(&a, Node::new(hc::DISK, field(&disk, "uuid")), DeleteMode::Permissive).await?;
                }
            }
            Ok(())
        })
    })
    .await
}

pub async fn ecs_vnc_url(app: App, req: Req) -> ApiResult<Reply> {
    let inv = app.store.inv_must(&tables::ECS_INSTANCE, &req.must("uuid")?).await?;
    let remote = for_data_center(&app, &field(&inv, "dataCenterUuid")).await?;
    let id = field(&inv, "ecsInstanceId");
    let params = Params::new().set("RegionId", &remote.region).set("InstanceId", &id);
    let answer: Value = remote.client.call(ECS, ECS_VERSION, "DescribeInstanceVncUrl", params.as_slice()).await.map_err(aliyun_error)?;
    let mut m = Map::new();
    m.insert("ecsId".into(), json!(id));
    m.insert("vncUrl".into(), answer.get("VncUrl").cloned().unwrap_or(Value::Null));
    Ok(Reply::Fields(m))
}

/// `UpdateEcsInstance`: name, description and root password, on Alibaba Cloud then locally.
pub async fn ecs_update(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let (name, description, password) = (req.string("name"), req.string("description"), req.string("password"));
    let a = app.clone();
    let inv = on_actor_write(&app, &app.dirs().hybrid.ecs, &uuid, move |inv| {
        Box::pin(async move {
            let remote = for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            let params = Params::new()
                .set("RegionId", &remote.region)
                .set("InstanceId", field(&inv, "ecsInstanceId"))
                .set_opt("InstanceName", name.as_ref())
                .set_opt("Description", description.as_ref())
                .set_opt("Password", password.as_ref());
            remote.client.call::<Value>(ECS, ECS_VERSION, "ModifyInstanceAttribute", params.as_slice()).await.map_err(aliyun_error)?;
            Ok(relabelled(inv, name, description))
        })
    })
    .await?;
    inv_reply(inv)
}

/// Every instance of the region, reconciled; references resolve to the local
/// records already known (sync VSwitches and groups first to fill them all).
pub async fn instances_sync(app: &App, remote: &Remote) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let s = &app.store;
    let vpcs = uuid_by_id(&s.inv_find(&tables::ECS_VPC, "dataCenterUuid", dc).await?, "ecsVpcId");
    let vswitches = uuid_by_id(&s.inv_find(&tables::ECS_VSWITCH, "dataCenterUuid", dc).await?, "vSwitchId");
    let groups = uuid_by_id(&s.inv_find(&tables::ECS_SECURITY_GROUP, "dataCenterUuid", dc).await?, "securityGroupId");
    let images = uuid_by_id(&s.inv_find(&tables::ECS_IMAGE, "dataCenterUuid", dc).await?, "ecsImageId");
    let zones = uuid_by_id(&s.inv_find(&tables::IDENTITY_ZONE, "dataCenterUuid", dc).await?, "zoneId");
    let eips = uuid_by_id(&s.inv_find(&tables::HYBRID_EIP, "dataCenterUuid", dc).await?, "eipId");
    let ids = Ids { vpcs: &vpcs, vswitches: &vswitches, groups: &groups, images: &images, zones: &zones, eips: &eips };
    let instances = remote.client.describe_instances_all(&remote.region, &DescribeInstancesRequest::default()).await.map_err(aliyun_error)?;
    let local = s.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", dc).await?;
    let fields = instances.iter().map(|i| instance_fields(dc, i, &ids)).collect();
    reconcile(app, &app.dirs().hybrid.ecs, hc::ECS, "ecsInstanceId", local, fields).await
}

pub async fn ecs_sync(app: App, req: Req) -> ApiResult<Reply> {
    let remote = for_data_center(&app, &req.must("dataCenterUuid")?).await?;
    invs_reply(instances_sync(&app, &remote).await?.inventories, &tables::ECS_INSTANCE)
}

/// Instances DeleteAllEcsInstancesFromDataCenter deletes at once.
const DELETE_ALL_CONCURRENCY: usize = 8;

/// `DeleteAllEcsInstancesFromDataCenter`: every ECS instance the node has in the
/// DataCenter is deleted on Alibaba Cloud as `DeleteEcsInstance` deletes one (on its
/// actor, waiting for a status deletion accepts), at most DELETE_ALL_CONCURRENCY at a
/// time; each local record goes once its remote delete is confirmed. A failure leaves
/// the others done: the job then fails naming every instance left, with Alibaba's
/// code; the cause is the first failure's (Alibaba's code when Alibaba refused).
pub async fn ecs_delete_all(app: App, req: Req) -> ApiResult<Reply> {
    use futures::StreamExt;
    let dc = req.must("uuid")?;
    zstack_kit::cascade::DeleteMode::parse(req.str("deleteMode"))?;
    app.store.inv_must(&tables::DATA_CENTER, &dc).await?;
    let instances = app.store.inv_find(&tables::ECS_INSTANCE, "dataCenterUuid", &dc).await?;
    let total = instances.len();
    let results: Vec<(Inventory, ApiResult<Reply>)> = futures::stream::iter(instances)
        .map(|inv| {
            let app = app.clone();
            async move {
                let r = delete_one_remote(&app, &field(&inv, "uuid")).await;
                (inv, r)
            }
        })
        .buffer_unordered(DELETE_ALL_CONCURRENCY)
        .collect()
        .await;
    let failed: Vec<(Inventory, ApiError)> = results.into_iter().filter_map(|(inv, r)| r.err().map(|e| (inv, e))).collect();
    let Some((_, first)) = failed.first() else { return Ok(Reply::Empty) };
    let listed: Vec<String> = failed
        .iter()
        .map(|(inv, e)| {
            let reason = match e.cause.as_deref() {
                Some(alibaba) => format!("{} {}", alibaba.code, alibaba.description),
                None => format!("{} {}", e.code, e.details),
            };
            format!("EcsInstance[uuid:{}, ecsInstanceId:{}]: {reason}", field(inv, "uuid"), field(inv, "ecsInstanceId"))
        })
        .collect();
    let mut error = ApiError::operation(format!("{} of the {total} ECS instances of DataCenter[uuid:{dc}] were not deleted: {}", failed.len(), listed.join("; ")));
    error.cause = Some(first.cause.clone().unwrap_or_else(|| Box::new(first.clone())));
    Err(error)
}
