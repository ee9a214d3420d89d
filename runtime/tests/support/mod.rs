#![allow(dead_code)]

pub mod app;
/// The module chanx generates from specs/chat.yaml (checked in; a codegen
/// test keeps it current).
#[rustfmt::skip]
#[allow(dead_code)]
pub mod chat;
pub mod client;
pub mod raw;
pub mod redis_server;
pub mod serve;
