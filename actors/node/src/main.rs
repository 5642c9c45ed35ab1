//! `zstack`: run the management node, check it, reset the admin password.
//!
//!   zstack serve [--listen ADDR:PORT] [--data-dir DIR] [--database-url URL]
//!   zstack status [--listen ADDR:PORT]
//!   zstack check [--data-dir DIR] [--database-url URL]
//!   zstack reset-password [--data-dir DIR] [--database-url URL]   (password from ZSTACK_ADMIN_PASSWORD or stdin)
//!
//! Each flag has an environment variable: ZSTACK_LISTEN, ZSTACK_DATA_DIR, ZSTACK_DATABASE_URL.

use std::path::PathBuf;
use zstack::app::{App, Settings};

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
    std::process::exit(code)
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

/// Ask a running node what it manages (through its own API, as a client would).
async fn status(s: Settings) -> i32 {
    let url = format!("http://{}/zstack/v1/management-nodes/actions", s.listen);
    let client = std::net::TcpStream::connect(&s.listen);
    if client.is_err() {
        println!("zstack management node at {}: DOWN", s.listen);
        return 1;
    }
    let body = r#"{"getVersion":{}}"#;
    let req = format!("PUT /zstack/v1/management-nodes/actions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", s.listen, body.len());
    use std::io::{Read, Write};
    let mut stream = client.unwrap();
    let mut out = String::new();
    if stream.write_all(req.as_bytes()).is_err() || stream.read_to_string(&mut out).is_err() {
        println!("zstack management node at {}: not answering", s.listen);
        return 1;
    }
    println!("zstack management node at {}: UP ({})", s.listen, out.lines().last().unwrap_or(""));
    let _ = url;
    0
}

async fn check(s: Settings) -> i32 {
    let started = match App::start(s).await {
        Ok(st) => st,
        Err(e) => {
            eprintln!("zstack: {e}");
            return 1;
        }
    };
    match zstack::recovery::invariant_violations(&started.app).await {
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
