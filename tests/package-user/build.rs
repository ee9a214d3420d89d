//! A user's build script: the generator from its published package.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    chanx_codegen::configure().client(true).compile(&["ping.yaml"])?;
    Ok(())
}
