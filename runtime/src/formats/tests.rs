//! Replays `runtime/tests/formats/expected.json` (what the real pydantic
//! answered, see `gen_expected.py` there) against the validators.
//!
//! `CHANX_FORMATS_EXPECTED=path` replays another file of that shape
//! instead (e.g. a larger generated corpus).

use super::*;
use serde_json::Value;

const EXPECTED: &str = include_str!("../../tests/formats/expected.json");

/// An input in the file's encoding: `{"$float": repr}`, `{"$int": digits}`.
fn decode(value: &Value) -> Json {
    match value {
        Value::Object(map) if map.len() == 1 && map.contains_key("$float") => {
            let repr = map["$float"].as_str().expect("$float is a string");
            Json::Float(match repr {
                "nan" => f64::NAN,
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                other => other.parse().expect("a float repr"),
            })
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("$int") => {
            Json::BigInt(map["$int"].as_str().expect("$int is a string").into())
        }
        Value::Array(items) => Json::Array(items.iter().map(decode).collect()),
        Value::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
        }
        other => Json::from(other.clone()),
    }
}

fn param_usize(params: &Value, name: &str) -> Option<usize> {
    params[name].as_u64().map(|n| n as usize)
}

fn call(function: &str, params: &Value, input: &Json) -> Result<Json, FormatError> {
    match function {
        "date" => date(input),
        "datetime" => datetime(input),
        "time" => time(input),
        "timedelta" => timedelta(input),
        "uuid" => uuid(input, params["version"].as_u64().map(|v| v as u8)),
        "decimal" => decimal(
            input,
            params["max_digits"].as_u64(),
            params["decimal_places"].as_u64(),
        ),
        "url" => {
            let schemes = params["http_only"]
                .as_bool()
                .expect("http_only")
                .then_some(HTTP_SCHEMES);
            url(input, param_usize(params, "max_length"), schemes)
        }
        "ipv4" => ipv4(input),
        "ipv6" => ipv6(input),
        "ip_any" => ip_any(input),
        "ipv4_network" => ipv4_network(input),
        "ipv6_network" => ipv6_network(input),
        "ip_any_network" => ip_any_network(input),
        "ipv4_interface" => ipv4_interface(input),
        "ipv6_interface" => ipv6_interface(input),
        "ip_any_interface" => ip_any_interface(input),
        "bytes" => bytes(
            input,
            param_usize(params, "min_length"),
            param_usize(params, "max_length"),
        ),
        other => panic!("no validator named {other}"),
    }
}

fn shorten(text: String) -> String {
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

#[test]
fn formats_answer_as_pydantic_does() {
    let text = match std::env::var("CHANX_FORMATS_EXPECTED") {
        Ok(path) => std::fs::read_to_string(path).expect("CHANX_FORMATS_EXPECTED names a file"),
        Err(_) => EXPECTED.to_owned(),
    };
    let expected: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, spec) in expected["types"].as_object().expect("types") {
        let function = spec["function"].as_str().expect("function");
        for case in spec["cases"].as_array().expect("cases") {
            total += 1;
            let input = decode(&case["input"]);
            let got = call(function, &spec["params"], &input);
            let want: Result<Json, FormatError> = if let Some(ok) = case.get("ok") {
                Ok(Json::from(ok.clone()))
            } else if let Some(raised) = case.get("raises") {
                Err(FormatError {
                    kind: if raised["type"] == "OverflowError" {
                        "OverflowError"
                    } else {
                        "?"
                    },
                    message: raised["msg"].as_str().expect("msg").to_owned(),
                    ctx: Vec::new(),
                })
            } else {
                let error = &case["error"];
                let ctx = error["ctx"].as_array().expect("ctx");
                let got_kind = got.as_ref().err().map(|e| e.kind);
                Err(FormatError {
                    // a kind pydantic reports but no validator here names
                    // still compares by text
                    kind: match got_kind {
                        Some(kind) if kind == error["type"].as_str().expect("type") => kind,
                        _ => "<unexpected kind>",
                    },
                    message: error["msg"].as_str().expect("msg").to_owned(),
                    ctx: ctx
                        .iter()
                        .map(|pair| {
                            let key = pair[0].as_str().expect("ctx key");
                            let key: &'static str = Box::leak(key.to_owned().into_boxed_str());
                            (key, Json::from(pair[1].clone()))
                        })
                        .collect(),
                })
            };
            if got != want {
                let want_text = match (&want, case.get("error")) {
                    (Err(_), Some(error)) => format!("error {}", error),
                    other => format!("{:?}", other.0),
                };
                failures.push(format!(
                    "{name}: input {}\n    want {}\n    got  {}",
                    shorten(case["input"].to_string()),
                    shorten(want_text),
                    shorten(format!("{got:?}"))
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ from pydantic:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
