//! Channel address templates: `/ws/chat/{room}`.
//!
//! Addresses as chanx writes them may lack the leading slash or carry a
//! trailing one (`ws/chat/{room}/`); both sides are normalised, so
//! `/ws/chat/lobby`, `ws/chat/lobby` and `/ws/chat/lobby/` all match.

use crate::{handler::PathParams, util::percent_decode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    /// `{name}` with optional literal text around it: `room-{id}.json`.
    Param {
        prefix: String,
        name: String,
        suffix: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddressTemplate {
    segments: Vec<Segment>,
}

fn split(path: &str) -> Vec<&str> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    }
}

impl AddressTemplate {
    pub(crate) fn parse(address: &str) -> Self {
        let segments = split(address)
            .into_iter()
            .map(|segment| {
                let param = segment.find('{').and_then(|open| {
                    let close = open + segment[open..].find('}')?;
                    Some(Segment::Param {
                        prefix: segment[..open].to_owned(),
                        name: segment[open + 1..close].to_owned(),
                        suffix: segment[close + 1..].to_owned(),
                    })
                });
                param.unwrap_or_else(|| Segment::Literal(segment.to_owned()))
            })
            .collect();
        AddressTemplate { segments }
    }

    /// The segments between slashes (leading and trailing slashes dropped).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The parameters when `path` (query allowed) matches.
    pub(crate) fn matches(&self, path: &str) -> Option<PathParams> {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts = split(path);
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) => {
                    if *literal != part && *literal != percent_decode(part) {
                        return None;
                    }
                }
                Segment::Param {
                    prefix,
                    name,
                    suffix,
                } => {
                    let value = part
                        .strip_prefix(prefix.as_str())?
                        .strip_suffix(suffix.as_str())?;
                    if value.is_empty() {
                        return None;
                    }
                    params.push((name.clone(), percent_decode(value)));
                }
            }
        }
        Some(PathParams::new(params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
        AddressTemplate::parse(template).matches(path).map(|p| {
            p.iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        })
    }

    #[test]
    fn matches_with_and_without_slashes() {
        let room = Some(vec![("room".to_owned(), "lobby".to_owned())]);
        assert_eq!(params("/ws/chat/{room}", "/ws/chat/lobby"), room);
        assert_eq!(params("ws/chat/{room}/", "/ws/chat/lobby"), room);
        assert_eq!(params("/ws/chat/{room}", "/ws/chat/lobby/?token=1"), room);
        assert_eq!(params("/ws/chat", "/ws/chat/"), Some(vec![]));
    }

    #[test]
    fn rejects_other_paths() {
        assert_eq!(params("/ws/chat/{room}", "/ws/chat"), None);
        assert_eq!(params("/ws/chat/{room}", "/ws/chat/a/b"), None);
        assert_eq!(params("/ws/chat", "/ws/other"), None);
        assert_eq!(params("/ws/{id}.json", "/ws/.json"), None);
    }

    #[test]
    fn decodes_params_and_keeps_affixes() {
        assert_eq!(
            params("/ws/room-{id}.json", "/ws/room-a%20b.json"),
            Some(vec![("id".to_owned(), "a b".to_owned())])
        );
    }
}
