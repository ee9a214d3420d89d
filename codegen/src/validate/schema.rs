//! Validation of the root file against the official AsyncAPI JSON Schema.
//!
//! The meta-schema is mostly `oneOf: [Reference, Object]`, so a raw error is
//! a tree whose top says little ("oneOf failed"). [`reduce`] walks the tree
//! and keeps the leaves that point deepest into the document, which are the
//! ones a user can act on.

use boon::{ErrorKind, InstanceToken, ValidationError};
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

/// Most schema errors reported for one document; the rest are usually echoes.
const MAX_SCHEMA_ERRORS: usize = 50;

/// `uri-reference` as the AsyncAPI tools read it: the official converter
/// writes `#/channels/users_{userId}`, braces unescaped in the fragment,
/// and parser-js follows it. Whitespace, controls and `<>"\\` are still
/// refused; the loader reports any `$ref` it cannot follow (`ref-invalid`).
pub(super) fn lenient_uri_reference(value: &Value) -> Result<(), Box<dyn std::error::Error>> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    match text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
    {
        Some(c) => Err(format!("{c:?} is not allowed in a URI reference").into()),
        None => Ok(()),
    }
}

/// `regex` as pydantic reads a `pattern`: what boon's ECMA 262 reader
/// accepts, and also look-around and backreferences (an app that sets
/// `regex_engine="python-re"` writes them; the runtime checks them with
/// fancy-regex, as here).
pub(super) fn lenient_regex(value: &Value) -> Result<(), Box<dyn std::error::Error>> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    if ecma_regex(value) {
        return Ok(());
    }
    fancy_regex::Regex::new(text)
        .map(|_| ())
        .map_err(|error| error.to_string().into())
}

/// Whether boon's own `regex` format accepts `value`.
fn ecma_regex(value: &Value) -> bool {
    static CHECK: std::sync::OnceLock<Option<(boon::Schemas, boon::SchemaIndex)>> =
        std::sync::OnceLock::new();
    let check = CHECK.get_or_init(|| {
        let url = "https://json-schema.org/chanx/ecma-regex.json";
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V7);
        compiler.enable_format_assertions();
        compiler
            .add_resource(
                url,
                serde_json::json!({"type": "string", "format": "regex"}),
            )
            .ok()?;
        let index = compiler.compile(url, &mut schemas).ok()?;
        Some((schemas, index))
    });
    check
        .as_ref()
        .is_some_and(|(schemas, index)| schemas.validate(value, *index).is_ok())
}

/// Compiles the embedded meta-schema of `version` now, for a document that
/// uses no protocol bindings (so callers can time it apart).
pub fn warm_up(version: SpecVersion) {
    let _ = super::metaschema::compiled_for(version, &Value::Null);
}

/// Checks the root file's raw value (refs left as they are).
pub fn check(doc: &Document, version: SpecVersion) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let Some(root) = doc.raw(&doc.root()) else {
        return diags;
    };
    let compiled = match super::metaschema::compiled_for(version, root) {
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
    if let Err(error) = compiled.schemas.validate(root, index) {
        let mut leaves = Vec::new();
        reduce(&error, &mut leaves);
        for leaf in leaves.into_iter().take(MAX_SCHEMA_ERRORS) {
            if let ErrorKind::AdditionalProperties { got } = &leaf.kind {
                // Each property not allowed is reported at its own key.
                let parent = pointer_of(leaf);
                for name in got.iter() {
                    let at = NodeRef::new(0, push_token(&parent, name));
                    diags.push(
                        Diagnostic::error(
                            Code::Schema,
                            format!("property '{name}' is not allowed here"),
                        )
                        .at(doc.key_location(&at), at.pointer.clone()),
                    );
                }
                continue;
            }
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

/// What a failed `oneOf`/`anyOf`'s branches say about a discriminating property.
enum Discriminated<'a, 's, 'v> {
    /// No property tells the branches apart.
    No,
    /// The branches whose constant the value has.
    Matching(Vec<&'a ValidationError<'s, 'v>>),
    /// The value has none of the branches' constants for this property.
    NoneMatch(String),
}

/// The direct property of `parent`'s instance that most branches reject
/// with a `const`/`enum` error, and the branches that accept it.
fn by_discriminator<'a, 's, 'v>(
    parent: &ValidationError<'s, 'v>,
    branches: &[&'a ValidationError<'s, 'v>],
) -> Discriminated<'a, 's, 'v> {
    let depth = depth_of(parent) + 1;
    let mut rejected: Vec<Vec<String>> = Vec::new();
    for branch in branches {
        let mut names = Vec::new();
        constant_mismatches(branch, depth, &mut names);
        rejected.push(names);
    }
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for name in rejected.iter().flatten() {
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    let Some(&(property, count)) = counts.iter().max_by_key(|(_, count)| *count) else {
        return Discriminated::No;
    };
    if count < 2 {
        return Discriminated::No;
    }
    let matching: Vec<&'a ValidationError<'s, 'v>> = branches
        .iter()
        .zip(&rejected)
        .filter(|(_, names)| !names.contains(property))
        .map(|(branch, _)| *branch)
        .collect();
    if matching.is_empty() {
        Discriminated::NoneMatch(property.clone())
    } else {
        Discriminated::Matching(matching)
    }
}

/// Names of the properties (at `depth`) that a `const`/`enum` under `error`
/// rejects: in every alternative of a nested `oneOf`/`anyOf`, in any part
/// of the rest.
fn constant_mismatches(error: &ValidationError, depth: usize, out: &mut Vec<String>) {
    if depth_of(error) == depth
        && matches!(error.kind, ErrorKind::Const { .. } | ErrorKind::Enum { .. })
        && let Some(InstanceToken::Prop(name)) = error.instance_location.tokens.last()
    {
        push_new(out, name.to_string());
    }
    match error.kind {
        ErrorKind::OneOf(None) | ErrorKind::AnyOf if !error.causes.is_empty() => {
            let mut each = error.causes.iter().map(|cause| {
                let mut names = Vec::new();
                constant_mismatches(cause, depth, &mut names);
                names
            });
            let mut common = each.next().unwrap_or_default();
            for names in each {
                common.retain(|n| names.contains(n));
            }
            for name in common {
                push_new(out, name);
            }
        }
        _ => {
            for cause in &error.causes {
                constant_mismatches(cause, depth, out);
            }
        }
    }
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
            // Branches told apart by a property's constant (a security
            // scheme's `type`): follow those whose constant the value has;
            // when it has none of them, that is the one explanation.
            match by_discriminator(error, &branches) {
                Discriminated::Matching(matching) => branches = matching,
                Discriminated::NoneMatch(_) => {
                    out.push(error);
                    return;
                }
                Discriminated::No => {}
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
        ErrorKind::OneOf(None) | ErrorKind::AnyOf => {
            if let Some((property, wanted)) = unmatched_discriminator(error) {
                let found = value.and_then(|v| v.get(&property));
                let shown = found.map_or_else(|| "the value".to_string(), show);
                let allowed: Vec<String> = wanted.iter().map(Value::to_string).collect();
                let hint = closest(found, wanted.iter().filter_map(Value::as_str))
                    .map(|s| format!("did you mean \"{s}\"?"));
                return (
                    push_token(pointer, &property),
                    format!(
                        "{shown} is not a known `{property}` here: expected {}",
                        or_list(&allowed)
                    ),
                    hint,
                );
            }
            let expected = Expected::of(error);
            let (message, hint) = expected.explain(pointer, value);
            (at, message, hint)
        }
        ErrorKind::Const { want } => (at, format!("must be {want}"), None),
        ErrorKind::Enum { want } => {
            let allowed: Vec<String> = want.iter().map(Value::to_string).collect();
            let hint = closest(value, want.iter().filter_map(Value::as_str))
                .map(|s| format!("did you mean \"{s}\"?"));
            (at, format!("must be one of {}", allowed.join(", ")), hint)
        }
        ErrorKind::FalseSchema => (at, "no value is allowed here".into(), None),
        // The meta-schemas' `regex` is renamed for boon to let it be read
        // leniently (see `metaschema::LENIENT_REGEX`); the user wrote a regex.
        ErrorKind::Format { want, .. } if *want == super::metaschema::LENIENT_REGEX => (
            at,
            error.kind.to_string().replacen(
                &format!(" is not valid {want}: "),
                " is not valid regex: ",
                1,
            ),
            None,
        ),
        other => (at, other.to_string(), None),
    }
}

/// The types JSON Schema's `type` keyword names.
const JSON_SCHEMA_TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// What the alternatives of a failed `oneOf`/`anyOf` would have taken at
/// the value itself: constants and types, gathered from every branch.
#[derive(Default)]
struct Expected {
    values: Vec<Value>,
    types: Vec<String>,
    /// Some branch failed deeper in the value (its shape, not its kind).
    deeper: bool,
}

impl Expected {
    fn of(error: &ValidationError) -> Self {
        let mut expected = Expected::default();
        for branch in &error.causes {
            expected.gather(branch, depth_of(error));
        }
        expected
    }

    fn gather(&mut self, error: &ValidationError, depth: usize) {
        if depth_of(error) > depth {
            self.deeper = true;
            return;
        }
        match &error.kind {
            ErrorKind::Const { want } => push_new(&mut self.values, (*want).clone()),
            ErrorKind::Enum { want } => {
                for value in want.iter() {
                    push_new(&mut self.values, value.clone());
                }
            }
            ErrorKind::Type { want, .. } => {
                for t in want.iter() {
                    push_new(&mut self.types, t.to_string());
                }
            }
            _ if error.causes.is_empty() => self.deeper = true,
            _ => {
                for cause in &error.causes {
                    self.gather(cause, depth);
                }
            }
        }
    }

    /// The message and hint: what was found, what each alternative takes.
    fn explain(&self, pointer: &str, value: Option<&Value>) -> (String, Option<String>) {
        let shown = value.map_or_else(|| "the value".to_string(), show);
        let is_schema_type = pointer.ends_with("/type")
            && self.values.iter().any(|v| v.as_str() == Some("string"))
            && value.is_some_and(Value::is_string);
        if is_schema_type {
            let hint = closest(value, JSON_SCHEMA_TYPES)
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some(format!("the types are {}", JSON_SCHEMA_TYPES.join(", "))));
            return (format!("{shown} is not a JSON Schema type"), hint);
        }
        if self.deeper || (self.values.is_empty() && self.types.is_empty()) {
            return (
                format!("{shown} matches none of the forms allowed here"),
                Some("each alternative rejects something in it; see the AsyncAPI specification for this field".into()),
            );
        }
        let mut forms: Vec<String> = self.values.iter().map(|v| v.to_string()).collect();
        forms.extend(self.types.iter().map(|t| article(t)));
        let hint = closest(value, self.values.iter().filter_map(Value::as_str))
            .map(|s| format!("did you mean \"{s}\"?"));
        (
            format!("{shown} is not allowed here: expected {}", or_list(&forms)),
            hint,
        )
    }
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `an object`, `a string`.
fn article(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

/// A value as a message quotes it: strings in backticks, the rest by kind.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() <= 60 => format!("`{s}`"),
        Value::String(_) => "this string".into(),
        Value::Object(_) => "this object".into(),
        Value::Array(_) => "this array".into(),
        other => format!("`{other}`"),
    }
}

/// The candidate closest to a string `value`, when it looks like a typo of it.
fn closest<'c>(
    value: Option<&Value>,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let wanted = value?.as_str()?;
    let candidates: Vec<String> = candidates.into_iter().map(str::to_string).collect();
    crate::load::did_you_mean(wanted, &candidates).map(str::to_string)
}

/// When a failed `oneOf`/`anyOf`'s branches are told apart by a property
/// and the value has none of their constants: the property and every
/// constant the branches take for it.
fn unmatched_discriminator(error: &ValidationError) -> Option<(String, Vec<Value>)> {
    let branches: Vec<&ValidationError> = error
        .causes
        .iter()
        .filter(|b| !is_reference_branch(b))
        .collect();
    let Discriminated::NoneMatch(property) = by_discriminator(error, &branches) else {
        return None;
    };
    let mut wanted = Vec::new();
    for branch in branches {
        constants_for(branch, depth_of(error) + 1, &property, &mut wanted);
    }
    Some((property, wanted))
}

fn constants_for(error: &ValidationError, depth: usize, property: &str, out: &mut Vec<Value>) {
    let at_property = depth_of(error) == depth
        && matches!(error.instance_location.tokens.last(), Some(InstanceToken::Prop(name)) if name.as_ref() == property);
    if at_property {
        match &error.kind {
            ErrorKind::Const { want } => push_new(out, (*want).clone()),
            ErrorKind::Enum { want } => {
                for value in want.iter() {
                    push_new(out, value.clone());
                }
            }
            _ => {}
        }
    }
    for cause in &error.causes {
        constants_for(cause, depth, property, out);
    }
}
