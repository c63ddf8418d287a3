//! The one YAML loader: a multi-document stream in, `Document`s (a `serde_json::Value` plus
//! the `SpanNode` tree that locates each of its nodes) out. Every other module reads YAML
//! through here.

mod build;
mod relax;
mod scalar;
pub mod spans;
mod split;

pub use build::{DuplicateKey, MAX_ALIAS_NODES, MAX_DEPTH};
pub use scalar::resolve_plain;
pub use spans::{Located, SpanNode, escape};

use serde_json::Value;

use crate::source::Span;

#[derive(Debug)]
pub struct Document {
    pub value: Value,
    pub spans: SpanNode,
    /// The byte range of the document's chunk in the file.
    pub chunk: Span,
    /// Helm's `# Source:` comment: the chart template the document came from.
    pub helm_source: Option<String>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

#[derive(Debug, Clone)]
pub struct YamlError {
    /// Byte offset in the file.
    pub offset: usize,
    pub message: String,
}

/// Streams at least this large are parsed on several threads, a run of documents each.
const PARALLEL_BYTES: usize = 4 * 1024 * 1024;

/// Parses every document of `text`. A syntax error loses only the document it is in.
pub fn load(text: &str) -> (Vec<Document>, Vec<YamlError>) {
    let chunks = split::split_documents(text);
    // Asked once: the standard library reads the cgroup limits on every call.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads =
        *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if text.len() < PARALLEL_BYTES || threads < 2 || chunks.len() < 2 {
        return load_chunks(text, &chunks);
    }
    let per_thread = chunks.len().div_ceil(threads);
    let parts: Vec<(Vec<Document>, Vec<YamlError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .chunks(per_thread)
            .map(|group| scope.spawn(move || load_chunks(text, group)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    for (docs, errs) in parts {
        documents.extend(docs);
        errors.extend(errs);
    }
    (documents, errors)
}

fn load_chunks(text: &str, chunks: &[split::Chunk]) -> (Vec<Document>, Vec<YamlError>) {
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    for &chunk in chunks {
        let helm_source = split::helm_source(&text[chunk.start..chunk.end]);
        let (built, error) = match build::build_documents(text, chunk, None) {
            (built, Some(error)) => match relax::reindent_quoted_continuations(text, chunk) {
                // saphyr rejects what go-yaml accepts in one known case; retry on a copy
                // whose continuation lines are indented, with offsets mapped back.
                Some(relaxed) => match build::build_documents(text, chunk, Some(&relaxed)) {
                    (again, None) => (again, None),
                    _ => (built, Some(error)),
                },
                None => (built, Some(error)),
            },
            ok => ok,
        };
        // An explicit `---` with nothing after it is an empty (null) document: nothing to lint.
        for doc in built.into_iter().filter(|d| !d.value.is_null()) {
            documents.push(Document {
                value: doc.value,
                spans: doc.spans,
                chunk: Span::new(chunk.start, chunk.end),
                helm_source: helm_source.clone(),
                duplicate_keys: doc.duplicate_keys,
            });
        }
        if let Some(error) = error {
            errors.push(YamlError {
                offset: error.offset,
                message: error.message,
            });
        }
    }
    (documents, errors)
}

#[cfg(test)]
mod tests;
