//! Schema `default`s as Rust expressions, so a field with a default is a
//! plain value that is always written, as pydantic's `model_dump` writes
//! every field that has one.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::names::{Namer, ident};
use super::types::TypesModule;
use crate::ir::{EnumValue, TypeId, TypeKind, TypeRef};

/// How deep a default value is followed (a default is data, but a hostile
/// document could nest it deeply).
const MAX_DEPTH: usize = 32;

impl TypesModule<'_> {
    /// An expression of the Rust type of `ty` (held by `owner`) equal to
    /// `value`, or `None` when the value does not fit the type.
    pub fn default_expr(
        &self,
        ty: &TypeRef,
        value: &Value,
        owner: Option<TypeId>,
    ) -> Option<TokenStream> {
        self.expr(ty, value, owner, 0)
    }

    /// The text [`Self::default_expr`]'s tokens print as, for the values
    /// whose printed form is one plain token run: a string enum's variant,
    /// a boolean, a number, a string of plain characters. `None` for any
    /// other (the caller prints the tokens).
    /// `tokens` are those [`Self::default_expr`] made for it.
    pub fn default_expr_text(
        &self,
        ty: &TypeRef,
        value: &Value,
        owner: TypeId,
        tokens: Option<&TokenStream>,
    ) -> Option<String> {
        match (ty, value) {
            (TypeRef::Boolean, Value::Bool(b)) => Some(b.to_string()),
            (TypeRef::Integer { .. } | TypeRef::Number { .. }, Value::Number(n))
                if !n.to_string().starts_with('-') =>
            {
                // One suffixed literal, printed as proc-macro2 prints it.
                tokens.map(TokenStream::to_string)
            }
            // Printed from its tokens.
            (ty, Value::String(_)) if ty.is_secret() => None,
            (TypeRef::String { .. }, Value::String(s))
                if s.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ') =>
            {
                Some(["::std::string::String::from(\"", s, "\")"].concat())
            }
            (TypeRef::Named(id), value) if !self.is_boxed(owner, *id) => {
                let TypeKind::Enum { values } = &self.type_def(*id).kind else {
                    return None;
                };
                let variant = enum_variant(values, value)?;
                Some(
                    [
                        self.type_ident(*id).to_string(),
                        "::".to_owned(),
                        variant.to_string(),
                    ]
                    .concat(),
                )
            }
            _ => None,
        }
    }

    /// Whether `value` is what `Default::default()` gives for `ty`'s Rust type.
    pub fn is_natural_default(&self, ty: &TypeRef, value: &Value) -> bool {
        match (ty, value) {
            (TypeRef::Nullable(_), Value::Null) => true,
            (TypeRef::Null, Value::Null) => true,
            (TypeRef::String { .. }, Value::String(s)) => s.is_empty(),
            (TypeRef::Integer { .. }, Value::Number(n)) => n.as_i64() == Some(0) && !n.is_f64(),
            (TypeRef::Number { .. }, Value::Number(n)) => n.as_f64() == Some(0.0),
            (TypeRef::Boolean, Value::Bool(b)) => !b,
            (TypeRef::Array(_), Value::Array(items)) => items.is_empty(),
            (TypeRef::Map(_), Value::Object(map)) => map.is_empty(),
            (TypeRef::Const(_), _) => true,
            (TypeRef::Named(id), value) => match &self.type_def(*id).kind {
                TypeKind::Alias { target } => self.is_natural_default(target, value),
                _ => false,
            },
            _ => false,
        }
    }

    fn expr(
        &self,
        ty: &TypeRef,
        value: &Value,
        owner: Option<TypeId>,
        depth: usize,
    ) -> Option<TokenStream> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match (ty, value) {
            (TypeRef::Nullable(_), Value::Null) => quote!(::std::option::Option::None),
            (TypeRef::Nullable(inner), value) => {
                let inner = self.expr(inner, value, owner, depth + 1)?;
                quote!(::std::option::Option::Some(#inner))
            }
            (TypeRef::Null, Value::Null) => quote!(()),
            (ty, Value::String(s)) if ty.is_secret() => quote!(::chanx_runtime::Secret::from(#s)),
            (TypeRef::String { .. }, Value::String(s)) => quote!(::std::string::String::from(#s)),
            (TypeRef::Integer { format }, Value::Number(n)) => {
                let i = n.as_i64().filter(|_| !n.is_f64())?;
                let lit = match format.as_deref() {
                    Some("int32") => Literal::i32_suffixed(i32::try_from(i).ok()?),
                    Some("uint32") => Literal::u32_suffixed(u32::try_from(i).ok()?),
                    Some("uint64") => Literal::u64_suffixed(u64::try_from(i).ok()?),
                    _ => Literal::i64_suffixed(i),
                };
                quote!(#lit)
            }
            (TypeRef::Number { .. }, Value::Number(n)) => {
                let lit = Literal::f64_suffixed(n.as_f64()?);
                quote!(#lit)
            }
            (TypeRef::Boolean, Value::Bool(b)) => quote!(#b),
            (TypeRef::Any, value) => {
                let text = value.to_string();
                quote!(::serde_json::from_str::<::serde_json::Value>(#text).unwrap_or_default())
            }
            (TypeRef::Const(constant), value) if constant == value => {
                quote!(::std::default::Default::default())
            }
            (TypeRef::Array(inner), Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|item| self.expr(inner, item, None, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                quote!(::std::vec![#(#items),*])
            }
            (TypeRef::Map(inner), Value::Object(map)) => {
                let keys = map.keys();
                let values = map
                    .values()
                    .map(|item| self.expr(inner, item, None, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                quote! {
                    ::std::iter::FromIterator::from_iter([
                        #((::std::string::String::from(#keys), #values)),*
                    ])
                }
            }
            (TypeRef::Named(id), value) => {
                let inner = self.named_expr(*id, value, depth)?;
                if owner.is_some_and(|from| self.is_boxed(from, *id)) {
                    quote!(::std::boxed::Box::new(#inner))
                } else {
                    inner
                }
            }
            _ => return None,
        })
    }

    fn named_expr(&self, id: TypeId, value: &Value, depth: usize) -> Option<TokenStream> {
        let def = self.type_def(id);
        let name = self.type_ident(id);
        match &def.kind {
            TypeKind::Alias { target } => {
                let inner = self.expr(target, value, Some(id), depth + 1)?;
                Some(if self.is_newtype(id) {
                    quote!(#name(#inner))
                } else {
                    inner
                })
            }
            TypeKind::Enum { values } => {
                let variant = enum_variant(values, value)?;
                Some(quote!(#name::#variant))
            }
            TypeKind::Struct { fields, additional } => {
                let object = value.as_object()?;
                let mut namer = Namer::default();
                let mut inits = Vec::new();
                for field in fields {
                    let field_name = ident(&namer.base(&field.name.snake));
                    let shape = self.field_shape(id, field);
                    let init = match object.get(&field.name.spec) {
                        Some(given) => {
                            let inner = self.expr(&field.ty, given, Some(id), depth + 1)?;
                            shape.wrap_present(inner)
                        }
                        None => self.absent_field(id, field, shape, depth)?,
                    };
                    inits.push(quote!(#field_name: #init));
                }
                if self.extra_type(additional).is_some() {
                    let field_name = ident(&namer.base("additional"));
                    inits.push(quote!(#field_name: ::std::default::Default::default()));
                }
                Some(quote!(#name { #(#inits),* }))
            }
            TypeKind::Union { .. } => None,
        }
    }
}

/// The variant of a string enum whose value is `value`, named as the
/// enum's definition names it.
fn enum_variant(values: &[EnumValue], value: &Value) -> Option<Ident> {
    let mut namer = Namer::default();
    values
        .iter()
        .map(|v| (namer.ident(&v.name.pascal), &v.value))
        .find(|(_, v)| *v == value)
        .map(|(variant, _)| variant)
}
