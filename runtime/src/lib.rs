//! The runtime chanx-generated WebSocket consumers run on.
//!
//! Generated code implements [`Handler`] (through its `Service<C>` glue) for
//! each channel; this crate serves it over tokio-tungstenite (or axum, with
//! the `axum` feature), and owns everything around the handler, on the wire
//! exactly as the Python chanx 2.x:
//!
//! - JSON parsing and decoding, with pydantic-shaped error frames
//!   (`{"action":"error","payload":[{"type","loc","msg"}]}`) that keep the
//!   connection open;
//! - handler failures as `{"action":"error","payload":{"detail":…}}`, whose
//!   detail is the error's public message only;
//! - correlation: a frame's `ref` is copied onto its reply, error and
//!   completion frames;
//! - completion frames (`complete`, `group_complete`, `event_complete`) when
//!   [`ConsumerConfig::send_completion`] is on;
//! - groups, broadcasts and events through a [`ChannelLayer`];
//! - authentication of the upgrade request ([`Authenticator`]);
//! - keepalive pings, idle timeout, graceful shutdown.
//!
//! # Frames outside the protocol
//!
//! - A binary frame gets a `json_invalid` error frame; the connection stays open.
//! - A frame over [`ConsumerConfig::max_message_bytes`] closes the connection
//!   with 1009 (message too big).
//!
//! # Ordering
//!
//! See [`connection`]: the frames of one connection are handled one at a
//! time, in order.
//!
//! # Slow clients
//!
//! Frames to a client go through a bounded queue
//! ([`ConsumerConfig::outgoing_queue_capacity`]). Nothing waits for a client:
//! when its queue is full it is closed with 1013 and a warning is logged.

pub mod auth;
pub mod config;
pub mod connection;
pub mod context;
pub mod decode;
pub mod envelope;
// The validators of the string formats pydantic checks (see `validate`).
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod formats;
pub mod handler;
pub mod json;
pub mod layer;
pub mod message;
mod outbox;
pub mod router;
pub mod server;
mod template;
mod util;
pub mod validate;
mod wire;
pub mod ws;

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
/// use api::channels::chat::{Consumer, Outgoing, Service};
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
pub use connection::{Accepted, TransportError, serve_connection};
pub use context::Context;
pub use decode::{DecodeError, ErrorDetail};
pub use handler::{Handler, HandlerError, ParamError, Params, PathParams};
pub use layer::{ChannelLayer, InMemoryLayer, Inbox, Layer, LayerError};
pub use message::{ChannelMessage, Event};
pub use outbox::SendError;
pub use router::{Route, RouteError, Router, ShutdownHandle};
pub use server::Server;
pub use ws::{CloseFrame, WsMessage, close_code};
