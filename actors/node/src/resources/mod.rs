//! The resources: one actor type per resource kind (state = its inventory,
//! loaded on first message), the API handlers that drive them, and the
//! helpers they share. Mutations of a resource run on its actor; the
//! inventory is written through to the database inside the actor's turn.

pub mod batch_query;
pub mod cascade;
pub mod compute;
pub mod infra;
pub mod long_job;
pub mod misc;
pub mod network;
pub mod placement;
pub mod storage_types;
pub mod users;
pub mod vm;
pub mod vm_ops;
pub mod volume;
pub mod vxlan;

use crate::app::App;
use crate::store::{str_of, Inventory};
use crate::tables;
use actix::ArbiterHandle;
use futures::future::LocalBoxFuture;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::marker::PhantomData;
use std::time::Duration;
use zstack_db::time::{now_ms, to_wire};
use zstack_db::TableSpec;
use zstack_kit::actor::{ActorDirectory, Cell, ResourceState};
use zstack_kit::error::codes;
use zstack_kit::flow::FlowHooks;
use zstack_kit::{ApiError, ApiResult};

/// A resource type: its table.
pub trait Kind: Unpin + 'static {
    const SPEC: &'static TableSpec;
}

macro_rules! kinds {
    ($($name:ident => $spec:path),* $(,)?) => {
        $(pub struct $name; impl Kind for $name { const SPEC: &'static TableSpec = &$spec; })*
    };
}

kinds!(
    ZoneK => tables::ZONE, ClusterK => tables::CLUSTER, HostK => tables::HOST, PrimaryStorageK => tables::PRIMARY_STORAGE,
    BackupStorageK => tables::BACKUP_STORAGE, L2K => tables::L2_NETWORK, InstanceOfferingK => tables::INSTANCE_OFFERING,
    DiskOfferingK => tables::DISK_OFFERING, ImageK => tables::IMAGE, VmK => tables::VM_INSTANCE, VolumeK => tables::VOLUME,
);

/// The state of a resource actor: the inventory as stored.
pub struct Res<K: Kind> {
    pub inv: Inventory,
    pub gone: bool,
    _k: PhantomData<K>,
}

impl<K: Kind> ResourceState for Res<K> {
    type Env = App;
    const KIND: &'static str = K::SPEC.vo;

    fn activate(uuid: String, app: App) -> LocalBoxFuture<'static, ApiResult<Self>> {
        Box::pin(async move {
            Ok(Res::of(app.store.inv_must(K::SPEC, &uuid).await?))
        })
    }

    fn is_gone(&self) -> bool {
        self.gone
    }
}

impl<K: Kind> Res<K> {
    /// The state of a resource whose inventory is `inv` (as stored).
    pub fn of(inv: Inventory) -> Self {
        Res { inv, gone: false, _k: PhantomData }
    }
    pub fn str(&self, f: &str) -> Option<&str> {
        str_of(&self.inv, f)
    }
    pub fn string(&self, f: &str) -> String {
        self.str(f).unwrap_or_default().to_string()
    }
    pub fn i64(&self, f: &str) -> i64 {
        self.inv.get(f).and_then(|v| v.as_i64()).unwrap_or(0)
    }
    pub fn set(&mut self, f: &str, v: Value) {
        if v.is_null() {
            self.inv.remove(f);
        } else {
            self.inv.insert(f.to_string(), v);
        }
        self.inv.insert("lastOpDate".into(), json!(to_wire(now_ms())));
    }
}

pub type Dir<K> = ActorDirectory<Res<K>>;

/// The actor directories of every resource type.
pub struct Dirs {
    pub zone: Dir<ZoneK>,
    pub cluster: Dir<ClusterK>,
    pub host: Dir<HostK>,
    pub primary_storage: Dir<PrimaryStorageK>,
    pub backup_storage: Dir<BackupStorageK>,
    pub l2: Dir<L2K>,
    pub l3: ActorDirectory<network::L3State>,
    pub instance_offering: Dir<InstanceOfferingK>,
    pub disk_offering: Dir<DiskOfferingK>,
    pub image: Dir<ImageK>,
    pub vm: Dir<VmK>,
    pub volume: Dir<VolumeK>,
    /// Resources whose cascade deletion is under way: nothing new may be created under them.
    pub deleting: Mutex<HashSet<String>>,
    /// Where VMs can go, kept in memory between topology changes.
    pub placement: placement::Placement,
    /// The Alibaba Cloud resources.
    pub hybrid: crate::hybrid::HybridDirs,
}

/// Actors idle this long are passivated.
const IDLE: Duration = Duration::from_secs(30);

impl Dirs {
    pub fn new(app: &App, arbiters: Vec<ArbiterHandle>) -> Dirs {
        let a = || arbiters.clone();
        Dirs {
            zone: ActorDirectory::new(app.clone(), a(), IDLE),
            cluster: ActorDirectory::new(app.clone(), a(), IDLE),
            host: ActorDirectory::new(app.clone(), a(), IDLE),
            primary_storage: ActorDirectory::new(app.clone(), a(), IDLE),
            backup_storage: ActorDirectory::new(app.clone(), a(), IDLE),
            l2: ActorDirectory::new(app.clone(), a(), IDLE),
            l3: ActorDirectory::new(app.clone(), a(), IDLE),
            instance_offering: ActorDirectory::new(app.clone(), a(), IDLE),
            disk_offering: ActorDirectory::new(app.clone(), a(), IDLE),
            image: ActorDirectory::new(app.clone(), a(), IDLE),
            vm: ActorDirectory::new(app.clone(), a(), IDLE),
            volume: ActorDirectory::new(app.clone(), a(), IDLE),
            deleting: Mutex::new(HashSet::new()),
            placement: placement::Placement::default(),
            hybrid: crate::hybrid::HybridDirs::new(app, &arbiters, IDLE),
        }
    }

    pub fn live_actors(&self) -> usize {
        self.zone.live() + self.cluster.live() + self.host.live() + self.primary_storage.live() + self.backup_storage.live()
            + self.l2.live() + self.l3.live() + self.instance_offering.live() + self.disk_offering.live() + self.image.live()
            + self.vm.live() + self.volume.live() + self.hybrid.live()
    }

    pub fn refuse_if_deleting(&self, parents: &[&str]) -> ApiResult<()> {
        let deleting = self.deleting.lock();
        for p in parents {
            if deleting.contains(*p) {
                return Err(ApiError::new(codes::RESOURCE_BUSY, format!("resource[uuid:{p}] is being deleted; nothing can be created under it")));
            }
        }
        Ok(())
    }
}

/// A new inventory with ZStack's dates, nulls dropped.
pub fn new_inv(fields: Value) -> Inventory {
    let now = to_wire(now_ms());
    let mut inv = fields.as_object().cloned().unwrap_or_default();
    inv.retain(|_, v| !v.is_null());
    inv.insert("createDate".into(), json!(now));
    inv.insert("lastOpDate".into(), json!(now));
    inv
}

/// Run `f` on a resource's actor, then write the inventory through; the
/// commit is queued inside the turn and awaited after it.
pub async fn mutate<K: Kind, R: Send + 'static>(
    app: &App,
    dir: &Dir<K>,
    uuid: &str,
    f: impl FnOnce(&mut Res<K>) -> ApiResult<R> + Send + 'static,
) -> ApiResult<R> {
    let (r, commit) = mutate_queued(app, dir, uuid, f).await?;
    commit.await?;
    Ok(r)
}

/// `mutate`, handing back the pending commit, so a caller that changes
/// several resources can wait for their commits together.
pub async fn mutate_queued<K: Kind, R: Send + 'static>(
    app: &App,
    dir: &Dir<K>,
    uuid: &str,
    f: impl FnOnce(&mut Res<K>) -> ApiResult<R> + Send + 'static,
) -> ApiResult<(R, PendingCommit)> {
    let store = app.store.clone();
    dir
        .ask(uuid, move |cell: Cell<Res<K>>| {
            Box::pin(async move {
                let mut s = cell.borrow_mut();
                let r = f(&mut s)?;
                let commit = store.db.submit(vec![store.update_stmt(K::SPEC, &s.inv)]);
                Ok((r, Box::pin(commit) as PendingCommit))
            })
        })
        .await
}

/// A pending commit handed out of an actor's turn, awaited by the caller after it.
pub type PendingCommit = std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<()>> + Send>>;

/// The stored inventory via its actor (so it reflects every queued change).
pub async fn read<K: Kind>(dir: &Dir<K>, uuid: &str) -> ApiResult<Inventory> {
    dir.ask(uuid, |cell: Cell<Res<K>>| Box::pin(async move { Ok(cell.borrow().inv.clone()) })).await
}

/// `changeXxxState` with `stateEvent` enable/disable.
pub fn next_enable_state(kind: &str, uuid: &str, event: &str) -> ApiResult<&'static str> {
    match event {
        "enable" => Ok("Enabled"),
        "disable" => Ok("Disabled"),
        other => Err(ApiError::invalid_argument(format!("stateEvent[{other}] is not valid for {kind}[uuid:{uuid}]; use enable or disable"))),
    }
}

/// Apply `updateXxx` fields (name, description and the listed extras).
pub fn apply_update(inv: &mut Inventory, params: &serde_json::Map<String, Value>, extras: &[&str]) {
    for f in ["name", "description"].iter().chain(extras) {
        if let Some(v) = params.get(*f).filter(|v| !v.is_null()) {
            inv.insert(f.to_string(), v.clone());
        }
    }
    inv.insert("lastOpDate".into(), json!(to_wire(now_ms())));
}

/// Which flow steps tests want to fail.
#[derive(Default)]
pub struct FlowFaults {
    steps: Mutex<HashSet<(String, String)>>,
}

impl FlowFaults {
    pub fn fail_step(&self, chain: &str, step: &str) {
        self.steps.lock().insert((chain.to_string(), step.to_string()));
    }
    pub fn clear(&self) {
        self.steps.lock().clear();
    }
}

impl<C> FlowHooks<C> for FlowFaults {
    fn inject_failure(&self, chain: &str, step: &str) -> Option<ApiError> {
        if self.steps.lock().contains(&(chain.to_string(), step.to_string())) {
            Some(ApiError::operation(format!("injected failure at {chain}/{step}")))
        } else {
            None
        }
    }
}
