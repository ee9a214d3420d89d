//! Building generated types from a [`Json`] tree with one short function
//! per type instead of serde's derived visitors.
//!
//! A derived `Deserialize` expands to a field enum, a visitor and its map
//! and sequence loops for every struct: most of the time `cargo check`
//! spends on a generated module. Generated types implement [`FromJson`]
//! instead (a struct reads its fields through [`Fields`]), and their
//! `Deserialize` reads the input into a [`Json`] first
//! ([`deserialize_json`]). The messages are serde's own (`missing field
//! `id``, `invalid type: string "a", expected i64`, …).

use std::cell::Cell;
use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Unexpected};

use crate::json::{DeError, Json, JsonMap};

/// A type built from a parsed JSON value.
pub trait FromJson: Sized {
    /// Builds the value, or says why `value` does not fit.
    fn from_json(value: &Json) -> Result<Self, DeError>;

    /// The value of a required struct field that is absent: `None` (an
    /// error) except for `Option`, which serde also reads as `None`.
    fn absent() -> Option<Self> {
        None
    }
}

/// Scalars and free-form values: serde's own `Deserialize`, straight from the tree.
macro_rules! from_json_through_serde {
    ($($ty:ty),* $(,)?) => {
        $(impl FromJson for $ty {
            fn from_json(value: &Json) -> Result<Self, DeError> {
                crate::json::from_json(value)
            }
        })*
    };
}

from_json_through_serde!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    String,
    (),
    serde_json::Value,
);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        match value {
            Json::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        T::from_json(value).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        match value {
            Json::Array(items) => items.iter().map(T::from_json).collect(),
            other => Err(invalid_type(other, &"a sequence")),
        }
    }
}

impl<T: FromJson> FromJson for IndexMap<String, T> {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        match value {
            Json::Object(map) => map
                .iter()
                .map(|(key, value)| Ok((key.to_string(), T::from_json(value)?)))
                .collect(),
            other => Err(invalid_type(other, &"a map")),
        }
    }
}

/// A type whose hand-written `Deserialize` is its definition (non-string
/// constants and enums): read through serde.
pub fn from_json_through_serde<T: de::DeserializeOwned>(value: &Json) -> Result<T, DeError> {
    crate::json::from_json(value)
}

/// The body of a generated type's `Deserialize`: the input as a [`Json`]
/// tree, then [`FromJson`].
pub fn deserialize_json<'de, D: Deserializer<'de>, T: FromJson>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = Json::deserialize(deserializer)?;
    T::from_json(&value).map_err(D::Error::custom)
}

/// The index of the string `value` in `variants` (a string enum).
pub fn variant_index(value: &Json, variants: &'static [&'static str]) -> Result<usize, DeError> {
    match value {
        Json::Str(text) => variants
            .iter()
            .position(|variant| variant == text)
            .ok_or_else(|| DeError::unknown_variant(text, variants)),
        other => Err(invalid_type(other, &"variant identifier")),
    }
}

/// The error of an untagged union that no variant fits (each is tried in
/// declaration order, as serde's `untagged` does).
pub fn no_variant_fits(name: &'static str) -> DeError {
    DeError::custom(format_args!(
        "data did not match any variant of untagged enum {name}"
    ))
}

/// The fields of a struct being built: a JSON object's members by name, or
/// (as serde reads a struct from a sequence) a list's items by position.
pub struct Fields<'a> {
    name: &'static str,
    names: &'static [&'static str],
    source: Source<'a>,
    /// The first error of a `take*` read.
    error: Cell<Option<DeError>>,
}

enum Source<'a> {
    Object(&'a JsonMap),
    Sequence(&'a [Json]),
}

impl<'a> Fields<'a> {
    /// The fields of struct `name`, whose wire names are `names` in declaration order.
    pub fn new(
        value: &'a Json,
        name: &'static str,
        names: &'static [&'static str],
    ) -> Result<Self, DeError> {
        let source = match value {
            Json::Object(map) => Source::Object(map),
            Json::Array(items) if items.len() <= names.len() => Source::Sequence(items),
            Json::Array(items) => {
                return Err(DeError::invalid_length(
                    items.len(),
                    &StructLength(name, names.len()),
                ));
            }
            other => return Err(invalid_type(other, &StructName(name))),
        };
        Ok(Fields {
            name,
            names,
            source,
            error: Cell::new(None),
        })
    }

    /// Rejects an object member that is not a declared field (`deny_unknown_fields`).
    pub fn deny_unknown(self) -> Result<Self, DeError> {
        if let Source::Object(map) = self.source
            && let Some(key) = map.keys().find(|key| !self.names.contains(&key.as_str()))
        {
            return Err(DeError::unknown_field(key, self.names));
        }
        Ok(self)
    }

    fn get(&self, index: usize) -> Option<&'a Json> {
        match self.source {
            Source::Object(map) => map.get(self.names[index]),
            Source::Sequence(items) => items.get(index),
        }
    }

    // The `take*` methods read a field as the method without `take_` does,
    // returning `None` on an error and keeping the first error for
    // [`failed`](Self::failed). Generated code reads every field, then
    // takes them all in one `let … else`: one failure path per struct
    // instead of one per field, which is most of what the compiler checks
    // in a `from_json`.

    /// [`required`](Self::required), keeping the first error.
    pub fn take<T: FromJson>(&self, index: usize) -> Option<T> {
        self.keep(self.required(index))
    }

    /// [`or_default`](Self::or_default), keeping the first error.
    pub fn take_or_default<T: FromJson + Default>(&self, index: usize) -> Option<T> {
        self.keep(self.or_default(index))
    }

    /// [`or_else`](Self::or_else), keeping the first error.
    pub fn take_or_else<T: FromJson>(&self, index: usize, default: fn() -> T) -> Option<T> {
        self.keep(self.or_else(index, default))
    }

    /// [`present`](Self::present), keeping the first error.
    pub fn take_present<T: FromJson>(&self, index: usize) -> Option<Option<T>> {
        self.keep(self.present(index))
    }

    /// [`rest`](Self::rest), keeping the first error.
    pub fn take_rest<T: FromJson>(&self) -> Option<IndexMap<String, T>> {
        self.keep(self.rest())
    }

    fn keep<T>(&self, result: Result<T, DeError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                // Fields are read in declaration order: the first error is
                // the one a read stopping at it would have returned.
                let first = self.error.take().unwrap_or(error);
                self.error.set(Some(first));
                None
            }
        }
    }

    /// The first error of a `take*` read that returned `None`.
    pub fn failed(&self) -> DeError {
        self.error
            .take()
            .unwrap_or_else(|| DeError::custom("a struct field was rejected without an error"))
    }

    /// A field without a default: absent is an error (`None` for an `Option`).
    pub fn required<T: FromJson>(&self, index: usize) -> Result<T, DeError> {
        match self.get(index) {
            Some(value) => T::from_json(value),
            None => T::absent().ok_or_else(|| match self.source {
                Source::Object(_) => DeError::missing_field(self.names[index]),
                Source::Sequence(items) => {
                    DeError::invalid_length(items.len(), &StructLength(self.name, self.names.len()))
                }
            }),
        }
    }

    /// A field that takes `Default::default()` when absent.
    pub fn or_default<T: FromJson + Default>(&self, index: usize) -> Result<T, DeError> {
        self.or_else(index, T::default)
    }

    /// A field that takes `default()` when absent.
    pub fn or_else<T: FromJson>(&self, index: usize, default: fn() -> T) -> Result<T, DeError> {
        match self.get(index) {
            Some(value) => T::from_json(value),
            None => Ok(default()),
        }
    }

    /// A field that tells an absent key (`None`) from a present one, even
    /// `null` (`Some(None)`).
    pub fn present<T: FromJson>(&self, index: usize) -> Result<Option<T>, DeError> {
        self.get(index).map(T::from_json).transpose()
    }

    /// The members beyond the declared fields (a flattened map).
    pub fn rest<T: FromJson>(&self) -> Result<IndexMap<String, T>, DeError> {
        match self.source {
            Source::Object(map) => map
                .iter()
                .filter(|(key, _)| !self.names.contains(&key.as_str()))
                .map(|(key, value)| Ok((key.to_string(), T::from_json(value)?)))
                .collect(),
            Source::Sequence(_) => Ok(IndexMap::new()),
        }
    }
}

/// serde's "expected struct Name".
struct StructName(&'static str);

impl de::Expected for StructName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.0)
    }
}

/// serde's "expected struct Name with N elements".
struct StructLength(&'static str, usize);

impl de::Expected for StructLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {} with {} elements", self.0, self.1)
    }
}

fn invalid_type(value: &Json, expected: &dyn de::Expected) -> DeError {
    let unexpected = match value {
        Json::Null => Unexpected::Unit,
        Json::Bool(b) => Unexpected::Bool(*b),
        Json::Int(i) => Unexpected::Signed(*i),
        Json::BigInt(_) => Unexpected::Other("integer"),
        Json::Float(f) => Unexpected::Float(*f),
        Json::Str(s) => Unexpected::Str(s),
        Json::Array(_) => Unexpected::Seq,
        Json::Object(_) => Unexpected::Map,
    };
    DeError::invalid_type(unexpected, expected)
}

/// Any self-describing input (a `serde_json` reader, a `Value`, a
/// [`Json`]) as a tree: integers beyond `i64` keep their digits, a repeated
/// key keeps its first position and its last value.
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Int(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Json, E> {
        Ok(i64::try_from(value).map_or_else(|_| big_int(value), Json::Int))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Json, E> {
        Ok(i64::try_from(value).map_or_else(|_| big_int(value), Json::Int))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Json, E> {
        Ok(i64::try_from(value).map_or_else(|_| big_int(value), Json::Int))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Json, E> {
        Ok(Json::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Json, E> {
        Ok(Json::from(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Json, E> {
        Ok(Json::from(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut map = JsonMap::with_capacity(access.size_hint().unwrap_or(0).min(4096));
        while let Some((key, value)) = access.next_entry::<String, Json>()? {
            map.insert(key, value);
        }
        Ok(Json::Object(map))
    }
}

fn big_int(value: impl fmt::Display) -> Json {
    Json::BigInt(value.to_string().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        crate::json::parse(text).expect("test JSON parses")
    }

    #[derive(Debug, PartialEq)]
    struct Item {
        sku: String,
        quantity: Option<i64>,
        unit: Option<Option<String>>,
        extra: IndexMap<String, i64>,
    }

    // As the generator writes it.
    impl FromJson for Item {
        fn from_json(value: &Json) -> Result<Self, DeError> {
            let fields = Fields::new(value, "Item", &["sku", "quantity", "unit"])?;
            let (Some(sku), Some(quantity), Some(unit), Some(extra)) = (
                fields.take(0),
                fields.take_or_default(1),
                fields.take_present(2),
                fields.take_rest(),
            ) else {
                return Err(fields.failed());
            };
            Ok(Item {
                sku,
                quantity,
                unit,
                extra,
            })
        }
    }

    #[test]
    fn structs_read_objects_and_sequences() {
        let item: Item = FromJson::from_json(&parse(r#"{"sku": "a", "unit": null, "n": 2}"#))
            .expect("an object fits");
        assert_eq!(
            item,
            Item {
                sku: "a".into(),
                quantity: None,
                unit: Some(None),
                extra: IndexMap::from([("n".to_owned(), 2)]),
            }
        );
        let item = Item::from_json(&parse(r#"["b", 3]"#)).expect("a short list fits");
        assert_eq!(
            (item.sku.as_str(), item.quantity, item.unit),
            ("b", Some(3), None)
        );
    }

    #[test]
    fn struct_errors_are_serde_messages() {
        let message = |text: &str| Item::from_json(&parse(text)).unwrap_err().to_string();
        assert_eq!(message("{}"), "missing field `sku`");
        assert_eq!(
            message(r#"{"sku": 1}"#),
            "invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            message("3"),
            "invalid type: integer `3`, expected struct Item"
        );
        assert_eq!(
            message(r#"["a", 1, "kg", 4]"#),
            "invalid length 4, expected struct Item with 3 elements"
        );
        assert_eq!(
            message("[]"),
            "invalid length 0, expected struct Item with 3 elements"
        );
        let strict = Fields::new(&parse(r#"{"sku": "a", "x": 1}"#), "Item", &["sku"])
            .and_then(Fields::deny_unknown)
            .err()
            .map(|e| e.to_string());
        assert_eq!(strict.as_deref(), Some("unknown field `x`, expected `sku`"));
    }

    #[test]
    fn the_first_field_in_order_names_the_error() {
        let message = |text: &str| Item::from_json(&parse(text)).unwrap_err().to_string();
        // Both `sku` and `quantity` are wrong: `sku` is declared first.
        assert_eq!(
            message(r#"{"sku": 1, "quantity": "x"}"#),
            "invalid type: integer `1`, expected a string"
        );
        assert_eq!(message(r#"{"quantity": "x"}"#), "missing field `sku`");
        // Only a later field is wrong, the earlier ones read fine.
        assert_eq!(
            message(r#"{"sku": "a", "quantity": "x", "unit": 2}"#),
            "invalid type: string \"x\", expected i64"
        );
        // The extra properties are read last.
        assert_eq!(
            message(r#"{"sku": "a", "n": "two"}"#),
            "invalid type: string \"two\", expected i64"
        );
    }

    #[test]
    fn absent_options_are_none_even_when_required() {
        let empty = parse("{}");
        let fields = Fields::new(&empty, "T", &["a"]).expect("an object");
        assert_eq!(fields.required::<Option<i64>>(0), Ok(None));
    }

    #[test]
    fn variants_are_found_by_name() {
        assert_eq!(variant_index(&parse(r#""kg""#), &["piece", "kg"]), Ok(1));
        assert_eq!(
            variant_index(&parse(r#""g""#), &["piece", "kg"])
                .unwrap_err()
                .to_string(),
            "unknown variant `g`, expected `piece` or `kg`"
        );
        assert_eq!(
            no_variant_fits("U").to_string(),
            "data did not match any variant of untagged enum U"
        );
    }

    #[test]
    fn any_input_becomes_a_tree() {
        let value: Json = serde_json::from_str(
            r#"{"a": [1, 18446744073709551615, -2.5, null, "s", true], "a": 2}"#,
        )
        .expect("valid JSON");
        assert_eq!(value, parse(r#"{"a": 2}"#));
        let value: Json = serde_json::from_str("[18446744073709551615]").expect("valid JSON");
        assert_eq!(
            value,
            Json::Array(vec![Json::BigInt("18446744073709551615".into())])
        );
        let item: Result<Item, _> = deserialize_json(&mut serde_json::Deserializer::from_str(
            r#"{"sku": "z", "quantity": 2}"#,
        ));
        assert_eq!(item.ok().and_then(|i| i.quantity), Some(2));
    }
}
