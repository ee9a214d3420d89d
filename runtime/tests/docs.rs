//! A server serves the document its channels come from: `/asyncapi.json`,
//! `/asyncapi.yaml` and the docs page at `/asyncapi`, on the port of its
//! channels, unless told otherwise.

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;

use chanx_runtime::{DocsConfig, Route, Router};
use serde_json::{Value, json};
use support::{
    app::{ChatApp, start},
    chat::{self, channels::chat::ChatServer},
    client::Client,
};

fn chat_router() -> Router {
    Router::new().route(Route::new(ChatServer::new(ChatApp::default())))
}

/// One plain HTTP/1.1 request; the whole response as text (empty when the
/// server closes the connection without one).
async fn request(addr: SocketAddr, method: &str, path: &str) -> String {
    let text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.write_all(text.as_bytes()).expect("send");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    })
    .await
    .expect("the request ran")
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

#[tokio::test]
async fn the_server_serves_its_document_beside_its_channels() {
    let server = start(chat_router()).await;

    let json = request(server.addr, "GET", "/asyncapi.json").await;
    assert!(json.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"));
    let document: Value = serde_json::from_str(body(&json)).expect("the body is JSON");
    assert_eq!(document["info"]["title"], "Chat API");
    let embedded: Value = serde_json::from_str(chat::DOCUMENT.json()).unwrap();
    assert_eq!(document, embedded, "the document the module embeds");

    let yaml = request(server.addr, "GET", "/asyncapi.yaml?download=1").await;
    assert!(yaml.contains("Content-Type: application/yaml; charset=utf-8\r\n"));
    assert!(body(&yaml).starts_with("asyncapi: \"3.0.0\"\ninfo:\n  title: Chat API\n"));

    let page = request(server.addr, "GET", "/asyncapi").await;
    assert!(page.contains("Content-Type: text/html; charset=utf-8\r\n"));
    assert!(body(&page).starts_with("<!doctype html>"));
    assert!(body(&page).contains(r#""title":"Chat API""#));

    let head = request(server.addr, "HEAD", "/asyncapi").await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n") && body(&head).is_empty());

    // The channel on the same port is untouched.
    let mut client = Client::connect(&server.url("/ws/chat")).await;
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
}

#[tokio::test]
async fn docs_move_or_go_with_the_router_settings() {
    let moved = chat_router().docs(DocsConfig {
        page: Some("/docs".into()),
        yaml: None,
        ..DocsConfig::default()
    });
    let server = start(moved).await;
    let page = request(server.addr, "GET", "/docs").await;
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(
        request(server.addr, "GET", "/asyncapi.json")
            .await
            .starts_with("HTTP/1.1 200 OK\r\n")
    );
    // Not served: the request goes to the WebSocket handshake, which refuses it.
    for path in ["/asyncapi", "/asyncapi.yaml"] {
        let response = request(server.addr, "GET", path).await;
        assert!(!response.starts_with("HTTP/1.1 200"), "{path}: {response}");
    }

    let off = start(chat_router().docs(DocsConfig::off())).await;
    let response = request(off.addr, "GET", "/asyncapi.json").await;
    assert!(!response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test]
async fn a_channel_at_a_docs_path_wins() {
    let router =
        Router::new().route(Route::new(ChatServer::new(ChatApp::default())).at("/asyncapi"));
    let server = start(router).await;
    assert!(
        !request(server.addr, "GET", "/asyncapi")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let mut client = Client::connect(&server.url("/asyncapi")).await;
    client.send_json(json!({"action": "ping"})).await;
    client
        .expect(json!({"action": "pong", "payload": null}))
        .await;
    // The other docs paths are still served.
    assert!(
        request(server.addr, "GET", "/asyncapi.json")
            .await
            .starts_with("HTTP/1.1 200 OK\r\n")
    );
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn axum_serves_the_document_too() {
    let app = chanx_runtime::axum::routes(chat_router().docs(DocsConfig {
        json: Some("/api/asyncapi.json".into()),
        ..DocsConfig::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let json = request(addr, "GET", "/api/asyncapi.json").await;
    assert!(json.starts_with("HTTP/1.1 200 OK\r\n"), "{json}");
    assert!(
        json.to_ascii_lowercase()
            .contains("content-type: application/json\r\n")
    );
    let document: Value = serde_json::from_str(body(&json)).expect("JSON");
    assert_eq!(document["info"]["title"], "Chat API");
    let yaml = request(addr, "GET", "/asyncapi.yaml").await;
    assert!(body(&yaml).starts_with("asyncapi: \"3.0.0\"\n"));
    let page = request(addr, "GET", "/asyncapi").await;
    assert!(body(&page).starts_with("<!doctype html>"));
    assert!(
        request(addr, "GET", "/asyncapi.json")
            .await
            .starts_with("HTTP/1.1 404")
    );
}
