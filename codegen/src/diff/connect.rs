//! What a client sends to connect: the `ws` binding's query and headers and
//! the credentials of the channel's security schemes. They travel from client
//! to server, so they are judged as a client → server payload is.

use super::{Breaks, Change, Direction, Kind, Shift, Site};
use crate::ir::credentials::{Credential, Location};
use crate::ir::{Api, ChannelId};
use crate::source::push_token;

/// The changes to the connect credentials of channel `old_id` (`new_id` in NEW).
pub fn credentials(
    old: (&Api, ChannelId),
    new: (&Api, ChannelId),
    template: &Change,
) -> Vec<Change> {
    let (old_list, new_list) = (
        old.0.connect_credentials(old.1),
        new.0.connect_credentials(new.1),
    );
    let site = |api: &Api, channel: ChannelId, c: &Credential| {
        let origin = &api.channels[channel].origin;
        let place = match c.location {
            Location::Query => "query",
            Location::Header => "headers",
        };
        let mut pointer = origin.pointer.clone();
        for token in ["bindings", "ws", place, "properties", &c.name] {
            pointer = push_token(&pointer, token);
        }
        Site::new(&origin.file, &pointer)
    };
    let mut out = Vec::new();
    let mut push = |kind, shift, what: String, old_site, new_site| {
        out.push(Change {
            kind,
            breaks: Breaks::of_payload(Direction::ClientToServer, shift),
            shift: Some(shift),
            reason: format!("{what}: {}", consequence(shift)),
            old: old_site,
            new: new_site,
            ..template.clone()
        });
    };
    for o in &old_list {
        let old_site = site(old.0, old.1, o);
        match new_list.iter().find(|n| same(n, o)) {
            Some(n) if o.required && !n.required => push(
                Kind::CredentialOptional,
                Shift::Looser,
                format!("{} is now optional", shown(o)),
                old_site,
                site(new.0, new.1, n),
            ),
            Some(n) if !o.required && n.required => push(
                Kind::CredentialRequired,
                Shift::Tighter,
                format!("{} is now required", shown(o)),
                old_site,
                site(new.0, new.1, n),
            ),
            Some(_) => {}
            None => push(
                Kind::CredentialRemoved,
                Shift::Looser,
                format!("{} is no longer asked for", shown(o)),
                old_site,
                Site::at(&new.0.channels[new.1].origin),
            ),
        }
    }
    for n in &new_list {
        if old_list.iter().any(|o| same(o, n)) {
            continue;
        }
        let (kind, shift, what) = if n.required {
            (Kind::CredentialRequired, Shift::Tighter, "new required")
        } else {
            (Kind::CredentialAdded, Shift::Neutral, "new optional")
        };
        push(
            kind,
            shift,
            format!("{what} {}", shown(n)),
            Site::at(&old.0.channels[old.1].origin),
            site(new.0, new.1, n),
        );
    }
    out
}

/// The same query parameter, or the same header (names ignore case).
fn same(a: &Credential, b: &Credential) -> bool {
    a.location == b.location
        && match a.location {
            Location::Header => a.name.eq_ignore_ascii_case(&b.name),
            Location::Query => a.name == b.name,
        }
}

/// `query parameter `token``, `header `Authorization` (bearer token)`.
fn shown(c: &Credential) -> String {
    let place = match c.location {
        Location::Query => "query parameter",
        Location::Header => "header",
    };
    let bearer = if c.bearer { " (bearer token)" } else { "" };
    format!("{place} `{}`{bearer}", c.name)
}

fn consequence(shift: Shift) -> &'static str {
    match shift {
        Shift::Tighter | Shift::Incompatible => {
            "a client built on OLD connects without it and a NEW server refuses it"
        }
        Shift::Looser | Shift::Neutral => "clients built on OLD still connect",
    }
}
