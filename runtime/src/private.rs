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
    M::decode(&mut Json::from(value)).map_err(D::Error::custom)
}

/// The value type of a generated string constant: an empty enum whose
/// [`ConstStrValue`](crate::ConstStrValue) is `$value`, the parameter of the
/// constant's [`ConstStr`](crate::ConstStr).
///
/// ```ignore
/// pub type PingMessageAction = ::chanx_runtime::ConstStr<constants::PingMessageAction>;
/// pub mod constants {
///     ::chanx_runtime::__private::const_str_value!(PingMessageAction = "ping");
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __const_str_value {
    ($name:ident = $value:literal) => {
        pub enum $name {}

        impl $crate::ConstStrValue for $name {
            const VALUE: &'static str = $value;
        }
    };
}

pub use crate::__const_str_value as const_str_value;

/// `Clone`, `Copy`, `Eq`, `Hash` (and `Default`, given the default
/// variant) of a generated string enum, as its derives would write them
/// (`Hash` hashes the discriminant): written by hand they cost `cargo check`
/// less than derived (no expansion per derive, no `Eq` assertion body).
///
/// ```ignore
/// ::chanx_runtime::__private::unit_enum_impls!(Status, default Active);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __unit_enum_impls {
    ($name:ident) => {
        impl ::std::clone::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                *self
            }
        }

        impl ::std::marker::Copy for $name {}

        impl ::std::cmp::Eq for $name {}

        impl ::std::hash::Hash for $name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                ::std::hash::Hash::hash(&(*self as isize), state)
            }
        }
    };
    ($name:ident, default $default:ident) => {
        $crate::__unit_enum_impls!($name);

        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }
    };
}

pub use crate::__unit_enum_impls as unit_enum_impls;

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

    /// What `unit_enum_impls!` stands in for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    enum DerivedStatus {
        Active,
        #[default]
        Idle,
        Gone,
    }

    #[derive(Debug, PartialEq)]
    enum Status {
        Active,
        Idle,
        Gone,
    }
    crate::__private::unit_enum_impls!(Status, default Idle);

    #[derive(Debug, PartialEq)]
    enum NoDefault {
        Only,
    }
    crate::__private::unit_enum_impls!(NoDefault);

    fn hash_of(value: &impl std::hash::Hash) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(value)
    }

    #[test]
    fn unit_enum_impls_write_what_the_derives_write() {
        let pairs = [
            (DerivedStatus::Active, Status::Active),
            (DerivedStatus::Idle, Status::Idle),
            (DerivedStatus::Gone, Status::Gone),
        ];
        for (derived, written) in &pairs {
            assert_eq!(hash_of(derived), hash_of(written), "{written:?}");
            let copy = *written;
            assert_eq!(copy.clone(), copy);
        }
        assert_ne!(hash_of(&Status::Active), hash_of(&Status::Gone));
        assert_eq!(Status::default(), Status::Idle);
        assert_eq!(DerivedStatus::default(), DerivedStatus::Idle);
        let set: std::collections::HashSet<Status> = [Status::Gone, Status::Gone].into();
        assert_eq!(set.len(), 1);
        assert_eq!(NoDefault::Only.clone(), NoDefault::Only);
    }
}
