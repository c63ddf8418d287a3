//! Byte-minimal edits of manifests: a new value for a scalar replaces only that scalar's
//! bytes (its quoting style kept); a key that is missing is inserted as one new line at the
//! indentation of its siblings. Comments, order, quoting and everything else stay as they
//! were.

use serde_json::Value;

use crate::source::Span;
use crate::yaml::SpanNode;

/// One change: the value an object should have at a JSON pointer (relative to the object).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub object: usize,
    pub pointer: String,
    pub value: Value,
}

/// A replacement of `span` in a file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub span: Span,
    pub text: String,
}

/// `value` written in the style of `original` (the scalar's source text): quoted the same
/// way when it was quoted, and quoted when a plain scalar would change its meaning.
pub fn scalar_text(value: &Value, original: &str) -> String {
    let plain = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    };
    let quote = original.chars().next().filter(|c| *c == '"' || *c == '\'');
    match (quote, value) {
        (Some('\''), _) => format!("'{}'", plain.replace('\'', "''")),
        (Some(_), _) => serde_json::to_string(&plain).unwrap_or(plain),
        // A string that YAML would read as something else (a number, a boolean) is quoted.
        (None, Value::String(s)) if needs_quotes(s) => serde_json::to_string(s).unwrap_or(plain),
        (None, _) => plain,
    }
}

fn needs_quotes(text: &str) -> bool {
    text.is_empty()
        || text.parse::<f64>().is_ok()
        || matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
        )
        || text.starts_with(|c: char| "!&*{}[]|>'\"%@`#,?:-".contains(c))
        || text.contains(": ")
        || text.contains(" #")
}

/// The splice that makes `pointer` hold `value` in a document whose spans are `spans`.
/// `base` is the object's own pointer inside the document (`/items/3` in a List).
pub fn splice(
    text: &str,
    spans: &SpanNode,
    base: &str,
    pointer: &str,
    value: &Value,
) -> Result<Splice, String> {
    let full = format!("{base}{pointer}");
    let located = spans.locate(text, &full, false);
    if located.exact {
        let span = located.span;
        let original = &text[span.range()];
        if original.starts_with(['{', '['])
            || original.contains('\n') && !original.starts_with(['"', '\''])
        {
            return Err(format!(
                "{pointer}: not a scalar; zerodown edits only scalars"
            ));
        }
        return Ok(Splice {
            span,
            text: scalar_text(value, original),
        });
    }
    // Missing: insert `key: value` into the parent mapping, which must exist.
    let (parent, key) = full
        .rsplit_once('/')
        .ok_or_else(|| format!("{pointer}: nothing to edit"))?;
    let parent_node = node_at(spans, text, parent).ok_or_else(|| {
        format!("{pointer}: its parent does not exist; zerodown adds one key, not a whole block")
    })?;
    let SpanNode::Map(map_span, entries) = parent_node else {
        return Err(format!("{pointer}: the parent is not a mapping"));
    };
    if text[map_span.range()].starts_with('{') {
        return Err(format!(
            "{pointer}: the parent is a flow mapping (`{{…}}`); edit it by hand"
        ));
    }
    let Some(first) = entries.first() else {
        return Err(format!("{pointer}: the parent mapping is empty"));
    };
    let line_start = text[..first.key_span.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let column = first.key_span.start as usize - line_start;
    // After the last entry's value (a nested block ends at its last line).
    let end = entries
        .iter()
        .map(|e| e.value.span().end.max(e.key_span.end))
        .max()
        .unwrap_or(map_span.end) as usize;
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let key = crate::pointer::unescape(key);
    Ok(Splice {
        span: Span::new(line_end, line_end),
        text: format!("\n{}{key}: {}", " ".repeat(column), scalar_text(value, "")),
    })
}

/// The node at an exact pointer, if it exists.
fn node_at<'a>(spans: &'a SpanNode, text: &str, pointer: &str) -> Option<&'a SpanNode> {
    let mut node = spans;
    for raw in pointer.split('/').skip(1) {
        let segment = crate::pointer::unescape(raw);
        node = match node {
            SpanNode::Map(_, entries) => {
                &entries.iter().rev().find(|e| e.key(text) == segment)?.value
            }
            SpanNode::Seq(_, items) => items.get(segment.parse::<usize>().ok()?)?,
            SpanNode::Scalar(_) => return None,
        };
    }
    Some(node)
}

/// Applies splices (any order) to a text.
pub fn apply(text: &str, splices: &[Splice]) -> Result<String, String> {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.span.start, s.span.end));
    for pair in sorted.windows(2) {
        if pair[1].span.start < pair[0].span.end {
            return Err("two edits overlap".to_string());
        }
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for splice in sorted {
        out.push_str(&text[at..splice.span.start as usize]);
        out.push_str(&splice.text);
        at = splice.span.end as usize;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The JSON merge patch (RFC 7386) that makes `current` hold the changes; arrays are
/// replaced whole, as merge patches do.
pub fn merge_patch(current: &Value, changes: &[(&str, &Value)]) -> Value {
    let mut target = current.clone();
    for (pointer, value) in changes {
        set(&mut target, pointer, (*value).clone());
    }
    merge_patch_between(current, &target)
}

/// The JSON merge patch that turns `from` into `to` (`{}` when they are equal).
pub fn merge_patch_between(from: &Value, to: &Value) -> Value {
    diff(from, to).unwrap_or(Value::Object(Default::default()))
}

fn set(target: &mut Value, pointer: &str, value: Value) {
    let mut node = target;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| crate::pointer::unescape(s).into_owned())
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match node {
            Value::Object(map) => {
                if last {
                    map.insert(segment.clone(), value);
                    return;
                }
                map.entry(segment.clone())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            Value::Array(items) => {
                let Some(item) = segment.parse::<usize>().ok().and_then(|i| items.get_mut(i))
                else {
                    return;
                };
                if last {
                    *item = value;
                    return;
                }
                item
            }
            _ => return,
        };
    }
}

/// The merge patch from `from` to `to` (None when equal).
fn diff(from: &Value, to: &Value) -> Option<Value> {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut patch = serde_json::Map::new();
            for (key, new) in b {
                match a.get(key) {
                    Some(old) => {
                        if let Some(d) = diff(old, new) {
                            patch.insert(key.clone(), d);
                        }
                    }
                    None => {
                        patch.insert(key.clone(), new.clone());
                    }
                }
            }
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            (!patch.is_empty()).then_some(Value::Object(patch))
        }
        (a, b) if a == b => None,
        (_, b) => Some(b.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(text: &str, pointer: &str, value: Value) -> String {
        let (documents, errors) = crate::yaml::load(text);
        assert!(errors.is_empty());
        let splice = splice(text, &documents[0].spans, "", pointer, &value).unwrap();
        apply(text, &[splice]).unwrap()
    }

    #[test]
    fn scalars_keep_their_style_and_everything_else_stays() {
        let text = "a:\n  b: 10 # weight\n  c: \"x\"\n  d: 'y'\n";
        assert_eq!(
            edit(text, "/a/b", json!(50)),
            "a:\n  b: 50 # weight\n  c: \"x\"\n  d: 'y'\n"
        );
        assert_eq!(
            edit(text, "/a/c", json!("z")),
            "a:\n  b: 10 # weight\n  c: \"z\"\n  d: 'y'\n"
        );
        assert_eq!(
            edit(text, "/a/d", json!("it's")),
            "a:\n  b: 10 # weight\n  c: \"x\"\n  d: 'it''s'\n"
        );
    }

    #[test]
    fn a_missing_key_is_one_new_line_at_its_siblings_indentation() {
        let text = "refs:\n- name: a\n  port: 80\n- name: b\n  port: 80\nnext: 1\n";
        assert_eq!(
            edit(text, "/refs/1/weight", json!(20)),
            "refs:\n- name: a\n  port: 80\n- name: b\n  port: 80\n  weight: 20\nnext: 1\n"
        );
        let annotations = "metadata:\n  annotations:\n    a: \"1\"\n  name: x\n";
        assert_eq!(
            edit(
                annotations,
                "/metadata/annotations/nginx.ingress.kubernetes.io~1canary-weight",
                json!("10")
            ),
            "metadata:\n  annotations:\n    a: \"1\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n  name: x\n"
        );
    }

    #[test]
    fn merge_patches_replace_arrays_whole() {
        let current =
            json!({"spec": {"refs": [{"name": "a", "weight": 90}, {"name": "b", "weight": 10}]}});
        let patch = merge_patch(
            &current,
            &[
                ("/spec/refs/1/weight", &json!(50)),
                ("/spec/refs/0/weight", &json!(50)),
            ],
        );
        assert_eq!(
            patch,
            json!({"spec": {"refs": [{"name": "a", "weight": 50}, {"name": "b", "weight": 50}]}})
        );
    }
}
