//! Deserializing generated types straight from a parsed [`Json`] tree, with
//! no detour through `serde_json::Value` (which cannot hold big integers or
//! `NaN`).
//!
//! Numbers reach visitors as: [`Json::Int`] through `visit_i64`;
//! [`Json::BigInt`] through `visit_u64`, `visit_i128` or `visit_u128`
//! (the first that fits; larger integers are an error, except for an `f64`
//! target, which gets the nearest float as Python's `float(int)` would);
//! [`Json::Float`] through `visit_f64`. Object keys are strings, but an
//! integer, float or bool map key type parses them (`{"1": …}` into
//! `BTreeMap<u32, _>`), as `serde_json` does.

use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeSeed, EnumAccess, IntoDeserializer, VariantAccess, Visitor,
    value::{MapDeserializer, SeqDeserializer},
};
use serde::forward_to_deserialize_any;

use super::value::{Json, JsonMap};

/// Why a value did not fit the target type (serde's own messages, such as
/// `invalid type: string "a", expected i64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError(String);

impl DeError {
    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

/// Deserializes a `T` from a parsed frame; `&str` fields may borrow from it.
pub fn from_json<'de, T: Deserialize<'de>>(value: &'de Json) -> Result<T, DeError> {
    T::deserialize(value)
}

/// Hands a big integer to the visitor as the first of `u64`, `i128`, `u128`
/// that holds it.
fn visit_big_int<'de, V: Visitor<'de>>(digits: &str, visitor: V) -> Result<V::Value, DeError> {
    if let Ok(u) = digits.parse::<u64>() {
        visitor.visit_u64(u)
    } else if let Ok(i) = digits.parse::<i128>() {
        visitor.visit_i128(i)
    } else if let Ok(u) = digits.parse::<u128>() {
        visitor.visit_u128(u)
    } else {
        Err(de::Error::custom(format_args!(
            "integer {digits} is out of range"
        )))
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: &'de [Json], visitor: V) -> Result<V::Value, DeError> {
    let mut seq = SeqDeserializer::new(items.iter());
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

fn visit_object<'de, V: Visitor<'de>>(map: &'de JsonMap, visitor: V) -> Result<V::Value, DeError> {
    let mut access = MapDeserializer::new(map.iter().map(|(k, v)| (KeyDeserializer(k), v)));
    let value = visitor.visit_map(&mut access)?;
    access.end()?;
    Ok(value)
}

impl<'de> IntoDeserializer<'de, DeError> for &'de Json {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for &'de Json {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Int(i) => visitor.visit_i64(*i),
            Json::BigInt(digits) => visit_big_int(digits, visitor),
            Json::Float(f) => visitor.visit_f64(*f),
            Json::Str(s) => visitor.visit_borrowed_str(s),
            Json::Array(items) => visit_array(items, visitor),
            Json::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Json::BigInt(digits) => match digits.parse::<f64>() {
                Ok(f) if f.is_finite() => visitor.visit_f64(f),
                // Python's float(int) raises OverflowError here.
                _ => Err(de::Error::custom("int too large to convert to float")),
            },
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Json::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Json::Str(variant) => visitor.visit_enum(Enum {
                variant,
                content: None,
            }),
            Json::Object(map) if map.len() == 1 => {
                let (variant, content) = map.iter().next().expect("one entry");
                visitor.visit_enum(Enum {
                    variant,
                    content: Some(content),
                })
            }
            _ => Err(de::Error::invalid_type(
                self.unexpected(),
                &"a string or a map with one key",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf
        seq tuple tuple_struct map struct identifier
    }
}

impl Json {
    /// How serde describes this value in an "invalid type" error.
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Json::Null => de::Unexpected::Unit,
            Json::Bool(b) => de::Unexpected::Bool(*b),
            Json::Int(i) => de::Unexpected::Signed(*i),
            Json::BigInt(_) => de::Unexpected::Other("integer"),
            Json::Float(f) => de::Unexpected::Float(*f),
            Json::Str(s) => de::Unexpected::Str(s),
            Json::Array(_) => de::Unexpected::Seq,
            Json::Object(_) => de::Unexpected::Map,
        }
    }

    fn invalid_type(&self, expected: &dyn de::Expected) -> DeError {
        de::Error::invalid_type(self.unexpected(), expected)
    }
}

/// An externally tagged enum: `"Variant"` or `{"Variant": content}`.
struct Enum<'de> {
    variant: &'de str,
    content: Option<&'de Json>,
}

impl<'de> EnumAccess<'de> for Enum<'de> {
    type Error = DeError;
    type Variant = Variant<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DeError> {
        let variant = seed.deserialize(KeyDeserializer(self.variant))?;
        Ok((variant, Variant(self.content)))
    }
}

/// A variant's content: none for `"Variant"`.
struct Variant<'de>(Option<&'de Json>);

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            None | Some(Json::Null) => Ok(()),
            Some(other) => Err(other.invalid_type(&"unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        match self.0 {
            Some(content) => seed.deserialize(content),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Some(Json::Array(items)) => visit_array(items, visitor),
            Some(other) => Err(other.invalid_type(&"tuple variant")),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Some(Json::Object(map)) => visit_object(map, visitor),
            Some(Json::Array(items)) => visit_array(items, visitor),
            Some(other) => Err(other.invalid_type(&"struct variant")),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

/// An object key: a string, that number, bool and enum key types parse.
struct KeyDeserializer<'de>(&'de str);

impl<'de> IntoDeserializer<'de, DeError> for KeyDeserializer<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_key {
    ($($method:ident => $ty:ty, $visit:ident;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                match self.0.parse::<$ty>() {
                    Ok(parsed) => visitor.$visit(parsed),
                    Err(_) => visitor.visit_borrowed_str(self.0),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.0)
    }

    parse_key! {
        deserialize_bool => bool, visit_bool;
        deserialize_i8 => i8, visit_i8;
        deserialize_i16 => i16, visit_i16;
        deserialize_i32 => i32, visit_i32;
        deserialize_i64 => i64, visit_i64;
        deserialize_i128 => i128, visit_i128;
        deserialize_u8 => u8, visit_u8;
        deserialize_u16 => u16, visit_u16;
        deserialize_u32 => u32, visit_u32;
        deserialize_u64 => u64, visit_u64;
        deserialize_u128 => u128, visit_u128;
        deserialize_f32 => f32, visit_f32;
        deserialize_f64 => f64, visit_f64;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(Enum {
            variant: self.0,
            content: None,
        })
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests;
