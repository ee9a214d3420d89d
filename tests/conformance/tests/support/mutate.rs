//! Mutants of the conformance frames, for the seeded differential campaign.
//!
//! Each mutant is a frame of `frames.jsonl` that parses as a JSON object,
//! changed one to three times: a value replaced by another of a pool that
//! reaches every model of `app.py` (its field names, literals, enum values,
//! formats, bounds and their neighbours) or, under a field's own name, by
//! one of that field's (see `field_pool`), a member removed or added, a
//! number or string nudged, a value wrapped, the action or the payload
//! swapped for another frame's. Mutants that fall into a documented known
//! difference (docs/wire-protocol.md) are not sent: see [`Vocabulary`].

use serde_json::{Value, json};

/// A campaign setting from the environment variable `name` (a count, a
/// seed), or `default`; both campaigns read theirs here.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
        Err(_) => default,
    }
}

/// A small, fast, seeded generator (SplitMix64): the campaign must be
/// repeatable from its seed, and needs no statistical quality.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that reach the models' fields: each type's edges, literals and
/// enum values, strings each format parses (and nearly parses).
fn pool() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(2),
        json!(3),
        json!(4),
        json!(5),
        json!(9),
        json!(10),
        json!(150),
        json!(151),
        json!(-5),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(9_007_199_254_740_993_i64),
        json!(0.0),
        json!(-0.0),
        json!(0.5),
        json!(0.25),
        json!(0.3),
        json!(1.0),
        json!(1.5),
        json!(2.0),
        json!(-273.15),
        json!(999.999),
        json!(1e16),
        json!(1e300),
        json!(5e-324),
        json!(1.7976931348623157e308),
        json!(""),
        json!("a"),
        json!("ab"),
        json!("abcdef"),
        json!("abcdefg"),
        json!("abcdefghi"),
        json!("ABC-12"),
        json!("abc-12"),
        json!("1"),
        json!("-1"),
        json!("1.5"),
        json!("1e3"),
        json!(" 7 "),
        json!("true"),
        json!("yes"),
        json!("off"),
        json!("null"),
        json!("red"),
        json!("RED"),
        json!("fast"),
        json!("slow"),
        json!("auto"),
        json!("only"),
        json!("cat"),
        json!("dog"),
        json!("2024-02-29"),
        json!("2023-02-29"),
        json!("2024-01-31T12:34:56Z"),
        json!("2024-01-31T12:34:56.789+05:30"),
        json!("2024-01-31 12:34"),
        json!("12:34:56"),
        json!("25:00"),
        json!("P1DT2H"),
        json!("PT0.5S"),
        json!("-P1D"),
        json!("1 day"),
        json!("550e8400-e29b-41d4-a716-446655440000"),
        json!("550E8400E29B41D4A716446655440000"),
        json!("not-a-uuid"),
        json!("3.14"),
        json!("1e-7"),
        json!("NaN"),
        json!("http://example.com"),
        json!("https://example.com/a?b=1#c"),
        json!("ftp://x"),
        json!("example.com"),
        json!("127.0.0.1"),
        json!("256.0.0.1"),
        json!("aGVsbG8="),
        json!("aGVsbG8"),
        json!("a b"),
        json!("2024-01-31T12:34:56"),
        json!("2024-01-31T12:34:56.123456789Z"),
        json!("2024-01-31T24:00:00Z"),
        json!("2024-1-1"),
        json!("20240131"),
        json!("1704067200"),
        json!(1_704_067_200),
        json!(1_704_067_200_123_i64),
        json!("12:34"),
        json!("12:34:56.5+01:00"),
        json!("P1Y"),
        json!("PT1.5H"),
        json!("1 00:00:00"),
        json!("00:00:01"),
        json!("Infinity"),
        json!("0.1e-2"),
        json!("1_000"),
        json!("http://[::1]:80/"),
        json!("HTTP://EXAMPLE.COM/%7e"),
        json!("mailto:a@b.c"),
        json!("https://user:pw@example.com:8443/p"),
        json!("01.02.03.04"),
        json!("{550e8400-e29b-41d4-a716-446655440000}"),
        json!("urn:uuid:550e8400-e29b-41d4-a716-446655440000"),
        json!("é😀"),
        json!("tab\there"),
        json!("\u{0}"),
        json!([]),
        json!({}),
        json!([1]),
        json!([1, 2, 3, 4, 5, 6]),
        json!(["a"]),
        json!(["a", "b"]),
        json!([1, "a"]),
        json!([null]),
        json!([[1]]),
        json!({"a": 1}),
        json!({"a": [1]}),
        json!({"a": 1, "b": 2, "c": 3, "d": 4}),
        json!({"kind": "cat"}),
        json!({"kind": "dog", "good": false}),
        json!({"kind": "bird"}),
        json!({"radius": 1}),
        json!({"side": "2"}),
        json!({"radius": 1, "side": 2}),
        json!({"value": 1}),
        json!({"value": "x", "note": 1}),
        json!({"label": "l", "leaf": {"value": 1}}),
        json!({"name": "n", "children": []}),
        json!({"name": "n", "children": [{"name": 1}]}),
        json!({"x": 1}),
        json!({"x": 1, "y": 2}),
    ]
}

/// What a campaign's mutants are made of, beside the common pool.
pub struct Vocabulary {
    /// Member names to add: the models' fields and a few no model has.
    pub keys: &'static [&'static str],
    /// Actions to put in place of a frame's.
    pub actions: &'static [&'static str],
    /// Envelope members to add at the top of a frame.
    pub envelope: &'static [&'static str],
    /// Values for a field, by its name, as JSON texts (see [`Mutator`]).
    pub field_pool: fn(&str) -> &'static [&'static str],
    /// Values to add to the common pool, as JSON texts.
    pub values: &'static [&'static str],
    /// Whether a mutant falls into a known difference (it is then not sent).
    pub known: fn(&Value) -> bool,
}

/// Seeds, a vocabulary and the pool, ready to make mutants.
///
/// A replaced value under a field's name is, half the time, one of that
/// field's own values ([`Vocabulary::field_pool`]).
pub struct Mutator {
    seeds: Vec<Value>,
    pool: Vec<Value>,
    vocabulary: Vocabulary,
}

impl Mutator {
    /// `seeds`: the frames to start from (JSON objects).
    pub fn new(seeds: Vec<Value>, vocabulary: Vocabulary) -> Self {
        assert!(!seeds.is_empty(), "no frame to mutate");
        let mut pool = pool();
        pool.extend(vocabulary.values.iter().map(|text| {
            serde_json::from_str::<Value>(text)
                .unwrap_or_else(|e| panic!("vocabulary value {text}: {e}"))
        }));
        Mutator {
            seeds,
            pool,
            vocabulary,
        }
    }

    /// One mutant, as frame text, or `None` when it falls into a known
    /// difference.
    pub fn mutant(&self, rng: &mut Rng) -> Option<String> {
        let mut frame = rng.pick(&self.seeds).clone();
        for _ in 0..1 + rng.below(3) {
            self.mutate(&mut frame, rng);
        }
        if (self.vocabulary.known)(&frame) {
            return None;
        }
        let text = if rng.below(4) > 0 {
            serde_json::to_string(&frame).expect("a serde_json value serializes")
        } else {
            // A quarter are spelled otherwise: the same JSON to a reader but
            // for a repeated key or a number's kind (see `spell`).
            let mut text = String::new();
            self.spell(&frame, rng, &mut text);
            text
        };
        if rng.below(6) > 0 {
            return Some(text);
        }
        // A sixth are corrupted, mostly into text that is not JSON: chanx
        // answers with Python's message and position for the first fault.
        let corrupted = corrupt(&text, rng);
        // Unless the known differences could come back: a lone surrogate
        // (`\ud83d` of a pair cut in two), an integer beyond `i64` (digits
        // joined across a cut `.`; serde_json reads it as a float), or a
        // new value to check.
        let long_digits = corrupted
            .as_bytes()
            .split(|b| !b.is_ascii_digit())
            .any(|run| run.len() >= 19);
        if corrupted.contains("\\ud") || long_digits {
            return None;
        }
        match serde_json::from_str::<Value>(&corrupted) {
            Ok(value) if (self.vocabulary.known)(&value) => None,
            _ => Some(corrupted),
        }
    }

    /// Writes `value` as JSON with the spellings a client may use: spaces
    /// (` `, tab, CR, LF) between tokens, characters as `\u` escapes
    /// (astral ones as surrogate pairs) and `\/`, numbers with exponents,
    /// and now and then a key repeated before its last value (which a
    /// Python `dict` keeps), or an integer written as the float of the
    /// same value (`5.0`, `5e0`, which Python reads as a float).
    fn spell(&self, value: &Value, rng: &mut Rng, out: &mut String) {
        let space = |rng: &mut Rng, out: &mut String| {
            if rng.below(4) == 0 {
                out.push(*rng.pick(&[' ', '\t', '\r', '\n']));
            }
        };
        match value {
            Value::Object(map) => {
                out.push('{');
                let mut first = true;
                let mut member = |key: &str, value: &Value, rng: &mut Rng, out: &mut String| {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    space(rng, out);
                    spell_string(key, rng, out);
                    space(rng, out);
                    out.push(':');
                    space(rng, out);
                    self.spell(value, rng, out);
                    space(rng, out);
                };
                for (key, value) in map {
                    if rng.below(12) == 0 {
                        let earlier = rng.pick(&self.pool).clone();
                        member(key, &earlier, rng, out);
                    }
                    member(key, value, rng, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(rng, out);
                    self.spell(item, rng, out);
                    space(rng, out);
                }
                out.push(']');
            }
            Value::String(text) => spell_string(text, rng, out),
            Value::Number(number) => match (number.as_i64(), rng.below(6)) {
                (Some(n), 0) => out.push_str(&format!("{n}.0")),
                (Some(n), 1) => out.push_str(&format!("{n}e0")),
                (Some(n), 2) if n != 0 => out.push_str(&format!("{n}0E-1")),
                (None, 0) => out.push_str(&format!("{:e}", number.as_f64().unwrap_or(0.0))),
                _ => out.push_str(&number.to_string()),
            },
            other => out.push_str(&other.to_string()),
        }
    }

    fn mutate(&self, frame: &mut Value, rng: &mut Rng) {
        match rng.below(11) {
            10 => {
                // A member of the envelope: `ref`, `topic`, a second
                // `action`, or one no message has.
                let key = *rng.pick(self.vocabulary.envelope);
                if let Some(object) = frame.as_object_mut() {
                    object.insert(key.into(), rng.pick(&self.pool).clone());
                }
            }
            0 => {
                if let Some(object) = frame.as_object_mut() {
                    object.insert("action".into(), json!(rng.pick(self.vocabulary.actions)));
                }
            }
            1 => {
                // Another frame's payload under this frame's action.
                let other = rng.pick(&self.seeds).get("payload").cloned();
                if let (Some(object), Some(payload)) = (frame.as_object_mut(), other) {
                    object.insert("payload".into(), payload);
                }
            }
            _ => {
                let sites = sites(frame);
                let path = rng.pick(&sites).clone();
                let Some(node) = at_mut(frame, &path) else {
                    return;
                };
                let field: &[&str] = match path.last() {
                    Some(Step::Key(key)) => (self.vocabulary.field_pool)(key),
                    _ => &[],
                };
                if !field.is_empty() && rng.below(2) == 0 {
                    let text = *rng.pick(field);
                    *node = serde_json::from_str(text).expect("the field pools are JSON texts");
                } else {
                    self.mutate_node(node, rng);
                }
                if rng.below(8) == 0 {
                    remove(frame, &path);
                }
            }
        }
    }

    fn mutate_node(&self, node: &mut Value, rng: &mut Rng) {
        match rng.below(6) {
            0 | 1 => *node = rng.pick(&self.pool).clone(),
            2 => match node {
                Value::Object(map) => {
                    map.insert(
                        rng.pick(self.vocabulary.keys).to_string(),
                        rng.pick(&self.pool).clone(),
                    );
                }
                Value::Array(items) => items.push(rng.pick(&self.pool).clone()),
                _ => *node = rng.pick(&self.pool).clone(),
            },
            3 => nudge(node, rng),
            4 => {
                let inner = node.take();
                *node = if rng.below(2) == 0 {
                    json!([inner])
                } else {
                    json!({ *rng.pick(self.vocabulary.keys): inner })
                };
            }
            _ => match node {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(rng.below(map.len())).cloned();
                    if let Some(key) = key {
                        map.shift_remove(&key);
                    }
                }
                Value::Array(items) if !items.is_empty() => {
                    let index = rng.below(items.len());
                    items.remove(index);
                }
                _ => nudge(node, rng),
            },
        }
    }
}

/// `text` with one character cut, added or replaced, a piece repeated, or
/// its end cut off (never a digit added: that could make an integer beyond
/// `i64`, a known difference).
fn corrupt(text: &str, rng: &mut Rng) -> String {
    const ADDED: &[&str] = &[
        ",", ":", "\"", "{", "}", "[", "]", "\\", " ", "x", "\u{0}", "\n", "'", "-", ".", "e", "é",
        "😀", "\u{1}", "\u{7f}", "/", "t", "n", "\u{2028}", "\u{feff}",
    ];
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect();
    let at = *rng.pick(&bounds);
    let next = bounds.iter().copied().find(|&b| b > at).unwrap_or(at);
    match rng.below(5) {
        0 => text[..at].to_owned(),
        1 => format!("{}{}", &text[..at], &text[next..]),
        2 => format!("{}{}{}", &text[..at], rng.pick(ADDED), &text[at..]),
        3 => format!("{}{}{}", &text[..at], rng.pick(ADDED), &text[next..]),
        _ => {
            let end = *rng.pick(&bounds);
            let (from, to) = (at.min(end), at.max(end));
            format!("{}{}", &text[..to], &text[from..])
        }
    }
}

/// A JSON string for `text`, some characters escaped.
fn spell_string(text: &str, rng: &mut Rng, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if rng.below(2) == 0 => out.push_str("\\/"),
            c if (c as u32) < 0x20 || rng.below(8) == 0 => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A small change of a scalar that keeps it near the edge it was chosen for.
fn nudge(node: &mut Value, rng: &mut Rng) {
    match node {
        Value::Number(number) => {
            if let Some(n) = number.as_i64() {
                let changed = match rng.below(5) {
                    0 => n.checked_add(1),
                    1 => n.checked_sub(1),
                    2 => n.checked_neg(),
                    3 => n.checked_mul(10),
                    _ => None,
                };
                *node = match changed {
                    Some(n) => json!(n),
                    // As a float of the same value, or as a string.
                    None if rng.below(2) == 0 => json!(n as f64),
                    None => json!(n.to_string()),
                };
            } else if let Some(f) = number.as_f64() {
                *node = match rng.below(4) {
                    0 => json!(f + 1.0),
                    1 => json!(-f),
                    2 => json!(f * 0.5),
                    _ => json!(f.to_string()),
                };
            }
        }
        Value::String(text) => {
            *text = match rng.below(6) {
                0 => String::new(),
                1 => format!("{text}x"),
                2 => format!(" {text}"),
                3 => text.to_uppercase(),
                4 => text.chars().skip(1).collect(),
                _ => text.repeat(2),
            };
        }
        Value::Bool(flag) => *flag = !*flag,
        Value::Null => *node = json!(0),
        Value::Array(_) | Value::Object(_) => {}
    }
}

/// One step into a JSON value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path of every node of `value` but the root.
fn sites(value: &Value) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    let mut stack = vec![(value, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        if !path.is_empty() {
            found.push(path.clone());
        }
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    let mut path = path.clone();
                    path.push(Step::Key(key.clone()));
                    stack.push((child, path));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    let mut path = path.clone();
                    path.push(Step::Index(index));
                    stack.push((child, path));
                }
            }
            _ => {}
        }
    }
    if found.is_empty() {
        found.push(Vec::new());
    }
    found
}

fn at_mut<'v>(mut value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    for step in path {
        value = match (value, step) {
            (Value::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (Value::Array(items), Step::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Removes the node at `path` (not the root).
fn remove(value: &mut Value, path: &[Step]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match (at_mut(value, parent), last) {
        (Some(Value::Object(map)), Step::Key(key)) => {
            map.shift_remove(key);
        }
        (Some(Value::Array(items)), Step::Index(index)) if *index < items.len() => {
            items.remove(*index);
        }
        _ => {}
    }
}

pub fn holds_integer_beyond_i64(value: &Value) -> bool {
    match value {
        Value::Number(number) => number.is_u64() && !number.is_i64(),
        Value::String(text) => integer_text_beyond_i64(text),
        Value::Array(items) => items.iter().any(holds_integer_beyond_i64),
        Value::Object(map) => map.values().any(holds_integer_beyond_i64),
        _ => false,
    }
}

/// Whether pydantic would read `text` as an integer of 19 digits or more:
/// digits and underscores, spaces and a sign around them, and `.0…` after.
fn integer_text_beyond_i64(text: &str) -> bool {
    let text = text.trim();
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    let whole = match text.split_once('.') {
        Some((whole, zeros)) if zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return false,
        None => text,
    };
    whole.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && whole.bytes().filter(u8::is_ascii_digit).count() >= 19
}

#[test]
fn integers_beyond_i64_as_text_are_a_known_difference() {
    for text in [
        "9223372036854775808",
        " -12345678901234567890 ",
        "1_000_000_000_000_000_000_0.00",
    ] {
        assert!(integer_text_beyond_i64(text), "{text}");
    }
    for text in [
        "9223372036854775",
        "1.23456789012345678901234567890",
        "1e30",
        "abc1234567890123456789",
    ] {
        assert!(!integer_text_beyond_i64(text), "{text}");
    }
}

/// The frames of `frames.jsonl` a campaign starts from: every text frame
/// that parses as a JSON object.
pub fn seeds<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<Value> {
    texts
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .filter(Value::is_object)
        .collect()
}
