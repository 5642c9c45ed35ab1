//! The HTTP server of the node.

use crate::app::App;
use actix_web::{web, HttpServer};

/// Bind and return the server (not yet awaited) and the bound address.
pub fn http_server(app: App, listen: &str) -> std::io::Result<(actix_web::dev::Server, std::net::SocketAddr)> {
    let data = web::Data::new(app.clone());
    let server = HttpServer::new(move || actix_web::App::new().app_data(data.clone()).configure(crate::api::http::configure))
        .workers(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
        .backlog(4096)
        .max_connections(25_000)
        .bind(listen)?;
    let addr = server.addrs()[0];
    app.set_advertised_address(addr);
    Ok((server.run(), addr))
}
