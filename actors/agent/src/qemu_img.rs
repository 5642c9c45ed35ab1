//! `qemu-img` invocations (blocking; call from a worker thread): create,
//! overlay, info and version. A failure carries qemu-img's own stderr.

use crate::error::{AgentError, AgentResult};
use std::process::Command;

/// What `qemu-img info --output json` says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub format: String,
    pub virtual_size: u64,
    pub actual_size: u64,
    pub backing_file: Option<String>,
}

fn run(context: &str, args: &[&str]) -> AgentResult<String> {
    let out = Command::new("qemu-img")
        .args(args)
        .output()
        .map_err(|e| AgentError::io(format!("{context}: cannot run qemu-img"), &e))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(AgentError::command(format!(
            "{context}: qemu-img failed: {}",
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Parses `qemu-img info --output json`.
pub fn parse_info(json: &str) -> AgentResult<ImageInfo> {
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| AgentError::internal(format!("unparsable qemu-img info output: {e}")))?;
    Ok(ImageInfo {
        format: v["format"].as_str().unwrap_or("").to_string(),
        virtual_size: v["virtual-size"].as_u64().unwrap_or(0),
        actual_size: v["actual-size"].as_u64().unwrap_or(0),
        backing_file: v["backing-filename"].as_str().map(str::to_string),
    })
}

/// `qemu-img info`, with `-U` so an image open by a running VM can be read.
pub fn info(path: &str) -> AgentResult<ImageInfo> {
    let out = run(
        &format!("cannot inspect image {path}"),
        &["info", "-U", "--output", "json", "--", path],
    )?;
    parse_info(&out)
}

/// A new empty qcow2 of `size` bytes.
pub fn create_empty(path: &str, size: u64) -> AgentResult<()> {
    run(
        &format!("cannot create volume {path}"),
        &["create", "-q", "-f", "qcow2", "--", path, &size.to_string()],
    )
    .map(|_| ())
}

/// A qcow2 overlay of `backing` (whose format is detected, as newer qemu-img
/// requires it to be named).
pub fn create_overlay(path: &str, backing: &str) -> AgentResult<()> {
    let backing_format = info(backing)?.format;
    run(
        &format!("cannot create volume {path} on backing file {backing}"),
        &[
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            backing,
            "-F",
            &backing_format,
            "--",
            path,
        ],
    )
    .map(|_| ())
}

/// Safe rebase of `path` onto `backing` (`None`: no backing file at all):
/// every cluster that differs between the old and the new chain is copied
/// into `path` first, so what the guest reads does not change.
pub fn rebase(path: &str, backing: Option<&str>) -> AgentResult<()> {
    let context = format!("cannot rebase {path} onto {}", backing.unwrap_or("nothing"));
    match backing {
        Some(b) => {
            let backing_format = info(b)?.format;
            run(&context, &["rebase", "-q", "-f", "qcow2", "-b", b, "-F", &backing_format, "--", path])
        }
        None => run(&context, &["rebase", "-q", "-f", "qcow2", "-b", "", "--", path]),
    }
    .map(|_| ())
}

/// "7.2.0" from `qemu-img --version`.
pub fn version() -> AgentResult<String> {
    let out = run("cannot read the qemu-img version", &["--version"])?;
    Ok(parse_version(&out).unwrap_or_else(|| out.lines().next().unwrap_or("").to_string()))
}

pub fn parse_version(out: &str) -> Option<String> {
    let first = out.lines().next()?;
    let after = first.split("version ").nth(1)?;
    Some(after.split_whitespace().next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_info_and_version() {
        let i = parse_info(r#"{"virtual-size": 1073741824, "filename": "/x", "format": "qcow2", "actual-size": 200704, "backing-filename": "/c.qcow2"}"#).unwrap();
        assert_eq!(i.format, "qcow2");
        assert_eq!(i.virtual_size, 1 << 30);
        assert_eq!(i.actual_size, 200704);
        assert_eq!(i.backing_file.as_deref(), Some("/c.qcow2"));
        assert_eq!(
            parse_version("qemu-img version 7.2.9 (Debian 1:7.2+dfsg-7+deb12u7)\nCopyright")
                .as_deref(),
            Some("7.2.9")
        );
    }
}
