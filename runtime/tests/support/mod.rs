#![allow(dead_code)]

pub mod app;
pub mod chat;
pub mod client;
