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
        .map(|value| Json::from(format_v4(value)))
        .ok_or_else(|| FormatError::new("ip_v4_address", "Input is not a valid IPv4 address"))
}

/// `ipaddress.IPv6Address` (`{"type": "string", "format": "ipv6"}`).
pub(crate) fn ipv6(input: &Json) -> Result<Json, FormatError> {
    v6(input)
        .map(|(value, scope)| Json::from(format_v6(value, scope.as_deref())))
        .ok_or_else(|| FormatError::new("ip_v6_address", "Input is not a valid IPv6 address"))
}

/// `pydantic.IPvAnyAddress` (`{"type": "string", "format":
/// "ipvanyaddress"}`): IPv4 first, then IPv6.
pub(crate) fn ip_any(input: &Json) -> Result<Json, FormatError> {
    if let Some(value) = v4(input) {
        return Ok(Json::from(format_v4(value)));
    }
    v6(input)
        .map(|(value, scope)| Json::from(format_v6(value, scope.as_deref())))
        .ok_or_else(|| {
            FormatError::new(
                "ip_any_address",
                "value is not a valid IPv4 or IPv6 address",
            )
        })
}

/// Python's `_prefix_from_prefix_string`: ASCII digits up to `bits`.
fn prefix_from_string(mask: &str, bits: u32) -> Option<u32> {
    if mask.is_empty() || !mask.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = mask.trim_start_matches('0');
    if significant.len() > 3 {
        return None;
    }
    let prefix = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    (prefix <= bits).then_some(prefix)
}

/// Python's `_prefix_from_ip_int`: the prefix of a `1…10…0` netmask.
fn prefix_from_mask(mask: u128, bits: u32) -> Option<u32> {
    let trailing = if mask == 0 {
        bits
    } else {
        mask.trailing_zeros().min(bits)
    };
    let prefix = bits - trailing;
    let leading = mask.checked_shr(trailing).unwrap_or(0);
    let ones = if prefix == 128 {
        u128::MAX
    } else {
        (1u128 << prefix) - 1
    };
    (leading == ones).then_some(prefix)
}

/// An address family's parsing, for networks and interfaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// `_make_netmask` of a mask string: a prefix length, or for IPv4 a
    /// dotted netmask or hostmask.
    fn prefix(self, mask: &str) -> Option<u32> {
        prefix_from_string(mask, self.bits()).or_else(|| match self {
            Family::V6 => None,
            Family::V4 => {
                let value = u128::from(parse_v4(mask)?);
                prefix_from_mask(value, 32).or_else(|| prefix_from_mask(value ^ 0xffff_ffff, 32))
            }
        })
    }

    fn format(self, value: u128, scope: Option<&str>) -> String {
        match self {
            Family::V4 => format_v4(value as u32),
            Family::V6 => format_v6(value, scope),
        }
    }

    /// An `address[/mask]` input (or an int, with the full prefix): the
    /// address, its scope and the prefix length.
    fn split(self, input: &Json) -> Option<(u128, Option<String>, u32)> {
        if let Some(int) = int_value(input) {
            let value = int?;
            let fits = match self {
                Family::V4 => value <= u128::from(u32::MAX),
                Family::V6 => true,
            };
            return fits.then_some((value, None, self.bits()));
        }
        let Json::Str(text) = input else {
            return None;
        };
        let mut parts = text.split('/');
        let (address, mask) = (parts.next()?, parts.next());
        if parts.next().is_some() {
            return None;
        }
        let (value, scope) = match self {
            Family::V4 => (u128::from(parse_v4(address)?), None),
            Family::V6 => v6(&Json::from(address.to_owned()))?,
        };
        let prefix = match mask {
            Some(mask) => self.prefix(mask)?,
            None => self.bits(),
        };
        Some((value, scope, prefix))
    }

    /// `IPv4Network(v)` / `IPv6Network(v)` (strict: no host bits set).
    fn network(self, input: &Json) -> Option<String> {
        let (value, scope, prefix) = self.split(input)?;
        let host_bits = self.bits() - prefix;
        let host_mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        if value & host_mask != 0 {
            return None;
        }
        Some(format!("{}/{prefix}", self.format(value, scope.as_deref())))
    }

    /// `IPv4Interface(v)` / `IPv6Interface(v)`: an address with a prefix.
    fn interface(self, input: &Json) -> Option<String> {
        let (value, scope, prefix) = self.split(input)?;
        Some(format!("{}/{prefix}", self.format(value, scope.as_deref())))
    }
}

/// `ipaddress.IPv4Network` (`{"type": "string", "format": "ipv4network"}`):
/// `a.b.c.d/N`; the mask may be a prefix, a netmask or a hostmask, and no
/// host bit may be set.
pub(crate) fn ipv4_network(input: &Json) -> Result<Json, FormatError> {
    Family::V4
        .network(input)
        .map(Json::from)
        .ok_or_else(|| FormatError::new("ip_v4_network", "Input is not a valid IPv4 network"))
}

/// `ipaddress.IPv6Network` (`{"type": "string", "format": "ipv6network"}`).
pub(crate) fn ipv6_network(input: &Json) -> Result<Json, FormatError> {
    Family::V6
        .network(input)
        .map(Json::from)
        .ok_or_else(|| FormatError::new("ip_v6_network", "Input is not a valid IPv6 network"))
}

/// `pydantic.IPvAnyNetwork` (`{"type": "string", "format":
/// "ipvanynetwork"}`): IPv4 first, then IPv6.
pub(crate) fn ip_any_network(input: &Json) -> Result<Json, FormatError> {
    Family::V4
        .network(input)
        .or_else(|| Family::V6.network(input))
        .map(Json::from)
        .ok_or_else(|| {
            FormatError::new(
                "ip_any_network",
                "value is not a valid IPv4 or IPv6 network",
            )
        })
}

/// `ipaddress.IPv4Interface` (`{"type": "string", "format":
/// "ipv4interface"}`): the address with its prefix, host bits kept.
pub(crate) fn ipv4_interface(input: &Json) -> Result<Json, FormatError> {
    Family::V4
        .interface(input)
        .map(Json::from)
        .ok_or_else(|| FormatError::new("ip_v4_interface", "Input is not a valid IPv4 interface"))
}

/// `ipaddress.IPv6Interface` (`{"type": "string", "format":
/// "ipv6interface"}`).
pub(crate) fn ipv6_interface(input: &Json) -> Result<Json, FormatError> {
    Family::V6
        .interface(input)
        .map(Json::from)
        .ok_or_else(|| FormatError::new("ip_v6_interface", "Input is not a valid IPv6 interface"))
}

/// `pydantic.IPvAnyInterface` (`{"type": "string", "format":
/// "ipvanyinterface"}`): IPv4 first, then IPv6.
pub(crate) fn ip_any_interface(input: &Json) -> Result<Json, FormatError> {
    Family::V4
        .interface(input)
        .or_else(|| Family::V6.interface(input))
        .map(Json::from)
        .ok_or_else(|| {
            FormatError::new(
                "ip_any_interface",
                "value is not a valid IPv4 or IPv6 interface",
            )
        })
}
