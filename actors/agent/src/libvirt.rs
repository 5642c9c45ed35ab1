//! Blocking libvirt work off the async executor: a `SyncArbiter` of
//! `LibvirtWorker`s, each keeping one libvirt connection open for its life
//! (reopened only when it dies), plus small helpers over the `virt` crate.
//!
//! The `test:///` driver keeps its state in the connection (a `test:///file.xml`
//! connection has private state; libvirt 9 shares `test:///default` among a
//! process's open connections), so for it every worker shares one
//! connection: a VM started through one worker must be visible to the next.

use crate::error::{AgentError, AgentResult};
use actix::prelude::*;
use std::panic::AssertUnwindSafe;
use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;
use zstack_agent_proto::KvmVmState;

/// One connection per worker thread (or one shared by all for `test:///`).
pub struct LibvirtWorker {
    uri: String,
    conn: Option<Connect>,
}

impl LibvirtWorker {
    fn connection(&mut self) -> AgentResult<&Connect> {
        let alive = match &self.conn {
            Some(c) => c.is_alive().unwrap_or(false),
            None => false,
        };
        if !alive {
            // A dead remote connection (libvirtd restarted) is replaced; the
            // test driver's shared connection never dies.
            if let Some(mut old) = self.conn.take() {
                let _ = old.close();
            }
            let c = Connect::open(Some(&self.uri)).map_err(|e| {
                AgentError::libvirt(format!("cannot connect to libvirt at {}", self.uri), &e)
            })?;
            self.conn = Some(c);
        }
        Ok(self.conn.as_ref().expect("connection just set"))
    }
}

impl Actor for LibvirtWorker {
    type Context = SyncContext<Self>;
}

/// Work for a libvirt worker: a closure given the worker's connection.
pub type LibvirtFn<R> = Box<dyn FnOnce(&Connect) -> AgentResult<R> + Send>;

/// A closure run on a worker with its connection.
pub struct LibvirtJob<R: Send + 'static>(pub LibvirtFn<R>);

impl<R: Send + 'static> Message for LibvirtJob<R> {
    type Result = AgentResult<R>;
}

impl<R: Send + 'static> Handler<LibvirtJob<R>> for LibvirtWorker {
    type Result = AgentResult<R>;

    fn handle(&mut self, job: LibvirtJob<R>, _: &mut SyncContext<Self>) -> AgentResult<R> {
        let conn = self.connection()?;
        // A panic (e.g. in the bindings) must become an error reply, not a
        // dead worker thread.
        std::panic::catch_unwind(AssertUnwindSafe(|| (job.0)(conn))).unwrap_or_else(|p| {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(AgentError::internal(format!(
                "agent bug while calling libvirt: {what}"
            )))
        })
    }
}

/// Handle to the worker pool.
#[derive(Clone)]
pub struct Libvirt {
    addr: Addr<LibvirtWorker>,
    pub uri: String,
}

impl Libvirt {
    /// Starts `workers` threads. Must be called inside a running actix System.
    pub fn start(uri: &str, workers: usize) -> Libvirt {
        // libvirt's default handler prints every error to stderr; we report
        // them in responses instead.
        virt::error::clear_error_callback();
        let shared = if uri.starts_with("test:") {
            // One connection for all workers; opened lazily by the first if
            // this fails now, but then each would open its own, so insist.
            Connect::open(Some(uri)).ok()
        } else {
            None
        };
        let uri_owned = uri.to_string();
        let addr = SyncArbiter::start(workers.max(1), move || LibvirtWorker {
            uri: uri_owned.clone(),
            conn: shared.clone(),
        });
        Libvirt {
            addr,
            uri: uri.to_string(),
        }
    }

    /// Runs `f` on a worker thread with a libvirt connection.
    pub async fn run<R, F>(&self, f: F) -> AgentResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connect) -> AgentResult<R> + Send + 'static,
    {
        self.addr
            .send(LibvirtJob(Box::new(f)))
            .await
            .map_err(|e| AgentError::internal(format!("libvirt worker pool unavailable: {e}")))?
    }
}

/// Looks a domain up by name (= ZStack VM uuid); `Ok(None)` when absent.
pub fn find_domain(conn: &Connect, name: &str) -> AgentResult<Option<Domain>> {
    check_name(name)?;
    match Domain::lookup_by_name(conn, name) {
        Ok(d) => Ok(Some(d)),
        Err(e) if crate::error::is_no_domain(&e) => Ok(None),
        Err(e) => Err(AgentError::libvirt(format!("cannot look up VM {name}"), &e)),
    }
}

/// Like [`find_domain`] but absence is an error.
pub fn get_domain(conn: &Connect, name: &str) -> AgentResult<Domain> {
    find_domain(conn, name)?.ok_or_else(|| {
        AgentError::not_found(format!("VM {name} is not on this host (no libvirt domain)"))
    })
}

/// Domain names come from requests and go to C strings: refuse what cannot.
pub fn check_name(name: &str) -> AgentResult<()> {
    if name.is_empty() || name.len() > 128 || name.chars().any(|c| c.is_control() || c == '/') {
        return Err(AgentError::bad_request(format!(
            "invalid VM uuid '{}'",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// libvirt's domain state mapped as ZStack's agent does (`LIBVIRT_STATE_MAP`).
pub fn kvm_state(state: sys::virDomainState) -> KvmVmState {
    match state {
        sys::VIR_DOMAIN_RUNNING | sys::VIR_DOMAIN_BLOCKED => KvmVmState::Running,
        sys::VIR_DOMAIN_PAUSED => KvmVmState::Paused,
        sys::VIR_DOMAIN_SHUTDOWN | sys::VIR_DOMAIN_SHUTOFF => KvmVmState::Shutdown,
        sys::VIR_DOMAIN_CRASHED => KvmVmState::Crashed,
        sys::VIR_DOMAIN_PMSUSPENDED => KvmVmState::Suspended,
        _ => KvmVmState::NoState,
    }
}

pub fn domain_state(dom: &Domain, name: &str) -> AgentResult<sys::virDomainState> {
    dom.get_state()
        .map(|(s, _)| s)
        .map_err(|e| AgentError::libvirt(format!("cannot read the state of VM {name}"), &e))
}

/// "9.0.0" from libvirt's packed version number.
pub fn version_string(v: u32) -> String {
    format!("{}.{}.{}", v / 1_000_000, (v / 1000) % 1000, v % 1000)
}

/// Undefines a domain with every kind of metadata that would block it.
pub fn undefine(dom: &Domain, name: &str) -> AgentResult<()> {
    let flags = sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
        | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        | sys::VIR_DOMAIN_UNDEFINE_NVRAM;
    match dom.undefine_flags(flags) {
        Ok(()) => Ok(()),
        Err(e) if crate::error::is_no_domain(&e) => Ok(()),
        // Drivers that do not know some flag (the test driver) get a plain undefine.
        Err(_) => match dom.undefine() {
            Ok(()) => Ok(()),
            Err(e) if crate::error::is_no_domain(&e) => Ok(()),
            Err(e) => Err(AgentError::libvirt(
                format!("cannot undefine VM {name}"),
                &e,
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_states() {
        assert_eq!(version_string(9_000_000), "9.0.0");
        assert_eq!(version_string(7_002_001), "7.2.1");
        assert_eq!(kvm_state(sys::VIR_DOMAIN_SHUTOFF), KvmVmState::Shutdown);
        assert_eq!(kvm_state(sys::VIR_DOMAIN_BLOCKED), KvmVmState::Running);
    }

    #[test]
    fn names_that_cannot_reach_libvirt_are_refused() {
        assert!(check_name("a\0b").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("0a1b2c3d4e5f60718293a4b5c6d7e8f9").is_ok());
    }
}

/// A block pull on `disk` (target dev) of a running domain: qemu copies the
/// data of the backing chain above `base` (all of it when `None`) into the
/// top image, which then has `base` as its backing file. Waits up to
/// `timeout` for the job to finish; on timeout the job is aborted. The
/// `virt` crate does not wrap virDomainBlockRebase, hence the raw calls.
pub fn block_pull(dom: &Domain, disk: &str, base: Option<&str>, timeout: std::time::Duration) -> AgentResult<()> {
    use std::ffi::CString;
    let c_disk = CString::new(disk).map_err(|_| AgentError::bad_request(format!("disk name {disk:?} has a NUL byte")))?;
    let c_base = match base {
        Some(b) => Some(CString::new(b).map_err(|_| AgentError::bad_request(format!("path {b:?} has a NUL byte")))?),
        None => None,
    };
    let base_ptr = c_base.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    // SAFETY: the domain pointer is valid for `dom`'s life; the strings live until the call returns.
    let rc = unsafe { sys::virDomainBlockRebase(dom.as_ptr(), c_disk.as_ptr(), base_ptr, 0, 0) };
    if rc < 0 {
        return Err(AgentError::libvirt("cannot start a block pull", &virt::error::Error::last_error()));
    }
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let mut info: sys::virDomainBlockJobInfo = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a plain C struct the call fills in.
        let rc = unsafe { sys::virDomainGetBlockJobInfo(dom.as_ptr(), c_disk.as_ptr(), &mut info, 0) };
        match rc {
            0 => return Ok(()),
            r if r < 0 => return Err(AgentError::libvirt("cannot follow the block pull", &virt::error::Error::last_error())),
            _ => {}
        }
        if std::time::Instant::now() >= deadline {
            // SAFETY: as above.
            unsafe { sys::virDomainBlockJobAbort(dom.as_ptr(), c_disk.as_ptr(), 0) };
            return Err(AgentError::new(crate::error::ErrorKind::Libvirt, format!("the block pull did not finish within {}s and was aborted", timeout.as_secs())));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
