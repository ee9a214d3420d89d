//! Containers: lists, tuples, maps and models (properties, whether they
//! are required, and what happens to properties a model does not declare).

use serde_json::{Value, json};

use super::{At, Compare, field_path};
use crate::diff::{Kind, Shift};

impl<'a> Compare<'a> {
    pub(super) fn sequence(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        if old.t() != new.t() {
            // pydantic reads a JSON array into a list or a set alike.
            let what = format!("{} → {}", old.t(), new.t());
            self.push(path, Kind::TypeChanged, Shift::Neutral, what, old, new);
        }
        self.lengths(path, old, new, "items");
        if let (Some(o), Some(n)) = (old.get("items"), new.get("items")) {
            self.node(
                &format!("{path}[]"),
                old.child(o, &["items"]),
                new.child(n, &["items"]),
                depth + 1,
            );
        }
    }

    pub(super) fn tuple(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        let prefix = |at: &At<'a>| -> &'a [Value] {
            at.get("prefix")
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice)
        };
        let (o, n) = (prefix(old), prefix(new));
        if o.len() != n.len() {
            let what = format!("a tuple of {} → of {} items", o.len(), n.len());
            self.push(path, Kind::TypeChanged, Shift::Incompatible, what, old, new);
            return;
        }
        for (i, (a, b)) in o.iter().zip(n).enumerate() {
            let index = i.to_string();
            self.node(
                &format!("{path}[{i}]"),
                old.child(a, &["prefixItems", &index]),
                new.child(b, &["prefixItems", &index]),
                depth + 1,
            );
        }
        match (old.get("rest"), new.get("rest")) {
            (Some(a), Some(b)) => self.node(
                &format!("{path}[]"),
                old.child(a, &["items"]),
                new.child(b, &["items"]),
                depth + 1,
            ),
            (None, Some(_)) => self.constraint(
                path,
                Shift::Looser,
                "more items are accepted after the fixed ones".into(),
                old,
                new,
            ),
            (Some(_), None) => self.constraint(
                path,
                Shift::Tighter,
                "no items are accepted after the fixed ones".into(),
                old,
                new,
            ),
            (None, None) => {}
        }
        self.lengths(path, old, new, "items");
    }

    pub(super) fn dict(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        static STR: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({"t": "str"}));
        let keys = |at: &At<'a>| at.get("keys").unwrap_or(&STR);
        self.node(
            &format!("{path}{{keys}}"),
            old.child(keys(old), &["propertyNames"]),
            new.child(keys(new), &["propertyNames"]),
            depth + 1,
        );
        if let (Some(o), Some(n)) = (old.get("values"), new.get("values")) {
            self.node(
                &format!("{path}{{}}"),
                old.child(o, &["additionalProperties"]),
                new.child(n, &["additionalProperties"]),
                depth + 1,
            );
        }
        self.lengths(path, old, new, "properties");
    }

    pub(super) fn model(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        let fields = |at: &At<'a>| -> Vec<(&'a str, &'a Value)> {
            at.get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| Some((f.get("name")?.as_str()?, f)))
                .collect()
        };
        let required = |f: &Value| f.get("required") == Some(&Value::Bool(true));
        let forbids = |at: &At| at.get("extra").and_then(Value::as_str) == Some("forbid");
        let (old_fields, new_fields) = (fields(old), fields(new));
        let field_at = |at: &At<'a>, field: &'a Value, name: &str| -> At<'a> {
            let schema = field.get("schema").unwrap_or(field);
            at.child(schema, &["properties", name])
        };
        for &(name, field) in &old_fields {
            let path = field_path(path, name);
            let old_at = field_at(old, field, name);
            match new_fields.iter().find(|(n, _)| *n == name) {
                Some(&(_, new_field)) => {
                    let new_at = field_at(new, new_field, name);
                    match (required(field), required(new_field)) {
                        (false, true) => self.push(
                            &path,
                            Kind::FieldRequired,
                            Shift::Tighter,
                            format!("`{name}` is now required"),
                            &old_at,
                            &new_at,
                        ),
                        (true, false) => self.push(
                            &path,
                            Kind::FieldOptional,
                            Shift::Looser,
                            format!("`{name}` is now optional"),
                            &old_at,
                            &new_at,
                        ),
                        _ => {}
                    }
                    self.node(&path, old_at, new_at, depth + 1);
                }
                None => {
                    let was = if required(field) {
                        "required"
                    } else {
                        "optional"
                    };
                    let (shift, what) = match (forbids(new), required(field)) {
                        (true, true) => (
                            Shift::Incompatible,
                            format!("{was} `{name}` removed, and unknown properties are rejected"),
                        ),
                        (true, false) => (
                            Shift::Tighter,
                            format!("{was} `{name}` removed, and unknown properties are rejected"),
                        ),
                        (false, _) => (
                            Shift::Looser,
                            format!("{was} `{name}` removed (no longer checked)"),
                        ),
                    };
                    self.push(&path, Kind::FieldRemoved, shift, what, &old_at, new);
                }
            }
        }
        for &(name, field) in &new_fields {
            if old_fields.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let path = field_path(path, name);
            let new_at = field_at(new, field, name);
            let (kind, shift, what) = if required(field) {
                (
                    Kind::FieldRequired,
                    Shift::Tighter,
                    format!("new required property `{name}`"),
                )
            } else if forbids(old) {
                (
                    Kind::FieldAdded,
                    Shift::Looser,
                    format!("new optional property `{name}`, which OLD rejected as unknown"),
                )
            } else {
                (
                    Kind::FieldAdded,
                    Shift::Neutral,
                    format!("new optional property `{name}`"),
                )
            };
            self.push(&path, kind, shift, what, old, &new_at);
        }
        self.extra(path, old, new, depth);
    }

    /// What an object does with properties it does not declare.
    pub(super) fn extra(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        let forbids = |at: &At| at.get("extra").and_then(Value::as_str) == Some("forbid");
        match (forbids(old), forbids(new)) {
            (false, true) => self.push(
                path,
                Kind::UnknownRejected,
                Shift::Tighter,
                "properties it does not declare are now rejected".into(),
                old,
                new,
            ),
            (true, false) => self.push(
                path,
                Kind::UnknownAccepted,
                Shift::Looser,
                "properties it does not declare are now accepted".into(),
                old,
                new,
            ),
            (true, true) => {}
            (false, false) => {
                static ANY: std::sync::LazyLock<Value> =
                    std::sync::LazyLock::new(|| json!({"t": "any"}));
                let schema = |at: &At<'a>| at.get("extra_schema").unwrap_or(&ANY);
                self.node(
                    &field_path(path, "*"),
                    old.child(schema(old), &["additionalProperties"]),
                    new.child(schema(new), &["additionalProperties"]),
                    depth + 1,
                );
            }
        }
    }
}
