//! A human-readable summary of the model (`chanx inspect FILE`).
//!
//! Types are written compactly: `[T]` arrays, `{string: T}` maps, `T?`
//! nullable, `const "x"`, and named types by their generated name.

use std::fmt::Write;

use crate::ir::{Action, Additional, Api, Channel, MessageId, Name, TypeDef, TypeKind, TypeRef};

/// Renders `api` as indented text.
pub fn render(api: &Api) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} (AsyncAPI {}) from {}",
        api.title, api.version, api.asyncapi_version, api.source
    );
    servers(&mut out, api);
    channels(&mut out, api);
    operations(&mut out, api);
    types(&mut out, api);
    out
}

fn servers(out: &mut String, api: &Api) {
    if api.servers.is_empty() {
        return;
    }
    out.push_str("\nservers:\n");
    for s in &api.servers {
        let path = s.pathname.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "  {}: {}://{}{}",
            name(&s.name),
            s.protocol,
            s.host,
            path
        );
    }
}

fn channels(out: &mut String, api: &Api) {
    if api.channels.is_empty() {
        return;
    }
    out.push_str("\nchannels:\n");
    for c in &api.channels {
        let address = c.address.as_deref().unwrap_or("(dynamic)");
        let made = if c.synthesized {
            " (host the document leaves out)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {}: {}{made}", name(&c.name), address);
        if let Some(topic) = &c.topic {
            let served = match topic.host {
                Some(host) => format!("on {}'s connection", api.channels[host].name.spec),
                None => "on its own address (connecting subscribes)".to_string(),
            };
            let _ = writeln!(
                out,
                "    topic {} \"{}\" {served}, groups {}.<topic>",
                name(&topic.name),
                topic.pattern,
                topic.group_namespace
            );
            for &message in &topic.passthrough {
                let _ = writeln!(
                    out,
                    "    passthrough {} (forwarded as is when broadcast to the topic)",
                    api.messages[message].name.spec
                );
            }
        }
        for &hosted in &c.hosted_topics {
            let topic = &api.channels[hosted];
            let pattern = topic.topic.as_ref().map_or("", |t| t.pattern.as_str());
            let _ = writeln!(out, "    hosts topic {} \"{pattern}\"", topic.name.spec);
        }
        for p in &c.parameters {
            let mut line = format!("    param {}", name(&p.name));
            if !p.enum_values.is_empty() {
                let _ = write!(line, " one of {}", p.enum_values.join(" | "));
            }
            if let Some(d) = &p.default {
                let _ = write!(line, " default {d}");
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "    tag: {}", c.tag_key.as_deref().unwrap_or("(none)"));
        messages_of(out, api, c, "incoming", &c.incoming);
        messages_of(out, api, c, "outgoing", &c.outgoing);
        let undirected: Vec<MessageId> = c
            .messages
            .iter()
            .map(|m| m.message)
            .filter(|m| !c.incoming.contains(m) && !c.outgoing.contains(m))
            .collect();
        messages_of(out, api, c, "no operation", &undirected);
    }
}

fn messages_of(out: &mut String, api: &Api, channel: &Channel, label: &str, ids: &[MessageId]) {
    if ids.is_empty() {
        return;
    }
    let _ = writeln!(out, "    {label}:");
    for id in ids {
        let Some(message) = api.messages.get(*id) else {
            continue;
        };
        let declared = channel.messages.iter().find(|m| m.message == *id);
        let variant = declared.map_or(message.name.pascal.as_str(), |m| m.variant.pascal.as_str());
        let tag = declared
            .and_then(|m| m.tag.as_deref())
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default();
        let payload = message
            .payload
            .as_ref()
            .map_or("(no payload)".to_string(), |p| type_str(api, p));
        let correlation = message
            .correlation_id
            .as_ref()
            .map(|c| format!(" (correlation {})", c.location))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      {variant}{tag}: message {} = {payload}{correlation}",
            message.name.spec
        );
    }
}

fn operations(out: &mut String, api: &Api) {
    if api.operations.is_empty() {
        return;
    }
    out.push_str("\noperations:\n");
    for op in &api.operations {
        let action = match op.action {
            Action::Send => "send",
            Action::Receive => "receive",
        };
        let channel = api
            .channels
            .get(op.channel)
            .map_or("?", |c| c.name.spec.as_str());
        let _ = write!(
            out,
            "  {}: {action} on {channel} [{}]",
            name(&op.name),
            message_names(api, &op.messages)
        );
        if let Some(reply) = &op.reply {
            let on = match (reply.channel, &reply.address_location) {
                (Some(c), _) => api
                    .channels
                    .get(c)
                    .map_or("?".into(), |c| c.name.spec.clone()),
                (None, Some(loc)) => loc.clone(),
                (None, None) => "(same)".into(),
            };
            let _ = write!(
                out,
                " reply on {on} [{}]",
                message_names(api, &reply.messages)
            );
        }
        if !op.security.is_empty() {
            let _ = write!(out, " security {}", op.security.join(", "));
        }
        out.push('\n');
    }
}

fn message_names(api: &Api, ids: &[MessageId]) -> String {
    ids.iter()
        .filter_map(|id| api.messages.get(*id))
        .map(|m| m.name.spec.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn types(out: &mut String, api: &Api) {
    if api.types.types.is_empty() {
        return;
    }
    out.push_str("\ntypes:\n");
    for def in &api.types.types {
        type_def(out, api, def);
    }
}

fn type_def(out: &mut String, api: &Api, def: &TypeDef) {
    let _ = write!(out, "  {}", name(&def.name));
    match &def.kind {
        TypeKind::Struct { fields, additional } => {
            out.push_str(": struct\n");
            for f in fields {
                let optional = if f.required { "" } else { " (optional)" };
                let _ = writeln!(
                    out,
                    "    {}: {}{optional}",
                    field_name(&f.name),
                    type_str(api, &f.ty)
                );
            }
            match additional {
                Additional::Forbidden => out.push_str("    (no other properties)\n"),
                Additional::Unset => {}
                Additional::Allowed(t) => {
                    let _ = writeln!(out, "    ..: {}", type_str(api, t));
                }
            }
        }
        TypeKind::Enum { values } => {
            let values: Vec<String> = values
                .iter()
                .map(|v| format!("{}={}", v.name.pascal, v.value))
                .collect();
            let _ = writeln!(out, ": enum {}", values.join(" | "));
        }
        TypeKind::Union {
            variants,
            tag,
            exclusive,
        } => {
            let kind = if *exclusive { "oneOf" } else { "anyOf" };
            let tag = tag
                .as_deref()
                .map(|t| format!(" tagged by {t}"))
                .unwrap_or_default();
            let _ = writeln!(out, ": {kind}{tag}");
            for v in variants {
                let value = v
                    .tag_value
                    .as_deref()
                    .map(|t| format!(" \"{t}\""))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {}{value}: {}",
                    v.name.pascal,
                    type_str(api, &v.ty)
                );
            }
        }
        TypeKind::Alias { target } => {
            let _ = writeln!(out, " = {}", type_str(api, target));
        }
    }
}

/// `Pascal ← spec` when they differ.
fn name(n: &Name) -> String {
    if n.pascal == n.spec {
        n.pascal.clone()
    } else {
        format!("{} ← {}", n.pascal, n.spec)
    }
}

fn field_name(n: &Name) -> String {
    if n.snake == n.spec {
        n.snake.clone()
    } else {
        format!("{} ← {}", n.snake, n.spec)
    }
}

/// A compact spelling of a type.
pub fn type_str(api: &Api, ty: &TypeRef) -> String {
    let with_format = |base: &str, format: &Option<String>| match format {
        Some(f) => format!("{base}({f})"),
        None => base.to_string(),
    };
    match ty {
        TypeRef::Named(id) => api
            .types
            .types
            .get(*id)
            .map_or_else(|| format!("#{id}"), |d| d.name.pascal.clone()),
        TypeRef::String { format } => with_format("string", format),
        TypeRef::Integer { format } => with_format("integer", format),
        TypeRef::Number { format } => with_format("number", format),
        TypeRef::Boolean => "boolean".into(),
        TypeRef::Null => "null".into(),
        TypeRef::Any => "any".into(),
        TypeRef::Const(v) => format!("const {v}"),
        TypeRef::Array(inner) => format!("[{}]", type_str(api, inner)),
        TypeRef::Map(inner) => format!("{{string: {}}}", type_str(api, inner)),
        TypeRef::Nullable(inner) => format!("{}?", type_str(api, inner)),
    }
}
