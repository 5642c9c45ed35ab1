//! cloud-init user data as a NoCloud seed: an ISO 9660 image labelled
//! `cidata` holding `user-data` and `meta-data`, attached to the guest as a
//! CD-ROM. Made with genisoimage at start, removed with the domain.

use crate::error::{AgentError, AgentResult, ErrorKind};
use base64::Engine;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a VM's seed ISO lives.
pub fn seed_path(dir: &Path, vm: &str) -> PathBuf {
    dir.join(format!("{vm}.iso"))
}

/// Write the seed ISO for `vm` from base64 user data; returns its path.
pub fn make_seed(dir: &Path, vm: &str, hostname: &str, user_data_b64: &str) -> AgentResult<PathBuf> {
    let user_data = base64::engine::general_purpose::STANDARD
        .decode(user_data_b64.trim())
        .map_err(|e| AgentError::bad_request(format!("VM {vm}: userData is not base64: {e}")))?;
    let work = dir.join(format!("{vm}.d"));
    std::fs::create_dir_all(&work).map_err(|e| AgentError::io(format!("cannot create {}", work.display()), &e))?;
    let write = |name: &str, data: &[u8]| std::fs::write(work.join(name), data).map_err(|e| AgentError::io(format!("cannot write {name} for VM {vm}"), &e));
    write("user-data", &user_data)?;
    write("meta-data", format!("instance-id: {vm}\nlocal-hostname: {hostname}\n").as_bytes())?;
    let iso = seed_path(dir, vm);
    let out = Command::new("genisoimage")
        .args(["-quiet", "-output"])
        .arg(&iso)
        .args(["-volid", "cidata", "-joliet", "-rock"])
        .arg(work.join("user-data"))
        .arg(work.join("meta-data"))
        .output();
    let _ = std::fs::remove_dir_all(&work);
    match out {
        Ok(o) if o.status.success() => Ok(iso),
        Ok(o) => {
            let _ = std::fs::remove_file(&iso);
            Err(AgentError::new(ErrorKind::Command, format!("VM {vm}: genisoimage failed making the NoCloud seed: {}", String::from_utf8_lossy(&o.stderr).trim())))
        }
        Err(e) => Err(AgentError::new(ErrorKind::Command, format!("VM {vm}: cannot run genisoimage (install genisoimage) to make the NoCloud seed: {e}"))),
    }
}

pub fn remove_seed(dir: &Path, vm: &str) {
    let _ = std::fs::remove_file(seed_path(dir, vm));
}
