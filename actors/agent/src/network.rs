//! L2 networking on the host: Linux bridges made with `ip link`, idempotent,
//! optionally enslaving a physical interface (or its VLAN sub-interface).
//! A bridge created by a call that then fails is removed again.

use crate::domain_xml::check_ifname;
use crate::error::{AgentError, AgentResult};
use std::path::Path;
use std::process::Command;
use zstack_agent_proto::{AgentResponse, CreateBridgeCmd};

fn ip(context: &str, args: &[&str]) -> AgentResult<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| AgentError::io(format!("{context}: cannot run ip"), &e))?;
    if !out.status.success() {
        return Err(AgentError::command(format!(
            "{context}: `ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn link_exists(name: &str) -> bool {
    Path::new("/sys/class/net").join(name).exists()
}

fn is_bridge(name: &str) -> bool {
    Path::new("/sys/class/net")
        .join(name)
        .join("bridge")
        .exists()
}

/// The bridge an interface is enslaved to, if any.
fn master_of(name: &str) -> Option<String> {
    std::fs::read_link(Path::new("/sys/class/net").join(name).join("master"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// `/network/l2novlan/createbridge` and `/network/l2vlan/createbridge`
/// (blocking).
pub fn create_bridge(cmd: &CreateBridgeCmd) -> AgentResult<AgentResponse> {
    let br = &cmd.bridge_name;
    check_ifname("bridgeName", br)?;
    let ctx = format!(
        "cannot create bridge {br} for L2 network {}",
        cmd.l2_network_uuid
    );
    let created_bridge = if link_exists(br) {
        if !is_bridge(br) {
            return Err(AgentError::bad_request(format!(
                "{ctx}: {br} exists and is not a bridge"
            )));
        }
        false
    } else {
        ip(&ctx, &["link", "add", "name", br, "type", "bridge"])?;
        true
    };
    let result = (|| -> AgentResult<()> {
        if let Some(mtu) = cmd.mtu.filter(|m| *m > 0) {
            ip(&ctx, &["link", "set", "dev", br, "mtu", &mtu.to_string()])?;
        }
        ip(&ctx, &["link", "set", "dev", br, "up"])?;
        let phys = cmd.physical_interface_name.trim();
        if phys.is_empty() {
            if cmd.vlan.is_some() {
                return Err(AgentError::bad_request(format!(
                    "{ctx}: a VLAN bridge needs physicalInterfaceName"
                )));
            }
            return Ok(());
        }
        check_ifname("physicalInterfaceName", phys)?;
        if !link_exists(phys) {
            return Err(AgentError::not_found(format!(
                "{ctx}: physical interface {phys} does not exist on this host"
            )));
        }
        let port = match cmd.vlan {
            Some(vlan) => {
                if !(1..=4094).contains(&vlan) {
                    return Err(AgentError::bad_request(format!(
                        "{ctx}: VLAN id {vlan} is outside 1-4094"
                    )));
                }
                let sub = format!("{phys}.{vlan}");
                check_ifname("VLAN interface", &sub)?;
                if !link_exists(&sub) {
                    ip(
                        &ctx,
                        &[
                            "link",
                            "add",
                            "link",
                            phys,
                            "name",
                            &sub,
                            "type",
                            "vlan",
                            "id",
                            &vlan.to_string(),
                        ],
                    )?;
                }
                sub
            }
            None => phys.to_string(),
        };
        match master_of(&port) {
            Some(m) if m == *br => {}
            Some(m) => {
                return Err(AgentError::bad_request(format!(
                    "{ctx}: {port} is already a port of bridge {m}"
                )));
            }
            None => ip(&ctx, &["link", "set", "dev", &port, "master", br])?,
        }
        ip(&ctx, &["link", "set", "dev", &port, "up"])?;
        if cmd.vlan.is_some() {
            ip(&ctx, &["link", "set", "dev", phys, "up"])?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        if created_bridge {
            let _ = ip("rollback", &["link", "del", br]);
        }
        return Err(e);
    }
    Ok(AgentResponse::ok())
}
