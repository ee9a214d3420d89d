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
//! same message and frame limits from the router, and reads the socket
//! [`READ_BUFFER_BYTES`] at a time.
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
//!
//! # Cargo features
//!
//! - `server` (default): everything above: `Server`, `Router`, consumers,
//!   groups and the in-memory channel layer, topics' server side, the docs
//!   routes, `testing`.
//! - `client`: `client`, what generated `<Channel>Client`s run on. A crate
//!   that is only a client builds with `default-features = false, features
//!   = ["client"]` and code generated with `--client-only`: none of the
//!   server is compiled.
//! - `axum`: the axum adapter (implies `server`).
//! - `redis`: the Redis channel layer (implies `server`).
//! - `logging`: [`logging::init`], the `tracing` subscriber the chanx
//!   binaries use (text or JSON lines, a non-blocking writer).
//! - `metrics`: counters, gauges and histograms named `chanx_…` through the
//!   `metrics` facade, for the recorder a program installs (Prometheus, …).
//!
//! # Logs
//!
//! Everything is logged through `tracing`. Each connection runs in a
//! `connection{path, channel}` span; connects and disconnects (with the
//! frames counted each way, the close code and how long it lasted) are info
//! lines. Every frame is one debug line on the target [`FRAMES_TARGET`]:
//! `websocket received` and `websocket sent` with `direction` (`in`,
//! `out`), `action`, `ref` and `topic`, and `handled` with `elapsed_us`, the
//! time its handler took; at trace, the frame's text too. So
//! `RUST_LOG=info,chanx_runtime::frames=debug` logs every frame, and the
//! default `info` costs a frame nothing.

#![warn(missing_docs)]

#[cfg(feature = "server")]
mod auth;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
mod config;
#[cfg(feature = "server")]
mod connection;
mod constant;
#[cfg(feature = "server")]
mod context;
mod decode;
#[cfg(feature = "server")]
mod docs;
#[cfg(any(feature = "server", feature = "client"))]
mod envelope;
mod formats;
#[cfg(feature = "server")]
mod frames;
mod from_json;
#[cfg(feature = "server")]
mod handler;
pub mod json;
#[cfg(feature = "server")]
pub mod layer;
#[cfg(feature = "logging")]
pub mod logging;
mod message;
#[cfg(feature = "server")]
mod observe;
#[cfg(feature = "metrics")]
pub use observe::enable_metrics;
#[cfg(feature = "server")]
mod outbox;
#[cfg(any(feature = "server", feature = "client"))]
mod read_ahead;
#[cfg(feature = "server")]
mod respond;
#[cfg(feature = "server")]
mod router;
mod secret;
#[cfg(feature = "server")]
mod server;
mod struct_writer;
#[cfg(feature = "server")]
mod template;
mod topic;
#[cfg(feature = "server")]
mod transport;
#[cfg(feature = "server")]
mod util;
mod validate;
#[cfg(feature = "server")]
mod woken;
mod ws;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "server")]
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

/// The `tracing` target of the per-frame lines (`websocket received`,
/// `websocket sent`, `handled`): debug level, their text at trace.
pub const FRAMES_TARGET: &str = "chanx_runtime::frames";

/// The map generated code uses for JSON objects: it keeps keys in the order
/// they arrived, as a Python `dict` does.
pub use indexmap::IndexMap;

pub use constant::{ConstStr, ConstStrValue};
pub use decode::{DecodeError, ErrorDetail};
pub use message::{ChannelMessage, Event};
pub use secret::{SECRET_MASK, Secret};
pub use topic::{TopicParams, TopicPattern, topic_group};
pub use validate::ProgramError;
pub use ws::{CloseFrame, WsMessage, close_code};

#[cfg(feature = "server")]
pub use auth::{AuthRejection, Authenticator, ConnectRequest};
#[cfg(feature = "server")]
pub use config::ConsumerConfig;
#[cfg(feature = "server")]
pub use connection::TransportError;
#[cfg(feature = "server")]
pub use context::Context;
#[cfg(feature = "server")]
pub use docs::{DocsConfig, Document};
#[cfg(feature = "server")]
pub use handler::{Handler, HandlerError, ParamError, Params, PathParams};
#[cfg(feature = "server")]
pub use layer::{ChannelLayer, InMemoryLayer, Inbox, Layer, LayerError, LayerStats};
#[cfg(feature = "server")]
pub use outbox::SendError;
#[cfg(feature = "server")]
pub use router::{Route, RouteError, Router, ShutdownHandle};
#[cfg(feature = "server")]
pub use server::Server;
#[cfg(feature = "server")]
pub use topic::{TopicHandler, Topics};
#[cfg(feature = "server")]
pub use transport::{DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PENDING_HANDSHAKES, READ_BUFFER_BYTES};
