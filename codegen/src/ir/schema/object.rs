//! Object schemas as structs: the properties of one schema, or of every
//! `allOf` part merged (see [`super::all_of`]).

use crate::load::Members;
use foldhash::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::TypeBuilder;
use crate::ir::context::{Context, str_field};
use crate::ir::naming::{Namespace, ident_forms};
use crate::ir::{Additional, Field, TypeId, TypeKind, TypeRef};
use crate::load::NodeRef;

/// One `allOf` member (or the schema itself) that contributes properties.
pub(super) struct ObjectPart {
    node: NodeRef,
    required: Vec<String>,
}

impl ObjectPart {
    pub(super) fn new(node: &NodeRef, map: &Map<String, Value>) -> Self {
        let required = map
            .member("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        ObjectPart {
            node: node.clone(),
            required,
        }
    }
}

impl TypeBuilder {
    /// The struct made of `parts` (one schema, or every `allOf` part).
    pub(super) fn struct_kind(
        &mut self,
        cx: &mut Context<'_>,
        id: TypeId,
        parts: &[ObjectPart],
        own_node: &NodeRef,
    ) -> TypeKind {
        let owner = self
            .name_of(id)
            .map(|n| n.pascal.clone())
            .unwrap_or_default();
        // Counted before they are merged: each `allOf` that names a schema copies its members.
        let count: usize = parts
            .iter()
            .map(|part| {
                part.required.len()
                    + cx.value(&part.node.child("properties"))
                        .ok()
                        .and_then(|(_, v)| v.as_object())
                        .map_or(0, Map::len)
            })
            .sum();
        if !cx.members(own_node, count, "properties and required names") {
            return TypeKind::Struct {
                fields: Vec::new(),
                additional: Additional::Unset,
            };
        }
        // Property name → node; a later part's definition replaces an earlier one in place.
        let properties: Vec<(String, NodeRef)> = match parts {
            // One object's keys are already distinct.
            [part] => cx.entries(&part.node.child("properties")),
            _ => {
                let mut properties: Vec<(String, NodeRef)> = Vec::with_capacity(count);
                // Where each property is in `properties` (a schema may have many).
                let mut index: HashMap<String, usize> =
                    HashMap::with_capacity_and_hasher(count, Default::default());
                for part in parts {
                    for (name, prop) in cx.entries(&part.node.child("properties")) {
                        match index.get(&name) {
                            Some(&i) => properties[i].1 = prop,
                            None => {
                                index.insert(name.clone(), properties.len());
                                properties.push((name, prop));
                            }
                        }
                    }
                }
                properties
            }
        };
        let required = Required::of(parts);
        let mut names = Namespace::new();
        names.reserve_capacity(properties.len());
        let mut fields = Vec::with_capacity(properties.len());
        for (i, (wire, prop)) in properties.iter().enumerate() {
            let raw = cx.raw(prop).and_then(Value::as_object);
            // A name with nothing identifier-like falls back to the
            // property's title (worked out only then: most names are).
            let forms = match self.field_forms.get(wire.as_str()) {
                Some(forms) => forms.clone(),
                None => {
                    let forms = ident_forms(wire, "N");
                    self.field_forms.insert(wire.as_str().into(), forms.clone());
                    forms
                }
            };
            let name = match forms {
                Some((pascal, snake)) => names.claim_forms(wire, pascal, snake),
                None => {
                    let fallback = raw
                        .and_then(|m| str_field(m, "title"))
                        .unwrap_or_else(|| format!("Field{}", i + 1));
                    names.claim(wire, &fallback, "N")
                }
            };
            let ty = self.schema(cx, prop, &[owner.as_str(), name.pascal.as_str()].concat());
            let field_str = |key: &str| raw.and_then(|m| str_field(m, key));
            fields.push(Field {
                required: required.contains(wire),
                description: field_str("description"),
                default: raw.and_then(|m| m.member("default").cloned()),
                deprecated: raw.and_then(|m| m.member("deprecated")) == Some(&Value::Bool(true)),
                name,
                ty,
            });
        }
        // The schema's own `additionalProperties` wins over its parts'.
        let additional_at = std::iter::once(own_node.clone())
            .chain(parts.iter().rev().map(|p| p.node.clone()))
            .map(|n| n.child("additionalProperties"))
            .find(|n| cx.raw(n).is_some());
        let additional = match additional_at {
            None => Additional::Unset,
            Some(at) => match cx.raw(&at) {
                None => Additional::Unset,
                Some(Value::Bool(false)) => Additional::Forbidden,
                Some(Value::Bool(true)) => Additional::Allowed(TypeRef::Any),
                Some(_) => Additional::Allowed(self.schema(cx, &at, &format!("{owner}Additional"))),
            },
        };
        TypeKind::Struct { fields, additional }
    }
}

/// The required property names of every part.
enum Required<'p> {
    /// A few, looked through in turn: most objects require a handful.
    Few(Vec<&'p str>),
    Many(HashSet<&'p str>),
}

impl<'p> Required<'p> {
    /// Up to this many names are looked through rather than hashed.
    const FEW: usize = 16;

    fn of(parts: &'p [ObjectPart]) -> Self {
        let names = parts
            .iter()
            .flat_map(|part| part.required.iter().map(String::as_str));
        if parts.iter().map(|part| part.required.len()).sum::<usize>() <= Self::FEW {
            Required::Few(names.collect())
        } else {
            Required::Many(names.collect())
        }
    }

    fn contains(&self, name: &str) -> bool {
        match self {
            Required::Few(names) => names.contains(&name),
            Required::Many(names) => names.contains(name),
        }
    }
}

/// Whether an object schema is a struct rather than a map.
pub(super) fn needs_struct(map: &Map<String, Value>) -> bool {
    let has_properties = map
        .member("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_properties || map.member("additionalProperties") == Some(&Value::Bool(false))
}
