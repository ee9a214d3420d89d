//! A request the server sends (a send operation with a reply, `sendHeartbeat`
//! in `specs/tagged.yaml`): the generated client gets it as a push carrying
//! its `ref` and answers with `reply_heartbeat`, the `ref` copied back. The
//! address parameter is filled in, percent-encoded, and the document's
//! credentials reach the server.

use std::time::Duration;

use chanx_compile_rust::tagged::channels::notifications::{
    Credentials, NotificationsClient, Outgoing, Params,
};
use chanx_compile_rust::tagged::types::AckMessagePayload;
use chanx_runtime::client::{ClientEvent, ClientOptions};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

// tungstenite's handshake callback fixes its (large) error type.
#[allow(clippy::result_large_err)]
#[tokio::test]
async fn the_client_answers_a_server_request_with_its_ref() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    // The server: asks once, then hands back what the client answered.
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let path = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen = path.clone();
        let callback = move |request: &Request, response: Response| {
            let authorization = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            *seen.lock().expect("lock") = format!("{} {authorization}", request.uri());
            Ok(response)
        };
        let mut socket = tokio_tungstenite::accept_hdr_async(stream, callback)
            .await
            .expect("upgrade");
        assert_eq!(
            *path.lock().expect("lock"),
            "/ws/users/u%201/notifications?api_key=k%261 Bearer t1"
        );
        let ask = json!({"event": "heartbeat", "beat": 7, "version": 1, "ref": "s1"});
        socket
            .send(Message::text(ask.to_string()))
            .await
            .expect("send");
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str::<Value>(&text).expect("JSON");
                }
                Some(Ok(_)) => continue,
                other => panic!("the client sent no answer: {other:?}"),
            }
        }
    });

    let params = Params {
        user_id: "u 1".into(),
    };
    let url = format!("ws://{address}");
    // The document's security schemes: an API key in the query, a bearer token.
    let credentials = Credentials {
        api_key: Some("k&1".into()),
        bearer_token: Some("t1".into()),
    };
    let mut client =
        NotificationsClient::connect(&url, &params, &credentials, ClientOptions::default())
            .await
            .expect("connects");
    let push = match tokio::time::timeout(Duration::from_secs(10), client.next()).await {
        Ok(Some(ClientEvent::Push(push))) => push,
        other => panic!("expected the heartbeat, got {other:?}"),
    };
    let Outgoing::Heartbeat(heartbeat) = &push.message else {
        panic!("expected the heartbeat, got {:?}", push.message);
    };
    assert_eq!(push.reference.as_deref(), Some("s1"));
    client
        .reply_heartbeat(&push, &AckMessagePayload::new(heartbeat.beat))
        .await
        .expect("replies");
    let answer = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("in time")
        .expect("server task");
    assert_eq!(
        answer,
        json!({"event": "ack", "beat": 7, "version": 1, "ref": "s1"})
    );
}
