//! What a client must send to connect: the `ws` binding's `query` and
//! `headers`, and the security schemes of the channel's operations that a
//! WebSocket client can carry (an API key in the query or a header, a bearer
//! token). Read once here so every emitter offers the same options.

use serde::Serialize;
use serde_json::{Map, Value};

use super::context::{Context, str_field};
use crate::load::NodeRef;

/// Where a credential travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Location {
    /// A URL query parameter (the only place a browser can put one).
    Query,
    /// A header of the upgrade request.
    Header,
}

/// One value a client sends when it connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    /// The query parameter or header name, as the document writes it.
    pub name: String,
    pub location: Location,
    /// `Authorization: Bearer <value>` (the value is the token alone).
    pub bearer: bool,
    /// Whether the document requires it (binding `required`); security
    /// schemes are alternatives, so never required on their own.
    pub required: bool,
    /// The scheme's or property's description.
    pub description: Option<String>,
}

/// The credentials of a `security` list (resolved scheme objects).
pub(super) fn from_security(cx: &mut Context<'_>, at: &NodeRef) -> Vec<Credential> {
    let count = cx.raw(at).and_then(Value::as_array).map_or(0, Vec::len);
    let mut out = Vec::new();
    for i in 0..count {
        let Some((_, scheme)) = cx.object(&at.child(&i.to_string())) else {
            continue;
        };
        out.extend(scheme_credential(scheme));
    }
    out
}

fn scheme_credential(scheme: &Map<String, Value>) -> Option<Credential> {
    let description = str_field(scheme, "description");
    let kind = str_field(scheme, "type")?;
    let http_scheme = str_field(scheme, "scheme").map(|s| s.to_ascii_lowercase());
    match kind.as_str() {
        "httpApiKey" => {
            let location = match str_field(scheme, "in")?.as_str() {
                "query" => Location::Query,
                "header" => Location::Header,
                _ => return None, // cookies: a client library sets those itself
            };
            Some(Credential {
                name: str_field(scheme, "name")?,
                location,
                bearer: false,
                required: false,
                description,
            })
        }
        "http" if http_scheme.as_deref() == Some("bearer") => Some(bearer(description)),
        // Their tokens are bearer tokens on the wire.
        "oauth2" | "openIdConnect" => Some(bearer(description)),
        _ => None,
    }
}

fn bearer(description: Option<String>) -> Credential {
    Credential {
        name: "Authorization".into(),
        location: Location::Header,
        bearer: true,
        required: false,
        description,
    }
}

/// The `ws` binding's `query` and `headers` properties.
pub(super) fn from_bindings(bindings: Option<&Value>) -> Vec<Credential> {
    let Some(ws) = bindings.and_then(|b| b.get("ws")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, location) in [("query", Location::Query), ("headers", Location::Header)] {
        let Some(schema) = ws.get(key) else { continue };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (name, property) in properties {
            out.push(Credential {
                name: name.clone(),
                location,
                bearer: false,
                required: required.contains(&name.as_str()),
                description: property
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    out
}

/// `credentials` with later duplicates (same place, same name ignoring
/// case for headers) removed; a required one wins.
pub fn dedup(credentials: impl IntoIterator<Item = Credential>) -> Vec<Credential> {
    let mut out: Vec<Credential> = Vec::new();
    for credential in credentials {
        let same = |c: &Credential| {
            c.location == credential.location
                && match c.location {
                    Location::Header => c.name.eq_ignore_ascii_case(&credential.name),
                    Location::Query => c.name == credential.name,
                }
        };
        match out.iter_mut().find(|c| same(c)) {
            Some(existing) => existing.required |= credential.required,
            None => out.push(credential),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scheme(value: Value) -> Option<Credential> {
        scheme_credential(value.as_object().expect("an object"))
    }

    #[test]
    fn schemes_a_websocket_client_can_carry() {
        let key = scheme(json!({"type": "httpApiKey", "name": "api_key", "in": "query"})).unwrap();
        assert_eq!(
            (key.name.as_str(), key.location, key.bearer),
            ("api_key", Location::Query, false)
        );
        let header =
            scheme(json!({"type": "httpApiKey", "name": "X-Key", "in": "header"})).unwrap();
        assert_eq!(header.location, Location::Header);
        let bearer = scheme(json!({"type": "http", "scheme": "Bearer"})).unwrap();
        assert!(bearer.bearer && bearer.name == "Authorization");
        assert!(
            scheme(json!({"type": "oauth2", "flows": {}}))
                .unwrap()
                .bearer
        );
        // Not carried by a WebSocket client: cookies, basic auth, user/password keys.
        assert_eq!(
            scheme(json!({"type": "httpApiKey", "name": "s", "in": "cookie"})),
            None
        );
        assert_eq!(scheme(json!({"type": "http", "scheme": "basic"})), None);
        assert_eq!(scheme(json!({"type": "apiKey", "in": "user"})), None);
        assert_eq!(scheme(json!({"type": "httpApiKey", "in": "query"})), None);
    }

    #[test]
    fn binding_values_and_duplicates() {
        let bindings = json!({"ws": {
            "query": {"type": "object", "properties": {"token": {"type": "string", "description": "who"}}, "required": ["token"]},
            "headers": {"type": "object", "properties": {"X-Trace": {"type": "string"}}}
        }});
        let found = from_bindings(Some(&bindings));
        assert_eq!(found.len(), 2);
        assert!(found[0].required && found[0].description.as_deref() == Some("who"));
        assert_eq!(
            (found[1].name.as_str(), found[1].location),
            ("X-Trace", Location::Header)
        );
        assert!(from_bindings(Some(&json!({"mqtt": {}}))).is_empty());

        let again = Credential {
            name: "x-trace".into(),
            location: Location::Header,
            bearer: false,
            required: true,
            description: None,
        };
        let merged = dedup(found.into_iter().chain([again]));
        assert_eq!(merged.len(), 2, "header names compare without case");
        assert!(merged[1].required, "a required duplicate makes it required");
    }
}
