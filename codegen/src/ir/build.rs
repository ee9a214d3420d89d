//! Building the [`Api`] model from a loaded document.

use crate::diag::Diagnostics;
use crate::ir::Api;
use crate::load::Document;

/// Options that change how the model is built.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Overrides tag-key detection for every channel (`--action-key`).
    pub action_key: Option<String>,
}

/// Builds the model. Returns warnings with it, or all errors found.
pub fn build(_doc: &Document, _options: &BuildOptions) -> Result<(Api, Diagnostics), Diagnostics> {
    todo!("IR builder")
}
