//! Hostile documents: shapes that once cost far more than their size (long
//! text, wide and deep schemas, chains, copies, many channels and
//! operations), near the 16 MiB file limit. Each is generated in a fresh
//! child process; the table says what came out, how long it took and the
//! child's peak memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use chanx_codegen::{Options, Targets, generate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::child;
use crate::table::{self, Table};

/// One hostile document: what it is and how to make it.
struct Shape {
    label: &'static str,
    /// The document's text, for a size parameter.
    make: fn(usize) -> String,
    /// Its size parameter, full and smoke.
    full: usize,
    smoke: usize,
}

const SHAPES: &[Shape] = &[
    Shape {
        label: "a chanx-style document of {n} lines (synthetic, within the limits)",
        make: crate::synth::document,
        full: 740_000,
        smoke: 2_000,
    },
    Shape {
        label: "a schema title of {n} lines",
        make: |n| long_title(n).to_string(),
        full: 2_000_000,
        smoke: 20_000,
    },
    Shape {
        label: "a description of {n} lines",
        make: |n| long_description(n).to_string(),
        full: 4_000_000,
        smoke: 20_000,
    },
    Shape {
        label: "a const string of {n} bytes",
        make: |n| long_const(n).to_string(),
        full: 16_000_000,
        smoke: 100_000,
    },
    Shape {
        label: "one object of {n} properties",
        make: |n| wide_object(n).to_string(),
        full: 500_000,
        smoke: 20_000,
    },
    Shape {
        label: "an enum of {n} values",
        make: |n| wide_enum(n).to_string(),
        full: 1_200_000,
        smoke: 20_000,
    },
    Shape {
        label: "{n} channels",
        make: |n| many_channels(n).to_string(),
        full: 150_000,
        smoke: 20_000,
    },
    Shape {
        label: "{n} schemas, each allOf one of 9,000 properties",
        make: |n| all_of_copies(n).to_string(),
        full: 2_000,
        smoke: 100,
    },
    Shape {
        label: "{n} operations, each carrying all of {n} messages",
        make: |n| operations_times_messages(n).to_string(),
        full: 9_000,
        smoke: 500,
    },
    Shape {
        label: "a chain of {n} schemas, each naming the next",
        make: |n| schema_chain(n).to_string(),
        full: 100_000,
        smoke: 2_000,
    },
    Shape {
        label: "a chain of {n} schemas, each allOf the next",
        make: |n| all_of_chain(n).to_string(),
        full: 100_000,
        smoke: 2_000,
    },
    Shape {
        label: "an 8 MB key over {n} children",
        make: |n| long_key(n).to_string(),
        full: 700_000,
        smoke: 1_000,
    },
];

/// What `chanx-bench __generate FILE` prints.
#[derive(Debug, Serialize, Deserialize)]
pub struct Generated {
    /// `None` when the document generated.
    pub refused: Option<String>,
    pub rust_bytes: usize,
    pub ts_bytes: usize,
    pub peak_kib: u64,
}

/// Loads and generates `path` once, in this process.
pub fn generate_once(path: &Path) -> Generated {
    let options = Options::default();
    let targets = Targets {
        rust: Some(PathBuf::new()),
        typescript: Some(PathBuf::new()),
    };
    let (refused, rust_bytes, ts_bytes) = match generate(path, &options, &targets) {
        Ok(generated) => (
            None,
            generated.files[0].contents.len(),
            generated.files[1].contents.len(),
        ),
        Err(diags) => {
            let code = diags
                .errors()
                .next()
                .map_or("warnings", |d| d.code.as_str());
            (Some(code.to_string()), 0, 0)
        }
    };
    Generated {
        refused,
        rust_bytes,
        ts_bytes,
        peak_kib: crate::sys::own_peak_kib().unwrap_or(0),
    }
}

/// The hostile-documents table.
pub fn run(smoke: bool) -> Result<Table> {
    let scratch = std::env::temp_dir().join(format!("chanx-bench-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut table = Table::new(
        "Code generation: hostile documents (each in a fresh process)",
        &["document", "size", "outcome", "wall time", "peak RSS"],
    );
    let exe = std::env::current_exe()?;
    for shape in SHAPES {
        let n = if smoke { shape.smoke } else { shape.full };
        let label = shape.label.replace("{n}", &table::rate(n as f64));
        eprintln!("hostile: {label}");
        let path = write(&scratch, &(shape.make)(n))?;
        let size = std::fs::metadata(&path)?.len();
        let mut command = Command::new(&exe);
        command.arg("__generate").arg(&path);
        let done = child::run(command, Duration::from_secs(600))?;
        let _ = std::fs::remove_file(&path);
        if !done.success {
            return Err(anyhow!("{label}: {}", child::first_line(&done.stderr)));
        }
        let generated: Generated = serde_json::from_str(done.stdout.trim())
            .with_context(|| format!("unexpected output: {}", done.stdout))?;
        let outcome = match &generated.refused {
            Some(code) => format!("refused: `{code}`"),
            None => format!(
                "{} MB of Rust, {} MB of TypeScript",
                table::sig3(generated.rust_bytes as f64 / 1e6),
                table::sig3(generated.ts_bytes as f64 / 1e6)
            ),
        };
        table.push(vec![
            label,
            format!("{} MB", table::sig3(size as f64 / 1e6)),
            outcome,
            table::duration(done.wall),
            table::mib(generated.peak_kib),
        ]);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(table)
}

fn write(dir: &Path, text: &str) -> Result<PathBuf> {
    let ext = if text.starts_with('{') {
        "json"
    } else {
        "yaml"
    };
    let path = dir.join(format!("hostile.{ext}"));
    std::fs::write(&path, text)?;
    Ok(path)
}

/// One channel whose one message has `payload`, and `components`.
fn with_payload(payload: Value, components: Value) -> Value {
    json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Hostile", "version": "1.0.0"},
        "channels": {"c": {"address": "/c", "messages": {"m": {"payload": payload}}}},
        "operations": {"o": {"action": "receive", "channel": {"$ref": "#/channels/c"}}},
        "components": components,
    })
}

fn long_title(lines: usize) -> Value {
    with_payload(
        json!({"type": "object", "title": "x\n".repeat(lines), "properties": {"a": {"type": "string"}}}),
        json!({}),
    )
}

fn long_description(lines: usize) -> Value {
    with_payload(
        json!({"type": "object", "properties": {"a": {"type": "string", "description": "ab\n".repeat(lines)}}}),
        json!({}),
    )
}

fn long_const(bytes: usize) -> Value {
    with_payload(
        json!({"type": "object", "properties": {"a": {"const": "x".repeat(bytes)}}}),
        json!({}),
    )
}

fn numbered(n: usize, prefix: &str, value: impl Fn(usize) -> Value) -> Map<String, Value> {
    (0..n).map(|i| (format!("{prefix}{i}"), value(i))).collect()
}

fn wide_object(n: usize) -> Value {
    let properties = numbered(n, "p", |_| json!({"type": "string"}));
    with_payload(
        json!({"type": "object", "properties": properties}),
        json!({}),
    )
}

fn wide_enum(n: usize) -> Value {
    let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    with_payload(json!({"type": "string", "enum": values}), json!({}))
}

fn many_channels(n: usize) -> Value {
    let channels = numbered(
        n,
        "c",
        |i| json!({"address": format!("/c{i}"), "messages": {"m": {"payload": {"type": "string"}}}}),
    );
    json!({"asyncapi": "3.0.0", "info": {"title": "Hostile", "version": "1.0.0"}, "channels": channels})
}

fn all_of_copies(n: usize) -> Value {
    let big = numbered(9_000, "p", |_| json!({"type": "string"}));
    let mut schemas = numbered(
        n,
        "S",
        |_| json!({"allOf": [{"$ref": "#/components/schemas/Big"}], "properties": {"own": {"type": "string"}}}),
    );
    schemas.insert("Big".into(), json!({"type": "object", "properties": big}));
    with_payload(
        json!({"$ref": "#/components/schemas/S0"}),
        json!({ "schemas": schemas }),
    )
}

fn operations_times_messages(n: usize) -> Value {
    let messages = numbered(
        n,
        "m",
        |i| json!({"payload": {"type": "object", "properties": {"action": {"const": format!("m{i}")}}}}),
    );
    let operations = numbered(
        n,
        "o",
        |_| json!({"action": "receive", "channel": {"$ref": "#/channels/c"}}),
    );
    json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Hostile", "version": "1.0.0"},
        "channels": {"c": {"address": "/c", "messages": messages}},
        "operations": operations,
    })
}

fn chain(n: usize, link: impl Fn(Value) -> Value) -> Value {
    let mut schemas = numbered(n, "S", |i| {
        link(json!({"$ref": format!("#/components/schemas/S{}", i + 1)}))
    });
    schemas.insert(
        format!("S{n}"),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    with_payload(
        json!({"$ref": "#/components/schemas/S0"}),
        json!({ "schemas": schemas }),
    )
}

fn schema_chain(n: usize) -> Value {
    chain(
        n,
        |next| json!({"type": "object", "properties": {"next": next}}),
    )
}

fn all_of_chain(n: usize) -> Value {
    chain(n, |next| json!({"allOf": [next]}))
}

fn long_key(children: usize) -> Value {
    let key = "k".repeat(8 << 20);
    let inner = numbered(children, "", |_| json!({}));
    with_payload(
        json!({"type": "object", "properties": { key: {"type": "object", "properties": inner} }}),
        json!({}),
    )
}
