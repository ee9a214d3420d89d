//! Diagnostics for people, rendered as rustc renders its own: the title with
//! its code, the file and position, the offending line with a caret under
//! the node, the node's JSON pointer, and the hint.
//!
//! ```text
//! error[schema]: `strnig` is not a JSON Schema type
//!  --> specs/chat.yaml:12:15
//!    |
//! 12 |         type: strnig
//!    |               ^^^^^^ /components/schemas/Chat/type
//!    |
//!    = help: did you mean `string`?
//! ```
//!
//! `annotate-snippets` draws it: the crate rustc and cargo use for the same
//! job, small (no dependency beyond `anstyle` and `unicode-width`), plain or
//! in colour. The one-line form (`Display` of [`Diagnostic`]) stays for logs
//! and tests; JSON output is unchanged.

use std::collections::HashMap;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::source::Limits;

/// Renders `diagnostics`, reading each file they name once for its lines;
/// `color` adds ANSI styles (for a terminal).
pub fn render(diagnostics: &Diagnostics, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut sources = Sources::default();
    let mut out = String::new();
    for diagnostic in &diagnostics.0 {
        out.push_str(&render_one(diagnostic, &mut sources, &renderer));
        out.push_str("\n\n");
    }
    out
}

fn render_one(d: &Diagnostic, sources: &mut Sources, renderer: &Renderer) -> String {
    let level = if d.is_error() {
        Level::ERROR
    } else {
        Level::WARNING
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let mut group = Group::with_title(title);
    if let Some(location) = &d.location {
        let label = (!d.pointer.is_empty()).then_some(d.pointer.as_str());
        group = match sources.line(location) {
            Some((text, span)) => group.element(
                Snippet::source(text)
                    .line_start(location.line as usize)
                    .path(location.file.as_str())
                    .annotation(AnnotationKind::Primary.span(span).label(label)),
            ),
            // The file changed or cannot be read again: the position alone.
            None => group.element(
                Origin::path(location.file.as_str())
                    .line(location.line as usize)
                    .char_column(location.col as usize),
            ),
        };
    }
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    renderer.render(&[group])
}

/// The files diagnostics point into, read once each.
#[derive(Default)]
struct Sources {
    files: HashMap<String, Option<File>>,
}

struct File {
    text: String,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl Sources {
    /// The text of `location`'s line and the span of the node it points at.
    fn line(&mut self, location: &Location) -> Option<(String, Range<usize>)> {
        let file = self
            .files
            .entry(location.file.clone())
            .or_insert_with(|| File::read(&location.file))
            .as_ref()?;
        let index = (location.line as usize).checked_sub(1)?;
        let start = *file.line_starts.get(index)?;
        let end = file
            .line_starts
            .get(index + 1)
            .map_or(file.text.len(), |&next| next);
        let line = file.text[start..end].trim_end_matches(['\n', '\r']);
        let span = node_span(line, location.col as usize);
        Some((line.to_string(), span))
    }
}

impl File {
    fn read(path: &str) -> Option<File> {
        let bytes =
            crate::read::read_limited(path.as_ref(), Limits::default().max_file_bytes).ok()?;
        // A file that is not UTF-8 is shown with its bad bytes replaced.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Some(File { text, line_starts })
    }
}

/// The bytes of `line` taken by the node starting at character `col`
/// (1-based): a quoted string to its closing quote, otherwise up to the
/// `:` that ends a key, a `,` `]` `}` of a flow collection, a comment or the
/// end of the line. An empty span (past the end) still shows a caret.
fn node_span(line: &str, col: usize) -> Range<usize> {
    let start = line
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = match rest.chars().next() {
        // A tab is the problem itself (indentation).
        Some('\t') => 1,
        Some(quote @ ('"' | '\'')) => closing_quote(rest, quote),
        Some(_) => plain_token(rest),
        None => 0,
    };
    start..start + len
}

fn closing_quote(rest: &str, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return i + c.len_utf8(),
            _ => escaped = false,
        }
    }
    rest.len()
}

fn plain_token(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut end = rest.len();
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        let ends = match b {
            b':' => matches!(next, None | Some(b' ' | b'\t')),
            b',' | b']' | b'}' => i > 0,
            b'#' => i > 0 && bytes[i - 1] == b' ',
            _ => false,
        };
        if ends {
            end = i;
            break;
        }
    }
    rest[..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_node() {
        let line = "    type: strnig  # a typo";
        assert_eq!(&line[node_span(line, 5)], "type");
        assert_eq!(&line[node_span(line, 11)], "strnig");
        let line = r#"  title: "a \" b", x"#;
        assert_eq!(&line[node_span(line, 10)], r#""a \" b""#);
        let line = "  enum: [a, bb, c]";
        assert_eq!(&line[node_span(line, 13)], "bb");
        let line = "  url: http://x:80/y";
        assert_eq!(&line[node_span(line, 8)], "http://x:80/y");
        assert_eq!(node_span("ab", 9), 2..2);
        assert_eq!(&"  é: ü"[node_span("  é: ü", 6)], "ü");
    }

    #[test]
    fn a_diagnostic_shows_its_line_caret_pointer_and_hint() {
        let dir = crate::test_files::scratch_dir("render");
        let file = dir.join("doc.yaml");
        std::fs::write(&file, "a: 1\ninfo:\n  title: 5\n").unwrap();
        let name = file.display().to_string();
        let diagnostic =
            Diagnostic::error(crate::diag::Code::Schema, "expected string, found number")
                .at(
                    Some(Location {
                        file: name.clone(),
                        line: 3,
                        col: 10,
                    }),
                    "/info/title",
                )
                .with_hint("quote it");
        let text = render(&diagnostic.into(), false);
        std::fs::remove_dir_all(&dir).ok();
        let expected = format!(
            "error[schema]: expected string, found number\n \
             --> {name}:3:10\n  \
             |\n\
             3 |   title: 5\n  \
             |          ^ /info/title\n  \
             |\n  \
             = help: quote it\n\n"
        );
        assert_eq!(text, expected);
    }
}
