//! The version gate: only AsyncAPI 3.0 and 3.1 documents go further.

use serde_json::Value;

use super::schema::SpecVersion;
use crate::diag::{Code, Diagnostic};
use crate::load::Document;

/// The document's version, or the error explaining why it is not accepted.
pub fn check(doc: &Document) -> Result<SpecVersion, Diagnostic> {
    let root = doc.root();
    let located = |d: Diagnostic, pointer: &str| {
        let node = crate::load::NodeRef::new(0, pointer);
        d.at(doc.location(&node), pointer)
    };
    let Some(Value::Object(map)) = doc.raw(&root) else {
        return Err(located(
            Diagnostic::error(
                Code::NotAMapping,
                "the document must be a mapping (YAML/JSON object)",
            ),
            "",
        ));
    };
    let version = match map.get("asyncapi") {
        None => {
            return Err(located(
                Diagnostic::error(Code::MissingVersion, "required property 'asyncapi' missing")
                    .with_hint("an AsyncAPI 3 document starts with `asyncapi: 3.0.0`"),
                "",
            ));
        }
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(located(
                Diagnostic::error(
                    Code::BadVersion,
                    format!("'asyncapi' must be a version string, found {other}"),
                )
                .with_hint("quote it: asyncapi: '3.0.0'"),
                "/asyncapi",
            ));
        }
    };
    let major = version.split('.').next().unwrap_or("");
    match version {
        "3.0.0" => Ok(SpecVersion::V3_0),
        "3.1.0" => Ok(SpecVersion::V3_1),
        _ if major == "2" => Err(located(
            Diagnostic::error(
                Code::Asyncapi2,
                format!(
                    "this is an AsyncAPI 2 document (asyncapi: {version}); convert it to 3.0 first"
                ),
            )
            .with_hint("e.g. `asyncapi convert`"),
            "/asyncapi",
        )),
        _ => Err(located(
            Diagnostic::error(
                Code::UnsupportedVersion,
                format!("unsupported AsyncAPI version '{version}'"),
            )
            .with_hint("chanx reads AsyncAPI 3.0.0 and 3.1.0"),
            "/asyncapi",
        )),
    }
}
