//! chanx-runtime
