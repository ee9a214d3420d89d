//! Unions: `oneOf` / `anyOf` (a `null` member makes the type nullable; one
//! member left is that member's type), and `type: [a, b]` lists. Variants
//! are named after their types, and a union whose struct variants share a
//! constant property with distinct values is tagged by it.

use crate::load::Members;
use serde_json::{Map, Value};

use super::{SchemaAt, TAG_PREFERENCE, TypeBuilder, wrap};
use crate::diag::Code;
use crate::ir::context::{Context, str_field};
use crate::ir::naming::{Namespace, ident_forms};
use crate::ir::tags;
use crate::ir::{Name, TypeKind, TypeRef, TypeSpace, Variant};
use crate::load::NodeRef;

impl TypeBuilder {
    /// The type of a schema whose members are listed under `key` (`oneOf`
    /// when `exclusive`, else `anyOf`).
    pub(super) fn union_schema(
        &mut self,
        cx: &mut Context<'_>,
        s: SchemaAt<'_>,
        key: &str,
        exclusive: bool,
    ) -> TypeRef {
        let count = s.map.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        if !cx.members(s.node, count, "union variants") {
            return TypeRef::Any;
        }
        let list_node = s.node.child(key);
        let mut nullable = s.nullable;
        let mut members = Vec::new();
        for i in 0..count {
            let member = list_node.child(&i.to_string());
            if is_null_schema(cx, &member) {
                nullable = true;
            } else {
                members.push(member);
            }
        }
        if members.is_empty() {
            return self.finish_inline(cx, s.nullable(false), TypeRef::Null);
        }
        let s = s.nullable(nullable);
        if members.len() == 1 {
            // `anyOf: [T, {type: null}]` is how pydantic writes `Optional[T]`.
            let inner = self.schema(cx, &members[0], s.hint);
            return self.finish_inline(cx, s, inner);
        }
        if s.map.contains_key("properties") {
            cx.warn(
                Code::UnionProperties,
                s.node,
                format!("properties beside `{key}` are not part of the union type; variants should include them (e.g. via allOf)"),
            );
        }
        let id = self.open(cx, &s);
        let union_name = self
            .name_of(id)
            .map(|n| n.pascal.clone())
            .unwrap_or_else(|| s.hint.to_string());
        let declared_tag = discriminator(s.map);

        let mut variants = Vec::new();
        let mut names = Namespace::new();
        for (i, member) in members.iter().enumerate() {
            let member_hint = variant_hint(cx, member, &union_name, declared_tag.as_deref(), i);
            let ty = self.schema(cx, member, &member_hint);
            let name = self.variant_name(&mut names, &ty);
            variants.push(Variant {
                name,
                ty,
                tag_value: None,
            });
        }
        let tag = self.assign_union_tags(&mut variants, declared_tag);
        self.set_kind(
            id,
            TypeKind::Union {
                variants,
                tag,
                exclusive,
            },
        );
        wrap(TypeRef::Named(id), s.nullable)
    }

    /// `type: [string, integer]`: a union of the listed shapes (`null`
    /// already taken out as nullability).
    pub(super) fn type_list_union(
        &mut self,
        cx: &mut Context<'_>,
        s: SchemaAt<'_>,
        types: &[String],
    ) -> TypeRef {
        if !cx.members(s.node, types.len(), "types") {
            return TypeRef::Any;
        }
        let id = self.open(cx, &s);
        let mut variants = Vec::new();
        let mut names = Namespace::new();
        for t in types {
            let hint = format!("{}{}", s.hint, title_word(t));
            let ty = self.typed_shape(cx, &SchemaAt { hint: &hint, ..s }, t);
            let name = self.variant_name(&mut names, &ty);
            variants.push(Variant {
                name,
                ty,
                tag_value: None,
            });
        }
        self.set_kind(
            id,
            TypeKind::Union {
                variants,
                tag: None,
                exclusive: true,
            },
        );
        wrap(TypeRef::Named(id), s.nullable)
    }

    /// Sets each variant's tag value; returns the union's tag property.
    fn assign_union_tags(
        &self,
        variants: &mut [Variant],
        declared: Option<String>,
    ) -> Option<String> {
        let consts: Vec<Vec<(String, String)>> = variants
            .iter()
            .map(|v| tags::const_properties(&self.space, &v.ty))
            .collect();
        let tag = match declared {
            Some(tag) => tag,
            None => {
                let all_structs = variants.iter().all(|v| is_struct(&self.space, &v.ty));
                if !all_structs {
                    return None;
                }
                tags::common_distinct_key(&consts)?
            }
        };
        for (variant, consts) in variants.iter_mut().zip(&consts) {
            variant.tag_value = consts
                .iter()
                .find(|(k, _)| *k == tag)
                .map(|(_, v)| v.clone())
                // AsyncAPI discriminator: without a const, the value is the schema's name.
                .or_else(|| match &variant.ty {
                    TypeRef::Named(id) => self.name_of(*id).map(|n| n.spec.clone()),
                    _ => None,
                });
        }
        Some(tag)
    }

    fn variant_name(&self, names: &mut Namespace, ty: &TypeRef) -> Name {
        match ty {
            TypeRef::Named(id) => match self.name_of(*id) {
                Some(n) => names.claim_forms(&n.spec, n.pascal.clone(), n.snake.clone()),
                None => names.claim("Variant", "Variant", "V"),
            },
            other => {
                let word = self.shape_word(other);
                names.claim(&word, "Variant", "V")
            }
        }
    }

    /// A word for a shape, used to name union variants.
    fn shape_word(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) => self
                .name_of(*id)
                .map(|n| n.pascal.clone())
                .unwrap_or_default(),
            TypeRef::String { .. } => "String".into(),
            TypeRef::Integer { .. } => "Integer".into(),
            TypeRef::Number { .. } => "Number".into(),
            TypeRef::Boolean => "Boolean".into(),
            TypeRef::Null => "Null".into(),
            TypeRef::Any => "Any".into(),
            TypeRef::Const(Value::String(s)) => s.clone(),
            TypeRef::Const(_) => "Const".into(),
            TypeRef::Array(inner) => format!("{}Array", self.shape_word(inner)),
            TypeRef::Map(inner) => format!("{}Map", self.shape_word(inner)),
            TypeRef::Nullable(inner) => format!("Nullable{}", self.shape_word(inner)),
        }
    }
}

fn is_struct(space: &TypeSpace, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(id) => matches!(
            space.types.get(*id).map(|d| &d.kind),
            Some(TypeKind::Struct { .. })
        ),
        _ => false,
    }
}

/// `{type: null}`, `{const: null}`, `{enum: [null]}`.
fn is_null_schema(cx: &mut Context<'_>, node: &NodeRef) -> bool {
    let Ok((_, value)) = cx.value(node) else {
        return false;
    };
    let Some(map) = value.as_object() else {
        return false;
    };
    map.member("type").and_then(Value::as_str) == Some("null")
        || map.member("const") == Some(&Value::Null)
        || map
            .member("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

/// The AsyncAPI `discriminator` (a string), or OpenAPI's `propertyName`.
fn discriminator(map: &Map<String, Value>) -> Option<String> {
    match map.member("discriminator")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => str_field(o, "propertyName"),
        _ => None,
    }
}

/// The name hint of an inline union member: its title, its tag value, or its position.
fn variant_hint(
    cx: &Context<'_>,
    member: &NodeRef,
    union: &str,
    tag: Option<&str>,
    index: usize,
) -> String {
    let map = cx.raw(member).and_then(Value::as_object);
    let word = map.and_then(|m| {
        str_field(m, "title").or_else(|| {
            let props = m.member("properties")?.as_object()?;
            let const_of = |k: &str| props.get(k)?.member("const")?.as_str().map(str::to_string);
            match tag {
                Some(t) => const_of(t),
                None => TAG_PREFERENCE.iter().find_map(|k| const_of(k)),
            }
        })
    });
    let word = word
        .and_then(|w| ident_forms(&w, "V").map(|(p, _)| p))
        .unwrap_or_else(|| format!("Variant{}", index + 1));
    format!("{union}{word}")
}

fn title_word(t: &str) -> String {
    ident_forms(t, "V").map(|(p, _)| p).unwrap_or_default()
}
