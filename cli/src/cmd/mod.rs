//! One module per subcommand.

pub mod common;
pub mod diff;
pub mod docs;
pub mod generate;
pub mod git_base;
pub mod inspect;
pub mod validate;

/// How a command ends: its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, nothing found wrong.
    Success = 0,
    /// 1: the command failed, or found what it reports (errors, breaking
    /// changes, files out of date).
    Failure = 1,
    /// 2: the command was used wrongly (as clap's own usage errors).
    Usage = 2,
}
