//! Reading a frame exactly as Python's `json.loads(text)` (CPython 3.11,
//! C scanner) reads it: the same accepted documents, the same values, and
//! the same error messages and positions, so an error frame reads the same
//! as the Python chanx's.
//!
//! What `json.loads` accepts beyond RFC 8259, and so do we: `NaN`,
//! `Infinity` and `-Infinity`; integers of any size; a repeated object key
//! (first position, last value). What it refuses, and so do we: a leading
//! byte order mark, raw control characters inside strings, and whitespace
//! other than space, tab, newline and carriage return.
//!
//! Two deliberate differences, both documented on [`ParseError`] and
//! [`Json::Str`](super::Json::Str):
//!
//! - a lone surrogate escape (`"\ud800"`), which a Python `str` keeps, becomes
//!   U+FFFD: a Rust string cannot hold it;
//! - nesting is bounded by a depth given in advance (Python raises
//!   `RecursionError` at a depth that depends on its call stack).
//!
//! # Speed
//!
//! One pass over the bytes, no recursion (an explicit stack of open
//! containers), string runs scanned eight bytes at a time, one allocation
//! per string, array and object; an object of up to 16 members is a list,
//! not a hash table ([`JsonMap`]). Measured against
//! `serde_json::from_str::<serde_json::Value>` (with `preserve_order`: its
//! objects are `IndexMap`s) by the ignored test
//! `compare_speed_with_serde_json` (`cargo test -p chanx-runtime --release
//! --lib compare_speed_with_serde_json -- --ignored --nocapture`; best of 15
//! batches, µs per KB of input, on a shared 2-core machine, four runs agreeing
//! within 2 %; *hashed objects* is this parser when every object was an
//! `IndexMap`, on the same machine):
//!
//! | corpus                        | this parser | hashed objects | serde_json |
//! |-------------------------------|-------------|----------------|------------|
//! | chat frames (short strings)   | 2.27        | 3.48           | 3.95       |
//! | frames with long strings      | 0.74        | 0.91           | 0.98       |
//! | numbers (ints and floats)     | 1.75        | 1.84           | 2.02       |
//! | escapes and non-ASCII text    | 2.07        | 2.79           | 3.55       |

use std::fmt;

use super::value::{Json, JsonMap, JsonStr};

/// The nesting depth [`parse`] allows: the deepest frame chanx 2.13 reads.
///
/// `json.loads` counts nesting against Python's recursion limit (1000
/// frames), minus the frames already on the stack when chanx parses a
/// frame: served by uvicorn (FastAPI), a frame 965 lists or dicts deep is
/// read and one more is refused with `maximum recursion depth exceeded`.
/// (The threshold moves with the Python server's call stack.) Dropping,
/// writing and validating a value this deep stays well inside a thread's
/// stack.
pub const DEFAULT_MAX_DEPTH: usize = 965;

/// Python 3.11 refuses to convert an integer literal longer than this many
/// digits (`sys.get_int_max_str_digits()`, default 4300; CVE-2020-10735), and
/// `json.loads` fails with that `ValueError`.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// Which error `json.loads` raised; [`ParseError`]'s `Display` adds the
/// position as Python does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// `Expecting value`: no JSON value starts here (also an empty document).
    ExpectingValue,
    /// `Expecting property name enclosed in double quotes` (also after a
    /// trailing comma in an object: Python 3.11 has no dedicated message).
    ExpectingPropertyName,
    /// `Expecting ':' delimiter`.
    ExpectingColon,
    /// `Expecting ',' delimiter`.
    ExpectingComma,
    /// `Unterminated string starting at`; the position is the opening quote.
    UnterminatedString,
    /// `Invalid control character at`: a raw character below U+0020 in a string.
    InvalidControlCharacter,
    /// `Invalid \escape`; the position is the backslash.
    InvalidEscape,
    /// `Invalid \uXXXX escape`; the position is the `u`.
    InvalidUnicodeEscape,
    /// `Extra data`: something follows the document.
    ExtraData,
    /// `Unexpected UTF-8 BOM (decode using utf-8-sig)`: the text starts with U+FEFF.
    UnexpectedBom,
    /// Arrays nested deeper than the limit (Python: `RecursionError`).
    ArrayTooDeep,
    /// Objects nested deeper than the limit (Python: `RecursionError`).
    ObjectTooDeep,
    /// An integer with more than [`INT_MAX_STR_DIGITS`] digits (Python: `ValueError`).
    IntTooLong {
        /// How many digits the literal has (its sign not counted).
        digits: usize,
    },
}

impl ParseErrorKind {
    /// The message as Python words it, without the position suffix.
    pub fn message(&self) -> String {
        match self {
            Self::IntTooLong { digits } => format!(
                "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
                 value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
            ),
            other => other.static_message().to_owned(),
        }
    }

    fn static_message(&self) -> &'static str {
        match self {
            Self::ExpectingValue => "Expecting value",
            Self::ExpectingPropertyName => "Expecting property name enclosed in double quotes",
            Self::ExpectingColon => "Expecting ':' delimiter",
            Self::ExpectingComma => "Expecting ',' delimiter",
            Self::UnterminatedString => "Unterminated string starting at",
            Self::InvalidControlCharacter => "Invalid control character at",
            Self::InvalidEscape => "Invalid \\escape",
            Self::InvalidUnicodeEscape => "Invalid \\uXXXX escape",
            Self::ExtraData => "Extra data",
            Self::UnexpectedBom => "Unexpected UTF-8 BOM (decode using utf-8-sig)",
            Self::ArrayTooDeep => {
                "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
            }
            Self::ObjectTooDeep => {
                "maximum recursion depth exceeded while decoding a JSON object from a unicode string"
            }
            Self::IntTooLong { .. } => "Exceeds the limit for integer string conversion",
        }
    }

    /// The Python exception class `json.loads` raises for this error
    /// (`JSONDecodeError` is a subclass of `ValueError`).
    pub fn python_exception(&self) -> &'static str {
        match self {
            Self::ArrayTooDeep | Self::ObjectTooDeep => "RecursionError",
            Self::IntTooLong { .. } => "ValueError",
            _ => "JSONDecodeError",
        }
    }

    /// Whether Python's message ends with `: line L column C (char P)`
    /// (every `JSONDecodeError`; not the recursion and integer-size errors).
    pub fn has_position(&self) -> bool {
        !matches!(
            self,
            Self::ArrayTooDeep | Self::ObjectTooDeep | Self::IntTooLong { .. }
        )
    }
}

/// Why a document was refused. `Display` is exactly `str(exc)` of the
/// exception Python's `json.loads` raises for the same text.
///
/// Positions count Unicode code points (Python `str` indices), as
/// `JSONDecodeError.pos`, `.lineno` and `.colno` do; only `\n` starts a line.
/// For the errors without a position in their message (depth, integer size)
/// they locate the offending container or number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Which error.
    pub kind: ParseErrorKind,
    /// Code point index in the text (`JSONDecodeError.pos`).
    pub pos: usize,
    /// 1-based line (`JSONDecodeError.lineno`).
    pub line: usize,
    /// 1-based column in code points since the last `\n` (`JSONDecodeError.colno`).
    pub col: usize,
    /// Byte offset of the same position, for slicing the Rust string.
    pub byte_offset: usize,
}

impl ParseError {
    fn at(text: &str, kind: ParseErrorKind, byte_offset: usize) -> Self {
        // Only on the error path: count code points and newlines before it.
        let mut pos = 0;
        let mut line = 1;
        let mut last_newline = None;
        for &b in &text.as_bytes()[..byte_offset] {
            if b & 0xC0 != 0x80 {
                if b == b'\n' {
                    line += 1;
                    last_newline = Some(pos);
                }
                pos += 1;
            }
        }
        let col = match last_newline {
            Some(newline) => pos - newline,
            None => pos + 1,
        };
        ParseError {
            kind,
            pos,
            line,
            col,
            byte_offset,
        }
    }

    /// Python's message without the position suffix (`JSONDecodeError.msg`).
    pub fn message(&self) -> String {
        self.kind.message()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ParseErrorKind::IntTooLong { .. } => f.write_str(&self.kind.message()),
            kind if !kind.has_position() => f.write_str(kind.static_message()),
            kind => write!(
                f,
                "{}: line {} column {} (char {})",
                kind.static_message(),
                self.line,
                self.col,
                self.pos
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a frame as Python's `json.loads(text)` does, nesting at most
/// [`DEFAULT_MAX_DEPTH`] containers deep.
pub fn parse(text: &str) -> Result<Json, ParseError> {
    parse_with_limit(text, DEFAULT_MAX_DEPTH)
}

/// [`parse`] with another nesting limit: opening container number
/// `max_depth + 1` fails with Python's `RecursionError` message. Parsing
/// itself never recurses, whatever the limit; the limit protects what
/// recurses over the value afterwards (drop, writing, validation).
pub fn parse_with_limit(text: &str, max_depth: usize) -> Result<Json, ParseError> {
    parse_measured(text, max_depth).map(|(value, _)| value)
}

/// [`parse_with_limit`], also returning how deeply lists and dicts nest in
/// the value (0 for a scalar), measured on the way.
pub fn parse_measured(text: &str, max_depth: usize) -> Result<(Json, usize), ParseError> {
    if text.starts_with('\u{feff}') {
        return Err(ParseError::at(text, ParseErrorKind::UnexpectedBom, 0));
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        deepest: 0,
    };
    parser.skip_whitespace();
    let value = parser
        .parse_document(max_depth)
        .map_err(|(kind, at)| ParseError::at(text, kind, at))?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(ParseError::at(text, ParseErrorKind::ExtraData, parser.pos));
    }
    Ok((value, parser.deepest))
}

/// An error while parsing: its kind and byte offset, turned into a
/// [`ParseError`] (code point positions) only once, at the end.
type Fail = (ParseErrorKind, usize);

thread_local! {
    static STACK: std::cell::Cell<Vec<Frame>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The most open containers a thread's stack keeps room for between parses.
const STACK_KEPT: usize = 64;

/// An open container on the explicit stack.
enum Frame {
    Array(Vec<Json>),
    /// The object so far and the key whose value is being parsed.
    Object(JsonMap, JsonStr),
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The most containers open at once so far.
    deepest: usize,
}

/// Members a non-empty object has room for when its first key is read.
const OBJECT_ROOM: usize = 4;

/// Bytes that end the plain run of a string: the quote, the backslash and
/// the control characters Python refuses.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

impl Parser<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    #[inline]
    fn rest_starts_with(&self, literal: &[u8]) -> bool {
        self.bytes[self.pos..].starts_with(literal)
    }

    /// The value at `pos` (whitespace already skipped), containers included.
    /// The stack of open containers is the thread's, kept between frames:
    /// a fresh one was an allocation on every frame.
    fn parse_document(&mut self, max_depth: usize) -> Result<Json, Fail> {
        super::with_reused(
            &STACK,
            |stack| self.parse_with_stack(max_depth, stack),
            |stack| {
                // What a failed parse left open is dropped here.
                stack.clear();
                stack.capacity() <= STACK_KEPT
            },
        )
    }

    fn parse_with_stack(&mut self, max_depth: usize, stack: &mut Vec<Frame>) -> Result<Json, Fail> {
        'value: loop {
            let mut value = match self.peek() {
                Some(b'[') => {
                    if stack.len() >= max_depth {
                        return Err((ParseErrorKind::ArrayTooDeep, self.pos));
                    }
                    self.deepest = self.deepest.max(stack.len() + 1);
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Json::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    if stack.len() >= max_depth {
                        return Err((ParseErrorKind::ObjectTooDeep, self.pos));
                    }
                    self.deepest = self.deepest.max(stack.len() + 1);
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Json::Object(JsonMap::default())
                    } else {
                        let key = self.parse_key()?;
                        // Room for a frame's few keys made up front, not
                        // through the growth path on the first insert.
                        let members = JsonMap::with_capacity(OBJECT_ROOM);
                        stack.push(Frame::Object(members, key));
                        continue 'value;
                    }
                }
                Some(b'"') => Json::Str(self.parse_string()?),
                Some(b'n') if self.rest_starts_with(b"null") => {
                    self.pos += 4;
                    Json::Null
                }
                Some(b't') if self.rest_starts_with(b"true") => {
                    self.pos += 4;
                    Json::Bool(true)
                }
                Some(b'f') if self.rest_starts_with(b"false") => {
                    self.pos += 5;
                    Json::Bool(false)
                }
                Some(b'N') if self.rest_starts_with(b"NaN") => {
                    self.pos += 3;
                    Json::Float(f64::NAN)
                }
                Some(b'I') if self.rest_starts_with(b"Infinity") => {
                    self.pos += 8;
                    Json::Float(f64::INFINITY)
                }
                Some(b'-') if self.rest_starts_with(b"-Infinity") => {
                    self.pos += 9;
                    Json::Float(f64::NEG_INFINITY)
                }
                _ => self.parse_number()?,
            };
            // Hand the finished value to its container; close containers
            // until one expects another value.
            loop {
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array(items)) => {
                        items.push(value);
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_whitespace();
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let Some(Frame::Array(items)) = stack.pop() else {
                                    unreachable!("the top frame is an array")
                                };
                                value = Json::Array(items);
                            }
                            _ => return Err((ParseErrorKind::ExpectingComma, self.pos)),
                        }
                    }
                    Some(Frame::Object(map, key)) => {
                        map.insert(std::mem::take(key), value);
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_whitespace();
                                *key = self.parse_key()?;
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let Some(Frame::Object(map, _)) = stack.pop() else {
                                    unreachable!("the top frame is an object")
                                };
                                value = Json::Object(map);
                            }
                            _ => return Err((ParseErrorKind::ExpectingComma, self.pos)),
                        }
                    }
                }
            }
        }
    }

    /// A key, its `:` and the whitespace after it.
    fn parse_key(&mut self) -> Result<JsonStr, Fail> {
        if self.peek() != Some(b'"') {
            return Err((ParseErrorKind::ExpectingPropertyName, self.pos));
        }
        let key = self.parse_string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err((ParseErrorKind::ExpectingColon, self.pos));
        }
        self.pos += 1;
        self.skip_whitespace();
        Ok(key)
    }

    /// The string whose opening quote is at `pos`.
    fn parse_string(&mut self) -> Result<JsonStr, Fail> {
        let bytes = self.bytes;
        let begin = self.pos;
        let start = begin + 1;
        let mut i = self.scan_plain(start);
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                return Ok(JsonStr::from(&self.text[start..i]));
            }
            Some(b'\\') => {}
            Some(_) => return Err((ParseErrorKind::InvalidControlCharacter, i)),
            None => return Err((ParseErrorKind::UnterminatedString, begin)),
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(&self.text[start..i]);
        loop {
            // `i` is at a backslash.
            let Some(&escape) = bytes.get(i + 1) else {
                return Err((ParseErrorKind::UnterminatedString, begin));
            };
            let simple = match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => '\0',
                _ => return Err((ParseErrorKind::InvalidEscape, i)),
            };
            if escape != b'u' {
                out.push(simple);
                i += 2;
            } else {
                let unit = self.hex_escape(i + 1)?;
                i += 6;
                let c = match unit {
                    0xD800..=0xDBFF if bytes[i..].starts_with(b"\\u") => {
                        let low = self.hex_escape(i + 1)?;
                        if (0xDC00..=0xDFFF).contains(&low) {
                            i += 6;
                            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // Python keeps the lone surrogate and reads the
                            // next escape on its own.
                            0xFFFD
                        }
                    }
                    0xD800..=0xDFFF => 0xFFFD,
                    _ => unit,
                };
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            let run = i;
            i = self.scan_plain(i);
            out.push_str(&self.text[run..i]);
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out.into());
                }
                Some(b'\\') => {}
                Some(_) => return Err((ParseErrorKind::InvalidControlCharacter, i)),
                None => return Err((ParseErrorKind::UnterminatedString, begin)),
            }
        }
    }

    /// The end of the run of ordinary string bytes starting at `i`.
    #[inline]
    fn scan_plain(&self, mut i: usize) -> usize {
        let bytes = self.bytes;
        // Eight bytes at a time while none of them needs a look.
        while i + 8 <= bytes.len() {
            let chunk = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
            let stops = super::word::stops(chunk);
            if stops != 0 {
                // The lowest mark is the first stop byte (see `word::stops`).
                return i + (stops.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < bytes.len() && !STRING_STOP[bytes[i] as usize] {
            i += 1;
        }
        i
    }

    /// The four hex digits after the `u` at `u_at`. Python also wants a
    /// character after them (its bound check is `end >= len`), and reports
    /// every failure at the `u`.
    fn hex_escape(&self, u_at: usize) -> Result<u32, Fail> {
        let fail = (ParseErrorKind::InvalidUnicodeEscape, u_at);
        let digits = self.bytes.get(u_at + 1..u_at + 5).ok_or(fail)?;
        if u_at + 5 >= self.bytes.len() {
            return Err(fail);
        }
        let mut value = 0;
        for &d in digits {
            let nibble = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(fail),
            };
            value = (value << 4) | u32::from(nibble);
        }
        Ok(value)
    }

    /// A number at `pos`, matched as Python's scanner does
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, the longest match;
    /// no match is `Expecting value`).
    fn parse_number(&mut self) -> Result<Json, Fail> {
        let bytes = self.bytes;
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                i += 1;
                while let Some(b'0'..=b'9') = bytes.get(i) {
                    i += 1;
                }
            }
            _ => return Err((ParseErrorKind::ExpectingValue, start)),
        }
        let int_end = i;
        let mut is_float = false;
        if bytes.get(i) == Some(&b'.') && matches!(bytes.get(i + 1), Some(b'0'..=b'9')) {
            is_float = true;
            i += 2;
            while let Some(b'0'..=b'9') = bytes.get(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            let mut j = i + 1;
            if let Some(b'-' | b'+') = bytes.get(j) {
                j += 1;
            }
            if let Some(b'0'..=b'9') = bytes.get(j) {
                is_float = true;
                while let Some(b'0'..=b'9') = bytes.get(j) {
                    j += 1;
                }
                i = j;
            }
        }
        self.pos = i;
        let literal = &self.text[start..i];
        if is_float {
            // Rust's parser is correctly rounded like Python's `float()`,
            // overflows to infinity and keeps the sign of zero.
            return match literal.parse::<f64>() {
                Ok(f) => Ok(Json::Float(f)),
                Err(_) => Err((ParseErrorKind::ExpectingValue, start)),
            };
        }
        let digits = int_end - int_start;
        if digits <= 18 {
            let mut magnitude: i64 = 0;
            for &d in &bytes[int_start..int_end] {
                magnitude = magnitude * 10 + i64::from(d - b'0');
            }
            return Ok(Json::Int(if negative { -magnitude } else { magnitude }));
        }
        if let Ok(i) = literal.parse::<i64>() {
            return Ok(Json::Int(i));
        }
        if digits > INT_MAX_STR_DIGITS {
            return Err((ParseErrorKind::IntTooLong { digits }, start));
        }
        Ok(Json::BigInt(literal.into()))
    }
}

#[cfg(test)]
mod tests;
