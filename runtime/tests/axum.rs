//! The same consumer served from axum.
#![cfg(feature = "axum")]

mod support;

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
