//! The `metrics` feature: what the runtime reports to an installed recorder
//! (Prometheus here), over real sockets.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use chanx_runtime::{ConsumerConfig, InMemoryLayer, Layer, Route, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use support::{
    app::{ChatApp, start},
    chat::{channels::chat::ChatServer, types::NotificationPayload},
    client::Client,
};

/// `name{labels} value` → value (labels as rendered: one label per series here).
fn samples(handle: &PrometheusHandle) -> BTreeMap<String, f64> {
    handle
        .render()
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

// One test: the recorder is global to this test binary.
#[tokio::test]
async fn handler_errors_drops_and_closes_are_counted() {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder");
    chanx_runtime::enable_metrics();
    let config = ConsumerConfig {
        groups: vec!["chat".into()],
        max_message_bytes: 1024,
        ..ConsumerConfig::default()
    };
    let app = ChatApp::default();
    let router = Router::new().route(Route::new(ChatServer::new(app.clone())).config(config));
    let layer = router.layer().clone();
    let server = start(router).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;

    // Two handler errors: an internal one and one with a public message.
    for message in ["fail", "reject"] {
        client
            .send_json(json!({"action": "chat", "payload": {"message": message}}))
            .await;
        assert_eq!(client.recv_json().await["action"], "error");
    }
    // A failing event handler: logged and counted, nothing sent.
    let boom: NotificationPayload =
        serde_json::from_value(json!({"message": "boom"})).expect("payload");
    layer
        .send_event(&boom, &app.channel(0))
        .await
        .expect("send_event");
    // A message to a channel that does not exist: dropped, nobody to read it.
    layer
        .send_event(&boom, "no-such-channel")
        .await
        .expect("send_event");
    client.send_text(r#"{"action": "ping"}"#).await;
    assert_eq!(client.recv_json().await["action"], "pong");
    // Over `max_message_bytes`: 1009.
    client.send_text(&"x".repeat(2048)).await;
    assert_eq!(client.expect_close().await.0, 1009);

    let expected = [
        (
            r#"chanx_handler_errors_total{handler="message",action="chat"}"#,
            2.0,
        ),
        (
            // This app's events carry no action.
            r#"chanx_handler_errors_total{handler="event",action=""}"#,
            1.0,
        ),
        (r#"chanx_messages_dropped_total{reason="gone"}"#, 1.0),
        (r#"chanx_closes_total{code="1009"}"#, 1.0),
        (r#"chanx_frames_received_total{action="chat"}"#, 2.0),
        (r#"chanx_frames_received_total{action="ping"}"#, 1.0),
        (r#"chanx_layer_send_seconds_count{op="send"}"#, 2.0),
        ("chanx_connections_open", 0.0),
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let found = loop {
        let found = samples(&handle);
        let settled = expected
            .iter()
            .all(|(key, value)| found.get(*key) == Some(value));
        if settled || tokio::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for (key, value) in expected {
        assert_eq!(found.get(key), Some(&value), "{key} in {found:#?}");
    }

    slow_client_closed_1013_is_counted(&handle).await;
}

/// A client that stops reading while big events pile up is closed with
/// 1013: counted by code.
async fn slow_client_closed_1013_is_counted(handle: &PrometheusHandle) {
    let config = ConsumerConfig {
        groups: vec!["chat".into()],
        outgoing_queue_capacity: 8,
        slow_client_timeout: Duration::from_millis(200),
        ..ConsumerConfig::default()
    };
    let router = Router::with_layer(Layer::new(InMemoryLayer::with_capacity(10_000)))
        .route(Route::new(ChatServer::new(ChatApp::default())).config(config));
    let layer = router.layer().clone();
    let server = start(router).await;
    let mut slow = Client::connect(&server.url("/ws/chat")).await;
    slow.send_json(json!({"action": "ping"})).await;
    assert_eq!(slow.recv_json().await["action"], "pong");
    // Far more than the socket buffers hold, to a client that reads nothing.
    let big = "y".repeat(64 * 1024);
    let event: NotificationPayload =
        serde_json::from_value(json!({"message": big})).expect("payload");
    let key = r#"chanx_closes_total{code="1013"}"#;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !samples(handle).contains_key(key) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no 1013 close counted"
        );
        layer
            .broadcast_event(&event, &["chat"])
            .await
            .expect("broadcast");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(samples(handle).get(key), Some(&1.0));
}
