//! File names as a repository names them: code scanning (SARIF), GitLab code quality and
//! fingerprints need a path relative to the repository root, whatever folder zerodown ran
//! in and however the user spelled the path.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// The working directory and the root of the git work tree around it (the working
/// directory itself outside git).
fn bases() -> &'static (PathBuf, PathBuf) {
    static BASES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BASES.get_or_init(|| {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .map_or_else(|| cwd.clone(), Path::to_path_buf);
        (cwd, root)
    })
}

/// `a/./b/../c` → `a/c`, without touching the file system (a symlinked folder keeps the
/// name the user gave it).
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `name` relative to the repository root (or the working directory outside git), with `/`
/// separators; stdin and paths outside the root stay as given.
pub fn repository_relative(name: &str) -> String {
    if name == "<stdin>" || name == "-" {
        return name.to_string();
    }
    let (cwd, root) = bases();
    let absolute = normalized(&cwd.join(name));
    match absolute.strip_prefix(root) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => name.to_string(),
    }
}

/// The repository root as a `file://` URI ending in `/` (SARIF's `%SRCROOT%`).
pub fn root_uri() -> String {
    let root = &bases().1;
    let mut uri = String::from("file://");
    for component in root.components() {
        if let Component::Normal(part) = component {
            uri.push('/');
            uri.push_str(&percent_encode(&part.to_string_lossy()));
        }
    }
    uri.push('/');
    uri
}

/// What a URI path segment cannot hold as is (RFC 3986 `pchar` keeps the rest).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one URI path segment.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_by_name() {
        assert_eq!(
            normalized(Path::new("/r/a/./b/../c")),
            PathBuf::from("/r/a/c")
        );
    }

    #[test]
    fn uri_segments_are_encoded() {
        assert_eq!(percent_encode("a b%c/d"), "a%20b%25c%2Fd");
    }
}
