//! OSS operations against a small in-memory OSS on loopback that verifies every V1 and V4
//! signature it receives: the image-upload path (bucket, put, head, get, delete).

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Request, Response, TestServer};
use zstack_aliyun::oss_sign::{
    oss_v1_canonicalized_resource, sign_oss_v1, sign_oss_v4, OssV1Input, OssV4Input,
};
use zstack_aliyun::{
    AliyunClient, ClientConfig, Credentials, Endpoints, ErrorKind, OssSignatureVersion,
};

const SECRET: &str = "testsecret";
const REGION: &str = "cn-hangzhou";

/// bucket -> key -> (content-type, bytes)
type Store = Arc<Mutex<BTreeMap<String, BTreeMap<String, (String, Vec<u8>)>>>>;

fn oss_error(status: u16, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>OSS-REQ</RequestId></Error>"
    );
    Response::raw(status, "application/xml", body).with_header("x-oss-request-id", "OSS-REQ")
}

fn split_path(path: &str) -> (Option<String>, Option<String>) {
    let trimmed = path.trim_start_matches('/');
    match trimmed.split_once('/') {
        None if trimmed.is_empty() => (None, None),
        None => (Some(trimmed.to_string()), None),
        Some((bucket, "")) => (Some(bucket.to_string()), None),
        Some((bucket, key)) => (Some(bucket.to_string()), Some(key.to_string())),
    }
}

fn signature_matches(request: &Request, bucket: Option<&str>, key: Option<&str>) -> bool {
    let authorization = request.header("authorization").unwrap_or_default();
    let expected = if authorization.starts_with("OSS4-HMAC-SHA256") {
        sign_oss_v4(
            &OssV4Input {
                verb: &request.method,
                bucket,
                key,
                query: &request.query,
                headers: &request.headers,
                datetime: request.header("x-oss-date").unwrap_or_default(),
                region: REGION,
            },
            "testid",
            SECRET,
        )
        .authorization
    } else {
        let resource = oss_v1_canonicalized_resource(bucket, key, &request.query);
        sign_oss_v1(
            &OssV1Input {
                verb: &request.method,
                content_md5: request.header("content-md5").unwrap_or_default(),
                content_type: request.header("content-type").unwrap_or_default(),
                date: request.header("date").unwrap_or_default(),
                headers: &request.headers,
                canonicalized_resource: &resource,
            },
            "testid",
            SECRET,
        )
        .authorization
    };
    authorization == expected
}

fn fake_oss(store: Store) -> TestServer {
    TestServer::start(move |request, _| {
        let (bucket, key) = split_path(&request.path);
        if !signature_matches(request, bucket.as_deref(), key.as_deref()) {
            return oss_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match",
            );
        }
        let mut store = store.lock().unwrap();
        match (request.method.as_str(), bucket, key) {
            ("GET", None, None) => {
                let buckets: String = store
                    .keys()
                    .map(|b| format!("<Bucket><Name>{b}</Name><Location>oss-{REGION}</Location><Region>{REGION}</Region><CreationDate>2026-11-25T08:00:00.000Z</CreationDate><StorageClass>Standard</StorageClass></Bucket>"))
                    .collect();
                Response::raw(200, "application/xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult><Buckets>{buckets}</Buckets></ListAllMyBucketsResult>"))
            }
            ("PUT", Some(b), None) => {
                store.entry(b).or_default();
                Response::raw(200, "application/xml", "")
            }
            ("DELETE", Some(b), None) => match store.get(&b) {
                None => oss_error(404, "NoSuchBucket", "The specified bucket does not exist."),
                Some(objects) if !objects.is_empty() => oss_error(
                    409,
                    "BucketNotEmpty",
                    "The bucket you tried to delete is not empty.",
                ),
                Some(_) => {
                    store.remove(&b);
                    Response::raw(204, "application/xml", "")
                }
            },
            ("PUT", Some(b), Some(k)) => {
                use base64::Engine as _;
                use md5::Digest as _;
                let md5 = base64::engine::general_purpose::STANDARD
                    .encode(md5::Md5::digest(&request.body));
                if request.header("content-md5") != Some(md5.as_str()) {
                    return oss_error(
                        400,
                        "InvalidDigest",
                        "The Content-MD5 you specified is not valid.",
                    );
                }
                let Some(objects) = store.get_mut(&b) else {
                    return oss_error(404, "NoSuchBucket", "The specified bucket does not exist.");
                };
                let content_type = request
                    .header("content-type")
                    .unwrap_or_default()
                    .to_string();
                objects.insert(k, (content_type, request.body.clone()));
                Response::raw(200, "application/xml", "")
                    .with_header("ETag", "\"ETAG-1\"")
                    .with_header("x-oss-request-id", "PUT-1")
            }
            ("GET" | "HEAD", Some(b), Some(k)) => match store.get(&b).and_then(|o| o.get(&k)) {
                None => oss_error(404, "NoSuchKey", "The specified key does not exist."),
                Some((content_type, bytes)) => Response::raw(200, content_type, bytes.clone())
                    .with_header("ETag", "\"ETAG-1\""),
            },
            ("DELETE", Some(b), Some(k)) => {
                if let Some(objects) = store.get_mut(&b) {
                    objects.remove(&k);
                }
                Response::raw(204, "application/xml", "")
            }
            _ => oss_error(400, "InvalidRequest", "unsupported"),
        }
    })
}

fn oss_client(base_url: &str, version: OssSignatureVersion, secret: &str) -> AliyunClient {
    AliyunClient::new(
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: secret.into(),
        },
        ClientConfig {
            endpoints: Endpoints::new().with("oss", REGION, base_url),
            max_retries: 1,
            backoff_base: Duration::from_millis(1),
            oss_signature_version: version,
            ..ClientConfig::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn image_upload_round_trip_with_both_oss_signature_versions() {
    for version in [OssSignatureVersion::V1, OssSignatureVersion::V4] {
        let store: Store = Arc::default();
        let server = fake_oss(store.clone());
        let client = oss_client(&server.base_url, version, SECRET);
        let oss = client.oss(REGION);

        oss.put_bucket("zs-images", Some("private"))
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        let buckets = oss.list_buckets().await.unwrap();
        assert_eq!(buckets.len(), 1);
        assert_eq!(
            (buckets[0].name.as_str(), buckets[0].region.as_str()),
            ("zs-images", REGION)
        );

        // A key with a space, a star and a directory: encoded on the wire, signed raw/encoded as each scheme wants.
        let key = "images/debian 12*.qcow2";
        let image: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let put = oss
            .put_object("zs-images", key, image.clone(), None)
            .await
            .unwrap();
        assert_eq!(
            (put.etag.as_str(), put.request_id.as_str()),
            ("ETAG-1", "PUT-1")
        );
        assert_eq!(
            store.lock().unwrap()["zs-images"][key].0,
            "application/octet-stream"
        );

        let head = oss.head_object("zs-images", key).await.unwrap();
        assert_eq!(head.content_length, image.len() as u64);
        let got = oss.get_object("zs-images", key).await.unwrap();
        assert_eq!(got.body, image);
        assert_eq!(got.meta.etag, "ETAG-1");

        let full = oss.delete_bucket("zs-images").await.unwrap_err();
        assert_eq!(full.code(), Some("BucketNotEmpty"));
        oss.delete_object("zs-images", key).await.unwrap();
        let missing = oss.get_object("zs-images", key).await.unwrap_err();
        assert_eq!(missing.code(), Some("NoSuchKey"));
        assert!(missing.is_not_found());
        oss.delete_bucket("zs-images").await.unwrap();
        assert!(oss.list_buckets().await.unwrap().is_empty());

        let requests = server.requests();
        assert!(requests
            .iter()
            .all(|r| r.header("host") == Some(server.base_url.trim_start_matches("http://"))));
        let put_request = requests
            .iter()
            .find(|r| r.method == "PUT" && r.path.contains("debian"))
            .unwrap();
        assert_eq!(
            put_request.path, "/zs-images/images/debian 12*.qcow2",
            "path-style on an IP endpoint"
        );
        match version {
            OssSignatureVersion::V1 => assert!(put_request.header("date").is_some()),
            OssSignatureVersion::V4 => assert_eq!(
                put_request.header("x-oss-content-sha256"),
                Some("UNSIGNED-PAYLOAD")
            ),
        }
        // 10 operations, each signed and sent once; the 2 expected errors are not retried.
        let stats = client.stats();
        assert_eq!(
            (
                stats.calls,
                stats.requests_signed,
                stats.requests_sent,
                stats.retries
            ),
            (10, 10, 10, 0),
            "{version:?}"
        );
        assert_eq!(stats.failed, 2);
    }
}

#[tokio::test]
async fn oss_errors_carry_code_message_and_request_id() {
    let server = fake_oss(Arc::default());
    let client = oss_client(&server.base_url, OssSignatureVersion::V1, "wrong-secret");
    let err = client.oss(REGION).put_bucket("b", None).await.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Api {
            code: "SignatureDoesNotMatch".into(),
            message: "The request signature we calculated does not match".into(),
            request_id: "OSS-REQ".into(),
            http_status: 403,
        }
    );
    assert!(err.to_string().contains("oss PutBucket"), "{err}");
    // HEAD errors have no body: the status and request-id header still come through.
    let good = oss_client(&server.base_url, OssSignatureVersion::V1, SECRET);
    let err = good.oss(REGION).head_object("nope", "k").await.unwrap_err();
    assert_eq!(err.http_status(), Some(404));
    assert_eq!(err.request_id(), Some("OSS-REQ"));
    assert!(err.is_not_found());
}
