//! Where each node of a document stands in the source, kept beside the `serde_json::Value`
//! so that one JSON pointer can be resolved to a byte span after the rules have run.

use crate::pointer::unescape;
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

    /// Resolves a JSON pointer (RFC 6901). When a segment is missing, the nearest existing
    /// ancestor is returned with `exact: false`; an ancestor mapping is narrowed to its
    /// `name` entry (or its first entry) so a missing probe points at `- name: app`.
    pub fn locate(&self, text: &str, pointer: &str, at_key: bool) -> Located {
        let mut node = self;
        let mut key_span = None;
        for raw in pointer.split('/').skip(1) {
            let segment = unescape(raw);
            let next = match node {
                SpanNode::Map(_, entries) => entries
                    .iter()
                    .rev()
                    .find(|e| e.key(text) == segment)
                    .map(|e| (Some(e.key_span), &e.value)),
                SpanNode::Seq(_, items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|item| (None, item)),
                SpanNode::Scalar(_) => None,
            };
            match next {
                Some((k, child)) => {
                    key_span = k;
                    node = child;
                }
                None => {
                    return Located {
                        span: node.summary_span(text),
                        exact: false,
                    };
                }
            }
        }
        let span = match (at_key, key_span) {
            (true, Some(k)) => k,
            _ => node.summary_span(text),
        };
        Located { span, exact: true }
    }

    /// A short span that stands for the node: scalars whole; a mapping by its `name` entry
    /// or first entry; a sequence by its first item. Keeps snippets to one line.
    fn summary_span(&self, text: &str) -> Span {
        match self {
            SpanNode::Scalar(s) => *s,
            SpanNode::Map(s, entries) => {
                let entry = entries
                    .iter()
                    .find(|e| e.key(text) == "name")
                    .or_else(|| entries.first());
                match entry {
                    Some(e) if matches!(e.value, SpanNode::Scalar(_)) => {
                        Span::new(e.key_span.start as usize, e.value.span().end as usize)
                    }
                    Some(e) => e.key_span,
                    None => *s,
                }
            }
            SpanNode::Seq(s, items) => items.first().map_or(*s, |i| i.summary_span(text)),
        }
    }
}
