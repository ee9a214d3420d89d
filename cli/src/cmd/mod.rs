//! One module per subcommand.

pub mod common;
pub mod diff;
pub mod docs;
pub mod generate;
pub mod git_base;
pub mod inspect;
pub mod validate;
