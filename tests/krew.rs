//! The krew manifest and the release archive: the manifest's version follows Cargo.toml, and
//! `scripts/package.sh` (run on a copy of the repository, with the test's binaries) builds an
//! archive holding every file the manifest names, writes its sha256 into the manifest's
//! matching platform only, and the plugin it unpacks is found by the real kubectl.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::repo;

fn manifest(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let (documents, errors) = zerodown::yaml::load(&text);
    assert!(errors.is_empty(), "{errors:?}");
    documents[0].value.clone()
}

#[test]
fn the_manifest_follows_the_cargo_version() {
    let plugin = manifest(&repo().join("plugins/zerodown.yaml"));
    assert_eq!(
        plugin["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(plugin["kind"], "Plugin");
    assert_eq!(plugin["metadata"]["name"], "zerodown");
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(plugin["spec"]["version"], version.as_str());
    let platforms = plugin["spec"]["platforms"].as_array().unwrap();
    let mut seen = Vec::new();
    for platform in platforms {
        let labels = &platform["selector"]["matchLabels"];
        seen.push(format!(
            "{}/{}",
            labels["os"].as_str().unwrap(),
            labels["arch"].as_str().unwrap()
        ));
        let uri = platform["uri"].as_str().unwrap();
        assert!(
            uri.contains(&format!("/download/{version}/zerodown-{version}-"))
                && uri.ends_with(".tar.gz"),
            "{uri}"
        );
        let sha = platform["sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{sha}"
        );
        assert_eq!(platform["bin"], "kubectl-zerodown");
    }
    seen.sort();
    assert_eq!(
        seen,
        ["darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"]
    );
}

#[test]
fn the_package_script_builds_what_the_manifest_names() {
    let copy = tempfile::tempdir().unwrap();
    for file in [
        "scripts/package.sh",
        "Cargo.toml",
        "LICENSE",
        "README.md",
        "plugins/zerodown.yaml",
    ] {
        let target = copy.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(file), &target).unwrap();
    }
    // The test's own binaries, without their debug info (200 MB each otherwise).
    let built = Path::new(env!("CARGO_BIN_EXE_zerodown")).parent().unwrap();
    let bin_dir = copy.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    for binary in ["zerodown", "kubectl-zerodown", "kubectl_complete-zerodown"] {
        let stripped = Command::new("strip")
            .arg("--strip-debug")
            .arg("-o")
            .arg(bin_dir.join(binary))
            .arg(built.join(binary))
            .status()
            .expect("binutils strip");
        assert!(stripped.success());
    }
    let target = "x86_64-unknown-linux-gnu";
    let output = Command::new("bash")
        .arg(copy.path().join("scripts/package.sh"))
        .args(["--bin-dir", bin_dir.to_str().unwrap(), target])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let archive = copy.path().join(format!(
        "dist/zerodown-v{}-{target}.tar.gz",
        env!("CARGO_PKG_VERSION")
    ));
    let sha = Command::new("sha256sum").arg(&archive).output().unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let before = manifest(&repo().join("plugins/zerodown.yaml"));
    let after = manifest(&copy.path().join("plugins/zerodown.yaml"));
    for (old, new) in before["spec"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["spec"]["platforms"].as_array().unwrap())
    {
        if new["uri"].as_str().unwrap().contains(target) {
            assert_eq!(new["sha256"], sha.as_str());
        } else {
            assert_eq!(old, new, "other platforms are left alone");
        }
    }
    // Unpack it as krew does and check every file the manifest names is there.
    let unpacked = copy.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let untar = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(untar.success());
    let platform = &after["spec"]["platforms"][0];
    for file in platform["files"].as_array().unwrap() {
        let from = file["from"].as_str().unwrap();
        assert!(unpacked.join(from).is_file(), "{from} in the archive");
    }
    assert!(unpacked.join("zerodown").is_file());
    let plugins = Command::new("kubectl")
        .args(["plugin", "list", "--name-only"])
        .env("PATH", format!("{}:/usr/bin:/bin", unpacked.display()))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&plugins.stdout).contains("kubectl-zerodown"),
        "{}",
        String::from_utf8_lossy(&plugins.stderr)
    );
}
