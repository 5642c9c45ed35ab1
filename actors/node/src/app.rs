//! The running management node: settings, the database, identity, jobs,
//! global configs, simulator drivers and the actor directories of every
//! resource type, wired together once at start.

use crate::api::jobs::Jobs;
use crate::config::GlobalConfigs;
use crate::identity::Identity;
use crate::resources::{Dirs, FlowFaults};
use crate::simulator::Simulator;
use crate::store::Store;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use zstack_db::conn::Migrations;
use zstack_db::Database;
use zstack_kit::{ApiError, ApiResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    /// Empty: the embedded SQLite file in the data dir.
    pub database_url: String,
    pub admin_password: Option<String>,
}

impl Settings {
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            self.data_dir.join("zstack.db").to_string_lossy().into_owned()
        } else {
            self.database_url.clone()
        }
    }
}

pub struct AppInner {
    pub settings: Settings,
    pub store: Store,
    pub identity: Identity,
    pub jobs: Jobs,
    pub configs: GlobalConfigs,
    pub sim: Simulator,
    pub faults: FlowFaults,
    pub kvm: crate::kvm::KvmHosts,
    pub consoles: crate::kvm::console::ConsoleTokens,
    /// Alibaba Cloud: the secret sealer and the API clients in use.
    pub hybrid: crate::hybrid::Hybrid,
    /// host:port where agents reach this node (set once the server is bound).
    advertised: OnceLock<String>,
    /// Part of image download URLs, so only this run's agents can fetch images.
    image_store_key: String,
    node_uuid: String,
    started_ms: i64,
    dirs: OnceLock<Dirs>,
    _arbiters: Vec<actix::Arbiter>,
}

#[derive(Clone)]
pub struct App(Arc<AppInner>);

impl Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// What the first start tells the operator.
pub struct Started {
    pub app: App,
    pub generated_admin_password: Option<String>,
}

impl App {
    /// This run of the node, as a management node uuid.
    pub fn node_uuid(&self) -> &str {
        &self.node_uuid
    }

    pub fn started_ms(&self) -> i64 {
        self.started_ms
    }

    pub fn advertised_address(&self) -> &str {
        self.advertised.get().map(String::as_str).unwrap_or(&self.settings.listen)
    }

    /// Called once the HTTP server is bound (its port may have been chosen by the OS).
    pub fn set_advertised_address(&self, addr: std::net::SocketAddr) {
        let host = if addr.ip().is_unspecified() { std::net::IpAddr::from([127, 0, 0, 1]) } else { addr.ip() };
        let _ = self.advertised.set(std::net::SocketAddr::new(host, addr.port()).to_string());
    }

    pub fn image_store_key(&self) -> &str {
        &self.image_store_key
    }

    pub fn dirs(&self) -> &Dirs {
        self.dirs.get().expect("directories are set at start")
    }

    /// Open the database (running migrations), create the admin account on
    /// first start, end jobs a previous run left unfinished and repair what
    /// flows in flight took. Must run inside an actix system.
    pub async fn start(settings: Settings) -> ApiResult<Started> {
        let app = Self::open(settings.clone(), false).await?;
        let generated = match &settings.admin_password {
            Some(p) => {
                app.identity.admin_ensure(p).await?;
                None
            }
            None => {
                let p = crate::identity::random_password();
                if app.identity.admin_ensure(&p).await? {
                    let file = settings.data_dir.join("admin-password");
                    std::fs::write(&file, format!("{p}\n")).map_err(|e| ApiError::internal(format!("cannot write {}: {e}", file.display())))?;
                    Some(p)
                } else {
                    None
                }
            }
        };
        // Agents first: undoing an unfinished creation on a KVM host goes through its agent.
        app.kvm.load(&app).await?;
        crate::recovery::recover_after_restart(&app).await?;
        // Jobs of hybrid creates cut short end once the hybrid recovery, which waits on
        // Alibaba Cloud, has run in the background; every other one ends now.
        let hybrid = crate::hybrid::recovery::UnfinishedCreates::load(&app).await?;
        crate::recovery::finish_unfinished_jobs(&app, &HashMap::new(), |target| !hybrid.holds(target)).await?;
        hybrid.settle_in_background(app.clone());
        crate::resources::long_job::fail_interrupted(&app).await?;
        crate::kvm::tracker::start(app.clone());
        crate::hybrid::poller::start(app.clone());
        Ok(Started { app, generated_admin_password: generated })
    }

    /// Open a node's data without running it: no repairs, nothing written to
    /// the simulators' journal, so it is safe while the node itself runs
    /// (`zstack check`, `zstack status`).
    pub async fn inspect(settings: Settings) -> ApiResult<App> {
        Self::open(settings, true).await
    }

    async fn open(settings: Settings, read_only: bool) -> ApiResult<App> {
        std::fs::create_dir_all(&settings.data_dir)
            .map_err(|e| ApiError::internal(format!("cannot create the data dir {}: {e}", settings.data_dir.display())))?;
        let url = settings.database_url();
        let migrations = Migrations { sqlite: SQLITE_MIGRATIONS, postgres: POSTGRES_MIGRATIONS, mysql: MYSQL_MIGRATIONS };
        let pool_size = if url.contains("://") { 16 } else { 8 };
        let db = {
            let url = url.clone();
            tokio::task::spawn_blocking(move || Database::open(&url, migrations, pool_size))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??
        };
        let store = Store::new(db);
        let identity = Identity::new(store.clone());
        let sim = if read_only { Simulator::open_read_only(&settings.data_dir)? } else { Simulator::open(&settings.data_dir)? };
        let configs = GlobalConfigs::load(store.clone()).await?;
        let (arbiters, handles) = zstack_kit::actor::start_arbiters(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
        let inner = AppInner {
            jobs: Jobs::new(store.clone()),
            settings: settings.clone(),
            store,
            identity,
            configs,
            sim,
            faults: FlowFaults::default(),
            kvm: Default::default(),
            consoles: Default::default(),
            hybrid: crate::hybrid::Hybrid::new(&settings.data_dir),
            advertised: OnceLock::new(),
            image_store_key: crate::identity::random_token(),
            node_uuid: crate::api::new_uuid(),
            started_ms: zstack_db::time::now_ms(),
            dirs: OnceLock::new(),
            _arbiters: arbiters,
        };
        let app = App(Arc::new(inner));
        let _ = app.dirs.set(Dirs::new(&app, handles));
        Ok(app)
    }
}
