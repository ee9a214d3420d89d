//! A user's program on the published packages: its own server, generated
//! from `ping.yaml`, answers the generated client's ping with a pong.

mod api {
    chanx_runtime::include_api!("ping");
}

use std::sync::atomic::{AtomicI64, Ordering};

use api::channels::ping::{Consumer, Ctx, PingClient, PingServer};
use api::types::{PingPayload, PongPayload};
use chanx_runtime::client::ClientOptions;
use chanx_runtime::{HandlerError, Route, Router, Server};

struct Pinged(AtomicI64);

impl Consumer for Pinged {
    type Event = ();

    async fn handle_ping(&self, _: &mut Ctx, _: PingPayload) -> Result<PongPayload, HandlerError> {
        let count = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(PongPayload {
            action: Default::default(),
            count,
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let router = Router::new().route(Route::new(PingServer::new(Pinged(AtomicI64::new(0)))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}", listener.local_addr()?);
    let server = Server::from_listener(listener, router);
    tokio::spawn(server.run());
    let client = PingClient::connect(&url, ClientOptions::default()).await?;
    for expected in 1..=3 {
        let pong = client.request_ping(&PingPayload::default()).await?;
        assert_eq!(pong.count, expected);
    }
    println!("pong 3 of 3 from {url}");
    Ok(())
}
