//! The 16 requests the official SDKs sent to a capture server (ECS/VPC with ACS3 and V1,
//! OSS with V1 and V4) verify with this crate's signers, and the answers they parsed
//! decode into this crate's typed responses.

use zstack_aliyun::ecs::{
    DescribeInstancesResponse, DescribeRegionsResponse, RunInstancesResponse,
};
use zstack_aliyun::encode::{parse_query, percent_decode};
use zstack_aliyun::oss_sign::{
    oss_v1_canonicalized_resource, sign_oss_v1, sign_oss_v4, OssV1Input, OssV4Input,
};
use zstack_aliyun::sign::{verify_acs3, verify_rpc_v1};
use zstack_aliyun::vpc::{AllocateEipAddressResponse, CreateVpcResponse, DescribeVpcsResponse};

const CAPTURE: &str = include_str!("data/sdk_requests_captured.txt");
const SECRET: &str = "testsecret";

struct Captured {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Captured {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn captured_requests() -> Vec<Captured> {
    let start = CAPTURE.find("VERBATIM REQUESTS").unwrap();
    let end = CAPTURE.find("RESPONSES THE SERVER RETURNED").unwrap();
    CAPTURE[start..end]
        .split("\n----- ")
        .skip(1)
        .map(|block| {
            let mut lines = block.lines().skip(1); // the time stamp
            let request_line = lines.next().unwrap();
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap().to_string();
            let target = parts.next().unwrap();
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let headers = lines
                .take_while(|l| !l.trim().is_empty())
                .filter_map(|l| {
                    l.split_once(':')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                })
                .collect();
            Captured {
                method,
                path: percent_decode(path, false),
                query: parse_query(query, false),
                headers,
            }
        })
        .collect()
}

#[test]
fn every_captured_sdk_request_verifies() {
    let requests = captured_requests();
    assert_eq!(requests.len(), 16);
    let (mut acs3, mut v1, mut oss_v1, mut oss_v4) = (0, 0, 0, 0);
    for (i, r) in requests.iter().enumerate() {
        let authorization = r.header("authorization");
        if authorization.starts_with("ACS3-HMAC-SHA256") {
            let secret_for = |id: &str| (id == "testid").then(|| SECRET.to_string());
            assert_eq!(
                verify_acs3(&r.method, &r.path, &r.query, &r.headers, b"", secret_for),
                Ok(()),
                "request {i}"
            );
            acs3 += 1;
        } else if r.query.iter().any(|(k, _)| k == "Signature") {
            assert_eq!(
                verify_rpc_v1(&r.method, &r.query, &[], SECRET),
                Ok(()),
                "request {i}"
            );
            v1 += 1;
        } else if let Some(sent) = authorization.strip_prefix("OSS ") {
            let bucket = r.path.trim_matches('/');
            let bucket = (!bucket.is_empty()).then_some(bucket);
            let resource = oss_v1_canonicalized_resource(bucket, None, &r.query);
            let date = r.header("date");
            let signed = sign_oss_v1(
                &OssV1Input {
                    verb: &r.method,
                    content_md5: &r.header("content-md5"),
                    content_type: &r.header("content-type"),
                    date: &date,
                    headers: &r.headers,
                    canonicalized_resource: &resource,
                },
                "testid",
                SECRET,
            );
            assert_eq!(
                format!("OSS {sent}"),
                signed.authorization,
                "request {i}: {:?}",
                signed.string_to_sign
            );
            oss_v1 += 1;
        } else if authorization.starts_with("OSS4-HMAC-SHA256") {
            let bucket = r.path.trim_matches('/');
            let signed = sign_oss_v4(
                &OssV4Input {
                    verb: &r.method,
                    bucket: (!bucket.is_empty()).then_some(bucket),
                    key: None,
                    query: &r.query,
                    headers: &r.headers,
                    datetime: &r.header("x-oss-date"),
                    region: "cn-hangzhou",
                },
                "testid",
                SECRET,
            );
            assert_eq!(
                authorization, signed.authorization,
                "request {i}: {:?}",
                signed.canonical_request
            );
            oss_v4 += 1;
        } else {
            panic!("request {i} carries no signature");
        }
    }
    assert_eq!((acs3, v1, oss_v1, oss_v4), (6, 6, 2, 2));
}

/// The JSON the capture server answered for `--- <name>`.
fn captured_answer(name: &str) -> &'static str {
    let marker = format!("\n--- {name}\n");
    let start = CAPTURE
        .find(&marker)
        .unwrap_or_else(|| panic!("no answer for {name}"))
        + marker.len();
    let rest = &CAPTURE[start..];
    &rest[..rest.find("\n\n--- ").unwrap()]
}

#[test]
fn captured_answers_decode_into_typed_responses() {
    let regions: DescribeRegionsResponse =
        serde_json::from_str(captured_answer("DescribeRegions")).unwrap();
    assert_eq!(regions.request_id, "REQ-1");
    assert_eq!(regions.regions.len(), 1);
    assert_eq!(regions.regions[0].region_id, "cn-hangzhou");
    assert_eq!(regions.regions[0].local_name, "华东1（杭州）");
    assert_eq!(
        regions.regions[0].region_endpoint,
        "ecs.cn-hangzhou.aliyuncs.com"
    );

    let run: RunInstancesResponse = serde_json::from_str(captured_answer("RunInstances")).unwrap();
    assert_eq!(run.order_id, "1234");
    assert_eq!(run.instance_id_sets, vec!["i-bp1aaaaaaaaaaaaaaaaa"]);

    let instances: DescribeInstancesResponse =
        serde_json::from_str(captured_answer("DescribeInstances")).unwrap();
    assert_eq!(
        (
            instances.total_count,
            instances.page_number,
            instances.page_size
        ),
        (1, 1, 10)
    );
    let vm = &instances.instances[0];
    assert_eq!(
        (
            vm.instance_id.as_str(),
            vm.status.as_str(),
            vm.cpu,
            vm.memory
        ),
        ("i-bp1aaaaaaaaaaaaaaaaa", "Running", 2, 8192)
    );
    assert_eq!(vm.vpc_attributes.vpc_id, "vpc-1");
    assert_eq!(vm.vpc_attributes.v_switch_id, "vsw-1");
    assert_eq!(vm.vpc_attributes.private_ip_address, vec!["172.16.0.10"]);
    assert!(vm.public_ip_address.is_empty());
    assert_eq!(vm.security_group_ids, vec!["sg-1"]);
    assert!(vm.tags.is_empty(), "absent wrappers decode as empty lists");

    let vpc: CreateVpcResponse = serde_json::from_str(captured_answer("CreateVpc")).unwrap();
    assert_eq!(
        (
            vpc.vpc_id.as_str(),
            vpc.v_router_id.as_str(),
            vpc.route_table_id.as_str()
        ),
        ("vpc-bp1aaaa", "vrt-bp1aaaa", "vtb-bp1aaaa")
    );

    // OrderId is a number here and a string in RunInstances: both decode.
    let eip: AllocateEipAddressResponse =
        serde_json::from_str(captured_answer("AllocateEipAddress")).unwrap();
    assert_eq!(
        (
            eip.allocation_id.as_str(),
            eip.eip_address.as_str(),
            eip.order_id.as_str()
        ),
        ("eip-bp1aaaa", "47.0.0.1", "0")
    );

    // DescribeVpnGateways has the paged VPC envelope; an empty list wrapper decodes.
    let paged: DescribeVpcsResponse =
        serde_json::from_str(captured_answer("DescribeVpnGateways")).unwrap();
    assert_eq!((paged.request_id.as_str(), paged.total_count), ("REQ-6", 0));
}

#[test]
fn typed_responses_serialize_back_into_the_wrapped_wire_shape() {
    // The simulator can answer with the same structs.
    let regions: DescribeRegionsResponse =
        serde_json::from_str(captured_answer("DescribeRegions")).unwrap();
    let json = serde_json::to_value(&regions).unwrap();
    assert_eq!(json["Regions"]["Region"][0]["RegionId"], "cn-hangzhou");
    assert_eq!(json["RequestId"], "REQ-1");
    let instances: DescribeInstancesResponse =
        serde_json::from_str(captured_answer("DescribeInstances")).unwrap();
    let json = serde_json::to_value(&instances).unwrap();
    assert_eq!(
        json["Instances"]["Instance"][0]["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0],
        "172.16.0.10"
    );
    assert_eq!(
        json["Instances"]["Instance"][0]["SecurityGroupIds"]["SecurityGroupId"][0],
        "sg-1"
    );
    let round_trip: DescribeInstancesResponse = serde_json::from_value(json).unwrap();
    assert_eq!(round_trip, instances);
}
