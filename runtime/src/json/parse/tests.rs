use super::*;
use crate::json::word::stops as word_stops;

fn ok(text: &str) -> Json {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn err(text: &str) -> String {
    match parse(text) {
        Ok(v) => panic!("{text:?} parsed as {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn scalars() {
    assert_eq!(ok("null"), Json::Null);
    assert_eq!(ok(" true "), Json::Bool(true));
    assert_eq!(ok("\t\r\nfalse\n"), Json::Bool(false));
    assert_eq!(ok("0"), Json::Int(0));
    assert_eq!(ok("-0"), Json::Int(0));
    assert_eq!(ok("-12"), Json::Int(-12));
    assert_eq!(ok("\"a\""), Json::Str("a".into()));
}

#[test]
fn integers_of_any_size() {
    assert_eq!(ok("9223372036854775807"), Json::Int(i64::MAX));
    assert_eq!(ok("-9223372036854775808"), Json::Int(i64::MIN));
    assert_eq!(
        ok("9223372036854775808"),
        Json::BigInt("9223372036854775808".into())
    );
    assert_eq!(
        ok("-9223372036854775809"),
        Json::BigInt("-9223372036854775809".into())
    );
    assert_eq!(ok("123456789012345678"), Json::Int(123456789012345678));
    let long = "7".repeat(INT_MAX_STR_DIGITS);
    assert_eq!(ok(&long), Json::BigInt(long.clone().into()));
    let too_long = format!("[-{long}7]");
    let e = parse(&too_long).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::IntTooLong { digits: 4301 });
    assert_eq!(e.pos, 1);
    assert_eq!(
        e.to_string(),
        "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; \
         use sys.set_int_max_str_digits() to increase the limit"
    );
    assert_eq!(e.kind.python_exception(), "ValueError");
}

#[test]
fn floats() {
    assert_eq!(ok("1.0"), Json::Float(1.0));
    assert_eq!(ok("1e5"), Json::Float(1e5));
    assert_eq!(ok("1E+2"), Json::Float(100.0));
    assert_eq!(ok("2.5e-3"), Json::Float(0.0025));
    assert_eq!(ok("1e400"), Json::Float(f64::INFINITY));
    assert_eq!(ok("-1e400"), Json::Float(f64::NEG_INFINITY));
    assert_eq!(ok("1e-400"), Json::Float(0.0));
    let Json::Float(negative_zero) = ok("-0.0") else {
        panic!()
    };
    assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
    assert_eq!(ok("5e-324"), Json::Float(5e-324));
    assert_eq!(ok("Infinity"), Json::Float(f64::INFINITY));
    assert_eq!(ok("-Infinity"), Json::Float(f64::NEG_INFINITY));
    assert!(matches!(ok("NaN"), Json::Float(f) if f.is_nan()));
}

#[test]
fn numbers_stop_where_python_stops() {
    assert_eq!(err("01"), "Extra data: line 1 column 2 (char 1)");
    assert_eq!(err("1."), "Extra data: line 1 column 2 (char 1)");
    assert_eq!(err("1.e5"), "Extra data: line 1 column 2 (char 1)");
    assert_eq!(err("1e"), "Extra data: line 1 column 2 (char 1)");
    assert_eq!(err("1e+"), "Extra data: line 1 column 2 (char 1)");
    assert_eq!(
        err("[1e-]"),
        "Expecting ',' delimiter: line 1 column 3 (char 2)"
    );
    assert_eq!(err("-"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("-NaN"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("+1"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err(".5"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("nul"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("Inf"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("nan"), "Expecting value: line 1 column 1 (char 0)");
}

#[test]
fn strings_and_escapes() {
    assert_eq!(
        ok(r#""\"\\\/\b\f\n\r\t""#),
        Json::Str("\"\\/\u{8}\u{c}\n\r\t".into())
    );
    assert_eq!(ok(r#""\u00e9\u00E9""#), Json::Str("éé".into()));
    assert_eq!(ok(r#""\ud83d\ude00""#), Json::Str("😀".into()));
    assert_eq!(ok(r#""\u0000""#), Json::Str("\0".into()));
    assert_eq!(ok("\"é😀\u{7f}\""), Json::Str("é😀\u{7f}".into()));
    assert_eq!(ok(r#""a\nb" "#), Json::Str("a\nb".into()));
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    assert_eq!(ok(r#""\ud800""#), Json::Str("\u{FFFD}".into()));
    assert_eq!(ok(r#""\udc00x""#), Json::Str("\u{FFFD}x".into()));
    assert_eq!(ok(r#""\ud800\u0041""#), Json::Str("\u{FFFD}A".into()));
    assert_eq!(
        ok(r#""\ud800\ud83d\ude00""#),
        Json::Str("\u{FFFD}😀".into())
    );
    assert_eq!(
        ok(r#""\ude00\ud83d""#),
        Json::Str("\u{FFFD}\u{FFFD}".into())
    );
}

#[test]
fn string_errors() {
    assert_eq!(
        err("\"abc"),
        "Unterminated string starting at: line 1 column 1 (char 0)"
    );
    assert_eq!(
        err("[\"abc\\"),
        "Unterminated string starting at: line 1 column 2 (char 1)"
    );
    assert_eq!(
        err("\"a\u{1}\""),
        "Invalid control character at: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err("\"a\nb\""),
        "Invalid control character at: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err(r#""a\x""#),
        "Invalid \\escape: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err(r#""\u12""#),
        "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err(r#""\u1234"#),
        "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err(r#""\uzzzz""#),
        "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err(r#""\ud800\u12""#),
        "Invalid \\uXXXX escape: line 1 column 9 (char 8)"
    );
    assert_eq!(
        err(r#""é\q""#),
        "Invalid \\escape: line 1 column 3 (char 2)"
    );
}

#[test]
fn objects_keep_first_position_and_last_value() {
    let Json::Object(map) = ok(r#"{"a": 1, "b": 2, "a": 3}"#) else {
        panic!()
    };
    assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(map.get("a"), Some(&Json::Int(3)));
    assert_eq!(ok("{}"), Json::Object(JsonMap::default()));
    assert_eq!(ok("[ ]"), Json::Array(vec![]));
    assert_eq!(
        ok(r#"[1, [2, {"x": [3]}], {}]"#),
        Json::Array(vec![
            Json::Int(1),
            Json::Array(vec![
                Json::Int(2),
                Json::Object(JsonMap::from_iter([(
                    "x".to_owned(),
                    Json::Array(vec![Json::Int(3)])
                )]))
            ]),
            Json::Object(JsonMap::default()),
        ])
    );
}

#[test]
fn structural_errors() {
    assert_eq!(err(""), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err(" \n "), "Expecting value: line 2 column 2 (char 3)");
    assert_eq!(
        err("\u{feff}1"),
        "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"
    );
    assert_eq!(err("\u{a0}1"), "Expecting value: line 1 column 1 (char 0)");
    assert_eq!(err("["), "Expecting value: line 1 column 2 (char 1)");
    assert_eq!(err("[1,]"), "Expecting value: line 1 column 4 (char 3)");
    assert_eq!(
        err("[1 2]"),
        "Expecting ',' delimiter: line 1 column 4 (char 3)"
    );
    assert_eq!(
        err("[1"),
        "Expecting ',' delimiter: line 1 column 3 (char 2)"
    );
    assert_eq!(
        err("{"),
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    );
    assert_eq!(
        err("{'a': 1}"),
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    );
    assert_eq!(
        err(r#"{"a":1,}"#),
        "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"
    );
    assert_eq!(
        err(r#"{"a" 1}"#),
        "Expecting ':' delimiter: line 1 column 6 (char 5)"
    );
    assert_eq!(
        err(r#"{"a":}"#),
        "Expecting value: line 1 column 6 (char 5)"
    );
    assert_eq!(
        err(r#"{"a":1 "b":2}"#),
        "Expecting ',' delimiter: line 1 column 8 (char 7)"
    );
    assert_eq!(err("1 2"), "Extra data: line 1 column 3 (char 2)");
    assert_eq!(err("{}\n\n  x"), "Extra data: line 3 column 3 (char 6)");
}

#[test]
fn positions_count_code_points_and_lines() {
    let e = parse("[\"é😀\",\n  \"ü\" x]").unwrap_err();
    assert_eq!((e.pos, e.line, e.col), (13, 2, 7));
    assert_eq!(e.byte_offset, "[\"é😀\",\n  \"ü\" ".len());
    assert_eq!(
        e.to_string(),
        "Expecting ',' delimiter: line 2 column 7 (char 13)"
    );
    assert_eq!(e.message(), "Expecting ',' delimiter");
    assert_eq!(e.kind.python_exception(), "JSONDecodeError");
    // Only \n starts a line.
    assert_eq!(err("[\r\r x"), "Expecting value: line 1 column 5 (char 4)");
}

#[test]
fn depth_is_limited_without_recursion() {
    let nested = |depth: usize, open: &str, close: &str| open.repeat(depth) + &close.repeat(depth);
    assert!(parse(&nested(DEFAULT_MAX_DEPTH, "[", "]")).is_ok());
    let e = parse(&nested(DEFAULT_MAX_DEPTH + 1, "[", "]")).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::ArrayTooDeep);
    assert_eq!(e.pos, DEFAULT_MAX_DEPTH);
    assert_eq!(
        e.to_string(),
        "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
    );
    let e = parse(&nested(DEFAULT_MAX_DEPTH + 35, r#"{"a":"#, "}")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "maximum recursion depth exceeded while decoding a JSON object from a unicode string"
    );
    assert_eq!(e.kind.python_exception(), "RecursionError");
    assert_eq!(
        parse_with_limit("[[]]", 1).unwrap_err().kind,
        ParseErrorKind::ArrayTooDeep
    );
    assert_eq!(
        parse_with_limit("[{}]", 1).unwrap_err().kind,
        ParseErrorKind::ObjectTooDeep
    );
    assert!(parse_with_limit("1", 0).is_ok());
    // A huge limit is safe for the parser itself (the value is torn down
    // level by level here, since dropping recurses).
    let depth = 200_000;
    let mut value = parse_with_limit(&nested(depth, "[", "]"), usize::MAX).unwrap();
    let mut levels = 0;
    while let Json::Array(mut items) = value {
        levels += 1;
        value = items.pop().unwrap_or(Json::Null);
    }
    assert_eq!(levels, depth);
}

#[test]
fn swar_scan_finds_every_stop_byte() {
    let stops = || (0u8..0x20).chain([b'"', b'\\']);
    for stop in stops() {
        for at in 0..8 {
            // The first stop is found whatever follows it: plain, high or
            // other stop bytes.
            for after in [b'a', 0xff, 0x80, stop, b'"', 0x00, 0x1f] {
                let mut word = [after; 8];
                word[..at].fill(b'a');
                word[at] = stop;
                let marks = word_stops(u64::from_le_bytes(word));
                assert_eq!(marks.trailing_zeros() / 8, at as u32, "{stop:#x} at {at}");
            }
            // High bytes before it mark nothing.
            let mut word = [0xc3; 8];
            word[at] = stop;
            assert_eq!(
                word_stops(u64::from_le_bytes(word)).trailing_zeros() / 8,
                at as u32
            );
        }
    }
    for plain in (0x20u8..=0xff).filter(|b| *b != b'"' && *b != b'\\') {
        assert_eq!(word_stops(u64::from_le_bytes([plain; 8])), 0, "{plain:#x}");
    }
    // Stops after a long plain run and after high bytes.
    let text = format!("\"{}é\u{1}\"", "x".repeat(37));
    assert_eq!(
        err(&text),
        "Invalid control character at: line 1 column 40 (char 39)"
    );
}

/// Prints parse and write times against serde_json's `Value`. Run it in a
/// release build:
/// `cargo test -p chanx-runtime --release --lib compare_speed_with_serde_json -- --ignored --nocapture`
#[test]
#[ignore = "a timing report, not a check"]
fn compare_speed_with_serde_json() {
    use std::time::Instant;

    let chat: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"action": "chat_message", "payload": {{"message": "hello number {i}, how are you?", "room": "lobby", "mentions": ["ann", "bob"], "urgent": {}}}, "ref": "ref-{i}"}}"#,
                i % 2 == 0
            )
        })
        .collect();
    let long_strings: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"action": "document", "payload": {{"title": "Document {i}", "body": "{}", "tags": ["a", "b", "c"]}}}}"#,
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(8)
            )
        })
        .collect();
    let numbers: Vec<String> = (0..100)
        .map(|i| {
            let ints: Vec<String> = (0..20)
                .map(|j| (i * 7919 + j * 104729).to_string())
                .collect();
            let floats: Vec<String> = (0..20)
                .map(|j| format!("{}", (i * 31 + j) as f64 / 7.0))
                .collect();
            format!(
                r#"{{"ints": [{}], "floats": [{}]}}"#,
                ints.join(", "),
                floats.join(", ")
            )
        })
        .collect();
    let escapes: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"text": "line {i}\nnext \"quoted\" caf\u00e9 \ud83d\ude00 é ü", "n": {i}}}"#
            )
        })
        .collect();
    for (name, corpus) in [
        ("chat frames", &chat),
        ("long strings", &long_strings),
        ("numbers", &numbers),
        ("escapes, non-ASCII", &escapes),
    ] {
        let bytes: usize = corpus.iter().map(String::len).sum();
        let rounds = (2_000_000 / bytes).max(1);
        // µs per KB of one timed batch.
        let time = |f: &dyn Fn(&str)| {
            let start = Instant::now();
            for _ in 0..rounds {
                for text in corpus.iter() {
                    f(text);
                }
            }
            start.elapsed().as_secs_f64() * 1e6 / (rounds * bytes) as f64 * 1000.0
        };
        let ours_once = |text: &str| {
            std::hint::black_box(parse(text).unwrap());
        };
        let serde_once = |text: &str| {
            std::hint::black_box(serde_json::from_str::<serde_json::Value>(text).unwrap());
        };
        // Alternate the two and keep each one's best batch: the machine is shared.
        let (mut ours, mut serde) = (f64::MAX, f64::MAX);
        for _ in 0..15 {
            ours = ours.min(time(&ours_once));
            serde = serde.min(time(&serde_once));
        }
        println!("{name:20} parse {ours:6.2} µs/KB (ours)  {serde:6.2} µs/KB (serde_json Value)");
        let ours_values: Vec<Json> = corpus.iter().map(|text| parse(text).unwrap()).collect();
        let serde_values: Vec<serde_json::Value> = corpus
            .iter()
            .map(|text| serde_json::from_str(text).unwrap())
            .collect();
        let write = |f: &dyn Fn(usize)| {
            let start = Instant::now();
            for _ in 0..rounds {
                for i in 0..corpus.len() {
                    f(i);
                }
            }
            start.elapsed().as_secs_f64() * 1e6 / (rounds * bytes) as f64 * 1000.0
        };
        let ours_write = |i: usize| {
            std::hint::black_box(crate::json::to_string(&ours_values[i]).unwrap());
        };
        let serde_write = |i: usize| {
            std::hint::black_box(serde_json::to_string(&serde_values[i]).unwrap());
        };
        let (mut ours, mut serde) = (f64::MAX, f64::MAX);
        for _ in 0..15 {
            ours = ours.min(write(&ours_write));
            serde = serde.min(write(&serde_write));
        }
        println!(
            "{name:20} write {ours:6.2} µs/KB (ours)  {serde:6.2} µs/KB (serde_json, compact)"
        );
    }
}
