//! The runtime chanx-generated WebSocket consumers run on.
//!
//! Generated code implements [`Handler`] (through its per-channel server
//! glue) for each channel; this crate serves it over tokio-tungstenite (or axum, with
//! the `axum` feature), and owns everything around the handler, on the wire
//! exactly as the Python chanx 2.x:
//!
//! - JSON read as Python's `json.loads` reads it and written as
//!   `json.dumps` writes it ([`json`]);
//! - validation of every frame with pydantic's semantics, answering
//!   `{"action":"error","payload":[{"type","loc","msg"}]}` as chanx does,
//!   the connection staying open;
//! - handler failures as `{"action":"error","payload":{"detail":…}}`, whose
//!   detail is the error's public message only;
//! - correlation: a frame's `ref` is copied onto its reply, error and
//!   completion frames;
//! - completion frames (`complete`, `group_complete`, `event_complete`) when
//!   [`ConsumerConfig::send_completion`] is on;
//! - groups, broadcasts and events through a [`ChannelLayer`];
//! - authentication of the upgrade request ([`Authenticator`]);
//! - keepalive pings, idle timeout, graceful shutdown;
//! - the document the channels come from, at `/asyncapi.json` and
//!   `/asyncapi.yaml`, and a docs page at `/asyncapi` ([`Router::docs`]).
//!
//! # Frames outside the protocol
//!
//! - A binary frame gets a `json_invalid` error frame; the connection stays open.
//! - A frame over [`ConsumerConfig::max_message_bytes`] closes the connection
//!   with 1009 (message too big).
//! - A text frame that is not UTF-8 closes it with 1007; a protocol violation
//!   (reserved bits, unknown opcode, unmasked frame, continuation of nothing,
//!   control frame fragmented or over 125 bytes) with 1002.
//!
//! The connection stops reading, writes the close frame, shuts its write
//! side down and discards what the client still sends for a moment before
//! closing the socket, so the close frame is not lost to a TCP reset. Every
//! entry point ([`Server`], [`axum`](crate::axum)) does the same, with the
//! same WebSocket settings ([`READ_BUFFER_BYTES`], message and frame limits
//! from the router).
//!
//! # Handshakes
//!
//! A client gets [`Server::handshake_timeout`] (10 s) to complete its
//! upgrade, and at most [`Server::max_pending_handshakes`] (1024) are in
//! their handshake at once; `chanx_runtime::axum::serve` has the same limits.
//!
//! # Ordering
//!
//! The frames of one connection are handled one at a time, in the order
//! they arrive; the next frame is read only after the previous one's
//! handler finished and its reply, error and completion frames were queued.
//! Group messages and events are interleaved with client frames, also one
//! at a time, each source in order.
//!
//! # Slow clients and floods
//!
//! Frames to a client go through a bounded queue
//! ([`ConsumerConfig::outgoing_queue_capacity`]). The connection takes its
//! next client frame or channel-layer message only when that queue has room
//! for what it may answer, and a send to a full inbox waits for room (up to
//! the layer's send timeout): a client that reads slowly slows down its
//! senders, whose own frames are not read meanwhile, instead of losing
//! messages. A client that does not keep up (a handler queues into its full
//! queue, a frame waits in the queue longer than
//! [`ConsumerConfig::slow_client_timeout`], or the layer had to drop a
//! message for it) is closed with 1013 and a warning is logged.
//! [`Layer::stats`] counts deliveries, drops and these closes.

#![warn(missing_docs)]

mod auth;
#[cfg(feature = "client")]
pub mod client;
mod config;
mod connection;
mod context;
mod decode;
mod docs;
mod envelope;
mod formats;
mod frames;
mod handler;
pub mod json;
pub mod layer;
mod message;
mod outbox;
mod respond;
mod router;
mod server;
mod template;
mod topic;
mod transport;
mod util;
mod validate;
mod ws;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
#[cfg(feature = "axum")]
pub mod axum;
pub mod testing;

/// Includes the Rust module that `chanx_codegen::configure().compile(..)`
/// generated into `OUT_DIR` from a build script: `specs/chat.yaml` becomes
/// `include_api!("chat")`.
///
/// ```ignore
/// mod api {
///     chanx_runtime::include_api!("chat");
/// }
/// use api::channels::chat::{ChatServer, Consumer, Outgoing};
/// ```
#[macro_export]
macro_rules! include_api {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
    };
}

/// The map generated code uses for JSON objects: it keeps keys in the order
/// they arrived, as a Python `dict` does.
pub use indexmap::IndexMap;

pub use auth::{AuthRejection, Authenticator, ConnectRequest};
pub use config::ConsumerConfig;
pub use connection::TransportError;
pub use context::Context;
pub use decode::{DecodeError, ErrorDetail};
pub use docs::{DocsConfig, Document};
pub use handler::{Handler, HandlerError, ParamError, Params, PathParams};
pub use layer::{ChannelLayer, InMemoryLayer, Inbox, Layer, LayerError, LayerStats};
pub use message::{ChannelMessage, Event};
pub use outbox::SendError;
pub use router::{Route, RouteError, Router, ShutdownHandle};
pub use server::Server;
pub use topic::{TopicHandler, TopicParams, TopicPattern, Topics, topic_group};
pub use transport::{DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PENDING_HANDSHAKES, READ_BUFFER_BYTES};
pub use validate::ProgramError;
pub use ws::{CloseFrame, WsMessage, close_code};
