//! The client against a loopback HTTP server that checks every signature it receives:
//! both RPC signature versions, retries on throttling/5xx/transport errors with fresh
//! signatures, non-retryable errors at once, timeouts, decode errors, paging in both
//! styles, ClientToken stability across retries, and the stats counters.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Request, Response, TestServer};
use zstack_aliyun::ecs::{DescribeInstancesRequest, RunInstancesRequest};
use zstack_aliyun::sign::{verify_acs3, verify_rpc_v1};
use zstack_aliyun::{
    AliyunClient, ClientConfig, ClientStats, Credentials, Endpoints, ErrorKind, RequestStamp,
    SignatureVersion,
};

const KEY_ID: &str = "testid";
const SECRET: &str = "testsecret";

fn client(base_url: &str, signature_version: SignatureVersion, max_retries: u32) -> AliyunClient {
    AliyunClient::new(
        Credentials {
            access_key_id: KEY_ID.into(),
            access_key_secret: SECRET.into(),
        },
        ClientConfig {
            endpoints: Endpoints::all_at(base_url),
            timeout: Duration::from_secs(5),
            max_retries,
            backoff_base: Duration::from_millis(2),
            backoff_max: Duration::from_millis(20),
            signature_version,
            ..ClientConfig::default()
        },
    )
    .unwrap()
}

/// The server-side check: a request is answered only if its signature verifies.
fn signature_ok(request: &Request) -> Result<(), String> {
    if request.header("authorization").is_some() {
        let secret_for = |id: &str| (id == KEY_ID).then(|| SECRET.to_string());
        verify_acs3(
            &request.method,
            &request.path,
            &request.query,
            &request.headers,
            &request.body,
            secret_for,
        )
    } else {
        verify_rpc_v1(&request.method, &request.query, &[], SECRET)
    }
    .map_err(|e| e.to_string())
}

fn signature_error(request: &Request) -> Option<Response> {
    signature_ok(request).err().map(|detail| {
        Response::json(
            400,
            json!({"RequestId": "SIG", "Code": "SignatureDoesNotMatch", "Message": detail}),
        )
    })
}

fn regions_answer() -> Response {
    Response::json(
        200,
        json!({"RequestId": "REQ-1", "Regions": {"Region": [{"RegionId": "cn-hangzhou", "LocalName": "华东1（杭州）"}]}}),
    )
}

fn nonce_of(request: &Request) -> String {
    request
        .param("SignatureNonce")
        .or(request.header("x-acs-signature-nonce"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn both_signature_versions_are_accepted_by_a_verifying_server_and_signed_once() {
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        let server =
            TestServer::start(|request, _| signature_error(request).unwrap_or_else(regions_answer));
        let client = client(&server.base_url, version, 3);
        let regions = client
            .describe_regions()
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(regions.regions[0].region_id, "cn-hangzhou");
        // Tricky characters survive the trip and the signature still verifies.
        let params = vec![
            ("RegionId".to_string(), "cn-hangzhou".to_string()),
            ("InstanceName".to_string(), "测试 vm*~/+=&1".to_string()),
            ("InstanceIds".to_string(), "[\"i-1\", \"i-2\"]".to_string()),
        ];
        let _: serde_json::Value = client
            .call("ecs", "2014-05-26", "DescribeInstances", &params)
            .await
            .unwrap();
        let received = server.requests();
        assert_eq!(received.len(), 2);
        assert_eq!(received[1].method, "POST");
        assert_eq!(received[1].path, "/");
        assert_eq!(received[1].param("InstanceName"), Some("测试 vm*~/+=&1"));
        assert_eq!(received[1].action(), "DescribeInstances");
        assert!(
            received[1].body.is_empty(),
            "parameters go in the query, as the SDKs send them"
        );
        match version {
            SignatureVersion::V1 => {
                assert_eq!(received[0].param("SignatureMethod"), Some("HMAC-SHA1"));
                assert_eq!(received[0].param("Version"), Some("2014-05-26"));
            }
            SignatureVersion::Acs3 => {
                assert_eq!(received[0].header("x-acs-version"), Some("2014-05-26"));
                assert!(received[0]
                    .header("authorization")
                    .unwrap()
                    .starts_with("ACS3-HMAC-SHA256 Credential=testid,"));
            }
        }
        assert_eq!(
            client.stats(),
            ClientStats {
                calls: 2,
                requests_signed: 2,
                requests_sent: 2,
                retries: 0,
                throttled: 0,
                failed: 0
            },
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_by_the_verifying_server() {
    let server =
        TestServer::start(|request, _| signature_error(request).unwrap_or_else(regions_answer));
    let mut config = ClientConfig {
        endpoints: Endpoints::all_at(&server.base_url),
        max_retries: 0,
        ..ClientConfig::default()
    };
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        config.signature_version = version;
        let client = AliyunClient::new(
            Credentials {
                access_key_id: KEY_ID.into(),
                access_key_secret: "not-the-secret".into(),
            },
            config.clone(),
        )
        .unwrap();
        let err = client.describe_regions().await.unwrap_err();
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{version:?}");
    }
}

#[tokio::test]
async fn throttling_is_retried_with_fresh_signatures_then_succeeds() {
    const THROTTLES: usize = 3;
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        let server = TestServer::start(|request, index| {
            if let Some(bad) = signature_error(request) {
                return bad;
            }
            if index < THROTTLES {
                Response::json(
                    400,
                    json!({"RequestId": format!("T-{index}"), "Code": "Throttling.User", "Message": "Request was denied due to user flow control."}),
                )
            } else {
                regions_answer()
            }
        });
        let client = client(&server.base_url, version, 5);
        let regions = client.describe_regions().await.unwrap();
        assert_eq!(regions.request_id, "REQ-1");
        let received = server.requests();
        assert_eq!(received.len(), THROTTLES + 1);
        let mut nonces: Vec<String> = received.iter().map(nonce_of).collect();
        nonces.sort();
        nonces.dedup();
        assert_eq!(
            nonces.len(),
            THROTTLES + 1,
            "every attempt is signed anew with its own nonce"
        );
        let stats = client.stats();
        assert_eq!(
            (stats.calls, stats.requests_signed, stats.requests_sent),
            (1, 4, 4),
            "{version:?}"
        );
        assert_eq!(
            (stats.retries, stats.throttled, stats.failed),
            (3, 3, 0),
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn throttling_beyond_max_retries_ends_in_a_throttled_error() {
    let server = TestServer::start(|_, _| {
        Response::json(
            503,
            json!({"RequestId": "T-9", "Code": "ServiceUnavailable", "Message": "busy"}),
        )
    });
    let client = client(&server.base_url, SignatureVersion::Acs3, 2);
    let err = client.describe_regions().await.unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::Throttled {
                http_status: 503,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.attempts, 3);
    assert_eq!(err.request_id(), Some("T-9"));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(client.stats().failed, 1);
}

#[tokio::test]
async fn server_errors_are_retried_but_client_errors_return_at_once() {
    let server = TestServer::start(|request, index| {
        if request.action() == "DeleteInstance" {
            return Response::json(
                404,
                json!({"RequestId": "E-1", "HostId": "ecs.aliyuncs.com", "Code": "InvalidInstanceId.NotFound",
                       "Message": "The specified InstanceId does not exist.", "Recommend": "https://api.aliyun.com/troubleshoot"}),
            );
        }
        if index == 0 {
            // A proxy's HTML error page: no JSON, still retryable.
            return Response::raw(502, "text/html", "<html>bad gateway</html>");
        }
        if index == 1 {
            return Response::json(
                500,
                json!({"RequestId": "E-2", "Code": "InternalError", "Message": "oops"}),
            );
        }
        regions_answer()
    });
    let client = client(&server.base_url, SignatureVersion::V1, 3);
    client.describe_regions().await.unwrap();
    assert_eq!(server.requests().len(), 3);

    let err = client
        .delete_instance("cn-hangzhou", "i-missing", true)
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 4, "a 404 is not retried");
    assert_eq!(err.attempts, 1);
    assert_eq!(
        err.kind,
        ErrorKind::Api {
            code: "InvalidInstanceId.NotFound".into(),
            message: "The specified InstanceId does not exist.".into(),
            request_id: "E-1".into(),
            http_status: 404,
        }
    );
    assert!(err.is_not_found());
    let text = err.to_string();
    assert!(
        text.contains("ecs DeleteInstance")
            && text.contains("InvalidInstanceId.NotFound")
            && text.contains("E-1"),
        "{text}"
    );
    let last = server.requests().pop().unwrap();
    assert_eq!(last.param("InstanceId"), Some("i-missing"));
    assert_eq!(last.param("Force"), Some("true"));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_the_retries() {
    // Bind then drop: nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client(
        &format!("http://127.0.0.1:{port}"),
        SignatureVersion::Acs3,
        2,
    );
    let err = client.describe_regions().await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(err.attempts, 3);
    assert_eq!(client.stats().requests_sent, 3);
}

#[tokio::test]
async fn a_slow_server_times_out_per_attempt() {
    let server = TestServer::start(|_, _| Response {
        delay: Duration::from_millis(1500),
        ..regions_answer()
    });
    let client = AliyunClient::new(
        Credentials {
            access_key_id: KEY_ID.into(),
            access_key_secret: SECRET.into(),
        },
        ClientConfig {
            endpoints: Endpoints::all_at(&server.base_url),
            timeout: Duration::from_millis(200),
            max_retries: 1,
            backoff_base: Duration::from_millis(1),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let err = client.describe_regions().await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err:?}");
    assert_eq!(
        err.attempts, 2,
        "timeouts are retried (creating calls carry a ClientToken)"
    );
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_millis(1400),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn an_unexpected_body_is_a_decode_error() {
    let server = TestServer::start(|_, _| Response::raw(200, "application/json", "not json"));
    let client = client(&server.base_url, SignatureVersion::Acs3, 3);
    let err = client.describe_regions().await.unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::Decode(detail) if detail.contains("not json")),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1, "a 2xx is never retried");
}

#[tokio::test]
async fn run_instances_keeps_its_client_token_across_retries() {
    let server = TestServer::start(|request, index| {
        if let Some(bad) = signature_error(request) {
            return bad;
        }
        if index == 0 {
            return Response::json(
                400,
                json!({"RequestId": "T", "Code": "Throttling", "Message": "slow down"}),
            );
        }
        Response::json(
            200,
            json!({"RequestId": "REQ-2", "OrderId": "1234", "TradePrice": 0.0,
                                   "InstanceIdSets": {"InstanceIdSet": ["i-bp1aaaaaaaaaaaaaaaaa"]}}),
        )
    });
    let client = client(&server.base_url, SignatureVersion::Acs3, 3);
    let request = RunInstancesRequest {
        image_id: "ubuntu_22_04_x64_20G_alibase_20230907.vhd".into(),
        instance_type: "ecs.g6.large".into(),
        security_group_id: "sg-1".into(),
        v_switch_id: "vsw-1".into(),
        amount: 1,
        ..Default::default()
    };
    let created = client.run_instances("cn-beijing", &request).await.unwrap();
    assert_eq!(created.instance_id_sets, vec!["i-bp1aaaaaaaaaaaaaaaaa"]);
    let received = server.requests();
    assert_eq!(received.len(), 2);
    let tokens: Vec<_> = received
        .iter()
        .map(|r| r.param("ClientToken").unwrap().to_string())
        .collect();
    assert_eq!(tokens[0], tokens[1], "same ClientToken on the retry");
    assert_ne!(
        nonce_of(&received[0]),
        nonce_of(&received[1]),
        "fresh nonce on the retry"
    );
    assert_eq!(received[0].param("RegionId"), Some("cn-beijing"));
}

#[tokio::test]
async fn untyped_creating_calls_get_one_client_token_for_all_attempts_and_others_none() {
    let server = TestServer::start(|request, index| {
        if let Some(bad) = signature_error(request) {
            return bad;
        }
        if index < 2 {
            return Response::json(
                503,
                json!({"RequestId": "U", "Code": "ServiceUnavailable", "Message": "busy"}),
            );
        }
        Response::json(200, json!({"RequestId": "OK"}))
    });
    let client = client(&server.base_url, SignatureVersion::V1, 3);
    let params = vec![("RegionId".to_string(), "cn-hangzhou".to_string())];
    let _: serde_json::Value = client
        .call("vpc", "2016-04-28", "CreateRouterInterface", &params)
        .await
        .unwrap();
    let _: serde_json::Value = client
        .call("vpc", "2016-04-28", "DescribeRouterInterfaces", &params)
        .await
        .unwrap();
    let given = vec![("ClientToken".to_string(), "mine".to_string())];
    let _: serde_json::Value = client
        .call("vpc", "2016-04-28", "AllocateEipAddress", &given)
        .await
        .unwrap();
    let received = server.requests();
    assert_eq!(received.len(), 5, "two refusals, the retry, then two calls");
    let tokens: Vec<Option<&str>> = received.iter().map(|r| r.param("ClientToken")).collect();
    let first = tokens[0].expect("a creating action carries a token");
    assert_eq!(first.len(), 32);
    assert_eq!(tokens[1], Some(first));
    assert_eq!(tokens[2], Some(first), "every attempt repeats the token");
    assert_eq!(tokens[3], None, "a Describe gets none");
    assert_eq!(
        tokens[4],
        Some("mine"),
        "a caller's token is kept, not doubled"
    );
    assert_eq!(
        received[4]
            .query
            .iter()
            .filter(|(k, _)| k == "ClientToken")
            .count(),
        1
    );
}

#[tokio::test]
async fn endpoints_are_chosen_per_product_and_region() {
    let ecs = TestServer::start(|_, _| regions_answer());
    let vpc =
        TestServer::start(|_, _| Response::json(200, json!({"RequestId": "V", "VpcId": "vpc-1"})));
    let client = AliyunClient::new(
        Credentials {
            access_key_id: KEY_ID.into(),
            access_key_secret: SECRET.into(),
        },
        ClientConfig {
            endpoints: Endpoints::new().with("ecs", "*", &ecs.base_url).with(
                "vpc",
                "cn-shanghai",
                &vpc.base_url,
            ),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    client.describe_regions().await.unwrap();
    let created = client
        .create_vpc(
            "cn-shanghai",
            &zstack_aliyun::vpc::CreateVpcRequest {
                cidr_block: "172.16.0.0/12".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(created.vpc_id, "vpc-1");
    assert_eq!(ecs.requests().len(), 1);
    assert_eq!(vpc.requests().len(), 1);
    assert_eq!(
        vpc.requests()[0].header("x-acs-version"),
        Some("2016-04-28")
    );
    assert_eq!(vpc.requests()[0].param("CidrBlock"), Some("172.16.0.0/12"));
}

#[tokio::test]
async fn token_paging_collects_every_instance() {
    // 7 instances served 3 at a time via NextToken.
    let server = TestServer::start(|request, _| {
        if let Some(bad) = signature_error(request) {
            return bad;
        }
        let max: usize = request.param("MaxResults").unwrap().parse().unwrap();
        let start: usize = request
            .param("NextToken")
            .map(|t| t.trim_start_matches("tok-").parse().unwrap())
            .unwrap_or(0);
        let end = (start + max.min(3)).min(7);
        let items: Vec<_> = (start..end)
            .map(|i| json!({"InstanceId": format!("i-{i}"), "Status": "Running"}))
            .collect();
        let next = if end < 7 {
            format!("tok-{end}")
        } else {
            String::new()
        };
        Response::json(
            200,
            json!({"RequestId": "P", "TotalCount": 7, "NextToken": next, "Instances": {"Instance": items}}),
        )
    });
    let client = client(&server.base_url, SignatureVersion::V1, 0);
    let filter = DescribeInstancesRequest {
        vpc_id: Some("vpc-1".into()),
        ..Default::default()
    };
    let all = client
        .describe_instances_all("cn-hangzhou", &filter)
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|i| i.instance_id.as_str()).collect();
    assert_eq!(ids, ["i-0", "i-1", "i-2", "i-3", "i-4", "i-5", "i-6"]);
    let received = server.requests();
    assert_eq!(received.len(), 3);
    assert!(received
        .iter()
        .all(|r| r.param("VpcId") == Some("vpc-1") && r.param("PageNumber").is_none()));
    assert_eq!(received[0].param("NextToken"), None);
    assert_eq!(received[2].param("NextToken"), Some("tok-6"));
}

#[tokio::test]
async fn page_number_paging_collects_every_vswitch() {
    // 120 vSwitches at 50 per page: pages 1, 2, 3 (the last one short).
    let pages_seen = Arc::new(AtomicUsize::new(0));
    let seen = pages_seen.clone();
    let server = TestServer::start(move |request, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        let number: usize = request.param("PageNumber").unwrap().parse().unwrap();
        let size: usize = request.param("PageSize").unwrap().parse().unwrap();
        let items: Vec<_> = ((number - 1) * size..(number * size).min(120))
            .map(|i| json!({"VSwitchId": format!("vsw-{i}"), "ZoneId": "cn-hangzhou-h"}))
            .collect();
        Response::json(
            200,
            json!({"RequestId": "P", "TotalCount": 120, "PageNumber": number, "PageSize": size,
                                   "VSwitches": {"VSwitch": items}}),
        )
    });
    let client = client(&server.base_url, SignatureVersion::Acs3, 0);
    let all = client
        .describe_vswitches_all("cn-hangzhou", Some("vpc-1"))
        .await
        .unwrap();
    assert_eq!(all.len(), 120);
    assert_eq!(all[119].v_switch_id, "vsw-119");
    assert_eq!(pages_seen.load(Ordering::SeqCst), 3);
    assert_eq!(client.stats().requests_signed, 3);
}

#[tokio::test]
async fn an_injected_stamp_is_what_gets_signed() {
    let server =
        TestServer::start(|request, _| signature_error(request).unwrap_or_else(regions_answer));
    let time = chrono::DateTime::parse_from_rfc3339("2026-11-25T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let client =
        client(&server.base_url, SignatureVersion::V1, 0).with_stamp_source(move || RequestStamp {
            nonce: "0123456789abcdef0123456789abcdef".into(),
            time,
        });
    client.describe_regions().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.param("Timestamp"), Some("2026-11-25T08:00:00Z"));
    assert_eq!(
        request.param("SignatureNonce"),
        Some("0123456789abcdef0123456789abcdef")
    );
}
