//! `render --out`: one file per object, staged and renamed into place (`crate::atomic`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic::stage;

use super::RenderedObject;

/// The first line of every file `render --out` writes; files that start with it are ours to
/// replace or remove on the next render.
pub const MARKER: &str = "# Rendered by zerodown from an app spec; edit the spec, not this file.";

/// `03-deployment-checkout.yaml`: the position keeps `kubectl apply -f DIR` in render order
/// (the migration Job first); only `[a-z0-9-]` reach the file name.
pub fn file_name(position: usize, object: &RenderedObject) -> String {
    let clean = |text: &str| -> String {
        text.to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .trim_matches('-')
            .to_string()
    };
    let kind = clean(&object.kind);
    let name = clean(&object.name);
    format!(
        "{position:02}-{}-{}.yaml",
        if kind.is_empty() { "object" } else { &kind },
        if name.is_empty() { "unnamed" } else { &name }
    )
}

/// What `write_all` did.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Files of an earlier render that this one no longer produces.
    pub removed: Vec<PathBuf>,
}

/// Writes one file per object into `dir` (created if needed). Files an earlier render left
/// (they start with `MARKER`) and this one does not produce are removed; other files are
/// never touched.
pub fn write_all(dir: &Path, objects: &[RenderedObject]) -> Result<Written, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{}: is a file, not a folder", dir.display()));
    }
    fs::create_dir_all(dir)
        .map_err(|e| format!("{}: cannot create the folder: {e}", dir.display()))?;
    let mut written = Written::default();
    let mut names = Vec::new();
    // Every file is staged before any is renamed into place: a failure (disk full, no
    // permission) leaves the folder as it was.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let name = file_name(i + 1, object);
        let path = dir.join(&name);
        let contents = format!("{MARKER}\n{}", object.text);
        match stage(&path, contents.as_bytes()) {
            Ok(temp) => staged.push((temp, path)),
            Err(e) => {
                for (temp, _) in &staged {
                    let _ = fs::remove_file(temp);
                }
                return Err(format!("{}: cannot write: {e}", path.display()));
            }
        }
        names.push(name);
    }
    for (temp, path) in staged {
        fs::rename(&temp, &path).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        written.files.push(path);
    }
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") || names.contains(&name) {
            continue;
        }
        let path = entry.path();
        let ours = fs::read_to_string(&path).is_ok_and(|text| text.starts_with(MARKER));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(&path)
                .map_err(|e| format!("{}: cannot remove: {e}", path.display()))?;
            written.removed.push(path);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, name: &str) -> RenderedObject {
        RenderedObject {
            kind: kind.into(),
            name: name.into(),
            text: format!("kind: {kind}\n"),
        }
    }

    #[test]
    fn names_are_ordered_and_safe() {
        assert_eq!(
            file_name(1, &object("Job", "web-migrate-1-2")),
            "01-job-web-migrate-1-2.yaml"
        );
        assert_eq!(
            file_name(12, &object("HTTPRoute", "../../etc")),
            "12-httproute-etc.yaml"
        );
        assert_eq!(file_name(3, &object("", "")), "03-object-unnamed.yaml");
    }

    #[test]
    fn rewrites_ours_and_keeps_theirs() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.yaml"), "kind: Secret\n").unwrap();
        let first = write_all(
            dir.path(),
            &[object("Service", "a"), object("Deployment", "b")],
        )
        .unwrap();
        assert_eq!(first.files.len(), 2);
        let second = write_all(dir.path(), &[object("Service", "a")]).unwrap();
        assert_eq!(
            second.removed,
            vec![dir.path().join("02-deployment-b.yaml")]
        );
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, vec!["01-service-a.yaml", "keep.yaml"]);
    }
}
