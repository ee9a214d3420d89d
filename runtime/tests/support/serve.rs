//! A router served on a free loopback port through each way a user can
//! serve it, for tests that must hold on every entry point.

use std::{net::SocketAddr, time::Duration};

use chanx_runtime::{
    DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PENDING_HANDSHAKES, DocsConfig, Router, Server,
};
use tokio::net::TcpListener;

/// How the router is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `Server`: reads ahead of tungstenite, and reads a request head
    /// first for the docs routes.
    Server,
    /// `Server` with the docs turned off: no request head is read before
    /// the handshake.
    ServerWithoutDocs,
    /// `chanx_runtime::axum::serve` over `chanx_runtime::axum::routes`.
    #[cfg(feature = "axum")]
    ChanxAxumServe,
    /// Plain `axum::serve` over `chanx_runtime::axum::routes`: tungstenite
    /// reads the socket itself, and no handshake limits apply.
    #[cfg(feature = "axum")]
    PlainAxumServe,
}

/// Every entry point.
pub const ENTRIES: &[Entry] = &[
    Entry::Server,
    Entry::ServerWithoutDocs,
    #[cfg(feature = "axum")]
    Entry::ChanxAxumServe,
    #[cfg(feature = "axum")]
    Entry::PlainAxumServe,
];

/// The entry points that apply handshake [`Limits`].
pub const LIMITED_ENTRIES: &[Entry] = &[
    Entry::Server,
    #[cfg(feature = "axum")]
    Entry::ChanxAxumServe,
];

/// The handshake limits of the entry points that have them; by default
/// the runtime's own.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub handshake_timeout: Duration,
    pub max_pending_handshakes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
        }
    }
}

/// Serves `router` on a free port through `entry`, in a spawned task.
pub async fn serve(entry: Entry, router: Router, limits: Limits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let limited = |server: Server| {
        server
            .handshake_timeout(limits.handshake_timeout)
            .max_pending_handshakes(limits.max_pending_handshakes)
    };
    match entry {
        Entry::Server => {
            tokio::spawn(limited(Server::from_listener(listener, router)).run());
        }
        Entry::ServerWithoutDocs => {
            let router = router.docs(DocsConfig::off());
            tokio::spawn(limited(Server::from_listener(listener, router)).run());
        }
        #[cfg(feature = "axum")]
        Entry::ChanxAxumServe => {
            let served = chanx_runtime::axum::serve(listener, chanx_runtime::axum::routes(router))
                .handshake_timeout(limits.handshake_timeout)
                .max_pending_handshakes(limits.max_pending_handshakes);
            tokio::spawn(std::future::IntoFuture::into_future(served));
        }
        #[cfg(feature = "axum")]
        Entry::PlainAxumServe => {
            let app = chanx_runtime::axum::routes(router);
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
    }
    addr
}
