//! `promote` and `rollback` as edits of the manifests: a canary's image becomes the stable
//! one's and the weight returns to 0; a blue-green standby becomes live; a plain workload's
//! images go back to what they were before the last commit that changed them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::edit::Change;
use super::traffic::{self, Move};
use crate::k8s::Object;
use crate::pointer::ValuePointer;
use crate::workspace::Workspace;

const WORKLOAD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "Rollout"];
const TRACK_KEYS: &[&str] = &["zerodown.dev/track", "track"];

fn containers(object: &Object) -> Vec<(usize, String, String)> {
    object
        .value
        .at("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    Some((
                        i,
                        c.get("name")?.as_str()?.to_string(),
                        c.get("image")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The change that gives container `index` of a workload's pod template `image`.
fn image_change(object: &Object, index: usize, image: &str) -> Change {
    Change {
        object: object.index,
        pointer: format!("/spec/template/spec/containers/{index}/image"),
        value: json!(image),
    }
}

fn track(object: &Object) -> Option<&str> {
    TRACK_KEYS
        .iter()
        .find_map(|k| {
            object
                .value
                .at(&format!("/metadata/labels/{}", crate::yaml::escape(k)))
        })
        .and_then(Value::as_str)
}

/// (stable, canary) workload pairs: `NAME` and `NAME-canary`, or a `track: stable` and a
/// `track: canary` workload of one app in one namespace.
fn canary_pairs<'a>(workspace: &'a Workspace, default_ns: &str) -> Vec<(&'a Object, &'a Object)> {
    let workloads: Vec<&Object> = workspace
        .objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o.kind.as_str()))
        .collect();
    let mut pairs = Vec::new();
    for canary in &workloads {
        let ns = canary.namespace_or(default_ns);
        let stable = canary
            .name
            .strip_suffix("-canary")
            .and_then(|stem| {
                workloads.iter().find(|o| {
                    o.name == stem && o.namespace_or(default_ns) == ns && o.kind == canary.kind
                })
            })
            .or_else(|| {
                (track(canary) == Some("canary"))
                    .then_some(())
                    .and_then(|()| {
                        workloads.iter().find(|o| {
                            track(o) == Some("stable")
                                && o.namespace_or(default_ns) == ns
                                && o.kind == canary.kind
                                && o.value.at("/metadata/labels/app.kubernetes.io~1name")
                                    == canary.value.at("/metadata/labels/app.kubernetes.io~1name")
                        })
                    })
            });
        if let Some(stable) = stable {
            pairs.push((*stable, *canary));
        }
    }
    pairs
}

/// Promotes: every canary's images to its stable workload and the weight back to 0; without
/// a canary, the blue-green standby becomes live.
pub fn promote(workspace: &Workspace, default_ns: &str) -> Result<Move, String> {
    let pairs = canary_pairs(workspace, default_ns);
    if pairs.is_empty() {
        return traffic::switch(workspace, None, false, default_ns).map_err(|e| {
            format!("no canary (a `NAME-canary` or `track: canary` workload) and no blue-green pair: {e}")
        });
    }
    let mut result = Move::default();
    for (stable, canary) in &pairs {
        let canary_images: BTreeMap<String, String> = containers(canary)
            .into_iter()
            .map(|(_, name, image)| (name, image))
            .collect();
        for (index, name, image) in containers(stable) {
            let Some(new) = canary_images.get(&name) else {
                continue;
            };
            if *new != image {
                if !result.rollouts.contains(&stable.index) {
                    result.rollouts.push(stable.index);
                }
                result.changes.push(image_change(stable, index, new));
                result.summary.push(format!(
                    "{}/{} container {name}: {image} → {new}",
                    stable.kind, stable.name
                ));
            }
        }
    }
    if result.changes.is_empty() {
        return Err(
            "every stable workload already runs its canary's images: nothing to promote"
                .to_string(),
        );
    }
    // The weight returns to 0 once the stable runs the new version.
    if let Ok(weight) = traffic::set_weight(workspace, 0, default_ns) {
        result.changes.extend(weight.changes);
        result.summary.extend(weight.summary);
    }
    Ok(result)
}

/// Rolls back: a canary's weight to 0, a blue-green switch back, or (for plain workloads in a
/// git work tree) the images before the last commit that changed them.
pub fn rollback(workspace: &Workspace, default_ns: &str) -> Result<Move, String> {
    rollback_traffic(workspace, default_ns).or_else(|_| images_from_history(workspace))
}

/// The traffic part of a rollback: a canary's weight to 0, or a blue-green switch back.
pub fn rollback_traffic(workspace: &Workspace, default_ns: &str) -> Result<Move, String> {
    if !canary_pairs(workspace, default_ns).is_empty() {
        return traffic::set_weight(workspace, 0, default_ns);
    }
    traffic::switch(workspace, None, true, default_ns)
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// Every workload container's image in a manifest text: (kind, namespace, name, container) →
/// image.
fn images_of(text: &str) -> BTreeMap<(String, String, String, String), String> {
    let source = crate::source::SourceFile::new("history", text.to_string());
    // `containers` reads the pod specs from the raw value: keep them.
    let (workspace, _) = crate::lint_sources_keeping(
        vec![source],
        &crate::config::Config::default(),
        crate::workspace::Keep::Everything,
    );
    let mut images = BTreeMap::new();
    for object in workspace
        .objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o.kind.as_str()))
    {
        for (_, container, image) in containers(object) {
            images.insert(
                (
                    object.kind.clone(),
                    object.namespace.clone().unwrap_or_default(),
                    object.name.clone(),
                    container,
                ),
                image,
            );
        }
    }
    images
}

/// For each file: the newest commit that changed an image in it; its images before that
/// commit are the ones to go back to. The rollback is then a commit of its own.
fn images_from_history(workspace: &Workspace) -> Result<Move, String> {
    let mut result = Move::default();
    let mut checked = 0;
    for (file_index, file) in workspace.files.iter().enumerate() {
        let path = Path::new(&file.source.name);
        let objects: Vec<&Object> = workspace
            .objects
            .iter()
            .filter(|o| o.file == file_index && WORKLOAD_KINDS.contains(&o.kind.as_str()))
            .collect();
        if objects.is_empty() {
            continue;
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Ok(head) = git(dir, &["show", &format!("HEAD:./{name}")]) else {
            continue;
        };
        checked += 1;
        let current = images_of(&file.source.text);
        if images_of(&head) != current {
            return Err(format!(
                "{}: its images differ from the last commit: commit or discard that change first",
                file.source.name
            ));
        }
        let log = git(dir, &["log", "--format=%H", "--", name])?;
        let mut previous = None;
        for commit in log.lines() {
            let Ok(before) = git(dir, &["show", &format!("{commit}^:./{name}")]) else {
                break; // The file was added in this commit: there is nothing before it.
            };
            let before_images = images_of(&before);
            if before_images != current {
                previous = Some((commit.to_string(), before_images));
                break;
            }
        }
        let Some((commit, before)) = previous else {
            continue;
        };
        for object in &objects {
            for (index, container, image) in containers(object) {
                let key = (
                    object.kind.clone(),
                    object.namespace.clone().unwrap_or_default(),
                    object.name.clone(),
                    container.clone(),
                );
                if let Some(old) = before.get(&key).filter(|old| **old != image) {
                    result.changes.push(image_change(object, index, old));
                    result.summary.push(format!(
                        "{}/{} container {container}: {image} → {old} (as before {})",
                        object.kind,
                        object.name,
                        &commit[..commit.len().min(12)]
                    ));
                }
            }
        }
    }
    if result.changes.is_empty() {
        return Err(if checked == 0 {
            "no canary, no blue-green pair, and no workload file tracked by git: nothing to roll back".to_string()
        } else {
            "no earlier image in the git history of these files: nothing to roll back".to_string()
        });
    }
    Ok(result)
}
