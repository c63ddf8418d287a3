//! Writing files atomically: each file is written to a temporary file in the same folder
//! and renamed over its target, so a reader sees the old file or the new one, never half.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` through a temporary sibling and a rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temp = stage(path, contents)?;
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Writes `contents` to a new temporary file beside `path` and returns its path.
pub fn stage(path: &Path, contents: &[u8]) -> std::io::Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let temp = dir.join(format!(".{file_name}.{}.{attempt}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    match file.write_all(contents).and_then(|()| file.sync_all()) {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Files staged beside their targets; `commit` renames them into place, dropping them
/// unused removes the temporary files (a failed run leaves the folder as it was).
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
    /// Folders created for the staged files, removed again if nothing is committed.
    folders: Vec<PathBuf>,
    committed: bool,
}

impl Staged {
    /// Stages `contents` for `path`, creating its folder (and remembering it) if needed.
    pub fn add(&mut self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let mut missing: Vec<PathBuf> = parent
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
                .map(Path::to_path_buf)
                .collect();
            fs::create_dir_all(parent)?;
            missing.reverse();
            self.folders.extend(missing);
        }
        let temp = stage(path, contents)?;
        self.files.push((temp, path.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place, in the order they were staged.
    pub fn commit(mut self) -> std::io::Result<Vec<PathBuf>> {
        self.committed = true;
        let mut written = Vec::new();
        for (temp, path) in std::mem::take(&mut self.files) {
            fs::rename(&temp, &path)?;
            written.push(path);
        }
        Ok(written)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (temp, _) in &self.files {
            let _ = fs::remove_file(temp);
        }
        if !self.committed {
            for folder in self.folders.iter().rev() {
                let _ = fs::remove_dir(folder);
            }
        }
    }
}
