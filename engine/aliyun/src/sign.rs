//! Request signatures of Alibaba Cloud's RPC-style OpenAPI, as pure functions.
//!
//! Two schemes, both checked against the official SDK's vectors
//! (`tests/data/signature_vectors.json`):
//! - **V1** (`SignatureVersion=1.0`, HMAC-SHA1): the signature goes in the `Signature`
//!   query parameter; every query and form-body parameter is signed.
//! - **ACS3-HMAC-SHA256**: an `Authorization` header over a canonical request made of
//!   the query, the chosen headers and the SHA-256 of the body.
//!
//! Every intermediate string is returned, so tests (and the simulator, which verifies
//! what clients send) can compare step by step instead of only the final value.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::encode::{canonical_query, percent_encode, percent_encode_path};

pub(crate) fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub(crate) fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Hex SHA-256 of an empty body: the `x-acs-content-sha256` of every body-less request.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The steps of an RPC V1 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcV1Signature {
    pub canonicalized_query_string: String,
    pub string_to_sign: String,
    /// Base64 HMAC-SHA1; sent percent-encoded as the `Signature` query parameter.
    pub signature: String,
}

/// Signs RPC V1 parameters: all query and form-body parameters together (the protocol
/// ones included: Action, Version, Format, AccessKeyId, SignatureMethod, SignatureVersion,
/// SignatureNonce, Timestamp). A `Signature` entry, if present, is left out.
pub fn sign_rpc_v1(
    http_method: &str,
    params: &[(String, String)],
    access_key_secret: &str,
) -> RpcV1Signature {
    let signed: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let canonicalized_query_string = canonical_query(&signed);
    let string_to_sign = format!(
        "{}&{}&{}",
        http_method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&canonicalized_query_string)
    );
    let key = format!("{access_key_secret}&");
    let signature = base64(&hmac_sha1(key.as_bytes(), string_to_sign.as_bytes()));
    RpcV1Signature {
        canonicalized_query_string,
        string_to_sign,
        signature,
    }
}

/// The protocol parameters V1 adds to an action's own parameters (everything but `Signature`).
/// `timestamp` is `yyyy-MM-ddTHH:mm:ssZ` in UTC.
pub fn rpc_v1_protocol_params(
    action: &str,
    version: &str,
    access_key_id: &str,
    nonce: &str,
    timestamp: &str,
) -> Vec<(String, String)> {
    [
        ("Action", action),
        ("Version", version),
        ("Format", "JSON"),
        ("AccessKeyId", access_key_id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Why a server-side check of a signed request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheckError {
    /// No `Signature` parameter / no or malformed `Authorization` header.
    Missing(String),
    /// Recomputed signature differs; carries what the server computed, for debugging.
    Mismatch {
        expected: String,
        string_to_sign: String,
    },
}

impl std::fmt::Display for SignatureCheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(what) => write!(f, "missing {what}"),
            Self::Mismatch {
                expected,
                string_to_sign,
            } => {
                write!(
                    f,
                    "signature mismatch: expected {expected} over {string_to_sign:?}"
                )
            }
        }
    }
}

/// Server side of V1: recomputes the signature of a received request from its decoded
/// query and form-body parameters (the query holds `Signature`).
pub fn verify_rpc_v1(
    http_method: &str,
    query: &[(String, String)],
    form: &[(String, String)],
    access_key_secret: &str,
) -> Result<(), SignatureCheckError> {
    let sent = query
        .iter()
        .find(|(k, _)| k == "Signature")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| SignatureCheckError::Missing("Signature parameter".into()))?;
    let all: Vec<(String, String)> = query.iter().chain(form.iter()).cloned().collect();
    let computed = sign_rpc_v1(http_method, &all, access_key_secret);
    if computed.signature == sent {
        Ok(())
    } else {
        Err(SignatureCheckError::Mismatch {
            expected: computed.signature,
            string_to_sign: computed.string_to_sign,
        })
    }
}

/// What an ACS3 signature covers.
#[derive(Debug, Clone)]
pub struct Acs3Input<'a> {
    pub http_method: &'a str,
    /// Path before encoding, `/` for RPC-style APIs.
    pub canonical_uri: &'a str,
    /// Decoded query parameters.
    pub query: &'a [(String, String)],
    /// The headers to sign (any case; names are lower-cased, values trimmed).
    pub signed_headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The steps of an ACS3-HMAC-SHA256 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Signature {
    pub hashed_payload: String,
    pub canonical_request: String,
    pub hashed_canonical_request: String,
    pub string_to_sign: String,
    /// Lower-case header names joined by `;`.
    pub signed_headers: String,
    /// Hex HMAC-SHA256.
    pub signature: String,
    pub authorization: String,
}

pub const ACS3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

pub fn sign_acs3(
    input: &Acs3Input<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> Acs3Signature {
    let hashed_payload = sha256_hex(input.body);
    let mut headers: Vec<(String, String)> = input
        .signed_headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.http_method.to_ascii_uppercase(),
        percent_encode_path(input.canonical_uri),
        canonical_query(input.query),
        canonical_headers,
        signed_headers,
        hashed_payload
    );
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let string_to_sign = format!("{ACS3_ALGORITHM}\n{hashed_canonical_request}");
    let signature = hex::encode(hmac_sha256(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization =
        format!("{ACS3_ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}");
    Acs3Signature {
        hashed_payload,
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// The three fields of an `Authorization: ACS3-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_acs3_authorization(header: &str) -> Option<Acs3Authorization> {
    let rest = header.trim().strip_prefix(ACS3_ALGORITHM)?.trim_start();
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        match name {
            "Credential" => credential = Some(value.to_string()),
            "SignedHeaders" => signed = Some(value.split(';').map(str::to_string).collect()),
            "Signature" => signature = Some(value.to_string()),
            _ => {}
        }
    }
    Some(Acs3Authorization {
        access_key_id: credential?,
        signed_headers: signed?,
        signature: signature?,
    })
}

/// Server side of ACS3: rebuilds the canonical request from the headers the client
/// says it signed and compares. `headers` are all received headers (any case);
/// `secret_for` maps an AccessKeyId to its secret.
pub fn verify_acs3(
    http_method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<(), SignatureCheckError> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let auth = header("authorization")
        .and_then(|h| parse_acs3_authorization(&h))
        .ok_or_else(|| SignatureCheckError::Missing("ACS3 Authorization header".into()))?;
    let secret = secret_for(&auth.access_key_id).ok_or_else(|| {
        SignatureCheckError::Missing(format!("secret for AccessKeyId {}", auth.access_key_id))
    })?;
    let mut signed = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = header(name)
            .ok_or_else(|| SignatureCheckError::Missing(format!("signed header {name}")))?;
        signed.push((name.clone(), value));
    }
    let computed = sign_acs3(
        &Acs3Input {
            http_method,
            canonical_uri: path,
            query,
            signed_headers: &signed,
            body,
        },
        &auth.access_key_id,
        &secret,
    );
    if computed.signature == auth.signature {
        Ok(())
    } else {
        Err(SignatureCheckError::Mismatch {
            expected: computed.signature,
            string_to_sign: computed.string_to_sign,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_hash_constant_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_BODY_SHA256);
    }

    #[test]
    fn acs3_authorization_round_trips_through_the_parser() {
        let header =
            "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=abc";
        let parsed = parse_acs3_authorization(header).unwrap();
        assert_eq!(parsed.access_key_id, "testid");
        assert_eq!(parsed.signed_headers, vec!["host", "x-acs-date"]);
        assert_eq!(parsed.signature, "abc");
        assert!(parse_acs3_authorization("OSS testid:abc").is_none());
        assert!(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=x").is_none());
    }

    #[test]
    fn verify_rpc_v1_rejects_a_tampered_parameter() {
        let mut params = rpc_v1_protocol_params(
            "DescribeRegions",
            "2014-05-26",
            "ak",
            "n1",
            "2026-01-01T00:00:00Z",
        );
        let sig = sign_rpc_v1("POST", &params, "secret").signature;
        params.push(("Signature".into(), sig));
        assert_eq!(verify_rpc_v1("POST", &params, &[], "secret"), Ok(()));
        assert!(verify_rpc_v1("POST", &params, &[], "other").is_err());
        params[0].1 = "DeleteInstance".into();
        assert!(matches!(
            verify_rpc_v1("POST", &params, &[], "secret"),
            Err(SignatureCheckError::Mismatch { .. })
        ));
    }
}
