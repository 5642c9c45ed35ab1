//! Every typed ECS/VPC method sends the right action, version and parameters and decodes
//! the answer shape of `response_shapes.json`; the server checks each signature.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{Request, Response, TestServer};
use zstack_aliyun::ecs::*;
use zstack_aliyun::routing::*;
use zstack_aliyun::sign::verify_acs3;
use zstack_aliyun::vpc::*;
use zstack_aliyun::vpn::*;
use zstack_aliyun::{AliyunClient, ClientConfig, Credentials, Endpoints};

const R: &str = "cn-hangzhou";

/// The canned answer per action, in the Tea SDK models' shapes.
fn answer(action: &str) -> Value {
    let body = match action {
        "DescribeZones" => json!({"Zones": {"Zone": [{"ZoneId": "cn-hangzhou-h", "LocalName": "H",
            "AvailableInstanceTypes": {"InstanceTypes": ["ecs.g6.large"]},
            "AvailableDiskCategories": {"DiskCategories": ["cloud_essd"]},
            "AvailableResourceCreation": {"ResourceTypes": ["Instance", "Disk"]}}]}}),
        "CreateInstance" => json!({"InstanceId": "i-new", "OrderId": "9", "TradePrice": 1.5}),
        "DescribeSecurityGroups" => json!({"TotalCount": 1, "SecurityGroups": {"SecurityGroup": [
            {"SecurityGroupId": "sg-1", "SecurityGroupName": "web", "VpcId": "vpc-1"}]}}),
        "CreateSecurityGroup" => json!({"SecurityGroupId": "sg-new"}),
        "CreateDisk" => json!({"DiskId": "d-new", "OrderId": ""}),
        "DescribeDisks" => json!({"TotalCount": 1, "NextToken": "", "Disks": {"Disk": [
            {"DiskId": "d-1", "Size": 40, "Type": "system", "Status": "In_use", "Category": "cloud_essd", "DeleteWithInstance": true}]}}),
        "DescribeImages" => json!({"TotalCount": 1, "Images": {"Image": [
            {"ImageId": "m-1", "OSType": "linux", "Size": 20, "Status": "Available"}]}}),
        "ImportImage" => json!({"ImageId": "m-new", "TaskId": "t-1", "RegionId": R}),
        "DescribeVpcs" => json!({"TotalCount": 1, "Vpcs": {"Vpc": [
            {"VpcId": "vpc-1", "CidrBlock": "172.16.0.0/12", "Status": "Available", "VSwitchIds": {"VSwitchId": ["vsw-1"]},
             "Tags": {"Tag": [{"Key": "env", "Value": "t"}]}}]}}),
        "CreateVSwitch" => json!({"VSwitchId": "vsw-new"}),
        "AllocateEipAddress" => {
            json!({"AllocationId": "eip-new", "EipAddress": "47.0.0.2", "OrderId": 7})
        }
        "DescribeEipAddresses" => json!({"TotalCount": 1, "EipAddresses": {"EipAddress": [
            {"AllocationId": "eip-1", "IpAddress": "47.0.0.1", "Status": "InUse", "InstanceId": "i-1", "Bandwidth": "5"}]}}),
        "DescribeVRouters" => json!({"TotalCount": 1, "VRouters": {"VRouter": [
            {"VRouterId": "vrt-1", "VpcId": "vpc-1", "RouteTableIds": {"RouteTableId": ["vtb-1"]}}]}}),
        "CreateRouteEntry" => json!({"RouteEntryId": "rte-new"}),
        "DescribeVirtualBorderRouters" => {
            json!({"TotalCount": 1, "VirtualBorderRouterSet": {"VirtualBorderRouterType": [
            {"VbrId": "vbr-1", "VlanId": 10, "Status": "active", "PeerGatewayIp": "116.0.0.2"}]}})
        }
        "DescribeRouterInterfaces" => {
            json!({"TotalCount": 1, "RouterInterfaceSet": {"RouterInterfaceType": [
            {"RouterInterfaceId": "ri-1", "RouterType": "VBR", "Role": "InitiatingSide", "Status": "Active"}]}})
        }
        "CreateRouterInterface" => json!({"RouterInterfaceId": "ri-new", "OrderId": 0}),
        "CreateVpnGateway" => json!({"VpnGatewayId": "vpn-new", "Name": "gw", "OrderId": 0}),
        "DescribeVpnGateways" => json!({"TotalCount": 1, "VpnGateways": {"VpnGateway": [
            {"VpnGatewayId": "vpn-1", "Spec": "10M", "Status": "active", "InternetIp": "47.0.0.9", "CreateTime": 1700000000000i64}]}}),
        "CreateCustomerGateway" => {
            json!({"CustomerGatewayId": "cgw-new", "IpAddress": "198.51.100.1", "CreateTime": 1})
        }
        "CreateVpnConnection" => {
            json!({"VpnConnectionId": "vco-new", "Name": "c", "CreateTime": 1})
        }
        "DownloadVpnConnectionConfig" => {
            json!({"VpnConnectionConfig": {"Local": "47.0.0.9", "Remote": "198.51.100.1",
            "LocalSubnet": "10.0.0.0/16", "RemoteSubnet": "192.168.0.0/16",
            "IkeConfig": {"Psk": "k", "IkeVersion": "ikev2", "IkeLifetime": 86400}, "IpsecConfig": {"IpsecPfs": "group2"}}})
        }
        _ => json!({}),
    };
    let mut body = body;
    body["RequestId"] = json!(format!("REQ-{action}"));
    body
}

fn server() -> TestServer {
    TestServer::start(|request: &Request, _| {
        let secret_for = |id: &str| (id == "testid").then(|| "testsecret".to_string());
        if let Err(e) = verify_acs3(
            &request.method,
            &request.path,
            &request.query,
            &request.headers,
            &request.body,
            secret_for,
        ) {
            return Response::json(
                400,
                json!({"RequestId": "SIG", "Code": "SignatureDoesNotMatch", "Message": e.to_string()}),
            );
        }
        Response::json(200, answer(&request.action()))
    })
}

fn client(base: &str) -> AliyunClient {
    AliyunClient::new(
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: "testsecret".into(),
        },
        ClientConfig {
            endpoints: Endpoints::all_at(base),
            max_retries: 0,
            timeout: Duration::from_secs(5),
            ..Default::default()
        },
    )
    .unwrap()
}

/// (action, x-acs-version, params that must be present with these values)
fn expect(request: &Request, action: &str, version: &str, params: &[(&str, &str)]) {
    assert_eq!(request.action(), action);
    assert_eq!(request.header("x-acs-version"), Some(version), "{action}");
    for (name, value) in params {
        assert_eq!(request.param(name), Some(*value), "{action}: {name}");
    }
}

const ECS: &str = "2014-05-26";
const VPC: &str = "2016-04-28";

#[tokio::test]
async fn ecs_actions_send_their_parameters_and_decode_their_answers() {
    let server = server();
    let c = client(&server.base_url);

    let zones = c.describe_zones(R).await.unwrap();
    assert_eq!(
        zones.zones[0].available_instance_types,
        vec!["ecs.g6.large"]
    );
    assert_eq!(
        zones.zones[0].available_resource_creation,
        vec!["Instance", "Disk"]
    );
    let created = c
        .create_instance(
            R,
            &RunInstancesRequest {
                image_id: "m-1".into(),
                instance_type: "ecs.g6.large".into(),
                client_token: Some("ct-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            created.instance_id.as_str(),
            created.order_id.as_str(),
            created.trade_price
        ),
        ("i-new", "9", 1.5)
    );
    c.start_instance(R, "i-1").await.unwrap();
    c.stop_instance(R, "i-1", true).await.unwrap();
    c.reboot_instance(R, "i-1", false).await.unwrap();
    let groups = c
        .describe_security_groups_all(R, Some("vpc-1"))
        .await
        .unwrap();
    assert_eq!(groups[0].security_group_name, "web");
    let sg = c
        .create_security_group(
            R,
            &CreateSecurityGroupRequest {
                vpc_id: "vpc-1".into(),
                security_group_name: Some("web".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(sg.security_group_id, "sg-new");
    c.authorize_security_group(
        R,
        &SecurityGroupRule {
            security_group_id: "sg-1".into(),
            ip_protocol: "tcp".into(),
            port_range: "22/22".into(),
            source_cidr_ip: Some("0.0.0.0/0".into()),
            policy: Some("accept".into()),
            priority: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.delete_security_group(R, "sg-1").await.unwrap();
    let disk = c
        .create_disk(
            R,
            &CreateDiskRequest {
                zone_id: "cn-hangzhou-h".into(),
                disk_category: "cloud_essd".into(),
                size_gb: Some(40),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(disk.disk_id, "d-new");
    c.attach_disk(R, "i-1", "d-new", Some(true)).await.unwrap();
    c.detach_disk(R, "i-1", "d-new").await.unwrap();
    c.delete_disk(R, "d-new").await.unwrap();
    let disks = c
        .describe_disks_all(
            R,
            &DescribeDisksRequest {
                instance_id: Some("i-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            disks[0].disk_type.as_str(),
            disks[0].size,
            disks[0].delete_with_instance
        ),
        ("system", 40, true)
    );
    let images = c
        .describe_images_all(
            R,
            &DescribeImagesRequest {
                image_ids: vec!["m-1".into(), "m-2".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((images[0].os_type.as_str(), images[0].size), ("linux", 20));
    let imported = c
        .import_image(
            R,
            &ImportImageRequest {
                image_name: Some("debian".into()),
                os_type: Some("linux".into()),
                disks: vec![ImportImageDisk {
                    oss_bucket: "zs-images".into(),
                    oss_object: "debian.qcow2".into(),
                    format: "QCOW2".into(),
                    disk_image_size_gb: 20,
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (imported.image_id.as_str(), imported.task_id.as_str()),
        ("m-new", "t-1")
    );
    c.delete_image(R, "m-new", false).await.unwrap();

    let sent = server.requests();
    let checks: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("DescribeZones", vec![("RegionId", R)]),
        (
            "CreateInstance",
            vec![
                ("RegionId", R),
                ("ImageId", "m-1"),
                ("InstanceType", "ecs.g6.large"),
                ("ClientToken", "ct-1"),
            ],
        ),
        ("StartInstance", vec![("InstanceId", "i-1")]),
        (
            "StopInstance",
            vec![("InstanceId", "i-1"), ("ForceStop", "true")],
        ),
        (
            "RebootInstance",
            vec![("InstanceId", "i-1"), ("ForceStop", "false")],
        ),
        (
            "DescribeSecurityGroups",
            vec![
                ("RegionId", R),
                ("VpcId", "vpc-1"),
                ("PageNumber", "1"),
                ("PageSize", "50"),
            ],
        ),
        (
            "CreateSecurityGroup",
            vec![("VpcId", "vpc-1"), ("SecurityGroupName", "web")],
        ),
        (
            "AuthorizeSecurityGroup",
            vec![
                ("SecurityGroupId", "sg-1"),
                ("IpProtocol", "tcp"),
                ("PortRange", "22/22"),
                ("SourceCidrIp", "0.0.0.0/0"),
                ("Policy", "accept"),
                ("Priority", "1"),
            ],
        ),
        (
            "DeleteSecurityGroup",
            vec![("RegionId", R), ("SecurityGroupId", "sg-1")],
        ),
        (
            "CreateDisk",
            vec![
                ("ZoneId", "cn-hangzhou-h"),
                ("DiskCategory", "cloud_essd"),
                ("Size", "40"),
            ],
        ),
        (
            "AttachDisk",
            vec![
                ("InstanceId", "i-1"),
                ("DiskId", "d-new"),
                ("DeleteWithInstance", "true"),
            ],
        ),
        (
            "DetachDisk",
            vec![("InstanceId", "i-1"), ("DiskId", "d-new")],
        ),
        ("DeleteDisk", vec![("DiskId", "d-new")]),
        (
            "DescribeDisks",
            vec![
                ("RegionId", R),
                ("InstanceId", "i-1"),
                ("MaxResults", "100"),
            ],
        ),
        (
            "DescribeImages",
            vec![
                ("ImageId", "m-1,m-2"),
                ("PageNumber", "1"),
                ("PageSize", "100"),
            ],
        ),
        (
            "ImportImage",
            vec![
                ("ImageName", "debian"),
                ("OSType", "linux"),
                ("DiskDeviceMapping.1.OSSBucket", "zs-images"),
                ("DiskDeviceMapping.1.OSSObject", "debian.qcow2"),
                ("DiskDeviceMapping.1.Format", "QCOW2"),
                ("DiskDeviceMapping.1.DiskImageSize", "20"),
            ],
        ),
        (
            "DeleteImage",
            vec![("RegionId", R), ("ImageId", "m-new"), ("Force", "false")],
        ),
    ];
    assert_eq!(sent.len(), checks.len());
    for (request, (action, params)) in sent.iter().zip(&checks) {
        expect(request, action, ECS, params);
    }
    for creating in [
        "CreateSecurityGroup",
        "AuthorizeSecurityGroup",
        "CreateDisk",
        "ImportImage",
    ] {
        let request = sent.iter().find(|r| r.action() == creating).unwrap();
        assert_eq!(
            request.param("ClientToken").map(str::len),
            Some(32),
            "{creating} carries a generated ClientToken"
        );
    }
}

#[tokio::test]
async fn vpc_actions_send_their_parameters_and_decode_their_answers() {
    let server = server();
    let c = client(&server.base_url);

    let vpcs = c.describe_vpcs_all(R).await.unwrap();
    assert_eq!(vpcs[0].v_switch_ids, vec!["vsw-1"]);
    assert_eq!(
        vpcs[0].tags,
        vec![VpcTag {
            key: "env".into(),
            value: "t".into()
        }]
    );
    c.delete_vpc(R, "vpc-1").await.unwrap();
    let vsw = c
        .create_vswitch(
            R,
            &CreateVSwitchRequest {
                vpc_id: "vpc-1".into(),
                zone_id: "cn-hangzhou-h".into(),
                cidr_block: "172.16.1.0/24".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(vsw.v_switch_id, "vsw-new");
    c.delete_vswitch(R, "vsw-new").await.unwrap();
    let eip = c
        .allocate_eip_address(
            R,
            &AllocateEipRequest {
                bandwidth: Some(5),
                internet_charge_type: Some("PayByTraffic".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (eip.allocation_id.as_str(), eip.order_id.as_str()),
        ("eip-new", "7")
    );
    c.associate_eip_address(R, "eip-new", "i-1", None)
        .await
        .unwrap();
    c.unassociate_eip_address(R, "eip-new", "i-1")
        .await
        .unwrap();
    c.release_eip_address(R, "eip-new").await.unwrap();
    let eips = c.describe_eip_addresses_all(R).await.unwrap();
    assert_eq!(
        (eips[0].ip_address.as_str(), eips[0].bandwidth.as_str()),
        ("47.0.0.1", "5")
    );

    let sent = server.requests();
    let checks: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "DescribeVpcs",
            vec![("RegionId", R), ("PageNumber", "1"), ("PageSize", "50")],
        ),
        ("DeleteVpc", vec![("VpcId", "vpc-1")]),
        (
            "CreateVSwitch",
            vec![
                ("VpcId", "vpc-1"),
                ("ZoneId", "cn-hangzhou-h"),
                ("CidrBlock", "172.16.1.0/24"),
            ],
        ),
        ("DeleteVSwitch", vec![("VSwitchId", "vsw-new")]),
        (
            "AllocateEipAddress",
            vec![
                ("RegionId", R),
                ("Bandwidth", "5"),
                ("InternetChargeType", "PayByTraffic"),
            ],
        ),
        (
            "AssociateEipAddress",
            vec![("AllocationId", "eip-new"), ("InstanceId", "i-1")],
        ),
        (
            "UnassociateEipAddress",
            vec![("AllocationId", "eip-new"), ("InstanceId", "i-1")],
        ),
        ("ReleaseEipAddress", vec![("AllocationId", "eip-new")]),
        (
            "DescribeEipAddresses",
            vec![("RegionId", R), ("PageNumber", "1")],
        ),
    ];
    assert_eq!(sent.len(), checks.len());
    for (request, (action, params)) in sent.iter().zip(&checks) {
        expect(request, action, VPC, params);
    }
}

#[tokio::test]
async fn routing_and_vpn_actions_send_their_parameters_and_decode_their_answers() {
    let server = server();
    let c = client(&server.base_url);

    let vrouters = c.describe_vrouters_all(R).await.unwrap();
    assert_eq!(vrouters[0].route_table_ids, vec!["vtb-1"]);
    let entry = c
        .create_route_entry(
            R,
            &CreateRouteEntryRequest {
                route_table_id: "vtb-1".into(),
                destination_cidr_block: "192.168.0.0/16".into(),
                next_hop_type: Some("VpnGateway".into()),
                next_hop_id: "vpn-1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(entry.route_entry_id, "rte-new");
    c.delete_route_entry(R, &RouteEntrySelector::Id("rte-new".into()))
        .await
        .unwrap();
    c.delete_route_entry(
        R,
        &RouteEntrySelector::Destination {
            route_table_id: "vtb-1".into(),
            destination_cidr_block: "192.168.0.0/16".into(),
            next_hop_id: None,
        },
    )
    .await
    .unwrap();
    let vbrs = c
        .describe_virtual_border_routers(R, &["vbr-1".into()], 1, 10)
        .await
        .unwrap();
    assert_eq!(vbrs.virtual_border_router_set[0].vlan_id, 10);
    let interfaces = c.describe_router_interfaces_all(R).await.unwrap();
    assert_eq!(interfaces[0].router_type, "VBR");
    let ri = c
        .create_router_interface(
            R,
            &CreateRouterInterfaceRequest {
                role: "InitiatingSide".into(),
                router_type: "VRouter".into(),
                router_id: "vrt-1".into(),
                spec: "Mini.2".into(),
                opposite_region_id: R.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ri.router_interface_id, "ri-new");
    c.delete_router_interface(R, "ri-new").await.unwrap();

    let gw = c
        .create_vpn_gateway(
            R,
            &CreateVpnGatewayRequest {
                vpc_id: "vpc-1".into(),
                v_switch_id: Some("vsw-1".into()),
                bandwidth: 10,
                enable_ipsec: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(gw.vpn_gateway_id, "vpn-new");
    let gateways = c.describe_vpn_gateways_all(R).await.unwrap();
    assert_eq!(
        (gateways[0].spec.as_str(), gateways[0].create_time),
        ("10M", 1_700_000_000_000)
    );
    let cgw = c
        .create_customer_gateway(
            R,
            &CreateCustomerGatewayRequest {
                ip_address: "198.51.100.1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cgw.customer_gateway_id, "cgw-new");
    let connection = c
        .create_vpn_connection(
            R,
            &CreateVpnConnectionRequest {
                vpn_gateway_id: "vpn-new".into(),
                customer_gateway_id: "cgw-new".into(),
                local_subnet: "10.0.0.0/16".into(),
                remote_subnet: "192.168.0.0/16".into(),
                ike_config: Some(IkeConfig {
                    ike_version: "ikev2".into(),
                    psk: "k".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(connection.vpn_connection_id, "vco-new");
    let config = c
        .download_vpn_connection_config(R, "vco-new")
        .await
        .unwrap()
        .vpn_connection_config;
    assert_eq!(
        (config.remote.as_str(), config.ike_config.ike_lifetime),
        ("198.51.100.1", 86400)
    );
    c.delete_vpn_connection(R, "vco-new").await.unwrap();
    c.delete_customer_gateway(R, "cgw-new").await.unwrap();
    c.delete_vpn_gateway(R, "vpn-new").await.unwrap();

    let sent = server.requests();
    let checks: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "DescribeVRouters",
            vec![("RegionId", R), ("PageSize", "50")],
        ),
        (
            "CreateRouteEntry",
            vec![
                ("RouteTableId", "vtb-1"),
                ("DestinationCidrBlock", "192.168.0.0/16"),
                ("NextHopType", "VpnGateway"),
                ("NextHopId", "vpn-1"),
            ],
        ),
        ("DeleteRouteEntry", vec![("RouteEntryId", "rte-new")]),
        (
            "DeleteRouteEntry",
            vec![
                ("RouteTableId", "vtb-1"),
                ("DestinationCidrBlock", "192.168.0.0/16"),
            ],
        ),
        (
            "DescribeVirtualBorderRouters",
            vec![("Filter.1.Key", "VbrId"), ("Filter.1.Value.1", "vbr-1")],
        ),
        ("DescribeRouterInterfaces", vec![("PageNumber", "1")]),
        (
            "CreateRouterInterface",
            vec![
                ("Role", "InitiatingSide"),
                ("RouterType", "VRouter"),
                ("RouterId", "vrt-1"),
                ("Spec", "Mini.2"),
                ("OppositeRegionId", R),
            ],
        ),
        (
            "DeleteRouterInterface",
            vec![("RouterInterfaceId", "ri-new")],
        ),
        (
            "CreateVpnGateway",
            vec![
                ("VpcId", "vpc-1"),
                ("VSwitchId", "vsw-1"),
                ("Bandwidth", "10"),
                ("EnableIpsec", "true"),
            ],
        ),
        ("DescribeVpnGateways", vec![("RegionId", R)]),
        ("CreateCustomerGateway", vec![("IpAddress", "198.51.100.1")]),
        (
            "CreateVpnConnection",
            vec![
                ("VpnGatewayId", "vpn-new"),
                ("CustomerGatewayId", "cgw-new"),
                ("LocalSubnet", "10.0.0.0/16"),
                ("RemoteSubnet", "192.168.0.0/16"),
                ("IkeConfig", r#"{"IkeVersion":"ikev2","Psk":"k"}"#),
            ],
        ),
        (
            "DownloadVpnConnectionConfig",
            vec![("VpnConnectionId", "vco-new")],
        ),
        ("DeleteVpnConnection", vec![("VpnConnectionId", "vco-new")]),
        (
            "DeleteCustomerGateway",
            vec![("CustomerGatewayId", "cgw-new")],
        ),
        ("DeleteVpnGateway", vec![("VpnGatewayId", "vpn-new")]),
    ];
    assert_eq!(sent.len(), checks.len());
    for (request, (action, params)) in sent.iter().zip(&checks) {
        expect(request, action, VPC, params);
        let creating = action.starts_with("Create");
        assert_eq!(
            request.param("ClientToken").is_some(),
            creating,
            "{action}: a ClientToken exactly on creating actions"
        );
    }
}
