//! Host-wide facts, capacity and metrics: /proc and /etc parsers (pure, unit
//! tested) plus the libvirt-side numbers (node info, per-domain stats), and
//! the KVM-or-TCG decision.

use crate::error::{AgentError, AgentResult};
use crate::libvirt::{kvm_state, version_string};
use std::collections::BTreeMap;
use virt::connect::Connect;
use zstack_agent_proto::*;

/// KVM only when the CPU advertises vmx/svm AND /dev/kvm opens read-write;
/// otherwise QEMU's software emulation (TCG).
pub fn detect_virtualization() -> VirtualizationType {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flag = hvm_flag(&cpuinfo);
    let kvm_opens = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    if !flag.is_empty() && kvm_opens {
        VirtualizationType::Kvm
    } else {
        VirtualizationType::QemuTcg
    }
}

/// "vmx", "svm" or "".
pub fn hvm_flag(cpuinfo: &str) -> &'static str {
    for line in cpuinfo.lines() {
        if let Some(flags) = line
            .strip_prefix("flags")
            .and_then(|r| r.split_once(':'))
            .map(|(_, f)| f)
        {
            for f in flags.split_whitespace() {
                match f {
                    "vmx" => return "vmx",
                    "svm" => return "svm",
                    _ => {}
                }
            }
            return "";
        }
    }
    ""
}

/// Facts from /proc/cpuinfo.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CpuInfo {
    pub model_name: String,
    pub processors: u32,
    pub sockets: u32,
    pub mhz: Option<String>,
    pub has_ept: bool,
}

pub fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    let mut physical_ids = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        match k {
            "processor" => info.processors += 1,
            "model name" if info.model_name.is_empty() => info.model_name = v.to_string(),
            "physical id" => {
                physical_ids.insert(v.to_string());
            }
            "cpu MHz" if info.mhz.is_none() => info.mhz = Some(v.to_string()),
            "flags" => info.has_ept |= v.split_whitespace().any(|f| f == "ept" || f == "npt"),
            _ => {}
        }
    }
    info.sockets = (physical_ids.len() as u32).max(1);
    info
}

/// Values of /proc/meminfo in bytes.
pub fn parse_meminfo(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let (k, rest) = l.split_once(':')?;
            let mut it = rest.split_whitespace();
            let n: u64 = it.next()?.parse().ok()?;
            let mult = if it.next() == Some("kB") { 1024 } else { 1 };
            Some((k.trim().to_string(), n * mult))
        })
        .collect()
}

/// KEY=value pairs of /etc/os-release, unquoted.
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((
                k.trim().to_string(),
                v.trim().trim_matches('"').trim_matches('\'').to_string(),
            ))
        })
        .collect()
}

/// The aggregate `cpu` line of /proc/stat.
pub fn parse_proc_stat(text: &str) -> CpuTimes {
    let mut t = CpuTimes::default();
    if let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) {
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        let g = |i: usize| v.get(i).copied().unwrap_or(0);
        t = CpuTimes {
            user: g(0),
            nice: g(1),
            system: g(2),
            idle: g(3),
            iowait: g(4),
            irq: g(5),
            softirq: g(6),
            steal: g(7),
        };
    }
    t
}

pub fn parse_net_dev(text: &str) -> Vec<InterfaceCounters> {
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let v: Vec<u64> = rest
                .split_whitespace()
                .map(|x| x.parse().unwrap_or(0))
                .collect();
            if v.len() < 16 {
                return None;
            }
            Some(InterfaceCounters {
                name: name.trim().to_string(),
                rx_bytes: v[0],
                rx_packets: v[1],
                rx_errors: v[2],
                rx_drops: v[3],
                tx_bytes: v[8],
                tx_packets: v[9],
                tx_errors: v[10],
                tx_drops: v[11],
            })
        })
        .collect()
}

/// Whole disks only (partitions and loop/ram devices skipped).
pub fn parse_diskstats(text: &str) -> Vec<DiskCounters> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 14 {
                return None;
            }
            let name = f[2];
            if name.starts_with("loop") || name.starts_with("ram") {
                return None;
            }
            let is_partition =
                std::path::Path::new(&format!("/sys/class/block/{name}/partition")).exists();
            if is_partition {
                return None;
            }
            let n = |i: usize| f[i].parse::<u64>().unwrap_or(0);
            Some(DiskCounters {
                name: name.to_string(),
                read_requests: n(3),
                read_bytes: n(5) * 512,
                write_requests: n(7),
                write_bytes: n(9) * 512,
                errors: 0,
            })
        })
        .collect()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// IPv4 addresses of the host (`ip -o -4 addr`), loopback excluded.
fn ip_addresses() -> Vec<String> {
    let out = std::process::Command::new("ip")
        .args(["-o", "-4", "addr", "show"])
        .output();
    let Ok(out) = out else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let ifname = it.nth(1)?;
            let addr = it.skip_while(|w| *w != "inet").nth(1)?;
            (ifname != "lo").then(|| addr.split('/').next().unwrap_or(addr).to_string())
        })
        .collect()
}

/// `/host/fact` (blocking).
pub fn host_facts(conn: &Connect, virt_type: VirtualizationType) -> AgentResult<HostFactResponse> {
    let cpuinfo_text = read("/proc/cpuinfo");
    let cpu = parse_cpuinfo(&cpuinfo_text);
    let os = parse_os_release(&read("/etc/os-release"));
    let arch = std::process::Command::new("uname")
        .arg("-m")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let libvirt_version = conn
        .get_lib_version()
        .map(version_string)
        .map_err(|e| AgentError::libvirt("cannot read the libvirt version", &e))?;
    let hyp_version = conn.get_hyp_version().ok().map(version_string);
    let qemu_img_version = crate::qemu_img::version().ok();
    let ghz = cpu
        .mhz
        .as_deref()
        .and_then(|m| m.parse::<f64>().ok())
        .map(|m| format!("{:.2}", m / 1000.0));
    Ok(HostFactResponse {
        os_distribution: os.get("ID").cloned(),
        os_version: os.get("VERSION_ID").cloned(),
        os_release: os.get("VERSION_CODENAME").cloned(),
        qemu_img_version,
        libvirt_version: Some(libvirt_version),
        hvm_cpu_flag: Some(hvm_flag(&cpuinfo_text).to_string()),
        ept_flag: Some(if cpu.has_ept { "ept" } else { "" }.to_string()),
        cpu_architecture: Some(arch),
        cpu_model_name: Some(cpu.model_name.clone()),
        host_cpu_model_name: Some(cpu.model_name),
        cpu_ghz: ghz,
        cpu_processor_num: Some(cpu.processors.to_string()),
        cpu_sockets: Some(cpu.sockets),
        system_uuid: std::fs::read_to_string("/sys/class/dmi/id/product_uuid")
            .ok()
            .map(|s| s.trim().to_string()),
        ip_addresses: ip_addresses(),
        libvirt_capabilities: Vec::new(),
        virtualizer_info: Some(VirtualizerInfoTO {
            uuid: None,
            virtualizer: Some(match virt_type {
                VirtualizationType::Kvm => "qemu-kvm".into(),
                VirtualizationType::QemuTcg => "qemu-tcg".into(),
            }),
            version: hyp_version,
        }),
        virtualization_type: Some(virt_type),
        ..Default::default()
    })
}

/// `/host/capacity` (blocking): CPUs and memory as libvirt sees the node;
/// used memory from the host's own MemAvailable (the test driver's fake node
/// falls back to the sum of its domains).
pub fn host_capacity(conn: &Connect) -> AgentResult<HostCapacityResponse> {
    let node = conn
        .get_node_info()
        .map_err(|e| AgentError::libvirt("cannot read libvirt node info", &e))?;
    let total_memory = node.memory * 1024;
    let domains = conn.list_all_domains(sys_active()).unwrap_or_default();
    let mut used_cpu = 0u64;
    let mut domain_memory = 0u64;
    for d in &domains {
        if let Ok(i) = d.get_info() {
            used_cpu += i.nr_virt_cpu as u64;
            domain_memory += i.memory * 1024;
        }
    }
    let is_test = conn
        .get_uri()
        .map(|u| u.starts_with("test:"))
        .unwrap_or(false);
    let used_memory = if is_test {
        domain_memory
    } else {
        let mem = parse_meminfo(&read("/proc/meminfo"));
        let host_total = mem.get("MemTotal").copied().unwrap_or(total_memory);
        host_total.saturating_sub(mem.get("MemAvailable").copied().unwrap_or(host_total))
    };
    Ok(HostCapacityResponse {
        cpu_num: node.cpus as u64,
        cpu_speed: node.mhz as u64,
        used_cpu,
        total_memory,
        used_memory: used_memory.min(total_memory),
        cpu_sockets: (node.sockets * node.nodes.max(1)) as u64,
        ..Default::default()
    })
}

fn sys_active() -> virt::sys::virConnectListAllDomainsFlags {
    virt::sys::VIR_CONNECT_LIST_DOMAINS_ACTIVE
}

/// `/vm/vmsync` (blocking): every domain by name.
pub fn vm_sync(conn: &Connect) -> AgentResult<VmSyncResponse> {
    let domains = conn
        .list_all_domains(0)
        .map_err(|e| AgentError::libvirt("cannot list VMs", &e))?;
    let mut rsp = VmSyncResponse::default();
    for d in domains {
        let (Ok(name), Ok((state, _))) = (d.get_name(), d.get_state()) else {
            continue;
        };
        if state == virt::sys::VIR_DOMAIN_SHUTDOWN {
            rsp.vm_in_shutdowns.push(name.clone());
        }
        rsp.states.insert(name, kvm_state(state));
    }
    Ok(rsp)
}

/// `/vm/checkstate` (blocking): a VM without a domain here is `Shutdown`.
pub fn check_state(conn: &Connect, cmd: &CheckVmStateCmd) -> AgentResult<CheckVmStateRsp> {
    let mut rsp = CheckVmStateRsp::default();
    for uuid in &cmd.vm_uuids {
        let state = match crate::libvirt::find_domain(conn, uuid)? {
            Some(d) => kvm_state(crate::libvirt::domain_state(&d, uuid)?),
            None => KvmVmState::Shutdown,
        };
        rsp.states.insert(uuid.clone(), state);
    }
    Ok(rsp)
}

/// `/host/metrics` (blocking).
pub fn host_metrics(conn: &Connect, cmd: &HostMetricsCmd) -> AgentResult<HostMetricsResponse> {
    let mem = parse_meminfo(&read("/proc/meminfo"));
    let g = |k: &str| mem.get(k).copied().unwrap_or(0);
    let mut rsp = HostMetricsResponse {
        cpu_num: std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(1),
        cpu: parse_proc_stat(&read("/proc/stat")),
        memory: MemoryUsage {
            total: g("MemTotal"),
            free: g("MemFree"),
            available: g("MemAvailable"),
            buffers: g("Buffers"),
            cached: g("Cached"),
        },
        interfaces: parse_net_dev(&read("/proc/net/dev")),
        disks: parse_diskstats(&read("/proc/diskstats")),
        ..Default::default()
    };
    let domains = if cmd.vm_uuids.is_empty() {
        conn.list_all_domains(sys_active())
            .map_err(|e| AgentError::libvirt("cannot list VMs", &e))?
    } else {
        let mut v = Vec::new();
        for u in &cmd.vm_uuids {
            if let Some(d) = crate::libvirt::find_domain(conn, u)? {
                v.push(d);
            }
        }
        v
    };
    for d in domains {
        let Ok(name) = d.get_name() else { continue };
        let Ok(info) = d.get_info() else { continue };
        let mut vm = VmMetrics {
            vm_uuid: name.clone(),
            state: kvm_state(info.state),
            cpu_time: info.cpu_time,
            vcpus: info.nr_virt_cpu,
            memory: info.memory * 1024,
            max_memory: info.max_mem * 1024,
            ..Default::default()
        };
        if d.is_active().unwrap_or(false) {
            if let Ok(xml) = d.get_xml_desc(0) {
                for (dev, _) in crate::domain_xml::disks_in_xml(&xml) {
                    if let Ok(s) = d.get_block_stats(&dev) {
                        vm.disks.push(DiskCounters {
                            name: dev,
                            read_requests: s.rd_req.max(0) as u64,
                            read_bytes: s.rd_bytes.max(0) as u64,
                            write_requests: s.wr_req.max(0) as u64,
                            write_bytes: s.wr_bytes.max(0) as u64,
                            errors: s.errs.max(0) as u64,
                        });
                    }
                }
                for tap in crate::domain_xml::interface_targets(&xml) {
                    if let Ok(s) = d.interface_stats(&tap) {
                        vm.nics.push(InterfaceCounters {
                            name: tap,
                            rx_bytes: s.rx_bytes.max(0) as u64,
                            rx_packets: s.rx_packets.max(0) as u64,
                            rx_errors: s.rx_errs.max(0) as u64,
                            rx_drops: s.rx_drop.max(0) as u64,
                            tx_bytes: s.tx_bytes.max(0) as u64,
                            tx_packets: s.tx_packets.max(0) as u64,
                            tx_errors: s.tx_errs.max(0) as u64,
                            tx_drops: s.tx_drop.max(0) as u64,
                        });
                    }
                }
            }
        }
        rsp.vms.push(vm);
    }
    Ok(rsp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\nphysical id\t: 0\ncpu MHz\t\t: 2200.000\nflags\t\t: fpu vme sse2 vmx ept\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R)\nphysical id\t: 1\nflags\t\t: fpu vmx ept\n";
        let c = parse_cpuinfo(cpuinfo);
        assert_eq!(c.processors, 2);
        assert_eq!(c.sockets, 2);
        assert_eq!(c.model_name, "Intel(R) Xeon(R)");
        assert!(c.has_ept);
        assert_eq!(hvm_flag(cpuinfo), "vmx");
        assert_eq!(hvm_flag("flags : fpu sse2\n"), "");

        let m = parse_meminfo(
            "MemTotal:       16384 kB\nMemAvailable:    8192 kB\nHugePages_Total:       0\n",
        );
        assert_eq!(m["MemTotal"], 16384 * 1024);
        assert_eq!(m["HugePages_Total"], 0);

        let os = parse_os_release("ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");
        assert_eq!(os["VERSION_ID"], "12");

        let s = parse_proc_stat("cpu  10 2 30 400 5 6 7 8 0 0\ncpu0 1 2 3 4\n");
        assert_eq!(s.user, 10);
        assert_eq!(s.idle, 400);
        assert_eq!(s.steal, 8);

        let nd = parse_net_dev(
            "Inter-|   Receive\n face |bytes\n  eth0: 100 2 0 0 0 0 0 0 300 4 0 0 0 0 0 0\n",
        );
        assert_eq!(nd[0].name, "eth0");
        assert_eq!(nd[0].rx_bytes, 100);
        assert_eq!(nd[0].tx_bytes, 300);

        let ds = parse_diskstats("   8       0 zz-not-a-real-disk 10 0 80 5 20 0 160 7 0 12 12 0 0 0 0\n   7       0 loop0 1 0 2 0 0 0 0 0 0 0 0\n");
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].read_bytes, 80 * 512);
        assert_eq!(ds[0].write_bytes, 160 * 512);
    }
}
