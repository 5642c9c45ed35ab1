//! Typed VPN actions of the VPC API (2016-04-28): VPN gateways, customer gateways (the
//! on-premises end), IPsec connections with their IKE and IPsec settings, and the
//! configuration file of a connection for the on-premises device.
//!
//! IkeConfig/IpsecConfig go out as JSON strings (`IkeConfig={"IkeVersion":"ikev2",...}`)
//! holding only the settings given, so the service fills in its defaults for the rest;
//! they come back as objects with every setting.

use serde::{Deserialize, Serialize};

use crate::client::AliyunClient;
use crate::de::{lenient_i64, lenient_string, wrapped};
use crate::ecs::ActionResponse;
use crate::error::AliyunError;
use crate::params::Params;
use crate::vpc::VpcTag;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateVpnGatewayRequest {
    pub vpc_id: String,
    /// The vSwitch the gateway's interfaces live in.
    pub v_switch_id: Option<String>,
    /// Mbit/s: 5, 10, 20, 50, 100, 200, 500, 1000.
    pub bandwidth: u32,
    pub name: Option<String>,
    pub enable_ipsec: Option<bool>,
    pub enable_ssl: Option<bool>,
    pub ssl_connections: Option<u32>,
    /// PREPAY or POSTPAY.
    pub instance_charge_type: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateVpnGatewayResponse {
    pub request_id: String,
    pub vpn_gateway_id: String,
    pub name: String,
    #[serde(with = "lenient_string")]
    pub order_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVpnGatewaysResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::VpnGateway")]
    pub vpn_gateways: Vec<VpnGateway>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnGateway {
    pub vpn_gateway_id: String,
    pub name: String,
    pub description: String,
    pub vpc_id: String,
    pub v_switch_id: String,
    pub internet_ip: String,
    /// Bandwidth as `5M`, `10M`, ...
    pub spec: String,
    /// init, provisioning, active, updating, deleting.
    pub status: String,
    /// Normal or FinancialLocked.
    pub business_status: String,
    pub charge_type: String,
    /// enable or disable.
    pub ipsec_vpn: String,
    pub ssl_vpn: String,
    #[serde(with = "lenient_i64")]
    pub ssl_max_connections: i64,
    /// Milliseconds since the epoch.
    #[serde(with = "lenient_i64")]
    pub create_time: i64,
    #[serde(with = "lenient_i64")]
    pub end_time: i64,
    pub network_type: String,
    #[serde(with = "wrapped::Tag")]
    pub tags: Vec<VpcTag>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateCustomerGatewayRequest {
    /// The public IP of the on-premises VPN device.
    pub ip_address: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub asn: Option<u32>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateCustomerGatewayResponse {
    pub request_id: String,
    pub customer_gateway_id: String,
    pub ip_address: String,
    pub name: String,
    pub description: String,
    #[serde(with = "lenient_i64")]
    pub create_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeCustomerGatewaysResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::CustomerGateway")]
    pub customer_gateways: Vec<CustomerGateway>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CustomerGateway {
    pub customer_gateway_id: String,
    pub name: String,
    pub description: String,
    pub ip_address: String,
    #[serde(with = "lenient_i64")]
    pub asn: i64,
    #[serde(with = "lenient_i64")]
    pub create_time: i64,
}

/// Phase-one (IKE) settings. In a request, empty strings and zero are left out so the
/// service applies its defaults; in an answer every field is filled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IkeConfig {
    /// ikev1 or ikev2.
    pub ike_version: String,
    /// main or aggressive.
    pub ike_mode: String,
    /// aes, aes192, aes256, des, 3des.
    pub ike_enc_alg: String,
    /// md5, sha1, sha256, sha384, sha512.
    pub ike_auth_alg: String,
    /// group1, group2, group5, group14.
    pub ike_pfs: String,
    /// Seconds.
    #[serde(with = "lenient_i64")]
    pub ike_lifetime: i64,
    pub local_id: String,
    pub remote_id: String,
    /// Pre-shared key.
    pub psk: String,
}

/// Phase-two (IPsec) settings; same request convention as [`IkeConfig`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpsecConfig {
    pub ipsec_enc_alg: String,
    pub ipsec_auth_alg: String,
    /// group1, group2, group5, group14, disabled.
    pub ipsec_pfs: String,
    #[serde(with = "lenient_i64")]
    pub ipsec_lifetime: i64,
}

/// The settings given (non-empty, non-zero) as the JSON object the service expects.
pub(crate) fn given_settings<T: Serialize>(config: &T) -> String {
    let value = serde_json::to_value(config).expect("config structs always serialize");
    let given: serde_json::Map<String, serde_json::Value> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| match v {
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Number(n) => n.as_i64() != Some(0),
            _ => true,
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::Value::Object(given).to_string()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateVpnConnectionRequest {
    pub vpn_gateway_id: String,
    pub customer_gateway_id: String,
    /// Comma-separated CIDR blocks on the VPC side.
    pub local_subnet: String,
    /// Comma-separated CIDR blocks on the on-premises side.
    pub remote_subnet: String,
    pub name: Option<String>,
    /// Negotiate right away instead of waiting for traffic.
    pub effect_immediately: Option<bool>,
    pub ike_config: Option<IkeConfig>,
    pub ipsec_config: Option<IpsecConfig>,
    /// `Tag.N` of the new resource (the node tags what it creates with its own uuid).
    pub tags: Vec<(String, String)>,
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateVpnConnectionResponse {
    pub request_id: String,
    pub vpn_connection_id: String,
    pub name: String,
    #[serde(with = "lenient_i64")]
    pub create_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeVpnConnectionsResponse {
    pub request_id: String,
    pub total_count: i64,
    pub page_number: i64,
    pub page_size: i64,
    #[serde(with = "wrapped::VpnConnection")]
    pub vpn_connections: Vec<VpnConnection>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnConnection {
    pub vpn_connection_id: String,
    pub name: String,
    pub vpn_gateway_id: String,
    pub customer_gateway_id: String,
    pub local_subnet: String,
    pub remote_subnet: String,
    #[serde(with = "lenient_i64")]
    pub create_time: i64,
    pub effect_immediately: bool,
    /// ike_sa_not_established, ike_sa_established, ipsec_sa_not_established,
    /// ipsec_sa_established.
    pub status: String,
    pub enable_dpd: bool,
    pub enable_nat_traversal: bool,
    pub ike_config: IkeConfig,
    pub ipsec_config: IpsecConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DownloadVpnConnectionConfigResponse {
    pub request_id: String,
    pub vpn_connection_config: VpnConnectionConfig,
}

/// What the on-premises device needs: both ends' addresses and subnets, IKE and IPsec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnConnectionConfig {
    /// The VPN gateway's public IP.
    pub local: String,
    /// The customer gateway's IP.
    pub remote: String,
    pub local_subnet: String,
    pub remote_subnet: String,
    pub ike_config: IkeConfig,
    pub ipsec_config: IpsecConfig,
}

crate::paging::paged!(
    DescribeVpnGatewaysResponse = "DescribeVpnGateways" => vpn_gateways: VpnGateway,
    DescribeCustomerGatewaysResponse = "DescribeCustomerGateways" => customer_gateways: CustomerGateway,
    DescribeVpnConnectionsResponse = "DescribeVpnConnections" => vpn_connections: VpnConnection,
);

impl AliyunClient {
    pub async fn create_vpn_gateway(
        &self,
        region: &str,
        request: &CreateVpnGatewayRequest,
    ) -> Result<CreateVpnGatewayResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpcId", &request.vpc_id)
            .set_opt("VSwitchId", request.v_switch_id.as_ref())
            .set("Bandwidth", request.bandwidth)
            .set_opt("Name", request.name.as_ref())
            .set_opt("EnableIpsec", request.enable_ipsec)
            .set_opt("EnableSsl", request.enable_ssl)
            .set_opt("SslConnections", request.ssl_connections)
            .set_opt("InstanceChargeType", request.instance_charge_type.as_ref())
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateVpnGateway", params).await
    }

    pub async fn describe_vpn_gateways(
        &self,
        region: &str,
        vpn_gateway_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVpnGatewaysResponse, AliyunError> {
        let filters = Params::new().set_opt("VpnGatewayId", vpn_gateway_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_vpn_gateways_all(
        &self,
        region: &str,
    ) -> Result<Vec<VpnGateway>, AliyunError> {
        self.vpc_all::<DescribeVpnGatewaysResponse>(region, Params::new()).await
    }

    pub async fn delete_vpn_gateway(
        &self,
        region: &str,
        vpn_gateway_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpnGatewayId", vpn_gateway_id);
        self.vpc(region, "DeleteVpnGateway", params).await
    }

    pub async fn create_customer_gateway(
        &self,
        region: &str,
        request: &CreateCustomerGatewayRequest,
    ) -> Result<CreateCustomerGatewayResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("IpAddress", &request.ip_address)
            .set_opt("Name", request.name.as_ref())
            .set_opt("Description", request.description.as_ref())
            .set_opt("Asn", request.asn)
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateCustomerGateway", params).await
    }

    pub async fn describe_customer_gateways(
        &self,
        region: &str,
        customer_gateway_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeCustomerGatewaysResponse, AliyunError> {
        let filters = Params::new().set_opt("CustomerGatewayId", customer_gateway_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_customer_gateways_all(
        &self,
        region: &str,
    ) -> Result<Vec<CustomerGateway>, AliyunError> {
        self.vpc_all::<DescribeCustomerGatewaysResponse>(region, Params::new()).await
    }

    pub async fn delete_customer_gateway(
        &self,
        region: &str,
        customer_gateway_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("CustomerGatewayId", customer_gateway_id);
        self.vpc(region, "DeleteCustomerGateway", params).await
    }

    pub async fn create_vpn_connection(
        &self,
        region: &str,
        request: &CreateVpnConnectionRequest,
    ) -> Result<CreateVpnConnectionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpnGatewayId", &request.vpn_gateway_id)
            .set("CustomerGatewayId", &request.customer_gateway_id)
            .set("LocalSubnet", &request.local_subnet)
            .set("RemoteSubnet", &request.remote_subnet)
            .set_opt("Name", request.name.as_ref())
            .set_opt("EffectImmediately", request.effect_immediately)
            .set_opt("IkeConfig", request.ike_config.as_ref().map(given_settings))
            .set_opt(
                "IpsecConfig",
                request.ipsec_config.as_ref().map(given_settings),
            )
            .set_tags(&request.tags)
            .set_opt("ClientToken", request.client_token.as_ref());
        self.vpc(region, "CreateVpnConnection", params).await
    }

    pub async fn describe_vpn_connections(
        &self,
        region: &str,
        vpn_connection_id: Option<&str>,
        page_number: u32,
        page_size: u32,
    ) -> Result<DescribeVpnConnectionsResponse, AliyunError> {
        let filters = Params::new().set_opt("VpnConnectionId", vpn_connection_id);
        self.vpc_page(region, filters, page_number, page_size).await
    }

    pub async fn describe_vpn_connections_all(
        &self,
        region: &str,
    ) -> Result<Vec<VpnConnection>, AliyunError> {
        self.vpc_all::<DescribeVpnConnectionsResponse>(region, Params::new()).await
    }

    pub async fn delete_vpn_connection(
        &self,
        region: &str,
        vpn_connection_id: &str,
    ) -> Result<ActionResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpnConnectionId", vpn_connection_id);
        self.vpc(region, "DeleteVpnConnection", params).await
    }

    /// The settings an on-premises device needs to bring the connection up.
    pub async fn download_vpn_connection_config(
        &self,
        region: &str,
        vpn_connection_id: &str,
    ) -> Result<DownloadVpnConnectionConfigResponse, AliyunError> {
        let params = Params::new()
            .set("RegionId", region)
            .set("VpnConnectionId", vpn_connection_id);
        self.vpc(region, "DownloadVpnConnectionConfig", params)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_settings_go_out() {
        let ike = IkeConfig {
            ike_version: "ikev2".into(),
            psk: "secret".into(),
            ike_lifetime: 0,
            ..Default::default()
        };
        let sent: serde_json::Value = serde_json::from_str(&given_settings(&ike)).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({ "IkeVersion": "ikev2", "Psk": "secret" })
        );
        let ipsec = IpsecConfig {
            ipsec_lifetime: 3600,
            ..Default::default()
        };
        assert_eq!(given_settings(&ipsec), r#"{"IpsecLifetime":3600}"#);
    }

    #[test]
    fn connections_decode_their_configs() {
        let body = serde_json::json!({
            "VpnConnections": { "VpnConnection": [{
                "VpnConnectionId": "vco-1", "LocalSubnet": "10.0.0.0/16", "CreateTime": 1700000000000i64,
                "IkeConfig": { "IkeVersion": "ikev1", "IkeLifetime": 86400, "Psk": "k" },
                "IpsecConfig": { "IpsecPfs": "group2", "IpsecLifetime": "86400" }
            }] },
            "TotalCount": 1
        });
        let decoded: DescribeVpnConnectionsResponse = serde_json::from_value(body).unwrap();
        let connection = &decoded.vpn_connections[0];
        assert_eq!(connection.ike_config.ike_lifetime, 86400);
        assert_eq!(connection.ipsec_config.ipsec_lifetime, 86400);
        assert_eq!(connection.create_time, 1_700_000_000_000);
    }
}
