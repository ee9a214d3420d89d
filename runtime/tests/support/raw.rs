//! A WebSocket client written by hand over raw TCP, for the frames a client
//! library refuses to send, and for telling a graceful close (end of
//! stream) from a reset.

use std::{
    io,
    net::SocketAddr,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CONTINUATION: u8 = 0x0;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const FIN: u8 = 0x80;
pub const RSV1: u8 = 0x40;

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame as a client writes it: `head` is FIN, RSV and opcode bits.
pub fn frame(head: u8, payload: &[u8]) -> Vec<u8> {
    encode(head, payload, true)
}

/// A frame without the mask every client frame must carry.
pub fn unmasked_frame(head: u8, payload: &[u8]) -> Vec<u8> {
    encode(head, payload, false)
}

/// A masked text frame.
pub fn text(payload: &str) -> Vec<u8> {
    frame(FIN | TEXT, payload.as_bytes())
}

fn encode(head: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![head];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn text(&self) -> Option<&str> {
        (self.opcode == TEXT)
            .then(|| std::str::from_utf8(&self.payload).ok())
            .flatten()
    }

    /// Code and reason of a close frame.
    pub fn close(&self) -> Option<(u16, String)> {
        if self.opcode != CLOSE || self.payload.len() < 2 {
            return None;
        }
        let code = u16::from_be_bytes([self.payload[0], self.payload[1]]);
        let reason = String::from_utf8_lossy(&self.payload[2..]).into_owned();
        Some((code, reason))
    }
}

/// How the server's side of the stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// End of stream: the server shut its side down gracefully.
    Eof,
    /// A TCP reset: what the server sent last may have been lost.
    Reset,
    /// Nothing more within the wait.
    TimedOut,
    Error(io::ErrorKind),
}

/// What the server sent until its side ended.
#[derive(Debug)]
pub struct Received {
    pub frames: Vec<Frame>,
    pub end: End,
}

impl Received {
    /// The close frame, if one came.
    pub fn close(&self) -> Option<(u16, String)> {
        self.frames.iter().find_map(Frame::close)
    }

    /// The text frames.
    pub fn texts(&self) -> Vec<&str> {
        self.frames.iter().filter_map(Frame::text).collect()
    }

    /// Asserts a close frame with `code` came last, then a graceful end.
    pub fn assert_closed(&self, code: u16) {
        assert_eq!(
            self.close().map(|c| c.0),
            Some(code),
            "close code; got {:?}, ended {:?}",
            self.frames.iter().rev().take(3).collect::<Vec<_>>(),
            self.end
        );
        assert_eq!(
            self.frames.last().map(|f| f.opcode),
            Some(CLOSE),
            "nothing after the close frame"
        );
        assert_eq!(
            self.end,
            End::Eof,
            "the server must not reset the connection"
        );
    }
}

/// A WebSocket connection over a plain TCP stream.
pub struct Raw {
    pub stream: TcpStream,
    /// Bytes read past the upgrade response.
    buffered: Vec<u8>,
}

const UPGRADE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The upgrade request, whole.
pub fn upgrade_request(path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {UPGRADE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
}

impl Raw {
    /// Connects and upgrades on `path`.
    pub async fn connect(addr: SocketAddr, path: &str) -> Raw {
        let stream = TcpStream::connect(addr).await.expect("tcp connect");
        Raw::upgrade(stream, path).await
    }

    /// Connects with a small receive buffer (so the server's writes block
    /// soon when this client does not read), and upgrades.
    pub async fn connect_small(addr: SocketAddr, path: &str, receive_buffer: u32) -> Raw {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .set_recv_buffer_size(receive_buffer)
            .expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("tcp connect");
        Raw::upgrade(stream, path).await
    }

    async fn upgrade(mut stream: TcpStream, path: &str) -> Raw {
        stream
            .write_all(upgrade_request(path).as_bytes())
            .await
            .expect("send upgrade");
        let mut head = Vec::new();
        let mut chunk = [0u8; 1024];
        let end = loop {
            let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
                .await
                .expect("upgrade response in time")
                .expect("read upgrade response");
            assert!(n > 0, "connection closed during the upgrade");
            head.extend_from_slice(&chunk[..n]);
            if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let response = String::from_utf8_lossy(&head[..end]);
        assert!(
            response.starts_with("HTTP/1.1 101"),
            "upgrade refused: {response}"
        );
        Raw {
            stream,
            buffered: head[end..].to_vec(),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("send");
    }

    /// The next frame, or how the stream ended.
    pub async fn next_frame(&mut self, wait: Duration) -> Result<Frame, End> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some((frame, used)) = parse(&self.buffered) {
                self.buffered.drain(..used);
                return Ok(frame);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let mut chunk = vec![0u8; 64 * 1024];
            match tokio::time::timeout(left, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(End::TimedOut),
                Ok(Ok(0)) => return Err(End::Eof),
                Ok(Ok(n)) => self.buffered.extend_from_slice(&chunk[..n]),
                Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionReset => {
                    return Err(End::Reset);
                }
                Ok(Err(error)) => return Err(End::Error(error.kind())),
            }
        }
    }

    /// The next text frame (pings and pongs skipped).
    pub async fn next_text(&mut self, wait: Duration) -> String {
        loop {
            match self.next_frame(wait).await {
                Ok(frame) if frame.opcode == TEXT => {
                    return String::from_utf8(frame.payload).expect("UTF-8 text");
                }
                Ok(frame) if frame.opcode == PING || frame.opcode == 0xA => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Every frame until the server's side ends (or `wait` passes without a byte).
    pub async fn read_to_end(&mut self, wait: Duration) -> Received {
        let mut frames = Vec::new();
        loop {
            match self.next_frame(wait).await {
                Ok(frame) => frames.push(frame),
                Err(end) => return Received { frames, end },
            }
        }
    }
}

/// One server frame (unmasked) from the front of `bytes`, and its length.
fn parse(bytes: &[u8]) -> Option<(Frame, usize)> {
    let head = *bytes.first()?;
    let second = *bytes.get(1)?;
    assert_eq!(second & 0x80, 0, "the server masked a frame");
    let (len, mut at) = match second & 0x7f {
        126 => (
            u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
            4,
        ),
        127 => {
            let raw: [u8; 8] = bytes.get(2..10)?.try_into().ok()?;
            (u64::from_be_bytes(raw) as usize, 10)
        }
        n => (n as usize, 2),
    };
    let payload = bytes.get(at..at + len)?.to_vec();
    at += len;
    Some((
        Frame {
            opcode: head & 0x0f,
            payload,
        },
        at,
    ))
}

/// Opens a TCP connection, sends part of an upgrade request and stalls.
pub async fn stalled_handshake(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("tcp connect");
    let request = upgrade_request("/ws/chat");
    stream
        .write_all(&request.as_bytes()[..request.len() / 2])
        .await
        .expect("half an upgrade");
    stream
}

/// Waits until the server ends `stream` (or `wait` passes); returns how.
pub async fn wait_for_end(stream: &mut TcpStream, wait: Duration) -> End {
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut chunk)).await {
            Err(_) => return End::TimedOut,
            Ok(Ok(0)) => return End::Eof,
            Ok(Ok(_)) => {}
            Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionReset => {
                return End::Reset;
            }
            Ok(Err(error)) => return End::Error(error.kind()),
        }
    }
}
