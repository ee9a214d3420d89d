//! JSON values as Python's `json.loads` reads them, for comparing answers.
//!
//! chanx writes frames with `json.dumps`, which may hold `NaN`, `Infinity`,
//! integers of any size and strings with lone surrogates (`"\ud800"`); serde_json
//! reads none of these. Numbers keep their kind (`1` and `1.0` differ, as
//! they do for a client); floats compare by their bits, so `NaN` equals
//! `NaN` and `-0.0` differs from `0.0`. Strings are UTF-16 code units, so
//! lone surrogates survive. Objects compare without regard to key order
//! (a repeated key keeps its last value, as in a Python `dict`); key order
//! shows in the byte-identical count instead.

use std::collections::BTreeMap;

/// Deeper documents are not parsed (they are compared as text).
const MAX_DEPTH: usize = 1000;

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// An integer literal, as its digits (`-0` is `0`).
    Int(String),
    Float(f64),
    Str(Vec<u16>),
    Array(Vec<Value>),
    Object(BTreeMap<Vec<u16>, Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.get(&key.encode_utf16().collect::<Vec<u16>>()),
            _ => None,
        }
    }

    /// Whether this is the string `text`.
    pub fn is_str(&self, text: &str) -> bool {
        matches!(self, Value::Str(units) if units.iter().copied().eq(text.encode_utf16()))
    }
}

/// Parses `text` as `json.loads` would (plus nothing else), or `None`.
pub fn parse(text: &str) -> Option<Value> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    let value = parser.value(0)?;
    parser.whitespace();
    (parser.at == parser.bytes.len()).then_some(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.text[self.at..].starts_with(literal) {
            self.at += literal.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.whitespace();
        match *self.bytes.get(self.at)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::Str),
            b'n' if self.eat("null") => Some(Value::Null),
            b't' if self.eat("true") => Some(Value::Bool(true)),
            b'f' if self.eat("false") => Some(Value::Bool(false)),
            b'N' if self.eat("NaN") => Some(Value::Float(f64::NAN)),
            b'I' if self.eat("Infinity") => Some(Value::Float(f64::INFINITY)),
            b'-' if self.eat("-Infinity") => Some(Value::Float(f64::NEG_INFINITY)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.at += 1;
        let mut map = BTreeMap::new();
        self.whitespace();
        if self.eat("}") {
            return Some(Value::Object(map));
        }
        loop {
            self.whitespace();
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            self.whitespace();
            if !self.eat(":") {
                return None;
            }
            let value = self.value(depth + 1)?;
            map.insert(key, value);
            self.whitespace();
            if self.eat("}") {
                return Some(Value::Object(map));
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.at += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.eat("]") {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.whitespace();
            if self.eat("]") {
                return Some(Value::Array(items));
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    fn string(&mut self) -> Option<Vec<u16>> {
        self.at += 1;
        let mut units = Vec::new();
        loop {
            let rest = &self.text[self.at..];
            let c = rest.chars().next()?;
            self.at += c.len_utf8();
            match c {
                '"' => return Some(units),
                '\\' => {
                    let escape = *self.bytes.get(self.at)?;
                    self.at += 1;
                    let unit = match escape {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let hex = self.text.get(self.at..self.at + 4)?;
                            self.at += 4;
                            u16::from_str_radix(hex, 16).ok()?
                        }
                        _ => return None,
                    };
                    units.push(unit);
                }
                c => {
                    let mut buffer = [0u16; 2];
                    units.extend_from_slice(c.encode_utf16(&mut buffer));
                }
            }
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at > from
        };
        self.eat("-");
        let int_start = self.at;
        if !digits(self) {
            return None;
        }
        // JSON (and json.loads) refuse leading zeros.
        if self.bytes[int_start] == b'0' && self.at - int_start > 1 {
            return None;
        }
        let mut float = false;
        if self.eat(".") {
            float = true;
            if !digits(self) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            float = true;
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        let literal = &self.text[start..self.at];
        if float {
            literal.parse().ok().map(Value::Float)
        } else if literal == "-0" {
            Some(Value::Int("0".to_string()))
        } else {
            Some(Value::Int(literal.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_json_dumps_writes() {
        let value = parse(r#"{"a": [NaN, -Infinity, 1e+16, -0.0, 123456789012345678901234567890], "s": "\ud800\u00e9"}"#)
            .expect("parses");
        assert_eq!(
            value,
            parse(
                r#"{"s":"\ud800é","a":[NaN,-Infinity,1e16,-0.0,123456789012345678901234567890]}"#
            )
            .unwrap()
        );
        assert_ne!(parse("1").unwrap(), parse("1.0").unwrap());
        assert_ne!(parse("0.0").unwrap(), parse("-0.0").unwrap());
        assert_eq!(parse("-0").unwrap(), parse("0").unwrap());
        assert_eq!(
            parse(r#"{"a":1,"a":2}"#).unwrap(),
            parse(r#"{"a":2}"#).unwrap()
        );
        for bad in ["", "01", "[1,]", "{'a':1}", "nan", "1 2", "\"\\x\""] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        assert!(parse(&("[".repeat(2000) + &"]".repeat(2000))).is_none());
    }
}
