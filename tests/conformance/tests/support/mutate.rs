//! Mutants of the conformance frames, for the seeded differential campaign.
//!
//! Each mutant is a frame of `frames.jsonl` that parses as a JSON object,
//! changed one to three times: a value replaced by another of a pool that
//! reaches every model of `app.py` (its field names, literals, enum values,
//! formats, bounds and their neighbours) or, under a field's own name, by
//! one of that field's (see `field_pool`), a member removed or added, a
//! number or string nudged, a value wrapped, the action or the payload
//! swapped for another frame's. Mutants that fall into a documented known
//! difference (docs/wire-protocol.md) are not sent: see [`known_class`].

use serde_json::{Value, json};

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

/// Field names of every model in `app.py`, and a few no model has.
const KEYS: &[&str] = &[
    "text",
    "count",
    "ratio",
    "flag",
    "maybe",
    "anything",
    "name",
    "sku",
    "code",
    "age",
    "level",
    "step",
    "temp",
    "price",
    "third",
    "ints",
    "pair",
    "many",
    "unique",
    "counts",
    "holes",
    "groups",
    "positives",
    "trunk",
    "branch",
    "spare",
    "leaf",
    "label",
    "value",
    "note",
    "leaves",
    "maybe_leaf",
    "id",
    "shape",
    "either",
    "shapes",
    "radius",
    "side",
    "pet",
    "others",
    "kind",
    "lives",
    "good",
    "mode",
    "size",
    "mixed",
    "only",
    "color",
    "priority",
    "day",
    "moment",
    "clock",
    "span",
    "uid",
    "amount",
    "link",
    "home",
    "ip",
    "blob",
    "inner",
    "x",
    "y",
    "title",
    "tags",
    "origin",
    "nothing",
    "forest",
    "children",
    "payload",
    "action",
    "ref",
    "topic",
    "",
    "zzz",
    "Name",
    "é",
];

/// Actions the consumer handles, the reply actions and some it does not.
const ACTIONS: &[&str] = &[
    "ping",
    "scalars",
    "constraints",
    "collections",
    "nested",
    "unions",
    "tagged",
    "choices",
    "formats",
    "strict_extra",
    "defaults",
    "recursive",
    "pong",
    "scalars_echo",
    "nope",
    "",
    "PING",
];

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

/// Seeds and the pool, ready to make mutants.
pub struct Mutator {
    seeds: Vec<Value>,
    pool: Vec<Value>,
}

impl Mutator {
    /// `seeds`: the frames to start from (JSON objects).
    pub fn new(seeds: Vec<Value>) -> Self {
        assert!(!seeds.is_empty(), "no frame to mutate");
        Mutator {
            seeds,
            pool: pool(),
        }
    }

    /// One mutant, as frame text, or `None` when it falls into a known
    /// difference.
    pub fn mutant(&self, rng: &mut Rng) -> Option<String> {
        let mut frame = rng.pick(&self.seeds).clone();
        for _ in 0..1 + rng.below(3) {
            self.mutate(&mut frame, rng);
        }
        if known_class(&frame) {
            return None;
        }
        if rng.below(4) > 0 {
            return Some(serde_json::to_string(&frame).expect("a serde_json value serializes"));
        }
        // A quarter are spelled otherwise: the same JSON to a reader but for
        // a repeated key or a number's kind (see `spell`).
        let mut text = String::new();
        self.spell(&frame, rng, &mut text);
        Some(text)
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
                let key = *rng.pick(&["ref", "topic", "action", "payload", "zzz", ""]);
                if let Some(object) = frame.as_object_mut() {
                    object.insert(key.into(), rng.pick(&self.pool).clone());
                }
            }
            0 => {
                if let Some(object) = frame.as_object_mut() {
                    object.insert("action".into(), json!(rng.pick(ACTIONS)));
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
                    Some(Step::Key(key)) => field_pool(key),
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
                    map.insert(rng.pick(KEYS).to_string(), rng.pick(&self.pool).clone());
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
                    json!({ *rng.pick(KEYS): inner })
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

/// Values for one field of `app.py`, chosen for how its type reads input:
/// each format's spellings and near misses, numbers around each bound, the
/// pattern's edges. A node under one of these keys takes a value from its
/// list half the time it is replaced.
fn field_pool(key: &str) -> &'static [&'static str] {
    match key {
        "day" => &[
            r#""2024-01-31T00:00:00Z""#,
            r#""2024-01-31T00:00:01Z""#,
            r#""2024-01-31T00:00:00""#,
            "1704067200",
            "1704067200.0",
            "0",
            "-1",
            r#""1704067200""#,
            r#""2024-13-01""#,
            r#""2024-02-30""#,
            r#""0000-01-01""#,
            r#""9999-12-31""#,
            r#""2024/01/31""#,
            "1e20",
        ],
        "moment" => &[
            r#""2024-01-31T12:34:56.1234567Z""#,
            r#""2024-01-31T12:34:56+2400""#,
            r#""2024-01-31t12:34:56z""#,
            r#""2024-01-31 12:34:56Z""#,
            r#""2024-01-31T12:34""#,
            r#""2024-01-31T12""#,
            r#""2024-01-31""#,
            "1704067200.5",
            "-1",
            "0",
            "1e11",
            "1e20",
            r#""2024-01-31T12:34:56-00:00""#,
            r#""2024-01-31T12:34:56+05""#,
            r#""2024-01-31T23:59:60Z""#,
            r#""1704067200123""#,
        ],
        "clock" => &[
            r#""12:34:56Z""#,
            r#""12:34:56.123456789""#,
            r#""123456""#,
            r#""12:34:56+01:00""#,
            r#""24:00:00""#,
            r#""12:60""#,
            r#""1:2:3""#,
            "3600",
            "3600.5",
            "-1",
            "86400",
            r#""T12:34""#,
        ],
        "span" => &[
            r#""P1W""#,
            r#""P0D""#,
            r#""PT""#,
            r#""P1DT""#,
            r#""1:02:03""#,
            r#""-1 day, 0:00:00""#,
            r#""P1.5D""#,
            "3600",
            "-0.5",
            "1e10",
            r#""P1Y2M""#,
            r#""PT1H30M15.5S""#,
            r#""01:02:03.5""#,
            r#""1 day""#,
            r#""-PT1S""#,
            r#""+P1D""#,
            r#""2 days, 1:00:00""#,
        ],
        "uid" => &[
            r#""550e8400e29b41d4a716446655440000""#,
            r#""550E8400-E29B-41D4-A716-446655440000""#,
            r#""{550e8400-e29b-41d4-a716-446655440000}""#,
            r#""urn:uuid:550e8400-e29b-41d4-a716-446655440000""#,
            r#""00000000-0000-0000-0000-000000000000""#,
            r#""550e8400-e29b-41d4-a716-44665544000""#,
            r#""550e8400-e29b-41d4-a716-4466554400000""#,
            r#""550e8400-e29b-41d4-a716_446655440000""#,
            "1",
            r#""""#,
        ],
        "amount" => &[
            r#""1e1000""#,
            r#""-0""#,
            r#""0E-10""#,
            r#""1.23456789012345678901234567890""#,
            r#""sNaN""#,
            r#""Infinity""#,
            r#""-inf""#,
            r#""1_000.5""#,
            r#"" 1.5 ""#,
            r#""+1.5""#,
            r#"".5""#,
            r#""5.""#,
            r#""1.5e""#,
            "1.5",
            "0.1",
            "100",
            r#""0x10""#,
        ],
        "link" | "home" => &[
            r#""http://example.com:99999""#,
            r#""http://exa mple.com""#,
            r#""https://例え.jp/パス""#,
            r#""http://a/b/../c""#,
            r#""HTTP://Example.COM""#,
            r#""file:///etc/passwd""#,
            r#""http:/x""#,
            r#""//example.com""#,
            r#""http://user@:80""#,
            r#""http://[::1]""#,
            r#""https://example.com/a b?c=d e#f g""#,
            r#""ws://x""#,
            r#""http://x.com/%zz""#,
            r#""https://xn--r8jz45g.jp""#,
            r#""http://1.2.3.4:0/""#,
            r#""http://""#,
        ],
        "ip" => &[
            r#""127.1""#,
            r#""0x7f.0.0.1""#,
            r#""127.0.0.01""#,
            r#""1.2.3.4 ""#,
            r#""::1""#,
            r#""255.255.255.255""#,
            r#""0.0.0.0""#,
            "2130706433",
            r#""2130706433""#,
            r#""1.2.3""#,
        ],
        "blob" => &[
            r#""hello""#,
            r#""é""#,
            r#""""#,
            r#""aGVsbG8=""#,
            "1",
            "[104, 105]",
            r#""\u0000""#,
        ],
        "sku" => &[
            r#""ABC-١٢""#,
            r#""ABC-12\n""#,
            r#""ÀBC-12""#,
            r#""abc-12""#,
            r#""ABC-123""#,
            r#""ABC-1２""#,
            r#""ABCD-12""#,
            r#"" ABC-12""#,
        ],
        "code" => &[
            r#""ab\n""#,
            r#""éé""#,
            r#""a""#,
            r#""abcdef""#,
            r#""abcdefg""#,
            r#""AB""#,
        ],
        "name" | "text" | "label" | "note" | "title" => &[
            r#""ab""#,
            r#""abcdefgh""#,
            r#""abcdefghi""#,
            r#""😀😀""#,
            r#""é""#,
            r#""a\u0301""#,
            r#""\ud83d\ude00""#,
            "1",
            "1.5",
            "true",
        ],
        "count" | "age" | "level" | "step" | "value" | "lives" | "x" | "y" | "id" | "maybe" => &[
            r#""٧""#,
            r#""\t7\n""#,
            r#""7.0""#,
            r#""7.5""#,
            r#""1_0""#,
            r#""0b1""#,
            r#""-0""#,
            "7.0",
            "7.5",
            "-0.0",
            "150",
            "151",
            "-1",
            "0",
            "10",
            "9",
            "1e2",
            "5",
            "15",
        ],
        "ratio" | "temp" | "price" | "third" | "radius" | "side" => &[
            r#""+1.5""#,
            r#""1_000.5""#,
            r#""-0.0""#,
            r#"".5""#,
            r#""5.""#,
            r#""infinity""#,
            r#""-inf""#,
            r#""iNf""#,
            r#""nan""#,
            r#""1e""#,
            "-273.15",
            "-273.14",
            "999.9999",
            "1000",
            "0.75",
            "0.9",
            "1e-10",
            "-0.3",
        ],
        _ => &[],
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

/// Whether `frame` may be answered differently for a reason the known
/// differences of docs/wire-protocol.md give, whatever else it holds:
///
/// - integers beyond `i64` (`numbers/*`), as numbers or as strings of
///   digits: the pool makes none, but a seed may hold one, and a nudge of a
///   float may write one as a string;
/// - the defaults of `origin` and of the whole payload of `defaults`
///   (`valid/defaults-*`, `missing/payload-defaults`), which the document
///   does not carry: any `defaults` frame whose payload is missing, not an
///   object, or has no `origin`;
/// - `tuple[int, ...]` and `frozenset[str]` read as a list and a set
///   (`containers/string-for-*`), and a frozenset's order
///   (`collections/frozenset-order`): a `collections` frame whose `many`
///   or `names` is not an array, or whose `names` has two items or more.
///
/// Lone surrogates (`unicode/*`) cannot occur: the frames are Rust strings.
pub fn known_class(frame: &Value) -> bool {
    if holds_integer_beyond_i64(frame) {
        return true;
    }
    let action = frame.get("action").and_then(Value::as_str);
    let payload = frame.get("payload");
    match action {
        Some("defaults") => !payload
            .and_then(Value::as_object)
            .is_some_and(|payload| payload.contains_key("origin")),
        Some("collections") => payload.and_then(Value::as_object).is_some_and(|payload| {
            let not_array = |key: &str| payload.get(key).is_some_and(|v| !v.is_array());
            not_array("many")
                || not_array("names")
                || payload
                    .get("names")
                    .and_then(Value::as_array)
                    .is_some_and(|names| names.len() >= 2)
        }),
        _ => false,
    }
}

/// Whether `value` holds an integer beyond `i64`, as a number or as a
/// string of one (which pydantic parses into an int field:
/// `numbers/int-from-str-2-pow-63`).
fn holds_integer_beyond_i64(value: &Value) -> bool {
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
fn every_field_value_is_json() {
    for key in KEYS {
        for text in field_pool(key) {
            let parsed = serde_json::from_str::<Value>(text);
            assert!(parsed.is_ok(), "field_pool({key:?}): {text} is not JSON");
        }
    }
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
