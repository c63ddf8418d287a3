//! zerodown: zero-downtime deploy checks for Kubernetes manifests.
//!
//! The binary is a thin wrapper around [`run`]; everything else is here so it can be tested
//! and reused.

pub mod alloc;
pub mod atomic;
pub mod checklist;
pub mod cli;
pub mod config;
pub mod input;
pub mod k8s;
pub mod lint;
pub mod ops;
pub mod output;
pub mod parallel;
pub mod pointer;
pub mod render;
pub mod rules;
pub mod severity;
pub mod simulate;
pub mod source;
pub mod sql;
pub mod suggest;
pub mod suppress;
pub mod workspace;
pub mod yaml;

mod commands;

pub use commands::run;

/// The process exit codes: a contract with CI scripts.
pub mod exit {
    /// No finding at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage, I/O or parse errors.
    pub const INPUT_ERROR: u8 = 2;
}

/// Lints in-memory sources with `config`: the library entry point for tests and embedders.
/// The workspace keeps what the rules read (`Keep::ForRules`); `lint_sources_keeping`
/// chooses.
pub fn lint_sources(
    sources: Vec<source::SourceFile>,
    config: &config::Config,
) -> (workspace::Workspace, Vec<lint::Diagnostic>) {
    lint_sources_keeping(sources, config, workspace::Keep::ForRules)
}

/// Like `lint_sources`, keeping `keep` of each object's value (an edit that checks its
/// result reads the whole of it).
pub fn lint_sources_keeping(
    sources: Vec<source::SourceFile>,
    config: &config::Config,
    keep: workspace::Keep,
) -> (workspace::Workspace, Vec<lint::Diagnostic>) {
    let mut workspace = workspace::Workspace::default();
    for source in sources {
        workspace.add(workspace::parse_file(source, keep));
    }
    let diagnostics = lint::lint(&workspace, config);
    (workspace, diagnostics)
}
