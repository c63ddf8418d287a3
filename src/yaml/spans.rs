//! Where each node of a document stands in the source, kept beside the `serde_json::Value`
//! so that one JSON pointer can be resolved to a byte span after the rules have run.

use super::SpanTree;
use crate::source::Span;

#[derive(Clone, Debug)]
pub enum SpanNode {
    Scalar(Span),
    Seq(Span, Vec<SpanNode>),
    Map(Span, Vec<MapEntry>),
}

#[derive(Clone, Debug)]
pub struct MapEntry {
    pub key_span: Span,
    /// The key's text when it differs from the source at `key_span` (a quoted key);
    /// `None` saves an allocation for the usual plain key.
    pub key_override: Option<Box<str>>,
    pub value: SpanNode,
}

impl MapEntry {
    pub fn key<'a>(&'a self, text: &'a str) -> &'a str {
        self.key_override
            .as_deref()
            .unwrap_or_else(|| &text[self.key_span.range()])
    }
}

/// What a pointer resolved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    /// The span to show: the value, or the key when the finding is about the key itself.
    pub span: Span,
    /// True when the pointer's full path exists; false when it fell back to an ancestor.
    pub exact: bool,
}

impl SpanNode {
    pub fn span(&self) -> Span {
        match self {
            SpanNode::Scalar(s) | SpanNode::Seq(s, _) | SpanNode::Map(s, _) => *s,
        }
    }

    /// Resolves a JSON pointer (RFC 6901), as `SpanTree::locate` does (the one home of
    /// the rule): when a segment is missing, the nearest existing ancestor with `exact:
    /// false`, narrowed to its `name` entry. For the callers that hold the builder's tree
    /// (an edit, a spec's error); a workspace keeps the compact tree.
    pub fn locate(&self, text: &str, pointer: &str, at_key: bool) -> Located {
        SpanTree::new(self).locate(text, pointer, at_key)
    }
}
