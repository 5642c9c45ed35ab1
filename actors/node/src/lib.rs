//! The zstack-rs management node as a library, so tests and benchmarks can
//! run it in-process; `main.rs` is the `zstack` command.

/// mimalloc for the node, its tests and benchmarks: the node allocates many
/// short-lived JSON maps and strings, and glibc's malloc/free took about a
/// quarter of its time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod api;
pub mod app;
pub mod config;
pub mod hybrid;
pub mod hypervisor;
pub mod identity;
pub mod kvm;
pub mod recovery;
pub mod resources;
pub mod server;
pub mod simulator;
pub mod store;
pub mod tables;
