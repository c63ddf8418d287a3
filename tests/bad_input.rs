//! Bad input gets exit 2 and a located, plain reason, never a panic or a hang, and the other
//! inputs are still linted and reported.

mod common;

use std::path::Path;

use common::{rules_of, run_in};

const GOOD_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers: [{name: a, image: nginx}]\n";

/// Lints `bad` beside a good file whose one finding must still be reported.
fn lint_beside_good(dir: &Path, bad: &str) -> common::Run {
    std::fs::write(dir.join("good.yaml"), GOOD_POD).unwrap();
    let run = run_in(dir, &["lint", bad, "good.yaml", "--format", "json"], "");
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(
        rules_of(&run),
        ["mutable-image-tag"],
        "the good file is still linted"
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn first_error_line(run: &common::Run) -> &str {
    run.stderr.lines().next().unwrap_or("")
}

#[test]
fn malformed_yaml_is_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n",
    )
    .unwrap();
    let run = lint_beside_good(dir.path(), "bad.yaml");
    assert!(
        first_error_line(&run).starts_with("bad.yaml:4:1: error: invalid YAML"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["errors"][0]["file"], "bad.yaml");
}

#[test]
fn one_bad_document_does_not_hide_the_others_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let stream = format!("a: [\n---\n{GOOD_POD}");
    std::fs::write(dir.path().join("stream.yaml"), stream).unwrap();
    let run = run_in(dir.path(), &["lint", "stream.yaml", "--format", "json"], "");
    assert_eq!(run.code, 2);
    assert_eq!(rules_of(&run), ["mutable-image-tag"]);
}

#[test]
fn unrendered_templates_get_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "spec:\n  replicas: {{ .Values.replicas }}\n",
    )
    .unwrap();
    let run = lint_beside_good(dir.path(), "t.yaml");
    assert!(run.stderr.contains("unrendered template"), "{}", run.stderr);
}

#[test]
fn non_utf8_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latin1.yaml"), b"name: caf\xe9\n").unwrap();
    let run = lint_beside_good(dir.path(), "latin1.yaml");
    assert!(
        first_error_line(&run).starts_with("latin1.yaml:1:10: error: not valid UTF-8"),
        "{}",
        run.stderr
    );

    std::fs::write(
        dir.path().join("image.yaml"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    let run = lint_beside_good(dir.path(), "image.yaml");
    assert!(
        run.stderr.contains("image.yaml:3:1: error: binary file"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_and_unreadable_paths() {
    let dir = tempfile::tempdir().unwrap();
    let run = lint_beside_good(dir.path(), "nope.yaml");
    assert_eq!(
        first_error_line(&run),
        "nope.yaml:1:1: error: no such file or folder"
    );

    std::os::unix::fs::symlink("gone.yaml", dir.path().join("dangling.yaml")).unwrap();
    let run = lint_beside_good(dir.path(), "dangling.yaml");
    assert_eq!(
        first_error_line(&run),
        "dangling.yaml:1:1: error: no such file or folder"
    );

    let locked = dir.path().join("locked.yaml");
    std::fs::write(&locked, GOOD_POD).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything; the check only means something for other users.
    if std::fs::File::open(&locked).is_err() {
        let run = lint_beside_good(dir.path(), "locked.yaml");
        assert_eq!(
            first_error_line(&run),
            "locked.yaml:1:1: error: permission denied"
        );
    }
}

#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("pod.yaml"), GOOD_POD).unwrap();
    std::os::unix::fs::symlink("..", tree.join("up")).unwrap();
    std::os::unix::fs::symlink("self.yaml", tree.join("self.yaml")).unwrap();
    let run = run_in(dir.path(), &["lint", "tree", "--format", "json"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("self.yaml:1:1: error: symlink loop"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("symlink loop: this folder links back"),
        "{}",
        run.stderr
    );
    assert_eq!(rules_of(&run), ["mutable-image-tag"]);
}

#[test]
fn an_alias_bomb_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut previous = "a";
    for name in names {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{previous}"); 9].join(",")
        ));
        previous = name;
    }
    std::fs::write(dir.path().join("bomb.yaml"), bomb).unwrap();
    let run = lint_beside_good(dir.path(), "bomb.yaml");
    assert!(
        run.stderr.contains("aliases expand to more than"),
        "{}",
        run.stderr
    );
}

#[test]
fn deep_nesting_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    std::fs::write(dir.path().join("deep.yaml"), deep).unwrap();
    let run = lint_beside_good(dir.path(), "deep.yaml");
    assert!(run.stderr.contains("nesting is too deep"), "{}", run.stderr);
    let deep_block: String = (0..1_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    std::fs::write(dir.path().join("deep_block.yaml"), deep_block).unwrap();
    let run = lint_beside_good(dir.path(), "deep_block.yaml");
    assert!(run.stderr.contains("nesting is too deep"), "{}", run.stderr);
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    huge.set_len(200 * 1024 * 1024).unwrap();
    let run = lint_beside_good(dir.path(), "huge.yaml");
    assert!(
        run.stderr
            .contains("huge.yaml:1:1: error: larger than 128 MiB"),
        "{}",
        run.stderr
    );
}

#[test]
fn empty_and_comment_only_files_are_clean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.yaml"), "").unwrap();
    std::fs::write(
        dir.path().join("comments.yaml"),
        "# nothing here\n---\n# nor here\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["lint", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["summary"]["files"], 2);
    assert_eq!(json["summary"]["objects"], 0);
}

#[test]
fn unknown_kinds_and_non_objects_are_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mixed.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {anything: [1, 2]}\n---\n- just\n- a list\n---\nreplicaCount: 3\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["lint", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["summary"]["objects"], 1);
    assert_eq!(json["summary"]["skipped_documents"], 2);
}
