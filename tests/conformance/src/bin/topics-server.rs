//! `topics-server --bind ADDR`: serves the Rust twin of `topics_app.py`:
//! `/ws/hub`, `/ws/feed/{feed_id}` and `POST /broadcast`, as the Python app does.

use std::{net::SocketAddr, sync::Arc};

use axum::{Json, extract::State, http::StatusCode, routing::post};
use chanx_conformance::topics::{self, BroadcastRequest, Feed, Hub};
use chanx_runtime::{Layer, Route, Router};

const USAGE: &str = "usage: topics-server [--bind ADDR]   (default 127.0.0.1:8768)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bind = parse_bind(std::env::args().skip(1))?;
    let router = Router::new()
        .route(Route::new(topics::api::channels::hub::HubServer::new(Hub)))
        .route(Route::new(
            topics::api::channels::feed_topic::FeedTopicServer::new(Feed),
        ));
    let layer = Arc::new(router.layer().clone());
    let app = axum::Router::new()
        .route("/broadcast", post(broadcast).with_state(layer))
        .merge(chanx_runtime::axum::routes(router));
    let listener = tokio::net::TcpListener::bind(bind).await?;
    eprintln!("topics server listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn broadcast(
    State(layer): State<Arc<Layer>>,
    Json(request): Json<BroadcastRequest>,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    topics::broadcast(&layer, &request)
        .await
        .map_err(|error| (StatusCode::BAD_REQUEST, error))?;
    Ok(Json(serde_json::json!({"ok": true})))
}

fn parse_bind(mut args: impl Iterator<Item = String>) -> Result<SocketAddr, String> {
    let mut bind = "127.0.0.1:8768".to_string();
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
