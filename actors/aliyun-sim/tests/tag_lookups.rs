//! The lookups crash recovery relies on: `Tag.N` given at create is kept and filters the
//! Describe actions (a tag without a Value matches any value of its key, several tags
//! must all match), answered in each product's tag shape; DescribeRouteEntryList filters
//! by RouteEntryName and DescribeRouterInterfaces by the `Name` filter.

mod common;

use common::*;
use zstack_aliyun::ecs::CreateSecurityGroupRequest;
use zstack_aliyun::routing::{CreateRouteEntryRequest, CreateRouterInterfaceRequest};
use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest};
use zstack_aliyun::vpn::CreateVpnGatewayRequest;
use zstack_aliyun::{Params, SignatureVersion};

fn tag(key: &str, value: &str) -> Vec<(String, String)> {
    vec![(key.to_string(), value.to_string())]
}

#[tokio::test]
async fn describe_actions_filter_on_the_tags_given_at_create() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let tagged = c.create_vpc(REGION, &CreateVpcRequest { cidr_block: "10.0.0.0/16".into(), tags: tag("zstack-uuid", "u1"), ..Default::default() }).await.unwrap();
    let plain = new_vpc(&c, "10.1.0.0/16").await;
    let by = |k: &str, v: Option<&str>| {
        let p = Params::new().set("RegionId", REGION).set("Tag.1.Key", k);
        match v {
            Some(v) => p.set("Tag.1.Value", v),
            None => p,
        }
    };
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["Vpcs"]["Vpc"].as_array().unwrap().iter().map(|x| x["VpcId"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(vpc(&c, "DescribeVpcs", by("zstack-uuid", Some("u1"))).await.unwrap()), vec![tagged.vpc_id.clone()]);
    assert!(ids(vpc(&c, "DescribeVpcs", by("zstack-uuid", Some("u2"))).await.unwrap()).is_empty());
    assert_eq!(ids(vpc(&c, "DescribeVpcs", by("zstack-uuid", None)).await.unwrap()), vec![tagged.vpc_id.clone()], "a key alone matches any value");
    let both = by("zstack-uuid", Some("u1")).set("Tag.2.Key", "env").set("Tag.2.Value", "x");
    assert!(ids(vpc(&c, "DescribeVpcs", both).await.unwrap()).is_empty(), "every tag asked for must match");
    let all = vpc(&c, "DescribeVpcs", Params::new().set("RegionId", REGION)).await.unwrap();
    assert_eq!(ids(all.clone()).len(), 2);
    let shown = all["Vpcs"]["Vpc"].as_array().unwrap().iter().find(|v| v["VpcId"] == tagged.vpc_id.as_str()).unwrap()["Tags"]["Tag"].clone();
    assert_eq!(shown, serde_json::json!([{"Key": "zstack-uuid", "Value": "u1"}]), "VPC tags are answered as Key/Value");
    // ECS spells them TagKey/TagValue.
    c.create_security_group(REGION, &CreateSecurityGroupRequest { vpc_id: plain.vpc_id.clone(), tags: tag("zstack-uuid", "g1"), ..Default::default() }).await.unwrap();
    c.create_security_group(REGION, &CreateSecurityGroupRequest { vpc_id: plain.vpc_id.clone(), ..Default::default() }).await.unwrap();
    let groups = ecs(&c, "DescribeSecurityGroups", by("zstack-uuid", Some("g1"))).await.unwrap();
    let groups = groups["SecurityGroups"]["SecurityGroup"].as_array().unwrap().clone();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["Tags"]["Tag"], serde_json::json!([{"TagKey": "zstack-uuid", "TagValue": "g1"}]));
    let vsw = c
        .create_vswitch(REGION, &CreateVSwitchRequest { vpc_id: plain.vpc_id.clone(), zone_id: ZONE.into(), cidr_block: "10.1.1.0/24".into(), tags: tag("zstack-uuid", "s1"), ..Default::default() })
        .await
        .unwrap();
    let found = vpc(&c, "DescribeVSwitches", by("zstack-uuid", Some("s1"))).await.unwrap();
    assert_eq!(found["VSwitches"]["VSwitch"][0]["VSwitchId"], vsw.v_switch_id.as_str());

    // Route entries by name, router interfaces by the Name filter.
    let gw = c
        .create_vpn_gateway(REGION, &CreateVpnGatewayRequest { vpc_id: plain.vpc_id.clone(), v_switch_id: Some(vsw.v_switch_id.clone()), bandwidth: 10, ..Default::default() })
        .await
        .unwrap()
        .vpn_gateway_id;
    for (cidr, name) in [("192.168.0.0/24", "zstack-r1"), ("192.168.1.0/24", "other")] {
        c.create_route_entry(REGION, &CreateRouteEntryRequest { route_table_id: plain.route_table_id.clone(), destination_cidr_block: cidr.into(),
            next_hop_type: Some("VpnGateway".into()), next_hop_id: gw.clone(), route_entry_name: Some(name.into()), ..Default::default() })
            .await
            .unwrap();
    }
    let list = |name: &str| Params::new().set("RegionId", REGION).set("RouteTableId", &plain.route_table_id).set("RouteEntryName", name);
    let found = vpc(&c, "DescribeRouteEntryList", list("zstack-r1")).await.unwrap();
    let entries = found["RouteEntrys"]["RouteEntry"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["DestinationCidrBlock"], "192.168.0.0/24");
    for name in ["ri-a", "ri-b"] {
        c.create_router_interface(REGION, &CreateRouterInterfaceRequest { role: "AcceptingSide".into(), router_type: "VRouter".into(), router_id: plain.v_router_id.clone(),
            spec: "Negative".into(), opposite_region_id: REGION.into(), name: Some(name.into()), ..Default::default() })
            .await
            .unwrap();
    }
    let filter = Params::new().set("RegionId", REGION).set("Filter.1.Key", "Name").set("Filter.1.Value.1", "ri-b");
    let found = vpc(&c, "DescribeRouterInterfaces", filter).await.unwrap();
    let set = found["RouterInterfaceSet"]["RouterInterfaceType"].as_array().unwrap().clone();
    assert_eq!((set.len(), &set[0]["Name"]), (1, &serde_json::json!("ri-b")));
}
