//! Local primary storage commands (`LocalStorageKvmBackend`): a directory on
//! the host holding volume files and an image cache.

use crate::{agent_reply, AgentResponse};
use serde::{Deserialize, Serialize};

/// Every local-storage response: ZStack's `LocalStorageKvmBackend.AgentResponse`
/// carries the filesystem capacity in each reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalStorageResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    /// Bytes of the filesystem holding the storage path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capacity: Option<u64>,
    /// Bytes available to unprivileged users on that filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_capacity: Option<u64>,
}

/// `/localstorage/init`: create the directory if needed, report capacity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalStorageInitCmd {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_uuid: Option<String>,
}

/// `/localstorage/getphysicalcapacity`. ZStack sends only `hostUuid`; the
/// agent reports the storage path given at init (or `path` when present).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetPhysicalCapacityCmd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `/localstorage/volume/createempty`: `qemu-img create -f qcow2` (with
/// `backingFile` as backing file when given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateEmptyVolumeCmd {
    pub install_url: String,
    /// Bytes.
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backing_file: Option<String>,
}

/// `/localstorage/volume/createvolumefromcache`: a qcow2 overlay on the cached
/// image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateVolumeFromCacheCmd {
    pub template_path_in_cache: String,
    pub install_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_uuid: Option<String>,
}

/// `/localstorage/delete`: remove a file (idempotent: a missing file is fine).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteBitsCmd {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_uuid: Option<String>,
}

/// `/localstorage/imagecache/download` (zstack-rs): fetch an image from an
/// `http://` or `file://` URL into the cache once, verifying checksums and
/// format. A file already at `installPath` whose checksum matches is kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DownloadImageToCacheCmd {
    pub url: String,
    pub install_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uuid: Option<String>,
    /// Hex; verified when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5sum: Option<String>,
    /// Hex; verified when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256sum: Option<String>,
    /// "qcow2", "raw", "iso"; the detected format must match when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DownloadImageToCacheResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capacity: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_capacity: Option<u64>,
    /// Virtual size in bytes (`qemu-img info`).
    pub size: u64,
    /// Bytes on disk.
    pub actual_size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5sum: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256sum: Option<String>,
    /// True when the file was already cached and nothing was downloaded.
    pub already_cached: bool,
}

/// `/localstorage/snapshot/revert`: a new empty overlay on the snapshot's
/// file, where the volume continues (its VM is stopped).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RevertVolumeFromSnapshotCmd {
    pub snapshot_install_path: String,
    /// zstack-rs: where the new overlay goes (ZStack's agent picks a name
    /// beside the snapshot; the node here chooses it, so a failed call
    /// leaves a path it knows to clean).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_volume_install_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_uuid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RevertVolumeFromSnapshotResponse {
    #[serde(flatten)]
    pub base: AgentResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_volume_install_path: Option<String>,
    /// Virtual size in bytes.
    pub size: u64,
}

agent_reply!(LocalStorageResponse, DownloadImageToCacheResponse, RevertVolumeFromSnapshotResponse);
