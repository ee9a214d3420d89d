//! Runs a compiled program over a parsed frame with pydantic v2's semantics
//! for python-mode (lax) validation of `json.loads` output: the same
//! coercions, the same errors in the same order, and the value pydantic's
//! `model_dump(mode="json")` would write.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::errors::{self as e, LineError, prefix};
use super::node::{
    Choices, Compiled, DictRules, Extra, FormatRules, Model, Node, Numeric, Sequence, StrRules,
    Tagged, TupleRules, Union,
};
use super::repr::py_str;
use super::scalars::{self, compare, float_is_multiple, int_is_multiple};
use crate::json::{Json, JsonMap, JsonStr};

/// The validated value: the input itself when validation changed nothing
/// (the common case: no copy), or what pydantic would have made of it.
pub(crate) type Outcome<'a> = Result<Cow<'a, Json>, Vec<LineError>>;

/// How closely an accepted input matched its type; smart unions prefer the
/// closest choice (pydantic-core's `Exactness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Exactness {
    Lax,
    Strict,
    Exact,
}

pub(crate) struct State {
    pub exactness: Option<Exactness>,
    /// Fields a model set from its input: unions prefer the model that used more.
    pub fields_set: Option<usize>,
    /// How many recursive definitions validation is inside.
    pub recursion: usize,
}

/// pydantic-core stops after 254 nested recursive definitions.
const MAX_RECURSION: usize = 254;

impl State {
    pub fn new() -> Self {
        State {
            exactness: Some(Exactness::Exact),
            fields_set: None,
            recursion: 0,
        }
    }

    pub fn floor(&mut self, level: Exactness) {
        if let Some(current) = self.exactness {
            self.exactness = Some(current.min(level));
        }
    }
}

pub(crate) struct Engine<'p> {
    pub program: &'p Compiled,
}

fn one(error: LineError) -> Vec<LineError> {
    vec![error]
}

impl Engine<'_> {
    pub fn validate<'a>(&self, node: &Node, input: &'a Json, st: &mut State) -> Outcome<'a> {
        match node {
            Node::Any => {
                st.floor(Exactness::Strict);
                untyped(input).map_err(one)
            }
            Node::None => match input {
                Json::Null => Ok(Cow::Borrowed(input)),
                _ => Err(one(e::simple("none_required"))),
            },
            Node::Bool => self.boolean(input, st).map_err(one),
            Node::Int(rules) => self.int(rules, input, st).map_err(one),
            Node::Float(rules) => self.float(rules, input, st).map_err(one),
            Node::Str(rules) => self.string(rules, input).map_err(one),
            Node::Format(rules) => self.format(rules, input, st).map_err(one),
            Node::Literal(choices) => self.literal(choices, input, st).map_err(one),
            Node::Enum(choices) => self.enumeration(choices, input, st).map_err(one),
            Node::List(seq) => self.list(seq, input, st),
            Node::Set(seq) => self.set(seq, input, st, "set_type", "Set"),
            Node::FrozenSet(seq) => self.set(seq, input, st, "frozen_set_type", "Frozenset"),
            Node::Tuple(rules) => self.tuple(rules, input, st),
            Node::Dict(rules) => self.dict(rules, input, st),
            Node::Model(model) => self.model(model, input, st),
            Node::Nullable(inner) => match input {
                Json::Null => Ok(Cow::Borrowed(input)),
                _ => self.validate(inner, input, st),
            },
            Node::Union(union) => self.union_choice(union, input, st).map(|(_, v)| v),
            Node::Tagged(tagged) => self.tagged(tagged, input, st).map(|(_, v)| v),
            Node::Ref(index) => {
                let Some(def) = self.program.defs.get(*index) else {
                    return Ok(Cow::Borrowed(input));
                };
                if !self.program.recursive[*index] {
                    return self.validate(def, input, st);
                }
                if st.recursion >= MAX_RECURSION {
                    return Err(one(LineError::new(
                        "recursion_depth_exceeded",
                        "Recursion error - maximum validation depth exceeded",
                    )));
                }
                st.recursion += 1;
                let outcome = self.validate(def, input, st);
                st.recursion -= 1;
                outcome
            }
        }
    }

    fn boolean<'a>(&self, input: &'a Json, st: &mut State) -> Result<Cow<'a, Json>, LineError> {
        let value = match input {
            Json::Bool(_) => return Ok(Cow::Borrowed(input)),
            Json::Str(s) => scalars::str_as_bool(s)?,
            Json::Int(0) => false,
            Json::Int(1) => true,
            Json::Float(f) if *f == 0.0 => false,
            Json::Float(f) if *f == 1.0 => true,
            // pydantic reads a number as a bool only through an `i64`: one
            // that is an `i64` but not 0 or 1 cannot be parsed; one that is
            // no `i64` (a fraction, or beyond its range) is not a boolean.
            Json::Int(_) => return Err(e::simple("bool_parsing")),
            Json::Float(f) if scalars::float_as_int(*f).is_ok() => {
                return Err(e::simple("bool_parsing"));
            }
            _ => return Err(e::simple("bool_type")),
        };
        st.floor(Exactness::Lax);
        Ok(Cow::Owned(Json::Bool(value)))
    }

    fn int<'a>(
        &self,
        rules: &Numeric,
        input: &'a Json,
        st: &mut State,
    ) -> Result<Cow<'a, Json>, LineError> {
        let value = match input {
            Json::Int(_) | Json::BigInt(_) => Cow::Borrowed(input),
            Json::Bool(b) => {
                st.floor(Exactness::Lax);
                Cow::Owned(Json::Int(i64::from(*b)))
            }
            Json::Str(s) => {
                st.floor(Exactness::Lax);
                Cow::Owned(scalars::str_as_int(s)?)
            }
            Json::Float(f) => {
                st.floor(Exactness::Lax);
                Cow::Owned(scalars::float_as_int(*f)?)
            }
            _ => return Err(e::simple("int_type")),
        };
        // Generated code holds an integer without a `format` in an `i64`;
        // Python's are unbounded. Say so where pydantic would accept.
        if rules.format.is_none() && !rules.unbounded && matches!(*value, Json::BigInt(_)) {
            return Err(e::simple("int_parsing_size"));
        }
        check_int_format(rules, &value)?;
        if let Some(m) = &rules.multiple_of
            && int_is_multiple(&value, m) == Some(false)
        {
            return Err(bound_error("multiple_of", "multiple_of", m, false));
        }
        check_bounds(rules, &value, false)?;
        Ok(value)
    }

    fn float<'a>(
        &self,
        rules: &Numeric,
        input: &'a Json,
        st: &mut State,
    ) -> Result<Cow<'a, Json>, LineError> {
        let value = match input {
            Json::Float(f) => *f,
            Json::Int(i) => {
                st.floor(Exactness::Strict);
                *i as f64
            }
            Json::BigInt(digits) => {
                st.floor(Exactness::Strict);
                match digits.parse::<f64>() {
                    Ok(f) if f.is_finite() => f,
                    _ => return Err(e::simple("float_type")),
                }
            }
            Json::Str(s) => {
                st.floor(Exactness::Lax);
                scalars::str_as_float(s)?
            }
            Json::Bool(b) => {
                st.floor(Exactness::Lax);
                f64::from(u8::from(*b))
            }
            _ => return Err(e::simple("float_type")),
        };
        if let Some(m) = &rules.multiple_of
            && let Some(divisor) = scalars::as_f64(m)
            && !float_is_multiple(value, divisor)
        {
            return Err(bound_error("multiple_of", "multiple_of", m, true));
        }
        check_bounds(rules, &Json::Float(value), true)?;
        Ok(match input {
            Json::Float(_) => Cow::Borrowed(input),
            _ => Cow::Owned(Json::Float(value)),
        })
    }

    fn string<'a>(&self, rules: &StrRules, input: &'a Json) -> Result<Cow<'a, Json>, LineError> {
        let Json::Str(s) = input else {
            return Err(e::simple("string_type"));
        };
        if rules.min_length.is_some() || rules.max_length.is_some() {
            let length = s.chars().count();
            if let Some(min) = rules.min_length
                && length < min
            {
                return Err(e::string_too_short(min));
            }
            if let Some(max) = rules.max_length
                && length > max
            {
                return Err(e::string_too_long(max));
            }
        }
        if let Some((pattern, Some(regex))) = &rules.pattern
            && !regex.is_match(s)
        {
            return Err(e::string_pattern_mismatch(pattern));
        }
        Ok(Cow::Borrowed(input))
    }

    fn format<'a>(
        &self,
        rules: &FormatRules,
        input: &'a Json,
        st: &mut State,
    ) -> Result<Cow<'a, Json>, LineError> {
        let value =
            super::format::validate(&rules.format, input, rules.min_length, rules.max_length, st)?;
        Ok(if value == *input {
            Cow::Borrowed(input)
        } else {
            Cow::Owned(value)
        })
    }

    fn literal<'a>(
        &self,
        choices: &Choices,
        input: &'a Json,
        st: &mut State,
    ) -> Result<Cow<'a, Json>, LineError> {
        for expected in &choices.values {
            match python_eq(expected, input) {
                Some(true) => return Ok(Cow::Borrowed(input)),
                Some(false) => {}
                None => {
                    st.floor(Exactness::Lax);
                    return Ok(Cow::Owned(expected.clone()));
                }
            }
        }
        Err(e::expected("literal_error", &choices.expected))
    }

    fn enumeration<'a>(
        &self,
        choices: &Choices,
        input: &'a Json,
        st: &mut State,
    ) -> Result<Cow<'a, Json>, LineError> {
        let all_ints = choices.values.iter().all(|v| matches!(v, Json::Int(_)));
        // An `IntEnum` takes what an `int` takes; other enums compare values.
        let candidate = if all_ints {
            match input {
                Json::Str(s) => scalars::str_as_int(s).ok(),
                Json::Float(f) => scalars::float_as_int(*f).ok(),
                Json::Bool(b) => Some(Json::Int(i64::from(*b))),
                other => Some(other.clone()),
            }
        } else {
            Some(input.clone())
        };
        if let Some(candidate) = candidate {
            for expected in &choices.values {
                if python_eq(expected, &candidate) != Some(false) {
                    st.floor(Exactness::Lax);
                    return Ok(if expected == input {
                        Cow::Borrowed(input)
                    } else {
                        Cow::Owned(expected.clone())
                    });
                }
            }
        }
        Err(e::expected("enum", &choices.expected))
    }

    fn list<'a>(&self, seq: &Sequence, input: &'a Json, st: &mut State) -> Outcome<'a> {
        let Json::Array(items) = input else {
            return Err(one(e::simple("list_type")));
        };
        if let Some(max) = seq.max_length
            && items.len() > max
        {
            return Err(one(e::too_long("List", max, Some(items.len()))));
        }
        let output = self.items(&seq.items, items, st)?;
        if let Some(min) = seq.min_length
            && items.len() < min
        {
            return Err(one(e::too_short("List", min, items.len())));
        }
        Ok(match output {
            None => Cow::Borrowed(input),
            Some(changed) => Cow::Owned(Json::Array(changed)),
        })
    }

    /// Validates every item; errors are located by index. `None` when no
    /// item changed, else every item as validated.
    fn items(
        &self,
        node: &Node,
        items: &[Json],
        st: &mut State,
    ) -> Result<Option<Vec<Json>>, Vec<LineError>> {
        let mut output: Option<Vec<Json>> = None;
        let mut errors = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match self.validate(node, item, st) {
                Ok(Cow::Borrowed(_)) => {
                    if let Some(changed) = &mut output {
                        changed.push(item.clone());
                    }
                }
                Ok(Cow::Owned(value)) => {
                    let changed = output.get_or_insert_with(|| {
                        let mut copy = Vec::with_capacity(items.len());
                        copy.extend_from_slice(&items[..index]);
                        copy
                    });
                    changed.push(value);
                }
                Err(mut found) => {
                    prefix(&mut found, index);
                    errors.append(&mut found);
                }
            }
        }
        if errors.is_empty() {
            Ok(output)
        } else {
            Err(errors)
        }
    }

    fn set<'a>(
        &self,
        seq: &Sequence,
        input: &'a Json,
        st: &mut State,
        type_error: &'static str,
        field_type: &'static str,
    ) -> Outcome<'a> {
        let Json::Array(items) = input else {
            return Err(one(e::simple(type_error)));
        };
        // A list is not a set: taking one is a coercion.
        st.floor(Exactness::Lax);
        let validated = self
            .items(&seq.items, items, st)?
            .unwrap_or_else(|| items.to_vec());
        let mut output: Vec<Json> = Vec::with_capacity(validated.len());
        for value in validated {
            if matches!(value, Json::Array(_) | Json::Object(_)) {
                return Err(one(e::simple("set_item_not_hashable")));
            }
            if !output
                .iter()
                .any(|seen| python_eq(seen, &value) != Some(false))
            {
                output.push(value);
            }
            if let Some(max) = seq.max_length
                && output.len() > max
            {
                return Err(one(e::too_long(field_type, max, Some(output.len()))));
            }
        }
        if let Some(min) = seq.min_length
            && output.len() < min
        {
            return Err(one(e::too_short(field_type, min, output.len())));
        }
        Ok(Cow::Owned(Json::Array(super::setorder::python_set_order(
            output,
        ))))
    }

    fn tuple<'a>(&self, rules: &TupleRules, input: &'a Json, st: &mut State) -> Outcome<'a> {
        let Json::Array(items) = input else {
            return Err(one(e::simple("tuple_type")));
        };
        st.floor(Exactness::Lax);
        let fixed = rules.rest.is_none();
        let max = match (rules.max_length, fixed) {
            (Some(max), _) => Some(max),
            (None, true) => Some(rules.prefix.len()),
            (None, false) => None,
        };
        if let Some(max) = max
            && items.len() > max
        {
            return Err(one(e::too_long("Tuple", max, Some(items.len()))));
        }
        let mut output = Vec::with_capacity(items.len());
        let mut errors = Vec::new();
        for (index, node) in rules.prefix.iter().enumerate() {
            match items.get(index) {
                Some(item) => match self.validate(node, item, st) {
                    Ok(value) => output.push(value.into_owned()),
                    Err(mut found) => {
                        prefix(&mut found, index);
                        errors.append(&mut found);
                    }
                },
                None => errors.push(e::missing().at(index)),
            }
        }
        if let Some(rest) = &rules.rest {
            for (index, item) in items.iter().enumerate().skip(rules.prefix.len()) {
                match self.validate(rest, item, st) {
                    Ok(value) => output.push(value.into_owned()),
                    Err(mut found) => {
                        prefix(&mut found, index);
                        errors.append(&mut found);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(min) = rules.min_length
            && output.len() < min
        {
            return Err(one(e::too_short("Tuple", min, output.len())));
        }
        Ok(Cow::Owned(Json::Array(output)))
    }

    fn dict<'a>(&self, rules: &DictRules, input: &'a Json, st: &mut State) -> Outcome<'a> {
        let Json::Object(map) = input else {
            return Err(one(e::simple("dict_type")));
        };
        let mut output = JsonMap::with_capacity(map.len());
        let mut changed = false;
        let mut errors = Vec::new();
        for (key, value) in map.iter() {
            let key_json = Json::Str(key.clone());
            let validated_key = match self.validate(&rules.keys, &key_json, st) {
                Ok(Cow::Borrowed(_)) => Some(key.clone()),
                Ok(Cow::Owned(Json::Str(k))) => {
                    changed |= k != *key;
                    Some(k)
                }
                Ok(Cow::Owned(other)) => {
                    changed = true;
                    Some(py_str(&other).into())
                }
                Err(mut found) => {
                    for error in &mut found {
                        *error = error.clone().at("[key]").at(key.as_str());
                    }
                    errors.append(&mut found);
                    None
                }
            };
            match self.validate(&rules.values, value, st) {
                Ok(v) => {
                    changed |= matches!(v, Cow::Owned(_));
                    if let Some(k) = validated_key {
                        output.insert(k, v.into_owned());
                    }
                    // As pydantic-core: the bound is on the entries that
                    // validated, checked as each is added, and it drops the
                    // errors found before it.
                    if let Some(max) = rules.max_length
                        && output.len() > max
                    {
                        return Err(one(e::too_long("Dictionary", max, None)));
                    }
                }
                Err(mut found) => {
                    prefix(&mut found, key.as_str());
                    errors.append(&mut found);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(min) = rules.min_length
            && output.len() < min
        {
            return Err(one(e::too_short("Dictionary", min, output.len())));
        }
        Ok(if changed {
            Cow::Owned(Json::Object(output))
        } else {
            Cow::Borrowed(input)
        })
    }

    fn model<'a>(&self, model: &Model, input: &'a Json, st: &mut State) -> Outcome<'a> {
        let Json::Object(map) = input else {
            return Err(one(e::model_type(&model.name)));
        };
        let fields = self.model_fields(model, map, st)?;
        if fields.stands(map) {
            return Ok(Cow::Borrowed(input));
        }
        let mut output = JsonMap::with_capacity(model.fields.len() + fields.extras.len());
        let defaults = fields.defaults;
        let mut changed = fields.values.into_iter().peekable();
        for (index, field) in model.fields.iter().enumerate() {
            let value = match changed.next_if(|(at, _)| *at == index) {
                Some((_, value)) => value.into_owned(),
                None => match (defaults.has(index), &field.default) {
                    (true, Some(default)) => default.clone(),
                    // Not listed: given, and valid as it is.
                    _ => match map.get(&field.name) {
                        Some(value) => value.clone(),
                        None => continue,
                    },
                },
            };
            output.insert(field.name.as_str(), value);
        }
        for (key, value) in fields.extras {
            output.insert(key.clone(), value.into_owned());
        }
        Ok(Cow::Owned(Json::Object(output)))
    }

    /// [`model`](Self::model) applied to the input itself: changed fields
    /// replaced, defaults added, dropped keys removed. No object is built
    /// unless a field's own value changed. The order of keys is the input's
    /// (defaults last), which is all a generated type's reading needs.
    pub fn model_in_place(
        &self,
        model: &Model,
        input: &mut Json,
        st: &mut State,
    ) -> Result<(), Vec<LineError>> {
        let Json::Object(map) = input else {
            return Err(one(e::model_type(&model.name)));
        };
        // Owned before the map is changed: the fields borrow from it. Only
        // changed values and defaults (of absent fields) are listed.
        let (values, defaults, extras, drop_unknown) = {
            let fields = self.model_fields(model, map, st)?;
            if fields.stands(map) {
                return Ok(());
            }
            let drop_unknown = fields.set < map.len() && matches!(model.extra, Extra::Ignore);
            let values: Vec<(usize, Json)> = fields
                .values
                .into_iter()
                .map(|(index, value)| (index, value.into_owned()))
                .collect();
            let extras: Vec<(JsonStr, Json)> = fields
                .extras
                .into_iter()
                .filter_map(|(key, value)| match value {
                    Cow::Owned(value) => Some((key.clone(), value)),
                    Cow::Borrowed(_) => None,
                })
                .collect();
            (values, fields.defaults, extras, drop_unknown)
        };
        // Defaults first: the fields beyond the bits are listed in `values`,
        // so all go in in field order.
        for field in defaults
            .indices()
            .filter_map(|index| model.fields.get(index))
        {
            if let Some(default) = &field.default {
                map.insert(field.name.as_str(), default.clone());
            }
        }
        for (index, value) in values {
            let name = &model.fields[index].name;
            match map.get_mut(name) {
                Some(slot) => *slot = value,
                None => {
                    map.insert(name.as_str(), value);
                }
            }
        }
        for (key, value) in extras {
            if let Some(slot) = map.get_mut(&key) {
                *slot = value;
            }
        }
        if drop_unknown {
            map.retain(|key, _| model.fields.iter().any(|field| &field.name == key));
        }
        Ok(())
    }

    /// A model's fields (and extra keys) validated, or every error. Notes
    /// in `st` what validating a model tells a union: how many fields the
    /// input set, and that the match is not exact.
    fn model_fields<'a>(
        &self,
        model: &'a Model,
        map: &'a JsonMap,
        st: &mut State,
    ) -> Result<ModelFields<'a>, Vec<LineError>> {
        // Only what differs from the input: most frames change nothing, and
        // then nothing is allocated.
        let mut validated: Vec<(usize, Cow<'a, Json>)> = Vec::new();
        let mut defaults = Defaults::default();
        let mut changed = false;
        let mut errors = Vec::new();
        let mut fields_set = 0;
        for (index, field) in model.fields.iter().enumerate() {
            match map.get(&field.name) {
                Some(value) => {
                    // A field's own fields-set count must not leak into the model's.
                    let saved = st.fields_set.take();
                    match self.validate(&field.schema, value, st) {
                        Ok(v) => {
                            if let Cow::Owned(_) = v {
                                changed = true;
                                validated.push((index, v));
                            }
                            fields_set += 1;
                        }
                        Err(mut found) => {
                            prefix(&mut found, field.name.as_str());
                            errors.append(&mut found);
                        }
                    }
                    st.fields_set = saved;
                }
                None => match &field.default {
                    Some(default) => {
                        changed = true;
                        if !defaults.add(index) {
                            validated.push((index, Cow::Borrowed(default)));
                        }
                    }
                    None if field.required => errors.push(e::missing().at(field.name.as_str())),
                    None => {}
                },
            }
        }
        let mut extras: Vec<(&JsonStr, Cow<'_, Json>)> = Vec::new();
        match &model.extra {
            Extra::Ignore => {}
            Extra::Forbid => {
                for key in map.keys() {
                    if !model.fields.iter().any(|f| &f.name == key) {
                        errors.push(e::extra_forbidden().at(key.as_str()));
                    }
                }
            }
            Extra::Allow(schema) => {
                for (key, value) in map {
                    if model.fields.iter().any(|f| &f.name == key) {
                        continue;
                    }
                    match self.validate(schema, value, st) {
                        Ok(v) => {
                            changed |= matches!(v, Cow::Owned(_));
                            extras.push((key, v));
                        }
                        Err(mut found) => {
                            prefix(&mut found, key.as_str());
                            errors.append(&mut found);
                        }
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Building a model from a dict is never an exact match.
        st.floor(Exactness::Strict);
        st.fields_set = Some(fields_set);
        Ok(ModelFields {
            values: validated,
            defaults,
            extras,
            changed,
            set: fields_set,
        })
    }

    /// pydantic's smart union: the first exact match wins; otherwise the
    /// success that set the most fields, then the most exact one; failing
    /// all, every choice's errors under its label.
    /// A smart union; returns the index of the chosen choice too.
    pub fn union_choice<'a>(
        &self,
        union: &Union,
        input: &'a Json,
        st: &mut State,
    ) -> Result<(usize, Cow<'a, Json>), Vec<LineError>> {
        let mut best: Option<(usize, Cow<'a, Json>, Exactness, Option<usize>)> = None;
        let mut errors = Vec::new();
        for (index, (label, choice)) in union.choices.iter().enumerate() {
            let mut inner = State {
                exactness: Some(Exactness::Exact),
                fields_set: None,
                recursion: st.recursion,
            };
            match self.validate(choice, input, &mut inner) {
                Ok(value) => {
                    let exactness = inner.exactness.unwrap_or(Exactness::Lax);
                    if exactness == Exactness::Exact && inner.fields_set.is_none() {
                        return Ok((index, value));
                    }
                    let better =
                        best.as_ref()
                            .is_none_or(|(_, _, cur_exactness, cur_fields)| {
                                match (*cur_fields, inner.fields_set) {
                                    (Some(cur), Some(new)) if cur != new => cur < new,
                                    _ => *cur_exactness < exactness,
                                }
                            });
                    if better {
                        best = Some((index, value, exactness, inner.fields_set));
                    }
                }
                Err(mut found) => {
                    if best.is_none() {
                        prefix(&mut found, label.as_str());
                        errors.append(&mut found);
                    }
                }
            }
        }
        match best {
            Some((index, value, exactness, _)) => {
                st.floor(exactness);
                Ok((index, value))
            }
            None => Err(errors),
        }
    }

    /// A discriminated union; returns the index of the chosen variant too.
    pub fn tagged<'a>(
        &self,
        tagged: &Tagged,
        input: &'a Json,
        st: &mut State,
    ) -> Result<(usize, Cow<'a, Json>), Vec<LineError>> {
        let index = tag_index(tagged, input)?;
        let (label, node) = &tagged.choices[index];
        match self.validate(node, input, st) {
            Ok(value) => Ok((index, value)),
            Err(mut found) => {
                prefix(&mut found, label.as_str());
                Err(found)
            }
        }
    }

    /// [`tagged`](Self::tagged) applied to the input itself (see
    /// [`model_in_place`](Self::model_in_place)).
    pub fn tagged_in_place(
        &self,
        tagged: &Tagged,
        input: &mut Json,
        st: &mut State,
    ) -> Result<usize, Vec<LineError>> {
        let index = tag_index(tagged, input)?;
        let (label, node) = &tagged.choices[index];
        let outcome = match node {
            Node::Ref(def) if !self.program.recursive.get(*def).copied().unwrap_or(true) => {
                match self.program.defs.get(*def) {
                    Some(Node::Model(model)) => self.model_in_place(model, input, st),
                    _ => self.replace(node, input, st),
                }
            }
            Node::Model(model) => self.model_in_place(model, input, st),
            _ => self.replace(node, input, st),
        };
        outcome.map(|()| index).map_err(|mut found| {
            prefix(&mut found, label.as_str());
            found
        })
    }

    /// Validates `input` and puts the validated value in its place.
    pub fn replace(
        &self,
        node: &Node,
        input: &mut Json,
        st: &mut State,
    ) -> Result<(), Vec<LineError>> {
        let changed = match self.validate(node, input, st)? {
            Cow::Owned(value) => Some(value),
            Cow::Borrowed(_) => None,
        };
        if let Some(value) = changed {
            *input = value;
        }
        Ok(())
    }
}

/// A model's fields as validated: each given field's value that differs
/// from the input and each default taken (by field index, in order; the
/// first 64 defaults as bits in `defaults`), the
/// extra keys kept, whether any value differs from the input, and how many
/// fields the input set. A given field not listed is valid as it is.
struct ModelFields<'a> {
    values: Vec<(usize, Cow<'a, Json>)>,
    defaults: Defaults,
    extras: Vec<(&'a JsonStr, Cow<'a, Json>)>,
    changed: bool,
    set: usize,
}

/// The first 64 fields whose default was taken, as bits: most frames leave
/// out a field with a default (a `payload` of `None`), and listing it in
/// `values` cost an allocation per frame. Later fields are listed there.
#[derive(Clone, Copy, Default)]
struct Defaults(u64);

impl Defaults {
    /// Notes field `index`; false if it is beyond the bits.
    fn add(&mut self, index: usize) -> bool {
        let Some(bit) = Self::bit(index) else {
            return false;
        };
        self.0 |= bit;
        true
    }

    /// The bit of field `index`, if it has one.
    fn bit(index: usize) -> Option<u64> {
        u32::try_from(index).ok().and_then(|i| 1u64.checked_shl(i))
    }

    /// The fields noted, in order.
    fn indices(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let index = bits.trailing_zeros();
            (bits != 0).then(|| {
                bits &= bits - 1;
                index as usize
            })
        })
    }

    fn has(self, index: usize) -> bool {
        Self::bit(index).is_some_and(|bit| self.0 & bit != 0)
    }
}

impl ModelFields<'_> {
    /// Whether the input can stand for the model as it is: every field given
    /// and unchanged, and no keys beyond them (pydantic drops unknown keys,
    /// or with extras allowed writes them after the fields).
    fn stands(&self, map: &JsonMap) -> bool {
        !self.changed && map.len() == self.set
    }
}

/// The choice a discriminated union's tag names.
fn tag_index(tagged: &Tagged, input: &Json) -> Result<usize, Vec<LineError>> {
    let Json::Object(map) = input else {
        return Err(one(e::model_attributes_type()));
    };
    let Some(tag) = map.get(&tagged.key) else {
        return Err(one(e::union_tag_not_found(&tagged.key)));
    };
    let found = match tag {
        Json::Str(s) => tagged.choices.iter().position(|(t, _)| t == s),
        _ => None,
    };
    // The tag's text only for the error: a frame that fits pays nothing for it.
    found.ok_or_else(|| {
        one(e::union_tag_invalid(
            &tagged.key,
            &py_str(tag),
            &tagged.expected_tags,
        ))
    })
}

/// An untyped value as generated code holds it (a `serde_json::Value`)
/// and pydantic writes it: integers within `i64`/`u64`, and a non-finite
/// float as `null` (`model_dump(mode="json")` of an `Any`). Borrowed when
/// nothing needs changing.
fn untyped(value: &Json) -> Result<Cow<'_, Json>, LineError> {
    if !needs_rewrite(value)? {
        return Ok(Cow::Borrowed(value));
    }
    Ok(Cow::Owned(rewrite_untyped(value)))
}

/// Whether an untyped value holds a non-finite float; an error for an
/// integer no `serde_json::Value` holds.
fn needs_rewrite(value: &Json) -> Result<bool, LineError> {
    Ok(match value {
        Json::BigInt(digits) if digits.parse::<u64>().is_err() => {
            return Err(e::simple("int_parsing_size"));
        }
        Json::Float(f) => !f.is_finite(),
        Json::Array(items) => {
            let mut any = false;
            for (i, item) in items.iter().enumerate() {
                any |= needs_rewrite(item).map_err(|error| error.at(i))?;
            }
            any
        }
        Json::Object(map) => {
            let mut any = false;
            for (k, item) in map {
                any |= needs_rewrite(item).map_err(|error| error.at(k.as_str()))?;
            }
            any
        }
        _ => false,
    })
}

fn rewrite_untyped(value: &Json) -> Json {
    match value {
        Json::Float(f) if !f.is_finite() => Json::Null,
        Json::Array(items) => Json::Array(items.iter().map(rewrite_untyped).collect()),
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, item)| (k.clone(), rewrite_untyped(item)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Python `==` between JSON-born values: `1 == 1.0 == True`; strings only
/// equal strings. `Some(true)` equal and same type, `None` equal across
/// types (a coercion), `Some(false)` different.
fn python_eq(expected: &Json, input: &Json) -> Option<bool> {
    let numeric = |v: &Json| {
        matches!(
            v,
            Json::Int(_) | Json::BigInt(_) | Json::Float(_) | Json::Bool(_)
        )
    };
    if std::mem::discriminant(expected) == std::mem::discriminant(input) {
        return Some(expected == input);
    }
    if numeric(expected) && numeric(input) {
        return if compare(expected, input) == Some(Ordering::Equal) {
            None
        } else {
            Some(false)
        };
    }
    Some(false)
}

/// The range of a JSON Schema integer `format` (documents not written by pydantic).
fn check_int_format(rules: &Numeric, value: &Json) -> Result<(), LineError> {
    let (min, max): (i128, i128) = match rules.format.as_deref() {
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") => (i64::MIN.into(), i64::MAX.into()),
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        _ => return Ok(()),
    };
    let min_json = int_json(min);
    let max_json = int_json(max);
    if compare(value, &min_json) == Some(Ordering::Less) {
        return Err(bound_error("greater_than_equal", "ge", &min_json, false));
    }
    if compare(value, &max_json) == Some(Ordering::Greater) {
        return Err(bound_error("less_than_equal", "le", &max_json, false));
    }
    Ok(())
}

fn int_json(value: i128) -> Json {
    match i64::try_from(value) {
        Ok(small) => Json::Int(small),
        Err(_) => Json::BigInt(value.to_string().into_boxed_str()),
    }
}

/// One bound check: the limit, pydantic's error type and `ctx` key, and
/// whether a comparison result satisfies it.
type BoundCheck<'a> = (
    &'a Option<Json>,
    &'static str,
    &'static str,
    fn(Ordering) -> bool,
);

/// `le`, `lt`, `ge`, `gt` in pydantic's order; NaN fails every bound.
fn check_bounds(rules: &Numeric, value: &Json, float: bool) -> Result<(), LineError> {
    let checks: [BoundCheck<'_>; 4] = [
        (&rules.le, "less_than_equal", "le", |o| {
            o != Ordering::Greater
        }),
        (&rules.lt, "less_than", "lt", |o| o == Ordering::Less),
        (&rules.ge, "greater_than_equal", "ge", |o| {
            o != Ordering::Less
        }),
        (&rules.gt, "greater_than", "gt", |o| o == Ordering::Greater),
    ];
    for (limit, kind, key, ok) in checks {
        if let Some(limit) = limit
            && !compare(value, limit).is_some_and(ok)
        {
            return Err(bound_error(kind, key, limit, float));
        }
    }
    Ok(())
}

/// A bound error; a float validator's bound is shown as Rust prints an
/// `f64` (as pydantic-core does) and is a float in `ctx`.
fn bound_error(kind: &'static str, key: &'static str, limit: &Json, float: bool) -> LineError {
    if float && let Some(f) = scalars::as_f64(limit) {
        return e::bound(kind, key, &f.to_string(), Json::Float(f));
    }
    e::bound(kind, key, &py_str(limit), limit.clone())
}
