//! Deploying zstack-agent to a host over SSH, as ZStack's AddKVMHost does with
//! Ansible: copy the agent binary, write the token the node chose, and start
//! the agent as a service (a systemd unit where systemd runs, a detached
//! process with a pid file otherwise). The node logs in with its own key
//! (`DATA_DIR/ssh/id_ed25519`) when the host trusts it, else with the password.

use crate::app::App;
use std::path::{Path, PathBuf};
use std::process::Command;
use zstack_kit::{ApiError, ApiResult};

pub struct SshTarget<'a> {
    pub ip: &'a str,
    pub port: i64,
    pub username: &'a str,
    pub password: Option<&'a str>,
}

/// The agent binary to copy: `ZSTACK_AGENT_BINARY`, or `zstack-agent` beside `zstack`.
pub fn agent_binary() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ZSTACK_AGENT_BINARY") {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    // Tests run from target/<profile>/deps; the binary is one level up.
    [dir.join("zstack-agent"), dir.parent()?.join("zstack-agent")].into_iter().find(|p| p.exists())
}

/// The node's SSH key pair, made on first use.
pub fn node_key(app: &App) -> ApiResult<PathBuf> {
    let dir = app.settings.data_dir.join("ssh");
    let key = dir.join("id_ed25519");
    if !key.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| ApiError::internal(format!("cannot create {}: {e}", dir.display())))?;
        let out = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "zstack-management-node", "-f"]).arg(&key).output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => return Err(ApiError::internal(format!("ssh-keygen failed: {}", String::from_utf8_lossy(&o.stderr)))),
            Err(e) => return Err(ApiError::internal(format!("cannot run ssh-keygen: {e}"))),
        }
    }
    Ok(key)
}

fn ssh_base(app: &App, t: &SshTarget) -> ApiResult<Command> {
    let program = "ssh";
    let key = node_key(app)?;
    let mut cmd = match t.password.filter(|p| !p.is_empty()) {
        Some(p) => {
            let mut c = Command::new("sshpass");
            c.env("SSHPASS", p).arg("-e").arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.args(["-p", &t.port.to_string(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-i"])
        .arg(&key);
    Ok(cmd)
}

fn run(mut cmd: Command, what: &str) -> ApiResult<String> {
    let out = cmd.output().map_err(|e| ApiError::operation(format!("{what}: cannot run {:?}: {e}", cmd.get_program())))?;
    if !out.status.success() {
        return Err(ApiError::operation(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Shell-quote for the remote `sh -c`.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Copy the agent to `dir` on the host and start it listening on `ip:port` with `token`.
pub async fn deploy(app: &App, t: SshTarget<'_>, agent_port: u16, token: &str, dir: &str) -> ApiResult<()> {
    let bin = agent_binary().ok_or_else(|| ApiError::operation("the zstack-agent binary to deploy was not found: set ZSTACK_AGENT_BINARY"))?;
    let (app, target) = (app.clone(), (t.ip.to_string(), t.port, t.username.to_string(), t.password.map(String::from)));
    let token = token.to_string();
    let dir = dir.to_string();
    tokio::task::spawn_blocking(move || {
        let t = SshTarget { ip: &target.0, port: target.1, username: &target.2, password: target.3.as_deref() };
        let login = format!("{}@{}", t.username, t.ip);
        let mut mk = ssh_base(&app, &t)?;
        mk.arg(&login).arg(format!("mkdir -p {0}/data && chmod 700 {0}/data", q(&dir)));
        run(mk, &format!("preparing {dir} on {}", t.ip))?;
        // Streamed through ssh itself: hosts without an SFTP subsystem work too.
        let mut cp = ssh_base(&app, &t)?;
        let file = std::fs::File::open(&bin).map_err(|e| ApiError::operation(format!("cannot read {}: {e}", bin.display())))?;
        cp.arg(&login).arg(format!("cat > {}/zstack-agent.new", q(&dir))).stdin(file);
        run(cp, &format!("copying the agent to {}", t.ip))?;
        let start = start_script(&dir, t.ip, agent_port, &token);
        let mut st = ssh_base(&app, &t)?;
        st.arg(&login).arg(start);
        run(st, &format!("starting the agent on {}", t.ip))?;
        Ok(())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// Install the new binary, write the token, then (re)start the service.
fn start_script(dir: &str, ip: &str, port: u16, token: &str) -> String {
    let d = q(dir);
    let args = format!("--listen {ip}:{port} --data-dir {dir}/data --token-file {dir}/data/agent-token");
    format!(
        "set -e; cd {d}; mv -f zstack-agent.new zstack-agent; chmod 755 zstack-agent; umask 077; printf %s {tok} > data/agent-token; \
         if [ -f agent.pid ] && kill -0 \"$(cat agent.pid)\" 2>/dev/null; then kill \"$(cat agent.pid)\"; sleep 1; fi; \
         if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then \
           printf '[Unit]\\nDescription=zstack-agent\\n[Service]\\nExecStart={dir}/zstack-agent {args}\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/zstack-agent.service; \
           systemctl daemon-reload; systemctl enable zstack-agent; systemctl restart zstack-agent; \
         else nohup sh -c 'echo $$ > agent.pid; exec ./zstack-agent {args}' > agent.log 2>&1 < /dev/null & fi",
        tok = q(token),
    )
}

/// Remove a deployed agent's pid-file service (tests, host removal).
pub fn stop_detached(dir: &Path) {
    if let Ok(pid) = std::fs::read_to_string(dir.join("agent.pid")) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
}
