//! Typed ECS (2014-05-26) disk-snapshot actions: CreateSnapshot, DescribeSnapshots,
//! ModifySnapshotAttribute, DeleteSnapshot, and CreateImage from a snapshot. As in
//! [`crate::ecs`], response structs carry the Tea SDK model's field names and only the
//! fields we use. CreateSnapshot, ModifySnapshotAttribute and DeleteSnapshot take no
//! RegionId (the snapshot or disk id names the region); the region still picks the
//! endpoint.

use serde::{Deserialize, Serialize};

use crate::de::{lenient_string, wrapped};
use crate::ecs::{ActionResponse, EcsTag};
use crate::error::AliyunError;
use crate::paging::{all_tokens, token_paged};
use crate::params::Params;
use crate::{AliyunClient, ECS, ECS_VERSION};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateSnapshotRequest {
    pub disk_id: String,
    pub snapshot_name: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateSnapshotResponse {
    pub request_id: String,
    pub snapshot_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeSnapshotsRequest {
    pub snapshot_ids: Vec<String>,
    pub disk_id: Option<String>,
    pub instance_id: Option<String>,
    /// progressing, accomplished, failed or all.
    pub status: Option<String>,
    pub snapshot_name: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<u32>,
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeSnapshotsResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    pub next_token: String,
    #[serde(with = "wrapped::Snapshot")]
    pub snapshots: Vec<Snapshot>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Snapshot {
    pub snapshot_id: String,
    pub snapshot_name: String,
    pub description: String,
    /// progressing, accomplished or failed.
    pub status: String,
    /// `"40%"`.
    pub progress: String,
    /// Seconds until the snapshot is done.
    pub remain_time: i64,
    /// The disk it was taken of; kept after the disk is released.
    pub source_disk_id: String,
    /// GiB, sent as a string.
    #[serde(with = "lenient_string")]
    pub source_disk_size: String,
    /// System or Data.
    pub source_disk_type: String,
    /// image, disk, image_disk or none: what has been made from the snapshot.
    pub usage: String,
    /// auto or user.
    pub snapshot_type: String,
    pub category: String,
    pub available: bool,
    pub encrypted: bool,
    pub region_id: String,
    pub creation_time: String,
    pub last_modified_time: String,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<EcsTag>,
}

/// CreateImage from a snapshot (the snapshot becomes the image's system disk).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateImageRequest {
    pub snapshot_id: String,
    pub image_name: Option<String>,
    pub description: Option<String>,
    pub platform: Option<String>,
    pub architecture: Option<String>,
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateImageResponse {
    pub request_id: String,
    pub image_id: String,
}

token_paged!(DescribeSnapshotsRequest => DescribeSnapshotsResponse { snapshots: Snapshot });

/// DescribeSnapshots' largest MaxResults.
const SNAPSHOT_MAX_RESULTS: u32 = 100;

impl AliyunClient {
    pub async fn create_snapshot(
        &self,
        region: &str,
        request: &CreateSnapshotRequest,
    ) -> Result<CreateSnapshotResponse, AliyunError> {
        let params = Params::new()
            .set("DiskId", &request.disk_id)
            .set_opt("SnapshotName", request.snapshot_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.call_in_region(region, ECS, ECS_VERSION, "CreateSnapshot", params.as_slice())
            .await
    }

    pub async fn describe_snapshots(
        &self,
        region: &str,
        request: &DescribeSnapshotsRequest,
    ) -> Result<DescribeSnapshotsResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_json_list("SnapshotIds", &request.snapshot_ids)
            .set_opt("DiskId", request.disk_id.as_ref())
            .set_opt("InstanceId", request.instance_id.as_ref())
            .set_opt("Status", request.status.as_ref())
            .set_opt("SnapshotName", request.snapshot_name.as_ref())
            .set_opt("NextToken", request.next_token.as_ref())
            .set_opt("MaxResults", request.max_results)
            .set_opt("PageNumber", request.page_number)
            .set_opt("PageSize", request.page_size);
        self.call_in_region(region, ECS, ECS_VERSION, "DescribeSnapshots", params.as_slice())
            .await
    }

    /// Every snapshot matching the filters, following NextToken.
    pub async fn describe_snapshots_all(
        &self,
        region: &str,
        filter: &DescribeSnapshotsRequest,
    ) -> Result<Vec<Snapshot>, AliyunError> {
        all_tokens(SNAPSHOT_MAX_RESULTS, filter, |request| async move { self.describe_snapshots(region, &request).await }).await
    }

    pub async fn modify_snapshot_attribute(
        &self,
        region: &str,
        snapshot_id: &str,
        snapshot_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("SnapshotId", snapshot_id)
            .set_opt("SnapshotName", snapshot_name)
            .set_opt("Description", description);
        self.call_in_region(region, ECS, ECS_VERSION, "ModifySnapshotAttribute", params.as_slice())
            .await
    }

    /// `force` also deletes a snapshot disks were made from (never one images were made from).
    pub async fn delete_snapshot(
        &self,
        region: &str,
        snapshot_id: &str,
        force: bool,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("SnapshotId", snapshot_id)
            .set("Force", force);
        self.call_in_region(region, ECS, ECS_VERSION, "DeleteSnapshot", params.as_slice())
            .await
    }

    pub async fn create_image(
        &self,
        region: &str,
        request: &CreateImageRequest,
    ) -> Result<CreateImageResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("SnapshotId", &request.snapshot_id)
            .set_opt("ImageName", request.image_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("Platform", request.platform.as_ref())
            .set_opt("Architecture", request.architecture.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.call_in_region(region, ECS, ECS_VERSION, "CreateImage", params.as_slice())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_describe_snapshots_answer_parses_with_its_size_as_a_string_or_a_number() {
        let body = r#"{"RequestId":"r","TotalCount":2,"PageNumber":1,"PageSize":10,"NextToken":"",
            "Snapshots":{"Snapshot":[
              {"SnapshotId":"s-1","SnapshotName":"a","Status":"progressing","Progress":"50%","SourceDiskId":"d-1",
               "SourceDiskSize":"40","SourceDiskType":"Data","Usage":"none","Available":false,
               "Tags":{"Tag":[{"TagKey":"created-by","TagValue":"zstack"}]}},
              {"SnapshotId":"s-2","SourceDiskSize":20,"Usage":"image"}]}}"#;
        let page: DescribeSnapshotsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(page.snapshots.len(), 2);
        assert_eq!(page.snapshots[0].source_disk_size, "40");
        assert_eq!(page.snapshots[0].tags[0].tag_value, "zstack");
        assert_eq!(page.snapshots[1].source_disk_size, "20");
        assert_eq!(page.snapshots[1].usage, "image");
    }
}
