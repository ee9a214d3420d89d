//! Validation of the root file against the official AsyncAPI JSON Schema.
//!
//! The meta-schema is mostly `oneOf: [Reference, Object]`, so a raw error is
//! a tree whose top says little ("oneOf failed"). [`reduce`] walks the tree
//! and keeps the leaves that point deepest into the document, which are the
//! ones a user can act on.

use std::sync::OnceLock;

use boon::{Compiler, Draft, ErrorKind, InstanceToken, SchemaIndex, Schemas, ValidationError};
use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Document, NodeRef};
use crate::source::push_token;

/// The AsyncAPI versions chanx has a meta-schema for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    V3_0,
    V3_1,
}

const SCHEMA_3_0: &str = include_str!("../../schemas/asyncapi-3.0.0-schema.json");
const SCHEMA_3_1: &str = include_str!("../../schemas/asyncapi-3.1.0-schema.json");

/// Most schema errors reported for one document; the rest are usually echoes.
const MAX_SCHEMA_ERRORS: usize = 50;

struct Compiled {
    schemas: Schemas,
    index: SchemaIndex,
}

/// Compiles one meta-schema, once per process and only when a document of
/// that version is seen (compiling is most of the cost of a validation).
fn compiled(version: SpecVersion) -> Result<&'static Compiled, &'static str> {
    static V3_0: OnceLock<Result<Compiled, String>> = OnceLock::new();
    static V3_1: OnceLock<Result<Compiled, String>> = OnceLock::new();
    let (cell, url, text) = match version {
        SpecVersion::V3_0 => (&V3_0, "chanx:/asyncapi-3.0.0.json", SCHEMA_3_0),
        SpecVersion::V3_1 => (&V3_1, "chanx:/asyncapi-3.1.0.json", SCHEMA_3_1),
    };
    cell.get_or_init(|| {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut schemas = Schemas::new();
        let mut compiler = Compiler::new();
        compiler.set_default_draft(Draft::V7);
        compiler
            .add_resource(url, value)
            .map_err(|e| e.to_string())?;
        let index = compiler
            .compile(url, &mut schemas)
            .map_err(|e| e.to_string())?;
        Ok(Compiled { schemas, index })
    })
    .as_ref()
    .map_err(String::as_str)
}

/// Compiles the embedded meta-schema of `version` now (so callers can time it apart).
pub fn warm_up(version: SpecVersion) {
    let _ = compiled(version);
}

/// Checks the root file's raw value (refs left as they are).
pub fn check(doc: &Document, version: SpecVersion) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let compiled = match compiled(version) {
        Ok(c) => c,
        Err(e) => {
            diags.push(Diagnostic::error(
                Code::Internal,
                format!("the embedded AsyncAPI schema failed to compile: {e}"),
            ));
            return diags;
        }
    };
    let index = compiled.index;
    let Some(root) = doc.raw(&doc.root()) else {
        return diags;
    };
    if let Err(error) = compiled.schemas.validate(root, index) {
        let mut leaves = Vec::new();
        reduce(&error, &mut leaves);
        for leaf in leaves.into_iter().take(MAX_SCHEMA_ERRORS) {
            diags.push(to_diagnostic(doc, root, leaf));
        }
    }
    diags
}

/// JSON pointer of an error's instance location.
fn pointer_of(error: &ValidationError) -> String {
    error
        .instance_location
        .tokens
        .iter()
        .fold(String::new(), |p, t| match t {
            InstanceToken::Prop(name) => push_token(&p, name),
            InstanceToken::Item(i) => format!("{p}/{i}"),
        })
}

fn depth_of(error: &ValidationError) -> usize {
    error.instance_location.tokens.len()
}

/// Deepest instance location among the leaves under `error`.
fn deepest(error: &ValidationError) -> usize {
    error
        .causes
        .iter()
        .map(deepest)
        .max()
        .unwrap_or(0)
        .max(depth_of(error))
}

/// A oneOf/anyOf branch that failed only because the value is not a Reference Object.
fn is_reference_branch(error: &ValidationError) -> bool {
    error.schema_url.ends_with("/Reference")
        || matches!(&error.kind, ErrorKind::Required { want } if want == &["$ref"])
        || (error.causes.len() == 1 && is_reference_branch(&error.causes[0]))
}

/// Collects the useful leaves of an error tree.
fn reduce<'a, 's, 'v>(
    error: &'a ValidationError<'s, 'v>,
    out: &mut Vec<&'a ValidationError<'s, 'v>>,
) {
    match &error.kind {
        // Every branch failed: follow the branches that got furthest into the value.
        ErrorKind::OneOf(None) | ErrorKind::AnyOf if !error.causes.is_empty() => {
            let mut branches: Vec<&ValidationError> = error
                .causes
                .iter()
                .filter(|b| !is_reference_branch(b))
                .collect();
            if branches.is_empty() {
                branches = error.causes.iter().collect();
            }
            let best = branches.iter().map(|b| deepest(b)).max().unwrap_or(0);
            if best <= depth_of(error) && branches.len() > 1 {
                // No branch got past this node: the value has the wrong shape as a whole.
                out.push(error);
                return;
            }
            for branch in branches.into_iter().filter(|b| deepest(b) == best) {
                reduce(branch, out);
            }
        }
        _ if error.causes.is_empty() => out.push(error),
        _ => {
            for cause in &error.causes {
                reduce(cause, out);
            }
        }
    }
}

fn to_diagnostic(doc: &Document, root: &Value, error: &ValidationError) -> Diagnostic {
    let pointer = pointer_of(error);
    let value = root.pointer(&pointer);
    let (pointer, message, hint) = describe(&pointer, value, error);
    let node = NodeRef::new(0, pointer.clone());
    // Same code as the schema walk's, so the two reports of one problem merge.
    let code = if message.starts_with(super::schemas::DISCRIMINATOR_OBJECT_PREFIX) {
        Code::DiscriminatorObject
    } else {
        Code::Schema
    };
    let d = Diagnostic::error(code, message).at(doc.location(&node), pointer);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// The pointer to report, the message and an optional hint for one leaf.
fn describe(
    pointer: &str,
    value: Option<&Value>,
    error: &ValidationError,
) -> (String, String, Option<String>) {
    let at = pointer.to_string();
    match &error.kind {
        ErrorKind::Required { want } => {
            let names: Vec<String> = want.iter().map(|w| format!("'{w}'")).collect();
            let noun = if want.len() == 1 {
                "property"
            } else {
                "properties"
            };
            (
                at,
                format!("required {noun} {} missing", names.join(", ")),
                None,
            )
        }
        ErrorKind::AdditionalProperties { got } => match got.as_slice() {
            [one] => (
                push_token(pointer, one),
                format!("property '{one}' is not allowed here"),
                None,
            ),
            _ => {
                let names: Vec<String> = got.iter().map(|g| format!("'{g}'")).collect();
                (
                    at,
                    format!("properties {} are not allowed here", names.join(", ")),
                    None,
                )
            }
        },
        ErrorKind::Type { got, want } => {
            if pointer.ends_with("/discriminator")
                && let Some(object @ Value::Object(_)) = value
            {
                let (message, hint) = super::schemas::discriminator_object_message(object);
                return (at, message, Some(hint));
            }
            let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
            (
                at,
                format!("expected {}, found {got}", want.join(" or ")),
                None,
            )
        }
        ErrorKind::OneOf(Some((i, j))) => (
            at,
            format!("value matches more than one allowed form (oneOf alternatives {i} and {j})"),
            None,
        ),
        ErrorKind::OneOf(None) | ErrorKind::AnyOf => (
            at,
            "value does not match any of the allowed forms".into(),
            None,
        ),
        ErrorKind::Const { want } => (at, format!("must be {want}"), None),
        ErrorKind::Enum { want } => {
            let allowed: Vec<String> = want.iter().map(Value::to_string).collect();
            (at, format!("must be one of {}", allowed.join(", ")), None)
        }
        ErrorKind::FalseSchema => (at, "no value is allowed here".into(), None),
        other => (at, other.to_string(), None),
    }
}
