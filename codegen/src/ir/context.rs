//! What every builder step shares: the document and the diagnostics so far.

use std::cell::RefCell;

use foldhash::HashMap;
use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Origin;
use crate::load::{Document, NodeRef, RefError};

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
        if walked.len() <= node.file {
            walked.resize_with(node.file + 1, HashMap::default);
        }
        let file = &mut walked[node.file];
        if let Some(&found) = file.get(node.pointer.as_str()) {
            return found;
        }
        let found = self.doc.raw(node);
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
    map.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The last token of a JSON pointer, unescaped.
pub fn last_token(pointer: &str) -> Option<String> {
    crate::load::pointer_tokens(pointer).last()
}
