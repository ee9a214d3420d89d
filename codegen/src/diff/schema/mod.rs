//! Two payload schemas compared through the validator program.
//!
//! The program is what the runtime validates with, so comparing it compares
//! what each side accepts: `allOf` parts are already merged, `anyOf [T,
//! null]` is already `nullable`, and two spellings of one schema are equal.
//! Each difference is reported on its own, with the way the accepted values
//! moved ([`Shift`]); the caller judges it by the message's direction.

mod describe;
mod objects;
mod scalars;
mod unions;

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Kind, Shift};
use crate::ir::Origin;
use crate::ir::validation::Program;
use crate::source::push_token;
use describe::{describe, noun};
use scalars::values_fit;

/// Nesting followed before two schemas are taken as equal (recursion through
/// definitions stops earlier, at the first pair compared twice).
const MAX_DEPTH: usize = 64;

/// One difference between two payload schemas.
#[derive(Debug, Clone)]
pub struct Difference {
    /// `payload.items[].name`; empty for the payload itself.
    pub path: String,
    pub kind: Kind,
    pub shift: Shift,
    /// What changed, in words (`at most 200 → at most 100 characters`).
    pub what: String,
    pub old: Origin,
    pub new: Origin,
}

/// A node of one program and where its schema is written.
#[derive(Clone)]
struct At<'a> {
    node: &'a Value,
    origin: Origin,
}

impl<'a> At<'a> {
    fn t(&self) -> &'a str {
        self.node.get("t").and_then(Value::as_str).unwrap_or("any")
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.node.get(key)
    }

    /// A child node, written at `tokens` below this one (when inline).
    fn child(&self, node: &'a Value, tokens: &[&str]) -> At<'a> {
        let mut pointer = self.origin.pointer.clone();
        for token in tokens {
            pointer = push_token(&pointer, token);
        }
        At {
            node,
            origin: Origin {
                file: self.origin.file.clone(),
                pointer,
            },
        }
    }
}

/// The payload schemas of two messages: definition `old_def` of `old` and
/// `new_def` of `new` (`None`: no payload, any value), written at the
/// given origins.
pub fn compare(
    old: (&Program, Option<usize>, &Origin),
    new: (&Program, Option<usize>, &Origin),
) -> Vec<Difference> {
    // A message without a payload accepts any value.
    let start = |program: &Program, def: Option<usize>| match def {
        Some(d) if d < program.defs.len() => json!({"t": "ref", "def": d}),
        _ => json!({"t": "any"}),
    };
    let (old_root, new_root) = (start(old.0, old.1), start(new.0, new.1));
    let mut cmp = Compare {
        old: old.0,
        new: new.0,
        seen: HashSet::new(),
        found: Vec::new(),
    };
    cmp.node(
        "",
        At {
            node: &old_root,
            origin: old.2.clone(),
        },
        At {
            node: &new_root,
            origin: new.2.clone(),
        },
        0,
    );
    cmp.found
}

struct Compare<'a> {
    old: &'a Program,
    new: &'a Program,
    /// Definition pairs already compared (or being compared: recursion).
    seen: HashSet<(usize, usize)>,
    found: Vec<Difference>,
}

/// `payload` + `name` → `payload.name`.
fn field_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Follows `ref`s to a definition; the origin becomes the definition's.
fn deref<'a>(program: &'a Program, mut at: At<'a>) -> (At<'a>, Option<usize>) {
    let mut def = None;
    for _ in 0..MAX_DEPTH {
        if at.t() != "ref" {
            break;
        }
        let Some(index) = at.get("def").and_then(Value::as_u64).map(|d| d as usize) else {
            break;
        };
        let Some(node) = program.defs.get(index) else {
            break;
        };
        let origin = program
            .origins
            .get(index)
            .cloned()
            .flatten()
            .unwrap_or(at.origin);
        at = At { node, origin };
        def = Some(index);
    }
    (at, def)
}

impl<'a> Compare<'a> {
    fn push(&mut self, path: &str, kind: Kind, shift: Shift, what: String, old: &At, new: &At) {
        self.found.push(Difference {
            path: path.to_owned(),
            kind,
            shift,
            what,
            old: old.origin.clone(),
            new: new.origin.clone(),
        });
    }

    fn node(&mut self, path: &str, old: At<'a>, new: At<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let (old, old_def) = deref(self.old, old);
        let (new, new_def) = deref(self.new, new);
        if let (Some(a), Some(b)) = (old_def, new_def)
            && !self.seen.insert((a, b))
        {
            return;
        }
        if old.t() == "any" || new.t() == "any" {
            self.any(path, &old, &new);
            return;
        }
        let (old_null, old_inner) = nullable(old.clone());
        let (new_null, new_inner) = nullable(new.clone());
        match (old_null, new_null) {
            (true, false) => self.push(
                path,
                Kind::NullRemoved,
                Shift::Tighter,
                "null is no longer accepted".into(),
                &old,
                &new,
            ),
            (false, true) => self.push(
                path,
                Kind::NullAllowed,
                Shift::Looser,
                "null is now accepted".into(),
                &old,
                &new,
            ),
            _ => {}
        }
        match (old_inner, new_inner) {
            // A `ref` inside `nullable` goes through the recursion check again.
            (Some(o), Some(n)) if o.t() == "ref" || n.t() == "ref" => {
                self.node(path, o, n, depth + 1)
            }
            (Some(o), Some(n)) => self.shape(path, o, n, depth),
            (None, None) => {}
            (None, Some(n)) => {
                let what = format!("null → {} or null", describe(self.new, n.node));
                self.push(path, Kind::TypeWidened, Shift::Looser, what, &old, &n);
            }
            (Some(o), None) => {
                let what = format!("{} or null → null", describe(self.old, o.node));
                self.push(path, Kind::TypeNarrowed, Shift::Tighter, what, &o, &new);
            }
        }
    }

    /// `any` on either side: everything, or nothing, else changed.
    fn any(&mut self, path: &str, old: &At, new: &At) {
        match (old.t(), new.t()) {
            ("any", "any") => {}
            ("any", _) => {
                let what = format!("any value → {}", describe(self.new, new.node));
                self.push(path, Kind::TypeNarrowed, Shift::Tighter, what, old, new);
            }
            _ => {
                let what = format!("{} → any value", describe(self.old, old.node));
                self.push(path, Kind::TypeWidened, Shift::Looser, what, old, new);
            }
        }
    }

    fn shape(&mut self, path: &str, old: At<'a>, new: At<'a>, depth: usize) {
        let (ot, nt) = (old.t(), new.t());
        if ot == nt {
            return self.same_kind(path, ot, old, new, depth);
        }
        match (ot, nt) {
            ("int", "float") => {
                self.push(
                    path,
                    Kind::TypeWidened,
                    Shift::Looser,
                    "integer → number".into(),
                    &old,
                    &new,
                );
                self.numbers(path, &old, &new);
            }
            ("float", "int") => {
                self.push(
                    path,
                    Kind::TypeNarrowed,
                    Shift::Tighter,
                    "number → integer".into(),
                    &old,
                    &new,
                );
                self.numbers(path, &old, &new);
            }
            ("str", "format") | ("format", "str") => {
                let (kind, shift) = if ot == "str" {
                    (Kind::TypeNarrowed, Shift::Tighter)
                } else {
                    (Kind::TypeWidened, Shift::Looser)
                };
                let what = format!(
                    "{} → {}",
                    describe(self.old, old.node),
                    describe(self.new, new.node)
                );
                self.push(path, kind, shift, what, &old, &new);
                self.lengths(path, &old, &new, "characters");
            }
            ("literal" | "enum", "literal" | "enum") => self.values(path, &old, &new),
            ("literal" | "enum", _) if values_fit(&old, nt) => {
                let what = format!("{} → any {}", describe(self.old, old.node), noun(nt));
                self.push(path, Kind::TypeWidened, Shift::Looser, what, &old, &new);
            }
            (_, "literal" | "enum") if values_fit(&new, ot) => {
                let what = format!("any {} → {}", noun(ot), describe(self.new, new.node));
                self.push(path, Kind::TypeNarrowed, Shift::Tighter, what, &old, &new);
            }
            ("model", "dict") if any_object(&new) => {
                let what = format!("{} → any object", describe(self.old, old.node));
                self.push(path, Kind::TypeWidened, Shift::Looser, what, &old, &new);
            }
            ("dict", "model") if any_object(&old) => {
                let what = format!("any object → {}", describe(self.new, new.node));
                self.push(path, Kind::TypeNarrowed, Shift::Tighter, what, &old, &new);
            }
            ("list" | "set" | "frozenset", "list" | "set" | "frozenset") => {
                self.sequence(path, &old, &new, depth);
            }
            (_, "union" | "tagged") => self.widened_to_union(path, old, new, depth),
            ("union" | "tagged", _) => self.narrowed_from_union(path, old, new, depth),
            _ => self.changed(path, &old, &new),
        }
    }

    fn changed(&mut self, path: &str, old: &At, new: &At) {
        let what = format!(
            "{} → {}",
            describe(self.old, old.node),
            describe(self.new, new.node)
        );
        self.push(path, Kind::TypeChanged, Shift::Incompatible, what, old, new);
    }

    fn same_kind(&mut self, path: &str, t: &str, old: At<'a>, new: At<'a>, depth: usize) {
        match t {
            "str" => {
                self.lengths(path, &old, &new, "characters");
                self.pattern(path, &old, &new);
            }
            "format" => {
                if old.get("format") != new.get("format") {
                    self.changed(path, &old, &new);
                }
                self.lengths(path, &old, &new, "characters");
            }
            "int" | "float" => self.numbers(path, &old, &new),
            "literal" | "enum" => self.values(path, &old, &new),
            "list" | "set" | "frozenset" => self.sequence(path, &old, &new, depth),
            "tuple" => self.tuple(path, &old, &new, depth),
            "dict" => self.dict(path, &old, &new, depth),
            "model" => self.model(path, &old, &new, depth),
            "union" => self.union(path, &old, &new, depth),
            "tagged" => self.tagged(path, &old, &new, depth),
            // bool, none: nothing more to compare.
            _ => {}
        }
    }
}

/// A dict that takes any object: no key, value or size constraint.
fn any_object(at: &At) -> bool {
    let values_any = at
        .get("values")
        .is_none_or(|v| v.get("t").and_then(Value::as_str) == Some("any"));
    values_any
        && ["keys", "min_length", "max_length"]
            .iter()
            .all(|k| at.get(k).is_none())
}

/// Whether the node accepts `null`, and what else it accepts (`None`: only null).
fn nullable(at: At<'_>) -> (bool, Option<At<'_>>) {
    match at.t() {
        "none" => (true, None),
        "nullable" => match at.get("inner") {
            Some(inner) => (true, Some(at.child(inner, &[]))),
            None => (true, None),
        },
        _ => (false, Some(at)),
    }
}
