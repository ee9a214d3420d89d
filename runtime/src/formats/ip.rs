//! `ipv4`, `ipv6`, `ipvanyaddress`: pydantic calls Python's
//! `ipaddress.IPv4Address(v)` / `IPv6Address(v)` (Python 3.11) on the value
//! and writes `str()` of the address.
//!
//! Python takes an int (a bool too) as the address's number, and anything
//! else through `str()`: only strings can be valid then. IPv4 is exactly
//! four decimal octets without leading zeros; IPv6 is Python's grammar
//! (one `::`, an IPv4 tail, a `%scope` suffix kept as given) and is written
//! with Python's compression, which differs from Rust's `Ipv6Addr` display
//! for IPv4-mapped and IPv4-compatible addresses (`::ffff:102:304`, not
//! `::ffff:1.2.3.4`).

use super::FormatError;
use crate::json::Json;

/// The value of an int input (bools are ints), if it is one: `None` for a
/// non-int, `Some(None)` for an int outside `u128`.
fn int_value(input: &Json) -> Option<Option<u128>> {
    match input {
        Json::Bool(b) => Some(Some(u128::from(*b))),
        Json::Int(i) => Some(u128::try_from(*i).ok()),
        Json::BigInt(digits) => Some(digits.parse::<u128>().ok()),
        _ => None,
    }
}

/// Python's `IPv4Address._ip_int_from_string`.
fn parse_v4(text: &str) -> Option<u32> {
    let octets: Vec<&str> = text.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut value: u32 = 0;
    for octet in octets {
        if octet.is_empty() || octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if octet != "0" && octet.starts_with('0') {
            return None;
        }
        let number: u32 = octet.parse().ok()?;
        if number > 255 {
            return None;
        }
        value = value << 8 | number;
    }
    Some(value)
}

/// Python's `IPv4Address(v)`.
fn v4(input: &Json) -> Option<u32> {
    match (int_value(input), input) {
        (Some(int), _) => int.and_then(|i| u32::try_from(i).ok()),
        (None, Json::Str(text)) if !text.contains('/') => parse_v4(text),
        _ => None,
    }
}

fn format_v4(value: u32) -> String {
    let [a, b, c, d] = value.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

/// Python's `IPv6Address._ip_int_from_string` (without the scope).
fn parse_v6(text: &str) -> Option<u128> {
    if text.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = text.split(':').map(str::to_owned).collect();
    if parts.len() < 3 {
        return None;
    }
    if parts.last().is_some_and(|last| last.contains('.')) {
        let tail = parse_v4(&parts.pop().expect("checked"))?;
        parts.push(format!("{:x}", tail >> 16));
        parts.push(format!("{:x}", tail & 0xffff));
    }
    if parts.len() > 9 {
        return None;
    }
    let mut skip = None;
    for (i, part) in parts.iter().enumerate().take(parts.len() - 1).skip(1) {
        if part.is_empty() {
            if skip.is_some() {
                return None;
            }
            skip = Some(i);
        }
    }
    let (hi, lo, skipped) = match skip {
        Some(skip) => {
            let (mut hi, mut lo) = (skip, parts.len() - skip - 1);
            if parts[0].is_empty() {
                hi -= 1;
                if hi != 0 {
                    return None;
                }
            }
            if parts[parts.len() - 1].is_empty() {
                lo -= 1;
                if lo != 0 {
                    return None;
                }
            }
            let skipped = 8i32 - (hi + lo) as i32;
            if skipped < 1 {
                return None;
            }
            (hi, lo, skipped as u32)
        }
        None => {
            if parts.len() != 8 || parts[0].is_empty() || parts[7].is_empty() {
                return None;
            }
            (8, 0, 0)
        }
    };
    let hextet = |part: &str| -> Option<u128> {
        if part.len() > 4 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        // Python's int('', 16) fails too.
        u128::from_str_radix(part, 16).ok()
    };
    let mut value: u128 = 0;
    for part in &parts[..hi] {
        value = value << 16 | hextet(part)?;
    }
    value = value.checked_shl(16 * skipped).unwrap_or(0);
    for part in &parts[parts.len() - lo..] {
        value = value << 16 | hextet(part)?;
    }
    Some(value)
}

/// Python's `IPv6Address(v)`: the address and its scope.
fn v6(input: &Json) -> Option<(u128, Option<String>)> {
    match (int_value(input), input) {
        (Some(int), _) => int.map(|i| (i, None)),
        (None, Json::Str(text)) if !text.contains('/') => {
            let (address, scope) = match text.split_once('%') {
                None => (text.as_str(), None),
                Some((_, scope)) if scope.is_empty() || scope.contains('%') => return None,
                Some((address, scope)) => (address, Some(scope.to_owned())),
            };
            Some((parse_v6(address)?, scope))
        }
        _ => None,
    }
}

/// Python's `str(IPv6Address)`: the longest run (first of equals) of two
/// or more zero hextets becomes `::`.
fn format_v6(value: u128, scope: Option<&str>) -> String {
    let hextets: Vec<String> = (0..8)
        .rev()
        .map(|i| format!("{:x}", (value >> (16 * i)) & 0xffff))
        .collect();
    let (mut best_start, mut best_len, mut start, mut len) = (0, 0, 0, 0);
    for (i, hextet) in hextets.iter().enumerate() {
        if hextet == "0" {
            if len == 0 {
                start = i;
            }
            len += 1;
            if len > best_len {
                (best_start, best_len) = (start, len);
            }
        } else {
            len = 0;
        }
    }
    let mut out = if best_len > 1 {
        format!(
            "{}::{}",
            hextets[..best_start].join(":"),
            hextets[best_start + best_len..].join(":")
        )
    } else {
        hextets.join(":")
    };
    if let Some(scope) = scope {
        out.push('%');
        out.push_str(scope);
    }
    out
}

/// `ipaddress.IPv4Address` (`{"type": "string", "format": "ipv4"}`).
pub(crate) fn ipv4(input: &Json) -> Result<Json, FormatError> {
    v4(input)
        .map(|value| Json::Str(format_v4(value)))
        .ok_or_else(|| FormatError::new("ip_v4_address", "Input is not a valid IPv4 address"))
}

/// `ipaddress.IPv6Address` (`{"type": "string", "format": "ipv6"}`).
pub(crate) fn ipv6(input: &Json) -> Result<Json, FormatError> {
    v6(input)
        .map(|(value, scope)| Json::Str(format_v6(value, scope.as_deref())))
        .ok_or_else(|| FormatError::new("ip_v6_address", "Input is not a valid IPv6 address"))
}

/// `pydantic.IPvAnyAddress` (`{"type": "string", "format":
/// "ipvanyaddress"}`): IPv4 first, then IPv6.
pub(crate) fn ip_any(input: &Json) -> Result<Json, FormatError> {
    if let Some(value) = v4(input) {
        return Ok(Json::Str(format_v4(value)));
    }
    v6(input)
        .map(|(value, scope)| Json::Str(format_v6(value, scope.as_deref())))
        .ok_or_else(|| {
            FormatError::new(
                "ip_any_address",
                "value is not a valid IPv4 or IPv6 address",
            )
        })
}
