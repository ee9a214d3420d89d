//! Every generated module, compiled with warnings denied. Building this
//! crate is the test that generated Rust compiles; `cargo clippy -p
//! chanx-compile-rust -- -D warnings` holds it to clippy as well.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/modules.rs"));

/// One message example of a document, with the function that round-trips
/// it through the message's generated payload type.
pub struct Example {
    pub document: &'static str,
    pub message: &'static str,
    pub example: &'static str,
    pub json: &'static str,
    pub check: fn(::serde_json::Value) -> Result<::serde_json::Value, String>,
}

/// Deserializes `value` into `T` and serializes it back.
pub fn round_trip<T: ::serde::Serialize + ::serde::de::DeserializeOwned>(
    value: ::serde_json::Value,
) -> Result<::serde_json::Value, String> {
    let typed: T =
        ::serde_json::from_value(value).map_err(|e| format!("does not deserialize: {e}"))?;
    ::serde_json::to_value(&typed).map_err(|e| format!("does not serialize: {e}"))
}

mod examples {
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));
}
pub use examples::EXAMPLES;
