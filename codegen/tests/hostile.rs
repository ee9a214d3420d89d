//! Documents built to cost much more than their size: what they generate
//! grows in proportion to them, or they are refused with a located error
//! before the work is done. Sizes and shapes are asserted, not timings
//! (`chanx-bench hostile` measures those, see BENCHMARKS.md).

mod common;

use std::path::PathBuf;

use chanx_codegen::internal::{generate_rust, generate_ts, load_api};
use chanx_codegen::{Code, Diagnostics, Options};
use serde_json::{Value, json};

/// Writes `doc` as JSON to a fresh file of the test's own.
fn write(name: &str, doc: &Value) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string(doc).unwrap()).unwrap();
    path
}

/// A document with one channel whose one message has `payload`.
fn with_payload(payload: Value, components: Value) -> Value {
    json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Hostile", "version": "1.0.0"},
        "channels": {"c": {"address": "/c", "messages": {"m": {"payload": payload}}}},
        "operations": {"o": {"action": "receive", "channel": {"$ref": "#/channels/c"}}},
        "components": components,
    })
}

fn generate(name: &str, doc: &Value) -> Result<(String, String), Diagnostics> {
    let path = write(name, doc);
    let options = Options::default();
    let loaded = load_api(&path, &options)?;
    Ok((
        generate_rust(&loaded, &options)?,
        generate_ts(&loaded, &options)?,
    ))
}

fn refused(name: &str, doc: &Value) -> Diagnostics {
    match generate(name, doc) {
        Ok(_) => panic!("{name} was accepted"),
        Err(diags) => diags,
    }
}

#[test]
fn a_title_of_two_million_lines_costs_its_lines() {
    const LINES: usize = 2_000_000;
    let doc = with_payload(
        json!({"type": "object", "title": "x\n".repeat(LINES), "properties": {"a": {"type": "string"}}}),
        json!({}),
    );
    let input = serde_json::to_string(&doc).unwrap().len();
    let (rust, ts) = generate("long-title", &doc).expect("generates");
    // One doc-comment line per line of the title, in each language.
    assert_eq!(rust.lines().filter(|l| l.trim() == "/// x").count(), LINES);
    assert_eq!(ts.lines().filter(|l| l.trim() == "* x").count(), LINES);
    // Every line of the title costs a few bytes of output, no more; the Rust
    // module also embeds the document itself once (`DOCUMENT`).
    assert!(
        rust.len() < 6 * input,
        "{} bytes of Rust from {input}",
        rust.len()
    );
    assert!(
        ts.len() < 3 * input,
        "{} bytes of TypeScript from {input}",
        ts.len()
    );
}

#[test]
fn a_schema_with_more_members_than_the_limit_is_refused_where_it_is() {
    let values: Vec<String> = (0..10_001).map(|i| format!("v{i}")).collect();
    let diags = refused(
        "wide-enum",
        &with_payload(json!({"type": "string", "enum": values}), json!({})),
    );
    let error = diags.errors().next().expect("an error");
    assert_eq!(error.code, Code::TooManyMembers, "{diags}");
    assert_eq!(error.pointer, "/channels/c/messages/m/payload");
    assert!(error.location.is_some());
    assert!(error.message.contains("10001 enum values"), "{error}");
}

#[test]
fn all_of_copies_past_the_model_limit_are_refused_before_they_are_made() {
    // 3,000 schemas each copy a schema of 9,000 properties: 27 million fields.
    let big: serde_json::Map<String, Value> = (0..9_000)
        .map(|i| (format!("p{i}"), json!({"type": "string"})))
        .collect();
    let mut schemas = serde_json::Map::new();
    schemas.insert("Big".into(), json!({"type": "object", "properties": big}));
    for i in 0..3_000 {
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [{"$ref": "#/components/schemas/Big"}], "properties": {"own": {"type": "string"}}}),
        );
    }
    let diags = refused(
        "all-of-copies",
        &with_payload(
            json!({"$ref": "#/components/schemas/S0"}),
            json!({ "schemas": schemas }),
        ),
    );
    let error = diags
        .errors()
        .find(|d| d.code == Code::ModelTooLarge)
        .unwrap_or_else(|| panic!("no model-too-large error: {diags}"));
    assert!(
        error.pointer.starts_with("/components/schemas/S"),
        "{error}"
    );
}

#[test]
fn operations_each_carrying_every_message_count_each_time() {
    let messages: serde_json::Map<String, Value> = (0..2_000)
        .map(|i| {
            (
                format!("m{i}"),
                json!({"payload": {"type": "object", "properties": {"action": {"const": format!("m{i}")}}}}),
            )
        })
        .collect();
    let operations: serde_json::Map<String, Value> = (0..1_000)
        .map(|i| {
            (
                format!("o{i}"),
                json!({"action": "receive", "channel": {"$ref": "#/channels/c"}}),
            )
        })
        .collect();
    let doc = json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Hostile", "version": "1.0.0"},
        "channels": {"c": {"address": "/c", "messages": messages}},
        "operations": operations,
    });
    let diags = refused("operations-times-messages", &doc);
    assert!(
        diags
            .errors()
            .any(|d| d.code == Code::ModelTooLarge && d.pointer.starts_with("/operations/o")),
        "{diags}"
    );
}

/// Chains as long as the document allows are walked without recursion.
#[test]
fn long_chains_of_schemas_do_not_overflow_the_stack() {
    const N: usize = 5_000;
    let chain = |item: &dyn Fn(usize) -> Value| -> Value {
        let mut schemas = serde_json::Map::new();
        for i in 0..N {
            schemas.insert(format!("S{i}"), item(i));
        }
        schemas.insert(
            format!("S{N}"),
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
        );
        with_payload(
            json!({"$ref": "#/components/schemas/S0"}),
            json!({ "schemas": schemas }),
        )
    };
    let next = |i: usize| json!({"$ref": format!("#/components/schemas/S{}", i + 1)});
    for (name, doc) in [
        ("all-of-chain", chain(&|i| json!({"allOf": [next(i)]}))),
        (
            "array-chain",
            chain(&|i| json!({"type": "array", "items": next(i)})),
        ),
        (
            "struct-chain",
            chain(&|i| json!({"type": "object", "properties": {"next": next(i)}})),
        ),
        (
            "union-chain",
            chain(&|i| json!({"oneOf": [next(i), {"type": "string"}]})),
        ),
    ] {
        // Run where the stack is the test thread's 2 MiB, smaller than a
        // program's main thread.
        let (rust, ts) = generate(name, &doc).unwrap_or_else(|d| panic!("{name}: {d}"));
        assert!(rust.contains("pub struct S5000"), "{name}");
        assert!(ts.contains("S5000"), "{name}");
    }
}

/// Every dangling ref is reported; hints ("did you mean …?") share one
/// budget, so many misspelt refs into a wide map cost their count, not
/// their count times the map's.
#[test]
fn many_misspelt_refs_into_a_wide_map_are_each_reported() {
    const KEYS: usize = 5_000;
    const REFS: usize = 20_000;
    let schemas: serde_json::Map<String, Value> = (0..KEYS)
        .map(|i| (format!("Schema{i}"), json!({"type": "string"})))
        .collect();
    let properties: serde_json::Map<String, Value> = (0..REFS)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"$ref": format!("#/components/schemas/Shema{}", i % KEYS)}),
            )
        })
        .collect();
    let diags = refused(
        "misspelt-refs",
        &with_payload(
            json!({"type": "object", "properties": properties}),
            json!({ "schemas": schemas }),
        ),
    );
    let dangling: Vec<_> = diags
        .errors()
        .filter(|d| d.code == Code::RefNotFound)
        .collect();
    assert_eq!(dangling.len(), REFS, "{}", diags.len());
    assert!(dangling.iter().all(|d| d.location.is_some()));
    let hinted = dangling.iter().filter(|d| d.hint.is_some()).count();
    assert!(hinted > 0 && hinted < REFS, "{hinted} hints");
    assert_eq!(
        dangling[0].hint.as_deref(),
        Some("did you mean 'Schema0'?"),
        "{}",
        dangling[0]
    );
}

/// Every document of `specs/` (`hostile-text.yaml` puts odd text in every
/// place, topic names and patterns included) generates code that holds no
/// raw control, line-separator or bidirectional character.
#[test]
fn every_spec_generates_safe_text() {
    let dir = common::repo_root().join("specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("specs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    specs.sort();
    assert!(specs.iter().any(|p| p.ends_with("hostile-text.yaml")));
    // With the client side too: it writes the patterns into its docs.
    let mut options = Options::default();
    options.rust.client = true;
    for spec in specs {
        let loaded =
            load_api(&spec, &options).unwrap_or_else(|d| panic!("{}:\n{d}", spec.display()));
        let rust = generate_rust(&loaded, &options).expect("Rust");
        let ts = generate_ts(&loaded, &options).expect("TypeScript");
        if let Err(problem) = common::fuzz::safe_text(&rust, &ts) {
            panic!("{}: {problem}", spec.display());
        }
    }
}
