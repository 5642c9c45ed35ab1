//! zstack-agent: the KVM host agent of zstack-rs. It speaks ZStack's KVM agent
//! protocol over HTTP (paths and wire types in `zstack-agent-proto`) and
//! drives libvirt (through the `virt` crate), qemu-img and `ip` on the host.
//! This is the only crate of the workspace that links libvirt.

pub mod auth;
pub mod config;
pub mod domain_xml;
pub mod error;
pub mod host;
pub mod libvirt;
pub mod network;
pub mod nocloud;
pub mod qemu_img;
pub mod server;
pub mod storage;
pub mod vm;

pub use config::AgentConfig;
pub use error::{AgentError, AgentResult, ErrorKind};
pub use server::{start, AgentState, RunningAgent};
