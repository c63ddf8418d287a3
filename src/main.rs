use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = zerodown::cli::Cli::parse();
    ExitCode::from(zerodown::run(cli))
}
