//! pydantic's error vocabulary: each error type with its message and context,
//! worded exactly as pydantic-core words them.

use std::borrow::Cow;

use crate::json::Json;

/// One step of an error location: a field or key, or an index.
#[derive(Debug, Clone, PartialEq)]
pub enum Loc {
    Key(String),
    Index(i64),
}

impl From<&str> for Loc {
    fn from(key: &str) -> Self {
        Loc::Key(key.to_owned())
    }
}

impl From<usize> for Loc {
    fn from(index: usize) -> Self {
        Loc::Index(index as i64)
    }
}

/// One validation error, its location built from the inside out.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub kind: &'static str,
    /// Innermost step first; [`LineError::loc`] gives the outermost first.
    reversed_loc: Vec<Loc>,
    pub msg: Cow<'static, str>,
    /// pydantic's `ctx`, in pydantic's key order.
    pub ctx: Vec<(&'static str, Json)>,
}

impl LineError {
    pub fn new(kind: &'static str, msg: impl Into<Cow<'static, str>>) -> Self {
        LineError {
            kind,
            reversed_loc: Vec::new(),
            msg: msg.into(),
            ctx: Vec::new(),
        }
    }

    pub fn with_ctx(mut self, key: &'static str, value: impl Into<Json>) -> Self {
        self.ctx.push((key, value.into()));
        self
    }

    /// Prepends a location step (the error happened inside `step`).
    pub fn at(mut self, step: impl Into<Loc>) -> Self {
        self.reversed_loc.push(step.into());
        self
    }

    /// The location, outermost step first.
    pub fn loc(&self) -> impl Iterator<Item = &Loc> {
        self.reversed_loc.iter().rev()
    }
}

/// Adds the location step `step` to every error of `errors`.
pub fn prefix(errors: &mut [LineError], step: impl Into<Loc> + Clone) {
    for error in errors {
        error.reversed_loc.push(step.clone().into());
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn missing() -> LineError {
    LineError::new("missing", "Field required")
}

pub fn extra_forbidden() -> LineError {
    LineError::new("extra_forbidden", "Extra inputs are not permitted")
}

pub fn model_type(class_name: &str) -> LineError {
    LineError::new(
        "model_type",
        format!("Input should be a valid dictionary or instance of {class_name}"),
    )
    .with_ctx("class_name", class_name)
}

pub fn model_attributes_type() -> LineError {
    LineError::new(
        "model_attributes_type",
        "Input should be a valid dictionary or object to extract fields from",
    )
}

pub fn simple(kind: &'static str) -> LineError {
    let msg = match kind {
        "dict_type" => "Input should be a valid dictionary",
        "list_type" => "Input should be a valid list",
        "tuple_type" => "Input should be a valid tuple",
        "set_type" => "Input should be a valid set",
        "frozen_set_type" => "Input should be a valid frozenset",
        "string_type" => "Input should be a valid string",
        "none_required" => "Input should be None",
        "bool_type" => "Input should be a valid boolean",
        "bool_parsing" => "Input should be a valid boolean, unable to interpret input",
        "int_type" => "Input should be a valid integer",
        "int_parsing" => "Input should be a valid integer, unable to parse string as an integer",
        "int_parsing_size" => "Unable to parse input string as an integer, exceeded maximum size",
        "int_from_float" => "Input should be a valid integer, got a number with a fractional part",
        "finite_number" => "Input should be a finite number",
        "float_type" => "Input should be a valid number",
        "float_parsing" => "Input should be a valid number, unable to parse string as a number",
        "set_item_not_hashable" => "Set items should be hashable",
        _ => "Invalid input",
    };
    LineError::new(kind, msg)
}

/// `too_short` / `too_long` of a collection (`field_type`: List, Tuple, Set, …).
pub fn too_short(field_type: &'static str, min: usize, actual: usize) -> LineError {
    LineError::new(
        "too_short",
        format!(
            "{field_type} should have at least {min} item{} after validation, not {actual}",
            plural(min)
        ),
    )
    .with_ctx("field_type", field_type)
    .with_ctx("min_length", min as i64)
    .with_ctx("actual_length", actual as i64)
}

/// `actual` is `None` when validation stopped counting (dictionaries).
pub fn too_long(field_type: &'static str, max: usize, actual: Option<usize>) -> LineError {
    let not = match actual {
        Some(n) => n.to_string(),
        None => "more".to_owned(),
    };
    LineError::new(
        "too_long",
        format!(
            "{field_type} should have at most {max} item{} after validation, not {not}",
            plural(max)
        ),
    )
    .with_ctx("field_type", field_type)
    .with_ctx("max_length", max as i64)
    .with_ctx(
        "actual_length",
        actual.map_or(Json::Null, |n| Json::Int(n as i64)),
    )
}

pub fn string_too_short(min: usize) -> LineError {
    LineError::new(
        "string_too_short",
        format!("String should have at least {min} character{}", plural(min)),
    )
    .with_ctx("min_length", min as i64)
}

pub fn string_too_long(max: usize) -> LineError {
    LineError::new(
        "string_too_long",
        format!("String should have at most {max} character{}", plural(max)),
    )
    .with_ctx("max_length", max as i64)
}

pub fn string_pattern_mismatch(pattern: &str) -> LineError {
    LineError::new(
        "string_pattern_mismatch",
        format!("String should match pattern '{pattern}'"),
    )
    .with_ctx("pattern", pattern)
}

/// A numeric bound (`greater_than`, …, `multiple_of`): `shown` is the bound
/// as pydantic-core prints it, `value` as it appears in `ctx`.
pub fn bound(kind: &'static str, key: &'static str, shown: &str, value: Json) -> LineError {
    let words = match kind {
        "greater_than" => "greater than",
        "greater_than_equal" => "greater than or equal to",
        "less_than" => "less than",
        "less_than_equal" => "less than or equal to",
        _ => "a multiple of",
    };
    LineError::new(kind, format!("Input should be {words} {shown}")).with_ctx(key, value)
}

/// `literal_error` / `enum`: `expected` reads `'a', 'b' or 'c'`.
pub fn expected(kind: &'static str, expected: &str) -> LineError {
    LineError::new(kind, format!("Input should be {expected}")).with_ctx("expected", expected)
}

pub fn union_tag_not_found(key: &str) -> LineError {
    LineError::new(
        "union_tag_not_found",
        format!("Unable to extract tag using discriminator '{key}'"),
    )
    .with_ctx("discriminator", format!("'{key}'"))
}

pub fn union_tag_invalid(key: &str, tag: &str, expected_tags: &str) -> LineError {
    LineError::new(
        "union_tag_invalid",
        format!(
            "Input tag '{tag}' found using '{key}' does not match any of the expected tags: {expected_tags}"
        ),
    )
    .with_ctx("discriminator", format!("'{key}'"))
    .with_ctx("tag", tag)
    .with_ctx("expected_tags", expected_tags)
}

/// Joins alternatives as pydantic does: `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}
