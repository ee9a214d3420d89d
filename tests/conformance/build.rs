//! Generates the conformance APIs from the documents chanx emits for
//! `app.py` and `topics_app.py` (checked in as `asyncapi.json` and
//! `specs/topics.json`), exactly as a user's crate would: the modules
//! land in OUT_DIR and `include_api!` pulls them in.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    chanx_codegen::configure().compile(&["asyncapi.json", "../../specs/topics.json"])?;
    Ok(())
}
