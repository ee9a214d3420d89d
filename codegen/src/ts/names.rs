//! TypeScript names: which spellings are safe, and giving every declared
//! name of a module one spelling that clashes with nothing else.

use crate::ir::naming::{Namespace as Names, suffixed};

/// Words that cannot name a type or a binding in a TypeScript module.
const RESERVED_WORDS: &[&str] = &[
    // ECMAScript reserved words (strict mode and modules included).
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "arguments",
    "eval",
    // Names TypeScript gives a meaning to in type positions.
    "any",
    "as",
    "asserts",
    "bigint",
    "boolean",
    "declare",
    "infer",
    "is",
    "keyof",
    "module",
    "namespace",
    "never",
    "number",
    "object",
    "readonly",
    "require",
    "string",
    "symbol",
    "type",
    "undefined",
    "unique",
    "unknown",
];

/// Global names the generated module uses or that readers expect to mean the
/// built-in; a schema with one of these names is renamed rather than shadow it.
const GLOBAL_NAMES: &[&str] = &[
    "Array",
    "ArrayBuffer",
    "Awaited",
    "BigInt",
    "Boolean",
    "Date",
    "Error",
    "Exclude",
    "Extract",
    "Function",
    "Infinity",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "NonNullable",
    "Number",
    "Object",
    "Omit",
    "Parameters",
    "Partial",
    "Pick",
    "Promise",
    "PromiseLike",
    "Readonly",
    "Record",
    "RegExp",
    "Required",
    "ReturnType",
    "Set",
    "String",
    "Symbol",
    "URL",
    "WebSocket",
    "globalThis",
];

/// Names the shared client runtime declares (see `templates/ts/module.ts.j2`).
pub const RUNTIME_NAMES: &[&str] = &[
    "CHANX_OPEN",
    "ChanxChannel",
    "ChanxClientBase",
    "ChanxClientError",
    "ChanxClientOptions",
    "ChanxCloseInfo",
    "ChanxErrorKind",
    "ChanxHandler",
    "ChanxLifecycleEvents",
    "ChanxPending",
    "ChanxReconnectOptions",
    "ChanxRequestOptions",
    "ChanxSocket",
    "ChanxSocketConstructor",
    "chanxBuildUrl",
    "chanxGet",
    "chanxIsObject",
    "chanxLifecycle",
    "chanxNewRef",
    "chanxRefCounter",
    "chanxServerErrorMessage",
    "chanxTimers",
    "chanxWith",
    // Declared only by modules of documents with topics.
    "ChanxDeferred",
    "ChanxTopic",
    "ChanxTopicClientEvents",
    "ChanxTopicEnvelope",
    "ChanxTopicError",
    "ChanxTopicErrorReason",
    "ChanxTopicEvents",
    "ChanxTopicFrame",
    "ChanxTopicPending",
    "ChanxTopicState",
    "chanxDeferred",
    "chanxServerErrorOf",
    "chanxTopicLifecycle",
    "chanxTopicOf",
    "chanxTopicReasons",
];

/// Event names every client emits; a message tag equal to one of them is only
/// delivered through `on("message")`.
pub const LIFECYCLE_EVENTS: &[&str] = &["open", "close", "error", "message"];

/// Event names of a client whose connection the server subscribes to a topic.
pub const OWN_TOPIC_EVENTS: &[&str] = &["open", "close", "error", "message", "subscribed"];

/// Event names every topic handle emits.
pub const TOPIC_EVENTS: &[&str] = &["subscribed", "unsubscribed", "error", "message"];

/// Public members of the client runtime, which a host's topic members must
/// not take (its other members all start with `chanx`).
pub const HOST_MEMBERS: &[&str] = &[
    "constructor",
    "url",
    "connected",
    "connect",
    "close",
    "on",
    "off",
    "send",
];

/// Whether `name` can be written unquoted as a property name or identifier
/// (ASCII only: anything else is quoted, which is always valid).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A property key: bare when it is an identifier (reserved words are valid
/// property names), a JSON string literal otherwise.
pub fn property_key(name: &str) -> String {
    if is_identifier(name) {
        name.to_string()
    } else {
        json_string(name)
    }
}

/// A TypeScript string literal with the same value (JSON escaping is valid TS).
pub fn json_string(value: &str) -> String {
    crate::text::json_for_code(serde_json::Value::String(value.to_string()).to_string())
}

/// The module-level names already declared, and picking new ones that clash
/// with none of them: the shared [`Names`] allocator with the TypeScript
/// reserved words, globals and runtime names taken up front.
#[derive(Debug, Clone)]
pub struct Namespace {
    names: Names,
}

impl Default for Namespace {
    fn default() -> Self {
        Self::new()
    }
}

impl Namespace {
    /// A namespace where reserved words, used globals and runtime names are taken.
    pub fn new() -> Self {
        let mut names = Names::exact();
        names.reserve(
            RESERVED_WORDS
                .iter()
                .chain(GLOBAL_NAMES)
                .chain(RUNTIME_NAMES),
        );
        Namespace { names }
    }

    pub fn is_free(&self, name: &str) -> bool {
        !self.names.is_taken(name) && is_identifier(name)
    }

    /// Takes `name` when it is free. Returns whether it was.
    pub fn try_take(&mut self, name: &str) -> bool {
        self.is_free(name) && self.names.try_take(name)
    }

    /// Takes `wanted`, or `wanted` with a suffix (`Error_2`, `Error_3`, …)
    /// when that is taken.
    pub fn take_or_suffix(&mut self, wanted: &str) -> String {
        let base = if is_identifier(wanted) {
            wanted.to_string()
        } else {
            format!("T{wanted}")
        };
        let n = self
            .names
            .take_family_where(|n| vec![suffixed(&base, n)], is_identifier);
        suffixed(&base, n)
    }

    /// Takes `base + suffix` for every suffix at once, suffixing `base`
    /// (`Chat_2`, `Chat_3`, …) until all of them are free. Returns the base used.
    pub fn take_family(&mut self, base: &str, suffixes: &[&str]) -> String {
        let n = self.names.take_family_where(
            |n| {
                let candidate = suffixed(base, n);
                suffixes.iter().map(|s| format!("{candidate}{s}")).collect()
            },
            is_identifier,
        );
        suffixed(base, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_keys() {
        assert!(is_identifier("chat_message"));
        assert!(is_identifier("$ref"));
        assert!(!is_identifier("2fa"));
        assert!(!is_identifier("content-type"));
        assert!(!is_identifier(""));
        assert_eq!(property_key("class"), "class");
        assert_eq!(property_key("content-type"), "\"content-type\"");
        assert_eq!(property_key("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn clashing_names_get_suffixes() {
        let mut ns = Namespace::new();
        assert_eq!(ns.take_or_suffix("Error"), "Error_2");
        assert_eq!(ns.take_or_suffix("Error_2"), "Error_2_2");
        assert_eq!(ns.take_or_suffix("Promise"), "Promise_2");
        assert_eq!(ns.take_or_suffix("ChanxClientBase"), "ChanxClientBase_2");
        assert_eq!(ns.take_or_suffix("Ping"), "Ping");
        assert_eq!(ns.take_or_suffix("Ping"), "Ping_2");
        assert_eq!(ns.take_or_suffix("Ping"), "Ping_3");
    }

    #[test]
    fn families_are_numbered_as_a_whole() {
        let mut ns = Namespace::new();
        assert!(ns.try_take("ChatParams"));
        assert_eq!(ns.take_family("Chat", &["Client", "Params"]), "Chat_2");
        assert!(!ns.is_free("Chat_2Client"));
        assert!(ns.is_free("ChatClient"));
    }
}
