//! A connection's reads, buffered below tungstenite.
//!
//! tungstenite zero-fills the free space of its read buffer, up to its read
//! size, before every read, and a frame takes two reads: the one that
//! brings it and the one that finds nothing more. With an 8 KiB read size
//! that is 16 KiB written per frame, mostly to memory that went cold since
//! the connection's last frame: on a busy server, more than parsing the
//! frame costs. So the socket is read here, [`READ_BUFFER_BYTES`] at a time,
//! into a buffer that is never zero-filled, and tungstenite reads from it
//! [`FRAME_READ_BYTES`] at a time (a copy from this buffer, not a system
//! call).
//!
//! Large messages pay for it: tungstenite never reads more than its read
//! size at once, so a 1 MiB message takes a thousand reads from this buffer
//! (each a copy of a kilobyte) where it took 128 reads of the socket. Timed,
//! that stayed within the spread between runs (BENCHMARKS.md).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How much of the socket each connection reads at a time. tungstenite's
/// default (128 KiB) is zero-filled on the first read, so it would cost
/// every idle connection 128 KiB of memory; larger frames still arrive, in
/// several reads. The `Server` reads the socket into a
/// buffer of this size that is never zero-filled, and tungstenite reads
/// from it a kilobyte at a time; so do the axum adapter under its own
/// `chanx_runtime::axum::serve` and the client. Under any other server the
/// axum adapter gives this size to tungstenite, which then reads the socket
/// itself.
pub const READ_BUFFER_BYTES: usize = 8 * 1024;

/// How much tungstenite reads (and zero-fills first) at a time over a
/// [`ReadAhead`]: more than a typical JSON message, little to clear.
pub(crate) const FRAME_READ_BYTES: usize = 1024;

/// A stream read [`READ_BUFFER_BYTES`] at a time, with what was already
/// read (a request head looked at before the handshake) in front.
pub(crate) struct ReadAhead<S> {
    inner: S,
    /// Read from `inner`; `buffer[taken..]` is still to be handed out.
    buffer: Vec<u8>,
    taken: usize,
}

impl<S> ReadAhead<S> {
    pub(crate) fn new(inner: S) -> Self {
        ReadAhead::with_read(Vec::new(), inner)
    }

    /// `inner`, with `read` (already read from it) to be read first.
    pub(crate) fn with_read(read: Vec<u8>, inner: S) -> Self {
        ReadAhead {
            inner,
            buffer: read,
            taken: 0,
        }
    }

    /// The same connection, with what was read still to be read, over
    /// `wrap(inner)`.
    #[cfg(feature = "server")]
    pub(crate) fn map_inner<T>(self, wrap: impl FnOnce(S) -> T) -> ReadAhead<T> {
        ReadAhead {
            inner: wrap(self.inner),
            buffer: self.buffer,
            taken: self.taken,
        }
    }
}

impl<S: AsyncRead + Unpin> ReadAhead<S> {
    /// Refills the empty buffer with one read of `inner`; `Ok` with nothing
    /// buffered is the end of the stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.taken = 0;
        if self.buffer.capacity() > READ_BUFFER_BYTES {
            // A long request head's buffer, handed out: not kept for the
            // connection's life.
            self.buffer = Vec::new();
        }
        self.buffer.clear();
        // Made once: the connection reads into the same buffer from then on.
        self.buffer.reserve_exact(READ_BUFFER_BYTES);
        let spare = self.buffer.spare_capacity_mut();
        let start = spare.as_ptr();
        let mut read = ReadBuf::uninit(spare);
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read))?;
        let filled = read.filled().len();
        // A reader could have swapped the buffer out from under `read`.
        assert_eq!(
            read.filled().as_ptr(),
            start.cast(),
            "reader replaced the read buffer"
        );
        // SAFETY: `read` was made over the vector's spare capacity, the same
        // memory it still points at (asserted above), and its first `filled`
        // bytes are initialized, as `ReadBuf` guarantees.
        unsafe { self.buffer.set_len(filled) };
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadAhead<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.taken == this.buffer.len() {
            // A read as large as the buffer gains nothing from it.
            if out.remaining() >= READ_BUFFER_BYTES {
                return Pin::new(&mut this.inner).poll_read(cx, out);
            }
            ready!(this.poll_fill(cx))?;
        }
        let count = out.remaining().min(this.buffer.len() - this.taken);
        out.put_slice(&this.buffer[this.taken..this.taken + count]);
        this.taken += count;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadAhead<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use tokio::io::AsyncReadExt;

    use super::*;

    /// Hands out its chunks one per read (cut to the reader's room),
    /// answering every other read `Pending` first, and counts its reads.
    struct Chunks {
        chunks: VecDeque<Vec<u8>>,
        reads: usize,
        pend: bool,
    }

    impl Chunks {
        fn new(chunks: impl IntoIterator<Item = Vec<u8>>) -> Self {
            Chunks {
                chunks: chunks.into_iter().collect(),
                reads: 0,
                pend: false,
            }
        }
    }

    impl AsyncRead for Chunks {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            self.pend = !self.pend;
            if self.pend {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.reads += 1;
            if let Some(mut chunk) = self.chunks.pop_front() {
                let count = buf.remaining().min(chunk.len());
                buf.put_slice(&chunk[..count]);
                if count < chunk.len() {
                    self.chunks.push_front(chunk.split_off(count));
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Reads to the end `step` bytes at a time; returns what was read.
    async fn read_all(reader: &mut ReadAhead<Chunks>, step: usize) -> Vec<u8> {
        let mut all = Vec::new();
        let mut room = vec![0u8; step];
        loop {
            let count = reader.read(&mut room).await.unwrap();
            if count == 0 {
                return all;
            }
            all.extend_from_slice(&room[..count]);
        }
    }

    #[tokio::test]
    async fn hands_out_every_byte_in_order_whatever_the_read_sizes() {
        let sent = data(100_000);
        for chunk in [1, 13, 1000, 4096, 8192, 9000, 65_536] {
            for step in [1, 7, FRAME_READ_BYTES, 5000, READ_BUFFER_BYTES, 20_000] {
                let chunks = sent.chunks(chunk).map(<[u8]>::to_vec);
                let mut reader = ReadAhead::new(Chunks::new(chunks));
                let read = read_all(&mut reader, step).await;
                assert!(read == sent, "chunks of {chunk}, reads of {step}");
            }
        }
    }

    #[tokio::test]
    async fn small_reads_are_served_from_one_read_of_the_socket() {
        let sent = data(READ_BUFFER_BYTES);
        let mut reader = ReadAhead::new(Chunks::new([sent.clone()]));
        let read = read_all(&mut reader, FRAME_READ_BYTES).await;
        assert_eq!(read, sent);
        // One read brought the 8 KiB, one more found the end.
        assert_eq!(reader.inner.reads, 2);
    }

    #[tokio::test]
    async fn a_read_as_large_as_the_buffer_goes_straight_to_the_socket() {
        let sent = data(3 * READ_BUFFER_BYTES);
        let mut reader = ReadAhead::new(Chunks::new([sent.clone()]));
        let mut room = vec![0u8; 3 * READ_BUFFER_BYTES];
        assert_eq!(reader.read(&mut room).await.unwrap(), sent.len());
        assert_eq!(room, sent);
        assert!(reader.buffer.capacity() == 0, "nothing was buffered");
    }

    #[tokio::test]
    async fn what_was_read_before_comes_first() {
        let head = b"GET /ws HTTP/1.1\r\n".to_vec();
        let rest = data(20_000);
        let mut reader = ReadAhead::with_read(head.clone(), Chunks::new([rest.clone()]));
        let read = read_all(&mut reader, 5).await;
        assert_eq!(read, [head, rest].concat());
    }

    #[tokio::test]
    async fn small_and_large_reads_in_turn_keep_the_order() {
        let sent = data(200_000);
        let chunks = sent.chunks(5000).map(<[u8]>::to_vec);
        let mut reader = ReadAhead::with_read(b"head".to_vec(), Chunks::new(chunks));
        let mut read = Vec::new();
        for step in [3, 20_000, 1, FRAME_READ_BYTES, READ_BUFFER_BYTES, 7, 30_000]
            .into_iter()
            .cycle()
        {
            let mut room = vec![0u8; step];
            let count = reader.read(&mut room).await.unwrap();
            if count == 0 {
                break;
            }
            read.extend_from_slice(&room[..count]);
        }
        assert!(read == [b"head".as_slice(), &sent].concat());
    }

    #[tokio::test]
    async fn a_long_head_is_handed_out_first_and_its_buffer_not_kept() {
        let head = data(3 * READ_BUFFER_BYTES);
        let rest = data(50_000);
        let mut reader = ReadAhead::with_read(head.clone(), Chunks::new([rest.clone()]));
        let mut room = vec![0u8; 4 * READ_BUFFER_BYTES];
        let count = reader.read(&mut room).await.unwrap();
        assert_eq!(&room[..count], &head[..]);
        let read = read_all(&mut reader, FRAME_READ_BYTES).await;
        assert!(read == rest);
        assert_eq!(reader.buffer.capacity(), READ_BUFFER_BYTES);
    }

    /// Fails every read after its chunks.
    struct Failing(Option<Vec<u8>>);

    impl AsyncRead for Failing {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            match self.0.take() {
                Some(chunk) => buf.put_slice(&chunk),
                None => return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into())),
            }
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn errors_reach_the_reader_after_what_was_read() {
        let mut reader = ReadAhead::new(Failing(Some(b"abc".to_vec())));
        let mut room = [0u8; 2];
        assert_eq!(reader.read(&mut room).await.unwrap(), 2);
        assert_eq!(reader.read(&mut room).await.unwrap(), 1);
        assert_eq!(room[0], b'c');
        let error = reader.read(&mut room).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    }

    /// Hands `ReadBuf` a buffer of its own instead of filling the one it got.
    struct Swapping;

    impl AsyncRead for Swapping {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let other: &'static mut [u8] = Box::leak(vec![7u8; 16].into_boxed_slice());
            *buf = ReadBuf::new(other);
            buf.set_filled(16);
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    #[should_panic(expected = "reader replaced the read buffer")]
    async fn a_reader_that_swaps_the_buffer_is_caught() {
        let mut reader = ReadAhead::new(Swapping);
        let mut room = [0u8; 4];
        let _ = reader.read(&mut room).await;
    }

    #[cfg(feature = "server")]
    #[tokio::test]
    async fn map_inner_keeps_what_was_read() {
        let reader = ReadAhead::with_read(b"head".to_vec(), Chunks::new([]));
        let mut reader = reader.map_inner(|_| Chunks::new([b"rest".to_vec()]));
        assert_eq!(read_all(&mut reader, 3).await, b"headrest");
    }

    #[tokio::test]
    async fn writes_go_straight_through() {
        use tokio::io::AsyncWriteExt;
        let (near, mut far) = tokio::io::duplex(64);
        let mut stream = ReadAhead::new(near);
        stream.write_all(b"pong").await.unwrap();
        stream.flush().await.unwrap();
        let mut got = [0u8; 4];
        far.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"pong");
        far.write_all(b"ping").await.unwrap();
        stream.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
    }
}
