//! `decimal.Decimal`: pydantic calls Python's `Decimal()` on a string or an
//! int, and on `str(f)` for a float; the value is written back as
//! `str(Decimal)`.
//!
//! Python's parser: surrounding Unicode whitespace and every `_` are
//! dropped, any Unicode decimal digit counts as its ASCII digit, then
//! `[sign] (digits [. [digits]] | . digits) [e [sign] digits]`, or
//! `Inf`/`Infinity`/`NaN[digits]`/`sNaN[digits]` in any case. The value is
//! exact, within libmpdec's exponent limits.

use super::{FormatError, Num, number};
use crate::json::Json;

/// Python's `str.isspace()`.
fn python_isspace(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The first code point of each run of ten Unicode decimal digits
/// (general category Nd, Unicode 14 as in Python 3.11).
const DIGIT_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50,
    0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// Python's `unicodedata.decimal(c)`.
fn unicode_decimal(c: char) -> Option<u8> {
    let code = c as u32;
    let index = DIGIT_ZEROS
        .partition_point(|&zero| zero <= code)
        .checked_sub(1)?;
    let offset = code - DIGIT_ZEROS[index];
    (offset < 10).then_some(offset as u8)
}

/// libmpdec's largest exponent, and smallest exponent of a subnormal, for
/// the exact context `Decimal()` parses with.
const MAX_EMAX: i128 = 999_999_999_999_999_999;
const MIN_ETINY: i128 = -1_999_999_999_999_999_997;

/// A decimal as Python holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decimal {
    /// `(-1)^negative × coefficient × 10^exponent`; the coefficient's
    /// digits have no leading zero (zero is `"0"`).
    Finite {
        negative: bool,
        coefficient: String,
        exponent: i128,
    },
    /// Infinity or a NaN: no finite value.
    Special,
}

/// `Decimal(text)`: `None` where Python raises `InvalidOperation`.
fn parse_str(text: &str) -> Option<Decimal> {
    // CPython's numeric_as_ascii: strip, drop `_`, map Unicode digits.
    let trimmed = text.trim_matches(python_isspace);
    let mut ascii = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '_' => {}
            '\x01'..='\x7f' => ascii.push(c),
            c if python_isspace(c) => ascii.push(' '),
            c => ascii.push(char::from(b'0' + unicode_decimal(c)?)),
        }
    }
    let (negative, body) = match ascii.as_bytes() {
        [b'-', ..] => (true, &ascii[1..]),
        [b'+', ..] => (false, &ascii[1..]),
        _ => (false, &ascii[..]),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(Decimal::Special);
    }
    for prefix in ["nan", "snan"] {
        if let Some(payload) = lower.strip_prefix(prefix) {
            return payload
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then_some(Decimal::Special);
        }
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut exponent_value: i128 = 0;
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
        // An exponent past i64 only matters as "out of range".
        let significant = digits.trim_start_matches('0');
        let magnitude: i128 = if significant.len() > 25 {
            i128::from(i64::MAX) * 4
        } else {
            significant.parse().unwrap_or(0)
        };
        exponent_value = if exponent.starts_with('-') {
            -magnitude
        } else {
            magnitude
        };
    }
    let digits = format!("{whole}{fraction}");
    let coefficient = match digits.trim_start_matches('0') {
        "" => "0".to_owned(),
        significant => significant.to_owned(),
    };
    let exponent = exponent_value - fraction.len() as i128;
    let adjusted = exponent + coefficient.len() as i128 - 1;
    if adjusted > MAX_EMAX || exponent < MIN_ETINY {
        return None;
    }
    Some(Decimal::Finite {
        negative,
        coefficient,
        exponent,
    })
}

/// `Decimal(str(f))`: the shortest repr of the float, as Python writes it.
fn from_float(f: f64) -> Decimal {
    if !f.is_finite() {
        return Decimal::Special;
    }
    let (digits, point) = shortest_digits(f.abs());
    let count = digits.len() as i128;
    // repr is positional (with a `.0` on integral values) for -4 < point <= 16
    let (coefficient, exponent) = if point > -4 && point <= 16 && point >= count {
        (
            format!("{digits}{}0", "0".repeat((point - count) as usize)),
            -1,
        )
    } else {
        (digits, point - count)
    };
    let coefficient = match coefficient.trim_start_matches('0') {
        "" => "0".to_owned(),
        significant => significant.to_owned(),
    };
    Decimal::Finite {
        negative: f.is_sign_negative(),
        coefficient,
        exponent,
    }
}

/// The digits of Python's `repr(f)` for a finite `f >= 0`, and where the
/// decimal point goes (`0.DIGITS × 10^point`).
///
/// Rust's `{:e}` gives the shortest digits that read back as `f`, as
/// Python's repr does, but breaks a tie between two such strings upwards
/// where Python takes the even last digit (`845330784693289.25` is
/// `…289.2` in Python).
fn shortest_digits(f: f64) -> (String, i128) {
    let split = |text: String| -> (String, i128) {
        let (mantissa, exponent) = text.split_once('e').expect("`{:e}` has an exponent");
        let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
        (
            digits,
            exponent.parse::<i128>().expect("`{:e}` exponent") + 1,
        )
    };
    let (digits, point) = split(format!("{f:e}"));
    // A double's exact expansion has at most 767 significant digits.
    let (exact, exact_point) = split(format!("{f:.767e}"));
    let n = digits.len();
    if exact_point != point || exact.len() <= n {
        return (digits, point);
    }
    let tail = &exact.as_bytes()[n..];
    if tail[0] != b'5' || tail[1..].iter().any(|&b| b != b'0') {
        return (digits, point);
    }
    // `f` lies exactly between the truncation and the next n-digit value.
    let low = exact[..n].to_owned();
    let mut high = low.clone().into_bytes();
    let mut i = n;
    // (a carry out of the first digit leaves a leading `0`: no candidate)
    while i > 0 {
        i -= 1;
        if high[i] == b'9' {
            high[i] = b'0';
        } else {
            high[i] += 1;
            break;
        }
    }
    let high = String::from_utf8(high).expect("ASCII digits");
    let even = if (low.as_bytes()[n - 1] - b'0').is_multiple_of(2) {
        low
    } else {
        high
    };
    let reads_back = format!("0.{even}e{point}")
        .parse::<f64>()
        .is_ok_and(|g| g == f);
    if even.starts_with('0') || !reads_back {
        return (digits, point);
    }
    (even, point)
}

/// Python's `str(Decimal)` (to-scientific-string).
fn to_string(negative: bool, coefficient: &str, exponent: i128) -> String {
    let count = coefficient.len() as i128;
    let left_digits = exponent + count;
    let dot = if exponent <= 0 && left_digits > -6 {
        left_digits
    } else {
        1
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if dot <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-dot) as usize));
        out.push_str(coefficient);
    } else if dot >= count {
        out.push_str(coefficient);
        out.push_str(&"0".repeat((dot - count) as usize));
    } else {
        out.push_str(&coefficient[..dot as usize]);
        out.push('.');
        out.push_str(&coefficient[dot as usize..]);
    }
    if left_digits != dot {
        out.push_str(&format!("E{:+}", left_digits - dot));
    }
    out
}

/// The value without trailing zeros (zero as `0`), as pydantic-core
/// normalizes before counting digits: unlike Python's `normalize()` it does
/// not round to the context's 28 digits.
fn normalize(coefficient: &str, exponent: i128) -> (String, i128) {
    if coefficient == "0" {
        return ("0".to_owned(), 0);
    }
    let significant = coefficient.trim_end_matches('0');
    (
        significant.to_owned(),
        exponent + (coefficient.len() - significant.len()) as i128,
    )
}

/// pydantic's count of a decimal's digits and places.
fn digits_info(coefficient: &str, exponent: i128) -> (u128, u128) {
    let count = coefficient.len() as u128;
    if exponent >= 0 {
        (0, count + exponent as u128)
    } else {
        let places = exponent.unsigned_abs();
        (places, count.max(places))
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `decimal.Decimal` (validation schema `{"anyOf": [{"type": "number"},
/// {"type": "string"}]}`): the decimal as `str(Decimal)` writes it
/// (`"1.50"`, `"1E+20"`).
///
/// `max_digits` and `decimal_places` are pydantic's constraints of those
/// names; pydantic's JSON Schema does not carry them.
pub(crate) fn decimal(
    input: &Json,
    max_digits: Option<u64>,
    decimal_places: Option<u64>,
) -> Result<Json, FormatError> {
    let value = match input {
        Json::Str(s) => parse_str(s).ok_or_else(|| {
            FormatError::new("decimal_parsing", "Input should be a valid decimal")
        })?,
        Json::Bool(_) => return Err(decimal_type()),
        other => match number(other) {
            Some(Num::Int(i)) => integer(&i.to_string()),
            Some(Num::Big(_)) => integer(match other {
                Json::BigInt(digits) => digits,
                _ => unreachable!("only BigInt is Num::Big"),
            }),
            Some(Num::Float(f)) => from_float(f),
            None => return Err(decimal_type()),
        },
    };
    let Decimal::Finite {
        negative,
        coefficient,
        exponent,
    } = value
    else {
        return Err(FormatError::new(
            "finite_number",
            "Input should be a finite number",
        ));
    };
    if max_digits.is_some() || decimal_places.is_some() {
        check_digits(&coefficient, exponent, max_digits, decimal_places)?;
    }
    Ok(Json::from(to_string(negative, &coefficient, exponent)))
}

fn decimal_type() -> FormatError {
    FormatError::new(
        "decimal_type",
        "Decimal input should be an integer, float, string or Decimal object",
    )
}

fn integer(digits: &str) -> Decimal {
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    Decimal::Finite {
        negative,
        coefficient: digits.to_owned(),
        exponent: 0,
    }
}

/// pydantic's max_digits / decimal_places checks: a limit fails only when
/// both the value and its normalized form exceed it.
fn check_digits(
    coefficient: &str,
    exponent: i128,
    max_digits: Option<u64>,
    decimal_places: Option<u64>,
) -> Result<(), FormatError> {
    let (places, digits) = digits_info(coefficient, exponent);
    let (normalized, normalized_exponent) = normalize(coefficient, exponent);
    let (normalized_places, normalized_digits) = digits_info(&normalized, normalized_exponent);
    if let Some(max) = max_digits
        && digits > u128::from(max)
        && normalized_digits > u128::from(max)
    {
        return Err(FormatError {
            kind: "decimal_max_digits",
            message: format!(
                "Decimal input should have no more than {max} digit{} in total",
                plural(max)
            ),
            ctx: vec![("max_digits", Json::Int(max as i64))],
        });
    }
    if let Some(max_places) = decimal_places {
        if places > u128::from(max_places) && normalized_places > u128::from(max_places) {
            return Err(FormatError {
                kind: "decimal_max_places",
                message: format!(
                    "Decimal input should have no more than {max_places} decimal place{}",
                    plural(max_places)
                ),
                ctx: vec![("decimal_places", Json::Int(max_places as i64))],
            });
        }
        if let Some(max) = max_digits {
            let max_whole = max.saturating_sub(max_places);
            let whole = digits.saturating_sub(places);
            let normalized_whole = normalized_digits.saturating_sub(normalized_places);
            if whole > u128::from(max_whole) && normalized_whole > u128::from(max_whole) {
                return Err(FormatError {
                    kind: "decimal_whole_digits",
                    message: format!(
                        "Decimal input should have no more than {max_whole} digit{} before the decimal point",
                        plural(max_whole)
                    ),
                    ctx: vec![("whole_digits", Json::Int(max_whole as i64))],
                });
            }
        }
    }
    Ok(())
}
