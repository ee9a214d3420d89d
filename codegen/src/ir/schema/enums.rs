//! `enum` schemas: a closed set of scalar values (`null` among them makes
//! the type nullable).

use crate::load::Members;
use serde_json::{Map, Value};

use super::{SchemaAt, TypeBuilder, wrap};
use crate::diag::Code;
use crate::ir::context::Context;
use crate::ir::naming::{Namespace, ident_forms};
use crate::ir::{EnumValue, TypeKind, TypeRef};

impl TypeBuilder {
    /// The type of a schema with `enum: values`.
    pub(super) fn enum_schema(
        &mut self,
        cx: &mut Context<'_>,
        s: SchemaAt<'_>,
        values: &Value,
    ) -> TypeRef {
        let Some(values) = values.as_array() else {
            cx.warn(
                Code::UnsupportedSchema,
                s.node,
                "`enum` is not an array; using any value",
            );
            return TypeRef::Any;
        };
        if !cx.members(s.node, values.len(), "enum values") {
            return TypeRef::Any;
        }
        let non_null: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        if non_null.is_empty() {
            return self.finish_inline(cx, s.nullable(false), TypeRef::Null);
        }
        let s = s.nullable(s.nullable || non_null.len() < values.len());
        let id = self.open(cx, &s);
        self.set_kind(id, enum_kind(&non_null, s.map));
        wrap(TypeRef::Named(id), s.nullable)
    }
}

/// The values (none of them `null`), each named, with their
/// `x-enum-descriptions`.
fn enum_kind(values: &[Value], map: &Map<String, Value>) -> TypeKind {
    let descriptions = map.member("x-enum-descriptions").and_then(Value::as_array);
    let mut names = Namespace::new();
    names.reserve_capacity(values.len());
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
                    let forms = ident_forms(&words, "V")
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
