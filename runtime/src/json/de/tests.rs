use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::Deserialize;

use super::*;
use crate::json::parse;

fn load<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, DeError> {
    from_json(&parse(text).unwrap())
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Color {
    Red,
    #[serde(rename = "GREEN")]
    Green,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Inner {
    a: i64,
    b: Option<String>,
    #[serde(default)]
    c: Vec<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Outer {
    inner: Inner,
    color: Color,
    tuple: (u8, String, bool),
    unit: (),
    map: BTreeMap<u32, String>,
    #[serde(flatten)]
    rest: IndexMap<String, serde_json::Value>,
}

#[test]
fn structs_options_vectors_maps_enums() {
    let outer: Outer = load(
        r#"{"inner": {"a": -5, "b": null}, "color": "GREEN", "tuple": [1, "x", true], "unit": null,
            "map": {"2": "two", "1": "one"}, "z": 1, "y": [1.5, "s"]}"#,
    )
    .unwrap();
    assert_eq!(
        outer.inner,
        Inner {
            a: -5,
            b: None,
            c: vec![]
        }
    );
    assert_eq!(outer.color, Color::Green);
    assert_eq!(outer.tuple, (1, "x".into(), true));
    assert_eq!(
        outer.map,
        BTreeMap::from([(1, "one".into()), (2, "two".into())])
    );
    assert_eq!(outer.rest.keys().collect::<Vec<_>>(), ["z", "y"]);
    assert_eq!(outer.rest["y"], serde_json::json!([1.5, "s"]));
    assert_eq!(load::<Color>(r#""red""#).unwrap(), Color::Red);
    assert!(load::<Color>(r#""blue""#).is_err());
    assert_eq!(
        load::<HashMap<String, Vec<Option<bool>>>>(r#"{"k": [true, null]}"#).unwrap()["k"],
        [Some(true), None]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum Untagged {
    Int(i64),
    Big(u64),
    Float(f64),
    Text(String),
    List(Vec<Untagged>),
    Named { name: String },
}

#[test]
fn untagged_enums_see_the_right_numbers() {
    assert_eq!(load::<Untagged>("3").unwrap(), Untagged::Int(3));
    assert_eq!(
        load::<Untagged>("18446744073709551615").unwrap(),
        Untagged::Big(u64::MAX)
    );
    assert_eq!(load::<Untagged>("1.0").unwrap(), Untagged::Float(1.0));
    assert_eq!(
        load::<Untagged>(r#""s""#).unwrap(),
        Untagged::Text("s".into())
    );
    assert_eq!(
        load::<Untagged>(r#"[1, {"name": "n"}]"#).unwrap(),
        Untagged::List(vec![Untagged::Int(1), Untagged::Named { name: "n".into() }])
    );
}

#[derive(Debug, Deserialize, PartialEq)]
enum External {
    Unit,
    New(i32),
    Tuple(i32, i32),
    Struct { x: i32 },
}

#[test]
fn externally_tagged_enums() {
    assert_eq!(load::<External>(r#""Unit""#).unwrap(), External::Unit);
    assert_eq!(load::<External>(r#"{"New": 1}"#).unwrap(), External::New(1));
    assert_eq!(
        load::<External>(r#"{"Tuple": [1, 2]}"#).unwrap(),
        External::Tuple(1, 2)
    );
    assert_eq!(
        load::<External>(r#"{"Struct": {"x": 3}}"#).unwrap(),
        External::Struct { x: 3 }
    );
    assert!(load::<External>(r#"{"New": 1, "Unit": null}"#).is_err());
    assert!(load::<External>("[]").is_err());
}

#[test]
fn numbers_of_every_width() {
    assert_eq!(load::<i64>("-9223372036854775808").unwrap(), i64::MIN);
    assert_eq!(load::<u64>("18446744073709551615").unwrap(), u64::MAX);
    assert_eq!(
        load::<i128>("-9223372036854775809").unwrap(),
        -9223372036854775809
    );
    assert_eq!(
        load::<u128>("340282366920938463463374607431768211455").unwrap(),
        u128::MAX
    );
    assert_eq!(load::<i128>("12").unwrap(), 12);
    assert!(load::<u128>("340282366920938463463374607431768211456").is_err());
    assert!(load::<u8>("256").is_err());
    assert!(load::<i64>("1.0").is_err());
    assert_eq!(load::<f64>("3").unwrap(), 3.0);
    assert_eq!(
        load::<f64>("123456789012345678901234567890").unwrap(),
        1.2345678901234568e29
    );
    assert!(load::<f64>(&"9".repeat(400)).is_err());
    assert!(load::<f64>("NaN").unwrap().is_nan());
    assert_eq!(load::<f32>("0.5").unwrap(), 0.5);
    assert!(load::<bool>("1").is_err());
    assert_eq!(load::<String>(r#""s""#).unwrap(), "s");
    assert_eq!(load::<char>(r#""é""#).unwrap(), 'é');
    assert_eq!(load::<()>("null").unwrap(), ());
    assert!(load::<()>("0").is_err());
}

#[test]
fn serde_json_values_get_exact_numbers() {
    let value: serde_json::Value =
        load(r#"{"i": -1, "u": 18446744073709551615, "f": 1.5, "s": "x", "l": [null, true]}"#)
            .unwrap();
    assert_eq!(value["i"].as_i64(), Some(-1));
    assert_eq!(value["u"].as_u64(), Some(u64::MAX));
    assert_eq!(value["f"].as_f64(), Some(1.5));
    assert_eq!(
        value.to_string(),
        r#"{"i":-1,"u":18446744073709551615,"f":1.5,"s":"x","l":[null,true]}"#
    );
    assert!(load::<serde_json::Value>("184467440737095516150").is_err());
}

#[test]
fn borrowed_strings_and_errors() {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        name: &'a str,
    }
    let json = parse(r#"{"name": "zero-copy"}"#).unwrap();
    let borrowed: Borrowed = from_json(&json).unwrap();
    assert_eq!(borrowed.name, "zero-copy");

    let error = load::<Inner>(r#"{"a": "x"}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid type: string "x", expected i64"#
    );
    let error = load::<Inner>(r#"{"b": null}"#).unwrap_err();
    assert_eq!(error.message(), "missing field `a`");
    assert!(load::<(u8, u8)>("[1, 2, 3]").is_err());
    assert!(load::<[u8; 2]>("[1]").is_err());
}

#[test]
fn conversion_to_serde_json_value() {
    let json = parse(r#"{"a": [1, 1.5, NaN, -Infinity], "b": 18446744073709551615, "c": 1e30, "d": 100000000000000000000}"#).unwrap();
    let value = json.to_serde_value();
    assert_eq!(
        value,
        serde_json::json!({"a": [1, 1.5, null, null], "b": u64::MAX, "c": 1e30, "d": 1e20})
    );
    let huge = parse(&"9".repeat(400)).unwrap();
    assert_eq!(huge.to_serde_value(), serde_json::Value::Null);
}
