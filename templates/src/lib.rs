//! Templates embedded at compile time.
//!
//! The files live under `templates/` in this crate so they ship with it; the
//! emitters in `chanx-codegen` render them with minijinja.

/// One TypeScript module per document: types, the shared client runtime and
/// one client class per channel.
pub const TS_MODULE: &str = include_str!("../ts/module.ts.j2");
