use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = zerodown::cli::Cli::parse();
    ExitCode::from(zerodown::run(cli))
}

// mimalloc: parsing allocates and frees millions of small nodes on several threads, where
// glibc's malloc spends a fifth of the run (and holds per-thread arenas).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
