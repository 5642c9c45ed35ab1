//! Disk snapshots through the client: status over (simulated) time, the rules and codes
//! of CreateSnapshot, DescribeSnapshots paging in both styles, renames, deletion, and
//! custom images made from a snapshot.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use zstack_aliyun::ecs::{
    CreateDiskRequest, DescribeDisksRequest, DescribeImagesRequest,
    RunInstancesRequest,
};
use zstack_aliyun::snapshot::{CreateImageRequest, CreateSnapshotRequest, DescribeSnapshotsRequest};
use zstack_aliyun::{AliyunClient, SignatureVersion};
use zstack_aliyun_sim::SimServer;

const STEP_MS: u64 = 1000;

/// A running instance: its id, its system disk and its data disk ids.
async fn instance(c: &AliyunClient, sim: &SimServer) -> (String, String, String) {
    let Net { vsw, sg, .. } = network(c, "10.0.0.0/8", "10.1.0.0/24").await;
    let vm = c
        .run_instances(
            REGION,
            &RunInstancesRequest {
                image_id: IMAGE.into(),
                instance_type: "ecs.c6.large".into(),
                security_group_id: sg,
                v_switch_id: vsw,
                amount: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .instance_id_sets[0]
        .clone();
    let disks = disks_of(&c, &vm).await;
    let system = disks.iter().find(|d| d.disk_type == "system").unwrap().disk_id.clone();
    let data = c
        .create_disk(
            REGION,
            &CreateDiskRequest { zone_id: ZONE.into(), disk_category: "cloud_essd".into(), size_gb: Some(40), ..Default::default() },
        )
        .await
        .unwrap()
        .disk_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 3));
    (vm, system, data)
}

fn snap(disk: &str, name: &str) -> CreateSnapshotRequest {
    CreateSnapshotRequest { disk_id: disk.into(), snapshot_name: Some(name.into()), ..Default::default() }
}

async fn status_of(c: &AliyunClient, id: &str) -> (String, String) {
    let request = DescribeSnapshotsRequest { snapshot_ids: vec![id.into()], ..Default::default() };
    let s = c.describe_snapshots(REGION, &request).await.unwrap().snapshots.remove(0);
    (s.status, s.progress)
}

#[tokio::test]
async fn a_snapshot_progresses_to_accomplished_and_follows_the_disk_rules() {
    let sim = sim(STEP_MS);
    let c = client(&sim, SignatureVersion::Acs3);
    let (vm, _system, data) = instance(&c, &sim).await;

    // A disk never attached cannot be snapshotted; an unknown one is not found.
    assert_eq!(code_of(c.create_snapshot(REGION, &snap(&data, "first")).await), ("IncorrectDiskStatus.NeverAttached".into(), 403));
    assert_eq!(code_of(c.create_snapshot(REGION, &snap("d-nowhere", "first")).await), ("InvalidDiskId.NotFound".into(), 404));
    c.attach_disk(REGION, &vm, &data, None).await.unwrap();

    // Bad names and descriptions.
    for bad in ["x", "1st", "auto-daily", "http://x"] {
        assert_eq!(code_of(c.create_snapshot(REGION, &snap(&data, bad)).await).0, "InvalidSnapshotName.Malformed", "{bad}");
    }
    let long_description = CreateSnapshotRequest { description: Some("d".repeat(257)), ..snap(&data, "ok") };
    assert_eq!(code_of(c.create_snapshot(REGION, &long_description).await).0, "InvalidDescription.Malformed");

    let request = CreateSnapshotRequest { tags: vec![("created-by".into(), "test".into())], description: Some("before upgrade".into()), ..snap(&data, "first") };
    let id = c.create_snapshot(REGION, &request).await.unwrap().snapshot_id;
    assert!(id.starts_with("s-"), "{id}");
    assert_eq!(status_of(&c, &id).await, ("progressing".into(), "0%".into()));
    // One snapshot of a disk at a time.
    assert_eq!(
        code_of(c.create_snapshot(REGION, &snap(&data, "second")).await),
        ("IncorrectDiskStatus.CreatingSnapshot".into(), 403)
    );
    sim.sim.clock.advance(Duration::from_millis(STEP_MS));
    assert_eq!(status_of(&c, &id).await, ("progressing".into(), "50%".into()));
    sim.sim.clock.advance(Duration::from_millis(STEP_MS));
    assert_eq!(status_of(&c, &id).await, ("accomplished".into(), "100%".into()));
    let all = c.describe_snapshots_all(REGION, &DescribeSnapshotsRequest::default()).await.unwrap();
    let s = all.iter().find(|s| s.snapshot_id == id).unwrap();
    assert_eq!((s.source_disk_id.as_str(), s.source_disk_size.as_str(), s.source_disk_type.as_str()), (data.as_str(), "40", "Data"));
    assert_eq!((s.snapshot_name.as_str(), s.description.as_str(), s.usage.as_str()), ("first", "before upgrade", "none"));
    assert!(s.available);
    assert_eq!((s.tags[0].tag_key.as_str(), s.tags[0].tag_value.as_str()), ("created-by", "test"));

    // The instance must be Running or Stopped.
    c.stop_instance(REGION, &vm, false).await.unwrap();
    assert_eq!(code_of(c.create_snapshot(REGION, &snap(&data, "while-stopping")).await), ("IncorrectInstanceStatus".into(), 403));
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    let stopped = c.create_snapshot(REGION, &snap(&data, "while-stopped")).await.unwrap().snapshot_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));

    // The per-disk quota.
    set_quotas(&sim, json!({"snapshots_per_disk": 2})).await;
    assert_eq!(code_of(c.create_snapshot(REGION, &snap(&data, "third")).await), ("QuotaExceed.Snapshot".into(), 403));

    // Rename and describe; unknown ids.
    c.modify_snapshot_attribute(REGION, &id, Some("renamed"), Some("after rename")).await.unwrap();
    let renamed = c.describe_snapshots(REGION, &DescribeSnapshotsRequest { snapshot_name: Some("renamed".into()), ..Default::default() }).await.unwrap();
    assert_eq!(renamed.snapshots.len(), 1);
    assert_eq!(renamed.snapshots[0].description, "after rename");
    assert_eq!(code_of(c.modify_snapshot_attribute(REGION, &id, Some("auto1"), None).await).0, "InvalidSnapshotName.Malformed");
    assert_eq!(code_of(c.modify_snapshot_attribute(REGION, "s-nowhere", Some("n1"), None).await), ("InvalidSnapshotId.NotFound".into(), 404));

    // Snapshots outlive their disk.
    c.detach_disk(REGION, &vm, &data).await.unwrap();
    c.delete_disk(REGION, &data).await.unwrap();
    let left = c.describe_snapshots_all(REGION, &DescribeSnapshotsRequest::default()).await.unwrap();
    assert_eq!(left.iter().map(|s| s.snapshot_id.as_str()).collect::<Vec<_>>(), vec![id.as_str(), stopped.as_str()]);
    c.delete_snapshot(REGION, &id, false).await.unwrap();
    assert_eq!(code_of(c.delete_snapshot(REGION, &id, false).await), ("InvalidSnapshotId.NotFound".into(), 404));
    assert_eq!(sim.sim.state.lock().snapshots.len(), 1);
}

#[tokio::test]
async fn snapshots_page_in_both_styles_and_filter() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::V1);
    let (vm, system, data) = instance(&c, &sim).await;
    c.attach_disk(REGION, &vm, &data, None).await.unwrap();
    let mut made = Vec::new();
    for n in 0..23 {
        let disk = if n % 2 == 0 { &system } else { &data };
        made.push(c.create_snapshot(REGION, &snap(disk, &format!("s{n}"))).await.unwrap().snapshot_id);
    }
    // NextToken/MaxResults, through the client's helper (pages of 100 hold all; ask for 10).
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let request = DescribeSnapshotsRequest { next_token: token.clone(), max_results: Some(10), ..Default::default() };
        let page = c.describe_snapshots(REGION, &request).await.unwrap();
        seen.extend(page.snapshots.into_iter().map(|s| s.snapshot_id));
        if page.next_token.is_empty() {
            break;
        }
        token = Some(page.next_token);
    }
    assert_eq!(seen, made);
    // PageNumber/PageSize.
    let third = c
        .describe_snapshots(REGION, &DescribeSnapshotsRequest { page_number: Some(3), page_size: Some(10), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((third.total_count, third.snapshots.len()), (23, 3));
    assert_eq!(code_of(c.describe_snapshots(REGION, &DescribeSnapshotsRequest { page_size: Some(101), ..Default::default() }).await).0, "InvalidParameter");
    // Filters: by disk, by instance, by type, by status.
    let of_data = c.describe_snapshots_all(REGION, &DescribeSnapshotsRequest { disk_id: Some(data.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(of_data.len(), 11);
    let of_vm = c.describe_snapshots_all(REGION, &DescribeSnapshotsRequest { instance_id: Some(vm.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(of_vm.len(), 23);
    let system_only = ecs(&c, "DescribeSnapshots", zstack_aliyun::Params::new().set("RegionId", REGION).set("SourceDiskType", "System").set("PageSize", 50)).await.unwrap();
    assert_eq!(system_only["TotalCount"], 12);
    let bad = ecs(&c, "DescribeSnapshots", zstack_aliyun::Params::new().set("RegionId", REGION).set("Status", "sleeping")).await;
    assert_eq!(code_of(bad).0, "InvalidParameter");
}

#[tokio::test]
async fn images_are_made_from_accomplished_system_disk_snapshots_and_pin_them() {
    let sim = sim(STEP_MS);
    let c = client(&sim, SignatureVersion::Acs3);
    let (vm, system, data) = instance(&c, &sim).await;
    c.attach_disk(REGION, &vm, &data, None).await.unwrap();
    let system_snap = c.create_snapshot(REGION, &snap(&system, "root")).await.unwrap().snapshot_id;
    let image = |snapshot: &str, name: &str| CreateImageRequest { snapshot_id: snapshot.into(), image_name: Some(name.into()), ..Default::default() };
    assert_eq!(code_of(c.create_image(REGION, &image(&system_snap, "golden")).await), ("InvalidSnapshotId.NotReady".into(), 403));
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    let data_snap = c.create_snapshot(REGION, &snap(&data, "data")).await.unwrap().snapshot_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    assert_eq!(code_of(c.create_image(REGION, &image(&data_snap, "golden")).await), ("InvalidSnapshotId.NotSystemDiskSnapshot".into(), 400));
    assert_eq!(code_of(c.create_image(REGION, &image("s-nowhere", "golden")).await), ("InvalidSnapshotId.NotFound".into(), 404));
    assert_eq!(code_of(c.create_image(REGION, &image(&system_snap, "aliyun-x")).await).0, "InvalidImageName.Malformed");

    let made = c.create_image(REGION, &image(&system_snap, "golden")).await.unwrap().image_id;
    let describe = DescribeImagesRequest { image_ids: vec![made.clone()], status: Some("Creating,Available".into()), ..Default::default() };
    let img = c.describe_images(REGION, &describe).await.unwrap().images.remove(0);
    assert_eq!((img.status.as_str(), img.image_owner_alias.as_str(), img.size), ("Creating", "self", 20), "the size of the system disk it came from");
    assert_eq!(img.platform, "Ubuntu", "the image carries the system of the disk it came from");
    sim.sim.clock.advance(Duration::from_millis(STEP_MS));
    assert_eq!(c.describe_images(REGION, &describe).await.unwrap().images[0].status, "Available");
    assert_eq!(code_of(c.create_image(REGION, &image(&system_snap, "golden")).await).0, "InvalidImageName.Duplicated");
    // The snapshot is in use: it cannot go before the image.
    let s = c.describe_snapshots(REGION, &DescribeSnapshotsRequest { snapshot_ids: vec![system_snap.clone()], ..Default::default() }).await.unwrap();
    assert_eq!(s.snapshots[0].usage, "image");
    assert_eq!(code_of(c.delete_snapshot(REGION, &system_snap, true).await), ("SnapshotCreatedImage".into(), 403));
    c.delete_image(REGION, &made, false).await.unwrap();
    c.delete_snapshot(REGION, &system_snap, false).await.unwrap();
    // The custom-image quota.
    set_quotas(&sim, json!({"images_per_region": 0})).await;
    let root2 = c.create_snapshot(REGION, &snap(&system, "root2")).await.unwrap().snapshot_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    assert_eq!(code_of(c.create_image(REGION, &image(&root2, "another")).await), ("QuotaExceed.Image".into(), 403));
}

#[tokio::test]
async fn the_disks_of_an_instance_never_started_cannot_be_snapshotted() {
    let sim = sim(STEP_MS);
    let c = client(&sim, SignatureVersion::Acs3);
    let (vm, _system, _data) = instance(&c, &sim).await;
    let running = c.describe_instances(REGION, &zstack_aliyun::ecs::DescribeInstancesRequest { instance_ids: vec![vm], ..Default::default() }).await.unwrap().instances.remove(0);
    // CreateInstance leaves the instance Stopped, never started.
    let request = RunInstancesRequest {
        image_id: IMAGE.into(),
        instance_type: "ecs.c6.large".into(),
        security_group_id: running.security_group_ids[0].clone(),
        v_switch_id: running.vpc_attributes.v_switch_id.clone(),
        ..Default::default()
    };
    let idle = c.create_instance(REGION, &request).await.unwrap().instance_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    let disks = disks_of(&c, &idle).await;
    let idle_system = disks.iter().find(|d| d.disk_type == "system").unwrap().disk_id.clone();
    assert_eq!(code_of(c.create_snapshot(REGION, &snap(&idle_system, "never")).await), ("IncorrectDiskStatus.NeverUsed".into(), 403));
    // A data disk attached to it was never used either.
    let request = CreateDiskRequest { zone_id: ZONE.into(), disk_category: "cloud_essd".into(), size_gb: Some(30), ..Default::default() };
    let data = c.create_disk(REGION, &request).await.unwrap().disk_id;
    c.attach_disk(REGION, &idle, &data, None).await.unwrap();
    assert_eq!(code_of(c.create_snapshot(REGION, &snap(&data, "never")).await), ("IncorrectDiskStatus.NeverUsed".into(), 403));
    assert!(sim.sim.state.lock().snapshots.is_empty());
    // Started once (and stopped again), its disks can be.
    c.start_instance(REGION, &idle).await.unwrap();
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    c.stop_instance(REGION, &idle, false).await.unwrap();
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    c.create_snapshot(REGION, &snap(&idle_system, "used")).await.unwrap();
    c.create_snapshot(REGION, &snap(&data, "used")).await.unwrap();
}

#[tokio::test]
async fn disks_are_made_from_accomplished_snapshots_which_they_then_pin() {
    let sim = sim(STEP_MS);
    let c = client(&sim, SignatureVersion::Acs3);
    let (vm, system, data) = instance(&c, &sim).await;
    c.attach_disk(REGION, &vm, &data, None).await.unwrap();
    let data_snap = c.create_snapshot(REGION, &snap(&data, "data")).await.unwrap().snapshot_id;
    let from = |snapshot: &str, size: Option<u32>| CreateDiskRequest {
        zone_id: ZONE.into(),
        disk_category: "cloud_essd".into(),
        size_gb: size,
        snapshot_id: Some(snapshot.into()),
        ..Default::default()
    };
    // Bad input: a snapshot still progressing, an unknown one, a size below the snapshot's
    // source disk, neither a snapshot nor a size.
    assert_eq!(code_of(c.create_disk(REGION, &from(&data_snap, None)).await), ("InvalidSnapshotId.NotReady".into(), 403));
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    assert_eq!(code_of(c.create_disk(REGION, &from("s-nowhere", None)).await), ("InvalidSnapshotId.NotFound".into(), 404));
    assert_eq!(code_of(c.create_disk(REGION, &from(&data_snap, Some(39))).await), ("InvalidDiskSize.TooSmall".into(), 403));
    let neither = CreateDiskRequest { zone_id: ZONE.into(), disk_category: "cloud_essd".into(), ..Default::default() };
    assert_eq!(code_of(c.create_disk(REGION, &neither).await), ("MissingParameter".into(), 400));
    assert_eq!(sim.sim.state.lock().disks.len(), 2, "nothing was made");

    // Without a size the disk has the snapshot's; a larger size is kept.
    let same = c.create_disk(REGION, &from(&data_snap, None)).await.unwrap().disk_id;
    let larger = c.create_disk(REGION, &from(&data_snap, Some(60))).await.unwrap().disk_id;
    let described = c.describe_disks(REGION, &DescribeDisksRequest { disk_ids: vec![same.clone(), larger.clone()], ..Default::default() }).await.unwrap().disks;
    let sizes: Vec<(i64, &str)> = described.iter().map(|d| (d.size, d.source_snapshot_id.as_str())).collect();
    assert_eq!(sizes, vec![(40, data_snap.as_str()), (60, data_snap.as_str())]);
    let usage = |c: AliyunClient, id: String| async move {
        c.describe_snapshots(REGION, &DescribeSnapshotsRequest { snapshot_ids: vec![id], ..Default::default() }).await.unwrap().snapshots.remove(0).usage
    };
    assert_eq!(usage(c.clone(), data_snap.clone()).await, "disk");
    let by_usage = ecs(&c, "DescribeSnapshots", zstack_aliyun::Params::new().set("RegionId", REGION).set("Usage", "disk")).await.unwrap();
    assert_eq!(by_usage["TotalCount"], 1);

    // A system disk's snapshot makes an image and a disk: image_disk.
    let root = c.create_snapshot(REGION, &snap(&system, "root")).await.unwrap().snapshot_id;
    sim.sim.clock.advance(Duration::from_millis(STEP_MS * 2));
    let image = CreateImageRequest { snapshot_id: root.clone(), image_name: Some("golden".into()), ..Default::default() };
    c.create_image(REGION, &image).await.unwrap();
    assert_eq!(usage(c.clone(), root.clone()).await, "image");
    c.create_disk(REGION, &from(&root, None)).await.unwrap();
    assert_eq!(usage(c.clone(), root.clone()).await, "image_disk");

    // Deleting a snapshot disks were made from needs Force; an image pins it even then.
    assert_eq!(code_of(c.delete_snapshot(REGION, &data_snap, false).await), ("SnapshotCreatedDisk".into(), 403));
    assert_eq!(code_of(c.delete_snapshot(REGION, &root, true).await), ("SnapshotCreatedImage".into(), 403));
    // While one disk made from it remains, Force is still needed; with it the snapshot goes.
    c.delete_disk(REGION, &larger).await.unwrap();
    assert_eq!(code_of(c.delete_snapshot(REGION, &data_snap, false).await).0, "SnapshotCreatedDisk");
    c.delete_snapshot(REGION, &data_snap, true).await.unwrap();
    let st = sim.sim.state.lock();
    assert!(!st.snapshots.contains_key(&data_snap));
    assert!(st.disks.contains_key(&same), "the disk made from a force-deleted snapshot stays");
}
