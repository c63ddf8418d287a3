//! Finding and reading the inputs: files, folders (recursively) and stdin. Every failure
//! becomes an `InputError` with a location, never a panic.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::source::SourceFile;

/// Files larger than this are refused before they are read: a manifest is never this big,
/// and reading one would cost memory out of proportion.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

pub const STDIN_NAME: &str = "<stdin>";

/// An input that could not be read or parsed: exit code 2, printed as
/// `path:line:col: error: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl InputError {
    pub fn whole_file(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.into(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }

    pub fn at(source: &SourceFile, offset: usize, message: &str) -> InputError {
        let position = source.position(offset);
        InputError {
            file: source.name.clone(),
            line: position.line,
            column: position.column,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: the error is about something without lines, e.g. a command-line flag.
        if self.line == 0 {
            return write!(f, "{}: error: {}", self.file, self.message);
        }
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Manifests, for `lint`'s folder walk.
pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// SQL migrations, for `migrate`'s folder walk.
pub fn is_sql(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("sql")
}

/// Whether folder walks honour `.gitignore`, `.ignore` and git's exclude files (the
/// default; `--no-ignore` turns it off for the whole run).
static HONOUR_IGNORE_FILES: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(true);

/// Sets whether folder walks honour ignore files (`--no-ignore` clears it at start-up).
pub fn honour_ignore_files(honour: bool) {
    HONOUR_IGNORE_FILES.store(honour, std::sync::atomic::Ordering::Relaxed);
}

/// The paths a command was given, or the current folder when it was given none.
pub fn or_current_folder(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

/// Expands the command-line paths: `-` is stdin, a file is taken as given (whatever its
/// extension, a FIFO included), a folder is walked for the files `wanted` accepts
/// (`is_yaml`, `is_sql`), skipping hidden entries, what `.gitignore` ignores (unless
/// `--no-ignore`) and `exclude`.
pub fn collect(
    paths: &[PathBuf],
    wanted: &dyn Fn(&Path) -> bool,
    exclude: &dyn Fn(&Path) -> bool,
) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, wanted, exclude, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(error) => errors.push(InputError::whole_file(
                path.to_string_lossy(),
                io_reason(&error),
            )),
        }
    }
    (inputs, errors)
}

/// Walks one folder with ripgrep's walker (`ignore`): sorted, symlinks followed with loop
/// detection, hidden entries and ignored files skipped.
fn walk(
    dir: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    exclude: &dyn Fn(&Path) -> bool,
    inputs: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
) {
    let honour = HONOUR_IGNORE_FILES.load(std::sync::atomic::Ordering::Relaxed);
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .follow_links(true)
        .git_ignore(honour)
        .git_exclude(honour)
        .git_global(honour)
        .ignore(honour)
        .parents(honour)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                report_walk_error(&error, wanted, errors);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        // An excluded folder excludes what is under it.
        if path.ancestors().take(entry.depth()).any(exclude) {
            continue;
        }
        match entry.file_type() {
            Some(kind) if kind.is_dir() => {}
            Some(kind) if kind.is_file() => {
                if wanted(path) {
                    inputs.push(Input::File(path.to_path_buf()));
                }
            }
            // Opening a FIFO blocks until something writes to it; a socket or a device is no
            // manifest either. Named on the command line, such a path is read as a stream.
            _ => {
                if wanted(path) {
                    eprintln!(
                        "note: {}: skipped: not a regular file (a FIFO, socket or device); \
                         name it on the command line to read it as a stream",
                        display(path)
                    );
                }
            }
        }
    }
}

/// A walk error as an input error at its path: symlink loops always, other unreadable
/// entries when they are named like an input or are folders (a dangling `x.yaml` link is
/// worth saying; an unreadable socket the user never asked for is not).
fn report_walk_error(
    error: &ignore::Error,
    wanted: &dyn Fn(&Path) -> bool,
    errors: &mut Vec<InputError>,
) {
    match error {
        ignore::Error::WithDepth { err, .. } => report_walk_error(err, wanted, errors),
        ignore::Error::Loop { child, .. } => errors.push(InputError::whole_file(
            display(child),
            "symlink loop: this folder links back to one of its parents; skipped",
        )),
        ignore::Error::WithPath { path, err } => {
            // The walker wraps the system's error (walkdir's inside an io::Error): the
            // innermost io::Error has the OS code (ELOOP, ENOENT) the reason is read from.
            let unwrapped = match err.as_ref() {
                ignore::Error::WithDepth { err, .. } => err.as_ref(),
                other => other,
            };
            let io = match unwrapped {
                ignore::Error::Io(io) => Some(innermost(io)),
                _ => None,
            };
            if wanted(path) || path.is_dir() {
                let reason = io.map_or_else(|| err.to_string(), io_reason);
                errors.push(InputError::whole_file(display(path), reason));
            }
        }
        // An unreadable ignore file, or a bad glob in one: the walk goes on without it.
        other => eprintln!("note: {other}"),
    }
}

/// The innermost `io::Error` of an error chain.
fn innermost(io: &std::io::Error) -> &std::io::Error {
    let mut current = io;
    let mut source = io
        .get_ref()
        .map(|e| e as &(dyn std::error::Error + 'static));
    while let Some(error) = source {
        if let Some(inner) = error.downcast_ref::<std::io::Error>() {
            current = inner;
        }
        source = error.source();
    }
    current
}

fn io_reason(error: &std::io::Error) -> String {
    match error.raw_os_error() {
        Some(40) => "symlink loop: too many levels of symbolic links".to_string(),
        _ => match error.kind() {
            std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "is a folder".to_string(),
            _ => error.to_string(),
        },
    }
}

/// Reads one input into text, refusing binary, non-UTF-8 and oversized input.
pub fn read(input: &Input) -> Result<SourceFile, InputError> {
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| InputError::whole_file(STDIN_NAME, io_reason(&e)))?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(too_large(STDIN_NAME));
            }
            decode(STDIN_NAME.to_string(), bytes)
        }
        Input::File(path) => read_file(path),
    }
}

fn too_large(name: &str) -> InputError {
    InputError::whole_file(
        name,
        format!(
            "larger than {} MiB; split it, or lint the documents you changed",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

pub fn read_file(path: &Path) -> Result<SourceFile, InputError> {
    let name = display(path);
    let file =
        std::fs::File::open(path).map_err(|e| InputError::whole_file(&name, io_reason(&e)))?;
    let meta = file
        .metadata()
        .map_err(|e| InputError::whole_file(&name, io_reason(&e)))?;
    if meta.is_dir() {
        return Err(InputError::whole_file(&name, "is a folder"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(&name));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::whole_file(&name, io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&name));
    }
    decode(name, bytes)
}

/// Bytes to text: a UTF-8 byte-order mark is dropped; NUL bytes mean a binary file; other
/// invalid UTF-8 is reported at its line and column.
fn decode(name: String, mut bytes: Vec<u8>) -> Result<SourceFile, InputError> {
    crate::alloc::count_input(bytes.len());
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(InputError::whole_file(
            name,
            "UTF-16 text; convert it to UTF-8 (kubectl reads UTF-8 only)",
        ));
    }
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let prefix = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let end = prefix.len();
        let position = SourceFile::new(&name, prefix).position(end);
        return Err(InputError {
            file: name,
            line: position.line,
            column: position.column,
            message: "binary file (contains a NUL byte), not text".to_string(),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let byte = bytes[valid];
            let prefix = String::from_utf8(bytes[..valid].to_vec()).unwrap_or_default();
            let position = SourceFile::new(&name, prefix).position(valid);
            Err(InputError {
                file: name,
                line: position.line,
                column: position.column,
                message: format!("not valid UTF-8 (byte 0x{byte:02x}); inputs must be UTF-8"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let error = decode("f.yaml".into(), b"a: 1\nb: \xff\n".to_vec()).unwrap_err();
        assert_eq!((error.line, error.column), (2, 4));
        assert!(error.message.contains("0xff"));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let error = decode("f.bin".into(), b"\x7fELF\x00\x01".to_vec()).unwrap_err();
        assert!(error.message.contains("binary"));
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        let file = decode("f.yaml".into(), b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap();
        assert_eq!(file.text, "a: 1\n");
    }
}
