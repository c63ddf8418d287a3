//! Builds `serde_json::Value` + `SpanNode` trees from saphyr's event stream, with an explicit
//! stack (no recursion, so deep input cannot overflow ours), bounded nesting and bounded
//! alias expansion, YAML merge keys (`<<`) applied, and duplicate keys recorded.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::relax::Relaxed;
use super::scalar::resolve_plain;
use super::spans::{MapEntry, SpanNode};
use super::split::Chunk;
use crate::pointer::escape;
use crate::source::Span;

/// Deeper than any Kubernetes object (generated CRD schemas stay well under 100 levels).
pub const MAX_DEPTH: usize = 256;
/// Nodes that aliases may copy into one document: a billion-laughs stream stops here.
pub const MAX_ALIAS_NODES: usize = 100_000;

#[derive(Debug)]
pub struct Built {
    pub value: Value,
    pub spans: SpanNode,
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// A key that occurs twice in one mapping: kubectl rejects the document.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub pointer: String,
    pub key: String,
    pub span: Span,
    pub first_span: Span,
}

#[derive(Debug, Clone)]
pub struct BuildError {
    /// Byte offset in the file.
    pub offset: usize,
    pub message: String,
}

/// Converts saphyr's character indexes to byte offsets in the file.
struct Offsets<'a> {
    base: usize,
    /// `None` when the parsed text is ASCII and indexes are already byte offsets.
    char_to_byte: Option<Vec<u32>>,
    relaxed: Option<&'a Relaxed>,
}

impl<'a> Offsets<'a> {
    fn new(parsed: &str, base: usize, relaxed: Option<&'a Relaxed>) -> Self {
        let char_to_byte = (!parsed.is_ascii()).then(|| {
            let mut table: Vec<u32> = parsed.char_indices().map(|(i, _)| i as u32).collect();
            table.push(parsed.len() as u32);
            table
        });
        Offsets {
            base,
            char_to_byte,
            relaxed,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.char_to_byte {
            None => char_index,
            Some(table) => table
                .get(char_index)
                .copied()
                .unwrap_or(*table.last().unwrap_or(&0)) as usize,
        };
        let local = self.relaxed.map_or(local, |r| r.original_offset(local));
        self.base + local
    }

    fn span(&self, span: &YamlSpan) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        values: Vec<Value>,
        spans: Vec<SpanNode>,
        nodes: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        map: Map<String, Value>,
        entries: Vec<MapEntry>,
        pending_key: Option<PendingKey>,
        merges: Vec<(Value, SpanNode)>,
        nodes: usize,
    },
}

struct PendingKey {
    text: String,
    span: Span,
    quoted_or_changed: bool,
    is_merge: bool,
}

struct Node {
    value: Value,
    span: SpanNode,
    count: usize,
}

struct Builder<'a> {
    file_text: &'a str,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, SpanNode, usize)>,
    alias_budget: usize,
    duplicates: Vec<DuplicateKey>,
}

/// Parses one chunk (usually one document) of `file_text` starting at byte `base`.
/// Returns the documents built before any error, and the error.
/// With `relaxed`, the chunk's re-indented copy is parsed instead and its offsets mapped back.
pub fn build_documents(
    file_text: &str,
    chunk: Chunk,
    relaxed: Option<&Relaxed>,
) -> (Vec<Built>, Option<BuildError>) {
    let parsed = relaxed.map_or(&file_text[chunk.start..chunk.end], |r| r.text.as_str());
    let mut parser = Parser::new_from_str(parsed);
    let mut builder = Builder {
        file_text,
        offsets: Offsets::new(parsed, chunk.start, relaxed),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        duplicates: Vec::new(),
    };
    let mut docs = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(pair)) => pair,
            Some(Err(error)) => {
                let offset = builder.offsets.byte(error.marker().index());
                return (
                    docs,
                    Some(BuildError {
                        offset,
                        message: match error.info() {
                            "recursion limit exceeded" => {
                                "nesting is too deep (recursion limit exceeded)".to_string()
                            }
                            info => info.to_string(),
                        },
                    }),
                );
            }
        };
        let result = match event {
            Event::StreamStart | Event::Nothing => Ok(None),
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                builder.anchors.clear();
                builder.alias_budget = MAX_ALIAS_NODES;
                Ok(None)
            }
            Event::DocumentEnd => {
                if let Some(node) = root.take() {
                    docs.push(Built {
                        value: node.value,
                        spans: node.span,
                        duplicate_keys: std::mem::take(&mut builder.duplicates),
                    });
                }
                Ok(None)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let span = builder.offsets.span(&span);
                // A mapping key is kept as its text only; its value is built when an alias
                // may still need it (an anchored key).
                let value = if builder.expects_key() && anchor == 0 {
                    Value::Null
                } else {
                    scalar_value(&text, style, tag.as_deref().map(|t| t.suffix.as_str()))
                };
                let node = Node {
                    value,
                    span: SpanNode::Scalar(span),
                    count: 1,
                };
                builder
                    .remember_anchor(anchor, &node, span.start as usize)
                    .and_then(|()| builder.complete(node, Some((text, style))))
            }
            Event::SequenceStart(anchor, _) => {
                let start = builder.offsets.span(&span).start as usize;
                builder.open(
                    Frame::Seq {
                        start,
                        anchor,
                        values: Vec::new(),
                        spans: Vec::new(),
                        nodes: 1,
                    },
                    start,
                )
            }
            Event::MappingStart(anchor, _) => {
                let start = builder.offsets.span(&span).start as usize;
                builder.open(
                    Frame::Map {
                        start,
                        anchor,
                        map: Map::new(),
                        entries: Vec::new(),
                        pending_key: None,
                        merges: Vec::new(),
                        nodes: 1,
                    },
                    start,
                )
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = builder.offsets.span(&span).end as usize;
                builder.close(end)
            }
            Event::Alias(id) => {
                let at = builder.offsets.span(&span).start as usize;
                builder.alias(id, at)
            }
        };
        match result {
            Ok(Some(node)) => root = Some(node),
            Ok(None) => {}
            Err(error) => return (docs, Some(error)),
        }
    }
    if let Some(node) = root.take() {
        docs.push(Built {
            value: node.value,
            spans: node.span,
            duplicate_keys: std::mem::take(&mut builder.duplicates),
        });
    }
    (docs, None)
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") => return Value::String(text.to_string()),
        Some("int" | "float" | "bool" | "null") => return resolve_plain(text),
        _ => {}
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::String(text.to_string()),
    }
}

impl Builder<'_> {
    /// Whether the next node completed is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }

    fn open(&mut self, frame: Frame, at: usize) -> Result<Option<Node>, BuildError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(BuildError {
                offset: at,
                message: format!("nesting is too deep (more than {MAX_DEPTH} levels)"),
            });
        }
        self.stack.push(frame);
        Ok(None)
    }

    /// Keeps a copy of an anchored node for its aliases. The copy is materialised, so it is
    /// charged to the budget as alias expansions are: nested anchors (`&a0 [&a1 [&a2 …]]`)
    /// would otherwise copy each level's whole subtree for free, quadratic in the input.
    fn remember_anchor(&mut self, anchor: usize, node: &Node, at: usize) -> Result<(), BuildError> {
        if anchor > 0 {
            if node.count > self.alias_budget {
                return Err(BuildError {
                    offset: at,
                    message: format!(
                        "aliases expand to more than {MAX_ALIAS_NODES} nodes in this document \
                         (an alias bomb?)"
                    ),
                });
            }
            self.alias_budget -= node.count;
            self.anchors
                .insert(anchor, (node.value.clone(), node.span.clone(), node.count));
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, at: usize) -> Result<Option<Node>, BuildError> {
        let Some((value, span, count)) = self.anchors.get(&id) else {
            return Err(BuildError {
                offset: at,
                message: "alias to an unknown anchor".to_string(),
            });
        };
        if *count > self.alias_budget {
            return Err(BuildError {
                offset: at,
                message: format!(
                    "aliases expand to more than {MAX_ALIAS_NODES} nodes in this document \
                     (an alias bomb?)"
                ),
            });
        }
        self.alias_budget -= count;
        let node = Node {
            value: value.clone(),
            span: span.clone(),
            count: *count,
        };
        self.complete(node, None)
    }

    fn close(&mut self, end: usize) -> Result<Option<Node>, BuildError> {
        let frame = self
            .stack
            .pop()
            .expect("saphyr balances start and end events");
        let (node, anchor) = match frame {
            Frame::Seq {
                start,
                anchor,
                mut values,
                mut spans,
                nodes,
            } => {
                // Kept for the whole run: no room left over from growing (up to half).
                values.shrink_to_fit();
                spans.shrink_to_fit();
                let end = spans
                    .last()
                    .map_or(end, |s| s.span().end as usize)
                    .max(start);
                (
                    Node {
                        value: Value::Array(values),
                        span: SpanNode::Seq(Span::new(start, end), spans),
                        count: nodes,
                    },
                    anchor,
                )
            }
            Frame::Map {
                start,
                anchor,
                mut map,
                mut entries,
                merges,
                nodes,
                ..
            } => {
                apply_merges(&mut map, &mut entries, merges, self.file_text);
                // Right-sized copies (serde_json's Map cannot shrink in place): growing
                // leaves up to half of each mapping's room unused, for the whole run.
                let map: Map<String, Value> = {
                    let mut exact = Map::with_capacity(map.len());
                    exact.extend(map);
                    exact
                };
                entries.shrink_to_fit();
                let end = entries
                    .iter()
                    .map(|e| e.value.span().end as usize)
                    .max()
                    .unwrap_or(end)
                    .max(start);
                (
                    Node {
                        value: Value::Object(map),
                        span: SpanNode::Map(Span::new(start, end), entries),
                        count: nodes,
                    },
                    anchor,
                )
            }
        };
        self.remember_anchor(anchor, &node, end)?;
        self.complete(node, None)
    }

    /// Hands a finished node to its parent; returns it when it is the document root.
    fn complete(
        &mut self,
        node: Node,
        scalar: Option<(Cow<'_, str>, ScalarStyle)>,
    ) -> Result<Option<Node>, BuildError> {
        let mut duplicate = None;
        let Some(parent) = self.stack.last_mut() else {
            return Ok(Some(node));
        };
        match parent {
            Frame::Seq {
                values,
                spans,
                nodes,
                ..
            } => {
                *nodes += node.count;
                values.push(node.value);
                spans.push(node.span);
            }
            Frame::Map {
                map,
                entries,
                pending_key,
                merges,
                nodes,
                ..
            } => match pending_key.take() {
                None => {
                    let Some((text, style)) = scalar else {
                        return Err(BuildError {
                            offset: node.span.span().start as usize,
                            message: "a mapping key must be a scalar".to_string(),
                        });
                    };
                    let span = node.span.span();
                    let source = &self.file_text[span.range()];
                    // The parser's own strings carry room to grow; the key is kept for the
                    // whole run.
                    let mut owned = text.into_owned();
                    owned.shrink_to_fit();
                    let key = PendingKey {
                        quoted_or_changed: source != owned,
                        is_merge: owned == "<<" && style == ScalarStyle::Plain,
                        text: owned,
                        span,
                    };
                    *pending_key = Some(key);
                }
                Some(key) => {
                    *nodes += node.count;
                    if key.is_merge {
                        merges.push((node.value, node.span));
                        return Ok(None);
                    }
                    let key_override = key
                        .quoted_or_changed
                        .then(|| key.text.clone().into_boxed_str());
                    // One hash per key: the map answers "seen before?" as it takes the
                    // value, and only a real duplicate pays for the scan to its first entry.
                    match map.entry(key.text) {
                        Entry::Vacant(slot) => {
                            slot.insert(node.value);
                        }
                        Entry::Occupied(mut slot) => {
                            let text = slot.key();
                            if let Some(previous) =
                                entries.iter().position(|e| e.key(self.file_text) == text)
                            {
                                duplicate = Some(DuplicateKey {
                                    pointer: escape(text).into_owned(),
                                    key: text.clone(),
                                    span: key.span,
                                    first_span: entries[previous].key_span,
                                });
                                entries.remove(previous);
                            }
                            slot.insert(node.value);
                        }
                    }
                    // The key's one copy is the map's (the entry reads the source).
                    entries.push(MapEntry {
                        key_span: key.span,
                        key_override,
                        value: node.span,
                    });
                }
            },
        }
        if let Some(mut duplicate) = duplicate {
            let parent = parent_pointer(&self.stack[..self.stack.len() - 1]);
            duplicate.pointer = format!("{parent}/{}", duplicate.pointer);
            self.duplicates.push(duplicate);
        }
        Ok(None)
    }
}

/// The JSON pointer of the node being built inside `frames` (outermost first).
fn parent_pointer(frames: &[Frame]) -> String {
    let mut pointer = String::new();
    for frame in frames {
        pointer.push('/');
        match frame {
            Frame::Seq { values, .. } => pointer.push_str(&values.len().to_string()),
            Frame::Map { pending_key, .. } => pointer.push_str(&escape(
                pending_key.as_ref().map_or("", |k| k.text.as_str()),
            )),
        }
    }
    pointer
}

/// `<<: *base` or `<<: [*a, *b]`: keys of the merged mappings that the mapping itself does
/// not set; with a list, earlier mappings win.
fn apply_merges(
    map: &mut Map<String, Value>,
    entries: &mut Vec<MapEntry>,
    merges: Vec<(Value, SpanNode)>,
    text: &str,
) {
    for (value, span) in merges {
        let sources: Vec<(Value, SpanNode)> = match (value, span) {
            (Value::Array(values), SpanNode::Seq(_, spans)) => {
                values.into_iter().zip(spans).collect()
            }
            other => vec![other],
        };
        for (value, span) in sources {
            let (Value::Object(source), SpanNode::Map(_, source_entries)) = (value, span) else {
                continue;
            };
            for (key, value) in source {
                if map.contains_key(&key) {
                    continue;
                }
                if let Some(entry) = source_entries.iter().rev().find(|e| e.key(text) == key) {
                    entries.push(entry.clone());
                }
                map.insert(key, value);
            }
        }
    }
}
