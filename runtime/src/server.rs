//! Serving a [`Router`] on a TCP listener with tokio-tungstenite.

use std::{io, net::SocketAddr, sync::Arc, time::Duration};

use futures_util::{SinkExt, StreamExt};
use tokio::{
    net::{TcpListener, TcpStream, ToSocketAddrs},
    task::JoinSet,
};
use tokio_tungstenite::tungstenite::{
    self,
    handshake::server::{ErrorResponse, Request, Response},
    http::StatusCode,
    protocol::WebSocketConfig,
};

use crate::{
    auth::ConnectRequest,
    connection::{Accepted, TransportError},
    docs::{
        DocFile,
        http::{Rewind, intercept},
    },
    router::{BoxSink, BoxStream, RouteError, Router, ShutdownHandle},
    ws::WsMessage,
};

/// Size of each connection's read buffer. tungstenite's default (128 KiB)
/// is zero-filled on the first read, so it would cost every idle connection
/// 128 KiB of memory; larger frames still arrive, in several reads.
pub const READ_BUFFER_BYTES: usize = 8 * 1024;

/// A WebSocket server: accepts connections and routes them by path.
///
/// Unknown paths get HTTP 404 and path parameters that do not parse get 400,
/// both before the upgrade.
pub struct Server {
    listener: TcpListener,
    router: Arc<Router>,
    docs: Arc<[DocFile]>,
    handshake_timeout: Duration,
    shutdown_grace: Duration,
}

impl Server {
    /// Listens on `address` and serves `router`.
    pub async fn bind(address: impl ToSocketAddrs, router: Router) -> io::Result<Self> {
        Ok(Server::from_listener(
            TcpListener::bind(address).await?,
            router,
        ))
    }

    /// Serves `router` on a listener already bound.
    pub fn from_listener(listener: TcpListener, router: Router) -> Self {
        Server {
            listener,
            docs: router.doc_files().into(),
            router: Arc::new(router),
            handshake_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Triggers a graceful shutdown of [`Server::run`].
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.router.shutdown_handle()
    }

    /// How long `run` waits for connections to finish after a shutdown
    /// before dropping them. Default 30 s.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Serves until the shutdown handle fires, then stops accepting, lets
    /// every connection finish its in-flight handler and send close 1001,
    /// and returns once all are done (or the grace period ran out).
    pub async fn run(self) -> io::Result<()> {
        let shutdown = self.router.shutdown_handle();
        let mut signal = shutdown.subscribe();
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                true = crate::util::became_true(&mut signal) => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let router = self.router.clone();
                        let timeout = self.handshake_timeout;
                        let docs = self.docs.clone();
                        connections.spawn(serve_tcp(router, docs, stream, peer, timeout));
                    }
                    Err(error) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(self.listener);
        let drain = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shutdown_grace, drain)
            .await
            .is_err()
        {
            tracing::warn!(
                left = connections.len(),
                "shutdown grace period over; dropping connections"
            );
            connections.abort_all();
        }
        Ok(())
    }
}

async fn serve_tcp(
    router: Arc<Router>,
    docs: Arc<[DocFile]>,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
) {
    let _ = stream.set_nodelay(true);
    // A plain GET of a docs path is answered here; the rest is a handshake.
    let stream = if docs.is_empty() {
        Rewind::new(stream)
    } else {
        match tokio::time::timeout(timeout, intercept(stream, &docs)).await {
            Ok(Ok(Some(stream))) => stream,
            _ => return,
        }
    };
    let mut routed = None;
    // tungstenite fixes the callback's signature, large error type included.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        let path = request.uri().path();
        match router.find(path) {
            Ok((endpoint, path_params)) => {
                let request = ConnectRequest {
                    path: path.to_owned(),
                    query: request.uri().query().map(str::to_owned),
                    headers: request.headers().clone(),
                };
                routed = Some((
                    endpoint,
                    Accepted {
                        request,
                        path_params,
                    },
                ));
                Ok(response)
            }
            Err(error) => Err(refusal(&error)),
        }
    };
    let limit = router.max_message_bytes();
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config));
    let socket = match tokio::time::timeout(timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "websocket handshake failed");
            return;
        }
        Err(_) => {
            tracing::debug!(%peer, "websocket handshake timed out");
            return;
        }
    };
    let Some((endpoint, accepted)) = routed else {
        return;
    };
    let (sink, stream) = socket.split();
    let sink: BoxSink = Box::pin(
        sink.sink_map_err(TransportError::from)
            .with(|message: WsMessage| async move {
                Ok::<_, TransportError>(tungstenite::Message::from(message))
            }),
    );
    let stream: BoxStream =
        Box::pin(stream.map(|item| item.map(WsMessage::from).map_err(TransportError::from)));
    router
        .serve_endpoint(endpoint, accepted, sink, stream)
        .await;
}

fn refusal(error: &RouteError) -> ErrorResponse {
    let status = match error {
        RouteError::NotFound(_) => StatusCode::NOT_FOUND,
        RouteError::Params(_) => StatusCode::BAD_REQUEST,
    };
    let mut response = ErrorResponse::new(Some(error.to_string()));
    *response.status_mut() = status;
    response
}
