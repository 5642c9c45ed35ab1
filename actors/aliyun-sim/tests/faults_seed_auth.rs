//! Fault injection (throttle then success through the client's retries, fail, timeout
//! with ClientToken replay), bulk seeding at benchmark scale with request stats, and
//! refusals: wrong secret, unknown key, replayed nonce, tampered body hash.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use zstack_aliyun::ecs::{
    DescribeInstancesRequest, RunInstancesRequest,
};
use zstack_aliyun::sign::{rpc_v1_protocol_params, sign_acs3, sign_rpc_v1, Acs3Input};
use zstack_aliyun::vpc::CreateVpcRequest;
use zstack_aliyun::{ErrorKind, OssSignatureVersion, RequestStamp, SignatureVersion};

#[tokio::test]
async fn throttled_requests_succeed_through_the_clients_retries() {
    let sim = sim(0);
    control(
        &sim,
        "POST",
        "/__sim/faults",
        Some(json!({ "action": "DescribeRegions", "kind": "throttle", "count": 2 })),
    )
    .await;
    let c = client(&sim, SignatureVersion::Acs3);
    c.describe_regions().await.expect("third attempt passes");
    let stats = c.stats();
    assert_eq!(
        (stats.requests_sent, stats.retries, stats.throttled),
        (3, 2, 2)
    );
    let server = control(&sim, "GET", "/__sim/stats", None).await;
    let action = &server["actions"]["DescribeRegions"];
    assert_eq!(action["requests"], 3);
    assert_eq!(action["signed_ok"], 3);
    assert_eq!(action["faults"], 2);
    assert_eq!(action["errors"]["Throttling.User"], 2);
    assert_eq!(action["succeeded"], 1);
    // Spent: the fault list is empty again.
    assert_eq!(
        control(&sim, "GET", "/__sim/faults", None).await["faults"],
        json!([])
    );
}

#[tokio::test]
async fn failures_past_the_retry_budget_reach_the_caller() {
    let sim = sim(0);
    control(
        &sim,
        "POST",
        "/__sim/faults",
        Some(json!([{ "action": "DescribeVpcs", "kind": "fail", "count": 10 },
                     { "action": "CreateVpc", "kind": "fail", "code": "Forbidden.RAM", "status": 403, "count": 1 }])),
    )
    .await;
    let c = client(&sim, SignatureVersion::V1);
    let error = c.describe_vpcs(REGION, None, 1, 10).await.unwrap_err();
    assert_eq!(
        (error.code(), error.http_status(), error.attempts),
        (Some("InternalError"), Some(500), 4)
    );
    // A non-retryable injected code is answered once.
    let error = c
        .create_vpc(REGION, &CreateVpcRequest::default())
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.attempts), (Some("Forbidden.RAM"), 1));
    c.create_vpc(REGION, &CreateVpcRequest::default())
        .await
        .unwrap();
    // Rate-based faults fire on about that share of requests.
    control(&sim, "DELETE", "/__sim/faults", None).await;
    control(
        &sim,
        "POST",
        "/__sim/faults",
        Some(json!({ "action": "*", "kind": "fail", "rate": 1.0 })),
    )
    .await;
    let no_retry = client_with(
        &sim,
        "testid",
        "testsecret",
        SignatureVersion::Acs3,
        OssSignatureVersion::V1,
        0,
        Duration::from_secs(5),
    );
    assert_eq!(
        code_of(no_retry.describe_zones(REGION).await).0,
        "InternalError"
    );
    control(&sim, "DELETE", "/__sim/faults", None).await;
    no_retry.describe_zones(REGION).await.unwrap();
}

#[tokio::test]
async fn a_timed_out_create_retried_with_its_client_token_creates_once() {
    let sim = sim(0);
    let c = client(&sim, SignatureVersion::Acs3);
    let Net { vsw, sg, .. } = network(&c, "10.0.0.0/8", "10.0.0.0/24").await;
    control(
        &sim,
        "POST",
        "/__sim/faults",
        Some(json!({ "action": "RunInstances", "kind": "timeout", "delay_ms": 1500, "count": 1 })),
    )
    .await;
    let impatient = client_with(
        &sim,
        "testid",
        "testsecret",
        SignatureVersion::Acs3,
        OssSignatureVersion::V1,
        2,
        Duration::from_millis(400),
    );
    let request = RunInstancesRequest {
        image_id: IMAGE.into(),
        instance_type: "ecs.c6.large".into(),
        security_group_id: sg,
        v_switch_id: vsw,
        amount: 1,
        client_token: Some("once".into()),
        ..Default::default()
    };
    let started = Instant::now();
    let ids = impatient
        .run_instances(REGION, &request)
        .await
        .unwrap()
        .instance_id_sets;
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "the retry, not the delayed answer, returned"
    );
    assert_eq!(impatient.stats().retries, 1);
    let all = c
        .describe_instances_all(REGION, &DescribeInstancesRequest::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter()
            .map(|i| i.instance_id.clone())
            .collect::<Vec<_>>(),
        ids,
        "exactly one instance"
    );
    // Without retries the timeout surfaces as such.
    control(
        &sim,
        "POST",
        "/__sim/faults",
        Some(
            json!({ "action": "DescribeRegions", "kind": "timeout", "delay_ms": 1000, "count": 1 }),
        ),
    )
    .await;
    let once = client_with(
        &sim,
        "testid",
        "testsecret",
        SignatureVersion::V1,
        OssSignatureVersion::V1,
        0,
        Duration::from_millis(200),
    );
    assert_eq!(
        once.describe_regions().await.unwrap_err().kind,
        ErrorKind::Timeout
    );
}

#[tokio::test]
async fn seeding_a_benchmark_region_and_listing_it_with_every_request_signed_once() {
    let sim = sim(1000);
    let started = Instant::now();
    let summary = control(
        &sim,
        "POST",
        "/__sim/seed",
        Some(json!({ "region": REGION, "instances": 5000, "vswitches": 200, "security_groups": 500, "eips": 30, "disks": 40, "vbrs": 2 })),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "seeding took {:?}",
        started.elapsed()
    );
    assert_eq!(
        (
            summary["instances"].as_u64(),
            summary["vswitches"].as_u64(),
            summary["security_groups"].as_u64()
        ),
        (Some(5000), Some(200), Some(500))
    );
    control(&sim, "DELETE", "/__sim/stats", None).await;
    let c = client(&sim, SignatureVersion::Acs3);
    let instances = c
        .describe_instances_all(REGION, &DescribeInstancesRequest::default())
        .await
        .unwrap();
    assert_eq!(instances.len(), 5000);
    assert!(instances.iter().all(|i| i.status == "Running"));
    assert_eq!(
        c.describe_vswitches_all(REGION, None).await.unwrap().len(),
        200
    );
    assert_eq!(
        c.describe_security_groups_all(REGION, None)
            .await
            .unwrap()
            .len(),
        500
    );
    assert_eq!(
        c.describe_eip_addresses_all(REGION).await.unwrap().len(),
        30
    );
    let vbrs = vpc(
        &c,
        "DescribeVirtualBorderRouters",
        zstack_aliyun::Params::new().set("RegionId", REGION),
    )
    .await
    .unwrap();
    assert_eq!(vbrs["TotalCount"], 2);
    let interfaces = vpc(
        &c,
        "DescribeRouterInterfaces",
        zstack_aliyun::Params::new().set("RegionId", REGION),
    )
    .await
    .unwrap();
    assert_eq!(
        interfaces["RouterInterfaceSet"]["RouterInterfaceType"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let client_stats = c.stats();
    let server = control(&sim, "GET", "/__sim/stats", None).await;
    // 5000/100 + 200/50 + 500/50 + 30/50 pages, +2: every request signed once, received once, verified once.
    assert_eq!(client_stats.requests_signed, client_stats.requests_sent);
    assert_eq!(
        server["total_requests"].as_u64(),
        Some(client_stats.requests_sent)
    );
    assert_eq!(
        server["signatures"]["acs3"].as_u64(),
        Some(client_stats.requests_sent)
    );
    assert_eq!(server["actions"]["DescribeInstances"]["requests"], 50);
    assert_eq!(server["actions"]["DescribeSecurityGroups"]["requests"], 10);
}

#[tokio::test]
async fn wrong_secrets_and_unknown_keys_are_refused_with_alibabas_codes() {
    let sim = sim(0);
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        let wrong = client_with(
            &sim,
            "testid",
            "not-the-secret",
            version,
            OssSignatureVersion::V1,
            3,
            Duration::from_secs(5),
        );
        let error = wrong.describe_regions().await.unwrap_err();
        assert_eq!(
            (error.code(), error.http_status(), error.attempts),
            (Some("SignatureDoesNotMatch"), Some(400), 1)
        );
        assert!(error
            .message()
            .unwrap()
            .contains("server string to sign is:"));
        let unknown = client_with(
            &sim,
            "nobody",
            "testsecret",
            version,
            OssSignatureVersion::V1,
            3,
            Duration::from_secs(5),
        );
        assert_eq!(
            code_of(unknown.describe_regions().await),
            ("InvalidAccessKeyId.NotFound".into(), 404)
        );
    }
    for oss_version in [OssSignatureVersion::V1, OssSignatureVersion::V4] {
        let wrong = client_with(
            &sim,
            "testid",
            "not-the-secret",
            SignatureVersion::Acs3,
            oss_version,
            0,
            Duration::from_secs(5),
        );
        assert_eq!(
            code_of(wrong.oss(REGION).list_buckets().await),
            ("SignatureDoesNotMatch".into(), 403)
        );
        let unknown = client_with(
            &sim,
            "nobody",
            "testsecret",
            SignatureVersion::Acs3,
            oss_version,
            0,
            Duration::from_secs(5),
        );
        assert_eq!(
            code_of(unknown.oss(REGION).list_buckets().await),
            ("InvalidAccessKeyId".into(), 403)
        );
    }
    assert_eq!(sim.sim.stats.lock().actions["DescribeRegions"].signed_ok, 0);
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let sim = sim(0);
    for version in [SignatureVersion::V1, SignatureVersion::Acs3] {
        let nonce = format!("fixed-nonce-{version:?}");
        let c = client(&sim, version).with_stamp_source(move || RequestStamp {
            nonce: nonce.clone(),
            time: chrono::Utc::now(),
        });
        c.describe_regions().await.unwrap();
        assert_eq!(
            code_of(c.describe_regions().await),
            ("SignatureNonceUsed".into(), 400)
        );
    }
    // An old timestamp is refused even with a fresh nonce.
    let stale = client(&sim, SignatureVersion::V1).with_stamp_source(|| RequestStamp {
        nonce: hex::encode(rand::random::<[u8; 16]>()),
        time: chrono::Utc::now() - chrono::Duration::hours(1),
    });
    assert_eq!(
        code_of(stale.describe_regions().await).0,
        "InvalidTimeStamp.Expired"
    );
}

/// Requests built by hand: a form-body V1 request, an ACS3 request whose body does not
/// match its x-acs-content-sha256, an unsigned request.
#[tokio::test]
async fn hand_built_requests_form_body_tampered_hash_unsigned() {
    let sim = sim(0);
    let http = reqwest::Client::new();
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // V1 with the action parameters in a form body: signed together with the query.
    let mut query =
        rpc_v1_protocol_params("CreateVpc", "2016-04-28", "testid", "form-nonce", &stamp);
    let form = vec![
        ("RegionId".to_string(), "cn-hangzhou".to_string()),
        ("VpcName".to_string(), "from form".to_string()),
    ];
    let all: Vec<(String, String)> = query.iter().chain(form.iter()).cloned().collect();
    query.push((
        "Signature".into(),
        sign_rpc_v1("POST", &all, "testsecret").signature,
    ));
    let answer = http
        .post(format!(
            "{}/?{}",
            sim.base_url,
            zstack_aliyun::encode::encode_pairs(&query)
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(zstack_aliyun::encode::encode_pairs(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(body["VpcId"].as_str().unwrap().starts_with("vpc-"));
    assert_eq!(
        sim.sim.state.lock().vpcs.values().next().unwrap().name,
        "from form"
    );
    // ACS3 whose declared body hash is not the body's.
    let host = sim.base_url.trim_start_matches("http://").to_string();
    let headers: Vec<(String, String)> = [
        ("host", host.as_str()),
        ("x-acs-action", "DescribeRegions"),
        ("x-acs-version", "2014-05-26"),
        ("x-acs-date", stamp.as_str()),
        ("x-acs-signature-nonce", "tamper-nonce"),
        (
            "x-acs-content-sha256",
            zstack_aliyun::sign::EMPTY_BODY_SHA256,
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signed = sign_acs3(
        &Acs3Input {
            http_method: "POST",
            canonical_uri: "/",
            query: &[],
            signed_headers: &headers,
            body: b"",
        },
        "testid",
        "testsecret",
    );
    let mut request = http.post(format!("{}/", sim.base_url)).body("smuggled=1");
    for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
        request = request.header(k, v);
    }
    let answer = request
        .header("authorization", signed.authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    for key in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(
            body[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} in {body}"
        );
    }
    // Not signed at all.
    let answer = http
        .post(format!(
            "{}/?Action=DescribeRegions&Version=2014-05-26",
            sim.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["Code"],
        "MissingSignature"
    );
}
