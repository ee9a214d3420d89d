//! Block YAML as documents are mostly written, read straight into the
//! tree without yaml_rust2's scanner (its token queue and per-character
//! bookkeeping were most of loading a large document).
//!
//! Only a plain subset is read here: block mappings and sequences
//! indented with spaces, keys on one line, values on one line (plain or
//! quoted, with escapes in double quotes) or plain or quoted over several
//! lines (no escapes), one-line flow sequences and mappings of such
//! scalars and of each other, literal and folded block scalars in their
//! common shapes (descriptions are written so), comments and blank lines,
//! with LF or CRLF line breaks.
//! Anything else (an anchor, a tag, a tab, an empty value, a document
//! marker, an escaped line break...)
//! and [`load`] gives up: the caller then
//! parses the text with yaml_rust2 from the start, so what a document
//! means, and every error, is always what yaml_rust2 makes of it. The
//! tests check that both read every document of the corpus, and mutants
//! of them, into the same tree and positions.

use yaml_rust2::scanner::TScalarStyle;

use super::{Mark, TreeBuilder};

/// The text is not read here; parse it with yaml_rust2.
#[derive(Debug)]
pub(super) struct Unsupported;

type Read<T> = Result<T, Unsupported>;

/// Nesting followed here; deeper documents are left to yaml_rust2 (and
/// its limit).
const MAX_NESTING: usize = 64;

/// Reads `text` into `builder`. On `Err`, `builder` holds part of the
/// document and must be dropped.
pub(super) fn load(text: &str, builder: &mut TreeBuilder<'_>) -> Read<()> {
    // A tab may be indentation or separation, whose rules are left to
    // yaml_rust2; so is a byte order mark anywhere, and a carriage return
    // that is not half of a CRLF line break. (yaml_rust2 also reads a NUL
    // as the end of the text.)
    let bytes = text.as_bytes();
    if memchr::memchr2(b'\t', b'\0', bytes).is_some() || text.contains('\u{feff}') {
        return Err(Unsupported);
    }
    let mut crlf = false;
    for at in memchr::memchr_iter(b'\r', bytes) {
        if bytes.get(at + 1) != Some(&b'\n') {
            return Err(Unsupported);
        }
        crlf = true;
    }
    let mut scanner = Scanner {
        text,
        crlf,
        next: 0,
        number: 0,
        line: None,
    };
    scanner.advance();
    builder.documents += 1;
    scanner.node_below(builder, 0, 0)?;
    // One document, nothing after its top node.
    match scanner.line {
        None => Ok(()),
        Some(_) => Err(Unsupported),
    }
}

/// A line with content: its number (from 1), indentation and text (no newline).
#[derive(Clone, Copy)]
struct Line<'t> {
    number: usize,
    indent: usize,
    text: &'t str,
}

impl Line<'_> {
    /// Whether a block sequence entry (`- ` or a lone `-`) starts at `at`.
    fn entry_at(&self, at: usize) -> bool {
        let rest = &self.text.as_bytes()[at..];
        rest.first() == Some(&b'-') && matches!(rest.get(1), None | Some(b' '))
    }

    fn mark(&self, at: usize) -> Mark {
        self.mark_after(
            0,
            Mark {
                line: self.number,
                col: 0,
            },
            at,
        )
    }

    /// The mark of byte `at`, from `mark`, that of byte `from` before it.
    fn mark_after(&self, from: usize, mark: Mark, at: usize) -> Mark {
        let between = &self.text[from..at];
        let chars = if between.is_ascii() {
            between.len()
        } else {
            between.chars().count()
        };
        Mark {
            line: self.number,
            col: mark.col + chars,
        }
    }
}

struct Scanner<'t> {
    text: &'t str,
    /// Lines end with CRLF (each `\r` is followed by `\n`).
    crlf: bool,
    /// Where the line after `line` starts.
    next: usize,
    /// The number of the last line read.
    number: usize,
    /// The current line with content; `None` at the end of the text.
    line: Option<Line<'t>>,
}

impl<'t> Scanner<'t> {
    /// Moves to the next line with content (not blank, not only a comment).
    fn advance(&mut self) {
        self.line = None;
        // Lines are short: `find` and `trim` cost more in setting up than
        // in searching.
        let bytes = self.text.as_bytes();
        while self.next < bytes.len() {
            let start = self.next;
            let indent = spaces_from(bytes, start);
            let from = start + indent;
            let end = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |at| from + at);
            self.next = end + 1;
            self.number += 1;
            let end = self.content_end(from, end);
            if start + indent == end || bytes[start + indent] == b'#' {
                continue;
            }
            self.line = Some(Line {
                number: self.number,
                indent,
                text: &self.text[start..end],
            });
            return;
        }
    }

    fn current(&self) -> Read<Line<'t>> {
        self.line.ok_or(Unsupported)
    }

    /// The block node starting on the current line, indented at least
    /// `min_indent`.
    fn node_below(
        &mut self,
        builder: &mut TreeBuilder<'_>,
        min_indent: usize,
        depth: usize,
    ) -> Read<()> {
        let line = self.current()?;
        if line.indent < min_indent || depth > MAX_NESTING {
            return Err(Unsupported);
        }
        if line.entry_at(line.indent) {
            self.sequence(builder, line.indent, false, depth)
        } else {
            self.mapping(builder, line.indent, depth)
        }
    }

    /// A block mapping whose keys are at column `col`, the first on the
    /// current line.
    fn mapping(&mut self, builder: &mut TreeBuilder<'_>, col: usize, depth: usize) -> Read<()> {
        // Checked here too, not only in `node_below`: a mapping in a
        // sequence at its key's column in a mapping in a sequence... nests
        // without passing through it.
        if depth > MAX_NESTING {
            return Err(Unsupported);
        }
        let first = self.current()?;
        builder.start_container(first.mark(col), 0, true);
        loop {
            let line = self.current()?;
            let key = key_at(line.text, col).ok_or(Unsupported)?;
            builder.scalar(line.mark(col), key.text, key.style, 0, None);
            match value_start(line.text, key.colon + 1) {
                Some(at) => {
                    self.inline_value(builder, line, at, col, depth)?;
                    self.advance();
                }
                None => {
                    self.advance();
                    // A sequence may sit at its key's own indentation.
                    match self.line {
                        Some(next) if next.indent == col && next.entry_at(col) => {
                            self.sequence(builder, col, true, depth + 1)?
                        }
                        _ => self.node_below(builder, col + 1, depth + 1)?,
                    }
                }
            }
            match self.line {
                Some(next) if next.indent == col && !next.entry_at(col) => continue,
                Some(next) if next.indent > col => return Err(Unsupported),
                _ => break,
            }
        }
        builder.end_container(self.end_mark());
        Ok(())
    }

    /// A block sequence whose `-` are at column `col`, the first on the
    /// current line. `indentless`: it is a mapping value at its key's
    /// column, which yaml_rust2 marks where its first entry's content
    /// starts (or where the line ends), not at the `-`.
    fn sequence(
        &mut self,
        builder: &mut TreeBuilder<'_>,
        col: usize,
        indentless: bool,
        depth: usize,
    ) -> Read<()> {
        if depth > MAX_NESTING {
            return Err(Unsupported);
        }
        let first = self.current()?;
        let start = match indentless {
            true => value_start(first.text, col + 1).unwrap_or(first.text.len()),
            false => col,
        };
        builder.start_container(first.mark(start), 0, false);
        loop {
            let line = self.current()?;
            match value_start(line.text, col + 1) {
                None => {
                    self.advance();
                    self.node_below(builder, col + 1, depth + 1)?;
                }
                Some(at) if line.entry_at(at) => return Err(Unsupported),
                Some(at) if key_at(line.text, at).is_some() => {
                    // `- key: value`: a mapping whose keys line up after the `- `.
                    if at != col + 2 {
                        return Err(Unsupported);
                    }
                    self.mapping(builder, at, depth + 1)?;
                }
                Some(at) => {
                    self.inline_value(builder, line, at, col, depth)?;
                    self.advance();
                }
            }
            match self.line {
                Some(next) if next.indent == col && next.entry_at(col) => continue,
                Some(next) if next.indent > col => return Err(Unsupported),
                _ => break,
            }
        }
        builder.end_container(self.end_mark());
        Ok(())
    }

    /// A plain scalar that starts with `first` on the current line and
    /// goes on over the lines below indented more than the column `parent`
    /// of its key or `-`: each line break read as a space, each empty line
    /// between as a line break, as YAML folds a plain scalar. A line it
    /// goes on to that is not plain text on its own (a comment, `key: `, a
    /// leading indicator) is left to yaml_rust2.
    fn plain_continued(&mut self, first: &str, parent: usize) -> Read<String> {
        let mut text = first.to_owned();
        let (mut at, mut number) = (self.next, self.number);
        let mut empty_lines = 0;
        let bytes = self.text.as_bytes();
        while at < bytes.len() {
            // Most plain values end on their line: the next line's
            // indentation says so before the line is looked for.
            let spaces = spaces_from(bytes, at);
            match bytes.get(at + spaces) {
                None => break,
                Some(b'\n' | b'\r') => {}
                Some(_) if spaces <= parent => break,
                Some(_) => {}
            }
            let (raw, end) = self.raw_line(at)?;
            // The line from `at` holds those spaces, then its content (a
            // CR is only ever cut from after them).
            let content = &raw[spaces.min(raw.len())..];
            if content.is_empty() {
                empty_lines += 1;
            } else if content.starts_with('#') {
                // A comment ends the scalar (a line indented more after it
                // is then refused where the caller checks). A line with
                // content here is indented past `parent`: a CR is always
                // half of a CRLF, so only empty lines passed the check above.
                break;
            } else {
                let content = content.trim_end_matches(' ');
                if !plain_in_block(content) {
                    return Err(Unsupported);
                }
                match empty_lines {
                    0 => text.push(' '),
                    n => text.extend(std::iter::repeat_n('\n', n)),
                }
                text.push_str(content);
                empty_lines = 0;
                (self.next, self.number) = (end + 1, number + 1);
            }
            (at, number) = (end + 1, number + 1);
        }
        Ok(text)
    }

    /// The line starting at byte `at` as it is written (blank lines and
    /// comments included, without its line break), and where that break
    /// is (the end of the text for a last line without one). Past the end
    /// of the text, the scalar read over several lines is left to
    /// yaml_rust2.
    fn raw_line(&self, at: usize) -> Read<(&'t str, usize)> {
        let rest = self.text.as_bytes().get(at..).ok_or(Unsupported)?;
        let end = memchr::memchr(b'\n', rest).map_or(self.text.len(), |len| at + len);
        Ok((&self.text[at..self.content_end(at, end)], end))
    }

    /// Where the text of a line from `from` ends, given its `\n` at `end`:
    /// before the `\r` of a CRLF.
    fn content_end(&self, from: usize, end: usize) -> usize {
        if self.crlf && end > from && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// The text of a quoted scalar that `first` (from its opening quote to
    /// the end of the line) opens and a later line closes, which it then
    /// moves past. Its lines are folded as YAML folds them: each line
    /// break a space, or as many line breaks as empty lines follow it, the
    /// spaces around each break dropped. PyYAML writes long descriptions
    /// so (chanx's documents among them). A backslash in a double-quoted
    /// one, a line not indented more than the column `parent` of its key or
    /// `-`, or the end of the text before the closing quote, and it is left
    /// to yaml_rust2.
    fn quoted_over_lines(&mut self, first: &str, quote: u8, parent: usize) -> Read<String> {
        let escapes = |text: &str| quote == b'"' && text.contains('\\');
        if escapes(first) {
            return Err(Unsupported);
        }
        let mut lines = vec![first[1..].trim_end_matches(' ')];
        let (mut at, mut number) = (self.next, self.number);
        loop {
            let (raw, end) = self.raw_line(at)?;
            (at, number) = (end + 1, number + 1);
            let content = raw.trim_start_matches(' ');
            if content.is_empty() {
                lines.push("");
                continue;
            }
            if raw.len() - content.len() <= parent || escapes(content) {
                return Err(Unsupported);
            }
            match quote_end(content, quote) {
                Some(close) => {
                    if !only_comment(&content[close + 1..]) {
                        return Err(Unsupported);
                    }
                    lines.push(&content[..close]);
                    break;
                }
                None => lines.push(content.trim_end_matches(' ')),
            }
        }
        (self.next, self.number) = (at, number);
        let last = lines.len() - 1;
        let mut text = String::from(lines[0]);
        let mut empty = 0;
        for (i, line) in lines.iter().enumerate().skip(1) {
            if line.is_empty() && i < last {
                empty += 1;
                continue;
            }
            match empty {
                0 => text.push(' '),
                n => text.extend(std::iter::repeat_n('\n', n)),
            }
            empty = 0;
            text.push_str(line);
        }
        if quote == b'\'' {
            text = text.replace("\'\'", "\'");
        }
        Ok(text)
    }

    /// The text and mark (where its first line's content starts, as
    /// yaml_rust2 marks it) of the block scalar whose header (`|`, `>`, `|-` or `>-`,
    /// then maybe a comment) is `header`, read from the lines after the
    /// current one, which it then moves past. Descriptions are written so
    /// in most documents. Only the common shapes are read here: a `+`
    /// (keep) or an indentation indicator, an empty scalar, empty lines
    /// before its first line or with more spaces than its indentation, a
    /// last line without a line break, and in a folded scalar a line
    /// indented more than the rest, are left to yaml_rust2.
    fn block_scalar(&mut self, header: &str, literal: bool, parent: usize) -> Read<(String, Mark)> {
        let strip = header.as_bytes().get(1) == Some(&b'-');
        if !only_comment(&header[1 + usize::from(strip)..]) {
            return Err(Unsupported);
        }
        let bytes = self.text.as_bytes();
        let mut indent = None;
        let mut mark = None;
        // Each line's content, `None` for an empty line.
        let mut lines: Vec<Option<&'t str>> = Vec::new();
        let (mut at, mut number) = (self.next, self.number);
        // Where the line after the last with content starts, and its number.
        let mut after = (at, number);
        while at < bytes.len() {
            let (raw, end) = self.raw_line(at)?;
            let spaces = raw.len() - raw.trim_start_matches(' ').len();
            let width = *indent.get_or_insert(spaces);
            if spaces == raw.len() {
                if lines.is_empty() || spaces > width {
                    return Err(Unsupported);
                }
                lines.push(None);
            } else if spaces < width {
                break;
            } else {
                if width <= parent || (!literal && spaces > width) {
                    return Err(Unsupported);
                }
                // What clipping keeps of a last line without a line
                // break is left to yaml_rust2.
                if end == bytes.len() && !strip {
                    return Err(Unsupported);
                }
                lines.push(Some(&raw[width..]));
                mark.get_or_insert(Mark {
                    line: number + 1,
                    col: width,
                });
                after = (end + 1, number + 1);
            }
            (at, number) = (end + 1, number + 1);
        }
        // Empty lines at the end are dropped by clipping and stripping.
        while lines.last() == Some(&None) {
            lines.pop();
        }
        let Some(mark) = mark else {
            return Err(Unsupported);
        };
        (self.next, self.number) = after;
        let mut text = String::new();
        let mut breaks = 0;
        for (i, content) in lines.iter().enumerate() {
            let Some(content) = content else {
                breaks += 1;
                continue;
            };
            if i > 0 {
                // A folded line break is a space, unless empty lines
                // follow it: then each of those is one.
                match (literal, breaks) {
                    (false, 0) => text.push(' '),
                    (false, n) => text.extend(std::iter::repeat_n('\n', n)),
                    (true, n) => text.extend(std::iter::repeat_n('\n', n + 1)),
                }
            }
            breaks = 0;
            text.push_str(content);
        }
        if !strip {
            text.push('\n');
        }
        Ok((text, mark))
    }

    /// Where a collection ends: the builder keeps it only for messages
    /// about anchors, which are never read here.
    fn end_mark(&self) -> Mark {
        Mark {
            line: self.number,
            col: 0,
        }
    }

    /// The value written on `line` from byte `at`, to the end of the line
    /// (or, for a block scalar, on the lines below, indented more than the
    /// column `parent` of its key or `-`).
    fn inline_value(
        &mut self,
        builder: &mut TreeBuilder<'_>,
        line: Line<'t>,
        at: usize,
        parent: usize,
        depth: usize,
    ) -> Read<()> {
        let rest = &line.text[at..];
        match rest.as_bytes()[0] {
            indicator @ (b'|' | b'>') => {
                let (text, mark) = self.block_scalar(rest, indicator == b'|', parent)?;
                let style = match indicator {
                    b'|' => TScalarStyle::Literal,
                    _ => TScalarStyle::Folded,
                };
                builder.scalar(mark, text, style, 0, None);
                Ok(())
            }
            open @ (b'[' | b'{') => {
                let events = flow_collection(rest, open == b'{', MAX_NESTING.saturating_sub(depth))
                    .ok_or(Unsupported)?;
                // Columns counted on from the previous event, not from the
                // start of the line for each (a long line was quadratic).
                let mut place = (at, line.mark(at));
                let mut mark_at = |to: usize| {
                    let (from, mark) = place;
                    let mark = line.mark_after(from, mark, to);
                    place = (to, mark);
                    mark
                };
                for event in events {
                    match event {
                        FlowEvent::Open { at: open, mapping } => {
                            builder.start_container(mark_at(at + open), 0, mapping)
                        }
                        FlowEvent::Scalar { start, end, style } => {
                            let text = scalar_text(&rest[start..end], style);
                            builder.scalar(mark_at(at + start), text, style, 0, None);
                        }
                        FlowEvent::Close { at: close } => {
                            builder.end_container(mark_at(at + close))
                        }
                    }
                }
                Ok(())
            }
            quote @ (b'\'' | b'"') => {
                let Some(close) = closing_quote(rest, quote) else {
                    let text = self.quoted_over_lines(rest, quote, parent)?;
                    builder.scalar(line.mark(at), text, quote_style(quote), 0, None);
                    return Ok(());
                };
                if !only_comment(&rest[close + 1..]) {
                    return Err(Unsupported);
                }
                let style = quote_style(quote);
                let text = scalar_text(&rest[..=close], style);
                builder.scalar(line.mark(at), text, style, 0, None);
                Ok(())
            }
            _ => {
                let comment = rest.find(" #");
                let text = rest[..comment.unwrap_or(rest.len())].trim_end_matches(' ');
                if !plain_in_block(text) {
                    return Err(Unsupported);
                }
                let text = match comment {
                    // A comment ends the scalar on its line.
                    Some(_) => text.to_owned(),
                    None => self.plain_continued(text, parent)?,
                };
                builder.scalar(line.mark(at), text, TScalarStyle::Plain, 0, None);
                Ok(())
            }
        }
    }
}

/// A key read: its text, style, and where its `:` is.
struct Key {
    text: String,
    style: TScalarStyle,
    colon: usize,
}

/// The key of a mapping entry starting at byte `at` of `line`, if one
/// starts there (a plain or quoted scalar, then `:` and a space or the end
/// of the line).
fn key_at(line: &str, at: usize) -> Option<Key> {
    let rest = &line[at..];
    let first = *rest.as_bytes().first()?;
    // `...` and `---` at the start of a line, then a space, mark a
    // document's end or start, not a key.
    let marker = rest.starts_with("...") || rest.starts_with("---");
    if at == 0 && marker && matches!(rest.as_bytes().get(3), None | Some(b' ')) {
        return None;
    }
    let (text, style, colon) = match first {
        b'\'' | b'"' => {
            let close = closing_quote(rest, first)?;
            let style = quote_style(first);
            (scalar_text(&rest[..=close], style), style, close + 1)
        }
        _ => {
            let colon = plain_key_end(rest)?;
            let text = &rest[..colon];
            if !plain_in_block(text) {
                return None;
            }
            (text.to_owned(), TScalarStyle::Plain, colon)
        }
    };
    // yaml_rust2 refuses keys over 1,024 characters.
    if colon > 1000 {
        return None;
    }
    let after = rest.as_bytes().get(colon + 1);
    (rest.as_bytes().get(colon) == Some(&b':') && matches!(after, None | Some(b' '))).then(|| Key {
        text,
        style,
        colon: at + colon,
    })
}

/// Where the `:` ending a plain key is: the first `: ` (or `:` ending the
/// line) before any comment.
fn plain_key_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b':' if matches!(bytes.get(at + 1), None | Some(b' ')) => return Some(at),
            b'#' if at > 0 && bytes[at - 1] == b' ' => return None,
            _ => {}
        }
        at += 1;
    }
    None
}

/// Where the value after a key's `:` (or a sequence entry's `-`) starts,
/// from byte `from`; `None` when the line ends there (or only a comment
/// follows).
fn value_start(line: &str, from: usize) -> Option<usize> {
    let rest = line.get(from..)?;
    // `from` is a space or the end of the line (see `key_at` and
    // `Line::entry_at`), so a `#` after spaces starts a comment.
    let content = rest.trim_start_matches(' ');
    if content.is_empty() || content.starts_with('#') {
        return None;
    }
    Some(line.len() - content.len())
}

/// Whether `text` is only spaces and then maybe a comment.
fn only_comment(text: &str) -> bool {
    let content = text.trim_start_matches(' ');
    content.is_empty() || (content.starts_with('#') && content.len() < text.len())
}

/// How many spaces `bytes` holds from `at` on (a line's indentation, from
/// its start).
fn spaces_from(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| b == b' ').count())
}

/// Whether `text` is read as the same plain scalar in block context by any
/// YAML reader: it starts with no indicator, and holds no `: `, ` #` or
/// trailing `:` (the rest of the rules need no checking then).
fn plain_in_block(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let indicator = matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    );
    // `-1` and `-.5` are plain; any other leading `-` is left to yaml_rust2.
    let negative = first == b'-' && matches!(bytes.get(1), Some(b'0'..=b'9' | b'.'));
    if (indicator && !negative) || matches!(bytes[bytes.len() - 1], b':' | b' ') {
        return false;
    }
    // No `: ` and no ` #`, in one pass.
    bytes
        .windows(2)
        .all(|pair| !matches!(pair, [b':', b' '] | [b' ', b'#']))
}

fn quote_style(quote: u8) -> TScalarStyle {
    if quote == b'"' {
        TScalarStyle::DoubleQuoted
    } else {
        TScalarStyle::SingleQuoted
    }
}

/// The closing quote of the quoted scalar `text` starts with, on this line.
/// `''` inside single quotes is a quote; a backslash inside double quotes
/// (an escape) is not read here.
fn closing_quote(text: &str, quote: u8) -> Option<usize> {
    quote_end(&text[1..], quote).map(|at| at + 1)
}

/// The quote that ends a quoted scalar in `text` (which does not hold its
/// opening quote), as [`closing_quote`] finds it.
fn quote_end(text: &str, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            // An escape yaml_rust2 reads; any other (and a line break
            // escaped at the end) is left to it, with its error.
            b'\\' if quote == b'"' => at += 1 + escape(&text[at + 1..])?.1,
            b if b == quote => {
                if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') {
                    at += 2;
                    continue;
                }
                return Some(at);
            }
            _ => at += 1,
        }
    }
    None
}

/// The text of a scalar as written (`item`, quotes included).
fn scalar_text(item: &str, style: TScalarStyle) -> String {
    match style {
        TScalarStyle::SingleQuoted => item[1..item.len() - 1].replace("''", "'"),
        TScalarStyle::DoubleQuoted => unescape(&item[1..item.len() - 1]),
        // Plain: the only other style made here.
        _ => item.to_owned(),
    }
}

/// The escape of a double-quoted scalar after its `\\` at the start of
/// `rest`, as yaml_rust2 reads it: the character and how many bytes it
/// takes. `None` for what yaml_rust2 refuses.
fn escape(rest: &str) -> Option<(char, usize)> {
    let simple = match *rest.as_bytes().first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        code => {
            let digits = match code {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                _ => return None,
            };
            let hex = rest.get(1..=digits)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let value = u32::from_str_radix(hex, 16).ok()?;
            return char::from_u32(value).map(|c| (c, 1 + digits));
        }
    };
    Some((simple, 1))
}

/// The text of a one-line double-quoted scalar (quotes left out), its
/// escapes read (each one checked by [`quote_end`]).
fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let Some((c, len)) = escape(&rest[at + 1..]) else {
            // Not reached: the scalar was only read here if `quote_end`
            // read each escape.
            out.push_str(&rest[at..]);
            return out;
        };
        out.push(c);
        rest = &rest[at + 1 + len..];
    }
    out.push_str(rest);
    out
}

/// What a one-line flow collection holds, in order, each at its byte in
/// the text (`text` starts with `[` or `{`).
enum FlowEvent {
    /// A collection opens at its `[` or `{`.
    Open { at: usize, mapping: bool },
    /// A scalar: its start and end byte, and its style.
    Scalar {
        start: usize,
        end: usize,
        style: TScalarStyle,
    },
    /// The collection opened last closes at its `]` or `}`.
    Close { at: usize },
}

/// A one-line flow collection, followed by nothing or a comment:
/// `[a, 'b', "c"]`, or with `mapping`, `{a: 1, 'b': "two"}` (each key
/// followed by `: `), with collections of the same kinds as items or
/// values (`{type: array, items: {type: string}}`), at most `depth`
/// levels in all. Its events, or `None` where it is left to yaml_rust2.
fn flow_collection(text: &str, mapping: bool, depth: usize) -> Option<Vec<FlowEvent>> {
    let mut events = Vec::new();
    let end = flow_nested(text, 0, mapping, depth, &mut events)?;
    only_comment(&text[end..]).then_some(events)
}

/// The flow collection opening at byte `open` of `text`, added to
/// `events`: the byte after its close.
fn flow_nested(
    text: &str,
    open: usize,
    mapping: bool,
    depth: usize,
    events: &mut Vec<FlowEvent>,
) -> Option<usize> {
    if depth == 0 {
        return None;
    }
    let close = if mapping { b'}' } else { b']' };
    let bytes = text.as_bytes();
    let skip_spaces = |at: usize| at + spaces_from(bytes, at);
    events.push(FlowEvent::Open { at: open, mapping });
    let mut at = skip_spaces(open + 1);
    if bytes.get(at) == Some(&close) {
        events.push(FlowEvent::Close { at });
        return Some(at + 1);
    }
    loop {
        if mapping {
            let (end, style) = flow_scalar(text, at, |rest| rest.find(": "))?;
            events.push(FlowEvent::Scalar {
                start: at,
                end,
                style,
            });
            if !text[end..].starts_with(": ") {
                return None;
            }
            at = skip_spaces(end + 2);
        }
        let end = match *bytes.get(at)? {
            inner @ (b'[' | b'{') => flow_nested(text, at, inner == b'{', depth - 1, events)?,
            _ => {
                let (end, style) = flow_scalar(text, at, |rest| rest.find([',', close as char]))?;
                events.push(FlowEvent::Scalar {
                    start: at,
                    end,
                    style,
                });
                end
            }
        };
        at = skip_spaces(end);
        match *bytes.get(at)? {
            b',' => {
                at = skip_spaces(at + 1);
                // A trailing comma (`[a, ]`, `{a: 1, }`) is left to yaml_rust2.
                if bytes.get(at) == Some(&close) {
                    return None;
                }
            }
            b if b == close => {
                events.push(FlowEvent::Close { at });
                return Some(at + 1);
            }
            _ => return None,
        }
    }
}

/// The scalar of a flow collection starting at byte `at` of `text`: where
/// it ends, and its style. A plain one runs to where `plain_end` finds in
/// the rest of the text, its trailing spaces aside.
fn flow_scalar(
    text: &str,
    at: usize,
    plain_end: impl Fn(&str) -> Option<usize>,
) -> Option<(usize, TScalarStyle)> {
    match *text.as_bytes().get(at)? {
        quote @ (b'\'' | b'"') => Some((
            at + closing_quote(&text[at..], quote)? + 1,
            quote_style(quote),
        )),
        _ => {
            let len = plain_end(&text[at..])?;
            let plain = text[at..at + len].trim_end_matches(' ');
            plain_in_flow(plain).then_some((at + plain.len(), TScalarStyle::Plain))
        }
    }
}

/// [`plain_in_block`], and none of the flow indicators nor `:` anywhere,
/// nor ` -` (yaml_rust2 refuses a `-` after a space that a `,` or `]`
/// follows).
fn plain_in_flow(text: &str) -> bool {
    plain_in_block(text)
        && !text.contains(['[', ']', '{', '}', ',', ':', '#'])
        && !text.contains(" -")
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::{Path, PathBuf};

    use yaml_rust2::parser::Parser;

    use super::super::{Limits, TreeBuilder};
    use super::*;

    type Tree = (serde_json::Value, super::super::Positions);

    /// `text` read here, or `None` when it is left to yaml_rust2.
    fn fast(text: &str, limits: &Limits) -> Option<Tree> {
        let mut builder = TreeBuilder::new(limits);
        load(text, &mut builder).ok()?;
        tree(builder)
    }

    /// `text` read by yaml_rust2, or `None` on any error.
    fn yaml(text: &str, limits: &Limits) -> Option<Tree> {
        let mut builder = TreeBuilder::new(limits);
        Parser::new_from_str(text).load(&mut builder, true).ok()?;
        if builder.documents != 1 {
            return None;
        }
        tree(builder)
    }

    /// What `builder` read, if it met no error.
    fn tree(builder: TreeBuilder<'_>) -> Option<Tree> {
        match (builder.error, builder.root) {
            (None, Some(root)) => Some((root, builder.positions)),
            _ => None,
        }
    }

    /// Whether `text` is read here, failing if yaml_rust2 reads it otherwise.
    fn agrees(text: &str, what: &str) -> bool {
        let limits = Limits::default();
        let Some(read) = fast(text, &limits) else {
            return false;
        };
        match yaml(text, &limits) {
            Some(reference) => {
                assert!(
                    read.0 == reference.0,
                    "{what}: the value differs\n{text}\nhere: {}\nyaml_rust2: {}",
                    read.0,
                    reference.0
                );
                if read.1 != reference.1 {
                    let mut pointers = Vec::new();
                    pointers_of(&read.0, String::new(), &mut pointers);
                    let differ: Vec<String> = pointers
                        .iter()
                        .filter_map(|p| {
                            let (here, there) = (read.1.get(p), reference.1.get(p));
                            let (key, key_there) = (read.1.key(p), reference.1.key(p));
                            (here != there || key != key_there).then(|| {
                                format!("{p}: here {here:?} key {key:?}, yaml_rust2 {there:?} key {key_there:?}")
                            })
                        })
                        .collect();
                    panic!(
                        "{what}: the positions differ\n{text}\n{}",
                        differ.join("\n")
                    );
                }
            }
            None => panic!("{what}: read here, refused by yaml_rust2:\n{text}"),
        }
        true
    }

    #[test]
    fn plain_block_yaml_is_read_as_yaml_rust2_reads_it() {
        let cases = [
            "a: 1\nb: two\nc: 'three'\nd: \"four\"\n",
            "a:\n  b:\n    c: x\n  d: [1, 'two', \"three\", -4, 5.5]\ne: {}\nf: []\n",
            "list:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n- [x, y]\nnext: true\n",
            "# a comment\n\nkey: value # trailing\nother: 'it''s' # and more\n\n",
            "'quoted key': 1\n\"double\": 2\n200: ok\n/ws/path: x\n$ref: '#/a/b'\n",
            "é: ünïcode\nkey: 'ñ quoted' \nnested:\n  ü: [á, 'é']\n",
            "a: null\nb: ~\nc: true\nd: False\ne: 0x1F\nf: 1e3\ng: .inf\nh: -.5\n",
            "a: x:y\nb: http://host:80/p\nc: a#b\nd: 'x: y'\n",
            "top:\n    deep:\n        deeper: [a,b ,  c]\n    back: 1\n",
            "é: [ü, 'ñ', \"日本\", x]\n",
            "- a\n- b\n",
            "a: 1\na: 2\n",
            "a:\n  - x\n b: 1\n",
            "list:\n  - 1\n  - - nested\n",
            "a: |\n  line one\n\n  line  two \n   indented\nb: >\n  folded\n  on\n\n\n  paragraphs\n",
            "a: |-\n    stripped\n    # kept\n  # a comment\nb:\n  - >-\n    folded entry\n  - |  # note\n    literal entry\n\n\nc: 1\n",
            "a:\n  b: |\n    deep\n   c: 1\n",
            "- |\n x\n- >\n  y\n   z\n",
            "a: '\n\n    Over lines.\n\n\n    It''s   folded  \n    here.\n\n    '\nb: \"two\n  lines\" # note\n",
            "l:\n- 'entry\n   over lines'\n- \"x:\n   # y\n\n   - z\"\nc: 1\n",
            "a: {b: 1, 'c d': \"two\", e:  ~ , f: -1.5} # note\nl:\n  - {type: string, const: ping}\n  - { é: ñ }\n",
            "a: [x, [y]]\nb: {c: {d: 1}}\ne: {f: [1]}\ng: [[], {}, [x, {y: z}]] # note\n",
            "- {type: array, items: {type: string, enum: [ä, 'b', \"ü\"]}}\n- [ {é: [ñ , [日本]] } ,x]\n",
            "a: multi\n  line\n\n\n     plain  text \n  é ü\nb:\n  c: one\n     two\n  d: 1\nl:\n- x\n  y\n-   z\n    w\n\n- v\n",
            "a: x\n    # a comment\nb: y\n   # another\n\nc: last\n  line",
            "a: |-\n  stripped\n\n  at the end",
            "a: >-\n  folded\n  at the end",
            "a: 'quoted\n  to the end'",
            "- \"double\n  to the end\"",
            "a: \"line\\none\\ttab \\\"q\\\" \\\\ \\/ \\0\\a\\b\\v\\f\\r\\e\\ \\N\\_\\L\\P\"\n\"k\\u00e9y\": \"\\x41\\u00e9\\U0001F303 é\\\\\" # c\nl: [\"a\\\"b\", {\"c\\\\\": \"\\x7d\"}]\n",
        ];
        for (i, case) in cases.iter().enumerate() {
            agrees(case, &format!("case {i}"));
            agrees(&case.replace('\n', "\r\n"), &format!("case {i} with CRLF"));
        }
        // The common shapes are read here, not left to yaml_rust2, with
        // either line break.
        for case in cases[..10].iter().chain(&cases[14..16]).chain(&cases[18..]) {
            for case in [case.to_string(), case.replace('\n', "\r\n")] {
                assert!(
                    fast(&case, &Limits::default()).is_some(),
                    "not read here:\n{case:?}"
                );
            }
        }
    }

    #[test]
    fn what_is_not_plain_is_left_to_yaml_rust2() {
        let cases = [
            "a: |+\n  kept\n",
            "a: |2\n  indicated\n",
            "a: |\n\n  after an empty line\n",
            "a: >\n  folded\n    more indented\n",
            "a: |\n  no line break at the end",
            "a: >\n  folded\n  without a break",
            "a: 'never\n  closed",
            "a: |\nb: 1\n",
            "a: |\n  x\n     \n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a:\tb\n",
            "a: b\rc: d\n",
            "a: b\r",
            "a: multi\n  li: ne\n",
            "a: multi\n  # comment\n  line\n",
            "a: multi\n  li: ne",
            "a: multi\n  - line\n",
            "a: multi\n  line # comment\n  more\n",
            "a:\nb: 1\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a: \"unknown \\q\"\n",
            "a: \"short \\x4\"\n",
            "a: \"not hex \\u12g4\"\n",
            "a: \"surrogate \\uD800\"\n",
            "a: \"past unicode \\U00110000\"\n",
            "a: \"wide \\xé1\"\n",
            "a: \"ends escaped\\\n  here\"\n",
            "a: \"x\\n\n  y\"\n",
            "a: 'never closed\n  here\n",
            "a: 'x\nb: 1'\n",
            "a: 'x\n  y' z\n",
            "a: \"x\n  \\ty\"\n",
            "a: {b: 1, }\n",
            "a: {b}\n",
            "a: {b: }\n",
            "a: {\"b\":1}\n",
            "a: {b: x:y}\n",
            "a: [x,]\n",
            "a: [x, [y,]]\n",
            "a: {b: {c}}\n",
            "a: [{b: 1}, ]\n",
            "a: {[x]: 1}\n",
            "a: {b: [x] y}\n",
            "a: [[x]\n",
            "... x: y\n",
            "a: 1\n... b: 2\n",
            "--- a: 1\n",
            "a: [a -]\n",
            "a: [a -, b]\n",
            "- [x -]\n",
            "? complex\n: value\n",
            "a: - b\n",
            "-   a: 1\n    b: 2\n",
            "a: 1\n  b: 2\n",
            "a: x\0y\n",
            "a: \u{feff}x\n",
            "%YAML 1.2\n---\na: 1\n",
        ];
        for case in cases {
            let limits = Limits::default();
            assert!(fast(case, &limits).is_none(), "read here:\n{case}");
        }
    }

    /// Each item of a long flow sequence with characters of several bytes
    /// is marked at its column (counted on from the item before).
    #[test]
    fn a_long_flow_line_is_marked_as_yaml_rust2_marks_it() {
        let items: Vec<String> = (0..5_000)
            .map(|i| match i % 3 {
                0 => format!("é{i}"),
                1 => format!("'日本{i}'"),
                _ => format!("x{i}"),
            })
            .collect();
        let text = format!("ü: [{}]\nnext: 1\n", items.join(", "));
        assert!(agrees(&text, "a long flow line"), "not read here");
    }

    /// Mappings and sequences nested through each other without a line of
    /// their own (`- a:` then `  - a:`...) are bounded too: a hostile file
    /// must not run the reader out of stack.
    #[test]
    fn nesting_without_lines_of_its_own_is_bounded() {
        let nested = |levels: usize| -> String {
            (0..levels)
                .map(|level| format!("{}- a:\n", "  ".repeat(level)))
                .collect::<String>()
                + &"  ".repeat(levels)
                + "- end\n"
        };
        assert!(fast(&nested(10), &Limits::default()).is_some());
        let deep = nested(3_000);
        // A small stack: unbounded recursion would overflow it.
        let read = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || fast(&deep, &Limits::default()).is_some())
            .unwrap()
            .join()
            .unwrap();
        assert!(!read, "3,000 levels are left to yaml_rust2");
    }

    /// Every YAML document of the repository and the shared corpus, and
    /// mutants of each, read here only as yaml_rust2 reads them.
    #[test]
    fn documents_and_their_mutants_read_as_yaml_rust2_reads_them() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "../specs",
            "../tests",
            "../examples",
            "../../shared/specs-corpus",
        ] {
            yaml_files(&manifest.join(dir), &mut files);
        }
        assert!(files.len() >= 20, "documents: {files:?}");
        let (mut read, mut mutants_read, mut crlf_read) = (0, 0, 0);
        let (mut random, scale) = campaign(0x9e37_79b9_7f4a_7c15);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            if text.len() > 4 * 1024 * 1024 {
                continue;
            }
            let name = file.display().to_string();
            read += usize::from(agrees(&text, &name));
            if !text.contains('\r') {
                crlf_read += usize::from(agrees(&text.replace('\n', "\r\n"), &name));
            }
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() || lines.len() > 5_000 {
                continue;
            }
            for m in 0..80 * scale {
                let mut mutant = mutate(&lines, &mut random);
                if m % 2 == 1 {
                    let once: Vec<&str> = mutant.lines().collect();
                    if !once.is_empty() {
                        mutant = mutate(&once, &mut random);
                    }
                }
                mutants_read += usize::from(agrees(&mutant, &format!("{name}, mutant {m}")));
            }
        }
        eprintln!(
            "{read} of {} documents ({crlf_read} of those with LF also with CRLF) and {mutants_read} mutants read here",
            files.len()
        );
        assert!(
            crlf_read * 2 >= read,
            "{crlf_read} documents read with CRLF"
        );
        // Not a test of nothing: most documents are plain block YAML.
        assert!(
            read * 3 >= files.len(),
            "{read} of {} documents read here",
            files.len()
        );
        assert!(mutants_read > 1000, "{mutants_read} mutants read here");
    }

    fn pointers_of(value: &serde_json::Value, pointer: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, member) in map {
                    pointers_of(member, crate::source::push_token(&pointer, key), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointers_of(item, format!("{pointer}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(pointer);
    }

    /// Documents made of the shapes read here, with scalars YAML resolves
    /// in every way (null, booleans, numbers, dates, text that only looks
    /// like a key or a comment), read here only as yaml_rust2 reads them.
    #[test]
    fn generated_documents_read_as_yaml_rust2_reads_them() {
        let (mut random, scale) = campaign(0x2545_f491_4f6c_dd1d);
        let cases = 3000 * scale;
        let (mut read, mut nested_read, mut continued_read) = (0, 0, 0);
        for case in 0..cases {
            let mut text = String::new();
            let continued_before = CONTINUED.with(Cell::get);
            write_mapping(&mut text, 0, 0, &mut random);
            let continued = CONTINUED.with(Cell::get) > continued_before;
            let agreed = agrees(&text, &format!("generated {case}"));
            assert_eq!(
                agrees(
                    &text.replace('\n', "\r\n"),
                    &format!("generated {case} with CRLF")
                ),
                agreed,
                "generated {case}: read here with one line break and not the other"
            );
            continued_read += usize::from(agreed && continued);
            read += usize::from(agreed);
            // A flow collection inside another on the same line.
            let nested = text.lines().any(|line| {
                line.find(['[', '{'])
                    .is_some_and(|open| line[open + 1..].contains(['[', '{']))
            });
            nested_read += usize::from(agreed && nested);
        }
        eprintln!(
            "{read} of {cases} generated documents read here, {nested_read} with nested flow collections, {continued_read} with plain scalars over several lines"
        );
        // Random scalars in flow collections, and lines a plain scalar
        // goes on to, often need yaml_rust2.
        assert!(
            read > 1250 * scale,
            "{read} of {cases} generated documents read here"
        );
        assert!(
            continued_read > 60 * scale,
            "{continued_read} with plain scalars over lines read here"
        );
        assert!(
            nested_read > 100 * scale,
            "{nested_read} with nested flow collections read here"
        );
    }

    /// The random state and the number of rounds of a differential
    /// campaign: a fixed seed and one round by default, so a run repeats;
    /// `CHANX_FUZZ_SEED` (mixed into `seed`) and `CHANX_YAML_ROUNDS` run
    /// other and longer ones locally.
    fn campaign(seed: u64) -> (u64, usize) {
        let number = |name: &str| std::env::var(name).ok()?.parse::<u64>().ok();
        let random = match number("CHANX_FUZZ_SEED") {
            // Never zero: xorshift stays at zero.
            Some(mixed) => (seed ^ mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15)).max(1),
            None => seed,
        };
        let rounds = number("CHANX_YAML_ROUNDS").map_or(1, |n| n.max(1) as usize);
        (random, rounds)
    }

    thread_local! {
        /// Plain scalars over several lines written so far.
        static CONTINUED: Cell<usize> = const { Cell::new(0) };
    }

    /// Scalars read here in every style.
    const SCALARS: [&str; 35] = [
        "a",
        "null",
        "Null",
        "~",
        "true",
        "False",
        "TRUE",
        "yes",
        "on",
        "1",
        "-1",
        "+1",
        "007",
        "1e3",
        "1.5",
        "-.5",
        ".inf",
        ".NaN",
        "0x1F",
        "0o17",
        "1_000",
        "12:30",
        "2024-01-01",
        "1.0.0",
        "a b",
        "a#b",
        "x:y",
        "http://h:1/p",
        "é ü",
        "日本",
        "a  b",
        "$ref",
        "line\\nbreak",
        "\\\"q\\\" \\\\",
        "\\u00e9\\U0001F303\\x41\\t",
    ];

    /// Text that only quotes make a scalar here (written plain now and
    /// then, which leaves the document to yaml_rust2).
    const QUOTED_ONLY: [&str; 8] = ["'", "it's", "#/a/b", "- x", "a: b", "[x]", "{y}", ""];

    fn scalar(random: &mut u64) -> String {
        if next(random).is_multiple_of(8) {
            let text = QUOTED_ONLY[next(random) as usize % QUOTED_ONLY.len()];
            return match next(random) % 8 {
                0 => text.to_owned(),
                1..4 => ["\"", text, "\""].concat(),
                _ => ["'", &text.replace('\'', "''"), "'"].concat(),
            };
        }
        let text = SCALARS[next(random) as usize % SCALARS.len()];
        match next(random) % 4 {
            1 => ["'", text, "'"].concat(),
            2 => ["\"", text, "\""].concat(),
            _ => text.to_owned(),
        }
    }

    fn write_mapping(out: &mut String, indent: usize, depth: usize, random: &mut u64) {
        let members = 1 + next(random) as usize % 4;
        for member in 0..members {
            out.push_str(&" ".repeat(indent));
            // Numbered inside its quotes, if it has them.
            let mut key = scalar(random);
            let at = if key.ends_with(['\'', '"']) && key.len() > 1 {
                key.len() - 1
            } else {
                key.len()
            };
            key.insert_str(at, &member.to_string());
            out.push_str(&key);
            out.push(':');
            write_value(out, indent, depth, random);
        }
    }

    fn write_value(out: &mut String, indent: usize, depth: usize, random: &mut u64) {
        match next(random) % 8 {
            0 if depth < 4 => {
                out.push('\n');
                write_mapping(
                    out,
                    indent + 2 + next(random) as usize % 3,
                    depth + 1,
                    random,
                );
            }
            1 if depth < 4 => {
                out.push('\n');
                // At the key's own column, or further in.
                let at = indent + 2 * (next(random) as usize % 2);
                for _ in 0..1 + next(random) as usize % 3 {
                    out.push_str(&" ".repeat(at));
                    out.push('-');
                    match next(random) % 3 {
                        0 => {
                            out.push(' ');
                            out.push_str(&scalar(random));
                            out.push('\n');
                        }
                        1 => {
                            out.push(' ');
                            let key = scalar(random);
                            out.push_str(&format!("{key}k: {}\n", scalar(random)));
                            out.push_str(&" ".repeat(at + 2));
                            out.push_str(&format!("second: {}\n", scalar(random)));
                        }
                        _ => {
                            out.push('\n');
                            write_mapping(out, at + 2, depth + 1, random);
                        }
                    }
                }
            }
            2 => {
                out.push(' ');
                out.push_str(&flow_sequence(random, 0));
                out.push_str(if next(random).is_multiple_of(2) {
                    " # note\n"
                } else {
                    "\n"
                });
            }
            3 => out.push_str(" {}\n"),
            4 => write_block_scalar(out, indent, random),
            5 => write_quoted_over_lines(out, indent, random),
            6 => {
                out.push(' ');
                out.push_str(&flow_mapping(random, 0));
                out.push_str(if next(random).is_multiple_of(2) {
                    " # note\n"
                } else {
                    "\n"
                });
            }
            _ => {
                out.push(' ');
                let shape = next(random) % 6;
                match shape {
                    // A plain scalar to go on over lines.
                    2 => out.push_str(SCALARS[next(random) as usize % SCALARS.len()]),
                    _ => out.push_str(&scalar(random)),
                }
                match shape {
                    0 | 1 => out.push_str("  # note\n"),
                    2 => {
                        CONTINUED.with(|n| n.set(n.get() + 1));
                        out.push('\n');
                        for _ in 0..1 + next(random) % 3 {
                            if next(random).is_multiple_of(4) {
                                out.push('\n');
                            }
                            let extra = 1 + next(random) as usize % 3;
                            out.push_str(&" ".repeat(indent + extra));
                            out.push_str(SCALARS[next(random) as usize % SCALARS.len()]);
                            out.push('\n');
                        }
                    }
                    _ => out.push('\n'),
                }
            }
        }
    }

    /// A block scalar after a key at `indent`: literal or folded, clipped,
    /// stripped or kept, its lines sometimes indented further, separated by
    /// empty lines (some of them holding spaces) or ending in them.
    /// A one-line flow sequence, collections nested in it now and then.
    fn flow_sequence(random: &mut u64, depth: usize) -> String {
        let items: Vec<String> = (0..next(random) % 4)
            .map(|_| flow_item(random, depth))
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// A one-line flow mapping, collections nested in it now and then.
    fn flow_mapping(random: &mut u64, depth: usize) -> String {
        let members: Vec<String> = (0..next(random) % 4)
            .map(|i| format!("{}{i}: {}", scalar(random), flow_item(random, depth)))
            .collect();
        format!("{{{}}}", members.join(", "))
    }

    fn flow_item(random: &mut u64, depth: usize) -> String {
        match next(random) % 6 {
            0 if depth < 3 => flow_sequence(random, depth + 1),
            1 if depth < 3 => flow_mapping(random, depth + 1),
            _ => scalar(random),
        }
    }

    fn write_block_scalar(out: &mut String, indent: usize, random: &mut u64) {
        // The last two are left to yaml_rust2 (as are some of the lines below).
        const HEADERS: [&str; 8] = ["|", ">", "|-", ">-", "| # note", ">- # note", "|+", "|2"];
        const WORDS: [&str; 6] = ["text", "a: b", "# not a comment", "'q'", "x  y ", "é"];
        out.push(' ');
        let header = match next(random) % 10 {
            9 => HEADERS[6 + next(random) as usize % 2],
            _ => HEADERS[next(random) as usize % 6],
        };
        out.push_str(header);
        out.push('\n');
        let width = indent + 1 + next(random) as usize % 3;
        out.push_str(&format!("{}{}\n", " ".repeat(width), WORDS[0]));
        for _ in 0..next(random) % 4 {
            match next(random) % 12 {
                0 => out.push('\n'),
                1 => out.push_str(&format!(
                    "{}\n",
                    " ".repeat(next(random) as usize % (width + 2))
                )),
                2 => out.push_str(&format!("{}{}\n", " ".repeat(width + 2), WORDS[0])),
                _ => out.push_str(&format!(
                    "{}{}\n",
                    " ".repeat(width),
                    WORDS[next(random) as usize % WORDS.len()]
                )),
            }
        }
    }

    /// A quoted scalar over several lines after a key at `indent`, its
    /// lines indented further (or, now and then, not), some empty, with
    /// spaces around the breaks.
    fn write_quoted_over_lines(out: &mut String, indent: usize, random: &mut u64) {
        const PARTS: [&str; 6] = ["text", "a: b", "# not a comment", "it''s", "x  y ", ""];
        let quote = if next(random).is_multiple_of(2) {
            '\''
        } else {
            '"'
        };
        out.push_str(&format!(
            " {quote}{}\n",
            PARTS[next(random) as usize % PARTS.len()]
        ));
        for _ in 0..1 + next(random) % 4 {
            let width = match next(random) % 12 {
                0 => indent,
                _ => indent + 1 + next(random) as usize % 3,
            };
            let part = PARTS[next(random) as usize % PARTS.len()];
            let part = if quote == '"' {
                part.replace("''", "'")
            } else {
                part.to_owned()
            };
            out.push_str(&format!("{}{part}\n", " ".repeat(width)));
        }
        out.push_str(&format!("{}end{quote}\n", " ".repeat(indent + 2)));
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "node_modules" | "target" | "snapshots") {
                    yaml_files(&path, out);
                }
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                out.push(path);
            }
        }
    }

    use crate::test_files::xorshift as next;

    /// One line changed: indented, outdented, removed, repeated, joined to
    /// the next, or given a character YAML gives meaning to.
    fn mutate(lines: &[&str], random: &mut u64) -> String {
        let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let at = next(random) as usize % lines.len();
        let line = lines[at].clone();
        let pick = |random: &mut u64, n: usize| next(random) as usize % n;
        match pick(random, 7) {
            0 => lines[at] = format!("{}{line}", " ".repeat(1 + pick(random, 3))),
            1 => lines[at] = line.chars().skip(1 + pick(random, 2)).collect(),
            2 => {
                lines.remove(at);
            }
            3 => lines.insert(at, line),
            4 if at + 1 < lines.len() => {
                let joined = format!("{line} {}", lines[at + 1].trim_start());
                lines[at] = joined;
                lines.remove(at + 1);
            }
            _ => {
                let inserts = [
                    ":", ": ", " #", "#", "'", "''", "\"", "-", "- ", "[", "]", ",", "{}", "? ",
                    "&a ", "*a", "!", "|", "~", "é", "  ",
                ];
                let insert = inserts[pick(random, inserts.len())];
                let mut cut = pick(random, line.len() + 1);
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines[at] = format!("{}{insert}{}", &line[..cut], &line[cut..]);
            }
        }
        lines.join("\n") + "\n"
    }
}
