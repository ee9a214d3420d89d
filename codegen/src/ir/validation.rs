//! Payload schemas → the runtime's validator program.
//!
//! The runtime validates every incoming frame as pydantic would
//! (`chanx_runtime::validate`). pydantic works on Python types, not on JSON
//! Schema, so this reads each schema back as the pydantic type it was
//! written from: `{"enum": [...], "title": "Color"}` behind a `$ref` is an
//! `Enum` class, an inline `enum` a `Literal`, `anyOf [T, null]` is
//! `Optional[T]`, `uniqueItems` a `set`, `prefixItems` a `tuple`, an object
//! with properties a model. Documents not written by pydantic get the same
//! reading of the keywords they use.
//!
//! The program is JSON (see `docs/generated-rust.md`): named and recursive
//! schemas are definitions, referred to by index.

use crate::load::Members;
use foldhash::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::ir::Origin;
use crate::ir::context::{Context, last_token};
use crate::ir::messages::expected_payloads;
use crate::ir::schema::{has_object_keywords, has_shape_keywords, is_component};
use crate::load::{Document, NodeRef};

/// A program node, an object of these members in this order, each value
/// moved in: `json!` copies a `Value` it is given by serializing it, and
/// nodes nest, so a definition was copied once per level it is deep. Made
/// with room for exactly these members, as those copies were: grown one
/// member at a time, the nodes held several MiB more on the 100k
/// synthetic document.
macro_rules! node {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut members = Map::with_capacity([$($key),*].len());
        $( members.insert($key.to_owned(), Value::from($value)); )*
        Value::Object(members)
    }};
}

/// The program format version (`chanx_runtime`'s `PROGRAM_VERSION`).
pub const PROGRAM_VERSION: u32 = 1;

/// Nesting of inline schemas followed before a schema is taken as any value.
const MAX_DEPTH: usize = 64;

/// String formats the runtime validates as pydantic does.
const FORMATS: [&str; 16] = [
    "date",
    "date-time",
    "time",
    "duration",
    "uuid",
    "uuid1",
    "uuid3",
    "uuid4",
    "uuid5",
    "uri",
    "ipv4",
    "ipv6",
    "ipvanyaddress",
    "ipvanyinterface",
    "ipvanynetwork",
    "binary",
];

/// The definitions every payload refers to.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Program {
    /// Program nodes, referred to as `{"t":"ref","def":i}`.
    pub defs: Vec<Value>,
    /// Where each definition's schema is written (`None` for payloads in
    /// formats not read here); for tools that point back at the document.
    #[serde(skip)]
    pub origins: Vec<Option<Origin>>,
}

impl Program {
    /// The program text with `roots` (one per channel direction): compact
    /// JSON, one definition or root per line so generated code stays readable.
    pub fn text(&self, roots: &[Value]) -> String {
        // Written straight into one buffer: through `Display`, one string
        // per definition, then joined, this was three times the work.
        fn lines(out: &mut Vec<u8>, items: &[Value]) {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b",\n");
                }
                serde_json::to_writer(&mut *out, item).expect("a JSON value writes to memory");
            }
        }
        let mut out = format!("{{\"version\":{PROGRAM_VERSION},\"defs\":[\n").into_bytes();
        lines(&mut out, &self.defs);
        out.extend_from_slice(b"\n],\"roots\":[\n");
        lines(&mut out, roots);
        out.extend_from_slice(b"\n]}");
        // Kept to the end of generation: no room to spare.
        out.shrink_to_fit();
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// Most schema nodes and members the program may be built from: inline
/// schemas are built again at each place `allOf` copies them.
const MAX_PROGRAM_NODES: usize = 4 * crate::ir::context::MAX_MEMBERS_TOTAL;

#[derive(Default)]
struct ProgramBuilder {
    program: Program,
    defs: HashMap<NodeRef, usize>,
    /// Schema nodes and members built so far.
    built: usize,
    /// Whether the program grew past [`MAX_PROGRAM_NODES`] (and is incomplete).
    over_limit: bool,
    /// Definitions being compiled inside one another.
    nesting: usize,
    /// Definitions numbered but left to compile once the current payload's
    /// are done (see [`MAX_NESTING`]).
    pending: Vec<(usize, NodeRef)>,
}

/// Definitions compiled inside one another before the next ones wait their
/// turn: a chain of a hundred thousand schemas, each naming the next, would
/// otherwise recurse that deep. Documents nest far less, so their
/// definitions keep the numbers a depth-first walk gives them.
const MAX_NESTING: usize = 32;

/// What validates a message's payload.
#[derive(Debug, PartialEq, Eq)]
pub enum Payload {
    /// The JSON Schema at this node.
    Schema(NodeRef),
    /// Nothing: any value (a payload in a format not read here).
    Any,
}

/// The program of every payload asked for, and which definition each is.
pub struct BuiltProgram {
    pub program: Program,
    /// Whether it grew past its limit (and is incomplete).
    pub over_limit: bool,
    /// The definition of each payload, in the order they were asked for.
    pub definitions: Vec<usize>,
}

/// The program of the payloads `payloads` receives, in order, until its
/// sender is dropped: built beside the model, which only sends what it
/// meets and reads nothing back (a quarter of the model's time was this,
/// with a core idle).
///
/// The model meets its first message only once it has built every
/// component schema, so the program starts from the payloads the model is
/// expected to send (see [`expected_payloads`]) and checks each one it
/// does send against them. Should the model send others, or fewer, the
/// program is built again from what it sent: definitions are numbered in
/// the order payloads come, so the program is always the one the model's
/// order gives.
pub fn build_program(doc: &Document, payloads: std::sync::mpsc::Receiver<Payload>) -> BuiltProgram {
    let mut cx = Context::new(doc);
    let expected = expected_payloads(&mut cx);
    let mut builder = ProgramBuilder::default();
    let mut definitions: Vec<usize> = expected.iter().map(|p| builder.build(&cx, p)).collect();
    let mut sent = Vec::new();
    let mut as_expected = true;
    for payload in payloads.iter() {
        if as_expected {
            match expected.get(sent.len()) {
                Some(next) => as_expected = *next == payload,
                None => definitions.push(builder.build(&cx, &payload)),
            }
        }
        sent.push(payload);
    }
    if !as_expected || sent.len() != definitions.len() {
        builder = ProgramBuilder::default();
        definitions = sent.iter().map(|p| builder.build(&cx, p)).collect();
    }
    BuiltProgram {
        program: builder.program,
        over_limit: builder.over_limit,
        definitions,
    }
}

impl ProgramBuilder {
    /// The definition index of `payload`.
    fn build(&mut self, cx: &Context<'_>, payload: &Payload) -> usize {
        match payload {
            Payload::Schema(node) => self.payload(cx, node),
            Payload::Any => self.any(),
        }
    }

    /// The definition index of the payload schema at `node`.
    fn payload(&mut self, cx: &Context<'_>, node: &NodeRef) -> usize {
        let index = self.definition(cx, node);
        while let Some((index, target)) = self.pending.pop() {
            self.compile(cx, index, &target);
        }
        index
    }

    /// A definition standing for any value (payloads in formats not read here).
    fn any(&mut self) -> usize {
        self.program.defs.push(node!({"t": "any"}));
        self.program.origins.push(None);
        self.program.defs.len() - 1
    }

    fn definition(&mut self, cx: &Context<'_>, node: &NodeRef) -> usize {
        let target = cx.doc.resolve(node).unwrap_or_else(|_| node.clone());
        if let Some(&index) = self.defs.get(&target) {
            return index;
        }
        let index = self.program.defs.len();
        self.program.defs.push(node!({"t": "any"}));
        self.program.origins.push(Some(cx.origin(&target)));
        self.defs.insert(target.clone(), index);
        if self.nesting >= MAX_NESTING {
            self.pending.push((index, target));
        } else {
            self.compile(cx, index, &target);
        }
        index
    }

    fn compile(&mut self, cx: &Context<'_>, index: usize, target: &NodeRef) {
        self.nesting += 1;
        let compiled = self.schema_at(cx, target, 0);
        self.nesting -= 1;
        self.program.defs[index] = compiled;
    }

    /// A schema reached through `$ref` (or a named one) becomes a definition.
    fn node(&mut self, cx: &Context<'_>, node: &NodeRef, depth: usize) -> Value {
        if cx.ref_of(node).is_some() {
            return node!({"t": "ref", "def": self.definition(cx, node)});
        }
        self.schema_at(cx, node, depth)
    }

    /// Counts `count` nodes or members about to be built; false once the
    /// program is over its limit, or for more members than one schema may
    /// have (the type builder reports both).
    fn charge(&mut self, count: usize) -> bool {
        if count > crate::ir::context::MAX_MEMBERS {
            return false;
        }
        self.built = self.built.saturating_add(count);
        self.over_limit |= self.built > MAX_PROGRAM_NODES;
        !self.over_limit
    }

    /// Counts `copies` copies of `value`.
    fn charge_copies(&mut self, copies: usize, value: &Value) -> bool {
        let nodes = copies.saturating_mul(value_nodes(value));
        self.built = self.built.saturating_add(nodes);
        self.over_limit |= self.built > MAX_PROGRAM_NODES;
        !self.over_limit
    }

    fn schema_at(&mut self, cx: &Context<'_>, node: &NodeRef, depth: usize) -> Value {
        if depth > MAX_DEPTH || !self.charge(1) {
            return node!({"t": "any"});
        }
        let Ok((target, value)) = cx.value(node) else {
            return node!({"t": "any"});
        };
        let map = match value {
            Value::Object(map) => map,
            _ => return node!({"t": "any"}),
        };
        let inner = self.shape(cx, &target, map, depth);
        if map.member("nullable") == Some(&Value::Bool(true)) {
            return nullable(inner);
        }
        inner
    }

    fn shape<'d>(
        &mut self,
        cx: &Context<'d>,
        node: &NodeRef,
        map: &'d Map<String, Value>,
        depth: usize,
    ) -> Value {
        if let Some(constant) = map.member("const") {
            return node!({"t": "literal", "values": vec![constant.clone()]});
        }
        if let Some(Value::Array(values)) = map.member("enum") {
            if !self.charge(values.len()) {
                return node!({"t": "any"});
            }
            return self.enumeration(node, map, values);
        }
        let union = map
            .member("oneOf")
            .map(|_| "oneOf")
            .or_else(|| map.member("anyOf").map(|_| "anyOf"));
        if let Some(key) = union {
            return self.union(cx, node, map, key, depth);
        }
        if let Some(Value::Array(parts)) = map.member("allOf") {
            return self.all_of(cx, node, map, parts.len(), depth);
        }
        let types: Vec<&str> = match map.member("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable_type = types.len() > 1 && types.contains(&"null");
        let types: Vec<&str> = types
            .into_iter()
            .filter(|t| *t != "null" || !nullable_type)
            .collect();
        let shape = match types.as_slice() {
            [] if map.has("properties") || map.has("additionalProperties") => {
                self.object(cx, node, map, depth)
            }
            [] if map.has("items") || map.has("prefixItems") => self.array(cx, node, map, depth),
            [] => node!({"t": "any"}),
            [one] => self.typed(cx, node, map, one, depth),
            several => {
                let choices: Vec<Value> = several
                    .iter()
                    .map(|t| self.typed(cx, node, map, t, depth))
                    .collect();
                node!({"t": "union", "choices": choices})
            }
        };
        if nullable_type {
            nullable(shape)
        } else {
            shape
        }
    }

    fn typed(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        ty: &str,
        depth: usize,
    ) -> Value {
        match ty {
            "string" => string(map),
            "integer" => numeric("int", map),
            "number" => numeric("float", map),
            "boolean" => node!({"t": "bool"}),
            "null" => node!({"t": "none"}),
            "array" => self.array(cx, node, map, depth),
            "object" => self.object(cx, node, map, depth),
            _ => node!({"t": "any"}),
        }
    }

    /// An `enum` behind a name is a Python `Enum` class; inline, a `Literal`.
    fn enumeration(&self, node: &NodeRef, map: &Map<String, Value>, values: &[Value]) -> Value {
        if is_component(node) {
            let name = model_name(node, map);
            return node!({"t": "enum", "name": name, "values": values.to_vec()});
        }
        node!({"t": "literal", "values": values.to_vec()})
    }

    fn union(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        key: &str,
        depth: usize,
    ) -> Value {
        let count = map
            .member(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if !self.charge(count) {
            return node!({"t": "any"});
        }
        let mut nullable_union = false;
        let mut members = Vec::new();
        for i in 0..count {
            let member = node.child(key).child(&i.to_string());
            if is_null_schema(cx, &member) {
                nullable_union = true;
            } else {
                members.push(member);
            }
        }
        let shape = match members.as_slice() {
            [] => node!({"t": "none"}),
            // pydantic writes `Decimal` (validation mode) as exactly this.
            [a, b] if is_plain_type(cx, a, "number") && is_plain_type(cx, b, "string") => {
                node!({"t": "format", "format": "decimal"})
            }
            [only] => self.node(cx, only, depth + 1),
            _ => match discriminator(map) {
                Some(tag_key) => self.tagged(cx, &members, &tag_key, depth),
                None => {
                    let choices: Vec<Value> = members
                        .iter()
                        .map(|m| self.node(cx, m, depth + 1))
                        .collect();
                    node!({"t": "union", "choices": choices})
                }
            },
        };
        if nullable_union && !members.is_empty() {
            nullable(shape)
        } else {
            shape
        }
    }

    /// A discriminated union: each member's constant(s) of `tag_key` select it.
    fn tagged(
        &mut self,
        cx: &Context<'_>,
        members: &[NodeRef],
        tag_key: &str,
        depth: usize,
    ) -> Value {
        let mut choices = Vec::new();
        for member in members {
            let compiled = self.node(cx, member, depth + 1);
            let tags = member_tags(cx, member, tag_key);
            // Each tag holds its own copy of the member's schema.
            if !self.charge(tags.len()) || !self.charge_copies(tags.len(), &compiled) {
                return node!({"t": "any"});
            }
            for tag in tags {
                choices.push(Value::Array(vec![Value::from(tag), compiled.clone()]));
            }
        }
        node!({"t": "tagged", "key": tag_key, "choices": choices})
    }

    /// `allOf`: object parts merge into one model, as the type space merges
    /// them; otherwise the first part stands for the whole.
    fn all_of<'d>(
        &mut self,
        cx: &Context<'d>,
        node: &NodeRef,
        map: &'d Map<String, Value>,
        count: usize,
        depth: usize,
    ) -> Value {
        let mut parts: Vec<(NodeRef, &Map<String, Value>)> = Vec::new();
        if map.has("properties") || map.has("required") {
            parts.push((node.clone(), map));
        }
        let mut others = Vec::new();
        collect_all_of(
            cx,
            node,
            map,
            &mut parts,
            &mut others,
            &mut [node.clone()].into_iter().collect(),
        );
        if parts.is_empty() {
            let first = others
                .first()
                .cloned()
                .unwrap_or_else(|| node.child("allOf").child("0"));
            if count == 0 {
                return node!({"t": "any"});
            }
            return self.node(cx, &first, depth + 1);
        }
        self.model(cx, node, map, &parts, depth)
    }

    fn object(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        let has_properties = map
            .member("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if has_properties || map.member("additionalProperties") == Some(&Value::Bool(false)) {
            return self.model(cx, node, map, &[(node.clone(), map)], depth);
        }
        let values = match map.member("additionalProperties") {
            Some(Value::Object(_)) => self.node(cx, &node.child("additionalProperties"), depth + 1),
            _ => node!({"t": "any"}),
        };
        let mut dict = node!({"t": "dict", "values": values});
        if map.has("propertyNames") {
            dict["keys"] = self.property_names(cx, &node.child("propertyNames"), depth);
        }
        copy_count(map, "minProperties", &mut dict, "min_length");
        copy_count(map, "maxProperties", &mut dict, "max_length");
        dict
    }

    /// The schema of a dict's keys: keys are strings, so a `propertyNames`
    /// schema without a `type` (pydantic writes `{"minLength": 2}`) is one
    /// for strings.
    fn property_names(&mut self, cx: &Context<'_>, at: &NodeRef, depth: usize) -> Value {
        if let Ok((_, Value::Object(map))) = cx.value(at)
            && !map.has("type")
            && ["minLength", "maxLength", "pattern", "format"]
                .iter()
                .any(|k| map.has(k))
        {
            return string(map);
        }
        self.node(cx, at, depth + 1)
    }

    /// A model from one schema or the object parts of an `allOf`.
    fn model(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        parts: &[(NodeRef, &Map<String, Value>)],
        depth: usize,
    ) -> Value {
        let count: usize = parts
            .iter()
            .map(|(_, part)| {
                let len = |key: &str| match part.member(key) {
                    Some(Value::Object(m)) => m.len(),
                    Some(Value::Array(a)) => a.len(),
                    _ => 0,
                };
                len("properties") + len("required")
            })
            .sum();
        if !self.charge(count) {
            return node!({"t": "any"});
        }
        // Sized from `count` (properties and required names): grown a
        // doubling at a time, small tables rehash several times each.
        let mut properties: Vec<(String, NodeRef)> = Vec::with_capacity(count);
        // Where each property is in `properties` (a schema may have many).
        let mut index: HashMap<String, usize> = HashMap::default();
        index.reserve(count);
        let mut required: HashSet<String> = HashSet::default();
        required.reserve(count);
        for (part_node, part) in parts {
            if let Some(props) = part.member("properties").and_then(Value::as_object) {
                let props_node = cx
                    .doc
                    .resolve(&part_node.child("properties"))
                    .unwrap_or_else(|_| part_node.child("properties"));
                for key in props.keys() {
                    let at = props_node.child(key);
                    match index.get(key) {
                        Some(&i) => properties[i].1 = at,
                        None => {
                            index.insert(key.clone(), properties.len());
                            properties.push((key.clone(), at));
                        }
                    }
                }
            }
            if let Some(names) = part.member("required").and_then(Value::as_array) {
                required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
        let fields: Vec<Value> = properties
            .iter()
            .map(|(name, at)| {
                let mut field = node!({
                    "name": name.as_str(),
                    "schema": self.node(cx, at, depth + 1),
                });
                if required.contains(name) {
                    field["required"] = json!(true);
                }
                // A `$ref` may carry its own `default` beside it (pydantic
                // writes enum defaults so); the referenced schema's counts otherwise.
                let own = cx.raw(at).and_then(|v| v.member("default"));
                let referenced = || match cx.value(at) {
                    Ok((_, Value::Object(prop))) => prop.member("default"),
                    _ => None,
                };
                if let Some(default) = own.or_else(referenced) {
                    field["default"] = default.clone();
                }
                field
            })
            .collect();
        let additional = std::iter::once(map)
            .chain(parts.iter().rev().map(|(_, p)| *p))
            .find_map(|m| m.member("additionalProperties"));
        let mut model = node!({
            "t": "model",
            "name": model_name(node, map),
            "fields": fields,
        });
        match additional {
            Some(Value::Bool(false)) => model["extra"] = json!("forbid"),
            Some(Value::Bool(true)) => model["extra"] = json!("allow"),
            Some(Value::Object(_)) => {
                let at = parts
                    .iter()
                    .rev()
                    .map(|(n, _)| n.clone())
                    .chain(std::iter::once(node.clone()))
                    .find(|n| cx.raw(&n.child("additionalProperties")).is_some())
                    .unwrap_or_else(|| node.clone());
                model["extra"] = json!("allow");
                model["extra_schema"] = self.node(cx, &at.child("additionalProperties"), depth + 1);
            }
            _ => {}
        }
        model
    }

    fn array(
        &mut self,
        cx: &Context<'_>,
        node: &NodeRef,
        map: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        if let Some(Value::Array(prefix)) = map.member("prefixItems") {
            let prefix: Vec<Value> = (0..prefix.len())
                .map(|i| {
                    self.node(
                        cx,
                        &node.child("prefixItems").child(&i.to_string()),
                        depth + 1,
                    )
                })
                .collect();
            let mut tuple = node!({"t": "tuple", "prefix": prefix});
            if let Some(Value::Object(_)) = map.member("items") {
                tuple["rest"] = self.node(cx, &node.child("items"), depth + 1);
            }
            copy_count(map, "minItems", &mut tuple, "min_length");
            copy_count(map, "maxItems", &mut tuple, "max_length");
            return tuple;
        }
        if let Some(Value::Array(items)) = map.member("items") {
            // Draft 4–7 tuple form.
            let prefix: Vec<Value> = (0..items.len())
                .map(|i| self.node(cx, &node.child("items").child(&i.to_string()), depth + 1))
                .collect();
            let mut tuple = node!({"t": "tuple", "prefix": prefix});
            if let Some(Value::Object(_)) = map.member("additionalItems") {
                tuple["rest"] = self.node(cx, &node.child("additionalItems"), depth + 1);
            } else if map.member("additionalItems") != Some(&Value::Bool(false)) {
                tuple["rest"] = node!({"t": "any"});
            }
            copy_count(map, "minItems", &mut tuple, "min_length");
            copy_count(map, "maxItems", &mut tuple, "max_length");
            return tuple;
        }
        let items = match map.member("items") {
            Some(Value::Object(_)) => self.node(cx, &node.child("items"), depth + 1),
            _ => node!({"t": "any"}),
        };
        let kind = if map.member("uniqueItems") == Some(&Value::Bool(true)) {
            "set"
        } else {
            "list"
        };
        let mut list = node!({"t": kind, "items": items});
        copy_count(map, "minItems", &mut list, "min_length");
        copy_count(map, "maxItems", &mut list, "max_length");
        list
    }
}

fn nullable(inner: Value) -> Value {
    match inner.member("t").and_then(Value::as_str) {
        Some("none" | "any" | "nullable") => inner,
        _ => node!({"t": "nullable", "inner": inner}),
    }
}

fn string(map: &Map<String, Value>) -> Value {
    let format = map.member("format").and_then(Value::as_str);
    let mut node = match format {
        Some(f) if FORMATS.contains(&f) => node!({"t": "format", "format": f}),
        _ => node!({"t": "str"}),
    };
    copy_count(map, "minLength", &mut node, "min_length");
    copy_count(map, "maxLength", &mut node, "max_length");
    if node["t"] == "str"
        && let Some(Value::String(pattern)) = map.member("pattern")
    {
        node["pattern"] = json!(pattern);
    }
    node
}

/// `int` / `float` with bounds; draft-4 / OpenAPI boolean `exclusiveMinimum`
/// turns `minimum` into a strict bound.
fn numeric(kind: &str, map: &Map<String, Value>) -> Value {
    let mut node = node!({"t": kind});
    let number = |k: &str| map.member(k).filter(|v| v.is_number()).cloned();
    let exclusive = |k: &str| map.member(k) == Some(&Value::Bool(true));
    if let Some(m) = number("multipleOf") {
        node["multiple_of"] = m;
    }
    match (number("maximum"), exclusive("exclusiveMaximum")) {
        (Some(max), true) => node["lt"] = max,
        (Some(max), false) => node["le"] = max,
        _ => {}
    }
    if let Some(lt) = number("exclusiveMaximum") {
        node["lt"] = lt;
    }
    match (number("minimum"), exclusive("exclusiveMinimum")) {
        (Some(min), true) => node["gt"] = min,
        (Some(min), false) => node["ge"] = min,
        _ => {}
    }
    if let Some(gt) = number("exclusiveMinimum") {
        node["gt"] = gt;
    }
    if kind == "int"
        && let Some(Value::String(format)) = map.member("format")
    {
        node["format"] = json!(format);
    }
    node
}

fn copy_count(map: &Map<String, Value>, from: &str, node: &mut Value, to: &str) {
    if let Some(n) = map.member(from).and_then(Value::as_u64) {
        node[to] = json!(n);
    }
}

/// The class name a model or enum goes by: its title, else its component key.
fn model_name(node: &NodeRef, map: &Map<String, Value>) -> String {
    if let Some(Value::String(title)) = map.member("title") {
        return title.clone();
    }
    if is_component(node)
        && let Some(key) = last_token(&node.pointer)
    {
        return key;
    }
    "Model".to_owned()
}

fn discriminator(map: &Map<String, Value>) -> Option<String> {
    match map.member("discriminator")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .member("propertyName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// The constants of `tag_key` in a union member (its `const`, or `enum` values).
fn member_tags(cx: &Context<'_>, member: &NodeRef, tag_key: &str) -> Vec<String> {
    let Ok((target, Value::Object(map))) = cx.value(member) else {
        return Vec::new();
    };
    let Some(properties) = map.member("properties").and_then(Value::as_object) else {
        // A member named by its schema, as AsyncAPI's discriminator allows.
        return last_token(&target.pointer).into_iter().collect();
    };
    let Some(_) = properties.get(tag_key) else {
        return Vec::new();
    };
    let props_node = cx
        .doc
        .resolve(&target.child("properties"))
        .unwrap_or_else(|_| target.child("properties"));
    let Ok((_, Value::Object(prop))) = cx.value(&props_node.child(tag_key)) else {
        return Vec::new();
    };
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(constant) = prop.member("const") {
        return vec![as_text(constant)];
    }
    match prop.member("enum") {
        Some(Value::Array(values)) => values.iter().map(as_text).collect(),
        _ => Vec::new(),
    }
}

/// `{"type": ty}` and nothing else (no `$ref`).
fn is_plain_type(cx: &Context<'_>, node: &NodeRef, ty: &str) -> bool {
    match cx.raw(node) {
        Some(Value::Object(map)) => {
            map.len() == 1 && map.member("type").and_then(Value::as_str) == Some(ty)
        }
        _ => false,
    }
}

fn is_null_schema(cx: &Context<'_>, node: &NodeRef) -> bool {
    let Ok((_, Value::Object(map))) = cx.value(node) else {
        return false;
    };
    map.member("type").and_then(Value::as_str) == Some("null")
        || map.member("const") == Some(&Value::Null)
        || map
            .member("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

/// How many values `value` is made of.
fn value_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(value_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(value_nodes).sum::<usize>(),
        _ => 1,
    }
}

fn collect_all_of<'m>(
    cx: &Context<'m>,
    node: &NodeRef,
    map: &Map<String, Value>,
    parts: &mut Vec<(NodeRef, &'m Map<String, Value>)>,
    others: &mut Vec<NodeRef>,
    visited: &mut HashSet<NodeRef>,
) {
    let all_of_len = |map: &Map<String, Value>| {
        map.member("allOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    // Depth-first, in document order, without recursion: a chain of
    // schemas each `allOf` the next may be as long as the document allows.
    let mut walk: Vec<(NodeRef, usize, usize)> = vec![(node.clone(), all_of_len(map), 0)];
    while let Some((node, count, i)) = walk.last_mut() {
        if *i == *count {
            walk.pop();
            continue;
        }
        let member = node.child("allOf").child(&i.to_string());
        *i += 1;
        let Ok((target, value)) = cx.value(&member) else {
            continue;
        };
        if !visited.insert(target.clone()) {
            continue;
        }
        let Some(part) = value.as_object() else {
            others.push(member);
            continue;
        };
        if has_object_keywords(part) {
            parts.push((target.clone(), part));
        } else if has_shape_keywords(part) {
            others.push(member);
        }
        walk.push((target, all_of_len(part), 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_collecting};

    /// The program `sent` gives when built in that order from scratch.
    fn in_order(doc: &Document, sent: &[Payload]) -> (Vec<Value>, Vec<usize>) {
        let cx = Context::new(doc);
        let mut builder = ProgramBuilder::default();
        let definitions = sent.iter().map(|p| builder.build(&cx, p)).collect();
        (builder.program.defs, definitions)
    }

    fn schema(doc: &Document, pointer: &str) -> Payload {
        Payload::Schema(NodeRef::new(doc.root().file, pointer))
    }

    /// Whatever the model sends, in whatever order, the program is the
    /// one that order gives: the program built ahead from the expected
    /// payloads is kept only when the model sends exactly those.
    #[test]
    fn the_program_is_the_one_the_models_order_gives() {
        let dir = crate::test_files::scratch_dir("program-order");
        let path = dir.join("doc.yaml");
        std::fs::write(
            &path,
            concat!(
                "asyncapi: 3.0.0\n",
                "info: {title: t, version: '1'}\n",
                "channels:\n",
                "  a: {address: /a, messages: {one: {$ref: '#/components/messages/one'}, two: {$ref: '#/components/messages/two'}}}\n",
                "  b: {address: /b, messages: {one: {$ref: '#/components/messages/one'}}}\n",
                "components:\n",
                "  messages:\n",
                "    one: {payload: {$ref: '#/components/schemas/One'}}\n",
                "    two: {payload: {type: object, properties: {n: {$ref: '#/components/schemas/Two'}}}}\n",
                "    three: {payload: {schemaFormat: application/vnd.apache.avro;version=1.9.0, schema: {type: int}}}\n",
                "    four: {payload: {$ref: '#/components/schemas/Two'}}\n",
                "  schemas:\n",
                "    One: {type: object, properties: {s: {type: string}, two: {$ref: '#/components/schemas/Two'}}}\n",
                "    Two: {type: integer, maximum: 9}\n",
            ),
        )
        .unwrap();
        let (doc, diags) = load_collecting(&path, &LoadOptions::default());
        let doc = doc.unwrap_or_else(|| panic!("{diags:?}"));
        let one = || schema(&doc, "/components/messages/one/payload");
        let two = || schema(&doc, "/components/messages/two/payload");
        let four = || schema(&doc, "/components/messages/four/payload");
        let expected = expected_payloads(&mut Context::new(&doc));
        assert_eq!(expected, [one(), two(), Payload::Any, four()]);
        let orders: [Vec<Payload>; 6] = [
            vec![one(), two(), Payload::Any, four()],
            vec![
                one(),
                two(),
                Payload::Any,
                four(),
                schema(&doc, "/components/schemas/One"),
            ],
            vec![one(), two(), Payload::Any],
            vec![two(), one(), Payload::Any, four()],
            vec![four(), one()],
            vec![],
        ];
        for sent in orders {
            let (sender, received) = std::sync::mpsc::channel();
            let (defs, definitions) = in_order(&doc, &sent);
            for payload in sent {
                sender.send(payload).unwrap();
            }
            drop(sender);
            let built = build_program(&doc, received);
            assert_eq!(built.definitions, definitions);
            assert_eq!(built.program.defs, defs);
            assert_eq!(built.program.origins.len(), defs.len());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
