//! Every case of the official SDK's signature vectors (`tests/data/signature_vectors.json`,
//! a copy of shared/reference/aliyun/signature_vectors.json) reproduced step by step:
//! canonicalized query / canonical request, string-to-sign, signature, Authorization.

use serde_json::Value;
use zstack_aliyun::encode::parse_query;
use zstack_aliyun::sign::{sign_acs3, sign_rpc_v1, verify_acs3, verify_rpc_v1, Acs3Input};

const VECTORS: &str = include_str!("data/signature_vectors.json");

fn pairs(map: &Value) -> Vec<(String, String)> {
    map.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn vectors(kind: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(VECTORS).unwrap();
    all[kind].as_array().unwrap().clone()
}

#[test]
fn v1_rpc_hmac_sha1_vectors_all_reproduce() {
    let cases = vectors("v1_rpc_hmac_sha1");
    assert_eq!(cases.len(), 7, "the reference file holds 7 V1 cases");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let secret = case["access_key_secret"].as_str().unwrap();
        assert_eq!(
            case["hmac_key"].as_str().unwrap(),
            format!("{secret}&"),
            "{name}: hmac key rule"
        );
        let method = case["http_method"].as_str().unwrap();
        let signed = sign_rpc_v1(method, &pairs(&case["signed_params"]), secret);
        assert_eq!(
            signed.canonicalized_query_string,
            case["canonicalized_query_string"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            signed.string_to_sign,
            case["string_to_sign"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            signed.signature,
            case["expected_signature"].as_str().unwrap(),
            "{name}"
        );

        // Server side: the URL exactly as the SDK sent it (plus the form body) verifies.
        if let Some(url) = case["url_as_sent_by_sdk"].as_str() {
            let query = parse_query(url.trim_start_matches("/?"), false);
            let form = pairs(&case["form_body_params"]);
            assert_eq!(
                verify_rpc_v1(method, &query, &form, secret),
                Ok(()),
                "{name}: verify sent URL"
            );
            assert!(
                verify_rpc_v1(method, &query, &form, "wrong").is_err(),
                "{name}: wrong secret must fail"
            );
        }
    }
}

#[test]
fn v3_acs3_hmac_sha256_vectors_all_reproduce() {
    let cases = vectors("v3_acs3_hmac_sha256");
    assert_eq!(cases.len(), 4, "the reference file holds 4 ACS3 cases");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let query = pairs(&case["query_params"]);
        let headers = pairs(&case["signed_headers"]);
        let body = case["body"].as_str().unwrap().as_bytes();
        let input = Acs3Input {
            http_method: case["http_method"].as_str().unwrap(),
            canonical_uri: case["canonical_uri"].as_str().unwrap(),
            query: &query,
            signed_headers: &headers,
            body,
        };
        let key_id = case["access_key_id"].as_str().unwrap();
        let secret = case["access_key_secret"].as_str().unwrap();
        let signed = sign_acs3(&input, key_id, secret);
        assert_eq!(
            signed.hashed_payload,
            case["hashed_payload"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            signed.canonical_request,
            case["canonical_request"].as_str().unwrap(),
            "{name}"
        );
        let expected_sts = case["string_to_sign"].as_str().unwrap();
        assert_eq!(signed.string_to_sign, expected_sts, "{name}");
        assert_eq!(
            Some(signed.hashed_canonical_request.as_str()),
            expected_sts.lines().nth(1),
            "{name}"
        );
        assert_eq!(
            signed.signature,
            case["expected_signature"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            signed.authorization,
            case["expected_authorization"].as_str().unwrap(),
            "{name}"
        );

        let mut received = headers.clone();
        received.push(("Authorization".into(), signed.authorization.clone()));
        let secret_for = |id: &str| (id == key_id).then(|| secret.to_string());
        assert_eq!(
            verify_acs3(input.http_method, "/", &query, &received, body, secret_for),
            Ok(()),
            "{name}"
        );
        assert!(
            verify_acs3(
                input.http_method,
                "/",
                &query,
                &received,
                b"tampered",
                secret_for
            )
            .is_err(),
            "{name}"
        );
    }
}

/// The copy in this crate must stay the reference file (shared/ sits beside the checkout).
#[test]
fn vector_copy_matches_the_shared_reference() {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/aliyun");
    for file in ["signature_vectors.json", "sdk_requests_captured.txt"] {
        let reference = std::fs::read(shared.join(file)).unwrap_or_else(|e| {
            panic!(
                "{} not readable ({e}): shared/ must sit beside the checkout",
                shared.join(file).display()
            )
        });
        let copy = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(file),
        )
        .unwrap();
        assert!(
            reference == copy,
            "tests/data/{file} differs from shared/reference/aliyun/{file}"
        );
    }
}
