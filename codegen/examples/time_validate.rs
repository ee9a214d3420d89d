//! Times schema compilation and load+validate of the given documents.
//! `cargo run --release -p chanx-codegen --example time_validate -- FILE...`

use std::path::Path;
use std::time::{Duration, Instant};

use chanx_codegen::LoadOptions;
use chanx_codegen::internal::validate::{SpecVersion, warm_up};

fn main() {
    let start = Instant::now();
    warm_up(SpecVersion::V3_0);
    println!("compile the 3.0.0 meta-schema: {:.2?}", start.elapsed());
    for file in std::env::args().skip(1) {
        let mut runs: Vec<Duration> = (0..20)
            .map(|_| {
                let start = Instant::now();
                let result = chanx_codegen::validate(Path::new(&file), &LoadOptions::default());
                let elapsed = start.elapsed();
                std::hint::black_box(result.is_ok());
                elapsed
            })
            .collect();
        runs.sort();
        println!(
            "{file}: median {:.2?}, max {:.2?}",
            runs[runs.len() / 2],
            runs[runs.len() - 1]
        );
    }
}
