//! Prints the model summary of a document: `cargo run --example inspect FILE`.

use chanx_codegen::ir::{BuildOptions, build};
use chanx_codegen::load::{LoadOptions, load};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect FILE");
        std::process::exit(2);
    };
    let (doc, warnings) = match load(path.as_ref(), &LoadOptions::default()) {
        Ok(loaded) => loaded,
        Err(errors) => {
            eprint!("{errors}");
            std::process::exit(1);
        }
    };
    eprint!("{warnings}");
    match build(&doc, &BuildOptions::default()) {
        Ok((api, warnings)) => {
            eprint!("{warnings}");
            print!("{}", chanx_codegen::inspect::render(&api));
        }
        Err(errors) => {
            eprint!("{errors}");
            std::process::exit(1);
        }
    }
}
