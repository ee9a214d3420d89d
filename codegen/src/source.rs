//! Parsing one file (YAML or JSON) into a `serde_json::Value` plus the
//! line/column of every node, keyed by JSON pointer.
//!
//! YAML goes through yaml-rust2's event API rather than a serde bridge so we
//! control alias expansion (YAML bombs), nesting depth and duplicate keys, and
//! keep a position for every node for located diagnostics. JSON is parsed by
//! serde_json and scanned for positions by [`json`]: yaml-rust2 holds every
//! token of a flow collection until it ends, about 50 bytes per byte of a
//! JSON file.

mod fast;
mod json;
mod lenient;
mod positions;
mod split;

use foldhash::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::{Code, Diagnostic, Location};
pub use positions::{PathKey, Positions};

/// A place in the text: line (from 1) and column (from 0, in characters),
/// as yaml_rust2's [`Marker`] gives them; the [`fast`] scanner makes its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    line: usize,
    col: usize,
}

impl Mark {
    fn line(self) -> usize {
        self.line
    }

    fn col(self) -> usize {
        self.col
    }
}

impl From<Marker> for Mark {
    fn from(marker: Marker) -> Self {
        Mark {
            line: marker.line(),
            col: marker.col(),
        }
    }
}

/// Limits against hostile input; each one exceeded is a clear error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of mappings/sequences.
    pub max_depth: usize,
    /// Most nodes YAML anchors and aliases copy in one file.
    pub max_alias_nodes: usize,
    /// Most bytes of text (keys and strings) YAML anchors and aliases copy
    /// in one file: a long string aliased many times is a bomb too.
    pub max_alias_bytes: usize,
    /// Longest path from the top of a file to a node (its JSON pointer),
    /// in bytes. Every node visited costs its path, so a long path over
    /// many nodes would cost their product.
    pub max_path_bytes: usize,
    /// Most files a document may pull in through `$ref`.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_alias_bytes: 16 * 1024 * 1024,
            max_path_bytes: 1024,
            max_files: 1_000,
        }
    }
}

/// A parsed file: its value and where each node starts.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The document as JSON.
    pub value: Value,
    /// JSON pointer → (line, column), both 1-based.
    pub positions: Positions,
}

/// Whether [`parse`] will read the file at `path`, which starts with
/// `start`, in two parts at once, as far as its size and first bytes tell:
/// a file large enough that is not JSON (by its content, as `parse`
/// decides, not by its name) and starts with no directive. (One whose mappings offer no cut is still parsed
/// whole.)
pub fn parsed_in_two(path: &std::path::Path, start: &[u8]) -> bool {
    if !split::large_enough(path) {
        return false;
    }
    let start = String::from_utf8_lossy(start);
    !looks_like_json(&start) && !start.starts_with('%')
}

/// Parses YAML (JSON is YAML 1.2, but gets serde_json's error messages first).
pub fn parse(text: &str, display_name: &str, limits: &Limits) -> Result<ParsedFile, Diagnostic> {
    if text.len() as u64 > limits.max_file_bytes {
        return Err(located(
            display_name,
            1,
            1,
            Code::FileTooLarge,
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_file_bytes
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(located(
            display_name,
            1,
            1,
            Code::EmptyFile,
            "file is empty".to_string(),
        ));
    }
    if looks_like_json(text) {
        return json::parse(text, display_name, limits);
    }
    match parse_yaml(text, display_name, limits) {
        Err(strict) if strict.code == Code::Syntax => {
            // What libyaml reads and the YAML 1.2 text refuses: flow
            // collections continued at a shallower indentation.
            match lenient::indent_flow_continuations(text) {
                Some(relaxed) => parse_yaml(&relaxed, display_name, limits).map_err(|_| strict),
                None => Err(strict),
            }
        }
        parsed => parsed,
    }
}

fn parse_yaml(text: &str, display_name: &str, limits: &Limits) -> Result<ParsedFile, Diagnostic> {
    if let Some(parsed) = split::parse_in_two(text, limits) {
        return Ok(parsed);
    }
    let nodes = expected_nodes(text.as_bytes());
    let (builder, scanned) = read_tree(text, || {
        TreeBuilder::part(limits, PathKey::root(), 0, nodes)
    });
    if let Err(e) = scanned {
        let m = e.marker();
        let (code, message) = if e.info().contains("recursion limit") {
            (
                Code::TooDeep,
                format!("nesting is deeper than the parser's limit ({})", e.info()),
            )
        } else {
            (Code::Syntax, format!("invalid YAML: {}", e.info()))
        };
        let (line, col) = (m.line() as u32, m.col() as u32 + 1);
        // The scanner reports a tab where it gave up, often the end of the
        // line before; the tab itself is what to fix.
        if e.info().contains("tab")
            && let Some((line, col)) = first_tab_from(text, line)
        {
            return Err(located(display_name, line, col, code, message)
                .with_hint("YAML indents with spaces only: replace the tab"));
        }
        return Err(located(display_name, line, col, code, message));
    }
    if let Some((mark, code, message)) = builder.error {
        return Err(located(
            display_name,
            mark.line() as u32,
            mark.col() as u32 + 1,
            code,
            message,
        ));
    }
    match builder.root {
        Some(value) => Ok(ParsedFile {
            value,
            positions: builder.positions,
        }),
        None => Err(located(
            display_name,
            1,
            1,
            Code::EmptyFile,
            "file holds no document".to_string(),
        )),
    }
}

/// About how many nodes a YAML text of `lines` lines has: one a line
/// (109,307 nodes in the 100,066 lines of the synthetic document). The
/// positions are sized for them up front: grown from empty, their tables
/// were rehashed at every doubling.
pub(crate) fn nodes_for_lines(lines: usize) -> usize {
    lines
}

/// [`nodes_for_lines`] of `text`.
fn expected_nodes(text: &[u8]) -> usize {
    nodes_for_lines(memchr::memchr_iter(b'\n', text).count() + 1)
}

/// `text` read into a builder `new` makes: by the [`fast`] reader when it
/// reads all of it with no error, else by yaml_rust2 from the start (so
/// meaning and errors are always yaml_rust2's), with its scanner's error.
fn read_tree<'l>(
    text: &str,
    new: impl Fn() -> TreeBuilder<'l>,
) -> (TreeBuilder<'l>, Result<(), yaml_rust2::ScanError>) {
    let mut builder = new();
    if fast::load(text, &mut builder).is_ok() && builder.error.is_none() {
        return (builder, Ok(()));
    }
    let mut builder = new();
    let scanned = Parser::new_from_str(text).load(&mut builder, true);
    (builder, scanned)
}

/// The first tab on line `line` (1-based) or after it: line and column.
fn first_tab_from(text: &str, line: u32) -> Option<(u32, u32)> {
    let skip = line.saturating_sub(1) as usize;
    text.split('\n').enumerate().skip(skip).find_map(|(i, l)| {
        let col = l.chars().position(|c| c == '\t')?;
        Some((u32::try_from(i + 1).ok()?, u32::try_from(col + 1).ok()?))
    })
}

fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches('\u{feff}')
            .trim_start()
            .as_bytes()
            .first(),
        Some(b'{' | b'[')
    )
}

fn located(file: &str, line: u32, col: u32, code: Code, message: String) -> Diagnostic {
    Diagnostic::error(code, message).at(
        Some(Location {
            file: file.to_string(),
            line,
            col,
        }),
        "",
    )
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    append_token(&mut out, token);
    out
}

/// [`push_token`] in place: `/token`, escaped, at the end of `pointer`.
pub fn append_token(pointer: &mut String, token: &str) {
    // Room for both pieces at once: one check of the capacity, not two.
    pointer.reserve(token.len() + 1);
    pointer.push('/');
    // Most tokens need no escape: copied whole, not a character at a time.
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        path: PathKey,
    },
    Map {
        map: Map<String, Value>,
        anchor: usize,
        path: PathKey,
        /// The key read, waiting for its value, and where it is.
        key: Option<(String, Mark, PathKey)>,
    },
}

struct TreeBuilder<'l> {
    limits: &'l Limits,
    /// The pointer of the top node: the root, or for a part of a file
    /// parsed on its own ([`split`]) the mapping the part belongs to.
    base: PathKey,
    /// How many containers hold the top node in the whole file.
    base_depth: usize,
    stack: Vec<Frame>,
    root: Option<Value>,
    anchors: HashMap<usize, Value>,
    positions: Positions,
    /// What anchors and aliases copied so far: nodes, bytes of text.
    copied: (usize, usize),
    /// YAML documents seen in the stream; only one is allowed.
    documents: usize,
    error: Option<(Mark, Code, String)>,
}

impl<'l> TreeBuilder<'l> {
    #[cfg(test)]
    fn new(limits: &'l Limits) -> Self {
        Self::part(limits, PathKey::root(), 0, 0)
    }

    /// A builder whose top node is at `base`, under `base_depth`
    /// containers of the whole file, with room for the positions of
    /// `nodes` nodes (see [`expected_nodes`]).
    fn part(limits: &'l Limits, base: PathKey, base_depth: usize, nodes: usize) -> Self {
        TreeBuilder {
            limits,
            base,
            base_depth,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::default(),
            positions: Positions::with_capacity(nodes),
            copied: (0, 0),
            documents: 0,
            error: None,
        }
    }

    fn fail(&mut self, mark: Mark, code: Code, message: String) {
        if self.error.is_none() {
            self.error = Some((mark, code, message));
        }
    }

    /// The pointer the next node will have, or `None` when it is a mapping key.
    fn next_path(&self) -> Option<PathKey> {
        match self.stack.last() {
            None => Some(self.base.clone()),
            Some(Frame::Seq { items, path, .. }) => Some(path.index(items.len())),
            Some(Frame::Map { key: None, .. }) => None,
            // Worked out once, when the key was read.
            Some(Frame::Map {
                key: Some((_, _, member)),
                ..
            }) => Some(member.clone()),
        }
    }

    /// Records where the next node starts; refuses a path over the limit.
    fn place(&mut self, mark: Mark, path: &PathKey) {
        if path.bytes() > self.limits.max_path_bytes {
            self.fail(
                mark,
                Code::PathTooLong,
                format!(
                    "the path to this node (its JSON pointer) is {} bytes, more than the limit of {} bytes",
                    path.bytes(),
                    self.limits.max_path_bytes
                ),
            );
        }
        self.positions
            .insert(path, (mark.line() as u32, mark.col() as u32 + 1));
    }

    /// Counts a copy made for an anchor or an alias; false (and an error)
    /// once the copies exceed the limits.
    fn charge_copy(&mut self, mark: Mark, value: &Value) -> bool {
        let (nodes, bytes) = size_of(value);
        self.copied.0 = self.copied.0.saturating_add(nodes);
        self.copied.1 = self.copied.1.saturating_add(bytes);
        if self.copied.0 <= self.limits.max_alias_nodes
            && self.copied.1 <= self.limits.max_alias_bytes
        {
            return true;
        }
        self.fail(
            mark,
            Code::AliasLimit,
            format!(
                "YAML anchors and aliases copy more than {} nodes or {} bytes (a 'billion laughs' document?)",
                self.limits.max_alias_nodes, self.limits.max_alias_bytes
            ),
        );
        false
    }

    fn start_container(&mut self, mark: Mark, anchor: usize, is_map: bool) {
        let Some(path) = self.next_path() else {
            self.fail(
                mark,
                Code::Unsupported,
                "a mapping or sequence used as a mapping key is not supported".into(),
            );
            // Keep the stack balanced so parsing can continue.
            self.stack.push(Frame::Seq {
                items: Vec::new(),
                anchor: 0,
                path: PathKey::root(),
            });
            return;
        };
        if self.stack.len() + self.base_depth >= self.limits.max_depth {
            self.fail(
                mark,
                Code::TooDeep,
                format!(
                    "nesting is deeper than the limit of {} levels",
                    self.limits.max_depth
                ),
            );
        }
        self.place(mark, &path);
        self.stack.push(if is_map {
            Frame::Map {
                map: Map::new(),
                anchor,
                path,
                key: None,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                anchor,
                path,
            }
        });
    }

    fn end_container(&mut self, mark: Mark) {
        let (value, anchor) = match self.stack.pop() {
            Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
            Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
            None => return,
        };
        if anchor != 0 && self.charge_copy(mark, &value) {
            self.anchors.insert(anchor, value.clone());
        }
        self.add_value(mark, value);
    }

    /// Places a finished node into its parent (or as the root).
    fn add_value(&mut self, mark: Mark, value: Value) {
        let mut duplicate = None;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(value);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, path, .. }) => match key.take() {
                None => {
                    let name = match value {
                        Value::String(s) => s,
                        Value::Null => "null".into(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => return,
                    };
                    let member = path.child(&name);
                    self.positions
                        .insert_key(&member, (mark.line() as u32, mark.col() as u32 + 1));
                    *key = Some((name, mark, member));
                }
                // One lookup (hashing the key twice was a tenth of this step).
                Some((k, key_mark, _)) => match map.entry(k) {
                    // Reported at the repeated key, not where its value ends.
                    serde_json::map::Entry::Occupied(entry) => {
                        duplicate = Some((entry.key().clone(), key_mark));
                    }
                    serde_json::map::Entry::Vacant(entry) => {
                        entry.insert(value);
                    }
                },
            },
        }
        if let Some((k, key_mark)) = duplicate {
            self.fail(
                key_mark,
                Code::DuplicateKey,
                format!("duplicate mapping key '{k}'"),
            );
        }
    }

    fn scalar(
        &mut self,
        mark: Mark,
        text: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<String>,
    ) {
        let value = if style == TScalarStyle::Plain && tag.is_none() {
            plain_scalar(text)
        } else {
            match tag.as_deref() {
                Some("int" | "float" | "bool") => plain_scalar(text),
                Some("null") => Value::Null,
                _ => Value::String(text),
            }
        };
        match self.next_path() {
            Some(path) => self.place(mark, &path),
            None => self.place_block_mapping_at_first_key(mark),
        }
        if anchor != 0 && self.charge_copy(mark, &value) {
            self.anchors.insert(anchor, value.clone());
        }
        self.add_value(mark, value);
    }

    /// The parser marks a block mapping where it sees the first `:`; the
    /// mapping really starts at its first key, which is where users look.
    fn place_block_mapping_at_first_key(&mut self, key_mark: Mark) {
        let Some(Frame::Map { map, path, .. }) = self.stack.last() else {
            return;
        };
        if !map.is_empty() {
            return;
        }
        let key_at = (key_mark.line() as u32, key_mark.col() as u32 + 1);
        self.positions.move_earlier(path, key_at);
    }

    fn alias(&mut self, mark: Mark, id: usize) {
        let Some(value) = self.anchors.get(&id).cloned() else {
            self.fail(mark, Code::Syntax, "alias to an unknown anchor".into());
            return;
        };
        if !self.charge_copy(mark, &value) {
            return;
        }
        if let Some(path) = self.next_path() {
            self.place(mark, &path);
        }
        self.add_value(mark, value);
    }
}

/// Nodes and bytes of text (keys and strings) in `value`.
fn size_of(value: &Value) -> (usize, usize) {
    let add = |(n, b): (usize, usize), (m, c): (usize, usize)| (n + m, b + c);
    match value {
        Value::Array(items) => items.iter().map(size_of).fold((1, 0), add),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| add((0, k.len()), size_of(v)))
            .fold((1, 0), add),
        Value::String(s) => (1, s.len()),
        _ => (1, 0),
    }
}

/// YAML 1.2 core schema resolution of an untagged plain scalar; a string
/// keeps `text`'s buffer.
fn plain_scalar(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        let unsigned = text.trim_start_matches(['+', '-']);
        let negative = text.starts_with('-');
        if let Some(hex) = unsigned.strip_prefix("0x") {
            if let Ok(n) = i64::from_str_radix(hex, 16) {
                return Value::Number(Number::from(if negative { -n } else { n }));
            }
        } else if let Some(oct) = unsigned.strip_prefix("0o") {
            if let Ok(n) = i64::from_str_radix(oct, 8) {
                return Value::Number(Number::from(if negative { -n } else { n }));
            }
        } else if unsigned.bytes().all(|b| b.is_ascii_digit()) && !unsigned.is_empty() {
            if let Ok(n) = text.trim_start_matches('+').parse::<i64>() {
                return Value::Number(Number::from(n));
            }
            if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
                return Value::Number(Number::from(n));
            }
        }
        let looks_float = unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            && unsigned.bytes().any(|b| b.is_ascii_digit());
        if looks_float && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    // `.inf` / `.nan` have no JSON form; they stay strings.
    Value::String(text)
}

impl MarkedEventReceiver for TreeBuilder<'_> {
    fn on_event(&mut self, ev: Event, marker: Marker) {
        let mark = Mark::from(marker);
        if self.error.is_some() && !matches!(ev, Event::StreamEnd) {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.and_then(|t| (t.handle == "!!").then_some(t.suffix));
                self.scalar(mark, text, style, anchor, tag)
            }
            Event::SequenceStart(anchor, _) => self.start_container(mark, anchor, false),
            Event::MappingStart(anchor, _) => self.start_container(mark, anchor, true),
            Event::SequenceEnd | Event::MappingEnd => self.end_container(mark),
            Event::Alias(id) => self.alias(mark, id),
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(
                        mark,
                        Code::MultiDocument,
                        "the file holds more than one YAML document (`---`); put each document in its own file".into(),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guess made before reading, to decide when the meta-schema is
    /// made ready, agrees with what parsing then does.
    #[test]
    fn parsed_in_two_foretells_the_parse() {
        let mut yaml = String::from("asyncapi: 3.0.0\ncomponents:\n  schemas:\n");
        for i in 0..3000 {
            yaml.push_str(&format!("    Schema{i}:\n      type: string\n"));
        }
        yaml.push_str("  messages:\n    Hello:\n      payload:\n        type: string\n");
        let value = parse(&yaml, "t.yaml", &Limits::default()).unwrap().value;
        let json = serde_json::to_string_pretty(&value).unwrap();
        let dir = crate::test_files::scratch_dir("in-two");
        let cases = [
            ("large YAML", yaml.clone(), true),
            ("large JSON named .yaml", json, false),
            (
                "large YAML with a directive",
                format!("%YAML 1.2\n---\n{yaml}"),
                false,
            ),
            ("small YAML", "asyncapi: 3.0.0\n".to_owned(), false),
        ];
        for (case, text, in_two) in cases {
            let path = dir.join("doc.yaml");
            std::fs::write(&path, &text).unwrap();
            let split =
                !looks_like_json(&text) && split::parse_in_two(&text, &Limits::default()).is_some();
            assert_eq!(split, in_two, "{case}: the parse");
            let start = crate::read::read_start(&path, 4096);
            assert_eq!(parsed_in_two(&path, &start), in_two, "{case}: the guess");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn parse_ok(text: &str) -> ParsedFile {
        parse(text, "t.yaml", &Limits::default()).expect("parses")
    }

    #[test]
    fn yaml_values_and_positions() {
        let f = parse_ok("a:\n  b: 1\n  c: [x, 2.5, true, null]\n  'd/e~': \"s\"\n");
        assert_eq!(
            f.value,
            serde_json::json!({"a": {"b": 1, "c": ["x", 2.5, true, null], "d/e~": "s"}})
        );
        assert_eq!(f.positions.get("/a/b"), Some((2, 6)));
        assert_eq!(f.positions.get("/a/c/1"), Some((3, 10)));
        assert_eq!(f.positions.get("/a/d~1e~0"), Some((4, 11)));
        // Block mappings start at their first key.
        assert_eq!(f.positions.get(""), Some((1, 1)));
        assert_eq!(f.positions.get("/a"), Some((2, 3)));
    }

    #[test]
    fn json_syntax_error_is_located() {
        let e = parse("{\n  \"a\": 1,\n  \"b\": }\n", "t.json", &Limits::default()).unwrap_err();
        assert_eq!(e.location.unwrap().line, 3);
        assert_eq!(e.code, Code::Syntax);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n", "t.yaml", &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::DuplicateKey);
        assert_eq!(e.location.unwrap().line, 3);
    }

    #[test]
    fn yaml_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in 'b'..='j' {
            text.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = name;
        }
        let e = parse(&text, "bomb.yaml", &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::AliasLimit);
    }

    #[test]
    fn a_long_string_aliased_many_times_is_refused() {
        let long = "x".repeat(1000);
        let aliases = "*s, ".repeat(200);
        let text = format!("a: &s {long}\nb: [{aliases}]\n");
        let limits = Limits {
            max_alias_bytes: 100_000,
            ..Limits::default()
        };
        let e = parse(&text, "bomb.yaml", &limits).unwrap_err();
        assert_eq!(e.code, Code::AliasLimit, "{e}");
        assert!(parse(&text, "ok.yaml", &Limits::default()).is_ok());
    }

    #[test]
    fn yaml_paths_are_limited() {
        let limits = Limits {
            max_path_bytes: 8,
            ..Limits::default()
        };
        assert!(parse("abc:\n  d/: 1\n", "t.yaml", &limits).is_ok());
        let e = parse("abc:\n  de:\n    - 0\n    - 1\n", "t.yaml", &limits).unwrap_err();
        assert_eq!(e.code, Code::PathTooLong);
        assert_eq!(e.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        let e = parse(&text, "deep.yaml", &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::TooDeep, "{e}");
        let yaml: String = (0..300)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect();
        let e = parse(&yaml, "deep.yaml", &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::TooDeep);
    }

    #[test]
    fn plain_scalars_follow_yaml_1_2_core() {
        assert_eq!(plain_scalar("0x1F".into()), serde_json::json!(31));
        assert_eq!(plain_scalar("-12".into()), serde_json::json!(-12));
        assert_eq!(plain_scalar("1e3".into()), serde_json::json!(1000.0));
        assert_eq!(plain_scalar("1.0.0".into()), serde_json::json!("1.0.0"));
        assert_eq!(plain_scalar("yes".into()), serde_json::json!("yes"));
        assert_eq!(plain_scalar(".inf".into()), serde_json::json!(".inf"));
    }
}
