//! Rust identifiers: keyword escaping and collision-free allocation.

use proc_macro2::{Ident, Span};

use crate::ir::naming::Namespace;

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a `_` suffix instead.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Makes `name` a plain identifier string: only ASCII alphanumerics and `_`,
/// not starting with a digit, never empty. The IR already promises this; the
/// emitter re-checks so a builder bug cannot produce unparsable code.
fn sanitize(name: &str) -> String {
    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain && name.bytes().next().is_some_and(|b| !b.is_ascii_digit()) {
        return name.to_owned();
    }
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The identifier text for `name` without any `r#` prefix: keywords that
/// cannot be raw get a `_` suffix, everything else is kept.
pub fn base_name(name: &str) -> String {
    let name = sanitize(name);
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Builds the identifier for a base name, raw when it is a keyword.
pub fn ident(base: &str) -> Ident {
    if RAW_KEYWORDS.contains(&base) {
        Ident::new_raw(base, Span::call_site())
    } else {
        Ident::new(base, Span::call_site())
    }
}

/// The identifier [`ident_text`] writes as `text`.
pub fn ident_of_text(text: &str) -> Ident {
    match text.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(text, Span::call_site()),
    }
}

/// [`ident`]'s text, without making the identifier.
pub fn ident_text(base: &str) -> String {
    if RAW_KEYWORDS.contains(&base) {
        ["r#", base].concat()
    } else {
        base.to_owned()
    }
}

/// Identifiers unique within one Rust namespace (a module's types, a
/// struct's fields, a trait's methods): the shared [`Namespace`] over the
/// escaped spelling, so clashes get `_2`, `_3`, … like every generated name.
pub struct Namer {
    names: Namespace,
}

impl Default for Namer {
    fn default() -> Self {
        Namer {
            names: Namespace::exact(),
        }
    }
}

impl Namer {
    /// A namer with room for `names` names (see [`Namespace::reserve_capacity`]).
    pub fn with_capacity(names: usize) -> Self {
        let mut namer = Namer::default();
        namer.names.reserve_capacity(names);
        namer
    }

    /// Marks names as used without handing them out (fixed names such as `on_connect`).
    pub fn reserve(&mut self, names: &[&str]) {
        self.names.reserve(names);
    }

    /// A unique base name derived from `wanted`.
    pub fn base(&mut self, wanted: &str) -> String {
        self.names.take(&base_name(wanted))
    }

    /// A unique identifier derived from `wanted`.
    pub fn ident(&mut self, wanted: &str) -> Ident {
        ident(&self.base(wanted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident(&base_name("type")).to_string(), "r#type");
        assert_eq!(ident(&base_name("gen")).to_string(), "r#gen");
        assert_eq!(ident(&base_name("self")).to_string(), "self_");
        assert_eq!(ident(&base_name("Self")).to_string(), "Self_");
        assert_eq!(ident(&base_name("_")).to_string(), "__");
        assert_eq!(ident(&base_name("room")).to_string(), "room");
    }

    #[test]
    fn invalid_names_are_sanitized() {
        assert_eq!(base_name("1st"), "_1st");
        assert_eq!(base_name(""), "__");
        assert_eq!(base_name("a-b"), "a_b");
    }

    #[test]
    fn namer_suffixes_clashes() {
        let mut namer = Namer::default();
        namer.reserve(&["on_connect"]);
        assert_eq!(namer.base("on_connect"), "on_connect_2");
        assert_eq!(namer.base("self"), "self_");
        assert_eq!(namer.base("self_"), "self__2");
        assert_eq!(namer.base("x"), "x");
        assert_eq!(namer.base("x"), "x_2");
    }
}
