//! Local primary storage (`/localstorage/*`): a directory of qcow2 volume
//! files plus an image cache, capacity from statvfs of the real filesystem,
//! volumes made by qemu-img, images fetched once into the cache with checksum
//! and format checks. Every step that fails removes what that call created.

use crate::domain_xml::volume_path;
use crate::error::{AgentError, AgentResult, ErrorKind};
use crate::qemu_img;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zstack_agent_proto::*;

pub struct LocalStorage {
    /// The path given to the last `/localstorage/init`, for
    /// `getphysicalcapacity` (which ZStack sends without a path).
    root: Mutex<Option<PathBuf>>,
    /// One download at a time per cache file.
    download_locks: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    /// Digests of cache files as downloaded (size, md5, sha256): a cache hit
    /// (every VM created from the image) need not read the whole file again.
    cached_digests: Mutex<HashMap<PathBuf, (u64, String, String)>>,
    http: reqwest::Client,
}

/// (total, available) bytes of the filesystem holding `path`.
pub fn filesystem_capacity(path: &Path) -> AgentResult<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        AgentError::bad_request(format!("path {} contains a NUL byte", path.display()))
    })?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated string and `s` a valid out-pointer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        return Err(AgentError::io(
            format!("cannot read the capacity of {}", path.display()),
            &e,
        ));
    }
    let frsize = if s.f_frsize > 0 {
        s.f_frsize as u64
    } else {
        s.f_bsize as u64
    };
    Ok((s.f_blocks as u64 * frsize, s.f_bavail as u64 * frsize))
}

fn capacity_response(path: &Path) -> AgentResult<LocalStorageResponse> {
    let (total, available) = filesystem_capacity(path)?;
    Ok(LocalStorageResponse {
        total_capacity: Some(total),
        available_capacity: Some(available),
        ..Default::default()
    })
}

fn make_parent(path: &Path) -> AgentResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            AgentError::io(format!("cannot create directory {}", dir.display()), &e)
        })?;
    }
    Ok(())
}

/// Hex digests of a whole file.
fn file_digests(path: &Path) -> AgentResult<(String, String)> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| AgentError::io(format!("cannot read {}", path.display()), &e))?;
    let (mut md5, mut sha) = (Md5::new(), Sha256::new());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| AgentError::io(format!("cannot read {}", path.display()), &e))?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        sha.update(&buf[..n]);
    }
    Ok((hex::encode(md5.finalize()), hex::encode(sha.finalize())))
}

fn digests_match(cmd: &DownloadImageToCacheCmd, md5: &str, sha: &str) -> Result<(), String> {
    if let Some(want) = cmd.md5sum.as_deref().filter(|s| !s.is_empty()) {
        if !want.eq_ignore_ascii_case(md5) {
            return Err(format!("md5 mismatch: expected {want}, got {md5}"));
        }
    }
    if let Some(want) = cmd.sha256sum.as_deref().filter(|s| !s.is_empty()) {
        if !want.eq_ignore_ascii_case(sha) {
            return Err(format!("sha256 mismatch: expected {want}, got {sha}"));
        }
    }
    Ok(())
}

/// An ISO is a raw file to qemu-img.
fn format_matches(expected: Option<&str>, detected: &str) -> bool {
    match expected.filter(|e| !e.is_empty()) {
        None => true,
        Some("iso") => detected == "raw",
        Some(e) => e == detected,
    }
}

/// Removes a file on drop unless disarmed: the partial download of a failed
/// call never stays behind.
struct RemoveOnDrop(Option<PathBuf>);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl LocalStorage {
    pub fn new(http: reqwest::Client) -> LocalStorage {
        LocalStorage {
            root: Mutex::new(None),
            download_locks: Mutex::new(HashMap::new()),
            cached_digests: Mutex::new(HashMap::new()),
            http,
        }
    }

    /// `/localstorage/init` (blocking).
    pub fn init(&self, cmd: &LocalStorageInitCmd) -> AgentResult<LocalStorageResponse> {
        let path = PathBuf::from(volume_path("local storage path", &cmd.path)?);
        std::fs::create_dir_all(&path).map_err(|e| {
            AgentError::io(
                format!("cannot create local storage directory {}", path.display()),
                &e,
            )
        })?;
        let rsp = capacity_response(&path)?;
        *self.root.lock().expect("storage root") = Some(path);
        Ok(rsp)
    }

    /// `/localstorage/getphysicalcapacity` (blocking).
    pub fn physical_capacity(
        &self,
        cmd: &GetPhysicalCapacityCmd,
    ) -> AgentResult<LocalStorageResponse> {
        let path = match cmd.path.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => PathBuf::from(volume_path("local storage path", p)?),
            None => self
                .root
                .lock()
                .expect("storage root")
                .clone()
                .ok_or_else(|| AgentError::bad_request("local storage is not initialized on this host: call /localstorage/init first"))?,
        };
        capacity_response(&path)
    }

    fn report_capacity_of(&self, path: &Path) -> LocalStorageResponse {
        let root = self.root.lock().expect("storage root").clone();
        let at = root.unwrap_or_else(|| {
            path.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| path.to_path_buf())
        });
        capacity_response(&at).unwrap_or_default()
    }

    /// `/localstorage/volume/createempty` (blocking).
    pub fn create_empty(&self, cmd: &CreateEmptyVolumeCmd) -> AgentResult<LocalStorageResponse> {
        let path = volume_path("installUrl", &cmd.install_url)?;
        if cmd.size == 0 && cmd.backing_file.is_none() {
            return Err(AgentError::bad_request(format!(
                "cannot create volume {path}: size is 0"
            )));
        }
        if Path::new(&path).exists() {
            return Err(AgentError::bad_request(format!(
                "cannot create volume {path}: the file already exists"
            )));
        }
        make_parent(Path::new(&path))?;
        let made = match cmd.backing_file.as_deref().filter(|b| !b.is_empty()) {
            Some(b) => qemu_img::create_overlay(&path, &volume_path("backingFile", b)?),
            None => qemu_img::create_empty(&path, cmd.size),
        };
        if let Err(e) = made {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(self.report_capacity_of(Path::new(&path)))
    }

    /// `/localstorage/volume/createvolumefromcache` (blocking).
    pub fn create_from_cache(
        &self,
        cmd: &CreateVolumeFromCacheCmd,
    ) -> AgentResult<LocalStorageResponse> {
        let path = volume_path("installUrl", &cmd.install_url)?;
        let cache = volume_path("templatePathInCache", &cmd.template_path_in_cache)?;
        if !Path::new(&cache).is_file() {
            return Err(AgentError::not_found(format!(
                "cannot create volume {path}: cached image {cache} does not exist"
            )));
        }
        if Path::new(&path).exists() {
            return Err(AgentError::bad_request(format!(
                "cannot create volume {path}: the file already exists"
            )));
        }
        make_parent(Path::new(&path))?;
        if let Err(e) = qemu_img::create_overlay(&path, &cache) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(self.report_capacity_of(Path::new(&path)))
    }

    /// `/localstorage/snapshot/revert` (blocking): the volume continues in a
    /// new empty overlay on the snapshot's file.
    pub fn revert_snapshot(
        &self,
        cmd: &RevertVolumeFromSnapshotCmd,
    ) -> AgentResult<RevertVolumeFromSnapshotResponse> {
        let snapshot = volume_path("snapshotInstallPath", &cmd.snapshot_install_path)?;
        if !Path::new(&snapshot).is_file() {
            return Err(AgentError::not_found(format!(
                "cannot revert to snapshot {snapshot}: the file does not exist"
            )));
        }
        let raw = cmd.new_volume_install_path.clone().filter(|p| !p.is_empty()).ok_or_else(|| {
            AgentError::bad_request("newVolumeInstallPath is required: where the reverted volume continues")
        })?;
        let path = volume_path("newVolumeInstallPath", &raw)?;
        if Path::new(&path).exists() {
            return Err(AgentError::bad_request(format!(
                "cannot revert to snapshot {snapshot}: {path} already exists"
            )));
        }
        make_parent(Path::new(&path))?;
        let size = qemu_img::create_overlay(&path, &snapshot).and_then(|_| qemu_img::info(&path));
        match size {
            Ok(info) => Ok(RevertVolumeFromSnapshotResponse {
                new_volume_install_path: Some(path),
                size: info.virtual_size,
                ..Default::default()
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    }

    /// `/localstorage/delete` (blocking): a missing file is success.
    pub fn delete(&self, cmd: &DeleteBitsCmd) -> AgentResult<LocalStorageResponse> {
        let path = PathBuf::from(volume_path("path", &cmd.path)?);
        self.cached_digests.lock().expect("cached digests").remove(&path);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AgentError::io(
                    format!("cannot delete {}", path.display()),
                    &e,
                ))
            }
            Ok(m) if m.is_dir() => {
                // ZStack deletes whole volume/image directories; only inside the
                // initialized storage root, never anywhere else.
                let root = self.root.lock().expect("storage root").clone();
                let inside = root
                    .as_ref()
                    .map(|r| path.starts_with(r) && path != *r)
                    .unwrap_or(false);
                if !inside {
                    return Err(AgentError::bad_request(format!(
                        "refusing to delete directory {}: it is not inside the local storage path",
                        path.display()
                    )));
                }
                std::fs::remove_dir_all(&path)
                    .map_err(|e| AgentError::io(format!("cannot delete {}", path.display()), &e))?;
            }
            Ok(_) => std::fs::remove_file(&path)
                .map_err(|e| AgentError::io(format!("cannot delete {}", path.display()), &e))?,
        }
        Ok(self.report_capacity_of(&path))
    }

    /// `/localstorage/imagecache/download`: once per cache file; a cached file
    /// whose checksum matches is kept; the download goes to a temp file that
    /// is renamed into place only after checksum and format pass.
    pub async fn download_to_cache(
        &self,
        cmd: DownloadImageToCacheCmd,
    ) -> AgentResult<DownloadImageToCacheResponse> {
        let dest = PathBuf::from(volume_path("installPath", &cmd.install_path)?);
        let is_file_url = cmd.url.starts_with("file://");
        if !(is_file_url || cmd.url.starts_with("http://") || cmd.url.starts_with("https://")) {
            return Err(AgentError::bad_request(format!(
                "unsupported image URL '{}': use http://, https:// or file://",
                cmd.url
            )));
        }
        let lock = {
            let mut locks = self.download_locks.lock().expect("download locks");
            locks.entry(dest.clone()).or_default().clone()
        };
        let _one_at_a_time = lock.lock().await;

        if dest.is_file() {
            let (d, c) = (dest.clone(), cmd.clone());
            let size = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
            let known = self.cached_digests.lock().expect("cached digests").get(&dest).filter(|k| k.0 == size).map(|k| (k.1.clone(), k.2.clone()));
            let cached = actix_web::web::block(
                move || -> AgentResult<Option<DownloadImageToCacheResponse>> {
                    let (md5, sha) = match known {
                        Some(k) => k,
                        None => file_digests(&d)?,
                    };
                    if digests_match(&c, &md5, &sha).is_err() {
                        return Ok(None);
                    }
                    let info = qemu_img::info(&d.to_string_lossy())?;
                    Ok(Some(DownloadImageToCacheResponse {
                        size: info.virtual_size,
                        actual_size: std::fs::metadata(&d)
                            .map(|m| m.len())
                            .unwrap_or(info.actual_size),
                        format: Some(info.format),
                        md5sum: Some(md5),
                        sha256sum: Some(sha),
                        already_cached: true,
                        ..Default::default()
                    }))
                },
            )
            .await
            .map_err(|e| AgentError::internal(format!("blocking pool: {e}")))??;
            if let Some(mut rsp) = cached {
                self.remember_digests(&dest, &rsp);
                self.fill_capacity(&dest, &mut rsp);
                return Ok(rsp);
            }
            log::info!(
                "cached image {} does not match the requested checksum; downloading again",
                dest.display()
            );
        }

        make_parent(&dest)?;
        let tmp = dest.with_file_name(format!(
            ".{}.download-{}",
            dest.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            uuid::Uuid::new_v4().simple()
        ));
        let mut guard = RemoveOnDrop(Some(tmp.clone()));
        let (md5, sha) = if let Some(src) = cmd.url.strip_prefix("file://").filter(|_| is_file_url)
        {
            let (src, t) = (PathBuf::from(src), tmp.clone());
            actix_web::web::block(move || copy_hashing(&src, &t))
                .await
                .map_err(|e| AgentError::internal(format!("blocking pool: {e}")))??
        } else {
            let timeout = Duration::from_secs(cmd.timeout.unwrap_or(3600).max(1));
            tokio::time::timeout(timeout, self.http_download(&cmd.url, &tmp))
                .await
                .map_err(|_| {
                    AgentError::new(
                        ErrorKind::Io,
                        format!(
                            "downloading {} timed out after {} s",
                            cmd.url,
                            timeout.as_secs()
                        ),
                    )
                })??
        };
        if let Err(why) = digests_match(&cmd, &md5, &sha) {
            return Err(AgentError::verification(format!(
                "image downloaded from {} is corrupt: {why}",
                cmd.url
            )));
        }
        let t = tmp.clone();
        let info = actix_web::web::block(move || qemu_img::info(&t.to_string_lossy()))
            .await
            .map_err(|e| AgentError::internal(format!("blocking pool: {e}")))??;
        if !format_matches(cmd.format.as_deref(), &info.format) {
            return Err(AgentError::verification(format!(
                "image downloaded from {} is in format '{}', not the expected '{}'",
                cmd.url,
                info.format,
                cmd.format.as_deref().unwrap_or_default()
            )));
        }
        let actual_size = std::fs::metadata(&tmp)
            .map(|m| m.len())
            .unwrap_or(info.actual_size);
        std::fs::rename(&tmp, &dest).map_err(|e| {
            AgentError::io(
                format!("cannot move the downloaded image to {}", dest.display()),
                &e,
            )
        })?;
        guard.0 = None; // in place now: keep it
        let mut rsp = DownloadImageToCacheResponse {
            size: info.virtual_size,
            actual_size,
            format: Some(info.format),
            md5sum: Some(md5),
            sha256sum: Some(sha),
            already_cached: false,
            ..Default::default()
        };
        self.remember_digests(&dest, &rsp);
        self.fill_capacity(&dest, &mut rsp);
        Ok(rsp)
    }

    fn remember_digests(&self, dest: &Path, rsp: &DownloadImageToCacheResponse) {
        if let (Some(md5), Some(sha)) = (&rsp.md5sum, &rsp.sha256sum) {
            self.cached_digests.lock().expect("cached digests").insert(dest.to_path_buf(), (rsp.actual_size, md5.clone(), sha.clone()));
        }
    }

    fn fill_capacity(&self, dest: &Path, rsp: &mut DownloadImageToCacheResponse) {
        let c = self.report_capacity_of(dest);
        rsp.total_capacity = c.total_capacity;
        rsp.available_capacity = c.available_capacity;
    }

    async fn http_download(&self, url: &str, tmp: &Path) -> AgentResult<(String, String)> {
        let mut resp =
            self.http.get(url).send().await.map_err(|e| {
                AgentError::new(ErrorKind::Io, format!("cannot download {url}: {e}"))
            })?;
        if !resp.status().is_success() {
            return Err(AgentError::new(
                ErrorKind::Io,
                format!("cannot download {url}: HTTP {}", resp.status()),
            ));
        }
        let mut file = std::fs::File::create(tmp)
            .map_err(|e| AgentError::io(format!("cannot create {}", tmp.display()), &e))?;
        let (mut md5, mut sha) = (Md5::new(), Sha256::new());
        while let Some(chunk) = resp.chunk().await.map_err(|e| {
            AgentError::new(ErrorKind::Io, format!("download of {url} broke off: {e}"))
        })? {
            md5.update(&chunk);
            sha.update(&chunk);
            // Chunks are small (a socket read); a local write of one does not
            // stall the executor noticeably.
            file.write_all(&chunk)
                .map_err(|e| AgentError::io(format!("cannot write {}", tmp.display()), &e))?;
        }
        file.sync_all()
            .map_err(|e| AgentError::io(format!("cannot write {}", tmp.display()), &e))?;
        Ok((hex::encode(md5.finalize()), hex::encode(sha.finalize())))
    }
}

fn copy_hashing(src: &Path, dst: &Path) -> AgentResult<(String, String)> {
    let mut from = std::fs::File::open(src)
        .map_err(|e| AgentError::io(format!("cannot read image {}", src.display()), &e))?;
    let mut to = std::fs::File::create(dst)
        .map_err(|e| AgentError::io(format!("cannot create {}", dst.display()), &e))?;
    let (mut md5, mut sha) = (Md5::new(), Sha256::new());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = from
            .read(&mut buf)
            .map_err(|e| AgentError::io(format!("cannot read image {}", src.display()), &e))?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        sha.update(&buf[..n]);
        to.write_all(&buf[..n])
            .map_err(|e| AgentError::io(format!("cannot write {}", dst.display()), &e))?;
    }
    to.sync_all()
        .map_err(|e| AgentError::io(format!("cannot write {}", dst.display()), &e))?;
    Ok((hex::encode(md5.finalize()), hex::encode(sha.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_of_a_real_filesystem() {
        let (total, avail) = filesystem_capacity(Path::new("/")).unwrap();
        assert!(total > 0 && avail <= total);
        assert!(filesystem_capacity(Path::new("/no/such/dir"))
            .unwrap_err()
            .is_not_found());
    }

    #[test]
    fn checksums_and_formats() {
        let cmd = DownloadImageToCacheCmd {
            md5sum: Some("ABC".into()),
            ..Default::default()
        };
        assert!(digests_match(&cmd, "abc", "x").is_ok());
        assert!(digests_match(&cmd, "abd", "x")
            .unwrap_err()
            .contains("md5 mismatch"));
        assert!(format_matches(Some("iso"), "raw"));
        assert!(!format_matches(Some("qcow2"), "raw"));
        assert!(format_matches(None, "vmdk"));
    }
}
