//! Command-line definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;
use crate::severity::Severity;

#[derive(Parser, Debug)]
#[command(
    name = "zerodown",
    version,
    about = "Catch and prevent zero-downtime hazards in Kubernetes deploys",
    long_about = "zerodown lints Kubernetes manifests for what drops requests during a deploy: \
                  missing probes, unsafe rollout settings, broken traffic splits."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint manifests: files, folders (recursively, *.yaml and *.yml) or `-` for stdin.
    Lint(LintArgs),
    /// List every rule with its severity and summary.
    Rules,
    /// Print the documentation of one rule.
    Explain {
        /// A rule id, as `zerodown rules` lists them.
        rule: String,
    },
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Exit with 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Config file; default: `.zerodown.yaml` found upward from the current folder.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.zerodown.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
