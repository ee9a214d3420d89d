//! String constants as types: what a generated tag field (`action: "ping"`)
//! holds.
//!
//! One generic type with its impls written once here, instead of a unit
//! struct per constant with ten impls of its own: a generated module pays
//! for a constant with one empty enum and one associated `const`, and
//! `cargo check` has no function bodies to check for it.

use std::{fmt, hash, marker::PhantomData};

use serde::{Deserializer, Serializer};

use crate::{
    from_json::FromJson,
    json::{DeError, Json},
};

/// The string a [`ConstStr`] stands for. Generated code implements it on
/// an empty enum per constant.
pub trait ConstStrValue: 'static {
    /// The constant as written on the wire.
    const VALUE: &'static str;
}

/// A string constant: serializes as exactly `V::VALUE`, accepts only that
/// string, and is its own default (so a message built in Rust always
/// carries its tag). Generated code names it per constant
/// (`pub type PingMessageAction = ConstStr<…>;`).
pub struct ConstStr<V>(PhantomData<fn() -> V>);

impl<V> ConstStr<V> {
    /// The constant (it has only one value).
    pub const fn new() -> Self {
        ConstStr(PhantomData)
    }
}

impl<V: ConstStrValue> ConstStr<V> {
    /// The constant as written on the wire.
    pub const VALUE: &'static str = V::VALUE;
}

impl<V> Default for ConstStr<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Clone for ConstStr<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for ConstStr<V> {}

impl<V> PartialEq for ConstStr<V> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<V> Eq for ConstStr<V> {}

impl<V> hash::Hash for ConstStr<V> {
    fn hash<H: hash::Hasher>(&self, _: &mut H) {}
}

impl<V: ConstStrValue> fmt::Debug for ConstStr<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConstStr").field(&V::VALUE).finish()
    }
}

impl<V: ConstStrValue> serde::Serialize for ConstStr<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(V::VALUE)
    }
}

impl<'de, V: ConstStrValue> serde::Deserialize<'de> for ConstStr<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::decode::const_str(deserializer, V::VALUE).map(|()| Self::new())
    }
}

impl<V: ConstStrValue> FromJson for ConstStr<V> {
    fn from_json(value: &Json) -> Result<Self, DeError> {
        crate::decode::const_str(value, V::VALUE).map(|()| Self::new())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    enum Ping {}
    impl ConstStrValue for Ping {
        const VALUE: &'static str = "ping";
    }
    type PingAction = ConstStr<Ping>;

    #[test]
    fn a_constant_reads_and_writes_only_its_string() {
        assert_eq!(PingAction::VALUE, "ping");
        assert_eq!(
            serde_json::to_string(&PingAction::new()).unwrap(),
            r#""ping""#
        );
        assert!(serde_json::from_value::<PingAction>(json!("ping")).is_ok());
        let error = serde_json::from_value::<PingAction>(json!("pong")).unwrap_err();
        assert!(error.to_string().contains("'ping'"), "{error}");
        assert!(serde_json::from_value::<PingAction>(json!(1)).is_err());
        assert!(PingAction::from_json(&Json::from(json!("ping"))).is_ok());
        assert!(PingAction::from_json(&Json::from(json!("pong"))).is_err());
        assert!(PingAction::from_json(&Json::from(json!(null))).is_err());
        assert_eq!(
            format!("{:?}", PingAction::default()),
            r#"ConstStr("ping")"#
        );
        assert_eq!(PingAction::new(), PingAction::default());
    }
}
