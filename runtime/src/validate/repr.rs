//! Python's `repr()` and `str()` of the values pydantic quotes in messages
//! (`Input should be 'a' or 1`, `Input tag 'None' found …`).

use crate::json::Json;

/// `repr(value)` of the Python value `json.loads` makes of `value`.
pub fn py_repr(value: &Json) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

/// `str(value)`: a string as it is, anything else as its `repr`.
pub fn py_str(value: &Json) -> String {
    match value {
        Json::Str(s) => s.to_string(),
        other => py_repr(other),
    }
}

fn write_repr(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("None"),
        Json::Bool(true) => out.push_str("True"),
        Json::Bool(false) => out.push_str("False"),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::BigInt(digits) => out.push_str(digits),
        Json::Float(f) => out.push_str(&float_repr(*f)),
        Json::Str(s) => write_str_repr(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str_repr(key, out);
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form below
/// 1e-4 and from 1e16 on.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde±x`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.abs());
    }
    let point = exponent + 1; // digits before the decimal point
    if point <= 0 {
        let zeros = "0".repeat((-point) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = point as usize;
    if digits.len() <= point {
        let zeros = "0".repeat(point - digits.len());
        format!("{sign}{digits}{zeros}.0")
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

fn write_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let code = c as u32;
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
        }
    }
    out.push(quote);
}

/// Python's `str.isprintable()`, from the table of the code points it
/// refuses (generated from the Python chanx runs on).
fn is_printable(c: char) -> bool {
    let code = c as u32;
    super::unprintable::UNPRINTABLE
        .binary_search_by(|&(start, end)| {
            if end < code {
                std::cmp::Ordering::Less
            } else if start > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_python_writes_them() {
        for (f, text) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (-0.0, "-0.0"),
            (123456789.12345679, "123456789.12345679"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(float_repr(f), text);
        }
    }

    #[test]
    fn strings_are_quoted_as_python_quotes_them() {
        assert_eq!(py_repr(&Json::from("a")), "'a'");
        assert_eq!(py_repr(&Json::from("it's")), "\"it's\"");
        assert_eq!(py_repr(&Json::from("a'b\"c")), "'a\\'b\"c'");
        assert_eq!(py_repr(&Json::from("é\n\u{1}")), "'é\\n\\x01'");
        // Each as Python 3.11's `repr` writes it: unassigned code points,
        // a no-break space and private use are escaped; letters of any
        // script and symbols are not.
        assert_eq!(
            py_repr(&Json::from("\u{e65}\u{378}\u{a0}\u{e000}\u{3000}")),
            "'\\u0e65\\u0378\\xa0\\ue000\\u3000'"
        );
        assert_eq!(py_repr(&Json::from("ไทย😀中\u{2603}")), "'ไทย😀中☃'");
        assert_eq!(py_repr(&Json::from("\u{e0001}")), "'\\U000e0001'");
        assert_eq!(py_str(&Json::Null), "None");
        assert_eq!(
            py_repr(&Json::Array(vec![
                Json::from("a"),
                Json::Int(1),
                Json::Bool(true)
            ])),
            "['a', 1, True]"
        );
    }
}
