//! What one process publishes to another: a JSON header line, then the
//! message bytes untouched.

use serde::{Deserialize, Serialize};

/// Who a published message is for, on the receiving process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Target {
    /// One inbox, by its full channel name.
    Channel(String),
    /// Every local member of a group.
    Group(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Header {
    pub target: Target,
    /// The sender's clock, in milliseconds since the epoch; the receiver
    /// drops messages older than its message expiry.
    pub sent_at_ms: u64,
}

/// `header JSON` + `\n` + message. JSON text never holds a raw newline, so
/// the first one ends the header.
pub(super) fn encode(header: &Header, message: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec(header)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(message);
    Ok(bytes)
}

pub(super) fn decode(bytes: &[u8]) -> Option<(Header, &[u8])> {
    let split = bytes.iter().position(|&b| b == b'\n')?;
    let header = serde_json::from_slice(&bytes[..split]).ok()?;
    Some((header, &bytes[split + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_newlines_in_the_message() {
        let header = Header {
            target: Target::Group("room\n1".into()),
            sent_at_ms: 42,
        };
        let bytes = encode(&header, b"{\"a\":\n1}").expect("encode");
        let (decoded, message) = decode(&bytes).expect("decode");
        assert_eq!(decoded, header);
        assert_eq!(message, b"{\"a\":\n1}");
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(decode(b"no newline").is_none());
        assert!(decode(b"{\"x\":1}\nbody").is_none());
    }
}
