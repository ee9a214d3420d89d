//! `date`, `date-time`, `time` and `duration`: pydantic's date and time
//! types, which parse with the speedate crate (0.18) in lax mode.
//!
//! What pydantic accepts from a `json.loads` value:
//! - strings in speedate's ISO 8601 forms (`T`, `t`, `_` or space between
//!   date and time; `,` or `.` before fractions, digits past the sixth
//!   dropped; `Z`, `z`, `±HH:MM`, `±HHMM` or U+2212 minus offsets under 24
//!   hours), and for `date`/`date-time` strings of a unix timestamp;
//! - numbers as unix timestamps (seconds, or milliseconds past ±2e10) for
//!   `date-time`, as seconds since midnight for `time`, as seconds for
//!   `duration`; a `date` takes a number or a datetime string only when it
//!   falls at midnight;
//! - bools only as a `duration` (they are Python ints).

use super::{FormatError, Num, number};
use crate::json::Json;

// ---------------------------------------------------------------------------
// speedate's errors: the ctx `error` text pydantic reports.

/// A speedate parse error, as its documentation string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ParseError(&'static str);

const TOO_SHORT: ParseError = ParseError("input is too short");
const EXTRA_CHARACTERS: ParseError =
    ParseError("unexpected extra characters at the end of the input");
const INVALID_CHAR_DATE_TIME_SEP: ParseError =
    ParseError("invalid datetime separator, expected `T`, `t`, `_` or space");
const INVALID_CHAR_DATE_SEP: ParseError = ParseError("invalid date separator, expected `-`");
const INVALID_CHAR_YEAR: ParseError = ParseError("invalid character in year");
const INVALID_CHAR_MONTH: ParseError = ParseError("invalid character in month");
const INVALID_CHAR_DAY: ParseError = ParseError("invalid character in day");
const INVALID_CHAR_TIME_SEP: ParseError = ParseError("invalid time separator, expected `:`");
const INVALID_CHAR_HOUR: ParseError = ParseError("invalid character in hour");
const INVALID_CHAR_MINUTE: ParseError = ParseError("invalid character in minute");
const INVALID_CHAR_SECOND: ParseError = ParseError("invalid character in second");
const INVALID_CHAR_TZ_SIGN: ParseError = ParseError("invalid timezone sign");
const INVALID_CHAR_TZ_HOUR: ParseError = ParseError("invalid timezone hour");
const INVALID_CHAR_TZ_MINUTE: ParseError = ParseError("invalid timezone minute");
const OUT_OF_RANGE_TZ_MINUTE: ParseError =
    ParseError("timezone minute value is outside expected range of 0-59");
const OUT_OF_RANGE_TZ: ParseError = ParseError("timezone offset must be less than 24 hours");
const OUT_OF_RANGE_MONTH: ParseError = ParseError("month value is outside expected range of 1-12");
const OUT_OF_RANGE_DAY: ParseError = ParseError("day value is outside expected range");
const OUT_OF_RANGE_HOUR: ParseError = ParseError("hour value is outside expected range of 0-23");
const OUT_OF_RANGE_MINUTE: ParseError =
    ParseError("minute value is outside expected range of 0-59");
const OUT_OF_RANGE_SECOND: ParseError =
    ParseError("second value is outside expected range of 0-59");
const SECOND_FRACTION_MISSING: ParseError = ParseError("second fraction digits missing after `.`");
const DURATION_INVALID_NUMBER: ParseError = ParseError("invalid digit in duration");
const DURATION_T_REPEATED: ParseError = ParseError("`t` character repeated in duration");
const DURATION_INVALID_FRACTION: ParseError = ParseError("quantity fraction invalid in duration");
const DURATION_INVALID_TIME_UNIT: ParseError =
    ParseError("quantity invalid in time part of duration");
const DURATION_INVALID_DATE_UNIT: ParseError =
    ParseError("quantity invalid in date part of duration");
const DURATION_INVALID_DAYS: ParseError =
    ParseError("\"day\" identifier in duration not correctly formatted");
const DURATION_VALUE_TOO_LARGE: ParseError =
    ParseError("a numeric value in the duration is too large");
const DURATION_HOUR_VALUE_TOO_LARGE: ParseError =
    ParseError("durations may not exceed 999,999,999 hours");
const DURATION_DAYS_TOO_LARGE: ParseError = ParseError("durations may not exceed 999,999,999 days");
const DATE_NOT_EXACT: ParseError = ParseError("Timestamp is not an exact date");
const DATE_TOO_SMALL: ParseError =
    ParseError("dates before 0000 are not supported as unix timestamps");
const DATE_TOO_LARGE: ParseError =
    ParseError("dates after 9999 are not supported as unix timestamps");
const TIME_TOO_LARGE: ParseError = ParseError("numeric times may not exceed 86,399 seconds");
// pydantic's own, in speedate's place
const NAN_NOT_PERMITTED: ParseError = ParseError("NaN values not permitted");
const TIME_NEGATIVE: ParseError = ParseError("time in seconds should be positive");
// Python's, when speedate's year 0 meets `datetime.date`
const YEAR_ZERO: ParseError = ParseError("year 0 is out of range");

fn with_error(kind: &'static str, prefix: &str, error: ParseError) -> FormatError {
    FormatError {
        kind,
        message: format!("{prefix}, {}", error.0),
        ctx: vec![("error", Json::from(error.0.to_owned()))],
    }
}

fn date_parsing(error: ParseError) -> FormatError {
    with_error(
        "date_parsing",
        "Input should be a valid date in the format YYYY-MM-DD",
        error,
    )
}

fn date_from_datetime_parsing(error: ParseError) -> FormatError {
    with_error(
        "date_from_datetime_parsing",
        "Input should be a valid date or datetime",
        error,
    )
}

fn datetime_parsing(error: ParseError) -> FormatError {
    with_error(
        "datetime_parsing",
        "Input should be a valid datetime",
        error,
    )
}

fn datetime_from_date_parsing(error: ParseError) -> FormatError {
    with_error(
        "datetime_from_date_parsing",
        "Input should be a valid datetime or date",
        error,
    )
}

fn time_parsing(error: ParseError) -> FormatError {
    with_error(
        "time_parsing",
        "Input should be in a valid time format",
        error,
    )
}

fn time_delta_parsing(error: ParseError) -> FormatError {
    with_error(
        "time_delta_parsing",
        "Input should be a valid timedelta",
        error,
    )
}

// ---------------------------------------------------------------------------
// values

/// A calendar date; speedate allows year 0, Python does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A time of day with an optional UTC offset in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Time {
    hour: u8,
    minute: u8,
    second: u8,
    microsecond: u32,
    offset: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime {
    date: Date,
    time: Time,
}

/// A signed duration: magnitude in days, seconds (< 86 400) and
/// microseconds (< 1 000 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Duration {
    positive: bool,
    day: u32,
    second: u32,
    microsecond: u32,
}

impl Date {
    fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Time {
    fn iso(&self) -> String {
        let mut out = format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        if self.microsecond != 0 {
            out.push_str(&format!(".{:06}", self.microsecond));
        }
        match self.offset {
            None => {}
            Some(0) => out.push('Z'),
            Some(offset) => {
                let minutes = offset.unsigned_abs() / 60;
                let sign = if offset < 0 { '-' } else { '+' };
                out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
            }
        }
        out
    }
}

impl Duration {
    /// ISO 8601 as pydantic writes a timedelta: years of 365 days, no
    /// months or weeks, trailing fraction zeros dropped.
    fn iso(&self) -> String {
        let mut out = String::new();
        if !self.positive {
            out.push('-');
        }
        out.push('P');
        let (years, days) = (self.day / 365, self.day % 365);
        if years != 0 {
            out.push_str(&format!("{years}Y"));
        }
        if days != 0 {
            out.push_str(&format!("{days}D"));
        }
        if self.second != 0 || self.microsecond != 0 {
            out.push('T');
            let (hours, minutes, seconds) = (
                self.second / 3600,
                self.second % 3600 / 60,
                self.second % 60,
            );
            if hours != 0 {
                out.push_str(&format!("{hours}H"));
            }
            if minutes != 0 {
                out.push_str(&format!("{minutes}M"));
            }
            if seconds != 0 || self.microsecond != 0 {
                out.push_str(&seconds.to_string());
                if self.microsecond != 0 {
                    let fraction = format!("{:06}", self.microsecond);
                    out.push('.');
                    out.push_str(fraction.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if self.day == 0 && self.second == 0 && self.microsecond == 0 {
            out.push_str("T0S");
        }
        out
    }

    /// Carries microseconds into seconds and seconds into days, and caps
    /// the days as Python's timedelta does.
    fn normalize(mut self) -> Result<Self, ParseError> {
        if self.microsecond >= 1_000_000 {
            self.second = self
                .second
                .checked_add(self.microsecond / 1_000_000)
                .ok_or(DURATION_VALUE_TOO_LARGE)?;
            self.microsecond %= 1_000_000;
        }
        if self.second >= 86_400 {
            self.day = self
                .day
                .checked_add(self.second / 86_400)
                .ok_or(DURATION_VALUE_TOO_LARGE)?;
            self.second %= 86_400;
        }
        if self.day > 999_999_999 {
            return Err(DURATION_DAYS_TOO_LARGE);
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------
// numbers in strings (speedate's integer and float scanners)

/// Why an integer scan stopped.
enum IntScan {
    Invalid(u8),
    Overflow,
    Empty,
}

/// An optionally signed run of ASCII digits that fits an `i64`.
fn scan_int(bytes: &[u8]) -> Result<i64, IntScan> {
    let (negative, digits) = match bytes {
        [] => return Err(IntScan::Empty),
        [b'-', rest @ ..] if !rest.is_empty() => (true, rest),
        [b'+', rest @ ..] if !rest.is_empty() => (false, rest),
        all => (false, all),
    };
    let mut value: u64 = 0;
    for (i, &byte) in digits.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return Err(IntScan::Invalid(byte));
        }
        // Nineteen digits always fit a u64; past that, check.
        if i < 19 {
            value = value * 10 + u64::from(digit);
        } else {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
                .ok_or(IntScan::Overflow)?;
        }
    }
    if negative {
        if value > i64::MIN.unsigned_abs() {
            return Err(IntScan::Overflow);
        }
        Ok((value as i64).wrapping_neg())
    } else {
        i64::try_from(value).map_err(|_| IntScan::Overflow)
    }
}

fn int_parse(bytes: &[u8]) -> Option<i64> {
    scan_int(bytes).ok()
}

enum IntFloat {
    Int(i64),
    Float(f64),
}

/// An integer, or a decimal float with a `.` (and optional exponent).
fn float_parse(bytes: &[u8]) -> Option<IntFloat> {
    match scan_int(bytes) {
        Ok(int) => return Some(IntFloat::Int(int)),
        Err(IntScan::Invalid(b'.')) => {}
        Err(IntScan::Overflow) if bytes.contains(&b'.') => {}
        Err(_) => return None,
    }
    // What reaches here is `[sign] digits* '.' rest`: Rust's grammar for
    // the rest (digits, optional exponent) is the same as speedate's.
    let text = std::str::from_utf8(bytes).ok()?;
    let lower = text.to_ascii_lowercase();
    if lower.contains("inf") || lower.contains("nan") {
        return None;
    }
    text.parse::<f64>().ok().map(IntFloat::Float)
}

// ---------------------------------------------------------------------------
// calendar

const MS_WATERSHED: i64 = 20_000_000_000;
const UNIX_0000: i64 = -62_167_219_200;
const UNIX_9999: i64 = 253_402_300_799;

fn is_leap_year(year: u16) -> bool {
    if year.is_multiple_of(100) {
        year.is_multiple_of(400)
    } else {
        year.is_multiple_of(4)
    }
}

fn days_in_month(year: u16, month: u8) -> Option<u8> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return None,
    })
}

/// Seconds and extra microseconds of a timestamp in seconds, or in
/// milliseconds when its magnitude passes 2e10.
fn timestamp_watershed(timestamp: i64) -> Result<(i64, u32), ParseError> {
    let magnitude = timestamp.checked_abs().ok_or(DATE_TOO_SMALL)?;
    if magnitude <= MS_WATERSHED {
        return Ok((timestamp, 0));
    }
    let (seconds, micros) = (
        timestamp.div_euclid(1000),
        timestamp.rem_euclid(1000) * 1000,
    );
    Ok((seconds, micros as u32))
}

/// The date of a timestamp in seconds, and the seconds since its midnight.
fn date_from_timestamp_seconds(timestamp: i64) -> Result<(Date, u32), ParseError> {
    if timestamp < UNIX_0000 {
        return Err(DATE_TOO_SMALL);
    }
    if timestamp > UNIX_9999 {
        return Err(DATE_TOO_LARGE);
    }
    let days = (timestamp - UNIX_0000).div_euclid(86_400);
    let seconds = (timestamp - UNIX_0000).rem_euclid(86_400) as u32;
    // Civil-from-days on the proleptic Gregorian calendar, from 0000-03-01.
    let shifted = days - 60; // 0000-01-01 .. 0000-02-29 are 60 days (year 0 is leap)
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Ok((
        Date {
            year: year as u16,
            month,
            day,
        },
        seconds,
    ))
}

// ---------------------------------------------------------------------------
// parsers

fn digit(bytes: &[u8], index: usize, error: ParseError) -> Result<u8, ParseError> {
    match bytes.get(index) {
        Some(c) if c.is_ascii_digit() => Ok(c - b'0'),
        _ => Err(error),
    }
}

/// `YYYY-MM-DD` at the start of `bytes`.
fn parse_date_prefix(bytes: &[u8]) -> Result<Date, ParseError> {
    if bytes.len() < 10 {
        return Err(TOO_SHORT);
    }
    let mut year: u16 = 0;
    for i in 0..4 {
        year = year * 10 + u16::from(digit(bytes, i, INVALID_CHAR_YEAR)?);
    }
    if bytes[4] != b'-' {
        return Err(INVALID_CHAR_DATE_SEP);
    }
    let month = digit(bytes, 5, INVALID_CHAR_MONTH)? * 10 + digit(bytes, 6, INVALID_CHAR_MONTH)?;
    if bytes[7] != b'-' {
        return Err(INVALID_CHAR_DATE_SEP);
    }
    let day = digit(bytes, 8, INVALID_CHAR_DAY)? * 10 + digit(bytes, 9, INVALID_CHAR_DAY)?;
    let max_day = days_in_month(year, month).ok_or(OUT_OF_RANGE_MONTH)?;
    if day < 1 || day > max_day {
        return Err(OUT_OF_RANGE_DAY);
    }
    Ok(Date { year, month, day })
}

/// A date string, or an integer timestamp exactly at midnight.
fn parse_date(bytes: &[u8]) -> Result<Date, ParseError> {
    let rfc = parse_date_prefix(bytes).and_then(|date| {
        if bytes.len() > 10 {
            Err(EXTRA_CHARACTERS)
        } else {
            Ok(date)
        }
    });
    match rfc {
        Ok(date) => Ok(date),
        Err(error) => match int_parse(bytes) {
            Some(timestamp) => {
                let (seconds, micros) = timestamp_watershed(timestamp)?;
                let (date, rest) = date_from_timestamp_seconds(seconds)?;
                if rest != 0 || micros != 0 {
                    return Err(DATE_NOT_EXACT);
                }
                Ok(date)
            }
            None => Err(error),
        },
    }
}

/// `HH:MM[:SS[.f…]]` from `offset`, fraction digits past six dropped.
/// Returns the time without offset and where it ends.
fn parse_pure_time(bytes: &[u8], offset: usize) -> Result<(Time, usize), ParseError> {
    if bytes.len() - offset < 5 {
        return Err(TOO_SHORT);
    }
    let hour = digit(bytes, offset, INVALID_CHAR_HOUR)? * 10
        + digit(bytes, offset + 1, INVALID_CHAR_HOUR)?;
    if bytes[offset + 2] != b':' {
        return Err(INVALID_CHAR_TIME_SEP);
    }
    let minute = digit(bytes, offset + 3, INVALID_CHAR_MINUTE)? * 10
        + digit(bytes, offset + 4, INVALID_CHAR_MINUTE)?;
    if hour > 23 {
        return Err(OUT_OF_RANGE_HOUR);
    }
    if minute > 59 {
        return Err(OUT_OF_RANGE_MINUTE);
    }
    let mut end = offset + 5;
    let (mut second, mut microsecond) = (0, 0);
    if bytes.get(end) == Some(&b':') {
        second = digit(bytes, offset + 6, INVALID_CHAR_SECOND)? * 10
            + digit(bytes, offset + 7, INVALID_CHAR_SECOND)?;
        if second > 59 {
            return Err(OUT_OF_RANGE_SECOND);
        }
        end = offset + 8;
        if matches!(bytes.get(end), Some(b'.' | b',')) {
            end += 1;
            let digits = bytes[end..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits == 0 {
                return Err(SECOND_FRACTION_MISSING);
            }
            for (i, c) in bytes[end..end + digits].iter().enumerate().take(6) {
                microsecond += u32::from(c - b'0') * 10u32.pow(5 - i as u32);
            }
            end += digits;
        }
    }
    Ok((
        Time {
            hour,
            minute,
            second,
            microsecond,
            offset: None,
        },
        end,
    ))
}

/// A time from `offset` with an optional UTC offset, to the end of input.
fn parse_time_from(bytes: &[u8], offset: usize) -> Result<Time, ParseError> {
    let (mut time, mut position) = parse_pure_time(bytes, offset)?;
    if let Some(&next) = bytes.get(position) {
        position += 1;
        if next == b'Z' || next == b'z' {
            time.offset = Some(0);
        } else {
            let sign = match next {
                b'+' => 1,
                b'-' => -1,
                // U+2212 MINUS SIGN, as UTF-8
                0xE2 => {
                    if bytes.get(position) != Some(&0x88) || bytes.get(position + 1) != Some(&0x92)
                    {
                        return Err(INVALID_CHAR_TZ_SIGN);
                    }
                    position += 2;
                    -1
                }
                _ => return Err(INVALID_CHAR_TZ_SIGN),
            };
            let h1 = i32::from(digit(bytes, position, INVALID_CHAR_TZ_HOUR)?);
            let h2 = i32::from(digit(bytes, position + 1, INVALID_CHAR_TZ_HOUR)?);
            let m1 = match bytes.get(position + 2) {
                Some(b':') => {
                    position += 3;
                    i32::from(digit(bytes, position, INVALID_CHAR_TZ_MINUTE)?)
                }
                Some(c) if c.is_ascii_digit() => {
                    position += 2;
                    i32::from(c - b'0')
                }
                _ => return Err(INVALID_CHAR_TZ_MINUTE),
            };
            let m2 = i32::from(digit(bytes, position + 1, INVALID_CHAR_TZ_MINUTE)?);
            let minute_seconds = m1 * 600 + m2 * 60;
            if minute_seconds >= 3600 {
                return Err(OUT_OF_RANGE_TZ_MINUTE);
            }
            let value = sign * (h1 * 36_000 + h2 * 3600 + minute_seconds);
            if value.abs() >= 86_400 {
                return Err(OUT_OF_RANGE_TZ);
            }
            time.offset = Some(value);
            position += 2;
        }
    }
    if bytes.len() > position {
        return Err(EXTRA_CHARACTERS);
    }
    Ok(time)
}

/// A time of day from a number of seconds and microseconds; numeric times
/// are UTC.
fn time_from_seconds(seconds: u32, microsecond: u32) -> Result<Time, ParseError> {
    let (mut seconds, mut microsecond) = (seconds, microsecond);
    if microsecond >= 1_000_000 {
        seconds = seconds
            .checked_add(microsecond / 1_000_000)
            .ok_or(TIME_TOO_LARGE)?;
        microsecond %= 1_000_000;
    }
    if seconds >= 86_400 {
        return Err(TIME_TOO_LARGE);
    }
    Ok(Time {
        hour: (seconds / 3600) as u8,
        minute: (seconds % 3600 / 60) as u8,
        second: (seconds % 60) as u8,
        microsecond,
        offset: Some(0),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Second,
    Millisecond,
}

fn datetime_from_timestamp(
    timestamp: i64,
    microsecond: u32,
    unit: Option<Unit>,
) -> Result<DateTime, ParseError> {
    let (mut second, extra) = match unit {
        None => timestamp_watershed(timestamp)?,
        Some(Unit::Second) => (timestamp, 0),
        Some(Unit::Millisecond) => (
            timestamp.div_euclid(1000),
            (timestamp.rem_euclid(1000) * 1000) as u32,
        ),
    };
    let mut microsecond = microsecond.checked_add(extra).ok_or(TIME_TOO_LARGE)?;
    if microsecond >= 1_000_000 {
        second = second
            .checked_add(i64::from(microsecond / 1_000_000))
            .ok_or(TIME_TOO_LARGE)?;
        microsecond %= 1_000_000;
    }
    let (date, seconds) = date_from_timestamp_seconds(second)?;
    Ok(DateTime {
        date,
        time: time_from_seconds(seconds, microsecond)?,
    })
}

fn datetime_from_float(timestamp: f64) -> Result<DateTime, ParseError> {
    let unit = if timestamp.abs() > MS_WATERSHED as f64 {
        Unit::Millisecond
    } else {
        Unit::Second
    };
    let floor = timestamp.floor();
    let fraction = timestamp - floor;
    let micros = match unit {
        Unit::Millisecond => fraction * 1_000.0,
        Unit::Second => fraction * 1_000_000.0,
    };
    // `as` saturates, as Rust's float-to-int casts do in speedate
    datetime_from_timestamp(floor as i64, micros.round() as u32, Some(unit))
}

/// A datetime string, or a timestamp (integer or decimal float) string.
fn parse_datetime(bytes: &[u8]) -> Result<DateTime, ParseError> {
    let rfc = parse_date_prefix(bytes).and_then(|date| {
        match bytes.get(10) {
            Some(b'T' | b't' | b' ' | b'_') => {}
            _ => return Err(INVALID_CHAR_DATE_TIME_SEP),
        }
        Ok(DateTime {
            date,
            time: parse_time_from(bytes, 11)?,
        })
    });
    match rfc {
        Ok(datetime) => Ok(datetime),
        Err(error) => match float_parse(bytes) {
            Some(IntFloat::Int(int)) => datetime_from_timestamp(int, 0, None),
            Some(IntFloat::Float(float)) => datetime_from_float(float),
            None => Err(error),
        },
    }
}

fn parse_duration(bytes: &[u8]) -> Result<Duration, ParseError> {
    let (positive, rest) = match bytes {
        [b'-', rest @ ..] => (false, rest),
        [b'+', rest @ ..] => (true, rest),
        all => (true, all),
    };
    let duration = match rest {
        [] => return Err(TOO_SHORT),
        [b'P', iso @ ..] => parse_iso_duration(iso)?,
        other if other.iter().any(|&c| c == b'd' || c == b'D') || other.len() < 5 => {
            parse_days_time(other)?
        }
        other => parse_clock_duration(other)?,
    };
    Duration {
        positive,
        ..duration
    }
    .normalize()
}

/// A run of ASCII digits at the start of `bytes`, and its length.
fn duration_number(bytes: &[u8]) -> Result<(u32, usize), ParseError> {
    let mut value = match bytes.first() {
        Some(c) if c.is_ascii_digit() => u32::from(c - b'0'),
        _ => return Err(DURATION_INVALID_NUMBER),
    };
    let mut position = 1;
    while let Some(c) = bytes.get(position).filter(|c| c.is_ascii_digit()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(c - b'0')))
            .ok_or(DURATION_VALUE_TOO_LARGE)?;
        position += 1;
    }
    Ok((value, position))
}

/// A number with an optional `.`/`,` fraction, as speedate reads it.
fn duration_number_fraction(bytes: &[u8]) -> Result<(u32, Option<f64>, usize), ParseError> {
    let (value, mut position) = duration_number(bytes)?;
    if !matches!(bytes.get(position), Some(b'.' | b',')) {
        return Ok((value, None, position));
    }
    let (mut numerator, mut denominator) = (0f64, 1f64);
    loop {
        position += 1;
        match bytes.get(position) {
            Some(c) if c.is_ascii_digit() => {
                numerator = numerator * 10.0 + f64::from(c - b'0');
                denominator *= 10.0;
            }
            _ => return Ok((value, Some(numerator / denominator), position)),
        }
    }
}

fn checked_add(a: u32, b: u32) -> Result<u32, ParseError> {
    a.checked_add(b).ok_or(DURATION_VALUE_TOO_LARGE)
}

fn checked_mul(a: u32, b: u32) -> Result<u32, ParseError> {
    a.checked_mul(b).ok_or(DURATION_VALUE_TOO_LARGE)
}

/// The part after `P`: `nY nM nW nD T nH nM nS`, a fraction allowed on the
/// last quantity only.
fn parse_iso_duration(bytes: &[u8]) -> Result<Duration, ParseError> {
    let (mut in_time, mut had_fraction) = (false, false);
    let (mut day, mut second, mut microsecond) = (0u32, 0u32, 0u32);
    let mut position = 0;
    while let Some(&c) = bytes.get(position) {
        if c == b'T' {
            if in_time {
                return Err(DURATION_T_REPEATED);
            }
            in_time = true;
        } else {
            let (value, fraction, length) = duration_number_fraction(&bytes[position..])?;
            if had_fraction {
                return Err(DURATION_INVALID_FRACTION);
            }
            had_fraction |= fraction.is_some();
            position += length;
            if in_time {
                let multiplier = match bytes.get(position) {
                    Some(b'H') => 3600,
                    Some(b'M') => 60,
                    Some(b'S') => 1,
                    _ => return Err(DURATION_INVALID_TIME_UNIT),
                };
                second = checked_add(second, checked_mul(multiplier, value)?)?;
                if let Some(fraction) = fraction {
                    let extra = fraction * f64::from(multiplier);
                    let whole = extra.trunc();
                    second = checked_add(second, whole as u32)?;
                    microsecond =
                        checked_add(microsecond, ((extra - whole) * 1_000_000.0).round() as u32)?;
                }
            } else {
                let multiplier = match bytes.get(position) {
                    Some(b'Y') => 365,
                    Some(b'M') => 30,
                    Some(b'W') => 7,
                    Some(b'D') => 1,
                    _ => return Err(DURATION_INVALID_DATE_UNIT),
                };
                day = checked_add(day, checked_mul(value, multiplier)?)?;
                if let Some(fraction) = fraction {
                    let extra_days = fraction * f64::from(multiplier);
                    let whole_days = extra_days.trunc();
                    day = checked_add(day, whole_days as u32)?;
                    let extra_seconds = (extra_days - whole_days) * 86_400.0;
                    let whole_seconds = extra_seconds.trunc();
                    second = checked_add(second, whole_seconds as u32)?;
                    microsecond += ((extra_seconds - whole_seconds) * 1_000_000.0).round() as u32;
                }
            }
        }
        position += 1;
    }
    if position < 2 {
        return Err(TOO_SHORT);
    }
    Ok(Duration {
        positive: true,
        day,
        second,
        microsecond,
    })
}

/// `N d[ay[s]][,][ ]HH:MM[:SS[.f]]`.
fn parse_days_time(bytes: &[u8]) -> Result<Duration, ParseError> {
    if bytes.is_empty() {
        return Err(TOO_SHORT);
    }
    let (day, position) = duration_number(bytes)?;
    let rest = match &bytes[position..] {
        [b' ', b'd' | b'D', rest @ ..] | [b'd' | b'D', rest @ ..] => rest,
        _ => return Err(DURATION_INVALID_DAYS),
    };
    let rest = match rest {
        [b'a', b'y', b's', rest @ ..]
        | [b'a', b'y', rest @ ..]
        | [b'A', b'Y', b'S', rest @ ..]
        | [b'A', b'Y', rest @ ..] => rest,
        [b'a' | b'A', ..] => return Err(DURATION_INVALID_DAYS),
        rest => rest,
    };
    let rest = match rest {
        [b',', b' ', rest @ ..] | [b',', rest @ ..] | [b' ', rest @ ..] => rest,
        rest => rest,
    };
    if rest.is_empty() {
        return Ok(Duration {
            positive: true,
            day,
            second: 0,
            microsecond: 0,
        });
    }
    let time = parse_clock_duration(rest)?;
    if time.day > 0 {
        return Err(DURATION_HOUR_VALUE_TOO_LARGE);
    }
    Ok(Duration {
        positive: true,
        day,
        second: time.second,
        microsecond: time.microsecond,
    })
}

/// `H…H:MM[:SS[.f]]`: any number of hours, fraction digits past six dropped.
fn parse_clock_duration(bytes: &[u8]) -> Result<Duration, ParseError> {
    if bytes.len() < 5 {
        return Err(TOO_SHORT);
    }
    let Some(colon) = bytes.iter().position(|&c| c == b':') else {
        return Err(INVALID_CHAR_HOUR);
    };
    let (hour_part, mut rest) = (&bytes[..colon], &bytes[colon + 1..]);
    if hour_part.len() > 10 {
        return Err(DURATION_HOUR_VALUE_TOO_LARGE);
    }
    let mut hour: i64 = 0;
    for &c in hour_part {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return Err(INVALID_CHAR_HOUR);
        }
        hour = hour * 10 + i64::from(d);
    }
    if hour > 24 * 10i64.pow(8) {
        return Err(DURATION_HOUR_VALUE_TOO_LARGE);
    }
    // Re-read `MM:SS.ffffff` as a time `00:MM:SS.ffffff`, cut at 15 bytes.
    if rest.len() > 12 {
        rest = &rest[..12];
    }
    let mut buffer = b"00:".to_vec();
    buffer.extend_from_slice(rest);
    let (time, end) = parse_pure_time(&buffer, 0)?;
    if buffer.len() > end {
        return Err(EXTRA_CHARACTERS);
    }
    let seconds = u32::from(time.minute) * 60 + u32::from(time.second) + (hour % 24) as u32 * 3600;
    Ok(Duration {
        positive: true,
        day: (hour / 24) as u32,
        second: seconds,
        microsecond: time.microsecond,
    })
}

// ---------------------------------------------------------------------------
// the validators

/// A number as the datetime validators see it: Python ints in `i64`, and
/// floats (a larger int converts to float; one past `f64` is no number).
enum Timestamp {
    Int(i64),
    Float(f64),
}

fn timestamp_of(input: &Json) -> Option<Timestamp> {
    match number(input)? {
        Num::Int(i) => Some(Timestamp::Int(i)),
        Num::Float(f) => Some(Timestamp::Float(f)),
        Num::Big(f) if f.is_finite() => Some(Timestamp::Float(f)),
        Num::Big(_) => None,
    }
}

/// A datetime from a non-string input: `None` when the input is no number.
fn datetime_from_number(input: &Json) -> Option<Result<DateTime, ParseError>> {
    if matches!(input, Json::Bool(_)) {
        return None;
    }
    Some(match timestamp_of(input)? {
        Timestamp::Int(int) => datetime_from_timestamp(int, 0, None),
        Timestamp::Float(float) if float.is_nan() => Err(NAN_NOT_PERMITTED),
        Timestamp::Float(float) => datetime_from_float(float),
    })
}

fn date_type() -> FormatError {
    FormatError::new("date_type", "Input should be a valid date")
}

/// `datetime.date` (`{"type": "string", "format": "date"}`): the date as
/// `YYYY-MM-DD`.
pub(crate) fn date(input: &Json) -> Result<Json, FormatError> {
    let as_date = match input {
        Json::Str(s) => parse_date(s.as_bytes()).ok(),
        _ => None,
    };
    let date = match as_date {
        Some(date) => date,
        None => {
            // Not a date: pydantic tries a datetime at midnight.
            let datetime = match input {
                Json::Str(s) => parse_datetime(s.as_bytes()),
                other => match datetime_from_number(other) {
                    Some(result) => result,
                    None => return Err(date_type()),
                },
            };
            let datetime = datetime.map_err(date_from_datetime_parsing)?;
            let time = datetime.time;
            if (time.hour, time.minute, time.second, time.microsecond) != (0, 0, 0, 0) {
                return Err(FormatError::new(
                    "date_from_datetime_inexact",
                    "Datetimes provided to dates should have zero time - e.g. be exact dates",
                ));
            }
            datetime.date
        }
    };
    if date.year == 0 {
        return Err(date_parsing(YEAR_ZERO));
    }
    Ok(Json::from(date.iso()))
}

/// `datetime.datetime` (`{"type": "string", "format": "date-time"}`):
/// `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`.
pub(crate) fn datetime(input: &Json) -> Result<Json, FormatError> {
    let datetime = match input {
        Json::Str(s) => match parse_datetime(s.as_bytes()) {
            Ok(datetime) => datetime,
            // Not a datetime: pydantic tries a date, at midnight.
            Err(_) => match parse_date(s.as_bytes()) {
                Ok(date) => DateTime {
                    date,
                    time: Time {
                        hour: 0,
                        minute: 0,
                        second: 0,
                        microsecond: 0,
                        offset: None,
                    },
                },
                Err(error) => return Err(datetime_from_date_parsing(error)),
            },
        },
        other => match datetime_from_number(other) {
            Some(result) => result.map_err(datetime_parsing)?,
            None => {
                return Err(FormatError::new(
                    "datetime_type",
                    "Input should be a valid datetime",
                ));
            }
        },
    };
    if datetime.date.year == 0 {
        return Err(datetime_parsing(YEAR_ZERO));
    }
    Ok(Json::from(format!(
        "{}T{}",
        datetime.date.iso(),
        datetime.time.iso()
    )))
}

/// `datetime.time` (`{"type": "string", "format": "time"}`):
/// `HH:MM:SS[.ffffff][Z|±HH:MM]`.
pub(crate) fn time(input: &Json) -> Result<Json, FormatError> {
    let time_type = || FormatError::new("time_type", "Input should be a valid time");
    let time = match input {
        Json::Str(s) => parse_time_from(s.as_bytes(), 0),
        Json::Bool(_) => return Err(time_type()),
        other => match timestamp_of(other) {
            None => return Err(time_type()),
            Some(Timestamp::Float(f)) if f.is_nan() => Err(NAN_NOT_PERMITTED),
            Some(timestamp) => {
                let (seconds, micros) = match timestamp {
                    Timestamp::Int(i) => (i, 0),
                    Timestamp::Float(f) => (
                        f.floor() as i64,
                        (f.fract().abs() * 1_000_000.0).round() as u32,
                    ),
                };
                if seconds < 0 {
                    Err(TIME_NEGATIVE)
                } else {
                    time_from_seconds(u32::try_from(seconds).unwrap_or(u32::MAX), micros)
                }
            }
        },
    };
    Ok(Json::from(time.map_err(time_parsing)?.iso()))
}

/// `datetime.timedelta` (`{"type": "string", "format": "duration"}`): ISO
/// 8601 as pydantic writes it (`P1DT2H3M4.5S`, `-PT1H`, `PT0S`).
///
/// The one case pydantic does not answer with a validation error: a
/// negative duration past `-999999999 days` makes Python's timedelta raise
/// `OverflowError`, returned here with kind `"OverflowError"`.
pub(crate) fn timedelta(input: &Json) -> Result<Json, FormatError> {
    let duration = match input {
        Json::Str(s) => parse_duration(s.as_bytes()),
        Json::Bool(b) => Ok(Duration {
            positive: true,
            day: 0,
            second: u32::from(*b),
            microsecond: 0,
        }),
        other => match timestamp_of(other) {
            None => {
                return Err(FormatError::new(
                    "time_delta_type",
                    "Input should be a valid timedelta",
                ));
            }
            Some(Timestamp::Int(seconds)) => {
                let magnitude = seconds.unsigned_abs();
                match u32::try_from(magnitude / 86_400) {
                    Ok(day) => Duration {
                        positive: seconds >= 0,
                        day,
                        second: (magnitude % 86_400) as u32,
                        microsecond: 0,
                    }
                    .normalize(),
                    Err(_) => Err(DURATION_DAYS_TOO_LARGE),
                }
            }
            Some(Timestamp::Float(f)) if f.is_nan() => Err(NAN_NOT_PERMITTED),
            Some(Timestamp::Float(f)) => {
                let magnitude = f.abs();
                Duration {
                    positive: f >= 0.0,
                    day: (magnitude / 86_400.0) as u32,
                    second: ((magnitude as u64) % 86_400) as u32,
                    microsecond: (magnitude.fract() * 1_000_000.0).round() as u32,
                }
                .normalize()
            }
        },
    };
    let mut duration = duration.map_err(time_delta_parsing)?;
    if duration.day == 0 && duration.second == 0 && duration.microsecond == 0 {
        duration.positive = true;
    }
    if !duration.positive
        && duration.day == 999_999_999
        && (duration.second, duration.microsecond) != (0, 0)
    {
        return Err(FormatError {
            kind: "OverflowError",
            message: "days=-1000000000; must have magnitude <= 999999999".to_owned(),
            ctx: Vec::new(),
        });
    }
    Ok(Json::from(duration.iso()))
}
