//! Topics served by the runtime, without a socket: the chat consumer hosts
//! the `room:{room}` topic (see `support/app.rs`). The frame-by-frame
//! comparison with chanx itself is `tests/conformance/tests/topics.rs`; this
//! checks what a Rust program sees around it: hooks, completion frames,
//! broadcasts from anywhere, cleanup at disconnect and the layer's groups.

mod support;

use std::{sync::Arc, time::Duration};

use chanx_runtime::{
    ConsumerConfig, InMemoryLayer, Layer, Route, Router,
    testing::{Communicator, RecordingLayer, Target},
};
use serde_json::json;
use support::{
    app::ChatApp,
    chat::{
        channels::{chat::ChatServer, chat_room_topic as room},
        types::{NotificationPayload, NotificationPayloadLevel, RoomChat, RoomChatMessage},
    },
};

fn router(app: ChatApp, layer: Layer, send_completion: bool) -> Arc<Router> {
    let config = ConsumerConfig {
        send_completion,
        ..ConsumerConfig::default()
    };
    Arc::new(Router::with_layer(layer).route(Route::new(ChatServer::new(app)).config(config)))
}

async fn subscribe(client: &mut Communicator, topic: &str, reference: &str) {
    client.send_json(&json!({"action": "subscribe", "topic": topic, "ref": reference}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "subscribed", "payload": null, "version": 1, "topic": topic, "ref": reference})
    );
    let room = topic.trim_start_matches("room:");
    assert_eq!(
        client.receive_json().await,
        json!({"action": "room_joined", "payload": {"room": room}, "version": 1, "topic": topic}),
        "on_subscribe's push carries the topic and no ref"
    );
}

#[tokio::test]
async fn a_post_reaches_every_subscriber_of_its_room_only() {
    let router = router(ChatApp::default(), Layer::in_memory(), false);
    let mut ann = Communicator::connect(router.clone(), "/ws/chat");
    let mut bob = Communicator::connect(router.clone(), "/ws/chat");
    let mut cid = Communicator::connect(router.clone(), "/ws/chat");
    subscribe(&mut ann, "room:lobby", "1").await;
    subscribe(&mut bob, "room:lobby", "a").await;
    subscribe(&mut cid, "room:other", "x").await;

    ann.send_json(&json!({"action": "room_post", "topic": "room:lobby", "ref": "2", "payload": {"message": "hi"}}));
    let chat = json!({"action": "room_chat", "payload": {"room": "lobby", "message": "hi"}, "version": 1, "topic": "room:lobby"});
    assert_eq!(ann.receive_json().await, chat);
    assert_eq!(bob.receive_json().await, chat);
    assert!(cid.receive_nothing(Duration::from_millis(100)).await);

    // Not subscribed under that exact string: chanx's not_subscribed.
    cid.send_json(&json!({"action": "room_post", "topic": "room:lobby", "ref": "y", "payload": {"message": "hi"}}));
    assert_eq!(
        cid.receive_json().await,
        json!({"action": "error", "payload": {"reason": "not_subscribed", "detail": "Not subscribed to 'room:lobby'"}, "version": 1, "topic": "room:lobby", "ref": "y"})
    );
}

#[tokio::test]
async fn refusals_and_errors_carry_topic_and_ref() {
    let router = router(ChatApp::default(), Layer::in_memory(), false);
    let mut client = Communicator::connect(router, "/ws/chat");
    client.send_json(&json!({"action": "subscribe", "topic": "room:private", "ref": "1"}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "error", "payload": {"reason": "unauthorized", "detail": "Not allowed to subscribe to 'room:private'"}, "version": 1, "topic": "room:private", "ref": "1"})
    );
    for unknown in ["lobby", "room:", "room:a:b", "rooms:a"] {
        client.send_json(&json!({"action": "subscribe", "topic": unknown}));
        assert_eq!(
            client.receive_json().await,
            json!({"action": "error", "payload": {"reason": "unknown_topic", "detail": format!("Unknown topic '{unknown}'")}, "version": 1, "topic": unknown}),
            "{unknown}"
        );
    }
    subscribe(&mut client, "room:lobby", "2").await;
    // A handler error becomes chanx's error frame within the topic.
    client.send_json(&json!({"action": "room_post", "topic": "room:lobby", "ref": "3", "payload": {"message": "fail"}}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "error", "payload": {"detail": "Post refused"}, "version": 1, "topic": "room:lobby", "ref": "3"})
    );
    // Validation errors are located like pydantic's, within the topic.
    client.send_json(&json!({"action": "room_post", "topic": "room:lobby", "ref": "4", "payload": {"message": ""}}));
    let error = client.receive_json().await;
    assert_eq!(error["payload"][0]["type"], "string_too_short", "{error}");
    assert_eq!(
        error["payload"][0]["loc"],
        json!(["room_post", "payload", "message"])
    );
    assert_eq!(
        (&error["topic"], &error["ref"]),
        (&json!("room:lobby"), &json!("4"))
    );
    // A consumer action sent to the topic is not one of the topic's.
    client.send_json(&json!({"action": "ping", "topic": "room:lobby"}));
    let error = client.receive_json().await;
    assert_eq!(error["payload"][0]["type"], "union_tag_invalid", "{error}");
}

#[tokio::test]
async fn completion_frames_carry_the_topic_and_ref_or_seq() {
    let router = router(ChatApp::default(), Layer::in_memory(), true);
    let mut client = Communicator::connect(router.clone(), "/ws/chat");
    // chanx answers subscribe with the protocol frames only, no completion.
    subscribe(&mut client, "room:lobby", "1").await;
    assert!(client.receive_nothing(Duration::from_millis(100)).await);

    // A frame handled by the topic completes within the topic.
    client.send_json(&json!({"action": "room_post", "topic": "room:lobby", "ref": "2", "payload": {"message": "fail"}}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "error", "payload": {"detail": "Post refused"}, "version": 1, "topic": "room:lobby", "ref": "2"})
    );
    assert_eq!(
        client.receive_json().await,
        json!({"action": "complete", "payload": null, "version": 1, "topic": "room:lobby", "ref": "2"})
    );

    // An event the topic's on_event turns into a message, with the broadcast's seq.
    let event = NotificationPayload {
        message: "pushed".into(),
        level: NotificationPayloadLevel::Info,
    };
    room::broadcast(router.layer(), "room:lobby", &event, Some(17))
        .await
        .expect("broadcast");
    assert_eq!(
        client.receive_json().await,
        json!({"action": "room_chat", "payload": {"room": "lobby", "message": "pushed"}, "version": 1, "topic": "room:lobby", "seq": 17})
    );
    assert_eq!(
        client.receive_json().await,
        json!({"action": "event_complete", "payload": null, "version": 1, "topic": "room:lobby", "seq": 17})
    );
}

#[tokio::test]
async fn broadcasts_from_synchronous_code_reach_subscribers() {
    let router = router(ChatApp::default(), Layer::in_memory(), false);
    let mut client = Communicator::connect(router.clone(), "/ws/chat");
    subscribe(&mut client, "room:lobby", "1").await;

    let layer = router.layer().clone();
    std::thread::spawn(move || {
        let chat = RoomChatMessage::new(RoomChat {
            room: "lobby".into(),
            message: "from a thread".into(),
        });
        // Passthrough: forwarded as it is; without seq, the frame has none.
        room::broadcast_blocking(&layer, "room:lobby", &chat, None)
    })
    .join()
    .expect("thread")
    .expect("broadcast");
    assert_eq!(
        client.receive_json().await,
        json!({"action": "room_chat", "payload": {"room": "lobby", "message": "from a thread"}, "version": 1, "topic": "room:lobby"})
    );

    // Nobody subscribed to another room: nothing arrives.
    let layer = router.layer().clone();
    room::broadcast(
        &layer,
        "room:else",
        &json!({"action": "room_chat", "payload": {"room": "else", "message": "x"}}),
        None,
    )
    .await
    .expect("broadcast");
    assert!(client.receive_nothing(Duration::from_millis(100)).await);
}

#[tokio::test]
async fn topics_use_chanx_group_names_and_carry_seq_through_the_layer() {
    let (recording, recorder) = RecordingLayer::new(InMemoryLayer::default());
    let router = router(ChatApp::default(), Layer::new(recording), false);
    let mut client = Communicator::connect(router.clone(), "/ws/chat");
    subscribe(&mut client, "room:the lobby!", "1").await;
    room::broadcast(
        router.layer(),
        "room:the lobby!",
        &json!({"action": "room_chat", "payload": {"room": "r", "message": "m"}}),
        Some(3),
    )
    .await
    .expect("broadcast");
    let pushed = client.receive_json().await;
    assert_eq!(pushed["seq"], 3, "{pushed}");
    assert_eq!(
        recorder.topic_events(),
        vec![(
            Target::Group("RoomTopic.room-the-lobby".into()),
            json!({"type": "handle_topic_event", "topic": "room:the lobby!", "seq": 3, "event_data": {"action": "room_chat", "payload": {"room": "r", "message": "m"}}})
        )]
    );
}

#[tokio::test]
async fn unsubscribe_and_disconnect_run_on_unsubscribe_and_leave_the_group() {
    let app = ChatApp::default();
    let router = router(app.clone(), Layer::in_memory(), false);
    let mut client = Communicator::connect(router.clone(), "/ws/chat");
    subscribe(&mut client, "room:a", "1").await;
    subscribe(&mut client, "room:b", "2").await;

    client.send_json(&json!({"action": "unsubscribe", "topic": "room:a", "ref": "3"}));
    assert_eq!(
        client.receive_json().await,
        json!({"action": "unsubscribed", "payload": null, "version": 1, "topic": "room:a", "ref": "3"})
    );
    // Twice, or never subscribed: still unsubscribed, no hook.
    for topic in ["room:a", "room:never"] {
        client.send_json(&json!({"action": "unsubscribe", "topic": topic}));
        assert_eq!(
            client.receive_json().await,
            json!({"action": "unsubscribed", "payload": null, "version": 1, "topic": topic})
        );
    }
    assert_eq!(app.rooms.left(), vec!["room:a".to_owned()]);

    // A push into room:a no longer reaches this connection.
    room::broadcast(
        router.layer(),
        "room:a",
        &json!({"action": "room_chat", "payload": {"room": "a", "message": "late"}}),
        None,
    )
    .await
    .expect("broadcast");
    assert!(client.receive_nothing(Duration::from_millis(100)).await);

    client.disconnect().await;
    wait_until(|| app.rooms.left().len() == 2).await;
    assert_eq!(
        app.rooms.left(),
        vec!["room:a".to_owned(), "room:b".to_owned()]
    );
}

async fn wait_until(done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 2 s");
}
