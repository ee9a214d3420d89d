use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::*;
use crate::json::JsonMap;

fn dumps<T: Serialize + ?Sized>(value: &T) -> String {
    to_string(value).unwrap()
}

fn repr(f: f64) -> String {
    let mut out = String::new();
    write_float_repr(&mut out, f);
    out
}

#[test]
fn float_repr_matches_python() {
    for (f, expected) in [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-1.5, "-1.5"),
        (100000.0, "100000.0"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (0.000015, "1.5e-05"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (9999999999999998.0, "9999999999999998.0"),
        (123456789.12345679, "123456789.12345679"),
        (0.1 + 0.2, "0.30000000000000004"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e100, "1e+100"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        assert_eq!(repr(f), expected, "{f:e}");
    }
}

#[test]
fn strings_are_ascii_with_python_escapes() {
    assert_eq!(dumps("plain / text"), r#""plain / text""#);
    assert_eq!(dumps("\"\\\n\r\t\u{8}\u{c}"), r#""\"\\\n\r\t\b\f""#);
    assert_eq!(
        dumps("\0\u{1}\u{1f}\u{7f}"),
        r#""\u0000\u0001\u001f\u007f""#
    );
    assert_eq!(dumps("café ü"), r#""caf\u00e9 \u00fc""#);
    assert_eq!(dumps("😀x"), r#""\ud83d\ude00x""#);
    assert_eq!(dumps("\u{FFFD}\u{2028}"), r#""\ufffd\u2028""#);
    assert_eq!(dumps(&'é'), r#""\u00e9""#);
}

/// `json.dumps(str)` with `ensure_ascii`, one character at a time.
fn reference_string(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[test]
fn every_character_class_is_escaped_as_python_does_alone_and_in_runs() {
    let samples = (0u32..0x300)
        .chain([
            0x7ff, 0x800, 0x2028, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff,
        ])
        .filter_map(char::from_u32);
    for c in samples {
        for text in [
            c.to_string(),
            format!("key{c}"),
            format!("{c}tail"),
            format!("a long plain run before {c} and after"),
        ] {
            let mut out = String::new();
            crate::json::write_string(&mut out, &text);
            assert_eq!(out, reference_string(&text), "{text:?}");
        }
    }
}

/// Strings are checked eight bytes at a time: a character needing an
/// escape is found at every place in a word and in the last short word.
#[test]
fn an_escape_is_found_at_every_place_in_a_word() {
    let samples = [
        '"', '\\', '\u{0}', '\u{1f}', ' ', '~', '\u{7f}', 'é', '🦀', 'a',
    ];
    for c in samples {
        for before in 0..=17 {
            for after in [0, 1, 6, 7, 8, 9, 15] {
                let text = format!("{}{c}{}", "x".repeat(before), "y".repeat(after));
                let mut out = String::new();
                crate::json::write_string(&mut out, &text);
                assert_eq!(out, reference_string(&text), "{text:?}");
            }
        }
    }
}

#[test]
fn containers_use_python_separators() {
    assert_eq!(dumps(&json!([])), "[]");
    assert_eq!(dumps(&json!({})), "{}");
    assert_eq!(
        dumps(&json!([1, [2, 3], {"a": null}])),
        r#"[1, [2, 3], {"a": null}]"#
    );
    assert_eq!(
        dumps(&json!({"b": true, "a": [false, 1.0, -2], "c": {}})),
        r#"{"b": true, "a": [false, 1.0, -2], "c": {}}"#
    );
    assert_eq!(dumps(&(1, "a")), r#"[1, "a"]"#);
    assert_eq!(dumps(&[1u8, 2]), "[1, 2]");
}

#[test]
fn non_finite_floats_are_written_as_python_writes_them() {
    assert_eq!(
        dumps(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY]),
        "[NaN, Infinity, -Infinity]"
    );
    assert_eq!(dumps(&f32::NAN), "NaN");
    assert_eq!(
        dumps(&Json::Array(vec![
            Json::Float(f64::NAN),
            Json::Float(f64::INFINITY)
        ])),
        "[NaN, Infinity]"
    );
}

#[test]
fn f32_keeps_its_own_shortest_digits() {
    assert_eq!(dumps(&0.1f32), "0.1");
    assert_eq!(dumps(&1e20f32), "1e+20");
    assert_eq!(dumps(&16777216f32), "16777216.0");
}

#[test]
fn integers_of_every_width() {
    assert_eq!(dumps(&i64::MIN), "-9223372036854775808");
    assert_eq!(dumps(&u64::MAX), "18446744073709551615");
    assert_eq!(
        dumps(&i128::MIN),
        "-170141183460469231731687303715884105728"
    );
    assert_eq!(dumps(&u128::MAX), "340282366920938463463374607431768211455");
    assert_eq!(dumps(&0u8), "0");
}

#[test]
fn big_ints_are_bare_numbers() {
    let huge = "1".repeat(60);
    let value = Json::Array(vec![
        Json::BigInt("9223372036854775808".into()),
        Json::BigInt("-99999999999999999999999".into()),
        Json::BigInt(huge.clone().into()),
        Json::BigInt(format!("-{huge}").into()),
    ]);
    assert_eq!(
        dumps(&value),
        format!("[9223372036854775808, -99999999999999999999999, {huge}, -{huge}]")
    );
    // Any other serializer sees numbers where they fit, digits otherwise.
    assert_eq!(
        serde_json::to_string(&Json::BigInt("9223372036854775808".into())).unwrap(),
        "9223372036854775808"
    );
    assert_eq!(
        serde_json::to_string(&Json::BigInt(huge.clone().into())).unwrap(),
        format!("\"{huge}\"")
    );
    // As a key it is quoted like a Python int key.
    assert_eq!(
        dumps(&Pairs(vec![(Json::BigInt(huge.clone().into()), 1)])),
        format!("{{\"{huge}\": 1}}")
    );
}

/// A map with keys of any type, in the given order.
struct Pairs<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[test]
fn map_keys_as_python_writes_them() {
    assert_eq!(
        dumps(&BTreeMap::from([(1, 2), (-3, 4)])),
        r#"{"-3": 4, "1": 2}"#
    );
    assert_eq!(
        dumps(&BTreeMap::from([(true, 1), (false, 0)])),
        r#"{"false": 0, "true": 1}"#
    );
    assert_eq!(dumps(&BTreeMap::from([((), 1)])), r#"{"null": 1}"#);
    assert_eq!(dumps(&BTreeMap::from([('é', 1)])), r#"{"\u00e9": 1}"#);
    assert_eq!(
        dumps(&BTreeMap::from([(u128::MAX, 1)])),
        r#"{"340282366920938463463374607431768211455": 1}"#
    );
    let floats: Vec<(f64, i32)> = vec![(1.5, 1), (1e16, 2), (f64::NAN, 3), (f64::NEG_INFINITY, 4)];
    assert_eq!(
        dumps(&Pairs(floats)),
        r#"{"1.5": 1, "1e+16": 2, "NaN": 3, "-Infinity": 4}"#
    );
    let error = to_string(&BTreeMap::from([((1, 2), 3)])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "keys must be str, int, float, bool or None"
    );
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Wrapper(String);

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Shape {
    Empty,
    Circle(f64),
    Pair(i32, i32),
    Rect { w: u32, h: u32 },
}

#[derive(Serialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum Message {
    Ping,
    Chat { text: String },
}

#[derive(Serialize)]
struct Frame {
    id: u64,
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    shapes: Vec<Shape>,
    unit: Unit,
    wrapper: Wrapper,
    nothing: (),
    #[serde(flatten)]
    extra: JsonMap,
}

#[test]
fn serde_shapes() {
    let frame = Frame {
        id: 7,
        name: None,
        skipped: None,
        shapes: vec![
            Shape::Empty,
            Shape::Circle(2.0),
            Shape::Pair(1, -1),
            Shape::Rect { w: 3, h: 4 },
        ],
        unit: Unit,
        wrapper: Wrapper("w".into()),
        nothing: (),
        extra: JsonMap::from_iter([("x".to_owned(), Json::Float(0.5))]),
    };
    assert_eq!(
        dumps(&frame),
        r#"{"id": 7, "name": null, "shapes": ["empty", {"circle": 2.0}, {"pair": [1, -1]}, {"rect": {"w": 3, "h": 4}}], "unit": null, "wrapper": "w", "nothing": null, "x": 0.5}"#
    );
    assert_eq!(dumps(&Message::Ping), r#"{"action": "ping"}"#);
    assert_eq!(
        dumps(&Message::Chat { text: "hi".into() }),
        r#"{"action": "chat", "payload": {"text": "hi"}}"#
    );
    assert_eq!(dumps(&Some(1)), "1");
    assert_eq!(dumps(&None::<i32>), "null");
    assert_eq!(dumps(&serde_bytes_like()), "[0, 255]");
}

fn serde_bytes_like() -> impl Serialize {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&[0, 255])
        }
    }
    Bytes
}

#[test]
fn parsed_documents_round_trip() {
    let text = r#"{"a": [1, 2.5, "x\u00e9"], "b": {"c": null, "d": true}, "e": 1e+16, "f": -0.0}"#;
    assert_eq!(dumps(&crate::json::parse(text).unwrap()), text);
}

#[test]
fn deep_values_write_without_overflowing_the_stack() {
    let depth = crate::json::DEFAULT_MAX_DEPTH;
    let text = "[".repeat(depth) + &"]".repeat(depth);
    let value = crate::json::parse(&text).unwrap();
    assert_eq!(dumps(&value), text);
    let text = r#"{"a": "#.repeat(depth - 1) + "{}" + &"}".repeat(depth - 1);
    let value = crate::json::parse(&text).unwrap();
    assert_eq!(dumps(&value), text);
}

#[test]
fn frames_deeper_than_pydantic_serializes_are_refused() {
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let value = crate::json::parse(&deep(MAX_DUMP_DEPTH)).unwrap();
    assert_eq!(to_frame(&value).unwrap(), deep(MAX_DUMP_DEPTH));
    let value = crate::json::parse(&deep(MAX_DUMP_DEPTH + 1)).unwrap();
    assert_eq!(
        to_frame(&value).unwrap_err().to_string(),
        "Maximum serialization depth exceeded"
    );
}

#[test]
fn generic_layout_agrees_with_the_f64_fast_path() {
    // `layout_shortest` (used for f32) against `write_float_repr`, which
    // the differential tests check against Python.
    let mut state = 0x1234_5678_9abc_def0u64;
    for i in 0..200_000u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let value = if i % 2 == 0 {
            f64::from_bits(state)
        } else {
            (state >> 11) as f64 / 1e6
        };
        if !value.is_finite() {
            continue;
        }
        let mut generic = String::new();
        layout_shortest(&mut generic, ryu::Buffer::new().format_finite(value));
        assert_eq!(generic, repr(value), "{value:e}");
    }
}

#[test]
fn serde_json_raw_values_are_rewritten_in_python_layout() {
    let text = r#"{"a":[1,2.50,1E300,"\u00e9"],"b":{}}"#;
    let raw = serde_json::value::RawValue::from_string(text.to_owned()).unwrap();
    let python = r#"{"a": [1, 2.5, 1e+300, "\u00e9"], "b": {}}"#;
    assert_eq!(dumps(&raw), python);
    assert_eq!(dumps(&[&raw, &raw]), format!("[{python}, {python}]"));
}
