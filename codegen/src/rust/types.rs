//! `pub mod types`: every named type of the type space, plus the const
//! markers and serde helpers they need.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::RustOptions;
use super::cycles::{alias_cycles, cyclic_edges};
use super::docs::{doc_attrs, doc_line, doc_text, origin_line, title_is_name};
use super::format::Piece;
use super::literal::{json_text, matches_expr, serialize_expr};
use super::names::{Namer, ident, ident_of_text, ident_text};
use super::printed;
use crate::ir::{Additional, Api, EnumValue, Field, TypeDef, TypeId, TypeKind, TypeRef, Variant};

/// Everything decided about the type space before any code is written:
/// identifiers, const markers, which references need a `Box`. Worked out
/// once per module and shared by the threads that write its parts, which
/// each make their own tokens from it (tokens cannot cross threads). On a
/// 9,000-type document, naming the types in each of three threads was a
/// tenth of making the module.
pub struct TypeNaming {
    /// Identifier of each type as written (`r#type` for a keyword), by id.
    names: Vec<String>,
    /// One marker per distinct constant, keyed by its JSON text.
    markers: BTreeMap<String, Marker>,
    /// Direct references `(from, to)` that close a cycle and so are boxed.
    boxed: HashSet<(TypeId, TypeId)>,
    /// Aliases that refer to themselves only through other aliases: Rust
    /// rejects such `type` cycles, so they become newtype structs.
    newtype_aliases: HashSet<TypeId>,
    /// `(type, property)` pairs that tag a union variant or a channel
    /// message: their const is always written, or a receiver could not tell
    /// the variants apart.
    tag_fields: HashSet<(TypeId, String)>,
}

struct Marker {
    /// Its identifier as written.
    name: String,
    value: Value,
    /// Emission order: first use in the type space.
    order: usize,
}

impl TypeNaming {
    pub fn new(api: &Api) -> Self {
        let mut namer = Namer::with_capacity(api.types.types.len() + 1);
        namer.reserve(&[CONSTANTS]);
        let names = api
            .types
            .types
            .iter()
            .map(|def| ident_text(&namer.base(&def.name.pascal)))
            .collect();
        TypeNaming {
            names,
            markers: collect_markers(api, &mut namer),
            boxed: cyclic_edges(api),
            newtype_aliases: alias_cycles(api),
            tag_fields: tag_fields(api),
        }
    }
}

/// Finds every `Const` and names its marker after the first place it
/// appears (`namer` holds the types' names).
fn collect_markers(api: &Api, namer: &mut Namer) -> BTreeMap<String, Marker> {
    let mut markers = BTreeMap::new();
    let mut uses: Vec<(String, &TypeRef)> = Vec::new();
    for def in &api.types.types {
        let owner = &def.name.pascal;
        match &def.kind {
            TypeKind::Struct { fields, additional } => {
                for field in fields {
                    uses.push(([owner.as_str(), &field.name.pascal].concat(), &field.ty));
                }
                if let Some(extra) = additional.allowed() {
                    uses.push(([owner.as_str(), "Additional"].concat(), extra));
                }
            }
            TypeKind::Union { variants, .. } => {
                for variant in variants {
                    uses.push(([owner.as_str(), &variant.name.pascal].concat(), &variant.ty));
                }
            }
            TypeKind::Alias { target } => uses.push(([owner.as_str(), "Value"].concat(), target)),
            TypeKind::Enum { .. } => {}
        }
    }
    for message in &api.messages {
        if let Some(payload) = &message.payload {
            uses.push((format!("{}Payload", message.name.pascal), payload));
        }
    }
    for (context, ty) in uses {
        let mut consts = Vec::new();
        collect_consts(ty, &mut consts);
        for value in consts {
            let key = value.to_string();
            if !markers.contains_key(&key) {
                let order = markers.len();
                let name = ident_text(&namer.base(&context));
                let value = value.clone();
                markers.insert(key, Marker { name, value, order });
            }
        }
    }
    markers
}

/// The types module's decisions ([`TypeNaming`]) as tokens, for one thread.
pub struct TypesModule<'a> {
    api: &'a Api,
    options: &'a RustOptions,
    naming: Arc<TypeNaming>,
    /// Identifier of each type, by id.
    names: Vec<Ident>,
    /// Identifier of each const marker, by its order.
    marker_idents: Vec<Ident>,
}

/// What one type definition becomes: its items as tokens, or (a struct)
/// pieces some of which are written as text.
enum Emitted {
    Tokens(TokenStream),
    Pieces(Vec<Piece>),
}

impl<'a> TypesModule<'a> {
    /// The module of `api`'s types, named here (see [`Self::named`]).
    pub fn new(api: &'a Api, options: &'a RustOptions) -> Self {
        Self::named(api, options, Arc::new(TypeNaming::new(api)))
    }

    /// The module of `api`'s types, named by `naming` (made from `api`).
    pub fn named(api: &'a Api, options: &'a RustOptions, naming: Arc<TypeNaming>) -> Self {
        let names = naming
            .names
            .iter()
            .map(|name| ident_of_text(name))
            .collect();
        let mut markers: Vec<&Marker> = naming.markers.values().collect();
        markers.sort_by_key(|m| m.order);
        let marker_idents = markers.iter().map(|m| ident_of_text(&m.name)).collect();
        TypesModule {
            api,
            options,
            naming,
            names,
            marker_idents,
        }
    }

    /// The Rust type for `ty`. `path` prefixes named types (empty inside
    /// `types`); `owner` is the type whose definition holds the reference,
    /// used to box references that close a cycle.
    pub fn rust_type(
        &self,
        ty: &TypeRef,
        owner: Option<TypeId>,
        path: &TokenStream,
    ) -> TokenStream {
        match ty {
            TypeRef::Named(id) => {
                let name = &self.names[*id];
                let named = quote!(#path #name);
                if owner.is_some_and(|from| self.naming.boxed.contains(&(from, *id))) {
                    quote!(::std::boxed::Box<#named>)
                } else {
                    named
                }
            }
            ty if ty.is_secret() => quote!(::chanx_runtime::Secret),
            TypeRef::String { .. } => quote!(::std::string::String),
            TypeRef::Integer { format } => match format.as_deref() {
                Some("int32") => quote!(i32),
                Some("uint32") => quote!(u32),
                Some("uint64") => quote!(u64),
                _ => quote!(i64),
            },
            TypeRef::Number { .. } => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Null => quote!(()),
            TypeRef::Any => quote!(::serde_json::Value),
            TypeRef::Const(value) => match self.naming.markers.get(&value.to_string()) {
                Some(marker) => {
                    let name = &self.marker_idents[marker.order];
                    quote!(#path #name)
                }
                // Unreachable: every const was collected up front.
                None => quote!(::serde_json::Value),
            },
            TypeRef::Array(inner) => {
                let inner = self.rust_type(inner, None, path);
                quote!(::std::vec::Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.rust_type(inner, None, path);
                quote!(::chanx_runtime::IndexMap<::std::string::String, #inner>)
            }
            TypeRef::Nullable(inner) => {
                let inner = self.rust_type(strip_nullable(inner), owner, path);
                quote!(::std::option::Option<#inner>)
            }
        }
    }

    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        self.api.types.get(id)
    }

    pub fn type_ident(&self, id: TypeId) -> &Ident {
        &self.names[id]
    }

    /// Whether the reference from `from` to `to` is a `Box`.
    pub fn is_boxed(&self, from: TypeId, to: TypeId) -> bool {
        self.naming.boxed.contains(&(from, to))
    }

    pub fn is_newtype(&self, id: TypeId) -> bool {
        self.naming.newtype_aliases.contains(&id)
    }

    /// The value type of a struct's flattened `additional` map, when it has
    /// one: when the schema allows other properties (`true` or a schema), or
    /// when it leaves them unset and `keep_unknown_fields` asks to keep them.
    pub fn extra_type<'t>(&self, additional: &'t Additional) -> Option<&'t TypeRef> {
        const ANY: &TypeRef = &TypeRef::Any;
        match additional {
            Additional::Allowed(ty) => Some(ty),
            Additional::Unset if self.options.keep_unknown_fields => Some(ANY),
            Additional::Unset | Additional::Forbidden => None,
        }
    }

    /// How `field` of struct `owner` is represented.
    pub fn field_shape(&self, owner: TypeId, field: &Field) -> FieldShape {
        let is_tag = self
            .naming
            .tag_fields
            .contains(&(owner, field.name.spec.clone()));
        if matches!(field.ty, TypeRef::Const(_)) && is_tag {
            return FieldShape::Const;
        }
        let shape = FieldShape::of(field);
        let defaulted = !field.required
            && !matches!(shape, FieldShape::Const | FieldShape::OptionalNull)
            && field
                .default
                .as_ref()
                .is_some_and(|d| self.default_expr(&field.ty, d, Some(owner)).is_some());
        if defaulted {
            FieldShape::Defaulted
        } else {
            shape
        }
    }

    /// The value of a field absent from a default object, if it can have one.
    pub fn absent_field(
        &self,
        owner: TypeId,
        field: &Field,
        shape: FieldShape,
        _depth: usize,
    ) -> Option<TokenStream> {
        match shape {
            FieldShape::Required => None,
            FieldShape::Defaulted => {
                self.default_expr(&field.ty, field.default.as_ref()?, Some(owner))
            }
            FieldShape::Optional | FieldShape::OptionalNullable => {
                Some(quote!(::std::option::Option::None))
            }
            FieldShape::Const | FieldShape::OptionalNull => {
                Some(quote!(::std::default::Default::default()))
            }
        }
    }

    /// Hands each item of `defs` (a run of the model's types) to `item`, in
    /// order, as soon as it is built: the caller formats it and drops its
    /// tokens before the next. `default_fns` holds the default functions'
    /// names the types before them took.
    pub fn emit_defs<E>(
        &self,
        defs: &[TypeDef],
        default_fns: &mut Namer,
        item: &mut impl FnMut(Piece) -> Result<(), E>,
    ) -> Result<(), E> {
        for def in defs {
            match self.emit_def(def, default_fns) {
                Emitted::Tokens(tokens) => item(Piece::Tokens(tokens))?,
                Emitted::Pieces(pieces) => {
                    for piece in pieces {
                        item(piece)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Takes in `default_fns` the default functions' names `defs` take,
    /// without making their items: where [`Self::emit_defs`] of the types
    /// after them starts.
    pub fn claim_default_fns(&self, defs: &[TypeDef], default_fns: &mut Namer) {
        for def in defs {
            if let TypeKind::Struct { fields, .. } = &def.kind {
                for field in fields {
                    let shape = self.field_shape(def.id, field);
                    if self.custom_default(shape, field).is_some() {
                        default_fns.ident(&default_fn_base(def, field));
                    }
                }
            }
        }
    }

    /// The default a field's own function returns, when it has one.
    fn custom_default<'f>(&self, shape: FieldShape, field: &'f Field) -> Option<&'f Value> {
        match (shape, &field.default) {
            (FieldShape::Defaulted, Some(default))
                if !self.is_natural_default(&field.ty, default) =>
            {
                Some(default)
            }
            _ => None,
        }
    }

    /// The const markers and the string constants module, after every type.
    pub fn emit_markers<E>(&self, item: &mut impl FnMut(Piece) -> Result<(), E>) -> Result<(), E> {
        let mut markers: Vec<&Marker> = self.naming.markers.values().collect();
        markers.sort_by_key(|m| m.order);
        for marker in &markers {
            item(Piece::Tokens(emit_marker(
                marker,
                &self.marker_idents[marker.order],
            )))?;
        }
        let strings: Vec<(&Ident, &str)> = markers
            .iter()
            .filter_map(|m| Some((&self.marker_idents[m.order], m.value.as_str()?)))
            .collect();
        if !strings.is_empty() {
            item(Piece::Tokens(constants_module(&strings)))?;
        }
        Ok(())
    }

    fn emit_def(&self, def: &TypeDef, default_fns: &mut Namer) -> Emitted {
        let name = &self.names[def.id];
        let title = def
            .title
            .as_deref()
            .filter(|title| !title_is_name(title, &def.name));
        let origin = origin_line(&def.origin);
        let doc = doc_text([def.description.as_deref().or(title), Some(&origin)]);
        // Only items printed from tokens need the doc as an attribute
        // (making the literal token costs about as much as the item's text).
        let docs = || match &doc {
            Some(doc) => quote!(#[doc = #doc]),
            None => TokenStream::new(),
        };
        match &def.kind {
            TypeKind::Struct { fields, additional } => Emitted::Pieces(self.emit_struct(
                def,
                (doc.as_deref(), &docs),
                fields,
                additional,
                default_fns,
            )),
            TypeKind::Enum { values } => {
                let text = string_enum_text(name, doc.as_deref(), values, def.default.as_ref());
                Emitted::Pieces(vec![Piece::printed_or(text, || {
                    emit_enum(name, &docs(), values, def.default.as_ref())
                })])
            }
            TypeKind::Union { variants, tag, .. } => {
                Emitted::Tokens(self.emit_union(def, &docs(), variants, tag.as_deref()))
            }
            TypeKind::Alias { target } => {
                let docs = docs();
                let target = self.rust_type(target, Some(def.id), &quote!());
                Emitted::Tokens(if self.naming.newtype_aliases.contains(&def.id) {
                    let from_json = from_json_through_serde(name);
                    quote! {
                        #docs
                        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                        #[serde(transparent)]
                        pub struct #name(pub #target);
                        #from_json
                    }
                } else {
                    quote!(#docs pub type #name = #target;)
                })
            }
        }
    }

    fn emit_struct(
        &self,
        def: &TypeDef,
        (doc, docs): (Option<&str>, &dyn Fn() -> TokenStream),
        fields: &[Field],
        additional: &Additional,
        default_fns: &mut Namer,
    ) -> Vec<Piece> {
        let name = &self.names[def.id];
        let mut namer = Namer::with_capacity(fields.len() + 1);
        let mut all_defaultable = true;
        let mut derive_default = true;
        let mut bases = Vec::new();
        let mut shapes = Vec::new();
        let mut customs = Vec::new();
        let mut read_kinds = Vec::new();
        // Each field's type as text (`None` where only tokens print it);
        // its tokens are made only for items printed from tokens.
        let mut type_texts = Vec::new();
        let mut optional = Vec::new();
        let mut helpers = Vec::new();
        // serde's derive only for a struct with a flattened map (rare): it
        // writes those as a map; every other struct gets a `StructWriter` impl.
        let derive_serialize = self.extra_type(additional).is_some();
        // Each field's value in `Default` and in the constructor.
        let mut default_texts: Vec<Option<String>> = Vec::new();
        for field in fields {
            let shape = self.field_shape(def.id, field);
            all_defaultable &= shape.defaultable();
            let custom = match self.custom_default(shape, field) {
                Some(default) => {
                    let expr = self.default_expr(&field.ty, default, Some(def.id));
                    let ty = self.rust_type(&field.ty, Some(def.id), &quote!());
                    let function = default_fns.ident(&default_fn_base(def, field));
                    let text = printed::type_text(&ty)
                        .zip(self.default_expr_text(&field.ty, default, def.id, expr.as_ref()))
                        .and_then(|(ty, expr)| {
                            printed::default_fn(&function.to_string(), &ty, &expr)
                        });
                    // Its tokens are made only where the text is not (or
                    // to check it, in debug builds).
                    helpers.push((text, function.clone(), ty, expr));
                    derive_default = false;
                    Some(function)
                }
                None => None,
            };
            default_texts.push(match (&custom, shape) {
                (Some(function), _) => Some(format!("{function}()")),
                (None, FieldShape::Required) => None,
                (None, _) => Some("::std::default::Default::default()".to_owned()),
            });
            read_kinds.push(match (&custom, shape) {
                (Some(function), _) => printed::Read::OrElse(function.to_string()),
                (None, FieldShape::Required) => printed::Read::Required,
                (None, FieldShape::OptionalNullable) => printed::Read::Present,
                (None, _) => printed::Read::OrDefault,
            });
            customs.push(custom);
            optional.push(matches!(
                shape,
                FieldShape::Optional | FieldShape::OptionalNullable
            ));
            bases.push(namer.base(&field.name.snake));
            type_texts.push(self.field_type_text(def.id, field, shape));
            shapes.push(shape);
        }
        let mut deny_unknown = false;
        let extra = self.extra_type(additional);
        let extra_field = extra.map(|_| namer.ident("additional"));
        let mut extra_declaration = None;
        match (extra, &extra_field) {
            (Some(extra), Some(field_name)) => {
                let value = self.rust_type(extra, None, &quote!());
                extra_declaration = Some(quote! {
                    #[doc = " Properties beyond the declared ones."]
                    #[serde(flatten)]
                    pub #field_name: ::chanx_runtime::IndexMap<::std::string::String, #value>,
                });
            }
            _ if *additional == Additional::Forbidden => deny_unknown = true,
            _ => {}
        }
        let field_types = || -> Vec<TokenStream> {
            fields
                .iter()
                .zip(&shapes)
                .map(|(field, shape)| self.field_type(def.id, field, *shape))
                .collect()
        };
        let default_values = || -> Vec<Option<TokenStream>> {
            customs
                .iter()
                .zip(&shapes)
                .map(|(custom, shape)| match (custom, shape) {
                    (Some(function), _) => Some(quote!(#function())),
                    (None, FieldShape::Required) => None,
                    (None, _) => Some(quote!(::std::default::Default::default())),
                })
                .collect()
        };
        let rendered = || {
            let field_types = field_types();
            let declared = fields
                .iter()
                .zip(&shapes)
                .zip(bases.iter().zip(&field_types))
                .map(|((field, shape), (base, ty))| {
                    Self::emit_field(field, *shape, derive_serialize, base, ty)
                });
            declared
                .chain(extra_declaration.clone())
                .collect::<Vec<_>>()
        };
        // The fields' names are their bases: "additional" is named after them.
        let field_idents = || -> Vec<Ident> { bases.iter().map(|base| ident(base)).collect() };
        let (default_derive, default_impl) = match (all_defaultable, derive_default) {
            (false, _) => (None, None),
            (true, true) => (Some(quote!(::std::default::Default)), None),
            (true, false) => {
                let default_values = default_values();
                let values = default_values.iter().flatten();
                let field_idents = field_idents();
                let extra = extra_field
                    .as_ref()
                    .map(|f| quote!(#f: ::std::default::Default::default(),));
                (
                    None,
                    Some(quote! {
                        impl ::std::default::Default for #name {
                            fn default() -> Self {
                                Self { #(#field_idents: #values,)* #extra }
                            }
                        }
                    }),
                )
            }
        };
        let name_text = unraw(name);
        let ident_texts: Vec<String> = bases.iter().map(|base| ident_text(base)).collect();
        let field_texts: Vec<printed::FieldText> = fields
            .iter()
            .zip(&ident_texts)
            .zip(&optional)
            .zip(&read_kinds)
            .map(|(((field, ident), optional), read)| printed::FieldText {
                ident,
                wire: &field.name.spec,
                optional: *optional,
                read,
            })
            .collect();
        let name_ident = name.to_string();
        let wire_names = fields.iter().map(|f| f.name.spec.as_str());
        let from_json_text = (!deny_unknown && extra_field.is_none())
            .then(|| printed::from_json(&name_ident, &name_text, &field_texts))
            .flatten();
        let from_json = || {
            let deny_unknown = deny_unknown.then(|| quote!(.deny_unknown()?));
            let body = if fields.is_empty() && extra_field.is_none() {
                quote! {
                    ::chanx_runtime::__private::Fields::new(value, #name_text, &[])?#deny_unknown;
                    ::std::result::Result::Ok(Self {})
                }
            } else {
                // Every field is read, then all are taken at once: a `?` per
                // field made the compiler check a drop path per field.
                let reads = shapes
                    .iter()
                    .zip(&customs)
                    .enumerate()
                    .map(|(index, (shape, custom))| field_read(index, *shape, custom.as_ref()))
                    .chain(extra_field.as_ref().map(|_| quote!(fields.take_rest())));
                // Bound by position (`f0`, `f1`, …): a field's own name could
                // be a constant's in a pattern, or a name lints reject.
                let field_idents = field_idents();
                let members: Vec<&Ident> =
                    field_idents.iter().chain(extra_field.as_ref()).collect();
                let bound: Vec<Ident> = (0..members.len()).map(|i| format_ident!("f{i}")).collect();
                quote! {
                    let fields = ::chanx_runtime::__private::Fields::new(value, #name_text, &[#(#wire_names),*])?#deny_unknown;
                    let (#(::std::option::Option::Some(#bound),)*) = (#(#reads,)*) else {
                        return ::std::result::Result::Err(fields.failed());
                    };
                    ::std::result::Result::Ok(Self { #(#members: #bound),* })
                }
            };
            quote! {
                impl ::chanx_runtime::__private::FromJson for #name {
                    fn from_json(value: &::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::__private::DeError> {
                        #body
                    }
                }
            }
        };
        let derives_default = default_derive.is_some();
        let derives = default_derive
            .into_iter()
            .chain(derive_serialize.then(|| quote!(::serde::Serialize)));
        let struct_text = (!derive_serialize && extra_field.is_none())
            .then(|| {
                let derive_texts: Vec<&str> = [
                    "::std::fmt::Debug",
                    "::std::clone::Clone",
                    "::std::cmp::PartialEq",
                ]
                .into_iter()
                .chain(derives_default.then_some("::std::default::Default"))
                .collect();
                let defs: Vec<printed::FieldDef> = fields
                    .iter()
                    .zip(&ident_texts)
                    .zip(&type_texts)
                    .map(|((field, ident), ty)| {
                        Some(printed::FieldDef {
                            doc: doc_text([field.description.as_deref()]),
                            deprecated: field.deprecated,
                            ident,
                            ty: ty.as_deref()?,
                        })
                    })
                    .collect::<Option<_>>()?;
                printed::struct_def(doc, &derive_texts, &name_ident, &defs)
            })
            .flatten();
        let mut pieces = vec![Piece::printed_or(struct_text, || {
            let rendered = rendered();
            let docs = docs();
            quote! {
                #docs
                #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq #(, #derives)*)]
                pub struct #name {
                    #(#rendered)*
                }
            }
        })];
        if !derive_serialize {
            let text = printed::serialize(&name_ident, &name_text, &field_texts);
            pieces.push(Piece::printed_or(text, || {
                let wire_names = fields.iter().map(|f| f.name.spec.as_str());
                write_struct(name, &field_idents(), wire_names, &optional)
            }));
        }
        pieces.push(Piece::printed_or(from_json_text, from_json));
        pieces.push(Piece::printed_or(printed::deserialize(&name_ident), || {
            deserialize_json(name)
        }));
        pieces.push(Piece::Tokens(quote!(#default_impl)));
        if has_constructor(&default_texts, extra_field.is_some()) {
            let text = extra_field
                .is_none()
                .then(|| self.constructor_text(def, &ident_texts, &type_texts, &default_texts))
                .flatten();
            pieces.push(Piece::printed_or(text, || {
                self.emit_constructor(
                    def,
                    &field_idents(),
                    &field_types(),
                    &default_values(),
                    extra_field.as_ref(),
                )
            }));
        }
        pieces.extend(helpers.into_iter().map(|(text, function, ty, expr)| {
            Piece::printed_or(text, || {
                quote! {
                    fn #function() -> #ty {
                        #expr
                    }
                }
            })
        }));
        pieces
    }

    /// The text of [`Self::emit_constructor`]'s impl (when there is one).
    fn constructor_text(
        &self,
        def: &TypeDef,
        idents: &[String],
        types: &[Option<String>],
        defaults: &[Option<String>],
    ) -> Option<String> {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        for ((ident, ty), default) in idents.iter().zip(types).zip(defaults) {
            match default {
                None => {
                    params.push([ident.as_str(), ": ", ty.as_deref()?].concat());
                    inits.push(ident.clone());
                }
                Some(value) => inits.push([ident.as_str(), ": ", value.as_str()].concat()),
            }
        }
        printed::constructor(&self.naming.names[def.id], &params, &inits)
    }

    /// `Name::new(required fields…)` filling in every other field (tags,
    /// defaults, optional fields, extra properties), so a message is built
    /// without spelling out its constant tag; written only when
    /// [`has_constructor`] says so.
    fn emit_constructor(
        &self,
        def: &TypeDef,
        idents: &[Ident],
        types: &[TokenStream],
        default_values: &[Option<TokenStream>],
        extra_field: Option<&Ident>,
    ) -> TokenStream {
        let name = &self.names[def.id];
        let mut params = Vec::new();
        let mut inits = Vec::new();
        for ((field_name, ty), default) in idents.iter().zip(types).zip(default_values) {
            match default {
                None => {
                    params.push(quote!(#field_name: #ty));
                    inits.push(quote!(#field_name));
                }
                Some(value) => inits.push(quote!(#field_name: #value)),
            }
        }
        if let Some(field_name) = extra_field {
            inits.push(quote!(#field_name: ::std::default::Default::default()));
        }
        quote! {
            impl #name {
                /// Builds the value from its required fields; every other field takes its default.
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits),* }
                }
            }
        }
    }

    /// [`Self::field_type`] as printed, when it prints as a path with
    /// generic arguments (see [`printed::type_text`]).
    fn field_type_text(&self, owner: TypeId, field: &Field, shape: FieldShape) -> Option<String> {
        let mut text = String::with_capacity(48);
        let optional = matches!(shape, FieldShape::Optional | FieldShape::OptionalNullable);
        if optional {
            text.push_str("::std::option::Option<");
        }
        self.write_type_text(&mut text, &field.ty, Some(owner))?;
        if optional {
            text.push('>');
        }
        Some(text)
    }

    /// Writes [`Self::rust_type`] (with no path) as [`printed::type_text`]
    /// prints its tokens; `None` for `()`, which it leaves to the printer.
    fn write_type_text(
        &self,
        text: &mut String,
        ty: &TypeRef,
        owner: Option<TypeId>,
    ) -> Option<()> {
        match ty {
            TypeRef::Named(id) => {
                let boxed = owner.is_some_and(|from| self.naming.boxed.contains(&(from, *id)));
                if boxed {
                    text.push_str("::std::boxed::Box<");
                }
                text.push_str(&self.naming.names[*id]);
                if boxed {
                    text.push('>');
                }
            }
            ty if ty.is_secret() => text.push_str("::chanx_runtime::Secret"),
            TypeRef::String { .. } => text.push_str("::std::string::String"),
            TypeRef::Integer { format } => text.push_str(match format.as_deref() {
                Some("int32") => "i32",
                Some("uint32") => "u32",
                Some("uint64") => "u64",
                _ => "i64",
            }),
            TypeRef::Number { .. } => text.push_str("f64"),
            TypeRef::Boolean => text.push_str("bool"),
            TypeRef::Null => return None,
            TypeRef::Any => text.push_str("::serde_json::Value"),
            TypeRef::Const(value) => match self.naming.markers.get(&value.to_string()) {
                Some(marker) => text.push_str(&marker.name),
                None => text.push_str("::serde_json::Value"),
            },
            TypeRef::Array(inner) => {
                text.push_str("::std::vec::Vec<");
                self.write_type_text(text, inner, None)?;
                text.push('>');
            }
            TypeRef::Map(inner) => {
                text.push_str("::chanx_runtime::IndexMap<::std::string::String, ");
                self.write_type_text(text, inner, None)?;
                text.push('>');
            }
            TypeRef::Nullable(inner) => {
                text.push_str("::std::option::Option<");
                self.write_type_text(text, strip_nullable(inner), owner)?;
                text.push('>');
            }
        }
        Some(())
    }

    /// A field's type, as declared in the struct.
    fn field_type(&self, owner: TypeId, field: &Field, shape: FieldShape) -> TokenStream {
        let ty = self.rust_type(&field.ty, Some(owner), &quote!());
        match shape {
            FieldShape::Const
            | FieldShape::OptionalNull
            | FieldShape::Defaulted
            | FieldShape::Required => ty,
            FieldShape::Optional | FieldShape::OptionalNullable => {
                quote!(::std::option::Option<#ty>)
            }
        }
    }

    /// A field's declaration: docs, serde attributes when serde's derive
    /// writes the struct, `pub name: Type,`.
    fn emit_field(
        field: &Field,
        shape: FieldShape,
        serde_attrs: bool,
        base: &str,
        ty: &TokenStream,
    ) -> TokenStream {
        let field_name = ident(base);
        let rename = (serde_attrs && base != field.name.spec).then(|| {
            let wire = &field.name.spec;
            quote!(#[serde(rename = #wire)])
        });
        let docs = doc_attrs([field.description.as_deref()]);
        let deprecated = field
            .deprecated
            .then(|| quote!(#[doc = ""] #[doc = " Deprecated."]));
        // Reading is `FromJson` (see `field_read`); serde only writes.
        let skip = matches!(shape, FieldShape::Optional | FieldShape::OptionalNullable)
            .then(|| quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]));
        let attrs = serde_attrs.then_some(skip);
        quote! {
            #docs
            #deprecated
            #rename
            #attrs
            pub #field_name: #ty,
        }
    }

    fn emit_union(
        &self,
        def: &TypeDef,
        docs: &TokenStream,
        variants: &[Variant],
        tag: Option<&str>,
    ) -> TokenStream {
        let name = &self.names[def.id];
        if variants.is_empty() {
            return quote!(#docs pub type #name = ::serde_json::Value;);
        }
        let mut namer = Namer::with_capacity(variants.len());
        let idents: Vec<Ident> = variants
            .iter()
            .map(|v| namer.ident(&v.name.pascal))
            .collect();
        let tys: Vec<TokenStream> = variants
            .iter()
            .map(|v| self.rust_type(&v.ty, Some(def.id), &quote!()))
            .collect();
        let tags: Option<Vec<&str>> = variants.iter().map(|v| v.tag_value.as_deref()).collect();
        match (tag, tags) {
            (Some(tag), Some(tags)) if all_unique(&tags) => {
                let holds_tag: Vec<bool> = variants
                    .iter()
                    .map(|v| self.holds_field(&v.ty, tag))
                    .collect();
                emit_tagged_union(name, docs, tag, &idents, &tys, &tags, &holds_tag)
            }
            _ => {
                let order = self.specificity_order(variants.iter().map(|v| &v.ty));
                let idents: Vec<&Ident> = order.iter().map(|&i| &idents[i]).collect();
                let tys = order.iter().map(|&i| &tys[i]);
                let name_text = unraw(name);
                let deserialize = deserialize_json(name);
                // Each variant in turn, the first that fits wins (serde's `untagged`).
                quote! {
                    #docs
                    #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize)]
                    #[serde(untagged)]
                    pub enum #name {
                        #(#idents(#tys),)*
                    }
                    impl ::chanx_runtime::__private::FromJson for #name {
                        fn from_json(value: &::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::__private::DeError> {
                            #(if let ::std::result::Result::Ok(variant) = ::chanx_runtime::__private::FromJson::from_json(value) {
                                return ::std::result::Result::Ok(Self::#idents(variant));
                            })*
                            ::std::result::Result::Err(::chanx_runtime::__private::no_variant_fits(#name_text))
                        }
                    }
                    #deserialize
                }
            }
        }
    }

    /// Whether `ty` is a struct declaring the property `wire_name`.
    fn holds_field(&self, ty: &TypeRef, wire_name: &str) -> bool {
        match ty {
            TypeRef::Named(id) => match &self.type_def(*id).kind {
                TypeKind::Struct { fields, .. } => fields.iter().any(|f| f.name.spec == wire_name),
                _ => false,
            },
            _ => false,
        }
    }

    /// Indices of `tys` ordered so that an untagged decode tries the most
    /// specific shape first: constants, then structs with more constants
    /// and required fields, then integers before numbers, `Any` last.
    /// Document order breaks ties (the sort is stable).
    pub fn specificity_order<'t>(&self, tys: impl Iterator<Item = &'t TypeRef>) -> Vec<usize> {
        let keys: Vec<(u8, usize, usize)> = tys.map(|ty| self.specificity(ty, 0)).collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|a, b| keys[*b].cmp(&keys[*a]));
        order
    }

    fn specificity(&self, ty: &TypeRef, depth: usize) -> (u8, usize, usize) {
        match ty {
            TypeRef::Const(_) => (5, 0, 0),
            TypeRef::Named(id) if depth < 16 => match &self.type_def(*id).kind {
                TypeKind::Struct { fields, .. } => {
                    let consts = fields
                        .iter()
                        .filter(|f| matches!(f.ty, TypeRef::Const(_)))
                        .count();
                    let required = fields.iter().filter(|f| f.required).count();
                    (4, consts, required)
                }
                TypeKind::Enum { .. } => (3, 0, 0),
                TypeKind::Alias { target } => self.specificity(target, depth + 1),
                TypeKind::Union { .. } => (1, 0, 0),
            },
            TypeRef::Integer { .. } | TypeRef::Boolean | TypeRef::Null => (3, 0, 0),
            TypeRef::Any => (0, 0, 0),
            TypeRef::Nullable(inner) => self.specificity(inner, depth + 1),
            _ => (2, 0, 0),
        }
    }
}

/// Properties that tag union variants and channel messages, by owning type.
fn tag_fields(api: &Api) -> HashSet<(TypeId, String)> {
    let mut out = HashSet::default();
    for def in &api.types.types {
        if let TypeKind::Union {
            variants,
            tag: Some(tag),
            ..
        } = &def.kind
        {
            for variant in variants {
                if let TypeRef::Named(id) = variant.ty {
                    out.insert((id, tag.clone()));
                }
            }
        }
    }
    for channel in &api.channels {
        let Some(key) = &channel.tag_key else {
            continue;
        };
        for member in &channel.messages {
            if let Some(TypeRef::Named(id)) = api.messages[member.message].payload {
                out.insert((id, key.clone()));
            }
        }
    }
    out
}

/// How a struct field is represented, from its requiredness and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// A const marker: always written, defaulted when absent. For required
    /// consts, and optional ones with a `default` (chanx's `action`): like
    /// pydantic, which always dumps a field that has a default.
    Const,
    /// Optional, only ever `null`, defaulting to `null` (chanx's
    /// `payload: null`): `()`, defaulted when absent, always written.
    OptionalNull,
    /// `T`.
    Required,
    /// `T` with the schema's `default` when absent; always written, as
    /// pydantic writes every field that has a default (`Optional[int] = None`
    /// is `Option<i64>`, written as `null`).
    Defaulted,
    /// `Option<T>`, skipped when `None`.
    Optional,
    /// `Option<Option<T>>`: absent, `null` and a value all round-trip.
    OptionalNullable,
}

impl FieldShape {
    fn of(field: &Field) -> Self {
        let has_default = field.default.is_some();
        match (&field.ty, field.required) {
            (TypeRef::Const(_), true) => FieldShape::Const,
            (TypeRef::Const(_), false) if has_default => FieldShape::Const,
            (TypeRef::Null, false) if has_default => FieldShape::OptionalNull,
            (_, true) => FieldShape::Required,
            (TypeRef::Nullable(_), false) => FieldShape::OptionalNullable,
            (_, false) => FieldShape::Optional,
        }
    }

    fn defaultable(self) -> bool {
        self != FieldShape::Required
    }

    /// A given value's expression in this shape (`Some(..)` for options).
    pub fn wrap_present(self, inner: TokenStream) -> TokenStream {
        match self {
            FieldShape::Optional | FieldShape::OptionalNullable => {
                quote!(::std::option::Option::Some(#inner))
            }
            _ => inner,
        }
    }
}

fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => strip_nullable(inner),
        other => other,
    }
}

fn all_unique(values: &[&str]) -> bool {
    let mut seen = HashSet::default();
    values.iter().all(|v| seen.insert(*v))
}

fn collect_consts<'t>(ty: &'t TypeRef, out: &mut Vec<&'t Value>) {
    match ty {
        TypeRef::Const(value) => out.push(value),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            collect_consts(inner, out)
        }
        _ => {}
    }
}

fn emit_enum(
    name: &Ident,
    docs: &TokenStream,
    values: &[EnumValue],
    default: Option<&Value>,
) -> TokenStream {
    let (idents, default_index) = enum_variants(values, default);
    let value_docs: Vec<TokenStream> = values
        .iter()
        .map(|v| doc_attrs([v.description.as_deref()]))
        .collect();
    let strings: Option<Vec<&str>> = values.iter().map(|v| v.value.as_str()).collect();
    if let Some(strings) = strings.filter(|strings| !strings.is_empty()) {
        let deserialize = deserialize_json(name);
        let type_name = name.to_string();
        // `Clone`, `Copy`, `Eq`, `Hash` and `Default` come from one macro
        // call, cheaper to check than their derives (`PartialEq` stays
        // derived: only a derived one lets constants be match patterns).
        let default = default_index.map(|i| {
            let variant = &idents[i];
            quote!(, default #variant)
        });
        return quote! {
            #docs
            #[derive(::std::fmt::Debug, ::std::cmp::PartialEq)]
            pub enum #name {
                #(#value_docs #idents,)*
            }
            ::chanx_runtime::__private::unit_enum_impls!(#name #default);
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    ::chanx_runtime::__private::unit_variant(serializer, #type_name, *self as usize, &[#(#strings),*])
                }
            }
            impl ::chanx_runtime::__private::FromJson for #name {
                fn from_json(value: &::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::__private::DeError> {
                    ::chanx_runtime::__private::variant_index(value, &[#(#strings),*]).map(|index| [#(Self::#idents),*][index])
                }
            }
            #deserialize
        };
    }
    // Other scalar enums derive `Default` (`#[default]` on its variant).
    let default_derive = default_index.map(|_| quote!(::std::default::Default,));
    let default_marks: Vec<TokenStream> = (0..values.len())
        .map(|i| {
            if Some(i) == default_index {
                quote!(#[default])
            } else {
                quote!()
            }
        })
        .collect();
    let serialize_arms = values.iter().zip(&idents).map(|(v, id)| {
        let expr = serialize_expr(&v.value);
        quote!(Self::#id => #expr,)
    });
    let matchers = values.iter().zip(&idents).map(|(v, id)| {
        let test = matches_expr(&v.value);
        quote!(if #test { return ::std::result::Result::Ok(Self::#id); })
    });
    let expected = values
        .iter()
        .map(|v| json_text(&v.value))
        .collect::<Vec<_>>()
        .join(", ");
    let from_json = from_json_through_serde(name);
    quote! {
        #docs
        #[derive(
            ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq,
            #default_derive
        )]
        pub enum #name {
            #(#value_docs #default_marks #idents,)*
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                #(#matchers)*
                ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom(::std::format_args!(
                    "expected one of {}, found {}", #expected, value
                )))
            }
        }
        #from_json
    }
}

/// An enum's variant identifiers, and which variant is its default.
fn enum_variants(values: &[EnumValue], default: Option<&Value>) -> (Vec<Ident>, Option<usize>) {
    let mut namer = Namer::with_capacity(values.len());
    let idents = values.iter().map(|v| namer.ident(&v.name.pascal)).collect();
    let default_index = default.and_then(|d| values.iter().position(|v| &v.value == d));
    (idents, default_index)
}

/// [`emit_enum`] of a string enum, as text.
fn string_enum_text(
    name: &Ident,
    doc: Option<&str>,
    values: &[EnumValue],
    default: Option<&Value>,
) -> Option<String> {
    let wires: Vec<&str> = values
        .iter()
        .map(|v| v.value.as_str())
        .collect::<Option<_>>()?;
    let (idents, default_index) = enum_variants(values, default);
    let idents: Vec<String> = idents.iter().map(Ident::to_string).collect();
    let variants: Vec<printed::VariantDef> = values
        .iter()
        .zip(&idents)
        .enumerate()
        .map(|(i, (value, ident))| printed::VariantDef {
            doc: doc_text([value.description.as_deref()]),
            is_default: Some(i) == default_index,
            ident,
        })
        .collect();
    printed::string_enum(doc, &name.to_string(), &variants, &wires)
}

fn emit_tagged_union(
    name: &Ident,
    docs: &TokenStream,
    tag: &str,
    idents: &[Ident],
    tys: &[TokenStream],
    tags: &[&str],
    holds_tag: &[bool],
) -> TokenStream {
    // A variant whose struct does not declare the tag gets it added when
    // written and removed before it is read (its struct may deny unknown keys).
    let serialize_arms = idents
        .iter()
        .zip(tags)
        .zip(holds_tag)
        .map(|((id, tag_value), holds)| {
            if *holds {
                quote!(Self::#id(inner) => ::serde::Serialize::serialize(inner, serializer),)
            } else {
                quote! {
                    Self::#id(inner) => {
                        let mut value = ::serde_json::to_value(inner)
                            .map_err(<S::Error as ::serde::ser::Error>::custom)?;
                        if let ::std::option::Option::Some(object) = value.as_object_mut() {
                            object.insert(
                                ::std::string::String::from(#tag),
                                ::serde_json::Value::from(#tag_value),
                            );
                        }
                        ::serde::Serialize::serialize(&value, serializer)
                    }
                }
            }
        });
    let strip_tag: Vec<TokenStream> = holds_tag
        .iter()
        .map(|holds| {
            if *holds {
                quote!(value)
            } else {
                quote! {{
                    let mut value = value;
                    if let ::std::option::Option::Some(object) = value.as_object_mut() {
                        object.remove(#tag);
                    }
                    value
                }}
            }
        })
        .collect();
    let expected = tags
        .iter()
        .map(|t| format!("{t:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let from_json = from_json_through_serde(name);
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        pub enum #name {
            #(#idents(#tys),)*
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                match value.get(#tag).and_then(::serde_json::Value::as_str) {
                    #(::std::option::Option::Some(#tags) => ::serde_json::from_value(#strip_tag)
                        .map(Self::#idents)
                        .map_err(<D::Error as ::serde::de::Error>::custom),)*
                    ::std::option::Option::Some(other) => ::std::result::Result::Err(
                        <D::Error as ::serde::de::Error>::custom(::std::format_args!(
                            "unknown `{}` value {:?}, expected one of {}", #tag, other, #expected
                        )),
                    ),
                    ::std::option::Option::None => ::std::result::Result::Err(
                        <D::Error as ::serde::de::Error>::missing_field(#tag),
                    ),
                }
            }
        }
        #from_json
    }
}

/// The module of the string constants' values, named so no type can
/// take its name (it is reserved before types are named).
const CONSTANTS: &str = "constants";

/// The `ConstStr` parameters of the string constants: one empty enum each,
/// whose `ConstStrValue` is the string.
fn constants_module(strings: &[(&Ident, &str)]) -> TokenStream {
    let module = ident(CONSTANTS);
    let (names, values): (Vec<&Ident>, Vec<&str>) = strings.iter().copied().unzip();
    quote! {
        #[doc = " The values of the string constant types above (their `ConstStr` parameters)."]
        #[doc(hidden)]
        pub mod #module {
            #(::chanx_runtime::__private::const_str_value!(#names = #values);)*
        }
    }
}

fn emit_marker(marker: &Marker, name: &Ident) -> TokenStream {
    let text = json_text(&marker.value);
    let doc = doc_line(&format!(
        "The constant `{text}`: (de)serializes exactly this value, and is the default."
    ));
    // String constants (every tag) are the runtime's generic `ConstStr`,
    // whose impls are written once there: a constant costs the module one
    // alias and one value in `constants`, and `cargo check` no function
    // bodies (a unit struct with its ten impls cost as much as a struct).
    if marker.value.is_string() {
        let module = ident(CONSTANTS);
        return quote! {
            #doc
            pub type #name = ::chanx_runtime::ConstStr<#module::#name>;
        };
    }
    let serialize = serialize_expr(&marker.value);
    let test = matches_expr(&marker.value);
    let from_json = from_json_through_serde(name);
    quote! {
        #doc
        #[derive(
            ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq,
            ::std::cmp::Eq, ::std::hash::Hash, ::std::default::Default
        )]
        pub struct #name;
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #serialize
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                if #test {
                    ::std::result::Result::Ok(#name)
                } else {
                    ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom(::std::format_args!(
                        "expected {}, found {}", #text, value
                    )))
                }
            }
        }
        #from_json
    }
}

/// Whether a struct gets a constructor ([`TypesModule::emit_constructor`]): one to
/// seven required fields, and at least one other (a default, or the extra
/// properties).
fn has_constructor(defaults: &[Option<String>], extra: bool) -> bool {
    let required = defaults.iter().filter(|d| d.is_none()).count();
    let defaulted = defaults.len() - required + usize::from(extra);
    (1..=7).contains(&required) && defaulted > 0
}

/// How the struct field at `index` is read: absent, it is an error, its
/// default, or `None` (telling it from a `null`, which is `Some(None)`).
fn field_read(index: usize, shape: FieldShape, default_fn: Option<&Ident>) -> TokenStream {
    let index = Literal::usize_unsuffixed(index);
    match (shape, default_fn) {
        (_, Some(function)) => quote!(fields.take_or_else(#index, #function)),
        (FieldShape::Required, None) => quote!(fields.take(#index)),
        (FieldShape::OptionalNullable, None) => quote!(fields.take_present(#index)),
        (
            FieldShape::Const
            | FieldShape::OptionalNull
            | FieldShape::Defaulted
            | FieldShape::Optional,
            None,
        ) => quote!(fields.take_or_default(#index)),
    }
}

/// `Serialize` for a struct without a flattened map: each field in order,
/// an optional one only when it is `Some`, as the derive with
/// `skip_serializing_if = "Option::is_none"` writes it.
fn write_struct<'a>(
    name: &Ident,
    idents: &[Ident],
    wire_names: impl Iterator<Item = &'a str>,
    optional: &[bool],
) -> TokenStream {
    let name_text = unraw(name);
    if idents.is_empty() {
        return quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    ::chanx_runtime::__private::StructWriter::new(serializer, #name_text, 0).end()
                }
            }
        };
    }
    // The count of written fields: the required ones, plus each optional one that is `Some`.
    let always = optional.iter().filter(|o| !**o).count();
    let present = idents
        .iter()
        .zip(optional)
        .filter(|(_, optional)| **optional)
        .map(|(id, _)| quote!(usize::from(self.#id.is_some())));
    let len = (always > 0)
        .then(|| {
            let always = Literal::usize_unsuffixed(always);
            quote!(#always)
        })
        .into_iter()
        .chain(present);
    let writes = idents
        .iter()
        .zip(wire_names)
        .zip(optional)
        .map(|((id, wire), optional)| {
            if *optional {
                quote!(out.optional(#wire, &self.#id);)
            } else {
                quote!(out.field(#wire, &self.#id);)
            }
        });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let mut out = ::chanx_runtime::__private::StructWriter::new(serializer, #name_text, #(#len)+*);
                #(#writes)*
                out.end()
            }
        }
    }
}

/// The identifier as serde names the type in its messages (no `r#`).
fn unraw(name: &Ident) -> String {
    name.to_string().trim_start_matches("r#").to_owned()
}

/// `Deserialize` through `FromJson`: the type's reading is written once.
fn deserialize_json(name: &Ident) -> TokenStream {
    quote! {
        ::chanx_runtime::__private::deserialize_through_from_json!(#name);
    }
}

/// `FromJson` through the type's own `Deserialize` (a hand-written one).
fn from_json_through_serde(name: &Ident) -> TokenStream {
    quote! {
        impl ::chanx_runtime::__private::FromJson for #name {
            fn from_json(value: &::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::__private::DeError> {
                ::chanx_runtime::__private::from_json_through_serde(value)
            }
        }
    }
}

/// The name a field's default function is made from (clashes get a suffix).
fn default_fn_base(def: &TypeDef, field: &Field) -> String {
    ["default_", &def.name.snake, "_", &field.name.snake].concat()
}
