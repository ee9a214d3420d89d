//! `allOf`: the object parts merged into one struct; a lone part, or parts
//! that are not objects, stand for their own type.

use crate::load::Members;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::object::ObjectPart;
use super::{SchemaAt, TypeBuilder, wrap};
use crate::diag::Code;
use crate::ir::TypeRef;
use crate::ir::context::Context;
use crate::load::NodeRef;

/// What a walk through nested `allOf`s found.
#[derive(Default)]
struct Parts {
    /// Parts with object keywords, in document order.
    objects: Vec<ObjectPart>,
    /// Parts that are other shapes (`type: string`, unions, enums, …).
    others: Vec<NodeRef>,
    /// Schemas already walked, so a part reached twice counts once.
    visited: HashSet<NodeRef>,
}

impl TypeBuilder {
    /// The type of a schema with an `allOf` of `count` parts.
    pub(super) fn all_of_schema(
        &mut self,
        cx: &mut Context<'_>,
        s: SchemaAt<'_>,
        count: usize,
    ) -> TypeRef {
        let adds_nothing = !["properties", "required", "additionalProperties"]
            .iter()
            .any(|k| s.map.has(k));
        if count == 1 && adds_nothing {
            let inner = self.schema(cx, &s.node.child("allOf").child("0"), s.hint);
            return self.finish_inline(cx, s, inner);
        }
        self.merged_struct(cx, s)
    }

    /// `allOf`: every part's properties merged into one struct.
    fn merged_struct(&mut self, cx: &mut Context<'_>, s: SchemaAt<'_>) -> TypeRef {
        let mut parts = Parts {
            visited: HashSet::from([s.node.clone()]),
            ..Parts::default()
        };
        if has_object_keywords(s.map) {
            parts.objects.push(ObjectPart::new(s.node, s.map));
        }
        flatten_all_of(cx, s.node, s.map, &mut parts);
        if parts.objects.is_empty() {
            // `allOf: [{$ref: X}, {description: …}]` just annotates X.
            if parts.others.len() > 1 {
                cx.warn(
                    Code::AllOfNotObject,
                    s.node,
                    "`allOf` parts are not objects; using the first part's type",
                );
            }
            let first = parts
                .others
                .first()
                .cloned()
                .unwrap_or_else(|| s.node.child("allOf").child("0"));
            let inner = self.schema(cx, &first, s.hint);
            return self.finish_inline(cx, s, inner);
        }
        for other in &parts.others {
            cx.warn(
                Code::AllOfNotObject,
                other,
                "this `allOf` part is not an object; only the object parts are merged",
            );
        }
        let id = self.open(cx, &s);
        let kind = self.struct_kind(cx, id, &parts.objects, s.node);
        self.set_kind(id, kind);
        wrap(TypeRef::Named(id), s.nullable)
    }
}

/// Collects the parts of the `allOf` of `map` (at `node`), and of theirs:
/// depth-first in document order, without recursion (a chain of schemas
/// each `allOf` the next may be as long as the document allows).
fn flatten_all_of(
    cx: &mut Context<'_>,
    node: &NodeRef,
    map: &Map<String, Value>,
    parts: &mut Parts,
) {
    let all_of_len = |map: &Map<String, Value>| {
        map.member("allOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let mut walk: Vec<(NodeRef, usize, usize)> = vec![(node.clone(), all_of_len(map), 0)];
    while let Some((node, count, i)) = walk.last_mut() {
        if *i == *count {
            walk.pop();
            continue;
        }
        let member = node.child("allOf").child(&i.to_string());
        *i += 1;
        let Some((target, value)) = cx.resolve(&member) else {
            continue;
        };
        if !parts.visited.insert(target.clone()) {
            continue;
        }
        let Some(part) = value.as_object() else {
            parts.others.push(member);
            continue;
        };
        if has_object_keywords(part) {
            parts.objects.push(ObjectPart::new(&target, part));
        } else if has_shape_keywords(part) {
            parts.others.push(member);
        }
        walk.push((target, all_of_len(part), 0));
    }
}

/// Whether an `allOf` part describes an object's members (it is merged
/// into the object) rather than another shape.
pub(crate) fn has_object_keywords(map: &Map<String, Value>) -> bool {
    map.has("properties")
        || map.has("required")
        || map.has("additionalProperties")
        || map.member("type").and_then(Value::as_str) == Some("object")
}

/// Whether an `allOf` part that is not an object's members still gives the
/// value a shape of its own (a type, a union, values).
pub(crate) fn has_shape_keywords(map: &Map<String, Value>) -> bool {
    ["type", "oneOf", "anyOf", "enum", "const"]
        .iter()
        .any(|k| map.has(k))
}
