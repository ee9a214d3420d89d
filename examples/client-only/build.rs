//! Generates the client side of the chat API only (`.client_only(true)`):
//! message types and `ChatClient`, nothing that needs chanx-runtime's server.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    chanx_codegen::configure()
        .client_only(true)
        .compile(&["../../specs/chat.yaml", "../../specs/topics.json"])?;
    Ok(())
}
