//! OSS through the client (V1 and V4, path style) and by hand (virtual-host style),
//! ImportImage from a simulator bucket with its status over time, and the VPN and route
//! actions through the client's generic call.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use zstack_aliyun::ecs::{
    DescribeImagesRequest, ImportImageDisk, ImportImageRequest, RunInstancesRequest,
};
use zstack_aliyun::oss_sign::{sign_oss_v1, OssV1Input};
use zstack_aliyun::{OssSignatureVersion, Params, SignatureVersion};

#[tokio::test]
async fn buckets_and_objects_under_both_oss_signatures() {
    let sim = sim(0);
    for (n, version) in [OssSignatureVersion::V1, OssSignatureVersion::V4]
        .into_iter()
        .enumerate()
    {
        let c = client_with(
            &sim,
            "testid",
            "testsecret",
            SignatureVersion::Acs3,
            version,
            0,
            Duration::from_secs(5),
        );
        let oss = c.oss(REGION);
        let bucket = format!("images-{n}");
        oss.put_bucket(&bucket, Some("private")).await.unwrap();
        assert_eq!(
            code_of(oss.put_bucket(&bucket, None).await),
            ("BucketAlreadyExists".into(), 409)
        );
        assert!(oss
            .list_buckets()
            .await
            .unwrap()
            .iter()
            .any(|b| b.name == bucket && b.region == REGION));
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let put = oss
            .put_object(&bucket, "vm/disk 1.qcow2", body.clone(), None)
            .await
            .unwrap();
        assert_eq!(put.etag.len(), 32);
        assert!(!put.request_id.is_empty());
        let got = oss.get_object(&bucket, "vm/disk 1.qcow2").await.unwrap();
        assert_eq!(got.body, body);
        assert_eq!(got.meta.etag, put.etag);
        assert_eq!(
            oss.head_object(&bucket, "vm/disk 1.qcow2")
                .await
                .unwrap()
                .content_length,
            body.len() as u64
        );
        assert_eq!(
            code_of(oss.get_object(&bucket, "missing").await),
            ("NoSuchKey".into(), 404)
        );
        assert_eq!(
            code_of(oss.get_object("no-such-bucket", "k").await),
            ("NoSuchBucket".into(), 404)
        );
        assert_eq!(
            code_of(oss.delete_bucket(&bucket).await),
            ("BucketNotEmpty".into(), 409)
        );
        oss.delete_object(&bucket, "vm/disk 1.qcow2").await.unwrap();
        oss.delete_bucket(&bucket).await.unwrap();
        assert_eq!(
            code_of(oss.delete_bucket(&bucket).await),
            ("NoSuchBucket".into(), 404)
        );
    }
    let stats = control(&sim, "GET", "/__sim/stats", None).await;
    assert!(stats["signatures"]["oss_v1"].as_u64().unwrap() > 5);
    assert!(stats["signatures"]["oss_v4"].as_u64().unwrap() > 5);
}

/// Signs an OSS V1 request by hand (`Host: bucket.oss-...`), as a virtual-host client would.
fn v1_headers(verb: &str, bucket: &str, key: &str, content_md5: &str) -> Vec<(String, String)> {
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let resource = format!("/{bucket}/{key}");
    let signature = sign_oss_v1(
        &OssV1Input {
            verb,
            content_md5,
            content_type: "application/octet-stream",
            date: &date,
            headers: &[],
            canonicalized_resource: &resource,
        },
        "testid",
        "testsecret",
    );
    vec![
        (
            "host".into(),
            format!("{bucket}.oss-cn-hangzhou.aliyuncs.com"),
        ),
        ("date".into(), date),
        ("content-type".into(), "application/octet-stream".into()),
        ("authorization".into(), signature.authorization),
    ]
}

#[tokio::test]
async fn virtual_host_style_and_content_md5_check() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    c.oss(REGION).put_bucket("vhost", None).await.unwrap();
    let http = reqwest::Client::new();
    let send = |headers: Vec<(String, String)>, body: &'static [u8], verb: reqwest::Method| {
        let mut request = http
            .request(verb, format!("{}/obj.raw", sim.base_url))
            .body(body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request.send()
    };
    let wrong_md5 = "AAAAAAAAAAAAAAAAAAAAAA==";
    let mut headers = v1_headers("PUT", "vhost", "obj.raw", wrong_md5);
    headers.push(("content-md5".into(), wrong_md5.into()));
    let answer = send(headers, b"image bytes", reqwest::Method::PUT)
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer
        .text()
        .await
        .unwrap()
        .contains("<Code>InvalidDigest</Code>"));
    let answer = send(
        v1_headers("PUT", "vhost", "obj.raw", ""),
        b"image bytes",
        reqwest::Method::PUT,
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
    // The object landed in the bucket named by the Host header; read it back path-style.
    let object = c.oss(REGION).get_object("vhost", "obj.raw").await.unwrap();
    assert_eq!(object.body.as_ref(), b"image bytes");
    let unsigned = http
        .get(format!("{}/vhost/obj.raw", sim.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    assert!(unsigned.headers().contains_key("x-oss-request-id"));
    assert!(unsigned
        .text()
        .await
        .unwrap()
        .contains("<Code>AccessDenied</Code>"));
}

#[tokio::test]
async fn import_image_from_the_simulators_oss_and_boot_from_it() {
    let sim = sim(1000);
    let c = client(&sim, SignatureVersion::V1);
    c.oss(REGION).put_bucket("imgs", None).await.unwrap();
    c.oss(REGION)
        .put_object("imgs", "guest.qcow2", vec![7u8; 4096], None)
        .await
        .unwrap();
    let request = ImportImageRequest {
        image_name: Some("guest".into()),
        os_type: Some("linux".into()),
        platform: Some("Ubuntu".into()),
        disks: vec![ImportImageDisk {
            oss_bucket: "imgs".into(),
            oss_object: "guest.qcow2".into(),
            format: "QCOW2".into(),
            disk_image_size_gb: 20,
        }],
        ..Default::default()
    };
    let imported = c.import_image(REGION, &request).await.unwrap();
    assert!(imported.image_id.starts_with("m-") && imported.task_id.starts_with("t-"));
    assert_eq!(
        code_of(
            c.import_image(
                REGION,
                &ImportImageRequest {
                    client_token: Some("other".into()),
                    ..request.clone()
                }
            )
            .await
        )
        .0,
        "InvalidImageName.Duplicated"
    );
    let missing = ImportImageRequest {
        image_name: None,
        disks: vec![ImportImageDisk {
            oss_bucket: "imgs".into(),
            oss_object: "nope.qcow2".into(),
            ..request.disks[0].clone()
        }],
        ..request.clone()
    };
    assert_eq!(
        code_of(c.import_image(REGION, &missing).await),
        ("InvalidOSSObject.NotFound".into(), 404)
    );
    let no_bucket = ImportImageRequest {
        image_name: None,
        disks: vec![ImportImageDisk {
            oss_bucket: "nobucket".into(),
            ..request.disks[0].clone()
        }],
        ..request.clone()
    };
    assert_eq!(
        code_of(c.import_image(REGION, &no_bucket).await).0,
        "InvalidOSSBucket.NotFound"
    );
    let describe = |status: &str| DescribeImagesRequest {
        image_ids: vec![imported.image_id.clone()],
        status: Some(status.into()),
        ..Default::default()
    };
    // Not yet Available: the default Status filter (Available) does not show it.
    assert!(c
        .describe_images(REGION, &describe("Available"))
        .await
        .unwrap()
        .images
        .is_empty());
    let waiting = c
        .describe_images(REGION, &describe("Waiting,Creating,Available"))
        .await
        .unwrap()
        .images
        .remove(0);
    assert_eq!(
        (waiting.status.as_str(), waiting.progress.as_str()),
        ("Waiting", "0%")
    );
    sim.sim.clock.advance(Duration::from_millis(1000));
    assert_eq!(
        c.describe_images(REGION, &describe("Creating"))
            .await
            .unwrap()
            .images[0]
            .status,
        "Creating"
    );
    sim.sim.clock.advance(Duration::from_millis(1000));
    let ready = c
        .describe_images(REGION, &describe("Available"))
        .await
        .unwrap()
        .images
        .remove(0);
    assert_eq!(
        (
            ready.size,
            ready.image_owner_alias.as_str(),
            ready.os_type.as_str()
        ),
        (20, "self", "linux")
    );
    // Boot from it; then it cannot be deleted without Force; public images never.
    let Net { vsw, sg, .. } = network(&c, "10.0.0.0/8", "10.9.0.0/24").await;
    c.run_instances(
        REGION,
        &RunInstancesRequest {
            image_id: imported.image_id.clone(),
            instance_type: "ecs.c6.large".into(),
            security_group_id: sg,
            v_switch_id: vsw,
            amount: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code_of(c.delete_image(REGION, &imported.image_id, false).await),
        ("ImageInUse".into(), 403)
    );
    assert_eq!(
        code_of(c.delete_image(REGION, IMAGE, true).await).0,
        "OperationDenied"
    );
    c.delete_image(REGION, &imported.image_id, true)
        .await
        .unwrap();
    assert_eq!(
        code_of(c.delete_image(REGION, &imported.image_id, true).await),
        ("InvalidImageId.NotFound".into(), 404)
    );
    let public = c
        .describe_images_all(
            REGION,
            &DescribeImagesRequest {
                image_owner_alias: Some("system".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(public.iter().any(|i| i.image_id == IMAGE));
}

#[tokio::test]
async fn vpn_gateways_customer_gateways_connections_and_routes() {
    let sim = sim(1000);
    let c = client(&sim, SignatureVersion::Acs3);
    let net = new_vpc(&c, "10.0.0.0/16").await;
    let vsw = new_vswitch(&c, &net.vpc_id, "10.0.1.0/24").await;
    let p = || Params::new().set("RegionId", REGION);
    let bad_bandwidth = vpc(
        &c,
        "CreateVpnGateway",
        p().set("VpcId", &net.vpc_id).set("Bandwidth", 7),
    )
    .await;
    assert_eq!(code_of(bad_bandwidth).0, "InvalidParameter");
    let missing_vpc = vpc(
        &c,
        "CreateVpnGateway",
        p().set("VpcId", "vpc-nope").set("Bandwidth", 10),
    )
    .await;
    assert_eq!(code_of(missing_vpc), ("InvalidVpcId.NotFound".into(), 404));
    let gw = vpc(
        &c,
        "CreateVpnGateway",
        p().set("VpcId", &net.vpc_id)
            .set("VSwitchId", &vsw)
            .set("Bandwidth", 10)
            .set("Name", "gw"),
    )
    .await
    .unwrap();
    let gw_id = gw["VpnGatewayId"].as_str().unwrap().to_string();
    assert_eq!(gw["Name"], "gw");
    let describe_gw = || vpc(&c, "DescribeVpnGateways", p().set("VpcId", &net.vpc_id));
    assert_eq!(
        describe_gw().await.unwrap()["VpnGateways"]["VpnGateway"][0]["Status"],
        "init"
    );
    sim.sim.clock.advance(Duration::from_millis(2000));
    let listed = describe_gw().await.unwrap();
    assert_eq!(listed["VpnGateways"]["VpnGateway"][0]["Status"], "active");
    assert_eq!(listed["TotalCount"], 1);
    let cgw = vpc(
        &c,
        "CreateCustomerGateway",
        p().set("IpAddress", "198.51.100.9").set("Name", "dc1"),
    )
    .await
    .unwrap();
    let cgw_id = cgw["CustomerGatewayId"].as_str().unwrap().to_string();
    assert!(cgw["CreateTime"].as_i64().unwrap() > 0);
    assert_eq!(
        code_of(
            vpc(
                &c,
                "CreateCustomerGateway",
                p().set("IpAddress", "198.51.100.9")
            )
            .await
        )
        .0,
        "InvalidIpAddress.AlreadyExist"
    );
    assert_eq!(
        code_of(
            vpc(
                &c,
                "CreateCustomerGateway",
                p().set("IpAddress", "999.1.1.1")
            )
            .await
        )
        .0,
        "InvalidIpAddress.Malformed"
    );
    let conn_params = || {
        p().set("VpnGatewayId", &gw_id)
            .set("CustomerGatewayId", &cgw_id)
            .set("LocalSubnet", "10.0.1.0/24")
            .set("RemoteSubnet", "192.168.0.0/16,172.16.0.0/12")
    };
    assert_eq!(
        code_of(
            vpc(
                &c,
                "CreateVpnConnection",
                conn_params().set("IkeConfig", "{not json")
            )
            .await
        )
        .0,
        "InvalidParameter.IkeConfig"
    );
    let conn = vpc(
        &c,
        "CreateVpnConnection",
        conn_params()
            .set(
                "IkeConfig",
                json!({ "IkeVersion": "ikev2", "Psk": "k3y" }).to_string(),
            )
            .set("IpsecConfig", json!({ "IpsecPfs": "group5" }).to_string()),
    )
    .await
    .unwrap();
    let conn_id = conn["VpnConnectionId"].as_str().unwrap().to_string();
    let listed = vpc(
        &c,
        "DescribeVpnConnections",
        p().set("VpnGatewayId", &gw_id),
    )
    .await
    .unwrap();
    let item = &listed["VpnConnections"]["VpnConnection"][0];
    assert_eq!(
        (
            item["IkeConfig"]["IkeVersion"].as_str(),
            item["IkeConfig"]["Psk"].as_str(),
            item["IkeConfig"]["IkeMode"].as_str()
        ),
        (Some("ikev2"), Some("k3y"), Some("main"))
    );
    assert_eq!(item["IpsecConfig"]["IpsecPfs"], "group5");
    assert_eq!(item["RemoteSubnet"], "192.168.0.0/16,172.16.0.0/12");
    assert_eq!(
        code_of(vpc(&c, "DeleteVpnGateway", p().set("VpnGatewayId", &gw_id)).await).0,
        "DependencyViolation.VpnConnection"
    );
    assert_eq!(
        code_of(
            vpc(
                &c,
                "DeleteCustomerGateway",
                p().set("CustomerGatewayId", &cgw_id)
            )
            .await
        )
        .0,
        "DependencyViolation.VpnConnection"
    );
    // Routes to the gateway.
    let routers = vpc(
        &c,
        "DescribeVRouters",
        p().set("VRouterId", &net.v_router_id),
    )
    .await
    .unwrap();
    assert_eq!(
        routers["VRouters"]["VRouter"][0]["RouteTableIds"]["RouteTableId"][0],
        net.route_table_id.as_str()
    );
    let route = |dest: &str| {
        p().set("RouteTableId", &net.route_table_id)
            .set("DestinationCidrBlock", dest)
            .set("NextHopType", "VpnGateway")
            .set("NextHopId", &gw_id)
    };
    let entry = vpc(&c, "CreateRouteEntry", route("192.168.0.0/16"))
        .await
        .unwrap()["RouteEntryId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        code_of(vpc(&c, "CreateRouteEntry", route("192.168.0.0/16")).await).0,
        "InvalidCIDRBlock.Duplicate"
    );
    assert_eq!(
        code_of(vpc(&c, "CreateRouteEntry", route("192.168.0.0")).await).0,
        "InvalidDestinationCidrBlock.Malformed"
    );
    let wrong_hop = p()
        .set("RouteTableId", &net.route_table_id)
        .set("DestinationCidrBlock", "172.16.0.0/12")
        .set("NextHopType", "Instance")
        .set("NextHopId", "i-nope");
    assert_eq!(
        code_of(vpc(&c, "CreateRouteEntry", wrong_hop).await).0,
        "InvalidNextHopId.NotFound"
    );
    let entries = vpc(
        &c,
        "DescribeRouteEntryList",
        p().set("RouteTableId", &net.route_table_id),
    )
    .await
    .unwrap();
    let entries = entries["RouteEntrys"]["RouteEntry"]
        .as_array()
        .unwrap()
        .clone();
    assert!(entries
        .iter()
        .any(|e| e["Type"] == "System" && e["DestinationCidrBlock"] == "10.0.1.0/24"));
    assert!(entries.iter().any(|e| e["RouteEntryId"] == entry.as_str()
        && e["NextHops"]["NextHop"][0]["NextHopId"] == gw_id.as_str()));
    let tables = vpc(
        &c,
        "DescribeRouteTables",
        p().set("RouteTableId", &net.route_table_id),
    )
    .await
    .unwrap();
    assert_eq!(
        tables["RouteTables"]["RouteTable"][0]["RouteEntrys"]["RouteEntry"]
            .as_array()
            .unwrap()
            .len(),
        entries.len()
    );
    assert_eq!(
        code_of(
            vpc(
                &c,
                "DeleteVpnConnection",
                p().set("VpnConnectionId", "vco-nope")
            )
            .await
        )
        .0,
        "InvalidVpnConnectionInstanceId.NotFound"
    );
    vpc(
        &c,
        "DeleteVpnConnection",
        p().set("VpnConnectionId", &conn_id),
    )
    .await
    .unwrap();
    assert_eq!(
        code_of(vpc(&c, "DeleteVpnGateway", p().set("VpnGatewayId", &gw_id)).await).0,
        "DependencyViolation.RouteEntry"
    );
    c.delete_vswitch(REGION, &vsw).await.unwrap_err();
    assert_eq!(
        code_of(c.delete_vpc(REGION, &net.vpc_id).await).0,
        "DependencyViolation.VSwitch"
    );
    vpc(&c, "DeleteRouteEntry", p().set("RouteEntryId", &entry))
        .await
        .unwrap();
    vpc(&c, "DeleteVpnGateway", p().set("VpnGatewayId", &gw_id))
        .await
        .unwrap();
    vpc(
        &c,
        "DeleteCustomerGateway",
        p().set("CustomerGatewayId", &cgw_id),
    )
    .await
    .unwrap();
    c.delete_vswitch(REGION, &vsw).await.unwrap();
    c.delete_vpc(REGION, &net.vpc_id).await.unwrap();
    assert_eq!(
        vpc(&c, "DescribeCustomerGateways", p()).await.unwrap()["TotalCount"],
        0
    );
    // An unknown action, and an ECS action sent with the VPC version, are refused.
    assert_eq!(
        code_of(vpc(&c, "LaunchRocket", p()).await),
        ("InvalidAction.NotFound".into(), 404)
    );
    assert_eq!(
        code_of(vpc(&c, "StartInstance", p().set("InstanceId", "i-1")).await).0,
        "InvalidAction.NotFound"
    );
}
