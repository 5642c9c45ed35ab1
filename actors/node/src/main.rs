//! `zstack`: run the management node, check it, reset the admin password.
//!
//!   zstack serve [--listen ADDR:PORT] [--data-dir DIR] [--database-url URL]
//!   zstack status [--listen ADDR:PORT] [--data-dir DIR] [--database-url URL]
//!   zstack check [--data-dir DIR] [--database-url URL]   (safe while the node runs)
//!   zstack reset-password [--data-dir DIR] [--database-url URL]   (password from ZSTACK_ADMIN_PASSWORD or stdin)
//!
//! Each flag has an environment variable: ZSTACK_LISTEN, ZSTACK_DATA_DIR, ZSTACK_DATABASE_URL.

use std::path::PathBuf;
use zstack::app::{App, Settings};
use zstack::tables;

fn usage() -> ! {
    eprintln!("usage: zstack serve|status|check|reset-password [--listen ADDR:PORT] [--data-dir DIR] [--database-url URL]");
    std::process::exit(2)
}

fn settings(args: &[String]) -> Settings {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut s = Settings {
        listen: env("ZSTACK_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into()),
        data_dir: PathBuf::from(env("ZSTACK_DATA_DIR").unwrap_or_else(|| "var".into())),
        database_url: env("ZSTACK_DATABASE_URL").unwrap_or_default(),
        admin_password: env("ZSTACK_ADMIN_PASSWORD"),
    };
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().unwrap_or_else(|| usage());
        match args[i].as_str() {
            "--listen" => s.listen = value(),
            "--data-dir" => s.data_dir = PathBuf::from(value()),
            "--database-url" => s.database_url = value(),
            _ => usage(),
        }
        i += 2;
    }
    s
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else { usage() };
    let s = settings(&args[1..]);
    let code = actix_web::rt::System::new().block_on(async move {
        match cmd.as_str() {
            "serve" => serve(s).await,
            "status" => status(s).await,
            "check" => check(s).await,
            "reset-password" => reset_password(s).await,
            _ => usage(),
        }
    });
    // Leave without running the C libraries' exit handlers: database client
    // threads (the pool, the group-commit writers) are still alive, and
    // tearing libpq/OpenSSL down under them has crashed the process at exit.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` ends the process at once; nothing runs after it.
    unsafe { _exit(code) }
}

extern "C" {
    fn _exit(status: i32) -> !;
}

async fn serve(s: Settings) -> i32 {
    let started = match App::start(s.clone()).await {
        Ok(st) => st,
        Err(e) => {
            eprintln!("zstack: cannot start: {e}");
            return 1;
        }
    };
    if let Some(p) = &started.generated_admin_password {
        println!("admin password (also written to {}): {p}", s.data_dir.join("admin-password").display());
    }
    match zstack::server::http_server(started.app, &s.listen) {
        Ok((server, addr)) => {
            println!("zstack management node listening on http://{addr}/zstack (database: {})", s.database_url().split('@').last().unwrap_or(""));
            match server.await {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("zstack: {e}");
                    1
                }
            }
        }
        Err(e) => {
            eprintln!("zstack: cannot listen on {}: {e}", s.listen);
            1
        }
    }
}

/// Whether the node at `--listen` answers, and what its data dir and database hold.
async fn status(s: Settings) -> i32 {
    let up = std::net::TcpStream::connect(&s.listen).is_ok();
    println!("zstack management node at http://{}/zstack: {}", s.listen, if up { "UP" } else { "DOWN" });
    let app = match App::inspect(s).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("zstack: cannot read the node's data: {e}");
            return 1;
        }
    };
    let count = |spec: &'static zstack_db::TableSpec, conds: Vec<zstack_db::query::Condition>| {
        let app = app.clone();
        async move { app.store.inv_count(spec, &conds).await.unwrap_or(-1) }
    };
    let eq = zstack::store::eq;
    println!("  zones: {}, clusters: {}, hosts: {} ({} connected)", count(&tables::ZONE, vec![]).await, count(&tables::CLUSTER, vec![]).await,
        count(&tables::HOST, vec![]).await, count(&tables::HOST, vec![eq("status", "Connected")]).await);
    println!("  primary storage: {}, backup storage: {}, L3 networks: {}, images: {}", count(&tables::PRIMARY_STORAGE, vec![]).await,
        count(&tables::BACKUP_STORAGE, vec![]).await, count(&tables::L3_NETWORK, vec![]).await, count(&tables::IMAGE, vec![]).await);
    println!("  VMs: {} ({} running, {} stopped), volumes: {}, jobs running: {}", count(&tables::VM_INSTANCE, vec![]).await,
        count(&tables::VM_INSTANCE, vec![eq("state", "Running")]).await, count(&tables::VM_INSTANCE, vec![eq("state", "Stopped")]).await,
        count(&tables::VOLUME, vec![]).await, count(&tables::ASYNC_JOB, vec![eq("state", "processing")]).await);
    if up {
        0
    } else {
        1
    }
}

async fn check(s: Settings) -> i32 {
    let app = match App::inspect(s).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("zstack: {e}");
            return 1;
        }
    };
    match zstack::recovery::invariant_violations(&app).await {
        Ok(v) if v.is_empty() => {
            println!("ok: capacity, IP usage and hypervisor state agree with the VMs");
            0
        }
        Ok(v) => {
            for line in v {
                println!("violation: {line}");
            }
            1
        }
        Err(e) => {
            eprintln!("zstack: {e}");
            1
        }
    }
}

async fn reset_password(s: Settings) -> i32 {
    let password = match &s.admin_password {
        Some(p) => p.clone(),
        None => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() || line.trim().is_empty() {
                eprintln!("zstack: give the new password in ZSTACK_ADMIN_PASSWORD or on stdin");
                return 2;
            }
            line.trim().to_string()
        }
    };
    let started = match App::start(Settings { admin_password: Some(password.clone()), ..s }).await {
        Ok(st) => st,
        Err(e) => {
            eprintln!("zstack: {e}");
            return 1;
        }
    };
    match started.app.identity.admin_reset_password(&password).await {
        Ok(()) => {
            println!("the admin password is reset");
            0
        }
        Err(e) => {
            eprintln!("zstack: {e}");
            1
        }
    }
}
