//! Doc comments from spec text (`title`, `summary`, `description`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Name, Origin};

/// `#[doc]` attributes for the given paragraphs (empty ones are skipped).
///
/// Spec text is Markdown written for people, not rustdoc: code fences are
/// marked `text` and deep indentation is trimmed, so nothing in a description
/// can become a doctest that runs (and fails) in the user's crate.
pub fn doc_attrs<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for text in paragraphs.into_iter().flatten() {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(safe_markdown(text));
    }
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
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
        format!("From {}", origin.file)
    } else {
        format!("From {}#{}", origin.file, origin.pointer)
    }
}

fn safe_markdown(text: &str) -> Vec<String> {
    let mut in_fence = false;
    text.lines()
        .map(|line| {
            let line = line.trim_end();
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let fence = &trimmed[..3];
                let line = if in_fence {
                    fence.to_string()
                } else {
                    format!("{fence}text")
                };
                in_fence = !in_fence;
                return line;
            }
            if in_fence {
                return line.to_string();
            }
            let indent = line.len() - trimmed.len();
            format!("{}{trimmed}", " ".repeat(indent.min(3)))
        })
        .collect()
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

    #[test]
    fn fences_become_text_and_indent_is_capped() {
        let lines = safe_markdown("Intro\n```json\n    {\"a\": 1}\n```\n\n        code?");
        assert_eq!(
            lines,
            ["Intro", "```text", "    {\"a\": 1}", "```", "", "   code?"]
        );
    }
}
