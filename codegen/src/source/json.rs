//! JSON files: serde_json parses the value, then one pass over the same
//! text finds where every node starts, checks nesting depth and refuses
//! duplicate keys (which serde_json would silently merge).
//!
//! The scan runs only on text serde_json accepted, so it can trust the
//! syntax; it still never indexes past the end, whatever it is given.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::Value;

use super::{Limits, ParsedFile, PathKey, Positions, located};
use crate::diag::{Code, Diagnostic};

/// Parses a JSON file (a byte-order mark is allowed).
pub fn parse(text: &str, display_name: &str, limits: &Limits) -> Result<ParsedFile, Diagnostic> {
    let body = text.trim_start_matches('\u{feff}');
    let value = serde_json::from_str::<Value>(body).map_err(|e| syntax_error(&e, display_name))?;
    let mut scanner = Scanner {
        bytes: body.as_bytes(),
        at: 0,
        line: 1,
        col: 1,
        limits,
        positions: Positions::default(),
    };
    scanner.skip_space();
    scanner
        .value(&PathKey::root(), 0)
        .map_err(|(line, col, code, message)| located(display_name, line, col, code, message))?;
    Ok(ParsedFile {
        value,
        positions: scanner.positions,
    })
}

fn syntax_error(e: &serde_json::Error, display_name: &str) -> Diagnostic {
    let message = e.to_string();
    // serde_json appends " at line L column C"; we print the location ourselves.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    // serde_json's recursion limit (128) doubles as a depth guard.
    let (code, message) = if message.contains("recursion limit") {
        (
            Code::TooDeep,
            "nesting is deeper than the limit of 128 levels".to_string(),
        )
    } else {
        (Code::Syntax, format!("invalid JSON: {message}"))
    };
    located(
        display_name,
        e.line().max(1) as u32,
        e.column().max(1) as u32,
        code,
        message,
    )
}

/// Why a scan stopped: where, and the diagnostic's code and message.
type Stop = (u32, u32, Code, String);

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Line and column (in characters) of `at`, both 1-based.
    line: u32,
    col: u32,
    limits: &'a Limits,
    positions: Positions,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn advance(&mut self) {
        let Some(&b) = self.bytes.get(self.at) else {
            return;
        };
        self.at += 1;
        if b == b'\n' || (b == b'\r' && self.peek() != Some(b'\n')) {
            self.line += 1;
            self.col = 1;
        } else if b & 0xC0 != 0x80 {
            // Not a UTF-8 continuation byte: a new character.
            self.col += 1;
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.advance();
        }
    }

    fn stop(&self, code: Code, message: String) -> Stop {
        (self.line, self.col, code, message)
    }

    /// Scans the value at the cursor, whose pointer is `path`.
    fn value(&mut self, path: &PathKey, depth: usize) -> Result<(), Stop> {
        if path.bytes() > self.limits.max_path_bytes {
            return Err(self.stop(
                Code::PathTooLong,
                format!(
                    "the path to this node (its JSON pointer) is {} bytes, more than the limit of {} bytes",
                    path.bytes(),
                    self.limits.max_path_bytes
                ),
            ));
        }
        self.positions.insert(path, (self.line, self.col));
        match self.peek() {
            Some(b'{') | Some(b'[') if depth >= self.limits.max_depth => Err(self.stop(
                Code::TooDeep,
                format!(
                    "nesting is deeper than the limit of {} levels",
                    self.limits.max_depth
                ),
            )),
            Some(b'{') => self.object(path, depth),
            Some(b'[') => self.array(path, depth),
            Some(b'"') => {
                self.string();
                Ok(())
            }
            _ => {
                // A number, `true`, `false` or `null`.
                while self.peek().is_some_and(|b| {
                    !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.advance();
                }
                Ok(())
            }
        }
    }

    fn object(&mut self, path: &PathKey, depth: usize) -> Result<(), Stop> {
        self.advance(); // {
        let mut keys: HashSet<Cow<'a, str>> = HashSet::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'"') => {}
                _ => break,
            }
            let (key_line, key_col) = (self.line, self.col);
            let raw = self.string();
            let key = unescape(raw);
            self.skip_space();
            self.advance(); // :
            self.skip_space();
            let member = path.child(&key);
            self.positions.insert_key(&member, (key_line, key_col));
            self.value(&member, depth + 1)?;
            if !keys.insert(key) {
                let key = unescape(raw);
                return Err((
                    key_line,
                    key_col,
                    Code::DuplicateKey,
                    format!("duplicate mapping key '{key}'"),
                ));
            }
            self.skip_space();
            if self.peek() == Some(b',') {
                self.advance();
            }
        }
        self.advance(); // }
        Ok(())
    }

    fn array(&mut self, path: &PathKey, depth: usize) -> Result<(), Stop> {
        self.advance(); // [
        let mut index = 0;
        loop {
            self.skip_space();
            match self.peek() {
                None | Some(b']') => break,
                Some(_) => {}
            }
            self.value(&path.index(index), depth + 1)?;
            index += 1;
            self.skip_space();
            if self.peek() == Some(b',') {
                self.advance();
            }
        }
        self.advance(); // ]
        Ok(())
    }

    /// Skips a string at the cursor; returns its text between the quotes,
    /// escapes as written.
    fn string(&mut self) -> &'a str {
        self.advance(); // "
        let start = self.at;
        while let Some(b) = self.peek() {
            match b {
                b'"' => break,
                b'\\' => {
                    self.advance();
                    self.advance();
                }
                _ => self.advance(),
            }
        }
        let end = self.at.min(self.bytes.len());
        self.advance(); // "
        // Quotes and backslashes are ASCII, so the slice is on character
        // boundaries of the (UTF-8) text.
        let bytes: &'a [u8] = self.bytes;
        bytes
            .get(start..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

/// A string's value from its text between the quotes.
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    serde_json::from_str::<String>(&format!("\"{raw}\""))
        .map(Cow::Owned)
        .unwrap_or(Cow::Borrowed(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> ParsedFile {
        parse(text, "t.json", &Limits::default()).expect("parses")
    }

    #[test]
    fn every_node_has_its_position() {
        let f =
            parse_ok("{\n  \"a\": {\"b\": [1, \"x\\\"y\", {\"c/d~\": null}]},\n  \"é\": true\n}\n");
        assert_eq!(
            f.value,
            serde_json::json!({"a": {"b": [1, "x\"y", {"c/d~": null}]}, "é": true})
        );
        assert_eq!(f.positions.get(""), Some((1, 1)));
        assert_eq!(f.positions.get("/a"), Some((2, 8)));
        assert_eq!(f.positions.get("/a/b"), Some((2, 14)));
        assert_eq!(f.positions.get("/a/b/0"), Some((2, 15)));
        assert_eq!(f.positions.get("/a/b/1"), Some((2, 18)));
        assert_eq!(f.positions.get("/a/b/2/c~1d~0"), Some((2, 35)));
        assert_eq!(f.positions.get("/é"), Some((3, 8)));
        assert_eq!(f.positions.len(), 8);
    }

    #[test]
    fn escaped_keys_are_the_keys_they_spell() {
        let f = parse_ok("{\"\\u0061\\/b\": 1}");
        assert_eq!(f.positions.get("/a~1b"), Some((1, 15)));
        let e = parse("{\"a\": 1,\n \"\\u0061\": 2}", "t.json", &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::DuplicateKey);
        assert_eq!(e.location.map(|l| (l.line, l.col)), Some((2, 2)));
    }

    #[test]
    fn depth_is_limited() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse("[[[1]]]", "t.json", &limits).is_ok());
        let e = parse("[[[[1]]]]", "t.json", &limits).unwrap_err();
        assert_eq!(e.code, Code::TooDeep);
        assert_eq!(e.location.map(|l| l.col), Some(4));
    }

    #[test]
    fn paths_are_limited() {
        let limits = Limits {
            max_path_bytes: 8,
            ..Limits::default()
        };
        assert!(parse("{\"abc\": {\"d/\": 1}}", "t.json", &limits).is_ok());
        let e = parse("{\"abc\": {\"de\": [0, 1]}}", "t.json", &limits).unwrap_err();
        assert_eq!(e.code, Code::PathTooLong);
        assert!(e.message.contains("is 9 bytes"), "{e}");
        assert_eq!(e.location.map(|l| l.col), Some(17));
    }
}
