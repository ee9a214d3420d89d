//! What libyaml (PyYAML, the AsyncAPI tools' js-yaml alike) reads and the
//! YAML 1.2 text refuses: a flow collection (`{…}`, `[…]`) continued on
//! lines indented no deeper than the block it sits in:
//!
//! ```yaml
//! payload: {type: object, properties: {a: {type: string},
//!   b: {type: integer}}}
//! examples:
//!   - payload: {"a": "x",
//!  "b": 1}
//! ```
//!
//! Inside a flow collection indentation means nothing to libyaml, so when
//! the strict parser refuses a document, its continuation lines are
//! indented past their block and the document parsed again. Lines keep
//! their numbers; only the columns of the moved lines shift.

/// `text` with each flow-collection continuation line indented one column
/// past the line that opened the collection, or `None` when no line needs it.
pub fn indent_flow_continuations(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    let mut depth = 0usize;
    // Indentation of the line that opened the outermost flow collection.
    let mut opener_indent = 0usize;
    let mut quote: Option<char> = None;
    // Inside a block scalar (`|`, `>`): lines indented deeper than this.
    let mut block_scalar: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(parent) = block_scalar {
            if blank || indent > parent {
                out.push_str(line);
                continue;
            }
            block_scalar = None;
        }
        if depth > 0 && quote.is_none() && !blank && indent <= opener_indent {
            out.extend(std::iter::repeat_n(' ', opener_indent + 1 - indent));
            changed = true;
        }
        let opened_here = depth == 0;
        scan_line(line, &mut depth, &mut quote);
        if opened_here && depth > 0 {
            opener_indent = content_indent(line);
        }
        if depth == 0 && quote.is_none() && opens_block_scalar(line) {
            block_scalar = Some(indent);
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// Follows brackets and quotes along one line.
fn scan_line(line: &str, depth: &mut usize, quote: &mut Option<char>) {
    let mut previous = ' ';
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match *quote {
            Some('"') => match c {
                '\\' => {
                    chars.next();
                }
                '"' => *quote = None,
                _ => {}
            },
            Some(_) => {
                // `''` is an escaped quote inside a single-quoted scalar.
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        *quote = None;
                    }
                }
            }
            None => match c {
                // A quote opens a scalar only where a scalar can start.
                '"' | '\'' if starts_scalar(previous) => *quote = Some(c),
                '#' if previous.is_whitespace() => return,
                '[' | '{' => *depth += 1,
                ']' | '}' => *depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
}

/// Where a line's block content starts: past its indentation and any
/// sequence dashes (`  - - key:` → the column of `key`).
fn content_indent(line: &str) -> usize {
    let mut rest = line.trim_start_matches(' ');
    while let Some(after) = rest.strip_prefix("- ") {
        rest = after.trim_start_matches(' ');
    }
    line.len() - rest.len()
}

fn starts_scalar(previous: char) -> bool {
    previous.is_whitespace() || matches!(previous, ':' | ',' | '[' | '{' | '-')
}

/// Whether a block line ends with a block scalar indicator (`key: |`, `- >-`).
fn opens_block_scalar(line: &str) -> bool {
    let content = line.split(" #").next().unwrap_or("").trim_end();
    let Some(last) = content.split_whitespace().last() else {
        return false;
    };
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
        && (content.len() == last.len()
            || content[..content.len() - last.len()]
                .trim_end()
                .ends_with([':', '-']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_move_past_their_opener() {
        let text = "a:\n  b: {x: 1,\n y: 2}\n  c: [1,\n2]\n";
        assert_eq!(
            indent_flow_continuations(text).as_deref(),
            Some("a:\n  b: {x: 1,\n   y: 2}\n  c: [1,\n   2]\n")
        );
    }

    #[test]
    fn continuation_lines_move_past_a_sequence_entry() {
        let text = "l:\n  - p: {\"a\": 1,\n \"b\": 2}\n";
        assert_eq!(
            indent_flow_continuations(text).as_deref(),
            Some("l:\n  - p: {\"a\": 1,\n     \"b\": 2}\n")
        );
    }

    #[test]
    fn well_indented_text_is_left_alone() {
        assert_eq!(indent_flow_continuations("a: {x: 1,\n  y: 2}\n"), None);
        assert_eq!(indent_flow_continuations("a: 1\nb: [1, 2]\n"), None);
    }

    #[test]
    fn quotes_comments_and_block_scalars_hide_brackets() {
        // A bracket in a string, a comment or a block scalar opens nothing.
        let text = "a: \"[\"\nb: 'x{'\nc: 1 # [\nd: |\n  [ not flow\ne: don't\n";
        assert_eq!(indent_flow_continuations(text), None);
    }

    #[test]
    fn a_string_spanning_lines_is_not_reindented() {
        let text = "a: {x: \"one\ntwo\", y: 1}\n";
        assert_eq!(indent_flow_continuations(text), None);
    }
}
