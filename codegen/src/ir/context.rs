//! What every builder step shares: the document and the diagnostics so far.

use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Origin;
use crate::load::{Document, NodeRef};

pub struct Context<'d> {
    pub doc: &'d Document,
    pub diags: Diagnostics,
}

impl<'d> Context<'d> {
    pub fn new(doc: &'d Document) -> Self {
        Context {
            doc,
            diags: Diagnostics::default(),
        }
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
        match self.doc.value(node) {
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
        let doc = self.doc;
        if doc.raw(node).is_none() {
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
    map.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The last token of a JSON pointer, unescaped.
pub fn last_token(pointer: &str) -> Option<String> {
    crate::load::pointer_tokens(pointer).last()
}
