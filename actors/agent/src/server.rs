//! The agent's HTTP server: one POST handler that authenticates, then either
//! answers synchronously (no `taskuuid` header) or acknowledges at once and
//! POSTs the response to `callbackurl` with the `taskuuid` header (ZStack's
//! async convention). `dispatch` maps each protocol path to its work.

use crate::auth::TokenStore;
use crate::config::AgentConfig;
use crate::domain_xml::DomainXmlOptions;
use crate::error::{AgentError, AgentResult, ErrorKind};
use crate::host;
use crate::libvirt::{version_string, Libvirt};
use crate::network;
use crate::storage::LocalStorage;
use crate::vm::{VmOp, VmRegistry, VmSettings};
use actix_web::{http::StatusCode, web, App, HttpRequest, HttpResponse, HttpServer};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zstack_agent_proto::{headers, paths, *};

pub const AGENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything the handlers share.
pub struct AgentState {
    pub config: AgentConfig,
    pub libvirt: Libvirt,
    pub vms: Arc<VmRegistry>,
    pub tokens: TokenStore,
    pub storage: Arc<LocalStorage>,
    pub virtualization: VirtualizationType,
    /// The last `/host/connect`, for `/host/ping`.
    connected: Mutex<Option<ConnectCmd>>,
    http: reqwest::Client,
}

impl AgentState {
    /// Builds the state; needs a running actix System (it starts the libvirt
    /// worker pool).
    pub fn new(config: AgentConfig) -> AgentResult<AgentState> {
        let console_dir = config.data_dir.join("console");
        std::fs::create_dir_all(&console_dir)
            .map_err(|e| AgentError::io(format!("cannot create {}", console_dir.display()), &e))?;
        let tokens = TokenStore::load(config.token_file.clone())?;
        let virtualization = host::detect_virtualization();
        let libvirt = Libvirt::start(&config.libvirt_uri, config.libvirt_workers);
        let settings = VmSettings {
            xml: DomainXmlOptions {
                domain_type: virtualization.domain_type().to_string(),
                console_log_dir: console_dir,
            },
            migrate_uri_template: config.migrate_uri_template.clone(),
        };
        // Idle connections are dropped before a peer's keep-alive (actix: 5 s) closes them,
        // or a request sent on one as it closes fails with an incomplete message.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| AgentError::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(AgentState {
            vms: VmRegistry::new(libvirt.clone(), settings),
            libvirt,
            tokens,
            storage: Arc::new(LocalStorage::new(http.clone())),
            virtualization,
            connected: Mutex::new(None),
            http,
            config,
        })
    }
}

/// A started agent: its bound address, a handle to stop it, and the server
/// task, which ends when the server stops (`handle.stop()`, or SIGINT/SIGTERM,
/// which actix-web handles with a graceful stop).
pub struct RunningAgent {
    pub addr: SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    pub state: web::Data<AgentState>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds and starts the HTTP server inside the current actix System; the
/// server runs until `handle.stop()`.
pub async fn start(config: AgentConfig) -> std::io::Result<RunningAgent> {
    let listen = config.listen.clone();
    let workers = config.http_workers.max(1);
    let state =
        web::Data::new(AgentState::new(config).map_err(|e| std::io::Error::other(e.message))?);
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .app_data(web::PayloadConfig::new(16 << 20))
            .default_service(web::to(handle))
    })
    .workers(workers)
    .bind(&listen)?;
    let addr = *server
        .addrs()
        .first()
        .ok_or_else(|| std::io::Error::other(format!("nothing bound on {listen}")))?;
    let server = server.run();
    let handle = server.handle();
    let server = actix_web::rt::spawn(server);
    log::info!(
        "zstack-agent {AGENT_VERSION} listening on {addr}, libvirt {}",
        state.libvirt.uri
    );
    Ok(RunningAgent {
        addr,
        handle,
        state,
        server,
    })
}

fn json_response(status: u16, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .body(
            serde_json::to_string(body)
                .unwrap_or_else(|_| "{\"success\":false,\"error\":\"unencodable reply\"}".into()),
        )
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<AgentState>) -> HttpResponse {
    let path = req.path().to_string();
    if req.method() != actix_web::http::Method::POST {
        return json_response(
            405,
            &AgentResponse::failure(format!(
                "{} {path}: the agent accepts only POST",
                req.method()
            )),
        );
    }
    let token = header(&req, headers::AGENT_TOKEN);
    let auth = match path.as_str() {
        paths::HOST_ECHO => Ok(()),
        paths::HOST_CONNECT => state.tokens.check_or_establish(token),
        _ => state.tokens.check(token),
    };
    if let Err(e) = auth {
        log::warn!("refused {path} from {:?}: {e}", req.peer_addr());
        return json_response(e.http_status(), &e.to_response());
    }

    if path == paths::LOCAL_STORAGE_FILE_READ {
        return send_file(&state, &body);
    }

    let task = header(&req, headers::TASK_UUID).map(str::to_string);
    let callback = header(&req, headers::CALLBACK_URL).map(str::to_string);
    if let (Some(task), Some(callback)) = (task, callback) {
        if !(callback.starts_with("http://") || callback.starts_with("https://")) {
            let e =
                AgentError::bad_request(format!("callbackurl '{callback}' is not an http(s) URL"));
            return json_response(400, &e.to_response());
        }
        if !is_known_path(&path) {
            let e = unknown_path(&path);
            return json_response(e.http_status(), &e.to_response());
        }
        let st = state.clone();
        actix_web::rt::spawn(async move {
            let reply = match dispatch(&st, &path, &body).await {
                Ok(v) => v,
                Err(e) => {
                    log::warn!("{path} (task {task}) failed: {e}");
                    serde_json::to_value(e.to_response()).unwrap_or_default()
                }
            };
            post_callback(&st.http, &callback, &task, &reply).await;
        });
        return json_response(200, &AgentResponse::ok());
    }

    match dispatch(&state, &path, &body).await {
        Ok(v) => json_response(200, &v),
        Err(e) => {
            log::warn!("{path} failed: {e}");
            json_response(e.http_status(), &e.to_response())
        }
    }
}

/// `/localstorage/file/read`: the file's bytes, streamed in 1 MiB chunks
/// (the reads are local and short, so they run on the executor).
fn send_file(state: &AgentState, body: &[u8]) -> HttpResponse {
    let opened = parse::<ReadFileCmd>(paths::LOCAL_STORAGE_FILE_READ, body).and_then(|cmd| state.storage.open_for_read(&cmd));
    let (file, len) = match opened {
        Ok(f) => f,
        // Not 200: the receiver must never mistake an error for file content.
        Err(e) => {
            let status = match e.http_status() {
                200 if e.is_not_found() => 404,
                200 => 400,
                s => s,
            };
            return json_response(status, &e.to_response());
        }
    };
    let chunks = futures::stream::unfold(Some(file), |file| async move {
        use std::io::Read;
        let mut file = file?;
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(web::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(actix_web::body::SizedStream::new(len, chunks))
}

/// POSTs an async reply, retrying a few times: the node may be briefly busy.
async fn post_callback(http: &reqwest::Client, url: &str, task: &str, reply: &serde_json::Value) {
    let body = reply.to_string();
    for attempt in 0..4u32 {
        let sent = http
            .post(url)
            .header(headers::TASK_UUID, task)
            .header("content-type", "application/json; charset=utf-8")
            .timeout(Duration::from_secs(30))
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => log::warn!("callback for task {task} to {url}: HTTP {}", r.status()),
            Err(e) => log::warn!("callback for task {task} to {url}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
    }
    log::error!("gave up delivering the reply of task {task} to {url}");
}

const KNOWN_PATHS: &[&str] = &[
    paths::HOST_CONNECT,
    paths::HOST_ECHO,
    paths::HOST_PING,
    paths::HOST_FACT,
    paths::HOST_CAPACITY,
    paths::HOST_METRICS,
    paths::VM_START,
    paths::VM_STOP,
    paths::VM_REBOOT,
    paths::VM_DESTROY,
    paths::VM_PAUSE,
    paths::VM_RESUME,
    paths::VM_MIGRATE,
    paths::VM_NOCLOUD_SEED,
    paths::VM_ATTACH_DATA_VOLUME,
    paths::VM_DETACH_DATA_VOLUME,
    paths::VM_SYNC,
    paths::VM_CHECK_STATE,
    paths::VM_GET_VNC_PORT,
    paths::VM_TAKE_SNAPSHOT,
    paths::VM_MERGE_SNAPSHOT,
    paths::L2_NOVLAN_CREATE_BRIDGE,
    paths::L2_VLAN_CREATE_BRIDGE,
    paths::LOCAL_STORAGE_INIT,
    paths::LOCAL_STORAGE_GET_PHYSICAL_CAPACITY,
    paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME,
    paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE,
    paths::LOCAL_STORAGE_DELETE,
    paths::LOCAL_STORAGE_REVERT_SNAPSHOT,
    paths::LOCAL_STORAGE_FETCH_FILES,
    paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE,
];

fn is_known_path(path: &str) -> bool {
    KNOWN_PATHS.contains(&path)
}

fn unknown_path(path: &str) -> AgentError {
    AgentError::new(
        ErrorKind::UnknownPath,
        format!("this agent has no handler for {path}"),
    )
}

/// An empty body is an empty command (ZStack sends `{}` or nothing for
/// parameterless calls).
fn parse<T: DeserializeOwned + Default>(path: &str, body: &[u8]) -> AgentResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| AgentError::bad_request(format!("invalid JSON body for {path}: {e}")))
}

fn to_value(r: impl Serialize) -> AgentResult<serde_json::Value> {
    serde_json::to_value(r).map_err(|e| AgentError::internal(format!("cannot encode reply: {e}")))
}

/// Runs blocking work (files, qemu-img, ip) on actix's blocking pool.
async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> AgentResult<R> + Send + 'static,
) -> AgentResult<R> {
    web::block(f)
        .await
        .map_err(|e| AgentError::internal(format!("blocking pool: {e}")))?
}

/// The work behind each path.
pub async fn dispatch(
    state: &AgentState,
    path: &str,
    body: &[u8],
) -> AgentResult<serde_json::Value> {
    match path {
        paths::HOST_ECHO => to_value(AgentResponse::ok()),
        paths::HOST_CONNECT => {
            let cmd: ConnectCmd = parse(path, body)?;
            let (libvirt_version, qemu_version) = state
                .libvirt
                .run(|c| {
                    let lib = c
                        .get_lib_version()
                        .map_err(|e| AgentError::libvirt("cannot read the libvirt version", &e))?;
                    Ok((
                        version_string(lib),
                        c.get_hyp_version().ok().map(version_string),
                    ))
                })
                .await?;
            *state.connected.lock().expect("connect state") = Some(cmd);
            to_value(ConnectResponse {
                libvirt_version: Some(libvirt_version),
                qemu_version,
                iptables_succ: true,
                ..Default::default()
            })
        }
        paths::HOST_PING => {
            let _cmd: PingCmd = parse(path, body)?;
            let connected = state.connected.lock().expect("connect state").clone();
            to_value(PingResponse {
                host_uuid: connected.as_ref().map(|c| c.host_uuid.clone()),
                send_command_url: connected.and_then(|c| c.send_command_url),
                version: Some(AGENT_VERSION.into()),
                ..Default::default()
            })
        }
        paths::HOST_FACT => {
            let _cmd: HostFactCmd = parse(path, body)?;
            let v = state.virtualization;
            to_value(state.libvirt.run(move |c| host::host_facts(c, v)).await?)
        }
        paths::HOST_CAPACITY => {
            let _cmd: HostCapacityCmd = parse(path, body)?;
            to_value(state.libvirt.run(host::host_capacity).await?)
        }
        paths::HOST_METRICS => {
            let cmd: HostMetricsCmd = parse(path, body)?;
            to_value(
                state
                    .libvirt
                    .run(move |c| host::host_metrics(c, &cmd))
                    .await?,
            )
        }
        paths::VM_START => {
            state
                .vms
                .send(VmOp::Start(Box::new(parse(path, body)?)))
                .await
        }
        paths::VM_STOP => state.vms.send(VmOp::Stop(parse(path, body)?)).await,
        paths::VM_REBOOT => state.vms.send(VmOp::Reboot(parse(path, body)?)).await,
        paths::VM_DESTROY => state.vms.send(VmOp::Destroy(parse(path, body)?)).await,
        paths::VM_PAUSE => state.vms.send(VmOp::Pause(parse(path, body)?)).await,
        paths::VM_RESUME => state.vms.send(VmOp::Resume(parse(path, body)?)).await,
        paths::VM_MIGRATE => state.vms.send(VmOp::Migrate(parse(path, body)?)).await,
        paths::VM_NOCLOUD_SEED => state.vms.send(VmOp::NoCloudSeed(parse(path, body)?)).await,
        paths::VM_ATTACH_DATA_VOLUME => {
            state.vms.send(VmOp::AttachVolume(parse(path, body)?)).await
        }
        paths::VM_DETACH_DATA_VOLUME => {
            state.vms.send(VmOp::DetachVolume(parse(path, body)?)).await
        }
        paths::VM_GET_VNC_PORT => state.vms.send(VmOp::GetVncPort(parse(path, body)?)).await,
        paths::VM_TAKE_SNAPSHOT => state.vms.send(VmOp::TakeSnapshot(parse(path, body)?)).await,
        paths::VM_MERGE_SNAPSHOT => state.vms.send(VmOp::MergeSnapshot(parse(path, body)?)).await,
        paths::VM_SYNC => {
            let _cmd: VmSyncCmd = parse(path, body)?;
            to_value(state.libvirt.run(host::vm_sync).await?)
        }
        paths::VM_CHECK_STATE => {
            let cmd: CheckVmStateCmd = parse(path, body)?;
            to_value(
                state
                    .libvirt
                    .run(move |c| host::check_state(c, &cmd))
                    .await?,
            )
        }
        paths::L2_NOVLAN_CREATE_BRIDGE | paths::L2_VLAN_CREATE_BRIDGE => {
            let cmd: CreateBridgeCmd = parse(path, body)?;
            to_value(blocking(move || network::create_bridge(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_INIT => {
            let cmd: LocalStorageInitCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.init(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_GET_PHYSICAL_CAPACITY => {
            let cmd: GetPhysicalCapacityCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.physical_capacity(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME => {
            let cmd: CreateEmptyVolumeCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.create_empty(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE => {
            let cmd: CreateVolumeFromCacheCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.create_from_cache(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_DELETE => {
            let cmd: DeleteBitsCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.delete(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_REVERT_SNAPSHOT => {
            let cmd: RevertVolumeFromSnapshotCmd = parse(path, body)?;
            let st = state.storage.clone();
            to_value(blocking(move || st.revert_snapshot(&cmd)).await?)
        }
        paths::LOCAL_STORAGE_FETCH_FILES => {
            let cmd: FetchFilesCmd = parse(path, body)?;
            to_value(state.storage.fetch_files(cmd).await?)
        }
        paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE => {
            let cmd: DownloadImageToCacheCmd = parse(path, body)?;
            to_value(state.storage.download_to_cache(cmd).await?)
        }
        _ => Err(unknown_path(path)),
    }
}
