//! OSS (object storage), enough to upload VM images for ImportImage: list/create/delete
//! buckets, list/put/get/head/delete objects and multipart uploads (an image streamed
//! from a reader one part at a time, so memory stays at one part whatever the image
//! size), signed with OSS V1 or V4. Bodies are `Bytes`: a retry re-sends the same buffer.
//!
//! Addressing: path-style (`http://127.0.0.1:PORT/bucket/key`) when the endpoint host
//! is an IP address or `localhost`, as oss2 does; virtual-host style
//! (`bucket.oss-cn-hangzhou.aliyuncs.com/key`) for a real domain. OSS answers XML; the
//! few fields needed are read with a tiny tag scanner rather than an XML crate.

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use md5::{Digest, Md5};
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::client::{
    host_header, AliyunClient, OssSignatureVersion, Protocol, RawResponse, RequestStamp, OSS,
};
use crate::encode::{encode_pairs, percent_encode_path};
use crate::error::AliyunError;
use crate::oss_sign::{
    oss_v1_canonicalized_resource, sign_oss_v1, sign_oss_v4, OssV1Input, OssV4Input,
    UNSIGNED_PAYLOAD,
};

/// A bucket as ListBuckets describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub location: String,
    pub region: String,
    pub creation_date: String,
    pub storage_class: String,
    pub extranet_endpoint: String,
    pub intranet_endpoint: String,
}

/// What PutObject reports back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObjectResult {
    pub etag: String,
    pub request_id: String,
}

/// Object metadata from HeadObject/GetObject headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    pub content_length: u64,
    pub content_type: String,
    pub etag: String,
    pub last_modified: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OssObject {
    pub meta: ObjectMeta,
    pub body: Bytes,
}

/// One entry of ListObjects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectSummary {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub last_modified: String,
}

/// What a finished multipart upload reports back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartResult {
    pub etag: String,
    pub parts: u32,
    pub size: u64,
}

/// OSS limits: parts are 100 KiB..5 GiB (except the last), at most 10,000 of them.
pub const MIN_PART_SIZE: usize = 100 * 1024;
pub const MAX_PART_SIZE: usize = 5 << 30;
pub const MAX_PARTS: u32 = 10_000;

/// OSS operations in one region; get it with [`AliyunClient::oss`].
pub struct Oss<'a> {
    client: &'a AliyunClient,
    region: String,
}

impl AliyunClient {
    pub fn oss(&self, region: &str) -> Oss<'_> {
        Oss {
            client: self,
            region: region.to_string(),
        }
    }
}

/// Upper bound on the pages of one ListBuckets / ListObjects listing (1000 entries each).
const MAX_LIST_PAGES: usize = 1000;

impl Oss<'_> {
    /// Every bucket of the account, following NextMarker.
    pub async fn list_buckets(&self) -> Result<Vec<Bucket>, AliyunError> {
        self.list_by_marker("ListBuckets", None, "", "Bucket", |b| Bucket {
            name: xml_text(b, "Name").unwrap_or_default(),
            location: xml_text(b, "Location").unwrap_or_default(),
            region: xml_text(b, "Region").unwrap_or_default(),
            creation_date: xml_text(b, "CreationDate").unwrap_or_default(),
            storage_class: xml_text(b, "StorageClass").unwrap_or_default(),
            extranet_endpoint: xml_text(b, "ExtranetEndpoint").unwrap_or_default(),
            intranet_endpoint: xml_text(b, "IntranetEndpoint").unwrap_or_default(),
        })
        .await
    }

    /// Creates a bucket; `acl` is private, public-read or public-read-write.
    pub async fn put_bucket(&self, bucket: &str, acl: Option<&str>) -> Result<(), AliyunError> {
        let headers: Vec<(String, String)> = acl
            .map(|a| ("x-oss-acl".to_string(), a.to_string()))
            .into_iter()
            .collect();
        self.request(
            "PutBucket",
            Method::PUT,
            Some(bucket),
            None,
            &[],
            &headers,
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), AliyunError> {
        self.request(
            "DeleteBucket",
            Method::DELETE,
            Some(bucket),
            None,
            &[],
            &[],
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    /// Uploads `body` in one request with a Content-MD5, so OSS rejects a corrupted upload.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Bytes>,
        content_type: Option<&str>,
    ) -> Result<PutObjectResult, AliyunError> {
        let body: Bytes = body.into();
        let md5 = content_md5(&body);
        let headers = vec![
            (
                "content-type".to_string(),
                content_type
                    .unwrap_or("application/octet-stream")
                    .to_string(),
            ),
            ("content-md5".to_string(), md5),
        ];
        let response = self
            .request(
                "PutObject",
                Method::PUT,
                Some(bucket),
                Some(key),
                &[],
                &headers,
                body,
            )
            .await?;
        Ok(PutObjectResult {
            etag: header(&response.headers, "etag")
                .trim_matches('"')
                .to_string(),
            request_id: header(&response.headers, "x-oss-request-id"),
        })
    }

    pub async fn get_object(&self, bucket: &str, key: &str) -> Result<OssObject, AliyunError> {
        let response = self
            .request(
                "GetObject",
                Method::GET,
                Some(bucket),
                Some(key),
                &[],
                &[],
                Bytes::new(),
            )
            .await?;
        Ok(OssObject {
            meta: object_meta(&response.headers, response.body.len() as u64),
            body: response.body,
        })
    }

    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectMeta, AliyunError> {
        let response = self
            .request(
                "HeadObject",
                Method::HEAD,
                Some(bucket),
                Some(key),
                &[],
                &[],
                Bytes::new(),
            )
            .await?;
        Ok(object_meta(&response.headers, 0))
    }

    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), AliyunError> {
        self.request(
            "DeleteObject",
            Method::DELETE,
            Some(bucket),
            Some(key),
            &[],
            &[],
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    /// Every object whose key starts with `prefix`, following NextMarker.
    pub async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<Vec<ObjectSummary>, AliyunError> {
        self.list_by_marker("ListObjects", Some(bucket), prefix, "Contents", |c| ObjectSummary {
            key: xml_text(c, "Key").unwrap_or_default(),
            size: xml_text(c, "Size").and_then(|s| s.parse().ok()).unwrap_or_default(),
            etag: xml_text(c, "ETag").unwrap_or_default().trim_matches('"').to_string(),
            last_modified: xml_text(c, "LastModified").unwrap_or_default(),
        })
        .await
    }

    /// Every `element` of a marker-paged listing (ListBuckets, ListObjects), each read by
    /// `parse`, following NextMarker while the answer IsTruncated.
    async fn list_by_marker<T>(
        &self,
        op: &str,
        bucket: Option<&str>,
        prefix: &str,
        element: &str,
        parse: impl Fn(&str) -> T,
    ) -> Result<Vec<T>, AliyunError> {
        let mut items = Vec::new();
        let mut marker = String::new();
        for _ in 0..MAX_LIST_PAGES {
            let query = vec![
                ("prefix".to_string(), prefix.to_string()),
                ("marker".to_string(), marker.clone()),
                ("max-keys".to_string(), "1000".to_string()),
            ];
            let response = self
                .request(op, Method::GET, bucket, None, &query, &[], Bytes::new())
                .await?;
            let xml = String::from_utf8_lossy(&response.body);
            items.extend(xml_elements(&xml, element).into_iter().map(&parse));
            let truncated = xml_text(&xml, "IsTruncated").is_some_and(|t| t == "true");
            match xml_text(&xml, "NextMarker").filter(|m| !m.is_empty() && *m != marker) {
                Some(next) if truncated => marker = next,
                _ => break,
            }
        }
        Ok(items)
    }

    /// Starts a multipart upload; the answer's UploadId names it in the later calls.
    pub async fn initiate_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        content_type: Option<&str>,
    ) -> Result<String, AliyunError> {
        let headers = vec![(
            "content-type".to_string(),
            content_type
                .unwrap_or("application/octet-stream")
                .to_string(),
        )];
        let response = self
            .request(
                "InitiateMultipartUpload",
                Method::POST,
                Some(bucket),
                Some(key),
                &[("uploads".to_string(), String::new())],
                &headers,
                Bytes::new(),
            )
            .await?;
        xml_text(&String::from_utf8_lossy(&response.body), "UploadId")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                AliyunError::new(
                    crate::error::ErrorKind::Decode(
                        "InitiateMultipartUpload answered without an UploadId".into(),
                    ),
                    "oss InitiateMultipartUpload",
                    1,
                )
            })
    }

    /// Uploads part `part_number` (1-based) with a Content-MD5; returns its ETag.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: Bytes,
    ) -> Result<String, AliyunError> {
        let headers = vec![("content-md5".to_string(), content_md5(&body))];
        let query = vec![
            ("partNumber".to_string(), part_number.to_string()),
            ("uploadId".to_string(), upload_id.to_string()),
        ];
        let response = self
            .request(
                "UploadPart",
                Method::PUT,
                Some(bucket),
                Some(key),
                &query,
                &headers,
                body,
            )
            .await?;
        Ok(header(&response.headers, "etag")
            .trim_matches('"')
            .to_string())
    }

    /// Joins the uploaded parts, `(part number, ETag)` in ascending order, into the object.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[(u32, String)],
    ) -> Result<String, AliyunError> {
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (number, etag) in parts {
            xml.push_str(&format!(
                "<Part><PartNumber>{number}</PartNumber><ETag>\"{etag}\"</ETag></Part>"
            ));
        }
        xml.push_str("</CompleteMultipartUpload>");
        let body = Bytes::from(xml);
        let headers = vec![
            ("content-type".to_string(), "application/xml".to_string()),
            ("content-md5".to_string(), content_md5(&body)),
        ];
        let response = self
            .request(
                "CompleteMultipartUpload",
                Method::POST,
                Some(bucket),
                Some(key),
                &[("uploadId".to_string(), upload_id.to_string())],
                &headers,
                body,
            )
            .await?;
        Ok(xml_text(&String::from_utf8_lossy(&response.body), "ETag")
            .unwrap_or_default()
            .trim_matches('"')
            .to_string())
    }

    /// Drops an unfinished upload and the parts it holds.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), AliyunError> {
        self.request(
            "AbortMultipartUpload",
            Method::DELETE,
            Some(bucket),
            Some(key),
            &[("uploadId".to_string(), upload_id.to_string())],
            &[],
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    /// Streams `reader` into `bucket/key` as a multipart upload of `part_size` parts:
    /// one part is in memory at a time. A failure aborts the upload, so no parts stay
    /// billed. An empty reader still makes an (empty) object.
    pub async fn upload_from_reader<R: AsyncRead + Unpin>(
        &self,
        bucket: &str,
        key: &str,
        mut reader: R,
        part_size: usize,
        content_type: Option<&str>,
    ) -> Result<MultipartResult, AliyunError> {
        let operation = "oss UploadFromReader";
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
            return Err(AliyunError::config(
                operation,
                format!("part size {part_size} is outside OSS's {MIN_PART_SIZE}..={MAX_PART_SIZE}"),
            ));
        }
        let upload_id = self
            .initiate_multipart_upload(bucket, key, content_type)
            .await?;
        let uploaded = async {
            let mut parts: Vec<(u32, String)> = Vec::new();
            let mut size = 0u64;
            loop {
                let chunk = read_part(&mut reader, part_size).await.map_err(|e| {
                    AliyunError::config(operation, format!("reading the source: {e}"))
                })?;
                if chunk.is_empty() && !parts.is_empty() {
                    break;
                }
                let number = parts.len() as u32 + 1;
                if number > MAX_PARTS {
                    return Err(AliyunError::config(
                        operation,
                        format!(
                            "more than {MAX_PARTS} parts of {part_size} bytes; use larger parts"
                        ),
                    ));
                }
                let last = chunk.len() < part_size;
                size += chunk.len() as u64;
                let etag = self
                    .upload_part(bucket, key, &upload_id, number, chunk)
                    .await?;
                parts.push((number, etag));
                if last {
                    break;
                }
            }
            let etag = self
                .complete_multipart_upload(bucket, key, &upload_id, &parts)
                .await?;
            Ok(MultipartResult {
                etag,
                parts: parts.len() as u32,
                size,
            })
        }
        .await;
        if uploaded.is_err() {
            // Best effort: the upload's own error is the one worth reporting.
            let _ = self.abort_multipart_upload(bucket, key, &upload_id).await;
        }
        uploaded
    }

    #[allow(clippy::too_many_arguments)]
    async fn request(
        &self,
        action: &str,
        method: Method,
        bucket: Option<&str>,
        key: Option<&str>,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<RawResponse, AliyunError> {
        let operation = format!("oss {action}");
        let base = self
            .client
            .config
            .endpoints
            .endpoint_url(OSS, &self.region, &operation)?;
        let url = object_url(&base, bucket, key, query)
            .map_err(|e| AliyunError::config(&operation, e))?;
        self.client
            .execute(&operation, Protocol::Oss, |stamp| {
                let signed =
                    self.signed_headers(method.as_str(), &url, bucket, key, query, headers, stamp);
                self.client
                    .finish_request(method.clone(), url.clone(), &signed, body.clone())
            })
            .await
    }

    /// The request headers with Date/x-oss-date and Authorization for this attempt.
    #[allow(clippy::too_many_arguments)]
    fn signed_headers(
        &self,
        verb: &str,
        url: &Url,
        bucket: Option<&str>,
        key: Option<&str>,
        query: &[(String, String)],
        headers: &[(String, String)],
        stamp: &RequestStamp,
    ) -> Vec<(String, String)> {
        let credentials = &self.client.credentials;
        let mut all = headers.to_vec();
        all.push(("host".to_string(), host_header(url)));
        let get = |all: &[(String, String)], name: &str| {
            all.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match self.client.config.oss_signature_version {
            OssSignatureVersion::V1 => {
                let date = stamp.time.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
                all.push(("date".to_string(), date.clone()));
                let resource = oss_v1_canonicalized_resource(bucket, key, query);
                let signature = sign_oss_v1(
                    &OssV1Input {
                        verb,
                        content_md5: &get(&all, "content-md5"),
                        content_type: &get(&all, "content-type"),
                        date: &date,
                        headers: &all,
                        canonicalized_resource: &resource,
                    },
                    &credentials.access_key_id,
                    &credentials.access_key_secret,
                );
                all.push(("authorization".to_string(), signature.authorization));
            }
            OssSignatureVersion::V4 => {
                let datetime = stamp.time.format("%Y%m%dT%H%M%SZ").to_string();
                all.push(("x-oss-date".to_string(), datetime.clone()));
                all.push((
                    "x-oss-content-sha256".to_string(),
                    UNSIGNED_PAYLOAD.to_string(),
                ));
                let signature = sign_oss_v4(
                    &OssV4Input {
                        verb,
                        bucket,
                        key,
                        query,
                        headers: &all,
                        datetime: &datetime,
                        region: &self.region,
                    },
                    &credentials.access_key_id,
                    &credentials.access_key_secret,
                );
                all.push(("authorization".to_string(), signature.authorization));
            }
        }
        all
    }
}

/// Reads until `size` bytes or the end of the source, into one buffer of at most `size`.
async fn read_part<R: AsyncRead + Unpin>(reader: &mut R, size: usize) -> std::io::Result<Bytes> {
    let mut buffer = BytesMut::with_capacity(size);
    while buffer.len() < size {
        let mut limited = (&mut *reader).take((size - buffer.len()) as u64);
        if limited.read_buf(&mut buffer).await? == 0 {
            break;
        }
    }
    Ok(buffer.freeze())
}

fn content_md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

/// Path-style for IP/localhost endpoints, virtual-host style for domains.
fn object_url(
    base: &Url,
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, String)],
) -> Result<Url, String> {
    let host = base.host_str().ok_or("endpoint has no host")?;
    let is_ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok();
    let path_style = is_ip || host == "localhost";
    let mut url = base.clone();
    let encoded_key = key.map(percent_encode_path).unwrap_or_default();
    match bucket {
        None => url.set_path("/"),
        Some(bucket) if path_style => url.set_path(&format!("/{bucket}/{encoded_key}")),
        Some(bucket) => {
            url.set_host(Some(&format!("{bucket}.{host}")))
                .map_err(|e| e.to_string())?;
            url.set_path(&format!("/{encoded_key}"));
        }
    }
    let encoded_query = encode_pairs(query);
    url.set_query(if query.is_empty() {
        None
    } else {
        Some(&encoded_query)
    });
    Ok(url)
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn object_meta(headers: &HeaderMap, body_len: u64) -> ObjectMeta {
    ObjectMeta {
        content_length: header(headers, "content-length")
            .parse()
            .unwrap_or(body_len),
        content_type: header(headers, "content-type"),
        etag: header(headers, "etag").trim_matches('"').to_string(),
        last_modified: header(headers, "last-modified"),
    }
}

/// Code, Message, RequestId of `<Error><Code/><Message/><RequestId/></Error>`; the
/// request id falls back to the `x-oss-request-id` header (HEAD errors have no body).
pub(crate) fn parse_oss_error(
    body: &[u8],
    headers: &HeaderMap,
) -> (Option<String>, Option<String>, Option<String>) {
    let xml = String::from_utf8_lossy(body);
    let error = xml_elements(&xml, "Error").into_iter().next().unwrap_or("");
    let request_id = xml_text(error, "RequestId")
        .or_else(|| Some(header(headers, "x-oss-request-id")).filter(|s| !s.is_empty()));
    (
        xml_text(error, "Code"),
        xml_text(error, "Message"),
        request_id,
    )
}

/// Inner text of every `<tag>...</tag>` in `xml` (not nested in itself), unescaped later.
pub fn xml_elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        match after.find(&close) {
            Some(end) => {
                found.push(&after[..end]);
                rest = &after[end + close.len()..];
            }
            None => break,
        }
    }
    found
}

/// Unescaped text of the first `<tag>...</tag>`.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    xml_elements(xml, tag).first().map(|raw| xml_unescape(raw))
}

fn xml_unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let entity_end = rest[amp..].find(';').map(|i| amp + i);
        let decoded = entity_end.and_then(|end| {
            let entity = &rest[amp + 1..end];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if entity.starts_with("#x") => u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            ch.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[amp + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_scanner_reads_captured_list_buckets_answer() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><Buckets><Bucket><Name>zs-bucket</Name><CreationDate>2026-11-25T08:00:00.000Z</CreationDate><Location>oss-cn-hangzhou</Location><ExtranetEndpoint>oss-cn-hangzhou.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</IntranetEndpoint><Region>cn-hangzhou</Region><StorageClass>Standard</StorageClass></Bucket></Buckets></ListAllMyBucketsResult>"#;
        let buckets = xml_elements(xml, "Bucket");
        assert_eq!(buckets.len(), 1);
        assert_eq!(xml_text(buckets[0], "Name").as_deref(), Some("zs-bucket"));
        assert_eq!(
            xml_text(buckets[0], "Location").as_deref(),
            Some("oss-cn-hangzhou")
        );
        assert_eq!(xml_text(xml, "Missing"), None);
    }

    #[test]
    fn xml_entities_are_unescaped() {
        assert_eq!(
            xml_unescape("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#x27; &bogus; &"),
            "a & b <c> \"d\" 'e' &bogus; &"
        );
    }

    #[test]
    fn oss_error_body_parses_into_code_message_request_id() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist.</Message><RequestId>R-9</RequestId><BucketName>x</BucketName></Error>";
        let (code, message, request_id) = parse_oss_error(body, &HeaderMap::new());
        assert_eq!(code.as_deref(), Some("NoSuchBucket"));
        assert_eq!(
            message.as_deref(),
            Some("The specified bucket does not exist.")
        );
        assert_eq!(request_id.as_deref(), Some("R-9"));
        let mut headers = HeaderMap::new();
        headers.insert("x-oss-request-id", "H-1".parse().unwrap());
        assert_eq!(
            parse_oss_error(b"", &headers),
            (None, None, Some("H-1".into()))
        );
    }

    #[test]
    fn addressing_is_path_style_for_ips_and_virtual_host_for_domains() {
        let local = Url::parse("http://127.0.0.1:18081").unwrap();
        assert_eq!(
            object_url(&local, Some("zs-bucket"), None, &[])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:18081/zs-bucket/"
        );
        assert_eq!(
            object_url(&local, Some("b"), Some("images/a b.qcow2"), &[])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:18081/b/images/a%20b.qcow2"
        );
        let query = vec![
            ("prefix".to_string(), String::new()),
            ("max-keys".to_string(), "100".to_string()),
        ];
        assert_eq!(
            object_url(&local, None, None, &query).unwrap().as_str(),
            "http://127.0.0.1:18081/?prefix=&max-keys=100"
        );
        let domain = Url::parse("http://oss-cn-hangzhou.aliyuncs.com").unwrap();
        assert_eq!(
            object_url(&domain, Some("b"), Some("k"), &[])
                .unwrap()
                .as_str(),
            "http://b.oss-cn-hangzhou.aliyuncs.com/k"
        );
        let localhost = Url::parse("http://localhost:9000").unwrap();
        assert_eq!(
            object_url(&localhost, Some("b"), Some("k"), &[])
                .unwrap()
                .as_str(),
            "http://localhost:9000/b/k"
        );
    }
}
