//! JSON as the Python chanx reads and writes it.
//!
//! chanx parses frames with Python's `json.loads` and writes them with
//! `json.dumps` defaults, and pydantic validates the Python values in
//! between. [`Json`] holds what `json.loads` can produce (integers of any
//! size, `NaN` and infinities), so validation sees the same values chanx does.

mod value;

pub use value::{Json, JsonMap};

/// Builds a `T` from a value (until the direct deserializer lands: through
/// `serde_json::Value`).
pub fn from_json<T: serde::de::DeserializeOwned>(value: &Json) -> Result<T, serde_json::Error> {
    serde_json::from_value(value.to_serde_value())
}

impl Json {
    /// The value as a `serde_json::Value`: non-finite floats become `null`,
    /// big integers a float approximation.
    pub fn to_serde_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::from(*i),
            Json::BigInt(d) => match d.parse::<u64>() {
                Ok(u) => Value::from(u),
                Err(_) => d.parse::<f64>().map_or(Value::Null, Value::from),
            },
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(s) => Value::from(s.as_str()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_serde_value).collect()),
            Json::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), v.to_serde_value()))
                    .collect(),
            ),
        }
    }
}
