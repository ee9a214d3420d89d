//! Avro 1.9 schemas (`application/vnd.apache.avro…`) → the type space.
//!
//! Records become structs, enums enums, `["null", T]` unions nullable
//! fields; logical types are kept as the `format` of their base type.

use std::collections::HashMap;

use serde_json::Value;

use crate::diag::Code;
use crate::ir::context::{Context, kind_of, str_field};
use crate::ir::naming::Namespace;
use crate::ir::schema::{TypeBuilder, wrap};
use crate::ir::{Additional, EnumValue, Field, Name, TypeDef, TypeKind, TypeRef, Variant};
use crate::load::{Members, NodeRef};

/// The type of the Avro schema at `node`.
pub fn avro_type(
    types: &mut TypeBuilder,
    cx: &mut Context<'_>,
    node: &NodeRef,
    hint: &str,
) -> TypeRef {
    let mut avro = Avro {
        named: HashMap::new(),
        depth: 0,
    };
    avro.translate(types, cx, node, hint)
}

struct Avro {
    /// Named types declared so far in this schema, by name and full name.
    named: HashMap<String, TypeRef>,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Avro {
    fn translate(
        &mut self,
        types: &mut TypeBuilder,
        cx: &mut Context<'_>,
        node: &NodeRef,
        hint: &str,
    ) -> TypeRef {
        let Some((node, value)) = cx.resolve(node) else {
            return TypeRef::Any;
        };
        if self.depth >= MAX_DEPTH {
            cx.warn(
                Code::UnsupportedSchema,
                &node,
                "Avro schema nested too deeply; using any value",
            );
            return TypeRef::Any;
        }
        self.depth += 1;
        let ty = match value {
            Value::String(name) => self.by_name(cx, &node, name),
            Value::Array(branches) => self.union(types, cx, &node, branches.len(), hint),
            Value::Object(map) => self.complex(types, cx, &node, map, hint),
            other => {
                cx.warn(
                    Code::UnsupportedSchema,
                    &node,
                    format!(
                        "an Avro schema cannot be {}; using any value",
                        kind_of(other)
                    ),
                );
                TypeRef::Any
            }
        };
        self.depth -= 1;
        ty
    }

    fn by_name(&mut self, cx: &mut Context<'_>, node: &NodeRef, name: &str) -> TypeRef {
        if let Some(ty) = primitive(name, None) {
            return ty;
        }
        let short = name.rsplit('.').next().unwrap_or(name);
        if let Some(ty) = self.named.get(name).or_else(|| self.named.get(short)) {
            return ty.clone();
        }
        cx.warn(
            Code::UnsupportedSchema,
            node,
            format!("unknown Avro type '{name}'; using any value"),
        );
        TypeRef::Any
    }

    fn union(
        &mut self,
        types: &mut TypeBuilder,
        cx: &mut Context<'_>,
        node: &NodeRef,
        count: usize,
        hint: &str,
    ) -> TypeRef {
        let mut nullable = false;
        let mut members = Vec::new();
        for i in 0..count {
            let branch = node.child(&i.to_string());
            if cx.raw(&branch).and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                members.push(branch);
            }
        }
        match members.as_slice() {
            [] => TypeRef::Null,
            [one] => wrap(self.translate(types, cx, one, hint), nullable),
            _ => {
                let id = types.define_named(
                    type_def(
                        cx,
                        node,
                        hint,
                        hint,
                        None,
                        TypeKind::Alias {
                            target: TypeRef::Any,
                        },
                    ),
                    None,
                );
                let mut names = Namespace::new();
                let mut variants = Vec::new();
                for (i, member) in members.iter().enumerate() {
                    let ty = self.translate(types, cx, member, &format!("{hint}Variant{}", i + 1));
                    let word = match &ty {
                        TypeRef::Named(t) => types.name_of(*t).map(|n| n.pascal.clone()),
                        _ => None,
                    }
                    .unwrap_or_else(|| format!("Variant{}", i + 1));
                    let name = names.claim(&word, "Variant", "V");
                    variants.push(Variant {
                        name,
                        ty,
                        tag_value: None,
                    });
                }
                types.set_kind(
                    id,
                    TypeKind::Union {
                        variants,
                        tag: None,
                        exclusive: true,
                    },
                );
                wrap(TypeRef::Named(id), nullable)
            }
        }
    }

    fn complex(
        &mut self,
        types: &mut TypeBuilder,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &serde_json::Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        if let Some(found) = types.cached(node) {
            return found.clone();
        }
        let logical = str_field(map, "logicalType");
        match map.member("type") {
            Some(Value::String(t)) => match t.as_str() {
                "record" | "error" => self.record(types, cx, node, map, hint),
                "enum" => self.enumeration(types, cx, node, map, hint),
                "array" => {
                    let item =
                        self.translate(types, cx, &node.child("items"), &format!("{hint}Item"));
                    TypeRef::Array(Box::new(item))
                }
                "map" => {
                    let value =
                        self.translate(types, cx, &node.child("values"), &format!("{hint}Value"));
                    TypeRef::Map(Box::new(value))
                }
                "fixed" => TypeRef::String {
                    format: Some(logical.unwrap_or_else(|| "fixed".into())),
                },
                other => primitive(other, logical).unwrap_or_else(|| self.by_name(cx, node, other)),
            },
            Some(Value::Array(_)) | Some(Value::Object(_)) => {
                self.translate(types, cx, &node.child("type"), hint)
            }
            _ => {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    "Avro schema without a `type`; using any value",
                );
                TypeRef::Any
            }
        }
    }

    fn record(
        &mut self,
        types: &mut TypeBuilder,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &serde_json::Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        let spec = str_field(map, "name").unwrap_or_else(|| hint.to_string());
        let def = type_def(
            cx,
            node,
            &spec,
            hint,
            str_field(map, "doc"),
            TypeKind::Alias {
                target: TypeRef::Any,
            },
        );
        let id = types.define_named(def, Some(node.clone()));
        self.declare(map, TypeRef::Named(id));
        let owner = types
            .name_of(id)
            .map(|n| n.pascal.clone())
            .unwrap_or_default();
        let mut names = Namespace::new();
        let mut fields = Vec::new();
        let count = map
            .get("fields")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..count {
            let field_node = node.child("fields").child(&i.to_string());
            let Some(field) = cx.raw(&field_node).and_then(Value::as_object) else {
                cx.warn(
                    Code::UnsupportedSchema,
                    &field_node,
                    "Avro field is not an object",
                );
                continue;
            };
            let wire = str_field(field, "name").unwrap_or_default();
            let name = names.claim(&wire, &format!("Field{}", i + 1), "N");
            let ty = self.translate(
                types,
                cx,
                &field_node.child("type"),
                &format!("{owner}{}", name.pascal),
            );
            fields.push(Field {
                name,
                ty,
                // Avro readers fill a missing field from its default.
                required: !field.has("default"),
                description: str_field(field, "doc"),
                default: field.get("default").cloned(),
                deprecated: false,
            });
        }
        types.set_kind(
            id,
            TypeKind::Struct {
                fields,
                additional: Additional::Forbidden,
            },
        );
        TypeRef::Named(id)
    }

    fn enumeration(
        &mut self,
        types: &mut TypeBuilder,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &serde_json::Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        let spec = str_field(map, "name").unwrap_or_else(|| hint.to_string());
        let mut names = Namespace::new();
        let values = map
            .get("symbols")
            .and_then(Value::as_array)
            .map(|symbols| {
                symbols
                    .iter()
                    .filter_map(Value::as_str)
                    .enumerate()
                    .map(|(i, s)| EnumValue {
                        name: names.claim(s, &format!("Value{}", i + 1), "V"),
                        value: Value::String(s.to_string()),
                        description: None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let def = type_def(
            cx,
            node,
            &spec,
            hint,
            str_field(map, "doc"),
            TypeKind::Enum { values },
        );
        let id = types.define_named(def, Some(node.clone()));
        self.declare(map, TypeRef::Named(id));
        TypeRef::Named(id)
    }

    fn declare(&mut self, map: &serde_json::Map<String, Value>, ty: TypeRef) {
        if let Some(name) = str_field(map, "name") {
            if let Some(ns) = str_field(map, "namespace") {
                self.named.insert(format!("{ns}.{name}"), ty.clone());
            }
            self.named.insert(name, ty);
        }
    }
}

fn type_def(
    cx: &Context<'_>,
    node: &NodeRef,
    spec: &str,
    hint: &str,
    doc: Option<String>,
    kind: TypeKind,
) -> TypeDef {
    TypeDef {
        id: 0,
        name: Name {
            spec: spec.to_string(),
            pascal: hint.to_string(),
            snake: String::new(),
        },
        title: None,
        description: doc,
        kind,
        default: None,
        examples: Vec::new(),
        origin: cx.origin(node),
    }
}

/// An Avro primitive; integers keep their width as the format unless a
/// logical type says more (`timestamp-millis`, `date`, …).
fn primitive(name: &str, logical: Option<String>) -> Option<TypeRef> {
    Some(match name {
        "null" => TypeRef::Null,
        "boolean" => TypeRef::Boolean,
        "int" => TypeRef::Integer {
            format: Some(logical.unwrap_or_else(|| "int32".into())),
        },
        "long" => TypeRef::Integer {
            format: Some(logical.unwrap_or_else(|| "int64".into())),
        },
        "float" => TypeRef::Number {
            format: Some(logical.unwrap_or_else(|| "float".into())),
        },
        "double" => TypeRef::Number {
            format: Some(logical.unwrap_or_else(|| "double".into())),
        },
        "bytes" => TypeRef::String {
            format: Some(logical.unwrap_or_else(|| "bytes".into())),
        },
        "string" => TypeRef::String { format: logical },
        _ => return None,
    })
}
