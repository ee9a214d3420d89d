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

/// `Serialize` of a generated string enum (`variant` is the variant's
/// index, `wires` every variant's string): what serde's derive writes for
/// a unit variant, without a derive to expand and check per enum.
pub fn unit_variant<S: serde::Serializer>(
    serializer: S,
    name: &'static str,
    variant: usize,
    wires: &'static [&'static str],
) -> Result<S::Ok, S::Error> {
    // An enum has far fewer variants than `u32::MAX`, as serde's derive assumes.
    serializer.serialize_unit_variant(name, variant as u32, wires[variant])
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

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::ser::{Impossible, Serializer};

    /// What serde's derive writes for a string enum.
    #[derive(Serialize, Clone, Copy)]
    enum Derived {
        #[serde(rename = "in-progress")]
        InProgress,
        #[serde(rename = "")]
        Empty,
        #[serde(rename = "self")]
        Self_,
    }

    /// The same enum as generated code writes it.
    #[derive(Clone, Copy)]
    enum Written {
        InProgress,
        Empty,
        Self_,
    }

    impl Serialize for Written {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            // The derive's name is the type's: the same string here.
            super::unit_variant(
                serializer,
                "Derived",
                *self as usize,
                &["in-progress", "", "self"],
            )
        }
    }

    /// A serializer that says which call it got, so a unit variant cannot
    /// pass for a string (JSON and msgpack write both the same).
    struct Calls;

    macro_rules! unexpected {
        ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {$(
            fn $method(self, $(_: $arg),*) -> Result<$ok, Self::Error> {
                Err(serde::ser::Error::custom(stringify!($method)))
            }
        )*};
    }

    impl Serializer for Calls {
        type Ok = String;
        type Error = serde_json::Error;
        type SerializeSeq = Impossible<String, Self::Error>;
        type SerializeTuple = Impossible<String, Self::Error>;
        type SerializeTupleStruct = Impossible<String, Self::Error>;
        type SerializeTupleVariant = Impossible<String, Self::Error>;
        type SerializeMap = Impossible<String, Self::Error>;
        type SerializeStruct = Impossible<String, Self::Error>;
        type SerializeStructVariant = Impossible<String, Self::Error>;

        fn serialize_unit_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
        ) -> Result<String, Self::Error> {
            Ok(format!("unit_variant({name}, {index}, {variant:?})"))
        }

        fn serialize_str(self, value: &str) -> Result<String, Self::Error> {
            Ok(format!("str({value:?})"))
        }

        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Self::Error> {
            Err(serde::ser::Error::custom("some"))
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<String, Self::Error> {
            Err(serde::ser::Error::custom("newtype_struct"))
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<String, Self::Error> {
            Err(serde::ser::Error::custom("newtype_variant"))
        }

        unexpected! {
            serialize_bool(bool) -> String;
            serialize_i8(i8) -> String;
            serialize_i16(i16) -> String;
            serialize_i32(i32) -> String;
            serialize_i64(i64) -> String;
            serialize_u8(u8) -> String;
            serialize_u16(u16) -> String;
            serialize_u32(u32) -> String;
            serialize_u64(u64) -> String;
            serialize_f32(f32) -> String;
            serialize_f64(f64) -> String;
            serialize_char(char) -> String;
            serialize_bytes(&[u8]) -> String;
            serialize_none() -> String;
            serialize_unit() -> String;
            serialize_unit_struct(&'static str) -> String;
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct(&'static str, usize) -> Self::SerializeStruct;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
    }

    #[test]
    fn a_string_enum_serializes_as_the_derive_does() {
        let pairs = [
            (Derived::InProgress, Written::InProgress),
            (Derived::Empty, Written::Empty),
            (Derived::Self_, Written::Self_),
        ];
        for (derived, written) in pairs {
            assert_eq!(
                written.serialize(Calls).unwrap(),
                derived.serialize(Calls).unwrap()
            );
            assert_eq!(
                serde_json::to_string(&written).unwrap(),
                serde_json::to_string(&derived).unwrap()
            );
        }
        assert_eq!(
            Written::Self_.serialize(Calls).unwrap(),
            r#"unit_variant(Derived, 2, "self")"#
        );
    }
}
