//! Hybrid cloud: Alibaba Cloud resources managed like local ones. Each
//! resource kind is a per-resource actor (`Res<K>`, the same machinery as the
//! local resources); remote calls go through `zstack-aliyun` clients built per
//! DataCenter (`client`); syncs are reconcilers (`sync`); local deletion is a
//! cascade (`cascade`). One file per resource family; `updates` has the
//! `Update...` APIs of all of them; `routes` lists the APIs.

pub mod cascade;
pub mod client;
pub mod connection_flow;
pub mod datacenter;
pub mod border;
pub mod disk;
pub mod ecs;
pub mod eip;
pub mod express;
pub mod image;
pub mod image_upload;
pub mod key;
pub mod oss;
pub mod poller;
pub mod recovery;
pub mod routes;
pub mod secret;
pub mod security_group;
pub mod snapshot;
pub mod sync;
pub mod tables;
pub mod updates;
pub mod vpc;
pub mod vpn;
pub mod vrouter;

use crate::app::App;
use crate::resources::{Dir, Kind};
use crate::store::{str_of, Inventory};
use actix::ArbiterHandle;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use zstack_aliyun::{AliyunError, ErrorKind};
use zstack_db::TableSpec;
use zstack_kit::actor::ActorDirectory;
use zstack_kit::error::codes;
use zstack_kit::{ApiError, ApiResult};

macro_rules! hybrid_kinds {
    ($($name:ident => $spec:path),* $(,)?) => {
        $(pub struct $name; impl Kind for $name { const SPEC: &'static TableSpec = &$spec; })*
    };
}

hybrid_kinds!(
    KeyK => tables::HYBRID_KEY, DataCenterK => tables::DATA_CENTER, IdentityZoneK => tables::IDENTITY_ZONE, VpcK => tables::ECS_VPC,
    VSwitchK => tables::ECS_VSWITCH, SecurityGroupK => tables::ECS_SECURITY_GROUP, EcsImageK => tables::ECS_IMAGE, EcsK => tables::ECS_INSTANCE,
    DiskK => tables::ALIYUN_DISK, EipK => tables::HYBRID_EIP, OssBucketK => tables::OSS_BUCKET, VRouterK => tables::ALIYUN_VIRTUAL_ROUTER,
    RouteEntryK => tables::ALIYUN_ROUTE_ENTRY, VpnGatewayK => tables::VPC_VPN_GATEWAY, UserGatewayK => tables::VPC_USER_VPN_GATEWAY,
    VpnConnectionK => tables::VPC_VPN_CONNECTION, IkeConfigK => tables::VPC_VPN_IKE_CONFIG, IpsecConfigK => tables::VPC_VPN_IPSEC_CONFIG,
    VbrK => tables::VIRTUAL_BORDER_ROUTER, RouterInterfaceK => tables::ALIYUN_ROUTER_INTERFACE,
    SnapshotK => tables::ALIYUN_SNAPSHOT,
    AccessPointK => tables::CONNECTION_ACCESS_POINT, ConnectionK => tables::CONNECTION_RELATIONSHIP,
);

/// The actor directories of the hybrid resources.
pub struct HybridDirs {
    pub key: Dir<KeyK>,
    pub data_center: Dir<DataCenterK>,
    pub identity_zone: Dir<IdentityZoneK>,
    pub vpc: Dir<VpcK>,
    pub vswitch: Dir<VSwitchK>,
    pub security_group: Dir<SecurityGroupK>,
    pub image: Dir<EcsImageK>,
    pub ecs: Dir<EcsK>,
    pub disk: Dir<DiskK>,
    pub eip: Dir<EipK>,
    pub oss_bucket: Dir<OssBucketK>,
    pub vrouter: Dir<VRouterK>,
    pub route_entry: Dir<RouteEntryK>,
    pub vpn_gateway: Dir<VpnGatewayK>,
    pub user_gateway: Dir<UserGatewayK>,
    pub vpn_connection: Dir<VpnConnectionK>,
    pub ike_config: Dir<IkeConfigK>,
    pub ipsec_config: Dir<IpsecConfigK>,
    pub vbr: Dir<VbrK>,
    pub router_interface: Dir<RouterInterfaceK>,
    pub snapshot: Dir<SnapshotK>,
    pub access_point: Dir<AccessPointK>,
    pub connection: Dir<ConnectionK>,
}

impl HybridDirs {
    pub fn new(app: &App, arbiters: &[ArbiterHandle], idle: Duration) -> HybridDirs {
        HybridDirs {
            key: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            data_center: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            identity_zone: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vpc: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vswitch: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            security_group: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            image: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            ecs: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            disk: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            eip: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            oss_bucket: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vrouter: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            route_entry: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vpn_gateway: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            user_gateway: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vpn_connection: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            ike_config: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            ipsec_config: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            vbr: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            router_interface: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            snapshot: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            access_point: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
            connection: ActorDirectory::new(app.clone(), arbiters.to_vec(), idle),
        }
    }

    pub fn live(&self) -> usize {
        [
            self.key.live(),
            self.data_center.live(),
            self.identity_zone.live(),
            self.vpc.live(),
            self.vswitch.live(),
            self.security_group.live(),
            self.image.live(),
            self.ecs.live(),
            self.disk.live(),
            self.eip.live(),
            self.oss_bucket.live(),
            self.vrouter.live(),
            self.route_entry.live(),
            self.vpn_gateway.live(),
            self.user_gateway.live(),
            self.vpn_connection.live(),
            self.ike_config.live(),
            self.ipsec_config.live(),
            self.vbr.live(),
            self.router_interface.live(),
            self.snapshot.live(),
            self.access_point.live(),
            self.connection.live(),
        ]
        .iter()
        .sum()
    }
}

/// What the node keeps for talking to Alibaba Cloud.
pub struct Hybrid {
    pub secrets: secret::SecretBox,
    pub clients: client::Clients,
    /// Image uploads of this node, by the ECS image's uuid, for GetCreateEcsImageProgress.
    pub uploads: parking_lot::Mutex<std::collections::HashMap<String, image_upload::UploadProgress>>,
    /// Creates in flight, for crash recovery.
    pub creates: recovery::InFlight,
}

impl Hybrid {
    pub fn new(data_dir: &Path) -> Hybrid {
        Hybrid { secrets: secret::SecretBox::new(data_dir), clients: client::Clients::from_env(), uploads: Default::default(), creates: Default::default() }
    }
}

/// An Alibaba Cloud failure as a ZStack error: the operation and Alibaba's
/// answer in `details`; Alibaba's own Code, Message and RequestId as the cause,
/// so clients can branch on `cause.code`.
pub fn aliyun_error(e: AliyunError) -> ApiError {
    let outer = match &e.kind {
        ErrorKind::Timeout => codes::TIMEOUT,
        _ => codes::OPERATION,
    };
    let details = e.to_string();
    match (e.code(), e.message()) {
        (Some(code), Some(message)) => {
            let cause = ApiError { code: code.to_string(), description: message.to_string(), details: format!("RequestId: {}", e.request_id().unwrap_or_default()), ..ApiError::operation("") };
            let mut err = ApiError::new(outer, details);
            err.cause = Some(Box::new(cause));
            err
        }
        _ => ApiError::new(outer, details),
    }
}

/// `{"inventory": ...}`.
pub fn inv_reply(inv: Inventory) -> ApiResult<crate::api::Reply> {
    Ok(crate::api::Reply::Inventory(Value::Object(inv)))
}

/// The inventories, as a query of `spec` would return them.
pub fn invs_reply(items: Vec<Inventory>, spec: &'static TableSpec) -> ApiResult<crate::api::Reply> {
    Ok(crate::api::Reply::Inventories { items: items.into_iter().map(Value::Object).collect(), total: None, class: spec.inventory_class })
}

/// A string field a stored hybrid inventory must have.
pub fn field(inv: &Inventory, name: &str) -> String {
    str_of(inv, name).unwrap_or_default().to_string()
}

/// The ClientToken of a create: derived from the resource uuid the API job
/// fixed before it started, so every retry of the call (by the client on a
/// throttle or lost answer, or by the job after a node restart) names the
/// same token and Alibaba Cloud never creates a duplicate.
pub fn client_token(resource_uuid: &str) -> String {
    format!("zstack-{resource_uuid}")
}

/// Run `f` on the resource's actor with its current inventory, so remote
/// operations on one resource never interleave (start while stopping, ...).
pub async fn on_actor<K: Kind, R: Send + 'static>(
    app: &App,
    dir: &Dir<K>,
    uuid: &str,
    f: impl FnOnce(Inventory) -> futures::future::LocalBoxFuture<'static, ApiResult<R>> + Send + 'static,
) -> ApiResult<R> {
    on_actor_write(app, dir, uuid, move |inv| Box::pin(async move { Ok((f(inv).await?, None)) })).await
}

/// A remote delete: Alibaba Cloud first, on the record's actor (so an
/// operation queued on it finishes first); the local record, with what is
/// below it, goes only once Alibaba confirmed or no longer has the resource.
pub async fn delete_remote_first<K: Kind>(
    app: &App,
    dir: &Dir<K>,
    kind: &'static str,
    uuid: &str,
    call: impl FnOnce(App, client::Remote, Inventory) -> futures::future::LocalBoxFuture<'static, ApiResult<()>> + Send + 'static,
) -> ApiResult<crate::api::Reply> {
    let a = app.clone();
    on_actor(app, dir, uuid, move |inv| {
        Box::pin(async move {
            let remote = client::for_data_center(&a, &field(&inv, "dataCenterUuid")).await?;
            call(a, remote, inv).await
        })
    })
    .await?;
    cascade::delete_local(app, zstack_kit::cascade::Node::new(kind, uuid), zstack_kit::cascade::DeleteMode::Permissive).await?;
    Ok(crate::api::Reply::Empty)
}

/// Insert a record made remotely under its parent; when the insert fails,
/// `undo` removes the remote resource, so no half-made resource is left.
pub async fn insert_or_undo<P: Kind>(
    app: &App,
    parent_dir: &Dir<P>,
    parent: &str,
    spec: &'static TableSpec,
    inv: Inventory,
    undo: impl std::future::Future<Output = ()>,
) -> ApiResult<()> {
    match crate::resources::infra::create_under(app, parent_dir, parent, spec, inv).await {
        Ok(()) => Ok(()),
        Err(e) => {
            undo.await;
            Err(e)
        }
    }
}

/// Poll `status` until it is one of `want`; a transition that takes longer
/// than the configured limit fails the job with SYS.1001.
pub async fn wait_for_status<F, Fut>(app: &App, what: &str, want: &[&str], mut status: F) -> ApiResult<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ApiResult<String>>,
{
    let settings = app.hybrid.clients.settings();
    let deadline = std::time::Instant::now() + settings.transition_timeout;
    loop {
        let now = status().await?;
        if want.contains(&now.as_str()) {
            return Ok(now);
        }
        if std::time::Instant::now() >= deadline {
            return Err(ApiError::new(codes::TIMEOUT, format!("{what} is still {now} after {:?}; expected {}", settings.transition_timeout, want.join(" or "))));
        }
        tokio::time::sleep(settings.poll_interval).await;
    }
}

/// Undo of a remote create: failures are logged, the original error is what the job reports.
pub async fn undo_logged<T>(what: &str, r: Result<T, AliyunError>) {
    if let Err(e) = r {
        if !e.is_not_found() {
            log::warn!("rolling back {what} failed: {e}");
        }
    }
}

/// A remote delete: a resource Alibaba Cloud no longer has counts as deleted.
pub fn deleted_or_gone<T>(r: Result<T, AliyunError>) -> ApiResult<()> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(aliyun_error(e)),
    }
}

/// The uuid of the local record with `id_field == id` among `rows`, by id.
/// A record renamed and redescribed (each only when given), as `on_actor_write` writes it.
pub fn relabelled(mut inv: Inventory, name: Option<String>, description: Option<String>) -> (Inventory, Option<Inventory>) {
    if let Some(n) = name {
        inv.insert("name".into(), Value::String(n));
    }
    if let Some(d) = description {
        inv.insert("description".into(), Value::String(d));
    }
    (inv.clone(), Some(inv))
}

pub fn uuid_by_id(rows: &[Inventory], id_field: &str) -> std::collections::HashMap<String, String> {
    rows.iter().filter_map(|r| Some((str_of(r, id_field)?.to_string(), str_of(r, "uuid")?.to_string()))).collect()
}

/// Like [`on_actor`], and `f` may hand back a new inventory, written through
/// inside the same turn (an operation's outcome is recorded before the next
/// operation on the resource starts).
pub async fn on_actor_write<K: Kind, R: Send + 'static>(
    app: &App,
    dir: &Dir<K>,
    uuid: &str,
    f: impl FnOnce(Inventory) -> futures::future::LocalBoxFuture<'static, ApiResult<(R, Option<Inventory>)>> + Send + 'static,
) -> ApiResult<R> {
    let kind = K::SPEC.vo;
    let id = uuid.to_string();
    let store = app.store.clone();
    dir.ask(uuid, move |cell: zstack_kit::actor::Cell<crate::resources::Res<K>>| {
        Box::pin(async move {
            let inv = {
                let s = cell.borrow();
                if s.gone {
                    return Err(ApiError::not_found(kind, &id));
                }
                s.inv.clone()
            };
            let (r, new) = f(inv).await?;
            if let Some(mut new) = new {
                new.insert("lastOpDate".into(), Value::String(zstack_db::time::to_wire(zstack_db::time::now_ms())));
                store.inv_update(K::SPEC, &new).await?;
                cell.borrow_mut().inv = new;
            }
            Ok(r)
        })
    })
    .await
}

/// The local record of kind `spec` whose Alibaba id (`id_field`) is `id`, in a DataCenter.
pub async fn local_by_remote_id(app: &App, spec: &'static TableSpec, id_field: &str, dc: &str, id: &str) -> ApiResult<Option<Inventory>> {
    if id.is_empty() {
        return Ok(None);
    }
    Ok(app.store.inv_find(spec, id_field, id).await?.into_iter().find(|r| str_of(r, "dataCenterUuid") == Some(dc)))
}
