//! Who may call the simulator and whether a request is signed correctly: the AccessKey
//! ring, the four signature schemes (RPC V1, ACS3-HMAC-SHA256, OSS V1, OSS V4) checked
//! with the client crate's own signers, Timestamp freshness and SignatureNonce replay.
//!
//! The order of checks follows the service: an unknown AccessKeyId is reported before a
//! bad signature, and a nonce is remembered only once its request's signature is valid
//! (so a forged request cannot burn a legitimate client's nonce).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};
use zstack_aliyun::oss_sign::{
    oss_v1_canonicalized_resource, sign_oss_v1, sign_oss_v4, OssV1Input, OssV4Input,
};
use zstack_aliyun::sign::{
    parse_acs3_authorization, verify_acs3, verify_rpc_v1, SignatureCheckError,
};

use crate::error::SimError;

/// How far a request's timestamp may be from the wall clock (the service allows 15 minutes).
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    RpcV1,
    Acs3,
    OssV1,
    OssV4,
}

/// AccessKeyId -> AccessKeySecret.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: HashMap<String, String>,
}

impl KeyRing {
    pub fn new(keys: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            keys: keys.into_iter().collect(),
        }
    }

    pub fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.keys.get(access_key_id).map(String::as_str)
    }
}

/// Nonces seen within the skew window; older ones are forgotten (their timestamps
/// would be refused anyway).
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl NonceCache {
    /// False when the nonce was already used.
    pub fn remember(&mut self, nonce: &str) -> bool {
        let now = Instant::now();
        while let Some((at, _)) = self.order.front() {
            if now.duration_since(*at) <= MAX_CLOCK_SKEW {
                break;
            }
            let (_, old) = self.order.pop_front().expect("front exists");
            self.seen.remove(&old);
        }
        if self.seen.contains_key(nonce) {
            return false;
        }
        self.seen.insert(nonce.to_string(), now);
        self.order.push_back((now, nonce.to_string()));
        true
    }
}

/// What the signature checks need from an HTTP request.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Decoded query parameters, in order.
    pub query: &'a [(String, String)],
    /// Decoded form-body parameters (RPC only).
    pub form: &'a [(String, String)],
    /// All headers, lower-case names.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(self.form.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The caller, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub access_key_id: String,
    pub signature: SignatureKind,
}

fn unknown_key(id: &str) -> SimError {
    SimError::not_found(
        "InvalidAccessKeyId.NotFound",
        format!("Specified access key is not found: {id}"),
    )
}

fn rpc_mismatch(detail: SignatureCheckError) -> SimError {
    let server_side = match detail {
        SignatureCheckError::Mismatch { string_to_sign, .. } => string_to_sign,
        SignatureCheckError::Missing(what) => what,
    };
    SimError::bad(
        "SignatureDoesNotMatch",
        format!("Specified signature is not matched with our calculation. server string to sign is:{server_side}"),
    )
}

fn check_skew(stamp: DateTime<Utc>, code: &str) -> Result<(), SimError> {
    let skew = (Utc::now() - stamp).num_seconds().unsigned_abs();
    if skew > MAX_CLOCK_SKEW.as_secs() {
        return Err(SimError::bad(
            code,
            format!("Specified time stamp or date value is expired ({skew}s from server time)."),
        ));
    }
    Ok(())
}

fn parse_iso_seconds(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// Checks an RPC request (ECS/VPC) signed with V1 (`Signature` parameter) or ACS3
/// (`Authorization` header).
pub fn verify_rpc(
    request: &SignedRequest<'_>,
    keys: &KeyRing,
    nonces: &mut NonceCache,
) -> Result<Caller, SimError> {
    let has_v1 = request.param("Signature").is_some();
    let authorization = request.header("authorization").unwrap_or_default();
    if has_v1 {
        let id = request
            .param("AccessKeyId")
            .ok_or_else(|| SimError::missing("AccessKeyId"))?;
        let secret = keys.secret(id).ok_or_else(|| unknown_key(id))?;
        if let Some(method) = request.param("SignatureMethod") {
            if method != "HMAC-SHA1" {
                return Err(SimError::bad(
                    "InvalidSignatureMethod",
                    format!("Specified signature method {method} is not supported."),
                ));
            }
        }
        verify_rpc_v1(request.method, request.query, request.form, secret).map_err(rpc_mismatch)?;
        let timestamp = request
            .param("Timestamp")
            .ok_or_else(|| SimError::missing("Timestamp"))?;
        let stamp = parse_iso_seconds(timestamp).ok_or_else(|| {
            SimError::bad(
                "InvalidTimeStamp.Format",
                format!("Specified time stamp or date value is not well formatted: {timestamp}"),
            )
        })?;
        check_skew(stamp, "InvalidTimeStamp.Expired")?;
        let nonce = request
            .param("SignatureNonce")
            .ok_or_else(|| SimError::missing("SignatureNonce"))?;
        if !nonces.remember(nonce) {
            return Err(nonce_used());
        }
        return Ok(Caller {
            access_key_id: id.to_string(),
            signature: SignatureKind::RpcV1,
        });
    }
    if authorization.starts_with("ACS3-HMAC-SHA256") {
        let parsed = parse_acs3_authorization(authorization).ok_or_else(|| {
            SimError::bad(
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        })?;
        let id = parsed.access_key_id.clone();
        if keys.secret(&id).is_none() {
            return Err(unknown_key(&id));
        }
        let body_hash = hex::encode(Sha256::digest(request.body));
        if let Some(sent) = request.header("x-acs-content-sha256") {
            if !sent.eq_ignore_ascii_case(&body_hash) {
                return Err(SimError::bad(
                    "SignatureDoesNotMatch",
                    format!("x-acs-content-sha256 {sent} does not match the body's SHA-256 {body_hash}."),
                ));
            }
        }
        verify_acs3(
            request.method,
            request.path,
            request.query,
            request.headers,
            request.body,
            |id| keys.secret(id).map(str::to_string),
        )
        .map_err(rpc_mismatch)?;
        if let Some(date) = request.header("x-acs-date") {
            let stamp = parse_iso_seconds(date).ok_or_else(|| {
                SimError::bad(
                    "InvalidTimeStamp.Format",
                    format!("Specified x-acs-date is not well formatted: {date}"),
                )
            })?;
            check_skew(stamp, "InvalidTimeStamp.Expired")?;
        } else {
            return Err(SimError::missing("x-acs-date"));
        }
        let nonce = request
            .header("x-acs-signature-nonce")
            .ok_or_else(|| SimError::missing("x-acs-signature-nonce"))?;
        if !nonces.remember(nonce) {
            return Err(nonce_used());
        }
        return Ok(Caller {
            access_key_id: id,
            signature: SignatureKind::Acs3,
        });
    }
    Err(SimError::bad(
        "MissingSignature",
        "The request is not signed: no Signature parameter and no ACS3 Authorization header.",
    ))
}

fn nonce_used() -> SimError {
    SimError::bad(
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    )
}

fn oss_error(code: &str, message: &str) -> SimError {
    SimError::forbidden(code, message)
}

/// Checks an OSS request signed with V1 (`OSS ak:sig`) or V4 (`OSS4-HMAC-SHA256`).
/// `bucket`/`key` are the decoded resource, whatever the addressing style on the wire.
pub fn verify_oss(
    request: &SignedRequest<'_>,
    bucket: Option<&str>,
    key: Option<&str>,
    keys: &KeyRing,
) -> Result<Caller, SimError> {
    let authorization = request.header("authorization").unwrap_or_default().trim();
    if let Some(rest) = authorization.strip_prefix("OSS4-HMAC-SHA256") {
        let mut credential = None;
        let mut signature = None;
        for field in rest.split(',') {
            if let Some((name, value)) = field.trim().split_once('=') {
                match name.trim() {
                    "Credential" => credential = Some(value.trim().to_string()),
                    "Signature" => signature = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        let (Some(credential), Some(signature)) = (credential, signature) else {
            return Err(oss_error(
                "AccessDenied",
                "Malformed OSS4-HMAC-SHA256 Authorization header.",
            ));
        };
        // Credential = <ak>/<yyyymmdd>/<region>/oss/aliyun_v4_request
        let parts: Vec<&str> = credential.split('/').collect();
        if parts.len() != 5 {
            return Err(oss_error("AccessDenied", "Malformed credential scope."));
        }
        let (id, region) = (parts[0], parts[2]);
        let secret = keys.secret(id).ok_or_else(|| {
            oss_error(
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
            )
        })?;
        let datetime = request.header("x-oss-date").unwrap_or_default();
        let computed = sign_oss_v4(
            &OssV4Input {
                verb: request.method,
                bucket,
                key,
                query: request.query,
                headers: request.headers,
                datetime,
                region,
            },
            id,
            secret,
        );
        if computed.signature != signature {
            return Err(oss_error(
                "SignatureDoesNotMatch",
                &format!("The request signature we calculated does not match the signature you provided. Canonical request: {:?}", computed.canonical_request),
            ));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(datetime, "%Y%m%dT%H%M%SZ") {
            check_oss_skew(t.and_utc())?;
        } else {
            return Err(oss_error(
                "AccessDenied",
                "Missing or malformed x-oss-date.",
            ));
        }
        return Ok(Caller {
            access_key_id: id.to_string(),
            signature: SignatureKind::OssV4,
        });
    }
    if let Some(rest) = authorization.strip_prefix("OSS ") {
        let (id, signature) = rest
            .trim()
            .split_once(':')
            .ok_or_else(|| oss_error("AccessDenied", "Malformed OSS Authorization header."))?;
        let secret = keys.secret(id).ok_or_else(|| {
            oss_error(
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
            )
        })?;
        let resource = oss_v1_canonicalized_resource(bucket, key, request.query);
        let date = request.header("date").unwrap_or_default();
        let computed = sign_oss_v1(
            &OssV1Input {
                verb: request.method,
                content_md5: request.header("content-md5").unwrap_or_default(),
                content_type: request.header("content-type").unwrap_or_default(),
                date,
                headers: request.headers,
                canonicalized_resource: &resource,
            },
            id,
            secret,
        );
        if computed.signature != signature {
            return Err(oss_error(
                "SignatureDoesNotMatch",
                &format!("The request signature we calculated does not match the signature you provided. Check your key and signing method. StringToSign: {:?}", computed.string_to_sign),
            ));
        }
        // The signature covers the date; without one a captured request could be
        // replayed forever, so OSS refuses it (EC 0002-00000503). `x-oss-date` may
        // stand in for Date.
        let stamp = DateTime::parse_from_rfc2822(date)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                request
                    .header("x-oss-date")
                    .and_then(|d| NaiveDateTime::parse_from_str(d, "%Y%m%dT%H%M%SZ").ok())
                    .map(|t| t.and_utc())
            })
            .ok_or_else(|| {
                oss_error("AccessDenied", "OSS authentication requires a valid Date.")
            })?;
        check_oss_skew(stamp)?;
        return Ok(Caller {
            access_key_id: id.to_string(),
            signature: SignatureKind::OssV1,
        });
    }
    Err(oss_error(
        "AccessDenied",
        "You have no right to access this object: anonymous access is not allowed.",
    ))
}

fn check_oss_skew(stamp: DateTime<Utc>) -> Result<(), SimError> {
    let skew = (Utc::now() - stamp).num_seconds().unsigned_abs();
    if skew > MAX_CLOCK_SKEW.as_secs() {
        return Err(oss_error(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_cache_refuses_a_replay() {
        let mut cache = NonceCache::default();
        assert!(cache.remember("a"));
        assert!(cache.remember("b"));
        assert!(!cache.remember("a"));
    }

    #[test]
    fn documented_v1_example_verifies_except_for_its_old_timestamp() {
        // The ALIYUN.md worked example: valid signature, but 2016 is far outside the skew window.
        let params: Vec<(String, String)> = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
            ("Signature", "OLeaidS1JvxuMvnyHOwuJ+uX5qY="),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let keys = KeyRing::new([("testid".to_string(), "testsecret".to_string())]);
        let request = SignedRequest {
            method: "GET",
            path: "/",
            query: &params,
            form: &[],
            headers: &[],
            body: b"",
        };
        let err = verify_rpc(&request, &keys, &mut NonceCache::default()).unwrap_err();
        assert_eq!(err.code, "InvalidTimeStamp.Expired");
        let wrong = KeyRing::new([("testid".to_string(), "other".to_string())]);
        let err = verify_rpc(&request, &wrong, &mut NonceCache::default()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.status),
            ("SignatureDoesNotMatch", 400)
        );
        let none = KeyRing::default();
        let err = verify_rpc(&request, &none, &mut NonceCache::default()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.status),
            ("InvalidAccessKeyId.NotFound", 404)
        );
    }
}
