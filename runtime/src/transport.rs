//! What every entry point (the [`Server`](crate::Server), the axum adapter)
//! shares: the WebSocket settings, the handshake limits, and closing a TCP
//! connection so that the last frames written reach the client.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};

use crate::router::Router;

pub use crate::read_ahead::READ_BUFFER_BYTES;
pub(crate) use crate::read_ahead::ReadAhead;

/// How long an entry point gives a client to complete its upgrade request,
/// by default ([`Server::handshake_timeout`](crate::Server::handshake_timeout)).
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections may be in their handshake at once, by default
/// ([`Server::max_pending_handshakes`](crate::Server::max_pending_handshakes)).
pub const DEFAULT_MAX_PENDING_HANDSHAKES: usize = 1024;

/// After the last frame, how long a closed connection keeps reading (and
/// discarding) what the client still sends before the socket is dropped.
const LINGER: Duration = Duration::from_secs(2);

/// The next connection, once fewer than the limit are in their handshake:
/// the permit is held until the handshake is over.
pub(crate) async fn accept(
    listener: &TcpListener,
    pending: &Arc<Semaphore>,
) -> (
    Option<OwnedSemaphorePermit>,
    io::Result<(TcpStream, SocketAddr)>,
) {
    // The semaphore is never closed.
    let permit = pending.clone().acquire_owned().await.ok();
    (permit, listener.accept().await)
}

/// The WebSocket settings of every entry point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WsSettings {
    pub(crate) read_buffer_size: usize,
    /// The largest message and frame: the router's largest
    /// `max_message_bytes` (each route checks its own limit too).
    pub(crate) max_message_size: usize,
}

/// The settings `router`'s connections are served with, whatever the entry point.
pub(crate) fn ws_settings(router: &Router) -> WsSettings {
    WsSettings {
        read_buffer_size: READ_BUFFER_BYTES,
        max_message_size: router.max_message_bytes(),
    }
}

impl WsSettings {
    /// The settings for a stream read through a [`ReadAhead`], which
    /// buffers the socket's reads: tungstenite then reads little at a time.
    pub(crate) fn over_read_ahead(self) -> Self {
        WsSettings {
            read_buffer_size: crate::read_ahead::FRAME_READ_BYTES,
            ..self
        }
    }

    pub(crate) fn tungstenite(self) -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(self.read_buffer_size)
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }
}

/// A TCP stream that, when dropped, is closed gracefully: its write side
/// is shut down (the client gets everything written, then end of stream)
/// and what the client still sends is read and discarded for a moment,
/// before the socket is closed.
///
/// Closing a socket whose receive buffer holds unread data makes the kernel
/// answer with a reset, which the client may see before the frames written
/// last, the close frame included: a client closed for sending too much,
/// or too fast, would never learn why.
pub(crate) struct Lingering {
    stream: Option<TcpStream>,
}

impl Lingering {
    pub(crate) fn new(stream: TcpStream) -> Self {
        Lingering {
            stream: Some(stream),
        }
    }

    fn stream(&mut self) -> io::Result<&mut TcpStream> {
        self.stream
            .as_mut()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(stream) = self.stream.take() else {
            return;
        };
        // Without a runtime (its shutdown), the socket is simply closed.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(linger(stream));
        }
    }
}

async fn linger(mut stream: TcpStream) {
    let drain = async {
        let _ = stream.shutdown().await;
        let mut discard = [0u8; 1024];
        while let Ok(1..) = stream.read(&mut discard).await {}
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

impl AsyncRead for Lingering {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(stream) => Pin::new(stream).poll_read(cx, buf),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Ok(stream) => Pin::new(stream).poll_write(cx, buf),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Ok(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream
            .as_ref()
            .is_some_and(AsyncWrite::is_write_vectored)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(stream) => Pin::new(stream).poll_flush(cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(stream) => Pin::new(stream).poll_shutdown(cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

/// Holds back what is written to a connection (the handshake's `101`
/// answer first) until its [`Gate`] opens, so that a client that sees the
/// upgrade complete is already in its groups: a broadcast sent the moment
/// the client is connected reaches it. Held bytes go out first, in order,
/// on the next read or write after the gate opens.
pub(crate) struct HeldWrites<S> {
    inner: S,
    held: Vec<u8>,
    sent: usize,
    gate: Arc<std::sync::atomic::AtomicBool>,
    /// The gate was seen open and everything held written: from then on
    /// reads and writes go straight through, without looking at the gate
    /// (another allocation, a cache miss per read on a busy server).
    released: bool,
}

/// Opens a [`HeldWrites`] when opened or dropped, whichever comes first.
#[derive(Debug, Default)]
pub(crate) struct Gate(Option<Arc<std::sync::atomic::AtomicBool>>);

impl Gate {
    pub(crate) fn open(&mut self) {
        if let Some(open) = self.0.take() {
            open.store(true, std::sync::atomic::Ordering::Release);
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.open();
    }
}

impl<S> HeldWrites<S> {
    pub(crate) fn new(inner: S) -> (Self, Gate) {
        let open = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let held = HeldWrites {
            inner,
            held: Vec::new(),
            sent: 0,
            gate: Arc::clone(&open),
            released: false,
        };
        (held, Gate(Some(open)))
    }

    fn is_open(&self) -> bool {
        self.gate.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl<S: AsyncWrite + Unpin> HeldWrites<S> {
    /// Writes out what was held, once the gate is open.
    fn poll_release(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.released {
            return Poll::Ready(Ok(()));
        }
        if !self.is_open() {
            return Poll::Ready(Ok(()));
        }
        while self.sent < self.held.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.held[self.sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(written)) => self.sent += written,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if !self.held.is_empty() {
            self.held = Vec::new();
            self.sent = 0;
        }
        self.released = true;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for HeldWrites<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // The connection reads once it is set up: the held answer goes out
        // then if no frame was written before. A write still pending has
        // registered this task, which is woken to finish it.
        if let Poll::Ready(Err(error)) = self.poll_release(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeldWrites<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.released && !self.is_open() {
            self.held.extend_from_slice(buf);
            return Poll::Ready(Ok(buf.len()));
        }
        std::task::ready!(self.poll_release(cx))?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.released && !self.is_open() {
            return Poll::Ready(Ok(()));
        }
        std::task::ready!(self.poll_release(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Nothing held is lost: shutting down opens the way.
        self.gate.store(true, std::sync::atomic::Ordering::Release);
        std::task::ready!(self.poll_release(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
