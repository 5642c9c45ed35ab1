//! The image store backup storage: image files in a directory of the
//! management node's machine, fetched from `http://` or `file://` URLs when an
//! image is added (checksum verified, format and size read from the file),
//! and served over HTTP to host agents, which copy them into their
//! primary-storage cache.

use crate::api::{Reply, Req};
use crate::app::App;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use crate::tables;
use actix_web::{web, HttpResponse};
use md5::Md5;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zstack_kit::{ApiError, ApiResult};

pub const TYPE: &str = "ImageStoreBackupStorage";

/// Total and free bytes of the filesystem holding `path`.
pub fn fs_capacity(path: &Path) -> ApiResult<(i64, i64)> {
    let c = std::ffi::CString::new(path.to_string_lossy().as_bytes()).map_err(|_| ApiError::invalid_argument("a path must not contain NUL"))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(ApiError::operation(format!("cannot read the capacity of {}: {}", path.display(), std::io::Error::last_os_error())));
    }
    let block = st.f_frsize as i64;
    Ok((st.f_blocks as i64 * block, st.f_bavail as i64 * block))
}

pub async fn bs_add(app: App, req: Req) -> ApiResult<Reply> {
    let url = req.must("url")?;
    let dir = PathBuf::from(&url);
    if !dir.is_absolute() {
        return Err(ApiError::invalid_argument(format!("url[{url}] must be an absolute directory path on the image store host")));
    }
    std::fs::create_dir_all(&dir).map_err(|e| ApiError::operation(format!("cannot create the image store directory {url}: {e}")))?;
    let (total, avail) = fs_capacity(&dir)?;
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "url": url, "description": req.str("description"),
        "hostname": req.must("hostname")?, "username": req.str("username").unwrap_or("root"), "sshPort": req.int("sshPort").unwrap_or(22),
        "totalCapacity": total, "availableCapacity": avail, "type": TYPE, "state": "Enabled", "status": "Connected"}));
    app.store.inv_insert(&tables::BACKUP_STORAGE, &inv).await?;
    Ok(Reply::Inventory(Value::Object(crate::resources::infra::full_inventory(&app, &tables::BACKUP_STORAGE, &uuid).await?)))
}

pub async fn bs_query(app: App, mut req: Req) -> ApiResult<Reply> {
    req.query.conditions.push(crate::store::eq("type", TYPE));
    crate::resources::infra::query(app, req, &tables::BACKUP_STORAGE).await
}

/// Reconnect: the directory must be there and its capacity is read again.
pub async fn bs_reconnect(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let bs = crate::resources::read(&app.dirs().backup_storage, &uuid).await?;
    if str_of(&bs, "type") != Some(TYPE) {
        return Err(ApiError::invalid_argument(format!("backup storage[uuid:{uuid}] is not an image store")));
    }
    let dir = PathBuf::from(str_of(&bs, "url").unwrap_or_default());
    let checked = std::fs::create_dir_all(&dir).map_err(|e| ApiError::operation(format!("image store directory {}: {e}", dir.display()))).and_then(|_| fs_capacity(&dir));
    let seen = checked.as_ref().ok().copied();
    let inv = crate::resources::mutate(&app, &app.dirs().backup_storage, &uuid, move |s| {
        match seen {
            Some((total, avail)) => {
                s.set("totalCapacity", json!(total));
                s.set("availableCapacity", json!(avail));
                s.set("status", json!("Connected"));
            }
            None => s.set("status", json!("Disconnected")),
        }
        Ok(s.inv.clone())
    })
    .await?;
    checked?;
    Ok(Reply::Inventory(Value::Object(inv)))
}

/// What an image file turned out to be.
#[derive(Debug, Clone)]
pub struct StoredImage {
    pub path: String,
    pub format: &'static str,
    pub size: i64,
    pub actual_size: i64,
    pub md5: String,
}

/// Checksums the client asked to verify: `checksum::md5::HEX` or `checksum::sha256::HEX` system tags.
pub fn wanted_checksums(tags: &[String]) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for t in tags.iter().filter_map(|t| t.strip_prefix("checksum::")) {
        let (alg, hex) = t.split_once("::").unwrap_or((t, ""));
        let len = match alg {
            "md5" => 32,
            "sha256" => 64,
            other => return Err(ApiError::invalid_argument(format!("checksum algorithm[{other}] is not supported; use md5 or sha256"))),
        };
        if hex.len() != len || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ApiError::invalid_argument(format!("checksum::{alg}::{hex} is not a {len}-digit hex {alg} sum")));
        }
        out.push((alg.to_string(), hex.to_ascii_lowercase()));
    }
    Ok(out)
}

/// Fetch `url` into the store as the image's file; nothing is left on failure.
pub async fn image_fetch(bs: &Inventory, image: &str, url: &str, checksums: Vec<(String, String)>) -> ApiResult<StoredImage> {
    let dir = PathBuf::from(str_of(bs, "url").unwrap_or_default());
    let part = dir.join(format!("{image}.part"));
    let result = fetch_to(url, &part, checksums).await;
    let (format, size, actual, md5) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    let path = dir.join(format!("{image}.{format}"));
    std::fs::rename(&part, &path).map_err(|e| ApiError::operation(format!("cannot store the image at {}: {e}", path.display())))?;
    Ok(StoredImage { path: path.to_string_lossy().into_owned(), format, size, actual_size: actual, md5 })
}

async fn fetch_to(url: &str, dest: &Path, checksums: Vec<(String, String)>) -> ApiResult<(&'static str, i64, i64, String)> {
    let mut file = std::fs::File::create(dest).map_err(|e| ApiError::operation(format!("cannot write {}: {e}", dest.display())))?;
    let (mut md5, mut sha) = (Md5::new(), Sha256::new());
    let mut head: Vec<u8> = Vec::new();
    let mut put = |chunk: &[u8], file: &mut std::fs::File| -> ApiResult<()> {
        md5.update(chunk);
        sha.update(chunk);
        if head.len() < 40_000 {
            head.extend_from_slice(&chunk[..chunk.len().min(40_000 - head.len())]);
        }
        file.write_all(chunk).map_err(|e| ApiError::operation(format!("cannot write {}: {e}", dest.display())))
    };
    if let Some(path) = url.strip_prefix("file://") {
        let mut src = std::fs::File::open(path).map_err(|e| ApiError::invalid_argument(format!("cannot read the image at url[{url}]: {e}")))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = src.read(&mut buf).map_err(|e| ApiError::operation(format!("reading {url}: {e}")))?;
            if n == 0 {
                break;
            }
            put(&buf[..n], &mut file)?;
        }
    } else if url.starts_with("http://") || url.starts_with("https://") {
        let mut r = reqwest::get(url).await.map_err(|e| ApiError::operation(format!("cannot download the image from url[{url}]: {e}")))?;
        if !r.status().is_success() {
            return Err(ApiError::operation(format!("cannot download the image from url[{url}]: HTTP {}", r.status())));
        }
        while let Some(chunk) = r.chunk().await.map_err(|e| ApiError::operation(format!("downloading {url}: {e}")))? {
            put(&chunk, &mut file)?;
        }
    } else {
        return Err(ApiError::invalid_argument(format!("url[{url}] must start with http://, https:// or file://")));
    }
    file.sync_all().map_err(|e| ApiError::operation(format!("cannot flush {}: {e}", dest.display())))?;
    let md5 = hex::encode(md5.finalize());
    let sha = hex::encode(sha.finalize());
    for (alg, want) in checksums {
        let got = if alg == "md5" { &md5 } else { &sha };
        if *got != want {
            return Err(ApiError::operation(format!("the image at url[{url}] has {alg} {got}, not the {want} the request gave")));
        }
    }
    let actual = std::fs::metadata(dest).map(|m| m.len() as i64).unwrap_or(0);
    let (format, size) = detect(&head, actual);
    Ok((format, size, actual, md5))
}

/// qcow2 by its magic (virtual size from the header), ISO 9660 by its volume
/// descriptor, anything else raw.
pub fn detect(head: &[u8], file_size: i64) -> (&'static str, i64) {
    if head.len() >= 32 && head[..4] == *b"QFI\xfb" {
        let mut size = [0u8; 8];
        size.copy_from_slice(&head[24..32]);
        return ("qcow2", i64::from_be_bytes(size));
    }
    if head.len() >= 32774 && &head[32769..32774] == b"CD001" {
        return ("iso", file_size);
    }
    ("raw", file_size)
}

/// The URL host agents download an image file from.
pub fn download_url(app: &App, bs: &str, install_path: &str) -> String {
    let file = Path::new(install_path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    format!("http://{}/zstack/imagestore/{}/{bs}/{file}", app.advertised_address(), app.image_store_key())
}

/// `GET /zstack/imagestore/{key}/{bs}/{file}`: the file, for agents holding
/// the node's key. Streamed in 1 MiB chunks read off the async executor, so
/// an image of any size costs the node one chunk of memory per download.
pub async fn serve(app: web::Data<App>, path: web::Path<(String, String, String)>) -> HttpResponse {
    let (key, bs, file) = path.into_inner();
    if key != app.image_store_key() || file.contains('/') || file.contains("..") {
        return HttpResponse::NotFound().finish();
    }
    let Ok(Some(b)) = app.store.inv_get(&tables::BACKUP_STORAGE, &bs).await else { return HttpResponse::NotFound().finish() };
    let full = Path::new(str_of(&b, "url").unwrap_or_default()).join(&file);
    let Ok(mut f) = std::fs::File::open(&full) else { return HttpResponse::NotFound().finish() };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || loop {
        let mut buf = vec![0u8; 1 << 20];
        let chunk = match f.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                Ok(bytes::Bytes::from(buf))
            }
            Err(e) => Err(e),
        };
        let failed = chunk.is_err();
        if tx.blocking_send(chunk).is_err() || failed {
            return;
        }
    });
    let body = actix_web::body::SizedStream::new(size, futures::stream::poll_fn(move |cx| rx.poll_recv(cx)));
    HttpResponse::Ok().content_type("application/octet-stream").body(body)
}

pub fn delete_file(path: &str) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            log::warn!("cannot remove image file {path}: {e}");
        }
    }
}
