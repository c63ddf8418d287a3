//! The compact, read-only form of a document's `SpanNode` tree: what a workspace keeps of
//! every document until its findings are located.
//!
//! `SpanNode` is what the builder needs (subtrees are cloned for anchors and merge keys),
//! but a tree of enums and vectors costs ~56 bytes per mapping entry plus a heap block per
//! mapping and sequence, more than the document's text: on a 50 MB stream it held 86 MB.
//! Here every node is 24 bytes in one array, numbered breadth-first so that the children
//! of a node are consecutive. Its `locate` is the one implementation of locating a pointer
//! (`SpanNode::locate` makes a tree and asks it).

use super::spans::{Located, SpanNode};
use crate::pointer::unescape;
use crate::source::Span;

/// Node kinds, in the top bits of `Node::count_kind`.
const SCALAR: u32 = 0;
const SEQ: u32 = 1 << 30;
const MAP: u32 = 2 << 30;
const KIND_MASK: u32 = 3 << 30;
/// Set when the node's key text differs from the source at its key span (a quoted key).
const KEY_OVERRIDE: u32 = 1 << 29;
const COUNT_MASK: u32 = KEY_OVERRIDE - 1;

#[derive(Clone, Copy, Debug)]
struct Node {
    span: Span,
    /// The key's span, when the node is the value of a mapping entry.
    key: Span,
    /// Index of the first child; the children are `first_child..first_child + count`.
    first_child: u32,
    /// Kind, `KEY_OVERRIDE`, and the number of children.
    count_kind: u32,
}

impl Node {
    fn kind(&self) -> u32 {
        self.count_kind & KIND_MASK
    }

    fn children(&self) -> std::ops::Range<usize> {
        let first = self.first_child as usize;
        first..first + (self.count_kind & COUNT_MASK) as usize
    }
}

#[derive(Clone, Debug)]
pub struct SpanTree {
    /// Breadth-first; the root is node 0.
    nodes: Box<[Node]>,
    /// The key text of the nodes flagged `KEY_OVERRIDE`, by node index (ascending).
    key_overrides: Box<[(u32, Box<str>)]>,
}

impl SpanTree {
    pub fn new(root: &SpanNode) -> SpanTree {
        let mut nodes = Vec::new();
        let mut key_overrides = Vec::new();
        // The source node of each node, for the walk only (no recursion: nesting depth is
        // the input's).
        let mut sources: Vec<&SpanNode> = vec![root];
        nodes.push(leaf(root, Span::default()));
        let mut index = 0;
        while index < sources.len() {
            let first_child = nodes.len();
            match sources[index] {
                SpanNode::Scalar(_) => {}
                SpanNode::Seq(_, items) => {
                    for item in items {
                        nodes.push(leaf(item, Span::default()));
                        sources.push(item);
                    }
                }
                SpanNode::Map(_, entries) => {
                    for entry in entries {
                        let mut node = leaf(&entry.value, entry.key_span);
                        if let Some(key) = &entry.key_override {
                            node.count_kind |= KEY_OVERRIDE;
                            key_overrides.push((nodes.len() as u32, key.clone()));
                        }
                        nodes.push(node);
                        sources.push(&entry.value);
                    }
                }
            }
            let count = (nodes.len() - first_child) as u32;
            // Cannot overflow: an input file is at most 128 MiB (`input::MAX_FILE_BYTES`)
            // and an entry takes at least two bytes; expanded aliases are capped far lower.
            debug_assert!(
                count <= COUNT_MASK,
                "a YAML collection of over 2^29 entries"
            );
            nodes[index].first_child = first_child as u32;
            nodes[index].count_kind |= count;
            index += 1;
        }
        SpanTree {
            nodes: nodes.into_boxed_slice(),
            key_overrides: key_overrides.into_boxed_slice(),
        }
    }

    /// The key of mapping entry `index` (a node whose parent is a mapping).
    fn key<'a>(&'a self, index: usize, text: &'a str) -> &'a str {
        let node = &self.nodes[index];
        if node.count_kind & KEY_OVERRIDE != 0
            && let Ok(at) = self
                .key_overrides
                .binary_search_by_key(&(index as u32), |(i, _)| *i)
        {
            return &self.key_overrides[at].1;
        }
        &text[node.key.range()]
    }

    /// Resolves a JSON pointer (RFC 6901). When a segment is missing, the nearest existing
    /// ancestor is returned with `exact: false`; an ancestor mapping is narrowed to its
    /// `name` entry (or its first entry) so a missing probe points at `- name: app`.
    pub fn locate(&self, text: &str, pointer: &str, at_key: bool) -> Located {
        let mut node = 0;
        let mut key_span = None;
        for raw in pointer.split('/').skip(1) {
            let segment = unescape(raw);
            let current = &self.nodes[node];
            let next = match current.kind() {
                // The last entry of a repeated key wins, as in the value.
                MAP => current
                    .children()
                    .rev()
                    .find(|&child| self.key(child, text) == segment)
                    .map(|child| (Some(self.nodes[child].key), child)),
                SEQ => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| current.children().nth(i))
                    .map(|child| (None, child)),
                _ => None,
            };
            match next {
                Some((key, child)) => {
                    key_span = key;
                    node = child;
                }
                None => {
                    return Located {
                        span: self.summary_span(node, text),
                        exact: false,
                    };
                }
            }
        }
        let span = match (at_key, key_span) {
            (true, Some(key)) => key,
            _ => self.summary_span(node, text),
        };
        Located { span, exact: true }
    }

    /// A short span that stands for the node: scalars whole; a mapping by its `name` entry
    /// or first entry; a sequence by its first item. Keeps snippets to one line.
    fn summary_span(&self, mut index: usize, text: &str) -> Span {
        loop {
            let node = &self.nodes[index];
            match node.kind() {
                MAP => {
                    let mut children = node.children();
                    let entry = children
                        .clone()
                        .find(|&child| self.key(child, text) == "name")
                        .or_else(|| children.next());
                    return match entry.map(|child| &self.nodes[child]) {
                        Some(entry) if entry.kind() == SCALAR => {
                            Span::new(entry.key.start as usize, entry.span.end as usize)
                        }
                        Some(entry) => entry.key,
                        None => node.span,
                    };
                }
                SEQ => match node.children().next() {
                    Some(first) => index = first,
                    None => return node.span,
                },
                _ => return node.span,
            }
        }
    }
}

fn leaf(source: &SpanNode, key: Span) -> Node {
    let kind = match source {
        SpanNode::Scalar(_) => SCALAR,
        SpanNode::Seq(..) => SEQ,
        SpanNode::Map(..) => MAP,
    };
    Node {
        span: source.span(),
        key,
        first_child: 0,
        count_kind: kind,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::pointer::unescape;
    use crate::yaml::{escape, load};

    /// The first implementation of `locate`, a walk of the builder's tree, kept as the
    /// reference the compact tree is checked against.
    trait Reference {
        fn locate(&self, text: &str, pointer: &str, at_key: bool) -> Located;
        fn summary_span(&self, text: &str) -> Span;
    }

    impl Reference for SpanNode {
        /// Resolves a JSON pointer (RFC 6901). When a segment is missing, the nearest existing
        /// ancestor is returned with `exact: false`; an ancestor mapping is narrowed to its
        /// `name` entry (or its first entry) so a missing probe points at `- name: app`.
        fn locate(&self, text: &str, pointer: &str, at_key: bool) -> Located {
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

    /// Every pointer into `value`, plus a missing child of each node.
    fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
        out.push(prefix.to_string());
        out.push(format!("{prefix}/missing"));
        out.push(format!("{prefix}/7"));
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    pointers(child, &format!("{prefix}/{}", escape(key)), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    pointers(child, &format!("{prefix}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// The compact tree locates every pointer (present or missing, at the key or not)
    /// exactly as the reference walk of the tree it was made from.
    #[test]
    fn locates_as_the_span_node_tree() {
        let texts = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\n\
             spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        \
             image: x\n        ports: [{containerPort: 80}, {containerPort: 81}]\n      - \
             image: y\n      volumes: []\n",
            "a: 1\na: 2\n\"quoted key\": {x: 1}\n'b~c/d': [[], [1, [2]], {}]\n",
            "base: &b {name: shared, port: 1}\nderived:\n  <<: *b\n  port: 2\nlist: [*b, *b]\n",
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: \
             {name: s}}\n- kind: Pod\n  metadata:\n    name: p\n",
            "- 1\n- - 2\n  - {}\n- key: value\n",
            "plain scalar document\n",
        ];
        for text in texts {
            let (documents, errors) = load(text);
            assert!(errors.is_empty(), "{text}: {errors:?}");
            for document in documents {
                let tree = SpanTree::new(&document.spans);
                let mut all = Vec::new();
                pointers(&document.value, "", &mut all);
                for pointer in &all {
                    for at_key in [false, true] {
                        assert_eq!(
                            tree.locate(text, pointer, at_key),
                            Reference::locate(&document.spans, text, pointer, at_key),
                            "{pointer} (at_key {at_key}) in {text:?}"
                        );
                    }
                }
            }
        }
    }
}
