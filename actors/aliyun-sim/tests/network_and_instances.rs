//! ECS and VPC actions through the zstack-aliyun client against the in-process simulator:
//! VPC/VSwitch CIDR rules and dependencies, quotas, instance status transitions over
//! simulated time, lifecycle rules, paging in both styles, security groups, EIPs,
//! disks, ClientToken idempotency.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use zstack_aliyun::ecs::{
    CreateDiskRequest, DescribeDisksRequest, DescribeInstancesRequest,
    DiskSpec, RunInstancesRequest, SecurityGroupRule,
};
use zstack_aliyun::vpc::{AllocateEipRequest, CreateVSwitchRequest, CreateVpcRequest};
use zstack_aliyun::{AliyunClient, Params, SignatureVersion};
use zstack_aliyun_sim::SimServer;

async fn status(client: &AliyunClient, id: &str) -> String {
    let page = client
        .describe_instances(
            REGION,
            &DescribeInstancesRequest {
                instance_ids: vec![id.into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.instances.len(), 1, "{id}");
    page.instances[0].status.clone()
}

fn advance(sim: &SimServer, ms: u64) {
    sim.sim.clock.advance(Duration::from_millis(ms));
}

#[tokio::test]
async fn regions_and_zones_answer_under_both_signatures() {
    let sim = sim(0);
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        let c = client(&sim, version);
        let regions = c.describe_regions().await.unwrap();
        assert!(regions
            .regions
            .iter()
            .any(|r| r.region_id == REGION && r.region_endpoint == "ecs.cn-hangzhou.aliyuncs.com"));
        assert!(!regions.request_id.is_empty());
        let zones = c.describe_zones(REGION).await.unwrap();
        assert!(zones.zones.iter().any(|z| z.zone_id == ZONE
            && z.available_instance_types
                .contains(&"ecs.g6.large".to_string())));
        assert_eq!(
            code_of(c.describe_zones("mars-1").await),
            ("InvalidRegionId.NotFound".into(), 404)
        );
    }
}

#[tokio::test]
async fn vswitch_cidr_rules_dependencies_and_quota() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let vpc = new_vpc(&c, "10.0.0.0/16").await;
    assert!(vpc.v_router_id.starts_with("vrt-") && vpc.route_table_id.starts_with("vtb-"));
    let mk = |cidr: &str| CreateVSwitchRequest {
        vpc_id: vpc.vpc_id.clone(),
        zone_id: ZONE.into(),
        cidr_block: cidr.into(),
        ..Default::default()
    };
    let vsw = c
        .create_vswitch(REGION, &mk("10.0.1.0/24"))
        .await
        .unwrap()
        .v_switch_id;
    for (cidr, code) in [
        ("10.0.1.0/25", "InvalidCidrBlock.Overlapped"),
        ("10.0.0.0/16", "InvalidCidrBlock.Overlapped"),
        ("10.1.0.0/24", "InvalidCidrBlock.Mismatch"),
        ("10.0.2.7/24", "InvalidCidrBlock.Malformed"),
        ("10.0.2.0/30", "InvalidCidrBlock.Malformed"),
    ] {
        assert_eq!(code_of(c.create_vswitch(REGION, &mk(cidr)).await).0, code, "{cidr}");
    }
    let bad_zone = CreateVSwitchRequest {
        zone_id: "cn-beijing-g".into(),
        ..mk("10.0.3.0/24")
    };
    assert_eq!(
        code_of(c.create_vswitch(REGION, &bad_zone).await).0,
        "InvalidZoneId.NotFound"
    );
    let no_vpc = CreateVSwitchRequest {
        vpc_id: "vpc-missing".into(),
        ..mk("10.0.3.0/24")
    };
    assert_eq!(
        code_of(c.create_vswitch(REGION, &no_vpc).await),
        ("InvalidVpcId.NotFound".into(), 404)
    );
    assert_eq!(
        code_of(c.delete_vpc(REGION, &vpc.vpc_id).await),
        ("DependencyViolation.VSwitch".into(), 400)
    );
    let listed = c
        .describe_vswitches_all(REGION, Some(&vpc.vpc_id))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].cidr_block.as_str(),
            listed[0].available_ip_address_count
        ),
        ("10.0.1.0/24", 250)
    );
    c.delete_vswitch(REGION, &vsw).await.unwrap();
    c.delete_vpc(REGION, &vpc.vpc_id).await.unwrap();
    assert_eq!(
        code_of(c.delete_vpc(REGION, &vpc.vpc_id).await),
        ("InvalidVpcId.NotFound".into(), 404)
    );
    // Quota: two VPCs per region.
    set_quotas(&sim, json!({ "vpcs_per_region": 2 })).await;
    for _ in 0..2 {
        c.create_vpc(
            REGION,
            &CreateVpcRequest {
                cidr_block: "192.168.0.0/16".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(
        code_of(
            c.create_vpc(
                REGION,
                &CreateVpcRequest {
                    cidr_block: "192.168.0.0/16".into(),
                    ..Default::default()
                }
            )
            .await
        )
        .0,
        "QuotaExceeded.Vpc"
    );
    assert_eq!(c.describe_vpcs_all(REGION).await.unwrap().len(), 2);
}

#[tokio::test]
async fn instances_move_through_their_statuses_as_simulated_time_passes() {
    let sim = sim(1000);
    let c = client(&sim, SignatureVersion::Acs3);
    let net = network(&c, "172.16.0.0/12", "172.16.1.0/24").await;
    let ids = c
        .run_instances(REGION, &run_request(&net, 2))
        .await
        .unwrap()
        .instance_id_sets;
    assert_eq!(ids.len(), 2);
    let vm = &ids[0];
    assert_eq!(status(&c, vm).await, "Pending");
    advance(&sim, 999);
    assert_eq!(status(&c, vm).await, "Pending");
    advance(&sim, 1);
    assert_eq!(status(&c, vm).await, "Starting");
    advance(&sim, 1000);
    assert_eq!(status(&c, vm).await, "Running");
    // Rules on a Running instance.
    assert_eq!(
        code_of(c.start_instance(REGION, vm).await),
        ("IncorrectInstanceStatus".into(), 403)
    );
    assert_eq!(
        code_of(c.delete_instance(REGION, vm, false).await),
        ("IncorrectInstanceStatus".into(), 403)
    );
    c.stop_instance(REGION, vm, false).await.unwrap();
    assert_eq!(status(&c, vm).await, "Stopping");
    assert_eq!(
        code_of(c.stop_instance(REGION, vm, false).await).0,
        "IncorrectInstanceStatus"
    );
    advance(&sim, 1000);
    assert_eq!(status(&c, vm).await, "Stopped");
    c.start_instance(REGION, vm).await.unwrap();
    assert_eq!(status(&c, vm).await, "Starting");
    advance(&sim, 1000);
    c.reboot_instance(REGION, vm, false).await.unwrap();
    assert_eq!(status(&c, vm).await, "Stopping");
    advance(&sim, 2000);
    assert_eq!(status(&c, vm).await, "Running");
    // Force deletes a Running instance; its disks go with it, its IP is freed.
    c.delete_instance(REGION, vm, true).await.unwrap();
    assert_eq!(
        code_of(c.delete_instance(REGION, vm, true).await),
        ("InvalidInstanceId.NotFound".into(), 404)
    );
    let disks = disks_of(&c, &vm).await;
    assert!(disks.is_empty(), "{disks:?}");
    // A Stopped instance deletes without Force.
    let other = &ids[1];
    c.stop_instance(REGION, other, true).await.unwrap();
    advance(&sim, 1000);
    c.delete_instance(REGION, other, false).await.unwrap();
    // CreateInstance ends Stopped.
    let created = c
        .create_instance(REGION, &run_request(&net, 1))
        .await
        .unwrap()
        .instance_id;
    advance(&sim, 1000);
    assert_eq!(status(&c, &created).await, "Stopped");
    let vswitch = &c
        .describe_vswitches_all(REGION, Some(&net.vpc))
        .await
        .unwrap()[0];
    assert_eq!(vswitch.available_ip_address_count, 249);
}

#[tokio::test]
async fn run_instances_checks_its_references() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::V1);
    let net = network(&c, "172.16.0.0/12", "172.16.1.0/24").await;
    let other = network(&c, "192.168.0.0/16", "192.168.1.0/24").await;
    let base = || run_request(&net, 1);
    let essd = |size_gb| DiskSpec { category: "cloud_essd".into(), size_gb };
    let cases = [
        (RunInstancesRequest { image_id: "nope".into(), ..base() }, "InvalidImageId.NotFound"),
        (RunInstancesRequest { instance_type: "ecs.huge".into(), ..base() }, "InvalidInstanceType.ValueNotSupported"),
        (RunInstancesRequest { v_switch_id: "vsw-nope".into(), ..base() }, "InvalidVSwitchId.NotFound"),
        (RunInstancesRequest { security_group_id: "sg-nope".into(), ..base() }, "InvalidSecurityGroupId.NotFound"),
        (RunInstancesRequest { security_group_id: other.sg.clone(), ..base() }, "InvalidSecurityGroupId.VpcMismatch"),
        (RunInstancesRequest { password: Some("short".into()), ..base() }, "InvalidPassword.Malformed"),
        (RunInstancesRequest { system_disk: Some(essd(10)), ..base() }, "InvalidDiskSize.ValueNotSupported"),
        (RunInstancesRequest { data_disks: vec![DiskSpec { category: "floppy".into(), ..essd(100) }], ..base() }, "InvalidDiskCategory.ValueNotSupported"),
    ];
    for (request, code) in cases {
        assert_eq!(code_of(c.run_instances(REGION, &request).await).0, code);
    }
    // A /29 has 2 usable addresses.
    let tiny = new_vswitch(&c, &net.vpc, "172.16.9.0/29").await;
    let crowded = RunInstancesRequest {
        v_switch_id: tiny,
        ..run_request(&net, 3)
    };
    assert_eq!(
        code_of(c.run_instances(REGION, &crowded).await).0,
        "InvalidVSwitchId.IpNotEnough"
    );
    assert_eq!(
        sim.sim.state.lock().instances.len(),
        0,
        "no instance left behind by refused calls"
    );
}

#[tokio::test]
async fn paging_by_page_number_and_by_next_token() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    control(
        &sim,
        "POST",
        "/__sim/seed",
        Some(json!({ "instances": 250, "vswitches": 4, "security_groups": 60 })),
    )
    .await;
    let all = c
        .describe_instances_all(REGION, &DescribeInstancesRequest::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    let mut sorted: Vec<&str> = all.iter().map(|i| i.instance_id.as_str()).collect();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 250, "every instance exactly once");
    let page3 = c
        .describe_instances(
            REGION,
            &DescribeInstancesRequest {
                page_number: Some(3),
                page_size: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            page3.total_count,
            page3.page_number,
            page3.page_size,
            page3.instances.len()
        ),
        (250, 3, 100, 50)
    );
    assert_eq!(page3.instances[0].instance_id, all[200].instance_id);
    let too_big = DescribeInstancesRequest {
        page_size: Some(101),
        ..Default::default()
    };
    assert_eq!(
        code_of(c.describe_instances(REGION, &too_big).await).0,
        "InvalidParameter"
    );
    let bad_token = DescribeInstancesRequest {
        next_token: Some("zzz".into()),
        ..Default::default()
    };
    assert_eq!(
        code_of(c.describe_instances(REGION, &bad_token).await).0,
        "InvalidParameter.NextToken"
    );
    assert_eq!(
        c.describe_security_groups_all(REGION, None)
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.describe_vswitches_all(REGION, None).await.unwrap().len(),
        4
    );
    let by_vswitch = c
        .describe_instances_all(
            REGION,
            &DescribeInstancesRequest {
                v_switch_id: Some(all[0].vpc_attributes.v_switch_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(by_vswitch.len() < 250 && !by_vswitch.is_empty());
}

#[tokio::test]
async fn client_token_makes_creates_idempotent() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let request = CreateVpcRequest {
        cidr_block: "10.0.0.0/8".into(),
        client_token: Some("token-1".into()),
        ..Default::default()
    };
    let first = c.create_vpc(REGION, &request).await.unwrap();
    let again = c.create_vpc(REGION, &request).await.unwrap();
    assert_eq!(first.vpc_id, again.vpc_id);
    assert_ne!(first.request_id, again.request_id);
    assert_eq!(sim.sim.state.lock().vpcs.len(), 1);
    let changed = CreateVpcRequest {
        cidr_block: "192.168.0.0/16".into(),
        ..request.clone()
    };
    assert_eq!(
        code_of(c.create_vpc(REGION, &changed).await).0,
        "IdempotentParameterMismatch"
    );
    // The same token on another action is a different request.
    let net = network(&c, "172.16.0.0/12", "172.16.1.0/24").await;
    let run = RunInstancesRequest {
        client_token: Some("token-1".into()),
        ..run_request(&net, 2)
    };
    let a = c
        .run_instances(REGION, &run)
        .await
        .unwrap()
        .instance_id_sets;
    let b = c
        .run_instances(REGION, &run)
        .await
        .unwrap()
        .instance_id_sets;
    assert_eq!(a, b);
    assert_eq!(sim.sim.state.lock().instances.len(), 2);
}

#[tokio::test]
async fn security_group_rules_and_dependencies() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let net = network(&c, "172.16.0.0/12", "172.16.1.0/24").await;
    let rule = SecurityGroupRule {
        security_group_id: net.sg.clone(),
        ip_protocol: "tcp".into(),
        port_range: "22/22".into(),
        source_cidr_ip: Some("10.0.0.0/8".into()),
        ..Default::default()
    };
    c.authorize_security_group(REGION, &rule).await.unwrap();
    assert_eq!(
        code_of(c.authorize_security_group(REGION, &rule).await).0,
        "InvalidPermission.Duplicate"
    );
    for (protocol, ports, code) in [
        ("tcp", "0/22", "InvalidPortRange.Malformed"),
        ("icmp", "22/22", "InvalidPortRange.Malformed"),
        ("sctp", "1/1", "InvalidIpProtocol.Malformed"),
    ] {
        let bad = SecurityGroupRule {
            ip_protocol: protocol.into(),
            port_range: ports.into(),
            ..rule.clone()
        };
        assert_eq!(
            code_of(c.authorize_security_group(REGION, &bad).await).0,
            code
        );
    }
    let from_group = SecurityGroupRule {
        source_cidr_ip: None,
        source_group_id: Some(net.sg.clone()),
        port_range: "80/443".into(),
        ..rule.clone()
    };
    c.authorize_security_group(REGION, &from_group)
        .await
        .unwrap();
    let attr = ecs(
        &c,
        "DescribeSecurityGroupAttribute",
        Params::new()
            .set("RegionId", REGION)
            .set("SecurityGroupId", &net.sg),
    )
    .await
    .unwrap();
    let permissions = attr["Permissions"]["Permission"].as_array().unwrap();
    assert_eq!(permissions.len(), 2);
    assert_eq!(permissions[0]["PortRange"], "22/22");
    assert_eq!(permissions[1]["SourceGroupId"], net.sg.as_str());
    ecs(
        &c,
        "RevokeSecurityGroup",
        Params::new()
            .set("RegionId", REGION)
            .set("SecurityGroupId", &net.sg)
            .set("IpProtocol", "tcp")
            .set("PortRange", "22/22")
            .set("SourceCidrIp", "10.0.0.0/8"),
    )
    .await
    .unwrap();
    let attr = ecs(
        &c,
        "DescribeSecurityGroupAttribute",
        Params::new()
            .set("RegionId", REGION)
            .set("SecurityGroupId", &net.sg),
    )
    .await
    .unwrap();
    assert_eq!(
        attr["Permissions"]["Permission"].as_array().unwrap().len(),
        1
    );
    let ids = c
        .run_instances(REGION, &run_request(&net, 1))
        .await
        .unwrap()
        .instance_id_sets;
    assert_eq!(
        code_of(c.delete_security_group(REGION, &net.sg).await),
        ("DependencyViolation".into(), 403)
    );
    assert_eq!(
        code_of(c.delete_vpc(REGION, &net.vpc).await).0,
        "DependencyViolation.VSwitch"
    );
    assert_eq!(
        code_of(c.delete_vswitch(REGION, &net.vsw).await).0,
        "DependencyViolation"
    );
    c.delete_instance(REGION, &ids[0], true).await.unwrap();
    c.delete_security_group(REGION, &net.sg).await.unwrap();
    c.delete_vswitch(REGION, &net.vsw).await.unwrap();
    c.delete_vpc(REGION, &net.vpc).await.unwrap();
}

#[tokio::test]
async fn eips_disks_vnc_and_password() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let net = network(&c, "172.16.0.0/12", "172.16.1.0/24").await;
    let vm = c
        .run_instances(REGION, &run_request(&net, 1))
        .await
        .unwrap()
        .instance_id_sets
        .remove(0);
    let eip = c
        .allocate_eip_address(
            REGION,
            &AllocateEipRequest {
                bandwidth: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    c.associate_eip_address(REGION, &eip.allocation_id, &vm, None)
        .await
        .unwrap();
    assert_eq!(
        code_of(
            c.associate_eip_address(REGION, &eip.allocation_id, &vm, None)
                .await
        )
        .0,
        "IncorrectEipStatus"
    );
    let listed = c.describe_eip_addresses_all(REGION).await.unwrap();
    assert_eq!(
        (
            listed[0].status.as_str(),
            listed[0].instance_id.as_str(),
            listed[0].bandwidth.as_str()
        ),
        ("InUse", vm.as_str(), "10")
    );
    let instance = c
        .describe_instances_all(REGION, &DescribeInstancesRequest::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(instance.eip_address.ip_address, eip.eip_address);
    assert_eq!(
        code_of(c.release_eip_address(REGION, &eip.allocation_id).await).0,
        "IncorrectEipStatus"
    );
    c.unassociate_eip_address(REGION, &eip.allocation_id, &vm)
        .await
        .unwrap();
    c.release_eip_address(REGION, &eip.allocation_id)
        .await
        .unwrap();
    assert_eq!(
        code_of(c.release_eip_address(REGION, &eip.allocation_id).await),
        ("InvalidAllocationId.NotFound".into(), 404)
    );
    set_quotas(&sim, json!({ "eips_per_region": 1 })).await;
    c.allocate_eip_address(REGION, &AllocateEipRequest::default())
        .await
        .unwrap();
    assert_eq!(
        code_of(
            c.allocate_eip_address(REGION, &AllocateEipRequest::default())
                .await
        )
        .0,
        "QuotaExceeded.Eip"
    );

    let disk = c
        .create_disk(
            REGION,
            &CreateDiskRequest {
                zone_id: ZONE.into(),
                disk_category: "cloud_essd".into(),
                size_gb: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .disk_id;
    let elsewhere = c
        .create_disk(
            REGION,
            &CreateDiskRequest {
                zone_id: "cn-hangzhou-i".into(),
                disk_category: "cloud_essd".into(),
                size_gb: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .disk_id;
    assert_eq!(
        code_of(c.attach_disk(REGION, &vm, &elsewhere, None).await).0,
        "InvalidDiskId.ZoneMismatch"
    );
    c.attach_disk(REGION, &vm, &disk, None).await.unwrap();
    assert_eq!(
        code_of(c.attach_disk(REGION, &vm, &disk, None).await).0,
        "IncorrectDiskStatus"
    );
    assert_eq!(
        code_of(c.delete_disk(REGION, &disk).await),
        ("IncorrectDiskStatus".into(), 403)
    );
    let attached = c
        .describe_disks_all(
            REGION,
            &DescribeDisksRequest {
                disk_ids: vec![disk.clone()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (attached[0].status.as_str(), attached[0].device.as_str()),
        ("In_use", "/dev/xvdc")
    );
    let system = disks_of(&c, &vm).await;
    let system_disk = system.iter().find(|d| d.disk_type == "system").unwrap();
    assert_eq!(
        code_of(c.detach_disk(REGION, &vm, &system_disk.disk_id).await).0,
        "IncorrectDiskStatus"
    );
    c.detach_disk(REGION, &vm, &disk).await.unwrap();
    c.delete_disk(REGION, &disk).await.unwrap();
    assert_eq!(
        code_of(c.delete_disk(REGION, &disk).await),
        ("InvalidDiskId.NotFound".into(), 404)
    );

    let vnc = ecs(
        &c,
        "DescribeInstanceVncUrl",
        Params::new().set("RegionId", REGION).set("InstanceId", &vm),
    )
    .await
    .unwrap();
    assert!(vnc["VncUrl"].as_str().unwrap().contains(&vm));
    ecs(
        &c,
        "ModifyInstanceAttribute",
        Params::new()
            .set("InstanceId", &vm)
            .set("Password", "Good-Passw0rd"),
    )
    .await
    .unwrap();
    let weak = ecs(
        &c,
        "ModifyInstanceAttribute",
        Params::new()
            .set("InstanceId", &vm)
            .set("Password", "password"),
    )
    .await;
    assert_eq!(code_of(weak).0, "InvalidPassword.Malformed");
    c.stop_instance(REGION, &vm, false).await.unwrap();
    let stopped_vnc = ecs(
        &c,
        "DescribeInstanceVncUrl",
        Params::new().set("RegionId", REGION).set("InstanceId", &vm),
    )
    .await;
    assert_eq!(code_of(stopped_vnc).0, "IncorrectInstanceStatus");
}
