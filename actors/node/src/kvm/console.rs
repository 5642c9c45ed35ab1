//! VM consoles: `RequestConsoleAccess` hands out a token; a WebSocket on the
//! node (`/zstack/console/websockify?token=...`, what noVNC speaks) is then
//! spliced to the VM's VNC port on its host, so the RFB handshake and
//! everything after it pass through untouched. Tokens expire after
//! `console/token.timeout` seconds. Also the console address and password APIs.

use super::QUICK;
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::resources::read;
use crate::store::str_of;
use crate::tables;
use actix_http::ws::{Codec, Frame, Message};
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use actix_codec::{Decoder, Encoder};
use zstack_agent_proto::{paths, GetVncPortCmd, GetVncPortResponse};
use zstack_kit::{ApiError, ApiResult};

/// Where a console token leads, and until when.
#[derive(Clone)]
struct Grant {
    host_ip: String,
    port: u16,
    expires_ms: i64,
}

#[derive(Default)]
pub struct ConsoleTokens {
    grants: Mutex<HashMap<String, Grant>>,
}

impl ConsoleTokens {
    fn issue(&self, grant: Grant) -> String {
        let token = crate::identity::random_token();
        let now = zstack_db::time::now_ms();
        let mut g = self.grants.lock();
        g.retain(|_, v| v.expires_ms > now);
        g.insert(token.clone(), grant);
        token
    }

    fn redeem(&self, token: &str) -> Option<Grant> {
        let g = self.grants.lock();
        g.get(token).filter(|v| v.expires_ms > zstack_db::time::now_ms()).cloned()
    }
}

/// The VNC endpoint of a running VM on a KVM host.
async fn vnc_of(app: &App, vm_uuid: &str) -> ApiResult<(String, u16)> {
    let vm = read(&app.dirs().vm, vm_uuid).await?;
    if !matches!(str_of(&vm, "state"), Some("Running" | "Paused")) {
        return Err(ApiError::operation(format!("vm[uuid:{vm_uuid}] is {}: only a running VM has a console", str_of(&vm, "state").unwrap_or("?"))));
    }
    let host = str_of(&vm, "hostUuid").unwrap_or_default().to_string();
    let agent = app.kvm.agent(&host).ok_or_else(|| ApiError::operation(format!("vm[uuid:{vm_uuid}] runs on host[uuid:{host}], which has no console (not a KVM host)")))?;
    let r: GetVncPortResponse = agent.call(paths::VM_GET_VNC_PORT, &GetVncPortCmd { vm_uuid: vm_uuid.into() }, QUICK).await?;
    let port = r.vnc_port.or(r.port).filter(|p| *p > 0).ok_or_else(|| ApiError::operation(format!("vm[uuid:{vm_uuid}] has no VNC port")))?;
    let h = app.store.inv_must(&tables::HOST, &host).await?;
    Ok((str_of(&h, "managementIp").unwrap_or_default().to_string(), port as u16))
}

pub async fn request_access(app: App, req: Req) -> ApiResult<Reply> {
    let vm = req.must("vmInstanceUuid")?;
    let (host_ip, port) = vnc_of(&app, &vm).await?;
    let ttl: i64 = app.configs.get(crate::config::CONSOLE_TOKEN_TIMEOUT).parse().unwrap_or(600);
    let expires_ms = zstack_db::time::now_ms() + ttl * 1000;
    let token = app.consoles.issue(Grant { host_ip, port, expires_ms });
    let (hostname, node_port) = app.advertised_address().rsplit_once(':').map(|(h, p)| (h.to_string(), p.to_string())).unwrap_or_default();
    let inv = json!({"uuid": new_uuid(), "vmInstanceUuid": vm, "scheme": "ws", "hostname": hostname, "port": node_port.parse::<u16>().unwrap_or(0),
        "token": token, "version": "websockify", "expiredDate": zstack_db::time::to_wire(expires_ms),
        "url": format!("ws://{hostname}:{node_port}/zstack/console/websockify?token={token}")});
    Ok(Reply::Inventory(inv))
}

pub async fn console_address(app: App, req: Req) -> ApiResult<Reply> {
    let vm = req.must("uuid")?;
    let (host_ip, port) = vnc_of(&app, &vm).await?;
    Ok(Reply::Fields([("hostIp".to_string(), json!(host_ip)), ("port".to_string(), json!(port)), ("protocol".to_string(), json!("vnc"))].into_iter().collect()))
}

pub const PASSWORD_TAG: &str = "consolePassword::";

pub async fn password_set(app: App, req: Req) -> ApiResult<Reply> {
    let vm = req.must("uuid")?;
    let password = req.must("consolePassword")?;
    if password.len() > 8 || password.contains("::") {
        return Err(ApiError::invalid_argument("consolePassword must have at most 8 characters (VNC's limit) and no '::'"));
    }
    let inv = read(&app.dirs().vm, &vm).await?;
    password_drop(&app, &vm).await?;
    let tag = crate::resources::new_inv(json!({"uuid": new_uuid(), "resourceUuid": vm, "resourceType": "VmInstanceVO", "tag": format!("{PASSWORD_TAG}{password}"),
        "type": "System", "inherent": false}));
    app.store.inv_insert(&tables::SYSTEM_TAG, &tag).await?;
    Ok(Reply::Inventory(Value::Object(inv)))
}

async fn password_drop(app: &App, vm: &str) -> ApiResult<()> {
    let stmts = app
        .store
        .inv_find(&tables::SYSTEM_TAG, "resourceUuid", vm)
        .await?
        .iter()
        .filter(|t| str_of(t, "tag").is_some_and(|t| t.starts_with(PASSWORD_TAG)))
        .map(|t| app.store.delete_stmt(&tables::SYSTEM_TAG, "uuid", str_of(t, "uuid").unwrap_or_default()))
        .collect();
    app.store.db.write(stmts).await
}

/// The console password a VM gets at its next start, if one is set.
async fn password_of(app: &App, vm: &str) -> ApiResult<Option<String>> {
    Ok(app.store.tags_of(vm).await?.into_iter().find_map(|t| t.strip_prefix(PASSWORD_TAG).map(String::from)))
}

pub async fn password_get(app: App, req: Req) -> ApiResult<Reply> {
    let vm = req.must("uuid")?;
    read(&app.dirs().vm, &vm).await?;
    let p = password_of(&app, &vm).await?;
    Ok(Reply::Fields([("consolePassword".to_string(), json!(p))].into_iter().filter(|(_, v)| !v.is_null()).collect()))
}

pub async fn password_delete(app: App, req: Req) -> ApiResult<Reply> {
    let vm = req.must("uuid")?;
    read(&app.dirs().vm, &vm).await?;
    password_drop(&app, &vm).await?;
    Ok(Reply::Empty)
}

/// `GET /zstack/console/websockify?token=...`: the WebSocket–VNC splice.
pub async fn websockify(app: web::Data<App>, req: HttpRequest, mut payload: web::Payload) -> HttpResponse {
    let token = web::Query::<HashMap<String, String>>::from_query(req.query_string()).ok().and_then(|q| q.get("token").cloned()).unwrap_or_default();
    let Some(grant) = app.consoles.redeem(&token) else {
        return HttpResponse::Forbidden().body("console token unknown or expired");
    };
    if let Err(e) = actix_http::ws::verify_handshake(req.head()) {
        return HttpResponse::BadRequest().body(format!("not a WebSocket upgrade: {e}"));
    }
    let key = req.headers().get("sec-websocket-key").map(|k| actix_http::ws::hash_key(k.as_bytes())).unwrap_or_default();
    let mut res = HttpResponse::build(actix_web::http::StatusCode::SWITCHING_PROTOCOLS);
    res.upgrade("websocket").insert_header(("sec-websocket-accept", std::str::from_utf8(&key).unwrap_or_default().to_string()));
    // noVNC asks for the `binary` subprotocol; answer it when asked.
    if let Some(p) = req.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()) {
        if p.split(',').any(|s| s.trim() == "binary") {
            res.insert_header(("sec-websocket-protocol", "binary"));
        }
    }
    let tcp = match tokio::net::TcpStream::connect((grant.host_ip.as_str(), grant.port)).await {
        Ok(s) => s,
        Err(e) => return HttpResponse::BadGateway().body(format!("cannot reach the VNC server at {}:{}: {e}", grant.host_ip, grant.port)),
    };
    let (mut vnc_in, mut vnc_out) = tcp.into_split();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, actix_web::Error>>(64);
    // VNC → browser: each read becomes one binary frame.
    let to_client = tx.clone();
    actix_web::rt::spawn(async move {
        let mut codec = Codec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match vnc_in.read(&mut buf).await {
                Ok(0) | Err(_) => 0,
                Ok(n) => n,
            };
            let mut out = BytesMut::new();
            let msg = if n == 0 { Message::Close(None) } else { Message::Binary(Bytes::copy_from_slice(&buf[..n])) };
            if codec.encode(msg, &mut out).is_err() || to_client.send(Ok(out.freeze())).await.is_err() || n == 0 {
                break;
            }
        }
    });
    // Browser → VNC: decode frames from the request body, answer pings.
    actix_web::rt::spawn(async move {
        let mut codec = Codec::new();
        let mut buf = BytesMut::new();
        'read: while let Some(Ok(chunk)) = payload.next().await {
            buf.extend_from_slice(&chunk);
            loop {
                match codec.decode(&mut buf) {
                    Ok(Some(Frame::Binary(b) | Frame::Text(b))) => {
                        if vnc_out.write_all(&b).await.is_err() {
                            break 'read;
                        }
                    }
                    Ok(Some(Frame::Ping(p))) => {
                        let mut out = BytesMut::new();
                        if codec.encode(Message::Pong(p), &mut out).is_ok() {
                            let _ = tx.send(Ok(out.freeze())).await;
                        }
                    }
                    Ok(Some(Frame::Close(_))) | Err(_) => break 'read,
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                }
            }
        }
        let _ = vnc_out.shutdown().await;
    });
    res.streaming(tokio_stream_of(rx))
}

fn tokio_stream_of(mut rx: tokio::sync::mpsc::Receiver<Result<Bytes, actix_web::Error>>) -> impl futures::Stream<Item = Result<Bytes, actix_web::Error>> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
