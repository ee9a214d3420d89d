//! JSON Schema (AsyncAPI, any draft, OpenAPI 3.0) → the type space.
//!
//! Objects, enums, unions and component schemas become named [`TypeDef`]s,
//! keyed by their resolved node so a schema reached twice (or recursively)
//! is one type. Everything else stays an inline [`TypeRef`].

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::diag::Code;
use crate::ir::context::{Context, kind_of, last_token, str_field};
use crate::ir::naming::Namespace;
use crate::ir::tags;
use crate::ir::{EnumValue, Field, Name, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace, Variant};
use crate::load::NodeRef;

/// Deepest nesting of inline schemas followed before giving up.
const MAX_INLINE_DEPTH: usize = 64;

/// The preferred union tag properties, most likely first.
pub const TAG_PREFERENCE: [&str; 6] = ["action", "type", "event", "kind", "method", "op"];

/// Builds the type space; one per document.
#[derive(Default)]
pub struct TypeBuilder {
    pub space: TypeSpace,
    names: Namespace,
    /// Component names claimed up front so they win over path-derived names.
    reserved: HashMap<NodeRef, Name>,
    /// Finished (or in-progress named) schemas by resolved node.
    cache: HashMap<NodeRef, TypeRef>,
    /// Schemas being built, to stop inline cycles.
    stack: Vec<NodeRef>,
}

/// One `allOf` member (or the schema itself) that contributes properties.
struct ObjectPart {
    node: NodeRef,
    required: Vec<String>,
}

impl ObjectPart {
    fn new(node: &NodeRef, map: &Map<String, Value>) -> Self {
        let required = map
            .get("required")
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
    /// Claims `key` as the type name of the schema at `node` before anything
    /// else is named, so a component keeps its own name.
    pub fn reserve(&mut self, node: NodeRef, key: &str) {
        if self.reserved.contains_key(&node) {
            return;
        }
        let name = self.names.claim(key, "Schema", "N");
        self.reserved.insert(node, name);
    }

    /// The type of the schema at `node`; `hint` is the path-derived name
    /// (PascalCase) used if the schema needs a name and has none of its own.
    pub fn schema(&mut self, cx: &mut Context<'_>, node: &NodeRef, hint: &str) -> TypeRef {
        let Some((target, value)) = cx.resolve(node) else {
            return TypeRef::Any;
        };
        if let Some(found) = self.cache.get(&target) {
            return found.clone();
        }
        if self.stack.contains(&target) || self.stack.len() >= MAX_INLINE_DEPTH {
            cx.warn(
                Code::SchemaCycle,
                &target,
                "schema refers to itself without a named type in between; using any value",
            );
            return TypeRef::Any;
        }
        let map = match value {
            Value::Object(map) => map,
            Value::Bool(true) => return TypeRef::Any,
            Value::Bool(false) => {
                cx.warn(
                    Code::UnsupportedSchema,
                    &target,
                    "`false` schema (no value is valid) is modelled as any value",
                );
                return TypeRef::Any;
            }
            other => {
                cx.warn(
                    Code::UnsupportedSchema,
                    &target,
                    format!(
                        "expected a schema object, found {}; using any value",
                        kind_of(other)
                    ),
                );
                return TypeRef::Any;
            }
        };
        self.stack.push(target.clone());
        let ty = self.object_schema(cx, &target, map, hint);
        self.stack.pop();
        self.cache.insert(target, ty.clone());
        ty
    }

    /// Allocates a named type for `node` (placeholder kind) and returns its id.
    pub fn define(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
    ) -> TypeId {
        let name = match self.reserved.remove(node) {
            Some(name) => name,
            None => {
                let spec = spec_name(cx, node, map, hint);
                self.names.claim(&spec, hint, "N")
            }
        };
        let id = self.space.types.len();
        let examples = match (map.get("examples"), map.get("example")) {
            (Some(Value::Array(items)), _) => items.clone(),
            (_, Some(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        self.space.types.push(TypeDef {
            id,
            name,
            title: str_field(map, "title"),
            description: str_field(map, "description"),
            kind: TypeKind::Alias {
                target: TypeRef::Any,
            },
            default: map.get("default").cloned(),
            examples,
            origin: cx.origin(node),
        });
        id
    }

    /// A named type built outside this module (Avro records and enums).
    pub fn define_named(&mut self, def: TypeDef, node: Option<NodeRef>) -> TypeId {
        let id = self.space.types.len();
        let mut def = def;
        def.id = id;
        def.name = self.names.claim(&def.name.spec, &def.name.pascal, "N");
        self.space.types.push(def);
        if let Some(node) = node {
            self.cache.insert(node, TypeRef::Named(id));
        }
        id
    }

    pub fn set_kind(&mut self, id: TypeId, kind: TypeKind) {
        if let Some(def) = self.space.types.get_mut(id) {
            def.kind = kind;
        }
    }

    pub fn cached(&self, node: &NodeRef) -> Option<&TypeRef> {
        self.cache.get(node)
    }

    pub fn name_of(&self, id: TypeId) -> Option<&Name> {
        self.space.types.get(id).map(|d| &d.name)
    }

    fn object_schema(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        let component = is_component(node);
        let mut nullable = map.get("nullable") == Some(&Value::Bool(true));

        if let Some(value) = map.get("const") {
            let ty = if value.is_null() {
                TypeRef::Null
            } else {
                TypeRef::Const(value.clone())
            };
            return self.finish_inline(cx, node, map, hint, component, ty, false);
        }

        if let Some(values) = map.get("enum") {
            let Some(values) = values.as_array() else {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    "`enum` is not an array; using any value",
                );
                return TypeRef::Any;
            };
            let non_null: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
            nullable |= non_null.len() < values.len();
            if non_null.is_empty() {
                return self.finish_inline(cx, node, map, hint, component, TypeRef::Null, false);
            }
            let id = self.define(cx, node, map, hint);
            self.cache
                .insert(node.clone(), wrap(TypeRef::Named(id), nullable));
            let kind = self.enum_kind(&non_null, map);
            self.set_kind(id, kind);
            return wrap(TypeRef::Named(id), nullable);
        }

        let one_of = map.get("oneOf").and_then(Value::as_array);
        let any_of = map.get("anyOf").and_then(Value::as_array);
        if let Some((list, key, exclusive)) = match (one_of, any_of) {
            (Some(l), _) => Some((l, "oneOf", true)),
            (None, Some(l)) => Some((l, "anyOf", false)),
            _ => None,
        } {
            if one_of.is_some() && any_of.is_some() {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    "both `oneOf` and `anyOf`: only `oneOf` is modelled",
                );
            }
            return self.union_schema(
                cx,
                node,
                map,
                hint,
                component,
                list.len(),
                key,
                exclusive,
                nullable,
            );
        }

        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            let adds_nothing = !["properties", "required", "additionalProperties"]
                .iter()
                .any(|k| map.contains_key(*k));
            if parts.len() == 1 && adds_nothing {
                let inner = self.schema(cx, &node.child("allOf").child("0"), hint);
                return self.finish_inline(cx, node, map, hint, component, inner, nullable);
            }
            return self.merged_struct(cx, node, map, hint, nullable);
        }

        let mut types: Vec<String> = match map.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if types.len() > 1 && types.iter().any(|t| t == "null") {
            types.retain(|t| t != "null");
            nullable = true;
        }
        if types.is_empty() {
            if map.contains_key("properties") || map.contains_key("additionalProperties") {
                types.push("object".into());
            } else if map.contains_key("items") {
                types.push("array".into());
            }
        }
        match types.as_slice() {
            [] => self.finish_inline(cx, node, map, hint, component, TypeRef::Any, false),
            [one] => self.typed(cx, node, map, hint, component, one, nullable),
            several => {
                // `type: [string, integer]`: a union of the listed shapes.
                let id = self.define(cx, node, map, hint);
                self.cache
                    .insert(node.clone(), wrap(TypeRef::Named(id), nullable));
                let mut variants = Vec::new();
                let mut names = Namespace::new();
                for t in several {
                    let ty =
                        self.typed_shape(cx, node, map, &format!("{hint}{}", title_word(t)), t);
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
                wrap(TypeRef::Named(id), nullable)
            }
        }
    }

    /// One `type`: objects with properties become structs, the rest stays inline.
    #[allow(clippy::too_many_arguments)]
    fn typed(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
        component: bool,
        ty: &str,
        nullable: bool,
    ) -> TypeRef {
        if ty == "object" && needs_struct(map) {
            let id = self.define(cx, node, map, hint);
            self.cache
                .insert(node.clone(), wrap(TypeRef::Named(id), nullable));
            let parts = vec![ObjectPart::new(node, map)];
            let kind = self.struct_kind(cx, id, &parts, node);
            self.set_kind(id, kind);
            return wrap(TypeRef::Named(id), nullable);
        }
        if component {
            // Allocate first: an array component may contain itself.
            let id = self.define(cx, node, map, hint);
            self.cache
                .insert(node.clone(), wrap(TypeRef::Named(id), false));
            let shape = self.typed_shape(cx, node, map, hint, ty);
            self.set_kind(
                id,
                TypeKind::Alias {
                    target: wrap(shape, nullable),
                },
            );
            return TypeRef::Named(id);
        }
        wrap(self.typed_shape(cx, node, map, hint, ty), nullable)
    }

    /// The inline shape of a schema with one `type`.
    fn typed_shape(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
        ty: &str,
    ) -> TypeRef {
        let format = str_field(map, "format");
        match ty {
            "string" => TypeRef::String { format },
            "integer" => TypeRef::Integer { format },
            "number" => TypeRef::Number { format },
            "boolean" => TypeRef::Boolean,
            "null" => TypeRef::Null,
            "array" => self.array_shape(cx, node, map, hint),
            "object" => {
                if needs_struct(map) {
                    // Reached only for `type: [object, …]` unions.
                    let id = self.define(cx, node, map, hint);
                    let parts = vec![ObjectPart::new(node, map)];
                    let kind = self.struct_kind(cx, id, &parts, node);
                    self.set_kind(id, kind);
                    return TypeRef::Named(id);
                }
                match map.get("additionalProperties") {
                    Some(Value::Object(_)) => {
                        let value = self.schema(
                            cx,
                            &node.child("additionalProperties"),
                            &format!("{hint}Value"),
                        );
                        TypeRef::Map(Box::new(value))
                    }
                    _ => TypeRef::Map(Box::new(TypeRef::Any)),
                }
            }
            other => {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    format!("unknown type '{other}'; using any value"),
                );
                TypeRef::Any
            }
        }
    }

    fn array_shape(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        if map.contains_key("prefixItems") {
            cx.warn(
                Code::UnsupportedSchema,
                node,
                "`prefixItems` (tuples) are modelled as arrays of any value",
            );
            return TypeRef::Array(Box::new(TypeRef::Any));
        }
        match map.get("items") {
            Some(Value::Object(_)) | Some(Value::Bool(_)) => {
                let item = self.schema(cx, &node.child("items"), &format!("{hint}Item"));
                TypeRef::Array(Box::new(item))
            }
            Some(Value::Array(_)) => {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    "tuple `items` are modelled as arrays of any value",
                );
                TypeRef::Array(Box::new(TypeRef::Any))
            }
            _ => TypeRef::Array(Box::new(TypeRef::Any)),
        }
    }

    /// An inline shape; a component schema still gets a name (an alias).
    #[allow(clippy::too_many_arguments)]
    fn finish_inline(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
        component: bool,
        ty: TypeRef,
        nullable: bool,
    ) -> TypeRef {
        let ty = wrap(ty, nullable);
        if !component {
            return ty;
        }
        let id = self.define(cx, node, map, hint);
        self.set_kind(id, TypeKind::Alias { target: ty });
        TypeRef::Named(id)
    }

    fn enum_kind(&mut self, values: &[Value], map: &Map<String, Value>) -> TypeKind {
        let descriptions = map.get("x-enum-descriptions").and_then(Value::as_array);
        let mut names = Namespace::new();
        let values = values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let spec = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let fallback = if spec.is_empty() {
                    "Empty".to_string()
                } else {
                    format!("Value{}", i + 1)
                };
                let name = match value {
                    Value::Number(_) => {
                        // `1.5` → `V1_5`, `-1` → `VMinus1`: the sign is a word.
                        let words = spec.replace('-', "minus ").replace('.', "_");
                        let forms = crate::ir::naming::ident_forms(&words, "V")
                            .unwrap_or_else(|| (fallback.clone(), fallback.to_lowercase()));
                        names.claim_forms(&spec, forms.0, forms.1)
                    }
                    _ => names.claim(&spec, &fallback, "V"),
                };
                EnumValue {
                    name,
                    value: value.clone(),
                    description: descriptions
                        .and_then(|d| d.get(i))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                }
            })
            .collect();
        TypeKind::Enum { values }
    }

    #[allow(clippy::too_many_arguments)]
    fn union_schema(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
        component: bool,
        count: usize,
        key: &str,
        exclusive: bool,
        mut nullable: bool,
    ) -> TypeRef {
        let list_node = node.child(key);
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
            return self.finish_inline(cx, node, map, hint, component, TypeRef::Null, false);
        }
        if members.len() == 1 {
            // `anyOf: [T, {type: null}]` is how pydantic writes `Optional[T]`.
            let inner = self.schema(cx, &members[0], hint);
            return self.finish_inline(cx, node, map, hint, component, inner, nullable);
        }
        if map.contains_key("properties") {
            cx.warn(
                Code::UnionProperties,
                node,
                format!("properties beside `{key}` are not part of the union type; variants should include them (e.g. via allOf)"),
            );
        }
        let id = self.define(cx, node, map, hint);
        self.cache
            .insert(node.clone(), wrap(TypeRef::Named(id), nullable));
        let union_name = self
            .name_of(id)
            .map(|n| n.pascal.clone())
            .unwrap_or_else(|| hint.to_string());
        let declared_tag = discriminator(map);

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
        wrap(TypeRef::Named(id), nullable)
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

    /// `allOf`: every part's properties merged into one struct.
    fn merged_struct(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
        nullable: bool,
    ) -> TypeRef {
        let mut parts = Vec::new();
        let mut others = Vec::new();
        let mut visited = vec![node.clone()];
        if has_object_keywords(map) {
            parts.push(ObjectPart::new(node, map));
        }
        self.flatten_all_of(cx, node, map, &mut parts, &mut others, &mut visited);
        if parts.is_empty() {
            // `allOf: [{$ref: X}, {description: …}]` just annotates X.
            if others.len() > 1 {
                cx.warn(
                    Code::AllOfNotObject,
                    node,
                    "`allOf` parts are not objects; using the first part's type",
                );
            }
            let first = others
                .first()
                .cloned()
                .unwrap_or_else(|| node.child("allOf").child("0"));
            let inner = self.schema(cx, &first, hint);
            return self.finish_inline(cx, node, map, hint, is_component(node), inner, nullable);
        }
        for other in &others {
            cx.warn(
                Code::AllOfNotObject,
                other,
                "this `allOf` part is not an object; only the object parts are merged",
            );
        }
        let id = self.define(cx, node, map, hint);
        self.cache
            .insert(node.clone(), wrap(TypeRef::Named(id), nullable));
        let kind = self.struct_kind(cx, id, &parts, node);
        self.set_kind(id, kind);
        wrap(TypeRef::Named(id), nullable)
    }

    fn flatten_all_of(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        parts: &mut Vec<ObjectPart>,
        others: &mut Vec<NodeRef>,
        visited: &mut Vec<NodeRef>,
    ) {
        let Some(list) = map.get("allOf").and_then(Value::as_array) else {
            return;
        };
        for i in 0..list.len() {
            let member = node.child("allOf").child(&i.to_string());
            let Some((target, value)) = cx.resolve(&member) else {
                continue;
            };
            if visited.contains(&target) {
                continue;
            }
            visited.push(target.clone());
            let Some(part) = value.as_object() else {
                others.push(member);
                continue;
            };
            if has_object_keywords(part) {
                parts.push(ObjectPart::new(&target, part));
            } else if part.contains_key("type")
                || part.contains_key("oneOf")
                || part.contains_key("anyOf")
                || part.contains_key("enum")
                || part.contains_key("const")
            {
                others.push(member);
            }
            self.flatten_all_of(cx, &target, part, parts, others, visited);
        }
    }

    /// The struct made of `parts` (one schema, or every `allOf` part).
    fn struct_kind(
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
        // Property name → node; a later part's definition replaces an earlier one in place.
        let mut properties: Vec<(String, NodeRef)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        for part in parts {
            for (name, prop) in cx.entries(&part.node.child("properties")) {
                match properties.iter_mut().find(|(n, _)| *n == name) {
                    Some(existing) => existing.1 = prop,
                    None => properties.push((name, prop)),
                }
            }
            required.extend(part.required.iter().cloned());
        }
        let mut names = Namespace::new();
        let mut fields = Vec::new();
        for (i, (wire, prop)) in properties.iter().enumerate() {
            let raw = cx.doc.raw(prop).and_then(Value::as_object);
            // A name with nothing identifier-like falls back to the property's title.
            let fallback = raw
                .and_then(|m| str_field(m, "title"))
                .unwrap_or_else(|| format!("Field{}", i + 1));
            let name = names.claim(wire, &fallback, "N");
            let ty = self.schema(cx, prop, &format!("{owner}{}", name.pascal));
            let field_str = |key: &str| raw.and_then(|m| str_field(m, key));
            fields.push(Field {
                required: required.contains(wire),
                description: field_str("description"),
                default: raw.and_then(|m| m.get("default").cloned()),
                deprecated: raw.and_then(|m| m.get("deprecated")) == Some(&Value::Bool(true)),
                name,
                ty,
            });
        }
        // The schema's own `additionalProperties` wins over its parts'.
        let additional_at = std::iter::once(own_node.clone())
            .chain(parts.iter().rev().map(|p| p.node.clone()))
            .map(|n| n.child("additionalProperties"))
            .find(|n| cx.doc.raw(n).is_some());
        let additional = match additional_at {
            None => Some(TypeRef::Any),
            Some(at) => match cx.doc.raw(&at) {
                Some(Value::Bool(false)) => None,
                Some(Value::Bool(true)) | None => Some(TypeRef::Any),
                Some(_) => Some(self.schema(cx, &at, &format!("{owner}Additional"))),
            },
        };
        TypeKind::Struct { fields, additional }
    }
}

/// Wraps `ty` in `Nullable` unless it already accepts null.
pub fn wrap(ty: TypeRef, nullable: bool) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) | TypeRef::Null | TypeRef::Any => ty,
        ty if nullable => TypeRef::Nullable(Box::new(ty)),
        ty => ty,
    }
}

/// Whether an object schema is a struct rather than a map.
fn needs_struct(map: &Map<String, Value>) -> bool {
    let has_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_properties || map.get("additionalProperties") == Some(&Value::Bool(false))
}

fn has_object_keywords(map: &Map<String, Value>) -> bool {
    map.contains_key("properties")
        || map.contains_key("required")
        || map.contains_key("additionalProperties")
        || map.get("type").and_then(Value::as_str) == Some("object")
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
    let Ok((_, value)) = cx.doc.value(node) else {
        return false;
    };
    let Some(map) = value.as_object() else {
        return false;
    };
    map.get("type").and_then(Value::as_str) == Some("null")
        || map.get("const") == Some(&Value::Null)
        || map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

/// The AsyncAPI `discriminator` (a string), or OpenAPI's `propertyName`.
fn discriminator(map: &Map<String, Value>) -> Option<String> {
    match map.get("discriminator")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => str_field(o, "propertyName"),
        _ => None,
    }
}

/// Whether a node is a reusable schema: a component, a definition, or a whole file.
pub fn is_component(node: &NodeRef) -> bool {
    if node.pointer.is_empty() {
        return true;
    }
    let tokens: Vec<String> = crate::load::pointer_tokens(&node.pointer).collect();
    tokens.len() >= 2
        && matches!(
            tokens[tokens.len() - 2].as_str(),
            "schemas" | "definitions" | "$defs"
        )
}

/// The spec name of a schema needing a name: its component key, its title
/// for a whole-file schema, else the path-derived hint.
fn spec_name(cx: &Context<'_>, node: &NodeRef, map: &Map<String, Value>, hint: &str) -> String {
    if node.pointer.is_empty() {
        if let Some(title) = str_field(map, "title") {
            return title;
        }
        let stem = cx
            .doc
            .files
            .get(node.file)
            .and_then(|f| f.path.file_stem())
            .map(|s| s.to_string_lossy().into_owned());
        return stem.unwrap_or_else(|| hint.to_string());
    }
    if is_component(node)
        && let Some(key) = last_token(&node.pointer)
    {
        return key;
    }
    hint.to_string()
}

/// The name hint of an inline union member: its title, its tag value, or its position.
fn variant_hint(
    cx: &Context<'_>,
    member: &NodeRef,
    union: &str,
    tag: Option<&str>,
    index: usize,
) -> String {
    let map = cx.doc.raw(member).and_then(Value::as_object);
    let word = map.and_then(|m| {
        str_field(m, "title").or_else(|| {
            let props = m.get("properties")?.as_object()?;
            let const_of = |k: &str| props.get(k)?.get("const")?.as_str().map(str::to_string);
            match tag {
                Some(t) => const_of(t),
                None => TAG_PREFERENCE.iter().find_map(|k| const_of(k)),
            }
        })
    });
    let word = word
        .and_then(|w| crate::ir::naming::ident_forms(&w, "V").map(|(p, _)| p))
        .unwrap_or_else(|| format!("Variant{}", index + 1));
    format!("{union}{word}")
}

fn title_word(t: &str) -> String {
    crate::ir::naming::ident_forms(t, "V")
        .map(|(p, _)| p)
        .unwrap_or_default()
}
