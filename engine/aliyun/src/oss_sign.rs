//! OSS request signatures (V1 `OSS ak:sig` and V4 `OSS4-HMAC-SHA256`), as pure functions.
//!
//! OSS does not use the RPC schemes: V1 signs the verb, Content-MD5, Content-Type, Date,
//! the `x-oss-*` headers and the "canonicalized resource" (`/bucket/key` plus
//! sub-resources); V4 is a SigV4-like scheme with a derived key per day/region.
//! Checked against the signatures oss2 sent in `tests/data/sdk_requests_captured.txt`.

use crate::encode::{percent_encode, percent_encode_path};
use crate::sign::{base64, hmac_sha1, hmac_sha256, sha256_hex};

/// Query parameters that are part of the V1 canonicalized resource; other query
/// parameters (prefix, marker, max-keys, ...) are not signed in V1.
const V1_SUB_RESOURCES: &[&str] = &[
    "acl",
    "append",
    "bucketInfo",
    "cname",
    "comp",
    "cors",
    "delete",
    "endTime",
    "img",
    "lifecycle",
    "live",
    "location",
    "logging",
    "objectMeta",
    "partNumber",
    "position",
    "qos",
    "referer",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "x-oss-process",
];

/// `/`, `/bucket/` or `/bucket/key` — the resource both V1 (plus sub-resources) and V4
/// (encoded, as the canonical URI) sign, whatever the addressing style on the wire.
pub fn oss_resource_path(bucket: Option<&str>, key: Option<&str>) -> String {
    match (bucket, key) {
        (None, _) => "/".to_string(),
        (Some(b), None) => format!("/{b}/"),
        (Some(b), Some(k)) => format!("/{b}/{k}"),
    }
}

/// V1 canonicalized resource: the resource path, then the sub-resources among `query`
/// sorted by name, `k` alone when its value is empty.
pub fn oss_v1_canonicalized_resource(
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, String)],
) -> String {
    let mut subs: Vec<&(String, String)> = query
        .iter()
        .filter(|(k, _)| V1_SUB_RESOURCES.contains(&k.as_str()))
        .collect();
    subs.sort();
    let mut out = oss_resource_path(bucket, key);
    for (i, (k, v)) in subs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// The header values V1 needs besides the `x-oss-*` headers.
#[derive(Debug, Clone, Default)]
pub struct OssV1Input<'a> {
    pub verb: &'a str,
    pub content_md5: &'a str,
    pub content_type: &'a str,
    /// RFC 1123 GMT, the `Date` header sent.
    pub date: &'a str,
    /// All request headers; only `x-oss-*` ones are signed.
    pub headers: &'a [(String, String)],
    pub canonicalized_resource: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssV1Signature {
    pub string_to_sign: String,
    pub signature: String,
    /// `OSS <AccessKeyId>:<signature>`.
    pub authorization: String,
}

fn canonical_oss_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut oss: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k.starts_with("x-oss-"))
        .collect();
    oss.sort();
    oss
}

pub fn sign_oss_v1(
    input: &OssV1Input<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> OssV1Signature {
    let oss_headers: String = canonical_oss_headers(input.headers)
        .iter()
        .map(|(k, v)| format!("{k}:{v}\n"))
        .collect();
    let string_to_sign = format!(
        "{}\n{}\n{}\n{}\n{}{}",
        input.verb,
        input.content_md5,
        input.content_type,
        input.date,
        oss_headers,
        input.canonicalized_resource
    );
    let signature = base64(&hmac_sha1(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!("OSS {access_key_id}:{signature}");
    OssV1Signature {
        string_to_sign,
        signature,
        authorization,
    }
}

pub const OSS_V4_ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS V4 clients send when they do not hash the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

#[derive(Debug, Clone)]
pub struct OssV4Input<'a> {
    pub verb: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    /// Decoded query parameters; all are signed.
    pub query: &'a [(String, String)],
    /// All request headers; `content-type`, `content-md5` and `x-oss-*` are signed.
    pub headers: &'a [(String, String)],
    /// `x-oss-date`, `yyyyMMddTHHmmssZ`.
    pub datetime: &'a str,
    pub region: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssV4Signature {
    pub canonical_request: String,
    pub scope: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: String,
}

pub fn sign_oss_v4(
    input: &OssV4Input<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> OssV4Signature {
    let canonical_uri = percent_encode_path(&oss_resource_path(input.bucket, input.key));
    let mut query: Vec<(String, String)> = input
        .query
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k == "content-type" || k == "content-md5" || k.starts_with("x-oss-"))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let payload_hash = headers
        .iter()
        .find(|(k, _)| k == "x-oss-content-sha256")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| UNSIGNED_PAYLOAD.to_string());
    // The empty line is the (unused) AdditionalHeaders list.
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n\n{payload_hash}",
        input.verb
    );
    let day = &input.datetime[..input.datetime.len().min(8)];
    let scope = format!("{day}/{}/oss/aliyun_v4_request", input.region);
    let string_to_sign = format!(
        "{OSS_V4_ALGORITHM}\n{}\n{scope}\n{}",
        input.datetime,
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("aliyun_v4{access_key_secret}").as_bytes(),
        day.as_bytes(),
    );
    key = hmac_sha256(&key, input.region.as_bytes());
    key = hmac_sha256(&key, b"oss");
    key = hmac_sha256(&key, b"aliyun_v4_request");
    let signature = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    let authorization =
        format!("{OSS_V4_ALGORITHM} Credential={access_key_id}/{scope}, Signature={signature}");
    OssV4Signature {
        canonical_request,
        scope,
        string_to_sign,
        signature,
        authorization,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalized_resource_keeps_only_sub_resources() {
        let query = vec![
            ("prefix".to_string(), "a".to_string()),
            ("uploadId".to_string(), "u1".to_string()),
            ("acl".to_string(), String::new()),
        ];
        assert_eq!(
            oss_v1_canonicalized_resource(Some("b"), Some("k/x"), &query),
            "/b/k/x?acl&uploadId=u1"
        );
        assert_eq!(oss_v1_canonicalized_resource(None, None, &query[..1]), "/");
        assert_eq!(oss_v1_canonicalized_resource(Some("b"), None, &[]), "/b/");
    }
}
