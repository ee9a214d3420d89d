//! JSON constants in generated code: writing exactly one value and
//! recognising it again (const markers, non-string enums).

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

/// An expression serializing `value` with the `serializer` in scope.
pub fn serialize_expr(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(serializer.serialize_unit()),
        Value::Bool(b) => quote!(serializer.serialize_bool(#b)),
        Value::String(s) => quote!(serializer.serialize_str(#s)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let lit = Literal::i64_suffixed(i);
                quote!(serializer.serialize_i64(#lit))
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(serializer.serialize_u64(#lit))
            } else {
                let lit = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
                quote!(serializer.serialize_f64(#lit))
            }
        }
        Value::Array(_) | Value::Object(_) => {
            let text = value.to_string();
            quote! {
                match ::serde_json::from_str::<::serde_json::Value>(#text) {
                    ::std::result::Result::Ok(value) => ::serde::Serialize::serialize(&value, serializer),
                    ::std::result::Result::Err(error) => ::std::result::Result::Err(
                        <S::Error as ::serde::ser::Error>::custom(error),
                    ),
                }
            }
        }
    }
}

/// A `bool` expression: does the `::serde_json::Value` named `value` equal `expected`?
pub fn matches_expr(expected: &Value) -> TokenStream {
    match expected {
        Value::Null => quote!(value.is_null()),
        Value::Bool(b) => quote!(value.as_bool() == ::std::option::Option::Some(#b)),
        Value::String(s) => quote!(value.as_str() == ::std::option::Option::Some(#s)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let lit = Literal::i64_suffixed(i);
                quote!(value.as_i64() == ::std::option::Option::Some(#lit))
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(value.as_u64() == ::std::option::Option::Some(#lit))
            } else {
                let lit = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
                quote!(value.is_f64() && value.as_f64() == ::std::option::Option::Some(#lit))
            }
        }
        Value::Array(_) | Value::Object(_) => {
            let text = expected.to_string();
            quote! {
                ::serde_json::from_str::<::serde_json::Value>(#text).ok().as_ref()
                    == ::std::option::Option::Some(&value)
            }
        }
    }
}

/// The value as JSON text, for error messages (`"chat"`, `1`, `null`).
pub fn json_text(value: &Value) -> String {
    value.to_string()
}

/// The literal [`raw_string_text`] wrote for `text`, as a token (a plain
/// string literal of `text` should it ever fail to lex).
pub fn lexed(literal: &str, text: &str) -> Literal {
    literal.parse().unwrap_or_else(|_| Literal::string(text))
}

/// A raw string literal (`r#"…"#`) holding `text`, with enough `#`s that
/// nothing inside ends it; a plain literal when `text` holds what a raw
/// string cannot (a carriage return, a quote followed by 255 `#`s) or
/// should not (bidirectional controls, which rustc denies in literals).
/// Written as source text, without lexing it into a [`Literal`] (the
/// document and the validator program run to megabytes).
pub fn raw_string_text(text: &str) -> String {
    let mut literal = String::new();
    push_raw_string(&mut literal, text);
    literal
}

/// [`raw_string_text`], written at the end of `out`: a literal of
/// megabytes is then copied once, into where it goes.
fn push_raw_string(out: &mut String, text: &str) {
    // ASCII holds no bidi control: checked a byte at a time first.
    let ascii = text.is_ascii();
    if text.as_bytes().contains(&b'\r') || !ascii && text.chars().any(crate::text::is_bidi_control)
    {
        out.push_str(&Literal::string(text).to_string());
        return;
    }
    // One more `#` than the longest run of them after a quote (bytes: no
    // other character's encoding holds either). Each `"#` is found with
    // memmem, a vector at a time: a byte at a time this was 16 million
    // instructions for the 4 MB document of a large spec, whose every
    // `$ref` holds one.
    let bytes = text.as_bytes();
    let mut longest = 0;
    for at in memchr::memmem::find_iter(bytes, b"\"#") {
        let run = bytes[at + 1..]
            .iter()
            .take(255)
            .take_while(|&&b| b == b'#')
            .count();
        longest = longest.max(run);
        if longest >= 255 {
            break;
        }
    }
    // Rust allows at most 255.
    if longest >= 255 {
        out.push_str(&Literal::string(text).to_string());
        return;
    }
    let fence = &FENCE[..=longest];
    out.reserve(text.len() + 2 * fence.len() + 3);
    out.push('r');
    out.push_str(fence);
    out.push('"');
    out.push_str(text);
    out.push('"');
    out.push_str(fence);
}

/// `open`, the [`raw_string_text`] of `text`, then `close`, in one buffer
/// (an item written as text around a literal of megabytes, copied once),
/// and the literal's length.
pub fn around_raw_string(open: &str, text: &str, close: &str) -> (String, usize) {
    let mut out = String::with_capacity(open.len() + text.len() + close.len() + 16);
    out.push_str(open);
    push_raw_string(&mut out, text);
    let literal_len = out.len() - open.len();
    out.push_str(close);
    (out, literal_len)
}

/// The longest fence a raw string may have.
const FENCE: &str = match str::from_utf8(&[b'#'; 255]) {
    Ok(fence) => fence,
    Err(_) => panic!("`#` is UTF-8"),
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The fence of `raw_string_text` is one `#` more than the longest run
    /// of them after a quote, as a byte at a time finds it.
    #[test]
    fn the_fence_outruns_every_quote_and_hashes() {
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            let len = (crate::test_files::xorshift(&mut state) % 40) as usize;
            let text: String = (0..len)
                .map(|_| match crate::test_files::xorshift(&mut state) % 4 {
                    0 => '"',
                    1 | 2 => '#',
                    _ => 'a',
                })
                .collect();
            let (mut longest, mut run) = (0, None);
            for b in text.bytes() {
                run = match (b, run) {
                    (b'"', _) => Some(0),
                    (b'#', Some(n)) => Some(n + 1),
                    _ => None,
                };
                longest = run.map_or(longest, |n: usize| longest.max(n));
            }
            let fence = "#".repeat(longest + 1);
            assert_eq!(
                raw_string_text(&text),
                format!("r{fence}\"{text}\"{fence}"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn raw_strings_are_never_ended_early() {
        assert_eq!(raw_string_text("{}").to_string(), "r#\"{}\"#");
        assert_eq!(raw_string_text("a\"#b").to_string(), "r##\"a\"#b\"##");
        let quotes = format!("\"{}", "#".repeat(100_000));
        assert!(
            raw_string_text(&quotes)
                .to_string()
                .starts_with("\"\\\"###")
        );
        let most = format!("\"{}", "#".repeat(254));
        assert!(
            raw_string_text(&most)
                .to_string()
                .ends_with(&"#".repeat(255))
        );
        assert_eq!(raw_string_text("a\rb").to_string(), "\"a\\rb\"");
        assert_eq!(raw_string_text("\u{202e}").to_string(), "\"\\u{202e}\"");
        // The text lexes as the literal it spells.
        for text in ["{}", "a\"#b", "a\rb", "\u{202e}", "é\n\"##x"] {
            let literal = raw_string_text(text);
            assert_eq!(lexed(&literal, text).to_string(), literal);
        }
    }
}
