//! One document from many: the root file with every file it `$ref`s merged
//! in, so the copy a server serves stands alone.
//!
//! A node another file holds is written once, in place of the first
//! reference to it that may hold a value; every other reference to it (or
//! into it) points at where it now is. References that must stay references
//! (an operation's channel and messages, a reply's, a channel's servers) never
//! take the value; a node only they reach goes under `x-bundled`. Recursive
//! schemas stay recursive: a reference back into a node being written points
//! at it.

use foldhash::HashMap;

use serde_json::{Map, Value};

use crate::load::{Document, NodeRef, pointer_tokens};
use crate::source::push_token;

/// Where nodes only must-stay references reach are written.
const SPILL: &str = "x-bundled";

/// The document as one JSON value (the root file's own nodes keep their
/// places, so its internal references keep their meaning).
pub fn bundle(doc: &Document) -> Value {
    let root = doc.root();
    let Some(value) = doc.raw(&root) else {
        return Value::Null;
    };
    let mut bundler = Bundler {
        doc,
        placed: HashMap::default(),
        pending: Vec::new(),
    };
    let mut out = bundler.value(&root, value, "");
    bundler.spill(&mut out);
    bundler.point(&mut out);
    out
}

/// The bundled document's JSON text: [`bundle`]'s value, written.
///
/// A document of one file is its own bundle but for its references, each
/// rewritten as `#` and its target's pointer (an unresolved one kept as it
/// is, with what it holds): its text is written straight from the parsed
/// tree, references rewritten on the way, with no copy of the tree, which
/// is five times the text's size and was made while the model is built.
pub fn bundle_text(doc: &Document) -> String {
    let root = doc.root();
    match (doc.files.len(), doc.raw(&root)) {
        (1, Some(value)) => {
            serde_json::to_string(&OneFile { doc, value }).expect("a JSON value writes to memory")
        }
        _ => bundle(doc).to_string(),
    }
}

/// A value of a one-file document, serialized as [`bundle`] writes it.
struct OneFile<'d> {
    doc: &'d Document,
    value: &'d Value,
}

impl serde::Serialize for OneFile<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let inner = |value| OneFile {
            doc: self.doc,
            value,
        };
        match self.value {
            Value::Object(map) => {
                let reference = match map.get("$ref") {
                    Some(Value::String(reference)) => {
                        match self.doc.target_of(&self.doc.root(), reference) {
                            Ok(target) => Some(format!("#{}", encode(&target.pointer))),
                            // As `Bundler::reference` keeps it: all of it as written.
                            Err(_) => return self.value.serialize(serializer),
                        }
                    }
                    _ => None,
                };
                let mut members = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    match &reference {
                        Some(reference) if key == "$ref" => {
                            members.serialize_entry(key, reference)?
                        }
                        _ => members.serialize_entry(key, &inner(value))?,
                    }
                }
                members.end()
            }
            Value::Array(items) => {
                let mut list = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    list.serialize_element(&inner(item))?;
                }
                list.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

struct Bundler<'d> {
    doc: &'d Document,
    /// A node of another file → where it is written.
    placed: HashMap<NodeRef, String>,
    /// References kept: where the reference object is written, and its target.
    pending: Vec<(String, NodeRef)>,
}

impl Bundler<'_> {
    /// `value` (the raw node `node`) written at `out`.
    fn value(&mut self, node: &NodeRef, value: &Value, out: &str) -> Value {
        match value {
            Value::Object(map) => match map.get("$ref") {
                Some(Value::String(reference)) => self.reference(node, map, reference, out),
                _ => Value::Object(self.members(node, map, out)),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let token = i.to_string();
                        self.value(&node.child(&token), item, &push_token(out, &token))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn members(
        &mut self,
        node: &NodeRef,
        map: &Map<String, Value>,
        out: &str,
    ) -> Map<String, Value> {
        map.iter()
            .map(|(key, value)| {
                let written = self.value(&node.child(key), value, &push_token(out, key));
                (key.clone(), written)
            })
            .collect()
    }

    /// A reference: its target's value written here, or the reference kept
    /// (pointed at the target's place once every place is known).
    fn reference(
        &mut self,
        node: &NodeRef,
        map: &Map<String, Value>,
        reference: &str,
        out: &str,
    ) -> Value {
        let Ok(target) = self.doc.target_of(node, reference) else {
            // Reported when the document was checked; kept as written.
            return Value::Object(map.clone());
        };
        let takes_value =
            target.file != 0 && !self.placed.contains_key(&target) && may_hold_value(out);
        if let (true, Some(raw)) = (takes_value, self.doc.raw(&target)) {
            self.placed.insert(target.clone(), out.to_owned());
            let mut written = self.value(&target, raw, out);
            // Keys beside a `$ref` (a `description`, a `default`) stay with it.
            if let Value::Object(object) = &mut written {
                for (key, value) in self.members(node, map, out) {
                    if key != "$ref" {
                        object.insert(key, value);
                    }
                }
            }
            return written;
        }
        self.pending.push((out.to_owned(), target));
        Value::Object(self.members(node, map, out))
    }

    /// Writes under `x-bundled` every node of another file that only kept
    /// references reach.
    fn spill(&mut self, out: &mut Value) {
        let mut spilled = Map::new();
        let mut next = 0;
        while next < self.pending.len() {
            let target = self.pending[next].1.clone();
            next += 1;
            if target.file == 0 || self.place_of(&target).is_some() {
                continue;
            }
            let Some(raw) = self.doc.raw(&target) else {
                continue;
            };
            let key = spilled.len().to_string();
            let at = push_token(&push_token("", SPILL), &key);
            self.placed.insert(target.clone(), at.clone());
            let written = self.value(&target, raw, &at);
            spilled.insert(key, written);
        }
        if let (false, Value::Object(root)) = (spilled.is_empty(), out) {
            root.insert(SPILL.to_owned(), Value::Object(spilled));
        }
    }

    /// Points every kept reference at its target's place.
    fn point(&self, out: &mut Value) {
        for (at, target) in &self.pending {
            let Some(place) = self.place_of(target) else {
                continue;
            };
            if let Some(Value::Object(object)) = out.pointer_mut(at) {
                object.insert(
                    "$ref".to_owned(),
                    Value::String(format!("#{}", encode(&place))),
                );
            }
        }
    }

    /// Where `node` is written: the root file's nodes where they are, another
    /// file's under the place of their nearest placed ancestor.
    fn place_of(&self, node: &NodeRef) -> Option<String> {
        if node.file == 0 {
            return Some(node.pointer.clone());
        }
        crate::load::pointer_ancestors(&node.pointer).find_map(|prefix| {
            let place = self.placed.get(&NodeRef::new(node.file, prefix))?;
            Some(format!("{place}{}", &node.pointer[prefix.len()..]))
        })
    }
}

/// Whether the node written at `out` may be a value rather than a
/// reference: AsyncAPI 3 wants references for an operation's (or reply's)
/// channel and messages and for a channel's servers.
fn may_hold_value(out: &str) -> bool {
    let tokens: Vec<String> = pointer_tokens(out).collect();
    let tail: Vec<&str> = tokens.iter().rev().take(4).map(String::as_str).collect();
    !matches!(
        tail.as_slice(),
        ["channel", _, "operations" | "replies", ..]
            | ["channel", "reply", _, "operations", ..]
            | [_, "messages", _, "operations" | "replies", ..]
            | [_, "messages", "reply", _, ..]
            | [_, "servers", _, "channels", ..]
    )
}

/// A JSON pointer as a URI fragment: the characters that would end or
/// change its meaning percent-encoded.
fn encode(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        match c {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '"' => out.push_str("%22"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_an_operation_keeps_stay_references() {
        assert!(!may_hold_value("/operations/send/channel"));
        assert!(!may_hold_value("/operations/send/messages/0"));
        assert!(!may_hold_value("/operations/send/reply/channel"));
        assert!(!may_hold_value("/operations/send/reply/messages/1"));
        assert!(!may_hold_value("/components/replies/r/messages/0"));
        assert!(!may_hold_value("/channels/chat/servers/0"));
        assert!(may_hold_value("/channels/chat"));
        assert!(may_hold_value("/channels/chat/messages/ping"));
        assert!(may_hold_value("/components/messages/ping/payload"));
        assert!(may_hold_value(
            "/components/schemas/messages/properties/channel"
        ));
    }

    /// A one-file document's text, written from its parsed tree, is the
    /// text of the bundle made as for any document.
    #[test]
    fn one_file_text_is_the_bundle_written() {
        use crate::load::{LoadOptions, load_collecting};
        let dir = crate::test_files::scratch_dir("bundle-text");
        // References in other forms than `#` and the target's pointer: a
        // percent-encoded one, one through another reference, one naming
        // its own file, one not found (with a reference inside it), and
        // `$ref` as a property name and as a non-string.
        std::fs::write(
            dir.join("refs.yaml"),
            concat!(
                "asyncapi: 3.0.0\n",
                "info: {title: t, version: '1'}\n",
                "components:\n",
                "  schemas:\n",
                "    'A B': {type: string}\n",
                "    Alias: {$ref: '#/components/schemas/Holder'}\n",
                "    Holder: {properties: {inner: {type: integer}, $ref: {type: string}}}\n",
                "    Encoded: {$ref: '#/components/schemas/A%20B'}\n",
                "    Through: {$ref: '#/components/schemas/Alias/properties/inner'}\n",
                "    Self: {$ref: 'refs.yaml#/components/schemas/Holder'}\n",
                "    Missing: {$ref: '#/nowhere', items: {$ref: '#/components/schemas/A%20B'}}\n",
                "    Odd: {$ref: 5, description: d}\n",
            ),
        )
        .unwrap();
        let mut paths = vec![dir.join("refs.yaml")];
        paths.extend(crate::test_files::under(
            &["specs", "tests/corpus", "../shared/specs-corpus"],
            &["yaml", "yml", "json"],
        ));
        let mut compared = 0;
        for path in &paths {
            // Documents with errors too: their references are written as well.
            let (doc, diags) = load_collecting(path, &LoadOptions::default());
            let Some(doc) = doc else {
                assert!(compared > 0 || !path.ends_with("refs.yaml"), "{diags:?}");
                continue;
            };
            if doc.files.len() != 1 {
                continue;
            }
            let text = bundle_text(&doc);
            assert_eq!(text, bundle(&doc).to_string(), "{}", path.display());
            if compared == 0 {
                // The references above, each in the one form.
                for written in [
                    r##""Encoded":{"$ref":"#/components/schemas/A%20B"}"##,
                    r##""Through":{"$ref":"#/components/schemas/Holder/properties/inner"}"##,
                    r##""Self":{"$ref":"#/components/schemas/Holder"}"##,
                    r##""Missing":{"$ref":"#/nowhere","items":{"$ref":"#/components/schemas/A%20B"}}"##,
                    r##""Odd":{"$ref":5,"description":"d"}"##,
                ] {
                    assert!(text.contains(written), "{written} in {text}");
                }
            }
            compared += 1;
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(compared >= 30, "only {compared} one-file documents");
    }

    #[test]
    fn fragments_escape_what_would_end_them() {
        assert_eq!(encode("/a b/c#d/e%f"), "/a%20b/c%23d/e%25f");
    }
}
