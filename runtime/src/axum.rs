//! Serving a [`Router`] from axum (feature `axum`).
//!
//! ```ignore
//! let app = axum::Router::new()
//!     .route("/health", get(|| async { "ok" }))
//!     .merge(chanx_runtime::axum::routes(router))
//!     .fallback(spa_index);          // the app's own fallback keeps working
//! ```
//!
//! [`routes`] adds one axum route per channel address, in axum's path syntax
//! (`/ws/chat`, `/ws/chat/{room}`, `/ws/room-{id}`), each also with a
//! trailing slash. It installs no fallback, so it merges into an app that has
//! its own, and a request to a path of no channel reaches that fallback.
//! Which channel serves a request is still decided by the router itself:
//! the first route whose address matches, parameters percent-decoded.
//!
//! Addresses axum's syntax cannot express (text after a parameter in one
//! segment, `/files/{name}.json`, or characters a client percent-encodes,
//! `/ws/café`) are served by a catch-all under their static prefix
//! (`/files/{*rest}`), which then also takes every other path under that
//! prefix: the ones no channel matches answer 404 there instead of reaching
//! the app's fallback. A channel address must not overlap a route of the app
//! (axum panics when merging two routes for one path, or two parameters of
//! different names in one place): a channel served at `/` (where `Route::new`
//! puts a dynamic channel) is the app's `/` route, so the app cannot have one.
//!
//! Non-WebSocket requests to a channel address are refused by axum's
//! `WebSocketUpgrade`. Connections get the same WebSocket settings and close
//! codes as on [`Server`](crate::Server) (a message over the router's largest
//! `max_message_bytes` is closed with 1009).
//!
//! Unlike [`Server`](crate::Server), which answers the upgrade only once the
//! connection is in its groups, hyper writes the `101` answer before the
//! connection is set up: a broadcast sent the moment a client connects may
//! miss it, as with chanx.
//!
//! Serve the app with [`serve`] rather than `axum::serve`: it bounds the
//! handshake (time and concurrent pending connections) and closes
//! connections so that their close frame reaches the client.

mod serve;

use std::sync::Arc;

pub use serve::{Serve, serve};

use axum::{
    extract::{
        Extension, State,
        ws::{self, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection},
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
    template::{AddressTemplate, Segment},
    ws::{CloseFrame, ReadFrame, WsMessage},
};

/// An axum router that serves every route of `router`: one axum route per
/// channel address, the document and docs page (see [`Router::docs`]), and
/// no fallback, so it can be merged into an app that has its own.
pub fn routes(router: Router) -> axum::Router {
    let mut app = axum::Router::new();
    for path in route_paths(router.templates()) {
        app = app.route(&path, any(upgrade));
    }
    let app = crate::docs::axum::mount(app, router.doc_files());
    app.with_state(Arc::new(router))
}

/// A piece of an axum route path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal text, slashes included.
    Text(String),
    /// A parameter: one or more characters up to the next `/`.
    Param,
    /// A catch-all: one or more characters to the end of the path.
    Rest,
}

/// An axum route path as pieces, adjacent text merged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RoutePath(Vec<Piece>);

impl RoutePath {
    /// The route for one address template.
    fn of(template: &AddressTemplate) -> RoutePath {
        let mut path = RoutePath(Vec::new());
        if template.segments().is_empty() {
            path.push_text("/");
        }
        for segment in template.segments() {
            path.push_text("/");
            match segment {
                Segment::Literal(text) if expressible(text) => path.push_text(text),
                Segment::Param { prefix, suffix, .. }
                    if suffix.is_empty() && (prefix.is_empty() || expressible(prefix)) =>
                {
                    path.push_text(prefix);
                    path.0.push(Piece::Param);
                }
                // Text after the parameter: axum parameters end at a `/`.
                Segment::Param { prefix, .. } if expressible(prefix) => {
                    path.push_text(prefix);
                    path.0.push(Piece::Rest);
                    return path;
                }
                _ => {
                    path.0.push(Piece::Rest);
                    return path;
                }
            }
        }
        path
    }

    fn push_text(&mut self, text: &str) {
        match self.0.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ if text.is_empty() => {}
            _ => self.0.push(Piece::Text(text.to_owned())),
        }
    }

    /// The same path with a trailing slash, when it can have one.
    fn with_trailing_slash(&self) -> Option<RoutePath> {
        match self.0.last() {
            Some(Piece::Rest) | None => None,
            Some(Piece::Text(text)) if text.ends_with('/') => None,
            _ => {
                let mut path = self.clone();
                path.push_text("/");
                Some(path)
            }
        }
    }

    /// Whether `self` is a catch-all that takes every request `other` takes:
    /// `other` starts with the text before the catch-all and goes on past it.
    /// axum refuses a parameter and a catch-all in the same place, and the
    /// router matches the path itself anyway.
    fn covers(&self, other: &RoutePath) -> bool {
        let Some((Piece::Rest, prefix)) = self.0.split_last() else {
            return false;
        };
        let Some((last, init)) = prefix.split_last() else {
            return !other.0.is_empty();
        };
        if other.0.len() < prefix.len() || other.0[..init.len()] != *init {
            return false;
        }
        match (last, &other.0[init.len()..]) {
            (Piece::Text(text), [Piece::Text(theirs), after @ ..]) => {
                theirs.starts_with(text.as_str())
                    && (theirs.len() > text.len() || !after.is_empty())
            }
            (Piece::Param, [Piece::Param, after @ ..]) => !after.is_empty(),
            _ => false,
        }
    }

    /// In axum's syntax. Parameters are named by position, so that two
    /// routes with a parameter in the same place give it the same name.
    fn render(&self) -> String {
        let mut out = String::new();
        let mut params = 0;
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(&text.replace('{', "{{").replace('}', "}}")),
                Piece::Param => {
                    out.push_str(&format!("{{p{params}}}"));
                    params += 1;
                }
                Piece::Rest => out.push_str("{*rest}"),
            }
        }
        out
    }
}

/// Whether axum matches `text` (a segment, or its start) as written: what a
/// client sends without percent-encoding, and not what axum 0.8 refuses at
/// the start of a segment (`:` and `*`, its former parameter syntax).
fn expressible(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([':', '*'])
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c))
}

/// The axum paths that reach the router's channels, none of which conflict
/// with another.
fn route_paths<'a>(templates: impl Iterator<Item = &'a AddressTemplate>) -> Vec<String> {
    let mut paths: Vec<RoutePath> = Vec::new();
    for template in templates {
        let path = RoutePath::of(template);
        let slashed = path.with_trailing_slash();
        for path in std::iter::once(path).chain(slashed) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths
        .iter()
        .enumerate()
        .filter(|(i, path)| {
            !paths
                .iter()
                .enumerate()
                .any(|(j, other)| j != *i && other.covers(path))
        })
        .map(|(_, path)| path.render())
        .collect()
}

async fn upgrade(
    State(router): State<Arc<Router>>,
    uri: Uri,
    headers: HeaderMap,
    read_ahead: Option<Extension<serve::ReadAheadBelow>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
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
    // A path of no channel answers 404 before the request is checked as an upgrade.
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let request = ConnectRequest {
        path,
        query: uri.query().map(str::to_owned),
        headers,
    };
    let mut settings = crate::transport::ws_settings(&router);
    // Under [`serve`], the socket is read ahead below tungstenite, as on
    // the `Server`; under another server, tungstenite reads it itself.
    if read_ahead.is_some() {
        settings = settings.over_read_ahead();
    }
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
                item.map(|message| ReadFrame::from(from_axum(message)))
                    .map_err(|e| TransportError::from_tungstenite_text(e.to_string()))
            }));
            let accepted = Accepted {
                request,
                path_params,
                ..Default::default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(templates: &[&str]) -> Vec<String> {
        let templates: Vec<AddressTemplate> = templates
            .iter()
            .map(|t| AddressTemplate::parse(t))
            .collect();
        route_paths(templates.iter())
    }

    #[test]
    fn addresses_in_axum_syntax() {
        assert_eq!(paths(&["/ws/chat"]), ["/ws/chat", "/ws/chat/"]);
        assert_eq!(
            paths(&["ws/chat/{room}/", "/ws/chat/{room}/{page}"]),
            [
                "/ws/chat/{p0}",
                "/ws/chat/{p0}/",
                "/ws/chat/{p0}/{p1}",
                "/ws/chat/{p0}/{p1}/"
            ]
        );
        assert_eq!(paths(&["/"]), ["/"]);
        assert_eq!(paths(&[""]), ["/"]);
        // A parameter after text in its segment is one axum expresses.
        assert_eq!(
            paths(&["/ws/room-{id}"]),
            ["/ws/room-{p0}", "/ws/room-{p0}/"]
        );
    }

    #[test]
    fn other_addresses_get_a_catch_all_under_their_static_prefix() {
        assert_eq!(paths(&["/files/{name}.json"]), ["/files/{*rest}"]);
        assert_eq!(paths(&["/files/doc-{name}.json"]), ["/files/doc-{*rest}"]);
        assert_eq!(paths(&["/ws/caf\u{e9}/{room}"]), ["/ws/{*rest}"]);
        assert_eq!(paths(&["/ws/:chat"]), ["/ws/{*rest}"]);
        assert_eq!(paths(&["/{id}.json"]), ["/{*rest}"]);
        // The catch-all takes the paths under it that would conflict with it.
        assert_eq!(
            paths(&["/ws/chat", "/ws/{room}", "/ws/{id}.json", "/other/{x}"]),
            ["/ws/{*rest}", "/other/{p0}", "/other/{p0}/"]
        );
        assert_eq!(
            paths(&["/ws/room-{id}.json", "/ws/{room}", "/ws/room-{id}"]),
            ["/ws/room-{*rest}", "/ws/{p0}", "/ws/{p0}/"]
        );
    }

    #[test]
    fn axum_accepts_every_set_of_paths() {
        let sets: &[&[&str]] = &[
            &[
                "/ws/chat",
                "/ws/chat/{room}",
                "/ws/{a}",
                "/ws/{b}/x",
                "/ws/room-{id}",
            ],
            &[
                "/ws/{id}.json",
                "/ws/{room}",
                "/ws/chat",
                "/ws/room-{id}.json",
            ],
            &["/", "/{id}.json", "/ws/{a}"],
            &["/ws/room{a}", "/ws/room-{b}", "/ws/room-x/{c}", "/ws/{d}/"],
            &["/ws/{a}/x-{b}.json", "/ws/{a}/{b}", "/ws/{a}/x-{b}"],
            &["/a{b}c/{d}", "/a{b}", "/ws/a}b", "/ws/{x}}"],
        ];
        for set in sets {
            let templates: Vec<AddressTemplate> =
                set.iter().map(|t| AddressTemplate::parse(t)).collect();
            let mut app: axum::Router = axum::Router::new();
            for path in route_paths(templates.iter()) {
                app = app.route(&path, any(|| async { "" }));
            }
            // Merged into an app with its own routes and fallback.
            let _ = axum::Router::new()
                .route("/health", any(|| async { "ok" }))
                .fallback(|| async { "app" })
                .merge(app);
        }
    }
}
