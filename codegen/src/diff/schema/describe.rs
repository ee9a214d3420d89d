//! A schema in a few words, for reasons: `string`, `object Ping`,
//! `list of integer`.

use serde_json::Value;

use crate::ir::validation::Program;

/// A schema in a few words: `string`, `object Ping`, `list of integer`.
pub(super) fn describe(program: &Program, node: &Value) -> String {
    describe_at(program, node, 0)
}

fn describe_at(program: &Program, node: &Value, depth: usize) -> String {
    let child = |key: &str| match node.get(key) {
        Some(inner) if depth < 3 => describe_at(program, inner, depth + 1),
        _ => "value".to_owned(),
    };
    let t = node.get("t").and_then(Value::as_str).unwrap_or("any");
    match t {
        "any" => "any value".into(),
        "ref" => match node
            .get("def")
            .and_then(Value::as_u64)
            .and_then(|d| program.defs.get(d as usize))
        {
            Some(def) if depth < 3 => describe_at(program, def, depth + 1),
            _ => "a definition".into(),
        },
        "format" => format!(
            "{} string",
            node.get("format").and_then(Value::as_str).unwrap_or("?")
        ),
        "literal" | "enum" => {
            let values: Vec<String> = node
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Value::to_string)
                .collect();
            match values.as_slice() {
                [one] => one.clone(),
                _ => format!("one of {}", values.join(", ")),
            }
        }
        "list" | "set" | "frozenset" => format!("{t} of {}", child("items")),
        "dict" => format!("map of {}", child("values")),
        "nullable" => format!("{} or null", child("inner")),
        "model" => match node.get("name").and_then(Value::as_str) {
            Some(name) => format!("object {name}"),
            None => "object".into(),
        },
        "union" => {
            let choices: Vec<String> = node
                .get("choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| describe_at(program, c, depth + 1))
                .collect();
            choices.join(" or ")
        }
        "tagged" => format!(
            "object tagged by `{}`",
            node.get("key").and_then(Value::as_str).unwrap_or("?")
        ),
        other => noun(other).to_owned(),
    }
}

/// What a kind of node accepts, as a noun (`string`).
pub(super) fn noun(t: &str) -> &'static str {
    match t {
        "str" | "format" => "string",
        "int" => "integer",
        "float" => "number",
        "bool" => "boolean",
        "none" => "null",
        "list" | "set" | "frozenset" | "tuple" => "array",
        "dict" | "model" | "tagged" => "object",
        _ => "value",
    }
}
