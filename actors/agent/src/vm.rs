//! Per-VM work. `VmActor`: one actix actor per VM uuid, created on first use
//! by `VmRegistry`, serializing every operation on that domain (its mailbox
//! is its queue; handlers are `AtomicResponse`, so an operation that waits on
//! libvirt is never interleaved with the next). It stops when the domain is
//! gone or after being idle. The operations themselves are plain blocking
//! functions over a libvirt connection (`run_vm_op`), run on the libvirt pool.

use crate::domain_xml::{
    self, disks_in_xml, find_attr, render_domain_xml, volume_disk_xml, DomainXmlOptions,
};
use crate::error::{AgentError, AgentResult, ErrorKind};
use crate::libvirt::{self, domain_state, find_domain, get_domain, Libvirt};
use crate::qemu_img;
use actix::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use virt::connect::Connect;
use virt::domain::Domain;
use virt::domain_snapshot::DomainSnapshot;
use virt::sys;
use zstack_agent_proto::*;

/// What VM operations need from the host configuration.
#[derive(Debug, Clone)]
pub struct VmSettings {
    pub xml: DomainXmlOptions,
    /// Destination libvirt URI for migration, `{ip}` replaced by the
    /// destination's management IP.
    pub migrate_uri_template: String,
}

/// One operation on one VM.
#[derive(Debug, Clone)]
pub enum VmOp {
    /// Boxed: a StartVmCmd is far larger than every other command.
    Start(Box<StartVmCmd>),
    Stop(StopVmCmd),
    Reboot(RebootVmCmd),
    Destroy(DestroyVmCmd),
    Pause(PauseVmCmd),
    Resume(ResumeVmCmd),
    Migrate(MigrateVmCmd),
    NoCloudSeed(NoCloudSeedCmd),
    AttachVolume(AttachDataVolumeCmd),
    DetachVolume(DetachDataVolumeCmd),
    GetVncPort(GetVncPortCmd),
    TakeSnapshot(TakeSnapshotCmd),
    MergeSnapshot(MergeSnapshotCmd),
}

impl VmOp {
    pub fn vm_uuid(&self) -> &str {
        match self {
            VmOp::Start(c) => &c.vm_instance_uuid,
            VmOp::Stop(c) => &c.uuid,
            VmOp::Reboot(c) => &c.uuid,
            VmOp::Destroy(c) => &c.uuid,
            VmOp::Pause(c) => &c.uuid,
            VmOp::Resume(c) => &c.uuid,
            VmOp::Migrate(c) => &c.vm_uuid,
            VmOp::NoCloudSeed(c) => &c.vm_uuid,
            VmOp::AttachVolume(c) => &c.vm_instance_uuid,
            VmOp::DetachVolume(c) => &c.vm_instance_uuid,
            VmOp::GetVncPort(c) => &c.vm_uuid,
            VmOp::TakeSnapshot(c) => c.vm_uuid.as_deref().unwrap_or(""),
            VmOp::MergeSnapshot(c) => c.vm_uuid.as_deref().unwrap_or(""),
        }
    }
}

impl Message for VmOp {
    type Result = AgentResult<serde_json::Value>;
}

/// An operation's reply and whether the domain still exists afterwards.
pub struct Outcome {
    pub response: serde_json::Value,
    pub domain_gone: bool,
}

fn reply<T: Serialize>(r: T, domain_gone: bool) -> AgentResult<Outcome> {
    let response = serde_json::to_value(r)
        .map_err(|e| AgentError::internal(format!("cannot encode reply: {e}")))?;
    Ok(Outcome {
        response,
        domain_gone,
    })
}

fn ok(domain_gone: bool) -> AgentResult<Outcome> {
    reply(AgentResponse::ok(), domain_gone)
}

/// Runs one operation (blocking).
pub fn run_vm_op(conn: &Connect, settings: &VmSettings, op: VmOp) -> AgentResult<Outcome> {
    match op {
        VmOp::Start(c) => start(conn, settings, &c),
        VmOp::Stop(c) => stop(conn, &c),
        VmOp::Reboot(c) => reboot(conn, &c),
        VmOp::Destroy(c) => destroy(conn, settings, &c),
        VmOp::Pause(c) => pause(conn, &c.uuid),
        VmOp::Resume(c) => resume(conn, &c.uuid),
        VmOp::Migrate(c) => migrate(conn, settings, &c),
        VmOp::NoCloudSeed(c) => nocloud_seed(settings, &c),
        VmOp::AttachVolume(c) => attach_volume(conn, &c),
        VmOp::DetachVolume(c) => detach_volume(conn, &c),
        VmOp::GetVncPort(c) => vnc_port(conn, &c.vm_uuid),
        VmOp::TakeSnapshot(c) => take_snapshot(conn, &c),
        VmOp::MergeSnapshot(c) => merge_snapshot(conn, &c),
    }
}

fn is_active(dom: &Domain, name: &str) -> AgentResult<bool> {
    dom.is_active()
        .map_err(|e| AgentError::libvirt(format!("cannot read the state of VM {name}"), &e))
}

/// Define + create. A domain that already runs is success (start is
/// idempotent); a defined but stopped one is redefined with the new XML. If
/// `create` fails, the definition made by this call is rolled back.
fn start(conn: &Connect, settings: &VmSettings, cmd: &StartVmCmd) -> AgentResult<Outcome> {
    let name = &cmd.vm_instance_uuid;
    // User data goes in as one more CD-ROM: a NoCloud seed made for this start.
    let seed_dir = seed_dir(settings);
    let user_data = cmd.user_data.as_deref().filter(|u| !u.is_empty());
    let mut with_seed;
    let cmd = match user_data {
        Some(_) => {
            with_seed = cmd.clone();
            let device_id = with_seed.cd_roms.iter().map(|c| c.device_id + 1).max().unwrap_or(0);
            let iso = crate::nocloud::seed_path(&seed_dir, name);
            with_seed.cd_roms.push(CdRomTO { path: Some(iso.to_string_lossy().into_owned()), device_id, ..Default::default() });
            &with_seed
        }
        None => cmd,
    };
    let xml = render_domain_xml(cmd, &settings.xml)?;
    let existing = find_domain(conn, name)?;
    let mut previous_definition = None;
    if let Some(dom) = &existing {
        if is_active(dom, name)? {
            // Already running: its seed is in use, leave it as it is.
            return reply(StartVmResponse::default(), false);
        }
        previous_definition = dom
            .get_xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
            .ok();
    }
    if let Some(data) = user_data {
        crate::nocloud::make_seed(&seed_dir, name, &cmd.vm_name, data)?;
    }
    let started = define_and_create(conn, cmd, name, &xml, previous_definition);
    if started.is_err() && user_data.is_some() {
        crate::nocloud::remove_seed(&seed_dir, name);
    }
    started
}

/// Define the domain and start it; a start that fails puts the previous
/// definition back (or undefines the new one).
fn define_and_create(conn: &Connect, cmd: &StartVmCmd, name: &str, xml: &str, previous_definition: Option<String>) -> AgentResult<Outcome> {
    let dom = Domain::define_xml(conn, xml)
        .map_err(|e| AgentError::libvirt(format!("cannot define VM {name}"), &e))?;
    let created = if cmd.create_paused {
        dom.create_with_flags(sys::VIR_DOMAIN_START_PAUSED)
    } else {
        dom.create()
    };
    if let Err(e) = created {
        let err = AgentError::libvirt(format!("cannot start VM {name}"), &e);
        let rollback = match previous_definition {
            Some(prev) => Domain::define_xml(conn, &prev)
                .map(|_| ())
                .map_err(|e| e.message().to_string()),
            None => libvirt::undefine(&dom, name).map_err(|e| e.message),
        };
        if let Err(r) = rollback {
            return Err(AgentError::new(
                err.kind,
                format!("{err}; and rolling back its definition failed: {r}"),
            ));
        }
        return Err(err);
    }
    reply(StartVmResponse::default(), false)
}

/// Destroys a running domain, tolerating one that stopped meanwhile.
fn force_off(dom: &Domain, name: &str) -> AgentResult<()> {
    match dom.destroy() {
        Ok(()) => Ok(()),
        Err(e) if crate::error::is_no_domain(&e) => Ok(()),
        Err(e) => {
            if !is_active(dom, name).unwrap_or(true) {
                return Ok(());
            }
            Err(AgentError::libvirt(
                format!("cannot power off VM {name}"),
                &e,
            ))
        }
    }
}

/// grace: ACPI shutdown, wait up to `timeout` s, then destroy; cold/force:
/// destroy. As ZStack's agent does, the domain is then undefined: the next
/// start defines it afresh from the node's current configuration. A VM that
/// is not on the host is already stopped.
fn stop(conn: &Connect, cmd: &StopVmCmd) -> AgentResult<Outcome> {
    let name = &cmd.uuid;
    let Some(dom) = find_domain(conn, name)? else {
        return ok(true);
    };
    if is_active(&dom, name)? {
        let graceful = cmd.stop_type == StopVmType::Grace
            && domain_state(&dom, name)? != sys::VIR_DOMAIN_PAUSED;
        if graceful {
            let timeout = Duration::from_secs(cmd.timeout.unwrap_or(30).clamp(1, 3600));
            let deadline = Instant::now() + timeout;
            if let Err(e) = dom.shutdown() {
                log::info!(
                    "VM {name}: ACPI shutdown refused ({}), powering off",
                    e.message()
                );
            } else {
                while Instant::now() < deadline && is_active(&dom, name)? {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        if is_active(&dom, name)? {
            force_off(&dom, name)?;
        }
    }
    libvirt::undefine(&dom, name)?;
    ok(true)
}

fn reboot(conn: &Connect, cmd: &RebootVmCmd) -> AgentResult<Outcome> {
    let name = &cmd.uuid;
    let dom = get_domain(conn, name)?;
    if !is_active(&dom, name)? {
        return Err(AgentError::bad_request(format!(
            "cannot reboot VM {name}: it is not running"
        )));
    }
    dom.reboot(0)
        .map_err(|e| AgentError::libvirt(format!("cannot reboot VM {name}"), &e))?;
    ok(false)
}

/// Power off and undefine; success when the domain is already gone. The
/// console log goes with it.
fn destroy(conn: &Connect, settings: &VmSettings, cmd: &DestroyVmCmd) -> AgentResult<Outcome> {
    let name = &cmd.uuid;
    if let Some(dom) = find_domain(conn, name)? {
        if is_active(&dom, name)? {
            force_off(&dom, name)?;
        }
        libvirt::undefine(&dom, name)?;
    }
    crate::nocloud::remove_seed(&seed_dir(settings), name);
    let log = settings.xml.console_log_dir.join(format!("{name}.log"));
    match std::fs::remove_file(&log) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => log::warn!(
            "VM {name}: cannot remove console log {}: {e}",
            log.display()
        ),
    }
    ok(true)
}

fn pause(conn: &Connect, name: &str) -> AgentResult<Outcome> {
    let dom = get_domain(conn, name)?;
    match domain_state(&dom, name)? {
        sys::VIR_DOMAIN_PAUSED => {}
        _ if !is_active(&dom, name)? => {
            return Err(AgentError::bad_request(format!(
                "cannot pause VM {name}: it is not running"
            )));
        }
        _ => {
            dom.suspend()
                .map_err(|e| AgentError::libvirt(format!("cannot pause VM {name}"), &e))?;
        }
    }
    ok(false)
}

fn resume(conn: &Connect, name: &str) -> AgentResult<Outcome> {
    let dom = get_domain(conn, name)?;
    match domain_state(&dom, name)? {
        sys::VIR_DOMAIN_PAUSED => {
            dom.resume()
                .map_err(|e| AgentError::libvirt(format!("cannot resume VM {name}"), &e))?;
        }
        sys::VIR_DOMAIN_RUNNING | sys::VIR_DOMAIN_BLOCKED => {}
        _ => {
            return Err(AgentError::bad_request(format!(
                "cannot resume VM {name}: it is not paused"
            )))
        }
    }
    ok(false)
}

/// Peer-to-peer live migration: this host's libvirtd talks to the
/// destination's directly. On success the source definition is removed.
fn migrate(conn: &Connect, settings: &VmSettings, cmd: &MigrateVmCmd) -> AgentResult<Outcome> {
    let name = &cmd.vm_uuid;
    let dest = cmd
        .dest_host_management_ip
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(&cmd.dest_host_ip);
    if dest.is_empty()
        || !dest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
    {
        return Err(AgentError::bad_request(format!(
            "cannot migrate VM {name}: invalid destination host '{dest}'"
        )));
    }
    let uri = settings.migrate_uri_template.replace("{ip}", dest);
    let dom = get_domain(conn, name)?;
    if !is_active(&dom, name)? {
        return Err(AgentError::bad_request(format!(
            "cannot live-migrate VM {name}: it is not running"
        )));
    }
    let mut flags = sys::VIR_MIGRATE_LIVE
        | sys::VIR_MIGRATE_PEER2PEER
        | sys::VIR_MIGRATE_PERSIST_DEST
        | sys::VIR_MIGRATE_UNDEFINE_SOURCE;
    if cmd.auto_converge {
        flags |= sys::VIR_MIGRATE_AUTO_CONVERGE;
    }
    if cmd.xbzrle {
        flags |= sys::VIR_MIGRATE_COMPRESSED;
    }
    // ZStack's local storage asks for the disks to be copied along.
    match cmd.storage_migration_policy.as_deref() {
        Some("FullCopy") => flags |= sys::VIR_MIGRATE_NON_SHARED_DISK,
        Some("IncCopy") => flags |= sys::VIR_MIGRATE_NON_SHARED_INC,
        _ => {}
    }
    if let Some(ms) = cmd.down_time.filter(|d| *d > 0) {
        if let Err(e) = dom.migrate_set_max_downtime(ms, 0) {
            log::warn!("VM {name}: cannot set migration downtime: {}", e.message());
        }
    }
    // The memory (and disk) stream goes straight to the destination's
    // address: the destination's own host name may resolve to a loopback
    // address, which libvirt refuses to hand out as a migration address.
    let data_uri = if dest.contains(':') && !dest.starts_with('[') { format!("tcp://[{dest}]") } else { format!("tcp://{dest}") };
    // A VM with user data reads its NoCloud seed from a file the
    // destination made for it: the definition sent there names that file.
    let source_seed = crate::nocloud::seed_path(&seed_dir(settings), name).to_string_lossy().into_owned();
    let dest_xml = match cmd.destination_seed_path.as_deref() {
        Some(dest_seed) => {
            let xml = dom
                .get_xml_desc(sys::VIR_DOMAIN_XML_MIGRATABLE | sys::VIR_DOMAIN_XML_SECURE)
                .map_err(|e| AgentError::libvirt(format!("cannot read the definition of VM {name}"), &e))?;
            if !xml.contains(&source_seed) {
                return Err(AgentError::bad_request(format!("cannot migrate VM {name}: it has no NoCloud seed at {source_seed} to replace")));
            }
            Some(xml.replace(&source_seed, dest_seed))
        }
        None => None,
    };
    dom.migrate_to_uri2(Some(&uri), Some(&data_uri), dest_xml.as_deref(), flags, None, cmd.bandwidth.unwrap_or(0))
        .map_err(|e| AgentError::libvirt(format!("cannot migrate VM {name} to {uri}"), &e))?;
    if dest_xml.is_some() {
        crate::nocloud::remove_seed(&seed_dir(settings), name);
    }
    ok(true)
}

/// Where this agent keeps the NoCloud seeds of its VMs.
fn seed_dir(settings: &VmSettings) -> std::path::PathBuf {
    settings.xml.console_log_dir.with_file_name("nocloud")
}

/// Make the seed of a VM about to arrive by migration (or remove it when
/// the migration failed); the reply names the file.
fn nocloud_seed(settings: &VmSettings, cmd: &NoCloudSeedCmd) -> AgentResult<Outcome> {
    if cmd.vm_uuid.is_empty() || !cmd.vm_uuid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AgentError::bad_request(format!("'{}' is not a VM uuid", cmd.vm_uuid)));
    }
    let dir = seed_dir(settings);
    if cmd.remove {
        crate::nocloud::remove_seed(&dir, &cmd.vm_uuid);
        return reply(NoCloudSeedResponse { base: AgentResponse::ok(), path: None }, false);
    }
    let path = crate::nocloud::make_seed(&dir, &cmd.vm_uuid, &cmd.vm_name, &cmd.user_data)?;
    reply(NoCloudSeedResponse { base: AgentResponse::ok(), path: Some(path.to_string_lossy().into_owned()) }, false)
}

/// AFFECT_LIVE when running, AFFECT_CONFIG when persistent.
fn device_flags(dom: &Domain, name: &str) -> AgentResult<u32> {
    let mut flags = 0;
    if is_active(dom, name)? {
        flags |= sys::VIR_DOMAIN_AFFECT_LIVE;
    }
    if dom.is_persistent().unwrap_or(false) {
        flags |= sys::VIR_DOMAIN_AFFECT_CONFIG;
    }
    Ok(flags)
}

fn live_xml(dom: &Domain, name: &str) -> AgentResult<String> {
    dom.get_xml_desc(0)
        .map_err(|e| AgentError::libvirt(format!("cannot read the definition of VM {name}"), &e))
}

fn attach_volume(conn: &Connect, cmd: &AttachDataVolumeCmd) -> AgentResult<Outcome> {
    let name = &cmd.vm_instance_uuid;
    let xml = volume_disk_xml(&cmd.volume, false)?;
    let path = domain_xml::volume_path("volume installPath", &cmd.volume.install_path)?;
    let dev = domain_xml::disk_dev_name("vd", cmd.volume.device_id);
    let dom = get_domain(conn, name)?;
    for (target, source) in disks_in_xml(&live_xml(&dom, name)?) {
        if source.as_deref() == Some(path.as_str()) {
            // Already attached (a retried call): success.
            return ok(false);
        }
        if target == dev {
            return Err(AgentError::bad_request(format!(
                "cannot attach volume {} to VM {name}: {dev} already holds {}",
                path,
                source.unwrap_or_else(|| "another device".into())
            )));
        }
    }
    let flags = device_flags(&dom, name)?;
    dom.attach_device_flags(&xml, flags).map_err(|e| {
        AgentError::libvirt(
            format!("cannot attach volume {path} to VM {name} as {dev}"),
            &e,
        )
    })?;
    ok(false)
}

/// Detach and wait (up to 30 s) for the guest to release the disk: qemu
/// unplugs virtio disks only when the guest acknowledges.
fn detach_volume(conn: &Connect, cmd: &DetachDataVolumeCmd) -> AgentResult<Outcome> {
    let name = &cmd.vm_instance_uuid;
    let path = domain_xml::volume_path("volume installPath", &cmd.volume.install_path)?;
    let dom = get_domain(conn, name)?;
    let attached = disks_in_xml(&live_xml(&dom, name)?)
        .into_iter()
        .find(|(_, s)| s.as_deref() == Some(path.as_str()));
    let Some((dev, _)) = attached else {
        // Not attached (a retried call): success.
        return ok(false);
    };
    let mut vol = cmd.volume.clone();
    vol.install_path = path.clone();
    let mut xml = volume_disk_xml(&vol, false)?;
    // Match the disk by its actual target, whatever deviceId the caller sent.
    let wanted = format!(
        "<target dev='{}'",
        domain_xml::disk_dev_name("vd", vol.device_id)
    );
    xml = xml.replace(&wanted, &format!("<target dev='{dev}'"));
    let flags = device_flags(&dom, name)?;
    dom.detach_device_flags(&xml, flags).map_err(|e| {
        AgentError::libvirt(
            format!("cannot detach volume {path} ({dev}) from VM {name}"),
            &e,
        )
    })?;
    if flags & sys::VIR_DOMAIN_AFFECT_LIVE != 0 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let still = disks_in_xml(&live_xml(&dom, name)?)
                .iter()
                .any(|(_, s)| s.as_deref() == Some(path.as_str()));
            if !still {
                break;
            }
            if Instant::now() >= deadline {
                return Err(AgentError::new(
                    ErrorKind::Libvirt,
                    format!("VM {name} did not release volume {path} ({dev}) within 30 s; the guest may not support hot-unplug"),
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    ok(false)
}

fn vnc_port(conn: &Connect, name: &str) -> AgentResult<Outcome> {
    let dom = get_domain(conn, name)?;
    if !is_active(&dom, name)? {
        return Err(AgentError::bad_request(format!(
            "VM {name} is not running, it has no VNC port"
        )));
    }
    let xml = live_xml(&dom, name)?;
    let port: i32 = find_attr(&xml, "<graphics type='vnc'", "port")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| AgentError::not_found(format!("VM {name} has no VNC console")))?;
    reply(
        GetVncPortResponse {
            port: Some(port),
            protocol: Some("vnc".into()),
            vnc_port: Some(port),
            ..Default::default()
        },
        false,
    )
}

/// ZStack's snapshot model: the volume's current file becomes the snapshot and
/// the volume continues in a new overlay at `installPath`. Online (VM
/// running): a libvirt external disk-only snapshot, so qemu switches to the
/// overlay. Offline: `qemu-img create -b`.
fn take_snapshot(conn: &Connect, cmd: &TakeSnapshotCmd) -> AgentResult<Outcome> {
    if cmd.full_snapshot {
        return Err(AgentError::bad_request(
            "full (non-incremental) volume snapshots are not supported by this agent",
        ));
    }
    let current_raw = cmd
        .volume_install_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or(&cmd.volume.install_path);
    let current = domain_xml::volume_path("volume install path", current_raw)?;
    let overlay = domain_xml::volume_path("snapshot installPath", &cmd.install_path)?;
    if std::path::Path::new(&overlay).exists() {
        return Err(AgentError::bad_request(format!(
            "cannot snapshot volume {current}: {overlay} already exists"
        )));
    }
    if let Some(dir) = std::path::Path::new(&overlay).parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            AgentError::io(format!("cannot create directory {}", dir.display()), &e)
        })?;
    }
    if let Some((dom, name)) = running_domain(conn, cmd.vm_uuid.as_deref())? {
        let disks = disks_in_xml(&live_xml(&dom, &name)?);
        if !disks
            .iter()
            .any(|(_, s)| s.as_deref() == Some(current.as_str()))
        {
            return Err(AgentError::bad_request(format!(
                "cannot snapshot volume {current}: it is not attached to VM {name}"
            )));
        }
        let mut xml = String::from("<domainsnapshot><disks>");
        for (dev, source) in &disks {
            if source.as_deref() == Some(current.as_str()) {
                xml.push_str(&format!(
                    "<disk name='{dev}' snapshot='external'><driver type='qcow2'/><source file='{}'/></disk>",
                    domain_xml::xml_escape(&overlay)
                ));
            } else {
                xml.push_str(&format!("<disk name='{dev}' snapshot='no'/>"));
            }
        }
        xml.push_str("</disks></domainsnapshot>");
        let flags = sys::VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
            | sys::VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA
            | sys::VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC;
        DomainSnapshot::create_xml(&dom, &xml, flags).map_err(|e| {
            AgentError::libvirt(
                format!("cannot take a live snapshot of volume {current} of VM {name}"),
                &e,
            )
        })?;
    } else {
        if let Err(e) = qemu_img::create_overlay(&overlay, &current) {
            let _ = std::fs::remove_file(&overlay);
            return Err(e);
        }
    }
    let size = std::fs::metadata(&current).map(|m| m.len()).unwrap_or(0);
    reply(
        TakeSnapshotResponse {
            snapshot_install_path: Some(current),
            new_volume_install_path: Some(overlay),
            size,
            ..Default::default()
        },
        false,
    )
}

/// The running domain named `vm_uuid` (if any) and its name.
fn running_domain(conn: &Connect, vm_uuid: Option<&str>) -> AgentResult<Option<(Domain, String)>> {
    match vm_uuid.filter(|u| !u.is_empty()) {
        Some(name) => match find_domain(conn, name)? {
            Some(d) if is_active(&d, name)? => Ok(Some((d, name.to_string()))),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// Merges the chain above `srcPath` into the volume's top file `destPath`
/// (ZStack's snapshot deletion on the volume's current chain). A running VM
/// does it live with a libvirt block pull, waiting for the job to end; a
/// stopped one with `qemu-img rebase`. Either way the result is checked:
/// the top's backing file must be `srcPath` (none for a full rebase).
fn merge_snapshot(conn: &Connect, cmd: &MergeSnapshotCmd) -> AgentResult<Outcome> {
    let dest = domain_xml::volume_path("destPath", &cmd.dest_path)?;
    let base = match (cmd.full_rebase, cmd.src_path.as_deref().filter(|p| !p.is_empty())) {
        (true, _) => None,
        (false, Some(p)) => Some(domain_xml::volume_path("srcPath", p)?),
        (false, None) => return Err(AgentError::bad_request("srcPath is required unless fullRebase is set")),
    };
    if !std::path::Path::new(&dest).is_file() {
        return Err(AgentError::not_found(format!("cannot merge snapshots into {dest}: the file does not exist")));
    }
    if let Some((dom, name)) = running_domain(conn, cmd.vm_uuid.as_deref())? {
        let dev = disks_in_xml(&live_xml(&dom, &name)?)
            .into_iter()
            .find(|(_, s)| s.as_deref() == Some(dest.as_str()))
            .map(|(d, _)| d)
            .ok_or_else(|| AgentError::bad_request(format!("cannot merge snapshots into {dest}: it is not a disk of VM {name}")))?;
        let timeout = Duration::from_secs(cmd.timeout.unwrap_or(600).clamp(10, 24 * 3600));
        libvirt::block_pull(&dom, &dev, base.as_deref(), timeout)
            .map_err(|e| AgentError::new(e.kind, format!("VM {name}: cannot merge the snapshots of {dest} ({dev}): {}", e.message)))?;
    } else {
        qemu_img::rebase(&dest, base.as_deref())?;
    }
    let now = qemu_img::info(&dest)?.backing_file;
    if now.as_deref() != base.as_deref() {
        return Err(AgentError::internal(format!(
            "merging into {dest} ended with backing file {:?}, not {:?}",
            now, base
        )));
    }
    ok(false)
}

/// How long a VM actor with nothing to do stays alive.
const IDLE_STOP: Duration = Duration::from_secs(300);

pub struct VmActor {
    name: String,
    generation: u64,
    libvirt: Libvirt,
    settings: Arc<VmSettings>,
    registry: Arc<VmRegistry>,
    last_used: Instant,
}

impl Actor for VmActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(IDLE_STOP / 5, |act, ctx| {
            if act.last_used.elapsed() >= IDLE_STOP {
                ctx.stop();
            }
        });
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.registry.forget(&self.name, self.generation);
    }
}

impl Handler<VmOp> for VmActor {
    type Result = AtomicResponse<Self, AgentResult<serde_json::Value>>;

    fn handle(&mut self, op: VmOp, _: &mut Context<Self>) -> Self::Result {
        self.last_used = Instant::now();
        let libvirt = self.libvirt.clone();
        let settings = self.settings.clone();
        let work = async move {
            libvirt
                .run(move |conn| run_vm_op(conn, &settings, op))
                .await
        };
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, ctx| {
            act.last_used = Instant::now();
            match result {
                Ok(outcome) => {
                    if outcome.domain_gone {
                        ctx.stop();
                    }
                    Ok(outcome.response)
                }
                Err(e) => {
                    if e.is_not_found() {
                        ctx.stop();
                    }
                    Err(e)
                }
            }
        })))
    }
}

/// The live VM actors by VM uuid.
pub struct VmRegistry {
    actors: Mutex<HashMap<String, (u64, Addr<VmActor>)>>,
    next_generation: AtomicU64,
    libvirt: Libvirt,
    settings: Arc<VmSettings>,
}

impl VmRegistry {
    pub fn new(libvirt: Libvirt, settings: VmSettings) -> Arc<VmRegistry> {
        Arc::new(VmRegistry {
            actors: Mutex::new(HashMap::new()),
            next_generation: AtomicU64::new(1),
            libvirt,
            settings: Arc::new(settings),
        })
    }

    pub fn live_actors(&self) -> usize {
        self.actors.lock().expect("vm registry").len()
    }

    fn get_or_start(self: &Arc<Self>, name: &str) -> (u64, Addr<VmActor>) {
        let mut map = self.actors.lock().expect("vm registry");
        if let Some((g, a)) = map.get(name) {
            if a.connected() {
                return (*g, a.clone());
            }
        }
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        let addr = VmActor {
            name: name.to_string(),
            generation,
            libvirt: self.libvirt.clone(),
            settings: self.settings.clone(),
            registry: self.clone(),
            last_used: Instant::now(),
        }
        .start();
        map.insert(name.to_string(), (generation, addr.clone()));
        (generation, addr)
    }

    fn forget(&self, name: &str, generation: u64) {
        let mut map = self.actors.lock().expect("vm registry");
        if map.get(name).map(|(g, _)| *g) == Some(generation) {
            map.remove(name);
        }
    }

    /// Sends `op` to its VM's actor, starting one if needed. An actor that
    /// stopped between lookup and delivery did not run the op: retry on a
    /// fresh one.
    pub async fn send(self: &Arc<Self>, op: VmOp) -> AgentResult<serde_json::Value> {
        let name = op.vm_uuid().to_string();
        if name.is_empty() && matches!(op, VmOp::TakeSnapshot(_) | VmOp::MergeSnapshot(_)) {
            // Snapshot work on a volume of no VM (offline) needs no VM actor.
            let settings = self.settings.clone();
            return self
                .libvirt
                .run(move |conn| run_vm_op(conn, &settings, op))
                .await
                .map(|o| o.response);
        }
        libvirt::check_name(&name)?;
        for _ in 0..5 {
            let (generation, addr) = self.get_or_start(&name);
            match addr.send(op.clone()).await {
                Ok(result) => return result,
                Err(MailboxError::Closed) => self.forget(&name, generation),
                Err(MailboxError::Timeout) => {
                    return Err(AgentError::internal(format!(
                        "VM {name}: operation timed out in the agent"
                    )))
                }
            }
        }
        Err(AgentError::internal(format!(
            "VM {name}: its actor kept stopping; try again"
        )))
    }
}
