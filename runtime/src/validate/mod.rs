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
        let engine = Engine { program: compiled };
        let mut state = State::new();
        // A root that is one definition is validated as that definition
        // itself, as pydantic validates a model it was given directly.
        let node = match node {
            Node::Ref(index) => compiled.defs.get(*index).unwrap_or(node),
            other => other,
        };
        let outcome = match node {
            Node::Tagged(tagged) => engine.tagged(tagged, value, &mut state),
            Node::Union(union) => engine.union_choice(union, value, &mut state),
            other => engine.validate(other, value, &mut state).map(|v| (0, v)),
        };
        outcome.map_err(|errors| DecodeError {
            errors: errors.iter().map(detail).collect(),
        })
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
