//! The last touch on the printed module: what prettyplease does not do.
//!
//! - [`Spacer`]: one blank line between consecutive items (structs,
//!   enums, impls, fns, consts, statics, type aliases, macro calls, mods) at
//!   every nesting level: in the file, in modules, and in `impl` and `trait`
//!   blocks. Function bodies, struct fields, enum variants, match arms,
//!   attribute lists and macro bodies are left as they are. Two one-line
//!   items in a row (`type Incoming = Incoming;`) stay together. The module
//!   is fed to it in parts as it is made.
//! - [`doc_comments_in_macros`]: `#[doc = "…"]` inside macro calls, which
//!   prettyplease prints as tokens, becomes `///`.
//! - [`split_doc_lines`]: a doc comment the emitter wrote as one attribute
//!   becomes one `///` line per line.
//!
//! They work on the printed text, line by line, with a small lexer that knows
//! where strings, raw strings, char literals and comments are, so a brace in
//! a string (the validator program is JSON) or a comment never counts.

use super::docs::LINE_SEPARATOR;

/// What the lexer knows about one line of the printed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineInfo {
    /// Open `(`, `[` and `{` before the line's first character.
    start_depth: usize,
    /// Open brackets after its last character.
    end_depth: usize,
    /// The line begins inside a string literal or a block comment.
    starts_inside: bool,
    /// The last character that is code (not in a comment), if any.
    last_code: Option<char>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Str,
    RawStr { hashes: usize },
    BlockComment { depth: usize },
}

/// Lexes `text` and describes each of its lines (as `str::lines` splits them).
///
/// Works on bytes: every character that matters here is ASCII, and the
/// bytes of a multi-byte character are all non-ASCII, so they can never be
/// mistaken for one (this runs over every generated line: decoding each
/// line into a `Vec<char>` was a tenth of a large generation).
fn scan(text: &str) -> Vec<LineInfo> {
    let mut lexer = Lexer::default();
    text.lines().map(|line| lexer.line(line)).collect()
}

/// What ends a raw string of up to 31 hashes: a quote and that many
/// hashes (`"#` for `r#"…"#`).
const RAW_STRING_ENDS: &[u8; 32] = b"\"###############################";

/// The lexer's state between lines: [`scan`] a line at a time.
#[derive(Clone)]
struct Lexer {
    state: State,
    depth: usize,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer {
            state: State::Code,
            depth: 0,
        }
    }
}

impl Lexer {
    /// Describes `line`, the next line of the text.
    fn line(&mut self, line: &str) -> LineInfo {
        let (info, state, depth) = lex_line(line, self.state, self.depth);
        self.state = state;
        self.depth = depth;
        info
    }
}

/// One line, lexed from `state` at bracket `depth`: what it is, and the
/// state and depth after it.
fn lex_line(line: &str, state: State, depth: usize) -> (LineInfo, State, usize) {
    lex_line_with(line, state, depth, &CODE_SPECIAL)
}

/// [`lex_line`], skipping the runs of code bytes `special` does not mark
/// (marking every byte lexes a byte at a time, as the tests compare).
fn lex_line_with(
    line: &str,
    mut state: State,
    mut depth: usize,
    special: &[bool; 256],
) -> (LineInfo, State, usize) {
    let bytes = line.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut info = LineInfo {
        start_depth: depth,
        end_depth: depth,
        starts_inside: state != State::Code,
        last_code: None,
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match state {
            State::Str => {
                match c {
                    b'\\' => i += 1,
                    b'"' => state = State::Code,
                    // Straight to the next byte that can end the string:
                    // generated modules hold long literals.
                    _ => match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                        Some(next) => {
                            i += next;
                            continue;
                        }
                        None => break,
                    },
                }
                i += 1;
                continue;
            }
            State::RawStr { hashes } => {
                // The validator program and the bundled document are each
                // one raw string of a megabyte or more on a large document,
                // full of quotes: the lexer goes straight to the quote and
                // hashes that close it.
                if let Some(closing) = RAW_STRING_ENDS.get(..=hashes) {
                    match memchr::memmem::find(&bytes[i..], closing) {
                        Some(at) => {
                            state = State::Code;
                            i += at + closing.len();
                        }
                        None => break,
                    }
                    continue;
                }
                if c == b'"'
                    && bytes[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == b'#')
                        .count()
                        == hashes
                {
                    state = State::Code;
                    i += hashes;
                }
                i += 1;
                continue;
            }
            State::BlockComment { depth: nesting } => {
                if c == b'*' && at(i + 1) == Some(b'/') {
                    state = if nesting == 1 {
                        State::Code
                    } else {
                        State::BlockComment { depth: nesting - 1 }
                    };
                    i += 2;
                } else if c == b'/' && at(i + 1) == Some(b'*') {
                    state = State::BlockComment { depth: nesting + 1 };
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            State::Code => {}
        }
        if !special[usize::from(c)] {
            // A run of bytes the lexer does not act on, skipped at once
            // (a byte at a time this was most of spacing the channel
            // modules): its last byte that is not white space is the
            // line's last code so far.
            let run = bytes[i..]
                .iter()
                .position(|&b| special[usize::from(b)])
                .unwrap_or(bytes.len() - i);
            if let Some(&last) = bytes[i..i + run]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
            {
                info.last_code = Some(code_char(last));
            }
            i += run;
            continue;
        }
        match c {
            b'/' if at(i + 1) == Some(b'/') => break,
            b'/' if at(i + 1) == Some(b'*') => {
                state = State::BlockComment { depth: 1 };
                i += 2;
                continue;
            }
            b'"' => state = State::Str,
            b'r' if starts_token(bytes, i) => {
                let hashes = bytes[i + 1..].iter().take_while(|&&h| h == b'#').count();
                if at(i + 1 + hashes) == Some(b'"') {
                    state = State::RawStr { hashes };
                    info.last_code = Some('"');
                    i += hashes + 2;
                    continue;
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{7b}', 'é'), or a lifetime ('de).
                let end = if at(i + 1) == Some(b'\\') {
                    // The escaped character is never the closing quote.
                    bytes
                        .get(i + 3..)
                        .and_then(|rest| rest.iter().position(|&q| q == b'\''))
                        .map(|p| i + 3 + p)
                } else {
                    let width = line
                        .get(i + 1..)
                        .and_then(|rest| rest.chars().next())
                        .map_or(1, char::len_utf8);
                    (at(i + 1 + width) == Some(b'\'')).then_some(i + 1 + width)
                };
                if let Some(end) = end {
                    info.last_code = Some('\'');
                    i = end + 1;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            info.last_code = Some(code_char(c));
        }
        i += 1;
    }
    info.end_depth = depth;
    (info, state, depth)
}

/// The bytes [`lex_line`] acts on in code: comment and string starts, the
/// `r` of a raw string, quotes and brackets.
static CODE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let specials = b"/\"r'([{)]}";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// The character a byte of code stands for as a line's last code: a
/// non-ASCII byte stands for its character, never one looked for.
fn code_char(byte: u8) -> char {
    if byte.is_ascii() {
        char::from(byte)
    } else {
        '\u{80}'
    }
}

/// Whether the `r` at `i` begins a token (so `r"…"` / `br#"…"#` is a raw
/// string, and the `r` of `for` or `bar` is not).
fn starts_token(bytes: &[u8], i: usize) -> bool {
    // Non-ASCII bytes belong to identifiers (`ré`), never to punctuation.
    let ident = |c: u8| !c.is_ascii() || c.is_ascii_alphanumeric() || c == b'_';
    match i.checked_sub(1).map(|p| bytes[p]) {
        None => true,
        Some(b'b') => i < 2 || !ident(bytes[i - 2]),
        Some(prev) => !ident(prev),
    }
}

/// One block whose items are spaced: the file, a module, an impl or a trait.
#[derive(Clone)]
struct Container {
    /// Bracket depth of the block's items.
    depth: usize,
    /// The item being read: its first line and whether its header (first
    /// line that is not an attribute or comment) was seen, and what it is.
    item: Option<Item>,
    /// Whether the previous item of the block was one line long.
    previous_one_line: Option<bool>,
}

#[derive(Clone)]
struct Item {
    first_line: usize,
    /// `Some(true)` once the header shows an item holding items (mod, impl, trait).
    holds_items: Option<bool>,
}

/// Inserts one blank line between consecutive items (see the module docs):
/// [`Spacer`] over one whole text.
#[cfg(test)]
pub fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    Spacer::new().feed(text, &mut out);
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// [`space_items`] over a text given in parts, each ending with a line
/// break, so no copy of the whole text is ever made.
///
/// One pass, writing each line as it is read: whether an item gets a blank
/// line before it is known from its first line (after a one-line item, only
/// an item that does not also end on its first line is set apart).
#[derive(Clone)]
pub struct Spacer {
    lexer: Lexer,
    stack: Vec<Container>,
    /// Index of the next line in the whole text.
    index: usize,
}

impl Spacer {
    pub fn new() -> Self {
        Spacer {
            lexer: Lexer::default(),
            stack: vec![Container {
                depth: 0,
                item: None,
                previous_one_line: None,
            }],
            index: 0,
        }
    }

    /// Spaces the lines of `text`, the next part of the whole, into `out`
    /// (each line with its line break).
    pub fn feed(&mut self, text: &str, out: &mut String) {
        let stack = &mut self.stack;
        for line in lines(text) {
            let index = self.index;
            self.index += 1;
            let info = self.lexer.line(line);
            let trimmed = line.trim();
            let mut closes_container = false;
            // The previous item of the block, when an item starts on this line.
            let mut starts_after = None;
            if let Some(top) = stack.last()
                && top.item.is_none()
                && !info.starts_inside
                && info.start_depth == top.depth
            {
                if trimmed.is_empty() {
                    // Already spaced: start over, as after the block's first line.
                    if let Some(top) = stack.last_mut() {
                        top.previous_one_line = None;
                    }
                    out.push_str(line);
                    out.push('\n');
                    continue;
                }
                if trimmed.starts_with('}') && stack.len() > 1 {
                    stack.pop();
                    closes_container = true;
                } else if let Some(top) = stack.last_mut() {
                    top.item = Some(Item {
                        first_line: index,
                        holds_items: None,
                    });
                    starts_after = Some(top.previous_one_line);
                }
            }
            let ended_here = space_line(stack, &info, trimmed, index, closes_container);
            if let Some(previous) = starts_after
                && blank_before(previous, ended_here)
            {
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
}

impl Spacer {
    /// [`feed`](Self::feed) of `text` (whole items, or a module's opening
    /// or closing lines) after [`doc_comments_in_macros`]: that pass only
    /// rewrites lines outside strings, and a string never spans two items.
    pub fn feed_items(&mut self, text: &str, out: &mut String) {
        if text.contains("#[doc =") {
            self.feed(&doc_comments_in_macros(text), out);
        } else {
            self.feed(text, out);
        }
    }
}

impl Spacer {
    /// [`feed`](Self::feed) of items written as text by `super::printed`,
    /// without lexing them: such items are at the innermost block's own
    /// indentation (four spaces a level), hold no string or comment that
    /// runs over a line, no blank line and no `#[doc =` attribute, and no
    /// block of several items. So an item ends on a line at that
    /// indentation, not an attribute or comment, ending in `;` or `}`.
    /// (Lexing every line was a third of making the types module.) Debug
    /// builds also space the text the slow way and report any difference.
    pub fn feed_printed_items(&mut self, text: &str, out: &mut String) {
        #[cfg(debug_assertions)]
        let (mut lexed, mut expected, start) = (self.clone(), String::new(), out.len());
        #[cfg(debug_assertions)]
        lexed.feed_items(text, &mut expected);
        // The file's block is never popped.
        let Some(top) = self.stack.last_mut() else {
            return self.feed(text, out);
        };
        let indent = 4 * top.depth;
        // The text is copied a run of lines at a time, up to where a blank
        // line goes (copying each line on its own was most of this step);
        // a text with a carriage return is copied line by line, which
        // drops it as `lines` does.
        let by_line = text.contains('\r');
        let mut copied = 0;
        let mut line_start = 0;
        for line in lines(text) {
            let index = self.index;
            self.index += 1;
            let bytes = line.as_bytes();
            // Only a line at the block's indentation can end an item.
            let at_indent = bytes.len() > indent
                && bytes[indent] != b' '
                && bytes[..indent].iter().all(|&b| b == b' ');
            let ends = at_indent
                && matches!(bytes[bytes.len() - 1], b';' | b'}')
                && !is_attribute_or_comment(&line[indent..]);
            if top.item.is_none() {
                top.item = Some(Item {
                    first_line: index,
                    holds_items: None,
                });
                if blank_before(top.previous_one_line, ends) {
                    if !by_line {
                        out.push_str(&text[copied..line_start]);
                        copied = line_start;
                    }
                    out.push('\n');
                }
            }
            if by_line {
                out.push_str(line);
                out.push('\n');
            }
            if ends && let Some(item) = top.item.take() {
                top.previous_one_line = Some(item.first_line == index);
            }
            line_start += line.len() + 1;
        }
        if !by_line {
            out.push_str(&text[copied..]);
            // Every line ends with a newline, the last one too.
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
        }
        #[cfg(debug_assertions)]
        assert!(
            out[start..] == expected && self.same_place(&lexed),
            "text items spaced without lexing differ from lexed ones:\n{}\nlexed:\n{expected}",
            &out[start..]
        );
    }
}

#[cfg(debug_assertions)]
impl Spacer {
    /// Whether `other` is at the same line, in the same state.
    fn same_place(&self, other: &Spacer) -> bool {
        let block = |c: &Container| (c.depth, c.item.is_none(), c.previous_one_line);
        self.index == other.index
            && self.lexer.state == other.lexer.state
            && self.lexer.depth == other.lexer.depth
            && self
                .stack
                .iter()
                .map(block)
                .eq(other.stack.iter().map(block))
    }
}

impl Spacer {
    /// A spacer in the file's block after an item of several lines, with
    /// nothing open: where the whole module's spacer is once a module
    /// (`pub mod types { … }`) has been fed. A later part can be spaced
    /// from here on another thread, and its text used as is once
    /// [`Self::is_between_items`] confirms the whole spacer got there.
    pub fn between_items() -> Self {
        Spacer {
            lexer: Lexer::default(),
            stack: vec![Container {
                depth: 0,
                item: None,
                previous_one_line: Some(false),
            }],
            index: 0,
        }
    }

    /// Whether this spacer is where [`Self::between_items`] starts (which
    /// line it is at does not matter: lines are only compared with the
    /// first line of an item under way, and none is).
    pub fn is_between_items(&self) -> bool {
        let start = Spacer::between_items();
        self.lexer.state == start.lexer.state
            && self.lexer.depth == start.lexer.depth
            && self.stack.len() == 1
            && self.stack[0].depth == 0
            && self.stack[0].item.is_none()
            && self.stack[0].previous_one_line == Some(false)
    }
}

impl Spacer {
    /// This spacer once an item of several lines has ended in its
    /// innermost block, nothing open: where a later part of the same block
    /// can be spaced from on another thread, its text used as is once
    /// [`Self::same_state`] confirms the whole spacer got there.
    pub fn after_item(&self) -> Spacer {
        let mut after = self.clone();
        if let Some(top) = after.stack.last_mut() {
            top.item = None;
            top.previous_one_line = Some(false);
        }
        after
    }

    /// `spaced`, spaced from `start` (an [`Self::after_item`]), as this
    /// spacer would space it: the same text when both are in the same
    /// state; when they differ only in whether the innermost block's
    /// previous item was one line, the same text but for the blank line
    /// before its first item (decided by that item's first line). `None`
    /// when they differ in more.
    pub fn continued<'t>(&self, start: &Spacer, spaced: &'t str) -> Option<&'t str> {
        if self.same_state(start) {
            return Some(spaced);
        }
        let mut adjusted = start.clone();
        adjusted.stack.last_mut()?.previous_one_line = self.stack.last()?.previous_one_line;
        if !self.same_state(&adjusted) {
            return None;
        }
        // After an item of several lines, the first item always had a blank line before it.
        let rest = spaced.strip_prefix('\n')?;
        let first_line = &rest[..rest.find('\n')? + 1];
        let mut probe = String::new();
        adjusted.feed(first_line, &mut probe);
        Some(if probe.starts_with('\n') {
            spaced
        } else {
            rest
        })
    }

    /// Whether `other` would space what follows as this spacer does: the
    /// same lexer state and blocks, items under way begun at the same line.
    pub fn same_state(&self, other: &Spacer) -> bool {
        let item = |i: &Option<Item>| i.as_ref().map(|i| (i.first_line, i.holds_items));
        self.lexer.state == other.lexer.state
            && self.lexer.depth == other.lexer.depth
            && self.stack.len() == other.stack.len()
            && self.stack.iter().zip(&other.stack).all(|(a, b)| {
                a.depth == b.depth
                    && item(&a.item) == item(&b.item)
                    && a.previous_one_line == b.previous_one_line
            })
    }
}

impl Default for Spacer {
    fn default() -> Self {
        Self::new()
    }
}

/// The lines of `text` as `str::lines` splits them, found with a plain
/// byte loop: its search is made for long haystacks, and generated lines
/// are short (a tenth of making the types module went to it).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(end) => {
                let line = &rest[..end];
                rest = &rest[end + 1..];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            None => Some(std::mem::take(&mut rest)),
        }
    })
}

/// Whether an item gets a blank line before it: not as its block's first,
/// nor when it and the item before it (`previous_one_line`) are each one
/// line long.
fn blank_before(previous_one_line: Option<bool>, ends_on_first_line: bool) -> bool {
    match previous_one_line {
        None => false,
        Some(true) => !ends_on_first_line,
        Some(false) => true,
    }
}

/// Follows the item open in the innermost block through `info`'s line;
/// whether an item ended on the line it started on.
fn space_line(
    stack: &mut Vec<Container>,
    info: &LineInfo,
    trimmed: &str,
    index: usize,
    closes_container: bool,
) -> bool {
    let Some(top) = stack.last_mut() else {
        return false;
    };
    let depth = top.depth;
    let Some(item) = top.item.as_mut() else {
        return false;
    };
    let code_line = !info.starts_inside && !trimmed.is_empty() && !is_attribute_or_comment(trimmed);
    if !closes_container && item.holds_items.is_none() && info.start_depth == depth && code_line {
        item.holds_items = Some(holds_items(trimmed));
    }
    if item.holds_items == Some(true) && info.end_depth == depth + 1 && info.last_code == Some('{')
    {
        stack.push(Container {
            depth: depth + 1,
            item: None,
            previous_one_line: None,
        });
        return false;
    }
    let ends = info.end_depth == depth && code_line && matches!(info.last_code, Some(';' | '}'));
    if !ends {
        return false;
    }
    let one_line = item.first_line == index;
    top.previous_one_line = Some(one_line);
    top.item = None;
    one_line
}

fn is_attribute_or_comment(trimmed: &str) -> bool {
    ["#[", "#![", "//", "/*"]
        .iter()
        .any(|start| trimmed.starts_with(start))
}

/// Whether an item header opens a block of items: `mod`, `impl`, `trait`.
fn holds_items(header: &str) -> bool {
    let mut rest = header;
    if let Some(after) = rest.strip_prefix("pub") {
        rest = match after.trim_start().strip_prefix('(') {
            Some(inner) => inner.split_once(')').map_or("", |(_, r)| r),
            None => after,
        };
    }
    let words = rest.split_whitespace();
    for word in words {
        match word {
            "unsafe" | "auto" | "default" => continue,
            _ => {
                return word == "mod"
                    || word == "trait"
                    || word == "impl"
                    || word.starts_with("impl<")
                    || word.starts_with("trait<");
            }
        }
    }
    false
}

/// Rewrites `#[doc = "…"]` attributes (on one line, or broken after `=`)
/// outside strings as `///` comments; prettyplease prints doc comments in
/// macro bodies that way. Texts with line breaks or unusual escapes stay.
pub fn doc_comments_in_macros(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let infos = scan(text);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if !infos[i].starts_inside && trimmed.starts_with("#[doc =") {
            let rest = trimmed["#[doc =".len()..].trim();
            let (literal, used) = if rest.is_empty() {
                (lines.get(i + 1).map(|l| l.trim()), 2)
            } else {
                (Some(rest), 1)
            };
            if let Some(doc) = literal.and_then(|l| l.strip_suffix(']')).and_then(unescape) {
                out.push_str(indent);
                out.push_str("///");
                out.push_str(&doc);
                out.push('\n');
                i += used;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
        i += 1;
    }
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// The value of a plain Rust string literal (`"…"`) whose escapes are
/// quotes, backslashes or `\u{…}`; `None` for anything else.
fn unescape(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                c @ ('"' | '\\' | '\'') => out.push(c),
                'u' => {
                    let code: String = chars
                        .by_ref()
                        .skip_while(|&c| c == '{')
                        .take_while(|&c| c != '}')
                        .collect();
                    let c = char::from_u32(u32::from_str_radix(&code, 16).ok()?)?;
                    if c.is_control() && c != LINE_SEPARATOR {
                        return None;
                    }
                    out.push(c);
                }
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// Splits each `///` line holding [`LINE_SEPARATOR`]s into one `///`
/// line per part, at the same indentation. Only doc comments hold the
/// separator raw (literals escape it, document text never has it), and a
/// doc comment is never inside a string.
pub fn split_doc_lines(text: String) -> String {
    if !holds_line_separator(&text) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    push_split_doc_lines(&text, &mut out);
    out
}

/// Whether `text` holds a [`LINE_SEPARATOR`] (an ASCII byte, so found as
/// a byte; this scans the whole module).
fn holds_line_separator(text: &str) -> bool {
    const _: () = assert!(LINE_SEPARATOR.is_ascii());
    memchr::memchr(LINE_SEPARATOR as u8, text.as_bytes()).is_some()
}

/// Appends `text` to `out` with [`split_doc_lines`] applied: the module
/// applies it to each item as the item is added, on the thread that made
/// it, rather than to the whole module in one last pass of its own.
pub fn push_split_doc_lines(text: &str, out: &mut String) {
    if !holds_line_separator(text) {
        out.push_str(text);
        return;
    }
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        match trimmed.strip_prefix("///") {
            Some(doc) if holds_line_separator(doc) => {
                let indent = &line[..line.len() - trimmed.len()];
                let (doc, end) = match doc.strip_suffix('\n') {
                    Some(doc) => (doc, "\n"),
                    None => (doc, ""),
                };
                for (index, part) in doc.split(LINE_SEPARATOR).enumerate() {
                    if index > 0 {
                        out.push('\n');
                    }
                    out.push_str(indent);
                    out.push_str("///");
                    out.push_str(part.trim_end());
                }
                out.push_str(end);
            }
            _ => out.push_str(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_spaced_ahead_is_continued_as_the_whole_would_be() {
        let header = "#[allow(x)]\npub mod types {\n";
        let items = [
            "    pub struct A {\n        a: u8,\n    }\n",
            "    pub type B = u8;\n",
            "    unit_enum_impls!(C);\n",
            "    /// Docs.\n    pub type D = u8;\n",
            "    #[derive(Debug)]\n    pub struct E {}\n",
            "    impl F {\n        fn f() {}\n        fn g() {}\n    }\n",
            "    pub const G: u8 = 1;\n",
        ];
        for cut in 1..items.len() {
            for rotate in 0..items.len() {
                let mut order = items.to_vec();
                order.rotate_left(rotate);
                let whole = format!("{header}{}}}\n", order.concat());
                let mut expected = String::new();
                Spacer::new().feed(&whole, &mut expected);

                let mut spacer = Spacer::new();
                let mut out = String::new();
                spacer.feed(header, &mut out);
                let start = spacer.after_item();
                let mut ahead = start.clone();
                let mut second = String::new();
                ahead.feed(&order[cut..].concat(), &mut second);
                spacer.feed(&order[..cut].concat(), &mut out);
                let continued = spacer.continued(&start, &second).expect("same blocks");
                out.push_str(continued);
                ahead.feed("}\n", &mut out);
                assert_eq!(out, expected, "cut {cut}, rotated {rotate}");
            }
        }
    }

    #[test]
    fn lines_split_as_str_lines_does() {
        for text in [
            "",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\n\n",
            "a\r",
            "x\ry\n",
            "é\nü",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_part_spaced_between_items_is_spaced_as_in_the_whole() {
        let first = "// @generated\n\npub static D: u8 = 1;\n#[allow(x)]\npub mod types {\n    pub struct A {}\n    pub struct B {\n        a: u8,\n    }\n}\n";
        let second = "#[allow(dead_code)]\npub mod channels {\n    static P: u8 = 1;\n    pub mod x {\n        pub const A: u8 = 1;\n        pub const B: u8 = 2;\n        pub fn f() {}\n        impl X {\n            fn g() {}\n            fn h() {}\n        }\n    }\n}\n";
        let mut whole = Spacer::new();
        let mut expected = String::new();
        whole.feed(first, &mut expected);
        assert!(whole.is_between_items());
        let mut parts = expected.clone();
        whole.feed(second, &mut expected);
        Spacer::between_items().feed(second, &mut parts);
        assert_eq!(parts, expected);
        // Inside a block, or after a one-line item, it is not.
        let mut inside = Spacer::new();
        inside.feed("pub mod m {\n    struct A;\n", &mut String::new());
        assert!(!inside.is_between_items());
        let mut after_one_line = Spacer::new();
        after_one_line.feed("struct A;\n", &mut String::new());
        assert!(!after_one_line.is_between_items());
    }

    fn spaced(input: &str) -> String {
        let output = space_items(input);
        assert_eq!(space_items(&output), output, "spacing is idempotent");
        // The module is spaced in parts as it is made: any split at a line
        // break gives the same text.
        if input.ends_with('\n') {
            for (at, _) in input.match_indices('\n') {
                let (first, rest) = input.split_at(at + 1);
                let mut parts = String::new();
                let mut spacer = Spacer::new();
                spacer.feed(first, &mut parts);
                spacer.feed(rest, &mut parts);
                assert_eq!(parts, output, "spaced in two parts split after byte {at}");
            }
        }
        output
    }

    #[test]
    fn items_are_separated_at_every_level() {
        let input = r##"// @generated

#[allow(non_camel_case_types)]
pub mod types {
    /// A struct.
    #[derive(
        ::std::fmt::Debug,
        ::std::clone::Clone
    )]
    pub struct A {
        pub x: i64,
        #[serde(default)]
        pub y: (),
    }
    impl A {
        /// Builds one.
        pub fn new(x: i64) -> Self {
            let y = ();
            fn inner() {}
            struct Local;
            Self { x, y }
        }
        pub fn get(&self) -> i64 {
            match self.x {
                0 => 1,
                _ => {
                    2
                }
            }
        }
    }
    pub enum E {
        A,
        B(i64),
    }
    pub type T = A;
    ::chanx_runtime::__private::const_str_marker! {
        #[doc = " The constant."]
        pub struct M = "m";
    }
    fn helper<'de, D>(d: D) -> i64
    where
        D: ::serde::Deserializer<'de>,
    {
        0
    }
}
pub mod channels {
    static PROGRAM: Program = Program::new(
        r#"{"defs":[
{"t":"model"};
}
],"roots":[]}"#,
    );
    pub mod chat {
        use super::super::types;
        /// The address.
        pub const ADDRESS: &str = "/ws/chat";
        pub trait Consumer: Send {
            type Event: Event;
            /// A method.
            fn handle(&self) -> impl Future<
                Output = Result<(), Error>,
            > + Send;
            fn on_connect(&self) -> impl Future<Output = ()> + Send {
                async {}
            }
        }
        impl<C: Consumer> Handler for ChatServer<C> {
            type Incoming = Incoming;
            type Outgoing = Outgoing;
            const ADDRESS: Option<&'static str> = Some(
                "/ws/chat",
            );
            async fn dispatch(&self) {}
        }
    }
}
"##;
        let expected = r##"// @generated

#[allow(non_camel_case_types)]
pub mod types {
    /// A struct.
    #[derive(
        ::std::fmt::Debug,
        ::std::clone::Clone
    )]
    pub struct A {
        pub x: i64,
        #[serde(default)]
        pub y: (),
    }

    impl A {
        /// Builds one.
        pub fn new(x: i64) -> Self {
            let y = ();
            fn inner() {}
            struct Local;
            Self { x, y }
        }

        pub fn get(&self) -> i64 {
            match self.x {
                0 => 1,
                _ => {
                    2
                }
            }
        }
    }

    pub enum E {
        A,
        B(i64),
    }

    pub type T = A;

    ::chanx_runtime::__private::const_str_marker! {
        #[doc = " The constant."]
        pub struct M = "m";
    }

    fn helper<'de, D>(d: D) -> i64
    where
        D: ::serde::Deserializer<'de>,
    {
        0
    }
}

pub mod channels {
    static PROGRAM: Program = Program::new(
        r#"{"defs":[
{"t":"model"};
}
],"roots":[]}"#,
    );

    pub mod chat {
        use super::super::types;

        /// The address.
        pub const ADDRESS: &str = "/ws/chat";

        pub trait Consumer: Send {
            type Event: Event;

            /// A method.
            fn handle(&self) -> impl Future<
                Output = Result<(), Error>,
            > + Send;

            fn on_connect(&self) -> impl Future<Output = ()> + Send {
                async {}
            }
        }

        impl<C: Consumer> Handler for ChatServer<C> {
            type Incoming = Incoming;
            type Outgoing = Outgoing;

            const ADDRESS: Option<&'static str> = Some(
                "/ws/chat",
            );

            async fn dispatch(&self) {}
        }
    }
}
"##;
        assert_eq!(spaced(input), expected);
    }

    /// Skipping runs of plain code describes every line as lexing it a
    /// byte at a time does: random lines of the bytes that matter (quotes,
    /// brackets, comment starts, raw-string prefixes, white space,
    /// non-ASCII), lexed in sequence so states carry over.
    #[test]
    fn skipping_plain_code_lexes_as_a_byte_at_a_time() {
        const PIECES: &[&str] = &[
            " ", "  ", "a", "r", "b", "br", "r#", "#", "\"", "\\", "'", "'a'", "'\\''", "(", ")",
            "[", "]", "{", "}", "/", "//", "/*", "*/", "*", "é", ";", "x_y", "r\"", "\t",
        ];
        let every_byte = [true; 256];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next =
            |bound: usize| (crate::test_files::xorshift(&mut seed) % bound as u64) as usize;
        for _ in 0..2_000 {
            let (mut fast, mut slow) = ((State::Code, 0), (State::Code, 0));
            for _ in 0..1 + next(6) {
                let line: String = (0..next(24)).map(|_| PIECES[next(PIECES.len())]).collect();
                let (fast_info, state, depth) = lex_line(&line, fast.0, fast.1);
                let (slow_info, slow_state, slow_depth) =
                    lex_line_with(&line, slow.0, slow.1, &every_byte);
                assert_eq!(fast_info, slow_info, "{line:?}");
                assert!(state == slow_state && depth == slow_depth, "{line:?}");
                (fast, slow) = ((state, depth), (slow_state, slow_depth));
            }
        }
    }

    #[test]
    fn strings_chars_and_comments_do_not_count() {
        let input = concat!(
            "/// Braces { in docs; }\n",
            "const A: &str = \"}\\\" {\";\n",
            "const B: char = '{';\n",
            "const C: char = '\\'';\n",
            "/* a } block /* nested { */ comment */\n",
            "const D: &[u8] = br##\"\"# }\"##;\n",
            "fn f<'a>(r#type: &'a str) -> &'a str { r#type }\n",
            "const E: u8 = b'}';\n",
        );
        let expected = concat!(
            "/// Braces { in docs; }\n",
            "const A: &str = \"}\\\" {\";\n",
            "const B: char = '{';\n",
            "const C: char = '\\'';\n",
            "/* a } block /* nested { */ comment */\n",
            "const D: &[u8] = br##\"\"# }\"##;\n",
            "fn f<'a>(r#type: &'a str) -> &'a str { r#type }\n",
            "const E: u8 = b'}';\n",
        );
        // One-line items stay together; an item with a doc or a comment is
        // two lines long, so blank lines set it apart.
        let expected = expected
            .replacen("const B", "\nconst B", 1)
            .replacen("/* a", "\n/* a", 1)
            .replacen("fn f", "\nfn f", 1);
        assert_eq!(spaced(input), expected);
    }

    #[test]
    fn strings_over_several_lines_hide_their_brackets() {
        // As the validator program and the document are written: one raw
        // string over many lines, full of quotes and brackets.
        let input = concat!(
            "static P: Program = Program::new(\n",
            "    r##\"{\"a\":\"}\"#,\n",
            "{\"b\":[\"\\\"\"],\"c\":\"\"#}\n",
            "\"##,\n",
            ");\n",
            "const S: &str = concat!(\n",
            "    \"{ \\\"\n",
            "} \\\\\",\n",
            "    \"\\\n",
            "{\",\n",
            ");\n",
            "fn f() {}\n",
            "fn g() {}\n",
        );
        let expected = input
            .replacen("const S", "\nconst S", 1)
            .replacen("fn f", "\nfn f", 1);
        assert_eq!(spaced(input), expected);
    }

    #[test]
    fn existing_blank_lines_are_kept_not_doubled() {
        let input =
            "mod a {\n    struct A;\n\n    struct B {\n        x: i64,\n    }\n    struct C;\n}\n";
        let expected = "mod a {\n    struct A;\n\n    struct B {\n        x: i64,\n    }\n\n    struct C;\n}\n";
        assert_eq!(spaced(input), expected);
    }

    #[test]
    fn headers_that_hold_items() {
        for header in [
            "mod a {",
            "pub mod a {",
            "pub(crate) mod a {",
            "impl A {",
            "impl<C: Consumer> Handler for S<C> {",
            "unsafe impl Send for A {}",
            "pub trait Consumer: Send + Sync + 'static {",
            "pub(in crate::a) unsafe trait T {",
        ] {
            assert!(holds_items(header), "{header}");
        }
        for header in [
            "pub struct Impl {",
            "fn implement() {",
            "pub enum Mod {",
            "::chanx_runtime::__private::const_str_marker! {",
            "static PROGRAM: Program = Program::new(",
            "pub const TRAIT: &str = \"trait\";",
        ] {
            assert!(!holds_items(header), "{header}");
        }
    }

    #[test]
    fn doc_attributes_in_macros_become_comments() {
        let input = concat!(
            "    m! {\n",
            "        #[doc =\n",
            "        \" The constant `\\\"ping\\\"`: exactly this.\"]\n",
            "        pub struct A = \"a\";\n",
            "        #[doc = \" Short \\u{e9}.\"]\n",
            "        #[doc = \" Two\\nlines.\"]\n",
            "    }\n",
            "    const S: &str = r\"\n",
            "#[doc = \" in a string\"]\n",
            "\";\n",
        );
        let expected = concat!(
            "    m! {\n",
            "        /// The constant `\"ping\"`: exactly this.\n",
            "        pub struct A = \"a\";\n",
            "        /// Short é.\n",
            "        #[doc = \" Two\\nlines.\"]\n",
            "    }\n",
            "    const S: &str = r\"\n",
            "#[doc = \" in a string\"]\n",
            "\";\n",
        );
        assert_eq!(doc_comments_in_macros(input), expected);
    }
}
