//! The runtime's own WebSocket message type, so the connection core runs on
//! tokio-tungstenite, axum or in-process channels alike.

use tokio_tungstenite::tungstenite::{self, protocol::frame::coding::CloseCode as TCloseCode};

/// Close codes the runtime sends.
pub mod close_code {
    /// Normal closure (also used for the idle timeout).
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The client broke the WebSocket protocol: reserved bits set, an
    /// unknown opcode, an unmasked frame, a continuation with nothing to
    /// continue, a control frame fragmented or over 125 bytes.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// The client sent a text message that is not valid UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// Path parameters did not fit the channel.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// The client sent a message over the size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// `on_connect` failed.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// The client did not keep up with what was sent to it: its outgoing
    /// queue filled, a frame waited in it past `slow_client_timeout`, or the
    /// channel layer had to drop a message for it.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// Authentication failed: no credentials (chanx: 401 + 4000).
    pub const UNAUTHORIZED: u16 = 4401;
    /// Authentication failed: credentials refused (chanx: 403 + 4000).
    pub const FORBIDDEN: u16 = 4403;
}

/// A close frame: code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The close code (1000, 1009, 4403, …).
    pub code: u16,
    /// The close reason.
    pub reason: String,
}

/// One WebSocket message, independent of the transport library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsMessage {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A ping.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// A close frame.
    Close(Option<CloseFrame>),
}

impl WsMessage {
    /// A close message with a code and reason.
    pub fn close(code: u16, reason: impl Into<String>) -> Self {
        WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    }
}

/// A client frame as a connection reads it: a text frame keeps the
/// transport's buffer instead of being copied into a `String`, and of the
/// others only what the connection acts on is kept.
#[cfg(feature = "server")]
#[derive(Debug)]
pub(crate) enum ReadFrame {
    Text(tungstenite::Utf8Bytes),
    /// A binary frame of this many bytes.
    Binary(usize),
    /// A ping or pong: the transport answers pings itself.
    Control,
    Close,
}

#[cfg(feature = "server")]
impl From<WsMessage> for ReadFrame {
    fn from(message: WsMessage) -> Self {
        match message {
            // Takes the string's buffer: no copy.
            WsMessage::Text(text) => ReadFrame::Text(text.into()),
            WsMessage::Binary(bytes) => ReadFrame::Binary(bytes.len()),
            WsMessage::Ping(_) | WsMessage::Pong(_) => ReadFrame::Control,
            WsMessage::Close(_) => ReadFrame::Close,
        }
    }
}

#[cfg(feature = "server")]
impl From<tungstenite::Message> for ReadFrame {
    fn from(message: tungstenite::Message) -> Self {
        use tungstenite::Message as M;
        match message {
            M::Text(text) => ReadFrame::Text(text),
            M::Binary(bytes) => ReadFrame::Binary(bytes.len()),
            M::Ping(_) | M::Pong(_) => ReadFrame::Control,
            M::Close(_) => ReadFrame::Close,
            // Raw frames only appear when writing; treat one read as binary data.
            M::Frame(frame) => ReadFrame::Binary(frame.payload().len()),
        }
    }
}

impl From<tungstenite::Message> for WsMessage {
    fn from(message: tungstenite::Message) -> Self {
        use tungstenite::Message as M;
        match message {
            M::Text(text) => WsMessage::Text(text.as_str().to_owned()),
            M::Binary(bytes) => WsMessage::Binary(bytes.to_vec()),
            M::Ping(bytes) => WsMessage::Ping(bytes.to_vec()),
            M::Pong(bytes) => WsMessage::Pong(bytes.to_vec()),
            M::Close(frame) => WsMessage::Close(frame.map(|f| CloseFrame {
                code: u16::from(f.code),
                reason: f.reason.as_str().to_owned(),
            })),
            // Raw frames only appear when writing; treat one read as binary data.
            M::Frame(frame) => WsMessage::Binary(frame.into_payload().to_vec()),
        }
    }
}

impl From<WsMessage> for tungstenite::Message {
    fn from(message: WsMessage) -> Self {
        use tungstenite::Message as M;
        match message {
            WsMessage::Text(text) => M::Text(text.into()),
            WsMessage::Binary(bytes) => M::Binary(bytes.into()),
            WsMessage::Ping(bytes) => M::Ping(bytes.into()),
            WsMessage::Pong(bytes) => M::Pong(bytes.into()),
            WsMessage::Close(frame) => M::Close(frame.map(|f| tungstenite::protocol::CloseFrame {
                code: TCloseCode::from(f.code),
                reason: f.reason.into(),
            })),
        }
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn a_text_frame_is_read_in_the_buffer_it_came_in() {
        let text = String::from(r#"{"action": "ping"}"#);
        let at = text.as_ptr();
        let ReadFrame::Text(read) = ReadFrame::from(WsMessage::Text(text)) else {
            panic!("not text");
        };
        assert_eq!(
            (read.as_str(), read.as_str().as_ptr()),
            (r#"{"action": "ping"}"#, at)
        );

        let message = tungstenite::Message::text("hello");
        let at = message.to_text().unwrap().as_ptr();
        let ReadFrame::Text(read) = ReadFrame::from(message) else {
            panic!("not text");
        };
        assert_eq!((read.as_str(), read.as_str().as_ptr()), ("hello", at));
    }

    #[test]
    fn other_frames_keep_what_the_connection_acts_on() {
        use tungstenite::Message as M;
        let cases = [
            (
                ReadFrame::from(WsMessage::Binary(vec![1, 2, 3])),
                "Binary(3)",
            ),
            (ReadFrame::from(M::binary(vec![0; 5])), "Binary(5)"),
            // Its payload's size, as for a binary message (not the header).
            (
                ReadFrame::from(M::Frame(tungstenite::protocol::frame::Frame::message(
                    vec![0; 7],
                    tungstenite::protocol::frame::coding::OpCode::Data(
                        tungstenite::protocol::frame::coding::Data::Binary,
                    ),
                    true,
                ))),
                "Binary(7)",
            ),
            (ReadFrame::from(WsMessage::Ping(vec![1])), "Control"),
            (ReadFrame::from(M::Pong(Default::default())), "Control"),
            (ReadFrame::from(WsMessage::close(1000, "bye")), "Close"),
            (ReadFrame::from(M::Close(None)), "Close"),
        ];
        for (read, expected) in cases {
            assert_eq!(format!("{read:?}"), expected);
        }
    }
}
