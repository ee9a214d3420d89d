//! Writing frames exactly as Python's `json.dumps(obj)` writes them with its
//! default arguments, byte for byte:
//!
//! - separators `", "` and `": "`; `[]` and `{}` when empty;
//! - `ensure_ascii`: every non-ASCII character as a lowercase `\uXXXX`
//!   escape (astral characters as a surrogate pair), `\"` `\\` `\n` `\r`
//!   `\t` `\b` `\f`, other control characters and DEL as `\u00XX`; `/` as is;
//! - floats as Python's `repr(float)` (shortest round-trip digits, exponent
//!   form below 1e-4 and from 1e16: `1e-05`, `1e+16`, `1.0`);
//! - non-finite floats as `NaN`, `Infinity` and `-Infinity` (`allow_nan`
//!   is on): pydantic's `model_dump(mode="json")` keeps them in `float`
//!   fields, and `json.dumps` writes them so. (An `Any` field's NaN becomes
//!   `None` in pydantic; in generated Rust such a field is a
//!   `serde_json::Value`, which cannot hold one.)
//!
//! The serializer is a plain [`serde::Serializer`], so generated types write
//! straight to text. Serde's shapes map onto Python's as `serde_json` maps
//! them: unit and `None` are `null`, newtype structs are transparent, enums
//! are externally tagged, tuples and sequences are lists, bytes a list of
//! ints. A serde_json `RawValue` is parsed and written in this layout.

use std::fmt;

use serde::ser::{self, Serialize};

use super::value::Json;

/// The newtype struct name [`Json`]'s `Serialize` uses for an integer too
/// large for `i128`/`u128`: this writer prints its string as a bare number;
/// any other serializer sees a newtype around a string.
pub(crate) const BIG_INT_MARKER: &str = "$chanx::json::BigInt";

/// The struct name serde_json's `RawValue` serializes under (one field
/// holding its JSON text). Copying that compact text would not be Python's
/// layout, so this writer parses it and writes the value instead.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Why a value could not be written: a map key Python could not write, or
/// a `Serialize` impl's own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpError(String);

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DumpError {}

impl ser::Error for DumpError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DumpError(msg.to_string())
    }
}

fn key_error() -> DumpError {
    DumpError("keys must be str, int, float, bool or None".to_owned())
}

/// Writes `value` as Python's `json.dumps(value)` would (of what chanx's
/// `model_dump(mode="json")` gives: a [`crate::Secret`] is written masked).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, DumpError> {
    write(value, usize::MAX)
}

/// [`to_string`] for a message a handler sends: refused (as pydantic
/// refuses to serialize it) when lists and dicts nest deeper than
/// [`MAX_DUMP_DEPTH`].
pub fn to_frame<T: Serialize + ?Sized>(value: &T) -> Result<String, DumpError> {
    write(value, MAX_DUMP_DEPTH)
}

thread_local! {
    /// Where this thread writes: kept for its capacity between values.
    static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// The most scratch capacity a thread keeps after writing a large value.
const SCRATCH_KEPT: usize = 64 * 1024;

/// Writes into the thread's scratch text and returns a copy of exactly its
/// length: a frame's text becomes the transport's buffer as it is, where a
/// string with room to spare costs the transport another allocation, and
/// growing a fresh string costs several. (A `Serialize` impl that writes
/// another value meanwhile finds the scratch taken and starts its own.)
fn write<T: Serialize + ?Sized>(value: &T, max_depth: usize) -> Result<String, DumpError> {
    super::with_reused(
        &SCRATCH,
        |out| {
            let mut writer = Writer {
                out: std::mem::take(out),
                raw: Raw::No,
                depth: 0,
                max_depth,
            };
            // As chanx writes every frame, with `model_dump(mode="json")`:
            // secrets masked.
            let written = crate::secret::masking(|| value.serialize(&mut writer));
            *out = writer.out;
            written.map(|()| out.as_str().to_owned())
        },
        |out| {
            out.clear();
            out.capacity() <= SCRATCH_KEPT
        },
    )
}

/// Appends `value` as a JSON string literal the way Python's
/// `json.dumps(str)` writes it (`ensure_ascii`).
pub fn write_string(out: &mut String, value: &str) {
    let bytes = value.as_bytes();
    // Most strings (keys, actions, words) need no escape: checked first,
    // then copied at once.
    if all_plain(bytes) {
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(value);
        out.push('"');
        return;
    }
    out.push('"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !needs_escape(b) {
            i += 1;
            continue;
        }
        out.push_str(&value[run..i]);
        if b < 0x80 {
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                _ => push_unicode_escape(out, u16::from(b)),
            }
            i += 1;
        } else {
            let c = value[i..].chars().next().expect("a character starts here");
            let mut units = [0u16; 2];
            for &unit in c.encode_utf16(&mut units).iter() {
                push_unicode_escape(out, unit);
            }
            i += c.len_utf8();
        }
        run = i;
    }
    out.push_str(&value[run..]);
    out.push('"');
}

/// Whether `json.dumps` writes every byte as itself; eight bytes at a
/// time (a byte at a time was most of writing a short key).
#[inline]
fn all_plain(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        if word_needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
            return false;
        }
    }
    // The last bytes as one word, filled up with a plain byte.
    let last = words
        .remainder()
        .iter()
        .fold(u64::from_le_bytes([b'a'; 8]), |word, &b| {
            word << 8 | u64::from(b)
        });
    !word_needs_escape(last)
}

/// Whether any byte of the word is one [`needs_escape`] is true of.
#[inline]
fn word_needs_escape(word: u64) -> bool {
    use super::word;
    // The parser's stop bytes, DEL and every non-ASCII byte.
    (word::stops(word) | word::marks_byte(word, 0x7f) | (word & word::HIGHS)) != 0
}

/// Whether `json.dumps` (with `ensure_ascii`) writes this byte otherwise
/// than as itself: quote, backslash, control characters and non-ASCII.
#[inline]
fn needs_escape(b: u8) -> bool {
    !(0x20..0x7f).contains(&b) | (b == b'"') | (b == b'\\')
}

fn push_unicode_escape(out: &mut String, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)] as char);
    }
}

/// Appends Python's `repr(value)` of a float: `1.0`, `0.0001`, `1e-05`,
/// `1.5e+16`, `-0.0`, and `nan`, `inf`, `-inf` for the non-finite ones.
pub fn write_float_repr(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str(if value.is_nan() {
            "nan"
        } else if value > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(value);
    // ryu lays out an f64 as Python does, positional from 1e-5 up to 1e16
    // and `d.ddde±X` elsewhere, but for three details patched here: Python
    // switches to the exponent form below 1e-4 already, signs positive
    // exponents and writes at least two exponent digits. (The differential
    // tests check every layout against Python's repr.)
    if let Some(e) = shortest.find('e') {
        out.push_str(&shortest[..e]);
        push_exponent(out, &shortest[e + 1..]);
        return;
    }
    let (sign, magnitude) = match shortest.strip_prefix('-') {
        Some(magnitude) => ("-", magnitude),
        None => ("", shortest),
    };
    match magnitude.strip_prefix("0.0000") {
        // 0.0000ddd: 1e-5 <= |value| < 1e-4.
        Some(digits) => {
            out.push_str(sign);
            out.push_str(&digits[..1]);
            if digits.len() > 1 {
                out.push('.');
                out.push_str(&digits[1..]);
            }
            out.push_str("e-05");
        }
        None => out.push_str(shortest),
    }
}

/// Python's exponent: `e`, its sign, at least two digits.
fn push_exponent(out: &mut String, exponent: &str) {
    out.push('e');
    let digits = match exponent.strip_prefix('-') {
        Some(digits) => {
            out.push('-');
            digits
        }
        None => {
            out.push('+');
            exponent.strip_prefix('+').unwrap_or(exponent)
        }
    };
    if digits.len() < 2 {
        out.push('0');
    }
    out.push_str(digits);
}

/// Lays out shortest round-trip digits (as ryu prints them, in any of its
/// forms; used for `f32`, whose ryu layout differs from the `f64` one) the
/// way Python's `float_repr_style == 'short'` does.
fn layout_shortest(out: &mut String, shortest: &str) {
    let (negative, text) = match shortest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, shortest),
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(e) => (&text[..e], text[e + 1..].parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    // Digits without the point; the value is 0.DIGITS × 10^point.
    let mut digits = [0u8; 40];
    let mut count = 0;
    let mut point = None;
    for b in mantissa.bytes() {
        if b == b'.' {
            point = Some(count);
        } else if count < digits.len() {
            digits[count] = b;
            count += 1;
        }
    }
    let mut point = point.unwrap_or(count) as i32 + exponent;
    let mut first = 0;
    while first < count && digits[first] == b'0' {
        first += 1;
        point -= 1;
    }
    while count > first && digits[count - 1] == b'0' {
        count -= 1;
    }
    if negative {
        out.push('-');
    }
    let digits = &digits[first..count];
    if digits.is_empty() {
        out.push_str("0.0");
        return;
    }
    let push_digits = |out: &mut String, d: &[u8]| {
        for &b in d {
            out.push(b as char);
        }
    };
    if !(-4 < point && point <= 16) {
        // d.ddde±XX, at least two exponent digits.
        push_digits(out, &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            push_digits(out, &digits[1..]);
        }
        let exponent = point - 1;
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(itoa_u64(&mut [0; 20], u64::from(magnitude)));
    } else if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        push_digits(out, digits);
    } else {
        let point = point as usize;
        if point >= digits.len() {
            push_digits(out, digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            push_digits(out, &digits[..point]);
            out.push('.');
            push_digits(out, &digits[point..]);
        }
    }
}

/// `json.dumps`'s spelling of a non-finite float.
fn write_non_finite(out: &mut String, value: f64) {
    out.push_str(if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    });
}

/// Python's repr of an `f32`: its shortest digits as an `f32` (the value the
/// author wrote), laid out as a Python float.
fn write_f32_repr(out: &mut String, value: f32) {
    if !value.is_finite() {
        write_float_repr(out, f64::from(value));
        return;
    }
    let mut buffer = ryu::Buffer::new();
    layout_shortest(out, buffer.format_finite(value));
}

fn itoa_u64(buffer: &mut [u8; 20], mut value: u64) -> &str {
    let mut i = buffer.len();
    loop {
        i -= 1;
        buffer[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[i..]).expect("ASCII digits")
}

fn push_i64(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    out.push_str(itoa_u64(&mut [0; 20], value.unsigned_abs()));
}

fn push_u64(out: &mut String, value: u64) {
    out.push_str(itoa_u64(&mut [0; 20], value));
}

/// The serializer: text accumulates in `out`.
struct Writer {
    out: String,
    /// What the next string is, when a marker said it is not a string.
    raw: Raw,
    /// Lists and dicts open around the value being written.
    depth: usize,
    /// The most that may be open at once.
    max_depth: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Raw {
    No,
    /// [`BIG_INT_MARKER`]: a number's digits, written as they are.
    Number,
    /// [`RAW_VALUE_TOKEN`]: JSON text, parsed and written again.
    Json,
}

/// How deeply lists and dicts may nest in a message a handler sends
/// ([`to_frame`]). pydantic stops serializing at 255 nested levels inside a
/// value (`Maximum serialization depth exceeded`), and chanx then answers
/// with a handler error: a frame and its payload plus 254 levels is the
/// deepest reply it sends.
pub const MAX_DUMP_DEPTH: usize = 256;

impl Writer {
    /// Enters a list or dict, refusing to go deeper than allowed.
    fn open(&mut self) -> Result<(), DumpError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(<DumpError as ser::Error>::custom(
                "Maximum serialization depth exceeded",
            ));
        }
        Ok(())
    }

    /// Serializes `value`, whose string is of the `raw` kind.
    fn raw<T: Serialize + ?Sized>(&mut self, raw: Raw, value: &T) -> Result<(), DumpError> {
        self.raw = raw;
        let written = value.serialize(&mut *self);
        self.raw = Raw::No;
        written
    }
}

/// A list or dict being written; `close` ends it (`]`, `}` or `]}`/`}}`
/// for an enum variant's content; nothing for a `RawValue`).
struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
    close: &'static str,
    /// A serde_json `RawValue`: its one field is the JSON text.
    raw_value: bool,
}

impl<'a> Compound<'a> {
    fn new(writer: &'a mut Writer, close: &'static str) -> Self {
        Compound {
            writer,
            first: true,
            close,
            raw_value: false,
        }
    }
}

impl Compound<'_> {
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.writer.out.push_str(", ");
        }
    }

    fn key(&mut self, key: &str) {
        self.separate();
        write_string(&mut self.writer.out, key);
        self.writer.out.push_str(": ");
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = DumpError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), DumpError> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), DumpError> {
        push_i64(&mut self.out, v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), DumpError> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), DumpError> {
        push_u64(&mut self.out, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), DumpError> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), DumpError> {
        if v.is_finite() {
            write_f32_repr(&mut self.out, v);
        } else {
            write_non_finite(&mut self.out, f64::from(v));
        }
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), DumpError> {
        if v.is_finite() {
            write_float_repr(&mut self.out, v);
        } else {
            write_non_finite(&mut self.out, v);
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), DumpError> {
        write_string(&mut self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), DumpError> {
        match std::mem::replace(&mut self.raw, Raw::No) {
            Raw::No => write_string(&mut self.out, v),
            Raw::Number => self.out.push_str(v),
            Raw::Json => match super::parse(v) {
                Ok(value) => value.serialize(self)?,
                Err(e) => return Err(DumpError(format!("invalid raw JSON: {e}"))),
            },
        }
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), DumpError> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), DumpError> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), DumpError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), DumpError> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), DumpError> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), DumpError> {
        write_string(&mut self.out, variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), DumpError> {
        if name == BIG_INT_MARKER {
            return self.raw(Raw::Number, value);
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), DumpError> {
        self.open()?;
        self.out.push('{');
        write_string(&mut self.out, variant);
        self.out.push_str(": ");
        value.serialize(&mut *self)?;
        self.out.push('}');
        self.depth -= 1;
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, DumpError> {
        self.open()?;
        self.out.push('[');
        Ok(Compound::new(self, "]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, DumpError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, DumpError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, DumpError> {
        self.open()?;
        self.out.push('{');
        write_string(&mut self.out, variant);
        self.out.push_str(": [");
        Ok(Compound::new(self, "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, DumpError> {
        self.open()?;
        self.out.push('{');
        Ok(Compound::new(self, "}"))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>, DumpError> {
        if name == RAW_VALUE_TOKEN {
            return Ok(Compound {
                raw_value: true,
                ..Compound::new(self, "")
            });
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, DumpError> {
        self.open()?;
        self.out.push('{');
        write_string(&mut self.out, variant);
        self.out.push_str(": {");
        Ok(Compound::new(self, "}}"))
    }
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), DumpError> {
        self.writer.out.push_str(self.close);
        if !self.raw_value {
            self.writer.depth -= 1;
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        self.element(value)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        self.element(value)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        self.element(value)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        self.element(value)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DumpError> {
        self.separate();
        key.serialize(KeyWriter {
            out: &mut self.writer.out,
        })?;
        self.writer.out.push_str(": ");
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DumpError> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), DumpError> {
        if self.raw_value {
            return self.writer.raw(Raw::Json, value);
        }
        self.key(key);
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = DumpError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), DumpError> {
        self.key(key);
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), DumpError> {
        self.finish()
    }
}

/// Writes a dict key as Python's encoder does: `str` as is; `int`, `float`,
/// `True`/`False` and `None` as the string of their JSON form (`{"1": …}`,
/// `{"1.5": …}`, `{"true": …}`, `{"null": …}`; a non-finite float key as
/// `"NaN"`/`"Infinity"`, since `allow_nan` is on); anything else is an error.
struct KeyWriter<'a> {
    out: &'a mut String,
}

impl KeyWriter<'_> {
    fn quoted(self, text: &str) -> Result<(), DumpError> {
        self.out.push('"');
        self.out.push_str(text);
        self.out.push('"');
        Ok(())
    }

    fn float(self, value: f64, repr: impl FnOnce(&mut String)) -> Result<(), DumpError> {
        self.out.push('"');
        if value.is_nan() {
            self.out.push_str("NaN");
        } else if value.is_infinite() {
            self.out
                .push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            repr(self.out);
        }
        self.out.push('"');
        Ok(())
    }
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = DumpError;
    type SerializeSeq = ser::Impossible<(), DumpError>;
    type SerializeTuple = ser::Impossible<(), DumpError>;
    type SerializeTupleStruct = ser::Impossible<(), DumpError>;
    type SerializeTupleVariant = ser::Impossible<(), DumpError>;
    type SerializeMap = ser::Impossible<(), DumpError>;
    type SerializeStruct = ser::Impossible<(), DumpError>;
    type SerializeStructVariant = ser::Impossible<(), DumpError>;

    fn serialize_bool(self, v: bool) -> Result<(), DumpError> {
        self.quoted(if v { "true" } else { "false" })
    }

    fn serialize_i8(self, v: i8) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), DumpError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), DumpError> {
        self.out.push('"');
        push_i64(self.out, v);
        self.out.push('"');
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), DumpError> {
        self.quoted(&v.to_string())
    }

    fn serialize_u8(self, v: u8) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), DumpError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), DumpError> {
        self.out.push('"');
        push_u64(self.out, v);
        self.out.push('"');
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), DumpError> {
        self.quoted(&v.to_string())
    }

    fn serialize_f32(self, v: f32) -> Result<(), DumpError> {
        self.float(f64::from(v), |out| write_f32_repr(out, v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), DumpError> {
        self.float(v, |out| write_float_repr(out, v))
    }

    fn serialize_char(self, v: char) -> Result<(), DumpError> {
        write_string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), DumpError> {
        write_string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), DumpError> {
        Err(key_error())
    }

    fn serialize_none(self) -> Result<(), DumpError> {
        self.quoted("null")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), DumpError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), DumpError> {
        self.quoted("null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), DumpError> {
        self.quoted("null")
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), DumpError> {
        // A `str` enum member is a `str` key in Python.
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), DumpError> {
        // The big integer marker lands in `serialize_str`: its digits quoted,
        // as Python writes an `int` key.
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), DumpError> {
        Err(key_error())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, DumpError> {
        Err(key_error())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, DumpError> {
        Err(key_error())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, DumpError> {
        Err(key_error())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, DumpError> {
        Err(key_error())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, DumpError> {
        Err(key_error())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, DumpError> {
        Err(key_error())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, DumpError> {
        Err(key_error())
    }
}

/// Writes the value as `json.dumps` would write what `json.loads` read. A
/// [`Json::BigInt`] reaches any serializer as `i128`/`u128` when it fits,
/// otherwise as a newtype around its digits that this module's writer prints
/// as a bare number.
impl Serialize for Json {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Int(i) => serializer.serialize_i64(*i),
            Json::BigInt(digits) => {
                if let Ok(i) = digits.parse::<i128>() {
                    serializer.serialize_i128(i)
                } else if let Ok(u) = digits.parse::<u128>() {
                    serializer.serialize_u128(u)
                } else {
                    serializer.serialize_newtype_struct(BIG_INT_MARKER, &**digits)
                }
            }
            Json::Float(f) => serializer.serialize_f64(*f),
            Json::Str(s) => serializer.serialize_str(s),
            Json::Array(items) => serializer.collect_seq(items),
            Json::Object(map) => serializer.collect_map(map),
        }
    }
}

#[cfg(test)]
mod tests;
