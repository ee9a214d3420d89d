//! Generates the chat API from the AsyncAPI document, exactly as a user's
//! crate would: the module lands in OUT_DIR and `include_api!("chat")` pulls
//! it in. Cargo reruns this when the document (or any file it `$ref`s) changes.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `.client(true)`: the typed `ChatClient` too, for the `chat-client` binary.
    chanx_codegen::configure()
        .client(true)
        .compile(&["../../specs/chat.yaml"])?;
    Ok(())
}
