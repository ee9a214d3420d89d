//! What generated code calls; not part of the public API (tonic's
//! `codegen` pattern): it may change with the generator in any release.

use serde::de::{Deserializer, Error as _};

pub use crate::from_json::{
    Fields, FromJson, deserialize_json, from_json_through_serde, no_variant_fits, variant_index,
};
pub use crate::json::DeError;
pub use crate::struct_writer::StructWriter;
pub use crate::validate::Program;

use crate::decode::{DecodeError, ErrorDetail};
use crate::json::Json;
use crate::message::ChannelMessage;

/// Builds a generated type from a value the program validated.
///
/// Validation already checked everything the type can express, so this
/// fails only when the two disagree (a generator bug): the error is logged
/// and the client told the message could not be read.
pub fn from_json<T: FromJson>(value: &Json) -> Result<T, DecodeError> {
    T::from_json(value).map_err(|error| {
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

/// A generated string constant: a unit struct that serializes as exactly
/// `$value`, accepts only `$value`, and is its own default (so a message
/// built in Rust always carries its tag).
///
/// ```ignore
/// ::chanx_runtime::__private::const_str_marker!(pub struct PingMessageAction = "ping");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __const_str_marker {
    ($vis:vis struct $name:ident = $value:literal) => {
        #[doc = concat!(" The constant `\"", $value, "\"`: (de)serializes exactly this value, and is the default.")]
        #[derive(
            ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq,
            ::std::cmp::Eq, ::std::hash::Hash, ::std::default::Default
        )]
        $vis struct $name;

        impl $name {
            /// The constant as written on the wire.
            pub const VALUE: &'static str = $value;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::const_str(deserializer, $value).map(|()| $name)
            }
        }

        impl $crate::__private::FromJson for $name {
            fn from_json(value: &$crate::json::Json) -> ::std::result::Result<Self, $crate::json::DeError> {
                $crate::__private::const_str(value, $value).map(|()| $name)
            }
        }
    };
}

pub use crate::__const_str_marker as const_str_marker;

/// `Deserialize` of a generated type through its `FromJson`
/// ([`deserialize_json`]): one line in the generated module instead of an
/// impl that printing and checking would pay for on every type.
///
/// ```ignore
/// ::chanx_runtime::__private::deserialize_through_from_json!(ChatPayload);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __deserialize_through_from_json {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::deserialize_json(deserializer)
            }
        }
    };
}

pub use crate::__deserialize_through_from_json as deserialize_through_from_json;
