//! Serving a [`Router`] from axum (feature `axum`).
//!
//! ```ignore
//! let app = axum::Router::new().merge(chanx_runtime::axum::routes(router));
//! ```
//!
//! Every path the chanx router does not know answers 404; non-WebSocket
//! requests are refused by axum's `WebSocketUpgrade`. Connections get the
//! same WebSocket settings and close codes as on [`Server`](crate::Server).
//!
//! Serve the app with [`serve`] rather than `axum::serve`: it bounds the
//! handshake (time and concurrent pending connections) and closes
//! connections so that their close frame reaches the client.

mod serve;

use std::sync::Arc;

pub use serve::{Serve, serve};

use axum::{
    extract::{
        State,
        ws::{self, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::any,
};
use futures_util::{SinkExt, StreamExt};

use crate::{
    auth::ConnectRequest,
    connection::{Accepted, TransportError},
    router::{BoxSink, BoxStream, RouteError, Router},
    ws::{CloseFrame, WsMessage},
};

/// An axum router that serves every route of `router`.
pub fn routes(router: Router) -> axum::Router {
    axum::Router::new()
        .fallback(any(upgrade))
        .with_state(Arc::new(router))
}

async fn upgrade(
    State(router): State<Arc<Router>>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let path = uri.path().to_owned();
    let (endpoint, path_params) = match router.find(&path) {
        Ok(found) => found,
        Err(error @ RouteError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, error.to_string()).into_response();
        }
        Err(error @ RouteError::Params(_)) => {
            return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
        }
    };
    let request = ConnectRequest {
        path,
        query: uri.query().map(str::to_owned),
        headers,
    };
    let settings = crate::transport::ws_settings(&router);
    upgrade
        .read_buffer_size(settings.read_buffer_size)
        .max_message_size(settings.max_message_size)
        .max_frame_size(settings.max_message_size)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            let sink: BoxSink =
                Box::pin(
                    sink.sink_map_err(|e| TransportError::Other(e.to_string()))
                        .with(|message: WsMessage| async move {
                            Ok::<_, TransportError>(to_axum(message))
                        }),
                );
            let stream: BoxStream = Box::pin(stream.map(|item| {
                item.map(from_axum)
                    .map_err(|e| TransportError::from_tungstenite_text(e.to_string()))
            }));
            let accepted = Accepted {
                request,
                path_params,
            };
            router
                .serve_endpoint(endpoint, accepted, sink, stream)
                .await;
        })
}

fn to_axum(message: WsMessage) -> ws::Message {
    match message {
        WsMessage::Text(text) => ws::Message::Text(text.into()),
        WsMessage::Binary(bytes) => ws::Message::Binary(bytes.into()),
        WsMessage::Ping(bytes) => ws::Message::Ping(bytes.into()),
        WsMessage::Pong(bytes) => ws::Message::Pong(bytes.into()),
        WsMessage::Close(frame) => ws::Message::Close(frame.map(|f| ws::CloseFrame {
            code: f.code,
            reason: f.reason.into(),
        })),
    }
}

fn from_axum(message: ws::Message) -> WsMessage {
    match message {
        ws::Message::Text(text) => WsMessage::Text(text.as_str().to_owned()),
        ws::Message::Binary(bytes) => WsMessage::Binary(bytes.to_vec()),
        ws::Message::Ping(bytes) => WsMessage::Ping(bytes.to_vec()),
        ws::Message::Pong(bytes) => WsMessage::Pong(bytes.to_vec()),
        ws::Message::Close(frame) => WsMessage::Close(frame.map(|f| CloseFrame {
            code: f.code,
            reason: f.reason.as_str().to_owned(),
        })),
    }
}
