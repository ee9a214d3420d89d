//! Strings, numbers and fixed values: lengths, bounds, patterns,
//! `multipleOf`, and the values of enums and literals.

use serde_json::Value;

use super::{At, Compare};
use crate::diff::{Kind, Shift};

impl<'a> Compare<'a> {
    /// `min_length` / `max_length` of strings, sequences and dicts.
    pub(super) fn lengths(&mut self, path: &str, old: &At, new: &At, unit: &str) {
        let count = |at: &At, key: &str| at.get(key).and_then(Value::as_u64);
        let (old_min, new_min) = (
            count(old, "min_length").unwrap_or(0),
            count(new, "min_length").unwrap_or(0),
        );
        if old_min != new_min {
            let shift = if new_min > old_min {
                Shift::Tighter
            } else {
                Shift::Looser
            };
            let shown = |m: u64| match m {
                0 => "no minimum".to_owned(),
                m => format!("at least {m} {unit}"),
            };
            let what = format!("{} → {}", shown(old_min), shown(new_min));
            self.constraint(path, shift, what, old, new);
        }
        let (old_max, new_max) = (count(old, "max_length"), count(new, "max_length"));
        if old_max != new_max {
            let tighter = match (old_max, new_max) {
                (Some(o), Some(n)) => n < o,
                (None, Some(_)) => true,
                _ => false,
            };
            let shown = |m: Option<u64>| {
                m.map_or("no maximum".to_owned(), |m| format!("at most {m} {unit}"))
            };
            let what = format!("{} → {}", shown(old_max), shown(new_max));
            let shift = if tighter {
                Shift::Tighter
            } else {
                Shift::Looser
            };
            self.constraint(path, shift, what, old, new);
        }
    }

    pub(super) fn constraint(
        &mut self,
        path: &str,
        shift: Shift,
        what: String,
        old: &At,
        new: &At,
    ) {
        let kind = match shift {
            Shift::Tighter => Kind::ConstraintTightened,
            Shift::Looser => Kind::ConstraintLoosened,
            _ => Kind::ConstraintChanged,
        };
        self.push(path, kind, shift, what, old, new);
    }

    pub(super) fn pattern(&mut self, path: &str, old: &At, new: &At) {
        let pattern = |at: &At| at.get("pattern").and_then(Value::as_str).map(str::to_owned);
        match (pattern(old), pattern(new)) {
            (None, Some(p)) => self.constraint(
                path,
                Shift::Tighter,
                format!("must now match `{p}`"),
                old,
                new,
            ),
            (Some(p), None) => self.constraint(
                path,
                Shift::Looser,
                format!("no longer has to match `{p}`"),
                old,
                new,
            ),
            (Some(a), Some(b)) if a != b => self.constraint(
                path,
                Shift::Incompatible,
                format!("pattern `{a}` → `{b}`"),
                old,
                new,
            ),
            _ => {}
        }
    }

    /// Bounds and `multiple_of` of integers and numbers.
    pub(super) fn numbers(&mut self, path: &str, old: &At, new: &At) {
        for side in [Bound::Lower, Bound::Upper] {
            let (o, n) = (side.of(old), side.of(new));
            if o == n {
                continue;
            }
            let shift = if side.tighter(o, n) {
                Shift::Tighter
            } else {
                Shift::Looser
            };
            let what = format!("{} → {}", side.show(o), side.show(n));
            self.constraint(path, shift, what, old, new);
        }
        let multiple = |at: &At| at.get("multiple_of").and_then(Value::as_f64);
        let shift = match (multiple(old), multiple(new)) {
            (None, Some(_)) => Shift::Tighter,
            (Some(_), None) => Shift::Looser,
            (Some(o), Some(n)) if o != n => {
                if is_whole(n / o) {
                    Shift::Tighter
                } else if is_whole(o / n) {
                    Shift::Looser
                } else {
                    Shift::Incompatible
                }
            }
            _ => return,
        };
        let shown = |at: &At| match at.get("multiple_of") {
            Some(m) => format!("a multiple of {m}"),
            None => "any multiple".to_owned(),
        };
        let what = format!("{} → {}", shown(old), shown(new));
        self.constraint(path, shift, what, old, new);
    }

    /// The values of `literal` / `enum` nodes.
    pub(super) fn values(&mut self, path: &str, old: &At, new: &At) {
        let values = |at: &At| -> Vec<Value> {
            at.get("values")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (o, n) = (values(old), values(new));
        let removed: Vec<String> = o
            .iter()
            .filter(|v| !n.contains(v))
            .map(Value::to_string)
            .collect();
        let added: Vec<String> = n
            .iter()
            .filter(|v| !o.contains(v))
            .map(Value::to_string)
            .collect();
        if !removed.is_empty() {
            let what = format!("{} no longer accepted", list_of_values(&removed));
            self.push(path, Kind::ValueRemoved, Shift::Tighter, what, old, new);
        }
        if !added.is_empty() {
            let what = format!("{} now accepted", list_of_values(&added));
            self.push(path, Kind::ValueAdded, Shift::Looser, what, old, new);
        }
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Lower,
    Upper,
}

impl Bound {
    /// The bound and whether it is strict (`gt` / `lt`).
    fn of(self, at: &At) -> Option<(f64, bool)> {
        let (inclusive, strict) = match self {
            Bound::Lower => ("ge", "gt"),
            Bound::Upper => ("le", "lt"),
        };
        let number = |key| at.get(key).and_then(Value::as_f64);
        match (number(inclusive), number(strict)) {
            (Some(a), Some(b)) => Some(self.tightest((a, false), (b, true))),
            (Some(a), None) => Some((a, false)),
            (None, Some(b)) => Some((b, true)),
            (None, None) => None,
        }
    }

    fn tightest(self, a: (f64, bool), b: (f64, bool)) -> (f64, bool) {
        if self.tighter(Some(a), Some(b)) { b } else { a }
    }

    /// Whether `new` admits fewer values than `old`.
    fn tighter(self, old: Option<(f64, bool)>, new: Option<(f64, bool)>) -> bool {
        match (old, new) {
            (None, Some(_)) => true,
            (_, None) => false,
            (Some((o, o_strict)), Some((n, n_strict))) => {
                let further = match self {
                    Bound::Lower => n > o,
                    Bound::Upper => n < o,
                };
                further || (n == o && n_strict && !o_strict)
            }
        }
    }

    fn show(self, bound: Option<(f64, bool)>) -> String {
        let Some((value, strict)) = bound else {
            return match self {
                Bound::Lower => "no minimum".into(),
                Bound::Upper => "no maximum".into(),
            };
        };
        let op = match (self, strict) {
            (Bound::Lower, false) => ">=",
            (Bound::Lower, true) => ">",
            (Bound::Upper, false) => "<=",
            (Bound::Upper, true) => "<",
        };
        format!("{op} {}", number(value))
    }
}

/// `1` rather than `1.0` for whole bounds.
fn number(value: f64) -> String {
    if is_whole(value) && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

fn is_whole(x: f64) -> bool {
    x.is_finite() && (x - x.round()).abs() < 1e-9
}

/// `"a", "b" and "c"`.
fn list_of_values(values: &[String]) -> String {
    match values {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// Whether every value of a `literal` / `enum` node is of kind `t`.
pub(super) fn values_fit(at: &At, t: &str) -> bool {
    let fits = |v: &Value| match t {
        "str" => v.is_string(),
        "int" => v.is_i64() || v.is_u64(),
        "float" => v.is_number(),
        "bool" => v.is_boolean(),
        _ => false,
    };
    at.get("values")
        .and_then(Value::as_array)
        .is_some_and(|values| !values.is_empty() && values.iter().all(fits))
}
