use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = zerodown::cli::Cli::parse();
    ExitCode::from(zerodown::run(cli))
}

#[global_allocator]
static ALLOCATOR: zerodown::alloc::Hybrid = zerodown::alloc::Hybrid;
