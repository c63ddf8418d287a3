//! The kubectl plugin, through the real kubectl: `kubectl plugin list` finds
//! kubectl-zerodown, `kubectl zerodown …` runs it, and `kubectl __complete zerodown …` (what
//! the shell's completion calls) reaches kubectl_complete-zerodown.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A PATH with only the plugin's folder in front of the system's (not ~/.cargo/bin, which
/// may hold an installed copy).
fn path_with_plugins() -> String {
    let plugin = PathBuf::from(env!("CARGO_BIN_EXE_kubectl-zerodown"));
    let completion = PathBuf::from(env!("CARGO_BIN_EXE_kubectl_complete-zerodown"));
    assert_eq!(plugin.parent(), completion.parent());
    let system = std::env::var("PATH").unwrap_or_default();
    let kept: Vec<&str> = system
        .split(':')
        .filter(|p| !p.contains(".cargo/bin"))
        .collect();
    format!("{}:{}", plugin.parent().unwrap().display(), kept.join(":"))
}

fn kubectl(args: &[&str], dir: &Path) -> Output {
    Command::new("kubectl")
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with_plugins())
        .env("KUBECONFIG", "/dev/null")
        .output()
        .expect("kubectl is installed on these machines (client only)")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn kubectl_lists_and_runs_the_plugin() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = kubectl(&["plugin", "list"], repo);
    assert!(
        stdout(&list).contains("kubectl-zerodown"),
        "{}",
        stdout(&list)
    );
    let lint = kubectl(&["zerodown", "lint", "examples/fixed"], repo);
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    assert!(stdout(&lint).contains("0 errors"), "{}", stdout(&lint));
    let migrate = kubectl(
        &[
            "zerodown",
            "migrate",
            "lint",
            "examples/migrations/broken",
            "-f",
            "json",
        ],
        repo,
    );
    assert_eq!(migrate.status.code(), Some(1));
    let help = kubectl(&["zerodown", "--help"], repo);
    assert!(
        stdout(&help).contains("kubectl zerodown"),
        "{}",
        stdout(&help)
    );
}

#[test]
fn kubectl_completes_subcommands_flags_and_values() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lines = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["__complete", "zerodown"];
        all.extend_from_slice(args);
        stdout(&kubectl(&all, repo))
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .collect()
    };
    let top = lines(&[""]);
    for sub in [
        "lint",
        "migrate",
        "render",
        "switch",
        "set-weight",
        "promote",
        "rollback",
    ] {
        assert!(top.contains(&sub.to_string()), "{sub} in {top:?}");
    }
    assert_eq!(top.last().map(String::as_str), Some(":4"));
    assert_eq!(lines(&["migrate", "p"]), ["plan", ":4"]);
    assert!(lines(&["lint", "--fo"]).contains(&"--format".to_string()));
    assert_eq!(
        lines(&["lint", "--format", ""]),
        [
            "human", "json", "github", "sarif", "gitlab", "junit", "markdown", ":4"
        ]
    );
    assert_eq!(
        lines(&["explain", "readiness-p"]),
        ["readiness-probe-missing", ":4"]
    );
    // Paths are left to the shell.
    assert_eq!(lines(&["lint", "exa"]), [":0"]);
}
