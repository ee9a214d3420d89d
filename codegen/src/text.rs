//! Text from a document, made safe for generated code.
//!
//! Titles, descriptions, names and keys come from the document and go into
//! Rust doc comments, TypeScript comments and string literals. Whatever they
//! hold, the generated code must compile, warn about nothing and read the
//! same in an editor as to the compiler:
//!
//! - every line break (CRLF, a bare CR, NEL, U+2028, U+2029, vertical tab,
//!   form feed) becomes `\n`: rustc rejects a bare CR in a doc comment, and
//!   JavaScript ends a `//` comment at any of them;
//! - other control characters (NUL, escape, DEL, C1) are dropped;
//! - the bidirectional overrides and isolates that can make code read
//!   differently from what it is ("Trojan Source"; rustc denies them in
//!   comments and literals) are dropped from comments and escaped in
//!   literals.
//!
//! Each function returns the text borrowed when it needs no change, and
//! works in one pass otherwise.

use std::borrow::Cow;

/// Bidirectional formatting characters rustc's `text_direction_codepoint_*`
/// lints deny.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that breaks a line somewhere (Rust, JavaScript or Unicode).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A character that never appears in cleaned text.
fn is_unwanted(c: char) -> bool {
    (c.is_control() && c != '\t') || is_line_break(c) || is_bidi_control(c)
}

/// Document text for comments: line breaks normalized to `\n`, control and
/// bidirectional formatting characters dropped (tabs stay).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unwanted(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            // CRLF is one break.
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else if is_line_break(c) {
            out.push('\n');
        } else if !is_unwanted(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`] text on one line (breaks become spaces), for names quoted in
/// comments.
pub fn one_line(text: &str) -> Cow<'_, str> {
    match clean(text) {
        Cow::Borrowed(text) if !text.contains('\n') => Cow::Borrowed(text),
        cleaned => Cow::Owned(cleaned.replace('\n', " ")),
    }
}

/// JSON text (serde_json's, so control characters are already escaped)
/// with the characters JSON leaves as they are but code should not hold
/// raw escaped too: line and paragraph separators, bidirectional controls,
/// DEL and C1 controls. Outside strings JSON has none of them, so the value
/// is unchanged.
pub fn json_for_code(json: String) -> String {
    match json_for_code_borrowed(&json) {
        Cow::Borrowed(_) => json,
        Cow::Owned(escaped) => escaped,
    }
}

/// [`json_for_code`] of text the caller keeps: borrowed when nothing
/// needs escaping (the usual case), so megabytes are not copied to find
/// that out.
pub fn json_for_code_borrowed(json: &str) -> Cow<'_, str> {
    let needs =
        |c: char| c == '\u{2028}' || c == '\u{2029}' || is_bidi_control(c) || c.is_control();
    // Printable ASCII and line breaks need nothing: checked a byte at a
    // time first (the document and the validator program, one definition
    // per line, run to megabytes).
    if is_ascii_lines(json.as_bytes()) || !json.chars().any(needs) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs(c) && !matches!(c, '\n' | '\t' | '\r') {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether every byte is printable ASCII (space to `~`), a tab, a line feed
/// or a carriage return: in blocks with no early exit, which the compiler
/// turns into vector instructions.
pub fn is_ascii_lines(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|block| {
        block.iter().fold(true, |all, &b| {
            all & ((b.wrapping_sub(b' ') < 0x5f) | (b == b'\n') | (b == b'\t') | (b == b'\r'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_lines_are_printable_ascii_and_line_breaks() {
        for b in 0..=255u8 {
            let expected = (b' '..=b'~').contains(&b) || matches!(b, b'\n' | b'\t' | b'\r');
            for len in [1, 64, 65, 200] {
                let mut bytes = vec![b'a'; len];
                bytes[len / 2] = b;
                assert_eq!(is_ascii_lines(&bytes), expected, "{len} {b}");
            }
        }
        assert!(is_ascii_lines(b""));
        let program = "{\"defs\":[\n{\"t\":\"any\"},\n{\"t\":\"str\"}\n]}".to_owned();
        assert_eq!(json_for_code(program.clone()), program);
        assert_eq!(
            json_for_code("[\"a\u{2028}b\"]\n".to_owned()),
            "[\"a\\u2028b\"]\n"
        );
    }

    #[test]
    fn line_breaks_of_every_kind_become_newlines() {
        assert_eq!(
            clean("a\r\nb\rc\u{2028}d\u{2029}e\u{85}f\u{0B}g\u{0C}h\ni"),
            "a\nb\nc\nd\ne\nf\ng\nh\ni"
        );
        assert_eq!(clean("a\r\r\nb"), "a\n\nb");
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped() {
        assert_eq!(clean("a\0b\u{1b}[31mc\u{7f}d\u{9b}e\tf"), "ab[31mcde\tf");
        assert_eq!(clean("x\u{202E}y\u{2066}z"), "xyz");
        assert!(matches!(clean("plain text\nok"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\r\nb"), "a b");
    }

    #[test]
    fn json_keeps_its_value() {
        let value = serde_json::json!({"k\u{2028}": "a\u{202E}b\u{7f}\u{85}\n"});
        let text = json_for_code(value.to_string());
        assert!(text.is_ascii(), "{text}");
        assert_eq!(json_for_code("[1,\n2]".into()), "[1,\n2]");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }
}
