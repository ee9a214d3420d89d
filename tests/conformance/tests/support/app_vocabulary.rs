//! The vocabulary of `app.py` for the mutant campaign of the differential
//! test (see `mutate.rs`): its field names, actions, each field's values,
//! and which mutants fall into a known difference.

use serde_json::Value;

use super::mutate::{Vocabulary, holds_integer_beyond_i64};

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        keys: KEYS,
        actions: ACTIONS,
        envelope: &["ref", "topic", "action", "payload", "zzz", ""],
        field_pool,
        values: &[],
        known: known_class,
    }
}

/// Field names of every model in `app.py`, and a few no model has.
const KEYS: &[&str] = &[
    "pin",
    "twice",
    "inside",
    "by_day",
    "secret",
    "uid4",
    "addr",
    "triple",
    "userName",
    "user_name",
    "amount",
    "score",
    "flag_true",
    "when",
    "short_words",
    "leaves_by_name",
    "maybe_leaves",
    "colors",
    "priorities",
    "mixed",
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
    "common",
    "typed",
    "text_payload",
    "list_payload",
    "either_payload",
    "maybe_map_payload",
    "number_payload",
    "python_re",
    "alias",
    "pong",
    "scalars_echo",
    "nope",
    "",
    "PING",
];

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
        "moment" | "when" => &[
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
        "uid" | "uid4" => &[
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
        "ip" | "addr" => &[
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
        "name" | "text" | "label" | "note" | "title" | "userName" | "user_name" => &[
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
        "count" | "age" | "level" | "step" | "value" | "lives" | "x" | "y" | "id" | "maybe"
        | "priorities" => &[
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
        "ratio" | "temp" | "price" | "third" | "radius" | "side" | "score" => &[
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

/// Whether `frame` may be answered differently for a reason the known
/// differences of docs/wire-protocol.md give, whatever else it holds:
///
/// - integers beyond `i64` (`numbers/*`), as numbers or as strings of
///   digits: the pool makes none, but a seed may hold one, and a nudge of a
///   float may write one as a string;
/// - a field read under its alias, which chanx's echo names by its Python
///   name (`alias/*`): every `alias` frame;
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
fn known_class(frame: &Value) -> bool {
    if holds_integer_beyond_i64(frame) {
        return true;
    }
    let action = frame.get("action").and_then(Value::as_str);
    let payload = frame.get("payload");
    match action {
        // The echo names the field as Python does (`alias/*`).
        Some("alias") => true,
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

#[test]
fn every_field_value_is_json() {
    for key in KEYS {
        for text in field_pool(key) {
            let parsed = serde_json::from_str::<Value>(text);
            assert!(parsed.is_ok(), "field_pool({key:?}): {text} is not JSON");
        }
    }
}
