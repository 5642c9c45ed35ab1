//! The attribute changes through the zstack-aliyun client against the in-process
//! simulator: which product serves which Modify action, what each one changes (seen in
//! the Describe answers), that a refused request changes nothing, the IPsec settings
//! merged over the current ones, the VNC password, and deletion protection.

mod common;

use common::*;
use zstack_aliyun::ecs::{CreateSecurityGroupRequest, RunInstancesRequest};
use zstack_aliyun::modify::{AttributeChange, Target};
use zstack_aliyun::vpc::CreateVpcRequest;
use zstack_aliyun::vpn::{
    CreateCustomerGatewayRequest, CreateVpnConnectionRequest, CreateVpnGatewayRequest, IkeConfig,
};
use zstack_aliyun::{Params, SignatureVersion};

fn named(name: &str) -> AttributeChange {
    AttributeChange {
        name: Some(name.into()),
        ..Default::default()
    }
}

#[actix_web::test]
async fn modify_actions_change_what_they_are_given_and_nothing_when_refused() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let net = c
        .create_vpc(
            REGION,
            &CreateVpcRequest {
                cidr_block: "10.0.0.0/16".into(),
                vpc_name: Some("v1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let vsw = new_vswitch(&c, &net.vpc_id, "10.0.1.0/24").await;

    // The VPC keeps its description when only the name changes; a bad name changes nothing.
    let both = AttributeChange {
        name: Some("vpc-a".into()),
        description: Some("first".into()),
        ..Default::default()
    };
    c.modify_attributes(REGION, Target::Vpc(&net.vpc_id), &both)
        .await
        .unwrap();
    c.modify_attributes(REGION, Target::Vpc(&net.vpc_id), &named("vpc-b"))
        .await
        .unwrap();
    let bad = AttributeChange {
        name: Some("vpc-c".into()),
        description: Some("https://x".into()),
        ..Default::default()
    };
    assert_eq!(
        code_of(
            c.modify_attributes(REGION, Target::Vpc(&net.vpc_id), &bad)
                .await
        ),
        ("InvalidDescription.Malformed".into(), 400)
    );
    let listed = c
        .describe_vpcs(REGION, Some(&net.vpc_id), 1, 10)
        .await
        .unwrap()
        .vpcs
        .remove(0);
    assert_eq!(
        (listed.vpc_name.as_str(), listed.description.as_str()),
        ("vpc-b", "first")
    );
    assert_eq!(
        code_of(
            c.modify_attributes(REGION, Target::Vpc("vpc-nope"), &named("x"))
                .await
        ),
        ("InvalidVpcId.NotFound".into(), 404)
    );

    // The vRouter's name shows in DescribeVRouters; unknown vRouters are named as such.
    c.modify_attributes(REGION, Target::VRouter(&net.v_router_id), &named("vr-core"))
        .await
        .unwrap();
    let routers = vpc_call(
        &c,
        "DescribeVRouters",
        Params::new().set("RegionId", REGION),
    )
    .await;
    assert_eq!(routers["VRouters"]["VRouter"][0]["VRouterName"], "vr-core");
    assert_eq!(
        code_of(
            c.modify_attributes(REGION, Target::VRouter("vrt-nope"), &named("x"))
                .await
        )
        .0,
        "InvalidVRouterId.NotFound"
    );

    // Product: the ECS API still serves the VPC actions it used to own, but not the
    // VPN ones; the VPC API does not serve the ECS ones.
    ecs(
        &c,
        "ModifyVSwitchAttribute",
        Params::new()
            .set("RegionId", REGION)
            .set("VSwitchId", &vsw)
            .set("VSwitchName", "vsw-ecs"),
    )
    .await
    .unwrap();
    assert_eq!(
        c.describe_vswitches(REGION, Some(&net.vpc_id), 1, 10)
            .await
            .unwrap()
            .v_switches[0]
            .v_switch_name,
        "vsw-ecs"
    );
    assert_eq!(
        code_of(
            ecs(
                &c,
                "ModifyVpnGatewayAttribute",
                Params::new().set("VpnGatewayId", "vpn-x")
            )
            .await
        )
        .0,
        "InvalidAction.NotFound"
    );
    let sg = c
        .create_security_group(
            REGION,
            &CreateSecurityGroupRequest {
                vpc_id: net.vpc_id.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .security_group_id;
    assert_eq!(
        code_of(
            vpc(
                &c,
                "ModifySecurityGroupAttribute",
                Params::new()
                    .set("SecurityGroupId", &sg)
                    .set("SecurityGroupName", "sg-x")
            )
            .await
        )
        .0,
        "InvalidAction.NotFound"
    );
    assert_eq!(
        code_of(
            c.modify_attributes(REGION, Target::SecurityGroup(&sg), &named("s"))
                .await
        )
        .0,
        "InvalidSecurityGroupName.Malformed"
    );
    c.modify_attributes(REGION, Target::SecurityGroup(&sg), &named("sg-web"))
        .await
        .unwrap();
    assert_eq!(sim.sim.state.lock().security_groups[&sg].name, "sg-web");

    // An instance: disk flags, the VNC password (six letters or digits), deletion protection.
    let run = RunInstancesRequest {
        image_id: IMAGE.into(),
        instance_type: "ecs.g6.large".into(),
        security_group_id: sg.clone(),
        v_switch_id: vsw.clone(),
        amount: 1,
        ..Default::default()
    };
    let vm = c
        .run_instances(REGION, &run)
        .await
        .unwrap()
        .instance_id_sets
        .remove(0);
    sim.sim.clock.advance(std::time::Duration::from_secs(1));
    let disk = disks_of(&c, &vm).await
        .remove(0);
    assert!(disk.enable_auto_snapshot && disk.delete_auto_snapshot);
    let flags = AttributeChange {
        enable_auto_snapshot: Some(false),
        delete_with_instance: Some(false),
        ..Default::default()
    };
    c.modify_attributes(REGION, Target::Disk(&disk.disk_id), &flags)
        .await
        .unwrap();
    let disk = disks_of(&c, &vm).await
        .remove(0);
    assert_eq!(
        (
            disk.enable_auto_snapshot,
            disk.delete_auto_snapshot,
            disk.delete_with_instance
        ),
        (false, true, false)
    );
    for bad in ["abc12", "abc1234", "abc 12", "abc12!"] {
        assert_eq!(
            code_of(c.modify_instance_vnc_password(REGION, &vm, bad).await),
            ("IncorrectVncPassword.Malformed".into(), 400),
            "{bad}"
        );
    }
    c.modify_instance_vnc_password(REGION, &vm, "Abc123")
        .await
        .unwrap();
    assert_eq!(
        sim.sim.state.lock().instances[&vm].vnc_password.as_deref(),
        Some("Abc123")
    );
    assert_eq!(
        code_of(
            c.modify_instance_vnc_password(REGION, "i-nope", "Abc123")
                .await
        )
        .0,
        "InvalidInstanceId.NotFound"
    );
    ecs(
        &c,
        "ModifyInstanceAttribute",
        Params::new()
            .set("InstanceId", &vm)
            .set("DeletionProtection", true),
    )
    .await
    .unwrap();
    assert_eq!(
        code_of(c.delete_instance(REGION, &vm, true).await),
        ("InvalidOperation.DeletionProtection".into(), 403)
    );
    ecs(
        &c,
        "ModifyInstanceAttribute",
        Params::new()
            .set("InstanceId", &vm)
            .set("DeletionProtection", false),
    )
    .await
    .unwrap();
    c.delete_instance(REGION, &vm, true).await.unwrap();

    // IPsec connection: the IKE settings given replace theirs, the others stay.
    let gw = c
        .create_vpn_gateway(
            REGION,
            &CreateVpnGatewayRequest {
                vpc_id: net.vpc_id.clone(),
                bandwidth: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .vpn_gateway_id;
    let cgw = c
        .create_customer_gateway(
            REGION,
            &CreateCustomerGatewayRequest {
                ip_address: "203.0.113.9".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .customer_gateway_id;
    let ike = IkeConfig {
        psk: "first".into(),
        ike_version: "ikev2".into(),
        ..Default::default()
    };
    let request = CreateVpnConnectionRequest {
        vpn_gateway_id: gw,
        customer_gateway_id: cgw,
        local_subnet: "10.0.1.0/24".into(),
        remote_subnet: "192.168.1.0/24".into(),
        ike_config: Some(ike),
        ..Default::default()
    };
    let conn = c
        .create_vpn_connection(REGION, &request)
        .await
        .unwrap()
        .vpn_connection_id;
    let change = AttributeChange {
        local_subnet: Some("10.0.1.0/24,10.0.2.0/24".into()),
        ike_config: Some(IkeConfig {
            psk: "second".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    c.modify_attributes(REGION, Target::VpnConnection(&conn), &change)
        .await
        .unwrap();
    let bad = AttributeChange {
        remote_subnet: Some("192.168.1.0/33".into()),
        name: Some("renamed".into()),
        ..Default::default()
    };
    assert_eq!(
        code_of(
            c.modify_attributes(REGION, Target::VpnConnection(&conn), &bad)
                .await
        )
        .0,
        "InvalidParameter.RemoteSubnet"
    );
    let st = sim.sim.state.lock();
    let connection = &st.vpn_connections[&conn];
    assert_eq!(
        (
            connection.local_subnet.as_str(),
            connection.remote_subnet.as_str()
        ),
        ("10.0.1.0/24,10.0.2.0/24", "192.168.1.0/24")
    );
    assert_ne!(connection.name, "renamed");
    assert_eq!(
        (
            connection.ike_config["Psk"].as_str(),
            connection.ike_config["IkeVersion"].as_str()
        ),
        (Some("second"), Some("ikev2"))
    );
}

async fn vpc_call(
    c: &zstack_aliyun::AliyunClient,
    action: &str,
    params: Params,
) -> serde_json::Value {
    vpc(c, action, params).await.unwrap()
}
