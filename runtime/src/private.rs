//! What generated code calls; not part of the public API (tonic's
//! `codegen` pattern): it may change with the generator in any release.

use serde::de::{DeserializeOwned, Deserializer, Error as _};

pub use crate::validate::Program;

use crate::decode::{DecodeError, ErrorDetail};
use crate::json::Json;
use crate::message::ChannelMessage;

/// Builds a generated type from a value the program validated.
///
/// Validation already checked everything the type can express, so this
/// fails only when the two disagree (a generator bug): the error is logged
/// and the client told the message could not be read.
pub fn from_json<T: DeserializeOwned>(value: &Json) -> Result<T, DecodeError> {
    crate::json::from_json(value).map_err(|error| {
        tracing::error!(
            %error,
            r#type = std::any::type_name::<T>(),
            "a validated message does not fit its generated type"
        );
        // The client gets pydantic's words only; the cause is in the log.
        DecodeError {
            errors: vec![ErrorDetail::new(
                "value_error",
                vec![],
                "Value error, the message cannot be read",
            )],
        }
    })
}

/// `Deserialize` for a generated message enum: through its validator.
pub fn deserialize_message<'de, D, M>(deserializer: D) -> Result<M, D::Error>
where
    D: Deserializer<'de>,
    M: ChannelMessage,
{
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    M::decode(&Json::from(value)).map_err(D::Error::custom)
}

/// The body of a generated constant's `Deserialize`: exactly `expected`.
pub fn const_str<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<(), D::Error> {
    crate::decode::const_str(deserializer, expected)
}
