//! Everything one run reads: the files, their documents' span trees, and the objects in them.

use serde_json::Value;

use crate::input::{self, Input, InputError};
use crate::k8s::Object;
use crate::source::SourceFile;
use crate::yaml::{self, SpanTree};

pub struct LoadedFile {
    pub source: SourceFile,
    pub documents: Vec<DocumentInfo>,
}

/// What is kept of a document once its value has been moved into objects.
pub struct DocumentInfo {
    pub spans: SpanTree,
    pub helm_source: Option<String>,
}

#[derive(Default)]
pub struct Workspace {
    pub files: Vec<LoadedFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    /// Documents that are not Kubernetes objects (no `apiVersion` and `kind`): Helm values,
    /// other YAML. Counted, never reported.
    pub skipped_documents: usize,
}

/// How much of each object's value tree a reader keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// All of it: edits, the simulator and the release checks read pod specs from the raw
    /// value.
    Everything,
    /// What the rules read: the pod spec of a typed workload is emptied in the value (the
    /// rules read it from the typed view, and findings are located in the span tree, which
    /// keeps every node). Pod specs are most of a real workload's bytes: a 50 MB stream's
    /// peak memory falls by about an eighth.
    ForRules,
}

/// A file parsed into objects, not yet numbered into a workspace (so files can be parsed
/// on several threads).
pub struct ParsedFile {
    file: LoadedFile,
    objects: Vec<Object>,
    errors: Vec<InputError>,
    skipped_documents: usize,
}

/// `apiVersion` and `kind`, when the document is a Kubernetes object.
fn object_identity(value: &Value) -> Option<(&str, &str)> {
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    (!api_version.is_empty() && !kind.is_empty()).then_some((api_version, kind))
}

/// What makes a document that names an `apiVersion` and a `kind` unreadable as an object:
/// a kind (or apiVersion) that is not a string, or a List whose `items` is not a list.
/// Other YAML (values files, configs) names neither and is skipped, not judged.
fn malformed_identity(value: &Value) -> Option<crate::k8s::Invalid> {
    let (api_version, kind) = (value.get("apiVersion")?, value.get("kind")?);
    let problem = |pointer: &str, message: &str| {
        Some(crate::k8s::Invalid {
            pointer: pointer.to_string(),
            message: message.to_string(),
        })
    };
    match (api_version, kind) {
        (Value::String(_), Value::String(kind)) => {
            let items = value.get("items");
            if kind.ends_with("List") && items.is_some_and(|i| !i.is_array() && !i.is_null()) {
                problem(
                    "/items",
                    "`items` of a List must be a list of objects: kubectl rejects the document",
                )
            } else {
                None
            }
        }
        (Value::String(_), _) => problem(
            "/kind",
            "`kind` must be a string naming the object's kind: kubectl rejects the document",
        ),
        (_, Value::String(_)) => problem(
            "/apiVersion",
            "`apiVersion` must be a string (`v1`, `apps/v1`): kubectl rejects the document",
        ),
        _ => None,
    }
}

/// A `kind: List` (or `FooList`) with an `items` array, as `kubectl get -o yaml` writes.
fn is_list(kind: &str, value: &Value) -> bool {
    kind.ends_with("List") && value.get("items").is_some_and(Value::is_array)
}

pub fn parse_file(source: SourceFile, keep: Keep) -> ParsedFile {
    // Each document is typed into objects (k8s-openapi deserialization, load-time checks)
    // as soon as it is parsed, on the thread that parsed it; numbered afterwards.
    let (per_chunk, yaml_errors) = yaml::load_with(&source.text, |documents| {
        let mut read: Vec<ReadDocument> = documents
            .into_iter()
            .map(|d| read_document(d, keep))
            .collect();
        // Collecting in place keeps the parser's buffer, sized for four documents; every
        // chunk's list lives until the whole file is parsed, so it is cut to its length.
        read.shrink_to_fit();
        read
    });
    let mut errors: Vec<InputError> = yaml_errors
        .iter()
        .map(|e| InputError::at(&source, e.offset, &explain_yaml_error(&source, e)))
        .collect();
    let documents = per_chunk.iter().map(Vec::len).sum();
    let object_count = per_chunk.iter().flatten().map(|r| r.objects.len()).sum();
    let mut objects = Vec::with_capacity(object_count);
    let mut skipped_documents = 0;
    let mut infos = Vec::with_capacity(documents);
    for read in per_chunk.into_iter().flatten() {
        let doc_index = infos.len();
        objects.extend(read.objects.into_iter().map(|mut object| {
            object.doc = doc_index;
            object
        }));
        skipped_documents += read.skipped;
        infos.push(read.info);
    }
    errors.sort_by_key(|e| (e.line, e.column));
    ParsedFile {
        file: LoadedFile {
            source,
            documents: infos,
        },
        objects,
        errors,
        skipped_documents,
    }
}

/// What one document holds: its objects (none, one, or a List's items) and what is kept of
/// the document itself. The objects' `doc` is set by the caller, which numbers documents.
struct ReadDocument {
    objects: Vec<Object>,
    skipped: usize,
    info: DocumentInfo,
}

fn read_document(document: yaml::Document, keep: Keep) -> ReadDocument {
    let doc_index = 0;
    let info = DocumentInfo {
        spans: SpanTree::new(&document.spans),
        helm_source: document.helm_source,
    };
    let mut value = document.value;
    // Every document's list lives until its whole file is read: sized exactly (a list
    // grown by one push holds room for four objects).
    let mut objects = Vec::new();
    let mut skipped = 0;
    if let Some(problem) = malformed_identity(&value) {
        let mut object = Object::new(0, doc_index, String::new(), value);
        object.invalid.push(problem);
        return ReadDocument {
            objects: vec![object],
            skipped,
            info,
        };
    }
    match object_identity(&value) {
        None => skipped += 1,
        Some((_, kind)) if is_list(kind, &value) => {
            let items = match value.get_mut("items").map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            objects.reserve_exact(items.len());
            for (i, item) in items.into_iter().enumerate() {
                if object_identity(&item).is_none() {
                    skipped += 1;
                    continue;
                }
                objects.push(Object::new(0, doc_index, format!("/items/{i}"), item));
            }
        }
        Some(_) => objects = vec![Object::new(0, doc_index, String::new(), value)],
    }
    for object in &mut objects {
        object.drop_payload();
        if keep == Keep::ForRules {
            object.leave_pod_spec_to_view();
        }
    }
    for duplicate in document.duplicate_keys {
        let owner = objects
            .iter_mut()
            .rev()
            .find(|o| duplicate.pointer.starts_with(&format!("{}/", o.base)));
        // A duplicate outside any object (in a values file) is not ours to report.
        if let Some(object) = owner {
            object.duplicate_keys.push(duplicate);
        }
    }
    ReadDocument {
        objects,
        skipped,
        info,
    }
}

/// Adds a hint when a YAML error is really an unrendered template.
fn explain_yaml_error(source: &SourceFile, error: &yaml::YamlError) -> String {
    let line = source
        .line_text(source.position(error.offset).line)
        .unwrap_or("");
    if line.contains("{{") {
        format!(
            "invalid YAML: {} (this looks like an unrendered template: lint the output of \
             `helm template` or `kubectl kustomize`)",
            error.message
        )
    } else {
        format!("invalid YAML: {}", error.message)
    }
}

impl Workspace {
    pub fn add(&mut self, parsed: ParsedFile) {
        let file_index = self.files.len();
        let first = self.objects.len();
        if first == 0 && self.objects.capacity() < parsed.objects.len() {
            // The first file's list becomes the workspace's: one stream's objects are
            // neither copied nor held twice.
            self.objects = parsed.objects;
        } else {
            self.objects.extend(parsed.objects);
        }
        for (offset, object) in self.objects[first..].iter_mut().enumerate() {
            object.file = file_index;
            object.index = first + offset;
        }
        self.errors.extend(parsed.errors);
        self.skipped_documents += parsed.skipped_documents;
        self.files.push(parsed.file);
    }

    pub fn add_error(&mut self, error: InputError) {
        self.errors.push(error);
    }
}

impl crate::output::Inputs for Workspace {
    fn file(&self, index: usize) -> &SourceFile {
        &self.files[index].source
    }

    fn object(&self, index: usize) -> Option<&Object> {
        self.objects.get(index)
    }

    fn errors(&self) -> &[InputError] {
        &self.errors
    }

    fn subjects(&self) -> Vec<crate::output::Subject> {
        self.objects
            .iter()
            .map(|o| crate::output::Subject {
                name: match &o.namespace {
                    Some(ns) => format!("{}/{ns}/{}", o.kind, o.name),
                    None => format!("{}/{}", o.kind, o.name),
                },
                file: o.file,
                object: Some(o.index),
            })
            .collect()
    }
}

/// Reads every manifest under `paths` (files, folders, `-`) into a workspace; read and parse
/// errors are kept in it.
pub fn read(paths: &[std::path::PathBuf], config: &crate::config::Config, keep: Keep) -> Workspace {
    let (inputs, collect_errors) =
        input::collect(paths, &input::is_yaml, &|path| config.is_excluded(path));
    let mut workspace = Workspace::default();
    for error in collect_errors {
        workspace.add_error(error);
    }
    let parsed_inputs = parse_inputs(&inputs, keep);
    // Sized once, after the first file's list is taken over: growing by doubling held up
    // to twice the objects' size at the peak.
    let mut remaining: usize = parsed_inputs
        .iter()
        .map(|parsed| parsed.as_ref().map_or(0, |p| p.objects.len()))
        .sum();
    for parsed in parsed_inputs {
        match parsed {
            Ok(parsed) => {
                remaining -= parsed.objects.len();
                workspace.add(parsed);
                workspace.objects.reserve_exact(remaining);
            }
            Err(error) => workspace.add_error(error),
        }
    }
    workspace
}

/// Reads and parses every input, on as many threads as there are cores, keeping input order.
fn parse_inputs(inputs: &[Input], keep: Keep) -> Vec<Result<ParsedFile, InputError>> {
    crate::parallel::map_ref(inputs, true, |input| {
        input::read(input).map(|source| parse_file(source, keep))
    })
}
