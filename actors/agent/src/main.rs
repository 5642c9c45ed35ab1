//! The `zstack-agent` binary: parse flags, start the HTTP server, run until
//! interrupted.

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let config = match zstack_agent::AgentConfig::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let agent = zstack_agent::start(config).await?;
        // Runs until SIGINT/SIGTERM, which actix-web turns into a graceful stop.
        agent.server.await.map_err(std::io::Error::other)??;
        Ok::<(), std::io::Error>(())
    });
    if let Err(e) = result {
        eprintln!("zstack-agent: {e}");
        std::process::exit(1);
    }
}
