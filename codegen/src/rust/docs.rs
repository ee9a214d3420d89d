//! Doc comments from spec text (`title`, `summary`, `description`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Name, Origin};

/// Separates the lines of one `#[doc]` attribute: [`doc_attrs`] writes a
/// whole doc comment as one attribute (one token, however many lines it
/// has, so a description of millions of lines costs no more than its
/// bytes), and [`super::layout::split_doc_lines`] turns it into one `///`
/// line per line as each item is added to the module (and once more over
/// the whole module, for doc comments written inside macro calls). Spec text never holds it
/// ([`crate::text::clean`] drops control characters).
pub const LINE_SEPARATOR: char = '\u{1f}';

/// The `#[doc]` attribute for the given paragraphs (empty ones are
/// skipped), or nothing.
///
/// Spec text is Markdown written for people, not rustdoc: code fences are
/// marked `text` and deep indentation is trimmed, so nothing in a description
/// can become a doctest that runs (and fails) in the user's crate.
pub fn doc_attrs<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    match doc_text(paragraphs) {
        Some(doc) => quote!(#[doc = #doc]),
        None => TokenStream::new(),
    }
}

/// The value of [`doc_attrs`]'s attribute, if it has one.
pub fn doc_text<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    let mut doc = String::new();
    for text in paragraphs.into_iter().flatten() {
        let text = crate::text::clean(text);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if !doc.is_empty() {
            // A blank line between paragraphs.
            doc.push(LINE_SEPARATOR);
            doc.push(LINE_SEPARATOR);
        }
        safe_markdown(text, &mut doc);
    }
    (!doc.is_empty()).then_some(doc)
}

/// A `#[doc]` attribute holding one line the generator writes, which may
/// quote names from the document.
pub fn doc_line(line: &str) -> TokenStream {
    let line = format!(" {}", crate::text::one_line(line).trim());
    quote!(#[doc = #line])
}

/// Whether a schema `title` only repeats the name of its type: pydantic
/// writes the class or field name there (`ChatPayload`, `Level`), which a
/// doc comment above `pub struct ChatPayload` (or `NotificationPayloadLevel`,
/// made for the field `level`) would only echo. Compared ignoring case and
/// separators, against the whole name and against its last words.
pub fn title_is_name(title: &str, name: &Name) -> bool {
    let title = squash(title);
    if title.is_empty() || title == squash(&name.spec) {
        return true;
    }
    // A clash suffix (`Level_2`) is not part of the name.
    let pascal = match name.pascal.rsplit_once('_') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name.pascal.as_str(),
    };
    // Every word start of the PascalCase name begins a candidate tail.
    pascal
        .char_indices()
        .filter(|&(i, c)| i == 0 || c.is_ascii_uppercase())
        .any(|(i, _)| squash(&pascal[i..]) == title)
}

/// Lowercase letters and digits only.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The provenance line of a generated type: `From FILE#POINTER`.
pub fn origin_line(origin: &Origin) -> String {
    if origin.pointer.is_empty() {
        ["From ", &origin.file].concat()
    } else {
        ["From ", &origin.file, "#", &origin.pointer].concat()
    }
}

/// Appends the lines of `text` (clean, trimmed), each led by a space
/// unless empty and separated by [`LINE_SEPARATOR`], to `out`.
fn safe_markdown(text: &str, out: &mut String) {
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        if index > 0 {
            out.push(LINE_SEPARATOR);
        }
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        out.push(' ');
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push_str(&trimmed[..3]);
            if !in_fence {
                out.push_str("text");
            }
            in_fence = !in_fence;
        } else if in_fence {
            out.push_str(line);
        } else {
            let indent = line.len() - trimmed.len();
            for _ in 0..indent.min(3) {
                out.push(' ');
            }
            out.push_str(trimmed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(spec: &str, pascal: &str) -> Name {
        Name {
            spec: spec.into(),
            pascal: pascal.into(),
            snake: String::new(),
        }
    }

    #[test]
    fn titles_that_repeat_the_name_are_recognised() {
        let level = name("NotificationPayloadLevel", "NotificationPayloadLevel");
        assert!(title_is_name("Level", &level));
        assert!(title_is_name("payload level", &level));
        assert!(title_is_name("Notification-Payload-Level", &level));
        assert!(!title_is_name("Notification level", &level));
        assert!(!title_is_name("Severity", &level));
        let payload = name("chat_payload", "ChatPayload");
        assert!(title_is_name("ChatPayload", &payload));
        assert!(title_is_name("Payload", &payload));
        assert!(!title_is_name("Chat", &payload));
        assert!(!title_is_name("The payload of a chat message", &payload));
        assert!(title_is_name("Level", &name("Level", "Level_2")));
        assert!(title_is_name("", &payload));
        assert!(title_is_name("名前", &name("名前", "ProfileName")));
        assert!(!title_is_name("名前", &payload));
    }

    #[test]
    fn origins_name_the_file_and_pointer() {
        let origin = |file: &str, pointer: &str| Origin {
            file: file.into(),
            pointer: pointer.into(),
        };
        assert_eq!(
            origin_line(&origin(
                "specs/chat.yaml",
                "/components/schemas/ChatPayload"
            )),
            "From specs/chat.yaml#/components/schemas/ChatPayload"
        );
        assert_eq!(
            origin_line(&origin("schemas/point.json", "")),
            "From schemas/point.json"
        );
    }

    fn lines(text: &str) -> Vec<String> {
        let mut out = String::new();
        safe_markdown(text, &mut out);
        out.split(LINE_SEPARATOR).map(str::to_string).collect()
    }

    #[test]
    fn fences_become_text_and_indent_is_capped() {
        assert_eq!(
            lines("Intro\n```json\n    {\"a\": 1}\n```\n\n        code?"),
            [
                " Intro",
                " ```text",
                "     {\"a\": 1}",
                " ```",
                "",
                "    code?"
            ]
        );
    }

    #[test]
    fn one_attribute_holds_every_line() {
        let tokens = doc_attrs([
            Some("Title\r\nsecond\rthird\0"),
            None,
            Some(" "),
            Some("Para"),
        ]);
        let expected = format!(" Title{0} second{0} third{0}{0} Para", LINE_SEPARATOR);
        assert_eq!(tokens.to_string(), quote!(#[doc = #expected]).to_string());
        assert!(doc_attrs([None, Some(" \n ")]).is_empty());
    }
}
