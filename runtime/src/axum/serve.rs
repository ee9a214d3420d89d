//! Serving an axum app with the limits a public WebSocket server needs.

use std::{
    fmt,
    future::{Future, IntoFuture},
    io,
    net::SocketAddr,
    pin::{Pin, pin},
    sync::Arc,
    time::Duration,
};

use hyper::{Request, body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
    task::JoinSet,
};

use crate::{
    transport::{
        DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PENDING_HANDSHAKES, Lingering, ReadAhead, accept,
    },
    util::became_true,
};

/// Serves `app` (the [`routes`](super::routes) of a chanx router, merged
/// with any others) on `listener`, over HTTP/1.1, with the limits that
/// `axum::serve` leaves out:
///
/// - a client has [`handshake_timeout`](Serve::handshake_timeout) (10 s) from
///   its TCP connection to send a complete request head (the WebSocket
///   upgrade request, or any other); the same bound applies to each later
///   request head of a keep-alive connection;
/// - at most [`max_pending_handshakes`](Serve::max_pending_handshakes)
///   (1024) connections are waiting for their first request head at once;
///   past that, new connections wait in the listen backlog;
/// - connections are closed gracefully: after the last frame (a close frame
///   with its code) the write side is shut down and what the client still
///   sends is discarded for a moment, so the client is not reset before it
///   read the close frame.
///
/// ```ignore
/// let app = axum::Router::new()
///     .route("/notify", post(notify))
///     .merge(chanx_runtime::axum::routes(router));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
/// chanx_runtime::axum::serve(listener, app)
///     .handshake_timeout(Duration::from_secs(5))
///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
///     .await?;
/// ```
pub fn serve(listener: TcpListener, app: axum::Router) -> Serve {
    Serve {
        listener,
        app,
        handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
        signal: None,
    }
}

/// An axum app being served: set its limits, then `.await` it (see [`serve`]).
#[must_use = "a server does nothing until awaited"]
pub struct Serve {
    listener: TcpListener,
    app: axum::Router,
    handshake_timeout: Duration,
    max_pending_handshakes: usize,
    signal: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl fmt::Debug for Serve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_pending_handshakes", &self.max_pending_handshakes)
            .finish_non_exhaustive()
    }
}

impl Serve {
    /// How long a connection may take to send a complete request head
    /// (from its TCP connection for the first one): a client that has not
    /// by then is disconnected. Default 10 s.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How many connections may be waiting for their first request head at
    /// once; past that no more are accepted until one completes or is shed.
    /// Default 1024.
    pub fn max_pending_handshakes(mut self, limit: usize) -> Self {
        self.max_pending_handshakes = limit.max(1);
        self
    }

    /// Stops accepting once `signal` completes, lets the HTTP connections
    /// finish their requests, then returns. (Upgraded WebSocket connections
    /// are the chanx router's: stop them with its
    /// [`ShutdownHandle`](crate::ShutdownHandle).)
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Some(Box::pin(signal));
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    async fn run(self) -> io::Result<()> {
        let Serve {
            listener,
            app,
            handshake_timeout,
            max_pending_handshakes,
            signal,
        } = self;
        let mut signal = signal.unwrap_or_else(|| Box::pin(std::future::pending()));
        let pending = Arc::new(Semaphore::new(max_pending_handshakes));
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                () = &mut signal => break,
                (permit, accepted) = accept(&listener, &pending) => match accepted {
                    Ok((stream, peer)) => {
                        connections.spawn(serve_connection(
                            stream,
                            peer,
                            app.clone(),
                            handshake_timeout,
                            permit,
                            stopped.clone(),
                        ));
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
        drop(listener);
        stop.send_replace(true);
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// Marks a request whose connection is read through a [`ReadAhead`]: its
/// upgrade gives tungstenite the small read size that suits it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReadAheadBelow;

/// One HTTP/1.1 connection, until it ends or is upgraded (the WebSocket
/// then lives on in a task of its own, which axum's upgrade task awaits).
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    timeout: Duration,
    mut handshake_permit: Option<OwnedSemaphorePermit>,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // Closed gracefully when dropped (by hyper, or by axum's WebSocket
    // after an upgrade), so the last frames reach the client; read ahead,
    // as on the `Server`, once upgraded (hyper's own reads are larger than
    // the buffer and go straight to the socket).
    let io = TokioIo::new(ReadAhead::new(Lingering::new(stream)));
    let (head_read, mut first_request) = watch::channel(false);
    let app = TowerToHyperService::new(app);
    let service = service_fn(move |mut request: Request<Incoming>| {
        head_read.send_replace(true);
        request.extensions_mut().insert(ReadAheadBelow);
        hyper::service::Service::call(&app, request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeout);
    let mut connection = pin!(builder.serve_connection(io, service).with_upgrades());
    let mut deadline = pin!(tokio::time::sleep(timeout));
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "http connection ended");
                }
                return;
            }
            true = became_true(&mut first_request), if handshake_permit.is_some() => {
                // The request head is in: no longer a pending handshake.
                handshake_permit = None;
            }
            () = deadline.as_mut(), if handshake_permit.is_some() => {
                tracing::info!(%peer, "handshake timed out: connection shed");
                return;
            }
            true = became_true(&mut stop), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
