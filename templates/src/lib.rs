//! Templates embedded at compile time.
