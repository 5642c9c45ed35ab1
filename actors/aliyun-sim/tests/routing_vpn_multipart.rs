//! The client's typed routing, VPN and multipart-upload calls against the simulator, with
//! the simulator's state checked after each step: images streamed to OSS in parts and
//! imported, OSS's part rules, OSS V1 requests without a date, router interface rules,
//! route entries through router interfaces, VPN gateways needing a vSwitch, and the VPN
//! configuration download.

mod common;

use std::time::Duration;

use common::*;
use zstack_aliyun::ecs::{DescribeImagesRequest, ImportImageDisk, ImportImageRequest};
use zstack_aliyun::oss::MIN_PART_SIZE;
use zstack_aliyun::oss_sign::{sign_oss_v1, OssV1Input};
use zstack_aliyun::routing::{
    CreateRouteEntryRequest, CreateRouterInterfaceRequest, RouteEntrySelector,
};
use zstack_aliyun::vpn::{
    CreateCustomerGatewayRequest, CreateVpnConnectionRequest, CreateVpnGatewayRequest, IkeConfig,
};
use zstack_aliyun::SignatureVersion;

/// A reader that yields `data` in small uneven reads, then fails if `fail` is set:
/// parts must be assembled from many reads, and a broken source must abort the upload.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    fail: bool,
}

impl tokio::io::AsyncRead for Trickle {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let remaining = self.data.len() - self.at;
        if remaining == 0 && self.fail {
            return std::task::Poll::Ready(Err(std::io::Error::other("disk went away")));
        }
        let n = remaining.min(buf.remaining()).min(7_919);
        let at = self.at;
        buf.put_slice(&self.data[at..at + n]);
        self.at += n;
        std::task::Poll::Ready(Ok(()))
    }
}

fn image_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 253) as u8).collect()
}

#[tokio::test]
async fn an_image_streamed_in_parts_is_one_object_that_imports_to_available() {
    let sim = sim(1000);
    let c = client(&sim, SignatureVersion::Acs3);
    let oss = c.oss(REGION);
    oss.put_bucket("images", None).await.unwrap();
    let data = image_bytes(3 * MIN_PART_SIZE + 12_345);
    let uploaded = oss
        .upload_from_reader(
            "images",
            "guest.qcow2",
            Trickle {
                data: data.clone(),
                at: 0,
                fail: false,
            },
            MIN_PART_SIZE,
            None,
        )
        .await
        .unwrap();
    assert_eq!((uploaded.parts, uploaded.size), (4, data.len() as u64));
    assert!(uploaded.etag.ends_with("-4"), "{}", uploaded.etag);
    {
        let state = sim.sim.state.lock();
        let bucket = &state.buckets["images"];
        assert!(bucket.uploads.is_empty(), "the upload is finished");
        assert_eq!(bucket.objects["guest.qcow2"].body.as_ref(), data.as_slice());
    }
    let listed = oss.list_objects("images", "guest").await.unwrap();
    assert_eq!((listed.len(), listed[0].size), (1, data.len() as u64));
    let stats = control(&sim, "GET", "/__sim/stats", None).await;
    assert_eq!(stats["actions"]["UploadPart"]["succeeded"], 4, "{stats}");

    let imported = c
        .import_image(
            REGION,
            &ImportImageRequest {
                image_name: Some("guest".into()),
                disks: vec![ImportImageDisk {
                    oss_bucket: "images".into(),
                    oss_object: "guest.qcow2".into(),
                    format: "QCOW2".into(),
                    disk_image_size_gb: 5,
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let status = || async {
        c.describe_images(
            REGION,
            &DescribeImagesRequest {
                image_ids: vec![imported.image_id.clone()],
                // The service lists only Available images unless asked for others.
                status: Some("Waiting,Creating,Available".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .images[0]
            .status
            .clone()
    };
    assert_eq!(status().await, "Waiting");
    sim.sim.clock.advance(Duration::from_millis(1000));
    assert_eq!(status().await, "Creating");
    sim.sim.clock.advance(Duration::from_millis(1000));
    assert_eq!(status().await, "Available");
}

#[tokio::test]
async fn multipart_rules_and_aborts_leave_no_parts_behind() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let oss = c.oss(REGION);
    oss.put_bucket("parts", None).await.unwrap();
    let upload = oss
        .initiate_multipart_upload("parts", "k", None)
        .await
        .unwrap();
    let small = oss
        .upload_part("parts", "k", &upload, 1, vec![1u8; 1024].into())
        .await
        .unwrap();
    let big = oss
        .upload_part("parts", "k", &upload, 2, vec![2u8; MIN_PART_SIZE].into())
        .await
        .unwrap();
    // Only the last part may be under 100 KiB; parts go in order; etags must match.
    for (parts, code) in [
        (vec![(1, small.clone()), (2, big.clone())], "EntityTooSmall"),
        (vec![(2, big.clone()), (1, small.clone())], "InvalidPartOrder"),
        (vec![(1, "0".repeat(32))], "InvalidPart"),
    ] {
        assert_eq!(code_of(oss.complete_multipart_upload("parts", "k", &upload, &parts).await), (code.into(), 400));
    }
    assert_eq!(
        code_of(
            oss.upload_part("parts", "k", &upload, 0, vec![0u8; 10].into())
                .await
        ),
        ("InvalidArgument".into(), 400)
    );
    assert_eq!(
        code_of(
            oss.upload_part("parts", "k", "NOPE", 1, vec![0u8; 10].into())
                .await
        ),
        ("NoSuchUpload".into(), 404)
    );
    assert_eq!(
        code_of(oss.delete_bucket("parts").await),
        ("BucketNotEmpty".into(), 409),
        "an unfinished upload keeps the bucket"
    );
    // Parts 2 then 1 alone, reversed into order: the big part first is fine as the last.
    let etag = oss
        .complete_multipart_upload("parts", "k", &upload, &[(2, big)])
        .await
        .unwrap();
    assert!(etag.ends_with("-1"));
    assert_eq!(
        sim.sim.state.lock().buckets["parts"].objects["k"]
            .body
            .len(),
        MIN_PART_SIZE
    );

    let failing = oss
        .upload_from_reader(
            "parts",
            "broken",
            Trickle {
                data: image_bytes(MIN_PART_SIZE + 10),
                at: 0,
                fail: true,
            },
            MIN_PART_SIZE,
            None,
        )
        .await
        .unwrap_err();
    assert!(failing.to_string().contains("disk went away"), "{failing}");
    {
        let state = sim.sim.state.lock();
        let bucket = &state.buckets["parts"];
        assert!(bucket.uploads.is_empty(), "a failed upload is aborted");
        assert!(!bucket.objects.contains_key("broken"));
    }
    assert!(
        oss.upload_from_reader("parts", "x", &b""[..], 10, None)
            .await
            .is_err(),
        "parts under OSS's minimum are refused before any request"
    );
    oss.delete_object("parts", "k").await.unwrap();
    oss.delete_bucket("parts").await.unwrap();
}

#[tokio::test]
async fn oss_v1_requests_need_a_date() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    c.oss(REGION).put_bucket("dated", None).await.unwrap();
    let http = reqwest::Client::new();
    // Signed correctly, but over an empty date.
    let signature = sign_oss_v1(
        &OssV1Input {
            verb: "GET",
            content_md5: "",
            content_type: "",
            date: "",
            headers: &[],
            canonicalized_resource: "/dated/",
        },
        "testid",
        "testsecret",
    );
    let answer = http
        .get(format!("{}/dated/", sim.base_url))
        .header("authorization", signature.authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let text = answer.text().await.unwrap();
    assert!(
        text.contains("<Code>AccessDenied</Code>") && text.contains("valid Date"),
        "{text}"
    );
    // x-oss-date may stand in for Date; it is part of the signed headers.
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let headers = vec![("x-oss-date".to_string(), stamp.clone())];
    let signature = sign_oss_v1(
        &OssV1Input {
            verb: "GET",
            content_md5: "",
            content_type: "",
            date: "",
            headers: &headers,
            canonicalized_resource: "/dated/",
        },
        "testid",
        "testsecret",
    );
    let answer = http
        .get(format!("{}/dated/", sim.base_url))
        .header("authorization", signature.authorization)
        .header("x-oss-date", stamp)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
}

async fn vpc_with_vswitch(
    c: &zstack_aliyun::AliyunClient,
    with_vswitch: bool,
) -> (String, String, Option<String>) {
    let vpc = new_vpc(c, "10.0.0.0/16").await;
    let vswitch = if with_vswitch { Some(new_vswitch(c, &vpc.vpc_id, "10.0.1.0/24").await) } else { None };
    (vpc.vpc_id, vpc.route_table_id, vswitch)
}

fn interface(
    router_type: &str,
    router_id: &str,
    role: &str,
    spec: &str,
) -> CreateRouterInterfaceRequest {
    CreateRouterInterfaceRequest {
        role: role.into(),
        router_type: router_type.into(),
        router_id: router_id.into(),
        spec: spec.into(),
        opposite_region_id: REGION.into(),
        name: Some(format!("{router_type}-{role}")),
        ..Default::default()
    }
}

#[tokio::test]
async fn router_interfaces_follow_the_services_rules_and_routes_can_use_them() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::V1);
    let (vpc_id, table, _) = vpc_with_vswitch(&c, false).await;
    let vrouter = c.describe_vrouters_all(REGION).await.unwrap()[0]
        .v_router_id
        .clone();
    control(
        &sim,
        "POST",
        "/__sim/seed",
        Some(serde_json::json!({"region": REGION, "vbrs": 1})),
    )
    .await;
    let vbrs = c.describe_virtual_border_routers_all(REGION).await.unwrap();
    assert_eq!(vbrs.len(), 1);
    let vbr = vbrs[0].vbr_id.clone();
    let seeded = c.describe_router_interfaces_all(REGION).await.unwrap();
    assert_eq!(seeded.len(), 2, "the seed connects the VBR to a seeded VPC");

    let bad = |r: CreateRouterInterfaceRequest| {
        let c = c.clone();
        async move { code_of(c.create_router_interface(REGION, &r).await) }
    };
    assert_eq!(
        bad(interface("VRouter", &vrouter, "InitiatingSide", "Huge.9")).await,
        ("InvalidSpec.ValueNotSupported".into(), 400)
    );
    assert_eq!(
        bad(interface("VRouter", &vrouter, "AcceptingSide", "Mini.2")).await,
        ("InvalidSpec.ValueNotSupported".into(), 400),
        "an accepting side has the Negative spec"
    );
    assert_eq!(
        bad(interface("VBR", &vbr, "AcceptingSide", "Negative")).await,
        ("InvalidRole.ValueNotSupported".into(), 400)
    );
    assert_eq!(
        bad(interface("VRouter", "vrt-nope", "InitiatingSide", "Mini.2")).await,
        ("InvalidRouterId.NotFound".into(), 404)
    );
    assert_eq!(
        bad(interface("Router", &vrouter, "InitiatingSide", "Mini.2")).await,
        ("InvalidParameter".into(), 400)
    );
    assert_eq!(
        bad(CreateRouterInterfaceRequest {
            opposite_region_id: "mars-1".into(),
            ..interface("VRouter", &vrouter, "InitiatingSide", "Mini.2")
        })
        .await,
        ("InvalidOppositeRegionId.NotFound".into(), 400)
    );
    assert_eq!(
        c.describe_router_interfaces_all(REGION)
            .await
            .unwrap()
            .len(),
        2
    );

    let accepting = c
        .create_router_interface(
            REGION,
            &interface("VRouter", &vrouter, "AcceptingSide", "Negative"),
        )
        .await
        .unwrap()
        .router_interface_id;
    let mine = c
        .describe_router_interfaces(REGION, &[accepting.clone()], 1, 10)
        .await
        .unwrap()
        .router_interface_set;
    assert_eq!(
        (
            mine.len(),
            mine[0].status.as_str(),
            mine[0].router_id.as_str()
        ),
        (1, "Idle", vrouter.as_str())
    );
    for _ in 0..4 {
        c.create_router_interface(
            REGION,
            &interface("VRouter", &vrouter, "InitiatingSide", "Small.1"),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        bad(interface("VRouter", &vrouter, "InitiatingSide", "Small.1")).await,
        ("QuotaExceeded.RouterInterface".into(), 400),
        "five interfaces per router"
    );

    // A route through the interface pins it until the route goes.
    let route = c
        .create_route_entry(
            REGION,
            &CreateRouteEntryRequest {
                route_table_id: table.clone(),
                destination_cidr_block: "172.20.0.0/16".into(),
                next_hop_type: Some("RouterInterface".into()),
                next_hop_id: accepting.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .route_entry_id;
    assert_eq!(
        code_of(c.delete_router_interface(REGION, &accepting).await),
        ("RouterInterfaceReferredByRouteEntry".into(), 400)
    );
    let tables = c
        .describe_route_tables_all(REGION, Some(&vrouter))
        .await
        .unwrap();
    let custom: Vec<_> = tables[0]
        .route_entrys
        .iter()
        .filter(|e| e.entry_type == "Custom")
        .collect();
    assert_eq!(
        (
            custom.len(),
            custom[0].instance_id.as_str(),
            custom[0].next_hop_type.as_str()
        ),
        (1, accepting.as_str(), "RouterInterface")
    );
    c.delete_route_entry(REGION, &RouteEntrySelector::Id(route.clone()))
        .await
        .unwrap();
    assert!(!sim.sim.state.lock().route_entries.contains_key(&route));
    c.delete_router_interface(REGION, &accepting).await.unwrap();
    assert!(!sim
        .sim
        .state
        .lock()
        .router_interfaces
        .contains_key(&accepting));
    assert_eq!(
        code_of(c.delete_router_interface(REGION, &accepting).await),
        ("InvalidRouterInterfaceId.NotFound".into(), 404)
    );
    assert_eq!(
        code_of(
            c.delete_router_interface(REGION, &seeded[0].router_interface_id)
                .await
        ),
        ("IncorrectStatus".into(), 400),
        "a connected (Active) interface is not deleted"
    );
    let _ = vpc_id;
}

#[tokio::test]
async fn vpn_gateways_need_a_vswitch_and_connections_give_their_device_config() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let (bare_vpc, _, _) = vpc_with_vswitch(&c, false).await;
    let request = |vpc_id: &str| CreateVpnGatewayRequest {
        vpc_id: vpc_id.into(),
        bandwidth: 10,
        ..Default::default()
    };
    assert_eq!(
        code_of(c.create_vpn_gateway(REGION, &request(&bare_vpc)).await),
        ("InvalidVSwitchId.NotFound".into(), 400),
        "a VPC without a vSwitch has nowhere to put the gateway"
    );
    assert!(sim.sim.state.lock().vpn_gateways.is_empty());
    c.delete_vpc(REGION, &bare_vpc).await.unwrap();

    let (vpc_id, _, vswitch) = vpc_with_vswitch(&c, true).await;
    let gateway = c
        .create_vpn_gateway(REGION, &request(&vpc_id))
        .await
        .unwrap()
        .vpn_gateway_id;
    let described = c.describe_vpn_gateways_all(REGION).await.unwrap();
    assert_eq!(
        described[0].v_switch_id,
        vswitch.clone().unwrap(),
        "the service picks the VPC's vSwitch"
    );
    let customer = c
        .create_customer_gateway(
            REGION,
            &CreateCustomerGatewayRequest {
                ip_address: "203.0.113.9".into(),
                name: Some("office".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .customer_gateway_id;
    let connection = c
        .create_vpn_connection(
            REGION,
            &CreateVpnConnectionRequest {
                vpn_gateway_id: gateway.clone(),
                customer_gateway_id: customer.clone(),
                local_subnet: "10.0.1.0/24".into(),
                remote_subnet: "192.168.10.0/24".into(),
                ike_config: Some(IkeConfig {
                    ike_version: "ikev2".into(),
                    psk: "pre-shared".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .vpn_connection_id;
    let listed = c.describe_vpn_connections_all(REGION).await.unwrap();
    assert_eq!(
        (
            listed[0].ike_config.ike_version.as_str(),
            listed[0].ike_config.ike_enc_alg.as_str(),
            listed[0].ipsec_config.ipsec_lifetime
        ),
        ("ikev2", "aes", 86400),
        "given settings kept, the rest defaulted"
    );
    let config = c
        .download_vpn_connection_config(REGION, &connection)
        .await
        .unwrap()
        .vpn_connection_config;
    assert_eq!(config.local, described[0].internet_ip);
    assert_eq!(config.remote, "203.0.113.9");
    assert_eq!(config.ike_config.psk, "pre-shared");
    assert_eq!(config.remote_subnet, "192.168.10.0/24");
    assert_eq!(
        code_of(c.download_vpn_connection_config(REGION, "vco-nope").await),
        ("InvalidVpnConnectionInstanceId.NotFound".into(), 404)
    );
    assert_eq!(
        code_of(c.delete_customer_gateway(REGION, &customer).await),
        ("DependencyViolation.VpnConnection".into(), 400)
    );
    c.delete_vpn_connection(REGION, &connection).await.unwrap();
    c.delete_customer_gateway(REGION, &customer).await.unwrap();
    c.delete_vpn_gateway(REGION, &gateway).await.unwrap();
    let state = sim.sim.state.lock();
    assert!(
        state.vpn_connections.is_empty()
            && state.customer_gateways.is_empty()
            && state.vpn_gateways.is_empty()
    );
}
