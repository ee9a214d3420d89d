//! JSON Schema (AsyncAPI, any draft, OpenAPI 3.0) → the type space.
//!
//! Objects, enums, unions and component schemas become named [`TypeDef`]s,
//! keyed by their resolved node so a schema reached twice (or recursively)
//! is one type. Everything else stays an inline [`TypeRef`].
//!
//! [`TypeBuilder::schema`] resolves a node and reads what the schema says,
//! in this order: `const`, `enum` ([`enums`]), `oneOf` / `anyOf` ([`union`]),
//! `allOf` ([`all_of`]), then `type`; objects with properties become structs
//! ([`object`]).

mod all_of;
mod enums;
mod object;
mod union;

use crate::load::Members;
use foldhash::HashMap;

use serde_json::{Map, Value};

use crate::diag::Code;
use crate::ir::context::{Context, kind_of, last_token, str_field};
use crate::ir::naming::Namespace;
use crate::ir::{Name, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace};
use crate::load::NodeRef;

pub(crate) use all_of::{has_object_keywords, has_shape_keywords};
use object::{ObjectPart, needs_struct};

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
    /// The identifier forms of each property name met so far: the same
    /// few names (`id`, `type`, `payload`, …) recur across a document's
    /// objects.
    field_forms: HashMap<Box<str>, Option<(String, String)>>,
}

/// The schema object being turned into a type: what every step needs.
#[derive(Clone, Copy)]
struct SchemaAt<'s> {
    /// Its resolved node: the cache key, and the origin of a named type.
    node: &'s NodeRef,
    map: &'s Map<String, Value>,
    /// The path-derived name (PascalCase), used if the type needs a name and
    /// has none of its own.
    hint: &'s str,
    /// A reusable schema (a component, a definition, a whole file): it is
    /// named even when its shape is inline.
    component: bool,
    /// Whether the type also accepts `null`.
    nullable: bool,
}

impl SchemaAt<'_> {
    fn nullable(self, nullable: bool) -> Self {
        SchemaAt { nullable, ..self }
    }
}

impl TypeBuilder {
    /// Claims `key` as the type name of the schema at `node` before anything
    /// else is named, so a component keeps its own name.
    /// Room for the types of a document of `nodes` nodes with `components`
    /// component schemas: sized once rather than grown a doubling at a
    /// time (each growth of the cache or the names hashed every pointer or
    /// name again, a twentieth of the model on a large document). About
    /// one named type per ten nodes and one schema read per four (9,240
    /// and 25,080 of the 109,307 nodes of the synthetic 100k document),
    /// and at least a name, a type and a cache entry per component. Room
    /// never used is only reserved.
    pub fn expect(&mut self, nodes: usize, components: usize) {
        let types = components.max(nodes / 10);
        self.names.reserve_capacity(types);
        self.reserved.reserve(components);
        self.cache.reserve(components.max(nodes / 4));
        self.space.types.reserve(types);
    }

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

    /// Allocates a named type for `s` (placeholder kind) and returns its id.
    fn define(&mut self, cx: &Context<'_>, s: &SchemaAt<'_>) -> TypeId {
        let name = match self.reserved.remove(s.node) {
            Some(name) => name,
            None => {
                let spec = spec_name(cx, s);
                self.names.claim(&spec, s.hint, "N")
            }
        };
        let id = self.space.types.len();
        let examples = match (s.map.member("examples"), s.map.member("example")) {
            (Some(Value::Array(items)), _) => items.clone(),
            (_, Some(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        self.space.types.push(TypeDef {
            id,
            name,
            title: str_field(s.map, "title"),
            description: str_field(s.map, "description"),
            kind: TypeKind::Alias {
                target: TypeRef::Any,
            },
            default: s.map.member("default").cloned(),
            examples,
            origin: cx.origin(s.node),
        });
        id
    }

    /// Like [`Self::define`], and caches the reference to the new type before
    /// its parts are built, so a schema that contains itself finds it.
    fn open(&mut self, cx: &Context<'_>, s: &SchemaAt<'_>) -> TypeId {
        let id = self.define(cx, s);
        self.cache
            .insert(s.node.clone(), wrap(TypeRef::Named(id), s.nullable));
        id
    }

    fn object_schema(
        &mut self,
        cx: &mut Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        hint: &str,
    ) -> TypeRef {
        let mut s = SchemaAt {
            node,
            map,
            hint,
            component: is_component(node),
            nullable: map.member("nullable") == Some(&Value::Bool(true)),
        };

        if let Some(value) = map.member("const") {
            let ty = if value.is_null() {
                TypeRef::Null
            } else {
                TypeRef::Const(value.clone())
            };
            return self.finish_inline(cx, s.nullable(false), ty);
        }

        if let Some(values) = map.member("enum") {
            return self.enum_schema(cx, s, values);
        }

        let one_of = map.member("oneOf").and_then(Value::as_array);
        let any_of = map.member("anyOf").and_then(Value::as_array);
        if let Some((key, exclusive)) = match (one_of, any_of) {
            (Some(_), _) => Some(("oneOf", true)),
            (None, Some(_)) => Some(("anyOf", false)),
            _ => None,
        } {
            if one_of.is_some() && any_of.is_some() {
                cx.warn(
                    Code::UnsupportedSchema,
                    node,
                    "both `oneOf` and `anyOf`: only `oneOf` is modelled",
                );
            }
            return self.union_schema(cx, s, key, exclusive);
        }

        if let Some(parts) = map.member("allOf").and_then(Value::as_array) {
            return self.all_of_schema(cx, s, parts.len());
        }

        let mut types: Vec<String> = match map.member("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if types.len() > 1 && types.iter().any(|t| t == "null") {
            types.retain(|t| t != "null");
            s.nullable = true;
        }
        if types.is_empty() {
            if map.contains_key("properties") || map.contains_key("additionalProperties") {
                types.push("object".into());
            } else if map.contains_key("items") {
                types.push("array".into());
            }
        }
        match types.as_slice() {
            [] => self.finish_inline(cx, s.nullable(false), TypeRef::Any),
            [one] => self.typed(cx, s, one),
            several => self.type_list_union(cx, s, several),
        }
    }

    /// One `type`: objects with properties become structs, the rest stays inline.
    fn typed(&mut self, cx: &mut Context<'_>, s: SchemaAt<'_>, ty: &str) -> TypeRef {
        if ty == "object" && needs_struct(s.map) {
            let id = self.open(cx, &s);
            let parts = vec![ObjectPart::new(s.node, s.map)];
            let kind = self.struct_kind(cx, id, &parts, s.node);
            self.set_kind(id, kind);
            return wrap(TypeRef::Named(id), s.nullable);
        }
        if s.component {
            // Allocate first: an array component may contain itself.
            let id = self.open(cx, &s.nullable(false));
            let shape = self.typed_shape(cx, &s, ty);
            self.set_kind(
                id,
                TypeKind::Alias {
                    target: wrap(shape, s.nullable),
                },
            );
            return TypeRef::Named(id);
        }
        wrap(self.typed_shape(cx, &s, ty), s.nullable)
    }

    /// The inline shape of a schema with one `type` (nullability aside).
    fn typed_shape(&mut self, cx: &mut Context<'_>, s: &SchemaAt<'_>, ty: &str) -> TypeRef {
        let format = str_field(s.map, "format");
        match ty {
            "string" => TypeRef::String { format },
            "integer" => TypeRef::Integer { format },
            "number" => TypeRef::Number { format },
            "boolean" => TypeRef::Boolean,
            "null" => TypeRef::Null,
            "array" => self.array_shape(cx, s),
            "object" => {
                if needs_struct(s.map) {
                    // Reached only for `type: [object, …]` unions.
                    let id = self.define(cx, s);
                    let parts = vec![ObjectPart::new(s.node, s.map)];
                    let kind = self.struct_kind(cx, id, &parts, s.node);
                    self.set_kind(id, kind);
                    return TypeRef::Named(id);
                }
                match s.map.member("additionalProperties") {
                    Some(Value::Object(_)) => {
                        let value = self.schema(
                            cx,
                            &s.node.child("additionalProperties"),
                            &format!("{}Value", s.hint),
                        );
                        TypeRef::Map(Box::new(value))
                    }
                    _ => TypeRef::Map(Box::new(TypeRef::Any)),
                }
            }
            other => {
                cx.warn(
                    Code::UnsupportedSchema,
                    s.node,
                    format!("unknown type '{other}'; using any value"),
                );
                TypeRef::Any
            }
        }
    }

    fn array_shape(&mut self, cx: &mut Context<'_>, s: &SchemaAt<'_>) -> TypeRef {
        if s.map.contains_key("prefixItems") {
            cx.warn(
                Code::UnsupportedSchema,
                s.node,
                "`prefixItems` (tuples) are modelled as arrays of any value",
            );
            return TypeRef::Array(Box::new(TypeRef::Any));
        }
        match s.map.member("items") {
            Some(Value::Object(_)) | Some(Value::Bool(_)) => {
                let item = self.schema(cx, &s.node.child("items"), &format!("{}Item", s.hint));
                TypeRef::Array(Box::new(item))
            }
            Some(Value::Array(_)) => {
                cx.warn(
                    Code::UnsupportedSchema,
                    s.node,
                    "tuple `items` are modelled as arrays of any value",
                );
                TypeRef::Array(Box::new(TypeRef::Any))
            }
            _ => TypeRef::Array(Box::new(TypeRef::Any)),
        }
    }

    /// An inline shape; a component schema still gets a name (an alias).
    fn finish_inline(&mut self, cx: &mut Context<'_>, s: SchemaAt<'_>, ty: TypeRef) -> TypeRef {
        let ty = wrap(ty, s.nullable);
        if !s.component {
            return ty;
        }
        let id = self.define(cx, &s);
        self.set_kind(id, TypeKind::Alias { target: ty });
        TypeRef::Named(id)
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

/// Whether a node is a reusable schema: a component, a definition, or a whole file.
pub fn is_component(node: &NodeRef) -> bool {
    if node.pointer.is_empty() {
        return true;
    }
    // The token before the last, read from the end without unescaping
    // every token (which was 3 % of building a large document's model):
    // these three words are written the same escaped or not.
    crate::load::pointer_parent(&node.pointer)
        .and_then(|(up, _)| crate::load::pointer_parent(up))
        .is_some_and(|(_, parent)| matches!(parent, "schemas" | "definitions" | "$defs"))
}

/// The spec name of a schema needing a name: its component key, its title
/// for a whole-file schema, else the path-derived hint.
fn spec_name(cx: &Context<'_>, s: &SchemaAt<'_>) -> String {
    if s.node.pointer.is_empty() {
        if let Some(title) = str_field(s.map, "title") {
            return title;
        }
        let stem = cx
            .doc
            .files
            .get(s.node.file)
            .and_then(|f| f.path.file_stem())
            .map(|s| s.to_string_lossy().into_owned());
        return stem.unwrap_or_else(|| s.hint.to_string());
    }
    if is_component(s.node)
        && let Some(key) = last_token(&s.node.pointer)
    {
        return key;
    }
    s.hint.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `is_component` said when it unescaped every token: the same.
    #[test]
    fn components_are_found_from_the_pointers_end() {
        fn by_tokens(pointer: &str) -> bool {
            let tokens: Vec<String> = crate::load::pointer_tokens(pointer).collect();
            tokens.len() >= 2
                && matches!(
                    tokens[tokens.len() - 2].as_str(),
                    "schemas" | "definitions" | "$defs"
                )
        }
        for pointer in [
            "",
            "/",
            "//",
            "/schemas",
            "/schemas/",
            "/schemas/A",
            "schemas/A",
            "/components/schemas/A",
            "/components/schemas/a~1b",
            "/components/schemas/~0",
            "/components/schema~1s/A",
            "/x/definitions/A/properties/b",
            "/x/definitions/A",
            "/$defs/A",
            "/a/$defs",
            "/a/~0schemas/A",
            "/a/sch~0emas/A",
        ] {
            let node = NodeRef::new(0, pointer);
            let expected = pointer.is_empty() || by_tokens(pointer);
            assert_eq!(is_component(&node), expected, "{pointer:?}");
        }
    }
}
