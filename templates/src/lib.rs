//! Templates embedded at compile time.
//!
//! The files live under `templates/` in this crate so they ship with it; the
//! emitters in `chanx-codegen` render them with minijinja.

/// One TypeScript module per document: types, the shared client runtime and
/// one client class per channel.
pub const TS_MODULE: &str = include_str!("../ts/module.ts.j2");

/// The runtime's topic declarations, which `TS_MODULE` includes for
/// documents with chanx topics.
pub const TS_TOPICS: &str = include_str!("../ts/topics.ts.j2");

/// The client base class's topic members, which `TS_MODULE` includes for
/// documents with chanx topics.
pub const TS_TOPIC_MEMBERS: &str = include_str!("../ts/topic-members.ts.j2");
