//! TypeScript declarations for the IR's type space.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::doc::Doc;
use super::names::property_key;
use crate::ir::{Additional, Field, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace};

/// Renders type expressions, knowing the final name of every named type.
pub struct TypeNames<'a> {
    pub space: &'a TypeSpace,
    /// The TypeScript name of each type, indexed by [`TypeId`].
    pub names: Vec<String>,
    /// Types that refer back to themselves through other named types.
    pub cyclic: BTreeSet<TypeId>,
}

/// How a map type is written. `Record<string, T>` reads best, but a type
/// alias that reaches itself through `Record` does not compile, so types on
/// a cycle use an index signature, which TypeScript resolves lazily.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MapStyle {
    Record,
    IndexSignature,
}

impl<'a> TypeNames<'a> {
    pub fn new(space: &'a TypeSpace, names: Vec<String>) -> Self {
        let cyclic = cyclic_types(space);
        TypeNames {
            space,
            names,
            cyclic,
        }
    }

    pub fn name(&self, id: TypeId) -> &str {
        self.names.get(id).map_or("unknown", String::as_str)
    }

    /// The map style for references inside the declaration of `owner`.
    pub fn map_style(&self, owner: Option<TypeId>) -> MapStyle {
        match owner {
            Some(id) if self.cyclic.contains(&id) => MapStyle::IndexSignature,
            _ => MapStyle::Record,
        }
    }

    /// A type expression for `ty`.
    pub fn render(&self, ty: &TypeRef, style: MapStyle) -> String {
        match ty {
            TypeRef::Named(id) => self.name(*id).to_string(),
            TypeRef::String { .. } => "string".into(),
            TypeRef::Integer { .. } | TypeRef::Number { .. } => "number".into(),
            TypeRef::Boolean => "boolean".into(),
            TypeRef::Null => "null".into(),
            TypeRef::Any => "unknown".into(),
            TypeRef::Const(value) => literal(value),
            TypeRef::Array(item) => {
                let item = self.render(item, style);
                if needs_parens(&item) {
                    format!("({item})[]")
                } else {
                    format!("{item}[]")
                }
            }
            TypeRef::Map(value) => map(&self.render(value, style), style),
            TypeRef::Nullable(inner) => {
                let inner = self.render(inner, style);
                if inner == "null" || inner == "unknown" || inner.ends_with(" | null") {
                    inner
                } else {
                    format!("{inner} | null")
                }
            }
        }
    }

    /// The declaration of one named type.
    pub fn declaration(&self, def: &TypeDef) -> TypeDecl {
        let style = self.map_style(Some(def.id));
        let doc = Doc::new()
            .text(def.title.as_deref().filter(|t| *t != def.name.spec))
            .text(def.description.as_deref())
            .render(0);
        let name = self.name(def.id).to_string();
        match &def.kind {
            TypeKind::Struct { fields, additional } => {
                let fields = fields.iter().map(|f| self.field(f, style)).collect();
                match additional {
                    // Closed: exactly the declared properties, so an object
                    // literal with a misspelt key does not compile. Keys a
                    // received frame has beyond them are simply not typed.
                    Additional::Unset | Additional::Forbidden => {
                        TypeDecl::interface(doc, name, fields, None)
                    }
                    Additional::Allowed(TypeRef::Any) => {
                        TypeDecl::interface(doc, name, fields, Some("unknown".into()))
                    }
                    Additional::Allowed(extra) => {
                        // An index signature must admit every declared
                        // property too (an intersection with `Record` would
                        // compile but no object could be written for it).
                        let mut members = vec![self.render(extra, style)];
                        members.extend(fields.iter().map(|f| f.ty.clone()));
                        if fields.iter().any(|f| f.optional) {
                            members.push("undefined".into());
                        }
                        TypeDecl::interface(doc, name, fields, Some(union(&members)))
                    }
                }
            }
            TypeKind::Enum { values } => {
                let literals: Vec<String> = values.iter().map(|v| literal(&v.value)).collect();
                TypeDecl::alias(doc, name, union(&literals))
            }
            TypeKind::Union { variants, tag, .. } => {
                let members: Vec<String> = variants
                    .iter()
                    .map(|variant| {
                        let ty = self.render(&variant.ty, style);
                        match (tag, &variant.tag_value) {
                            (Some(tag), Some(value)) if !self.has_const_tag(&variant.ty, tag) => {
                                let ty = if needs_parens(&ty) {
                                    format!("({ty})")
                                } else {
                                    ty
                                };
                                let tag_value = literal(&Value::String(value.clone()));
                                format!("({{ {}: {tag_value} }} & {ty})", property_key(tag))
                            }
                            _ => ty,
                        }
                    })
                    .collect();
                TypeDecl::alias(doc, name, union(&members))
            }
            TypeKind::Alias { target } => TypeDecl::alias(doc, name, self.render(target, style)),
        }
    }

    fn field(&self, field: &Field, style: MapStyle) -> FieldDecl {
        let mut doc = Doc::new().text(field.description.as_deref());
        if field.deprecated {
            doc = doc.tag("@deprecated");
        }
        FieldDecl {
            doc: doc.render(2),
            key: property_key(&field.name.spec),
            optional: !field.required,
            ty: self.render(&field.ty, style),
        }
    }

    /// Whether `ty` is a struct whose `tag` property is already a constant,
    /// so the union needs no extra discriminant.
    fn has_const_tag(&self, ty: &TypeRef, tag: &str) -> bool {
        let TypeRef::Named(id) = ty else {
            return false;
        };
        let Some(def) = self.space.types.get(*id) else {
            return false;
        };
        match &def.kind {
            TypeKind::Struct { fields, .. } => fields
                .iter()
                .any(|f| f.name.spec == tag && matches!(f.ty, TypeRef::Const(Value::String(_)))),
            _ => false,
        }
    }
}

/// One type declaration.
#[derive(Debug)]
pub struct TypeDecl {
    pub doc: String,
    pub name: String,
    pub form: DeclForm,
}

/// What a [`TypeDecl`] declares.
#[derive(Debug)]
pub enum DeclForm {
    /// `export interface Name { fields; [key: string]: index; }`
    Interface {
        fields: Vec<FieldDecl>,
        /// The index signature's value type.
        index: Option<String>,
    },
    /// `export type Name = target;`
    Alias { target: String },
}

impl TypeDecl {
    fn interface(doc: String, name: String, fields: Vec<FieldDecl>, index: Option<String>) -> Self {
        TypeDecl {
            doc,
            name,
            form: DeclForm::Interface { fields, index },
        }
    }

    fn alias(doc: String, name: String, target: String) -> Self {
        TypeDecl {
            doc,
            name,
            form: DeclForm::Alias { target },
        }
    }

    /// Appends the declaration, after a blank line, to `out`. Written here
    /// rather than by the module's template: a module can declare tens of
    /// thousands of types, and the template engine took several times as
    /// long to lay out these few lines each.
    pub fn write(&self, out: &mut String) {
        out.push('\n');
        out.push_str(&self.doc);
        match &self.form {
            DeclForm::Interface { fields, index } => {
                out.extend(["export interface ", &self.name, " {\n"]);
                for field in fields {
                    out.extend([&field.doc, "  ", &field.key]);
                    if field.optional {
                        out.push('?');
                    }
                    out.extend([": ", &field.ty, ";\n"]);
                }
                if let Some(index) = index {
                    out.extend(["  [key: string]: ", index, ";\n"]);
                }
                out.push_str("}\n");
            }
            DeclForm::Alias { target } => {
                out.extend(["export type ", &self.name, " = ", target, ";\n"]);
            }
        }
    }
}

/// One property of an interface or object type.
#[derive(Debug, Serialize)]
pub struct FieldDecl {
    pub doc: String,
    pub key: String,
    pub optional: bool,
    pub ty: String,
}

/// A JSON value as a TypeScript literal type (`"ping"`, `3`, `null`,
/// `{ "a": 1 }`): JSON is valid type syntax for these.
pub fn literal(value: &Value) -> String {
    crate::text::json_for_code(value.to_string())
}

/// `A | B`, or `never` for no members.
pub fn union(members: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&String> = members.iter().filter(|m| seen.insert(*m)).collect();
    if unique.iter().any(|m| *m == "unknown") {
        // `unknown` absorbs every other member.
        "unknown".into()
    } else if unique.is_empty() {
        "never".into()
    } else {
        unique
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

fn map(value: &str, style: MapStyle) -> String {
    match style {
        MapStyle::Record => format!("Record<string, {value}>"),
        MapStyle::IndexSignature => format!("{{ [key: string]: {value} }}"),
    }
}

/// Whether a rendered type needs parentheses before `[]` or inside `&`.
fn needs_parens(ty: &str) -> bool {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in ty.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            '|' | '&' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Types that can reach themselves through references to named types.
fn cyclic_types(space: &TypeSpace) -> BTreeSet<TypeId> {
    let edges: Vec<BTreeSet<TypeId>> = space.types.iter().map(references).collect();
    let mut cyclic = BTreeSet::new();
    for start in 0..edges.len() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<TypeId> = edges[start].iter().copied().collect();
        while let Some(id) = stack.pop() {
            if id == start {
                cyclic.insert(start);
                break;
            }
            if seen.insert(id)
                && let Some(next) = edges.get(id)
            {
                stack.extend(next.iter().copied());
            }
        }
    }
    cyclic
}

fn references(def: &TypeDef) -> BTreeSet<TypeId> {
    let mut out = BTreeSet::new();
    match &def.kind {
        TypeKind::Struct { fields, additional } => {
            for field in fields {
                collect(&field.ty, &mut out);
            }
            if let Some(extra) = additional.allowed() {
                collect(extra, &mut out);
            }
        }
        TypeKind::Enum { .. } => {}
        TypeKind::Union { variants, .. } => {
            for variant in variants {
                collect(&variant.ty, &mut out);
            }
        }
        TypeKind::Alias { target } => collect(target, &mut out),
    }
    out
}

fn collect(ty: &TypeRef, out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Named(id) => {
            out.insert(*id);
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            collect(inner, out)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parens_only_around_top_level_unions() {
        assert!(needs_parens("A | null"));
        assert!(!needs_parens("Record<string, A | B>"));
        assert!(!needs_parens("\"a|b\""));
        assert!(needs_parens("({ \"k\": \"v\" } & A) | B"));
    }

    #[test]
    fn nested_shapes() {
        let space = TypeSpace::default();
        let names = TypeNames::new(&space, Vec::new());
        let ty = TypeRef::Array(Box::new(TypeRef::Nullable(Box::new(TypeRef::Map(
            Box::new(TypeRef::Integer { format: None }),
        )))));
        assert_eq!(
            names.render(&ty, MapStyle::Record),
            "(Record<string, number> | null)[]"
        );
        assert_eq!(
            names.render(&ty, MapStyle::IndexSignature),
            "({ [key: string]: number } | null)[]"
        );
        let nested_null = TypeRef::Nullable(Box::new(TypeRef::Nullable(Box::new(TypeRef::Null))));
        assert_eq!(names.render(&nested_null, MapStyle::Record), "null");
        assert_eq!(union(&[]), "never");
        assert_eq!(union(&["A".into(), "B".into(), "A".into()]), "A | B");
    }
}
