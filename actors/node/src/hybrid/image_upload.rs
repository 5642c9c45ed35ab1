//! ECS images made from local images (`CreateEcsImageFromLocalImage`): the image file is
//! read from its backup storage and streamed to the DataCenter's attached OSS bucket as a
//! multipart upload (one part in memory at a time, whatever the image size), imported
//! with ImportImage, and watched until Alibaba Cloud reports it Available. The local
//! EcsImage record is written only then. Any failure undoes what was done: the remote
//! image (if the import started) and the OSS object are deleted. `GetCreateEcsImageProgress`
//! reports how far a running upload has got.
//!
//! Image-store backup storage holds the real file. Simulator backup storage has no file
//! content, so its image is streamed as zeros of the image's recorded actual size (what a
//! sparse raw image of that size reads as).

use super::client::for_data_center;
use super::cascade::IMAGE;
use super::oss::current_bucket;
use super::recovery::{noted, uuid_tags};
use super::{aliyun_error, client_token, field, inv_reply, undo_logged, wait_for_status};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::kvm::image_store;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use crate::tables;
use serde_json::{json, Map};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use zstack_aliyun::ecs::{DescribeImagesRequest, ImportImageDisk, ImportImageRequest};
use zstack_aliyun::AliyunClient;
use zstack_kit::{ApiError, ApiResult};

/// How far an image upload has got: bytes sent of the file's size, then the import's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadProgress {
    pub sent: u64,
    pub total: u64,
    /// Uploading, Importing (with Alibaba's status), Available, Failed.
    pub phase: String,
}

/// Parts of 8 MiB: few requests for a multi-GiB image, little memory per upload.
const PART_SIZE: usize = 8 << 20;
const GIB: i64 = 1 << 30;
/// Alibaba Cloud's smallest imported disk.
const MIN_DISK_GB: i64 = 5;
/// Every status an imported image passes through (DescribeImages lists only Available
/// ones unless asked).
const ALL_STATUSES: &str = "Creating,Waiting,Available,UnAvailable,CreateFailed";

/// Where the image's bytes come from.
enum Source {
    File(String),
    /// Simulator storage: this many zero bytes.
    Zeros(u64),
}

/// Counts what passes through into the node's upload progress.
struct Counting<R> {
    inner: R,
    app: App,
    uuid: String,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = (buf.filled().len() - before) as u64;
        if read > 0 {
            if let Some(p) = self.app.hybrid.uploads.lock().get_mut(&self.uuid) {
                p.sent += read;
            }
        }
        polled
    }
}

/// A file on the node's own disk, read in place (as the image store reads its files):
/// local reads are short, and one part is read at a time.
struct LocalFile(std::fs::File);

impl AsyncRead for LocalFile {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        use std::io::Read;
        let n = self.0.read(buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

fn set_phase(app: &App, uuid: &str, phase: &str) {
    if let Some(p) = app.hybrid.uploads.lock().get_mut(uuid) {
        p.phase = phase.to_string();
    }
}

/// Alibaba's format name for a local image format; ISO and unknown formats cannot be imported.
fn import_format(format: &str) -> ApiResult<&'static str> {
    match format.to_ascii_lowercase().as_str() {
        "qcow2" => Ok("QCOW2"),
        "raw" => Ok("RAW"),
        "vhd" => Ok("VHD"),
        "vmdk" => Ok("VMDK"),
        other => Err(ApiError::invalid_argument(format!("an image in format {other} cannot be imported to Alibaba Cloud; use qcow2, raw, vhd or vmdk"))),
    }
}

/// (OSType, Platform) for ImportImage from ZStack's image platform.
fn os_of(platform: &str) -> (&'static str, &'static str) {
    if platform.to_ascii_lowercase().starts_with("windows") {
        ("windows", "Windows Server 2012")
    } else {
        ("linux", "Others Linux")
    }
}

/// GiB of the disk the image becomes: its virtual size rounded up, at least Alibaba's minimum.
fn disk_size_gb(image: &Inventory) -> i64 {
    let bytes = image.get("size").and_then(|v| v.as_i64()).unwrap_or(0).max(0);
    ((bytes + GIB - 1) / GIB).max(MIN_DISK_GB)
}

/// The image's file on the chosen (or first) backup storage.
async fn source_of(app: &App, image: &Inventory, bs_wanted: Option<&str>) -> ApiResult<Source> {
    let image_uuid = field(image, "uuid");
    let refs = app.store.inv_find(&tables::IMAGE_BACKUP_STORAGE_REF, "imageUuid", &image_uuid).await?;
    let chosen = match bs_wanted {
        Some(bs) => refs.iter().find(|r| str_of(r, "backupStorageUuid") == Some(bs)).ok_or_else(|| {
            ApiError::invalid_argument(format!("Image[uuid:{image_uuid}] is not on BackupStorage[uuid:{bs}]"))
        })?,
        None => refs.first().ok_or_else(|| ApiError::invalid_argument(format!("Image[uuid:{image_uuid}] is on no backup storage")))?,
    };
    let bs = app.store.inv_must(&tables::BACKUP_STORAGE, &field(chosen, "backupStorageUuid")).await?;
    if str_of(&bs, "type") == Some(image_store::TYPE) {
        Ok(Source::File(field(chosen, "installPath")))
    } else {
        Ok(Source::Zeros(image.get("actualSize").and_then(|v| v.as_i64()).unwrap_or(0).max(0) as u64))
    }
}

pub async fn image_create_from_local(app: App, req: Req) -> ApiResult<Reply> {
    let name = req.must("name")?;
    let image_uuid = req.must("imageUuid")?;
    let dc = req.must("dataCenterUuid")?;
    let image = app.store.inv_get(&tables::IMAGE, &image_uuid).await?.ok_or_else(|| ApiError::not_found("ImageVO", &image_uuid))?;
    if str_of(&image, "mediaType") != Some("RootVolumeTemplate") {
        return Err(ApiError::invalid_argument(format!(
            "Image[uuid:{image_uuid}] is a {}; only root volume templates can become ECS images",
            field(&image, "mediaType")
        )));
    }
    let format = import_format(&field(&image, "format"))?;
    let source = source_of(&app, &image, req.str("backupStorageUuid")).await?;
    let remote = for_data_center(&app, &dc).await?;
    let bucket = field(&current_bucket(&app, &dc).await?, "bucketName");
    let uuid = req.resource_uuid()?;
    let key = format!("zstack/images/{uuid}.{}", format.to_ascii_lowercase());
    let total = match &source {
        Source::File(path) => std::fs::metadata(path).map_err(|e| ApiError::operation(format!("cannot read the image file {path}: {e}")))?.len(),
        Source::Zeros(n) => *n,
    };
    app.hybrid.uploads.lock().insert(uuid.clone(), UploadProgress { sent: 0, total, phase: "Uploading".into() });
    let lookup = json!({"bucket": bucket, "key": key});
    let inv = noted(&app, IMAGE, &uuid, &dc, lookup, async {
        match make(&app, &remote.client, &remote.region, &bucket, &key, &uuid, &name, &req, &image, format, source).await {
            Ok(ecs_image_id) => {
                let (os_type, platform) = os_of(&field(&image, "platform"));
                let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "ecsImageId": ecs_image_id, "localImageUuid": image_uuid, "name": name,
                    "ecsImageSize": disk_size_gb(&image), "platform": platform, "osType": os_type, "architecture": field(&image, "architecture"),
                    "type": "self", "status": "Available", "description": req.str("description")}));
                let recorded = crate::resources::infra::create_under(&app, &app.dirs().hybrid.data_center, &dc, &tables::ECS_IMAGE, inv.clone()).await;
                if let Err(e) = recorded {
                    undo(&remote.client, &remote.region, &bucket, &key, Some(&ecs_image_id)).await;
                    set_phase(&app, &uuid, "Failed");
                    return Err(e);
                }
                // Alibaba Cloud copied the disk; the uploaded file is no longer needed.
                let _ = remote.client.oss(&remote.region).delete_object(&bucket, &key).await;
                set_phase(&app, &uuid, "Available");
                Ok(inv)
            }
            Err((e, ecs_image_id)) => {
                undo(&remote.client, &remote.region, &bucket, &key, ecs_image_id.as_deref()).await;
                set_phase(&app, &uuid, "Failed");
                Err(e)
            }
        }
    })
    .await?;
    inv_reply(inv)
}

/// Upload, import, wait. On failure, the error and the remote image id if one was made.
#[allow(clippy::too_many_arguments)]
async fn make(
    app: &App,
    client: &AliyunClient,
    region: &str,
    bucket: &str,
    key: &str,
    uuid: &str,
    name: &str,
    req: &Req,
    image: &Inventory,
    format: &'static str,
    source: Source,
) -> Result<String, (ApiError, Option<String>)> {
    let oss = client.oss(region);
    let counted = |inner| Counting { inner, app: app.clone(), uuid: uuid.to_string() };
    let uploaded = match source {
        Source::File(path) => {
            let file = std::fs::File::open(&path).map_err(|e| (ApiError::operation(format!("cannot read the image file {path}: {e}")), None))?;
            oss.upload_from_reader(bucket, key, counted(Box::new(LocalFile(file)) as Box<dyn AsyncRead + Unpin + Send>), PART_SIZE, None).await
        }
        Source::Zeros(n) => {
            let zeros = tokio::io::repeat(0).take(n);
            oss.upload_from_reader(bucket, key, counted(Box::new(zeros) as Box<dyn AsyncRead + Unpin + Send>), PART_SIZE, None).await
        }
    };
    uploaded.map_err(|e| (aliyun_error(e), None))?;
    set_phase(app, uuid, "Importing");
    let (os_type, platform) = os_of(&field(image, "platform"));
    let request = ImportImageRequest {
        image_name: Some(name.to_string()),
        description: req.string("description"),
        os_type: Some(os_type.into()),
        platform: Some(platform.into()),
        architecture: Some(str_of(image, "architecture").unwrap_or("x86_64").to_string()),
        disks: vec![ImportImageDisk { oss_bucket: bucket.into(), oss_object: key.into(), format: format.into(), disk_image_size_gb: disk_size_gb(image) as u32 }],
        tags: uuid_tags(uuid),
        // Derived from the job's resource uuid: a retry never imports twice.
        client_token: Some(client_token(uuid)),
    };
    let imported = client.import_image(region, &request).await.map_err(|e| (aliyun_error(e), None))?;
    let id = imported.image_id;
    wait_available(app, client, region, uuid, &id).await.map_err(|e| (e, Some(id.clone())))?;
    Ok(id)
}

/// Polls the imported image until Available; CreateFailed/UnAvailable or the transition
/// timeout fail the job.
async fn wait_available(app: &App, client: &AliyunClient, region: &str, uuid: &str, id: &str) -> ApiResult<()> {
    let filter = DescribeImagesRequest { image_ids: vec![id.to_string()], status: Some(ALL_STATUSES.into()), ..Default::default() };
    let status = || async {
        let found = client.describe_images(region, &filter).await.map_err(aliyun_error)?;
        let status = found.images.first().map(|i| i.status.clone()).unwrap_or_default();
        set_phase(app, uuid, &format!("Importing:{status}"));
        if status.is_empty() {
            return Err(ApiError::operation(format!("the imported image {id} disappeared from Alibaba Cloud")));
        }
        Ok(status)
    };
    let end = wait_for_status(app, &format!("the imported image {id}"), &["Available", "CreateFailed", "UnAvailable"], status).await?;
    if end != "Available" {
        return Err(ApiError::operation(format!("Alibaba Cloud could not import the image {id}: its status is {end}")));
    }
    Ok(())
}

/// Best effort: whatever the failed attempt left on Alibaba Cloud goes.
async fn undo(client: &AliyunClient, region: &str, bucket: &str, key: &str, ecs_image_id: Option<&str>) {
    if let Some(id) = ecs_image_id {
        undo_logged("the imported image", client.delete_image(region, id, true).await).await;
    }
    undo_logged("the uploaded image file", client.oss(region).delete_object(bucket, key).await).await;
}

/// `GetCreateEcsImageProgress`: `{"progress": "<percent>%", "phase": ...}` for an upload
/// this node runs or ran; an ECS image already recorded is 100%.
pub async fn image_progress(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("imageUuid")?;
    let dc = req.must("dataCenterUuid")?;
    let progress = app.hybrid.uploads.lock().get(&uuid).cloned();
    let (percent, phase) = match progress {
        Some(p) => {
            let uploaded = if p.total == 0 { 100 } else { p.sent * 100 / p.total };
            // The upload is 90% of the work; the import the last 10%.
            let percent = match p.phase.as_str() {
                "Available" => 100,
                "Uploading" | "Failed" => uploaded * 9 / 10,
                _ => 90,
            };
            (percent, p.phase)
        }
        None => match app.store.inv_get(&tables::ECS_IMAGE, &uuid).await? {
            Some(img) if str_of(&img, "dataCenterUuid") == Some(dc.as_str()) => (100, field(&img, "status")),
            _ => return Err(ApiError::not_found("EcsImageVO", &uuid)),
        },
    };
    let mut out = Map::new();
    out.insert("progress".into(), json!(format!("{percent}%")));
    out.insert("phase".into(), json!(phase));
    Ok(Reply::Fields(out))
}
