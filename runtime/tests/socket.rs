//! The runtime over real sockets: every behaviour, asserting exact frames.

mod support;

use std::time::Duration;

use chanx_runtime::{ConsumerConfig, InMemoryLayer, Layer, Route, Router};
use serde_json::json;
use support::{
    app::{ChatApp, TokenAuth, start},
    chat::{channels::chat::ChatServer, types::NotificationPayload},
    client::Client,
};
use tokio_tungstenite::tungstenite::Message;

fn config() -> ConsumerConfig {
    ConsumerConfig {
        groups: vec!["chat".into()],
        ..ConsumerConfig::default()
    }
}

fn chat_router(app: ChatApp, config: ConsumerConfig) -> Router {
    Router::new().route(Route::new(ChatServer::new(app)).config(config))
}

fn notice(message: &str) -> NotificationPayload {
    serde_json::from_value(json!({"message": message})).expect("payload")
}

#[tokio::test]
async fn ping_gets_pong() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    client
        .send_json(json!({"action": "ping", "payload": null}))
        .await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
    // The action field may be left out only if it is the default? No: it is the tag.
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
}

#[tokio::test]
async fn chanx_style_addresses_match() {
    let router =
        Router::new().route(Route::new(ChatServer::new(ChatApp::default())).at("ws/chat/"));
    let server = start(router).await;
    for path in ["/ws/chat", "/ws/chat/", "/ws/chat?x=1"] {
        let mut client = Client::connect(&server.url(path)).await;
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
}

#[tokio::test]
async fn unknown_address_is_refused_with_404() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let refused = tokio_tungstenite::connect_async(server.url("/ws/other")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 404)
        }
        other => panic!("expected HTTP 404, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn chat_is_broadcast_to_the_group() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut alice = Client::connect(&server.url("/ws/chat")).await;
    let mut bob = Client::connect(&server.url("/ws/chat")).await;
    // Both are connected (and in the group) once each has answered a ping.
    for client in [&mut alice, &mut bob] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    alice
        .send_json(json!({"action": "chat", "payload": {"message": "hi"}}))
        .await;
    let relayed = json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}});
    alice.expect(relayed.clone()).await;
    bob.expect(relayed).await;
}

#[tokio::test]
async fn broadcast_can_exclude_the_sender() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut alice = Client::connect(&server.url("/ws/chat")).await;
    let mut bob = Client::connect(&server.url("/ws/chat")).await;
    for client in [&mut alice, &mut bob] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    alice
        .send_json(json!({"action": "chat", "payload": {"message": "quiet psst"}}))
        .await;
    bob.expect(json!({"action": "chat_notification", "payload": {"message": "anonymous: psst"}}))
        .await;
    alice.expect_silence(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn events_reach_one_connection_or_a_group() {
    let app = ChatApp::default();
    let router = chat_router(app.clone(), config());
    let layer = router.layer().clone();
    let server = start(router).await;
    let mut alice = Client::connect(&server.url("/ws/chat")).await;
    let mut bob = Client::connect(&server.url("/ws/chat")).await;
    for client in [&mut alice, &mut bob] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }

    layer
        .send_event(&notice("just you"), &app.channel(1))
        .await
        .expect("send_event");
    bob.expect(
        json!({"action": "notification", "payload": {"message": "just you", "level": "info"}}),
    )
    .await;
    alice.expect_silence(Duration::from_millis(150)).await;

    layer
        .broadcast_event(&notice("everyone"), &["chat"])
        .await
        .expect("broadcast_event");
    let everyone =
        json!({"action": "notification", "payload": {"message": "everyone", "level": "info"}});
    alice.expect(everyone.clone()).await;
    bob.expect(everyone).await;

    // The blocking variants, from a plain thread.
    let (sync_layer, bob_channel) = (layer.clone(), app.channel(1));
    std::thread::spawn(move || {
        sync_layer
            .send_event_blocking(&notice("from sync"), &bob_channel)
            .expect("blocking send");
        sync_layer
            .broadcast_event_blocking(&notice("sync all"), &["chat"])
            .expect("blocking broadcast");
    })
    .join()
    .expect("thread");
    bob.expect(
        json!({"action": "notification", "payload": {"message": "from sync", "level": "info"}}),
    )
    .await;
    let all =
        json!({"action": "notification", "payload": {"message": "sync all", "level": "info"}});
    bob.expect(all.clone()).await;
    alice.expect(all).await;

    // A failing event handler is logged, nothing is sent (as chanx).
    layer
        .send_event(&notice("boom"), &app.channel(0))
        .await
        .expect("send_event");
    alice.expect_silence(Duration::from_millis(150)).await;
}

#[tokio::test]
async fn malformed_frames_get_error_frames_and_the_connection_stays_open() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;

    client.send_text("nope").await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "json_invalid", "loc": [], "msg": "Invalid JSON: Expecting value: line 1 column 1 (char 0)"}
        ]}))
        .await;

    client.send_json(json!({"payload": null})).await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "union_tag_not_found", "loc": [], "msg": "Unable to extract tag using discriminator 'action'"}
        ]}))
        .await;

    client.send_json(json!({"action": "x"})).await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "union_tag_invalid",
            "loc": [],
            "msg": "Input tag 'x' found using 'action' does not match any of the expected tags: 'chat', 'ping'"
        }]}))
        .await;

    client.send_json(json!([1, 2])).await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "model_type",
            "loc": [],
            "msg": "Input should be a valid dictionary or instance of Envelope"
        }]}))
        .await;

    client.send_json(json!({"action": "chat"})).await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "missing", "loc": ["chat", "payload"], "msg": "Field required"}
        ]}))
        .await;

    client
        .send_json(json!({"action": "chat", "payload": {}}))
        .await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "missing", "loc": ["chat", "payload", "message"], "msg": "Field required"}
        ]}))
        .await;

    client
        .send_json(json!({"action": "chat", "payload": {"message": 5}}))
        .await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "string_type", "loc": ["chat", "payload", "message"], "msg": "Input should be a valid string"}
        ]}))
        .await;

    client
        .send_json(json!({"action": "chat", "payload": "hi"}))
        .await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "model_type",
            "loc": ["chat", "payload"],
            "msg": "Input should be a valid dictionary or instance of ChatPayload"
        }]}))
        .await;

    client
        .send_json(json!({"action": "ping", "payload": 1}))
        .await;
    client
        .expect(json!({"action": "error", "payload": [
            {"type": "none_required", "loc": ["ping", "payload"], "msg": "Input should be None"}
        ]}))
        .await;

    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
}

#[tokio::test]
async fn handler_errors_show_only_the_public_message() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    client
        .send_json(json!({"action": "chat", "payload": {"message": "fail"}}))
        .await;
    client
        .expect(
            json!({"action": "error", "payload": {"detail": "Failed to process message for chat"}}),
        )
        .await;
    client
        .send_json(json!({"action": "chat", "payload": {"message": "reject"}}))
        .await;
    client
        .expect(json!({"action": "error", "payload": {"detail": "Message rejected"}}))
        .await;
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
}

#[tokio::test]
async fn ref_is_copied_to_replies_and_errors() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    client
        .send_json(json!({"action": "ping", "ref": "r-1"}))
        .await;
    client
        .expect(json!({"action": "pong", "payload": null, "version": 1, "ref": "r-1"}))
        .await;
    client.send_json(json!({"action": "x", "ref": "r-2"})).await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "union_tag_invalid",
            "loc": [],
            "msg": "Input tag 'x' found using 'action' does not match any of the expected tags: 'chat', 'ping'"
        }], "version": 1, "ref": "r-2"}))
        .await;
    client
        .send_json(json!({"action": "chat", "payload": {"message": "reject"}, "ref": "r-3"}))
        .await;
    client
        .expect(json!({
            "action": "error", "payload": {"detail": "Message rejected"}, "version": 1, "ref": "r-3"
        }))
        .await;
    // The envelope is validated as chanx does: a `ref` must be a string.
    client.send_json(json!({"action": "ping", "ref": 7})).await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "string_type", "loc": ["ref"], "msg": "Input should be a valid string"
        }]}))
        .await;
    // Other envelope keys are stripped before the message is decoded.
    client
        .send_json(json!({"action": "ping", "version": 2, "seq": 4}))
        .await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
    // A frame that is not an object fails the envelope, as in chanx.
    client.send_text("[1, 2]").await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "model_type", "loc": [],
            "msg": "Input should be a valid dictionary or instance of Envelope"
        }]}))
        .await;
}

#[tokio::test]
async fn completion_frames_follow_messages_group_relays_and_events() {
    let app = ChatApp::default();
    let router = chat_router(
        app.clone(),
        ConsumerConfig {
            send_completion: true,
            ..config()
        },
    );
    let layer = router.layer().clone();
    let server = start(router).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;

    client
        .send_json(json!({"action": "ping", "ref": "1"}))
        .await;
    client
        .expect(json!({"action": "pong", "payload": null, "version": 1, "ref": "1"}))
        .await;
    client
        .expect(json!({"action": "complete", "payload": null, "version": 1, "ref": "1"}))
        .await;

    client
        .send_json(json!({"action": "chat", "payload": {"message": "hi"}}))
        .await;
    client
        .expect(json!({"action": "complete", "payload": null}))
        .await;
    client
        .expect(json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}}))
        .await;
    client
        .expect(json!({"action": "group_complete", "payload": null}))
        .await;

    client.send_text("{").await;
    let error = client.recv_json().await;
    assert_eq!(error["payload"][0]["type"], "json_invalid");
    client
        .expect(json!({"action": "complete", "payload": null}))
        .await;

    layer
        .send_event(&notice("n"), &app.channel(0))
        .await
        .expect("send_event");
    client
        .expect(json!({"action": "notification", "payload": {"message": "n", "level": "info"}}))
        .await;
    client
        .expect(json!({"action": "event_complete", "payload": null}))
        .await;
}

#[tokio::test]
async fn authentication_rejects_with_4401_or_4403_and_exposes_the_user() {
    let router = Router::new().route(
        Route::new(ChatServer::new(ChatApp::default()))
            .config(config())
            .authenticator(TokenAuth),
    );
    let server = start(router).await;

    let mut anonymous = Client::connect(&server.url("/ws/chat")).await;
    anonymous
        .expect(json!({"action": "authentication", "payload": {
            "status_code": 401,
            "status_text": "Unauthorized",
            "data": {"detail": "Authentication credentials were not provided."}
        }}))
        .await;
    assert_eq!(anonymous.expect_close().await.0, 4401);

    let mut intruder = Client::connect(&server.url("/ws/chat?token=forged")).await;
    intruder
        .expect(json!({"action": "authentication", "payload": {
            "status_code": 403, "status_text": "Forbidden", "data": {"detail": "Invalid token"}
        }}))
        .await;
    assert_eq!(
        intruder.expect_close().await,
        (4403, "Forbidden".to_owned())
    );

    let mut alice = Client::connect(&server.url("/ws/chat?token=user-alice")).await;
    let mut bob = Client::connect_with(
        &server.url("/ws/chat"),
        &[("cookie", "theme=dark; token=user-bob")],
    )
    .await;
    let mut carol = Client::connect_with(
        &server.url("/ws/chat"),
        &[("authorization", "Bearer user-carol")],
    )
    .await;
    for client in [&mut alice, &mut bob, &mut carol] {
        // Accepted connections are told so first, as chanx does.
        client
            .expect(json!({"action": "authentication", "payload": {
                "status_code": 200, "status_text": "OK", "data": {"detail": "OK"}
            }}))
            .await;
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    bob.send_json(json!({"action": "chat", "payload": {"message": "hello"}}))
        .await;
    for client in [&mut alice, &mut bob, &mut carol] {
        client
            .expect(json!({"action": "chat_notification", "payload": {"message": "bob: hello"}}))
            .await;
    }
}

/// Authenticates as `TokenAuth` does, slowly: a connection spends a while
/// between its upgrade request and its groups.
struct SlowAuth;

impl chanx_runtime::Authenticator for SlowAuth {
    type User = <TokenAuth as chanx_runtime::Authenticator>::User;

    async fn authenticate(
        &self,
        request: &chanx_runtime::ConnectRequest,
    ) -> Result<Self::User, chanx_runtime::AuthRejection> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        TokenAuth.authenticate(request).await
    }
}

/// A client that sees its upgrade complete is already in its groups: a
/// broadcast sent that moment reaches it (the server holds the `101` answer
/// until the connection has joined, however long authentication takes).
#[tokio::test]
async fn a_connected_client_is_already_in_its_groups() {
    let router = Router::new().route(
        Route::new(ChatServer::new(ChatApp::default()))
            .config(config())
            .authenticator(SlowAuth),
    );
    let server = start(router).await;
    let mut alice = Client::connect(&server.url("/ws/chat?token=user-alice")).await;
    let authenticated = json!({"action": "authentication", "payload": {
        "status_code": 200, "status_text": "OK", "data": {"detail": "OK"}
    }});
    alice.expect(authenticated.clone()).await;
    for round in 0..3 {
        let started = std::time::Instant::now();
        let mut bob = Client::connect(&server.url("/ws/chat?token=user-bob")).await;
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "the upgrade completed before authentication ended"
        );
        // `quiet`: to the others in alice's groups (bob is in `chat`).
        let message = format!("round {round}");
        alice
            .send_json(
                json!({"action": "chat", "payload": {"message": format!("quiet {message}")}}),
            )
            .await;
        let relayed = json!({"action": "chat_notification", "payload": {"message": format!("alice: {message}")}});
        // Frames queued before the answer (here the authentication frame) follow it in order.
        bob.expect(authenticated.clone()).await;
        bob.expect(relayed).await;
    }
    // A rejected client still gets its answer, its frame and its close.
    let mut intruder = Client::connect(&server.url("/ws/chat?token=forged")).await;
    intruder
        .expect(json!({"action": "authentication", "payload": {
            "status_code": 403, "status_text": "Forbidden", "data": {"detail": "Invalid token"}
        }}))
        .await;
    assert_eq!(intruder.expect_close().await.0, 4403);
}

#[tokio::test]
async fn camelized_authentication_frame() {
    let config = ConsumerConfig {
        camelize: true,
        ..config()
    };
    let router = Router::new().route(
        Route::new(ChatServer::new(ChatApp::default()))
            .config(config)
            .authenticator(TokenAuth),
    );
    let server = start(router).await;
    let mut client = Client::connect(&server.url("/ws/chat?token=bad")).await;
    client
        .expect(json!({"action": "authentication", "payload": {
            "statusCode": 403, "statusText": "Forbidden", "data": {"detail": "Invalid token"}
        }}))
        .await;
    assert_eq!(client.expect_close().await.0, 4403);
}

#[tokio::test]
async fn binary_frames_get_an_error_and_oversized_frames_close_1009() {
    let small = ConsumerConfig {
        max_message_bytes: 1024,
        ..config()
    };
    // The default route keeps the transport limit at 1 MiB, so the small
    // route's own check is what closes.
    let router = Router::new()
        .route(Route::new(ChatServer::new(ChatApp::default())).config(config()))
        .route(
            Route::new(ChatServer::new(ChatApp::default()))
                .at("/ws/small")
                .config(small.clone()),
        );
    let server = start(router).await;
    let mut client = Client::connect(&server.url("/ws/small")).await;
    client.send_binary(b"{\"action\":\"ping\"}".to_vec()).await;
    client
        .expect(json!({"action": "error", "payload": [{
            "type": "json_invalid",
            "loc": [],
            "msg": "Invalid JSON: binary frames are not supported"
        }]}))
        .await;
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;

    let big = json!({"action": "chat", "payload": {"message": "x".repeat(2000)}});
    client.send_json(big.clone()).await;
    assert_eq!(
        client.expect_close().await,
        (1009, "message too big".to_owned())
    );

    // Alone on a server, the route's limit is the transport's limit too.
    let lone =
        start(Router::new().route(Route::new(ChatServer::new(ChatApp::default())).config(small)))
            .await;
    let mut client = Client::connect(&lone.url("/ws/chat")).await;
    client.send_json(big).await;
    assert_eq!(client.expect_close().await.0, 1009);
}

#[tokio::test]
async fn idle_clients_are_closed_and_pings_keep_alive() {
    let config = ConsumerConfig {
        idle_timeout: Some(Duration::from_millis(400)),
        ping_interval: Some(Duration::from_millis(100)),
        ..config()
    };
    let server = start(chat_router(ChatApp::default(), config)).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    // The server pings; tungstenite answers, so the connection is not idle.
    match client.raw_next(Duration::from_secs(1)).await {
        Some(Message::Ping(_)) => {}
        other => panic!("expected a ping, got {other:?}"),
    }
    // Reading drives the automatic pongs: stay connected well past the timeout.
    let until = tokio::time::Instant::now() + Duration::from_millis(900);
    while tokio::time::Instant::now() < until {
        match client.raw_next(Duration::from_millis(100)).await {
            Some(Message::Ping(_)) | None => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;

    let silent = ConsumerConfig {
        idle_timeout: Some(Duration::from_millis(300)),
        ping_interval: None,
        ..config_default_groups()
    };
    let server = start(chat_router(ChatApp::default(), silent)).await;
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    // A client that sends nothing (not even pongs: no pings come) is closed.
    assert_eq!(
        client.expect_close().await,
        (1000, "idle timeout".to_owned())
    );
}

fn config_default_groups() -> ConsumerConfig {
    config()
}

#[tokio::test]
async fn shutdown_lets_in_flight_handlers_finish_then_closes_1001() {
    let server = start(chat_router(ChatApp::default(), config())).await;
    let mut busy = Client::connect(&server.url("/ws/chat")).await;
    let mut idle = Client::connect(&server.url("/ws/chat")).await;
    for client in [&mut busy, &mut idle] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    busy.send_json(json!({"action": "chat", "payload": {"message": "slow"}}))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.shutdown.shutdown();
    // The slow handler (300 ms) still completes and its broadcast goes out.
    busy.expect(json!({"action": "chat_notification", "payload": {"message": "anonymous: slow"}}))
        .await;
    assert_eq!(
        busy.expect_close().await,
        (1001, "server shutting down".to_owned())
    );
    assert_eq!(idle.expect_close().await.0, 1001);
    let finished = tokio::time::timeout(Duration::from_secs(5), server.task).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "server did not stop: {finished:?}"
    );
    assert!(
        tokio_tungstenite::connect_async(format!("ws://{}/ws/chat", server.addr))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_slow_client_is_closed_1013_without_holding_up_others() {
    // A client that stops reading is given `slow_client_timeout` to catch
    // up; the close frame then waits up to `close_timeout` for it to read.
    let config = ConsumerConfig {
        outgoing_queue_capacity: 64,
        slow_client_timeout: Duration::from_millis(500),
        close_timeout: Duration::from_secs(30),
        ..config()
    };
    // Inboxes large enough that nobody waits on the slow client's inbox:
    // only its own queue and socket fill up.
    let router = Router::with_layer(Layer::new(InMemoryLayer::with_capacity(10_000)))
        .route(Route::new(ChatServer::new(ChatApp::default())).config(config));
    let layer = router.layer().clone();
    let server = start(router).await;
    let mut slow = Client::connect(&server.url("/ws/chat")).await;
    let mut fast = Client::connect(&server.url("/ws/chat")).await;
    for client in [&mut slow, &mut fast] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }

    // ~25 MB to each client: far more than socket buffers hold.
    const EVENTS: usize = 400;
    let fast_reader = tokio::spawn(async move {
        let mut received = 0;
        while received < EVENTS {
            let frame = fast.recv_json().await;
            assert_eq!(frame["action"], "notification");
            received += 1;
        }
        received
    });
    let started = tokio::time::Instant::now();
    let big = "y".repeat(64 * 1024);
    for i in 0..EVENTS {
        layer
            .broadcast_event(&notice(&format!("{i}{big}")), &["chat"])
            .await
            .expect("broadcast");
        // Paced like a real producer, so a client that reads keeps up.
        if i % 4 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let received = tokio::time::timeout(Duration::from_secs(20), fast_reader).await;
    assert!(
        matches!(received, Ok(Ok(EVENTS))),
        "fast client was held up: {received:?}"
    );

    // The slow client has not read for well over its timeout; it reads
    // now: what was written before, then close 1013.
    tokio::time::sleep_until(started + Duration::from_millis(1500)).await;
    let mut close = None;
    let mut notifications = 0;
    while let Some(message) = slow.raw_next(Duration::from_secs(5)).await {
        match message {
            Message::Close(frame) => {
                close = frame.map(|f| u16::from(f.code));
                break;
            }
            Message::Text(_) => notifications += 1,
            _ => {}
        }
    }
    assert_eq!(close, Some(1013));
    assert!(notifications < EVENTS, "{notifications} notifications");
    let stats = layer.stats();
    assert_eq!(stats.closed_slow_clients, 1, "{stats:?}");
    assert_eq!(stats.dropped_full, 0, "{stats:?}");
}
