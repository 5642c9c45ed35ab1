//! Shared helpers for the simulator's integration tests: start a simulator in-process,
//! build `zstack-aliyun` clients pointed at it, and call its control API.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use zstack_aliyun::ecs::{CreateSecurityGroupRequest, DescribeDisksRequest, Disk, DiskSpec, RunInstancesRequest};
use zstack_aliyun::vpc::{CreateVSwitchRequest, CreateVpcRequest, CreateVpcResponse};
use zstack_aliyun::{
    AliyunClient, AliyunError, ClientConfig, Credentials, Endpoints, OssSignatureVersion, Params,
    SignatureVersion,
};
use zstack_aliyun_sim::{SimConfig, SimServer};

pub const REGION: &str = "cn-hangzhou";
pub const ZONE: &str = "cn-hangzhou-h";
pub const IMAGE: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";

/// A simulator whose transitions take `step_ms` per status, on a frozen clock (only
/// `sim.sim.clock.advance` moves it, so status checks do not depend on test speed).
pub fn sim(step_ms: u64) -> SimServer {
    let server = SimServer::start(SimConfig {
        transition_step: Duration::from_millis(step_ms),
        ..SimConfig::default()
    })
    .expect("simulator starts");
    server.sim.clock.freeze();
    server
}

pub fn client_with(
    sim: &SimServer,
    key: &str,
    secret: &str,
    version: SignatureVersion,
    oss: OssSignatureVersion,
    retries: u32,
    timeout: Duration,
) -> AliyunClient {
    AliyunClient::new(
        Credentials {
            access_key_id: key.into(),
            access_key_secret: secret.into(),
        },
        ClientConfig {
            endpoints: Endpoints::all_at(&sim.base_url),
            timeout,
            max_retries: retries,
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(40),
            signature_version: version,
            oss_signature_version: oss,
            ..ClientConfig::default()
        },
    )
    .expect("client builds")
}

pub fn client(sim: &SimServer, version: SignatureVersion) -> AliyunClient {
    client_with(
        sim,
        "testid",
        "testsecret",
        version,
        OssSignatureVersion::V1,
        3,
        Duration::from_secs(10),
    )
}

pub async fn control(sim: &SimServer, method: &str, path: &str, body: Option<Value>) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", sim.base_url);
    let request = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http.post(url),
    };
    let request = match body {
        Some(b) => request
            .header("content-type", "application/json")
            .body(b.to_string()),
        None => request,
    };
    let response = request.send().await.expect("control call");
    assert!(
        response.status().is_success(),
        "{method} {path}: {}",
        response.status()
    );
    response.json().await.expect("control answers JSON")
}

/// Any ECS action through the client's generic call.
pub async fn ecs(
    client: &AliyunClient,
    action: &str,
    params: Params,
) -> Result<Value, AliyunError> {
    client
        .call_in_region(REGION, "ecs", "2014-05-26", action, params.as_slice())
        .await
}

/// Any VPC action through the client's generic call.
pub async fn vpc(
    client: &AliyunClient,
    action: &str,
    params: Params,
) -> Result<Value, AliyunError> {
    client
        .call_in_region(REGION, "vpc", "2016-04-28", action, params.as_slice())
        .await
}

/// The error's (code, HTTP status).
pub fn code_of<T: std::fmt::Debug>(result: Result<T, AliyunError>) -> (String, u16) {
    let error = result.expect_err("expected an error");
    (
        error.code().unwrap_or("<no code>").to_string(),
        error.http_status().unwrap_or(0),
    )
}

/// A VPC with `cidr` (and the vRouter and route table that come with it).
pub async fn new_vpc(client: &AliyunClient, cidr: &str) -> CreateVpcResponse {
    client.create_vpc(REGION, &CreateVpcRequest { cidr_block: cidr.into(), ..Default::default() }).await.unwrap()
}

/// A vSwitch of `vpc_id` in ZONE with `cidr`: its id.
pub async fn new_vswitch(client: &AliyunClient, vpc_id: &str, cidr: &str) -> String {
    let request = CreateVSwitchRequest { vpc_id: vpc_id.into(), zone_id: ZONE.into(), cidr_block: cidr.into(), ..Default::default() };
    client.create_vswitch(REGION, &request).await.unwrap().v_switch_id
}

/// A VPC with one vSwitch (in ZONE) and one security group.
pub struct Net {
    pub vpc: String,
    pub vsw: String,
    pub sg: String,
}

pub async fn network(client: &AliyunClient, cidr: &str, vsw_cidr: &str) -> Net {
    let vpc = new_vpc(client, cidr).await.vpc_id;
    let vsw = new_vswitch(client, &vpc, vsw_cidr).await;
    let sg = client
        .create_security_group(REGION, &CreateSecurityGroupRequest { vpc_id: vpc.clone(), ..Default::default() })
        .await
        .unwrap()
        .security_group_id;
    Net { vpc, vsw, sg }
}

/// RunInstances of `amount` g6.large instances in `net`: a 40 GB ESSD system disk, a 100 GB data disk, tag env=test.
pub fn run_request(net: &Net, amount: u32) -> RunInstancesRequest {
    RunInstancesRequest {
        image_id: IMAGE.into(),
        instance_type: "ecs.g6.large".into(),
        security_group_id: net.sg.clone(),
        v_switch_id: net.vsw.clone(),
        amount,
        system_disk: Some(DiskSpec { category: "cloud_essd".into(), size_gb: 40 }),
        data_disks: vec![DiskSpec { category: "cloud_essd".into(), size_gb: 100 }],
        tags: vec![("env".into(), "test".into())],
        ..Default::default()
    }
}

/// Every disk attached to `instance_id`.
pub async fn disks_of(client: &AliyunClient, instance_id: &str) -> Vec<Disk> {
    let request = DescribeDisksRequest { instance_id: Some(instance_id.into()), ..Default::default() };
    client.describe_disks_all(REGION, &request).await.unwrap()
}

/// Sets the simulator's quotas (`{"vpcs_per_region": 2}`, ...).
pub async fn set_quotas(sim: &SimServer, quotas: Value) {
    control(sim, "POST", "/__sim/config", Some(serde_json::json!({ "quotas": quotas }))).await;
}
