//! The runtime validator against pydantic itself.
//!
//! `pydantic/cases.py` (run with the pinned interop Python) records, for a
//! set of pydantic models covering every type and constraint chanx can
//! emit, the AsyncAPI document of their schemas and what pydantic answers
//! to each input. This test compiles that document with chanx-codegen, runs
//! every input through `chanx_runtime`'s validator and compares answers as
//! JSON: the validated value (`model_dump(mode="json")`), or the errors with
//! their `type`, `loc`, `msg` and `ctx`.

use std::path::Path;

use chanx_codegen::{Options, internal::load_api};
use chanx_runtime::__private::Program;
use chanx_runtime::json;
use serde_json::{Value, json};

/// Inputs the runtime answers differently on purpose, with the reason
/// (`docs/wire-protocol.md`, Known differences, lists the same).
const KNOWN: &[(&str, &str)] = &[
    (
        r#"{"i": 123456789012345678901234567890, "f": 1e308, "b": 0, "s": "x"}"#,
        BEYOND_I64,
    ),
    (
        r#"{"i": -9223372036854775809, "f": 5e-324, "b": "f", "s": "x"}"#,
        BEYOND_I64,
    ),
    (r#"{"value": 12345678901234567890123}"#, BEYOND_I64),
];
const BEYOND_I64: &str = "generated code holds integers in an i64 (untyped values in a \
    serde_json::Value): beyond that the runtime answers int_parsing_size at the field \
    instead of taking Python's unbounded integer";

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pydantic"))
}

#[test]
fn the_runtime_validates_as_pydantic_does() {
    let loaded = load_api(&dir().join("document.json"), &Options::default())
        .unwrap_or_else(|d| panic!("the oracle document loads: {d}"));
    let api = &loaded.api;
    let names: Vec<&str> = api.messages.iter().map(|m| m.name.spec.as_str()).collect();
    let roots: Vec<Value> = api
        .messages
        .iter()
        .map(|m| json!({"t": "ref", "def": m.validator.expect("every case has a payload")}))
        .collect();
    let text: &'static str = Box::leak(api.program.text(&roots).into_boxed_str());
    let program = Program::new(text);
    program.check().expect("the program compiles");

    let text = std::fs::read_to_string(dir().join("cases.jsonl")).expect("read cases.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    let (mut same, mut known, mut differences) = (0, 0, Vec::new());
    for line in &lines {
        // Python's json module wrote these (NaN and all): read them as it does.
        let case = json::parse(line).expect("cases.jsonl holds JSON lines");
        let field = |key: &str| case.as_object().and_then(|m| m.get(key)).cloned();
        let message = field("message")
            .and_then(|m| m.as_str().map(str::to_owned))
            .unwrap_or_default();
        let input_text = field("input")
            .and_then(|m| m.as_str().map(str::to_owned))
            .unwrap_or_default();
        let input = json::parse(&input_text).expect("inputs are JSON");
        let root = names
            .iter()
            .position(|n| *n == message)
            .expect("message exists");
        let mut ours = json::JsonMap::default();
        match program.validate(root, &input) {
            Ok((_, value)) => ours.insert("ok", value.into_owned()),
            Err(error) => {
                let errors = error
                    .errors
                    .iter()
                    .map(|e| json::Json::from(e.to_json(true)));
                ours.insert("errors", json::Json::Array(errors.collect()))
            }
        };
        let ours = json::to_string(&json::Json::Object(ours)).expect("answers serialize");
        let mut expected = case.clone();
        if let Some(map) = expected.as_object_mut() {
            map.shift_remove("message");
            map.shift_remove("input");
        }
        let expected = json::to_string(&expected).expect("cases serialize");
        let listed = KNOWN.iter().any(|(input, _)| *input == input_text);
        if ours == expected {
            same += 1;
            assert!(
                !listed,
                "{input_text} is listed as known but now agrees: remove it"
            );
        } else if listed {
            known += 1;
        } else {
            differences.push(format!(
                "{message} {input_text}\n  pydantic: {expected}\n  runtime:  {ours}"
            ));
        }
    }
    println!(
        "{same}/{} cases answered as pydantic does ({known} known differences)",
        lines.len()
    );
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
