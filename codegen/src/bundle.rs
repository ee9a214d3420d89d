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
        let mut prefix = node.pointer.as_str();
        loop {
            let ancestor = NodeRef::new(node.file, prefix);
            if let Some(place) = self.placed.get(&ancestor) {
                return Some(format!("{place}{}", &node.pointer[prefix.len()..]));
            }
            prefix = &prefix[..prefix.rfind('/')?];
        }
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

    #[test]
    fn fragments_escape_what_would_end_them() {
        assert_eq!(encode("/a b/c#d/e%f"), "/a%20b/c%23d/e%25f");
    }
}
