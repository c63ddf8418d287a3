//! The same CLI under the name kubectl looks for, so `kubectl zerodown lint …` works as a
//! kubectl plugin.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let command = zerodown::cli::Cli::command().bin_name("kubectl zerodown");
    let cli = match zerodown::cli::Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    ExitCode::from(zerodown::run(cli))
}

#[global_allocator]
static ALLOCATOR: zerodown::alloc::Hybrid = zerodown::alloc::Hybrid;
