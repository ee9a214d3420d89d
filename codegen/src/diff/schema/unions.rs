//! Unions: members matched by kind and name, tagged unions by tag value,
//! and a schema that became (or stopped being) a union.

use serde_json::Value;

use super::describe::{describe, noun};
use super::{At, Compare, deref};
use crate::diff::{Kind, Shift};
use crate::ir::validation::Program;

impl<'a> Compare<'a> {
    /// An untagged union on both sides: members matched by kind and name.
    pub(super) fn union(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        let old_choices = self.choices(self.old, old);
        let new_choices = self.choices(self.new, new);
        let mut taken = vec![false; new_choices.len()];
        for o in &old_choices {
            match best_match(o, &new_choices, &taken) {
                Some(i) => {
                    taken[i] = true;
                    let label = format!("{path}<{}>", label(self.old, o.node));
                    self.node(&label, o.clone(), new_choices[i].clone(), depth + 1);
                }
                None => {
                    let what = format!("{} no longer accepted", describe(self.old, o.node));
                    self.push(path, Kind::VariantRemoved, Shift::Tighter, what, o, new);
                }
            }
        }
        for (n, taken) in new_choices.iter().zip(taken) {
            if !taken {
                let what = format!("{} now accepted", describe(self.new, n.node));
                self.push(path, Kind::VariantAdded, Shift::Looser, what, old, n);
            }
        }
    }

    /// One schema became a union: wider, if one member is like the old schema.
    pub(super) fn widened_to_union(&mut self, path: &str, old: At<'a>, new: At<'a>, depth: usize) {
        let choices = self.choices(self.new, &new);
        let Some(i) = best_match(&old, &choices, &vec![false; choices.len()]) else {
            return self.changed(path, &old, &new);
        };
        let others: Vec<String> = choices
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| describe(self.new, c.node))
            .collect();
        let what = format!("{} now also accepted", others.join(", "));
        self.push(path, Kind::TypeWidened, Shift::Looser, what, &old, &new);
        self.node(path, old, choices[i].clone(), depth + 1);
    }

    /// A union became one schema: narrower, if that is one of its members.
    pub(super) fn narrowed_from_union(
        &mut self,
        path: &str,
        old: At<'a>,
        new: At<'a>,
        depth: usize,
    ) {
        let choices = self.choices(self.old, &old);
        let Some(i) = best_match(&new, &choices, &vec![false; choices.len()]) else {
            return self.changed(path, &old, &new);
        };
        let others: Vec<String> = choices
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| describe(self.old, c.node))
            .collect();
        let what = format!("{} no longer accepted", others.join(", "));
        self.push(path, Kind::TypeNarrowed, Shift::Tighter, what, &old, &new);
        self.node(path, choices[i].clone(), new, depth + 1);
    }

    /// A union's members, each followed to its definition (a tagged
    /// union's in tag order, a member with several tags once).
    pub(super) fn choices(&self, program: &'a Program, at: &At<'a>) -> Vec<At<'a>> {
        let tagged = at.t() == "tagged";
        let mut members: Vec<At<'a>> = Vec::new();
        for choice in at
            .get("choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let node = if tagged { choice.get(1) } else { Some(choice) };
            let Some(node) = node else { continue };
            let member = deref(program, at.child(node, &[])).0;
            if !members.iter().any(|m| std::ptr::eq(m.node, member.node)) {
                members.push(member);
            }
        }
        members
    }

    /// A discriminated union: members matched by tag value.
    pub(super) fn tagged(&mut self, path: &str, old: &At<'a>, new: &At<'a>, depth: usize) {
        let key = |at: &At| {
            at.get("key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let (old_key, new_key) = (key(old), key(new));
        if old_key != new_key {
            let what = format!("tagged by `{old_key}` → by `{new_key}`");
            self.push(
                path,
                Kind::DiscriminatorChanged,
                Shift::Incompatible,
                what,
                old,
                new,
            );
            return;
        }
        let pairs = |at: &At<'a>| -> Vec<(&'a str, &'a Value)> {
            at.get("choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|pair| Some((pair.get(0)?.as_str()?, pair.get(1)?)))
                .collect()
        };
        let (o, n) = (pairs(old), pairs(new));
        for &(tag, schema) in &o {
            match n.iter().find(|(t, _)| *t == tag) {
                Some(&(_, other)) => self.node(
                    &format!("{path}<{tag}>"),
                    old.child(schema, &[]),
                    new.child(other, &[]),
                    depth + 1,
                ),
                None => {
                    let what = format!("`{old_key}` \"{tag}\" no longer accepted");
                    let at = deref(self.old, old.child(schema, &[])).0;
                    self.push(path, Kind::VariantRemoved, Shift::Tighter, what, &at, new);
                }
            }
        }
        for &(tag, schema) in &n {
            if !o.iter().any(|(t, _)| *t == tag) {
                let what = format!("`{new_key}` \"{tag}\" now accepted");
                let at = deref(self.new, new.child(schema, &[])).0;
                self.push(path, Kind::VariantAdded, Shift::Looser, what, old, &at);
            }
        }
    }
}

/// Which member of `choices` stands for `wanted`: same kind and name, else
/// same kind, else the same JSON type.
fn best_match(wanted: &At, choices: &[At], taken: &[bool]) -> Option<usize> {
    let free = |i: &usize| !taken[*i];
    let name = |at: &At| at.get("name").cloned();
    let t = wanted.t();
    let ranks: [&dyn Fn(&At) -> bool; 3] = [
        &|c| c.t() == t && name(c) == name(wanted),
        &|c| c.t() == t,
        &|c| noun(c.t()) == noun(t) && noun(t) != "value",
    ];
    ranks
        .iter()
        .find_map(|rank| (0..choices.len()).filter(free).find(|&i| rank(&choices[i])))
}

/// A short name for a union member in a path (`Ping`, `string`).
fn label(program: &Program, node: &Value) -> String {
    match node.get("name").and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => describe(program, node),
    }
}
