//! A crate that only talks to a chanx server: the typed client generated
//! from `specs/chat.yaml` by `chanx_codegen::configure().client_only(true)`,
//! built on `chanx-runtime` with `default-features = false, features =
//! ["client"]`. Nothing of the server (consumer traits, `Server`, `Router`,
//! the channel layer, the docs page) is generated or compiled.
//!
//! The same module from the command line:
//! `chanx generate specs/chat.yaml --lang rust --client-only`.

#![deny(warnings)]

/// The generated chat API: `api::types` and `api::channels::chat::ChatClient`.
pub mod api {
    chanx_runtime::include_api!("chat");
}

/// `specs/topics.json`'s clients: topics hosted on a connection and served
/// on their own address.
pub mod topics {
    chanx_runtime::include_api!("topics");
}
