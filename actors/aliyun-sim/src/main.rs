//! The `zstack-aliyun-sim` binary: runs the Alibaba Cloud API simulator until killed.
//!
//! ```text
//! zstack-aliyun-sim [--listen 127.0.0.1:18081] [--access-key ID:SECRET]... [--transition-ms 1000] [--workers 2]
//! ```
//! Prints `listening on http://ADDR` once ready (scripts wait for that line).

use std::time::Duration;

use zstack_aliyun_sim::{SimConfig, SimServer};

fn usage() -> ! {
    eprintln!(
        "usage: zstack-aliyun-sim [--listen ADDR:PORT] [--access-key ID:SECRET]... [--transition-ms MS] [--workers N]\n\
         defaults: --listen 127.0.0.1:18081, one key testid:testsecret, --transition-ms 1000"
    );
    std::process::exit(2)
}

fn main() {
    let mut config = SimConfig {
        listen: "127.0.0.1:18081".parse().expect("valid"),
        access_keys: Vec::new(),
        ..SimConfig::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--listen" => config.listen = value().parse().unwrap_or_else(|_| usage()),
            "--access-key" => {
                let pair = value();
                let (id, secret) = pair.split_once(':').unwrap_or_else(|| usage());
                config
                    .access_keys
                    .push((id.to_string(), secret.to_string()));
            }
            "--transition-ms" => {
                config.transition_step =
                    Duration::from_millis(value().parse().unwrap_or_else(|_| usage()))
            }
            "--workers" => config.workers = value().parse().unwrap_or_else(|_| usage()),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if config.access_keys.is_empty() {
        config
            .access_keys
            .push(("testid".into(), "testsecret".into()));
    }
    let server = match SimServer::start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("zstack-aliyun-sim: cannot start: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", server.base_url);
    // Serve until the process is terminated (SIGTERM/SIGINT end it with the default action).
    loop {
        std::thread::park();
    }
}
