//! Serving a [`Router`] on a TCP listener with tokio-tungstenite.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use futures_util::{Sink, Stream, StreamExt};
use tokio::{
    net::{TcpListener, TcpStream, ToSocketAddrs},
    sync::{OwnedSemaphorePermit, Semaphore},
    task::JoinSet,
};
use tokio_tungstenite::tungstenite::{
    self,
    handshake::server::{ErrorResponse, Request, Response},
    http::StatusCode,
};

use crate::{
    auth::ConnectRequest,
    connection::{Accepted, TransportError},
    docs::{DocFile, http::intercept},
    router::{BoxSink, BoxStream, RouteError, Router, ShutdownHandle},
    transport::{
        DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PENDING_HANDSHAKES, HeldWrites, Lingering,
        ReadAhead, accept, ws_settings,
    },
    ws::{ReadFrame, WsMessage},
};

/// A WebSocket server: accepts connections and routes them by path.
///
/// Unknown paths get HTTP 404 and path parameters that do not parse get 400,
/// both before the upgrade. The `101` answer is held back until the
/// connection is authenticated and in its groups and topic: a client that
/// sees its upgrade complete gets every broadcast sent from then on.
///
/// Limits on clients that do not complete their upgrade: each has
/// [`handshake_timeout`](Self::handshake_timeout) to do it (10 s by
/// default), and at most [`max_pending_handshakes`](Self::max_pending_handshakes)
/// (1024) are in their handshake at once; past that, new connections wait
/// in the listen backlog until one finishes or is shed.
pub struct Server {
    listener: TcpListener,
    router: Arc<Router>,
    docs: Arc<[DocFile]>,
    handshake_timeout: Duration,
    max_pending_handshakes: usize,
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
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
            shutdown_grace: Duration::from_secs(30),
        }
    }

    /// How long a client has, from its TCP connection, to send its upgrade
    /// request and get the upgrade: a client still in its handshake after
    /// that is disconnected. Default 10 s.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How many connections may be in their handshake at once. Past that
    /// the server accepts no more connections (they wait in the listen
    /// backlog) until one completes or is shed: stalled handshakes cost a
    /// bounded amount of memory and descriptors. Default 1024.
    pub fn max_pending_handshakes(mut self, limit: usize) -> Self {
        self.max_pending_handshakes = limit.max(1);
        self
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
        let pending = Arc::new(Semaphore::new(self.max_pending_handshakes));
        loop {
            tokio::select! {
                true = crate::util::became_true(&mut signal) => break,
                (permit, accepted) = accept(&self.listener, &pending) => match accepted {
                    Ok((stream, peer)) => {
                        let router = self.router.clone();
                        let timeout = self.handshake_timeout;
                        let docs = self.docs.clone();
                        connections.spawn(serve_tcp(router, docs, stream, peer, timeout, permit));
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
    handshake_permit: Option<OwnedSemaphorePermit>,
) {
    let _ = stream.set_nodelay(true);
    // A plain GET of a docs path is answered here; the rest is a handshake.
    let stream = if docs.is_empty() {
        ReadAhead::new(stream)
    } else {
        match tokio::time::timeout(timeout, intercept(stream, &docs)).await {
            Ok(Ok(Some(stream))) => stream,
            _ => return,
        }
    };
    // Closed gracefully when dropped, so the last frames reach the client.
    let stream = stream.map_inner(Lingering::new);
    // The callback runs once and takes `ready`: into the connection, or
    // dropped (opening the way) with a refusal.
    let (stream, ready) = HeldWrites::new(stream);
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
                        ready,
                    },
                ));
                Ok(response)
            }
            Err(error) => Err(refusal(&error)),
        }
    };
    let config = ws_settings(&router).over_read_ahead().tungstenite();
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config));
    let handshake = tokio::time::timeout(timeout, handshake).await;
    drop(handshake_permit);
    let socket = match handshake {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "websocket handshake failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "websocket handshake timed out: connection shed");
            return;
        }
    };
    let Some((endpoint, accepted)) = routed else {
        return;
    };
    let (sink, stream) = socket.split();
    let sink: BoxSink = Box::pin(MessageSink(sink));
    let stream: BoxStream = Box::pin(FrameStream(stream));
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

/// tungstenite's sink taking [`WsMessage`]s: one adapter, where `with` and
/// `sink_map_err` made a future per frame and two layers around the sink.
struct MessageSink<S>(S);

impl<S> Sink<WsMessage> for MessageSink<S>
where
    S: Sink<tungstenite::Message, Error = tungstenite::Error> + Unpin,
{
    type Error = TransportError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.0)
            .poll_ready(cx)
            .map_err(transport_error)
    }

    fn start_send(mut self: Pin<&mut Self>, item: WsMessage) -> Result<(), Self::Error> {
        Pin::new(&mut self.0)
            .start_send(tungstenite::Message::from(item))
            .map_err(transport_error)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.0)
            .poll_flush(cx)
            .map_err(transport_error)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.0)
            .poll_close(cx)
            .map_err(transport_error)
    }
}

/// tungstenite's stream as the connection reads it ([`ReadFrame`]: a text
/// frame keeps tungstenite's buffer).
struct FrameStream<S>(S);

impl<S> Stream for FrameStream<S>
where
    S: Stream<Item = Result<tungstenite::Message, tungstenite::Error>> + Unpin,
{
    type Item = Result<ReadFrame, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0).poll_next(cx).map(|item| match item? {
            Ok(message) => Some(Ok(ReadFrame::from(message))),
            Err(error) => Some(Err(transport_error(error))),
        })
    }
}

// Failures end the connection: kept out of the per-frame code.
#[cold]
fn transport_error(error: tungstenite::Error) -> TransportError {
    TransportError::from(error)
}
