//! Connections to SQLite, PostgreSQL or MariaDB behind one type, a pool for
//! reads and writer threads that group-commit.
//!
//! Each writer folds the writes that queue up while its commit is in progress
//! into its next transaction, turning thousands of small resource updates
//! into a few fsyncs (or round trips). When one caller's statements fail, the
//! group is redone one caller at a time, so one caller's failure never undoes
//! another's. SQLite
//! allows one writer at a time, so it gets one. PostgreSQL and MariaDB get
//! several: a write goes to the writer its key (the row's uuid) hashes to,
//! so writes to one row keep the order they were submitted in, and a
//! transaction that loses a deadlock is retried whole.

use crate::batch::{cacheable, plan, Planned};
use crate::value::{SqlValue, Stmt};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use zstack_kit::{ApiError, ApiResult};

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Mysql(diesel::MysqlConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbKind {
    Sqlite,
    Postgres,
    Mysql,
}

impl DbKind {
    pub fn of_url(url: &str) -> DbKind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            DbKind::Mysql
        } else {
            DbKind::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
            DbKind::Mysql => "mysql",
        }
    }
}

fn establish(kind: DbKind, url: &str) -> Result<AnyConnection, diesel::ConnectionError> {
    Ok(match kind {
        DbKind::Postgres => AnyConnection::Postgresql(diesel::PgConnection::establish(url)?),
        DbKind::Mysql => {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let mut c = diesel::MysqlConnection::establish(&url)?;
            c.batch_execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'")
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            AnyConnection::Mysql(c)
        }
        DbKind::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let mut c = diesel::SqliteConnection::establish(path)?;
            c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA journal_mode = WAL;")
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            AnyConnection::Sqlite(c)
        }
    })
}

struct Manager {
    kind: DbKind,
    url: String,
}

/// A pooled read connection. Connections are not tested at every checkout
/// (a `SELECT 1` round trip per read); instead a read that fails tests its
/// connection, and a dead one is marked so the pool drops it.
pub struct PooledConn {
    conn: AnyConnection,
    dead: bool,
}

impl ManageConnection for Manager {
    type Connection = PooledConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PooledConn, Self::Error> {
        establish(self.kind, &self.url).map(|conn| PooledConn { conn, dead: false }).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, c: &mut PooledConn) -> Result<(), Self::Error> {
        c.conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, c: &mut PooledConn) -> bool {
        c.dead
    }
}

/// The embedded migrations of each backend, supplied by the crate that owns the schema.
pub struct Migrations {
    pub sqlite: EmbeddedMigrations,
    pub postgres: EmbeddedMigrations,
    pub mysql: EmbeddedMigrations,
}

struct WriteJob {
    stmts: Vec<Stmt>,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

#[derive(Clone)]
pub struct Database {
    kind: DbKind,
    pool: r2d2::Pool<Manager>,
    writers: Vec<mpsc::Sender<WriteJob>>,
    /// Statements handed to the writers since open (benchmarks check that a
    /// no-op reconciliation writes nothing).
    submitted: Arc<AtomicU64>,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    v: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct PairRow {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = Text)]
    v: String,
}

/// Most commits a group may fold together.
const MAX_GROUP: usize = 1024;
/// Writer connections on PostgreSQL and MariaDB. PostgreSQL shares the
/// machine's cores with the node, and folded group commits keep two busy.
const POSTGRES_WRITERS: usize = 2;
const MYSQL_WRITERS: usize = 4;
/// Attempts of a transaction that keeps losing deadlocks.
const DEADLOCK_ATTEMPTS: usize = 8;

/// The writer of a key: writes to one row always go through the same writer.
fn writer_for(key: Option<&str>, writers: usize) -> usize {
    let Some(key) = key else { return 0 };
    let mut h: u64 = 0xcbf29ce484222325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h % writers as u64) as usize
}

impl Database {
    /// Connect, run the embedded migrations and start the writer thread.
    pub fn open(url: &str, migrations: Migrations, pool_size: u32) -> ApiResult<Database> {
        let kind = DbKind::of_url(url);
        let mut conn = establish(kind, url).map_err(|e| ApiError::internal(format!("cannot connect to {url}: {e}")))?;
        let pending = match &mut conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(migrations.sqlite).map(|v| v.len()),
            AnyConnection::Postgresql(c) => c.run_pending_migrations(migrations.postgres).map(|v| v.len()),
            AnyConnection::Mysql(c) => c.run_pending_migrations(migrations.mysql).map(|v| v.len()),
        }
        .map_err(|e| ApiError::internal(format!("database migration failed: {e}")))?;
        if pending > 0 {
            log::info!("applied {pending} migration(s) to the {} database", kind.name());
        }
        // Connections open on demand: a node (or a test) that reads little holds few.
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .build(Manager { kind, url: url.to_string() })
            .map_err(|e| ApiError::internal(format!("cannot open a connection pool on {url}: {e}")))?;
        let writer_count = match kind {
            DbKind::Sqlite => 1,
            DbKind::Postgres => POSTGRES_WRITERS,
            DbKind::Mysql => MYSQL_WRITERS,
        };
        let mut writers = Vec::with_capacity(writer_count);
        let mut first = Some(conn);
        for i in 0..writer_count {
            let conn = match first.take() {
                Some(c) => c,
                None => establish(kind, url).map_err(|e| ApiError::internal(format!("cannot connect to {url}: {e}")))?,
            };
            let (tx, rx) = mpsc::channel::<WriteJob>();
            std::thread::Builder::new()
                .name(format!("db-writer-{i}"))
                .spawn(move || writer_loop(conn, kind, rx))
                .map_err(|e| ApiError::internal(e.to_string()))?;
            writers.push(tx);
        }
        Ok(Database { kind, pool, writers, submitted: Arc::new(AtomicU64::new(0)) })
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// How many statements have been submitted for writing since open.
    pub fn statements_submitted(&self) -> u64 {
        self.submitted.load(Ordering::Relaxed)
    }

    /// Apply statements atomically (one savepoint in the next group commit).
    pub async fn write(&self, stmts: Vec<Stmt>) -> ApiResult<()> {
        self.submit(stmts).await
    }

    /// Queue statements now (so writes keep the order of the calls) and
    /// return a future that resolves once they are committed. An actor can
    /// queue its write-through inside its turn and let the caller wait for
    /// the commit after the turn, so commits never serialize a resource.
    pub fn submit(&self, stmts: Vec<Stmt>) -> impl std::future::Future<Output = ApiResult<()>> + 'static {
        self.submitted.fetch_add(stmts.len() as u64, Ordering::Relaxed);
        let queued = if stmts.is_empty() {
            None
        } else {
            let (done, wait) = tokio::sync::oneshot::channel();
            let writer = &self.writers[writer_for(stmts[0].key.as_deref(), self.writers.len())];
            Some(writer.send(WriteJob { stmts, done }).map(|_| wait))
        };
        async move {
            match queued {
                None => Ok(()),
                Some(Err(_)) => Err(ApiError::internal("the database writer has stopped")),
                Some(Ok(wait)) => match wait.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(ApiError::internal(format!("database write failed: {e}"))),
                    Err(_) => Err(ApiError::internal("the database writer dropped a write")),
                },
            }
        }
    }

    /// Run blocking database work on a pooled connection off the async threads.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = pool.get().map_err(|e| ApiError::internal(format!("no database connection: {e}")))?;
            let result = f(&mut pooled.conn);
            if result.is_err() && pooled.conn.batch_execute("SELECT 1").is_err() {
                pooled.dead = true;
            }
            result.map_err(|e| ApiError::internal(format!("database read failed: {e}")))
        })
        .await
        .map_err(|e| ApiError::internal(format!("database read panicked: {e}")))?
    }

    /// Rows of a single text column selected as `v`.
    pub async fn texts(&self, stmt: Stmt) -> ApiResult<Vec<String>> {
        self.read(move |c| load::<TextRow>(c, &stmt).map(|rows| rows.into_iter().map(|r| r.v).collect())).await
    }

    /// Rows of two text columns selected as `k` and `v`.
    pub async fn pairs(&self, stmt: Stmt) -> ApiResult<Vec<(String, String)>> {
        self.read(move |c| load::<PairRow>(c, &stmt).map(|rows| rows.into_iter().map(|r| (r.k, r.v)).collect()))
            .await
    }

    /// A single integer selected as `n`.
    pub async fn count(&self, stmt: Stmt) -> ApiResult<i64> {
        self.read(move |c| load::<CountRow>(c, &stmt).map(|rows| rows.first().map(|r| r.n).unwrap_or(0))).await
    }
}

/// A statement as its SQL text and binds (gathered from the one or more
/// queued statements it stands for), which (unlike `sql_query`) the
/// connection may keep prepared: the server parses and plans each distinct
/// statement once per connection instead of at every execution.
struct Prepared<'a> {
    sql: &'a str,
    binds: &'a [&'a [SqlValue]],
    keep_prepared: bool,
}

impl diesel::query_builder::QueryId for Prepared<'_> {
    type QueryId = ();
    // Keyed by its SQL text in the connection's statement cache.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for Prepared<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl diesel::query_builder::QueryFragment<MultiBackend> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> diesel::QueryResult<()> {
        if !self.keep_prepared {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(self.sql);
        for b in self.binds.iter().flat_map(|part| part.iter()) {
            match b {
                SqlValue::Text(v) => out.push_bind_param_value_only::<Nullable<Text>, _>(v)?,
                SqlValue::Int(v) => out.push_bind_param_value_only::<Nullable<BigInt>, _>(v)?,
                SqlValue::Float(v) => out.push_bind_param_value_only::<Nullable<Double>, _>(v)?,
            }
        }
        Ok(())
    }
}

impl RunQueryDsl<AnyConnection> for Prepared<'_> {}

pub fn load<T>(conn: &mut AnyConnection, stmt: &Stmt) -> diesel::QueryResult<Vec<T>>
where
    T: QueryableByName<MultiBackend> + 'static,
{
    Prepared { sql: &stmt.sql, binds: &[&stmt.binds], keep_prepared: cacheable(stmt) }.load::<T>(conn)
}

pub fn execute(conn: &mut AnyConnection, stmt: &Stmt) -> diesel::QueryResult<usize> {
    run_planned(conn, &Planned::single(stmt))
}

fn run_planned(conn: &mut AnyConnection, p: &Planned<'_>) -> diesel::QueryResult<usize> {
    Prepared { sql: &p.sql, binds: &p.binds, keep_prepared: p.keep_prepared }.execute(conn)
}

/// Run queued statements in one transaction, folded where the backend allows.
fn run_all<'a>(conn: &mut AnyConnection, kind: DbKind, stmts: impl Iterator<Item = &'a Stmt>) -> diesel::QueryResult<()> {
    let stmts: Vec<&Stmt> = stmts.collect();
    for p in plan(kind, &stmts) {
        run_planned(conn, &p)?;
    }
    Ok(())
}

fn is_deadlock(e: &diesel::result::Error) -> bool {
    // PostgreSQL: "deadlock detected"; MariaDB: "Deadlock found when trying to get lock".
    let m = e.to_string();
    m.contains("deadlock detected") || m.contains("Deadlock found")
}

/// Run a job's statements, retrying (inside the same transaction) when
/// PostgreSQL picks it as a deadlock victim.
fn run_retrying<F>(mut attempt_once: F) -> Result<(), diesel::result::Error>
where
    F: FnMut() -> Result<(), diesel::result::Error>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_once() {
            Err(e) if attempt < DEADLOCK_ATTEMPTS && is_deadlock(&e) => {
                log::info!("a group commit lost a deadlock (attempt {attempt}); retrying");
                // Let the winner finish before trying again.
                std::thread::sleep(std::time::Duration::from_millis(attempt as u64));
            }
            other => return other,
        }
    }
}

fn writer_loop(mut conn: AnyConnection, kind: DbKind, rx: mpsc::Receiver<WriteJob>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Fast path: the whole group in one transaction, no savepoints (each
        // is two more round trips on a server). If anything in it fails, the
        // group is rolled back and every job runs again on its own, so only
        // the failing one reports the failure.
        let together = run_retrying(|| {
            conn.transaction::<_, diesel::result::Error, _>(|tx| run_all(tx, kind, group.iter().flat_map(|job| job.stmts.iter())))
        });
        let outcomes: Vec<Result<(), String>> = match together {
            Ok(()) => group.iter().map(|_| Ok(())).collect(),
            Err(_) if group.len() > 1 => group
                .iter()
                .map(|job| {
                    run_retrying(|| {
                        conn.transaction::<_, diesel::result::Error, _>(|tx| run_all(tx, kind, job.stmts.iter()))
                    })
                    .map_err(|e| e.to_string())
                })
                .collect(),
            Err(e) => vec![Err(e.to_string())],
        };
        for (job, outcome) in group.into_iter().zip(outcomes) {
            let _ = job.done.send(outcome);
        }
    }
}
