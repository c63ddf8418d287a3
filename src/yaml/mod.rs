//! The one YAML loader: a multi-document stream in, `Document`s (a `serde_json::Value` plus
//! the `SpanNode` tree that locates each of its nodes) out. Every other module reads YAML
//! through here; a workspace keeps each document's locations as a compact `SpanTree`.

mod build;
mod relax;
mod scalar;
mod span_tree;
pub mod spans;
mod split;

pub use crate::pointer::escape;
pub use build::{DuplicateKey, MAX_ALIAS_NODES, MAX_DEPTH};
pub use scalar::resolve_plain;
pub use span_tree::SpanTree;
pub use spans::{Located, SpanNode};

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

/// Parses every document of `text`. A syntax error loses only the document it is in.
/// Documents are parsed independently, so a large stream is parsed on several threads.
pub fn load(text: &str) -> (Vec<Document>, Vec<YamlError>) {
    let (per_chunk, errors) = load_with(text, |documents| documents);
    (per_chunk.into_iter().flatten().collect(), errors)
}

/// Like `load`, handing each chunk's documents (usually one) to `keep` on the thread that
/// parsed them, and keeping only what it returns: a caller that needs a fraction of each
/// document never holds the whole stream's trees at once.
pub fn load_with<R: Send>(
    text: &str,
    keep: impl Fn(Vec<Document>) -> R + Sync + Send,
) -> (Vec<R>, Vec<YamlError>) {
    let chunks = split::split_documents(text);
    let parallel = text.len() >= crate::parallel::PARALLEL_BYTES;
    let mut kept = Vec::with_capacity(chunks.len());
    let mut errors = Vec::new();
    for (documents, error) in crate::parallel::map(chunks, parallel, |chunk| {
        let (documents, error) = load_chunk(text, chunk);
        (keep(documents), error)
    }) {
        kept.push(documents);
        errors.extend(error);
    }
    (kept, errors)
}

fn load_chunk(text: &str, chunk: split::Chunk) -> (Vec<Document>, Option<YamlError>) {
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
    let documents = built
        .into_iter()
        .filter(|d| !d.value.is_null())
        .map(|doc| Document {
            value: doc.value,
            spans: doc.spans,
            chunk: Span::new(chunk.start, chunk.end),
            helm_source: helm_source.clone(),
            duplicate_keys: doc.duplicate_keys,
        })
        .collect();
    let error = error.map(|error| YamlError {
        offset: error.offset,
        message: error.message,
    });
    (documents, error)
}

#[cfg(test)]
mod tests;
