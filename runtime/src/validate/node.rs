//! The validator program: what generated code embeds (as JSON text) and what
//! the engine runs.
//!
//! The code generator compiles each payload schema into the pydantic types
//! it stands for (`int` with bounds, `Literal`, a model, a tagged union, …);
//! [`Program::compile`] turns that JSON into [`Node`]s once, at first use.
//! The format is documented in `docs/generated-rust.md`.

use serde::Deserialize;
use serde_json::Value;

use super::repr::py_repr;
use crate::json::Json;

/// A compiled schema node, in pydantic's terms.
#[derive(Debug)]
pub(crate) enum Node {
    Any,
    None,
    Bool,
    Int(Box<Numeric>),
    Float(Box<Numeric>),
    Str(Box<StrRules>),
    /// A string format pydantic validates (date, uuid, url, …).
    Format(Box<FormatRules>),
    /// `Literal[...]` (also a JSON Schema `const`).
    Literal(Box<Choices>),
    /// A Python `Enum` class.
    Enum(Box<Choices>),
    List(Box<Sequence>),
    Set(Box<Sequence>),
    FrozenSet(Box<Sequence>),
    Tuple(Box<TupleRules>),
    Dict(Box<DictRules>),
    Model(Box<Model>),
    Nullable(Box<Node>),
    Union(Box<Union>),
    Tagged(Box<Tagged>),
    /// A definition of the program, by index (models, recursion).
    Ref(usize),
}

/// Bounds of an `int` or `float`, checked in pydantic's order.
#[derive(Debug, Default)]
pub(crate) struct Numeric {
    pub multiple_of: Option<Json>,
    pub le: Option<Json>,
    pub lt: Option<Json>,
    pub ge: Option<Json>,
    pub gt: Option<Json>,
    /// JSON Schema `format` (int32, uint8, …) of documents not written by pydantic.
    pub format: Option<String>,
    /// Integers of any size are taken (the value is not held in an `i64`).
    pub unbounded: bool,
}

#[derive(Debug, Default)]
pub(crate) struct StrRules {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<(String, Option<Pattern>)>,
}

/// `pattern` with Python `re`'s end anchors spelled for fancy-regex: `$`
/// (outside a character class) also matches before a final newline, and
/// `\Z` is the very end (`\z`).
fn python_re_anchors(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') if !in_class => out.push_str("\\z"),
                Some(escaped) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A `]` first in a class (after `^`) is a literal.
                if chars.peek() == Some(&'^') {
                    out.extend(chars.next());
                }
                if chars.peek() == Some(&']') {
                    out.extend(chars.next());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class => out.push_str("(?=\\n?\\z)"),
            c => out.push(c),
        }
    }
    out
}

/// A string field's `pattern`, compiled as pydantic compiles it.
///
/// pydantic's default engine is the `regex` crate; a pattern it cannot
/// compile (look-around, backreferences) only works in an app that chose
/// Python's `re` (`regex_engine="python-re"`), and fancy-regex, which adds
/// those to the same syntax, stands in for it. Its backtracking is
/// bounded (a million steps): a value that would take longer is refused
/// as not matching rather than holding the connection.
#[derive(Debug)]
pub(crate) enum Pattern {
    Regex(regex::Regex),
    Fancy(Box<fancy_regex::Regex>),
}

impl Pattern {
    /// The compiled pattern, or `None` when neither engine reads it.
    pub(crate) fn new(pattern: &str) -> Option<Self> {
        match regex::Regex::new(pattern) {
            Ok(regex) => Some(Pattern::Regex(regex)),
            Err(_) => fancy_regex::Regex::new(&python_re_anchors(pattern))
                .ok()
                .map(|fancy| Pattern::Fancy(Box::new(fancy))),
        }
    }

    /// Whether `text` has a match anywhere (as pydantic matches).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Regex(regex) => regex.is_match(text),
            Pattern::Fancy(fancy) => fancy.is_match(text).unwrap_or(false),
        }
    }
}

#[derive(Debug)]
pub(crate) struct FormatRules {
    pub format: String,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct Choices {
    pub values: Vec<Json>,
    /// `'a', 'b' or 1`, as pydantic lists them.
    pub expected: String,
}

#[derive(Debug)]
pub(crate) struct Sequence {
    pub items: Node,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct TupleRules {
    pub prefix: Vec<Node>,
    /// The type of the items after the prefix (`tuple[int, ...]`), if any.
    pub rest: Option<Node>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct DictRules {
    pub keys: Node,
    pub values: Node,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct Model {
    pub name: String,
    pub fields: Vec<Field>,
    pub extra: Extra,
}

#[derive(Debug)]
pub(crate) struct Field {
    pub name: String,
    pub schema: Node,
    pub required: bool,
    pub default: Option<Json>,
}

#[derive(Debug)]
pub(crate) enum Extra {
    /// Unknown keys are dropped (pydantic's default).
    Ignore,
    /// Unknown keys are errors (`extra="forbid"`, `additionalProperties: false`).
    Forbid,
    /// Unknown keys are kept, validated against this schema.
    Allow(Node),
}

#[derive(Debug)]
pub(crate) struct Union {
    /// Each choice with the label pydantic puts in error locations.
    pub choices: Vec<(String, Node)>,
}

#[derive(Debug)]
pub(crate) struct Tagged {
    pub key: String,
    pub choices: Vec<(String, Node)>,
    /// `'a', 'b'`: the tags as `union_tag_invalid` lists them.
    pub expected_tags: String,
}

/// Why a program cannot be used (a generator bug, never a client's fault).
#[derive(Debug, thiserror::Error)]
#[error("invalid validator program: {0}")]
pub struct ProgramError(String);

impl ProgramError {
    pub(crate) fn new(message: String) -> Self {
        ProgramError(message)
    }
}

/// A compiled program: definitions and the per-channel roots.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub defs: Vec<Node>,
    /// Definitions that contain themselves (recursive models): pydantic
    /// counts how deep validation goes through them.
    pub recursive: Vec<bool>,
    pub roots: Vec<Node>,
}

#[derive(Deserialize)]
struct RawProgram {
    version: u32,
    #[serde(default)]
    defs: Vec<Value>,
    #[serde(default)]
    roots: Vec<Value>,
}

/// The program format version this runtime runs.
pub const PROGRAM_VERSION: u32 = 1;

impl Compiled {
    pub fn parse(text: &str) -> Result<Compiled, ProgramError> {
        let raw: RawProgram =
            serde_json::from_str(text).map_err(|e| ProgramError(e.to_string()))?;
        if raw.version != PROGRAM_VERSION {
            return Err(ProgramError(format!(
                "program version {} (this runtime runs version {PROGRAM_VERSION}); regenerate the code with a matching chanx",
                raw.version
            )));
        }
        let builder = Builder {
            raw_defs: &raw.defs,
        };
        let defs: Vec<Node> = raw
            .defs
            .iter()
            .map(|d| builder.node(d))
            .collect::<Result<_, _>>()?;
        let roots = raw
            .roots
            .iter()
            .map(|d| builder.node(d))
            .collect::<Result<_, _>>()?;
        let recursive = recursive_defs(&defs);
        Ok(Compiled {
            defs,
            recursive,
            roots,
        })
    }
}

struct Builder<'a> {
    raw_defs: &'a [Value],
}

/// How deep naming follows references before it gives up (a schema that
/// contains itself without a model in between).
const MAX_NAME_DEPTH: usize = 32;

fn bad(what: impl Into<String>) -> ProgramError {
    ProgramError(what.into())
}

fn get<'v>(node: &'v Value, key: &str) -> Result<&'v Value, ProgramError> {
    node.get(key)
        .ok_or_else(|| bad(format!("`{key}` missing in {node}")))
}

fn usize_of(node: &Value, key: &str) -> Option<usize> {
    node.get(key).and_then(Value::as_u64).map(|n| n as usize)
}

fn json_of(node: &Value, key: &str) -> Option<Json> {
    node.get(key).cloned().map(Json::from)
}

impl Builder<'_> {
    fn node(&self, raw: &Value) -> Result<Node, ProgramError> {
        let kind = get(raw, "t")?
            .as_str()
            .ok_or_else(|| bad("node kind is not a string"))?;
        Ok(match kind {
            "any" => Node::Any,
            "none" => Node::None,
            "bool" => Node::Bool,
            "int" => Node::Int(Box::new(numeric(raw))),
            "float" => Node::Float(Box::new(numeric(raw))),
            "str" => Node::Str(Box::new(StrRules {
                min_length: usize_of(raw, "min_length"),
                max_length: usize_of(raw, "max_length"),
                pattern: raw
                    .get("pattern")
                    .and_then(Value::as_str)
                    .map(|p| (p.to_owned(), Pattern::new(p))),
            })),
            "format" => Node::Format(Box::new(FormatRules {
                format: get(raw, "format")?.as_str().unwrap_or_default().to_owned(),
                min_length: usize_of(raw, "min_length"),
                max_length: usize_of(raw, "max_length"),
            })),
            "literal" | "enum" => {
                let values: Vec<Json> = get(raw, "values")?
                    .as_array()
                    .ok_or_else(|| bad("`values` is not an array"))?
                    .iter()
                    .cloned()
                    .map(Json::from)
                    .collect();
                let shown: Vec<String> = values.iter().map(py_repr).collect();
                let choices = Box::new(Choices {
                    expected: super::errors::or_list(&shown),
                    values,
                });
                if kind == "literal" {
                    Node::Literal(choices)
                } else {
                    Node::Enum(choices)
                }
            }
            "list" | "set" | "frozenset" => {
                let seq = Box::new(Sequence {
                    items: self.node(get(raw, "items")?)?,
                    min_length: usize_of(raw, "min_length"),
                    max_length: usize_of(raw, "max_length"),
                });
                match kind {
                    "list" => Node::List(seq),
                    "set" => Node::Set(seq),
                    _ => Node::FrozenSet(seq),
                }
            }
            "tuple" => Node::Tuple(Box::new(TupleRules {
                prefix: self.list(get(raw, "prefix")?)?,
                rest: raw.get("rest").map(|r| self.node(r)).transpose()?,
                min_length: usize_of(raw, "min_length"),
                max_length: usize_of(raw, "max_length"),
            })),
            "dict" => Node::Dict(Box::new(DictRules {
                keys: match raw.get("keys") {
                    Some(k) => self.node(k)?,
                    None => Node::Str(Box::default()),
                },
                values: self.node(get(raw, "values")?)?,
                min_length: usize_of(raw, "min_length"),
                max_length: usize_of(raw, "max_length"),
            })),
            "model" => Node::Model(Box::new(self.model(raw)?)),
            "nullable" => Node::Nullable(Box::new(self.node(get(raw, "inner")?)?)),
            "union" => {
                let raw_choices = get(raw, "choices")?
                    .as_array()
                    .ok_or_else(|| bad("`choices` is not an array"))?;
                let mut choices = Vec::with_capacity(raw_choices.len());
                for choice in raw_choices {
                    choices.push((self.name(choice, 0), self.node(choice)?));
                }
                Node::Union(Box::new(Union { choices }))
            }
            "tagged" => {
                let key = get(raw, "key")?.as_str().unwrap_or_default().to_owned();
                let mut choices = Vec::new();
                for pair in get(raw, "choices")?.as_array().into_iter().flatten() {
                    let tag = pair
                        .get(0)
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("a tag is not a string"))?;
                    let node = self.node(pair.get(1).ok_or_else(|| bad("tag without schema"))?)?;
                    choices.push((tag.to_owned(), node));
                }
                let expected_tags = choices
                    .iter()
                    .map(|(t, _)| format!("'{t}'"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Node::Tagged(Box::new(Tagged {
                    key,
                    choices,
                    expected_tags,
                }))
            }
            "ref" => {
                let index = usize_of(raw, "def").ok_or_else(|| bad("`def` missing"))?;
                if index >= self.raw_defs.len() {
                    return Err(bad(format!("definition {index} does not exist")));
                }
                Node::Ref(index)
            }
            other => return Err(bad(format!("unknown node kind `{other}`"))),
        })
    }

    fn list(&self, raw: &Value) -> Result<Vec<Node>, ProgramError> {
        raw.as_array()
            .ok_or_else(|| bad("expected an array of nodes"))?
            .iter()
            .map(|n| self.node(n))
            .collect()
    }

    fn model(&self, raw: &Value) -> Result<Model, ProgramError> {
        let mut fields = Vec::new();
        for field in get(raw, "fields")?.as_array().into_iter().flatten() {
            fields.push(Field {
                name: get(field, "name")?.as_str().unwrap_or_default().to_owned(),
                schema: self.node(get(field, "schema")?)?,
                required: field.get("required").and_then(Value::as_bool) == Some(true),
                default: json_of(field, "default"),
            });
        }
        let extra = match raw.get("extra").and_then(Value::as_str) {
            Some("forbid") => Extra::Forbid,
            Some("allow") => Extra::Allow(match raw.get("extra_schema") {
                Some(schema) => self.node(schema)?,
                None => Node::Any,
            }),
            _ => Extra::Ignore,
        };
        Ok(Model {
            name: raw
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("Model")
                .to_owned(),
            fields,
            extra,
        })
    }

    /// The name pydantic-core gives the validator of a program node; it
    /// labels union choices in error locations.
    fn name(&self, raw: &Value, depth: usize) -> String {
        let str_of = |key: &str| raw.get(key).and_then(Value::as_str);
        let has = |key: &str| raw.get(key).is_some();
        let child = |key: &str| match raw.get(key) {
            Some(inner) => self.name(inner, depth + 1),
            None => "any".into(),
        };
        if depth > MAX_NAME_DEPTH {
            return "any".into();
        }
        let reprs = || -> Vec<String> {
            raw.get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| py_repr(&Json::from(v.clone())))
                .collect()
        };
        let bounded = ["multiple_of", "le", "lt", "ge", "gt"]
            .iter()
            .any(|k| has(k));
        match str_of("t").unwrap_or_default() {
            "int" if bounded => "constrained-int".into(),
            "float" if bounded => "constrained-float".into(),
            "str" if has("min_length") || has("max_length") || has("pattern") => {
                "constrained-str".into()
            }
            "format" => super::format::validator_name(
                str_of("format").unwrap_or_default(),
                has("min_length") || has("max_length"),
            ),
            "literal" => format!("literal[{}]", reprs().join(",")),
            "enum" => {
                let class = str_of("name").unwrap_or("Enum");
                let values = raw.get("values").and_then(Value::as_array);
                let all = |f: fn(&Value) -> bool| {
                    values.is_some_and(|v| !v.is_empty() && v.iter().all(f))
                };
                if all(|v| v.is_i64() || v.is_u64()) {
                    format!("int-enum[{class}]")
                } else if all(Value::is_f64) {
                    format!("float-enum[{class}]")
                } else {
                    format!("enum[{class}]")
                }
            }
            kind @ ("list" | "set" | "frozenset") => format!("{kind}[{}]", child("items")),
            "tuple" => {
                let mut parts: Vec<String> = raw
                    .get("prefix")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|n| self.name(n, depth + 1))
                    .collect();
                if has("rest") {
                    parts.push(child("rest"));
                    parts.push("...".into());
                }
                format!("tuple[{}]", parts.join(", "))
            }
            "dict" => {
                let keys = if has("keys") {
                    child("keys")
                } else {
                    "str".into()
                };
                format!("dict[{keys},{}]", child("values"))
            }
            "model" => str_of("name").unwrap_or("Model").into(),
            "nullable" => format!("nullable[{}]", child("inner")),
            "union" => {
                let labels: Vec<String> = raw
                    .get("choices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|n| self.name(n, depth + 1))
                    .collect();
                format!("union[{}]", labels.join(","))
            }
            "tagged" => {
                let labels: Vec<String> = raw
                    .get("choices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|pair| pair.get(1))
                    .map(|n| self.name(n, depth + 1))
                    .collect();
                format!("tagged-union[{}]", labels.join(","))
            }
            "ref" => match usize_of(raw, "def").and_then(|i| self.raw_defs.get(i)) {
                Some(def) => self.name(def, depth + 1),
                None => "any".into(),
            },
            other => other.to_owned(),
        }
    }
}

fn numeric(raw: &Value) -> Numeric {
    Numeric {
        multiple_of: json_of(raw, "multiple_of"),
        le: json_of(raw, "le"),
        lt: json_of(raw, "lt"),
        ge: json_of(raw, "ge"),
        gt: json_of(raw, "gt"),
        format: raw.get("format").and_then(Value::as_str).map(str::to_owned),
        unbounded: raw.get("unbounded").and_then(Value::as_bool) == Some(true),
    }
}

/// Which definitions can reach themselves through references.
fn recursive_defs(defs: &[Node]) -> Vec<bool> {
    let edges: Vec<Vec<usize>> = defs
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            refs(def, &mut out);
            out
        })
        .collect();
    (0..defs.len())
        .map(|start| {
            let mut seen = vec![false; defs.len()];
            let mut stack = edges[start].clone();
            while let Some(next) = stack.pop() {
                if next == start {
                    return true;
                }
                if next < seen.len() && !std::mem::replace(&mut seen[next], true) {
                    stack.extend(edges[next].iter().copied());
                }
            }
            false
        })
        .collect()
}

/// The definitions a node refers to directly.
fn refs(node: &Node, out: &mut Vec<usize>) {
    match node {
        Node::Ref(i) => out.push(*i),
        Node::List(s) | Node::Set(s) | Node::FrozenSet(s) => refs(&s.items, out),
        Node::Tuple(t) => {
            t.prefix.iter().for_each(|n| refs(n, out));
            if let Some(rest) = &t.rest {
                refs(rest, out);
            }
        }
        Node::Dict(d) => {
            refs(&d.keys, out);
            refs(&d.values, out);
        }
        Node::Model(m) => {
            m.fields.iter().for_each(|f| refs(&f.schema, out));
            if let Extra::Allow(schema) = &m.extra {
                refs(schema, out);
            }
        }
        Node::Nullable(inner) => refs(inner, out),
        Node::Union(u) => u.choices.iter().for_each(|(_, n)| refs(n, out)),
        Node::Tagged(t) => t.choices.iter().for_each(|(_, n)| refs(n, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern)
            .expect("the pattern compiles")
            .is_match(text)
    }

    /// Each verdict as Python's `re.search` gives it (pydantic with
    /// `regex_engine="python-re"`).
    #[test]
    fn patterns_only_python_re_reads_match_as_there() {
        let pin = r"^(?=.*\d)[a-z\d]{4,8}$";
        assert!(matches(pin, "abc1"));
        assert!(!matches(pin, "abcd"));
        // `$` also before a final newline, not before any other.
        assert!(matches(pin, "abc1\n"));
        assert!(!matches(pin, "abc1\n\n"));
        assert!(matches(r"^(\w+)-\1$", "ab-ab"));
        assert!(!matches(r"^(\w+)-\1$", "ab-ba"));
        assert!(matches(r"b(?!c)", "abd"));
        assert!(!matches(r"b(?!c)", "abc"));
        // `\Z` is the very end; `$` in a class, escaped, or after `]` as a
        // class's first member is a literal.
        assert!(!matches(r"(?=a)a\Z", "a\n"));
        assert!(matches(r"(?=a)a\Z", "a"));
        assert!(matches(r"(?=x)x[$]", "x$"));
        assert!(matches(r"(?=x)x\$", "x$"));
        assert!(matches(r"(?=x)x[]$]", "x$"));
        assert!(matches(r"(?=x)x[^]a]$", "xb"));
    }

    /// What the regex crate compiles keeps its own `$` (pydantic's default
    /// engine is that crate).
    #[test]
    fn patterns_the_regex_crate_reads_stay_with_it() {
        assert!(matches(r"^[a-z]+$", "abc"));
        assert!(!matches(r"^[a-z]+$", "abc\n"));
        assert!(Pattern::new(r"(?=").is_none());
    }
}
