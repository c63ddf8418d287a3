//! A `serde::Deserializer` over `&serde_json::Value` that remembers where it is, so that a
//! type error names its JSON pointer, and that records every key a k8s-openapi type ignores
//! (an unknown field) together with the field names that type does accept.
//!
//! k8s-openapi types read unknown keys with `IgnoredAny`; this deserializer notices that call
//! instead of silently skipping, which is how `unknown-field` sees `readinesProbe:`.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value;

use crate::yaml::escape;

/// A key that the target type does not have.
#[derive(Debug, Clone)]
pub struct UnknownField {
    pub pointer: String,
    pub key: String,
    /// The Kubernetes type that lacks the key, e.g. `Container`.
    pub type_name: &'static str,
    pub expected: &'static [&'static str],
}

#[derive(Debug, Clone)]
pub struct DeError {
    pub pointer: Option<String>,
    pub message: String,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError {
            pointer: None,
            message: message.to_string(),
        }
    }
}

impl DeError {
    fn at(mut self, path: &Path<'_>) -> Self {
        if self.pointer.is_none() {
            self.pointer = Some(path.pointer());
        }
        self
    }
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// The path from the root to the node being read, as a linked list on the stack.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Option<Segment<'a>>,
}

impl Path<'_> {
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: None,
    };

    fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut node = Some(self);
        while let Some(path) = node {
            if let Some(segment) = path.segment {
                segments.push(segment);
            }
            node = path.parent;
        }
        let mut pointer = String::new();
        for segment in segments.iter().rev() {
            pointer.push('/');
            match segment {
                Segment::Key(key) => pointer.push_str(&escape(key)),
                Segment::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        pointer
    }
}

/// Deserializes `T` from `value`, whose location is `base` (a JSON pointer prefix).
/// Returns the value or the first type error, and every unknown field.
pub fn from_value<T: de::DeserializeOwned>(
    value: &Value,
    base: &str,
) -> (Result<T, DeError>, Vec<UnknownField>) {
    let sink = RefCell::new(Vec::new());
    let result = T::deserialize(ValueDeserializer {
        value,
        path: &Path::ROOT,
        sink: &sink,
        ignored_key: None,
    });
    let prefix = |pointer: String| format!("{base}{pointer}");
    let result = result.map_err(|mut e| {
        e.pointer = Some(prefix(e.pointer.take().unwrap_or_default()));
        e
    });
    let mut unknown = sink.into_inner();
    for field in &mut unknown {
        field.pointer = prefix(std::mem::take(&mut field.pointer));
    }
    (result, unknown)
}

type StructFields = (&'static str, &'static [&'static str]);

struct ValueDeserializer<'v, 'p> {
    value: &'v Value,
    path: &'p Path<'p>,
    sink: &'p RefCell<Vec<UnknownField>>,
    /// Set when this value sits under a key of a struct: its name and the fields it accepts.
    ignored_key: Option<StructFields>,
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => de::Unexpected::Unsigned(u),
            (_, Some(i), _) => de::Unexpected::Signed(i),
            (_, _, Some(f)) => de::Unexpected::Float(f),
            _ => de::Unexpected::Other("number"),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

impl<'de, 'p> de::Deserializer<'de> for ValueDeserializer<'de, 'p> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(SeqAccess {
                items: items.iter().enumerate(),
                path,
                sink: self.sink,
            }),
            Value::Object(map) => visitor.visit_map(MapAccess {
                entries: map.iter(),
                current: None,
                path,
                sink: self.sink,
                fields: None,
            }),
        };
        result.map_err(|e| e.at(path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.value {
            Value::Object(map) => visitor.visit_map(MapAccess {
                entries: map.iter(),
                current: None,
                path,
                sink: self.sink,
                fields: Some((name, fields)),
            }),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        };
        result.map_err(|e| e.at(path))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        };
        result.map_err(|e: DeError| e.at(path))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let (Some((type_name, expected)), Some(Segment::Key(key))) =
            (self.ignored_key, self.path.segment)
        {
            self.sink.borrow_mut().push(UnknownField {
                pointer: self.path.pointer(),
                key: key.to_string(),
                type_name,
                expected,
            });
        }
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

struct SeqAccess<'v, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'v, Value>>,
    path: &'p Path<'p>,
    sink: &'p RefCell<Vec<UnknownField>>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((index, value)) = self.items.next() else {
            return Ok(None);
        };
        let path = Path {
            parent: Some(self.path),
            segment: Some(Segment::Index(index)),
        };
        seed.deserialize(ValueDeserializer {
            value,
            path: &path,
            sink: self.sink,
            ignored_key: None,
        })
        .map(Some)
        .map_err(|e| e.at(&path))
    }
}

struct MapAccess<'v, 'p> {
    entries: serde_json::map::Iter<'v>,
    current: Option<(&'v String, &'v Value)>,
    path: &'p Path<'p>,
    sink: &'p RefCell<Vec<UnknownField>>,
    fields: Option<StructFields>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some((key, value));
        let key_de: de::value::BorrowedStrDeserializer<'de, DeError> =
            de::value::BorrowedStrDeserializer::new(key);
        seed.deserialize(key_de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, value) = self
            .current
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("value requested before its key"))?;
        let path = Path {
            parent: Some(self.path),
            segment: Some(Segment::Key(key)),
        };
        seed.deserialize(ValueDeserializer {
            value,
            path: &path,
            sink: self.sink,
            ignored_key: self.fields,
        })
        .map_err(|e| e.at(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_reported_with_the_accepted_names() {
        let value = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": "a:1", "readinesProbe": {}}
            ]}}}
        });
        let (result, unknown) = from_value::<Deployment>(&value, "");
        assert!(result.is_ok());
        assert_eq!(unknown.len(), 1);
        assert_eq!(
            unknown[0].pointer,
            "/spec/template/spec/containers/0/readinesProbe"
        );
        assert!(unknown[0].expected.contains(&"readinessProbe"));
    }

    #[test]
    fn type_errors_name_their_pointer() {
        let value = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicas": "lots"}
        });
        let (result, _) = from_value::<Deployment>(&value, "/items/2");
        let error = result.unwrap_err();
        assert_eq!(error.pointer.as_deref(), Some("/items/2/spec/replicas"));
        assert!(error.message.contains("lots"), "{}", error.message);
    }

    #[test]
    fn quantities_accept_numbers() {
        let value = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
            "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": 1}}}]}});
        let (result, unknown) = from_value::<k8s_openapi::api::core::v1::Pod>(&value, "");
        assert!(result.is_ok(), "{result:?}");
        assert!(unknown.is_empty());
    }
}
