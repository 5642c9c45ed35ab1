//! Agent settings from command-line flags, each with an environment-variable
//! equivalent (flags win).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// `--listen` / `ZSTACK_AGENT_LISTEN`: the only address the agent binds.
    pub listen: String,
    /// `--libvirt-uri` / `ZSTACK_AGENT_LIBVIRT_URI`.
    pub libvirt_uri: String,
    /// `--data-dir` / `ZSTACK_AGENT_DATA_DIR`: console logs and the token.
    pub data_dir: PathBuf,
    /// `--token-file` / `ZSTACK_AGENT_TOKEN_FILE` (default DATA_DIR/agent-token).
    pub token_file: PathBuf,
    /// `--libvirt-workers` / `ZSTACK_AGENT_LIBVIRT_WORKERS`: threads making
    /// blocking libvirt calls, each with its own connection.
    pub libvirt_workers: usize,
    /// `--http-workers` / `ZSTACK_AGENT_HTTP_WORKERS`.
    pub http_workers: usize,
    /// `--migrate-uri` / `ZSTACK_AGENT_MIGRATE_URI`: destination libvirt URI,
    /// `{ip}` replaced by the destination host's management IP.
    pub migrate_uri_template: String,
}

pub const USAGE: &str = "usage: zstack-agent [--listen ADDR:PORT] [--libvirt-uri URI] [--data-dir DIR] [--token-file FILE]
                    [--libvirt-workers N] [--http-workers N] [--migrate-uri TEMPLATE]
  --listen          address to bind (default 127.0.0.1:7070; env ZSTACK_AGENT_LISTEN)
  --libvirt-uri     libvirt connection (default qemu:///system; test:///default for a fake; env ZSTACK_AGENT_LIBVIRT_URI)
  --data-dir        state directory (default /var/lib/zstack-agent; env ZSTACK_AGENT_DATA_DIR)
  --token-file      shared-secret file; if absent, the first /host/connect's X-Zstack-Agent-Token is saved there
                    (default DATA_DIR/agent-token; env ZSTACK_AGENT_TOKEN_FILE)
  --libvirt-workers blocking libvirt threads (default 16; env ZSTACK_AGENT_LIBVIRT_WORKERS)
  --http-workers    HTTP worker threads (default: number of CPUs; env ZSTACK_AGENT_HTTP_WORKERS)
  --migrate-uri     live-migration destination URI (default qemu+tcp://{ip}/system; env ZSTACK_AGENT_MIGRATE_URI)";

impl AgentConfig {
    /// Defaults, overridden by the environment.
    pub fn from_env() -> AgentConfig {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let data_dir = PathBuf::from(
            env("ZSTACK_AGENT_DATA_DIR").unwrap_or_else(|| "/var/lib/zstack-agent".into()),
        );
        AgentConfig {
            listen: env("ZSTACK_AGENT_LISTEN").unwrap_or_else(|| "127.0.0.1:7070".into()),
            libvirt_uri: env("ZSTACK_AGENT_LIBVIRT_URI").unwrap_or_else(|| "qemu:///system".into()),
            token_file: env("ZSTACK_AGENT_TOKEN_FILE")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("agent-token")),
            data_dir,
            libvirt_workers: env("ZSTACK_AGENT_LIBVIRT_WORKERS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(16),
            http_workers: env("ZSTACK_AGENT_HTTP_WORKERS")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| {
                    std::thread::available_parallelism()
                        .map(|n| n.get())
                        .unwrap_or(2)
                }),
            migrate_uri_template: env("ZSTACK_AGENT_MIGRATE_URI")
                .unwrap_or_else(|| "qemu+tcp://{ip}/system".into()),
        }
    }

    /// Environment defaults, then flags.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<AgentConfig, String> {
        let mut cfg = AgentConfig::from_env();
        let mut token_file_given = std::env::var("ZSTACK_AGENT_TOKEN_FILE")
            .map(|v| !v.is_empty())
            .unwrap_or(false);
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                return Err(USAGE.to_string());
            }
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (flag.clone(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next())
                    .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
            };
            match name.as_str() {
                "--listen" => cfg.listen = value()?,
                "--libvirt-uri" => cfg.libvirt_uri = value()?,
                "--data-dir" => cfg.data_dir = PathBuf::from(value()?),
                "--token-file" => {
                    cfg.token_file = PathBuf::from(value()?);
                    token_file_given = true;
                }
                "--libvirt-workers" => {
                    cfg.libvirt_workers = value()?
                        .parse()
                        .map_err(|_| "--libvirt-workers needs a number".to_string())?
                }
                "--http-workers" => {
                    cfg.http_workers = value()?
                        .parse()
                        .map_err(|_| "--http-workers needs a number".to_string())?
                }
                "--migrate-uri" => cfg.migrate_uri_template = value()?,
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        if !token_file_given {
            cfg.token_file = cfg.data_dir.join("agent-token");
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_defaults() {
        let c = AgentConfig::from_args(
            [
                "--listen",
                "0.0.0.0:7171",
                "--libvirt-uri=test:///default",
                "--data-dir",
                "/tmp/za",
            ]
            .map(String::from),
        )
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:7171");
        assert_eq!(c.libvirt_uri, "test:///default");
        assert_eq!(c.token_file, PathBuf::from("/tmp/za/agent-token"));
        assert!(AgentConfig::from_args(["--bogus".to_string()]).is_err());
        assert!(AgentConfig::from_args(["--listen".to_string()]).is_err());
    }
}
