//! Typed Express Connect actions of the VPC API (2016-04-28) beyond listing: access
//! points, the border-router lifecycle (terminate, recover, modify) and what changes a
//! router interface (set its opposite end, connect, activate, deactivate). Listing
//! border routers and router interfaces is in [`crate::routing`].

use serde::{Deserialize, Serialize};

use crate::client::AliyunClient;
use crate::de::wrapped;
use crate::ecs::ActionResponse;
use crate::error::AliyunError;
use crate::params::Params;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeAccessPointsResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::AccessPointType")]
    pub access_point_set: Vec<AccessPoint>,
}

/// Where leased lines enter a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AccessPoint {
    pub access_point_id: String,
    pub name: String,
    pub description: String,
    /// recommended, hot, full, disabled.
    pub status: String,
    /// The network type of the line (VPC).
    #[serde(rename = "Type")]
    pub access_point_type: String,
    pub attached_region_no: String,
    pub location: String,
    pub host_operator: String,
}

crate::paging::paged!(DescribeAccessPointsResponse = "DescribeAccessPoints" => access_point_set: AccessPoint);

/// The attributes ModifyVirtualBorderRouterAttribute changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyVirtualBorderRouterRequest {
    pub vbr_id: String,
    pub vlan_id: Option<i64>,
    pub circuit_code: Option<String>,
    pub local_gateway_ip: Option<String>,
    pub peer_gateway_ip: Option<String>,
    pub peering_subnet_mask: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub client_token: Option<String>,
}

/// The opposite end (and name) ModifyRouterInterfaceAttribute sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyRouterInterfaceRequest {
    pub router_interface_id: String,
    pub opposite_interface_id: Option<String>,
    pub opposite_router_id: Option<String>,
    /// VRouter or VBR.
    pub opposite_router_type: Option<String>,
    pub name: Option<String>,
}

impl AliyunClient {
    pub async fn describe_access_points_all(&self, region: &str) -> Result<Vec<AccessPoint>, AliyunError> {
        self.vpc_all::<DescribeAccessPointsResponse>(region, Params::new()).await
    }

    async fn vbr_action(&self, region: &str, action: &str, vbr_id: &str) -> Result<ActionResponse, AliyunError> {
        self.vpc(region, action, Params::new().set("RegionId", region).set("VbrId", vbr_id)).await
    }

    /// active -> terminating -> terminated.
    pub async fn terminate_virtual_border_router(&self, region: &str, vbr_id: &str) -> Result<ActionResponse, AliyunError> {
        self.vbr_action(region, "TerminateVirtualBorderRouter", vbr_id).await
    }

    /// terminated -> recovering -> active.
    pub async fn recover_virtual_border_router(&self, region: &str, vbr_id: &str) -> Result<ActionResponse, AliyunError> {
        self.vbr_action(region, "RecoverVirtualBorderRouter", vbr_id).await
    }

    pub async fn modify_virtual_border_router(
        &self,
        region: &str,
        request: &ModifyVirtualBorderRouterRequest,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VbrId", &request.vbr_id)
            .set_opt("VlanId", request.vlan_id.map(|v| v.to_string()).as_ref())
            .set_opt("CircuitCode", request.circuit_code.as_ref())
            .set_opt("LocalGatewayIp", request.local_gateway_ip.as_ref())
            .set_opt("PeerGatewayIp", request.peer_gateway_ip.as_ref())
            .set_opt("PeeringSubnetMask", request.peering_subnet_mask.as_ref())
            .set_opt("Name", request.name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "ModifyVirtualBorderRouterAttribute", params).await
    }

    pub async fn modify_router_interface(&self, region: &str, request: &ModifyRouterInterfaceRequest) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("RouterInterfaceId", &request.router_interface_id)
            .set_opt("OppositeInterfaceId", request.opposite_interface_id.as_ref())
            .set_opt("OppositeRouterId", request.opposite_router_id.as_ref())
            .set_opt("OppositeRouterType", request.opposite_router_type.as_ref())
            .set_opt("Name", request.name.as_ref());
        self.vpc(region, "ModifyRouterInterfaceAttribute", params).await
    }

    async fn router_interface_action(&self, region: &str, action: &str, id: &str) -> Result<ActionResponse, AliyunError> {
        self.vpc(region, action, Params::new().set("RegionId", region).set("RouterInterfaceId", id)).await
    }

    /// From an Idle initiating side whose opposite end names it back: both ends go Active.
    pub async fn connect_router_interface(&self, region: &str, id: &str) -> Result<ActionResponse, AliyunError> {
        self.router_interface_action(region, "ConnectRouterInterface", id).await
    }

    /// Inactive -> Activating -> Active.
    pub async fn activate_router_interface(&self, region: &str, id: &str) -> Result<ActionResponse, AliyunError> {
        self.router_interface_action(region, "ActivateRouterInterface", id).await
    }

    /// Active -> Deactivating -> Inactive.
    pub async fn deactivate_router_interface(&self, region: &str, id: &str) -> Result<ActionResponse, AliyunError> {
        self.router_interface_action(region, "DeactivateRouterInterface", id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_points_decode_the_documented_shape() {
        let body = serde_json::json!({
            "RequestId": "r", "TotalCount": 1, "PageNumber": 1, "PageSize": 10,
            "AccessPointSet": { "AccessPointType": [{
                "AccessPointId": "ap-cn-hangzhou-xs-A", "Name": "Xiaoshan-A", "Status": "recommended", "Type": "VPC",
                "AttachedRegionNo": "cn-hangzhou", "Location": "Xiaoshan", "HostOperator": "China Telecom", "Description": "d"
            }] }
        });
        let decoded: DescribeAccessPointsResponse = serde_json::from_value(body).unwrap();
        let ap = &decoded.access_point_set[0];
        assert_eq!((ap.access_point_id.as_str(), ap.access_point_type.as_str(), ap.host_operator.as_str()), ("ap-cn-hangzhou-xs-A", "VPC", "China Telecom"));
    }
}
