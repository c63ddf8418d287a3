//! JSON pointers (RFC 6901): escaping a segment, and resolving a pointer in a
//! `serde_json::Value`.
//!
//! `Value::pointer` allocates two strings per segment (it unescapes `~1` and `~0` whether or
//! not the segment holds a `~`). Rules resolve pointers on every object of a run, so that
//! was a tenth of linting one small file; `ValuePointer::at` allocates only for a segment that
//! holds `~`. `clippy.toml` disallows `Value::pointer` so the two do not drift apart.

use std::borrow::Cow;

use serde_json::Value;

/// Resolves a JSON pointer, as `Value::pointer` does, without allocating.
pub trait ValuePointer {
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl ValuePointer for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |node, raw| match node {
            Value::Object(map) => field(map, unescape(raw).as_ref()),
            Value::Array(items) => array_index(raw).and_then(|i| items.get(i)),
            _ => None,
        })
    }
}

/// Mappings up to this size are searched key by key: comparing a few short keys is cheaper
/// than hashing one with the map's SipHash, and nearly every mapping of a manifest is this
/// small (measured: lookups were a twentieth of a large run, mostly hashing).
const SCAN_LIMIT: usize = 8;

/// `map.get(key)`, by scanning when the map is small.
pub fn field<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        map.get(key)
    }
}

/// An array index as RFC 6901 spells it: decimal digits, no sign, no leading zero.
fn array_index(segment: &str) -> Option<usize> {
    let digits = segment.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = segment.len() > 1 && segment.starts_with('0');
    if segment.is_empty() || !digits || leading_zero {
        return None;
    }
    segment.parse().ok()
}

/// Unescapes one pointer segment (`~1` is `/`, `~0` is `~`).
pub fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// Escapes one pointer segment.
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1").into()
    } else {
        segment.into()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every pointer resolves as serde_json's own `Value::pointer` resolves it.
    #[test]
    fn agrees_with_serde_json() {
        let value = json!({
            "spec": {"ports": [{"port": 80}, {"port": 443}]},
            "a/b": {"m~n": 1},
            "": {"": 2},
            "0": "zero",
            "wide": {"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7,
                     "k8": 8, "k9": 9, "a/b": 10},
        });
        for pointer in [
            "",
            "/",
            "/spec",
            "/spec/ports",
            "/spec/ports/0/port",
            "/spec/ports/1/port",
            "/spec/ports/2",
            "/spec/ports/01",
            "/spec/ports/+1",
            "/spec/ports/-1",
            "/spec/ports/",
            "/a~1b",
            "/a~1b/m~0n",
            "/a/b",
            "//",
            "/0",
            "spec",
            "/spec/ports/0/port/x",
            "/missing/deeper",
            "/wide/k0",
            "/wide/k9",
            "/wide/a~1b",
            "/wide/k10",
        ] {
            #[allow(clippy::disallowed_methods)]
            let expected = value.pointer(pointer);
            assert_eq!(value.at(pointer), expected, "pointer {pointer:?}");
        }
    }

    /// Small mappings are scanned and large ones hashed: both find what `get` finds.
    #[test]
    fn field_agrees_with_get_either_side_of_the_scan_limit() {
        for size in [0, 1, SCAN_LIMIT, SCAN_LIMIT + 1, 40] {
            let map: serde_json::Map<String, Value> =
                (0..size).map(|i| (format!("key{i}"), json!(i))).collect();
            for key in (0..size + 2).map(|i| format!("key{i}")).chain(["".into()]) {
                assert_eq!(field(&map, &key), map.get(&key), "size {size}, key {key}");
            }
        }
    }

    #[test]
    fn escape_round_trips() {
        for segment in ["plain", "a/b", "m~n", "~1", "/~"] {
            assert_eq!(unescape(&escape(segment)), segment);
        }
    }
}
