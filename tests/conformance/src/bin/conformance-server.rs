//! `conformance-server --bind ADDR`: serves the conformance consumer on
//! `ws://ADDR/ws/conformance`, as `app.py` serves the Python one.

use std::net::SocketAddr;

use chanx_conformance::{Conformance, api::channels::conformance::ConformanceServer};
use chanx_runtime::{ConsumerConfig, Route, Router, Server};

/// uvicorn's default `ws_max_size`, the largest frame `app.py` accepts.
const UVICORN_WS_MAX_SIZE: usize = 16 * 1024 * 1024;

const USAGE: &str = "usage: conformance-server [--bind ADDR]   (default 127.0.0.1:8767)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bind = parse_bind(std::env::args().skip(1))?;
    let config = ConsumerConfig {
        max_message_bytes: UVICORN_WS_MAX_SIZE,
        ..ConsumerConfig::default()
    };
    let router =
        Router::new().route(Route::new(ConformanceServer::new(Conformance)).config(config));
    let server = Server::bind(bind, router).await?;
    eprintln!(
        "conformance server listening on ws://{}/ws/conformance",
        server.local_addr()?
    );
    server.run().await?;
    Ok(())
}

fn parse_bind(mut args: impl Iterator<Item = String>) -> Result<SocketAddr, String> {
    let mut bind = "127.0.0.1:8767".to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => bind = args.next().ok_or(USAGE)?,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    bind.parse()
        .map_err(|e| format!("--bind {bind}: {e}\n{USAGE}"))
}
