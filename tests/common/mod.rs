//! Helpers shared by the CLI tests: run the real binary, capture everything.

#![allow(dead_code)]

pub mod fake_api;
pub mod pg;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `zerodown ARGS` in `dir` with `stdin`, without any user config.
pub fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zerodown"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    let bytes = stdin.as_bytes().to_vec();
    // Written on a thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn run(args: &[&str]) -> Run {
    run_in(&repo(), args, "")
}

pub fn rules_of(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// Lints `files` (name, text) in-process with the default config and returns the
/// diagnostics of `rule`, in output order.
pub fn diagnostics_of(rule: &str, files: &[(&str, &str)]) -> Vec<zerodown::lint::Diagnostic> {
    let sources = files
        .iter()
        .map(|(name, text)| zerodown::source::SourceFile::new(*name, text.to_string()))
        .collect();
    let (_, diagnostics) = zerodown::lint_sources(sources, &zerodown::config::Config::default());
    diagnostics.into_iter().filter(|d| d.rule == rule).collect()
}
