//! The resource actor kit: one actix actor per resource whose mailbox is that
//! resource's work queue (ZStack's per-resource sync queue, without locks).
//!
//! * `ActorDirectory` activates an actor on the first message for a uuid,
//!   loading its state from the durable record (`ResourceState::activate`),
//!   and passivates it after it has been idle, so the number of live actors
//!   never limits how many resources the node manages.
//! * Every operation is an `Exec` message whose future runs under
//!   `AtomicResponse`: the next message is not started before the previous
//!   one has finished, even across awaits.
//! * Actors are spread over a fixed set of arbiters (one per core); actix
//!   stays behind this file so the runtime could be swapped.

use crate::error::{ApiError, ApiResult};
use actix::prelude::*;
use futures::future::LocalBoxFuture;
use parking_lot::Mutex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// State an actor owns, shared with the operation running on it. The actor
/// runs on one arbiter thread, so `Rc<RefCell<_>>` is enough; operations must
/// not hold a borrow across an await.
pub type Cell<S> = Rc<RefCell<S>>;

pub trait ResourceState: Sized + Unpin + 'static {
    /// What an actor needs to reach the rest of the node (database, drivers).
    type Env: Clone + Send + Sync + Unpin + 'static;
    /// The resource type name used in errors, e.g. `VmInstanceVO`.
    const KIND: &'static str;
    /// Load the state from the durable record. Called on the actor's thread
    /// when the first message arrives.
    fn activate(uuid: String, env: Self::Env) -> LocalBoxFuture<'static, ApiResult<Self>>;
    /// True once the resource no longer exists: the actor drops its state and
    /// the next message activates from the database again (and fails there).
    fn is_gone(&self) -> bool {
        false
    }
}

type Op<S, R> = Box<dyn FnOnce(Cell<S>) -> LocalBoxFuture<'static, ApiResult<R>> + Send>;

/// The state a new resource's actor starts with instead of reading it back.
type Seed<S> = Box<dyn FnOnce() -> S + Send>;

struct Exec<S: ResourceState, R: Send + 'static> {
    op: Op<S, R>,
    seed: Option<Seed<S>>,
}

impl<S: ResourceState, R: Send + 'static> Message for Exec<S, R> {
    type Result = ApiResult<R>;
}

pub struct ResourceActor<S: ResourceState> {
    uuid: String,
    env: S::Env,
    state: Option<Cell<S>>,
    pending: Arc<AtomicUsize>,
    directory: Weak<DirectoryInner<S>>,
    last_used: Instant,
}

impl<S: ResourceState> Actor for ResourceActor<S> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(MAILBOX_CAPACITY);
        let Some(dir) = self.directory.upgrade() else { return };
        let tick = dir.idle_after / 2 + Duration::from_millis(10);
        ctx.run_interval(tick, |act, ctx| {
            if act.pending.load(Ordering::SeqCst) != 0 {
                return;
            }
            let Some(dir) = act.directory.upgrade() else {
                ctx.stop();
                return;
            };
            if act.last_used.elapsed() >= dir.idle_after && dir.passivate(&act.uuid, &act.pending) {
                ctx.stop();
            }
        });
    }
}

/// Messages actix itself buffers per actor; senders beyond it wait.
pub const MAILBOX_CAPACITY: usize = 64;
/// Operations that may wait for one resource at a time (running, queued and
/// waiting to be queued). One more is refused with "busy" (`SYS.1010`)
/// rather than letting the queue grow without bound.
pub const MAX_PENDING: usize = 4096;

impl<S: ResourceState, R: Send + 'static> Handler<Exec<S, R>> for ResourceActor<S> {
    type Result = AtomicResponse<Self, ApiResult<R>>;

    fn handle(&mut self, msg: Exec<S, R>, _ctx: &mut Self::Context) -> Self::Result {
        let existing = self.state.clone();
        let uuid = self.uuid.clone();
        let env = self.env.clone();
        let work = async move {
            let cell = match (existing, msg.seed) {
                (Some(cell), _) => cell,
                (None, Some(seed)) => Rc::new(RefCell::new(seed())),
                (None, None) => Rc::new(RefCell::new(S::activate(uuid, env).await?)),
            };
            let result = (msg.op)(cell.clone()).await;
            Ok::<_, ApiError>((cell, result))
        };
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|outcome, act, _ctx| {
            act.last_used = Instant::now();
            act.pending.fetch_sub(1, Ordering::SeqCst);
            match outcome {
                Ok((cell, result)) => {
                    let gone = cell.borrow().is_gone();
                    act.state = if gone { None } else { Some(cell) };
                    result
                }
                Err(activation_error) => {
                    act.state = None;
                    Err(activation_error)
                }
            }
        })))
    }
}

struct Entry<S: ResourceState> {
    addr: Addr<ResourceActor<S>>,
    pending: Arc<AtomicUsize>,
}

struct DirectoryInner<S: ResourceState> {
    entries: Mutex<HashMap<String, Entry<S>>>,
    arbiters: Vec<ArbiterHandle>,
    env: S::Env,
    idle_after: Duration,
    max_pending: usize,
}

impl<S: ResourceState> DirectoryInner<S> {
    /// Remove the actor if nothing has been queued for it since it decided to
    /// stop. Queuing increments `pending` under the same lock, so a message can
    /// never reach an actor after it has left the directory.
    fn passivate(&self, uuid: &str, pending: &Arc<AtomicUsize>) -> bool {
        let mut entries = self.entries.lock();
        if pending.load(Ordering::SeqCst) != 0 {
            return false;
        }
        if let Some(e) = entries.get(uuid) {
            if Arc::ptr_eq(&e.pending, pending) {
                entries.remove(uuid);
            }
        }
        true
    }
}

/// The live actors of one resource type, keyed by uuid.
pub struct ActorDirectory<S: ResourceState> {
    inner: Arc<DirectoryInner<S>>,
}

impl<S: ResourceState> Clone for ActorDirectory<S> {
    fn clone(&self) -> Self {
        ActorDirectory { inner: self.inner.clone() }
    }
}

impl<S: ResourceState> ActorDirectory<S> {
    pub fn new(env: S::Env, arbiters: Vec<ArbiterHandle>, idle_after: Duration) -> Self {
        assert!(!arbiters.is_empty(), "an actor directory needs at least one arbiter");
        ActorDirectory {
            inner: Arc::new(DirectoryInner { entries: Mutex::new(HashMap::new()), arbiters, env, idle_after, max_pending: MAX_PENDING }),
        }
    }

    /// The same directory refusing more than `max_pending` waiting operations per resource.
    pub fn with_max_pending(self, max_pending: usize) -> Self {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|_| panic!("with_max_pending must be called before the directory is shared"));
        ActorDirectory { inner: Arc::new(DirectoryInner { max_pending, ..inner }) }
    }

    /// Number of actors currently alive (activated and not yet passivated).
    pub fn live(&self) -> usize {
        self.inner.entries.lock().len()
    }

    /// Run `op` on the resource's actor, after every operation queued before it.
    pub async fn ask<R, F>(&self, uuid: &str, op: F) -> ApiResult<R>
    where
        R: Send + 'static,
        F: FnOnce(Cell<S>) -> LocalBoxFuture<'static, ApiResult<R>> + Send + 'static,
    {
        self.exec(uuid, Exec { op: Box::new(op), seed: None }).await
    }

    /// Like `ask`, for a resource just written: an actor without state
    /// starts from `seed` (what the caller wrote) instead of reading the
    /// record back. A live actor keeps its own state.
    pub async fn ask_seeded<R, F>(&self, uuid: &str, seed: S, op: F) -> ApiResult<R>
    where
        S: Send,
        R: Send + 'static,
        F: FnOnce(Cell<S>) -> LocalBoxFuture<'static, ApiResult<R>> + Send + 'static,
    {
        self.exec(uuid, Exec { op: Box::new(op), seed: Some(Box::new(move || seed)) }).await
    }

    async fn exec<R: Send + 'static>(&self, uuid: &str, msg: Exec<S, R>) -> ApiResult<R> {
        let (addr, pending) = self.enqueue(uuid)?;
        match addr.send(msg).await {
            Ok(result) => result,
            Err(_) => {
                pending.fetch_sub(1, Ordering::SeqCst);
                Err(ApiError::internal(format!("the actor of {}[uuid:{uuid}] stopped before answering", S::KIND)))
            }
        }
    }

    fn enqueue(&self, uuid: &str) -> ApiResult<(Addr<ResourceActor<S>>, Arc<AtomicUsize>)> {
        let mut entries = self.inner.entries.lock();
        if let Some(e) = entries.get(uuid) {
            if e.addr.connected() {
                if e.pending.load(Ordering::SeqCst) >= self.inner.max_pending {
                    return Err(ApiError::new(
                        crate::error::codes::RESOURCE_BUSY,
                        format!("{}[uuid:{uuid}] is busy: {} operations are waiting for it", S::KIND, self.inner.max_pending),
                    ));
                }
                e.pending.fetch_add(1, Ordering::SeqCst);
                return Ok((e.addr.clone(), e.pending.clone()));
            }
        }
        let pending = Arc::new(AtomicUsize::new(1));
        let arbiter = &self.inner.arbiters[shard(uuid, self.inner.arbiters.len())];
        let (id, env, p, dir) = (uuid.to_string(), self.inner.env.clone(), pending.clone(), Arc::downgrade(&self.inner));
        let addr = ResourceActor::start_in_arbiter(arbiter, move |_ctx| ResourceActor {
            uuid: id,
            env,
            state: None,
            pending: p,
            directory: dir,
            last_used: Instant::now(),
        });
        entries.insert(uuid.to_string(), Entry { addr: addr.clone(), pending: pending.clone() });
        Ok((addr, pending))
    }
}

fn shard(key: &str, n: usize) -> usize {
    // FNV-1a: stable, cheap, good enough to spread uuids over a few arbiters.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h % n as u64) as usize
}

/// Start `n` arbiters for resource actors. Must be called inside an actix system.
pub fn start_arbiters(n: usize) -> (Vec<Arbiter>, Vec<ArbiterHandle>) {
    let arbiters: Vec<Arbiter> = (0..n.max(1)).map(|_| Arbiter::new()).collect();
    let handles = arbiters.iter().map(|a| a.handle()).collect();
    (arbiters, handles)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter {
        value: u64,
        log: Vec<u64>,
    }

    impl ResourceState for Counter {
        type Env = Arc<Mutex<HashMap<String, u64>>>;
        const KIND: &'static str = "CounterVO";
        fn activate(uuid: String, env: Self::Env) -> LocalBoxFuture<'static, ApiResult<Self>> {
            Box::pin(async move {
                match env.lock().get(&uuid) {
                    Some(v) => Ok(Counter { value: *v, log: vec![] }),
                    None => Err(ApiError::not_found("CounterVO", &uuid)),
                }
            })
        }
    }

    fn directory(idle: Duration) -> (ActorDirectory<Counter>, Arc<Mutex<HashMap<String, u64>>>) {
        let store = Arc::new(Mutex::new(HashMap::from([("a".to_string(), 10u64)])));
        let (arbs, handles) = start_arbiters(2);
        std::mem::forget(arbs);
        (ActorDirectory::new(store.clone(), handles, idle), store)
    }

    #[actix::test]
    async fn operations_on_one_resource_never_interleave() {
        let (dir, _) = directory(Duration::from_secs(60));
        let mut calls = vec![];
        for i in 0..50u64 {
            let d = dir.clone();
            calls.push(async move {
                d.ask("a", move |cell: Cell<Counter>| {
                    Box::pin(async move {
                        let before = cell.borrow().value;
                        // Yield in the middle: an interleaving operation would see `before`.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        let mut s = cell.borrow_mut();
                        assert_eq!(s.value, before, "another operation ran in between");
                        s.value += 1;
                        s.log.push(i);
                        Ok(s.value)
                    })
                })
                .await
            });
        }
        let results = futures::future::join_all(calls).await;
        let mut values: Vec<u64> = results.into_iter().map(|r| r.unwrap()).collect();
        values.sort();
        assert_eq!(values, (11..=60).collect::<Vec<_>>());
    }

    #[actix::test]
    async fn a_resource_with_too_many_waiting_operations_answers_busy() {
        let (dir, _) = directory(Duration::from_secs(60));
        let dir = dir.with_max_pending(3);
        let slow = |d: ActorDirectory<Counter>| async move {
            d.ask("a", |_c: Cell<Counter>| Box::pin(async { tokio::time::sleep(Duration::from_millis(50)).await; Ok(()) })).await
        };
        let results = futures::future::join_all((0..5).map(|_| slow(dir.clone()))).await;
        let busy = results.iter().filter(|r| matches!(r, Err(e) if e.code == "SYS.1010")).count();
        assert_eq!((results.len() - busy, busy), (3, 2), "{results:?}");
        // Once drained, it accepts work again.
        assert!(slow(dir.clone()).await.is_ok());
    }

    #[actix::test]
    async fn a_seeded_actor_starts_from_its_seed_and_a_live_one_keeps_its_state() {
        let (dir, store) = directory(Duration::from_secs(60));
        // "new" has no record: only the seed can give it a state.
        let v = dir.ask_seeded("new", Counter { value: 7, log: vec![] }, |c: Cell<Counter>| Box::pin(async move { Ok(c.borrow().value) })).await.unwrap();
        assert_eq!(v, 7);
        let v = dir.ask("new", |c: Cell<Counter>| Box::pin(async move { Ok(c.borrow().value) })).await.unwrap();
        assert_eq!(v, 7, "the seeded state stays");
        // A live actor ignores a seed.
        dir.ask("a", |_c: Cell<Counter>| Box::pin(async { Ok(()) })).await.unwrap();
        store.lock().insert("a".into(), 11);
        let v = dir.ask_seeded("a", Counter { value: 99, log: vec![] }, |c: Cell<Counter>| Box::pin(async move { Ok(c.borrow().value) })).await.unwrap();
        assert_eq!(v, 10, "the live state wins over the seed");
    }

    #[actix::test]
    async fn unknown_resource_fails_activation_and_idle_actors_passivate() {
        let (dir, store) = directory(Duration::from_millis(50));
        let err = dir.ask("missing", |_c: Cell<Counter>| Box::pin(async { Ok(()) })).await.unwrap_err();
        assert_eq!(err.code, "SYS.1007");
        let v = dir.ask("a", |c: Cell<Counter>| Box::pin(async move { Ok(c.borrow().value) })).await.unwrap();
        assert_eq!(v, 10);
        assert!(dir.live() >= 1);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(dir.live(), 0, "idle actors must passivate");
        // Reactivation loads the durable record again.
        store.lock().insert("a".into(), 42);
        let v = dir.ask("a", |c: Cell<Counter>| Box::pin(async move { Ok(c.borrow().value) })).await.unwrap();
        assert_eq!(v, 42);
    }
}
