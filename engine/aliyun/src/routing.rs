//! Typed VPC (2016-04-28) routing actions: vRouters and their route tables, custom route
//! entries, Express Connect virtual border routers (VBRs) and router interfaces. Same
//! conventions as [`crate::vpc`]: Tea SDK field names, only the fields we use; creating
//! actions get a ClientToken from the client when the caller gives none.

use serde::{Deserialize, Serialize};

use crate::client::AliyunClient;
use crate::de::{lenient_i64, lenient_string, wrapped};
use crate::ecs::ActionResponse;
use crate::error::AliyunError;
use crate::params::Params;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVRoutersResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::VRouter")]
    pub v_routers: Vec<VRouter>,
}

/// The router every VPC has; its route tables hold the VPC's routes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VRouter {
    pub v_router_id: String,
    pub v_router_name: String,
    pub vpc_id: String,
    pub region_id: String,
    pub description: String,
    pub creation_time: String,
    #[serde(with = "wrapped::RouteTableId")]
    pub route_table_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeRouteTablesResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::RouteTable")]
    pub route_tables: Vec<RouteTable>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouteTable {
    pub route_table_id: String,
    pub v_router_id: String,
    /// System or Custom.
    pub route_table_type: String,
    pub status: String,
    pub creation_time: String,
    pub resource_group_id: String,
    #[serde(with = "wrapped::VSwitchId")]
    pub v_switch_ids: Vec<String>,
    /// The service's own spelling.
    #[serde(with = "wrapped::RouteEntry")]
    pub route_entrys: Vec<RouteEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouteEntry {
    pub route_entry_id: String,
    pub route_table_id: String,
    pub destination_cidr_block: String,
    /// System (made by the service, one per vSwitch) or Custom.
    #[serde(rename = "Type")]
    pub entry_type: String,
    /// Pending, Available, Modifying.
    pub status: String,
    /// Instance, VpnGateway, RouterInterface, HaVip, local, service, ...
    pub next_hop_type: String,
    /// The next hop's id.
    pub instance_id: String,
    pub route_entry_name: String,
    pub description: String,
    #[serde(with = "wrapped::NextHop")]
    pub next_hops: Vec<NextHop>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NextHop {
    pub next_hop_type: String,
    pub next_hop_id: String,
    #[serde(with = "lenient_i64")]
    pub enabled: i64,
    #[serde(with = "lenient_i64")]
    pub weight: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateRouteEntryRequest {
    pub route_table_id: String,
    pub destination_cidr_block: String,
    /// Instance (default), VpnGateway, RouterInterface, HaVip, NetworkInterface, ...
    pub next_hop_type: Option<String>,
    pub next_hop_id: String,
    pub route_entry_name: Option<String>,
    pub description: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateRouteEntryResponse {
    pub request_id: String,
    pub route_entry_id: String,
}

/// Which custom route DeleteRouteEntry removes: by id, or by table + destination
/// (+ next hop when several routes share the destination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteEntrySelector {
    Id(String),
    Destination {
        route_table_id: String,
        destination_cidr_block: String,
        next_hop_id: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVirtualBorderRoutersResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::VirtualBorderRouterType")]
    pub virtual_border_router_set: Vec<VirtualBorderRouter>,
}

/// An Express Connect border router: the cloud end of a leased line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VirtualBorderRouter {
    pub vbr_id: String,
    pub name: String,
    pub description: String,
    /// unconfirmed, active, terminating, terminated, recovering, deleting.
    pub status: String,
    pub physical_connection_id: String,
    pub physical_connection_status: String,
    pub access_point_id: String,
    pub circuit_code: String,
    #[serde(with = "lenient_i64")]
    pub vlan_id: i64,
    pub vlan_interface_id: String,
    pub local_gateway_ip: String,
    pub peer_gateway_ip: String,
    pub peering_subnet_mask: String,
    pub route_table_id: String,
    pub creation_time: String,
    pub activation_time: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeRouterInterfacesResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::RouterInterfaceType")]
    pub router_interface_set: Vec<RouterInterface>,
}

/// One end of a connection between two routers (VRouter or VBR).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouterInterface {
    pub router_interface_id: String,
    pub name: String,
    pub description: String,
    pub router_id: String,
    /// VRouter or VBR.
    pub router_type: String,
    /// InitiatingSide or AcceptingSide.
    pub role: String,
    pub spec: String,
    /// Idle, Connecting, AcceptingConnecting, Activating, Active, Modifying,
    /// Deactivating, Inactive, Deleting.
    pub status: String,
    pub business_status: String,
    pub charge_type: String,
    pub access_point_id: String,
    pub opposite_interface_id: String,
    pub opposite_router_id: String,
    pub opposite_router_type: String,
    pub opposite_region_id: String,
    pub opposite_access_point_id: String,
    pub health_check_source_ip: String,
    pub health_check_target_ip: String,
    pub creation_time: String,
    pub connected_time: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateRouterInterfaceRequest {
    /// InitiatingSide or AcceptingSide.
    pub role: String,
    /// VRouter or VBR.
    pub router_type: String,
    pub router_id: String,
    /// Mini.2, Small.1, ..., Large.2; Negative for an accepting side.
    pub spec: String,
    pub opposite_region_id: String,
    pub opposite_router_type: Option<String>,
    pub opposite_router_id: Option<String>,
    pub opposite_interface_id: Option<String>,
    pub access_point_id: Option<String>,
    pub opposite_access_point_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub health_check_source_ip: Option<String>,
    pub health_check_target_ip: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateRouterInterfaceResponse {
    pub request_id: String,
    pub router_interface_id: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
}

crate::paging::paged!(
    DescribeVRoutersResponse = "DescribeVRouters" => v_routers: VRouter,
    DescribeRouteTablesResponse = "DescribeRouteTables" => route_tables: RouteTable,
    DescribeVirtualBorderRoutersResponse = "DescribeVirtualBorderRouters" => virtual_border_router_set: VirtualBorderRouter,
    DescribeRouterInterfacesResponse = "DescribeRouterInterfaces" => router_interface_set: RouterInterface,
);

fn table_filters(v_router_id: Option<&str>, route_table_id: Option<&str>) -> Params {
    Params::new()
        .set_opt("VRouterId", v_router_id)
        .set_opt("RouteTableId", route_table_id)
}

/// `Filter.1.Key=<key>`, `Filter.1.Value.N=<id>`: how the border-router actions filter by id.
fn id_filter(params: Params, key: &str, ids: &[String]) -> Params {
    if ids.is_empty() {
        return params;
    }
    let mut params = params.set("Filter.1.Key", key);
    for (i, id) in ids.iter().enumerate() {
        params = params.set(&format!("Filter.1.Value.{}", i + 1), id);
    }
    params
}

impl AliyunClient {
    pub async fn describe_vrouters(
        &self,
        region: &str,
        v_router_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVRoutersResponse, AliyunError> {
        let filters = Params::new().set_opt("VRouterId", v_router_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_vrouters_all(&self, region: &str) -> Result<Vec<VRouter>, AliyunError> {
        self.vpc_all::<DescribeVRoutersResponse>(region, Params::new()).await
    }

    /// Route tables (with their entries) of one vRouter, or of the region when `None`.
    pub async fn describe_route_tables(
        &self,
        region: &str,
        v_router_id: Option<&str>,
        route_table_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeRouteTablesResponse, AliyunError> {
        self.vpc_page(region, table_filters(v_router_id, route_table_id), page_number, page_size).await
    }

    pub async fn describe_route_tables_all(
        &self,
        region: &str,
        v_router_id: Option<&str>,
    ) -> Result<Vec<RouteTable>, AliyunError> {
        self.vpc_all::<DescribeRouteTablesResponse>(region, table_filters(v_router_id, None)).await
    }

    pub async fn create_route_entry(
        &self,
        region: &str,
        request: &CreateRouteEntryRequest,
    ) -> Result<CreateRouteEntryResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("RouteTableId", &request.route_table_id)
            .set("DestinationCidrBlock", &request.destination_cidr_block)
            .set_opt("NextHopType", request.next_hop_type.as_ref())
            .set("NextHopId", &request.next_hop_id)
            .set_opt("RouteEntryName", request.route_entry_name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateRouteEntry", params).await
    }

    pub async fn delete_route_entry(
        &self,
        region: &str,
        selector: &RouteEntrySelector,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new().set("RegionId", region);
        let params = match selector {
            RouteEntrySelector::Id(id) => params.set("RouteEntryId", id),
            RouteEntrySelector::Destination {
                route_table_id,
                destination_cidr_block,
                next_hop_id,
            } => params
                .set("RouteTableId", route_table_id)
                .set("DestinationCidrBlock", destination_cidr_block)
                .set_opt("NextHopId", next_hop_id.as_ref()),
        };
        self.vpc(region, "DeleteRouteEntry", params).await
    }

    /// Border routers, all or those with the given ids.
    pub async fn describe_virtual_border_routers(
        &self,
        region: &str,
        vbr_ids: &[String],
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVirtualBorderRoutersResponse, AliyunError> {
        let filters = id_filter(Params::new(), "VbrId", vbr_ids);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_virtual_border_routers_all(
        &self,
        region: &str,
    ) -> Result<Vec<VirtualBorderRouter>, AliyunError> {
        self.vpc_all::<DescribeVirtualBorderRoutersResponse>(region, Params::new()).await
    }

    /// Router interfaces, all or those with the given ids.
    pub async fn describe_router_interfaces(
        &self,
        region: &str,
        router_interface_ids: &[String],
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeRouterInterfacesResponse, AliyunError> {
        let filters = id_filter(Params::new(), "RouterInterfaceId", router_interface_ids);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_router_interfaces_all(
        &self,
        region: &str,
    ) -> Result<Vec<RouterInterface>, AliyunError> {
        self.vpc_all::<DescribeRouterInterfacesResponse>(region, Params::new()).await
    }

    pub async fn create_router_interface(
        &self,
        region: &str,
        request: &CreateRouterInterfaceRequest,
    ) -> Result<CreateRouterInterfaceResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("Role", &request.role)
            .set("RouterType", &request.router_type)
            .set("RouterId", &request.router_id)
            .set("Spec", &request.spec)
            .set("OppositeRegionId", &request.opposite_region_id)
            .set_opt("OppositeRouterType", request.opposite_router_type.as_ref())
            .set_opt("OppositeRouterId", request.opposite_router_id.as_ref())
            .set_opt(
                "OppositeInterfaceId",
                request.opposite_interface_id.as_ref(),
            )
            .set_opt("AccessPointId", request.access_point_id.as_ref())
            .set_opt(
                "OppositeAccessPointId",
                request.opposite_access_point_id.as_ref(),
            )
            .set_opt("Name", request.name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt(
                "HealthCheckSourceIp",
                request.health_check_source_ip.as_ref(),
            )
            .set_opt(
                "HealthCheckTargetIp",
                request.health_check_target_ip.as_ref(),
            )
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateRouterInterface", params).await
    }

    pub async fn delete_router_interface(
        &self,
        region: &str,
        router_interface_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("RouterInterfaceId", router_interface_id);
        self.vpc(region, "DeleteRouterInterface", params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_tables_decode_the_documented_shape() {
        let body = serde_json::json!({
            "RequestId": "r", "TotalCount": 1, "PageNumber": 1, "PageSize": 10,
            "RouteTables": { "RouteTable": [{
                "RouteTableId": "vtb-1", "VRouterId": "vrt-1", "RouteTableType": "System",
                "VSwitchIds": { "VSwitchId": ["vsw-1"] },
                "RouteEntrys": { "RouteEntry": [{
                    "RouteEntryId": "rte-1", "DestinationCidrBlock": "10.0.0.0/8", "Type": "Custom",
                    "NextHopType": "Instance", "InstanceId": "i-1",
                    "NextHops": { "NextHop": [{ "NextHopId": "i-1", "NextHopType": "Instance", "Enabled": 1, "Weight": 0 }] }
                }] }
            }] }
        });
        let decoded: DescribeRouteTablesResponse = serde_json::from_value(body).unwrap();
        let table = &decoded.route_tables[0];
        assert_eq!(table.v_switch_ids, vec!["vsw-1"]);
        let entry = &table.route_entrys[0];
        assert_eq!(
            (entry.entry_type.as_str(), entry.instance_id.as_str()),
            ("Custom", "i-1")
        );
        assert_eq!(entry.next_hops[0].enabled, 1);
    }

    #[test]
    fn id_filters_use_the_filter_key_value_form() {
        let params = id_filter(Params::new(), "VbrId", &["vbr-1".into(), "vbr-2".into()]);
        assert_eq!(
            params.into_vec(),
            vec![
                ("Filter.1.Key".to_string(), "VbrId".to_string()),
                ("Filter.1.Value.1".to_string(), "vbr-1".to_string()),
                ("Filter.1.Value.2".to_string(), "vbr-2".to_string()),
            ]
        );
        assert!(id_filter(Params::new(), "VbrId", &[]).into_vec().is_empty());
    }
}
