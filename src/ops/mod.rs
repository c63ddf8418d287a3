//! Traffic moves as edits of the manifests in git: which scalars a move changes (`traffic`),
//! how they are changed byte-minimally (`edit`), and the guard every edit passes before it is
//! written (`write_checked`): re-linted, refused if it adds an error, shown as a diff, then
//! written atomically.

pub mod edit;
pub mod live;
pub mod release;
pub mod traffic;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::lint::Diagnostic;
use crate::severity::Severity;
use crate::workspace::Workspace;
use edit::{Change, Splice, apply, splice};

/// What a move will write: each changed file's name, old and new text.
pub struct Edited {
    pub files: Vec<(usize, String, String)>,
}

/// Turns changes into new file texts.
pub fn edit(workspace: &Workspace, changes: &[Change]) -> Result<Edited, String> {
    let mut per_file: BTreeMap<usize, Vec<Splice>> = BTreeMap::new();
    // A workspace keeps only a compact index of locations; an edit needs the whole node
    // tree (entries, indentation), so each edited file is parsed again, once. Documents are
    // numbered alike: both drop the same empty documents.
    let mut trees: BTreeMap<usize, Vec<crate::yaml::Document>> = BTreeMap::new();
    for change in changes {
        let object = &workspace.objects[change.object];
        let file = &workspace.files[object.file];
        let documents = trees
            .entry(object.file)
            .or_insert_with(|| crate::yaml::load(&file.source.text).0);
        let document = documents.get(object.doc).ok_or_else(|| {
            format!(
                "{}: {}/{}: its document was not found when the file was parsed again",
                file.source.name, object.kind, object.name
            )
        })?;
        let splice = splice(
            &file.source.text,
            &document.spans,
            &object.base,
            &change.pointer,
            &change.value,
        )
        .map_err(|e| format!("{}: {}/{}: {e}", file.source.name, object.kind, object.name))?;
        per_file.entry(object.file).or_default().push(splice);
    }
    let mut files = Vec::new();
    for (index, splices) in per_file {
        let old = &workspace.files[index].source.text;
        let new = apply(old, &splices)
            .map_err(|e| format!("{}: {e}", workspace.files[index].source.name))?;
        if &new != old {
            files.push((index, old.clone(), new));
        }
    }
    Ok(Edited { files })
}

/// Error findings, counted by rule and object, for comparing before and after an edit.
fn errors(workspace: &Workspace, diagnostics: &[Diagnostic]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        let object = d
            .object
            .map(|i| {
                format!(
                    "{}/{}",
                    workspace.objects[i].kind, workspace.objects[i].name
                )
            })
            .unwrap_or_default();
        *counts
            .entry(format!("{} {object}: {}", d.rule, d.message))
            .or_insert(0) += 1;
    }
    counts
}

/// The error findings the edited texts have and the originals did not.
pub fn new_errors(workspace: &Workspace, edited: &Edited, config: &Config) -> Vec<String> {
    let before = errors(workspace, &crate::lint::lint(workspace, config));
    let sources: Vec<crate::source::SourceFile> = workspace
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let text = edited
                .files
                .iter()
                .find(|(index, ..)| *index == i)
                .map_or_else(|| f.source.text.clone(), |(_, _, new)| new.clone());
            crate::source::SourceFile::new(f.source.name.clone(), text)
        })
        .collect();
    let (after_workspace, after) = crate::lint_sources(sources, config);
    errors(&after_workspace, &after)
        .into_iter()
        .filter(|(key, count)| before.get(key).is_none_or(|b| b < count))
        .map(|(key, _)| key)
        .collect()
}

/// A unified diff of one file's edit.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
