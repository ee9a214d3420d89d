//! Which property tells a channel's messages (or a union's variants) apart.
//!
//! chanx frames are `{"action": <const>, "payload": ...}`: the payload
//! schema of each message holds `properties.action.const`. Other APIs use
//! `type`, `event`, … the same way.

use serde_json::Value;

use crate::ir::schema::TAG_PREFERENCE;
use crate::ir::{TypeKind, TypeRef, TypeSpace};

/// The properties of `ty` (a struct, possibly behind aliases) that hold one
/// fixed string: `const: "x"` or a one-value string `enum`. In field order.
pub fn const_properties(space: &TypeSpace, ty: &TypeRef) -> Vec<(String, String)> {
    let Some(fields) = struct_fields(space, ty, 0) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|f| fixed_string(space, &f.ty).map(|v| (f.name.spec.clone(), v)))
        .collect()
}

fn struct_fields<'s>(
    space: &'s TypeSpace,
    ty: &TypeRef,
    depth: usize,
) -> Option<&'s [crate::ir::Field]> {
    let TypeRef::Named(id) = ty else {
        return None;
    };
    match &space.types.get(*id)?.kind {
        TypeKind::Struct { fields, .. } => Some(fields),
        TypeKind::Alias { target } if depth < 8 => struct_fields(space, target, depth + 1),
        _ => None,
    }
}

fn fixed_string(space: &TypeSpace, ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Const(Value::String(s)) => Some(s.clone()),
        TypeRef::Named(id) => match &space.types.get(*id)?.kind {
            TypeKind::Enum { values } if values.len() == 1 => {
                values[0].value.as_str().map(str::to_string)
            }
            TypeKind::Alias {
                target: TypeRef::Const(Value::String(s)),
            } => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The value of `key` in `consts`, when it is one of them.
pub fn value_of(consts: &[(String, String)], key: &str) -> Option<String> {
    consts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// A property every member holds as a string const, with distinct values;
/// the preferred names first, then any in the first member's field order.
pub fn common_distinct_key(members: &[Vec<(String, String)>]) -> Option<String> {
    let first = members.first()?;
    let candidates = TAG_PREFERENCE
        .iter()
        .map(|s| s.to_string())
        .chain(first.iter().map(|(k, _)| k.clone()));
    for key in candidates {
        let values: Option<Vec<String>> = members.iter().map(|m| value_of(m, &key)).collect();
        let Some(mut values) = values else {
            continue;
        };
        let count = values.len();
        values.sort();
        values.dedup();
        if values.len() == count {
            return Some(key);
        }
    }
    None
}

/// The tag key of one channel, given each message's const properties.
///
/// `forced` (the `--action-key` option or an `x-chanx-action-key`
/// extension) wins. Else `action` when every message has a string const
/// there (chanx may reuse an action in both directions), else a property
/// every message has as a distinct string const, else none.
pub fn channel_tag_key(members: &[Vec<(String, String)>], forced: Option<&str>) -> Option<String> {
    if let Some(key) = forced {
        return Some(key.to_string());
    }
    if members.is_empty() {
        return None;
    }
    if members.iter().all(|m| value_of(m, "action").is_some()) {
        return Some("action".to_string());
    }
    common_distinct_key(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn action_wins_even_when_values_repeat() {
        let members = [
            member(&[("type", "a"), ("action", "chat")]),
            member(&[("type", "b"), ("action", "chat")]),
        ];
        assert_eq!(channel_tag_key(&members, None).as_deref(), Some("action"));
    }

    #[test]
    fn type_is_preferred_over_other_distinct_consts() {
        let members = [
            member(&[("version", "1"), ("type", "open")]),
            member(&[("version", "2"), ("type", "close")]),
        ];
        assert_eq!(channel_tag_key(&members, None).as_deref(), Some("type"));
    }

    #[test]
    fn any_distinct_const_property_is_used_last() {
        let members = [
            member(&[("op", "x"), ("msg", "a")]),
            member(&[("op", "x"), ("msg", "b")]),
        ];
        assert_eq!(channel_tag_key(&members, None).as_deref(), Some("msg"));
    }

    #[test]
    fn repeated_values_or_missing_consts_leave_the_channel_untagged() {
        let repeated = [member(&[("type", "a")]), member(&[("type", "a")])];
        assert_eq!(channel_tag_key(&repeated, None), None);
        let missing = [member(&[("type", "a")]), member(&[])];
        assert_eq!(channel_tag_key(&missing, None), None);
        assert_eq!(channel_tag_key(&[], None), None);
    }

    #[test]
    fn forced_key_overrides_detection() {
        let members = [member(&[("action", "a")]), member(&[("action", "b")])];
        assert_eq!(
            channel_tag_key(&members, Some("kind")).as_deref(),
            Some("kind")
        );
    }
}
