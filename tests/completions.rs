//! `zerodown completions` and `zerodown man`, from the one clap definition: the bash script
//! is sourced in a real bash and completes subcommands and rule ids; every shell's script
//! is produced; the man page is roff that names every subcommand.

mod common;

use std::process::Command;

use common::{repo, run_in};

/// What bash completes for `words` (the last one being typed), with zerodown's script.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let current = words.last().unwrap();
    let previous = words[words.len() - 2];
    let program = format!(
        "source '{}'; COMP_WORDS=({array}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
         _zerodown zerodown '{current}' '{previous}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.len() - 1
    );
    let output = Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_rule_ids() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(&repo(), &["completions", "bash"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let script = dir.path().join("zerodown.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    assert_eq!(
        bash_complete(&script, &["zerodown", "explain", "readiness-p"]),
        ["readiness-probe-missing"]
    );
    let sql = bash_complete(&script, &["zerodown", "explain", "lock-"]);
    assert_eq!(sql, ["lock-timeout-missing"]);
    let top = bash_complete(&script, &["zerodown", "mi"]);
    assert_eq!(top, ["migrate"]);
    // The parser itself still answers an unknown id with its own suggestion.
    let unknown = run_in(&repo(), &["explain", "readiness-probe-mising"], "");
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn every_shell_gets_a_script() {
    // clap_complete spells out positional values for bash and zsh only; the others
    // complete subcommands and flags.
    for (shell, marker, rule_ids) in [
        ("bash", "complete -F _zerodown", true),
        ("zsh", "#compdef zerodown", true),
        ("fish", "complete -c zerodown", false),
        ("powershell", "Register-ArgumentCompleter", false),
        ("elvish", "edit:completion:arg-completer[zerodown]", false),
    ] {
        let run = run_in(&repo(), &["completions", shell], "");
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}");
        assert!(run.stdout.contains("set-weight"), "{shell}: subcommands");
        assert_eq!(
            run.stdout.contains("mutable-image-tag"),
            rule_ids,
            "{shell}: rule ids"
        );
    }
    assert_eq!(run_in(&repo(), &["completions", "tcsh"], "").code, 2);
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let run = run_in(&repo(), &["man"], "");
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(".TH zerodown 1"), "{}", run.stdout);
    for sub in [
        "lint",
        "migrate",
        "simulate",
        "switch",
        "set\\-weight",
        "promote",
        "rollback",
        "completions",
    ] {
        assert!(run.stdout.contains(sub), "{sub}");
    }
    // groff, where installed, reads it without a warning.
    if let Ok(output) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(run.stdout.as_bytes())?;
            child.wait_with_output()
        })
    {
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
