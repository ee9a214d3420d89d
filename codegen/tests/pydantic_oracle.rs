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

use chanx_codegen::generate::{Options, load_api};
use chanx_runtime::json;
use chanx_runtime::__private::Program;
use serde_json::{Value, json};

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
    let (mut same, mut differences) = (0, Vec::new());
    for line in &lines {
        // Python's json module wrote these (NaN and all): read them as it does.
        let case = json::parse(line).expect("cases.jsonl holds JSON lines");
        let field = |key: &str| case.as_object().and_then(|m| m.get(key)).cloned();
        let message = field("message").and_then(|m| m.as_str().map(str::to_owned)).unwrap_or_default();
        let input_text = field("input").and_then(|m| m.as_str().map(str::to_owned)).unwrap_or_default();
        let input = json::parse(&input_text).expect("inputs are JSON");
        let root = names.iter().position(|n| *n == message).expect("message exists");
        let mut ours = json::JsonMap::new();
        match program.validate(root, &input) {
            Ok((_, value)) => ours.insert("ok".into(), value),
            Err(error) => {
                let errors = error.errors.iter().map(|e| json::Json::from(e.to_json(true)));
                ours.insert("errors".into(), json::Json::Array(errors.collect()))
            }
        };
        let ours = json::to_string(&json::Json::Object(ours)).expect("answers serialize");
        let mut expected = case.clone();
        if let Some(map) = expected.as_object_mut() {
            map.shift_remove("message");
            map.shift_remove("input");
        }
        let expected = json::to_string(&expected).expect("cases serialize");
        if ours == expected {
            same += 1;
        } else {
            differences.push(format!(
                "{message} {input_text}\n  pydantic: {expected}\n  runtime:  {ours}"
            ));
        }
    }
    println!("{same}/{} cases answered as pydantic does", lines.len());
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
