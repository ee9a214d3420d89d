//! JSON written as block-style YAML, for `/asyncapi.yaml`.
//!
//! Strings are written plain only when no YAML reader could take them for
//! anything else (a number, a boolean, null, a key, a comment); otherwise
//! they are double-quoted with JSON's escapes, which YAML's double-quoted
//! style shares.

use serde_json::Value;

/// `value` as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => block(value, 0, &mut out),
        Value::Array(items) if !items.is_empty() => block(value, 0, &mut out),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

/// A non-empty mapping or sequence, one entry a line, at `indent` spaces.
fn block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                out.push_str(&pad);
                out.push_str(&string(key));
                out.push(':');
                entry(item, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    // `- key: value` / `- - item`: the nested block's first
                    // line shares the dash's line.
                    let mut nested = String::new();
                    block(item, indent + 2, &mut nested);
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&nested[indent + 2..]);
                } else {
                    out.push_str(&pad);
                    out.push('-');
                    scalar(item, indent, out);
                }
            }
        }
        _ => {}
    }
}

/// What follows `key:`: a value on the same line or a block below.
fn entry(item: &Value, indent: usize, out: &mut String) {
    if is_block(item) {
        out.push('\n');
        // Sequences under a key are not indented further, as most YAML is written.
        let inner = if item.is_array() { indent } else { indent + 2 };
        block(item, inner, out);
    } else {
        scalar(item, indent, out);
    }
}

/// A scalar after `key:` or `-`: on the same line, or a text of several
/// lines as a literal block below, indented past `indent`.
fn scalar(item: &Value, indent: usize, out: &mut String) {
    let Value::String(text) = item else {
        out.push(' ');
        out.push_str(&inline(item));
        out.push('\n');
        return;
    };
    if !is_literal_block(text) {
        out.push(' ');
        out.push_str(&string(text));
        out.push('\n');
        return;
    }
    let body = text.trim_end_matches('\n');
    let chomping = match text.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push_str(&format!(" |{chomping}\n"));
    let pad = " ".repeat(indent + 2);
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..text.len() - body.len() {
        out.push('\n');
    }
}

/// Text that reads back the same from a `|` block: several lines, no
/// control characters, no trailing spaces, not starting with a space.
fn is_literal_block(text: &str) -> bool {
    let body = text.trim_end_matches('\n');
    body.contains('\n')
        && !text.starts_with([' ', '\n'])
        && !text.chars().any(|c| c.is_control() && c != '\n')
        && body.split('\n').all(|line| !line.ends_with(' '))
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// A scalar or an empty collection on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Words YAML 1.1 or 1.2 readers take for booleans or null.
const RESERVED: [&str; 12] = [
    "null", "true", "false", "yes", "no", "on", "off", "y", "n", "~", "none", "nan",
];

fn string(text: &str) -> String {
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/' || c == '$');
    let all_ok = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " _./-()$".contains(c));
    let plain = first_ok
        && all_ok
        && !text.ends_with(' ')
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_blocks_and_scalars() {
        let value = json!({
            "asyncapi": "3.0.0",
            "info": {"title": "Chat API", "version": "1.0.0"},
            "list": [{"a": 1, "b": [true, null]}, ["x"], "plain", "needs: quotes"],
            "empty": {},
            "none": [],
            "text": "two\nlines",
            "block": "a\n\nb\n",
            "list of texts": ["one\ntwo", "three"],
            "yes": "yes",
        });
        assert_eq!(
            to_yaml(&value),
            "asyncapi: \"3.0.0\"\n\
             info:\n  title: Chat API\n  version: \"1.0.0\"\n\
             list:\n- a: 1\n  b:\n  - true\n  - null\n- - x\n- plain\n- \"needs: quotes\"\n\
             empty: {}\n\
             \"none\": []\n\
             text: |-\n  two\n  lines\n\
             block: |\n  a\n\n  b\n\
             list of texts:\n- |-\n  one\n  two\n- three\n\
             \"yes\": \"yes\"\n"
        );
    }
}
