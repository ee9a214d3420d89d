//! Validators for the string formats of pydantic's JSON Schema, answering
//! exactly as pydantic 2.14 (pydantic-core 2.50) does in Python lax mode on
//! a `json.loads` value, and returning the value as `model_dump(mode="json")`
//! writes it.
//!
//! # Schema → validator
//!
//! A field is known only by the JSON Schema chanx publishes (validation
//! mode; the serialization schema is the same except where noted):
//!
//! | schema | pydantic type | validator |
//! |---|---|---|
//! | `{"type":"string","format":"date"}` | `datetime.date` (also `PastDate`, `FutureDate`) | [`date`] |
//! | `{"type":"string","format":"date-time"}` | `datetime.datetime` (also `AwareDatetime`, `NaiveDatetime`, `PastDatetime`, `FutureDatetime`) | [`datetime`] |
//! | `{"type":"string","format":"time"}` | `datetime.time` | [`time`] |
//! | `{"type":"string","format":"duration"}` | `datetime.timedelta` | [`timedelta`] |
//! | `{"type":"string","format":"uuid"}` | `uuid.UUID` | [`uuid`]`(v, None)` |
//! | `{"type":"string","format":"uuidN"}`, N in 1, 3…8 | `UUID1` … `UUID8` | [`uuid`]`(v, Some(N))` |
//! | `{"anyOf":[{"type":"number"},{"type":"string"}]}` | `decimal.Decimal` (serialization schema `{"type":"string"}`) | [`decimal`]`(v, None, None)` |
//! | `{"type":"string","format":"uri","minLength":1}` | `AnyUrl` (and `AnyHttpUrl`, `FileUrl`, … alike) | [`url`]`(v, None, None)` |
//! | `{"type":"string","format":"uri","minLength":1,"maxLength":N}` | `HttpUrl` (N = 2083), `UrlConstraints(max_length=N)` | [`url`]`(v, Some(N), None)` |
//! | `{"type":"string","format":"ipv4"}` | `ipaddress.IPv4Address` | [`ipv4`] |
//! | `{"type":"string","format":"ipv6"}` | `ipaddress.IPv6Address` | [`ipv6`] |
//! | `{"type":"string","format":"ipvanyaddress"}` | `pydantic.IPvAnyAddress` | [`ip_any`] |
//! | `{"type":"string","format":"ipv4network"}` / `"ipv6network"` / `"ipvanynetwork"` | `IPv4Network` / `IPv6Network` / `IPvAnyNetwork` | [`ipv4_network`] / [`ipv6_network`] / [`ip_any_network`] |
//! | `{"type":"string","format":"ipv4interface"}` / `"ipv6interface"` / `"ipvanyinterface"` | `IPv4Interface` / `IPv6Interface` / `IPvAnyInterface` | [`ipv4_interface`] / [`ipv6_interface`] / [`ip_any_interface`] |
//! | `{"type":"string","format":"binary"}` (+ `minLength`/`maxLength`) | `bytes` | [`bytes`]`(v, min, max)` |
//!
//! What the schema does not say, and so no validator here can know:
//! - which URL schemes are allowed: `AnyHttpUrl` has `AnyUrl`'s schema and
//!   `HttpUrl` the same as `WebsocketUrl`; [`url`] takes the schemes
//!   ([`url::HTTP_SCHEMES`] for the http types) should a caller know them;
//! - a `Decimal`'s `max_digits`/`decimal_places` (taken by [`decimal`] all
//!   the same) and its `gt`/`le`/`multiple_of`, which the schema shows only
//!   as floats on the number branch;
//! - the extra checks of `AwareDatetime`, `PastDate` and the like, whose
//!   schemas are plain `date-time`/`date`;
//! - a `Decimal` from a `Union[float, str]`: both emit
//!   `{"anyOf": [{"type": "number"}, {"type": "string"}]}` for validation;
//!   only the serialization schema (`{"type": "string"}` for a decimal)
//!   tells them apart.
//!
//! Other formats pydantic emits and these do not cover: `multi-host-uri`
//! (`PostgresDsn`, …), `base64` and `base64url` (`Base64Bytes`,
//! `Base64Str`, …), `path`, `file-path`, `directory-path` (file-system
//! checks), `password` (`SecretStr` and `SecretBytes` alike: validated as
//! strings, held as [`crate::Secret`], which the server writes as
//! `**********`), `regex` (`Pattern`: needs Python's `re`),
//! `email`/`name-email` (needs email-validator), and `contentMediaType:
//! application/json` (`Json[...]`).
//!
//! # Errors
//!
//! A [`FormatError`] is pydantic's error: its `type`, `msg` and `ctx`. One
//! kind is no validation error: `"OverflowError"` from [`timedelta`] means
//! pydantic raises Python's `OverflowError` instead (see there).
//!
//! The expectations these are tested against come from the real pydantic:
//! `runtime/tests/formats/gen_expected.py` writes
//! `runtime/tests/formats/expected.json`.

mod decimal;
mod ip;
mod temporal;
mod url;
mod uuid;

pub(crate) use decimal::decimal;
pub(crate) use ip::{
    ip_any, ip_any_interface, ip_any_network, ipv4, ipv4_interface, ipv4_network, ipv6,
    ipv6_interface, ipv6_network,
};
pub(crate) use temporal::{date, datetime, time, timedelta};
pub(crate) use url::{HTTP_SCHEMES, url};
pub(crate) use uuid::uuid;

use crate::json::Json;

/// pydantic's error for a value: `type`, `msg` and `ctx` (in pydantic's
/// order) of its `errors()` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FormatError {
    /// pydantic's error type, e.g. `"date_from_datetime_parsing"`.
    pub kind: &'static str,
    /// pydantic's `msg`, exactly.
    pub message: String,
    /// pydantic's `ctx` entries, e.g. `("error", "input is too short")`.
    pub ctx: Vec<(&'static str, Json)>,
}

impl FormatError {
    /// An error without context.
    fn new(kind: &'static str, message: &str) -> Self {
        FormatError {
            kind,
            message: message.to_owned(),
            ctx: Vec::new(),
        }
    }
}

/// A number as Python sees a `json.loads` value (bools excluded).
enum Num {
    Int(i64),
    /// An int outside `i64`, converted to float as Python's `float(int)`
    /// does (infinite where Python raises `OverflowError`).
    Big(f64),
    Float(f64),
}

fn number(input: &Json) -> Option<Num> {
    match input {
        Json::Int(i) => Some(Num::Int(*i)),
        Json::BigInt(digits) => Some(Num::Big(digits.parse().unwrap_or(f64::NAN))),
        Json::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

/// `bytes` (`{"type": "string", "format": "binary"}`, with the schema's
/// `minLength`/`maxLength`): a string's UTF-8 bytes, written back (pydantic's
/// default `ser_json_bytes="utf8"`) as the same string.
pub(crate) fn bytes(
    input: &Json,
    min_length: Option<usize>,
    max_length: Option<usize>,
) -> Result<Json, FormatError> {
    let Json::Str(text) = input else {
        return Err(FormatError::new(
            "bytes_type",
            "Input should be a valid bytes",
        ));
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if let Some(min) = min_length
        && text.len() < min
    {
        return Err(FormatError {
            kind: "bytes_too_short",
            message: format!("Data should have at least {min} byte{}", plural(min)),
            ctx: vec![("min_length", Json::Int(min as i64))],
        });
    }
    if let Some(max) = max_length
        && text.len() > max
    {
        return Err(FormatError {
            kind: "bytes_too_long",
            message: format!("Data should have at most {max} byte{}", plural(max)),
            ctx: vec![("max_length", Json::Int(max as i64))],
        });
    }
    Ok(Json::Str(text.clone()))
}

#[cfg(test)]
mod tests;
