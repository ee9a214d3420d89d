//! Writing a generated struct through serde with one short `Serialize`
//! impl per type.
//!
//! A derived `Serialize` matches every field's result with `?`; type
//! checking those is a large share of `cargo check` on a generated module.
//! [`StructWriter`] keeps the first error instead, so the generated impl is
//! one plain call per field. What the serializer sees is what the derive
//! does: `serialize_struct` with the count of written fields, each field or
//! `skip_field`, then `end`.

use serde::ser::{SerializeStruct, Serializer};

/// A struct being written.
pub struct StructWriter<S: Serializer> {
    state: Result<S::SerializeStruct, S::Error>,
}

impl<S: Serializer> StructWriter<S> {
    /// Starts struct `name` with `len` fields to write.
    pub fn new(serializer: S, name: &'static str, len: usize) -> Self {
        StructWriter {
            state: serializer.serialize_struct(name, len),
        }
    }

    /// Writes a field (nothing after an error).
    pub fn field<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Ok(state) = &mut self.state
            && let Err(error) = state.serialize_field(key, value)
        {
            self.state = Err(error);
        }
    }

    /// Writes an optional field when it is `Some` and skips it otherwise
    /// (`skip_serializing_if = "Option::is_none"`).
    pub fn optional<T: serde::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if value.is_some() {
            self.field(key, value);
        } else if let Ok(state) = &mut self.state
            && let Err(error) = state.skip_field(key)
        {
            self.state = Err(error);
        }
    }

    /// Ends the struct, or returns the first error.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.state?.end()
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    struct Item {
        sku: String,
        quantity: Option<i64>,
        note: Option<Option<String>>,
    }

    impl Serialize for Item {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let len = 1 + usize::from(self.quantity.is_some()) + usize::from(self.note.is_some());
            let mut out = StructWriter::new(serializer, "Item", len);
            out.field("sku", &self.sku);
            out.optional("quantity", &self.quantity);
            out.optional("note", &self.note);
            out.end()
        }
    }

    #[test]
    fn absent_options_are_skipped_and_null_is_kept() {
        let item = Item {
            sku: "a".into(),
            quantity: None,
            note: Some(None),
        };
        assert_eq!(
            serde_json::to_string(&item).expect("serializes"),
            r#"{"sku":"a","note":null}"#
        );
        let item = Item {
            sku: "b".into(),
            quantity: Some(2),
            note: None,
        };
        assert_eq!(
            serde_json::to_string(&item).expect("serializes"),
            r#"{"sku":"b","quantity":2}"#
        );
    }

    #[test]
    fn the_first_error_is_returned() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("first"))
            }
        }
        struct Pair;
        impl Serialize for Pair {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut out = StructWriter::new(serializer, "Pair", 2);
                out.field("a", &Fails);
                out.field("b", &1);
                out.end()
            }
        }
        let error = serde_json::to_string(&Pair).expect_err("a field fails");
        assert_eq!(error.to_string(), "first");
    }
}
