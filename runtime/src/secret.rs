//! `Secret`: what a generated field of `{"type": "string", "format":
//! "password"}` holds (pydantic's `SecretStr` and `SecretBytes`).
//!
//! pydantic writes such a value as `"**********"` (`""` when it is empty)
//! in `model_dump(mode="json")`, so chanx never sends a secret back: a reply,
//! a group message or an event that carries one carries the mask. The
//! server's frame writer does the same ([`masking`] around it); anything
//! else (the generated client sending a message, serde_json, logs of the
//! value through `Serialize`) writes the secret itself, which is what a
//! client must send. `Debug` always shows the mask.

use std::{cell::Cell, fmt};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    from_json::FromJson,
    json::{DeError, Json},
};

/// What pydantic writes in place of a non-empty secret.
pub const SECRET_MASK: &str = "**********";

/// A string a client sends and a server never echoes (see the module docs).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The secret itself, taken out.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// As pydantic shows it: the mask, or `""` for an empty secret.
    fn masked(&self) -> &'static str {
        if self.0.is_empty() { "" } else { SECRET_MASK }
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&self.masked()).finish()
    }
}

thread_local! {
    /// Set while the server writes a frame: secrets are then masked.
    static MASKING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `write` with every [`Secret`] it serializes written as pydantic
/// writes it (the mask). The server's frame writer runs in it.
pub(crate) fn masking<R>(write: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            MASKING.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(MASKING.with(|flag| flag.replace(true)));
    write()
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if MASKING.with(Cell::get) {
            serializer.serialize_str(self.masked())
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl FromJson for Secret {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        String::from_json(value).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_writes_the_mask_and_everything_else_the_secret() {
        let secret = Secret::from("hunter2");
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""hunter2""#);
        assert_eq!(
            masking(|| crate::json::to_string(&secret)).unwrap(),
            r#""**********""#
        );
        // As pydantic: an empty secret is written empty.
        assert_eq!(
            masking(|| crate::json::to_string(&Secret::default())).unwrap(),
            r#""""#
        );
        // The flag does not outlive the write.
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""hunter2""#);
        assert_eq!(format!("{secret:?}"), r#"Secret("**********")"#);
        assert_eq!(secret.expose_secret(), "hunter2");
    }

    #[test]
    fn a_secret_is_read_as_a_string() {
        let json: Json = crate::json::parse(r#""s3cret""#).unwrap();
        assert_eq!(Secret::from_json(&json).unwrap().into_inner(), "s3cret");
        let read: Secret = serde_json::from_str(r#""x""#).unwrap();
        assert_eq!(read.expose_secret(), "x");
    }
}
