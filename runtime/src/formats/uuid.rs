//! `uuid` and `uuid1` … `uuid8`: pydantic's UUID validator, which parses
//! strings with the Rust uuid crate (1.x): 32 hex digits, or hyphenated,
//! optionally in braces or after `urn:uuid:`, in either case. The errors
//! carry that crate's messages.

use super::FormatError;
use crate::json::Json;

/// Why a string is no UUID, in the uuid crate's words.
fn parsing(error: String) -> FormatError {
    FormatError {
        kind: "uuid_parsing",
        message: format!("Input should be a valid UUID, {error}"),
        ctx: vec![("error", Json::from(error))],
    }
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The 16 bytes of a simple (32 digits) or hyphenated (36 bytes) UUID.
fn decode(digits: &[u8], hyphenated: bool) -> Option<[u8; 16]> {
    if hyphenated && (digits.len() != 36 || [8, 13, 18, 23].iter().any(|&i| digits[i] != b'-')) {
        return None;
    }
    let mut nibbles = digits
        .iter()
        .enumerate()
        .filter(|&(i, _)| !(hyphenated && [8, 13, 18, 23].contains(&i)));
    let mut out = [0u8; 16];
    for byte in &mut out {
        let high = hex(*nibbles.next()?.1)?;
        let low = hex(*nibbles.next()?.1)?;
        *byte = high << 4 | low;
    }
    Some(out)
}

/// The uuid crate's `Uuid::parse_str`, errors included.
fn parse(input: &str) -> Result<[u8; 16], String> {
    let bytes = input.as_bytes();
    let parsed = match bytes.len() {
        32 => decode(bytes, false),
        36 => decode(bytes, true),
        38 if bytes[0] == b'{' && bytes[37] == b'}' => decode(&bytes[1..37], true),
        45 if bytes.starts_with(b"urn:uuid:") => decode(&bytes[9..], true),
        _ => None,
    };
    if let Some(uuid) = parsed {
        return Ok(uuid);
    }
    // A failed hyphenated parse of a braced or URN form is explained
    // against the inner 36 bytes only, as the crate does.
    let (text, hyphenated) = match bytes.len() {
        36 => (input, true),
        38 if bytes[0] == b'{' && bytes[37] == b'}' => (&input[1..37], true),
        45 if bytes.starts_with(b"urn:uuid:") => (&input[9..], true),
        _ => (input, false),
    };
    Err(explain(text, hyphenated))
}

/// The uuid crate's `InvalidUuid::into_err`: which message a bad input gets.
fn explain(input: &str, hyphenated: bool) -> String {
    let len = input.len();
    if len == 0 || len > 45 {
        return format!("invalid length: found {len}");
    }
    #[derive(PartialEq)]
    enum Format {
        Any,
        Hyphenated,
        Braced,
        Urn,
    }
    let bytes = input.as_bytes();
    let (start, end, mut format) = if hyphenated {
        (0, len, Format::Hyphenated)
    } else if len >= 2 && bytes[0] == b'{' && bytes[len - 1] == b'}' {
        (1, len - 1, Format::Braced)
    } else if bytes.starts_with(b"urn:uuid:") {
        (9, len, Format::Urn)
    } else {
        (0, len, Format::Any)
    };
    let mut hyphens = 0usize;
    let mut group_ends = [0usize; 4];
    for (index, character) in input[start..end].char_indices() {
        // The crate looks at the low byte of each character.
        match (character as u32 as u8).to_ascii_lowercase() {
            b'0'..=b'9' | b'a'..=b'f' => {}
            b'-' => {
                if format == Format::Any {
                    format = Format::Hyphenated;
                }
                if hyphens < 4 {
                    group_ends[hyphens] = index;
                }
                hyphens += 1;
            }
            _ => {
                return format!(
                    "invalid character: found `{character}` at {}",
                    index + start
                );
            }
        }
    }
    if format == Format::Any {
        return format!("invalid length: found {len}");
    }
    if hyphens != 4 {
        return format!("invalid group count: expected 5, found {}", hyphens + 1);
    }
    const STARTS: [usize; 5] = [0, 9, 14, 19, 24];
    const EXPECTED: [usize; 5] = [8, 4, 4, 4, 12];
    for group in 0..4 {
        if group_ends[group] != STARTS[group + 1] - 1 {
            let found = group_ends[group] - STARTS[group];
            return format!(
                "invalid group length in group {group}: expected {}, found {found}",
                EXPECTED[group]
            );
        }
    }
    format!(
        "invalid group length in group 4: expected 12, found {}",
        len.wrapping_sub(STARTS[4])
    )
}

/// `uuid.UUID` (`{"type": "string", "format": "uuid"}`) and, with
/// `version`, `UUID1` … `UUID8` (`"format": "uuid1"` …): the UUID in
/// lowercase hyphenated form.
///
/// A versioned UUID must carry that version and the RFC 9562 variant.
pub(crate) fn uuid(input: &Json, version: Option<u8>) -> Result<Json, FormatError> {
    let Json::Str(text) = input else {
        return Err(FormatError::new(
            "uuid_type",
            "UUID input should be a string, bytes or UUID object",
        ));
    };
    let bytes = parse(text).map_err(parsing)?;
    if let Some(version) = version
        && (bytes[6] >> 4 != version || bytes[8] & 0xc0 != 0x80)
    {
        return Err(FormatError {
            kind: "uuid_version",
            message: format!("UUID version {version} expected"),
            ctx: vec![("expected_version", Json::Int(i64::from(version)))],
        });
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Json::from(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}
