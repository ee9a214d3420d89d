//! pydantic's lax coercions of scalars (python mode, on what `json.loads`
//! produces), and the numeric comparisons its bounds need.

use std::cmp::Ordering;

use super::errors::{LineError, simple};
use crate::json::Json;

/// Python refuses to parse integers of more than 4300 digits.
const MAX_INT_STR_LEN: usize = 4300;

/// `int("…")` as pydantic-core does it, in two steps:
///
/// 1. the text as it stands, read as a JSON integer (jiter's reader): an
///    integer, or `int_parsing_size` as soon as its digits pass 4300, even
///    when something follows them (`"1…1x"`);
/// 2. otherwise the text cleaned ([`clean_int_text`]: surrounding
///    whitespace, a `+`, leading zeros, a `.000…` tail and `_` between
///    digits taken away) and read again; anything it fails on, length
///    included, is `int_parsing`.
pub fn str_as_int(text: &str) -> Result<Json, LineError> {
    match json_int(text) {
        JsonInt::Int(int) => return Ok(int),
        JsonInt::TooLong => return Err(simple("int_parsing_size")),
        JsonInt::Not => {}
    }
    match clean_int_text(text).as_deref().map(json_int) {
        Some(JsonInt::Int(int)) => Ok(int),
        _ => Err(simple("int_parsing")),
    }
}

/// What a JSON reader makes of a whole text as an integer.
enum JsonInt {
    Int(Json),
    /// More than [`MAX_INT_STR_LEN`] digits (whatever follows them).
    TooLong,
    /// Not one JSON integer.
    Not,
}

/// `text` as a JSON integer: an optional `-`, then `0` alone or digits
/// not starting with `0`, and nothing else.
fn json_int(text: &str) -> JsonInt {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    // A leading zero ends the number: what follows it is not JSON.
    if rest.starts_with('0') && rest.len() > 1 {
        return JsonInt::Not;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits > MAX_INT_STR_LEN {
        return JsonInt::TooLong;
    }
    if digits == 0 || digits != rest.len() {
        return JsonInt::Not;
    }
    JsonInt::Int(int_from_digits(negative, rest))
}

/// pydantic-core's `clean_int_str`: `None` when nothing could be cleaned
/// (the text then fails as it stands) or the text cannot be an integer.
fn clean_int_text(text: &str) -> Option<String> {
    let length_before = text.len();
    let mut rest = text.trim();
    if let Some(unsigned) = rest.strip_prefix('+') {
        if unsigned.starts_with('-') {
            return None;
        }
        rest = unsigned;
    }
    let mut negative = false;
    if let Some(unsigned) = rest.strip_prefix('-') {
        if unsigned.starts_with(['-', '+']) {
            return None;
        }
        negative = true;
        rest = unsigned;
    }
    rest = strip_leading_zeros(rest)?;
    // `5.000` is an integer (`5.` is not).
    if let Some(point) = rest.find('.') {
        let fraction = &rest[point + 1..];
        if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') {
            rest = &rest[..point];
        }
    }
    let sign = if negative { "-" } else { "" };
    if let Some(stripped) = strip_underscores(rest) {
        return Some(format!("{sign}{stripped}"));
    }
    if length_before == rest.len() {
        return None;
    }
    Some(format!("{sign}{rest}"))
}

/// Leading zeros (and `_` among them) taken away, keeping one zero before
/// a `.` or when there is nothing else; `None` when `text` does not start
/// with a digit (or a `-`, which the next reading refuses).
fn strip_leading_zeros(text: &str) -> Option<&str> {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, '0')) => {}
        Some((_, c)) if c.is_ascii_digit() || c == '-' => return Some(text),
        _ => return None,
    }
    for (at, c) in chars {
        match c {
            '0' | '_' => {}
            '1'..='9' | '-' => return Some(&text[at..]),
            '.' => return Some(&text[at - 1..]),
            _ => return None,
        }
    }
    Some(&text[text.len() - 1..])
}

/// An integer from its sign and decimal digits (leading zeros allowed).
pub fn int_from_digits(negative: bool, digits: &str) -> Json {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Json::Int(0);
    }
    if trimmed.len() <= 18 {
        let magnitude: i64 = trimmed.parse().unwrap_or(0);
        return Json::Int(if negative { -magnitude } else { magnitude });
    }
    let text = if negative {
        format!("-{trimmed}")
    } else {
        trimmed.to_owned()
    };
    match text.parse::<i64>() {
        Ok(small) => Json::Int(small),
        Err(_) => Json::BigInt(text.into_boxed_str()),
    }
}

/// Underscores are allowed only between characters, never doubled.
fn strip_underscores(text: &str) -> Option<String> {
    if text.starts_with('_') || text.ends_with('_') || !text.contains('_') || text.contains("__") {
        return None;
    }
    Some(text.replace('_', ""))
}

/// `float("…")` as pydantic-core does it: the text trimmed, or else with
/// its underscores taken out but not trimmed (`" 1_000.5"` is refused).
pub fn str_as_float(text: &str) -> Result<f64, LineError> {
    if let Some(f) = parse_float(text.trim()) {
        return Ok(f);
    }
    strip_underscores(text)
        .and_then(|s| parse_float(&s))
        .ok_or_else(|| simple("float_parsing"))
}

fn parse_float(text: &str) -> Option<f64> {
    // Rust also reads "infinity"/"nan" in any case, as Python does; it does
    // not read a lone sign or "inf" spelled with a trailing dot.
    text.parse::<f64>().ok()
}

/// A float taken as an integer: finite and integral, within `i64`.
pub fn float_as_int(f: f64) -> Result<Json, LineError> {
    if !f.is_finite() {
        return Err(simple("finite_number"));
    }
    if f % 1.0 != 0.0 {
        return Err(simple("int_from_float"));
    }
    if (i64::MIN as f64) < f && f < (i64::MAX as f64) {
        Ok(Json::Int(f as i64))
    } else {
        Err(simple("int_parsing_size"))
    }
}

/// `str` → `bool` as pydantic reads it.
pub fn str_as_bool(text: &str) -> Result<bool, LineError> {
    const FALSE: [&str; 5] = ["f", "n", "no", "off", "false"];
    const TRUE: [&str; 5] = ["t", "y", "on", "yes", "true"];
    if text == "0" || FALSE.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        Ok(false)
    } else if text == "1" || TRUE.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        Ok(true)
    } else {
        Err(simple("bool_parsing"))
    }
}

/// A numeric value as an `f64` (big integers approximately).
pub fn as_f64(value: &Json) -> Option<f64> {
    match value {
        Json::Int(i) => Some(*i as f64),
        Json::BigInt(digits) => digits.parse::<f64>().ok(),
        Json::Float(f) => Some(*f),
        Json::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Compares two numbers exactly where both are integers.
pub fn compare(a: &Json, b: &Json) -> Option<Ordering> {
    match (a, b) {
        (Json::Int(x), Json::Int(y)) => Some(x.cmp(y)),
        (Json::Int(_) | Json::BigInt(_), Json::Int(_) | Json::BigInt(_)) => {
            Some(compare_int_text(&int_text(a), &int_text(b)))
        }
        _ => as_f64(a)?.partial_cmp(&as_f64(b)?),
    }
}

fn int_text(value: &Json) -> String {
    match value {
        Json::Int(i) => i.to_string(),
        Json::BigInt(d) => d.to_string(),
        _ => String::new(),
    }
}

fn compare_int_text(a: &str, b: &str) -> Ordering {
    let (an, ad) = split_sign(a);
    let (bn, bd) = split_sign(b);
    match (an, bn) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (negative, _) => {
            let magnitude = ad.len().cmp(&bd.len()).then_with(|| ad.cmp(bd));
            if negative {
                magnitude.reverse()
            } else {
                magnitude
            }
        }
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

/// `value % divisor == 0` for integers (Python semantics), `None` when the
/// divisor is not a usable integer.
pub fn int_is_multiple(value: &Json, divisor: &Json) -> Option<bool> {
    let divisor = match divisor {
        Json::Int(d) if *d != 0 => d.unsigned_abs(),
        _ => return None,
    };
    let digits = match value {
        Json::Int(i) => return Some(i.unsigned_abs() % divisor == 0),
        Json::BigInt(d) => d.trim_start_matches('-'),
        _ => return None,
    };
    // Long division, one digit at a time.
    let mut remainder: u128 = 0;
    for b in digits.bytes() {
        remainder = (remainder * 10 + u128::from(b - b'0')) % u128::from(divisor);
    }
    Some(remainder == 0)
}

/// pydantic's float `multiple_of`: the nearest multiple (the quotient
/// rounded half away from zero, times the divisor) within 1e-9 of the
/// value. The tolerance is absolute, whatever the sizes of the value and
/// the divisor; a finite value whose quotient is beyond `f64` is never a
/// multiple, and NaN and the infinities always are. (Observed on
/// pydantic-core 2.50, chanx 2.13's: this rule gave its verdict for each of
/// 70,000 random pairs of value and divisor, the remainder's distance from
/// 0 or the divisor for only seven in ten of them.)
pub fn float_is_multiple(value: f64, divisor: f64) -> bool {
    const TOLERANCE: f64 = 1e-9;
    let quotient = value / divisor;
    !value.is_finite()
        || (quotient.is_finite() && (quotient.round() * divisor - value).abs() <= TOLERANCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_become_integers_as_pydantic_reads_them() {
        for (text, value) in [
            ("5", Json::Int(5)),
            (" 5 ", Json::Int(5)),
            ("5_000", Json::Int(5000)),
            ("+5", Json::Int(5)),
            ("-0", Json::Int(0)),
            ("05", Json::Int(5)),
            ("5.0", Json::Int(5)),
            ("-9223372036854775808", Json::Int(i64::MIN)),
            (
                "9223372036854775808",
                Json::BigInt("9223372036854775808".into()),
            ),
        ] {
            assert_eq!(str_as_int(text).unwrap(), value, "{text}");
        }
        for text in ["5.", "5.5", "1e3", "", "abc", "5__0", "_5", "٣", "0x10"] {
            assert_eq!(str_as_int(text).unwrap_err().kind, "int_parsing", "{text}");
        }
        assert_eq!(
            str_as_int(&"9".repeat(5000)).unwrap_err().kind,
            "int_parsing_size"
        );
    }

    /// Observed on pydantic-core 2.50: underscores are taken out of the
    /// untrimmed text, which then must parse as it is.
    #[test]
    fn floats_with_underscores_are_not_trimmed() {
        assert_eq!(str_as_float(" 1.5 ").unwrap(), 1.5);
        assert_eq!(str_as_float("1_000.5").unwrap(), 1000.5);
        for text in [" 1_000.5", "1_000.5 ", "_1.5", "1__0.5"] {
            assert_eq!(
                str_as_float(text).unwrap_err().kind,
                "float_parsing",
                "{text:?}"
            );
        }
    }

    /// The length limit as pydantic-core applies it (each case observed on
    /// pydantic-core 2.50): only on the digits of the text as it stands,
    /// whatever follows them; a longer integer that only cleaning reveals
    /// is `int_parsing`.
    #[test]
    fn the_digit_limit_is_on_the_text_as_it_stands() {
        let ones = |n: usize| "1".repeat(n);
        let kind = |text: &str| str_as_int(text).err().map(|e| e.kind);
        for text in [
            ones(4301),
            format!("-{}", ones(4301)),
            format!("{}x", ones(4301)),
            format!("{}e5", ones(4301)),
            format!("{}.0", ones(4301)),
            format!("{}.", ones(4301)),
        ] {
            assert_eq!(kind(&text), Some("int_parsing_size"), "{}", &text[4290..]);
        }
        for text in [
            format!("é{}", "x".repeat(5000)),
            format!(" {}", ones(4301)),
            format!("+{}", ones(4301)),
            format!("00{}", ones(4301)),
            format!("-0{}", ones(4301)),
            format!("{}_{}", ones(10), ones(4300)),
            format!("{}x", ones(4300)),
            format!("{}.5", ones(4300)),
            "1_".repeat(2151),
        ] {
            assert_eq!(kind(&text), Some("int_parsing"), "{}", &text[..10]);
        }
        for text in [
            ones(4300),
            format!("-{}", ones(4300)),
            format!("+{}", ones(4300)),
            format!("0{}", ones(4300)),
            format!("{}.0", ones(4300)),
            format!("\t{}", ones(4300)),
            "0".repeat(5000),
            "1_".repeat(2150) + "1",
            "-00".to_owned(),
            "\u{a0}7".to_owned(),
        ] {
            assert_eq!(kind(&text), None, "{}", &text[..text.len().min(10)]);
        }
    }

    #[test]
    fn big_integers_compare_and_divide_exactly() {
        let big = Json::BigInt("100000000000000000000".into());
        assert_eq!(compare(&big, &Json::Int(5)), Some(Ordering::Greater));
        let minus = Json::BigInt("-100000000000000000000".into());
        assert_eq!(compare(&minus, &Json::Int(-5)), Some(Ordering::Less));
        assert_eq!(int_is_multiple(&big, &Json::Int(7)), Some(false));
        assert_eq!(int_is_multiple(&big, &Json::Int(8)), Some(true));
    }

    #[test]
    fn floats_are_multiples_within_rounding() {
        assert!(float_is_multiple(0.3, 0.1));
        assert!(!float_is_multiple(0.7, 0.5));
        assert!(float_is_multiple(1.5, 0.5));
        // As pydantic: 1e-9 passes, 2e-9 does not, whatever the divisor.
        assert!(float_is_multiple(1e-9, 0.25));
        assert!(!float_is_multiple(2e-9, 0.25));
        assert!(float_is_multiple(0.249_999_999, 0.25));
        assert!(!float_is_multiple(4e9 + 0.1, 0.25));
        // Large values: what the rounded quotient times the divisor gives,
        // not the remainder (1e16 % 0.3 is 0.17, 1e17 % 0.3 is 0.2).
        assert!(float_is_multiple(1e16, 0.3));
        assert!(!float_is_multiple(1e17, 0.3));
        assert!(float_is_multiple(-1.267_771_345_397_732e16, 3.0));
        // A quotient beyond f64 (past f64::MAX / 4 for 0.25) never is.
        assert!(float_is_multiple(4.49e307, 0.25));
        assert!(!float_is_multiple(f64::MAX, 0.25));
        assert!(!float_is_multiple(-f64::MAX, 0.25));
        // What is not finite passes.
        assert!(float_is_multiple(f64::NAN, 0.3));
        assert!(float_is_multiple(f64::INFINITY, 0.25));
        assert!(float_is_multiple(f64::NEG_INFINITY, 0.3));
    }
}
