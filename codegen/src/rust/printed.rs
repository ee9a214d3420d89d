//! The impls every generated struct has (`Serialize` through
//! `StructWriter`, `FromJson` through `Fields`, `Deserialize` through
//! `FromJson`), written straight as the text `prettyplease` prints for them.
//!
//! Parsing and printing token trees was most of generating a large
//! document, and these impls are most of its items. They have a fixed
//! shape, so their printed form is known; where it would depend on
//! prettyplease's line breaking in a way not written out here (a line at
//! the margin, where a trailing comma may or may not count; an unusual
//! string literal; a name too long for any line), the function returns
//! `None` and the caller prints tokens as before. Debug builds print the tokens too and check that both
//! agree (`format::Module::printed`), so every test of generated code checks
//! this module against prettyplease.

use std::fmt::Write;

/// prettyplease's margin is 89 columns: a line is taken as fitting only
/// well inside it, and as breaking only well beyond it, so that a width
/// near the margin (where its algorithm's details decide) is never guessed.
pub(super) const FITS: usize = 89;
pub(super) const BREAKS: usize = 90;

/// The widest struct literal (`Self { a: x }`) prettyplease keeps on one
/// line: its box may be 34 columns wide, up to the space before `}`.
const STRUCT_LITERAL_ONE_LINE: usize = 35;

/// How a struct field is read by `FromJson`.
pub enum Read {
    Required,
    OrDefault,
    Present,
    /// Through the named default function.
    OrElse(String),
}

/// One field of a struct, as its impls name it.
pub struct FieldText<'a> {
    /// The Rust identifier (`r#type` for a keyword).
    pub ident: &'a str,
    /// The property's name on the wire.
    pub wire: &'a str,
    pub optional: bool,
    pub read: &'a Read,
}

// Lines are put together with `[…].concat()` rather than `format!`:
// the formatting machinery cost several times the copying, and was a
// tenth of a large document's instructions.

/// Lines at the module's item level (indented 4 columns).
pub(super) struct Lines {
    pub(super) text: String,
}

impl Lines {
    pub(super) fn new() -> Self {
        Lines {
            text: String::with_capacity(1024),
        }
    }

    /// One line at `level` (the item is level 1), if it fits.
    pub(super) fn line(&mut self, level: usize, text: &str) -> Option<()> {
        self.line_ending(level, text, "")
    }

    /// One element of a list broken one per line, `text,`, if it fits.
    pub(super) fn element(&mut self, level: usize, text: &str) -> Option<()> {
        self.line_ending(level, text, ",")
    }

    fn line_ending(&mut self, level: usize, text: &str, end: &str) -> Option<()> {
        if width(level, text) + end.len() > FITS {
            return None;
        }
        self.indent(level);
        self.text.push_str(text);
        self.text.push_str(end);
        self.text.push('\n');
        Some(())
    }

    /// Four spaces a level, copied at once (a line that fits is at most
    /// [`FITS`] wide, so its indentation is too).
    fn indent(&mut self, level: usize) {
        const SPACES: &str = match str::from_utf8(&[b' '; FITS]) {
            Ok(spaces) => spaces,
            Err(_) => panic!("spaces are UTF-8"),
        };
        match SPACES.get(..4 * level) {
            Some(spaces) => self.text.push_str(spaces),
            None => (0..level).for_each(|_| self.text.push_str("    ")),
        }
    }

    /// `#[doc = "…"]` as prettyplease prints it: `///` and the text, its
    /// trailing spaces dropped (comments are not wrapped, so any width).
    pub(super) fn doc(&mut self, level: usize, doc: &str) -> Option<()> {
        if doc.contains('\n') || doc.starts_with('/') {
            return None;
        }
        self.indent(level);
        self.text.push_str("///");
        self.text.push_str(doc.trim_end_matches(' '));
        self.text.push('\n');
        Some(())
    }
}

/// `"text"` as the code generator's string literals print it, for text
/// whose literal is itself between quotes (printable ASCII, no `"` or `\`).
pub(super) fn string(text: &str) -> Option<String> {
    text.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
        .then(|| ["\"", text, "\""].concat())
}

/// The `Serialize` impl of a struct with at least one field.
pub fn serialize(name: &str, type_name: &str, fields: &[FieldText]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let name_literal = string(type_name)?;
    let always = fields.iter().filter(|f| !f.optional).count();
    let mut len = Vec::new();
    if always > 0 {
        len.push(always.to_string());
    }
    for field in fields.iter().filter(|f| f.optional) {
        len.push(["usize::from(self.", field.ident, ".is_some())"].concat());
    }
    let mut out = Lines::new();
    serialize_open(&mut out, name)?;
    let open = "let mut out = ::chanx_runtime::__private::StructWriter::new(";
    let one_line = [
        open,
        "serializer, ",
        &name_literal,
        ", ",
        &len.join(" + "),
        ");",
    ]
    .concat();
    if width(3, &one_line) <= FITS {
        out.line(3, &one_line)?;
    } else {
        out.line(3, open)?;
        out.line(4, "serializer,")?;
        out.element(4, &name_literal)?;
        sum(&mut out, &len)?;
        out.line(3, ");")?;
    }
    for field in fields {
        let method = if field.optional { "optional" } else { "field" };
        let wire = string(field.wire)?;
        let value = ["&self.", field.ident].concat();
        let line = ["out.", method, "(", &wire, ", ", &value, ");"].concat();
        match fit(3, &line) {
            Fit::OneLine => out.line(3, &line)?,
            Fit::AtMargin => return None,
            Fit::Broken => {
                out.line(3, &["out.", method, "("].concat())?;
                out.element(4, &wire)?;
                out.element(4, &value)?;
                out.line(3, ");")?;
            }
        }
    }
    out.line(3, "out.end()")?;
    out.line(2, "}")?;
    out.line(1, "}")?;
    Some(out.text)
}

/// `impl Serialize for Name {` and its method's signature.
fn serialize_open(out: &mut Lines, name: &str) -> Option<()> {
    impl_header(out, "::serde::Serialize", name)?;
    out.line(2, "fn serialize<S: ::serde::Serializer>(")?;
    out.line(3, "&self,")?;
    out.line(3, "serializer: S,")?;
    out.line(2, ") -> ::std::result::Result<S::Ok, S::Error> {")
}

/// The `Serialize` impl of a string enum: one call of the runtime's
/// `unit_variant`, as serde's derive would serialize it. The call never
/// fits on one line (93 columns with a one-letter name and value), so its
/// arguments go one per line; a list of strings too long for its line is
/// broken one per line too ([`slice_arg`]).
fn unit_variant_serialize(out: &mut Lines, name: &str, wires: &[String]) -> Option<()> {
    serialize_open(out, name)?;
    out.line(3, "::chanx_runtime::__private::unit_variant(")?;
    out.line(4, "serializer,")?;
    out.line(4, &[string(name)?.as_str(), ","].concat())?;
    out.line(4, "*self as usize,")?;
    slice_arg(out, 4, wires)?;
    out.line(3, ")")?;
    out.line(2, "}")?;
    out.line(1, "}")
}

/// The `FromJson` impl of a struct with at least one field, no extra
/// properties and unknown properties allowed.
pub fn from_json(name: &str, type_name: &str, fields: &[FieldText]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let name_literal = string(type_name)?;
    let wires: Vec<String> = fields
        .iter()
        .map(|field| string(field.wire))
        .collect::<Option<_>>()?;
    let mut out = Lines::new();
    from_json_open(&mut out, name)?;
    call(
        &mut out,
        "let fields = ::chanx_runtime::__private::Fields::new(",
        &[
            Arg::Text("value"),
            Arg::Text(&name_literal),
            Arg::Slice(&wires),
        ],
        ")?;",
    )?;
    let mut patterns = Vec::with_capacity(fields.len());
    let mut reads = Vec::with_capacity(fields.len());
    for (index, field) in fields.iter().enumerate() {
        let index_text = index.to_string();
        patterns.push(["::std::option::Option::Some(f", &index_text, ")"].concat());
        reads.push(match &field.read {
            Read::Required => ["fields.take(", &index_text, ")"].concat(),
            Read::OrDefault => ["fields.take_or_default(", &index_text, ")"].concat(),
            Read::Present => ["fields.take_present(", &index_text, ")"].concat(),
            Read::OrElse(function) => {
                ["fields.take_or_else(", &index_text, ", ", function, ")"].concat()
            }
        });
    }
    let_else(&mut out, &patterns, &reads)?;
    let inits: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(index, field)| [field.ident, ": f", &index.to_string()].concat())
        .collect();
    // prettyplease keeps a struct literal on one line only when
    // `Self { fields ` is at most 34 columns wide (its box's maximum
    // width), so the literal at most 35 (and the line fits).
    let literal = ["Self { ", &inits.join(", "), " }"].concat();
    let one_line = ["::std::result::Result::Ok(", &literal, ")"].concat();
    match literal.chars().count() {
        n if n <= STRUCT_LITERAL_ONE_LINE && width(3, &one_line) <= FITS => {
            out.line(3, &one_line)?
        }
        n if n > STRUCT_LITERAL_ONE_LINE => {
            out.line(3, "::std::result::Result::Ok(Self {")?;
            for init in &inits {
                out.element(4, init)?;
            }
            out.line(3, "})")?;
        }
        _ => return None,
    }
    out.line(2, "}")?;
    out.line(1, "}")?;
    Some(out.text)
}

/// The widest element of a tuple prettyplease prints on its own line
/// unbroken (a longer method call is split at its `.`).
const TUPLE_ELEMENT: usize = 72;

/// `let (Some(f0), …) = (fields.take(0), …) else { return Err(…) };` as
/// prettyplease breaks it: the whole on one line; else the reads one per
/// line; else the patterns one per line, then `) = (reads) else {` on one
/// line, or `else {` on the next, or the reads one per line. Widths of 90
/// (where its choice was not probed) return `None`.
fn let_else(out: &mut Lines, patterns: &[String], reads: &[String]) -> Option<()> {
    if patterns
        .iter()
        .chain(reads)
        .any(|element| element.chars().count() > TUPLE_ELEMENT)
    {
        return None;
    }
    let pattern = tuple(patterns);
    let read = tuple(reads);
    let one_line = ["let ", &pattern, " = ", &read, " else {"].concat();
    let without_else = ["let ", &pattern, " = ", &read].concat();
    let open = ["let ", &pattern, " = ("].concat();
    if width(3, &one_line) <= FITS {
        out.line(3, &one_line)?;
    } else if width(3, &one_line) == BREAKS {
        return None;
    } else if width(3, &without_else) <= FITS {
        // `else {` alone after the whole: with patterns `Some(fN)` and
        // reads of real default names, no struct comes out this way.
        return None;
    } else if width(3, &open) <= FITS {
        out.line(3, &open)?;
        elements(out, reads)?;
        out.line(3, ") else {")?;
    } else if width(3, &open) == BREAKS {
        return None;
    } else {
        out.line(3, "let (")?;
        elements(out, patterns)?;
        let rest = [") = ", &read, " else {"].concat();
        let rest_without_else = [") = ", &read].concat();
        if width(3, &rest) <= FITS {
            out.line(3, &rest)?;
        } else if width(3, &rest) == BREAKS {
            return None;
        } else if width(3, &rest_without_else) <= FITS {
            out.line(3, &rest_without_else)?;
            out.line(3, "else {")?;
        } else {
            out.line(3, ") = (")?;
            elements(out, reads)?;
            out.line(3, ") else {")?;
        }
    }
    out.line(4, "return ::std::result::Result::Err(fields.failed());")?;
    out.line(3, "};")
}

/// `(a, b)`, or `(a,)` for one element.
fn tuple(elements: &[String]) -> String {
    let mut text = ["(", &elements.join(", ")].concat();
    text.push_str(if elements.len() == 1 { ",)" } else { ")" });
    text
}

/// Each element on its own line, followed by a comma.
fn elements(out: &mut Lines, elements: &[String]) -> Option<()> {
    elements
        .iter()
        .try_for_each(|element| out.element(4, element))
}

/// `deserialize_through_from_json!(Name);`, broken around `Name` when
/// the line does not fit.
pub fn deserialize(name: &str) -> Option<String> {
    let mut out = Lines::new();
    let one_line = [
        "::chanx_runtime::__private::deserialize_through_from_json!(",
        name,
        ");",
    ]
    .concat();
    if width(1, &one_line) <= FITS {
        out.line(1, &one_line)?;
    } else {
        out.line(
            1,
            "::chanx_runtime::__private::deserialize_through_from_json!(",
        )?;
        out.line(2, name)?;
        out.line(1, ");")?;
    }
    Some(out.text)
}

/// The columns `text` takes at `level` (its characters: generated code is
/// nearly all ASCII, checked a word at a time before counting).
pub(super) fn width(level: usize, text: &str) -> usize {
    let chars = if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    };
    level * 4 + chars
}

/// How a line ending in a comma or semicolon fits at `level`.
pub(super) enum Fit {
    OneLine,
    /// Fits only without its last character: whether prettyplease lets
    /// that pass the margin was not probed, so it is left to the printer.
    AtMargin,
    Broken,
}

pub(super) fn fit(level: usize, line: &str) -> Fit {
    match width(level, line) {
        w if w <= FITS => Fit::OneLine,
        w if w == BREAKS => Fit::AtMargin,
        _ => Fit::Broken,
    }
}

/// `terms` joined by ` + ` as the last argument of a broken call (level
/// 4, then a comma): as prettyplease fills a binary expression, each
/// `+ term` goes on the line if it fits, else starts the next one, four
/// columns further in.
fn sum(out: &mut Lines, terms: &[String]) -> Option<()> {
    let (first, rest) = terms.split_first()?;
    let mut line = first.clone();
    let mut level = 4;
    // The comma after the last term is not counted (it follows the
    // expression's box, and prettyplease lets it pass the margin).
    for term in rest {
        if width(level, &line) + 3 + term.chars().count() <= FITS {
            line.push_str(" + ");
            line.push_str(term);
        } else {
            out.line(level, &line)?;
            level = 5;
            line = ["+ ", term].concat();
        }
    }
    line.push(',');
    out.line(level, &line)
}

/// An argument of [`call`].
enum Arg<'a> {
    Text(&'a str),
    /// `&[a, b, …]`, broken one element per line when too long.
    Slice(&'a [String]),
}

impl Arg<'_> {
    fn one_line(&self) -> String {
        match self {
            Arg::Text(text) => (*text).to_owned(),
            Arg::Slice(elements) => ["&[", &elements.join(", "), "]"].concat(),
        }
    }
}

/// `&[a, b, …],` as an argument on a line of its own at `level`, or when
/// too long, one element per line. A slice that fits only without its
/// comma is left to the printer.
fn slice_arg(out: &mut Lines, level: usize, elements: &[String]) -> Option<()> {
    let slice = ["&[", &elements.join(", "), "],"].concat();
    match fit(level, &slice) {
        Fit::OneLine => return out.line(level, &slice),
        Fit::AtMargin => return None,
        Fit::Broken => {}
    }
    out.line(level, "&[")?;
    for element in elements {
        out.element(level + 1, element)?;
    }
    out.line(level, "],")
}

/// A statement `open args… close` at level 3: on one line if it fits, else
/// one argument per line (a slice too long for its line broken in turn,
/// one element per line).
fn call(out: &mut Lines, open: &str, args: &[Arg], close: &str) -> Option<()> {
    let args_text: Vec<String> = args.iter().map(Arg::one_line).collect();
    let one_line = [open, &args_text.join(", "), close].concat();
    match width(3, &one_line) {
        w if w <= FITS => out.line(3, &one_line),
        w if w >= BREAKS => {
            out.line(3, open)?;
            for (arg, text) in args.iter().zip(&args_text) {
                match arg {
                    Arg::Slice(elements) => slice_arg(out, 4, elements)?,
                    Arg::Text(_) => {
                        let mut line = String::with_capacity(text.len() + 1);
                        let _ = write!(line, "{text},");
                        out.line(4, &line)?;
                    }
                }
            }
            out.line(3, close)
        }
        _ => None,
    }
}

/// A field of a struct definition.
pub struct FieldDef<'a> {
    /// Its doc attribute's value, if it has one.
    pub doc: Option<String>,
    pub deprecated: bool,
    pub ident: &'a str,
    /// Its type, as [`type_text`] prints it.
    pub ty: &'a str,
}

/// `pub struct Name { fields }` with its docs and derives, when it has at
/// least one field and needs no serde attributes.
pub fn struct_def(
    doc: Option<&str>,
    derives: &[&str],
    name: &str,
    fields: &[FieldDef],
) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let mut out = Lines::new();
    type_header(
        &mut out,
        doc,
        derives,
        &["pub struct ", name, " {"].concat(),
    )?;
    for field in fields {
        if let Some(doc) = &field.doc {
            out.doc(2, doc)?;
        }
        if field.deprecated {
            out.doc(2, "")?;
            out.doc(2, " Deprecated.")?;
        }
        field_line(&mut out, field.ident, field.ty)?;
    }
    out.line(1, "}")?;
    Some(out.text)
}

/// `pub name: Type,`, or when too long, `Type`'s one generic argument on
/// a line of its own: `pub name: Outer<` / `Inner,` / `>,`. Anything else
/// too long (several arguments, an argument that is itself too long) is
/// left to the printer, as is a line that fits only without its comma.
fn field_line(out: &mut Lines, ident: &str, ty: &str) -> Option<()> {
    let line = ["pub ", ident, ": ", ty, ","].concat();
    match fit(2, &line) {
        Fit::OneLine => return out.line(2, &line),
        Fit::AtMargin => return None,
        Fit::Broken => {}
    }
    let (outer, inner) = ty.split_once('<')?;
    let inner = inner.strip_suffix('>')?;
    if !one_generic_argument(inner) {
        return None;
    }
    out.line(2, &["pub ", ident, ": ", outer, "<"].concat())?;
    out.element(3, inner)?;
    out.line(2, ">,")
}

/// Whether `args`, the text between a type's first `<` and its last `>`,
/// is one generic argument of that list: every `<` in it closed inside it
/// (not `A<X>::B<Y>`), and no `,` outside them.
fn one_generic_argument(args: &str) -> bool {
    let mut depth = 0usize;
    for c in args.chars() {
        match c {
            '<' => depth += 1,
            '>' => match depth.checked_sub(1) {
                Some(less) => depth = less,
                None => return false,
            },
            ',' if depth == 0 => return false,
            _ => {}
        }
    }
    depth == 0
}

/// A type's tokens as printed: paths and generic arguments only (no
/// references, tuples, arrays or trait objects, which the caller prints).
pub fn type_text(tokens: &proc_macro2::TokenStream) -> Option<String> {
    use proc_macro2::TokenTree;
    let mut text = String::with_capacity(64);
    let mut after_ident = false;
    for token in tokens.clone() {
        match token {
            TokenTree::Ident(ident) => {
                if after_ident {
                    return None;
                }
                write!(text, "{ident}").ok()?;
                after_ident = true;
            }
            TokenTree::Punct(punct) => {
                match punct.as_char() {
                    ':' | '<' | '>' => text.push(punct.as_char()),
                    ',' => text.push_str(", "),
                    _ => return None,
                }
                after_ident = false;
            }
            TokenTree::Group(_) | TokenTree::Literal(_) => return None,
        }
    }
    Some(text)
}

/// `impl Name { pub fn new(params) -> Self { Self { inits } } }`; `params`
/// are `ident: Type` texts, `inits` field initialisers.
pub fn constructor(name: &str, params: &[String], inits: &[String]) -> Option<String> {
    let mut out = Lines::new();
    out.line(1, &["impl ", name, " {"].concat())?;
    out.doc(
        2,
        " Builds the value from its required fields; every other field takes its default.",
    )?;
    let signature = ["pub fn new(", &params.join(", "), ") -> Self {"].concat();
    match width(2, &signature) {
        w if w <= FITS => out.line(2, &signature)?,
        w if w >= BREAKS => {
            out.line(2, "pub fn new(")?;
            for param in params {
                out.element(3, param)?;
            }
            out.line(2, ") -> Self {")?;
        }
        _ => return None,
    }
    let literal = ["Self { ", &inits.join(", "), " }"].concat();
    match literal.chars().count() {
        n if n <= STRUCT_LITERAL_ONE_LINE && width(3, &literal) <= FITS => out.line(3, &literal)?,
        n if n > STRUCT_LITERAL_ONE_LINE => {
            out.line(3, "Self {")?;
            for init in inits {
                out.element(4, init)?;
            }
            out.line(3, "}")?;
        }
        _ => return None,
    }
    out.line(2, "}")?;
    out.line(1, "}")?;
    Some(out.text)
}

/// `fn name() -> Type { expr }`, a field's default function; `expr` is
/// one line of plain tokens.
pub fn default_fn(name: &str, ty: &str, expr: &str) -> Option<String> {
    let mut out = Lines::new();
    out.line(1, &["fn ", name, "() -> ", ty, " {"].concat())?;
    out.line(2, expr)?;
    out.line(1, "}")?;
    Some(out.text)
}

/// A variant of a string enum.
pub struct VariantDef<'a> {
    pub doc: Option<String>,
    pub is_default: bool,
    pub ident: &'a str,
}

/// A string enum: its definition, its `unit_enum_impls!` (`Clone`,
/// `Copy`, `Eq`, `Hash`, `Default`), `Serialize`, `FromJson` and
/// `Deserialize`.
pub fn string_enum(
    doc: Option<&str>,
    name: &str,
    variants: &[VariantDef],
    wires: &[&str],
) -> Option<String> {
    if variants.is_empty() {
        return None;
    }
    let mut out = Lines::new();
    let derives = ["::std::fmt::Debug", "::std::cmp::PartialEq"];
    type_header(&mut out, doc, &derives, &["pub enum ", name, " {"].concat())?;
    for variant in variants {
        if let Some(doc) = &variant.doc {
            out.doc(2, doc)?;
        }
        out.element(2, variant.ident)?;
    }
    out.line(1, "}")?;
    let default = match variants.iter().find(|v| v.is_default) {
        Some(variant) => [", default ", variant.ident].concat(),
        None => String::new(),
    };
    let impls = [
        "::chanx_runtime::__private::unit_enum_impls!(",
        name,
        &default,
        ");",
    ]
    .concat();
    if width(1, &impls) <= FITS {
        out.line(1, &impls)?;
    } else if default.is_empty() {
        // Broken around the name, as `deserialize_through_from_json!`.
        out.line(1, "::chanx_runtime::__private::unit_enum_impls!(")?;
        out.line(2, name)?;
        out.line(1, ");")?;
    } else {
        // `Name, default Variant` is no expression list: left to the printer.
        return None;
    }
    let strings: Vec<String> = wires.iter().map(|w| string(w)).collect::<Option<_>>()?;
    unit_variant_serialize(&mut out, name, &strings)?;
    from_json_open(&mut out, name)?;
    let call = format!(
        "::chanx_runtime::__private::variant_index(value, &[{}])",
        strings.join(", ")
    );
    let selves: Vec<String> = variants
        .iter()
        .map(|v| ["Self::", v.ident].concat())
        .collect();
    let map = format!(".map(|index| [{}][index])", selves.join(", "));
    let one_line = [call.as_str(), &map].concat();
    if width(3, &one_line) <= FITS {
        out.line(3, &one_line)?;
    } else {
        // A broken method chain: the call, its arguments one per line
        // two levels in when it does not fit; then `.map(…)` one level in,
        // its closure's body in a block when it does not fit either.
        if width(3, &call) <= FITS {
            out.line(3, &call)?;
        } else {
            out.line(3, "::chanx_runtime::__private::variant_index(")?;
            out.line(5, "value,")?;
            slice_arg(&mut out, 5, &strings)?;
            out.line(4, ")")?;
        }
        if width(4, &map) <= FITS {
            out.line(4, &map)?;
        } else {
            out.line(4, ".map(|index| {")?;
            let array = format!("[{}][index]", selves.join(", "));
            if width(5, &array) <= FITS {
                out.line(5, &array)?;
            } else {
                out.line(5, "[")?;
                for variant in &selves {
                    out.element(6, variant)?;
                }
                out.line(5, "][index]")?;
            }
            out.line(4, "})")?;
        }
    }
    out.line(2, "}")?;
    out.line(1, "}")?;
    out.text.push_str(&deserialize(name)?);
    Some(out.text)
}

/// A type's docs, derives and opening line (`pub struct Name {`).
fn type_header(out: &mut Lines, doc: Option<&str>, derives: &[&str], open: &str) -> Option<()> {
    if let Some(doc) = doc {
        out.doc(1, doc)?;
    }
    derive(out, derives)?;
    out.line(1, open)
}

/// `impl FromJson for Name {` and its method's signature.
fn from_json_open(out: &mut Lines, name: &str) -> Option<()> {
    impl_header(out, "::chanx_runtime::__private::FromJson", name)?;
    out.line(2, "fn from_json(")?;
    out.line(3, "value: &::chanx_runtime::json::Json,")?;
    out.line(
        2,
        ") -> ::std::result::Result<Self, ::chanx_runtime::__private::DeError> {",
    )
}

/// `impl Trait for Name {` on one line if it fits, else broken before
/// `for` (both lines at the item's level).
fn impl_header(out: &mut Lines, trait_path: &str, name: &str) -> Option<()> {
    let one_line = ["impl ", trait_path, " for ", name, " {"].concat();
    if width(1, &one_line) <= FITS {
        return out.line(1, &one_line);
    }
    out.line(1, &["impl ", trait_path].concat())?;
    out.line(1, &["for ", name, " {"].concat())
}

/// `#[derive(…)]` on one line if it fits, else one derive per line.
fn derive(out: &mut Lines, derives: &[&str]) -> Option<()> {
    let one_line = ["#[derive(", &derives.join(", "), ")]"].concat();
    match width(1, &one_line) {
        w if w <= FITS => out.line(1, &one_line),
        w if w >= BREAKS => {
            out.line(1, "#[derive(")?;
            for (i, derive) in derives.iter().enumerate() {
                let comma = if i + 1 < derives.len() { "," } else { "" };
                out.line(2, &[derive, comma].concat())?;
            }
            out.line(1, ")]")
        }
        _ => None,
    }
}

/// Each broken shape is written as text (not left to the printer), and a
/// width where prettyplease's choice was not probed is left to it.
/// (Whether the text is what prettyplease prints is checked by every test
/// that generates code, in debug builds.)
#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(ident: &'a str, read: &'a Read) -> FieldText<'a> {
        FieldText {
            ident,
            wire: ident,
            optional: true,
            read,
        }
    }

    #[test]
    fn long_impl_headers_slices_and_calls_are_broken_as_text() {
        let name = format!("N{}", "x".repeat(50));
        let read = Read::OrDefault;
        let long = format!("f{}", "y".repeat(40));
        let fields: Vec<FieldText> = (0..6)
            .map(|_| field(&long, &read))
            .chain([field("a", &read)])
            .collect();
        let text = from_json(&name, &name, &fields[5..]).expect("written as text");
        assert!(text.starts_with(&format!(
            "    impl ::chanx_runtime::__private::FromJson\n    for {name} {{\n"
        )));
        let text = serialize(&name, &name, &fields[..1]).expect("written as text");
        assert!(text.contains(&format!(
            "            out.optional(\n                \"{long}\",\n                &self.{long},\n            );\n"
        )));
        let mut out = Lines::new();
        let wires: Vec<String> = (0..4)
            .map(|i| format!("\"w{i}{}\"", "z".repeat(20)))
            .collect();
        slice_arg(&mut out, 4, &wires).expect("written as text");
        assert!(
            out.text
                .starts_with("                &[\n                    \"w0")
        );
    }

    #[test]
    fn a_slice_at_the_margin_is_left_to_the_printer() {
        // `&[…]` exactly 89 columns at level 4: fits only without its comma.
        let element = format!("\"{}\"", "e".repeat(89 - 16 - 5));
        assert_eq!(width(4, &format!("&[{element}]")), FITS);
        assert!(slice_arg(&mut Lines::new(), 4, &[element]).is_none());
    }

    #[test]
    fn field_types_break_around_one_generic_list_only() {
        let ident = format!("f{}", "y".repeat(40));
        let mut out = Lines::new();
        field_line(
            &mut out,
            &ident,
            "::std::option::Option<::std::vec::Vec<::std::string::String>>",
        )
        .expect("written as text");
        assert_eq!(
            out.text,
            format!(
                "        pub {ident}: ::std::option::Option<\n            ::std::vec::Vec<::std::string::String>,\n        >,\n"
            )
        );
        // Two arguments, or a generic list that is not the type's last part.
        let two = "::std::collections::HashMap<::std::string::String, ::serde_json::Value>";
        assert!(field_line(&mut Lines::new(), &ident, two).is_none());
        let path = "a::Bbbbbbbbbbbbbbbbbbbbbb<Xxxxxxxxxxxx>::Cccccccccccccccccccc<Yyyyyyyyyyyyyy>";
        assert!(field_line(&mut Lines::new(), &ident, path).is_none());
    }

    #[test]
    fn long_string_enum_chains_are_broken_as_text() {
        let values: Vec<String> = (0..4).map(|i| format!("V{i}{}", "z".repeat(16))).collect();
        let variants: Vec<VariantDef> = values
            .iter()
            .map(|ident| VariantDef {
                doc: None,
                is_default: false,
                ident,
            })
            .collect();
        let wires: Vec<&str> = values.iter().map(String::as_str).collect();
        let text = string_enum(None, "E", &variants, &wires).expect("written as text");
        assert!(text.contains(
            "            ::chanx_runtime::__private::variant_index(\n                    value,\n"
        ));
        assert!(text.contains("                .map(|index| {\n                    [\n"));
        let long_name = format!("E{}", "x".repeat(60));
        let text = string_enum(None, &long_name, &variants[..1], &wires[..1]).expect("as text");
        assert!(text.contains(&format!(
            "    ::chanx_runtime::__private::unit_enum_impls!(\n        {long_name}\n    );\n"
        )));
    }
}
