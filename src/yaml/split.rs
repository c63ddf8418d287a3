//! Splits a YAML stream into its documents by the `---` / `...` marker lines, before parsing.
//!
//! Parsing each document on its own means a syntax error costs only that document: the other
//! documents of a Helm or Kustomize stream are still linted. A marker line at column 0 is a
//! document boundary in every YAML version, so no parser is needed to find it.

/// A document's byte range inside the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
}

pub fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    // Directives (`%YAML 1.1`, `%TAG …`) belong to the document their `---` starts: they
    // stay in its chunk. `directives`: the chunk so far holds directives; `content`: it
    // holds something besides markers, comments and blank lines.
    let mut directives = false;
    let mut content = false;
    for line in crate::source::lines_inclusive(text) {
        if is_marker(line, "---") {
            if offset > start && (content || !directives) {
                chunks.push(Chunk { start, end: offset });
                start = offset;
            }
            directives = false;
            content = false;
        } else if is_marker(line, "...") {
            let end = offset + line.len();
            chunks.push(Chunk { start, end });
            start = end;
            directives = false;
            content = false;
        } else if line.starts_with('%') {
            if content {
                // A directive right after a document, without the `...` YAML asks for:
                // kubectl's reader splits here anyway, and so do we.
                chunks.push(Chunk { start, end: offset });
                start = offset;
            } else if !directives {
                // What came before (an empty `---` document at most) holds nothing.
                start = offset;
            }
            directives = true;
            content = false;
        } else if !content {
            // Once the chunk has content, no later line changes that: skip the scan.
            let trimmed = line.trim_start();
            content = !trimmed.is_empty() && !trimmed.starts_with('#');
        }
        offset += line.len();
    }
    if text.len() > start {
        chunks.push(Chunk {
            start,
            end: text.len(),
        });
    }
    chunks
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

/// The Helm `# Source: chart/templates/x.yaml` comment that `helm template` writes at the top
/// of each document, if the chunk has one before its content.
pub fn helm_source(chunk: &str) -> Option<String> {
    for line in crate::source::lines_inclusive(chunk).map(|l| l.trim_end_matches(['\n', '\r'])) {
        let trimmed = line.trim();
        if trimmed.is_empty() || is_marker(line, "---") {
            continue;
        }
        let comment = trimmed.strip_prefix('#')?;
        if let Some(path) = comment.trim_start().strip_prefix("Source:") {
            return Some(path.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_marker_lines_only() {
        let text = "a: 1\n---\nb: '---'\n--- \nc: 3\n...\n";
        let parts: Vec<&str> = split_documents(text)
            .iter()
            .map(|c| &text[c.start..c.end])
            .collect();
        assert_eq!(parts, ["a: 1\n", "---\nb: '---'\n", "--- \nc: 3\n...\n"]);
    }

    fn parts(text: &str) -> Vec<&str> {
        split_documents(text)
            .iter()
            .map(|c| &text[c.start..c.end])
            .collect()
    }

    #[test]
    fn directives_stay_with_the_document_they_start() {
        assert_eq!(
            parts("%YAML 1.1\n---\na: 1\n---\n%TAG ! x:\n---\nb: 2\n"),
            ["%YAML 1.1\n---\na: 1\n", "%TAG ! x:\n---\nb: 2\n"]
        );
        // A directive right after content (no `...`): split there, chunks never overlap.
        assert_eq!(
            parts("%YAML 1.1\na: 1\n%YAML 1.1\nb: 2\n"),
            ["%YAML 1.1\na: 1\n", "%YAML 1.1\nb: 2\n"]
        );
        // Lone carriage returns are line breaks for the markers too.
        assert_eq!(parts("a: 1\r---\rb: 2\r"), ["a: 1\r", "---\rb: 2\r"]);
    }

    #[test]
    fn a_dash_run_inside_a_line_is_not_a_marker() {
        let text = "a: |\n  ---\n----\n";
        assert_eq!(split_documents(text).len(), 1);
    }

    #[test]
    fn finds_the_helm_source_comment() {
        let chunk = "---\n# Source: app/templates/deploy.yaml\napiVersion: v1\n";
        assert_eq!(
            helm_source(chunk).as_deref(),
            Some("app/templates/deploy.yaml")
        );
        assert_eq!(helm_source("apiVersion: v1\n# Source: x\n"), None);
    }
}
