//! The same consumer served from axum.
#![cfg(feature = "axum")]

mod support;

use std::{net::SocketAddr, time::Duration};

use axum::{http::StatusCode, routing::get};
use chanx_runtime::{ConsumerConfig, Route, Router};
use serde_json::json;
use support::{app::ChatApp, chat::channels::chat::ChatServer, client::Client};

#[tokio::test]
async fn axum_serves_the_router() {
    let config = ConsumerConfig {
        groups: vec!["chat".into()],
        send_completion: true,
        ..ConsumerConfig::default()
    };
    let router =
        Router::new().route(Route::new(ChatServer::new(ChatApp::default())).config(config));
    let app = chanx_runtime::axum::routes(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut alice = Client::connect(&format!("ws://{addr}/ws/chat")).await;
    let mut bob = Client::connect(&format!("ws://{addr}/ws/chat/")).await;
    alice.send_json(json!({"action": "ping", "ref": "a"})).await;
    alice
        .expect(json!({"action": "pong", "payload": null, "version": 1, "ref": "a"}))
        .await;
    alice
        .expect(json!({"action": "complete", "payload": null, "version": 1, "ref": "a"}))
        .await;
    bob.send_json(json!({"action": "ping"})).await;
    bob.expect(json!({"action": "pong", "payload": null})).await;
    bob.expect(json!({"action": "complete", "payload": null}))
        .await;

    alice
        .send_json(json!({"action": "chat", "payload": {"message": 1}}))
        .await;
    alice
        .expect(json!({"action": "error", "payload": [
            {"type": "string_type", "loc": ["chat", "payload", "message"], "msg": "Input should be a valid string"}
        ]}))
        .await;
    alice
        .expect(json!({"action": "complete", "payload": null}))
        .await;

    alice
        .send_json(json!({"action": "chat", "payload": {"message": "hi"}}))
        .await;
    alice
        .expect(json!({"action": "complete", "payload": null}))
        .await;
    let relayed = json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}});
    alice.expect(relayed.clone()).await;
    bob.expect(relayed).await;
    bob.expect(json!({"action": "group_complete", "payload": null}))
        .await;

    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/nowhere")).await;
    assert!(
        matches!(refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 404)
    );
}

/// A plain HTTP/1.1 GET: the status and the body.
async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("write the request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the response");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        (status, body)
    })
    .await
    .expect("join")
}

async fn ping_pong(url: &str) {
    let mut client = Client::connect(url).await;
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
}

#[tokio::test]
async fn routes_merge_into_an_app_with_its_own_fallback() {
    let router = Router::new()
        .route(Route::new(ChatServer::new(ChatApp::default())))
        .route(Route::new(ChatServer::new(ChatApp::default())).at("/ws/rooms/{room}"))
        .route(Route::new(ChatServer::new(ChatApp::default())).at("/ws/room-{id}"))
        .route(Route::new(ChatServer::new(ChatApp::default())).at("/files/{name}.json"));
    // axum refuses to merge two routers that both have a fallback: the chanx
    // routes must have none.
    let app = axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "the app's own page") })
        .merge(chanx_runtime::axum::routes(router));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Channels, with and without parameters and trailing slashes.
    ping_pong(&format!("ws://{addr}/ws/chat")).await;
    ping_pong(&format!("ws://{addr}/ws/chat/")).await;
    ping_pong(&format!("ws://{addr}/ws/rooms/lobby")).await;
    ping_pong(&format!("ws://{addr}/ws/rooms/a%20b/")).await;
    // A parameter inside a segment, and one axum cannot express (a catch-all
    // under `/files/` reaches the router, which matches the address).
    ping_pong(&format!("ws://{addr}/ws/room-7")).await;
    ping_pong(&format!("ws://{addr}/files/report.json")).await;

    // The app's own route and fallback.
    assert_eq!(http_get(addr, "/health").await, (200, "ok".to_owned()));
    for path in [
        "/nowhere",
        "/ws/rooms",
        "/ws/rooms/lobby/more",
        "/ws/chatroom",
    ] {
        assert_eq!(
            http_get(addr, path).await,
            (404, "the app's own page".to_owned()),
            "{path}"
        );
    }
    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/other")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 404);
            assert_eq!(response.body().as_deref(), Some(&b"the app's own page"[..]));
        }
        other => panic!("expected the app's 404, got {other:?}"),
    }
    // A channel address without an upgrade is refused by the upgrade, not
    // sent to the fallback; under the catch-all, an unknown path gets the
    // router's 404.
    let (status, body) = http_get(addr, "/ws/chat").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = http_get(addr, "/files/readme.txt").await;
    assert_eq!(status, 404);
    assert_ne!(body, "the app's own page");
}
