//! Generates the conformance API from the document chanx emits for `app.py`
//! (checked in as `asyncapi.json`), exactly as a user's crate would: the
//! module lands in OUT_DIR and `include_api!("asyncapi")` pulls it in.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    chanx_codegen::configure().compile(&["asyncapi.json"])?;
    Ok(())
}
