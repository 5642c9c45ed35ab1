//! Typed ECS (2014-05-26) actions the management node drives: regions and zones,
//! instances, security groups, disks and images. Response structs carry the field
//! names of the Tea SDK models (`response_shapes.json`), only the fields we use;
//! unknown fields are ignored and missing ones default, as the service omits empties.

use serde::{Deserialize, Serialize};

use crate::client::{AliyunClient, ECS, ECS_VERSION};
use crate::de::{lenient_string, wrapped};
use crate::error::AliyunError;
use crate::paging::{all_pages, all_tokens, paged, token_paged, PagedAnswer};
use crate::params::{new_client_token, Params};

/// The answer of actions that return nothing but their RequestId (Start/Stop/Delete...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ActionResponse {
    pub request_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EcsTag {
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeRegionsResponse {
    pub request_id: String,
    #[serde(with = "wrapped::Region")]
    pub regions: Vec<Region>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Region {
    pub region_id: String,
    pub local_name: String,
    pub region_endpoint: String,
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeZonesResponse {
    pub request_id: String,
    #[serde(with = "wrapped::Zone")]
    pub zones: Vec<Zone>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Zone {
    pub zone_id: String,
    pub local_name: String,
    pub zone_type: String,
    #[serde(with = "wrapped::InstanceTypes")]
    pub available_instance_types: Vec<String>,
    #[serde(with = "wrapped::DiskCategories")]
    pub available_disk_categories: Vec<String>,
    #[serde(with = "wrapped::ResourceTypes")]
    pub available_resource_creation: Vec<String>,
}

/// Disk size and category for RunInstances/CreateInstance (`SystemDisk.*`, `DataDisk.N.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskSpec {
    pub category: String,
    pub size_gb: u32,
}

/// RunInstances/CreateInstance parameters. `client_token` defaults to a fresh token
/// so retries never create twice; `extra` passes any parameter not modelled here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInstancesRequest {
    pub zone_id: Option<String>,
    pub image_id: String,
    pub instance_type: String,
    pub security_group_id: String,
    pub v_switch_id: String,
    pub instance_name: Option<String>,
    pub host_name: Option<String>,
    pub description: Option<String>,
    pub password: Option<String>,
    /// Instances to create (RunInstances only); 1 when 0.
    pub amount: u32,
    pub system_disk: Option<DiskSpec>,
    pub data_disks: Vec<DiskSpec>,
    pub instance_charge_type: Option<String>,
    pub internet_charge_type: Option<String>,
    pub internet_max_bandwidth_out: Option<u32>,
    pub private_ip_address: Option<String>,
    pub user_data: Option<String>,
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl RunInstancesRequest {
    fn to_params(&self, region: &str, with_amount: bool) -> Params {
        let mut p = Params::new()
            .set("RegionId", region)
            .set_opt("ZoneId", self.zone_id.as_ref())
            .set("ImageId", &self.image_id)
            .set("InstanceType", &self.instance_type)
            .set_nonempty("SecurityGroupId", &self.security_group_id)
            .set_nonempty("VSwitchId", &self.v_switch_id)
            .set_opt("InstanceName", self.instance_name.as_ref())
            .set_opt("HostName", self.host_name.as_ref())
            .set_opt("Description", self.description.as_ref())
            .set_opt("Password", self.password.as_ref())
            .set_opt("InstanceChargeType", self.instance_charge_type.as_ref())
            .set_opt("InternetChargeType", self.internet_charge_type.as_ref())
            .set_opt("InternetMaxBandwidthOut", self.internet_max_bandwidth_out)
            .set_opt("PrivateIpAddress", self.private_ip_address.as_ref())
            .set_opt("UserData", self.user_data.as_ref());
        if with_amount {
            p = p.set("Amount", self.amount.max(1));
        }
        if let Some(disk) = &self.system_disk {
            p = p
                .set("SystemDisk.Category", &disk.category)
                .set("SystemDisk.Size", disk.size_gb);
        }
        for (i, disk) in self.data_disks.iter().enumerate() {
            p = p
                .set_indexed("DataDisk", i + 1, "Category", &disk.category)
                .set_indexed("DataDisk", i + 1, "Size", disk.size_gb);
        }
        p.set_tags(&self.tags)
            .set_opt("ClientToken", self.client_token.as_ref())
            .extend(&self.extra)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RunInstancesResponse {
    pub request_id: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
    pub trade_price: f64,
    #[serde(with = "wrapped::InstanceIdSet")]
    pub instance_id_sets: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateInstanceResponse {
    pub request_id: String,
    pub instance_id: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
    pub trade_price: f64,
}

/// Filters of DescribeInstances; paging fields are filled in by the paging helpers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeInstancesRequest {
    pub instance_ids: Vec<String>,
    pub vpc_id: Option<String>,
    pub v_switch_id: Option<String>,
    pub zone_id: Option<String>,
    pub status: Option<String>,
    pub instance_name: Option<String>,
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
    pub next_token: Option<String>,
    pub max_results: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeInstancesResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    pub next_token: String,
    #[serde(with = "wrapped::Instance")]
    pub instances: Vec<Instance>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Instance {
    pub instance_id: String,
    pub instance_name: String,
    pub description: String,
    pub host_name: String,
    /// Pending, Starting, Running, Stopping, Stopped.
    pub status: String,
    pub region_id: String,
    pub zone_id: String,
    pub instance_type: String,
    pub cpu: i64,
    /// MiB.
    pub memory: i64,
    pub image_id: String,
    #[serde(rename = "OSType")]
    pub os_type: String,
    #[serde(rename = "OSName")]
    pub os_name: String,
    pub vpc_attributes: VpcAttributes,
    #[serde(with = "wrapped::IpAddress")]
    pub public_ip_address: Vec<String>,
    #[serde(with = "wrapped::IpAddress")]
    pub inner_ip_address: Vec<String>,
    pub eip_address: InstanceEip,
    #[serde(with = "wrapped::SecurityGroupId")]
    pub security_group_ids: Vec<String>,
    pub creation_time: String,
    pub instance_charge_type: String,
    pub internet_charge_type: String,
    pub internet_max_bandwidth_out: i64,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<EcsTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpcAttributes {
    pub vpc_id: String,
    pub v_switch_id: String,
    pub nat_ip_address: String,
    #[serde(with = "wrapped::IpAddress")]
    pub private_ip_address: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InstanceEip {
    pub allocation_id: String,
    pub ip_address: String,
    pub bandwidth: i64,
    pub internet_charge_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeSecurityGroupsResponse {
    pub request_id: String,
    pub region_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    pub next_token: String,
    #[serde(with = "wrapped::SecurityGroup")]
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecurityGroup {
    pub security_group_id: String,
    pub security_group_name: String,
    pub security_group_type: String,
    pub description: String,
    pub vpc_id: String,
    pub creation_time: String,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<EcsTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateSecurityGroupRequest {
    pub vpc_id: String,
    pub security_group_name: Option<String>,
    pub description: Option<String>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateSecurityGroupResponse {
    pub request_id: String,
    pub security_group_id: String,
}

/// One ingress rule for AuthorizeSecurityGroup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityGroupRule {
    pub security_group_id: String,
    /// tcp, udp, icmp, gre, all.
    pub ip_protocol: String,
    /// `22/22`, `-1/-1` for all.
    pub port_range: String,
    pub source_cidr_ip: Option<String>,
    pub source_group_id: Option<String>,
    /// accept or drop.
    pub policy: Option<String>,
    pub priority: Option<u32>,
    pub description: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateDiskRequest {
    pub zone_id: String,
    pub disk_category: String,
    /// GiB; may be left out when `snapshot_id` is given (the disk then has the snapshot's size).
    pub size_gb: Option<u32>,
    pub disk_name: Option<String>,
    pub description: Option<String>,
    pub snapshot_id: Option<String>,
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDiskResponse {
    pub request_id: String,
    pub disk_id: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeDisksRequest {
    pub disk_ids: Vec<String>,
    pub instance_id: Option<String>,
    pub zone_id: Option<String>,
    pub status: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<u32>,
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDisksResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    pub next_token: String,
    #[serde(with = "wrapped::Disk")]
    pub disks: Vec<Disk>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Disk {
    pub disk_id: String,
    pub disk_name: String,
    pub description: String,
    /// cloud_essd, cloud_ssd, cloud_efficiency, ...
    pub category: String,
    /// GiB.
    pub size: i64,
    /// Available, In_use, Attaching, Detaching, Creating, ReIniting.
    pub status: String,
    /// system or data.
    #[serde(rename = "Type")]
    pub disk_type: String,
    pub instance_id: String,
    pub device: String,
    pub region_id: String,
    pub zone_id: String,
    pub image_id: String,
    pub creation_time: String,
    pub delete_with_instance: bool,
    /// The automatic snapshot policy applies to the disk.
    pub enable_auto_snapshot: bool,
    /// Its automatic snapshots are released with it.
    pub delete_auto_snapshot: bool,
    pub portable: bool,
    /// The snapshot the disk was made from, or empty.
    pub source_snapshot_id: String,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<EcsTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescribeImagesRequest {
    pub image_ids: Vec<String>,
    pub image_name: Option<String>,
    /// system, self, others, marketplace.
    pub image_owner_alias: Option<String>,
    pub status: Option<String>,
    pub page_number: Option<u32>,
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeImagesResponse {
    pub request_id: String,
    pub region_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::Image")]
    pub images: Vec<Image>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Image {
    pub image_id: String,
    pub image_name: String,
    pub description: String,
    /// Creating, Waiting, Available, UnAvailable, CreateFailed, Deprecated.
    pub status: String,
    pub progress: String,
    /// GiB.
    pub size: i64,
    #[serde(rename = "OSType")]
    pub os_type: String,
    #[serde(rename = "OSName")]
    pub os_name: String,
    pub platform: String,
    pub architecture: String,
    pub image_owner_alias: String,
    pub creation_time: String,
    pub usage: String,
}

/// One disk image file in OSS for ImportImage (`DiskDeviceMapping.N.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportImageDisk {
    pub oss_bucket: String,
    pub oss_object: String,
    /// RAW, VHD, QCOW2.
    pub format: String,
    /// GiB of the disk the image becomes.
    pub disk_image_size_gb: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportImageRequest {
    pub image_name: Option<String>,
    pub description: Option<String>,
    /// linux or windows.
    pub os_type: Option<String>,
    /// Ubuntu, CentOS, Others Linux, ...
    pub platform: Option<String>,
    /// x86_64 or arm64.
    pub architecture: Option<String>,
    pub disks: Vec<ImportImageDisk>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImportImageResponse {
    pub request_id: String,
    pub image_id: String,
    pub region_id: String,
    pub task_id: String,
}

paged!(
    DescribeSecurityGroupsResponse = "DescribeSecurityGroups" => security_groups: SecurityGroup,
    DescribeImagesResponse = "DescribeImages" => images: Image,
);
token_paged!(
    DescribeInstancesRequest => DescribeInstancesResponse { instances: Instance },
    DescribeDisksRequest => DescribeDisksResponse { disks: Disk },
);

/// Page sizes used by the `*_all` helpers (each within the action's documented maximum).
const INSTANCE_MAX_RESULTS: u32 = 100;
const DISK_MAX_RESULTS: u32 = 100;
const IMAGE_PAGE_SIZE: u32 = 100;
const SECURITY_GROUP_PAGE_SIZE: u32 = 50;

impl AliyunClient {
    async fn ecs<R: serde::de::DeserializeOwned>(
        &self,
        region: &str,
        action: &str,
        params: Params,
    ) -> Result<R, AliyunError> {
        self.call_in_region(region, ECS, ECS_VERSION, action, params.as_slice())
            .await
    }

    /// All regions the account can use (endpoint of the default region).
    pub async fn describe_regions(&self) -> Result<DescribeRegionsResponse, AliyunError> {
        let region = self.config.default_region.clone();
        self.ecs(&region, "DescribeRegions", Params::new()).await
    }

    pub async fn describe_zones(&self, region: &str) -> Result<DescribeZonesResponse, AliyunError> {
        self.ecs(
            region,
            "DescribeZones",
            Params::new().set("RegionId", region),
        )
        .await
    }

    pub async fn run_instances(
        &self,
        region: &str,
        request: &RunInstancesRequest,
    ) -> Result<RunInstancesResponse, AliyunError> {
        self.ecs(region, "RunInstances", request.to_params(region, true))
            .await
    }

    /// Creates one stopped instance (RunInstances creates and starts `amount` of them).
    pub async fn create_instance(
        &self,
        region: &str,
        request: &RunInstancesRequest,
    ) -> Result<CreateInstanceResponse, AliyunError> {
        self.ecs(region, "CreateInstance", request.to_params(region, false))
            .await
    }

    /// One page; see [`Self::describe_instances_all`] for every instance.
    pub async fn describe_instances(
        &self,
        region: &str,
        request: &DescribeInstancesRequest,
    ) -> Result<DescribeInstancesResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_json_list("InstanceIds", &request.instance_ids)
            .set_opt("VpcId", request.vpc_id.as_ref())
            .set_opt("VSwitchId", request.v_switch_id.as_ref())
            .set_opt("ZoneId", request.zone_id.as_ref())
            .set_opt("Status", request.status.as_ref())
            .set_opt("InstanceName", request.instance_name.as_ref())
            .set_opt("PageNumber", request.page_number)
            .set_opt("PageSize", request.page_size)
            .set_opt("NextToken", request.next_token.as_ref())
            .set_opt("MaxResults", request.max_results);
        self.ecs(region, "DescribeInstances", params).await
    }

    /// Every instance matching the filters, following NextToken.
    pub async fn describe_instances_all(
        &self,
        region: &str,
        filter: &DescribeInstancesRequest,
    ) -> Result<Vec<Instance>, AliyunError> {
        all_tokens(INSTANCE_MAX_RESULTS, filter, |request| async move { self.describe_instances(region, &request).await }).await
    }

    pub async fn start_instance(
        &self,
        region: &str,
        instance_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        self.ecs(
            region,
            "StartInstance",
            Params::new().set("InstanceId", instance_id),
        )
        .await
    }

    pub async fn stop_instance(
        &self,
        region: &str,
        instance_id: &str,
        force: bool,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("InstanceId", instance_id)
            .set("ForceStop", force);
        self.ecs(region, "StopInstance", params).await
    }

    pub async fn reboot_instance(
        &self,
        region: &str,
        instance_id: &str,
        force: bool,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("InstanceId", instance_id)
            .set("ForceStop", force);
        self.ecs(region, "RebootInstance", params).await
    }

    /// `force` also deletes a running instance.
    pub async fn delete_instance(
        &self,
        region: &str,
        instance_id: &str,
        force: bool,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("InstanceId", instance_id)
            .set("Force", force);
        self.ecs(region, "DeleteInstance", params).await
    }

    pub async fn describe_security_groups(
        &self,
        region: &str,
        vpc_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeSecurityGroupsResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_opt("VpcId", vpc_id)
            .set("PageNumber", page_number)
            .set("PageSize", page_size);
        self.ecs(region, DescribeSecurityGroupsResponse::ACTION, params).await
    }

    pub async fn describe_security_groups_all(
        &self,
        region: &str,
        vpc_id: Option<&str>,
    ) -> Result<Vec<SecurityGroup>, AliyunError> {
        all_pages(SECURITY_GROUP_PAGE_SIZE, |number, size| self.describe_security_groups(region, vpc_id, number, size)).await
    }

    pub async fn create_security_group(
        &self,
        region: &str,
        request: &CreateSecurityGroupRequest,
    ) -> Result<CreateSecurityGroupResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpcId", &request.vpc_id)
            .set_opt("SecurityGroupName", request.security_group_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.ecs(region, "CreateSecurityGroup", params).await
    }

    pub async fn authorize_security_group(
        &self,
        region: &str,
        rule: &SecurityGroupRule,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("SecurityGroupId", &rule.security_group_id)
            .set("IpProtocol", &rule.ip_protocol)
            .set("PortRange", &rule.port_range)
            .set_opt("SourceCidrIp", rule.source_cidr_ip.as_ref())
            .set_opt("SourceGroupId", rule.source_group_id.as_ref())
            .set_opt("Policy", rule.policy.as_ref())
            .set_opt("Priority", rule.priority)
            .set_opt("Description", rule.description.as_ref())
            // Not a Create* action, but a repeated rule is an error, so retries need the token.
            .set(
                "ClientToken",
                rule.client_token.clone().unwrap_or_else(new_client_token),
            );
        self.ecs(region, "AuthorizeSecurityGroup", params).await
    }

    pub async fn delete_security_group(
        &self,
        region: &str,
        security_group_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("SecurityGroupId", security_group_id);
        self.ecs(region, "DeleteSecurityGroup", params).await
    }

    pub async fn create_disk(
        &self,
        region: &str,
        request: &CreateDiskRequest,
    ) -> Result<CreateDiskResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("ZoneId", &request.zone_id)
            .set("DiskCategory", &request.disk_category)
            .set_opt("Size", request.size_gb)
            .set_opt("DiskName", request.disk_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("SnapshotId", request.snapshot_id.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.ecs(region, "CreateDisk", params).await
    }

    pub async fn attach_disk(
        &self,
        region: &str,
        instance_id: &str,
        disk_id: &str,
        delete_with_instance: Option<bool>,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("InstanceId", instance_id)
            .set("DiskId", disk_id)
            .set_opt("DeleteWithInstance", delete_with_instance);
        self.ecs(region, "AttachDisk", params).await
    }

    pub async fn detach_disk(
        &self,
        region: &str,
        instance_id: &str,
        disk_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("InstanceId", instance_id)
            .set("DiskId", disk_id);
        self.ecs(region, "DetachDisk", params).await
    }

    pub async fn delete_disk(
        &self,
        region: &str,
        disk_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        self.ecs(region, "DeleteDisk", Params::new().set("DiskId", disk_id))
            .await
    }

    pub async fn describe_disks(
        &self,
        region: &str,
        request: &DescribeDisksRequest,
    ) -> Result<DescribeDisksResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_json_list("DiskIds", &request.disk_ids)
            .set_opt("InstanceId", request.instance_id.as_ref())
            .set_opt("ZoneId", request.zone_id.as_ref())
            .set_opt("Status", request.status.as_ref())
            .set_opt("NextToken", request.next_token.as_ref())
            .set_opt("MaxResults", request.max_results)
            .set_opt("PageNumber", request.page_number)
            .set_opt("PageSize", request.page_size);
        self.ecs(region, "DescribeDisks", params).await
    }

    /// Every disk matching the filters, following NextToken.
    pub async fn describe_disks_all(
        &self,
        region: &str,
        filter: &DescribeDisksRequest,
    ) -> Result<Vec<Disk>, AliyunError> {
        all_tokens(DISK_MAX_RESULTS, filter, |request| async move { self.describe_disks(region, &request).await }).await
    }

    pub async fn describe_images(
        &self,
        region: &str,
        request: &DescribeImagesRequest,
    ) -> Result<DescribeImagesResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_opt("ImageName", request.image_name.as_ref())
            .set_opt("ImageOwnerAlias", request.image_owner_alias.as_ref())
            .set_opt("Status", request.status.as_ref())
            .set_opt("PageNumber", request.page_number)
            .set_opt("PageSize", request.page_size);
        // DescribeImages takes a comma-separated ImageId list, not a JSON array.
        let params = if request.image_ids.is_empty() {
            params
        } else {
            params.set("ImageId", request.image_ids.join(","))
        };
        self.ecs(region, DescribeImagesResponse::ACTION, params).await
    }

    /// Every image matching the filters, page by page.
    pub async fn describe_images_all(
        &self,
        region: &str,
        filter: &DescribeImagesRequest,
    ) -> Result<Vec<Image>, AliyunError> {
        all_pages(IMAGE_PAGE_SIZE, |number, size| {
            let request = DescribeImagesRequest { page_number: Some(number), page_size: Some(size), ..filter.clone() };
            async move { self.describe_images(region, &request).await }
        })
        .await
    }

    /// Imports image files already uploaded to OSS (see [`crate::oss`]) as a custom image.
    pub async fn import_image(
        &self,
        region: &str,
        request: &ImportImageRequest,
    ) -> Result<ImportImageResponse, AliyunError> {
        let mut params = Params::new()
            .set("RegionId", region)
            .set_opt("ImageName", request.image_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("OSType", request.os_type.as_ref())
            .set_opt("Platform", request.platform.as_ref())
            .set_opt("Architecture", request.architecture.as_ref());
        for (i, disk) in request.disks.iter().enumerate() {
            params = params
                .set_indexed("DiskDeviceMapping", i + 1, "OSSBucket", &disk.oss_bucket)
                .set_indexed("DiskDeviceMapping", i + 1, "OSSObject", &disk.oss_object)
                .set_indexed("DiskDeviceMapping", i + 1, "Format", &disk.format)
                .set_indexed(
                    "DiskDeviceMapping",
                    i + 1,
                    "DiskImageSize",
                    disk.disk_image_size_gb,
                );
        }
        params = params
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.ecs(region, "ImportImage", params).await
    }

    pub async fn delete_image(
        &self,
        region: &str,
        image_id: &str,
        force: bool,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("ImageId", image_id)
            .set("Force", force);
        self.ecs(region, "DeleteImage", params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_instances_params_flatten_disks_and_tags_and_pass_a_given_client_token() {
        let request = RunInstancesRequest {
            image_id: "img".into(),
            instance_type: "ecs.g6.large".into(),
            security_group_id: "sg-1".into(),
            v_switch_id: "vsw-1".into(),
            amount: 0,
            system_disk: Some(DiskSpec {
                category: "cloud_essd".into(),
                size_gb: 40,
            }),
            data_disks: vec![DiskSpec {
                category: "cloud_essd".into(),
                size_gb: 100,
            }],
            tags: vec![("env".into(), "test".into())],
            ..Default::default()
        };
        let params = request.to_params("cn-hangzhou", true).into_vec();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Amount"), Some("1"));
        assert_eq!(get("SystemDisk.Size"), Some("40"));
        assert_eq!(get("DataDisk.1.Category"), Some("cloud_essd"));
        assert_eq!(get("Tag.1.Value"), Some("test"));
        // The client adds a token to creating actions; see `client::creates_resources`.
        assert_eq!(get("ClientToken"), None);
        assert_eq!(get("InstanceName"), None);
        let fixed = RunInstancesRequest {
            client_token: Some("tok".into()),
            ..request
        };
        assert!(fixed
            .to_params("cn-hangzhou", false)
            .into_vec()
            .contains(&("ClientToken".into(), "tok".into())));
        assert!(!fixed
            .to_params("cn-hangzhou", false)
            .into_vec()
            .iter()
            .any(|(k, _)| k == "Amount"));
    }
}
