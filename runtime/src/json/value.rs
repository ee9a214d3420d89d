//! The value tree of a parsed frame.

pub(crate) use super::map::JsonMap;
pub use super::string::JsonStr;

/// A JSON value as Python's `json.loads` produces it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json {
    #[default]
    /// `null` (Python's `None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// An integer outside `i64`, as its decimal digits (with a leading `-`
    /// when negative): Python integers have no size limit.
    BigInt(Box<str>),
    /// A float; `NaN` and the infinities included (`json.loads` reads them).
    Float(f64),
    /// A string. Where Python's would hold a lone surrogate (from an escape
    /// such as `"\ud800"`), this one holds U+FFFD: a Rust string cannot.
    Str(JsonStr),
    /// A list.
    Array(Vec<Json>),
    /// An object (a Python `dict`).
    Object(JsonMap),
}

impl Json {
    /// The Python type name pydantic would report for this value.
    pub fn python_type(&self) -> &'static str {
        match self {
            Json::Null => "NoneType",
            Json::Bool(_) => "bool",
            Json::Int(_) | Json::BigInt(_) => "int",
            Json::Float(_) => "float",
            Json::Str(_) => "str",
            Json::Array(_) => "list",
            Json::Object(_) => "dict",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&JsonMap> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The object, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut JsonMap> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// How many lists and dicts nest at the deepest point (0 for a scalar);
    /// computed without recursion, so any value can be measured.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack: Vec<(&Json, usize)> = vec![(self, 0)];
        while let Some((value, level)) = stack.pop() {
            match value {
                Json::Array(items) => {
                    deepest = deepest.max(level + 1);
                    stack.extend(items.iter().map(|item| (item, level + 1)));
                }
                Json::Object(map) => {
                    deepest = deepest.max(level + 1);
                    stack.extend(map.values().map(|item| (item, level + 1)));
                }
                _ => {}
            }
        }
        deepest
    }

    /// The same value as a `serde_json::Value`, for code that still works on
    /// those. Lossy where `Value` cannot follow Python: non-finite floats
    /// become `null` (as pydantic's JSON mode writes them), and a big integer
    /// beyond `u64` becomes the nearest `f64` (`null` beyond the `f64`
    /// range): this crate does not enable serde_json's
    /// `arbitrary_precision`, which would change every `Value` number.
    pub fn to_serde_value(&self) -> serde_json::Value {
        use serde_json::{Number, Value};
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::Number(Number::from(*i)),
            Json::BigInt(digits) => match digits.parse::<u64>() {
                Ok(u) => Value::Number(Number::from(u)),
                Err(_) => digits
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number),
            },
            Json::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_serde_value).collect()),
            Json::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde_value()))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Json::Int(i),
                (None, Some(u), _) => Json::BigInt(u.to_string().into_boxed_str()),
                (_, _, Some(f)) => Json::Float(f),
                _ => Json::Null,
            },
            Value::String(s) => Json::Str(s.into()),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => {
                Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
            }
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s.into())
    }
}

impl From<JsonStr> for Json {
    fn from(s: JsonStr) -> Self {
        Json::Str(s)
    }
}

impl From<i64> for Json {
    fn from(i: i64) -> Self {
        Json::Int(i)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<f64> for Json {
    fn from(f: f64) -> Self {
        Json::Float(f)
    }
}
