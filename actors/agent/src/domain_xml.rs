//! Libvirt domain XML from a ZStack `StartVmCmd`, and the disk XML used for
//! hot-plug. Pure functions: everything here is testable without libvirt.
//! Every value that comes from a request is validated or XML-escaped.

use crate::error::AgentError;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zstack_agent_proto::{CdRomTO, NicTO, StartVmCmd, VolumeTO};

/// Host-side choices that are not in the command.
#[derive(Debug, Clone)]
pub struct DomainXmlOptions {
    /// `qemu` (TCG) or `kvm`.
    pub domain_type: String,
    /// Directory for `<uuid>.log` serial console logs.
    pub console_log_dir: PathBuf,
}

/// Escapes text for use in XML element content and in attribute values
/// (both quote kinds).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Rejects characters XML 1.0 cannot carry at all (NUL and most C0 controls),
/// which escaping cannot fix.
fn check_xml_chars(what: &str, s: &str) -> Result<(), AgentError> {
    if s.chars()
        .any(|c| (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r')
    {
        return Err(AgentError::bad_request(format!(
            "{what} contains a control character"
        )));
    }
    Ok(())
}

/// ZStack uuids are 32 hex digits without dashes; libvirt wants the dashed
/// form. Accepts either, returns the dashed form.
pub fn dashed_uuid(uuid: &str) -> Result<String, AgentError> {
    let hex: String = uuid.chars().filter(|c| *c != '-').collect();
    let shape_ok = match uuid.len() {
        32 => !uuid.contains('-'),
        36 => {
            [8, 13, 18, 23].iter().all(|&i| uuid.as_bytes()[i] == b'-')
                && uuid.matches('-').count() == 4
        }
        _ => false,
    };
    if !shape_ok || hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AgentError::bad_request(format!(
            "invalid VM uuid '{uuid}': expected 32 hex digits (ZStack form) or a dashed uuid"
        )));
    }
    let h = hex.to_ascii_lowercase();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Name of the n-th virtio disk: 0 → vda, 25 → vdz, 26 → vdaa (the kernel's
/// scheme).
pub fn disk_dev_name(prefix: &str, index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    letters.reverse();
    format!("{prefix}{}", letters.into_iter().collect::<String>())
}

fn check_mac(mac: &str) -> Result<(), AgentError> {
    let parts: Vec<&str> = mac.split(':').collect();
    let ok = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    if !ok {
        return Err(AgentError::bad_request(format!(
            "invalid NIC mac address '{mac}'"
        )));
    }
    // A multicast (odd first octet) mac cannot be assigned to a NIC; libvirt
    // refuses it with a less helpful message.
    let first = u8::from_str_radix(parts[0], 16).unwrap_or(0);
    if first & 1 == 1 {
        return Err(AgentError::bad_request(format!(
            "NIC mac address '{mac}' is a multicast address"
        )));
    }
    Ok(())
}

/// A Linux network interface name: 1–15 chars of [A-Za-z0-9_.-] (what
/// `ip link` accepts without surprises).
pub fn check_ifname(what: &str, name: &str) -> Result<(), AgentError> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        && !name.starts_with('-');
    if !ok {
        return Err(AgentError::bad_request(format!(
            "invalid {what} '{name}': 1-15 characters of letters, digits, '_', '.', '-'"
        )));
    }
    Ok(())
}

/// Strips a `file://` prefix and requires an absolute path without `..`.
pub fn volume_path(what: &str, raw: &str) -> Result<String, AgentError> {
    let p = raw.strip_prefix("file://").unwrap_or(raw);
    check_xml_chars(what, p)?;
    let path = Path::new(p);
    if p.is_empty()
        || !path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(AgentError::bad_request(format!(
            "{what} '{raw}' must be an absolute path without '..'"
        )));
    }
    Ok(p.to_string())
}

fn boot_order_xml(order: Option<u32>) -> String {
    match order {
        Some(n) if n > 0 => format!("<boot order='{n}'/>"),
        _ => String::new(),
    }
}

/// The `<disk>` element of a file-backed virtio volume (root or data), as
/// used in the domain XML and for attach/detach.
pub fn volume_disk_xml(vol: &VolumeTO, per_device_boot: bool) -> Result<String, AgentError> {
    let what = format!(
        "volume {}",
        if vol.volume_uuid.is_empty() {
            "(no uuid)"
        } else {
            &vol.volume_uuid
        }
    );
    if !(vol.device_type.is_empty() || vol.device_type == "file") {
        return Err(AgentError::bad_request(format!(
            "{what}: deviceType '{}' is not supported by this agent (only 'file')",
            vol.device_type
        )));
    }
    let path = volume_path(&format!("{what} installPath"), &vol.install_path)?;
    let format = vol.format.as_deref().unwrap_or("qcow2");
    if !matches!(format, "qcow2" | "raw") {
        return Err(AgentError::bad_request(format!(
            "{what}: unsupported format '{format}' (qcow2 or raw)"
        )));
    }
    let cache = match vol.cache_mode.as_deref() {
        None | Some("") => String::new(),
        Some(m @ ("none" | "writethrough" | "writeback" | "directsync" | "unsafe")) => {
            format!(" cache='{m}'")
        }
        Some(m) => {
            return Err(AgentError::bad_request(format!(
                "{what}: unsupported cacheMode '{m}'"
            )))
        }
    };
    check_xml_chars(&what, &vol.volume_uuid)?;
    let mut x = String::new();
    let _ = write!(
        x,
        "<disk type='file' device='disk'><driver name='qemu' type='{format}'{cache}/>\
         <source file='{}'/><target dev='{}' bus='virtio'/>",
        xml_escape(&path),
        disk_dev_name("vd", vol.device_id)
    );
    if !vol.volume_uuid.is_empty() {
        // The guest sees it in /dev/disk/by-id; virtio serials are at most 20 bytes.
        let serial: String = vol.volume_uuid.chars().take(20).collect();
        let _ = write!(x, "<serial>{}</serial>", xml_escape(&serial));
    }
    if vol.shareable {
        x.push_str("<shareable/>");
    }
    if per_device_boot {
        x.push_str(&boot_order_xml(vol.boot_order));
    }
    x.push_str("</disk>");
    Ok(x)
}

fn cdrom_xml(
    cd: &CdRomTO,
    bus: &str,
    prefix: &str,
    per_device_boot: bool,
) -> Result<String, AgentError> {
    let mut x = String::from("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>");
    let path = cd.path.as_deref().filter(|p| !p.is_empty() && !cd.is_empty);
    if let Some(p) = path {
        let p = volume_path(&format!("CD-ROM {} path", cd.device_id), p)?;
        let _ = write!(x, "<source file='{}'/>", xml_escape(&p));
    }
    let _ = write!(
        x,
        "<target dev='{}' bus='{bus}'/><readonly/>",
        disk_dev_name(prefix, cd.device_id)
    );
    if per_device_boot {
        x.push_str(&boot_order_xml(cd.boot_order));
    }
    x.push_str("</disk>");
    Ok(x)
}

fn nic_xml(nic: &NicTO, per_device_boot: bool) -> Result<String, AgentError> {
    let what = format!(
        "NIC {} ({})",
        nic.device_id,
        if nic.uuid.is_empty() {
            &nic.mac
        } else {
            &nic.uuid
        }
    );
    if nic.bridge_name.is_empty() {
        return Err(AgentError::bad_request(format!(
            "{what} has no bridgeName: create the L2 bridge first"
        )));
    }
    check_ifname(&format!("{what} bridgeName"), &nic.bridge_name)?;
    check_mac(&nic.mac)?;
    let mut x = format!(
        "<interface type='bridge'><mac address='{}'/><source bridge='{}'/>",
        nic.mac.to_ascii_lowercase(),
        xml_escape(&nic.bridge_name)
    );
    if let Some(tap) = nic.nic_internal_name.as_deref().filter(|n| !n.is_empty()) {
        check_ifname(&format!("{what} nicInternalName"), tap)?;
        let _ = write!(x, "<target dev='{}'/>", xml_escape(tap));
    }
    // ZStack sends useVirtio=false for guests without virtio drivers; e1000 is
    // the emulated NIC every OS knows.
    let model = if nic.use_virtio || nic.driver_type.as_deref() == Some("virtio") {
        "virtio"
    } else {
        "e1000"
    };
    let _ = write!(x, "<model type='{model}'/>");
    if let Some(mtu) = nic.mtu.filter(|m| *m > 0) {
        let _ = write!(x, "<mtu size='{mtu}'/>");
    }
    if per_device_boot {
        x.push_str(&boot_order_xml(nic.boot_order));
    }
    x.push_str("</interface>");
    Ok(x)
}

/// Renders the full domain XML of a VM.
pub fn render_domain_xml(cmd: &StartVmCmd, opts: &DomainXmlOptions) -> Result<String, AgentError> {
    let name = &cmd.vm_instance_uuid;
    let uuid = dashed_uuid(name)?;
    check_xml_chars("vmName", &cmd.vm_name)?;
    if cmd.cpu_num == 0 {
        return Err(AgentError::bad_request(format!(
            "VM {name}: cpuNum must be at least 1"
        )));
    }
    if cmd.memory < 1024 * 1024 {
        return Err(AgentError::bad_request(format!(
            "VM {name}: memory is {} bytes; at least 1 MiB is needed (the field is in bytes)",
            cmd.memory
        )));
    }
    if !matches!(cmd.console_mode.as_deref(), None | Some("") | Some("vnc")) {
        return Err(AgentError::bad_request(format!(
            "VM {name}: consoleMode '{}' is not supported (only vnc)",
            cmd.console_mode.as_deref().unwrap_or_default()
        )));
    }
    let machine = cmd
        .machine_type
        .as_deref()
        .filter(|m| !m.is_empty())
        .unwrap_or("pc");
    if !machine
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(AgentError::bad_request(format!(
            "VM {name}: invalid machineType '{machine}'"
        )));
    }
    // IDE exists only on the i440fx ('pc') machine; q35 has SATA.
    let (cd_bus, cd_prefix) = if machine.starts_with("pc") {
        ("ide", "hd")
    } else {
        ("sata", "sd")
    };

    let per_device_boot = cmd.root_volume.boot_order.unwrap_or(0) > 0
        || cmd
            .data_volumes
            .iter()
            .any(|v| v.boot_order.unwrap_or(0) > 0)
        || cmd.cd_roms.iter().any(|c| c.boot_order.unwrap_or(0) > 0)
        || cmd.nics.iter().any(|n| n.boot_order.unwrap_or(0) > 0);
    let boot_devs: Vec<&str> = if cmd.boot_dev.is_empty() {
        vec!["hd"]
    } else {
        cmd.boot_dev.iter().map(String::as_str).collect()
    };
    for d in &boot_devs {
        if !matches!(*d, "hd" | "cdrom" | "network" | "fd") {
            return Err(AgentError::bad_request(format!(
                "VM {name}: bootDev '{d}' is not one of hd, cdrom, network, fd"
            )));
        }
    }

    let mut used_disk_ids = std::collections::BTreeSet::new();
    for v in std::iter::once(&cmd.root_volume).chain(cmd.data_volumes.iter()) {
        if !used_disk_ids.insert(v.device_id) {
            return Err(AgentError::bad_request(format!(
                "VM {name}: two volumes have deviceId {} ({})",
                v.device_id,
                disk_dev_name("vd", v.device_id)
            )));
        }
    }
    let mut used_cd_ids = std::collections::BTreeSet::new();
    for c in &cmd.cd_roms {
        if !used_cd_ids.insert(c.device_id) {
            return Err(AgentError::bad_request(format!(
                "VM {name}: two CD-ROMs have deviceId {}",
                c.device_id
            )));
        }
        if cd_bus == "ide" && c.device_id > 3 {
            return Err(AgentError::bad_request(format!(
                "VM {name}: CD-ROM deviceId {} is beyond the 4 IDE slots",
                c.device_id
            )));
        }
    }
    if cmd.root_volume.install_path.is_empty() {
        return Err(AgentError::bad_request(format!(
            "VM {name}: rootVolume.installPath is empty"
        )));
    }

    let title = cmd.vm_name.replace(['\n', '\r'], " ");
    let memory_kib = cmd.memory / 1024;
    let mut x = String::with_capacity(4096);
    let _ = write!(
        x,
        "<domain type='{}'>\n  <name>{}</name>\n  <uuid>{uuid}</uuid>\n  <title>{}</title>\n  <description>{}</description>\n",
        xml_escape(&opts.domain_type),
        xml_escape(name),
        xml_escape(&title),
        xml_escape(&cmd.vm_name)
    );
    let _ = write!(
        x,
        "  <memory unit='KiB'>{memory_kib}</memory>\n  <currentMemory unit='KiB'>{memory_kib}</currentMemory>\n  <vcpu placement='static'>{}</vcpu>\n",
        cmd.cpu_num
    );
    let threads = cmd.threads_per_core.filter(|t| *t > 0).unwrap_or(1);
    if cmd.socket_num > 0
        && cmd.cpu_on_socket > 0
        && cmd.socket_num * cmd.cpu_on_socket * threads == cmd.cpu_num
    {
        let _ = writeln!(
            x,
            "  <cpu><topology sockets='{}' cores='{}' threads='{threads}'/></cpu>",
            cmd.socket_num, cmd.cpu_on_socket
        );
    }
    let _ = write!(
        x,
        "  <os>\n    <type arch='x86_64' machine='{machine}'>hvm</type>\n"
    );
    if !per_device_boot {
        for d in &boot_devs {
            let _ = writeln!(x, "    <boot dev='{d}'/>");
        }
    }
    x.push_str("  </os>\n  <features><acpi/><apic/><pae/></features>\n  <clock offset='utc'/>\n");
    x.push_str("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n");
    x.push_str("  <devices>\n");
    let _ = writeln!(
        x,
        "    {}",
        volume_disk_xml(&cmd.root_volume, per_device_boot)?
    );
    let mut data: Vec<&VolumeTO> = cmd.data_volumes.iter().collect();
    data.sort_by_key(|v| v.device_id);
    for v in data {
        let _ = writeln!(x, "    {}", volume_disk_xml(v, per_device_boot)?);
    }
    for c in &cmd.cd_roms {
        let _ = writeln!(
            x,
            "    {}",
            cdrom_xml(c, cd_bus, cd_prefix, per_device_boot)?
        );
    }
    for n in &cmd.nics {
        let _ = writeln!(x, "    {}", nic_xml(n, per_device_boot)?);
    }
    let log = opts.console_log_dir.join(format!("{name}.log"));
    let log = log.to_string_lossy();
    let _ = write!(
        x,
        "    <serial type='pty'><log file='{0}' append='on'/><target port='0'/></serial>\n    <console type='pty'><target type='serial' port='0'/></console>\n",
        xml_escape(&log)
    );
    let passwd = match cmd.console_password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            check_xml_chars("consolePassword", p)?;
            format!(" passwd='{}'", xml_escape(p))
        }
        None => String::new(),
    };
    let _ = write!(
        x,
        "    <graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'{passwd}/>\n    <video><model type='cirrus'/></video>\n    <memballoon model='virtio'/>\n"
    );
    x.push_str("  </devices>\n</domain>\n");
    Ok(x)
}

/// The first `attr='value'` of the first element starting with `element_start`
/// in libvirt-generated XML (libvirt always writes single quotes).
pub fn find_attr(xml: &str, element_start: &str, attr: &str) -> Option<String> {
    let at = xml.find(element_start)?;
    let end = xml[at..].find('>')? + at;
    let tag = &xml[at..end];
    let key = format!(" {attr}='");
    let s = tag.find(&key)? + key.len();
    let e = tag[s..].find('\'')? + s;
    Some(tag[s..e].to_string())
}

/// The `<target dev=...>` of each `<disk>` in domain XML with its source file.
pub fn disks_in_xml(xml: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<disk ") {
        let after = &rest[start..];
        let end = after
            .find("</disk>")
            .map(|e| e + "</disk>".len())
            .unwrap_or(after.len());
        let disk = &after[..end];
        if let Some(dev) = find_attr(disk, "<target ", "dev") {
            let source = find_attr(disk, "<source ", "file").map(|s| unescape_attr(&s));
            out.push((dev, source));
        }
        rest = &after[end..];
    }
    out
}

/// The `<target dev=...>` of each `<interface>` in live domain XML.
pub fn interface_targets(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<interface ") {
        let after = &rest[start..];
        let end = after
            .find("</interface>")
            .map(|e| e + "</interface>".len())
            .unwrap_or(after.len());
        if let Some(dev) = find_attr(&after[..end], "<target ", "dev") {
            out.push(dev);
        }
        rest = &after[end..];
    }
    out
}

fn unescape_attr(s: &str) -> String {
    s.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> DomainXmlOptions {
        DomainXmlOptions {
            domain_type: "qemu".into(),
            console_log_dir: PathBuf::from("/var/lib/zstack-agent/console"),
        }
    }

    fn cmd() -> StartVmCmd {
        StartVmCmd {
            vm_instance_uuid: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
            vm_name: "web-1".into(),
            memory: 256 * 1024 * 1024,
            cpu_num: 2,
            socket_num: 1,
            cpu_on_socket: 2,
            boot_dev: vec!["hd".into()],
            root_volume: VolumeTO {
                install_path: "/ps/root.qcow2".into(),
                device_id: 0,
                device_type: "file".into(),
                volume_uuid: "rootvol".into(),
                use_virtio: true,
                ..Default::default()
            },
            data_volumes: vec![VolumeTO {
                install_path: "/ps/data.qcow2".into(),
                device_id: 1,
                device_type: "file".into(),
                volume_uuid: "datavol".into(),
                ..Default::default()
            }],
            cd_roms: vec![CdRomTO {
                device_id: 0,
                is_empty: true,
                ..Default::default()
            }],
            nics: vec![NicTO {
                mac: "52:54:00:12:34:56".into(),
                bridge_name: "br_eth0".into(),
                uuid: "nic1".into(),
                use_virtio: true,
                ..Default::default()
            }],
            console_password: Some("pw".into()),
            ..Default::default()
        }
    }

    #[test]
    fn renders_the_important_elements() {
        let x = render_domain_xml(&cmd(), &opts()).unwrap();
        for needle in [
            "<domain type='qemu'>",
            "<name>0a1b2c3d4e5f60718293a4b5c6d7e8f9</name>",
            "<uuid>0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9</uuid>",
            "<title>web-1</title>",
            "<memory unit='KiB'>262144</memory>",
            "<vcpu placement='static'>2</vcpu>",
            "<topology sockets='1' cores='2' threads='1'/>",
            "<type arch='x86_64' machine='pc'>hvm</type>",
            "<boot dev='hd'/>",
            "<source file='/ps/root.qcow2'/><target dev='vda' bus='virtio'/>",
            "<source file='/ps/data.qcow2'/><target dev='vdb' bus='virtio'/>",
            "<driver name='qemu' type='qcow2'/>",
            "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='hda' bus='ide'/><readonly/></disk>",
            "<interface type='bridge'><mac address='52:54:00:12:34:56'/><source bridge='br_eth0'/><model type='virtio'/></interface>",
            "<serial type='pty'><log file='/var/lib/zstack-agent/console/0a1b2c3d4e5f60718293a4b5c6d7e8f9.log' append='on'/>",
            "<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0' passwd='pw'/>",
        ] {
            assert!(x.contains(needle), "missing {needle} in\n{x}");
        }
        assert!(!x.contains("<boot order"));
    }

    #[test]
    fn escapes_everything_from_the_request() {
        let mut c = cmd();
        c.vm_name = "a<b>&'\"c".into();
        c.console_password = Some("p'w\"<".into());
        c.root_volume.install_path = "/ps/it's <here>&.qcow2".into();
        let x = render_domain_xml(&c, &opts()).unwrap();
        assert!(x.contains("<title>a&lt;b&gt;&amp;&apos;&quot;c</title>"));
        assert!(x.contains("passwd='p&apos;w&quot;&lt;'"));
        assert!(x.contains("<source file='/ps/it&apos;s &lt;here&gt;&amp;.qcow2'/>"));
        assert_eq!(
            disks_in_xml(&x)[0],
            (
                "vda".to_string(),
                Some("/ps/it's <here>&.qcow2".to_string())
            )
        );
    }

    #[test]
    fn per_device_boot_order_replaces_os_boot() {
        let mut c = cmd();
        c.root_volume.boot_order = Some(2);
        c.cd_roms[0] = CdRomTO {
            device_id: 0,
            path: Some("/iso/x.iso".into()),
            boot_order: Some(1),
            ..Default::default()
        };
        let x = render_domain_xml(&c, &opts()).unwrap();
        assert!(!x.contains("<boot dev="));
        assert!(x.contains(
            "<source file='/iso/x.iso'/><target dev='hda' bus='ide'/><readonly/><boot order='1'/>"
        ));
        assert!(
            x.contains("<target dev='vda' bus='virtio'/><serial>rootvol</serial><boot order='2'/>")
        );
    }

    #[test]
    fn refuses_bad_input_clearly() {
        let mut c = cmd();
        c.nics[0].bridge_name.clear();
        let e = render_domain_xml(&c, &opts()).unwrap_err().to_string();
        assert!(e.contains("no bridgeName"), "{e}");

        let mut c = cmd();
        c.nics[0].mac = "zz:54:00:12:34:56".into();
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("mac"));

        let mut c = cmd();
        c.vm_instance_uuid = "not-a-uuid".into();
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("invalid VM uuid"));

        let mut c = cmd();
        c.root_volume.install_path = "relative/x.qcow2".into();
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("absolute"));

        let mut c = cmd();
        c.data_volumes[0].device_id = 0;
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("deviceId 0"));

        let mut c = cmd();
        c.root_volume.device_type = "ceph".into();
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("ceph"));

        let mut c = cmd();
        c.boot_dev = vec!["usb".into()];
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("bootDev"));

        let mut c = cmd();
        c.vm_name = "nul\0".into();
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("control character"));

        let mut c = cmd();
        c.memory = 256;
        assert!(render_domain_xml(&c, &opts())
            .unwrap_err()
            .to_string()
            .contains("bytes"));
    }

    #[test]
    fn q35_uses_sata_cdroms_and_mismatched_topology_is_omitted() {
        let mut c = cmd();
        c.machine_type = Some("q35".into());
        c.socket_num = 3;
        let x = render_domain_xml(&c, &opts()).unwrap();
        assert!(x.contains("<target dev='sda' bus='sata'/>"));
        assert!(!x.contains("<topology"));
    }

    #[test]
    fn uuids_and_device_names() {
        assert_eq!(
            dashed_uuid("0A1B2C3D4E5F60718293A4B5C6D7E8F9").unwrap(),
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
        );
        assert_eq!(
            dashed_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9").unwrap(),
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
        );
        assert!(dashed_uuid("0a1b2c3d-4e5f-6071-8293a4b5c6d7e8f9x").is_err());
        assert_eq!(disk_dev_name("vd", 0), "vda");
        assert_eq!(disk_dev_name("vd", 25), "vdz");
        assert_eq!(disk_dev_name("vd", 26), "vdaa");
        assert_eq!(disk_dev_name("vd", 27), "vdab");
    }

    #[test]
    fn finds_attributes_in_libvirt_xml() {
        let xml = "<domain><devices><graphics type='vnc' port='5901' autoport='yes'/><interface type='bridge'><target dev='vnet3'/></interface></devices></domain>";
        assert_eq!(
            find_attr(xml, "<graphics type='vnc'", "port").as_deref(),
            Some("5901")
        );
        assert_eq!(interface_targets(xml), vec!["vnet3".to_string()]);
    }
}
