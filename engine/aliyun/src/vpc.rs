//! Typed VPC (2016-04-28) actions: VPCs, vSwitches and elastic IPs. Same conventions
//! as [`crate::ecs`]: Tea SDK field names, only the fields we use, ClientToken on creates.

use serde::{Deserialize, Serialize};

use crate::client::{AliyunClient, VPC, VPC_VERSION};
use crate::de::{lenient_string, wrapped};
use crate::ecs::ActionResponse;
use crate::error::AliyunError;
use crate::paging::{all_pages, paged, PagedAnswer};
use crate::params::{new_client_token, Params};

/// VPC-product tags are `{Key, Value}` (ECS uses `{TagKey, TagValue}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpcTag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateVpcRequest {
    pub cidr_block: String,
    pub vpc_name: Option<String>,
    pub description: Option<String>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateVpcResponse {
    pub request_id: String,
    pub vpc_id: String,
    pub v_router_id: String,
    pub route_table_id: String,
    pub resource_group_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVpcsResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::Vpc")]
    pub vpcs: Vec<Vpc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Vpc {
    pub vpc_id: String,
    pub vpc_name: String,
    pub cidr_block: String,
    pub description: String,
    /// Pending or Available.
    pub status: String,
    pub region_id: String,
    pub v_router_id: String,
    pub is_default: bool,
    pub creation_time: String,
    #[serde(with = "wrapped::VSwitchId")]
    pub v_switch_ids: Vec<String>,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<VpcTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateVSwitchRequest {
    pub vpc_id: String,
    pub zone_id: String,
    pub cidr_block: String,
    pub v_switch_name: Option<String>,
    pub description: Option<String>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateVSwitchResponse {
    pub request_id: String,
    pub v_switch_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVSwitchesResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::VSwitch")]
    pub v_switches: Vec<VSwitch>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VSwitch {
    pub v_switch_id: String,
    pub v_switch_name: String,
    pub vpc_id: String,
    pub zone_id: String,
    pub cidr_block: String,
    pub description: String,
    pub status: String,
    pub available_ip_address_count: i64,
    pub is_default: bool,
    pub creation_time: String,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<VpcTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocateEipRequest {
    /// Mbit/s.
    pub bandwidth: Option<u32>,
    /// PayByTraffic or PayByBandwidth.
    pub internet_charge_type: Option<String>,
    pub name: Option<String>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocateEipAddressResponse {
    pub request_id: String,
    pub allocation_id: String,
    pub eip_address: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
    pub resource_group_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeEipAddressesResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::EipAddress")]
    pub eip_addresses: Vec<EipAddress>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EipAddress {
    pub allocation_id: String,
    pub ip_address: String,
    pub name: String,
    pub description: String,
    /// Associating, Unassociating, InUse, Available, Releasing.
    pub status: String,
    pub instance_id: String,
    /// EcsInstance, SlbInstance, Nat, HaVip, NetworkInterface, ...
    pub instance_type: String,
    pub region_id: String,
    #[serde(with = "lenient_string")]
    pub bandwidth: String,
    pub internet_charge_type: String,
    pub charge_type: String,
    pub allocation_time: String,
}

const VPC_PAGE_SIZE: u32 = 50;

paged!(
    DescribeVpcsResponse = "DescribeVpcs" => vpcs: Vpc,
    DescribeVSwitchesResponse = "DescribeVSwitches" => v_switches: VSwitch,
    DescribeEipAddressesResponse = "DescribeEipAddresses" => eip_addresses: EipAddress,
);

impl AliyunClient {
    /// One page of a VPC-API listing: `filters` plus RegionId, PageNumber and PageSize.
    pub(crate) async fn vpc_page<R: PagedAnswer>(&self, region: &str, filters: Params, page_number: u32, page_size: u32) -> Result<R, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .extend(filters.as_slice())
            .set("PageNumber", page_number)
            .set("PageSize", page_size);
        self.vpc(region, R::ACTION, params).await
    }

    /// Every item of a VPC-API listing, page by page.
    pub(crate) async fn vpc_all<R: PagedAnswer>(&self, region: &str, filters: Params) -> Result<Vec<R::Item>, AliyunError> {
        all_pages(VPC_PAGE_SIZE, |number, size| self.vpc_page::<R>(region, filters.clone(), number, size)).await
    }

    /// One call of the VPC API (also used by the routing and VPN actions, same product).
    pub(crate) async fn vpc<R: serde::de::DeserializeOwned>(
        &self,
        region: &str,
        action: &str,
        params: Params,
    ) -> Result<R, AliyunError> {
        self.call_in_region(region, VPC, VPC_VERSION, action, params.as_slice())
            .await
    }

    pub async fn create_vpc(
        &self,
        region: &str,
        request: &CreateVpcRequest,
    ) -> Result<CreateVpcResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("CidrBlock", &request.cidr_block)
            .set_opt("VpcName", request.vpc_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateVpc", params).await
    }

    pub async fn delete_vpc(
        &self,
        region: &str,
        vpc_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        self.vpc(
            region,
            "DeleteVpc",
            Params::new().set("RegionId", region).set("VpcId", vpc_id),
        )
        .await
    }

    pub async fn describe_vpcs(
        &self,
        region: &str,
        vpc_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVpcsResponse, AliyunError> {
        let filters = Params::new().set_opt("VpcId", vpc_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_vpcs_all(&self, region: &str) -> Result<Vec<Vpc>, AliyunError> {
        self.vpc_all::<DescribeVpcsResponse>(region, Params::new()).await
    }

    pub async fn create_vswitch(
        &self,
        region: &str,
        request: &CreateVSwitchRequest,
    ) -> Result<CreateVSwitchResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpcId", &request.vpc_id)
            .set("ZoneId", &request.zone_id)
            .set("CidrBlock", &request.cidr_block)
            .set_opt("VSwitchName", request.v_switch_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateVSwitch", params).await
    }

    pub async fn delete_vswitch(
        &self,
        region: &str,
        v_switch_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        self.vpc(
            region,
            "DeleteVSwitch",
            Params::new()
                .set("RegionId", region)
                .set("VSwitchId", v_switch_id),
        )
        .await
    }

    pub async fn describe_vswitches(
        &self,
        region: &str,
        vpc_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVSwitchesResponse, AliyunError> {
        let filters = Params::new().set_opt("VpcId", vpc_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_vswitches_all(
        &self,
        region: &str,
        vpc_id: Option<&str>,
    ) -> Result<Vec<VSwitch>, AliyunError> {
        let filters = Params::new().set_opt("VpcId", vpc_id);
        self.vpc_all::<DescribeVSwitchesResponse>(region, filters).await
    }

    pub async fn allocate_eip_address(
        &self,
        region: &str,
        request: &AllocateEipRequest,
    ) -> Result<AllocateEipAddressResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set_opt("Bandwidth", request.bandwidth)
            .set_opt("InternetChargeType", request.internet_charge_type.as_ref())
            .set_opt("Name", request.name.as_ref())
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "AllocateEipAddress", params).await
    }

    /// `instance_type` defaults to EcsInstance on the service side when `None`.
    pub async fn associate_eip_address(
        &self,
        region: &str,
        allocation_id: &str,
        instance_id: &str,
        instance_type: Option<&str>,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("AllocationId", allocation_id)
            .set("InstanceId", instance_id)
            .set_opt("InstanceType", instance_type)
            .set("ClientToken", new_client_token());
        self.vpc(region, "AssociateEipAddress", params).await
    }

    pub async fn unassociate_eip_address(
        &self,
        region: &str,
        allocation_id: &str,
        instance_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("AllocationId", allocation_id)
            .set("InstanceId", instance_id)
            .set("ClientToken", new_client_token());
        self.vpc(region, "UnassociateEipAddress", params).await
    }

    pub async fn release_eip_address(
        &self,
        region: &str,
        allocation_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("AllocationId", allocation_id);
        self.vpc(region, "ReleaseEipAddress", params).await
    }

    pub async fn describe_eip_addresses(
        &self,
        region: &str,
        allocation_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeEipAddressesResponse, AliyunError> {
        let filters = Params::new().set_opt("AllocationId", allocation_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_eip_addresses_all(
        &self,
        region: &str,
    ) -> Result<Vec<EipAddress>, AliyunError> {
        self.vpc_all::<DescribeEipAddressesResponse>(region, Params::new()).await
    }
}
