//! `/** … */` comments from the spec's titles, summaries and descriptions.

/// Paragraphs of documentation, rendered as one JSDoc block.
#[derive(Debug, Default)]
pub struct Doc {
    paragraphs: Vec<String>,
}

impl Doc {
    pub fn new() -> Self {
        Doc::default()
    }

    /// Adds a paragraph unless it is empty or repeats one already added.
    pub fn text(mut self, text: Option<&str>) -> Self {
        if let Some(text) = text {
            let text = crate::text::clean(text);
            let text = text.trim();
            if !text.is_empty() && !self.paragraphs.iter().any(|p| p == text) {
                self.paragraphs.push(text.to_string());
            }
        }
        self
    }

    /// Adds a JSDoc tag line such as `@deprecated`.
    pub fn tag(mut self, tag: &str) -> Self {
        self.paragraphs.push(tag.to_string());
        self
    }

    /// The comment, indented by `indent` spaces and ending in a newline, or
    /// an empty string when there is nothing to say.
    pub fn render(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut lines: Vec<String> = Vec::new();
        for (i, paragraph) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                lines.push(String::new());
            }
            lines.extend(paragraph.lines().map(|line| escape(line.trim_end())));
        }
        match lines.as_slice() {
            [] => String::new(),
            [line] => format!("{pad}/** {line} */\n"),
            _ => {
                let mut out = format!("{pad}/**\n");
                for line in &lines {
                    if line.is_empty() {
                        out.push_str(&format!("{pad} *\n"));
                    } else {
                        out.push_str(&format!("{pad} * {line}\n"));
                    }
                }
                out.push_str(&format!("{pad} */\n"));
                out
            }
        }
    }
}

/// Keeps text from ending the comment early.
fn escape(line: &str) -> String {
    line.replace("*/", "*\\/")
}

/// `text` for one line of a comment of either kind: line breaks (U+2028 and
/// U+2029 end a line in TypeScript too) and other control characters become
/// spaces, and `*/` cannot end a block comment.
pub fn inline(text: &str) -> String {
    // One line, without controls or bidirectional formatting characters
    // (a pattern holding U+2066 reached a comment raw).
    escape(&crate::text::one_line(text))
}

/// A name from the document, for a comment of the template (`// Channel
/// NAME`, `/** … NAME … */`): on one line, and unable to end the comment.
pub fn comment_text(text: &str) -> String {
    escape(crate::text::one_line(text).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_and_blocks() {
        assert_eq!(Doc::new().render(0), "");
        assert_eq!(Doc::new().text(Some("  Hi. ")).render(2), "  /** Hi. */\n");
        let doc = Doc::new()
            .text(Some("Title"))
            .text(Some("Line one\nLine */ two\n"))
            .text(Some("Title"))
            .render(0);
        assert_eq!(
            doc,
            "/**\n * Title\n *\n * Line one\n * Line *\\/ two\n */\n"
        );
    }

    #[test]
    fn inline_text_stays_on_its_line() {
        assert_eq!(inline("room:{id}"), "room:{id}");
        assert_eq!(inline("a\nb */ c\u{2028}d"), "a b *\\/ c d");
        assert_eq!(inline("x\u{2066}y\u{202e}z\u{85}"), "xyz ");
    }

    #[test]
    fn text_cannot_end_or_break_the_comment() {
        assert_eq!(
            Doc::new().text(Some("a */ b\r\0c\u{2028}d*/")).render(1),
            " /**\n  * a *\\/ b\n  * c\n  * d*\\/\n  */\n"
        );
        assert_eq!(Doc::new().text(Some("x\r\n")).render(0), "/** x */\n");
        assert_eq!(comment_text("a\nb */ c\u{2029}"), "a b *\\/ c");
    }
}
