//! Doc comments from spec text (`title`, `summary`, `description`).

use proc_macro2::TokenStream;
use quote::quote;

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

    #[test]
    fn fences_become_text_and_indent_is_capped() {
        let lines = safe_markdown("Intro\n```json\n    {\"a\": 1}\n```\n\n        code?");
        assert_eq!(
            lines,
            ["Intro", "```text", "    {\"a\": 1}", "```", "", "   code?"]
        );
    }
}
