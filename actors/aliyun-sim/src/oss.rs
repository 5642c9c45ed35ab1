//! OSS, enough for VM image upload and ImportImage: ListBuckets, PutBucket, DeleteBucket,
//! ListObjects, PutObject (Content-MD5 checked), GetObject (with a byte range),
//! HeadObject, DeleteObject, and multipart uploads (InitiateMultipartUpload, UploadPart,
//! CompleteMultipartUpload, AbortMultipartUpload) with OSS's part rules. XML answers and
//! XML errors, `x-oss-request-id` on every answer, and `x-oss-hash-crc64ecma` so oss2's
//! CRC check runs against real values. Object bodies are the request buffers themselves
//! (reference-counted), and reads hand out slices of them.
//!
//! Addressing: path-style (`/bucket/key`, what oss2 and the client crate send to an IP
//! endpoint) and virtual-host style (`Host: bucket.oss-<region>.<domain>`).

use actix_web::web::Bytes;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};

use crate::error::{xml_escape, SimError, SimResult};
use crate::state::{MultipartUpload, OssObjectData, SimBucket, SimState};

/// One OSS request, decoded.
pub struct OssRequest<'a> {
    pub method: &'a str,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: Bytes,
    /// Region the request was signed for (V4 scope), else the default.
    pub region: String,
    pub now: DateTime<Utc>,
}

impl OssRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An OSS answer: status, headers, body.
pub struct OssResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl OssResponse {
    fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    fn xml(body: String) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: Bytes::from(body),
        }
    }
}

/// Bucket and key from the Host header (virtual-host style) or the path (path style).
pub fn bucket_and_key(host: &str, decoded_path: &str) -> (Option<String>, Option<String>) {
    let hostname = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    let is_ip = hostname
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<std::net::IpAddr>()
        .is_ok();
    let path = decoded_path.strip_prefix('/').unwrap_or(decoded_path);
    if !is_ip {
        let mut labels = hostname.splitn(2, '.');
        if let (Some(bucket), Some(rest)) = (labels.next(), labels.next()) {
            if rest.starts_with("oss") {
                let key = (!path.is_empty()).then(|| path.to_string());
                return (Some(bucket.to_string()), key);
            }
        }
    }
    match path.split_once('/') {
        None if path.is_empty() => (None, None),
        None => (Some(path.to_string()), None),
        Some((bucket, "")) => (Some(bucket.to_string()), None),
        Some((bucket, key)) => (Some(bucket.to_string()), Some(key.to_string())),
    }
}

fn has_param(query: &[(String, String)], name: &str) -> bool {
    query.iter().any(|(k, _)| k == name)
}

/// The action name of an OSS request (for stats and faults).
pub fn action_name(
    method: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, String)],
) -> &'static str {
    if key.is_some() {
        let multipart = match method {
            "POST" if has_param(query, "uploads") => Some("InitiateMultipartUpload"),
            "PUT" if has_param(query, "uploadId") => Some("UploadPart"),
            "POST" if has_param(query, "uploadId") => Some("CompleteMultipartUpload"),
            "DELETE" if has_param(query, "uploadId") => Some("AbortMultipartUpload"),
            _ => None,
        };
        if let Some(action) = multipart {
            return action;
        }
    }
    match (method, bucket, key) {
        ("GET", None, _) => "ListBuckets",
        ("PUT", Some(_), None) => "PutBucket",
        ("DELETE", Some(_), None) => "DeleteBucket",
        ("GET", Some(_), None) => "ListObjects",
        ("PUT", Some(_), Some(_)) => "PutObject",
        ("GET", Some(_), Some(_)) => "GetObject",
        ("HEAD", Some(_), Some(_)) => "HeadObject",
        ("DELETE", Some(_), Some(_)) => "DeleteObject",
        _ => "UnsupportedOssOperation",
    }
}

fn no_such_bucket(name: &str) -> SimError {
    SimError::not_found(
        "NoSuchBucket",
        format!("The specified bucket does not exist: {name}"),
    )
}

fn iso_millis(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

pub fn handle(state: &mut SimState, request: &OssRequest<'_>) -> SimResult<OssResponse> {
    let bucket = request.bucket.as_deref();
    let key = request.key.as_deref();
    if let (Some(b), Some(k)) = (bucket, key) {
        match action_name(request.method, bucket, key, request.query) {
            "InitiateMultipartUpload" => return initiate_multipart(state, request, b, k),
            "UploadPart" => return upload_part(state, request, b, k),
            "CompleteMultipartUpload" => return complete_multipart(state, request, b, k),
            "AbortMultipartUpload" => {
                let upload_id = request.param("uploadId").unwrap_or_default();
                let bucket = state.buckets.get_mut(b).ok_or_else(|| no_such_bucket(b))?;
                upload_of(bucket, upload_id, k)?;
                bucket.uploads.remove(upload_id);
                return Ok(OssResponse::empty(204));
            }
            _ => {}
        }
    }
    match (request.method, bucket, key) {
        ("GET", None, _) => Ok(list_buckets(state, request)),
        ("PUT", Some(b), None) => put_bucket(state, request, b),
        ("DELETE", Some(b), None) => delete_bucket(state, b),
        ("GET", Some(b), None) => list_objects(state, request, b),
        ("PUT", Some(b), Some(k)) => put_object(state, request, b, k),
        ("GET", Some(b), Some(k)) => get_object(state, request, b, k, true),
        ("HEAD", Some(b), Some(k)) => get_object(state, request, b, k, false),
        ("DELETE", Some(b), Some(k)) => {
            let bucket = state.buckets.get_mut(b).ok_or_else(|| no_such_bucket(b))?;
            bucket.objects.remove(k);
            Ok(OssResponse::empty(204))
        }
        _ => Err(SimError::new(
            501,
            "NotImplemented",
            "The simulator does not implement this OSS operation.",
        )),
    }
}

fn list_buckets(state: &SimState, request: &OssRequest<'_>) -> OssResponse {
    let prefix = request.param("prefix").unwrap_or("");
    let marker = request.param("marker").unwrap_or("");
    let max: usize = request
        .param("max-keys")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let matching: Vec<&SimBucket> = state
        .buckets
        .values()
        .filter(|b| b.name.starts_with(prefix) && b.name.as_str() > marker)
        .collect();
    let truncated = matching.len() > max;
    let page = &matching[..matching.len().min(max)];
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>");
    xml.push_str(&format!(
        "<Prefix>{}</Prefix><Marker>{}</Marker><MaxKeys>{max}</MaxKeys>",
        xml_escape(prefix),
        xml_escape(marker)
    ));
    xml.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    if truncated {
        if let Some(last) = page.last() {
            xml.push_str(&format!("<NextMarker>{}</NextMarker>", last.name));
        }
    }
    xml.push_str(
        "<Owner><ID>1000000000</ID><DisplayName>1000000000</DisplayName></Owner><Buckets>",
    );
    for b in page {
        xml.push_str(&format!(
            "<Bucket><Name>{}</Name><CreationDate>{}</CreationDate><Location>oss-{r}</Location><ExtranetEndpoint>oss-{r}.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>oss-{r}-internal.aliyuncs.com</IntranetEndpoint><Region>{r}</Region><StorageClass>Standard</StorageClass></Bucket>",
            b.name,
            iso_millis(b.created),
            r = b.region_id
        ));
    }
    xml.push_str("</Buckets></ListAllMyBucketsResult>");
    OssResponse::xml(xml)
}

fn put_bucket(
    state: &mut SimState,
    request: &OssRequest<'_>,
    name: &str,
) -> SimResult<OssResponse> {
    if !valid_bucket_name(name) {
        return Err(SimError::bad(
            "InvalidBucketName",
            format!("The specified bucket is not valid: {name}"),
        ));
    }
    if state.buckets.contains_key(name) {
        return Err(SimError::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available.",
        ));
    }
    state.buckets.insert(
        name.to_string(),
        SimBucket {
            name: name.to_string(),
            region_id: request.region.clone(),
            acl: request.header("x-oss-acl").unwrap_or("private").to_string(),
            created: request.now,
            objects: Default::default(),
            uploads: Default::default(),
        },
    );
    Ok(OssResponse::empty(200))
}

fn delete_bucket(state: &mut SimState, name: &str) -> SimResult<OssResponse> {
    let bucket = state
        .buckets
        .get(name)
        .ok_or_else(|| no_such_bucket(name))?;
    if !bucket.objects.is_empty() || !bucket.uploads.is_empty() {
        return Err(SimError::new(
            409,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty.",
        ));
    }
    state.buckets.remove(name);
    Ok(OssResponse::empty(204))
}

fn list_objects(state: &SimState, request: &OssRequest<'_>, name: &str) -> SimResult<OssResponse> {
    let bucket = state
        .buckets
        .get(name)
        .ok_or_else(|| no_such_bucket(name))?;
    let prefix = request.param("prefix").unwrap_or("");
    let marker = request.param("marker").unwrap_or("");
    let delimiter = request.param("delimiter").unwrap_or("");
    let max: usize = request
        .param("max-keys")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let mut contents = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut next_marker = String::new();
    for (key, object) in bucket.objects.range::<str, _>((
        std::ops::Bound::Excluded(marker),
        std::ops::Bound::Unbounded,
    )) {
        if !key.starts_with(prefix) {
            continue;
        }
        if contents.len() + prefixes.len() >= max {
            truncated = true;
            break;
        }
        next_marker = key.clone();
        if !delimiter.is_empty() {
            if let Some(pos) = key[prefix.len()..].find(delimiter) {
                let common = key[..prefix.len() + pos + delimiter.len()].to_string();
                if !prefixes.contains(&common) {
                    prefixes.push(common);
                }
                continue;
            }
        }
        contents.push((key, object));
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>");
    xml.push_str(&format!(
        "<Name>{}</Name><Prefix>{}</Prefix><Marker>{}</Marker><MaxKeys>{max}</MaxKeys><Delimiter>{}</Delimiter><IsTruncated>{truncated}</IsTruncated>",
        bucket.name,
        xml_escape(prefix),
        xml_escape(marker),
        xml_escape(delimiter)
    ));
    if truncated {
        xml.push_str(&format!(
            "<NextMarker>{}</NextMarker>",
            xml_escape(&next_marker)
        ));
    }
    for (key, object) in contents {
        xml.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>\"{}\"</ETag><Type>Normal</Type><Size>{}</Size><StorageClass>Standard</StorageClass><Owner><ID>1000000000</ID><DisplayName>1000000000</DisplayName></Owner></Contents>",
            xml_escape(key),
            iso_millis(object.last_modified),
            object.etag,
            object.body.len()
        ));
    }
    for p in prefixes {
        xml.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            xml_escape(&p)
        ));
    }
    xml.push_str("</ListBucketResult>");
    Ok(OssResponse::xml(xml))
}

fn put_object(
    state: &mut SimState,
    request: &OssRequest<'_>,
    bucket: &str,
    key: &str,
) -> SimResult<OssResponse> {
    let store = state
        .buckets
        .get_mut(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    let digest = checked_md5(request)?;
    let etag = hex::encode_upper(digest);
    let crc = crc64_ecma(&request.body);
    store.objects.insert(
        key.to_string(),
        OssObjectData {
            body: request.body.clone(),
            content_type: request
                .header("content-type")
                .unwrap_or("application/octet-stream")
                .to_string(),
            etag: etag.clone(),
            crc64: crc,
            last_modified: request.now,
        },
    );
    let mut response = OssResponse::empty(200);
    response
        .headers
        .push(("ETag".into(), format!("\"{etag}\"")));
    response
        .headers
        .push(("x-oss-hash-crc64ecma".into(), crc.to_string()));
    response.headers.push((
        "Content-MD5".into(),
        base64::engine::general_purpose::STANDARD.encode(digest),
    ));
    Ok(response)
}

/// MD5 of the body, refused with `InvalidDigest` when a Content-MD5 was sent and differs.
fn checked_md5(request: &OssRequest<'_>) -> SimResult<md5::digest::Output<Md5>> {
    let digest = Md5::digest(&request.body);
    if let Some(sent) = request.header("content-md5") {
        let ours = base64::engine::general_purpose::STANDARD.encode(digest);
        if sent.trim() != ours {
            return Err(SimError::bad(
                "InvalidDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    Ok(digest)
}

/// OSS's smallest part, except for the last one.
const MIN_PART_SIZE: usize = 100 * 1024;
const MAX_PART_NUMBER: u32 = 10_000;

fn upload_of<'a>(
    bucket: &'a mut SimBucket,
    upload_id: &str,
    key: &str,
) -> SimResult<&'a mut MultipartUpload> {
    bucket
        .uploads
        .get_mut(upload_id)
        .filter(|u| u.key == key)
        .ok_or_else(|| {
            SimError::not_found(
                "NoSuchUpload",
                format!("The specified upload does not exist: {upload_id}"),
            )
        })
}

fn initiate_multipart(
    state: &mut SimState,
    request: &OssRequest<'_>,
    bucket_name: &str,
    key: &str,
) -> SimResult<OssResponse> {
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    let upload_id = hex::encode_upper(rand::random::<[u8; 16]>());
    bucket.uploads.insert(
        upload_id.clone(),
        MultipartUpload {
            key: key.to_string(),
            content_type: request
                .header("content-type")
                .unwrap_or("application/octet-stream")
                .to_string(),
            parts: Default::default(),
            created: request.now,
        },
    );
    Ok(OssResponse::xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>",
        xml_escape(bucket_name),
        xml_escape(key)
    )))
}

fn upload_part(
    state: &mut SimState,
    request: &OssRequest<'_>,
    bucket_name: &str,
    key: &str,
) -> SimResult<OssResponse> {
    let upload_id = request.param("uploadId").unwrap_or_default();
    let number_text = request.param("partNumber").unwrap_or_default();
    let number = number_text
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            SimError::bad(
                "InvalidArgument",
                format!("Part number must be an integer between 1 and {MAX_PART_NUMBER}: {number_text:?}"),
            )
        })?;
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    let digest = checked_md5(request)?;
    let upload = upload_of(bucket, upload_id, key)?;
    let etag = hex::encode_upper(digest);
    upload
        .parts
        .insert(number, (etag.clone(), request.body.clone()));
    let mut response = OssResponse::empty(200);
    response
        .headers
        .push(("ETag".into(), format!("\"{etag}\"")));
    response.headers.push((
        "x-oss-hash-crc64ecma".into(),
        crc64_ecma(&request.body).to_string(),
    ));
    Ok(response)
}

/// Joins the listed parts into the object. The list must name uploaded parts with their
/// ETags in ascending order, and every part but the last must be at least 100 KiB.
fn complete_multipart(
    state: &mut SimState,
    request: &OssRequest<'_>,
    bucket_name: &str,
    key: &str,
) -> SimResult<OssResponse> {
    let upload_id = request.param("uploadId").unwrap_or_default().to_string();
    let bucket = state
        .buckets
        .get_mut(bucket_name)
        .ok_or_else(|| no_such_bucket(bucket_name))?;
    let upload = upload_of(bucket, &upload_id, key)?;
    let xml = String::from_utf8_lossy(&request.body);
    let listed: Vec<(u32, String)> = zstack_aliyun::oss::xml_elements(&xml, "Part")
        .into_iter()
        .map(|part| {
            let number = zstack_aliyun::oss::xml_text(part, "PartNumber")
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
            let etag = zstack_aliyun::oss::xml_text(part, "ETag")
                .unwrap_or_default()
                .trim_matches('"')
                .to_ascii_uppercase();
            (number, etag)
        })
        .collect();
    if listed.is_empty() {
        return Err(SimError::bad(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        ));
    }
    if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(SimError::bad(
            "InvalidPartOrder",
            "The list of parts was not in ascending order.",
        ));
    }
    let mut chosen = Vec::with_capacity(listed.len());
    for (i, (number, etag)) in listed.iter().enumerate() {
        let (stored_etag, body) = upload
            .parts
            .get(number)
            .filter(|(stored, _)| stored == etag)
            .ok_or_else(|| {
                SimError::bad(
                    "InvalidPart",
                    format!("One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag (part {number})."),
                )
            })?;
        if i + 1 < listed.len() && body.len() < MIN_PART_SIZE {
            return Err(SimError::bad(
                "EntityTooSmall",
                format!("Your proposed upload smaller than the minimum allowed object size (part {number})."),
            ));
        }
        chosen.push((stored_etag.clone(), body.clone()));
    }
    let content_type = upload.content_type.clone();
    let mut whole = Vec::with_capacity(chosen.iter().map(|(_, b)| b.len()).sum());
    let mut md5s = Vec::with_capacity(chosen.len() * 16);
    for (etag, body) in &chosen {
        whole.extend_from_slice(body);
        md5s.extend(hex::decode(etag).unwrap_or_default());
    }
    // Multipart objects are tagged `<MD5 of the part MD5s>-<part count>`, as OSS does.
    let etag = format!("{}-{}", hex::encode_upper(Md5::digest(&md5s)), chosen.len());
    let crc = crc64_ecma(&whole);
    bucket.uploads.remove(&upload_id);
    bucket.objects.insert(
        key.to_string(),
        OssObjectData {
            body: Bytes::from(whole),
            content_type,
            etag: etag.clone(),
            crc64: crc,
            last_modified: request.now,
        },
    );
    let mut response = OssResponse::xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult><Location>/{b}/{k}</Location><Bucket>{b}</Bucket><Key>{k}</Key><ETag>\"{etag}\"</ETag></CompleteMultipartUploadResult>",
        b = xml_escape(bucket_name),
        k = xml_escape(key)
    ));
    response
        .headers
        .push(("x-oss-hash-crc64ecma".into(), crc.to_string()));
    Ok(response)
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` against `len`; None when absent or unsatisfiable
/// (OSS then returns the whole object, as here).
fn byte_range(header: Option<&str>, len: usize) -> Option<(usize, usize)> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (len.checked_sub(n.min(len))?, len.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, len.checked_sub(1)?),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<usize>().ok()?.min(len.checked_sub(1)?),
        ),
    };
    (start <= end && end < len).then_some((start, end))
}

fn get_object(
    state: &SimState,
    request: &OssRequest<'_>,
    bucket: &str,
    key: &str,
    with_body: bool,
) -> SimResult<OssResponse> {
    let store = state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    let object = store.objects.get(key).ok_or_else(|| {
        SimError::not_found(
            "NoSuchKey",
            format!("The specified key does not exist: {key}"),
        )
    })?;
    let mut response = OssResponse::empty(200);
    let len = object.body.len();
    let range = if with_body {
        byte_range(request.header("range"), len)
    } else {
        None
    };
    let body = match range {
        Some((start, end)) => {
            response.status = 206;
            response
                .headers
                .push(("Content-Range".into(), format!("bytes {start}-{end}/{len}")));
            object.body.slice(start..=end)
        }
        None => {
            response
                .headers
                .push(("x-oss-hash-crc64ecma".into(), object.crc64.to_string()));
            object.body.clone()
        }
    };
    response.headers.extend([
        ("Content-Type".to_string(), object.content_type.clone()),
        ("ETag".to_string(), format!("\"{}\"", object.etag)),
        ("Last-Modified".to_string(), http_date(object.last_modified)),
        ("x-oss-object-type".to_string(), "Normal".to_string()),
        ("x-oss-storage-class".to_string(), "Standard".to_string()),
        ("Accept-Ranges".to_string(), "bytes".to_string()),
    ]);
    // For HEAD the server sends the Content-Length of this body and drops the body itself.
    response.body = body;
    Ok(response)
}

/// CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): what OSS
/// reports in `x-oss-hash-crc64ecma`.
pub fn crc64_ecma(data: &[u8]) -> u64 {
    const POLY: u64 = 0xC96C_5795_D787_0F42;
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u64; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut crc = i as u64;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY
                } else {
                    crc >> 1
                };
            }
            *slot = crc;
        }
        table
    });
    let mut crc = !0u64;
    for &byte in data {
        crc = table[((crc ^ byte as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_the_standard_check_value() {
        assert_eq!(crc64_ecma(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(crc64_ecma(b""), 0);
    }

    #[test]
    fn both_addressing_styles_give_bucket_and_key() {
        assert_eq!(bucket_and_key("127.0.0.1:8080", "/"), (None, None));
        assert_eq!(
            bucket_and_key("127.0.0.1:8080", "/b/"),
            (Some("b".into()), None)
        );
        assert_eq!(
            bucket_and_key("127.0.0.1:8080", "/b"),
            (Some("b".into()), None)
        );
        assert_eq!(
            bucket_and_key("127.0.0.1", "/b/dir/k.qcow2"),
            (Some("b".into()), Some("dir/k.qcow2".into()))
        );
        assert_eq!(
            bucket_and_key("b.oss-cn-hangzhou.aliyuncs.com", "/dir/k"),
            (Some("b".into()), Some("dir/k".into()))
        );
        assert_eq!(
            bucket_and_key("b.oss-cn-hangzhou.localhost:9000", "/"),
            (Some("b".into()), None)
        );
        assert_eq!(
            bucket_and_key("localhost:9000", "/b/k"),
            (Some("b".into()), Some("k".into()))
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(byte_range(Some("bytes=0-3"), 10), Some((0, 3)));
        assert_eq!(byte_range(Some("bytes=5-"), 10), Some((5, 9)));
        assert_eq!(byte_range(Some("bytes=-2"), 10), Some((8, 9)));
        assert_eq!(byte_range(Some("bytes=8-100"), 10), Some((8, 9)));
        assert_eq!(byte_range(Some("bytes=20-30"), 10), None);
        assert_eq!(byte_range(None, 10), None);
    }
}
