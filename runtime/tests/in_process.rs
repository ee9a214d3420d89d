//! The test utilities themselves, and routing with address parameters.

mod support;

use std::{sync::Arc, time::Duration};

use chanx_runtime::{
    ConnectRequest, ConsumerConfig, Context, Handler, HandlerError, InMemoryLayer, Layer,
    ParamError, Params, PathParams, Route, Router, WsMessage,
    testing::{Communicator, RecordingLayer, Target},
};
use serde_json::json;
use support::{
    app::{ChatApp, start},
    chat::{
        channels::chat::{ChatServer, Incoming, Outgoing},
        types::{ChatNotificationMessage, ChatPayload, NotificationPayload, PongMessage},
    },
    client::Client,
};

fn chat_router(layer: Layer) -> Arc<Router> {
    let config = ConsumerConfig {
        groups: vec!["chat".into()],
        send_completion: true,
        ..ConsumerConfig::default()
    };
    Arc::new(
        Router::with_layer(layer)
            .route(Route::new(ChatServer::new(ChatApp::default())).config(config)),
    )
}

#[tokio::test]
async fn communicator_talks_to_a_consumer_without_a_socket() {
    let (recording, recorder) = RecordingLayer::new(InMemoryLayer::default());
    let router = chat_router(Layer::new(recording));
    let mut client = Communicator::connect(router.clone(), "/ws/chat");

    client.send_json(&json!({"action": "ping"}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "pong", "payload": null})
    );
    assert_eq!(
        client.receive_json().await,
        json!({"action": "complete", "payload": null})
    );

    client.send_json(&json!({"action": "chat", "payload": {"message": "hi"}}));
    assert_eq!(
        client.receive_until("complete").await,
        Vec::<serde_json::Value>::new()
    );
    let relayed = client.receive_until("group_complete").await;
    assert_eq!(
        relayed,
        vec![json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}})]
    );

    // What went through the layer is captured.
    assert_eq!(
        recorder.group_messages(),
        vec![(
            Target::Group("chat".into()),
            json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}})
        )]
    );
    router
        .layer()
        .broadcast_event(&json!({"message": "notice"}), &["chat"])
        .await
        .expect("broadcast");
    assert_eq!(
        recorder.events(),
        vec![(Target::Group("chat".into()), json!({"message": "notice"}))]
    );
    assert_eq!(
        client.receive_until("event_complete").await,
        vec![json!({"action": "notification", "payload": {"message": "notice", "level": "info"}})]
    );

    client.send_binary(b"\x00");
    assert_eq!(
        client.receive_json().await["payload"][0]["type"],
        "json_invalid"
    );
    assert!(client.receive_until("complete").await.is_empty());
    assert!(client.receive_nothing(Duration::from_millis(100)).await);
    client.disconnect().await;
}

#[tokio::test]
async fn communicator_sees_closes() {
    let router = chat_router(Layer::in_memory());
    router.shutdown_handle().shutdown();
    let mut client = Communicator::connect(router, "/ws/chat");
    let frame = client.assert_closed(1001).await;
    assert_eq!(frame.reason, "server shutting down");
}

/// A channel with an address parameter, written directly against `Handler`.
struct Rooms;

#[derive(Debug, PartialEq)]
struct RoomParams {
    room: String,
    page: u32,
}

impl Params for RoomParams {
    fn from_path(params: &PathParams) -> Result<Self, ParamError> {
        Ok(RoomParams {
            room: params.require("room")?.to_owned(),
            page: params.parse("page")?,
        })
    }
}

impl Handler for Rooms {
    type Incoming = Incoming;
    type Outgoing = Outgoing;
    type Params = RoomParams;
    type Event = NotificationPayload;
    const ADDRESS: Option<&'static str> = Some("ws/rooms/{room}/page-{page}/");
    const TAG_KEY: Option<&'static str> = Some("action");

    async fn on_connect(
        &self,
        ctx: &mut Context<Outgoing, RoomParams>,
    ) -> Result<(), HandlerError> {
        let group = format!("room_{}", ctx.params().room);
        ctx.join(&group).await?;
        Ok(())
    }

    async fn dispatch(
        &self,
        ctx: &mut Context<Outgoing, RoomParams>,
        message: Incoming,
    ) -> Result<Option<Outgoing>, HandlerError> {
        match message {
            Incoming::Ping(_) => Ok(Some(Outgoing::Pong(PongMessage::default()))),
            Incoming::Chat(chat) => {
                let relayed = Outgoing::ChatNotification(ChatNotificationMessage {
                    action: Default::default(),
                    payload: ChatPayload {
                        message: format!(
                            "[{} p{}] {}",
                            ctx.params().room,
                            ctx.params().page,
                            chat.payload.message
                        ),
                    },
                });
                ctx.broadcast_to_joined(&relayed, false).await?;
                ctx.leave(&format!("room_{}", ctx.params().room)).await?;
                Ok(None)
            }
        }
    }

    async fn on_event(
        &self,
        _ctx: &mut Context<Outgoing, RoomParams>,
        _event: NotificationPayload,
    ) -> Result<Option<Outgoing>, HandlerError> {
        Ok(None)
    }
}

#[tokio::test]
async fn address_parameters_reach_the_handler_and_bad_ones_get_400() {
    let server = start(Router::new().handler(Rooms)).await;
    let mut lobby = Client::connect(&server.url("/ws/rooms/the%20lobby/page-2")).await;
    let mut other = Client::connect(&server.url("/ws/rooms/other/page-1/")).await;
    for client in [&mut lobby, &mut other] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    lobby
        .send_json(json!({"action": "chat", "payload": {"message": "hello"}}))
        .await;
    lobby
        .expect(
            json!({"action": "chat_notification", "payload": {"message": "[the lobby p2] hello"}}),
        )
        .await;
    other.expect_silence(Duration::from_millis(150)).await;
    // The handler left its room after relaying: a second chat reaches nobody.
    lobby
        .send_json(json!({"action": "chat", "payload": {"message": "again"}}))
        .await;
    lobby.expect_silence(Duration::from_millis(150)).await;

    let refused = tokio_tungstenite::connect_async(server.url("/ws/rooms/lobby/page-x")).await;
    assert!(
        matches!(refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 400)
    );
}

/// In-memory socket halves for [`Router::serve`]: what the test sends, and
/// what the server writes.
#[allow(clippy::type_complexity)]
fn memory_socket() -> (
    tokio::sync::mpsc::UnboundedSender<WsMessage>,
    tokio::sync::mpsc::UnboundedReceiver<WsMessage>,
    impl futures_util::Sink<WsMessage, Error = std::io::Error> + Send + Unpin + 'static,
    impl futures_util::Stream<Item = Result<WsMessage, std::convert::Infallible>>
    + Send
    + Unpin
    + 'static,
) {
    let (to_server, server_rx) = tokio::sync::mpsc::unbounded_channel::<WsMessage>();
    let (server_tx, from_server) = tokio::sync::mpsc::unbounded_channel::<WsMessage>();
    let sink = Box::pin(futures_util::sink::unfold(
        server_tx,
        |tx, message: WsMessage| async move {
            tx.send(message).map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(tx)
        },
    ));
    let stream = Box::pin(futures_util::stream::unfold(
        server_rx,
        |mut rx| async move { rx.recv().await.map(|m| (Ok(m), rx)) },
    ));
    (to_server, from_server, sink, stream)
}

fn chat_request() -> ConnectRequest {
    ConnectRequest {
        path: "/ws/chat".into(),
        ..ConnectRequest::default()
    }
}

/// The connection runs as a task of its own, but no longer than the
/// `serve` call that started it: a server that drops it (shutdown after
/// its grace period) drops the connection with it.
#[tokio::test]
async fn a_dropped_serve_call_ends_its_connection() {
    let router = chat_router(Layer::new(InMemoryLayer::default()));
    let (to_server, mut from_server, sink, stream) = memory_socket();
    let serving = tokio::spawn(async move { router.serve(chat_request(), sink, stream).await });
    to_server
        .send(WsMessage::Text(r#"{"action": "ping"}"#.into()))
        .unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(2), from_server.recv()).await;
    assert_eq!(
        pong.ok().flatten(),
        Some(WsMessage::Text(
            r#"{"action": "pong", "payload": null}"#.into()
        ))
    );

    serving.abort();
    // The connection's task is gone: its stream (the test's receiver side)
    // is dropped, and so, once its writer task has finished, is its sink
    // with the server's sender.
    let drained = tokio::time::timeout(Duration::from_secs(2), async {
        while from_server.recv().await.is_some() {}
    })
    .await;
    assert!(drained.is_ok(), "the connection outlived its serve call");
    assert!(to_server.is_closed());
}

/// A handler that panics on a chat message.
struct Panics;

impl Handler for Panics {
    type Incoming = Incoming;
    type Outgoing = Outgoing;
    type Params = ();
    type Event = NotificationPayload;
    const ADDRESS: Option<&'static str> = Some("ws/chat");
    const TAG_KEY: Option<&'static str> = Some("action");

    async fn on_connect(&self, _ctx: &mut Context<Outgoing, ()>) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn on_event(
        &self,
        _ctx: &mut Context<Outgoing, ()>,
        _event: NotificationPayload,
    ) -> Result<Option<Outgoing>, HandlerError> {
        Ok(None)
    }

    async fn dispatch(
        &self,
        _ctx: &mut Context<Outgoing, ()>,
        message: Incoming,
    ) -> Result<Option<Outgoing>, HandlerError> {
        match message {
            Incoming::Ping(_) => Ok(Some(Outgoing::Pong(PongMessage::default()))),
            Incoming::Chat(_) => panic!("the handler panicked"),
        }
    }
}

/// A panic in the connection's task reaches the `serve` call, as if the
/// connection had run in it.
#[tokio::test]
async fn a_handler_panic_reaches_the_serve_call() {
    let router = Arc::new(Router::new().handler(Panics));
    let (to_server, _from_server, sink, stream) = memory_socket();
    let serving = tokio::spawn(async move { router.serve(chat_request(), sink, stream).await });
    to_server
        .send(WsMessage::Text(
            r#"{"action": "chat", "payload": {"message": "boom"}}"#.into(),
        ))
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(2), serving)
        .await
        .expect("the serve call ended");
    let error = ended.expect_err("the serve call panicked");
    assert!(error.is_panic());
    let message = error.into_panic();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"the handler panicked")
    );
}
