//! Validation of incoming frames with pydantic's semantics.
//!
//! The Python chanx validates each frame with pydantic v2
//! (`TypeAdapter.validate_python(json.loads(text))`): lax coercions,
//! constraints, every error at once with pydantic's `type`, `loc` and `msg`.
//! Generated code embeds a [`Program`] compiled from the document's payload
//! schemas; the runtime runs it before any handler sees a message, and the
//! handler gets the value pydantic would have produced.

mod engine;
mod errors;
mod format;
mod node;
mod repr;
mod scalars;
mod setorder;
mod unprintable;

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;

pub use node::ProgramError;

use crate::decode::{DecodeError, ErrorDetail};
use crate::json::Json;
use engine::{Engine, State};
use node::{Compiled, Node};

/// A validator program embedded in generated code, compiled on first use.
pub struct Program {
    text: &'static str,
    compiled: OnceLock<Result<Compiled, ProgramError>>,
}

impl Program {
    /// Wraps the program text the generator wrote; nothing is parsed yet.
    pub const fn new(text: &'static str) -> Self {
        Program {
            text,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&self) -> Result<&Compiled, &ProgramError> {
        self.compiled
            .get_or_init(|| Compiled::parse(self.text))
            .as_ref()
    }

    /// Compiles the program now, reporting a malformed one.
    pub fn check(&self) -> Result<(), ProgramError> {
        match self.compiled() {
            Ok(_) => Ok(()),
            Err(error) => Err(ProgramError::clone_of(error)),
        }
    }

    /// The program and the node of root `root`, or the error a frame gets
    /// when the program is unusable.
    fn root(&self, root: usize) -> Result<(&Compiled, &Node), DecodeError> {
        let compiled = match self.compiled() {
            Ok(compiled) => compiled,
            Err(error) => {
                tracing::error!(%error, "the generated validator program is unusable");
                return Err(DecodeError {
                    errors: vec![ErrorDetail::new(
                        "value_error",
                        vec![],
                        "Value error, the server cannot validate messages",
                    )],
                });
            }
        };
        let Some(node) = compiled.roots.get(root) else {
            return Err(DecodeError {
                errors: vec![ErrorDetail::new(
                    "value_error",
                    vec![],
                    format!("Value error, no validator for root {root}"),
                )],
            });
        };
        // A root that is one definition is validated as that definition
        // itself, as pydantic validates a model it was given directly.
        let node = match node {
            Node::Ref(index) => compiled.defs.get(*index).unwrap_or(node),
            other => other,
        };
        Ok((compiled, node))
    }

    /// Validates a frame against root `root` (one per channel direction).
    ///
    /// Returns which message of the root matched (its position among the
    /// root's choices; 0 for a root that is one message) and the validated
    /// value (the input itself when nothing changed), or every error as
    /// pydantic reports them.
    pub fn validate<'a>(
        &self,
        root: usize,
        value: &'a Json,
    ) -> Result<(usize, Cow<'a, Json>), DecodeError> {
        let (compiled, node) = self.root(root)?;
        let engine = Engine { program: compiled };
        let mut state = State::new();
        let outcome = match node {
            Node::Tagged(tagged) => engine.tagged(tagged, value, &mut state),
            Node::Union(union) => engine.union_choice(union, value, &mut state),
            other => engine.validate(other, value, &mut state).map(|v| (0, v)),
        };
        outcome.map_err(to_decode_error)
    }

    /// [`validate`](Self::validate) that leaves the validated value in
    /// `value` itself: what generated `decode`s call. A message's fields
    /// are changed in place (a default added, a coerced value replaced), so
    /// the common frame, a message with a default left out, costs no copy.
    /// On an error `value` is left as it was.
    pub fn validate_in_place(&self, root: usize, value: &mut Json) -> Result<usize, DecodeError> {
        let (compiled, node) = self.root(root)?;
        let engine = Engine { program: compiled };
        let mut state = State::new();
        let outcome = match node {
            Node::Tagged(tagged) => engine.tagged_in_place(tagged, value, &mut state),
            Node::Model(model) => engine.model_in_place(model, value, &mut state).map(|()| 0),
            Node::Union(union) => {
                let chosen = match engine.union_choice(union, value, &mut state) {
                    Ok((index, Cow::Owned(changed))) => Ok((index, Some(changed))),
                    Ok((index, Cow::Borrowed(_))) => Ok((index, None)),
                    Err(errors) => Err(errors),
                };
                chosen.map(|(index, changed)| {
                    if let Some(changed) = changed {
                        *value = changed;
                    }
                    index
                })
            }
            other => engine.replace(other, value, &mut state).map(|()| 0),
        };
        outcome.map_err(to_decode_error)
    }
}

fn to_decode_error(errors: Vec<errors::LineError>) -> DecodeError {
    DecodeError {
        errors: errors.iter().map(detail).collect(),
    }
}

impl ProgramError {
    fn clone_of(other: &ProgramError) -> ProgramError {
        ProgramError::new(other.to_string())
    }
}

fn detail(error: &errors::LineError) -> ErrorDetail {
    let loc = error
        .loc()
        .map(|step| match step {
            errors::Loc::Key(k) => Value::from(k.as_str()),
            errors::Loc::Index(i) => Value::from(*i),
        })
        .collect();
    let mut detail = ErrorDetail::new(error.kind, loc, error.msg.to_string());
    if !error.ctx.is_empty() {
        detail.ctx = Some(
            error
                .ctx
                .iter()
                .map(|(k, v)| ((*k).to_owned(), to_value(v)))
                .collect(),
        );
    }
    detail
}

fn to_value(json: &Json) -> Value {
    json.to_serde_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tagged root 0 over three models (defaults, coercions, a nested model
    /// with a default, extras allowed, unknown keys ignored), a model root 1
    /// that forbids extras, and a smart-union root 2.
    static PROGRAM: Program = Program::new(
        r#"{"version":1,"defs":[
{"t":"model","name":"Ping","fields":[{"name":"action","schema":{"t":"literal","values":["ping"]},"required":false,"default":"ping"},{"name":"payload","schema":{"t":"none"},"required":false,"default":null}]},
{"t":"model","name":"Inner","fields":[{"name":"n","schema":{"t":"int"},"required":true},{"name":"level","schema":{"t":"str"},"required":false,"default":"info"}]},
{"t":"model","name":"Post","fields":[{"name":"action","schema":{"t":"literal","values":["post"]},"required":false,"default":"post"},{"name":"count","schema":{"t":"int"},"required":true},{"name":"inner","schema":{"t":"ref","def":1},"required":false,"default":{"n":1}},{"name":"tags","schema":{"t":"list","items":{"t":"float"}},"required":false,"default":[]}]},
{"t":"model","name":"Open","extra":"allow","extra_schema":{"t":"int"},"fields":[{"name":"action","schema":{"t":"literal","values":["open"]},"required":true}]},
{"t":"model","name":"Strict","extra":"forbid","fields":[{"name":"id","schema":{"t":"int"},"required":true},{"name":"note","schema":{"t":"str"},"required":false,"default":""}]}
],"roots":[
{"t":"tagged","key":"action","choices":[["open",{"t":"ref","def":3}],["ping",{"t":"ref","def":0}],["post",{"t":"ref","def":2}]]},
{"t":"ref","def":4},
{"t":"union","choices":[{"t":"int"},{"t":"ref","def":4}]}
]}"#,
    );

    fn parse(text: &str) -> Json {
        crate::json::parse(text).expect("test frames are JSON")
    }

    /// Every frame gets the same answer in place as from the copying
    /// validation: the same choice and value (keys compared as a dict's
    /// are, whatever their order), or the same errors and the frame as it
    /// was.
    #[test]
    fn validation_in_place_answers_as_the_copying_one() {
        let frames = [
            (0, r#"{"action":"ping"}"#),
            (0, r#"{"action":"ping","payload":null}"#),
            (0, r#"{"action":"ping","payload":null,"x":1}"#),
            (0, r#"{"action":"ping","payload":3}"#),
            (0, r#"{"action":"post","count":"7"}"#),
            (
                0,
                r#"{"action":"post","count":7,"inner":{"n":"2"},"tags":[1,"2.5"]}"#,
            ),
            (
                0,
                r#"{"action":"post","count":7,"inner":{"n":2,"level":"x"},"tags":[]}"#,
            ),
            (
                0,
                r#"{"zz":0,"action":"post","count":true,"extra":"dropped"}"#,
            ),
            (0, r#"{"action":"post"}"#),
            (0, r#"{"action":"post","count":1.5}"#),
            (0, r#"{"action":"open","a":"1","b":2}"#),
            (0, r#"{"action":"open","a":"x"}"#),
            (0, r#"{"action":"nope"}"#),
            (0, r#"{"payload":null}"#),
            (0, r#"[1,2]"#),
            (1, r#"{"id":"5"}"#),
            (1, r#"{"id":5,"note":"n"}"#),
            (1, r#"{"id":5,"other":1}"#),
            (1, r#""text""#),
            (2, r#""12""#),
            (2, r#"12"#),
            (2, r#"{"id":5}"#),
            (2, r#"{"id":"x"}"#),
        ];
        for (root, text) in frames {
            let original = parse(text);
            let copied = PROGRAM
                .validate(root, &original)
                .map(|(choice, value)| (choice, value.into_owned()));
            let mut in_place = original.clone();
            let answer = PROGRAM.validate_in_place(root, &mut in_place);
            match (copied, answer) {
                (Ok((choice, value)), Ok(in_place_choice)) => {
                    assert_eq!(in_place_choice, choice, "{text}");
                    assert_eq!(in_place, value, "{text}");
                }
                (Err(copied), Err(in_place_errors)) => {
                    assert_eq!(in_place_errors, copied, "{text}");
                    assert_eq!(in_place, original, "{text}: changed on an error");
                }
                (copied, in_place_answer) => {
                    panic!("{text}: {copied:?} but in place {in_place_answer:?}")
                }
            }
        }
    }

    /// A model of 70 fields, each with a default: the first 64 defaults
    /// taken are noted as bits, the rest listed; in place and copying, every
    /// default goes in, in field order, beside given and coerced values.
    #[test]
    fn defaults_beyond_sixty_four_fields_go_in_in_field_order() {
        let fields: Vec<String> = (0..70)
            .map(|i| {
                format!(
                    r#"{{"name":"f{i}","schema":{{"t":"int"}},"required":false,"default":{i}}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"version":1,"defs":[],"roots":[{{"t":"model","name":"Wide","fields":[{}]}}]}}"#,
            fields.join(",")
        );
        let program = Program::new(Box::leak(text.into_boxed_str()));
        for frame in [r#"{}"#, r#"{"f3":"30","f66":"660","f69":69}"#] {
            let original = parse(frame);
            let (_, copied) = program.validate(0, &original).expect("valid");
            let copied = copied.into_owned();
            let mut in_place = original.clone();
            assert_eq!(program.validate_in_place(0, &mut in_place), Ok(0));
            assert_eq!(in_place, copied, "{frame}");
            let map = in_place.as_object().expect("an object");
            assert_eq!(map.len(), 70, "{frame}");
            let given_any = !original.as_object().expect("an object").is_empty();
            for i in 0..70i64 {
                let expected = match i {
                    3 if given_any => 30,
                    66 if given_any => 660,
                    other => other,
                };
                assert_eq!(
                    map.get(&format!("f{i}")),
                    Some(&Json::Int(expected)),
                    "{frame}"
                );
            }
            // Given keys keep their place; the defaults follow in field order.
            let keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
            let given: Vec<&str> = original
                .as_object()
                .expect("an object")
                .keys()
                .map(|k| k.as_str())
                .collect();
            let defaults: Vec<String> = (0..70)
                .map(|i| format!("f{i}"))
                .filter(|k| !given.contains(&k.as_str()))
                .collect();
            assert_eq!(keys[..given.len()], given[..], "{frame}");
            assert_eq!(
                keys[given.len()..],
                defaults.iter().map(String::as_str).collect::<Vec<_>>()[..],
                "{frame}"
            );
        }
    }

    /// The defaults and coercions are there after validation in place.
    #[test]
    fn validation_in_place_adds_defaults_and_coerces() {
        let mut frame = parse(r#"{"action":"post","count":"7","unknown":1}"#);
        assert_eq!(PROGRAM.validate_in_place(0, &mut frame), Ok(2));
        assert_eq!(
            frame,
            parse(r#"{"action":"post","count":7,"inner":{"n":1},"tags":[]}"#)
        );
        let mut ping = parse(r#"{"action":"ping"}"#);
        assert_eq!(PROGRAM.validate_in_place(0, &mut ping), Ok(1));
        assert_eq!(ping, parse(r#"{"action":"ping","payload":null}"#));
    }
}
