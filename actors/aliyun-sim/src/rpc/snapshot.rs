//! ECS (2014-05-26) disk snapshots and custom images made from them: CreateSnapshot,
//! DescribeSnapshots (PageNumber/PageSize and NextToken/MaxResults), ModifySnapshotAttribute,
//! DeleteSnapshot, CreateImage from a snapshot. A snapshot is `progressing` (0%, then
//! 50%) for two transition steps and then `accomplished`; an image made from one is
//! `Creating` for a step, then `Available`.
//!
//! Rules enforced, as the ECS documentation states them:
//! - CreateSnapshot: a disk attached to an instance needs the instance Running or
//!   Stopped (`IncorrectInstanceStatus`) and started at least once (the disks of an
//!   instance never started were never used: `IncorrectDiskStatus.NeverUsed`); a
//!   detached disk must have been attached once (`IncorrectDiskStatus.NeverAttached`);
//!   one snapshot at a time per disk; at most
//!   `quotas.snapshots_per_disk` (256) manual snapshots per disk (`QuotaExceed.Snapshot`).
//! - Names: 2-128 characters starting with a letter, not `http://`/`https://`;
//!   snapshot names may not start with `auto` (reserved for automatic snapshots);
//!   descriptions 2-256 characters (`Invalid*.Malformed`).
//! - DeleteSnapshot refuses a snapshot images were made from (`SnapshotCreatedImage`),
//!   and one disks were made from unless `Force` (`SnapshotCreatedDisk`).
//! - `Usage` says what was made from a snapshot: `image`, `disk`, `image_disk`, `none`.
//! - CreateImage needs an `accomplished` (`InvalidSnapshotId.NotReady`) system-disk
//!   snapshot (data-disk snapshots alone cannot make an image), a name unused in the
//!   region, and room under `quotas.images_per_region`. Only the SnapshotId form is
//!   simulated (not InstanceId or DiskDeviceMapping).
//! Unknown ids: `InvalidSnapshotId.NotFound` / `InvalidDiskId.NotFound` (404).

use serde_json::{json, Value};
use zstack_aliyun::ecs::EcsTag;
use zstack_aliyun::snapshot::{CreateImageResponse, CreateSnapshotResponse, Snapshot};

use super::ecs::{disk_not_found, image_name_free, instance_not_found};
use super::{answer_page, ecs_time, page_of, region_param, to_json, RpcContext, RpcParams};
use crate::error::{SimError, SimResult};
use crate::state::{
    ImageStatus, InstanceStatus, SimImage, SimSnapshot, SimState, SnapshotStatus, Transition,
};

/// None when the action is not a snapshot one.
pub fn handle(
    state: &mut SimState,
    action: &str,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Option<Value>> {
    let body = match action {
        "CreateSnapshot" => create_snapshot(state, p, ctx)?,
        "DescribeSnapshots" => describe_snapshots(state, p)?,
        "ModifySnapshotAttribute" => modify_snapshot(state, p, ctx)?,
        "DeleteSnapshot" => delete_snapshot(state, p)?,
        "CreateImage" => create_image(state, p, ctx)?,
        _ => return Ok(None),
    };
    Ok(Some(body))
}

pub fn snapshot_not_found(id: &str) -> SimError {
    SimError::not_found(
        "InvalidSnapshotId.NotFound",
        format!("The specified SnapshotId {id} does not exist."),
    )
}

/// A display name: `min..=max` characters, a letter first (any script), then letters,
/// digits, `.`, `_`, `:` or `-`; never a URL; never one of `reserved` prefixes.
fn check_name(value: &str, code: &str, what: &str, reserved: &[&str]) -> SimResult<()> {
    let length = value.chars().count();
    let first_is_letter = value.chars().next().is_some_and(char::is_alphabetic);
    let allowed = value
        .chars()
        .all(|c| c.is_alphanumeric() || ".:_-".contains(c));
    let lower = value.to_ascii_lowercase();
    let reserved_prefix = ["http://", "https://"]
        .iter()
        .chain(reserved)
        .find(|r| lower.starts_with(*r));
    if (2..=128).contains(&length) && first_is_letter && allowed && reserved_prefix.is_none() {
        return Ok(());
    }
    Err(SimError::bad(
        code,
        format!(
            "The specified {what} {value:?} is not valid: 2 to 128 characters, starting with a letter, \
             then letters, digits, '.', '_', ':' or '-'{}.",
            reserved_prefix
                .map(|r| format!("; it may not start with {r:?}"))
                .unwrap_or_default()
        ),
    ))
}

fn check_description(value: &str) -> SimResult<()> {
    let lower = value.to_ascii_lowercase();
    if (2..=256).contains(&value.chars().count())
        && !lower.starts_with("http://")
        && !lower.starts_with("https://")
    {
        return Ok(());
    }
    Err(SimError::bad(
        "InvalidDescription.Malformed",
        "The specified Description is not valid: 2 to 256 characters, not starting with http:// or https://.",
    ))
}

/// CreateSnapshot, ModifySnapshotAttribute and DeleteSnapshot carry no RegionId, but
/// the legacy core SDK adds one; when given, the snapshot must be in that region.
fn snapshot_in<'a>(state: &'a SimState, p: &RpcParams, id: &str) -> SimResult<&'a SimSnapshot> {
    let region = region_param(p, false)?;
    state
        .snapshots
        .get(id)
        .filter(|s| region.is_none_or(|r| r == s.region_id))
        .ok_or_else(|| snapshot_not_found(id))
}

fn create_snapshot(
    state: &mut SimState,
    p: &RpcParams,
    ctx: &RpcContext<'_>,
) -> SimResult<Value> {
    let disk_id = p.required("DiskId")?.to_string();
    let name = p.get("SnapshotName").map(str::to_string);
    if let Some(name) = &name {
        check_name(name, "InvalidSnapshotName.Malformed", "SnapshotName", &["auto"])?;
    }
    if let Some(description) = p.get("Description") {
        check_description(description)?;
    }
    let region = region_param(p, false)?;
    let disk = state
        .disks
        .get(&disk_id)
        .filter(|d| region.is_none_or(|r| r == d.region_id))
        .ok_or_else(|| disk_not_found(&disk_id))?;
    match &disk.instance_id {
        Some(instance_id) => {
            let instance = state
                .instances
                .get(instance_id)
                .ok_or_else(|| instance_not_found(instance_id))?;
            instance.require_status(&[InstanceStatus::Running, InstanceStatus::Stopped])?;
            // Nothing has written to the disks of an instance never started.
            if !instance.ever_started {
                return Err(SimError::forbidden(
                    "IncorrectDiskStatus.NeverUsed",
                    format!(
                        "The specified disk {disk_id} has never been used after creating: its instance {instance_id} was never started."
                    ),
                ));
            }
        }
        None if !disk.ever_attached => {
            return Err(SimError::forbidden(
                "IncorrectDiskStatus.NeverAttached",
                format!("The specified disk {disk_id} has never been attached to any instance."),
            ))
        }
        None => {}
    }
    let of_disk: Vec<&SimSnapshot> = state
        .snapshots
        .values()
        .filter(|s| s.source_disk_id == disk_id)
        .collect();
    if of_disk
        .iter()
        .any(|s| s.status.current != SnapshotStatus::Accomplished)
    {
        return Err(SimError::forbidden(
            "IncorrectDiskStatus.CreatingSnapshot",
            format!("A snapshot of the disk {disk_id} is still being created."),
        ));
    }
    if of_disk.len() >= state.quotas.snapshots_per_disk {
        return Err(SimError::forbidden(
            "QuotaExceed.Snapshot",
            format!(
                "The disk {disk_id} already has {} manual snapshots, the most it may keep.",
                of_disk.len()
            ),
        ));
    }
    let (region_id, size, disk_type, category) = (
        disk.region_id.clone(),
        disk.size_gb,
        if disk.disk_type == "system" { "System" } else { "Data" },
        disk.category.clone(),
    );
    let id = state.new_id("s");
    let mut status = Transition::settled(SnapshotStatus::Progressing(0), ctx.now);
    status.start(
        SnapshotStatus::Progressing(0),
        &[SnapshotStatus::Progressing(50), SnapshotStatus::Accomplished],
        ctx.now,
    );
    state.snapshots.insert(
        id.clone(),
        SimSnapshot {
            id: id.clone(),
            name: name.unwrap_or_default(),
            description: p.get_or("Description", "").into(),
            region_id,
            source_disk_id: disk_id,
            source_disk_size_gb: size,
            source_disk_type: disk_type.into(),
            source_disk_category: category,
            status,
            created: ctx.now,
            last_modified: ctx.now,
            tags: p.tags(),
        },
    );
    Ok(to_json(&CreateSnapshotResponse {
        request_id: String::new(),
        snapshot_id: id,
    }))
}

/// What has been made from a snapshot (of what still exists): `image`, `disk`,
/// `image_disk` or `none`.
fn usage(state: &SimState, id: &str) -> &'static str {
    let images = state.images.values().any(|i| i.source_snapshot_id == id);
    let disks = state.disks.values().any(|d| d.source_snapshot_id == id);
    match (images, disks) {
        (true, true) => "image_disk",
        (true, false) => "image",
        (false, true) => "disk",
        (false, false) => "none",
    }
}

fn snapshot_json(state: &SimState, s: &SimSnapshot) -> Value {
    let step = state.transition_step.as_secs_f64();
    let remain = (s.status.ahead.len() as f64 * step).ceil() as i64;
    let accomplished = s.status.current == SnapshotStatus::Accomplished;
    let mut v = to_json(&Snapshot {
        snapshot_id: s.id.clone(),
        snapshot_name: s.name.clone(),
        description: s.description.clone(),
        status: s.status.current.as_str().into(),
        progress: format!("{}%", s.status.current.percent()),
        remain_time: remain,
        source_disk_id: s.source_disk_id.clone(),
        source_disk_size: s.source_disk_size_gb.to_string(),
        source_disk_type: s.source_disk_type.clone(),
        usage: usage(state, &s.id).into(),
        snapshot_type: "user".into(),
        category: "standard".into(),
        available: accomplished,
        encrypted: false,
        region_id: s.region_id.clone(),
        creation_time: ecs_time(s.created),
        last_modified_time: super::vpc_time(s.last_modified),
        tags: s
            .tags
            .iter()
            .map(|(k, v)| EcsTag {
                tag_key: k.clone(),
                tag_value: v.clone(),
            })
            .collect(),
    });
    let map = v.as_object_mut().expect("object");
    map.insert("SnapshotSN".into(), json!(format!("sim-{}", s.id)));
    map.insert("SourceStorageType".into(), json!("disk"));
    map.insert("InstantAccess".into(), json!(false));
    map.insert("ProductCode".into(), json!(""));
    map.insert("ResourceGroupId".into(), json!(""));
    map.insert(
        "FullSnapshotSizeInBytes".into(),
        json!(if accomplished { s.source_disk_size_gb << 30 } else { 0 }),
    );
    v
}

fn describe_snapshots(state: &SimState, p: &RpcParams) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required");
    let ids = p.json_list("SnapshotIds")?;
    let status = p.get_or("Status", "all");
    if !["progressing", "accomplished", "failed", "all"].contains(&status) {
        return Err(SimError::invalid("Status", status));
    }
    let snapshot_type = p.get_or("SnapshotType", "all");
    if !["auto", "user", "all"].contains(&snapshot_type) {
        return Err(SimError::invalid("SnapshotType", snapshot_type));
    }
    let wanted_usage = p.get("Usage");
    if let Some(u) = wanted_usage {
        if !["image", "disk", "image_disk", "none"].contains(&u) {
            return Err(SimError::invalid("Usage", u));
        }
    }
    let disk_type = p.get_or("SourceDiskType", "all").to_ascii_lowercase();
    if !["system", "data", "all"].contains(&disk_type.as_str()) {
        return Err(SimError::invalid("SourceDiskType", &disk_type));
    }
    let tags = p.tags();
    let instance = p.get("InstanceId");
    let items: Vec<&SimSnapshot> = state
        .snapshots
        .values()
        .filter(|s| s.region_id == region && (ids.is_empty() || ids.contains(&s.id)))
        .filter(|s| p.get("DiskId").is_none_or(|d| d == s.source_disk_id))
        .filter(|s| {
            instance.is_none_or(|i| {
                state
                    .disks
                    .get(&s.source_disk_id)
                    .is_some_and(|d| d.instance_id.as_deref() == Some(i))
            })
        })
        .filter(|s| status == "all" || s.status.current.as_str() == status)
        // Every simulated snapshot is a manual (`user`) one.
        .filter(|_| snapshot_type != "auto")
        .filter(|s| p.get("SnapshotName").is_none_or(|n| n == s.name))
        .filter(|s| wanted_usage.is_none_or(|u| u == usage(state, &s.id)))
        .filter(|s| disk_type == "all" || s.source_disk_type.eq_ignore_ascii_case(&disk_type))
        .filter(|s| tags.iter().all(|t| s.tags.contains(t)))
        .collect();
    Ok(answer_page(page_of(items, p, 10, 100, true)?, "Snapshots", "Snapshot", |s| snapshot_json(state, s)))
}

fn modify_snapshot(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let id = p.required("SnapshotId")?.to_string();
    snapshot_in(state, p, &id)?;
    let name = p.get("SnapshotName");
    if let Some(name) = name {
        check_name(name, "InvalidSnapshotName.Malformed", "SnapshotName", &["auto"])?;
    }
    let description = p.get("Description");
    if let Some(description) = description {
        check_description(description)?;
    }
    let snapshot = state.snapshots.get_mut(&id).expect("checked");
    if let Some(name) = name {
        snapshot.name = name.into();
    }
    if let Some(description) = description {
        snapshot.description = description.into();
    }
    snapshot.last_modified = ctx.now;
    Ok(json!({}))
}

fn delete_snapshot(state: &mut SimState, p: &RpcParams) -> SimResult<Value> {
    let id = p.required("SnapshotId")?.to_string();
    // Force lets disks made from the snapshot lose it; images never do.
    let force = p.bool("Force", false)?;
    snapshot_in(state, p, &id)?;
    let images: Vec<&str> = state
        .images
        .values()
        .filter(|i| i.source_snapshot_id == id)
        .map(|i| i.id.as_str())
        .collect();
    if !images.is_empty() {
        return Err(SimError::forbidden(
            "SnapshotCreatedImage",
            format!(
                "The snapshot {id} has been used to create the images {}; delete them first.",
                images.join(", ")
            ),
        ));
    }
    let disks: Vec<&str> = state
        .disks
        .values()
        .filter(|d| d.source_snapshot_id == id)
        .map(|d| d.id.as_str())
        .collect();
    if !disks.is_empty() && !force {
        return Err(SimError::forbidden(
            "SnapshotCreatedDisk",
            format!(
                "The snapshot {id} has been used to create the disks {}; set Force to delete it anyway.",
                disks.join(", ")
            ),
        ));
    }
    state.snapshots.remove(&id);
    Ok(json!({}))
}

fn create_image(state: &mut SimState, p: &RpcParams, ctx: &RpcContext<'_>) -> SimResult<Value> {
    let region = region_param(p, true)?.expect("required").to_string();
    let snapshot_id = p.required("SnapshotId")?.to_string();
    let name = p.get("ImageName").map(str::to_string);
    if let Some(name) = &name {
        check_name(name, "InvalidImageName.Malformed", "ImageName", &["acs:", "aliyun"])?;
        image_name_free(state, name, &region)?;
    }
    if let Some(description) = p.get("Description") {
        check_description(description)?;
    }
    let architecture = p.get_or("Architecture", "x86_64").to_string();
    if !["x86_64", "arm64", "i386"].contains(&architecture.as_str()) {
        return Err(SimError::invalid("Architecture", &architecture));
    }
    let snapshot = state
        .snapshots
        .get(&snapshot_id)
        .filter(|s| s.region_id == region)
        .ok_or_else(|| snapshot_not_found(&snapshot_id))?;
    if snapshot.status.current != SnapshotStatus::Accomplished {
        return Err(SimError::forbidden(
            "InvalidSnapshotId.NotReady",
            format!(
                "The snapshot {snapshot_id} is {} ({}%); only an accomplished snapshot can make an image.",
                snapshot.status.current.as_str(),
                snapshot.status.current.percent()
            ),
        ));
    }
    if snapshot.source_disk_type != "System" {
        return Err(SimError::bad(
            "InvalidSnapshotId.NotSystemDiskSnapshot",
            format!("The snapshot {snapshot_id} is of a data disk; an image needs a system disk snapshot."),
        ));
    }
    let own_images = state
        .images
        .values()
        .filter(|i| i.region_id.as_deref() == Some(&region))
        .count();
    if own_images >= state.quotas.images_per_region {
        return Err(SimError::forbidden(
            "QuotaExceed.Image",
            format!(
                "The region {region} already has {own_images} custom images, the most allowed."
            ),
        ));
    }
    // The system the image carries is the one its disk was made from, when still known.
    let source_image = state
        .disks
        .get(&snapshot.source_disk_id)
        .and_then(|d| state.images.get(&d.image_id));
    let (os_name, os_type, platform) = match source_image {
        Some(i) => (i.os_name.clone(), i.os_type.clone(), i.platform.clone()),
        None => {
            let platform = p.get_or("Platform", "Others Linux").to_string();
            (platform.clone(), "linux".to_string(), platform)
        }
    };
    let size = snapshot.source_disk_size_gb;
    let id = state.new_id("m");
    let mut status = Transition::settled(ImageStatus::Creating, ctx.now);
    status.start(ImageStatus::Creating, &[ImageStatus::Available], ctx.now);
    state.images.insert(
        id.clone(),
        SimImage {
            id: id.clone(),
            name: name.unwrap_or_else(|| id.clone()),
            description: p.get_or("Description", "").into(),
            region_id: Some(region),
            os_name,
            os_type,
            platform,
            architecture,
            size_gb: size,
            owner_alias: "self".into(),
            status,
            oss_bucket: String::new(),
            oss_object: String::new(),
            format: String::new(),
            source_snapshot_id: snapshot_id,
            tags: p.tags(),
            created: ctx.now,
        },
    );
    Ok(to_json(&CreateImageResponse {
        request_id: String::new(),
        image_id: id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_alibabas_rules() {
        let code = "InvalidSnapshotName.Malformed";
        for good in ["ab", "snap-1", "备份_2026:01.a", &"a".repeat(128)] {
            assert!(check_name(good, code, "SnapshotName", &["auto"]).is_ok(), "{good}");
        }
        for bad in ["a", "1snap", "-x", "has space", "http://x", "HTTPS://x", "auto-1", &"a".repeat(129)] {
            assert_eq!(
                check_name(bad, code, "SnapshotName", &["auto"]).unwrap_err().code,
                code,
                "{bad}"
            );
        }
        assert!(check_description("ok").is_ok());
        assert!(check_description("x").is_err());
        assert!(check_description("https://example.com").is_err());
    }
}
