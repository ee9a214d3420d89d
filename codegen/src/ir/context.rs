//! What every builder step shares: the document and the diagnostics so far.

use std::cell::RefCell;

use foldhash::HashMap;
use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Origin;
use crate::load::{Document, Members, NodeRef, RefError};

/// Most members (properties, `required` names, enum values, union
/// variants, messages) one schema or channel may have.
pub const MAX_MEMBERS: usize = 10_000;

/// Most members the whole model may have, counting each copy `allOf` makes:
/// what is generated grows with them, so they bound its size and the work.
pub const MAX_MEMBERS_TOTAL: usize = 500_000;

pub struct Context<'d> {
    pub doc: &'d Document,
    pub diags: Diagnostics,
    /// Members of the model so far (see [`Context::members`]).
    members: usize,
    /// What each pointer read so far found, per file: the builders read
    /// most nodes several times (a type, then its validation, its fields'
    /// owners…), and each read walked the pointer from the file's root
    /// (seven reads in eight were repeats, on a large document).
    walked: RefCell<Vec<HashMap<Box<str>, Option<&'d Value>>>>,
}

impl<'d> Context<'d> {
    pub fn new(doc: &'d Document) -> Self {
        Context {
            doc,
            diags: Diagnostics::default(),
            members: 0,
            walked: RefCell::new(Vec::new()),
        }
    }

    /// [`Document::raw`], each pointer walked once.
    pub fn raw(&self, node: &NodeRef) -> Option<&'d Value> {
        let mut walked = self.walked.borrow_mut();
        while walked.len() <= node.file {
            // Sized up front for half the file's nodes, about what the
            // builders read (46 % on the synthetic documents): growing to
            // it a doubling at a time rehashed every pointer again each
            // time, a tenth of the reads' cost. (Sized for every node, the
            // table was twice as large as it needed, 3 MiB more at the
            // peak on a 100,000-line document.)
            let nodes = self
                .doc
                .files
                .get(walked.len())
                .map_or(0, |f| f.parsed.positions.len());
            walked.push(HashMap::with_capacity_and_hasher(
                nodes / 2,
                Default::default(),
            ));
        }
        let file = &mut walked[node.file];
        if let Some(&found) = file.get(node.pointer.as_str()) {
            return found;
        }
        // A node whose parent was read before is one step from it, not a
        // walk from the root (0.7 % of the 100k synthetic document's
        // instructions: most reads of a new node have no parent read).
        let parent = crate::load::pointer_parent(&node.pointer)
            .and_then(|(up, token)| Some((file.get(up)?, token)));
        let found = match parent {
            Some((&parent, token)) => {
                parent.and_then(|parent| crate::load::pointer_step(parent, token))
            }
            None => self.doc.raw(node),
        };
        file.insert(node.pointer.as_str().into(), found);
        found
    }

    /// [`Document::value`], its values read through [`Context::raw`].
    pub fn value(&self, node: &NodeRef) -> Result<(NodeRef, &'d Value), RefError> {
        if let Some(value) = self.raw(node)
            && crate::load::reference_in(value).is_none()
        {
            return Ok((node.clone(), value));
        }
        let target = self.doc.resolve(node)?;
        match self.raw(&target) {
            Some(value) => Ok((target, value)),
            None => Err(RefError::NotFound {
                reference: target.pointer.clone(),
                missing: target.pointer,
                parent: None,
            }),
        }
    }

    /// [`Document::ref_of`], through [`Context::raw`].
    pub fn ref_of(&self, node: &NodeRef) -> Option<&'d str> {
        crate::load::reference_in(self.raw(node)?)
    }

    /// Counts `count` members of the schema or channel at `node` before
    /// they are built. False, with an error, when that is more than one
    /// schema or channel may have or the model grows past its limit: the
    /// caller then builds none of them, so a document over the limits costs
    /// no more than one within them.
    pub fn members(&mut self, node: &NodeRef, count: usize, what: &str) -> bool {
        if count > MAX_MEMBERS {
            self.error(
                Code::TooManyMembers,
                node,
                format!("{count} {what}, more than the limit of {MAX_MEMBERS}"),
            );
            return false;
        }
        let before = self.members;
        self.members = self.members.saturating_add(count);
        if self.members <= MAX_MEMBERS_TOTAL {
            return true;
        }
        if before <= MAX_MEMBERS_TOTAL {
            self.error(
                Code::ModelTooLarge,
                node,
                format!(
                    "the model grows past {MAX_MEMBERS_TOTAL} properties, enum values, union variants and messages here ({what}); `allOf` copies count each time"
                ),
            );
        }
        false
    }

    pub fn warn(&mut self, code: Code, node: &NodeRef, message: impl Into<String>) {
        let d =
            Diagnostic::warning(code, message).at(self.doc.location(node), node.pointer.clone());
        self.diags.push(d);
    }

    pub fn error(&mut self, code: Code, node: &NodeRef, message: impl Into<String>) {
        let d = Diagnostic::error(code, message).at(self.doc.location(node), node.pointer.clone());
        self.diags.push(d);
    }

    pub fn origin(&self, node: &NodeRef) -> Origin {
        Origin {
            file: self
                .doc
                .files
                .get(node.file)
                .map(|f| f.display.clone())
                .unwrap_or_default(),
            pointer: node.pointer.clone(),
        }
    }

    /// Resolves `node`, reporting a reference that leads nowhere as a warning.
    pub fn resolve(&mut self, node: &NodeRef) -> Option<(NodeRef, &'d Value)> {
        match self.value(node) {
            Ok(found) => Some(found),
            Err(e) => {
                let mut d = e.diagnostic(self.doc, node);
                d.severity = crate::diag::Severity::Warning;
                self.diags.push(d);
                None
            }
        }
    }

    /// Resolves `node` and expects an object (a Message Object, a Channel, …).
    pub fn object(&mut self, node: &NodeRef) -> Option<(NodeRef, &'d Map<String, Value>)> {
        let (target, value) = self.resolve(node)?;
        match value.as_object() {
            Some(map) => Some((target, map)),
            None => {
                self.warn(
                    Code::NotAnObject,
                    &target,
                    format!("expected an object here, found {}", kind_of(value)),
                );
                None
            }
        }
    }

    /// The entries of the object at `node` (resolved), in document order.
    pub fn entries(&mut self, node: &NodeRef) -> Vec<(String, NodeRef)> {
        if self.raw(node).is_none() {
            return Vec::new();
        }
        match self.object(node) {
            Some((target, map)) => map.keys().map(|k| (k.clone(), target.child(k))).collect(),
            None => Vec::new(),
        }
    }
}

/// A short description of a JSON value's kind, for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string field of an object.
pub fn str_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.member(key).and_then(Value::as_str).map(str::to_string)
}

/// The last token of a JSON pointer, unescaped.
pub fn last_token(pointer: &str) -> Option<String> {
    // Only the last is unescaped.
    crate::load::pointer_parent(pointer)
        .map(|(_, token)| crate::load::unescape_token(token).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load};

    /// Every node below `value` at `node`, parents before their children,
    /// and for each a few that are not there.
    fn nodes(value: &Value, node: NodeRef, out: &mut Vec<NodeRef>) {
        out.push(node.child("missing"));
        out.push(node.child("01"));
        out.push(node.clone());
        match value {
            Value::Object(map) => {
                for (key, member) in map {
                    nodes(member, node.child(key), out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    nodes(item, node.child(&i.to_string()), out);
                }
                out.push(node.child(&items.len().to_string()));
            }
            _ => {}
        }
    }

    /// Read one step from a parent already read or walked from the root,
    /// in any order, a node is the one the document has.
    #[test]
    fn raw_reads_agree_with_the_document_in_any_order() {
        let dir = crate::test_files::scratch_dir("context-raw");
        let path = dir.join("doc.yaml");
        std::fs::write(
            &path,
            "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    \
             'a/b': {type: string}\n    '~x~1': {enum: [1, [2, {'': 3}]]}\n    '': {items: [{}, null]}\n    \
             plain: {properties: {'0': {type: integer}, '-': {}}}\n",
        )
        .unwrap();
        let (doc, _) = load(&path, &LoadOptions::default()).expect("loads");
        std::fs::remove_dir_all(&dir).unwrap();
        let root = doc.root();
        let mut all = Vec::new();
        nodes(doc.raw(&root).unwrap(), root, &mut all);
        let reversed: Vec<NodeRef> = all.iter().rev().cloned().collect();
        let alternate: Vec<NodeRef> = all
            .iter()
            .step_by(2)
            .chain(all.iter().skip(1).step_by(2))
            .cloned()
            .collect();
        for (order, nodes) in [
            ("parents first", &all),
            ("children first", &reversed),
            ("alternate", &alternate),
        ] {
            let cx = Context::new(&doc);
            for node in nodes {
                assert_eq!(cx.raw(node), doc.raw(node), "{order}: {}", node.pointer);
                // A second read comes from what the first found.
                assert_eq!(
                    cx.raw(node),
                    doc.raw(node),
                    "{order}, again: {}",
                    node.pointer
                );
            }
        }
        assert!(all.len() > 40, "{} nodes", all.len());
    }
}
